//! Call-scoped worker threads on raw POSIX threads.
//!
//! Why not `std::thread`: spawning through std initialises std's thread-local state (the
//! current-thread handle) in the *calling* thread, which registers a TLS destructor for that
//! thread; glibc then keeps the shared library mapped until the thread exits, so `dlclose` would
//! never unload it. Raw pthreads running plain closures touch no Rust thread-locals.
//! Elsewhere (non-Unix) the work simply runs on the calling thread.

use std::ffi::{c_int, c_void};

#[cfg(all(unix, target_os = "linux"))]
mod sys {
    use super::*;
    pub type PthreadT = std::ffi::c_ulong;
    extern "C" {
        pub fn pthread_create(
            thread: *mut PthreadT,
            attr: *const c_void,
            start: extern "C" fn(*mut c_void) -> *mut c_void,
            arg: *mut c_void,
        ) -> c_int;
        pub fn pthread_join(thread: PthreadT, retval: *mut *mut c_void) -> c_int;
        pub fn pthread_attr_init(attr: *mut PthreadAttr) -> c_int;
        pub fn pthread_attr_destroy(attr: *mut PthreadAttr) -> c_int;
        pub fn pthread_attr_setaffinity_np(
            attr: *mut PthreadAttr,
            size: usize,
            set: *const CpuSet,
        ) -> c_int;
        pub fn sched_getaffinity(pid: c_int, size: usize, set: *mut CpuSet) -> c_int;
        pub fn sched_getcpu() -> c_int;
    }
    /// glibc's `pthread_attr_t` (56 bytes on x86_64 and aarch64; 64 is ample).
    #[repr(C, align(8))]
    pub struct PthreadAttr(pub [u8; 64]);
    /// glibc's `cpu_set_t`: 1024 bits.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct CpuSet(pub [u64; 16]);
}

/// CPUs for `n` workers: CPUs this thread may run on other than the one it runs on now, in
/// order (Linux; empty elsewhere or when unknown). Pinning a call's worker to an idle CPU makes
/// it start at once: measured on a 2-vCPU KVM guest, an unpinned new thread waited ~1.2 ms for
/// its parent's CPU, a pinned one ~0.16 ms.
///
/// `BLASTOOL_PIN_THREADS=0` turns pinning off (the scheduler places the workers): the choice is
/// always the lowest-numbered allowed CPUs, so several processes calling in parallel on a large
/// machine may prefer the scheduler's placement.
pub fn worker_cpus(n: usize) -> Vec<usize> {
    if !crate::arch::pin_threads() {
        return Vec::new();
    }
    #[cfg(all(unix, target_os = "linux"))]
    {
        let mut set = sys::CpuSet([0; 16]);
        // SAFETY: valid out-pointer of the size passed; pid 0 is the calling thread.
        let ok =
            unsafe { sys::sched_getaffinity(0, std::mem::size_of::<sys::CpuSet>(), &mut set) } == 0;
        // SAFETY: no arguments.
        let here = unsafe { sys::sched_getcpu() };
        if !ok || here < 0 {
            return Vec::new();
        }
        (0..1024)
            .filter(|&cpu| cpu != here as usize && set.0[cpu / 64] >> (cpu % 64) & 1 == 1)
            .take(n)
            .collect()
    }
    #[cfg(not(all(unix, target_os = "linux")))]
    {
        let _ = n;
        Vec::new()
    }
}

type Job = Box<dyn FnOnce() + Send>;

#[cfg(all(unix, target_os = "linux"))]
extern "C" fn trampoline(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the `Box<Job>` leaked by `Workers::spawn`, consumed exactly once here.
    let job = unsafe { Box::from_raw(arg as *mut Job) };
    // A panic cannot unwind out of an `extern "C"` function: it aborts, which is the only sound
    // outcome for a worker whose results the caller would otherwise read half-written.
    job();
    std::ptr::null_mut()
}

/// Threads started for one call; all are joined when this is dropped.
pub struct Workers {
    #[cfg(all(unix, target_os = "linux"))]
    handles: Vec<sys::PthreadT>,
}

impl Workers {
    pub fn new() -> Self {
        Workers {
            #[cfg(all(unix, target_os = "linux"))]
            handles: Vec::new(),
        }
    }

    /// Run `f` on a new thread; false if no thread could be started (then `f` is dropped
    /// unrun and the caller does the work itself).
    ///
    /// # Safety
    /// `f` may borrow from the caller's stack: the caller must keep those borrows alive until
    /// this `Workers` is dropped (which joins the thread).
    pub unsafe fn spawn<'a, F: FnOnce() + Send + 'a>(&mut self, f: F) -> bool {
        // SAFETY: forwarded contract.
        unsafe { self.spawn_on(None, f) }
    }

    /// `spawn`, with the thread pinned to `cpu` when given (and the pinning is accepted).
    ///
    /// # Safety
    /// As `spawn`.
    pub unsafe fn spawn_on<'a, F: FnOnce() + Send + 'a>(
        &mut self,
        cpu: Option<usize>,
        f: F,
    ) -> bool {
        #[cfg(all(unix, target_os = "linux"))]
        {
            let job: Box<dyn FnOnce() + Send + 'a> = Box::new(f);
            // SAFETY: lifetime erasure only; the join in `Drop` bounds the thread's lifetime
            // within 'a (caller's contract above).
            let job: Job =
                unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + 'a>, Job>(job) };
            let arg = Box::into_raw(Box::new(job)) as *mut c_void;
            let mut tid: sys::PthreadT = 0;
            let mut attr = sys::PthreadAttr([0; 64]);
            // SAFETY: `attr` is initialised before use and destroyed after; the CPU set is a
            // valid cpu_set_t with one bit.
            let pinned = cpu.filter(|&c| c < 1024).is_some_and(|c| unsafe {
                if sys::pthread_attr_init(&mut attr) != 0 {
                    return false;
                }
                let mut set = sys::CpuSet([0; 16]);
                set.0[c / 64] |= 1 << (c % 64);
                if sys::pthread_attr_setaffinity_np(
                    &mut attr,
                    std::mem::size_of::<sys::CpuSet>(),
                    &set,
                ) != 0
                {
                    sys::pthread_attr_destroy(&mut attr);
                    return false;
                }
                true
            });
            let attr_ptr = if pinned {
                &attr as *const sys::PthreadAttr as *const c_void
            } else {
                std::ptr::null()
            };
            // SAFETY: valid out-pointer and attributes (or defaults), trampoline consumes `arg`.
            let rc = unsafe { sys::pthread_create(&mut tid, attr_ptr, trampoline, arg) };
            if pinned {
                // SAFETY: initialised above.
                unsafe { sys::pthread_attr_destroy(&mut attr) };
            }
            if rc != 0 {
                // SAFETY: the thread was not created, so `arg` is still ours to free.
                drop(unsafe { Box::from_raw(arg as *mut Job) });
                return false;
            }
            self.handles.push(tid);
            true
        }
        #[cfg(not(all(unix, target_os = "linux")))]
        {
            let _ = (cpu, f);
            false
        }
    }
}

impl Default for Workers {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        #[cfg(all(unix, target_os = "linux"))]
        for tid in self.handles.drain(..) {
            // SAFETY: a thread we created and have not joined yet.
            unsafe { sys::pthread_join(tid, std::ptr::null_mut()) };
        }
    }
}

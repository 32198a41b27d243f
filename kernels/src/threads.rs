//! Worker threads for one call, taken from a small pool of raw POSIX threads that wait between
//! calls.
//!
//! Why a pool: starting and joining a thread costs 40-60 us on a 2-vCPU KVM guest, a sixth of a
//! 256³ dtrmm's time at two threads. A pooled worker that is still spinning from the previous
//! call takes the next job in well under a microsecond. After a job it spins for
//! `BLASTOOL_THREAD_SPIN_US` microseconds (default `DEFAULT_SPIN_US`), then sleeps on a futex,
//! so an idle program keeps no CPU busy.
//!
//! Lifecycle (the library has no constructor; see `arch`):
//! - the pool starts lazily, on the first call that splits;
//! - `shutdown` (run by `blastool_quit`, and so by the `.fini_array` unload hook on `dlclose` and
//!   at exit) tells every worker to leave, joins it, and leaves the pool empty; a later call
//!   starts it again. No worker can be running the library's code once `dlclose` unmaps it.
//!   Joining in a destructor is safe on Linux: the workers touch no thread-local storage of
//!   the library, so their exit needs no loader lock;
//! - one caller owns the pool at a time. A caller that finds it taken (another thread of the
//!   program inside a threaded call, or a job calling back into the library) starts threads for
//!   its call instead, as the library did before it had a pool;
//! - ownership is one atomic holding the owner's process id: a `fork`ed child sees its parent's
//!   id, takes the pool over as empty (the parent's workers do not exist in the child) and
//!   starts its own.
//!
//! Why raw pthreads and not `std::thread`: spawning through std initialises std's thread-local
//! state (the current-thread handle) in the *calling* thread, which registers a TLS destructor
//! for that thread; glibc then keeps the shared library mapped until the thread exits, so
//! `dlclose` would never unload it. Raw pthreads running plain closures touch no Rust
//! thread-locals. Elsewhere (non-Linux) the work simply runs on the calling thread.

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
        pub fn pthread_setaffinity_np(thread: PthreadT, size: usize, set: *const CpuSet) -> c_int;
        pub fn pthread_setname_np(thread: PthreadT, name: *const std::ffi::c_char) -> c_int;
        pub fn sched_getaffinity(pid: c_int, size: usize, set: *mut CpuSet) -> c_int;
        pub fn sched_getcpu() -> c_int;
        pub fn getpid() -> c_int;
        pub fn syscall(number: std::ffi::c_long, ...) -> std::ffi::c_long;
    }
    /// glibc's `pthread_attr_t` (56 bytes on x86_64 and aarch64; 64 is ample).
    #[repr(C, align(8))]
    pub struct PthreadAttr(pub [u8; 64]);
    /// glibc's `cpu_set_t`: 1024 bits.
    #[repr(C)]
    #[derive(Clone, Copy)]
    pub struct CpuSet(pub [u64; 16]);

    impl CpuSet {
        pub fn only(cpu: usize) -> CpuSet {
            let mut set = CpuSet([0; 16]);
            set.0[cpu / 64] |= 1 << (cpu % 64);
            set
        }
    }

    #[cfg(target_arch = "x86_64")]
    const SYS_FUTEX: std::ffi::c_long = 202;
    #[cfg(target_arch = "aarch64")]
    const SYS_FUTEX: std::ffi::c_long = 98;
    const FUTEX_WAIT_PRIVATE: c_int = 128;
    const FUTEX_WAKE_PRIVATE: c_int = 129;

    /// Sleep while `*word == expected` (returns at once otherwise, or spuriously).
    pub fn futex_wait(word: &std::sync::atomic::AtomicU32, expected: u32) {
        // SAFETY: FUTEX_WAIT on a live, aligned u32 with no timeout.
        unsafe {
            syscall(
                SYS_FUTEX,
                word.as_ptr(),
                FUTEX_WAIT_PRIVATE,
                expected,
                std::ptr::null::<c_void>(),
            )
        };
    }

    /// Wake the thread sleeping on `word`, if any.
    pub fn futex_wake(word: &std::sync::atomic::AtomicU32) {
        // SAFETY: FUTEX_WAKE on a live, aligned u32.
        unsafe { syscall(SYS_FUTEX, word.as_ptr(), FUTEX_WAKE_PRIVATE, 1 as c_int) };
    }
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

/// Start a detached-until-joined pthread running `start(arg)`, pinned to `cpu` when given and
/// accepted. None if the OS refused the thread.
#[cfg(all(unix, target_os = "linux"))]
fn start_thread(
    cpu: Option<usize>,
    start: extern "C" fn(*mut c_void) -> *mut c_void,
    arg: *mut c_void,
) -> Option<sys::PthreadT> {
    let mut tid: sys::PthreadT = 0;
    let mut attr = sys::PthreadAttr([0; 64]);
    // SAFETY: `attr` is initialised before use and destroyed after; the CPU set is a valid
    // cpu_set_t with one bit.
    let pinned = cpu.filter(|&c| c < 1024).is_some_and(|c| unsafe {
        if sys::pthread_attr_init(&mut attr) != 0 {
            return false;
        }
        let set = sys::CpuSet::only(c);
        if sys::pthread_attr_setaffinity_np(&mut attr, std::mem::size_of::<sys::CpuSet>(), &set)
            != 0
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
    // SAFETY: valid out-pointer and attributes (or defaults); `start` owns `arg` once running.
    let rc = unsafe { sys::pthread_create(&mut tid, attr_ptr, start, arg) };
    if pinned {
        // SAFETY: initialised above.
        unsafe { sys::pthread_attr_destroy(&mut attr) };
    }
    (rc == 0).then_some(tid)
}

#[cfg(all(unix, target_os = "linux"))]
extern "C" fn run_once(arg: *mut c_void) -> *mut c_void {
    // SAFETY: `arg` is the `Box<Job>` leaked by `Workers::spawn_on`, consumed exactly once here.
    let job = unsafe { Box::from_raw(arg as *mut Job) };
    // A panic cannot unwind out of an `extern "C"` function: it aborts, which is the only sound
    // outcome for a worker whose results the caller would otherwise read half-written.
    job();
    std::ptr::null_mut()
}

#[cfg(all(unix, target_os = "linux"))]
mod pool {
    //! The pool itself: worker slots, their hand-over protocol and the ownership word.

    use super::{start_thread, sys, Job};
    use std::cell::UnsafeCell;
    use std::ffi::c_void;
    use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    // `Slot::go`: what the worker is told.
    const IDLE: u32 = 0;
    const SLEEPING: u32 = 1;
    const POSTED: u32 = 2;
    const EXIT: u32 = 3;
    // `Slot::done`: what the owner waits for.
    const PENDING: u32 = 0;
    const WAITING: u32 = 1;
    const FINISHED: u32 = 2;

    /// The name of the pool's threads.
    pub const POOL_THREAD_NAME: &std::ffi::CStr = c"blastool-pool";

    /// Pooled workers of this process spinning for a job now (see `warm_workers`).
    pub static SPINNING: AtomicUsize = AtomicUsize::new(0);

    /// How long a caller waits by spinning for a worker's share before it sleeps.
    const JOIN_SPIN: Duration = Duration::from_millis(2);

    /// One pooled worker, allocated once and freed after its thread is joined (`shutdown`); its
    /// thread and the owner reach it through a raw pointer, never a unique reference.
    pub struct Slot {
        go: AtomicU32,
        done: AtomicU32,
        /// Written by the owner before `go` becomes POSTED, taken by the worker after.
        job: UnsafeCell<Option<Job>>,
        /// The worker's pthread_t (set once, right after it starts) and the CPU it is pinned
        /// to (`NOT_PINNED` if none). Atomics, because the worker holds a shared reference to
        /// the slot from its first instruction.
        tid: AtomicUsize,
        cpu: AtomicUsize,
    }
    const NOT_PINNED: usize = usize::MAX;
    // SAFETY: `job` is handed over through `go` (release/acquire); everything else is atomic or
    // written only by the pool's owner.
    unsafe impl Sync for Slot {}

    /// Spin for `limit` (checking the clock every 64 rounds) until `ready` holds; whether it did.
    fn spin_until(limit: Duration, ready: impl Fn() -> bool) -> bool {
        if limit.is_zero() {
            return ready();
        }
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                if ready() {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= limit {
                return false;
            }
        }
    }

    /// Sleep on `word` while it holds `awake` or `asleep`, and return the value it then holds.
    /// The sleeper first marks the word `asleep`, so that whoever changes it knows to wake it
    /// (the other side swaps its new value in and calls `futex_wake` if it took `asleep` out).
    fn sleep_while(word: &AtomicU32, awake: u32, asleep: u32) -> u32 {
        loop {
            match word.load(Ordering::Acquire) {
                v if v == awake => {
                    let _ =
                        word.compare_exchange(awake, asleep, Ordering::AcqRel, Ordering::Acquire);
                }
                v if v == asleep => sys::futex_wait(word, asleep),
                other => return other,
            }
        }
    }

    extern "C" fn worker_main(arg: *mut c_void) -> *mut c_void {
        // SAFETY: `arg` is a boxed Slot that `shutdown` frees only after joining this thread.
        let slot = unsafe { &*(arg as *const Slot) };
        let spin = crate::arch::thread_spin();
        loop {
            SPINNING.fetch_add(1, Ordering::Relaxed);
            spin_until(spin, || slot.go.load(Ordering::Acquire) >= POSTED);
            SPINNING.fetch_sub(1, Ordering::Relaxed);
            let order = sleep_while(&slot.go, IDLE, SLEEPING);
            if order == EXIT {
                return std::ptr::null_mut();
            }
            // SAFETY: POSTED was stored (release) after the owner wrote the job, and the owner
            // touches it again only after FINISHED.
            let job = unsafe { (*slot.job.get()).take() };
            slot.go.store(IDLE, Ordering::Relaxed);
            // A panic aborts here (extern "C"), as in a call-scoped thread.
            if let Some(job) = job {
                job();
            }
            if slot.done.swap(FINISHED, Ordering::Release) == WAITING {
                sys::futex_wake(&slot.done);
            }
        }
    }

    /// The pool's slots (from `Box::into_raw`); the vector is read and written only by the owner
    /// of `OWNER`.
    struct Slots(UnsafeCell<Vec<*const Slot>>);
    // SAFETY: access is serialised by `OWNER`.
    unsafe impl Sync for Slots {}
    static SLOTS: Slots = Slots(UnsafeCell::new(Vec::new()));

    /// Process id of the pool's owner process, shifted left once, plus 1 while a caller owns it.
    /// 0: never used.
    static OWNER: AtomicU64 = AtomicU64::new(0);

    fn pid() -> u64 {
        // SAFETY: no arguments.
        unsafe { sys::getpid() as u64 }
    }

    /// The right to use the pool, released on drop.
    pub struct Owner {
        me: u64,
    }

    impl Owner {
        /// The pool, if no other caller has it now.
        pub fn try_take() -> Option<Owner> {
            let me = pid();
            let free = me << 1;
            match OWNER.compare_exchange(free, free | 1, Ordering::Acquire, Ordering::Relaxed) {
                Ok(_) => Some(Owner { me }),
                Err(seen) if seen >> 1 != me => {
                    // A pool from before `fork` (or none yet): its workers are not in this
                    // process. Take it over empty; of racing threads, one wins.
                    OWNER
                        .compare_exchange(seen, free | 1, Ordering::Acquire, Ordering::Relaxed)
                        .ok()?;
                    // SAFETY: we own the pool now. The old slots belong to the parent's
                    // threads: forget them rather than free memory a sibling may still read.
                    unsafe { std::mem::forget(std::mem::take(&mut *SLOTS.0.get())) };
                    SPINNING.store(0, Ordering::Relaxed);
                    Some(Owner { me })
                }
                Err(_) => None,
            }
        }

        /// Wait until the pool is free, then take it (for `shutdown`).
        fn take() -> Owner {
            loop {
                if let Some(owner) = Owner::try_take() {
                    return owner;
                }
                std::thread::yield_now();
            }
        }

        fn slots(&mut self) -> &mut Vec<*const Slot> {
            // SAFETY: we own the pool.
            unsafe { &mut *SLOTS.0.get() }
        }

        /// Hand `job` to pooled worker `index`, starting it (pinned to `cpu`) if the pool has
        /// fewer; re-pins a worker whose CPU this call picked differently. Gives the job back if
        /// no thread could be started.
        pub fn post(&mut self, index: usize, cpu: Option<usize>, job: Job) -> Result<(), Job> {
            let slots = self.slots();
            let wanted = cpu.unwrap_or(NOT_PINNED);
            if index == slots.len() {
                let slot = Box::into_raw(Box::new(Slot {
                    go: AtomicU32::new(IDLE),
                    done: AtomicU32::new(FINISHED),
                    job: UnsafeCell::new(None),
                    tid: AtomicUsize::new(0),
                    cpu: AtomicUsize::new(wanted),
                }));
                let Some(tid) = start_thread(cpu, worker_main, slot as *mut c_void) else {
                    // SAFETY: no thread has the slot; it was allocated just above.
                    drop(unsafe { Box::from_raw(slot) });
                    return Err(job);
                };
                // SAFETY: a live slot (freed only by `shutdown`).
                unsafe { (*slot).tid.store(tid as usize, Ordering::Relaxed) };
                // The name `top -H`, `ps -L` and debuggers show (at most 15 bytes); a refusal
                // changes nothing else.
                // SAFETY: a live thread of ours and a NUL-terminated name.
                unsafe { sys::pthread_setname_np(tid, POOL_THREAD_NAME.as_ptr()) };
                slots.push(slot);
            }
            // SAFETY: a live slot (freed only by `shutdown`, which owns the pool meanwhile).
            let slot = unsafe { &*slots[index] };
            let tid = slot.tid.load(Ordering::Relaxed) as sys::PthreadT;
            if let Some(c) = cpu.filter(|&c| c < 1024 && slot.cpu.load(Ordering::Relaxed) != c) {
                let set = sys::CpuSet::only(c);
                // SAFETY: a live thread of ours; a valid one-CPU set. If refused, the worker
                // stays where it is, which is only slower.
                let size = std::mem::size_of::<sys::CpuSet>();
                if unsafe { sys::pthread_setaffinity_np(tid, size, &set) } == 0 {
                    slot.cpu.store(c, Ordering::Relaxed);
                }
            }
            // SAFETY: the worker finished its previous job (FINISHED was seen by `wait`, or the
            // slot is new) and reads `job` only after POSTED below.
            unsafe { *slot.job.get() = Some(job) };
            slot.done.store(PENDING, Ordering::Relaxed);
            if slot.go.swap(POSTED, Ordering::Release) == SLEEPING {
                sys::futex_wake(&slot.go);
            }
            Ok(())
        }

        /// Wait for the jobs posted to workers 0..count.
        pub fn wait(&mut self, count: usize) {
            for &slot in &self.slots()[..count] {
                // SAFETY: a live slot (as in `post`).
                let slot = unsafe { &*slot };
                if spin_until(JOIN_SPIN, || slot.done.load(Ordering::Acquire) == FINISHED) {
                    continue;
                }
                sleep_while(&slot.done, PENDING, WAITING);
            }
        }
    }

    impl Drop for Owner {
        fn drop(&mut self) {
            OWNER.store(self.me << 1, Ordering::Release);
        }
    }

    /// See `super::warm_workers`. No pid check (a system call): in a `fork`ed child whose
    /// parent held the pool the busy bit is still set, and otherwise the first call takes the
    /// pool over and starts workers once.
    pub fn free_and_spinning(n: usize) -> bool {
        OWNER.load(Ordering::Relaxed) & 1 == 0 && SPINNING.load(Ordering::Relaxed) >= n
    }

    /// Stop and join every pooled worker (see the module's lifecycle notes).
    pub fn shutdown() {
        // Nothing to do (and no pid to read) if this process never started a pool.
        let seen = OWNER.load(Ordering::Acquire);
        if seen == 0 || seen >> 1 != pid() {
            return;
        }
        let mut owner = Owner::take();
        for raw in std::mem::take(owner.slots()) {
            // SAFETY: a live slot, freed below once its thread has been joined.
            let slot = unsafe { &*raw };
            slot.go.store(EXIT, Ordering::Release);
            sys::futex_wake(&slot.go);
            let tid = slot.tid.load(Ordering::Relaxed) as sys::PthreadT;
            // SAFETY: a thread of ours, not joined before; it exits on EXIT. Then nothing
            // refers to the slot any more.
            unsafe {
                sys::pthread_join(tid, std::ptr::null_mut());
                drop(Box::from_raw(raw as *mut Slot));
            }
        }
    }
}

/// Whether the pool is free and at least `n` of its workers are spinning for a job now, so that
/// handing them one costs well under a microsecond instead of a wake-up (tens of microseconds on
/// a KVM guest). While another caller owns the pool, a call would start threads of its own,
/// which costs more than a small product saves. A hint: a worker may fall asleep, or another
/// thread take the pool, just after.
pub fn warm_workers(n: usize) -> bool {
    #[cfg(all(unix, target_os = "linux"))]
    {
        pool::free_and_spinning(n)
    }
    #[cfg(not(all(unix, target_os = "linux")))]
    {
        let _ = n;
        false
    }
}

/// Stop the pool's workers (`blastool_quit`, unload). The next threaded call starts new ones.
pub fn shutdown() {
    #[cfg(all(unix, target_os = "linux"))]
    pool::shutdown();
}

/// The workers of one call: pooled ones when the pool is free, else threads started for the
/// call. All have finished their jobs when this is dropped.
pub struct Workers {
    #[cfg(all(unix, target_os = "linux"))]
    pool: Option<pool::Owner>,
    #[cfg(all(unix, target_os = "linux"))]
    pooled: usize,
    #[cfg(all(unix, target_os = "linux"))]
    handles: Vec<sys::PthreadT>,
}

impl Workers {
    pub fn new() -> Self {
        Workers {
            #[cfg(all(unix, target_os = "linux"))]
            pool: pool::Owner::try_take(),
            #[cfg(all(unix, target_os = "linux"))]
            pooled: 0,
            #[cfg(all(unix, target_os = "linux"))]
            handles: Vec::new(),
        }
    }

    /// Run `f` on another thread, pinned to `cpu` when given (and the pinning is accepted);
    /// false if no thread could be had (then `f` is dropped unrun and the caller does the work
    /// itself).
    ///
    /// # Safety
    /// `f` may borrow from the caller's stack: the caller must keep those borrows alive until
    /// this `Workers` is dropped (which waits for `f`).
    pub unsafe fn spawn_on<'a, F: FnOnce() + Send + 'a>(
        &mut self,
        cpu: Option<usize>,
        f: F,
    ) -> bool {
        #[cfg(all(unix, target_os = "linux"))]
        {
            let job: Box<dyn FnOnce() + Send + 'a> = Box::new(f);
            // SAFETY: lifetime erasure only; `Drop` waits for the job, which bounds its
            // lifetime within 'a (caller's contract above).
            let mut job: Job =
                unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + 'a>, Job>(job) };
            if let Some(owner) = &mut self.pool {
                match owner.post(self.pooled, cpu, job) {
                    Ok(()) => {
                        self.pooled += 1;
                        return true;
                    }
                    Err(back) => job = back,
                }
            }
            let arg = Box::into_raw(Box::new(job)) as *mut c_void;
            match start_thread(cpu, run_once, arg) {
                Some(tid) => {
                    self.handles.push(tid);
                    true
                }
                None => {
                    // SAFETY: the thread was not created, so `arg` is still ours to free.
                    drop(unsafe { Box::from_raw(arg as *mut Job) });
                    false
                }
            }
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
        {
            if let Some(owner) = &mut self.pool {
                owner.wait(self.pooled);
            }
            for tid in self.handles.drain(..) {
                // SAFETY: a thread we created and have not joined yet.
                unsafe { sys::pthread_join(tid, std::ptr::null_mut()) };
            }
        }
    }
}

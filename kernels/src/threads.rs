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
        #[cfg(all(unix, target_os = "linux"))]
        {
            let job: Box<dyn FnOnce() + Send + 'a> = Box::new(f);
            // SAFETY: lifetime erasure only; the join in `Drop` bounds the thread's lifetime
            // within 'a (caller's contract above).
            let job: Job =
                unsafe { std::mem::transmute::<Box<dyn FnOnce() + Send + 'a>, Job>(job) };
            let arg = Box::into_raw(Box::new(job)) as *mut c_void;
            let mut tid: sys::PthreadT = 0;
            // SAFETY: valid out-pointer, default attributes, trampoline consumes `arg`.
            let rc = unsafe { sys::pthread_create(&mut tid, std::ptr::null(), trampoline, arg) };
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
            let _ = f;
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

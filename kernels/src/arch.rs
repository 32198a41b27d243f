//! Run-time choice of the microkernel table (CPUID, `BLASTOOL_CORETYPE` override), the library
//! lifecycle (`blastool_init`/`blastool_quit`) and the configuration queries.
//!
//! There is no constructor: the table is chosen lazily on the first call that needs it (or by
//! `blastool_init`), so the static library carries no hidden initialisation.
//!
//! Threads: large GEMM-based products are split over `BLASTOOL_NUM_THREADS` threads (default:
//! the available parallelism; `blastool_set_num_threads` overrides). The workers come from a
//! pool that starts on the first call that splits (`threads`); they spin briefly after a call,
//! then sleep. `blastool_quit`, which the `.fini_array` unload hook runs on `dlclose` and at
//! exit, joins them, so no worker is left in unmapped code; a `fork`ed child starts its own.

use crate::gemm::generic::GENERIC;
use crate::gemm::KernelSet;
use std::ffi::c_char;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Index + 1 into `tables()` of the active table; 0 = not initialised.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
/// The active table itself (null = not looked up yet), so that `active()` costs one load on the
/// hot path: level 1 routines ask for it on every call.
static ACTIVE_SET: AtomicPtr<KernelSet> = AtomicPtr::new(std::ptr::null_mut());
/// Thread count; 0 = not initialised (read the environment on first use).
static THREADS: AtomicUsize = AtomicUsize::new(0);
/// Fewest real multiply-adds worth splitting (see `DEFAULT_MIN_WORK`); 0 = not initialised.
static MIN_WORK: AtomicUsize = AtomicUsize::new(0);

/// Whether a call's workers are pinned to CPUs: 0 = not read yet, 1 = pin, 2 = do not
/// (`BLASTOOL_PIN_THREADS=0`).
static PIN: AtomicUsize = AtomicUsize::new(0);

/// Microseconds a pooled worker spins after a job before it sleeps, plus 1; 0 = not read yet.
static SPIN_US: AtomicUsize = AtomicUsize::new(0);

/// Default of `BLASTOOL_THREAD_SPIN_US`: long enough to cover the single-threaded stretch
/// between two threaded calls of a blocked factorization (a panel of dgetrf at n = 2000), short
/// enough that an idle program stops burning a CPU almost at once. OpenBLAS spins for about
/// 2^28 cycles (~0.1 s) by default.
const DEFAULT_SPIN_US: usize = 1000;

/// Products of fewer real multiply-adds (a complex one counts 4, see `threads_for`) stay on the
/// calling thread: starting a worker, or waking a sleeping pooled one (as costly on the guest
/// below), costs more than the half of the work it takes.
/// Measured on a 2-vCPU Zen 4 KVM guest (thread create + join 40-60 us), 2 threads against 1,
/// side by side: dgemm n = 96 / 112 / 128 / 160 ran 0.52 / 0.80 / 1.03 / 1.21x as fast, dtrsm
/// (n³/2 multiply-adds) n = 128 / 160 / 192 0.73 / 0.99 / 1.24x, zgemm n = 96 / 112 1.00 /
/// 1.24x (4 n³ real ones). The old threshold, 96³ products in any precision, split all of these.
const DEFAULT_MIN_WORK: usize = 2_500_000;

/// The threshold of `threads_for` is divided by this while the pool is free and its workers are
/// still spinning from an earlier call (`threads::warm_workers`): handing them a share then
/// costs under a microsecond, not a wake-up. Measured on the same guest with warm workers, 2
/// threads against 1: dgemm n = 48 / 64 ran 1.3-1.4 / 1.5-1.6x as fast, dtrsm n = 48 / 64 (55k
/// / 133k multiply-adds) 0.8 / 1.6x, dsyrk n = 64 1.0x. With sleeping workers, dgemm n = 64 /
/// 96 ran at 0.36 / 0.96x.
const WARM_DIVISOR: usize = 16;

/// The threads a call of `multiply_adds` multiply-adds of `T` may split over: the library's
/// thread count when they are at least the threshold (`BLASTOOL_PARALLEL_MIN_WORK`, default
/// `DEFAULT_MIN_WORK`) counted as real ones (a complex multiply-add is 4), or a sixteenth of
/// that while the pool's workers are warm (`WARM_DIVISOR`), else 1. Every
/// GEMM-based routine asks here with its own count, so that the unit is the same for all.
#[inline]
pub fn threads_for<T: crate::scalar::Scalar>(multiply_adds: usize) -> usize {
    let (threads, min_work) = threading();
    let real = if T::IS_COMPLEX {
        multiply_adds.saturating_mul(4)
    } else {
        multiply_adds
    };
    let warm = || threads > 1 && crate::threads::warm_workers(threads - 1);
    if real >= min_work || (real >= min_work / WARM_DIVISOR && warm()) {
        threads
    } else {
        1
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// (threads, fewest real multiply-adds per split, see `threads_for`) for GEMM-based routines.
/// `BLASTOOL_PARALLEL_MIN_WORK` sets the threshold (the reference testers lower it to run their
/// small cases threaded).
/// Inlined, as `active`.
#[inline]
pub fn threading() -> (usize, usize) {
    let (t, w) = (
        THREADS.load(Ordering::Acquire),
        MIN_WORK.load(Ordering::Acquire),
    );
    if t != 0 && w != 0 {
        return (t, w);
    }
    read_threading()
}

/// `threading` on first use (and after `blastool_quit`).
#[cold]
#[inline(never)]
fn read_threading() -> (usize, usize) {
    let mut t = THREADS.load(Ordering::Acquire);
    if t == 0 {
        t = env_usize("BLASTOOL_NUM_THREADS")
            .filter(|&v| v > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |v| v.get()));
        let _ = THREADS.compare_exchange(0, t, Ordering::AcqRel, Ordering::Acquire);
        t = THREADS.load(Ordering::Acquire);
    }
    let mut w = MIN_WORK.load(Ordering::Acquire);
    if w == 0 {
        w = env_usize("BLASTOOL_PARALLEL_MIN_WORK")
            .unwrap_or(DEFAULT_MIN_WORK)
            .max(1);
        MIN_WORK.store(w, Ordering::Release);
    }
    (t, w)
}

/// Whether to pin a call's workers (see `threads::worker_cpus`): read from the environment once,
/// like the other settings, and again after `blastool_quit`.
pub fn pin_threads() -> bool {
    let mut p = PIN.load(Ordering::Acquire);
    if p == 0 {
        let off = std::env::var_os("BLASTOOL_PIN_THREADS").is_some_and(|v| v == "0");
        p = if off { 2 } else { 1 };
        PIN.store(p, Ordering::Release);
    }
    p == 1
}

/// How long a pooled worker spins for its next job before it sleeps (`threads`): read from
/// `BLASTOOL_THREAD_SPIN_US` once, and again after `blastool_quit`. 0 sleeps at once.
pub fn thread_spin() -> std::time::Duration {
    let mut us = SPIN_US.load(Ordering::Acquire);
    if us == 0 {
        us = env_usize("BLASTOOL_THREAD_SPIN_US").unwrap_or(DEFAULT_SPIN_US) + 1;
        SPIN_US.store(us, Ordering::Release);
    }
    std::time::Duration::from_micros(us as u64 - 1)
}

/// Set the number of threads for later calls (values below 1 mean 1).
#[export_name = blas_symbol!("blastool_set_num_threads")]
pub extern "C" fn blastool_set_num_threads(n: i32) {
    THREADS.store(n.max(1) as usize, Ordering::Release);
}

/// Every table compiled into this build, in order of preference (best last), with whether this
/// CPU can run it.
pub fn tables() -> Vec<(&'static KernelSet, bool)> {
    #[allow(unused_mut)]
    let mut v: Vec<(&'static KernelSet, bool)> = vec![(&GENERIC, true)];
    #[cfg(target_arch = "x86_64")]
    {
        if compiled_in("HASWELL") {
            v.push((
                &crate::gemm::haswell::HASWELL,
                crate::gemm::haswell::supported(),
            ));
        }
        if compiled_in("SKYLAKEX") {
            v.push((
                &crate::gemm::skylakex::SKYLAKEX,
                crate::gemm::skylakex::supported(),
            ));
        }
    }
    v
}

/// Whether a table belongs to this build. A build for one named target passes
/// `--cfg blastool_tables="NAME"` for each table it may use (`blastool build` does), so a
/// GENERIC library never runs HASWELL kernels on a capable CPU; without any such cfg every table
/// is in (a DYNAMIC build). GENERIC is always there: the fallback on a CPU that lacks the ISA.
#[allow(dead_code)]
fn compiled_in(name: &str) -> bool {
    let restricted = cfg!(any(
        blastool_tables = "GENERIC",
        blastool_tables = "HASWELL",
        blastool_tables = "SKYLAKEX"
    ));
    match name {
        "HASWELL" => !restricted || cfg!(blastool_tables = "HASWELL"),
        "SKYLAKEX" => !restricted || cfg!(blastool_tables = "SKYLAKEX"),
        _ => true,
    }
}

/// Pick a table: the one named by `BLASTOOL_CORETYPE` if this CPU supports it, otherwise the
/// best supported one (an unsupported override must not crash with an illegal instruction).
fn choose() -> usize {
    let t = tables();
    let wanted = std::env::var("BLASTOOL_CORETYPE")
        .ok()
        .map(|s| s.trim().to_ascii_uppercase());
    if let Some(w) = wanted {
        if let Some(i) = t.iter().position(|(k, ok)| *ok && k.name == w) {
            return i;
        }
    }
    t.iter().rposition(|(_, ok)| *ok).unwrap_or(0)
}

/// The active table, initialising on first use. Inlined: every call pays for it, and a small
/// GEMM's whole call is a few hundred cycles.
#[inline]
pub fn active() -> &'static KernelSet {
    let p = ACTIVE_SET.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: only pointers to the `'static` tables are ever stored.
        return unsafe { &*p };
    }
    choose_active()
}

/// `active` on first use (and after `blastool_quit`).
#[cold]
#[inline(never)]
fn choose_active() -> &'static KernelSet {
    let mut i = ACTIVE.load(Ordering::Acquire);
    if i == 0 {
        i = choose() + 1;
        // Racing initialisers compute the same answer; the first store wins harmlessly.
        let _ = ACTIVE.compare_exchange(0, i, Ordering::AcqRel, Ordering::Acquire);
        i = ACTIVE.load(Ordering::Acquire);
    }
    let set = tables()[i - 1].0;
    ACTIVE_SET.store(set as *const KernelSet as *mut KernelSet, Ordering::Release);
    set
}

/// Initialise the library (choose the kernel table). Idempotent; calling it is optional since
/// every routine initialises lazily. Returns 0.
#[export_name = blas_symbol!("blastool_init")]
pub extern "C" fn blastool_init() -> i32 {
    let _ = active();
    0
}

/// Release what the library holds: forget the table and thread-count choices (a later call
/// re-reads the environment), stop and join the pool's workers and free the GEMM packing
/// buffers kept between calls. Idempotent and safe to call twice or without `blastool_init`; the
/// library stays usable afterwards (it re-initialises lazily).
#[export_name = blas_symbol!("blastool_quit")]
pub extern "C" fn blastool_quit() {
    ACTIVE_SET.store(std::ptr::null_mut(), Ordering::Release);
    ACTIVE.store(0, Ordering::Release);
    THREADS.store(0, Ordering::Release);
    MIN_WORK.store(0, Ordering::Release);
    PIN.store(0, Ordering::Release);
    SPIN_US.store(0, Ordering::Release);
    crate::threads::shutdown();
    crate::gemm::buffers::release_all();
}

// Unload hook of the shared library: ELF runs `.fini_array` entries on `dlclose` and at exit.
// It pairs with no constructor (there is none) and only calls the idempotent `blastool_quit`,
// which joins the pool's workers before the library's code is unmapped.
#[cfg(all(target_os = "linux", not(test)))]
#[used]
#[link_section = ".fini_array"]
static FINI: extern "C" fn() = blastool_quit_on_unload;

#[cfg(all(target_os = "linux", not(test)))]
extern "C" fn blastool_quit_on_unload() {
    blastool_quit();
}

/// Name of the active table ("GENERIC", "HASWELL", "SKYLAKEX"), a static NUL-terminated string.
#[export_name = blas_symbol!("blastool_get_corename")]
pub extern "C" fn blastool_get_corename() -> *const c_char {
    match active().name {
        "HASWELL" => c"HASWELL".as_ptr(),
        "SKYLAKEX" => c"SKYLAKEX".as_ptr(),
        _ => c"GENERIC".as_ptr(),
    }
}

/// A one-line description of the build: tables compiled in, the active one, threading.
pub fn config_string() -> String {
    let t = tables();
    let names: Vec<String> = t
        .iter()
        .map(|(k, ok)| format!("{}{}", k.name, if *ok { "" } else { "(unsupported)" }))
        .collect();
    let a = active();
    format!(
        "blastool kernels {} DYNAMIC_ARCH tables=[{}] core={} dgemm={}({}x{} mc={} kc={} nc={}) threads={}",
        env!("CARGO_PKG_VERSION"),
        names.join(","),
        a.name,
        a.d.name,
        a.d.mr,
        a.d.nr,
        a.d.mc,
        a.d.kc,
        a.d.nc,
        threading().0
    )
}

/// Configuration string (static NUL-terminated storage, valid until the next call).
#[export_name = blas_symbol!("blastool_get_config")]
pub extern "C" fn blastool_get_config() -> *const c_char {
    use std::sync::Mutex;
    static BUF: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    let mut b = BUF.lock().unwrap_or_else(|e| e.into_inner());
    *b = config_string().into_bytes();
    b.push(0);
    b.as_ptr() as *const c_char
}

/// Number of threads large products use.
#[export_name = blas_symbol!("blastool_get_num_threads")]
pub extern "C" fn blastool_get_num_threads() -> i32 {
    threading().0 as i32
}

/// OpenBLAS's name for `blastool_set_num_threads`: libblastrampoline (Julia's BLAS forwarder)
/// looks it up by name to set the thread count of the library it loaded (see
/// docs/consumer-imports.txt).
#[export_name = blas_symbol!("openblas_set_num_threads")]
pub extern "C" fn openblas_set_num_threads(n: i32) {
    blastool_set_num_threads(n)
}

/// OpenBLAS's name for `blastool_get_num_threads`, for the same forwarders.
#[export_name = blas_symbol!("openblas_get_num_threads")]
pub extern "C" fn openblas_get_num_threads() -> i32 {
    blastool_get_num_threads()
}

//! Lifecycle of the shared library: loaded and unloaded 1000 times with dlopen/dlclose, calling
//! dgemm_ each time; resident memory and thread count must stay flat. Also the init/quit API
//! and a fork while the library is loaded. Linux only (dlopen, /proc, fork).
#![cfg(target_os = "linux")]

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::PathBuf;

// Declared by hand (no libc crate): glibc >= 2.34 has these in libc itself.
extern "C" {
    fn dlopen(filename: *const c_char, flags: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, symbol: *const c_char) -> *mut c_void;
    fn dlclose(handle: *mut c_void) -> c_int;
    fn dlerror() -> *const c_char;
    fn fork() -> c_int;
    fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
    fn kill(pid: c_int, sig: c_int) -> c_int;
    fn _exit(code: c_int) -> !;
}
const WNOHANG: c_int = 1;
const SIGKILL: c_int = 9;
const RTLD_NOW: c_int = 2;

/// The tests of this file share the process's loader state (mappings, RSS): run them one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

type Dgemm = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_int,
    *const c_int,
    *const c_int,
    *const f64,
    *const f64,
    *const c_int,
    *const f64,
    *const c_int,
    *const f64,
    *mut f64,
    *const c_int,
);

fn shared_library() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps dir");
    [
        deps.join("libkernels.so"),
        deps.parent().unwrap().join("libkernels.so"),
    ]
    .into_iter()
    .find(|p| p.exists())
    .expect("cargo builds libkernels.so next to the test binary")
}

/// (VmRSS in kB, thread count) of this process.
fn rss_and_threads() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| -> u64 {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("Threads:"))
}

unsafe fn sym(h: *mut c_void, name: &str) -> *mut c_void {
    let c = CString::new(name).unwrap();
    // SAFETY: valid handle and NUL-terminated name.
    let p = unsafe { dlsym(h, c.as_ptr()) };
    assert!(!p.is_null(), "dlsym {name}");
    p
}

/// Make even tiny products run on 2 threads, so every cycle creates and joins a worker.
fn force_threads() {
    // SAFETY (edition 2021: safe call): set before the library is loaded, under SERIAL; the
    // library reads the variables on first use after each load.
    std::env::set_var("BLASTOOL_NUM_THREADS", "2");
    std::env::set_var("BLASTOOL_PARALLEL_MIN_WORK", "1");
}

/// dlopen our library: its handle and its dgemm_.
fn open_with_dgemm(path: &CStr) -> (*mut c_void, Dgemm) {
    // SAFETY: plain dlopen/dlsym on our own library; dgemm_ has the Fortran signature `Dgemm`.
    unsafe {
        let h = dlopen(path.as_ptr(), RTLD_NOW);
        if h.is_null() {
            panic!("dlopen: {:?}", CStr::from_ptr(dlerror()));
        }
        (
            h,
            std::mem::transmute::<*mut c_void, Dgemm>(sym(h, "dgemm_")),
        )
    }
}

/// Load, call dgemm_ on a 7x20x3 product (split over 2 threads), check the result, unload.
fn cycle(path: &CStr) {
    let (h, dgemm) = open_with_dgemm(path);
    checked_dgemm(dgemm, 0.0);
    // SAFETY: our own handle, no longer used.
    assert_eq!(unsafe { dlclose(h) }, 0);
}

#[test]
fn dlopen_dlclose_1000_times_stays_flat() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    force_threads();
    let path = CString::new(shared_library().to_str().unwrap()).unwrap();
    for _ in 0..20 {
        cycle(&path); // warm up the allocator and the loader's caches
    }
    let (rss0, thr0) = rss_and_threads();
    for _ in 0..1000 {
        cycle(&path);
    }
    let (rss1, thr1) = rss_and_threads();
    // Whether dlclose really unmapped the library (nothing may pin it, e.g. TLS destructors).
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mapped = maps.contains(path.to_str().unwrap());
    println!("lifecycle: library still mapped after the last dlclose: {mapped}");
    assert!(!mapped, "dlclose did not unload the library");
    assert_eq!(pool_threads(), 0, "the unload hook joins the pool's worker");
    println!(
        "lifecycle: 1000 dlopen/dgemm_/dlclose cycles: VmRSS {rss0} kB -> {rss1} kB ({:+} kB), threads {thr0} -> {thr1}",
        rss1 as i64 - rss0 as i64
    );
    // Generous bound: a leak of even 16 kB per cycle would show as ~16 MB.
    assert!(
        rss1 <= rss0 + 8 * 1024,
        "RSS grew from {rss0} kB to {rss1} kB"
    );
    assert!(thr1 <= thr0, "threads grew from {thr0} to {thr1}");
}

#[test]
fn init_and_quit_are_idempotent() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let path = CString::new(shared_library().to_str().unwrap()).unwrap();
    // SAFETY: our own library's C-ABI entry points, all without arguments.
    unsafe {
        let h = dlopen(path.as_ptr(), RTLD_NOW);
        assert!(!h.is_null());
        let init: unsafe extern "C" fn() -> c_int = std::mem::transmute(sym(h, "blastool_init"));
        let quit: unsafe extern "C" fn() = std::mem::transmute(sym(h, "blastool_quit"));
        let corename: unsafe extern "C" fn() -> *const c_char =
            std::mem::transmute(sym(h, "blastool_get_corename"));
        let config: unsafe extern "C" fn() -> *const c_char =
            std::mem::transmute(sym(h, "blastool_get_config"));
        quit(); // before any init: harmless
        assert_eq!(init(), 0);
        assert_eq!(init(), 0);
        let name = CStr::from_ptr(corename()).to_str().unwrap().to_owned();
        assert!(["GENERIC", "HASWELL", "SKYLAKEX"].contains(&name.as_str()));
        let cfg = CStr::from_ptr(config()).to_str().unwrap().to_owned();
        assert!(cfg.contains(&format!("core={name}")), "{cfg}");
        println!("core: {name}; config: {cfg}");
        quit();
        quit();
        // Still usable after quit: re-initialises lazily.
        assert_eq!(CStr::from_ptr(corename()).to_str().unwrap(), name);
        assert_eq!(dlclose(h), 0);
    }
    cycle(&path);
}

#[test]
fn fork_child_runs_threaded_dgemm_without_hanging() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    force_threads();
    let path = CString::new(shared_library().to_str().unwrap()).unwrap();
    // SAFETY: our own library; after fork the child only runs dgemm and _exit.
    unsafe {
        let h = dlopen(path.as_ptr(), RTLD_NOW);
        assert!(!h.is_null());
        cycle(&path); // the parent has used threads before forking
        let pid = fork();
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let ok = std::panic::catch_unwind(|| cycle(&path)).is_ok();
            _exit(if ok { 0 } else { 1 });
        }
        let mut status = 0;
        let mut waited = 0;
        while waitpid(pid, &mut status, WNOHANG) == 0 {
            if waited > 30_000 {
                kill(pid, SIGKILL);
                waitpid(pid, &mut status, 0);
                panic!("forked child hung in dgemm");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            waited += 10;
        }
        assert_eq!(status, 0, "child exit status");
        assert_eq!(dlclose(h), 0);
    }
}

/// dgemm_ of the `cycle` product through an already loaded library, checked.
fn checked_dgemm(dgemm: Dgemm, seed: f64) {
    let (m, n, k) = (7, 20, 3);
    let a: Vec<f64> = (0..m * k).map(|i| seed + i as f64).collect();
    let b: Vec<f64> = (0..k * n).map(|i| 1.0 - i as f64).collect();
    let mut c = vec![f64::NAN; (m * n) as usize];
    let (alpha, beta) = (1.0, 0.0);
    // SAFETY: dgemm_'s Fortran signature; the arrays match the dimensions passed.
    unsafe {
        dgemm(
            c"N".as_ptr(),
            c"N".as_ptr(),
            &m,
            &n,
            &k,
            &alpha,
            a.as_ptr(),
            &m,
            b.as_ptr(),
            &k,
            &beta,
            c.as_mut_ptr(),
            &m,
        )
    };
    for j in 0..n as usize {
        for i in 0..m as usize {
            let want: f64 = (0..k as usize)
                .map(|l| a[i + l * m as usize] * b[l + j * k as usize])
                .sum();
            assert_eq!(c[i + j * m as usize], want, "seed {seed}");
        }
    }
}

/// Threads of this process named as the library's pool workers (`blastool-pool`). Counted by
/// name because the test harness starts and ends threads of its own meanwhile.
fn pool_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end() == "blastool-pool")
        .count()
}

/// The pool: a threaded call leaves one worker waiting (2 threads), later calls reuse it rather
/// than start more, and `blastool_quit` joins it.
#[test]
fn pooled_worker_is_reused_between_calls_and_joined_by_quit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    force_threads();
    let path = CString::new(shared_library().to_str().unwrap()).unwrap();
    // SAFETY: our own library's entry points with their signatures.
    unsafe {
        let (h, dgemm) = open_with_dgemm(&path);
        let quit: unsafe extern "C" fn() = std::mem::transmute(sym(h, "blastool_quit"));
        quit();
        let before = pool_threads();
        checked_dgemm(dgemm, 0.0);
        let after_one = pool_threads();
        for call in 0..200 {
            checked_dgemm(dgemm, call as f64);
        }
        let after_many = pool_threads();
        quit();
        let after_quit = pool_threads();
        println!(
            "pool: workers {before} before, {after_one} after a threaded call, {after_many} \
             after 200 more, {after_quit} after blastool_quit"
        );
        assert_eq!(before, 0);
        assert_eq!(after_one, 1, "one pooled worker waits after the call");
        assert_eq!(after_many, 1, "later calls reuse the worker");
        assert_eq!(after_quit, 0, "blastool_quit joins the worker");
        // Usable again: the pool restarts.
        checked_dgemm(dgemm, 1.0);
        assert_eq!(dlclose(h), 0);
    }
}

/// Several threads of a program calling threaded routines at once: one owns the pool, the others
/// start threads for their calls; every result is right and nothing deadlocks.
#[test]
fn concurrent_callers_share_the_pool_safely() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    force_threads();
    let path = CString::new(shared_library().to_str().unwrap()).unwrap();
    // SAFETY: our own library; the handle stays open until every caller thread has joined.
    unsafe {
        let (h, dgemm) = open_with_dgemm(&path);
        std::thread::scope(|s| {
            for caller in 0..4 {
                s.spawn(move || {
                    for call in 0..300 {
                        checked_dgemm(dgemm, (caller * 1000 + call) as f64);
                    }
                });
            }
        });
        assert_eq!(dlclose(h), 0);
    }
}

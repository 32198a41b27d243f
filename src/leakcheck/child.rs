//! The child half of `blastool leakcheck` for ELF shared objects: `blastool __leak-child` runs
//! the `dlopen`/`dlclose` loop in its own process and reports one JSON line per event.
//!
//! It runs the library's code, so it must never run inside the parent: a crash, a hang or a
//! leak here costs only this process, which the parent watches and kills.

use super::protocol::{Event, Sample, PREFIX};
use std::ffi::CString;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of the hidden `__leak-child` subcommand (internal: the parent passes them).
#[derive(clap::Args, Debug, Clone)]
pub struct LeakChildArgs {
    /// The shared object to load and unload.
    #[arg(value_name = "LIB")]
    pub library: PathBuf,
    /// Load/unload cycles.
    #[arg(long, default_value_t = 20)]
    pub cycles: u32,
    /// An exported no-argument function to call each cycle, or `blas`.
    #[arg(long, value_name = "SYMBOL|blas")]
    pub call: Option<String>,
}

/// Runs the loop; exit status 0 when every cycle ran, 3 when the library could not be loaded
/// or called (the reason is in the last JSON line), 2 for a usage problem.
pub fn run_leak_child(args: LeakChildArgs) -> u8 {
    #[cfg(unix)]
    {
        unix::run(args)
    }
    #[cfg(not(unix))]
    {
        let _ = args;
        eprintln!("error: the ELF leak check child runs only on Unix");
        2
    }
}

/// Writes protocol lines to a private copy of the original standard output.
struct Channel(File);

impl Channel {
    fn emit(&mut self, event: &Event) {
        let line = format!(
            "{PREFIX}{}\n",
            serde_json::to_string(event).unwrap_or_default()
        );
        // The parent may be gone (killed by a timeout); nothing useful to do about it here.
        let _ = self.0.write_all(line.as_bytes());
        let _ = self.0.flush();
    }
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::fd::FromRawFd;

    pub(super) fn run(args: LeakChildArgs) -> u8 {
        // The library may print to stdout; move fd 1 to stderr and keep the protocol on a
        // private duplicate, so nothing it writes can be taken for a sample.
        // SAFETY: plain fd calls on descriptors this process owns.
        let protocol_fd = unsafe { libc::dup(1) };
        if protocol_fd < 0 || unsafe { libc::dup2(2, 1) } < 0 {
            eprintln!("error: cannot set up the protocol channel");
            return 2;
        }
        // SAFETY: `protocol_fd` was just created by dup and is owned by nobody else.
        let mut channel = Channel(unsafe { File::from_raw_fd(protocol_fd) });
        let path = match std::fs::canonicalize(&args.library) {
            Ok(path) => path,
            Err(error) => {
                channel.emit(&Event::Error {
                    stage: "load".into(),
                    message: format!("cannot open {}: {error}", args.library.display()),
                });
                return 3;
            }
        };
        let Ok(c_path) = CString::new(path.as_os_str().as_encoded_bytes()) else {
            channel.emit(&Event::Error {
                stage: "load".into(),
                message: "the path contains a NUL byte".into(),
            });
            return 3;
        };
        channel.emit(&Event::Start {
            pid: std::process::id(),
            pointer_bits: usize::BITS,
        });
        channel.emit(&Event::Sample(measure(0, true)));
        for cycle in 1..=args.cycles {
            channel.emit(&Event::Loading { cycle });
            // SAFETY: dlopen runs the library's constructors: that is the point of this
            // process, which exists to contain whatever they do.
            let handle =
                unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
            if handle.is_null() {
                channel.emit(&Event::Error {
                    stage: "load".into(),
                    message: dl_error(),
                });
                return 3;
            }
            if let Some(call) = &args.call {
                channel.emit(&Event::Calling { cycle });
                if let Err(message) = call_symbol(handle, call) {
                    channel.emit(&Event::Error {
                        stage: "call".into(),
                        message,
                    });
                    return 3;
                }
            }
            channel.emit(&Event::Unloading { cycle });
            // SAFETY: `handle` came from dlopen above and is closed once.
            if unsafe { libc::dlclose(handle) } != 0 {
                channel.emit(&Event::Error {
                    stage: "unload".into(),
                    message: dl_error(),
                });
                return 3;
            }
            // RTLD_NOLOAD finds the object only if it is still mapped: NODELETE, a unique
            // symbol, TLS in use or another reference kept it.
            // SAFETY: NOLOAD never loads anything, so no library code runs.
            let still = unsafe {
                libc::dlopen(
                    c_path.as_ptr(),
                    libc::RTLD_NOW | libc::RTLD_LOCAL | libc::RTLD_NOLOAD,
                )
            };
            let unloaded = still.is_null();
            if !unloaded {
                // SAFETY: drops the reference NOLOAD just added.
                unsafe { libc::dlclose(still) };
            }
            channel.emit(&Event::Sample(measure(cycle, unloaded)));
        }
        channel.emit(&Event::Done);
        0
    }

    fn dl_error() -> String {
        // SAFETY: dlerror returns a thread-local C string or null.
        let message = unsafe { libc::dlerror() };
        if message.is_null() {
            "unknown dynamic loader error".into()
        } else {
            // SAFETY: non-null dlerror results are NUL-terminated.
            unsafe { std::ffi::CStr::from_ptr(message) }
                .to_string_lossy()
                .into_owned()
        }
    }

    type CblasDgemm = unsafe extern "C" fn(
        i32,
        i32,
        i32,
        i32,
        i32,
        i32,
        f64,
        *const f64,
        i32,
        *const f64,
        i32,
        f64,
        *mut f64,
        i32,
    );

    fn call_symbol(handle: *mut libc::c_void, call: &str) -> Result<(), String> {
        let name = if call == "blas" { "cblas_dgemm" } else { call };
        let c_name = CString::new(name).map_err(|_| format!("bad symbol name {name:?}"))?;
        // SAFETY: dlsym on a live handle.
        let address = unsafe { libc::dlsym(handle, c_name.as_ptr()) };
        if address.is_null() {
            return Err(format!("the library exports no {name}: {}", dl_error()));
        }
        if call == "blas" {
            // SAFETY: cblas_dgemm has this signature in every CBLAS; 2x2 row-major matrices.
            let dgemm: CblasDgemm = unsafe { std::mem::transmute(address) };
            let a = [1.0f64, 2.0, 3.0, 4.0];
            let b = [5.0f64, 6.0, 7.0, 8.0];
            let mut c = [0.0f64; 4];
            // CblasRowMajor = 101, CblasNoTrans = 111.
            unsafe {
                dgemm(
                    101,
                    111,
                    111,
                    2,
                    2,
                    2,
                    1.0,
                    a.as_ptr(),
                    2,
                    b.as_ptr(),
                    2,
                    0.0,
                    c.as_mut_ptr(),
                    2,
                )
            };
            if c != [19.0, 22.0, 43.0, 50.0] {
                return Err(format!("cblas_dgemm returned a wrong product {c:?}"));
            }
        } else {
            // SAFETY: the user promised (--call) that SYMBOL takes no arguments.
            let function: unsafe extern "C" fn() = unsafe { std::mem::transmute(address) };
            unsafe { function() };
        }
        Ok(())
    }

    /// Heap bytes in use right now: glibc's count of allocated arena chunks (`uordblks`, every
    /// arena) plus chunks served by their own `mmap` (`hblkhd`). Exact to the byte and blind
    /// to what the allocator merely caches, unlike the resident and committed figures.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    fn heap_bytes() -> Option<u64> {
        // SAFETY: mallinfo2 only reads the allocator's statistics (glibc 2.33 and later).
        let info = unsafe { libc::mallinfo2() };
        Some(info.uordblks as u64 + info.hblkhd as u64)
    }

    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    fn heap_bytes() -> Option<u64> {
        None
    }

    /// The most keys [`tls_keys_in_use`] probes for; glibc has 1024 (PTHREAD_KEYS_MAX).
    const KEY_PROBE: usize = 1024;

    /// Pthread keys in use. glibc keeps no count and no iterator, so this creates keys until
    /// `pthread_key_create` refuses, deletes them all again, and subtracts the free ones from
    /// the process limit. Keys are slots in a fixed table, so the probe allocates nothing and
    /// leaves the table as it found it. `None` when the limit is unknown or larger than the
    /// probe.
    fn tls_keys_in_use() -> Option<u64> {
        // SAFETY: sysconf only reads a constant.
        let limit = unsafe { libc::sysconf(libc::_SC_THREAD_KEYS_MAX) };
        if limit <= 0 || limit as usize > KEY_PROBE {
            return None;
        }
        let mut keys: [libc::pthread_key_t; KEY_PROBE] = [0; KEY_PROBE];
        let mut free = 0;
        while free < KEY_PROBE {
            // SAFETY: creates a key without a destructor into our own array.
            if unsafe { libc::pthread_key_create(&mut keys[free], None) } != 0 {
                break;
            }
            free += 1;
        }
        for key in &keys[..free] {
            // SAFETY: each key was created just above and is deleted once.
            unsafe { libc::pthread_key_delete(*key) };
        }
        Some((limit as u64).saturating_sub(free as u64))
    }

    /// One sample of this process, after giving freed heap memory back to the system so that
    /// what remains is what the library kept.
    fn measure(cycle: u32, unloaded: bool) -> Sample {
        // First, before this function allocates anything of its own.
        let heap_bytes = heap_bytes();
        let tls_keys = tls_keys_in_use();
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only releases free memory.
        unsafe {
            libc::malloc_trim(0);
        }
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let field = |name: &str| -> Option<u64> {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|value| value.parse().ok())
        };
        let handles = std::fs::read_dir("/proc/self/fd")
            // read_dir holds one descriptor of its own while counting.
            .map(|dir| dir.count().saturating_sub(1) as u64)
            .ok();
        let maps = std::fs::read_to_string("/proc/self/maps")
            .map(|text| text.lines().count() as u64)
            .ok();
        Sample {
            cycle,
            committed_kib: field("VmSize:").unwrap_or(0),
            resident_kib: field("VmRSS:").unwrap_or(0),
            pagefile_kib: None,
            threads: field("Threads:").unwrap_or(0),
            handles,
            maps,
            heap_bytes,
            tls_keys,
            unloaded,
        }
    }
}

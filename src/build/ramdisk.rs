//! RAM-backed build directories for `blastool build --ramdisk`: statfs verification (never
//! trusted from the path), the free-memory check, removal of scratch directories on success,
//! failure and Ctrl-C, and reaping of those that builds killed outright left behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// `f_type` of tmpfs in statfs(2).
pub const TMPFS_MAGIC: i64 = 0x0102_1994;
/// `f_type` of ramfs in statfs(2).
pub const RAMFS_MAGIC: i64 = 0x8584_58f6;

/// Memory the staging directory needs: sources, cargo's target dir (~30 MB release, ~60 MB
/// debug measured), C objects, with a wide margin so a build never pushes the machine into swap.
pub const EXPECTED_NEED: u64 = 512 * 1024 * 1024;

/// Free space a build needs beside `--out`: the new install tree (~23 MB measured: the static
/// library is most of it) plus the staging directory when it is on disk too (cargo's target dir
/// peaks at ~30 MB release, ~60 MB debug), with a margin. Checked before anything is written, so a
/// full disk is a clear error rather than a linker failure halfway through.
pub const DISK_NEED_INSTALL: u64 = 64 * 1024 * 1024;
pub const DISK_NEED_WITH_STAGE: u64 = 256 * 1024 * 1024;

/// Filesystem kind of `path` as statfs reports it: `Some(true)` RAM-backed, `Some(false)` not,
/// `None` when statfs is unavailable (non-Linux).
#[cfg(target_os = "linux")]
pub fn is_ram_backed(path: &Path) -> std::io::Result<Option<bool>> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "NUL in path"))?;
    // SAFETY: statfs writes into the zeroed struct we own; the path is NUL-terminated.
    let mut stats: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(c_path.as_ptr(), &mut stats) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // The field's integer type differs between libc targets; widen it for the comparison.
    #[allow(clippy::unnecessary_cast)]
    let kind = stats.f_type as i64;
    Ok(Some(kind == TMPFS_MAGIC || kind == RAMFS_MAGIC))
}

#[cfg(not(target_os = "linux"))]
pub fn is_ram_backed(_path: &Path) -> std::io::Result<Option<bool>> {
    Ok(None)
}

/// Bytes free for unprivileged users on the filesystem holding `path`.
#[cfg(unix)]
pub fn free_space(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: as above.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)]
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

#[cfg(not(unix))]
pub fn free_space(_path: &Path) -> Option<u64> {
    None
}

/// `MemAvailable` from /proc/meminfo: a tmpfs's pages come out of it, whatever the mount's size.
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Where `--ramdisk` (without a path) builds: the first RAM-backed candidate.
pub fn default_ramdisk() -> Option<PathBuf> {
    let mut candidates = vec![PathBuf::from("/dev/shm")];
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        candidates.push(PathBuf::from(runtime));
    }
    candidates.push(PathBuf::from("/run/shm"));
    candidates.push(PathBuf::from("/tmp"));
    candidates
        .into_iter()
        .find(|c| c.is_dir() && matches!(is_ram_backed(c), Ok(Some(true))))
}

/// Prefix of every staging directory; the full name is `blastool-stage-<out name>-<pid>`.
pub const STAGE_PREFIX: &str = "blastool-stage-";

/// How long a dead build's staging directory must have been left unchanged before it is reaped.
/// The process check alone is not enough: a build in another PID namespace (a container sharing
/// the mount) has a pid this process cannot see, but it writes into its directory constantly.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes staging directories in `base` whose build was killed outright (SIGKILL, OOM killer,
/// a lost machine) and so never ran its cleanup: on a RAM disk they hold memory until reboot.
/// Only directories named `blastool-stage-*-<pid>` owned by this user, whose process is gone
/// and which have not changed for [`STALE_AFTER`], are touched. Returns what it removed.
#[cfg(unix)]
pub fn reap_stale_stages(base: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(base) else {
        return Vec::new();
    };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    let mut removed = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = stage_pid(&name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let idle = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if meta.is_dir() && meta.uid() == me && idle && !process_exists(pid) {
            let path = entry.path();
            if std::fs::remove_dir_all(&path).is_ok() {
                removed.push(path);
            }
        }
    }
    removed
}

#[cfg(not(unix))]
pub fn reap_stale_stages(_base: &Path) -> Vec<PathBuf> {
    Vec::new()
}

/// The pid at the end of a staging directory's name, if `name` is one.
fn stage_pid(name: &str) -> Option<i32> {
    let rest = name.strip_prefix(STAGE_PREFIX)?;
    let (_, pid) = rest.rsplit_once('-')?;
    pid.parse().ok().filter(|&p: &i32| p > 0)
}

/// Whether a process with this pid exists (EPERM means it does, owned by someone else).
#[cfg(unix)]
fn process_exists(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// What to tell users on systems without a statfs-verifiable tmpfs.
pub fn platform_hint() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS has no tmpfs: create a RAM disk (`diskutil erasevolume HFS+ RAMDisk $(hdiutil attach -nomount ram://2097152)`) and pass --ramdisk=/Volumes/RAMDisk"
    } else if cfg!(windows) {
        "Windows has no built-in RAM disk: create one with a RAM-drive tool (e.g. ImDisk) and pass --ramdisk=R:\\"
    } else {
        "no tmpfs or ramfs found; mount one (`mount -t tmpfs -o size=1G tmpfs /mnt/ram`) and pass --ramdisk=/mnt/ram"
    }
}

/// Scratch directories to delete if the process is interrupted.
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Set by the SIGINT/SIGTERM handler; checked between stages.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// A directory removed when dropped (success, error return, or panic unwinding) and also on
/// Ctrl-C: the signal handler only sets a flag, the child (cargo, cc) gets the same SIGINT and
/// exits, and the build returns through the normal error path, which drops the guard.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub fn create(path: PathBuf) -> std::io::Result<ScratchDir> {
        std::fs::create_dir_all(&path)?;
        if let Ok(mut list) = SCRATCH.lock() {
            list.push(path.clone());
        }
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
        if let Ok(mut list) = SCRATCH.lock() {
            list.retain(|p| p != &self.path);
        }
    }
}

extern "C" fn on_signal(_signal: libc::c_int) {
    // Only an atomic store: anything else is not async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Routes SIGINT/SIGTERM to the flag instead of killing the process, so cleanup runs.
#[cfg(unix)]
pub fn install_interrupt_handler() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

#[cfg(not(unix))]
pub fn install_interrupt_handler() {}

/// True once Ctrl-C (or SIGTERM) arrived.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_shm_is_detected_when_present() {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            assert_eq!(is_ram_backed(shm).unwrap(), Some(true));
        }
    }

    #[test]
    fn only_old_stages_of_dead_processes_are_reaped() {
        let base = std::env::temp_dir().join(format!("blastool-reap-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        // A pid that existed and is gone: a child that has been waited for.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let alive = std::process::id();
        let old = std::time::SystemTime::now() - STALE_AFTER - std::time::Duration::from_secs(60);
        let make = |name: &str, age: Option<std::time::SystemTime>| {
            let dir = base.join(name);
            std::fs::create_dir_all(dir.join("target")).unwrap();
            std::fs::write(dir.join("target/lib.a"), b"x").unwrap();
            if let Some(time) = age {
                std::fs::File::open(&dir)
                    .unwrap()
                    .set_modified(time)
                    .unwrap();
            }
            dir
        };
        let stale = make(&format!("blastool-stage-haswell-out-{dead}"), Some(old));
        let fresh = make(&format!("blastool-stage-generic-out-{dead}"), None);
        let running = make(&format!("blastool-stage-other-out-{alive}"), Some(old));
        let foreign = make(&format!("someone-else-{dead}"), Some(old));
        let unnamed = make("blastool-stage-no-pid", Some(old));
        assert_eq!(reap_stale_stages(&base), vec![stale.clone()]);
        assert!(!stale.exists());
        for kept in [fresh, running, foreign, unnamed] {
            assert!(kept.is_dir(), "{} was removed", kept.display());
        }
        let _ = std::fs::remove_dir_all(base);
    }

    #[test]
    fn stage_names_carry_the_pid_last() {
        assert_eq!(stage_pid("blastool-stage-haswell-out-23458"), Some(23458));
        assert_eq!(stage_pid("blastool-stage-my-out-dir-7"), Some(7));
        assert_eq!(stage_pid("blastool-stage-out-0"), None);
        assert_eq!(stage_pid("blastool-stage-out-x1"), None);
        assert_eq!(stage_pid("other-out-12"), None);
    }

    #[test]
    fn scratch_dirs_are_removed_on_drop() {
        let base =
            std::env::temp_dir().join(format!("blastool-scratch-test-{}", std::process::id()));
        let guard = ScratchDir::create(base.join("inner")).unwrap();
        assert!(guard.path().is_dir());
        drop(guard);
        assert!(!base.join("inner").exists());
        let _ = std::fs::remove_dir_all(base);
    }
}

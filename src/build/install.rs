//! Install: moves the finished tree into `--out`: one rename for a new output, an atomic swap
//! with a previous one where the system has it (two renames, undone on failure, elsewhere).

use super::plan::Plan;
use super::{fail, Failure};
use std::path::Path;

/// Moves the finished tree into place. With an existing output the two directories are swapped
/// in one renameat2(RENAME_EXCHANGE), so at every instant --out holds a complete build.
pub(super) fn install(work: &Path, plan: &Plan) -> Result<(), Failure> {
    let error = |e: std::io::Error| {
        fail::<()>(format!(
            "cannot install into {}: {e}; choose a writable --out",
            plan.out.display()
        ))
    };
    if !plan.out.exists() {
        return std::fs::rename(work, &plan.out).or_else(error);
    }
    if exchange(work, &plan.out).is_ok() {
        // `work` now holds the previous output; the ScratchDir guard deletes it.
        return Ok(());
    }
    let old = plan.parent.join(format!(
        ".{}.blastool-old-{}",
        plan.out_name,
        std::process::id()
    ));
    std::fs::rename(&plan.out, &old).or_else(error)?;
    if let Err(e) = std::fs::rename(work, &plan.out) {
        let _ = std::fs::rename(&old, &plan.out);
        return error(e);
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated and outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange on this system"))
}

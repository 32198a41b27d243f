//! Stage sources: writes the kernels crate embedded in the binary into the staging directory,
//! so a build never depends on a checkout of this repository.

use super::{fail, kernel_sources, Failure};
use std::path::{Path, PathBuf};

/// Writes the kernels crate into `stage`; returns its directory.
pub(super) fn stage_sources(stage: &Path) -> Result<PathBuf, Failure> {
    let crate_dir = stage.join("kernels");
    write_sources(&crate_dir).or_else(|e| fail(format!("cannot stage the kernel sources: {e}")))?;
    Ok(crate_dir)
}

/// Writes the embedded kernels crate, made its own workspace root so no Cargo.toml above the
/// staging directory can capture it.
fn write_sources(crate_dir: &Path) -> std::io::Result<()> {
    for (path, bytes) in kernel_sources::KERNEL_SOURCES {
        let file = crate_dir.join(path);
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if *path == "Cargo.toml" {
            let mut manifest = bytes.to_vec();
            manifest.extend_from_slice(b"\n[workspace]\n");
            std::fs::write(file, manifest)?;
        } else {
            std::fs::write(file, bytes)?;
        }
    }
    Ok(())
}

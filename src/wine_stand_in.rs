//! The `bcryptprimitives.dll` stand-in for Wine before 9.0 (Debian 12 ships 8.0). Rust's
//! standard library (1.78 and later) imports `ProcessPrng` from that DLL, so every Rust-built
//! Windows program or DLL — blastool's own `build --os windows` output included — fails to load
//! under such a Wine. The stand-in (templates/wine/bcryptprimitives.c) forwards to
//! `RtlGenRandom`, which every Wine has. It is placed next to the program that needs it (the
//! loader searches the application directory first) and never installed anywhere. Used by
//! `build`'s smoke test and by `leakcheck`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The stand-in's C source.
pub const SOURCE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/wine/bcryptprimitives.c"
));

/// The DLL name as Windows programs import it.
pub const DLL: &str = "bcryptprimitives.dll";

/// True when this Wine has no bcryptprimitives.dll: the prefix's `system32` is asked when the
/// prefix exists (it holds a file for every DLL Wine provides), else `wine --version` (9.0 added
/// it). An unreadable version counts as "lacks it": the stand-in is harmless where not needed.
pub fn wine_lacks_it(wine: &Path, prefix: &Path) -> bool {
    let system32 = prefix.join("drive_c/windows/system32");
    if system32.is_dir() {
        return !system32.join(DLL).is_file();
    }
    let Ok(output) = Command::new(wine)
        .arg("--version")
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null())
        .output()
    else {
        return true;
    };
    let text = String::from_utf8_lossy(&output.stdout);
    // "wine-8.0 (Debian 8.0~repack-4)" -> 8
    let major = text
        .trim()
        .strip_prefix("wine-")
        .and_then(|v| v.split(['.', ' ']).next())
        .and_then(|m| m.parse::<u32>().ok());
    major.is_none_or(|m| m < 9)
}

/// Compiles the stand-in with `compiler` (a MinGW C compiler for the program's architecture) into
/// `dir/bcryptprimitives.dll` and returns its path.
pub fn build(compiler: &cc::Tool, dir: &Path) -> Result<PathBuf, String> {
    let source = dir.join("bcryptprimitives.c");
    let dll = dir.join(DLL);
    std::fs::write(&source, SOURCE)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    let output = compiler
        .to_command()
        .arg("-shared")
        .arg("-o")
        .arg(&dll)
        .arg(&source)
        .arg("-ladvapi32")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run the C compiler: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "compiling the {DLL} stand-in for Wine failed: {}",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("compiler failed")
        ));
    }
    Ok(dll)
}

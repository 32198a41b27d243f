//! PE DLLs: render the C loader (`templates/leakcheck/loader.c`), compile it for the DLL's
//! architecture with MinGW-w64 through the `cc` crate, and build the command that runs it —
//! under `wine` on Linux, directly on Windows.

use super::protocol::PREFIX;
use super::{ErrorKind, LeakError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The loader's source; `{{PREFIX}}` becomes the protocol prefix.
const LOADER_TEMPLATE: &str = include_str!("../../templates/leakcheck/loader.c");

/// The architectures a PE loader can be built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PeArch {
    X86_64,
    X86,
}

impl PeArch {
    fn gnu_target(self) -> &'static str {
        match self {
            PeArch::X86_64 => "x86_64-pc-windows-gnu",
            PeArch::X86 => "i686-pc-windows-gnu",
        }
    }

    fn mingw_package(self) -> &'static str {
        match self {
            PeArch::X86_64 => "gcc-mingw-w64-x86-64",
            PeArch::X86 => "gcc-mingw-w64-i686",
        }
    }
}

/// The loader source with its placeholders filled in.
pub(crate) fn render_loader() -> String {
    let source = LOADER_TEMPLATE.replace("{{PREFIX}}", PREFIX);
    // A placeholder added to the template without a value here is a blastool bug; it would
    // otherwise surface as a confusing C compiler error on the user's machine.
    assert!(
        !source.contains("{{"),
        "templates/leakcheck/loader.c has a placeholder without a value"
    );
    source
}

/// `wine` (or `wine64`) from `PATH`.
pub(crate) fn find_wine() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in ["wine", "wine64"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// The MinGW C compiler for `arch`, found the `cc` crate's way.
fn mingw_compiler(arch: PeArch) -> Result<cc::Tool, LeakError> {
    let host = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    cc::Build::new()
        .target(arch.gnu_target())
        .host(&host)
        .opt_level(1)
        .debug(false)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .emit_rerun_if_env_changed(false)
        .try_get_compiler()
        .map_err(|error| {
            LeakError::new(
                ErrorKind::ToolMissing,
                format!(
                    "no C compiler for {} ({error}); install {}",
                    arch.gnu_target(),
                    arch.mingw_package()
                ),
            )
        })
}

/// When `imports` name `bcryptprimitives.dll` and this Wine lacks it (before 9.0; every
/// Rust-built DLL imports it), a directory beside the loader cache holding a copy of `loader`
/// and the stand-in (see `crate::wine_stand_in`), so the loader finds it in its own directory;
/// returns the copy's path. `None` when no stand-in is needed.
pub(crate) fn loader_with_stand_in(
    loader: &Path,
    arch: PeArch,
    imports: &[String],
    prefix: Option<&Path>,
) -> Result<Option<PathBuf>, LeakError> {
    let needed = !cfg!(windows)
        && imports
            .iter()
            .any(|i| i.eq_ignore_ascii_case(crate::wine_stand_in::DLL));
    let Some(wine) = find_wine().filter(|_| needed) else {
        return Ok(None);
    };
    if !crate::wine_stand_in::wine_lacks_it(&wine, &wine_prefix(prefix)) {
        return Ok(None);
    }
    let stem = loader
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = cache_dir()?.join(format!("{stem}-with-stand-in"));
    let copy = dir.join(loader.file_name().unwrap_or_default());
    if copy.is_file() && dir.join(crate::wine_stand_in::DLL).is_file() {
        return Ok(Some(copy));
    }
    // Assembled under a temporary name and renamed, so a concurrent run never sees half of it.
    let partial = cache_dir()?.join(format!("{stem}-with-stand-in.{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| io_error("cannot create the loader cache", e))?;
    let compiler = mingw_compiler(arch)?;
    crate::wine_stand_in::build(&compiler, &partial)
        .map_err(|message| LeakError::new(ErrorKind::ToolMissing, message))?;
    std::fs::copy(loader, partial.join(loader.file_name().unwrap_or_default()))
        .map_err(|e| io_error("cannot copy the loader", e))?;
    if std::fs::rename(&partial, &dir).is_err() {
        // Another run got there first; its directory is complete.
        let _ = std::fs::remove_dir_all(&partial);
    }
    Ok(Some(copy))
}

/// The compiled loader for `arch`, built once per source and compiler and kept in a per-user
/// cache directory under the system temp dir.
pub(crate) fn loader_exe(arch: PeArch) -> Result<PathBuf, LeakError> {
    let source = render_loader();
    let compiler = mingw_compiler(arch)?;
    let mut hasher = Sha256::new();
    hasher.update(source.as_bytes());
    hasher.update(compiler.path().as_os_str().as_encoded_bytes());
    let digest = hasher.finalize();
    let tag: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let dir = cache_dir()?;
    let exe = dir.join(format!("loader-{}-{tag}.exe", arch.gnu_target()));
    if exe.is_file() {
        return Ok(exe);
    }
    let stem = format!("build-{}-{tag}-{}", arch.gnu_target(), std::process::id());
    let c_file = dir.join(format!("{stem}.c"));
    let partial = dir.join(format!("{stem}.exe"));
    std::fs::write(&c_file, &source).map_err(|e| io_error("cannot write the loader source", e))?;
    let output = compiler
        .to_command()
        .arg(&c_file)
        .arg("-o")
        .arg(&partial)
        .arg("-lpsapi")
        .output();
    let _ = std::fs::remove_file(&c_file);
    let output = output.map_err(|error| {
        LeakError::new(
            ErrorKind::ToolMissing,
            format!(
                "cannot run {} ({error}); install {}",
                compiler.path().display(),
                arch.mingw_package()
            ),
        )
    })?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        return Err(LeakError::new(
            ErrorKind::ToolMissing,
            format!(
                "{} could not build the leak-check loader ({}):\n{}",
                compiler.path().display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ),
        ));
    }
    // Rename into place so a concurrent run never executes a half-written loader.
    std::fs::rename(&partial, &exe).map_err(|e| io_error("cannot store the loader", e))?;
    Ok(exe)
}

fn cache_dir() -> Result<PathBuf, LeakError> {
    #[cfg(unix)]
    let user = unsafe { libc::getuid() }.to_string();
    #[cfg(not(unix))]
    let user = std::env::var("USERNAME").unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("blastool-leakcheck-{user}"));
    std::fs::create_dir_all(&dir).map_err(|e| io_error("cannot create the loader cache", e))?;
    Ok(dir)
}

/// The Wine prefix to use: `WINEPREFIX` if set, else blastool's own under the user's cache, so
/// that a first run never rewrites `~/.wine`.
pub(crate) fn wine_prefix(explicit: Option<&Path>) -> PathBuf {
    if let Some(prefix) = explicit {
        return prefix.to_path_buf();
    }
    if let Some(prefix) = std::env::var_os("WINEPREFIX").filter(|p| !p.is_empty()) {
        return PathBuf::from(prefix);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("blastool").join("wine-prefix")
}

/// A Linux path as Wine's default `Z:` drive (the file system root) sees it.
pub(crate) fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.to_string_lossy().replace('/', "\\"))
}

/// The command that runs `loader` on `dll` for `cycles` cycles, preloading `imports`.
pub(crate) fn command(
    loader: &Path,
    dll: &Path,
    imports: &[String],
    cycles: u32,
    call: Option<&str>,
    prefix: Option<&Path>,
) -> Result<Command, LeakError> {
    let mut command = if cfg!(windows) {
        Command::new(loader)
    } else {
        let wine = find_wine().ok_or_else(|| {
            LeakError::new(
                ErrorKind::ToolMissing,
                "checking a DLL on Linux needs Wine: install wine64 (Debian/Ubuntu: apt-get \
                 install wine64)"
                    .to_string(),
            )
        })?;
        let prefix = wine_prefix(prefix);
        if let Some(parent) = prefix.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let mut command = Command::new(wine);
        command
            .arg(loader)
            .env("WINEPREFIX", prefix)
            // Wine's own diagnostics would bury the DLL's; the protocol does not need them.
            .env("WINEDEBUG", "-all")
            // Creating a prefix would otherwise offer to download Mono and Gecko.
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            // Headless: no dialog can pop up and wait for a click.
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        command
    };
    let dll_arg = if cfg!(windows) {
        dll.to_string_lossy().into_owned()
    } else {
        windows_path(dll)
    };
    command
        .arg(cycles.to_string())
        .arg(call.unwrap_or("-"))
        .arg(dll_arg)
        .args(imports);
    Ok(command)
}

fn io_error(what: &str, error: std::io::Error) -> LeakError {
    LeakError::new(ErrorKind::Io, format!("{what}: {error}"))
}

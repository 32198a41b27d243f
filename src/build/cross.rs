//! Cross builds: ARM64 Linux (`aarch64-unknown-linux-gnu`, linked by the GNU cross compiler and
//! smoke-tested under qemu-user) and Windows DLLs (`x86_64-pc-windows-gnu`, linked by MinGW with
//! our `DllMain` glue and smoke-tested under Wine).
//!
//! Everything here follows the conventions the `cc` crate and cargo already use, so that a user
//! who has set up cross compiling for cargo gets the same compiler from us: the C compiler is
//! `cc`'s choice for the triple (`CC_<triple>`, `TARGET_CC`, else `<prefix>-gcc`), and cargo is
//! told to link with that same compiler through `CARGO_TARGET_<TRIPLE>_LINKER`.

use super::targets::{self, Target};
use super::{fail, Failure};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The operating system a build is for (`--os`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// ELF shared and static libraries (`lib<name>.so`, `lib<name>.a`).
    Linux,
    /// A MinGW DLL with its import library and .def (`bin/lib<name>.dll`, `lib/lib<name>.dll.a`).
    Windows,
}

const WINDOWS_X86: &str = "x86_64-pc-windows-gnu";
/// ARM64 Windows through llvm-mingw: the only GNU-ABI ARM64 Windows target Rust has.
const WINDOWS_ARM: &str = "aarch64-pc-windows-gnullvm";

/// The target as built for `os`: the same CPU flags and kernel tables, the triple of that OS.
/// Linux is the table's own triple; no `--os` means the host's OS.
pub fn for_os(target: &'static Target, os: Option<Os>) -> &'static Target {
    let windows = match os {
        Some(os) => os == Os::Windows,
        None => cfg!(windows),
    };
    if !windows {
        return target;
    }
    let triple = if target.triple.starts_with("aarch64") {
        WINDOWS_ARM
    } else {
        WINDOWS_X86
    };
    // One small value per process, alive until exit like the table it was derived from; it
    // lets the rest of the build read `target.triple` without a second source of truth.
    Box::leak(Box::new(Target { triple, ..*target }))
}

/// Is `target` a Windows (PE/DLL) build?
pub fn is_windows(target: &Target) -> bool {
    target.triple.contains("-windows-")
}

/// Is `target` built for another machine than the one running blastool?
pub fn is_cross(target: &Target) -> bool {
    target.triple != targets::host_triple()
}

/// The compiler the `cc` crate looks for on a triple, and where to get it.
fn compiler_hint(triple: &str) -> (&'static str, &'static str) {
    match triple {
        "aarch64-unknown-linux-gnu" => (
            "aarch64-linux-gnu-gcc",
            "apt-get install gcc-aarch64-linux-gnu",
        ),
        WINDOWS_X86 => (
            "x86_64-w64-mingw32-gcc",
            "apt-get install gcc-mingw-w64-x86-64",
        ),
        WINDOWS_ARM => (
            "aarch64-w64-mingw32-clang",
            "install llvm-mingw (not packaged by Debian)",
        ),
        _ => ("gcc", "apt-get install gcc"),
    }
}

/// The `cc` crate's C compiler for `triple`, without checking that it exists.
pub fn cc_tool(triple: &str, out_dir: &Path) -> Result<cc::Tool, String> {
    cc::Build::new()
        .target(triple)
        .host(targets::host_triple())
        .opt_level(2)
        .debug(false)
        .out_dir(out_dir)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .cargo_output(false)
        .try_get_compiler()
        .map_err(|e| e.to_string())
}

/// Why the cross C compiler for `target` cannot be used, or `None` when it runs and produces
/// code for the target's architecture and OS. Native builds are not checked here (their
/// compiler errors are reported where it is first run).
pub fn compiler_blocker(target: &Target) -> Option<String> {
    if !is_cross(target) {
        return None;
    }
    let (program, install) = compiler_hint(target.triple);
    let env = format!("CC_{}", target.triple.replace('-', "_"));
    let missing = |detail: String| {
        Some(format!(
            "no C cross compiler for {} ({detail}); {install}, or set {env} to one",
            target.triple
        ))
    };
    let tool = match cc_tool(target.triple, Path::new(".")) {
        Ok(tool) => tool,
        Err(e) => return missing(e),
    };
    // `-dumpmachine` (gcc and clang) names what the compiler produces; a CC meant for the host
    // that leaked into a cross build would otherwise link x86-64 objects into an ARM64 library.
    let output = tool
        .to_command()
        .arg("-dumpmachine")
        .stdin(Stdio::null())
        .output();
    let machine = match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => {
            return missing(format!(
                "`{}` does not run; {program} is the usual name",
                tool.path().display()
            ))
        }
    };
    let arch = target.triple.split('-').next().unwrap_or("");
    let os_matches = if is_windows(target) {
        machine.contains("mingw") || machine.contains("windows")
    } else {
        machine.contains("linux")
    };
    if !machine.starts_with(arch) || !os_matches {
        return missing(format!(
            "`{}` produces code for {machine}, not {}",
            tool.path().display(),
            target.triple
        ));
    }
    None
}

/// Every reason `target` cannot be built here: its Rust standard library, then (cross) its C
/// compiler.
pub fn build_blocker(target: &Target, installed: &[String]) -> Option<String> {
    targets::build_blocker(target, installed).or_else(|| compiler_blocker(target))
}

/// How the smoke program is run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runner {
    /// Directly: the host runs the target.
    Native,
    /// Under qemu-user (`qemu-aarch64 -L <sysroot>`), never through binfmt, which may be absent
    /// or point at another emulator.
    Qemu { program: PathBuf, sysroot: PathBuf },
    /// Under Wine (on Linux).
    Wine(PathBuf),
}

impl Runner {
    /// Its name in the build report and `blastool targets`.
    pub fn name(&self) -> &'static str {
        match self {
            Runner::Native => "native",
            Runner::Qemu { .. } => "qemu-aarch64",
            Runner::Wine(_) => "wine",
        }
    }
}

/// An executable named `name` in `PATH`.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// How this machine can run code built for `target`, or why it cannot.
pub fn runner(target: &Target) -> Result<Runner, String> {
    if !is_cross(target) {
        return if targets::host_can_run(target) {
            Ok(Runner::Native)
        } else {
            Err(format!("this CPU cannot run {} code", target.name))
        };
    }
    if is_windows(target) {
        if !target.triple.starts_with(std::env::consts::ARCH) {
            return Err(format!("no emulator runs {} here", target.triple));
        }
        // Wine runs the code on this CPU: it must have the target's instruction set.
        let on_host = Target {
            triple: targets::host_triple(),
            ..*target
        };
        if !targets::host_can_run(&on_host) {
            return Err(format!("this CPU cannot run {} code", target.name));
        }
        if cfg!(windows) {
            return Ok(Runner::Native);
        }
        return crate::leakcheck::find_wine()
            .map(Runner::Wine)
            .ok_or_else(|| "wine is not installed (apt-get install wine64)".to_string());
    }
    if target.triple == "aarch64-unknown-linux-gnu" {
        let program = on_path("qemu-aarch64").ok_or_else(|| {
            "qemu-aarch64 is not installed (apt-get install qemu-user)".to_string()
        })?;
        // qemu's own variable first, then where Debian's cross libc lives.
        let sysroot = std::env::var_os("QEMU_LD_PREFIX")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/aarch64-linux-gnu"));
        if !sysroot.join("lib").is_dir() {
            return Err(format!(
                "no ARM64 C library at {} for qemu (apt-get install libc6-arm64-cross, or set QEMU_LD_PREFIX)",
                sysroot.display()
            ));
        }
        return Ok(Runner::Qemu { program, sysroot });
    }
    Err(format!("no emulator runs {} here", target.triple))
}

/// The command that runs the smoke program `exe` with the libraries in `lib_dir` (ELF) or
/// `bin_dir` (DLL), the kernel table `coretype` and, under Wine, the prefix in `scratch`.
pub fn run_command(
    runner: &Runner,
    exe: &Path,
    lib_dir: &Path,
    bin_dir: &Path,
    coretype: &str,
    scratch: &Path,
) -> Command {
    match runner {
        Runner::Native => {
            let mut command = Command::new(exe);
            command
                .env("LD_LIBRARY_PATH", lib_dir)
                .env("PATH", prepend_path(bin_dir))
                .env("BLASTOOL_CORETYPE", coretype);
            command
        }
        Runner::Qemu { program, sysroot } => {
            let mut command = Command::new(program);
            // -E sets the guest's environment only: LD_LIBRARY_PATH in qemu's own environment
            // would steer the host loader that starts qemu.
            command
                .arg("-L")
                .arg(sysroot)
                .arg("-E")
                .arg(format!("LD_LIBRARY_PATH={}", lib_dir.display()))
                .arg("-E")
                .arg(format!("BLASTOOL_CORETYPE={coretype}"))
                .arg(exe);
            command
        }
        Runner::Wine(wine) => {
            let mut command = wine_command(wine, scratch);
            command
                .arg(exe)
                // The DLL is found through WINEPATH, as a user's PATH would find it.
                .env(
                    "WINEPATH",
                    format!("Z:{}", bin_dir.display()).replace('/', "\\"),
                )
                .env("BLASTOOL_CORETYPE", coretype);
            command
        }
    }
}

/// A user's WINEPREFIX is theirs to choose; otherwise a throw-away prefix inside the staging
/// directory, so a build never rewrites ~/.wine.
fn wine_prefix(scratch: &Path) -> PathBuf {
    std::env::var_os("WINEPREFIX")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| scratch.join("wineprefix"))
}

fn wine_command(wine: &Path, scratch: &Path) -> Command {
    let mut command = Command::new(wine);
    command
        .env("WINEPREFIX", wine_prefix(scratch))
        .env("WINEDEBUG", "-all")
        // Creating a prefix would otherwise offer to download Mono and Gecko, and no dialog may
        // wait for a click.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    command
}

/// Makes the Wine prefix ready to run the smoke programs in `smoke_dir`: creates it (once, with
/// `wineboot --init`, so that its creation's noise and exit status never pass for the smoke
/// program's) and, when this Wine lacks `bcryptprimitives.dll` (before 9.0), which Rust's std
/// imports, builds the stand-in next to the programs (the loader searches the program's
/// directory first). Returns what it did, for the report.
pub(super) fn prepare_wine(
    wine: &Path,
    compiler: &cc::Tool,
    smoke_dir: &Path,
    scratch: &Path,
) -> Result<Vec<String>, Failure> {
    let prefix = wine_prefix(scratch);
    let system32 = prefix.join("drive_c/windows/system32");
    let mut notes = Vec::new();
    if !system32.is_dir() {
        let output = wine_command(wine, scratch)
            .args(["wineboot", "--init"])
            .stdin(Stdio::null())
            .output()
            .or_else(|e| fail(format!("cannot run wine: {e}")))?;
        if !system32.is_dir() {
            return fail(format!(
                "wine could not create its prefix {} ({}): {}",
                prefix.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("no output")
            ));
        }
        notes.push(format!("created the Wine prefix {}", prefix.display()));
    }
    if crate::wine_stand_in::wine_lacks_it(wine, &prefix) {
        crate::wine_stand_in::build(compiler, smoke_dir).or_else(fail)?;
        notes.push(
            "this Wine has no bcryptprimitives.dll (Wine < 9.0): the smoke programs ran with a stand-in forwarding ProcessPrng to RtlGenRandom (nothing of it is installed)"
                .to_string(),
        );
    }
    Ok(notes)
}

fn prepend_path(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_path_buf()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

/// What the cache key must add for `target`: the DllMain glue that goes into a DLL, and how the
/// smoke program can be run (a build whose smoke test could not run is redone once it can).
pub fn cache_inputs(target: &Target) -> Vec<String> {
    let mut parts = vec![match runner(target) {
        Ok(runner) => runner.name().to_string(),
        Err(why) => format!("not run: {why}"),
    }];
    if is_windows(target) {
        // The template itself; the affixes are in the cache key already.
        parts.push(dllmain_source(("", "")).unwrap_or_default());
        parts.push(crate::wine_stand_in::SOURCE.to_string());
    }
    parts
}

/// `cargo build` settings for a cross build: link with the C compiler we checked, never with
/// whatever `cc` cargo would pick by default (the host's, for aarch64).
pub fn configure_cargo(command: &mut Command, target: &Target, compiler: &cc::Tool) {
    if !is_cross(target) {
        return;
    }
    let variable = format!(
        "CARGO_TARGET_{}_LINKER",
        target.triple.to_ascii_uppercase().replace('-', "_")
    );
    command.env(variable, compiler.path());
}

/// The DllMain glue, rendered from templates/dllmain.c.in as `blastool template dllmain` does.
/// `blastool_quit` runs on `FreeLibrary` (never at process exit, never joining threads: it only
/// resets atomics). `blastool_init` returns an int the template declares as void; the return
/// value travels in a register and is ignored, which every Windows calling convention allows.
/// `affixes` are `--symbol-prefix`/`--symbol-suffix`, which rename the lifecycle functions too.
fn dllmain_source((prefix, suffix): (&str, &str)) -> Result<String, String> {
    crate::template::render_dllmain(&crate::template::DllMainSpec {
        init: format!("{prefix}blastool_init{suffix}"),
        quit: format!("{prefix}blastool_quit{suffix}"),
    })
    .map_err(|e| e.to_string())
}

/// Windows: compiles the DllMain glue with the `cc` crate and returns the rustc flags that link
/// it into the DLL and write `def`.
///
/// The object goes in as a native library (`-l static:-bundle,+verbatim=<object>`), not as a
/// `-C link-arg`: rustc puts link args after std's libraries, so MinGW's default `DllMain` from
/// libmingwex would already have been pulled in by then (a duplicate definition). `-bundle`
/// keeps it out of the static library, which must not carry a DllMain: it would clash with the
/// one of the program or DLL it is linked into. rustc then lists it among the static library's
/// native libraries, which [`is_dllmain_lib`] filters out.
pub(super) fn windows_link_flags(
    target: &Target,
    dir: &Path,
    def: &Path,
    affixes: (&str, &str),
) -> Result<Vec<String>, Failure> {
    let source = dllmain_source(affixes).or_else(fail)?;
    std::fs::create_dir_all(dir)
        .or_else(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let file = dir.join("dllmain.c");
    std::fs::write(&file, source)
        .or_else(|e| fail(format!("cannot write {}: {e}", file.display())))?;
    let objects = cc::Build::new()
        .target(target.triple)
        .host(targets::host_triple())
        .opt_level(2)
        .debug(false)
        .out_dir(dir)
        .cargo_metadata(false)
        .cargo_warnings(false)
        .cargo_output(false)
        .file(&file)
        .try_compile_intermediates()
        .or_else(|e| fail(format!("compiling the DllMain glue failed: {e}")))?;
    let mut flags = vec![format!("-Lnative={}", dir.display())];
    for object in &objects {
        let file = object
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        flags.push(format!("-lstatic:-bundle,+verbatim={file}"));
    }
    flags.push(format!("-Clink-arg=-Wl,--output-def,{}", def.display()));
    Ok(flags)
}

/// Is `lib` (from rustc's native-static-libs list) the DllMain object, which belongs to the DLL
/// only?
pub fn is_dllmain_lib(lib: &str) -> bool {
    lib.starts_with("-l:") && lib.ends_with(".o") && lib.contains("dllmain")
}

/// Windows: names the staged crate's library `lib<name>` so that the linker writes
/// `lib<name>.dll` and an import library that refers to that name (renaming a DLL after linking
/// would leave its import library pointing at the old name).
pub(super) fn rename_library(crate_dir: &Path, name: &str) -> Result<(), Failure> {
    let manifest = crate_dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .or_else(|e| fail(format!("cannot read the staged manifest: {e}")))?;
    if !text.contains("\n[lib]\n") {
        return fail("the staged kernels manifest has no [lib] section");
    }
    let text = text.replacen("\n[lib]\n", &format!("\n[lib]\nname = \"lib{name}\"\n"), 1);
    std::fs::write(&manifest, text)
        .or_else(|e| fail(format!("cannot write the staged manifest: {e}")))
}

/// Windows: lays out the libraries like a MinGW OpenBLAS install: `bin/lib<name>.dll`,
/// `lib/lib<name>.dll.a` (import library), `lib/lib<name>.def`, `lib/lib<name>.a`.
pub fn install_windows(
    artifacts: &Path,
    def: &Path,
    root: &Path,
    name: &str,
    want_static: bool,
    want_shared: bool,
) -> std::io::Result<()> {
    let lib = root.join("lib");
    if want_static {
        // The crate is named lib<name> here, so rustc wrote liblib<name>.a.
        std::fs::copy(
            artifacts.join(format!("liblib{name}.a")),
            lib.join(format!("lib{name}.a")),
        )?;
    }
    if want_shared {
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin)?;
        std::fs::copy(
            artifacts.join(format!("lib{name}.dll")),
            bin.join(format!("lib{name}.dll")),
        )?;
        std::fs::copy(
            artifacts.join(format!("liblib{name}.dll.a")),
            lib.join(format!("lib{name}.dll.a")),
        )?;
        std::fs::copy(def, lib.join(format!("lib{name}.def")))?;
    }
    Ok(())
}

/// What `blastool targets` shows for `target` built for Windows.
pub fn windows_row(target: &'static Target, installed: &[String]) -> Value {
    let windows = for_os(target, Some(Os::Windows));
    let blocker = build_blocker(windows, installed);
    let run = runner(windows);
    json!({
        "triple": windows.triple,
        "can_build": blocker.is_none(),
        "why_not_buildable": blocker,
        "can_run": run.is_ok(),
        "run_with": run.as_ref().ok().map(Runner::name),
        "why_not_runnable": run.err(),
    })
}

/// Where the linker writes the DLL's .def file inside the staging directory.
pub fn def_path(stage: &Path, name: &str) -> PathBuf {
    stage.join("dllmain").join(format!("lib{name}.def"))
}

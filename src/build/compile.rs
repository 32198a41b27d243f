//! Compile: runs cargo on the staged kernels crate for the plan's target, with exactly the
//! target's flags, and reads back rustc's list of the native libraries a static link needs.

use super::plan::{cargo_program, Plan};
use super::{
    check_interrupt, cross, fail, ramdisk, rustflags_with_tables, BuildArgs, Failure,
    INTERRUPTED_MESSAGE, VERSION,
};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What cargo produced.
pub(super) struct Compiled {
    /// Where the libraries are (`<target dir>/<triple>/<profile>`).
    pub artifacts: PathBuf,
    /// rustc's native-static-libs list: what the static library needs at link time.
    pub native_libs: Vec<String>,
}

/// Runs cargo on the staged crate in `crate_dir`, with its target directory in `stage`.
pub(super) fn compile_kernels(
    args: &BuildArgs,
    plan: &Plan,
    crate_dir: &Path,
    stage: &Path,
) -> Result<Compiled, Failure> {
    let flags = kernel_rustflags(plan, crate_dir, stage)?;
    let target_dir = stage.join("target");
    let command = cargo_command(args, plan, crate_dir, &target_dir, &flags);
    let (status, stderr) = run_interruptible(command, stage)?;
    if !status.success() {
        check_interrupt()?;
        return Err(compile_failure(plan, stage, &stderr));
    }
    Ok(Compiled {
        artifacts: target_dir.join(plan.target.triple).join(plan.profile),
        native_libs: native_static_libs(plan, &stderr),
    })
}

/// The rustc flags of the kernels: the target's code generation and tables, the integer model,
/// and how the shared library is linked (its soname, or for Windows the DllMain glue and .def;
/// a Windows build also renames the staged crate's library, see `cross::rename_library`).
fn kernel_rustflags(plan: &Plan, crate_dir: &Path, stage: &Path) -> Result<Vec<String>, Failure> {
    let name = &plan.name;
    let mut flags = rustflags_with_tables(plan.target, &plan.tables);
    if plan.ilp64 {
        flags.push("--cfg=blastool_ilp64".into());
    }
    let so_major = VERSION.split('.').next().unwrap_or("0");
    if cross::is_windows(plan.target) {
        cross::rename_library(crate_dir, name)?;
        flags.extend(cross::windows_link_flags(
            plan.target,
            &stage.join("dllmain"),
            &cross::def_path(stage, name),
            (&plan.symbol_prefix, &plan.symbol_suffix),
        )?);
    } else {
        flags.push(format!("-Clink-arg=-Wl,-soname,lib{name}.so.{so_major}"));
    }
    flags.push("--print=native-static-libs".into());
    Ok(flags)
}

/// The `cargo build` of the staged crate, isolated from the caller's cargo configuration.
fn cargo_command(
    args: &BuildArgs,
    plan: &Plan,
    crate_dir: &Path,
    target_dir: &Path,
    flags: &[String],
) -> Command {
    let mut command = Command::new(cargo_program());
    command
        .current_dir(crate_dir)
        .args([
            "build",
            "--offline",
            "--lib",
            "--target",
            plan.target.triple,
        ])
        // CARGO_ENCODED_RUSTFLAGS wins over RUSTFLAGS and every config file, and with an
        // explicit --target it does not reach build scripts: the named target's flags, and only
        // them, reach the kernels.
        .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env("CARGO_TARGET_DIR", target_dir)
        // Read by the kernels' build script (kernels/build.rs); always set, so an ambient value
        // cannot leak into a build that did not ask for it.
        .env("BLASTOOL_SYMBOL_PREFIX", &plan.symbol_prefix)
        .env("BLASTOOL_SYMBOL_SUFFIX", &plan.symbol_suffix)
        .env("CARGO_TERM_COLOR", "never")
        .stdin(Stdio::null());
    cross::configure_cargo(&mut command, plan.target, &plan.compiler);
    if plan.profile == "release" {
        command.arg("--release");
    }
    if let Some(jobs) = args.jobs {
        command.args(["-j", &jobs.to_string()]);
    }
    command
}

/// The one-line error for a failed cargo run: a full disk with its remedy, else the first
/// errors cargo printed.
fn compile_failure(plan: &Plan, stage: &Path, stderr: &str) -> Failure {
    let tail: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .take(3)
        .collect();
    let message = if stderr.contains("No space left on device") {
        format!(
            "compiling the kernels for {} ran out of disk space in {}; free some space or build with --ramdisk",
            plan.target.name,
            stage.display()
        )
    } else {
        format!(
            "compiling the kernels for {} failed: {}",
            plan.target.name,
            if tail.is_empty() {
                stderr.lines().last().unwrap_or("cargo failed").to_string()
            } else {
                tail.join(" | ")
            }
        )
    };
    Failure { status: 2, message }
}

/// rustc's native-static-libs note from cargo's stderr, without the DllMain object (which
/// belongs to the DLL only).
fn native_static_libs(plan: &Plan, stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .find_map(|l| l.split("native-static-libs:").nth(1))
        .map(|s| s.split_whitespace().map(String::from).collect::<Vec<_>>())
        .unwrap_or_else(|| default_native_libs(plan))
        .into_iter()
        .filter(|lib| !cross::is_dllmain_lib(lib))
        .collect()
}

/// rustc's list for the target's OS, should the note's wording ever change.
fn default_native_libs(plan: &Plan) -> Vec<String> {
    let libs: &[&str] = if cross::is_windows(plan.target) {
        &[
            "-lkernel32",
            "-lntdll",
            "-luserenv",
            "-lws2_32",
            "-ldbghelp",
        ]
    } else {
        &[
            "-lgcc_s",
            "-lutil",
            "-lrt",
            "-lpthread",
            "-lm",
            "-ldl",
            "-lc",
        ]
    };
    libs.iter().map(|s| s.to_string()).collect()
}

/// Runs a long child (cargo) with its output in files, polling so Ctrl-C stops it promptly
/// even when the signal reached only blastool (e.g. `kill -INT <pid>`).
fn run_interruptible(
    mut command: Command,
    stage: &Path,
) -> Result<(std::process::ExitStatus, String), Failure> {
    let log_path = stage.join("cargo-stderr.log");
    let log = std::fs::File::create(&log_path)
        .or_else(|e| fail(format!("cannot write {}: {e}", log_path.display())))?;
    let mut child = command
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .or_else(|e| fail(format!("cannot run cargo: {e}")))?;
    let status = loop {
        if ramdisk::interrupted() {
            let _ = child.kill();
            let _ = child.wait();
            return fail(INTERRUPTED_MESSAGE);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(e) => return fail(format!("waiting for cargo failed: {e}")),
        }
    };
    let stderr = std::fs::read_to_string(&log_path).unwrap_or_default();
    Ok((status, stderr))
}

//! `blastool build` and `blastool targets`: compile the embedded kernels for a named CPU target
//! (optionally on a RAM disk) into a `make install`-style tree with headers, pkg-config and CMake
//! files, smoke-test it from C, audit it, and install it atomically with a build report.

pub mod cross;
pub mod kernel_sources;
mod list_targets;
mod plan;
pub mod ramdisk;
mod report;
pub mod targets;
pub mod templates;

pub use list_targets::run_targets;

use crate::audit::model::Severity;
use plan::{c_compiler, cargo_program, plan, Plan};
use ramdisk::ScratchDir;
use report::{relative, sha256_file, up_to_date};
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use targets::Target;

/// Version of the produced library (the kernels and blastool are versioned together).
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// What an interrupted build says (after removing its scratch directories).
const INTERRUPTED_MESSAGE: &str =
    "interrupted; removed the partial build, the previous output is intact";

/// Options of `blastool build`.
#[derive(clap::Args, Debug, Clone)]
pub struct BuildArgs {
    /// CPU target (OpenBLAS names, any case): GENERIC, SANDYBRIDGE, HASWELL, ZEN, SKYLAKEX,
    /// COOPERLAKE, SAPPHIRERAPIDS, DYNAMIC, ARMV8, NEOVERSEN1. Default: detected from this CPU.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// With --target DYNAMIC: the kernel tables to include, e.g. GENERIC,HASWELL,SKYLAKEX.
    #[arg(long, value_name = "A,B,C")]
    pub dynamic_list: Option<String>,
    /// Operating system to build for. `windows`: a MinGW DLL (x86_64-pc-windows-gnu) with its
    /// import library and .def, smoke-tested under Wine. Default: this machine's.
    #[arg(long, value_enum, value_name = "OS")]
    pub os: Option<cross::Os>,
    /// Install directory (lib/, include/, build-report.json). Default: ./blastool-<target>.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Library name: lib<NAME>.so, lib<NAME>.a, <NAME>.pc, find_package(<NAME>). Default:
    /// blastool, or blastool64_ with --interface64 (like OpenBLAS's libopenblas64_), so both
    /// can be installed side by side.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// ILP64: 64-bit BLAS integers (blasint = int64_t) in both ABIs, with OpenBLAS's `64_`
    /// suffix convention (dgemm_64_, cblas_dgemm64_) unless --symbol-suffix says otherwise
    /// (--symbol-suffix= for unsuffixed names, as Debian's libblas64).
    #[arg(long)]
    pub interface64: bool,
    /// Prepended to every exported symbol (OpenBLAS SYMBOLPREFIX); the headers declare the
    /// renamed functions.
    #[arg(long, value_name = "PREFIX")]
    pub symbol_prefix: Option<String>,
    /// Appended to every exported symbol (OpenBLAS SYMBOLSUFFIX): dgemm_ -> dgemm_SUFFIX,
    /// cblas_dgemm -> cblas_dgemmSUFFIX.
    #[arg(long, value_name = "SUFFIX")]
    pub symbol_suffix: Option<String>,
    /// Install only the static library.
    #[arg(long, conflicts_with = "shared_only")]
    pub static_only: bool,
    /// Install only the shared library.
    #[arg(long)]
    pub shared_only: bool,
    /// Parallel compile jobs (cargo -j). Default: cargo's (the number of CPUs).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<u32>,
    /// Optimised build (the default).
    #[arg(long, conflicts_with = "debug")]
    pub release: bool,
    /// Unoptimised build with debug assertions, for debugging the kernels.
    #[arg(long)]
    pub debug: bool,
    /// Build in a RAM-backed directory (tmpfs/ramfs, verified with statfs): /dev/shm by
    /// default, or --ramdisk=PATH. Falls back to disk with a warning when memory is short.
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true)]
    pub ramdisk: Option<Option<PathBuf>>,
    /// Rebuild even when the previous output in --out matches every input.
    #[arg(long)]
    pub force: bool,
    /// No progress display and no summary; errors still go to stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print build-report.json on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `blastool targets`.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetsArgs {
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A failed build: exit status 1 (audit findings) or 2 (anything else), and a one-line message.
struct Failure {
    status: u8,
    message: String,
}

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure {
        status: 2,
        message: message.into(),
    })
}

/// The rustc code-generation flags of a target (never `target-cpu=native`).
pub fn rustflags(target: &Target) -> Vec<String> {
    rustflags_with_tables(target, target.tables)
}

/// The flags for `target` with exactly `tables` compiled in (see `kernels/src/arch.rs`).
pub fn rustflags_with_tables(target: &Target, tables: &[&str]) -> Vec<String> {
    let mut flags = vec![format!("-Ctarget-cpu={}", target.cpu)];
    if !target.features.is_empty() {
        flags.push(format!("-Ctarget-feature={}", target.features));
    }
    for table in tables {
        flags.push(format!("--cfg=blastool_tables=\"{table}\""));
    }
    flags
}

/// `blastool build`. Returns the exit status: 0 built (or up to date) and clean, 1 the produced
/// library has audit findings at warning or above (nothing installed), 2 any other error
/// (nothing installed, a previous output left intact).
pub fn run_build(args: BuildArgs) -> u8 {
    ramdisk::install_interrupt_handler();
    match build(&args) {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            failure.status
        }
    }
}

fn build(args: &BuildArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let mut timings: Vec<(String, f64)> = Vec::new();
    let plan = plan(args)?;
    timings.push(("plan".into(), started.elapsed().as_secs_f64()));

    if !args.force {
        if let Some(report) = up_to_date(&plan) {
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if !args.quiet {
                eprintln!(
                    "{} is up to date ({} {}, cache key {}); nothing to do",
                    plan.out.display(),
                    plan.target.name,
                    plan.profile,
                    &plan.cache_key[..12]
                );
            }
            return Ok(());
        }
    }

    check_free_space(args, &plan)?;
    let progress = Progress::new(args.quiet || args.json);
    // The install tree is assembled beside the destination so the final rename stays on one
    // filesystem (rename(2) is atomic only there).
    let work = ScratchDir::create(plan.parent.join(format!(
        ".{}.blastool-new-{}",
        plan.out_name,
        std::process::id()
    )))
    .or_else(|e| {
        fail(format!(
            "cannot write to {}: {e}; choose a writable --out",
            plan.parent.display()
        ))
    })?;
    let (stage, ramdisk_info) = staging_dir(args, &plan)?;

    // Stage sources.
    let t = Instant::now();
    progress.stage("stage sources");
    let crate_dir = stage.path().join("kernels");
    write_sources(&crate_dir).or_else(|e| fail(format!("cannot stage the kernel sources: {e}")))?;
    timings.push(("stage_sources".into(), t.elapsed().as_secs_f64()));
    check_interrupt()?;

    // Compile kernels.
    let t = Instant::now();
    progress.stage(&format!("compile kernels ({})", plan.target.name));
    let (artifacts_dir, native_libs) = compile_kernels(args, &plan, &crate_dir, stage.path())?;
    timings.push(("compile_kernels".into(), t.elapsed().as_secs_f64()));
    check_interrupt()?;

    // Link: lay out the libraries with the soname symlinks.
    let t = Instant::now();
    progress.stage("link");
    let lib_dir = work.path().join("lib");
    let name = &plan.name;
    let so_major = VERSION.split('.').next().unwrap_or("0");
    let real_so = format!("lib{name}.so.{VERSION}");
    let soname = format!("lib{name}.so.{so_major}");
    let drop_in = drop_in_name(&plan, &soname);
    let install_result = (|| -> std::io::Result<()> {
        std::fs::create_dir_all(lib_dir.join("pkgconfig"))?;
        std::fs::create_dir_all(lib_dir.join("cmake").join(name))?;
        std::fs::create_dir_all(work.path().join("include"))?;
        if cross::is_windows(plan.target) {
            return cross::install_windows(
                &artifacts_dir,
                &cross::def_path(stage.path(), name),
                work.path(),
                name,
                plan.want_static,
                plan.want_shared,
            );
        }
        if plan.want_static {
            std::fs::copy(
                artifacts_dir.join("libkernels.a"),
                lib_dir.join(format!("lib{name}.a")),
            )?;
        }
        if plan.want_shared {
            std::fs::copy(artifacts_dir.join("libkernels.so"), lib_dir.join(&real_so))?;
            symlink(&real_so, &lib_dir.join(&soname))?;
            symlink(&soname, &lib_dir.join(format!("lib{name}.so")))?;
            if let Some(drop_in) = drop_in.as_deref() {
                symlink(&soname, &lib_dir.join(drop_in))?;
            }
        }
        Ok(())
    })();
    install_result.or_else(|e| fail(io_failure("cannot assemble the libraries", &e)))?;
    timings.push(("link".into(), t.elapsed().as_secs_f64()));

    // Render headers, pkg-config and CMake files.
    let t = Instant::now();
    progress.stage("render headers");
    render_files(&plan, work.path(), &native_libs)?;
    timings.push(("render_headers".into(), t.elapsed().as_secs_f64()));

    // Compile C and run the smoke test against both libraries.
    let t = Instant::now();
    progress.stage("compile C + smoke test");
    let smoke = smoke_test(&plan, name, work.path(), stage.path(), &native_libs)?;
    timings.push(("smoke_test".into(), t.elapsed().as_secs_f64()));
    check_interrupt()?;

    // Audit every produced library.
    let t = Instant::now();
    progress.stage("audit");
    let mut audited = Vec::new();
    let mut findings = Vec::new();
    let mut audit_errors = Vec::new();
    for file in produced_libraries(&plan, work.path(), name, &real_so) {
        for report in crate::audit::audit_file(&file) {
            if let Some(error) = &report.error {
                audit_errors.push(format!("{}: {error}", report.display_name()));
            }
            for finding in report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
            {
                findings.push(format!(
                    "{}: {} {} ({})",
                    report.display_name(),
                    finding.rule,
                    finding.message,
                    finding.severity.name()
                ));
            }
        }
        audited.push(relative(work.path(), &file));
    }
    timings.push(("audit".into(), t.elapsed().as_secs_f64()));
    if !audit_errors.is_empty() {
        return fail(format!(
            "the audit could not read the produced library: {}",
            audit_errors.join("; ")
        ));
    }
    if !findings.is_empty() {
        for line in &findings {
            eprintln!("finding: {line}");
        }
        return Err(Failure {
            status: 1,
            message: format!(
                "the produced library has {} audit finding(s) at warning or above; nothing was installed",
                findings.len()
            ),
        });
    }

    // Report and atomic install.
    let t = Instant::now();
    progress.stage("install");
    let mut hashes = serde_json::Map::new();
    for file in walkdir::WalkDir::new(work.path())
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let digest = sha256_file(file.path())
            .or_else(|e| fail(format!("cannot hash {}: {e}", file.path().display())))?;
        hashes.insert(relative(work.path(), file.path()), Value::String(digest));
    }
    // Symlinks are not hashed (they have no contents); the cache check compares their targets.
    let mut symlinks = serde_json::Map::new();
    let elf_shared = plan.want_shared && !cross::is_windows(plan.target);
    if elf_shared {
        let links = [
            Some(soname.clone()),
            Some(format!("lib{name}.so")),
            drop_in.clone(),
        ];
        for link in links.into_iter().flatten() {
            if let Ok(to) = std::fs::read_link(lib_dir.join(&link)) {
                symlinks.insert(
                    format!("lib/{link}"),
                    Value::String(to.to_string_lossy().into_owned()),
                );
            }
        }
    }
    timings.push(("install".into(), t.elapsed().as_secs_f64()));
    timings.push(("total".into(), started.elapsed().as_secs_f64()));
    let report = json!({
        "blastool_version": VERSION,
        "target": plan.target.name,
        "rust_target": plan.target.triple,
        "rustflags": rustflags_with_tables(plan.target, &plan.tables),
        "kernel_tables": {
            "intended": plan.tables,
            "compiled": smoke.compiled_tables,
        },
        "profile": plan.profile,
        "name": name,
        "interface": {
            "integers": if plan.ilp64 { "ILP64" } else { "LP64" },
            "blasint_bits": if plan.ilp64 { 64 } else { 32 },
            "symbol_prefix": plan.symbol_prefix,
            "symbol_suffix": plan.symbol_suffix,
            "example_symbols": (["dgemm_", "cblas_dgemm"].map(|f| plan.exported_name(f))),
        },
        "static": plan.want_static,
        "shared": plan.want_shared,
        "soname": if elf_shared { Value::String(soname.clone()) } else { Value::Null },
        "system_blas_link": drop_in.as_ref().map(|link| format!("lib/{link}")),
        "os": if cross::is_windows(plan.target) { "windows" } else { "linux" },
        "symlinks": symlinks,
        "toolchain": {
            "rustc": plan.rustc_version,
            "cargo": plan.cargo_version,
            "cc": plan.cc_version,
            "cc_path": plan.compiler.path().display().to_string(),
        },
        "native_static_libs": native_libs,
        "ramdisk": ramdisk_info,
        "cache_key": plan.cache_key,
        "timings_seconds": timings.iter().map(|(k, v)| (k.clone(), json!((v * 1000.0).round() / 1000.0))).collect::<serde_json::Map<_, _>>(),
        "smoke_test": smoke.summary,
        "audit": {
            "verdict": "clean",
            "files": audited,
            "fail_on": "warning",
        },
        "artifacts_sha256": hashes,
    });
    let report_text = serde_json::to_string_pretty(&report).unwrap_or_default() + "\n";
    std::fs::write(work.path().join("build-report.json"), &report_text)
        .or_else(|e| fail(io_failure("cannot write build-report.json", &e)))?;
    check_interrupt()?;
    install(work.path(), &plan)?;
    progress.finish();
    if args.json {
        print!("{report_text}");
    } else if !args.quiet {
        eprintln!(
            "built {} ({} {}) into {} in {:.1} s: smoke test {}, audit clean",
            name,
            plan.target.name,
            plan.profile,
            plan.out.display(),
            started.elapsed().as_secs_f64(),
            smoke.summary["result"].as_str().unwrap_or("?"),
        );
    }
    // `work` now names a path that no longer exists (renamed into place); dropping it is a no-op.
    drop(work);
    drop(stage);
    Ok(())
}

/// Refuses to start when the filesystem of `--out` cannot hold the build (see
/// `ramdisk::DISK_NEED_*`); the RAM-disk stage's own room is checked in `staging_dir`.
fn check_free_space(args: &BuildArgs, plan: &Plan) -> Result<(), Failure> {
    let need = if args.ramdisk.is_some() {
        ramdisk::DISK_NEED_INSTALL
    } else {
        ramdisk::DISK_NEED_WITH_STAGE
    };
    match ramdisk::free_space(&plan.parent) {
        Some(free) if free < need => fail(format!(
            "not enough free space in {} to build ({} MiB free, about {} MiB needed); free some space or choose another --out",
            plan.parent.display(),
            free >> 20,
            need >> 20
        )),
        _ => Ok(()),
    }
}

/// The message for an I/O error while producing `what`, with the remedy for a full disk.
fn io_failure(what: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::StorageFull {
        format!("{what}: the disk is full ({e}); free some space or choose another --out")
    } else {
        format!("{what}: {e}")
    }
}

fn check_interrupt() -> Result<(), Failure> {
    if ramdisk::interrupted() {
        return fail(INTERRUPTED_MESSAGE);
    }
    Ok(())
}

/// Picks and creates the staging directory: a verified RAM disk, or disk beside --out.
fn staging_dir(args: &BuildArgs, plan: &Plan) -> Result<(ScratchDir, Value), Failure> {
    let unique = format!("blastool-stage-{}-{}", plan.out_name, std::process::id());
    let on_disk = |reason: Option<String>| -> Result<(ScratchDir, Value), Failure> {
        let dir = ScratchDir::create(plan.parent.join(format!(".{unique}"))).or_else(|e| {
            fail(format!(
                "cannot write to {}: {e}; choose a writable --out",
                plan.parent.display()
            ))
        })?;
        Ok((
            dir,
            json!({"requested": args.ramdisk.is_some(), "used": Value::Null, "fallback_reason": reason}),
        ))
    };
    let Some(request) = &args.ramdisk else {
        return on_disk(None);
    };
    let base = match request {
        Some(path) => {
            if !path.is_dir() {
                return fail(format!(
                    "--ramdisk={}: not a directory; {}",
                    path.display(),
                    ramdisk::platform_hint()
                ));
            }
            match ramdisk::is_ram_backed(path) {
                Ok(Some(true)) => path.clone(),
                Ok(Some(false)) => {
                    return fail(format!(
                        "--ramdisk={}: not RAM-backed (statfs reports neither tmpfs nor ramfs); pass a tmpfs mount such as /dev/shm",
                        path.display()
                    ))
                }
                Ok(None) => {
                    if !args.quiet {
                        eprintln!(
                            "warning: cannot verify that {} is RAM-backed on this system; using it as given",
                            path.display()
                        );
                    }
                    path.clone()
                }
                Err(e) => return fail(format!("--ramdisk={}: statfs failed: {e}", path.display())),
            }
        }
        None => match ramdisk::default_ramdisk() {
            Some(path) => path,
            None => {
                let reason = format!(
                    "no RAM-backed directory found: {}",
                    ramdisk::platform_hint()
                );
                eprintln!("warning: {reason}; building on disk");
                return on_disk(Some(reason));
            }
        },
    };
    let memory = ramdisk::available_memory();
    let space = ramdisk::free_space(&base);
    let short = |v: Option<u64>| v.is_some_and(|v| v < ramdisk::EXPECTED_NEED);
    if short(memory) || short(space) {
        let reason = format!(
            "not enough memory for a RAM-disk build ({} MiB available, {} MiB free on {}, {} MiB needed)",
            memory.map_or(-1, |m| (m >> 20) as i64),
            space.map_or(-1, |s| (s >> 20) as i64),
            base.display(),
            ramdisk::EXPECTED_NEED >> 20
        );
        eprintln!("warning: {reason}; building on disk");
        return on_disk(Some(reason));
    }
    if memory.is_none() && !args.quiet {
        eprintln!("warning: cannot read available memory; trusting the RAM disk to have room");
    }
    let dir = ScratchDir::create(base.join(&unique)).or_else(|e| {
        fail(format!(
            "cannot create a directory in {}: {e}",
            base.display()
        ))
    })?;
    Ok((
        dir,
        json!({"requested": true, "used": base.display().to_string(), "fallback_reason": Value::Null}),
    ))
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

/// Runs cargo on the staged crate; returns the artifact directory and rustc's
/// native-static-libs list (what the static library needs at link time).
fn compile_kernels(
    args: &BuildArgs,
    plan: &Plan,
    crate_dir: &Path,
    stage: &Path,
) -> Result<(PathBuf, Vec<String>), Failure> {
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
    let target_dir = stage.join("target");
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
        .env("CARGO_TARGET_DIR", &target_dir)
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
    let (status, stderr) = run_interruptible(command, stage)?;
    if !status.success() {
        check_interrupt()?;
        let tail: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .take(3)
            .collect();
        if stderr.contains("No space left on device") {
            return fail(format!(
                "compiling the kernels for {} ran out of disk space in {}; free some space or build with --ramdisk",
                plan.target.name,
                stage.display()
            ));
        }
        return fail(format!(
            "compiling the kernels for {} failed: {}",
            plan.target.name,
            if tail.is_empty() {
                stderr.lines().last().unwrap_or("cargo failed").to_string()
            } else {
                tail.join(" | ")
            }
        ));
    }
    let native: Vec<String> = stderr
        .lines()
        .find_map(|l| l.split("native-static-libs:").nth(1))
        .map(|s| s.split_whitespace().map(String::from).collect::<Vec<_>>())
        .unwrap_or_else(|| {
            if cross::is_windows(plan.target) {
                // rustc's list for windows-gnu, should the note's wording ever change.
                return [
                    "-lkernel32",
                    "-lntdll",
                    "-luserenv",
                    "-lws2_32",
                    "-ldbghelp",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
            }
            // rustc's list for linux-gnu, should the note's wording ever change.
            [
                "-lgcc_s",
                "-lutil",
                "-lrt",
                "-lpthread",
                "-lm",
                "-ldl",
                "-lc",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect()
        })
        .into_iter()
        .filter(|lib| !cross::is_dllmain_lib(lib))
        .collect();
    Ok((
        target_dir.join(plan.target.triple).join(plan.profile),
        native,
    ))
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

fn render_files(plan: &Plan, root: &Path, native_libs: &[String]) -> Result<(), Failure> {
    let name = plan.name.as_str();
    let major = VERSION.split('.').next().unwrap_or("0");
    let libs_private = native_libs.join(" ");
    let cmake_libs: Vec<&str> = native_libs
        .iter()
        .map(|l| l.trim_start_matches("-l"))
        .collect();
    let cmake_libs = cmake_libs.join(";");
    let symbol_note = if plan.symbol_prefix.is_empty() && plan.symbol_suffix.is_empty() {
        String::new()
    } else {
        let affixes = match (plan.symbol_prefix.as_str(), plan.symbol_suffix.as_str()) {
            (prefix, "") => format!("the prefix '{prefix}'"),
            ("", suffix) => format!("the suffix '{suffix}'"),
            (prefix, suffix) => format!("the prefix '{prefix}' and the suffix '{suffix}'"),
        };
        format!(
            "Every exported function carries {affixes}: cblas_dgemm is {}, dgemm_ is {}.",
            plan.exported_name("cblas_dgemm"),
            plan.exported_name("dgemm_")
        )
    };
    let values = [
        ("NAME", name),
        ("VERSION", VERSION),
        ("VERSION_MAJOR", major),
        ("SOVERSION", major),
        ("TARGET", plan.target.name),
        ("LIBS_PRIVATE", libs_private.as_str()),
        ("CMAKE_LIBS_PRIVATE", cmake_libs.as_str()),
        ("BLASINT", if plan.ilp64 { "int64_t" } else { "int" }),
        ("ILP64", if plan.ilp64 { "1" } else { "0" }),
        (
            "INTEGER_MODEL",
            if plan.ilp64 {
                "64-bit (ILP64)"
            } else {
                "32-bit (LP64)"
            },
        ),
        ("SYMBOL_NOTE", symbol_note.as_str()),
    ];
    let files = [
        ("cblas.h", PathBuf::from("include/cblas.h")),
        ("f77blas.h", PathBuf::from("include/f77blas.h")),
        (
            "pkgconfig.pc.in",
            PathBuf::from(format!("lib/pkgconfig/{name}.pc")),
        ),
        (
            if cross::is_windows(plan.target) {
                "ConfigWindows.cmake.in"
            } else {
                "Config.cmake.in"
            },
            PathBuf::from(format!("lib/cmake/{name}/{name}Config.cmake")),
        ),
        (
            "ConfigVersion.cmake.in",
            PathBuf::from(format!("lib/cmake/{name}/{name}ConfigVersion.cmake")),
        ),
    ];
    for (template, path) in files {
        let mut text = templates::render(template, &values).or_else(fail)?;
        if template.ends_with(".h") {
            text = templates::rename_exports(&text, &plan.symbol_prefix, &plan.symbol_suffix);
        }
        std::fs::write(root.join(&path), text)
            .or_else(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

struct Smoke {
    summary: Value,
    compiled_tables: Value,
}

/// Compiles templates/blas/smoke.c against the rendered headers with the `cc` crate's compiler
/// (the cross compiler for a cross build), links it against each produced library and runs it:
/// directly, under qemu-user or under Wine. When nothing here can run it, it is only compiled
/// and linked, and the build says so loudly and records it; it never claims a pass.
fn smoke_test(
    plan: &Plan,
    lib_name: &str,
    root: &Path,
    stage: &Path,
    native_libs: &[String],
) -> Result<Smoke, Failure> {
    let dir = stage.join("smoke");
    std::fs::create_dir_all(&dir)
        .or_else(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let source = dir.join("smoke.c");
    let smoke_source = templates::rename_exports(
        templates::template("smoke.c"),
        &plan.symbol_prefix,
        &plan.symbol_suffix,
    );
    std::fs::write(&source, smoke_source)
        .or_else(|e| fail(format!("cannot write the smoke program: {e}")))?;
    let compiler = c_compiler(plan.target, &dir)?;
    let lib = root.join("lib");
    let bin = root.join("bin");
    let runner = cross::runner(plan.target);
    let can_run = runner.is_ok();
    let windows = cross::is_windows(plan.target);
    // The smoke program exercises the target's own table when the CPU has it.
    let coretype = plan.target.tables.last().copied().unwrap_or("GENERIC");
    let mut results = serde_json::Map::new();
    let mut compiled_tables = Value::Null;
    let mut wine_notes = Vec::new();
    if let Ok(cross::Runner::Wine(wine)) = &runner {
        wine_notes = cross::prepare_wine(wine, &compiler, &dir, stage)?;
    }
    let mut kinds = Vec::new();
    if plan.want_static {
        kinds.push("static");
    }
    if plan.want_shared {
        kinds.push("shared");
    }
    for kind in kinds {
        let exe = dir.join(format!("smoke-{kind}{}", if windows { ".exe" } else { "" }));
        let mut command = compiler.to_command();
        command
            .arg(&source)
            // A call the headers do not declare (e.g. a name they spell differently from the
            // library's export) must fail here, not link by accident through an implicit
            // declaration.
            .arg("-Werror=implicit-function-declaration")
            .arg("-I")
            .arg(root.join("include"))
            .arg("-o")
            .arg(&exe);
        if kind == "static" {
            command.arg(lib.join(format!("lib{lib_name}.a")));
            command.args(native_libs);
        } else {
            // MinGW's ld prefers lib<name>.dll.a (the import library) to lib<name>.a here.
            command.arg("-L").arg(&lib).arg(format!("-l{lib_name}"));
        }
        if !windows {
            command.arg("-lm");
        }
        let output = command
            .stdin(Stdio::null())
            .output()
            .or_else(|e| fail(format!("cannot run the C compiler: {e}")))?;
        if !output.status.success() {
            check_interrupt()?;
            return fail(format!(
                "the C smoke program does not compile or link against the {kind} library: {}",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .find(|l| l.contains("error"))
                    .unwrap_or("compiler failed")
            ));
        }
        let runner = match &runner {
            Ok(runner) => runner,
            Err(why) => {
                results.insert(
                    kind.into(),
                    json!({"result": "compiled and linked, not run", "why": why}),
                );
                continue;
            }
        };
        let run = cross::run_command(runner, &exe, &lib, &bin, coretype, stage)
            .stdin(Stdio::null())
            .output()
            .or_else(|e| {
                fail(format!(
                    "cannot run the smoke program ({}): {e}",
                    runner.name()
                ))
            })?;
        let stdout = String::from_utf8_lossy(&run.stdout).to_string();
        if !run.status.success() || !stdout.contains("smoke ok:") {
            check_interrupt()?;
            let stderr = String::from_utf8_lossy(&run.stderr);
            return fail(format!(
                "the smoke test failed with the {kind} library ({}, {}): {}",
                runner.name(),
                run.status,
                stderr.trim().lines().last().unwrap_or("no output")
            ));
        }
        let core = stdout
            .lines()
            .find_map(|l| l.strip_prefix("smoke ok: core="))
            .unwrap_or("?")
            .to_string();
        if let Some(tables) = stdout
            .split("tables=[")
            .nth(1)
            .and_then(|s| s.split(']').next())
        {
            compiled_tables = json!(tables.split(',').collect::<Vec<_>>());
        }
        results.insert(
            kind.into(),
            json!({"result": "passed", "core": core, "runner": runner.name(), "output": stdout.trim()}),
        );
    }
    let result = if can_run {
        "passed"
    } else {
        "compiled and linked, NOT run"
    };
    if let Err(why) = &runner {
        // Loud on purpose, even with --quiet: a library whose smoke program never ran has not
        // been shown to work.
        eprintln!(
            "warning: the smoke program for {} was compiled and linked but NOT run: {why}",
            plan.target.triple
        );
    }
    Ok(Smoke {
        summary: json!({
            "result": result,
            "ran": can_run,
            "runner": runner.as_ref().ok().map(cross::Runner::name),
            "not_run_because": runner.as_ref().err(),
            "wine_notes": wine_notes,
            "calls": (["cblas_dgemm", "dgemm_", "ddot_"].map(|f| plan.exported_name(f))),
            "runs": results,
        }),
        compiled_tables,
    })
}

/// The file name under which distributions install the system BLAS that this build can replace
/// (`lib/<name>` becomes a link to the soname): `libblas.so.3` for LP64 with the plain names,
/// which is what reference LAPACK and every program linked with `-lblas` load on Debian, Ubuntu
/// and Fedora; `libblas64.so.3` for ILP64 with the plain names, Debian's 64-bit-integer BLAS.
/// None for a prefixed or suffixed build (callers look up `dgemm_`, which it does not export),
/// for Windows, and for a static-only build.
fn drop_in_name(plan: &Plan, soname: &str) -> Option<String> {
    let plain = plan.symbol_prefix.is_empty() && plan.symbol_suffix.is_empty();
    if !plan.want_shared || cross::is_windows(plan.target) || !plain {
        return None;
    }
    let name = if plan.ilp64 {
        "libblas64.so.3"
    } else {
        "libblas.so.3"
    };
    // `--name blas` with a major version 3 would make the soname link itself the drop-in name.
    (name != soname).then(|| name.to_string())
}

fn produced_libraries(plan: &Plan, root: &Path, name: &str, real_so: &str) -> Vec<PathBuf> {
    let lib_dir = root.join("lib");
    let mut files = Vec::new();
    if plan.want_shared && cross::is_windows(plan.target) {
        files.push(root.join("bin").join(format!("lib{name}.dll")));
    } else if plan.want_shared {
        files.push(lib_dir.join(real_so));
    }
    if plan.want_static {
        files.push(lib_dir.join(format!("lib{name}.a")));
    }
    files
}

/// Moves the finished tree into place. With an existing output the two directories are swapped
/// in one renameat2(RENAME_EXCHANGE), so at every instant --out holds a complete build.
fn install(work: &Path, plan: &Plan) -> Result<(), Failure> {
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

#[cfg(unix)]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(target: &str, link: &Path) -> std::io::Result<()> {
    let from = link.with_file_name(target);
    std::fs::copy(from, link).map(|_| ())
}

/// The stage display: a spinner naming the current stage, only on a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::report::relative;
    use super::*;

    /// Every file under kernels/src must travel in the binary; a new kernel file that is not
    /// listed in kernel_sources.rs would otherwise be missing from every build.
    #[test]
    fn embedded_sources_cover_the_kernels_crate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels");
        let embedded: Vec<&str> = kernel_sources::KERNEL_SOURCES
            .iter()
            .map(|(p, _)| *p)
            .collect();
        for entry in walkdir::WalkDir::new(root.join("src"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = relative(&root, entry.path());
            assert!(
                embedded.contains(&rel.as_str()),
                "{rel} is not embedded: add it to src/build/kernel_sources.rs"
            );
        }
    }

    #[test]
    fn named_targets_never_use_native() {
        for t in targets::TARGETS {
            assert!(!rustflags(t).iter().any(|f| f.contains("native")));
        }
    }
}

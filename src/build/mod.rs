//! `blastool build` and `blastool targets`: compile the embedded kernels for a named CPU target
//! (optionally on a RAM disk) into a `make install`-style tree with headers, pkg-config and CMake
//! files, smoke-test it from C, audit it, and install it atomically with a build report.

// A build's stages. `build` runs them in this order: plan; then, unless `report` finds the
// output up to date, scratch, stage_sources, compile, link, headers, smoke, self_audit, report,
// install. `stages` shows and times each one.
mod compile;
mod headers;
mod install;
mod link;
mod plan;
mod report;
mod scratch;
mod self_audit;
mod smoke;
mod stage_sources;
mod stages;

// `blastool targets`.
mod list_targets;
pub use list_targets::run_targets;

// What the stages use.
pub mod cross;
pub mod kernel_sources;
pub mod ramdisk;
pub mod targets;
pub mod templates;

use stages::{Stages, Timings};
use std::path::PathBuf;
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

/// The flow of a build: plan, then (unless the output is up to date) each stage in turn, then
/// the report and the install. Every stage writes only into the two scratch directories, which
/// are removed on any failure, so a failed build leaves `--out` as it was.
fn build(args: &BuildArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let plan = plan::plan(args)?;
    let mut timings = Timings::default();
    timings.record("plan", started);

    if !args.force {
        if let Some(previous) = report::up_to_date(&plan) {
            report::announce_up_to_date(args, &plan, &previous);
            return Ok(());
        }
    }

    scratch::check_free_space(args, &plan)?;
    let mut stages = Stages::new(args.quiet || args.json, timings);
    let work = scratch::work_dir(&plan)?;
    let (stage, ramdisk) = scratch::staging_dir(args, &plan)?;

    let crate_dir = stages.run("stage sources", "stage_sources", || {
        stage_sources::stage_sources(stage.path())
    })?;
    check_interrupt()?;
    let compiled = stages.run(
        &format!("compile kernels ({})", plan.target.name),
        "compile_kernels",
        || compile::compile_kernels(args, &plan, &crate_dir, stage.path()),
    )?;
    check_interrupt()?;
    let shared = stages.run("link", "link", || {
        link::link(&plan, &compiled.artifacts, work.path(), stage.path())
    })?;
    stages.run("render headers", "render_headers", || {
        headers::render_headers(&plan, work.path(), &compiled.native_libs)
    })?;
    let smoke = stages.run("compile C + smoke test", "smoke_test", || {
        smoke::smoke_test(&plan, work.path(), stage.path(), &compiled.native_libs)
    })?;
    check_interrupt()?;
    let audited = stages.run("audit", "audit", || {
        self_audit::self_audit(&plan, work.path(), &shared)
    })?;
    let files = stages.run("install", "install", || {
        report::installed_files(&plan, work.path(), &shared)
    })?;
    stages.timings.record("total", started);

    let outcome = report::Outcome {
        shared: &shared,
        native_libs: &compiled.native_libs,
        ramdisk,
        smoke: &smoke,
        audited,
        files,
    };
    let report = report::build_report(&plan, outcome, &stages.timings);
    let report_text = report::write_report(work.path(), &report)?;
    check_interrupt()?;
    install::install(work.path(), &plan)?;
    stages.finish();
    report::announce_built(args, &plan, &report_text, &smoke, started);
    // `work` now names a path that no longer exists (renamed into place); dropping it is a no-op.
    drop(work);
    drop(stage);
    Ok(())
}

/// The message for an I/O error while producing `what`, with the remedy for a full disk.
fn io_failure(what: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::StorageFull {
        format!("{what}: the disk is full ({e}); free some space or choose another --out")
    } else {
        format!("{what}: {e}")
    }
}

/// Stops the build between stages once Ctrl-C (or SIGTERM) has arrived; the scratch
/// directories are removed (dropped) when `build` returns the failure.
fn check_interrupt() -> Result<(), Failure> {
    if ramdisk::interrupted() {
        return fail(INTERRUPTED_MESSAGE);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::report::relative;
    use super::*;
    use std::path::Path;

    /// Every file under kernels/src and kernels/interface must travel in the binary; a new
    /// kernel file that is not listed in kernel_sources.rs would otherwise be missing from every
    /// build.
    #[test]
    fn embedded_sources_cover_the_kernels_crate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels");
        let embedded: Vec<&str> = kernel_sources::KERNEL_SOURCES
            .iter()
            .map(|(p, _)| *p)
            .collect();
        for entry in ["src", "interface"]
            .into_iter()
            .flat_map(|dir| walkdir::WalkDir::new(root.join(dir)))
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

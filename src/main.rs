//! The `blastool` command line: argument parsing and exit codes only; the work lives in the
//! library crate.

use blastool::audit;
use blastool::audit::container::Limits;
use blastool::audit::model::Severity;
use blastool::policy;
use blastool::report::{self, OutputFormat, RenderOptions, RunContext, Summary};
use blastool::rules;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Build BLAS libraries for a named CPU target, and audit native binaries for constructors
/// whose destructors never run on unload.
#[derive(Parser)]
#[command(name = "blastool", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find constructors without a destructor that runs on unload (ELF, PE, COFF objects, Mach-O,
    /// archives).
    ///
    /// Exit status: 0 no finding at or above --fail-on; 1 findings at or above it; 2 usage
    /// error, an input that could not be read or parsed (the report still covers the rest),
    /// or no binary audited at all (unless --allow-empty).
    Audit(AuditArgs),
    /// List the audit rules.
    Rules,
    /// Explain one rule: what it detects, why it matters, an example and the fix.
    Rule {
        /// Rule ID or name, e.g. BLT001 or unpaired-constructor.
        id: String,
    },
    /// Time BLAS calls side by side across libraries (ours and --against peers), with a
    /// numerical cross-check, a table or JSON, and an optional SVG chart.
    Bench(blastool::bench::BenchArgs),
    /// The child process of `bench --lapack` (internal).
    #[command(hide = true, name = "__bench-lapack-worker")]
    BenchLapackWorker(blastool::bench::LapackWorkerArgs),
    /// Compile the BLAS kernels for a CPU target into an installable, self-audited library.
    ///
    /// Exit status: 0 built (or already up to date); 1 the produced library has audit findings
    /// (nothing installed); 2 any other error (nothing installed, previous output intact).
    Build(blastool::build::BuildArgs),
    /// List the build targets: Rust target, flags, kernel tables, whether this machine can
    /// build and run each.
    Targets(blastool::build::TargetsArgs),
    /// Load and unload a library many times and measure what each cycle keeps (memory,
    /// threads, handles). This EXECUTES the library's code, in a child process.
    ///
    /// Exit status: 0 clean or not unloaded; 1 leak; 2 error (not loadable, crash, timeout).
    Leakcheck(blastool::leakcheck::LeakcheckArgs),
    /// The child process of `leakcheck` (internal).
    #[command(hide = true, name = "__leak-child")]
    LeakChild(blastool::leakcheck::LeakChildArgs),
    /// Render source files that fix what the audit finds.
    #[command(subcommand)]
    Template(TemplateCommand),
}

#[derive(Subcommand)]
enum TemplateCommand {
    /// A DllMain that calls INIT on DLL_PROCESS_ATTACH and QUIT on DLL_PROCESS_DETACH (only on
    /// FreeLibrary, not at process exit), for a library linked statically into a DLL.
    Dllmain {
        /// The library's initialisation function, e.g. gotoblas_init.
        #[arg(long, value_name = "NAME")]
        init: String,
        /// The library's cleanup function, e.g. gotoblas_quit.
        #[arg(long, value_name = "NAME")]
        quit: String,
        /// Write the C file to FILE instead of standard output.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct AuditArgs {
    /// Files, directories (searched recursively), static archives and containers (wheels,
    /// zips, tarballs, conda packages: read in place) to audit.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Write the report to FILE instead of standard output (written whole, then renamed).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Lowest finding severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// Also show toolchain-owned entries, inputs that were not audited and skipped members.
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Only findings and errors; no progress bar.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    quiet: bool,
    /// For every library with findings that this machine can load (ELF of the host's kind, or
    /// an x86/x64 DLL when Wine is installed), prove or disprove the leak with `leakcheck` and
    /// attach its verdict. This EXECUTES those libraries' code, in a child process.
    #[arg(long)]
    confirm: bool,
    /// Read the allowlist from FILE instead of the nearest blastool.toml (or pyproject.toml
    /// with [tool.blastool]) found from the current directory upwards.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Use no configuration file at all.
    #[arg(long)]
    no_config: bool,
    /// Fail only on findings that this baseline (written by --write-baseline) does not have;
    /// SARIF results get baselineState new, unchanged or absent.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record this run's findings (except allowed ones) in FILE, keyed by their SARIF
    /// fingerprints, for a later --baseline.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Leave allowed findings (and baseline findings that are gone) out of SARIF: GitHub code
    /// scanning ignores SARIF suppressions and would show them as open alerts.
    #[arg(long)]
    sarif_omit_suppressed: bool,
    #[command(flatten)]
    containers: ContainerArgs,
}

/// Containers (wheels, zips, tarballs, conda packages) and the limits that keep hostile ones
/// from exhausting memory; the defaults are [`audit::container::Limits::default`].
#[derive(clap::Args)]
struct ContainerArgs {
    /// Exit 0 when no input yielded a binary to audit (by default that is exit status 2).
    #[arg(long)]
    allow_empty: bool,
    /// Refuse a container member larger than SIZE once decompressed (e.g. 512M, 8G).
    #[arg(long, value_name = "SIZE", default_value_t = Size(Limits::default().max_member_size))]
    max_member_size: Size,
    /// Stop reading an input once SIZE has been decompressed from it, all members included.
    #[arg(long, value_name = "SIZE", default_value_t = Size(Limits::default().max_total_size))]
    max_total_size: Size,
    /// Refuse a member that expands more than N times its compressed size (past 64 MiB).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_ratio)]
    max_ratio: u64,
    /// Do not open containers nested more than N deep (the input itself is 1).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_depth)]
    max_depth: u32,
    /// Stream members larger than SIZE to a temporary file and map it instead of holding them.
    #[arg(long, value_name = "SIZE", default_value_t = Size(Limits::default().max_in_memory))]
    max_in_memory: Size,
}

impl ContainerArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_member_size: self.max_member_size.0,
            max_total_size: self.max_total_size.0,
            max_ratio: self.max_ratio.max(1),
            max_depth: self.max_depth,
            max_in_memory: self.max_in_memory.0,
        }
    }
}

/// A byte count written as `4096`, `512K`, `256M`, `4G`, `1T` (binary units; `MiB`, `GB` and a
/// space before the unit are accepted too).
#[derive(Debug, Clone, Copy)]
struct Size(u64);

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&audit::container::human(self.0))
    }
}

impl std::str::FromStr for Size {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let number: u64 = digits
            .parse()
            .map_err(|_| format!("'{text}' is not a size (e.g. 512M, 4G)"))?;
        let shift = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 0,
            "k" | "kb" | "kib" => 10,
            "m" | "mb" | "mib" => 20,
            "g" | "gb" | "gib" => 30,
            "t" | "tb" | "tib" => 40,
            _ => return Err(format!("'{text}': unknown unit (use K, M, G or T)")),
        };
        number
            .checked_mul(1u64 << shift)
            .map(Size)
            .ok_or_else(|| format!("'{text}' is too large"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

/// The documented exit statuses.
#[derive(Debug, Clone, Copy)]
enum Status {
    Clean = 0,
    Findings = 1,
    Trouble = 2,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() {
                Status::Trouble
            } else {
                Status::Clean
            };
            return ExitCode::from(code as u8);
        }
    };
    let status = match cli.command {
        Command::Audit(args) => run_audit(args),
        Command::Rules => {
            let mut out = String::new();
            for rule in rules::ALL {
                out.push_str(&format!(
                    "{}  {:<24} {}\n",
                    rule.id, rule.name, rule.summary
                ));
            }
            print_stdout(&out)
        }
        Command::Build(args) => return ExitCode::from(blastool::build::run_build(args)),
        Command::Targets(args) => return ExitCode::from(blastool::build::run_targets(args)),
        Command::Leakcheck(args) => {
            return ExitCode::from(blastool::leakcheck::run_leakcheck(args));
        }
        Command::LeakChild(args) => {
            return ExitCode::from(blastool::leakcheck::run_leak_child(args));
        }
        Command::BenchLapackWorker(args) => {
            return ExitCode::from(blastool::bench::run_lapack_worker(args));
        }
        Command::Bench(args) => match blastool::bench::run_bench(args) {
            0 => Status::Clean,
            1 => Status::Findings,
            _ => Status::Trouble,
        },
        Command::Template(TemplateCommand::Dllmain { init, quit, output }) => {
            let spec = blastool::template::DllMainSpec { init, quit };
            match blastool::template::render_dllmain(&spec) {
                Ok(source) => match output {
                    Some(path) => match write_atomically(&path, source.as_bytes()) {
                        Ok(()) => Status::Clean,
                        Err(error) => {
                            eprintln!("error: cannot write {}: {error}", path.display());
                            Status::Trouble
                        }
                    },
                    None => print_stdout(&source),
                },
                Err(error) => {
                    eprintln!("error: {error}");
                    Status::Trouble
                }
            }
        }
        Command::Rule { id } => match rules::lookup(&id) {
            Some(rule) => print_stdout(&rules::render_page(rule)),
            None => {
                let known: Vec<&str> = rules::ALL.iter().map(|r| r.id).collect();
                eprintln!(
                    "error: no rule named '{id}'; known rules: {}",
                    known.join(", ")
                );
                Status::Trouble
            }
        },
    };
    ExitCode::from(status as u8)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn print_stdout(text: &str) -> Status {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Status::Clean,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Status::Clean,
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            Status::Trouble
        }
    }
}

/// Loads the configuration and the baseline before anything is audited: a broken one is a
/// one-line error and exit 2, with nothing written.
fn load_policy(
    args: &AuditArgs,
    cwd: &Path,
) -> Result<
    (
        Option<policy::config::Config>,
        Option<policy::baseline::Baseline>,
    ),
    String,
> {
    let config = if args.no_config {
        None
    } else {
        policy::config::discover(args.config.as_deref(), cwd)?
    };
    let baseline = args
        .baseline
        .as_deref()
        .map(policy::baseline::Baseline::read)
        .transpose()?;
    Ok((config, baseline))
}

fn run_audit(args: AuditArgs) -> Status {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let (config, baseline) = match load_policy(&args, &cwd) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("error: {error}");
            return Status::Trouble;
        }
    };
    let audit::Audit {
        mut reports,
        skipped,
    } = audit_with_progress(&args);
    let mut context = RunContext {
        source_root: cwd,
        sarif_omit_suppressed: args.sarif_omit_suppressed,
        ..RunContext::default()
    };
    if args.confirm {
        // One child process at a time: the measurements must not disturb each other.
        let options = blastool::leakcheck::Options::default();
        for report in &reports {
            if let Some(confirmation) = blastool::leakcheck::confirm(report, &options) {
                let file = (report.path.clone(), report.member.clone());
                context.confirmations.insert(file, confirmation);
            }
        }
    }
    policy::fingerprint_all(&mut reports, &context.source_root);
    if let Some(config) = &config {
        policy::apply_config(&mut reports, config, policy::today(), &mut context.policy);
    }
    if let (Some(known), Some(file)) = (&baseline, &args.baseline) {
        policy::apply_baseline(&mut reports, known, &mut context.policy, file);
    }
    for note in &context.policy.stale {
        eprintln!("{}", note.warning(false));
    }
    for note in &context.policy.expired {
        eprintln!("{}", note.warning(true));
    }
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let rendered = report::render(
        args.format,
        &reports,
        &skipped,
        RenderOptions {
            verbose: args.verbose,
            quiet: args.quiet,
            color,
        },
        &context,
    );
    if let Err(status) = write_outputs(&args, &rendered, &reports, &context) {
        return status;
    }
    // After the report, on stderr: seen with every format, never inside JSON or SARIF.
    if let Some(line) = context.confirm_summary() {
        eprintln!("{line}");
    }
    for report in reports.iter().filter(|r| r.error.is_some()) {
        if args.output.is_some() || args.format != OutputFormat::Text {
            eprintln!(
                "error: {}: {}",
                report.display_name(),
                report.error.as_deref().unwrap_or_default()
            );
        }
    }
    exit_status(&reports, &skipped, &args)
}

fn audit_with_progress(args: &AuditArgs) -> audit::Audit {
    let stderr_tty = std::io::stderr().is_terminal();
    // A bar for one file is noise; directories and long lists get one.
    let many = args.paths.len() > 1 || args.paths.iter().any(|p| p.is_dir());
    let progress = (stderr_tty && !args.quiet && many).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} auditing {pos}/{len} files {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let audit = audit::audit_paths_with(&args.paths, &args.containers.limits(), progress.as_ref());
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    audit
}

/// Writes the report (to --output or stdout) and then the --write-baseline file, each whole or
/// not at all.
fn write_outputs(
    args: &AuditArgs,
    rendered: &str,
    reports: &[audit::model::FileReport],
    context: &RunContext,
) -> Result<(), Status> {
    match &args.output {
        Some(path) => {
            if let Err(error) = write_atomically(path, rendered.as_bytes()) {
                eprintln!(
                    "error: cannot write the report to {}: {error}; choose a writable --output path",
                    path.display()
                );
                return Err(Status::Trouble);
            }
        }
        None => {
            if matches!(print_stdout(rendered), Status::Trouble) {
                return Err(Status::Trouble);
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        let baseline = policy::baseline::Baseline::of(reports, &context.source_root);
        if let Err(error) = write_atomically(path, baseline.to_json().as_bytes()) {
            eprintln!(
                "error: cannot write the baseline to {}: {error}; choose a writable --write-baseline path",
                path.display()
            );
            return Err(Status::Trouble);
        }
    }
    Ok(())
}

/// 2 when an input could not be read, or when nothing at all was audited (unless
/// --allow-empty), else 1 when a finding that counts (not allowed, not in the baseline) reaches
/// --fail-on, else 0.
fn exit_status(
    reports: &[audit::model::FileReport],
    skipped: &[audit::model::Skipped],
    args: &AuditArgs,
) -> Status {
    let summary = Summary::of(reports).with_skipped(skipped);
    if summary.file_errors > 0 {
        return Status::Trouble;
    }
    // In a CI step, a run that checked nothing must not look like a pass.
    if summary.audited == 0 && !args.containers.allow_empty {
        eprintln!(
            "error: no binary was audited ({} input(s) not audited, {} member(s) skipped); \
             pass --allow-empty if that is expected",
            summary.not_audited, summary.skipped
        );
        return Status::Trouble;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Note => Some(Severity::Note),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|threshold| {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.counts() && f.severity >= threshold)
    });
    if failing {
        Status::Findings
    } else {
        Status::Clean
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place, so a reader
/// never sees half a report and a failure leaves no partial file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let directory = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path"))?;
    let temporary = directory.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|_| file.sync_all()))
        .and_then(|_| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

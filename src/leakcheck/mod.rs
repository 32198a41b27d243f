//! `blastool leakcheck`: prove an unload leak by loading and unloading a library many times in a
//! child process and measuring what each cycle keeps (heap bytes, memory, threads, handles,
//! TLS keys, mappings).
//!
//! ELF shared objects run in `blastool __leak-child` (`dlopen`/`dlclose`, [`child`]); PE DLLs in
//! a MinGW-built loader, natively on Windows or under Wine on Linux ([`wine`]). Both report
//! JSON lines ([`protocol`]) to the parent, which enforces the timeout and memory limit
//! ([`runner`]) and turns the samples into a verdict from their trend ([`trend`]).
//!
//! This executes the library's code. It only ever happens on an explicit request
//! (`leakcheck`, `audit --confirm`), never in blastool's own process.

pub mod child;
mod plot;
pub mod protocol;
mod runner;
pub mod trend;
mod wine;

/// How blastool finds Wine (`wine`, else `wine64`, on PATH); `build`'s smoke test uses it too.
pub(crate) use wine::find_wine;

pub use child::{run_leak_child, LeakChildArgs};

use protocol::{Event, Sample};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Arguments of `blastool leakcheck`.
///
/// WARNING: this EXECUTES the library's code (its constructors, destructors and the function
/// named by --call) in a child process, many times. Only check libraries you would load anyway.
#[derive(clap::Args, Debug, Clone)]
pub struct LeakcheckArgs {
    /// The shared object (.so) or DLL to load and unload. Its code is EXECUTED (in a child
    /// process, with --timeout and --memory-limit). DLLs run under Wine on Linux.
    #[arg(value_name = "LIB")]
    pub library: PathBuf,
    /// Load/unload cycles. The first quarter (2 to 10 cycles) is warm-up; the trend is measured
    /// over the rest.
    #[arg(long, default_value_t = 20, value_name = "N",
          value_parser = clap::value_parser!(u32).range(4..=100_000))]
    pub cycles: u32,
    /// After each load, call this exported no-argument function (for libraries that initialise
    /// lazily), or `blas` for a small cblas_dgemm call through the CBLAS entry point.
    #[arg(long, value_name = "SYMBOL|blas")]
    pub call: Option<String>,
    /// Print the verdict, figures and samples as JSON.
    #[arg(long)]
    pub json: bool,
    /// Draw memory and threads per cycle into an SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Kill the child and fail after this many seconds (a first Wine start needs ~10 s).
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
    /// Kill the child and fail when its memory exceeds this many MiB (committed memory after
    /// each cycle; also polled: address space for .so files, resident memory under Wine).
    #[arg(long, default_value_t = 4096, value_name = "MIB")]
    pub memory_limit: u64,
}

/// What to run, independent of the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub cycles: u32,
    /// An exported no-argument function, or `blas`.
    pub call: Option<String>,
    pub timeout: Duration,
    pub memory_limit_mib: u64,
    /// The executable that has the `__leak-child` subcommand; default: this executable.
    /// Tests set it to the blastool binary, since their own executable is the test harness.
    pub child_program: Option<PathBuf>,
    /// The Wine prefix; default: `WINEPREFIX`, else blastool's own in the user's cache.
    pub wine_prefix: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cycles: 20,
            call: None,
            timeout: Duration::from_secs(120),
            memory_limit_mib: 4096,
            child_program: None,
            wine_prefix: None,
        }
    }
}

/// The verdict names of the JSON contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Memory, threads or handles grow with every cycle.
    Leak,
    /// The library unloaded and nothing grew.
    Clean,
    /// Nothing grew, but the library was never really unloaded (NODELETE, unique symbols, TLS,
    /// a pinned DLL), so its constructor ran once: this proves nothing about unload leaks.
    NotUnloaded,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Leak => "leak",
            Verdict::Clean => "clean",
            Verdict::NotUnloaded => "not-unloaded",
        }
    }
}

/// The result of one leak check: the figures per cycle and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct LeakVerdict {
    pub path: String,
    pub cycles: u32,
    /// True when the library was gone after every unload.
    pub unloaded: bool,
    /// Committed memory kept per cycle (robust slope after warm-up).
    pub memory_kib_per_cycle: f64,
    pub threads_per_cycle: f64,
    /// `None` when the platform cannot count handles (Wine 8).
    pub handles_per_cycle: Option<f64>,
    /// Heap bytes kept per cycle (robust slope after warm-up of the exact in-use count);
    /// `None` where the allocator cannot be asked.
    pub heap_bytes_per_cycle: Option<f64>,
    pub verdict: Verdict,
    // Extra fields beyond the documented minimum.
    /// `elf` or `pe`.
    pub format: &'static str,
    /// `dlopen`, `wine` or `windows`.
    pub runner: &'static str,
    pub call: Option<String>,
    pub warmup_cycles: u32,
    /// Least-squares slope of committed memory, for comparison with the robust one.
    pub memory_kib_per_cycle_least_squares: f64,
    /// Resident memory kept per cycle.
    pub resident_kib_per_cycle: f64,
    /// Memory mappings kept per cycle (Linux).
    pub maps_per_cycle: Option<f64>,
    /// Thread-local storage keys kept per cycle (glibc).
    pub tls_keys_per_cycle: Option<f64>,
    /// Heap bytes in use after each cycle (cycle 0 first); `None` where not measurable.
    pub heap_bytes_series: Option<Vec<u64>>,
    /// What grew in a leak: `heap`, `memory`, `threads`, `handles`, `tls-keys`, `mappings`.
    pub grew: Vec<&'static str>,
    /// One sentence for people.
    pub summary: String,
    /// Every sample (cycle 0 is before the first load); empty when attached to an audit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<Sample>,
}

/// Why a check could not produce a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Not a library this machine can load (object file, wrong architecture, not ELF/PE).
    NotLoadable,
    /// The loader refused it: missing dependency, bad symbol, a failing constructor.
    LoadFailed,
    /// The child died (a crash in a constructor, destructor or the called function).
    Crashed,
    Timeout,
    MemoryLimit,
    /// A tool the check needs (Wine, MinGW) is missing.
    ToolMissing,
    Io,
}

/// A failed check, with the child's stderr when there was a child.
#[derive(Debug, Clone, Serialize)]
pub struct LeakError {
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stderr: String,
}

impl LeakError {
    pub fn new(kind: ErrorKind, message: String) -> Self {
        LeakError {
            kind,
            message,
            stderr: String::new(),
        }
    }
}

impl fmt::Display for LeakError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        let stderr = self.stderr.trim_end();
        if !stderr.is_empty() {
            write!(f, "\nthe child's stderr:\n{stderr}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LeakError {}

/// What kind of library a file is, as far as loading it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Elf,
    /// A DLL, its architecture and the DLLs it imports.
    Pe {
        arch: wine::PeArch,
        imports: Vec<String>,
    },
}

/// Decides whether `path` can be loaded here, before any code runs.
fn inspect(path: &Path) -> Result<Target, LeakError> {
    use object::{Architecture, BinaryFormat, Object, ObjectKind};
    let not_loadable =
        |why: String| LeakError::new(ErrorKind::NotLoadable, format!("{}: {why}", path.display()));
    let data = std::fs::read(path).map_err(|e| {
        LeakError::new(
            ErrorKind::Io,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    let file = object::File::parse(&*data).map_err(|e| {
        not_loadable(format!(
            "not an ELF shared object or a PE DLL ({e}); nothing to load"
        ))
    })?;
    let kind = file.kind();
    match file.format() {
        BinaryFormat::Elf => {
            match kind {
                ObjectKind::Dynamic => {}
                ObjectKind::Relocatable => {
                    return Err(not_loadable(
                        "a relocatable object (.o), not a shared library: link it with -shared \
                         first"
                            .into(),
                    ))
                }
                _ => {
                    return Err(not_loadable(
                        "an executable or core file, not a shared library".into(),
                    ))
                }
            }
            let host = host_architecture();
            if Some(file.architecture()) != host {
                return Err(not_loadable(format!(
                    "built for {:?}, but this machine runs {}: a library loads only into a \
                     process of its own architecture",
                    file.architecture(),
                    std::env::consts::ARCH
                )));
            }
            if !cfg!(unix) {
                return Err(not_loadable(
                    "ELF libraries can only be checked on Linux".into(),
                ));
            }
            Ok(Target::Elf)
        }
        BinaryFormat::Pe => {
            if kind != ObjectKind::Dynamic {
                return Err(not_loadable(
                    "a PE executable, not a DLL (IMAGE_FILE_DLL is not set)".into(),
                ));
            }
            let arch = match file.architecture() {
                Architecture::X86_64 => wine::PeArch::X86_64,
                Architecture::I386 => wine::PeArch::X86,
                other => {
                    return Err(not_loadable(format!(
                        "a {other:?} DLL: only x86 and x86-64 DLLs can be run here (Wine on \
                         this machine cannot execute other instruction sets)"
                    )))
                }
            };
            let mut imports: Vec<String> = Vec::new();
            // An unreadable import table or entry lists nothing: the DLL's own load reports it.
            for import in file.imports().into_iter().flatten().flatten() {
                let library = String::from_utf8_lossy(import.library()).into_owned();
                if !imports.iter().any(|l| l.eq_ignore_ascii_case(&library)) {
                    imports.push(library);
                }
            }
            Ok(Target::Pe { arch, imports })
        }
        other => Err(not_loadable(format!(
            "a {other:?} file: only ELF shared objects and PE DLLs can be checked"
        ))),
    }
}

fn host_architecture() -> Option<object::Architecture> {
    use object::Architecture as A;
    Some(match std::env::consts::ARCH {
        "x86_64" => A::X86_64,
        "x86" => A::I386,
        "aarch64" => A::Aarch64,
        "arm" => A::Arm,
        "powerpc64" => A::PowerPc64,
        "riscv64" => A::Riscv64,
        "s390x" => A::S390x,
        _ => return None,
    })
}

/// The glibc tunable that turns the per-thread malloc cache off in the ELF child.
const NO_TCACHE: &str = "glibc.malloc.tcache_count=0";

/// Runs the check on `path`: spawns the child, collects the samples, judges the trend.
pub fn check(path: &Path, options: &Options) -> Result<LeakVerdict, LeakError> {
    if options.cycles < 4 {
        return Err(LeakError::new(
            ErrorKind::Io,
            "at least 4 cycles are needed for a trend".into(),
        ));
    }
    let target = inspect(path)?;
    let absolute = std::fs::canonicalize(path).map_err(|e| {
        LeakError::new(
            ErrorKind::Io,
            format!("cannot resolve {}: {e}", path.display()),
        )
    })?;
    let (command, format, runner, address_space_limit) = match &target {
        Target::Elf => {
            let program = match &options.child_program {
                Some(program) => program.clone(),
                None => std::env::current_exe().map_err(|e| {
                    LeakError::new(
                        ErrorKind::Io,
                        format!("cannot find blastool's own executable: {e}"),
                    )
                })?,
            };
            let mut command = std::process::Command::new(program);
            command
                .arg("__leak-child")
                .arg(&absolute)
                .arg("--cycles")
                .arg(options.cycles.to_string());
            if let Some(call) = &options.call {
                command.arg("--call").arg(call);
            }
            // glibc's per-thread cache holds freed chunks that mallinfo2 still counts as in
            // use, so the heap would seem to grow while it fills (up to 7 chunks per size,
            // several KiB over the first cycles). Without it the count is exact from the
            // third cycle on. The setting only changes where freed memory waits.
            let tunables = match std::env::var("GLIBC_TUNABLES") {
                Ok(own) if !own.is_empty() => format!("{own}:{NO_TCACHE}"),
                _ => NO_TCACHE.to_string(),
            };
            command.env("GLIBC_TUNABLES", tunables);
            (command, "elf", "dlopen", true)
        }
        Target::Pe { arch, imports } => {
            let loader = wine::loader_exe(*arch)?;
            // A Rust-built DLL under a Wine without bcryptprimitives.dll: run a loader that has
            // the stand-in beside it, and say so in the report's runner.
            let (loader, runner) = match wine::loader_with_stand_in(
                &loader,
                *arch,
                imports,
                options.wine_prefix.as_deref(),
            )? {
                Some(copy) => (copy, "wine+bcryptprimitives-stand-in"),
                None if cfg!(windows) => (loader, "windows"),
                None => (loader, "wine"),
            };
            let command = wine::command(
                &loader,
                &absolute,
                imports,
                options.cycles,
                options.call.as_deref(),
                options.wine_prefix.as_deref(),
            )?;
            (command, "pe", runner, false)
        }
    };
    let outcome = runner::run(
        command,
        options.timeout,
        options.memory_limit_mib,
        address_space_limit,
    )
    .map_err(|e| LeakError::new(ErrorKind::Io, format!("cannot start the child: {e}")))?;
    let samples = collect(&outcome, options, &target)?;
    Ok(judge(
        &path.display().to_string(),
        samples,
        options,
        format,
        runner,
    ))
}

/// The samples of a run that went to the end, or the error that stopped it.
fn collect(
    outcome: &runner::Outcome,
    options: &Options,
    target: &Target,
) -> Result<Vec<Sample>, LeakError> {
    let stage = stage(&outcome.events, options.call.as_deref());
    let fail = |kind: ErrorKind, message: String| LeakError {
        kind,
        message,
        stderr: outcome.stderr.clone(),
    };
    let done = outcome.events.iter().any(|e| matches!(e, Event::Done));
    let reported = outcome.events.iter().find_map(|e| match e {
        Event::Error { stage, message } => Some((stage.as_str(), message.as_str())),
        _ => None,
    });
    let crash = outcome.events.iter().find_map(|e| match e {
        Event::Crash { code, address } => Some((code.as_str(), address.as_str())),
        _ => None,
    });
    match &outcome.end {
        runner::End::TimedOut => {
            return Err(fail(
                ErrorKind::Timeout,
                format!(
                    "the child did not finish within {} s ({stage}); killed it. Raise --timeout \
                     if the library is just slow",
                    options.timeout.as_secs()
                ),
            ))
        }
        runner::End::MemoryLimit(resident) => {
            return Err(fail(
                ErrorKind::MemoryLimit,
                format!(
                    "the child used {:.1} MiB, over the memory limit of {} MiB ({stage}); \
                     killed it",
                    *resident as f64 / 1024.0,
                    options.memory_limit_mib
                ),
            ))
        }
        runner::End::Exited(status) => {
            if let Some((where_, message)) = reported {
                let kind = if where_ == "preload" && done {
                    // A preload failure alone is not fatal; the loop ran to the end.
                    None
                } else {
                    Some(ErrorKind::LoadFailed)
                };
                if let Some(kind) = kind {
                    let what = match where_ {
                        "call" => "cannot call the requested function",
                        "unload" => "cannot unload the library",
                        _ => "cannot load the library",
                    };
                    return Err(fail(kind, format!("{what}: {message} ({stage})")));
                }
            }
            if let Some((code, address)) = crash {
                return Err(fail(
                    ErrorKind::Crashed,
                    format!("the library crashed with exception {code} at {address} ({stage})"),
                ));
            }
            if !status.success() || !done {
                let how = if status.success() {
                    "stopped before finishing the loop (status 0)".to_string()
                } else {
                    describe_status(status)
                };
                let mut message = format!("the child {how} ({stage})");
                if let Target::Pe {
                    arch: wine::PeArch::X86,
                    ..
                } = target
                {
                    if outcome.events.is_empty() && cfg!(not(windows)) {
                        message.push_str(
                            "; 32-bit DLLs need 32-bit Wine (Debian: dpkg --add-architecture \
                             i386 && apt-get install wine32)",
                        );
                    }
                }
                let kind = if outcome.events.is_empty() && !matches!(target, Target::Elf) {
                    ErrorKind::ToolMissing
                } else {
                    ErrorKind::Crashed
                };
                return Err(fail(kind, message));
            }
        }
    }
    let samples: Vec<Sample> = outcome
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Sample(sample) => Some(sample.clone()),
            _ => None,
        })
        .collect();
    if samples.len() < options.cycles as usize + 1 {
        return Err(fail(
            ErrorKind::Crashed,
            format!(
                "the child reported {} samples for {} cycles",
                samples.len(),
                options.cycles
            ),
        ));
    }
    Ok(samples)
}

/// Where the child was when it stopped, from its last progress event.
fn stage(events: &[Event], call: Option<&str>) -> String {
    for event in events.iter().rev() {
        match event {
            Event::Loading { cycle } => {
                return format!("while loading it in cycle {cycle}: its constructors ran")
            }
            Event::Calling { cycle } => {
                return format!(
                    "while calling {} in cycle {cycle}",
                    call.unwrap_or("the function")
                )
            }
            Event::Unloading { cycle } => {
                return format!("while unloading it in cycle {cycle}: its destructors ran")
            }
            Event::Sample(sample) if sample.cycle > 0 => {
                return format!("after cycle {}", sample.cycle)
            }
            Event::Done => return "after the last cycle".into(),
            _ => {}
        }
    }
    "before the first load: the child did not start the loop".into()
}

fn describe_status(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                libc::SIGSEGV => "SIGSEGV",
                libc::SIGBUS => "SIGBUS",
                libc::SIGABRT => "SIGABRT",
                libc::SIGILL => "SIGILL",
                libc::SIGFPE => "SIGFPE",
                libc::SIGKILL => "SIGKILL",
                _ => "a signal",
            };
            return format!("died from signal {signal} ({name})");
        }
    }
    match status.code() {
        Some(code) => format!("exited with status {code}"),
        None => "ended without an exit status".into(),
    }
}

/// Turns the samples into figures and a verdict.
fn judge(
    path: &str,
    samples: Vec<Sample>,
    options: &Options,
    format: &'static str,
    runner: &'static str,
) -> LeakVerdict {
    let warmup = trend::warmup_cycles(options.cycles);
    let measured: Vec<&Sample> = samples.iter().filter(|s| s.cycle >= warmup).collect();
    let series = |value: &dyn Fn(&Sample) -> Option<f64>| -> Option<trend::Slope> {
        let points: Option<Vec<(f64, f64)>> = measured
            .iter()
            .map(|s| value(s).map(|v| (s.cycle as f64, v)))
            .collect();
        trend::slope(&points?)
    };
    let zero = trend::Slope {
        median: 0.0,
        least_squares: 0.0,
    };
    let memory = series(&|s| Some(s.committed_kib as f64)).unwrap_or(zero);
    let resident = series(&|s| Some(s.resident_kib as f64)).unwrap_or(zero);
    let threads = series(&|s| Some(s.threads as f64)).unwrap_or(zero);
    let handles = series(&|s| s.handles.map(|h| h as f64));
    let maps = series(&|s| s.maps.map(|m| m as f64));
    let tls_keys = series(&|s| s.tls_keys.map(|k| k as f64));
    let heap = series(&|s| s.heap_bytes.map(|b| b as f64));
    let heap_series: Option<Vec<u64>> = samples.iter().map(|s| s.heap_bytes).collect();
    let unloaded = samples.iter().filter(|s| s.cycle > 0).all(|s| s.unloaded);
    let memory_leaks = memory.exceeds(trend::MEMORY_THRESHOLD_KIB);
    let threads_leak = threads.exceeds(trend::COUNT_THRESHOLD);
    let handles_leak = handles.is_some_and(|h| h.exceeds(trend::COUNT_THRESHOLD));
    let tls_keys_leak = tls_keys.is_some_and(|k| k.exceeds(trend::COUNT_THRESHOLD));
    let maps_leak = maps.is_some_and(|m| m.exceeds(trend::COUNT_THRESHOLD));
    // The exact heap count decides on bytes: a slope over the threshold that is also steady
    // growth, not a level the allocator swings around.
    let heap_leaks = heap.is_some_and(|h| h.exceeds(trend::HEAP_THRESHOLD_BYTES))
        && heap_series.as_ref().is_some_and(|all| {
            let after_warmup: Vec<f64> = all
                .iter()
                .skip(warmup as usize)
                .map(|&b| b as f64)
                .collect();
            trend::grows_steadily(&after_warmup)
        });
    let grew: Vec<&'static str> = [
        (heap_leaks, "heap"),
        (memory_leaks, "memory"),
        (threads_leak, "threads"),
        (handles_leak, "handles"),
        (tls_keys_leak, "tls-keys"),
        (maps_leak, "mappings"),
    ]
    .into_iter()
    .filter_map(|(leaks, name)| leaks.then_some(name))
    .collect();
    // Growth is a leak whether or not the library unloaded (a --call can leak on its own).
    let verdict = if !grew.is_empty() {
        Verdict::Leak
    } else if !unloaded {
        Verdict::NotUnloaded
    } else {
        Verdict::Clean
    };
    let round = |x: f64| (x * 100.0).round() / 100.0;
    let summary = match verdict {
        Verdict::Leak => {
            let mut kept = Vec::new();
            if heap_leaks {
                kept.push(format!("{:.0} heap bytes", heap.map_or(0.0, |h| h.median)));
            }
            if memory_leaks {
                kept.push(format!("{:.0} KiB of memory", memory.median));
            }
            if threads_leak {
                kept.push(format!("{:.2} threads", threads.median));
            }
            if handles_leak {
                kept.push(format!(
                    "{:.2} {}",
                    handles.map_or(0.0, |h| h.median),
                    if format == "elf" {
                        "file descriptors"
                    } else {
                        "handles"
                    }
                ));
            }
            if tls_keys_leak {
                kept.push(format!(
                    "{:.2} TLS keys",
                    tls_keys.map_or(0.0, |k| k.median)
                ));
            }
            if maps_leak {
                kept.push(format!(
                    "{:.2} memory mappings",
                    maps.map_or(0.0, |m| m.median)
                ));
            }
            format!("each load/unload cycle keeps {}", kept.join(" and "))
        }
        Verdict::NotUnloaded => "the library stays loaded after unloading (NODELETE, unique \
                                 symbols, TLS or a pinned DLL): its constructor ran once, so \
                                 this run cannot show unload leaks"
            .to_string(),
        Verdict::Clean => "the library unloads and nothing grows from cycle to cycle".to_string(),
    };
    LeakVerdict {
        path: path.to_string(),
        cycles: options.cycles,
        unloaded,
        memory_kib_per_cycle: round(memory.median),
        threads_per_cycle: round(threads.median),
        handles_per_cycle: handles.map(|h| round(h.median)),
        heap_bytes_per_cycle: heap.map(|h| round(h.median)),
        verdict,
        format,
        runner,
        call: options.call.clone(),
        warmup_cycles: warmup,
        memory_kib_per_cycle_least_squares: round(memory.least_squares),
        resident_kib_per_cycle: round(resident.median),
        maps_per_cycle: maps.map(|m| round(m.median)),
        tls_keys_per_cycle: tls_keys.map(|k| round(k.median)),
        heap_bytes_series: heap_series,
        grew,
        summary,
        samples,
    }
}

/// The human-readable report.
pub fn render_text(verdict: &LeakVerdict) -> String {
    let runner = match verdict.runner {
        "dlopen" => "dlopen/dlclose in a child process",
        "wine" => "LoadLibrary/FreeLibrary under Wine",
        _ => "LoadLibrary/FreeLibrary in a child process",
    };
    let mut out = format!(
        "leakcheck: {} ({}, {runner})\n",
        verdict.path,
        verdict.format.to_uppercase()
    );
    out.push_str(&format!(
        "  cycles:    {} ({} warm-up; trend over cycles {}-{})\n",
        verdict.cycles, verdict.warmup_cycles, verdict.warmup_cycles, verdict.cycles
    ));
    if let Some(call) = &verdict.call {
        out.push_str(&format!("  called:    {call} once per cycle\n"));
    }
    out.push_str(&format!(
        "  unloaded:  {}\n",
        if verdict.unloaded {
            "yes, after every cycle"
        } else {
            "NO: still loaded after unloading"
        }
    ));
    out.push_str(&format!(
        "  memory:    {:+.1} KiB/cycle committed, {:+.1} KiB/cycle resident\n",
        verdict.memory_kib_per_cycle, verdict.resident_kib_per_cycle
    ));
    match verdict.heap_bytes_per_cycle {
        Some(bytes) => out.push_str(&format!("  heap:      {bytes:+.0} bytes/cycle in use\n")),
        None => out.push_str("  heap:      not measurable here\n"),
    }
    out.push_str(&format!(
        "  threads:   {:+.2}/cycle\n",
        verdict.threads_per_cycle
    ));
    let handle_word = if verdict.format == "elf" {
        "open file descriptors"
    } else {
        "handles"
    };
    match verdict.handles_per_cycle {
        Some(h) => out.push_str(&format!("  handles:   {h:+.2}/cycle ({handle_word})\n")),
        None => out.push_str("  handles:   not measurable here\n"),
    }
    if let Some(maps) = verdict.maps_per_cycle {
        out.push_str(&format!("  mappings:  {maps:+.2}/cycle\n"));
    }
    if let Some(keys) = verdict.tls_keys_per_cycle {
        out.push_str(&format!("  TLS keys:  {keys:+.2}/cycle\n"));
    }
    out.push_str(&format!(
        "verdict: {}: {}\n",
        verdict.verdict.name(),
        verdict.summary
    ));
    out
}

/// `blastool leakcheck`: 0 clean or not unloaded, 1 leak, 2 error.
pub fn run_leakcheck(args: LeakcheckArgs) -> u8 {
    let options = Options {
        cycles: args.cycles,
        call: args.call.clone(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        memory_limit_mib: args.memory_limit.max(1),
        ..Options::default()
    };
    let verdict = match check(&args.library, &options) {
        Ok(verdict) => verdict,
        Err(error) => {
            eprintln!("error: {error}");
            return 2;
        }
    };
    if let Some(plot_path) = &args.plot {
        let title = args
            .library
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let written = plot::render_svg(&verdict.samples, &title, verdict.warmup_cycles)
            .map_err(|e| format!("cannot draw the plot: {e}"))
            .and_then(|svg| {
                std::fs::write(plot_path, svg)
                    .map_err(|e| format!("cannot write {}: {e}", plot_path.display()))
            });
        if let Err(error) = written {
            eprintln!("error: {error}");
            return 2;
        }
    }
    let text = if args.json {
        match serde_json::to_string_pretty(&verdict) {
            Ok(json) => json + "\n",
            Err(error) => {
                eprintln!("error: {error}");
                return 2;
            }
        }
    } else {
        render_text(&verdict)
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write to standard output: {error}");
            return 2;
        }
    }
    match verdict.verdict {
        Verdict::Leak => 1,
        Verdict::Clean | Verdict::NotUnloaded => 0,
    }
}

/// What `audit --confirm` attaches to a file's findings.
#[derive(Debug, Clone, Serialize)]
pub struct Confirmation {
    /// `checked` (see `leak`), `failed` (see `error`) or `skipped` (see `reason`).
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leak: Option<LeakVerdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<LeakError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `audit --confirm` for one audited file: runs the leak check when the file is a shared
/// library with findings that this machine can load (a host-architecture ELF object, or an x86 /
/// x86-64 DLL when Wine or Windows is there). `None` when there is nothing to confirm (no
/// findings, not a shared library, an archive member).
pub fn confirm(
    report: &crate::audit::model::FileReport,
    options: &Options,
) -> Option<Confirmation> {
    use crate::audit::model::{BinaryKind, Format};
    if report.findings.is_empty()
        || report.member.is_some()
        || report.kind != Some(BinaryKind::SharedLibrary)
    {
        return None;
    }
    let skipped = |reason: String| Confirmation {
        status: "skipped",
        leak: None,
        error: None,
        reason: Some(reason),
    };
    match report.format {
        Format::Elf => {}
        Format::Pe => {
            if cfg!(not(windows)) && wine::find_wine().is_none() {
                return Some(skipped(
                    "a DLL needs Wine to be checked on Linux: install wine64".into(),
                ));
            }
        }
        _ => return None,
    }
    let path = Path::new(&report.path);
    if let Err(error) = inspect(path) {
        return Some(skipped(error.message));
    }
    Some(match check(path, options) {
        Ok(mut verdict) => {
            verdict.samples.clear();
            Confirmation {
                status: "checked",
                leak: Some(verdict),
                error: None,
                reason: None,
            }
        }
        Err(error) => Confirmation {
            status: "failed",
            leak: None,
            error: Some(error),
            reason: None,
        },
    })
}

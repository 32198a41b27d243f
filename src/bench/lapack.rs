//! `blastool bench --lapack`: Debian's reference LAPACK timed over each library's BLAS — the
//! figure a numpy/scipy user on Debian feels, since their LAPACK calls go through
//! `liblapack.so.3` and reach the BLAS only through its `libblas.so.3` dependency.
//!
//! Each library gets a child process of its own (`blastool __bench-lapack-worker`) whose
//! `LD_LIBRARY_PATH` starts with a private directory holding one file, a `libblas.so.3` symlink to
//! the library under test, so the loader resolves LAPACK's dependency to it and to nothing else.
//! The child then reads back from LAPACK's own GOT slots which file serves `dgemm_` and the other
//! probed BLAS routines, and from `dladdr` which file serves the LAPACK routines: the timed
//! `dgetrf_` is reference LAPACK's even over OpenBLAS, whose `libopenblas.so.0` carries a LAPACK
//! of its own. A binding to any other file is an error, not a footnote.
//!
//! The children stay alive for the whole run so that, as in the rest of bench, the libraries
//! alternate within every repetition; each generates the same data from the same seed, writes
//! its first result to a file, and the parent compares the results across libraries.

use super::ffi::LibrarySpec;
use super::{median, BenchArgs, Lcg, LibraryInfo, Measurement, Report};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Debian's reference LAPACK (package liblapack3), the default `--reference-lapack`.
pub const REFERENCE_LAPACK: &str = "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3";

/// BLAS routines whose binding the child reads from LAPACK's GOT: those the timed routines spend
/// their time in (getrf: dgemm/dtrsm/idamax, potrf: dsyrk, syevd: dsymv, zgetrf: zgemm/ztrsm).
pub const BLAS_PROBES: &[&str] = &[
    "dgemm_", "dtrsm_", "dsyrk_", "dsymv_", "idamax_", "zgemm_", "ztrsm_",
];

/// Environment variables that would make an OpenBLAS choose other kernels or cache sizes than it
/// picks for this CPU: removed from every child, so each library runs as a user's would.
const OPENBLAS_OVERRIDES: &[&str] = &["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"];

/// Relative difference above which double-precision LAPACK results disagree: rounding differs
/// between BLAS libraries and is amplified by the condition of the problem (about n here).
const TOLERANCE: f64 = 1e-8;

/// The LAPACK routines bench times, all on n×n problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LapackRoutine {
    Dgetrf,
    Dpotrf,
    Dgeqrf,
    Dsyevd,
    Zgetrf,
}

impl LapackRoutine {
    pub const ALL: [LapackRoutine; 5] = [
        LapackRoutine::Dgetrf,
        LapackRoutine::Dpotrf,
        LapackRoutine::Dgeqrf,
        LapackRoutine::Dsyevd,
        LapackRoutine::Zgetrf,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LapackRoutine::Dgetrf => "dgetrf",
            LapackRoutine::Dpotrf => "dpotrf",
            LapackRoutine::Dgeqrf => "dgeqrf",
            LapackRoutine::Dsyevd => "dsyevd",
            LapackRoutine::Zgetrf => "zgetrf",
        }
    }

    /// The Fortran symbol (gfortran's trailing underscore).
    pub fn symbol(self) -> String {
        format!("{}_", self.name())
    }

    pub fn parse(text: &str) -> Result<LapackRoutine, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|r| r.name()).collect();
                format!(
                    "unknown LAPACK routine '{text}'; choose from {}",
                    names.join(", ")
                )
            })
    }

    /// Nominal floating-point operations of one n×n call, in real flops (the usual counts:
    /// LAWN 41 leading terms, and Golub & Van Loan's 9n³ for the symmetric eigenproblem with
    /// eigenvectors). Ratios between libraries do not depend on the convention.
    pub fn flops(self, n: usize) -> f64 {
        let cube = (n as f64).powi(3);
        match self {
            LapackRoutine::Dgetrf => 2.0 / 3.0 * cube,
            LapackRoutine::Dpotrf => cube / 3.0,
            LapackRoutine::Dgeqrf => 4.0 / 3.0 * cube,
            LapackRoutine::Dsyevd => 9.0 * cube,
            // A complex multiply-add is 8 real flops against 2.
            LapackRoutine::Zgetrf => 8.0 / 3.0 * cube,
        }
    }

    /// The case's input, column-major: uniform entries in [-1, 1) (random square matrices are
    /// well conditioned, condition number about n), symmetric for dsyevd, and for dpotrf
    /// symmetric with n on the diagonal — strictly diagonally dominant, so positive definite
    /// (Gershgorin) with a condition number near 1. zgetrf's is interleaved (re, im).
    pub fn input(self, rng: &mut Lcg, n: usize) -> Vec<f64> {
        match self {
            LapackRoutine::Dgetrf | LapackRoutine::Dgeqrf => rng.vector(n * n),
            LapackRoutine::Zgetrf => rng.vector(2 * n * n),
            LapackRoutine::Dsyevd | LapackRoutine::Dpotrf => {
                let mut a = vec![0.0; n * n];
                for j in 0..n {
                    for i in j..n {
                        let value = if i == j && self == LapackRoutine::Dpotrf {
                            n as f64
                        } else {
                            rng.next()
                        };
                        a[j * n + i] = value;
                        a[i * n + j] = value;
                    }
                }
                a
            }
        }
    }

    /// Bytes one worker holds for an n×n case: the input and the matrix it factors (twice for
    /// complex), and dsyevd's workspace of about 2n² doubles. The result the parent reads back
    /// is no larger than the matrix.
    pub fn bytes(self, n: usize) -> f64 {
        let matrix = 8.0 * (n as f64).powi(2);
        match self {
            LapackRoutine::Dgetrf | LapackRoutine::Dpotrf | LapackRoutine::Dgeqrf => 3.0 * matrix,
            LapackRoutine::Dsyevd => 5.0 * matrix,
            LapackRoutine::Zgetrf => 6.0 * matrix,
        }
    }

    /// Lengths of the parts of a result that are compared each on its own scale: the factors
    /// (or eigenvalues), then the pivots, tau or eigenvectors.
    pub fn segments(self, n: usize) -> Vec<usize> {
        match self {
            LapackRoutine::Dgetrf => vec![n * n, n],
            LapackRoutine::Zgetrf => vec![2 * n * n, n],
            LapackRoutine::Dpotrf => vec![n * n],
            LapackRoutine::Dgeqrf => vec![n * n, n],
            LapackRoutine::Dsyevd => vec![n, n * n],
        }
    }
}

/// What a child reported when it started.
#[derive(Debug, serde::Deserialize)]
struct Hello {
    /// Symbol → canonical path of the file that serves it.
    bindings: BTreeMap<String, String>,
    core: Option<String>,
    sets_threads: bool,
}

/// A child process running reference LAPACK over one library.
struct Worker {
    label: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    result_file: PathBuf,
    /// Holds the `libblas.so.3` symlink and the result file; removed on drop.
    _dir: tempfile::TempDir,
    info: LibraryInfo,
}

impl Worker {
    /// Starts the child for `spec` and checks what its LAPACK bound. `lapack` None: the
    /// library's own LAPACK instead of the reference one (OpenBLAS's, --own-lapack).
    fn start(
        spec: &LibrarySpec,
        lapack: Option<&Path>,
        most_threads: i32,
    ) -> Result<Worker, String> {
        let library = std::fs::canonicalize(&spec.path)
            .map_err(|e| format!("cannot load {}: {e}", spec.path.display()))?;
        let own_lapack = lapack.is_none();
        let lapack = lapack.unwrap_or(&library);
        let dir = tempfile::Builder::new()
            .prefix("blastool-lapack-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let blas = dir.path().join("libblas.so.3");
        std::os::unix::fs::symlink(&library, &blas)
            .map_err(|e| format!("cannot create {}: {e}", blas.display()))?;
        let search_path = match std::env::var_os("LD_LIBRARY_PATH") {
            Some(old) if !old.is_empty() => {
                let mut path = dir.path().as_os_str().to_owned();
                path.push(":");
                path.push(old);
                path
            }
            _ => dir.path().as_os_str().to_owned(),
        };
        let exe = std::env::current_exe().map_err(|e| format!("cannot find blastool: {e}"))?;
        let threads = most_threads.to_string();
        let mut command = Command::new(exe);
        command
            .arg("__bench-lapack-worker")
            .arg("--lapack")
            .arg(lapack)
            .arg("--blas")
            .arg(if own_lapack { &library } else { &blas })
            .arg("--result")
            .arg(dir.path().join("result.bin"))
            .env("LD_LIBRARY_PATH", search_path)
            // Thread pools are sized at load; each case then sets its count with the call.
            .env("OPENBLAS_NUM_THREADS", &threads)
            .env("BLASTOOL_NUM_THREADS", &threads)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        if own_lapack {
            command.arg("--own-lapack");
        }
        for variable in OPENBLAS_OVERRIDES {
            command.env_remove(variable);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start the LAPACK worker: {e}"))?;
        let stdin = child.stdin.take().ok_or("no worker stdin")?;
        let stdout = BufReader::new(child.stdout.take().ok_or("no worker stdout")?);
        let label = spec.path.display().to_string();
        let label = if own_lapack {
            format!("{label} (own LAPACK)")
        } else {
            label
        };
        let mut worker = Worker {
            label: label.clone(),
            child,
            stdin,
            stdout,
            result_file: dir.path().join("result.bin"),
            _dir: dir,
            info: LibraryInfo {
                path: label,
                core: None,
                sets_threads: false,
                namespace: String::new(),
                bindings: None,
            },
        };
        let hello: Hello = serde_json::from_value(worker.reply()?)
            .map_err(|e| format!("the LAPACK worker's greeting: {e}"))?;
        check_bindings(&hello.bindings, lapack, &library, &worker.label)?;
        worker.info.namespace = if own_lapack {
            "child process: the library's own LAPACK, not reference LAPACK".to_string()
        } else {
            format!(
                "child process: reference LAPACK {} over this BLAS as libblas.so.3",
                lapack.display()
            )
        };
        worker.info.core = hello.core;
        worker.info.sets_threads = hello.sets_threads;
        worker.info.bindings = Some(hello.bindings);
        Ok(worker)
    }

    /// The next JSON reply; lines that are not JSON (a library printing to stdout) go to stderr.
    fn reply(&mut self) -> Result<serde_json::Value, String> {
        loop {
            let mut line = String::new();
            let read = self
                .stdout
                .read_line(&mut line)
                .map_err(|e| format!("{}: reading the LAPACK worker: {e}", self.label))?;
            if read == 0 {
                let status = self.child.wait().map_err(|e| e.to_string())?;
                return Err(format!("{}: the LAPACK worker died ({status})", self.label));
            }
            match serde_json::from_str::<serde_json::Value>(&line) {
                Ok(value) if value.is_object() => {
                    if let Some(error) = value.get("error").and_then(|e| e.as_str()) {
                        return Err(format!("{}: {error}", self.label));
                    }
                    return Ok(value);
                }
                _ => eprint!("{}: {line}", self.label),
            }
        }
    }

    /// Sends one command; the seconds the child answers.
    fn ask(&mut self, command: &str) -> Result<f64, String> {
        writeln!(self.stdin, "{command}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("{}: the LAPACK worker is gone: {e}", self.label))?;
        self.reply()?
            .get("seconds")
            .and_then(|s| s.as_f64())
            .ok_or_else(|| format!("{}: the LAPACK worker answered no time", self.label))
    }

    /// The result of the last `case`.
    fn result(&self) -> Result<Vec<f64>, String> {
        let bytes = std::fs::read(&self.result_file)
            .map_err(|e| format!("cannot read {}: {e}", self.result_file.display()))?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or_default()))
            .collect())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "quit").and_then(|()| self.stdin.flush());
        let _ = self.child.wait();
    }
}

/// Fails unless every LAPACK routine is served by `lapack` and every probed BLAS routine by
/// `library` (both compared as canonical paths).
fn check_bindings(
    bindings: &BTreeMap<String, String>,
    lapack: &Path,
    library: &Path,
    label: &str,
) -> Result<(), String> {
    let lapack = std::fs::canonicalize(lapack).unwrap_or_else(|_| lapack.to_path_buf());
    for (symbol, file) in bindings {
        let expected = if BLAS_PROBES.contains(&symbol.as_str()) {
            library
        } else {
            lapack.as_path()
        };
        if Path::new(file) != expected {
            return Err(format!(
                "{label}: in its LAPACK worker, {symbol} is served by {file}, not by {} \
                 (LD_PRELOAD or a library loaded with global scope interposes)",
                expected.display()
            ));
        }
    }
    Ok(())
}

/// The starting of one child per library: ours must serve, peers that cannot are skipped with
/// one line each. With `own_lapack`, each peer that carries a LAPACK of its own gets a second
/// child timing that one (a different comparison: another LAPACK, not only another BLAS).
fn start_workers(
    ours: &LibrarySpec,
    peers: &[LibrarySpec],
    lapack: &Path,
    own_lapack: bool,
    most_threads: i32,
) -> Result<Vec<Worker>, String> {
    let mut workers = Vec::new();
    let mut starts: Vec<(&LibrarySpec, Option<&Path>)> = vec![(ours, Some(lapack))];
    for peer in peers {
        starts.push((peer, Some(lapack)));
        if own_lapack {
            starts.push((peer, None));
        }
    }
    for (index, (spec, lapack)) in starts.into_iter().enumerate() {
        let started = if spec.prefix.is_empty() && spec.suffix.is_empty() {
            Worker::start(spec, lapack, most_threads)
        } else {
            Err(format!(
                "{}: its BLAS names carry affixes ({}dgemm_{}), and reference LAPACK calls the \
                 plain dgemm_, so it cannot serve reference LAPACK",
                spec.path.display(),
                spec.prefix,
                spec.suffix
            ))
        };
        match started {
            Ok(worker) => workers.push(worker),
            Err(error) if index == 0 => return Err(error),
            Err(error) => eprintln!("bench: skipped {error}"),
        }
    }
    Ok(workers)
}

/// Largest relative difference between two results, each segment on its own scale.
fn difference(routine: LapackRoutine, n: usize, reference: &[f64], other: &[f64]) -> f64 {
    if reference.len() != other.len() {
        return f64::INFINITY;
    }
    let mut start = 0;
    let mut largest = 0.0f64;
    for length in routine.segments(n) {
        let end = (start + length).min(reference.len());
        let part = super::relative_difference(&reference[start..end], &other[start..end]);
        largest = largest.max(part);
        start = end;
    }
    largest
}

/// Measures one routine at one size and thread count on every worker; one row per worker.
fn measure(
    workers: &mut [Worker],
    routine: LapackRoutine,
    n: usize,
    threads: i32,
    args: &BenchArgs,
) -> Result<Vec<Measurement>, String> {
    let case = format!("case {} {n} {threads}", routine.name());
    let mut reference = Vec::new();
    let mut differences = Vec::new();
    for worker in workers.iter_mut() {
        worker.ask(&case)?;
        let result = worker.result()?;
        if reference.is_empty() {
            reference = result;
            differences.push(0.0);
        } else {
            differences.push(difference(routine, n, &reference, &result));
        }
    }
    let mut times = vec![Vec::new(); workers.len()];
    for _ in 0..args.reps {
        for (index, worker) in workers.iter_mut().enumerate() {
            // A pool that spins after its call (OpenBLAS) would steal the next child's cores.
            if threads > 1 && args.settle_ms > 0 {
                std::thread::sleep(std::time::Duration::from_millis(args.settle_ms));
            }
            times[index].push(worker.ask("time")?);
        }
    }
    let flops = routine.flops(n);
    let mut rows = Vec::new();
    let mut first_median = 0.0;
    for (index, worker) in workers.iter().enumerate() {
        let mut rates: Vec<f64> = times[index]
            .iter()
            .map(|t| flops / t.max(1e-12) / 1e9)
            .collect();
        let best = rates.iter().cloned().fold(0.0, f64::max);
        let median = median(&mut rates);
        if index == 0 {
            first_median = median;
        }
        rows.push(Measurement {
            library: worker.label.clone(),
            routine: routine.name().to_string(),
            shape: "square".to_string(),
            size: n,
            m: n,
            n,
            k: n,
            threads,
            best,
            median,
            unit: "GFLOPS",
            ours_over_this: first_median / median.max(1e-12),
            max_relative_difference: differences[index],
            percent_of_peak: None,
        });
    }
    Ok(rows)
}

/// Refuses sizes whose largest case would not fit in the memory available now (MemAvailable of
/// /proc/meminfo), with every worker holding its copy at once: a child that cannot allocate
/// would otherwise die on an abort mid-run with no word about the size. Where /proc/meminfo
/// cannot be read, nothing is checked.
fn check_memory(routines: &[LapackRoutine], sizes: &[usize], workers: usize) -> Result<(), String> {
    let Some(available) = available_memory() else {
        return Ok(());
    };
    let Some((routine, n, need)) = routines
        .iter()
        .flat_map(|&r| {
            sizes
                .iter()
                .map(move |&n| (r, n, r.bytes(n) * workers as f64))
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
    else {
        return Ok(());
    };
    if need > available {
        let gib = |bytes: f64| bytes / f64::from(1u32 << 30);
        return Err(format!(
            "--sizes: {} at n = {n} needs about {:.1} GiB ({workers} worker(s)), more than the {:.1} GiB available; choose smaller sizes",
            routine.name(),
            gib(need),
            gib(available)
        ));
    }
    Ok(())
}

/// MemAvailable from /proc/meminfo, in bytes (`build::ramdisk`'s reading, as a float for the
/// estimates here).
fn available_memory() -> Option<f64> {
    crate::build::ramdisk::available_memory().map(|bytes| bytes as f64)
}

/// Runs LAPACK mode for the validated routines, sizes and threads of `args`; the report.
pub fn bench_lapack(
    args: &BenchArgs,
    ours: &LibrarySpec,
    routines: &[LapackRoutine],
) -> Result<Report, String> {
    let lapack = args
        .reference_lapack
        .clone()
        .unwrap_or_else(|| PathBuf::from(REFERENCE_LAPACK));
    if !lapack.exists() {
        return Err(format!(
            "no reference LAPACK at {} (Debian: apt-get install liblapack3; or --reference-lapack PATH)",
            lapack.display()
        ));
    }
    for variable in OPENBLAS_OVERRIDES {
        if std::env::var_os(variable).is_some() {
            eprintln!("bench: {variable} is removed from the LAPACK workers' environment");
        }
    }
    let most_threads = args.threads.iter().copied().max().unwrap_or(1);
    let mut workers = start_workers(ours, &args.against, &lapack, args.own_lapack, most_threads)?;
    // Workers allocate a case's matrices only when asked for the case, so the check can count
    // the workers that really started (peers with affixed names are not among them).
    check_memory(routines, &args.sizes, workers.len())?;
    let mut measurements = Vec::new();
    // Cases take seconds each at the default sizes: say where the run is, on a terminal.
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
    for &threads in &args.threads {
        for &routine in routines {
            for &n in &args.sizes {
                if progress {
                    eprintln!("bench: {} n={n}, {threads} thread(s)", routine.name());
                }
                measurements.extend(measure(&mut workers, routine, n, threads, args)?);
            }
        }
    }
    let mismatches = measurements
        .iter()
        .filter(|m| m.max_relative_difference > TOLERANCE)
        .count();
    Ok(Report {
        cpu: super::cpu_name(),
        peak: super::peak::Peak::detect(args.peak_ghz),
        libraries: workers.iter().map(|w| w.info.clone()).collect(),
        reps: args.reps,
        beta: None,
        measurements,
        mismatches,
        notes: vec![
            "LAPACK mode: reference LAPACK's routines over each library's BLAS; GFLOPS from \
             nominal flop counts: getrf 2/3 n³, potrf 1/3 n³, geqrf 4/3 n³, zgetrf 8/3 n³ (real \
             flops), syevd with eigenvectors 9 n³ (Golub & Van Loan)"
                .to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pivots are compared on their own scale: one swapped pair is a mismatch even when the
    /// factors agree, and rounding-level differences in the factors are not.
    #[test]
    fn results_compare_segment_by_segment() {
        let n = 2;
        let factors = [4.0, 0.5, 2.0, 1.0];
        let reference: Vec<f64> = factors.iter().copied().chain([1.0, 2.0]).collect();
        let mut close = reference.clone();
        close[0] += 4.0 * 1e-14;
        assert!(difference(LapackRoutine::Dgetrf, n, &reference, &close) < TOLERANCE);
        let swapped: Vec<f64> = factors.iter().copied().chain([2.0, 2.0]).collect();
        assert!(difference(LapackRoutine::Dgetrf, n, &reference, &swapped) > TOLERANCE);
        let mut broken = reference.clone();
        broken[3] = f64::NAN;
        assert_eq!(
            difference(LapackRoutine::Dgetrf, n, &reference, &broken),
            f64::INFINITY
        );
        assert_eq!(
            difference(LapackRoutine::Dgetrf, n, &reference, &reference[..5]),
            f64::INFINITY
        );
    }

    /// A BLAS routine served by any file but the library under test, or a LAPACK routine by any
    /// file but the LAPACK asked for, fails the run and names the file.
    #[test]
    fn a_binding_elsewhere_is_refused() {
        let lapack = Path::new("/nonexistent/liblapack.so.3");
        let library = Path::new("/lib/ours.so");
        let mut bindings = BTreeMap::new();
        bindings.insert("dgetrf_".to_string(), lapack.display().to_string());
        bindings.insert("dgemm_".to_string(), library.display().to_string());
        assert!(check_bindings(&bindings, lapack, library, "ours").is_ok());
        bindings.insert("dtrsm_".to_string(), "/lib/other.so".to_string());
        let error = check_bindings(&bindings, lapack, library, "ours").unwrap_err();
        assert!(
            error.contains("dtrsm_ is served by /lib/other.so"),
            "{error}"
        );
        bindings.insert("dtrsm_".to_string(), library.display().to_string());
        bindings.insert("dpotrf_".to_string(), library.display().to_string());
        assert!(check_bindings(&bindings, lapack, library, "ours").is_err());
    }

    /// A size no machine here can hold is refused up front with the routine, the size and what
    /// it needs, instead of a worker aborting mid-run; an ordinary size passes.
    #[test]
    fn sizes_beyond_memory_are_refused_before_any_worker_starts() {
        if available_memory().is_none() {
            eprintln!("SKIPPED: no /proc/meminfo, so LAPACK mode checks no memory here");
            return;
        }
        let all = LapackRoutine::ALL;
        let error = check_memory(&all, &[100, 1_000_000], 2).unwrap_err();
        assert!(error.contains("zgetrf at n = 1000000"), "{error}");
        assert!(error.contains("2 worker(s)"), "{error}");
        assert!(check_memory(&all, &[100], 2).is_ok());
    }

    /// dsyevd's input is symmetric; dpotrf's also strictly diagonally dominant with a positive
    /// diagonal, hence positive definite.
    #[test]
    fn inputs_have_the_structure_their_routine_needs() {
        let n = 7;
        for routine in [LapackRoutine::Dsyevd, LapackRoutine::Dpotrf] {
            let a = routine.input(&mut Lcg(1), n);
            for i in 0..n {
                for j in 0..n {
                    assert_eq!(a[j * n + i], a[i * n + j], "{routine:?}");
                }
            }
        }
        let a = LapackRoutine::Dpotrf.input(&mut Lcg(1), n);
        for i in 0..n {
            let off: f64 = (0..n).filter(|&j| j != i).map(|j| a[j * n + i].abs()).sum();
            assert!(a[i * n + i] > off);
        }
        assert_eq!(LapackRoutine::Zgetrf.input(&mut Lcg(1), n).len(), 2 * n * n);
        assert_eq!(LapackRoutine::Dgetrf.flops(3), 18.0);
        assert!(LapackRoutine::parse("dgemm").is_err());
    }
}

//! `blastool bench`: the same BLAS calls on the same data, timed side by side across libraries
//! loaded each in a link-map namespace of its own — ours and any peers (`--against`) —
//! alternating between libraries within every repetition so that a noisy, shared machine hurts
//! them all alike.
//!
//! Results are checked against each other numerically: a fast wrong answer cannot win.

mod ffi;
mod lapack;
mod lapack_worker;
mod peak;
mod plot;

use ffi::Library;
pub use ffi::LibrarySpec;
use lapack::LapackRoutine;
pub use lapack_worker::{run_lapack_worker, LapackWorkerArgs};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `blastool bench`.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Our library (a shared object exporting the CBLAS ABI; for --lapack, the Fortran BLAS
    /// names reference LAPACK calls, `dgemm_` ...). Default: what `blastool build`
    /// produced here (the newest `./blastool-*/lib/libblastool.so`), else the `libkernels.so`
    /// that `cargo build --release -p kernels` leaves in `target/release`.
    /// `PATH@PREFIX[@SUFFIX]` for a build whose exported names carry affixes (as `--against`).
    #[arg(long, value_name = "PATH")]
    pub library: Option<LibrarySpec>,
    /// A peer library to compare with, e.g. /usr/lib/x86_64-linux-gnu/libopenblas.so.0
    /// (repeatable). `PATH@PREFIX` or `PATH@PREFIX@SUFFIX` when its exported names carry affixes:
    /// scipy-openblas's `libscipy_openblas.so@scipy_` (calls `scipy_cblas_dgemm`,
    /// `scipy_openblas_get_corename`, ...).
    #[arg(long, value_name = "PATH[@PREFIX[@SUFFIX]]")]
    pub against: Vec<LibrarySpec>,
    /// Routines (default dgemm): dgemm, sgemm, zgemm, cgemm, daxpy, ddot, dgemv, and square
    /// (m = n = k = size) level 3 in every precision: s/d/c/z trsm, trmm, syrk, syr2k, symm
    /// and c/z herk, her2k, hemm (left side, lower, not transposed, non-unit; e.g. ztrsm,
    /// cherk). LAPACK routines (see --lapack; default all five): dgetrf, dpotrf, dgeqrf,
    /// dsyevd, zgetrf.
    #[arg(long, value_delimiter = ',')]
    pub routines: Vec<String>,
    /// Problem sizes (n for square GEMM, GEMV and LAPACK, length for level 1). Default
    /// 64,256,1024; with --lapack 1000,2000.
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<usize>,
    /// LAPACK workload: Debian's reference LAPACK (--reference-lapack) timed over our BLAS and
    /// over each peer's, one child process per library whose `libblas.so.3` is that library
    /// (checked from LAPACK's own GOT); GFLOPS and ours/peer ratios for dgetrf, dpotrf, dgeqrf,
    /// dsyevd (eigenvectors too) and zgetrf on n×n problems. Peers with affixed names
    /// (`PATH@scipy_`) cannot serve it and are skipped. Also chosen by naming only LAPACK
    /// routines in --routines.
    #[arg(long, conflicts_with = "goals")]
    pub lapack: bool,
    /// The reference LAPACK of --lapack (default
    /// /usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3, Debian's liblapack3).
    #[arg(long, value_name = "PATH")]
    pub reference_lapack: Option<PathBuf>,
    /// With --lapack: also time each peer's own LAPACK where it has one (OpenBLAS's
    /// libopenblas.so.0), as an extra row labelled `(own LAPACK)`.
    #[arg(long)]
    pub own_lapack: bool,
    /// GEMM shapes (comma-separated): `square` (m=n=k=size) and/or `skinny` (m=n=size, k from
    /// `--k`; sizes below k are measured with k=size).
    #[arg(long, value_delimiter = ',', default_value = "square")]
    pub shapes: Vec<String>,
    /// Depths k of the `skinny` shape, e.g. `--shapes skinny --sizes 2000 --k 16,64,256`.
    #[arg(long, value_delimiter = ',', default_value = "32")]
    pub k: Vec<usize>,
    /// Clock in GHz for the theoretical peak (default: measured with a chain of dependent
    /// register-to-register integer adds, one per cycle; `/proc/cpuinfo` when that is not possible).
    #[arg(long, value_name = "GHZ")]
    pub peak_ghz: Option<f64>,
    /// Thread counts to measure, set through each library's own call when it has one
    /// (`blastool_set_num_threads`, `openblas_set_num_threads`, `bli_thread_set_num_threads`).
    #[arg(long, value_delimiter = ',', default_value = "1")]
    pub threads: Vec<i32>,
    /// Pause in milliseconds before each library's timed batch when a case runs on more than
    /// one thread: thread pools that spin after a call (OpenBLAS: about 2^28 cycles,
    /// `OPENBLAS_THREAD_TIMEOUT`; ours: 1 ms, `BLASTOOL_THREAD_SPIN_US`) would otherwise steal
    /// cores from the library timed next. An untimed call of the library follows the pause, so
    /// the batch does not time waking up.
    #[arg(long, default_value_t = 150, value_name = "MS")]
    pub settle_ms: u64,
    /// beta of GEMM and of the level 3 routines that update a C (syrk, syr2k, symm, herk, her2k,
    /// hemm); alpha is 1. The default 1 is what LAPACK's trailing updates pass, and the case
    /// where OpenBLAS skips its separate pass over C (it scales C on its own before the product
    /// for any other beta, so 0 or 0.5 also times that pass).
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// Timed repetitions per case (after one warm-up call per library).
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    /// Load every library with plain `dlopen` into the process's own namespace instead of a
    /// namespace each (`dlmopen`): libraries then share dependencies loaded under the same name.
    #[arg(long)]
    pub no_isolation: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
    /// Draw GFLOPS against size as an SVG chart, one line per library and routine.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
    /// Small sizes, one repetition: proves the command and the cross-check work, says nothing
    /// about speed.
    #[arg(long)]
    pub quick: bool,
    /// Measure the speed goals in one run and print a goals table after the measurements:
    /// square d/s/z/cgemm n = 256..3072, small n = 8..64, skinny m = n = 2000 with k = 16..64,
    /// daxpy/ddot at 1e3..1e7 elements, dgemv with 1e3..1e7 matrix elements, dgemm with two
    /// threads at n = 1024..3072, and the Level 3 families beyond GEMM (d/z trsm, trmm, symm,
    /// syrk, syr2k; z hemm, herk, her2k) at n = 256..2048 with 1 and 2 threads, and the LAPACK
    /// workload (as --lapack: dgetrf, dpotrf, dgeqrf, dsyevd, zgetrf at n = 1000, 2000, one
    /// thread; measured first) (replaces --routines, --sizes, --shapes, --k, --threads). With
    /// --plot, a chart per Level 3 family and one for LAPACK beside the GEMM chart
    /// (FILE-trsm.svg, ..., FILE-lapack.svg).
    #[arg(long, conflicts_with_all = ["quick", "routines", "sizes", "shapes", "k", "threads"])]
    pub goals: bool,
}

/// One case to measure: a routine at one size and shape with a thread count.
#[derive(Debug, Clone)]
struct Case {
    threads: i32,
    routine: String,
    shape: String,
    size: usize,
    m: usize,
    n: usize,
    k: usize,
}

/// The cases of `--goals` (see the option's help), threads outermost.
fn goal_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut add = |threads: i32, routine: &str, shape: &str, size: usize, k: usize| {
        let (m, n, k) = match shape {
            "vector" if routine == "dgemv" => (size, size, 1),
            "vector" => (size, 1, 1),
            _ => (size, size, k),
        };
        cases.push(Case {
            threads,
            routine: routine.into(),
            shape: shape.into(),
            size,
            m,
            n,
            k,
        });
    };
    for routine in ["dgemm", "sgemm", "zgemm", "cgemm"] {
        for size in [8, 16, 32, 64, 256, 1024, 2048, 3072] {
            add(1, routine, "square", size, size);
        }
        for k in [16, 32, 64] {
            add(1, routine, "skinny", 2000, k);
        }
    }
    for routine in ["daxpy", "ddot"] {
        for size in [1_000, 10_000, 100_000, 1_000_000, 10_000_000] {
            add(1, routine, "vector", size, 1);
        }
    }
    // n x n matrices of 1e3 .. 1e7 elements.
    for size in [32, 100, 316, 1000, 3162] {
        add(1, "dgemv", "vector", size, 1);
    }
    for size in [1024, 2048, 3072] {
        add(2, "dgemm", "square", size, size);
    }
    // Level 3 beyond GEMM (issue 15): every family in double and double complex, 1 and 2
    // threads (s and c follow the same code paths with other microkernels).
    for threads in [1, 2] {
        for routine in goal_level3_routines() {
            for size in [256, 1024, 2048] {
                add(threads, &routine, "square", size, size);
            }
        }
    }
    cases
}

/// The Level 3 routines `--goals` measures: d and z of every family bench runs.
fn goal_level3_routines() -> Vec<String> {
    let real = LEVEL3_ANY_PRECISION.iter().map(|op| format!("d{op}"));
    let complex = LEVEL3_ANY_PRECISION
        .iter()
        .chain(LEVEL3_HERMITIAN)
        .map(|op| format!("z{op}"));
    real.chain(complex).collect()
}

/// The LAPACK workload of `--goals`: reference LAPACK's five routines over each library's BLAS,
/// one thread. Issue 15 asks for n = 1000..4000; n = 3000 and 4000 would add about ten minutes
/// (dsyevd alone), so the run stops at 2000.
const GOAL_LAPACK_SIZES: [usize; 2] = [1000, 2000];

/// The LAPACK cases of `--goals`, as `Case`s so that the tests can check the goals against them.
#[cfg(test)]
fn goal_lapack_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for routine in LapackRoutine::ALL {
        for size in GOAL_LAPACK_SIZES {
            cases.push(Case {
                threads: 1,
                routine: routine.name().into(),
                shape: "square".into(),
                size,
                m: size,
                n: size,
                k: size,
            });
        }
    }
    cases
}

/// Runs the LAPACK part of `--goals` (LAPACK mode with the goals' sizes, one thread; peers with
/// affixed names cannot serve it and are left out by LAPACK mode itself).
fn goal_lapack(args: &BenchArgs, ours: &LibrarySpec) -> Result<Report, String> {
    let mut lapack_args = args.clone();
    lapack_args.sizes = GOAL_LAPACK_SIZES.to_vec();
    lapack_args.threads = vec![1];
    lapack_args.own_lapack = false;
    lapack::bench_lapack(&lapack_args, ours, &LapackRoutine::ALL)
}

/// Whether a measurement is one of the LAPACK workload's.
fn is_lapack_workload(m: &Measurement) -> bool {
    LapackRoutine::parse(&m.routine).is_ok()
}

/// The Level 3 charts of `--goals --plot`: a family and the operations it draws (the
/// Hermitian variants with their symmetric twins).
const LEVEL3_CHARTS: &[(&str, &[&str])] = &[
    ("trsm", &["trsm"]),
    ("trmm", &["trmm"]),
    ("symm", &["symm", "hemm"]),
    ("syrk", &["syrk", "herk"]),
    ("syr2k", &["syr2k", "her2k"]),
];

/// `dir/goals.svg` with family `trsm` is `dir/goals-trsm.svg`.
fn family_chart_path(path: &std::path::Path, family: &str) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let extension = path.extension().map(|e| e.to_string_lossy().into_owned());
    let name = match extension {
        Some(extension) => format!("{stem}-{family}.{extension}"),
        None => format!("{stem}-{family}"),
    };
    path.with_file_name(name)
}

/// Whether a measurement is one of the Level 3 families beyond GEMM.
fn is_level3_family(m: &Measurement) -> bool {
    // `square_only` names exactly these families (GEMM also runs skinny, so it is not one).
    square_only(&m.routine)
}

/// The cases of an explicit --routines/--sizes/--shapes/--k/--threads selection.
fn selected_cases(args: &BenchArgs) -> Vec<Case> {
    let mut cases = Vec::new();
    for &threads in &args.threads {
        for routine in &args.routines {
            let level3 = routine.ends_with("gemm");
            let square_only = square_only(routine);
            for &size in &args.sizes {
                let mut push = |shape: &str, m: usize, n: usize, k: usize| {
                    cases.push(Case {
                        threads,
                        routine: routine.clone(),
                        shape: shape.into(),
                        size,
                        m,
                        n,
                        k,
                    })
                };
                if square_only {
                    push("square", size, size, size);
                    continue;
                }
                if !level3 {
                    let n = if routine == "dgemv" { size } else { 1 };
                    push("vector", size, n, 1);
                    continue;
                }
                for shape in &args.shapes {
                    if shape == "square" {
                        push(shape, size, size, size);
                    } else {
                        let mut depths: Vec<usize> = args.k.iter().map(|&k| k.min(size)).collect();
                        depths.dedup();
                        for k in depths {
                            push(shape, size, size, k);
                        }
                    }
                }
            }
        }
    }
    cases
}

/// The level 3 operations other than GEMM, in every precision (`s`, `d`, `c`, `z`).
const LEVEL3_ANY_PRECISION: &[&str] = &["trsm", "trmm", "syrk", "syr2k", "symm"];
/// The Hermitian ones, complex only (`c`, `z`).
const LEVEL3_HERMITIAN: &[&str] = &["herk", "her2k", "hemm"];

/// Level 3 routines other than GEMM (`strsm` ... `zhemm`), measured on square operands only,
/// whatever `--shapes` says.
pub(crate) fn square_only(routine: &str) -> bool {
    let (Some(precision), Some(op)) = (routine.get(..1), routine.get(1..)) else {
        return false;
    };
    match precision {
        "s" | "d" => LEVEL3_ANY_PRECISION.contains(&op),
        "c" | "z" => LEVEL3_ANY_PRECISION.contains(&op) || LEVEL3_HERMITIAN.contains(&op),
        _ => false,
    }
}

/// Every BLAS routine bench measures.
fn blas_routines() -> Vec<String> {
    let mut routines: Vec<String> = ["dgemm", "sgemm", "zgemm", "cgemm", "daxpy", "ddot", "dgemv"]
        .map(String::from)
        .to_vec();
    for op in LEVEL3_ANY_PRECISION.iter().chain(LEVEL3_HERMITIAN) {
        for precision in ["s", "d", "c", "z"] {
            let routine = format!("{precision}{op}");
            if square_only(&routine) {
                routines.push(routine);
            }
        }
    }
    routines
}

/// One measured case for one library.
#[derive(Debug, Clone, Serialize)]
pub struct Measurement {
    pub library: String,
    pub routine: String,
    pub shape: String,
    pub size: usize,
    /// The GEMM dimensions (m = size, n = size, k = size or the skinny depth; 1 for unused).
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub threads: i32,
    /// Best and median throughput over the repetitions: GFLOPS, or GB/s for level 1 and 2.
    pub best: f64,
    pub median: f64,
    pub unit: &'static str,
    /// Our speed relative to this library: the first library's (ours) median over this one's.
    /// Above 1 we are faster; the first library's own rows read 1.
    pub ours_over_this: f64,
    /// Largest relative difference from the first library's result.
    pub max_relative_difference: f64,
    /// Median as a percentage of the theoretical peak of `threads` cores (GEMM only).
    pub percent_of_peak: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report {
    cpu: String,
    peak: peak::Peak,
    libraries: Vec<LibraryInfo>,
    reps: usize,
    /// `--beta` of the GEMM and level 3 calls (alpha 1); none in LAPACK mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    beta: Option<f64>,
    measurements: Vec<Measurement>,
    mismatches: usize,
    /// Lines printed under the table (conventions of the mode).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct LibraryInfo {
    path: String,
    core: Option<String>,
    sets_threads: bool,
    /// `own` (loaded with `dlmopen` into a new namespace), `shared (reason)`, or for --lapack
    /// the child process it ran in.
    namespace: String,
    /// --lapack: symbol → the file that served it in the library's child process (the LAPACK
    /// routines timed, and the BLAS routines reference LAPACK calls).
    #[serde(skip_serializing_if = "Option::is_none")]
    bindings: Option<std::collections::BTreeMap<String, String>>,
}

/// Deterministic pseudo-random numbers in [-1, 1), so every library sees the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    fn vector(&mut self, len: usize) -> Vec<f64> {
        (0..len).map(|_| self.next()).collect()
    }
}

fn cpu_name() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string())
}

/// What `blastool build` produced in the current directory (the newest `blastool-*/lib`), else
/// the `libkernels.so` a cargo build left next to this executable.
fn default_library() -> Option<PathBuf> {
    let built = std::fs::read_dir(".")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("blastool-"))
        .map(|entry| entry.path().join("lib/libblastool.so"))
        .filter(|library| library.exists())
        .max_by_key(|library| {
            std::fs::metadata(library)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
        });
    if built.is_some() {
        return built;
    }
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [
        dir.join("libkernels.so"),
        dir.join("../release/libkernels.so"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

/// Floating-point operations (or bytes moved) of one call, and the unit they make.
fn work(routine: &str, m: usize, n: usize, k: usize) -> (f64, &'static str) {
    let (m, n, k) = (m as f64, n as f64, k as f64);
    match routine {
        "dgemm" | "sgemm" => (2.0 * m * n * k, "GFLOPS"),
        "zgemm" | "cgemm" => (8.0 * m * n * k, "GFLOPS"),
        // Left side, A m×m triangular: about m²n/2 multiply-adds, so m²n flops; syrk and herk
        // write n(n+1)/2 entries of k multiply-adds each, syr2k and her2k of 2k; symm and hemm
        // are a full m×m by m×n product. A complex multiply-add is 8 real flops against 2.
        _ if square_only(routine) => {
            let complex = if routine.starts_with(['c', 'z']) {
                4.0
            } else {
                1.0
            };
            let real = match &routine[1..] {
                "trsm" | "trmm" => m * m * n,
                "syrk" | "herk" => n * (n + 1.0) * k,
                "syr2k" | "her2k" => 2.0 * n * (n + 1.0) * k,
                _ => 2.0 * m * m * n,
            };
            (complex * real, "GFLOPS")
        }
        // Memory-bound: bytes read and written.
        "daxpy" => (3.0 * 8.0 * m, "GB/s"),
        "ddot" => (2.0 * 8.0 * m, "GB/s"),
        "dgemv" => (8.0 * (m * n + m + n), "GB/s"),
        _ => (0.0, "GFLOPS"),
    }
}

/// The libraries that export `cblas_<routine>`, or None when ours does not: libraries without
/// the routine sit the case out; without ours there is nothing to compare with, so the case is
/// skipped. Each absence is said once (`missing` remembers).
fn libraries_with<'a>(
    routine: &str,
    libraries: &'a [Library],
    missing: &mut std::collections::HashSet<(String, String)>,
) -> Option<Vec<&'a Library>> {
    let present: Vec<&Library> = libraries
        .iter()
        .filter(|lib| {
            let has = lib.has_routine(routine);
            if !has && missing.insert((lib.name(), routine.to_string())) {
                eprintln!(
                    "bench: {} does not export cblas_{routine}: {}",
                    lib.name(),
                    if std::ptr::eq(*lib, &libraries[0]) {
                        "skipping the routine"
                    } else {
                        "skipping that library for the routine"
                    }
                );
            }
            has
        })
        .collect();
    if !present
        .first()
        .is_some_and(|lib| std::ptr::eq(*lib, &libraries[0]))
    {
        return None;
    }
    Some(present)
}

/// Per library, in the order measured: the seconds per call of each timed batch, and the
/// result of the checked call.
struct CaseTimes {
    times: Vec<Vec<f64>>,
    results: Vec<Vec<f64>>,
}

/// One case on every library: a checked warm-up call each (its result kept to compare), then
/// `--reps` timed batches alternating between libraries.
fn time_case(
    libraries: &[&Library],
    routine: &str,
    (m, n, k): (usize, usize, usize),
    data: &mut CaseData,
    threads: i32,
    args: &BenchArgs,
) -> Result<CaseTimes, String> {
    let dims = (m, n, k);
    let mut times = vec![Vec::new(); libraries.len()];
    let mut results = vec![Vec::new(); libraries.len()];
    // Warm-up and cross-check: one call per library on the initial C. Its time sets
    // how many calls one timed repetition makes (at least ~2 ms of work, so that
    // small sizes are not lost in timer and call overheads).
    let mut calls = 1usize;
    for (index, lib) in libraries.iter().enumerate() {
        data.reset(routine);
        let start = Instant::now();
        call(lib, routine, dims, data, 1)?;
        let once = start.elapsed().as_secs_f64();
        results[index] = data.result(routine, m);
        calls = calls.max(((2e-3 / once.max(1e-9)).ceil() as usize).min(100_000));
    }
    // Alternate libraries within each repetition.
    for _ in 0..args.reps {
        for (index, lib) in libraries.iter().enumerate() {
            if threads > 1 && libraries.len() > 1 && args.settle_ms > 0 {
                std::thread::sleep(std::time::Duration::from_millis(args.settle_ms));
                // One untimed call wakes the idle cores (and this library's own
                // pool) so the batch does not time the wake-up.
                call(lib, routine, dims, data, 1)?;
            }
            let start = Instant::now();
            call(lib, routine, dims, data, calls)?;
            times[index].push(start.elapsed().as_secs_f64() / calls as f64);
        }
    }
    Ok(CaseTimes { times, results })
}

/// Runs one routine `calls` times on the given library, on the case's inputs and output
/// buffers (converted once, outside any timing); returns the result data to cross-check.
/// GEMM and the level 3 routines with a C take `--beta` (`CaseData::beta`).
fn call(
    lib: &Library,
    routine: &str,
    (m, n, k): (usize, usize, usize),
    data: &mut CaseData,
    calls: usize,
) -> Result<(), String> {
    for _ in 0..calls {
        match routine {
            "dgemm" => lib.dgemm(m, n, k, &data.a, &data.b, &mut data.out, data.beta)?,
            "sgemm" => lib.sgemm(m, n, k, &data.a32, &data.b32, &mut data.out32, data.beta)?,
            "zgemm" => lib.zgemm(m, n, k, &data.a2, &data.b2, &mut data.out, data.beta)?,
            "cgemm" => lib.cgemm(
                m,
                n,
                k,
                &data.a2_32,
                &data.b2_32,
                &mut data.out32,
                data.beta,
            )?,
            "daxpy" => lib.daxpy(m, &data.a[..m], &mut data.out[..m])?,
            "ddot" => data.out[0] = lib.ddot(m, &data.a[..m], &data.b[..m])?,
            "dgemv" => lib.dgemv(m, n, &data.a, &data.b[..n], &mut data.out[..m])?,
            _ if square_only(routine) => level3(lib, routine, (m, n, k), data)?,
            other => return Err(format!("unknown routine '{other}'")),
        }
    }
    Ok(())
}

/// A square level 3 call (other than GEMM) on the case's operands of the routine's precision:
/// A is the triangle for trsm and trmm.
fn level3(
    lib: &Library,
    routine: &str,
    dims: (usize, usize, usize),
    data: &mut CaseData,
) -> Result<(), String> {
    let triangular = routine.ends_with("trsm") || routine.ends_with("trmm");
    match &routine[..1] {
        "d" | "z" => {
            let (real, complex) = (&data.a, &data.a2);
            let a = if triangular {
                &data.triangle
            } else if routine.starts_with('d') {
                real
            } else {
                complex
            };
            let b = if routine.starts_with('d') {
                &data.b
            } else {
                &data.b2
            };
            lib.level3(routine, dims, a, b, &mut data.out, data.beta)
        }
        _ => {
            let (real, complex) = (&data.a32, &data.a2_32);
            let a = if triangular {
                &data.triangle32
            } else if routine.starts_with('s') {
                real
            } else {
                complex
            };
            let b = if routine.starts_with('s') {
                &data.b32
            } else {
                &data.b2_32
            };
            lib.level3(routine, dims, a, b, &mut data.out32, data.beta)
        }
    }
}

/// Inputs shared by every library for one case, in both precisions, and the output buffers.
struct CaseData {
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
    a2: Vec<f64>,
    b2: Vec<f64>,
    c2: Vec<f64>,
    a32: Vec<f32>,
    b32: Vec<f32>,
    a2_32: Vec<f32>,
    b2_32: Vec<f32>,
    /// The lower triangular A of trsm and trmm (`triangle`), interleaved (re, im) for the
    /// complex routines, and in single precision.
    triangle: Vec<f64>,
    triangle32: Vec<f32>,
    out: Vec<f64>,
    out32: Vec<f32>,
    /// `--beta`: GEMM's, and syrk's, syr2k's, symm's (and their Hermitian twins').
    beta: f64,
}

/// A lower triangular m×m matrix (column-major, upper part zero) that dtrsm and dtrmm can apply
/// thousands of times to the same B without overflow or denormals: a diagonal of ±1 (the sign
/// still proves the diagonal is read) and off-diagonal entries of at most 1/m, so its powers
/// and their inverses grow only polynomially.
/// Complex (`complex`): interleaved (re, im), a real diagonal of ±1 and off-diagonal real and
/// imaginary parts of at most 1/m each.
fn triangle(rng: &mut Lcg, m: usize, complex: bool) -> Vec<f64> {
    let pair = if complex { 2 } else { 1 };
    let mut a = vec![0.0; pair * m * m];
    for j in 0..m {
        a[pair * (j * m + j)] = if rng.next() < 0.0 { -1.0 } else { 1.0 };
        for i in j + 1..m {
            for part in 0..pair {
                a[pair * (j * m + i) + part] = rng.next() / m as f64;
            }
        }
    }
    a
}

impl CaseData {
    /// Bytes that `generate` and the timing of one case hold at once, with `libraries` result
    /// copies: three real and three complex inputs of `len` elements in both precisions
    /// (`generate`), the triangle of trsm/trmm, the output and its reset copy, and a copy of
    /// the output per library (`time_case`). Saturating: a size past what the address space
    /// holds still gives a number to refuse.
    fn bytes(routine: &str, (m, n, k): (usize, usize, usize), libraries: usize) -> u128 {
        let (m, n, k) = (m as u128, n as u128, k as u128);
        let len = (m * k).max(k * n).max(m * n).max(m);
        // f64 + f32 of 3 real inputs, and of 3 complex ones (two parts each).
        let inputs = len * 3 * (8 + 4) + 2 * len * 3 * (8 + 4);
        let triangle = if routine.ends_with("trsm") || routine.ends_with("trmm") {
            2 * m * m * (8 + 4)
        } else {
            0
        };
        // The output (at most m x n complex), its reset source and one result per library.
        let outputs = 2 * len * 8 * (2 + libraries as u128);
        inputs + triangle + outputs
    }

    /// The case's inputs, from `rng` (so every library sees the same), converted once.
    fn generate(
        rng: &mut Lcg,
        routine: &str,
        (m, n, k): (usize, usize, usize),
        beta: f64,
    ) -> CaseData {
        let len = (m * k).max(k * n).max(m * n).max(m);
        let to32 = |v: &[f64]| -> Vec<f32> { v.iter().map(|x| *x as f32).collect() };
        let (a, b, c) = (rng.vector(len), rng.vector(len), rng.vector(len));
        let (a2, b2, c2) = (
            rng.vector(2 * len),
            rng.vector(2 * len),
            rng.vector(2 * len),
        );
        let triangle = if routine.ends_with("trsm") || routine.ends_with("trmm") {
            triangle(rng, m, routine.starts_with(['c', 'z']))
        } else {
            Vec::new()
        };
        CaseData {
            triangle32: to32(&triangle),
            triangle,
            a32: to32(&a),
            b32: to32(&b),
            a2_32: to32(&a2),
            b2_32: to32(&b2),
            a,
            b,
            c,
            a2,
            b2,
            c2,
            out: Vec::new(),
            out32: Vec::new(),
            beta,
        }
    }

    /// Reset the output to the case's initial C (or y) before a checked call.
    /// herk and her2k read only the real part of C's diagonal (and zero its imaginary part):
    /// it starts at zero so that every library's result can be compared whole.
    fn reset(&mut self, routine: &str) {
        let single = routine.starts_with(['s', 'c']);
        let complex = routine.starts_with(['c', 'z']);
        let mut source = if complex {
            self.c2.clone()
        } else {
            self.c.clone()
        };
        if routine.ends_with("herk") || routine.ends_with("her2k") {
            let n = ((source.len() / 2) as f64).sqrt() as usize;
            for j in 0..n {
                source[2 * (j * n + j) + 1] = 0.0;
            }
        }
        if single {
            self.out32 = source.iter().map(|v| *v as f32).collect();
        } else {
            self.out = source;
        }
    }

    /// The output of the last call, as f64.
    fn result(&self, routine: &str, m: usize) -> Vec<f64> {
        match routine {
            _ if routine.starts_with(['s', 'c']) => {
                self.out32.iter().map(|v| f64::from(*v)).collect()
            }
            "daxpy" | "dgemv" => self.out[..m].to_vec(),
            "ddot" => vec![self.out[0]],
            _ => self.out.clone(),
        }
    }
}

/// The largest difference relative to the reference's largest magnitude; infinite where either
/// side holds a NaN (`f64::max` would skip it, and a NaN result must not pass as agreement).
fn relative_difference(reference: &[f64], other: &[f64]) -> f64 {
    let scale = reference
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    reference.iter().zip(other).fold(0.0f64, |m, (r, o)| {
        let difference = (r - o).abs() / scale;
        if difference.is_nan() {
            f64::INFINITY
        } else {
            m.max(difference)
        }
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

/// Runs the benchmark; returns the exit status (0 ok, 1 results disagree, 2 error).
pub fn run_bench(args: BenchArgs) -> u8 {
    match bench(args) {
        Ok(status) => status,
        Err(error) => {
            eprintln!("error: {error}");
            2
        }
    }
}

/// The LAPACK routines to time when this is a LAPACK run (`--lapack`, or `--routines` naming
/// only LAPACK routines); None for a BLAS run.
fn lapack_mode(args: &BenchArgs) -> Result<Option<Vec<LapackRoutine>>, String> {
    let (lapack, blas): (Vec<&String>, Vec<&String>) = args
        .routines
        .iter()
        .partition(|r| LapackRoutine::parse(r).is_ok());
    if !args.lapack && lapack.is_empty() {
        return Ok(None);
    }
    if let Some(other) = blas.first() {
        if args.lapack {
            LapackRoutine::parse(other)?;
        }
        return Err(format!(
            "LAPACK routines ({}) and BLAS routines ({other}) cannot share one run",
            lapack
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if lapack.is_empty() {
        return Ok(Some(LapackRoutine::ALL.to_vec()));
    }
    lapack
        .iter()
        .map(|r| LapackRoutine::parse(r))
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Fills in the defaults that depend on the mode (and `--quick`) and rejects bad arguments; the
/// LAPACK routines when this is a LAPACK run.
fn settle_arguments(args: &mut BenchArgs) -> Result<Option<Vec<LapackRoutine>>, String> {
    let known = blas_routines();
    let lapack_routines = lapack_mode(args)?;
    if args.routines.is_empty() {
        args.routines = vec!["dgemm".to_string()];
    }
    if args.sizes.is_empty() {
        args.sizes = if lapack_routines.is_some() {
            vec![1000, 2000]
        } else {
            vec![64, 256, 1024]
        };
    }
    for routine in args.routines.iter().filter(|_| lapack_routines.is_none()) {
        if !known.contains(routine) {
            return Err(format!(
                "unknown routine '{routine}'; choose from {}",
                known.join(", ")
            ));
        }
    }
    for shape in &args.shapes {
        if !matches!(shape.as_str(), "square" | "skinny") {
            return Err(format!("unknown shape '{shape}'; choose square or skinny"));
        }
    }
    if args.shapes.is_empty() || args.k.is_empty() || args.k.contains(&0) {
        return Err("--shapes needs a shape and --k positive depths".to_string());
    }
    if args.peak_ghz.is_some_and(|g| !(g > 0.0 && g.is_finite())) {
        return Err("--peak-ghz must be a positive number".to_string());
    }
    if args.quick {
        args.sizes = if lapack_routines.is_some() {
            vec![40, 100]
        } else {
            vec![8, 33, 100]
        };
        args.reps = 1;
        args.settle_ms = 0;
    }
    if args.sizes.contains(&0) || args.reps == 0 || args.threads.iter().any(|&t| t < 1) {
        return Err("--sizes must be positive, --reps and --threads at least 1".to_string());
    }
    Ok(lapack_routines)
}

/// An error naming the first case whose data would not fit in `available` bytes (see
/// `CaseData::bytes`; MemAvailable, None where it cannot be read: then no case is refused),
/// with what it needs.
fn fits_in_memory(cases: &[Case], libraries: usize, available: Option<u64>) -> Result<(), String> {
    let Some(available) = available.map(u128::from) else {
        return Ok(());
    };
    const GIB: f64 = (1u64 << 30) as f64;
    for case in cases {
        let needed = CaseData::bytes(&case.routine, (case.m, case.n, case.k), libraries);
        if needed > available {
            return Err(format!(
                "{} at size {} needs {:.1} GiB for its inputs and results, more than the {:.1} \
                 GiB of memory available; choose a smaller --sizes value",
                case.routine,
                case.size,
                needed as f64 / GIB,
                available as f64 / GIB
            ));
        }
    }
    Ok(())
}

fn bench(mut args: BenchArgs) -> Result<u8, String> {
    let lapack_routines = settle_arguments(&mut args)?;
    let ours =
        match args
            .library
            .clone()
            .or_else(|| default_library().map(LibrarySpec::from))
        {
            Some(path) => path,
            None => return Err(
                "no library to measure: run `blastool build` here first, or pass --library PATH"
                    .to_string(),
            ),
        };
    let most_threads = if args.goals {
        2
    } else {
        args.threads.iter().copied().max().unwrap_or(1)
    };
    // Before any library loads: OpenBLAS starts its thread pool in its constructor, and setting
    // a variable must not race with other threads.
    let caller_layer = std::env::var("MKL_THREADING_LAYER").ok();
    for spec in std::iter::once(&ours).chain(&args.against) {
        mkl_threading_layer(spec, most_threads, caller_layer.as_deref());
    }
    if let Some(routines) = lapack_routines {
        let report = lapack::bench_lapack(&args, &ours, &routines)?;
        return emit(&args, &report);
    }
    // The LAPACK goals run first, in child processes, before this process loads any library:
    // no thread pool of ours or a peer's is alive to compete with the children.
    let lapack_goals = if args.goals {
        Some(goal_lapack(&args, &ours))
    } else {
        None
    };
    let cases = if args.goals {
        goal_cases()
    } else {
        selected_cases(&args)
    };
    // Refused before any library loads or any line is printed: a size whose inputs cannot fit
    // would otherwise abort the process in the allocator, mid-run.
    fits_in_memory(
        &cases,
        1 + args.against.len(),
        crate::build::ramdisk::available_memory(),
    )?;
    let mut libraries = Vec::new();
    for spec in std::iter::once(&ours).chain(&args.against) {
        let library = Library::open(spec, !args.no_isolation)?;
        if let ffi::Namespace::Shared(reason) = &library.namespace {
            if !args.no_isolation {
                eprintln!(
                    "bench: {} shares the main namespace with plain dlopen ({reason}): libraries \
                     loaded so can bind each other's dependencies",
                    library.name()
                );
            }
        }
        libraries.push(library);
    }

    let peak = peak::Peak::detect(args.peak_ghz);
    let mut measurements = Vec::new();
    let mut mismatches = 0;
    let mut rng = Lcg(0x5eed);
    let mut current_threads = None;
    let mut missing = std::collections::HashSet::new();
    for Case {
        threads,
        routine,
        shape,
        size,
        m,
        n,
        k,
    } in cases
    {
        let routine = &routine;
        if current_threads != Some(threads) {
            for lib in &libraries {
                lib.set_threads(threads);
            }
            current_threads = Some(threads);
        }
        let mut data = CaseData::generate(&mut rng, routine, (m, n, k), args.beta);
        let Some(libraries) = libraries_with(routine, &libraries, &mut missing) else {
            continue;
        };
        let CaseTimes { times, results } =
            time_case(&libraries, routine, (m, n, k), &mut data, threads, &args)?;
        let (amount, unit) = work(routine, m, n, k);
        let mut first_median = 0.0;
        for (index, lib) in libraries.iter().enumerate() {
            let mut rates: Vec<f64> = times[index]
                .iter()
                .map(|t| amount / t.max(1e-12) / 1e9)
                .collect();
            let best = rates.iter().cloned().fold(0.0, f64::max);
            let median = median(&mut rates);
            if index == 0 {
                first_median = median;
            }
            let difference = relative_difference(&results[0], &results[index]);
            let tolerance = if routine.starts_with('s') || routine.starts_with('c') {
                1e-3
            } else {
                1e-9
            };
            if difference > tolerance {
                mismatches += 1;
            }
            let percent_of_peak = peak.gflops(routine, threads).map(|p| 100.0 * median / p);
            measurements.push(Measurement {
                library: lib.name(),
                routine: routine.clone(),
                shape: shape.clone(),
                size,
                m,
                n,
                k,
                threads,
                best,
                median,
                unit,
                ours_over_this: first_median / median.max(1e-12),
                max_relative_difference: difference,
                percent_of_peak,
            });
        }
    }

    let mut notes = Vec::new();
    match lapack_goals {
        Some(Ok(lapack_report)) => {
            measurements.extend(lapack_report.measurements);
            mismatches += lapack_report.mismatches;
            notes.extend(lapack_report.notes);
        }
        Some(Err(error)) => notes.push(format!("LAPACK goals not measured: {error}")),
        None => {}
    }
    let report = Report {
        cpu: cpu_name(),
        peak,
        libraries: libraries
            .iter()
            .map(|l| LibraryInfo {
                path: l.path.display().to_string(),
                core: l.core(),
                sets_threads: l.can_set_threads(),
                namespace: l.namespace.describe(),
                bindings: None,
            })
            .collect(),
        reps: args.reps,
        beta: Some(args.beta),
        measurements,
        mismatches,
        notes,
    };
    emit(&args, &report)
}

/// Prints the report (and draws the chart) as asked; the exit status: 1 when results disagree.
fn emit(args: &BenchArgs, report: &Report) -> Result<u8, String> {
    if let Some(path) = &args.plot {
        // With --goals, units and shapes mix; the chart shows square GEMM (GFLOPS) only, and
        // each Level 3 family gets a chart of its own beside it (FILE-trsm.svg, ...).
        let drawn: Vec<Measurement> = report
            .measurements
            .iter()
            .filter(|m| !args.goals || (m.shape == "square" && m.routine.ends_with("gemm")))
            .cloned()
            .collect();
        plot::draw(path, &drawn)?;
        if args.goals {
            for (family, members) in LEVEL3_CHARTS {
                let drawn: Vec<Measurement> = report
                    .measurements
                    .iter()
                    .filter(|m| is_level3_family(m) && members.contains(&&m.routine[1..]))
                    .cloned()
                    .collect();
                plot::draw(&family_chart_path(path, family), &drawn)?;
            }
            let lapack: Vec<Measurement> = report
                .measurements
                .iter()
                .filter(|m| is_lapack_workload(m))
                .cloned()
                .collect();
            if !lapack.is_empty() {
                plot::draw(&family_chart_path(path, "lapack"), &lapack)?;
            }
        }
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).map_err(|e| e.to_string())?
        );
    } else {
        print_table(report);
        if args.goals {
            print_goals(report);
        }
    }
    Ok(if report.mismatches > 0 { 1 } else { 0 })
}

/// MKL's single dynamic library (`libmkl_rt.so*`) picks its threading layer when loaded, from
/// `MKL_THREADING_LAYER`: set it to match the thread counts asked for, unless the caller already
/// did (`caller_layer`) — `SEQUENTIAL` for one thread, else `GNU` (libgomp, which any Linux with
/// gcc has; `INTEL`, MKL's default, needs libiomp5 beside it). Fixing the layer keeps the run
/// from depending on which OpenMP runtime happens to be found, and SEQUENTIAL leaves no OpenMP
/// pool behind a one-thread comparison.
fn mkl_threading_layer(spec: &LibrarySpec, most_threads: i32, caller_layer: Option<&str>) {
    let is_mkl = spec
        .path
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("libmkl_rt"));
    if !is_mkl {
        return;
    }
    if let Some(layer) = caller_layer {
        eprintln!(
            "bench: {}: MKL_THREADING_LAYER={layer} (set by the caller, kept)",
            spec.path.display()
        );
        return;
    }
    let layer = if most_threads > 1 {
        "GNU"
    } else {
        "SEQUENTIAL"
    };
    eprintln!(
        "bench: {}: MKL_THREADING_LAYER={layer} for at most {most_threads} thread(s)",
        spec.path.display()
    );
    std::env::set_var("MKL_THREADING_LAYER", layer);
}

fn print_table(report: &Report) {
    println!("CPU: {}", report.cpu);
    for (index, lib) in report.libraries.iter().enumerate() {
        println!(
            "library {index}: {} (core: {}; threads {}; namespace {})",
            lib.path,
            lib.core.as_deref().unwrap_or("unknown"),
            if lib.sets_threads {
                "set per case"
            } else {
                "library default"
            },
            lib.namespace
        );
        if let Some(bindings) = &lib.bindings {
            let files = |blas: bool| {
                let mut files: Vec<&str> = bindings
                    .iter()
                    .filter(|(symbol, _)| lapack::BLAS_PROBES.contains(&symbol.as_str()) == blas)
                    .map(|(_, file)| file.as_str())
                    .collect();
                files.dedup();
                files.join(", ")
            };
            let blas = files(true);
            if blas.is_empty() {
                println!("  LAPACK routines served by {}", files(false));
            } else {
                println!(
                    "  LAPACK routines served by {}; their BLAS calls ({}) bound to {blas}",
                    files(false),
                    lapack::BLAS_PROBES.join(" ")
                );
            }
        }
    }
    println!("peak: {}", report.peak.describe());
    println!(
        "{:<7} {:<7} {:>6} {:>5} {:>3}  {:<28} {:>9} {:>9} {:>6} {:>7} {:>9}",
        "routine",
        "shape",
        "size",
        "k",
        "thr",
        "library",
        "best",
        "median",
        "%peak",
        "ours/it",
        "rel.diff"
    );
    for m in &report.measurements {
        let name = std::path::Path::new(&m.library)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let percent = m
            .percent_of_peak
            .map_or_else(|| "-".to_string(), |p| format!("{p:.1}"));
        println!(
            "{:<7} {:<7} {:>6} {:>5} {:>3}  {:<28} {:>9.2} {:>9.2} {:>6} {:>7.3} {:>9.1e}  {}",
            m.routine,
            m.shape,
            m.size,
            m.k,
            m.threads,
            name,
            m.best,
            m.median,
            percent,
            m.ours_over_this,
            m.max_relative_difference,
            m.unit
        );
    }
    let scalars = report
        .beta
        .map(|beta| format!("; alpha 1, beta {beta}"))
        .unwrap_or_default();
    println!(
        "ours/it: the first library's median over this library's (above 1: ours is faster); {} repetition(s), libraries alternated within each; {} mismatching result(s){scalars}",
        report.reps, report.mismatches
    );
    for note in &report.notes {
        println!("{note}");
    }
}

/// One goal of `--goals`: which measurements it covers and the ratio it asks for.
struct Goal {
    what: &'static str,
    target: f64,
    covers: fn(&Measurement) -> bool,
}

const GOALS: &[Goal] = &[
    Goal {
        what: "dgemm, sgemm square n=256..3072, 1 thread",
        target: 1.05,
        covers: |m| {
            m.threads == 1
                && m.shape == "square"
                && m.size >= 256
                && (m.routine == "dgemm" || m.routine == "sgemm")
        },
    },
    Goal {
        what: "zgemm, cgemm square n=256..3072, 1 thread",
        target: 1.0,
        covers: |m| {
            m.threads == 1
                && m.shape == "square"
                && m.size >= 256
                && (m.routine == "zgemm" || m.routine == "cgemm")
        },
    },
    Goal {
        what: "all GEMM, n <= 64, 1 thread",
        target: 1.5,
        covers: |m| m.threads == 1 && m.shape == "square" && m.size <= 64,
    },
    Goal {
        what: "all GEMM skinny m=n=2000, k <= 64, 1 thread",
        target: 1.5,
        covers: |m| m.threads == 1 && m.shape == "skinny" && m.k <= 64,
    },
    Goal {
        what: "daxpy, ddot, dgemv at 1e3..1e7 elements",
        target: 0.95,
        covers: |m| m.shape == "vector",
    },
    Goal {
        what: "dgemm n=1024..3072, 2 threads each",
        target: 1.0,
        covers: |m| m.threads == 2 && m.routine == "dgemm" && m.size >= 1024,
    },
    Goal {
        what: "d/z trsm trmm symm syrk syr2k, z hemm herk her2k, 1 thread",
        target: 0.95,
        covers: |m| m.threads == 1 && is_level3_family(m),
    },
    Goal {
        what: "the same Level 3 families, 2 threads",
        target: 0.9,
        covers: |m| m.threads == 2 && is_level3_family(m),
    },
    Goal {
        what: "ref. LAPACK d getrf potrf geqrf syevd, zgetrf",
        target: 1.0,
        covers: is_lapack_workload,
    },
];

/// The goals table: per goal and peer, the worst and the median of ours/theirs over the cases
/// the goal covers, and our own two-thread scaling.
fn print_goals(report: &Report) {
    println!();
    println!("Goals (ratio = our median over the peer's, same run; met = worst case >= target):");
    println!(
        "{:<46} {:<34} {:>6} {:>7} {:>7} {:>5}  verdict",
        "goal", "against", "cases", "worst", "median", "target"
    );
    for peer in report.libraries.iter().skip(1) {
        let label = format!(
            "{} ({})",
            std::path::Path::new(&peer.path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            peer.core.as_deref().unwrap_or("?")
        );
        for goal in GOALS {
            let mut ratios: Vec<f64> = report
                .measurements
                .iter()
                .filter(|m| m.library == peer.path && (goal.covers)(m))
                .map(|m| m.ours_over_this)
                .collect();
            if ratios.is_empty() {
                continue;
            }
            let worst = ratios.iter().cloned().fold(f64::INFINITY, f64::min);
            let middle = median(&mut ratios);
            let verdict = if worst >= goal.target {
                "met"
            } else if middle >= goal.target {
                "met on median, not in every case"
            } else {
                "not met"
            };
            println!(
                "{:<46} {:<34} {:>6} {:>7.3} {:>7.3} {:>5.2}  {verdict}",
                goal.what,
                label,
                ratios.len(),
                worst,
                middle,
                goal.target
            );
        }
    }
    // Our own scaling: two threads over one, dgemm n >= 1024.
    let ours = report
        .libraries
        .first()
        .map(|l| l.path.as_str())
        .unwrap_or("");
    let rate = |threads: i32, size: usize| {
        report
            .measurements
            .iter()
            .find(|m| {
                m.library == ours
                    && m.routine == "dgemm"
                    && m.shape == "square"
                    && m.threads == threads
                    && m.size == size
            })
            .map(|m| m.median)
    };
    let mut scaling: Vec<(usize, f64)> = Vec::new();
    for size in [1024, 2048, 3072] {
        if let (Some(one), Some(two)) = (rate(1, size), rate(2, size)) {
            scaling.push((size, two / one.max(1e-12)));
        }
    }
    if !scaling.is_empty() {
        let worst = scaling.iter().map(|s| s.1).fold(f64::INFINITY, f64::min);
        let list: Vec<String> = scaling
            .iter()
            .map(|(n, r)| format!("n={n}: {r:.2}"))
            .collect();
        println!(
            "{:<46} {:<34} {:>6} {:>7.3} {:>7} {:>5.2}  {}   ({})",
            "dgemm 2 threads over our 1 thread, n>=1024",
            "ourselves",
            scaling.len(),
            worst,
            "",
            1.8,
            if worst >= 1.8 { "met" } else { "not met" },
            list.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measurement(case: &Case) -> Measurement {
        Measurement {
            library: "peer".into(),
            routine: case.routine.clone(),
            shape: case.shape.clone(),
            size: case.size,
            m: case.m,
            n: case.n,
            k: case.k,
            threads: case.threads,
            best: 1.0,
            median: 1.0,
            unit: "GFLOPS",
            ours_over_this: 1.0,
            max_relative_difference: 0.0,
            percent_of_peak: None,
        }
    }

    /// A NaN on either side is a mismatch, not a difference of zero.
    #[test]
    fn a_nan_result_never_agrees() {
        assert_eq!(relative_difference(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
        assert_eq!(
            relative_difference(&[1.0, 2.0], &[f64::NAN, 2.0]),
            f64::INFINITY
        );
        assert_eq!(
            relative_difference(&[f64::NAN, 2.0], &[f64::NAN, 2.0]),
            f64::INFINITY
        );
        assert!((relative_difference(&[1.0, 2.0], &[1.0, 2.5]) - 0.25).abs() < 1e-15);
    }

    /// Standard flop counts: complex level 3 is four times the real count; the Hermitian
    /// routines exist in complex precisions only.
    #[test]
    fn level3_routines_and_their_flops() {
        let routines = blas_routines();
        assert_eq!(routines.len(), 7 + 5 * 4 + 3 * 2);
        assert!(routines.contains(&"zher2k".to_string()) && !routines.contains(&"dherk".into()));
        assert!(!square_only("dgemm") && !square_only("x") && !square_only(""));
        let (m, n, k) = (3.0, 4.0, 5.0);
        for (routine, flops) in [
            ("strsm", m * m * n),
            ("ztrmm", 4.0 * m * m * n),
            ("dsyrk", n * (n + 1.0) * k),
            ("cherk", 4.0 * n * (n + 1.0) * k),
            ("dsyr2k", 2.0 * n * (n + 1.0) * k),
            ("zher2k", 8.0 * n * (n + 1.0) * k),
            ("ssymm", 2.0 * m * m * n),
            ("chemm", 8.0 * m * m * n),
        ] {
            assert_eq!(work(routine, 3, 4, 5), (flops, "GFLOPS"), "{routine}");
        }
    }

    /// Every Level 3 case of --goals lands in exactly one family chart, and the chart files sit
    /// beside the main one.
    #[test]
    fn level3_goal_cases_each_have_one_chart() {
        for m in goal_cases()
            .iter()
            .map(measurement)
            .filter(is_level3_family)
        {
            let charts = LEVEL3_CHARTS
                .iter()
                .filter(|(_, members)| members.contains(&&m.routine[1..]))
                .count();
            assert_eq!(charts, 1, "{} is drawn {charts} times", m.routine);
        }
        assert_eq!(
            family_chart_path(std::path::Path::new("docs/bench-goals.svg"), "trsm"),
            std::path::Path::new("docs/bench-goals-trsm.svg")
        );
    }

    /// Every goal has cases to judge, and every case of --goals serves some goal (the
    /// one-thread dgemm rows also give the two-thread scaling row its baseline).
    #[test]
    fn goal_cases_and_goals_cover_each_other() {
        let cases: Vec<Measurement> = goal_cases()
            .iter()
            .chain(&goal_lapack_cases())
            .map(measurement)
            .collect();
        for goal in GOALS {
            assert!(
                cases.iter().any(|m| (goal.covers)(m)),
                "no case for goal '{}'",
                goal.what
            );
        }
        for m in &cases {
            assert!(
                GOALS.iter().any(|goal| (goal.covers)(m)),
                "case {} {} {} k={} t={} serves no goal",
                m.routine,
                m.shape,
                m.size,
                m.k,
                m.threads
            );
        }
        for size in [1024, 2048, 3072] {
            assert!(cases.iter().any(|m| m.routine == "dgemm"
                && m.shape == "square"
                && m.size == size
                && m.threads == 1));
        }
    }
}

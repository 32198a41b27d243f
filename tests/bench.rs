//! `blastool bench --quick` proves the command and its cross-check work (it judges no speed):
//! our kernels library against Debian's OpenBLAS, every routine, JSON and an SVG chart. Stand-in
//! libraries built with `cc` at test time prove that each library is loaded in a namespace of
//! its own, that a routine a library lacks is skipped, and that MKL gets its threading layer.

mod common;

use std::process::Command;

#[test]
fn quick_bench_against_openblas_agrees_numerically() {
    let openblas = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    if !common::require(
        std::path::Path::new(openblas).exists(),
        "Debian's libopenblas.so.0",
        "apt-get install libopenblas0-pthread",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("bench.svg");
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .arg("bench")
        .arg("--quick")
        .arg("--json")
        .arg("--library")
        .arg(common::built_kernels().join("libkernels.so"))
        .args(["--against", openblas])
        .args([
            "--routines",
            "dgemm,sgemm,zgemm,cgemm,daxpy,ddot,dgemv,dtrsm,dtrmm,dsyrk,dsymm",
        ])
        .args(["--threads", "1,2"])
        .arg("--plot")
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["mismatches"], 0);
    let measurements = report["measurements"].as_array().unwrap();
    // 11 routines × 3 sizes × 2 thread counts × 2 libraries.
    assert_eq!(measurements.len(), 11 * 3 * 2 * 2);
    assert!(measurements
        .iter()
        .all(|m| m["median"].as_f64().unwrap() > 0.0));
    assert_eq!(
        report["libraries"][0]["core"]
            .as_str()
            .map(|s| !s.is_empty()),
        Some(true)
    );
    assert!(
        report["libraries"][1]["core"].is_string(),
        "OpenBLAS names its core"
    );
    for library in report["libraries"].as_array().unwrap() {
        assert_eq!(library["namespace"], "own", "{library}");
    }
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(
        chart.starts_with("<svg") && chart.contains("<polyline"),
        "not an SVG chart"
    );
}

/// The square level 3 routines in every precision — s/d/c/z trsm, trmm, syrk, syr2k, symm and
/// c/z herk, her2k, hemm — agree between our kernels, Debian's OpenBLAS and the reference BLAS.
#[test]
fn level3_in_every_precision_agrees_with_openblas_and_reference_blas() {
    let reference = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
    let openblas = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    if !common::require(
        std::path::Path::new(openblas).exists() && std::path::Path::new(reference).exists(),
        "Debian's libopenblas.so.0 and reference libblas.so.3",
        "apt-get install libopenblas0-pthread libblas3",
    ) {
        return;
    }
    let mut routines = Vec::new();
    for op in [
        "trsm", "trmm", "syrk", "syr2k", "symm", "herk", "her2k", "hemm",
    ] {
        for precision in ["s", "d", "c", "z"] {
            if !(op.starts_with("he") && (precision == "s" || precision == "d")) {
                routines.push(format!("{precision}{op}"));
            }
        }
    }
    assert_eq!(routines.len(), 26);
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--quick", "--json", "--library"])
        .arg(common::built_kernels().join("libkernels.so"))
        .args(["--against", openblas, "--against", reference])
        .args(["--routines", &routines.join(",")])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::text(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["mismatches"], 0);
    let measurements = report["measurements"].as_array().unwrap();
    // 26 routines × 3 sizes × 3 libraries, none skipped.
    assert_eq!(measurements.len(), 26 * 3 * 3);
    for m in measurements {
        assert!(m["median"].as_f64().unwrap() > 0.0, "{m}");
        assert!(m["percent_of_peak"].is_number(), "{m}");
    }
}

#[test]
fn bad_bench_arguments_are_one_line_errors() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_blastool"))
            .arg("bench")
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&["--library", "/nonexistent/libnothing.so", "--quick"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot load") && stderr.lines().count() == 1,
        "{stderr}"
    );
    let output = run(&["--routines", "dfoo", "--quick"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown routine"));
    // A size whose data cannot fit (here 10^14 matrix elements) is refused before any library
    // loads or any line is printed, instead of aborting in the allocator mid-run.
    let output = run(&[
        "--library",
        "/nonexistent/libnothing.so",
        "--routines",
        "dgemv",
        "--sizes",
        "1000,10000000",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("dgemv at size 10000000 needs")
            && stderr.contains("choose a smaller --sizes value")
            && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn bench_measures_what_blastool_build_produced_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let build = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["build", "--target", "GENERIC", "--quiet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--quick", "--json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let path = report["libraries"][0]["path"].as_str().unwrap();
    assert!(
        path.ends_with("blastool-generic/lib/libblastool.so"),
        "{path}"
    );
    assert_eq!(report["libraries"][0]["core"], "GENERIC");
}

/// A stand-in BLAS: `cblas_dgemm` does nothing (bench needs the name, and every library leaves C
/// alike), and the core name it reports is what `dep_name` — from its dependency — answers.
const PEER: &str = r#"
const char *dep_name(void);
void cblas_dgemm(void) {}
const char *openblas_get_corename(void) { return dep_name(); }
"#;

/// Runs `cc` in `dir`, panicking with its output when it fails.
fn cc(dir: &std::path::Path, args: &[&str]) {
    let output = Command::new("cc")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cc {args:?}: {}",
        common::text(&output.stderr)
    );
}

/// `bench --json` with one size and repetition of dgemm; the report.
fn bench_json(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--json", "--routines", "dgemm", "--sizes", "8"])
        .args(["--reps", "1"])
        .args(args)
        .current_dir(dir)
        .env_remove("MKL_THREADING_LAYER")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::text(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Two peers, `one/libpeer.so` and `two/libpeer.so`, each need a `libdep.so` (same soname) found
/// beside it, whose `dep_name` answers "dep-one" or "dep-two". In one namespace the loader
/// matches the second peer's dependency by soname to the copy already loaded for the first, so
/// both answer "dep-one" — what happens to two peers that need different `libblas.so.3` or
/// `libgfortran.so.5`. With a namespace each, each binds its own.
#[test]
fn each_library_binds_its_own_dependencies() {
    if !common::require(
        common::tool_runs("cc"),
        "a C compiler (cc)",
        "apt-get install gcc",
    ) {
        return;
    }
    let dir = common::scratch("bench", "isolation");
    for which in ["one", "two"] {
        std::fs::create_dir(dir.join(which)).unwrap();
        std::fs::write(
            dir.join(which).join("dep.c"),
            format!("const char *dep_name(void) {{ return \"dep-{which}\"; }}\n"),
        )
        .unwrap();
        std::fs::write(dir.join(which).join("peer.c"), PEER).unwrap();
        let lib = |name: &str| format!("{which}/{name}");
        cc(
            &dir,
            &[
                "-shared",
                "-fPIC",
                "-Wl,-soname,libdep.so",
                "-o",
                &lib("libdep.so"),
                &lib("dep.c"),
            ],
        );
        cc(
            &dir,
            &[
                "-shared",
                "-fPIC",
                "-o",
                &lib("libpeer.so"),
                &lib("peer.c"),
                &format!("-L{which}"),
                "-ldep",
                "-Wl,-rpath,$ORIGIN",
            ],
        );
    }
    let peers = ["--library", "one/libpeer.so", "--against", "two/libpeer.so"];
    let cores = |report: &serde_json::Value| -> Vec<(String, String)> {
        report["libraries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["core"].as_str().unwrap().to_string(),
                    l["namespace"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let isolated = bench_json(&dir, &peers);
    assert_eq!(
        cores(&isolated),
        [
            ("dep-one".into(), "own".into()),
            ("dep-two".into(), "own".into())
        ]
    );
    // The control: the same two peers sharing the main namespace bind one copy.
    let shared = bench_json(&dir, &[&peers[..], &["--no-isolation"]].concat());
    let reason = "shared (--no-isolation)".to_string();
    assert_eq!(
        cores(&shared),
        [
            ("dep-one".into(), reason.clone()),
            ("dep-one".into(), reason)
        ]
    );
}

/// A routine a library does not export is skipped for that library, or for all when ours lacks
/// it, with one line on stderr; the run goes on. The stand-in exports cblas_dgemm only.
#[test]
fn a_routine_missing_from_a_library_is_skipped_not_fatal() {
    let openblas = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";
    if !common::require(
        common::tool_runs("cc") && std::path::Path::new(openblas).exists(),
        "a C compiler (cc) and Debian's libopenblas.so.0",
        "apt-get install gcc libopenblas0-pthread",
    ) {
        return;
    }
    let dir = common::scratch("bench", "missing-routine");
    std::fs::write(
        dir.join("peer.c"),
        "void cblas_dgemm(void) {}\nconst char *openblas_get_corename(void) { return \"stub\"; }\n",
    )
    .unwrap();
    cc(&dir, &["-shared", "-fPIC", "-o", "libpeer.so", "peer.c"]);
    let run = |ours: &str, peer: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
            .args(["bench", "--json", "--routines", "dtrsm", "--sizes", "16"])
            .args(["--reps", "1", "--library", ours, "--against", peer])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}",
            common::text(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let libraries: Vec<String> = report["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["library"].as_str().unwrap().to_string())
            .collect();
        (libraries, common::text(&output.stderr))
    };
    let (measured, stderr) = run(openblas, "./libpeer.so");
    assert_eq!(measured, [openblas]);
    assert!(
        stderr.contains("./libpeer.so does not export cblas_dtrsm: skipping that library"),
        "{stderr}"
    );
    let (measured, stderr) = run("./libpeer.so", openblas);
    assert!(measured.is_empty(), "{measured:?}");
    assert!(
        stderr.contains("does not export cblas_dtrsm: skipping the routine"),
        "{stderr}"
    );
}

/// A library named `libmkl_rt.so` gets `MKL_THREADING_LAYER` before it loads: SEQUENTIAL when
/// one thread is asked for, GNU when more. The stand-in reports the variable as its core name,
/// read inside its own namespace, where MKL would read it.
#[test]
fn mkl_gets_a_threading_layer_matching_the_threads() {
    if !common::require(
        common::tool_runs("cc"),
        "a C compiler (cc)",
        "apt-get install gcc",
    ) {
        return;
    }
    let dir = common::scratch("bench", "mkl");
    std::fs::write(
        dir.join("mkl.c"),
        r#"
#include <stdlib.h>
void cblas_dgemm(void) {}
const char *openblas_get_corename(void) {
    const char *layer = getenv("MKL_THREADING_LAYER");
    return layer ? layer : "unset";
}
"#,
    )
    .unwrap();
    cc(&dir, &["-shared", "-fPIC", "-o", "libmkl_rt.so.2", "mkl.c"]);
    for (threads, layer) in [("1", "SEQUENTIAL"), ("1,2", "GNU")] {
        let report = bench_json(
            &dir,
            &["--library", "./libmkl_rt.so.2", "--threads", threads],
        );
        assert_eq!(report["libraries"][0]["core"], layer, "threads {threads}");
    }
    // A layer the caller chose is kept.
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--json", "--sizes", "8", "--reps", "1"])
        .args(["--library", "./libmkl_rt.so.2"])
        .current_dir(&dir)
        .env("MKL_THREADING_LAYER", "INTEL")
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["libraries"][0]["core"], "INTEL");
}

const REFERENCE_LAPACK: &str = "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3";
const REFERENCE_BLAS: &str = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";
const OPENBLAS: &str = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0";

/// Reference LAPACK, Debian's OpenBLAS and reference BLAS, or a loud skip.
fn lapack_peers_present() -> bool {
    common::require(
        [REFERENCE_LAPACK, REFERENCE_BLAS, OPENBLAS]
            .iter()
            .all(|p| std::path::Path::new(p).exists()),
        "Debian's reference LAPACK, reference BLAS and OpenBLAS",
        "apt-get install liblapack3 libblas3 libopenblas0-pthread",
    )
}

fn canonical(path: &std::path::Path) -> String {
    std::fs::canonicalize(path).unwrap().display().to_string()
}

/// `bench --lapack` on small sizes: reference LAPACK over our library, over OpenBLAS and over the
/// reference BLAS (plus OpenBLAS's own LAPACK, `--own-lapack`), 1 and 2 threads. Every child
/// must report the timed LAPACK routines served by reference LAPACK (OpenBLAS's row by
/// libopenblas itself) and the BLAS calls LAPACK makes bound to the library it stands for; the
/// results must agree.
#[test]
fn lapack_mode_runs_reference_lapack_over_each_blas() {
    if !lapack_peers_present() {
        return;
    }
    let ours = common::built_kernels().join("libkernels.so");
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--lapack", "--quick", "--json", "--own-lapack"])
        .arg("--library")
        .arg(&ours)
        .args(["--against", OPENBLAS, "--against", REFERENCE_BLAS])
        .args(["--threads", "1,2"])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        common::text(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["mismatches"], 0);
    let libraries = report["libraries"].as_array().unwrap();
    let labels: Vec<&str> = libraries
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    let ours_label = ours.display().to_string();
    let own = format!("{OPENBLAS} (own LAPACK)");
    assert_eq!(
        labels,
        [ours_label.as_str(), OPENBLAS, own.as_str(), REFERENCE_BLAS]
    );
    let lapack = canonical(std::path::Path::new(REFERENCE_LAPACK));
    let openblas = canonical(std::path::Path::new(OPENBLAS));
    let expected = [
        (canonical(&ours), lapack.clone()),
        (openblas.clone(), lapack.clone()),
        (String::new(), openblas.clone()),
        (canonical(std::path::Path::new(REFERENCE_BLAS)), lapack),
    ];
    for (library, (blas, lapack)) in libraries.iter().zip(&expected) {
        let bindings = library["bindings"].as_object().unwrap();
        for routine in ["dgetrf_", "dpotrf_", "dgeqrf_", "dsyevd_", "zgetrf_"] {
            assert_eq!(bindings[routine], lapack.as_str(), "{library}");
        }
        if !blas.is_empty() {
            for symbol in ["dgemm_", "dtrsm_", "zgemm_", "dsymv_"] {
                assert_eq!(bindings[symbol], blas.as_str(), "{library}");
            }
        }
    }
    assert!(libraries[1]["core"].is_string(), "OpenBLAS names its core");
    // 5 routines × 2 sizes × 2 thread counts × 4 rows.
    let measurements = report["measurements"].as_array().unwrap();
    assert_eq!(measurements.len(), 5 * 2 * 2 * 4);
    assert!(measurements
        .iter()
        .all(|m| m["median"].as_f64().unwrap() > 0.0));
}

/// The binding check can fail: with OpenBLAS preloaded, reference LAPACK's dgemm_ binds to it
/// (the global scope comes first) although our library is its libblas.so.3 — the child reads
/// that from LAPACK's GOT and the run stops with one line naming the interposer.
#[test]
fn lapack_mode_refuses_a_blas_someone_else_interposes() {
    if !lapack_peers_present() {
        return;
    }
    let ours = common::built_kernels().join("libkernels.so");
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--lapack", "--routines", "dgetrf", "--sizes", "16"])
        .args(["--reps", "1", "--library"])
        .arg(&ours)
        .env("LD_PRELOAD", OPENBLAS)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::text(&output.stderr);
    let openblas = canonical(std::path::Path::new(OPENBLAS));
    assert!(
        stderr.contains(&format!("dgemm_ is served by {openblas}, not by"))
            && stderr.lines().count() == 1,
        "{stderr}"
    );
}

/// A peer whose names carry a prefix (scipy-openblas) cannot serve reference LAPACK: one line,
/// skipped, the run goes on; LAPACK and BLAS routines cannot share a run.
#[test]
fn lapack_mode_skips_affixed_peers_and_rejects_mixed_routines() {
    if !lapack_peers_present() {
        return;
    }
    let ours = common::built_kernels().join("libkernels.so");
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--json", "--routines", "dpotrf", "--sizes", "16"])
        .args(["--reps", "1", "--library"])
        .arg(&ours)
        .args(["--against", &format!("{OPENBLAS}@scipy_")])
        .output()
        .unwrap();
    let stderr = common::text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("skipped") && stderr.contains("cannot serve reference LAPACK"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["libraries"].as_array().unwrap().len(), 1);
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["bench", "--routines", "dgetrf,dgemm", "--quick"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = common::text(&output.stderr);
    assert!(
        stderr.contains("cannot share one run") && stderr.lines().count() == 1,
        "{stderr}"
    );
}

//! `blastool bench --quick` proves the command and its cross-check work (it judges no speed):
//! our kernels library against Debian's OpenBLAS, every routine, JSON and an SVG chart.

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
        .args(["--routines", "dgemm,sgemm,zgemm,cgemm,daxpy,ddot,dgemv"])
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
    // 7 routines × 3 sizes × 2 thread counts × 2 libraries.
    assert_eq!(measurements.len(), 7 * 3 * 2 * 2);
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
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(
        chart.starts_with("<svg") && chart.contains("<polyline"),
        "not an SVG chart"
    );
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

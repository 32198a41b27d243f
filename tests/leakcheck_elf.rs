//! `blastool leakcheck` on ELF shared objects: the real CLI on the fixtures of
//! `tests/fixtures/leak/` (built by its `build.sh`), checking verdicts, figures and the errors
//! for inputs that cannot be loaded.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/leak/bin/elf")
        .join(name)
}

fn blastool(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(args)
        .output()
        .expect("blastool runs")
}

/// Runs `leakcheck --json` and returns (exit status, parsed JSON).
fn leakcheck_json(lib: &str, extra: &[&str]) -> (i32, Value) {
    let path = fixture(lib);
    let mut args = vec!["leakcheck", path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let output = blastool(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{lib}: no JSON ({e}); stdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

/// Runs `leakcheck` expecting an error: returns its stderr after checking exit status 2.
fn leakcheck_error(lib: &Path, extra: &[&str]) -> String {
    let mut args = vec!["leakcheck", lib.to_str().unwrap()];
    args.extend_from_slice(extra);
    let output = blastool(&args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: expected exit 2; stdout:\n{}\nstderr:\n{stderr}",
        lib.display(),
        String::from_utf8_lossy(&output.stdout)
    );
    stderr
}

fn number(json: &Value, field: &str) -> f64 {
    json[field]
        .as_f64()
        .unwrap_or_else(|| panic!("{field} is not a number in {json}"))
}

#[test]
fn a_constructor_without_destructor_leaks_its_4_mib_per_cycle() {
    let (status, json) = leakcheck_json("ctor_leak.so", &[]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    assert_eq!(json["unloaded"], true);
    let kib = number(&json, "memory_kib_per_cycle");
    assert!(
        (kib - 4096.0).abs() <= 0.2 * 4096.0,
        "4 MiB leak measured as {kib} KiB/cycle"
    );
    assert_eq!(number(&json, "threads_per_cycle"), 0.0);
    assert_eq!(number(&json, "handles_per_cycle"), 0.0);
    // The documented minimum of the JSON contract.
    for field in [
        "path",
        "cycles",
        "unloaded",
        "memory_kib_per_cycle",
        "threads_per_cycle",
        "handles_per_cycle",
        "verdict",
    ] {
        assert!(json.get(field).is_some(), "{field} missing from {json}");
    }
    assert_eq!(json["cycles"], 20);
    assert_eq!(json["samples"].as_array().map(Vec::len), Some(21));
}

#[test]
fn the_same_constructor_with_a_destructor_is_clean() {
    let (status, json) = leakcheck_json("ctor_paired.so", &[]);
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["verdict"], "clean");
    assert_eq!(json["unloaded"], true);
    assert!(number(&json, "memory_kib_per_cycle").abs() < 16.0, "{json}");
    // The exact heap count returns to its level too: the 4 MiB block is freed on unload.
    assert!(
        number(&json, "heap_bytes_per_cycle").abs() < 256.0,
        "{json}"
    );
    assert_eq!(json["grew"], serde_json::json!([]));
}

#[test]
fn a_constructor_that_keeps_one_kib_leaks_about_1024_heap_bytes_per_cycle() {
    let (status, json) = leakcheck_json("ctor_kib.so", &[]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    let bytes = number(&json, "heap_bytes_per_cycle");
    // 1024 bytes plus glibc's chunk header, rounded to 16.
    assert!((1024.0..=1100.0).contains(&bytes), "{bytes} bytes/cycle");
    // Far too little for resident or committed memory to show.
    assert!(number(&json, "memory_kib_per_cycle").abs() < 16.0, "{json}");
    assert_eq!(json["grew"], serde_json::json!(["heap"]));
    let series = json["heap_bytes_series"].as_array().expect("a series");
    assert_eq!(series.len(), 21);
    assert_eq!(
        json["samples"][20]["heap_bytes"], series[20],
        "the series is the samples' heap_bytes"
    );
}

#[test]
fn a_tls_key_created_per_load_is_a_leak() {
    let (status, json) = leakcheck_json("ctor_tls_key.so", &["--cycles", "12"]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    assert_eq!(number(&json, "tls_keys_per_cycle"), 1.0);
    assert_eq!(json["grew"], serde_json::json!(["tls-keys"]));
    assert!(json["summary"].as_str().unwrap().contains("TLS keys"));
}

#[test]
fn an_anonymous_mapping_kept_per_load_is_a_leak() {
    let (status, json) = leakcheck_json("ctor_mmap.so", &["--cycles", "12"]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    // 64 KiB of address space; none of it is malloc heap.
    assert_eq!(number(&json, "memory_kib_per_cycle"), 64.0);
    assert!(
        number(&json, "heap_bytes_per_cycle").abs() < 256.0,
        "{json}"
    );
}

#[test]
fn a_file_kept_open_per_load_is_a_leak() {
    let (status, json) = leakcheck_json("ctor_fopen.so", &["--cycles", "12"]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    assert_eq!(number(&json, "handles_per_cycle"), 1.0);
    // The FILE itself stays on the heap too.
    assert!(number(&json, "heap_bytes_per_cycle") >= 256.0, "{json}");
}

#[test]
fn a_constructor_that_only_reads_the_environment_is_clean() {
    let (status, json) = leakcheck_json("ctor_getenv.so", &[]);
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["verdict"], "clean");
    assert_eq!(number(&json, "heap_bytes_per_cycle"), 0.0);
    assert_eq!(number(&json, "tls_keys_per_cycle"), 0.0);
}

#[test]
fn a_thread_started_by_a_constructor_leaks_one_thread_per_cycle() {
    let (status, json) = leakcheck_json("ctor_thread.so", &["--cycles", "12"]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["verdict"], "leak");
    assert_eq!(number(&json, "threads_per_cycle"), 1.0);
}

#[test]
fn a_nodelete_library_is_not_unloaded_rather_than_clean() {
    let (status, json) = leakcheck_json("ctor_nodelete.so", &[]);
    assert_eq!(status, 0, "{json}");
    assert_eq!(json["verdict"], "not-unloaded");
    assert_eq!(json["unloaded"], false);
}

#[test]
fn call_runs_a_lazy_initialiser_each_cycle() {
    let (status, json) = leakcheck_json("lazy_leak.so", &[]);
    assert_eq!((status, json["verdict"].as_str()), (0, Some("clean")));
    assert!(
        number(&json, "heap_bytes_per_cycle").abs() < 256.0,
        "{json}"
    );
    let (status, json) = leakcheck_json("lazy_leak.so", &["--call", "lazy_init"]);
    assert_eq!(status, 1, "{json}");
    assert_eq!(json["call"], "lazy_init");
    let kib = number(&json, "memory_kib_per_cycle");
    assert!((kib - 1024.0).abs() <= 0.2 * 1024.0, "{kib} KiB/cycle");
}

#[test]
fn a_missing_symbol_for_call_is_named() {
    let stderr = leakcheck_error(&fixture("lazy_leak.so"), &["--call", "no_such_function"]);
    assert!(stderr.contains("no_such_function"), "{stderr}");
}

#[test]
fn a_crash_in_the_constructor_is_reported_with_the_signal() {
    let stderr = leakcheck_error(&fixture("ctor_crash.so"), &[]);
    assert!(stderr.contains("SIGSEGV"), "{stderr}");
    assert!(stderr.contains("while loading it in cycle 1"), "{stderr}");
}

#[test]
fn a_missing_dependency_is_named() {
    let stderr = leakcheck_error(&fixture("missing_dep.so"), &[]);
    assert!(stderr.contains("libleakcheck_gone.so"), "{stderr}");
    assert!(stderr.contains("cannot load the library"), "{stderr}");
}

#[test]
fn an_object_file_or_a_text_file_is_not_loadable() {
    let stderr = leakcheck_error(&fixture("not_a_library.o"), &[]);
    assert!(stderr.contains("relocatable object"), "{stderr}");
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/leak/src/gone.c");
    let stderr = leakcheck_error(&source, &[]);
    assert!(
        stderr.contains("not an ELF shared object or a PE DLL"),
        "{stderr}"
    );
}

#[test]
fn a_hanging_constructor_is_killed_at_the_timeout() {
    let started = std::time::Instant::now();
    let stderr = leakcheck_error(&fixture("ctor_hang.so"), &["--timeout", "2"]);
    assert!(
        started.elapsed().as_secs() < 15,
        "took {:?}",
        started.elapsed()
    );
    assert!(stderr.contains("did not finish within 2 s"), "{stderr}");
    assert!(stderr.contains("while loading it in cycle 1"), "{stderr}");
}

#[test]
fn the_memory_limit_stops_a_runaway_leak() {
    let stderr = leakcheck_error(
        &fixture("ctor_leak.so"),
        &["--memory-limit", "64", "--cycles", "200"],
    );
    assert!(
        stderr.contains("over the memory limit of 64 MiB"),
        "{stderr}"
    );
}

#[test]
fn text_output_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("leak.svg");
    let lib = fixture("ctor_leak.so");
    let output = blastool(&[
        "leakcheck",
        lib.to_str().unwrap(),
        "--cycles",
        "8",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("verdict: leak"), "{stdout}");
    assert!(stdout.contains("KiB/cycle committed"), "{stdout}");
    assert!(stdout.contains("bytes/cycle in use"), "{stdout}");
    let drawing = std::fs::read_to_string(&svg).expect("the plot was written");
    assert!(drawing.starts_with("<svg"), "{drawing}");
    assert!(drawing.contains("<polyline"), "no lines in the plot");
    assert!(drawing.contains(">threads after each unload</text>"));
    assert!(drawing.trim_end().ends_with("</svg>"));
}

#[test]
fn help_says_the_library_code_is_executed() {
    let output = blastool(&["leakcheck", "--help"]);
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("EXECUTE"), "{help}");
}

#[test]
fn a_real_blas_with_the_dgemm_preset() {
    // Debian's OpenBLAS: gotoblas_init / gotoblas_quit are paired, so load, dgemm and unload
    // keep nothing.
    let openblas = Path::new("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
    if !common::require(
        openblas.exists(),
        "libopenblas.so.0",
        "apt-get install libopenblas0-pthread",
    ) {
        return;
    }
    let output = blastool(&[
        "leakcheck",
        openblas.to_str().unwrap(),
        "--call",
        "blas",
        "--json",
        "--cycles",
        "10",
    ]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stderr));
    });
    assert_eq!(json["verdict"], "clean", "{json}");
    assert_eq!(output.status.code(), Some(0));
    // ld.so's TLS bookkeeping keeps a few dozen bytes per load; below the heap threshold.
    assert!(number(&json, "heap_bytes_per_cycle") < 256.0, "{json}");
}

#[test]
fn the_library_api_and_confirm_for_audit() {
    let options = blastool::leakcheck::Options {
        cycles: 8,
        child_program: Some(PathBuf::from(env!("CARGO_BIN_EXE_blastool"))),
        ..Default::default()
    };
    let verdict = blastool::leakcheck::check(&fixture("ctor_leak.so"), &options).unwrap();
    assert_eq!(verdict.verdict, blastool::leakcheck::Verdict::Leak);

    let mut reports = blastool::audit::audit_file(&fixture("ctor_leak.so"));
    let report = reports.remove(0);
    assert!(
        !report.findings.is_empty(),
        "the audit finds the unpaired constructor"
    );
    let confirmation = blastool::leakcheck::confirm(&report, &options).expect("a library");
    assert_eq!(confirmation.status, "checked");
    let leak = confirmation.leak.expect("a verdict");
    assert_eq!(leak.verdict, blastool::leakcheck::Verdict::Leak);
    assert!(
        leak.samples.is_empty(),
        "samples are not attached to findings"
    );
    let json = serde_json::to_value(&leak).unwrap();
    assert_eq!(json["verdict"], "leak");

    // Nothing to confirm for a paired constructor: no findings.
    let mut reports = blastool::audit::audit_file(&fixture("ctor_paired.so"));
    assert!(blastool::leakcheck::confirm(&reports.remove(0), &options).is_none());
}

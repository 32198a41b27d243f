//! `blastool audit --confirm`: findings in loadable libraries get a leak check's verdict
//! attached, in JSON and SARIF.

mod common;

use std::process::Command;

fn audit_json(args: &[&str]) -> serde_json::Value {
    audit_json_and_stderr(args).0
}

fn audit_json_and_stderr(args: &[&str]) -> (serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--confirm", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(matches!(output.status.code(), Some(0 | 1)), "{stderr}");
    (serde_json::from_slice(&output.stdout).unwrap(), stderr)
}

fn leak_fixture(relative: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/leak/bin")
        .join(relative)
        .display()
        .to_string()
}

#[test]
fn confirm_attaches_the_leakcheck_verdict_to_elf_findings() {
    let report = audit_json(&[
        &leak_fixture("elf/ctor_leak.so"),
        &leak_fixture("elf/ctor_paired.so"),
    ]);
    let leaky = &report["files"][0];
    assert_eq!(leaky["findings"].as_array().unwrap().len(), 1);
    assert_eq!(leaky["confirmation"]["status"], "checked");
    assert_eq!(leaky["confirmation"]["leak"]["verdict"], "leak");
    let per_cycle = leaky["confirmation"]["leak"]["memory_kib_per_cycle"]
        .as_f64()
        .unwrap();
    assert!(
        (per_cycle - 4096.0).abs() < 0.2 * 4096.0,
        "{per_cycle} KiB/cycle"
    );
    // No finding, nothing to confirm: the library is not executed.
    assert!(report["files"][1].get("confirmation").is_none());
}

#[test]
fn confirm_ends_with_the_precision_of_the_run() {
    // ctor_kib.so keeps 1 KiB per load; ctor_getenv.so has a constructor that keeps nothing
    // (whether the audit flags it depends on how far the audit sees, so the expected line is
    // computed from the report).
    let (report, stderr) = audit_json_and_stderr(&[
        &leak_fixture("elf/ctor_kib.so"),
        &leak_fixture("elf/ctor_getenv.so"),
    ]);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files[0]["confirmation"]["leak"]["verdict"], "leak");
    let verdicts: Vec<&str> = files
        .iter()
        .filter_map(|f| f["confirmation"]["leak"]["verdict"].as_str())
        .collect();
    let leaks = verdicts.iter().filter(|v| **v == "leak").count();
    let (loadable, noun) = match verdicts.len() {
        1 => (1, "library"),
        n => (n, "libraries"),
    };
    let expected = format!(
        "confirm: {loadable} flagged {noun} loadable, {leaks} leak (precision {:.0}%)",
        100.0 * leaks as f64 / loadable as f64
    );
    assert!(stderr.contains(&expected), "{expected:?} not in {stderr}");
}

#[test]
fn confirm_runs_dlls_under_wine_and_tells_md_from_mt() {
    let wine = Command::new("wine").arg("--version").output().is_ok();
    if !common::require(wine, "wine", "apt-get install wine64") {
        return;
    }
    let md = common::fixture("../pe/bin/msvc-x64-md/ctor.dll")
        .display()
        .to_string();
    let report = audit_json(&[&md]);
    let file = &report["files"][0];
    assert_eq!(file["findings"][0]["rule"], "BLT002");
    assert_eq!(file["confirmation"]["leak"]["verdict"], "leak", "{file:#}");
    // The /MT twin has no finding, so it is not loaded at all.
    let mt = common::fixture("../pe/bin/msvc-x64-mt/ctor.dll")
        .display()
        .to_string();
    let report = audit_json(&[&mt]);
    assert!(report["files"][0].get("confirmation").is_none());
}

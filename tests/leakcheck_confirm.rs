//! `blastool audit --confirm`: findings in loadable libraries get a leak check's verdict
//! attached, in JSON and SARIF.

mod common;

use std::process::Command;

fn audit_json(args: &[&str]) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--confirm", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
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

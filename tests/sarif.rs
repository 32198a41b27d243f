//! SARIF output validated by Microsoft's SARIF validator (schema and GitHub ingestion rules).
//! The test command installs it under `.tools/`; CI fails when it is missing.

mod common;

use std::path::PathBuf;
use std::process::Command;

fn multitool() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BLASTOOL_SARIF_MULTITOOL") {
        return Some(PathBuf::from(path));
    }
    let bundled = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    bundled.exists().then_some(bundled)
}

/// Runs the validator; returns the (rule id, level) of every problem it reports.
fn validate(
    tool: &PathBuf,
    sarif: &std::path::Path,
    out: &std::path::Path,
) -> Vec<(String, String)> {
    let status = Command::new(tool)
        .arg("validate")
        .arg(sarif)
        .arg("--output")
        .arg(out)
        .args(["--log", "ForceOverwrite", "--rule-kind", "Sarif;Gh"])
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .status()
        .expect("run the SARIF multitool");
    assert!(status.success(), "validator failed to run");
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap_or("?").to_string(),
                r["level"].as_str().unwrap_or("warning").to_string(),
            )
        })
        .collect()
}

#[test]
fn sarif_output_passes_the_schema_and_github_rules() {
    let tool = multitool();
    if !common::require(
        tool.is_some(),
        "the SARIF validator (Sarif.Multitool)",
        "scripts/test.sh installs it: npm install --prefix .tools @microsoft/sarif-multitool",
    ) {
        return;
    }
    let tool = tool.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("audit.sarif");
    let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--format", "sarif", "--output"])
        .arg(&sarif)
        .arg(common::fixture("coff"))
        .arg(common::fixture("elf/x86_64-gnuld"))
        .arg(common::fixture("archive/msvc.lib"))
        .arg(common::fixture("bad"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "bad/truncated.so makes the run exit 2"
    );
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 10, "expected findings in the report");
    assert!(results.iter().all(|r| r["partialFingerprints"].is_object()));
    let notifications = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notifications.as_array().unwrap().len(),
        1,
        "the truncated file is a notification"
    );

    let problems = validate(&tool, &sarif, &dir.path().join("validation.sarif"));
    let serious: Vec<_> = problems
        .iter()
        .filter(|(_, level)| level == "error")
        .collect();
    assert!(serious.is_empty(), "validator errors: {serious:?}");

    // The validator must be able to fail: a copy with a broken required field is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let broken_path = dir.path().join("broken.sarif");
    std::fs::write(&broken_path, serde_json::to_vec(&broken).unwrap()).unwrap();
    let problems = validate(
        &tool,
        &broken_path,
        &dir.path().join("broken-validation.sarif"),
    );
    assert!(
        problems.iter().any(|(_, level)| level == "error"),
        "{problems:?}"
    );
}

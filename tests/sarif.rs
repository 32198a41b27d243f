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

/// Two releases of a project, audited as CI would: 1.0 writes a baseline, then 1.1 (the leaky
/// library fixed, `_core.so` unchanged under a new version, a new leak, plus a file outside the
/// directory) is audited against it with an allowlist. Returns the directory, the SARIF file
/// and its contents.
fn two_releases() -> (PathBuf, PathBuf, serde_json::Value) {
    let dir = common::scratch("sarif", "github-ready");
    // An unpacked wheel whose version changes between two releases.
    let old = dir.join("dist/pkg-1.0-cp311-cp311-manylinux_2_28_x86_64/pkg");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::copy(
        common::fixture("elf/x86_64-gnuld/unpaired.so"),
        old.join("libleaky.so.1.2.3"),
    )
    .unwrap();
    std::fs::copy(
        common::fixture("elf/x86_64-gnuld/priorities.so"),
        old.join("_core.so"),
    )
    .unwrap();
    std::fs::copy(common::fixture("archive/libelf.a"), dir.join("libelf.a")).unwrap();
    std::fs::write(
        dir.join("blastool.toml"),
        "[[allow]]\nrule = \"BLT001\"\npath = \"libelf.a!priorities.o\"\nreason = \"vendored; tracked upstream\"\n\n\
         [[allow]]\nrule = \"BLT002\"\npath = \"gone.dll\"\nreason = \"stale\"\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_blastool"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        (output.status.code(), common::text(&output.stderr))
    };
    let (status, stderr) = run(&["audit", "--write-baseline", "base.json", "dist", "libelf.a"]);
    assert_eq!(status, Some(1), "{stderr}");
    // Release 1.1: the leaky library is fixed (gone), _core.so is unchanged, a new leak appears.
    let new = dir.join("dist/pkg-1.1-cp311-cp311-manylinux_2_28_x86_64/pkg");
    std::fs::create_dir_all(&new).unwrap();
    std::fs::rename(old.join("_core.so"), new.join("_core.so")).unwrap();
    std::fs::remove_dir_all(dir.join("dist/pkg-1.0-cp311-cp311-manylinux_2_28_x86_64")).unwrap();
    std::fs::copy(
        common::fixture("elf/x86_64-gnuld/nodelete.so"),
        new.join("libsticky.so.2"),
    )
    .unwrap();
    let (status, stderr) = run(&[
        "audit",
        "--format",
        "sarif",
        "--fail-on",
        "note",
        "--baseline",
        "base.json",
        "-o",
        "audit.sarif",
        "dist",
        "libelf.a",
        &common::fixture("elf/x86_64-gnuld/unpaired.so")
            .display()
            .to_string(),
    ]);
    assert_eq!(status, Some(1), "{stderr}");
    let sarif = dir.join("audit.sarif");
    let log: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    (dir, sarif, log)
}

/// A run as GitHub sees it: inputs under the working directory (relative URIs with
/// `%SRCROOT%`), an archive member, an allowed finding (a suppression), and a baseline (new,
/// unchanged and absent results) — still clean for the validator's SARIF and GitHub rules.
#[test]
fn github_ready_sarif_with_suppressions_and_baseline_passes_the_validator() {
    let tool = multitool();
    if !common::require(
        tool.is_some(),
        "the SARIF validator (Sarif.Multitool)",
        "scripts/test.sh installs it: npm install --prefix .tools @microsoft/sarif-multitool",
    ) {
        return;
    }
    let tool = tool.unwrap();
    let (dir, sarif, log) = two_releases();
    let run0 = &log["runs"][0];
    assert_eq!(
        run0["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        format!("file://{}/", dir.display())
    );
    let results = run0["results"].as_array().unwrap();
    let by_symbol = |symbol: &str| {
        results
            .iter()
            .find(|r| r["properties"]["symbol"] == symbol)
            .unwrap_or_else(|| panic!("no result for {symbol}: {results:#?}"))
    };
    let core = by_symbol("prio_orphan_init");
    let location = &core["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        location["uri"],
        "dist/pkg-1.1-cp311-cp311-manylinux_2_28_x86_64/pkg/_core.so"
    );
    assert_eq!(core["baselineState"], "unchanged", "a version-only rename");
    assert_eq!(by_symbol("sticky_init")["baselineState"], "new");
    // The archive member: the archive is the location, the member a logical location.
    let member = results
        .iter()
        .find(|r| r["properties"]["member"] == "priorities.o")
        .unwrap();
    assert_eq!(
        member["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "libelf.a"
    );
    assert_eq!(
        member["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "libelf.a!priorities.o"
    );
    assert_eq!(
        member["suppressions"][0]["justification"],
        "vendored; tracked upstream"
    );
    // Outside the working directory: an absolute file URI without a base.
    let outside = results
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("file:///")
        })
        .expect("the fixture outside the directory");
    assert!(outside["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"].is_null());
    assert!(results
        .iter()
        .any(|r| r["baselineState"] == "absent" && r["properties"]["symbol"] == "leaky_init"));
    let configuration = &run0["invocations"][0]["toolConfigurationNotifications"][0];
    assert!(configuration["message"]["text"]
        .as_str()
        .unwrap()
        .contains("entry 2 (rule BLT002"));
    assert_eq!(
        configuration["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "blastool.toml"
    );

    let problems = validate(&tool, &sarif, &dir.join("validation.sarif"));
    let serious: Vec<_> = problems
        .iter()
        .filter(|(_, level)| level == "error")
        .collect();
    assert!(serious.is_empty(), "validator errors: {serious:?}");
}

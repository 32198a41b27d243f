//! Allowlists (`blastool.toml`, `[tool.blastool]`, `--config`), baselines (`--baseline`,
//! `--write-baseline`) and the markdown summary, through the command line as CI runs them:
//! exit statuses, JSON and SARIF fields, and one-line errors for broken configuration.

mod common;

use common::{fixture, scratch, text};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `blastool` in `dir` (configuration discovery starts there).
fn blastool_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run blastool")
}

/// A scratch directory holding a leaky library (`lib/libleaky.so.1.2.3`, BLT001 on
/// `leaky_init`), a tidy one and a second leaky one (`lib/libprio.so`, `prio_orphan_init`).
fn workspace(name: &str) -> PathBuf {
    let dir = scratch("policy", name);
    std::fs::create_dir_all(dir.join("lib")).unwrap();
    for (from, to) in [
        ("elf/x86_64-gnuld/unpaired.so", "lib/libleaky.so.1.2.3"),
        ("elf/x86_64-gnuld/paired.so", "lib/libtidy.so"),
        ("elf/x86_64-gnuld/priorities.so", "lib/libprio.so"),
    ] {
        std::fs::copy(fixture(from), dir.join(to)).unwrap();
    }
    dir
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&output.stdout)))
}

fn findings(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap().clone())
        .collect()
}

const ALLOW_LEAKY: &str = r#"
[[allow]]
rule = "BLT001"
path = "lib/libleaky.so*"
symbol = "leaky_*"
reason = "upstream issue 123: released without a destructor"
expires = 2999-12-31
"#;

#[test]
fn an_allowed_finding_exits_0_and_keeps_its_reason_in_json_and_sarif() {
    let dir = workspace("allowed");
    // Without the configuration the finding fails the run: the allowlist is what changes it.
    assert_eq!(
        blastool_in(&dir, &["audit", "lib/libleaky.so.1.2.3"])
            .status
            .code(),
        Some(1)
    );
    std::fs::write(dir.join("blastool.toml"), ALLOW_LEAKY).unwrap();
    let output = blastool_in(&dir, &["audit", "--format", "json", "lib"]);
    assert_eq!(output.status.code(), Some(1), "libprio.so is not allowed");
    let report = json(&output);
    let all = findings(&report);
    let leaky = all.iter().find(|f| f["symbol"] == "leaky_init").unwrap();
    assert_eq!(
        leaky["allowed"]["reason"],
        "upstream issue 123: released without a destructor"
    );
    assert_eq!(leaky["allowed"]["entry"], 1);
    assert_eq!(leaky["allowed"]["expires"], "2999-12-31");
    let prio = all
        .iter()
        .find(|f| f["symbol"] == "prio_orphan_init")
        .unwrap();
    assert!(prio.get("allowed").is_none(), "{prio}");
    assert_eq!(report["summary"]["allowed"], 1);
    assert_eq!(report["summary"]["warnings"], 2, "counts stay complete");

    // Baselines leave allowed findings out: the configuration already accepts them.
    let written = blastool_in(&dir, &["audit", "--write-baseline", "base.json", "lib"]);
    assert_eq!(written.status.code(), Some(1));
    let baseline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("base.json")).unwrap()).unwrap();
    let symbols: Vec<&str> = baseline["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["prio_orphan_init"]);

    let only_leaky = blastool_in(&dir, &["audit", "lib/libleaky.so.1.2.3"]);
    assert_eq!(only_leaky.status.code(), Some(0));
    assert!(text(&only_leaky.stdout).contains("[allowed by"));

    let sarif = blastool_in(
        &dir,
        &["audit", "--format", "sarif", "lib/libleaky.so.1.2.3"],
    );
    assert_eq!(sarif.status.code(), Some(0));
    let log = json(&sarif);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert_eq!(result["suppressions"][0]["status"], "accepted");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "upstream issue 123: released without a destructor"
    );
    let omitted = blastool_in(
        &dir,
        &[
            "audit",
            "--format",
            "sarif",
            "--sarif-omit-suppressed",
            "lib",
        ],
    );
    let log = json(&omitted);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "only the finding that is not allowed");
    assert!(results[0]["suppressions"].is_null());
}

#[test]
fn symbol_and_address_globs_narrow_an_entry() {
    let dir = workspace("narrow");
    std::fs::write(
        dir.join("blastool.toml"),
        "[[allow]]\nrule = \"BLT001\"\npath = \"**/*.so*\"\nsymbol = \"other_*\"\nreason = \"r\"\n\n\
         [[allow]]\nrule = \"unpaired-constructor\"\npath = \"libleaky.so.*\"\naddress = \"0x10?0\"\nreason = \"by address\"\n",
    )
    .unwrap();
    let output = blastool_in(
        &dir,
        &["audit", "--format", "json", "lib/libleaky.so.1.2.3"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = json(&output);
    // Entry 1 names another symbol; entry 2 (a rule name, a file-name glob) matches by address.
    assert_eq!(findings(&report)[0]["allowed"]["entry"], 2);
    assert_eq!(report["policy"]["stale"][0]["entry"], 1);
}

#[test]
fn archive_members_match_by_member_path() {
    let dir = workspace("members");
    std::fs::copy(fixture("archive/libelf.a"), dir.join("lib/libelf.a")).unwrap();
    std::fs::write(
        dir.join("blastool.toml"),
        "[[allow]]\nrule = \"BLT001\"\npath = \"lib/libelf.a!unpaired.o\"\nreason = \"a\"\n\n\
         [[allow]]\nrule = \"BLT001\"\npath = \"priorities.o\"\nreason = \"b\"\n",
    )
    .unwrap();
    let output = blastool_in(&dir, &["audit", "--format", "json", "lib/libelf.a"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    let report = json(&output);
    assert_eq!(report["summary"]["allowed"], 2);
    assert_eq!(report["policy"]["stale"].as_array().unwrap().len(), 0);
}

#[test]
fn a_stale_entry_is_reported_but_does_not_fail_the_run() {
    let dir = workspace("stale");
    std::fs::write(
        dir.join("blastool.toml"),
        "[[allow]]\nrule = \"BLT002\"\npath = \"gone/*.dll\"\nreason = \"fixed long ago\"\n",
    )
    .unwrap();
    let output = blastool_in(&dir, &["audit", "--format", "json", "lib/libtidy.so"]);
    assert_eq!(output.status.code(), Some(0));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("blastool.toml: [[allow]] entry 1")
            && stderr.contains("matched no finding"),
        "{stderr}"
    );
    let report = json(&output);
    assert_eq!(report["policy"]["stale"][0]["path"], "gone/*.dll");
    assert_eq!(report["policy"]["stale"][0]["reason"], "fixed long ago");
}

#[test]
fn an_expired_entry_stops_allowing_and_says_so() {
    let dir = workspace("expired");
    std::fs::write(
        dir.join("blastool.toml"),
        "[[allow]]\nrule = \"BLT001\"\npath = \"lib/*\"\nreason = \"until the 2.0 release\"\nexpires = 2001-02-03\n",
    )
    .unwrap();
    let output = blastool_in(
        &dir,
        &["audit", "--format", "json", "lib/libleaky.so.1.2.3"],
    );
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("expired on 2001-02-03") && stderr.contains("entry 1"),
        "{stderr}"
    );
    let report = json(&output);
    assert!(findings(&report)[0].get("allowed").is_none());
    assert_eq!(report["policy"]["expired"][0]["matched"], 1);
}

/// Broken configurations: exit 2, one stderr line naming the file and the fix, nothing written.
#[test]
fn a_broken_configuration_is_a_one_line_error_and_exit_2() {
    let dir = workspace("broken");
    let cases: &[(&str, &str)] = &[
        (
            "[[allow]]\nrule = \"BLT001\"\npath = \"lib/*\"\n",
            "has no reason; add reason =",
        ),
        (
            "[[allow]]\nrule = \"BLT001\"\npath = \"lib/*\"\nreason = \"  \"\n",
            "has no reason",
        ),
        ("[[allow]\nrule = ", "invalid configuration"),
        (
            "[[allow]]\nrule = \"BLT001\"\npath = \"lib/*\"\nreason = \"r\"\nresaon = \"typo\"\n",
            "unknown field `resaon`",
        ),
        (
            "[[allow]]\nrule = \"BLT009\"\npath = \"lib/*\"\nreason = \"r\"\n",
            "unknown rule \"BLT009\"; use one of BLT001, BLT002",
        ),
        (
            "[[allow]]\nrule = \"BLT001\"\npath = \"lib/[*\"\nreason = \"r\"\n",
            "is not a valid glob",
        ),
        (
            "[[allow]]\nrule = \"BLT001\"\npath = \"lib/*\"\nreason = \"r\"\nexpires = 2026-01-01T10:00:00Z\n",
            "write expires = YYYY-MM-DD",
        ),
        (
            "[[allow]]\nrule = \"BLT001\"\nreason = \"r\"\n",
            "missing field `path`",
        ),
    ];
    for (config, expected) in cases {
        std::fs::write(dir.join("blastool.toml"), config).unwrap();
        let report = dir.join("out.sarif");
        let output = blastool_in(
            &dir,
            &[
                "audit",
                "--format",
                "sarif",
                "-o",
                report.to_str().unwrap(),
                "lib/libtidy.so",
            ],
        );
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{config}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{config}: {stderr}");
        assert!(stderr.contains("blastool.toml"), "{config}: {stderr}");
        assert!(stderr.contains(expected), "{config}: {stderr}");
        assert!(!report.exists(), "{config}: nothing may be written");
    }
    // --no-config ignores it; --config with a missing file names the file.
    assert_eq!(
        blastool_in(&dir, &["audit", "--no-config", "lib/libtidy.so"])
            .status
            .code(),
        Some(0)
    );
    let missing = blastool_in(&dir, &["audit", "--config", "nope.toml", "lib/libtidy.so"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("nope.toml: cannot read the configuration"));
}

#[test]
fn configuration_is_found_upwards_and_in_pyproject() {
    let dir = workspace("discovery");
    std::fs::write(
        dir.join("pyproject.toml"),
        format!("[project]\nname = \"x\"\n\n[tool.blastool]\n{ALLOW_LEAKY}")
            .replace("[[allow]]", "[[tool.blastool.allow]]"),
    )
    .unwrap();
    // Run from lib/: the pyproject.toml one level up is found, and `path` globs stay relative
    // to its directory.
    let output = blastool_in(
        &dir.join("lib"),
        &["audit", "--format", "json", "libleaky.so.1.2.3"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = json(&output);
    assert!(report["policy"]["config"]
        .as_str()
        .unwrap()
        .ends_with("pyproject.toml"));
    // A blastool.toml in the same directory wins over pyproject.toml.
    std::fs::write(dir.join("blastool.toml"), "").unwrap();
    let output = blastool_in(&dir.join("lib"), &["audit", "libleaky.so.1.2.3"]);
    assert_eq!(output.status.code(), Some(1));
    // An explicit --config wins over discovery.
    let explicit = dir.join("allow.toml");
    std::fs::write(&explicit, ALLOW_LEAKY).unwrap();
    let output = blastool_in(
        &dir.join("lib"),
        &[
            "audit",
            "--config",
            explicit.to_str().unwrap(),
            "libleaky.so.1.2.3",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn a_baseline_passes_known_findings_and_fails_new_ones() {
    let dir = workspace("baseline");
    let written = blastool_in(
        &dir,
        &[
            "audit",
            "--write-baseline",
            "baseline.json",
            "lib/libleaky.so.1.2.3",
        ],
    );
    assert_eq!(
        written.status.code(),
        Some(1),
        "writing does not hide findings"
    );
    let baseline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 1);
    assert_eq!(baseline["findings"][0]["symbol"], "leaky_init");

    // The library's next version: same finding, a version-only rename, still known.
    std::fs::rename(
        dir.join("lib/libleaky.so.1.2.3"),
        dir.join("lib/libleaky.so.1.2.4"),
    )
    .unwrap();
    let known = blastool_in(
        &dir,
        &[
            "audit",
            "--baseline",
            "baseline.json",
            "lib/libleaky.so.1.2.4",
        ],
    );
    assert_eq!(known.status.code(), Some(0), "{}", text(&known.stdout));
    assert!(text(&known.stdout).contains("[in baseline]"));

    // A new leaky library fails the run; SARIF marks both states.
    let new = blastool_in(
        &dir,
        &[
            "audit",
            "--format",
            "sarif",
            "--baseline",
            "baseline.json",
            "lib/libleaky.so.1.2.4",
            "lib/libprio.so",
        ],
    );
    assert_eq!(new.status.code(), Some(1));
    let log = json(&new);
    let states: Vec<(String, String)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["properties"]["symbol"].as_str().unwrap().to_string(),
                r["baselineState"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        states.contains(&("leaky_init".into(), "unchanged".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("prio_orphan_init".into(), "new".into())),
        "{states:?}"
    );

    // Fixed: the baseline finding is `absent`, as a passing result.
    let fixed = blastool_in(
        &dir,
        &[
            "audit",
            "--format",
            "sarif",
            "--baseline",
            "baseline.json",
            "lib/libtidy.so",
        ],
    );
    assert_eq!(fixed.status.code(), Some(0));
    let log = json(&fixed);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["baselineState"], "absent");
    assert_eq!(result["kind"], "pass");
    assert_eq!(
        result["partialFingerprints"]["blastoolFinding/v2"],
        baseline["findings"][0]["fingerprint"]
    );
}

#[test]
fn a_broken_baseline_is_exit_2() {
    let dir = workspace("bad-baseline");
    std::fs::write(dir.join("b.json"), "{\"findings\": 3}").unwrap();
    for file in ["b.json", "missing.json"] {
        let output = blastool_in(&dir, &["audit", "--baseline", file, "lib/libtidy.so"]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(file) && stderr.contains("--write-baseline"),
            "{stderr}"
        );
    }
}

#[test]
fn markdown_is_a_short_table_of_what_counts() {
    let dir = workspace("markdown");
    std::fs::write(dir.join("blastool.toml"), ALLOW_LEAKY).unwrap();
    let output = blastool_in(&dir, &["audit", "--format", "markdown", "lib"]);
    assert_eq!(output.status.code(), Some(1));
    let markdown = text(&output.stdout);
    let lines: Vec<&str> = markdown.lines().collect();
    assert!(
        lines.contains(&"| file | rule | severity | symbol | message |"),
        "{markdown}"
    );
    let rows: Vec<&&str> = lines.iter().filter(|l| l.starts_with("| `")).collect();
    assert_eq!(rows.len(), 1, "{markdown}");
    assert!(
        rows[0].starts_with("| `lib/libprio.so` | BLT001 | warning | `prio_orphan_init` |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("1 accepted by the configuration's allowlist"),
        "{markdown}"
    );
    let clean = blastool_in(&dir, &["audit", "--format", "markdown", "lib/libtidy.so"]);
    assert_eq!(clean.status.code(), Some(0));
    assert!(text(&clean.stdout).contains("No findings in 1 audited file(s)."));
}

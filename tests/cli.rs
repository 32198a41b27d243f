//! The command line as CI uses it: exit statuses, formats, `--output`, `--fail-on`, and how bad
//! inputs are reported.

mod common;

use common::fixture;
use std::process::{Command, Output};

fn blastool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run blastool")
}

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn exit_status_follows_the_findings_and_fail_on() {
    let clean = path("elf/x86_64-gnuld/paired.so");
    let leaky = path("elf/x86_64-gnuld/unpaired.so");
    let sticky = path("elf/x86_64-gnuld/nodelete.so");
    let msvc = path("coff/x86_64-msvc/msvc_ctor.obj");
    let cases: &[(&[&str], i32)] = &[
        (&["audit", &clean], 0),
        (&["audit", &leaky], 1),
        (&["audit", "--fail-on", "error", &leaky], 0),
        (&["audit", "--fail-on", "never", &leaky, &msvc], 0),
        (&["audit", "--fail-on", "error", &msvc], 1),
        (&["audit", &sticky], 0),
        (&["audit", "--fail-on", "note", &sticky], 1),
        (&["audit", &clean, &leaky], 1),
    ];
    for (args, expected) in cases {
        let output = blastool(args);
        assert_eq!(
            output.status.code(),
            Some(*expected),
            "{args:?}\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(blastool(&["audit"]).status.code(), Some(2));
    assert_eq!(
        blastool(&["audit", "--format", "xml", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(blastool(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(blastool(&["--version"]).status.code(), Some(0));
}

#[test]
fn unreadable_input_exits_2_but_the_report_covers_the_others() {
    let missing = "/nonexistent/libgone.so";
    let leaky = path("elf/x86_64-gnuld/unpaired.so");
    let output = blastool(&["audit", "--format", "json", missing, &leaky]);
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], missing);
    assert!(files[0]["error"].as_str().unwrap().contains("cannot read"));
    assert_eq!(files[1]["findings"].as_array().unwrap().len(), 1);
    assert_eq!(report["summary"]["file_errors"], 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("libgone.so"), "{stderr}");
}

#[test]
fn a_directory_of_mixed_files_reports_each_one() {
    let output = blastool(&["audit", "--format", "json", &path("bad")]);
    // truncated.so cannot be parsed: exit 2; the other three are not binaries.
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 4);
    let by_name = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert!(by_name("truncated.so")["error"].is_string());
    for name in ["garbage.bin", "script.sh", "empty"] {
        assert!(by_name(name)["error"].is_null(), "{name}");
        assert_eq!(by_name(name)["format"], "unknown");
        assert_eq!(by_name(name)["audited"], false);
    }
    // Text output names the broken file and its error on one line.
    let text = blastool(&["audit", &path("bad")]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("truncated.so") && l.contains("error")),
        "{stdout}"
    );
}

#[test]
fn json_follows_the_documented_contract() {
    let output = blastool(&[
        "audit",
        "--format",
        "json",
        &path("elf/x86_64-gnuld/global_sym.so"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["tool"]["name"], "blastool");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let file = &report["files"][0];
    for key in [
        "path", "member", "format", "arch", "runtime", "entries", "findings", "error",
    ] {
        assert!(file.get(key).is_some(), "file lacks {key}");
    }
    assert_eq!(file["format"], "elf");
    assert_eq!(file["arch"], "x86_64");
    assert_eq!(file["runtime"], "glibc");
    let entries = file["entries"].as_array().unwrap();
    let init = entries
        .iter()
        .find(|e| e["symbol"] == "gotoblas_init")
        .unwrap();
    let quit = entries
        .iter()
        .find(|e| e["symbol"] == "gotoblas_quit")
        .unwrap();
    assert_eq!(init["role"], "constructor");
    assert_eq!(init["mechanism"], "init_array");
    assert_eq!(init["address"], "0x10a0");
    assert_eq!(init["section"], ".init_array");
    assert_eq!(init["origin"], "user");
    assert_eq!(init["registers_exit_handler"], false);
    assert_eq!(init["paired_with"], quit["address"]);
    assert_eq!(quit["paired_with"], init["address"]);
    assert_eq!(quit["runs_on_unload"], true);
    for entry in entries {
        let address = entry["address"].as_str().unwrap();
        assert!(address.starts_with("0x") && address == address.to_lowercase());
        assert!(["user", "toolchain"].contains(&entry["origin"].as_str().unwrap()));
    }
    for key in ["files", "errors", "warnings", "notes"] {
        assert!(report["summary"][key].is_u64(), "summary lacks {key}");
    }
    // A finding's fields.
    let leaky = json(&blastool(&[
        "audit",
        "--format",
        "json",
        &path("elf/x86_64-lld/unpaired.so"),
    ]));
    let finding = &leaky["files"][0]["findings"][0];
    assert_eq!(finding["rule"], "BLT001");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["symbol"], "leaky_init");
    assert_eq!(finding["address"], "0x1640");
    assert!(finding["message"].as_str().unwrap().contains("leaky_init"));
    // Archive members carry their member name.
    let archive = json(&blastool(&[
        "audit",
        "--format",
        "json",
        &path("archive/libelf.a"),
    ]));
    assert_eq!(archive["files"][0]["member"], "paired.o");
}

#[test]
fn output_file_is_written_whole_and_unwritable_output_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let output = blastool(&[
        "audit",
        "--format",
        "sarif",
        "--output",
        out.to_str().unwrap(),
        &path("coff/x86_64-msvc/msvc_ctor.obj"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "BLT002");
    // Nothing but the report in the directory: the temporary file was renamed.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let blocked = dir.path().join("no-such-dir/report.json");
    let output = blastool(&[
        "audit",
        "--format",
        "json",
        "-o",
        blocked.to_str().unwrap(),
        &path("elf/x86_64-gnuld/paired.so"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write the report") && stderr.lines().count() == 1,
        "{stderr}"
    );
    assert!(!blocked.exists());
}

#[test]
fn text_output_hides_toolchain_entries_unless_verbose() {
    let quiet = blastool(&["audit", &path("elf/x86_64-gnuld/paired.so")]);
    let text = String::from_utf8_lossy(&quiet.stdout);
    assert!(
        text.contains("lib_init") && !text.contains("toolchain,"),
        "{text}"
    );
    assert!(text.contains("+4 toolchain entries"), "{text}");
    let verbose = blastool(&["audit", "--verbose", &path("elf/x86_64-gnuld/paired.so")]);
    let text = String::from_utf8_lossy(&verbose.stdout);
    assert!(
        text.contains("frame_dummy") && text.contains("__do_global_dtors_aux"),
        "{text}"
    );
    assert!(
        !text.contains('\x1b'),
        "colour must be off when not on a terminal"
    );
}

#[test]
fn rules_are_listed_and_explained() {
    let list = String::from_utf8_lossy(&blastool(&["rules"]).stdout).into_owned();
    assert!(list.contains("BLT001") && list.contains("BLT002"));
    let page = blastool(&["rule", "blt002"]);
    assert_eq!(page.status.code(), Some(0));
    let page = String::from_utf8_lossy(&page.stdout);
    for heading in ["What it detects", "Why it matters", "Example", "Fix"] {
        assert!(page.contains(heading), "{page}");
    }
    assert_eq!(blastool(&["rule", "BLT999"]).status.code(), Some(2));
}

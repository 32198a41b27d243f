//! What a constructor acquires (tests/fixtures/acquire, built by its build.sh): the resource
//! kinds the code walk finds through calls several levels deep, stripped images included; what
//! it cannot follow; and the findings that follow from both — nothing for a constructor that
//! acquires nothing, a note for one the walk cannot see through, the severity of the kind for
//! one that keeps something.

mod common;

use blastool::audit::model::{Entry, FileReport, Resource, Severity};
use common::{user_constructors, verdict};
use std::process::Command;

fn report(relative: &str) -> FileReport {
    common::audit_one(&format!("../acquire/bin/{relative}"))
}

/// The fixture's one user constructor.
fn the_constructor(report: &FileReport) -> &Entry {
    let constructors = user_constructors(report);
    assert_eq!(constructors.len(), 1, "{}: {constructors:#?}", report.path);
    constructors[0]
}

/// Every Linux flavour of a case: x86_64 with symbols, stripped, and AArch64 where it is built.
fn flavours(case: &str, aarch64: bool) -> Vec<String> {
    let mut all = vec![
        format!("elf-x86_64/{case}.so"),
        format!("elf-x86_64/{case}.stripped.so"),
    ];
    if aarch64 {
        all.push(format!("elf-aarch64/{case}.so"));
    }
    all
}

#[test]
fn a_constructor_that_only_reads_the_environment_has_no_finding() {
    for fixture in flavours("getenv_only", true) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert!(ctor.acquires.is_empty(), "{fixture}: {:?}", ctor.acquires);
        assert!(!ctor.acquires_unknown, "{fixture}: {:?}", ctor.not_followed);
        assert_eq!(
            verdict(&report),
            vec![],
            "{fixture}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn malloc_four_calls_down_is_found_and_named() {
    for fixture in flavours("heap_deep", true) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert_eq!(ctor.acquires, vec![Resource::Heap], "{fixture}");
        assert_eq!(
            ctor.acquired_through,
            vec!["malloc".to_string()],
            "{fixture}"
        );
        assert!(!ctor.acquires_unknown, "{fixture}: {:?}", ctor.not_followed);
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{fixture}"
        );
        assert!(
            report.findings[0]
                .message
                .contains("acquires heap (malloc)"),
            "{fixture}: {}",
            report.findings[0].message
        );
    }
}

#[test]
fn each_kind_of_resource_gets_its_finding_and_severity() {
    let cases = [
        (
            "tls_key",
            Resource::TlsKey,
            "pthread_key_create",
            Severity::Warning,
        ),
        ("mmap_kept", Resource::Mapping, "mmap", Severity::Warning),
        ("fopen_kept", Resource::Handle, "fopen", Severity::Warning),
        // A thread left running code of an unloaded library crashes the process.
        (
            "thread_kept",
            Resource::Thread,
            "pthread_create",
            Severity::Error,
        ),
    ];
    for (case, resource, import, severity) in cases {
        for fixture in flavours(case, case == "thread_kept") {
            let report = report(&fixture);
            let ctor = the_constructor(&report);
            assert_eq!(ctor.acquires, vec![resource], "{fixture}");
            assert_eq!(verdict(&report), vec![("BLT001", severity)], "{fixture}");
            let message = &report.findings[0].message;
            assert!(
                message.contains(&format!("acquires {} ({import})", resource.name())),
                "{fixture}: {message}"
            );
        }
    }
}

#[test]
fn an_allocation_through_a_function_pointer_table_is_a_note_saying_what_was_not_followed() {
    for fixture in flavours("fnptr_table", true) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert!(ctor.acquires.is_empty(), "{fixture}: {:?}", ctor.acquires);
        assert!(ctor.acquires_unknown, "{fixture}");
        assert!(
            ctor.not_followed
                .iter()
                .any(|place| place.starts_with("indirect call or jump at 0x")),
            "{fixture}: {:?}",
            ctor.not_followed
        );
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Note)],
            "{fixture}"
        );
        assert!(
            report.findings[0]
                .message
                .contains("could not be followed (indirect call or jump at 0x"),
            "{fixture}: {}",
            report.findings[0].message
        );
    }
}

#[test]
fn a_constructor_with_a_freeing_destructor_has_no_finding() {
    for fixture in flavours("heap_freed", false) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert_eq!(ctor.acquires, vec![Resource::Heap], "{fixture}");
        assert!(ctor.paired_with.is_some(), "{fixture}: unpaired");
        assert_eq!(
            verdict(&report),
            vec![],
            "{fixture}: {:#?}",
            report.findings
        );
    }
}

#[test]
fn mingw_dlls_are_judged_by_what_their_constructors_acquire() {
    // MinGW's own startup adds a constructor (frame registration) that its destructor undoes;
    // the fixture's constructor is the other one.
    let finding_of = |dll: &str| {
        let report = report(&format!("mingw-x64/{dll}"));
        (
            verdict(&report),
            report.findings.first().map(|f| f.message.clone()),
        )
    };
    assert_eq!(finding_of("getenv_only.dll").0, vec![]);
    let (heap, message) = finding_of("heap_deep.dll");
    assert_eq!(heap, vec![("BLT001", Severity::Warning)]);
    assert!(message.unwrap().contains("acquires heap (malloc)"));
    let (table, message) = finding_of("fnptr_table.dll");
    assert_eq!(table, vec![("BLT001", Severity::Note)]);
    assert!(message.unwrap().contains("indirect call or jump"));
}

#[test]
fn json_and_verbose_text_carry_acquires_and_what_was_not_followed() {
    let fixture = common::fixture("../acquire/bin/elf-x86_64/fnptr_table.so");
    let json = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--format", "json"])
        .arg(&fixture)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let entry = report["files"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["role"] == "constructor" && e["origin"] == "user")
        .unwrap()
        .clone();
    assert_eq!(entry["acquires"], serde_json::json!([]));
    assert_eq!(entry["acquires_unknown"], true);
    assert!(entry["not_followed"][0]
        .as_str()
        .unwrap()
        .starts_with("indirect call or jump at"));

    let heap = common::fixture("../acquire/bin/elf-x86_64/heap_deep.so");
    let json = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--format", "json"])
        .arg(&heap)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let acquires: Vec<&serde_json::Value> = report["files"][0]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["symbol"] == "deep_init")
        .map(|e| &e["acquires"])
        .collect();
    assert_eq!(acquires, vec![&serde_json::json!(["heap"])]);

    let text = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["audit", "--verbose"])
        .arg(&fixture)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("        not followed: indirect call or jump at 0x"),
        "{text}"
    );
}

#[test]
fn an_exit_handler_that_does_not_give_the_tls_key_back_leaves_a_finding() {
    for fixture in flavours("tls_key_atexit", false) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert!(ctor.registers_exit_handler, "{fixture}");
        assert!(ctor.acquires.contains(&Resource::TlsKey), "{fixture}");
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{fixture}"
        );
        let message = &report.findings[0].message;
        assert!(
            message.contains("acquires tls_key (pthread_key_create)")
                && message.contains("exit handler(s) it registers with")
                && message.contains("nothing there gives that back"),
            "{fixture}: {message}"
        );
    }
    for fixture in flavours("tls_key_deleted", false) {
        let report = report(&fixture);
        assert!(the_constructor(&report).registers_exit_handler, "{fixture}");
        assert_eq!(
            verdict(&report),
            vec![],
            "{fixture}: {:#?}",
            report.findings
        );
    }
}

/// The audit's verdict on leakcheck's fixtures, whose leaks `tests/leakcheck_elf.rs` measures:
/// the same binaries, judged statically.
#[test]
fn leakcheck_fixtures_get_the_static_verdict_their_measurement_confirms() {
    let cases = [
        ("ctor_kib.so", Some((Resource::Heap, Severity::Warning))),
        (
            "ctor_tls_key.so",
            Some((Resource::TlsKey, Severity::Warning)),
        ),
        ("ctor_mmap.so", Some((Resource::Mapping, Severity::Warning))),
        ("ctor_fopen.so", Some((Resource::Handle, Severity::Warning))),
        ("ctor_thread.so", Some((Resource::Thread, Severity::Error))),
        ("ctor_getenv.so", None),
        ("ctor_paired.so", None),
    ];
    for (file, expected) in cases {
        let report = common::audit_one(&format!("../leak/bin/elf/{file}"));
        let ctor = the_constructor(&report);
        match expected {
            Some((resource, severity)) => {
                assert!(
                    ctor.acquires.contains(&resource),
                    "{file}: {:?}",
                    ctor.acquires
                );
                assert_eq!(verdict(&report), vec![("BLT001", severity)], "{file}");
            }
            None => assert_eq!(verdict(&report), vec![], "{file}: {:#?}", report.findings),
        }
    }
}

#[test]
fn a_destructor_that_undoes_only_part_of_its_constructor_leaves_a_finding() {
    for fixture in flavours("partial_undo", false) {
        let report = report(&fixture);
        let ctor = the_constructor(&report);
        assert!(ctor.paired_with.is_some(), "{fixture}: unpaired");
        assert_eq!(
            ctor.acquires,
            vec![Resource::Mapping, Resource::Handle],
            "{fixture}"
        );
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{fixture}"
        );
        let message = &report.findings[0].message;
        assert!(
            message.contains("acquires handle (opendir)") && !message.contains("mmap"),
            "{fixture}: {message}"
        );
    }
}

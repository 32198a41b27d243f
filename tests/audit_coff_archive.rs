//! COFF objects (MSVC and MinGW layouts, bigobj), static archives of every flavour, and inputs
//! that are not binaries at all.

mod common;

use blastool::audit::model::{Format, Mechanism, Runtime, Severity};
use common::{audit_one, entry, fixture, verdict};

#[test]
fn clang_msvc_destructor_in_crt_xtx_is_the_openblas_leak_shape() {
    for (arch, init, quit) in [
        ("x86_64", "lib_init", "lib_quit"),
        ("aarch64", "lib_init", "lib_quit"),
        // i386 COFF decorates C names with a leading underscore.
        ("i686", "_lib_init", "_lib_quit"),
    ] {
        let report = audit_one(&format!("coff/{arch}-msvc/msvc_ctor.obj"));
        assert_eq!(report.format, Format::Coff);
        let ctor = entry(&report, init);
        let dtor = entry(&report, quit);
        assert_eq!(ctor.mechanism, Mechanism::CrtXc, "{arch}");
        assert_eq!(ctor.section, ".CRT$XCU");
        assert_eq!(dtor.mechanism, Mechanism::CrtXt, "{arch}");
        assert_eq!(dtor.section, ".CRT$XTX");
        assert!(!dtor.runs_on_unload, "{arch}");
        assert_eq!(ctor.paired_with, Some(dtor.address), "{arch}");
        assert_eq!(
            verdict(&report),
            vec![("BLT002", Severity::Error)],
            "{arch}"
        );
        let message = &report.findings[0].message;
        assert!(
            message.contains("/MD") && message.contains(init),
            "{message}"
        );
    }
}

#[test]
fn msvc_objects_with_atexit_or_without_destructor() {
    for arch in ["x86_64", "aarch64", "i686"] {
        let report = audit_one(&format!("coff/{arch}-msvc/msvc_atexit.obj"));
        assert!(report.findings.is_empty(), "{arch}: {:#?}", report.findings);
        assert!(
            report.entries.iter().any(|e| e.registers_exit_handler),
            "{arch}"
        );
        assert!(
            report
                .entries
                .iter()
                .any(|e| e.mechanism == Mechanism::ExitHandler),
            "{arch}"
        );
        let report = audit_one(&format!("coff/{arch}-msvc/msvc_unpaired.obj"));
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{arch}"
        );
    }
}

#[test]
fn mingw_objects_use_ctors_and_dtors_which_run() {
    for name in ["mingw_ctor.o", "mingw_ctor.bigobj.o"] {
        let report = audit_one(&format!("coff/x86_64-mingw/{name}"));
        assert_eq!(report.runtime, Some(Runtime::Mingw), "{name}");
        assert!(report.findings.is_empty(), "{name}: {:#?}", report.findings);
        let ctor = entry(&report, "lib_init");
        let dtor = entry(&report, "lib_quit");
        assert_eq!(ctor.mechanism, Mechanism::Ctors);
        assert_eq!(dtor.mechanism, Mechanism::Dtors);
        assert!(dtor.runs_on_unload);
        assert_eq!(ctor.paired_with, Some(dtor.address));
    }
    let report = audit_one("coff/x86_64-mingw/mingw_unpaired.o");
    assert_eq!(verdict(&report), vec![("BLT001", Severity::Warning)]);
}

fn audit_archive(relative: &str) -> Vec<blastool::audit::model::FileReport> {
    let reports = blastool::audit::audit_file(&fixture(relative));
    for report in &reports {
        assert!(
            report.error.is_none(),
            "{}: {:?}",
            report.display_name(),
            report.error
        );
    }
    reports
}

#[test]
fn every_archive_flavour_is_audited_member_by_member() {
    for (archive, members, warnings, errors) in [
        ("archive/libelf.a", 8, 2, 0),
        ("archive/libbsd.a", 8, 2, 0),
        ("archive/libthin.a", 8, 2, 0),
        ("archive/libmingw.a", 2, 1, 0),
        ("archive/msvc.lib", 3, 1, 1),
    ] {
        let reports = audit_archive(archive);
        assert_eq!(reports.len(), members, "{archive}");
        assert!(
            reports.iter().all(|r| r.member.is_some() && r.audited),
            "{archive}"
        );
        let count = |severity| {
            reports
                .iter()
                .flat_map(|r| &r.findings)
                .filter(|f| f.severity == severity)
                .count()
        };
        assert_eq!(count(Severity::Warning), warnings, "{archive}");
        assert_eq!(count(Severity::Error), errors, "{archive}");
    }
    let thin = audit_archive("archive/libthin.a");
    assert!(thin[0]
        .display_name()
        .starts_with(&format!("{}(", fixture("archive/libthin.a").display())));
}

#[test]
fn constructor_and_destructor_in_different_members_pair_by_name() {
    let reports = audit_archive("archive/libsplit.a");
    assert_eq!(reports.len(), 2);
    assert!(
        reports.iter().all(|r| r.findings.is_empty()),
        "{reports:#?}"
    );
    let init = reports[0]
        .entries
        .iter()
        .find(|e| e.symbol.as_deref() == Some("split_init"))
        .unwrap();
    assert_eq!(init.paired_with_symbol.as_deref(), Some("split_quit"));
    assert!(init.paired_by.as_deref().unwrap().contains("split_quit.o"));
}

#[test]
fn import_libraries_skip_short_import_members_quietly() {
    let reports = audit_archive("archive/import.lib");
    // 5 short import members are skipped; the 3 import-descriptor objects are audited.
    assert_eq!(reports.len(), 3, "{reports:#?}");
    assert!(reports
        .iter()
        .all(|r| r.findings.is_empty() && r.entries.is_empty()));
}

#[test]
fn non_binaries_are_not_audited_and_broken_binaries_are_errors() {
    for name in ["garbage.bin", "script.sh", "empty"] {
        let reports = blastool::audit::audit_file(&fixture(&format!("bad/{name}")));
        assert_eq!(reports.len(), 1);
        assert!(reports[0].error.is_none(), "{name}");
        assert!(!reports[0].audited, "{name}");
        assert_eq!(reports[0].format, Format::Unknown);
    }
    let reports = blastool::audit::audit_file(&fixture("bad/truncated.so"));
    assert_eq!(reports[0].format, Format::Elf);
    assert!(
        reports[0].error.as_deref().unwrap().contains("section"),
        "{:?}",
        reports[0].error
    );
}

#[test]
fn every_truncation_of_a_real_library_is_handled() {
    // Cut a real shared object at many lengths: each must give a report, never a panic.
    let data = std::fs::read(fixture("elf/x86_64-gnuld/global_sym.so")).unwrap();
    let origin = blastool::audit::Origin { directory: None };
    for length in (0..data.len()).step_by(97) {
        let reports = blastool::audit::audit_bytes("cut", &data[..length], origin);
        assert_eq!(reports.len(), 1, "length {length}");
    }
    // And flipped bytes across the headers and tables.
    for position in (0..data.len().min(16384)).step_by(61) {
        let mut copy = data.clone();
        copy[position] ^= 0xff;
        let reports = blastool::audit::audit_bytes("flipped", &copy, origin);
        assert_eq!(reports.len(), 1, "position {position}");
    }
}

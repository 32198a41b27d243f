//! Mach-O images built from tests/fixtures/macho/src with clang-19 and ld64.lld-19: every
//! fixture's recorded truth (tests/fixtures/macho/README.md) — entries, mechanisms, pairing,
//! verdict, exit status — chained (formats 2 and 6) and classic fixups, fat files per slice,
//! and a wheel holding a bundle.

mod common;

use blastool::audit::model::{
    Arch, BinaryKind, FileReport, Format, Mechanism, Origin, Role, Runtime, Severity,
};
use common::{entry_at, verdict};
use std::path::PathBuf;
use std::process::Command;

fn macho_path(relative: &str) -> PathBuf {
    common::fixture(&format!("../macho/bin/{relative}"))
}

fn reports(relative: &str) -> Vec<FileReport> {
    let path = macho_path(relative);
    assert!(path.exists(), "fixture {} is missing", path.display());
    let reports = blastool::audit::audit_file(&path);
    for report in &reports {
        assert!(report.error.is_none(), "{relative}: {:?}", report.error);
        assert!(
            report.audited,
            "{relative}: {:?}",
            report.not_audited_reason
        );
        assert_eq!(report.format, Format::Macho, "{relative}");
        assert_eq!(report.runtime, Some(Runtime::Dyld), "{relative}");
    }
    reports
}

fn one(relative: &str) -> FileReport {
    let mut all = reports(relative);
    assert_eq!(all.len(), 1, "{relative}: expected one report");
    all.remove(0)
}

/// (symbol, role, mechanism, address, slot, origin, runs_on_unload, paired_with)
type Truth = (
    &'static str,
    Role,
    Mechanism,
    u64,
    u64,
    Origin,
    bool,
    Option<u64>,
);

fn check(relative: &str, report: &FileReport, truth: &[Truth]) {
    assert_eq!(
        report.entries.len(),
        truth.len(),
        "{relative}: {:#?}",
        report.entries
    );
    for &(symbol, role, mechanism, address, slot, origin, unload, paired) in truth {
        let entry = entry_at(report, address);
        let what = format!("{relative} {symbol}");
        assert_eq!(entry.symbol.as_deref(), Some(symbol), "{what}");
        assert_eq!(entry.role, role, "{what}");
        assert_eq!(entry.mechanism, mechanism, "{what}");
        assert_eq!(entry.slot, slot, "{what}");
        assert_eq!(entry.origin, origin, "{what}");
        assert_eq!(entry.runs_on_unload, unload, "{what}");
        assert_eq!(entry.paired_with, paired, "{what}");
    }
}

use Mechanism::{ExitHandler, InitOffsets, ModInitFunc, ModTermFunc};
use Origin::{Toolchain, User};
use Role::{Constructor as C, Destructor as D};

#[test]
fn destructor_attributes_registered_by_global_init_pair_with_their_constructor() {
    // clang lowers __attribute__((destructor)) to ___GLOBAL_init_65535, which registers it with
    // __cxa_atexit: chained (__init_offsets), classic (__mod_init_func), a bundle.
    for (file, mechanism, init, quit, glob, table, arch) in [
        (
            "arm64-chained/paired.dylib",
            InitOffsets,
            0x498,
            0x4b8,
            0x4c4,
            0x500,
            4,
        ),
        (
            "arm64-classic/paired.dylib",
            ModInitFunc,
            0x598,
            0x5b8,
            0x5c4,
            0x4008,
            8,
        ),
        ("bundle/_ext.so", InitOffsets, 0x468, 0x488, 0x494, 0x4d0, 4),
    ] {
        let report = one(file);
        assert_eq!(report.arch, Some(Arch::Aarch64));
        assert_eq!(report.kind, Some(BinaryKind::SharedLibrary));
        assert_eq!(report.never_unloaded, None, "{file}");
        #[rustfmt::skip]
        check(file, &report, &[
            ("_lib_init", C, mechanism, init, table, User, false, Some(quit)),
            ("___GLOBAL_init_65535", C, mechanism, glob, table + arch, Toolchain, false, None),
            ("_lib_quit", D, ExitHandler, quit, glob, User, true, Some(init)),
        ]);
        let glob_entry = entry_at(&report, glob);
        assert!(glob_entry.registers_exit_handler, "{file}");
        assert_eq!(
            glob_entry.exit_handler_call.as_deref(),
            Some("___cxa_atexit")
        );
        assert!(verdict(&report).is_empty(), "{file}: {:?}", report.findings);
    }
    assert!(one("bundle/_ext.so")
        .runtime_evidence
        .unwrap()
        .contains("MH_BUNDLE"));
}

#[test]
fn cxa_atexit_registrations_are_found_through_chained_binds_in_formats_2_and_6() {
    for (file, init, cleanup, slot, arch) in [
        (
            "arm64-chained/cxa_atexit.dylib",
            0x498,
            0x4d0,
            0x500,
            Arch::Aarch64,
        ),
        (
            "x86_64-chained-ptr64-offset/cxa_atexit.dylib",
            0x4e0,
            0x510,
            0x538,
            Arch::X86_64,
        ),
    ] {
        let report = one(file);
        assert_eq!(report.arch, Some(arch));
        assert!(report
            .runtime_evidence
            .as_deref()
            .unwrap()
            .contains("chained fixups"));
        #[rustfmt::skip]
        check(file, &report, &[
            ("_reg_init", C, InitOffsets, init, slot, User, false, Some(cleanup)),
            ("_reg_cleanup", D, ExitHandler, cleanup, 0, User, true, Some(init)),
        ]);
        assert_eq!(
            entry_at(&report, init).exit_handler_call.as_deref(),
            Some("___cxa_atexit")
        );
        assert!(verdict(&report).is_empty(), "{file}: {:?}", report.findings);
    }
}

#[test]
fn mod_term_func_as_gcc_emits_it_runs_on_unload() {
    for (file, mechanism, init, quit, init_slot, term_slot) in [
        (
            "arm64-chained/mod_term.dylib",
            InitOffsets,
            0x4e8,
            0x508,
            0x52c,
            0x4010,
        ),
        (
            "arm64-classic/mod_term.dylib",
            ModInitFunc,
            0x5e8,
            0x608,
            0x4008,
            0x4010,
        ),
        (
            "x86_64-classic/mod_term.dylib",
            ModInitFunc,
            0x5d0,
            0x5f0,
            0x2018,
            0x2020,
        ),
    ] {
        let report = one(file);
        #[rustfmt::skip]
        check(file, &report, &[
            ("_term_init", C, mechanism, init, init_slot, User, false, Some(quit)),
            ("_term_quit", D, ModTermFunc, quit, term_slot, User, true, Some(init)),
        ]);
        assert!(verdict(&report).is_empty(), "{file}: {:?}", report.findings);
    }
}

#[test]
fn an_unpaired_allocating_constructor_is_a_warning() {
    for (file, mechanism, init, slot) in [
        ("arm64-chained/unpaired.dylib", InitOffsets, 0x498, 0x4c4),
        ("x86_64-classic/unpaired.dylib", ModInitFunc, 0x580, 0x2010),
    ] {
        let report = one(file);
        check(
            file,
            &report,
            &[("_leaky_init", C, mechanism, init, slot, User, false, None)],
        );
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{file}"
        );
    }
}

#[test]
fn images_dyld_never_unloads_turn_findings_into_notes() {
    let tlv = one("arm64-chained/tlv.dylib");
    assert!(tlv
        .never_unloaded
        .as_deref()
        .unwrap()
        .contains("MH_HAS_TLV_DESCRIPTORS"));
    check(
        "tlv",
        &tlv,
        &[("_tlv_init", C, InitOffsets, 0x538, 0x57c, User, false, None)],
    );
    assert_eq!(verdict(&tlv), vec![("BLT001", Severity::Note)]);

    let exe = one("exe/exe_main");
    assert_eq!(exe.kind, Some(BinaryKind::Executable));
    assert!(exe.never_unloaded.is_some());
    #[rustfmt::skip]
    check("exe", &exe, &[("_exe_init", C, InitOffsets, 0x1_0000_04e8, 0x1_0000_0528, User, false, None)]);
    assert_eq!(verdict(&exe), vec![("BLT001", Severity::Note)]);
}

#[test]
fn a_fat_file_yields_one_report_per_slice() {
    let slices = reports("fat/unpaired.dylib");
    let names: Vec<_> = slices.iter().map(|r| r.member.clone().unwrap()).collect();
    assert_eq!(names, vec!["x86_64", "arm64"]);
    for (report, arch, mechanism, init, slot) in [
        (&slices[0], Arch::X86_64, ModInitFunc, 0x580, 0x2010),
        (&slices[1], Arch::Aarch64, InitOffsets, 0x498, 0x4c4),
    ] {
        assert_eq!(report.arch, Some(arch));
        check(
            "fat",
            report,
            &[("_leaky_init", C, mechanism, init, slot, User, false, None)],
        );
        assert_eq!(verdict(report), vec![("BLT001", Severity::Warning)]);
    }
}

#[test]
fn a_wheel_member_bundle_is_audited() {
    let path = macho_path("wheel/macho_demo-1.0-cp312-cp312-macosx_13_0_arm64.whl");
    let audit = blastool::audit::audit_input(
        &path.display().to_string(),
        &std::fs::read(&path).unwrap(),
        blastool::audit::Origin { directory: None },
        &Default::default(),
    );
    assert_eq!(audit.reports.len(), 1, "{:#?}", audit.reports);
    let report = &audit.reports[0];
    assert_eq!(
        report.member.as_deref(),
        Some("macho_demo/_ext.cpython-312-darwin.so")
    );
    assert_eq!(report.format, Format::Macho);
    assert!(report.audited);
    assert_eq!(entry_at(report, 0x468).paired_with, Some(0x488));
    assert!(verdict(report).is_empty());
}

#[test]
fn exit_status_and_json_values() {
    let run = |file: &str| {
        Command::new(env!("CARGO_BIN_EXE_blastool"))
            .args(["audit", "--format", "json"])
            .arg(macho_path(file))
            .output()
            .unwrap()
    };
    for (file, status) in [
        ("arm64-chained/paired.dylib", 0),
        ("arm64-chained/unpaired.dylib", 1),
        ("arm64-chained/tlv.dylib", 0),
        ("fat/unpaired.dylib", 1),
        ("x86_64-classic/mod_term.dylib", 0),
    ] {
        assert_eq!(run(file).status.code(), Some(status), "{file}");
    }
    let output = run("x86_64-classic/mod_term.dylib");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let file = &json["files"][0];
    assert_eq!(file["format"], "macho");
    assert_eq!(file["runtime"], "dyld");
    assert_eq!(file["arch"], "x86_64");
    assert_eq!(file["entries"][0]["mechanism"], "mod_init_func");
    assert_eq!(file["entries"][0]["address"], "0x5d0");
    assert_eq!(file["entries"][1]["mechanism"], "mod_term_func");
    let chained = run("arm64-chained/cxa_atexit.dylib");
    let json: serde_json::Value = serde_json::from_slice(&chained.stdout).unwrap();
    assert_eq!(json["files"][0]["entries"][0]["mechanism"], "init_offsets");
    assert_eq!(json["files"][0]["entries"][1]["mechanism"], "exit_handler");
}

/// (symbol, mechanism, offset in its section, paired_with)
type ObjectTruth = (&'static str, Mechanism, u64, Option<u64>);

#[test]
fn relocatable_objects_are_read_through_their_relocations() {
    // (file, [(symbol, mechanism, offset in its section, paired_with)], warnings)
    #[rustfmt::skip]
    let cases: [(&str, &[ObjectTruth], usize); 4] = [
        ("arm64-obj/paired.o", &[
            ("_lib_init", ModInitFunc, 0x0, Some(0x20)),
            ("_lib_quit", ExitHandler, 0x20, Some(0x0)),
        ], 0),
        ("arm64-obj/cxa_atexit.o", &[
            ("_reg_init", ModInitFunc, 0x0, Some(0x38)),
            ("_reg_cleanup", ExitHandler, 0x38, Some(0x0)),
        ], 0),
        ("x86_64-obj/mod_term.o", &[
            ("_term_init", ModInitFunc, 0x0, Some(0x20)),
            ("_term_quit", ModTermFunc, 0x20, Some(0x0)),
        ], 0),
        ("x86_64-obj/unpaired.o", &[("_leaky_init", ModInitFunc, 0x0, None)], 1),
    ];
    for (file, truth, warnings) in cases {
        let report = one(file);
        assert_eq!(report.kind, Some(BinaryKind::Object), "{file}");
        let users: Vec<_> = report.entries.iter().filter(|e| e.origin == User).collect();
        assert_eq!(users.len(), truth.len(), "{file}: {:#?}", report.entries);
        for &(symbol, mechanism, address, paired) in truth {
            let entry = common::entry(&report, symbol);
            assert_eq!(entry.mechanism, mechanism, "{file} {symbol}");
            assert_eq!(entry.address, address, "{file} {symbol}");
            assert_eq!(entry.paired_with, paired, "{file} {symbol}");
        }
        let expected = vec![("BLT001", Severity::Warning); warnings];
        assert_eq!(verdict(&report), expected, "{file}");
    }
    let paired = one("arm64-obj/paired.o");
    let glob = common::entry(&paired, "___GLOBAL_init_65535");
    assert_eq!(glob.origin, Toolchain);
    assert_eq!(glob.target_section.as_deref(), Some("__TEXT,__StaticInit"));
}

#[test]
fn damaged_mach_o_files_are_errors_that_name_the_damage_and_java_classes_are_passed_over() {
    let audit = |data: &[u8]| {
        blastool::audit::audit_bytes("input", data, blastool::audit::Origin { directory: None })
    };
    let good = std::fs::read(macho_path("arm64-chained/paired.dylib")).unwrap();
    // Header and load commands cut short.
    let cut = audit(&good[..40]);
    assert_eq!(cut.len(), 1);
    let error = cut[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("Mach-O"), "{error}");
    assert!(!error.contains("internal error"), "{error}");
    // A fat header whose only slice lies beyond the end of the file.
    let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1];
    fat.extend_from_slice(&[
        0x01, 0, 0, 0x0c, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x40, 0, 0, 0, 0, 14,
    ]);
    let broken = audit(&fat);
    assert_eq!(broken.len(), 1);
    assert!(broken[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("fat slice"));
    // A Java class file (version 52 where a fat header counts its slices) is not a binary.
    let class = audit(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 0, 0, 0]);
    assert_eq!(class.len(), 1);
    assert!(class[0].error.is_none());
    assert!(!class[0].audited);
}

#[test]
fn objective_c_image_info_pins_a_dylib_but_not_a_bundle_without_swift() {
    let dylib = one("arm64-chained/objc.dylib");
    assert!(dylib
        .never_unloaded
        .as_deref()
        .unwrap()
        .contains("__objc_imageinfo"));
    check(
        "objc.dylib",
        &dylib,
        &[(
            "_objc_init",
            C,
            InitOffsets,
            0x4e8,
            0x514,
            User,
            false,
            None,
        )],
    );
    assert_eq!(verdict(&dylib), vec![("BLT001", Severity::Note)]);

    let bundle = one("bundle/objc.so");
    assert_eq!(bundle.never_unloaded, None);
    check(
        "objc.so",
        &bundle,
        &[(
            "_objc_init",
            C,
            InitOffsets,
            0x4b8,
            0x4e4,
            User,
            false,
            None,
        )],
    );
    assert_eq!(verdict(&bundle), vec![("BLT001", Severity::Warning)]);
}

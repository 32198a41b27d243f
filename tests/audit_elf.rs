//! ELF fixtures: every linker flavour gets the verdict its source was written to produce, slot
//! targets resolve through the relocation that really fills them, and stripping changes
//! nothing but names.

mod common;

use blastool::audit::model::{Mechanism, Origin, Role, Severity};
use common::{audit_one, entry, fixture, user_constructors, verdict};

const FLAVOURS: &[&str] = &["x86_64-gnuld", "x86_64-lld", "x86_64-relr"];

#[test]
fn paired_constructor_and_destructor_give_no_finding() {
    for dir in FLAVOURS
        .iter()
        .chain(&["x86_64-nostdlib", "aarch64-lld", "i686"])
    {
        let report = audit_one(&format!("elf/{dir}/paired.so"));
        assert!(report.findings.is_empty(), "{dir}: {:#?}", report.findings);
        let init = entry(&report, "lib_init");
        let quit = entry(&report, "lib_quit");
        assert_eq!(init.mechanism, Mechanism::InitArray);
        assert_eq!(quit.mechanism, Mechanism::FiniArray);
        assert!(quit.runs_on_unload);
        assert_eq!(init.paired_with, Some(quit.address), "{dir}");
        assert_eq!(quit.paired_with, Some(init.address), "{dir}");
    }
}

#[test]
fn unpaired_constructor_is_one_warning() {
    for dir in FLAVOURS
        .iter()
        .chain(&["x86_64-nostdlib", "aarch64-lld", "i686"])
    {
        let report = audit_one(&format!("elf/{dir}/unpaired.so"));
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{dir}"
        );
        assert_eq!(report.findings[0].symbol.as_deref(), Some("leaky_init"));
        assert!(report.findings[0].message.contains("no user destructor"));
    }
}

#[test]
fn exit_handler_registration_is_found_directly_and_through_calls() {
    for dir in FLAVOURS
        .iter()
        .chain(&["x86_64-nostdlib", "aarch64-lld", "i686"])
    {
        for (case, ctor, handler) in [
            ("atexit_reg", "reg_init", "reg_cleanup"),
            ("atexit_nested", "nest_init", "nest_cleanup"),
        ] {
            let path = format!("elf/{dir}/{case}.so");
            if !fixture(&path).exists() {
                continue; // i686 has no atexit_nested build
            }
            let report = audit_one(&path);
            assert!(report.findings.is_empty(), "{path}: {:#?}", report.findings);
            let init = entry(&report, ctor);
            assert!(init.registers_exit_handler, "{path}");
            let cleanup = entry(&report, handler);
            assert_eq!(cleanup.mechanism, Mechanism::ExitHandler, "{path}");
            assert_eq!(init.paired_with, Some(cleanup.address), "{path}");
        }
    }
}

#[test]
fn cxx_static_objects_register_their_destructor_with_cxa_atexit() {
    for dir in FLAVOURS {
        let report = audit_one(&format!("elf/{dir}/cxx_static.so"));
        assert!(report.findings.is_empty(), "{dir}: {:#?}", report.findings);
        let init = entry(&report, "_GLOBAL__sub_I_cxx_static.cpp");
        assert_eq!(
            init.exit_handler_call.as_deref(),
            Some("__cxa_atexit"),
            "{dir}"
        );
        assert!(init.paired_with.is_some(), "{dir}");
    }
}

#[test]
fn priorities_pair_by_name_and_the_orphan_is_reported() {
    for dir in FLAVOURS {
        let report = audit_one(&format!("elf/{dir}/priorities.so"));
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{dir}"
        );
        assert_eq!(
            report.findings[0].symbol.as_deref(),
            Some("prio_orphan_init")
        );
        let early = entry(&report, "prio_early_init");
        assert_eq!(
            early.paired_with,
            Some(entry(&report, "prio_early_quit").address)
        );
        let late = entry(&report, "prio_late_init");
        assert_eq!(
            late.paired_with,
            Some(entry(&report, "prio_late_quit").address)
        );
    }
}

#[test]
fn slots_resolve_through_the_relocation_that_fills_them() {
    // Ground truth from tests/fixtures/README.md (readelf/od of each file).
    let cases = [
        // GNU ld: symbol relocation over a zero word, as in Debian's libopenblas.so.0.
        (
            "elf/x86_64-gnuld/global_sym.so",
            "gotoblas_init",
            0x10a0,
            0x3de0,
            "symbol relocation",
        ),
        (
            "elf/x86_64-gnuld/global_sym.so",
            "gotoblas_quit",
            0x1060,
            0x3df0,
            "symbol relocation",
        ),
        // lld: every slot is zero on disk; the target is the RELATIVE addend.
        (
            "elf/x86_64-lld/paired.so",
            "lib_init",
            0x16a0,
            0x2778,
            "RELA relative addend",
        ),
        (
            "elf/x86_64-lld/paired.so",
            "lib_quit",
            0x16d0,
            0x2768,
            "RELA relative addend",
        ),
        // RELR: the word in place is the target.
        (
            "elf/x86_64-relr/paired.so",
            "lib_init",
            0x1080,
            0x3dc0,
            "RELR relative word",
        ),
        // Non-PIE executable: absolute words, no relocation.
        (
            "elf/x86_64-exe/nopie",
            "app_init",
            0x401070,
            0x403de8,
            "word in file",
        ),
        // aarch64 symbol relocation.
        (
            "elf/aarch64-lld/global_sym.so",
            "gotoblas_init",
            0,
            0,
            "symbol relocation",
        ),
        // i386 REL symbol relocation: symbol value plus the (zero) word in place.
        (
            "elf/i686/global_sym.so",
            "gotoblas_init",
            0,
            0,
            "symbol relocation",
        ),
    ];
    for (path, symbol, address, slot, how) in cases {
        let report = audit_one(path);
        let e = entry(&report, symbol);
        if address != 0 {
            assert_eq!(e.address, address, "{path} {symbol}");
            assert_eq!(e.slot, slot, "{path} {symbol}");
        }
        assert_eq!(e.resolved_by, how, "{path} {symbol}");
    }
}

#[test]
fn toolchain_entries_are_recognised_and_never_findings() {
    for dir in FLAVOURS {
        for stripped in ["", ".stripped"] {
            let report = audit_one(&format!("elf/{dir}/paired{stripped}.so"));
            let toolchain: Vec<_> = report
                .entries
                .iter()
                .filter(|e| e.origin == Origin::Toolchain)
                .collect();
            // frame_dummy, __do_global_dtors_aux, DT_INIT (_init), DT_FINI (_fini).
            assert_eq!(toolchain.len(), 4, "{dir}{stripped}: {toolchain:#?}");
            assert_eq!(user_constructors(&report).len(), 1, "{dir}{stripped}");
        }
    }
}

#[test]
fn stripping_changes_no_verdict() {
    let mut compared = 0;
    for dir in FLAVOURS.iter().chain(&["x86_64-nostdlib", "aarch64-lld"]) {
        for entry in std::fs::read_dir(fixture(&format!("elf/{dir}"))).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".stripped.so") else {
                continue;
            };
            let full = audit_one(&format!("elf/{dir}/{stem}.so"));
            let stripped = audit_one(&format!("elf/{dir}/{name}"));
            assert_eq!(verdict(&full), verdict(&stripped), "{dir}/{stem}");
            let shape = |r: &blastool::audit::model::FileReport| {
                let mut shape: Vec<_> = r
                    .entries
                    .iter()
                    .map(|e| {
                        (
                            e.role,
                            e.mechanism,
                            e.address,
                            e.origin,
                            e.runs_on_unload,
                            e.paired_with,
                        )
                    })
                    .collect();
                shape.sort_by_key(|s| (s.2, s.1));
                shape
            };
            assert_eq!(shape(&full), shape(&stripped), "{dir}/{stem}");
            compared += 1;
        }
    }
    assert!(
        compared >= 37,
        "only {compared} stripped/unstripped pairs compared"
    );
}

#[test]
fn nodelete_and_executables_turn_findings_into_notes() {
    for dir in FLAVOURS {
        let report = audit_one(&format!("elf/{dir}/nodelete.so"));
        assert_eq!(verdict(&report), vec![("BLT001", Severity::Note)], "{dir}");
        assert!(report
            .never_unloaded
            .as_deref()
            .unwrap()
            .contains("NODELETE"));
        assert!(report.findings[0].message.contains("Not a leak here"));
    }
    for exe in ["pie", "nopie"] {
        let report = audit_one(&format!("elf/x86_64-exe/{exe}"));
        assert!(!report.findings.is_empty(), "{exe}");
        assert!(
            report.findings.iter().all(|f| f.severity == Severity::Note),
            "{exe}"
        );
        assert!(report
            .never_unloaded
            .as_deref()
            .unwrap()
            .contains("executable"));
    }
}

#[test]
fn musl_never_unloads_so_findings_are_notes_and_pairs_are_fine() {
    let unpaired = audit_one("elf/x86_64-musl/unpaired.so");
    assert_eq!(
        unpaired.runtime,
        Some(blastool::audit::model::Runtime::Musl)
    );
    assert_eq!(verdict(&unpaired), vec![("BLT001", Severity::Note)]);
    assert!(unpaired.never_unloaded.as_deref().unwrap().contains("musl"));
    let paired = audit_one("elf/x86_64-musl/paired.so");
    assert!(paired.findings.is_empty(), "{:#?}", paired.findings);
    assert_eq!(
        entry(&paired, "lib_init").paired_with,
        Some(entry(&paired, "lib_quit").address)
    );
}

#[test]
fn relocatable_objects_are_judged_from_their_relocations() {
    let paired = audit_one("elf/x86_64-obj/paired.o");
    assert!(paired.findings.is_empty(), "{:#?}", paired.findings);
    assert_eq!(
        entry(&paired, "lib_init").target_section.as_deref(),
        Some(".text.startup")
    );
    let unpaired = audit_one("elf/x86_64-obj/unpaired.o");
    assert_eq!(verdict(&unpaired), vec![("BLT001", Severity::Warning)]);
    // atexit is called from a helper one call below the constructor.
    let nested = audit_one("elf/x86_64-obj/atexit_nested.o");
    assert!(nested.findings.is_empty(), "{:#?}", nested.findings);
    assert!(entry(&nested, "nest_init").registers_exit_handler);
    let priorities = audit_one("elf/x86_64-obj/priorities.o");
    assert_eq!(entry(&priorities, "prio_late_init").priority, Some(200));
    let legacy = audit_one("elf/x86_64-obj/legacy_ctors.o");
    assert_eq!(entry(&legacy, "legacy_init").mechanism, Mechanism::Ctors);
    assert!(legacy.findings.is_empty());
    for arch in ["i686", "ppc64be"] {
        let report = audit_one(&format!("elf/{arch}/unpaired.o"));
        assert_eq!(
            verdict(&report),
            vec![("BLT001", Severity::Warning)],
            "{arch}"
        );
        let report = audit_one(&format!("elf/{arch}/paired.o"));
        assert!(report.findings.is_empty(), "{arch}: {:#?}", report.findings);
    }
}

#[test]
fn big_endian_images_resolve_but_say_their_code_was_not_read() {
    let report = audit_one("elf/ppc64be/atexit_reg.so");
    assert_eq!(report.arch.map(|a| a.name()), Some("powerpc64"));
    let init = entry(&report, "reg_init");
    assert_eq!(init.role, Role::Constructor);
    // No powerpc decoder: the finding is a note that says why, not a false warning.
    assert_eq!(verdict(&report), vec![("BLT001", Severity::Note)]);
    assert!(report.findings[0].message.contains("could not be analysed"));
}

#[test]
fn debian_libopenblas_pairs_gotoblas_init_with_gotoblas_quit() {
    let path = std::path::Path::new("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");
    if !common::require(
        path.exists(),
        "Debian's libopenblas.so.0",
        "apt-get install libopenblas0-pthread",
    ) {
        return;
    }
    let reports = blastool::audit::audit_file(path);
    let report = &reports[0];
    assert!(report.error.is_none());
    let init = entry(report, "gotoblas_init");
    let quit = entry(report, "gotoblas_quit");
    assert_eq!(init.resolved_by, "symbol relocation");
    assert_eq!(quit.resolved_by, "symbol relocation");
    assert_eq!(init.paired_with, Some(quit.address));
    assert!(quit.runs_on_unload);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

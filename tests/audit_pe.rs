//! Linked PE images: the MSVC /MD and /MT shapes (x64, ARM64, x86) linked with lld-link, MinGW
//! DLLs (x64, x86) stripped and not, and the DllMain fix end to end.

mod common;

use blastool::audit::model::{FileReport, Format, Mechanism, Runtime, Severity};
use common::{audit_one, entry, entry_at, verdict};

fn pe(relative: &str) -> FileReport {
    audit_one(&format!("../pe/bin/{relative}"))
}

#[test]
fn md_dll_with_destructor_in_crt_xt_is_an_error_on_every_architecture() {
    // (directory, lib_init RVA, lib_quit RVA, XTX slot RVA) from tests/fixtures/pe/README.md.
    for (dir, init, quit, slot) in [
        ("msvc-x64-md", 0x1090, 0x10c0, 0x2098),
        ("msvc-arm64-md", 0x10bc, 0x10e4, 0x2098),
        ("msvc-x86-md", 0x1090, 0x10b0, 0x205c),
    ] {
        for file in ["ctor.dll", "ctor.symtab.dll"] {
            let report = pe(&format!("{dir}/{file}"));
            assert_eq!(report.format, Format::Pe);
            assert_eq!(report.runtime, Some(Runtime::MsvcDynamic), "{dir}/{file}");
            let ctor = entry_at(&report, init);
            let dtor = entry_at(&report, quit);
            assert_eq!(ctor.mechanism, Mechanism::CrtXc, "{dir}/{file}");
            assert_eq!(dtor.mechanism, Mechanism::CrtXt, "{dir}/{file}");
            assert_eq!(dtor.slot, slot, "{dir}/{file}");
            assert!(!dtor.runs_on_unload);
            assert_eq!(ctor.paired_with, Some(quit), "{dir}/{file}");
            assert_eq!(
                verdict(&report),
                vec![("BLT002", Severity::Error)],
                "{dir}/{file}"
            );
            let message = &report.findings[0].message;
            assert!(message.contains("/MD"), "{message}");
            assert!(message.contains("blastool template dllmain"), "{message}");
            assert!(message.contains("own DLL"), "{message}");
        }
        // With symbols the names come through, without them the same verdict by shared state.
        let named = pe(&format!("{dir}/ctor.symtab.dll"));
        assert!(entry_at(&named, init)
            .symbol
            .as_deref()
            .unwrap()
            .ends_with("lib_init"));
        let stripped = pe(&format!("{dir}/ctor.dll"));
        assert!(entry_at(&stripped, init)
            .paired_by
            .as_deref()
            .unwrap()
            .starts_with("shared state"));
        // The tables were located from the _initterm call sites, bounds as the map files give.
        let (xc, xi) = if dir == "msvc-x86-md" {
            ("[0x2034, 0x203c)", "[0x2040, 0x2044)")
        } else {
            ("[0x2048, 0x2058)", "[0x2060, 0x2068)")
        };
        let evidence = stripped.evidence.join("\n");
        assert!(
            evidence.contains(&format!(".CRT$XC*: {xc}")),
            "{dir}: {evidence}"
        );
        assert!(
            evidence.contains(&format!(".CRT$XI*: {xi}")),
            "{dir}: {evidence}"
        );
        assert!(
            evidence.contains("_initterm call site"),
            "{dir}: {evidence}"
        );
    }
}

#[test]
fn mt_dll_runs_its_terminators_so_the_same_shape_is_clean() {
    for (dir, quit) in [
        ("msvc-x64-mt", 0x1220),
        ("msvc-arm64-mt", 0x1238),
        ("msvc-x86-mt", 0x11a0),
    ] {
        for file in ["ctor.dll", "ctor.symtab.dll"] {
            let report = pe(&format!("{dir}/{file}"));
            assert_eq!(report.runtime, Some(Runtime::MsvcStatic), "{dir}/{file}");
            let dtor = entry_at(&report, quit);
            assert_eq!(dtor.mechanism, Mechanism::CrtXt, "{dir}/{file}");
            assert!(dtor.runs_on_unload, "{dir}/{file}");
            assert!(
                report.findings.is_empty(),
                "{dir}/{file}: {:#?}",
                report.findings
            );
        }
    }
}

#[test]
fn unpaired_and_atexit_shapes_stripped_or_not() {
    for dir in [
        "msvc-x64-md",
        "msvc-arm64-md",
        "msvc-x86-md",
        "msvc-x64-mt",
        "msvc-arm64-mt",
        "msvc-x86-mt",
    ] {
        for suffix in ["", ".symtab"] {
            let unpaired = pe(&format!("{dir}/unpaired{suffix}.dll"));
            assert_eq!(
                verdict(&unpaired),
                vec![("BLT001", Severity::Warning)],
                "{dir}/unpaired{suffix}"
            );
            let atexit = pe(&format!("{dir}/atexit{suffix}.dll"));
            assert!(
                atexit.findings.is_empty(),
                "{dir}/atexit{suffix}: {:#?}",
                atexit.findings
            );
            assert!(
                atexit.entries.iter().any(|e| e.registers_exit_handler),
                "{dir}/atexit{suffix}"
            );
        }
    }
}

#[test]
fn mingw_dlls_get_the_same_verdicts_stripped_and_unstripped() {
    let expected = [
        ("paired", vec![]),
        ("unpaired", vec![("BLT001", Severity::Warning)]),
        ("atexit", vec![]),
        ("crt_xt", vec![("BLT002", Severity::Error)]),
    ];
    for arch in ["mingw-x64", "mingw-x86"] {
        for (case, want) in &expected {
            for suffix in ["", ".stripped"] {
                let report = pe(&format!("{arch}/{case}{suffix}.dll"));
                assert_eq!(
                    report.runtime,
                    Some(Runtime::Mingw),
                    "{arch}/{case}{suffix}"
                );
                assert_eq!(
                    &verdict(&report),
                    want,
                    "{arch}/{case}{suffix}: {:#?}",
                    report.findings
                );
            }
        }
    }
    // __CTOR_LIST__ at 0x23e0 = [-1, lib_init 0x2380, register_frame_ctor 0x23d0, 0].
    let paired = pe("mingw-x64/paired.dll");
    let init = entry(&paired, "lib_init");
    assert_eq!(
        (init.address, init.mechanism, init.slot),
        (0x2380, Mechanism::Ctors, 0x23e8)
    );
    let quit = entry(&paired, "lib_quit");
    assert_eq!((quit.address, quit.mechanism), (0x23b0, Mechanism::Dtors));
    assert!(quit.runs_on_unload);
    let frame = entry(&paired, "register_frame_ctor");
    assert_eq!(frame.origin, blastool::audit::model::Origin::Toolchain);
    // MinGW never runs .CRT$XT*: the slot at 0xa048 holds xt_quit.
    let crt_xt = pe("mingw-x64/crt_xt.stripped.dll");
    let xt = entry_at(&crt_xt, 0x1370);
    assert_eq!(
        (xt.mechanism, xt.slot, xt.runs_on_unload),
        (Mechanism::CrtXt, 0xa048, false)
    );
}

#[test]
fn executables_and_broken_images() {
    let app = pe("mingw-x64/app.exe");
    assert!(app.never_unloaded.is_some());
    assert!(app.findings.iter().all(|f| f.severity == Severity::Note));
    for name in ["truncated.dll", "bad_sections.dll", "many_sections.dll"] {
        let path = common::fixture(&format!("../pe/bin/bad/{name}"));
        let reports = blastool::audit::audit_file(&path);
        assert_eq!(reports.len(), 1);
        let error = reports[0].error.as_deref().unwrap_or_default();
        assert!(error.contains("PE"), "{name}: {error}");
    }
}

/// Builds a MinGW DLL whose constructor's cleanup sits in `.CRT$XTX` (which MinGW never runs),
/// with and without the DllMain that `blastool template dllmain` renders.
#[test]
fn the_rendered_dllmain_fixes_what_the_audit_reports() {
    let compiler = "x86_64-w64-mingw32-gcc";
    let available = std::process::Command::new(compiler)
        .arg("--version")
        .output()
        .is_ok();
    if !common::require(available, compiler, "apt-get install gcc-mingw-w64-x86-64") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("library.c");
    std::fs::write(
        &library,
        "#include <stdlib.h>\n\
         static char *pool;\n\
         __attribute__((constructor)) void pool_init(void) { pool = malloc(1 << 20); }\n\
         void pool_quit(void) { free(pool); pool = NULL; }\n\
         __attribute__((section(\".CRT$XTX\"), used)) static void (*const quit_slot)(void) = pool_quit;\n\
         __declspec(dllexport) int probe(void) { return pool != NULL; }\n",
    )
    .unwrap();
    let dllmain = dir.path().join("dllmain.c");
    let rendered = blastool::template::render_dllmain(&blastool::template::DllMainSpec {
        init: "pool_init".to_string(),
        quit: "pool_quit".to_string(),
    })
    .unwrap();
    std::fs::write(&dllmain, rendered).unwrap();
    let build = |output: &std::path::Path, sources: &[&std::path::Path]| {
        let status = std::process::Command::new(compiler)
            .args(["-O2", "-shared", "-o"])
            .arg(output)
            .args(sources)
            .status()
            .unwrap();
        assert!(status.success(), "{compiler} failed");
    };
    let broken = dir.path().join("broken.dll");
    build(&broken, &[&library]);
    let report = &blastool::audit::audit_file(&broken)[0];
    assert_eq!(
        verdict(report),
        vec![("BLT002", Severity::Error)],
        "{:#?}",
        report.findings
    );
    assert!(report.findings[0]
        .message
        .contains("--init pool_init --quit pool_quit"));

    let fixed = dir.path().join("fixed.dll");
    build(&fixed, &[&library, &dllmain]);
    let report = &blastool::audit::audit_file(&fixed)[0];
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let quit = entry(report, "pool_quit");
    assert!(quit.runs_on_unload);
    assert!(quit
        .runs_on_unload_because
        .as_deref()
        .unwrap()
        .contains("DllMain"));

    // Stripped, DllMain has no name: the entry point's reach stands in for it.
    let stripped = dir.path().join("fixed.stripped.dll");
    let status = std::process::Command::new("x86_64-w64-mingw32-strip")
        .arg("--strip-all")
        .arg("-o")
        .arg(&stripped)
        .arg(&fixed)
        .status()
        .unwrap();
    assert!(status.success());
    let report = &blastool::audit::audit_file(&stripped)[0];
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert!(
        report.evidence.iter().any(|e| e.contains("entry point")),
        "{:?}",
        report.evidence
    );
}

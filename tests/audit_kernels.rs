//! Our own BLAS must be the example of a correct lifecycle: the audit finds its unload
//! destructor in the shared library and no hidden constructor of ours in the static one.

mod common;

use blastool::audit::model::{Mechanism, Origin, Role};

#[test]
fn the_kernels_library_audits_clean_with_its_unload_destructor_found() {
    let dir = common::built_kernels();
    let shared = blastool::audit::audit_file(&dir.join("libkernels.so"));
    let report = &shared[0];
    assert!(report.error.is_none(), "{:?}", report.error);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let quit = report
        .entries
        .iter()
        .find(|e| {
            e.role == Role::Destructor
                && e.origin == Origin::User
                && e.symbol
                    .as_deref()
                    .is_some_and(|s| s.contains("blastool_quit"))
        })
        .unwrap_or_else(|| panic!("no unload destructor found: {:#?}", report.entries));
    assert_eq!(quit.mechanism, Mechanism::FiniArray);
    assert!(quit.runs_on_unload);
    // The only constructor is Rust std's argv initialiser, owned by the toolchain.
    assert!(report
        .entries
        .iter()
        .filter(|e| e.role == Role::Constructor)
        .all(|e| e.origin == Origin::Toolchain));

    let archive = blastool::audit::audit_file(&dir.join("libkernels.a"));
    assert!(!archive.is_empty());
    for member in &archive {
        assert!(
            member.error.is_none(),
            "{}: {:?}",
            member.display_name(),
            member.error
        );
        assert!(
            member.findings.is_empty(),
            "{}: {:#?}",
            member.display_name(),
            member.findings
        );
        // No constructor of our own: the static library initialises lazily.
        for entry in member
            .entries
            .iter()
            .filter(|e| e.role == Role::Constructor)
        {
            let symbol = entry.symbol.as_deref().unwrap_or_default();
            assert!(
                !symbol.contains("kernels"),
                "{}: constructor {symbol}",
                member.display_name()
            );
        }
    }
}

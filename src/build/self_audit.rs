//! Self-audit: runs `blastool audit` on every library the build produced, before anything is
//! installed. Any finding at warning or above fails the build with exit status 1, so a library
//! this tool would flag is never installed by it. It also checks the shared library against the
//! interface table: every function the headers declare must be exported (and, for a Windows
//! DLL, listed in the .def), so headers and library cannot drift apart.

use super::link::{produced_libraries, SharedNames};
use super::plan::Plan;
use super::report::relative;
use super::{cross, fail, headers, Failure};
use crate::audit::model::Severity;
use object::Object;
use std::collections::HashSet;
use std::path::Path;

/// Audits the libraries in the install tree at `root`; returns their paths relative to it.
pub(super) fn self_audit(
    plan: &Plan,
    root: &Path,
    shared: &SharedNames,
) -> Result<Vec<String>, Failure> {
    let mut audited = Vec::new();
    let mut findings = Vec::new();
    let mut audit_errors = Vec::new();
    if plan.want_shared {
        check_exports(plan, root, shared)?;
    }
    for file in produced_libraries(plan, root, shared) {
        for report in crate::audit::audit_file(&file) {
            if let Some(error) = &report.error {
                audit_errors.push(format!("{}: {error}", report.display_name()));
            }
            for finding in report
                .findings
                .iter()
                .filter(|f| f.severity >= Severity::Warning)
            {
                findings.push(format!(
                    "{}: {} {} ({})",
                    report.display_name(),
                    finding.rule,
                    finding.message,
                    finding.severity.name()
                ));
            }
        }
        audited.push(relative(root, &file));
    }
    if !audit_errors.is_empty() {
        return fail(format!(
            "the audit could not read the produced library: {}",
            audit_errors.join("; ")
        ));
    }
    if !findings.is_empty() {
        for line in &findings {
            eprintln!("finding: {line}");
        }
        return Err(Failure {
            status: 1,
            message: format!(
                "the produced library has {} audit finding(s) at warning or above; nothing was installed",
                findings.len()
            ),
        });
    }
    Ok(audited)
}

/// Fails unless the shared library exports every function of the interface table under the
/// plan's affixes, and a Windows build's .def lists each of them.
fn check_exports(plan: &Plan, root: &Path, shared: &SharedNames) -> Result<(), Failure> {
    let Some(library) = produced_libraries(plan, root, shared).into_iter().next() else {
        return Ok(());
    };
    let mut present = vec![library_exports(&library)?];
    if cross::is_windows(plan.target) {
        let def_path = root.join("lib").join(format!("lib{}.def", plan.name));
        let def = std::fs::read_to_string(&def_path)
            .or_else(|e| fail(format!("cannot read {}: {e}", def_path.display())))?;
        present.push(def_entries(&def));
    }
    let missing = missing_from(&headers::table_exports(plan), &present);
    if missing.is_empty() {
        return Ok(());
    }
    fail(format!(
        "the produced library does not export {} function(s) its headers declare, e.g. {}; \
         nothing was installed",
        missing.len(),
        missing[..missing.len().min(5)].join(", ")
    ))
}

/// The names a shared library (ELF or PE) exports.
fn library_exports(library: &Path) -> Result<HashSet<String>, Failure> {
    let data = std::fs::read(library)
        .or_else(|e| fail(format!("cannot read {}: {e}", library.display())))?;
    let unreadable =
        |e: object::Error| format!("cannot read the exports of {}: {e}", library.display());
    let file = object::File::parse(&*data).or_else(|e| fail(unreadable(e)))?;
    let mut exported = HashSet::new();
    for export in file.exports().or_else(|e| fail(unreadable(e)))? {
        let export = export.or_else(|e| fail(unreadable(e)))?;
        if let object::NameOrOrdinal::Name(name) = export.name() {
            exported.insert(String::from_utf8_lossy(name).into_owned());
        }
    }
    Ok(exported)
}

/// The names a module-definition file lists: the first word of each line after `EXPORTS`
/// (`    dgemm_ @201`).
fn def_entries(def: &str) -> HashSet<String> {
    def.lines()
        .skip_while(|line| line.trim() != "EXPORTS")
        .skip(1)
        .filter_map(|line| line.split_whitespace().next())
        .map(String::from)
        .collect()
}

/// The names of `wanted` missing from any of the `present` sets, sorted.
fn missing_from(wanted: &[String], present: &[HashSet<String>]) -> Vec<String> {
    let mut missing: Vec<String> = wanted
        .iter()
        .filter(|name| present.iter().any(|set| !set.contains(*name)))
        .cloned()
        .collect();
    missing.sort_unstable();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_def_file_lists_its_exports_and_missing_names_are_found() {
        let def = "; comment\nEXPORTS\n    CBLAS_CallFromC @1 DATA\n    dgemm_ @201\n";
        let listed = def_entries(def);
        assert!(listed.contains("dgemm_") && listed.contains("CBLAS_CallFromC"));
        assert!(!listed.contains("EXPORTS") && !listed.contains(";"));
        let wanted: Vec<String> = ["dgemm_", "cblas_dgemm"].map(String::from).to_vec();
        let exported: HashSet<String> = wanted.iter().cloned().collect();
        assert!(missing_from(&wanted, std::slice::from_ref(&exported)).is_empty());
        assert_eq!(missing_from(&wanted, &[exported, listed]), ["cblas_dgemm"]);
    }
}

//! Self-audit: runs `blastool audit` on every library the build produced, before anything is
//! installed. Any finding at warning or above fails the build with exit status 1, so a library
//! this tool would flag is never installed by it.

use super::link::{produced_libraries, SharedNames};
use super::plan::Plan;
use super::report::relative;
use super::{fail, Failure};
use crate::audit::model::Severity;
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

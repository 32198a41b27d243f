//! The markdown report: one short table of the findings that count, for GitHub job summaries
//! (`$GITHUB_STEP_SUMMARY`) and pull-request comments. Accepted and baseline findings, and
//! stale configuration entries, are counted below the table rather than listed.

use crate::audit::model::FileReport;
use crate::policy::PolicyOutcome;
use crate::report::Summary;
use std::fmt::Write;

/// Rows shown before the table is cut: a job summary holds about 1 MiB, and a reader wants the
/// first screens, not all of them.
const MAX_ROWS: usize = 200;

/// Makes text safe inside a table cell: no line breaks, no column separators, no HTML.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ")
}

fn code(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        // A backtick inside would close the span early.
        format!("`{}`", cell(text).replace('`', "'"))
    }
}

pub fn render(reports: &[FileReport], policy: &PolicyOutcome) -> String {
    let summary = Summary::of(reports);
    let mut out = String::from("### blastool audit\n\n");
    let rows: Vec<(&FileReport, &crate::audit::model::Finding)> = reports
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .filter(|(_, f)| f.counts())
        .collect();
    let audited = summary.files - summary.file_errors - summary.not_audited;
    if rows.is_empty() {
        let _ = writeln!(out, "No findings in {audited} audited file(s).\n");
    } else {
        out.push_str("| file | rule | severity | symbol | message |\n");
        out.push_str("|---|---|---|---|---|\n");
        for (report, finding) in rows.iter().take(MAX_ROWS) {
            let symbol = finding
                .symbol
                .clone()
                .or_else(|| finding.address.map(|a| format!("{a:#x}")))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                code(&report.display_name()),
                finding.rule,
                finding.severity.name(),
                code(&symbol),
                cell(&finding.message)
            );
        }
        if rows.len() > MAX_ROWS {
            let _ = writeln!(
                out,
                "\n… and {} more; the JSON or SARIF report has them all.",
                rows.len() - MAX_ROWS
            );
        }
        let _ = writeln!(
            out,
            "\n{} finding(s) in {audited} audited file(s).",
            rows.len()
        );
        out.push('\n');
    }
    let mut notes = Vec::new();
    if summary.allowed > 0 {
        notes.push(format!(
            "{} accepted by the configuration's allowlist",
            summary.allowed
        ));
    }
    if summary.in_baseline > 0 {
        notes.push(format!("{} already in the baseline", summary.in_baseline));
    }
    if !policy.absent.is_empty() {
        notes.push(format!(
            "{} baseline finding(s) fixed since",
            policy.absent.len()
        ));
    }
    if !policy.stale.is_empty() {
        notes.push(format!(
            "{} stale allowlist entr{} (match nothing)",
            policy.stale.len(),
            if policy.stale.len() == 1 { "y" } else { "ies" }
        ));
    }
    if !policy.expired.is_empty() {
        notes.push(format!(
            "{} expired allowlist entr{}",
            policy.expired.len(),
            if policy.expired.len() == 1 {
                "y"
            } else {
                "ies"
            }
        ));
    }
    if summary.file_errors > 0 {
        notes.push(format!(
            "{} input(s) could not be read or parsed",
            summary.file_errors
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "Also: {}.", notes.join("; "));
    }
    out
}

//! Human-readable report: per file, the constructor/destructor table and the findings in the
//! `severity[ID]: message` shape compilers use; colour only when writing to a terminal.

use crate::audit::model::{
    BaselineState, BinaryKind, Entry, FileReport, Finding, Origin, Role, Severity, Skipped,
};
use crate::leakcheck::Confirmation;
use crate::report::{RenderOptions, RunContext, Summary};
use std::fmt::Write;

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        match severity {
            Severity::Error => self.wrap("1;31", "error"),
            Severity::Warning => self.wrap("1;33", "warning"),
            Severity::Note => self.wrap("1;36", "note"),
        }
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

fn entry_line(entry: &Entry) -> String {
    let name = entry
        .symbol
        .clone()
        .unwrap_or_else(|| "(no symbol)".to_string());
    let mut notes = Vec::new();
    if entry.origin == Origin::Toolchain {
        notes.push("toolchain".to_string());
    }
    if entry.role == Role::Destructor {
        notes.push(if entry.runs_on_unload {
            "runs on unload".to_string()
        } else {
            "never runs on unload".to_string()
        });
    }
    if let Some(call) = &entry.exit_handler_call {
        notes.push(format!("calls {call}"));
    }
    if entry.role == Role::Constructor && entry.origin == Origin::User {
        let kept: Vec<&str> = entry
            .acquires
            .iter()
            .filter(|r| **r != crate::audit::model::Resource::ExitHandler)
            .map(|r| r.name())
            .collect();
        if !kept.is_empty() {
            notes.push(format!("acquires {}", kept.join(", ")));
        }
        if entry.acquires_unknown {
            notes.push(format!(
                "not followed: {}",
                entry.not_followed.first().map_or("?", String::as_str)
            ));
        }
    }
    if let Some(partner) = entry.paired_with {
        let partner = entry
            .paired_with_symbol
            .clone()
            .unwrap_or_else(|| format!("{partner:#x}"));
        notes.push(format!(
            "paired with {partner} by {}",
            entry.paired_by.as_deref().unwrap_or("evidence")
        ));
    }
    format!(
        "    {role:<11} {mechanism:<13} {address:>12}  {name}{sep}{notes}",
        role = match entry.role {
            Role::Constructor => "constructor",
            Role::Destructor => "destructor",
        },
        mechanism = entry.mechanism.name(),
        address = format!("{:#x}", entry.address),
        sep = if notes.is_empty() { "" } else { "  — " },
        notes = notes.join(", "),
    )
}

/// What the policy did to a finding, appended to its line: allowed (with the reason) or known
/// from the baseline.
fn policy_note(finding: &Finding) -> String {
    if let Some(allowed) = &finding.allowed {
        format!(
            " [allowed by {} entry {}: {}]",
            allowed.config, allowed.entry, allowed.reason
        )
    } else if finding.baseline_state == Some(BaselineState::Unchanged) {
        " [in baseline]".to_string()
    } else {
        String::new()
    }
}

/// The report, then (with `--verbose`) one line per skipped container member, then the summary.
pub fn render(
    reports: &[FileReport],
    skipped: &[Skipped],
    options: RenderOptions,
    context: &RunContext,
) -> String {
    let paint = Paint { on: options.color };
    let mut out = String::new();
    for report in reports {
        let name = report.display_name();
        if let Some(error) = &report.error {
            let _ = writeln!(
                out,
                "{}: {} {error}",
                paint.bold(&name),
                paint.severity(Severity::Error)
            );
            continue;
        }
        if !report.audited {
            if options.verbose {
                let why = report
                    .not_audited_reason
                    .as_deref()
                    .unwrap_or("not audited");
                let _ = writeln!(out, "{}: not audited: {why}", paint.bold(&name));
            }
            continue;
        }
        let shown: Vec<&Entry> = report
            .entries
            .iter()
            .filter(|e| options.verbose || e.origin == Origin::User)
            .collect();
        if options.quiet || (shown.is_empty() && report.findings.is_empty() && !options.verbose) {
            for finding in &report.findings {
                let _ = writeln!(
                    out,
                    "{}: {}[{}]: {}{}",
                    paint.bold(&name),
                    paint.severity(finding.severity),
                    finding.rule,
                    finding.message,
                    policy_note(finding)
                );
            }
            continue;
        }
        let confirmation = context.confirmation(report);
        full_block(&mut out, report, &shown, confirmation, options, &paint);
    }
    if options.verbose {
        for each in skipped {
            let name = match &each.member {
                Some(member) => format!("{}({member})", each.path),
                None => each.path.clone(),
            };
            let _ = writeln!(out, "{}: skipped: {}", paint.bold(&name), each.reason);
        }
    }
    out.push_str(&footer(reports, skipped, options));
    out
}

/// One audited file in full: its header, its entries, the leakcheck verdict and its findings.
fn full_block(
    out: &mut String,
    report: &FileReport,
    shown: &[&Entry],
    confirmation: Option<&Confirmation>,
    options: RenderOptions,
    paint: &Paint,
) {
    let name = report.display_name();
    let _ = writeln!(
        out,
        "{}  ({} {}, {}, runtime {})",
        paint.bold(&name),
        format!("{:?}", report.format).to_uppercase(),
        report.arch.map_or("unknown", |a| a.name()),
        match report.kind {
            Some(BinaryKind::Object) => "object",
            Some(BinaryKind::SharedLibrary) => "shared library",
            Some(BinaryKind::Executable) => "executable",
            None => "unknown",
        },
        report.runtime.map_or("unknown", |r| r.name()),
    );
    if let Some(reason) = &report.never_unloaded {
        let _ = writeln!(out, "    never unloaded: {reason}");
    }
    if options.verbose {
        if let Some(evidence) = &report.runtime_evidence {
            let _ = writeln!(out, "    runtime: {evidence}");
        }
        for line in &report.evidence {
            let _ = writeln!(out, "    found: {line}");
        }
    }
    for entry in shown {
        let _ = writeln!(out, "{}", entry_line(entry));
        if options.verbose {
            if !entry.acquired_through.is_empty() {
                let _ = writeln!(
                    out,
                    "        acquires through: {}",
                    entry.acquired_through.join(", ")
                );
            }
            for place in &entry.not_followed {
                let _ = writeln!(out, "        not followed: {place}");
            }
        }
    }
    let hidden = report
        .entries
        .iter()
        .filter(|e| e.origin == Origin::Toolchain)
        .count();
    if hidden > 0 && !options.verbose {
        let _ = writeln!(
            out,
            "    (+{hidden} toolchain entries; --verbose shows them)"
        );
    }
    if let Some(confirmation) = confirmation {
        let line = match (
            &confirmation.leak,
            &confirmation.error,
            &confirmation.reason,
        ) {
            (Some(verdict), _, _) => crate::leakcheck::render_text(verdict),
            (_, Some(error), _) => format!("leakcheck failed: {}", error.message),
            (_, _, Some(reason)) => format!("leakcheck skipped: {reason}"),
            _ => confirmation.status.to_string(),
        };
        for line in line.trim_end().lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "  {}[{}] {}: {}{}",
            paint.severity(finding.severity),
            finding.rule,
            finding.rule_name,
            finding.message,
            policy_note(finding)
        );
    }
}

/// The closing lines: counts by severity, what the policy accepted, unreadable inputs, skipped
/// members by reason.
fn footer(reports: &[FileReport], skipped: &[Skipped], options: RenderOptions) -> String {
    let mut out = String::new();
    let summary = Summary::of(reports).with_skipped(skipped);
    let _ = write!(
        out,
        "{} file(s) audited: {} error(s), {} warning(s), {} note(s)",
        summary.audited, summary.errors, summary.warnings, summary.notes
    );
    if summary.allowed > 0 {
        let _ = write!(out, "; {} allowed by the configuration", summary.allowed);
    }
    if summary.in_baseline > 0 {
        let _ = write!(out, "; {} already in the baseline", summary.in_baseline);
    }
    if summary.file_errors > 0 {
        let _ = write!(
            out,
            "; {} input(s) could not be read or parsed",
            summary.file_errors
        );
    }
    if summary.not_audited > 0 {
        let _ = write!(out, "; {} not audited", summary.not_audited);
        if !options.verbose {
            let _ = write!(out, " (--verbose lists them)");
        }
    }
    if summary.skipped > 0 {
        let reasons: Vec<String> = summary
            .skipped_reasons
            .iter()
            .map(|(reason, count)| format!("{count} {reason}"))
            .collect();
        let _ = write!(
            out,
            "; {} member(s) skipped: {}",
            summary.skipped,
            reasons.join(", ")
        );
        if !options.verbose {
            let _ = write!(out, " (--verbose lists them)");
        }
    }
    out.push('\n');
    if summary.errors + summary.warnings > 0 {
        let _ = writeln!(out, "`blastool rule ID` explains a rule and its fix.");
    }
    out
}

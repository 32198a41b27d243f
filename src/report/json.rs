//! The JSON report: the wire format documented in the README ("JSON contract"). A file's
//! object is laid out here, from the engine's report and what `audit --confirm` attached.

use crate::audit::model::{Arch, BinaryKind, Entry, FileReport, Finding, Format, Runtime, Skipped};
use crate::leakcheck::Confirmation;
use crate::policy::PolicyOutcome;
use crate::report::{RunContext, Summary};
use serde::Serialize;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool,
    files: Vec<File<'a>>,
    summary: Summary,
    /// The configuration and baseline of the run, with stale, expired and absent entries.
    policy: &'a PolicyOutcome,
}

/// One file or archive member, in the documented field order.
#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    member: &'a Option<String>,
    format: Format,
    arch: Option<Arch>,
    runtime: Option<Runtime>,
    entries: &'a [Entry],
    findings: &'a [Finding],
    error: &'a Option<String>,
    // Extra fields beyond the documented minimum.
    kind: Option<BinaryKind>,
    runtime_evidence: &'a Option<String>,
    never_unloaded: &'a Option<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    evidence: &'a [String],
    /// What `audit --confirm` found by loading and unloading the library.
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmation: Option<&'a Confirmation>,
    audited: bool,
    not_audited_reason: &'a Option<String>,
}

impl<'a> File<'a> {
    fn of(report: &'a FileReport, context: &'a RunContext) -> Self {
        File {
            path: &report.path,
            member: &report.member,
            format: report.format,
            arch: report.arch,
            runtime: report.runtime,
            entries: &report.entries,
            findings: &report.findings,
            error: &report.error,
            kind: report.kind,
            runtime_evidence: &report.runtime_evidence,
            never_unloaded: &report.never_unloaded,
            evidence: &report.evidence,
            confirmation: context.confirmation(report),
            audited: report.audited,
            not_audited_reason: &report.not_audited_reason,
        }
    }
}

/// The document; skipped members are counted in `summary` (not listed: a wheel has thousands).
pub fn render(reports: &[FileReport], skipped: &[Skipped], context: &RunContext) -> String {
    let document = Document {
        tool: Tool {
            name: "blastool",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: reports.iter().map(|r| File::of(r, context)).collect(),
        summary: Summary::of(reports).with_skipped(skipped),
        policy: &context.policy,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; keep the output valid JSON regardless.
        format!("{{\"error\":\"cannot serialise the report: {e}\"}}")
    });
    out.push('\n');
    out
}

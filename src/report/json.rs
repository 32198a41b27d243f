//! The JSON report: the wire format documented in the README ("JSON contract").

use crate::audit::model::{FileReport, Skipped};
use crate::policy::PolicyOutcome;
use crate::report::Summary;
use serde::Serialize;

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Document<'a> {
    tool: Tool,
    files: &'a [FileReport],
    summary: Summary,
    /// The configuration and baseline of the run, with stale, expired and absent entries.
    policy: &'a PolicyOutcome,
}

/// The document; skipped members are counted in `summary` (not listed: a wheel has thousands).
pub fn render(reports: &[FileReport], skipped: &[Skipped], policy: &PolicyOutcome) -> String {
    let document = Document {
        tool: Tool {
            name: "blastool",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: reports,
        summary: Summary::of(reports).with_skipped(skipped),
        policy,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; keep the output valid JSON regardless.
        format!("{{\"error\":\"cannot serialise the report: {e}\"}}")
    });
    out.push('\n');
    out
}

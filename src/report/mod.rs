//! Report emitters (text, JSON, SARIF) behind one function, plus the summary counts and the
//! exit status they imply.

pub mod json;
pub mod sarif;
pub mod text;

use crate::audit::model::{FileReport, Severity, Skipped};
use std::collections::BTreeMap;

/// The output formats of `blastool audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

/// Finding counts by severity, plus files that failed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Inputs that could not be read or parsed.
    pub file_errors: usize,
    /// Inputs that were not audited (unknown or not yet supported formats).
    pub not_audited: usize,
    /// Binaries audited: reports that are neither errors nor not audited.
    pub audited: usize,
    /// Container members (and special files met in directories) skipped as not binaries.
    pub skipped: usize,
    /// How many were skipped for each reason.
    pub skipped_reasons: BTreeMap<String, usize>,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut summary = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for report in reports {
            if report.error.is_some() {
                summary.file_errors += 1;
            } else if !report.audited {
                summary.not_audited += 1;
            }
            if report.error.is_none() && report.audited {
                summary.audited += 1;
            }
            for finding in &report.findings {
                match finding.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Note => summary.notes += 1,
                }
            }
        }
        summary
    }

    /// Adds the skipped members' counts.
    pub fn with_skipped(mut self, skipped: &[Skipped]) -> Self {
        self.skipped = skipped.len();
        for each in skipped {
            *self.skipped_reasons.entry(each.reason.clone()).or_default() += 1;
        }
        self
    }
}

/// Options that shape every format.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub verbose: bool,
    pub quiet: bool,
    pub color: bool,
}

/// Renders the whole report in the chosen format.
pub fn render(format: OutputFormat, reports: &[FileReport], options: RenderOptions) -> String {
    render_with_skipped(format, reports, &[], options)
}

/// Renders the whole report, with the members that were skipped (counted in text and JSON,
/// listed by `--verbose` text; SARIF has results only).
pub fn render_with_skipped(
    format: OutputFormat,
    reports: &[FileReport],
    skipped: &[Skipped],
    options: RenderOptions,
) -> String {
    match format {
        OutputFormat::Text => text::render_with_skipped(reports, skipped, options),
        OutputFormat::Json => json::render_with_skipped(reports, skipped),
        OutputFormat::Sarif => sarif::render(reports),
    }
}

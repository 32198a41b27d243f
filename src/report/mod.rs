//! Report emitters (text, JSON, SARIF) behind one function, plus the summary counts and the
//! exit status they imply.

pub mod json;
pub mod sarif;
pub mod text;

use crate::audit::model::{FileReport, Severity};

/// The output formats of `blastool audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
}

/// Finding counts by severity, plus files that failed.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    /// Inputs that could not be read or parsed.
    pub file_errors: usize,
    /// Inputs that were not audited (unknown or not yet supported formats).
    pub not_audited: usize,
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
    match format {
        OutputFormat::Text => text::render(reports, options),
        OutputFormat::Json => json::render(reports),
        OutputFormat::Sarif => sarif::render(reports),
    }
}

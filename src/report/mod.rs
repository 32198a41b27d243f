//! Report emitters (text, JSON, SARIF, markdown) behind one function, plus the summary counts
//! and the exit status they imply.

pub mod identity;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::audit::model::{BaselineState, FileReport, Severity, Skipped};
use crate::leakcheck::Confirmation;
use crate::policy::PolicyOutcome;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// The output formats of `blastool audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    Sarif,
    Markdown,
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
    /// Findings (of any severity, counted above too) that an `[[allow]]` entry accepts.
    pub allowed: usize,
    /// Findings (counted above too) that the `--baseline` already has.
    pub in_baseline: usize,
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
                if finding.allowed.is_some() {
                    summary.allowed += 1;
                } else if finding.baseline_state == Some(BaselineState::Unchanged) {
                    summary.in_baseline += 1;
                }
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

/// What `audit --confirm` found per file, by (path, member). The leak check runs after the
/// audit and its verdicts travel beside the reports, not inside them: the audit engine does
/// not depend on the leak check (the leak check reads the engine's reports).
pub type Confirmations = HashMap<(String, Option<String>), Confirmation>;

/// What the run knows beyond the reports: the directory SARIF URIs are relative to, what
/// the configuration and the baseline did, and what `--confirm` found.
#[derive(Debug, Clone, Default)]
pub struct RunContext {
    /// `%SRCROOT%`: the current directory of the run.
    pub source_root: PathBuf,
    pub policy: PolicyOutcome,
    /// Leave allowed findings out of SARIF (GitHub shows suppressed results as open alerts).
    pub sarif_omit_suppressed: bool,
    pub confirmations: Confirmations,
}

impl RunContext {
    /// The leak check's verdict on a report's file, when `--confirm` checked it.
    pub fn confirmation(&self, report: &FileReport) -> Option<&Confirmation> {
        self.confirmations
            .get(&(report.path.clone(), report.member.clone()))
    }

    /// The one line `audit --confirm` ends with: how many flagged libraries could be loaded
    /// and how many of those really leak, i.e. the audit's precision on this run, in the
    /// words `scripts/audit-precision.sh` uses. `None` when nothing was confirmed.
    pub fn confirm_summary(&self) -> Option<String> {
        if self.confirmations.is_empty() {
            return None;
        }
        let verdicts: Vec<_> = self
            .confirmations
            .values()
            .filter_map(|c| c.leak.as_ref())
            .collect();
        let loadable = verdicts.len();
        let leaks = verdicts
            .iter()
            .filter(|v| v.verdict == crate::leakcheck::Verdict::Leak)
            .count();
        let precision = if loadable == 0 {
            "n/a".to_string()
        } else {
            format!("{:.0}%", 100.0 * leaks as f64 / loadable as f64)
        };
        let mut line = format!(
            "confirm: {loadable} flagged {} loadable, {leaks} leak (precision {precision})",
            if loadable == 1 {
                "library"
            } else {
                "libraries"
            }
        );
        let not_loadable = self.confirmations.len() - loadable;
        if not_loadable > 0 {
            line.push_str(&format!("; {not_loadable} not loadable or skipped"));
        }
        Some(line)
    }
}

/// Renders the whole report in the chosen format.
/// Skipped container members are counted in text and JSON and listed by `--verbose` text;
/// SARIF and markdown have results only.
pub fn render(
    format: OutputFormat,
    reports: &[FileReport],
    skipped: &[Skipped],
    options: RenderOptions,
    context: &RunContext,
) -> String {
    match format {
        OutputFormat::Text => text::render(reports, skipped, options, context),
        OutputFormat::Json => json::render(reports, skipped, context),
        OutputFormat::Sarif => sarif::render(reports, context),
        OutputFormat::Markdown => markdown::render(reports, &context.policy),
    }
}

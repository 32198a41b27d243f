//! What a team has decided about findings, applied after judging: `[[allow]]` entries of the
//! configuration (accepted findings, with their reasons; stale and expired entries) and
//! baseline files (findings known before, which do not fail a run). Both leave every finding in
//! the report and only change whether it counts for the exit status.

pub mod baseline;
pub mod config;

use crate::audit::model::{Allowance, BaselineState, FileReport};
use crate::report::identity;
use serde::Serialize;
use std::path::Path;

/// An `[[allow]]` entry that accepted nothing in this run, or whose date has passed.
#[derive(Debug, Clone, Serialize)]
pub struct EntryNote {
    pub config: String,
    pub entry: usize,
    pub rule: String,
    pub path: String,
    pub reason: String,
    pub expires: Option<String>,
    /// Findings the entry matched (for expired entries: the findings it no longer accepts).
    pub matched: usize,
}

impl EntryNote {
    fn of(config: &config::Config, entry: &config::AllowEntry, matched: usize) -> Self {
        EntryNote {
            config: config.file.display().to_string(),
            entry: entry.index,
            rule: entry.rule.clone(),
            path: entry.path.clone(),
            reason: entry.reason.clone(),
            expires: entry.expires_text(),
            matched,
        }
    }

    /// The stderr warning for this entry.
    pub fn warning(&self, expired: bool) -> String {
        if expired {
            format!(
                "warning: {}: [[allow]] entry {} (rule {}, path {:?}) expired on {}; its {} finding(s) count again: fix them, or renew the entry with a new date and reason",
                self.config,
                self.entry,
                self.rule,
                self.path,
                self.expires.as_deref().unwrap_or("?"),
                self.matched
            )
        } else {
            format!(
                "warning: {}: [[allow]] entry {} (rule {}, path {:?}) matched no finding; remove it if the finding is gone",
                self.config, self.entry, self.rule, self.path
            )
        }
    }
}

/// What the configuration and the baseline did to this run, for every report format.
#[derive(Debug, Default, Clone, Serialize)]
pub struct PolicyOutcome {
    /// The configuration file used, if any.
    pub config: Option<String>,
    /// Entries that matched nothing (like ruff's RUF100 for `noqa` comments).
    pub stale: Vec<EntryNote>,
    /// Entries past their `expires` date: they no longer accept anything.
    pub expired: Vec<EntryNote>,
    /// The baseline file used, if any.
    pub baseline: Option<String>,
    /// Baseline findings that this run no longer has.
    pub absent: Vec<baseline::BaselineFinding>,
}

/// Today's date in UTC as (year, month, day), for `expires`.
pub fn today() -> (u16, u8, u8) {
    let date = time::OffsetDateTime::now_utc().date();
    (
        u16::try_from(date.year()).unwrap_or(u16::MAX),
        u8::from(date.month()),
        date.day(),
    )
}

/// Sets every finding's fingerprint (relative to `source_root`, as SARIF's `%SRCROOT%`).
pub fn fingerprint_all(reports: &mut [FileReport], source_root: &Path) {
    for report in reports.iter_mut() {
        let prints: Vec<String> = report
            .findings
            .iter()
            .map(|f| identity::fingerprint(report, f, source_root))
            .collect();
        for (finding, print) in report.findings.iter_mut().zip(prints) {
            finding.fingerprint = Some(print);
        }
    }
}

/// Marks the findings that an `[[allow]]` entry accepts; records stale and expired entries in
/// `outcome`.
/// The first matching entry that has not expired wins.
pub fn apply_config(
    reports: &mut [FileReport],
    config: &config::Config,
    today: (u16, u8, u8),
    outcome: &mut PolicyOutcome,
) {
    let mut matched = vec![0usize; config.allow.len()];
    for report in reports.iter_mut() {
        let path = identity::identity_path(&report.path, &config.root);
        let member = report.member.clone();
        for finding in &mut report.findings {
            for (i, entry) in config.allow.iter().enumerate() {
                if !entry.matches(
                    finding.rule,
                    &path,
                    member.as_deref(),
                    finding.symbol.as_deref(),
                    finding.address,
                ) {
                    continue;
                }
                matched[i] += 1;
                if entry.expires.is_some_and(|date| date < today) {
                    continue;
                }
                if finding.allowed.is_none() {
                    finding.allowed = Some(Allowance {
                        reason: entry.reason.clone(),
                        config: config.file.display().to_string(),
                        entry: entry.index,
                        expires: entry.expires_text(),
                    });
                }
            }
        }
    }
    outcome.config = Some(config.file.display().to_string());
    for (entry, count) in config.allow.iter().zip(matched) {
        let note = EntryNote::of(config, entry, count);
        if entry.expires.is_some_and(|date| date < today) && count > 0 {
            outcome.expired.push(note);
        } else if count == 0 {
            outcome.stale.push(note);
        }
    }
}

/// Marks every finding `new` or `unchanged` against the baseline; records in `outcome` the
/// baseline's findings this run no longer has. Fingerprints must be set first.
pub fn apply_baseline(
    reports: &mut [FileReport],
    known: &baseline::Baseline,
    outcome: &mut PolicyOutcome,
    file: &Path,
) {
    let mut seen = std::collections::BTreeSet::new();
    for finding in reports.iter_mut().flat_map(|r| r.findings.iter_mut()) {
        let print = finding.fingerprint.clone().unwrap_or_default();
        let state = if known.contains(&print) {
            seen.insert(print);
            BaselineState::Unchanged
        } else {
            BaselineState::New
        };
        finding.baseline_state = Some(state);
    }
    outcome.baseline = Some(file.display().to_string());
    outcome.absent = known
        .findings
        .iter()
        .filter(|f| !seen.contains(&f.fingerprint))
        .cloned()
        .collect();
}

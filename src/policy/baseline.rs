//! Baseline files: `--write-baseline FILE` records the findings of a run, keyed by the same
//! fingerprint as SARIF `partialFingerprints`; `--baseline FILE` reads one back so that only
//! findings it does not know fail the run.
//!
//! The file is JSON, sorted, one finding per fingerprint, with the rule, file and symbol beside
//! each key so that a reviewer can read a baseline change in a diff.

use crate::audit::model::FileReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

/// The format version written into every baseline; a newer one is refused with a message.
const FORMAT: u32 = 1;

/// One recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
pub struct BaselineFinding {
    pub fingerprint: String,
    pub rule: String,
    pub path: String,
    pub member: Option<String>,
    pub symbol: Option<String>,
    pub address: Option<String>,
    pub message: String,
}

/// A baseline file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub blastool_baseline: u32,
    pub findings: Vec<BaselineFinding>,
    #[serde(skip)]
    fingerprints: BTreeSet<String>,
}

impl Baseline {
    /// The baseline of this run's findings (fingerprints must be set). Allowed findings are
    /// left out: the configuration already accepts them, with a reason.
    pub fn of(reports: &[FileReport], source_root: &Path) -> Self {
        let mut findings: Vec<BaselineFinding> = reports
            .iter()
            .flat_map(|report| {
                report
                    .findings
                    .iter()
                    .filter(|f| f.allowed.is_none())
                    .map(move |f| BaselineFinding {
                        fingerprint: f.fingerprint.clone().unwrap_or_default(),
                        rule: f.rule.to_string(),
                        path: crate::report::identity::identity_path(&report.path, source_root),
                        member: report.member.clone(),
                        symbol: f.symbol.clone(),
                        address: f.address.map(|a| format!("{a:#x}")),
                        message: f.message.clone(),
                    })
            })
            .collect();
        findings.sort();
        findings.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            blastool_baseline: FORMAT,
            fingerprints: findings.iter().map(|f| f.fingerprint.clone()).collect(),
            findings,
        }
    }

    pub fn contains(&self, fingerprint: &str) -> bool {
        self.fingerprints.contains(fingerprint)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a baseline; every problem is one line naming the file.
    pub fn read(file: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(file).map_err(|e| {
            format!(
                "{}: cannot read the baseline: {e}; create it with --write-baseline",
                file.display()
            )
        })?;
        let mut baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: not a blastool baseline ({e}); regenerate it with --write-baseline",
                file.display()
            )
        })?;
        if baseline.blastool_baseline != FORMAT {
            return Err(format!(
                "{}: baseline format {} is not supported (this blastool reads {FORMAT}); regenerate it with --write-baseline",
                file.display(),
                baseline.blastool_baseline
            ));
        }
        baseline.fingerprints = baseline
            .findings
            .iter()
            .map(|f| f.fingerprint.clone())
            .collect();
        Ok(baseline)
    }
}

//! SARIF 2.1.0 output shaped for GitHub code scanning: rules with help text, results with a
//! physical location (the binary's path relative to `%SRCROOT%`, the address, and the line-1
//! region GitHub requires), logical locations for the archive member and the symbol, stable
//! `partialFingerprints`, `suppressions` for allowed findings and `baselineState` with a
//! baseline.
//!
//! The serde types below model only the subset we emit; a test validates the output against
//! the SARIF 2.1.0 schema with Microsoft's validator.

use crate::audit::model::{BaselineState, FileReport, Finding, Severity};
use crate::leakcheck::Confirmation;
use crate::policy::baseline::BaselineFinding;
use crate::report::identity::{self, FINGERPRINT_KEY};
use crate::report::RunContext;
use crate::rules::{self, Rule};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The base every relative `artifactLocation.uri` is resolved against: the checkout on GitHub.
const SRCROOT: &str = "%SRCROOT%";

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: ToolWrapper,
    results: Vec<SarifResult>,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    original_uri_base_ids: BTreeMap<&'static str, BaseUri>,
}

#[derive(Serialize)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize)]
struct ToolWrapper {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    properties: ResultProperties,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    properties: SuppressionProperties,
}

#[derive(Serialize)]
struct SuppressionProperties {
    config: String,
    entry: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties {
    member: Option<String>,
    symbol: Option<String>,
    runtime: Option<&'static str>,
    arch: Option<&'static str>,
    /// The `audit --confirm` verdict for the file, when it was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    leakcheck: Option<Confirmation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<Address>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Address {
    absolute_address: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
    /// Stale and expired `[[allow]]` entries: problems of the configuration, not the inputs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<NotificationLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationLocation {
    physical_location: NotificationPhysical,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationPhysical {
    artifact_location: ArtifactLocation,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    ReportingDescriptor {
        id: rule.id,
        name: rule.name,
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: format!("{} {}", rule.summary, rule.why),
        },
        help: Help {
            text: rules::render_page(rule),
            markdown: format!(
                "**What it detects.** {}\n\n**Why it matters.** {}\n\n**Severity.** {}\n\n**Example.**\n\n```c\n{}\n```\n\n**Fix.** {}\n",
                rule.summary, rule.why, rule.severity, rule.example, rule.fix
            ),
        },
        default_configuration: Configuration { level: "warning" },
        properties: RuleProperties {
            tags: vec!["reliability", "memory-leak", "native-library"],
        },
    }
}

/// Percent-encodes what a URI path cannot hold as is; `\` becomes `/`.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            '\\' => out.push('/'),
            c => out.push(c),
        }
    }
    out
}

/// The location of a file: relative to `%SRCROOT%` (the run's directory) when it lies under
/// it, as GitHub wants repository-relative paths; else an absolute `file://` URI.
fn artifact(path: &str, root: &Path) -> ArtifactLocation {
    match identity::relative_to(path, root) {
        Some(relative) => ArtifactLocation {
            uri: encode(&relative),
            uri_base_id: Some(SRCROOT),
        },
        None => {
            let absolute = identity::absolute(Path::new(path));
            let text = encode(&absolute.to_string_lossy());
            let text = if text.starts_with('/') {
                text
            } else {
                format!("/{text}")
            };
            ArtifactLocation {
                uri: format!("file://{text}"),
                uri_base_id: None,
            }
        }
    }
}

/// `%SRCROOT%` as an absolute directory URI (with the trailing slash SARIF requires).
fn source_root_uri(root: &Path) -> String {
    let text = encode(&identity::absolute(root).to_string_lossy());
    let text = text.trim_end_matches('/');
    if text.starts_with('/') {
        format!("file://{text}/")
    } else {
        format!("file:///{text}/")
    }
}

fn notification(report: &FileReport, error: &str, root: &Path) -> Notification {
    Notification {
        level: "error",
        message: Text {
            text: format!("{}: {error}", report.display_name()),
        },
        locations: vec![NotificationLocation {
            physical_location: NotificationPhysical {
                artifact_location: artifact(&report.path, root),
            },
        }],
    }
}

/// Logical locations: the member inside an archive or container (its identity stays the
/// container's path plus this member), then the function.
fn logical_locations(
    container: &str,
    member: Option<&str>,
    symbol: Option<&str>,
) -> Vec<LogicalLocation> {
    let mut out = Vec::new();
    if let Some(member) = member {
        out.push(LogicalLocation {
            name: member.to_string(),
            fully_qualified_name: format!("{container}!{member}"),
            kind: "module",
        });
    }
    if let Some(symbol) = symbol {
        out.push(LogicalLocation {
            name: symbol.to_string(),
            fully_qualified_name: match member {
                Some(member) => format!("{member}!{symbol}"),
                None => symbol.to_string(),
            },
            kind: "function",
        });
    }
    out
}

fn result(
    report: &FileReport,
    finding: &Finding,
    confirmation: Option<&Confirmation>,
    root: &Path,
) -> SarifResult {
    let rule_index = rules::ALL
        .iter()
        .position(|r| r.id == finding.rule)
        .unwrap_or(0);
    let print = finding
        .fingerprint
        .clone()
        .unwrap_or_else(|| identity::fingerprint(report, finding, root));
    let message = match &report.member {
        Some(member) => format!("{} (archive member {member})", finding.message),
        None => finding.message.clone(),
    };
    let suppressions = finding
        .allowed
        .iter()
        .map(|allowed| Suppression {
            kind: "external",
            status: "accepted",
            justification: allowed.reason.clone(),
            properties: SuppressionProperties {
                config: allowed.config.clone(),
                entry: allowed.entry,
                expires: allowed.expires.clone(),
            },
        })
        .collect();
    SarifResult {
        rule_id: finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Text { text: message },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact(&report.path, root),
                region: Region { start_line: 1 },
                address: finding.address.map(|address| Address {
                    absolute_address: address,
                    name: finding.symbol.clone(),
                    kind: "function",
                }),
            },
            logical_locations: logical_locations(
                &identity::identity_path(&report.path, root),
                report.member.as_deref(),
                finding.symbol.as_deref(),
            ),
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, print)]),
        suppressions,
        baseline_state: finding.baseline_state.map(|state| match state {
            BaselineState::New => "new",
            BaselineState::Unchanged => "unchanged",
        }),
        kind: None,
        properties: ResultProperties {
            member: report.member.clone(),
            symbol: finding.symbol.clone(),
            runtime: report.runtime.map(|r| r.name()),
            arch: report.arch.map(|a| a.name()),
            leakcheck: confirmation.cloned(),
        },
    }
}

/// A baseline finding this run no longer has: SARIF's `baselineState: absent`, as a passing
/// result so that no viewer counts it as a problem.
fn absent_result(known: &BaselineFinding, root: &Path) -> SarifResult {
    let rule_index = rules::ALL
        .iter()
        .position(|r| r.id == known.rule)
        .unwrap_or(0);
    let rule_id = rules::ALL.get(rule_index).map_or("BLT001", |r| r.id);
    // The baseline holds the path relative to its own run's directory.
    let path = root.join(&known.path).to_string_lossy().into_owned();
    SarifResult {
        rule_id,
        rule_index,
        level: "none",
        message: Text {
            text: format!("fixed since the baseline: {}", known.message),
        },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact(&path, root),
                region: Region { start_line: 1 },
                address: None,
            },
            logical_locations: logical_locations(
                &known.path,
                known.member.as_deref(),
                known.symbol.as_deref(),
            ),
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, known.fingerprint.clone())]),
        suppressions: Vec::new(),
        baseline_state: Some("absent"),
        kind: Some("pass"),
        properties: ResultProperties {
            member: known.member.clone(),
            symbol: known.symbol.clone(),
            runtime: None,
            arch: None,
            leakcheck: None,
        },
    }
}

/// One warning per stale or expired `[[allow]]` entry, located at the configuration file.
fn configuration_notifications(context: &RunContext) -> Vec<Notification> {
    let root = context.source_root.as_path();
    let stale = context.policy.stale.iter().map(|note| (note, false));
    let expired = context.policy.expired.iter().map(|note| (note, true));
    stale
        .chain(expired)
        .map(|(note, expired)| Notification {
            level: "warning",
            message: Text {
                text: note
                    .warning(expired)
                    .trim_start_matches("warning: ")
                    .to_string(),
            },
            locations: vec![NotificationLocation {
                physical_location: NotificationPhysical {
                    artifact_location: artifact(&note.config, root),
                },
            }],
        })
        .collect()
}

pub fn render(reports: &[FileReport], context: &RunContext) -> String {
    let root = context.source_root.as_path();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        if let Some(error) = &report.error {
            notifications.push(notification(report, error, root));
        }
        for finding in &report.findings {
            // GitHub ignores `suppressions` and would show an accepted finding as an open
            // alert: with the flag it is left out of the upload instead.
            if context.sarif_omit_suppressed && finding.allowed.is_some() {
                continue;
            }
            results.push(result(report, finding, context.confirmation(report), root));
        }
    }
    if !context.sarif_omit_suppressed {
        for known in &context.policy.absent {
            results.push(absent_result(known, root));
        }
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: ToolWrapper {
                driver: Driver {
                    name: "blastool",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules::ALL.iter().map(descriptor).collect(),
                },
            },
            results,
            invocations: vec![Invocation {
                execution_successful: notifications.is_empty(),
                tool_execution_notifications: notifications,
                tool_configuration_notifications: configuration_notifications(context),
            }],
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                BaseUri {
                    uri: source_root_uri(root),
                },
            )]),
        }],
    };
    let mut out = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialise the report: {e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_to_the_source_root_or_file_uris() {
        let root = Path::new("/work/repo");
        let inside = artifact("/work/repo/./build/lib foo.so", root);
        assert_eq!(inside.uri, "build/lib%20foo.so");
        assert_eq!(inside.uri_base_id, Some(SRCROOT));
        let outside = artifact("/usr/lib/libx.so", root);
        assert_eq!(outside.uri, "file:///usr/lib/libx.so");
        assert_eq!(outside.uri_base_id, None);
        assert_eq!(source_root_uri(root), "file:///work/repo/");
    }
}

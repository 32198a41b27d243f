//! SARIF 2.1.0 output shaped for GitHub code scanning: rules with help text, results with a
//! physical location (the binary's path, the address, and the line-1 region GitHub requires),
//! a logical location for the symbol, and stable `partialFingerprints`.
//!
//! The serde types below model only the subset we emit; a test validates the output against
//! the SARIF 2.1.0 schema with Microsoft's validator.

use crate::audit::model::{FileReport, Severity};
use crate::rules::{self, Rule};
use serde::Serialize;
use std::collections::BTreeMap;

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
    properties: ResultProperties,
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
    leakcheck: Option<crate::leakcheck::Confirmation>,
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
struct ArtifactLocation {
    uri: String,
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
                "**What it detects.** {}\n\n**Why it matters.** {}\n\n**Example.**\n\n```c\n{}\n```\n\n**Fix.** {}\n",
                rule.summary, rule.why, rule.example, rule.fix
            ),
        },
        default_configuration: Configuration { level: "warning" },
        properties: RuleProperties {
            tags: vec!["reliability", "memory-leak", "native-library"],
        },
    }
}

/// A URI for a path as given on the command line: relative paths stay relative (GitHub resolves
/// them against the checkout), absolute ones become `file://` URIs.
fn artifact_uri(path: &str) -> String {
    let encoded: String = path
        .chars()
        .map(|c| match c {
            ' ' => "%20".to_string(),
            '%' => "%25".to_string(),
            '#' => "%23".to_string(),
            '?' => "%3F".to_string(),
            '\\' => "/".to_string(),
            c => c.to_string(),
        })
        .collect();
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.trim_start_matches("./").to_string()
    }
}

/// A fingerprint that survives rebuilds: rule, file, member and symbol (or address when the
/// binary is stripped), hashed with FNV-1a so it stays short and stable across versions.
fn fingerprint(
    rule: &str,
    report: &FileReport,
    symbol: Option<&str>,
    address: Option<u64>,
) -> String {
    let what = match (symbol, address) {
        (Some(symbol), _) => symbol.to_string(),
        (None, Some(address)) => format!("{address:#x}"),
        (None, None) => String::new(),
    };
    let key = format!(
        "{rule}\0{}\0{}\0{what}",
        report.path,
        report.member.as_deref().unwrap_or("")
    );
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for report in reports {
        if let Some(error) = &report.error {
            notifications.push(Notification {
                level: "error",
                message: Text {
                    text: format!("{}: {error}", report.display_name()),
                },
                locations: vec![NotificationLocation {
                    physical_location: NotificationPhysical {
                        artifact_location: ArtifactLocation {
                            uri: artifact_uri(&report.path),
                        },
                    },
                }],
            });
        }
        for finding in &report.findings {
            let rule_index = rules::ALL
                .iter()
                .position(|r| r.id == finding.rule)
                .unwrap_or(0);
            let mut partial_fingerprints = BTreeMap::new();
            partial_fingerprints.insert(
                "blastoolFinding/v1",
                fingerprint(
                    finding.rule,
                    report,
                    finding.symbol.as_deref(),
                    finding.address,
                ),
            );
            let qualified = match &report.member {
                Some(member) => format!("{member}!{}", finding.symbol.as_deref().unwrap_or("")),
                None => finding.symbol.clone().unwrap_or_default(),
            };
            let message = match &report.member {
                Some(member) => format!("{} (archive member {member})", finding.message),
                None => finding.message.clone(),
            };
            results.push(SarifResult {
                rule_id: finding.rule,
                rule_index,
                level: level(finding.severity),
                message: Text { text: message },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation {
                            uri: artifact_uri(&report.path),
                        },
                        region: Region { start_line: 1 },
                        address: finding.address.map(|address| Address {
                            absolute_address: address,
                            name: finding.symbol.clone(),
                            kind: "function",
                        }),
                    },
                    logical_locations: finding
                        .symbol
                        .iter()
                        .map(|symbol| LogicalLocation {
                            name: symbol.clone(),
                            fully_qualified_name: qualified.clone(),
                            kind: "function",
                        })
                        .collect(),
                }],
                partial_fingerprints,
                properties: ResultProperties {
                    member: report.member.clone(),
                    symbol: finding.symbol.clone(),
                    runtime: report.runtime.map(|r| r.name()),
                    arch: report.arch.map(|a| a.name()),
                    leakcheck: report.confirmation.clone(),
                },
            });
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
            }],
            column_kind: "unicodeCodePoints",
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
    fn uris_are_relative_or_file_uris() {
        assert_eq!(artifact_uri("./build/lib foo.so"), "build/lib%20foo.so");
        assert_eq!(artifact_uri("/usr/lib/libx.so"), "file:///usr/lib/libx.so");
    }
}

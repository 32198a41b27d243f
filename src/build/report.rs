//! The build report, `build-report.json`: what was built, from what, and the SHA-256 of every
//! installed file. It is written last into the new tree and read back by the next build, which
//! keeps an output whose inputs and files are all unchanged.

use super::plan::Plan;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// The previous report, if the output in --out was built from exactly these inputs and its
/// files are unmodified.
pub(super) fn up_to_date(plan: &Plan) -> Option<Value> {
    let text = std::fs::read_to_string(plan.out.join("build-report.json")).ok()?;
    let report: Value = serde_json::from_str(&text).ok()?;
    if report["cache_key"].as_str() != Some(plan.cache_key.as_str()) {
        return None;
    }
    let hashes = report["artifacts_sha256"].as_object()?;
    for (file, digest) in hashes {
        if sha256_file(&plan.out.join(file)).ok()?.as_str() != digest.as_str()? {
            return None;
        }
    }
    for (link, to) in report["symlinks"].as_object()? {
        let actual = std::fs::read_link(plan.out.join(link)).ok()?;
        if actual.to_str()? != to.as_str()? {
            return None;
        }
    }
    Some(report)
}

pub(super) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(hex(&Sha256::digest(&bytes)))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

//! Where a finding lives and who it is across runs: paths made relative to a root directory
//! (the SARIF `%SRCROOT%`, or a configuration file's directory) and the stable fingerprint that
//! SARIF `partialFingerprints` and baseline files share.
//!
//! The fingerprint ignores version numbers in file names, so that `pkg-1.0-...whl` and
//! `pkg-1.1-...whl`, or `libfoo.so.1.2.3` and `libfoo.so.1.2.4`, keep the same alerts: GitHub
//! computes no fingerprint of its own for binaries, and a release would otherwise close and
//! reopen every alert.

use crate::audit::model::{FileReport, Finding};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

/// The fingerprint's name in SARIF `partialFingerprints`; bump the version when the key
/// changes, so a consumer never compares fingerprints computed two ways.
pub const FINGERPRINT_KEY: &str = "blastoolFinding/v2";

/// `path` made absolute (against the current directory) and lexically normalised, without
/// touching the file system: symlinks are kept as the user named them.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root` with `/` separators, when it lies under `root`; else `None`.
pub fn relative_to(path: &str, root: &Path) -> Option<String> {
    let path = absolute(Path::new(path));
    let root = absolute(root);
    let rest = path.strip_prefix(&root).ok()?;
    let parts: Vec<String> = rest
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The path that identifies a report's file: relative to `root` when it lies under it (so
/// checkouts in different directories agree), else absolute.
pub fn identity_path(path: &str, root: &Path) -> String {
    relative_to(path, root).unwrap_or_else(|| {
        absolute(Path::new(path))
            .to_string_lossy()
            .replace('\\', "/")
    })
}

/// True where a version number may start: at the start of a name or after a separator.
fn starts_version(previous: Option<char>) -> bool {
    matches!(
        previous,
        None | Some('-' | '_' | '.' | '+' | '/' | '!' | '~')
    )
}

/// Replaces the version numbers in a path with `#`: a run of digits that follows a separator,
/// with its dotted continuation (`1.2.3`) and a PEP 440 suffix (`rc1`, `.post2`, `.dev3`,
/// `a1`, `b2`). `x86_64` and `cp311` keep their digits: they follow letters.
pub fn without_versions(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let previous = i.checked_sub(1).map(|p| chars[p]);
        if !(chars[i].is_ascii_digit() && starts_version(previous)) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i = skip_digits(&chars, i);
        // Dotted continuation: ".2", ".3", ...
        while i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
            i = skip_digits(&chars, i + 1);
        }
        i = skip_pre_release(&chars, i);
        out.push('#');
    }
    out
}

fn skip_digits(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// Skips one PEP 440 pre-, post- or dev-release suffix followed by its number, if present.
fn skip_pre_release(chars: &[char], i: usize) -> usize {
    for suffix in [".post", ".dev", "post", "dev", "rc", "a", "b"] {
        let end = i + suffix.chars().count();
        if end < chars.len()
            && chars[i..end].iter().copied().eq(suffix.chars())
            && chars[end].is_ascii_digit()
        {
            return skip_digits(chars, end);
        }
    }
    i
}

/// The stable identity of a finding: rule, version-free file path (relative to `root`) and
/// member, and the symbol (or the address when the binary is stripped), hashed.
pub fn fingerprint(report: &FileReport, finding: &Finding, root: &Path) -> String {
    let what = match (&finding.symbol, finding.address) {
        (Some(symbol), _) => symbol.clone(),
        (None, Some(address)) => format!("{address:#x}"),
        (None, None) => String::new(),
    };
    let key = format!(
        "{}\0{}\0{}\0{what}",
        finding.rule,
        without_versions(&identity_path(&report.path, root)),
        without_versions(report.member.as_deref().unwrap_or(""))
    );
    let digest = Sha256::digest(key.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_in_file_names_are_blanked() {
        for (a, b) in [
            (
                "dist/pkg-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
                "dist/pkg-1.1-cp311-cp311-manylinux_2_28_x86_64.whl",
            ),
            ("lib/libfoo.so.1.2.3", "lib/libfoo.so.1.2.4"),
            ("pkg-2.0rc1.tar.gz", "pkg-2.0.tar.gz"),
            ("pkg-2.0.post3-py3-none-any.whl", "pkg-2.0-py3-none-any.whl"),
        ] {
            assert_eq!(without_versions(a), without_versions(b), "{a} vs {b}");
        }
        // Names that differ in more than a version stay apart.
        assert_ne!(
            without_versions("libfoo.so.1"),
            without_versions("libbar.so.1")
        );
        assert_ne!(
            without_versions("pkg-1.0-cp311-cp311-linux_x86_64.whl"),
            without_versions("pkg-1.0-cp312-cp312-linux_x86_64.whl")
        );
        assert_eq!(
            without_versions("x86_64/libfoo.so.1.2"),
            "x86_#/libfoo.so.#"
        );
    }

    #[test]
    fn relative_paths_follow_the_root() {
        assert_eq!(
            relative_to("/work/repo/./dist/../dist/a.so", Path::new("/work/repo")),
            Some("dist/a.so".to_string())
        );
        assert_eq!(
            relative_to("/elsewhere/a.so", Path::new("/work/repo")),
            None
        );
    }
}

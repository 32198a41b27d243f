//! The configuration file: where it is found (`--config FILE`, else `blastool.toml` or a
//! `pyproject.toml` with `[tool.blastool]` in the current directory or the nearest parent that
//! has one, as ruff looks for its configuration), and its `[[allow]]` entries, checked whole
//! before anything is audited.
//!
//! Every problem is one line that names the file and says what to change; the caller turns it
//! into exit status 2.

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One `[[allow]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    rule: String,
    path: String,
    symbol: Option<String>,
    address: Option<String>,
    reason: Option<String>,
    expires: Option<toml::value::Datetime>,
}

/// The settings blastool reads, from `blastool.toml` or `[tool.blastool]`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    allow: Vec<RawAllow>,
}

/// `pyproject.toml`: only `[tool.blastool]` is ours; every other table is ignored.
#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyProjectTool>,
}

#[derive(Deserialize)]
struct PyProjectTool {
    blastool: Option<RawConfig>,
}

/// A checked `[[allow]]` entry.
#[derive(Debug)]
pub struct AllowEntry {
    /// Position among the file's `[[allow]]` tables, from 1.
    pub index: usize,
    pub rule: String,
    pub path: String,
    path_matcher: GlobMatcher,
    /// A pattern without `/` is also tried on the file name alone, as `.gitignore` does.
    match_file_name: bool,
    pub symbol: Option<String>,
    symbol_matcher: Option<GlobMatcher>,
    pub address: Option<String>,
    address_matcher: Option<GlobMatcher>,
    pub reason: String,
    /// (year, month, day)
    pub expires: Option<(u16, u8, u8)>,
}

impl AllowEntry {
    /// Does this entry cover a finding of `rule` in the file whose path relative to the
    /// configuration's directory is `path` (or its archive/container `member`)?
    pub fn matches(
        &self,
        rule: &str,
        path: &str,
        member: Option<&str>,
        symbol: Option<&str>,
        address: Option<u64>,
    ) -> bool {
        if !self.rule.eq_ignore_ascii_case(rule) {
            return false;
        }
        let mut candidates = vec![path.to_string()];
        if let Some(member) = member {
            candidates.push(member.to_string());
            candidates.push(format!("{path}!{member}"));
        }
        let path_ok = candidates.iter().any(|candidate| {
            self.path_matcher.is_match(candidate)
                || (self.match_file_name
                    && candidate
                        .rsplit(['/', '!'])
                        .next()
                        .is_some_and(|name| self.path_matcher.is_match(name)))
        });
        let symbol_ok = self
            .symbol_matcher
            .as_ref()
            .is_none_or(|m| symbol.is_some_and(|s| m.is_match(s)));
        let address_ok = self
            .address_matcher
            .as_ref()
            .is_none_or(|m| address.is_some_and(|a| m.is_match(format!("{a:#x}"))));
        path_ok && symbol_ok && address_ok
    }

    pub fn expires_text(&self) -> Option<String> {
        self.expires
            .map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
    }
}

/// A loaded configuration.
#[derive(Debug)]
pub struct Config {
    /// The file it came from, as found or given.
    pub file: PathBuf,
    /// The directory `path` globs are relative to: the file's own.
    pub root: PathBuf,
    pub allow: Vec<AllowEntry>,
}

/// Finds the configuration: `explicit` when given, else the nearest `blastool.toml` (or
/// `pyproject.toml` with `[tool.blastool]`) from `start` upwards. `Ok(None)`: there is none.
pub fn discover(explicit: Option<&Path>, start: &Path) -> Result<Option<Config>, String> {
    if let Some(file) = explicit {
        return load(file).map(Some);
    }
    for directory in start.ancestors() {
        for name in ["blastool.toml", "pyproject.toml"] {
            let file = directory.join(name);
            if !file.is_file() || (name == "pyproject.toml" && !has_tool_blastool(&file)?) {
                continue;
            }
            let mut config = load(&file)?;
            // Reports name the file as the user sees it from here: `blastool.toml` rather
            // than a machine-specific absolute path, when it is in the current directory.
            if directory == start {
                config.file = PathBuf::from(name);
            }
            return Ok(Some(config));
        }
    }
    Ok(None)
}

fn read(file: &Path) -> Result<String, String> {
    std::fs::read_to_string(file).map_err(|e| {
        format!(
            "{}: cannot read the configuration: {e}; check the --config path",
            file.display()
        )
    })
}

/// A TOML error on one line, with the line it points at: the parser's own rendering spans
/// several lines with a snippet.
fn one_line(file: &Path, text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().replace('\n', " ");
    let at = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| format!(" (line {})", before.matches('\n').count() + 1))
        .unwrap_or_default();
    format!(
        "{}: invalid configuration{at}: {message}; fix it or pass --no-config",
        file.display()
    )
}

fn has_tool_blastool(file: &Path) -> Result<bool, String> {
    let text = read(file)?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| one_line(file, &text, &e))?;
    Ok(table
        .get("tool")
        .and_then(|tool| tool.get("blastool"))
        .is_some())
}

/// Reads and checks one configuration file (`*.toml`; `pyproject.toml` uses its
/// `[tool.blastool]` table).
pub fn load(file: &Path) -> Result<Config, String> {
    let text = read(file)?;
    let is_pyproject = file.file_name().is_some_and(|n| n == "pyproject.toml");
    let raw: RawConfig = if is_pyproject {
        let parsed: PyProject = toml::from_str(&text).map_err(|e| one_line(file, &text, &e))?;
        parsed.tool.and_then(|t| t.blastool).unwrap_or_default()
    } else {
        toml::from_str(&text).map_err(|e| one_line(file, &text, &e))?
    };
    let allow = raw
        .allow
        .into_iter()
        .enumerate()
        .map(|(i, entry)| check_entry(file, i + 1, entry))
        .collect::<Result<Vec<_>, _>>()?;
    let root = crate::report::identity::absolute(file)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    Ok(Config {
        file: file.to_path_buf(),
        root,
        allow,
    })
}

fn glob(file: &Path, index: usize, field: &str, pattern: &str) -> Result<GlobMatcher, String> {
    Glob::new(pattern)
        .map(|g| g.compile_matcher())
        .map_err(|e| {
            format!(
                "{}: [[allow]] entry {index}: {field} = {pattern:?} is not a valid glob ({}); fix the pattern",
                file.display(),
                e.kind()
            )
        })
}

fn check_entry(file: &Path, index: usize, raw: RawAllow) -> Result<AllowEntry, String> {
    let at = format!("{}: [[allow]] entry {index}", file.display());
    let reason = match raw.reason.as_deref().map(str::trim) {
        Some(reason) if !reason.is_empty() => reason.to_string(),
        _ => {
            return Err(format!(
                "{at} (rule {}, path {:?}) has no reason; add reason = \"why this finding is acceptable\"",
                raw.rule, raw.path
            ))
        }
    };
    if crate::rules::lookup(&raw.rule).is_none() {
        let known: Vec<&str> = crate::rules::ALL.iter().map(|r| r.id).collect();
        return Err(format!(
            "{at}: unknown rule {:?}; use one of {}",
            raw.rule,
            known.join(", ")
        ));
    }
    let rule = crate::rules::lookup(&raw.rule).map_or(raw.rule.clone(), |r| r.id.to_string());
    let expires = match raw.expires {
        None => None,
        Some(datetime) => match (datetime.date, datetime.time) {
            (Some(date), None) => Some((date.year, date.month, date.day)),
            _ => {
                return Err(format!(
                    "{at}: expires = {datetime} is not a plain date; write expires = YYYY-MM-DD"
                ))
            }
        },
    };
    Ok(AllowEntry {
        index,
        path_matcher: glob(file, index, "path", &raw.path)?,
        match_file_name: !raw.path.contains('/'),
        symbol_matcher: raw
            .symbol
            .as_deref()
            .map(|p| glob(file, index, "symbol", p))
            .transpose()?,
        address_matcher: raw
            .address
            .as_deref()
            .map(|p| glob(file, index, "address", &p.to_ascii_lowercase()))
            .transpose()?,
        rule,
        path: raw.path,
        symbol: raw.symbol,
        address: raw.address,
        reason,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> AllowEntry {
        let raw = RawAllow {
            rule: "BLT001".into(),
            path: path.into(),
            symbol: None,
            address: None,
            reason: Some("r".into()),
            expires: None,
        };
        check_entry(Path::new("blastool.toml"), 1, raw).unwrap()
    }

    #[test]
    fn path_globs_match_paths_members_and_bare_names() {
        let matches = |pattern: &str, path: &str, member: Option<&str>| {
            entry(pattern).matches("BLT001", path, member, None, None)
        };
        // The soname trap: `libfoo.so` does not cover `libfoo.so.5`; `libfoo.so*` does.
        assert!(!matches("libfoo.so", "lib/libfoo.so.5", None));
        assert!(matches("libfoo.so*", "lib/libfoo.so.5", None));
        assert!(matches("lib/**/libfoo.so*", "lib/x/y/libfoo.so.5", None));
        assert!(!matches("dist/libfoo.so*", "lib/libfoo.so.5", None));
        assert!(matches("memory.o", "libfoo.a", Some("memory.o")));
        assert!(matches("libfoo.a!memory.o", "libfoo.a", Some("memory.o")));
        assert!(matches(
            "dist/*.whl!pkg/*.so",
            "dist/pkg-1.0-py3-none-any.whl",
            Some("pkg/_core.so")
        ));
        assert!(!entry("*").matches("BLT002", "a.so", None, None, None));
    }
}

//! Helpers shared by the integration tests: fixture paths, auditing through the library, and
//! the "required tool" policy (CI turns a missing external tool into a failure, never a skip).

#![allow(dead_code)]

use blastool::audit::model::{Entry, FileReport, Role, Severity};
use std::path::{Path, PathBuf};

pub fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bin")
        .join(relative)
}

/// Audits one fixture file; panics unless it yields exactly one report.
pub fn audit_one(relative: &str) -> FileReport {
    let path = fixture(relative);
    assert!(path.exists(), "fixture {} is missing", path.display());
    let mut reports = blastool::audit::audit_file(&path);
    assert_eq!(reports.len(), 1, "{relative}: expected one report");
    let report = reports.remove(0);
    assert!(report.error.is_none(), "{relative}: {:?}", report.error);
    report
}

pub fn entry<'a>(report: &'a FileReport, symbol: &str) -> &'a Entry {
    report
        .entries
        .iter()
        .find(|e| e.symbol.as_deref() == Some(symbol))
        .unwrap_or_else(|| {
            panic!(
                "{}: no entry named {symbol}: {:#?}",
                report.path, report.entries
            )
        })
}

/// The entry at `address` (the vmaddr or RVA the report gives).
pub fn entry_at(report: &FileReport, address: u64) -> &Entry {
    report
        .entries
        .iter()
        .find(|e| e.address == address)
        .unwrap_or_else(|| {
            panic!(
                "{}: no entry at {address:#x}: {:#?}",
                report.path, report.entries
            )
        })
}

/// (rule, severity) of every finding, sorted: the verdict of a file.
pub fn verdict(report: &FileReport) -> Vec<(&'static str, Severity)> {
    let mut verdict: Vec<_> = report
        .findings
        .iter()
        .map(|f| (f.rule, f.severity))
        .collect();
    verdict.sort();
    verdict
}

pub fn user_constructors(report: &FileReport) -> Vec<&Entry> {
    report
        .entries
        .iter()
        .filter(|e| e.role == Role::Constructor && e.origin == blastool::audit::model::Origin::User)
        .collect()
}

/// True when CI asked for every external tool to be present (`BLASTOOL_REQUIRE_TOOLS=1`).
pub fn tools_required() -> bool {
    std::env::var("BLASTOOL_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// A missing external tool: fails under `BLASTOOL_REQUIRE_TOOLS=1`, else skips loudly.
/// Returns `false` when the caller should return early.
pub fn require(available: bool, what: &str, install: &str) -> bool {
    if available {
        return true;
    }
    if tools_required() {
        panic!("{what} is missing and BLASTOOL_REQUIRE_TOOLS=1: install it ({install})");
    }
    // Written to the stderr handle, not with `eprintln!`: libtest captures the macros' output of
    // passing tests, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED: {what} is missing; install it with `{install}` (BLASTOOL_REQUIRE_TOOLS=1 makes this a failure)"
    );
    false
}

/// True when `program --version` runs and succeeds.
pub fn tool_runs(program: &str) -> bool {
    std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A fresh, empty directory `<CARGO_TARGET_TMPDIR>/<group>/<name>` for one test's files.
pub fn scratch(group: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(group)
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the scratch directory");
    dir
}

/// A child's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `build-report.json` of a `blastool build` output directory.
pub fn build_report(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("build-report.json")).expect("build-report.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// Builds the kernels crate in the debug profile (a no-op when `cargo test --workspace` already
/// did) and returns the directory holding `libkernels.so` and `libkernels.a`.
pub fn built_kernels() -> PathBuf {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "-p", "kernels"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo");
    assert!(status.success(), "cargo build -p kernels failed");
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
        .join("debug")
}

/// The suite's cargo target directory (`CARGO_TARGET_DIR`, else `target/` in the checkout).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The Python tools venv `scripts/test.sh` fills (`.tools/venv`): pre-commit,
/// check-jsonschema, cibuildwheel. `None` when `name` is not installed there.
pub fn python_tool(name: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".tools/venv/bin")
        .join(name);
    path.exists().then_some(path)
}

/// The functions `lib` exports (defined dynamic symbols of function type: the CBLAS globals
/// `RowMajorStrg`/`CBLAS_CallFromC` are data and not declared as functions).
pub fn exported_functions(lib: &Path) -> std::collections::BTreeSet<String> {
    use object::{Object, ObjectSymbol, SymbolKind};
    let data = std::fs::read(lib).expect("read the library");
    let file = object::File::parse(&*data).expect("parse the library");
    file.dynamic_symbols()
        .filter(|s| s.is_definition() && s.kind() == SymbolKind::Text)
        .filter_map(|s| s.name().ok().map(String::from))
        .collect()
}

/// The functions the installed `cblas.h` and `f77blas.h` of build output `out` declare: every
/// line ending in ");" (comments and macros never do), named by the word before its '('.
pub fn declared_functions(out: &Path) -> std::collections::BTreeSet<String> {
    let mut declared = std::collections::BTreeSet::new();
    for header in ["include/cblas.h", "include/f77blas.h"] {
        let text = std::fs::read_to_string(out.join(header)).expect("read the header");
        for line in text.lines().filter(|l| l.trim_end().ends_with(");")) {
            let Some(open) = line.find('(') else { continue };
            let name = line[..open].split_whitespace().last().unwrap_or("");
            declared.insert(name.trim_start_matches('*').to_string());
        }
    }
    declared
}

/// Asserts that the headers of build output `out` declare exactly the functions its shared
/// library `lib` exports, apart from the two default error handlers the weak `xerbla_` and
/// `cblas_xerbla` fall back to (internal, under the same affixes as everything else).
pub fn assert_headers_match_exports(out: &Path, lib: &Path, prefix: &str, suffix: &str) {
    let exported = exported_functions(lib);
    let declared = declared_functions(out);
    let internal: Vec<String> = ["blastool_xerbla_default", "blastool_cblas_xerbla_default"]
        .iter()
        .map(|name| format!("{prefix}{name}{suffix}"))
        .collect();
    let undeclared: Vec<&String> = exported
        .iter()
        .filter(|name| !declared.contains(*name) && !internal.contains(name))
        .collect();
    let unexported: Vec<&String> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty(),
        "{}: exported but not declared: {undeclared:?}",
        lib.display()
    );
    assert!(
        unexported.is_empty(),
        "{}: declared but not exported: {unexported:?}",
        lib.display()
    );
    // The whole interface: 4 x ~70 routines in two ABIs, plus lifecycle and error functions.
    assert!(declared.len() > 300, "only {} declarations", declared.len());
}

//! The build report, `build-report.json`: what was built, from what, and the SHA-256 of every
//! installed file. It is written last into the new tree and read back by the next build, which
//! keeps an output whose inputs and files are all unchanged.

use super::link::SharedNames;
use super::plan::Plan;
use super::smoke::Smoke;
use super::stages::Timings;
use super::{cross, fail, io_failure, rustflags_with_tables, BuildArgs, Failure, VERSION};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Instant;

/// What the stages found out that goes into the report besides the plan.
pub(super) struct Outcome<'a> {
    pub shared: &'a SharedNames,
    pub native_libs: &'a [String],
    /// The `ramdisk` entry (see `scratch::staging_dir`).
    pub ramdisk: Value,
    pub smoke: &'a Smoke,
    /// The audited libraries, relative to the install tree.
    pub audited: Vec<String>,
    pub files: InstalledFiles,
}

/// What the next build's up-to-date check compares: the SHA-256 of every file in the install
/// tree and the target of every link.
pub(super) struct InstalledFiles {
    hashes: serde_json::Map<String, Value>,
    symlinks: serde_json::Map<String, Value>,
}

/// Hashes the files of the install tree at `root` and reads its library links.
pub(super) fn installed_files(
    plan: &Plan,
    root: &Path,
    shared: &SharedNames,
) -> Result<InstalledFiles, Failure> {
    let mut hashes = serde_json::Map::new();
    for file in walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let digest = sha256_file(file.path())
            .or_else(|e| fail(format!("cannot hash {}: {e}", file.path().display())))?;
        hashes.insert(relative(root, file.path()), Value::String(digest));
    }
    // Symlinks are not hashed (they have no contents); the cache check compares their targets.
    let mut symlinks = serde_json::Map::new();
    if elf_shared(plan) {
        let links = [
            Some(shared.soname.clone()),
            Some(format!("lib{}.so", plan.name)),
            shared.drop_in.clone(),
        ];
        for link in links.into_iter().flatten() {
            if let Ok(to) = std::fs::read_link(root.join("lib").join(&link)) {
                symlinks.insert(
                    format!("lib/{link}"),
                    Value::String(to.to_string_lossy().into_owned()),
                );
            }
        }
    }
    Ok(InstalledFiles { hashes, symlinks })
}

/// Does the build install an ELF shared library (with a soname and its links)?
fn elf_shared(plan: &Plan) -> bool {
    plan.want_shared && !cross::is_windows(plan.target)
}

/// The build report of a finished build.
pub(super) fn build_report(plan: &Plan, outcome: Outcome, timings: &Timings) -> Value {
    let Outcome {
        shared,
        native_libs,
        ramdisk,
        smoke,
        audited,
        files: InstalledFiles { hashes, symlinks },
    } = outcome;
    json!({
        "blastool_version": VERSION,
        "target": plan.target.name,
        "rust_target": plan.target.triple,
        "rustflags": rustflags_with_tables(plan.target, &plan.tables),
        "kernel_tables": {
            "intended": plan.tables,
            "compiled": smoke.compiled_tables,
        },
        "profile": plan.profile,
        "name": plan.name,
        "interface": {
            "integers": if plan.ilp64 { "ILP64" } else { "LP64" },
            "blasint_bits": if plan.ilp64 { 64 } else { 32 },
            "symbol_prefix": plan.symbol_prefix,
            "symbol_suffix": plan.symbol_suffix,
            "example_symbols": (["dgemm_", "cblas_dgemm"].map(|f| plan.exported_name(f))),
        },
        "static": plan.want_static,
        "shared": plan.want_shared,
        "soname": if elf_shared(plan) { Value::String(shared.soname.clone()) } else { Value::Null },
        "system_blas_link": shared.drop_in.as_ref().map(|link| format!("lib/{link}")),
        "os": if cross::is_windows(plan.target) { "windows" } else { "linux" },
        "symlinks": symlinks,
        "toolchain": {
            "rustc": plan.rustc_version,
            "cargo": plan.cargo_version,
            "cc": plan.cc_version,
            "cc_path": plan.compiler.path().display().to_string(),
        },
        "native_static_libs": native_libs,
        "ramdisk": ramdisk,
        "cache_key": plan.cache_key,
        "timings_seconds": timings.to_json(),
        "smoke_test": smoke.summary,
        "audit": {
            "verdict": "clean",
            "files": audited,
            "fail_on": "warning",
        },
        "artifacts_sha256": hashes,
    })
}

/// Writes `build-report.json` into the install tree at `root`; returns its text.
pub(super) fn write_report(root: &Path, report: &Value) -> Result<String, Failure> {
    let text = serde_json::to_string_pretty(report).unwrap_or_default() + "\n";
    std::fs::write(root.join("build-report.json"), &text)
        .or_else(|e| fail(io_failure("cannot write build-report.json", &e)))?;
    Ok(text)
}

/// Tells the user about a finished build: the report with --json, else a one-line summary.
pub(super) fn announce_built(
    args: &BuildArgs,
    plan: &Plan,
    report_text: &str,
    smoke: &Smoke,
    started: Instant,
) {
    if args.json {
        print!("{report_text}");
    } else if !args.quiet {
        eprintln!(
            "built {} ({} {}) into {} in {:.1} s: smoke test {}, audit clean",
            plan.name,
            plan.target.name,
            plan.profile,
            plan.out.display(),
            started.elapsed().as_secs_f64(),
            smoke.summary["result"].as_str().unwrap_or("?"),
        );
    }
}

/// Tells the user that the output was kept: the previous report with --json, else one line.
pub(super) fn announce_up_to_date(args: &BuildArgs, plan: &Plan, previous: &Value) {
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(previous).unwrap_or_default()
        );
    } else if !args.quiet {
        eprintln!(
            "{} is up to date ({} {}, cache key {}); nothing to do",
            plan.out.display(),
            plan.target.name,
            plan.profile,
            &plan.cache_key[..12]
        );
    }
}

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

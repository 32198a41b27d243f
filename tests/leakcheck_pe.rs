//! `blastool leakcheck` on PE DLLs under Wine: the MinGW loader built from
//! `templates/leakcheck/loader.c`, run on MinGW fixtures (`tests/fixtures/leak/`) and on the
//! MSVC-layout DLLs of the PE audit fixtures (`/MD` leaks: its `.CRT$XTX` destructor never
//! runs; `/MT` is clean).
//!
//! Needs `wine` and `x86_64-w64-mingw32-gcc`: skipped loudly without them, a failure under
//! `BLASTOOL_REQUIRE_TOOLS=1`. All tests share one Wine prefix, created once (~8 s) and kept in
//! Cargo's target directory.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn manifest(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

/// True when Wine and MinGW are installed (else skips or fails per the tool policy).
fn tools() -> bool {
    common::require(on_path("wine"), "wine", "apt-get install wine64")
        && common::require(
            on_path("x86_64-w64-mingw32-gcc"),
            "x86_64-w64-mingw32-gcc",
            "apt-get install gcc-mingw-w64-x86-64",
        )
}

/// The shared Wine prefix, kept in Cargo's temp dir for integration tests so that it is
/// created once (~8 s) and reused by later runs. The first caller creates it with one short
/// check, so concurrent tests never race to initialise it.
fn wine_prefix() -> &'static Path {
    static PREFIX: OnceLock<PathBuf> = OnceLock::new();
    PREFIX.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leakcheck-wine-prefix");
        let output = blastool(
            &dir,
            "tests/fixtures/leak/bin/mingw-x64/mingw_paired.dll",
            &["--cycles", "4"],
        );
        assert!(
            output.status.code() == Some(0),
            "creating the Wine prefix failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        dir
    })
}

fn blastool(prefix: &Path, dll: &str, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_blastool"))
        .arg("leakcheck")
        .arg(manifest(dll))
        .args(extra)
        .env("WINEPREFIX", prefix)
        .output()
        .expect("blastool runs")
}

fn leakcheck_json(dll: &str) -> (i32, Value) {
    let output = blastool(wine_prefix(), dll, &["--json", "--cycles", "12"]);
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{dll}: no JSON ({e}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(json["runner"], "wine");
    assert_eq!(json["unloaded"], true, "{json}");
    (output.status.code().unwrap_or(-1), json)
}

fn memory(json: &Value) -> f64 {
    json["memory_kib_per_cycle"].as_f64().expect("a number")
}

#[test]
fn mingw_dll_with_an_unpaired_constructor_leaks() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/leak/bin/mingw-x64/mingw_leak.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (1, Some("leak")),
        "{json}"
    );
    let kib = memory(&json);
    assert!((kib - 4096.0).abs() <= 0.2 * 4096.0, "{kib} KiB/cycle");
    assert_eq!(json["threads_per_cycle"], 0.0);
    // HeapWalk sees the 4 MiB block itself, to the byte.
    assert_eq!(json["heap_bytes_per_cycle"], 4194304.0, "{json}");
}

#[test]
fn mingw_dll_that_keeps_one_kib_leaks_1024_heap_bytes_per_cycle() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/leak/bin/mingw-x64/mingw_kib.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (1, Some("leak")),
        "{json}"
    );
    let bytes = json["heap_bytes_per_cycle"].as_f64().expect("heap bytes");
    assert!((1024.0..=1100.0).contains(&bytes), "{bytes} bytes/cycle");
    assert!(memory(&json).abs() < 16.0, "{json}");
    assert_eq!(json["grew"], serde_json::json!(["heap"]));
}

#[test]
fn mingw_dll_that_takes_a_tls_index_per_load_leaks_it() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/leak/bin/mingw-x64/mingw_tls.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (1, Some("leak")),
        "{json}"
    );
    assert_eq!(json["tls_keys_per_cycle"], 1.0, "{json}");
    assert_eq!(json["grew"], serde_json::json!(["tls-keys"]));
}

#[test]
fn mingw_dll_with_a_paired_constructor_is_clean() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/leak/bin/mingw-x64/mingw_paired.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (0, Some("clean")),
        "{json}"
    );
    assert!(memory(&json).abs() < 16.0, "{json}");
    assert!(
        json["heap_bytes_per_cycle"]
            .as_f64()
            .expect("heap bytes")
            .abs()
            < 256.0,
        "{json}"
    );
    assert_eq!(json["tls_keys_per_cycle"], 0.0, "{json}");
}

#[test]
fn msvc_md_dll_leaks_because_crt_xtx_never_runs() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/pe/bin/msvc-x64-md/ctor.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (1, Some("leak")),
        "{json}"
    );
    let kib = memory(&json);
    assert!((kib - 4096.0).abs() <= 0.2 * 4096.0, "{kib} KiB/cycle");
}

#[test]
fn msvc_mt_dll_is_clean_because_cexit_runs_crt_xtx() {
    if !tools() {
        return;
    }
    let (status, json) = leakcheck_json("tests/fixtures/pe/bin/msvc-x64-mt/ctor.dll");
    assert_eq!(
        (status, json["verdict"].as_str()),
        (0, Some("clean")),
        "{json}"
    );
    assert!(
        json["heap_bytes_per_cycle"]
            .as_f64()
            .expect("heap bytes")
            .abs()
            < 256.0,
        "{json}"
    );
}

#[test]
fn confirm_attaches_the_wine_verdict_to_an_audited_dll() {
    if !tools() {
        return;
    }
    let options = blastool::leakcheck::Options {
        cycles: 8,
        wine_prefix: Some(wine_prefix().to_path_buf()),
        ..Default::default()
    };
    let path = manifest("tests/fixtures/pe/bin/msvc-x64-md/ctor.dll");
    let mut reports = blastool::audit::audit_file(&path);
    let report = reports.remove(0);
    assert!(!report.findings.is_empty(), "the audit flags the /MD shape");
    let confirmation = blastool::leakcheck::confirm(&report, &options).expect("a DLL");
    assert_eq!(confirmation.status, "checked", "{confirmation:?}");
    let leak = confirmation.leak.unwrap();
    assert_eq!(leak.verdict, blastool::leakcheck::Verdict::Leak);
    assert_eq!(leak.runner, "wine");
}

#[test]
fn an_arm64_dll_is_refused_before_anything_runs() {
    // No tool needed: the architecture is checked before Wine or MinGW is looked for.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_blastool"))
        .arg("leakcheck")
        .arg(manifest("tests/fixtures/pe/bin/msvc-arm64-md/ctor.dll"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("only x86 and x86-64 DLLs"), "{stderr}");
}

#[test]
fn call_works_through_getprocaddress_and_names_a_missing_export() {
    if !tools() {
        return;
    }
    let dll = "tests/fixtures/leak/bin/mingw-x64/mingw_paired.dll";
    let output = blastool(wine_prefix(), dll, &["--cycles", "4", "--call", "probe"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("called:    probe once per cycle"),
        "{stdout}"
    );

    let output = blastool(
        wine_prefix(),
        dll,
        &["--cycles", "4", "--call", "no_such_export"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the DLL exports no no_such_export"),
        "{stderr}"
    );
}

//! The BLAS that `blastool build` produces loads and unloads cleanly: the leak check, calling
//! `cblas_dgemm` every cycle, finds nothing kept.

use std::process::Command;

#[test]
fn the_built_blas_is_clean_across_load_unload_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generic");
    let build = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .args(["build", "--target", "GENERIC", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        build.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let plot = dir.path().join("cycles.svg");
    let check = Command::new(env!("CARGO_BIN_EXE_blastool"))
        .arg("leakcheck")
        .arg(out.join("lib/libblastool.so"))
        .args(["--call", "blas", "--cycles", "30", "--json", "--plot"])
        .arg(&plot)
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let verdict: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(verdict["verdict"], "clean", "{verdict:#}");
    assert_eq!(verdict["unloaded"], true);
    assert_eq!(verdict["threads_per_cycle"].as_f64(), Some(0.0));
    // Clean by the exact heap count too, not only by pages.
    let heap = verdict["heap_bytes_per_cycle"]
        .as_f64()
        .expect("heap bytes");
    assert!(heap < 256.0, "{verdict:#}");
    println!(
        "built GENERIC BLAS: {} KiB/cycle, {heap} heap bytes/cycle, {} threads/cycle over {} \
         cycles",
        verdict["memory_kib_per_cycle"], verdict["threads_per_cycle"], verdict["cycles"]
    );
    assert!(std::fs::read_to_string(&plot).unwrap().starts_with("<svg"));
}

//! Runs Debian's reference BLAS testers (`libblas-test`, 24 programs, every supported microkernel
//! table) against this build's shared library through `run-testers.sh`.
//!
//! Without `libblas-test` the test prints a loud SKIPPED line, or fails when
//! `BLASTOOL_REQUIRE_TOOLS=1` (CI).

use std::path::{Path, PathBuf};
use std::process::Command;

const TESTER: &str = "/usr/lib/x86_64-linux-gnu/blas/xblat1d";

/// The cdylib cargo built alongside this test (target/<profile>/deps/libkernels.so).
fn shared_library() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    [
        deps.join("libkernels.so"),
        deps.parent()?.join("libkernels.so"),
    ]
    .into_iter()
    .find(|p| p.exists())
}

#[test]
fn reference_testers_pass() {
    let require = std::env::var("BLASTOOL_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) || !Path::new(TESTER).exists() {
        let msg = "the reference BLAS testers are not installed (Debian package libblas-test)";
        if require {
            panic!("{msg}, and BLASTOOL_REQUIRE_TOOLS=1");
        }
        // The stderr handle, not `eprintln!`: libtest hides the macros' output of passing tests.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: {msg}; install with `apt-get install libblas-test`"
        );
        return;
    }
    let lib = shared_library().expect("cargo builds libkernels.so next to the test binary");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("run-testers.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("BLASTOOL_LIB", &lib)
        .output()
        .expect("run run-testers.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "reference testers failed ({}):\n{stdout}",
        out.status
    );
    assert!(stdout.contains("all testers passed"));
    // 24 testers per table, at least the GENERIC table.
    assert!(stdout.lines().filter(|l| l.starts_with("ok ")).count() >= 24);
}

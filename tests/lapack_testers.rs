//! LAPACK's own test suite over a `blastool build` library used as the system BLAS:
//! `kernels/run-lapack-testers.sh` runs every program of Debian's `liblapack-test` with every
//! input it ships, with Debian's reference LAPACK over the release build's `lib/libblas.so.3`
//! link (its directory on `LD_LIBRARY_PATH`, as a user would) and over the reference BLAS, for
//! every microkernel table this CPU can run with 1 and 2 threads, and fails when a test group
//! fails more over ours. Also: the script refuses a library that is not blastool's, so it can
//! never compare the reference BLAS with itself.
//!
//! External packages (liblapack-test, liblapack3, libblas3): with `BLASTOOL_REQUIRE_TOOLS=1` a
//! missing one fails the test; otherwise it prints `SKIPPED: ...` and passes.

mod common;

use common::text;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_blastool");
const LAPACK_TESTER: &str = "/usr/lib/x86_64-linux-gnu/lapack/xlintstd";
const REFERENCE_LAPACK: &str = "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3";
const REFERENCE_BLAS: &str = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels/run-lapack-testers.sh")
}

/// True when the three Debian packages are installed; otherwise fails (CI) or skips loudly.
fn have_lapack_tests(test: &str) -> bool {
    let present = [LAPACK_TESTER, REFERENCE_LAPACK, REFERENCE_BLAS]
        .iter()
        .all(|p| Path::new(p).exists());
    common::require(
        cfg!(all(target_os = "linux", target_arch = "x86_64")) && present,
        &format!("{test}: LAPACK's testers over reference LAPACK and BLAS"),
        "apt-get install liblapack-test liblapack3 libblas3",
    )
}

/// The tables `BLASTOOL_CORETYPE` can select on this CPU (GENERIC always).
fn runnable_tables() -> Vec<&'static str> {
    let mut tables = vec!["GENERIC"];
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
        {
            tables.push("HASWELL");
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            tables.push("SKYLAKEX");
        }
    }
    tables
}

/// The script with a clean environment for its own settings: the caller's BLASTOOL_CORETYPE or
/// BLASTOOL_NUM_THREADS would narrow what it runs.
fn run_script(lib: &Path, extra: &[(&str, &str)]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .env("BLASTOOL_LIB", lib)
        .env_remove("BLASTOOL_CORETYPE")
        .env_remove("BLASTOOL_NUM_THREADS")
        .env_remove("BLASTOOL_TESTER_CORES")
        .env_remove("BLASTOOL_TESTER_THREADS");
    for (key, value) in extra {
        command.env(key, value);
    }
    command.output().expect("run run-lapack-testers.sh")
}

/// The DYNAMIC release build (every table of the architecture), installed like a user's.
fn dynamic_build() -> PathBuf {
    let out = common::scratch("lapack_testers", "dynamic").join("out");
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["build", "--target", "DYNAMIC", "--out"])
        .arg(&out)
        .arg("--quiet")
        .output()
        .expect("run blastool build");
    assert!(
        output.status.success(),
        "build DYNAMIC failed: {}",
        text(&output.stderr)
    );
    let _ = writeln!(
        std::io::stderr(),
        "built DYNAMIC in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    out
}

#[test]
fn lapack_testers_over_the_installed_library_match_the_reference_blas() {
    if !have_lapack_tests("lapack_testers") {
        return;
    }
    let out = dynamic_build();
    let drop_in = out.join("lib/libblas.so.3");
    assert_eq!(
        std::fs::read_link(&drop_in).expect("lib/libblas.so.3 is a link"),
        Path::new("libblastool.so.0")
    );
    let tables = runnable_tables();
    let started = Instant::now();
    let output = run_script(
        &drop_in,
        &[
            ("BLASTOOL_TESTER_CORES", &tables.join(" ")),
            ("BLASTOOL_TESTER_THREADS", "1 2"),
        ],
    );
    let stdout = text(&output.stdout);
    let _ = writeln!(
        std::io::stderr(),
        "{stdout}{}run-lapack-testers.sh took {:.0} s",
        text(&output.stderr),
        started.elapsed().as_secs_f64()
    );
    // The reference LAPACK reached our library through the tree's own link.
    let bound = format!("-> {} -> ", drop_in.display());
    assert!(
        stdout
            .lines()
            .any(|l| l.contains(&bound) && l.ends_with("libblastool.so.0.1.0")),
        "LAPACK did not bind to {}:\n{stdout}",
        drop_in.display()
    );
    assert!(
        output.status.success(),
        "LAPACK's testers fail more over ours than over the reference BLAS ({}):\n{stdout}{}",
        output.status,
        text(&output.stderr)
    );
    // One verdict per table and thread count, every one of them clean.
    let verdicts = stdout
        .lines()
        .filter(|l| l.starts_with("ok   [") || l.starts_with("FAIL ["))
        .count();
    assert_eq!(verdicts, tables.len() * 2, "{stdout}");
    assert!(!stdout.contains("WORSE"), "{stdout}");
}

/// A library without blastool's entry points (here the reference BLAS itself) is refused before
/// anything runs: the comparison would otherwise pass without testing our code.
#[test]
fn a_library_that_is_not_blastool_is_refused() {
    if !have_lapack_tests("lapack_testers") {
        return;
    }
    let output = run_script(Path::new(REFERENCE_BLAS), &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("does not export blastool_get_corename"),
        "{stderr}"
    );
    assert!(!text(&output.stdout).contains("reference BLAS:"));
}

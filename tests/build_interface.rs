//! `blastool build --interface64 / --symbol-prefix / --symbol-suffix` end to end: what the
//! produced libraries export (read with the `object` crate), what the rendered headers declare,
//! that ILP64 integers really are 64-bit at run time, that an LP64 and an ILP64 build live side
//! by side in one process, Debian's 64-bit-integer reference testers (`libblas64-test`) against an
//! unsuffixed ILP64 build, and the bad affixes.
//!
//! External tools (a C compiler, libblas64-test): with `BLASTOOL_REQUIRE_TOOLS=1` a missing one
//! fails the test; otherwise it prints `SKIPPED: ...` and passes.

mod common;

use object::{Object, ObjectSymbol};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const BIN: &str = env!("CARGO_BIN_EXE_blastool");

fn scratch(name: &str) -> PathBuf {
    common::scratch("build_interface", name)
}

use common::text;

fn blastool_build(args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("build")
        .args(args)
        .output()
        .expect("run blastool")
}

/// Builds GENERIC with `extra` options into a fresh directory once per test run.
fn built(cell: &'static OnceLock<PathBuf>, tag: &str, extra: &[&str]) -> &'static Path {
    cell.get_or_init(|| {
        let out = scratch(tag).join("out");
        let mut args = vec![
            "--target",
            "GENERIC",
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let output = blastool_build(&args);
        assert!(
            output.status.success(),
            "build {extra:?} failed: {}",
            text(&output.stderr)
        );
        out
    })
}

/// `--interface64` with its defaults: ILP64, suffix `64_`, library `blastool64_`.
fn ilp64_suffixed() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    built(&CELL, "ilp64-suffixed", &["--interface64"])
}

/// LP64 with a prefix and its own name, to share a process with the ILP64 build.
fn lp64_prefixed() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    built(
        &CELL,
        "lp64-prefixed",
        &["--symbol-prefix", "my_", "--name", "myblas"],
    )
}

/// Debian's convention for 64-bit-integer BLAS: ILP64 with the unsuffixed names.
fn ilp64_unsuffixed() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    built(
        &CELL,
        "ilp64-unsuffixed",
        &["--interface64", "--symbol-suffix=", "--name", "blas64"],
    )
}

fn dynamic_symbols(library: &Path) -> Vec<String> {
    let data = std::fs::read(library).expect("read the library");
    let file = object::File::parse(&*data).expect("parse the library");
    file.dynamic_symbols()
        .filter(|s| s.is_definition())
        .filter_map(|s| s.name().ok().map(String::from))
        .collect()
}

fn have_cc(test: &str) -> bool {
    common::require(
        common::tool_runs("cc"),
        &format!("{test}: a C compiler (cc)"),
        "apt-get install gcc",
    )
}

#[test]
fn interface64_exports_suffixed_names_and_declares_int64_blasint() {
    let out = ilp64_suffixed();
    let symbols = dynamic_symbols(&out.join("lib/libblastool64_.so"));
    for wanted in [
        "dgemm_64_",
        "cblas_dgemm64_",
        "zherk_64_",
        "cblas_izamax64_",
        "xerbla_64_",
        "cblas_xerbla64_",
        "blastool_quit64_",
        "blastool_get_corename64_",
    ] {
        assert!(symbols.iter().any(|s| s == wanted), "{wanted} not exported");
    }
    for unwanted in ["dgemm_", "cblas_dgemm", "xerbla_", "blastool_quit"] {
        assert!(
            !symbols.iter().any(|s| s == unwanted),
            "{unwanted} exported by a suffixed build"
        );
    }
    let cblas = std::fs::read_to_string(out.join("include/cblas.h")).unwrap();
    assert!(cblas.contains("typedef int64_t blasint;"));
    assert!(cblas.contains("#define BLASTOOL_ILP64 1"));
    assert!(cblas.contains("void cblas_dgemm64_(const CBLAS_ORDER Order"));
    assert!(!cblas.contains(" cblas_dgemm("));
    let f77 = std::fs::read_to_string(out.join("include/f77blas.h")).unwrap();
    assert!(f77.contains("void dgemm_64_("), "f77blas.h lacks dgemm_64_");
    let report = common::build_report(out);
    assert_eq!(report["interface"]["integers"], "ILP64");
    assert_eq!(report["interface"]["symbol_suffix"], "64_");
    assert_eq!(report["smoke_test"]["result"], "passed");
    assert_eq!(report["smoke_test"]["calls"][0], "cblas_dgemm64_");
    assert_eq!(report["audit"]["verdict"], "clean");
    // The static library's members define the same names.
    assert!(out.join("lib/libblastool64_.a").is_file());
}

/// Only a build with the plain names can stand in for the system BLAS: the drop-in link is
/// `libblas.so.3` for LP64, `libblas64.so.3` (Debian's name) for ILP64, and absent when a prefix
/// or suffix renames `dgemm_`.
#[test]
fn only_plain_names_get_the_system_blas_link() {
    let unsuffixed = ilp64_unsuffixed();
    assert_eq!(
        std::fs::read_link(unsuffixed.join("lib/libblas64.so.3")).unwrap(),
        Path::new("libblas64.so.0")
    );
    assert!(!unsuffixed.join("lib/libblas.so.3").exists());
    let report = common::build_report(unsuffixed);
    assert_eq!(report["system_blas_link"], "lib/libblas64.so.3");
    assert_eq!(report["symlinks"]["lib/libblas64.so.3"], "libblas64.so.0");

    for affixed in [ilp64_suffixed(), lp64_prefixed()] {
        for link in ["lib/libblas.so.3", "lib/libblas64.so.3"] {
            assert!(
                std::fs::symlink_metadata(affixed.join(link)).is_err(),
                "{}: an affixed build has {link}",
                affixed.display()
            );
        }
        assert!(common::build_report(affixed)["system_blas_link"].is_null());
    }
}

#[test]
fn symbol_prefix_renames_every_export() {
    let out = lp64_prefixed();
    let symbols = dynamic_symbols(&out.join("lib/libmyblas.so"));
    for wanted in [
        "my_dgemm_",
        "my_cblas_dgemm",
        "my_xerbla_",
        "my_blastool_init",
    ] {
        assert!(symbols.iter().any(|s| s == wanted), "{wanted} not exported");
    }
    // Every BLAS-looking export carries the prefix: none is left behind.
    let stray: Vec<&String> = symbols
        .iter()
        .filter(|s| {
            !s.starts_with("my_")
                && (s.starts_with("cblas_") || s.starts_with("blastool_") || s.ends_with('_'))
        })
        .collect();
    assert!(stray.is_empty(), "exports without the prefix: {stray:?}");
    // Every function the rendered headers declare is exported under that very name, and back.
    for name in common::declared_functions(out) {
        assert!(
            name.starts_with("my_"),
            "a header declares {name} unprefixed"
        );
    }
    common::assert_headers_match_exports(out, &out.join("lib/libmyblas.so"), "my_", "");
    let cblas = std::fs::read_to_string(out.join("include/cblas.h")).unwrap();
    assert!(cblas.contains("typedef int blasint;"));
    assert!(cblas.contains("double my_cblas_ddot(const blasint N"));
    assert_eq!(common::build_report(out)["interface"]["integers"], "LP64");
}

/// The headers are rendered from the same interface table as the exported wrappers: for the
/// suffixed ILP64 build too, the headers declare exactly what the library exports.
#[test]
fn ilp64_headers_declare_exactly_the_exports() {
    let out = ilp64_suffixed();
    common::assert_headers_match_exports(out, &out.join("lib/libblastool64_.so"), "", "64_");
}

/// A program may include both installed headers, in either order, under the strictest C it is
/// likely to be compiled as: each declares `blasint`, and C99 rejects a repeated typedef, so
/// the headers share one guarded definition. Checked for the LP64 and the ILP64 headers.
#[test]
fn both_headers_compile_together_under_pedantic_c99_and_c11() {
    if !have_cc("both_headers_compile_together") {
        return;
    }
    let dir = scratch("both-headers");
    std::fs::create_dir_all(&dir).unwrap();
    for (order, includes) in [
        (
            "cblas-first",
            "#include \"cblas.h\"\n#include \"f77blas.h\"\n",
        ),
        (
            "f77-first",
            "#include \"f77blas.h\"\n#include \"cblas.h\"\n",
        ),
    ] {
        let source = dir.join(format!("{order}.c"));
        std::fs::write(
            &source,
            format!("{includes}int main(void) {{ return 0; }}\n"),
        )
        .unwrap();
        for out in [lp64_prefixed(), ilp64_suffixed()] {
            for standard in ["-std=c99", "-std=c11"] {
                let output = Command::new("cc")
                    .args([standard, "-pedantic-errors", "-Wall", "-Wextra", "-Werror"])
                    .arg("-fsyntax-only")
                    .arg("-I")
                    .arg(out.join("include"))
                    .arg(&source)
                    .output()
                    .expect("run cc");
                assert!(
                    output.status.success(),
                    "{order} {standard} with {}: {}",
                    out.display(),
                    text(&output.stderr)
                );
            }
        }
    }
}

/// An ILP64 library reads all 64 bits of an integer: `cblas_ddot` with n = 2^31 + 5 and both
/// increments 0 sums 2^31 + 5 products of 1 x 1. An LP64 library would read only the low 32 bits
/// (a negative n) and return 0, so this cannot pass by accident. The same program also links the
/// prefixed LP64 library and calls it in the same process (the point of symbol affixes).
#[test]
fn ilp64_integers_are_64_bit_and_share_a_process_with_lp64() {
    if !have_cc("ilp64_integers") {
        return;
    }
    let ilp64 = ilp64_suffixed();
    let lp64 = lp64_prefixed();
    let dir = scratch("ilp64-check");
    let source = dir.join("check.c");
    std::fs::write(
        &source,
        r#"#include <stdio.h>
#include <stdint.h>
/* Declared by hand: the two builds' headers both define blasint, with different widths. */
double cblas_ddot64_(int64_t n, const double *x, int64_t incx, const double *y, int64_t incy);
double my_cblas_ddot(int n, const double *x, int incx, const double *y, int incy);
double ddot_64_(const int64_t *n, const double *x, const int64_t *incx, const double *y,
                const int64_t *incy);
int main(void) {
    const double one = 1.0, v[4] = {1.0, 2.0, 3.0, 4.0};
    const int64_t big = ((int64_t)1 << 31) + 5, zero = 0;
    double c = cblas_ddot64_(big, &one, 0, &one, 0);
    double f = ddot_64_(&big, &one, &zero, &one, &zero);
    double small = my_cblas_ddot(4, v, 1, v, 1);
    printf("ilp64 cblas %.1f fortran %.1f lp64 %.1f\n", c, f, small);
    return !(c == 2147483653.0 && f == 2147483653.0 && small == 30.0);
}
"#,
    )
    .unwrap();
    let exe = dir.join("check");
    let compiled = Command::new("cc")
        .arg("-O1")
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .arg(format!("-L{}", ilp64.join("lib").display()))
        .arg(format!("-L{}", lp64.join("lib").display()))
        .args(["-lblastool64_", "-lmyblas"])
        .output()
        .unwrap();
    assert!(compiled.status.success(), "{}", text(&compiled.stderr));
    let run = Command::new(&exe)
        .env(
            "LD_LIBRARY_PATH",
            format!(
                "{}:{}",
                ilp64.join("lib").display(),
                lp64.join("lib").display()
            ),
        )
        .output()
        .unwrap();
    let stdout = text(&run.stdout);
    let _ = writeln!(std::io::stderr(), "{}", stdout.trim());
    assert!(run.status.success(), "{stdout}{}", text(&run.stderr));
    assert!(stdout.contains("ilp64 cblas 2147483653.0 fortran 2147483653.0 lp64 30.0"));
}

#[test]
fn debian_ilp64_reference_testers_pass() {
    if !common::require(
        Path::new("/usr/lib/x86_64-linux-gnu/blas64/xblat1d").exists(),
        "ilp64 reference testers: Debian's 64-bit-integer BLAS testers",
        "apt-get install libblas64-test",
    ) {
        return;
    }
    let out = ilp64_unsuffixed();
    let symbols = dynamic_symbols(&out.join("lib/libblas64.so"));
    assert!(symbols.iter().any(|s| s == "dgemm_"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels/run-testers.sh");
    let output = Command::new("bash")
        .arg(&script)
        .env("BLASTOOL_LIB", out.join("lib/libblas64.so.0.1.0"))
        .env("BLASTOOL_TESTER_CORES", "GENERIC")
        .env("BLASTOOL_TESTER_ILP64", "1")
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(stdout.contains("ldd: libblas64.so.3 =>"), "{stdout}");
    assert!(stdout.contains("all testers passed"), "{stdout}");
}

#[test]
fn bad_affixes_are_rejected_before_anything_is_written() {
    let dir = scratch("bad-affixes");
    let out = dir.join("out");
    for (args, says) in [
        (vec!["--symbol-prefix", "my-"], "--symbol-prefix 'my-'"),
        (vec!["--symbol-suffix", "64$"], "--symbol-suffix '64$'"),
        (
            vec!["--symbol-prefix", "9x_"],
            "must not start with a digit",
        ),
    ] {
        let mut full = vec!["--target", "generic", "--out", out.to_str().unwrap()];
        full.extend(args.iter());
        let output = blastool_build(&full);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(!out.exists());
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            0,
            "debris beside --out"
        );
    }
}

/// `bench` measures the LP64 CBLAS ABI: handed an ILP64 build it refuses in one line and says
/// why, instead of calling 64-bit-integer functions with 32-bit arguments.
#[test]
fn bench_refuses_an_ilp64_build_and_says_why() {
    let out = ilp64_suffixed();
    let output = Command::new(BIN)
        .args(["bench", "--quick", "--library"])
        .arg(out.join("lib/libblastool64_.so"))
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("exports cblas_dgemm64_: an ILP64 build"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

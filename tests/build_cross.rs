//! `blastool build` cross builds end to end through the real CLI: NEOVERSEN1 for ARM64 Linux
//! (cross gcc, smoke program run under qemu-user, aarch64 audit) and a Windows DLL (MinGW, our
//! DllMain glue, import library and .def, smoke program run under Wine, PE audit), plus the
//! errors: a Rust standard library that is not installed, a missing cross compiler.
//!
//! Needs the tools `scripts/test.sh` installs (gcc-aarch64-linux-gnu, qemu-user, MinGW, Wine and
//! the two `rustup target add`s): without them each test prints `SKIPPED: ...`, and fails under
//! `BLASTOOL_REQUIRE_TOOLS=1`.

mod common;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_blastool");

fn scratch(name: &str) -> PathBuf {
    common::scratch("build_cross", name)
}

use common::text;

fn blastool(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.arg("build").args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run blastool")
}

fn installed_triples() -> String {
    Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| text(&o.stdout))
        .unwrap_or_default()
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
}

fn rust_target(triple: &str) -> bool {
    common::require(
        installed_triples().lines().any(|l| l.trim() == triple),
        &format!("the Rust standard library for {triple}"),
        &format!("rustup target add {triple}"),
    )
}

fn tool(program: &str, package: &str) -> bool {
    common::require(
        on_path(program),
        program,
        &format!("apt-get install {package}"),
    )
}

/// Builds once per test run; `None` when a tool is missing (skipped, or failed under CI).
fn built(
    cell: &'static OnceLock<Option<PathBuf>>,
    name: &str,
    args: &[&str],
) -> Option<&'static Path> {
    cell.get_or_init(|| {
        let out = scratch(name).join("out");
        let started = Instant::now();
        let mut full = args.to_vec();
        full.extend(["--out", out.to_str().unwrap(), "--quiet"]);
        let output = blastool(&full, &[]);
        assert!(
            output.status.success(),
            "build {args:?} failed: {}",
            text(&output.stderr)
        );
        let _ = writeln!(
            std::io::stderr(),
            "built {args:?} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Some(out)
    })
    .as_deref()
}

fn arm64() -> Option<&'static Path> {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    let ready = rust_target("aarch64-unknown-linux-gnu")
        && tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")
        && tool("qemu-aarch64", "qemu-user");
    if !ready {
        return None;
    }
    built(&CELL, "neoversen1", &["--target", "NEOVERSEN1"])
}

fn windows() -> Option<&'static Path> {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    let ready = rust_target("x86_64-pc-windows-gnu")
        && tool("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
        && tool("wine", "wine64");
    if !ready {
        return None;
    }
    built(
        &CELL,
        "windows",
        &["--target", "GENERIC", "--os", "windows"],
    )
}

/// The machine an ELF file is built for: the header's e_machine (183 = AArch64).
fn elf_machine(path: &Path) -> u16 {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF", "{}", path.display());
    u16::from_le_bytes([bytes[18], bytes[19]])
}

#[test]
fn arm64_build_is_aarch64_smoke_tested_under_qemu_and_audited() {
    let Some(out) = arm64() else { return };
    for file in [
        "lib/libblastool.a",
        "lib/libblastool.so.0.1.0",
        "include/cblas.h",
        "include/f77blas.h",
        "lib/pkgconfig/blastool.pc",
        "lib/cmake/blastool/blastoolConfig.cmake",
        "lib/cmake/blastool/blastoolConfigVersion.cmake",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert_eq!(
        std::fs::read_link(out.join("lib/libblastool.so.0")).unwrap(),
        Path::new("libblastool.so.0.1.0")
    );
    assert_eq!(elf_machine(&out.join("lib/libblastool.so.0.1.0")), 183);
    let report = common::build_report(out);
    assert_eq!(report["rust_target"], "aarch64-unknown-linux-gnu");
    let flags = report["rustflags"].to_string();
    assert!(flags.contains("-Ctarget-cpu=neoverse-n1"), "{flags}");
    assert!(!flags.contains("native"), "{flags}");
    assert!(
        report["toolchain"]["cc"]
            .as_str()
            .unwrap()
            .contains("aarch64-linux-gnu-gcc"),
        "{}",
        report["toolchain"]
    );
    let smoke = &report["smoke_test"];
    assert_eq!(smoke["result"], "passed", "{smoke}");
    assert_eq!(smoke["ran"], true);
    for kind in ["static", "shared"] {
        assert_eq!(smoke["runs"][kind]["runner"], "qemu-aarch64", "{smoke}");
        assert!(
            smoke["runs"][kind]["output"]
                .as_str()
                .unwrap()
                .starts_with("smoke ok: core=GENERIC"),
            "{smoke}"
        );
    }
    assert_eq!(report["audit"]["verdict"], "clean");
    // Our own audit, again, on the installed aarch64 library: no finding at all.
    for file in ["lib/libblastool.so.0.1.0", "lib/libblastool.a"] {
        for audited in blastool::audit::audit_file(&out.join(file)) {
            assert!(audited.error.is_none(), "{file}: {:?}", audited.error);
            assert!(
                audited.findings.is_empty(),
                "{file}: {:?}",
                audited.findings
            );
        }
    }
}

#[test]
fn windows_dll_has_the_mingw_layout_runs_under_wine_and_audits_clean() {
    let Some(out) = windows() else { return };
    for file in [
        "bin/libblastool.dll",
        "lib/libblastool.dll.a",
        "lib/libblastool.def",
        "lib/libblastool.a",
        "include/cblas.h",
        "include/f77blas.h",
        "lib/pkgconfig/blastool.pc",
        "lib/cmake/blastool/blastoolConfig.cmake",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    let def = std::fs::read_to_string(out.join("lib/libblastool.def")).unwrap();
    for symbol in ["cblas_dgemm", "dgemm_", "blastool_quit"] {
        assert!(
            def.lines().any(|l| l.trim().starts_with(symbol)),
            "{symbol} not in the .def"
        );
    }
    // The import library names the DLL as installed, not the crate's internal name.
    let implib = std::fs::read(out.join("lib/libblastool.dll.a")).unwrap();
    assert!(implib.windows(15).any(|w| w == b"libblastool.dll"));
    let cmake =
        std::fs::read_to_string(out.join("lib/cmake/blastool/blastoolConfig.cmake")).unwrap();
    assert!(cmake.contains("IMPORTED_IMPLIB"), "{cmake}");

    let report = common::build_report(out);
    assert_eq!(report["rust_target"], "x86_64-pc-windows-gnu");
    assert_eq!(report["os"], "windows");
    let smoke = &report["smoke_test"];
    assert_eq!(smoke["result"], "passed", "{smoke}");
    for kind in ["static", "shared"] {
        assert_eq!(smoke["runs"][kind]["runner"], "wine", "{smoke}");
        assert!(
            smoke["runs"][kind]["output"]
                .as_str()
                .unwrap()
                .starts_with("smoke ok:"),
            "{smoke}"
        );
    }
    // The audit engine on the DLL and the static library: clean, and the DllMain glue found.
    for file in ["bin/libblastool.dll", "lib/libblastool.a"] {
        for audited in blastool::audit::audit_file(&out.join(file)) {
            assert!(audited.error.is_none(), "{file}: {:?}", audited.error);
            assert!(
                !audited
                    .findings
                    .iter()
                    .any(|f| f.rule == "BLT001" || f.rule == "BLT002"),
                "{file}: {:?}",
                audited.findings
            );
        }
    }
    let verbose = Command::new(BIN)
        .args(["audit", "--verbose", "--format", "json"])
        .arg(out.join("bin/libblastool.dll"))
        .output()
        .unwrap();
    assert_eq!(verbose.status.code(), Some(0), "{}", text(&verbose.stderr));
    assert!(
        text(&verbose.stdout).contains("DllMain: 0x"),
        "no DllMain found"
    );
    // The DllMain in the DLL is ours and calls blastool_quit (on DLL_PROCESS_DETACH).
    let disassembly = Command::new("x86_64-w64-mingw32-objdump")
        .args(["-d", "--disassemble=DllMain"])
        .arg(out.join("bin/libblastool.dll"))
        .output()
        .unwrap();
    let disassembly = text(&disassembly.stdout);
    assert!(disassembly.contains("<blastool_quit>"), "{disassembly}");
    // The static library must not carry a DllMain (it would clash with its user's).
    let symbols = Command::new("x86_64-w64-mingw32-nm")
        .arg(out.join("lib/libblastool.a"))
        .output()
        .unwrap();
    assert!(!text(&symbols.stdout).contains(" T DllMain"));
}

#[test]
fn a_missing_rust_standard_library_names_the_rustup_command() {
    // ARM64 Windows: a real target whose std this project never installs (and Debian packages
    // no compiler for), so the check meets a genuinely missing standard library.
    const TRIPLE: &str = "aarch64-pc-windows-gnullvm";
    if installed_triples().lines().any(|l| l.trim() == TRIPLE) {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: a_missing_rust_standard_library: {TRIPLE} is installed here"
        );
        return;
    }
    let dir = scratch("missing-std");
    let out = dir.join("out");
    let output = blastool(
        &[
            "--target",
            "armv8",
            "--os",
            "windows",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("rustup target add {TRIPLE}")),
        "{stderr}"
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "debris left");
}

#[test]
fn a_missing_cross_compiler_is_one_line_and_writes_nothing() {
    if !rust_target("aarch64-unknown-linux-gnu") {
        return;
    }
    let dir = scratch("missing-cc");
    let out = dir.join("out");
    let output = blastool(
        &["--target", "armv8", "--out", out.to_str().unwrap()],
        &[(
            "CC_aarch64_unknown_linux_gnu",
            "/nonexistent/aarch64-linux-gnu-gcc",
        )],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("gcc-aarch64-linux-gnu"), "{stderr}");
    assert!(stderr.contains("CC_aarch64_unknown_linux_gnu"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "debris left");
}

#[test]
fn a_host_compiler_is_refused_for_a_cross_build() {
    if !rust_target("aarch64-unknown-linux-gnu") || !tool("gcc", "gcc") {
        return;
    }
    let dir = scratch("host-cc");
    let out = dir.join("out");
    let output = blastool(
        &["--target", "armv8", "--out", out.to_str().unwrap()],
        &[("CC_aarch64_unknown_linux_gnu", "gcc")],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("produces code for x86_64"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn without_qemu_the_smoke_program_is_compiled_but_not_run_and_says_so() {
    let ready = rust_target("aarch64-unknown-linux-gnu")
        && tool("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu");
    if !ready {
        return;
    }
    // This machine's PATH, less qemu: every program on it linked into one directory, except
    // qemu's.
    let dir = scratch("no-qemu");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    for directory in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("qemu-") || bin.join(&name).exists() {
                continue;
            }
            let _ = std::os::unix::fs::symlink(entry.path(), bin.join(&name));
        }
    }
    let out = dir.join("out");
    let output = Command::new(BIN)
        .args(["build", "--target", "armv8", "--static-only", "--out"])
        .arg(&out)
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("compiled and linked but NOT run"),
        "{stderr}"
    );
    let smoke = &common::build_report(&out)["smoke_test"];
    assert_eq!(smoke["ran"], false, "{smoke}");
    assert_ne!(smoke["result"], "passed", "{smoke}");
    assert!(
        smoke["not_run_because"]
            .as_str()
            .unwrap()
            .contains("qemu-user"),
        "{smoke}"
    );
}

#[test]
fn targets_says_how_each_target_builds_and_runs_here() {
    let output = Command::new(BIN)
        .args(["targets", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let row = |name: &str| rows.iter().find(|r| r["name"] == name).unwrap().clone();
    let arm = row("ARMV8");
    let arm_ready = installed_triples()
        .lines()
        .any(|l| l.trim() == "aarch64-unknown-linux-gnu")
        && on_path("aarch64-linux-gnu-gcc");
    assert_eq!(arm["can_build"], arm_ready, "{arm}");
    assert_eq!(
        arm["run_with"].as_str(),
        on_path("qemu-aarch64").then_some("qemu-aarch64"),
        "{arm}"
    );
    let generic = row("GENERIC");
    assert_eq!(generic["run_with"], "native");
    let windows_ready = installed_triples()
        .lines()
        .any(|l| l.trim() == "x86_64-pc-windows-gnu")
        && on_path("x86_64-w64-mingw32-gcc");
    assert_eq!(generic["windows"]["triple"], "x86_64-pc-windows-gnu");
    assert_eq!(generic["windows"]["can_build"], windows_ready, "{generic}");
    assert_eq!(
        generic["windows"]["run_with"].as_str(),
        on_path("wine").then_some("wine"),
        "{generic}"
    );
}

/// `--interface64` (and so the `64_` suffix) on a Windows DLL: the .def lists the suffixed
/// names, and the DllMain glue calls the suffixed `blastool_quit64_`, so the lifecycle still
/// works when every export is renamed.
#[test]
fn an_ilp64_windows_dll_exports_suffixed_names_and_its_dllmain_calls_them() {
    static CELL: OnceLock<Option<PathBuf>> = OnceLock::new();
    let ready = rust_target("x86_64-pc-windows-gnu")
        && tool("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64")
        && tool("wine", "wine64");
    if !ready {
        return;
    }
    let Some(out) = built(
        &CELL,
        "windows-ilp64",
        &["--target", "GENERIC", "--os", "windows", "--interface64"],
    ) else {
        return;
    };
    let def = std::fs::read_to_string(out.join("lib/libblastool64_.def")).unwrap();
    for symbol in ["cblas_dgemm64_", "dgemm_64_", "blastool_quit64_"] {
        assert!(
            def.lines()
                .any(|l| l.split_whitespace().next() == Some(symbol)),
            "{symbol} not in the .def"
        );
    }
    assert!(!def
        .lines()
        .any(|l| l.split_whitespace().next() == Some("dgemm_")));
    let report = common::build_report(out);
    assert_eq!(report["smoke_test"]["result"], "passed");
    assert_eq!(report["smoke_test"]["calls"][1], "dgemm_64_");
    let disassembly = Command::new("x86_64-w64-mingw32-objdump")
        .args(["-d", "--disassemble=DllMain"])
        .arg(out.join("bin/libblastool64_.dll"))
        .output()
        .unwrap();
    let disassembly = text(&disassembly.stdout);
    assert!(disassembly.contains("<blastool_quit64_>"), "{disassembly}");
    for audited in blastool::audit::audit_file(&out.join("bin/libblastool64_.dll")) {
        assert!(audited.error.is_none(), "{:?}", audited.error);
        assert!(
            !audited
                .findings
                .iter()
                .any(|f| f.rule == "BLT001" || f.rule == "BLT002"),
            "{:?}",
            audited.findings
        );
    }
}

/// Our own DLL, loaded and unloaded 20 times under Wine with a BLAS call each time: it really
/// unloads, and no heap byte, page, thread or handle grows. One TLS index does: leakcheck counts
/// free `TlsAlloc` indexes, and every load of a Rust `cdylib` built for x86_64-pc-windows-gnu
/// keeps one under Wine 8 — a two-line `probe()` cdylib from the same toolchain does the same,
/// and so does our DLL without any call, so it comes from the Rust standard library's startup,
/// not from the kernels (README, `blastool leakcheck`). The test pins exactly that: any other growth,
/// or a second index per load, fails it. A Rust-built DLL imports bcryptprimitives.dll, which
/// Wine before 9.0 lacks: leakcheck then runs its loader beside a stand-in and says so.
#[test]
fn leakcheck_finds_our_windows_dll_unloads_and_keeps_only_rusts_tls_index() {
    let Some(out) = windows() else { return };
    let output = Command::new(BIN)
        .args(["leakcheck", "--cycles", "20", "--call", "blas", "--json"])
        .arg(out.join("bin/libblastool.dll"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).expect("leakcheck JSON");
    assert_eq!(report["unloaded"], true, "{report}");
    assert_eq!(report["call"], "blas", "{report}");
    assert!(
        report["runner"]
            .as_str()
            .is_some_and(|r| r.starts_with("wine") || r == "windows"),
        "{report}"
    );
    assert_eq!(report["heap_bytes_per_cycle"], 0.0, "{report}");
    assert_eq!(report["memory_kib_per_cycle"], 0.0, "{report}");
    assert_eq!(report["threads_per_cycle"], 0.0, "{report}");
    let tls = report["tls_keys_per_cycle"].as_f64().unwrap_or(f64::NAN);
    let grew: Vec<&str> = report["grew"]
        .as_array()
        .map(|all| all.iter().filter_map(|g| g.as_str()).collect())
        .unwrap_or_default();
    if report["runner"] == "windows" {
        // On Windows itself nothing is expected to grow.
        assert_eq!(report["verdict"], "clean", "{report}");
    } else {
        assert_eq!(tls, 1.0, "{report}");
        assert_eq!(grew, vec!["tls-keys"], "{report}");
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    }
}

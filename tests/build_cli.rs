//! `blastool build` end to end through the real CLI: GENERIC on disk and HASWELL on a RAM disk
//! (each built once and shared), the install layout, the smoke test, pkg-config and CMake
//! consumers, the no-op cache, and every bad input (exit 2, nothing half-written, the previous
//! output intact), including Ctrl-C mid-build.
//!
//! External tools (pkg-config, cmake): with `BLASTOOL_REQUIRE_TOOLS=1` a missing one fails the
//! test; otherwise it prints `SKIPPED: ...` and passes.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_blastool");

fn scratch(name: &str) -> PathBuf {
    common::scratch("build_cli", name)
}

fn blastool(args: &[&str]) -> Output {
    blastool_with_pid(args).0
}

/// Runs `blastool build ARGS` and also returns its process id, which names its staging
/// directory (`blastool-stage-<out>-<pid>`): the debris checks look for that one directory,
/// not for any name alike, which a concurrent or killed run elsewhere on the machine may own.
fn blastool_with_pid(args: &[&str]) -> (Output, u32) {
    let child = Command::new(BIN)
        .arg("build")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run blastool");
    let pid = child.id();
    (child.wait_with_output().expect("wait for blastool"), pid)
}

use common::text;

/// A build made once per test run: its output directory and the pid of the `blastool` that made it.
struct Built {
    out: PathBuf,
    pid: u32,
}

/// Builds `target` into a fresh directory once per test run.
fn built(cell: &'static OnceLock<Built>, target: &str, extra: &[&str]) -> &'static Built {
    cell.get_or_init(|| {
        let name = target.to_ascii_lowercase();
        let out = scratch(&name).join(format!("{name}-out"));
        let started = Instant::now();
        let mut args = vec![
            "--target",
            target,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        args.extend_from_slice(extra);
        let (output, pid) = blastool_with_pid(&args);
        assert!(
            output.status.success(),
            "build {target} failed: {}",
            text(&output.stderr)
        );
        let _ = writeln!(
            std::io::stderr(),
            "built {target} in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Built { out, pid }
    })
}

fn generic() -> &'static Path {
    static CELL: OnceLock<Built> = OnceLock::new();
    &built(&CELL, "GENERIC", &[]).out
}

fn haswell_ramdisk_build() -> &'static Built {
    static CELL: OnceLock<Built> = OnceLock::new();
    built(&CELL, "haswell", &["--ramdisk"])
}

fn haswell_ramdisk() -> &'static Path {
    &haswell_ramdisk_build().out
}

fn cpu_has_haswell() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// True if `program` runs; otherwise fails (CI) or prints a loud SKIPPED line.
fn have_tool(test: &str, program: &str, apt_package: &str) -> bool {
    common::require(
        common::tool_runs(program),
        &format!("{test}: {program}"),
        &format!("apt-get install {apt_package}"),
    )
}

/// Nothing `blastool build` leaves behind on failure: temp trees beside --out, RAM-disk stages.
fn debris(parent: &Path) -> Vec<String> {
    let mut found: Vec<String> = std::fs::read_dir(parent)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The RAM-disk staging directory the build with process id `pid` made for `out_name`, if it
/// is still there.
fn shm_debris(out_name: &str, pid: u32) -> Option<PathBuf> {
    let stage = Path::new("/dev/shm").join(format!("blastool-stage-{out_name}-{pid}"));
    stage.exists().then_some(stage)
}

#[test]
fn generic_has_the_make_install_layout() {
    let out = generic();
    for file in [
        "lib/libblastool.a",
        "lib/libblastool.so.0.1.0",
        "include/cblas.h",
        "include/f77blas.h",
        "lib/pkgconfig/blastool.pc",
        "lib/cmake/blastool/blastoolConfig.cmake",
        "lib/cmake/blastool/blastoolConfigVersion.cmake",
        "build-report.json",
    ] {
        assert!(out.join(file).is_file(), "{file} missing");
    }
    assert_eq!(
        std::fs::read_link(out.join("lib/libblastool.so")).unwrap(),
        Path::new("libblastool.so.0")
    );
    assert_eq!(
        std::fs::read_link(out.join("lib/libblastool.so.0")).unwrap(),
        Path::new("libblastool.so.0.1.0")
    );
    // The drop-in for the system BLAS (README: "Using it as the system BLAS").
    assert_eq!(
        std::fs::read_link(out.join("lib/libblas.so.3")).unwrap(),
        Path::new("libblastool.so.0")
    );
    let so = std::fs::read(out.join("lib/libblastool.so.0.1.0")).unwrap();
    assert!(
        so.windows(17).any(|w| w == b"libblastool.so.0\0"),
        "soname libblastool.so.0 not in the dynamic string table"
    );
    // Nothing from a template is left unrendered.
    let header = std::fs::read_to_string(out.join("include/cblas.h")).unwrap();
    assert!(!header.contains("@NAME@") && header.contains("cblas_dgemm"));
}

/// The installed headers, rendered from the kernels' interface table, declare exactly the
/// functions the library exports (the affixed and ILP64 builds: tests/build_interface.rs).
#[test]
fn generic_headers_declare_exactly_the_exports() {
    let out = generic();
    common::assert_headers_match_exports(out, &out.join("lib/libblastool.so"), "", "");
}

#[test]
fn generic_report_records_the_build() {
    let out = generic();
    let r = common::build_report(out);
    assert_eq!(r["target"], "GENERIC");
    assert_eq!(r["rustflags"][0], "-Ctarget-cpu=x86-64");
    assert_eq!(r["audit"]["verdict"], "clean");
    assert_eq!(r["smoke_test"]["result"], "passed");
    assert_eq!(r["smoke_test"]["runs"]["static"]["result"], "passed");
    assert_eq!(r["smoke_test"]["runs"]["shared"]["result"], "passed");
    assert!(r["toolchain"]["rustc"]
        .as_str()
        .unwrap()
        .starts_with("rustc "));
    for stage in ["compile_kernels", "smoke_test", "audit", "total"] {
        assert!(r["timings_seconds"][stage].is_number(), "{stage}");
    }
    assert_eq!(r["system_blas_link"], "lib/libblas.so.3");
    assert_eq!(r["symlinks"]["lib/libblas.so.3"], "libblastool.so.0");
    let hashes = r["artifacts_sha256"].as_object().unwrap();
    assert!(hashes.contains_key("lib/libblastool.a"));
    // The report's hashes are the installed files'.
    for (file, digest) in hashes {
        let bytes = std::fs::read(out.join(file)).unwrap();
        use sha2::Digest;
        let actual: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&actual, digest.as_str().unwrap(), "{file}");
    }
}

#[test]
fn second_build_is_a_noop() {
    let out = generic();
    let before = std::fs::metadata(out.join("build-report.json"))
        .unwrap()
        .modified()
        .unwrap();
    let output = blastool(&["--target", "generic", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("up to date"),
        "{}",
        text(&output.stderr)
    );
    let after = std::fs::metadata(out.join("build-report.json"))
        .unwrap()
        .modified()
        .unwrap();
    // How long it takes is a benchmark's business (`scripts/bench-build.sh`), not a test's: a
    // loaded runner made a time limit here fail for no fault of the code.
    assert_eq!(before, after, "the no-op rewrote the output");
}

#[test]
fn pkg_config_consumer_compiles_and_runs() {
    if !have_tool("pkg_config_consumer", "pkg-config", "pkg-config") {
        return;
    }
    let out = generic();
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "blastool"])
        .env("PKG_CONFIG_PATH", out.join("lib/pkgconfig"))
        .output()
        .unwrap();
    assert!(flags.status.success(), "{}", text(&flags.stderr));
    let flags = text(&flags.stdout);
    assert!(flags.contains("-lblastool"), "{flags}");
    let dir = scratch("pkg-config");
    let source = dir.join("consumer.c");
    std::fs::write(
        &source,
        "#include <cblas.h>\n#include <stdio.h>\nint main(void){double x[2]={3,4};\n\
         double n=cblas_dnrm2(2,x,1);printf(\"%g\\n\",n);return n==5.0?0:1;}\n",
    )
    .unwrap();
    let exe = dir.join("consumer");
    let compiled = Command::new("cc")
        .arg(&source)
        .arg("-o")
        .arg(&exe)
        .args(flags.split_whitespace())
        .output()
        .unwrap();
    assert!(compiled.status.success(), "{}", text(&compiled.stderr));
    let run = Command::new(&exe)
        .env("LD_LIBRARY_PATH", out.join("lib"))
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout).trim(), "5");
}

#[test]
fn cmake_find_package_consumer_builds() {
    if !have_tool("cmake_find_package", "cmake", "cmake") {
        return;
    }
    let out = generic();
    let dir = scratch("cmake");
    std::fs::write(
        dir.join("CMakeLists.txt"),
        "cmake_minimum_required(VERSION 3.10)\nproject(consumer C)\n\
         find_package(blastool 0.1 CONFIG REQUIRED)\nadd_executable(consumer main.c)\n\
         target_link_libraries(consumer PRIVATE blastool::blastool)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.c"),
        "#include <cblas.h>\nint main(void){double x[3]={1,2,3};\n\
         return cblas_ddot(3,x,1,x,1)==14.0?0:1;}\n",
    )
    .unwrap();
    let build = dir.join("build");
    let configure = Command::new("cmake")
        .arg("-S")
        .arg(&dir)
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", out.display()))
        .output()
        .unwrap();
    assert!(
        configure.status.success(),
        "{}{}",
        text(&configure.stdout),
        text(&configure.stderr)
    );
    let compile = Command::new("cmake")
        .arg("--build")
        .arg(&build)
        .output()
        .unwrap();
    assert!(
        compile.status.success(),
        "{}{}",
        text(&compile.stdout),
        text(&compile.stderr)
    );
    let run = Command::new(build.join("consumer")).output().unwrap();
    assert!(run.status.success(), "{}", text(&run.stderr));
}

#[test]
fn haswell_builds_on_a_ram_disk_and_runs_its_table() {
    if !cpu_has_haswell() {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: haswell_builds_on_a_ram_disk: this CPU lacks AVX2+FMA"
        );
        return;
    }
    let build = haswell_ramdisk_build();
    let out = build.out.as_path();
    let r = common::build_report(out);
    assert_eq!(r["target"], "HASWELL");
    assert_eq!(r["rustflags"][0], "-Ctarget-cpu=haswell");
    assert_eq!(r["smoke_test"]["runs"]["shared"]["core"], "HASWELL");
    assert_eq!(r["smoke_test"]["runs"]["static"]["core"], "HASWELL");
    if Path::new("/dev/shm").is_dir() {
        assert_eq!(r["ramdisk"]["used"], "/dev/shm", "{}", r["ramdisk"]);
    }
    assert_eq!(shm_debris("haswell-out", build.pid), None);
    assert!(debris(out.parent().unwrap()).is_empty());
}

#[test]
fn unknown_target_names_the_closest_match() {
    let dir = scratch("unknown");
    let out = dir.join("out");
    let output = blastool(&["--target", "skylakx", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("closest match: SKYLAKEX"), "{stderr}");
    assert!(stderr.contains("GENERIC"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(!out.exists());
    assert!(debris(&dir).is_empty());
}

#[test]
fn unwritable_out_is_rejected_cleanly() {
    let dir = scratch("unwritable");
    // A regular file as the parent: unwritable even for root.
    let blocker = dir.join("file");
    std::fs::write(&blocker, "x").unwrap();
    let out = blocker.join("out");
    let output = blastool(&["--target", "generic", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("--out"));
    assert_eq!(debris(&dir), Vec::<String>::new());
}

#[test]
fn a_foreign_directory_is_never_replaced() {
    let dir = scratch("foreign");
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("precious.txt"), "keep").unwrap();
    let output = blastool(&["--target", "generic", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not a blastool build output"));
    assert_eq!(
        std::fs::read_to_string(out.join("precious.txt")).unwrap(),
        "keep"
    );
}

#[test]
fn missing_c_compiler_fails_before_touching_the_output() {
    let out = generic();
    let before = std::fs::read(out.join("build-report.json")).unwrap();
    let output = Command::new(BIN)
        .args(["build", "--target", "generic", "--force", "--out"])
        .arg(out)
        .env("CC", "/nonexistent/bin/gcc")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("C compiler"));
    assert_eq!(
        std::fs::read(out.join("build-report.json")).unwrap(),
        before
    );
}

#[test]
fn a_disk_path_is_not_accepted_as_a_ram_disk() {
    let dir = scratch("not-ram");
    let out = dir.join("out");
    // CARGO_TARGET_TMPDIR lives on the build disk.
    let output = blastool(&[
        "--target",
        "generic",
        "--out",
        out.to_str().unwrap(),
        &format!("--ramdisk={}", dir.display()),
    ]);
    if Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(&dir)
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "tmpfs")
    {
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: a_disk_path_is_not_accepted: the target dir is on tmpfs"
        );
        return;
    }
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not RAM-backed"));
    assert!(!out.exists());
}

#[test]
fn inapplicable_options_are_rejected_not_ignored() {
    let dir = scratch("unsupported");
    let out = dir.join("out");
    for args in [
        vec!["--target", "haswell", "--dynamic-list", "HASWELL"],
        vec!["--target", "generic", "--name", "my-blas"],
        vec!["--target", "generic", "--jobs", "0"],
    ] {
        let mut full = vec!["--out", out.to_str().unwrap()];
        full.extend(args.iter());
        let output = blastool(&full);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(!out.exists());
    }
}

#[test]
fn ctrl_c_mid_build_leaves_no_debris_and_keeps_the_previous_output() {
    if !common::require(
        Path::new("/dev/shm").is_dir(),
        "ctrl_c_mid_build: /dev/shm (the RAM disk the interrupted build stages on)",
        "mount a tmpfs on /dev/shm",
    ) {
        return;
    }
    let dir = scratch("interrupt");
    let out = dir.join("interrupt-out");
    let first = blastool(&["--target", "generic", "--out", out.to_str().unwrap(), "-q"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = std::fs::read(out.join("build-report.json")).unwrap();
    let child = Command::new(BIN)
        .args([
            "build",
            "--target",
            "generic",
            "--force",
            "--ramdisk",
            "-q",
            "--out",
        ])
        .arg(&out)
        .spawn()
        .unwrap();
    // Long enough to be inside the kernel compilation (several seconds).
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
    }
    let child_pid = child.id();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        std::fs::read(out.join("build-report.json")).unwrap(),
        before
    );
    assert!(out.join("lib/libblastool.a").is_file());
    assert!(debris(&dir).is_empty(), "{:?}", debris(&dir));
    assert_eq!(shm_debris("interrupt-out", child_pid), None);
}

#[test]
fn targets_lists_every_name_with_build_and_run_columns() {
    let output = Command::new(BIN).arg("targets").output().unwrap();
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    for name in [
        "GENERIC",
        "SANDYBRIDGE",
        "HASWELL",
        "ZEN",
        "SKYLAKEX",
        "COOPERLAKE",
        "SAPPHIRERAPIDS",
        "DYNAMIC",
        "ARMV8",
        "NEOVERSEN1",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(name)),
            "{name}: {stdout}"
        );
    }
    assert!(stdout.contains("<- this CPU"));
}

/// Debian's 24 reference testers (kernels/run-testers.sh) against the installed GENERIC
/// library and the HASWELL one built on the RAM disk, each with its own table.
#[test]
fn reference_testers_pass_against_the_installed_libraries() {
    if !common::require(
        Path::new("/usr/lib/x86_64-linux-gnu/blas/xblat1d").exists(),
        "reference_testers: Debian's BLAS testers",
        "apt-get install libblas-test",
    ) {
        return;
    }
    let mut builds = vec![(generic(), "GENERIC")];
    if cpu_has_haswell() {
        builds.push((haswell_ramdisk(), "HASWELL"));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("kernels/run-testers.sh");
    for (out, core) in builds {
        let output = Command::new("bash")
            .arg(&script)
            .env("BLASTOOL_LIB", out.join("lib/libblastool.so.0.1.0"))
            .env("BLASTOOL_TESTER_CORES", core)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{core}: {}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
    }
}

/// The cache key covers the options: the same --out with --static-only rebuilds (OpenBLAS
/// #4581: a parameter change must never reuse stale output), and --json prints the new report.
/// A tampered artifact is not trusted either.
#[test]
fn changed_options_or_tampered_files_rebuild() {
    let dir = scratch("options");
    let out = dir.join("options-out");
    let out_arg = out.to_str().unwrap();
    let first = blastool(&["--target", "generic", "--out", out_arg, "-q"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let second = blastool(&[
        "--target",
        "generic",
        "--out",
        out_arg,
        "--static-only",
        "--json",
    ]);
    assert!(second.status.success(), "{}", text(&second.stderr));
    assert!(!text(&second.stderr).contains("up to date"));
    let printed: serde_json::Value = serde_json::from_slice(&second.stdout).expect("--json");
    assert_eq!(printed, common::build_report(&out));
    assert_eq!(printed["shared"], false);
    assert!(out.join("lib/libblastool.a").is_file());
    assert!(!out.join("lib/libblastool.so").exists());
    // No shared library, nothing to stand in for the system BLAS.
    assert!(std::fs::symlink_metadata(out.join("lib/libblas.so.3")).is_err());
    assert!(printed["system_blas_link"].is_null());

    // A deleted symlink is noticed too.
    let so_dir = dir.join("options-so");
    let so_arg = so_dir.to_str().unwrap();
    let built = blastool(&[
        "--target",
        "generic",
        "--out",
        so_arg,
        "--shared-only",
        "-q",
    ]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    assert!(!so_dir.join("lib/libblastool.a").exists());
    std::fs::remove_file(so_dir.join("lib/libblastool.so")).unwrap();
    let again = blastool(&["--target", "generic", "--out", so_arg, "--shared-only"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(!text(&again.stderr).contains("up to date"));
    assert!(so_dir.join("lib/libblastool.so").exists());

    std::fs::write(out.join("include/cblas.h"), "tampered").unwrap();
    let third = blastool(&["--target", "generic", "--out", out_arg, "--static-only"]);
    assert!(third.status.success(), "{}", text(&third.stderr));
    assert!(!text(&third.stderr).contains("up to date"));
    assert!(std::fs::read_to_string(out.join("include/cblas.h"))
        .unwrap()
        .contains("cblas_dgemm"));
    assert!(debris(&dir).is_empty(), "{:?}", debris(&dir));
}

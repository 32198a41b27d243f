//! `blastool build` when the disk or the RAM disk is too small, on real, tiny tmpfs mounts made
//! in a private mount namespace (`unshare --mount --map-root-user`, so no root is needed and
//! nothing outside the test sees them): a full `--out` filesystem is refused up front with a
//! one-line error (exit 2), the previous output stays intact and nothing is left behind; a RAM
//! disk without room falls back to disk with a warning and records why.
//!
//! With `BLASTOOL_REQUIRE_TOOLS=1` a machine where `unshare` cannot make a mount namespace fails
//! the test; otherwise it prints `SKIPPED: ...` and passes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_blastool");

fn scratch(name: &str) -> PathBuf {
    common::scratch("build_resources", name)
}

use common::text;

/// Runs `script` with a fresh `size` tmpfs mounted on `mount` (in a private mount namespace);
/// `$BLASTOOL` is the binary under test.
/// `$BLASTOOL` is the binary under test, `$MNT` the mount point, and `vars` more paths.
fn with_tmpfs(mount: &Path, size: &str, script: &str, vars: &[(&str, &Path)]) -> Output {
    let full = format!("mount -t tmpfs -o size={size} tmpfs \"$MNT\" && {script}");
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--map-root-user", "sh", "-c", &full])
        .env("BLASTOOL", BIN)
        .env("MNT", mount);
    for (name, path) in vars {
        command.env(name, path);
    }
    command.output().expect("run unshare")
}

fn can_make_mounts() -> bool {
    let dir = scratch("probe");
    let ok = with_tmpfs(&dir, "1m", "stat -f -c %T \"$MNT\" | grep -q tmpfs", &[])
        .status
        .success();
    common::require(
        ok,
        "build_resources: a private mount namespace (unshare --mount --map-root-user)",
        "apt-get install util-linux, and allow unprivileged user namespaces",
    )
}

#[test]
fn a_full_out_filesystem_is_refused_and_the_previous_output_survives() {
    if !can_make_mounts() {
        return;
    }
    let dir = scratch("full-out");
    let mount = dir.join("mnt");
    std::fs::create_dir_all(&mount).unwrap();
    // A previous good output (what a user would have there) is copied in first; the 40 MiB
    // filesystem then has far less room than a build needs.
    let previous = dir.join("previous");
    let built = Command::new(BIN)
        .args([
            "build",
            "--target",
            "generic",
            "--static-only",
            "--quiet",
            "--out",
        ])
        .arg(&previous)
        .output()
        .unwrap();
    assert!(built.status.success(), "{}", text(&built.stderr));
    let script = "cp -a \"$PREVIOUS\" \"$MNT/out\" \
        && before=$(sha256sum < \"$MNT/out/build-report.json\") \
        && cd \"$MNT\" && \"$BLASTOOL\" build --target generic --force --out \"$MNT/out\"; \
        echo \"status=$?\"; ls -A \"$MNT\"; \
        [ \"$(sha256sum < \"$MNT/out/build-report.json\")\" = \"$before\" ] && echo previous-intact";
    let output = with_tmpfs(&mount, "40m", script, &[("PREVIOUS", &previous)]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(stdout.contains("status=2"), "{stdout}{stderr}");
    assert!(
        stderr.contains("not enough free space in") && stderr.contains("choose another --out"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stdout.contains("previous-intact"), "{stdout}");
    // Only the previous output: no staging or half-assembled tree beside it.
    let listing: Vec<&str> = stdout
        .lines()
        .filter(|l| !l.starts_with("status=") && *l != "previous-intact")
        .collect();
    assert_eq!(listing, ["out"], "{stdout}");
}

#[test]
fn a_ram_disk_without_room_falls_back_to_disk_with_a_warning() {
    if !can_make_mounts() {
        return;
    }
    let dir = scratch("small-ramdisk");
    let mount = dir.join("ram");
    std::fs::create_dir_all(&mount).unwrap();
    let out = dir.join("out");
    let script =
        "\"$BLASTOOL\" build --target generic --static-only --out \"$OUT\" --ramdisk=\"$MNT\"; \
        echo \"status=$?\"; ls -A \"$MNT\"";
    let output = with_tmpfs(&mount, "8m", script, &[("OUT", &out)]);
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(stdout.contains("status=0"), "{stdout}{stderr}");
    assert!(
        stderr.contains("warning: not enough memory for a RAM-disk build")
            && stderr.contains("building on disk"),
        "{stderr}"
    );
    // The small RAM disk was not used at all, and the report says why.
    assert_eq!(stdout.trim(), "status=0", "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("build-report.json")).unwrap())
            .unwrap();
    assert_eq!(report["ramdisk"]["requested"], true);
    assert!(report["ramdisk"]["used"].is_null());
    assert!(report["ramdisk"]["fallback_reason"]
        .as_str()
        .unwrap()
        .contains("MiB free on"));
}

//! Where the build happens: the free-space check, the work tree that becomes the install (beside
//! `--out`), and the staging directory for sources and cargo's output (a verified RAM disk, or
//! disk beside `--out`). Both directories are `ScratchDir`s, removed when dropped or interrupted.

use super::plan::Plan;
use super::ramdisk::{self, ScratchDir};
use super::{fail, BuildArgs, Failure};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Refuses to start when the filesystem of `--out` cannot hold the build (see
/// `ramdisk::DISK_NEED_*`); the RAM-disk stage's own room is checked in `staging_dir`.
pub(super) fn check_free_space(args: &BuildArgs, plan: &Plan) -> Result<(), Failure> {
    let need = if args.ramdisk.is_some() {
        ramdisk::DISK_NEED_INSTALL
    } else {
        ramdisk::DISK_NEED_WITH_STAGE
    };
    match ramdisk::free_space(&plan.parent) {
        Some(free) if free < need => fail(format!(
            "not enough free space in {} to build ({} MiB free, about {} MiB needed); free some space or choose another --out",
            plan.parent.display(),
            free >> 20,
            need >> 20
        )),
        _ => Ok(()),
    }
}

/// The directory the install tree is assembled in. It lies beside the destination so the final
/// rename stays on one filesystem (rename(2) is atomic only there).
pub(super) fn work_dir(plan: &Plan) -> Result<ScratchDir, Failure> {
    ScratchDir::create(plan.parent.join(format!(
        ".{}.blastool-new-{}",
        plan.out_name,
        std::process::id()
    )))
    .or_else(|e| {
        fail(format!(
            "cannot write to {}: {e}; choose a writable --out",
            plan.parent.display()
        ))
    })
}

/// Picks and creates the staging directory: a verified RAM disk, or disk beside --out. Returns
/// it with the report's `ramdisk` entry.
pub(super) fn staging_dir(args: &BuildArgs, plan: &Plan) -> Result<(ScratchDir, Value), Failure> {
    let unique = format!(
        "{}{}-{}",
        ramdisk::STAGE_PREFIX,
        plan.out_name,
        std::process::id()
    );
    let on_disk = |reason: Option<String>| -> Result<(ScratchDir, Value), Failure> {
        let dir = ScratchDir::create(plan.parent.join(format!(".{unique}"))).or_else(|e| {
            fail(format!(
                "cannot write to {}: {e}; choose a writable --out",
                plan.parent.display()
            ))
        })?;
        Ok((
            dir,
            json!({"requested": args.ramdisk.is_some(), "used": Value::Null, "fallback_reason": reason}),
        ))
    };
    let Some(request) = &args.ramdisk else {
        return on_disk(None);
    };
    let base = match request {
        Some(path) => requested_ramdisk(path, args.quiet)?,
        None => match ramdisk::default_ramdisk() {
            Some(path) => path,
            None => {
                let reason = format!(
                    "no RAM-backed directory found: {}",
                    ramdisk::platform_hint()
                );
                eprintln!("warning: {reason}; building on disk");
                return on_disk(Some(reason));
            }
        },
    };
    // Leftovers of killed builds hold RAM until reboot: clear them before measuring the room.
    for stale in ramdisk::reap_stale_stages(&base) {
        if !args.quiet {
            eprintln!(
                "note: removed {}, left by a build that was killed before it could clean up",
                stale.display()
            );
        }
    }
    if let Some(reason) = ramdisk_too_small(&base, args.quiet) {
        eprintln!("warning: {reason}; building on disk");
        return on_disk(Some(reason));
    }
    let dir = ScratchDir::create(base.join(&unique)).or_else(|e| {
        fail(format!(
            "cannot create a directory in {}: {e}",
            base.display()
        ))
    })?;
    Ok((
        dir,
        json!({"requested": true, "used": base.display().to_string(), "fallback_reason": Value::Null}),
    ))
}

/// `--ramdisk=PATH`, checked: a directory that statfs reports as RAM-backed, or one whose
/// backing this system cannot tell (used as given, with a warning).
fn requested_ramdisk(path: &Path, quiet: bool) -> Result<PathBuf, Failure> {
    if !path.is_dir() {
        return fail(format!(
            "--ramdisk={}: not a directory; {}",
            path.display(),
            ramdisk::platform_hint()
        ));
    }
    match ramdisk::is_ram_backed(path) {
        Ok(Some(true)) => Ok(path.to_path_buf()),
        Ok(Some(false)) => fail(format!(
            "--ramdisk={}: not RAM-backed (statfs reports neither tmpfs nor ramfs); pass a tmpfs mount such as /dev/shm",
            path.display()
        )),
        Ok(None) => {
            if !quiet {
                eprintln!(
                    "warning: cannot verify that {} is RAM-backed on this system; using it as given",
                    path.display()
                );
            }
            Ok(path.to_path_buf())
        }
        Err(e) => fail(format!("--ramdisk={}: statfs failed: {e}", path.display())),
    }
}

/// Why the RAM disk at `base` cannot hold the build (memory or its free space is short), if it
/// cannot. An unknown amount of memory is trusted, with a warning.
fn ramdisk_too_small(base: &Path, quiet: bool) -> Option<String> {
    let memory = ramdisk::available_memory();
    let space = ramdisk::free_space(base);
    let short = |v: Option<u64>| v.is_some_and(|v| v < ramdisk::EXPECTED_NEED);
    if short(memory) || short(space) {
        return Some(format!(
            "not enough memory for a RAM-disk build ({} MiB available, {} MiB free on {}, {} MiB needed)",
            memory.map_or(-1, |m| (m >> 20) as i64),
            space.map_or(-1, |s| (s >> 20) as i64),
            base.display(),
            ramdisk::EXPECTED_NEED >> 20
        ));
    }
    if memory.is_none() && !quiet {
        eprintln!("warning: cannot read available memory; trusting the RAM disk to have room");
    }
    None
}

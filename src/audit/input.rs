//! Inputs from disk: expanding the command line's paths (directories recursively), refusing
//! what is not a regular file before anything reads it (a FIFO would block for ever), mapping
//! each file and handing it to the container walk or the binary audit.

use super::container::Limits;
use super::model::{FileReport, Format, Skipped};
use super::{audit_input, audit_input_from, Audit, Origin};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// One path found on the command line or while walking a directory.
#[derive(Debug)]
pub enum Found {
    /// A regular file to audit.
    File(PathBuf),
    /// A path that cannot be audited: it is reported as an error.
    Error(PathBuf, String),
    /// A directory entry that is not a regular file (FIFO, socket, device): counted as skipped.
    Skip(PathBuf, &'static str),
}

/// Expands the command line's paths: files as given, directories recursively (sorted, without
/// following symlinks inside them, so that `libfoo.so -> libfoo.so.1` is audited once).
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Found> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk_directory(path, &mut out),
            Ok(meta) if meta.is_file() => out.push(Found::File(path.clone())),
            Ok(meta) => out.push(Found::Error(
                path.clone(),
                format!(
                    "not a regular file ({}): not opened; audit the file it stands for instead",
                    special_kind(&meta.file_type())
                ),
            )),
            Err(error) => out.push(Found::Error(path.clone(), format!("cannot read: {error}"))),
        }
    }
    out
}

fn walk_directory(path: &Path, out: &mut Vec<Found>) {
    for entry in walkdir::WalkDir::new(path)
        .follow_links(false)
        .sort_by_file_name()
    {
        match entry {
            Ok(entry) if entry.file_type().is_file() => out.push(Found::File(entry.into_path())),
            Ok(entry) if is_special(&entry.file_type()) => {
                out.push(Found::Skip(entry.into_path(), "not a regular file"))
            }
            // Directories are walked; symlinks are skipped (their targets are audited).
            Ok(_) => {}
            Err(error) => {
                let at = error.path().unwrap_or(path).to_path_buf();
                out.push(Found::Error(at, format!("cannot read: {error}")));
            }
        }
    }
}

fn is_special(kind: &std::fs::FileType) -> bool {
    !(kind.is_file() || kind.is_dir() || kind.is_symlink())
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "not a file"
}

/// Opens a file without ever blocking: a FIFO swapped in after the check is opened
/// non-blocking and then refused by its type.
fn open_regular(path: &Path) -> Result<std::fs::File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options
        .open(path)
        .map_err(|error| format!("cannot read: {error}"))?;
    let meta = file
        .metadata()
        .map_err(|error| format!("cannot read: {error}"))?;
    if !meta.is_file() {
        return Err(format!(
            "not a regular file ({}): not read",
            special_kind(&meta.file_type())
        ));
    }
    Ok(file)
}

/// Reads (memory-maps) and audits one file from disk with the default limits; containers'
/// skipped members are dropped (see [`audit_file_with`]).
pub fn audit_file(path: &Path) -> Vec<FileReport> {
    audit_file_with(path, &Limits::default()).reports
}

/// Reads (memory-maps) and audits one file from disk: a binary, or a container walked within
/// `limits`.
pub fn audit_file_with(path: &Path, limits: &Limits) -> Audit {
    let display = path.display().to_string();
    let failed = |error: String| Audit {
        reports: vec![FileReport::failed(&display, None, Format::Unknown, error)],
        skipped: Vec::new(),
    };
    let file = match open_regular(path) {
        Ok(file) => file,
        Err(error) => return failed(error),
    };
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let origin = Origin {
        directory: path.parent(),
    };
    if length == 0 {
        return audit_input(&display, &[], origin, limits);
    }
    // SAFETY: the map is read-only and private; a file truncated underneath us by another
    // process could fault, the accepted trade-off of every mmap-based binary reader.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => audit_input_from(&display, &map, origin, limits, true),
        Err(_) => match std::fs::read(path) {
            Ok(bytes) => audit_input(&display, &bytes, origin, limits),
            Err(error) => failed(format!("cannot read: {error}")),
        },
    }
}

/// Audits every path (files and directories) in parallel with the default limits; reports
/// keep the input order.
pub fn audit_paths(
    paths: &[PathBuf],
    progress: Option<&indicatif::ProgressBar>,
) -> Vec<FileReport> {
    audit_paths_with(paths, &Limits::default(), progress).reports
}

/// Audits every path (files, directories, containers) in parallel; reports and skips keep
/// the input order.
pub fn audit_paths_with(
    paths: &[PathBuf],
    limits: &Limits,
    progress: Option<&indicatif::ProgressBar>,
) -> Audit {
    let found = expand_paths(paths);
    if let Some(bar) = progress {
        bar.set_length(found.len() as u64);
    }
    let audits: Vec<Audit> = found
        .par_iter()
        .map(|item| {
            let audit = match item {
                Found::File(path) => audit_file_with(path, limits),
                Found::Error(path, error) => Audit {
                    reports: vec![FileReport::failed(
                        &path.display().to_string(),
                        None,
                        Format::Unknown,
                        error.clone(),
                    )],
                    skipped: Vec::new(),
                },
                Found::Skip(path, reason) => Audit {
                    reports: Vec::new(),
                    skipped: vec![Skipped {
                        path: path.display().to_string(),
                        member: None,
                        reason: reason.to_string(),
                    }],
                },
            };
            if let Some(bar) = progress {
                bar.inc(1);
            }
            audit
        })
        .collect();
    let mut all = Audit::default();
    for audit in audits {
        all.reports.extend(audit.reports);
        all.skipped.extend(audit.skipped);
    }
    all
}

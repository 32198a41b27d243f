//! The audit engine: reads binaries, finds constructors and destructors, pairs them and judges
//! whether each constructor's work is undone when the library is unloaded.
//!
//! Entry points: [`audit_bytes`] for one file's contents (what the fuzzer drives) and
//! [`audit_paths`] for files and directories (memory-mapped, audited in parallel).

pub mod coff;
pub mod disasm;
pub mod elf;
pub mod judge;
pub mod model;
pub mod object_code;
pub mod pe;

use model::{FileReport, Format};
use object::elf::{FileHeader32, FileHeader64};
use object::{Endianness, FileKind};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Where archive members of a thin archive are found (their names are relative paths).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// The directory of the file being audited, if it came from disk.
    pub directory: Option<&'a Path>,
}

/// Audits one file's bytes. Archives yield one report per member; everything else one report.
pub fn audit_bytes(path: &str, data: &[u8], origin: Origin) -> Vec<FileReport> {
    audit_member(path, None, data, origin, true)
}

fn audit_member(
    path: &str,
    member: Option<String>,
    data: &[u8],
    origin: Origin,
    top_level: bool,
) -> Vec<FileReport> {
    // The readers parse headers in place and need 8-byte alignment; archive members sit at
    // 2-byte boundaries, so those get an aligned copy.
    let aligned;
    let data = if data.as_ptr().align_offset(8) == 0 {
        data
    } else {
        aligned = AlignedBytes::copy_of(data);
        aligned.as_slice()
    };
    // A panic is a bug in blastool, not in the input: report it as this file's error and keep
    // auditing the others.
    let result =
        std::panic::catch_unwind(|| audit_kind(path, member.clone(), data, origin, top_level));
    match result {
        Ok(reports) => reports,
        Err(_) => vec![FileReport::failed(
            path,
            member,
            Format::Unknown,
            "internal error while auditing this file (a blastool bug: please report it with the file)"
                .to_string(),
        )],
    }
}

/// A byte buffer whose start is 8-byte aligned.
struct AlignedBytes {
    words: Vec<u64>,
    len: usize,
}

impl AlignedBytes {
    fn copy_of(bytes: &[u8]) -> Self {
        let mut words = vec![0u64; bytes.len().div_ceil(8)];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut buffer = [0u8; 8];
            buffer[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_ne_bytes(buffer);
        }
        AlignedBytes {
            words,
            len: bytes.len(),
        }
    }

    fn as_slice(&self) -> &[u8] {
        // SAFETY: u8 has no alignment or validity requirements, and `len` never exceeds the
        // byte length of `words`.
        unsafe { std::slice::from_raw_parts(self.words.as_ptr().cast::<u8>(), self.len) }
    }
}

fn audit_kind(
    path: &str,
    member: Option<String>,
    data: &[u8],
    origin: Origin,
    top_level: bool,
) -> Vec<FileReport> {
    let kind = match FileKind::parse(data) {
        Ok(kind) => kind,
        Err(_) => {
            return vec![FileReport::not_audited(
                path,
                member,
                Format::Unknown,
                "not an ELF, COFF or PE file, nor a static archive",
            )]
        }
    };
    let judged = |result: Result<model::Inventory, String>, format: Format| match result {
        Ok(inventory) => judge::judge(inventory, path, member.clone()),
        Err(error) => FileReport::failed(path, member.clone(), format, error),
    };
    match kind {
        FileKind::Elf32 => vec![judged(
            elf::inventory::<FileHeader32<Endianness>>(data),
            Format::Elf,
        )],
        FileKind::Elf64 => vec![judged(
            elf::inventory::<FileHeader64<Endianness>>(data),
            Format::Elf,
        )],
        // rustc's split-debuginfo members of windows-gnu static libraries (`*.rcgu.dwo`) are
        // COFF headers with no section at all: nothing can run from them.
        FileKind::Coff if data.len() >= 20 && data[2..4] == [0, 0] => {
            let mut report = FileReport::not_audited(
                path,
                member,
                Format::Coff,
                "an empty COFF object (no sections): it holds no code",
            );
            report.audited = true;
            vec![report]
        }
        FileKind::Coff | FileKind::CoffBig => vec![judged(coff::inventory(data), Format::Coff)],
        FileKind::Pe32 => vec![judged(
            pe::inventory::<object::pe::ImageNtHeaders32>(data),
            Format::Pe,
        )],
        FileKind::Pe64 => vec![judged(
            pe::inventory::<object::pe::ImageNtHeaders64>(data),
            Format::Pe,
        )],
        FileKind::Archive if top_level => audit_archive(path, data, origin),
        FileKind::Archive => vec![FileReport::not_audited(
            path,
            member,
            Format::Archive,
            "an archive nested in an archive is not audited",
        )],
        FileKind::CoffImport => vec![FileReport::not_audited(
            path,
            member,
            Format::Coff,
            "short import member: it holds no code",
        )],
        other => vec![FileReport::not_audited(
            path,
            member,
            Format::Unknown,
            &format!("{other:?} files are not supported"),
        )],
    }
}

fn audit_archive(path: &str, data: &[u8], origin: Origin) -> Vec<FileReport> {
    let archive = match object::read::archive::ArchiveFile::parse(data) {
        Ok(archive) => archive,
        Err(error) => {
            return vec![FileReport::failed(
                path,
                None,
                Format::Archive,
                format!("not a valid archive: {error}"),
            )]
        }
    };
    let mut reports = Vec::new();
    for member in archive.members() {
        let member = match member {
            Ok(member) => member,
            Err(error) => {
                reports.push(FileReport::failed(
                    path,
                    None,
                    Format::Archive,
                    format!("archive member table is corrupt: {error}"),
                ));
                break;
            }
        };
        let name = String::from_utf8_lossy(member.name()).into_owned();
        if member.is_thin() {
            let location = origin
                .directory
                .map(|dir| dir.join(&name))
                .unwrap_or_else(|| PathBuf::from(&name));
            match std::fs::read(&location) {
                Ok(bytes) if is_short_import(&bytes) => {}
                Ok(bytes) => reports.extend(audit_member(path, Some(name), &bytes, origin, false)),
                Err(error) => reports.push(FileReport::failed(
                    path,
                    Some(name),
                    Format::Unknown,
                    format!(
                        "thin archive member {} cannot be read: {error}",
                        location.display()
                    ),
                )),
            }
            continue;
        }
        match member.data(data) {
            Ok(bytes) if is_short_import(bytes) => {}
            Ok(bytes) => reports.extend(audit_member(path, Some(name), bytes, origin, false)),
            Err(error) => reports.push(FileReport::failed(
                path,
                Some(name),
                Format::Unknown,
                format!("archive member data is out of bounds: {error}"),
            )),
        }
    }
    judge::pair_across_members(&mut reports);
    if reports.is_empty() {
        let mut report = FileReport::not_audited(
            path,
            None,
            Format::Archive,
            "the archive has no object members",
        );
        report.audited = true;
        reports.push(report);
    }
    reports
}

/// MSVC import libraries are full of short import members (no code, one per imported
/// function): they are skipped quietly.
fn is_short_import(bytes: &[u8]) -> bool {
    matches!(FileKind::parse(bytes), Ok(FileKind::CoffImport))
}

/// Expands the command line's paths: files as given, directories recursively (sorted, without
/// following symlinks inside them, so that `libfoo.so -> libfoo.so.1` is audited once).
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                for entry in walkdir::WalkDir::new(path)
                    .follow_links(false)
                    .sort_by_file_name()
                {
                    match entry {
                        Ok(entry) if entry.file_type().is_file() => out.push(Ok(entry.into_path())),
                        Ok(_) => {}
                        Err(error) => {
                            let at = error.path().unwrap_or(path).to_path_buf();
                            out.push(Err((at, error.to_string())));
                        }
                    }
                }
            }
            Ok(_) => out.push(Ok(path.clone())),
            Err(error) => out.push(Err((path.clone(), error.to_string()))),
        }
    }
    out
}

/// Reads (memory-maps) and audits one file from disk.
pub fn audit_file(path: &Path) -> Vec<FileReport> {
    let display = path.display().to_string();
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) => {
            return vec![FileReport::failed(
                &display,
                None,
                Format::Unknown,
                format!("cannot read: {error}"),
            )]
        }
    };
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let origin = Origin {
        directory: path.parent(),
    };
    if length == 0 {
        return audit_bytes(&display, &[], origin);
    }
    // SAFETY: the map is read-only and private; a file truncated underneath us by another
    // process could fault, the accepted trade-off of every mmap-based binary reader.
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(map) => audit_bytes(&display, &map, origin),
        Err(_) => match std::fs::read(path) {
            Ok(bytes) => audit_bytes(&display, &bytes, origin),
            Err(error) => vec![FileReport::failed(
                &display,
                None,
                Format::Unknown,
                format!("cannot read: {error}"),
            )],
        },
    }
}

/// Audits every path (files and directories) in parallel; reports keep the input order.
pub fn audit_paths(
    paths: &[PathBuf],
    progress: Option<&indicatif::ProgressBar>,
) -> Vec<FileReport> {
    let files = expand_paths(paths);
    if let Some(bar) = progress {
        bar.set_length(files.len() as u64);
    }
    files
        .par_iter()
        .map(|item| {
            let reports = match item {
                Ok(path) => audit_file(path),
                Err((path, error)) => vec![FileReport::failed(
                    &path.display().to_string(),
                    None,
                    Format::Unknown,
                    format!("cannot read: {error}"),
                )],
            };
            if let Some(bar) = progress {
                bar.inc(1);
            }
            reports
        })
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

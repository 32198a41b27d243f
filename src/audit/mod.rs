//! The audit engine: reads binaries, finds constructors and destructors, pairs them and judges
//! whether each constructor's work is undone when the library is unloaded.
//!
//! Entry points: [`audit_bytes`] for one binary's contents, [`audit_input`] for any input's
//! contents (containers too: what the fuzzer drives) and [`audit_paths`] /
//! [`audit_paths_with`] for files and directories (memory-mapped, audited in parallel).

pub mod coff;
pub mod container;
pub mod disasm;
pub mod elf;
mod input;
pub mod judge;
pub mod macho;
pub mod model;
pub mod object_code;
pub mod pe;

use container::Limits;
use model::{FileReport, Format, Skipped};
use object::elf::{FileHeader32, FileHeader64};
use object::{Endianness, FileKind};
use std::path::{Path, PathBuf};

pub use input::{audit_file, audit_file_with, audit_paths, audit_paths_with, expand_paths, Found};

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
        // The magic says ELF but not even the identification fits: a damaged file, not a
        // non-binary to pass over quietly.
        Err(_) if data.starts_with(b"\x7fELF") => {
            return vec![FileReport::failed(
                path,
                member,
                Format::Elf,
                format!(
                    "truncated ELF file: {} bytes, too short for an ELF header",
                    data.len()
                ),
            )]
        }
        Err(_) => {
            return vec![FileReport::not_audited(
                path,
                member,
                Format::Unknown,
                "not an ELF, COFF, PE or Mach-O file, nor a static archive",
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
        FileKind::Archive if top_level => audit_archive(path, member.as_deref(), data, origin),
        FileKind::Archive => vec![FileReport::not_audited(
            path,
            member,
            Format::Archive,
            "an archive nested in an archive is not audited",
        )],
        FileKind::MachO64 => vec![judged(macho::inventory(data), Format::Macho)],
        FileKind::MachO32 => vec![FileReport::not_audited(
            path,
            member,
            Format::Macho,
            "32-bit Mach-O (i386, armv7) is not audited",
        )],
        FileKind::MachOFat32 | FileKind::MachOFat64 if top_level => {
            audit_fat(path, member, data, origin)
        }
        // A slice is audited below the top level: a slice that is itself fat (possibly the
        // whole file again) would recurse without end.
        FileKind::MachOFat32 | FileKind::MachOFat64 => vec![FileReport::not_audited(
            path,
            member,
            Format::Macho,
            "a fat Mach-O file nested in a fat file or archive is not audited",
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

/// Audits a static archive's members, named `name` or, when the archive is itself a member of
/// a container, `container_member(name)`.
fn audit_archive(
    path: &str,
    container_member: Option<&str>,
    data: &[u8],
    origin: Origin,
) -> Vec<FileReport> {
    let archive_member = || container_member.map(str::to_string);
    let archive = match object::read::archive::ArchiveFile::parse(data) {
        Ok(archive) => archive,
        Err(error) => {
            return vec![FileReport::failed(
                path,
                archive_member(),
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
                    archive_member(),
                    Format::Archive,
                    format!("archive member table is corrupt: {error}"),
                ));
                break;
            }
        };
        let name = String::from_utf8_lossy(member.name()).into_owned();
        let name = match container_member {
            Some(archive) => format!("{archive}({name})"),
            None => name,
        };
        if member.is_thin() && container_member.is_some() {
            // Its members are files beside the archive, which a container does not have.
            reports.push(FileReport::failed(
                path,
                Some(name),
                Format::Archive,
                "a thin archive inside a container: its members are not in the container"
                    .to_string(),
            ));
            continue;
        }
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
            archive_member(),
            Format::Archive,
            "the archive has no object members",
        );
        report.audited = true;
        reports.push(report);
    }
    reports
}

/// Audits each slice of a fat/universal Mach-O file, named `arm64`, `x86_64`, ... (or
/// `member(arm64)` inside a container).
fn audit_fat(path: &str, member: Option<String>, data: &[u8], origin: Origin) -> Vec<FileReport> {
    match macho::slices(data) {
        Ok(slices) => slices
            .into_iter()
            .flat_map(|(arch, bytes)| {
                let name = match &member {
                    Some(member) => format!("{member}({arch})"),
                    None => arch,
                };
                audit_member(path, Some(name), bytes, origin, false)
            })
            .collect(),
        // 0xcafebabe with a large count is a Java class file (its version), not a fat file.
        Err(_)
            if data.len() >= 8
                && u32::from_be_bytes([data[4], data[5], data[6], data[7]]) >= 45 =>
        {
            vec![FileReport::not_audited(
                path,
                member,
                Format::Unknown,
                "not an ELF, COFF, PE or Mach-O file (0xcafebabe: a Java class file)",
            )]
        }
        Err(error) => vec![FileReport::failed(path, member, Format::Macho, error)],
    }
}

/// MSVC import libraries are full of short import members (no code, one per imported
/// function): they are skipped quietly.
fn is_short_import(bytes: &[u8]) -> bool {
    matches!(FileKind::parse(bytes), Ok(FileKind::CoffImport))
}

/// Audits a binary found inside a container: exactly as the same file on disk, except that a
/// static archive's members are named `member(name)`.
pub(crate) fn audit_container_member(path: &str, member: String, data: &[u8]) -> Vec<FileReport> {
    audit_member(path, Some(member), data, Origin { directory: None }, true)
}

/// What auditing some inputs produced: a report per binary (or error), and the container
/// members and directory entries that were skipped because they are not binaries.
#[derive(Debug, Default)]
pub struct Audit {
    pub reports: Vec<FileReport>,
    pub skipped: Vec<Skipped>,
}

/// Audits one input's contents, whatever it is: a container (zip, tarball, compressed file)
/// is walked within `limits`, anything else is audited as [`audit_bytes`] does.
pub fn audit_input(path: &str, data: &[u8], origin: Origin, limits: &Limits) -> Audit {
    audit_input_from(path, data, origin, limits, false)
}

/// [`audit_input`] for bytes that are a read-only file mapping (`mapped`): the container walk
/// may then hand back their pages once read.
pub(crate) fn audit_input_from(
    path: &str,
    data: &[u8],
    origin: Origin,
    limits: &Limits,
    mapped: bool,
) -> Audit {
    match container::Kind::sniff(data) {
        Some(kind) => {
            let walker = container::Walker::new(path, limits);
            if mapped {
                walker.mapped.register(data);
            }
            let outcome = walker.walk(kind, data, None, 1);
            Audit {
                reports: outcome.reports,
                skipped: outcome.skipped,
            }
        }
        None => Audit {
            reports: audit_bytes(path, data, origin),
            skipped: Vec::new(),
        },
    }
}

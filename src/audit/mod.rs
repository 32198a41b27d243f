//! The audit engine: reads binaries, finds constructors and destructors, pairs them and judges
//! whether each constructor's work is undone when the library is unloaded.
//!
//! The stages, in the order a file goes through them:
//! - input layer: `input` (paths, directories, memory maps), `container` (wheels, tarballs,
//!   compressed files), `archive` (static archives' members); this module sniffs each binary;
//! - `read`: one reader per format (ELF, COFF, PE) produces the common `model::Inventory`;
//! - `walk`: the code walk the readers call for every entry target (x86, x86-64, AArch64
//!   disassembly in images, relocations in objects);
//! - `judge`: runtime rules, pairing and findings turn the inventory into a `model::FileReport`.
//!
//! Entry points: [`audit_bytes`] for one binary's contents, [`audit_input`] for any input's
//! contents (containers too: what the fuzzer drives) and [`audit_paths`] /
//! [`audit_paths_with`] for files and directories (memory-mapped, audited in parallel).

mod archive;
pub mod container;
mod input;
pub mod judge;
pub mod model;
pub mod read;
pub mod walk;

use container::Limits;
use model::{FileReport, Format, Skipped};
use object::FileKind;
use std::path::Path;

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
    match kind {
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
        FileKind::Archive if top_level => {
            archive::audit_archive(path, member.as_deref(), data, origin)
        }
        FileKind::Archive => vec![FileReport::not_audited(
            path,
            member,
            Format::Archive,
            "an archive nested in an archive is not audited",
        )],
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
        other => match read::inventory(other, data) {
            Some((_, Ok(inventory))) => vec![judge::judge(inventory, path, member)],
            Some((format, Err(error))) => vec![FileReport::failed(path, member, format, error)],
            None => vec![FileReport::not_audited(
                path,
                member,
                Format::Unknown,
                &format!("{other:?} files are not supported"),
            )],
        },
    }
}

/// Audits each slice of a fat/universal Mach-O file, named `arm64`, `x86_64`, ... (or
/// `member(arm64)` inside a container).
fn audit_fat(path: &str, member: Option<String>, data: &[u8], origin: Origin) -> Vec<FileReport> {
    match read::macho::slices(data) {
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

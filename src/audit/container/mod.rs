//! Containers read in place: wheels and other zips (`.whl`, `.jar`, `.nupkg`, `.vsix`, `.apk`,
//! `.aar`, `.conda`), tarballs (`.tar`, npm `.tgz`, conda `.tar.bz2`, `.tar.xz`, `.tar.zst`)
//! and single compressed files, recognised by their magic bytes, never by their name.
//!
//! This module owns the walk: which members are binaries (audited exactly as the same file on
//! disk would be), which are skipped and why, how nested containers are named (levels joined
//! with `!`, e.g. `pkg-1.0.tar.zst!lib/libfoo.so`; a static archive's members keep the
//! `archive(member)` form, `lib/libfoo.a(foo.o)`), and the limits that turn a decompression
//! bomb into an error for one member. Nothing is extracted to disk except members too large to
//! hold in memory, which go to unlinked temporary files (see [`store`]).
//!
//! Crates (all maintained, read-only use): `zip` (deflate through `flate2`'s pure-Rust
//! `zlib-rs` backend, as fast as zlib-ng; bzip2 and zstd members too), `tar`, `flate2`,
//! `bzip2` (pure Rust since 0.5, no C), `liblzma` (the maintained fork of `xz2`; builds the
//! reference xz C library statically, since the pure-Rust decoders are slower and less used)
//! and `zstd` (bindings to the reference C library, vendored and built with `cc`; conda's
//! packages are written by it, and the pure-Rust `ruzstd` decodes several times slower).

pub mod store;
mod tarball;
mod zipfile;

use crate::audit::model::{FileReport, Format, Skipped};
use std::sync::atomic::AtomicU64;

/// Limits on what one input may make blastool read. The defaults let real packages through
/// (wheels carry 1.5 GB `.so` files; a CUDA wheel unpacks to a few GB) and stop bombs early.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// A member larger than this (decompressed) is refused.
    pub max_member_size: u64,
    /// All bytes decompressed from one input, every level and skipped members included.
    pub max_total_size: u64,
    /// A member may expand to at most this many times its compressed size (checked once it
    /// passes [`store::RATIO_FLOOR`]).
    pub max_ratio: u64,
    /// Containers nested deeper than this are not opened (the input itself is level 1).
    pub max_depth: u32,
    /// Members larger than this are streamed to a temporary file and memory-mapped.
    pub max_in_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_member_size: 4 << 30,
            max_total_size: 16 << 30,
            max_ratio: 100,
            max_depth: 4,
            max_in_memory: 256 << 20,
        }
    }
}

/// Which limit stopped a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    MemberSize,
    Total,
    Ratio,
}

/// Carries a [`LimitHit`] through the `io::Error`s of the decompressors and the tar reader.
#[derive(Debug)]
struct LimitError(LimitHit);

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "limit reached: {:?}", self.0)
    }
}

impl std::error::Error for LimitError {}

impl LimitHit {
    fn into_io(self) -> std::io::Error {
        std::io::Error::other(LimitError(self))
    }

    /// Finds a limit hit anywhere in an error's chain (the tar crate wraps read errors).
    fn from_io(error: &std::io::Error) -> Option<LimitHit> {
        let mut current: Option<&(dyn std::error::Error + 'static)> =
            error.get_ref().map(|e| e as _);
        while let Some(error) = current {
            if let Some(hit) = error.downcast_ref::<LimitError>() {
                return Some(hit.0);
            }
            if let Some(inner) = error.downcast_ref::<std::io::Error>() {
                if let Some(hit) = LimitHit::from_io(inner) {
                    return Some(hit);
                }
            }
            current = error.source();
        }
        None
    }

    fn message(self, limits: &Limits) -> String {
        match self {
            LimitHit::MemberSize => format!(
                "refused: larger than {} once decompressed (--max-member-size raises the limit)",
                human(limits.max_member_size)
            ),
            LimitHit::Ratio => format!(
                "refused: expands more than {}x its compressed size, as a decompression bomb does \
                 (--max-ratio raises the limit)",
                limits.max_ratio
            ),
            LimitHit::Total => format!(
                "refused: the input decompresses to more than {} in all; the rest of this \
                 container was not read (--max-total-size raises the limit)",
                human(limits.max_total_size)
            ),
        }
    }
}

/// Sizes as people write them: `256 MiB`, `4 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut unit = 0;
    let mut value = bytes;
    while unit + 1 < UNITS.len() && value >= 1024 && value % 1024 == 0 {
        value /= 1024;
        unit += 1;
    }
    format!("{value} {}", UNITS[unit])
}

/// The container formats, as told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    Tar,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Kind {
    /// Recognises a container from its first bytes (at least 262 for a tarball).
    pub fn sniff(head: &[u8]) -> Option<Kind> {
        match head {
            [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Some(Kind::Zip),
            [0x1f, 0x8b, ..] => Some(Kind::Gzip),
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Kind::Bzip2),
            [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Some(Kind::Xz),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Kind::Zstd),
            _ if is_tar(head) => Some(Kind::Tar),
            _ => None,
        }
    }

    /// The suffixes a single compressed file carries, stripped to name what is inside.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Gzip => &[".gz", ".z"],
            Kind::Bzip2 => &[".bz2"],
            Kind::Xz => &[".xz"],
            Kind::Zstd => &[".zst", ".zstd"],
            Kind::Zip | Kind::Tar => &[],
        }
    }
}

/// POSIX and GNU tar headers carry `ustar` at offset 257 (pre-POSIX v7 tarballs, which have no
/// magic at all, are not recognised).
fn is_tar(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// What a member is, from its first bytes.
enum Class {
    /// ELF, PE, COFF or a static archive: read whole and audited.
    Binary,
    Container(Kind),
    Skip(&'static str),
}

/// How many bytes decide a member's class.
const SNIFF_BYTES: usize = 4096;

fn classify(head: &[u8]) -> Class {
    if head.is_empty() {
        return Class::Skip("empty file");
    }
    if let Some(kind) = Kind::sniff(head) {
        return Class::Container(kind);
    }
    // Fat Mach-O shares 0xcafebabe with Java class files; a class file's version there is
    // at least 45, a fat header's architecture count is small.
    if let [0xca, 0xfe, 0xba, 0xbe, a, b, c, d, ..] = head {
        return if u32::from_be_bytes([*a, *b, *c, *d]) < 45 {
            Class::Binary
        } else {
            Class::Skip("not a binary")
        };
    }
    // A short or damaged ELF/PE/Mach-O header is still a binary: auditing it reports the damage.
    if head.starts_with(b"\x7fELF")
        || head.starts_with(b"MZ")
        || object::FileKind::parse(head).is_ok()
    {
        return Class::Binary;
    }
    match head {
        [0xfe, 0xed, 0xfa, 0xce | 0xcf, ..] | [0xce | 0xcf, 0xfa, 0xed, 0xfe, ..] => Class::Binary,
        _ => Class::Skip("not a binary"),
    }
}

/// What walking a container produced: reports for its binaries (and its errors), and the
/// members it skipped.
#[derive(Debug, Default)]
pub struct Outcome {
    pub reports: Vec<FileReport>,
    pub skipped: Vec<Skipped>,
}

impl Outcome {
    fn of_reports(reports: Vec<FileReport>) -> Self {
        Outcome {
            reports,
            skipped: Vec::new(),
        }
    }

    fn merge(&mut self, other: Outcome) {
        self.reports.extend(other.reports);
        self.skipped.extend(other.skipped);
    }
}

/// One input being walked: its name as given, its limits and what it has decompressed so far.
pub struct Walker<'a> {
    pub path: &'a str,
    pub limits: &'a Limits,
    pub total: AtomicU64,
    /// File-backed maps whose pages are handed back once read.
    pub mapped: store::Mapped,
}

impl<'a> Walker<'a> {
    pub fn new(path: &'a str, limits: &'a Limits) -> Self {
        Walker {
            path,
            limits,
            total: AtomicU64::new(0),
            mapped: store::Mapped::default(),
        }
    }

    fn failed(&self, member: Option<&str>, error: String) -> FileReport {
        FileReport::failed(
            self.path,
            member.map(str::to_string),
            Format::Unknown,
            error,
        )
    }

    fn skipped(&self, member: String, reason: &'static str) -> Outcome {
        Outcome {
            reports: Vec::new(),
            skipped: vec![Skipped {
                path: self.path.to_string(),
                member: Some(member),
                reason: reason.to_string(),
            }],
        }
    }

    /// Walks a container whose bytes are `data`; `name` is its member path (None for the input
    /// itself) and `depth` its nesting level (1 for the input).
    pub fn walk(&self, kind: Kind, data: &[u8], name: Option<&str>, depth: u32) -> Outcome {
        match kind {
            Kind::Zip => zipfile::walk(self, data, name, depth),
            Kind::Tar => tarball::walk_plain(self, data, name, depth),
            Kind::Gzip | Kind::Bzip2 | Kind::Xz | Kind::Zstd => {
                tarball::walk_stream(self, kind, data, name, depth)
            }
        }
    }

    /// Audits one member held whole: a binary, a nested container, or a skip.
    fn member(&self, name: String, data: &[u8], depth: u32) -> Outcome {
        if data.len() as u64 > self.limits.max_member_size {
            let error = LimitHit::MemberSize.message(self.limits);
            return Outcome::of_reports(vec![self.failed(Some(&name), error)]);
        }
        match classify(&data[..data.len().min(SNIFF_BYTES)]) {
            Class::Binary => {
                Outcome::of_reports(super::audit_container_member(self.path, name, data))
            }
            Class::Container(_) if depth >= self.limits.max_depth => {
                let error = format!(
                    "not opened: containers nested more than {} deep (--max-depth raises the limit)",
                    self.limits.max_depth
                );
                Outcome::of_reports(vec![self.failed(Some(&name), error)])
            }
            Class::Container(kind) => self.walk(kind, data, Some(&name), depth + 1),
            Class::Skip(reason) => self.skipped(name, reason),
        }
    }
}

/// A member's path: nested container levels joined with `!`.
fn join(container: Option<&str>, name: &str) -> String {
    match container {
        Some(container) => format!("{container}!{name}"),
        None => name.to_string(),
    }
}

/// Reads a member from a stream (a compressed zip entry, a tar entry) and audits it: only its
/// first bytes when they show it is not a binary. `compressed` feeds the ratio limit.
fn stream_member(
    walker: &Walker,
    name: String,
    reader: &mut dyn std::io::Read,
    expected: Option<u64>,
    compressed: Option<&dyn Fn() -> u64>,
    depth: u32,
) -> Result<Streamed, (Box<FileReport>, bool)> {
    let stop = |error: store::ReadFailure, name: &str| match error {
        store::ReadFailure::Limit(hit) => (
            Box::new(walker.failed(Some(name), hit.message(walker.limits))),
            hit == LimitHit::Total,
        ),
        store::ReadFailure::Io(error) => (
            Box::new(walker.failed(Some(name), format!("cannot read this member: {error}"))),
            true,
        ),
    };
    let head = store::read_prefix(reader, SNIFF_BYTES).map_err(|e| stop(e.into(), &name))?;
    if let Class::Skip(reason) = classify(&head) {
        return Ok(Streamed::Done(walker.skipped(name, reason)));
    }
    match store::read_member(&head, reader, expected, compressed, walker.limits) {
        Ok(blob) => Ok(Streamed::Whole(name, blob, depth)),
        Err(error) => Err(stop(error, &name)),
    }
}

/// A member read from a stream: already settled, or held whole for auditing.
enum Streamed {
    Done(Outcome),
    Whole(String, store::Blob<'static>, u32),
}

impl Streamed {
    fn audit(self, walker: &Walker) -> Outcome {
        match self {
            Streamed::Done(outcome) => outcome,
            Streamed::Whole(name, blob, depth) => {
                let spilled = matches!(blob, store::Blob::Mapped(_));
                if spilled {
                    walker.mapped.register(&blob);
                }
                let outcome = walker.member(name, &blob, depth);
                if spilled {
                    walker.mapped.unregister(&blob);
                }
                outcome
            }
        }
    }
}

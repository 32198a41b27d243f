//! Tarballs (plain, gzip, bzip2, xz, zstd) and single compressed files. A compressed stream is
//! read once, front to back: each member that may be a binary is read whole and handed to a
//! parallel task while the stream moves on to the next member; the others are only sniffed and
//! skipped. A plain tarball held in memory (or mapped) lends its members in place.

use super::store::{self, DecoderSlot, Metered, SliceReader};
use super::{join, stream_member, Kind, Outcome, Streamed, Walker};
use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// xz and zstd decoders may not allocate more than this for their window / dictionary: real
/// packages use a few MiB (conda's zstd level 19: 8 MiB), a hostile header asks for GiB.
const DECODER_MEMORY: u64 = 128 << 20;
const ZSTD_WINDOW_LOG_MAX: u32 = 27;

/// An uncompressed tarball whose bytes are all here: members are borrowed, never copied.
pub fn walk_plain(walker: &Walker, data: &[u8], name: Option<&str>, depth: u32) -> Outcome {
    walk_tar(walker, Cursor::new(data), Some(data), None, name, depth)
}

/// A compressed stream: a tarball inside, or else a single compressed file.
pub fn walk_stream(
    walker: &Walker,
    kind: Kind,
    data: &[u8],
    name: Option<&str>,
    depth: u32,
) -> Outcome {
    let slot = matches!(kind, Kind::Xz | Kind::Zstd).then(DecoderSlot::acquire);
    let count = Arc::new(AtomicU64::new(0));
    let counted = SliceReader {
        data,
        position: 0,
        released: 0,
        count: Arc::clone(&count),
        mapped: &walker.mapped,
    };
    let decoder = match decoder(kind, counted) {
        Ok(decoder) => decoder,
        Err(error) => {
            let error = format!("cannot start the {kind:?} decoder: {error}");
            return Outcome::of_reports(vec![walker.failed(name, error)]);
        }
    };
    let mut stream = Metered {
        inner: decoder,
        total: &walker.total,
        limit: walker.limits.max_total_size,
    };
    let head = match store::read_prefix(&mut stream, 512) {
        Ok(head) => head,
        Err(error) => {
            let error = format!("not a readable {kind:?} stream: {error}");
            return Outcome::of_reports(vec![walker.failed(name, error)]);
        }
    };
    if super::is_tar(&head) {
        let reader = Cursor::new(head).chain(stream);
        return walk_tar(walker, reader, None, Some((count, slot)), name, depth);
    }
    // One compressed file: it is named after the stream, less its suffix.
    let inner = inner_name(walker.path, name, kind);
    let member = join(name, &inner);
    let compressed = {
        let count = Arc::clone(&count);
        move || count.load(Ordering::Relaxed)
    };
    let mut reader = Cursor::new(head).chain(stream);
    let result = stream_member(walker, member, &mut reader, None, Some(&compressed), depth);
    // The decoder's window goes back before the member is audited.
    drop(reader);
    drop(slot);
    match result {
        Ok(streamed) => streamed.audit(walker),
        Err((report, _)) => Outcome::of_reports(vec![*report]),
    }
}

fn decoder<'d>(kind: Kind, input: SliceReader<'d, 'd>) -> std::io::Result<Box<dyn Read + 'd>> {
    Ok(match kind {
        // The multi-member decoders: `cat a.gz b.gz` and pbzip2 output are valid streams.
        Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(input)),
        Kind::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(input)),
        Kind::Xz => {
            let stream = liblzma::stream::Stream::new_stream_decoder(
                DECODER_MEMORY,
                liblzma::stream::CONCATENATED,
            )
            .map_err(std::io::Error::other)?;
            Box::new(liblzma::read::XzDecoder::new_stream(input, stream))
        }
        Kind::Zstd => {
            let mut decoder = zstd::stream::read::Decoder::new(input)?;
            decoder.window_log_max(ZSTD_WINDOW_LOG_MAX)?;
            Box::new(decoder)
        }
        Kind::Zip | Kind::Tar => {
            return Err(std::io::Error::other("not a compressed stream"));
        }
    })
}

/// `libfoo.so.gz` holds `libfoo.so`; `.tgz` is `.tar.gz`.
fn inner_name(path: &str, name: Option<&str>, kind: Kind) -> String {
    let outer = name.unwrap_or(path);
    let outer = outer.rsplit(['!', '/', '\\']).next().unwrap_or(outer);
    let lower = outer.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix(".tgz") {
        return format!("{}.tar", &outer[..stem.len()]);
    }
    for suffix in kind.suffixes() {
        if lower.ends_with(suffix) && lower.len() > suffix.len() {
            return outer[..outer.len() - suffix.len()].to_string();
        }
    }
    format!("{outer}.decompressed")
}

/// The compressed side's byte count (for the ratio limit) and the decoder slot, when the tar
/// stream is decompressed.
type StreamState = (Arc<AtomicU64>, Option<DecoderSlot>);

/// Reads a tarball front to back; members that are binaries are audited in parallel tasks.
/// `plain` is the whole tarball when it is uncompressed and in memory (members are borrowed).
fn walk_tar<R: Read>(
    walker: &Walker,
    reader: R,
    plain: Option<&[u8]>,
    stream: Option<StreamState>,
    name: Option<&str>,
    depth: u32,
) -> Outcome {
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let push = |index: usize, outcome: Outcome| {
        results
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((index, outcome));
    };
    rayon::in_place_scope(|scope| {
        let (count, slot) = match stream {
            Some((count, slot)) => (Some(count), slot),
            None => (None, None),
        };
        let mut archive = tar::Archive::new(reader);
        let entries = match archive.entries() {
            Ok(entries) => entries,
            Err(error) => {
                let error = format!("not a readable tarball: {error}");
                push(0, Outcome::of_reports(vec![walker.failed(name, error)]));
                return;
            }
        };
        for (index, entry) in entries.enumerate() {
            let step = match entry {
                Ok(mut entry) => {
                    let at = Entry {
                        plain,
                        count: count.as_ref(),
                        name,
                        depth,
                    };
                    at.step(walker, &mut entry)
                }
                Err(error) => {
                    let error = stop_message(walker, &error);
                    Step::Stop(Outcome::of_reports(vec![walker.failed(name, error)]))
                }
            };
            let push = &push;
            match step {
                Step::Ignore => {}
                Step::Done(outcome) => push(index, outcome),
                Step::Stop(outcome) => {
                    push(index, outcome);
                    break;
                }
                Step::Borrowed(member, bytes) => scope.spawn(move |_| {
                    push(index, walker.member(member, bytes, depth));
                    walker.mapped.release(bytes);
                }),
                Step::Read(streamed) => scope.spawn(move |_| push(index, streamed.audit(walker))),
            }
        }
        // The decoder and its window are released before waiting for the audits, so a nested
        // stream in one of them can take the slot.
        drop(archive);
        drop(slot);
    });
    let mut results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    results.sort_by_key(|(index, _)| *index);
    let mut outcome = Outcome::default();
    for (_, each) in results {
        outcome.merge(each);
    }
    outcome
}

/// What to do with one tar entry.
enum Step<'d> {
    /// Not a file (directory, link, metadata).
    Ignore,
    /// Settled already: skipped, or an error for this member only.
    Done(Outcome),
    /// An error after which the stream cannot be read further.
    Stop(Outcome),
    /// A member of an uncompressed tarball in memory: audited in place.
    Borrowed(String, &'d [u8]),
    /// A member read whole from the stream.
    Read(Streamed),
}

/// Where the entries of one tarball come from.
struct Entry<'d, 'c, 'n> {
    plain: Option<&'d [u8]>,
    count: Option<&'c Arc<AtomicU64>>,
    name: Option<&'n str>,
    depth: u32,
}

impl<'d> Entry<'d, '_, '_> {
    fn step<R: Read>(&self, walker: &Walker, entry: &mut tar::Entry<R>) -> Step<'d> {
        let kind = entry.header().entry_type();
        // Directories, links and metadata entries hold no file of their own; the tar reader
        // fills a GNU sparse file's holes itself.
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            return Step::Ignore;
        }
        let member = join(self.name, &String::from_utf8_lossy(&entry.path_bytes()));
        let size = entry.size();
        if size > walker.limits.max_member_size {
            // The tar reader skips the data itself (charged to the total).
            let error = super::LimitHit::MemberSize.message(walker.limits);
            return Step::Done(Outcome::of_reports(vec![
                walker.failed(Some(&member), error)
            ]));
        }
        if let Some(data) = self.plain.filter(|_| !kind.is_gnu_sparse()) {
            let start = entry.raw_file_position() as usize;
            if let Some(bytes) = data.get(start..start.saturating_add(size as usize)) {
                return Step::Borrowed(member, bytes);
            }
        }
        let compressed = self.count.map(|count| {
            let (count, start) = (Arc::clone(count), count.load(Ordering::Relaxed));
            move || count.load(Ordering::Relaxed) - start
        });
        let compressed = compressed.as_ref().map(|f| f as &dyn Fn() -> u64);
        match stream_member(walker, member, entry, Some(size), compressed, self.depth) {
            Ok(streamed) => Step::Read(streamed),
            Err((report, true)) => Step::Stop(Outcome::of_reports(vec![*report])),
            Err((report, false)) => Step::Done(Outcome::of_reports(vec![*report])),
        }
    }
}

/// Why a tarball could not be read further.
fn stop_message(walker: &Walker, error: &std::io::Error) -> String {
    match super::LimitHit::from_io(error) {
        Some(hit) => hit.message(walker.limits),
        None => format!("the tarball is damaged or truncated here, the rest was not read: {error}"),
    }
}

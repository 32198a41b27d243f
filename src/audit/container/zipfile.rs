//! Zip-based containers (`.whl`, `.jar`, `.nupkg`, `.vsix`, `.apk`, `.aar`, `.conda`): members
//! are read in parallel straight from the mapped archive. Stored members (a `.conda`'s
//! `.tar.zst` entries, uncompressed jars) are borrowed in place without a copy; compressed ones
//! are sniffed from their first bytes and decompressed whole only when they may be binaries.

use super::store::{Blob, Metered};
use super::{join, stream_member, Outcome, Walker};
use rayon::prelude::*;
use std::io::Cursor;
use zip::{CompressionMethod, ZipArchive};

pub fn walk(walker: &Walker, data: &[u8], name: Option<&str>, depth: u32) -> Outcome {
    let archive = match ZipArchive::new(Cursor::new(data)) {
        Ok(archive) => archive,
        Err(error) => {
            let error = format!("not a readable zip archive: {error}");
            return Outcome::of_reports(vec![walker.failed(name, error)]);
        }
    };
    let outcomes: Vec<Outcome> = (0..archive.len())
        .into_par_iter()
        .map(|index| {
            // Each task has its own cursor over the shared bytes and central directory.
            let mut archive = archive.clone();
            member(walker, &mut archive, data, index, name, depth)
        })
        .collect();
    let mut outcome = Outcome::default();
    for each in outcomes {
        outcome.merge(each);
    }
    outcome
}

fn member(
    walker: &Walker,
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    data: &[u8],
    index: usize,
    container: Option<&str>,
    depth: u32,
) -> Outcome {
    let label = archive
        .name_for_index(index)
        .map_or_else(|| format!("#{index}"), str::to_string);
    let name = join(container, &label);
    let failed = |error: String| Outcome::of_reports(vec![walker.failed(Some(&name), error)]);
    // The raw view tells what the entry is without starting a decompressor (which refuses
    // encrypted entries).
    let (stored, start, size, compressed) = match archive.by_index_raw(index) {
        Ok(file) if file.is_dir() || file.is_symlink() => return Outcome::default(),
        Ok(file) if file.encrypted() => return walker.skipped(name, "encrypted"),
        Ok(file) => (
            file.compression() == CompressionMethod::Stored,
            file.data_start(),
            file.size(),
            file.compressed_size(),
        ),
        Err(error) => return failed(format!("cannot read this zip entry: {error}")),
    };
    if stored {
        let end = start.and_then(|start| start.checked_add(size));
        return match (start, end) {
            (Some(start), Some(end)) if end <= data.len() as u64 => {
                let bytes = &data[start as usize..end as usize];
                let outcome = walker.member(name, &Blob::Borrowed(bytes), depth);
                walker.mapped.release(bytes);
                outcome
            }
            _ => failed("the zip entry's data lies outside the archive".to_string()),
        };
    }
    let file = match archive.by_index(index) {
        Ok(file) => file,
        Err(error) => return failed(format!("cannot decompress this zip entry: {error}")),
    };
    let mut reader = Metered {
        inner: file,
        total: &walker.total,
        limit: walker.limits.max_total_size,
    };
    let ratio_base = move || compressed;
    let result = stream_member(
        walker,
        name,
        &mut reader,
        Some(size),
        Some(&ratio_base),
        depth,
    );
    drop(reader);
    // The compressed bytes were read once: hand their pages back.
    let end = start.and_then(|s| s.checked_add(compressed));
    if let (Some(start), Some(end)) = (start, end) {
        if let Some(bytes) = data.get(start as usize..end as usize) {
            walker.mapped.release(bytes);
        }
    }
    match result {
        Ok(streamed) => streamed.audit(walker),
        Err((report, _)) => Outcome::of_reports(vec![*report]),
    }
}

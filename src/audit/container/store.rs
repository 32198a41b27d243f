//! Where a container member's bytes live while it is audited, and the meters that keep a hostile
//! container from exhausting memory, disk or time.
//!
//! A member is borrowed in place when the container stores it uncompressed (a `.conda`'s
//! `.tar.zst` entries, an uncompressed tarball), held in memory when it is small and the process
//! budget allows, and otherwise streamed to an unlinked temporary file and memory-mapped: a
//! 1.5 GB `.so` in a wheel never sits whole on the heap.

use super::{LimitHit, Limits};
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Bytes of container members held in memory by the whole process at once. Members that would
/// go past it are spilled to temporary files instead of waiting, so parallel audits never
/// block each other and never add up to more than this.
pub const MEMORY_BUDGET: u64 = 384 << 20;

/// Below this many decompressed bytes the ratio limit is not applied: small files (an object
/// with a page of zeros, a tar header block) legitimately compress a hundredfold, and a few
/// MiB cannot hurt. A bomb is caught once it has produced this much.
pub const RATIO_FLOOR: u64 = 64 << 20;

static IN_MEMORY: AtomicU64 = AtomicU64::new(0);

/// A share of [`MEMORY_BUDGET`]; given back when dropped.
struct Grant(u64);

impl Grant {
    fn none() -> Self {
        Grant(0)
    }

    /// Grows the grant to `total` bytes, or returns false (and keeps what it had).
    fn grow_to(&mut self, total: u64) -> bool {
        if total <= self.0 {
            return true;
        }
        let extra = total - self.0;
        let taken = IN_MEMORY.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
            (used + extra <= MEMORY_BUDGET).then_some(used + extra)
        });
        if taken.is_ok() {
            self.0 = total;
        }
        taken.is_ok()
    }
}

impl Drop for Grant {
    fn drop(&mut self) {
        IN_MEMORY.fetch_sub(self.0, Ordering::AcqRel);
    }
}

/// A member's bytes, wherever they are.
pub enum Blob<'a> {
    Borrowed(&'a [u8]),
    Memory(Vec<u8>, #[allow(dead_code)] GrantHolder),
    Mapped(memmap2::Mmap),
}

/// Keeps a [`Grant`] alive as long as the bytes it pays for (the field is never read).
pub struct GrantHolder(#[allow(dead_code)] Grant);

impl std::ops::Deref for Blob<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Blob::Borrowed(bytes) => bytes,
            Blob::Memory(bytes, _) => bytes,
            Blob::Mapped(map) => map,
        }
    }
}

/// Why reading a member stopped early.
#[derive(Debug)]
pub enum ReadFailure {
    /// A limit was hit: the member is refused (and for [`LimitHit::Total`], the container too).
    Limit(LimitHit),
    /// The container's data is corrupt or truncated, or a temporary file could not be written.
    Io(io::Error),
}

impl From<io::Error> for ReadFailure {
    fn from(error: io::Error) -> Self {
        match LimitHit::from_io(&error) {
            Some(hit) => ReadFailure::Limit(hit),
            None => ReadFailure::Io(error),
        }
    }
}

/// Collects a member's bytes: in memory while it is small and the budget allows, else in an
/// unlinked temporary file that is memory-mapped at the end.
struct Sink {
    memory: Vec<u8>,
    grant: Grant,
    file: Option<std::fs::File>,
    in_memory_limit: u64,
}

impl Sink {
    fn new(expected: Option<u64>, in_memory_limit: u64) -> Self {
        let mut sink = Sink {
            memory: Vec::new(),
            grant: Grant::none(),
            file: None,
            in_memory_limit,
        };
        // A declared size only sizes the first allocation; the bytes actually read decide.
        if let Some(expected) = expected.filter(|&e| e <= in_memory_limit) {
            if sink.grant.grow_to(expected) {
                sink.memory.reserve_exact(expected as usize);
            }
        }
        sink
    }

    fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        if let Some(file) = &mut self.file {
            return file.write_all(chunk);
        }
        let wanted = (self.memory.len() + chunk.len()) as u64;
        if wanted <= self.in_memory_limit && self.grant.grow_to(wanted) {
            self.memory.extend_from_slice(chunk);
            return Ok(());
        }
        let mut file = tempfile::tempfile()?;
        file.write_all(&self.memory)?;
        file.write_all(chunk)?;
        self.memory = Vec::new();
        self.grant = Grant::none();
        self.file = Some(file);
        Ok(())
    }

    fn finish(self) -> io::Result<Blob<'static>> {
        match self.file {
            None => Ok(Blob::Memory(self.memory, GrantHolder(self.grant))),
            Some(file) => {
                file.sync_data().ok();
                // SAFETY: the file is ours alone (unlinked on creation), so nothing can truncate
                // it underneath the read-only map.
                let map = unsafe { memmap2::Mmap::map(&file)? };
                Ok(Blob::Mapped(map))
            }
        }
    }
}

/// Reads one member to its end under the per-member limits. `prefix` holds bytes already read
/// (the sniffed header); `compressed` tells how many compressed bytes the member has taken so
/// far, for the ratio limit (None when the member is not compressed).
pub fn read_member(
    prefix: &[u8],
    reader: &mut dyn Read,
    expected: Option<u64>,
    compressed: Option<&dyn Fn() -> u64>,
    limits: &Limits,
) -> Result<Blob<'static>, ReadFailure> {
    let mut sink = Sink::new(expected, limits.max_in_memory);
    let mut length = prefix.len() as u64;
    sink.write(prefix)?;
    let mut buffer = vec![0u8; 256 << 10];
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error.into()),
        };
        length += n as u64;
        if length > limits.max_member_size {
            return Err(ReadFailure::Limit(LimitHit::MemberSize));
        }
        if let Some(compressed) = compressed {
            if length > RATIO_FLOOR && length > limits.max_ratio.saturating_mul(compressed()) {
                return Err(ReadFailure::Limit(LimitHit::Ratio));
            }
        }
        sink.write(&buffer[..n])?;
    }
    Ok(sink.finish()?)
}

/// Reads up to `n` bytes (fewer only at the end of the member).
pub fn read_prefix(reader: &mut dyn Read, n: usize) -> io::Result<Vec<u8>> {
    let mut prefix = Vec::with_capacity(n);
    reader.take(n as u64).read_to_end(&mut prefix)?;
    Ok(prefix)
}

/// Charges every decompressed byte to the input's total and fails the read once the total
/// passes `--max-total-size`: the tar reader skipping a member it was not asked to keep is
/// charged too, so a bomb cannot be drained for ever.
pub struct Metered<'t, R> {
    pub inner: R,
    pub total: &'t AtomicU64,
    pub limit: u64,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buffer)?;
        let before = self.total.fetch_add(n as u64, Ordering::Relaxed);
        if before + n as u64 > self.limit {
            return Err(LimitHit::Total.into_io());
        }
        Ok(n)
    }
}

/// How many large-window decoders (zstd, xz: up to 128 MiB each) may run at once in the whole
/// process. A holder only ever reads its own stream, so waiting for a slot cannot deadlock.
const DECODER_SLOTS: usize = 2;

static SLOTS: Mutex<usize> = Mutex::new(0);
static SLOT_FREED: Condvar = Condvar::new();

/// A slot for one large-window decoder; given back when dropped.
pub struct DecoderSlot(());

impl DecoderSlot {
    pub fn acquire() -> Self {
        let mut used = SLOTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        while *used >= DECODER_SLOTS {
            used = SLOT_FREED
                .wait(used)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *used += 1;
        DecoderSlot(())
    }
}

impl Drop for DecoderSlot {
    fn drop(&mut self) {
        let mut used = SLOTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *used -= 1;
        SLOT_FREED.notify_one();
    }
}

/// The file-backed mappings a walk reads from (the input itself, spilled members). Their pages
/// count in the resident set once touched, so a 1 GB wheel read front to back would look like
/// 1 GB of memory: pages read once are handed back with `MADV_DONTNEED` (the kernel reads them
/// again from the page cache if anything does; the maps are read-only, so nothing is lost).
#[derive(Debug, Default)]
pub struct Mapped {
    ranges: Mutex<Vec<(usize, usize)>>,
}

impl Mapped {
    pub fn register(&self, bytes: &[u8]) {
        let start = bytes.as_ptr() as usize;
        self.lock().push((start, start + bytes.len()));
    }

    pub fn unregister(&self, bytes: &[u8]) {
        let start = bytes.as_ptr() as usize;
        self.lock().retain(|&(s, _)| s != start);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(usize, usize)>> {
        self.ranges
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Drops the whole pages of `bytes` from the resident set, if they lie in a registered
    /// mapping (never heap memory, where `MADV_DONTNEED` would zero them).
    pub fn release(&self, bytes: &[u8]) {
        let start = bytes.as_ptr() as usize;
        let end = start + bytes.len();
        if !self.lock().iter().any(|&(s, e)| s <= start && end <= e) {
            return;
        }
        release_pages(start, end);
    }
}

#[cfg(target_os = "linux")]
fn release_pages(start: usize, end: usize) {
    // SAFETY: sysconf has no preconditions.
    let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    let first = start.div_ceil(page) * page;
    let last = end / page * page;
    if last > first {
        // SAFETY: the range lies inside a live, read-only, file-backed private mapping (checked
        // by the caller); dropping its pages only makes the next access fault them back in.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_DONTNEED,
            );
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn release_pages(_: usize, _: usize) {}

/// Reads a compressed stream's bytes from a slice, counting them for the ratio limit and
/// handing back every 16 MiB read once.
pub struct SliceReader<'d, 'm> {
    pub data: &'d [u8],
    pub position: usize,
    pub released: usize,
    pub count: Arc<AtomicU64>,
    pub mapped: &'m Mapped,
}

impl Read for SliceReader<'_, '_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let rest = &self.data[self.position..];
        let n = rest.len().min(buffer.len());
        buffer[..n].copy_from_slice(&rest[..n]);
        self.position += n;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        if self.position - self.released >= 16 << 20 {
            self.mapped
                .release(&self.data[self.released..self.position]);
            self.released = self.position;
        }
        Ok(n)
    }
}

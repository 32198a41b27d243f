//! Packing buffers: 64-byte aligned (packed panels are read with full-width vector loads that
//! must not straddle cache lines) and reused between calls, because a fresh multi-megabyte
//! allocation is a fresh `mmap` whose page faults cost as much as a 256³ product's packing.
//!
//! The cache is a short list behind a mutex that is only ever *tried*: a call that finds it
//! busy (another thread, or a `fork`ed child whose parent held it) allocates instead of
//! waiting, so nothing can hang on it. `blastool_quit` (also run on `dlclose`) frees it all.

use std::alloc::{alloc, dealloc, Layout};
use std::sync::Mutex;

const ALIGN: usize = 64;
/// Buffers kept between calls (two per thread for two or three threads).
const KEEP: usize = 6;
/// Largest buffer kept between calls (larger ones are freed at once).
const KEEP_MAX_BYTES: usize = 64 << 20;

struct Block {
    ptr: *mut u8,
    bytes: usize,
}
// SAFETY: a Block is an owned allocation; moving it between threads moves ownership.
unsafe impl Send for Block {}

static CACHE: Mutex<Vec<Block>> = Mutex::new(Vec::new());

/// The cache, if it can be had within a short spin. Its critical sections are a few dozen
/// nanoseconds, so a busy lock is almost always another thread of the same call taking or
/// returning its buffer at the same moment; giving up at once made that thread map a fresh
/// buffer (page faults) or unmap its own, and on a 2-thread 256³ dtrmm such batches ran up to a
/// third slower. The spin is bounded, so a lock held forever (inherited through `fork`) still
/// never hangs a call.
fn cache() -> Option<std::sync::MutexGuard<'static, Vec<Block>>> {
    for _ in 0..CACHE_SPINS {
        if let Ok(cache) = CACHE.try_lock() {
            return Some(cache);
        }
        std::hint::spin_loop();
    }
    None
}
/// Tries of `cache` (a few microseconds at most).
const CACHE_SPINS: usize = 4096;

/// An aligned, uninitialised buffer of at least `bytes` bytes, returned to the cache on drop.
pub struct Buffer {
    block: Block,
}

impl Buffer {
    pub fn new(bytes: usize) -> Buffer {
        let bytes = bytes.max(ALIGN).next_multiple_of(ALIGN);
        if let Some(mut cache) = cache() {
            // The smallest cached block that fits.
            let best = cache
                .iter()
                .enumerate()
                .filter(|(_, b)| b.bytes >= bytes)
                .min_by_key(|(_, b)| b.bytes)
                .map(|(i, _)| i);
            if let Some(i) = best {
                return Buffer {
                    block: cache.swap_remove(i),
                };
            }
        }
        let layout = Layout::from_size_align(bytes, ALIGN).expect("packing buffer size");
        // SAFETY: non-zero size.
        let ptr = unsafe { alloc(layout) };
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Buffer {
            block: Block { ptr, bytes },
        }
    }

    /// The buffer as `T`s (uninitialised: write before reading).
    pub fn as_mut_ptr<T>(&mut self) -> *mut T {
        debug_assert!(std::mem::align_of::<T>() <= ALIGN);
        self.block.ptr as *mut T
    }
}

fn free(block: Block) {
    // SAFETY: allocated in `Buffer::new` with this layout.
    unsafe {
        dealloc(
            block.ptr,
            Layout::from_size_align_unchecked(block.bytes, ALIGN),
        )
    };
}

impl Drop for Buffer {
    fn drop(&mut self) {
        let block = Block {
            ptr: std::mem::replace(&mut self.block.ptr, std::ptr::null_mut()),
            bytes: self.block.bytes,
        };
        if block.bytes <= KEEP_MAX_BYTES {
            if let Some(mut cache) = cache() {
                cache.push(block);
                if cache.len() > KEEP {
                    // Drop the smallest: big ones are the expensive ones to map again.
                    let (i, _) = cache
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, b)| b.bytes)
                        .expect("non-empty");
                    free(cache.swap_remove(i));
                }
                return;
            }
        }
        free(block);
    }
}

/// Free every cached buffer (`blastool_quit`). Buffers in use by a running call are returned
/// to the cache when that call ends. Never waits: if the cache is busy this very moment (a call
/// on another thread, or a lock inherited through `fork`), it is left for the next quit.
pub fn release_all() {
    let blocks = match CACHE.try_lock() {
        Ok(mut cache) => std::mem::take(&mut *cache),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => {
            std::mem::take(&mut *poisoned.into_inner())
        }
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    for block in blocks {
        free(block);
    }
}

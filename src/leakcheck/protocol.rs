//! The lines a leak-check child (the ELF `__leak-child` or the Windows loader) writes to the
//! parent: `@leak ` followed by one JSON object. Anything else on the stream is the library's
//! own output and is ignored.

use serde::{Deserialize, Serialize};

/// Marks a protocol line; the C loader gets the same text substituted into its template.
pub const PREFIX: &str = "@leak ";

/// One measurement, taken after the library was unloaded (cycle 0: before the first load).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub cycle: u32,
    /// Committed memory: `VmSize` on Linux; committed private pages (VirtualQuery) on Windows.
    pub committed_kib: u64,
    /// Resident memory: `VmRSS` / working set.
    pub resident_kib: u64,
    /// Windows `PagefileUsage`, for reference (under Wine it counts only written pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagefile_kib: Option<u64>,
    pub threads: u64,
    /// Open file descriptors (Linux) or handles (Windows); `None` when unavailable (Wine 8
    /// does not implement `GetProcessHandleCount`).
    #[serde(default)]
    pub handles: Option<u64>,
    /// Memory mappings (`/proc/self/maps` lines); Linux only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maps: Option<u64>,
    /// Heap bytes in use, exactly: glibc `mallinfo2` (in-use arena chunks plus mmapped
    /// chunks), or the busy blocks of every Windows process heap (`HeapWalk`). `None` where
    /// the allocator cannot say (musl, a loader too old to report it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heap_bytes: Option<u64>,
    /// Thread-local storage keys in use (glibc `pthread_key_create` slots); `None` where
    /// they cannot be counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_keys: Option<u64>,
    /// False when the library was still loaded after the unload call.
    pub unloaded: bool,
}

/// Everything a child reports, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Start {
        pid: u32,
        pointer_bits: u32,
    },
    Loading {
        cycle: u32,
    },
    Calling {
        cycle: u32,
    },
    Unloading {
        cycle: u32,
    },
    Sample(Sample),
    Error {
        stage: String,
        message: String,
    },
    /// The Windows loader's unhandled-exception filter.
    Crash {
        code: String,
        #[serde(default)]
        address: String,
    },
    Done,
}

/// Parses one line of child output; `None` for anything that is not a protocol line.
pub fn parse_line(line: &str) -> Option<Event> {
    let json = line.trim_end_matches(['\r', '\n']).strip_prefix(PREFIX)?;
    serde_json::from_str(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_lines_parse() {
        let line = "@leak {\"event\":\"sample\",\"cycle\":3,\"committed_kib\":8644,\
                    \"resident_kib\":7896,\"pagefile_kib\":1732,\"threads\":1,\
                    \"handles\":null,\"unloaded\":true}\r\n";
        let Some(Event::Sample(sample)) = parse_line(line) else {
            panic!("not a sample");
        };
        assert_eq!(sample.cycle, 3);
        assert_eq!(sample.handles, None);
        assert!(parse_line("hello from the library").is_none());
        assert_eq!(parse_line("@leak {\"event\":\"done\"}"), Some(Event::Done));
    }
}

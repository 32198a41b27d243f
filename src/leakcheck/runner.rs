//! Runs a leak-check child under a timeout and a memory limit and collects what it reported.
//!
//! The child executes foreign code (constructors, destructors, `--call`), so the parent never
//! blocks on it: stdout and stderr are read by threads, the parent polls the exit status, the
//! clock and the child's resident memory, and kills the child's whole process group when a limit
//! is hit. Reading stops shortly after the child exits even if a grandchild (wineserver) still
//! holds the pipes.

use super::protocol::{parse_line, Event};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Kept from the child's stderr: its end, where the reason for a failure usually is.
const STDERR_KEEP: usize = 16 * 1024;
/// How often the parent looks at the clock and the child's memory.
const POLL: Duration = Duration::from_millis(50);
/// How long to wait for the last lines once the child has exited.
const DRAIN: Duration = Duration::from_millis(1500);

/// How the child's run ended.
#[derive(Debug)]
pub(crate) enum End {
    Exited(ExitStatus),
    TimedOut,
    /// Memory (KiB) seen when the limit was exceeded.
    MemoryLimit(u64),
}

#[derive(Debug)]
pub(crate) struct Outcome {
    pub events: Vec<Event>,
    pub stderr: String,
    pub end: End,
}

/// Spawns `command` in its own process group and watches it against `memory_limit_mib`: every
/// sample's committed memory, and the process's `VmSize` (when `address_space` is true) or
/// `VmRSS` (Wine, which reserves huge address ranges at start) polled from `/proc`. With
/// `address_space`, `RLIMIT_AS` at twice the limit plus 1 GiB also stops an allocation
/// spree faster than the polling.
pub(crate) fn run(
    mut command: Command,
    timeout: Duration,
    memory_limit_mib: u64,
    address_space: bool,
) -> std::io::Result<Outcome> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let bytes = memory_limit_mib
            .saturating_mul(2)
            .saturating_add(1024)
            .saturating_mul(1024 * 1024);
        // SAFETY: only async-signal-safe calls (setpgid, setrlimit) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Own process group: a kill reaches every thread and helper process.
                libc::setpgid(0, 0);
                // No core files from a library that crashes in its constructor.
                let no_core = libc::rlimit {
                    rlim_cur: 0,
                    rlim_max: 0,
                };
                libc::setrlimit(libc::RLIMIT_CORE, &no_core);
                if address_space {
                    let limit = libc::rlimit {
                        rlim_cur: bytes as libc::rlim_t,
                        rlim_max: bytes as libc::rlim_t,
                    };
                    libc::setrlimit(libc::RLIMIT_AS, &limit);
                }
                Ok(())
            });
        }
    }
    let limit_kib = memory_limit_mib.saturating_mul(1024);
    let mut child = command.spawn()?;
    let (line_tx, line_rx) = mpsc::channel::<Event>();
    let stdout = child.stdout.take();
    std::thread::spawn(move || {
        let Some(stdout) = stdout else { return };
        let mut reader = BufReader::new(stdout);
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            match reader.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if let Some(event) = parse_line(&String::from_utf8_lossy(&buffer)) {
                        if line_tx.send(event).is_err() {
                            break;
                        }
                    }
                }
            }
        }
    });
    let (err_tx, err_rx) = mpsc::channel::<Vec<u8>>();
    let stderr = child.stderr.take();
    std::thread::spawn(move || {
        let Some(mut stderr) = stderr else { return };
        let mut chunk = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut chunk) {
            if n == 0 || err_tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let deadline = Instant::now() + timeout;
    let mut events = Vec::new();
    let mut stderr_bytes = Vec::new();
    let pid = child.id();
    let end = loop {
        match line_rx.recv_timeout(POLL) {
            Ok(event) => {
                let committed = match &event {
                    Event::Sample(sample) => sample.committed_kib,
                    _ => 0,
                };
                events.push(event);
                if committed > limit_kib {
                    kill_group(&mut child);
                    break End::MemoryLimit(committed);
                }
            }
            Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {}
        }
        while let Ok(chunk) = err_rx.try_recv() {
            keep_tail(&mut stderr_bytes, &chunk);
        }
        if let Some(status) = child.try_wait()? {
            break End::Exited(status);
        }
        if Instant::now() >= deadline {
            kill_group(&mut child);
            break End::TimedOut;
        }
        let field = if address_space { "VmSize:" } else { "VmRSS:" };
        if let Some(used) = proc_status_kib(pid, field) {
            if used > limit_kib {
                kill_group(&mut child);
                break End::MemoryLimit(used);
            }
        }
    };
    // Collect what is still in flight; give up after DRAIN if a helper keeps a pipe open.
    let drain_until = Instant::now() + DRAIN;
    loop {
        let left = drain_until.saturating_duration_since(Instant::now());
        match line_rx.recv_timeout(left.min(POLL)) {
            Ok(event) => events.push(event),
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) if left.is_zero() => break,
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
    let stderr_until = Instant::now() + Duration::from_millis(300);
    loop {
        let left = stderr_until.saturating_duration_since(Instant::now());
        match err_rx.recv_timeout(left) {
            Ok(chunk) => keep_tail(&mut stderr_bytes, &chunk),
            Err(_) => break,
        }
    }
    Ok(Outcome {
        events,
        stderr: String::from_utf8_lossy(&stderr_bytes).into_owned(),
        end,
    })
}

fn keep_tail(kept: &mut Vec<u8>, chunk: &[u8]) {
    kept.extend_from_slice(chunk);
    if kept.len() > STDERR_KEEP {
        let cut = kept.len() - STDERR_KEEP;
        kept.drain(..cut);
    }
}

fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // SAFETY: signals the process group the child created in pre_exec.
        unsafe {
            libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A KiB figure of the child from `/proc/PID/status` (Linux); `None` elsewhere or once it is
/// gone.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|value| value.parse().ok())
}

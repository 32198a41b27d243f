//! The theoretical peak the GEMM rows are measured against: FMA pipes × vector lanes × 2 flops
//! × clock, per core. What cannot be detected is assumed, and the output says so.

use serde::Serialize;

/// The peak model, with where each factor came from.
#[derive(Debug, Clone, Serialize)]
pub struct Peak {
    /// Widest FMA vector the CPU reports (CPUID): "AVX-512F", "AVX2+FMA", "AVX", "SSE2" or none.
    pub isa: String,
    /// 64-bit lanes per FMA (4 for AVX2, 8 for AVX-512), 0 when unknown.
    pub f64_lanes: usize,
    /// FMA pipes per core: assumed 2 (Haswell and later, Zen 2/3/4); not detectable by CPUID.
    pub fma_pipes: usize,
    /// Clock in GHz and how it was obtained.
    pub ghz: f64,
    pub clock_source: String,
    /// /proc/cpuinfo's "cpu MHz" in GHz (often the nominal clock under a hypervisor).
    pub cpuinfo_ghz: Option<f64>,
}

impl Peak {
    pub fn detect(override_ghz: Option<f64>) -> Peak {
        let (isa, f64_lanes) = isa();
        let cpuinfo_ghz = cpuinfo_ghz();
        let measured = || override_ghz.is_none().then(measured_ghz).flatten();
        let (ghz, clock_source) = match (override_ghz, measured(), cpuinfo_ghz) {
            (Some(g), _, _) => (g, "--peak-ghz".to_string()),
            (None, Some(g), _) => (
                g,
                "measured: dependent register adds, 1 per cycle, best of 40 runs".to_string(),
            ),
            (None, None, Some(g)) => (g, "/proc/cpuinfo cpu MHz".to_string()),
            (None, None, None) => (0.0, "unknown".to_string()),
        };
        Peak {
            isa,
            f64_lanes,
            fma_pipes: 2,
            ghz,
            clock_source,
            cpuinfo_ghz,
        }
    }

    /// Peak GFLOPS of `threads` cores for a GEMM routine (complex routines count real flops,
    /// 8mnk, so their peak is that of their real type); None for other routines or when unknown.
    pub fn gflops(&self, routine: &str, threads: i32) -> Option<f64> {
        let level3 = routine.ends_with("gemm") || super::square_only(routine);
        if !level3 || self.f64_lanes == 0 || self.ghz <= 0.0 {
            return None;
        }
        let lanes = match routine.chars().next() {
            Some('s') | Some('c') => 2 * self.f64_lanes,
            _ => self.f64_lanes,
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = (threads.max(1) as usize).min(cores);
        Some((self.fma_pipes * lanes * 2) as f64 * self.ghz * threads as f64)
    }

    /// One line for the text output, with the assumptions.
    pub fn describe(&self) -> String {
        if self.f64_lanes == 0 {
            return format!("unknown (no FMA vector ISA detected: {})", self.isa);
        }
        let cpuinfo = self
            .cpuinfo_ghz
            .map_or_else(String::new, |g| format!("; /proc/cpuinfo says {g:.3} GHz"));
        format!(
            "{} FMA pipes (assumed) x {} f64 / {} f32 lanes ({}) x 2 flops x {:.3} GHz ({}{}) = {:.1} GFLOPS f64, {:.1} f32 per core; %peak uses min(threads, cores) cores",
            self.fma_pipes,
            self.f64_lanes,
            2 * self.f64_lanes,
            self.isa,
            self.ghz,
            self.clock_source,
            cpuinfo,
            (self.fma_pipes * self.f64_lanes * 2) as f64 * self.ghz,
            (self.fma_pipes * self.f64_lanes * 4) as f64 * self.ghz,
        )
    }
}

#[cfg(target_arch = "x86_64")]
fn isa() -> (String, usize) {
    if is_x86_feature_detected!("avx512f") {
        // Zen 4 executes 512-bit FMAs as two 256-bit halves: its peak is the AVX2 one.
        ("AVX-512F (full-width pipes assumed)".to_string(), 8)
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        ("AVX2+FMA".to_string(), 4)
    } else {
        ("no FMA".to_string(), 0)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn isa() -> (String, usize) {
    (std::env::consts::ARCH.to_string(), 0)
}

fn cpuinfo_ghz() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("cpu MHz"))?;
    let mhz: f64 = line.split(':').nth(1)?.trim().parse().ok()?;
    (mhz > 0.0).then_some(mhz / 1000.0)
}

/// The running clock: a chain of dependent register-to-register integer adds retires one per
/// cycle on every x86 core, so adds per second is cycles per second. The addend is a register,
/// not an immediate: Intel's Golden Cove cores (Alder Lake P-cores, Sapphire Rapids) fold
/// chains of `add reg, imm` at register renaming and retire them several per cycle, which read
/// 5.4 GHz on a 2.4 GHz Sapphire Rapids guest. Best of 40 runs of ~1.3 ms each (a
/// preempted run only reads low, and on a loaded machine some run fits in a time slice).
#[cfg(target_arch = "x86_64")]
fn measured_ghz() -> Option<f64> {
    const ITERATIONS: u64 = 500_000;
    const ADDS_PER_ITERATION: u64 = 8;
    let mut best = 0.0f64;
    for _ in 0..40 {
        let start = std::time::Instant::now();
        let mut x: u64 = 0;
        let mut n = ITERATIONS;
        // SAFETY: register-only arithmetic, no memory access.
        unsafe {
            std::arch::asm!(
                "2:",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "add {x}, {one}",
                "dec {n}",
                "jnz 2b",
                x = inout(reg) x,
                n = inout(reg) n,
                one = in(reg) 1u64,
                options(nomem, nostack),
            );
        }
        let seconds = start.elapsed().as_secs_f64();
        std::hint::black_box((x, n));
        if seconds > 0.0 {
            best = best.max((ITERATIONS * ADDS_PER_ITERATION) as f64 / seconds / 1e9);
        }
    }
    (best > 0.1).then_some(best)
}

#[cfg(not(target_arch = "x86_64"))]
fn measured_ghz() -> Option<f64> {
    None
}

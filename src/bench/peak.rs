//! The theoretical peak the GEMM rows are measured against: FMA pipes × vector lanes × 2 flops
//! × clock, per core. What cannot be detected is assumed, and the output says so.

use serde::Serialize;

/// The peak model, with where each factor came from.
#[derive(Debug, Clone, Serialize)]
pub struct Peak {
    /// Widest FMA vector the CPU reports (CPUID): "AVX-512F", "AVX2+FMA", "AVX", "SSE2" or none.
    pub isa: String,
    /// 64-bit lanes per FMA instruction (4 for AVX2, 8 for AVX-512), 0 when unknown.
    pub f64_lanes: usize,
    /// 64-bit lanes each FMA pipe completes per cycle: `f64_lanes`, or fewer on cores whose
    /// FP datapath is narrower than the ISA and which split each FMA into halves (Zen and Zen+:
    /// 128-bit pipes under AVX2; Zen 4: 256-bit pipes under AVX-512).
    pub datapath_f64_lanes: usize,
    /// Why `datapath_f64_lanes` differs from `f64_lanes`; empty when they agree.
    pub datapath: String,
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
        let (datapath_f64_lanes, datapath) = match narrow_datapath(f64_lanes) {
            Some((lanes, why)) => (lanes, why.to_string()),
            None => (f64_lanes, String::new()),
        };
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
            datapath_f64_lanes,
            datapath,
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
            Some('s') | Some('c') => 2 * self.datapath_f64_lanes,
            _ => self.datapath_f64_lanes,
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
        let datapath = if self.datapath.is_empty() {
            String::new()
        } else {
            format!(", {}", self.datapath)
        };
        format!(
            "{} FMA pipes (assumed) x {} f64 / {} f32 lanes ({}{}) x 2 flops x {:.3} GHz ({}{}) = {:.1} GFLOPS f64, {:.1} f32 per core; %peak uses min(threads, cores) cores",
            self.fma_pipes,
            self.datapath_f64_lanes,
            2 * self.datapath_f64_lanes,
            self.isa,
            datapath,
            self.ghz,
            self.clock_source,
            cpuinfo,
            (self.fma_pipes * self.datapath_f64_lanes * 2) as f64 * self.ghz,
            (self.fma_pipes * self.datapath_f64_lanes * 4) as f64 * self.ghz,
        )
    }
}

#[cfg(target_arch = "x86_64")]
fn isa() -> (String, usize) {
    if is_x86_feature_detected!("avx512f") {
        ("AVX-512F".to_string(), 8)
    } else if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        ("AVX2+FMA".to_string(), 4)
    } else {
        ("no FMA".to_string(), 0)
    }
}

/// AMD cores whose FMA pipes are narrower than the vector ISA they report: each FMA issues as
/// two halves, so a pipe completes half the ISA's lanes per cycle. Identified by CPUID family
/// and model (AMD's revision guides): family 17h models 00h-2Fh are Zen and Zen+ (128-bit FP
/// pipes, AVX2 split in two), family 19h is Zen 3 and Zen 4 (256-bit pipes; Zen 4's AVX-512 is
/// split in two). Zen 2 (17h, models 30h and up) and Intel cores run their widest FMA whole;
/// Zen 5 (1Ah) has full 512-bit pipes on desktop and server parts, which is assumed.
#[cfg(target_arch = "x86_64")]
fn narrow_datapath(f64_lanes: usize) -> Option<(usize, &'static str)> {
    if !crate::build::targets::is_amd() {
        return None;
    }
    // SAFETY: CPUID leaf 1 exists on every x86_64 CPU. (The intrinsic is safe in newer Rust,
    // unsafe in the 1.85 this crate supports.)
    #[allow(unused_unsafe)]
    let signature = unsafe { std::arch::x86_64::__cpuid(1) }.eax;
    amd_narrow_datapath(signature, f64_lanes)
}

/// `narrow_datapath` for an AMD CPU with CPUID leaf 1's EAX `signature`.
fn amd_narrow_datapath(signature: u32, f64_lanes: usize) -> Option<(usize, &'static str)> {
    let base_family = (signature >> 8) & 0xf;
    let family = if base_family == 0xf {
        base_family + ((signature >> 20) & 0xff)
    } else {
        base_family
    };
    let model = ((signature >> 4) & 0xf) | (((signature >> 16) & 0xf) << 4);
    match (family, f64_lanes) {
        (0x17, 4) if model < 0x30 => Some((
            2,
            "Zen/Zen+: 128-bit FMA pipes, each AVX2 FMA runs as two halves",
        )),
        (0x19, 8) => Some((
            4,
            "Zen 4: 256-bit FMA pipes, each AVX-512 FMA runs as two halves",
        )),
        _ => None,
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn narrow_datapath(_f64_lanes: usize) -> Option<(usize, &'static str)> {
    None
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

#[cfg(test)]
mod tests {
    use super::amd_narrow_datapath;

    /// CPUID signatures of real parts: EPYC 7601 (Zen), 7742 (Zen 2), 7763 (Zen 3), 9654
    /// (Zen 4), 9755 (Zen 5).
    #[test]
    fn amd_datapaths_by_family_and_model() {
        assert_eq!(amd_narrow_datapath(0x0080_0f12, 4).map(|d| d.0), Some(2));
        assert_eq!(amd_narrow_datapath(0x0083_0f10, 4), None);
        assert_eq!(amd_narrow_datapath(0x00a0_0f11, 4), None);
        assert_eq!(amd_narrow_datapath(0x00a1_0f11, 8).map(|d| d.0), Some(4));
        assert_eq!(amd_narrow_datapath(0x00b0_0f21, 8), None);
    }
}

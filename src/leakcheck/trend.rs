//! Growth per load/unload cycle from a series of samples, and the leak verdict built on it.
//!
//! One sample proves nothing: allocators keep freed memory, the first cycles fill caches, and a
//! single late jump (an arena grown once) is not a leak either. So the first cycles are warm-up
//! and ignored, and growth is the Theil–Sen slope (the median of the slopes between every pair
//! of remaining samples), which outliers (up to about a quarter of the samples) or a step near
//! the end cannot move. A step in the middle of the window is indistinguishable from slow growth
//! in so few samples; more cycles separate the two. The ordinary
//! least-squares slope is reported too; a resource counts as leaking only when both exceed its
//! threshold, so a sawtooth with a large median slope but no net growth is not flagged. The
//! exact heap count must also rise in at least two thirds of the steps ([`grows_steadily`]).

/// Memory growth below this (KiB per cycle) is noise: allocator bookkeeping, a page of loader
/// state. Real leaks from constructors are buffers, far above it.
pub const MEMORY_THRESHOLD_KIB: f64 = 16.0;
/// Heap growth (bytes in use per cycle, exact) below this is noise.
///
/// Measured with the ELF child (glibc 2.36, tcache off as the child runs it, 30 cycles):
/// after the two warm-up cycles, a `dlopen`/`dlclose` of a tidy library returns the heap to
/// the byte (libz, libX11, libpng16, libsqlite3: 0 B/cycle; the link map ld.so mallocs on
/// every load is freed on every unload). Libraries with TLS make ld.so keep 32–48 B/cycle
/// of TLS bookkeeping (libopenblas, libgfortran: for ~14 cycles, then 0; libgomp: all 30),
/// and libcurl and libxml2 swing ±192 and ±48 B around a level. A kept `FILE` costs 480 B,
/// a 1 KiB buffer 1040 B. 256 B lies 5× above the largest noise and below the smallest
/// kept object a constructor is likely to make; a leak of a few dozen bytes per load is
/// below what so few cycles can tell from ld.so's own.
pub const HEAP_THRESHOLD_BYTES: f64 = 256.0;
/// A thread or handle kept every other cycle or more is a leak.
pub const COUNT_THRESHOLD: f64 = 0.5;

/// How many leading cycles to ignore for `cycles` cycles: a quarter, at least 2, at most 10.
pub fn warmup_cycles(cycles: u32) -> u32 {
    (cycles / 4).clamp(2, 10).min(cycles.saturating_sub(2))
}

/// Growth estimates of one series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slope {
    /// Median of the pairwise slopes (robust).
    pub median: f64,
    /// Ordinary least squares.
    pub least_squares: f64,
}

impl Slope {
    /// True when both estimates reach `threshold`.
    pub fn exceeds(&self, threshold: f64) -> bool {
        self.median >= threshold && self.least_squares >= threshold
    }
}

/// True when `values` rise in at least two thirds of their steps: a leak grows cycle after
/// cycle, while allocator noise (a free list refilled, a block swinging in and out) goes up
/// and comes back down, so it rises in half of its steps at most, whatever its slope.
pub fn grows_steadily(values: &[f64]) -> bool {
    let steps = values.len().saturating_sub(1);
    let rises = values.windows(2).filter(|w| w[1] > w[0]).count();
    steps > 0 && 3 * rises >= 2 * steps
}

/// Slopes of `points` (x = cycle, y = value); `None` with fewer than two points.
pub fn slope(points: &[(f64, f64)]) -> Option<Slope> {
    if points.len() < 2 {
        return None;
    }
    let mut pairwise = Vec::with_capacity(points.len() * (points.len() - 1) / 2);
    for (i, &(x1, y1)) in points.iter().enumerate() {
        for &(x2, y2) in &points[i + 1..] {
            if x2 != x1 {
                pairwise.push((y2 - y1) / (x2 - x1));
            }
        }
    }
    if pairwise.is_empty() {
        return None;
    }
    pairwise.sort_by(f64::total_cmp);
    let middle = pairwise.len() / 2;
    let median = if pairwise.len() % 2 == 1 {
        pairwise[middle]
    } else {
        (pairwise[middle - 1] + pairwise[middle]) / 2.0
    };
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let least_squares = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    Some(Slope {
        median,
        least_squares,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64, v))
            .collect()
    }

    #[test]
    fn a_steady_leak_has_its_exact_slope() {
        let s = slope(&series(&[10.0, 14.0, 18.0, 22.0, 26.0])).unwrap();
        assert_eq!(s.median, 4.0);
        assert!((s.least_squares - 4.0).abs() < 1e-9);
        assert!(s.exceeds(3.0));
    }

    #[test]
    fn a_spike_or_a_late_step_is_not_a_leak() {
        // One sample off (a transient allocation) and an arena grown once near the end.
        let spike = [
            100.0, 100.0, 100.0, 5000.0, 100.0, 100.0, 100.0, 100.0, 100.0,
        ];
        let late = [
            100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 900.0, 900.0,
        ];
        for values in [spike, late] {
            let s = slope(&series(&values)).unwrap();
            assert_eq!(s.median, 0.0, "{values:?}");
            assert!(!s.exceeds(16.0));
        }
    }

    #[test]
    fn noise_that_returns_to_its_level_does_not_grow_steadily() {
        // libcurl's heap after warm-up: +192, -192, ... (bytes).
        let swing: Vec<f64> = (0..16).map(|i| 1000.0 + 192.0 * (i % 2) as f64).collect();
        assert!(!grows_steadily(&swing));
        // ld.so's TLS bookkeeping for a few cycles, then flat.
        let settles: Vec<f64> = (0..16).map(|i| 1000.0 + 32.0 * i.min(4) as f64).collect();
        assert!(!grows_steadily(&settles));
        // 1 KiB kept per load.
        let kept: Vec<f64> = (0..16).map(|i| 1000.0 + 1040.0 * i as f64).collect();
        assert!(grows_steadily(&kept));
        assert!(slope(&series(&kept)).unwrap().exceeds(HEAP_THRESHOLD_BYTES));
        // A leak the allocator sometimes serves from a freed block still grows steadily.
        let mostly: Vec<f64> = (0..16)
            .map(|i| 1000.0 + 1040.0 * (i - i / 4) as f64)
            .collect();
        assert!(grows_steadily(&mostly));
        assert!(!grows_steadily(&[5.0]));
    }

    #[test]
    fn warmup_is_bounded() {
        assert_eq!(warmup_cycles(4), 2);
        assert_eq!(warmup_cycles(20), 5);
        assert_eq!(warmup_cycles(1000), 10);
    }

    #[test]
    fn too_few_points_give_nothing() {
        assert!(slope(&[(1.0, 2.0)]).is_none());
    }
}

//! HASWELL (AVX2 + FMA, 256-bit): the operation sets its SIMD code is written against, its
//! microkernels and the HASWELL table (see `simd_macros.rs`).

use super::{KernelSet, Ukr};

isa_ops! {
    "avx2,fma";
    avx2_f64: f64, __m256d, 4 lanes, mask __m256d;
    avx2_f32: f32, __m256, 8 lanes, mask __m256;
    load: _mm256_loadu_pd, _mm256_loadu_ps;
    store: _mm256_storeu_pd, _mm256_storeu_ps;
    // Lane masks from a lane count: all ones where the lane's index is below n.
    load_first: |p, n: usize| _mm256_maskload_pd(p, super::avx2_first_lanes_64(n)),
                |p, n: usize| _mm256_maskload_ps(p, super::avx2_first_lanes_32(n));
    store_first: |p, v, n: usize| _mm256_maskstore_pd(p, super::avx2_first_lanes_64(n), v),
                 |p, v, n: usize| _mm256_maskstore_ps(p, super::avx2_first_lanes_32(n), v);
    splat: _mm256_set1_pd, _mm256_set1_ps;
    zero: _mm256_setzero_pd, _mm256_setzero_ps;
    fma: _mm256_fmadd_pd, _mm256_fmadd_ps;
    fmaddsub: _mm256_fmaddsub_pd, _mm256_fmaddsub_ps;
    mul: _mm256_mul_pd, _mm256_mul_ps;
    add: _mm256_add_pd, _mm256_add_ps;
    swap: _mm256_permute_pd::<0b0101>, _mm256_permute_ps::<0b1011_0001>;
    abs: |v| _mm256_andnot_pd(_mm256_set1_pd(-0.0), v),
         |v| _mm256_andnot_ps(_mm256_set1_ps(-0.0), v);
    hsum: |v| {
            let s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
            _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
        },
        |v| {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)))
        };
    gt: |a, b| _mm256_cmp_pd::<_CMP_GT_OQ>(a, b), |a, b| _mm256_cmp_ps::<_CMP_GT_OQ>(a, b);
    lt: |a, b| _mm256_cmp_pd::<_CMP_LT_OQ>(a, b), |a, b| _mm256_cmp_ps::<_CMP_LT_OQ>(a, b);
    keep: |m, v| _mm256_and_pd(m, v), |m, v| _mm256_and_ps(m, v);
    drop: |m1, m2, v| _mm256_andnot_pd(_mm256_or_pd(m1, m2), v),
          |m1, m2, v| _mm256_andnot_ps(_mm256_or_ps(m1, m2), v);
    dup_even: |p| _mm256_movedup_pd(_mm256_loadu_pd(p)),
              |p| _mm256_moveldup_ps(_mm256_loadu_ps(p));
    dup_odd: |p: *const f64| _mm256_movedup_pd(_mm256_loadu_pd(p.add(1))),
             |p| _mm256_movehdup_ps(_mm256_loadu_ps(p));
    dup_odd_of: _mm256_permute_pd::<0b1111>, _mm256_movehdup_ps;
    pair: |p: *const f64| {
              let x = _mm_loadu_pd(p);
              _mm256_set_m128d(x, x)
          },
          |p: *const f32| _mm256_castpd_ps(_mm256_set1_pd((p as *const f64).read_unaligned()));
    zip_lo: _mm256_unpacklo_pd,
            |e, o| {
                let (t0, t1) = (_mm256_unpacklo_ps(e, o), _mm256_unpackhi_ps(e, o));
                _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)))
            };
    zip_hi: _mm256_unpackhi_pd,
            |e, o| {
                let (t0, t1) = (_mm256_unpacklo_ps(e, o), _mm256_unpackhi_ps(e, o));
                _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t1)))
            };
}

/// The AVX2 lane mask (for `_mm256_maskload_pd` and its kin) of the first `n` of 4 lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn avx2_first_lanes_64(n: usize) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    _mm256_cmpgt_epi64(_mm256_set1_epi64x(n as i64), _mm256_setr_epi64x(0, 1, 2, 3))
}

/// The AVX2 lane mask of the first `n` of 8 lanes.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn avx2_first_lanes_32(n: usize) -> std::arch::x86_64::__m256i {
    use std::arch::x86_64::*;
    _mm256_cmpgt_epi32(
        _mm256_set1_epi32(n as i32),
        _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
    )
}

/// The half-width operations of each precision for the tiny twins' left-over rows (see
/// `real_tiny!`): none narrower here, so the twins use the full width.
pub(crate) mod half {
    pub(crate) use super::avx2_f32;
    pub(crate) use super::avx2_f64;
}

kernel_set! {
    /// The HASWELL table (block sizes in the range BLIS uses for this core).
    HASWELL, "avx2,fma";
    // `real`, not `pairs` (see simd_macros.rs): with 16 ymm registers the pair loop needs 17
    // (12 accumulators, 4 duplicated A vectors, 1 B pair) and spills; measured 12-30% slower.
    s: real sgemm_haswell_16x6(avx2_f32, mv 2, nr 6), mc 144, kc 256, nc 4080;
    // MC measured, not guessed (docs/bench-blocking.txt, AMD EPYC/Zen under KVM): 512 rows of A
    // per block (1 MiB with kc 256, OpenBLAS's P for this core) against 72: +15..18% at
    // n = 2048..3072, -2.5% at n = 256..1024. MC changes no result: only KC cuts the sums.
    d: real dgemm_haswell_8x6(avx2_f64, mv 2, nr 6), mc 512, kc 256, nc 4080;
    c: complex cgemm_haswell_8x3(avx2_f32, mv 2, nr 3), mc 72, kc 256, nc 4080;
    z: complex zgemm_haswell_4x3(avx2_f64, mv 2, nr 3), mc 72, kc 256, nc 4080;
}

/// Whether this CPU can run the HASWELL table.
pub fn supported() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

//! SKYLAKEX (AVX-512F, 512-bit): the operation sets its SIMD code is written against, its
//! microkernels and the SKYLAKEX table (see `simd_macros.rs`). The same macros as HASWELL's with
//! other widths and intrinsics, so the AVX2 kernels tested on any AVX2 machine vouch for the
//! shape of these.

use super::{KernelSet, Ukr};

isa_ops! {
    "avx512f";
    avx512_f64: f64, __m512d, 8 lanes, mask __mmask8;
    avx512_f32: f32, __m512, 16 lanes, mask __mmask16;
    load: _mm512_loadu_pd, _mm512_loadu_ps;
    store: _mm512_storeu_pd, _mm512_storeu_ps;
    load_first: |p, n: usize| _mm512_maskz_loadu_pd(((1u32 << n) - 1) as __mmask8, p),
                |p, n: usize| _mm512_maskz_loadu_ps(((1u32 << n) - 1) as __mmask16, p);
    store_first: |p, v, n: usize| _mm512_mask_storeu_pd(p, ((1u32 << n) - 1) as __mmask8, v),
                 |p, v, n: usize| _mm512_mask_storeu_ps(p, ((1u32 << n) - 1) as __mmask16, v);
    splat: _mm512_set1_pd, _mm512_set1_ps;
    zero: _mm512_setzero_pd, _mm512_setzero_ps;
    fma: _mm512_fmadd_pd, _mm512_fmadd_ps;
    fmaddsub: _mm512_fmaddsub_pd, _mm512_fmaddsub_ps;
    mul: _mm512_mul_pd, _mm512_mul_ps;
    add: _mm512_add_pd, _mm512_add_ps;
    swap: _mm512_permute_pd::<0b0101_0101>, _mm512_permute_ps::<0b1011_0001>;
    abs: _mm512_abs_pd, _mm512_abs_ps;
    hsum: _mm512_reduce_add_pd, _mm512_reduce_add_ps;
    gt: |a, b| _mm512_cmp_pd_mask::<_CMP_GT_OQ>(a, b),
        |a, b| _mm512_cmp_ps_mask::<_CMP_GT_OQ>(a, b);
    lt: |a, b| _mm512_cmp_pd_mask::<_CMP_LT_OQ>(a, b),
        |a, b| _mm512_cmp_ps_mask::<_CMP_LT_OQ>(a, b);
    keep: |m, v| _mm512_maskz_mov_pd(m, v), |m, v| _mm512_maskz_mov_ps(m, v);
    drop: |m1: __mmask8, m2: __mmask8, v| _mm512_maskz_mov_pd(!(m1 | m2), v),
          |m1: __mmask16, m2: __mmask16, v| _mm512_maskz_mov_ps(!(m1 | m2), v);
    dup_even: |p| _mm512_movedup_pd(_mm512_loadu_pd(p)),
              |p| _mm512_moveldup_ps(_mm512_loadu_ps(p));
    dup_odd: |p: *const f64| _mm512_movedup_pd(_mm512_loadu_pd(p.add(1))),
             |p| _mm512_movehdup_ps(_mm512_loadu_ps(p));
    dup_odd_of: _mm512_permute_pd::<0xff>, _mm512_movehdup_ps;
    pair: |p: *const f64| {
              let x = _mm_castpd_ps(_mm_loadu_pd(p));
              _mm512_castps_pd(_mm512_broadcast_f32x4(x))
          },
          |p: *const f32| _mm512_castpd_ps(_mm512_set1_pd((p as *const f64).read_unaligned()));
    zip_lo: _mm512_unpacklo_pd,
            |e, o| {
                let (t0, t1) = (_mm512_unpacklo_ps(e, o), _mm512_unpackhi_ps(e, o));
                _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1)))
            };
    zip_hi: _mm512_unpackhi_pd,
            |e, o| {
                let (t0, t1) = (_mm512_unpacklo_ps(e, o), _mm512_unpackhi_ps(e, o));
                _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t1)))
            };
}

/// The half-width operations of each precision for the tiny twins' left-over rows (see
/// `real_tiny!`): AVX2's, under the AVX-512 modules' names.
pub(crate) mod half {
    pub(crate) use super::super::haswell::avx2_f32 as avx512_f32;
    pub(crate) use super::super::haswell::avx2_f64 as avx512_f64;
}

kernel_set! {
    /// The SKYLAKEX table. The real kernels take B in column pairs: +2..5% on dgemm
    /// n = 256..3072 side by side against `real`. Their depth blocks were measured with those
    /// kernels (Sapphire Rapids guest, 1 thread, against kc 256): d kc 384 / mc 192 (OpenBLAS's
    /// Q and P for this core) +3..9% at n = 2048..3072; s kc 512 +2..6%. With the next-B
    /// prefetch in place: c kc 384 +4..8% at n = 2048, z mc 144 +3..9% at 2048..3072 (a pair
    /// loop for the complex kernels measured no faster).
    SKYLAKEX, "avx512f";
    s: pairs sgemm_skylakex_32x12(avx512_f32, mv 2, nr 12), mc 288, kc 512, nc 3744;
    d: pairs dgemm_skylakex_16x12(avx512_f64, mv 2, nr 12), mc 192, kc 384, nc 3744;
    c: complex cgemm_skylakex_16x6(avx512_f32, mv 2, nr 6), mc 144, kc 384, nc 3744;
    z: complex zgemm_skylakex_8x6(avx512_f64, mv 2, nr 6), mc 144, kc 256, nc 3744;
}

/// Whether this CPU can run the SKYLAKEX table.
pub fn supported() -> bool {
    is_x86_feature_detected!("avx512f")
}

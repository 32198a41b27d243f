//! SKYLAKEX microkernels (AVX-512F, 512-bit) and the SKYLAKEX table.

use super::{KernelSet, Ukr};
use std::arch::x86_64::*;

#[target_feature(enable = "avx512f")]
#[inline]
fn swap_pd(x: __m512d) -> __m512d {
    _mm512_permute_pd::<0b0101_0101>(x)
}
#[target_feature(enable = "avx512f")]
#[inline]
fn swap_ps(x: __m512) -> __m512 {
    _mm512_permute_ps::<0b1011_0001>(x)
}

real_ukr!(
    sgemm_skylakex_32x12,
    "avx512f",
    f32,
    __m512,
    16,
    2,
    12,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    _mm512_mul_ps,
    _mm512_setzero_ps
);
real_ukr!(
    dgemm_skylakex_16x12,
    "avx512f",
    f64,
    __m512d,
    8,
    2,
    12,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_set1_pd,
    _mm512_fmadd_pd,
    _mm512_mul_pd,
    _mm512_setzero_pd
);
complex_ukr!(
    cgemm_skylakex_16x6,
    "avx512f",
    f32,
    __m512,
    16,
    2,
    6,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_set1_ps,
    _mm512_fmadd_ps,
    _mm512_mul_ps,
    _mm512_add_ps,
    _mm512_setzero_ps,
    swap_ps,
    _mm512_fmaddsub_ps
);
complex_ukr!(
    zgemm_skylakex_8x6,
    "avx512f",
    f64,
    __m512d,
    8,
    2,
    6,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_set1_pd,
    _mm512_fmadd_pd,
    _mm512_mul_pd,
    _mm512_add_pd,
    _mm512_setzero_pd,
    swap_pd,
    _mm512_fmaddsub_pd
);

/// Whether this CPU can run the SKYLAKEX table.
pub fn supported() -> bool {
    is_x86_feature_detected!("avx512f")
}

/// The SKYLAKEX table (block sizes in the range BLIS uses for this core).
pub static SKYLAKEX: KernelSet = KernelSet {
    name: "SKYLAKEX",
    s: Ukr {
        name: "sgemm_skylakex_32x12",
        mr: 32,
        nr: 12,
        mc: 288,
        kc: 256,
        nc: 3744,
        func: sgemm_skylakex_32x12,
        tiny: super::tiny::fused_real::<f32>,
    },
    d: Ukr {
        name: "dgemm_skylakex_16x12",
        mr: 16,
        nr: 12,
        mc: 144,
        kc: 256,
        nc: 3744,
        func: dgemm_skylakex_16x12,
        tiny: super::tiny::fused_real::<f64>,
    },
    c: Ukr {
        name: "cgemm_skylakex_16x6",
        mr: 16,
        nr: 6,
        mc: 144,
        kc: 256,
        nc: 3744,
        func: cgemm_skylakex_16x6,
        tiny: super::tiny::fused_complex::<f32>,
    },
    z: Ukr {
        name: "zgemm_skylakex_8x6",
        mr: 8,
        nr: 6,
        mc: 72,
        kc: 256,
        nc: 3744,
        func: zgemm_skylakex_8x6,
        tiny: super::tiny::fused_complex::<f64>,
    },
};

//! HASWELL microkernels (AVX2 + FMA, 256-bit) and the HASWELL table.

use super::{KernelSet, Ukr};
use std::arch::x86_64::*;

#[target_feature(enable = "avx2,fma")]
#[inline]
fn swap_pd(x: __m256d) -> __m256d {
    _mm256_permute_pd::<0b0101>(x)
}
#[target_feature(enable = "avx2,fma")]
#[inline]
fn swap_ps(x: __m256) -> __m256 {
    _mm256_permute_ps::<0b1011_0001>(x)
}

real_ukr!(
    sgemm_haswell_16x6,
    "avx2,fma",
    f32,
    __m256,
    8,
    2,
    6,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps,
    _mm256_fmadd_ps,
    _mm256_mul_ps,
    _mm256_setzero_ps
);
real_ukr!(
    dgemm_haswell_8x6,
    "avx2,fma",
    f64,
    __m256d,
    4,
    2,
    6,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_set1_pd,
    _mm256_fmadd_pd,
    _mm256_mul_pd,
    _mm256_setzero_pd
);
complex_ukr!(
    cgemm_haswell_8x3,
    "avx2,fma",
    f32,
    __m256,
    8,
    2,
    3,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_set1_ps,
    _mm256_fmadd_ps,
    _mm256_mul_ps,
    _mm256_add_ps,
    _mm256_setzero_ps,
    swap_ps,
    _mm256_fmaddsub_ps
);
complex_ukr!(
    zgemm_haswell_4x3,
    "avx2,fma",
    f64,
    __m256d,
    4,
    2,
    3,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_set1_pd,
    _mm256_fmadd_pd,
    _mm256_mul_pd,
    _mm256_add_pd,
    _mm256_setzero_pd,
    swap_pd,
    _mm256_fmaddsub_pd
);

/// Whether this CPU can run the HASWELL table.
pub fn supported() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
}

/// The HASWELL table (block sizes in the range BLIS uses for this core).
pub static HASWELL: KernelSet = KernelSet {
    name: "HASWELL",
    s: Ukr {
        name: "sgemm_haswell_16x6",
        mr: 16,
        nr: 6,
        mc: 144,
        kc: 256,
        nc: 4080,
        func: sgemm_haswell_16x6,
        tiny: super::tiny::fused_real::<f32>,
    },
    d: Ukr {
        name: "dgemm_haswell_8x6",
        mr: 8,
        nr: 6,
        // Measured, not guessed (docs/bench-blocking.txt, AMD EPYC/Zen under KVM): 512 rows of
        // A per block (1 MiB with kc 256, OpenBLAS's P for this core) against 72: +15..18% at
        // n = 2048..3072, -2.5% at n = 256..1024. MC changes no result: only KC cuts the sums.
        mc: 512,
        kc: 256,
        nc: 4080,
        func: dgemm_haswell_8x6,
        tiny: super::tiny::fused_real::<f64>,
    },
    c: Ukr {
        name: "cgemm_haswell_8x3",
        mr: 8,
        nr: 3,
        mc: 72,
        kc: 256,
        nc: 4080,
        func: cgemm_haswell_8x3,
        tiny: super::tiny::fused_complex::<f32>,
    },
    z: Ukr {
        name: "zgemm_haswell_4x3",
        mr: 4,
        nr: 3,
        mc: 72,
        kc: 256,
        nc: 4080,
        func: zgemm_haswell_4x3,
        tiny: super::tiny::fused_complex::<f64>,
    },
};

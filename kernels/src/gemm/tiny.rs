//! Tiny products (a few elements each way) without packing, register tiles or scratch tiles:
//! plain loops over the elements of C that perform, for every element, exactly the operations
//! the table's microkernel performs for it, in the same order. The result is therefore bitwise
//! the one the tiled path gives (see "Reproducibility" in the parent module), at a fraction of
//! its fixed cost, which dominates below about 8 x 8 x 8.
//!
//! Each table names its tiny twin beside each microkernel (`Ukr::tiny`). Two arithmetics exist:
//! - `plain`: the GENERIC kernels, `acc += a * b` from zero, then `alpha * acc` or
//!   `alpha * acc + beta * c`, every operation rounded on its own (complex products as
//!   `Complex::mul` computes them);
//! - `fused_real` / `fused_complex`: the x86 kernels of `simd_macros.rs` (HASWELL, SKYLAKEX):
//!   one fused multiply-add chain per element, `fma(alpha, acc, beta * c)` at the end; complex
//!   elements as four real chains (`re*re`, `im*re`, `re*im`, `im*im`) combined by the kernel's
//!   `fmaddsub` steps, reproduced here one lane at a time.
//!
//! Depth is cut at the table's KC exactly as in the tiled loops: each depth block starts a new
//! chain from zero and adds onto the previous blocks' result with beta = 1.

use super::MatRef;
use crate::scalar::{Complex, Real, Scalar};

/// A tiny-product routine: C := alpha * op(A) * op(B) + beta * C for an m x n block of C
/// (column-major, `ldc`), depth `k` cut every `kc`; alpha != 0 and k > 0 (the caller scales C
/// otherwise). C is not read when beta == 0.
pub type TinyFn<T> = unsafe fn(
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
);

/// Rows of C computed together: their chains are independent, so the CPU overlaps them (one
/// chain alone waits out the latency of every multiply-add).
const GROUP: usize = 4;

/// Calls `rows(i, count, j, depth_from, depth_to, beta_of_this_block)` for every group of up to
/// `GROUP` rows `i..i+count` of column `j` and every depth block, visiting the depth blocks in
/// the tiled path's order.
#[inline(always)]
fn for_each_group<T: Scalar>(
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    beta: T,
    mut rows: impl FnMut(usize, usize, usize, usize, usize, T),
) {
    let kc = kc.max(1);
    for j in 0..n {
        for i in (0..m).step_by(GROUP) {
            let count = GROUP.min(m - i);
            let mut p0 = 0;
            while p0 < k {
                let p1 = (p0 + kc).min(k);
                let beta_here = if p0 == 0 { beta } else { T::one() };
                rows(i, count, j, p0, p1, beta_here);
                p0 = p1;
            }
        }
    }
}

/// GENERIC's arithmetic (`generic::ukr_generic`).
///
/// # Safety
/// See `TinyFn`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn plain<T: Scalar>(
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    for_each_group(m, n, k, kc, beta, |i, count, j, p0, p1, beta| {
        let mut acc = [T::zero(); GROUP];
        // SAFETY: operands and C as the caller guarantees; rows i..i+count are inside.
        unsafe {
            for l in p0..p1 {
                let y = b.at(l, j);
                for (r, acc) in acc.iter_mut().enumerate().take(count) {
                    *acc += a.at(i + r, l) * y;
                }
            }
            for (r, &acc) in acc.iter().enumerate().take(count) {
                let cij = c.add(i + r + j * ldc);
                *cij = if beta.is_zero() {
                    alpha * acc
                } else {
                    alpha * acc + beta * *cij
                };
            }
        }
    })
}

/// A real type with fused multiply-add and multiply-subtract, for the FMA tables' arithmetic.
pub trait FusedReal: Real {
    /// `self * b + c`, rounded once.
    fn fma(self, b: Self, c: Self) -> Self;
    /// `self * b - c`, rounded once, as the instruction computes it: a NaN in `c` comes out
    /// with its own sign (negating `c` first and adding would flip it, and the tiled path's
    /// `fmaddsub` lanes do not).
    fn fms(self, b: Self, c: Self) -> Self;
}

macro_rules! fused_real_impl {
    ($t:ty, $set:ident, $fmsub:ident, $get:ident) => {
        impl FusedReal for $t {
            #[inline(always)]
            fn fma(self, b: Self, c: Self) -> Self {
                self.mul_add(b, c)
            }
            #[inline(always)]
            fn fms(self, b: Self, c: Self) -> Self {
                #[cfg(target_arch = "x86_64")]
                {
                    use std::arch::x86_64::{$fmsub, $get, $set};
                    // SAFETY: only reached from the FMA tables' routines, which run on CPUs
                    // with FMA (their tables are chosen only then).
                    unsafe { $get($fmsub($set(self), $set(b), $set(c))) }
                }
                #[cfg(not(target_arch = "x86_64"))]
                {
                    self.mul_add(b, -c)
                }
            }
        }
    };
}
fused_real_impl!(f32, _mm_set_ss, _mm_fmsub_ss, _mm_cvtss_f32);
fused_real_impl!(f64, _mm_set_sd, _mm_fmsub_sd, _mm_cvtsd_f64);

/// The real x86 kernels' arithmetic (`real_ukr_body!`). Compiled with FMA enabled so that
/// `mul_add` is the instruction, not a library call; only FMA tables (whose CPUs have it) use it.
///
/// # Safety
/// See `TinyFn`; the CPU supports FMA.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "fma"))]
pub unsafe fn fused_real<R: FusedReal>(
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    alpha: R,
    a: MatRef<R>,
    b: MatRef<R>,
    beta: R,
    c: *mut R,
    ldc: usize,
) {
    for_each_group(m, n, k, kc, beta, |i, count, j, p0, p1, beta| {
        let mut acc = [R::zero(); GROUP];
        // SAFETY: operands and C as the caller guarantees; rows i..i+count are inside.
        unsafe {
            for l in p0..p1 {
                let y = b.at(l, j);
                for (r, acc) in acc.iter_mut().enumerate().take(count) {
                    *acc = a.at(i + r, l).fma(y, *acc);
                }
            }
            for (r, &acc) in acc.iter().enumerate().take(count) {
                let cij = c.add(i + r + j * ldc);
                *cij = if beta.is_zero() {
                    alpha * acc
                } else if beta.is_one() {
                    alpha.fma(acc, *cij)
                } else {
                    alpha.fma(acc, beta * *cij)
                };
            }
        }
    })
}

/// The complex x86 kernels' arithmetic (`complex_ukr_body!`), lane by lane: the even (real)
/// lane of `fmaddsub(x, s, y)` is `fms(x, s, y)`, the odd (imaginary) lane `fma(x, s, y)`.
///
/// # Safety
/// See `TinyFn`; the CPU supports FMA.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "fma"))]
pub unsafe fn fused_complex<R: FusedReal>(
    m: usize,
    n: usize,
    k: usize,
    kc: usize,
    alpha: Complex<R>,
    a: MatRef<Complex<R>>,
    b: MatRef<Complex<R>>,
    beta: Complex<R>,
    c: *mut Complex<R>,
    ldc: usize,
) where
    Complex<R>: Scalar,
{
    let one = R::one();
    // x * (s.re + i s.im) as the kernels' `cmul!`: fmaddsub(x, s.re, swap(x) * s.im).
    let cmul = |x: Complex<R>, s: Complex<R>| {
        Complex::new(x.re.fms(s.re, x.im * s.im), x.im.fma(s.re, x.re * s.im))
    };
    for_each_group(m, n, k, kc, beta, |i, count, j, p0, p1, beta| {
        // The kernel's two accumulators per element: cr = sum a * b.re, ci = sum a * b.im, each
        // a (re, im) pair of lanes.
        let mut cr = [Complex::new(R::zero(), R::zero()); GROUP];
        let mut ci = cr;
        // SAFETY: operands and C as the caller guarantees; rows i..i+count are inside.
        unsafe {
            for l in p0..p1 {
                let y = b.at(l, j);
                for r in 0..count {
                    let x = a.at(i + r, l);
                    cr[r] = Complex::new(x.re.fma(y.re, cr[r].re), x.im.fma(y.re, cr[r].im));
                    ci[r] = Complex::new(x.re.fma(y.im, ci[r].re), x.im.fma(y.im, ci[r].im));
                }
            }
            for r in 0..count {
                // ab = fmaddsub(cr, 1, swap(ci)).
                let ab = Complex::new(cr[r].re.fms(one, ci[r].im), cr[r].im.fma(one, ci[r].re));
                let t = cmul(ab, alpha);
                let cij = c.add(i + r + j * ldc);
                *cij = if beta.is_zero() {
                    t
                } else {
                    let old = cmul(*cij, beta);
                    Complex::new(old.re + t.re, old.im + t.im)
                };
            }
        }
    })
}

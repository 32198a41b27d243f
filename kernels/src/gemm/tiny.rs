//! Tiny products (a few elements each way) without packing, register tiles or scratch tiles:
//! plain loops over the elements of C that perform, for every element, exactly the operations
//! the table's microkernel performs for it, in the same order. The result is therefore bitwise
//! the one the tiled path gives (see "Reproducibility" in the parent module), at a fraction of
//! its fixed cost, which dominates below about 8 x 8 x 8.
//!
//! Each table names its tiny twin beside each microkernel (`Ukr::tiny`). Two arithmetics exist,
//! each a `Chain` (the operations of one element of C) run by the same loops (`rows`):
//! - `plain` (`Plain`): the GENERIC kernels, `acc += a * b` from zero, then `alpha * acc` or
//!   `alpha * acc + beta * c`, every operation rounded on its own (complex products as
//!   `Complex::mul` computes them);
//! - `fused` (`Fused`): the x86 kernels of `simd_macros.rs` (HASWELL, SKYLAKEX):
//!   one fused multiply-add chain per element, `fma(alpha, acc, beta * c)` at the end; complex
//!   elements as four real chains (`re*re`, `im*re`, `re*im`, `im*im`) combined by the kernel's
//!   `fmaddsub` steps, reproduced here one lane at a time.
//!
//! The x86 tables' twins (`real_tiny!`, `complex_tiny!` in `simd_macros.rs`) run a column-major
//! op(A) as the kernel's own vector loop on C's rows in place instead, and take small products
//! too (up to 64 x 64, `small_ok` in the parent module), where packing A's edge panel and
//! scratch tiles for C's edges cost a visible part of the work; other operands come here.
//!
//! Depth is cut at the table's KC exactly as in the tiled loops: each depth block starts a new
//! chain from zero and adds onto the previous blocks' result with beta = 1.

use super::MatRef;
use crate::scalar::{Complex, Real, Scalar};

/// A tiny-product routine: C := alpha * op(A) * op(B) + beta * C for an m x n block of C
/// (column-major, `ldc`), depth `k` cut every `kc`; alpha != 0 and k > 0 (the caller scales C
/// otherwise). C is not read when beta == 0.
///
/// `small`: the product is past the tiny sizes and only offered (see `gemm_with_path`): the
/// routine runs it only if its loops beat the tiles there (the x86 real twins do, for a
/// column-major op(A): `real_tiny!` in `simd_macros.rs`) and says whether it ran. With `small`
/// false it always runs and returns true.
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
    small: bool,
) -> bool;

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

/// The operations the microkernel of one arithmetic performs for one element of C.
pub trait Chain<T> {
    /// What the kernel accumulates for an element over the depth.
    type Acc: Copy;
    /// The accumulator before the first depth index.
    fn zero() -> Self::Acc;
    /// Adds `a * b` (one depth index) to `acc`.
    fn step(acc: &mut Self::Acc, a: T, b: T);
    /// Writes the element: `alpha * acc` when beta == 0 (C not read), else with `beta * c`
    /// added as the kernel adds it.
    ///
    /// # Safety
    /// `c` addresses one writable element.
    unsafe fn store(acc: Self::Acc, alpha: T, beta: T, c: *mut T);
}

/// GENERIC's arithmetic (`generic::ukr_generic`).
pub struct Plain;

impl<T: Scalar> Chain<T> for Plain {
    type Acc = T;
    #[inline(always)]
    fn zero() -> T {
        T::zero()
    }
    #[inline(always)]
    fn step(acc: &mut T, a: T, b: T) {
        *acc += a * b;
    }
    #[inline(always)]
    unsafe fn store(acc: T, alpha: T, beta: T, c: *mut T) {
        // SAFETY: forwarded contract.
        unsafe {
            *c = if beta.is_zero() {
                alpha * acc
            } else {
                alpha * acc + beta * *c
            };
        }
    }
}

/// The x86 kernels' arithmetic: real elements as `real_ukr_body!`, complex ones as
/// `complex_ukr_body!` lane by lane (the even (real) lane of `fmaddsub(x, s, y)` is
/// `fms(x, s, y)`, the odd (imaginary) lane `fma(x, s, y)`).
pub struct Fused;

impl<R: FusedReal> Chain<R> for Fused {
    type Acc = R;
    #[inline(always)]
    fn zero() -> R {
        R::zero()
    }
    #[inline(always)]
    fn step(acc: &mut R, a: R, b: R) {
        *acc = a.fma(b, *acc);
    }
    #[inline(always)]
    unsafe fn store(acc: R, alpha: R, beta: R, c: *mut R) {
        // SAFETY: forwarded contract.
        unsafe {
            *c = if beta.is_zero() {
                alpha * acc
            } else if beta.is_one() {
                alpha.fma(acc, *c)
            } else {
                alpha.fma(acc, beta * *c)
            };
        }
    }
}

/// x * (s.re + i s.im) as the complex kernels' `cscale!`: fmaddsub(x, s.re, swap(x) * s.im),
/// or x * s.re for a real s.
#[inline(always)]
fn fused_scale<R: FusedReal>(x: Complex<R>, s: Complex<R>) -> Complex<R> {
    if s.im.is_zero() {
        Complex::new(x.re * s.re, x.im * s.re)
    } else {
        Complex::new(x.re.fms(s.re, x.im * s.im), x.im.fma(s.re, x.re * s.im))
    }
}

impl<R: FusedReal> Chain<Complex<R>> for Fused
where
    Complex<R>: Scalar,
{
    /// The kernel's two accumulators per element: cr = sum a * b.re, ci = sum a * b.im, each a
    /// (re, im) pair of lanes.
    type Acc = (Complex<R>, Complex<R>);
    #[inline(always)]
    fn zero() -> Self::Acc {
        let z = Complex::new(R::zero(), R::zero());
        (z, z)
    }
    #[inline(always)]
    fn step((cr, ci): &mut Self::Acc, x: Complex<R>, y: Complex<R>) {
        *cr = Complex::new(x.re.fma(y.re, cr.re), x.im.fma(y.re, cr.im));
        *ci = Complex::new(x.re.fma(y.im, ci.re), x.im.fma(y.im, ci.im));
    }
    #[inline(always)]
    unsafe fn store((cr, ci): Self::Acc, alpha: Complex<R>, beta: Complex<R>, c: *mut Complex<R>) {
        let one = R::one();
        // ab = fmaddsub(cr, 1, swap(ci)).
        let ab = Complex::new(cr.re.fms(one, ci.im), cr.im.fma(one, ci.re));
        let t = fused_scale(ab, alpha);
        // SAFETY: forwarded contract.
        unsafe {
            *c = if beta.is_zero() {
                t
            } else {
                let old = fused_scale(*c, beta);
                Complex::new(old.re + t.re, old.im + t.im)
            };
        }
    }
}

/// The tiny product with arithmetic `A` (see `TinyFn`): for every group of rows and depth
/// block, one `A` chain per element, the rows of a group side by side.
///
/// # Safety
/// See `TinyFn`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn rows<T: Scalar, A: Chain<T>>(
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
        let mut acc = [A::zero(); GROUP];
        // SAFETY: operands and C as the caller guarantees; rows i..i+count are inside.
        unsafe {
            for l in p0..p1 {
                let y = b.at(l, j);
                for (r, acc) in acc.iter_mut().enumerate().take(count) {
                    A::step(acc, a.at(i + r, l), y);
                }
            }
            for (r, &acc) in acc.iter().enumerate().take(count) {
                A::store(acc, alpha, beta, c.add(i + r + j * ldc));
            }
        }
    })
}

/// GENERIC's arithmetic (`Plain`), compiled for the baseline ISA.
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
    small: bool,
) -> bool {
    if small {
        return false;
    }
    // SAFETY: forwarded contract.
    unsafe { rows::<T, Plain>(m, n, k, kc, alpha, a, b, beta, c, ldc) };
    true
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

/// The x86 kernels' arithmetic (`Fused`), real or complex. Compiled with FMA enabled so that
/// `mul_add` is the instruction, not a library call; only FMA tables (whose CPUs have it) use it.
///
/// # Safety
/// See `TinyFn`; the CPU supports FMA.
#[allow(clippy::too_many_arguments)]
#[cfg_attr(target_arch = "x86_64", target_feature(enable = "fma"))]
pub unsafe fn fused<T: Scalar>(
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
    small: bool,
) -> bool
where
    Fused: Chain<T>,
{
    if small {
        return false;
    }
    // SAFETY: forwarded contract.
    unsafe { rows::<T, Fused>(m, n, k, kc, alpha, a, b, beta, c, ldc) };
    true
}

//! Vector kernels behind levels 1 and 2: contiguous (unit-stride) axpy, dot, scal, the scaled
//! sums of squares of nrm2, and the two gemv shapes (column-blocked `y += A x`, row of dots
//! `r = A^T x`), in real and complex forms, one set per ISA.
//!
//! This module owns the per-ISA choice: `Isa::active()` follows the active microkernel table
//! (`arch::active()`: GENERIC -> portable Rust, HASWELL -> AVX2 + FMA, SKYLAKEX -> AVX-512F), so
//! a build restricted by `--cfg blastool_tables` never runs code of a table it does not contain.
//! `level1`/`level2` keep the argument checks, strided fallbacks and reference semantics and call
//! in here only for the contiguous inner loops. Every entry point takes an `Isa` so the tests can
//! exercise each ISA this CPU supports.
//!
//! Complex vectors are handled as interleaved (re, im) reals; `conj` flags conjugate the vector
//! or matrix operand (never the scalar).

mod portable;
#[cfg(target_arch = "x86_64")]
mod x86;

use crate::scalar::{Real, Scalar};
use std::any::TypeId;

/// The instruction set a kernel call runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// Portable Rust (the GENERIC table; baseline ISA only).
    Generic,
    /// AVX2 + FMA, 256-bit (the HASWELL table).
    Avx2,
    /// AVX-512F, 512-bit (the SKYLAKEX table).
    Avx512,
}

impl Isa {
    /// Every ISA, in the order of the tables.
    pub const ALL: [Isa; 3] = [Isa::Generic, Isa::Avx2, Isa::Avx512];

    /// The ISA of the active table.
    #[inline]
    pub fn active() -> Isa {
        Isa::of_table(crate::arch::active().name)
    }

    /// The ISA a table's kernels use.
    pub fn of_table(name: &str) -> Isa {
        match name {
            #[cfg(target_arch = "x86_64")]
            "HASWELL" => Isa::Avx2,
            #[cfg(target_arch = "x86_64")]
            "SKYLAKEX" => Isa::Avx512,
            _ => Isa::Generic,
        }
    }

    /// The table name of this ISA.
    pub fn table_name(self) -> &'static str {
        match self {
            Isa::Generic => "GENERIC",
            Isa::Avx2 => "HASWELL",
            Isa::Avx512 => "SKYLAKEX",
        }
    }

    /// Whether this CPU can run the ISA.
    pub fn supported(self) -> bool {
        match self {
            Isa::Generic => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => crate::gemm::haswell::supported(),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => crate::gemm::skylakex::supported(),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

/// One ISA's kernels for one real precision `R`. Lengths are in elements of the operand type
/// (complex elements for the `c*` kernels, whose pointers address interleaved reals); `lda` is in
/// elements of the operand type too. All pointers follow the usual contract: `n` (or `m` x `n`
/// with leading dimension `lda`) elements addressable, outputs writable and not aliasing inputs.
pub(crate) struct Kern<R> {
    /// y += alpha * x.
    pub axpy: unsafe fn(usize, R, *const R, *mut R),
    /// sum x_i * y_i.
    pub dot: unsafe fn(usize, *const R, *const R) -> R,
    /// x *= alpha.
    pub scal: unsafe fn(usize, R, *mut R),
    /// Blue's three scaled sums (small, medium, big) of |x_i|^2, see `NrmConsts`.
    pub sumsq: unsafe fn(usize, *const R, &NrmConsts<R>) -> [R; 3],
    /// y += A x (A m x n).
    pub gemv_n: unsafe fn(usize, usize, Mat<R>, *const R, *mut R),
    /// r_j = sum_i A_ij x_i (A m x n, r of length n).
    pub gemv_t: unsafe fn(usize, usize, Mat<R>, *const R, *mut R),
    /// `gemv_n` (y += A xn) and `gemv_t` (r = A^T xt) on the same A in one call, with the
    /// same results as the two calls (y, xt and r of length m, m, n; xn of length n).
    #[allow(clippy::type_complexity)]
    pub gemv_nt: unsafe fn(usize, usize, Mat<R>, *const R, *mut R, *const R, *mut R),
    /// y += alpha * op(x), op = conj when the flag is set.
    pub caxpy: unsafe fn(usize, [R; 2], *const R, *mut R, bool),
    /// sum op(x_i) * y_i.
    pub cdot: unsafe fn(usize, *const R, *const R, bool) -> [R; 2],
    /// x *= alpha.
    pub cscal: unsafe fn(usize, [R; 2], *mut R),
    /// y += op(A) x.
    pub cgemv_n: unsafe fn(usize, usize, Mat<R>, *const R, *mut R, bool),
    /// r_j = sum_i op(A_ij) x_i.
    pub cgemv_t: unsafe fn(usize, usize, Mat<R>, *const R, *mut R, bool),
}

/// The matrix operand of a gemv kernel: its first element and leading dimension (in elements of
/// the operand type, as in `Kern`). A pair, so that the kernels' signatures stay short enough to
/// share one shape and the pair still travels in two registers, as the two scalars did.
#[derive(Clone, Copy)]
pub(crate) struct Mat<R> {
    pub ptr: *const R,
    pub lda: usize,
}

/// Pointers to the `K` columns `j..j + K` of a column-major matrix whose columns are `stride`
/// reals apart (`lda`, or `2 * lda` for interleaved complex columns).
///
/// # Safety
/// The columns lie inside the matrix the caller addresses.
#[inline(always)]
pub(crate) unsafe fn columns<R, const K: usize>(
    a: *const R,
    stride: usize,
    j: usize,
) -> [*const R; K] {
    // SAFETY: forwarded contract.
    std::array::from_fn(|k| unsafe { a.add((j + k) * stride) })
}

/// Thresholds and scales of Blue's algorithm (the reference nrm2): |x| > `tbig` is summed as
/// (|x| * `sbig`)^2, |x| < `tsml` as (|x| * `ssml`)^2, the rest (and NaN) unscaled.
#[derive(Clone, Copy, Debug)]
pub struct NrmConsts<R> {
    pub tsml: R,
    pub tbig: R,
    pub ssml: R,
    pub sbig: R,
}

impl<R: Real> NrmConsts<R> {
    /// Adds x to Blue's sums `s` (small, medium, big) in scalar code: the portable kernel's
    /// loop and the SIMD kernels' tails, so every ISA classifies and scales an element alike.
    #[inline(always)]
    pub(crate) fn add_square(&self, s: &mut [R; 3], x: R) {
        let ax = x.abs();
        if ax > self.tbig {
            s[2] += (ax * self.sbig) * (ax * self.sbig);
        } else if ax < self.tsml {
            s[0] += (ax * self.ssml) * (ax * self.ssml);
        } else {
            s[1] += ax * ax;
        }
    }
}

fn is<A: 'static, B: 'static>() -> bool {
    TypeId::of::<A>() == TypeId::of::<B>()
}

/// The kernels of `isa` for real type `R` (f32 or f64, the only `Real`s).
#[inline(always)]
fn kern<R: Real>(isa: Isa) -> &'static Kern<R> {
    let p = match isa {
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => of_precision::<R>(&x86::AVX2_F64, &x86::AVX2_F32),
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => of_precision::<R>(&x86::AVX512_F64, &x86::AVX512_F32),
        _ => of_precision::<R>(&portable::GENERIC_F64, &portable::GENERIC_F32),
    };
    // SAFETY: `of_precision` returned the table of the very type `R` (checked through TypeId).
    unsafe { &*(p as *const Kern<R>) }
}

/// The one of an ISA's two tables whose precision is `R`, type-erased (see `kern`).
#[inline(always)]
fn of_precision<R: Real>(f64s: &'static Kern<f64>, f32s: &'static Kern<f32>) -> *const () {
    if is::<R, f64>() {
        f64s as *const Kern<f64> as *const ()
    } else if is::<R, f32>() {
        f32s as *const Kern<f32> as *const ()
    } else {
        unreachable!("Real is implemented only for f32 and f64")
    }
}

/// `[re, im]` of a scalar.
#[inline(always)]
fn parts<T: Scalar>(v: T) -> [T::Real; 2] {
    [v.re(), v.im()]
}

/// The scalar with these parts (the imaginary part is dropped for real `T`).
#[inline(always)]
fn from_parts<T: Scalar>(p: [T::Real; 2]) -> T {
    let mut out = T::from_real(p[0]);
    if T::IS_COMPLEX {
        // SAFETY: complex scalars are `repr(C)` pairs (re, im) of `T::Real`.
        unsafe { *(&mut out as *mut T as *mut T::Real).add(1) = p[1] };
    }
    out
}

/// y += alpha * op(x) on contiguous vectors of `n` elements (op = conj when `conj_x`).
///
/// # Safety
/// `isa.supported()`; `x` and `y` address `n` elements, `y` writable, no overlap.
#[inline]
pub unsafe fn axpy<T: Scalar>(isa: Isa, n: usize, alpha: T, x: *const T, y: *mut T, conj_x: bool) {
    let k = kern::<T::Real>(isa);
    let (x, y) = (x as *const T::Real, y as *mut T::Real);
    // SAFETY: forwarded contract.
    unsafe {
        if T::IS_COMPLEX {
            (k.caxpy)(n, parts(alpha), x, y, conj_x)
        } else {
            (k.axpy)(n, alpha.re(), x, y)
        }
    }
}

/// sum op(x_i) * y_i on contiguous vectors (op = conj when `conj_x`).
///
/// # Safety
/// `isa.supported()`; `x` and `y` address `n` elements.
#[inline]
pub unsafe fn dot<T: Scalar>(isa: Isa, n: usize, x: *const T, y: *const T, conj_x: bool) -> T {
    let k = kern::<T::Real>(isa);
    let (x, y) = (x as *const T::Real, y as *const T::Real);
    // SAFETY: forwarded contract.
    unsafe {
        if T::IS_COMPLEX {
            from_parts((k.cdot)(n, x, y, conj_x))
        } else {
            T::from_real((k.dot)(n, x, y))
        }
    }
}

/// x := alpha * x on a contiguous vector.
///
/// # Safety
/// `isa.supported()`; `x` addresses `n` writable elements.
#[inline]
pub unsafe fn scal<T: Scalar>(isa: Isa, n: usize, alpha: T, x: *mut T) {
    let k = kern::<T::Real>(isa);
    let xr = x as *mut T::Real;
    // SAFETY: forwarded contract.
    unsafe {
        if T::IS_COMPLEX {
            (k.cscal)(n, parts(alpha), xr)
        } else {
            (k.scal)(n, alpha.re(), xr)
        }
    }
}

/// x := alpha * x with a real alpha on a contiguous vector of any type.
///
/// # Safety
/// `isa.supported()`; `x` addresses `n` writable elements.
#[inline]
pub unsafe fn rscal<T: Scalar>(isa: Isa, n: usize, alpha: T::Real, x: *mut T) {
    let len = if T::IS_COMPLEX { 2 * n } else { n };
    // SAFETY: forwarded contract; a complex vector is 2n contiguous reals.
    unsafe { (kern::<T::Real>(isa).scal)(len, alpha, x as *mut T::Real) }
}

/// Blue's scaled sums of squares (small, medium, big) over `n` contiguous reals.
///
/// # Safety
/// `isa.supported()`; `x` addresses `n` elements.
#[inline]
pub unsafe fn sumsq<R: Real>(isa: Isa, n: usize, x: *const R, c: &NrmConsts<R>) -> [R; 3] {
    // SAFETY: forwarded contract.
    unsafe { (kern::<R>(isa).sumsq)(n, x, c) }
}

/// Sum of squares of `n` contiguous single-precision reals, accumulated in double precision.
/// A square of an `f32` is exact in `f64` and can neither overflow nor underflow there, so no
/// scaling is needed and the sum loses nothing that single precision could show: `snrm2` and
/// `scnrm2` take the square root of it and round once.
///
/// # Safety
/// `isa.supported()`; `x` addresses `n` elements.
#[inline]
pub unsafe fn sumsq_f32_wide(isa: Isa, n: usize, x: *const f32) -> f64 {
    // SAFETY: forwarded contract.
    unsafe {
        match isa {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => x86::sumsq_f32_wide_avx2(n, x),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => x86::sumsq_f32_wide_avx512(n, x),
            _ => portable::sumsq_f32_wide(n, x),
        }
    }
}

/// The public gemv entry points: both shapes take the same operands and differ only in the
/// kernel pair (real, complex) they dispatch to, so one definition stamps out both.
macro_rules! gemv_entry {
    ($(#[$doc:meta])* $name:ident, $real:ident, $complex:ident, $out:ident) => {
        $(#[$doc])*
        #[allow(clippy::too_many_arguments)]
        #[inline]
        pub unsafe fn $name<T: Scalar>(
            isa: Isa,
            m: usize,
            n: usize,
            a: *const T,
            lda: usize,
            x: *const T,
            $out: *mut T,
            conj_a: bool,
        ) {
            let k = kern::<T::Real>(isa);
            let a = Mat { ptr: a as *const T::Real, lda };
            let (x, out) = (x as *const T::Real, $out as *mut T::Real);
            // SAFETY: forwarded contract.
            unsafe {
                if T::IS_COMPLEX {
                    (k.$complex)(m, n, a, x, out, conj_a)
                } else {
                    (k.$real)(m, n, a, x, out)
                }
            }
        }
    };
}

gemv_entry!(
    /// y += op(A) x, A m x n column-major (leading dimension `lda`), x (n) and y (m) contiguous,
    /// op = conj when `conj_a` (element-wise; transposition is `gemv_t`).
    ///
    /// # Safety
    /// `isa.supported()`; operands addressable as described, y writable and not aliasing A or x.
    gemv_n,
    gemv_n,
    cgemv_n,
    y
);

gemv_entry!(
    /// r_j := sum_i op(A_ij) x_i for j < n, A m x n column-major, x (m) and r (n) contiguous.
    ///
    /// # Safety
    /// `isa.supported()`; operands addressable as described, r writable and not aliasing A or x.
    gemv_t,
    gemv_t,
    cgemv_t,
    r
);

/// `gemv_n(.., x_n, y, conj_a)` then `gemv_t(.., x_t, r, conj_t)` on the same A, in one pass
/// over A for real types (the kernels' `gemv_nt`, same bits as the two calls); complex types
/// make the two calls.
///
/// # Safety
/// As `gemv_n` and `gemv_t`; y and r alias neither each other, A, x_n nor x_t.
#[allow(clippy::too_many_arguments)]
#[inline]
pub unsafe fn gemv_nt<T: Scalar>(
    isa: Isa,
    m: usize,
    n: usize,
    a: *const T,
    lda: usize,
    (x_n, y): (*const T, *mut T),
    (x_t, r): (*const T, *mut T),
    (conj_a, conj_t): (bool, bool),
) {
    // SAFETY: forwarded contract.
    unsafe {
        if T::IS_COMPLEX {
            gemv_n(isa, m, n, a, lda, x_n, y, conj_a);
            gemv_t(isa, m, n, a, lda, x_t, r, conj_t);
        } else {
            let k = kern::<T::Real>(isa);
            let a = Mat {
                ptr: a as *const T::Real,
                lda,
            };
            (k.gemv_nt)(
                m,
                n,
                a,
                x_n as *const T::Real,
                y as *mut T::Real,
                x_t as *const T::Real,
                r as *mut T::Real,
            )
        }
    }
}

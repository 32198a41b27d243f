//! The element types (f32, f64, single and double complex) and the arithmetic the generic
//! routines need, so that every routine is written once for all four precisions.

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A complex number with the memory layout of Fortran `COMPLEX` and C `float _Complex`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Complex<R> {
    pub re: R,
    pub im: R,
}

/// Single-precision complex (`COMPLEX`).
pub type C32 = Complex<f32>;
/// Double-precision complex (`COMPLEX*16`).
pub type C64 = Complex<f64>;

impl<R: Real> Complex<R> {
    pub fn new(re: R, im: R) -> Self {
        Complex { re, im }
    }
}

impl<R: Real> Add for Complex<R> {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        Complex::new(self.re + o.re, self.im + o.im)
    }
}
impl<R: Real> Sub for Complex<R> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        Complex::new(self.re - o.re, self.im - o.im)
    }
}
impl<R: Real> Mul for Complex<R> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        Complex::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}
impl<R: Real> Div for Complex<R> {
    type Output = Self;
    /// Smith's algorithm, as gfortran uses for complex division: avoids overflow in |o|^2.
    #[inline]
    fn div(self, o: Self) -> Self {
        if o.re.abs() >= o.im.abs() {
            let r = o.im / o.re;
            let d = o.re + o.im * r;
            Complex::new((self.re + self.im * r) / d, (self.im - self.re * r) / d)
        } else {
            let r = o.re / o.im;
            let d = o.re * r + o.im;
            Complex::new((self.re * r + self.im) / d, (self.im * r - self.re) / d)
        }
    }
}
impl<R: Real> Neg for Complex<R> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Complex::new(-self.re, -self.im)
    }
}
impl<R: Real> AddAssign for Complex<R> {
    #[inline(always)]
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
impl<R: Real> SubAssign for Complex<R> {
    #[inline(always)]
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}
impl<R: Real> MulAssign for Complex<R> {
    #[inline(always)]
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}

/// Operations shared by every element type.
pub trait Scalar:
    Copy
    + Debug
    + Default
    + PartialEq
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
{
    /// The real type of the same precision.
    type Real: Real;
    const IS_COMPLEX: bool;
    /// The BLAS prefix letter (S, D, C, Z), used to build routine names for xerbla.
    const PREFIX: char;
    fn zero() -> Self;
    fn one() -> Self;
    fn from_real(r: Self::Real) -> Self;
    /// The number `re + i·im`; the real types take `re` alone (callers pass them `im = 0`).
    fn from_parts(re: Self::Real, im: Self::Real) -> Self;
    fn re(self) -> Self::Real;
    fn im(self) -> Self::Real;
    fn conj(self) -> Self;
    /// `conj(self)` when `c`, else `self`: the framework's way of applying op(A) = A^H lazily.
    #[inline(always)]
    fn conj_if(self, c: bool) -> Self {
        if c {
            self.conj()
        } else {
            self
        }
    }
    /// |re| + |im| (the reference `CABS1`), |x| for reals.
    fn abs1(self) -> Self::Real;
    fn is_zero(self) -> bool {
        self == Self::zero()
    }
    fn is_one(self) -> bool {
        self == Self::one()
    }
    /// Multiply by a real number (both parts).
    fn scale(self, r: Self::Real) -> Self;
    /// `self + a * b`, with one rounding for the real types (`mul_add`) and as written for the
    /// complex ones. Only for code compiled with FMA enabled: elsewhere a real `mul_add` is a
    /// library call.
    #[inline(always)]
    fn add_mul_fused(self, a: Self, b: Self) -> Self {
        self + a * b
    }
    /// Keep only the real part (reference `DBLE(A(J,J))` on Hermitian diagonals).
    fn real_part(self) -> Self {
        Self::from_real(self.re())
    }
}

/// Operations of the real types.
pub trait Real: Scalar<Real = Self> + PartialOrd + Into<f64> + std::iter::Sum + DivAssign {
    const MIN_EXP: i32;
    const MAX_EXP: i32;
    const DIGITS: i32;
    fn abs(self) -> Self;
    fn sqrt(self) -> Self;
    fn signum_of(self, sign: Self) -> Self;
    fn from_f64(v: f64) -> Self;
    fn powi2(e: i32) -> Self;
    fn is_nan(self) -> bool;
    fn is_finite(self) -> bool;
}

macro_rules! real_impl {
    ($t:ty, $p:expr, $min:expr, $max:expr, $dig:expr) => {
        impl Scalar for $t {
            type Real = $t;
            const IS_COMPLEX: bool = false;
            const PREFIX: char = $p;
            #[inline(always)]
            fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            fn one() -> Self {
                1.0
            }
            #[inline(always)]
            fn from_real(r: $t) -> Self {
                r
            }
            #[inline(always)]
            fn from_parts(re: $t, _im: $t) -> Self {
                re
            }
            #[inline(always)]
            fn re(self) -> $t {
                self
            }
            #[inline(always)]
            fn im(self) -> $t {
                0.0
            }
            #[inline(always)]
            fn conj(self) -> Self {
                self
            }
            #[inline(always)]
            fn abs1(self) -> $t {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn scale(self, r: $t) -> Self {
                self * r
            }
            #[inline(always)]
            fn add_mul_fused(self, a: Self, b: Self) -> Self {
                a.mul_add(b, self)
            }
        }
        impl Real for $t {
            const MIN_EXP: i32 = $min;
            const MAX_EXP: i32 = $max;
            const DIGITS: i32 = $dig;
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn signum_of(self, sign: Self) -> Self {
                // Fortran SIGN(A, B): |A| with the sign of B, where +0 counts as positive.
                if sign >= 0.0 {
                    <$t>::abs(self)
                } else {
                    -<$t>::abs(self)
                }
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn powi2(e: i32) -> Self {
                (2.0 as $t).powi(e)
            }
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
        }
    };
}
// Fortran MINEXPONENT/MAXEXPONENT/DIGITS, used by the overflow-safe nrm2.
real_impl!(f32, 'S', -125, 128, 24);
real_impl!(f64, 'D', -1021, 1024, 53);

macro_rules! complex_impl {
    ($r:ty, $p:expr) => {
        impl Scalar for Complex<$r> {
            type Real = $r;
            const IS_COMPLEX: bool = true;
            const PREFIX: char = $p;
            #[inline(always)]
            fn zero() -> Self {
                Complex::new(0.0, 0.0)
            }
            #[inline(always)]
            fn one() -> Self {
                Complex::new(1.0, 0.0)
            }
            #[inline(always)]
            fn from_real(r: $r) -> Self {
                Complex::new(r, 0.0)
            }
            #[inline(always)]
            fn from_parts(re: $r, im: $r) -> Self {
                Complex::new(re, im)
            }
            #[inline(always)]
            fn re(self) -> $r {
                self.re
            }
            #[inline(always)]
            fn im(self) -> $r {
                self.im
            }
            #[inline(always)]
            fn conj(self) -> Self {
                Complex::new(self.re, -self.im)
            }
            #[inline(always)]
            fn abs1(self) -> $r {
                self.re.abs() + self.im.abs()
            }
            #[inline(always)]
            fn scale(self, r: $r) -> Self {
                Complex::new(self.re * r, self.im * r)
            }
        }
    };
}
complex_impl!(f32, 'C');
complex_impl!(f64, 'Z');

//! Level 1 BLAS (vector-vector) for all precisions, on raw strided vectors with the reference
//! increment convention: a negative increment walks the vector from its far end.
//!
//! Every function here is `unsafe`: callers guarantee that `n` elements at stride `inc` are
//! addressable from the pointer (the BLAS contract).

use crate::scalar::{Complex, Real, Scalar};
use crate::vector::{self, Isa, NrmConsts};
use crate::Int;

/// Whether two increments visit `(x_k, y_k)` pairs of contiguous vectors (both 1 or both -1: a
/// reversed walk meets the same pairs), so the vector kernels apply.
#[inline(always)]
fn contiguous_pair(incx: Int, incy: Int) -> bool {
    incx == incy && (incx == 1 || incx == -1)
}

/// Offset of logical element `i` of an `n`-vector with increment `inc` (reference convention).
#[inline(always)]
pub fn vidx(i: usize, n: usize, inc: isize) -> isize {
    if inc >= 0 {
        i as isize * inc
    } else {
        (n - 1 - i) as isize * -inc
    }
}

/// A strided vector view; `get`/`set` take logical indices.
#[derive(Clone, Copy)]
pub struct Vec1<T> {
    pub ptr: *mut T,
    pub n: usize,
    pub inc: isize,
}

impl<T: Copy> Vec1<T> {
    pub fn new(ptr: *const T, n: usize, inc: isize) -> Self {
        Vec1 {
            ptr: ptr as *mut T,
            n,
            inc,
        }
    }
    /// # Safety
    /// `i < n` and the BLAS contract on the pointer.
    #[inline(always)]
    pub unsafe fn get(&self, i: usize) -> T {
        // SAFETY: guaranteed by the caller (see above).
        unsafe { *self.ptr.offset(vidx(i, self.n, self.inc)) }
    }
    /// # Safety
    /// As `get`, and the vector is writable.
    #[inline(always)]
    pub unsafe fn set(&self, i: usize, v: T) {
        // SAFETY: guaranteed by the caller (see above).
        unsafe { *self.ptr.offset(vidx(i, self.n, self.inc)) = v }
    }
    /// Copy into a contiguous buffer.
    ///
    /// # Safety
    /// As `get`.
    pub unsafe fn gather(&self) -> Vec<T> {
        if self.inc == 1 {
            // One block copy: the element loop below did not become one.
            // SAFETY: n contiguous elements (caller).
            return unsafe { std::slice::from_raw_parts(self.ptr as *const T, self.n) }.to_vec();
        }
        // SAFETY: each index is < n.
        (0..self.n).map(|i| unsafe { self.get(i) }).collect()
    }
    /// Copy a contiguous buffer back.
    ///
    /// # Safety
    /// As `set`.
    pub unsafe fn scatter(&self, v: &[T]) {
        for (i, &x) in v.iter().enumerate() {
            // SAFETY: v.len() == n.
            unsafe { self.set(i, x) }
        }
    }
}

/// The two n-vectors of a two-vector routine, or `None` when `n <= 0` (the routine then does
/// nothing).
pub(crate) fn vector_pair<T: Copy>(
    n: Int,
    x: *const T,
    incx: Int,
    y: *const T,
    incy: Int,
) -> Option<(Vec1<T>, Vec1<T>)> {
    let n = usize::try_from(n).ok().filter(|&n| n > 0)?;
    Some((
        Vec1::new(x, n, incx as isize),
        Vec1::new(y, n, incy as isize),
    ))
}

/// (x_i, y_i) := f(x_i, y_i) for every i: swap and the plane rotations.
///
/// # Safety
/// BLAS contract on both vectors, both writable.
unsafe fn update_pairs<T: Copy>(x: Vec1<T>, y: Vec1<T>, f: impl Fn(T, T) -> (T, T)) {
    for i in 0..x.n {
        // SAFETY: i < n, the length of both vectors.
        unsafe {
            let (a, b) = f(x.get(i), y.get(i));
            x.set(i, a);
            y.set(i, b);
        }
    }
}

/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn swap<T: Scalar>(n: Int, x: *mut T, incx: Int, y: *mut T, incy: Int) {
    if let Some((x, y)) = vector_pair(n, x, incx, y, incy) {
        // SAFETY: BLAS contract.
        unsafe { update_pairs(x, y, |a, b| (b, a)) };
    }
}

/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn copy<T: Scalar>(n: Int, x: *const T, incx: Int, y: *mut T, incy: Int) {
    let Some((x, y)) = vector_pair(n, x, incx, y, incy) else {
        return;
    };
    for i in 0..x.n {
        // SAFETY: i < n.
        unsafe { y.set(i, x.get(i)) }
    }
}

/// y := alpha*x + y
///
/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn axpy<T: Scalar>(n: Int, alpha: T, x: *const T, incx: Int, y: *mut T, incy: Int) {
    if alpha.abs1() == T::Real::zero() {
        return;
    }
    let Some((xv, yv)) = vector_pair(n, x, incx, y, incy) else {
        return;
    };
    if contiguous_pair(incx, incy) {
        // SAFETY: BLAS contract; contiguous vectors of n elements.
        unsafe { vector::axpy(Isa::active(), xv.n, alpha, x, y, false) };
        return;
    }
    for i in 0..xv.n {
        // SAFETY: i < n.
        unsafe { yv.set(i, yv.get(i) + alpha * xv.get(i)) }
    }
}

/// x := alpha*x (the reference ignores non-positive increments).
///
/// # Safety
/// BLAS contract on `x`.
pub unsafe fn scal<T: Scalar>(n: Int, alpha: T, x: *mut T, incx: Int) {
    if alpha.is_one() {
        return;
    }
    // SAFETY: BLAS contract.
    unsafe {
        map_positive(
            n,
            x,
            incx,
            |x, n| vector::scal(Isa::active(), n, alpha, x),
            |v| alpha * v,
        )
    }
}

/// x := alpha*x with a real alpha on a complex vector (csscal, zdscal).
///
/// # Safety
/// BLAS contract on `x`.
pub unsafe fn rscal<T: Scalar>(n: Int, alpha: T::Real, x: *mut T, incx: Int) {
    if alpha == T::Real::one() {
        return;
    }
    // SAFETY: BLAS contract.
    unsafe {
        map_positive(
            n,
            x,
            incx,
            |x, n| vector::rscal(Isa::active(), n, alpha, x),
            |v| v.scale(alpha),
        )
    }
}

/// x_i := f(x_i) for scal and rscal, which ignore non-positive increments as the reference
/// does: `contiguous(x, n)` (a vector kernel) takes a unit stride, `f` any other.
///
/// # Safety
/// BLAS contract on `x`, and `contiguous` does `f` to n contiguous elements at `x`.
unsafe fn map_positive<T: Copy>(
    n: Int,
    x: *mut T,
    incx: Int,
    contiguous: impl FnOnce(*mut T, usize),
    f: impl Fn(T) -> T,
) {
    if n <= 0 || incx <= 0 {
        return;
    }
    if incx == 1 {
        contiguous(x, n as usize);
        return;
    }
    for i in 0..n as usize {
        // SAFETY: positive increment, i < n.
        unsafe {
            let p = x.add(i * incx as usize);
            *p = f(*p);
        }
    }
}

/// sum(op(x_i) * y_i), op = conj when `conj`.
///
/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn dot<T: Scalar>(
    n: Int,
    x: *const T,
    incx: Int,
    y: *const T,
    incy: Int,
    conj: bool,
) -> T {
    let Some((xv, yv)) = vector_pair(n, x, incx, y, incy) else {
        return T::zero();
    };
    if contiguous_pair(incx, incy) {
        // SAFETY: BLAS contract; contiguous vectors of n elements.
        return unsafe { vector::dot(Isa::active(), xv.n, x, y, conj) };
    }
    let mut s = T::zero();
    for i in 0..xv.n {
        // SAFETY: i < n.
        s += unsafe { xv.get(i).conj_if(conj) * yv.get(i) };
    }
    s
}

/// Dot product of single-precision vectors accumulated in double (sdsdot, dsdot).
///
/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn dot_f64acc(n: Int, x: *const f32, incx: Int, y: *const f32, incy: Int) -> f64 {
    let Some((x, y)) = vector_pair(n, x, incx, y, incy) else {
        return 0.0;
    };
    // SAFETY (each term): i < n.
    (0..x.n)
        .map(|i| unsafe { f64::from(x.get(i)) * f64::from(y.get(i)) })
        .fold(0.0, |s, t| s + t)
}

/// Sum of |re| + |im| (the reference asum); 0 for non-positive increments.
///
/// # Safety
/// BLAS contract on `x`.
pub unsafe fn asum<T: Scalar>(n: Int, x: *const T, incx: Int) -> T::Real {
    if n <= 0 || incx <= 0 {
        return T::Real::zero();
    }
    // Accumulated in double precision: for single precision that keeps the many small terms
    // after a large one that an f32 sum drops (double precision is unchanged).
    let mut s = 0.0f64;
    for i in 0..n as usize {
        // SAFETY: positive increment, i < n.
        s += unsafe { *x.add(i * incx as usize) }.abs1().into();
    }
    T::Real::from_f64(s)
}

/// 1-based index of the first element of largest |re| + |im|; 0 when n < 1 or incx <= 0.
///
/// # Safety
/// BLAS contract on `x`.
pub unsafe fn iamax<T: Scalar>(n: Int, x: *const T, incx: Int) -> Int {
    if n < 1 || incx <= 0 {
        return 0;
    }
    // SAFETY: n >= 1.
    let mut best = unsafe { *x }.abs1();
    let mut idx = 1;
    for i in 1..n as usize {
        // SAFETY: positive increment, i < n.
        let v = unsafe { *x.add(i * incx as usize) }.abs1();
        // Strict comparison as in the reference: the first maximum wins, NaNs are skipped.
        if v > best {
            best = v;
            idx = i as Int + 1;
        }
    }
    idx
}

/// Euclidean norm with Blue's scaling (the reference nrm2 since LAPACK 3.10): no overflow or
/// underflow in intermediate sums, Inf/NaN propagate.
///
/// # Safety
/// BLAS contract on `x`.
pub unsafe fn nrm2<T: Scalar>(n: Int, x: *const T, incx: Int) -> T::Real {
    type R<T> = <T as Scalar>::Real;
    let zero = R::<T>::zero();
    let one = R::<T>::one();
    if n <= 0 {
        return zero;
    }
    if std::mem::size_of::<R<T>>() == 4 {
        // SAFETY: forwarded contract; the real type is f32 (the only 4-byte `Real`).
        return R::<T>::from_f64(unsafe { nrm2_f32_wide::<T>(n as usize, x as *const f32, incx) });
    }
    let (minx, maxx, dig) = (R::<T>::MIN_EXP, R::<T>::MAX_EXP, R::<T>::DIGITS);
    let half_floor = |v: i32| v.div_euclid(2);
    let half_ceil = |v: i32| -(-v).div_euclid(2);
    let tsml = R::<T>::powi2(half_ceil(minx - 1));
    let tbig = R::<T>::powi2(half_floor(maxx - dig + 1));
    let ssml = R::<T>::powi2(-half_floor(minx - dig));
    let sbig = R::<T>::powi2(-half_ceil(maxx + dig - 1));
    let c = NrmConsts {
        tsml,
        tbig,
        ssml,
        sbig,
    };
    let isa = Isa::active();
    // Blue's three class sums, taken over chunks of NRM2_CHUNK reals by the vector kernel and
    // added up with compensation: a running sum over the whole vector would lose up to about
    // n/lanes ulps (one large element, then many small ones), chunks lose at most about
    // NRM2_CHUNK/lanes. 1024 keeps the per-chunk cost (a kernel call, three horizontal sums)
    // within noise of one call over the whole vector; 256 cost 15-20% on in-cache vectors.
    // The order of the terms does not matter to a sum of squares, and the small class may
    // include terms that follow a big one: it is unused then.
    let mut sums = [Compensated::new(); 3];
    let mut add_chunk = |len: usize, p: *const R<T>| {
        // SAFETY: the caller passes `len` readable reals at `p`.
        let part = unsafe { vector::sumsq(isa, len, p, &c) };
        for (sum, v) in sums.iter_mut().zip(part) {
            sum.add(v);
        }
    };
    let per = if T::IS_COMPLEX { 2 } else { 1 };
    if incx == 1 || incx == -1 {
        let len = per * n as usize;
        let p = x as *const R<T>;
        for start in (0..len).step_by(NRM2_CHUNK) {
            // SAFETY: BLAS contract; n contiguous elements are `len` contiguous reals.
            add_chunk((len - start).min(NRM2_CHUNK), unsafe { p.add(start) });
        }
    } else {
        // A strided vector is gathered chunk by chunk, so it is summed exactly as a contiguous
        // one would be.
        let xv = Vec1::new(x, n as usize, incx as isize);
        let mut buf = [zero; NRM2_CHUNK];
        let mut filled = 0;
        for i in 0..n as usize {
            // SAFETY: i < n.
            let v = unsafe { xv.get(i) };
            buf[filled] = v.re();
            if T::IS_COMPLEX {
                buf[filled + 1] = v.im();
            }
            filled += per;
            if filled == NRM2_CHUNK {
                add_chunk(filled, buf.as_ptr());
                filled = 0;
            }
        }
        if filled > 0 {
            add_chunk(filled, buf.as_ptr());
        }
    }
    let [asml, amed, mut abig] = sums.map(|s| s.value());
    let (scl, sumsq);
    if abig > zero {
        if amed > zero || amed.is_nan() {
            abig += (amed * sbig) * sbig;
        }
        scl = one / sbig;
        sumsq = abig;
    } else if asml > zero {
        if amed > zero || amed.is_nan() {
            let amed = amed.sqrt();
            let asml = asml.sqrt() / ssml;
            let (ymin, ymax) = if asml > amed {
                (amed, asml)
            } else {
                (asml, amed)
            };
            scl = one;
            sumsq = ymax * ymax * (one + (ymin / ymax) * (ymin / ymax));
        } else {
            scl = one / ssml;
            sumsq = asml;
        }
    } else {
        scl = one;
        sumsq = amed;
    }
    scl * sumsq.sqrt()
}

/// Reals per chunk of `nrm2`'s class sums (even, so a complex element never straddles two).
const NRM2_CHUNK: usize = 1024;

/// A running sum with the rounding error of each addition kept (Knuth's two-sum), for adding
/// up a few partial sums without losing what the partial sums kept. Inf and NaN propagate.
#[derive(Clone, Copy)]
struct Compensated<R> {
    hi: R,
    lo: R,
}

impl<R: Real> Compensated<R> {
    fn new() -> Self {
        Compensated {
            hi: R::zero(),
            lo: R::zero(),
        }
    }
    fn add(&mut self, v: R) {
        let s = self.hi + v;
        if !s.is_finite() {
            // Inf or NaN: nothing left to compensate.
            self.hi = s;
            self.lo = R::zero();
            return;
        }
        let back = s - self.hi;
        self.lo += (self.hi - (s - back)) + (v - back);
        self.hi = s;
    }
    fn value(&self) -> R {
        if !self.hi.is_finite() {
            self.hi
        } else {
            self.hi + self.lo
        }
    }
}

/// snrm2/scnrm2: the square root of the sum of squares accumulated in double precision (see
/// `vector::sumsq_f32_wide`), rounded once to single precision. Exact squares, no overflow or
/// underflow, and a double sum make the result correctly rounded in all but near-halfway cases
/// (within 0.5 ulp plus about 2^-29 relative); Inf and NaN propagate. `x` holds `n` elements of
/// one or two f32 each (complex).
///
/// # Safety
/// BLAS contract on `x` (`n` elements of `T`, whose reals are f32).
unsafe fn nrm2_f32_wide<T: Scalar>(n: usize, x: *const f32, incx: Int) -> f64 {
    let per = if T::IS_COMPLEX { 2 } else { 1 };
    let sumsq = if incx == 1 || incx == -1 {
        // SAFETY: n contiguous elements are per*n contiguous f32.
        unsafe { vector::sumsq_f32_wide(Isa::active(), per * n, x) }
    } else {
        let step = incx.unsigned_abs() as usize * per;
        let mut s = 0.0f64;
        for i in 0..n {
            for p in 0..per {
                // SAFETY: element i of the strided vector (a sum of squares does not depend on
                // the direction, so a negative increment is walked forwards).
                let v = f64::from(unsafe { *x.add(i * step + p) });
                // v * v is exact in f64, so only the addition rounds (as in the vector kernels).
                s += v * v;
            }
        }
        s
    };
    sumsq.sqrt()
}

/// Plane rotation applied to (x, y) with real c, s (rot, csrot, zdrot).
///
/// # Safety
/// BLAS contract on `x`, `y`.
pub unsafe fn rot<T: Scalar>(
    n: Int,
    x: *mut T,
    incx: Int,
    y: *mut T,
    incy: Int,
    c: T::Real,
    s: T::Real,
) {
    if let Some((x, y)) = vector_pair(n, x, incx, y, incy) {
        // SAFETY: BLAS contract.
        unsafe {
            update_pairs(x, y, |a, b| {
                (a.scale(c) + b.scale(s), b.scale(c) - a.scale(s))
            })
        };
    }
}

/// Modified Givens rotation with parameter array `p` (flag, h11, h21, h12, h22).
///
/// # Safety
/// BLAS contract on `x`, `y`; `p` points to 5 reals.
pub unsafe fn rotm<R: Real>(n: Int, x: *mut R, incx: Int, y: *mut R, incy: Int, p: *const R) {
    // SAFETY: p has 5 elements.
    let p = unsafe { std::slice::from_raw_parts(p, 5) };
    let flag = p[0];
    let two = R::from_f64(2.0);
    if n <= 0 || flag + two == R::zero() {
        return;
    }
    let (h11, h21, h12, h22) = if flag < R::zero() {
        (p[1], p[2], p[3], p[4])
    } else if flag == R::zero() {
        (R::one(), p[2], p[3], R::one())
    } else {
        (p[1], -R::one(), R::one(), p[4])
    };
    if let Some((x, y)) = vector_pair(n, x, incx, y, incy) {
        // SAFETY: BLAS contract.
        unsafe { update_pairs(x, y, |w, z| (w * h11 + z * h12, w * h21 + z * h22)) };
    }
}

/// Construct a Givens rotation (reference drotg of LAPACK 3.10: safe scaling).
pub fn rotg<R: Real>(a: &mut R, b: &mut R, c: &mut R, s: &mut R) {
    let safmin = R::powi2(R::MIN_EXP - 1);
    let safmax = R::one() / safmin;
    let (anorm, bnorm) = (a.abs(), b.abs());
    if bnorm == R::zero() {
        *c = R::one();
        *s = R::zero();
        *b = R::zero();
    } else if anorm == R::zero() {
        *c = R::zero();
        *s = R::one();
        *a = *b;
        *b = R::one();
    } else {
        let mut scl = if anorm > bnorm { anorm } else { bnorm };
        if scl < safmin {
            scl = safmin;
        }
        if scl > safmax {
            scl = safmax;
        }
        let roe = if anorm > bnorm { *a } else { *b };
        let (ua, ub) = (*a / scl, *b / scl);
        let r = (scl * (ua * ua + ub * ub).sqrt()).signum_of(roe);
        *c = *a / r;
        *s = *b / r;
        let z = if anorm > bnorm {
            *s
        } else if *c != R::zero() {
            R::one() / *c
        } else {
            R::one()
        };
        *a = r;
        *b = z;
    }
}

fn cabs<R: Real>(z: Complex<R>) -> R {
    // Scaled hypot: |z| without overflow.
    let (x, y) = (z.re.abs(), z.im.abs());
    let m = if x > y { x } else { y };
    if m == R::zero() {
        return R::zero();
    }
    let (u, v) = (x / m, y / m);
    m * (u * u + v * v).sqrt()
}

/// Complex Givens rotation: c real, s complex, with r written to `a` (reference crotg/zrotg).
pub fn crotg<R: Real>(a: &mut Complex<R>, b: Complex<R>, c: &mut R, s: &mut Complex<R>)
where
    Complex<R>: Scalar<Real = R>,
{
    let fa = cabs(*a);
    let gb = cabs(b);
    if gb == R::zero() {
        *c = R::one();
        *s = Complex::zero();
    } else if fa == R::zero() {
        *c = R::zero();
        *s = b.conj().scale(R::one() / gb);
        *a = Complex::from_real(gb);
    } else {
        let scale = fa + gb;
        let (u, v) = (fa / scale, gb / scale);
        let norm = scale * (u * u + v * v).sqrt();
        let alpha = a.scale(R::one() / fa);
        *c = fa / norm;
        *s = (alpha * b.conj()).scale(R::one() / norm);
        *a = alpha.scale(norm);
    }
}

/// drotmg's rescaling of one weight `d` (d1 or d2): while |d| is outside [gam^-2, gam^2] it is
/// multiplied or divided by gam^2, and the row `row` of H (and for d1 also x1) divided or
/// multiplied by gam, after H has been made explicit (flag -1) as the reference does. d1 is
/// never negative here, so its |d1| is the reference's d1.
fn rotmg_rescale<R: Real>(
    d: &mut R,
    mut x1: Option<&mut R>,
    row: usize,
    flag: &mut R,
    h: &mut [[R; 2]; 2],
) {
    let (zero, one) = (R::zero(), R::one());
    let gam = R::from_f64(4096.0);
    let gamsq = R::from_f64(16777216.0);
    let rgamsq = R::from_f64(5.9604645e-8);
    if *d == zero {
        return;
    }
    while d.abs() <= rgamsq || d.abs() >= gamsq {
        if *flag == zero {
            h[0][0] = one;
            h[1][1] = one;
        } else {
            h[1][0] = -one;
            h[0][1] = one;
        }
        *flag = -one;
        if d.abs() <= rgamsq {
            *d *= gam * gam;
            if let Some(x1) = x1.as_deref_mut() {
                *x1 /= gam;
            }
            for v in &mut h[row] {
                *v /= gam;
            }
        } else {
            *d /= gam * gam;
            if let Some(x1) = x1.as_deref_mut() {
                *x1 *= gam;
            }
            for v in &mut h[row] {
                *v *= gam;
            }
        }
    }
}

/// Construct a modified Givens rotation (reference drotmg, gam = 4096).
pub fn rotmg<R: Real>(d1: &mut R, d2: &mut R, x1: &mut R, y1: R, param: &mut [R; 5]) {
    let zero = R::zero();
    let one = R::one();
    let two = R::from_f64(2.0);
    let mut flag: R;
    let (mut h11, mut h12, mut h21, mut h22) = (zero, zero, zero, zero);
    if *d1 < zero {
        flag = -one;
        *d1 = zero;
        *d2 = zero;
        *x1 = zero;
    } else {
        let p2 = *d2 * y1;
        if p2 == zero {
            param[0] = -two;
            return;
        }
        let p1 = *d1 * *x1;
        let q2 = p2 * y1;
        let q1 = p1 * *x1;
        if q1.abs() > q2.abs() {
            h21 = -y1 / *x1;
            h12 = p2 / p1;
            let u = one - h12 * h21;
            if u > zero {
                flag = zero;
                *d1 /= u;
                *d2 /= u;
                *x1 *= u;
            } else {
                // Reference: this branch zeroes everything (u <= 0 cannot happen in exact
                // arithmetic but can after rounding).
                flag = -one;
                h11 = zero;
                h12 = zero;
                h21 = zero;
                h22 = zero;
                *d1 = zero;
                *d2 = zero;
                *x1 = zero;
            }
        } else if q2 < zero {
            flag = -one;
            h11 = zero;
            h12 = zero;
            h21 = zero;
            h22 = zero;
            *d1 = zero;
            *d2 = zero;
            *x1 = zero;
        } else {
            flag = one;
            h11 = p1 / p2;
            h22 = *x1 / y1;
            let u = one + h11 * h22;
            let t = *d2 / u;
            *d2 = *d1 / u;
            *d1 = t;
            *x1 = y1 * u;
        }
        // d1 is scaled together with x1 and H's first row, d2 with its second row.
        let mut h = [[h11, h12], [h21, h22]];
        rotmg_rescale(d1, Some(x1), 0, &mut flag, &mut h);
        rotmg_rescale(d2, None, 1, &mut flag, &mut h);
        [[h11, h12], [h21, h22]] = h;
    }
    if flag < zero {
        param[1] = h11;
        param[2] = h21;
        param[3] = h12;
        param[4] = h22;
    } else if flag == zero {
        param[2] = h21;
        param[3] = h12;
    } else {
        param[1] = h11;
        param[4] = h22;
    }
    param[0] = flag;
}

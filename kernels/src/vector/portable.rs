//! The GENERIC table's vector kernels: portable Rust for f32 and f64 (baseline ISA), with
//! several independent accumulators so the sums are not one serial dependency chain.

use super::{Kern, Mat, NrmConsts};
use crate::scalar::Real;

pub(crate) static GENERIC_F64: Kern<f64> = table::<f64>();
pub(crate) static GENERIC_F32: Kern<f32> = table::<f32>();

const fn table<R: Real>() -> Kern<R> {
    Kern {
        axpy: axpy::<R>,
        dot: dot::<R>,
        scal: scal::<R>,
        sumsq: sumsq::<R>,
        gemv_n: gemv_n::<R>,
        gemv_t: gemv_t::<R>,
        gemv_nt: gemv_nt::<R>,
        caxpy: caxpy::<R>,
        cdot: cdot::<R>,
        cscal: cscal::<R>,
        cgemv_n: cgemv_n::<R>,
        cgemv_t: cgemv_t::<R>,
    }
}

unsafe fn axpy<R: Real>(n: usize, alpha: R, x: *const R, y: *mut R) {
    for i in 0..n {
        // SAFETY: i < n (contract).
        unsafe { *y.add(i) += alpha * *x.add(i) };
    }
}

unsafe fn dot<R: Real>(n: usize, x: *const R, y: *const R) -> R {
    let mut acc = [R::zero(); 4];
    let mut i = 0;
    while i + 4 <= n {
        for (u, a) in acc.iter_mut().enumerate() {
            // SAFETY: i + u < n.
            *a += unsafe { *x.add(i + u) * *y.add(i + u) };
        }
        i += 4;
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    while i < n {
        // SAFETY: i < n.
        s += unsafe { *x.add(i) * *y.add(i) };
        i += 1;
    }
    s
}

unsafe fn scal<R: Real>(n: usize, alpha: R, x: *mut R) {
    for i in 0..n {
        // SAFETY: i < n.
        unsafe { *x.add(i) = alpha * *x.add(i) };
    }
}

unsafe fn sumsq<R: Real>(n: usize, x: *const R, c: &NrmConsts<R>) -> [R; 3] {
    let mut s = [R::zero(); 3];
    for i in 0..n {
        // SAFETY: i < n.
        c.add_square(&mut s, unsafe { *x.add(i) });
    }
    s
}

/// See `super::sumsq_f32_wide`: four double-precision partial sums.
pub(super) unsafe fn sumsq_f32_wide(n: usize, x: *const f32) -> f64 {
    let mut acc = [0.0f64; 4];
    let mut i = 0;
    while i + 4 <= n {
        for (u, a) in acc.iter_mut().enumerate() {
            // SAFETY: i + u < n.
            let v = f64::from(unsafe { *x.add(i + u) });
            *a += v * v;
        }
        i += 4;
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    while i < n {
        // SAFETY: i < n.
        let v = f64::from(unsafe { *x.add(i) });
        s += v * v;
        i += 1;
    }
    s
}

unsafe fn gemv_n<R: Real>(m: usize, n: usize, a: Mat<R>, x: *const R, y: *mut R) {
    let Mat { ptr: a, lda } = a;
    for j in 0..n {
        // SAFETY: column j has m elements at a + j*lda; x has n elements.
        unsafe { axpy(m, *x.add(j), a.add(j * lda), y) };
    }
}

unsafe fn gemv_t<R: Real>(m: usize, n: usize, a: Mat<R>, x: *const R, r: *mut R) {
    let Mat { ptr: a, lda } = a;
    for j in 0..n {
        // SAFETY: as in gemv_n; r has n elements.
        unsafe { *r.add(j) = dot(m, a.add(j * lda), x) };
    }
}

unsafe fn gemv_nt<R: Real>(
    m: usize,
    n: usize,
    a: Mat<R>,
    xn: *const R,
    y: *mut R,
    xt: *const R,
    r: *mut R,
) {
    // SAFETY: forwarded contract (the two halves of `Kern::gemv_nt`).
    unsafe {
        gemv_n(m, n, a, xn, y);
        gemv_t(m, n, a, xt, r);
    }
}

/// (re, im) of op(x) * alpha for the complex element at `p`.
#[inline(always)]
unsafe fn cmul<R: Real>(alpha: [R; 2], p: *const R, conj: bool) -> (R, R) {
    // SAFETY: p addresses one complex element.
    let (xr, xi) = unsafe { (*p, *p.add(1)) };
    let xi = if conj { -xi } else { xi };
    (alpha[0] * xr - alpha[1] * xi, alpha[0] * xi + alpha[1] * xr)
}

unsafe fn caxpy<R: Real>(n: usize, alpha: [R; 2], x: *const R, y: *mut R, conj: bool) {
    for i in 0..n {
        // SAFETY: element i < n of both vectors.
        unsafe {
            let (re, im) = cmul(alpha, x.add(2 * i), conj);
            *y.add(2 * i) += re;
            *y.add(2 * i + 1) += im;
        }
    }
}

unsafe fn cdot<R: Real>(n: usize, x: *const R, y: *const R, conj: bool) -> [R; 2] {
    // Four partial sums: xr*yr, xi*yi, xr*yi, xi*yr.
    let mut s = [R::zero(); 4];
    for i in 0..n {
        // SAFETY: element i < n.
        let (xr, xi, yr, yi) = unsafe {
            (
                *x.add(2 * i),
                *x.add(2 * i + 1),
                *y.add(2 * i),
                *y.add(2 * i + 1),
            )
        };
        s[0] += xr * yr;
        s[1] += xi * yi;
        s[2] += xr * yi;
        s[3] += xi * yr;
    }
    if conj {
        [s[0] + s[1], s[2] - s[3]]
    } else {
        [s[0] - s[1], s[2] + s[3]]
    }
}

unsafe fn cscal<R: Real>(n: usize, alpha: [R; 2], x: *mut R) {
    for i in 0..n {
        // SAFETY: element i < n.
        unsafe {
            let (re, im) = cmul(alpha, x.add(2 * i), false);
            *x.add(2 * i) = re;
            *x.add(2 * i + 1) = im;
        }
    }
}

unsafe fn cgemv_n<R: Real>(m: usize, n: usize, a: Mat<R>, x: *const R, y: *mut R, conj: bool) {
    let Mat { ptr: a, lda } = a;
    for j in 0..n {
        // SAFETY: column j of m complex elements; x has n complex elements.
        unsafe {
            let s = [*x.add(2 * j), *x.add(2 * j + 1)];
            caxpy(m, s, a.add(2 * j * lda), y, conj)
        };
    }
}

unsafe fn cgemv_t<R: Real>(m: usize, n: usize, a: Mat<R>, x: *const R, r: *mut R, conj: bool) {
    let Mat { ptr: a, lda } = a;
    for j in 0..n {
        // SAFETY: as in cgemv_n; r has n complex elements.
        unsafe {
            let v = cdot(m, a.add(2 * j * lda), x, conj);
            *r.add(2 * j) = v[0];
            *r.add(2 * j + 1) = v[1];
        }
    }
}

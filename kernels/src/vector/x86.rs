//! x86_64 vector kernels: one kernel body (`vector_kernels!`) stamped out over four operation
//! sets — AVX2 + FMA (HASWELL) and AVX-512F (SKYLAKEX), each in f64 and f32, defined beside the
//! GEMM microkernels of their table (`crate::gemm::haswell`, `crate::gemm::skylakex`). Every
//! function carries its ISA's `#[target_feature]`, so the operations inline into the kernels;
//! nothing here runs unless `Isa::active()` (the active table) or a test chose that ISA.
//!
//! Shapes: axpy/scal stream 4 vectors per step; dot keeps 8 independent FMA accumulators; the
//! complex kernels work on interleaved (re, im) reals with one in-lane pair swap and two FMAs;
//! gemv N adds 4 columns into y per pass over y, gemv T computes 4 dots per pass over x with two
//! accumulators each, gemv NT does both on the same 4 columns in one pass (symv). Tails shorter than a vector are done in scalar code.

use super::Kern;
use crate::gemm::haswell::{avx2_f32, avx2_f64};
use crate::gemm::skylakex::{avx512_f32, avx512_f64};

/// The column blocking of the gemv kernels over `n` columns: `$four` for each block of four
/// columns `$j..$j + 4`, then `$one` for each remaining column `$j`.
macro_rules! column_blocks {
    ($n:expr, |$j:ident| four => $four:expr, one => $one:expr) => {{
        let n = $n;
        let mut $j = 0;
        while $j + 4 <= n {
            $four;
            $j += 4;
        }
        while $j < n {
            $one;
            $j += 1;
        }
    }};
}

/// The loop shape of the streaming kernels over `n` elements: `$vec` on four vectors per step,
/// then on single vectors (`$p` the index of the vector's first element), then `$tail` on each
/// remaining element (`$i` its index).
macro_rules! stream {
    ($n:expr, |$p:ident| $vec:expr, |$i:ident| $tail:expr) => {{
        let n = $n;
        let mut i = 0;
        while i + 4 * L <= n {
            for u in 0..4 {
                let $p = i + u * L;
                $vec;
            }
            i += 4 * L;
        }
        while i + L <= n {
            let $p = i;
            $vec;
            i += L;
        }
        while i < n {
            let $i = i;
            $tail;
            i += 1;
        }
    }};
}

/// The kernel bodies, written once against an ISA's operation set (`isa_ops!`); invoked as the
/// whole body of one module per ISA and precision (the items stay at module level, so the gemv
/// kernels' signatures fit on one line).
macro_rules! vector_kernels {
    ($ops:ident, $feat:literal) => {
        use super::super::{columns, Mat, NrmConsts};
        use super::$ops as o;
        use o::{E, L};

        #[target_feature(enable = $feat)]
        pub unsafe fn axpy(n: usize, alpha: E, x: *const E, y: *mut E) {
            let va = o::splat(alpha);
            // SAFETY (whole body): every index stays below n (contract).
            // The tail's fused multiply-add is the vector lanes': an element's result must
            // not depend on where the vector ends (see "Reproducibility" in `crate::gemm`).
            unsafe {
                stream!(
                    n,
                    |p| o::store(y.add(p), o::fma(o::load(x.add(p)), va, o::load(y.add(p)))),
                    |i| *y.add(i) = (*x.add(i)).mul_add(alpha, *y.add(i))
                )
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn dot(n: usize, x: *const E, y: *const E) -> E {
            let mut acc = [o::zero(); 8];
            let mut i = 0;
            // SAFETY (whole body): every index stays below n.
            unsafe {
                while i + 8 * L <= n {
                    for (u, a) in acc.iter_mut().enumerate() {
                        let p = i + u * L;
                        *a = o::fma(o::load(x.add(p)), o::load(y.add(p)), *a);
                    }
                    i += 8 * L;
                }
                while i + L <= n {
                    acc[0] = o::fma(o::load(x.add(i)), o::load(y.add(i)), acc[0]);
                    i += L;
                }
                let s = o::add(
                    o::add(o::add(acc[0], acc[1]), o::add(acc[2], acc[3])),
                    o::add(o::add(acc[4], acc[5]), o::add(acc[6], acc[7])),
                );
                let mut r = o::hsum(s);
                while i < n {
                    r += *x.add(i) * *y.add(i);
                    i += 1;
                }
                r
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn scal(n: usize, alpha: E, x: *mut E) {
            let va = o::splat(alpha);
            // SAFETY (whole body): every index stays below n.
            unsafe {
                stream!(
                    n,
                    |p| o::store(x.add(p), o::mul(o::load(x.add(p)), va)),
                    |i| *x.add(i) *= alpha
                )
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn sumsq(n: usize, x: *const E, c: &NrmConsts<E>) -> [E; 3] {
            let (ts, tb) = (o::splat(c.tsml), o::splat(c.tbig));
            let (ss, sb) = (o::splat(c.ssml), o::splat(c.sbig));
            // [small, medium, big] for two independent streams.
            let mut acc = [[o::zero(); 3]; 2];
            let mut i = 0;
            // SAFETY (whole body): every index stays below n.
            unsafe {
                while i + 2 * L <= n {
                    for (u, a) in acc.iter_mut().enumerate() {
                        let v = o::abs(o::load(x.add(i + u * L)));
                        let (big, sml, med) = o::classify(v, ts, tb);
                        let (sml, big) = (o::mul(sml, ss), o::mul(big, sb));
                        a[0] = o::fma(sml, sml, a[0]);
                        a[1] = o::fma(med, med, a[1]);
                        a[2] = o::fma(big, big, a[2]);
                    }
                    i += 2 * L;
                }
                let mut s = [0.0 as E; 3];
                for (k, sk) in s.iter_mut().enumerate() {
                    *sk = o::hsum(o::add(acc[0][k], acc[1][k]));
                }
                while i < n {
                    c.add_square(&mut s, *x.add(i));
                    i += 1;
                }
                s
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn gemv_n(m: usize, n: usize, a: Mat<E>, x: *const E, y: *mut E) {
            let Mat { ptr: a, lda } = a;
            // SAFETY (whole body): rows < m, columns < n (contract).
            unsafe {
                column_blocks! { n, |j| four => {
                    let c: [_; 4] = columns(a, lda, j);
                    let s = [*x.add(j), *x.add(j + 1), *x.add(j + 2), *x.add(j + 3)];
                    let v = [
                        o::splat(s[0]),
                        o::splat(s[1]),
                        o::splat(s[2]),
                        o::splat(s[3]),
                    ];
                    let mut i = 0;
                    while i + 2 * L <= m {
                        for u in 0..2 {
                            let p = i + u * L;
                            let mut t = o::load(y.add(p));
                            for k in 0..4 {
                                t = o::fma(o::load(c[k].add(p)), v[k], t);
                            }
                            o::store(y.add(p), t);
                        }
                        i += 2 * L;
                    }
                    while i + L <= m {
                        let mut t = o::load(y.add(i));
                        for k in 0..4 {
                            t = o::fma(o::load(c[k].add(i)), v[k], t);
                        }
                        o::store(y.add(i), t);
                        i += L;
                    }
                    while i < m {
                        let mut t = *y.add(i);
                        for k in 0..4 {
                            t = (*c[k].add(i)).mul_add(s[k], t);
                        }
                        *y.add(i) = t;
                        i += 1;
                    }
                }, one => axpy(m, *x.add(j), a.add(j * lda), y) }
            }
        }

        /// `r[k] = sum_i c[k][i] * x[i]` for K columns of m elements. Every column is summed
        /// the same way whatever K is, so `gemv_t` gives a column the same bits whether it
        /// falls in a block of four or in the remainder (the shape independence LAPACK relies
        /// on: the same reflector applied to a wider matrix).
        #[inline(always)]
        unsafe fn col_dots<const K: usize>(m: usize, c: [*const E; K], x: *const E, r: *mut E) {
            let mut acc = [[o::zero(); 2]; K];
            let mut i = 0;
            // SAFETY (whole body): rows < m (contract).
            unsafe {
                while i + 2 * L <= m {
                    let xv = [o::load(x.add(i)), o::load(x.add(i + L))];
                    for k in 0..K {
                        for u in 0..2 {
                            acc[k][u] = o::fma(o::load(c[k].add(i + u * L)), xv[u], acc[k][u]);
                        }
                    }
                    i += 2 * L;
                }
                if i + L <= m {
                    let xv = o::load(x.add(i));
                    for k in 0..K {
                        acc[k][0] = o::fma(o::load(c[k].add(i)), xv, acc[k][0]);
                    }
                    i += L;
                }
                for k in 0..K {
                    let mut s = o::hsum(o::add(acc[k][0], acc[k][1]));
                    for l in i..m {
                        s = (*c[k].add(l)).mul_add(*x.add(l), s);
                    }
                    *r.add(k) = s;
                }
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn gemv_t(m: usize, n: usize, a: Mat<E>, x: *const E, r: *mut E) {
            let Mat { ptr: a, lda } = a;
            // SAFETY (whole body): rows < m, columns < n (contract).
            unsafe {
                column_blocks! { n, |j|
                    four => col_dots::<4>(m, columns(a, lda, j), x, r.add(j)),
                    one => col_dots::<1>(m, columns(a, lda, j), x, r.add(j))
                }
            }
        }

        /// `y += A xn` and `r = A^T xt` in one pass over A (symv's stored rectangle, which is
        /// otherwise read twice): each vector of a block of columns is loaded once and feeds
        /// both the column update of y and the dots. Every element sees exactly the operations
        /// of `gemv_n` and `gemv_t` in the same order (y's chain runs over the columns in
        /// order whatever the block, each dot keeps its two accumulators and its tail), so the
        /// results are the bits of the two separate calls.
        ///
        /// Blocks of 8 columns where the registers hold them (AVX-512: 16 dot accumulators,
        /// 8 multipliers and 3 working vectors of 32), else 4: per 8 columns, x and y are
        /// read (and y written) once instead of twice: dsymv (lower, lda 2000, 1 thread,
        /// Sapphire Rapids guest) 0.88-0.91x the time at n = 500, 0.95-0.98x at 1000-2000.
        #[target_feature(enable = $feat)]
        pub unsafe fn gemv_nt(
            m: usize,
            n: usize,
            a: Mat<E>,
            xn: *const E,
            y: *mut E,
            xt: *const E,
            r: *mut E,
        ) {
            let Mat { ptr: a, lda } = a;
            let wide = L * std::mem::size_of::<E>() == 64;
            // SAFETY (whole body): rows < m, columns < n (contract).
            unsafe {
                let mut j = 0;
                while wide && j + 8 <= n {
                    nt_block::<8>(m, columns(a, lda, j), xn.add(j), y, xt, r.add(j));
                    j += 8;
                }
                while j + 4 <= n {
                    nt_block::<4>(m, columns(a, lda, j), xn.add(j), y, xt, r.add(j));
                    j += 4;
                }
                while j < n {
                    axpy(m, *xn.add(j), a.add(j * lda), y);
                    col_dots::<1>(m, columns(a, lda, j), xt, r.add(j));
                    j += 1;
                }
            }
        }

        /// `gemv_nt` on the K columns `c`: y += sum_k c_k xn_k, r_k = c_k . xt.
        ///
        /// # Safety
        /// As `gemv_nt`, for these columns.
        #[target_feature(enable = $feat)]
        #[inline]
        unsafe fn nt_block<const K: usize>(
            m: usize,
            c: [*const E; K],
            xn: *const E,
            y: *mut E,
            xt: *const E,
            r: *mut E,
        ) {
            // SAFETY (whole body): rows < m, K columns (caller).
            unsafe {
                let s: [E; K] = std::array::from_fn(|k| *xn.add(k));
                let v: [o::V; K] = std::array::from_fn(|k| o::splat(s[k]));
                let mut acc = [[o::zero(); 2]; K];
                let mut i = 0;
                while i + 2 * L <= m {
                    for u in 0..2 {
                        let p = i + u * L;
                        let xv = o::load(xt.add(p));
                        let mut t = o::load(y.add(p));
                        for k in 0..K {
                            let av = o::load(c[k].add(p));
                            t = o::fma(av, v[k], t);
                            acc[k][u] = o::fma(av, xv, acc[k][u]);
                        }
                        o::store(y.add(p), t);
                    }
                    i += 2 * L;
                }
                if i + L <= m {
                    let xv = o::load(xt.add(i));
                    let mut t = o::load(y.add(i));
                    for k in 0..K {
                        let av = o::load(c[k].add(i));
                        t = o::fma(av, v[k], t);
                        acc[k][0] = o::fma(av, xv, acc[k][0]);
                    }
                    o::store(y.add(i), t);
                    i += L;
                }
                let tail = i;
                while i < m {
                    let mut t = *y.add(i);
                    for k in 0..K {
                        t = (*c[k].add(i)).mul_add(s[k], t);
                    }
                    *y.add(i) = t;
                    i += 1;
                }
                for k in 0..K {
                    let mut d = o::hsum(o::add(acc[k][0], acc[k][1]));
                    for l in tail..m {
                        d = (*c[k].add(l)).mul_add(*xt.add(l), d);
                    }
                    *r.add(k) = d;
                }
            }
        }

        /// The two multipliers of op(x) * alpha = x * c1 + swap(x) * c2 (see `caxpy`).
        #[inline]
        #[target_feature(enable = $feat)]
        fn cmul_factors(alpha: [E; 2], conj: bool) -> (o::V, o::V) {
            let (c1, c2) = cmul_scalars(alpha, conj);
            (o::pairs(c1[0], c1[1]), o::pairs(c2[0], c2[1]))
        }

        /// The (re, im) lanes of `cmul_factors`, for the scalar tails: they compute an
        /// element exactly as a vector lane does, x*c1 + swap(x)*c2 with the same fused
        /// steps, so no element depends on where the vector ends.
        #[inline(always)]
        fn cmul_scalars(alpha: [E; 2], conj: bool) -> ([E; 2], [E; 2]) {
            let [ar, ai] = alpha;
            if conj {
                // (ar*xr + ai*xi, ai*xr - ar*xi)
                ([ar, -ar], [ai, ai])
            } else {
                // (ar*xr - ai*xi, ar*xi + ai*xr)
                ([ar, ar], [-ai, ai])
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn caxpy(n: usize, alpha: [E; 2], x: *const E, y: *mut E, conj: bool) {
            let (c1, c2) = cmul_factors(alpha, conj);
            let len = 2 * n;
            let mut i = 0;
            // SAFETY (whole body): every real index stays below 2n.
            unsafe {
                while i + 2 * L <= len {
                    for u in 0..2 {
                        let p = i + u * L;
                        let xv = o::load(x.add(p));
                        let t = o::fma(xv, c1, o::load(y.add(p)));
                        o::store(y.add(p), o::fma(o::swap(xv), c2, t));
                    }
                    i += 2 * L;
                }
                while i + L <= len {
                    let xv = o::load(x.add(i));
                    let t = o::fma(xv, c1, o::load(y.add(i)));
                    o::store(y.add(i), o::fma(o::swap(xv), c2, t));
                    i += L;
                }
                let (s1, s2) = cmul_scalars(alpha, conj);
                while i < len {
                    let (xr, xi) = (*x.add(i), *x.add(i + 1));
                    let (yr, yi) = (*y.add(i), *y.add(i + 1));
                    *y.add(i) = xi.mul_add(s2[0], xr.mul_add(s1[0], yr));
                    *y.add(i + 1) = xr.mul_add(s2[1], xi.mul_add(s1[1], yi));
                    i += 2;
                }
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn cdot(n: usize, x: *const E, y: *const E, conj: bool) -> [E; 2] {
            // p: x*y lane-wise (xr*yr, xi*yi); q: x*swap(y) (xr*yi, xi*yr).
            let mut p = [o::zero(); 2];
            let mut q = [o::zero(); 2];
            let len = 2 * n;
            let mut i = 0;
            // SAFETY (whole body): every real index stays below 2n.
            unsafe {
                while i + 2 * L <= len {
                    for u in 0..2 {
                        let (xv, yv) = (o::load(x.add(i + u * L)), o::load(y.add(i + u * L)));
                        p[u] = o::fma(xv, yv, p[u]);
                        q[u] = o::fma(xv, o::swap(yv), q[u]);
                    }
                    i += 2 * L;
                }
                while i + L <= len {
                    let (xv, yv) = (o::load(x.add(i)), o::load(y.add(i)));
                    p[0] = o::fma(xv, yv, p[0]);
                    q[0] = o::fma(xv, o::swap(yv), q[0]);
                    i += L;
                }
                let mut ps = o::hsum_pairs(o::add(p[0], p[1]));
                let mut qs = o::hsum_pairs(o::add(q[0], q[1]));
                while i < len {
                    let (xr, xi, yr, yi) = (*x.add(i), *x.add(i + 1), *y.add(i), *y.add(i + 1));
                    ps[0] += xr * yr;
                    ps[1] += xi * yi;
                    qs[0] += xr * yi;
                    qs[1] += xi * yr;
                    i += 2;
                }
                if conj {
                    [ps[0] + ps[1], qs[0] - qs[1]]
                } else {
                    [ps[0] - ps[1], qs[0] + qs[1]]
                }
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn cscal(n: usize, alpha: [E; 2], x: *mut E) {
            let (c1, c2) = cmul_factors(alpha, false);
            let len = 2 * n;
            let mut i = 0;
            // SAFETY (whole body): every real index stays below 2n.
            unsafe {
                while i + L <= len {
                    let xv = o::load(x.add(i));
                    o::store(x.add(i), o::fma(o::swap(xv), c2, o::mul(xv, c1)));
                    i += L;
                }
                let (s1, s2) = cmul_scalars(alpha, false);
                while i < len {
                    let (xr, xi) = (*x.add(i), *x.add(i + 1));
                    *x.add(i) = xi.mul_add(s2[0], xr * s1[0]);
                    *x.add(i + 1) = xr.mul_add(s2[1], xi * s1[1]);
                    i += 2;
                }
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn cgemv_n(m: usize, n: usize, a: Mat<E>, x: *const E, y: *mut E, conj: bool) {
            let Mat { ptr: a, lda } = a;
            let len = 2 * m;
            // SAFETY (whole body): real row indices < 2m, columns < n (contract).
            unsafe {
                column_blocks! { n, |j| four => {
                    let c: [_; 4] = columns(a, 2 * lda, j);
                    let s = [
                        [*x.add(2 * j), *x.add(2 * j + 1)],
                        [*x.add(2 * j + 2), *x.add(2 * j + 3)],
                        [*x.add(2 * j + 4), *x.add(2 * j + 5)],
                        [*x.add(2 * j + 6), *x.add(2 * j + 7)],
                    ];
                    let f = [
                        cmul_factors(s[0], conj),
                        cmul_factors(s[1], conj),
                        cmul_factors(s[2], conj),
                        cmul_factors(s[3], conj),
                    ];
                    let mut i = 0;
                    while i + L <= len {
                        let mut t = o::load(y.add(i));
                        for k in 0..4 {
                            let av = o::load(c[k].add(i));
                            t = o::fma(av, f[k].0, t);
                            t = o::fma(o::swap(av), f[k].1, t);
                        }
                        o::store(y.add(i), t);
                        i += L;
                    }
                    if i < len {
                        for k in 0..4 {
                            caxpy((len - i) / 2, s[k], c[k].add(i), y.add(i), conj);
                        }
                    }
                }, one => {
                    let s = [*x.add(2 * j), *x.add(2 * j + 1)];
                    caxpy(m, s, a.add(2 * j * lda), y, conj)
                } }
            }
        }

        /// `r[k] = sum_i op(c[k][i]) * x[i]` for K complex columns of m elements, each
        /// column summed the same way whatever K is (see `col_dots`).
        #[inline(always)]
        unsafe fn ccol_dots<const K: usize>(
            m: usize,
            c: [*const E; K],
            x: *const E,
            r: *mut E,
            conj: bool,
        ) {
            let len = 2 * m;
            // Per column: p = a*x lane-wise, q = a*swap(x) (see `cdot`).
            let mut p = [o::zero(); K];
            let mut q = [o::zero(); K];
            let mut i = 0;
            // SAFETY (whole body): real row indices < 2m (contract).
            unsafe {
                while i + L <= len {
                    let xv = o::load(x.add(i));
                    let xs = o::swap(xv);
                    for k in 0..K {
                        let av = o::load(c[k].add(i));
                        p[k] = o::fma(av, xv, p[k]);
                        q[k] = o::fma(av, xs, q[k]);
                    }
                    i += L;
                }
                for k in 0..K {
                    let ps = o::hsum_pairs(p[k]);
                    let qs = o::hsum_pairs(q[k]);
                    let (re, im) = if conj {
                        (ps[0] + ps[1], qs[0] - qs[1])
                    } else {
                        (ps[0] - ps[1], qs[0] + qs[1])
                    };
                    let t = cdot((len - i) / 2, c[k].add(i), x.add(i), conj);
                    *r.add(2 * k) = re + t[0];
                    *r.add(2 * k + 1) = im + t[1];
                }
            }
        }

        #[target_feature(enable = $feat)]
        pub unsafe fn cgemv_t(m: usize, n: usize, a: Mat<E>, x: *const E, r: *mut E, conj: bool) {
            let Mat { ptr: a, lda } = a;
            // SAFETY (whole body): real row indices < 2m, columns < n (contract).
            unsafe {
                column_blocks! { n, |j|
                    four => ccol_dots::<4>(m, columns(a, 2 * lda, j), x, r.add(2 * j), conj),
                    one => ccol_dots::<1>(m, columns(a, 2 * lda, j), x, r.add(2 * j), conj)
                }
            }
        }
    };
}

mod k_avx2_f64 {
    vector_kernels!(avx2_f64, "avx2,fma");
}
mod k_avx2_f32 {
    vector_kernels!(avx2_f32, "avx2,fma");
}
mod k_avx512_f64 {
    vector_kernels!(avx512_f64, "avx512f");
}
mod k_avx512_f32 {
    vector_kernels!(avx512_f32, "avx512f");
}

/// Sum of squares of `n` f32 in f64 (see `super::sumsq_f32_wide`), on an f64 operation set `o`:
/// each vector of `o::L` floats is widened to doubles (`$widen`) and squared into one of four
/// fused accumulators.
macro_rules! sumsq_f32_wide {
    ($name:ident, $o:ident, $feat:literal, $widen:expr) => {
        #[target_feature(enable = $feat)]
        pub(super) unsafe fn $name(n: usize, x: *const f32) -> f64 {
            use std::arch::x86_64::*;
            use $o as o;
            const L: usize = o::L;
            let mut acc = [o::zero(); 4];
            // SAFETY (whole body): every index stays below n.
            unsafe {
                let mut i = 0;
                while i + 4 * L <= n {
                    for (u, a) in acc.iter_mut().enumerate() {
                        let v: o::V = ($widen)(x.add(i + u * L));
                        *a = o::fma(v, v, *a);
                    }
                    i += 4 * L;
                }
                while i + L <= n {
                    let v: o::V = ($widen)(x.add(i));
                    acc[0] = o::fma(v, v, acc[0]);
                    i += L;
                }
                let mut s = o::hsum(o::add(o::add(acc[0], acc[1]), o::add(acc[2], acc[3])));
                while i < n {
                    let v = f64::from(*x.add(i));
                    s = v.mul_add(v, s);
                    i += 1;
                }
                s
            }
        }
    };
}

sumsq_f32_wide!(sumsq_f32_wide_avx2, avx2_f64, "avx2,fma", |p| {
    _mm256_cvtps_pd(_mm_loadu_ps(p))
});
sumsq_f32_wide!(sumsq_f32_wide_avx512, avx512_f64, "avx512f", |p| {
    _mm512_cvtps_pd(_mm256_loadu_ps(p))
});

macro_rules! table {
    ($name:ident, $t:ty, $k:ident) => {
        pub(crate) static $name: Kern<$t> = Kern {
            axpy: $k::axpy,
            dot: $k::dot,
            scal: $k::scal,
            sumsq: $k::sumsq,
            gemv_n: $k::gemv_n,
            gemv_t: $k::gemv_t,
            gemv_nt: $k::gemv_nt,
            caxpy: $k::caxpy,
            cdot: $k::cdot,
            cscal: $k::cscal,
            cgemv_n: $k::cgemv_n,
            cgemv_t: $k::cgemv_t,
        };
    };
}

table!(AVX2_F64, f64, k_avx2_f64);
table!(AVX2_F32, f32, k_avx2_f32);
table!(AVX512_F64, f64, k_avx512_f64);
table!(AVX512_F32, f32, k_avx512_f32);

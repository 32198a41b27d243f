//! The level 1/2 vector kernels (`kernels::vector`) of every ISA this CPU supports against a
//! straightforward reference in double complex: lengths across every vector and unroll boundary
//! (0..=67 and larger), both conjugations, gemv N and T over many shapes and padded leading
//! dimensions, Blue's sums of squares across the small/medium/big thresholds. Then the routines
//! that use them (level1 axpy/dot/scal/nrm2, level2 gemv/ger/trsv/trmv) through the active table
//! with positive, negative and zero increments, every transpose and special alpha/beta. ISAs the
//! CPU lacks are reported as SKIPPED.

mod common;

use common::*;
use kernels::level1 as l1;
use kernels::level2 as l2;
use kernels::scalar::{Real, Scalar, C32, C64};
use kernels::vector::{self, Isa, NrmConsts};
use kernels::Int;

/// Lengths that cross every vector width (2..16 lanes) and unroll (up to 8 vectors) boundary.
fn lengths() -> Vec<usize> {
    let mut v: Vec<usize> = (0..=67).collect();
    v.extend([127, 128, 129, 255, 256, 257, 1000, 4099]);
    v
}

/// The ISAs to test; a loud SKIPPED line for each one this CPU cannot run.
fn isas() -> Vec<Isa> {
    Isa::ALL
        .into_iter()
        .filter(|isa| {
            let ok = isa.supported();
            if !ok {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "\nSKIPPED: {:?} ({}) vector kernels: this CPU lacks the ISA",
                    isa,
                    isa.table_name()
                );
            }
            ok
        })
        .collect()
}

fn op(v: C64, conj: bool) -> C64 {
    if conj {
        v.conj()
    } else {
        v
    }
}

fn to64<T: TestScalar>(v: &[T]) -> Vec<C64> {
    v.iter().map(|x| x.to_c64()).collect()
}

fn level1_kernels<T: TestScalar>(isa: Isa, r: &mut Rng) {
    for n in lengths() {
        for conj in [false, true] {
            if conj && !T::IS_COMPLEX {
                continue;
            }
            let what = format!("{isa:?} {} n={n} conj={conj}", T::PREFIX);
            let x: Vec<T> = rand_vec(r, n);
            let y: Vec<T> = rand_vec(r, n);
            let alpha = T::random(r);
            // axpy
            let mut got = y.clone();
            unsafe { vector::axpy(isa, n, alpha, x.as_ptr(), got.as_mut_ptr(), conj) };
            let want: Vec<C64> = (0..n)
                .map(|i| y[i].to_c64() + alpha.to_c64() * op(x[i].to_c64(), conj))
                .collect();
            assert_close(&got, &want, 2, &format!("axpy {what}"));
            // dot
            let got = unsafe { vector::dot(isa, n, x.as_ptr(), y.as_ptr(), conj) };
            let mut want = c(0.0, 0.0);
            for i in 0..n {
                want += op(x[i].to_c64(), conj) * y[i].to_c64();
            }
            assert_close(&[got], &[want], n, &format!("dot {what}"));
            // scal and rscal
            let mut got = x.clone();
            unsafe { vector::scal(isa, n, alpha, got.as_mut_ptr()) };
            let want: Vec<C64> = x.iter().map(|v| alpha.to_c64() * v.to_c64()).collect();
            assert_close(&got, &want, 2, &format!("scal {what}"));
            let ra = alpha.re();
            let mut got = x.clone();
            unsafe { vector::rscal(isa, n, ra, got.as_mut_ptr()) };
            let ra64: f64 = ra.into();
            let want: Vec<C64> = x.iter().map(|v| v.to_c64().scale(ra64)).collect();
            assert_close(&got, &want, 2, &format!("rscal {what}"));
        }
    }
}

/// Reference sums of Blue's algorithm, one term at a time in f64.
fn sumsq_ref<R: Real>(x: &[R], c: &NrmConsts<R>) -> [f64; 3] {
    let mut s = [0.0f64; 3];
    for &v in x {
        let ax = v.abs();
        let (k, t) = if ax > c.tbig {
            (2, ax * c.sbig)
        } else if ax < c.tsml {
            (0, ax * c.ssml)
        } else {
            (1, ax)
        };
        let t: f64 = t.into();
        s[k] += t * t;
    }
    s
}

fn sumsq_kernels<R: Real + TestScalar>(isa: Isa, r: &mut Rng) {
    let half_floor = |v: i32| v.div_euclid(2);
    let half_ceil = |v: i32| -(-v).div_euclid(2);
    let (minx, maxx, dig) = (R::MIN_EXP, R::MAX_EXP, R::DIGITS);
    let c = NrmConsts {
        tsml: R::powi2(half_ceil(minx - 1)),
        tbig: R::powi2(half_floor(maxx - dig + 1)),
        ssml: R::powi2(-half_floor(minx - dig)),
        sbig: R::powi2(-half_ceil(maxx + dig - 1)),
    };
    for n in lengths() {
        for mix in 0..4 {
            // 0: medium only; 1: with zeros and tiny values; 2: with huge values; 3: all kinds.
            let x: Vec<R> = (0..n)
                .map(|_| {
                    let v = R::random(r);
                    match (mix, r.below(4)) {
                        (1 | 3, 0) => R::zero(),
                        (1 | 3, 1) => v * c.tsml * R::from_f64(0.5),
                        (2 | 3, 2) => v * c.tbig * R::from_f64(4.0),
                        _ => v,
                    }
                })
                .collect();
            let got = unsafe { vector::sumsq(isa, n, x.as_ptr(), &c) };
            let want = sumsq_ref(&x, &c);
            for k in 0..3 {
                let g: f64 = got[k].into();
                let tol = R::EPS * (n as f64 + 4.0) * 4.0 * want[k].abs().max(f64::MIN_POSITIVE);
                assert!(
                    (g - want[k]).abs() <= tol,
                    "sumsq {isa:?} {} n={n} mix={mix} class {k}: got {g:e} want {:e}",
                    R::PREFIX,
                    want[k]
                );
            }
        }
    }
    // NaN lands in the medium sum.
    let x = [R::one(), R::from_f64(f64::NAN), R::one()];
    let got = unsafe { vector::sumsq(isa, 3, x.as_ptr(), &c) };
    assert!(got[1].is_nan(), "sumsq {isa:?}: NaN must propagate");
}

fn gemv_kernels<T: TestScalar>(isa: Isa, r: &mut Rng) {
    let mut dims: Vec<usize> = (0..=19).collect();
    dims.extend([31, 32, 33, 67]);
    for &m in &dims {
        for &n in &dims {
            for conj in [false, true] {
                if conj && !T::IS_COMPLEX {
                    continue;
                }
                let lda = m.max(1) + r.below(3);
                let a: Vec<T> = rand_vec(r, lda * n);
                let what = format!("{isa:?} {} m={m} n={n} lda={lda} conj={conj}", T::PREFIX);
                // N: y (m) += op(A) x (n)
                let x: Vec<T> = rand_vec(r, n);
                let y: Vec<T> = rand_vec(r, m);
                let mut got = y.clone();
                unsafe {
                    vector::gemv_n(
                        isa,
                        m,
                        n,
                        a.as_ptr(),
                        lda,
                        x.as_ptr(),
                        got.as_mut_ptr(),
                        conj,
                    )
                };
                let want: Vec<C64> = (0..m)
                    .map(|i| {
                        let mut s = y[i].to_c64();
                        for j in 0..n {
                            s += op(a[i + j * lda].to_c64(), conj) * x[j].to_c64();
                        }
                        s
                    })
                    .collect();
                assert_close(&got, &want, n + 1, &format!("gemv_n {what}"));
                // T: r (n) = op(A)^T x (m)
                let x: Vec<T> = rand_vec(r, m);
                let mut got = vec![T::random(r); n];
                unsafe {
                    vector::gemv_t(
                        isa,
                        m,
                        n,
                        a.as_ptr(),
                        lda,
                        x.as_ptr(),
                        got.as_mut_ptr(),
                        conj,
                    )
                };
                let want: Vec<C64> = (0..n)
                    .map(|j| {
                        let mut s = c(0.0, 0.0);
                        for i in 0..m {
                            s += op(a[i + j * lda].to_c64(), conj) * x[i].to_c64();
                        }
                        s
                    })
                    .collect();
                assert_close(&got, &want, m + 1, &format!("gemv_t {what}"));
            }
        }
    }
    // A tall and a wide case that exercise long inner loops.
    for (m, n) in [(1031, 9), (9, 1031), (300, 300)] {
        let lda = m + 1;
        let a: Vec<T> = rand_vec(r, lda * n);
        let x: Vec<T> = rand_vec(r, n.max(m));
        let mut got = vec![T::zero(); m];
        unsafe {
            vector::gemv_n(
                isa,
                m,
                n,
                a.as_ptr(),
                lda,
                x.as_ptr(),
                got.as_mut_ptr(),
                false,
            )
        };
        let want: Vec<C64> = (0..m)
            .map(|i| {
                (0..n).fold(c(0.0, 0.0), |s, j| {
                    s + a[i + j * lda].to_c64() * x[j].to_c64()
                })
            })
            .collect();
        assert_close(
            &got,
            &want,
            n,
            &format!("gemv_n {isa:?} {} {m}x{n}", T::PREFIX),
        );
        let mut got = vec![T::zero(); n];
        unsafe {
            vector::gemv_t(
                isa,
                m,
                n,
                a.as_ptr(),
                lda,
                x.as_ptr(),
                got.as_mut_ptr(),
                false,
            )
        };
        let want: Vec<C64> = (0..n)
            .map(|j| {
                (0..m).fold(c(0.0, 0.0), |s, i| {
                    s + a[i + j * lda].to_c64() * x[i].to_c64()
                })
            })
            .collect();
        assert_close(
            &got,
            &want,
            m,
            &format!("gemv_t {isa:?} {} {m}x{n}", T::PREFIX),
        );
    }
}

#[test]
fn level1_kernels_every_isa() {
    for isa in isas() {
        let mut r = Rng::new(11);
        level1_kernels::<f32>(isa, &mut r);
        level1_kernels::<f64>(isa, &mut r);
        level1_kernels::<C32>(isa, &mut r);
        level1_kernels::<C64>(isa, &mut r);
    }
}

#[test]
fn sumsq_kernels_every_isa() {
    for isa in isas() {
        let mut r = Rng::new(12);
        sumsq_kernels::<f32>(isa, &mut r);
        sumsq_kernels::<f64>(isa, &mut r);
    }
}

#[test]
fn gemv_kernels_every_isa() {
    for isa in isas() {
        let mut r = Rng::new(13);
        gemv_kernels::<f32>(isa, &mut r);
        gemv_kernels::<f64>(isa, &mut r);
        gemv_kernels::<C32>(isa, &mut r);
        gemv_kernels::<C64>(isa, &mut r);
    }
}

/// `gemv_nt` (symv's one pass over A) gives exactly the bits of `gemv_n` then `gemv_t`, for
/// every shape around the 8- and 4-column blocks and the vector/unroll boundaries of the rows.
fn gemv_nt_matches_pair<T: TestScalar>(isa: Isa, r: &mut Rng) {
    let mut ms: Vec<usize> = (0..=35).collect();
    ms.extend([67, 1000, 1031]);
    for &m in &ms {
        for n in 0..=17 {
            for conj in [(false, false), (false, true), (true, false), (true, true)] {
                if (conj.0 || conj.1) && !T::IS_COMPLEX {
                    continue;
                }
                let lda = m.max(1) + r.below(3);
                let a: Vec<T> = rand_vec(r, lda * n);
                let (xn, xt): (Vec<T>, Vec<T>) = (rand_vec(r, n), rand_vec(r, m));
                let y: Vec<T> = rand_vec(r, m);
                let (mut y1, mut r1) = (y.clone(), vec![T::zero(); n]);
                let (mut y2, mut r2) = (y.clone(), vec![T::zero(); n]);
                unsafe {
                    vector::gemv_n(
                        isa,
                        m,
                        n,
                        a.as_ptr(),
                        lda,
                        xn.as_ptr(),
                        y1.as_mut_ptr(),
                        conj.0,
                    );
                    vector::gemv_t(
                        isa,
                        m,
                        n,
                        a.as_ptr(),
                        lda,
                        xt.as_ptr(),
                        r1.as_mut_ptr(),
                        conj.1,
                    );
                    vector::gemv_nt(
                        isa,
                        m,
                        n,
                        a.as_ptr(),
                        lda,
                        (xn.as_ptr(), y2.as_mut_ptr()),
                        (xt.as_ptr(), r2.as_mut_ptr()),
                        conj,
                    );
                }
                let bits = |v: &[T]| {
                    v.iter()
                        .map(|e| e.to_c64())
                        .map(|z| (z.re.to_bits(), z.im.to_bits()))
                        .collect::<Vec<_>>()
                };
                let what = format!("{isa:?} {} m={m} n={n} lda={lda} conj={conj:?}", T::PREFIX);
                assert_eq!(bits(&y1), bits(&y2), "gemv_nt y {what}");
                assert_eq!(bits(&r1), bits(&r2), "gemv_nt r {what}");
            }
        }
    }
}

#[test]
fn gemv_nt_same_bits_as_gemv_n_and_t_every_isa() {
    for isa in isas() {
        let mut r = Rng::new(14);
        gemv_nt_matches_pair::<f32>(isa, &mut r);
        gemv_nt_matches_pair::<f64>(isa, &mut r);
        gemv_nt_matches_pair::<C64>(isa, &mut r);
    }
}

// ---- The routines through the active table, with increments. ----

/// Storage for a logical vector of `n` elements at increment `inc` (reference convention), the
/// gaps filled with a sentinel that must survive.
fn strided<T: TestScalar>(v: &[T], inc: isize, fill: T) -> Vec<T> {
    let n = v.len();
    let step = inc.unsigned_abs().max(1);
    let mut s = vec![fill; if n == 0 { 1 } else { (n - 1) * step + 1 }];
    for (i, &x) in v.iter().enumerate() {
        let k = if inc >= 0 {
            i * step
        } else {
            (n - 1 - i) * step
        };
        s[k] = x;
    }
    s
}

fn unstride<T: TestScalar>(s: &[T], n: usize, inc: isize) -> Vec<T> {
    let step = inc.unsigned_abs().max(1);
    (0..n)
        .map(|i| {
            s[if inc >= 0 {
                i * step
            } else {
                (n - 1 - i) * step
            }]
        })
        .collect()
}

fn routines_level1<T: TestScalar>(r: &mut Rng) {
    for n in [0usize, 1, 2, 3, 7, 8, 9, 31, 33, 67, 130] {
        for incx in [1isize, -1, 2, -3] {
            for incy in [1isize, -1, 2, -2] {
                let what = format!("{} n={n} incx={incx} incy={incy}", T::PREFIX);
                let x: Vec<T> = rand_vec(r, n);
                let y: Vec<T> = rand_vec(r, n);
                let xs = strided(&x, incx, T::zero());
                let mut ys = strided(&y, incy, T::one());
                let alpha = T::random(r);
                unsafe {
                    l1::axpy(
                        n as Int,
                        alpha,
                        xs.as_ptr(),
                        incx as Int,
                        ys.as_mut_ptr(),
                        incy as Int,
                    )
                };
                let want: Vec<C64> = (0..n)
                    .map(|i| y[i].to_c64() + alpha.to_c64() * x[i].to_c64())
                    .collect();
                assert_close(&unstride(&ys, n, incy), &want, 2, &format!("axpy {what}"));
                let ys = strided(&y, incy, T::one());
                for conj in [false, true] {
                    let got = unsafe {
                        l1::dot(
                            n as Int,
                            xs.as_ptr(),
                            incx as Int,
                            ys.as_ptr(),
                            incy as Int,
                            conj,
                        )
                    };
                    let mut want = c(0.0, 0.0);
                    for i in 0..n {
                        want += op(x[i].to_c64(), conj && T::IS_COMPLEX) * y[i].to_c64();
                    }
                    assert_close(&[got], &[want], n, &format!("dot conj={conj} {what}"));
                }
            }
            // scal and nrm2 (scal ignores non-positive increments).
            let x: Vec<T> = rand_vec(r, n);
            let alpha = T::random(r);
            let mut xs = strided(&x, incx, T::one());
            let before = xs.clone();
            unsafe { l1::scal(n as Int, alpha, xs.as_mut_ptr(), incx as Int) };
            if incx > 0 {
                let want: Vec<C64> = x.iter().map(|v| alpha.to_c64() * v.to_c64()).collect();
                assert_close(
                    &unstride(&xs, n, incx),
                    &want,
                    2,
                    &format!("scal {n} {incx}"),
                );
            } else {
                assert_eq!(xs, before, "scal with incx={incx} must not touch x");
            }
            let xs = strided(&x, incx, T::one());
            let got: f64 = unsafe { l1::nrm2(n as Int, xs.as_ptr(), incx as Int) }.into();
            let want = x
                .iter()
                .map(|v| {
                    let v = v.to_c64();
                    v.re * v.re + v.im * v.im
                })
                .sum::<f64>()
                .sqrt();
            assert!(
                (got - want).abs() <= T::EPS * 8.0 * (n as f64 + 1.0) * want.max(1e-300),
                "nrm2 {} n={n} incx={incx}: got {got} want {want}",
                T::PREFIX
            );
        }
    }
    // axpy with a zero increment on x (x is one repeated element).
    let x = [T::random(r)];
    let y: Vec<T> = rand_vec(r, 19);
    let mut ys = y.clone();
    let alpha = T::random(r);
    unsafe { l1::axpy(19, alpha, x.as_ptr(), 0, ys.as_mut_ptr(), 1) };
    let want: Vec<C64> = y
        .iter()
        .map(|v| v.to_c64() + alpha.to_c64() * x[0].to_c64())
        .collect();
    assert_close(&ys, &want, 2, "axpy incx=0");
    // nrm2 stays overflow- and underflow-safe on the vector path.
    let big = T::from_c64(c(1e300, 0.0));
    if T::EPS < 1e-10 {
        let v = [big; 40];
        let got: f64 = unsafe { l1::nrm2(40, v.as_ptr(), 1) }.into();
        let want = 1e300 * 40f64.sqrt();
        assert!(
            (got - want).abs() <= 1e-14 * want,
            "nrm2 big: {got} vs {want}"
        );
        let tiny = T::from_c64(c(1e-300, 0.0));
        let v = [tiny; 40];
        let got: f64 = unsafe { l1::nrm2(40, v.as_ptr(), -1) }.into();
        let want = 1e-300 * 40f64.sqrt();
        assert!(
            (got - want).abs() <= 1e-14 * want,
            "nrm2 tiny: {got} vs {want}"
        );
    }
}

#[test]
fn level1_routines_with_increments() {
    let mut r = Rng::new(21);
    routines_level1::<f32>(&mut r);
    routines_level1::<f64>(&mut r);
    routines_level1::<C32>(&mut r);
    routines_level1::<C64>(&mut r);
}

fn special<T: TestScalar>(r: &mut Rng, k: usize) -> T {
    match k {
        0 => T::zero(),
        1 => T::one(),
        _ => T::random(r),
    }
}

#[allow(clippy::too_many_arguments)]
fn routines_gemv<T: TestScalar>(r: &mut Rng) {
    let dims = [0usize, 1, 2, 3, 4, 5, 7, 8, 9, 17, 33];
    for &m in &dims {
        for &n in &dims {
            for trans in [b'N', b'T', b'C'] {
                for (incx, incy) in [(1isize, 1isize), (-1, 2), (2, -1), (-2, -3)] {
                    for ab in 0..9 {
                        let alpha: T = special(r, ab % 3);
                        let beta: T = special(r, ab / 3);
                        let lda = m.max(1) + r.below(2);
                        let a: Vec<T> = rand_vec(r, lda * n);
                        let (lx, ly) = if trans == b'N' { (n, m) } else { (m, n) };
                        let x: Vec<T> = rand_vec(r, lx);
                        // beta = 0 must not read y: start from NaN there.
                        let y: Vec<T> = if beta.is_zero() {
                            vec![T::from_c64(c(f64::NAN, f64::NAN)); ly]
                        } else {
                            rand_vec(r, ly)
                        };
                        let xs = strided(&x, incx, T::zero());
                        let mut ys = strided(&y, incy, T::one());
                        let res = unsafe {
                            l2::gemv(
                                trans,
                                m as Int,
                                n as Int,
                                None,
                                l2::MatVec {
                                    alpha,
                                    a: a.as_ptr(),
                                    lda: lda as Int,
                                    x: xs.as_ptr(),
                                    incx: incx as Int,
                                    beta,
                                    y: ys.as_mut_ptr(),
                                    incy: incy as Int,
                                },
                                false,
                            )
                        };
                        assert!(res.is_ok());
                        let quick = m == 0 || n == 0;
                        let want: Vec<C64> = (0..ly)
                            .map(|i| {
                                if quick {
                                    return y[i].to_c64();
                                }
                                let mut s = c(0.0, 0.0);
                                for l in 0..lx {
                                    let aij = match trans {
                                        b'N' => a[i + l * lda].to_c64(),
                                        b'T' => a[l + i * lda].to_c64(),
                                        _ => a[l + i * lda].to_c64().conj(),
                                    };
                                    s += aij * x[l].to_c64();
                                }
                                let b = if beta.is_zero() {
                                    c(0.0, 0.0)
                                } else {
                                    beta.to_c64() * y[i].to_c64()
                                };
                                b + alpha.to_c64() * s
                            })
                            .collect();
                        let what = format!(
                            "gemv {} {} m={m} n={n} incx={incx} incy={incy} alpha={alpha:?} beta={beta:?}",
                            T::PREFIX,
                            trans as char
                        );
                        if !(quick && beta.is_zero()) {
                            assert_close(&unstride(&ys, ly, incy), &want, lx + 2, &what);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn gemv_routine_every_transpose_and_increment() {
    let mut r = Rng::new(31);
    routines_gemv::<f32>(&mut r);
    routines_gemv::<f64>(&mut r);
    routines_gemv::<C32>(&mut r);
    routines_gemv::<C64>(&mut r);
}

fn routines_ger_trsv<T: TestScalar>(r: &mut Rng) {
    for &m in &[0usize, 1, 2, 5, 8, 13, 33] {
        for &n in &[0usize, 1, 3, 9, 17] {
            for (incx, incy) in [(1isize, 1isize), (-2, 3)] {
                for (cx, cy) in [(false, false), (false, true), (true, false)] {
                    let lda = m.max(1) + 1;
                    let a: Vec<T> = rand_vec(r, lda * n);
                    let x: Vec<T> = rand_vec(r, m);
                    let y: Vec<T> = rand_vec(r, n);
                    let alpha = T::random(r);
                    let (xs, ys) = (strided(&x, incx, T::zero()), strided(&y, incy, T::zero()));
                    let mut got = a.clone();
                    let res = unsafe {
                        l2::ger(
                            m as Int,
                            n as Int,
                            l2::RankOne {
                                alpha,
                                x: xs.as_ptr(),
                                incx: incx as Int,
                                y: ys.as_ptr(),
                                incy: incy as Int,
                                a: got.as_mut_ptr(),
                                lda: lda as Int,
                            },
                            cx,
                            cy,
                        )
                    };
                    assert!(res.is_ok());
                    let mut want = to64(&a);
                    for j in 0..n {
                        for i in 0..m {
                            want[i + j * lda] += alpha.to_c64()
                                * op(x[i].to_c64(), cx && T::IS_COMPLEX)
                                * op(y[j].to_c64(), cy && T::IS_COMPLEX);
                        }
                    }
                    assert_close(&got, &want, 2, &format!("ger {} m={m} n={n}", T::PREFIX));
                }
            }
        }
    }
    // trsv / trmv, full storage: solve then multiply back.
    for &n in &[0usize, 1, 2, 3, 4, 5, 8, 9, 16, 17, 33, 70] {
        for uplo in [b'U', b'L'] {
            for trans in [b'N', b'T', b'C'] {
                for diag in [b'N', b'U'] {
                    for incx in [1isize, -2] {
                        let lda = n.max(1) + 2;
                        // Well conditioned: a dominant diagonal.
                        let mut a: Vec<T> = rand_vec(r, lda * n);
                        for j in 0..n {
                            for i in 0..n {
                                a[i + j * lda] *= T::from_c64(c(1.0 / (n as f64 + 1.0), 0.0));
                            }
                            a[j + j * lda] += T::from_c64(c(2.0, 0.5));
                        }
                        let b: Vec<T> = rand_vec(r, n);
                        let mut xs = strided(&b, incx, T::zero());
                        let sh = l2::Shape::Full(lda);
                        let args = (uplo, trans, diag, n as Int, sh, 0 as Int, lda as Int);
                        let res = unsafe {
                            l2::trmv(
                                args.0,
                                args.1,
                                args.2,
                                args.3,
                                args.4,
                                args.5,
                                l2::TriVec {
                                    a: a.as_ptr(),
                                    lda: args.6,
                                    x: xs.as_mut_ptr(),
                                    incx: incx as Int,
                                },
                                true,
                                false,
                            )
                        };
                        assert!(res.is_ok());
                        let sol = unstride(&xs, n, incx);
                        // Multiply back with the reference op(triangle).
                        let at = |i: usize, j: usize| -> C64 {
                            let stored = if uplo == b'U' { i <= j } else { i >= j };
                            if i == j && diag == b'U' {
                                return c(1.0, 0.0);
                            }
                            if !stored {
                                return c(0.0, 0.0);
                            }
                            a[i + j * lda].to_c64()
                        };
                        let back: Vec<C64> = (0..n)
                            .map(|i| {
                                (0..n).fold(c(0.0, 0.0), |s, j| {
                                    let v = match trans {
                                        b'N' => at(i, j),
                                        b'T' => at(j, i),
                                        _ => at(j, i).conj(),
                                    };
                                    s + v * sol[j].to_c64()
                                })
                            })
                            .collect();
                        let what = format!(
                            "trsv {} {}{}{} n={n} incx={incx}",
                            T::PREFIX,
                            uplo as char,
                            trans as char,
                            diag as char
                        );
                        assert_close(&b, &back, 4 * n + 4, &what);
                        // trmv of the solution gives b back.
                        let mut xs = strided(&sol, incx, T::zero());
                        let res = unsafe {
                            l2::trmv(
                                args.0,
                                args.1,
                                args.2,
                                args.3,
                                args.4,
                                args.5,
                                l2::TriVec {
                                    a: a.as_ptr(),
                                    lda: args.6,
                                    x: xs.as_mut_ptr(),
                                    incx: incx as Int,
                                },
                                false,
                                false,
                            )
                        };
                        assert!(res.is_ok());
                        assert_close(
                            &unstride(&xs, n, incx),
                            &back,
                            n + 2,
                            &format!("trmv {what}"),
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn ger_trsv_trmv_routines() {
    let mut r = Rng::new(41);
    routines_ger_trsv::<f32>(&mut r);
    routines_ger_trsv::<f64>(&mut r);
    routines_ger_trsv::<C32>(&mut r);
    routines_ger_trsv::<C64>(&mut r);
}

//! The packed triangular products (`kernels::gemm::trmm`), from the left and from the right,
//! called directly with
//! every table this CPU runs, each with its real block sizes and with tiny ones (so that the
//! depth, row and column blocks iterate and end partial on small matrices):
//! - against a naive triangular product, for both triangles, op(A) = A, A^T and A^H, unit and
//!   non-unit diagonals, orders around MR and across several depth blocks, NaN in A's unstored
//!   triangle and in B's padding rows (neither may reach a result);
//! - each right-hand side (a column of B from the left, a row from the right) the same bits alone
//!   as among all of them;
//! - Inf in B never meets a structural zero: results whose stored terms miss it stay finite, and
//!   the other right-hand sides keep exactly the bits they have without it.

mod common;

use common::*;
use kernels::gemm::trmm::{multiply_left, multiply_right, TriangleOperand};
use kernels::gemm::{GemmScalar, KernelSet, MatRef, Ukr};
use kernels::scalar::{C32, C64};

/// The stored triangle of an order-`k` A (leading dimension `lda`), NaN elsewhere.
fn triangle<T: TestScalar>(r: &mut Rng, k: usize, lda: usize, upper: bool) -> Vec<T> {
    let nan = T::from_c64(c(f64::NAN, f64::NAN));
    let mut a = vec![nan; lda * k];
    for j in 0..k {
        for i in 0..k {
            if (i <= j) == upper || i == j {
                a[i + j * lda] = T::random(r);
            }
        }
    }
    a
}

/// One problem: op(A) of the stored `a`, its shape flags.
struct Problem<T> {
    a: Vec<T>,
    lda: usize,
    k: usize,
    /// A's stored triangle is the upper one.
    upper_a: bool,
    trans: u8,
    unit: bool,
}

impl<T: TestScalar> Problem<T> {
    fn operand(&self) -> TriangleOperand<T> {
        let transposed = self.trans != b'N';
        TriangleOperand {
            a: MatRef::op(self.a.as_ptr(), self.lda, self.trans),
            k: self.k,
            upper: self.upper_a != transposed,
            unit: self.unit,
        }
    }

    /// Element (i, j) of op(A) with the triangle's zeros and unit diagonal, in C64.
    fn op_at(&self, i: usize, j: usize) -> C64 {
        let (r, s) = if self.trans == b'N' { (i, j) } else { (j, i) };
        if i == j && self.unit {
            return c(1.0, 0.0);
        }
        if !((r <= s) == self.upper_a || r == s) {
            return c(0.0, 0.0);
        }
        let v = self.a[r + s * self.lda].to_c64();
        if self.trans == b'C' {
            c(v.re, -v.im)
        } else {
            v
        }
    }

    /// op(A) B naively (from the right: B op(A)), over the stored terms only, B being k×n
    /// (from the right: n×k) with leading dimension ldb; column-major k×n (n×k) out.
    fn naive(&self, right: bool, b: &[T], n: usize, ldb: usize) -> Vec<C64> {
        let k = self.k;
        let (rows, cols) = if right { (n, k) } else { (k, n) };
        let mut out = Vec::with_capacity(k * n);
        for j in 0..cols {
            for i in 0..rows {
                let mut s = c(0.0, 0.0);
                for l in 0..k {
                    let (m, x) = if right {
                        (self.op_at(l, j), b[i + l * ldb])
                    } else {
                        (self.op_at(i, l), b[l + j * ldb])
                    };
                    if m.re != 0.0 || m.im != 0.0 {
                        s += m * x.to_c64();
                    }
                }
                out.push(s);
            }
        }
        out
    }

    /// The packed product on a copy of `b` (`n` right-hand sides).
    fn run(&self, u: &Ukr<T>, right: bool, b: &[T], n: usize, ldb: usize) -> Vec<T> {
        let mut out = b.to_vec();
        // SAFETY: `out` holds k×n (n×k) with leading dimension ldb; A is k×k with lda.
        unsafe {
            if right {
                multiply_right(u, &self.operand(), n, out.as_mut_ptr(), ldb)
            } else {
                multiply_left(u, &self.operand(), n, out.as_mut_ptr(), ldb)
            }
        };
        out
    }
}

/// B with `rows` rows and `cols` columns (leading dimension ldb), NaN in its padding rows.
fn rhs<T: TestScalar>(r: &mut Rng, rows: usize, cols: usize, ldb: usize) -> Vec<T> {
    let nan = T::from_c64(c(f64::NAN, f64::NAN));
    (0..ldb * cols)
        .map(|e| if e % ldb < rows { T::random(r) } else { nan })
        .collect()
}

/// The first `rows` rows of each column (padding dropped).
fn rows_of<T: TestScalar>(b: &[T], rows: usize, cols: usize, ldb: usize) -> Vec<T> {
    (0..cols)
        .flat_map(|j| b[j * ldb..j * ldb + rows].iter().copied())
        .collect()
}

/// Right-hand side `e` of B: column `e` from the left, row `e` from the right (then stored as a
/// 1×k matrix with leading dimension 1).
fn one_rhs<T: TestScalar>(right: bool, b: &[T], e: usize, k: usize, ldb: usize) -> Vec<T> {
    if right {
        (0..k).map(|l| b[e + l * ldb]).collect()
    } else {
        b[e * ldb..(e + 1) * ldb].to_vec()
    }
}

fn orders(u: &Ukr<impl Copy>) -> Vec<usize> {
    let kt = (u.kc / u.mr).max(1) * u.mr;
    vec![1, u.mr - 1, u.mr + 1, 2 * kt + u.mr / 2 + 3]
}

fn check_type<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) -> usize {
    let mut r = Rng::new(seed);
    let mut checked = 0;
    for u in [*T::ukr(set), with_small_blocks(*T::ukr(set))] {
        for k in orders(&u) {
            for (right, upper_a, trans, unit) in shapes() {
                let lda = k + 2;
                let p = Problem {
                    a: triangle::<T>(&mut r, k, lda, upper_a),
                    lda,
                    k,
                    upper_a,
                    trans,
                    unit,
                };
                // Right-hand sides: past two register tiles across them.
                let n = 2 * u.nr.max(u.mr) + 3;
                let (rows, cols) = if right { (n, k) } else { (k, n) };
                let ldb = rows + 3;
                let b = rhs::<T>(&mut r, rows, cols, ldb);
                let what = format!(
                    "{} kc={} k={k} right={right} upper_a={upper_a} trans={} unit={unit}",
                    u.name, u.kc, trans as char
                );
                let got = p.run(&u, right, &b, n, ldb);
                let want = p.naive(right, &b, n, ldb);
                assert_close(&rows_of(&got, rows, cols, ldb), &want, k, &what);
                for (e, v) in got.iter().enumerate() {
                    if e % ldb >= rows {
                        assert!(
                            v.to_c64().re.is_nan(),
                            "{what}: padding element {e} written"
                        );
                    }
                }
                // Each right-hand side alone: the same bits.
                for e in [0, n / 2, n - 1] {
                    let ld1 = if right { 1 } else { ldb };
                    let one = p.run(&u, right, &one_rhs(right, &b, e, k, ldb), 1, ld1);
                    let all = one_rhs(right, &got, e, k, ldb);
                    for l in 0..k {
                        assert_eq!(
                            bits(one[l]),
                            bits(all[l]),
                            "{what}: right-hand side {e} alone, element {l}"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    checked
}

/// Every side, stored triangle, op and diagonal.
fn shapes() -> Vec<(bool, bool, u8, bool)> {
    let mut v = Vec::new();
    for right in [false, true] {
        for upper_a in [true, false] {
            for trans in [b'N', b'T', b'C'] {
                for unit in [false, true] {
                    v.push((right, upper_a, trans, unit));
                }
            }
        }
    }
    v
}

/// Inf in right-hand side 1 of B, at a place on a diagonal tile: the stored terms decide where
/// it spreads.
fn check_inf<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) {
    let mut r = Rng::new(seed);
    for u in [*T::ukr(set), with_small_blocks(*T::ukr(set))] {
        let k = 3 * u.mr.max(u.nr) + 1;
        for (right, upper_a, trans, _) in shapes().into_iter().filter(|s| s.2 != b'C' && !s.3) {
            let p = Problem {
                a: triangle::<T>(&mut r, k, k, upper_a),
                lda: k,
                k,
                upper_a,
                trans,
                unit: false,
            };
            let n = u.nr.max(u.mr) + 2;
            let (rows, cols) = if right { (n, k) } else { (k, n) };
            let b = rhs::<T>(&mut r, rows, cols, rows);
            let clean = p.run(&u, right, &b, n, rows);
            let at = u.mr.max(u.nr) + 1;
            // Element `at` of right-hand side 1.
            let place = |l: usize| if right { 1 + l * rows } else { l + rows };
            let mut with_inf = b.clone();
            with_inf[place(at)] = T::from_c64(c(f64::INFINITY, 0.0));
            let got = p.run(&u, right, &with_inf, n, rows);
            let what = format!(
                "{} kc={} right={right} upper_a={upper_a} trans={}",
                u.name, u.kc, trans as char
            );
            for e in (0..n).filter(|&e| e != 1) {
                let (x, y) = (
                    one_rhs(right, &got, e, k, rows),
                    one_rhs(right, &clean, e, k, rows),
                );
                for l in 0..k {
                    assert_eq!(
                        bits(x[l]),
                        bits(y[l]),
                        "{what}: right-hand side {e} element {l} changed by an Inf in another"
                    );
                }
            }
            // Element l of right-hand side 1 meets the Inf exactly when op(A) holds a stored
            // element between them.
            for l in 0..k {
                let v = got[place(l)].to_c64();
                let m = if right {
                    p.op_at(at, l)
                } else {
                    p.op_at(l, at)
                };
                let reaches = m != c(0.0, 0.0);
                let finite = v.re.is_finite() && v.im.is_finite();
                assert_eq!(
                    finite, !reaches,
                    "{what}: element {l} of right-hand side 1 = {v:?}"
                );
            }
        }
    }
}

#[test]
fn packed_trmm_matches_the_naive_product_on_both_sides_on_every_table() {
    for (set, ok) in kernels::arch::tables() {
        if !ok {
            skipped(&format!(
                "{}: this CPU lacks the ISA; the packed trmm NOT checked on it",
                set.name
            ));
            continue;
        }
        let n = check_type::<f32>(set, 1)
            + check_type::<f64>(set, 2)
            + check_type::<C32>(set, 3)
            + check_type::<C64>(set, 4);
        assert!(n >= 4 * 2 * 4 * 24, "{}: only {n} cases", set.name);
    }
}

#[test]
fn packed_trmm_keeps_inf_to_the_stored_triangle() {
    for (set, ok) in kernels::arch::tables() {
        if !ok {
            skipped(&format!(
                "{}: this CPU lacks the ISA; the packed trmm's Inf handling NOT checked on it",
                set.name
            ));
            continue;
        }
        check_inf::<f32>(set, 5);
        check_inf::<f64>(set, 6);
        check_inf::<C32>(set, 7);
        check_inf::<C64>(set, 8);
    }
}

//! The packed triangular product from the left (`kernels::gemm::trmm`), called directly with
//! every table this CPU runs, each with its real block sizes and with tiny ones (so that the
//! depth, row and column blocks iterate and end partial on small matrices):
//! - against a naive triangular product, for both triangles, op(A) = A, A^T and A^H, unit and
//!   non-unit diagonals, orders around MR and across several depth blocks, NaN in A's unstored
//!   triangle and in B's padding rows (neither may reach a result);
//! - each column the same bits alone as among all of them;
//! - Inf in B never meets a structural zero: rows whose stored terms miss it stay finite, and the
//!   other columns keep exactly the bits they have without it.

mod common;

use common::*;
use kernels::gemm::trmm::{multiply_left, TriangleOperand};
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

    /// op(A) B naively, over the stored terms only, B being k×n with leading dimension ldb.
    fn naive(&self, b: &[T], n: usize, ldb: usize) -> Vec<C64> {
        let mut out = Vec::with_capacity(self.k * n);
        for j in 0..n {
            for i in 0..self.k {
                let mut s = c(0.0, 0.0);
                for l in 0..self.k {
                    let m = self.op_at(i, l);
                    if m.re != 0.0 || m.im != 0.0 {
                        s += m * b[l + j * ldb].to_c64();
                    }
                }
                out.push(s);
            }
        }
        out
    }

    /// The packed product on a copy of `b`.
    fn run(&self, u: &Ukr<T>, b: &[T], n: usize, ldb: usize) -> Vec<T> {
        let mut out = b.to_vec();
        // SAFETY: `out` holds k×n with leading dimension ldb; A is k×k with lda.
        unsafe { multiply_left(u, &self.operand(), n, out.as_mut_ptr(), ldb) };
        out
    }
}

/// B (k×n, leading dimension ldb), NaN in its padding rows.
fn rhs<T: TestScalar>(r: &mut Rng, k: usize, n: usize, ldb: usize) -> Vec<T> {
    let nan = T::from_c64(c(f64::NAN, f64::NAN));
    (0..ldb * n)
        .map(|e| if e % ldb < k { T::random(r) } else { nan })
        .collect()
}

/// The rows 0..k of each column, as C64 (padding dropped).
fn rows_of<T: TestScalar>(b: &[T], k: usize, n: usize, ldb: usize) -> Vec<T> {
    (0..n)
        .flat_map(|j| b[j * ldb..j * ldb + k].iter().copied())
        .collect()
}

fn bits<T: TestScalar>(v: T) -> (u64, u64) {
    let c = v.to_c64();
    (c.re.to_bits(), c.im.to_bits())
}

fn orders(u: &Ukr<impl Copy>) -> Vec<usize> {
    let kt = (u.kc / u.mr).max(1) * u.mr;
    vec![1, u.mr - 1, u.mr + 1, 2 * kt + u.mr / 2 + 3]
}

fn check_type<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) -> usize {
    let mut r = Rng::new(seed);
    let mut checked = 0;
    for u in [T::ukr(set), with_small_blocks(T::ukr(set))] {
        for k in orders(&u) {
            for upper_a in [true, false] {
                for trans in [b'N', b'T', b'C'] {
                    for unit in [false, true] {
                        let lda = k + 2;
                        let p = Problem {
                            a: triangle::<T>(&mut r, k, lda, upper_a),
                            lda,
                            k,
                            upper_a,
                            trans,
                            unit,
                        };
                        let n = 2 * u.nr + 3;
                        let ldb = k + 3;
                        let b = rhs::<T>(&mut r, k, n, ldb);
                        let what = format!(
                            "{} kc={} k={k} upper_a={upper_a} trans={} unit={unit}",
                            u.name, u.kc, trans as char
                        );
                        let got = p.run(&u, &b, n, ldb);
                        assert_close(&rows_of(&got, k, n, ldb), &p.naive(&b, n, ldb), k, &what);
                        // Padding rows untouched (still NaN).
                        for j in 0..n {
                            for i in k..ldb {
                                assert!(got[i + j * ldb].to_c64().re.is_nan(), "{what}: padding");
                            }
                        }
                        // Each column alone: the same bits.
                        for j in [0, n / 2, n - 1] {
                            let one = p.run(&u, &b[j * ldb..(j + 1) * ldb], 1, ldb);
                            for i in 0..k {
                                assert_eq!(
                                    bits(one[i]),
                                    bits(got[i + j * ldb]),
                                    "{what}: column {j} alone, row {i}"
                                );
                            }
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    checked
}

/// Inf in column 1 of B at a row on a diagonal tile: the stored terms decide where it spreads.
fn check_inf<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) {
    let mut r = Rng::new(seed);
    for u in [T::ukr(set), with_small_blocks(T::ukr(set))] {
        let k = 3 * u.mr + 1;
        for upper_a in [true, false] {
            for trans in [b'N', b'T'] {
                let p = Problem {
                    a: triangle::<T>(&mut r, k, k, upper_a),
                    lda: k,
                    k,
                    upper_a,
                    trans,
                    unit: false,
                };
                let n = u.nr + 2;
                let b = rhs::<T>(&mut r, k, n, k);
                let clean = p.run(&u, &b, n, k);
                let mut with_inf = b.clone();
                let at = u.mr + 1;
                with_inf[at + k] = T::from_c64(c(f64::INFINITY, 0.0));
                let got = p.run(&u, &with_inf, n, k);
                let what = format!(
                    "{} kc={} upper_a={upper_a} trans={}",
                    u.name, u.kc, trans as char
                );
                for j in (0..n).filter(|&j| j != 1) {
                    for i in 0..k {
                        assert_eq!(
                            bits(got[i + j * k]),
                            bits(clean[i + j * k]),
                            "{what}: column {j} row {i} changed by an Inf in column 1"
                        );
                    }
                }
                // Row i of column 1 meets the Inf exactly when op(A)(i, at) is stored.
                for i in 0..k {
                    let v = got[i + k].to_c64();
                    let reaches = p.op_at(i, at) != c(0.0, 0.0);
                    let finite = v.re.is_finite() && v.im.is_finite();
                    assert_eq!(finite, !reaches, "{what}: row {i} of column 1 = {v:?}");
                }
            }
        }
    }
}

#[test]
fn packed_trmm_matches_the_naive_product_on_every_table() {
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
        assert!(n >= 4 * 2 * 4 * 12, "{}: only {n} cases", set.name);
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

//! Shape independence of the GEMM engine, checked bitwise: for one kernel table, an element of
//! C must come out the same whatever product it is computed in. Each case computes a whole
//! product, then sub-products (a block of rows of op(A) times a block of columns of op(B), with
//! the matching block of C and other leading dimensions) on every path and split over threads,
//! and requires every element to be identical to the whole product's. Inputs span many orders
//! of magnitude, so a different rounding anywhere shows as a different bit pattern.
//!
//! The sweep covers every table this CPU runs, s/d/c/z, every transpose pair, alpha complex or
//! real, beta in {0, 1, -1, other real, other}, C holding signed zeros and Inf/NaN parts here
//! and there, and sizes crossing MR, NR, MC, KC and NC (small block sizes make the
//! framework's loops iterate; the real ones are crossed too). Tables the CPU cannot run are
//! reported as SKIPPED.
//!
//! The Level 3 routines built on the engine (gemmt, symm/hemm, syrk/herk, syr2k/her2k, trmm,
//! trsm) are checked the same way through their BLAS entry points, on 1 and 2 threads: a
//! sub-problem (a block of B's columns or rows, a diagonal block of a triangular product or
//! rank-k update) reproduces the whole problem's elements; and whole gemmt and rank-k results
//! large enough to be split between threads are identical on 1 and 2 threads.

mod common;

use common::*;
use kernels::gemm::{gemm_parallel_with, gemm_with_path, GemmScalar, KernelSet, MatRef, Path, Ukr};
use kernels::level3::{self as l3, RankK, Triangular};
use kernels::scalar::{Complex, C32, C64};
use kernels::Int;

/// A value of random sign and magnitude 2^-20 .. 2^20: products then cancel to every degree.
fn wide<T: TestScalar>(r: &mut Rng) -> T {
    let part = |r: &mut Rng| r.unit() * 2f64.powi(r.below(41) as i32 - 20);
    let (re, im) = (part(r), part(r));
    T::from_c64(Complex::new(re, im))
}

fn wide_vec<T: TestScalar>(r: &mut Rng, n: usize) -> Vec<T> {
    (0..n).map(|_| wide(r)).collect()
}

/// A wide value with no imaginary part: the complex kernels scale by a real alpha or beta with
/// one multiplication per part instead of a complex product, a case of its own for every path.
fn wide_real<T: TestScalar>(r: &mut Rng) -> T {
    T::from_c64(Complex::new(wide::<f64>(r), 0.0))
}

/// `wide_vec` with about one element in eight replaced by a special value: signed zeros, an
/// infinite or NaN part beside a finite one. Placed in C, each touches only its own element, and
/// every path must treat it the same way (for a real beta, no Inf * 0 from an imaginary part of
/// beta that is zero).
fn wide_vec_with_specials<T: TestScalar>(r: &mut Rng, n: usize) -> Vec<T> {
    let specials = [
        (-0.0, -0.0),
        (-0.0, 0.0),
        (0.0, -0.0),
        (1.5, f64::INFINITY),
        (f64::NEG_INFINITY, -2.0),
        (0.75, f64::NAN),
    ];
    (0..n)
        .map(|_| {
            if r.below(8) == 0 {
                let (re, im) = specials[r.below(specials.len())];
                T::from_c64(Complex::new(re, im))
            } else {
                wide(r)
            }
        })
        .collect()
}

/// Column-major operands of one product, with leading dimensions.
struct Operands<T> {
    ta: u8,
    tb: u8,
    a: Vec<T>,
    lda: usize,
    b: Vec<T>,
    ldb: usize,
    c: Vec<T>,
    ldc: usize,
}

impl<T: TestScalar> Operands<T> {
    fn new(r: &mut Rng, ta: u8, tb: u8, m: usize, n: usize, k: usize) -> Self {
        let (ar, ac) = if ta == b'N' { (m, k) } else { (k, m) };
        let (br, bc) = if tb == b'N' { (k, n) } else { (n, k) };
        let (lda, ldb, ldc) = (
            ar.max(1) + r.below(3),
            br.max(1) + r.below(3),
            m + r.below(3),
        );
        Operands {
            ta,
            tb,
            a: wide_vec(r, lda * ac),
            lda,
            b: wide_vec(r, ldb * bc),
            ldb,
            c: wide_vec_with_specials(r, ldc * n),
            ldc,
        }
    }

    /// The operands of the sub-product rows `i0..i1`, columns `j0..j1` (depth unchanged), copied
    /// into arrays with other leading dimensions.
    fn block(&self, k: usize, rows: (usize, usize), cols: (usize, usize), pad: usize) -> Self {
        let (m, n) = (rows.1 - rows.0, cols.1 - cols.0);
        // op(A)'s rows i0..i1 are A's rows (N) or columns (T, C).
        let (ar, ac) = if self.ta == b'N' { (m, k) } else { (k, m) };
        let (br, bc) = if self.tb == b'N' { (k, n) } else { (n, k) };
        let (lda, ldb, ldc) = (ar + pad, br + 2 * pad, m + pad);
        let copy = |src: &[T], ld: usize, nr: usize, nc: usize, r0: usize, c0: usize, dld| {
            let mut out = vec![T::zero(); dld * nc];
            for j in 0..nc {
                for i in 0..nr {
                    out[i + j * dld] = src[r0 + i + (c0 + j) * ld];
                }
            }
            out
        };
        let (ra, ca) = if self.ta == b'N' {
            (rows.0, 0)
        } else {
            (0, rows.0)
        };
        let (rb, cb) = if self.tb == b'N' {
            (0, cols.0)
        } else {
            (cols.0, 0)
        };
        Operands {
            ta: self.ta,
            tb: self.tb,
            a: copy(&self.a, self.lda, ar, ac, ra, ca, lda),
            lda,
            b: copy(&self.b, self.ldb, br, bc, rb, cb, ldb),
            ldb,
            c: copy(&self.c, self.ldc, m, n, rows.0, cols.0, ldc),
            ldc,
        }
    }

    /// C := alpha op(A) op(B) + beta C through kernel `u` on `path` (or split over `parts`
    /// threads), returning the new C.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        u: &Ukr<T>,
        path: Path,
        parts: usize,
        m: usize,
        n: usize,
        k: usize,
        alpha: T,
        beta: T,
    ) -> Vec<T>
    where
        T: GemmScalar,
    {
        let mut c = self.c.clone();
        let a = MatRef::op(self.a.as_ptr(), self.lda, self.ta);
        let b = MatRef::op(self.b.as_ptr(), self.ldb, self.tb);
        // SAFETY: the arrays hold the operands with the dimensions passed.
        unsafe {
            if parts > 1 {
                gemm_parallel_with(
                    u,
                    parts,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    b,
                    beta,
                    c.as_mut_ptr(),
                    self.ldc,
                )
            } else {
                gemm_with_path(
                    u,
                    path,
                    m,
                    n,
                    k,
                    alpha,
                    a,
                    b,
                    beta,
                    c.as_mut_ptr(),
                    self.ldc,
                )
            }
        }
        c
    }
}

/// Ways of computing the same elements: each path single-threaded, and the automatic path over
/// 2 and 3 threads.
const WAYS: [(Path, usize); 6] = [
    (Path::Auto, 1),
    (Path::Packed, 1),
    (Path::Direct, 1),
    (Path::Tiny, 1),
    (Path::Auto, 2),
    (Path::Auto, 3),
];

/// One product of m x n x k: the whole product on the automatic path is the reference; the
/// whole product every other way and sub-products every way must match it bit for bit.
/// Returns the number of elements compared.
#[allow(clippy::too_many_arguments)]
fn check_case<T: TestScalar + GemmScalar>(
    u: &Ukr<T>,
    r: &mut Rng,
    ta: u8,
    tb: u8,
    m: usize,
    n: usize,
    k: usize,
    beta: T,
) -> usize {
    let ops = Operands::<T>::new(r, ta, tb, m, n, k);
    let alpha = if r.below(2) == 0 {
        wide::<T>(r)
    } else {
        wide_real::<T>(r)
    };
    let whole = ops.run(u, Path::Auto, 1, m, n, k, alpha, beta);
    let mut compared = 0;
    let mut blocks = vec![((0, m), (0, n))];
    // Single elements, single rows and columns, tile-aligned and unaligned blocks, the last
    // partial tiles.
    for _ in 0..4 {
        let (i0, j0) = (r.below(m), r.below(n));
        let (i1, j1) = (i0 + 1 + r.below(m - i0), j0 + 1 + r.below(n - j0));
        blocks.push(((i0, i1), (j0, j1)));
    }
    blocks.push(((r.below(m), m), (0, 1)));
    blocks.push(((0, 1), (r.below(n), n)));
    blocks.push(((m - 1, m), (n - 1, n)));
    blocks.push(((m.min(u.mr) / 2, m), (n.min(u.nr) / 2, n)));
    for (rows, cols) in blocks {
        let sub = ops.block(k, rows, cols, 1 + r.below(3));
        let (bm, bn) = (rows.1 - rows.0, cols.1 - cols.0);
        for (path, parts) in WAYS {
            let got = sub.run(u, path, parts, bm, bn, k, alpha, beta);
            for j in 0..bn {
                for i in 0..bm {
                    let (g, w) = (
                        got[i + j * sub.ldc],
                        whole[rows.0 + i + (cols.0 + j) * ops.ldc],
                    );
                    assert_eq!(
                        value_bits(g),
                        value_bits(w),
                        "{} {}{} m={m} n={n} k={k} beta={beta:?}: element ({}, {}) of the block \
                         rows {rows:?} cols {cols:?} computed {path:?} on {parts} thread(s) is \
                         {g:?}, the whole product has {w:?}",
                        u.name,
                        ta as char,
                        tb as char,
                        rows.0 + i,
                        cols.0 + j
                    );
                    compared += 1;
                }
            }
        }
    }
    compared
}

fn betas<T: TestScalar>(r: &mut Rng) -> [T; 5] {
    [
        T::zero(),
        T::one(),
        T::from_c64(c(-1.0, 0.0)),
        wide_real(r),
        wide(r),
    ]
}

fn sweep<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) -> usize {
    let mut r = Rng::new(seed);
    let real = *T::ukr(set);
    let (mr, nr) = (real.mr, real.nr);
    let small = with_small_blocks(real);
    let trans = [b'N', b'T', b'C'];
    let mut compared = 0;
    for &ta in &trans {
        for &tb in &trans {
            for beta in betas::<T>(&mut r) {
                let m = [1, mr - 1, 2 * mr + 3, 3 * mr + 1][r.below(4)].max(1);
                // nr + 4, 2 nr + 8: last panels for the 4-column edge kernels (`EdgeUkr`).
                let n = [1, nr + 1, nr + 4, 2 * nr + 1, 2 * nr + 8, 3 * nr + 2][r.below(6)];
                let k = [1, 4, 5, 11, 17][r.below(5)];
                compared += check_case(&small, &mut r, ta, tb, m, n, k, beta);
                // The table's own block sizes: past MC and KC.
                let (m, n, k) = (real.mc + mr + 1, nr + 1 + r.below(nr), real.kc + 3);
                compared += check_case(&real, &mut r, ta, tb, m, n, k, beta);
            }
        }
    }
    // Shallow and wide with the table's own blocks: MC grows as the depth shrinks below KC
    // (`shallow_mc`); rows past the grown block.
    for beta in betas::<T>(&mut r) {
        let k = real.kc / 4 + 1;
        let m = real.mc * real.kc.div_ceil(k) + mr + 1;
        compared += check_case(&real, &mut r, b'N', b'T', m, 5 * nr + 1, k, beta);
    }
    // Past NC with the table's own blocks.
    for beta in betas::<T>(&mut r) {
        compared += check_case(&real, &mut r, b'N', b'N', mr + 3, real.nc + nr + 1, 3, beta);
    }
    compared
}

fn run_table(name: &str) {
    let Some(set) = runnable_table(name, "shape independence") else {
        return;
    };
    let n = sweep::<f32>(set, 11)
        + sweep::<f64>(set, 12)
        + sweep::<C32>(set, 13)
        + sweep::<C64>(set, 14);
    println!("{name}: {n} elements identical to the whole product's");
}

#[test]
fn generic_results_do_not_depend_on_the_shape() {
    run_table("GENERIC");
}

#[test]
fn haswell_results_do_not_depend_on_the_shape() {
    run_table("HASWELL");
}

#[test]
fn skylakex_results_do_not_depend_on_the_shape() {
    run_table("SKYLAKEX");
}

// ---- Level 3 routines through their BLAS entry points -------------------------------------

/// A column-major m x n array of wide values with leading dimension `ld`.
fn wide_mat<T: TestScalar>(r: &mut Rng, ld: usize, n: usize) -> Vec<T> {
    wide_vec(r, ld * n)
}

/// Columns `j0..j1` (or rows `i0..i1`) of an m x n array, as a new array with leading dimension
/// `ld`.
fn sub_mat<T: TestScalar>(
    x: &[T],
    ldx: usize,
    rows: (usize, usize),
    cols: (usize, usize),
    ld: usize,
) -> Vec<T> {
    let mut out = vec![T::zero(); ld * (cols.1 - cols.0)];
    for j in cols.0..cols.1 {
        for i in rows.0..rows.1 {
            out[i - rows.0 + (j - cols.0) * ld] = x[i + j * ldx];
        }
    }
    out
}

/// `got` (rows x cols, ld `ldg`) must equal the block of `whole` (ld `ldw`) at (r0, c0), bit for
/// bit, where `keep(i, j)` (whole-matrix indices) says the element is computed.
#[allow(clippy::too_many_arguments)]
fn same_block<T: TestScalar>(
    what: &str,
    got: &[T],
    ldg: usize,
    whole: &[T],
    ldw: usize,
    rows: (usize, usize),
    cols: (usize, usize),
    keep: impl Fn(usize, usize) -> bool,
) -> usize {
    let mut n = 0;
    for j in cols.0..cols.1 {
        for i in rows.0..rows.1 {
            if !keep(i, j) {
                continue;
            }
            let (g, w) = (got[i - rows.0 + (j - cols.0) * ldg], whole[i + j * ldw]);
            assert_eq!(
                bits(g),
                bits(w),
                "{what}: element ({i}, {j}) of the sub-problem rows {rows:?} cols {cols:?} is \
                 {g:?}, the whole problem has {w:?}"
            );
            n += 1;
        }
    }
    n
}

/// A random sub-range of 0..len that is neither empty nor (usually) the whole.
fn range(r: &mut Rng, len: usize) -> (usize, usize) {
    let lo = r.below(len);
    (lo, lo + 1 + r.below(len - lo))
}

/// symm/hemm: for side L, columns of B and C are independent; for side R, rows are.
fn check_symm<T: TestScalar + GemmScalar>(r: &mut Rng, herm: bool) -> usize {
    // Orders past KC (256 in every table): the depth is cut into blocks.
    let (m, n) = (293, 270);
    let mut compared = 0;
    for side in [b'L', b'R'] {
        for uplo in [b'U', b'L'] {
            let ka = if side == b'L' { m } else { n };
            let a: Vec<T> = wide_mat(r, ka, ka);
            let b: Vec<T> = wide_mat(r, m, n);
            let c0: Vec<T> = wide_mat(r, m, n);
            let (alpha, beta) = (wide::<T>(r), betas::<T>(r)[r.below(4)]);
            let run = |bm: usize, bn: usize, b: &[T], c: &mut [T]| {
                // SAFETY: arrays hold the operands with the dimensions passed.
                let res = unsafe {
                    kernels::level3::symm(
                        side,
                        uplo,
                        bm as Int,
                        bn as Int,
                        l3::Operands {
                            alpha,
                            a: a.as_ptr(),
                            lda: ka as Int,
                            b: b.as_ptr(),
                            ldb: bm as Int,
                            beta,
                            c: c.as_mut_ptr(),
                            ldc: bm as Int,
                        },
                        herm,
                    )
                };
                assert_eq!(res, Ok(()));
            };
            let mut whole = c0.clone();
            run(m, n, &b, &mut whole);
            let (rows, cols) = if side == b'L' {
                ((0, m), range(r, n))
            } else {
                (range(r, m), (0, n))
            };
            let (bm, bn) = (rows.1 - rows.0, cols.1 - cols.0);
            let bs = sub_mat(&b, m, rows, cols, bm);
            let mut cs = sub_mat(&c0, m, rows, cols, bm);
            run(bm, bn, &bs, &mut cs);
            let what = format!(
                "{}symm side={} uplo={}",
                if herm { "he/" } else { "" },
                side as char,
                uplo as char
            );
            compared += same_block(&what, &cs, bm, &whole, m, rows, cols, |_, _| true);
        }
    }
    compared
}

/// syrk/herk and syr2k/her2k: rows n0..n1 of op(A) (and op(B)) update exactly the block
/// (n0..n1) x (n0..n1) of C's stored triangle, as in the whole update.
fn check_syrk<T: TestScalar + GemmScalar>(r: &mut Rng, herm: bool, two: bool) -> usize {
    // Large enough for the whole update to be split between threads when there are two.
    let (n, k) = (200, 61);
    let mut compared = 0;
    // Hermitian updates take N or C; the others N or T.
    let transes: &[u8] = if herm { b"NC" } else { b"NT" };
    for uplo in [b'U', b'L'] {
        for &trans in transes {
            let (ar, ac) = if trans == b'N' { (n, k) } else { (k, n) };
            let a: Vec<T> = wide_mat(r, ar, ac);
            let b: Vec<T> = wide_mat(r, ar, ac);
            let c0: Vec<T> = wide_mat(r, n, n);
            let mut alpha = wide::<T>(r);
            let mut beta = betas::<T>(r)[r.below(4)];
            if herm {
                // herk takes real alpha and beta; her2k a real beta.
                beta = T::from_c64(c(beta.to_c64().re, 0.0));
                if !two {
                    alpha = T::from_c64(c(alpha.to_c64().re, 0.0));
                }
            }
            let run = |nn: usize, a: &[T], b: &[T], c: &mut [T], lda: usize| {
                let bop = two.then_some((b.as_ptr(), lda as Int));
                // SAFETY: arrays hold the operands with the dimensions passed.
                let res = unsafe {
                    kernels::level3::syrk(
                        uplo,
                        trans,
                        RankK {
                            n: nn as Int,
                            k: k as Int,
                            alpha,
                            a: a.as_ptr(),
                            lda: lda as Int,
                            b: bop,
                            beta,
                            c: c.as_mut_ptr(),
                            ldc: nn as Int,
                        },
                        herm,
                    )
                };
                assert_eq!(res, Ok(()));
            };
            let mut whole = c0.clone();
            run(n, &a, &b, &mut whole, ar);
            let block = range(r, n);
            let nb = block.1 - block.0;
            // Rows of op(A) are rows of A (N) or columns of A (T, C).
            let (sa, sb, lda) = if trans == b'N' {
                let ld = nb + 1;
                (
                    sub_mat(&a, ar, block, (0, k), ld),
                    sub_mat(&b, ar, block, (0, k), ld),
                    ld,
                )
            } else {
                (
                    sub_mat(&a, ar, (0, k), block, k),
                    sub_mat(&b, ar, (0, k), block, k),
                    k,
                )
            };
            let mut cs = sub_mat(&c0, n, block, block, nb);
            run(nb, &sa, &sb, &mut cs, lda);
            let upper = uplo == b'U';
            let what = format!(
                "{}{} uplo={} trans={}",
                if herm { "her" } else { "syr" },
                if two { "2k" } else { "k" },
                uplo as char,
                trans as char
            );
            compared += same_block(&what, &cs, nb, &whole, n, block, block, |i, j| {
                if upper {
                    i <= j
                } else {
                    i >= j
                }
            });
        }
    }
    compared
}

/// gemmt: rows n0..n1 of op(A) and columns n0..n1 of op(B) update exactly the block
/// (n0..n1) x (n0..n1) of C's stored triangle, as in the whole product (n large enough for the
/// whole product to be split between threads when there are two).
fn check_gemmt<T: TestScalar + GemmScalar>(r: &mut Rng) -> usize {
    let (n, k) = (200, 61);
    let mut compared = 0;
    for uplo in [b'U', b'L'] {
        let (ta, tb) = (b"NTC"[r.below(3)], b"NTC"[r.below(3)]);
        let (a, b, c0, alpha, beta) = gemmt_operands::<T>(r, ta, tb, n, k);
        let whole = run_gemmt(uplo, ta, tb, n, k, alpha, &a, &b, beta, &c0);
        let block = range(r, n);
        let nb = block.1 - block.0;
        // Rows of op(A) are rows of A (N) or columns (T, C); columns of op(B) are columns of B
        // (N) or rows (T, C).
        let sa = if ta == b'N' {
            sub_mat(&a, n, block, (0, k), nb)
        } else {
            sub_mat(&a, k, (0, k), block, k)
        };
        let sb = if tb == b'N' {
            sub_mat(&b, k, (0, k), block, k)
        } else {
            sub_mat(&b, n, block, (0, k), nb)
        };
        let cs = sub_mat(&c0, n, block, block, nb);
        let got = run_gemmt(uplo, ta, tb, nb, k, alpha, &sa, &sb, beta, &cs);
        let what = format!("gemmt uplo={} {}{}", uplo as char, ta as char, tb as char);
        compared += same_block(&what, &got, nb, &whole, n, block, block, |i, j| {
            if uplo == b'U' {
                i <= j
            } else {
                i >= j
            }
        });
    }
    compared
}

/// Operands of an n x n x k gemmt with tight leading dimensions: A, B, C, alpha, beta.
fn gemmt_operands<T: TestScalar>(
    r: &mut Rng,
    ta: u8,
    tb: u8,
    n: usize,
    k: usize,
) -> (Vec<T>, Vec<T>, Vec<T>, T, T) {
    let a = wide_mat(
        r,
        if ta == b'N' { n } else { k },
        if ta == b'N' { k } else { n },
    );
    let b = wide_mat(
        r,
        if tb == b'N' { k } else { n },
        if tb == b'N' { n } else { k },
    );
    let c0 = wide_mat(r, n, n);
    (a, b, c0, wide(r), betas::<T>(r)[r.below(4)])
}

/// gemmt with tight leading dimensions, returning the new C.
#[allow(clippy::too_many_arguments)]
fn run_gemmt<T: TestScalar + GemmScalar>(
    uplo: u8,
    ta: u8,
    tb: u8,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    b: &[T],
    beta: T,
    c0: &[T],
) -> Vec<T> {
    let mut c = c0.to_vec();
    let lda = if ta == b'N' { n } else { k };
    let ldb = if tb == b'N' { k } else { n };
    // SAFETY: the arrays hold the operands with the dimensions passed.
    let res = unsafe {
        kernels::level3::gemmt(
            uplo,
            ta,
            tb,
            n as Int,
            k as Int,
            l3::Operands {
                alpha,
                a: a.as_ptr(),
                lda: lda.max(1) as Int,
                b: b.as_ptr(),
                ldb: ldb.max(1) as Int,
                beta,
                c: c.as_mut_ptr(),
                ldc: n.max(1) as Int,
            },
        )
    };
    assert_eq!(res, Ok(()));
    c
}

/// The bits of whole gemmt and syrk-family results large enough to be split between threads:
/// equal for every thread count.
fn thread_fingerprint<T: TestScalar + GemmScalar>(seed: u64) -> Vec<(u64, u64)> {
    let mut r = Rng::new(seed);
    let (n, k) = (331, 97);
    let mut out = Vec::new();
    for uplo in [b'U', b'L'] {
        for (ta, tb) in [(b'N', b'T'), (b'T', b'N'), (b'N', b'N')] {
            let (a, b, c0, alpha, beta) = gemmt_operands::<T>(&mut r, ta, tb, n, k);
            let c = run_gemmt(uplo, ta, tb, n, k, alpha, &a, &b, beta, &c0);
            out.extend(c.into_iter().map(bits));
        }
        for (herm, two) in [(false, false), (false, true), (true, false), (true, true)] {
            if herm && !T::IS_COMPLEX {
                continue;
            }
            let a: Vec<T> = wide_mat(&mut r, n, k);
            let b: Vec<T> = wide_mat(&mut r, n, k);
            let mut cm: Vec<T> = wide_mat(&mut r, n, n);
            let real = |v: T| T::from_c64(c(v.to_c64().re, 0.0));
            let (alpha, beta) = if herm {
                (
                    if two {
                        wide(&mut r)
                    } else {
                        real(wide(&mut r))
                    },
                    real(wide(&mut r)),
                )
            } else {
                (wide(&mut r), wide(&mut r))
            };
            // SAFETY: the arrays hold the operands with the dimensions passed.
            let res = unsafe {
                kernels::level3::syrk(
                    uplo,
                    b'N',
                    RankK {
                        n: n as Int,
                        k: k as Int,
                        alpha,
                        a: a.as_ptr(),
                        lda: n as Int,
                        b: two.then_some((b.as_ptr(), n as Int)),
                        beta,
                        c: cm.as_mut_ptr(),
                        ldc: n as Int,
                    },
                    herm,
                )
            };
            assert_eq!(res, Ok(()));
            out.extend(cm.into_iter().map(bits));
        }
    }
    out
}

/// trmm and trsm: for side L, columns of B are independent; for side R, rows are.
fn check_trmm<T: TestScalar + GemmScalar>(r: &mut Rng, solve: bool) -> usize {
    let (m, n) = (141, 103);
    let mut compared = 0;
    for side in [b'L', b'R'] {
        for uplo in [b'U', b'L'] {
            for transa in [b'N', b'T', b'C'] {
                for diag in [b'N', b'U'] {
                    let ka = if side == b'L' { m } else { n };
                    let mut a: Vec<T> = wide_mat(r, ka, ka);
                    // A dominant diagonal keeps the solve finite.
                    for i in 0..ka {
                        a[i + i * ka] = T::from_c64(c(4096.0, 0.0));
                    }
                    let b0: Vec<T> = wide_mat(r, m, n);
                    let alpha = wide::<T>(r);
                    let run = |bm: usize, bn: usize, b: &mut [T]| {
                        // SAFETY: arrays hold the operands with the dimensions passed.
                        let res = unsafe {
                            kernels::level3::trmm(
                                side,
                                uplo,
                                transa,
                                diag,
                                Triangular {
                                    m: bm as Int,
                                    n: bn as Int,
                                    alpha,
                                    a: a.as_ptr(),
                                    lda: ka as Int,
                                    b: b.as_mut_ptr(),
                                    ldb: bm as Int,
                                },
                                solve,
                            )
                        };
                        assert_eq!(res, Ok(()));
                    };
                    let mut whole = b0.clone();
                    run(m, n, &mut whole);
                    let (rows, cols) = if side == b'L' {
                        ((0, m), range(r, n))
                    } else {
                        (range(r, m), (0, n))
                    };
                    let (bm, bn) = (rows.1 - rows.0, cols.1 - cols.0);
                    let mut bs = sub_mat(&b0, m, rows, cols, bm);
                    run(bm, bn, &mut bs);
                    let what = format!(
                        "{} side={} uplo={} trans={} diag={}",
                        if solve { "trsm" } else { "trmm" },
                        side as char,
                        uplo as char,
                        transa as char,
                        diag as char
                    );
                    compared += same_block(&what, &bs, bm, &whole, m, rows, cols, |_, _| true);
                }
            }
        }
    }
    compared
}

fn level3_sweep<T: TestScalar + GemmScalar>(seed: u64) -> usize {
    let mut r = Rng::new(seed);
    let mut n = check_symm::<T>(&mut r, false)
        + check_gemmt::<T>(&mut r)
        + check_syrk::<T>(&mut r, false, false)
        + check_syrk::<T>(&mut r, false, true)
        + check_trmm::<T>(&mut r, false)
        + check_trmm::<T>(&mut r, true);
    if T::IS_COMPLEX {
        n += check_symm::<T>(&mut r, true)
            + check_syrk::<T>(&mut r, true, false)
            + check_syrk::<T>(&mut r, true, true);
    }
    n
}

/// Every table this CPU runs (chosen the way a user would, `BLASTOOL_CORETYPE`), 1 and 2
/// threads. One test owns the process-wide table and thread settings, so nothing races them.
#[test]
fn level3_results_do_not_depend_on_the_shape() {
    for (set, ok) in kernels::arch::tables() {
        if !ok {
            skipped(&format!(
                "{}: this CPU lacks the ISA; Level 3 shape independence NOT checked",
                set.name
            ));
            continue;
        }
        std::env::set_var("BLASTOOL_CORETYPE", set.name);
        // Forget the previous choice; the next call reads BLASTOOL_CORETYPE again.
        kernels::arch::blastool_quit();
        let mut one_thread = Vec::new();
        for threads in [1, 2] {
            kernels::arch::blastool_set_num_threads(threads);
            // gemmt and the rank-k updates split the triangle between threads: the same bits.
            let prints = [
                thread_fingerprint::<f32>(25),
                thread_fingerprint::<f64>(26),
                thread_fingerprint::<C32>(27),
                thread_fingerprint::<C64>(28),
            ];
            if threads == 1 {
                one_thread = prints.to_vec();
            } else {
                for (t, (p, q)) in prints.iter().zip(&one_thread).enumerate() {
                    let diff = p.iter().zip(q).position(|(x, y)| x != y);
                    assert!(
                        diff.is_none() && p.len() == q.len(),
                        "{}: gemmt/syrk type {t} on 2 threads differs from 1 thread at {diff:?}",
                        set.name
                    );
                }
            }
            let n = level3_sweep::<f32>(21)
                + level3_sweep::<f64>(22)
                + level3_sweep::<C32>(23)
                + level3_sweep::<C64>(24);
            assert_eq!(kernels::arch::active().name, set.name);
            println!(
                "{} on {threads} thread(s): {n} Level 3 elements identical",
                set.name
            );
        }
    }
}

// ---- Level 1 and 2 vector kernels -----------------------------------------------------------

/// Element-wise kernels (axpy, scal, gemv N) must give an element the same bits wherever it sits
/// in the vector (vector body or scalar tail), and gemv T must give a column the same bits
/// whichever other columns share the call (a block of four or the remainder): LAPACK applies
/// the same reflector or rotation to longer or shorter ranges and compares the results.
fn vector_sweep<T: TestScalar>(isa: kernels::vector::Isa, seed: u64) -> usize {
    use kernels::vector as v;
    let mut r = Rng::new(seed);
    let mut compared = 0;
    for _ in 0..40 {
        let (m, n) = (1 + r.below(70), 1 + r.below(11));
        let lda = m + r.below(3);
        let a: Vec<T> = wide_vec(&mut r, lda * n);
        let x: Vec<T> = wide_vec(&mut r, m.max(n));
        let y0: Vec<T> = wide_vec(&mut r, m.max(n));
        let alpha = wide::<T>(&mut r);
        let conj = r.below(2) == 1;
        // A sub-range lo..hi of the rows, or of the columns for gemv T.
        let (lo, hi) = range(&mut r, m);
        let (c0, c1) = range(&mut r, n);
        let check = |what: &str, got: &[T], whole: &[T], offset: usize| {
            for (i, g) in got.iter().enumerate() {
                assert_eq!(
                    bits(*g),
                    bits(whole[offset + i]),
                    "{isa:?} {what} m={m} n={n}: element {} of the sub-call differs",
                    offset + i
                );
            }
            got.len()
        };
        // SAFETY (whole block): every pointer addresses the lengths passed.
        unsafe {
            let mut whole = y0.clone();
            v::axpy(isa, m, alpha, x.as_ptr(), whole.as_mut_ptr(), conj);
            let mut part = y0[lo..hi].to_vec();
            v::axpy(
                isa,
                hi - lo,
                alpha,
                x[lo..].as_ptr(),
                part.as_mut_ptr(),
                conj,
            );
            compared += check("axpy", &part, &whole, lo);

            let mut whole = y0.clone();
            v::scal(isa, m, alpha, whole.as_mut_ptr());
            let mut part = y0[lo..hi].to_vec();
            v::scal(isa, hi - lo, alpha, part.as_mut_ptr());
            compared += check("scal", &part, &whole, lo);

            let mut whole = y0.clone();
            v::gemv_n(
                isa,
                m,
                n,
                a.as_ptr(),
                lda,
                x.as_ptr(),
                whole.as_mut_ptr(),
                conj,
            );
            let mut part = y0[lo..hi].to_vec();
            let sub = a[lo..].as_ptr();
            v::gemv_n(
                isa,
                hi - lo,
                n,
                sub,
                lda,
                x.as_ptr(),
                part.as_mut_ptr(),
                conj,
            );
            compared += check("gemv N", &part, &whole, lo);

            let mut whole = vec![T::zero(); n];
            v::gemv_t(
                isa,
                m,
                n,
                a.as_ptr(),
                lda,
                x.as_ptr(),
                whole.as_mut_ptr(),
                conj,
            );
            let mut part = vec![T::zero(); c1 - c0];
            let sub = a[c0 * lda..].as_ptr();
            v::gemv_t(
                isa,
                m,
                c1 - c0,
                sub,
                lda,
                x.as_ptr(),
                part.as_mut_ptr(),
                conj,
            );
            compared += check("gemv T", &part, &whole, c0);
        }
    }
    compared
}

#[test]
fn vector_kernel_results_do_not_depend_on_the_shape() {
    for isa in kernels::vector::Isa::ALL {
        if !isa.supported() {
            skipped(&format!(
                "{isa:?} ({}) vector kernels: this CPU lacks the ISA; shape independence NOT checked",
                isa.table_name()
            ));
            continue;
        }
        let n = vector_sweep::<f32>(isa, 31)
            + vector_sweep::<f64>(isa, 32)
            + vector_sweep::<C32>(isa, 33)
            + vector_sweep::<C64>(isa, 34);
        println!("{isa:?}: {n} vector-kernel elements identical");
    }
}

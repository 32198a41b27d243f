//! Level 3 BLAS (matrix-matrix) for all precisions, column-major, with the reference argument
//! checks and edge semantics. GEMM, SYMM/HEMM, SYRK/HERK and SYR2K/HER2K run on the packed GEMM
//! framework: GEMMT (xGEMMTR) and the rank-k updates compute only the stored triangle, SYMM/HEMM
//! feed GEMM panels of the symmetric matrix (`crate::gemmt`); TRMM and TRSM are split
//! recursively into GEMM updates and small triangular blocks (`crate::trsm`).

use crate::gemm::{gemm, scale_c, GemmScalar, MatRef};
use crate::level2::{diag_ok, first_error, trans_ok, up, uplo_ok, Res};
use crate::scalar::Scalar;
use crate::Int;

fn side_ok(s: u8) -> bool {
    matches!(up(s), b'L' | b'R')
}

/// The shape checks SYMM and TRMM/TRSM share, in the reference order: B is m x n and A of the
/// side's order `nrowa`. Both argument lists continue M, N, ALPHA, A, LDA, B, LDB from M's
/// position `pm`, so the positions follow from it.
fn side_shape_errors(m: Int, n: Int, nrowa: Int, lda: Int, ldb: Int, pm: i32) -> [(bool, i32); 4] {
    [
        (m < 0, pm),
        (n < 0, pm + 1),
        (lda < nrowa.max(1), pm + 4),
        (ldb < m.max(1), pm + 6),
    ]
}

/// Whether the symmetric or triangular A of SYMM/TRMM/TRSM multiplies B from the left, and its
/// order (B is m x n: A is m x m on the left, n x n on the right).
fn side_order(side: u8, m: Int, n: Int) -> (bool, Int) {
    let left = up(side) == b'L';
    (left, if left { m } else { n })
}

/// GEMM's argument checks in the reference order, with `?gemm_`'s positions (also those of the
/// per-group arguments of `?gemm_batch_`, whose list has the same layout).
#[allow(clippy::too_many_arguments)]
pub fn gemm_check(
    transa: u8,
    transb: u8,
    m: Int,
    n: Int,
    k: Int,
    lda: Int,
    ldb: Int,
    ldc: Int,
) -> Res {
    let nota = up(transa) == b'N';
    let notb = up(transb) == b'N';
    let nrowa = if nota { m } else { k };
    let nrowb = if notb { k } else { n };
    first_error(&[
        (!trans_ok(transa), 1),
        (!trans_ok(transb), 2),
        (m < 0, 3),
        (n < 0, 4),
        (k < 0, 5),
        (lda < nrowa.max(1), 8),
        (ldb < nrowb.max(1), 10),
        (ldc < m.max(1), 13),
    ])
}

/// The operands of C := alpha op(A) op(B) + beta C (GEMM, GEMMT, the batches) and of SYMM/HEMM's
/// C := alpha A B + beta C (or B A), each matrix with its leading dimension, as the BLAS
/// argument lists carry them: both ABIs' wrappers build this from their arguments, so that the
/// CBLAS layer swaps A and B for a row-major call in one place (`swapped`).
#[derive(Clone, Copy, Debug)]
pub struct Operands<T> {
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub b: *const T,
    pub ldb: Int,
    pub beta: T,
    pub c: *mut T,
    pub ldc: Int,
}

impl<T: GemmScalar> Operands<T> {
    /// A and B exchanged: C^T = op(B)^T op(A)^T is how a row-major product is computed.
    pub fn swapped(self) -> Self {
        Operands {
            a: self.b,
            lda: self.ldb,
            b: self.a,
            ldb: self.lda,
            ..self
        }
    }

    /// The m x n x k GEMM on these operands once `gemm_check` has accepted them (the batched
    /// routines check every product first and then run them through here).
    ///
    /// # Safety
    /// `gemm_check` accepted these arguments; BLAS contract on all pointers.
    #[inline(always)]
    pub unsafe fn gemm_checked(self, transa: u8, transb: u8, m: Int, n: Int, k: Int) {
        let Operands { alpha, beta, .. } = self;
        if m == 0 || n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
            return;
        }
        let ar = MatRef::op(self.a, self.lda as usize, transa);
        let br = MatRef::op(self.b, self.ldb as usize, transb);
        let (m, n, k, ldc) = (m as usize, n as usize, k as usize, self.ldc as usize);
        // SAFETY: checked dimensions; BLAS contract.
        unsafe { gemm(m, n, k, alpha, ar, br, beta, self.c, ldc) };
    }
}

/// `?gemm_`: the reference checks, then the product. Inlined into the entry points with
/// `gemm_checked`, as `arch::active` (a small product's whole call is a few hundred cycles).
///
/// # Safety
/// BLAS contract on all pointers.
#[inline(always)]
pub unsafe fn gemm_api<T: GemmScalar>(
    transa: u8,
    transb: u8,
    m: Int,
    n: Int,
    k: Int,
    p: Operands<T>,
) -> Res {
    gemm_check(transa, transb, m, n, k, p.lda, p.ldb, p.ldc)?;
    // SAFETY: arguments checked; BLAS contract.
    unsafe { p.gemm_checked(transa, transb, m, n, k) };
    Ok(())
}

/// gemmt (LAPACK 3.12's xGEMMTR): the `uplo` triangle of the n x n C := alpha op(A) op(B) +
/// beta C, op(A) n x k and op(B) k x n; the other triangle is not touched. Argument checks and
/// xerbla positions are the reference's (UPLO 1, TRANSA 2, TRANSB 3, N 4, K 5, LDA 8, LDB 10,
/// LDC 13), 'C' accepted for the real types as there.
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn gemmt<T: GemmScalar>(
    uplo: u8,
    transa: u8,
    transb: u8,
    n: Int,
    k: Int,
    p: Operands<T>,
) -> Res {
    if !uplo_ok(uplo) {
        return Err(1);
    }
    // The rest are GEMM's checks, in GEMM's order, for an n x n product: only the first three
    // positions move (UPLO comes first; N is GEMM's M and N at once).
    gemm_check(transa, transb, n, n, k, p.lda, p.ldb, p.ldc).map_err(
        |position| match position {
            1 => 2,
            2 => 3,
            3 => 4,
            other => other,
        },
    )?;
    let Operands { alpha, beta, .. } = p;
    // The reference returns early only for n == 0; with alpha == 0 (or k == 0) and beta == 1
    // it multiplies the triangle by one, which changes no value.
    if n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return Ok(());
    }
    let ar = MatRef::op(p.a, p.lda as usize, transa);
    let br = MatRef::op(p.b, p.ldb as usize, transb);
    let (upper, n, k, ldc) = (up(uplo) == b'U', n as usize, k as usize, p.ldc as usize);
    // SAFETY: checked dimensions.
    unsafe { crate::gemmt::gemmt(upper, n, k, alpha, ar, br, beta, p.c, ldc) };
    Ok(())
}

/// symm (herm = false) and hemm.
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn symm<T: GemmScalar>(
    side: u8,
    uplo: u8,
    m: Int,
    n: Int,
    p: Operands<T>,
    herm: bool,
) -> Res {
    let (left, nrowa) = side_order(side, m, n);
    first_error(&[(!side_ok(side), 1), (!uplo_ok(uplo), 2)])?;
    first_error(&side_shape_errors(m, n, nrowa, p.lda, p.ldb, 3))?;
    first_error(&[(p.ldc < m.max(1), 12)])?;
    let Operands { alpha, beta, .. } = p;
    if m == 0 || n == 0 || (alpha.is_zero() && beta.is_one()) {
        return Ok(());
    }
    let (m, n, ldb, ldc) = (m as usize, n as usize, p.ldb as usize, p.ldc as usize);
    if alpha.is_zero() {
        // SAFETY: checked dimensions.
        unsafe { scale_c(m, n, beta, p.c, ldc) };
        return Ok(());
    }
    let s = crate::gemmt::SymOperand {
        a: p.a,
        lda: p.lda as usize,
        ka: nrowa as usize,
        upper: up(uplo) == b'U',
        herm,
    };
    // SAFETY: checked dimensions; alpha != 0.
    unsafe { crate::gemmt::symm(s, left, m, n, alpha, p.b, ldb, beta, p.c, ldc) };
    Ok(())
}

/// The arguments of SYRK/HERK (`b` None) and SYR2K/HER2K after the options: C is n x n, op(A)
/// (and op(B)) n x k.
#[derive(Clone, Copy, Debug)]
pub struct RankK<T> {
    pub n: Int,
    pub k: Int,
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub b: Option<(*const T, Int)>,
    pub beta: T,
    pub c: *mut T,
    pub ldc: Int,
}

/// syrk/herk (b = None) and syr2k/her2k. For Hermitian variants `beta` (and for herk `alpha`)
/// carry real values.
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn syrk<T: GemmScalar>(uplo: u8, trans: u8, p: RankK<T>, herm: bool) -> Res {
    let RankK {
        n,
        k,
        alpha,
        a,
        lda,
        b,
        beta,
        c,
        ldc,
    } = p;
    let t = up(trans);
    let notrans = t == b'N';
    let nrowa = if notrans { n } else { k };
    let upper = up(uplo) == b'U';
    // Real syrk accepts N/T/C, complex symmetric N/T, Hermitian N/C.
    let trans_valid = match (T::IS_COMPLEX, herm) {
        (false, _) => trans_ok(t),
        (true, false) => t == b'N' || t == b'T',
        (true, true) => t == b'N' || t == b'C',
    };
    // syr2k's B moves C one argument pair along.
    let pc = if b.is_some() { 12 } else { 10 };
    first_error(&[
        (!uplo_ok(uplo), 1),
        (!trans_valid, 2),
        (n < 0, 3),
        (k < 0, 4),
        (lda < nrowa.max(1), 7),
        (b.is_some_and(|(_, ldb)| ldb < nrowa.max(1)), 9),
        (ldc < n.max(1), pc),
    ])?;
    if n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return Ok(());
    }
    let (n, k, ldc) = (n as usize, k as usize, ldc as usize);
    if herm {
        // The reference reads only the real part of C's diagonal (and writes it real): drop the
        // imaginary part first, so that an Inf or NaN there cannot reach the result.
        // SAFETY: dimensions checked.
        unsafe { real_diagonal(n, c, ldc) };
    }
    let (opx, opxt) = pair_ops(a, lda, notrans, herm);
    // SAFETY (both arms): dimensions checked.
    match b {
        None => unsafe { crate::gemmt::gemmt(upper, n, k, alpha, opx, opxt, beta, c, ldc) },
        Some((bp, ldb)) => {
            // C := alpha X B^T + conj(alpha) B X^T + beta C (^H when Hermitian): the second
            // product accumulates onto the first.
            let (opb, opbt) = pair_ops(bp, ldb, notrans, herm);
            let alpha2 = alpha.conj_if(herm);
            unsafe {
                let terms = [(alpha, opx, opbt), (alpha2, opb, opxt)];
                crate::gemmt::gemmt_sum(upper, n, k, terms, beta, c, ldc);
            }
        }
    }
    if herm {
        // SAFETY: dimensions checked.
        unsafe { real_diagonal(n, c, ldc) };
    }
    Ok(())
}

/// C(j, j) := Re C(j, j) for j < n.
///
/// # Safety
/// C addressable as n×n with leading dimension ldc.
unsafe fn real_diagonal<T: Scalar>(n: usize, c: *mut T, ldc: usize) {
    for j in 0..n {
        // SAFETY: caller's bounds.
        unsafe {
            let p = c.add(j + j * ldc);
            *p = (*p).real_part();
        }
    }
}

/// (op(X), op(X)^T) for syrk-style operands (conjugate transpose when Hermitian).
fn pair_ops<T: Scalar>(p: *const T, ld: Int, notrans: bool, herm: bool) -> (MatRef<T>, MatRef<T>) {
    let x = MatRef::op(p, ld as usize, b'N');
    let xt = MatRef::op(p, ld as usize, if herm { b'C' } else { b'T' });
    // op(X) is n x k; the second factor is op(X)^T (op(X)^H when Hermitian).
    if notrans {
        (x, xt)
    } else {
        (xt, x)
    }
}

/// The arguments of TRMM/TRSM after the options: B := alpha op(A) B (or B op(A)), or the
/// solution X of op(A) X = alpha B (or X op(A) = alpha B), B m x n.
#[derive(Clone, Copy, Debug)]
pub struct Triangular<T> {
    pub m: Int,
    pub n: Int,
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub b: *mut T,
    pub ldb: Int,
}

/// trmm (solve = false) and trsm (solve = true): the reference argument checks, then the
/// recursive product or solve on the GEMM engine (`crate::trsm`).
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn trmm<T: GemmScalar>(
    side: u8,
    uplo: u8,
    transa: u8,
    diag: u8,
    p: Triangular<T>,
    solve: bool,
) -> Res {
    let Triangular { m, n, alpha, .. } = p;
    let (left, nrowa) = side_order(side, m, n);
    let upper = up(uplo) == b'U';
    first_error(&[
        (!side_ok(side), 1),
        (!uplo_ok(uplo), 2),
        (!trans_ok(transa), 3),
        (!diag_ok(diag), 4),
    ])?;
    first_error(&side_shape_errors(m, n, nrowa, p.lda, p.ldb, 5))?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let (m, n, b, ldb) = (m as usize, n as usize, p.b, p.ldb as usize);
    if alpha.is_zero() {
        // SAFETY: checked dimensions.
        unsafe { scale_c(m, n, T::zero(), b, ldb) };
        return Ok(());
    }
    let ka = nrowa as usize;
    let unit = up(diag) == b'U';
    if !alpha.is_one() {
        // SAFETY: checked dimensions.
        unsafe { scale_c(m, n, alpha, b, ldb) };
    }
    // SAFETY: checked dimensions.
    let triangle =
        unsafe { crate::trsm::Triangle::from_stored(p.a, p.lda as usize, ka, upper, unit, transa) };
    // SAFETY: checked dimensions.
    unsafe {
        match (solve, left) {
            (false, true) => crate::trsm::multiply_left(&triangle, n, b, ldb),
            (false, false) => crate::trsm::multiply_right(&triangle, m, b, ldb),
            (true, true) => crate::trsm::solve_left(&triangle, n, b, ldb),
            (true, false) => crate::trsm::solve_right(&triangle, m, b, ldb),
        }
    }
    Ok(())
}

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

/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_api<T: GemmScalar>(
    transa: u8,
    transb: u8,
    m: Int,
    n: Int,
    k: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *const T,
    ldb: Int,
    beta: T,
    c: *mut T,
    ldc: Int,
) -> Res {
    gemm_check(transa, transb, m, n, k, lda, ldb, ldc)?;
    // SAFETY: arguments checked; BLAS contract.
    unsafe { gemm_checked(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) };
    Ok(())
}

/// `gemm_api` after its checks have passed: the batched routines check every product first
/// and then run them through here, without checking each again.
///
/// # Safety
/// `gemm_check` accepted these arguments; BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_checked<T: GemmScalar>(
    transa: u8,
    transb: u8,
    m: Int,
    n: Int,
    k: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *const T,
    ldb: Int,
    beta: T,
    c: *mut T,
    ldc: Int,
) {
    if m == 0 || n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return;
    }
    let ar = MatRef::op(a, lda as usize, transa);
    let br = MatRef::op(b, ldb as usize, transb);
    // SAFETY: checked dimensions; BLAS contract.
    unsafe {
        gemm(
            m as usize,
            n as usize,
            k as usize,
            alpha,
            ar,
            br,
            beta,
            c,
            ldc as usize,
        )
    };
}

/// gemmt (LAPACK 3.12's xGEMMTR): the `uplo` triangle of the n x n C := alpha op(A) op(B) +
/// beta C, op(A) n x k and op(B) k x n; the other triangle is not touched. Argument checks and
/// xerbla positions are the reference's (UPLO 1, TRANSA 2, TRANSB 3, N 4, K 5, LDA 8, LDB 10,
/// LDC 13), 'C' accepted for the real types as there.
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemmt<T: GemmScalar>(
    uplo: u8,
    transa: u8,
    transb: u8,
    n: Int,
    k: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *const T,
    ldb: Int,
    beta: T,
    c: *mut T,
    ldc: Int,
) -> Res {
    if !uplo_ok(uplo) {
        return Err(1);
    }
    // The rest are GEMM's checks, in GEMM's order, for an n x n product: only the first three
    // positions move (UPLO comes first; N is GEMM's M and N at once).
    gemm_check(transa, transb, n, n, k, lda, ldb, ldc).map_err(|position| match position {
        1 => 2,
        2 => 3,
        3 => 4,
        other => other,
    })?;
    // The reference returns early only for n == 0; with alpha == 0 (or k == 0) and beta == 1
    // it multiplies the triangle by one, which changes no value.
    if n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return Ok(());
    }
    let ar = MatRef::op(a, lda as usize, transa);
    let br = MatRef::op(b, ldb as usize, transb);
    let upper = up(uplo) == b'U';
    // SAFETY: checked dimensions.
    unsafe {
        crate::gemmt::gemmt(
            upper,
            n as usize,
            k as usize,
            alpha,
            ar,
            br,
            beta,
            c,
            ldc as usize,
        )
    };
    Ok(())
}

/// symm (herm = false) and hemm.
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn symm<T: GemmScalar>(
    side: u8,
    uplo: u8,
    m: Int,
    n: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *const T,
    ldb: Int,
    beta: T,
    c: *mut T,
    ldc: Int,
    herm: bool,
) -> Res {
    let left = up(side) == b'L';
    let nrowa = if left { m } else { n };
    first_error(&[
        (!side_ok(side), 1),
        (!uplo_ok(uplo), 2),
        (m < 0, 3),
        (n < 0, 4),
        (lda < nrowa.max(1), 7),
        (ldb < m.max(1), 9),
        (ldc < m.max(1), 12),
    ])?;
    if m == 0 || n == 0 || (alpha.is_zero() && beta.is_one()) {
        return Ok(());
    }
    let (m, n, ldb, ldc) = (m as usize, n as usize, ldb as usize, ldc as usize);
    if alpha.is_zero() {
        // SAFETY: checked dimensions.
        unsafe { scale_c(m, n, beta, c, ldc) };
        return Ok(());
    }
    let s = crate::gemmt::SymOperand {
        a,
        lda: lda as usize,
        ka: nrowa as usize,
        upper: up(uplo) == b'U',
        herm,
    };
    // SAFETY: checked dimensions; alpha != 0.
    unsafe { crate::gemmt::symm(s, left, m, n, alpha, b, ldb, beta, c, ldc) };
    Ok(())
}

/// syrk/herk (b = None) and syr2k/her2k. For Hermitian variants `beta` (and for herk `alpha`)
/// carry real values.
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn syrk<T: GemmScalar>(
    uplo: u8,
    trans: u8,
    n: Int,
    k: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: Option<(*const T, Int)>,
    beta: T,
    c: *mut T,
    ldc: Int,
    herm: bool,
) -> Res {
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
                crate::gemmt::gemmt(upper, n, k, alpha, opx, opbt, beta, c, ldc);
                crate::gemmt::gemmt(upper, n, k, alpha2, opb, opxt, T::one(), c, ldc);
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

/// trmm (solve = false) and trsm (solve = true): the reference argument checks, then the
/// recursive product or solve on the GEMM engine (`crate::trsm`).
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn trmm<T: GemmScalar>(
    side: u8,
    uplo: u8,
    transa: u8,
    diag: u8,
    m: Int,
    n: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *mut T,
    ldb: Int,
    solve: bool,
) -> Res {
    let left = up(side) == b'L';
    let nrowa = if left { m } else { n };
    let upper = up(uplo) == b'U';
    first_error(&[
        (!side_ok(side), 1),
        (!uplo_ok(uplo), 2),
        (!trans_ok(transa), 3),
        (!diag_ok(diag), 4),
        (m < 0, 5),
        (n < 0, 6),
        (lda < nrowa.max(1), 9),
        (ldb < m.max(1), 11),
    ])?;
    if m == 0 || n == 0 {
        return Ok(());
    }
    let (m, n, ldb) = (m as usize, n as usize, ldb as usize);
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
        unsafe { crate::trsm::Triangle::from_stored(a, lda as usize, ka, upper, unit, transa) };
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

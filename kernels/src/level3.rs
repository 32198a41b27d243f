//! Level 3 BLAS (matrix-matrix) for all precisions, column-major, with the reference argument
//! checks and edge semantics. GEMM, SYMM/HEMM, SYRK/HERK and SYR2K/HER2K run on the packed GEMM
//! framework (structured operands are expanded to dense blocks first); TRMM and TRSM are split
//! recursively into GEMM updates and small triangular blocks (`crate::trsm`).

use crate::gemm::{gemm, scale_c, GemmScalar, MatRef};
use crate::level2::{up, Res};
use crate::scalar::Scalar;
use crate::Int;

fn trans_ok(t: u8) -> bool {
    matches!(up(t), b'N' | b'T' | b'C')
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
    if !trans_ok(transa) {
        return Err(1);
    }
    if !trans_ok(transb) {
        return Err(2);
    }
    if m < 0 {
        return Err(3);
    }
    if n < 0 {
        return Err(4);
    }
    if k < 0 {
        return Err(5);
    }
    if lda < nrowa.max(1) {
        return Err(8);
    }
    if ldb < nrowb.max(1) {
        return Err(10);
    }
    if ldc < m.max(1) {
        return Err(13);
    }
    Ok(())
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
    if m == 0 || n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return Ok(());
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
    Ok(())
}

/// Dense copy (column-major, ld = n) of a symmetric/Hermitian matrix given by one triangle.
unsafe fn expand_sym<T: Scalar>(
    a: *const T,
    lda: usize,
    n: usize,
    upper: bool,
    herm: bool,
) -> Vec<T> {
    let mut f = vec![T::zero(); n * n];
    for j in 0..n {
        for i in 0..n {
            let stored = if upper { i <= j } else { i >= j };
            // SAFETY: only the stored triangle is read.
            let v = unsafe {
                if i == j {
                    let d = *a.add(i + j * lda);
                    if herm {
                        d.real_part()
                    } else {
                        d
                    }
                } else if stored {
                    *a.add(i + j * lda)
                } else {
                    (*a.add(j + i * lda)).conj_if(herm)
                }
            };
            f[i + j * n] = v;
        }
    }
    f
}

fn dense<T>(p: *const T, ld: usize) -> MatRef<T> {
    MatRef {
        ptr: p,
        rs: 1,
        cs: ld,
        conj: false,
    }
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
    if !matches!(up(side), b'L' | b'R') {
        return Err(1);
    }
    if !matches!(up(uplo), b'U' | b'L') {
        return Err(2);
    }
    if m < 0 {
        return Err(3);
    }
    if n < 0 {
        return Err(4);
    }
    if lda < nrowa.max(1) {
        return Err(7);
    }
    if ldb < m.max(1) {
        return Err(9);
    }
    if ldc < m.max(1) {
        return Err(12);
    }
    if m == 0 || n == 0 || (alpha.is_zero() && beta.is_one()) {
        return Ok(());
    }
    let (m, n, ldb, ldc) = (m as usize, n as usize, ldb as usize, ldc as usize);
    if alpha.is_zero() {
        // SAFETY: checked dimensions.
        unsafe { scale_c(m, n, beta, c, ldc) };
        return Ok(());
    }
    let ka = nrowa as usize;
    // SAFETY: checked dimensions.
    let full = unsafe { expand_sym(a, lda as usize, ka, up(uplo) == b'U', herm) };
    let (x, y, k) = if left {
        (dense(full.as_ptr(), ka), dense(b, ldb), m)
    } else {
        (dense(b, ldb), dense(full.as_ptr(), ka), n)
    };
    // SAFETY: checked dimensions.
    unsafe { gemm(m, n, k, alpha, x, y, beta, c, ldc) };
    Ok(())
}

/// Merge an n x n dense product `t` into the stored triangle of C: C := t + beta*C, making the
/// diagonal real for Hermitian updates (reference herk/her2k).
unsafe fn merge_tri<T: Scalar>(
    n: usize,
    t: &[T],
    beta: T,
    c: *mut T,
    ldc: usize,
    upper: bool,
    herm: bool,
) {
    for j in 0..n {
        let rows = if upper { 0..j + 1 } else { j..n };
        for i in rows {
            // SAFETY: (i, j) inside C.
            unsafe {
                let p = c.add(i + j * ldc);
                let old = if beta.is_zero() {
                    T::zero()
                } else if herm && i == j {
                    beta * (*p).real_part()
                } else {
                    beta * *p
                };
                let v = old + t[i + j * n];
                *p = if herm && i == j { v.real_part() } else { v };
            }
        }
    }
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
    if !matches!(up(uplo), b'U' | b'L') {
        return Err(1);
    }
    // Real syrk accepts N/T/C, complex symmetric N/T, Hermitian N/C.
    let trans_valid = match (T::IS_COMPLEX, herm) {
        (false, _) => trans_ok(t),
        (true, false) => t == b'N' || t == b'T',
        (true, true) => t == b'N' || t == b'C',
    };
    if !trans_valid {
        return Err(2);
    }
    if n < 0 {
        return Err(3);
    }
    if k < 0 {
        return Err(4);
    }
    if lda < nrowa.max(1) {
        return Err(7);
    }
    if let Some((_, ldb)) = b {
        if ldb < nrowa.max(1) {
            return Err(9);
        }
    }
    let pc = if b.is_some() { 12 } else { 10 };
    if ldc < n.max(1) {
        return Err(pc);
    }
    if n == 0 || ((alpha.is_zero() || k == 0) && beta.is_one()) {
        return Ok(());
    }
    let (n, k, ldc) = (n as usize, k as usize, ldc as usize);
    let mut prod = vec![T::zero(); n * n];
    if !alpha.is_zero() && k > 0 {
        let (opx, opxt) = pair_ops(a, lda, notrans, herm);
        match b {
            None => {
                // SAFETY: dimensions checked.
                unsafe { gemm(n, n, k, alpha, opx, opxt, T::zero(), prod.as_mut_ptr(), n) };
            }
            Some((bp, ldb)) => {
                let (opb, opbt) = pair_ops(bp, ldb, notrans, herm);
                let alpha2 = alpha.conj_if(herm);
                // SAFETY: dimensions checked.
                unsafe {
                    gemm(n, n, k, alpha, opx, opbt, T::zero(), prod.as_mut_ptr(), n);
                    gemm(n, n, k, alpha2, opb, opxt, T::one(), prod.as_mut_ptr(), n);
                }
            }
        }
    }
    // SAFETY: dimensions checked.
    unsafe { merge_tri(n, &prod, beta, c, ldc, upper, herm) };
    Ok(())
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
    if !matches!(up(side), b'L' | b'R') {
        return Err(1);
    }
    if !matches!(up(uplo), b'U' | b'L') {
        return Err(2);
    }
    if !trans_ok(transa) {
        return Err(3);
    }
    if !matches!(up(diag), b'U' | b'N') {
        return Err(4);
    }
    if m < 0 {
        return Err(5);
    }
    if n < 0 {
        return Err(6);
    }
    if lda < nrowa.max(1) {
        return Err(9);
    }
    if ldb < m.max(1) {
        return Err(11);
    }
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

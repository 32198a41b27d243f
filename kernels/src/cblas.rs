//! The CBLAS ABI (`cblas_*`): layout/enum decoding, row-major calls expressed as column-major
//! ones (as the reference CBLAS does, so that error positions match its swapped calls), errors
//! through `cblas_xerbla` while `RowMajorStrg`/`CBLAS_CallFromC` are set.
//!
//! Every exported function follows the BLAS contract (valid pointers for the sizes given); that
//! is the safety condition of each `unsafe extern "C"` below.
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

use crate::gemm::GemmScalar;
use crate::level1 as l1;
use crate::level2::{self as l2, Shape};
use crate::level3 as l3;
use crate::scalar::{Complex, Scalar, C32, C64};
use crate::xerbla::{cblas_error, CblasCall};
use crate::Int;
use std::ffi::{c_int, c_void};

const ROW: c_int = 101;
const COL: c_int = 102;

/// Decode an enum argument or report it at position `pos`.
fn dec(v: c_int, pairs: &[(c_int, u8)], name: &str, pos: i32) -> Option<u8> {
    let r = pairs.iter().find(|(k, _)| *k == v).map(|(_, c)| *c);
    if r.is_none() {
        cblas_error(name, pos);
    }
    r
}
const TRANS: [(c_int, u8); 3] = [(111, b'N'), (112, b'T'), (113, b'C')];
const UPLO: [(c_int, u8); 2] = [(121, b'U'), (122, b'L')];
const DIAG: [(c_int, u8); 2] = [(131, b'N'), (132, b'U')];
const SIDE: [(c_int, u8); 2] = [(141, b'L'), (142, b'R')];

fn flip_uplo(u: u8) -> u8 {
    if u == b'U' {
        b'L'
    } else {
        b'U'
    }
}
fn flip_side(s: u8) -> u8 {
    if s == b'L' {
        b'R'
    } else {
        b'L'
    }
}

/// Start a CBLAS call: set `CBLAS_CallFromC` (and `RowMajorStrg` for row-major) as the
/// reference does before any check, then decode the layout or report position 1.
fn enter(order: c_int, name: &str) -> Option<(bool, CblasCall)> {
    let guard = CblasCall::enter(false);
    match order {
        ROW => {
            guard.set_row_major();
            Some((true, guard))
        }
        COL => Some((false, guard)),
        _ => {
            cblas_error(name, 1);
            None
        }
    }
}

/// Report a column-major-call error: the CBLAS list has the layout first, hence +1.
fn report(name: &str, r: l2::Res) {
    if let Err(info) = r {
        cblas_error(name, info + 1);
    }
}

/// Row-major op(A) on the column-major view A^T: N <-> T, and C becomes "N of conj(A)".
fn row_trans(t: u8) -> (u8, bool) {
    match t {
        b'N' => (b'T', false),
        b'T' => (b'N', false),
        _ => (b'N', true),
    }
}

// ---- generic bodies (one per operation family), wrapped per precision by the macros below ----

pub unsafe fn gemv<T: Scalar>(
    name: &str,
    order: c_int,
    trans: c_int,
    m: Int,
    n: Int,
    band: Option<(Int, Int)>,
    alpha: T,
    a: *const T,
    lda: Int,
    x: *const T,
    incx: Int,
    beta: T,
    y: *mut T,
    incy: Int,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(t) = dec(trans, &TRANS, name, 2) else {
        return;
    };
    let r = if !row {
        unsafe { l2::gemv(t, m, n, band, alpha, a, lda, x, incx, beta, y, incy, false) }
    } else {
        let (t2, cj) = row_trans(t);
        let band2 = band.map(|(kl, ku)| (ku, kl));
        unsafe { l2::gemv(t2, n, m, band2, alpha, a, lda, x, incx, beta, y, incy, cj) }
    };
    report(name, r);
}

pub unsafe fn symv<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    n: Int,
    shape: Shape,
    k: Int,
    lda: Int,
    alpha: T,
    a: *const T,
    x: *const T,
    incx: Int,
    beta: T,
    y: *mut T,
    incy: Int,
    herm: bool,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 2) else {
        return;
    };
    // Row-major: the stored triangle read column-major is the other triangle of A^T = conj(A).
    let (u, cj) = if row {
        (flip_uplo(u), herm)
    } else {
        (u, false)
    };
    report(name, unsafe {
        l2::symv(
            u, n, shape, k, lda, alpha, a, x, incx, beta, y, incy, herm, cj,
        )
    });
}

pub unsafe fn trmv<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    trans: c_int,
    diag: c_int,
    n: Int,
    shape: Shape,
    k: Int,
    lda: Int,
    a: *const T,
    x: *mut T,
    incx: Int,
    solve: bool,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 2) else {
        return;
    };
    let Some(t) = dec(trans, &TRANS, name, 3) else {
        return;
    };
    let Some(d) = dec(diag, &DIAG, name, 4) else {
        return;
    };
    let (u, t, cj) = if row {
        let (t2, cj) = row_trans(t);
        (flip_uplo(u), t2, cj)
    } else {
        (u, t, false)
    };
    report(name, unsafe {
        l2::trmv(u, t, d, n, shape, k, lda, a, x, incx, solve, cj)
    });
}

pub unsafe fn ger<T: Scalar>(
    name: &str,
    order: c_int,
    m: Int,
    n: Int,
    alpha: T,
    x: *const T,
    incx: Int,
    y: *const T,
    incy: Int,
    a: *mut T,
    lda: Int,
    conj_y: bool,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let r = if !row {
        unsafe { l2::ger(m, n, alpha, x, incx, y, incy, a, lda, false, conj_y) }
    } else {
        // A^T += alpha * op(y) * x^T.
        unsafe { l2::ger(n, m, alpha, y, incy, x, incx, a, lda, conj_y, false) }
    };
    report(name, r);
}

pub unsafe fn syr<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    n: Int,
    alpha: T,
    x: *const T,
    incx: Int,
    y: Option<(*const T, Int)>,
    a: *mut T,
    shape: Shape,
    lda: Int,
    herm: bool,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 2) else {
        return;
    };
    let r = if !row {
        unsafe { l2::syr(u, n, alpha, x, incx, y, a, shape, lda, herm, false) }
    } else if herm {
        // A^T = conj(A): update with conjugated vectors; for her2 also swap x and y, as the
        // reference does (the testers' error positions depend on it).
        match y {
            None => unsafe {
                l2::syr(
                    flip_uplo(u),
                    n,
                    alpha,
                    x,
                    incx,
                    None,
                    a,
                    shape,
                    lda,
                    true,
                    true,
                )
            },
            Some((yp, incy)) => unsafe {
                l2::syr(
                    flip_uplo(u),
                    n,
                    alpha,
                    yp,
                    incy,
                    Some((x, incx)),
                    a,
                    shape,
                    lda,
                    true,
                    true,
                )
            },
        }
    } else {
        unsafe {
            l2::syr(
                flip_uplo(u),
                n,
                alpha,
                x,
                incx,
                y,
                a,
                shape,
                lda,
                false,
                false,
            )
        }
    };
    report(name, r);
}

pub unsafe fn gemm<T: GemmScalar>(
    name: &str,
    order: c_int,
    ta: c_int,
    tb: c_int,
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
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(ta) = dec(ta, &TRANS, name, 2) else {
        return;
    };
    let Some(tb) = dec(tb, &TRANS, name, 3) else {
        return;
    };
    let r = if !row {
        unsafe { l3::gemm_api(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
    } else {
        unsafe { l3::gemm_api(tb, ta, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc) }
    };
    report(name, r);
}

pub unsafe fn symm<T: GemmScalar>(
    name: &str,
    order: c_int,
    side: c_int,
    uplo: c_int,
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
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(s) = dec(side, &SIDE, name, 2) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 3) else {
        return;
    };
    let r = if !row {
        unsafe { l3::symm(s, u, m, n, alpha, a, lda, b, ldb, beta, c, ldc, herm) }
    } else {
        unsafe {
            l3::symm(
                flip_side(s),
                flip_uplo(u),
                n,
                m,
                alpha,
                a,
                lda,
                b,
                ldb,
                beta,
                c,
                ldc,
                herm,
            )
        }
    };
    report(name, r);
}

pub unsafe fn syrk<T: GemmScalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    trans: c_int,
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
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 2) else {
        return;
    };
    let Some(t) = dec(trans, &TRANS, name, 3) else {
        return;
    };
    let r = if !row {
        unsafe { l3::syrk(u, t, n, k, alpha, a, lda, b, beta, c, ldc, herm) }
    } else {
        // C^T = op(A)^T-style product with the transposition flipped; for her2k the two terms
        // swap roles, which conjugates alpha.
        let t2 = match t {
            b'N' if herm => b'C',
            b'N' => b'T',
            // Invalid for the complex variant: pass it on so the check reports position 3.
            b'T' if herm => b'T',
            b'C' if T::IS_COMPLEX && !herm => b'C',
            _ => b'N',
        };
        let alpha2 = if b.is_some() {
            alpha.conj_if(herm)
        } else {
            alpha
        };
        unsafe {
            l3::syrk(
                flip_uplo(u),
                t2,
                n,
                k,
                alpha2,
                a,
                lda,
                b,
                beta,
                c,
                ldc,
                herm,
            )
        }
    };
    report(name, r);
}

pub unsafe fn trmm<T: GemmScalar>(
    name: &str,
    order: c_int,
    side: c_int,
    uplo: c_int,
    ta: c_int,
    diag: c_int,
    m: Int,
    n: Int,
    alpha: T,
    a: *const T,
    lda: Int,
    b: *mut T,
    ldb: Int,
    solve: bool,
) {
    let Some((row, _g)) = enter(order, name) else {
        return;
    };
    let Some(s) = dec(side, &SIDE, name, 2) else {
        return;
    };
    let Some(u) = dec(uplo, &UPLO, name, 3) else {
        return;
    };
    let Some(t) = dec(ta, &TRANS, name, 4) else {
        return;
    };
    let Some(d) = dec(diag, &DIAG, name, 5) else {
        return;
    };
    let r = if !row {
        unsafe { l3::trmm(s, u, t, d, m, n, alpha, a, lda, b, ldb, solve) }
    } else {
        unsafe {
            l3::trmm(
                flip_side(s),
                flip_uplo(u),
                t,
                d,
                n,
                m,
                alpha,
                a,
                lda,
                b,
                ldb,
                solve,
            )
        }
    };
    report(name, r);
}

fn full(lda: Int) -> Shape {
    Shape::Full(lda.max(0) as usize)
}
fn band(lda: Int, k: Int) -> Shape {
    Shape::Band(lda.max(0) as usize, k.max(0) as usize)
}

/// CBLAS_INDEX of the reference: the 0-based position, 0 for an empty vector.
fn index(i: Int) -> usize {
    if i > 0 {
        (i - 1) as usize
    } else {
        0
    }
}

/// Routines every precision has; `$s` is how a scalar argument is passed (value for real,
/// pointer for complex) and `$g` reads it.
macro_rules! cblas_all {
    ($t:ty, $s:ty, $g:expr, $n:literal, $swap:ident, $copy:ident, $axpy:ident, $scal:ident,
     $gemv:ident, $gbmv:ident, $trmv:ident, $tbmv:ident, $tpmv:ident, $trsv:ident, $tbsv:ident,
     $tpsv:ident, $gemm:ident, $symm:ident, $syrk:ident, $syr2k:ident, $trmm:ident,
     $trsm:ident) => {
        #[export_name = blas_symbol!(stringify!($swap))]
        pub unsafe extern "C" fn $swap(n: Int, x: *mut $t, incx: Int, y: *mut $t, incy: Int) {
            unsafe { l1::swap(n, x, incx, y, incy) }
        }
        #[export_name = blas_symbol!(stringify!($copy))]
        pub unsafe extern "C" fn $copy(n: Int, x: *const $t, incx: Int, y: *mut $t, incy: Int) {
            unsafe { l1::copy(n, x, incx, y, incy) }
        }
        #[export_name = blas_symbol!(stringify!($axpy))]
        pub unsafe extern "C" fn $axpy(
            n: Int,
            alpha: $s,
            x: *const $t,
            incx: Int,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe { l1::axpy(n, $g(alpha), x, incx, y, incy) }
        }
        #[export_name = blas_symbol!(stringify!($scal))]
        pub unsafe extern "C" fn $scal(n: Int, alpha: $s, x: *mut $t, incx: Int) {
            unsafe { l1::scal(n, $g(alpha), x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($gemv))]
        pub unsafe extern "C" fn $gemv(
            order: c_int,
            trans: c_int,
            m: Int,
            n: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: $s,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                gemv(
                    concat!("cblas_", $n, "gemv"),
                    order,
                    trans,
                    m,
                    n,
                    None,
                    $g(alpha),
                    a,
                    lda,
                    x,
                    incx,
                    $g(beta),
                    y,
                    incy,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($gbmv))]
        pub unsafe extern "C" fn $gbmv(
            order: c_int,
            trans: c_int,
            m: Int,
            n: Int,
            kl: Int,
            ku: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: $s,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                gemv(
                    concat!("cblas_", $n, "gbmv"),
                    order,
                    trans,
                    m,
                    n,
                    Some((kl, ku)),
                    $g(alpha),
                    a,
                    lda,
                    x,
                    incx,
                    $g(beta),
                    y,
                    incy,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($trmv))]
        pub unsafe extern "C" fn $trmv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            a: *const $t,
            lda: Int,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "trmv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    full(lda),
                    0,
                    lda,
                    a,
                    x,
                    incx,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($tbmv))]
        pub unsafe extern "C" fn $tbmv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            k: Int,
            a: *const $t,
            lda: Int,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "tbmv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    band(lda, k),
                    k,
                    lda,
                    a,
                    x,
                    incx,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($tpmv))]
        pub unsafe extern "C" fn $tpmv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            ap: *const $t,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "tpmv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    Shape::Packed,
                    0,
                    0,
                    ap,
                    x,
                    incx,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($trsv))]
        pub unsafe extern "C" fn $trsv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            a: *const $t,
            lda: Int,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "trsv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    full(lda),
                    0,
                    lda,
                    a,
                    x,
                    incx,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($tbsv))]
        pub unsafe extern "C" fn $tbsv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            k: Int,
            a: *const $t,
            lda: Int,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "tbsv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    band(lda, k),
                    k,
                    lda,
                    a,
                    x,
                    incx,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($tpsv))]
        pub unsafe extern "C" fn $tpsv(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            diag: c_int,
            n: Int,
            ap: *const $t,
            x: *mut $t,
            incx: Int,
        ) {
            unsafe {
                trmv(
                    concat!("cblas_", $n, "tpsv"),
                    order,
                    uplo,
                    trans,
                    diag,
                    n,
                    Shape::Packed,
                    0,
                    0,
                    ap,
                    x,
                    incx,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($gemm))]
        pub unsafe extern "C" fn $gemm(
            order: c_int,
            ta: c_int,
            tb: c_int,
            m: Int,
            n: Int,
            k: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            b: *const $t,
            ldb: Int,
            beta: $s,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                gemm(
                    concat!("cblas_", $n, "gemm"),
                    order,
                    ta,
                    tb,
                    m,
                    n,
                    k,
                    $g(alpha),
                    a,
                    lda,
                    b,
                    ldb,
                    $g(beta),
                    c,
                    ldc,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($symm))]
        pub unsafe extern "C" fn $symm(
            order: c_int,
            side: c_int,
            uplo: c_int,
            m: Int,
            n: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            b: *const $t,
            ldb: Int,
            beta: $s,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                symm(
                    concat!("cblas_", $n, "symm"),
                    order,
                    side,
                    uplo,
                    m,
                    n,
                    $g(alpha),
                    a,
                    lda,
                    b,
                    ldb,
                    $g(beta),
                    c,
                    ldc,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($syrk))]
        pub unsafe extern "C" fn $syrk(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            n: Int,
            k: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            beta: $s,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                syrk(
                    concat!("cblas_", $n, "syrk"),
                    order,
                    uplo,
                    trans,
                    n,
                    k,
                    $g(alpha),
                    a,
                    lda,
                    None,
                    $g(beta),
                    c,
                    ldc,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($syr2k))]
        pub unsafe extern "C" fn $syr2k(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            n: Int,
            k: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            b: *const $t,
            ldb: Int,
            beta: $s,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                syrk(
                    concat!("cblas_", $n, "syr2k"),
                    order,
                    uplo,
                    trans,
                    n,
                    k,
                    $g(alpha),
                    a,
                    lda,
                    Some((b, ldb)),
                    $g(beta),
                    c,
                    ldc,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($trmm))]
        pub unsafe extern "C" fn $trmm(
            order: c_int,
            side: c_int,
            uplo: c_int,
            ta: c_int,
            diag: c_int,
            m: Int,
            n: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            b: *mut $t,
            ldb: Int,
        ) {
            unsafe {
                trmm(
                    concat!("cblas_", $n, "trmm"),
                    order,
                    side,
                    uplo,
                    ta,
                    diag,
                    m,
                    n,
                    $g(alpha),
                    a,
                    lda,
                    b,
                    ldb,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($trsm))]
        pub unsafe extern "C" fn $trsm(
            order: c_int,
            side: c_int,
            uplo: c_int,
            ta: c_int,
            diag: c_int,
            m: Int,
            n: Int,
            alpha: $s,
            a: *const $t,
            lda: Int,
            b: *mut $t,
            ldb: Int,
        ) {
            unsafe {
                trmm(
                    concat!("cblas_", $n, "trsm"),
                    order,
                    side,
                    uplo,
                    ta,
                    diag,
                    m,
                    n,
                    $g(alpha),
                    a,
                    lda,
                    b,
                    ldb,
                    true,
                )
            }
        }
    };
}

fn val<T>(v: T) -> T {
    v
}
/// # Safety
/// `p` points to a complex number of type `T`.
unsafe fn deref<T: Copy>(p: *const c_void) -> T {
    // SAFETY: CBLAS passes complex scalars by address.
    unsafe { *(p as *const T) }
}

cblas_all!(
    f32,
    f32,
    val,
    "s",
    cblas_sswap,
    cblas_scopy,
    cblas_saxpy,
    cblas_sscal,
    cblas_sgemv,
    cblas_sgbmv,
    cblas_strmv,
    cblas_stbmv,
    cblas_stpmv,
    cblas_strsv,
    cblas_stbsv,
    cblas_stpsv,
    cblas_sgemm,
    cblas_ssymm,
    cblas_ssyrk,
    cblas_ssyr2k,
    cblas_strmm,
    cblas_strsm
);
cblas_all!(
    f64,
    f64,
    val,
    "d",
    cblas_dswap,
    cblas_dcopy,
    cblas_daxpy,
    cblas_dscal,
    cblas_dgemv,
    cblas_dgbmv,
    cblas_dtrmv,
    cblas_dtbmv,
    cblas_dtpmv,
    cblas_dtrsv,
    cblas_dtbsv,
    cblas_dtpsv,
    cblas_dgemm,
    cblas_dsymm,
    cblas_dsyrk,
    cblas_dsyr2k,
    cblas_dtrmm,
    cblas_dtrsm
);
cblas_all!(
    C32,
    *const c_void,
    deref::<C32>,
    "c",
    cblas_cswap,
    cblas_ccopy,
    cblas_caxpy,
    cblas_cscal,
    cblas_cgemv,
    cblas_cgbmv,
    cblas_ctrmv,
    cblas_ctbmv,
    cblas_ctpmv,
    cblas_ctrsv,
    cblas_ctbsv,
    cblas_ctpsv,
    cblas_cgemm,
    cblas_csymm,
    cblas_csyrk,
    cblas_csyr2k,
    cblas_ctrmm,
    cblas_ctrsm
);
cblas_all!(
    C64,
    *const c_void,
    deref::<C64>,
    "z",
    cblas_zswap,
    cblas_zcopy,
    cblas_zaxpy,
    cblas_zscal,
    cblas_zgemv,
    cblas_zgbmv,
    cblas_ztrmv,
    cblas_ztbmv,
    cblas_ztpmv,
    cblas_ztrsv,
    cblas_ztbsv,
    cblas_ztpsv,
    cblas_zgemm,
    cblas_zsymm,
    cblas_zsyrk,
    cblas_zsyr2k,
    cblas_ztrmm,
    cblas_ztrsm
);

/// Routines of the real precisions.
macro_rules! cblas_real {
    ($t:ty, $n:literal, $rotg:ident, $rotmg:ident, $rot:ident, $rotm:ident, $dot:ident,
     $nrm2:ident, $asum:ident, $iamax:ident, $symv:ident, $sbmv:ident, $spmv:ident, $ger:ident,
     $syr:ident, $spr:ident, $syr2:ident, $spr2:ident) => {
        #[export_name = blas_symbol!(stringify!($rotg))]
        pub unsafe extern "C" fn $rotg(a: *mut $t, b: *mut $t, c: *mut $t, s: *mut $t) {
            unsafe { l1::rotg(&mut *a, &mut *b, &mut *c, &mut *s) }
        }
        #[export_name = blas_symbol!(stringify!($rotmg))]
        pub unsafe extern "C" fn $rotmg(
            d1: *mut $t,
            d2: *mut $t,
            x1: *mut $t,
            y1: $t,
            p: *mut [$t; 5],
        ) {
            unsafe { l1::rotmg(&mut *d1, &mut *d2, &mut *x1, y1, &mut *p) }
        }
        #[export_name = blas_symbol!(stringify!($rot))]
        pub unsafe extern "C" fn $rot(
            n: Int,
            x: *mut $t,
            incx: Int,
            y: *mut $t,
            incy: Int,
            c: $t,
            s: $t,
        ) {
            unsafe { l1::rot(n, x, incx, y, incy, c, s) }
        }
        #[export_name = blas_symbol!(stringify!($rotm))]
        pub unsafe extern "C" fn $rotm(
            n: Int,
            x: *mut $t,
            incx: Int,
            y: *mut $t,
            incy: Int,
            p: *const $t,
        ) {
            unsafe { l1::rotm(n, x, incx, y, incy, p) }
        }
        #[export_name = blas_symbol!(stringify!($dot))]
        pub unsafe extern "C" fn $dot(
            n: Int,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
        ) -> $t {
            unsafe { l1::dot(n, x, incx, y, incy, false) }
        }
        #[export_name = blas_symbol!(stringify!($nrm2))]
        pub unsafe extern "C" fn $nrm2(n: Int, x: *const $t, incx: Int) -> $t {
            unsafe { l1::nrm2(n, x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($asum))]
        pub unsafe extern "C" fn $asum(n: Int, x: *const $t, incx: Int) -> $t {
            unsafe { l1::asum(n, x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($iamax))]
        pub unsafe extern "C" fn $iamax(n: Int, x: *const $t, incx: Int) -> usize {
            index(unsafe { l1::iamax(n, x, incx) })
        }
        #[export_name = blas_symbol!(stringify!($symv))]
        pub unsafe extern "C" fn $symv(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: $t,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "symv"),
                    order,
                    uplo,
                    n,
                    full(lda),
                    0,
                    lda,
                    alpha,
                    a,
                    x,
                    incx,
                    beta,
                    y,
                    incy,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($sbmv))]
        pub unsafe extern "C" fn $sbmv(
            order: c_int,
            uplo: c_int,
            n: Int,
            k: Int,
            alpha: $t,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: $t,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "sbmv"),
                    order,
                    uplo,
                    n,
                    band(lda, k),
                    k,
                    lda,
                    alpha,
                    a,
                    x,
                    incx,
                    beta,
                    y,
                    incy,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($spmv))]
        pub unsafe extern "C" fn $spmv(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            ap: *const $t,
            x: *const $t,
            incx: Int,
            beta: $t,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "spmv"),
                    order,
                    uplo,
                    n,
                    Shape::Packed,
                    0,
                    0,
                    alpha,
                    ap,
                    x,
                    incx,
                    beta,
                    y,
                    incy,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($ger))]
        pub unsafe extern "C" fn $ger(
            order: c_int,
            m: Int,
            n: Int,
            alpha: $t,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                ger(
                    concat!("cblas_", $n, "ger"),
                    order,
                    m,
                    n,
                    alpha,
                    x,
                    incx,
                    y,
                    incy,
                    a,
                    lda,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($syr))]
        pub unsafe extern "C" fn $syr(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            x: *const $t,
            incx: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "syr"),
                    order,
                    uplo,
                    n,
                    alpha,
                    x,
                    incx,
                    None,
                    a,
                    full(lda),
                    lda,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($spr))]
        pub unsafe extern "C" fn $spr(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            x: *const $t,
            incx: Int,
            ap: *mut $t,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "spr"),
                    order,
                    uplo,
                    n,
                    alpha,
                    x,
                    incx,
                    None,
                    ap,
                    Shape::Packed,
                    0,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($syr2))]
        pub unsafe extern "C" fn $syr2(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "syr2"),
                    order,
                    uplo,
                    n,
                    alpha,
                    x,
                    incx,
                    Some((y, incy)),
                    a,
                    full(lda),
                    lda,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($spr2))]
        pub unsafe extern "C" fn $spr2(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $t,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            ap: *mut $t,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "spr2"),
                    order,
                    uplo,
                    n,
                    alpha,
                    x,
                    incx,
                    Some((y, incy)),
                    ap,
                    Shape::Packed,
                    0,
                    false,
                )
            }
        }
    };
}

cblas_real!(
    f32,
    "s",
    cblas_srotg,
    cblas_srotmg,
    cblas_srot,
    cblas_srotm,
    cblas_sdot,
    cblas_snrm2,
    cblas_sasum,
    cblas_isamax,
    cblas_ssymv,
    cblas_ssbmv,
    cblas_sspmv,
    cblas_sger,
    cblas_ssyr,
    cblas_sspr,
    cblas_ssyr2,
    cblas_sspr2
);
cblas_real!(
    f64,
    "d",
    cblas_drotg,
    cblas_drotmg,
    cblas_drot,
    cblas_drotm,
    cblas_ddot,
    cblas_dnrm2,
    cblas_dasum,
    cblas_idamax,
    cblas_dsymv,
    cblas_dsbmv,
    cblas_dspmv,
    cblas_dger,
    cblas_dsyr,
    cblas_dspr,
    cblas_dsyr2,
    cblas_dspr2
);

#[export_name = blas_symbol!("cblas_sdsdot")]
pub unsafe extern "C" fn cblas_sdsdot(
    n: Int,
    alpha: f32,
    x: *const f32,
    incx: Int,
    y: *const f32,
    incy: Int,
) -> f32 {
    unsafe { (f64::from(alpha) + l1::dot_f64acc(n, x, incx, y, incy)) as f32 }
}
#[export_name = blas_symbol!("cblas_dsdot")]
pub unsafe extern "C" fn cblas_dsdot(
    n: Int,
    x: *const f32,
    incx: Int,
    y: *const f32,
    incy: Int,
) -> f64 {
    unsafe { l1::dot_f64acc(n, x, incx, y, incy) }
}
#[export_name = blas_symbol!("cblas_scabs1")]
pub unsafe extern "C" fn cblas_scabs1(z: *const c_void) -> f32 {
    let z: C32 = unsafe { deref(z) };
    z.re.abs() + z.im.abs()
}
#[export_name = blas_symbol!("cblas_dcabs1")]
pub unsafe extern "C" fn cblas_dcabs1(z: *const c_void) -> f64 {
    let z: C64 = unsafe { deref(z) };
    z.re.abs() + z.im.abs()
}

/// Routines of the complex precisions.
macro_rules! cblas_complex {
    ($t:ty, $r:ty, $n:literal, $rotg:ident, $rrot:ident, $rscal:ident, $dotu:ident,
     $dotc:ident, $nrm2:ident, $asum:ident, $iamax:ident, $hemv:ident, $hbmv:ident,
     $hpmv:ident, $geru:ident, $gerc:ident, $her:ident, $hpr:ident, $her2:ident, $hpr2:ident,
     $hemm:ident, $herk:ident, $her2k:ident) => {
        #[export_name = blas_symbol!(stringify!($rotg))]
        pub unsafe extern "C" fn $rotg(
            a: *mut c_void,
            b: *const c_void,
            c: *mut $r,
            s: *mut c_void,
        ) {
            unsafe {
                l1::crotg(
                    &mut *(a as *mut $t),
                    deref::<$t>(b),
                    &mut *c,
                    &mut *(s as *mut $t),
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($rrot))]
        pub unsafe extern "C" fn $rrot(
            n: Int,
            x: *mut $t,
            incx: Int,
            y: *mut $t,
            incy: Int,
            c: $r,
            s: $r,
        ) {
            unsafe { l1::rot(n, x, incx, y, incy, c, s) }
        }
        #[export_name = blas_symbol!(stringify!($rscal))]
        pub unsafe extern "C" fn $rscal(n: Int, alpha: $r, x: *mut $t, incx: Int) {
            unsafe { l1::rscal(n, alpha, x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($dotu))]
        pub unsafe extern "C" fn $dotu(
            n: Int,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            out: *mut $t,
        ) {
            unsafe { *out = l1::dot(n, x, incx, y, incy, false) }
        }
        #[export_name = blas_symbol!(stringify!($dotc))]
        pub unsafe extern "C" fn $dotc(
            n: Int,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            out: *mut $t,
        ) {
            unsafe { *out = l1::dot(n, x, incx, y, incy, true) }
        }
        #[export_name = blas_symbol!(stringify!($nrm2))]
        pub unsafe extern "C" fn $nrm2(n: Int, x: *const $t, incx: Int) -> $r {
            unsafe { l1::nrm2(n, x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($asum))]
        pub unsafe extern "C" fn $asum(n: Int, x: *const $t, incx: Int) -> $r {
            unsafe { l1::asum(n, x, incx) }
        }
        #[export_name = blas_symbol!(stringify!($iamax))]
        pub unsafe extern "C" fn $iamax(n: Int, x: *const $t, incx: Int) -> usize {
            index(unsafe { l1::iamax(n, x, incx) })
        }
        #[export_name = blas_symbol!(stringify!($hemv))]
        pub unsafe extern "C" fn $hemv(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: *const c_void,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: *const c_void,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "hemv"),
                    order,
                    uplo,
                    n,
                    full(lda),
                    0,
                    lda,
                    deref(alpha),
                    a,
                    x,
                    incx,
                    deref(beta),
                    y,
                    incy,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($hbmv))]
        pub unsafe extern "C" fn $hbmv(
            order: c_int,
            uplo: c_int,
            n: Int,
            k: Int,
            alpha: *const c_void,
            a: *const $t,
            lda: Int,
            x: *const $t,
            incx: Int,
            beta: *const c_void,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "hbmv"),
                    order,
                    uplo,
                    n,
                    band(lda, k),
                    k,
                    lda,
                    deref(alpha),
                    a,
                    x,
                    incx,
                    deref(beta),
                    y,
                    incy,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($hpmv))]
        pub unsafe extern "C" fn $hpmv(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: *const c_void,
            ap: *const $t,
            x: *const $t,
            incx: Int,
            beta: *const c_void,
            y: *mut $t,
            incy: Int,
        ) {
            unsafe {
                symv(
                    concat!("cblas_", $n, "hpmv"),
                    order,
                    uplo,
                    n,
                    Shape::Packed,
                    0,
                    0,
                    deref(alpha),
                    ap,
                    x,
                    incx,
                    deref(beta),
                    y,
                    incy,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($geru))]
        pub unsafe extern "C" fn $geru(
            order: c_int,
            m: Int,
            n: Int,
            alpha: *const c_void,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                ger(
                    concat!("cblas_", $n, "geru"),
                    order,
                    m,
                    n,
                    deref(alpha),
                    x,
                    incx,
                    y,
                    incy,
                    a,
                    lda,
                    false,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($gerc))]
        pub unsafe extern "C" fn $gerc(
            order: c_int,
            m: Int,
            n: Int,
            alpha: *const c_void,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                ger(
                    concat!("cblas_", $n, "gerc"),
                    order,
                    m,
                    n,
                    deref(alpha),
                    x,
                    incx,
                    y,
                    incy,
                    a,
                    lda,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($her))]
        pub unsafe extern "C" fn $her(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $r,
            x: *const $t,
            incx: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "her"),
                    order,
                    uplo,
                    n,
                    Complex::new(alpha, 0.0),
                    x,
                    incx,
                    None,
                    a,
                    full(lda),
                    lda,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($hpr))]
        pub unsafe extern "C" fn $hpr(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: $r,
            x: *const $t,
            incx: Int,
            ap: *mut $t,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "hpr"),
                    order,
                    uplo,
                    n,
                    Complex::new(alpha, 0.0),
                    x,
                    incx,
                    None,
                    ap,
                    Shape::Packed,
                    0,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($her2))]
        pub unsafe extern "C" fn $her2(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: *const c_void,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            a: *mut $t,
            lda: Int,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "her2"),
                    order,
                    uplo,
                    n,
                    deref(alpha),
                    x,
                    incx,
                    Some((y, incy)),
                    a,
                    full(lda),
                    lda,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($hpr2))]
        pub unsafe extern "C" fn $hpr2(
            order: c_int,
            uplo: c_int,
            n: Int,
            alpha: *const c_void,
            x: *const $t,
            incx: Int,
            y: *const $t,
            incy: Int,
            ap: *mut $t,
        ) {
            unsafe {
                syr(
                    concat!("cblas_", $n, "hpr2"),
                    order,
                    uplo,
                    n,
                    deref(alpha),
                    x,
                    incx,
                    Some((y, incy)),
                    ap,
                    Shape::Packed,
                    0,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($hemm))]
        pub unsafe extern "C" fn $hemm(
            order: c_int,
            side: c_int,
            uplo: c_int,
            m: Int,
            n: Int,
            alpha: *const c_void,
            a: *const $t,
            lda: Int,
            b: *const $t,
            ldb: Int,
            beta: *const c_void,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                symm(
                    concat!("cblas_", $n, "hemm"),
                    order,
                    side,
                    uplo,
                    m,
                    n,
                    deref(alpha),
                    a,
                    lda,
                    b,
                    ldb,
                    deref(beta),
                    c,
                    ldc,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($herk))]
        pub unsafe extern "C" fn $herk(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            n: Int,
            k: Int,
            alpha: $r,
            a: *const $t,
            lda: Int,
            beta: $r,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                syrk(
                    concat!("cblas_", $n, "herk"),
                    order,
                    uplo,
                    trans,
                    n,
                    k,
                    Complex::new(alpha, 0.0),
                    a,
                    lda,
                    None,
                    Complex::new(beta, 0.0),
                    c,
                    ldc,
                    true,
                )
            }
        }
        #[export_name = blas_symbol!(stringify!($her2k))]
        pub unsafe extern "C" fn $her2k(
            order: c_int,
            uplo: c_int,
            trans: c_int,
            n: Int,
            k: Int,
            alpha: *const c_void,
            a: *const $t,
            lda: Int,
            b: *const $t,
            ldb: Int,
            beta: $r,
            c: *mut $t,
            ldc: Int,
        ) {
            unsafe {
                syrk(
                    concat!("cblas_", $n, "her2k"),
                    order,
                    uplo,
                    trans,
                    n,
                    k,
                    deref(alpha),
                    a,
                    lda,
                    Some((b, ldb)),
                    Complex::new(beta, 0.0),
                    c,
                    ldc,
                    true,
                )
            }
        }
    };
}

cblas_complex!(
    C32,
    f32,
    "c",
    cblas_crotg,
    cblas_csrot,
    cblas_csscal,
    cblas_cdotu_sub,
    cblas_cdotc_sub,
    cblas_scnrm2,
    cblas_scasum,
    cblas_icamax,
    cblas_chemv,
    cblas_chbmv,
    cblas_chpmv,
    cblas_cgeru,
    cblas_cgerc,
    cblas_cher,
    cblas_chpr,
    cblas_cher2,
    cblas_chpr2,
    cblas_chemm,
    cblas_cherk,
    cblas_cher2k
);
cblas_complex!(
    C64,
    f64,
    "z",
    cblas_zrotg,
    cblas_zdrot,
    cblas_zdscal,
    cblas_zdotu_sub,
    cblas_zdotc_sub,
    cblas_dznrm2,
    cblas_dzasum,
    cblas_izamax,
    cblas_zhemv,
    cblas_zhbmv,
    cblas_zhpmv,
    cblas_zgeru,
    cblas_zgerc,
    cblas_zher,
    cblas_zhpr,
    cblas_zher2,
    cblas_zhpr2,
    cblas_zhemm,
    cblas_zherk,
    cblas_zher2k
);

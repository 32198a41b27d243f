//! The Fortran-77 ABI: `sgemm_`-style symbols, every argument by reference, hidden CHARACTER
//! lengths (trailing `size_t`s that the C calling convention lets us ignore), errors through
//! `xerbla_` with the reference routine name and argument position.
//!
//! Every exported function follows the BLAS contract (valid pointers for the sizes given); that
//! is the safety condition of each `unsafe extern "C"` below.
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

use crate::level1 as l1;
use crate::level2::{self as l2, Shape};
use crate::level3 as l3;
use crate::scalar::{Complex, C32, C64};
use crate::xerbla::fortran_error;
use crate::Int;
use std::ffi::c_char;

#[inline(always)]
unsafe fn ch(p: *const c_char) -> u8 {
    // SAFETY: Fortran passes a CHARACTER of length >= 1.
    unsafe { *p as u8 }
}

fn report(name: &str, r: l2::Res) {
    if let Err(info) = r {
        fortran_error(name, info);
    }
}

/// Routines every precision has.
macro_rules! f77_all {
    ($t:ty, $p:literal, $swap:ident, $copy:ident, $axpy:ident, $scal:ident,
     $gemv:ident, $gbmv:ident, $trmv:ident, $tbmv:ident, $tpmv:ident, $trsv:ident, $tbsv:ident,
     $tpsv:ident, $gemm:ident, $symm:ident, $syrk:ident, $syr2k:ident, $trmm:ident,
     $trsm:ident) => {
        #[export_name = blas_symbol!(stringify!($swap))]
        pub unsafe extern "C" fn $swap(
            n: *const Int,
            x: *mut $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
        ) {
            unsafe { l1::swap(*n, x, *incx, y, *incy) }
        }
        #[export_name = blas_symbol!(stringify!($copy))]
        pub unsafe extern "C" fn $copy(
            n: *const Int,
            x: *const $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
        ) {
            unsafe { l1::copy(*n, x, *incx, y, *incy) }
        }
        #[export_name = blas_symbol!(stringify!($axpy))]
        pub unsafe extern "C" fn $axpy(
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
        ) {
            unsafe { l1::axpy(*n, *alpha, x, *incx, y, *incy) }
        }
        #[export_name = blas_symbol!(stringify!($scal))]
        pub unsafe extern "C" fn $scal(
            n: *const Int,
            alpha: *const $t,
            x: *mut $t,
            incx: *const Int,
        ) {
            unsafe { l1::scal(*n, *alpha, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($gemv))]
        pub unsafe extern "C" fn $gemv(
            trans: *const c_char,
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "GEMV"), unsafe {
                l2::gemv(
                    ch(trans),
                    *m,
                    *n,
                    None,
                    *alpha,
                    a,
                    *lda,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($gbmv))]
        pub unsafe extern "C" fn $gbmv(
            trans: *const c_char,
            m: *const Int,
            n: *const Int,
            kl: *const Int,
            ku: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "GBMV"), unsafe {
                l2::gemv(
                    ch(trans),
                    *m,
                    *n,
                    Some((*kl, *ku)),
                    *alpha,
                    a,
                    *lda,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($trmv))]
        pub unsafe extern "C" fn $trmv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            a: *const $t,
            lda: *const Int,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TRMV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Full((*lda).max(0) as usize),
                    0,
                    *lda,
                    a,
                    x,
                    *incx,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($tbmv))]
        pub unsafe extern "C" fn $tbmv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            k: *const Int,
            a: *const $t,
            lda: *const Int,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TBMV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Band((*lda).max(0) as usize, (*k).max(0) as usize),
                    *k,
                    *lda,
                    a,
                    x,
                    *incx,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($tpmv))]
        pub unsafe extern "C" fn $tpmv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            ap: *const $t,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TPMV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Packed,
                    0,
                    0,
                    ap,
                    x,
                    *incx,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($trsv))]
        pub unsafe extern "C" fn $trsv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            a: *const $t,
            lda: *const Int,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TRSV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Full((*lda).max(0) as usize),
                    0,
                    *lda,
                    a,
                    x,
                    *incx,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($tbsv))]
        pub unsafe extern "C" fn $tbsv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            k: *const Int,
            a: *const $t,
            lda: *const Int,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TBSV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Band((*lda).max(0) as usize, (*k).max(0) as usize),
                    *k,
                    *lda,
                    a,
                    x,
                    *incx,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($tpsv))]
        pub unsafe extern "C" fn $tpsv(
            uplo: *const c_char,
            trans: *const c_char,
            diag: *const c_char,
            n: *const Int,
            ap: *const $t,
            x: *mut $t,
            incx: *const Int,
        ) {
            report(concat!($p, "TPSV"), unsafe {
                l2::trmv(
                    ch(uplo),
                    ch(trans),
                    ch(diag),
                    *n,
                    Shape::Packed,
                    0,
                    0,
                    ap,
                    x,
                    *incx,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($gemm))]
        pub unsafe extern "C" fn $gemm(
            transa: *const c_char,
            transb: *const c_char,
            m: *const Int,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *const $t,
            ldb: *const Int,
            beta: *const $t,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "GEMM"), unsafe {
                l3::gemm_api(
                    ch(transa),
                    ch(transb),
                    *m,
                    *n,
                    *k,
                    *alpha,
                    a,
                    *lda,
                    b,
                    *ldb,
                    *beta,
                    c,
                    *ldc,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($symm))]
        pub unsafe extern "C" fn $symm(
            side: *const c_char,
            uplo: *const c_char,
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *const $t,
            ldb: *const Int,
            beta: *const $t,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "SYMM"), unsafe {
                l3::symm(
                    ch(side),
                    ch(uplo),
                    *m,
                    *n,
                    *alpha,
                    a,
                    *lda,
                    b,
                    *ldb,
                    *beta,
                    c,
                    *ldc,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($syrk))]
        pub unsafe extern "C" fn $syrk(
            uplo: *const c_char,
            trans: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            beta: *const $t,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "SYRK"), unsafe {
                l3::syrk(
                    ch(uplo),
                    ch(trans),
                    *n,
                    *k,
                    *alpha,
                    a,
                    *lda,
                    None,
                    *beta,
                    c,
                    *ldc,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($syr2k))]
        pub unsafe extern "C" fn $syr2k(
            uplo: *const c_char,
            trans: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *const $t,
            ldb: *const Int,
            beta: *const $t,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "SYR2K"), unsafe {
                l3::syrk(
                    ch(uplo),
                    ch(trans),
                    *n,
                    *k,
                    *alpha,
                    a,
                    *lda,
                    Some((b, *ldb)),
                    *beta,
                    c,
                    *ldc,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($trmm))]
        pub unsafe extern "C" fn $trmm(
            side: *const c_char,
            uplo: *const c_char,
            transa: *const c_char,
            diag: *const c_char,
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *mut $t,
            ldb: *const Int,
        ) {
            report(concat!($p, "TRMM"), unsafe {
                l3::trmm(
                    ch(side),
                    ch(uplo),
                    ch(transa),
                    ch(diag),
                    *m,
                    *n,
                    *alpha,
                    a,
                    *lda,
                    b,
                    *ldb,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($trsm))]
        pub unsafe extern "C" fn $trsm(
            side: *const c_char,
            uplo: *const c_char,
            transa: *const c_char,
            diag: *const c_char,
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *mut $t,
            ldb: *const Int,
        ) {
            report(concat!($p, "TRSM"), unsafe {
                l3::trmm(
                    ch(side),
                    ch(uplo),
                    ch(transa),
                    ch(diag),
                    *m,
                    *n,
                    *alpha,
                    a,
                    *lda,
                    b,
                    *ldb,
                    true,
                )
            });
        }
    };
}

f77_all!(
    f32, "S", sswap_, scopy_, saxpy_, sscal_, sgemv_, sgbmv_, strmv_, stbmv_, stpmv_, strsv_,
    stbsv_, stpsv_, sgemm_, ssymm_, ssyrk_, ssyr2k_, strmm_, strsm_
);
f77_all!(
    f64, "D", dswap_, dcopy_, daxpy_, dscal_, dgemv_, dgbmv_, dtrmv_, dtbmv_, dtpmv_, dtrsv_,
    dtbsv_, dtpsv_, dgemm_, dsymm_, dsyrk_, dsyr2k_, dtrmm_, dtrsm_
);
f77_all!(
    C32, "C", cswap_, ccopy_, caxpy_, cscal_, cgemv_, cgbmv_, ctrmv_, ctbmv_, ctpmv_, ctrsv_,
    ctbsv_, ctpsv_, cgemm_, csymm_, csyrk_, csyr2k_, ctrmm_, ctrsm_
);
f77_all!(
    C64, "Z", zswap_, zcopy_, zaxpy_, zscal_, zgemv_, zgbmv_, ztrmv_, ztbmv_, ztpmv_, ztrsv_,
    ztbsv_, ztpsv_, zgemm_, zsymm_, zsyrk_, zsyr2k_, ztrmm_, ztrsm_
);

/// Routines of the real precisions.
macro_rules! f77_real {
    ($t:ty, $p:literal, $rotg:ident, $rotmg:ident, $rot:ident, $rotm:ident, $dot:ident,
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
            y1: *const $t,
            param: *mut [$t; 5],
        ) {
            unsafe { l1::rotmg(&mut *d1, &mut *d2, &mut *x1, *y1, &mut *param) }
        }
        #[export_name = blas_symbol!(stringify!($rot))]
        pub unsafe extern "C" fn $rot(
            n: *const Int,
            x: *mut $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
            c: *const $t,
            s: *const $t,
        ) {
            unsafe { l1::rot(*n, x, *incx, y, *incy, *c, *s) }
        }
        #[export_name = blas_symbol!(stringify!($rotm))]
        pub unsafe extern "C" fn $rotm(
            n: *const Int,
            x: *mut $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
            param: *const $t,
        ) {
            unsafe { l1::rotm(*n, x, *incx, y, *incy, param) }
        }
        #[export_name = blas_symbol!(stringify!($dot))]
        pub unsafe extern "C" fn $dot(
            n: *const Int,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
        ) -> $t {
            unsafe { l1::dot(*n, x, *incx, y, *incy, false) }
        }
        #[export_name = blas_symbol!(stringify!($nrm2))]
        pub unsafe extern "C" fn $nrm2(n: *const Int, x: *const $t, incx: *const Int) -> $t {
            unsafe { l1::nrm2(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($asum))]
        pub unsafe extern "C" fn $asum(n: *const Int, x: *const $t, incx: *const Int) -> $t {
            unsafe { l1::asum(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($iamax))]
        pub unsafe extern "C" fn $iamax(n: *const Int, x: *const $t, incx: *const Int) -> Int {
            unsafe { l1::iamax(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($symv))]
        pub unsafe extern "C" fn $symv(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "SYMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Full((*lda).max(0) as usize),
                    0,
                    *lda,
                    *alpha,
                    a,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($sbmv))]
        pub unsafe extern "C" fn $sbmv(
            uplo: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "SBMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Band((*lda).max(0) as usize, (*k).max(0) as usize),
                    *k,
                    *lda,
                    *alpha,
                    a,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($spmv))]
        pub unsafe extern "C" fn $spmv(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            ap: *const $t,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "SPMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Packed,
                    0,
                    0,
                    *alpha,
                    ap,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($ger))]
        pub unsafe extern "C" fn $ger(
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "GER"), unsafe {
                l2::ger(*m, *n, *alpha, x, *incx, y, *incy, a, *lda, false, false)
            });
        }
        #[export_name = blas_symbol!(stringify!($syr))]
        pub unsafe extern "C" fn $syr(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "SYR"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    None,
                    a,
                    Shape::Full((*lda).max(0) as usize),
                    *lda,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($spr))]
        pub unsafe extern "C" fn $spr(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            ap: *mut $t,
        ) {
            report(concat!($p, "SPR"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    None,
                    ap,
                    Shape::Packed,
                    0,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($syr2))]
        pub unsafe extern "C" fn $syr2(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "SYR2"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    Some((y, *incy)),
                    a,
                    Shape::Full((*lda).max(0) as usize),
                    *lda,
                    false,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($spr2))]
        pub unsafe extern "C" fn $spr2(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            ap: *mut $t,
        ) {
            report(concat!($p, "SPR2"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    Some((y, *incy)),
                    ap,
                    Shape::Packed,
                    0,
                    false,
                    false,
                )
            });
        }
    };
}

f77_real!(
    f32, "S", srotg_, srotmg_, srot_, srotm_, sdot_, snrm2_, sasum_, isamax_, ssymv_, ssbmv_,
    sspmv_, sger_, ssyr_, sspr_, ssyr2_, sspr2_
);
f77_real!(
    f64, "D", drotg_, drotmg_, drot_, drotm_, ddot_, dnrm2_, dasum_, idamax_, dsymv_, dsbmv_,
    dspmv_, dger_, dsyr_, dspr_, dsyr2_, dspr2_
);

#[export_name = blas_symbol!("sdsdot_")]
pub unsafe extern "C" fn sdsdot_(
    n: *const Int,
    sb: *const f32,
    x: *const f32,
    incx: *const Int,
    y: *const f32,
    incy: *const Int,
) -> f32 {
    unsafe { (f64::from(*sb) + l1::dot_f64acc(*n, x, *incx, y, *incy)) as f32 }
}
#[export_name = blas_symbol!("dsdot_")]
pub unsafe extern "C" fn dsdot_(
    n: *const Int,
    x: *const f32,
    incx: *const Int,
    y: *const f32,
    incy: *const Int,
) -> f64 {
    unsafe { l1::dot_f64acc(*n, x, *incx, y, *incy) }
}
#[export_name = blas_symbol!("scabs1_")]
pub unsafe extern "C" fn scabs1_(z: *const C32) -> f32 {
    unsafe { (*z).re.abs() + (*z).im.abs() }
}
#[export_name = blas_symbol!("dcabs1_")]
pub unsafe extern "C" fn dcabs1_(z: *const C64) -> f64 {
    unsafe { (*z).re.abs() + (*z).im.abs() }
}

/// Routines of the complex precisions.
macro_rules! f77_complex {
    ($t:ty, $r:ty, $p:literal, $rotg:ident, $rrot:ident, $rscal:ident, $dotu:ident, $dotc:ident,
     $nrm2:ident, $asum:ident, $iamax:ident, $hemv:ident, $hbmv:ident, $hpmv:ident,
     $geru:ident, $gerc:ident, $her:ident, $hpr:ident, $her2:ident, $hpr2:ident, $hemm:ident,
     $herk:ident, $her2k:ident) => {
        #[export_name = blas_symbol!(stringify!($rotg))]
        pub unsafe extern "C" fn $rotg(a: *mut $t, b: *const $t, c: *mut $r, s: *mut $t) {
            unsafe { l1::crotg(&mut *a, *b, &mut *c, &mut *s) }
        }
        #[export_name = blas_symbol!(stringify!($rrot))]
        pub unsafe extern "C" fn $rrot(
            n: *const Int,
            x: *mut $t,
            incx: *const Int,
            y: *mut $t,
            incy: *const Int,
            c: *const $r,
            s: *const $r,
        ) {
            unsafe { l1::rot(*n, x, *incx, y, *incy, *c, *s) }
        }
        #[export_name = blas_symbol!(stringify!($rscal))]
        pub unsafe extern "C" fn $rscal(
            n: *const Int,
            alpha: *const $r,
            x: *mut $t,
            incx: *const Int,
        ) {
            unsafe { l1::rscal(*n, *alpha, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($dotu))]
        pub unsafe extern "C" fn $dotu(
            n: *const Int,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
        ) -> $t {
            unsafe { l1::dot(*n, x, *incx, y, *incy, false) }
        }
        #[export_name = blas_symbol!(stringify!($dotc))]
        pub unsafe extern "C" fn $dotc(
            n: *const Int,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
        ) -> $t {
            unsafe { l1::dot(*n, x, *incx, y, *incy, true) }
        }
        #[export_name = blas_symbol!(stringify!($nrm2))]
        pub unsafe extern "C" fn $nrm2(n: *const Int, x: *const $t, incx: *const Int) -> $r {
            unsafe { l1::nrm2(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($asum))]
        pub unsafe extern "C" fn $asum(n: *const Int, x: *const $t, incx: *const Int) -> $r {
            unsafe { l1::asum(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($iamax))]
        pub unsafe extern "C" fn $iamax(n: *const Int, x: *const $t, incx: *const Int) -> Int {
            unsafe { l1::iamax(*n, x, *incx) }
        }
        #[export_name = blas_symbol!(stringify!($hemv))]
        pub unsafe extern "C" fn $hemv(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "HEMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Full((*lda).max(0) as usize),
                    0,
                    *lda,
                    *alpha,
                    a,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($hbmv))]
        pub unsafe extern "C" fn $hbmv(
            uplo: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "HBMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Band((*lda).max(0) as usize, (*k).max(0) as usize),
                    *k,
                    *lda,
                    *alpha,
                    a,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($hpmv))]
        pub unsafe extern "C" fn $hpmv(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            ap: *const $t,
            x: *const $t,
            incx: *const Int,
            beta: *const $t,
            y: *mut $t,
            incy: *const Int,
        ) {
            report(concat!($p, "HPMV"), unsafe {
                l2::symv(
                    ch(uplo),
                    *n,
                    Shape::Packed,
                    0,
                    0,
                    *alpha,
                    ap,
                    x,
                    *incx,
                    *beta,
                    y,
                    *incy,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($geru))]
        pub unsafe extern "C" fn $geru(
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "GERU"), unsafe {
                l2::ger(*m, *n, *alpha, x, *incx, y, *incy, a, *lda, false, false)
            });
        }
        #[export_name = blas_symbol!(stringify!($gerc))]
        pub unsafe extern "C" fn $gerc(
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "GERC"), unsafe {
                l2::ger(*m, *n, *alpha, x, *incx, y, *incy, a, *lda, false, true)
            });
        }
        #[export_name = blas_symbol!(stringify!($her))]
        pub unsafe extern "C" fn $her(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $r,
            x: *const $t,
            incx: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "HER"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    Complex::new(*alpha, 0.0),
                    x,
                    *incx,
                    None,
                    a,
                    Shape::Full((*lda).max(0) as usize),
                    *lda,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($hpr))]
        pub unsafe extern "C" fn $hpr(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $r,
            x: *const $t,
            incx: *const Int,
            ap: *mut $t,
        ) {
            report(concat!($p, "HPR"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    Complex::new(*alpha, 0.0),
                    x,
                    *incx,
                    None,
                    ap,
                    Shape::Packed,
                    0,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($her2))]
        pub unsafe extern "C" fn $her2(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            a: *mut $t,
            lda: *const Int,
        ) {
            report(concat!($p, "HER2"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    Some((y, *incy)),
                    a,
                    Shape::Full((*lda).max(0) as usize),
                    *lda,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($hpr2))]
        pub unsafe extern "C" fn $hpr2(
            uplo: *const c_char,
            n: *const Int,
            alpha: *const $t,
            x: *const $t,
            incx: *const Int,
            y: *const $t,
            incy: *const Int,
            ap: *mut $t,
        ) {
            report(concat!($p, "HPR2"), unsafe {
                l2::syr(
                    ch(uplo),
                    *n,
                    *alpha,
                    x,
                    *incx,
                    Some((y, *incy)),
                    ap,
                    Shape::Packed,
                    0,
                    true,
                    false,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($hemm))]
        pub unsafe extern "C" fn $hemm(
            side: *const c_char,
            uplo: *const c_char,
            m: *const Int,
            n: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *const $t,
            ldb: *const Int,
            beta: *const $t,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "HEMM"), unsafe {
                l3::symm(
                    ch(side),
                    ch(uplo),
                    *m,
                    *n,
                    *alpha,
                    a,
                    *lda,
                    b,
                    *ldb,
                    *beta,
                    c,
                    *ldc,
                    true,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($herk))]
        pub unsafe extern "C" fn $herk(
            uplo: *const c_char,
            trans: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $r,
            a: *const $t,
            lda: *const Int,
            beta: *const $r,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "HERK"), unsafe {
                l3::syrk(
                    ch(uplo),
                    ch(trans),
                    *n,
                    *k,
                    Complex::new(*alpha, 0.0),
                    a,
                    *lda,
                    None,
                    Complex::new(*beta, 0.0),
                    c,
                    *ldc,
                    true,
                )
            });
        }
        #[export_name = blas_symbol!(stringify!($her2k))]
        pub unsafe extern "C" fn $her2k(
            uplo: *const c_char,
            trans: *const c_char,
            n: *const Int,
            k: *const Int,
            alpha: *const $t,
            a: *const $t,
            lda: *const Int,
            b: *const $t,
            ldb: *const Int,
            beta: *const $r,
            c: *mut $t,
            ldc: *const Int,
        ) {
            report(concat!($p, "HER2K"), unsafe {
                l3::syrk(
                    ch(uplo),
                    ch(trans),
                    *n,
                    *k,
                    *alpha,
                    a,
                    *lda,
                    Some((b, *ldb)),
                    Complex::new(*beta, 0.0),
                    c,
                    *ldc,
                    true,
                )
            });
        }
    };
}

f77_complex!(
    C32, f32, "C", crotg_, csrot_, csscal_, cdotu_, cdotc_, scnrm2_, scasum_, icamax_, chemv_,
    chbmv_, chpmv_, cgeru_, cgerc_, cher_, chpr_, cher2_, chpr2_, chemm_, cherk_, cher2k_
);
f77_complex!(
    C64, f64, "Z", zrotg_, zdrot_, zdscal_, zdotu_, zdotc_, dznrm2_, dzasum_, izamax_, zhemv_,
    zhbmv_, zhpmv_, zgeru_, zgerc_, zher_, zhpr_, zher2_, zhpr2_, zhemm_, zherk_, zher2k_
);

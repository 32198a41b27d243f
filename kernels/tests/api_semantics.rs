//! Reference semantics through the exported Fortran and CBLAS entry points, linked statically
//! (rlib): quick returns, beta = 0 / alpha = 0 rules, negative increments, row-major layouts, and
//! error reporting through a program-defined `xerbla_`/`cblas_xerbla` that overrides the
//! library's weak defaults (as the reference testers' do).
//!
//! Linux x86_64 only: elsewhere the library's handlers are strong symbols (see src/xerbla.rs) and
//! this program's own definitions would clash at link time.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod common;

use common::*;
use kernels::cblas::*;
use kernels::fortran::*;
use kernels::scalar::{Complex, Scalar, C64};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Mutex;

/// (routine name, info, RowMajorStrg at the time of the call) of every reported error.
static CALLS: Mutex<Vec<(String, i32, i32)>> = Mutex::new(Vec::new());
/// Tests that look at CALLS run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// This program's own `xerbla_`: a strong definition, so the linker prefers it to the library's
/// weak one.
///
/// # Safety
/// Called by the library with a valid name buffer of `len` bytes and a valid `info`.
#[no_mangle]
pub unsafe extern "C" fn xerbla_(srname: *const c_char, info: *const c_int, len: usize) {
    // SAFETY: the library passes a CHARACTER buffer with its length and an INTEGER.
    let name = unsafe { std::slice::from_raw_parts(srname as *const u8, len) };
    let name = String::from_utf8_lossy(name).into_owned();
    let info = unsafe { *info };
    let row = unsafe { kernels::xerbla::RowMajorStrg };
    CALLS.lock().unwrap().push((name, info, row));
}

/// This program's own `cblas_xerbla` (variadic in C; the extra arguments are ignored here).
///
/// # Safety
/// Called by the library with a NUL-terminated routine name.
#[no_mangle]
pub unsafe extern "C" fn cblas_xerbla(info: c_int, rout: *const c_char, _form: *const c_char) {
    // SAFETY: NUL-terminated routine name.
    let name = unsafe { CStr::from_ptr(rout) }
        .to_string_lossy()
        .into_owned();
    let row = unsafe { kernels::xerbla::RowMajorStrg };
    CALLS.lock().unwrap().push((name, info, row));
}

fn take_calls() -> Vec<(String, i32, i32)> {
    std::mem::take(&mut *CALLS.lock().unwrap())
}

const COL: c_int = 102;
const ROW: c_int = 101;
const NOTRANS: c_int = 111;

#[allow(clippy::too_many_arguments)]
unsafe fn f_dgemm(
    ta: &CStr,
    tb: &CStr,
    m: i32,
    n: i32,
    k: i32,
    alpha: f64,
    a: &[f64],
    lda: i32,
    b: &[f64],
    ldb: i32,
    beta: f64,
    c: &mut [f64],
    ldc: i32,
) {
    unsafe {
        dgemm_(
            ta.as_ptr(),
            tb.as_ptr(),
            &m,
            &n,
            &k,
            &alpha,
            a.as_ptr(),
            &lda,
            b.as_ptr(),
            &ldb,
            &beta,
            c.as_mut_ptr(),
            &ldc,
        )
    }
}

#[test]
fn fortran_errors_reach_the_programs_xerbla() {
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    take_calls();
    let a = [1.0f64; 16];
    let mut c = [0.0f64; 16];
    unsafe {
        f_dgemm(c"X", c"N", 2, 2, 2, 1.0, &a, 2, &a, 2, 0.0, &mut c, 2);
        f_dgemm(c"N", c"N", 2, 2, 2, 1.0, &a, 1, &a, 2, 0.0, &mut c, 2);
        f_dgemm(c"n", c"t", 2, 2, 2, 1.0, &a, 2, &a, 1, 0.0, &mut c, 2);
        f_dgemm(c"N", c"N", 2, -1, 2, 1.0, &a, 2, &a, 2, 0.0, &mut c, 2);
        let z = [Complex::new(0.0, 0.0); 16];
        let mut zc = z;
        let (n, k, lda, ldc, one) = (2, 2, 2, 2, 1.0f64);
        zherk_(
            c"U".as_ptr(),
            c"T".as_ptr(),
            &n,
            &k,
            &one,
            z.as_ptr(),
            &lda,
            &one,
            zc.as_mut_ptr(),
            &ldc,
        );
        let (m, inc0) = (2, 0);
        dgemv_(
            c"N".as_ptr(),
            &m,
            &m,
            &one,
            a.as_ptr(),
            &m,
            a.as_ptr(),
            &inc0,
            &one,
            c.as_mut_ptr(),
            &m,
        );
        let kneg = -1;
        ctbsv_(
            c"L".as_ptr(),
            c"N".as_ptr(),
            c"N".as_ptr(),
            &m,
            &kneg,
            [Complex::new(0f32, 0f32); 4].as_ptr(),
            &m,
            [Complex::new(0f32, 0f32); 4].as_mut_ptr(),
            &m,
        );
    }
    let calls = take_calls();
    let got: Vec<(&str, i32)> = calls.iter().map(|(n, i, _)| (n.as_str(), *i)).collect();
    assert_eq!(
        got,
        vec![
            ("DGEMM ", 1),
            ("DGEMM ", 8),
            ("DGEMM ", 10),
            ("DGEMM ", 4),
            ("ZHERK ", 2),
            ("DGEMV ", 8),
            ("CTBSV ", 5)
        ]
    );
    // Nothing was computed on error.
    assert!(c.iter().all(|&v| v == 0.0));
}

#[test]
fn cblas_errors_report_name_position_and_layout() {
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    take_calls();
    let a = [1.0f64; 16];
    let mut c = [0.0f64; 16];
    unsafe {
        // Bad layout, bad TransA.
        cblas_dgemm(
            7,
            NOTRANS,
            NOTRANS,
            2,
            2,
            2,
            1.0,
            a.as_ptr(),
            2,
            a.as_ptr(),
            2,
            0.0,
            c.as_mut_ptr(),
            2,
        );
        cblas_dgemm(
            COL,
            0,
            NOTRANS,
            2,
            2,
            2,
            1.0,
            a.as_ptr(),
            2,
            a.as_ptr(),
            2,
            0.0,
            c.as_mut_ptr(),
            2,
        );
        // Column-major lda too small: argument 9.
        cblas_dgemm(
            COL,
            NOTRANS,
            NOTRANS,
            4,
            3,
            2,
            1.0,
            a.as_ptr(),
            1,
            a.as_ptr(),
            2,
            0.0,
            c.as_mut_ptr(),
            4,
        );
        // Row-major lda too small: reported like the reference (the swapped call's ldb, 11),
        // with RowMajorStrg set so that cblas_xerbla can map it back to 9.
        cblas_dgemm(
            ROW,
            NOTRANS,
            NOTRANS,
            4,
            3,
            2,
            1.0,
            a.as_ptr(),
            1,
            a.as_ptr(),
            3,
            0.0,
            c.as_mut_ptr(),
            3,
        );
    }
    let calls = take_calls();
    assert_eq!(
        calls,
        vec![
            ("cblas_dgemm".to_string(), 1, 0),
            ("cblas_dgemm".to_string(), 2, 0),
            ("cblas_dgemm".to_string(), 9, 0),
            ("cblas_dgemm".to_string(), 11, 1),
        ]
    );
    assert_eq!(kernels::xerbla::remap_row_major("cblas_dgemm", 11), 9);
    // The globals are cleared after the call.
    let (row, from_c) = unsafe {
        (
            kernels::xerbla::RowMajorStrg,
            kernels::xerbla::CBLAS_CallFromC,
        )
    };
    assert_eq!((row, from_c), (0, 0));
    assert!(c.iter().all(|&v| v == 0.0));
}

#[test]
fn gemm_beta_zero_overwrites_and_alpha_zero_skips_the_product() {
    let a = [1.0, 2.0, 3.0, 4.0];
    let nan_a = [f64::NAN; 4];
    unsafe {
        let mut c = [f64::NAN; 4];
        f_dgemm(c"N", c"N", 2, 2, 2, 1.0, &a, 2, &a, 2, 0.0, &mut c, 2);
        assert_eq!(c, [7.0, 10.0, 15.0, 22.0]);
        // alpha = 0: A and B are not used (NaN must not propagate), C := beta*C.
        let mut c = [1.0, 2.0, 3.0, 4.0];
        f_dgemm(
            c"N", c"N", 2, 2, 2, 0.0, &nan_a, 2, &nan_a, 2, 2.0, &mut c, 2,
        );
        assert_eq!(c, [2.0, 4.0, 6.0, 8.0]);
        // alpha = 0 and beta = 0: zeros even over NaN.
        let mut c = [f64::NAN; 4];
        f_dgemm(
            c"N", c"N", 2, 2, 2, 0.0, &nan_a, 2, &nan_a, 2, 0.0, &mut c, 2,
        );
        assert_eq!(c, [0.0; 4]);
        // k = 0 with beta = 1: quick return, C untouched.
        let mut c = [f64::NAN, 1.0, 2.0, 3.0];
        f_dgemm(c"N", c"N", 2, 2, 0, 1.0, &a, 2, &a, 1, 1.0, &mut c, 2);
        assert!(c[0].is_nan() && c[1..] == [1.0, 2.0, 3.0]);
        // m = 0: nothing touched.
        let mut c = [5.0; 4];
        f_dgemm(c"N", c"N", 0, 2, 2, 1.0, &a, 1, &a, 2, 0.0, &mut c, 1);
        assert_eq!(c, [5.0; 4]);
    }
}

#[test]
fn level1_negative_increments_and_edges() {
    unsafe {
        let x = [1.0f64, 2.0, 3.0];
        let mut y = [0.0f64; 3];
        let (n, m1, p1, alpha) = (3, -1, 1, 1.0);
        daxpy_(&n, &alpha, x.as_ptr(), &m1, y.as_mut_ptr(), &p1);
        assert_eq!(y, [3.0, 2.0, 1.0]);
        let d = ddot_(&n, x.as_ptr(), &m1, x.as_ptr(), &p1);
        assert_eq!(d, 3.0 + 4.0 + 3.0);
        // nrm2 does not overflow.
        let big = [1e300f64, 1e300];
        let two = 2;
        let r = dnrm2_(&two, big.as_ptr(), &p1);
        assert!((r / (2f64.sqrt() * 1e300) - 1.0).abs() < 1e-15, "{r}");
        let tiny = [1e-300f64, 1e-300];
        let r = dnrm2_(&two, tiny.as_ptr(), &p1);
        assert!((r / (2f64.sqrt() * 1e-300) - 1.0).abs() < 1e-15, "{r}");
        // iamax: 1-based in Fortran, 0-based in CBLAS, first maximum wins, 0 for n = 0.
        let v = [1.0f64, -5.0, 5.0];
        assert_eq!(idamax_(&n, v.as_ptr(), &p1), 2);
        assert_eq!(cblas_idamax(3, v.as_ptr(), 1), 1);
        let zero = 0;
        assert_eq!(idamax_(&zero, v.as_ptr(), &p1), 0);
        let z = [Complex::new(1.0f64, 1.0), Complex::new(-3.0, 0.5)];
        assert_eq!(cblas_izamax(2, z.as_ptr(), 1), 1);
        // Complex dot products returned by value (Fortran) and through a pointer (CBLAS).
        let zd = zdotc_(&two, z.as_ptr(), &p1, z.as_ptr(), &p1);
        assert_eq!(zd, Complex::new(2.0 + 9.25, 0.0));
        let mut out = Complex::new(0.0, 0.0);
        cblas_zdotu_sub(2, z.as_ptr(), 1, z.as_ptr(), 1, &mut out);
        assert_eq!(out, Complex::new(0.0 + 8.75, 2.0 - 3.0));
        // scal ignores non-positive increments.
        let mut w = [1.0f64, 2.0];
        dscal_(&two, &2.0, w.as_mut_ptr(), &m1);
        assert_eq!(w, [1.0, 2.0]);
    }
}

#[test]
fn gemv_negative_increments() {
    // y := A*x + y with x and y walked backwards.
    let a = [1.0f64, 2.0, 3.0, 4.0]; // [[1, 3], [2, 4]]
    let x = [10.0f64, 0.0, 1.0]; // logical x = (1, 10) with incx = -2
    let mut y = [0.0f64, 0.0];
    let (two, m2, m1, one) = (2, -2, -1, 1.0);
    unsafe {
        dgemv_(
            c"N".as_ptr(),
            &two,
            &two,
            &one,
            a.as_ptr(),
            &two,
            x.as_ptr(),
            &m2,
            &0.0,
            y.as_mut_ptr(),
            &m1,
        )
    };
    // A*(1, 10) = (31, 42), stored backwards in y.
    assert_eq!(y, [42.0, 31.0]);
}

/// Row-major CBLAS GEMM equals column-major GEMM of the transposed problem, on sizes that
/// cross the blocking.
#[test]
fn row_major_gemm_matches_column_major() {
    let mut r = Rng::new(7);
    let (m, n, k) = (37usize, 29usize, 300usize);
    let a: Vec<C64> = rand_vec(&mut r, m * k);
    let b: Vec<C64> = rand_vec(&mut r, k * n);
    let alpha = Complex::new(0.5, -1.0);
    let beta = Complex::new(0.0, 0.0);
    // Row-major C (m x n) = A (m x k, row-major) * B (k x n, row-major).
    let mut c_row = vec![Complex::new(f64::NAN, 0.0); m * n];
    // Column-major: C^T = B^T A^T where the row-major arrays are the column-major transposes.
    let mut c_col = vec![Complex::new(0.0, 0.0); m * n];
    unsafe {
        cblas_zgemm(
            ROW,
            NOTRANS,
            NOTRANS,
            m as i32,
            n as i32,
            k as i32,
            &alpha as *const C64 as *const c_void,
            a.as_ptr(),
            k as i32,
            b.as_ptr(),
            n as i32,
            &beta as *const C64 as *const c_void,
            c_row.as_mut_ptr(),
            n as i32,
        );
        cblas_zgemm(
            COL,
            NOTRANS,
            NOTRANS,
            n as i32,
            m as i32,
            k as i32,
            &alpha as *const C64 as *const c_void,
            b.as_ptr(),
            n as i32,
            a.as_ptr(),
            k as i32,
            &beta as *const C64 as *const c_void,
            c_col.as_mut_ptr(),
            n as i32,
        );
    }
    let want: Vec<C64> = c_col.clone();
    assert_close(&c_row, &want, k, "row-major zgemm");
    // And against a direct sum for one element.
    let (i, j) = (m - 1, n - 1);
    let mut s = c(0.0, 0.0);
    for l in 0..k {
        s += a[i * k + l] * b[l * n + j];
    }
    assert_close(&c_row[i * n + j..i * n + j + 1], &[alpha * s], k, "element");
}

/// herk/syrk agree with GEMM on the stored triangle and leave the other one alone; trsm undoes
/// trmm. Sizes cross the blocking (n > MC, k > KC).
#[test]
fn level3_structured_routines_agree_with_gemm() {
    let mut r = Rng::new(11);
    let (n, k) = (75usize, 260usize);
    let a: Vec<C64> = rand_vec(&mut r, n * k);
    let (ni, ki) = (n as i32, k as i32);
    for uplo in [c"U", c"L"] {
        let mut ch: Vec<C64> = rand_vec(&mut r, n * n);
        let orig = ch.clone();
        let mut full = vec![Complex::new(0.0, 0.0); n * n];
        let (alpha, beta) = (0.75f64, 0.5f64);
        unsafe {
            zherk_(
                uplo.as_ptr(),
                c"N".as_ptr(),
                &ni,
                &ki,
                &alpha,
                a.as_ptr(),
                &ni,
                &beta,
                ch.as_mut_ptr(),
                &ni,
            );
            let (al, zero) = (Complex::new(alpha, 0.0), Complex::new(0.0, 0.0));
            zgemm_(
                c"N".as_ptr(),
                c"C".as_ptr(),
                &ni,
                &ni,
                &ki,
                &al,
                a.as_ptr(),
                &ni,
                a.as_ptr(),
                &ni,
                &zero,
                full.as_mut_ptr(),
                &ni,
            );
        }
        let upper = uplo == c"U";
        for j in 0..n {
            for i in 0..n {
                let idx = i + j * n;
                let stored = if upper { i <= j } else { i >= j };
                if !stored {
                    assert_eq!(ch[idx], orig[idx], "other triangle untouched");
                    continue;
                }
                let mut want = full[idx] + orig[idx].scale(beta);
                if i == j {
                    want = Complex::new(full[idx].re + beta * orig[idx].re, 0.0);
                }
                assert_close(&ch[idx..idx + 1], &[want], k, "zherk");
            }
        }
    }
    // trsm(trmm(B)) == B for a well-conditioned triangular A, all sides/uplos/transposes.
    let m = 70usize;
    let mut tri: Vec<C64> = rand_vec(&mut r, m * m);
    for i in 0..m {
        tri[i + i * m] = Complex::new(4.0, 1.0);
    }
    for side in [c"L", c"R"] {
        for uplo in [c"U", c"L"] {
            for trans in [c"N", c"T", c"C"] {
                for diag in [c"N", c"U"] {
                    let nb = 9usize;
                    let (rows, cols) = if side == c"L" { (m, nb) } else { (nb, m) };
                    let b0: Vec<C64> = rand_vec(&mut r, rows * cols);
                    let mut b = b0.clone();
                    let (ri, ci, mi) = (rows as i32, cols as i32, m as i32);
                    let alpha = Complex::new(2.0, 0.0);
                    let inv = Complex::new(0.5, 0.0);
                    unsafe {
                        ztrmm_(
                            side.as_ptr(),
                            uplo.as_ptr(),
                            trans.as_ptr(),
                            diag.as_ptr(),
                            &ri,
                            &ci,
                            &alpha,
                            tri.as_ptr(),
                            &mi,
                            b.as_mut_ptr(),
                            &ri,
                        );
                        ztrsm_(
                            side.as_ptr(),
                            uplo.as_ptr(),
                            trans.as_ptr(),
                            diag.as_ptr(),
                            &ri,
                            &ci,
                            &inv,
                            tri.as_ptr(),
                            &mi,
                            b.as_mut_ptr(),
                            &ri,
                        );
                    }
                    let want: Vec<C64> = b0.to_vec();
                    let what = format!("ztrsm(ztrmm) {side:?} {uplo:?} {trans:?} {diag:?}");
                    // Unit-diagonal random triangles are ill-conditioned: compare loosely.
                    let terms = if diag == c"U" { 1_000_000 } else { 4 * m };
                    assert_close(&b, &want, terms, &what);
                }
            }
        }
    }
}

/// trmm multiplies only the stored triangle: an Inf in B may not meet a structural zero of A
/// (which would make NaN where the reference gives a number). Sizes cross the diagonal block.
#[test]
fn trmm_never_multiplies_the_unstored_triangle() {
    let m = 130usize;
    let mut a = vec![f64::NAN; m * m]; // the unstored triangle is garbage on purpose
    for j in 0..m {
        for i in 0..=j {
            a[i + j * m] = 1.0 / (1.0 + (i + j) as f64);
        }
    }
    let n = 3usize;
    // Left, upper, no transpose: row i of the result uses B rows i..m only. Put Inf in row 0.
    let mut b = vec![1.0f64; m * n];
    b[0] = f64::INFINITY;
    let (mi, ni, one) = (m as i32, n as i32, 1.0f64);
    unsafe {
        dtrmm_(
            c"L".as_ptr(),
            c"U".as_ptr(),
            c"N".as_ptr(),
            c"N".as_ptr(),
            &mi,
            &ni,
            &one,
            a.as_ptr(),
            &mi,
            b.as_mut_ptr(),
            &mi,
        )
    };
    assert!(b[0].is_infinite());
    for (idx, v) in b.iter().enumerate().skip(1) {
        assert!(v.is_finite(), "element {idx} = {v}");
    }
    // Check a value: row 1, column 1 = sum_{l>=1} a(1, l).
    let want: f64 = (1..m).map(|l| a[1 + l * m]).sum();
    assert!((b[1 + m] - want).abs() < 1e-12);
    // Right side, upper, transposed: B := B * A^T, A^T lower, so result column j uses B columns
    // j..m: an Inf in column 0 may reach result column 0 only.
    let mut b = vec![1.0f64; n * m];
    b[0] = f64::INFINITY;
    unsafe {
        dtrmm_(
            c"R".as_ptr(),
            c"U".as_ptr(),
            c"T".as_ptr(),
            c"N".as_ptr(),
            &ni,
            &mi,
            &one,
            a.as_ptr(),
            &mi,
            b.as_mut_ptr(),
            &ni,
        )
    };
    for j in 0..m {
        for i in 0..n {
            let v = b[i + j * n];
            if i == 0 && j == 0 {
                assert!(v.is_infinite(), "({i},{j}) = {v}");
            } else {
                assert!(v.is_finite(), "({i},{j}) = {v}");
            }
        }
    }
}

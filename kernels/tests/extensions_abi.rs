//! The OpenBLAS extensions through their exported Fortran and CBLAS entry points (the wrappers
//! generated from the interface table): both ABIs agree with each other and with the kernels,
//! row-major CBLAS calls are the column-major product of the swapped operands, and argument
//! errors reach the program's own `xerbla_`/`cblas_xerbla` with the routine's name and the
//! position in the caller's argument list.
//!
//! Linux x86_64 only, as api_semantics: elsewhere the library's error handlers are strong
//! symbols and this program's own definitions would clash at link time.
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use kernels::cblas::*;
use kernels::fortran::*;
use kernels::scalar::{Complex, C64};
use kernels::Int;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::Mutex;

/// (routine name, position) of every reported error.
static ERRORS: Mutex<Vec<(String, i32)>> = Mutex::new(Vec::new());
/// Tests that look at ERRORS run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// This program's `xerbla_`, preferred by the linker to the library's weak one.
///
/// # Safety
/// Called by the library with a valid name buffer of `len` bytes and a valid `info`.
#[no_mangle]
pub unsafe extern "C" fn xerbla_(srname: *const c_char, info: *const c_int, len: usize) {
    // SAFETY: the library passes a CHARACTER buffer with its length and an INTEGER.
    let name = unsafe { std::slice::from_raw_parts(srname as *const u8, len) };
    let name = String::from_utf8_lossy(name).trim().to_string();
    ERRORS.lock().unwrap().push((name, unsafe { *info }));
}

/// This program's `cblas_xerbla` (variadic in C; the extra arguments are ignored).
///
/// # Safety
/// Called by the library with a NUL-terminated routine name.
#[no_mangle]
pub unsafe extern "C" fn cblas_xerbla(info: c_int, rout: *const c_char, _form: *const c_char) {
    // SAFETY: NUL-terminated routine name.
    let name = unsafe { CStr::from_ptr(rout) }
        .to_string_lossy()
        .into_owned();
    ERRORS.lock().unwrap().push((name, info));
}

fn take_errors() -> Vec<(String, i32)> {
    std::mem::take(&mut *ERRORS.lock().unwrap())
}

const ROW: c_int = 101;
const COL: c_int = 102;
const NOTRANS: c_int = 111;
const TRANS: c_int = 112;
const CONJTRANS: c_int = 113;
const CONJNOTRANS: c_int = 114;

/// Deterministic test values.
fn values(n: usize, seed: u64) -> Vec<f64> {
    (0..n)
        .map(|i| (((i as u64 + 1) * (seed * 2 + 7919)) % 97) as f64 / 13.0 - 3.5)
        .collect()
}

fn complex_values(n: usize, seed: u64) -> Vec<C64> {
    let re = values(n, seed);
    let im = values(n, seed + 1);
    re.into_iter()
        .zip(im)
        .map(|(r, i)| Complex::new(r, i))
        .collect()
}

#[test]
fn axpby_is_the_same_through_both_abis() {
    let x = values(7, 1);
    let y0 = values(7, 2);
    let (mut y_c, mut y_f) = (y0.clone(), y0.clone());
    let (n, incx, incy, alpha, beta) = (7 as Int, 1 as Int, 1 as Int, 1.5, -0.5);
    unsafe {
        cblas_daxpby(n, alpha, x.as_ptr(), incx, beta, y_c.as_mut_ptr(), incy);
        daxpby_(
            &n,
            &alpha,
            x.as_ptr(),
            &incx,
            &beta,
            y_f.as_mut_ptr(),
            &incy,
        );
    }
    for i in 0..7 {
        assert_eq!(
            y_c[i],
            alpha * x[i] + beta * y0[i],
            "cblas_daxpby element {i}"
        );
    }
    assert_eq!(y_c, y_f, "daxpby_ = cblas_daxpby");
    // Complex scalars through their pointers.
    let zx = complex_values(4, 3);
    let zy0 = complex_values(4, 4);
    let mut zy = zy0.clone();
    let (za, zb) = (Complex::new(0.5, 1.0), Complex::new(-1.0, 0.25));
    let n4 = 4 as Int;
    unsafe {
        cblas_zaxpby(
            n4,
            (&za as *const C64).cast::<c_void>(),
            zx.as_ptr().cast(),
            1,
            (&zb as *const C64).cast::<c_void>(),
            zy.as_mut_ptr().cast(),
            1,
        )
    };
    for i in 0..4 {
        assert_eq!(zy[i], za * zx[i] + zb * zy0[i], "cblas_zaxpby element {i}");
    }
}

#[test]
fn omatcopy_row_major_is_the_column_major_copy_of_the_transpose_shape() {
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    take_errors();
    // A row-major 2 x 3 (lda 3) transposed: B is row-major 3 x 2 (ldb 2).
    let a = values(6, 5);
    let mut b = vec![0.0; 6];
    let (rows, cols, lda, ldb) = (2 as Int, 3 as Int, 3 as Int, 2 as Int);
    unsafe {
        cblas_domatcopy(
            ROW,
            TRANS,
            rows,
            cols,
            2.0,
            a.as_ptr(),
            lda,
            b.as_mut_ptr(),
            ldb,
        )
    };
    for i in 0..2 {
        for j in 0..3 {
            assert_eq!(b[j * 2 + i], 2.0 * a[i * 3 + j], "B({j},{i})");
        }
    }
    // The Fortran entry point with the same layout as characters gives the same bits.
    let mut bf = vec![0.0; 6];
    let two = 2.0;
    unsafe {
        domatcopy_(
            c"R".as_ptr(),
            c"T".as_ptr(),
            &rows,
            &cols,
            &two,
            a.as_ptr(),
            &lda,
            bf.as_mut_ptr(),
            &ldb,
        )
    };
    assert_eq!(b, bf, "domatcopy_ = cblas_domatcopy");
    // Complex conjugation without transposition (CblasConjNoTrans / 'R'), in place.
    let z0 = complex_values(6, 6);
    let mut z = z0.clone();
    let one = Complex::new(1.0, 0.0);
    let (r3, c2, ld3) = (3 as Int, 2 as Int, 3 as Int);
    unsafe {
        cblas_zimatcopy(
            COL,
            CONJNOTRANS,
            r3,
            c2,
            (&one as *const C64).cast(),
            z.as_mut_ptr().cast(),
            ld3,
            ld3,
        )
    };
    for (got, was) in z.iter().zip(&z0) {
        assert_eq!(*got, Complex::new(was.re, -was.im));
    }
    let mut zf = z0.clone();
    unsafe {
        zimatcopy_(
            c"C".as_ptr(),
            c"R".as_ptr(),
            &r3,
            &c2,
            &one,
            zf.as_mut_ptr(),
            &ld3,
            &ld3,
        )
    };
    assert_eq!(z, zf, "zimatcopy_ = cblas_zimatcopy");
    // Conjugate transpose of the same matrix out of place.
    let mut zt = vec![Complex::new(0.0, 0.0); 6];
    let c2ld = 2 as Int;
    unsafe {
        cblas_zomatcopy(
            COL,
            CONJTRANS,
            r3,
            c2,
            (&one as *const C64).cast(),
            z0.as_ptr().cast(),
            ld3,
            zt.as_mut_ptr().cast(),
            c2ld,
        )
    };
    for i in 0..3 {
        for j in 0..2 {
            let a = z0[i + j * 3];
            assert_eq!(zt[j + i * 2], Complex::new(a.re, -a.im), "B({j},{i})");
        }
    }
    assert!(take_errors().is_empty());
}

#[test]
fn geadd_row_major_and_column_major_agree() {
    // A 2 x 3 row-major sum is the 3 x 2 column-major one on the same memory.
    let a = values(6, 7);
    let c0 = values(6, 8);
    let (mut c_row, mut c_col, mut c_f) = (c0.clone(), c0.clone(), c0.clone());
    let (two, three, alpha, beta) = (2 as Int, 3 as Int, 0.5, 2.0);
    unsafe {
        cblas_dgeadd(
            ROW,
            two,
            three,
            alpha,
            a.as_ptr(),
            three,
            beta,
            c_row.as_mut_ptr(),
            three,
        );
        cblas_dgeadd(
            COL,
            three,
            two,
            alpha,
            a.as_ptr(),
            three,
            beta,
            c_col.as_mut_ptr(),
            three,
        );
        dgeadd_(
            &three,
            &two,
            &alpha,
            a.as_ptr(),
            &three,
            &beta,
            c_f.as_mut_ptr(),
            &three,
        );
    }
    for i in 0..6 {
        assert_eq!(c_row[i], alpha * a[i] + beta * c0[i], "element {i}");
    }
    assert_eq!(c_row, c_col);
    assert_eq!(c_col, c_f, "dgeadd_ = cblas_dgeadd");
}

/// Two groups of products in both layouts, each checked bit for bit against `cblas_dgemm` on
/// the same operands.
#[test]
fn gemm_batch_matches_one_gemm_per_product_in_both_layouts() {
    for order in [COL, ROW] {
        // Group 0: 2 products, 4x3 = A(4x5) B(5x3); group 1: 1 product, transposed A.
        let transa = [NOTRANS, TRANS];
        let transb = [NOTRANS, NOTRANS];
        let (m, n, k) = ([4 as Int, 3], [3 as Int, 2], [5 as Int, 4]);
        // Leading dimensions large enough for either layout.
        let (lda, ldb, ldc) = ([5 as Int, 4], [5 as Int, 4], [4 as Int, 3]);
        let (alpha, beta) = ([1.5, -1.0], [0.0, 0.5]);
        let sizes = [2 as Int, 1];
        let a: Vec<Vec<f64>> = (0..3).map(|p| values(25, 10 + p)).collect();
        let b: Vec<Vec<f64>> = (0..3).map(|p| values(25, 20 + p)).collect();
        let c0: Vec<Vec<f64>> = (0..3).map(|p| values(16, 30 + p)).collect();
        let mut c = c0.clone();
        let a_ptrs: Vec<*const f64> = a.iter().map(|v| v.as_ptr()).collect();
        let b_ptrs: Vec<*const f64> = b.iter().map(|v| v.as_ptr()).collect();
        let c_ptrs: Vec<*mut f64> = c.iter_mut().map(|v| v.as_mut_ptr()).collect();
        unsafe {
            cblas_dgemm_batch(
                order,
                transa.as_ptr(),
                transb.as_ptr(),
                m.as_ptr(),
                n.as_ptr(),
                k.as_ptr(),
                alpha.as_ptr(),
                a_ptrs.as_ptr(),
                lda.as_ptr(),
                b_ptrs.as_ptr(),
                ldb.as_ptr(),
                beta.as_ptr(),
                c_ptrs.as_ptr(),
                ldc.as_ptr(),
                2,
                sizes.as_ptr(),
            )
        };
        for (p, group) in [0usize, 0, 1].into_iter().enumerate() {
            let mut want = c0[p].clone();
            unsafe {
                cblas_dgemm(
                    order,
                    transa[group],
                    transb[group],
                    m[group],
                    n[group],
                    k[group],
                    alpha[group],
                    a[p].as_ptr(),
                    lda[group],
                    b[p].as_ptr(),
                    ldb[group],
                    beta[group],
                    want.as_mut_ptr(),
                    ldc[group],
                )
            };
            assert_eq!(c[p], want, "order {order}: product {p}");
        }
        // The Fortran entry point (column-major, characters) agrees with the CBLAS one.
        if order == COL {
            let mut cf = c0.clone();
            let cf_ptrs: Vec<*mut f64> = cf.iter_mut().map(|v| v.as_mut_ptr()).collect();
            let (ta, tb) = (*b"NT", *b"NN");
            let groups = 2 as Int;
            unsafe {
                dgemm_batch_(
                    ta.as_ptr().cast(),
                    tb.as_ptr().cast(),
                    m.as_ptr(),
                    n.as_ptr(),
                    k.as_ptr(),
                    alpha.as_ptr(),
                    a_ptrs.as_ptr(),
                    lda.as_ptr(),
                    b_ptrs.as_ptr(),
                    ldb.as_ptr(),
                    beta.as_ptr(),
                    cf_ptrs.as_ptr(),
                    ldc.as_ptr(),
                    &groups,
                    sizes.as_ptr(),
                )
            };
            assert_eq!(cf, c, "dgemm_batch_ = cblas_dgemm_batch");
        }
    }
}

#[test]
fn gemm_batch_strided_is_a_loop_of_gemms_in_both_layouts() {
    for order in [COL, ROW] {
        let (m, n, k, count) = (3 as Int, 4 as Int, 2 as Int, 3 as Int);
        let (lda, ldb, ldc) = (4 as Int, 4 as Int, 4 as Int);
        let (sa, sb, sc) = (0 as Int, 17 as Int, 19 as Int);
        let a = values(16, 40);
        let b = values(17 * 3, 41);
        let c0 = values(19 * 3, 42);
        let mut c = c0.clone();
        let (alpha, beta) = (0.75, 1.0);
        unsafe {
            cblas_dgemm_batch_strided(
                order,
                NOTRANS,
                TRANS,
                m,
                n,
                k,
                alpha,
                a.as_ptr(),
                lda,
                sa,
                b.as_ptr(),
                ldb,
                sb,
                beta,
                c.as_mut_ptr(),
                ldc,
                sc,
                count,
            )
        };
        let mut want = c0.clone();
        for p in 0..3usize {
            unsafe {
                cblas_dgemm(
                    order,
                    NOTRANS,
                    TRANS,
                    m,
                    n,
                    k,
                    alpha,
                    a.as_ptr(),
                    lda,
                    b[p * 17..].as_ptr(),
                    ldb,
                    beta,
                    want[p * 19..].as_mut_ptr(),
                    ldc,
                )
            };
        }
        assert_eq!(c, want, "order {order}");
    }
}

#[test]
fn extension_errors_carry_the_callers_positions() {
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    take_errors();
    let a = [1.0f64; 16];
    let mut b = [0.0f64; 16];
    let (two, one, minus) = (2 as Int, 1 as Int, -1 as Int);
    let alpha = 1.0;
    unsafe {
        // Bad order (1), bad trans (2), ldb too small for a transposed 2 x 3 (9).
        cblas_domatcopy(
            7,
            NOTRANS,
            two,
            two,
            1.0,
            a.as_ptr(),
            two,
            b.as_mut_ptr(),
            two,
        );
        domatcopy_(
            c"C".as_ptr(),
            c"X".as_ptr(),
            &two,
            &two,
            &alpha,
            a.as_ptr(),
            &two,
            b.as_mut_ptr(),
            &two,
        );
        let three = 3 as Int;
        domatcopy_(
            c"C".as_ptr(),
            c"T".as_ptr(),
            &two,
            &three,
            &alpha,
            a.as_ptr(),
            &two,
            b.as_mut_ptr(),
            &two,
        );
        // imatcopy: lda (7).
        cblas_dimatcopy(COL, NOTRANS, two, two, 1.0, b.as_mut_ptr(), one, two);
        // geadd: Fortran cols (2); CBLAS row-major lda < cols (5 + 1).
        dgeadd_(
            &two,
            &minus,
            &alpha,
            a.as_ptr(),
            &two,
            &alpha,
            b.as_mut_ptr(),
            &two,
        );
        cblas_dgeadd(
            ROW,
            two,
            three,
            1.0,
            a.as_ptr(),
            two,
            1.0,
            b.as_mut_ptr(),
            three,
        );
        // gemm_batch: a negative group count (CBLAS 15, Fortran 14).
        let none: [Int; 0] = [];
        let no_trans: [c_int; 0] = [];
        let no_scalars: [f64; 0] = [];
        let no_ptrs: [*const f64; 0] = [];
        let no_out: [*mut f64; 0] = [];
        cblas_dgemm_batch(
            COL,
            no_trans.as_ptr(),
            no_trans.as_ptr(),
            none.as_ptr(),
            none.as_ptr(),
            none.as_ptr(),
            no_scalars.as_ptr(),
            no_ptrs.as_ptr(),
            none.as_ptr(),
            no_ptrs.as_ptr(),
            none.as_ptr(),
            no_scalars.as_ptr(),
            no_out.as_ptr(),
            none.as_ptr(),
            minus,
            none.as_ptr(),
        );
        dgemm_batch_(
            c"".as_ptr(),
            c"".as_ptr(),
            none.as_ptr(),
            none.as_ptr(),
            none.as_ptr(),
            no_scalars.as_ptr(),
            no_ptrs.as_ptr(),
            none.as_ptr(),
            no_ptrs.as_ptr(),
            none.as_ptr(),
            no_scalars.as_ptr(),
            no_out.as_ptr(),
            none.as_ptr(),
            &minus,
            none.as_ptr(),
        );
        // gemm_batch_strided: ldc (Fortran 15) and a negative count (17).
        let zero = 0 as Int;
        dgemm_batch_strided_(
            c"N".as_ptr(),
            c"N".as_ptr(),
            &two,
            &two,
            &two,
            &alpha,
            a.as_ptr(),
            &two,
            &zero,
            a.as_ptr(),
            &two,
            &zero,
            &alpha,
            b.as_mut_ptr(),
            &one,
            &zero,
            &one,
        );
        dgemm_batch_strided_(
            c"N".as_ptr(),
            c"N".as_ptr(),
            &two,
            &two,
            &two,
            &alpha,
            a.as_ptr(),
            &two,
            &zero,
            a.as_ptr(),
            &two,
            &zero,
            &alpha,
            b.as_mut_ptr(),
            &two,
            &zero,
            &minus,
        );
    }
    let errors = take_errors();
    let expected: Vec<(String, i32)> = [
        ("cblas_domatcopy", 1),
        ("DOMATCOPY", 2),
        ("DOMATCOPY", 9),
        ("cblas_dimatcopy", 7),
        ("DGEADD", 2),
        ("cblas_dgeadd", 6),
        ("cblas_dgemm_batch", 15),
        ("DGEMM_BATCH", 14),
        ("DGEMM_BATCH_STRIDED", 15),
        ("DGEMM_BATCH_STRIDED", 17),
    ]
    .iter()
    .map(|(n, p)| (n.to_string(), *p))
    .collect();
    assert_eq!(errors, expected);
    assert!(b.iter().all(|&v| v == 0.0), "nothing written on error");
}

#[test]
fn openblas_thread_calls_are_the_librarys_own() {
    use kernels::arch::*;
    let before = blastool_get_num_threads();
    openblas_set_num_threads(3);
    assert_eq!(blastool_get_num_threads(), 3);
    assert_eq!(openblas_get_num_threads(), 3);
    blastool_set_num_threads(2);
    assert_eq!(openblas_get_num_threads(), 2);
    blastool_set_num_threads(before);
}

/// gemmtr/gemmt write only their triangle, exactly what `cblas_dgemm` computes there, in both
/// layouts; the Fortran names agree with CBLAS.
#[test]
fn gemmtr_is_gemm_restricted_to_one_triangle_in_both_layouts() {
    const UPPER: c_int = 121;
    const LOWER: c_int = 122;
    let (n, k, ld) = (5usize, 3usize, 6usize);
    let a = values(ld * ld, 50);
    let b = values(ld * ld, 51);
    let c0 = values(ld * n, 52);
    let (ni, ki, ldi) = (n as Int, k as Int, ld as Int);
    for order in [COL, ROW] {
        for (uplo, upper) in [(UPPER, true), (LOWER, false)] {
            let mut full = c0.clone();
            let mut tri = c0.clone();
            unsafe {
                cblas_dgemm(
                    order,
                    NOTRANS,
                    TRANS,
                    ni,
                    ni,
                    ki,
                    1.5,
                    a.as_ptr(),
                    ldi,
                    b.as_ptr(),
                    ldi,
                    0.5,
                    full.as_mut_ptr(),
                    ldi,
                );
                cblas_dgemmtr(
                    order,
                    uplo,
                    NOTRANS,
                    TRANS,
                    ni,
                    ki,
                    1.5,
                    a.as_ptr(),
                    ldi,
                    b.as_ptr(),
                    ldi,
                    0.5,
                    tri.as_mut_ptr(),
                    ldi,
                );
            }
            for i in 0..n {
                for j in 0..n {
                    // Element (i, j) of C in the call's layout.
                    let at = if order == COL { i + j * ld } else { i * ld + j };
                    let kept = if upper { i <= j } else { i >= j };
                    let want = if kept { full[at] } else { c0[at] };
                    assert_eq!(tri[at], want, "order {order} uplo {uplo} ({i},{j})");
                }
            }
            if order == COL {
                let (mut f_tr, mut f_t) = (c0.clone(), c0.clone());
                let u = if upper { c"U" } else { c"L" };
                let (alpha, beta) = (1.5, 0.5);
                unsafe {
                    dgemmtr_(
                        u.as_ptr(),
                        c"N".as_ptr(),
                        c"T".as_ptr(),
                        &ni,
                        &ki,
                        &alpha,
                        a.as_ptr(),
                        &ldi,
                        b.as_ptr(),
                        &ldi,
                        &beta,
                        f_tr.as_mut_ptr(),
                        &ldi,
                    );
                    dgemmt_(
                        u.as_ptr(),
                        c"N".as_ptr(),
                        c"T".as_ptr(),
                        &ni,
                        &ki,
                        &alpha,
                        a.as_ptr(),
                        &ldi,
                        b.as_ptr(),
                        &ldi,
                        &beta,
                        f_t.as_mut_ptr(),
                        &ldi,
                    );
                }
                assert_eq!(f_tr, tri, "dgemmtr_ = cblas_dgemmtr");
                assert_eq!(f_t, tri, "dgemmt_ = dgemmtr_");
            }
        }
    }
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    take_errors();
    let mut c = c0.clone();
    let (minus, alpha) = (-1 as Int, 1.0);
    unsafe {
        cblas_dgemmtr(
            COL,
            999,
            NOTRANS,
            NOTRANS,
            ni,
            ki,
            1.0,
            a.as_ptr(),
            ldi,
            b.as_ptr(),
            ldi,
            1.0,
            c.as_mut_ptr(),
            ldi,
        );
        dgemmtr_(
            c"U".as_ptr(),
            c"N".as_ptr(),
            c"N".as_ptr(),
            &minus,
            &ki,
            &alpha,
            a.as_ptr(),
            &ldi,
            b.as_ptr(),
            &ldi,
            &alpha,
            c.as_mut_ptr(),
            &ldi,
        );
    }
    assert_eq!(
        take_errors(),
        vec![("cblas_dgemmtr".to_string(), 2), ("DGEMMTR".to_string(), 4)]
    );
    assert_eq!(c, c0, "nothing written on error");
}

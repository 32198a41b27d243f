//! The OpenBLAS extensions (`kernels::extensions`) against naive references computed in double
//! complex: every order and transposition, strided and negative increments, padding that must
//! stay untouched, the "zero scalar means not read" rule (NaN that must not survive), and the
//! error positions with nothing written on error.

mod common;

use common::*;
use kernels::extensions::*;
use kernels::gemm::GemmScalar;
use kernels::scalar::{C32, C64};

/// A value no routine may produce: written into padding and checked afterwards.
fn sentinel<T: TestScalar>() -> T {
    T::from_c64(c(-777.0, 555.0))
}

fn nan<T: TestScalar>() -> T {
    T::from_c64(c(f64::NAN, f64::NAN))
}

fn scalars<T: TestScalar>(r: &mut Rng) -> Vec<T> {
    vec![T::zero(), T::one(), T::random(r)]
}

fn check_axpby<T: TestScalar>() {
    let mut r = Rng::new(11);
    for n in [0usize, 1, 7, 33] {
        for (incx, incy) in [(1isize, 1isize), (2, 1), (1, -1), (-3, 2)] {
            for alpha in scalars::<T>(&mut r) {
                for beta in scalars::<T>(&mut r) {
                    let lx = 1 + n.saturating_sub(1) * incx.unsigned_abs();
                    let ly = 1 + n.saturating_sub(1) * incy.unsigned_abs();
                    let mut x: Vec<T> = rand_vec(&mut r, lx);
                    let mut y: Vec<T> = rand_vec(&mut r, ly);
                    let index = |i: usize, inc: isize| {
                        if inc > 0 {
                            i * inc as usize
                        } else {
                            (n - 1 - i) * inc.unsigned_abs()
                        }
                    };
                    // A zero scalar means its vector is not read: NaN there must not survive.
                    for i in 0..n {
                        if alpha.is_zero() {
                            x[index(i, incx)] = nan();
                        }
                        if beta.is_zero() {
                            y[index(i, incy)] = nan();
                        }
                    }
                    let mut want: Vec<C64> = y.iter().map(|v| v.to_c64()).collect();
                    for i in 0..n {
                        let (xi, yi) = (index(i, incx), index(i, incy));
                        let from_x = if alpha.is_zero() {
                            c(0.0, 0.0)
                        } else {
                            alpha.to_c64() * x[xi].to_c64()
                        };
                        let from_y = if beta.is_zero() {
                            c(0.0, 0.0)
                        } else {
                            beta.to_c64() * y[yi].to_c64()
                        };
                        want[yi] = from_x + from_y;
                    }
                    let (incx, incy) = (incx as kernels::Int, incy as kernels::Int);
                    let n_int = n as kernels::Int;
                    // SAFETY: vectors sized for n elements at these increments.
                    unsafe { axpby(n_int, alpha, x.as_ptr(), incx, beta, y.as_mut_ptr(), incy) };
                    assert_close(
                        &y,
                        &want,
                        2,
                        &format!("{}axpby n={n} incx={incx} incy={incy}", T::PREFIX),
                    );
                }
            }
        }
    }
}

#[test]
fn axpby_matches_the_naive_reference_in_every_precision() {
    check_axpby::<f32>();
    check_axpby::<f64>();
    check_axpby::<C32>();
    check_axpby::<C64>();
}

/// Element (i, j) of `alpha * op(A)` for a column-major m × n A, as the naive reference sees it.
fn op_element<T: TestScalar>(a: &[T], lda: usize, trans: u8, alpha: T, i: usize, j: usize) -> C64 {
    let (transpose, conjugate) = match trans {
        b'N' => (false, false),
        b'T' => (true, false),
        b'R' => (false, true),
        _ => (true, true),
    };
    let v = if transpose {
        a[j + i * lda]
    } else {
        a[i + j * lda]
    }
    .to_c64();
    let v = if conjugate { c(v.re, -v.im) } else { v };
    if alpha.is_zero() {
        c(0.0, 0.0)
    } else {
        alpha.to_c64() * v
    }
}

/// The shapes and leading dimensions of one matcopy case, in the column-major view: the source
/// is m × n, the result m_out × n_out.
struct MatcopyCase {
    order: u8,
    trans: u8,
    rows: usize,
    cols: usize,
    pad_a: usize,
    pad_b: usize,
}

impl MatcopyCase {
    fn source_shape(&self) -> (usize, usize) {
        if self.order == b'R' {
            (self.cols, self.rows)
        } else {
            (self.rows, self.cols)
        }
    }
    fn transposes(&self) -> bool {
        matches!(self.trans, b'T' | b'C')
    }
    fn result_shape(&self) -> (usize, usize) {
        let (m, n) = self.source_shape();
        if self.transposes() {
            (n, m)
        } else {
            (m, n)
        }
    }
    fn lda(&self) -> usize {
        self.source_shape().0.max(1) + self.pad_a
    }
    fn ldb(&self) -> usize {
        self.result_shape().0.max(1) + self.pad_b
    }
    /// The expected result buffer (ldb × n_out), padding left as `keep` has it.
    fn expected<T: TestScalar>(&self, a: &[T], alpha: T, keep: &[T]) -> Vec<C64> {
        let (mo, no) = self.result_shape();
        let mut want: Vec<C64> = keep.iter().map(|v| v.to_c64()).collect();
        // Real types treat R and C as N and T.
        let trans = if T::IS_COMPLEX {
            self.trans
        } else if self.transposes() {
            b'T'
        } else {
            b'N'
        };
        for j in 0..no {
            for i in 0..mo {
                want[i + j * self.ldb()] = op_element(a, self.lda(), trans, alpha, i, j);
            }
        }
        want
    }
}

fn matcopy_cases() -> Vec<MatcopyCase> {
    let mut cases = Vec::new();
    for order in [b'C', b'R'] {
        for trans in [b'N', b'T', b'R', b'C'] {
            for (rows, cols) in [(0, 3), (1, 1), (5, 7), (33, 40), (70, 3)] {
                for (pad_a, pad_b) in [(0, 0), (3, 2)] {
                    cases.push(MatcopyCase {
                        order,
                        trans,
                        rows,
                        cols,
                        pad_a,
                        pad_b,
                    });
                }
            }
        }
    }
    cases
}

fn check_omatcopy<T: TestScalar>() {
    let mut r = Rng::new(12);
    for case in matcopy_cases() {
        for alpha in scalars::<T>(&mut r) {
            let (_, n) = case.source_shape();
            let (_, no) = case.result_shape();
            let mut a: Vec<T> = rand_vec(&mut r, case.lda() * n.max(1));
            if alpha.is_zero() {
                a.iter_mut().for_each(|v| *v = nan());
            }
            let mut b = vec![sentinel::<T>(); case.ldb() * no.max(1)];
            let want = case.expected(&a, alpha, &b);
            // SAFETY: buffers sized for the shapes and leading dimensions.
            let result = unsafe {
                matcopy(
                    case.order,
                    case.trans,
                    case.rows as kernels::Int,
                    case.cols as kernels::Int,
                    MatCopy {
                        alpha,
                        a: a.as_ptr(),
                        lda: case.lda() as kernels::Int,
                        b: b.as_mut_ptr(),
                        ldb: case.ldb() as kernels::Int,
                    },
                    false,
                )
            };
            let what = format!(
                "{}omatcopy order={} trans={} {}x{}",
                T::PREFIX,
                case.order as char,
                case.trans as char,
                case.rows,
                case.cols
            );
            assert_eq!(result, Ok(()), "{what}");
            assert_close(&b, &want, 1, &what);
        }
    }
}

fn check_imatcopy<T: TestScalar>() {
    let mut r = Rng::new(13);
    for case in matcopy_cases() {
        for alpha in scalars::<T>(&mut r) {
            let (_, n) = case.source_shape();
            let (_, no) = case.result_shape();
            let len = (case.lda() * n.max(1)).max(case.ldb() * no.max(1));
            let mut ab: Vec<T> = rand_vec(&mut r, len);
            let a = ab.clone();
            // In place, the buffer outside the result keeps what it had (which is A there).
            let mut want = case.expected(&a, alpha, &ab);
            want.truncate(len);
            let ab_ptr = ab.as_mut_ptr();
            // SAFETY: the buffer holds both the input and the result shape.
            let result = unsafe {
                matcopy(
                    case.order,
                    case.trans,
                    case.rows as kernels::Int,
                    case.cols as kernels::Int,
                    MatCopy {
                        alpha,
                        a: ab_ptr,
                        lda: case.lda() as kernels::Int,
                        b: ab_ptr,
                        ldb: case.ldb() as kernels::Int,
                    },
                    true,
                )
            };
            let what = format!(
                "{}imatcopy order={} trans={} {}x{} lda={} ldb={}",
                T::PREFIX,
                case.order as char,
                case.trans as char,
                case.rows,
                case.cols,
                case.lda(),
                case.ldb()
            );
            assert_eq!(result, Ok(()), "{what}");
            assert_close(&ab, &want, 1, &what);
        }
    }
}

#[test]
fn omatcopy_and_imatcopy_match_the_naive_reference_for_every_order_and_transposition() {
    check_omatcopy::<f32>();
    check_omatcopy::<f64>();
    check_omatcopy::<C32>();
    check_omatcopy::<C64>();
    check_imatcopy::<f32>();
    check_imatcopy::<f64>();
    check_imatcopy::<C32>();
    check_imatcopy::<C64>();
}

#[test]
fn matcopy_reports_the_first_invalid_argument_and_writes_nothing() {
    let a = [1.0f64; 16];
    let mut b = [0.0f64; 16];
    // (order, trans, rows, cols, lda, ldb, expected position)
    let cases: [(u8, u8, i32, i32, i32, i32, i32); 7] = [
        (b'X', b'N', 2, 2, 2, 2, 1),
        (b'C', b'Q', 2, 2, 2, 2, 2),
        (b'C', b'N', -1, 2, 2, 2, 3),
        (b'C', b'N', 2, -1, 2, 2, 4),
        (b'C', b'N', 3, 2, 2, 3, 7),
        (b'R', b'N', 2, 3, 3, 2, 9),
        (b'C', b'T', 2, 3, 2, 2, 9),
    ];
    for (order, trans, rows, cols, lda, ldb, position) in cases {
        let (rows, cols, lda, ldb) = (
            rows as kernels::Int,
            cols as kernels::Int,
            lda as kernels::Int,
            ldb as kernels::Int,
        );
        // SAFETY: the checks fail before any element is touched.
        let result = unsafe {
            matcopy(
                order,
                trans,
                rows,
                cols,
                MatCopy {
                    alpha: 2.0,
                    a: a.as_ptr(),
                    lda,
                    b: b.as_mut_ptr(),
                    ldb,
                },
                false,
            )
        };
        assert_eq!(
            result,
            Err(position),
            "omatcopy {}{} {rows}x{cols}",
            order as char,
            trans as char
        );
        let in_place = unsafe {
            let ab = b.as_mut_ptr();
            let p = MatCopy {
                alpha: 2.0,
                a: ab,
                lda,
                b: ab,
                ldb,
            };
            matcopy(order, trans, rows, cols, p, true)
        };
        let in_place_position = if position == 9 { 8 } else { position };
        assert_eq!(
            in_place,
            Err(in_place_position),
            "imatcopy {}{}",
            order as char,
            trans as char
        );
        assert!(b.iter().all(|&v| v == 0.0), "nothing written on error");
    }
}

fn check_geadd<T: TestScalar>() {
    let mut r = Rng::new(14);
    for row_major in [false, true] {
        for (rows, cols) in [(0usize, 4usize), (1, 1), (6, 9), (40, 3)] {
            for alpha in scalars::<T>(&mut r) {
                for beta in scalars::<T>(&mut r) {
                    let (m, n) = if row_major {
                        (cols, rows)
                    } else {
                        (rows, cols)
                    };
                    let (lda, ldc) = (m.max(1) + 2, m.max(1) + 1);
                    let mut a: Vec<T> = rand_vec(&mut r, lda * n.max(1));
                    let mut cm: Vec<T> = rand_vec(&mut r, ldc * n.max(1));
                    if alpha.is_zero() {
                        a.iter_mut().for_each(|v| *v = nan());
                    }
                    if beta.is_zero() {
                        for j in 0..n {
                            cm[j * ldc..j * ldc + m].iter_mut().for_each(|v| *v = nan());
                        }
                    }
                    let mut want: Vec<C64> = cm.iter().map(|v| v.to_c64()).collect();
                    for j in 0..n {
                        for i in 0..m {
                            let from_a = op_element(&a, lda, b'N', alpha, i, j);
                            let from_c = if beta.is_zero() {
                                c(0.0, 0.0)
                            } else {
                                beta.to_c64() * cm[i + j * ldc].to_c64()
                            };
                            want[i + j * ldc] = from_a + from_c;
                        }
                    }
                    // SAFETY: buffers sized for the shapes and leading dimensions.
                    let result = unsafe {
                        geadd(
                            rows as kernels::Int,
                            cols as kernels::Int,
                            Sum {
                                alpha,
                                a: a.as_ptr(),
                                lda: lda as kernels::Int,
                                beta,
                                c: cm.as_mut_ptr(),
                                ldc: ldc as kernels::Int,
                            },
                            row_major,
                        )
                    };
                    let what = format!("{}geadd row_major={row_major} {rows}x{cols}", T::PREFIX);
                    assert_eq!(result, Ok(()), "{what}");
                    assert_close(&cm, &want, 2, &what);
                }
            }
        }
    }
    // Errors: rows, cols, lda, ldc; the leading dimension needed follows the order.
    let mut cbuf = [T::zero(); 8];
    let abuf = [T::one(); 8];
    for (row_major, rows, cols, lda, ldc, position) in [
        (false, -1, 2, 2, 2, 1),
        (false, 2, -1, 2, 2, 2),
        (false, 3, 2, 2, 3, 5),
        (true, 2, 3, 2, 3, 5),
        (true, 2, 3, 3, 2, 8),
    ] {
        // SAFETY: the checks fail before any element is touched.
        let result = unsafe {
            geadd(
                rows,
                cols,
                Sum {
                    alpha: T::one(),
                    a: abuf.as_ptr(),
                    lda,
                    beta: T::one(),
                    c: cbuf.as_mut_ptr(),
                    ldc,
                },
                row_major,
            )
        };
        assert_eq!(
            result,
            Err(position),
            "geadd row_major={row_major} {rows}x{cols} lda={lda} ldc={ldc}"
        );
    }
    assert!(cbuf.iter().all(|v| v.is_zero()), "nothing written on error");
}

#[test]
fn geadd_matches_the_naive_reference_in_both_orders() {
    check_geadd::<f32>();
    check_geadd::<f64>();
    check_geadd::<C32>();
    check_geadd::<C64>();
}

/// Naive C := alpha op(A) op(B) + beta C for one column-major GEMM.
#[allow(clippy::too_many_arguments)]
fn naive_gemm<T: TestScalar>(
    transa: u8,
    transb: u8,
    (m, n, k): (usize, usize, usize),
    alpha: T,
    a: &[T],
    lda: usize,
    b: &[T],
    ldb: usize,
    beta: T,
    cm: &[T],
    ldc: usize,
) -> Vec<C64> {
    let mut want: Vec<C64> = cm.iter().map(|v| v.to_c64()).collect();
    for j in 0..n {
        for i in 0..m {
            let mut sum = c(0.0, 0.0);
            for l in 0..k {
                sum += op_element(a, lda, transa, T::one(), i, l)
                    * op_element(b, ldb, transb, T::one(), l, j);
            }
            let from_c = if beta.is_zero() {
                c(0.0, 0.0)
            } else {
                beta.to_c64() * cm[i + j * ldc].to_c64()
            };
            want[i + j * ldc] = alpha.to_c64() * sum + from_c;
        }
    }
    want
}

/// One random GEMM problem's buffers, sized for its group.
struct Problem<T> {
    a: Vec<T>,
    b: Vec<T>,
    c: Vec<T>,
}

fn leading_dims(g: &GemmGroup<impl Copy>) -> ((usize, usize), (usize, usize)) {
    let (m, n, k) = (g.m as usize, g.n as usize, g.k as usize);
    let a_shape = if g.transa == b'N' { (m, k) } else { (k, m) };
    let b_shape = if g.transb == b'N' { (k, n) } else { (n, k) };
    (a_shape, b_shape)
}

fn check_gemm_batch<T: TestScalar + GemmScalar>() {
    let mut r = Rng::new(15);
    let conj = if T::IS_COMPLEX { b'C' } else { b'T' };
    let group = |transa, transb, m, n, k, alpha, beta, size| GemmGroup {
        transa,
        transb,
        m,
        n,
        k,
        alpha,
        lda: 40,
        ldb: 40,
        beta,
        ldc: m + 1,
        size,
    };
    let groups = [
        group(b'N', b'N', 5, 7, 3, T::random(&mut r), T::zero(), 2),
        group(b'T', conj, 9, 2, 11, T::one(), T::random(&mut r), 3),
        group(b'N', b'T', 0, 4, 4, T::one(), T::one(), 1),
        group(b'N', b'N', 4, 4, 4, T::one(), T::one(), 0),
    ];
    let mut problems = Vec::new();
    let mut wants = Vec::new();
    for g in &groups {
        let (m, n, k) = (g.m as usize, g.n as usize, g.k as usize);
        for _ in 0..g.size {
            let ((_, acols), (_, bcols)) = leading_dims(g);
            let p = Problem {
                a: rand_vec::<T>(&mut r, 40 * acols.max(1)),
                b: rand_vec::<T>(&mut r, 40 * bcols.max(1)),
                c: rand_vec::<T>(&mut r, g.ldc as usize * n.max(1)),
            };
            wants.push(naive_gemm(
                g.transa,
                g.transb,
                (m, n, k),
                g.alpha,
                &p.a,
                40,
                &p.b,
                40,
                g.beta,
                &p.c,
                g.ldc as usize,
            ));
            problems.push(p);
        }
    }
    let starts: Vec<Vec<T>> = problems.iter().map(|p| p.c.clone()).collect();
    let a_ptrs: Vec<*const T> = problems.iter().map(|p| p.a.as_ptr()).collect();
    let b_ptrs: Vec<*const T> = problems.iter().map(|p| p.b.as_ptr()).collect();
    let c_ptrs: Vec<*mut T> = problems.iter_mut().map(|p| p.c.as_mut_ptr()).collect();
    // SAFETY: one pointer per GEMM, each buffer sized for its group.
    let result = unsafe { gemm_batch(&groups, a_ptrs.as_ptr(), b_ptrs.as_ptr(), c_ptrs.as_ptr()) };
    assert_eq!(result, Ok(()));
    for (index, (p, want)) in problems.iter().zip(&wants).enumerate() {
        assert_close(
            &p.c,
            want,
            12,
            &format!("{}gemm_batch problem {index}", T::PREFIX),
        );
    }

    // The same batch from per-group argument arrays (the Fortran ABI's form) gives the same bits.
    let first_results: Vec<Vec<T>> = problems.iter().map(|p| p.c.clone()).collect();
    for (p, start) in problems.iter_mut().zip(&starts) {
        p.c.clone_from(start);
    }
    let column = |f: fn(&GemmGroup<T>) -> kernels::Int| groups.iter().map(f).collect::<Vec<_>>();
    let (ms, ns, ks) = (column(|g| g.m), column(|g| g.n), column(|g| g.k));
    let (ldas, ldbs, ldcs, sizes) = (
        column(|g| g.lda),
        column(|g| g.ldb),
        column(|g| g.ldc),
        column(|g| g.size),
    );
    let transas: Vec<u8> = groups.iter().map(|g| g.transa).collect();
    let transbs: Vec<u8> = groups.iter().map(|g| g.transb).collect();
    let alphas: Vec<T> = groups.iter().map(|g| g.alpha).collect();
    let betas: Vec<T> = groups.iter().map(|g| g.beta).collect();
    let count = groups.len() as kernels::Int;
    let from_arrays = |count: kernels::Int| unsafe {
        let arrays = BatchArrays {
            m: ms.as_ptr(),
            n: ns.as_ptr(),
            k: ks.as_ptr(),
            alpha: alphas.as_ptr(),
            a: a_ptrs.as_ptr(),
            lda: ldas.as_ptr(),
            b: b_ptrs.as_ptr(),
            ldb: ldbs.as_ptr(),
            beta: betas.as_ptr(),
            c: c_ptrs.as_ptr(),
            ldc: ldcs.as_ptr(),
            size: sizes.as_ptr(),
        };
        gemm_batch_arrays(transas.as_ptr(), transbs.as_ptr(), arrays, count)
    };
    assert_eq!(from_arrays(count), Ok(()));
    for (p, first) in problems.iter().zip(&first_results) {
        assert!(
            p.c.iter().zip(first).all(|(x, y)| x.to_c64() == y.to_c64()),
            "arrays = groups"
        );
    }
    assert_eq!(
        from_arrays(-1),
        Err(BATCH_GROUP_COUNT_POSITION),
        "negative group count"
    );

    // An invalid argument in a later group: reported with GEMM's position, and no C written.
    let before: Vec<Vec<T>> = problems.iter().map(|p| p.c.clone()).collect();
    let mut bad = groups;
    bad[1].ldb = 1;
    let result = unsafe { gemm_batch(&bad, a_ptrs.as_ptr(), b_ptrs.as_ptr(), c_ptrs.as_ptr()) };
    assert_eq!(result, Err(10), "ldb of group 1");
    let mut negative = groups;
    negative[2].size = -1;
    let result =
        unsafe { gemm_batch(&negative, a_ptrs.as_ptr(), b_ptrs.as_ptr(), c_ptrs.as_ptr()) };
    assert_eq!(
        result,
        Err(BATCH_GROUP_SIZE_POSITION),
        "negative group size"
    );
    for (p, old) in problems.iter().zip(&before) {
        assert!(
            p.c.iter().zip(old).all(|(x, y)| x.to_c64() == y.to_c64()),
            "nothing written on error"
        );
    }
}

#[test]
fn gemm_batch_runs_every_group_and_checks_them_all_first() {
    check_gemm_batch::<f32>();
    check_gemm_batch::<f64>();
    check_gemm_batch::<C32>();
    check_gemm_batch::<C64>();
}

fn check_gemm_batch_strided<T: TestScalar + GemmScalar>() {
    let mut r = Rng::new(16);
    let (m, n, k, count) = (6usize, 5usize, 7usize, 4usize);
    let (lda, ldb, ldc) = (k + 1, k, m + 2);
    // A is shared by every GEMM (stride 0, transposed); B and C are spaced past their ends.
    let (stride_a, stride_b, stride_c) = (0usize, ldb * n + 3, ldc * n + 1);
    let a: Vec<T> = rand_vec(&mut r, lda * m);
    let b: Vec<T> = rand_vec(&mut r, stride_b * count);
    let mut cm: Vec<T> = rand_vec(&mut r, stride_c * count);
    let (alpha, beta) = (T::random(&mut r), T::random(&mut r));
    let mut want: Vec<C64> = cm.iter().map(|v| v.to_c64()).collect();
    for p in 0..count {
        let (bo, co) = (p * stride_b, p * stride_c);
        let slice = naive_gemm(
            b'T',
            b'N',
            (m, n, k),
            alpha,
            &a,
            lda,
            &b[bo..],
            ldb,
            beta,
            &cm[co..co + ldc * n],
            ldc,
        );
        want[co..co + ldc * n].copy_from_slice(&slice);
    }
    let int = |v: usize| v as kernels::Int;
    // SAFETY: every slice lies inside its buffer.
    let result = unsafe {
        gemm_batch_strided(
            b'T',
            b'N',
            StridedBatch {
                m: int(m),
                n: int(n),
                k: int(k),
                first: kernels::level3::Operands {
                    alpha,
                    a: a.as_ptr(),
                    lda: int(lda),
                    b: b.as_ptr(),
                    ldb: int(ldb),
                    beta,
                    c: cm.as_mut_ptr(),
                    ldc: int(ldc),
                },
                strides: [int(stride_a), int(stride_b), int(stride_c)],
                count: int(count),
            },
        )
    };
    assert_eq!(result, Ok(()));
    assert_close(&cm, &want, k, &format!("{}gemm_batch_strided", T::PREFIX));

    // Positions follow the strided list: ldb 11, ldc 15, count 17.
    let before = cm.clone();
    for (ldb_bad, ldc_bad, count_bad, position) in [
        (1, ldc, count, 11),
        (ldb, 1, count, 15),
        (ldb, ldc, usize::MAX, 17),
    ] {
        let count_arg = if count_bad == usize::MAX {
            -1
        } else {
            int(count_bad)
        };
        let result = unsafe {
            gemm_batch_strided(
                b'T',
                b'N',
                StridedBatch {
                    m: int(m),
                    n: int(n),
                    k: int(k),
                    first: kernels::level3::Operands {
                        alpha,
                        a: a.as_ptr(),
                        lda: int(lda),
                        b: b.as_ptr(),
                        ldb: int(ldb_bad),
                        beta,
                        c: cm.as_mut_ptr(),
                        ldc: int(ldc_bad),
                    },
                    strides: [int(stride_a), int(stride_b), int(stride_c)],
                    count: count_arg,
                },
            )
        };
        assert_eq!(result, Err(position));
    }
    assert!(
        cm.iter()
            .zip(&before)
            .all(|(x, y)| x.to_c64() == y.to_c64()),
        "nothing written on error"
    );
}

#[test]
fn gemm_batch_strided_matches_a_loop_of_naive_gemms() {
    check_gemm_batch_strided::<f32>();
    check_gemm_batch_strided::<f64>();
    check_gemm_batch_strided::<C32>();
    check_gemm_batch_strided::<C64>();
}

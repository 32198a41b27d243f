//! The routines OpenBLAS adds to the reference BLAS and that its users call: `?axpby`,
//! `?omatcopy`/`?imatcopy` (scaled out-of-place and in-place copy or transposition), `?geadd`
//! (scaled matrix sum), `?gemm_batch` (groups of GEMMs sharing their arguments) and
//! `?gemm_batch_strided` (a GEMM per fixed-stride slice). `?gemmt`/`?gemmtr` live with the rest
//! of Level 3 (`level3::gemmt`).
//!
//! These have no reference implementation, so argument checks follow OpenBLAS's interface layer:
//! each failing argument is reported with its position in the Fortran argument list (the
//! smallest failing position wins), and nothing is written when any argument is invalid. The
//! CBLAS wrappers add one for the leading layout argument where the list has one.
//!
//! Order and transposition arrive as the Fortran characters for both ABIs: order `C`
//! (column-major) or `R` (row-major); trans `N`, `T`, `R` (conjugate, no transposition) or `C`
//! (conjugate transpose), the last two being `N`/`T` for real types. A row-major matrix of
//! `rows` × `cols` is the column-major `cols` × `rows` matrix at the same address, which is how
//! every routine here handles it.

use crate::gemm::GemmScalar;
use crate::level1::vector_pair;
use crate::level2::{first_error, up, Res};
use crate::level3::{gemm_check, Operands};
use crate::scalar::Scalar;
use crate::Int;

/// y := alpha*x + beta*y. As everywhere in BLAS, a zero `beta` means `y` is not read (so NaN
/// there does not survive) and a zero `alpha` means `x` is not read. Negative increments walk
/// the vectors from their far end, as in `axpy`.
///
/// # Safety
/// BLAS contract on `x` and `y`.
pub unsafe fn axpby<T: Scalar>(
    n: Int,
    alpha: T,
    x: *const T,
    incx: Int,
    beta: T,
    y: *mut T,
    incy: Int,
) {
    let Some((x, y)) = vector_pair(n, x, incx, y, incy) else {
        return;
    };
    for i in 0..x.n {
        // SAFETY: i < n; the caller's contract covers n elements at these increments.
        unsafe {
            let from_x = if alpha.is_zero() {
                T::zero()
            } else {
                alpha * x.get(i)
            };
            let from_y = if beta.is_zero() {
                T::zero()
            } else {
                beta * y.get(i)
            };
            y.set(i, from_x + from_y);
        }
    }
}

/// A decoded `trans` character: transpose the matrix, conjugate its elements.
#[derive(Clone, Copy)]
struct CopyOp {
    transpose: bool,
    conjugate: bool,
}

impl CopyOp {
    fn decode<T: Scalar>(trans: u8) -> Option<CopyOp> {
        let (transpose, conjugate) = match up(trans) {
            b'N' => (false, false),
            b'T' => (true, false),
            b'R' => (false, true),
            b'C' => (true, true),
            _ => return None,
        };
        // Conjugating a real number changes nothing: real `R`/`C` are `N`/`T`.
        Some(CopyOp {
            transpose,
            conjugate: conjugate && T::IS_COMPLEX,
        })
    }
}

/// `order` as "row-major?", or `None` when it is neither `C` nor `R`.
fn decode_order(order: u8) -> Option<bool> {
    match up(order) {
        b'C' => Some(false),
        b'R' => Some(true),
        _ => None,
    }
}

/// The checks `omatcopy` and `imatcopy` share: order (1), trans (2), rows (3), cols (4), the
/// source's leading dimension (7) and the destination's (`ldb_position`). On success: the
/// operation and the column-major shape (rows, cols) of the source.
fn check_matcopy<T: Scalar>(
    order: u8,
    trans: u8,
    rows: Int,
    cols: Int,
    lda: Int,
    ldb: Int,
    ldb_position: i32,
) -> Result<(CopyOp, usize, usize), i32> {
    let row_major = decode_order(order);
    let op = CopyOp::decode::<T>(trans);
    // Column-major view of the source: a row-major rows × cols is a column-major cols × rows.
    let (m, n) = if row_major == Some(true) {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let needed = if op.is_some_and(|op| op.transpose) {
        n
    } else {
        m
    };
    first_error(&[
        (row_major.is_none(), 1),
        (op.is_none(), 2),
        (rows < 0, 3),
        (cols < 0, 4),
        (lda < m.max(1), 7),
        (ldb < needed.max(1), ldb_position),
    ])?;
    let op = op.expect("checked above");
    Ok((op, m as usize, n as usize))
}

/// The operands of `?omatcopy`, B := alpha * op(A), and of `?imatcopy`, where B is A itself
/// (`b` the same address as `a`) and `ldb` the leading dimension of the result.
#[derive(Clone, Copy, Debug)]
pub struct MatCopy<T> {
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub b: *mut T,
    pub ldb: Int,
}

/// B := alpha * op(A), out of place (the OpenBLAS extension `?omatcopy`), or A := alpha * op(A)
/// in place (`?imatcopy`, `in_place`). A is `rows` × `cols` in the given order; B is `rows` ×
/// `cols` (`N`, `R`) or `cols` × `rows` (`T`, `C`) in the same order. Out of place, A and B must
/// not overlap; in place, transposition or a change of leading dimension goes through a
/// temporary copy of A, so any shape is allowed.
///
/// # Safety
/// BLAS contract on `a` and `b` for the shapes and leading dimensions given (in place: the
/// matrix holds both the input and the result shape).
pub unsafe fn matcopy<T: Scalar>(
    order: u8,
    trans: u8,
    rows: Int,
    cols: Int,
    p: MatCopy<T>,
    in_place: bool,
) -> Res {
    // `?imatcopy`'s list has no B, so its LDB stands one place earlier.
    let ldb_position = if in_place { 8 } else { 9 };
    let (op, m, n) = check_matcopy::<T>(order, trans, rows, cols, p.lda, p.ldb, ldb_position)?;
    let (alpha, lda, ldb) = (p.alpha, p.lda as usize, p.ldb as usize);
    if !in_place {
        // SAFETY: shapes checked; the caller's contract covers both matrices.
        unsafe { scaled_copy(op, m, n, alpha, p.a, lda, p.b, ldb) };
        return Ok(());
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    if !op.transpose && lda == ldb {
        // Element (i, j) is read and written at the same place: no copy needed.
        // SAFETY: the same matrix as source and destination, element by element.
        unsafe { scaled_copy(op, m, n, alpha, p.b, lda, p.b, ldb) };
        return Ok(());
    }
    let mut source = Vec::with_capacity(m * n);
    for j in 0..n {
        // SAFETY: column j of the m × n input, inside the caller's matrix.
        let column = unsafe { std::slice::from_raw_parts(p.b.add(j * lda), m) };
        source.extend_from_slice(column);
    }
    // SAFETY: `source` is a separate contiguous copy; the destination shape was checked.
    unsafe { scaled_copy(op, m, n, alpha, source.as_ptr(), m, p.b, ldb) };
    Ok(())
}

/// Column-major B := alpha * op(A) for an m × n source. Transposition walks square tiles so
/// that both matrices are read and written a cache line at a time. With a zero alpha, A is
/// not read.
///
/// # Safety
/// `a` is m × n at `lda`; `b` is the op-shaped result at `ldb`. `a == b` is allowed only
/// without transposition and with `lda == ldb`.
#[allow(clippy::too_many_arguments)]
unsafe fn scaled_copy<T: Scalar>(
    op: CopyOp,
    m: usize,
    n: usize,
    alpha: T,
    a: *const T,
    lda: usize,
    b: *mut T,
    ldb: usize,
) {
    let value = |v: T| {
        if alpha.is_zero() {
            T::zero()
        } else {
            alpha * v.conj_if(op.conjugate)
        }
    };
    if !op.transpose {
        for j in 0..n {
            for i in 0..m {
                // SAFETY: i < m, j < n; the caller's contract.
                unsafe { *b.add(i + j * ldb) = value(*a.add(i + j * lda)) };
            }
        }
        return;
    }
    const TILE: usize = 32;
    for j0 in (0..n).step_by(TILE) {
        for i0 in (0..m).step_by(TILE) {
            for i in i0..(i0 + TILE).min(m) {
                for j in j0..(j0 + TILE).min(n) {
                    // SAFETY: B is n × m: element (j, i) at j + i * ldb.
                    unsafe { *b.add(j + i * ldb) = value(*a.add(i + j * lda)) };
                }
            }
        }
    }
}

/// The operands of `?geadd`, C := alpha*A + beta*C.
#[derive(Clone, Copy, Debug)]
pub struct Sum<T> {
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub beta: T,
    pub c: *mut T,
    pub ldc: Int,
}

/// C := alpha*A + beta*C for `rows` × `cols` matrices (the OpenBLAS extension `?geadd`).
/// Fortran has no order argument (`row_major` false, last so that the Fortran arguments come
/// first); CBLAS passes its layout, and its positions are these plus one. A zero beta means C is not read; a zero alpha, A is not read.
///
/// # Safety
/// BLAS contract on `a` and `c`.
pub unsafe fn geadd<T: Scalar>(rows: Int, cols: Int, p: Sum<T>, row_major: bool) -> Res {
    let Sum {
        alpha,
        a,
        lda,
        beta,
        c,
        ldc,
    } = p;
    let (m, n) = if row_major {
        (cols, rows)
    } else {
        (rows, cols)
    };
    first_error(&[
        (rows < 0, 1),
        (cols < 0, 2),
        (lda < m.max(1), 5),
        (ldc < m.max(1), 8),
    ])?;
    let (m, n, lda, ldc) = (m as usize, n as usize, lda as usize, ldc as usize);
    for j in 0..n {
        for i in 0..m {
            // SAFETY: i < m, j < n within both checked matrices.
            unsafe {
                let cij = c.add(i + j * ldc);
                let from_a = if alpha.is_zero() {
                    T::zero()
                } else {
                    alpha * *a.add(i + j * lda)
                };
                let from_c = if beta.is_zero() {
                    T::zero()
                } else {
                    beta * *cij
                };
                *cij = from_a + from_c;
            }
        }
    }
    Ok(())
}

/// One group of `?gemm_batch`: `size` GEMMs sharing every argument but the matrices.
#[derive(Clone, Copy, Debug)]
pub struct GemmGroup<T> {
    pub transa: u8,
    pub transb: u8,
    pub m: Int,
    pub n: Int,
    pub k: Int,
    pub alpha: T,
    pub lda: Int,
    pub ldb: Int,
    pub beta: T,
    pub ldc: Int,
    pub size: Int,
}

impl<T: Copy> GemmGroup<T> {
    /// The operands of one of the group's products.
    fn operands(&self, a: *const T, b: *const T, c: *mut T) -> Operands<T> {
        Operands {
            alpha: self.alpha,
            a,
            lda: self.lda,
            b,
            ldb: self.ldb,
            beta: self.beta,
            c,
            ldc: self.ldc,
        }
    }
}

/// Positions in `?gemm_batch_`'s Fortran argument list of the group count and sizes (the
/// per-group arguments stand where `?gemm_`'s do, so GEMM's positions serve for them).
pub const BATCH_GROUP_COUNT_POSITION: i32 = 14;
pub const BATCH_GROUP_SIZE_POSITION: i32 = 15;

/// Every GEMM of every group: C_p := alpha_g op(A_p) op(B_p) + beta_g C_p, the matrices taken
/// in order from `a`, `b` and `c` (group 0's first). All groups are checked before any C is
/// written, and the first invalid argument is reported with GEMM's position for it.
///
/// # Safety
/// `a`, `b`, `c` hold one pointer per GEMM (the sum of the group sizes), each under the BLAS
/// contract for its group's shapes.
pub unsafe fn gemm_batch<T: GemmScalar>(
    groups: &[GemmGroup<T>],
    a: *const *const T,
    b: *const *const T,
    c: *const *mut T,
) -> Res {
    for g in groups {
        gemm_check(g.transa, g.transb, g.m, g.n, g.k, g.lda, g.ldb, g.ldc)?;
        if g.size < 0 {
            return Err(BATCH_GROUP_SIZE_POSITION);
        }
    }
    let mut index = 0usize;
    for g in groups {
        for _ in 0..g.size {
            // SAFETY: one pointer per GEMM, as the caller guarantees; arguments checked above.
            unsafe {
                let p = g.operands(*a.add(index), *b.add(index), *c.add(index));
                p.gemm_checked(g.transa, g.transb, g.m, g.n, g.k);
            }
            index += 1;
        }
    }
    Ok(())
}

/// `?gemm_batch_`'s per-group argument arrays after the transpositions, each `group_count`
/// long (`size` holds the group sizes); `a`, `b` and `c` hold one pointer per product.
#[derive(Clone, Copy, Debug)]
pub struct BatchArrays<T> {
    pub m: *const Int,
    pub n: *const Int,
    pub k: *const Int,
    pub alpha: *const T,
    pub a: *const *const T,
    pub lda: *const Int,
    pub b: *const *const T,
    pub ldb: *const Int,
    pub beta: *const T,
    pub c: *const *mut T,
    pub ldc: *const Int,
    pub size: *const Int,
}

impl<T> BatchArrays<T> {
    /// The A and B sides exchanged, and m with n: every product's row-major form (as
    /// `Operands::swapped` for one product; the transpositions are swapped by the caller).
    pub fn swapped(self) -> Self {
        BatchArrays {
            m: self.n,
            n: self.m,
            a: self.b,
            lda: self.ldb,
            b: self.a,
            ldb: self.lda,
            ..self
        }
    }
}

/// `?gemm_batch_` from its argument arrays, one entry per group, transpositions as characters
/// (the Fortran ABI's form): a negative group count is reported at its position (14), and the
/// groups go to `gemm_batch`.
///
/// # Safety
/// Each array holds `group_count` entries; `a`, `b`, `c` one pointer per GEMM, as `gemm_batch`.
pub unsafe fn gemm_batch_arrays<T: GemmScalar>(
    transa: *const u8,
    transb: *const u8,
    arrays: BatchArrays<T>,
    group_count: Int,
) -> Res {
    if group_count < 0 {
        return Err(BATCH_GROUP_COUNT_POSITION);
    }
    let BatchArrays { a, b, c, .. } = arrays;
    let groups: Vec<GemmGroup<T>> = (0..group_count as usize)
        .map(|g| {
            // SAFETY: every array holds group_count entries (the caller's contract).
            unsafe {
                GemmGroup {
                    transa: *transa.add(g),
                    transb: *transb.add(g),
                    m: *arrays.m.add(g),
                    n: *arrays.n.add(g),
                    k: *arrays.k.add(g),
                    alpha: *arrays.alpha.add(g),
                    lda: *arrays.lda.add(g),
                    ldb: *arrays.ldb.add(g),
                    beta: *arrays.beta.add(g),
                    ldc: *arrays.ldc.add(g),
                    size: *arrays.size.add(g),
                }
            }
        })
        .collect();
    // SAFETY: forwarded contract.
    unsafe { gemm_batch(&groups, a, b, c) }
}

/// The arguments of `?gemm_batch_strided_` after the transpositions: `count` GEMMs of m x n x k
/// on matrices a fixed distance apart, the first product's operands `first`, and `strides` the
/// distances between the A, B and C of consecutive products (the Fortran list puts each after
/// its leading dimension).
#[derive(Clone, Copy, Debug)]
pub struct StridedBatch<T> {
    pub m: Int,
    pub n: Int,
    pub k: Int,
    pub first: Operands<T>,
    pub strides: [Int; 3],
    pub count: Int,
}

/// C + p·stridec := alpha op(A + p·stridea) op(B + p·strideb) + beta (C + p·stridec) for
/// p < count (`?gemm_batch_strided_`). A stride may be zero (an operand shared by every
/// product). Positions are those of the Fortran list: lda 8, ldb 11, ldc 15, count 17.
///
/// # Safety
/// BLAS contract on every slice for the shapes given.
pub unsafe fn gemm_batch_strided<T: GemmScalar>(
    transa: u8,
    transb: u8,
    batch: StridedBatch<T>,
) -> Res {
    let StridedBatch { m, n, k, first, .. } = batch;
    gemm_check(transa, transb, m, n, k, first.lda, first.ldb, first.ldc).map_err(|p| match p {
        10 => 11,
        13 => 15,
        other => other,
    })?;
    if batch.count < 0 {
        return Err(17);
    }
    let [stridea, strideb, stridec] = batch.strides.map(|s| s as isize);
    for p in 0..batch.count as isize {
        let slice = Operands {
            a: first.a.wrapping_offset(p * stridea),
            b: first.b.wrapping_offset(p * strideb),
            c: first.c.wrapping_offset(p * stridec),
            ..first
        };
        // SAFETY: slice p of each operand, under the caller's contract; checked shapes.
        unsafe { slice.gemm_checked(transa, transb, m, n, k) };
    }
    Ok(())
}

//! Level 2 BLAS (matrix-vector) for all precisions, column-major, with the reference argument
//! checks (`Err(position)` of the first invalid argument) and quick returns.
//!
//! One algorithm per operation serves full, band and packed storage through `Shape`. The `conj_*`
//! flags apply an extra conjugation (always `false` from the Fortran API); the CBLAS layer uses
//! them to express row-major complex calls as column-major ones without temporaries.

use crate::level1::Vec1;
use crate::scalar::Scalar;
use crate::vector::{self, Isa};
use crate::Int;

pub type Res = Result<(), i32>;

/// The reference's argument checks as a table: `(failed, position)` pairs in the order the
/// reference tests them, the first failing one reported. Every routine lists its checks this
/// way, so the order (which decides the reported position when several arguments are wrong)
/// stays visible in one place.
#[inline]
pub fn first_error(checks: &[(bool, i32)]) -> Res {
    match checks.iter().find(|(failed, _)| *failed) {
        Some(&(_, position)) => Err(position),
        None => Ok(()),
    }
}

/// Upper-case a Fortran character argument (reference `LSAME` is case-insensitive).
#[inline]
pub fn up(c: u8) -> u8 {
    c.to_ascii_uppercase()
}

/// How a square (triangular, symmetric or Hermitian) matrix is stored.
#[derive(Clone, Copy)]
pub enum Shape {
    /// Column-major with leading dimension.
    Full(usize),
    /// Band storage: leading dimension and number of off-diagonals `k`.
    Band(usize, usize),
    /// Packed columns of the stored triangle.
    Packed,
}

/// A stored triangle of an n x n matrix.
#[derive(Clone, Copy)]
pub struct Tri<T> {
    pub ptr: *mut T,
    pub n: usize,
    pub upper: bool,
    pub shape: Shape,
}

impl<T: Scalar> Tri<T> {
    #[inline(always)]
    fn off(&self, i: usize, j: usize) -> usize {
        match self.shape {
            Shape::Full(lda) => i + j * lda,
            Shape::Band(lda, k) => {
                if self.upper {
                    k + i - j + j * lda
                } else {
                    i - j + j * lda
                }
            }
            Shape::Packed => {
                if self.upper {
                    i + j * (j + 1) / 2
                } else {
                    i + (2 * self.n - j - 1) * j / 2
                }
            }
        }
    }
    /// Row range of the stored part of column `j`.
    #[inline(always)]
    /// The stored rows of column j other than the diagonal: contiguous in storage for every
    /// shape, so that a column's off-diagonal part is one vector operation.
    fn offdiag_rows(&self, j: usize) -> std::ops::Range<usize> {
        let r = self.rows(j);
        if self.upper {
            r.start..j
        } else {
            j + 1..r.end
        }
    }
    /// Address of stored element (lo, j), or of where it would be when `lo` is one past the
    /// stored rows (then nothing may be read from it).
    fn column_at(&self, lo: usize, j: usize) -> *const T {
        // SAFETY (of the pointer arithmetic): inside or one past the stored part of column j.
        unsafe { self.ptr.add(self.off(lo, j)) as *const T }
    }
    fn rows(&self, j: usize) -> std::ops::Range<usize> {
        let k = match self.shape {
            Shape::Band(_, k) => k,
            _ => self.n,
        };
        if self.upper {
            j.saturating_sub(k)..j + 1
        } else {
            j..(j + k + 1).min(self.n)
        }
    }
    /// # Safety
    /// (i, j) in the stored part, storage valid.
    #[inline(always)]
    unsafe fn get(&self, i: usize, j: usize) -> T {
        // SAFETY: caller keeps (i, j) within the stored triangle/band.
        unsafe { *self.ptr.add(self.off(i, j)) }
    }
    /// # Safety
    /// As `get`, storage writable.
    #[inline(always)]
    unsafe fn set(&self, i: usize, j: usize, v: T) {
        // SAFETY: as `get`.
        unsafe { *self.ptr.add(self.off(i, j)) = v }
    }
}

/// The operands of y := alpha op(A) x + beta y (GEMV/GBMV, and the symmetric and Hermitian
/// SYMV family): the matrix with its leading dimension (0 for packed storage), the vectors with
/// their increments, as the BLAS lists carry them.
#[derive(Clone, Copy, Debug)]
pub struct MatVec<T> {
    pub alpha: T,
    pub a: *const T,
    pub lda: Int,
    pub x: *const T,
    pub incx: Int,
    pub beta: T,
    pub y: *mut T,
    pub incy: Int,
}

/// The triangular matrix (leading dimension 0 when packed) and the vector x of TRMV/TRSV and
/// their band and packed forms.
#[derive(Clone, Copy, Debug)]
pub struct TriVec<T> {
    pub a: *const T,
    pub lda: Int,
    pub x: *mut T,
    pub incx: Int,
}

/// The operands of GER: A := alpha x y^T + A.
#[derive(Clone, Copy, Debug)]
pub struct RankOne<T> {
    pub alpha: T,
    pub x: *const T,
    pub incx: Int,
    pub y: *const T,
    pub incy: Int,
    pub a: *mut T,
    pub lda: Int,
}

impl<T> RankOne<T> {
    /// x and y exchanged: A^T := alpha y x^T + A^T, how a row-major GER is computed.
    pub fn swapped(self) -> Self {
        RankOne {
            x: self.y,
            incx: self.incy,
            y: self.x,
            incy: self.incx,
            ..self
        }
    }
}

/// The operands of the symmetric and Hermitian rank-1 (`y` None) and rank-2 updates of A,
/// stored full (leading dimension `lda`) or packed (`lda` unused).
#[derive(Clone, Copy, Debug)]
pub struct SymUpdate<T> {
    pub alpha: T,
    pub x: *const T,
    pub incx: Int,
    pub y: Option<(*const T, Int)>,
    pub a: *mut T,
    pub lda: Int,
}

/// y := beta*y + alpha*r over a strided y, with the reference beta semantics (beta = 0 never
/// reads y; beta = 1 leaves it as is).
unsafe fn update_y<T: Scalar>(y: Vec1<T>, beta: T, alpha: T, r: Option<&[T]>) {
    for i in 0..y.n {
        // SAFETY: i < n.
        unsafe {
            let mut v = if beta.is_zero() {
                T::zero()
            } else if beta.is_one() {
                y.get(i)
            } else {
                beta * y.get(i)
            };
            if let Some(r) = r {
                v += alpha * r[i];
            }
            y.set(i, v);
        }
    }
}

/// Whether an option character is one the reference accepts (case-insensitive, as `LSAME`).
pub(crate) fn trans_ok(t: u8) -> bool {
    matches!(up(t), b'N' | b'T' | b'C')
}
pub(crate) fn uplo_ok(u: u8) -> bool {
    matches!(up(u), b'U' | b'L')
}
pub(crate) fn diag_ok(d: u8) -> bool {
    matches!(up(d), b'U' | b'N')
}

/// The checks of an n x n matrix's storage (band width `k`, leading dimension `lda`), for
/// those of `shape`: whether `k` is invalid (band only) and whether `lda` is (full: n rows;
/// band: k + 1 rows; packed storage has neither).
fn shape_errors(shape: Shape, n: Int, k: Int, lda: Int) -> (bool, bool) {
    match shape {
        Shape::Full(_) => (false, lda < n.max(1)),
        Shape::Band(..) => (k < 0, lda < k + 1),
        Shape::Packed => (false, false),
    }
}

/// gemv (kl = None) and gbmv (kl, ku band widths).
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn gemv<T: Scalar>(
    trans: u8,
    m: Int,
    n: Int,
    band: Option<(Int, Int)>,
    p: MatVec<T>,
    conj_a: bool,
) -> Res {
    let MatVec { alpha, beta, .. } = p;
    // Argument positions differ between gemv and gbmv by the two band arguments.
    let sh = if band.is_some() { 2 } else { 0 };
    let (kl, ku) = band.unwrap_or((0, 0));
    let banded = band.is_some();
    first_error(&[
        (!trans_ok(trans), 1),
        (m < 0, 2),
        (n < 0, 3),
        (banded && kl < 0, 4),
        (banded && ku < 0, 5),
        (!banded && p.lda < m.max(1), 6),
        (banded && p.lda < kl + ku + 1, 8),
        (p.incx == 0, 8 + sh),
        (p.incy == 0, 11 + sh),
    ])?;
    if m == 0 || n == 0 || (alpha.is_zero() && beta.is_one()) {
        return Ok(());
    }
    let t = up(trans) != b'N';
    let cj = up(trans) == b'C' || conj_a;
    let (m, n, lda) = (m as usize, n as usize, p.lda as usize);
    let (lenx, leny) = if t { (m, n) } else { (n, m) };
    let yv = Vec1::new(p.y, leny, p.incy as isize);
    if alpha.is_zero() {
        // SAFETY: BLAS contract.
        unsafe { update_y(yv, beta, alpha, None) };
        return Ok(());
    }
    if band.is_none() {
        // SAFETY: BLAS contract.
        unsafe { gemv_full(t, m, n, alpha, p.a, lda, p.x, p.incx as isize, beta, yv, cj) };
        return Ok(());
    }
    // SAFETY: BLAS contract.
    let xs = unsafe { Vec1::new(p.x, lenx, p.incx as isize).gather() };
    let mut r = vec![T::zero(); leny];
    for j in 0..n {
        let (lo, hi, base) = match band {
            Some((kl, ku)) => {
                let (kl, ku) = (kl as usize, ku as usize);
                (
                    j.saturating_sub(ku),
                    (j + kl + 1).min(m),
                    ku as isize - j as isize,
                )
            }
            None => (0, m, 0),
        };
        let col = j * lda;
        if !t {
            let xj = xs[j];
            for (i, ri) in r.iter_mut().enumerate().take(hi).skip(lo) {
                // SAFETY: (i, j) is inside the stored matrix/band.
                let aij = unsafe { *p.a.add(col + (base + i as isize) as usize) }.conj_if(cj);
                *ri += aij * xj;
            }
        } else {
            let mut s = T::zero();
            for (i, &xi) in xs.iter().enumerate().take(hi).skip(lo) {
                // SAFETY: as above.
                let aij = unsafe { *p.a.add(col + (base + i as isize) as usize) }.conj_if(cj);
                s += aij * xi;
            }
            r[j] = s;
        }
    }
    // SAFETY: BLAS contract.
    unsafe { update_y(yv, beta, alpha, Some(&r)) };
    Ok(())
}

/// The full-storage gemv after the argument checks (m, n >= 1, alpha != 0) on the vector
/// kernels: `y := beta*y + A (alpha x)` column-blocked (the reference's form) or
/// `y := beta*y + alpha (A^T x)` as a row of dots, op(A) conjugated when `cj`.
///
/// # Safety
/// BLAS contract on all pointers.
// Kept out of line, as the compiler placed it before `gemv`'s checks became a table: inlined
// into `gemv` (which the shorter checks allowed), a 64 x 64 dgemv measured about 10% slower.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemv_full<T: Scalar>(
    t: bool,
    m: usize,
    n: usize,
    alpha: T,
    a: *const T,
    lda: usize,
    x: *const T,
    incx: isize,
    beta: T,
    yv: Vec1<T>,
    cj: bool,
) {
    let isa = Isa::active();
    if !t {
        // SAFETY: BLAS contract.
        let xs: Vec<T> = unsafe { Vec1::new(x, n, incx).gather() }
            .into_iter()
            .map(|v| alpha * v)
            .collect();
        // A strided y is updated in a contiguous copy, so that each element is computed
        // exactly as for a contiguous y (beta first, then one fused chain over the columns),
        // whatever the increment.
        // SAFETY: BLAS contract.
        let mut copy = if yv.inc == 1 {
            None
        } else {
            Some(unsafe { yv.gather() })
        };
        let yc = match copy.as_mut() {
            Some(v) => Vec1::new(v.as_mut_ptr(), m, 1),
            None => yv,
        };
        if !beta.is_one() {
            // SAFETY: yc addresses m elements.
            unsafe { update_y(yc, beta, alpha, None) };
        }
        // SAFETY: yc is m contiguous elements, A m x n with leading dimension lda.
        unsafe { vector::gemv_n(isa, m, n, a, lda, xs.as_ptr(), yc.ptr, cj) };
        if let Some(v) = copy {
            // SAFETY: BLAS contract.
            unsafe { yv.scatter(&v) };
        }
    } else {
        // A contiguous x is read where it is: a copy of it was most of the time of a call
        // with few columns (m = 1000, n = 4: 0.98 us against OpenBLAS's 0.49).
        // SAFETY: BLAS contract.
        let copy = (incx != 1).then(|| unsafe { Vec1::new(x, m, incx).gather() });
        let xs = copy.as_ref().map_or(x, |v| v.as_ptr());
        let mut r = vec![T::zero(); n];
        // SAFETY: x is m contiguous elements, r n, A m x n with leading dimension lda.
        unsafe { vector::gemv_t(isa, m, n, a, lda, xs, r.as_mut_ptr(), cj) };
        // SAFETY: BLAS contract.
        unsafe { update_y(yv, beta, alpha, Some(&r)) };
    }
}

/// symv/hemv/sbmv/hbmv/spmv/hpmv: y := alpha*A*x + beta*y, A symmetric (herm = false) or
/// Hermitian. `pos` gives the (lda, incx, incy) argument positions of the calling routine.
///
/// # Safety
/// BLAS contract on all pointers.
pub unsafe fn symv<T: Scalar>(
    uplo: u8,
    n: Int,
    shape: Shape,
    k: Int,
    p: MatVec<T>,
    herm: bool,
    conj_a: bool,
) -> Res {
    let MatVec { alpha, beta, .. } = p;
    let (bad_k, bad_lda) = shape_errors(shape, n, k, p.lda);
    // The positions of lda and the vectors move with the storage's arguments.
    let (plda, px, py) = match shape {
        Shape::Full(_) => (5, 7, 10),
        Shape::Band(..) => (6, 8, 11),
        Shape::Packed => (0, 6, 9),
    };
    first_error(&[
        (!uplo_ok(uplo), 1),
        (n < 0, 2),
        (bad_k, 3),
        (bad_lda, plda),
        (p.incx == 0, px),
        (p.incy == 0, py),
    ])?;
    if n == 0 || (alpha.is_zero() && beta.is_one()) {
        return Ok(());
    }
    let n = n as usize;
    let yv = Vec1::new(p.y, n, p.incy as isize);
    if alpha.is_zero() {
        // SAFETY: BLAS contract.
        unsafe { update_y(yv, beta, alpha, None) };
        return Ok(());
    }
    let tri = Tri {
        ptr: p.a as *mut T,
        n,
        upper: up(uplo) == b'U',
        shape,
    };
    // SAFETY: BLAS contract.
    let xs = unsafe { Vec1::new(p.x, n, p.incx as isize).gather() };
    let mut r = vec![T::zero(); n];
    let isa = Isa::active();
    if let Shape::Full(lda) = shape {
        // SAFETY: BLAS contract; r and xs hold n elements.
        unsafe { symv_full_blocks(&tri, lda, &xs, &mut r, herm, conj_a) };
        // SAFETY: BLAS contract.
        unsafe { update_y(yv, beta, alpha, Some(&r)) };
        return Ok(());
    }
    for j in 0..n {
        // Column j's stored off-diagonal part serves twice: as column j of A (an axpy into
        // r) and, mirrored, as row j (a dot product with x).
        let rows = tri.offdiag_rows(j);
        if !rows.is_empty() {
            let (lo, len) = (rows.start, rows.len());
            let c = tri.column_at(lo, j);
            // SAFETY: `len` stored elements from (lo, j); r and xs hold n elements.
            unsafe {
                vector::axpy(isa, len, xs[j], c, r.as_mut_ptr().add(lo), conj_a);
                r[j] += vector::dot(isa, len, c, xs.as_ptr().add(lo), conj_a != herm);
            }
        }
        // SAFETY: the diagonal is stored.
        let ajj = unsafe { tri.get(j, j) }.conj_if(conj_a);
        let d = if herm { ajj.real_part() } else { ajj };
        r[j] += d * xs[j];
    }
    // SAFETY: BLAS contract.
    unsafe { update_y(yv, beta, alpha, Some(&r)) };
    Ok(())
}

/// Columns of the full-storage `symv` handled together: the stored rectangle below (or above)
/// their diagonal block is read once, by `gemv_nt` (the column update and the mirrored dots in
/// one pass; complex types read it twice, and 8 columns of a 2000-row matrix, 256 KiB of
/// double complex, stay in L2 between the two). 8, the AVX-512 `gemv_nt`'s block: the
/// rectangle's vectors of x and r are read once per 8 columns either way, and the diagonal
/// blocks, element by element, hold half the elements they did at 16 (dsymv 0.93-0.98x the
/// time at n = 500..1000, lda 2000).
const SYMV_BLOCK: usize = 8;

/// r := A x for a symmetric (Hermitian when `herm`) matrix in full storage, one block of
/// SYMV_BLOCK columns at a time: the block's stored rectangle through the GEMV kernels (as
/// columns into the other rows' sums, mirrored as rows into the block's own), its diagonal
/// block column by column.
///
/// # Safety
/// `tri` describes the caller's matrix (full storage, leading dimension `lda`); `xs` and `r`
/// hold `tri.n` elements.
unsafe fn symv_full_blocks<T: Scalar>(
    tri: &Tri<T>,
    lda: usize,
    xs: &[T],
    r: &mut [T],
    herm: bool,
    conj_a: bool,
) {
    let (n, isa) = (tri.n, Isa::active());
    // The mirrored rectangle is conjugated for a Hermitian matrix (on top of `conj_a`).
    let conj_mirror = conj_a != herm;
    for j0 in (0..n).step_by(SYMV_BLOCK) {
        let nb = SYMV_BLOCK.min(n - j0);
        let rect = if tri.upper { 0..j0 } else { j0 + nb..n };
        if !rect.is_empty() {
            let (lo, len) = (rect.start, rect.len());
            let mut mirrored = [T::zero(); SYMV_BLOCK];
            // SAFETY: rows lo..lo + len of columns j0..j0 + nb are stored; r, xs hold n.
            unsafe {
                let a = tri.ptr.add(lo + j0 * lda) as *const T;
                let (x_block, x_rect) = (xs.as_ptr().add(j0), xs.as_ptr().add(lo));
                vector::gemv_nt(
                    isa,
                    len,
                    nb,
                    a,
                    lda,
                    (x_block, r.as_mut_ptr().add(lo)),
                    (x_rect, mirrored.as_mut_ptr()),
                    (conj_a, conj_mirror),
                );
            }
            for (rj, m) in r[j0..j0 + nb].iter_mut().zip(&mirrored) {
                *rj += *m;
            }
        }
        // The diagonal block, element by element. Full storage addressed directly and r[j]
        // kept in a register (i never equals j here): this loop is about a tenth of the
        // n = 1000 call when it goes through `Tri::get` and indexed slices, with the same
        // operations in the same order either way.
        let (a, r, xs) = (tri.ptr as *const T, r.as_mut_ptr(), xs.as_ptr());
        for j in j0..j0 + nb {
            let rows = if tri.upper { j0..j } else { j + 1..j0 + nb };
            // SAFETY: column j's rows j0..j0 + nb are stored (the diagonal and the stored
            // side of it); r and xs hold n > j0 + nb - 1 elements; a column read, r written.
            unsafe {
                let col = a.add(j * lda);
                let xj = *xs.add(j);
                let mut rj = *r.add(j);
                for i in rows {
                    let aij = (*col.add(i)).conj_if(conj_a);
                    *r.add(i) += aij * xj;
                    rj += aij.conj_if(herm) * *xs.add(i);
                }
                let ajj = (*col.add(j)).conj_if(conj_a);
                let d = if herm { ajj.real_part() } else { ajj };
                *r.add(j) = rj + d * xj;
            }
        }
    }
}

/// trmv/tbmv/tpmv (solve = false) and trsv/tbsv/tpsv (solve = true).
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::too_many_arguments)]
pub unsafe fn trmv<T: Scalar>(
    uplo: u8,
    trans: u8,
    diag: u8,
    n: Int,
    shape: Shape,
    k: Int,
    p: TriVec<T>,
    solve: bool,
    conj_a: bool,
) -> Res {
    let (bad_k, bad_lda) = shape_errors(shape, n, k, p.lda);
    let (plda, px) = match shape {
        Shape::Full(_) => (6, 8),
        Shape::Band(..) => (7, 9),
        Shape::Packed => (0, 7),
    };
    first_error(&[
        (!uplo_ok(uplo), 1),
        (!trans_ok(trans), 2),
        (!diag_ok(diag), 3),
        (n < 0, 4),
        (bad_k, 5),
        (bad_lda, plda),
        (p.incx == 0, px),
    ])?;
    if n == 0 {
        return Ok(());
    }
    let n = n as usize;
    let tri = Tri {
        ptr: p.a as *mut T,
        n,
        upper: up(uplo) == b'U',
        shape,
    };
    let t = up(trans) != b'N';
    let cj = up(trans) == b'C' || conj_a;
    let unit = up(diag) == b'U';
    let xv = Vec1::new(p.x, n, p.incx as isize);
    // SAFETY: BLAS contract.
    let mut xs = unsafe { xv.gather() };
    // SAFETY (all `tri.get` below): indices come from `tri.rows(j)`.
    let get = |i: usize, j: usize| unsafe { tri.get(i, j) }.conj_if(cj);
    let isa = Isa::active();
    let offdiag = |j: usize| tri.offdiag_rows(j);
    let col = |lo: usize, j: usize| tri.column_at(lo, j);
    if !solve {
        let mut r = vec![T::zero(); n];
        for j in 0..n {
            let d = if unit { T::one() } else { get(j, j) };
            let rows = offdiag(j);
            let len = rows.len();
            // SAFETY: `len` stored elements from (rows.start, j); r and xs hold n elements.
            unsafe {
                if len > 0 {
                    let c = col(rows.start, j);
                    if !t {
                        vector::axpy(isa, len, xs[j], c, r.as_mut_ptr().add(rows.start), cj);
                    } else {
                        r[j] += vector::dot(isa, len, c, xs.as_ptr().add(rows.start), cj);
                    }
                }
            }
            r[j] += d * xs[j];
        }
        xs = r;
    } else {
        let upper = tri.upper;
        // Non-transposed upper and transposed lower eliminate from the last unknown backwards.
        let backward = upper != t;
        let order: Box<dyn Iterator<Item = usize>> = if backward {
            Box::new((0..n).rev())
        } else {
            Box::new(0..n)
        };
        for j in order {
            let rows = offdiag(j);
            let len = rows.len();
            if !t {
                if !unit {
                    xs[j] = xs[j] / get(j, j);
                }
                if len > 0 {
                    let xj = xs[j];
                    // SAFETY: `len` stored elements from (rows.start, j); xs holds n; the
                    // updated rows exclude j.
                    unsafe {
                        let c = col(rows.start, j);
                        vector::axpy(isa, len, -xj, c, xs.as_mut_ptr().add(rows.start), cj);
                    }
                }
            } else {
                let mut s = xs[j];
                if len > 0 {
                    // SAFETY: as above; the rows read exclude j.
                    s -= unsafe {
                        vector::dot(
                            isa,
                            len,
                            col(rows.start, j),
                            xs.as_ptr().add(rows.start),
                            cj,
                        )
                    };
                }
                xs[j] = if unit { s } else { s / get(j, j) };
            }
        }
    }
    // SAFETY: BLAS contract.
    unsafe { xv.scatter(&xs) };
    Ok(())
}

/// ger/geru/gerc: A := alpha * op(x) * op(y)^T + A, op = conj when the flag is set.
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::needless_range_loop)]
pub unsafe fn ger<T: Scalar>(m: Int, n: Int, p: RankOne<T>, conj_x: bool, conj_y: bool) -> Res {
    let RankOne { alpha, a, lda, .. } = p;
    first_error(&[
        (m < 0, 1),
        (n < 0, 2),
        (p.incx == 0, 5),
        (p.incy == 0, 7),
        (lda < m.max(1), 9),
    ])?;
    if m == 0 || n == 0 || alpha.is_zero() {
        return Ok(());
    }
    let (m, n, lda) = (m as usize, n as usize, lda as usize);
    // SAFETY: BLAS contract.
    let xs = unsafe { Vec1::new(p.x, m, p.incx as isize).gather() };
    let ys = unsafe { Vec1::new(p.y, n, p.incy as isize).gather() };
    let isa = Isa::active();
    for j in 0..n {
        let t = alpha * ys[j].conj_if(conj_y);
        // SAFETY: column j holds m <= lda elements; xs holds m.
        unsafe { vector::axpy(isa, m, t, xs.as_ptr(), a.add(j * lda), conj_x) };
    }
    Ok(())
}

/// syr/her/spr/hpr (y = None) and syr2/her2/spr2/hpr2: rank-1 or rank-2 update of a stored
/// triangle. For Hermitian updates the diagonal is made real, as in the reference.
///
/// # Safety
/// BLAS contract on all pointers.
#[allow(clippy::needless_range_loop)]
pub unsafe fn syr<T: Scalar>(
    uplo: u8,
    n: Int,
    p: SymUpdate<T>,
    shape: Shape,
    herm: bool,
    conj_xy: bool,
) -> Res {
    let SymUpdate { alpha, y, .. } = p;
    let full = matches!(shape, Shape::Full(_));
    first_error(&[
        (!uplo_ok(uplo), 1),
        (n < 0, 2),
        (p.incx == 0, 5),
        (y.is_some_and(|(_, incy)| incy == 0), 7),
        (full && p.lda < n.max(1), if y.is_some() { 9 } else { 7 }),
    ])?;
    if n == 0 || alpha.is_zero() {
        return Ok(());
    }
    let n = n as usize;
    let tri = Tri {
        ptr: p.a,
        n,
        upper: up(uplo) == b'U',
        shape,
    };
    // SAFETY: BLAS contract.
    let xs: Vec<T> = unsafe { Vec1::new(p.x, n, p.incx as isize).gather() }
        .into_iter()
        .map(|v| v.conj_if(conj_xy))
        .collect();
    let ys: Option<Vec<T>> = y.map(|(p, inc)| {
        // SAFETY: BLAS contract.
        unsafe { Vec1::new(p, n, inc as isize).gather() }
            .into_iter()
            .map(|v| v.conj_if(conj_xy))
            .collect()
    });
    let calpha = alpha.conj_if(herm);
    for j in 0..n {
        for i in tri.rows(j) {
            let upd = match &ys {
                None => xs[i] * alpha * xs[j].conj_if(herm),
                Some(ys) => {
                    xs[i] * alpha * ys[j].conj_if(herm) + ys[i] * calpha * xs[j].conj_if(herm)
                }
            };
            // SAFETY: (i, j) stored.
            unsafe {
                let old = tri.get(i, j);
                let v = if herm && i == j {
                    (old.real_part() + upd).real_part()
                } else {
                    old + upd
                };
                tri.set(i, j, v);
            }
        }
    }
    Ok(())
}

//! Triangular-result GEMM ("gemmt"): the stored triangle of an n×n C := alpha op(A) op(B) +
//! beta C, never touching the other triangle, and the symmetric/Hermitian products built on the
//! GEMM engine without dense copies of the symmetric matrix.
//!
//! `gemmt` runs the GEMM engine in its triangle mode (`gemm::gemm_stored_with`): register
//! tiles wholly outside the triangle are skipped, tiles crossing the diagonal run on the
//! engine's scratch tile and only their stored elements are copied back. The wasted work is at
//! most one register tile per tile column, and no n×n temporary exists. SYRK/HERK and
//! SYR2K/HER2K (`crate::level3::syrk`) are one or two such products.
//!
//! Threads take column ranges of the triangle holding equal shares of its elements (not equal
//! column counts: a column of a lower triangle is longer the further left it is), each range a
//! trapezoid computed with a single-threaded engine call. Every element is still computed by
//! the same kernel with the same alpha, beta and depth chain whatever range it falls in (see
//! "Reproducibility" in `crate::gemm`), so results do not depend on the thread count or on n.
//!
//! SYMM/HEMM (`symm`) cut the depth (the order of the symmetric matrix S) into blocks of the
//! kernel's KC. Per block, the parts of S off the diagonal are GEMM operands read in place from
//! the stored triangle (the mirrored part as a transposed, for Hermitian conjugated, view: the
//! engine's packing does the mirroring) and only the KC×KC diagonal block is expanded. Cutting
//! at KC multiples is where the engine cuts its own depth chain, so every element sees the
//! operations of a GEMM on the dense matrix, whatever the other dimension or thread count.

use crate::gemm::{gemm, gemm_stored_with, GemmScalar, MatRef, Stored};
use crate::scalar::Scalar;

/// C's pointer, handed to the threads that each write a disjoint column range.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: every thread writes only its own columns of C, within the call's lifetime.
unsafe impl<T: Send> Send for OutPtr<T> {}

/// The stored triangle (`upper` or lower) of the n×n C at `c` := alpha op(A) op(B) + beta C,
/// op(A) n×k and op(B) k×n; the other triangle is left bit for bit. beta == 0 never reads C;
/// alpha == 0 or k == 0 only scales the triangle.
///
/// # Safety
/// Operands addressable as described; C addressable as n×n with leading dimension `ldc`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemmt<T: GemmScalar>(
    upper: bool,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    if n == 0 {
        return;
    }
    let u = T::ukr(crate::arch::active());
    let (threads, min_work) = crate::arch::threading();
    // The multiply-adds of the triangle.
    let work = (n.saturating_mul(n + 1) / 2).saturating_mul(k);
    let useful = !(alpha.is_zero() || k == 0);
    let parts = if useful && work >= min_work {
        // Each part at least a few tile columns wide.
        threads.min(n / (4 * u.nr)).max(1)
    } else {
        1
    };
    let out = OutPtr(c);
    // Columns lo..hi: a trapezoid of the triangle (rows lo..n when lower, 0..hi when upper).
    let part = move |lo: usize, hi: usize| {
        let out = out;
        let (r0, m) = if upper { (0, hi) } else { (lo, n - lo) };
        let stored = Stored {
            upper,
            offset: lo as isize - r0 as isize,
        };
        let (mut sa, mut sb) = (a, b);
        // SAFETY: rows r0.. of op(A), columns lo.. of op(B) and the block of C at (r0, lo)
        // lie inside the operands (r0 + m <= n, hi <= n).
        unsafe {
            sa.ptr = a.ptr.add(r0 * a.rs);
            sb.ptr = b.ptr.add(lo * b.cs);
            let cp = out.0.add(r0 + lo * ldc);
            gemm_stored_with(&u, stored, m, hi - lo, k, alpha, sa, sb, beta, cp, ldc);
        }
    };
    if parts == 1 {
        part(0, n);
        return;
    }
    let bounds = balanced_bounds(upper, n, parts, u.nr);
    let mut workers = crate::threads::Workers::new();
    let cpus = crate::threads::worker_cpus(parts - 1);
    for (index, w) in bounds.windows(2).enumerate().skip(1) {
        let (lo, hi) = (w[0], w[1]);
        // SAFETY: `workers` joins every thread before this function returns, so the operands
        // the (copied) closure points into outlive the threads that run it.
        let started =
            unsafe { workers.spawn_on(cpus.get(index - 1).copied(), move || part(lo, hi)) };
        if !started {
            // The OS refused a thread: do that share on the calling thread.
            part(lo, hi);
        }
    }
    part(bounds[0], bounds[1]);
    drop(workers);
}

/// Column boundaries 0 = b0 < b1 < ... = n cutting an n×n triangle into `parts` ranges of
/// about equal area, on multiples of `align` (a register tile) where possible. The columns
/// 0..c of an upper triangle hold c²/2 elements, of a lower one n²/2 - (n-c)²/2.
fn balanced_bounds(upper: bool, n: usize, parts: usize, align: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    for t in 1..parts {
        let share = t as f64 / parts as f64;
        let c = if upper {
            n as f64 * share.sqrt()
        } else {
            n as f64 * (1.0 - (1.0 - share).sqrt())
        };
        let c = ((c / align as f64).round() as usize * align).min(n);
        if c > *bounds.last().unwrap_or(&0) && c < n {
            bounds.push(c);
        }
    }
    bounds.push(n);
    bounds
}

/// The symmetric operand of a SYMM/HEMM: the stored triangle of an order-`ka` matrix S
/// (Hermitian when `herm`: conjugate mirror, real diagonal).
#[derive(Clone, Copy)]
pub struct SymOperand<T> {
    pub a: *const T,
    pub lda: usize,
    pub ka: usize,
    pub upper: bool,
    pub herm: bool,
}

// SAFETY: a read-only view of the caller's matrix, used within the call only.
unsafe impl<T: Sync> Send for SymOperand<T> {}

impl<T: Scalar> SymOperand<T> {
    /// The block of S at (r0, c0) as a GEMM operand read in place, for a non-empty block wholly
    /// below (`below`) or above the diagonal: the stored triangle as it is, the other one as
    /// the (conjugate) transpose of the stored mirror image.
    fn off_diagonal(&self, r0: usize, c0: usize, below: bool) -> MatRef<T> {
        if below != self.upper {
            // SAFETY (of later reads): (r0, c0) is inside A.
            MatRef {
                ptr: unsafe { self.a.add(r0 + c0 * self.lda) },
                rs: 1,
                cs: self.lda,
                conj: false,
            }
        } else {
            // S(r, c) = A(c, r), conjugated when Hermitian.
            // SAFETY (of later reads): (c0, r0) is inside A.
            MatRef {
                ptr: unsafe { self.a.add(c0 + r0 * self.lda) },
                rs: self.lda,
                cs: 1,
                conj: self.herm,
            }
        }
    }

    /// The diagonal block S(j0..j0+w, j0..j0+w) into `out` (column-major, ld w), in one pass
    /// over the stored columns: each stored element is written to its place and its mirror's,
    /// so every element of `out` is written (it may start uninitialised).
    ///
    /// # Safety
    /// `out` has room for w×w elements; j0 + w <= ka.
    unsafe fn expand_diagonal(&self, j0: usize, w: usize, out: *mut T) {
        for l in 0..w {
            // SAFETY: column j0 + l of A, rows j0..j0 + w, lies inside A; every (i, l) and
            // (l, i) lies inside `out`.
            unsafe {
                let col = std::slice::from_raw_parts(self.a.add(j0 + (j0 + l) * self.lda), w);
                let rows = if self.upper { 0..l } else { l + 1..w };
                for i in rows {
                    out.add(i + l * w).write(col[i]);
                    out.add(l + i * w).write(col[i].conj_if(self.herm));
                }
                let d = if self.herm {
                    col[l].real_part()
                } else {
                    col[l]
                };
                out.add(l + l * w).write(d);
            }
        }
    }
}

/// Depth block of the symmetric products: the active kernel's KC, so the blocks end where the
/// engine ends its own depth chains.
fn depth_block<T: GemmScalar>() -> usize {
    T::ukr(crate::arch::active()).kc.max(1)
}

/// One SYMM/HEMM product: C := alpha S B + beta C (`left`, B and C m×n with m = S's order) or
/// C := alpha B S + beta C (B and C m×n, n = S's order). `symm` splits it into products over
/// disjoint columns (left) or rows (right) of B and C (`part`), each computed by `compute`.
#[derive(Clone, Copy)]
struct SymmProduct<T> {
    s: SymOperand<T>,
    left: bool,
    /// B and C are m×n.
    m: usize,
    n: usize,
    alpha: T,
    beta: T,
    /// B and C, column-major: (pointer, leading dimension).
    b: (*const T, usize),
    c: (*mut T, usize),
}
// SAFETY: threads read S and B and write disjoint parts of C within the call's lifetime.
unsafe impl<T: Sync> Send for SymmProduct<T> {}

/// SYMM/HEMM (see `SymmProduct`). For a left product the columns of C are independent, for a
/// right one the rows: they are split between the library's threads, each share with
/// single-threaded GEMMs, when the product is large enough.
///
/// # Safety
/// Operands addressable as described; alpha != 0.
#[allow(clippy::too_many_arguments)]
pub unsafe fn symm<T: GemmScalar>(
    s: SymOperand<T>,
    left: bool,
    m: usize,
    n: usize,
    alpha: T,
    b: *const T,
    ldb: usize,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let product = SymmProduct {
        s,
        left,
        m,
        n,
        alpha,
        beta,
        b: (b, ldb),
        c: (c, ldc),
    };
    let (threads, min_work) = crate::arch::threading();
    let count = if left { n } else { m };
    let work = s.ka.saturating_mul(s.ka).saturating_mul(count);
    let parts = threads.min(count / 16).max(1);
    if parts == 1 || work < min_work {
        // SAFETY: the caller's operands.
        unsafe { product.compute(false) };
        return;
    }
    // SAFETY: columns (left) or rows (right) lo..hi lie inside B and C; parts are disjoint in C.
    let part = move |lo: usize, hi: usize| unsafe { product.part(lo, hi).compute(true) };
    let per = count.div_ceil(parts);
    let mut workers = crate::threads::Workers::new();
    let cpus = crate::threads::worker_cpus(parts - 1);
    for (index, lo) in (per..count).step_by(per).enumerate() {
        let hi = (lo + per).min(count);
        // SAFETY: `workers` joins every thread before this function returns.
        let started = unsafe { workers.spawn_on(cpus.get(index).copied(), move || part(lo, hi)) };
        if !started {
            part(lo, hi);
        }
    }
    part(0, per.min(count));
    drop(workers);
}

impl<T: GemmScalar> SymmProduct<T> {
    /// The product restricted to columns (left) or rows (right) lo..hi of B and C.
    ///
    /// # Safety
    /// lo..hi lies inside that dimension.
    unsafe fn part(self, lo: usize, hi: usize) -> Self {
        let ((b, ldb), (c, ldc)) = (self.b, self.c);
        // SAFETY: caller's bounds.
        unsafe {
            if self.left {
                SymmProduct {
                    n: hi - lo,
                    b: (b.add(lo * ldb), ldb),
                    c: (c.add(lo * ldc), ldc),
                    ..self
                }
            } else {
                SymmProduct {
                    m: hi - lo,
                    b: (b.add(lo), ldb),
                    c: (c.add(lo), ldc),
                    ..self
                }
            }
        }
    }

    /// The depth (S's order) in blocks J of KC; for each, the rows of S before J, J's diagonal
    /// block and the rows after J (left; columns for a right product) are three GEMM updates.
    /// The off-diagonal ones read A in place (GEMM's packing mirrors and conjugates); only the
    /// diagonal block is expanded, into a KC×KC buffer. `serial`: single-threaded GEMMs (the
    /// caller's threads already share the product).
    ///
    /// # Safety
    /// As `symm`.
    unsafe fn compute(self, serial: bool) {
        let (s, ka, left, alpha, beta) = (self.s, self.s.ka, self.left, self.alpha, self.beta);
        let (m, n, (b, ldb), (c, ldc)) = (self.m, self.n, self.b, self.c);
        let nb = depth_block::<T>().min(ka);
        // From the packing buffers' cache: a fresh allocation this size would be a new mapping,
        // page-faulted in on every call.
        let mut buffer = crate::gemm::buffers::Buffer::new(nb * nb * std::mem::size_of::<T>());
        let diag: *mut T = buffer.as_mut_ptr();
        let u = T::ukr(crate::arch::active());
        let run = |m: usize, n: usize, k: usize, x: MatRef<T>, y: MatRef<T>, beta: T, c: *mut T| {
            // SAFETY: the caller passes blocks inside the operands.
            unsafe {
                if serial {
                    crate::gemm::gemm_with(&u, m, n, k, alpha, x, y, beta, c, ldc)
                } else {
                    gemm(m, n, k, alpha, x, y, beta, c, ldc)
                }
            }
        };
        for j0 in (0..ka).step_by(nb) {
            let (w, j1) = (nb.min(ka - j0), (j0 + nb).min(ka));
            // SAFETY: the buffer holds nb×nb >= w×w elements; j0 + w <= ka.
            unsafe { s.expand_diagonal(j0, w, diag) };
            let d = MatRef::op(diag as *const T, w, b'N');
            // Later depth blocks accumulate onto the first one's result.
            let beta_j = if j0 == 0 { beta } else { T::one() };
            // SAFETY: every block below lies inside B, C or S (j1 <= ka).
            unsafe {
                if left {
                    // C(rows R, :) += S(R, J) B(J, :) for R = before J, J, after J.
                    let bj = MatRef::op(b.add(j0), ldb, b'N');
                    if j0 > 0 {
                        run(j0, n, w, s.off_diagonal(0, j0, false), bj, beta_j, c);
                    }
                    run(w, n, w, d, bj, beta_j, c.add(j0));
                    if j1 < ka {
                        let after = s.off_diagonal(j1, j0, true);
                        run(ka - j1, n, w, after, bj, beta_j, c.add(j1));
                    }
                } else {
                    // C(:, cols R) += B(:, J) S(J, R).
                    let bj = MatRef::op(b.add(j0 * ldb), ldb, b'N');
                    if j0 > 0 {
                        run(m, j0, w, bj, s.off_diagonal(j0, 0, true), beta_j, c);
                    }
                    run(m, w, w, bj, d, beta_j, c.add(j0 * ldc));
                    if j1 < ka {
                        let after = s.off_diagonal(j0, j1, false);
                        run(m, ka - j1, w, bj, after, beta_j, c.add(j1 * ldc));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_bounds_split_the_triangle_evenly() {
        for upper in [false, true] {
            let n = 2000;
            let b = balanced_bounds(upper, n, 2, 6);
            assert_eq!(b.len(), 3);
            let area = |lo: usize, hi: usize| -> usize {
                (lo..hi).map(|j| if upper { j + 1 } else { n - j }).sum()
            };
            let (a0, a1) = (area(b[0], b[1]), area(b[1], b[2]));
            assert!(
                a0.abs_diff(a1) * 50 < a0 + a1,
                "{upper} {b:?}: {a0} vs {a1}"
            );
            assert_eq!(b[1] % 6, 0);
        }
        // Too narrow to split: one range.
        assert_eq!(balanced_bounds(false, 3, 4, 6), vec![0, 3]);
    }
}

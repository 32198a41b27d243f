//! Triangular-result GEMM ("gemmt"): the stored triangle of an n×n C := alpha op(A) op(B) +
//! beta C, never touching the other triangle, and the symmetric/Hermitian products built on the
//! GEMM engine without dense copies of the symmetric matrix.
//!
//! `gemmt` runs the GEMM engine in its triangle mode (`gemm::gemm_stored_with`): register
//! tiles wholly outside the triangle are skipped, tiles crossing the diagonal run on the
//! engine's scratch tile and only their stored elements are copied back. The wasted work is at
//! most one register tile per tile column, and no n×n temporary exists. SYRK/HERK and
//! SYR2K/HER2K (`crate::level3::syrk`) are one or two such products, two in one pass
//! (`gemmt_sum`).
//!
//! Threads take column ranges of the triangle holding equal shares of its elements (not equal
//! column counts: a column of a lower triangle is longer the further left it is), each range a
//! trapezoid computed with a single-threaded engine call. Every element is still computed by
//! the same kernel with the same alpha, beta and depth chain whatever range it falls in (see
//! "Reproducibility" in `crate::gemm`), so results do not depend on the thread count or on n.
//!
//! SYMM/HEMM (`symm`) are one GEMM engine pass each (per thread) whose packing of the
//! symmetric operand S reads its stored triangle directly, mirroring (and for Hermitian
//! conjugating) the other half into the packed panels (`gemm::gemm_symmetric_with`). The
//! engine's depth chain is that of a GEMM on the dense matrix, so every element sees the same
//! operations whatever the other dimension or thread count, and the cost is a GEMM's: B is
//! packed once per depth block, and no part of S is copied outside the packed panels.

use crate::gemm::{
    gemm_stored_with, gemm_symmetric_with, GemmScalar, MatRef, Stored, SymSide, Symmetric,
};

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
    // SAFETY: forwarded contract.
    unsafe { gemmt_sum(upper, n, k, [(alpha, a, b)], beta, c, ldc) }
}

/// `gemmt` of a sum: C := sum of alpha_t op(A_t) op(B_t) + beta C over the `terms`, each term
/// accumulating onto the previous one's result with beta = 1, so every element gets exactly
/// the bits of successive `gemmt` calls. One pass (SYR2K/HER2K's two products): the threads
/// are started once and each range's block of C stays in cache between the terms.
///
/// # Safety
/// As `gemmt`, for every term.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemmt_sum<T: GemmScalar, const N: usize>(
    upper: bool,
    n: usize,
    k: usize,
    terms: [(T, MatRef<T>, MatRef<T>); N],
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    if n == 0 || N == 0 {
        return;
    }
    let u = T::ukr(crate::arch::active());
    // The multiply-adds of the triangle.
    let threads = crate::arch::threads_for::<T>(
        (n.saturating_mul(n + 1) / 2)
            .saturating_mul(k)
            .saturating_mul(N),
    );
    let useful = !(terms.iter().all(|t| t.0.is_zero()) || k == 0);
    let parts = if useful {
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
        for (t, &(alpha, a, b)) in terms.iter().enumerate() {
            let (mut sa, mut sb) = (a, b);
            let beta = if t == 0 { beta } else { T::one() };
            // SAFETY: rows r0.. of op(A), columns lo.. of op(B) and the block of C at (r0, lo)
            // lie inside the operands (r0 + m <= n, hi <= n).
            unsafe {
                sa.ptr = a.ptr.add(r0 * a.rs);
                sb.ptr = b.ptr.add(lo * b.cs);
                let cp = out.0.add(r0 + lo * ldc);
                gemm_stored_with(u, stored, m, hi - lo, k, alpha, sa, sb, beta, cp, ldc);
            }
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

/// One SYMM/HEMM product: C := alpha S B + beta C (`left`, B and C m×n with m = S's order) or
/// C := alpha B S + beta C (B and C m×n, n = S's order). `symm` splits it into products over
/// disjoint ranges of C's rows or columns (`part`), each one engine pass (`compute`).
#[derive(Clone, Copy)]
struct SymmProduct<T> {
    s: SymOperand<T>,
    left: bool,
    /// B and C are m×n.
    m: usize,
    n: usize,
    /// First row of S the operand's rows start at: C's rows (left) or columns (right) are
    /// S's `offset..`.
    offset: usize,
    alpha: T,
    beta: T,
    /// B and C, column-major: (pointer, leading dimension).
    b: (*const T, usize),
    c: (*mut T, usize),
}
// SAFETY: threads read S and B and write disjoint parts of C within the call's lifetime.
unsafe impl<T: Sync> Send for SymmProduct<T> {}

/// SYMM/HEMM (see `SymmProduct`). Every element of C costs the same (a full row or column of
/// S), so threads take equal ranges of C's longer dimension, on register-tile multiples, each
/// range one single-threaded engine pass.
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
        offset: 0,
        alpha,
        beta,
        b: (b, ldb),
        c: (c, ldc),
    };
    let u = T::ukr(crate::arch::active());
    let threads = crate::arch::threads_for::<T>(s.ka.saturating_mul(m).saturating_mul(n));
    let split_n = n >= m;
    let (len, tile) = if split_n { (n, u.nr) } else { (m, u.mr) };
    let tiles = len.div_ceil(tile).max(1);
    let parts = threads.clamp(1, tiles);
    if parts == 1 {
        // SAFETY: the caller's operands.
        unsafe { product.compute() };
        return;
    }
    let per = tiles.div_ceil(parts) * tile;
    // SAFETY: lo..hi lies inside the split dimension; parts are disjoint in C.
    let part = move |lo: usize, hi: usize| unsafe { product.part(split_n, lo, hi).compute() };
    let mut workers = crate::threads::Workers::new();
    let cpus = crate::threads::worker_cpus(parts - 1);
    for (index, lo) in (per..len).step_by(per).enumerate() {
        let hi = (lo + per).min(len);
        // SAFETY: `workers` joins every thread before this function returns.
        let started = unsafe { workers.spawn_on(cpus.get(index).copied(), move || part(lo, hi)) };
        if !started {
            part(lo, hi);
        }
    }
    part(0, per.min(len));
    drop(workers);
}

impl<T: GemmScalar> SymmProduct<T> {
    /// The product restricted to columns (`cols`) or rows lo..hi of C. Cutting the side S
    /// multiplies from moves S's row offset; cutting the other one moves B.
    ///
    /// # Safety
    /// lo..hi lies inside that dimension.
    unsafe fn part(self, cols: bool, lo: usize, hi: usize) -> Self {
        let ((b, ldb), (c, ldc)) = (self.b, self.c);
        // SAFETY: caller's bounds.
        unsafe {
            if cols {
                SymmProduct {
                    n: hi - lo,
                    offset: if self.left { 0 } else { lo },
                    b: if self.left {
                        (b.add(lo * ldb), ldb)
                    } else {
                        self.b
                    },
                    c: (c.add(lo * ldc), ldc),
                    ..self
                }
            } else {
                SymmProduct {
                    m: hi - lo,
                    offset: if self.left { lo } else { 0 },
                    b: if self.left { self.b } else { (b.add(lo), ldb) },
                    c: (c.add(lo), ldc),
                    ..self
                }
            }
        }
    }

    /// One single-threaded engine pass over the whole depth (S's order), S's panels packed
    /// straight from its stored triangle (`gemm::gemm_symmetric_with`): B is packed once per
    /// depth block, not once per part of S, and no part of S is expanded.
    ///
    /// # Safety
    /// As `symm`.
    unsafe fn compute(self) {
        let (s, m, n, (b, ldb), (c, ldc)) = (self.s, self.m, self.n, self.b, self.c);
        let u = T::ukr(crate::arch::active());
        let sym = Symmetric::new(s.upper, s.herm, self.offset);
        let stored = MatRef::op(s.a, s.lda, b'N');
        let other = MatRef::op(b, ldb, b'N');
        // SAFETY: S's rows offset.. and all its columns, B and C as the caller guarantees.
        unsafe {
            if self.left {
                let side = SymSide::A(sym);
                gemm_symmetric_with(
                    u, side, m, n, s.ka, self.alpha, stored, other, self.beta, c, ldc,
                )
            } else {
                let side = SymSide::B(sym);
                gemm_symmetric_with(
                    u, side, m, n, s.ka, self.alpha, other, stored, self.beta, c, ldc,
                )
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

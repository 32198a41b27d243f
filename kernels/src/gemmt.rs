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
//! SYMM/HEMM (`symm_left`, `symm_right`) cut the depth (the order of the symmetric matrix) into
//! blocks of the kernel's KC: each block is a panel of the full symmetric matrix, built from the
//! stored triangle (mirrored, conjugated for Hermitian, real diagonal) in a panel-sized buffer,
//! and one GEMM accumulates it. Cutting at KC multiples is where the engine cuts its own depth
//! chain, so every element sees exactly the operations of a GEMM on the dense matrix.

use crate::gemm::{gemm, gemm_stored_with, GemmScalar, MatRef, Stored};
use crate::scalar::Scalar;

/// C's pointer, handed to the threads that each write a disjoint column range.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: every thread writes only its own columns of C, within the call's lifetime.
unsafe impl<T: Send> Send for OutPtr<T> {}
unsafe impl<T: Sync> Sync for OutPtr<T> {}

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
    let work = n.saturating_mul(n + 1) / 2 * k;
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
        // SAFETY: `workers` joins every thread before this function returns, so the borrowed
        // closure outlives the threads that run it.
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

/// Element (i, j) of the symmetric (Hermitian when `herm`: conjugate mirror, real diagonal)
/// matrix whose `upper` or lower triangle is stored at `a`.
///
/// # Safety
/// (i, j) and (j, i) inside A.
#[inline(always)]
unsafe fn sym_at<T: Scalar>(
    a: *const T,
    lda: usize,
    upper: bool,
    herm: bool,
    i: usize,
    j: usize,
) -> T {
    // SAFETY: caller's bounds; only the stored triangle is read.
    unsafe {
        if i == j {
            let d = *a.add(i + j * lda);
            if herm {
                d.real_part()
            } else {
                d
            }
        } else if (i < j) == upper {
            *a.add(i + j * lda)
        } else {
            (*a.add(j + i * lda)).conj_if(herm)
        }
    }
}

/// The symmetric operand of a SYMM/HEMM: the stored triangle of an order-`ka` matrix.
#[derive(Clone, Copy)]
pub struct SymOperand<T> {
    pub a: *const T,
    pub lda: usize,
    pub ka: usize,
    pub upper: bool,
    pub herm: bool,
}

/// Depth block of the symmetric products: the active kernel's KC, so the blocks end where the
/// engine ends its own depth chains.
fn depth_block<T: GemmScalar>() -> usize {
    T::ukr(crate::arch::active()).kc.max(1)
}

/// C := alpha S B + beta C (side L), S the symmetric m×m operand, B and C m×n.
///
/// # Safety
/// Operands addressable as described; alpha != 0.
#[allow(clippy::too_many_arguments)]
pub unsafe fn symm_left<T: GemmScalar>(
    s: SymOperand<T>,
    n: usize,
    alpha: T,
    b: *const T,
    ldb: usize,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let m = s.ka;
    let nb = depth_block::<T>().min(m);
    // Columns j0..j0+w of S, all m rows (ld m).
    let mut panel = vec![T::zero(); m * nb];
    for j0 in (0..m).step_by(nb) {
        let w = nb.min(m - j0);
        for l in 0..w {
            let col = &mut panel[l * m..(l + 1) * m];
            for (i, v) in col.iter_mut().enumerate() {
                // SAFETY: i, j0 + l < m.
                *v = unsafe { sym_at(s.a, s.lda, s.upper, s.herm, i, j0 + l) };
            }
        }
        let x = MatRef::op(panel.as_ptr(), m, b'N');
        // SAFETY: rows j0..j0+w of B lie inside B.
        let y = MatRef::op(unsafe { b.add(j0) }, ldb, b'N');
        // Later depth blocks accumulate onto the first one's result.
        let beta_j = if j0 == 0 { beta } else { T::one() };
        // SAFETY: checked dimensions.
        unsafe { gemm(m, n, w, alpha, x, y, beta_j, c, ldc) };
    }
}

/// C := alpha B S + beta C (side R), S the symmetric n×n operand, B and C m×n.
///
/// # Safety
/// Operands addressable as described; alpha != 0.
#[allow(clippy::too_many_arguments)]
pub unsafe fn symm_right<T: GemmScalar>(
    s: SymOperand<T>,
    m: usize,
    alpha: T,
    b: *const T,
    ldb: usize,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let n = s.ka;
    let nb = depth_block::<T>().min(n);
    // Rows i0..i0+w of S, all n columns (ld nb).
    let mut panel = vec![T::zero(); nb * n];
    for i0 in (0..n).step_by(nb) {
        let w = nb.min(n - i0);
        for j in 0..n {
            let col = &mut panel[j * nb..j * nb + w];
            for (l, v) in col.iter_mut().enumerate() {
                // SAFETY: i0 + l, j < n.
                *v = unsafe { sym_at(s.a, s.lda, s.upper, s.herm, i0 + l, j) };
            }
        }
        // SAFETY: columns i0..i0+w of B lie inside B.
        let x = MatRef::op(unsafe { b.add(i0 * ldb) }, ldb, b'N');
        let y = MatRef::op(panel.as_ptr(), nb, b'N');
        let beta_i = if i0 == 0 { beta } else { T::one() };
        // SAFETY: checked dimensions.
        unsafe { gemm(m, n, w, alpha, x, y, beta_i, c, ldc) };
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

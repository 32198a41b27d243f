//! TRMM from the left as one GEMM pass over packed panels: B := op(A) B in place, with the
//! triangle packed as GEMM's A operand and each register tile's depth cut to the part of the
//! triangle it meets. The triangular product then runs at GEMM speed: no recursion into small
//! GEMMs (whose every depth-32 update reads and writes all of B again) and no slower
//! substitution-style base cases (together a quarter of a 2048³ dtrmm's time before this).
//!
//! # The order that makes it in place
//!
//! The depth runs in blocks of the table's KC (rounded down to whole MR panels), each packing
//! its rows of B once (a copy) before any of them is written. For an upper triangle, row `i` of
//! the result sums `A(i, l) B(l)` over `l >= i`: the blocks go first to last, and at each block
//! the rows above it add its contribution (beta = 1) while its own rows are overwritten by
//! their first contribution, the diagonal block's (beta = 0; the originals are in the packed
//! copy). The rows below it are still untouched, which is what the later blocks need. A lower
//! triangle is the mirror: last block first, the rows below adding.
//!
//! # Exactly the stored triangle
//!
//! A register tile on the diagonal block starts (upper) or ends (lower) its depth at its own
//! MR×MR part of the diagonal, where the panels hold the unstored half as zeros and a unit
//! diagonal as ones. Zeros times finite values add nothing (the unstored terms come first in
//! an upper tile's chain, which is still +0 then; in a lower tile they come last, where only a
//! zero's sign can change), but zero times Inf or NaN is NaN where the reference multiplies
//! only the stored triangle. So when a packed block of B holds any non-finite value, its
//! diagonal tiles run the table's tiny twin row by row over the stored terms alone: the same
//! chain as the kernel's minus the zero terms, so a finite column's result does not depend on
//! what the others hold.
//!
//! # Reproducibility
//!
//! Every element's operations depend on its row, the triangle's order and the table, never on
//! how many columns B has or how they are split between threads (edge tiles run on a scratch
//! tile as in GEMM): each column of B comes out the same however many are multiplied at once.

use super::{buffers, load_tile, pack, store_tile, MatRef, Ukr, MAX_TILE};
use crate::scalar::{Real, Scalar};

/// The triangle of a left-side product, as `crate::trsm::Triangle` describes it.
#[derive(Clone, Copy)]
pub struct TriangleOperand<T> {
    /// op(A): only its stored triangle is used (other places may be read, never used).
    pub a: MatRef<T>,
    /// Order.
    pub k: usize,
    /// op(A) is upper triangular.
    pub upper: bool,
    /// The diagonal is one (DIAG = 'U').
    pub unit: bool,
}

impl<T: Scalar> TriangleOperand<T> {
    /// Element (i, j) of op(A): zero outside the stored triangle, one on a unit diagonal.
    ///
    /// # Safety
    /// i, j < k.
    #[inline(always)]
    unsafe fn element(&self, i: usize, j: usize) -> T {
        if i == j && self.unit {
            T::one()
        } else if (i <= j) == self.upper || i == j {
            // SAFETY: inside the k×k matrix.
            unsafe { self.a.at(i, j) }
        } else {
            T::zero()
        }
    }
}

/// B := op(A) B for the `n` columns of B (`k`×`n` at `b`, leading dimension `ldb`), on one
/// thread, with microkernel `u`.
///
/// # Safety
/// `t` describes a valid triangle; `b` holds a `t.k`×`n` column-major matrix that `t` does not
/// overlap.
pub unsafe fn multiply_left<T: Scalar>(
    u: &Ukr<T>,
    t: &TriangleOperand<T>,
    n: usize,
    b: *mut T,
    ldb: usize,
) {
    let k = t.k;
    if k == 0 || n == 0 {
        return;
    }
    let (mr, nr) = (u.mr, u.nr);
    // Depth blocks of whole MR panels, so that no register tile straddles a block's first row.
    let kt = (u.kc / mr).max(1) * mr;
    let mc = (u.mc / mr).max(1) * mr;
    let nc = (u.nc / nr).max(1) * nr;
    let kmax = kt.min(k);
    let b_len = nc.min(n.div_ceil(nr) * nr) * kmax;
    let b_bytes = (b_len * std::mem::size_of::<T>()).next_multiple_of(64);
    let a_len = mc.min(k.div_ceil(mr) * mr) * kmax;
    let mut buffer = buffers::Buffer::new(b_bytes + a_len * std::mem::size_of::<T>());
    let bpack: *mut T = buffer.as_mut_ptr();
    // SAFETY: A's panels start on the cache line after B's, inside the buffer.
    let apack = unsafe { buffer.as_mut_ptr::<u8>().add(b_bytes) } as *mut T;
    let mut tile = [std::mem::MaybeUninit::<T>::uninit(); MAX_TILE];
    assert!(mr * nr <= MAX_TILE, "register tile larger than MAX_TILE");
    let tile = tile.as_mut_ptr() as *mut T;
    // B's columns as GEMM sees op(B)^T: row j of it is column j of B.
    let bt = MatRef {
        ptr: b as *const T,
        rs: ldb,
        cs: 1,
        conj: false,
    };
    let blocks = k.div_ceil(kt);
    for jc in (0..n).step_by(nc) {
        let nb = nc.min(n - jc);
        for step in 0..blocks {
            let index = if t.upper { step } else { blocks - 1 - step };
            let p0 = index * kt;
            let kb = kt.min(k - p0);
            // SAFETY: rows p0..p0 + kb of columns jc..jc + nb lie inside B; the buffer holds
            // nb.div_ceil(nr) panels of kb (<= kmax) rows.
            unsafe {
                pack::pack_panels(&pack::Block {
                    x: &bt,
                    i0: jc,
                    mb: nb,
                    p0,
                    kb,
                    r: nr,
                    buf: bpack,
                })
            };
            // SAFETY: the panels just written, zero-padded to whole panels.
            let packed_b = unsafe { std::slice::from_raw_parts(bpack, nb.div_ceil(nr) * nr * kb) };
            let exact = packed_b.iter().fold(false, |any, v| {
                any | !(v.re().is_finite() & v.im().is_finite())
            });
            let block = DepthBlock {
                u,
                t,
                p0,
                kb,
                exact,
            };
            // The rows this block reaches: those above it and its own (upper), or its own
            // and those below it (lower).
            let (first, end) = if t.upper { (0, p0 + kb) } else { (p0, k) };
            for ic in (first..end).step_by(mc) {
                let mb = mc.min(end - ic);
                // SAFETY: the buffers hold the packed blocks; the rows and columns lie in B.
                unsafe {
                    block.pack_triangle(ic, mb, apack);
                    block.run(ic, mb, apack, jc, nb, bpack, b, ldb, tile);
                }
            }
        }
    }
}

/// One depth block of the product: rows `p0..p0 + kb` of B, packed, times columns
/// `p0..p0 + kb` of the triangle.
struct DepthBlock<'a, T> {
    u: &'a Ukr<T>,
    t: &'a TriangleOperand<T>,
    p0: usize,
    kb: usize,
    /// The packed rows of B hold Inf or NaN: diagonal tiles run over stored terms only.
    exact: bool,
}

impl<T: Scalar> DepthBlock<'_, T> {
    /// The depth range `(from, to)` in the block that rows `gi..gi + MR` meet, and whether they
    /// are the block's own rows (overwritten: beta = 0).
    #[inline(always)]
    fn depth_of_tile(&self, gi: usize) -> (usize, usize, bool) {
        let (p0, kb, mr) = (self.p0, self.kb, self.u.mr);
        if gi < p0 || gi >= p0 + kb {
            (0, kb, false)
        } else if self.t.upper {
            (gi - p0, kb, true)
        } else {
            (0, (gi - p0 + mr).min(kb), true)
        }
    }

    /// Packs rows `ic..ic + mb` of the triangle's columns `p0..p0 + kb` into MR-row panels:
    /// the rows outside the block as they are (wholly inside the stored triangle), then, for
    /// each panel on the diagonal, its MR×MR part of the diagonal element by element (zeros
    /// outside the triangle, ones on a unit diagonal). The rest of a diagonal panel on the far
    /// side of its own part (before it, upper; after it, lower) is copied but never read.
    ///
    /// # Safety
    /// `buf` holds `mb.div_ceil(mr) * mr * kb` elements.
    unsafe fn pack_triangle(&self, ic: usize, mb: usize, buf: *mut T) {
        let (t, p0, kb, mr) = (self.t, self.p0, self.kb, self.u.mr);
        // SAFETY: rows ic..ic + mb and columns p0..p0 + kb lie inside the k×k matrix (A's
        // memory holds all of it; the unstored places are overwritten below or never read).
        unsafe {
            pack::pack_panels(&pack::Block {
                x: &t.a,
                i0: ic,
                mb,
                p0,
                kb,
                r: mr,
                buf,
            })
        };
        for ir in (0..mb).step_by(mr) {
            let gi = ic + ir;
            if gi < p0 || gi >= p0 + kb {
                continue;
            }
            let d = gi - p0;
            for ll in 0..mr.min(kb - d) {
                for ii in 0..mr.min(t.k - gi) {
                    // SAFETY: row gi + ii and column p0 + d + ll lie inside the triangle's
                    // order; the panel element lies inside the buffer.
                    unsafe {
                        *buf.add(ir * kb + (d + ll) * mr + ii) = t.element(gi + ii, p0 + d + ll);
                    }
                }
            }
        }
    }

    /// Runs the register tiles of rows `ic..ic + mb` and columns `jc..jc + nb` of B.
    ///
    /// # Safety
    /// The panels are packed as `pack_triangle` and `multiply_left` leave them; B holds the
    /// block; `tile` holds MAX_TILE elements.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run(
        &self,
        ic: usize,
        mb: usize,
        apack: *const T,
        jc: usize,
        nb: usize,
        bpack: *const T,
        b: *mut T,
        ldb: usize,
        tile: *mut T,
    ) {
        let (u, kb, mr, nr) = (self.u, self.kb, self.u.mr, self.u.nr);
        for jr in (0..nb).step_by(nr) {
            let cols = nr.min(nb - jr);
            for ir in (0..mb).step_by(mr) {
                let rows = mr.min(mb - ir);
                let gi = ic + ir;
                let (from, to, own) = self.depth_of_tile(gi);
                let beta = if own { T::zero() } else { T::one() };
                // SAFETY: inside the packed panels (from < to <= kb) and inside B.
                let (ap, bp, cp) = unsafe {
                    (
                        apack.add(ir * kb + from * mr),
                        bpack.add(jr * kb + from * nr),
                        b.add(gi + (jc + jr) * ldb),
                    )
                };
                if own && self.exact {
                    // SAFETY: as above.
                    unsafe { self.stored_terms_only(gi, rows, cols, ap, bp, cp, ldb) };
                    continue;
                }
                let depth = to - from;
                // SAFETY: a full tile of B, or the scratch tile for an edge one; the panels
                // hold `depth` steps from `ap` and `bp`.
                unsafe {
                    if rows == mr && cols == nr {
                        (u.func)(depth, ap, mr, bp, nr, 1, cp, ldb, T::one(), beta, bp);
                    } else {
                        if own {
                            std::slice::from_raw_parts_mut(tile, mr * nr).fill(T::zero());
                        } else {
                            load_tile(mr, nr, tile, 0, rows, cols, cp, ldb);
                        }
                        (u.func)(depth, ap, mr, bp, nr, 1, tile, mr, T::one(), beta, bp);
                        store_tile(None, rows, cols, tile, mr, cp, ldb);
                    }
                }
            }
        }
    }

    /// A diagonal tile (rows `gi..gi + rows`) computed over the stored terms only, a row at a
    /// time, by the table's tiny twin: the kernel's chain for each element without the zero
    /// terms (see the module header). `ap` and `bp` point at the tile's first depth step.
    ///
    /// # Safety
    /// As `run`, for this tile.
    #[allow(clippy::too_many_arguments)]
    unsafe fn stored_terms_only(
        &self,
        gi: usize,
        rows: usize,
        cols: usize,
        ap: *const T,
        bp: *const T,
        cp: *mut T,
        ldb: usize,
    ) {
        let (u, mr, nr) = (self.u, self.u.mr, self.u.nr);
        let (from, to, _) = self.depth_of_tile(gi);
        for ii in 0..rows {
            // The row's stored terms, relative to the tile's first depth step: from its own
            // diagonal element on (upper) or up to it (lower).
            let (lo, hi) = if self.t.upper {
                (ii, to - from)
            } else {
                (0, (gi - self.p0 + ii + 1).min(to) - from)
            };
            // SAFETY: inside the panels and B (lo < hi <= the tile's depth).
            unsafe {
                let a = MatRef {
                    ptr: ap.add(lo * mr + ii),
                    rs: 1,
                    cs: mr,
                    conj: false,
                };
                let b = MatRef {
                    ptr: bp.add(lo * nr),
                    rs: nr,
                    cs: 1,
                    conj: false,
                };
                // One chain over the whole depth, as the kernel call runs it (a depth block
                // can exceed the table's KC when KC is less than MR).
                (u.tiny)(
                    1,
                    cols,
                    hi - lo,
                    hi - lo,
                    T::one(),
                    a,
                    b,
                    T::zero(),
                    cp.add(ii),
                    ldb,
                    false,
                );
            }
        }
    }
}

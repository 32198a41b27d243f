//! TRMM as one GEMM pass over packed panels, in place: B := op(A) B (from the left, the
//! triangle packed as GEMM's A operand) or B := B op(A) (from the right, as GEMM's B), each
//! register tile's depth cut to the part of the triangle it meets. The triangular product then
//! runs at GEMM speed: no recursion into small GEMMs (whose every depth-32 update reads and
//! writes all of B again) and no substitution-style base cases (together a quarter of a 2048³
//! dtrmm's time before this).
//!
//! # The order that makes it in place
//!
//! The depth runs in blocks of the table's KC (rounded down to whole panels of the triangle's
//! side), each packing its rows of B (a copy) before any of them is written. From the left, for an
//! upper triangle, row `i` of the result sums `A(i, l) B(l)` over `l >= i`: the blocks go first to
//! last, and at each block the rows above it add its contribution (beta = 1) while its own rows are
//! overwritten by their first contribution, the diagonal block's (beta = 0; the originals are in
//! the packed copy). The rows below it are still untouched, which is what the later blocks need. A
//! lower triangle is the mirror: last block first, the rows below adding.
//!
//! From the right the same holds for B's columns, mirrored again: column `j` of `B op(A)` sums
//! over `l <= j` for an upper op(A), so its blocks go last first. There the loops run in GEMM's
//! order around the triangle's packed block (packed once per depth block and chunk of columns,
//! read by every block of B's rows), and the block's own columns come in the last chunk, since
//! every chunk packs the block's columns of B again from B itself.
//!
//! # Exactly the stored triangle
//!
//! A register tile on the diagonal block starts or ends its depth at its own square of the
//! diagonal (MR×MR from the left, NR×NR from the right), where the panels hold the unstored
//! half as zeros and a unit diagonal as ones. Zeros times finite values add nothing (where the
//! unstored terms come first in a chain, it is still +0 then; where they come last, only a
//! zero's sign can change), but zero times Inf or NaN is NaN where the reference multiplies
//! only the stored triangle. So when a packed block of B holds any non-finite value, its
//! diagonal tiles run the table's tiny twin a row (column) at a time over the stored terms
//! alone: the same chain as the kernel's minus the zero terms, so a finite right-hand side's
//! result does not depend on what the others hold.
//!
//! # Reproducibility
//!
//! Every element's operations depend on its place along the triangle, the triangle's order and
//! the table, never on how many right-hand sides B has (columns from the left, rows from the
//! right) or how they are split between threads (edge tiles run on a scratch tile as in GEMM):
//! each comes out the same however many are multiplied at once.

use super::{
    buffers, load_tile, pack, store_tile, MatRef, Ukr, DIRECT_B_MAX_ROWS_TILES, MAX_TILE,
    NEXT_B_STEP,
};
use crate::scalar::{Real, Scalar};

/// The triangle of a product, op(A), as `crate::trsm::Triangle` describes it.
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

/// Block sizes and buffers of one product: depth blocks of whole `r`-wide panels of the
/// triangle's side (so that no register tile straddles a block's first row or column), and the
/// packing buffer with B's panels first and A's on the cache line after.
struct Blocks<T> {
    /// Depth block.
    kt: usize,
    mc: usize,
    nc: usize,
    buffer: buffers::Buffer,
    /// Where A's panels start in `buffer`.
    a_offset: usize,
    tile: [std::mem::MaybeUninit<T>; MAX_TILE],
}

impl<T: Scalar> Blocks<T> {
    /// For a product with `rows`×`cols` register tiles' worth of C and order `k`; `r` is the
    /// triangle's panel width (MR from the left, NR from the right).
    fn new(u: &Ukr<T>, r: usize, rows: usize, cols: usize, k: usize) -> Self {
        let (mr, nr) = (u.mr, u.nr);
        assert!(mr * nr <= MAX_TILE, "register tile larger than MAX_TILE");
        let kt = (u.kc / r).max(1) * r;
        let mc = (u.mc / mr).max(1) * mr;
        let nc = (u.nc / nr).max(1) * nr;
        let kmax = kt.min(k);
        let size = std::mem::size_of::<T>();
        let b_bytes = (nc.min(cols.div_ceil(nr) * nr) * kmax * size).next_multiple_of(64);
        let a_len = mc.min(rows.div_ceil(mr) * mr) * kmax;
        Blocks {
            kt,
            mc,
            nc,
            buffer: buffers::Buffer::new(b_bytes + a_len * size),
            a_offset: b_bytes,
            tile: [std::mem::MaybeUninit::uninit(); MAX_TILE],
        }
    }

    /// (B's panels, A's panels, the scratch tile).
    fn pointers(&mut self) -> (*mut T, *mut T, *mut T) {
        let base = self.buffer.as_mut_ptr::<u8>();
        // SAFETY: A's panels start inside the buffer (`new`).
        let apack = unsafe { base.add(self.a_offset) } as *mut T;
        (base as *mut T, apack, self.tile.as_mut_ptr() as *mut T)
    }
}

/// Whether any of the `len` packed elements at `p` is Inf or NaN (padding is zero).
///
/// # Safety
/// `p` holds `len` initialised elements.
unsafe fn any_non_finite<T: Scalar>(p: *const T, len: usize) -> bool {
    // SAFETY: the caller's contract.
    let packed = unsafe { std::slice::from_raw_parts(p, len) };
    // A fold rather than `any`: no early exit, so the compiler vectorises it.
    packed.iter().fold(false, |any, v| {
        any | !(v.re().is_finite() & v.im().is_finite())
    })
}

/// B := op(A) B for the `n` columns of B (`k`×`n` at `b`, leading dimension `ldb`), on one
/// thread, with microkernel `u`. The triangle is GEMM's A operand; each depth block packs its
/// rows of B as GEMM's B.
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
    let mut blocks = Blocks::new(u, mr, k, n, k);
    let (bpack, apack, tile) = blocks.pointers();
    let Blocks { kt, mc, nc, .. } = blocks;
    // B's columns as GEMM sees op(B)^T: row j of it is column j of B.
    let bt = MatRef {
        ptr: b as *const T,
        rs: ldb,
        cs: 1,
        conj: false,
    };
    let count = k.div_ceil(kt);
    for jc in (0..n).step_by(nc) {
        let nb = nc.min(n - jc);
        for step in 0..count {
            // An upper triangle's rows need the rows below them unchanged: first block first.
            let index = if t.upper { step } else { count - 1 - step };
            let (p0, kb) = (index * kt, kt.min(k - index * kt));
            // SAFETY: rows p0..p0 + kb of columns jc..jc + nb lie inside B; the buffer holds
            // nb.div_ceil(nr) panels of kb rows; they are then all initialised.
            let exact = unsafe {
                pack::pack_panels(&pack::Block {
                    x: &bt,
                    i0: jc,
                    mb: nb,
                    p0,
                    kb,
                    r: nr,
                    buf: bpack,
                });
                any_non_finite(bpack, nb.div_ceil(nr) * nr * kb)
            };
            let block = DepthBlock {
                u,
                t,
                right: false,
                p0,
                kb,
                exact,
            };
            // The rows this block reaches: those above it and its own (upper), or its own
            // and those below it (lower).
            let (first, end) = if t.upper { (0, p0 + kb) } else { (p0, k) };
            for ic in (first..end).step_by(mc) {
                let mb = mc.min(end - ic);
                // SAFETY: the buffers hold the packed blocks; the tiles lie in B.
                unsafe {
                    block.pack_triangle(ic, mb, apack);
                    block.run((ic, mb), (jc, nb), apack, bpack, b, ldb, tile, false);
                }
            }
        }
    }
}

/// B := B op(A) for the `m` rows of B (`m`×`k` at `b`, leading dimension `ldb`), on one
/// thread: `multiply_left`'s mirror, with the triangle as GEMM's B operand and each depth
/// block packing its columns of B as GEMM's A. Column `j` of the result sums `B(l) A(l, j)`
/// over the stored `l`: `l <= j` for an upper op(A), whose blocks therefore go last first.
///
/// # Safety
/// `t` describes a valid triangle; `b` holds an `m`×`t.k` column-major matrix that `t` does not
/// overlap.
pub unsafe fn multiply_right<T: Scalar>(
    u: &Ukr<T>,
    t: &TriangleOperand<T>,
    m: usize,
    b: *mut T,
    ldb: usize,
) {
    let k = t.k;
    if k == 0 || m == 0 {
        return;
    }
    let (mr, nr) = (u.mr, u.nr);
    let mut blocks = Blocks::new(u, nr, m, k, k);
    let (bpack, apack, tile) = blocks.pointers();
    let Blocks { kt, mc, nc, .. } = blocks;
    let data = MatRef {
        ptr: b as *const T,
        rs: 1,
        cs: ldb,
        conj: false,
    };
    let few_rows = m <= DIRECT_B_MAX_ROWS_TILES * mr;
    let count = k.div_ceil(kt);
    for step in 0..count {
        let index = if t.upper { count - 1 - step } else { step };
        let (p0, kb) = (index * kt, kt.min(k - index * kt));
        // The columns this block reaches beyond its own (after it, upper; before it, lower), in
        // NC chunks, then its own columns last: every chunk packs the block's columns of B
        // again, which must still be the originals.
        let others = if t.upper { (p0 + kb, k) } else { (0, p0) };
        let chunks = (others.0..others.1)
            .step_by(nc)
            .map(|jc| (jc, nc.min(others.1 - jc)));
        for ((jc, nb), own) in chunks.map(|c| (c, false)).chain([((p0, kb), true)]) {
            // With B a few register tiles tall, each packed element of the triangle would serve
            // only those few tiles: its chunks wholly inside the stored triangle are read where
            // they are instead (the kernels take B with any strides; the same arithmetic), as
            // GEMM reads B for a few rows. Packing them made m = 16, k = 2048 1.7x slower than
            // the recursion this replaced.
            let in_place = few_rows && !own && !t.a.conj && nb >= nr;
            let block = DepthBlock {
                u,
                t,
                right: true,
                p0,
                kb,
                exact: false,
            };
            if !in_place {
                // SAFETY: the buffer holds the triangle's packed block (nb <= nc columns).
                unsafe { block.pack_triangle(jc, nb, bpack) };
            }
            for ic in (0..m).step_by(mc) {
                let mb = mc.min(m - ic);
                // SAFETY: rows ic..ic + mb of columns p0..p0 + kb lie inside B; the buffer
                // holds mb.div_ceil(mr) panels of kb columns; they are then all initialised.
                let exact = unsafe {
                    pack::pack_panels(&pack::Block {
                        x: &data,
                        i0: ic,
                        mb,
                        p0,
                        kb,
                        r: mr,
                        buf: apack,
                    });
                    any_non_finite(apack, mb.div_ceil(mr) * mr * kb)
                };
                let block = DepthBlock { exact, ..block };
                // SAFETY: the buffers hold the packed blocks; the tiles lie in B.
                unsafe { block.run((ic, mb), (jc, nb), apack, bpack, b, ldb, tile, in_place) };
            }
        }
    }
}

/// One depth block of the product: rows `p0..p0 + kb` of the left side's B (columns of the
/// right side's), packed, against the triangle's columns (rows) `p0..p0 + kb`.
struct DepthBlock<'a, T> {
    u: &'a Ukr<T>,
    t: &'a TriangleOperand<T>,
    /// The triangle is GEMM's B operand (a product from the right).
    right: bool,
    p0: usize,
    kb: usize,
    /// The packed part of B holds Inf or NaN: diagonal tiles run over stored terms only.
    exact: bool,
}

impl<T: Scalar> DepthBlock<'_, T> {
    /// The triangle's panel width: MR from the left, NR from the right.
    fn r(&self) -> usize {
        if self.right {
            self.u.nr
        } else {
            self.u.mr
        }
    }

    /// A diagonal tile's unstored terms come first in its depth (else last): those of an upper
    /// triangle from the left, of a lower one from the right.
    fn zeros_first(&self) -> bool {
        self.t.upper != self.right
    }

    /// The depth range `(from, to)` in the block that the tile at `g` on the triangle's side
    /// (its first row from the left, first column from the right) meets, and whether that is
    /// the block's own part of B (overwritten: beta = 0).
    #[inline(always)]
    fn depth_of_tile(&self, g: usize) -> (usize, usize, bool) {
        let (p0, kb) = (self.p0, self.kb);
        if g < p0 || g >= p0 + kb {
            (0, kb, false)
        } else if self.zeros_first() {
            (g - p0, kb, true)
        } else {
            (0, (g - p0 + self.r()).min(kb), true)
        }
    }

    /// Packs the triangle's `size` rows (left) or columns (right) from `at`, depth
    /// `p0..p0 + kb`, into its panels: of each panel, the depth its tiles meet
    /// (`depth_of_tile`), as it is; then, in each diagonal panel's own square of the diagonal,
    /// zeros over the unstored half and ones over a unit diagonal. The rest of a diagonal panel,
    /// on the far side of its square, is never read and not written: copying it too made the
    /// packing of a 256³ dtrmm's triangle take twice OpenBLAS's time.
    ///
    /// # Safety
    /// `buf` holds `size.div_ceil(r) * r * kb` elements.
    unsafe fn pack_triangle(&self, at: usize, size: usize, buf: *mut T) {
        let (t, p0, kb, r) = (self.t, self.p0, self.kb, self.r());
        let x = if self.right { t.a.transposed() } else { t.a };
        // Panels [first, i) of full depth (off the diagonal) go in one call, the others one by
        // one over their own depth.
        let pack = |i0: usize, rows: usize, (from, to): (usize, usize)| {
            // SAFETY: the block lies inside the k×k matrix, whose memory A holds whole (the
            // unstored places are overwritten below or never read); panel `i0 - at` starts at
            // `buf + (i0 - at) * kb` and its depth `from` at `from * r` past that.
            unsafe {
                pack::pack_panels(&pack::Block {
                    x: &x,
                    i0,
                    mb: rows,
                    p0: p0 + from,
                    kb: to - from,
                    r,
                    buf: buf.add((i0 - at) * kb + from * r),
                })
            }
        };
        let mut first = 0;
        for i in (0..size).step_by(r) {
            let (from, to, _) = self.depth_of_tile(at + i);
            if (from, to) != (0, kb) {
                if first < i {
                    pack(at + first, i - first, (0, kb));
                }
                pack(at + i, r.min(size - i), (from, to));
                first = i + r;
            }
        }
        if first < size {
            pack(at + first, size - first, (0, kb));
        }
        // Element (e, l) of a panel's square is op(A)(g + e, g + l) from the left, and
        // op(A)(g + l, g + e) from the right.
        let stored = |e: usize, l: usize| {
            if self.right {
                (l <= e) == t.upper
            } else {
                (e <= l) == t.upper
            }
        };
        for i in (0..size).step_by(r) {
            let g = at + i;
            if g < p0 || g >= p0 + kb {
                continue;
            }
            let d = g - p0;
            for l in 0..r.min(kb - d) {
                for e in 0..r.min(t.k - g) {
                    // SAFETY: inside the panel's square, in the buffer.
                    let p = unsafe { buf.add(i * kb + (d + l) * r + e) };
                    if e == l {
                        if t.unit {
                            // SAFETY: as above.
                            unsafe { *p = T::one() };
                        }
                    } else if !stored(e, l) {
                        // SAFETY: as above.
                        unsafe { *p = T::zero() };
                    }
                }
            }
        }
    }

    /// Runs the register tiles of rows `ic..ic + mb` and columns `jc..jc + nb` of C (B itself
    /// from the left, B from the right as well).
    ///
    /// # Safety
    /// The panels are packed as `pack_triangle` and the drivers leave them; B holds the block;
    /// `tile` holds MAX_TILE elements.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run(
        &self,
        (ic, mb): (usize, usize),
        (jc, nb): (usize, usize),
        apack: *const T,
        bpack: *const T,
        b: *mut T,
        ldb: usize,
        tile: *mut T,
        in_place: bool,
    ) {
        let (u, kb, mr, nr) = (self.u, self.kb, self.u.mr, self.u.nr);
        for jr in (0..nb).step_by(nr) {
            let cols = nr.min(nb - jr);
            // The next B micro-panel, fetched a slice per kernel call as `MacroBlock::run`
            // does (see `UkrFn`); the last panel's calls re-fetch their own.
            let next_panel = if jr + nr < nb {
                bpack.wrapping_add((jr + nr) * kb)
            } else {
                bpack.wrapping_add(jr * kb)
            };
            let slice = (kb / 4) * NEXT_B_STEP;
            for ir in (0..mb).step_by(mr) {
                let next_b = (next_panel as *const u8).wrapping_add(ir / mr * slice) as *const T;
                let rows = mr.min(mb - ir);
                let g = if self.right { jc + jr } else { ic + ir };
                let (from, to, own) = self.depth_of_tile(g);
                let beta = if own { T::zero() } else { T::one() };
                // SAFETY: inside the packed panels (from < to <= kb) and inside B.
                let (ap, cp) = unsafe {
                    (
                        apack.add(ir * kb + from * mr),
                        b.add(ic + ir + (jc + jr) * ldb),
                    )
                };
                // The triangle's panel: packed, or read where it is (see `multiply_right`), a
                // partial last panel shifted back to end at the chunk's edge (nb >= NR there)
                // and only its new columns kept.
                let (bp, rsb, csb, shift) = if in_place {
                    let x = &self.t.a;
                    let shift = nr - cols;
                    // SAFETY: rows p0 + from.. and columns jc + jr - shift.. of op(A) lie in
                    // the chunk.
                    let p = unsafe {
                        x.ptr
                            .add((self.p0 + from) * x.rs + (jc + jr - shift) * x.cs)
                    };
                    (p, x.rs, x.cs, shift)
                } else {
                    // SAFETY: inside the packed panels.
                    (unsafe { bpack.add(jr * kb + from * nr) }, nr, 1, 0)
                };
                if own && self.exact {
                    // SAFETY: as above.
                    unsafe { self.stored_terms_only(g, (rows, cols), (ap, bp), cp, ldb) };
                    continue;
                }
                let depth = to - from;
                // SAFETY: a full tile of B, or the scratch tile for an edge one; the panels
                // hold `depth` steps from `ap` and `bp`.
                unsafe {
                    if rows == mr && cols == nr {
                        (u.func)(depth, ap, mr, bp, rsb, csb, cp, ldb, T::one(), beta, next_b);
                    } else {
                        let off = shift * mr;
                        if own {
                            std::slice::from_raw_parts_mut(tile, mr * nr).fill(T::zero());
                        } else {
                            load_tile(mr, nr, tile, off, rows, cols, cp, ldb);
                        }
                        (u.func)(
                            depth,
                            ap,
                            mr,
                            bp,
                            rsb,
                            csb,
                            tile,
                            mr,
                            T::one(),
                            beta,
                            next_b,
                        );
                        store_tile(None, rows, cols, tile.add(off), mr, cp, ldb);
                    }
                }
            }
        }
    }

    /// A diagonal tile (at `g` on the triangle's side) computed over the stored terms only, a
    /// row (left) or column (right) at a time, by the table's tiny twin: each element's chain
    /// is the kernel's without the zero terms (see the module header). `ap` and `bp` point at
    /// the tile's first depth step.
    ///
    /// # Safety
    /// As `run`, for this tile.
    unsafe fn stored_terms_only(
        &self,
        g: usize,
        (rows, cols): (usize, usize),
        (ap, bp): (*const T, *const T),
        cp: *mut T,
        ldb: usize,
    ) {
        let (u, mr, nr) = (self.u, self.u.mr, self.u.nr);
        let (from, to, _) = self.depth_of_tile(g);
        let lines = if self.right { cols } else { rows };
        for e in 0..lines {
            // The line's stored terms, relative to the tile's first depth step: from its own
            // diagonal element on, or up to it.
            let (lo, hi) = if self.zeros_first() {
                (e, to - from)
            } else {
                (0, (g - self.p0 + e + 1).min(to) - from)
            };
            // SAFETY: inside the panels and B (lo < hi <= the tile's depth).
            unsafe {
                let (a_line, b_line, c_line, m, n) = if self.right {
                    (
                        ap.add(lo * mr),
                        bp.add(lo * nr + e),
                        cp.add(e * ldb),
                        rows,
                        1,
                    )
                } else {
                    (ap.add(lo * mr + e), bp.add(lo * nr), cp.add(e), 1, cols)
                };
                let a = MatRef {
                    ptr: a_line,
                    rs: 1,
                    cs: mr,
                    conj: false,
                };
                let b = MatRef {
                    ptr: b_line,
                    rs: nr,
                    cs: 1,
                    conj: false,
                };
                // One chain over the whole depth, as the kernel call runs it (a depth block
                // can exceed the table's KC when KC is less than the panel width).
                (u.tiny)(
                    m,
                    n,
                    hi - lo,
                    hi - lo,
                    T::one(),
                    a,
                    b,
                    T::zero(),
                    c_line,
                    ldb,
                    false,
                );
            }
        }
    }
}

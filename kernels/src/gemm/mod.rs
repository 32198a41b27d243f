//! The generic GEMM framework (BLIS model): the loops around the microkernel, packing of A and B
//! into contiguous panels, and edge handling. Per-architecture code is only the microkernels,
//! reached through a `KernelSet` table together with their block sizes.
//!
//! # Reproducibility
//!
//! For one kernel table, `C(i,j)` depends only on row `i` of op(A), column `j` of op(B), `k`,
//! alpha, beta and `C(i,j)`: never on `m`, `n`, the leading dimensions, the path (packed or
//! direct, shifted edge panels) or the split over threads. LAPACK relies on this: its QR sweeps
//! update the same rows once through a wide and once through a narrow product and compare.
//! It holds by construction:
//! - the only arithmetic is the table's microkernel: a tile at the matrix edge runs the same
//!   kernel, with the same alpha and beta, on a scratch copy of its block of C (`load_tile`,
//!   `store_tile`); tiny products skip the tiles but run the kernel's twin (`Ukr::tiny`), which
//!   performs the kernel's operations for each element in the same order (`tiny.rs`);
//! - a tall, narrow real product may run transposed (`gemm_transposed`): the same kernel on the
//!   swapped operands (each product a·b is b·a, fused or not), with C copied through a buffer;
//! - every element's sum over `k` is one chain in the kernel, cut at the same KC boundaries
//!   (multiples of the table's `kc`, whatever the shape); later depth blocks add onto C with
//!   beta = 1;
//! - packing only moves (and conjugates) values, and threads split C's rows or columns, never
//!   the depth.
//!
//! `kernels/tests/reproducibility.rs` checks it bitwise for every table this CPU runs.

#[cfg(target_arch = "x86_64")]
#[macro_use]
mod simd_macros;

pub mod buffers;
pub mod generic;
#[cfg(target_arch = "x86_64")]
pub mod haswell;
mod pack;
#[cfg(target_arch = "x86_64")]
pub mod skylakex;
pub mod tiny;
pub mod trmm;

use crate::scalar::{Scalar, C32, C64};
use pack::{pack_panels, pack_symmetric};
use tiny::TinyFn;

/// A microkernel: for a full MR x NR tile of C (column-major, leading dimension `ldc`),
/// `C := alpha * AB + beta * C` with `AB[i, j] = sum_l a[l*sa + i] * b[l*rsb + j*csb]`, never
/// reading C when beta == 0. Packed panels pass `sa = MR`, `rsb = NR`, `csb = 1`; the direct
/// (unpacked) path passes a column-major A (`sa = lda`) and B with its own strides. Edges are the
/// framework's: it runs the kernel, with the call's alpha and beta, on a zero-padded scratch copy
/// of the edge block of C.
///
/// `next_b` is only a prefetch address, never dereferenced: the x86 kernels fetch into L2 one
/// cache line `NEXT_B_STEP` bytes past the previous one every 4 depth steps, starting there
/// (`k / 4` fetches). The framework points it at this call's slice of the next B micro-panel, so
/// that the calls down a block of A bring that panel up from L3 a little at a time before its
/// first use (a burst of fetches before each call measured slower).
pub type UkrFn<T> = unsafe fn(
    k: usize,
    a: *const T,
    sa: usize,
    b: *const T,
    rsb: usize,
    csb: usize,
    c: *mut T,
    ldc: usize,
    alpha: T,
    beta: T,
    next_b: *const T,
);

/// A run of full register tiles down one column panel, on packed operands: `func` on `tiles`
/// MR x NR tiles stacked down C's rows (tile `t` at `c + t * MR`), A's packed panels one after
/// another (`a + t * MR * k`), the same packed B panel (`sa = MR`, `rsb = NR`, `csb = 1`), and
/// `next_b` advancing `next_b_slice` bytes per tile as the framework advances it between calls.
/// The loop sits in the kernel's own function, so the per-tile call (11 arguments, register
/// saves, the alpha/beta case split) is paid once per run: a shallow product runs a short
/// kernel on every tile, and the calls were ~15% of zgemm's time at k = 16 on Zen.
/// Same operations per element as `func`, so the same bits.
pub type ColumnUkrFn<T> = unsafe fn(
    tiles: usize,
    k: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    ldc: usize,
    alpha: T,
    beta: T,
    next_b: *const T,
    next_b_slice: usize,
);

/// Bytes between the kernels' successive `next_b` fetches: half a line, as OpenBLAS's SKYLAKEX
/// dgemm kernel steps its prefetch of the next B panel, so each line is asked for twice.
pub const NEXT_B_STEP: usize = 32;

/// A microkernel with its register tile and cache block sizes.
#[derive(Clone, Copy, Debug)]
pub struct Ukr<T> {
    /// Contract-carrying name, e.g. `dgemm_haswell_8x6`.
    pub name: &'static str,
    pub mr: usize,
    pub nr: usize,
    pub mc: usize,
    pub kc: usize,
    pub nc: usize,
    pub func: UkrFn<T>,
    /// The same arithmetic as `func`, element by element in plain loops, for tiny products
    /// (see `tiny`): bitwise the tiled path's result without its fixed cost.
    pub tiny: TinyFn<T>,
    /// A narrower kernel for the last column panel (see `EdgeUkr`), where the table has one.
    pub edge: Option<EdgeUkr<T>>,
    /// `func` looped over a run of full tiles (see `ColumnUkrFn`), where the table has one.
    pub column: Option<ColumnUkrFn<T>>,
}

/// A kernel of the same rows and arithmetic as the table's, `nr` (< NR) columns wide, for a
/// last column panel whose width is a multiple of it: there it runs on C in place, in
/// `cols / nr` calls, where `func` would run on a scratch tile and compute NR columns for the
/// few wanted. Each element of C gets the same fused chain either way, so the bits are the
/// same. (dpotrf's updates are 64 columns wide: with NR = 12 the last panel of 4 columns made
/// an eighth of the multiply-adds wasted work.)
#[derive(Clone, Copy, Debug)]
pub struct EdgeUkr<T> {
    pub nr: usize,
    pub func: UkrFn<T>,
}

/// One architecture's table: a microkernel per element type.
#[derive(Clone, Copy, Debug)]
pub struct KernelSet {
    pub name: &'static str,
    pub s: Ukr<f32>,
    pub d: Ukr<f64>,
    pub c: Ukr<C32>,
    pub z: Ukr<C64>,
}

/// Selects the microkernel of an element type from a table.
pub trait GemmScalar: Scalar {
    fn ukr(set: &KernelSet) -> &Ukr<Self>;
}
/// Each element type's `GemmScalar` impl reads its own field of the table (a reference: a copy
/// of the entry was a visible part of a small product's call).
macro_rules! gemm_scalar {
    ($($t:ty => $field:ident),*) => {$(
        impl GemmScalar for $t {
            #[inline(always)]
            fn ukr(set: &KernelSet) -> &Ukr<Self> {
                &set.$field
            }
        }
    )*};
}
gemm_scalar!(f32 => s, f64 => d, C32 => c, C64 => z);

/// A read-only matrix operand: element (i, j) is `ptr[i*rs + j*cs]`, conjugated when `conj`.
/// Transposition is a swap of the strides, so the framework sees only op(A) and op(B).
#[derive(Clone, Copy)]
pub struct MatRef<T> {
    pub ptr: *const T,
    pub rs: usize,
    pub cs: usize,
    pub conj: bool,
}

impl<T: Scalar> MatRef<T> {
    /// op(X) for a column-major X with leading dimension `ld` and BLAS trans character.
    pub fn op(ptr: *const T, ld: usize, trans: u8) -> Self {
        match trans.to_ascii_uppercase() {
            b'N' => MatRef {
                ptr,
                rs: 1,
                cs: ld,
                conj: false,
            },
            b'T' => MatRef {
                ptr,
                rs: ld,
                cs: 1,
                conj: false,
            },
            _ => MatRef {
                ptr,
                rs: ld,
                cs: 1,
                conj: true,
            },
        }
    }
    /// # Safety
    /// (i, j) inside the operand.
    #[inline(always)]
    pub unsafe fn at(&self, i: usize, j: usize) -> T {
        // SAFETY: caller's bounds.
        unsafe { *self.ptr.add(i * self.rs + j * self.cs) }.conj_if(self.conj)
    }

    /// The transposed view: the same elements, (i, j) read as (j, i).
    fn transposed(self) -> Self {
        MatRef {
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }
}

/// C := beta*C over an m x n column-major block, never reading C when beta == 0.
///
/// # Safety
/// C addressable as m x n with leading dimension ldc.
pub unsafe fn scale_c<T: Scalar>(m: usize, n: usize, beta: T, c: *mut T, ldc: usize) {
    if beta.is_one() {
        return;
    }
    for j in 0..n {
        for i in 0..m {
            // SAFETY: caller's bounds.
            unsafe {
                let p = c.add(i + j * ldc);
                *p = if beta.is_zero() { T::zero() } else { beta * *p };
            }
        }
    }
}

/// How `gemm_with_path` treats the operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// Tiny loops for tiny products (`tiny_ok`), direct for small ones (`direct_ok`), packed
    /// otherwise.
    Auto,
    /// Always pack A and B into panels.
    Packed,
    /// Read A (when its columns are contiguous) and B (unless conjugated) in place, packing only
    /// partial edge panels, whatever the size.
    Direct,
    /// The table's tiny twin (`Ukr::tiny`): plain loops over the elements, whatever the size.
    Tiny,
}

/// C := alpha * op(A) * op(B) + beta * C with C m x n (column-major, ldc), op(A) m x k,
/// op(B) k x n, using microkernel `u`. Reference edge semantics: alpha == 0 or k == 0 only
/// scales C; beta == 0 overwrites C without reading it.
///
/// # Safety
/// Operands addressable as described.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_with<T: Scalar>(
    u: &Ukr<T>,
    m: usize,
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
    unsafe { gemm_with_path(u, Path::Auto, m, n, k, alpha, a, b, beta, c, ldc) }
}

/// `gemm_with` with the packing choice made by the caller (the tests cover both paths).
///
/// The loop nest is BLIS's: columns of C in NC blocks, the depth in KC blocks (B's block packed
/// once per pair), rows in MC blocks (A's block packed), then `MacroBlock::run` walks the
/// register tiles of one MC x NC block.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_with_path<T: Scalar>(
    u: &Ukr<T>,
    path: Path,
    m: usize,
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
    unsafe { gemm_blocked(u, path, None, [None; 2], m, n, k, alpha, a, b, beta, c, ldc) }
}

/// `gemm_with` writing only the elements of C that `stored` keeps (a triangle or trapezoid):
/// the others are left bit for bit as they were. Kept elements come out exactly as
/// `gemm_with` computes them (same kernel, alpha, beta and depth chain; tiles crossing the
/// boundary run on the scratch tile like edge tiles), and tiles and A blocks holding no kept
/// element are skipped, so the work is the stored part's plus at most a tile per column block.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_stored_with<T: Scalar>(
    u: &Ukr<T>,
    stored: Stored,
    m: usize,
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
    unsafe {
        gemm_blocked(
            u,
            Path::Auto,
            Some(stored),
            [None; 2],
            m,
            n,
            k,
            alpha,
            a,
            b,
            beta,
            c,
            ldc,
        )
    }
}

/// A symmetric or Hermitian order-`ka` matrix S operand of `gemm_symmetric_with`, read from
/// its stored triangle (`upper` or lower) only: the other triangle is never touched.
/// Hermitian (`herm`): the mirror is conjugated and the diagonal's imaginary part dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Symmetric {
    pub upper: bool,
    pub herm: bool,
    /// Every element conjugated (the B side of a Hermitian product, whose packed panels hold
    /// op(B)^T = S^T = conj(S)).
    conj: bool,
    /// Row of S at which the operand's rows (A side: C's rows; B side: C's columns) start: a
    /// thread's share of C.
    pub offset: usize,
}

impl Symmetric {
    /// S read from the stored triangle, its rows from `offset` on.
    pub fn new(upper: bool, herm: bool, offset: usize) -> Self {
        Symmetric {
            upper,
            herm,
            conj: false,
            offset,
        }
    }

    /// Element (i, l) of S (conjugated when `conj`), A column-major at `a` with leading
    /// dimension `ld`.
    ///
    /// # Safety
    /// (i, l) and (l, i) inside the order-ka matrix.
    #[inline(always)]
    unsafe fn at<T: Scalar>(self, a: *const T, ld: usize, i: usize, l: usize) -> T {
        // SAFETY: caller's bounds.
        unsafe {
            if i == l {
                let d = *a.add(i + i * ld);
                if self.herm {
                    d.real_part()
                } else {
                    d.conj_if(self.conj)
                }
            } else if (i < l) == self.upper {
                (*a.add(i + l * ld)).conj_if(self.conj)
            } else {
                (*a.add(l + i * ld)).conj_if(self.herm != self.conj)
            }
        }
    }
}

/// Which operand of `gemm_symmetric_with` is the symmetric one.
#[derive(Clone, Copy, Debug)]
pub enum SymSide {
    /// op(A) = S (m = k = S's order): SYMM from the left.
    A(Symmetric),
    /// op(B) = S (k = n = S's order): SYMM from the right.
    B(Symmetric),
}

/// `gemm_with` where one operand is a symmetric or Hermitian S read from its stored triangle:
/// that operand's MatRef is the stored matrix A itself (`MatRef::op(a, lda, b'N')`, at S's
/// element (0, 0) whatever the `offset`). Packing builds S's panels straight from the triangle
/// (`pack_symmetric`), so SYMM/HEMM is one GEMM pass, with the depth chain and per-element
/// operations of a GEMM on the dense S.
///
/// # Safety
/// As `gemm_with`, the symmetric operand's rows `offset..offset + (m or n)` and all its
/// columns lying inside S.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_symmetric_with<T: Scalar>(
    u: &Ukr<T>,
    sym: SymSide,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let syms = match sym {
        SymSide::A(s) => [Some(s), None],
        // B's packed panels hold S^T: S itself when symmetric, conj(S) when Hermitian.
        SymSide::B(s) => [
            None,
            Some(Symmetric {
                conj: s.conj != s.herm,
                ..s
            }),
        ],
    };
    // SAFETY: forwarded contract.
    unsafe {
        gemm_blocked(
            u,
            Path::Auto,
            None,
            syms,
            m,
            n,
            k,
            alpha,
            a,
            b,
            beta,
            c,
            ldc,
        )
    }
}

/// Runs a tiny product, or a small or narrow one, in the loops of the kernel's tiny twin (no
/// tiles, no packing, C in place) and returns true, or returns false when the product is none
/// of these or the twin declines it (see `TinyFn`). Both `gemm` (ahead of the threading choice
/// and of `gemm_blocked`'s frame, whose fixed cost was a third of a dgemm at n = 8) and
/// `gemm_blocked` ask it.
///
/// # Safety
/// As `gemm_with`; m, n, k > 0 and alpha != 0.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn in_place<T: Scalar>(
    u: &Ukr<T>,
    path: Path,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) -> bool {
    let tiny = path == Path::Tiny || (path == Path::Auto && tiny_ok::<T>(m, n, k));
    // Small products are offered to the twin too: one that runs them in place faster than the
    // tiles takes them, the others decline.
    let small = !tiny && path == Path::Auto && (small_ok(m, n) || narrow_ok(u, n, k));
    // SAFETY: forwarded contract.
    (tiny || small) && unsafe { (u.tiny)(m, n, k, u.kc, alpha, a, b, beta, c, ldc, small) }
}

/// Which elements of an m x n block of C a triangular-result product writes: (i, j) when
/// `i <= j + offset` (upper) or `i >= j + offset` (lower). `offset` is the global column minus
/// the global row of the block's origin, so a block cut from a larger triangle keeps its
/// elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    pub upper: bool,
    pub offset: isize,
}

/// How much of a block `Stored` keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cover {
    Nothing,
    Part,
    All,
}

impl Stored {
    /// Whether element (i, j) of the block is written.
    #[inline(always)]
    pub fn keeps(self, i: usize, j: usize) -> bool {
        let (i, j) = (i as isize, j as isize + self.offset);
        if self.upper {
            i <= j
        } else {
            i >= j
        }
    }

    /// How much of the rows x cols sub-block at (i, j) is kept (rows, cols >= 1).
    #[inline(always)]
    fn cover(self, i: usize, rows: usize, j: usize, cols: usize) -> Cover {
        let (first, last) = (i, i + rows - 1);
        let (left, right) = (j, j + cols - 1);
        // The kept side of the diagonal holds every element or none of a block exactly when
        // its extreme corners agree.
        let (all, none) = if self.upper {
            (self.keeps(last, left), !self.keeps(first, right))
        } else {
            (self.keeps(first, right), !self.keeps(last, left))
        };
        if all {
            Cover::All
        } else if none {
            Cover::Nothing
        } else {
            Cover::Part
        }
    }
}

/// C := beta*C over the kept elements of an m x n block (the triangular twin of `scale_c`).
///
/// # Safety
/// As `scale_c`.
unsafe fn scale_stored<T: Scalar>(
    stored: Stored,
    m: usize,
    n: usize,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    if beta.is_one() {
        return;
    }
    for j in 0..n {
        for i in (0..m).filter(|&i| stored.keeps(i, j)) {
            // SAFETY: caller's bounds.
            unsafe {
                let p = c.add(i + j * ldc);
                *p = if beta.is_zero() { T::zero() } else { beta * *p };
            }
        }
    }
}

/// The body of `gemm_with_path`, `gemm_stored_with` and `gemm_symmetric_with`: all of C, or
/// only what `stored` keeps; `sym`: op(A) or op(B) symmetric, packed from its stored triangle.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_blocked<T: Scalar>(
    u: &Ukr<T>,
    path: Path,
    stored: Option<Stored>,
    sym: [Option<Symmetric>; 2],
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    if alpha.is_zero() || k == 0 {
        // SAFETY: caller's bounds.
        unsafe {
            match stored {
                Some(s) => scale_stored(s, m, n, beta, c, ldc),
                None => scale_c(m, n, beta, c, ldc),
            }
        }
        return;
    }
    // The tiny loops write every element of C: not for a triangle (the tiles give the same bits).
    // SAFETY: forwarded contract; alpha != 0 and k > 0 here.
    if stored.is_none()
        && sym == [None; 2]
        && unsafe { in_place(u, path, m, n, k, alpha, a, b, beta, c, ldc) }
    {
        return;
    }
    if path == Path::Auto
        && stored.is_none()
        && sym == [None; 2]
        && transposed_pays(u, (m, n, k), &a, &b)
    {
        // SAFETY: forwarded contract.
        return unsafe { gemm_transposed(u, m, n, k, alpha, a, b, beta, c, ldc) };
    }
    let mut blocking = Blocking::new(u, path, m, n, k, &a, &b);
    // A symmetric operand is always packed: reading it in place would need the dense matrix.
    let kmax = blocking.kc.min(k);
    if sym[0].is_some() {
        blocking.a = SideBlocking::new(u.mr, u.mc, m, kmax, false);
    }
    if sym[1].is_some() {
        blocking.b = SideBlocking::new(u.nr, u.nc, n, kmax, false);
    }
    // Small products (the direct path packs only edge panels) use the stack, skipping the
    // buffer cache and its lock.
    let bytes = blocking.buffer_bytes::<T>();
    let mut stack = StackBuf([std::mem::MaybeUninit::uninit(); STACK_BYTES]);
    let mut heap = None;
    let base: *mut u8 = if bytes <= STACK_BYTES {
        stack.0.as_mut_ptr() as *mut u8
    } else {
        heap.insert(buffers::Buffer::new(bytes)).as_mut_ptr()
    };
    let (nc, kc, mc) = (blocking.b.block, blocking.kc, blocking.a.block);
    // SAFETY: B's part of the buffer ends at `b_offset`, A's begins there.
    let apack = unsafe { base.add(blocking.b_offset::<T>()) } as *mut T;
    let mut block = MacroBlock {
        u,
        alpha,
        beta,
        a: Side::new(a, blocking.a, apack, sym[0]),
        // A symmetric B is given as the stored matrix: its packing reads S^T itself.
        b: Side::new(
            if sym[1].is_some() { b } else { b.transposed() },
            blocking.b,
            base as *mut T,
            sym[1],
        ),
        pc: 0,
        kb: 0,
        c,
        ldc,
        stored,
    };
    // Scratch for edge tiles: `load_tile` initialises it when beta != 0, and the kernel writes
    // all of it before `store_tile` reads.
    let mut tile = [std::mem::MaybeUninit::<T>::uninit(); MAX_TILE];
    assert!(
        u.mr * u.nr <= MAX_TILE,
        "register tile larger than MAX_TILE"
    );
    for jc in (0..n).step_by(nc) {
        let nb = nc.min(n - jc);
        for pc in (0..k).step_by(kc) {
            let kb = kc.min(k - pc);
            // Later depth blocks accumulate onto the first one's result.
            block.beta = if pc == 0 { beta } else { T::one() };
            (block.pc, block.kb) = (pc, kb);
            (block.b.at, block.b.size) = (jc, nb);
            // SAFETY: the block lies inside op(B); the buffer holds `b.len` elements.
            unsafe { block.b.pack(pc, kb) };
            for ic in (0..m).step_by(mc) {
                let mb = mc.min(m - ic);
                // A block of rows the stored part does not reach is neither packed nor run.
                if stored.is_some_and(|s| s.cover(ic, mb, jc, nb) == Cover::Nothing) {
                    continue;
                }
                (block.a.at, block.a.size) = (ic, mb);
                // SAFETY: the block lies inside op(A), C; the buffer holds `a.len` elements.
                unsafe {
                    block.a.pack(pc, kb);
                    block.run(tile.as_mut_ptr() as *mut T);
                }
            }
        }
    }
}

/// MC for a product whose depth blocks are `kmax` deep and C `n` columns wide: the table's MC
/// when they are KC deep, more rows in proportion when they are shallower, so that the packed
/// block of A keeps its size (MC x KC elements, sized for L2) instead of shrinking with the
/// depth. A wide shallow update then sweeps each B micro-panel down longer runs of C's columns,
/// which the hardware prefetchers follow (SKYLAKEX, m = n = 2000, k = 16: 0.74-0.86x the
/// time in every precision; k = 64: 0.84-0.96x). A narrow one (a few column panels) keeps MC:
/// its small block of A stays in L1 from one B micro-panel to the next (900 x 32 x 32 took
/// 1.03x the time with the larger block). Which rows share a block changes no element's
/// arithmetic.
fn shallow_mc<T>(u: &Ukr<T>, n: usize, kmax: usize) -> usize {
    let kc = u.kc.max(1);
    if kmax >= kc || n <= 4 * u.nr {
        return u.mc;
    }
    u.mc.saturating_mul(kc / kmax.max(1))
}

/// Block sizes and packing choices of one `gemm_with_path` call.
#[derive(Clone, Copy)]
struct Blocking {
    kc: usize,
    /// A along C's rows (MR, MC), B along its columns (NR, NC).
    a: SideBlocking,
    b: SideBlocking,
}

/// How one operand is cut along C's rows (A) or columns (B).
#[derive(Clone, Copy)]
struct SideBlocking {
    /// The register tile: MR or NR.
    r: usize,
    /// The cache block, MC or NC: whole register tiles, so only the matrix edge has partial
    /// tiles.
    block: usize,
    /// Read in place (only a partial edge panel is packed).
    direct: bool,
    /// Elements of its packing buffer.
    len: usize,
}

impl SideBlocking {
    /// `extent` is C's rows (A) or columns (B), `kmax` the deepest depth block.
    fn new(r: usize, block: usize, extent: usize, kmax: usize, direct: bool) -> SideBlocking {
        let block = block.max(r) / r * r;
        let len = if direct {
            r * kmax
        } else {
            block.min(extent.div_ceil(r) * r) * kmax
        };
        SideBlocking {
            r,
            block,
            direct,
            len,
        }
    }
}

impl Blocking {
    fn new<T: Scalar>(
        u: &Ukr<T>,
        path: Path,
        m: usize,
        n: usize,
        k: usize,
        a: &MatRef<T>,
        b: &MatRef<T>,
    ) -> Blocking {
        let kc = u.kc.max(1);
        // Small or shallow products read A and B in place (no packing): A when its columns are
        // contiguous, B whenever it needs no conjugation. Only partial edge panels are packed.
        let direct = match path {
            Path::Auto => direct_ok::<T>(m, n),
            Path::Packed => false,
            Path::Direct | Path::Tiny => true,
        };
        let direct_a = direct && a.rs == 1 && !a.conj;
        // B is also read in place when few rows of A share each of its panels: packing B costs
        // k·n against the m·n·k of the product, too much when m is a few register tiles (TRSM's
        // updates deep in its recursion, LAPACK's panel updates).
        let few_rows = path == Path::Auto && m <= DIRECT_B_MAX_ROWS_TILES * u.mr;
        let direct_b = (direct || few_rows) && !b.conj;
        let kmax = kc.min(k);
        Blocking {
            kc,
            a: SideBlocking::new(u.mr, shallow_mc(u, n, kmax), m, kmax, direct_a),
            b: SideBlocking::new(u.nr, u.nc, n, kmax, direct_b),
        }
    }

    /// Where A's packed panels start in the buffer: on their own cache line after B's.
    fn b_offset<T>(&self) -> usize {
        (self.b.len * std::mem::size_of::<T>()).next_multiple_of(64)
    }

    /// Bytes of the packing buffer. Packing writes every element before the kernel reads it:
    /// the buffer needs no zeroing.
    fn buffer_bytes<T>(&self) -> usize {
        self.b_offset::<T>() + self.a.len * std::mem::size_of::<T>()
    }
}

/// One operand as `MacroBlock` walks it, seen with its register panels along its first index:
/// op(A), whose MR-row panels run along C's rows, or op(B)^T, whose NR-row panels are op(B)'s
/// NR-column panels (element (l, j) at `l*nr + j` either way) along C's columns. Packing,
/// in-place reads and shifted edge panels are then one code for both operands.
#[derive(Clone, Copy)]
struct Side<T> {
    /// op(A) or op(B)^T.
    x: MatRef<T>,
    blocking: SideBlocking,
    /// Its packed panels.
    pack: *mut T,
    /// Symmetric: `x` is the stored matrix, packed by `pack_symmetric`.
    sym: Option<Symmetric>,
    /// The current block: its first index in C (ic or jc) and its extent (mb or nb).
    at: usize,
    size: usize,
}

impl<T: Scalar> Side<T> {
    fn new(x: MatRef<T>, blocking: SideBlocking, pack: *mut T, sym: Option<Symmetric>) -> Self {
        Side {
            x,
            blocking,
            pack,
            sym,
            at: 0,
            size: 0,
        }
    }

    /// Packs the current block at depth `pc..pc + kb`. When it is read in place, only a block
    /// narrower than one panel is packed (zero-padded): a partial last panel of a wider block
    /// is read shifted instead (see `panel`).
    ///
    /// # Safety
    /// The block lies inside the operand; the buffer holds `blocking.len` elements.
    unsafe fn pack(&self, pc: usize, kb: usize) {
        let r = self.blocking.r;
        if let Some(s) = self.sym {
            // SAFETY: as the caller guarantees (a symmetric side is never direct).
            unsafe { pack_symmetric(&self.x, s, self.at, self.size, pc, kb, r, self.pack) };
        } else if !self.blocking.direct || self.size < r {
            // SAFETY: as the caller guarantees.
            unsafe {
                pack_panels(&pack::Block {
                    x: &self.x,
                    i0: self.at,
                    mb: self.size,
                    p0: pc,
                    kb,
                    r,
                    buf: self.pack,
                })
            };
        }
    }

    /// The micro-panel at `i..i + len` of the block, depth `pc..pc + kb`: (pointer, depth
    /// stride, stride along the panel, shift). A partial last panel read in place is shifted
    /// back to end at the block's edge (overlapping the previous panel): the kernel then reads
    /// only inside the operand, writes the scratch tile, and only the new rows or columns are
    /// merged.
    #[inline(always)]
    fn panel(&self, i: usize, len: usize, pc: usize, kb: usize) -> (*const T, usize, usize, usize) {
        let SideBlocking { r, direct, .. } = self.blocking;
        let shift = if direct && len < r && self.size >= r {
            r - len
        } else {
            0
        };
        if !direct {
            // SAFETY: inside the packed block.
            (unsafe { self.pack.add(i * kb) } as *const T, r, 1, 0)
        } else if len < r && shift == 0 {
            (self.pack as *const T, r, 1, 0)
        } else {
            let x = &self.x;
            // SAFETY: inside the operand (i - shift >= 0 since size >= r).
            let p = unsafe { x.ptr.add((self.at + i - shift) * x.rs + pc * x.cs) };
            (p, x.cs, x.rs, shift)
        }
    }
}

/// One MC x KC x NC block of a `gemm_with_path` call: its operands, packing buffers and
/// position, and the walk over its register tiles.
struct MacroBlock<'u, T> {
    u: &'u Ukr<T>,
    alpha: T,
    /// The call's beta for the first depth block, one for later ones.
    beta: T,
    /// A's rows ic..ic + mb and B's columns jc..jc + nb.
    a: Side<T>,
    b: Side<T>,
    /// The depth block: pc..pc + kb.
    pc: usize,
    kb: usize,
    c: *mut T,
    ldc: usize,
    /// The elements of C written (`None`: all of them).
    stored: Option<Stored>,
}

impl<T: Scalar> MacroBlock<'_, T> {
    /// Runs the microkernel on every register tile of the block, edge tiles through `tile`.
    ///
    /// # Safety
    /// The block lies inside C and the packed (or in-place) operands; `tile` holds MAX_TILE
    /// elements.
    unsafe fn run(&self, tile: *mut T) {
        let (ic, mb, mr) = (self.a.at, self.a.size, self.a.blocking.r);
        let (jc, nb, nr) = (self.b.at, self.b.size, self.b.blocking.r);
        let (pc, kb) = (self.pc, self.kb);
        let (u, ldc, alpha, beta) = (self.u, self.ldc, self.alpha, self.beta);
        for jr in (0..nb).step_by(nr) {
            let cols = nr.min(nb - jr);
            let (bp, rsb, csb, col_shift) = self.b.panel(jr, cols, pc, kb);
            // The next packed B micro-panel, fetched a slice per kernel call below; with none
            // (the last panel, or B read in place) the kernels re-fetch their own, which is
            // already close.
            let next_panel = if !self.b.blocking.direct && jr + nr < nb {
                // SAFETY: inside the packed block (jr + nr < nb).
                unsafe { self.b.pack.add((jr + nr) * kb) as *const T }
            } else {
                bp
            };
            let slice = (kb / 4) * NEXT_B_STEP;
            // Runs of full tiles down a full-width panel on packed operands go to the column
            // kernel, one call per run (in triangle mode, the tiles wholly kept).
            let column = u
                .column
                .filter(|_| cols == nr && !self.a.blocking.direct && !self.b.blocking.direct);
            let cover_of = |ir: usize, rows: usize| {
                self.stored
                    .map_or(Cover::All, |s| s.cover(ic + ir, rows, jc + jr, cols))
            };
            // Rows below `run_end` were computed by the column kernel.
            let mut run_end = 0;
            for ir in (0..mb).step_by(mr) {
                if ir < run_end {
                    continue;
                }
                let rows = mr.min(mb - ir);
                let cover = cover_of(ir, rows);
                if let Some(column) = column.filter(|_| rows == mr && cover == Cover::All) {
                    let mut end = ir + mr;
                    while end + mr <= mb && cover_of(end, mr) == Cover::All {
                        end += mr;
                    }
                    // SAFETY: full tiles of C and of the packed operands (rows ir..end);
                    // `next_b` advanced as for single tiles below.
                    unsafe {
                        column(
                            (end - ir) / mr,
                            kb,
                            self.a.pack.add(ir * kb),
                            bp,
                            self.c.add(ic + ir + (jc + jr) * ldc),
                            ldc,
                            alpha,
                            beta,
                            (next_panel as *const u8).wrapping_add(ir / mr * slice) as *const T,
                            slice,
                        )
                    };
                    run_end = end;
                    continue;
                }
                if cover == Cover::Nothing {
                    continue;
                }
                // A's rows are contiguous in its panels (packed, or in place: unit row stride).
                let (ap, sa, _, row_shift) = self.a.panel(ir, rows, pc, kb);
                // SAFETY: (ic+ir, jc+jr) is inside C.
                let cp = unsafe { self.c.add(ic + ir + (jc + jr) * ldc) };
                let next_b = (next_panel as *const u8).wrapping_add(ir / mr * slice) as *const T;
                if rows == mr && cols == nr && cover == Cover::All {
                    // SAFETY: a full tile of C; operands as the kernel's contract.
                    unsafe { (u.func)(kb, ap, sa, bp, rsb, csb, cp, ldc, alpha, beta, next_b) };
                    continue;
                }
                // A last column panel of whole rows, a multiple of the edge kernel wide: that
                // kernel in place, on the panel's valid columns (after `col_shift` where B is
                // read in place with the panel shifted back).
                if let Some(e) = u
                    .edge
                    .filter(|e| rows == mr && cover == Cover::All && cols < nr && cols % e.nr == 0)
                {
                    for q in (0..cols).step_by(e.nr) {
                        // SAFETY: columns q..q + e.nr of the panel are valid columns of op(B)
                        // and of this tile of C; operands as the kernel's contract.
                        unsafe {
                            let bq = bp.add((col_shift + q) * csb);
                            let cq = cp.add(q * ldc);
                            (e.func)(kb, ap, sa, bq, rsb, csb, cq, ldc, alpha, beta, next_b)
                        };
                    }
                    continue;
                }
                // An edge tile runs the same kernel with the same alpha and beta on a scratch
                // copy of its block of C, so each of its elements is computed exactly as inside
                // a full tile (see "Reproducibility" in the module header).
                let off = row_shift + col_shift * mr;
                // SAFETY: the scratch tile is MR x NR with ld MR; the block of C is rows x cols
                // at `cp`.
                unsafe {
                    if !beta.is_zero() {
                        load_tile(mr, nr, tile, off, rows, cols, cp, ldc);
                    }
                    (u.func)(kb, ap, sa, bp, rsb, csb, tile, mr, alpha, beta, next_b);
                    let kept = self.stored.filter(|_| cover == Cover::Part);
                    let kept = kept.map(|s| (s, (ic + ir, jc + jr)));
                    store_tile(kept, rows, cols, tile.add(off), mr, cp, ldc);
                }
            }
        }
    }
}

/// Stack scratch for small products' edge panels.
const STACK_BYTES: usize = 8192;
#[repr(C, align(64))]
struct StackBuf([std::mem::MaybeUninit<u8>; STACK_BYTES]);

/// Largest MR x NR of any table (SKYLAKEX sgemm 32 x 12).
const MAX_TILE: usize = 384;

/// Whether a real product is better computed transposed, `C^T = op(B)^T op(A)^T`: C tall and
/// narrow (m past the few-rows bound, MR <= n <= 64), op(A) transposed (its rows contiguous) and
/// deep, so that the tiles would pack all of A with transposing copies, one element per n
/// multiply-adds. Transposed, A becomes the B operand of a product a few register tiles tall,
/// which `Blocking::new` reads in place (not packed at all), and only the small op(B) is packed;
/// C's block is copied transposed in and out, which the depth must repay. LAPACK's block
/// reflectors (`dlarfb`: W := C^T V, n = the block size 32..64, m and k the trailing matrix)
/// are this shape. SKYLAKEX dgemm, time against the tiles: 2000 x 16 x 2000 0.54, 200 x 32 x
/// 2000 0.57, 2000 x 32 x 2000 0.76, 2000 x 48 x 1000 0.88, 2000 x 64 x 2000 0.93; shallower
/// ones lost (2000 x 64 x 256 1.25, 2000 x 64 x 64 2.2), as did n = 128 (500 x 128 x 500
/// 1.24). Complex products stay: their kernels' chains are not symmetric in the two operands,
/// so the transposed product would not be bitwise the tiles'.
fn transposed_pays<T: Scalar>(
    u: &Ukr<T>,
    (m, n, k): (usize, usize, usize),
    a: &MatRef<T>,
    b: &MatRef<T>,
) -> bool {
    let few = DIRECT_B_MAX_ROWS_TILES * u.mr;
    !T::IS_COMPLEX
        && a.rs != 1
        && !b.conj
        && m > few
        && (u.mr..=few.min(TRANSPOSED_MAX_N)).contains(&n)
        && k >= (TRANSPOSED_DEPTH_PER_COLUMN * n).max(TRANSPOSED_MIN_DEPTH)
}

/// See `transposed_pays`.
const TRANSPOSED_MAX_N: usize = 64;
const TRANSPOSED_MIN_DEPTH: usize = 512;
const TRANSPOSED_DEPTH_PER_COLUMN: usize = 16;

/// C's rows per transposed product in `gemm_transposed` (its buffer holds n x this many).
const TRANSPOSED_ROWS: usize = 2048;

/// `gemm_blocked` on the transposed product (see `transposed_pays`), a block of C's rows at a
/// time: the block is copied transposed into a buffer (unless beta is 0), the transposed
/// product runs on it with the call's alpha and beta, and it is copied back. Only copies
/// surround the tiles, and each element's chain is the one the tiles compute for C itself
/// (the same products in the same depth order, a·b being b·a, fused or not, the same
/// KC blocks and the same alpha/beta step), so the result is bitwise the untransposed one.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn gemm_transposed<T: Scalar>(
    u: &Ukr<T>,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let rows = TRANSPOSED_ROWS.min(m);
    let mut buffer = buffers::Buffer::new(n * rows * std::mem::size_of::<T>());
    let t: *mut T = buffer.as_mut_ptr();
    for i0 in (0..m).step_by(rows) {
        let mb = rows.min(m - i0);
        // SAFETY: rows i0..i0 + mb of C and of op(A) lie inside them; the buffer holds n x mb
        // with leading dimension n.
        unsafe {
            let cb = c.add(i0);
            if !beta.is_zero() {
                for j in 0..n {
                    for i in 0..mb {
                        *t.add(j + i * n) = *cb.add(i + j * ldc);
                    }
                }
            }
            let a_rows = MatRef {
                ptr: a.ptr.add(i0 * a.rs),
                ..a
            };
            gemm_blocked(
                u,
                Path::Auto,
                None,
                [None; 2],
                n,
                mb,
                k,
                alpha,
                b.transposed(),
                a_rows.transposed(),
                beta,
                t,
                n,
            );
            for j in 0..n {
                for i in 0..mb {
                    *cb.add(i + j * ldc) = *t.add(j + i * n);
                }
            }
        }
    }
}

/// Whether a product is small enough to skip packing: its operands then sit in L1/L2 anyway and
/// packing them would cost a noticeable part of the product. Large shallow products pack: reading A and B in place with a large (worse: power-of-two)
/// leading dimension makes every depth step a new cache line in the same L1 set, while packing
/// costs only (m + n)k against mnk.
fn direct_ok<T>(m: usize, n: usize) -> bool {
    m.max(n) * std::mem::size_of::<T>() <= DIRECT_MAX_BYTES
}

/// `Blocking::new` reads B in place for products of at most this many MR-row panels.
const DIRECT_B_MAX_ROWS_TILES: usize = 8;

/// See `direct_ok`: columns of at most 1 KiB (128 doubles), measured on Zen 3.
const DIRECT_MAX_BYTES: usize = 1024;

/// Whether a product is tiny enough that the tiles' fixed cost (packing edge panels, a scratch
/// tile, a full MR x NR kernel call for a few elements) exceeds the work: then the plain loops
/// of `Ukr::tiny` are faster, with the same result.
fn tiny_ok<T: Scalar>(m: usize, n: usize, k: usize) -> bool {
    let real_ops = if T::IS_COMPLEX { 4 } else { 1 };
    m.saturating_mul(n)
        .saturating_mul(k)
        .saturating_mul(real_ops)
        <= TINY_MAX_REAL_FMAS
}

/// Whether a product past `tiny_ok` is still small enough to offer to the tiny twin (see
/// `TinyFn`): C at most SMALL_MAX each way, where the tiles' fixed costs (packing edge panels
/// of A, scratch tiles for C's edges) are a visible part of the work.
fn small_ok(m: usize, n: usize) -> bool {
    m.max(n) <= SMALL_MAX
}

/// See `small_ok`.
const SMALL_MAX: usize = 64;

/// Whether a product is narrower than one register tile and shallow, whatever its height: the
/// tiles would then run every one of their kernel calls on a scratch tile (`load_tile`,
/// `store_tile`) for a few useful columns, and the twin's loops over C's rows in place, reading
/// A where it is, are faster (LAPACK's recursive panel factorizations, `dgetrf2`, issue these
/// by the hundred: 2000 x 1 x 1 up to 2000 x 8 x 8 ran 3-7x faster, 2000 x 11 x 64 1.6x). Deeper
/// ones are not: reading A in place over many columns lost (2000 x 11 x 128 1.2x slower,
/// 2000 x 8 x 2000 2.4x slower). Measured on the SKYLAKEX dgemm table.
fn narrow_ok<T>(u: &Ukr<T>, n: usize, k: usize) -> bool {
    n < u.nr && n * k <= NARROW_MAX_NK
}

/// See `narrow_ok`: n x k of the deepest narrow products measured faster in the twin.
const NARROW_MAX_NK: usize = 768;

/// See `tiny_ok`: at most this many real multiply-adds (a complex one counts four). Measured on
/// the AMD EPYC (Zen 3) KVM guest, HASWELL table, per-thread CPU time, each size against the
/// tiled path: real products up to 5 x 5 x 5 run 1.5-3x faster in loops, 6 x 6 x 6 ~0.9x;
/// complex ones up to 3 x 3 x 3 1.2-2.6x, 4 x 4 x 4 about even, 5 x 5 x 5 0.7-0.9x.
const TINY_MAX_REAL_FMAS: usize = 128;

/// Fill the MR x NR scratch tile (ld `mr`) for an edge tile: the rows x cols block of C at `c`
/// goes to offset `off`, every other element is zero (the kernel reads the whole tile when
/// beta != 0; those results are discarded).
///
/// # Safety
/// `tile` holds mr x nr elements; C addressable as rows x cols with leading dimension ldc;
/// the block fits in the tile at `off`.
#[allow(clippy::too_many_arguments)]
unsafe fn load_tile<T: Scalar>(
    mr: usize,
    nr: usize,
    tile: *mut T,
    off: usize,
    rows: usize,
    cols: usize,
    c: *const T,
    ldc: usize,
) {
    // SAFETY: caller's bounds.
    unsafe {
        std::slice::from_raw_parts_mut(tile, mr * nr).fill(T::zero());
        for j in 0..cols {
            std::ptr::copy_nonoverlapping(c.add(j * ldc), tile.add(off + j * mr), rows);
        }
    }
}

/// Copy the rows x cols block at `tile` (ld `ldt`) back into C: all of it, or only the elements
/// `kept` keeps for a tile crossing its boundary (`kept`: the stored part and the tile's
/// (row, column) in the block it describes).
///
/// # Safety
/// Both blocks addressable; they do not overlap.
unsafe fn store_tile<T: Scalar>(
    kept: Option<(Stored, (usize, usize))>,
    rows: usize,
    cols: usize,
    tile: *const T,
    ldt: usize,
    c: *mut T,
    ldc: usize,
) {
    for j in 0..cols {
        // SAFETY: caller's bounds.
        unsafe {
            let (src, dst) = (tile.add(j * ldt), c.add(j * ldc));
            match kept {
                None => std::ptr::copy_nonoverlapping(src, dst, rows),
                Some((stored, at)) => {
                    for i in (0..rows).filter(|&i| stored.keeps(at.0 + i, at.1 + j)) {
                        *dst.add(i) = *src.add(i);
                    }
                }
            }
        }
    }
}

// SAFETY: a MatRef is a read-only view; the BLAS call that creates it outlives every job that
// uses it (the call waits for its workers' jobs), and nothing writes the operands meanwhile.
unsafe impl<T: Sync> Send for MatRef<T> {}

/// The output pointer handed to one worker; workers write disjoint blocks of C.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: each worker gets a disjoint column (or row) range of C, within the call's lifetime.
unsafe impl<T: Send> Send for OutPtr<T> {}

/// `gemm_with` split into `parts` independent products over disjoint ranges of C's columns (or
/// rows, when C is taller than wide), aligned to the register tile. The workers (see
/// `crate::threads`) have finished their shares before this returns.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_parallel_with<T: Scalar>(
    u: &Ukr<T>,
    parts: usize,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let split_n = n >= m;
    let (len, tile) = if split_n { (n, u.nr) } else { (m, u.mr) };
    let tiles = len.div_ceil(tile).max(1);
    let parts = parts.clamp(1, tiles);
    let per = tiles.div_ceil(parts) * tile;
    let out = OutPtr(c);
    let run = move |lo: usize, hi: usize| {
        let out = out;
        // SAFETY: [lo, hi) lies inside the split dimension; the sub-operands and the C block are
        // views into the caller's arrays, disjoint in C between workers.
        unsafe {
            if split_n {
                let mut bs = b;
                bs.ptr = b.ptr.add(lo * b.cs);
                gemm_with(
                    u,
                    m,
                    hi - lo,
                    k,
                    alpha,
                    a,
                    bs,
                    beta,
                    out.0.add(lo * ldc),
                    ldc,
                );
            } else {
                let mut as_ = a;
                as_.ptr = a.ptr.add(lo * a.rs);
                gemm_with(u, hi - lo, n, k, alpha, as_, b, beta, out.0.add(lo), ldc);
            }
        }
    };
    let mut workers = crate::threads::Workers::new();
    let cpus = crate::threads::worker_cpus(parts - 1);
    let mut lo = per;
    let mut index = 0;
    while lo < len {
        let hi = (lo + per).min(len);
        let cpu = cpus.get(index).copied();
        index += 1;
        // SAFETY: `workers` joins every thread before this function returns (also when
        // unwinding), so the borrowed closure outlives the threads that run it.
        if !unsafe { workers.spawn_on(cpu, move || run(lo, hi)) } {
            // The OS refused a thread: do that part on the calling thread.
            run(lo, hi);
        }
        lo = hi;
    }
    run(0, per.min(len));
    drop(workers);
}

/// `gemm_with` using the active table's microkernel for `T`, on several threads when the
/// product is large enough (see `arch::threading`).
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub unsafe fn gemm<T: GemmScalar>(
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: MatRef<T>,
    b: MatRef<T>,
    beta: T,
    c: *mut T,
    ldc: usize,
) {
    let u = T::ukr(crate::arch::active());
    let threads = crate::arch::threads_for::<T>(m.saturating_mul(n).saturating_mul(k));
    let useful = !(alpha.is_zero() || k == 0 || m == 0 || n == 0);
    // SAFETY (all arms): forwarded contract.
    if threads > 1 && useful {
        unsafe { gemm_parallel_with(u, threads, m, n, k, alpha, a, b, beta, c, ldc) }
    } else if useful && unsafe { in_place(u, Path::Auto, m, n, k, alpha, a, b, beta, c, ldc) } {
        // Done without entering `gemm_blocked` (a product the twin declines is offered again
        // there, which costs one more check).
    } else {
        unsafe { gemm_with(u, m, n, k, alpha, a, b, beta, c, ldc) }
    }
}

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
#[cfg(target_arch = "x86_64")]
pub mod skylakex;
pub mod tiny;

use crate::scalar::{Scalar, C32, C64};
use tiny::TinyFn;

/// A microkernel: for a full MR x NR tile of C (column-major, leading dimension `ldc`),
/// `C := alpha * AB + beta * C` with `AB[i, j] = sum_l a[l*sa + i] * b[l*rsb + j*csb]`, never
/// reading C when beta == 0. Packed panels pass `sa = MR`, `rsb = NR`, `csb = 1`; the direct
/// (unpacked) path passes a column-major A (`sa = lda`) and B with its own strides. Edges are the
/// framework's: it runs the kernel, with the call's alpha and beta, on a zero-padded scratch copy
/// of the edge block of C.
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
);

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
    fn ukr(set: &KernelSet) -> Ukr<Self>;
}
impl GemmScalar for f32 {
    fn ukr(set: &KernelSet) -> Ukr<Self> {
        set.s
    }
}
impl GemmScalar for f64 {
    fn ukr(set: &KernelSet) -> Ukr<Self> {
        set.d
    }
}
impl GemmScalar for C32 {
    fn ukr(set: &KernelSet) -> Ukr<Self> {
        set.c
    }
}
impl GemmScalar for C64 {
    fn ukr(set: &KernelSet) -> Ukr<Self> {
        set.z
    }
}

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
}

/// Pack rows `i0..i0+mb`, depth `p0..p0+kb` of op(A) into MR-row panels at `buf`, zero-padding
/// the last. Contiguous columns (A not transposed) and contiguous rows (A transposed) have their
/// own loops; only conjugation is checked once per panel.
///
/// # Safety
/// The block lies inside op(A); `buf` has room for `mb.div_ceil(mr) * mr * kb` elements.
unsafe fn pack_a<T: Scalar>(
    a: &MatRef<T>,
    i0: usize,
    mb: usize,
    p0: usize,
    kb: usize,
    mr: usize,
    buf: *mut T,
) {
    let panels = mb.div_ceil(mr);
    for p in 0..panels {
        let rows = mr.min(mb - p * mr);
        // SAFETY: caller's bounds; every destination element of the panel is written.
        unsafe {
            let dst = buf.add(p * mr * kb);
            let src = a.ptr.add((i0 + p * mr) * a.rs + p0 * a.cs);
            if a.rs == 1 && !a.conj {
                if rows == mr {
                    copy_rows(kb, mr, src, a.cs, dst);
                } else {
                    for l in 0..kb {
                        let s = src.add(l * a.cs);
                        let d = dst.add(l * mr);
                        std::ptr::copy_nonoverlapping(s, d, rows);
                        for i in rows..mr {
                            *d.add(i) = T::zero();
                        }
                    }
                }
            } else if a.cs == 1 {
                for i in 0..rows {
                    let s = src.add(i * a.rs);
                    for l in 0..kb {
                        *dst.add(l * mr + i) = (*s.add(l)).conj_if(a.conj);
                    }
                }
                for l in 0..kb {
                    for i in rows..mr {
                        *dst.add(l * mr + i) = T::zero();
                    }
                }
            } else {
                for l in 0..kb {
                    for i in 0..mr {
                        *dst.add(l * mr + i) = if i < rows {
                            (*src.add(i * a.rs + l * a.cs)).conj_if(a.conj)
                        } else {
                            T::zero()
                        };
                    }
                }
            }
        }
    }
}

/// `dst[l*w .. l*w + w] = src[l*ld .. l*ld + w]` for `l < kb`: a panel of `kb` contiguous runs,
/// with the run length fixed at compile time for the widths the tables use (a `memcpy` call per
/// run of 8 elements would cost more than the copy).
///
/// # Safety
/// Both ranges valid and disjoint.
#[inline(always)]
unsafe fn copy_rows<T: Copy>(kb: usize, w: usize, src: *const T, ld: usize, dst: *mut T) {
    #[inline(always)]
    unsafe fn fixed<T: Copy, const W: usize>(kb: usize, src: *const T, ld: usize, dst: *mut T) {
        for l in 0..kb {
            // SAFETY: caller's bounds; [T; W] has T's alignment.
            unsafe {
                let run = (src.add(l * ld) as *const [T; W]).read_unaligned();
                (dst.add(l * W) as *mut [T; W]).write_unaligned(run);
            }
        }
    }
    // SAFETY: forwarded.
    unsafe {
        match w {
            2 => fixed::<T, 2>(kb, src, ld, dst),
            3 => fixed::<T, 3>(kb, src, ld, dst),
            4 => fixed::<T, 4>(kb, src, ld, dst),
            6 => fixed::<T, 6>(kb, src, ld, dst),
            8 => fixed::<T, 8>(kb, src, ld, dst),
            12 => fixed::<T, 12>(kb, src, ld, dst),
            16 => fixed::<T, 16>(kb, src, ld, dst),
            24 => fixed::<T, 24>(kb, src, ld, dst),
            32 => fixed::<T, 32>(kb, src, ld, dst),
            _ => {
                for l in 0..kb {
                    std::ptr::copy_nonoverlapping(src.add(l * ld), dst.add(l * w), w);
                }
            }
        }
    }
}

/// Pack depth `p0..p0+kb`, columns `j0..j0+nb` of op(B) into NR-column panels at `buf`,
/// zero-padding the last: exactly `pack_a` on the transposed view (an NR-column panel of B is
/// an MR-row panel of B^T, element (l, j) at `buf[l*nr + j]` either way), so both share one set
/// of fast paths.
///
/// # Safety
/// The block lies inside op(B); `buf` has room for `nb.div_ceil(nr) * nr * kb` elements.
unsafe fn pack_b<T: Scalar>(
    b: &MatRef<T>,
    p0: usize,
    kb: usize,
    j0: usize,
    nb: usize,
    nr: usize,
    buf: *mut T,
) {
    let transposed = MatRef {
        ptr: b.ptr,
        rs: b.cs,
        cs: b.rs,
        conj: b.conj,
    };
    // SAFETY: the same elements as the caller's block of op(B), addressed through B^T.
    unsafe { pack_a(&transposed, j0, nb, p0, kb, nr, buf) }
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
    unsafe { gemm_blocked(u, path, None, m, n, k, alpha, a, b, beta, c, ldc) }
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

/// The body of `gemm_with_path` and `gemm_stored_with`: all of C, or only what `stored` keeps.
///
/// # Safety
/// As `gemm_with`.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_blocked<T: Scalar>(
    u: &Ukr<T>,
    path: Path,
    stored: Option<Stored>,
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
    let tiny = path == Path::Tiny || (path == Path::Auto && tiny_ok::<T>(m, n, k));
    if tiny && stored.is_none() {
        // SAFETY: forwarded contract; alpha != 0 and k > 0 here.
        unsafe { (u.tiny)(m, n, k, u.kc, alpha, a, b, beta, c, ldc) };
        return;
    }
    let blocking = Blocking::new(u, path, m, n, k, &a, &b);
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
    let (nc, kc, mc) = (blocking.nc, blocking.kc, blocking.mc);
    let mut block = MacroBlock {
        u,
        blocking,
        alpha,
        beta,
        a,
        b,
        bpack: base as *mut T,
        // SAFETY: B's part of the buffer ends at `b_offset`, A's begins there.
        apack: unsafe { base.add(blocking.b_offset::<T>()) } as *mut T,
        c,
        ldc,
        stored,
        at: (0, 0, 0),
        size: (0, 0, 0),
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
            block.at = (0, pc, jc);
            block.size = (0, kb, nb);
            // SAFETY: the block lies inside op(B); the buffer holds `blen` elements.
            unsafe { block.pack_b() };
            for ic in (0..m).step_by(mc) {
                let mb = mc.min(m - ic);
                // A block of rows the stored part does not reach is neither packed nor run.
                if stored.is_some_and(|s| s.cover(ic, mb, jc, nb) == Cover::Nothing) {
                    continue;
                }
                block.at.0 = ic;
                block.size.0 = mb;
                // SAFETY: the block lies inside op(A), C; the buffer holds `alen` elements.
                unsafe {
                    block.pack_a();
                    block.run(tile.as_mut_ptr() as *mut T);
                }
            }
        }
    }
}

/// Block sizes and packing choices of one `gemm_with_path` call.
#[derive(Clone, Copy)]
struct Blocking {
    mr: usize,
    nr: usize,
    mc: usize,
    nc: usize,
    kc: usize,
    /// A is read in place (only partial edge panels are packed).
    direct_a: bool,
    /// B is read in place (likewise).
    direct_b: bool,
    /// Elements of the packed A and B buffers.
    alen: usize,
    blen: usize,
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
        let (mr, nr) = (u.mr, u.nr);
        // Block sizes rounded to whole register tiles so only the matrix edge has partial tiles.
        let mc = u.mc.max(mr) / mr * mr;
        let nc = u.nc.max(nr) / nr * nr;
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
        let few_rows = path == Path::Auto && m <= DIRECT_B_MAX_ROWS_TILES * mr;
        let direct_b = (direct || few_rows) && !b.conj;
        let kmax = kc.min(k);
        let alen = if direct_a {
            mr * kmax
        } else {
            mc.min(m.div_ceil(mr) * mr) * kmax
        };
        let blen = if direct_b {
            nr * kmax
        } else {
            nc.min(n.div_ceil(nr) * nr) * kmax
        };
        Blocking {
            mr,
            nr,
            mc,
            nc,
            kc,
            direct_a,
            direct_b,
            alen,
            blen,
        }
    }

    /// Where A's packed panels start in the buffer: on their own cache line after B's.
    fn b_offset<T>(&self) -> usize {
        (self.blen * std::mem::size_of::<T>()).next_multiple_of(64)
    }

    /// Bytes of the packing buffer. Packing writes every element before the kernel reads it:
    /// the buffer needs no zeroing.
    fn buffer_bytes<T>(&self) -> usize {
        self.b_offset::<T>() + self.alen * std::mem::size_of::<T>()
    }
}

/// One MC x KC x NC block of a `gemm_with_path` call: its operands, packing buffers and
/// position, and the walk over its register tiles.
struct MacroBlock<'u, T> {
    u: &'u Ukr<T>,
    blocking: Blocking,
    alpha: T,
    /// The call's beta for the first depth block, one for later ones.
    beta: T,
    a: MatRef<T>,
    b: MatRef<T>,
    apack: *mut T,
    bpack: *mut T,
    c: *mut T,
    ldc: usize,
    /// The elements of C written (`None`: all of them).
    stored: Option<Stored>,
    /// (ic, pc, jc): the block's first row of C, depth index and first column of C.
    at: (usize, usize, usize),
    /// (mb, kb, nb): its rows, depth and columns.
    size: (usize, usize, usize),
}

impl<T: Scalar> MacroBlock<'_, T> {
    /// Packs B's KC x NC block, or only its partial last panel (zero-padded to NR columns)
    /// when B is read in place.
    ///
    /// # Safety
    /// The block lies inside op(B); the buffer holds `blen` elements.
    unsafe fn pack_b(&self) {
        let (_, pc, jc) = self.at;
        let (_, kb, nb) = self.size;
        let nr = self.blocking.nr;
        // SAFETY: as the caller guarantees.
        unsafe {
            if !self.blocking.direct_b {
                pack_b(&self.b, pc, kb, jc, nb, nr, self.bpack);
            } else if nb % nr != 0 && nb < nr {
                let j = nb / nr * nr;
                pack_b(&self.b, pc, kb, jc + j, nb - j, nr, self.bpack);
            }
        }
    }

    /// Packs A's MC x KC block, or only its partial last panel when A is read in place.
    ///
    /// # Safety
    /// The block lies inside op(A); the buffer holds `alen` elements.
    unsafe fn pack_a(&self) {
        let (ic, pc, _) = self.at;
        let (mb, kb, _) = self.size;
        let mr = self.blocking.mr;
        // SAFETY: as the caller guarantees.
        unsafe {
            if !self.blocking.direct_a {
                pack_a(&self.a, ic, mb, pc, kb, mr, self.apack);
            } else if mb % mr != 0 && mb < mr {
                let i = mb / mr * mr;
                pack_a(&self.a, ic + i, mb - i, pc, kb, mr, self.apack);
            }
        }
    }

    /// B's micro-panel for columns `jr..jr + cols` of the block: (pointer, row stride, column
    /// stride, shift). A partial last panel read in place is shifted back to end at the block's
    /// edge (overlapping the previous panel): the kernel then reads only inside B, writes the
    /// scratch tile, and only the new columns are merged.
    #[inline(always)]
    fn b_panel(&self, jr: usize, cols: usize) -> (*const T, usize, usize, usize) {
        let (_, pc, jc) = self.at;
        let (_, kb, nb) = self.size;
        let nr = self.blocking.nr;
        let direct_b = self.blocking.direct_b;
        let shift = if direct_b && cols < nr && nb >= nr {
            nr - cols
        } else {
            0
        };
        if !direct_b {
            // SAFETY: inside the packed block.
            (unsafe { self.bpack.add(jr * kb) } as *const T, nr, 1, 0)
        } else if cols < nr && shift == 0 {
            (self.bpack as *const T, nr, 1, 0)
        } else {
            let b = &self.b;
            // SAFETY: inside op(B) (jr - shift >= 0 since nb >= nr).
            let p = unsafe { b.ptr.add(pc * b.rs + (jc + jr - shift) * b.cs) };
            (p, b.rs, b.cs, shift)
        }
    }

    /// A's micro-panel for rows `ir..ir + rows`: (pointer, stride, shift), shifted as B's.
    #[inline(always)]
    fn a_panel(&self, ir: usize, rows: usize) -> (*const T, usize, usize) {
        let (ic, pc, _) = self.at;
        let (mb, kb, _) = self.size;
        let mr = self.blocking.mr;
        let direct_a = self.blocking.direct_a;
        let shift = if direct_a && rows < mr && mb >= mr {
            mr - rows
        } else {
            0
        };
        if !direct_a {
            // SAFETY: inside the packed block.
            (unsafe { self.apack.add(ir * kb) } as *const T, mr, 0)
        } else if rows < mr && shift == 0 {
            (self.apack as *const T, mr, 0)
        } else {
            let a = &self.a;
            // SAFETY: inside op(A) (ir - shift >= 0 since mb >= mr).
            let p = unsafe { a.ptr.add(ic + ir - shift + pc * a.cs) };
            (p, a.cs, shift)
        }
    }

    /// Starts fetching the C tile PF_TILES kernel calls after (ir, jr): with a shallow depth the
    /// kernel is too short to hide a miss on its own tile.
    #[inline(always)]
    fn prefetch_ahead(&self, ir: usize, jr: usize) {
        let (ic, _, jc) = self.at;
        let (mb, _, nb) = self.size;
        let (mr, nr) = (self.blocking.mr, self.blocking.nr);
        let (pi, pj) = if ir + PF_TILES * mr < mb {
            (ir + PF_TILES * mr, jr)
        } else {
            (ir + PF_TILES * mr - mb.div_ceil(mr) * mr, jr + nr)
        };
        if pi < mb && pj < nb {
            let rows = (mb - pi).min(mr);
            let cols = (nb - pj).min(nr);
            // SAFETY: (ic+pi, jc+pj) is inside C.
            unsafe {
                prefetch_tile(
                    self.c.add(ic + pi + (jc + pj) * self.ldc),
                    rows,
                    cols,
                    self.ldc,
                )
            };
        }
    }

    /// Runs the microkernel on every register tile of the block, edge tiles through `tile`.
    ///
    /// # Safety
    /// The block lies inside C and the packed (or in-place) operands; `tile` holds MAX_TILE
    /// elements.
    unsafe fn run(&self, tile: *mut T) {
        let (ic, _, jc) = self.at;
        let (mb, kb, nb) = self.size;
        let (mr, nr) = (self.blocking.mr, self.blocking.nr);
        let (u, ldc, alpha, beta) = (self.u, self.ldc, self.alpha, self.beta);
        for jr in (0..nb).step_by(nr) {
            let cols = nr.min(nb - jr);
            let (bp, rsb, csb, col_shift) = self.b_panel(jr, cols);
            for ir in (0..mb).step_by(mr) {
                let rows = mr.min(mb - ir);
                let cover = self
                    .stored
                    .map_or(Cover::All, |s| s.cover(ic + ir, rows, jc + jr, cols));
                if cover == Cover::Nothing {
                    continue;
                }
                let (ap, sa, row_shift) = self.a_panel(ir, rows);
                // SAFETY: (ic+ir, jc+jr) is inside C.
                let cp = unsafe { self.c.add(ic + ir + (jc + jr) * ldc) };
                self.prefetch_ahead(ir, jr);
                if rows == mr && cols == nr && cover == Cover::All {
                    // SAFETY: a full tile of C; operands as the kernel's contract.
                    unsafe { (u.func)(kb, ap, sa, bp, rsb, csb, cp, ldc, alpha, beta) };
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
                    (u.func)(kb, ap, sa, bp, rsb, csb, tile, mr, alpha, beta);
                    match self.stored.filter(|_| cover == Cover::Part) {
                        None => store_tile(rows, cols, tile.add(off), mr, cp, ldc),
                        Some(s) => {
                            let at = (ic + ir, jc + jr);
                            store_kept(s, at, rows, cols, tile.add(off), mr, cp, ldc)
                        }
                    }
                }
            }
        }
    }
}

/// Hint the cache to load a rows x cols block of C (no effect on other architectures).
///
/// # Safety
/// The block lies inside C (prefetches never fault, but the addresses must be computable).
#[inline(always)]
unsafe fn prefetch_tile<T>(c: *mut T, rows: usize, cols: usize, ldc: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = rows * std::mem::size_of::<T>();
        for j in 0..cols {
            // SAFETY: inside C (caller); prefetch has no architectural effect.
            unsafe {
                let p = c.add(j * ldc) as *const i8;
                _mm_prefetch::<_MM_HINT_T0>(p);
                if bytes > 64 {
                    _mm_prefetch::<_MM_HINT_T0>(p.add(bytes - 1));
                }
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (c, rows, cols, ldc);
}

/// How many kernel calls ahead `gemm_with_path` prefetches C tiles.
const PF_TILES: usize = 4;

/// Stack scratch for small products' edge panels.
const STACK_BYTES: usize = 8192;
#[repr(C, align(64))]
struct StackBuf([std::mem::MaybeUninit<u8>; STACK_BYTES]);

/// Largest MR x NR of any table (SKYLAKEX sgemm 32 x 12).
const MAX_TILE: usize = 384;

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

/// Copy the rows x cols block at `tile` (ld `ldt`) back into C.
///
/// # Safety
/// Both blocks addressable; they do not overlap.
unsafe fn store_tile<T: Scalar>(
    rows: usize,
    cols: usize,
    tile: *const T,
    ldt: usize,
    c: *mut T,
    ldc: usize,
) {
    for j in 0..cols {
        // SAFETY: caller's bounds.
        unsafe { std::ptr::copy_nonoverlapping(tile.add(j * ldt), c.add(j * ldc), rows) };
    }
}

/// `store_tile` for a tile crossing the boundary of `stored`: only the kept elements, the tile
/// being at `at` (row, column) in the block `stored` describes.
///
/// # Safety
/// As `store_tile`.
#[allow(clippy::too_many_arguments)]
unsafe fn store_kept<T: Scalar>(
    stored: Stored,
    at: (usize, usize),
    rows: usize,
    cols: usize,
    tile: *const T,
    ldt: usize,
    c: *mut T,
    ldc: usize,
) {
    for j in 0..cols {
        for i in (0..rows).filter(|&i| stored.keeps(at.0 + i, at.1 + j)) {
            // SAFETY: caller's bounds.
            unsafe { *c.add(i + j * ldc) = *tile.add(i + j * ldt) };
        }
    }
}

// SAFETY: a MatRef is a read-only view; the BLAS call that creates it outlives every thread
// that uses it (threads are scoped to the call), and nothing writes the operands meanwhile.
unsafe impl<T: Sync> Send for MatRef<T> {}

/// The output pointer handed to one worker; workers write disjoint blocks of C.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: each worker gets a disjoint column (or row) range of C, within the call's lifetime.
unsafe impl<T: Send> Send for OutPtr<T> {}

/// `gemm_with` split into `parts` independent products over disjoint ranges of C's columns (or
/// rows, when C is taller than wide), aligned to the register tile. Threads are scoped to the
/// call (see `crate::threads`): none outlives it, so there is no pool to shut down and nothing
/// to hang on after `fork`.
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
    let (threads, min_work) = crate::arch::threading();
    let work = m.saturating_mul(n).saturating_mul(k);
    let useful = !(alpha.is_zero() || k == 0 || m == 0 || n == 0);
    // SAFETY: forwarded contract.
    unsafe {
        if threads > 1 && useful && work >= min_work {
            gemm_parallel_with(&u, threads, m, n, k, alpha, a, b, beta, c, ldc)
        } else {
            gemm_with(&u, m, n, k, alpha, a, b, beta, c, ldc)
        }
    }
}

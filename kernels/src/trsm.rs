//! TRSM and TRMM on the GEMM engine. The triangular solve is split recursively in halves, so
//! that almost all of its flops are GEMM updates (threaded and packed like any GEMM) and only
//! diagonal blocks of at most `BASE` rows are solved directly. The product needs no recursion:
//! it is one GEMM pass with the triangle packed (`crate::gemm::trmm`); this module gives it the
//! triangle and its share of the right-hand sides.
//!
//! The split points depend only on the order of the triangle, never on the other dimension of B
//! or the thread count: each right-hand side goes through the same operations in the same order
//! however many are solved at once, which keeps the library's results independent of the call's
//! shape (GEMM's own results do not depend on how many columns it is given). The same property
//! makes threading simple: the right-hand sides are split between threads, each solving (or
//! multiplying) its own share single-threaded, and the result is bit-identical to one thread's.

use crate::gemm::{gemm, gemm_with, GemmScalar, MatRef};
use crate::scalar::Scalar;

/// Diagonal blocks up to this order are solved by substitution; larger ones are split.
const BASE: usize = 32;

/// The triangular matrix of the solve, `op(A)` (transposed and conjugated as the call asks),
/// read in place from the caller's A: the GEMM updates take its off-diagonal blocks as strided
/// operands (they lie wholly inside the stored triangle), and each diagonal block is copied into
/// a small local block when it is solved. Nothing of order k² is copied (a dense copy of op(A)
/// cost 5-9% of a 256..1024 dtrsm).
pub struct Triangle<T> {
    /// `op(A)` over the caller's A: only its stored triangle may be read.
    a: MatRef<T>,
    pub k: usize,
    /// `op(A)` is upper triangular.
    pub upper: bool,
    /// The diagonal is implicitly one (DIAG = 'U'): never divided by.
    pub unit: bool,
}

// SAFETY: a Triangle is a read-only view of the caller's A, which outlives the call and every
// thread it starts, and which nothing writes meanwhile.
unsafe impl<T: Sync> Sync for Triangle<T> {}

impl<T: Scalar> Triangle<T> {
    /// `op(A)` of the caller's A (order `k`, leading dimension `lda`), of which only the stored
    /// triangle (`upper_a`) will be read; a unit diagonal is one.
    ///
    /// # Safety
    /// `a` holds the stored triangle of a `k`×`k` matrix with leading dimension `lda`, valid
    /// and unchanged while the Triangle is used.
    pub unsafe fn from_stored(
        a: *const T,
        lda: usize,
        k: usize,
        upper_a: bool,
        unit: bool,
        transa: u8,
    ) -> Self {
        let transposed = !transa.eq_ignore_ascii_case(&b'N');
        Triangle {
            a: MatRef::op(a, lda, transa),
            k,
            upper: upper_a != transposed,
            unit,
        }
    }

    /// Element (i, j) of `op(A)`, for the tests' naive products: read only inside the stored
    /// triangle, zero outside it, one on a unit diagonal.
    #[cfg(test)]
    fn at(&self, i: usize, j: usize) -> T {
        if i == j && self.unit {
            T::one()
        } else if (i <= j) == self.upper || i == j {
            // SAFETY: (i, j) is inside the stored triangle of a k×k matrix (the contract of
            // `from_stored`).
            unsafe { self.a.at(i, j) }
        } else {
            T::zero()
        }
    }

    /// The block of `op(A)` starting at row `i`, column `j`, as a GEMM operand. Callers take
    /// only blocks off the diagonal, which lie inside the stored triangle.
    fn block(&self, i: usize, j: usize) -> MatRef<T> {
        MatRef {
            // SAFETY (of later reads): callers pass block origins inside the triangle.
            ptr: self.a.ptr.wrapping_add(i * self.a.rs + j * self.a.cs),
            ..self.a
        }
    }
}

/// Where the recursion splits a diagonal block of order `k`: about half, on a multiple of
/// `BASE`, so the leaves are full `BASE`-order blocks where possible.
fn split(k: usize) -> usize {
    let half = k.div_ceil(2).div_ceil(BASE) * BASE;
    half.min(k - 1).max(1)
}

/// Solves `op(A) X = B` in place (left side), B being `t.k`×`n` at `b` with leading
/// dimension `ldb`; alpha is already applied.
///
/// # Safety
/// `b` holds a `t.k`×`n` column-major matrix with leading dimension `ldb`.
pub unsafe fn solve_left<T: GemmScalar>(t: &Triangle<T>, n: usize, b: *mut T, ldb: usize) {
    // SAFETY: forwarded.
    unsafe { run::<Left, T>(t, n, b, ldb, Op::Solve) }
}

/// Solves `X op(A) = B` in place (right side), B being `m`×`t.k`.
///
/// # Safety
/// `b` holds an `m`×`t.k` column-major matrix with leading dimension `ldb`.
pub unsafe fn solve_right<T: GemmScalar>(t: &Triangle<T>, m: usize, b: *mut T, ldb: usize) {
    // SAFETY: forwarded.
    unsafe { run::<Right, T>(t, m, b, ldb, Op::Solve) }
}

/// B := op(A) B in place (left side; alpha already applied), B being `t.k`×`n`.
///
/// # Safety
/// As `solve_left`.
pub unsafe fn multiply_left<T: GemmScalar>(t: &Triangle<T>, n: usize, b: *mut T, ldb: usize) {
    // SAFETY: forwarded.
    unsafe { run::<Left, T>(t, n, b, ldb, Op::Multiply) }
}

/// B := B op(A) in place (right side), B being `m`×`t.k`.
///
/// # Safety
/// As `solve_right`.
pub unsafe fn multiply_right<T: GemmScalar>(t: &Triangle<T>, m: usize, b: *mut T, ldb: usize) {
    // SAFETY: forwarded.
    unsafe { run::<Right, T>(t, m, b, ldb, Op::Multiply) }
}

/// The side of B the triangle stands on. A right-side problem `X op(A) = B` is the left-side
/// problem `op(A)ᵀ Xᵀ = Bᵀ`, so one recursion serves both: it works on the left-side problem and
/// reads the triangle and B through their transposes when the side is right. The triangle's
/// index `i` is then B's column `i` rather than its row, and a right-hand side is a row of B
/// rather than a column. A type rather than a value, so that the strides it fixes are
/// constants in the panel loops of the diagonal blocks.
trait Side {
    /// The problem is seen transposed (the right side).
    const RIGHT: bool;
}

struct Left;
impl Side for Left {
    const RIGHT: bool = false;
}

struct Right;
impl Side for Right {
    const RIGHT: bool = true;
}

/// `op` on the `count` right-hand sides of B (its columns on the left side, its rows on the
/// right), the right-hand sides split between threads.
///
/// # Safety
/// As `solve_left` (left side) or `solve_right` (right side).
unsafe fn run<S: Side, T: GemmScalar>(
    t: &Triangle<T>,
    count: usize,
    b: *mut T,
    ldb: usize,
    op: Op,
) {
    // Right-hand sides [lo, hi) of B start at its right-hand side lo.
    let part = |lo: usize, hi: usize, b: OutPtr<T>, serial: bool| {
        if op == Op::Multiply {
            // A product is one GEMM pass with the triangle packed (`crate::gemm::trmm`).
            let u = T::ukr(crate::arch::active());
            let operand = crate::gemm::trmm::TriangleOperand {
                a: t.a,
                k: t.k,
                upper: t.upper,
                unit: t.unit,
            };
            // SAFETY: right-hand sides lo..hi of B, disjoint between parts.
            return unsafe {
                let first = b.0.add(lo * Job::<S, T>::strides(ldb).1);
                if S::RIGHT {
                    crate::gemm::trmm::multiply_right(u, &operand, hi - lo, first, ldb)
                } else {
                    crate::gemm::trmm::multiply_left(u, &operand, hi - lo, first, ldb)
                }
            };
        }
        let job = Job::<S, T> {
            t,
            count: hi - lo,
            // SAFETY: right-hand sides lo..hi of B, disjoint between parts.
            b: unsafe { b.0.add(lo * Job::<S, T>::strides(ldb).1) },
            ldb,
            serial,
            side: std::marker::PhantomData,
        };
        // SAFETY: forwarded.
        unsafe { job.recurse(0, t.k) }
    };
    // SAFETY: forwarded; parts write disjoint right-hand sides.
    unsafe { split_between_threads(t.k, count, OutPtr(b), part) }
}

/// B's pointer, handed to the threads that each solve a disjoint share of the right-hand sides.
#[derive(Clone, Copy)]
struct OutPtr<T>(*mut T);
// SAFETY: every thread writes only its own rows or columns of B, within the call's lifetime.
unsafe impl<T: Send> Send for OutPtr<T> {}
unsafe impl<T: Sync> Sync for OutPtr<T> {}

/// Runs `part(lo, hi, b, serial)` over `count` right-hand sides: on the calling thread alone
/// (with GEMM threading as usual) when the solve is small, else split evenly between the
/// library's threads, each part with single-threaded GEMMs.
unsafe fn split_between_threads<T: GemmScalar>(
    k: usize,
    count: usize,
    b: OutPtr<T>,
    part: impl Fn(usize, usize, OutPtr<T>, bool) + Sync,
) {
    // A solve or product with a k x k triangle: k(k+1)/2 multiply-adds per right-hand side.
    let threads =
        crate::arch::threads_for::<T>((k.saturating_mul(k + 1) / 2).saturating_mul(count));
    let parts = threads.min(count / BASE).max(1);
    if parts == 1 {
        part(0, count, b, false);
        return;
    }
    let per = count.div_ceil(parts);
    let part = &part;
    let mut workers = crate::threads::Workers::new();
    let cpus = crate::threads::worker_cpus(parts - 1);
    for (index, lo) in (per..count).step_by(per).enumerate() {
        let hi = (lo + per).min(count);
        // SAFETY: `workers` joins every thread before this function returns, so the borrowed
        // closure outlives the threads that run it.
        let started =
            unsafe { workers.spawn_on(cpus.get(index).copied(), move || part(lo, hi, b, true)) };
        if !started {
            // The OS refused a thread: do that share on the calling thread.
            part(lo, hi, b, true);
        }
    }
    part(0, per.min(count), b, true);
    drop(workers);
}

/// One GEMM step of a recursion, C += alpha A B: threaded as the library's GEMM is, unless the
/// solve itself is already split between threads (`serial`).
#[allow(clippy::too_many_arguments)]
unsafe fn accumulate<T: GemmScalar>(
    serial: bool,
    alpha: T,
    m: usize,
    n: usize,
    k: usize,
    a: MatRef<T>,
    b: MatRef<T>,
    c: *mut T,
    ldc: usize,
) {
    // SAFETY: forwarded.
    unsafe {
        if serial {
            let u = T::ukr(crate::arch::active());
            gemm_with(u, m, n, k, alpha, a, b, T::one(), c, ldc);
        } else {
            gemm(m, n, k, alpha, a, b, T::one(), c, ldc);
        }
    }
}

/// What a call does to B with the triangle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// B := op(A)^-1 B (left) or B op(A)^-1 (right): the recursion of `Job`.
    Solve,
    /// B := op(A) B (left) or B op(A) (right): one GEMM pass (`crate::gemm::trmm`).
    Multiply,
}

/// A solve of one thread's share of B, seen as the left-side problem (see `Side`).
struct Job<'a, S, T> {
    t: &'a Triangle<T>,
    /// Right-hand sides in this share.
    count: usize,
    /// The share's first right-hand side.
    b: *mut T,
    ldb: usize,
    /// The right-hand sides are already split between threads: GEMM updates run unthreaded.
    serial: bool,
    side: std::marker::PhantomData<S>,
}

impl<S: Side, T: GemmScalar> Job<'_, S, T> {
    /// B's strides in the left-side problem: (along the triangle's index, across the
    /// right-hand sides).
    fn strides(ldb: usize) -> (usize, usize) {
        if S::RIGHT {
            (ldb, 1)
        } else {
            (1, ldb)
        }
    }

    /// The left-side problem's triangle is upper: transposing turns lower into upper.
    fn upper(&self) -> bool {
        self.t.upper != S::RIGHT
    }

    /// Rows `off..off + k` of the left-side problem (columns of B on the right side).
    unsafe fn recurse(&self, off: usize, k: usize) {
        if k <= BASE {
            // SAFETY: forwarded.
            unsafe { self.diagonal_block_for_this_cpu(off, k) };
            return;
        }
        let k1 = split(k);
        let (top, bottom) = ((off, k1), (off + k1, k - k1));
        // An upper triangle's top rows depend on its bottom rows, a lower one's the other way.
        let (target, source) = if self.upper() {
            (top, bottom)
        } else {
            (bottom, top)
        };
        // The source half is solved first; its contribution then leaves the target's rows
        // (GEMM with alpha = -1) before the target is solved.
        // SAFETY: every block lies inside B or the triangle; the GEMM reads rows of B that it
        // does not write.
        unsafe {
            self.recurse(source.0, source.1);
            self.update(T::zero() - T::one(), target, source);
            self.recurse(target.0, target.1);
        }
    }

    /// Rows `target` of the left-side problem's B += alpha times the triangle's block
    /// (`target`, `source`) times rows `source` (each an offset and an order).
    unsafe fn update(&self, alpha: T, target: (usize, usize), source: (usize, usize)) {
        let (along, across) = Self::strides(self.ldb);
        let rows = MatRef {
            // SAFETY: the source rows lie inside B.
            ptr: unsafe { self.b.add(source.0 * along) } as *const T,
            rs: along,
            cs: across,
            conj: false,
        };
        // SAFETY: the target rows lie inside B.
        let c = unsafe { self.b.add(target.0 * along) };
        let (serial, n, ldb) = (self.serial, self.count, self.ldb);
        // SAFETY: forwarded.
        unsafe {
            if S::RIGHT {
                // Issued untransposed, B's columns times op(A)'s block (source, target), so
                // that it is the very GEMM a direct call on the right-side problem makes.
                let a = self.t.block(source.0, target.0);
                let rows = transposed(rows);
                accumulate(serial, alpha, n, target.1, source.1, rows, a, c, ldb);
            } else {
                let a = self.t.block(target.0, source.0);
                accumulate(serial, alpha, target.1, n, source.1, a, rows, c, ldb);
            }
        }
    }

    /// `diagonal_block`, compiled for AVX2 and FMA (and AVX-512) where the CPU has them, with the
    /// real types' multiply-adds fused (as the GEMM microkernels' are). The base cases are plain
    /// Rust loops, vectorised by the compiler for whatever it may assume: a DYNAMIC build (baseline
    /// x86-64, SSE2) ran 256³ dtrsm/dtrmm at 0.83-0.84x of a HASWELL build on the same CPU, and
    /// unfused they ran at about half the GEMM microkernel's rate (a multiply and a dependent add
    /// per term), which is what LAPACK's blocked factorizations feel most: their trsm calls have
    /// triangles of order 32..64, where the base cases are half or all of the work. The choice
    /// depends on the CPU only, never on the call, so results still do not depend on the call's
    /// shape; both kinds of build take the same path on the same CPU.
    ///
    /// # Safety
    /// As `diagonal_block`.
    unsafe fn diagonal_block_for_this_cpu(&self, off: usize, k: usize) {
        #[cfg(target_arch = "x86_64")]
        if crate::gemm::haswell::supported() {
            if crate::gemm::skylakex::supported() {
                // SAFETY: forwarded; the CPU has AVX-512F besides AVX2 and FMA.
                return unsafe { self.diagonal_block_avx512(off, k) };
            }
            // SAFETY: forwarded; the CPU has AVX2 and FMA (checked above).
            return unsafe { self.diagonal_block_avx2(off, k) };
        }
        // SAFETY: forwarded.
        unsafe { self.diagonal_block::<false>(off, k) }
    }

    /// # Safety
    /// As `diagonal_block`, on a CPU with AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn diagonal_block_avx2(&self, off: usize, k: usize) {
        // SAFETY: forwarded.
        unsafe { self.diagonal_block::<true>(off, k) }
    }

    /// `diagonal_block_avx2` with AVX-512 as well: the same fused operations on each element
    /// (so the same bits), in wider vectors with twice the registers.
    ///
    /// # Safety
    /// As `diagonal_block`, on a CPU with AVX-512F, AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
    unsafe fn diagonal_block_avx512(&self, off: usize, k: usize) {
        // SAFETY: forwarded.
        unsafe { self.diagonal_block::<true>(off, k) }
    }

    /// Solves the diagonal block of rows `off..off + k` (at most `BASE`).
    #[inline(always)]
    unsafe fn diagonal_block<const FUSED: bool>(&self, off: usize, k: usize) {
        // The left-side problem's block, copied once for all the panels: op(A)'s own block on
        // the left, its transpose on the right, column-major with leading dimension BASE.
        // Only its triangle is copied: the kernels read nothing else.
        let mut block = Block {
            a: [std::mem::MaybeUninit::uninit(); BASE * BASE],
            k,
            inverse: [T::zero(); BASE],
        };
        // Element (i, j) of the left-side problem's block is op(A)'s (off + i, off + j) on the
        // left and its (off + j, off + i) on the right: strides along i and j, read directly
        // (through `Triangle::element`, with its checks per element, this copy took longer
        // than the solve itself for 32..64 right-hand sides). The block's triangle (`upper`)
        // is the stored one of A; the other side is zero, a unit diagonal one.
        let upper = self.upper();
        let a = &self.t.a;
        let (along_i, along_j) = if S::RIGHT { (a.cs, a.rs) } else { (a.rs, a.cs) };
        let origin = a.ptr.wrapping_add(off * (a.rs + a.cs));
        for j in 0..k {
            let stored = if upper { 0..j + 1 } else { j..k };
            for i in 0..k {
                let value = if !stored.contains(&i) {
                    T::zero()
                } else if i == j && self.t.unit {
                    T::one()
                } else {
                    // SAFETY: (off + i, off + j) of the left-side problem is inside the stored
                    // triangle of the caller's k×k A (the contract of `Triangle::from_stored`).
                    unsafe { *origin.add(i * along_i + j * along_j) }.conj_if(a.conj)
                };
                block.a[i + j * BASE].write(value);
            }
        }
        if !self.t.unit {
            for i in 0..k {
                // SAFETY: i < k.
                block.inverse[i] = T::one() / unsafe { block.at(i, i) };
            }
        }
        // SAFETY: forwarded.
        unsafe {
            match std::mem::size_of::<T>() {
                4 => self.by_panels::<FUSED, PANEL_F32>(off, k, &block),
                16 => self.by_panels::<FUSED, PANEL_C64>(off, k, &block),
                _ => self.by_panels::<FUSED, PANEL>(off, k, &block),
            }
        }
    }

    /// The solve of one panel of a diagonal block. A method rather than a closure handed to
    /// `by_panels`: a closure is a function of its own, which the compiler neither inlined
    /// into `diagonal_block_avx2` nor compiled for AVX2.
    #[inline(always)]
    fn panel_op<const FUSED: bool, const P: usize>(&self, block: &Block<T>, panel: &mut [[T; P]]) {
        let (upper, unit) = (self.upper(), self.t.unit);
        assert_eq!(
            panel.len(),
            block.k,
            "one panel row per unknown of the block"
        );
        // SAFETY: the solves ask only for coefficients of unknowns 0..k, the rows of `panel`
        // (checked just above).
        let coef = |i: usize, j: usize| unsafe { block.at(i, j) };
        // A lower triangle is solved from its first unknown on.
        if T::IS_COMPLEX {
            solve_panel_complex::<T, FUSED, P>(panel, !upper, unit, coef, &block.inverse);
        } else {
            solve_panel::<T, FUSED, P>(panel, !upper, unit, coef, &block.inverse);
        }
    }

    /// Runs `panel_op` on rows `off..off + k` of the left-side problem's B, P right-hand
    /// sides at a time, each gathered into a panel whose rows are contiguous. B is read and
    /// written along its contiguous direction: down each right-hand side on the left (a
    /// transpose), along each row of the problem on the right (a copy).
    ///
    /// # Safety
    /// Rows off..off + k of the `count` right-hand sides of B are valid.
    #[inline(always)]
    unsafe fn by_panels<const FUSED: bool, const P: usize>(
        &self,
        off: usize,
        k: usize,
        block: &Block<T>,
    ) {
        let (along, across) = Self::strides(self.ldb);
        let mut storage = [std::mem::MaybeUninit::uninit(); BASE];
        let panel = first_rows(&mut storage, k, |_| [T::zero(); P]);
        for c0 in (0..self.count).step_by(P) {
            let width = P.min(self.count - c0);
            // SAFETY: rows off..off + k of right-hand sides c0..c0 + width lie inside B.
            let first = unsafe { self.b.add(off * along + c0 * across) };
            // SAFETY: those places of B, which no other thread touches (each has its own
            // right-hand sides) and nothing here refers to meanwhile.
            unsafe { for_each_in_panel::<S, T, P>(panel, width, first, self.ldb, |x, y| *x = *y) };
            self.panel_op::<FUSED, P>(block, panel);
            // SAFETY: as above.
            unsafe { for_each_in_panel::<S, T, P>(panel, width, first, self.ldb, |x, y| *y = *x) };
        }
    }
}

/// Calls `f(x, y)` for each element `x` of a panel's first `width` right-hand sides and `y`, its
/// place in B (the panel's first element at `first`), in the order that walks B contiguously:
/// down each right-hand side on the left (a transpose into the panel), along each row of the
/// problem on the right (the panel's rows are B's columns there: a copy).
///
/// # Safety
/// The panel's places in B are valid, and not otherwise referenced during the call.
#[inline(always)]
unsafe fn for_each_in_panel<S: Side, T, const P: usize>(
    panel: &mut [[T; P]],
    width: usize,
    first: *mut T,
    ldb: usize,
    mut f: impl FnMut(&mut T, &mut T),
) {
    // SAFETY: B's line `j` (a column) from the panel's first row or right-hand side on, for
    // `len` elements: inside the panel's places (the caller's contract).
    let line =
        |j: usize, len: usize| unsafe { std::slice::from_raw_parts_mut(first.add(j * ldb), len) };
    if S::RIGHT {
        for (i, row) in panel.iter_mut().enumerate() {
            for (x, y) in row[..width].iter_mut().zip(line(i, width)) {
                f(x, y);
            }
        }
    } else {
        let k = panel.len();
        for c in 0..width {
            for (row, y) in panel.iter_mut().zip(line(c, k)) {
                f(&mut row[c], y);
            }
        }
    }
}

/// `m` with its rows and columns swapped: the transpose of the matrix it reads.
fn transposed<T>(m: MatRef<T>) -> MatRef<T> {
    MatRef {
        rs: m.cs,
        cs: m.rs,
        ..m
    }
}

/// Solves `P` independent triangular systems at once, in place: `panel[i][c]` is unknown `i`
/// of system `c` (right-hand side on entry, solution on exit), and `coef(i, j)` is unknown `j`'s
/// coefficient in equation `i`, and `inverse[i]` the reciprocal of the diagonal one (unused
/// when `unit`). `forward` solves from the first unknown on (lower triangle), else from the
/// last. Each element sees the reference's eliminations in the reference's order (one
/// multiply-subtract per eliminated unknown, in the order they are solved), then a multiply by
/// the diagonal's reciprocal where the reference divides, whatever the other systems hold.
#[inline(always)]
fn solve_panel<T: Scalar, const FUSED: bool, const P: usize>(
    panel: &mut [[T; P]],
    forward: bool,
    unit: bool,
    coef: impl Fn(usize, usize) -> T,
    inverse: &[T; BASE],
) {
    substitute(
        panel,
        forward,
        |x: &mut [T; P], y: &[T; P], i, j| {
            let m = coef(i, j);
            for c in 0..P {
                x[c] = sub_mul::<T, FUSED>(x[c], y[c], m);
            }
        },
        |x: &mut [T; P], i| {
            if !unit {
                for x in x.iter_mut() {
                    *x *= inverse[i];
                }
            }
        },
    );
}

/// A row of a complex panel split into its real and imaginary parts.
#[derive(Clone, Copy)]
struct Planar<R, const P: usize> {
    re: [R; P],
    im: [R; P],
}

/// `solve_panel` for the complex types, on the panel split into its real and imaginary parts
/// (planar): each complex multiply-subtract is then four real ones on whole vectors, where on
/// interleaved pairs the compiler shuffled every product into place (ztrsm's 32-order diagonal
/// blocks ran at 0.65x OpenBLAS's speed that way on Zen 1). The operations on each element are
/// the same whatever the other right-hand sides hold, as in `solve_panel`.
#[inline(always)]
fn solve_panel_complex<T: Scalar, const FUSED: bool, const P: usize>(
    panel: &mut [[T; P]],
    forward: bool,
    unit: bool,
    coef: impl Fn(usize, usize) -> T,
    inverse: &[T; BASE],
) {
    let mut storage = [std::mem::MaybeUninit::uninit(); BASE];
    let rows = first_rows(&mut storage, panel.len(), |i| Planar {
        re: panel[i].map(T::re),
        im: panel[i].map(T::im),
    });
    let sub = sub_mul::<T::Real, FUSED>;
    substitute(
        rows,
        forward,
        // x -= y m
        |x: &mut Planar<T::Real, P>, y: &Planar<T::Real, P>, i, j| {
            let m = coef(i, j);
            let (mr, mi) = (m.re(), m.im());
            for c in 0..P {
                x.re[c] = sub(sub(x.re[c], y.re[c], mr), y.im[c], -mi);
                x.im[c] = sub(sub(x.im[c], y.re[c], mi), y.im[c], mr);
            }
        },
        // x *= the reciprocal of diagonal element i
        |x: &mut Planar<T::Real, P>, i| {
            if !unit {
                let (vr, vi) = (inverse[i].re(), inverse[i].im());
                for c in 0..P {
                    let (xr, xi) = (x.re[c], x.im[c]);
                    (x.re[c], x.im[c]) = (xr * vr - xi * vi, xr * vi + xi * vr);
                }
            }
        },
    );
    for (x, row) in panel.iter_mut().zip(rows.iter()) {
        *x = std::array::from_fn(|c| T::from_parts(row.re[c], row.im[c]));
    }
}

/// The order of a substitution, for rows of any representation: `eliminate(x, y, i, j)`
/// subtracts solved row `y` (unknown j) from row `x` (equation i) times their coefficient, and
/// `divide(x, i)` scales row `x` by the reciprocal of diagonal element i. `forward` solves from
/// the first unknown on, else from the last.
///
/// Two equations at a time, both held in registers while the solved unknowns are subtracted
/// from them: eliminating an unknown from every later row at once loads and stores each row
/// once per unknown, and one row at a time leaves the subtractions waiting on each other's
/// latency.
#[inline(always)]
fn substitute<R: Copy>(
    rows: &mut [R],
    forward: bool,
    eliminate: impl Fn(&mut R, &R, usize, usize),
    divide: impl Fn(&mut R, usize),
) {
    let k = rows.len();
    // The unknown solved at each step.
    let order = |step: usize| if forward { step } else { k - 1 - step };
    let mut step = 0;
    while step + 1 < k {
        let (i, i2) = (order(step), order(step + 1));
        let (mut x, mut x2) = (rows[i], rows[i2]);
        for j in (0..step).map(order) {
            eliminate(&mut x, &rows[j], i, j);
            eliminate(&mut x2, &rows[j], i2, j);
        }
        divide(&mut x, i);
        eliminate(&mut x2, &x, i2, i);
        divide(&mut x2, i2);
        rows[i] = x;
        rows[i2] = x2;
        step += 2;
    }
    if step < k {
        let i = order(step);
        let mut x = rows[i];
        for j in (0..step).map(order) {
            eliminate(&mut x, &rows[j], i, j);
        }
        divide(&mut x, i);
        rows[i] = x;
    }
}

// ---- diagonal blocks: substitution, P right-hand sides at a time ----

/// `x - y * m`: with one rounding when `FUSED` for the real types (the code is then compiled
/// with FMA; see `Scalar::add_mul_fused`), else as written.
#[inline(always)]
fn sub_mul<T: Scalar, const FUSED: bool>(x: T, y: T, m: T) -> T {
    if FUSED {
        x.add_mul_fused(y, -m)
    } else {
        x - y * m
    }
}

/// Right-hand sides handled side by side by one panel operation: four AVX2 vectors of doubles,
/// enough independent work to hide the division's latency on each step's dependency chain;
/// the panel (BASE x PANEL) still fits in L1.
const PANEL: usize = 16;

/// PANEL for `f32`: the same four AVX2 vectors per row. At 16, two rows of two vectors each
/// left the fused multiply-adds waiting on each other's latency. Each right-hand side is
/// computed on its own, so the width changes no result.
const PANEL_F32: usize = 32;

/// PANEL for `C64`: the same four AVX2 vectors per row. At 16, the two rows in registers took
/// all sixteen and spilled.
const PANEL_C64: usize = 8;

/// The first `k` rows of `storage`, row `i` set to `row(i)`; the rest stays uninitialised. A
/// solve of order `k` touches only those: zeroing whole BASE-row arrays (and the whole block)
/// was a quarter of the time of LAPACK's dpotrf2 on a 64-order diagonal block, whose recursion
/// calls dtrsm on orders 1..32 some sixty times.
fn first_rows<R: Copy>(
    storage: &mut [std::mem::MaybeUninit<R>; BASE],
    k: usize,
    row: impl Fn(usize) -> R,
) -> &mut [R] {
    let rows = &mut storage[..k];
    for (i, slot) in rows.iter_mut().enumerate() {
        slot.write(row(i));
    }
    // SAFETY: the k rows were initialised just above; MaybeUninit<R> has the layout of R.
    unsafe { std::slice::from_raw_parts_mut(rows.as_mut_ptr() as *mut R, k) }
}

/// A diagonal block of the left-side problem.
struct Block<T> {
    /// The block, column-major with leading dimension BASE: its leading `k`×`k` square is set
    /// (the triangle from A, zero beside it), the rest uninitialised (see `first_rows`).
    a: [std::mem::MaybeUninit<T>; BASE * BASE],
    /// The block's order.
    k: usize,
    /// The reciprocals of its diagonal elements (unset for a unit diagonal). Solving multiplies
    /// by them rather than dividing by the diagonal: on Zen 1 a vdivpd costs 8-9 cycles against
    /// one for a multiply, and the divisions were about a fifth of a 32-order block's time; a
    /// complex division (Smith's) is three divisions and a branch per element. A reciprocal
    /// rounds once more than a quotient (as OpenBLAS's inverted diagonals do); it depends on
    /// the diagonal element alone, so every right-hand side still sees the same operations.
    inverse: [T; BASE],
}

impl<T: Scalar> Block<T> {
    /// Element (i, j) of the block. Not checked in release builds: the solve's inner loop asks
    /// for two coefficients per eight vector multiply-adds, and the check cost a few percent.
    ///
    /// # Safety
    /// `i` and `j` are below the block's order `k`.
    #[inline(always)]
    unsafe fn at(&self, i: usize, j: usize) -> T {
        debug_assert!(i < self.k && j < self.k, "inside the block");
        // SAFETY: the leading k×k square is initialised (see the field), and (i, j) lies in it
        // (the caller's promise).
        unsafe { self.a[i + j * BASE].assume_init() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Right-hand sides of the test problems.
    const N: usize = 3;

    /// Runs `check(t, x)` for triangles of orders about `BASE` and its multiples, both shapes,
    /// transposed or not, `x` holding small integers (read as `k`×`N` or `N`×`k`).
    fn for_each_triangle(check: impl Fn(&Triangle<f64>, &[f64])) {
        for &k in &[1usize, 5, 32, 33, 70, 130] {
            for &upper in &[false, true] {
                for &trans in b"NT" {
                    let full = triangle(k, upper);
                    let t =
                        unsafe { Triangle::from_stored(full.as_ptr(), k, k, upper, false, trans) };
                    let x: Vec<f64> = (0..k * N).map(|v| (v % 13) as f64 - 6.0).collect();
                    check(&t, &x);
                }
            }
        }
    }

    /// A well-conditioned triangle of order k: diagonal 2 + i/k, small off-diagonal entries.
    fn triangle(k: usize, upper: bool) -> Vec<f64> {
        let mut a = vec![0.0; k * k];
        for j in 0..k {
            for i in 0..k {
                if i == j {
                    a[i + j * k] = 2.0 + i as f64 / k as f64;
                } else if (i < j) == upper {
                    a[i + j * k] = ((i * 7 + j * 3) % 11) as f64 / (11.0 * k as f64);
                }
            }
        }
        a
    }

    /// op(A) X, naively, X being `t.k`×`N`.
    fn naive_left(t: &Triangle<f64>, x: &[f64]) -> Vec<f64> {
        let k = t.k;
        (0..k * N)
            .map(|e| (e % k, e / k))
            .map(|(i, c)| (0..k).map(|l| t.at(i, l) * x[l + c * k]).sum())
            .collect()
    }

    /// X op(A), naively, X being `N`×`t.k`.
    fn naive_right(t: &Triangle<f64>, x: &[f64]) -> Vec<f64> {
        (0..N * t.k)
            .map(|e| (e % N, e / N))
            .map(|(r, c)| (0..t.k).map(|l| x[r + l * N] * t.at(l, c)).sum())
            .collect()
    }

    fn assert_close(got: &[f64], want: &[f64], what: &str) {
        for (got, want) in got.iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{what}: {got} vs {want}");
        }
    }

    #[test]
    fn products_match_the_naive_triangular_product() {
        for_each_triangle(|t, x| {
            let k = t.k;
            let mut b = x.to_vec();
            unsafe { multiply_left(t, N, b.as_mut_ptr(), k) };
            assert_close(&b, &naive_left(t, x), &format!("left k={k}"));
            let mut b = x.to_vec();
            unsafe { multiply_right(t, N, b.as_mut_ptr(), N) };
            assert_close(&b, &naive_right(t, x), &format!("right k={k}"));
        });
    }

    #[test]
    fn recursive_solves_invert_the_triangle_on_both_sides() {
        for_each_triangle(|t, x| {
            let k = t.k;
            // B = op(A) X for a known X, then solve.
            let mut b = naive_left(t, x);
            unsafe { solve_left(t, N, b.as_mut_ptr(), k) };
            assert_close(&b, x, &format!("left k={k}"));
            // B = X op(A), X being N×k.
            let mut b = naive_right(t, x);
            unsafe { solve_right(t, N, b.as_mut_ptr(), N) };
            assert_close(&b, x, &format!("right k={k}"));
        });
    }

    /// The compilations of the base case: plain, AVX2 with FMA, and AVX-512.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Build {
        Unfused,
        Avx2,
        Avx512,
    }

    /// Runs one diagonal block (the whole triangle, order at most BASE) through one
    /// compilation of the base case, whichever the CPU would pick.
    unsafe fn base_case<S: Side>(t: &Triangle<f64>, b: &mut [f64], ldb: usize, build: Build) {
        let job = Job::<S, f64> {
            t,
            count: N,
            b: b.as_mut_ptr(),
            ldb,
            serial: true,
            side: std::marker::PhantomData,
        };
        unsafe {
            match build {
                Build::Unfused => job.diagonal_block::<false>(0, t.k),
                #[cfg(target_arch = "x86_64")]
                Build::Avx2 => job.diagonal_block_avx2(0, t.k),
                #[cfg(target_arch = "x86_64")]
                Build::Avx512 => job.diagonal_block_avx512(0, t.k),
                #[cfg(not(target_arch = "x86_64"))]
                _ => unreachable!("x86 builds only"),
            }
        }
    }

    #[test]
    fn every_compilation_of_the_solve_base_case_matches_the_naive_reference() {
        #[cfg(target_arch = "x86_64")]
        let (avx2, avx512) = (
            crate::gemm::haswell::supported(),
            crate::gemm::haswell::supported() && crate::gemm::skylakex::supported(),
        );
        #[cfg(not(target_arch = "x86_64"))]
        let (avx2, avx512) = (false, false);
        if !avx2 {
            eprintln!("SKIPPED: the AVX2+FMA base cases (this CPU lacks AVX2 or FMA)");
        }
        if !avx512 {
            eprintln!("SKIPPED: the AVX-512 base cases (this CPU lacks AVX-512F)");
        }
        let builds = [
            (Build::Unfused, true),
            (Build::Avx2, avx2),
            (Build::Avx512, avx512),
        ];
        for_each_triangle(|t, x| {
            let k = t.k;
            if k > BASE {
                return;
            }
            let mut fused_results = Vec::new();
            for (build, _) in builds.iter().filter(|(_, runs)| *runs) {
                let what = |s: &str| format!("{s} k={k} {build:?}");
                let mut left = naive_left(t, x);
                unsafe { base_case::<Left>(t, &mut left, k, *build) };
                assert_close(&left, x, &what("left solve"));
                let mut right = naive_right(t, x);
                unsafe { base_case::<Right>(t, &mut right, N, *build) };
                assert_close(&right, x, &what("right solve"));
                if *build != Build::Unfused {
                    fused_results.push((left, right));
                }
            }
            // The fused compilations perform the same operations: the same bits.
            if let [avx2, avx512] = &fused_results[..] {
                assert!(avx2 == avx512, "k={k}: AVX2 and AVX-512 base cases differ");
            }
        });
    }

    /// The complex solves (planar panels, complex reciprocals) undo a naive complex product on
    /// both sides, for every shape and transpose, orders around and beyond `BASE`, through
    /// every base case the CPU runs.
    #[test]
    fn complex_solves_invert_the_triangle_on_both_sides() {
        use crate::scalar::C64;
        for &k in &[1usize, 7, 32, 45] {
            for &upper in &[false, true] {
                for &trans in b"NTC" {
                    for &unit in &[false, true] {
                        let mut a = vec![C64::default(); k * k];
                        for j in 0..k {
                            for i in 0..k {
                                let v = ((i * 7 + j * 3) % 11) as f64 / (11.0 * k as f64);
                                a[i + j * k] = if i == j {
                                    C64::new(2.0 + i as f64 / k as f64, 0.5 - v)
                                } else if (i < j) == upper {
                                    C64::new(v, -0.5 * v)
                                } else {
                                    // Outside the stored triangle: must never be read.
                                    C64::new(f64::NAN, f64::NAN)
                                };
                            }
                        }
                        let t =
                            unsafe { Triangle::from_stored(a.as_ptr(), k, k, upper, unit, trans) };
                        let x: Vec<C64> = (0..k * N)
                            .map(|v| C64::new((v % 13) as f64 - 6.0, (v % 5) as f64 - 2.0))
                            .collect();
                        let what =
                            format!("k={k} upper={upper} trans={} unit={unit}", trans as char);
                        // B = op(A) X (left, X k×N) and B = X op(A) (right, X N×k).
                        let left: Vec<C64> = (0..k * N)
                            .map(|e| (e % k, e / k))
                            .map(|(i, c)| {
                                (0..k).fold(C64::default(), |s, l| s + t.at(i, l) * x[l + c * k])
                            })
                            .collect();
                        let right: Vec<C64> = (0..N * k)
                            .map(|e| (e % N, e / N))
                            .map(|(r, c)| {
                                (0..k).fold(C64::default(), |s, l| s + x[r + l * N] * t.at(l, c))
                            })
                            .collect();
                        let close = |got: &[C64], what: &str| {
                            for (g, w) in got.iter().zip(&x) {
                                let d = *g - *w;
                                assert!(d.re.abs() + d.im.abs() < 1e-9, "{what}: {g:?} vs {w:?}");
                            }
                        };
                        let mut b = left.clone();
                        unsafe { solve_left(&t, N, b.as_mut_ptr(), k) };
                        close(&b, &format!("left {what}"));
                        let mut b = right.clone();
                        unsafe { solve_right(&t, N, b.as_mut_ptr(), N) };
                        close(&b, &format!("right {what}"));
                        // Solves of order at most BASE went through the base case compiled
                        // for this CPU; the plain compilation is run here directly.
                        if k <= BASE {
                            let mut b = left.clone();
                            unsafe {
                                Job::<Left, C64> {
                                    t: &t,
                                    count: N,
                                    b: b.as_mut_ptr(),
                                    ldb: k,
                                    serial: true,
                                    side: std::marker::PhantomData,
                                }
                                .diagonal_block::<false>(0, k)
                            };
                            close(&b, &format!("unfused base case, left {what}"));
                        }
                    }
                }
            }
        }
    }

    /// Each right-hand side solved alone (a panel of width one) and among many (full panels and
    /// a partial one) gets the same bits, on both sides, in every precision.
    #[test]
    fn each_right_hand_side_is_solved_the_same_however_many_there_are() {
        fn check<T: GemmScalar>(make: impl Fn(usize) -> T) {
            let k = 100;
            let full: Vec<T> = (0..k * k)
                .map(|v| {
                    let (i, j) = (v % k, v / k);
                    if i == j {
                        make(200 + i)
                    } else if i > j {
                        make((i * 7 + j * 3) % 11)
                    } else {
                        T::zero()
                    }
                })
                .collect();
            // Small off-diagonal entries, a dominant diagonal.
            let full: Vec<T> = full
                .iter()
                .map(|&x| x.scale(T::Real::from_f64(0.01)))
                .collect();
            let t = unsafe { Triangle::from_stored(full.as_ptr(), k, k, false, false, b'N') };
            // 37 right-hand sides: full panels of every width (8, 16, 32) and a partial one.
            let n = 37;
            let b0: Vec<T> = (0..k * n).map(|v| make((v * 37) % 101)).collect();
            let mut all = b0.clone();
            unsafe { solve_left(&t, n, all.as_mut_ptr(), k) };
            for c in 0..n {
                let mut one = b0[c * k..(c + 1) * k].to_vec();
                unsafe { solve_left(&t, 1, one.as_mut_ptr(), k) };
                assert_eq!(one, all[c * k..(c + 1) * k], "left, column {c}");
            }
            // The right side: B is n×k, a right-hand side is a row.
            let mut all = b0.clone();
            unsafe { solve_right(&t, n, all.as_mut_ptr(), n) };
            for r in 0..n {
                let mut one: Vec<T> = (0..k).map(|l| b0[r + l * n]).collect();
                unsafe { solve_right(&t, 1, one.as_mut_ptr(), 1) };
                let row: Vec<T> = (0..k).map(|l| all[r + l * n]).collect();
                assert_eq!(one, row, "right, row {r}");
            }
        }
        use crate::scalar::{Real, C32, C64};
        check(|v| v as f64 / 7.0);
        check(|v| v as f32 / 7.0);
        check(|v| C64::new(v as f64 / 7.0, 1.0 - v as f64 / 13.0));
        check(|v| C32::new(v as f32 / 7.0, 1.0 - v as f32 / 13.0));
    }
}

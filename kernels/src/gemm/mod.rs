//! The generic GEMM framework (BLIS model): the loops around the microkernel, packing of A and B
//! into contiguous panels, and edge handling. Per-architecture code is only the microkernels,
//! reached through a `KernelSet` table together with their block sizes.

#[cfg(target_arch = "x86_64")]
#[macro_use]
mod simd_macros;

pub mod generic;
#[cfg(target_arch = "x86_64")]
pub mod haswell;
#[cfg(target_arch = "x86_64")]
pub mod skylakex;

use crate::scalar::{Scalar, C32, C64};

/// A microkernel: `ab[i + j*MR] = sum_l a[l*MR + i] * b[l*NR + j]` for an MR x NR tile, from
/// packed panels of depth `k`. It overwrites `ab` (alpha, beta and edges are the framework's).
pub type UkrFn<T> = unsafe fn(k: usize, a: *const T, b: *const T, ab: *mut T);

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

/// Pack rows `i0..i0+mb`, depth `p0..p0+kb` of op(A) into MR-row panels, zero-padding the last.
unsafe fn pack_a<T: Scalar>(
    a: &MatRef<T>,
    i0: usize,
    mb: usize,
    p0: usize,
    kb: usize,
    mr: usize,
    buf: &mut [T],
) {
    let panels = mb.div_ceil(mr);
    for p in 0..panels {
        let dst = &mut buf[p * mr * kb..(p + 1) * mr * kb];
        let rows = mr.min(mb - p * mr);
        for l in 0..kb {
            for i in 0..mr {
                dst[l * mr + i] = if i < rows {
                    // SAFETY: inside op(A).
                    unsafe { a.at(i0 + p * mr + i, p0 + l) }
                } else {
                    T::zero()
                };
            }
        }
    }
}

/// Pack depth `p0..p0+kb`, columns `j0..j0+nb` of op(B) into NR-column panels.
unsafe fn pack_b<T: Scalar>(
    b: &MatRef<T>,
    p0: usize,
    kb: usize,
    j0: usize,
    nb: usize,
    nr: usize,
    buf: &mut [T],
) {
    let panels = nb.div_ceil(nr);
    for p in 0..panels {
        let dst = &mut buf[p * nr * kb..(p + 1) * nr * kb];
        let cols = nr.min(nb - p * nr);
        for l in 0..kb {
            for j in 0..nr {
                dst[l * nr + j] = if j < cols {
                    // SAFETY: inside op(B).
                    unsafe { b.at(p0 + l, j0 + p * nr + j) }
                } else {
                    T::zero()
                };
            }
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
    if m == 0 || n == 0 {
        return;
    }
    if alpha.is_zero() || k == 0 {
        // SAFETY: caller's bounds.
        unsafe { scale_c(m, n, beta, c, ldc) };
        return;
    }
    let (mr, nr) = (u.mr, u.nr);
    // Block sizes rounded to whole register tiles so only the matrix edge has partial tiles.
    let mc = u.mc.max(mr) / mr * mr;
    let nc = u.nc.max(nr) / nr * nr;
    let kc = u.kc.max(1);
    let mut apack = vec![T::zero(); mc.min(m.div_ceil(mr) * mr) * kc.min(k)];
    let mut bpack = vec![T::zero(); nc.min(n.div_ceil(nr) * nr) * kc.min(k)];
    let mut tile = vec![T::zero(); mr * nr];
    for jc in (0..n).step_by(nc) {
        let nb = nc.min(n - jc);
        for pc in (0..k).step_by(kc) {
            let kb = kc.min(k - pc);
            // SAFETY: the block lies inside op(B).
            unsafe { pack_b(&b, pc, kb, jc, nb, nr, &mut bpack) };
            // Later depth blocks accumulate onto the first one's result.
            let beta_eff = if pc == 0 { beta } else { T::one() };
            for ic in (0..m).step_by(mc) {
                let mb = mc.min(m - ic);
                // SAFETY: the block lies inside op(A).
                unsafe { pack_a(&a, ic, mb, pc, kb, mr, &mut apack) };
                for jr in (0..nb).step_by(nr) {
                    let cols = nr.min(nb - jr);
                    for ir in (0..mb).step_by(mr) {
                        let rows = mr.min(mb - ir);
                        // SAFETY: panels hold kb*mr and kb*nr elements at these offsets; the
                        // kernel matches the table's MR x NR.
                        unsafe {
                            (u.func)(
                                kb,
                                apack.as_ptr().add(ir * kb),
                                bpack.as_ptr().add(jr * kb),
                                tile.as_mut_ptr(),
                            )
                        };
                        for j in 0..cols {
                            for i in 0..rows {
                                let t = alpha * tile[i + j * mr];
                                // SAFETY: (ic+ir+i, jc+jr+j) inside C.
                                unsafe {
                                    let p = c.add(ic + ir + i + (jc + jr + j) * ldc);
                                    *p = if beta_eff.is_zero() {
                                        t
                                    } else if beta_eff.is_one() {
                                        *p + t
                                    } else {
                                        beta_eff * *p + t
                                    };
                                }
                            }
                        }
                    }
                }
            }
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
    let mut lo = per;
    while lo < len {
        let hi = (lo + per).min(len);
        // SAFETY: `workers` joins every thread before this function returns (also when
        // unwinding), so the borrowed closure outlives the threads that run it.
        if !unsafe { workers.spawn(move || run(lo, hi)) } {
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

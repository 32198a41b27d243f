//! Packing of GEMM operands into the microkernels' panel format: `pack_panels` copies a block of
//! op(A) (or op(B) transposed) into `r`-row panels, `pack_symmetric` the same from the stored
//! triangle of a symmetric or Hermitian operand (SYMM/HEMM). Packing is a pure copy (and conjugation),
//! so how it is compiled never changes a result; it is compiled twice, for baseline x86-64 and
//! for AVX2, and the AVX2 copy runs wherever the CPU has AVX2, so that a DYNAMIC build packs as
//! fast as a single-target HASWELL or SKYLAKEX build.
//!
//! The transposing case (the panel's rows are the source's contiguous lines: B not transposed,
//! A transposed) is, in double precision, 4×4 register transposes rather than one scalar store
//! per element: in a 1024³ dgemm the scalar loop was half of all packing time.

use super::{MatRef, Symmetric};
use crate::scalar::Scalar;

/// Packs `block` (see `Block`) into its `r`-row panels (element (i, l) of a panel at
/// `l*r + i`), zero-padding the last. `x` is op(A) for A's MR-row panels and
/// op(B)^T for B's NR-column ones (see `Side`), so both operands share one set of fast paths:
/// contiguous columns and contiguous rows have their own loops; only conjugation is checked once
/// per panel.
///
/// # Safety
/// The block lies inside `x`; `buf` has room for `mb.div_ceil(r) * r * kb` elements.
pub(super) unsafe fn pack_panels<T: Scalar>(block: &Block<T>) {
    #[cfg(target_arch = "x86_64")]
    if super::haswell::supported() {
        // SAFETY: forwarded; the CPU has AVX2 (checked above).
        return unsafe { pack_panels_avx2(block) };
    }
    // SAFETY: forwarded.
    unsafe { pack_panels_with::<T, false>(block) }
}

/// What `pack_panels` packs: rows `i0..i0+mb`, depth `p0..p0+kb` of `x`, into `r`-row panels
/// at `buf`.
pub(super) struct Block<'a, T> {
    pub x: &'a MatRef<T>,
    pub i0: usize,
    pub mb: usize,
    pub p0: usize,
    pub kb: usize,
    pub r: usize,
    pub buf: *mut T,
}

/// `pack_panels` compiled for AVX2.
///
/// # Safety
/// As `pack_panels`, on a CPU with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn pack_panels_avx2<T: Scalar>(block: &Block<T>) {
    // SAFETY: forwarded; AVX2 as the caller promises.
    unsafe { pack_panels_with::<T, true>(block) }
}

/// The body of `pack_panels`; `AVX2` says the CPU has AVX2 (so the double-precision
/// transposing copy may use it).
///
/// # Safety
/// As `pack_panels`, and the CPU has AVX2 when `AVX2`.
#[inline(always)]
unsafe fn pack_panels_with<T: Scalar, const AVX2: bool>(block: &Block<T>) {
    let &Block {
        x,
        i0,
        mb,
        p0,
        kb,
        r,
        buf,
    } = block;
    let panels = mb.div_ceil(r);
    // Contiguous columns: the full panels are copied a column of the block at a time (see
    // `copy_columns`), only a partial last panel below.
    let first_panel = if x.rs == 1 && !x.conj {
        let full = mb / r;
        // SAFETY: caller's bounds: rows i0..i0 + full*r, depth p0..p0 + kb lie inside x.
        unsafe { copy_columns(kb, r, full, x.ptr.add(i0 + p0 * x.cs), x.cs, buf) };
        full
    } else {
        0
    };
    for p in first_panel..panels {
        let rows = r.min(mb - p * r);
        // SAFETY: caller's bounds; every destination element of the panel is written.
        unsafe {
            let dst = buf.add(p * r * kb);
            let src = x.ptr.add((i0 + p * r) * x.rs + p0 * x.cs);
            if x.rs == 1 && !x.conj {
                // Only the partial last panel gets here (the full ones went to `copy_columns`).
                for l in 0..kb {
                    let s = src.add(l * x.cs);
                    let d = dst.add(l * r);
                    std::ptr::copy_nonoverlapping(s, d, rows);
                    for i in rows..r {
                        *d.add(i) = T::zero();
                    }
                }
            } else if x.cs == 1 {
                #[cfg(target_arch = "x86_64")]
                if AVX2 && rows == r && r.is_multiple_of(2) && !x.conj {
                    if is::<T, f64>() {
                        // SAFETY: T is f64 (checked); the CPU has AVX2 (the caller's promise).
                        transpose_f64_avx2(kb, r, src as *const f64, x.rs, dst as *mut f64);
                        continue;
                    }
                    if is::<T, f32>() {
                        // SAFETY: T is f32 (checked); the CPU has AVX2 (the caller's promise).
                        transpose_f32_avx2(kb, r, src as *const f32, x.rs, dst as *mut f32);
                        continue;
                    }
                }
                for i in 0..rows {
                    let s = src.add(i * x.rs);
                    for l in 0..kb {
                        *dst.add(l * r + i) = (*s.add(l)).conj_if(x.conj);
                    }
                }
                for l in 0..kb {
                    for i in rows..r {
                        *dst.add(l * r + i) = T::zero();
                    }
                }
            } else {
                for l in 0..kb {
                    for i in 0..r {
                        *dst.add(l * r + i) = if i < rows {
                            (*src.add(i * x.rs + l * x.cs)).conj_if(x.conj)
                        } else {
                            T::zero()
                        };
                    }
                }
            }
        }
    }
}

/// Pack rows `i0..i0+mb` (of the operand: S's rows from `s.offset + i0`), depth `p0..p0+kb` of
/// S into `r`-row panels like `pack_panels`, reading only the stored triangle of A (`x`: A, unit
/// row stride). A full panel's depth splits into the columns left of its rows' diagonal
/// elements, the r columns crossing the diagonal, and those right of it: the outer two lie
/// wholly in one triangle, copied as contiguous columns (the stored side) or gathered from
/// contiguous rows (the mirror); only the r×r crossing block goes element by element.
///
/// # Safety
/// The block lies inside S; `buf` has room for `mb.div_ceil(r) * r * kb` elements.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn pack_symmetric<T: Scalar>(
    x: &MatRef<T>,
    s: Symmetric,
    i0: usize,
    mb: usize,
    p0: usize,
    kb: usize,
    r: usize,
    buf: *mut T,
) {
    let (base, ld, end) = (x.ptr, x.cs, p0 + kb);
    for p in 0..mb.div_ceil(r) {
        let rows = r.min(mb - p * r);
        let top = s.offset + i0 + p * r;
        // SAFETY: caller's bounds; every element of the panel is written.
        unsafe {
            let dst = buf.add(p * r * kb);
            if rows < r {
                // The matrix's last, partial panel: element by element, zero-padded.
                for l in p0..end {
                    for i in 0..r {
                        *dst.add((l - p0) * r + i) = if i < rows {
                            s.at(base, ld, top + i, l)
                        } else {
                            T::zero()
                        };
                    }
                }
                continue;
            }
            let left = top.clamp(p0, end);
            let right = (top + r).clamp(p0, end);
            for (lo, hi, below) in [(p0, left, true), (right, end, false)] {
                if lo == hi {
                    continue;
                }
                let d = dst.add((lo - p0) * r);
                if below != s.upper {
                    // Stored: S(i, l) = A(i, l), contiguous columns.
                    let src = base.add(top + lo * ld);
                    if s.conj {
                        for l in 0..hi - lo {
                            for i in 0..r {
                                *d.add(l * r + i) = (*src.add(i + l * ld)).conj();
                            }
                        }
                    } else {
                        copy_rows(hi - lo, r, src, ld, d);
                    }
                } else {
                    // Mirror: S(i, l) = A(l, i), row i of the panel contiguous along l.
                    let src = base.add(lo + top * ld);
                    gather_rows(hi - lo, r, src, ld, s.herm != s.conj, d);
                }
            }
            for l in left..right {
                for i in 0..r {
                    *dst.add((l - p0) * r + i) = s.at(base, ld, top + i, l);
                }
            }
        }
    }
}

/// `dst[l*w + i] = src[i*ld + l]` (conjugated when `conj`) for `l < kb`, `i < w`: a panel
/// gathered from `w` contiguous rows. Each step loads w elements (two loads per cycle) and
/// stores one run, where walking the rows would store one element at a time.
///
/// # Safety
/// Both ranges valid and disjoint.
#[inline(always)]
unsafe fn gather_rows<T: Scalar>(
    kb: usize,
    w: usize,
    src: *const T,
    ld: usize,
    conj: bool,
    dst: *mut T,
) {
    #[inline(always)]
    unsafe fn fixed<T: Scalar, const W: usize, const C: bool>(
        kb: usize,
        src: *const T,
        ld: usize,
        dst: *mut T,
    ) {
        for l in 0..kb {
            // SAFETY: caller's bounds; [T; W] has T's alignment.
            unsafe {
                let run: [T; W] = std::array::from_fn(|i| (*src.add(i * ld + l)).conj_if(C));
                (dst.add(l * W) as *mut [T; W]).write_unaligned(run);
            }
        }
    }
    // SAFETY: forwarded.
    unsafe {
        match (w, conj) {
            (2, false) => fixed::<T, 2, false>(kb, src, ld, dst),
            (3, false) => fixed::<T, 3, false>(kb, src, ld, dst),
            (4, false) => fixed::<T, 4, false>(kb, src, ld, dst),
            (6, false) => fixed::<T, 6, false>(kb, src, ld, dst),
            (8, false) => fixed::<T, 8, false>(kb, src, ld, dst),
            (16, false) => fixed::<T, 16, false>(kb, src, ld, dst),
            (2, true) => fixed::<T, 2, true>(kb, src, ld, dst),
            (3, true) => fixed::<T, 3, true>(kb, src, ld, dst),
            (4, true) => fixed::<T, 4, true>(kb, src, ld, dst),
            (8, true) => fixed::<T, 8, true>(kb, src, ld, dst),
            _ => {
                for l in 0..kb {
                    for i in 0..w {
                        *dst.add(l * w + i) = (*src.add(i * ld + l)).conj_if(conj);
                    }
                }
            }
        }
    }
}

/// The full `r`-row panels of a block whose columns are contiguous: `panels` panels, column
/// `l` of the block (`panels * r` elements at `src + l*ld`) copied to row `l` of each. One
/// column of the block at a time rather than one panel at a time: each source column is then
/// one contiguous run (18 lines for SKYLAKEX's 144-row double blocks) read once, instead of
/// a 128-byte piece per panel revisited panel after panel, each piece on its own page of a
/// large matrix; and the next columns are prefetched (see `COPY_AHEAD`).
///
/// # Safety
/// The source columns and the panels (`panels * r * kb` elements at `dst`) are valid and
/// disjoint.
#[inline(always)]
unsafe fn copy_columns<T: Copy>(
    kb: usize,
    r: usize,
    panels: usize,
    src: *const T,
    ld: usize,
    dst: *mut T,
) {
    #[inline(always)]
    unsafe fn fixed<T: Copy, const W: usize>(
        kb: usize,
        panels: usize,
        src: *const T,
        ld: usize,
        dst: *mut T,
    ) {
        let bytes = panels * W * std::mem::size_of::<T>();
        for l in 0..kb {
            prefetch_span(src.wrapping_add((l + COPY_AHEAD) * ld), bytes);
            for p in 0..panels {
                // SAFETY: caller's bounds; [T; W] has T's alignment.
                unsafe {
                    let run = (src.add(l * ld + p * W) as *const [T; W]).read_unaligned();
                    (dst.add(p * W * kb + l * W) as *mut [T; W]).write_unaligned(run);
                }
            }
        }
    }
    if panels == 0 {
        return;
    }
    // SAFETY: forwarded.
    unsafe {
        match r {
            4 => fixed::<T, 4>(kb, panels, src, ld, dst),
            6 => fixed::<T, 6>(kb, panels, src, ld, dst),
            8 => fixed::<T, 8>(kb, panels, src, ld, dst),
            12 => fixed::<T, 12>(kb, panels, src, ld, dst),
            16 => fixed::<T, 16>(kb, panels, src, ld, dst),
            24 => fixed::<T, 24>(kb, panels, src, ld, dst),
            32 => fixed::<T, 32>(kb, panels, src, ld, dst),
            _ => {
                for p in 0..panels {
                    copy_rows(kb, r, src.add(p * r), ld, dst.add(p * r * kb));
                }
            }
        }
    }
}

/// Prefetches the `bytes` (at least one) from `p` on: only an address, so past the block's end
/// it fetches something harmless or nothing.
#[inline(always)]
fn prefetch_span<T>(p: *const T, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = p as *const i8;
        let mut at = 0;
        while at < bytes {
            // SAFETY: a prefetch never faults and has no architectural effect.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(at)) };
            at += 64;
        }
        // SAFETY: as above (the last line when the span does not start on a line).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(bytes - 1)) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, bytes);
}

/// Runs that `copy_columns` and `copy_rows` fetch ahead of the one they copy. Those runs lie `ld`
/// elements apart, a stride (a whole page and more for a large matrix) that the hardware prefetchers do not
/// follow: without this, each run of a packed A read from memory (LAPACK's panel updates, whose
/// A is the tall remainder of the matrix) waited on its own miss, and packing took half as
/// long as the products it fed (reference dpotrf, n = 2000).
const COPY_AHEAD: usize = 8;

/// Whether `T` is `U` (a constant for each instantiation).
fn is<T: 'static, U: 'static>() -> bool {
    std::any::TypeId::of::<T>() == std::any::TypeId::of::<U>()
}

/// One full panel of `r` rows (`r` even) from `r` contiguous source lines, line `i` at
/// `src + i*ld`: `dst[l*r + i] = src[i*ld + l]` for `l < kb`. Four lines at a time are read
/// four elements deep and transposed in registers, a remaining pair is interleaved, so each
/// store writes two or four elements.
///
/// # Safety
/// The lines and the panel are valid and disjoint; the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_f64_avx2(kb: usize, r: usize, src: *const f64, ld: usize, dst: *mut f64) {
    use std::arch::x86_64::*;
    // SAFETY: every read is element l..l + 4 (l + 4 <= kb) of a line i < r, every write
    // inside the panel's kb*r elements: the caller's bounds.
    unsafe {
        let line = |i: usize, l: usize| _mm256_loadu_pd(src.add(i * ld + l));
        let mut l = 0;
        while l + 4 <= kb {
            if l % 8 == 0 {
                prefetch_next_panel(src, r, ld, l);
            }
            let d = dst.add(l * r);
            let mut i = 0;
            while i + 4 <= r {
                let (r0, r1, r2, r3) = (line(i, l), line(i + 1, l), line(i + 2, l), line(i + 3, l));
                // t0 = (x0[0], x1[0], x0[2], x1[2]), t1 the odd depths; t2, t3 for lines 2, 3.
                let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
                let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
                _mm256_storeu_pd(d.add(i), _mm256_permute2f128_pd::<0x20>(t0, t2));
                _mm256_storeu_pd(d.add(r + i), _mm256_permute2f128_pd::<0x20>(t1, t3));
                _mm256_storeu_pd(d.add(2 * r + i), _mm256_permute2f128_pd::<0x31>(t0, t2));
                _mm256_storeu_pd(d.add(3 * r + i), _mm256_permute2f128_pd::<0x31>(t1, t3));
                i += 4;
            }
            if i < r {
                let (r0, r1) = (line(i, l), line(i + 1, l));
                let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
                _mm_storeu_pd(d.add(i), _mm256_castpd256_pd128(t0));
                _mm_storeu_pd(d.add(r + i), _mm256_castpd256_pd128(t1));
                _mm_storeu_pd(d.add(2 * r + i), _mm256_extractf128_pd::<1>(t0));
                _mm_storeu_pd(d.add(3 * r + i), _mm256_extractf128_pd::<1>(t1));
            }
            l += 4;
        }
        for l in l..kb {
            for i in 0..r {
                *dst.add(l * r + i) = *src.add(i * ld + l);
            }
        }
    }
}

/// Prefetches depth `l` (one cache line's worth of depths from there) of the next panel's `r`
/// lines, while the transposes copy the same depths of this panel's: the lines are a whole
/// leading dimension apart, and a shallow block (LAPACK's updates: 64 deep) gives the hardware
/// prefetchers no run to learn from, so without this each line's first touch was a demand miss
/// (the transposes were most of the remaining packing time in reference dgetrf and dgeqrf).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn prefetch_next_panel<T>(src: *const T, r: usize, ld: usize, l: usize) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    for i in r..2 * r {
        // SAFETY: a prefetch never faults and has no architectural effect (past the block's
        // last panel it fetches something harmless or nothing).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(src.wrapping_add(i * ld + l) as *const i8) };
    }
}

/// `transpose_f64_avx2` for single precision, in 128-bit registers: four lines four elements
/// deep transposed in registers (a 4×4 block of floats), a remaining pair interleaved and stored
/// two elements at a time.
///
/// # Safety
/// The lines and the panel are valid and disjoint; the CPU has AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn transpose_f32_avx2(kb: usize, r: usize, src: *const f32, ld: usize, dst: *mut f32) {
    use std::arch::x86_64::*;
    // SAFETY: as in `transpose_f64_avx2`.
    unsafe {
        let line = |i: usize, l: usize| _mm_loadu_ps(src.add(i * ld + l));
        let mut l = 0;
        while l + 4 <= kb {
            if l % 16 == 0 {
                prefetch_next_panel(src, r, ld, l);
            }
            let d = dst.add(l * r);
            let mut i = 0;
            while i + 4 <= r {
                let (r0, r1, r2, r3) = (line(i, l), line(i + 1, l), line(i + 2, l), line(i + 3, l));
                // t0 = (x0[0], x1[0], x0[1], x1[1]), t1 depths 2, 3; t2, t3 for lines 2, 3.
                let (t0, t1) = (_mm_unpacklo_ps(r0, r1), _mm_unpackhi_ps(r0, r1));
                let (t2, t3) = (_mm_unpacklo_ps(r2, r3), _mm_unpackhi_ps(r2, r3));
                _mm_storeu_ps(d.add(i), _mm_movelh_ps(t0, t2));
                _mm_storeu_ps(d.add(r + i), _mm_movehl_ps(t2, t0));
                _mm_storeu_ps(d.add(2 * r + i), _mm_movelh_ps(t1, t3));
                _mm_storeu_ps(d.add(3 * r + i), _mm_movehl_ps(t3, t1));
                i += 4;
            }
            if i < r {
                let (r0, r1) = (line(i, l), line(i + 1, l));
                let (t0, t1) = (_mm_unpacklo_ps(r0, r1), _mm_unpackhi_ps(r0, r1));
                // Two floats at a time through the 64-bit halves (movlpd/movhpd: unaligned).
                let (t0, t1) = (_mm_castps_pd(t0), _mm_castps_pd(t1));
                _mm_storel_pd(d.add(i) as *mut f64, t0);
                _mm_storeh_pd(d.add(r + i) as *mut f64, t0);
                _mm_storel_pd(d.add(2 * r + i) as *mut f64, t1);
                _mm_storeh_pd(d.add(3 * r + i) as *mut f64, t1);
            }
            l += 4;
        }
        for l in l..kb {
            for i in 0..r {
                *dst.add(l * r + i) = *src.add(i * ld + l);
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
            prefetch_span(
                src.wrapping_add((l + COPY_AHEAD) * ld),
                W * std::mem::size_of::<T>(),
            );
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Packs a `mb`×`kb` block of `x` (stored with strides rs, cs) both ways the build can:
    /// the baseline body and, where the CPU has AVX2, the AVX2 one; each against the layout
    /// written out naively (element (i, l) of panel p at `p*r*kb + l*r + i`, zero padding).
    fn check<T: crate::scalar::Real>(mb: usize, kb: usize, r: usize, transposed: bool) {
        let ld = 3 + if transposed { kb } else { mb };
        let data: Vec<T> = (0..ld * (mb.max(kb) + 2))
            .map(|v| T::from_f64(v as f64 + 0.5))
            .collect();
        let (rs, cs) = if transposed { (ld, 1) } else { (1, ld) };
        let x = MatRef {
            ptr: data.as_ptr(),
            rs,
            cs,
            conj: false,
        };
        let len = mb.div_ceil(r) * r * kb;
        let mut want = vec![T::zero(); len];
        for i in 0..mb {
            for l in 0..kb {
                want[(i / r) * r * kb + l * r + i % r] = data[(i + 1) * rs + (l + 2) * cs];
            }
        }
        let mut got = vec![T::from_f64(f64::NAN); len];
        let block = |buf| Block {
            x: &x,
            i0: 1,
            mb,
            p0: 2,
            kb,
            r,
            buf,
        };
        unsafe { pack_panels_with::<T, false>(&block(got.as_mut_ptr())) };
        assert_eq!(
            got, want,
            "baseline, mb={mb} kb={kb} r={r} transposed={transposed}"
        );
        #[cfg(target_arch = "x86_64")]
        if super::super::haswell::supported() {
            let mut got = vec![T::from_f64(f64::NAN); len];
            unsafe { pack_panels_avx2(&block(got.as_mut_ptr())) };
            assert_eq!(
                got, want,
                "AVX2, mb={mb} kb={kb} r={r} transposed={transposed}"
            );
        } else {
            eprintln!("SKIPPED: the AVX2 packing (this CPU has no AVX2)");
        }
    }

    #[test]
    fn packed_panels_match_the_naive_layout_for_every_panel_width_and_depth() {
        for r in [2, 3, 4, 6, 8, 12, 16, 24, 32] {
            for mb in [1, r - 1, r, r + 1, 2 * r, 3 * r - 1]
                .into_iter()
                .filter(|&m| m > 0)
            {
                for kb in [1, 3, 4, 5, 8, 13] {
                    check::<f64>(mb, kb, r, true);
                    check::<f64>(mb, kb, r, false);
                    check::<f32>(mb, kb, r, true);
                    check::<f32>(mb, kb, r, false);
                }
            }
        }
    }
}

//! Macros that stamp out the x86 SIMD code from one description per ISA, so HASWELL and SKYLAKEX
//! share one (tested) shape and differ only in their vector width and intrinsics:
//! - `isa_ops!`: an ISA's operation sets (one module per precision: `load`, `fma`, `swap`, ...),
//!   written as one table of intrinsic names; the GEMM microkernels below and the vector kernels
//!   (`crate::vector`) are written against these modules, never against intrinsics;
//! - `kernel_set!`: an ISA's four microkernels and its `KernelSet` table, one row per kernel.
//!
//! Every microkernel follows the `UkrFn` contract: it reads packed panels (or, for the direct
//! path, A columns `lda` apart and B through its two strides) and updates a full MR x NR tile of
//! C in place: C := alpha*AB + beta*C, never reading C when beta == 0.

/// One ISA's operation sets, f64 and f32, from a table with a row per operation (f64 intrinsic,
/// f32 intrinsic). See `simd_ops!` for what each operation does.
macro_rules! isa_ops {
    ($feat:literal;
     $d:ident: f64, $dv:ty, $dl:literal lanes, mask $dm:ty;
     $s:ident: f32, $sv:ty, $sl:literal lanes, mask $sm:ty;
     load: $load_d:expr, $load_s:expr;
     store: $store_d:expr, $store_s:expr;
     load_first: $loadf_d:expr, $loadf_s:expr;
     store_first: $storef_d:expr, $storef_s:expr;
     splat: $splat_d:expr, $splat_s:expr;
     zero: $zero_d:expr, $zero_s:expr;
     fma: $fma_d:expr, $fma_s:expr;
     fmaddsub: $fmaddsub_d:expr, $fmaddsub_s:expr;
     mul: $mul_d:expr, $mul_s:expr;
     add: $add_d:expr, $add_s:expr;
     swap: $swap_d:expr, $swap_s:expr;
     abs: $abs_d:expr, $abs_s:expr;
     hsum: $hsum_d:expr, $hsum_s:expr;
     gt: $gt_d:expr, $gt_s:expr;
     lt: $lt_d:expr, $lt_s:expr;
     keep: $keep_d:expr, $keep_s:expr;
     drop: $drop_d:expr, $drop_s:expr;
     dup_even: $dupe_d:expr, $dupe_s:expr;
     dup_odd: $dupo_d:expr, $dupo_s:expr;
     dup_odd_of: $dupov_d:expr, $dupov_s:expr;
     pair: $pair_d:expr, $pair_s:expr;
     zip_lo: $ziplo_d:expr, $ziplo_s:expr;
     zip_hi: $ziphi_d:expr, $ziphi_s:expr;) => {
        simd_ops!(
            $d,
            $feat,
            f64,
            $dv,
            $dl,
            $dm,
            [
                $load_d,
                $store_d,
                $loadf_d,
                $storef_d,
                $splat_d,
                $zero_d,
                $fma_d,
                $fmaddsub_d,
                $mul_d,
                $add_d,
                $swap_d,
                $abs_d,
                $hsum_d,
                $gt_d,
                $lt_d,
                $keep_d,
                $drop_d,
                $dupe_d,
                $dupo_d,
                $dupov_d,
                $pair_d,
                $ziplo_d,
                $ziphi_d
            ]
        );
        simd_ops!(
            $s,
            $feat,
            f32,
            $sv,
            $sl,
            $sm,
            [
                $load_s,
                $store_s,
                $loadf_s,
                $storef_s,
                $splat_s,
                $zero_s,
                $fma_s,
                $fmaddsub_s,
                $mul_s,
                $add_s,
                $swap_s,
                $abs_s,
                $hsum_s,
                $gt_s,
                $lt_s,
                $keep_s,
                $drop_s,
                $dupe_s,
                $dupo_s,
                $dupov_s,
                $pair_s,
                $ziplo_s,
                $ziphi_s
            ]
        );
    };
}

/// The operations of one ISA and precision, as a module: element type `E`, vector type `V` of
/// `L` lanes, and small `#[target_feature]` functions that inline into the kernels (the
/// intrinsics themselves need the feature at the call site, so a generic kernel over a trait
/// could not use them; the kernels are macros over these modules instead).
macro_rules! simd_ops {
    ($name:ident, $feat:literal, $e:ty, $v:ty, $lanes:expr, $mask:ty,
     [$load:expr, $store:expr, $load_first:expr, $store_first:expr, $splat:expr, $zero:expr, $fma:expr, $fmaddsub:expr, $mul:expr,
      $add:expr, $swap:expr, $abs:expr, $hsum:expr, $gt:expr, $lt:expr, $keep:expr,
      $dropm:expr, $dup_even:expr, $dup_odd:expr, $dup_odd_of:expr, $pair:expr, $zip_lo:expr,
      $zip_hi:expr]) => {
        // Every module gets the whole operation set, and no one module's kernels use all of it
        // (the table would otherwise have to say per row which operations exist).
        #[allow(dead_code)]
        pub(crate) mod $name {
            #[allow(unused_imports)]
            use std::arch::x86_64::*;
            pub type E = $e;
            pub type V = $v;
            pub const L: usize = $lanes;

            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn load(p: *const E) -> V {
                // SAFETY: the caller addresses L elements at p.
                unsafe { ($load)(p) }
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn store(p: *mut E, v: V) {
                // SAFETY: the caller addresses L writable elements at p.
                unsafe { ($store)(p, v) }
            }
            /// The first `n` (< L) lanes from p, the others zero; nothing past them is read
            /// (a masked load: no fault even where the next element would be unmapped).
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn load_first(p: *const E, n: usize) -> V {
                debug_assert!(n < L);
                // SAFETY: the caller addresses n elements at p; the mask reads no others.
                unsafe { ($load_first)(p, n) }
            }
            /// Stores the first `n` (< L) lanes of v at p and touches nothing past them.
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn store_first(p: *mut E, v: V, n: usize) {
                debug_assert!(n < L);
                // SAFETY: the caller addresses n writable elements at p; the mask writes no
                // others.
                unsafe { ($store_first)(p, v, n) }
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn splat(v: E) -> V {
                ($splat)(v)
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn zero() -> V {
                ($zero)()
            }
            /// a * b + c, fused.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn fma(a: V, b: V, c: V) -> V {
                ($fma)(a, b, c)
            }
            /// a * b - c in the even lanes, a * b + c in the odd ones, fused.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn fmaddsub(a: V, b: V, c: V) -> V {
                ($fmaddsub)(a, b, c)
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn mul(a: V, b: V) -> V {
                ($mul)(a, b)
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn add(a: V, b: V) -> V {
                ($add)(a, b)
            }
            /// Swap the two reals of every complex pair.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn swap(v: V) -> V {
                ($swap)(v)
            }
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn abs(v: V) -> V {
                ($abs)(v)
            }
            /// The even lanes of the L elements at p, each twice: (p[0], p[0], p[2], p[2], ...).
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn dup_even(p: *const E) -> V {
                // SAFETY: the caller addresses L elements at p.
                unsafe { ($dup_even)(p) }
            }
            /// The odd lanes of the L elements at p, each twice: (p[1], p[1], p[3], p[3], ...).
            /// For 64-bit elements this is one load from p + 1, so it also reads p[L]: the
            /// caller addresses L + 1 elements (`dup_odd_of` reads nothing).
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn dup_odd(p: *const E) -> V {
                // SAFETY: the caller addresses L + 1 elements at p.
                unsafe { ($dup_odd)(p) }
            }
            /// `dup_odd` of a vector already loaded (a shuffle, where `dup_odd` is a load).
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn dup_odd_of(v: V) -> V {
                ($dup_odd_of)(v)
            }
            /// The two elements at p in every pair of lanes: (p[0], p[1], p[0], p[1], ...).
            #[inline]
            #[target_feature(enable = $feat)]
            pub unsafe fn pair(p: *const E) -> V {
                // SAFETY: the caller addresses 2 elements at p.
                unsafe { ($pair)(p) }
            }
            /// Undoes the pairing of `dup_even`/`dup_odd` with `pair`: from
            /// e = (x0*b0, x0*b1, x2*b0, x2*b1, ...) and o = (x1*b0, x1*b1, x3*b0, x3*b1, ...),
            /// `zip_lo` is (x0*b0, x1*b0, x2*b0, ...) and `zip_hi` (x0*b1, x1*b1, x2*b1, ...).
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn zip_lo(e: V, o: V) -> V {
                ($zip_lo)(e, o)
            }
            /// See `zip_lo`.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn zip_hi(e: V, o: V) -> V {
                ($zip_hi)(e, o)
            }
            /// Sum of all lanes.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn hsum(v: V) -> E {
                ($hsum)(v)
            }
            /// (sum of even lanes, sum of odd lanes): the real and imaginary parts of a sum of
            /// complex pairs.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn hsum_pairs(v: V) -> [E; 2] {
                let mut t = [0.0 as E; L];
                // SAFETY: t holds L elements.
                unsafe { store(t.as_mut_ptr(), v) };
                let mut s = [0.0 as E; 2];
                for (k, x) in t.iter().enumerate() {
                    s[k % 2] += *x;
                }
                s
            }
            /// The vector (a, b, a, b, ...).
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn pairs(a: E, b: E) -> V {
                let mut t = [a; L];
                for k in (1..L).step_by(2) {
                    t[k] = b;
                }
                // SAFETY: t holds L elements.
                unsafe { load(t.as_ptr()) }
            }
            /// (v where v > t (ordered), v where v < s (ordered), v elsewhere, NaN included),
            /// with the other lanes zero: Blue's big / small / medium classes.
            #[inline]
            #[target_feature(enable = $feat)]
            pub fn classify(v: V, s: V, t: V) -> (V, V, V) {
                let big: $mask = ($gt)(v, t);
                let sml: $mask = ($lt)(v, s);
                (
                    ($keep)(big, v),
                    ($keep)(sml, v),
                    ($dropm)(big, sml, v),
                )
            }
        }
    };
}

/// An ISA's microkernels and its table: one row per element type,
/// `field: kind name(ops, mv MV, nr NR), mc MC, kc KC, nc NC;` where `kind` is `real`,
/// `pairs` (real, packed panels through `pair_ukr_body!`: fewer loads, the same bits; needs
/// 4 MV + 1 vector registers besides the accumulators) or `complex` (see `real_ukr_body!`,
/// `complex_ukr_body!`), `ops` the precision's `isa_ops!`
/// module, MV the vector registers per column of the tile and NR its columns. MR follows from
/// the vector width; the tiny-product twin (`Ukr::tiny`) from the kind.
macro_rules! kernel_set {
    ($(#[$doc:meta])* $set:ident, $feat:literal;
     $($field:ident: $kind:ident $name:ident($o:ident, mv $mv:literal, nr $nr:literal),
       mc $mc:literal, kc $kc:literal, nc $nc:literal;)*) => {
        $(ukr!($kind, $name, $feat, $o, $mv, $nr);)*
        $(ukr_kind!($kind, tiny_fn, $name, $feat, $o, $mv);)*

        $(#[$doc])*
        pub static $set: KernelSet = KernelSet {
            name: stringify!($set),
            $($field: Ukr {
                name: stringify!($name),
                mr: ukr_kind!($kind, mr, $o, $mv),
                nr: $nr,
                mc: $mc,
                kc: $kc,
                nc: $nc,
                func: $name,
                tiny: ukr_kind!($kind, tiny, $name, $o),
                edge: ukr_kind!($kind, edge, $name),
                column: Some(column_ukr!($kind, $feat, $o, $mv, $nr)),
            },)*
        };
    };
}

/// What differs between the real and the complex microkernels of an ops module `o`: the element
/// type, MR (a complex element takes two lanes), the tiny-product twin (a vector one,
/// `real_tiny!` or `complex_tiny!`, in a module named after the kernel) and the loop body.
macro_rules! ukr_kind {
    (real, elem, $o:ident) => { $o::E };
    (complex, elem, $o:ident) => { $crate::scalar::Complex<$o::E> };
    (real, mr, $o:ident, $mv:expr) => { $o::L * $mv };
    (complex, mr, $o:ident, $mv:expr) => { $o::L / 2 * $mv };
    (real, tiny, $name:ident, $o:ident) => { $name::tiny };
    (complex, tiny, $name:ident, $o:ident) => { $name::tiny };
    (real, tiny_fn, $name:ident, $feat:literal, $o:ident, $mv:literal) => {
        real_tiny!($name, $feat, $o, $mv);
    };
    (complex, tiny_fn, $name:ident, $feat:literal, $o:ident, $mv:literal) => {
        complex_tiny!($name, $feat, $o);
    };
    (real, edge, $name:ident) => {
        Some($crate::gemm::EdgeUkr { nr: $name::EDGE_NR, func: $name::edge })
    };
    (complex, edge, $name:ident) => { None };
    (pairs, edge, $name:ident) => { ukr_kind!(real, edge, $name) };
    (pairs, packed, $($args:tt)*) => { pair_ukr_body!($($args)*) };
    (pairs, elem, $o:ident) => { ukr_kind!(real, elem, $o) };
    (pairs, mr, $o:ident, $mv:expr) => { ukr_kind!(real, mr, $o, $mv) };
    (pairs, tiny, $name:ident, $o:ident) => { ukr_kind!(real, tiny, $name, $o) };
    (pairs, tiny_fn, $name:ident, $feat:literal, $o:ident, $mv:literal) => {
        ukr_kind!(real, tiny_fn, $name, $feat, $o, $mv);
    };
    (pairs, body, $($args:tt)*) => { real_ukr_body!($($args)*) };
    (real, body, $($args:tt)*) => { real_ukr_body!($($args)*) };
    (complex, body, $($args:tt)*) => { complex_ukr_body!($($args)*) };
    (real, packed, $($args:tt)*) => { real_ukr_body!($($args)*) };
    (complex, packed, $($args:tt)*) => { complex_ukr_body!($($args)*) };
}

/// A microkernel function: MR = `ukr_kind!(mr)` rows (MV vector registers per column), NR
/// broadcast columns. Packed panels get their own copy of the loop with constant strides (fixed
/// displacements for the broadcasts); the direct path keeps run-time strides.
macro_rules! ukr {
    ($kind:ident, $name:ident, $feat:literal, $o:ident, $mv:expr, $nr:expr) => {
        /// # Safety
        /// CPU supports the target features; see `UkrFn` for the operands.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
        pub unsafe fn $name(
            k: usize,
            a: *const ukr_kind!($kind, elem, $o),
            sa: usize,
            b: *const ukr_kind!($kind, elem, $o),
            rsb: usize,
            csb: usize,
            c: *mut ukr_kind!($kind, elem, $o),
            ldc: usize,
            alpha: ukr_kind!($kind, elem, $o),
            beta: ukr_kind!($kind, elem, $o),
            next_b: *const ukr_kind!($kind, elem, $o),
        ) {
            const MR: usize = ukr_kind!($kind, mr, $o, $mv);
            let next_b = next_b as *const i8;
            if sa == MR && rsb == $nr && csb == 1 {
                ukr_kind!(
                    $kind, packed, $o, $mv, $nr, k, a, MR, b, $nr, 1, c, ldc, alpha, beta, next_b
                )
            } else {
                ukr_kind!(
                    $kind, body, $o, $mv, $nr, k, a, sa, b, rsb, csb, c, ldc, alpha, beta, next_b
                )
            }
        }
    };
}

/// The `ColumnUkrFn` of a table entry, as a block expression (a nested function item, which
/// needs no name of its own): the kernel's packed loop, inlined into a loop over the tiles.
macro_rules! column_ukr {
    ($kind:ident, $feat:literal, $o:ident, $mv:expr, $nr:expr) => {{
        /// # Safety
        /// CPU supports the target features; see `ColumnUkrFn` for the operands.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
        unsafe fn column(
            tiles: usize,
            k: usize,
            a: *const ukr_kind!($kind, elem, $o),
            b: *const ukr_kind!($kind, elem, $o),
            c: *mut ukr_kind!($kind, elem, $o),
            ldc: usize,
            alpha: ukr_kind!($kind, elem, $o),
            beta: ukr_kind!($kind, elem, $o),
            next_b: *const ukr_kind!($kind, elem, $o),
            next_b_slice: usize,
        ) {
            const MR: usize = ukr_kind!($kind, mr, $o, $mv);
            for t in 0..tiles {
                // Tile t of the run (caller's contract). `wrapping_add`, not `add`: safe
                // arithmetic, and the next-B address is only a prefetch hint.
                let (a, c) = (a.wrapping_add(t * MR * k), c.wrapping_add(t * MR));
                let next_b = (next_b as *const i8).wrapping_add(t * next_b_slice);
                ukr_kind!(
                    $kind, packed, $o, $mv, $nr, k, a, MR, b, $nr, 1, c, ldc, alpha, beta, next_b
                )
            }
        }
        column
    }};
}

/// Fetches the NR columns of a C tile (`col` reals apart, `bytes` long) while the depth loop
/// runs: the tile is written once at the end. Only the kernel's own tile: also fetching the tile
/// four calls ahead (on AMD CPUs until session 17) made shallow products (m = n = 2000,
/// k = 16..64) 1.10-1.30x slower on Zen 4 with the SKYLAKEX table (kernels/README), and was
/// within noise or slower on Zen 1 and Sapphire Rapids. Leaving out this fetch as well lost
/// (dgemm k = 16 took 1.14x the time on Zen 4).
macro_rules! prefetch_tile {
    ($c:expr, $col:expr, $nr:expr, $bytes:expr) => {
        for j in 0..$nr {
            // SAFETY: prefetch never faults; the tile is inside C anyway.
            unsafe {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                let p = $c.add(j * $col) as *const i8;
                _mm_prefetch::<_MM_HINT_T0>(p);
                _mm_prefetch::<_MM_HINT_T0>(p.add($bytes - 1));
            }
        }
    };
}

/// The depth loop of the microkernels: `$step` once per depth index, unrolled by 4, and with a
/// prefetch address `$pf` (a `*const i8`), one L2 fetch there every 4 steps, advancing
/// `NEXT_B_STEP` bytes (see `UkrFn`'s `next_b`).
macro_rules! depth_loop {
    ($k:expr, $pf:ident, $step:block) => {{
        let mut l = $k;
        while l >= 4 {
            $step
            $step
            // A prefetch never faults, and `wrapping_add` keeps the address computation defined
            // whatever `next_b` points at.
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>($pf);
            $pf = $pf.wrapping_add($crate::gemm::NEXT_B_STEP);
            $step
            $step
            l -= 4;
        }
        while l > 0 {
            $step
            l -= 1;
        }
    }};
}

/// The MV vectors of one depth index of the A panel at `ap`.
macro_rules! load_panel {
    ($o:ident, $mv:expr, $ap:expr) => {{
        let mut av = [$o::zero(); $mv];
        for v in 0..$mv {
            av[v] = $o::load($ap.add(v * $o::L));
        }
        av
    }};
}

/// The loop of a real microkernel, with the operand strides as expressions: MV * NR accumulators,
/// one fused multiply-add chain per element of C, `fma(alpha, acc, beta * c)` at the end.
macro_rules! real_ukr_body {
    ($o:ident, $mv:expr, $nr:expr,
     $k:expr, $a:expr, $sa:expr, $b:expr, $rsb:expr, $csb:expr, $c:expr, $ldc:expr,
     $alpha:expr, $beta:expr, $next_b:expr) => {{
        let mut pf: *const i8 = $next_b;
        let (k, sa, rsb, csb, c, ldc, alpha, beta) = ($k, $sa, $rsb, $csb, $c, $ldc, $alpha, $beta);
        let mut ap: *const $o::E = $a;
        let mut bp: *const $o::E = $b;
        prefetch_tile!(c, ldc, $nr, $o::L * $mv * std::mem::size_of::<$o::E>());
        let mut acc: [[$o::V; $mv]; $nr] = [[$o::zero(); $mv]; $nr];
        depth_loop!(k, pf, {
            // SAFETY: offsets within the operands (see contract).
            unsafe {
                let av = load_panel!($o, $mv, ap);
                for j in 0..$nr {
                    let bj = $o::splat(*bp.add(j * csb));
                    for v in 0..$mv {
                        acc[j][v] = $o::fma(av[v], bj, acc[j][v]);
                    }
                }
                ap = ap.add(sa);
                bp = bp.add(rsb);
            }
        });
        let ab = |j: usize, v: usize| acc[j][v];
        real_tile_update!($o, $mv, $nr, c, ldc, alpha, beta, ab);
    }};
}

/// The end of a real microkernel: C := alpha * AB + beta * C on the MV x NR vectors of the tile
/// at `c`, `ab(j, v)` giving vector v of column j of AB; C is not read when beta == 0.
macro_rules! real_tile_update {
    ($o:ident, $mv:expr, $nr:expr, $c:expr, $ldc:expr, $alpha:expr, $beta:expr, $ab:expr) => {{
        let (c, ldc, beta, ab) = ($c, $ldc, $beta, $ab);
        let va = $o::splat($alpha);
        // SAFETY: C holds a full MR x NR tile at `c` with leading dimension `ldc`.
        unsafe {
            if beta == 0.0 {
                for j in 0..$nr {
                    for v in 0..$mv {
                        $o::store(c.add(j * ldc + v * $o::L), $o::mul(va, ab(j, v)));
                    }
                }
            } else if beta == 1.0 {
                for j in 0..$nr {
                    for v in 0..$mv {
                        let p = c.add(j * ldc + v * $o::L);
                        $o::store(p, $o::fma(va, ab(j, v), $o::load(p)));
                    }
                }
            } else {
                let vb = $o::splat(beta);
                for j in 0..$nr {
                    for v in 0..$mv {
                        let p = c.add(j * ldc + v * $o::L);
                        $o::store(p, $o::fma(va, ab(j, v), $o::mul(vb, $o::load(p))));
                    }
                }
            }
        }
    }};
}

/// The packed-panel loop of a real microkernel that reads B two columns at a time (NR even):
/// each depth step loads every pair of B elements once as (b0, b1, b0, b1, ...) and A's vectors
/// twice, as their even rows (x0, x0, x2, x2, ...) and odd rows (x1, x1, x3, x3, ...); the
/// products land interleaved and `zip_lo`/`zip_hi` sort them into columns once at the end.
/// Per depth step that is 2 MV + NR/2 loads for MV * NR fused multiply-adds, against
/// MV + NR broadcasts in `real_ukr_body!`. Every element of C still gets one fused
/// multiply-add chain in depth order, so the results are bit for bit those of `real_ukr_body!`
/// (the general-stride path and the tiny twin run that one).
macro_rules! pair_ukr_body {
    ($o:ident, $mv:expr, $nr:expr,
     $k:expr, $a:expr, $sa:expr, $b:expr, $rsb:expr, $csb:expr, $c:expr, $ldc:expr,
     $alpha:expr, $beta:expr, $next_b:expr) => {{
        let mut pf: *const i8 = $next_b;
        const MR: usize = $o::L * $mv;
        const PAIRS: usize = $nr / 2;
        let (k, c, ldc, alpha, beta) = ($k, $c, $ldc, $alpha, $beta);
        debug_assert!($sa == MR && $rsb == $nr && $csb == 1, "packed panels only");
        let mut ap: *const $o::E = $a;
        let mut bp: *const $o::E = $b;
        prefetch_tile!(c, ldc, $nr, MR * std::mem::size_of::<$o::E>());
        // acc[q][2v] holds the even rows of vector v times columns 2q and 2q + 1, interleaved;
        // acc[q][2v + 1] the odd rows.
        let mut acc: [[$o::V; 2 * $mv]; PAIRS] = [[$o::zero(); 2 * $mv]; PAIRS];
        // One depth step; in the `last` one the odd rows of A's last vector are shuffled out of
        // its load, since `dup_odd` would read one element past the panel.
        macro_rules! pair_step {
            ($last:expr) => {
                // SAFETY: offsets within the operands (see contract); `dup_odd` reads one element
                // past its vector only where the panel goes on.
                unsafe {
                    let mut ad = [$o::zero(); 2 * $mv];
                    for v in 0..$mv {
                        let p = ap.add(v * $o::L);
                        ad[2 * v] = $o::dup_even(p);
                        ad[2 * v + 1] = if $last && v == $mv - 1 {
                            $o::dup_odd_of($o::load(p))
                        } else {
                            $o::dup_odd(p)
                        };
                    }
                    for q in 0..PAIRS {
                        let bq = $o::pair(bp.add(2 * q));
                        for x in 0..2 * $mv {
                            acc[q][x] = $o::fma(ad[x], bq, acc[q][x]);
                        }
                    }
                }
            };
        }
        if k > 0 {
            depth_loop!(k - 1, pf, {
                pair_step!(false);
                // SAFETY: the next depth step is inside the panels.
                unsafe { (ap, bp) = (ap.add(MR), bp.add($nr)) };
            });
            pair_step!(true);
        }
        let mut cols: [[$o::V; $mv]; $nr] = [[$o::zero(); $mv]; $nr];
        for q in 0..PAIRS {
            for v in 0..$mv {
                let (e, o) = (acc[q][2 * v], acc[q][2 * v + 1]);
                cols[2 * q][v] = $o::zip_lo(e, o);
                cols[2 * q + 1][v] = $o::zip_hi(e, o);
            }
        }
        let ab = |j: usize, v: usize| cols[j][v];
        real_tile_update!($o, $mv, $nr, c, ldc, alpha, beta, ab);
    }};
}

/// The loop of a complex microkernel on interleaved (re, im) data, strides in complex elements:
/// accumulates a*re(b) and a*im(b) separately and combines them once at the end with a pair
/// swap and fmaddsub: re = ar*br - ai*bi, im = ai*br + ar*bi.
macro_rules! complex_ukr_body {
    ($o:ident, $mv:expr, $nr:expr,
     $k:expr, $a:expr, $sa:expr, $b:expr, $rsb:expr, $csb:expr, $c:expr, $ldc:expr,
     $alpha:expr, $beta:expr, $next_b:expr) => {{
        let mut pf: *const i8 = $next_b;
        let (k, sa, rsb, csb, ldc, alpha, beta) = ($k, $sa, $rsb, $csb, $ldc, $alpha, $beta);
        let mut ap = $a as *const $o::E;
        let mut bp = $b as *const $o::E;
        let c = $c as *mut $o::E;
        prefetch_tile!(c, 2 * ldc, $nr, $o::L * $mv * std::mem::size_of::<$o::E>());
        let mut cr: [[$o::V; $mv]; $nr] = [[$o::zero(); $mv]; $nr];
        let mut ci: [[$o::V; $mv]; $nr] = [[$o::zero(); $mv]; $nr];
        depth_loop!(k, pf, {
            // SAFETY: offsets within the operands (see contract).
            unsafe {
                let av = load_panel!($o, $mv, ap);
                // One broadcast live at a time: MV*NR*2 accumulators + MV loads + 1.
                for j in 0..$nr {
                    let br = $o::splat(*bp.add(2 * j * csb));
                    for v in 0..$mv {
                        cr[j][v] = $o::fma(av[v], br, cr[j][v]);
                    }
                    let bi = $o::splat(*bp.add(2 * j * csb + 1));
                    for v in 0..$mv {
                        ci[j][v] = $o::fma(av[v], bi, ci[j][v]);
                    }
                }
                ap = ap.add(2 * sa);
                bp = bp.add(2 * rsb);
            }
        });
        let ones = $o::splat(1.0);
        // SAFETY (all arms): C holds a full MR x NR tile at `c` (ld `ldc` complex elements).
        complex_tile_update!($o, $mv, $nr, alpha, beta, |j: usize, v: usize| {
            let ab = $o::fmaddsub(cr[j][v], ones, $o::swap(ci[j][v]));
            (ab, unsafe { c.add(2 * j * ldc + v * $o::L) })
        });
    }};
}

/// x * (sr + i si) on interleaved (re, im) pairs, the complex kernels' scaling by alpha and
/// beta: `fmaddsub(x, sr, swap(x) * si)`, or `x * sr` when the scalar is real (`si` zero). The
/// two agree except for the sign of a zero and for Inf/NaN parts, where the real form is the
/// reference's (no Inf * 0 from an imaginary part that is not there). `tiny.rs`'s
/// `fused_scale` is the same operation one lane at a time.
macro_rules! cscale {
    ($o:ident, $x:expr, $real:expr, $sr:expr, $si:expr) => {
        if $real {
            $o::mul($x, $sr)
        } else {
            $o::fmaddsub($x, $sr, $o::mul($o::swap($x), $si))
        }
    };
}

/// The end of a complex microkernel: C := alpha * AB + beta * C on the MV x NR vectors of the
/// tile, `$ab(j, v)` giving vector v of column j of AB (combined) and its address in C. The
/// case split (beta zero / one / other, alpha real or not) sits outside the loops, so each arm
/// is straight-line code that keeps the accumulators in registers (a branch inside made LLVM
/// spill all of them to the stack and reload them, 15% of a k = 64 product's kernel time).
/// `beta = 1` skips the multiplication by one, which is exact: same bits.
macro_rules! complex_tile_update {
    ($o:ident, $mv:expr, $nr:expr, $alpha:expr, $beta:expr, $ab:expr) => {{
        let (alpha, beta, ab) = ($alpha, $beta, $ab);
        let (ar, ai) = ($o::splat(alpha.re), $o::splat(alpha.im));
        let (br, bi) = ($o::splat(beta.re), $o::splat(beta.im));
        macro_rules! arm {
            ($alpha_real:expr, |$t:ident, $p:ident| $r:expr) => {
                for j in 0..$nr {
                    for v in 0..$mv {
                        let (x, $p) = ab(j, v);
                        let $t = cscale!($o, x, $alpha_real, ar, ai);
                        // SAFETY: see the caller.
                        unsafe { $o::store($p, $r) };
                    }
                }
            };
        }
        macro_rules! arms {
            (|$t:ident, $p:ident| $r:expr) => {
                if alpha.im == 0.0 {
                    arm!(true, |$t, $p| $r)
                } else {
                    arm!(false, |$t, $p| $r)
                }
            };
        }
        if beta.re == 0.0 && beta.im == 0.0 {
            arms!(|t, _p| t);
        } else if beta.re == 1.0 && beta.im == 0.0 {
            arms!(|t, p| $o::add($o::load(p), t));
        } else if beta.im == 0.0 {
            arms!(|t, p| $o::add($o::mul($o::load(p), br), t));
        } else {
            arms!(|t, p| $o::add(cscale!($o, $o::load(p), false, br, bi), t));
        }
    }};
}

/// The row blocks of the complex tiny twin's column block (`g.block_cols::<MV, MASKED>(cols, i, last, j)`)
/// for `m` rows in vectors of `w` rows: pairs of whole vectors while they fit, then the rest as
/// one or two vectors, the last of them masked to its `last` rows when it is not whole.
macro_rules! tiny_row_blocks {
    ($g:ident, $m:expr, $w:expr, $cols:expr, $j:expr) => {{
        let (m, w) = ($m, $w);
        let mut i = 0;
        while m - i >= 2 * w {
            $g.block_cols::<2, false>($cols, i, w, $j);
            i += 2 * w;
        }
        let rest = m - i;
        if rest > w {
            $g.block_cols::<2, true>($cols, i, rest - w, $j);
        } else if rest == w {
            $g.block_cols::<1, false>($cols, i, w, $j);
        } else if rest > 0 {
            $g.block_cols::<1, true>($cols, i, rest, $j);
        }
    }};
}

/// A tiny twin's vector load at `p`: only the first `lanes` lanes when `masked`.
macro_rules! tiny_load {
    ($o:ident, $masked:expr, $p:expr, $lanes:expr) => {
        if $masked {
            $o::load_first($p, $lanes)
        } else {
            $o::load($p)
        }
    };
}

/// A tiny twin's vector store at `p`: only the first `lanes` lanes when `masked`.
macro_rules! tiny_store {
    ($o:ident, $masked:expr, $p:expr, $v:expr, $lanes:expr) => {
        if $masked {
            $o::store_first($p, $v, $lanes)
        } else {
            $o::store($p, $v)
        }
    };
}

/// Stores a tiny twin's whole block `r` (NC columns of MV vectors at `at(jj, v)`), the vectors
/// for which `masked(v)` holds through their first `lanes` lanes.
macro_rules! tiny_store_block {
    ($o:ident, $r:ident, $at:ident, $masked:ident, $lanes:expr, $mv:expr, $nc:expr) => {
        for jj in 0..$nc {
            for v in 0..$mv {
                // SAFETY: inside C (the caller's `at`).
                unsafe { tiny_store!($o, $masked(v), $at(jj, v), $r[jj][v], $lanes) };
            }
        }
    };
}

/// The tiny-product twin (`Ukr::tiny`, see `tiny.rs`) of the real kernel `name`, as
/// `name::tiny`: for a column-major op(A), the kernel's own loop (`real_ukr_body!`'s operations
/// per element: one fused chain from zero per depth block, the same store) run in place on
/// vectors of rows of C, with no packing and no scratch tile: 2 vectors while they fit, and the
/// rows left over as 1 or 2 vectors whose last one is masked (`load_first`/`store_first`) to
/// the rows that remain; up to COLS columns at a time. Lanes never mix, so each element gets the
/// kernel's bits whatever its vector. Other operands go to the scalar twin (`tiny::fused`).
///
/// Two measured reasons for the masks (SKYLAKEX dgemm, side by side): sgemm on 8 x 8 through
/// 32-row tiles ran at a quarter of the scalar twin's speed, and a remainder written as a
/// full vector shifted back to end at row m went through a spill and a byte copy per column
/// (12 x 12: 460 ns a call against OpenBLAS's 286).
macro_rules! real_tiny {
    ($name:ident, $feat:literal, $o:ident, $mv:literal) => {
        pub mod $name {
            /// Columns of the edge kernel (`EdgeUkr`): 4, so that the 4 and 8 columns left
            /// over by 64 and 32 (common LAPACK block widths) in 12-column panels run in
            /// place (AVX2's 6-column panels leave 4 and 2; 4 serves 64 and 40).
            pub const EDGE_NR: usize = 4;
            ukr!(real, edge, $feat, $o, $mv, EDGE_NR);

            use super::super::tiny::fused;
            use super::super::MatRef;
            use super::half::$o as h;
            use super::$o;
            type E = $o::E;

            /// Columns of C per block: enough independent multiply-add chains to cover the FMA
            /// latency (4 cycles x 2 units) even with one vector of rows, within the registers:
            /// 2 x 6 accumulators for AVX2's 16, 2 x 12 for AVX-512's 32 (as its microkernel).
            const COLS: usize = if $o::L * std::mem::size_of::<E>() == 64 {
                12
            } else {
                6
            };

            /// # Safety
            /// See `TinyFn`; the CPU supports the target features.
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn tiny(
                m: usize,
                n: usize,
                k: usize,
                kc: usize,
                alpha: E,
                a: MatRef<E>,
                b: MatRef<E>,
                beta: E,
                c: *mut E,
                ldc: usize,
                small: bool,
            ) -> bool {
                const L: usize = $o::L;
                if a.rs != 1 {
                    // SAFETY: forwarded contract; the CPU has FMA (both tables' ISAs imply it).
                    return unsafe { fused(m, n, k, kc, alpha, a, b, beta, c, ldc, small) };
                }
                let g = Geometry {
                    k,
                    kc: kc.max(1),
                    alpha,
                    a,
                    b,
                    beta,
                    c,
                    ldc,
                };
                let (w, hw) = (L, h::L);
                let mut j = 0;
                while j < n {
                    let cols = COLS.min(n - j);
                    // The row blocks of columns j..j + cols: 2 full vectors while they fit,
                    // then the rows left over as a full vector and a masked one, or (`HALF`) a
                    // half-width vector in place of the masked one where exactly half a vector
                    // of rows is left over after whole vectors. (Not for fewer rows: AVX2's
                    // masked loads made sgemm 3 x 3 and 5 x 5 4-7% slower than a masked
                    // full-width vector.) Here, not in a method: `g` must stay a local whose
                    // fields live in registers (a method on `&self` made dgemm 16 x 16 7%
                    // slower).
                    let mut i = 0;
                    // SAFETY (all blocks): every block lies inside C and the operands (a masked
                    // vector touches only rows below m).
                    unsafe {
                        while m - i >= 2 * w {
                            g.block_cols::<2, false, false>(cols, i, w, j);
                            i += 2 * w;
                        }
                        let rest = m - i;
                        match (rest / w, rest % w) {
                            (0, 0) => {}
                            (_, 0) => g.block_cols::<1, false, false>(cols, i, w, j),
                            (1, t) if HALF && t == hw => {
                                g.block_cols::<1, false, true>(cols, i, t, j)
                            }
                            (1, t) => g.block_cols::<2, true, false>(cols, i, t, j),
                            (_, t) if HALF && t == hw => {
                                g.block_cols::<0, false, true>(cols, i, t, j)
                            }
                            (_, t) => g.block_cols::<1, true, false>(cols, i, t, j),
                        }
                    }
                    j += cols;
                }
                true
            }

            /// Whether half a vector of rows left over after whole vectors goes to a
            /// half-width vector (`half::$o`, where the ISA has a narrower one): on a core whose
            /// 512-bit operations take both 256-bit halves of its FMA pipes (Zen 4), a
            /// full-width vector masked down to half its lanes costs twice the half-width one;
            /// elsewhere the two cost the same. Lanes never mix, so each element's operations
            /// are the same either way. Zen 4 guest, side by side: dgemm 4 / 12 / 28 ran
            /// 1.10 / 1.15-1.18 / 1.09x as fast, sgemm 24 / 56 1.19-1.25 / 1.12x.
            const HALF: bool = h::L < $o::L;

            /// The operands of one call.
            #[derive(Clone, Copy)]
            struct Geometry {
                k: usize,
                kc: usize,
                alpha: E,
                a: MatRef<E>,
                b: MatRef<E>,
                beta: E,
                c: *mut E,
                ldc: usize,
            }

            impl Geometry {
                /// `block` with the column count as a constant (accumulators in registers).
                ///
                /// # Safety
                /// As `block`.
                #[target_feature(enable = $feat)]
                #[inline]
                unsafe fn block_cols<const MV: usize, const MASKED: bool, const HV: bool>(
                    &self,
                    cols: usize,
                    i: usize,
                    last: usize,
                    j: usize,
                ) {
                    // SAFETY: forwarded.
                    unsafe {
                        match cols {
                            1 => self.block::<MV, 1, MASKED, HV>(i, last, j),
                            2 => self.block::<MV, 2, MASKED, HV>(i, last, j),
                            3 => self.block::<MV, 3, MASKED, HV>(i, last, j),
                            4 => self.block::<MV, 4, MASKED, HV>(i, last, j),
                            5 => self.block::<MV, 5, MASKED, HV>(i, last, j),
                            6 if COLS > 6 => self.block::<MV, 6, MASKED, HV>(i, last, j),
                            7 if COLS > 7 => self.block::<MV, 7, MASKED, HV>(i, last, j),
                            8 if COLS > 8 => self.block::<MV, 8, MASKED, HV>(i, last, j),
                            9 if COLS > 9 => self.block::<MV, 9, MASKED, HV>(i, last, j),
                            10 if COLS > 10 => self.block::<MV, 10, MASKED, HV>(i, last, j),
                            11 if COLS > 11 => self.block::<MV, 11, MASKED, HV>(i, last, j),
                            _ => self.block::<MV, COLS, MASKED, HV>(i, last, j),
                        }
                    }
                }

                /// Rows `i..i + MV*L`, columns `j..j + NC` of C, over the whole depth (a new
                /// chain per depth block, later blocks with beta = 1). `MASKED`: the last of
                /// the MV vectors holds only its first `last` rows (< L), read and written
                /// through lane masks. `HV` (never with `MASKED`): the MV vectors are whole,
                /// and a whole half-width vector follows them with the next h::L rows.
                ///
                /// # Safety
                /// The block lies inside C and op(A) (unit row stride), columns inside op(B).
                #[target_feature(enable = $feat)]
                #[inline]
                #[allow(clippy::needless_range_loop)]
                unsafe fn block<
                    const MV: usize,
                    const NC: usize,
                    const MASKED: bool,
                    const HV: bool,
                >(
                    &self,
                    i: usize,
                    last: usize,
                    j: usize,
                ) {
                    const L: usize = $o::L;
                    debug_assert!(!(HV && MASKED), "a half-width vector is whole");
                    let masked = |v: usize| MASKED && v == MV - 1;
                    let (a, b) = (self.a, self.b);
                    let mut p0 = 0;
                    while p0 < self.k {
                        let p1 = (p0 + self.kc).min(self.k);
                        let beta = if p0 == 0 { self.beta } else { 1.0 };
                        let mut acc = [[$o::zero(); MV]; NC];
                        let mut acc_h = [h::zero(); NC];
                        // SAFETY: inside the operands (caller).
                        unsafe {
                            let mut ap = a.ptr.add(i + p0 * a.cs);
                            let mut bp = b.ptr.add(p0 * b.rs + j * b.cs);
                            for _ in p0..p1 {
                                let mut av = [$o::zero(); MV];
                                for v in 0..MV {
                                    av[v] = tiny_load!($o, masked(v), ap.add(v * L), last);
                                }
                                let ah = if HV {
                                    h::load(ap.add(MV * L))
                                } else {
                                    h::zero()
                                };
                                for jj in 0..NC {
                                    let x = *bp.add(jj * b.cs);
                                    let bj = $o::splat(x);
                                    for v in 0..MV {
                                        acc[jj][v] = $o::fma(av[v], bj, acc[jj][v]);
                                    }
                                    if HV {
                                        acc_h[jj] = h::fma(ah, h::splat(x), acc_h[jj]);
                                    }
                                }
                                ap = ap.add(a.cs);
                                bp = bp.add(b.rs);
                            }
                        }
                        let at = |jj: usize, v: usize| {
                            // SAFETY: inside C (caller).
                            unsafe { self.c.add(i + v * L + (j + jj) * self.ldc) }
                        };
                        // With a masked vector, every column of C is read before any is
                        // written: a short column's masked store overlaps the next column's load,
                        // which then waits for the store to retire instead of being forwarded.
                        // Full vectors never overlap and store as they go (fewer live values).
                        let (va, vb) = ($o::splat(self.alpha), $o::splat(beta));
                        for jj in 0..NC {
                            for v in 0..MV {
                                acc[jj][v] = if beta == 0.0 {
                                    $o::mul(va, acc[jj][v])
                                } else {
                                    // SAFETY: inside C (caller).
                                    let old = unsafe { tiny_load!($o, masked(v), at(jj, v), last) };
                                    let old = if beta == 1.0 { old } else { $o::mul(vb, old) };
                                    $o::fma(va, acc[jj][v], old)
                                };
                                if !MASKED {
                                    // SAFETY: inside C (caller).
                                    unsafe { $o::store(at(jj, v), acc[jj][v]) };
                                }
                            }
                        }
                        if HV {
                            // The same operations on the half-width vector.
                            let (va, vb) = (h::splat(self.alpha), h::splat(beta));
                            for jj in 0..NC {
                                acc_h[jj] = if beta == 0.0 {
                                    h::mul(va, acc_h[jj])
                                } else {
                                    // SAFETY: inside C (caller).
                                    let old = unsafe { h::load(at(jj, MV)) };
                                    let old = if beta == 1.0 { old } else { h::mul(vb, old) };
                                    h::fma(va, acc_h[jj], old)
                                };
                                // SAFETY: inside C (caller).
                                unsafe { h::store(at(jj, MV), acc_h[jj]) };
                            }
                        }
                        if MASKED {
                            tiny_store_block!($o, acc, at, masked, last, MV, NC);
                        }
                        p0 = p1;
                    }
                }
            }
        }
    };
}

/// The tiny-product twin of the complex kernel `name`, as `name::tiny`: `real_tiny!`'s loops
/// with `complex_ukr_body!`'s operations per element (a * re(b) and a * im(b) accumulated
/// apart, one fmaddsub combine, the same alpha and beta products), on vectors of L / 2
/// complex rows, up to 3 columns at a time, the rows left over in a masked last vector as
/// there (cgemm on 5 x 5 and 7 x 7 went to the scalar twin at 0.6-0.7x OpenBLAS's speed on
/// SKYLAKEX). op(B) conjugated is read with its imaginary parts negated, exactly the values
/// packing would store; a conjugated op(A) goes to the scalar twin.
macro_rules! complex_tiny {
    ($name:ident, $feat:literal, $o:ident) => {
        pub mod $name {
            use super::super::tiny::fused;
            use super::super::MatRef;
            use super::$o;
            use $crate::scalar::Complex;
            type E = $o::E;
            type C = Complex<E>;

            /// Columns of C per block: 2 vectors x 3 columns x 2 accumulators, as the kernel.
            const COLS: usize = 3;
            /// Complex elements per vector.
            const H: usize = $o::L / 2;

            /// # Safety
            /// See `TinyFn`; the CPU supports the target features.
            #[target_feature(enable = $feat)]
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn tiny(
                m: usize,
                n: usize,
                k: usize,
                kc: usize,
                alpha: C,
                a: MatRef<C>,
                b: MatRef<C>,
                beta: C,
                c: *mut C,
                ldc: usize,
                small: bool,
            ) -> bool {
                if a.rs != 1 || a.conj {
                    // SAFETY: forwarded contract; the CPU has FMA (both tables' ISAs imply it).
                    return unsafe { fused(m, n, k, kc, alpha, a, b, beta, c, ldc, small) };
                }
                let g = Geometry {
                    k,
                    kc: kc.max(1),
                    alpha,
                    a,
                    b,
                    beta,
                    c,
                    ldc,
                };
                let mut j = 0;
                while j < n {
                    let cols = COLS.min(n - j);
                    // SAFETY: every block lies inside C and the operands (a masked vector
                    // touches only rows below m).
                    unsafe { tiny_row_blocks!(g, m, H, cols, j) };
                    j += cols;
                }
                true
            }

            /// The operands of one call.
            #[derive(Clone, Copy)]
            struct Geometry {
                k: usize,
                kc: usize,
                alpha: C,
                a: MatRef<C>,
                b: MatRef<C>,
                beta: C,
                c: *mut C,
                ldc: usize,
            }

            impl Geometry {
                /// `block` with the column count as a constant (accumulators in registers).
                ///
                /// # Safety
                /// As `block`.
                #[target_feature(enable = $feat)]
                #[inline]
                unsafe fn block_cols<const MV: usize, const MASKED: bool>(
                    &self,
                    cols: usize,
                    i: usize,
                    last: usize,
                    j: usize,
                ) {
                    // SAFETY: forwarded.
                    unsafe {
                        match cols {
                            1 => self.block::<MV, 1, MASKED>(i, last, j),
                            2 => self.block::<MV, 2, MASKED>(i, last, j),
                            _ => self.block::<MV, COLS, MASKED>(i, last, j),
                        }
                    }
                }

                /// Rows `i..i + MV*H`, columns `j..j + NC` of C, over the whole depth (a new
                /// chain per depth block, later blocks with beta = 1). `MASKED`: the last of
                /// the MV vectors holds only its first `last` rows (< H), read and written
                /// through lane masks (two lanes a row).
                ///
                /// # Safety
                /// The block lies inside C and op(A) (unit row stride), columns inside op(B).
                #[target_feature(enable = $feat)]
                #[inline]
                #[allow(clippy::needless_range_loop)]
                unsafe fn block<const MV: usize, const NC: usize, const MASKED: bool>(
                    &self,
                    i: usize,
                    last: usize,
                    j: usize,
                ) {
                    const L: usize = $o::L;
                    let masked = |v: usize| MASKED && v == MV - 1;
                    let lanes = 2 * last;
                    let (a, b) = (self.a, self.b);
                    // Reals, not complex elements, from here on.
                    let (acs, brs, bcs) = (2 * a.cs, 2 * b.rs, 2 * b.cs);
                    let ldc = 2 * self.ldc;
                    let c = self.c as *mut E;
                    let ones = $o::splat(1.0);
                    let (ar, ai) = ($o::splat(self.alpha.re), $o::splat(self.alpha.im));
                    let alpha_real = self.alpha.im == 0.0;
                    let mut p0 = 0;
                    while p0 < self.k {
                        let p1 = (p0 + self.kc).min(self.k);
                        let one = Complex { re: 1.0, im: 0.0 };
                        let beta = if p0 == 0 { self.beta } else { one };
                        let beta_zero = beta.re == 0.0 && beta.im == 0.0;
                        let beta_real = beta.im == 0.0;
                        let (br, bi) = ($o::splat(beta.re), $o::splat(beta.im));
                        let mut cr = [[$o::zero(); MV]; NC];
                        let mut ci = [[$o::zero(); MV]; NC];
                        // SAFETY: inside the operands (caller).
                        unsafe {
                            let mut ap = (a.ptr as *const E).add(2 * i + p0 * acs);
                            let mut bp = (b.ptr as *const E).add(p0 * brs + j * bcs);
                            for _ in p0..p1 {
                                let mut av = [$o::zero(); MV];
                                for v in 0..MV {
                                    av[v] = tiny_load!($o, masked(v), ap.add(v * L), lanes);
                                }
                                for jj in 0..NC {
                                    let yr = $o::splat(*bp.add(jj * bcs));
                                    for v in 0..MV {
                                        cr[jj][v] = $o::fma(av[v], yr, cr[jj][v]);
                                    }
                                    let yi = *bp.add(jj * bcs + 1);
                                    // Negated, not multiplied by -1: a NaN's sign flips too,
                                    // as `conj` flips it when packing.
                                    let yi = $o::splat(if b.conj { -yi } else { yi });
                                    for v in 0..MV {
                                        ci[jj][v] = $o::fma(av[v], yi, ci[jj][v]);
                                    }
                                }
                                ap = ap.add(acs);
                                bp = bp.add(brs);
                            }
                        }
                        let at = |jj: usize, v: usize| {
                            // SAFETY: inside C (caller).
                            unsafe { c.add(2 * i + v * L + (j + jj) * ldc) }
                        };
                        // Masked: every column of C read before any is written, as in
                        // `real_tiny!`.
                        let mut r = [[$o::zero(); MV]; NC];
                        for jj in 0..NC {
                            for v in 0..MV {
                                let ab = $o::fmaddsub(cr[jj][v], ones, $o::swap(ci[jj][v]));
                                // As `complex_tile_update!` (the multiplication of C by
                                // a beta of one there skipped is exact).
                                let t = cscale!($o, ab, alpha_real, ar, ai);
                                r[jj][v] = if beta_zero {
                                    t
                                } else {
                                    // SAFETY: inside C (caller).
                                    let old =
                                        unsafe { tiny_load!($o, masked(v), at(jj, v), lanes) };
                                    $o::add(cscale!($o, old, beta_real, br, bi), t)
                                };
                                if !MASKED {
                                    // SAFETY: inside C (caller).
                                    unsafe { $o::store(at(jj, v), r[jj][v]) };
                                }
                            }
                        }
                        if MASKED {
                            tiny_store_block!($o, r, at, masked, lanes, MV, NC);
                        }
                        p0 = p1;
                    }
                }
            }
        }
    };
}

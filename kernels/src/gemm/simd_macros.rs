//! Macros that stamp out the x86 SIMD microkernels from a vector width and intrinsic names, so
//! HASWELL and SKYLAKEX share one (tested) kernel shape and differ only in their ISA.
//!
//! Every kernel follows the `UkrFn` contract: it reads packed panels (or, for the direct path,
//! A columns `lda` apart and B through its two strides) and updates a full MR x NR tile of C
//! in place: C := alpha*AB + beta*C, never reading C when beta == 0.

/// Real microkernel: MR = LANES * MV rows (MV vector registers per column), NR broadcast columns,
/// MV * NR accumulators. The depth loop is unrolled by 4.
macro_rules! real_ukr {
    ($name:ident, $feat:literal, $t:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $mul:ident, $zero:ident) => {
        /// # Safety
        /// CPU supports the target features; see `UkrFn` for the operands.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
        pub unsafe fn $name(
            k: usize,
            a: *const $t,
            sa: usize,
            b: *const $t,
            rsb: usize,
            csb: usize,
            c: *mut $t,
            ldc: usize,
            alpha: $t,
            beta: $t,
        ) {
            const MR: usize = $lanes * $mv;
            // Packed panels get their own copy of the loop with constant strides (fixed
            // displacements for the broadcasts); the direct path keeps run-time strides.
            if sa == MR && rsb == $nr && csb == 1 {
                real_ukr_body!(
                    $t, $v, $lanes, $mv, $nr, $load, $store, $set1, $fma, $mul, $zero, k, a, MR, b,
                    $nr, 1, c, ldc, alpha, beta
                )
            } else {
                real_ukr_body!(
                    $t, $v, $lanes, $mv, $nr, $load, $store, $set1, $fma, $mul, $zero, k, a, sa, b,
                    rsb, csb, c, ldc, alpha, beta
                )
            }
        }
    };
}

/// The loop of `real_ukr!`, with the operand strides as expressions.
macro_rules! real_ukr_body {
    ($t:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $mul:ident, $zero:ident,
     $k:expr, $a:expr, $sa:expr, $b:expr, $rsb:expr, $csb:expr, $c:expr, $ldc:expr,
     $alpha:expr, $beta:expr) => {{
        let (k, sa, rsb, csb, c, ldc, alpha, beta) = ($k, $sa, $rsb, $csb, $c, $ldc, $alpha, $beta);
        let mut ap: *const $t = $a;
        let mut bp: *const $t = $b;
        // Fetch the C tile while the loop runs (it is written once at the end).
        for j in 0..$nr {
            // SAFETY: prefetch never faults; the tile is inside C anyway.
            unsafe {
                let p = c.add(j * ldc) as *const i8;
                _mm_prefetch::<_MM_HINT_T0>(p);
                _mm_prefetch::<_MM_HINT_T0>(p.add($lanes * $mv * std::mem::size_of::<$t>() - 1));
            }
        }
        let mut acc: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
        macro_rules! step {
            () => {
                // SAFETY: offsets within the operands (see contract).
                unsafe {
                    let mut av: [$v; $mv] = [$zero(); $mv];
                    for v in 0..$mv {
                        av[v] = $load(ap.add(v * $lanes));
                    }
                    for j in 0..$nr {
                        let bj = $set1(*bp.add(j * csb));
                        for v in 0..$mv {
                            acc[j][v] = $fma(av[v], bj, acc[j][v]);
                        }
                    }
                    ap = ap.add(sa);
                    bp = bp.add(rsb);
                }
            };
        }
        let mut l = k;
        while l >= 4 {
            step!();
            step!();
            step!();
            step!();
            l -= 4;
        }
        while l > 0 {
            step!();
            l -= 1;
        }
        let va = $set1(alpha);
        // SAFETY: C holds a full MR x NR tile at `c` with leading dimension `ldc`.
        unsafe {
            if beta == 0.0 {
                for j in 0..$nr {
                    for v in 0..$mv {
                        $store(c.add(j * ldc + v * $lanes), $mul(va, acc[j][v]));
                    }
                }
            } else if beta == 1.0 {
                for j in 0..$nr {
                    for v in 0..$mv {
                        let p = c.add(j * ldc + v * $lanes);
                        $store(p, $fma(va, acc[j][v], $load(p)));
                    }
                }
            } else {
                let vb = $set1(beta);
                for j in 0..$nr {
                    for v in 0..$mv {
                        let p = c.add(j * ldc + v * $lanes);
                        $store(p, $fma(va, acc[j][v], $mul(vb, $load(p))));
                    }
                }
            }
        }
    }};
}

/// Complex microkernel on interleaved (re, im) data: accumulates a*re(b) and a*im(b) separately
/// and combines them once at the end with a pair swap and fmaddsub:
/// re = ar*br - ai*bi, im = ai*br + ar*bi. MR (complex) = LANES/2 * MV. Strides count complex
/// elements.
macro_rules! complex_ukr {
    ($name:ident, $feat:literal, $r:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $mul:ident, $add:ident, $zero:ident,
     $swap:ident, $fmaddsub:ident) => {
        /// # Safety
        /// CPU supports the target features; see `UkrFn` for the operands.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
        pub unsafe fn $name(
            k: usize,
            a: *const $crate::scalar::Complex<$r>,
            sa: usize,
            b: *const $crate::scalar::Complex<$r>,
            rsb: usize,
            csb: usize,
            c: *mut $crate::scalar::Complex<$r>,
            ldc: usize,
            alpha: $crate::scalar::Complex<$r>,
            beta: $crate::scalar::Complex<$r>,
        ) {
            const MR: usize = $lanes / 2 * $mv;
            if sa == MR && rsb == $nr && csb == 1 {
                complex_ukr_body!(
                    $r, $v, $lanes, $mv, $nr, $load, $store, $set1, $fma, $mul, $add, $zero, $swap,
                    $fmaddsub, k, a, MR, b, $nr, 1, c, ldc, alpha, beta
                )
            } else {
                complex_ukr_body!(
                    $r, $v, $lanes, $mv, $nr, $load, $store, $set1, $fma, $mul, $add, $zero, $swap,
                    $fmaddsub, k, a, sa, b, rsb, csb, c, ldc, alpha, beta
                )
            }
        }
    };
}

/// The loop of `complex_ukr!`, with the operand strides as expressions.
macro_rules! complex_ukr_body {
    ($r:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $mul:ident, $add:ident, $zero:ident,
     $swap:ident, $fmaddsub:ident,
     $k:expr, $a:expr, $sa:expr, $b:expr, $rsb:expr, $csb:expr, $c:expr, $ldc:expr,
     $alpha:expr, $beta:expr) => {{
        let (k, sa, rsb, csb, ldc, alpha, beta) = ($k, $sa, $rsb, $csb, $ldc, $alpha, $beta);
        let mut ap = $a as *const $r;
        let mut bp = $b as *const $r;
        let c = $c as *mut $r;
        for j in 0..$nr {
            // SAFETY: prefetch never faults; the tile is inside C anyway.
            unsafe {
                let p = c.add(2 * j * ldc) as *const i8;
                _mm_prefetch::<_MM_HINT_T0>(p);
                _mm_prefetch::<_MM_HINT_T0>(p.add($lanes * $mv * std::mem::size_of::<$r>() - 1));
            }
        }
        let mut cr: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
        let mut ci: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
        macro_rules! step {
            () => {
                // SAFETY: offsets within the operands (see contract).
                unsafe {
                    let mut av: [$v; $mv] = [$zero(); $mv];
                    for v in 0..$mv {
                        av[v] = $load(ap.add(v * $lanes));
                    }
                    // One broadcast live at a time: MV*NR*2 accumulators + MV loads + 1.
                    for j in 0..$nr {
                        let br = $set1(*bp.add(2 * j * csb));
                        for v in 0..$mv {
                            cr[j][v] = $fma(av[v], br, cr[j][v]);
                        }
                        let bi = $set1(*bp.add(2 * j * csb + 1));
                        for v in 0..$mv {
                            ci[j][v] = $fma(av[v], bi, ci[j][v]);
                        }
                    }
                    ap = ap.add(2 * sa);
                    bp = bp.add(2 * rsb);
                }
            };
        }
        let mut l = k;
        while l >= 4 {
            step!();
            step!();
            step!();
            step!();
            l -= 4;
        }
        while l > 0 {
            step!();
            l -= 1;
        }
        let ones = $set1(1.0);
        let (ar, ai) = ($set1(alpha.re), $set1(alpha.im));
        let (br, bi) = ($set1(beta.re), $set1(beta.im));
        let beta_zero = beta.re == 0.0 && beta.im == 0.0;
        // x * (sr + i si) on interleaved pairs.
        macro_rules! cmul {
            ($x:expr, $sr:expr, $si:expr) => {
                $fmaddsub($x, $sr, $mul($swap($x), $si))
            };
        }
        for j in 0..$nr {
            for v in 0..$mv {
                // SAFETY: C holds a full MR x NR tile at `c` (ld `ldc` complex elements).
                unsafe {
                    let ab = $fmaddsub(cr[j][v], ones, $swap(ci[j][v]));
                    let t = cmul!(ab, ar, ai);
                    let p = c.add(2 * j * ldc + v * $lanes);
                    let r = if beta_zero {
                        t
                    } else {
                        let old = $load(p);
                        $add(cmul!(old, br, bi), t)
                    };
                    $store(p, r);
                }
            }
        }
    }};
}

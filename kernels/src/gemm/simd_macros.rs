//! Macros that stamp out the x86 SIMD microkernels from a vector width and intrinsic names, so
//! HASWELL and SKYLAKEX share one (tested) kernel shape and differ only in their ISA.

/// Real microkernel: MR = LANES * MV rows (MV vector registers per column), NR broadcast columns,
/// MV * NR accumulators.
macro_rules! real_ukr {
    ($name:ident, $feat:literal, $t:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $zero:ident) => {
        /// # Safety
        /// CPU supports the target features; `a` holds k*MR, `b` k*NR, `ab` MR*NR elements.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop)]
        pub unsafe fn $name(k: usize, a: *const $t, b: *const $t, ab: *mut $t) {
            const MR: usize = $lanes * $mv;
            let mut c: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
            for l in 0..k {
                // SAFETY: offsets within the packed panels (see contract).
                unsafe {
                    let ap = a.add(l * MR);
                    let bp = b.add(l * $nr);
                    let mut av: [$v; $mv] = [$zero(); $mv];
                    for v in 0..$mv {
                        av[v] = $load(ap.add(v * $lanes));
                    }
                    for j in 0..$nr {
                        let bj = $set1(*bp.add(j));
                        for v in 0..$mv {
                            c[j][v] = $fma(av[v], bj, c[j][v]);
                        }
                    }
                }
            }
            for j in 0..$nr {
                for v in 0..$mv {
                    // SAFETY: ab holds MR*NR elements.
                    unsafe { $store(ab.add(j * MR + v * $lanes), c[j][v]) };
                }
            }
        }
    };
}

/// Complex microkernel on interleaved (re, im) data: accumulates a*re(b) and a*im(b) separately
/// and combines them once at the end with a pair swap and fmaddsub:
/// re = ar*br - ai*bi, im = ai*br + ar*bi. MR (complex) = LANES/2 * MV.
macro_rules! complex_ukr {
    ($name:ident, $feat:literal, $r:ty, $v:ty, $lanes:expr, $mv:expr, $nr:expr,
     $load:ident, $store:ident, $set1:ident, $fma:ident, $zero:ident, $swap:ident,
     $fmaddsub:ident) => {
        /// # Safety
        /// CPU supports the target features; `a` holds k*MR, `b` k*NR, `ab` MR*NR elements.
        #[target_feature(enable = $feat)]
        #[allow(clippy::needless_range_loop)]
        pub unsafe fn $name(
            k: usize,
            a: *const $crate::scalar::Complex<$r>,
            b: *const $crate::scalar::Complex<$r>,
            ab: *mut $crate::scalar::Complex<$r>,
        ) {
            const MR: usize = $lanes / 2 * $mv;
            let (a, b, ab) = (a as *const $r, b as *const $r, ab as *mut $r);
            let mut cr: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
            let mut ci: [[$v; $mv]; $nr] = [[$zero(); $mv]; $nr];
            for l in 0..k {
                // SAFETY: offsets within the packed panels (see contract).
                unsafe {
                    let ap = a.add(l * 2 * MR);
                    let bp = b.add(l * 2 * $nr);
                    let mut av: [$v; $mv] = [$zero(); $mv];
                    for v in 0..$mv {
                        av[v] = $load(ap.add(v * $lanes));
                    }
                    for j in 0..$nr {
                        let br = $set1(*bp.add(2 * j));
                        let bi = $set1(*bp.add(2 * j + 1));
                        for v in 0..$mv {
                            cr[j][v] = $fma(av[v], br, cr[j][v]);
                            ci[j][v] = $fma(av[v], bi, ci[j][v]);
                        }
                    }
                }
            }
            let ones = $set1(1.0);
            for j in 0..$nr {
                for v in 0..$mv {
                    let r = $fmaddsub(cr[j][v], ones, $swap(ci[j][v]));
                    // SAFETY: ab holds MR*NR complex elements.
                    unsafe { $store(ab.add(2 * j * MR + v * $lanes), r) };
                }
            }
        }
    };
}

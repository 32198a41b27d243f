//! Every microkernel table this CPU supports, run through the GEMM framework and compared with a
//! naive reference: sizes across MR/NR/MC/KC/NC edges, all transposes, padded leading
//! dimensions, special alpha/beta, on both the packed path and the direct (unpacked, small
//! matrix) path, the tall narrow products routed to the tiny twins or computed transposed,
//! single-threaded and split over threads. Tables the CPU cannot run are reported as SKIPPED.

mod common;

use common::*;
use kernels::gemm::{gemm_parallel_with, gemm_with_path, GemmScalar, KernelSet, MatRef, Path, Ukr};
use kernels::scalar::{C32, C64};

/// Naive C := alpha*op(A)*op(B) + beta*C in double complex, over the whole ldc x n array (rows
/// past m must be left untouched).
#[allow(clippy::too_many_arguments)]
fn reference<T: TestScalar>(
    ta: u8,
    tb: u8,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    a: &[T],
    lda: usize,
    b: &[T],
    ldb: usize,
    beta: T,
    c0: &[T],
    ldc: usize,
) -> Vec<C64> {
    let op = |t: u8, x: &[T], ld: usize, i: usize, j: usize| -> C64 {
        match t {
            b'N' => x[i + j * ld].to_c64(),
            b'T' => x[j + i * ld].to_c64(),
            _ => x[j + i * ld].conj().to_c64(),
        }
    };
    let mut out: Vec<C64> = c0.iter().map(|v| v.to_c64()).collect();
    for j in 0..n {
        for i in 0..m {
            let mut s = c(0.0, 0.0);
            for l in 0..k {
                s += op(ta, a, lda, i, l) * op(tb, b, ldb, l, j);
            }
            let v = alpha.to_c64() * s;
            out[i + j * ldc] = if beta.is_zero() {
                v
            } else {
                v + beta.to_c64() * c0[i + j * ldc].to_c64()
            };
        }
    }
    out
}

fn special<T: TestScalar>(r: &mut Rng) -> T {
    match r.below(4) {
        0 => T::zero(),
        1 => T::one(),
        _ => T::random(r),
    }
}

/// One GEMM through microkernel `u` (split over `parts` threads when > 1), checked against the
/// reference.
#[allow(clippy::too_many_arguments)]
fn check_one<T: TestScalar>(
    u: &Ukr<T>,
    path: Path,
    parts: usize,
    r: &mut Rng,
    ta: u8,
    tb: u8,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    beta: T,
) {
    let (ar, ac) = if ta == b'N' { (m, k) } else { (k, m) };
    let (br, bc) = if tb == b'N' { (k, n) } else { (n, k) };
    let lda = ar.max(1) + r.below(3);
    let ldb = br.max(1) + r.below(3);
    let ldc = m + r.below(3);
    let a: Vec<T> = rand_vec(r, lda * ac);
    let b: Vec<T> = rand_vec(r, ldb * bc);
    let mut cm: Vec<T> = rand_vec(r, ldc * n);
    if beta.is_zero() {
        // beta == 0 must overwrite C without reading it: NaN here must not leak through.
        for v in cm.iter_mut() {
            *v = T::from_c64(c(f64::NAN, f64::NAN));
        }
        // ... except the padding rows, which must stay as they are (keep them finite to compare).
        for j in 0..n {
            for i in m..ldc {
                cm[i + j * ldc] = T::one();
            }
        }
    }
    let want = reference(ta, tb, m, n, k, alpha, &a, lda, &b, ldb, beta, &cm, ldc);
    let (ar_, br_) = (
        MatRef::op(a.as_ptr(), lda, ta),
        MatRef::op(b.as_ptr(), ldb, tb),
    );
    // SAFETY: operands are allocated with the dimensions passed.
    unsafe {
        if parts > 1 {
            gemm_parallel_with(
                u,
                parts,
                m,
                n,
                k,
                alpha,
                ar_,
                br_,
                beta,
                cm.as_mut_ptr(),
                ldc,
            )
        } else {
            gemm_with_path(
                u,
                path,
                m,
                n,
                k,
                alpha,
                ar_,
                br_,
                beta,
                cm.as_mut_ptr(),
                ldc,
            )
        }
    };
    let what = format!(
        "{} {:?} parts={parts} {}{} m={m} n={n} k={k} alpha={alpha:?} beta={beta:?} (mc={} kc={} nc={})",
        u.name, path, ta as char, tb as char, u.mc, u.kc, u.nc
    );
    assert_close(&cm, &want, k, &what);
}

fn sweep<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) {
    let mut r = Rng::new(seed);
    let real = *T::ukr(set);
    let (mr, nr) = (real.mr, real.nr);
    let small = with_small_blocks(real);
    let mut ms = vec![1, mr.saturating_sub(1), mr, mr + 1, 2 * mr + 1, 3 * mr + 2];
    // nr + 4 and nr + 8: last column panels of 4 and 8 columns, which the x86 tables' 4-column
    // edge kernels (`EdgeUkr`) run in place.
    let mut ns = vec![
        1,
        nr.saturating_sub(1),
        nr,
        nr + 1,
        nr + 4,
        nr + 8,
        2 * nr + 1,
        3 * nr + 2,
    ];
    ms.retain(|&v| v > 0);
    ns.retain(|&v| v > 0);
    ms.dedup();
    ns.sort_unstable();
    ns.dedup();
    let ks = [1, 4, 5, 6, 11];
    let trans = [b'N', b'T', b'C'];
    for &ta in &trans {
        for &tb in &trans {
            for &m in &ms {
                for &n in &ns {
                    let k = ks[r.below(ks.len())];
                    let (alpha, beta) = (special::<T>(&mut r), special::<T>(&mut r));
                    // Mostly single-threaded; every fourth case split over 2 or 3 threads.
                    let parts = [1, 1, 2, 3][r.below(4)];
                    for path in [Path::Packed, Path::Direct, Path::Tiny, Path::Auto] {
                        check_one(&small, path, parts, &mut r, ta, tb, m, n, k, alpha, beta);
                    }
                }
            }
        }
    }
    // The table's real block sizes: products crossing MC and KC for every transpose pair on both
    // paths, and one crossing NC (packed).
    for &ta in &trans {
        for &tb in &trans {
            let m = real.mc + mr + 1;
            let k = real.kc + 3;
            let n = 2 * nr + 1;
            let (alpha, beta) = (special::<T>(&mut r), special::<T>(&mut r));
            for path in [Path::Packed, Path::Direct, Path::Tiny] {
                check_one(&real, path, 1, &mut r, ta, tb, m, n, k, alpha, beta);
            }
        }
    }
    // Few rows and many columns on the automatic path: A packed, B read in place (too wide
    // for the direct path, but few row panels share each of B's), crossing KC, with a partial
    // last column panel.
    for &ta in &trans {
        for &tb in &trans {
            let (m, n, k) = (3 * mr + 1, 301, real.kc + 3);
            let (alpha, beta) = (special::<T>(&mut r), special::<T>(&mut r));
            check_one(&real, Path::Auto, 1, &mut r, ta, tb, m, n, k, alpha, beta);
        }
    }
    let (alpha, beta) = (T::random(&mut r), T::random(&mut r));
    check_one(
        &real,
        Path::Packed,
        1,
        &mut r,
        b'N',
        b'T',
        mr + 1,
        real.nc + nr + 1,
        3,
        alpha,
        beta,
    );
    check_one(
        &real,
        Path::Auto,
        2,
        &mut r,
        b'C',
        b'T',
        real.mc + mr + 1,
        2 * nr + 1,
        real.kc + 3,
        alpha,
        T::zero(),
    );
    // Every tile size up to two tiles each way on the automatic path (direct, edge tiles through
    // the scratch tile).
    for m in 1..=2 * mr + 1 {
        for n in 1..=2 * nr + 1 {
            let (alpha, beta) = (special::<T>(&mut r), special::<T>(&mut r));
            let k = 1 + r.below(9);
            let (ta, tb) = (trans[r.below(3)], trans[r.below(3)]);
            check_one(&real, Path::Auto, 1, &mut r, ta, tb, m, n, k, alpha, beta);
        }
    }
}

/// The small path (`Ukr::tiny` offered products up to 64 x 64, see `small_ok`): every row count
/// up to two register tiles (every masked last vector of the x86 twins: alone below one vector
/// of rows, second of two between one and two vectors, and after whole vectors), column counts
/// around their 6-column (AVX2) and 12-column (AVX-512) blocks, every transpose pair, beta 0 (NaN in C), 1 and other, with depth
/// crossing KC (small blocks) and not (the table's own).
fn small_sweep<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) {
    let mut r = Rng::new(seed);
    let real = *T::ukr(set);
    let small = with_small_blocks(real);
    let trans = [b'N', b'T', b'C'];
    for m in 1..=2 * real.mr + 1 {
        for n in [1, 5, 6, 7, 11, 13, 25] {
            for &ta in &trans {
                for &tb in &trans {
                    for beta in [T::zero(), T::one(), T::random(&mut r)] {
                        let alpha = special::<T>(&mut r);
                        let alpha = if alpha.is_zero() { T::one() } else { alpha };
                        let u = if r.below(2) == 0 { &small } else { &real };
                        let k = 1 + r.below(2 * u.kc.min(20) + 3);
                        check_one(u, Path::Auto, 1, &mut r, ta, tb, m, n, k, alpha, beta);
                    }
                }
            }
        }
    }
}

/// The tall products that leave the tiles: narrow shallow ones (n < NR, n*k <= 768, any m) to
/// the tiny twins' loops, and tall narrow deep ones with op(A) transposed (real types) to the
/// transposed product (`transposed_pays` in the framework). Each shape against the naive
/// reference, and bitwise against the packed tiles (`Path::Packed` never leaves them).
fn tall_sweep<T: TestScalar + GemmScalar>(set: &KernelSet, seed: u64) {
    let mut r = Rng::new(seed);
    let u = *T::ukr(set);
    let few = 8 * u.mr;
    let mut shapes = Vec::new();
    for n in [1, u.nr - 1] {
        shapes.push((few + 7, n, 768 / n));
        shapes.push((few + 7, n, 1));
    }
    for n in [u.mr, 64.min(few)] {
        shapes.push((few + 5, n, (16 * n).max(512) + 3));
    }
    for (m, n, k) in shapes {
        for (ta, tb) in [
            (b'N', b'N'),
            (b'T', b'N'),
            (b'T', b'T'),
            (b'N', b'C'),
            (b'C', b'T'),
        ] {
            for beta in [T::zero(), T::one(), T::random(&mut r)] {
                let alpha = T::random(&mut r);
                check_one(&u, Path::Auto, 1, &mut r, ta, tb, m, n, k, alpha, beta);
                let (ar, ac) = if ta == b'N' { (m, k) } else { (k, m) };
                let (br, bc) = if tb == b'N' { (k, n) } else { (n, k) };
                let a: Vec<T> = rand_vec(&mut r, ar * ac);
                let b: Vec<T> = rand_vec(&mut r, br * bc);
                let c0: Vec<T> = rand_vec(&mut r, m * n);
                let run = |path: Path| {
                    let mut cm = c0.clone();
                    // SAFETY: operands are allocated with the dimensions passed.
                    unsafe {
                        gemm_with_path(
                            &u,
                            path,
                            m,
                            n,
                            k,
                            alpha,
                            MatRef::op(a.as_ptr(), ar, ta),
                            MatRef::op(b.as_ptr(), br, tb),
                            beta,
                            cm.as_mut_ptr(),
                            m,
                        )
                    };
                    cm
                };
                let (auto, packed) = (run(Path::Auto), run(Path::Packed));
                let differ = auto
                    .iter()
                    .zip(&packed)
                    .position(|(x, y)| bits(*x) != bits(*y));
                assert!(
                    differ.is_none(),
                    "{} {}{} m={m} n={n} k={k}: Auto and Packed differ at element {differ:?}",
                    u.name,
                    ta as char,
                    tb as char
                );
            }
        }
    }
}

fn run_table(name: &str) {
    let Some(set) = runnable_table(name, "agreement with the naive GEMM") else {
        return;
    };
    sweep::<f32>(set, 1);
    sweep::<f64>(set, 2);
    sweep::<C32>(set, 3);
    sweep::<C64>(set, 4);
    small_sweep::<f32>(set, 5);
    small_sweep::<f64>(set, 6);
    small_sweep::<C32>(set, 7);
    small_sweep::<C64>(set, 8);
    tall_sweep::<f32>(set, 9);
    tall_sweep::<f64>(set, 10);
    tall_sweep::<C32>(set, 11);
    tall_sweep::<C64>(set, 12);
    println!(
        "tested {name}: {} {} {} {}",
        set.s.name, set.d.name, set.c.name, set.z.name
    );
}

#[test]
fn generic_table_matches_reference() {
    run_table("GENERIC");
}

#[test]
fn haswell_table_matches_reference() {
    run_table("HASWELL");
}

#[test]
fn skylakex_table_matches_reference() {
    run_table("SKYLAKEX");
}

#[test]
fn every_table_has_consistent_block_sizes() {
    for (set, _) in kernels::arch::tables() {
        for (mr, nr, mc, kc, nc) in [
            (set.s.mr, set.s.nr, set.s.mc, set.s.kc, set.s.nc),
            (set.d.mr, set.d.nr, set.d.mc, set.d.kc, set.d.nc),
            (set.c.mr, set.c.nr, set.c.mc, set.c.kc, set.c.nc),
            (set.z.mr, set.z.nr, set.z.mc, set.z.kc, set.z.nc),
        ] {
            assert!(mr > 0 && nr > 0 && kc > 0, "{}", set.name);
            assert_eq!(mc % mr, 0, "{}: MC must be a multiple of MR", set.name);
            assert!(nc >= nr, "{}", set.name);
        }
    }
}

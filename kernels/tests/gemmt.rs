//! GEMMT (LAPACK 3.12's xGEMMTR, `kernels::level3::gemmt`) against a naive triangular product
//! in double complex: every precision, both triangles, every transpose pair, alpha and beta in
//! {0, 1, other}, odd orders on both sides of the register tile and of the GEMM blocks, depths
//! past KC, leading dimensions larger than the rows. The unstored triangle holds NaN and must
//! come back bit for bit; with beta == 0 the stored one holds NaN too and must not be read.
//!
//! SYMM/HEMM, which read the symmetric matrix's stored triangle in place, are checked the same
//! way on orders past the depth block, with NaN in the unstored triangle.
//!
//! The engine's triangle mode (`gemm::gemm_stored_with`) is also checked bitwise against the
//! full engine on triangles and trapezoids cut at every offset, with tiny cache blocks so that
//! its block skipping runs on small matrices. Argument checks follow the reference's order.

mod common;

use common::*;
use kernels::gemm::{gemm_stored_with, gemm_with, GemmScalar, MatRef, Stored};
use kernels::level3::Operands;
use kernels::scalar::{Complex, C32, C64};
use kernels::Int;

/// op(X)(i, j) in double complex, X column-major with leading dimension `ld`.
fn op_at<T: TestScalar>(x: &[T], ld: usize, trans: u8, i: usize, j: usize) -> C64 {
    match trans {
        b'N' => x[i + j * ld].to_c64(),
        b'T' => x[j + i * ld].to_c64(),
        _ => {
            let v = x[j + i * ld].to_c64();
            Complex::new(v.re, -v.im)
        }
    }
}

fn scalars<T: TestScalar>(r: &mut Rng) -> [T; 3] {
    [T::zero(), T::one(), T::random(r)]
}

/// One call of gemmt with random operands, checked element by element.
#[allow(clippy::too_many_arguments)]
fn check<T: TestScalar + GemmScalar>(
    r: &mut Rng,
    uplo: u8,
    ta: u8,
    tb: u8,
    n: usize,
    k: usize,
    alpha: T,
    beta: T,
) {
    let (ar, ac) = if ta == b'N' { (n, k) } else { (k, n) };
    let (br, bc) = if tb == b'N' { (k, n) } else { (n, k) };
    let (lda, ldb, ldc) = (
        ar.max(1) + r.below(3),
        br.max(1) + 1 + r.below(2),
        n + r.below(3),
    );
    let a: Vec<T> = rand_vec(r, lda * ac);
    let b: Vec<T> = rand_vec(r, ldb * bc);
    let upper = uplo == b'U';
    let stored = |i: usize, j: usize| if upper { i <= j } else { i >= j };
    let nan = T::from_c64(c(f64::NAN, f64::NAN));
    let mut c0: Vec<T> = rand_vec(r, ldc * n);
    for j in 0..n {
        for i in 0..ldc {
            // NaN outside the triangle (and in the padding rows); in the triangle too when
            // beta == 0, which must not read C.
            if i >= n || !stored(i, j) || beta.is_zero() {
                c0[i + j * ldc] = nan;
            }
        }
    }
    let mut got = c0.clone();
    // SAFETY: the arrays hold the operands with the dimensions passed.
    let res = unsafe {
        kernels::level3::gemmt(
            uplo,
            ta,
            tb,
            n as Int,
            k as Int,
            Operands {
                alpha,
                a: a.as_ptr(),
                lda: lda as Int,
                b: b.as_ptr(),
                ldb: ldb as Int,
                beta,
                c: got.as_mut_ptr(),
                ldc: ldc as Int,
            },
        )
    };
    let what = format!(
        "{} uplo={} {}{} n={n} k={k} alpha={alpha:?} beta={beta:?}",
        std::any::type_name::<T>(),
        uplo as char,
        ta as char,
        tb as char
    );
    assert_eq!(res, Ok(()), "{what}");
    let (al, be) = (alpha.to_c64(), beta.to_c64());
    for j in 0..n {
        for i in 0..ldc {
            let idx = i + j * ldc;
            if i >= n || !stored(i, j) {
                let (g, w) = (got[idx].to_c64(), c0[idx].to_c64());
                assert!(
                    g.re.to_bits() == w.re.to_bits() && g.im.to_bits() == w.im.to_bits(),
                    "{what}: unstored ({i}, {j}) changed to {g:?}"
                );
                continue;
            }
            let mut sum = c(0.0, 0.0);
            for l in 0..k {
                sum += op_at(&a, lda, ta, i, l) * op_at(&b, ldb, tb, l, j);
            }
            let mut want = if alpha.is_zero() {
                c(0.0, 0.0)
            } else {
                al * sum
            };
            if !beta.is_zero() {
                want += be * c0[idx].to_c64();
            }
            assert_close(
                &got[idx..idx + 1],
                &[want],
                k,
                &format!("{what} ({i}, {j})"),
            );
        }
    }
}

fn sweep<T: TestScalar + GemmScalar>(seed: u64) {
    let mut r = Rng::new(seed);
    let trans = [b'N', b'T', b'C'];
    // Orders around the register tiles (MR up to 32, NR up to 12) and past the GEMM's MC, so
    // that tiles cross the diagonal at every offset; depths 0, short and past KC.
    let orders = [1usize, 2, 5, 13, 31, 66, 150];
    for uplo in [b'U', b'L'] {
        for &ta in &trans {
            for &tb in &trans {
                for (case, &n) in orders.iter().enumerate() {
                    let k = [0usize, 1, 7, 19, 260][(case + r.below(5)) % 5];
                    let (alphas, betas) = (scalars::<T>(&mut r), scalars::<T>(&mut r));
                    // Every alpha x beta pair on small orders, one pair on large ones.
                    for (x, &alpha) in alphas.iter().enumerate() {
                        for (y, &beta) in betas.iter().enumerate() {
                            if n > 31 && (x, y) != (2, (case + ta as usize) % 3) {
                                continue;
                            }
                            check(&mut r, uplo, ta, tb, n, k, alpha, beta);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn gemmt_matches_the_naive_triangular_product_s() {
    sweep::<f32>(1);
}

#[test]
fn gemmt_matches_the_naive_triangular_product_d() {
    sweep::<f64>(2);
}

#[test]
fn gemmt_matches_the_naive_triangular_product_c() {
    sweep::<C32>(3);
}

#[test]
fn gemmt_matches_the_naive_triangular_product_z() {
    sweep::<C64>(4);
}

/// The reference's checks, in its order: UPLO 1, TRANSA 2, TRANSB 3, N 4, K 5, LDA 8, LDB 10,
/// LDC 13 (the first failing one is reported).
#[test]
fn gemmt_argument_checks_follow_the_reference() {
    let a = [0.0f64; 64];
    let mut cc = [0.0f64; 64];
    let p = cc.as_mut_ptr();
    let call = |uplo: u8, ta: u8, tb: u8, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int| {
        // SAFETY: every call either fails its checks or stays inside the 64-element arrays.
        unsafe {
            kernels::level3::gemmt(
                uplo,
                ta,
                tb,
                n,
                k,
                Operands {
                    alpha: 1.0,
                    a: a.as_ptr(),
                    lda,
                    b: a.as_ptr(),
                    ldb,
                    beta: 0.0,
                    c: p,
                    ldc,
                },
            )
        }
    };
    assert_eq!(call(b'X', b'N', b'N', 2, 2, 2, 2, 2), Err(1));
    assert_eq!(call(b'u', b'X', b'N', 2, 2, 2, 2, 2), Err(2));
    assert_eq!(call(b'l', b'c', b'X', 2, 2, 2, 2, 2), Err(3));
    assert_eq!(call(b'U', b'N', b'N', -1, 2, 2, 2, 2), Err(4));
    assert_eq!(call(b'U', b'N', b'N', 2, -1, 2, 2, 2), Err(5));
    // LDA >= N for A not transposed, >= K otherwise; LDB >= K for B not transposed, >= N
    // otherwise; LDC >= N.
    assert_eq!(call(b'U', b'N', b'N', 3, 2, 2, 3, 3), Err(8));
    assert_eq!(call(b'U', b'T', b'N', 2, 3, 2, 3, 2), Err(8));
    assert_eq!(call(b'U', b'T', b'N', 2, 3, 3, 2, 2), Err(10));
    assert_eq!(call(b'U', b'N', b'T', 3, 2, 3, 2, 3), Err(10));
    assert_eq!(call(b'L', b'N', b'N', 3, 2, 3, 2, 2), Err(13));
    // Zero sizes: leading dimensions of at least 1; nothing else is touched.
    assert_eq!(call(b'L', b'N', b'N', 0, 0, 1, 1, 1), Ok(()));
    assert_eq!(call(b'L', b'N', b'N', 0, 0, 0, 1, 1), Err(8));
}

/// The engine's triangle mode gives exactly the full engine's bits on the kept elements and
/// leaves the others alone, for blocks cut from a triangle at any offset (the trapezoids the
/// threads take), with the real block sizes and with tiny ones.
fn triangle_mode_sweep<T: TestScalar + GemmScalar>(seed: u64) {
    let mut r = Rng::new(seed);
    for (set, ok) in kernels::arch::tables() {
        if !ok {
            continue;
        }
        let real = *T::ukr(set);
        for u in [real, with_small_blocks(real)] {
            for _ in 0..12 {
                let (m, n, k) = (1 + r.below(90), 1 + r.below(90), 1 + r.below(300));
                let offset = r.below(2 * n + 1) as isize - n as isize;
                let stored = Stored {
                    upper: r.below(2) == 0,
                    offset,
                };
                let a: Vec<T> = rand_vec(&mut r, m * k);
                let b: Vec<T> = rand_vec(&mut r, k * n);
                let c0: Vec<T> = rand_vec(&mut r, m * n);
                let (alpha, beta) = (T::random(&mut r), scalars::<T>(&mut r)[r.below(3)]);
                let (ar, br) = (
                    MatRef::op(a.as_ptr(), m, b'N'),
                    MatRef::op(b.as_ptr(), n, b'T'),
                );
                let (mut full, mut tri) = (c0.clone(), c0.clone());
                // SAFETY: the arrays hold the operands with the dimensions passed.
                unsafe {
                    gemm_with(&u, m, n, k, alpha, ar, br, beta, full.as_mut_ptr(), m);
                    gemm_stored_with(
                        &u,
                        stored,
                        m,
                        n,
                        k,
                        alpha,
                        ar,
                        br,
                        beta,
                        tri.as_mut_ptr(),
                        m,
                    );
                }
                for j in 0..n {
                    for i in 0..m {
                        let want = if stored.keeps(i, j) {
                            full[i + j * m]
                        } else {
                            c0[i + j * m]
                        };
                        let (g, w) = (tri[i + j * m].to_c64(), want.to_c64());
                        assert!(
                            g.re.to_bits() == w.re.to_bits() && g.im.to_bits() == w.im.to_bits(),
                            "{} {stored:?} m={m} n={n} k={k}: ({i}, {j}) is {g:?}, want {w:?}",
                            u.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn triangle_mode_matches_the_full_engine_bitwise() {
    triangle_mode_sweep::<f32>(5);
    triangle_mode_sweep::<f64>(6);
    triangle_mode_sweep::<C32>(7);
    triangle_mode_sweep::<C64>(8);
}

/// symm/hemm on orders past KC (the depth cut into blocks, off-diagonal blocks read in place
/// and mirrored) against the naive product with the dense symmetric matrix; the unstored
/// triangle of A holds NaN, which must never be read.
fn symm_sweep<T: TestScalar + GemmScalar>(seed: u64, herm: bool) {
    let mut r = Rng::new(seed);
    let nan = T::from_c64(c(f64::NAN, f64::NAN));
    for (m, n) in [(300usize, 7usize), (5, 530), (261, 262), (3, 2), (17, 40)] {
        for side in [b'L', b'R'] {
            for uplo in [b'U', b'L'] {
                let ka = if side == b'L' { m } else { n };
                let lda = ka + 1;
                let mut a: Vec<T> = rand_vec(&mut r, lda * ka);
                let upper = uplo == b'U';
                let sym = |a: &[T], i: usize, j: usize| -> C64 {
                    let (i, j, mirror) = if (i <= j) == upper {
                        (i, j, false)
                    } else {
                        (j, i, true)
                    };
                    let v = a[i + j * lda].to_c64();
                    if herm && i == j {
                        c(v.re, 0.0)
                    } else if herm && mirror {
                        c(v.re, -v.im)
                    } else {
                        v
                    }
                };
                for j in 0..ka {
                    for i in 0..ka {
                        if i != j && (i < j) != upper {
                            a[i + j * lda] = nan;
                        }
                    }
                }
                let b: Vec<T> = rand_vec(&mut r, m * n);
                let c0: Vec<T> = rand_vec(&mut r, m * n);
                let (alpha, beta) = (T::random(&mut r), T::random(&mut r));
                let mut got = c0.clone();
                // SAFETY: the arrays hold the operands with the dimensions passed.
                let res = unsafe {
                    kernels::level3::symm(
                        side,
                        uplo,
                        m as Int,
                        n as Int,
                        Operands {
                            alpha,
                            a: a.as_ptr(),
                            lda: lda as Int,
                            b: b.as_ptr(),
                            ldb: m as Int,
                            beta,
                            c: got.as_mut_ptr(),
                            ldc: m as Int,
                        },
                        herm,
                    )
                };
                assert_eq!(res, Ok(()));
                let mut want = vec![c(0.0, 0.0); m * n];
                for j in 0..n {
                    for i in 0..m {
                        let mut sum = c(0.0, 0.0);
                        for l in 0..ka {
                            sum += if side == b'L' {
                                sym(&a, i, l) * b[l + j * m].to_c64()
                            } else {
                                b[i + l * m].to_c64() * sym(&a, l, j)
                            };
                        }
                        want[i + j * m] =
                            alpha.to_c64() * sum + beta.to_c64() * c0[i + j * m].to_c64();
                    }
                }
                let what = format!(
                    "{} {}symm side={} uplo={} m={m} n={n}",
                    std::any::type_name::<T>(),
                    if herm { "he/" } else { "" },
                    side as char,
                    uplo as char
                );
                assert_close(&got, &want, ka, &what);
            }
        }
    }
}

#[test]
fn symm_and_hemm_match_the_naive_product_past_the_depth_block() {
    symm_sweep::<f32>(9, false);
    symm_sweep::<f64>(10, false);
    symm_sweep::<C32>(11, false);
    symm_sweep::<C64>(12, false);
    symm_sweep::<C32>(13, true);
    symm_sweep::<C64>(14, true);
}

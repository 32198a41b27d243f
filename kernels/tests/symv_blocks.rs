//! SYMV/HEMV in full storage against a naive product, at orders past the column blocks that
//! `level2::symv` treats with the GEMV kernels (the reference BLAS testers stop at order 9).
//! The unstored triangle holds NaN: reading it would show.

mod common;

use common::*;
use kernels::level2::{self, Shape};
use kernels::scalar::{Complex, C64};

fn check<T: TestScalar>(herm: bool) {
    let mut r = Rng::new(if herm { 21 } else { 22 });
    for n in [1usize, 15, 16, 17, 40, 100] {
        for uplo in [b'U', b'L'] {
            let lda = n + 3;
            let mut a: Vec<T> = rand_vec(&mut r, lda * n);
            // The unstored triangle is never read.
            for j in 0..n {
                for i in 0..n {
                    let stored = if uplo == b'U' { i <= j } else { i >= j };
                    if !stored {
                        a[i + j * lda] = T::from_c64(c(f64::NAN, f64::NAN));
                    }
                }
            }
            let x: Vec<T> = rand_vec(&mut r, n);
            let y0: Vec<T> = rand_vec(&mut r, n);
            let (alpha, beta) = (T::random(&mut r), T::random(&mut r));
            // The full matrix the stored triangle stands for.
            let full = |i: usize, j: usize| -> C64 {
                let stored = if uplo == b'U' { i <= j } else { i >= j };
                let v = if stored {
                    a[i + j * lda]
                } else {
                    a[j + i * lda]
                }
                .to_c64();
                let v = if !stored && herm {
                    Complex::new(v.re, -v.im)
                } else {
                    v
                };
                if i == j && herm {
                    Complex::new(v.re, 0.0)
                } else {
                    v
                }
            };
            let want: Vec<C64> = (0..n)
                .map(|i| {
                    let mut sum = c(0.0, 0.0);
                    for (j, xj) in x.iter().enumerate() {
                        sum += full(i, j) * xj.to_c64();
                    }
                    alpha.to_c64() * sum + beta.to_c64() * y0[i].to_c64()
                })
                .collect();
            let mut y = y0.clone();
            let int = |v: usize| v as kernels::Int;
            // SAFETY: buffers sized for order n with leading dimension lda.
            let result = unsafe {
                level2::symv(
                    uplo,
                    int(n),
                    Shape::Full(lda),
                    0,
                    level2::MatVec {
                        alpha,
                        a: a.as_ptr(),
                        lda: int(lda),
                        x: x.as_ptr(),
                        incx: 1,
                        beta,
                        y: y.as_mut_ptr(),
                        incy: 1,
                    },
                    herm,
                    false,
                )
            };
            assert_eq!(result, Ok(()));
            let what = format!(
                "{}{} n={n} uplo={}",
                T::PREFIX,
                if herm { "hemv" } else { "symv" },
                uplo as char
            );
            assert_close(&y, &want, n, &what);
        }
    }
}

#[test]
fn symv_and_hemv_match_the_naive_product_across_column_blocks() {
    check::<f32>(false);
    check::<f64>(false);
    check::<kernels::scalar::C32>(false);
    check::<C64>(false);
    check::<kernels::scalar::C32>(true);
    check::<C64>(true);
}

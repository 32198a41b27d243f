//! Accuracy of the norms and sums on hard inputs, against values computed in higher precision:
//! one large element followed by many small ones, huge dynamic range, values near overflow and
//! underflow (subnormals), long random vectors, complex and strided variants.
//!
//! Bounds (ulps of the result's precision):
//! - `snrm2`, `scnrm2`, `sasum`, `scasum` (summed in double precision): at most 0.501 ulp,
//!   i.e. correctly rounded except in near-halfway cases.
//! - `dnrm2`, `dznrm2` (Blue's scaled sums, as the reference, over chunks of 1024 reals added
//!   with compensation): at most 32 ulps, the worst case being one large element followed by
//!   many small ones in the same chunk (29 ulps; the reference, a plain running sum, is about
//!   46,000 ulps off there); under 1 ulp on the other vectors.
//! - `dsdot`: within n * 2^-53 * sum |x_i y_i| (its products are exact); `sdsdot`: 0.501 ulp.
//!
//! Where Debian's reference BLAS (`libblas3`) is installed, the same vectors go through it too,
//! and ours must be at least as accurate (its error plus 0.5 ulp at most) on every one. Without
//! it that comparison prints SKIPPED, or fails when `BLASTOOL_REQUIRE_TOOLS=1` (CI).

mod common;

use common::Rng;
use kernels::scalar::{C32, C64};
use kernels::Int;
use std::ffi::{c_char, c_int, c_void, CString};

// ---- the exact values: double-double arithmetic ----------------------------------------------

/// An unevaluated sum hi + lo with |lo| <= ulp(hi)/2.
#[derive(Clone, Copy, Debug)]
struct Dd(f64, f64);

impl Dd {
    fn add(self, x: f64) -> Dd {
        // Knuth's two-sum of hi + x, then the low parts.
        let s = self.0 + x;
        let bb = s - self.0;
        let err = (self.0 - (s - bb)) + (x - bb);
        let lo = err + self.1;
        let hi = s + lo;
        Dd(hi, lo - (hi - s))
    }
    fn add_square(self, x: f64) -> Dd {
        let p = x * x;
        let e = x.mul_add(x, -p);
        self.add(p).add(e)
    }
    /// The square root, to about 2^-100 relative.
    fn sqrt(self) -> Dd {
        if self.0 <= 0.0 {
            return Dd(0.0, 0.0);
        }
        let s = self.0.sqrt();
        let r = (-s).mul_add(s, self.0) + self.1;
        let c = r / (2.0 * s);
        let hi = s + c;
        Dd(hi, c - (hi - s))
    }
}

/// sqrt(sum x_i^2) as double-double, scaled by a power of two so that neither the squares of
/// huge values overflow nor those of subnormals vanish: (value, exponent) with the true norm
/// equal to value * 2^exponent.
fn exact_norm(x: &[f64]) -> (Dd, i32) {
    let big = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if big == 0.0 {
        return (Dd(0.0, 0.0), 0);
    }
    let e = big.log2().floor() as i32;
    // Two steps, because 2^-e alone can be out of range for the extreme exponents.
    let scale = |v: f64| v * 2f64.powi(-e / 2) * 2f64.powi(-(e - e / 2));
    let mut s = Dd(0.0, 0.0);
    for &v in x {
        s = s.add_square(scale(v));
    }
    (s.sqrt(), e)
}

/// Sum of |x_i| in double-double.
fn exact_abs_sum(x: &[f64]) -> Dd {
    x.iter().fold(Dd(0.0, 0.0), |s, v| s.add(v.abs()))
}

/// |got - want| in ulps of got's precision (`digits` = 24 or 53) at the magnitude of `want`,
/// where want = w * 2^e.
/// Subnormal results count in the precision's smallest step (2^-149, 2^-1074), not in a
/// fraction of it.
fn ulps(got: f64, w: Dd, e: i32, digits: i32) -> f64 {
    let scaled = got * 2f64.powi(-e / 2) * 2f64.powi(-(e - e / 2));
    let diff = ((scaled - w.0) - w.1).abs();
    let smallest = if digits == 24 { -149 } else { -1074 };
    let exp = (w.0.abs().log2().floor() as i32 + e - digits + 1).max(smallest);
    diff / (2f64.powi((exp - e) / 2) * 2f64.powi((exp - e) - (exp - e) / 2))
}

// ---- the hard vectors ----------------------------------------------------------------------

/// Named test vectors in double precision (rounded to f32 for the single-precision routines).
fn vectors(single: bool) -> Vec<(&'static str, Vec<f64>)> {
    let mut r = Rng::new(7);
    let (huge, tiny) = if single {
        (1e38, 1e-41)
    } else {
        (1e307, 1e-310)
    };
    let mut v = vec![];
    let mut one_big = vec![1e4];
    one_big.extend(std::iter::repeat_n(1.0, 10_000));
    v.push(("[1e4, 10000 x 1]", one_big));
    let mut many_small = vec![1.0];
    many_small.extend(std::iter::repeat_n(3e-4, 200_000));
    v.push(("[1, 200000 x 3e-4]", many_small));
    v.push((
        "dynamic range 1e-30..1e30",
        (0..4001)
            .map(|i| 10f64.powf(-30.0 + 60.0 * i as f64 / 4000.0) * r.unit().signum())
            .collect(),
    ));
    v.push((
        "near overflow",
        (0..3)
            .map(|_| huge * (0.5 + r.unit().abs() / 4.0))
            .collect(),
    ));
    v.push(("subnormals", (0..1000).map(|_| tiny * r.unit()).collect()));
    v.push((
        "subnormals and one normal",
        std::iter::once(1e-20)
            .chain((0..1000).map(|_| tiny * r.unit()))
            .collect(),
    ));
    v.push(("random 1e5", (0..100_000).map(|_| r.unit()).collect()));
    v.push((
        "random mixed scales",
        (0..20_000)
            .map(|_| r.unit() * 2f64.powi(r.below(60) as i32 - 30))
            .collect(),
    ));
    if single {
        for (_, x) in v.iter_mut() {
            for e in x.iter_mut() {
                *e = *e as f32 as f64;
            }
        }
    }
    v
}

// ---- the routines, ours and the reference's -------------------------------------------------

/// A Fortran norm or sum: (n, x, incx) -> real result, in f64 for comparison.
type Routine = Box<dyn Fn(&[f64], usize, bool) -> f64>;

/// Our routine named `name` (snrm2, dnrm2, scnrm2, dznrm2, sasum, ...) over `x` viewed as
/// `len / per` elements with increment `inc` (negative when `neg`), in its own precision.
fn ours(name: &str) -> Routine {
    let name = name.to_string();
    Box::new(move |x: &[f64], inc: usize, neg: bool| {
        let single = name.starts_with('s');
        let complex = name.starts_with("sc") || name.starts_with("dz");
        let per = if complex { 2 } else { 1 };
        let n = x.len() / per;
        let incx = if neg { -(inc as Int) } else { inc as Int };
        // Lay the elements out with the increment (reals interleaved for complex).
        let spread = |x: &[f64]| -> Vec<f64> {
            let mut out = vec![0.0; (n.max(1) - 1) * inc * per + per];
            for i in 0..n {
                for p in 0..per {
                    out[i * inc * per + p] = x[i * per + p];
                }
            }
            out
        };
        let data = spread(x);
        // SAFETY: `data` holds n elements at increment inc of the routine's type.
        unsafe {
            if single {
                let d: Vec<f32> = data.iter().map(|&v| v as f32).collect();
                let p = d.as_ptr();
                f64::from(match name.as_str() {
                    "snrm2" => kernels::level1::nrm2::<f32>(n as Int, p, incx),
                    "scnrm2" => kernels::level1::nrm2::<C32>(n as Int, p as *const C32, incx),
                    "sasum" => kernels::level1::asum::<f32>(n as Int, p, incx),
                    "scasum" => kernels::level1::asum::<C32>(n as Int, p as *const C32, incx),
                    _ => unreachable!(),
                })
            } else {
                let p = data.as_ptr();
                match name.as_str() {
                    "dnrm2" => kernels::level1::nrm2::<f64>(n as Int, p, incx),
                    "dznrm2" => kernels::level1::nrm2::<C64>(n as Int, p as *const C64, incx),
                    _ => unreachable!(),
                }
            }
        }
    })
}

extern "C" {
    fn dlopen(file: *const c_char, mode: c_int) -> *mut c_void;
    fn dlsym(handle: *mut c_void, name: *const c_char) -> *mut c_void;
}
const RTLD_NOW: c_int = 2;
/// Debian's reference BLAS (package libblas3), not the `libblas.so.3` alternative.
const REFERENCE_BLAS: &str = "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3";

/// The reference BLAS's routine, through its Fortran ABI (32-bit integers), or None when the
/// library is not installed.
fn reference(name: &str) -> Option<Routine> {
    let lib = CString::new(REFERENCE_BLAS).unwrap();
    // SAFETY: dlopen of a real shared library path; RTLD_LOCAL by default.
    let h = unsafe { dlopen(lib.as_ptr(), RTLD_NOW) };
    if h.is_null() {
        return None;
    }
    let sym = CString::new(format!("{name}_")).unwrap();
    // SAFETY: h is a live handle.
    let f = unsafe { dlsym(h, sym.as_ptr()) };
    assert!(!f.is_null(), "{REFERENCE_BLAS} lacks {name}_");
    let single = name.starts_with('s');
    let complex = name.starts_with("sc") || name.starts_with("dz");
    Some(Box::new(move |x: &[f64], inc: usize, neg: bool| {
        let per = if complex { 2 } else { 1 };
        let n = (x.len() / per) as c_int;
        let mut data = vec![0.0f64; (n.max(1) as usize - 1) * inc * per + per];
        for i in 0..n as usize {
            for p in 0..per {
                data[i * inc * per + p] = x[i * per + p];
            }
        }
        let incx: c_int = if neg { -(inc as c_int) } else { inc as c_int };
        // SAFETY: Fortran ABI of ?nrm2/?asum: (const int*, const T*, const int*) -> real.
        unsafe {
            if single {
                let d: Vec<f32> = data.iter().map(|&v| v as f32).collect();
                let g: extern "C" fn(*const c_int, *const f32, *const c_int) -> f32 =
                    std::mem::transmute(f);
                f64::from(g(&n, d.as_ptr(), &incx))
            } else {
                let g: extern "C" fn(*const c_int, *const f64, *const c_int) -> f64 =
                    std::mem::transmute(f);
                g(&n, data.as_ptr(), &incx)
            }
        }
    }))
}

fn require_reference() -> bool {
    if std::path::Path::new(REFERENCE_BLAS).exists() {
        return true;
    }
    let msg = format!("the reference BLAS is not installed at {REFERENCE_BLAS} (libblas3)");
    if std::env::var("BLASTOOL_REQUIRE_TOOLS").is_ok_and(|v| v == "1") {
        panic!("{msg}, and BLASTOOL_REQUIRE_TOOLS=1");
    }
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "\nSKIPPED: {msg}: ours is checked against exact values only, not against it"
    );
    false
}

/// Every hard vector through routine `name`, contiguous, strided and backwards: error within
/// `bound` ulps, and (when available) no worse than the reference's error plus half an ulp.
fn check(name: &str, norm: bool, bound: f64, compare: bool) {
    let single = name.starts_with('s');
    let digits = if single { 24 } else { 53 };
    let mine = ours(name);
    let theirs = if compare { reference(name) } else { None };
    // A complex routine reads pairs: an odd last real is not part of its vector.
    let per = if name.starts_with("sc") || name.starts_with("dz") {
        2
    } else {
        1
    };
    for (what, mut x) in vectors(single) {
        x.truncate(x.len() / per * per);
        let (want, e) = if norm {
            exact_norm(&x)
        } else {
            (exact_abs_sum(&x), 0)
        };
        // Sums return zero for a negative increment (reference semantics): forwards only.
        let incs: &[(usize, bool)] = if norm {
            &[(1, false), (3, false), (2, true)]
        } else {
            &[(1, false), (3, false)]
        };
        for &(inc, neg) in incs {
            let got = mine(&x, inc, neg);
            let err = ulps(got, want, e, digits);
            assert!(
                err <= bound,
                "{name} on {what} (incx {}{inc}): {got:e} is {err:.3} ulps from the exact value, \
                 bound {bound}",
                if neg { "-" } else { "" }
            );
            if let Some(reference) = &theirs {
                let theirs_got = reference(&x, inc, neg);
                let theirs_err = ulps(theirs_got, want, e, digits);
                assert!(
                    err <= theirs_err + 0.5,
                    "{name} on {what}: ours is {err:.3} ulps off, the reference BLAS {theirs_err:.3}"
                );
                if inc == 1 {
                    println!("{name:7} {what:28} ours {err:8.3} ulps, reference {theirs_err:12.3}");
                }
            }
        }
    }
}

#[test]
fn snrm2_of_one_large_and_many_ones_is_within_a_hundredth() {
    // The case a numerical library's test suite found: 1e4 followed by 10,000 ones.
    let mut x = vec![1e4f32];
    x.extend(std::iter::repeat_n(1.0f32, 10_000));
    // SAFETY: x holds the elements passed.
    let got = unsafe { kernels::level1::nrm2::<f32>(x.len() as Int, x.as_ptr(), 1) };
    let exact = (1e8f64 + 1e4).sqrt();
    assert!(
        (f64::from(got) - exact).abs() <= 0.01,
        "snrm2 = {got}, exact {exact}"
    );
}

#[test]
fn single_precision_norms_and_sums_are_correctly_rounded() {
    let compare = require_reference();
    for name in ["snrm2", "scnrm2"] {
        check(name, true, 0.501, compare);
    }
    for name in ["sasum", "scasum"] {
        check(name, false, 0.501, compare);
    }
}

#[test]
fn double_precision_norms_are_within_32_ulps() {
    let compare = require_reference();
    for name in ["dnrm2", "dznrm2"] {
        check(name, true, 32.0, compare);
    }
}

#[test]
fn dsdot_and_sdsdot_accumulate_in_double() {
    let mut r = Rng::new(9);
    for n in [1usize, 7, 1000, 100_000] {
        let x: Vec<f32> = (0..n).map(|_| (r.unit() * 1e3) as f32).collect();
        let y: Vec<f32> = (0..n).map(|_| (r.unit() * 1e-3) as f32).collect();
        let exact = x.iter().zip(&y).fold(Dd(0.0, 0.0), |s, (&a, &b)| {
            let p = f64::from(a) * f64::from(b); // exact: 24 + 24 bits
            s.add(p)
        });
        let mass: f64 = x
            .iter()
            .zip(&y)
            .map(|(&a, &b)| (f64::from(a) * f64::from(b)).abs())
            .sum();
        // SAFETY: x and y hold n elements.
        let (d, s) = unsafe {
            (
                kernels::level1::dot_f64acc(n as Int, x.as_ptr(), 1, y.as_ptr(), 1),
                (0.25f64 + kernels::level1::dot_f64acc(n as Int, x.as_ptr(), 1, y.as_ptr(), 1))
                    as f32,
            )
        };
        let bound = n as f64 * 2f64.powi(-53) * mass;
        assert!(
            ((d - exact.0) - exact.1).abs() <= bound,
            "dsdot n={n}: {d:e} vs exact {:e} (bound {bound:e})",
            exact.0
        );
        // Rounded once from a double sum: half an ulp plus the double sum's own bound.
        let want = exact.add(0.25);
        let e = ulps(f64::from(s), want, 0, 24);
        let slack = ulps(want.0 + bound, want, 0, 24);
        assert!(e <= 0.501 + slack, "sdsdot n={n}: {e} ulps (slack {slack})");
    }
}

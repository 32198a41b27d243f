//! Test helpers shared by the kernels' integration tests: a small deterministic PRNG (the crate
//! has no dependencies, not even for tests), random scalars and tolerance checks.
#![allow(dead_code)]

use kernels::gemm::{KernelSet, Ukr};
use kernels::scalar::{Complex, Scalar, C32, C64};

/// xorshift64*: deterministic, good enough to fill test matrices.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Element types the tests sweep, with conversions to and from double complex.
pub trait TestScalar: Scalar {
    /// Relative tolerance per accumulated term.
    const EPS: f64;
    fn random(r: &mut Rng) -> Self;
    fn to_c64(self) -> C64;
    fn from_c64(v: C64) -> Self;
}

impl TestScalar for f32 {
    const EPS: f64 = 1e-5;
    fn random(r: &mut Rng) -> Self {
        r.unit() as f32
    }
    fn to_c64(self) -> C64 {
        Complex::new(self as f64, 0.0)
    }
    fn from_c64(v: C64) -> Self {
        v.re as f32
    }
}
impl TestScalar for f64 {
    const EPS: f64 = 1e-13;
    fn random(r: &mut Rng) -> Self {
        r.unit()
    }
    fn to_c64(self) -> C64 {
        Complex::new(self, 0.0)
    }
    fn from_c64(v: C64) -> Self {
        v.re
    }
}
impl TestScalar for C32 {
    const EPS: f64 = 1e-5;
    fn random(r: &mut Rng) -> Self {
        Complex::new(r.unit() as f32, r.unit() as f32)
    }
    fn to_c64(self) -> C64 {
        Complex::new(self.re as f64, self.im as f64)
    }
    fn from_c64(v: C64) -> Self {
        Complex::new(v.re as f32, v.im as f32)
    }
}
impl TestScalar for C64 {
    const EPS: f64 = 1e-13;
    fn random(r: &mut Rng) -> Self {
        Complex::new(r.unit(), r.unit())
    }
    fn to_c64(self) -> C64 {
        self
    }
    fn from_c64(v: C64) -> Self {
        v
    }
}

pub fn rand_vec<T: TestScalar>(r: &mut Rng, n: usize) -> Vec<T> {
    (0..n).map(|_| T::random(r)).collect()
}

/// |got - want| <= tol * (1 + |want|) element-wise, with a readable failure message.
pub fn assert_close<T: TestScalar>(got: &[T], want: &[C64], terms: usize, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let tol = T::EPS * (terms as f64 + 4.0) * 4.0;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let g = g.to_c64();
        let d = ((g.re - w.re).powi(2) + (g.im - w.im).powi(2)).sqrt();
        let s = 1.0 + (w.re * w.re + w.im * w.im).sqrt();
        assert!(
            d <= tol * s,
            "{what}: element {i}: got {g:?}, want {w:?} (diff {d:e}, tol {:e})",
            tol * s
        );
    }
}

/// Bit pattern of an element, for exact comparison (NaN payloads included). Widening f32 to f64
/// is exact, so equal f64 bits mean equal f32 bits.
pub fn bits<T: TestScalar>(v: T) -> (u64, u64) {
    let c = v.to_c64();
    (c.re.to_bits(), c.im.to_bits())
}

/// `bits`, with every NaN part as one value: IEEE 754 leaves a NaN result's sign and payload
/// open, and a lane of a vector `fmaddsub` and the scalar fused operation standing for it pick
/// differently. For results where only "NaN or not" is specified.
pub fn value_bits<T: TestScalar>(v: T) -> (u64, u64) {
    let c = v.to_c64();
    let one = |x: f64| {
        if x.is_nan() {
            f64::NAN.to_bits()
        } else {
            x.to_bits()
        }
    };
    (one(c.re), one(c.im))
}

pub fn c(re: f64, im: f64) -> C64 {
    Complex::new(re, im)
}

/// A visible skip: written to the stderr handle, because libtest captures `println!` and
/// `eprintln!` of passing tests.
pub fn skipped(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\nSKIPPED: {message}");
}

/// The microkernel table `name` when this build has it and this CPU can run it; otherwise a
/// SKIPPED line saying why and that `unchecked` was not checked.
pub fn runnable_table(name: &str, unchecked: &str) -> Option<&'static KernelSet> {
    let tables = kernels::arch::tables();
    let Some(&(set, ok)) = tables.iter().find(|(s, _)| s.name == name) else {
        skipped(&format!(
            "{name} microkernels are not compiled for this architecture: {unchecked} NOT checked"
        ));
        return None;
    };
    if !ok {
        skipped(&format!(
            "{name} microkernels: this CPU lacks the required ISA: {unchecked} NOT checked"
        ));
        return None;
    }
    Some(set)
}

/// `u` with tiny cache blocks (MC = 2 MR, KC = 5, NC = 2 NR): every loop of the GEMM framework
/// iterates and leaves partial blocks even on small matrices.
pub fn with_small_blocks<T>(u: Ukr<T>) -> Ukr<T> {
    Ukr {
        mc: 2 * u.mr,
        kc: 5,
        nc: 2 * u.nr,
        ..u
    }
}

//! GENERIC microkernels: portable Rust for every element type (the reference set that every
//! other table is tested against), and the GENERIC table.

use super::{KernelSet, Ukr};
use crate::scalar::{Scalar, C32, C64};

/// Portable MR x NR microkernel; the fixed-size accumulator lets the compiler keep it in
/// registers and vectorise for the baseline ISA.
///
/// # Safety
/// See `UkrFn` for the operands.
#[allow(clippy::too_many_arguments)]
pub unsafe fn ukr_generic<T: Scalar, const MR: usize, const NR: usize>(
    k: usize,
    a: *const T,
    sa: usize,
    b: *const T,
    rsb: usize,
    csb: usize,
    c: *mut T,
    ldc: usize,
    alpha: T,
    beta: T,
    _next_b: *const T,
) {
    let mut acc = [[T::zero(); MR]; NR];
    for l in 0..k {
        // SAFETY: operand extents per the contract above.
        let ap = unsafe { std::slice::from_raw_parts(a.add(l * sa), MR) };
        let mut bp = [T::zero(); NR];
        for (j, v) in bp.iter_mut().enumerate() {
            // SAFETY: as above.
            *v = unsafe { *b.add(l * rsb + j * csb) };
        }
        for (col, &bj) in acc.iter_mut().zip(&bp) {
            for (c, &ai) in col.iter_mut().zip(ap) {
                *c += ai * bj;
            }
        }
    }
    for (j, col) in acc.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            // SAFETY: C holds a full MR x NR tile.
            unsafe {
                let p = c.add(i + j * ldc);
                *p = if beta.is_zero() {
                    alpha * v
                } else {
                    alpha * v + beta * *p
                };
            }
        }
    }
}

/// A GENERIC table entry: `ukr_generic` on an MR x NR tile, its tiny twin `plain`, and the
/// block sizes every GENERIC entry shares but MC.
const fn entry<T: Scalar, const MR: usize, const NR: usize>(
    name: &'static str,
    mc: usize,
) -> Ukr<T> {
    Ukr {
        name,
        mr: MR,
        nr: NR,
        mc,
        kc: 256,
        nc: 4096,
        func: ukr_generic::<T, MR, NR>,
        tiny: super::tiny::plain::<T>,
        edge: None,
        column: None,
    }
}

/// The GENERIC table.
pub static GENERIC: KernelSet = KernelSet {
    name: "GENERIC",
    s: entry::<f32, 8, 4>("sgemm_generic_8x4", 128),
    d: entry::<f64, 4, 4>("dgemm_generic_4x4", 96),
    c: entry::<C32, 4, 2>("cgemm_generic_4x2", 64),
    z: entry::<C64, 2, 2>("zgemm_generic_2x2", 64),
};

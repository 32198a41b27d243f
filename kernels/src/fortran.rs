//! The Fortran-77 ABI: `sgemm_`-style symbols, every argument by reference, hidden CHARACTER
//! lengths (trailing `size_t`s that the C calling convention lets us ignore), errors through
//! `xerbla_` with the reference routine name and argument position.
//!
//! The exported functions are generated from the interface table (`kernels/interface/table.rs`)
//! by `build.rs` and included at the end: each dereferences its arguments and calls the kernel
//! directly (Fortran has no layout to handle), reporting its argument errors through `report`.
//!
//! Every exported function follows the BLAS contract (valid pointers for the sizes given); that
//! is the safety condition of each `unsafe extern "C"` below.
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

use crate::cblas::{band, full};
use crate::extensions as ext;
use crate::level1 as l1;
use crate::level2::{self as l2, Shape};
use crate::level3 as l3;
use crate::scalar::{Complex, C32, C64};
use crate::xerbla::fortran_error;
use crate::Int;
use std::ffi::c_char;

#[inline(always)]
unsafe fn ch(p: *const c_char) -> u8 {
    // SAFETY: Fortran passes a CHARACTER of length >= 1.
    unsafe { *p as u8 }
}

fn report(name: &str, r: l2::Res) {
    if let Err(info) = r {
        fortran_error(name, info);
    }
}

// The exported `dgemm_`-style functions, one per routine and precision of the table.
include!(concat!(env!("OUT_DIR"), "/fortran_wrappers.rs"));

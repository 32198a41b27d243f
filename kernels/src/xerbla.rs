//! Error reporting with the reference semantics: `xerbla_` (Fortran API), `cblas_xerbla` (CBLAS
//! API), both overridable by the program, and the `RowMajorStrg`/`CBLAS_CallFromC` globals.
//!
//! Overriding: a program (the reference testers do) defines its own `xerbla_`/`cblas_xerbla`.
//! Our defaults are therefore *weak* symbols (defined in assembly, since Rust has no stable weak
//! linkage): in the static library the program's strong definition wins at link time, and in the
//! shared library the executable's definition interposes ours. Our routines always call the
//! handlers through the undefined-symbol path (`extern` block), i.e. through the PLT, so that
//! interposition actually reaches them.

use crate::Int;
use std::ffi::{c_char, c_int, CStr};

/// Reference CBLAS global: 1 while a row-major CBLAS call is checking its arguments, so that a
/// program's `cblas_xerbla` can map argument positions back (see `remap_row_major`).
#[export_name = blas_symbol!("RowMajorStrg")]
#[allow(non_upper_case_globals)]
pub static mut RowMajorStrg: c_int = 0;

/// Reference CBLAS global: 1 while a CBLAS routine runs, so that `xerbla_` knows it was reached
/// from C and forwards to `cblas_xerbla`.
#[export_name = blas_symbol!("CBLAS_CallFromC")]
#[allow(non_upper_case_globals)]
pub static mut CBLAS_CallFromC: c_int = 0;

extern "C" {
    // Resolved at run time to the program's definition when it has one (see module docs).
    #[link_name = blas_symbol!("xerbla_")]
    fn xerbla_(srname: *const c_char, info: *const Int, len: usize);
    #[link_name = blas_symbol!("cblas_xerbla")]
    fn cblas_xerbla(info: Int, rout: *const c_char, form: *const c_char, ...);
}

#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
std::arch::global_asm!(
    concat!(".weak ", blas_symbol!("xerbla_")),
    concat!(".type ", blas_symbol!("xerbla_"), ", @function"),
    concat!(blas_symbol!("xerbla_"), ":"),
    "jmp {xerbla}",
    concat!(".size ", blas_symbol!("xerbla_"), ", . - ", blas_symbol!("xerbla_")),
    concat!(".weak ", blas_symbol!("cblas_xerbla")),
    concat!(".type ", blas_symbol!("cblas_xerbla"), ", @function"),
    concat!(blas_symbol!("cblas_xerbla"), ":"),
    "jmp {cblas}",
    concat!(".size ", blas_symbol!("cblas_xerbla"), ", . - ", blas_symbol!("cblas_xerbla")),
    xerbla = sym blastool_xerbla_default,
    cblas = sym blastool_cblas_xerbla_default,
);

// Elsewhere there is no portable weak linkage on stable Rust: export strong definitions.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
mod strong {
    use super::*;
    #[export_name = blas_symbol!("xerbla_")]
    pub unsafe extern "C" fn xerbla_(srname: *const c_char, info: *const Int, len: usize) {
        blastool_xerbla_default(srname, info, len)
    }
    #[export_name = blas_symbol!("cblas_xerbla")]
    pub unsafe extern "C" fn cblas_xerbla(info: Int, rout: *const c_char, form: *const c_char) {
        blastool_cblas_xerbla_default(info, rout, form)
    }
}

/// The default `xerbla_`: the reference prints the message and executes Fortran `STOP`, which
/// ends the program with status 0 after printing to standard output.
///
/// # Safety
/// `srname` must point to `len` readable bytes and `info` to an integer.
#[export_name = blas_symbol!("blastool_xerbla_default")]
pub unsafe extern "C" fn blastool_xerbla_default(
    srname: *const c_char,
    info: *const Int,
    len: usize,
) {
    // SAFETY: the caller passes the Fortran CHARACTER buffer and its hidden length.
    let bytes = unsafe { std::slice::from_raw_parts(srname as *const u8, len) };
    let name = String::from_utf8_lossy(bytes);
    // SAFETY: `info` is the INTEGER passed by reference.
    let info = unsafe { *info };
    if unsafe { CBLAS_CallFromC } != 0 {
        // Reference CBLAS's xerbla_: a Fortran routine reached from C reports through
        // cblas_xerbla with "cblas_" + lower-case name, one more argument (the layout).
        let rout = format!("cblas_{}\0", name.trim_end().to_lowercase());
        // SAFETY: NUL-terminated strings outlive the call.
        unsafe { cblas_xerbla(info + 1, rout.as_ptr() as *const c_char, c"".as_ptr()) };
        return;
    }
    println!(
        " ** On entry to {} parameter number {:2} had an illegal value",
        name.trim_end(),
        info
    );
    std::process::exit(0);
}

/// The default `cblas_xerbla`: the reference prints to standard error and exits with -1. The
/// format string's variadic arguments are not formatted (Rust cannot define C-variadic functions
/// on stable); the message names the routine and the argument.
///
/// # Safety
/// `rout` must be a NUL-terminated string.
#[export_name = blas_symbol!("blastool_cblas_xerbla_default")]
pub unsafe extern "C" fn blastool_cblas_xerbla_default(
    info: Int,
    rout: *const c_char,
    _form: *const c_char,
) {
    // SAFETY: the caller passes a NUL-terminated routine name.
    let name = unsafe { CStr::from_ptr(rout) }
        .to_string_lossy()
        .into_owned();
    let mut info = info;
    if unsafe { RowMajorStrg } != 0 {
        info = remap_row_major(&name, info);
    }
    if info != 0 {
        eprintln!("Parameter {info} to routine {name} was incorrect");
    }
    std::process::exit(-1);
}

/// For row-major calls, the reference CBLAS checks arguments of the swapped column-major call;
/// this maps the position back to the caller's argument list (same table as the reference).
pub fn remap_row_major(rout: &str, info: Int) -> Int {
    let swap = |pairs: &[(Int, Int)]| {
        for &(a, b) in pairs {
            if info == a {
                return b;
            }
            if info == b {
                return a;
            }
        }
        info
    };
    if rout.contains("gemm") {
        swap(&[(4, 5), (9, 11)])
    } else if rout.contains("symm") || rout.contains("hemm") {
        swap(&[(4, 5)])
    } else if rout.contains("trmm") || rout.contains("trsm") {
        swap(&[(6, 7)])
    } else if rout.contains("gemv") {
        swap(&[(3, 4)])
    } else if rout.contains("gbmv") {
        swap(&[(3, 4), (5, 6)])
    } else if rout.contains("ger") {
        swap(&[(2, 3), (6, 8)])
    } else if (rout.contains("her2") || rout.contains("hpr2")) && !rout.contains("her2k") {
        swap(&[(6, 8)])
    } else {
        info
    }
}

/// Reference `XERBLA_ARRAY`: `xerbla_` for callers (e.g. from C) holding the name as a plain
/// character array of length `len`.
///
/// # Safety
/// `srname` must point to `len` readable bytes (when `len > 0`).
#[export_name = blas_symbol!("xerbla_array_")]
pub unsafe extern "C" fn xerbla_array_(srname: *const c_char, len: *const Int, info: *const Int) {
    // SAFETY: caller's contract; the reference copies at most 32 characters.
    let n = (unsafe { *len }).clamp(0, 32) as usize;
    let mut buf = [b' '; 32];
    for (i, b) in buf.iter_mut().enumerate().take(n) {
        *b = unsafe { *srname.add(i) } as u8;
    }
    let used = buf.iter().rposition(|&c| c != b' ').map_or(0, |p| p + 1);
    // SAFETY: buffer and integer outlive the call.
    unsafe { xerbla_(buf.as_ptr() as *const c_char, info, used.max(1)) };
}

/// Reference `LSAME`: case-insensitive comparison of two characters (Fortran LOGICAL result).
///
/// # Safety
/// Both pointers must point to a readable character.
#[export_name = blas_symbol!("lsame_")]
pub unsafe extern "C" fn lsame_(ca: *const c_char, cb: *const c_char) -> Int {
    // SAFETY: caller's contract.
    let (a, b) = unsafe { (*ca as u8, *cb as u8) };
    Int::from(a.eq_ignore_ascii_case(&b))
}

/// Report an invalid argument of a Fortran-API routine: `name` is the upper-case routine name
/// without prefix padding (e.g. "DGEMM"), padded to 6 characters as the reference passes it;
/// the longer names of the extensions ("DGEMM_BATCH_STRIDED") are passed whole.
pub fn fortran_error(name: &str, info: i32) {
    let mut buf = [b' '; 32];
    for (d, s) in buf.iter_mut().zip(name.bytes()) {
        *d = s;
    }
    let len = name.len().clamp(6, buf.len());
    let info = Int::from(info);
    // SAFETY: buffer and integer outlive the call; the length is passed as the hidden argument.
    unsafe { xerbla_(buf.as_ptr() as *const c_char, &info, len) };
}

/// Report an invalid argument of a CBLAS routine (`rout` like "cblas_dgemm").
pub fn cblas_error(rout: &str, info: i32) {
    let name = format!("{rout}\0");
    // SAFETY: NUL-terminated strings outlive the call.
    unsafe {
        cblas_xerbla(
            Int::from(info),
            name.as_ptr() as *const c_char,
            c"".as_ptr(),
        )
    };
}

/// Sets the reference globals for the duration of one CBLAS call and clears them on drop,
/// exactly as the reference wrappers do around their argument checks.
pub struct CblasCall;

impl CblasCall {
    pub fn enter(row_major: bool) -> Self {
        // SAFETY: plain integer stores; the reference has the same unsynchronised globals.
        unsafe {
            CBLAS_CallFromC = 1;
            RowMajorStrg = c_int::from(row_major);
        }
        CblasCall
    }
    /// Mark the call as row-major (after the layout argument has been decoded).
    pub fn set_row_major(&self) {
        // SAFETY: see `enter`.
        unsafe { RowMajorStrg = 1 };
    }
}

impl Drop for CblasCall {
    fn drop(&mut self) {
        // SAFETY: see `enter`.
        unsafe {
            CBLAS_CallFromC = 0;
            RowMajorStrg = 0;
        }
    }
}

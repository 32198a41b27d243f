//! The CBLAS ABI (`cblas_*`): layout/enum decoding, row-major calls expressed as column-major
//! ones (as the reference CBLAS does, so that error positions match its swapped calls), errors
//! through `cblas_xerbla` while `RowMajorStrg`/`CBLAS_CallFromC` are set.
//!
//! The exported functions are generated from the interface table (`kernels/interface/table.rs`)
//! by `build.rs` and included at the end; this module owns what they call: the per-family
//! bodies below, which decode the layout and the enums and express a row-major call as the
//! column-major one the reference CBLAS makes.
//!
//! Every exported function follows the BLAS contract (valid pointers for the sizes given); that
//! is the safety condition of each `unsafe extern "C"` below.
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

use crate::extensions as ext;
use crate::gemm::GemmScalar;
use crate::level1 as l1;
use crate::level2::{self as l2, MatVec, RankOne, Shape, SymUpdate, TriVec};
use crate::level3::{self as l3, Operands, RankK, Triangular};
use crate::scalar::{Complex, Scalar, C32, C64};
use crate::xerbla::{cblas_error, CblasCall};
use crate::Int;
use std::ffi::{c_int, c_void};

const ROW: c_int = 101;
const COL: c_int = 102;

/// The character an enum value stands for in `pairs`.
fn lookup(v: c_int, pairs: &[(c_int, u8)]) -> Option<u8> {
    pairs.iter().find(|(k, _)| *k == v).map(|(_, c)| *c)
}

/// Decode an enum argument or report it at position `pos`.
fn dec(v: c_int, pairs: &[(c_int, u8)], name: &str, pos: i32) -> Option<u8> {
    let r = lookup(v, pairs);
    if r.is_none() {
        cblas_error(name, pos);
    }
    r
}
const TRANS: [(c_int, u8); 3] = [(111, b'N'), (112, b'T'), (113, b'C')];
const UPLO: [(c_int, u8); 2] = [(121, b'U'), (122, b'L')];
const DIAG: [(c_int, u8); 2] = [(131, b'N'), (132, b'U')];
const SIDE: [(c_int, u8); 2] = [(141, b'L'), (142, b'R')];

fn flip_uplo(u: u8) -> u8 {
    if u == b'U' {
        b'L'
    } else {
        b'U'
    }
}
fn flip_side(s: u8) -> u8 {
    if s == b'L' {
        b'R'
    } else {
        b'L'
    }
}

/// Start a CBLAS call: set `CBLAS_CallFromC` (and `RowMajorStrg` for row-major) as the
/// reference does before any check, then decode the layout or report position 1.
#[inline(always)]
fn enter(order: c_int, name: &str) -> Option<(bool, CblasCall)> {
    let guard = CblasCall::enter(false);
    match order {
        ROW => {
            guard.set_row_major();
            Some((true, guard))
        }
        COL => Some((false, guard)),
        _ => {
            cblas_error(name, 1);
            None
        }
    }
}

/// `enter`, then decode the options that follow the layout (positions 2, 3, ...), reporting
/// the first invalid one: every family body starts this way. Inlined: passed by reference to an
/// outlined copy, the options array (built with narrow stores, read back with one wide load)
/// stalled on store forwarding, a quarter of a 2 x 2 dgemm call's time on Sapphire Rapids.
/// The decoded bytes are gathered in one integer for the same reason: stored one byte at a time
/// into an array and read back two at once, they stalled a small dgemm call again.
#[inline(always)]
fn begin<const N: usize>(
    name: &str,
    order: c_int,
    options: [(c_int, &[(c_int, u8)]); N],
) -> Option<(bool, CblasCall, [u8; N])> {
    const { assert!(N <= 8, "at most 8 options fit the gathered integer") };
    let (row, guard) = enter(order, name)?;
    let mut gathered = 0u64;
    for (position, (value, pairs)) in (2..).zip(options) {
        let shift = 8 * (position - 2) as u32;
        gathered |= u64::from(dec(value, pairs, name, position)?) << shift;
    }
    let bytes = gathered.to_le_bytes();
    Some((row, guard, std::array::from_fn(|i| bytes[i])))
}

/// A family body: `begin`, then `call` with the layout (row-major or not) and the decoded
/// options, its error reported as that of the column-major call it makes.
fn decode_and_call<const N: usize>(
    name: &str,
    order: c_int,
    options: [(c_int, &[(c_int, u8)]); N],
    call: impl FnOnce(bool, [u8; N]) -> l2::Res,
) {
    // The guard keeps the reference's globals set until the call has returned.
    if let Some((row, _guard, decoded)) = begin(name, order, options) {
        report(name, call(row, decoded));
    }
}

/// Report a column-major-call error: the CBLAS list has the layout first, hence +1.
fn report(name: &str, r: l2::Res) {
    if let Err(info) = r {
        cblas_error(name, info + 1);
    }
}

/// The arguments of the column-major call a CBLAS call makes: `args` as given for column-major,
/// `transpose(args)` (the same operation on the transposed matrices, which a row-major matrix
/// is when read column-major) for row-major.
fn column_major<A>(row: bool, args: A, transpose: impl FnOnce(A) -> A) -> A {
    if row {
        transpose(args)
    } else {
        args
    }
}

/// Row-major op(A) on the column-major view A^T: N <-> T, and C becomes "N of conj(A)".
fn row_trans(t: u8) -> (u8, bool) {
    match t {
        b'N' => (b'T', false),
        b'T' => (b'N', false),
        _ => (b'N', true),
    }
}

// ---- generic bodies (one per operation family), called by the generated wrappers ----

pub unsafe fn gemv<T: Scalar>(
    name: &str,
    order: c_int,
    trans: c_int,
    m: Int,
    n: Int,
    band: Option<(Int, Int)>,
    p: MatVec<T>,
) {
    decode_and_call(name, order, [(trans, &TRANS)], |row, [t]| {
        // Row-major: op(A) of the column-major A^T, which is n x m with the band widths exchanged.
        let (t, m, n, band, cj) =
            column_major(row, (t, m, n, band, false), |(t, m, n, band, _)| {
                let (t2, cj) = row_trans(t);
                (t2, n, m, band.map(|(kl, ku)| (ku, kl)), cj)
            });
        unsafe { l2::gemv(t, m, n, band, p, cj) }
    });
}

pub unsafe fn symv<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    n: Int,
    shape: Shape,
    k: Int,
    p: MatVec<T>,
    herm: bool,
) {
    decode_and_call(name, order, [(uplo, &UPLO)], |row, [u]| {
        // Row-major: the stored triangle read column-major is the other triangle of A^T = conj(A).
        let (u, cj) = column_major(row, (u, false), |(u, _)| (flip_uplo(u), herm));
        unsafe { l2::symv(u, n, shape, k, p, herm, cj) }
    });
}

pub unsafe fn trmv<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    trans: c_int,
    diag: c_int,
    n: Int,
    shape: Shape,
    k: Int,
    p: TriVec<T>,
    solve: bool,
) {
    decode_and_call(
        name,
        order,
        [(uplo, &UPLO), (trans, &TRANS), (diag, &DIAG)],
        |row, [u, t, d]| {
            let (u, t, cj) = column_major(row, (u, t, false), |(u, t, _)| {
                let (t2, cj) = row_trans(t);
                (flip_uplo(u), t2, cj)
            });
            unsafe { l2::trmv(u, t, d, n, shape, k, p, solve, cj) }
        },
    );
}

pub unsafe fn ger<T: Scalar>(
    name: &str,
    order: c_int,
    m: Int,
    n: Int,
    p: RankOne<T>,
    conj_x: bool,
    conj_y: bool,
) {
    decode_and_call(name, order, [], |row, []| {
        // Row-major: A^T += alpha * op(y) * op(x)^T.
        let (m, n, p, conj_x, conj_y) = column_major(
            row,
            (m, n, p, conj_x, conj_y),
            |(m, n, p, conj_x, conj_y)| (n, m, p.swapped(), conj_y, conj_x),
        );
        unsafe { l2::ger(m, n, p, conj_x, conj_y) }
    });
}

pub unsafe fn syr<T: Scalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    n: Int,
    p: SymUpdate<T>,
    shape: Shape,
    herm: bool,
) {
    decode_and_call(name, order, [(uplo, &UPLO)], |row, [u]| {
        let (u, p, cj) = match (row, p.y) {
            (false, _) => (u, p, false),
            // A^T = conj(A): update with conjugated vectors; for her2 also swap x and y, as the
            // reference does (the testers' error positions depend on it).
            (true, Some((y, incy))) if herm => {
                let swapped = SymUpdate {
                    x: y,
                    incx: incy,
                    y: Some((p.x, p.incx)),
                    ..p
                };
                (flip_uplo(u), swapped, true)
            }
            (true, _) => (flip_uplo(u), p, herm),
        };
        unsafe { l2::syr(u, n, p, shape, herm, cj) }
    });
}

pub unsafe fn gemm<T: GemmScalar>(
    name: &str,
    order: c_int,
    ta: c_int,
    tb: c_int,
    m: Int,
    n: Int,
    k: Int,
    p: Operands<T>,
) {
    decode_and_call(
        name,
        order,
        [(ta, &TRANS), (tb, &TRANS)],
        |row, [ta, tb]| {
            let (ta, tb, m, n, p) = column_major(row, (ta, tb, m, n, p), |(ta, tb, m, n, p)| {
                (tb, ta, n, m, p.swapped())
            });
            unsafe { l3::gemm_api(ta, tb, m, n, k, p) }
        },
    );
}

pub unsafe fn symm<T: GemmScalar>(
    name: &str,
    order: c_int,
    side: c_int,
    uplo: c_int,
    m: Int,
    n: Int,
    p: Operands<T>,
    herm: bool,
) {
    decode_and_call(
        name,
        order,
        [(side, &SIDE), (uplo, &UPLO)],
        |row, [s, u]| {
            // Row-major: C^T := alpha B^T A^T, A^T = A (A^H = A), the stored triangle the other one.
            let (s, u, m, n) = column_major(row, (s, u, m, n), |(s, u, m, n)| {
                (flip_side(s), flip_uplo(u), n, m)
            });
            unsafe { l3::symm(s, u, m, n, p, herm) }
        },
    );
}

pub unsafe fn syrk<T: GemmScalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    trans: c_int,
    p: RankK<T>,
    herm: bool,
) {
    decode_and_call(
        name,
        order,
        [(uplo, &UPLO), (trans, &TRANS)],
        |row, [u, t]| {
            let (u, t, p) = column_major(row, (u, t, p), |(u, t, p)| {
                // C^T = op(A)^T-style product with the transposition flipped; for her2k the two terms
                // swap roles, which conjugates alpha.
                let t2 = match t {
                    b'N' if herm => b'C',
                    b'N' => b'T',
                    // Invalid for the complex variant: pass it on so the check reports position 3.
                    b'T' if herm => b'T',
                    b'C' if T::IS_COMPLEX && !herm => b'C',
                    _ => b'N',
                };
                let alpha = if p.b.is_some() {
                    p.alpha.conj_if(herm)
                } else {
                    p.alpha
                };
                (flip_uplo(u), t2, RankK { alpha, ..p })
            });
            unsafe { l3::syrk(u, t, p, herm) }
        },
    );
}

pub unsafe fn trmm<T: GemmScalar>(
    name: &str,
    order: c_int,
    side: c_int,
    uplo: c_int,
    ta: c_int,
    diag: c_int,
    p: Triangular<T>,
    solve: bool,
) {
    decode_and_call(
        name,
        order,
        [(side, &SIDE), (uplo, &UPLO), (ta, &TRANS), (diag, &DIAG)],
        |row, [s, u, t, d]| {
            // Row-major: B^T is n x m and op(A) multiplies it from the other side.
            let (s, u, p) = column_major(row, (s, u, p), |(s, u, p)| {
                let (m, n) = (p.n, p.m);
                (flip_side(s), flip_uplo(u), Triangular { m, n, ..p })
            });
            unsafe { l3::trmm(s, u, t, d, p, solve) }
        },
    );
}

/// The shape of a full matrix with leading dimension `lda` (a negative one is the kernels' to
/// report, so it becomes 0 here).
pub(crate) fn full(lda: Int) -> Shape {
    Shape::Full(lda.max(0) as usize)
}
/// The shape of a band matrix with leading dimension `lda` and `k` off-diagonals.
pub(crate) fn band(lda: Int, k: Int) -> Shape {
    Shape::Band(lda.max(0) as usize, k.max(0) as usize)
}

/// CBLAS_INDEX of the reference: the 0-based position, 0 for an empty vector.
fn index(i: Int) -> usize {
    if i > 0 {
        (i - 1) as usize
    } else {
        0
    }
}

/// # Safety
/// `p` points to a complex number of type `T`.
unsafe fn deref<T: Copy>(p: *const c_void) -> T {
    // SAFETY: CBLAS passes complex scalars by address.
    unsafe { *(p as *const T) }
}

/// `cblas_?gemmtr`/`cblas_?gemmt`: row-major is the column-major product of the swapped operands
/// into the other triangle (the upper triangle of a row-major C is the lower one of C^T).
pub unsafe fn gemmt<T: GemmScalar>(
    name: &str,
    order: c_int,
    uplo: c_int,
    ta: c_int,
    tb: c_int,
    n: Int,
    k: Int,
    p: Operands<T>,
) {
    decode_and_call(
        name,
        order,
        [(uplo, &UPLO), (ta, &TRANS), (tb, &TRANS)],
        |row, [u, ta, tb]| {
            let (u, ta, tb, p) = column_major(row, (u, ta, tb, p), |(u, ta, tb, p)| {
                (flip_uplo(u), tb, ta, p.swapped())
            });
            unsafe { l3::gemmt(u, ta, tb, n, k, p) }
        },
    );
}

// ---- the extensions OpenBLAS ships (kernels in `crate::extensions`) ----

/// `CBLAS_ORDER` as the extension kernels' order character.
const ORDER_CODES: [(c_int, u8); 2] = [(ROW, b'R'), (COL, b'C')];
/// Transpositions of `?omatcopy`/`?imatcopy`, which also take `CblasConjNoTrans` (114).
const COPY_TRANS: [(c_int, u8); 4] = [(111, b'N'), (112, b'T'), (113, b'C'), (114, b'R')];

/// An enum as the extension kernels' character, or 0 for a value outside the list: the kernels
/// check their options themselves and report a 0 at its own position.
fn code(v: c_int, pairs: &[(c_int, u8)]) -> u8 {
    lookup(v, pairs).unwrap_or(0)
}

/// Report an extension kernel's error, its position already that of the CBLAS list.
fn report_at(name: &str, r: l2::Res) {
    if let Err(info) = r {
        cblas_error(name, info);
    }
}

/// `cblas_?omatcopy` and `cblas_?imatcopy` (`in_place`): the order is the first of the
/// routine's own arguments, so positions are the kernel's.
pub unsafe fn matcopy<T: Scalar>(
    name: &str,
    order: c_int,
    trans: c_int,
    rows: Int,
    cols: Int,
    p: ext::MatCopy<T>,
    in_place: bool,
) {
    let order = code(order, &ORDER_CODES);
    let _g = CblasCall::enter(order == b'R');
    let trans = code(trans, &COPY_TRANS);
    report_at(name, unsafe {
        ext::matcopy(order, trans, rows, cols, p, in_place)
    });
}

/// `cblas_?geadd`: the kernel takes the layout as a flag.
pub unsafe fn geadd<T: Scalar>(name: &str, order: c_int, rows: Int, cols: Int, p: ext::Sum<T>) {
    decode_and_call(name, order, [], |row, []| unsafe {
        ext::geadd(rows, cols, p, row)
    });
}

/// `cblas_?gemm_batch`: every group decoded, and for row-major expressed as the column-major
/// product of the swapped operands, as `gemm` does for one product (so errors carry the
/// swapped call's positions, plus one for the layout).
pub unsafe fn gemm_batch<T: GemmScalar>(
    name: &str,
    order: c_int,
    transa: *const c_int,
    transb: *const c_int,
    arrays: ext::BatchArrays<T>,
    group_count: Int,
) {
    decode_and_call(name, order, [], |row, []| {
        // The transpositions as the kernel's characters (a negative count is the kernel's to
        // report: nothing is read then).
        let count = usize::try_from(group_count).unwrap_or(0);
        // SAFETY: every array holds group_count entries (the caller's contract).
        let decode = |p: *const c_int| -> Vec<u8> {
            (0..count)
                .map(|g| code(unsafe { *p.add(g) }, &TRANS))
                .collect()
        };
        let (ta, tb) = (decode(transa), decode(transb));
        let (ta, tb, arrays) = column_major(row, (ta, tb, arrays), |(ta, tb, arrays)| {
            (tb, ta, arrays.swapped())
        });
        unsafe { ext::gemm_batch_arrays(ta.as_ptr(), tb.as_ptr(), arrays, group_count) }
    });
}

/// `cblas_?gemm_batch_strided`, row-major as `gemm` does it.
pub unsafe fn gemm_batch_strided<T: GemmScalar>(
    name: &str,
    order: c_int,
    ta: c_int,
    tb: c_int,
    batch: ext::StridedBatch<T>,
) {
    decode_and_call(
        name,
        order,
        [(ta, &TRANS), (tb, &TRANS)],
        |row, [ta, tb]| {
            let (ta, tb, batch) = column_major(row, (ta, tb, batch), |(ta, tb, batch)| {
                let [sa, sb, sc] = batch.strides;
                let swapped = ext::StridedBatch {
                    m: batch.n,
                    n: batch.m,
                    first: batch.first.swapped(),
                    strides: [sb, sa, sc],
                    ..batch
                };
                (tb, ta, swapped)
            });
            unsafe { ext::gemm_batch_strided(ta, tb, batch) }
        },
    );
}

// The exported `cblas_dgemm`-style functions, one per routine and precision of the table.
include!(concat!(env!("OUT_DIR"), "/cblas_wrappers.rs"));

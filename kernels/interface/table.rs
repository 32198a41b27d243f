//! The BLAS interface, declared once: every exported routine with its name pattern, precisions,
//! typed argument list, return kind and the body it reaches. Everything else is derived from
//! this table by `render.rs`: the Fortran-77 wrappers (`dgemm_`) and the CBLAS wrappers
//! (`cblas_dgemm`) that `kernels/build.rs` writes into OUT_DIR, and the function declarations of
//! the installed `cblas.h`/`f77blas.h` and the export list that `blastool build` renders.
//!
//! Why plain Rust data: the table is read by two crates (the kernels' build script and blastool
//! itself, both through `#[path]`), must stay std-only, and a typo in a struct literal is a
//! compile error, where a text format would need a parser and its own error reporting.
//!
//! # Adding a routine (one entry)
//!
//! 1. Add a `Routine` to [`ROUTINES`] where it belongs in the header order: the name pattern
//!    (`{p}` is the precision letter s/d/c/z, `{r}` the letter of its real type s/d, so
//!    `{r}{p}nrm2` is `scnrm2`/`dznrm2`), the precisions, the arguments in Fortran order (the
//!    CBLAS list is the same with the layout first when the routine has one), the return kind.
//! 2. Say what the wrappers call. [`Call::Expr`] is a Rust expression over the argument values,
//!    the same for both ABIs (level 1: no layout, no error report). [`Call::Family`] names an
//!    operation [`Family`] and the arguments its kernel takes: the CBLAS wrapper passes them,
//!    after the routine name and the layout, to the family's generic body in
//!    `kernels/src/cblas.rs` (which decodes the enums and turns a row-major call into the
//!    column-major one); the Fortran wrapper passes them straight to the family's kernel and
//!    reports its error under the Fortran name. A new family is one `Family` constant here plus
//!    its CBLAS body.
//! 3. Write the kernel. Nothing else: wrappers, header lines and exports follow. (An argument
//!    of a new kind, say the pointer arrays of `gemm_batch`, is one more [`Kind`] and its
//!    four spellings in `render.rs`: Rust and C, Fortran and CBLAS.)
//!
//! Inside the expressions, every argument is a value: dimensions and increments are `Int`,
//! scalars are `T`/`R` (a CBLAS complex scalar has been read through its pointer, a Fortran one
//! dereferenced), in/out scalars are `&mut`, arrays are raw pointers, and options are the
//! Fortran character (`u8`, which the kernels check) or the CBLAS enum (`c_int`, which the CBLAS
//! body decodes). `full(lda)`, `band(lda, k)`, `Shape::Packed` and `Complex` are in scope in
//! both modules, and so are the aliases `l2`, `l3` and `ext`: the kernels take their operands as
//! structs (`l3::Operands { alpha, a, lda, b, ldb, beta, c, ldc }`, ...) that the expressions
//! build, so that the CBLAS bodies and the kernels share one parameter list per family.
//!
//! The generated wrappers live in OUT_DIR, never in `kernels/src`: the sources hold one body per
//! family, not one copy per routine and precision.

/// A precision: the element type of a routine's arrays.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Prec {
    S,
    D,
    C,
    Z,
}

/// Every precision.
pub const ALL: &[Prec] = &[Prec::S, Prec::D, Prec::C, Prec::Z];
/// The real precisions.
pub const REAL: &[Prec] = &[Prec::S, Prec::D];
/// The complex precisions.
pub const CPLX: &[Prec] = &[Prec::C, Prec::Z];

/// A scalar or element type, relative to the routine's precision.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    /// The precision's element type (f32, f64, C32, C64).
    T,
    /// Its real type (herk's alpha and beta, scnrm2's result).
    R,
    /// Always double (dsdot's result).
    F64,
}

/// An option character (Fortran) / enum (CBLAS).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Opt {
    Trans,
    Uplo,
    Diag,
    Side,
    /// The storage order of routines that take it as an ordinary argument (`?omatcopy`):
    /// Fortran `C`/`R`, CBLAS `CBLAS_ORDER`.
    Order,
}

/// What an argument is; decides its type in each ABI and header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A dimension (m, n, k, kl, ku).
    Dim,
    /// The leading dimension of the matrix before it.
    Ld,
    /// The increment of the vector before it.
    Inc,
    /// An input scalar: Fortran by reference; CBLAS by value when real, `const void*` when
    /// complex.
    Scalar(Ty),
    /// An in/out scalar (rotg, rotmg): by pointer in both ABIs.
    InOut(Ty),
    /// An array the routine only reads (vector, full, band or packed matrix).
    In,
    /// An array the routine writes.
    Out,
    /// An option.
    Opt(Opt),
    /// The distance between consecutive matrices of a strided batch (an integer like `Ld`).
    Stride,
    /// A batch's per-group options: an array of characters (Fortran) or enums (CBLAS).
    Opts(Opt),
    /// A batch's per-group integers (dimensions, leading dimensions, group sizes).
    Ints,
    /// A batch's per-group scalars (alpha, beta): an array of the element type.
    Scalars,
    /// A batch's matrices the routine only reads: an array of pointers.
    InArrays,
    /// A batch's matrices the routine writes: an array of pointers.
    OutArrays,
}

/// One argument.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub kind: Kind,
}

/// What a routine returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ret {
    Void,
    /// A value; a complex one makes the CBLAS function `..._sub` with a trailing result pointer.
    Value(Ty),
    /// An index: 1-based `Int` in Fortran, 0-based `CBLAS_INDEX` in CBLAS.
    Index,
}

/// What the wrappers call.
#[derive(Clone, Copy, Debug)]
pub enum Call {
    /// An expression of the argument values, identical in both ABIs.
    Expr(&'static str),
    /// A layout-aware operation family, with the arguments after the routine name: the CBLAS
    /// wrapper calls `family.cblas(NAME, order, args)`, the Fortran one reports the errors of
    /// `family.kernel(args family.tail)` under the Fortran name.
    Family(&'static Family, &'static str),
    /// A family whose routines take their storage order as an ordinary argument (an
    /// `Opt::Order` in `args`, first in both ABIs): no layout is added, the CBLAS wrapper calls
    /// `family.cblas(NAME, args)`, the Fortran one reports `family.kernel(args family.tail)`.
    OwnOrder(&'static Family, &'static str),
}

/// An operation family: several routines sharing one kernel and one CBLAS body.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    /// The generic body in `kernels/src/cblas.rs` (layout, enums, row-major as column-major).
    pub cblas: &'static str,
    /// The kernel the Fortran wrapper calls directly: Fortran has no layout to handle.
    pub kernel: &'static str,
    /// What follows the table's arguments in the kernel call: the level-2 kernels' "conjugate
    /// the matrix" flag, which only a row-major CBLAS call sets.
    pub tail: &'static str,
}

const fn family(cblas: &'static str, kernel: &'static str, tail: &'static str) -> Family {
    Family {
        cblas,
        kernel,
        tail,
    }
}
const GEMV_F: Family = family("gemv", "l2::gemv", ", false");
const SYMV_F: Family = family("symv", "l2::symv", ", false");
const TRMV_F: Family = family("trmv", "l2::trmv", ", false");
const GER_F: Family = family("ger", "l2::ger", "");
const SYR_F: Family = family("syr", "l2::syr", ", false");
const GEMM_F: Family = family("gemm", "l3::gemm_api", "");
const SYMM_F: Family = family("symm", "l3::symm", "");
const SYRK_F: Family = family("syrk", "l3::syrk", "");
const TRMM_F: Family = family("trmm", "l3::trmm", "");
const GEMMT_F: Family = family("gemmt", "l3::gemmt", "");
const GEADD_F: Family = family("geadd", "ext::geadd", ", false");
const MATCOPY_F: Family = family("matcopy", "ext::matcopy", "");
const BATCH_F: Family = family("gemm_batch", "ext::gemm_batch_arrays", "");
const STRIDED_F: Family = family("gemm_batch_strided", "ext::gemm_batch_strided", "");

/// One routine of the interface, in every precision it has.
#[derive(Clone, Copy, Debug)]
pub struct Routine {
    /// The name pattern (see the module header); the Fortran name adds `_`, the CBLAS one the
    /// `cblas_` prefix.
    pub name: &'static str,
    pub precs: &'static [Prec],
    pub args: &'static [Arg],
    pub ret: Ret,
    pub call: Call,
    /// The header section it is declared under: 1, 2, 3, or `EXTENSIONS`.
    pub level: u8,
}

const fn arg(name: &'static str, kind: Kind) -> Arg {
    Arg { name, kind }
}
const fn dim(name: &'static str) -> Arg {
    arg(name, Kind::Dim)
}
const fn ld(name: &'static str) -> Arg {
    arg(name, Kind::Ld)
}
const fn inc(name: &'static str) -> Arg {
    arg(name, Kind::Inc)
}
const fn scalar(name: &'static str) -> Arg {
    arg(name, Kind::Scalar(Ty::T))
}
const fn real(name: &'static str) -> Arg {
    arg(name, Kind::Scalar(Ty::R))
}
const fn inout(name: &'static str, ty: Ty) -> Arg {
    arg(name, Kind::InOut(ty))
}
const fn input(name: &'static str) -> Arg {
    arg(name, Kind::In)
}
const fn output(name: &'static str) -> Arg {
    arg(name, Kind::Out)
}
const TRANS: Arg = arg("trans", Kind::Opt(Opt::Trans));
const TRANSA: Arg = arg("transa", Kind::Opt(Opt::Trans));
const TRANSB: Arg = arg("transb", Kind::Opt(Opt::Trans));
const UPLO: Arg = arg("uplo", Kind::Opt(Opt::Uplo));
const DIAG: Arg = arg("diag", Kind::Opt(Opt::Diag));
const SIDE: Arg = arg("side", Kind::Opt(Opt::Side));
const ORDER: Arg = arg("order", Kind::Opt(Opt::Order));
const fn stride(name: &'static str) -> Arg {
    arg(name, Kind::Stride)
}
const fn ints(name: &'static str) -> Arg {
    arg(name, Kind::Ints)
}

const fn routine(
    name: &'static str,
    precs: &'static [Prec],
    args: &'static [Arg],
    ret: Ret,
    call: Call,
    level: u8,
) -> Routine {
    Routine {
        name,
        precs,
        args,
        ret,
        call,
        level,
    }
}

/// A level-1 routine returning nothing.
const fn l1(
    name: &'static str,
    precs: &'static [Prec],
    args: &'static [Arg],
    e: &'static str,
) -> Routine {
    routine(name, precs, args, Ret::Void, Call::Expr(e), 1)
}
/// A level-1 routine returning `ret`.
const fn l1r(
    name: &'static str,
    precs: &'static [Prec],
    args: &'static [Arg],
    ret: Ret,
    e: &'static str,
) -> Routine {
    routine(name, precs, args, ret, Call::Expr(e), 1)
}
/// A level-2 or level-3 routine of family `body`.
const fn fam(
    level: u8,
    name: &'static str,
    precs: &'static [Prec],
    args: &'static [Arg],
    body: &'static Family,
    call_args: &'static str,
) -> Routine {
    routine(
        name,
        precs,
        args,
        Ret::Void,
        Call::Family(body, call_args),
        level,
    )
}

// Argument lists shared by several routines (same order and kinds in the reference BLAS).
const NXY: &[Arg] = &[dim("n"), input("x"), inc("incx"), input("y"), inc("incy")];
const NX: &[Arg] = &[dim("n"), input("x"), inc("incx")];
const SWAP: &[Arg] = &[dim("n"), output("x"), inc("incx"), output("y"), inc("incy")];
const COPY: &[Arg] = &[dim("n"), input("x"), inc("incx"), output("y"), inc("incy")];
const AXPY: &[Arg] = &[dim("n"), scalar("alpha"), input("x"), inc("incx"), output("y"),
    inc("incy")];
const SCAL: &[Arg] = &[dim("n"), scalar("alpha"), output("x"), inc("incx")];
const RSCAL: &[Arg] = &[dim("n"), real("alpha"), output("x"), inc("incx")];
const ROT: &[Arg] = &[dim("n"), output("x"), inc("incx"), output("y"), inc("incy"), scalar("c"),
    scalar("s")];
const RROT: &[Arg] = &[dim("n"), output("x"), inc("incx"), output("y"), inc("incy"), real("c"),
    real("s")];
const GEMV: &[Arg] = &[TRANS, dim("m"), dim("n"), scalar("alpha"), input("a"), ld("lda"),
    input("x"), inc("incx"), scalar("beta"), output("y"), inc("incy")];
const GBMV: &[Arg] = &[TRANS, dim("m"), dim("n"), dim("kl"), dim("ku"), scalar("alpha"), input("a"),
    ld("lda"), input("x"), inc("incx"), scalar("beta"), output("y"), inc("incy")];
const TRMV: &[Arg] = &[UPLO, TRANS, DIAG, dim("n"), input("a"), ld("lda"), output("x"),
    inc("incx")];
const TBMV: &[Arg] = &[UPLO, TRANS, DIAG, dim("n"), dim("k"), input("a"), ld("lda"), output("x"),
    inc("incx")];
const TPMV: &[Arg] = &[UPLO, TRANS, DIAG, dim("n"), input("ap"), output("x"), inc("incx")];
const SYMV: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("a"), ld("lda"), input("x"),
    inc("incx"), scalar("beta"), output("y"), inc("incy")];
const SBMV: &[Arg] = &[UPLO, dim("n"), dim("k"), scalar("alpha"), input("a"), ld("lda"), input("x"),
    inc("incx"), scalar("beta"), output("y"), inc("incy")];
const SPMV: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("ap"), input("x"), inc("incx"),
    scalar("beta"), output("y"), inc("incy")];
const GER: &[Arg] = &[dim("m"), dim("n"), scalar("alpha"), input("x"), inc("incx"), input("y"),
    inc("incy"), output("a"), ld("lda")];
const SYR: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("x"), inc("incx"), output("a"),
    ld("lda")];
const HER: &[Arg] = &[UPLO, dim("n"), real("alpha"), input("x"), inc("incx"), output("a"),
    ld("lda")];
const SPR: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("x"), inc("incx"), output("ap")];
const HPR: &[Arg] = &[UPLO, dim("n"), real("alpha"), input("x"), inc("incx"), output("ap")];
const SYR2: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("x"), inc("incx"), input("y"),
    inc("incy"), output("a"), ld("lda")];
const SPR2: &[Arg] = &[UPLO, dim("n"), scalar("alpha"), input("x"), inc("incx"), input("y"),
    inc("incy"), output("ap")];
const GEMM: &[Arg] = &[TRANSA, TRANSB, dim("m"), dim("n"), dim("k"), scalar("alpha"), input("a"),
    ld("lda"), input("b"), ld("ldb"), scalar("beta"), output("c"), ld("ldc")];
const SYMM: &[Arg] = &[SIDE, UPLO, dim("m"), dim("n"), scalar("alpha"), input("a"), ld("lda"),
    input("b"), ld("ldb"), scalar("beta"), output("c"), ld("ldc")];
const SYRK: &[Arg] = &[UPLO, TRANS, dim("n"), dim("k"), scalar("alpha"), input("a"), ld("lda"),
    scalar("beta"), output("c"), ld("ldc")];
const HERK: &[Arg] = &[UPLO, TRANS, dim("n"), dim("k"), real("alpha"), input("a"), ld("lda"),
    real("beta"), output("c"), ld("ldc")];
const SYR2K: &[Arg] = &[UPLO, TRANS, dim("n"), dim("k"), scalar("alpha"), input("a"), ld("lda"),
    input("b"), ld("ldb"), scalar("beta"), output("c"), ld("ldc")];
const HER2K: &[Arg] = &[UPLO, TRANS, dim("n"), dim("k"), scalar("alpha"), input("a"), ld("lda"),
    input("b"), ld("ldb"), real("beta"), output("c"), ld("ldc")];
const TRMM: &[Arg] = &[SIDE, UPLO, TRANSA, DIAG, dim("m"), dim("n"), scalar("alpha"), input("a"),
    ld("lda"), output("b"), ld("ldb")];

const GEMMT: &[Arg] = &[UPLO, TRANSA, TRANSB, dim("n"), dim("k"), scalar("alpha"), input("a"),
    ld("lda"), input("b"), ld("ldb"), scalar("beta"), output("c"), ld("ldc")];

// The extensions OpenBLAS ships, in its argument order.
const AXPBY: &[Arg] = &[dim("n"), scalar("alpha"), input("x"), inc("incx"), scalar("beta"),
    output("y"), inc("incy")];
const OMATCOPY: &[Arg] = &[ORDER, TRANS, dim("rows"), dim("cols"), scalar("alpha"), input("a"),
    ld("lda"), output("b"), ld("ldb")];
const IMATCOPY: &[Arg] = &[ORDER, TRANS, dim("rows"), dim("cols"), scalar("alpha"), output("ab"),
    ld("lda"), ld("ldb")];
const GEADD: &[Arg] = &[dim("rows"), dim("cols"), scalar("alpha"), input("a"), ld("lda"),
    scalar("beta"), output("c"), ld("ldc")];
const GEMM_BATCH: &[Arg] = &[arg("transa_array", Kind::Opts(Opt::Trans)),
    arg("transb_array", Kind::Opts(Opt::Trans)), ints("m_array"), ints("n_array"),
    ints("k_array"), arg("alpha_array", Kind::Scalars), arg("a_array", Kind::InArrays),
    ints("lda_array"), arg("b_array", Kind::InArrays), ints("ldb_array"),
    arg("beta_array", Kind::Scalars), arg("c_array", Kind::OutArrays), ints("ldc_array"),
    dim("group_count"), ints("group_size")];
const GEMM_BATCH_STRIDED: &[Arg] = &[TRANSA, TRANSB, dim("m"), dim("n"), dim("k"),
    scalar("alpha"), input("a"), ld("lda"), stride("stridea"), input("b"), ld("ldb"),
    stride("strideb"), scalar("beta"), output("c"), ld("ldc"), stride("stridec"),
    dim("batch_size")];

/// The `l2::MatVec` of the matrix-vector products, given the fields for A (`a, lda`, or
/// `a: ap, lda: 0` for packed storage).
macro_rules! mat_vec {
    ($($a:tt)*) => {
        concat!("l2::MatVec { alpha, ", stringify!($($a)*), ", x, incx, beta, y, incy }")
    };
}
/// The `l2::TriVec` of the triangular matrix-vector routines, given the fields for A.
macro_rules! tri_vec {
    ($($a:tt)*) => {
        concat!("l2::TriVec { ", stringify!($($a)*), ", x, incx }")
    };
}
/// The `l2::SymUpdate` of the symmetric and Hermitian rank-1 and rank-2 updates, given the
/// fields for alpha, y and A.
macro_rules! sym_update {
    ($($fields:tt)*) => {
        concat!("l2::SymUpdate { x, incx, ", stringify!($($fields)*), " }")
    };
}
/// The `l2::RankOne` of GER.
macro_rules! rank_one {
    () => {
        "l2::RankOne { alpha, x, incx, y, incy, a, lda }"
    };
}

/// The `l3::Operands` of the routines computing alpha·(A, B) + beta·C, as a call argument.
macro_rules! operands {
    () => {
        "l3::Operands { alpha, a, lda, b, ldb, beta, c, ldc }"
    };
}

const T: Ret = Ret::Value(Ty::T);
const R: Ret = Ret::Value(Ty::R);

/// The interface, in header order.
#[rustfmt::skip]
pub const ROUTINES: &[Routine] = &[
    // ---- level 1 ----
    l1("{p}rotg", REAL, &[inout("a", Ty::T), inout("b", Ty::T), inout("c", Ty::T),
        inout("s", Ty::T)],
        "l1::rotg(a, b, c, s)"),
    l1("{p}rotg", CPLX, &[inout("a", Ty::T), scalar("b"), inout("c", Ty::R), inout("s", Ty::T)],
        "l1::crotg(a, b, c, s)"),
    // The CBLAS and Fortran `param` is a 5-element array; rotmg takes it as one.
    l1("{p}rotmg", REAL, &[inout("d1", Ty::T), inout("d2", Ty::T), inout("x1", Ty::T),
        scalar("y1"), output("param")],
        "l1::rotmg(d1, d2, x1, y1, &mut *param.cast())"),
    l1("{p}rot", REAL, ROT, "l1::rot(n, x, incx, y, incy, c, s)"),
    l1("{p}{r}rot", CPLX, RROT, "l1::rot(n, x, incx, y, incy, c, s)"),
    l1("{p}rotm", REAL, &[dim("n"), output("x"), inc("incx"), output("y"), inc("incy"),
        input("param")],
        "l1::rotm(n, x, incx, y, incy, param)"),
    l1("{p}swap", ALL, SWAP, "l1::swap(n, x, incx, y, incy)"),
    l1("{p}scal", ALL, SCAL, "l1::scal(n, alpha, x, incx)"),
    l1("{p}{r}scal", CPLX, RSCAL, "l1::rscal(n, alpha, x, incx)"),
    l1("{p}copy", ALL, COPY, "l1::copy(n, x, incx, y, incy)"),
    l1("{p}axpy", ALL, AXPY, "l1::axpy(n, alpha, x, incx, y, incy)"),
    l1r("{p}dot", REAL, NXY, T, "l1::dot(n, x, incx, y, incy, false)"),
    l1r("{p}dotu", CPLX, NXY, T, "l1::dot(n, x, incx, y, incy, false)"),
    l1r("{p}dotc", CPLX, NXY, T, "l1::dot(n, x, incx, y, incy, true)"),
    // Single-precision inputs accumulated in double.
    l1r("sdsdot", &[Prec::S], &[dim("n"), scalar("sb"), input("x"), inc("incx"), input("y"),
        inc("incy")], T,
        "(f64::from(sb) + l1::dot_f64acc(n, x, incx, y, incy)) as f32"),
    l1r("dsdot", &[Prec::S], NXY, Ret::Value(Ty::F64), "l1::dot_f64acc(n, x, incx, y, incy)"),
    l1r("{p}nrm2", REAL, NX, T, "l1::nrm2(n, x, incx)"),
    l1r("{r}{p}nrm2", CPLX, NX, R, "l1::nrm2(n, x, incx)"),
    l1r("{p}asum", REAL, NX, T, "l1::asum(n, x, incx)"),
    l1r("{r}{p}asum", CPLX, NX, R, "l1::asum(n, x, incx)"),
    l1r("i{p}amax", ALL, NX, Ret::Index, "l1::iamax(n, x, incx)"),
    l1r("{r}cabs1", CPLX, &[scalar("z")], R, "z.re.abs() + z.im.abs()"),
    // ---- level 2 ----
    fam(2, "{p}gemv", ALL, GEMV, &GEMV_F, concat!("trans, m, n, None, ", mat_vec!(a, lda))),
    fam(2, "{p}gbmv", ALL, GBMV, &GEMV_F,
        concat!("trans, m, n, Some((kl, ku)), ", mat_vec!(a, lda))),
    fam(2, "{p}trmv", ALL, TRMV, &TRMV_F,
        concat!("uplo, trans, diag, n, full(lda), 0, ", tri_vec!(a, lda), ", false")),
    fam(2, "{p}tbmv", ALL, TBMV, &TRMV_F,
        concat!("uplo, trans, diag, n, band(lda, k), k, ", tri_vec!(a, lda), ", false")),
    fam(2, "{p}tpmv", ALL, TPMV, &TRMV_F,
        concat!("uplo, trans, diag, n, Shape::Packed, 0, ", tri_vec!(a: ap, lda: 0), ", false")),
    fam(2, "{p}trsv", ALL, TRMV, &TRMV_F,
        concat!("uplo, trans, diag, n, full(lda), 0, ", tri_vec!(a, lda), ", true")),
    fam(2, "{p}tbsv", ALL, TBMV, &TRMV_F,
        concat!("uplo, trans, diag, n, band(lda, k), k, ", tri_vec!(a, lda), ", true")),
    fam(2, "{p}tpsv", ALL, TPMV, &TRMV_F,
        concat!("uplo, trans, diag, n, Shape::Packed, 0, ", tri_vec!(a: ap, lda: 0), ", true")),
    fam(2, "{p}symv", REAL, SYMV, &SYMV_F,
        concat!("uplo, n, full(lda), 0, ", mat_vec!(a, lda), ", false")),
    fam(2, "{p}sbmv", REAL, SBMV, &SYMV_F,
        concat!("uplo, n, band(lda, k), k, ", mat_vec!(a, lda), ", false")),
    fam(2, "{p}spmv", REAL, SPMV, &SYMV_F,
        concat!("uplo, n, Shape::Packed, 0, ", mat_vec!(a: ap, lda: 0), ", false")),
    fam(2, "{p}hemv", CPLX, SYMV, &SYMV_F,
        concat!("uplo, n, full(lda), 0, ", mat_vec!(a, lda), ", true")),
    fam(2, "{p}hbmv", CPLX, SBMV, &SYMV_F,
        concat!("uplo, n, band(lda, k), k, ", mat_vec!(a, lda), ", true")),
    fam(2, "{p}hpmv", CPLX, SPMV, &SYMV_F,
        concat!("uplo, n, Shape::Packed, 0, ", mat_vec!(a: ap, lda: 0), ", true")),
    fam(2, "{p}ger", REAL, GER, &GER_F, concat!("m, n, ", rank_one!(), ", false, false")),
    fam(2, "{p}geru", CPLX, GER, &GER_F, concat!("m, n, ", rank_one!(), ", false, false")),
    fam(2, "{p}gerc", CPLX, GER, &GER_F, concat!("m, n, ", rank_one!(), ", false, true")),
    fam(2, "{p}syr", REAL, SYR, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: None, a, lda), ", full(lda), false")),
    fam(2, "{p}spr", REAL, SPR, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: None, a: ap, lda: 0), ", Shape::Packed, false")),
    fam(2, "{p}syr2", REAL, SYR2, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: Some((y, incy)), a, lda), ", full(lda), false")),
    fam(2, "{p}spr2", REAL, SPR2, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: Some((y, incy)), a: ap, lda: 0),
            ", Shape::Packed, false")),
    fam(2, "{p}her", CPLX, HER, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha: Complex::new(alpha, 0.0), y: None, a, lda),
            ", full(lda), true")),
    fam(2, "{p}hpr", CPLX, HPR, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha: Complex::new(alpha, 0.0), y: None, a: ap, lda: 0),
            ", Shape::Packed, true")),
    fam(2, "{p}her2", CPLX, SYR2, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: Some((y, incy)), a, lda), ", full(lda), true")),
    fam(2, "{p}hpr2", CPLX, SPR2, &SYR_F,
        concat!("uplo, n, ", sym_update!(alpha, y: Some((y, incy)), a: ap, lda: 0),
            ", Shape::Packed, true")),
    // ---- level 3 ----
    fam(3, "{p}gemm", ALL, GEMM, &GEMM_F, concat!("transa, transb, m, n, k, ", operands!())),
    fam(3, "{p}symm", ALL, SYMM, &SYMM_F, concat!("side, uplo, m, n, ", operands!(), ", false")),
    fam(3, "{p}hemm", CPLX, SYMM, &SYMM_F, concat!("side, uplo, m, n, ", operands!(), ", true")),
    fam(3, "{p}syrk", ALL, SYRK, &SYRK_F,
        "uplo, trans, l3::RankK { n, k, alpha, a, lda, b: None, beta, c, ldc }, false"),
    fam(3, "{p}herk", CPLX, HERK, &SYRK_F,
        concat!("uplo, trans, l3::RankK { n, k, alpha: Complex::new(alpha, 0.0), a, lda, ",
            "b: None, beta: Complex::new(beta, 0.0), c, ldc }, true")),
    fam(3, "{p}syr2k", ALL, SYR2K, &SYRK_F,
        "uplo, trans, l3::RankK { n, k, alpha, a, lda, b: Some((b, ldb)), beta, c, ldc }, false"),
    fam(3, "{p}her2k", CPLX, HER2K, &SYRK_F,
        concat!("uplo, trans, l3::RankK { n, k, alpha, a, lda, b: Some((b, ldb)), ",
            "beta: Complex::new(beta, 0.0), c, ldc }, true")),
    fam(3, "{p}trmm", ALL, TRMM, &TRMM_F,
        "side, uplo, transa, diag, l3::Triangular { m, n, alpha, a, lda, b, ldb }, false"),
    fam(3, "{p}trsm", ALL, TRMM, &TRMM_F,
        "side, uplo, transa, diag, l3::Triangular { m, n, alpha, a, lda, b, ldb }, true"),
    // The triangular-result GEMM reference BLAS added in LAPACK 3.12.
    fam(3, "{p}gemmtr", ALL, GEMMT, &GEMMT_F, concat!("uplo, transa, transb, n, k, ", operands!())),
    // ---- extensions (OpenBLAS's, also in its `cblas.h`/`f77blas.h`) ----
    // OpenBLAS's earlier name for gemmtr.
    fam(EXTENSIONS, "{p}gemmt", ALL, GEMMT, &GEMMT_F,
        concat!("uplo, transa, transb, n, k, ", operands!())),
    routine("{p}axpby", ALL, AXPBY, Ret::Void,
        Call::Expr("ext::axpby(n, alpha, x, incx, beta, y, incy)"), EXTENSIONS),
    routine("{p}omatcopy", ALL, OMATCOPY, Ret::Void,
        Call::OwnOrder(&MATCOPY_F,
            "order, trans, rows, cols, ext::MatCopy { alpha, a, lda, b, ldb }, false"),
        EXTENSIONS),
    routine("{p}imatcopy", ALL, IMATCOPY, Ret::Void,
        Call::OwnOrder(&MATCOPY_F,
            "order, trans, rows, cols, ext::MatCopy { alpha, a: ab, lda, b: ab, ldb }, true"),
        EXTENSIONS),
    fam(EXTENSIONS, "{p}geadd", ALL, GEADD, &GEADD_F,
        "rows, cols, ext::Sum { alpha, a, lda, beta, c, ldc }"),
    fam(EXTENSIONS, "{p}gemm_batch", ALL, GEMM_BATCH, &BATCH_F,
        concat!("transa_array, transb_array, ext::BatchArrays { m: m_array, n: n_array, ",
            "k: k_array, alpha: alpha_array, a: a_array, lda: lda_array, b: b_array, ",
            "ldb: ldb_array, beta: beta_array, c: c_array, ldc: ldc_array, size: group_size }, ",
            "group_count")),
    fam(EXTENSIONS, "{p}gemm_batch_strided", ALL, GEMM_BATCH_STRIDED, &STRIDED_F,
        concat!("transa, transb, ext::StridedBatch { m, n, k, first: ", operands!(),
            ", strides: [stridea, strideb, stridec], count: batch_size }")),
];

/// The header section (`Routine::level`) of the routines beyond the reference BLAS.
pub const EXTENSIONS: u8 = 4;

impl Prec {
    /// The letter in routine names.
    pub fn letter(self) -> char {
        match self {
            Prec::S => 's',
            Prec::D => 'd',
            Prec::C => 'c',
            Prec::Z => 'z',
        }
    }

    /// The letter of its real type.
    pub fn real_letter(self) -> char {
        match self {
            Prec::S | Prec::C => 's',
            Prec::D | Prec::Z => 'd',
        }
    }

    pub fn is_complex(self) -> bool {
        matches!(self, Prec::C | Prec::Z)
    }
}

impl Routine {
    /// The routine's name in precision `p`, without ABI decoration (`dgemm`, `scnrm2`).
    pub fn name_in(&self, p: Prec) -> String {
        self.name
            .replace("{p}", &p.letter().to_string())
            .replace("{r}", &p.real_letter().to_string())
    }

    /// Whether the CBLAS function takes the layout first (every family routine does).
    pub fn has_layout(&self) -> bool {
        matches!(self.call, Call::Family(..))
    }
}

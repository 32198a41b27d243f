//! Renders the interface table (`table.rs`, a sibling module) into what each consumer needs:
//! the Rust source of the Fortran-77 and CBLAS wrappers (for `kernels/build.rs`, which writes it
//! into OUT_DIR), the C declarations of `f77blas.h` and `cblas.h`, and the list of exported
//! function names (for `blastool build`). std only, no I/O: every function returns text.
//!
//! The wrappers are thin on purpose: they turn the ABI's arguments into values (dereference a
//! Fortran reference, read a CBLAS complex scalar through its pointer, leave options undecoded)
//! and call the table's expression or family body, which own the semantics and error reports.

use super::table::{Arg, Call, Kind, Opt, Prec, Ret, Routine, Ty, EXTENSIONS, ROUTINES};
use std::fmt::Write;

/// The Rust type of `ty` in precision `p`.
fn rust_ty(ty: Ty, p: Prec) -> &'static str {
    match (ty, p) {
        (Ty::F64, _) => "f64",
        (Ty::T, Prec::C) => "C32",
        (Ty::T, Prec::Z) => "C64",
        (_, Prec::S | Prec::C) => "f32",
        (_, Prec::D | Prec::Z) => "f64",
    }
}

/// Whether `ty` is a complex type in precision `p`.
fn complex(ty: Ty, p: Prec) -> bool {
    ty == Ty::T && p.is_complex()
}

/// The C type of `ty` in precision `p`; complex values travel as `void` pointers.
fn c_ty(ty: Ty, p: Prec) -> &'static str {
    match rust_ty(ty, p) {
        "C32" | "C64" => "void",
        "f32" => "float",
        _ => "double",
    }
}

/// Whether the routine returns a complex value in `p` (CBLAS then has a `_sub` form).
fn complex_return(r: &Routine, p: Prec) -> bool {
    matches!(r.ret, Ret::Value(ty) if complex(ty, p))
}

/// The Fortran-ABI name of `r` in `p`, before affixes: `dgemm_`.
pub fn fortran_name(r: &Routine, p: Prec) -> String {
    format!("{}_", r.name_in(p))
}

/// The CBLAS name of `r` in `p`, before affixes: `cblas_dgemm`, `cblas_zdotu_sub`.
pub fn cblas_name(r: &Routine, p: Prec) -> String {
    let sub = if complex_return(r, p) { "_sub" } else { "" };
    format!("cblas_{}{sub}", r.name_in(p))
}

/// Every (routine, precision) of the table, in table order.
fn instances() -> impl Iterator<Item = (&'static Routine, Prec)> {
    ROUTINES
        .iter()
        .flat_map(|r| r.precs.iter().map(move |&p| (r, p)))
}

/// Every function the table exports, PREFIX + name + SUFFIX: the Fortran names, then CBLAS.
pub fn exported_functions(prefix: &str, suffix: &str) -> Vec<String> {
    let fortran = instances().map(|(r, p)| fortran_name(r, p));
    let cblas = instances().map(|(r, p)| cblas_name(r, p));
    fortran
        .chain(cblas)
        .map(|name| format!("{prefix}{name}{suffix}"))
        .collect()
}

// ---- Rust wrappers ----

/// Which exported ABI a wrapper implements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Abi {
    Fortran,
    Cblas,
}

/// The Rust parameter type of `arg` in `abi` and `p`.
fn rust_param(arg: &Arg, abi: Abi, p: Prec) -> String {
    let elem = rust_ty(Ty::T, p);
    match (arg.kind, abi) {
        (Kind::Dim | Kind::Ld | Kind::Inc | Kind::Stride, Abi::Fortran) => "*const Int".into(),
        (Kind::Dim | Kind::Ld | Kind::Inc | Kind::Stride, Abi::Cblas) => "Int".into(),
        (Kind::Opt(_), Abi::Fortran) => "*const c_char".into(),
        (Kind::Opt(_), Abi::Cblas) => "c_int".into(),
        (Kind::Opts(_), Abi::Fortran) => "*const c_char".into(),
        (Kind::Opts(_), Abi::Cblas) => "*const c_int".into(),
        (Kind::Ints, _) => "*const Int".into(),
        // A pointer to complex values is a pointer to C32/C64 in the C ABI (`const void *`).
        (Kind::Scalars, _) => format!("*const {elem}"),
        (Kind::InArrays, _) => format!("*const *const {elem}"),
        (Kind::OutArrays, _) => format!("*const *mut {elem}"),
        (Kind::Scalar(ty), Abi::Cblas) if complex(ty, p) => "*const c_void".into(),
        (Kind::Scalar(ty), Abi::Cblas) => rust_ty(ty, p).into(),
        (Kind::Scalar(ty), Abi::Fortran) => format!("*const {}", rust_ty(ty, p)),
        (Kind::InOut(ty), Abi::Cblas) if complex(ty, p) => "*mut c_void".into(),
        (Kind::InOut(ty), _) => format!("*mut {}", rust_ty(ty, p)),
        (Kind::In, _) => format!("*const {elem}"),
        (Kind::Out, _) => format!("*mut {elem}"),
    }
}

/// The statement turning parameter `arg` into the value the call expects, if it needs one.
fn rust_binding(arg: &Arg, abi: Abi, p: Prec) -> Option<String> {
    let name = arg.name;
    match (arg.kind, abi) {
        (Kind::Dim | Kind::Ld | Kind::Inc | Kind::Stride | Kind::Scalar(_), Abi::Fortran) => {
            Some(format!("let {name} = *{name};"))
        }
        (Kind::Opt(_), Abi::Fortran) => Some(format!("let {name} = ch({name});")),
        (Kind::Opts(_), Abi::Fortran) => Some(format!("let {name} = {name}.cast::<u8>();")),
        (Kind::Scalar(ty), Abi::Cblas) if complex(ty, p) => {
            Some(format!("let {name}: {} = deref({name});", rust_ty(ty, p)))
        }
        (Kind::InOut(ty), Abi::Cblas) if complex(ty, p) => Some(format!(
            "let {name} = &mut *{name}.cast::<{}>();",
            rust_ty(ty, p)
        )),
        (Kind::InOut(_), _) => Some(format!("let {name} = &mut *{name};")),
        _ => None,
    }
}

/// The call expression of `r` in `abi` and `p`.
fn rust_call(r: &Routine, abi: Abi, p: Prec) -> String {
    match (r.call, abi) {
        (Call::Expr(expr), _) => expr.to_string(),
        (Call::Family(family, args), Abi::Fortran) => format!(
            "report(\"{}\", {}({args}{}))",
            r.name_in(p).to_uppercase(),
            family.kernel,
            family.tail
        ),
        (Call::Family(family, args), Abi::Cblas) => {
            format!(
                "{}(\"cblas_{}\", order, {args})",
                family.cblas,
                r.name_in(p)
            )
        }
        (Call::OwnOrder(family, args), Abi::Fortran) => format!(
            "report(\"{}\", {}({args}{}))",
            r.name_in(p).to_uppercase(),
            family.kernel,
            family.tail
        ),
        (Call::OwnOrder(family, args), Abi::Cblas) => {
            format!("{}(\"cblas_{}\", {args})", family.cblas, r.name_in(p))
        }
    }
}

/// One exported wrapper function.
fn rust_wrapper(out: &mut String, r: &Routine, abi: Abi, p: Prec) {
    let name = match abi {
        Abi::Fortran => fortran_name(r, p),
        Abi::Cblas => cblas_name(r, p),
    };
    let mut params = Vec::new();
    if abi == Abi::Cblas && r.has_layout() {
        params.push("order: c_int".to_string());
    }
    params.extend(
        r.args
            .iter()
            .map(|a| format!("{}: {}", a.name, rust_param(a, abi, p))),
    );
    let call = rust_call(r, abi, p);
    let (ret, tail) = match (r.ret, abi) {
        (Ret::Void, _) => (String::new(), call),
        (Ret::Value(ty), Abi::Cblas) if complex(ty, p) => {
            params.push(format!("out: *mut {}", rust_ty(ty, p)));
            (String::new(), format!("*out = {call};"))
        }
        (Ret::Value(ty), _) => (format!(" -> {}", rust_ty(ty, p)), call),
        (Ret::Index, Abi::Fortran) => (" -> Int".to_string(), call),
        (Ret::Index, Abi::Cblas) => (" -> usize".to_string(), format!("index({call})")),
    };
    let _ = writeln!(out, "#[export_name = blas_symbol!(\"{name}\")]");
    let _ = writeln!(
        out,
        "pub unsafe extern \"C\" fn {name}({}){ret} {{",
        params.join(", ")
    );
    out.push_str("    unsafe {\n");
    for binding in r.args.iter().filter_map(|a| rust_binding(a, abi, p)) {
        let _ = writeln!(out, "        {binding}");
    }
    let _ = writeln!(out, "        {tail}");
    out.push_str("    }\n}\n");
}

/// The Rust source of every wrapper of `abi`.
fn rust_wrappers(abi: Abi) -> String {
    let mut out = String::from(
        "// Generated by kernels/build.rs from kernels/interface/table.rs: do not edit.\n",
    );
    for (r, p) in instances() {
        rust_wrapper(&mut out, r, abi, p);
    }
    out
}

/// The Fortran-77 wrappers (`dgemm_`), for `include!` in `kernels/src/fortran.rs`.
pub fn fortran_wrappers() -> String {
    rust_wrappers(Abi::Fortran)
}

/// The CBLAS wrappers (`cblas_dgemm`), for `include!` in `kernels/src/cblas.rs`.
pub fn cblas_wrappers() -> String {
    rust_wrappers(Abi::Cblas)
}

// ---- C declarations ----

/// A parameter of `f77blas.h`.
fn f77_param(arg: &Arg, p: Prec) -> String {
    let name = arg.name;
    let elem = c_ty(Ty::T, p);
    match arg.kind {
        Kind::Dim | Kind::Ld | Kind::Inc | Kind::Stride | Kind::Ints => {
            format!("const blasint *{name}")
        }
        Kind::Opt(_) | Kind::Opts(_) => format!("const char *{name}"),
        Kind::Scalars => format!("const {elem} *{name}"),
        Kind::InArrays => format!("const {elem} **{name}"),
        Kind::OutArrays => format!("{elem} **{name}"),
        Kind::Scalar(ty) => format!("const {} *{name}", c_ty(ty, p)),
        Kind::InOut(ty) => format!("{} *{name}", c_ty(ty, p)),
        Kind::In => format!("const {elem} *{name}"),
        Kind::Out => format!("{elem} *{name}"),
    }
}

/// The CBLAS spelling of a parameter name: upper-case dimensions, capitalised arrays and
/// options, `incX`, `TransA` (as in the reference `cblas.h`).
fn cblas_param_name(arg: &Arg) -> String {
    let capitalised = || {
        let mut chars = arg.name.chars();
        chars.next().map_or(String::new(), |first| {
            first.to_ascii_uppercase().to_string() + chars.as_str()
        })
    };
    match arg.kind {
        // The reference's M, N, K, KL, KU; longer names (group_count, batch_size) as written.
        Kind::Dim if arg.name.len() <= 2 => arg.name.to_ascii_uppercase(),
        Kind::Dim => arg.name.to_string(),
        Kind::Inc => format!("inc{}", arg.name.trim_start_matches("inc").to_uppercase()),
        Kind::Opt(_) if arg.name.len() == "transa".len() && arg.name.starts_with("trans") => {
            format!("Trans{}", arg.name[5..].to_uppercase())
        }
        Kind::In | Kind::Out | Kind::Opt(_) => capitalised(),
        Kind::Ld | Kind::Scalar(_) | Kind::InOut(_) | Kind::Stride => arg.name.to_string(),
        // Batch arrays as OpenBLAS's cblas.h spells them: `TransA_array`, `M_array`, `lda_array`.
        Kind::Opts(_) | Kind::Ints | Kind::Scalars | Kind::InArrays | Kind::OutArrays => {
            match arg.name.strip_suffix("_array") {
                Some(head) if head.starts_with("trans") => {
                    format!("Trans{}_array", head[5..].to_uppercase())
                }
                Some(head) if head.len() == 1 => format!("{}_array", head.to_uppercase()),
                _ => arg.name.to_string(),
            }
        }
    }
}

/// The `cblas.h` type of an option.
fn cblas_enum(opt: Opt) -> &'static str {
    match opt {
        Opt::Trans => "CBLAS_TRANSPOSE",
        Opt::Uplo => "CBLAS_UPLO",
        Opt::Diag => "CBLAS_DIAG",
        Opt::Side => "CBLAS_SIDE",
        Opt::Order => "CBLAS_ORDER",
    }
}

/// A parameter of `cblas.h`.
fn cblas_param(arg: &Arg, p: Prec) -> String {
    let name = cblas_param_name(arg);
    let elem = c_ty(Ty::T, p);
    match arg.kind {
        Kind::Dim | Kind::Ld | Kind::Inc | Kind::Stride => format!("const blasint {name}"),
        Kind::Opt(opt) => format!("const {} {name}", cblas_enum(opt)),
        Kind::Opts(opt) => format!("const {} *{name}", cblas_enum(opt)),
        Kind::Ints => format!("const blasint *{name}"),
        Kind::Scalars => format!("const {elem} *{name}"),
        Kind::InArrays => format!("const {elem} **{name}"),
        Kind::OutArrays => format!("{elem} **{name}"),
        Kind::Scalar(ty) if complex(ty, p) => format!("const void *{name}"),
        Kind::Scalar(ty) => format!("const {} {name}", c_ty(ty, p)),
        Kind::InOut(ty) => format!("{} *{name}", c_ty(ty, p)),
        Kind::In => format!("const {elem} *{name}"),
        Kind::Out => format!("{elem} *{name}"),
    }
}

/// One declaration line per (routine, precision), under a comment per level.
fn declarations(line: impl Fn(&Routine, Prec) -> String) -> String {
    let mut out = String::new();
    let mut level = 0;
    for (r, p) in instances() {
        if r.level != level {
            if level != 0 {
                out.push('\n');
            }
            level = r.level;
            if level == EXTENSIONS {
                let _ = writeln!(out, "/* Extensions (as OpenBLAS ships them) */");
            } else {
                let _ = writeln!(out, "/* Level {level} */");
            }
        }
        out.push_str(&line(r, p));
        out.push('\n');
    }
    out
}

/// The function declarations of `f77blas.h`, with the affixes applied.
pub fn f77_declarations(prefix: &str, suffix: &str) -> String {
    declarations(|r, p| {
        let ret = match r.ret {
            Ret::Void => "void",
            Ret::Value(ty) if complex(ty, p) => match p {
                Prec::C => "blastool_complex_float",
                _ => "blastool_complex_double",
            },
            Ret::Value(ty) => c_ty(ty, p),
            Ret::Index => "blasint",
        };
        let params: Vec<String> = r.args.iter().map(|a| f77_param(a, p)).collect();
        format!(
            "{ret} {prefix}{}{suffix}({});",
            fortran_name(r, p),
            params.join(", ")
        )
    })
}

/// The function declarations of `cblas.h`, with the affixes applied.
pub fn cblas_declarations(prefix: &str, suffix: &str) -> String {
    declarations(|r, p| {
        let mut params = Vec::new();
        if r.has_layout() {
            params.push("const CBLAS_ORDER Order".to_string());
        }
        params.extend(r.args.iter().map(|a| cblas_param(a, p)));
        let ret = match r.ret {
            Ret::Void => "void",
            Ret::Value(ty) if complex(ty, p) => {
                params.push("void *ret".to_string());
                "void"
            }
            Ret::Value(ty) => c_ty(ty, p),
            Ret::Index => "CBLAS_INDEX",
        };
        format!(
            "{ret} {prefix}{}{suffix}({});",
            cblas_name(r, p),
            params.join(", ")
        )
    })
}

//! Headers: renders `cblas.h`, `f77blas.h`, the pkg-config file and the CMake package files from
//! `templates/blas/` into the install tree, with the plan's name, integer model and symbol
//! affixes. The headers' BLAS declarations come from the kernels' interface table, the same
//! table the kernels generate their exported wrappers from, so the two cannot disagree; the
//! affixes are applied there by name, not by rewriting C text.

use super::plan::Plan;
use super::{cross, fail, templates, Failure, VERSION};
use std::path::{Path, PathBuf};

// Shared with kernels/build.rs, which uses the wrapper renderers this module does not.
#[allow(dead_code)]
#[path = "../../kernels/interface/render.rs"]
mod render;
#[allow(dead_code)]
#[path = "../../kernels/interface/table.rs"]
#[rustfmt::skip]
mod table;

/// Every BLAS function the library exports under the plan's affixes (the interface table's
/// Fortran and CBLAS names; not the lifecycle functions or the error handlers).
pub(super) fn table_exports(plan: &Plan) -> Vec<String> {
    render::exported_functions(&plan.symbol_prefix, &plan.symbol_suffix)
}

/// Writes every rendered file into the install tree at `root`.
pub(super) fn render_headers(
    plan: &Plan,
    root: &Path,
    native_libs: &[String],
) -> Result<(), Failure> {
    let computed = TemplateValues::new(plan, native_libs);
    let values = computed.pairs(plan);
    for (template, path) in installed_files(plan) {
        let text = templates::render(template, &values).or_else(fail)?;
        std::fs::write(root.join(&path), text)
            .or_else(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// The values the templates' placeholders take that are not in the plan as text already.
struct TemplateValues {
    libs_private: String,
    cmake_libs: String,
    symbol_note: String,
    cblas_functions: String,
    f77_functions: String,
}

impl TemplateValues {
    fn new(plan: &Plan, native_libs: &[String]) -> TemplateValues {
        let cmake_libs: Vec<&str> = native_libs
            .iter()
            .map(|l| l.trim_start_matches("-l"))
            .collect();
        TemplateValues {
            libs_private: native_libs.join(" "),
            cmake_libs: cmake_libs.join(";"),
            symbol_note: symbol_note(plan),
            cblas_functions: render::cblas_declarations(&plan.symbol_prefix, &plan.symbol_suffix),
            f77_functions: render::f77_declarations(&plan.symbol_prefix, &plan.symbol_suffix),
        }
    }

    /// Placeholder name and value, for `templates::render`.
    fn pairs<'a>(&'a self, plan: &'a Plan) -> [(&'static str, &'a str); 15] {
        let major = VERSION.split('.').next().unwrap_or("0");
        [
            ("NAME", plan.name.as_str()),
            ("VERSION", VERSION),
            ("VERSION_MAJOR", major),
            ("SOVERSION", major),
            ("TARGET", plan.target.name),
            ("LIBS_PRIVATE", self.libs_private.as_str()),
            ("CMAKE_LIBS_PRIVATE", self.cmake_libs.as_str()),
            ("BLASINT", if plan.ilp64 { "int64_t" } else { "int" }),
            ("ILP64", if plan.ilp64 { "1" } else { "0" }),
            (
                "INTEGER_MODEL",
                if plan.ilp64 {
                    "64-bit (ILP64)"
                } else {
                    "32-bit (LP64)"
                },
            ),
            ("SYMBOL_NOTE", self.symbol_note.as_str()),
            ("PREFIX", plan.symbol_prefix.as_str()),
            ("SUFFIX", plan.symbol_suffix.as_str()),
            ("CBLAS_FUNCTIONS", self.cblas_functions.as_str()),
            ("F77_FUNCTIONS", self.f77_functions.as_str()),
        ]
    }
}

/// The headers' sentence on renamed exports; empty when the names are the plain ones.
fn symbol_note(plan: &Plan) -> String {
    if plan.symbol_prefix.is_empty() && plan.symbol_suffix.is_empty() {
        return String::new();
    }
    let affixes = match (plan.symbol_prefix.as_str(), plan.symbol_suffix.as_str()) {
        (prefix, "") => format!("the prefix '{prefix}'"),
        ("", suffix) => format!("the suffix '{suffix}'"),
        (prefix, suffix) => format!("the prefix '{prefix}' and the suffix '{suffix}'"),
    };
    format!(
        "Every exported function carries {affixes}: cblas_dgemm is {}, dgemm_ is {}.",
        plan.exported_name("cblas_dgemm"),
        plan.exported_name("dgemm_")
    )
}

/// Each template and where its rendering goes in the install tree.
fn installed_files(plan: &Plan) -> [(&'static str, PathBuf); 5] {
    let name = plan.name.as_str();
    [
        ("cblas.h", PathBuf::from("include/cblas.h")),
        ("f77blas.h", PathBuf::from("include/f77blas.h")),
        (
            "pkgconfig.pc.in",
            PathBuf::from(format!("lib/pkgconfig/{name}.pc")),
        ),
        (
            if cross::is_windows(plan.target) {
                "ConfigWindows.cmake.in"
            } else {
                "Config.cmake.in"
            },
            PathBuf::from(format!("lib/cmake/{name}/{name}Config.cmake")),
        ),
        (
            "ConfigVersion.cmake.in",
            PathBuf::from(format!("lib/cmake/{name}/{name}ConfigVersion.cmake")),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::render;

    /// The declarations the reference CBLAS and Fortran BLAS give these routines, from the
    /// table: real-only herk scalars, `_sub` complex dot products, CBLAS_INDEX, mixed names.
    #[test]
    fn table_renders_the_reference_signatures() {
        let cblas = render::cblas_declarations("my_", "64_");
        for line in [
            "void my_cblas_zherk64_(const CBLAS_ORDER Order, const CBLAS_UPLO Uplo, \
             const CBLAS_TRANSPOSE Trans, const blasint N, const blasint K, const double alpha, \
             const void *A, const blasint lda, const double beta, void *C, const blasint ldc);",
            "void my_cblas_cdotc_sub64_(const blasint N, const void *X, const blasint incX, \
             const void *Y, const blasint incY, void *ret);",
            "CBLAS_INDEX my_cblas_izamax64_(const blasint N, const void *X, const blasint incX);",
            "float my_cblas_scnrm264_(const blasint N, const void *X, const blasint incX);",
            "void my_cblas_csrot64_(const blasint N, void *X, const blasint incX, void *Y, \
             const blasint incY, const float c, const float s);",
        ] {
            assert!(cblas.lines().any(|l| l == line), "cblas.h lacks {line}");
        }
        let f77 = render::f77_declarations("", "");
        for line in [
            "blastool_complex_double zdotu_(const blasint *n, const void *x, \
             const blasint *incx, const void *y, const blasint *incy);",
            "void dgemm_(const char *transa, const char *transb, const blasint *m, \
             const blasint *n, const blasint *k, const double *alpha, const double *a, \
             const blasint *lda, const double *b, const blasint *ldb, const double *beta, \
             double *c, const blasint *ldc);",
            "double dsdot_(const blasint *n, const float *x, const blasint *incx, \
             const float *y, const blasint *incy);",
        ] {
            assert!(f77.lines().any(|l| l == line), "f77blas.h lacks {line}");
        }
    }

    /// Each exported name comes from one table entry: two entries rendering the same name
    /// would be a link error in the kernels and a duplicate declaration in the headers.
    #[test]
    fn exported_names_are_unique_and_all_declared() {
        let names = render::exported_functions("", "");
        let unique: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        let declared = render::cblas_declarations("", "") + &render::f77_declarations("", "");
        for name in &names {
            assert!(
                declared.contains(&format!(" {name}(")),
                "{name} not declared"
            );
        }
        // 19 reference routines and 8 extensions (axpby, omatcopy, imatcopy, geadd, gemmtr,
        // gemmt, gemm_batch, gemm_batch_strided) in every precision, 15 real-only, 20
        // complex-only (cabs1 included), sdsdot and dsdot: 180 functions in each ABI.
        assert_eq!(names.len(), 2 * (4 * (19 + 8) + 2 * 15 + 2 * 20 + 2));
    }
}

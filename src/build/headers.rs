//! Headers: renders `cblas.h`, `f77blas.h`, the pkg-config file and the CMake package files from
//! `templates/blas/` into the install tree, with the plan's name, integer model and symbol
//! affixes.

use super::plan::Plan;
use super::{cross, fail, templates, Failure, VERSION};
use std::path::{Path, PathBuf};

/// Writes every rendered file into the install tree at `root`.
pub(super) fn render_headers(
    plan: &Plan,
    root: &Path,
    native_libs: &[String],
) -> Result<(), Failure> {
    let computed = TemplateValues::new(plan, native_libs);
    let values = computed.pairs(plan);
    for (template, path) in installed_files(plan) {
        let mut text = templates::render(template, &values).or_else(fail)?;
        if template.ends_with(".h") {
            text = templates::rename_exports(&text, &plan.symbol_prefix, &plan.symbol_suffix);
        }
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
        }
    }

    /// Placeholder name and value, for `templates::render`.
    fn pairs<'a>(&'a self, plan: &'a Plan) -> [(&'static str, &'a str); 11] {
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

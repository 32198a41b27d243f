//! The files `blastool build` renders into an install tree (headers, pkg-config, CMake) and the
//! C smoke program, embedded from `templates/blas/` with a minimal `@KEY@` substitution.

/// (template name, contents), in the order they are hashed into the cache key.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "cblas.h",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/cblas.h"
        )),
    ),
    (
        "f77blas.h",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/f77blas.h"
        )),
    ),
    (
        "pkgconfig.pc.in",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/pkgconfig.pc.in"
        )),
    ),
    (
        "Config.cmake.in",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/Config.cmake.in"
        )),
    ),
    (
        "ConfigWindows.cmake.in",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/ConfigWindows.cmake.in"
        )),
    ),
    (
        "ConfigVersion.cmake.in",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/ConfigVersion.cmake.in"
        )),
    ),
    (
        "smoke.c",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/blas/smoke.c"
        )),
    ),
];

/// The template called `name`.
pub fn template(name: &str) -> &'static str {
    TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("no embedded template {name}"))
}

/// Replaces every `@KEY@` with its value. Unknown keys are an error so a typo in a template
/// cannot ship a literal `@NAME@` to users.
pub fn render(name: &str, values: &[(&str, &str)]) -> Result<String, String> {
    let text = template(name);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('@') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let key_len = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        if key_len > 0 && after[key_len..].starts_with('@') {
            let key = &after[..key_len];
            let value = values
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("template {name}: no value for @{key}@"))?;
            out.push_str(value);
            rest = &after[key_len + 1..];
        } else {
            out.push('@');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Applies `--symbol-prefix`/`--symbol-suffix` to the C text of the smoke program (the headers
/// get their names from the interface table and `@PREFIX@`/`@SUFFIX@` instead): every call or declaration of a library function (an identifier followed by `(`
/// that is `cblas_*`, `blastool_*` or a lower-case Fortran name ending in `_`) becomes
/// PREFIX + name + SUFFIX, matching what the kernels export (`blas_symbol!` in kernels/src/lib.rs).
/// This is the OpenBLAS convention: its installed cblas.h declares the renamed functions.
pub fn rename_exports(text: &str, prefix: &str, suffix: &str) -> String {
    if prefix.is_empty() && suffix.is_empty() {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::with_capacity(text.len() + 1024);
    let mut i = 0;
    while i < bytes.len() {
        let starts_ident =
            is_ident(bytes[i]) && !bytes[i].is_ascii_digit() && (i == 0 || !is_ident(bytes[i - 1]));
        if !starts_ident {
            let next = text[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + next]);
            i += next;
            continue;
        }
        let end = (i..bytes.len())
            .find(|&j| !is_ident(bytes[j]))
            .unwrap_or(bytes.len());
        let word = &text[i..end];
        let called = text[end..].trim_start_matches([' ', '\t']).starts_with('(');
        let fortran = word.ends_with('_')
            && !word.starts_with("__")
            && word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if called && (word.starts_with("cblas_") || word.starts_with("blastool_") || fortran) {
            out.push_str(prefix);
            out.push_str(word);
            out.push_str(suffix);
        } else {
            out.push_str(word);
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_library_functions_only() {
        let text = "double cblas_ddot(const blasint N);\nvoid dgemm_ (const char *t);\n\
                    int main(void) { check(x); __attribute__((unused)) int a; blastool_quit(); }\n\
                    typedef struct { float re; } blastool_complex_float;";
        let renamed = rename_exports(text, "my_", "64_");
        assert!(renamed.contains("double my_cblas_ddot64_(const blasint N);"));
        assert!(renamed.contains("void my_dgemm_64_ (const char *t);"));
        assert!(renamed.contains("my_blastool_quit64_();"));
        assert!(renamed.contains("int main(void) { check(x); __attribute__((unused))"));
        assert!(renamed.contains("} blastool_complex_float;"));
        assert_eq!(rename_exports(text, "", ""), text);
    }

    #[test]
    fn every_placeholder_is_known() {
        let values = [
            ("NAME", "blastool"),
            ("VERSION", "0.1.0"),
            ("VERSION_MAJOR", "0"),
            ("SOVERSION", "0"),
            ("TARGET", "GENERIC"),
            ("LIBS_PRIVATE", "-lm"),
            ("CMAKE_LIBS_PRIVATE", "m"),
            ("BLASINT", "int"),
            ("ILP64", "0"),
            ("INTEGER_MODEL", "32-bit (LP64)"),
            ("SYMBOL_NOTE", ""),
            ("PREFIX", ""),
            ("SUFFIX", ""),
            ("CBLAS_FUNCTIONS", ""),
            ("F77_FUNCTIONS", ""),
        ];
        for (name, _) in TEMPLATES {
            let text = render(name, &values).unwrap();
            assert!(!text.contains("@NAME@"), "{name}");
        }
    }
}

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
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
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

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        for (name, _) in TEMPLATES {
            let text = render(name, &values).unwrap();
            assert!(!text.contains("@NAME@"), "{name}");
        }
    }
}

//! The TARGET table of `blastool build` (OpenBLAS names mapped to Rust targets, compiler flags
//! and kernel tables), name resolution with a closest-match hint, host detection, and what this
//! machine can build and run.

use std::process::Command;

/// A microkernel table compiled into `kernels/` (see kernels/src/arch.rs).
pub const KERNEL_TABLES: &[&str] = &["GENERIC", "HASWELL", "SKYLAKEX"];

/// One buildable target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// OpenBLAS-style TARGET name.
    pub name: &'static str,
    /// Rust target triple the kernels are compiled for.
    pub triple: &'static str,
    /// `-C target-cpu=` value. Never `native`: a named target must not inherit the build
    /// host's ISA (the Debian/Flathub lesson).
    pub cpu: &'static str,
    /// Extra `-C target-feature=` value ("" for none).
    pub features: &'static str,
    /// Kernel tables the target is meant to use, best last.
    pub tables: &'static [&'static str],
    /// One-line description for `blastool targets`.
    pub note: &'static str,
}

const X86: &str = "x86_64-unknown-linux-gnu";
const ARM: &str = "aarch64-unknown-linux-gnu";

/// Every target, in the order `blastool targets` prints them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "GENERIC",
        triple: X86,
        cpu: "x86-64",
        features: "",
        tables: &["GENERIC"],
        note: "portable kernels, baseline x86-64 (SSE2); fastest build",
    },
    Target {
        name: "SANDYBRIDGE",
        triple: X86,
        cpu: "sandybridge",
        features: "",
        tables: &["GENERIC"],
        note: "AVX; portable kernels compiled for AVX",
    },
    Target {
        name: "HASWELL",
        triple: X86,
        cpu: "haswell",
        features: "",
        tables: &["GENERIC", "HASWELL"],
        note: "AVX2 + FMA microkernels",
    },
    Target {
        name: "ZEN",
        triple: X86,
        cpu: "znver1",
        features: "",
        tables: &["GENERIC", "HASWELL"],
        note: "AMD Zen; reuses the HASWELL microkernels (as OpenBLAS does)",
    },
    Target {
        name: "SKYLAKEX",
        triple: X86,
        cpu: "skylake-avx512",
        features: "",
        tables: &["GENERIC", "HASWELL", "SKYLAKEX"],
        note: "AVX-512F microkernels",
    },
    Target {
        name: "COOPERLAKE",
        triple: X86,
        cpu: "cooperlake",
        features: "",
        tables: &["GENERIC", "HASWELL", "SKYLAKEX"],
        note: "AVX-512 (BF16); SKYLAKEX microkernels",
    },
    Target {
        name: "SAPPHIRERAPIDS",
        triple: X86,
        cpu: "sapphirerapids",
        features: "",
        tables: &["GENERIC", "HASWELL", "SKYLAKEX"],
        note: "AVX-512 (AMX, FP16); SKYLAKEX microkernels",
    },
    Target {
        name: "DYNAMIC",
        triple: X86,
        cpu: "x86-64",
        features: "",
        tables: &["GENERIC", "HASWELL", "SKYLAKEX"],
        note: "every table in one library, chosen at load by CPUID (BLASTOOL_CORETYPE overrides)",
    },
    Target {
        name: "ARMV8",
        triple: ARM,
        cpu: "generic",
        features: "",
        tables: &["GENERIC"],
        note: "ARM64 baseline (NEON); portable kernels",
    },
    Target {
        name: "NEOVERSEN1",
        triple: ARM,
        cpu: "neoverse-n1",
        features: "",
        tables: &["GENERIC"],
        note: "Arm Neoverse N1 (Graviton2, Ampere Altra); portable kernels",
    },
];

/// Alternative spellings users type, resolved to a table entry.
const ALIASES: &[(&str, &str)] = &[
    ("X86_64", "GENERIC"),
    ("SKYLAKE_AVX512", "SKYLAKEX"),
    ("ZEN2", "ZEN"),
    ("ZEN3", "ZEN"),
    ("AARCH64", "ARMV8"),
    ("DYNAMIC_ARCH", "DYNAMIC"),
];

/// Resolves a user-typed name (any case, aliases allowed).
pub fn lookup(name: &str) -> Result<&'static Target, String> {
    let upper = name.trim().to_ascii_uppercase().replace('-', "_");
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == upper)
        .map_or(upper.as_str(), |(_, to)| to);
    if let Some(target) = TARGETS.iter().find(|t| t.name == canonical) {
        return Ok(target);
    }
    let valid: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
    let closest = TARGETS
        .iter()
        .map(|t| t.name)
        .chain(ALIASES.iter().map(|(alias, _)| *alias))
        .min_by_key(|candidate| edit_distance(&upper, candidate))
        .unwrap_or("GENERIC");
    Err(format!(
        "unknown target '{name}' (closest match: {closest}); valid targets: {}",
        valid.join(", ")
    ))
}

/// Levenshtein distance, for the "closest match" hint.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The best target for the machine running blastool.
pub fn detect_host() -> &'static Target {
    let name = host_target_name();
    TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or(&TARGETS[0])
}

#[cfg(target_arch = "x86_64")]
fn host_target_name() -> &'static str {
    if std::arch::is_x86_feature_detected!("avx512f") {
        // AMX detection is unstable in std; AVX512-FP16 first shipped with Sapphire Rapids.
        if has_avx512fp16() {
            "SAPPHIRERAPIDS"
        } else if has_avx512bf16() {
            "COOPERLAKE"
        } else {
            "SKYLAKEX"
        }
    } else if std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("fma")
    {
        if is_amd() {
            "ZEN"
        } else {
            "HASWELL"
        }
    } else if std::arch::is_x86_feature_detected!("avx") {
        "SANDYBRIDGE"
    } else {
        "GENERIC"
    }
}

#[cfg(target_arch = "aarch64")]
fn host_target_name() -> &'static str {
    "ARMV8"
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn host_target_name() -> &'static str {
    "GENERIC"
}

/// CPUID bits read directly: std's detection of these two features needs Rust 1.89, newer
/// than this crate's minimum. Only consulted after std confirmed AVX-512F (which includes the
/// OS's AVX-512 state support).
#[cfg(target_arch = "x86_64")]
fn cpuid_bit(leaf: u32, subleaf: u32, register: usize, bit: u32) -> bool {
    use std::arch::x86_64::{__cpuid, __cpuid_count};
    // SAFETY: CPUID exists on every x86_64 CPU; leaf 0 says which leaves are valid.
    #[allow(unused_unsafe)]
    let max = unsafe { __cpuid(0) }.eax;
    if leaf > max {
        return false;
    }
    #[allow(unused_unsafe)]
    let r = unsafe { __cpuid_count(leaf, subleaf) };
    let value = [r.eax, r.ebx, r.ecx, r.edx][register];
    value & (1 << bit) != 0
}

#[cfg(target_arch = "x86_64")]
fn has_avx512fp16() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && cpuid_bit(7, 0, 3, 23)
}

#[cfg(target_arch = "x86_64")]
fn has_avx512bf16() -> bool {
    std::arch::is_x86_feature_detected!("avx512f") && cpuid_bit(7, 1, 0, 5)
}

/// The CPU's vendor string is "AuthenticAMD".
#[cfg(target_arch = "x86_64")]
pub(crate) fn is_amd() -> bool {
    // SAFETY: CPUID leaf 0 exists on every x86_64 CPU. (The intrinsic is safe in newer Rust,
    // unsafe in the 1.85 this crate supports.)
    #[allow(unused_unsafe)]
    let leaf = unsafe { std::arch::x86_64::__cpuid(0) };
    let mut vendor = Vec::with_capacity(12);
    for register in [leaf.ebx, leaf.edx, leaf.ecx] {
        vendor.extend_from_slice(&register.to_le_bytes());
    }
    vendor == b"AuthenticAMD"
}

/// Can this CPU execute code compiled for `target`?
pub fn host_can_run(target: &Target) -> bool {
    if target.triple != host_triple() {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        match target.name {
            "SANDYBRIDGE" => has!("avx"),
            "HASWELL" => has!("avx2") && has!("fma"),
            "ZEN" => has!("avx2") && has!("fma"),
            "SKYLAKEX" => has!("avx512f") && has!("avx512bw") && has!("avx512vl"),
            "COOPERLAKE" => has!("avx512f") && has_avx512bf16(),
            "SAPPHIRERAPIDS" => has!("avx512f") && has_avx512fp16(),
            _ => true,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        target.name == "ARMV8"
    }
}

/// The triple of the machine running blastool (what `rustc -vV` calls `host`).
pub fn host_triple() -> &'static str {
    if cfg!(all(target_arch = "x86_64", target_os = "linux")) {
        X86
    } else if cfg!(all(target_arch = "aarch64", target_os = "linux")) {
        ARM
    } else {
        "unsupported-host"
    }
}

/// Triples whose standard library rustup has installed (`rustup target list --installed`);
/// without rustup, only the host's (a distribution rustc ships just that one).
pub fn installed_triples() -> Vec<String> {
    match Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        _ => vec![host_triple().to_string()],
    }
}

/// Why the Rust side of `target` cannot be built here (its standard library is missing), or
/// `None`. Whether a cross target's C compiler is present is `cross::compiler_blocker`'s call.
pub fn build_blocker(target: &Target, installed: &[String]) -> Option<String> {
    if !installed.iter().any(|t| t == target.triple) {
        return Some(format!(
            "the Rust standard library for {} is not installed; run `rustup target add {}`",
            target.triple, target.triple
        ));
    }
    None
}

/// Resolves `--dynamic-list` to kernel tables (GENERIC is always added: the fallback on a CPU
/// that lacks every listed ISA).
pub fn check_dynamic_list(list: &str) -> Result<Vec<&'static str>, String> {
    let mut chosen = Vec::new();
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let upper = name.to_ascii_uppercase();
        let table = match upper.as_str() {
            "ZEN" => "HASWELL",
            "COOPERLAKE" | "SAPPHIRERAPIDS" => "SKYLAKEX",
            other => KERNEL_TABLES
                .iter()
                .copied()
                .find(|t| *t == other)
                .ok_or_else(|| {
                    format!(
                        "--dynamic-list: unknown core '{name}'; valid: {}",
                        KERNEL_TABLES.join(", ")
                    )
                })?,
        };
        if !chosen.contains(&table) {
            chosen.push(table);
        }
    }
    if !chosen.contains(&"GENERIC") {
        chosen.insert(0, "GENERIC");
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_aliases_resolve() {
        assert_eq!(lookup("haswell").unwrap().name, "HASWELL");
        assert_eq!(lookup("Skylake-AVX512").unwrap().name, "SKYLAKEX");
        assert_eq!(lookup("zen3").unwrap().name, "ZEN");
    }

    #[test]
    fn unknown_names_get_the_closest_match() {
        let error = lookup("HASWEL").unwrap_err();
        assert!(error.contains("closest match: HASWELL"), "{error}");
        assert!(error.contains("SKYLAKEX"), "{error}");
    }

    #[test]
    fn no_named_target_uses_the_native_cpu() {
        assert!(TARGETS.iter().all(|t| t.cpu != "native"));
    }

    #[test]
    fn edit_distance_basics() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}

//! Runtime rules: which constructor and destructor entries belong to the toolchain (C runtime,
//! compiler and Rust std glue, never a finding), and which destructor tables each C runtime runs
//! when a library is unloaded, with the reason when it does not. The facts behind these rules are
//! in `docs/lifecycle-semantics.md` of the shared documentation.

use crate::audit::model::{Entry, Format, FunctionFacts, Mechanism, Runtime};

/// Functions that C runtimes and compilers put in constructor and destructor tables.
const TOOLCHAIN_FUNCTIONS: &[&str] = &[
    // GCC crtstuff.c
    "frame_dummy",
    "__do_global_dtors_aux",
    "register_tm_clones",
    "deregister_tm_clones",
    "__do_global_ctors_aux",
    // compiler-rt crtbegin.c
    "__do_init",
    "__do_fini",
    // compiler-rt builtins (cpu_model/aarch64.c, linked into every Rust aarch64 library through
    // compiler_builtins) and libgcc/compiler-rt's x86 cpu_model: they read the CPU's features
    // into the image's own globals and hold nothing to release
    "init_have_lse_atomics",
    "__init_cpu_features",
    "__cpu_indicator_init",
    // crti/crtn and old glibc
    "_init",
    "_fini",
    "__libc_csu_init",
    "__libc_csu_fini",
    // mingw-w64 CRT
    "__do_global_ctors",
    "__do_global_dtors",
    "pre_c_init",
    "pre_cpp_init",
    "__dyn_tls_init",
    "__dyn_tls_dtor",
    "__mingw_TLScallback",
    "_pei386_runtime_relocator",
    "__mingw_init_ehandler",
    "my_lconv_init",
    // libgcc's cygming-crtbegin (MinGW): registers unwind frames, deregisters them at exit
    "register_frame_ctor",
    "deregister_frame_dtor",
    "__gcc_register_frame",
    "__gcc_deregister_frame",
    // MSVC CRT
    "__scrt_initialize_type_info",
    "__scrt_uninitialize_type_info",
    "_RTC_Initialize",
    "_RTC_Terminate",
    "__acrt_initialize",
    "__acrt_uninitialize",
];

/// Imports that only toolchain glue references from a constructor or destructor slot.
const TOOLCHAIN_IMPORTS: &[&str] = &[
    "__cxa_finalize",
    "_ITM_registerTMCloneTable",
    "_ITM_deregisterTMCloneTable",
    "__register_frame_info",
    "__deregister_frame_info",
    "_Jv_RegisterClasses",
];

/// Why an entry belongs to the toolchain, if it does.
pub fn toolchain_reason(
    entry: &Entry,
    facts: Option<&FunctionFacts>,
    format: Format,
) -> Option<String> {
    if let Some(symbol) = &entry.symbol {
        // i386 stdcall decoration: `___dyn_tls_init@12`.
        let plain = symbol
            .split('@')
            .next()
            .unwrap_or(symbol)
            .trim_start_matches('_');
        if TOOLCHAIN_FUNCTIONS
            .iter()
            .any(|t| *t == symbol || t.trim_start_matches('_') == plain)
        {
            return Some(format!("{symbol} is C runtime / compiler glue"));
        }
        if symbol.contains("ARGV_INIT_ARRAY") || symbol.starts_with("_ZN3std") {
            return Some(format!("{symbol} belongs to the Rust standard library"));
        }
    }
    if let Some(reason) = dyld_toolchain_reason(entry, format) {
        return Some(reason);
    }
    if entry.symbol.is_none() && entry.mechanism == Mechanism::TlsCallback {
        return Some(
            "an unnamed TLS callback: in practice the C runtime's (__dyn_tls_init, \
             __dyn_tls_dtor) or Rust std's"
                .to_string(),
        );
    }
    if entry.symbol.is_none() && entry.mechanism == Mechanism::CrtXi && format == Format::Pe {
        return Some(
            "an unnamed .CRT$XI* initializer of a linked image: C initializers belong to the C \
             runtime (pre_c_init and kin)"
                .to_string(),
        );
    }
    if matches!(entry.mechanism, Mechanism::DtInit | Mechanism::DtFini)
        && matches!(
            entry.target_section.as_deref(),
            Some(".init") | Some(".fini")
        )
    {
        return Some("DT_INIT/DT_FINI at the start of .init/.fini: crti/crtn glue".to_string());
    }
    if let Some(facts) = facts {
        if let Some(import) = facts
            .imports
            .iter()
            .find(|i| TOOLCHAIN_IMPORTS.contains(&i.as_str()))
        {
            return Some(format!("references {import}, as only crtstuff glue does"));
        }
    }
    None
}

/// Does this destructor run when the library is unloaded, for this format and runtime?
pub fn runs_on_unload(mechanism: Mechanism, format: Format, runtime: Runtime) -> bool {
    if runtime == Runtime::Dyld {
        return dyld_runs_on_unload(mechanism);
    }
    match mechanism {
        Mechanism::FiniArray | Mechanism::DtFini => runtime != Runtime::Musl,
        Mechanism::Dtors => match format {
            // MinGW registers __do_global_dtors with atexit; glibc's crtstuff runs .dtors.
            Format::Elf => runtime != Runtime::Musl,
            _ => !matches!(runtime, Runtime::MsvcDynamic | Runtime::MsvcStatic),
        },
        // Only the static CRT's _cexit runs pre-terminators and terminators in a DLL.
        Mechanism::CrtXp | Mechanism::CrtXt => runtime == Runtime::MsvcStatic,
        Mechanism::ExitHandler => runtime != Runtime::Musl,
        Mechanism::TlsCallback => true,
        _ => false,
    }
}

/// Why a destructor of this table never runs on unload under this runtime, for messages.
pub fn never_runs_reason(mechanism: Mechanism, runtime: Runtime) -> String {
    match (mechanism, runtime) {
        (Mechanism::CrtXt | Mechanism::CrtXp, Runtime::Mingw) => {
            "the MinGW-w64 CRT never runs .CRT$XP*/.CRT$XT* tables".to_string()
        }
        (Mechanism::CrtXt | Mechanism::CrtXp, _) => {
            "a DLL using the dynamic CRT (/MD) never runs .CRT$XP*/.CRT$XT*; only the static CRT \
             (/MT) runs them from _cexit"
                .to_string()
        }
        (_, Runtime::Musl) => "musl never runs destructors on dlclose".to_string(),
        (_, Runtime::MsvcDynamic | Runtime::MsvcStatic) => {
            "the MSVC CRT does not run .dtors lists".to_string()
        }
        _ => "this runtime does not run this table on unload".to_string(),
    }
}

/// clang on Darwin lowers `__attribute__((destructor))` to a synthesized `__GLOBAL_init_<prio>`
/// initializer that registers the destructors with `__cxa_atexit`: compiler glue, whose
/// registered handlers the Mach-O reader lists as the image's exit-handler destructors.
fn dyld_toolchain_reason(entry: &Entry, format: Format) -> Option<String> {
    let symbol = entry.symbol.as_deref()?;
    (format == Format::Macho && symbol.starts_with("___GLOBAL_init_")).then(|| {
        format!("{symbol} is clang's registration of destructor functions with __cxa_atexit")
    })
}

/// dyld's rules for an image that `dlclose` really unloads (dyld4): `__cxa_finalize_ranges`
/// runs the `__cxa_atexit` handlers registered with the image's `__dso_handle` (and `atexit`
/// handlers that lie in it), and since macOS 13 (dyld-1042) `__mod_term_func` entries are
/// registered the same way, so they run too. Whether the image is unloaded at all is the
/// reader's `never_unloaded`.
fn dyld_runs_on_unload(mechanism: Mechanism) -> bool {
    matches!(mechanism, Mechanism::ExitHandler | Mechanism::ModTermFunc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unload_rules_follow_the_runtime() {
        assert!(!runs_on_unload(
            Mechanism::CrtXt,
            Format::Pe,
            Runtime::MsvcDynamic
        ));
        assert!(runs_on_unload(
            Mechanism::CrtXt,
            Format::Pe,
            Runtime::MsvcStatic
        ));
        assert!(!runs_on_unload(
            Mechanism::CrtXt,
            Format::Pe,
            Runtime::Mingw
        ));
        assert!(runs_on_unload(Mechanism::Dtors, Format::Pe, Runtime::Mingw));
        assert!(runs_on_unload(
            Mechanism::FiniArray,
            Format::Elf,
            Runtime::Glibc
        ));
        assert!(!runs_on_unload(
            Mechanism::InitArray,
            Format::Elf,
            Runtime::Glibc
        ));
    }
}

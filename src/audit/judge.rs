//! Judgement: which entries belong to the toolchain, which destructors really run on unload for
//! this runtime, which constructor each destructor undoes, and the findings that follow.

use crate::audit::disasm::is_exit_handler_registrar;
use crate::audit::model::{
    BinaryKind, Entry, FileReport, Finding, Format, FunctionFacts, Inventory, Mechanism, Origin,
    Role, Runtime, Severity,
};
use crate::rules::{self, Rule};
use std::collections::BTreeSet;

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

/// Constructor/destructor word pairs that name a function and its undo.
const NAME_PAIRS: &[(&str, &str)] = &[
    ("init", "quit"),
    ("init", "fini"),
    ("init", "deinit"),
    ("init", "uninit"),
    ("init", "exit"),
    ("init", "cleanup"),
    ("init", "term"),
    ("init", "shutdown"),
    ("init", "destroy"),
    ("init", "free"),
    ("initialize", "finalize"),
    ("initialize", "uninitialize"),
    ("initialize", "shutdown"),
    ("setup", "teardown"),
    ("setup", "cleanup"),
    ("create", "destroy"),
    ("start", "stop"),
    ("startup", "shutdown"),
    ("ctor", "dtor"),
    ("constructor", "destructor"),
    ("load", "unload"),
    ("open", "close"),
    ("alloc", "free"),
    ("attach", "detach"),
    ("register", "unregister"),
    ("register", "deregister"),
    ("begin", "end"),
];

/// Why an entry belongs to the toolchain, if it does.
fn toolchain_reason(
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

/// clang on Darwin lowers `__attribute__((destructor))` to a synthesized `__GLOBAL_init_<prio>`
/// initializer that registers the destructors with `__cxa_atexit`: compiler glue, whose
/// registered handlers the Mach-O reader lists as the image's exit-handler destructors.
fn dyld_toolchain_reason(entry: &Entry, format: Format) -> Option<String> {
    let symbol = entry.symbol.as_deref()?;
    (format == Format::Macho && symbol.starts_with("___GLOBAL_init_")).then(|| {
        format!("{symbol} is clang's registration of destructor functions with __cxa_atexit")
    })
}

/// Does this destructor run when the library is unloaded, for this format and runtime?
fn runs_on_unload(mechanism: Mechanism, format: Format, runtime: Runtime) -> bool {
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

/// dyld's rules for an image that `dlclose` really unloads (dyld4): `__cxa_finalize_ranges`
/// runs the `__cxa_atexit` handlers registered with the image's `__dso_handle` (and `atexit`
/// handlers that lie in it), and since macOS 13 (dyld-1042) `__mod_term_func` entries are
/// registered the same way, so they run too. Whether the image is unloaded at all is the
/// reader's `never_unloaded`.
fn dyld_runs_on_unload(mechanism: Mechanism) -> bool {
    matches!(mechanism, Mechanism::ExitHandler | Mechanism::ModTermFunc)
}

/// If `destructor` undoes `constructor` by its name, the words that matched.
fn name_pair(constructor: &str, destructor: &str) -> Option<(&'static str, &'static str)> {
    let ctor = constructor.to_ascii_lowercase();
    let dtor = destructor.to_ascii_lowercase();
    for (make, undo) in NAME_PAIRS {
        for (at, _) in ctor.match_indices(make) {
            let candidate = format!("{}{}{}", &ctor[..at], undo, &ctor[at + make.len()..]);
            if candidate == dtor {
                return Some((make, undo));
            }
        }
    }
    None
}

fn describe(entry: &Entry) -> String {
    match &entry.symbol {
        Some(symbol) => symbol.clone(),
        None => format!("the function at {:#x}", entry.address),
    }
}

fn finding(rule: &'static Rule, severity: Severity, entry: &Entry, message: String) -> Finding {
    Finding {
        rule: rule.id,
        rule_name: rule.name,
        severity,
        message,
        address: Some(entry.address),
        symbol: entry.symbol.clone(),
        fingerprint: None,
        allowed: None,
        baseline_state: None,
    }
}

/// Turns an inventory into the report for one file.
pub fn judge(inventory: Inventory, path: &str, member: Option<String>) -> FileReport {
    let format = inventory.format;
    let runtime = inventory.runtime;
    let mut entries: Vec<Entry> = inventory
        .entries
        .iter()
        .map(|raw| Entry {
            role: raw.mechanism.role(),
            mechanism: raw.mechanism,
            address: raw.address,
            symbol: raw.symbol.clone(),
            section: raw.section.clone(),
            origin: Origin::User,
            runs_on_unload: raw.mechanism.role() == Role::Destructor
                && runs_on_unload(raw.mechanism, format, runtime),
            registers_exit_handler: false,
            paired_with: None,
            slot: raw.slot,
            priority: raw.priority,
            target_section: raw.target_section.clone(),
            resolved_by: raw.resolved_by,
            exit_handler_call: None,
            paired_by: None,
            paired_with_symbol: None,
            why_origin: None,
            calls_nothing: false,
            runs_on_unload_because: None,
            key: raw.target,
        })
        .collect();
    let mut probable_registrations: Vec<(u64, u64)> = Vec::new();
    for entry in &mut entries {
        let facts = inventory.facts.get(&entry.key);
        if let Some(reason) = toolchain_reason(entry, facts, format) {
            entry.origin = Origin::Toolchain;
            entry.why_origin = Some(reason);
        }
        entry.calls_nothing = facts.is_some_and(|f| f.analysed && f.calls == 0);
        if let Some(call) = facts.and_then(|f| f.exit_handler_call.clone()) {
            entry.registers_exit_handler = true;
            entry.exit_handler_call = Some(call);
        }
        // Where the C runtime is linked in (MinGW, /MT) its atexit is a local function with no
        // name once stripped: a constructor that hands a code address to a local function is
        // taken to register it, and says so.
        if !entry.registers_exit_handler
            && format == Format::Pe
            && matches!(runtime, Runtime::Mingw | Runtime::MsvcStatic)
        {
            if let Some(handler) = facts.and_then(|f| f.handlers_passed_to_local.iter().next()) {
                entry.registers_exit_handler = true;
                entry.exit_handler_call = Some(format!(
                    "a statically linked atexit (probable: passes {handler:#x} to an unnamed local function)"
                ));
                probable_registrations.push((entry.key, *handler));
            }
        }
        // A slot that points straight at a registrar (rare, but seen) is a registration too.
        if entry
            .symbol
            .as_deref()
            .is_some_and(is_exit_handler_registrar)
        {
            entry.registers_exit_handler = true;
        }
    }

    // Pairing, constructor by constructor: by registered exit handler, by name, by state.
    let constructors: Vec<usize> = (0..entries.len())
        .filter(|&i| entries[i].role == Role::Constructor && entries[i].origin == Origin::User)
        .collect();
    for &c in &constructors {
        let key = entries[c].key;
        let mut facts = inventory.facts.get(&key).cloned().unwrap_or_default();
        if facts.registered_handlers.is_empty() {
            if let Some((_, handler)) = probable_registrations.iter().find(|(k, _)| *k == key) {
                facts.registered_handlers.insert(*handler);
                facts.exit_handler_call = entries[c].exit_handler_call.clone();
            }
        }
        let mut partner: Option<(usize, String)> = None;
        // A constructor registers one handler in practice; the first is its partner.
        if let Some(handler) = facts.registered_handlers.iter().next() {
            let existing = entries
                .iter()
                .position(|e| e.role == Role::Destructor && e.key == *handler);
            let index = existing.unwrap_or_else(|| {
                entries.push(Entry {
                    role: Role::Destructor,
                    mechanism: Mechanism::ExitHandler,
                    address: inventory
                        .display_addresses
                        .get(handler)
                        .copied()
                        .unwrap_or(*handler),
                    symbol: inventory.function_names.get(handler).cloned(),
                    section: "exit handler".to_string(),
                    origin: Origin::User,
                    runs_on_unload: runs_on_unload(Mechanism::ExitHandler, format, runtime),
                    registers_exit_handler: false,
                    paired_with: None,
                    slot: 0,
                    priority: None,
                    target_section: None,
                    resolved_by: "argument of the exit-handler registration",
                    exit_handler_call: None,
                    paired_by: None,
                    paired_with_symbol: None,
                    why_origin: None,
                    calls_nothing: false,
                    runs_on_unload_because: None,
                    key: *handler,
                });
                entries.len() - 1
            });
            let call = facts.exit_handler_call.clone().unwrap_or_default();
            partner = Some((index, format!("registered with {call}")));
        }
        let candidates: Vec<usize> = (0..entries.len())
            .filter(|&d| {
                entries[d].role == Role::Destructor
                    && entries[d].origin == Origin::User
                    && entries[d].paired_with.is_none()
            })
            .collect();
        if partner.is_none() {
            if let Some(ctor_name) = entries[c].symbol.clone() {
                partner = candidates.iter().find_map(|&d| {
                    let dtor_name = entries[d].symbol.as_deref()?;
                    let (make, undo) = name_pair(&ctor_name, dtor_name)?;
                    Some((d, format!("name ({make}/{undo})")))
                });
            }
        }
        if partner.is_none() && !facts.globals.is_empty() {
            partner = candidates
                .iter()
                .filter_map(|&d| {
                    let theirs = inventory.facts.get(&entries[d].key)?;
                    let shared: Vec<&String> =
                        facts.globals.intersection(&theirs.globals).collect();
                    (!shared.is_empty()).then(|| (d, shared.len(), shared[0].clone()))
                })
                .max_by_key(|(_, count, _)| *count)
                .map(|(d, _, global)| (d, format!("shared state ({global})")));
        }
        if partner.is_none() {
            // Weaker: the state that the functions each one calls directly touch.
            let ours: BTreeSet<&String> =
                facts.globals.iter().chain(&facts.callee_globals).collect();
            partner = candidates
                .iter()
                .filter(|&&d| entries[d].mechanism != Mechanism::ExitHandler)
                .filter_map(|&d| {
                    let theirs = inventory.facts.get(&entries[d].key)?;
                    let shared: Vec<&String> = theirs
                        .globals
                        .iter()
                        .chain(&theirs.callee_globals)
                        .filter(|g| ours.contains(g))
                        .collect();
                    (!shared.is_empty()).then(|| (d, shared.len(), shared[0].clone()))
                })
                .max_by_key(|(_, count, _)| *count)
                .map(|(d, _, global)| (d, format!("shared state through callees ({global})")));
        }
        if let Some((d, how)) = partner {
            let (c_address, c_symbol) = (entries[c].address, entries[c].symbol.clone());
            let (d_address, d_symbol) = (entries[d].address, entries[d].symbol.clone());
            entries[c].paired_with = Some(d_address);
            entries[c].paired_with_symbol = d_symbol;
            entries[c].paired_by = Some(how.clone());
            entries[d].paired_with = Some(c_address);
            entries[d].paired_with_symbol = c_symbol;
            entries[d].paired_by = Some(how);
        }
    }

    // DllMain (PE): a destructor it calls runs on FreeLibrary whatever its table; an unpaired
    // constructor's counterpart may be called from there and nowhere else.
    if let Some((dll_main, callees)) = &inventory.dll_main {
        let because = format!(
            "called from DllMain at {dll_main:#x} (its DLL_PROCESS_DETACH path is assumed)"
        );
        for entry in entries
            .iter_mut()
            .filter(|e| e.role == Role::Destructor && !e.runs_on_unload)
        {
            if callees.iter().any(|(key, _, _)| *key == entry.key) {
                entry.runs_on_unload = true;
                entry.runs_on_unload_because = Some(because.clone());
            }
        }
        for &c in &constructors {
            if entries[c].paired_with.is_some() || entries[c].registers_exit_handler {
                continue;
            }
            let ctor_globals = inventory
                .facts
                .get(&entries[c].key)
                .map(|f| f.globals.clone())
                .unwrap_or_default();
            let ctor_name = entries[c].symbol.clone();
            let matched = callees.iter().find_map(|(key, name, facts)| {
                if *key == entries[c].key {
                    return None;
                }
                if let (Some(ctor), Some(dtor)) = (&ctor_name, name) {
                    if let Some((make, undo)) = name_pair(ctor, dtor) {
                        return Some((*key, name.clone(), format!("name ({make}/{undo})")));
                    }
                }
                let shared = ctor_globals.intersection(&facts.globals).next()?;
                Some((*key, name.clone(), format!("shared state ({shared})")))
            });
            if let Some((key, name, how)) = matched {
                let (c_address, c_symbol) = (entries[c].address, entries[c].symbol.clone());
                entries[c].paired_with = Some(key);
                entries[c].paired_with_symbol = name.clone();
                entries[c].paired_by = Some(how.clone());
                entries.push(Entry {
                    role: Role::Destructor,
                    mechanism: Mechanism::DllMain,
                    address: key,
                    symbol: name,
                    section: "DllMain".to_string(),
                    origin: Origin::User,
                    runs_on_unload: true,
                    registers_exit_handler: false,
                    paired_with: Some(c_address),
                    slot: 0,
                    priority: None,
                    target_section: None,
                    resolved_by: "called from DllMain",
                    exit_handler_call: None,
                    paired_by: Some(how),
                    paired_with_symbol: c_symbol,
                    why_origin: None,
                    calls_nothing: false,
                    runs_on_unload_because: Some(because.clone()),
                    key,
                });
            }
        }
    }

    // Findings.
    let mut findings = Vec::new();
    let checked_registrars = "atexit, _onexit, _crt_atexit, _register_onexit_function, \
                              __cxa_atexit, __cxa_thread_atexit_impl";
    for &c in &constructors {
        let ctor = &entries[c];
        // A constructor that calls nothing only stores into the image's own memory (C++
        // initialisers of trivially destructible globals look like this): it acquires nothing
        // an unload could leak.
        if ctor.mechanism == Mechanism::TlsCallback
            || ctor.registers_exit_handler
            || (ctor.calls_nothing && ctor.paired_with.is_none())
        {
            continue;
        }
        let partner = ctor.paired_with.and_then(|address| {
            entries.iter().find(|e| {
                e.role == Role::Destructor
                    && e.address == address
                    && e.paired_with == Some(ctor.address)
            })
        });
        match partner {
            Some(dtor) if dtor.runs_on_unload => {}
            // Paired, and the library is never unloaded: nothing is left to undo.
            Some(_) if inventory.never_unloaded.is_some() => {}
            Some(dtor) => {
                let message = format!(
                    "{dtor_name} ({section}) is the only destructor for constructor {ctor_name} \
                     ({ctor_section}, paired by {how}), but {why}: {ctor_name}'s work is never \
                     undone when the library is unloaded. {fix}",
                    dtor_name = describe(dtor),
                    section = dtor.section,
                    ctor_name = describe(ctor),
                    ctor_section = ctor.section,
                    how = dtor.paired_by.as_deref().unwrap_or("evidence"),
                    why = never_runs_reason(dtor.mechanism, runtime),
                    fix = if matches!(format, Format::Pe | Format::Coff) {
                        windows_fix(ctor, dtor)
                    } else {
                        "Fix: register the cleanup with atexit() in the constructor, or move it \
                         to a table this runtime runs on unload (.fini_array on glibc)."
                            .to_string()
                    },
                );
                findings.push(finding(
                    &rules::DESTRUCTOR_NEVER_RUNS,
                    Severity::Error,
                    dtor,
                    message,
                ));
            }
            None => {
                let facts = inventory.facts.get(&ctor.key);
                let analysed = facts.is_some_and(|f| f.analysed);
                let user_destructors: Vec<String> = entries
                    .iter()
                    .filter(|e| e.role == Role::Destructor && e.origin == Origin::User)
                    .map(describe)
                    .collect();
                let checked = match user_destructors.len() {
                    0 => "there is no user destructor at all".to_string(),
                    count => {
                        const LISTED: usize = 4;
                        let mut names = user_destructors[..count.min(LISTED)].join(", ");
                        if count > LISTED {
                            names.push_str(&format!(" and {} more", count - LISTED));
                        }
                        format!(
                            "none of the {count} user destructor(s) ({names}) matches it by \
                             name, registration or shared state"
                        )
                    }
                };
                let (severity, code) = if analysed {
                    (
                        Severity::Warning,
                        format!(
                            "and it calls none of {checked_registrars} (followed 3 call levels)"
                        ),
                    )
                } else {
                    (
                        Severity::Note,
                        "and its code could not be analysed for exit-handler registration \
                         (unsupported instruction set or unreadable code)"
                            .to_string(),
                    )
                };
                let mut message = format!(
                    "constructor {name} ({section}) runs on every load, but nothing undoes it \
                     on unload: {checked}, {code}.",
                    name = describe(ctor),
                    section = ctor.section,
                );
                if matches!(format, Format::Pe | Format::Coff) {
                    let init = ctor
                        .symbol
                        .as_deref()
                        .map_or("INIT", |s| s.trim_start_matches('_'));
                    message.push_str(&format!(
                        " Fix: give it a cleanup and call that from DllMain on \
                         DLL_PROCESS_DETACH (`blastool template dllmain --init {init} --quit \
                         CLEANUP` renders one) or register it with atexit() in the constructor."
                    ));
                }
                findings.push(finding(
                    &rules::UNPAIRED_CONSTRUCTOR,
                    severity,
                    ctor,
                    message,
                ));
            }
        }
    }
    for dtor in entries.iter().filter(|e| {
        e.role == Role::Destructor
            && e.origin == Origin::User
            && !e.runs_on_unload
            && e.paired_with.is_none()
    }) {
        let message = format!(
            "destructor {name} ({section}) never runs on unload: {why}.",
            name = describe(dtor),
            section = dtor.section,
            why = never_runs_reason(dtor.mechanism, runtime),
        );
        findings.push(finding(
            &rules::DESTRUCTOR_NEVER_RUNS,
            Severity::Warning,
            dtor,
            message,
        ));
    }
    if let Some(reason) = &inventory.never_unloaded {
        for finding in &mut findings {
            finding.severity = Severity::Note;
            finding
                .message
                .push_str(&format!(" Not a leak here: {reason}."));
        }
    }
    if inventory.kind == BinaryKind::Object && runtime == Runtime::Unknown && format == Format::Coff
    {
        for finding in findings
            .iter_mut()
            .filter(|f| f.rule == rules::DESTRUCTOR_NEVER_RUNS.id)
        {
            finding.message.push_str(
                " (This object names no CRT; linked with the static CRT, /MT, the destructor \
                 would run.)",
            );
        }
    }

    let mut report = FileReport::empty(path, member, format);
    report.arch = Some(inventory.arch);
    report.runtime = Some(runtime);
    report.kind = Some(inventory.kind);
    report.runtime_evidence = Some(inventory.runtime_evidence.clone());
    report.never_unloaded = inventory.never_unloaded.clone();
    report.evidence = inventory.evidence.clone();
    report.entries = entries;
    report.findings = findings;
    report.audited = true;
    report
}

/// Pairs, by name, constructors left unpaired in one archive member with destructors in the
/// other members: a static library's init and cleanup often live in different objects, and the
/// linker brings both in. Shared state cannot be compared across members (each has its own
/// section offsets), so only names count here.
pub fn pair_across_members(reports: &mut [FileReport]) {
    // Every named user destructor that runs on unload: (member index, entry index, symbol,
    // address, member name).
    #[allow(clippy::type_complexity)]
    let destructors: Vec<(usize, usize, String, u64, Option<String>)> = reports
        .iter()
        .enumerate()
        .flat_map(|(r, report)| {
            report
                .entries
                .iter()
                .enumerate()
                .filter(|(_, entry)| {
                    entry.role == Role::Destructor
                        && entry.origin == Origin::User
                        && entry.runs_on_unload
                })
                .filter_map(move |(e, entry)| {
                    let symbol = entry.symbol.clone()?;
                    Some((r, e, symbol, entry.address, report.member.clone()))
                })
        })
        .collect();
    for (r, report) in reports.iter_mut().enumerate() {
        let unpaired: Vec<(usize, String)> = report
            .findings
            .iter()
            .filter(|f| f.rule == rules::UNPAIRED_CONSTRUCTOR.id)
            .filter_map(|f| f.symbol.clone())
            .filter_map(|symbol| {
                let index = report.entries.iter().position(|e| {
                    e.role == Role::Constructor && e.symbol.as_deref() == Some(symbol.as_str())
                })?;
                Some((index, symbol))
            })
            .collect();
        for (entry_index, ctor) in unpaired {
            let Some((_, _, dtor, address, member)) = destructors
                .iter()
                .find(|(dr, _, dtor, _, _)| *dr != r && name_pair(&ctor, dtor).is_some())
            else {
                continue;
            };
            let (make, undo) = name_pair(&ctor, dtor).unwrap_or(("", ""));
            let entry = &mut report.entries[entry_index];
            entry.paired_with = Some(*address);
            entry.paired_with_symbol = Some(dtor.clone());
            entry.paired_by = Some(format!(
                "name ({make}/{undo}), destructor in archive member {}",
                member.as_deref().unwrap_or("?")
            ));
            report.findings.retain(|f| {
                !(f.rule == rules::UNPAIRED_CONSTRUCTOR.id
                    && f.symbol.as_deref() == Some(ctor.as_str()))
            });
        }
    }
}

/// The two fixes a Windows developer can apply, with the command that renders the first.
fn windows_fix(ctor: &Entry, dtor: &Entry) -> String {
    let name = |entry: &Entry, fallback: &str| match &entry.symbol {
        Some(symbol) => symbol.trim_start_matches('_').to_string(),
        None => fallback.to_string(),
    };
    format!(
        "Fix: call the cleanup from DllMain on DLL_PROCESS_DETACH (`blastool template dllmain \
         --init {} --quit {}` renders one) or register it with atexit() in the constructor; or \
         ship the library as its own DLL instead of linking it statically.",
        name(ctor, "INIT"),
        name(dtor, "QUIT"),
    )
}

fn never_runs_reason(mechanism: Mechanism, runtime: Runtime) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_pairs_match_whole_words_only_where_they_replace() {
        assert_eq!(
            name_pair("gotoblas_init", "gotoblas_quit"),
            Some(("init", "quit"))
        );
        assert_eq!(name_pair("lib_init", "lib_fini"), Some(("init", "fini")));
        assert_eq!(name_pair("_lib_init", "_lib_quit"), Some(("init", "quit")));
        assert_eq!(
            name_pair("PoolCreate", "PoolDestroy"),
            Some(("create", "destroy"))
        );
        assert_eq!(name_pair("lib_init", "other_quit"), None);
        assert_eq!(name_pair("prio_early_init", "prio_late_quit"), None);
    }

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

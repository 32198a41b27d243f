//! Findings: what the paired entries of one file amount to. A user constructor whose partner
//! never runs on unload, a user constructor with no partner at all, and a user destructor that
//! never runs each become a finding of the rule in `crate::rules`, with the fix for the format.

use super::runtime_rules::never_runs_reason;
use crate::audit::model::{
    BinaryKind, Entry, Finding, Format, Inventory, Mechanism, Origin, Role, Runtime, Severity,
};
use crate::rules::{self, Rule};

/// The registrars the code walk looks for, as the messages name them.
const CHECKED_REGISTRARS: &str = "atexit, _onexit, _crt_atexit, _register_onexit_function, \
                                  __cxa_atexit, __cxa_thread_atexit_impl";

/// How many user destructors a message names before it counts the rest.
const LISTED_DESTRUCTORS: usize = 4;

/// The findings for one file's judged entries; `constructors` are the user constructors.
pub fn findings(entries: &[Entry], constructors: &[usize], inventory: &Inventory) -> Vec<Finding> {
    let mut findings: Vec<Finding> = constructors
        .iter()
        .filter_map(|&c| constructor_finding(entries, &entries[c], inventory))
        .collect();
    findings.extend(
        entries
            .iter()
            .filter(|e| {
                e.role == Role::Destructor
                    && e.origin == Origin::User
                    && !e.runs_on_unload
                    && e.paired_with.is_none()
            })
            .map(|dtor| lone_destructor_finding(dtor, inventory.runtime)),
    );
    qualify(&mut findings, inventory);
    findings
}

/// The finding for one user constructor, if its work may outlive an unload.
fn constructor_finding(entries: &[Entry], ctor: &Entry, inventory: &Inventory) -> Option<Finding> {
    // A constructor that calls nothing only stores into the image's own memory (C++
    // initialisers of trivially destructible globals look like this): it acquires nothing
    // an unload could leak.
    if ctor.mechanism == Mechanism::TlsCallback
        || ctor.registers_exit_handler
        || (ctor.calls_nothing && ctor.paired_with.is_none())
    {
        return None;
    }
    let partner = ctor.paired_with.and_then(|address| {
        entries.iter().find(|e| {
            e.role == Role::Destructor
                && e.address == address
                && e.paired_with == Some(ctor.address)
        })
    });
    match partner {
        Some(dtor) if dtor.runs_on_unload => None,
        // Paired, and the library is never unloaded: nothing is left to undo.
        Some(_) if inventory.never_unloaded.is_some() => None,
        Some(dtor) => Some(partner_never_runs(ctor, dtor, inventory)),
        None => Some(unpaired_constructor(entries, ctor, inventory)),
    }
}

/// The constructor's only destructor is in a table this runtime does not run on unload.
fn partner_never_runs(ctor: &Entry, dtor: &Entry, inventory: &Inventory) -> Finding {
    let message = format!(
        "{dtor_name} ({section}) is the only destructor for constructor {ctor_name} \
         ({ctor_section}, paired by {how}), but {why}: {ctor_name}'s work is never \
         undone when the library is unloaded. {fix}",
        dtor_name = describe(dtor),
        section = dtor.section,
        ctor_name = describe(ctor),
        ctor_section = ctor.section,
        how = dtor.paired_by.as_deref().unwrap_or("evidence"),
        why = never_runs_reason(dtor.mechanism, inventory.runtime),
        fix = if matches!(inventory.format, Format::Pe | Format::Coff) {
            windows_fix(ctor, dtor)
        } else {
            "Fix: register the cleanup with atexit() in the constructor, or move it \
             to a table this runtime runs on unload (.fini_array on glibc)."
                .to_string()
        },
    );
    finding(
        &rules::DESTRUCTOR_NEVER_RUNS,
        Severity::Error,
        dtor,
        message,
    )
}

/// Nothing undoes the constructor: a warning when its code was read, a note when it could not be.
fn unpaired_constructor(entries: &[Entry], ctor: &Entry, inventory: &Inventory) -> Finding {
    let analysed = inventory.facts.get(&ctor.key).is_some_and(|f| f.analysed);
    let (severity, code) = if analysed {
        (
            Severity::Warning,
            format!("and it calls none of {CHECKED_REGISTRARS} (followed 3 call levels)"),
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
        checked = destructors_checked(entries),
    );
    if matches!(inventory.format, Format::Pe | Format::Coff) {
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
    finding(&rules::UNPAIRED_CONSTRUCTOR, severity, ctor, message)
}

/// Which user destructors were tried, for the unpaired-constructor message.
fn destructors_checked(entries: &[Entry]) -> String {
    let user_destructors: Vec<String> = entries
        .iter()
        .filter(|e| e.role == Role::Destructor && e.origin == Origin::User)
        .map(describe)
        .collect();
    match user_destructors.len() {
        0 => "there is no user destructor at all".to_string(),
        count => {
            let mut names = user_destructors[..count.min(LISTED_DESTRUCTORS)].join(", ");
            if count > LISTED_DESTRUCTORS {
                names.push_str(&format!(" and {} more", count - LISTED_DESTRUCTORS));
            }
            format!(
                "none of the {count} user destructor(s) ({names}) matches it by \
                 name, registration or shared state"
            )
        }
    }
}

/// A user destructor that pairs with nothing and never runs on unload.
fn lone_destructor_finding(dtor: &Entry, runtime: Runtime) -> Finding {
    let message = format!(
        "destructor {name} ({section}) never runs on unload: {why}.",
        name = describe(dtor),
        section = dtor.section,
        why = never_runs_reason(dtor.mechanism, runtime),
    );
    finding(
        &rules::DESTRUCTOR_NEVER_RUNS,
        Severity::Warning,
        dtor,
        message,
    )
}

/// What the whole file changes about its findings: an image that is never unloaded turns them
/// into notes; a COFF object that names no CRT may yet be linked with the one that runs them.
fn qualify(findings: &mut [Finding], inventory: &Inventory) {
    if let Some(reason) = &inventory.never_unloaded {
        for finding in findings.iter_mut() {
            finding.severity = Severity::Note;
            finding
                .message
                .push_str(&format!(" Not a leak here: {reason}."));
        }
    }
    if inventory.kind == BinaryKind::Object
        && inventory.runtime == Runtime::Unknown
        && inventory.format == Format::Coff
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

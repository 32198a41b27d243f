//! Findings: what the paired entries of one file amount to. A user constructor whose partner
//! never runs on unload, a user constructor with no partner at all, and a user destructor that
//! never runs each become a finding of the rule in `crate::rules`, with the fix for the format.

use super::runtime_rules::never_runs_reason;
use crate::audit::model::{
    BinaryKind, Entry, Finding, Format, Inventory, Mechanism, Origin, Resource, Role, Runtime,
    Severity,
};
use crate::audit::walk::resources::{acquired_by, left_behind};
use crate::audit::walk::MAX_CALL_DEPTH;
use crate::rules::{self, Rule};
use std::collections::BTreeSet;

/// The registrars the code walk looks for, as the messages name them.
const CHECKED_REGISTRARS: &str = "atexit, _onexit, _crt_atexit, _register_onexit_function, \
                                  __cxa_atexit, __cxa_thread_atexit_impl";

/// How many user destructors a message names before it counts the rest.
const LISTED_DESTRUCTORS: usize = 4;
/// How many places the walk could not follow a message names before it counts the rest.
const LISTED_NOT_FOLLOWED: usize = 3;

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
    if ctor.mechanism == Mechanism::TlsCallback {
        return None;
    }
    if ctor.registers_exit_handler {
        return handlers_leave_behind(ctor, inventory);
    }
    let partner = ctor.paired_with.and_then(|address| {
        entries.iter().find(|e| {
            e.role == Role::Destructor
                && e.address == address
                && e.paired_with == Some(ctor.address)
        })
    });
    match partner {
        Some(dtor) if dtor.runs_on_unload => {
            let how = format!(
                "its destructor {} (paired by {}) runs on unload",
                describe(dtor),
                dtor.paired_by.as_deref().unwrap_or("evidence")
            );
            left_behind_by(ctor, &[dtor.key], &how, inventory)
        }
        // Paired, and the library is never unloaded: nothing is left to undo.
        Some(_) if inventory.never_unloaded.is_some() => None,
        _ if acquires_nothing(ctor) => None,
        Some(dtor) => Some(partner_never_runs(ctor, dtor, inventory)),
        None => Some(unpaired_constructor(entries, ctor, inventory)),
    }
}

/// What a constructor acquires that the functions meant to undo it (its destructor, the exit
/// handlers it registers) never give back, when all of their code was read: a `sem_open`
/// without `sem_close`, a `pthread_key_create` without `pthread_key_delete`. `undoers` are
/// engine keys; `how` says how they relate to the constructor, for the message.
fn left_behind_by(
    ctor: &Entry,
    undoers: &[u64],
    how: &str,
    inventory: &Inventory,
) -> Option<Finding> {
    let ctor_facts = inventory.facts.get(&ctor.key)?;
    if undoers.is_empty() || ctor.acquires_unknown {
        return None;
    }
    let mut released: BTreeSet<String> = ctor_facts.imports.clone();
    for undoer in undoers {
        let facts = inventory.facts.get(undoer)?;
        if !facts.analysed || !facts.unfollowed.is_empty() {
            return None;
        }
        released.extend(facts.imports.iter().cloned());
    }
    let left = left_behind(&ctor_facts.imports, &released);
    if left.is_empty() {
        return None;
    }
    let kinds: BTreeSet<Resource> = left.iter().map(|(_, kind)| *kind).collect();
    let names: Vec<String> = left
        .iter()
        .map(|(import, kind)| format!("{} ({import})", kind.name()))
        .collect();
    let message = format!(
        "constructor {name} ({section}) acquires {acquired} on every load; {how}, but \
         nothing there gives that back (followed {MAX_CALL_DEPTH} call levels): it stays \
         behind after every unload.",
        name = describe(ctor),
        section = ctor.section,
        acquired = names.join(", "),
    );
    let severity = if kinds.contains(&Resource::Thread) {
        Severity::Error
    } else if kinds.iter().all(|k| *k == Resource::Module) {
        Severity::Note
    } else {
        Severity::Warning
    };
    Some(finding(
        &rules::UNPAIRED_CONSTRUCTOR,
        severity,
        ctor,
        message,
    ))
}

/// A constructor that registers exit handlers: a finding only for what they leave behind.
fn handlers_leave_behind(ctor: &Entry, inventory: &Inventory) -> Option<Finding> {
    let handlers: Vec<u64> = inventory
        .facts
        .get(&ctor.key)?
        .registered_handlers
        .iter()
        .copied()
        .collect();
    let how = format!(
        "the {} exit handler(s) it registers with {} run on unload",
        handlers.len(),
        ctor.exit_handler_call
            .as_deref()
            .unwrap_or("an exit-handler registration")
    );
    left_behind_by(ctor, &handlers, &how, inventory)
}

/// The walk saw all of the constructor's code and it acquires nothing an unload could leak:
/// it only reads the environment, fills tables, or stores into the image's own memory.
fn acquires_nothing(ctor: &Entry) -> bool {
    !ctor.acquires_unknown && kept(ctor).is_empty()
}

/// The kinds the constructor acquires and does not itself undo by registering an exit
/// handler: everything except `exit_handler`.
fn kept(ctor: &Entry) -> Vec<Resource> {
    ctor.acquires
        .iter()
        .copied()
        .filter(|r| *r != Resource::ExitHandler)
        .collect()
}

/// How bad an unpaired constructor is, by what it keeps (the rule page explains each):
/// a thread left running code of an unloaded library crashes the process (error); heap,
/// TLS keys, mappings and handles grow with every load (warning); a module reference, what it
/// also gives back itself, and code the walk could not follow are notes.
fn unpaired_severity(ctor: &Entry) -> Severity {
    // Giving a kind back counts only when the walk saw all of the code: with calls it could
    // not follow, the release it saw may belong to another allocation.
    let unreleased: Vec<Resource> = kept(ctor)
        .into_iter()
        .filter(|r| ctor.acquires_unknown || !ctor.releases.contains(r))
        .collect();
    if unreleased.contains(&Resource::Thread) {
        Severity::Error
    } else if unreleased.iter().any(|r| *r != Resource::Module) {
        Severity::Warning
    } else {
        Severity::Note
    }
}

/// "acquires heap (malloc), thread (pthread_create)" or what could not be followed.
fn what_it_acquires(ctor: &Entry) -> String {
    let kept = kept(ctor);
    let mut text = if kept.is_empty() {
        "acquires nothing the code walk can see".to_string()
    } else {
        let names: Vec<&str> = kept.iter().map(|r| r.name()).collect();
        let through: Vec<&str> = ctor
            .acquired_through
            .iter()
            .map(String::as_str)
            .filter(|name| acquired_by(name).is_some_and(|r| r != Resource::ExitHandler))
            .collect();
        format!("acquires {} ({})", names.join(", "), through.join(", "))
    };
    let released: Vec<&str> = ctor
        .releases
        .iter()
        .filter(|r| kept.contains(r))
        .map(|r| r.name())
        .collect();
    if !released.is_empty() && !ctor.acquires_unknown {
        text.push_str(&format!(
            " and also gives back {} itself, so it may keep nothing",
            released.join(", ")
        ));
    }
    if ctor.acquires_unknown {
        text.push_str(&format!(
            "; it {} could not be followed ({})",
            if kept.is_empty() {
                "makes calls that"
            } else {
                "also makes calls that"
            },
            not_followed_summary(ctor)
        ));
    }
    text
}

/// The first few things the walk could not follow, and how many more.
fn not_followed_summary(entry: &Entry) -> String {
    let shown: Vec<&str> = entry
        .not_followed
        .iter()
        .take(LISTED_NOT_FOLLOWED)
        .map(String::as_str)
        .collect();
    let mut text = shown.join("; ");
    if entry.not_followed.len() > LISTED_NOT_FOLLOWED {
        text.push_str(&format!(
            "; and {} more",
            entry.not_followed.len() - LISTED_NOT_FOLLOWED
        ));
    }
    text
}

/// The constructor's only destructor is in a table this runtime does not run on unload.
fn partner_never_runs(ctor: &Entry, dtor: &Entry, inventory: &Inventory) -> Finding {
    let message = format!(
        "{dtor_name} ({section}) is the only destructor for constructor {ctor_name} \
         ({ctor_section}, paired by {how}), but {why}: {ctor_name} {acquires}, and that is \
         never undone when the library is unloaded. {fix}",
        dtor_name = describe(dtor),
        section = dtor.section,
        ctor_name = describe(ctor),
        ctor_section = ctor.section,
        how = dtor.paired_by.as_deref().unwrap_or("evidence"),
        why = never_runs_reason(dtor.mechanism, inventory.runtime),
        acquires = what_it_acquires(ctor),
        fix = if matches!(inventory.format, Format::Pe | Format::Coff) {
            windows_fix(ctor, dtor)
        } else {
            "Fix: register the cleanup with atexit() in the constructor, or move it \
             to a table this runtime runs on unload (.fini_array on glibc)."
                .to_string()
        },
    );
    // Its author wrote a cleanup for it: whatever it keeps is meant to be undone.
    let severity = if kept(ctor).is_empty() {
        Severity::Note
    } else {
        Severity::Error
    };
    finding(&rules::DESTRUCTOR_NEVER_RUNS, severity, dtor, message)
}

/// Nothing undoes the constructor; how bad that is depends on what it acquires.
fn unpaired_constructor(entries: &[Entry], ctor: &Entry, inventory: &Inventory) -> Finding {
    let mut message = format!(
        "constructor {name} ({section}) runs on every load and {acquires}, but nothing \
         undoes it on unload: {checked}, and it calls none of {CHECKED_REGISTRARS} \
         (followed {MAX_CALL_DEPTH} call levels).",
        name = describe(ctor),
        section = ctor.section,
        acquires = what_it_acquires(ctor),
        checked = destructors_checked(entries),
    );
    if matches!(inventory.format, Format::Pe | Format::Coff) && !kept(ctor).is_empty() {
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
    finding(
        &rules::UNPAIRED_CONSTRUCTOR,
        unpaired_severity(ctor),
        ctor,
        message,
    )
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

//! Judgement: turns the inventory one format reader produced into the report for that file, in
//! stages that each live in their own module: the runtime rules classify every entry
//! (`runtime_rules`: toolchain or user, runs on unload or not), pairing links each constructor
//! to the destructor that undoes it (`pairing`), and the findings follow from what is left
//! unpaired or never runs (`findings`). This module only builds the entries and runs the stages.

mod findings;
pub mod pairing;
mod runtime_rules;

use crate::audit::model::{
    Entry, FileReport, Finding, Format, FunctionFacts, Inventory, Origin, RawEntry, Role, Runtime,
};
use crate::audit::walk::is_exit_handler_registrar;
use crate::audit::walk::resources::Acquisitions;
use findings::findings;
use pairing::ProbableRegistration;
use runtime_rules::{runs_on_unload, toolchain_reason};
use std::collections::BTreeSet;

/// Turns an inventory into the report for one file.
pub fn judge(inventory: Inventory, path: &str, member: Option<String>) -> FileReport {
    let (mut entries, probable) = classify(&inventory);
    let constructors = pairing::user_constructors(&entries);
    pairing::pair_constructors(&mut entries, &constructors, &inventory, &probable);
    if let Some(dll_main) = &inventory.dll_main {
        pairing::pair_through_dll_main(&mut entries, &constructors, &inventory, dll_main);
    }
    let findings = findings(&entries, &constructors, &inventory);
    report(&inventory, path, member, entries, findings)
}

/// Every table entry as reported, classified by the runtime rules, and the constructors that
/// probably register an exit handler with a statically linked `atexit`.
fn classify(inventory: &Inventory) -> (Vec<Entry>, Vec<ProbableRegistration>) {
    let mut probable = Vec::new();
    let entries = inventory
        .entries
        .iter()
        .map(|raw| {
            let mut entry = table_entry(raw, inventory.format, inventory.runtime);
            probable.extend(classify_entry(&mut entry, inventory));
            entry
        })
        .collect();
    (entries, probable)
}

/// A table slot as an entry, before its code is considered.
fn table_entry(raw: &RawEntry, format: Format, runtime: Runtime) -> Entry {
    let mut entry = Entry::new(
        raw.mechanism,
        raw.target,
        raw.address,
        raw.symbol.clone(),
        raw.section.clone(),
        raw.resolved_by,
    );
    entry.runs_on_unload =
        entry.role == Role::Destructor && runs_on_unload(raw.mechanism, format, runtime);
    entry.slot = raw.slot;
    entry.priority = raw.priority;
    entry.target_section = raw.target_section.clone();
    entry
}

/// Applies what the entry's code says: toolchain glue or not, calls nothing, registers an exit
/// handler. Returns the probable registration when only a stripped, linked-in `atexit` explains
/// the code.
fn classify_entry(entry: &mut Entry, inventory: &Inventory) -> Option<ProbableRegistration> {
    let (format, runtime) = (inventory.format, inventory.runtime);
    let facts = inventory.facts.get(&entry.key);
    if let Some(reason) = toolchain_reason(entry, facts, format) {
        entry.origin = Origin::Toolchain;
        entry.why_origin = Some(reason);
    }
    entry.calls_nothing = facts.is_some_and(|f| f.analysed && f.calls == 0);
    if let Some(facts) = facts {
        record_acquisitions(entry, facts);
    } else {
        entry.acquires_unknown = true;
        entry.not_followed.push(if entry.key == 0 {
            "its code is defined outside this file".to_string()
        } else {
            "its code was not analysed".to_string()
        });
    }
    if let Some(call) = facts.and_then(|f| f.exit_handler_call.clone()) {
        entry.registers_exit_handler = true;
        entry.exit_handler_call = Some(call);
    }
    let mut probable = None;
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
            probable = Some((entry.key, *handler));
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
    probable
}

/// What the entry's code can acquire, in the resource table's terms, and what the walk could
/// not follow.
fn record_acquisitions(entry: &mut Entry, facts: &FunctionFacts) {
    let summary = Acquisitions::of(&facts.imports);
    entry.acquires = summary.acquired.keys().copied().collect();
    entry.acquired_through = summary
        .acquired
        .values()
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    entry.releases = summary
        .released
        .iter()
        .copied()
        .filter(|r| summary.acquired.contains_key(r))
        .collect();
    entry.not_followed = facts.unfollowed.iter().cloned().collect();
    if !facts.analysed {
        entry
            .not_followed
            .insert(0, "its code could not be analysed".to_string());
    }
    entry.acquires_unknown = !entry.not_followed.is_empty();
}

/// The report: the inventory's file-level facts with the judged entries and findings.
fn report(
    inventory: &Inventory,
    path: &str,
    member: Option<String>,
    entries: Vec<Entry>,
    findings: Vec<Finding>,
) -> FileReport {
    let mut report = FileReport::empty(path, member, inventory.format);
    report.arch = Some(inventory.arch);
    report.runtime = Some(inventory.runtime);
    report.kind = Some(inventory.kind);
    report.runtime_evidence = Some(inventory.runtime_evidence.clone());
    report.never_unloaded = inventory.never_unloaded.clone();
    report.evidence = inventory.evidence.clone();
    report.entries = entries;
    report.findings = findings;
    report.audited = true;
    report
}

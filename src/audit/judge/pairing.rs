//! Pairing: which destructor undoes which constructor. Within one file, a constructor is paired
//! by the exit handler it registers, then by name (`*_init`/`*_quit`), then by the global state
//! both touch, then by the state the functions they call touch; a PE `DllMain` can supply the
//! partner a table lacks. Across the members of a static archive only names count.

use super::runtime_rules::runs_on_unload;
use crate::audit::model::{
    DllMainFacts, Entry, FileReport, FunctionFacts, Inventory, Mechanism, Origin, Role,
};
use crate::rules;
use std::collections::BTreeSet;

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

/// A constructor (by its key) that probably registers `handler` with a statically linked,
/// unnamed `atexit`: the evidence that stands in for a named registration.
pub type ProbableRegistration = (u64, u64);

/// If `destructor` undoes `constructor` by its name, the words that matched.
pub fn name_pair(constructor: &str, destructor: &str) -> Option<(&'static str, &'static str)> {
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

/// The indices of the user constructors: the ones that are paired and judged.
pub fn user_constructors(entries: &[Entry]) -> Vec<usize> {
    (0..entries.len())
        .filter(|&i| entries[i].role == Role::Constructor && entries[i].origin == Origin::User)
        .collect()
}

/// Pairs each user constructor with the destructor that undoes it, if any. A registered exit
/// handler that is not a table entry is added to `entries` as one.
pub fn pair_constructors(
    entries: &mut Vec<Entry>,
    constructors: &[usize],
    inventory: &Inventory,
    probable: &[ProbableRegistration],
) {
    for &c in constructors {
        let facts = constructor_facts(&entries[c], inventory, probable);
        let partner = match registered_partner(entries, &facts, inventory) {
            Some(partner) => Some(partner),
            None => {
                let candidates = unpaired_user_destructors(entries);
                name_partner(entries, c, &candidates)
                    .or_else(|| shared_state_partner(entries, &facts, &candidates, inventory))
                    .or_else(|| callee_state_partner(entries, &facts, &candidates, inventory))
            }
        };
        if let Some((d, how)) = partner {
            link(entries, c, d, how);
        }
    }
}

/// The constructor's facts, with a probable registration standing in for a named one.
fn constructor_facts(
    ctor: &Entry,
    inventory: &Inventory,
    probable: &[ProbableRegistration],
) -> FunctionFacts {
    let mut facts = inventory.facts.get(&ctor.key).cloned().unwrap_or_default();
    if facts.registered_handlers.is_empty() {
        if let Some((_, handler)) = probable.iter().find(|(key, _)| *key == ctor.key) {
            facts.registered_handlers.insert(*handler);
            facts.exit_handler_call = ctor.exit_handler_call.clone();
        }
    }
    facts
}

/// The exit handler the constructor registers: a constructor registers one handler in
/// practice, so the first is its partner. Added as an entry when no table lists it.
fn registered_partner(
    entries: &mut Vec<Entry>,
    facts: &FunctionFacts,
    inventory: &Inventory,
) -> Option<(usize, String)> {
    let handler = *facts.registered_handlers.iter().next()?;
    let existing = entries
        .iter()
        .position(|e| e.role == Role::Destructor && e.key == handler);
    let index = existing.unwrap_or_else(|| {
        entries.push(exit_handler_entry(handler, inventory));
        entries.len() - 1
    });
    let call = facts.exit_handler_call.clone().unwrap_or_default();
    Some((index, format!("registered with {call}")))
}

/// A registered exit handler as a destructor entry of its own.
fn exit_handler_entry(handler: u64, inventory: &Inventory) -> Entry {
    let address = inventory
        .display_addresses
        .get(&handler)
        .copied()
        .unwrap_or(handler);
    let mut entry = Entry::new(
        Mechanism::ExitHandler,
        handler,
        address,
        inventory.function_names.get(&handler).cloned(),
        "exit handler".to_string(),
        "argument of the exit-handler registration",
    );
    entry.runs_on_unload =
        runs_on_unload(Mechanism::ExitHandler, inventory.format, inventory.runtime);
    entry
}

/// User destructors that no constructor has claimed yet.
fn unpaired_user_destructors(entries: &[Entry]) -> Vec<usize> {
    (0..entries.len())
        .filter(|&d| {
            entries[d].role == Role::Destructor
                && entries[d].origin == Origin::User
                && entries[d].paired_with.is_none()
        })
        .collect()
}

/// The first candidate whose name undoes the constructor's.
fn name_partner(entries: &[Entry], c: usize, candidates: &[usize]) -> Option<(usize, String)> {
    let ctor_name = entries[c].symbol.as_deref()?;
    candidates.iter().find_map(|&d| {
        let dtor_name = entries[d].symbol.as_deref()?;
        let (make, undo) = name_pair(ctor_name, dtor_name)?;
        Some((d, format!("name ({make}/{undo})")))
    })
}

/// The candidate that touches the most of the constructor's own global state.
fn shared_state_partner(
    entries: &[Entry],
    facts: &FunctionFacts,
    candidates: &[usize],
    inventory: &Inventory,
) -> Option<(usize, String)> {
    if facts.globals.is_empty() {
        return None;
    }
    candidates
        .iter()
        .filter_map(|&d| {
            let theirs = inventory.facts.get(&entries[d].key)?;
            let shared: Vec<&String> = facts.globals.intersection(&theirs.globals).collect();
            (!shared.is_empty()).then(|| (d, shared.len(), shared[0].clone()))
        })
        .max_by_key(|(_, count, _)| *count)
        .map(|(d, _, global)| (d, format!("shared state ({global})")))
}

/// Weaker than [`shared_state_partner`]: the state that the functions each one calls directly
/// touch. Registered exit handlers are not candidates here.
fn callee_state_partner(
    entries: &[Entry],
    facts: &FunctionFacts,
    candidates: &[usize],
    inventory: &Inventory,
) -> Option<(usize, String)> {
    let ours: BTreeSet<&String> = facts.globals.iter().chain(&facts.callee_globals).collect();
    candidates
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
        .map(|(d, _, global)| (d, format!("shared state through callees ({global})")))
}

/// Records the pair on both entries.
fn link(entries: &mut [Entry], c: usize, d: usize, how: String) {
    let (c_address, c_symbol) = (entries[c].address, entries[c].symbol.clone());
    let (d_address, d_symbol) = (entries[d].address, entries[d].symbol.clone());
    entries[c].paired_with = Some(d_address);
    entries[c].paired_with_symbol = d_symbol;
    entries[c].paired_by = Some(how.clone());
    entries[d].paired_with = Some(c_address);
    entries[d].paired_with_symbol = c_symbol;
    entries[d].paired_by = Some(how);
}

/// DllMain (PE): a destructor it calls runs on `FreeLibrary` whatever its table; an unpaired
/// constructor's counterpart may be called from there and nowhere else, and is then added as a
/// `dll_main` destructor entry.
pub fn pair_through_dll_main(
    entries: &mut Vec<Entry>,
    constructors: &[usize],
    inventory: &Inventory,
    (dll_main, callees): &DllMainFacts,
) {
    let because =
        format!("called from DllMain at {dll_main:#x} (its DLL_PROCESS_DETACH path is assumed)");
    for entry in entries
        .iter_mut()
        .filter(|e| e.role == Role::Destructor && !e.runs_on_unload)
    {
        if callees.iter().any(|(key, _, _)| *key == entry.key) {
            entry.runs_on_unload = true;
            entry.runs_on_unload_because = Some(because.clone());
        }
    }
    for &c in constructors {
        if entries[c].paired_with.is_some() || entries[c].registers_exit_handler {
            continue;
        }
        if let Some((key, name, how)) = dll_main_partner(&entries[c], inventory, callees) {
            let ctor = &mut entries[c];
            ctor.paired_with = Some(key);
            ctor.paired_with_symbol = name.clone();
            ctor.paired_by = Some(how.clone());
            let mut dtor = Entry::new(
                Mechanism::DllMain,
                key,
                key,
                name,
                "DllMain".to_string(),
                "called from DllMain",
            );
            dtor.runs_on_unload = true;
            dtor.paired_with = Some(ctor.address);
            dtor.paired_with_symbol = ctor.symbol.clone();
            dtor.paired_by = Some(how);
            dtor.runs_on_unload_because = Some(because.clone());
            entries.push(dtor);
        }
    }
}

/// The first function `DllMain` reaches that undoes the constructor, by name or by shared
/// state: (key, name, how).
fn dll_main_partner(
    ctor: &Entry,
    inventory: &Inventory,
    callees: &[(u64, Option<String>, FunctionFacts)],
) -> Option<(u64, Option<String>, String)> {
    let ctor_globals = inventory
        .facts
        .get(&ctor.key)
        .map(|f| f.globals.clone())
        .unwrap_or_default();
    callees.iter().find_map(|(key, name, facts)| {
        if *key == ctor.key {
            return None;
        }
        if let (Some(ctor), Some(dtor)) = (&ctor.symbol, name) {
            if let Some((make, undo)) = name_pair(ctor, dtor) {
                return Some((*key, name.clone(), format!("name ({make}/{undo})")));
            }
        }
        let shared = ctor_globals.intersection(&facts.globals).next()?;
        Some((*key, name.clone(), format!("shared state ({shared})")))
    })
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
}

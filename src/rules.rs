//! The rule table: permanent IDs, names and the documentation that feeds `blastool rules`,
//! `blastool rule ID`, the README and SARIF `rules[]`.
//!
//! IDs are permanent: a retired rule keeps its ID reserved and is never reused.

/// One audit rule and its documentation.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Permanent identifier, e.g. `BLT001`.
    pub id: &'static str,
    /// Stable kebab-case name.
    pub name: &'static str,
    /// One sentence: what the rule reports.
    pub summary: &'static str,
    /// Why it matters to someone shipping the binary.
    pub why: &'static str,
    /// A minimal example that triggers it.
    pub example: &'static str,
    /// Which severity a finding gets, and why.
    pub severity: &'static str,
    /// The concrete fix.
    pub fix: &'static str,
}

/// A user constructor has no destructor that will run on unload and registers no exit handler.
pub const UNPAIRED_CONSTRUCTOR: Rule = Rule {
    id: "BLT001",
    name: "unpaired-constructor",
    summary: "A user constructor acquires something (heap, a thread, a TLS key, a mapping, a \
              handle, a module) on every load, but no destructor that runs on unload undoes it \
              and it registers no exit handler.",
    why: "Whatever the constructor acquires is kept each time the library is unloaded and \
          loaded again. OpenBLAS's gotoblas_init starts threads and reserves buffers of about \
          400 MiB; a host that loads and unloads a plugin built on it leaks that much per \
          cycle. A constructor that acquires nothing (it reads the environment, fills a table) \
          leaks nothing and is not reported.",
    severity: "By what the constructor keeps. error: a thread (after the unload it runs code \
               that is no longer mapped, and the process crashes). warning: heap, a TLS key \
               (a process-wide slot: glibc has 1024), a mapping or a handle (each grows with \
               every load). note: only a module reference (the other library stays loaded, \
               but nothing grows), kinds the constructor also gives back itself (free, close: \
               probably a scratch buffer), or code the walk could not follow (an indirect call, \
               calls deeper than its limit) while it saw nothing acquired. A constructor with a \
               destructor that runs on unload, or that registers exit handlers, is reported \
               only for what those (all read completely) never give back by name: a thread \
               never joined (error), a TLS key never deleted, a mapping never unmapped, a \
               descriptor, stream, semaphore or directory never closed (warning), a module \
               never closed (note); heap is not demanded by name. In an image that is never \
               unloaded every finding is a note.",
    example:
        "__attribute__((constructor)) static void lib_init(void) { pool = malloc(1 << 20); }\n\
              /* no destructor, no atexit(lib_cleanup) */",
    fix: "Add a destructor that frees what the constructor made, in a table that runs on unload \
          for this runtime (ELF: __attribute__((destructor)) / .fini_array; Windows: DllMain's \
          DLL_PROCESS_DETACH or atexit() called from the constructor), or register one with \
          atexit() inside the constructor. If the library is linked statically into a DLL, \
          `blastool template dllmain --init INIT --quit QUIT` renders the DllMain glue.",
};

/// A destructor sits in a table that this runtime never runs on unload.
pub const DESTRUCTOR_NEVER_RUNS: Rule = Rule {
    id: "BLT002",
    name: "destructor-never-runs",
    summary: "A destructor sits in a table that this runtime never runs when the library is \
              unloaded.",
    why: "The destructor looks like cleanup in the source, but the loader or C runtime never \
          calls it, so its constructor's resources leak on every unload. The common case: \
          clang for MSVC targets lowers __attribute__((destructor)) to .CRT$XTX, and a DLL \
          using the dynamic CRT (/MD) never runs .CRT$XT* (neither do MinGW DLLs).",
    severity: "error: it is the only destructor of a user constructor that acquires something \
               (whatever that is, its author meant it to be undone). note: the constructor \
               acquires nothing the walk can see but makes calls it cannot follow. warning: a \
               user destructor that pairs with no constructor and never runs. No finding when \
               the constructor acquires nothing and the walk saw all of its code.",
    example: "/* clang-cl, /MD, OpenBLAS linked statically into a DLL */\n\
              __attribute__((constructor)) void gotoblas_init(void);  /* .CRT$XCU: runs */\n\
              __attribute__((destructor))  void gotoblas_quit(void);  /* .CRT$XTX: never */",
    fix: "Call the cleanup from a mechanism that runs: register it with atexit() from the \
          constructor (a DLL's atexit table runs at FreeLibrary), or call it from DllMain on \
          DLL_PROCESS_DETACH (`blastool template dllmain --init INIT --quit QUIT` renders one), \
          or ship the library as its own DLL instead of linking it statically.",
};

/// Every rule, in ID order.
pub const ALL: &[Rule] = &[UNPAIRED_CONSTRUCTOR, DESTRUCTOR_NEVER_RUNS];

/// Finds a rule by ID or name, case-insensitively.
pub fn lookup(query: &str) -> Option<&'static Rule> {
    ALL.iter()
        .find(|rule| rule.id.eq_ignore_ascii_case(query) || rule.name.eq_ignore_ascii_case(query))
}

/// The rule's documentation page as plain text (what `blastool rule ID` prints).
pub fn render_page(rule: &Rule) -> String {
    format!(
        "{id} {name}\n\nWhat it detects\n  {summary}\n\nWhy it matters\n  {why}\n\nSeverity\n  {severity}\n\nExample\n{example}\n\nFix\n  {fix}\n",
        id = rule.id,
        name = rule.name,
        summary = rule.summary,
        why = rule.why,
        severity = rule.severity,
        example = indent(rule.example),
        fix = rule.fix,
    )
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_and_ids_are_unique() {
        let mut ids = std::collections::BTreeSet::new();
        for rule in ALL {
            assert!(ids.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(rule.id.starts_with("BLT") && rule.id.len() == 6);
            for (field, text) in [
                ("summary", rule.summary),
                ("why", rule.why),
                ("severity", rule.severity),
                ("example", rule.example),
                ("fix", rule.fix),
            ] {
                assert!(text.len() > 20, "{} has no real {field}", rule.id);
            }
        }
    }

    #[test]
    fn lookup_accepts_id_and_name() {
        assert_eq!(lookup("blt002").unwrap().name, "destructor-never-runs");
        assert_eq!(lookup("unpaired-constructor").unwrap().id, "BLT001");
        assert!(lookup("BLT999").is_none());
    }
}

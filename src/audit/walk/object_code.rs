//! Relocatable objects (ELF `.o`, COFF `.obj`) in one neutral shape: sections, symbols and
//! relocations as the format readers hand them over, the table entries that relocations in
//! table sections designate, and the facts of each target function, read from the relocations
//! inside it and from the direct calls its code makes.

use crate::audit::model::{
    Arch, BinaryKind, Format, FunctionFacts, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use crate::audit::walk::{self, direct_calls, object_key, OBJECT_OFFSET_MASK};
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::audit::walk::{MAX_CALL_DEPTH, MAX_FUNCTIONS_VISITED};

/// One section of the object.
#[derive(Debug, Clone, Default)]
pub struct Section<'data> {
    pub name: String,
    /// The section's contents (empty for `.bss`-like sections).
    pub bytes: &'data [u8],
    pub executable: bool,
    pub writable: bool,
}

/// One symbol, reduced to what the analysis needs.
#[derive(Debug, Clone, Default)]
pub struct Symbol {
    pub name: String,
    /// The defining section; `None` for undefined (external) symbols.
    pub section: Option<usize>,
    pub value: u64,
    /// Size in bytes when the format records one (ELF), else 0.
    pub size: u64,
    pub is_function: bool,
    /// A section symbol: references through it name a place by offset, not by name.
    pub is_section: bool,
    /// A sized data object (ELF `STT_OBJECT`): names the place a section symbol points into.
    pub is_data: bool,
}

/// One relocation, already interpreted by the format reader.
#[derive(Debug, Clone)]
pub struct Reloc {
    /// Where in its section the relocation applies.
    pub offset: u64,
    /// Index of the symbol it refers to.
    pub symbol: usize,
    /// The relocated field is the target of a call or jump instruction.
    pub is_call: bool,
    /// The offset, in the symbol's section, of the place it designates: symbol value plus
    /// addend, with the PC-relative bias of the instruction removed.
    pub target_offset: u64,
}

/// A relocatable object, ready for analysis.
pub struct ObjectCode<'data> {
    pub arch: Arch,
    pub sections: BTreeMap<usize, Section<'data>>,
    pub symbols: BTreeMap<usize, Symbol>,
    /// Relocations by the section they patch, sorted by offset.
    pub relocs: HashMap<usize, Vec<Reloc>>,
    /// Function keys -> (name, size), from the function symbols.
    functions: BTreeMap<u64, (String, u64)>,
}

impl<'data> ObjectCode<'data> {
    pub fn new(
        arch: Arch,
        sections: BTreeMap<usize, Section<'data>>,
        symbols: BTreeMap<usize, Symbol>,
        mut relocs: HashMap<usize, Vec<Reloc>>,
    ) -> Self {
        for list in relocs.values_mut() {
            list.sort_by_key(|r| r.offset);
        }
        let mut functions = BTreeMap::new();
        for symbol in symbols.values().filter(|s| s.is_function) {
            if let Some(section) = symbol.section {
                functions
                    .entry(object_key(section, symbol.value))
                    .or_insert((symbol.name.clone(), symbol.size));
            }
        }
        ObjectCode {
            arch,
            sections,
            symbols,
            relocs,
            functions,
        }
    }

    /// The inventory of the object: one entry per relocation in a table section (as
    /// `table_of_section` names them), and the facts of every target.
    pub fn inventory(
        &self,
        format: Format,
        table_of_section: impl Fn(&str) -> Option<(Mechanism, Option<u32>)>,
        runtime: Runtime,
        runtime_evidence: String,
    ) -> Inventory {
        let mut entries = Vec::new();
        for (index, section) in &self.sections {
            let Some((mechanism, priority)) = table_of_section(&section.name) else {
                continue;
            };
            for reloc in self.relocs.get(index).into_iter().flatten() {
                let Some(symbol) = self.symbols.get(&reloc.symbol) else {
                    continue;
                };
                let (target, address, target_section, name, resolved_by) = match symbol.section {
                    Some(target_section) => {
                        let key = object_key(target_section, reloc.target_offset);
                        let name = self
                            .functions
                            .get(&key)
                            .map(|(n, _)| n.clone())
                            .or_else(|| {
                                (symbol.is_function && !symbol.is_section)
                                    .then(|| symbol.name.clone())
                            });
                        let section_name =
                            self.sections.get(&target_section).map(|s| s.name.clone());
                        (
                            key,
                            reloc.target_offset,
                            section_name,
                            name,
                            "section relocation",
                        )
                    }
                    None => (
                        0,
                        0,
                        None,
                        Some(symbol.name.clone()),
                        "section relocation (undefined symbol)",
                    ),
                };
                entries.push(RawEntry {
                    mechanism,
                    section: section.name.clone(),
                    slot: reloc.offset,
                    target,
                    address,
                    target_section,
                    symbol: name,
                    priority,
                    resolved_by,
                });
            }
        }
        let GatheredFacts {
            facts,
            function_names,
            display_addresses,
        } = GatheredFacts::gather(
            &entries,
            |key| self.facts(key),
            |key| self.functions.get(&key).map(|(name, _)| name.clone()),
            |key| key & OBJECT_OFFSET_MASK,
        );
        Inventory {
            format,
            arch: self.arch,
            kind: BinaryKind::Object,
            runtime,
            runtime_evidence,
            never_unloaded: None,
            entries,
            facts,
            function_names,
            display_addresses,
            dll_main: None,
            evidence: Vec::new(),
        }
    }

    /// Facts of the function at `key`, following calls a few levels deep.
    pub fn facts(&self, key: u64) -> FunctionFacts {
        let mut facts = FunctionFacts::default();
        let mut visited = HashSet::new();
        self.walk(key, 0, &mut facts, &mut visited);
        facts
    }

    /// How a writable place is named for shared-state pairing: the symbol's name when it has
    /// one, else the data object the offset falls in, else section + offset.
    fn global_key(&self, symbol: &Symbol, section: usize, offset: u64) -> String {
        if !symbol.is_section && !symbol.name.is_empty() {
            return format!("sym:{}", symbol.name);
        }
        let object = self.symbols.values().find(|s| {
            s.is_data
                && s.section == Some(section)
                && offset >= s.value
                && offset - s.value < s.size.max(1)
        });
        match object {
            Some(object) => format!("sym:{}", object.name),
            None => {
                let name = self.sections.get(&section).map_or("?", |s| s.name.as_str());
                format!("{name}+{offset:#x}")
            }
        }
    }

    fn walk(&self, key: u64, depth: u32, facts: &mut FunctionFacts, visited: &mut HashSet<u64>) {
        if visited.contains(&key) {
            return;
        }
        let at = key & OBJECT_OFFSET_MASK;
        if depth > MAX_CALL_DEPTH {
            facts.unfollowed.insert(format!(
                "calls deeper than {MAX_CALL_DEPTH} levels (first not walked: {at:#x})"
            ));
            return;
        }
        if visited.len() >= MAX_FUNCTIONS_VISITED {
            facts.unfollowed.insert(format!(
                "more than {MAX_FUNCTIONS_VISITED} functions reached (not walked: {at:#x})"
            ));
            return;
        }
        visited.insert(key);
        // Keys carry the section index in their top 24 bits; a hostile index beyond that
        // wraps, and such a key names nothing we can read.
        let Some(section) = (key >> 40).checked_sub(1).map(|s| s as usize) else {
            return;
        };
        let start = key & OBJECT_OFFSET_MASK;
        let bytes = self.sections.get(&section).map_or(&[][..], |s| s.bytes);
        // The extent: the symbol's size, else up to the next function or the section's end.
        let next_section = object_key(section + 1, 0);
        let end = match self.functions.get(&key) {
            Some((_, size)) if *size > 0 => start.saturating_add(*size),
            _ if next_section <= key.saturating_add(1) => bytes.len() as u64,
            _ => self
                .functions
                .range(key.saturating_add(1)..next_section)
                .next()
                .map(|(k, _)| k & OBJECT_OFFSET_MASK)
                .unwrap_or(bytes.len() as u64),
        };
        if depth == 0 {
            facts.analysed = true;
        }
        let mut code_refs: Vec<u64> = Vec::new();
        let mut callees: Vec<u64> = Vec::new();
        let mut import_calls = 0;
        let mut relocated = HashSet::new();
        for reloc in self
            .relocs
            .get(&section)
            .into_iter()
            .flatten()
            .filter(|r| r.offset >= start && r.offset < end)
        {
            relocated.insert(reloc.offset);
            let Some(symbol) = self.symbols.get(&reloc.symbol) else {
                continue;
            };
            let Some(target_section) = symbol.section else {
                let name = walk::undecorated(&symbol.name).to_string();
                if name.is_empty() {
                    continue;
                }
                if walk::is_exit_handler_registrar(&name) {
                    facts.exit_handler_call.get_or_insert_with(|| name.clone());
                    if let Some(handler) = code_refs.last() {
                        facts.registered_handlers.insert(*handler);
                    }
                } else if depth == 0 && !reloc.is_call {
                    // A data reference to an undefined global (e.g. a GOT load) is shared state.
                    facts.globals.insert(format!("sym:{name}"));
                }
                if reloc.is_call {
                    import_calls += 1;
                }
                facts.imports.insert(name);
                continue;
            };
            let target = object_key(target_section, reloc.target_offset);
            let target_is_code = self
                .sections
                .get(&target_section)
                .is_some_and(|s| s.executable);
            if target_is_code {
                if reloc.is_call {
                    callees.push(target);
                } else {
                    code_refs.push(target);
                }
            } else if depth == 0
                && self
                    .sections
                    .get(&target_section)
                    .is_some_and(|s| s.writable)
            {
                facts
                    .globals
                    .insert(self.global_key(symbol, target_section, reloc.target_offset));
            }
        }
        // Direct calls inside the same section need no relocation: find them in the code.
        if let Some(code) = bytes.get(start as usize..(end as usize).min(bytes.len())) {
            for (site, target) in direct_calls(self.arch, code, start) {
                if !relocated.contains(&site) && target < bytes.len() as u64 {
                    callees.push(object_key(section, target));
                }
            }
            // A call through a register or computed address carries no relocation to name it.
            for (site, length) in walk::indirect_sites(self.arch, code, start) {
                if !(site..site + length).any(|offset| relocated.contains(&offset)) {
                    facts
                        .unfollowed
                        .insert(format!("indirect call or jump at {site:#x}"));
                }
            }
        }
        if depth == 0 {
            facts.calls = callees.len() + import_calls;
        }
        for callee in callees {
            self.walk(callee, depth + 1, facts, visited);
        }
    }
}

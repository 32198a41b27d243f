//! COFF object reader (`.obj` from MSVC and clang-cl, `.o` from MinGW, `/bigobj` included):
//! finds the CRT table entries (`.CRT$XI*`, `.CRT$XC*`, `.CRT$XP*`, `.CRT$XT*`, `.CRT$XL*`) and
//! MinGW's `.ctors`/`.dtors` through their relocations, and gathers the facts of each target
//! function from the relocations inside it.

use crate::audit::disasm::{self, direct_calls, object_key, OBJECT_OFFSET_MASK};
use crate::audit::model::{
    Arch, BinaryKind, Format, FunctionFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use object::pe;
use object::read::{Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};
use object::{Architecture, SectionKind, SymbolKind};
use std::collections::{BTreeMap, HashMap, HashSet};

type Result<T> = std::result::Result<T, String>;

/// Maps a COFF section name to its table and priority.
pub fn table_of_section(name: &str) -> Option<(Mechanism, Option<u32>)> {
    if let Some(group) = name.strip_prefix(".CRT$X") {
        let mechanism = match group.as_bytes().first()? {
            b'I' => Mechanism::CrtXi,
            b'C' => Mechanism::CrtXc,
            b'P' => Mechanism::CrtXp,
            b'T' => Mechanism::CrtXt,
            b'L' => Mechanism::TlsCallback,
            _ => return None,
        };
        // clang writes priorities as `.CRT$XCT00200`: a letter, then digits.
        let priority = group.get(2..).and_then(|digits| digits.parse().ok());
        return Some((mechanism, priority));
    }
    let (mechanism, rest) = if let Some(rest) = name.strip_prefix(".ctors") {
        (Mechanism::Ctors, rest)
    } else if let Some(rest) = name.strip_prefix(".dtors") {
        (Mechanism::Dtors, rest)
    } else {
        return None;
    };
    if rest.is_empty() {
        return Some((mechanism, None));
    }
    let number: u32 = rest.strip_prefix('.')?.parse().ok()?;
    Some((mechanism, 65535u32.checked_sub(number)))
}

fn arch_of(architecture: Architecture) -> Arch {
    match architecture {
        Architecture::X86_64 => Arch::X86_64,
        Architecture::I386 => Arch::X86,
        Architecture::Aarch64 => Arch::Aarch64,
        Architecture::Arm => Arch::Arm,
        _ => Arch::Unknown,
    }
}

struct Reloc {
    offset: u64,
    symbol: usize,
    typ: u16,
    inplace: i64,
}

struct Sym {
    name: String,
    section: Option<usize>,
    value: u64,
    is_section: bool,
    is_function: bool,
}

/// Reads a COFF object (regular or bigobj).
pub fn inventory(data: &[u8]) -> Result<Inventory> {
    let file = object::File::parse(data).map_err(|e| format!("not a valid COFF object: {e}"))?;
    let arch = arch_of(file.architecture());

    let mut names: HashMap<usize, String> = HashMap::new();
    let mut bytes_of: HashMap<usize, &[u8]> = HashMap::new();
    let mut executable: HashSet<usize> = HashSet::new();
    let mut writable: HashSet<usize> = HashSet::new();
    let mut relocs: HashMap<usize, Vec<Reloc>> = HashMap::new();
    let mut directives = String::new();
    for section in file.sections() {
        let index = section.index().0;
        let name = section.name().unwrap_or("").to_string();
        let bytes = section.data().unwrap_or(&[]);
        match section.kind() {
            SectionKind::Text => {
                executable.insert(index);
            }
            SectionKind::Data | SectionKind::UninitializedData => {
                writable.insert(index);
            }
            _ => {}
        }
        if name == ".drectve" {
            directives.push_str(&String::from_utf8_lossy(bytes));
        }
        let mut list = Vec::new();
        for (offset, reloc) in section.relocations() {
            let RelocationTarget::Symbol(symbol) = reloc.target() else {
                continue;
            };
            let RelocationFlags::Coff { typ } = reloc.flags() else {
                continue;
            };
            let width = usize::from(reloc.size() / 8).clamp(1, 8);
            let inplace = usize::try_from(offset)
                .ok()
                .and_then(|o| bytes.get(o..o.checked_add(width)?))
                .map(|b| {
                    let mut word = [0u8; 8];
                    word[..width].copy_from_slice(b);
                    let raw = i64::from_le_bytes(word);
                    // Sign-extend narrow fields.
                    let shift = 64 - 8 * width as u32;
                    (raw << shift) >> shift
                })
                .unwrap_or(0);
            // Branch fields hold no addend.
            let inplace = if is_call_type(arch, typ) { 0 } else { inplace };
            list.push(Reloc {
                offset,
                symbol: symbol.0,
                typ,
                inplace,
            });
        }
        list.sort_by_key(|r| r.offset);
        relocs.insert(index, list);
        names.insert(index, name);
        bytes_of.insert(index, bytes);
    }

    let mut symbols: HashMap<usize, Sym> = HashMap::new();
    let mut functions: BTreeMap<u64, String> = BTreeMap::new();
    for symbol in file.symbols() {
        let section = symbol.section_index().map(|i| i.0);
        let name = symbol.name().unwrap_or("").to_string();
        let is_function = symbol.kind() == SymbolKind::Text && section.is_some();
        if is_function {
            if let Some(section) = section {
                functions
                    .entry(object_key(section, symbol.address()))
                    .or_insert_with(|| name.clone());
            }
        }
        symbols.insert(
            symbol.index().0,
            Sym {
                name,
                section,
                value: symbol.address(),
                is_section: symbol.kind() == SymbolKind::Section,
                is_function,
            },
        );
    }

    let mut entries = Vec::new();
    let mut section_indices: Vec<usize> = names.keys().copied().collect();
    section_indices.sort_unstable();
    for index in &section_indices {
        let name = &names[index];
        let Some((mechanism, priority)) = table_of_section(name) else {
            continue;
        };
        for reloc in relocs.get(index).into_iter().flatten() {
            let Some(symbol) = symbols.get(&reloc.symbol) else {
                continue;
            };
            let (target, address, target_section, symbol_name) = match symbol.section {
                Some(section) => {
                    let offset = symbol.value.wrapping_add(reloc.inplace as u64);
                    let key = object_key(section, offset);
                    let name = functions.get(&key).cloned().or_else(|| {
                        (!symbol.is_section && symbol.is_function).then(|| symbol.name.clone())
                    });
                    (key, offset, names.get(&section).cloned(), name)
                }
                None => (0, 0, None, Some(symbol.name.clone())),
            };
            entries.push(RawEntry {
                mechanism,
                role: mechanism.role(),
                section: name.clone(),
                slot: reloc.offset,
                target,
                address,
                target_section,
                symbol: symbol_name,
                priority,
                resolved_by: "section relocation",
            });
        }
    }

    let analysis = Analysis {
        arch,
        symbols: &symbols,
        functions: &functions,
        relocs: &relocs,
        names: &names,
        bytes_of: &bytes_of,
        executable: &executable,
        writable: &writable,
    };
    let mut facts = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.target != 0) {
        facts
            .entry(entry.target)
            .or_insert_with(|| analysis.facts(entry.target));
    }
    let handlers: Vec<u64> = facts
        .values()
        .flat_map(|f: &FunctionFacts| f.registered_handlers.iter().copied())
        .collect();
    let mut function_names = BTreeMap::new();
    let mut display_addresses = BTreeMap::new();
    for handler in handlers {
        if let Some(name) = functions.get(&handler) {
            function_names.insert(handler, name.clone());
        }
        display_addresses.insert(handler, handler & OBJECT_OFFSET_MASK);
        facts
            .entry(handler)
            .or_insert_with(|| analysis.facts(handler));
    }

    let lower = directives.to_ascii_lowercase();
    let has_gnu_lists = names
        .values()
        .any(|n| n.starts_with(".ctors") || n.starts_with(".dtors"));
    let (runtime, runtime_evidence) =
        if lower.contains("defaultlib:msvcrt") || lower.contains("defaultlib:\"msvcrt") {
            (
                Runtime::MsvcDynamic,
                "/DEFAULTLIB:msvcrt directive (/MD)".to_string(),
            )
        } else if lower.contains("defaultlib:libcmt") || lower.contains("defaultlib:\"libcmt") {
            (
                Runtime::MsvcStatic,
                "/DEFAULTLIB:libcmt directive (/MT)".to_string(),
            )
        } else if has_gnu_lists {
            (
                Runtime::Mingw,
                ".ctors/.dtors lists, as MinGW GCC and clang emit them".to_string(),
            )
        } else {
            (
                Runtime::Unknown,
                "no /DEFAULTLIB directive: the CRT is chosen at link time; .CRT$XT* is judged as \
             under the dynamic CRT (/MD), the usual choice for DLLs"
                    .to_string(),
            )
        };

    Ok(Inventory {
        format: Format::Coff,
        arch,
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
    })
}

fn is_call_type(arch: Arch, typ: u16) -> bool {
    match arch {
        Arch::Aarch64 => typ == pe::IMAGE_REL_ARM64_BRANCH26,
        Arch::Arm => matches!(
            typ,
            pe::IMAGE_REL_ARM_BRANCH24 | pe::IMAGE_REL_THUMB_BRANCH24
        ),
        _ => false,
    }
}

struct Analysis<'a> {
    arch: Arch,
    symbols: &'a HashMap<usize, Sym>,
    functions: &'a BTreeMap<u64, String>,
    relocs: &'a HashMap<usize, Vec<Reloc>>,
    names: &'a HashMap<usize, String>,
    bytes_of: &'a HashMap<usize, &'a [u8]>,
    executable: &'a HashSet<usize>,
    writable: &'a HashSet<usize>,
}

impl Analysis<'_> {
    fn facts(&self, key: u64) -> FunctionFacts {
        let mut facts = FunctionFacts::default();
        let mut visited = HashSet::new();
        self.walk(key, 0, &mut facts, &mut visited);
        facts
    }

    fn walk(&self, key: u64, depth: u32, facts: &mut FunctionFacts, visited: &mut HashSet<u64>) {
        if depth > 3 || !visited.insert(key) || visited.len() > 64 {
            return;
        }
        let section = ((key >> 40) - 1) as usize;
        let start = key & OBJECT_OFFSET_MASK;
        let bytes = self.bytes_of.get(&section).copied().unwrap_or(&[]);
        // COFF symbols carry no size: a function ends where the next one starts.
        let end = self
            .functions
            .range(key.saturating_add(1)..object_key(section + 1, 0))
            .next()
            .map(|(k, _)| k & OBJECT_OFFSET_MASK)
            .unwrap_or(bytes.len() as u64);
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
            let is_call = match self.arch {
                Arch::X86_64 | Arch::X86 => reloc
                    .offset
                    .checked_sub(1)
                    .and_then(|o| bytes.get(o as usize))
                    .is_some_and(|b| *b == 0xe8 || *b == 0xe9),
                _ => is_call_type(self.arch, reloc.typ),
            };
            let Some(target_section) = symbol.section else {
                let name = disasm::undecorated(&symbol.name).to_string();
                if name.is_empty() {
                    continue;
                }
                if disasm::is_exit_handler_registrar(&name) {
                    facts.exit_handler_call.get_or_insert_with(|| name.clone());
                    if let Some(handler) = code_refs.last() {
                        facts.registered_handlers.insert(*handler);
                    }
                } else if depth == 0 && !is_call {
                    facts.globals.insert(format!("sym:{name}"));
                }
                if is_call {
                    import_calls += 1;
                }
                facts.imports.insert(name);
                continue;
            };
            let offset = symbol.value.wrapping_add(reloc.inplace as u64);
            let target = object_key(target_section, offset);
            if self.executable.contains(&target_section) {
                if is_call {
                    callees.push(target);
                } else {
                    code_refs.push(target);
                }
            } else if depth == 0 && self.writable.contains(&target_section) {
                let global = if !symbol.is_section && !symbol.name.is_empty() {
                    format!("sym:{}", symbol.name)
                } else {
                    let section_name = self.names.get(&target_section).map_or("?", |n| n);
                    format!("{section_name}+{offset:#x}")
                };
                facts.globals.insert(global);
            }
        }
        if let Some(code) = bytes.get(start as usize..(end as usize).min(bytes.len())) {
            for (site, target) in direct_calls(self.arch, code, start) {
                if !relocated.contains(&site) && target < bytes.len() as u64 {
                    callees.push(object_key(section, target));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crt_sections_map_to_tables() {
        assert_eq!(table_of_section(".CRT$XCU"), Some((Mechanism::CrtXc, None)));
        assert_eq!(table_of_section(".CRT$XTX"), Some((Mechanism::CrtXt, None)));
        assert_eq!(table_of_section(".CRT$XIU"), Some((Mechanism::CrtXi, None)));
        assert_eq!(table_of_section(".CRT$XPU"), Some((Mechanism::CrtXp, None)));
        assert_eq!(
            table_of_section(".CRT$XLB"),
            Some((Mechanism::TlsCallback, None))
        );
        assert_eq!(
            table_of_section(".CRT$XCT00200"),
            Some((Mechanism::CrtXc, Some(200)))
        );
        assert_eq!(
            table_of_section(".ctors.65435"),
            Some((Mechanism::Ctors, Some(100)))
        );
        assert_eq!(table_of_section(".CRT$XZ"), None);
        assert_eq!(table_of_section(".rdata"), None);
    }
}

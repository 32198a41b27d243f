//! Mach-O relocatable objects (`MH_OBJECT`, `.o`): handed to the neutral object analysis
//! (`object_code`) as sections, symbols and relocations. Tables are still found by section
//! type: their sections are labelled `segment,section` and the label map says which table each
//! one is, so a renamed `__mod_init_func` is found as well.

use crate::audit::model::{Arch, Format, Inventory, Mechanism, Runtime};
use crate::audit::walk::object_code::{self, ObjectCode};
use object::macho;
use object::read::macho::MachOFile64;
use object::{
    Endianness, Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget, SymbolKind,
};
use std::collections::{BTreeMap, HashMap};

/// Keys of the synthesized per-section symbols, for relocations that name a section rather than
/// a symbol (`r_extern = 0`): beyond any real symbol index.
const SECTION_SYMBOL_BASE: usize = 1 << 40;
/// `ARM64_RELOC_BRANCH26` and `X86_64_RELOC_BRANCH` share the value 2.
const BRANCH_RELOCATION: u8 = 2;
/// `ARM64_RELOC_UNSIGNED` and `X86_64_RELOC_UNSIGNED` share the value 0.
const UNSIGNED_RELOCATION: u8 = 0;

/// Which table a section is, by its type.
fn table_of_type(typ: u8) -> Option<Mechanism> {
    match typ {
        t if t == macho::S_MOD_INIT_FUNC_POINTERS.0 => Some(Mechanism::ModInitFunc),
        t if t == macho::S_MOD_TERM_FUNC_POINTERS.0 => Some(Mechanism::ModTermFunc),
        t if t == macho::S_INIT_FUNC_OFFSETS.0 => Some(Mechanism::InitOffsets),
        _ => None,
    }
}

fn word_at(bytes: &[u8], offset: u64) -> u64 {
    usize::try_from(offset)
        .ok()
        .and_then(|o| bytes.get(o..o.checked_add(8)?))
        .map_or(0, |w| u64::from_le_bytes(w.try_into().unwrap_or([0; 8])))
}

/// The inventory of one Mach-O `.o`.
pub fn inventory(file: &MachOFile64<'_, Endianness>, arch: Arch) -> Inventory {
    let mut sections = BTreeMap::new();
    let mut addresses = BTreeMap::new();
    let mut tables: HashMap<String, Mechanism> = HashMap::new();
    for section in file.sections() {
        let object::SectionFlags::MachO { flags, .. } = section.flags() else {
            continue;
        };
        let label = format!(
            "{},{}",
            section.segment_name().ok().flatten().unwrap_or(""),
            section.name().unwrap_or("")
        );
        if let Some(mechanism) = table_of_type((flags.0 & macho::SECTION_TYPE) as u8) {
            tables.insert(label.clone(), mechanism);
        }
        let index = section.index().0;
        addresses.insert(index, section.address());
        sections.insert(
            index,
            object_code::Section {
                name: label,
                bytes: section.data().unwrap_or(&[]),
                executable: flags.0 & super::CODE_ATTRIBUTES != 0,
                // An object's data sections are all writable in the image it ends up in, but
                // read-only constants are not state: only `__DATA`-like sections count.
                writable: section.segment_name().ok().flatten() != Some("__TEXT")
                    && flags.0 & super::CODE_ATTRIBUTES == 0,
            },
        );
    }
    let mut symbols = BTreeMap::new();
    for symbol in file.symbols() {
        let section = symbol.section_index().map(|s| s.0);
        let base = section
            .and_then(|s| addresses.get(&s))
            .copied()
            .unwrap_or(0);
        symbols.insert(
            symbol.index().0,
            object_code::Symbol {
                name: symbol.name().unwrap_or("").to_string(),
                section,
                value: symbol.address().wrapping_sub(base),
                size: 0,
                is_function: symbol.kind() == SymbolKind::Text,
                is_section: false,
                is_data: symbol.kind() == SymbolKind::Data,
            },
        );
    }
    for &index in sections.keys() {
        symbols.insert(
            SECTION_SYMBOL_BASE + index,
            object_code::Symbol {
                section: Some(index),
                is_section: true,
                ..Default::default()
            },
        );
    }
    let relocs = relocations(file, &sections, &symbols, &addresses);
    let code = ObjectCode::new(arch, sections, symbols, relocs);
    code.inventory(
        Format::Macho,
        |name| tables.get(name).map(|m| (*m, None)),
        Runtime::Dyld,
        "Mach-O relocatable object: judged as it will run once linked into a dylib".to_string(),
    )
}

/// Every relocation by the section it patches, with the designated offset worked out.
fn relocations(
    file: &MachOFile64<'_, Endianness>,
    sections: &BTreeMap<usize, object_code::Section>,
    symbols: &BTreeMap<usize, object_code::Symbol>,
    addresses: &BTreeMap<usize, u64>,
) -> HashMap<usize, Vec<object_code::Reloc>> {
    let mut relocs: HashMap<usize, Vec<object_code::Reloc>> = HashMap::new();
    for section in file.sections() {
        let index = section.index().0;
        let bytes = sections.get(&index).map_or(&[][..], |s| s.bytes);
        for (offset, relocation) in section.relocations() {
            let RelocationFlags::MachO {
                r_type,
                r_pcrel,
                r_length,
            } = relocation.flags()
            else {
                continue;
            };
            let is_call = r_pcrel && r_type.0 == BRANCH_RELOCATION;
            // Only a 64-bit pointer slot (`*_RELOC_UNSIGNED`) keeps a plain addend in place;
            // instruction fields (page, page offset, branch, RIP-relative) name the symbol itself.
            let is_pointer = r_type.0 == UNSIGNED_RELOCATION && r_length == 3;
            let (symbol, target_offset) = match relocation.target() {
                RelocationTarget::Symbol(symbol) => {
                    let value = symbols.get(&symbol.0).map_or(0, |s| s.value);
                    let addend = if is_pointer {
                        word_at(bytes, offset)
                    } else {
                        0
                    };
                    (symbol.0, value.wrapping_add(addend))
                }
                // A section relocation: the field holds the target's address in the object.
                RelocationTarget::Section(target) => {
                    let base = addresses.get(&target.0).copied().unwrap_or(0);
                    let target_offset = word_at(bytes, offset).wrapping_sub(base);
                    (SECTION_SYMBOL_BASE + target.0, target_offset)
                }
                _ => continue,
            };
            relocs.entry(index).or_default().push(object_code::Reloc {
                offset,
                symbol,
                is_call,
                target_offset,
            });
        }
    }
    relocs
}

//! Relocatable ELF objects (`.o`): every table section's slots are named by the section
//! relocation at their offset; the code walk follows relocations instead of disassembly
//! (`object_code`). The runtime is chosen at link time, so it stays unknown here.

use super::{section_name, table_of_section};
use crate::audit::model::{Arch, Format, Inventory, Runtime};
use crate::audit::walk::object_code::{self, ObjectCode};
use object::elf;
use object::read::elf::{FileHeader, Rel, Rela, SectionHeader, SectionTable, Sym};
use object::Endianness;
use std::collections::{BTreeMap, HashMap};

type Result<T> = std::result::Result<T, String>;

/// Sections by index, as the object analysis sees them.
type Sections<'data> = BTreeMap<usize, object_code::Section<'data>>;
/// Symbols by index, as relocations name them.
type Symbols = BTreeMap<usize, object_code::Symbol>;

/// Is this relocation type PC-relative with the usual -4 bias of a 32-bit displacement?
fn pc_relative_x86(machine: elf::Machine, r_type: elf::RelocationType) -> bool {
    match machine {
        elf::EM_X86_64 => matches!(
            r_type,
            elf::R_X86_64_PC32
                | elf::R_X86_64_PLT32
                | elf::R_X86_64_GOTPCREL
                | elf::R_X86_64_GOTPCRELX
                | elf::R_X86_64_REX_GOTPCRELX
        ),
        elf::EM_386 => matches!(r_type, elf::R_386_PC32 | elf::R_386_PLT32),
        _ => false,
    }
}

fn is_call_reloc(
    machine: elf::Machine,
    r_type: elf::RelocationType,
    section_bytes: &[u8],
    offset: u64,
) -> bool {
    match machine {
        elf::EM_X86_64 | elf::EM_386 => {
            // The opcode byte before the displacement says call (E8) or jmp (E9).
            offset
                .checked_sub(1)
                .and_then(|o| section_bytes.get(o as usize))
                .is_some_and(|b| *b == 0xe8 || *b == 0xe9)
        }
        elf::EM_AARCH64 => matches!(r_type, elf::R_AARCH64_CALL26 | elf::R_AARCH64_JUMP26),
        elf::EM_PPC64 => r_type == elf::R_PPC64_REL24,
        elf::EM_ARM => matches!(
            r_type,
            elf::R_ARM_CALL | elf::R_ARM_JUMP24 | elf::R_ARM_THM_PC22
        ),
        elf::EM_RISCV => matches!(r_type, elf::R_RISCV_CALL | elf::R_RISCV_CALL_PLT),
        _ => false,
    }
}

pub(super) fn object_inventory<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &SectionTable<Elf>,
    arch: Arch,
) -> Result<Inventory> {
    let code_sections = code_sections(endian, data, sections);
    let symbols = symbols(endian, data, sections);
    let relocs = relocations(header, endian, data, sections, &code_sections, &symbols);
    let code = ObjectCode::new(arch, code_sections, symbols, relocs);
    Ok(code.inventory(
        Format::Elf,
        table_of_section,
        Runtime::Unknown,
        "relocatable object: the runtime is chosen at link time".to_string(),
    ))
}

/// Every section with its bytes (none for NOBITS) and whether it holds code or writable data.
fn code_sections<'data, Elf: FileHeader<Endian = Endianness>>(
    endian: Endianness,
    data: &'data [u8],
    sections: &SectionTable<'data, Elf>,
) -> Sections<'data> {
    let mut code_sections = BTreeMap::new();
    for (index, section) in sections.iter().enumerate() {
        let flags = section.sh_flags(endian);
        let nobits = section.sh_type(endian) == elf::SHT_NOBITS;
        code_sections.insert(
            index,
            object_code::Section {
                name: section_name(endian, sections, section),
                bytes: if nobits {
                    &[]
                } else {
                    section.data(endian, data).unwrap_or(&[])
                },
                executable: flags.contains(elf::SHF_EXECINSTR),
                writable: flags.contains(elf::SHF_WRITE) || nobits,
            },
        );
    }
    code_sections
}

/// The `.symtab` symbols by index.
fn symbols<Elf: FileHeader<Endian = Endianness>>(
    endian: Endianness,
    data: &[u8],
    sections: &SectionTable<Elf>,
) -> Symbols {
    let mut symbols = BTreeMap::new();
    let Ok(table) = sections.symbols(endian, data, elf::SHT_SYMTAB) else {
        return symbols;
    };
    for (index, symbol) in table.iter().enumerate() {
        let shndx = symbol.st_shndx(endian);
        let kind = symbol.st_type();
        symbols.insert(
            index,
            object_code::Symbol {
                name: symbol
                    .name(endian, table.strings())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default(),
                section: shndx.index().map(usize::from),
                value: symbol.st_value(endian).into(),
                size: symbol.st_size(endian).into(),
                is_function: kind == elf::STT_FUNC,
                is_section: kind == elf::STT_SECTION,
                is_data: kind == elf::STT_OBJECT,
            },
        );
    }
    symbols
}

/// Relocations by the section they patch, with the designated offset worked out.
fn relocations<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &SectionTable<Elf>,
    code_sections: &Sections,
    symbols: &Symbols,
) -> HashMap<usize, Vec<object_code::Reloc>> {
    let machine = header.e_machine(endian);
    let is_mips64el = header.is_mips64el(endian);
    let word: u64 = if header.is_type_64() { 8 } else { 4 };
    let mut relocs: HashMap<usize, Vec<object_code::Reloc>> = HashMap::new();
    for section in sections.iter() {
        let target = section.sh_info(endian) as usize;
        let bytes = code_sections.get(&target).map_or(&[][..], |s| s.bytes);
        let interpret = |offset: u64, sym: u32, r_type: elf::RelocationType, addend: i64| {
            let value = symbols.get(&(sym as usize)).map_or(0, |s| s.value);
            // x86 PC-relative fields count from the end of the 4-byte field: undo that bias.
            let bias = if pc_relative_x86(machine, r_type) {
                4
            } else {
                0
            };
            object_code::Reloc {
                offset,
                symbol: sym as usize,
                is_call: is_call_reloc(machine, r_type, bytes, offset),
                target_offset: value.wrapping_add(addend.wrapping_add(bias) as u64),
            }
        };
        let list = relocs.entry(target).or_default();
        if let Ok(Some((relas, _))) = section.rela(endian, data) {
            list.extend(relas.iter().map(|r| {
                interpret(
                    r.r_offset(endian).into(),
                    r.r_sym(endian, is_mips64el),
                    r.r_type(endian, is_mips64el),
                    r.r_addend(endian).into(),
                )
            }));
        } else if let Ok(Some((rels, _))) = section.rel(endian, data) {
            list.extend(rels.iter().map(|r| {
                let offset: u64 = r.r_offset(endian).into();
                // REL keeps the addend in the relocated field itself.
                let inplace = read_field(bytes, offset, word, endian);
                let addend = if word == 4 {
                    inplace as u32 as i32 as i64
                } else {
                    inplace as i64
                };
                interpret(offset, r.r_sym(endian), r.r_type(endian), addend)
            }));
        }
    }
    relocs
}

/// Reads a `word`-sized field at `offset`, or 0 when it is out of bounds.
fn read_field(bytes: &[u8], offset: u64, word: u64, endian: Endianness) -> u64 {
    let Some(slice) = usize::try_from(offset)
        .ok()
        .and_then(|o| bytes.get(o..o.checked_add(word as usize)?))
    else {
        return 0;
    };
    let mut buffer = [0u8; 8];
    if endian == Endianness::Little {
        buffer[..slice.len()].copy_from_slice(slice);
        u64::from_le_bytes(buffer)
    } else {
        buffer[8 - slice.len()..].copy_from_slice(slice);
        u64::from_be_bytes(buffer)
    }
}

//! ELF reader: finds every constructor and destructor slot (`.preinit_array`, `.init_array`,
//! `.fini_array`, `.ctors`, `.dtors`, `DT_INIT`, `DT_FINI`) in relocatable objects, shared
//! objects and executables, resolves what each slot really points to, and gathers the facts the
//! engine pairs them with.
//!
//! Slot values never come from the section bytes alone: lld leaves them zero and symbol
//! relocations (`R_X86_64_64 gotoblas_init`) fill them at load time. The order of trust is the
//! dynamic relocation at the slot (RELATIVE addend, or symbol value + addend), then RELR / REL
//! in-place words, then the raw word; in objects, the section relocation at the slot.

use crate::audit::disasm::{CodeView, Region};
use crate::audit::model::{
    Arch, BinaryKind, Format, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use crate::audit::object_code::{self, ObjectCode};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader, Rel, Rela, SectionHeader, Sym};
use object::{Endianness, SectionIndex, SymbolIndex};
use std::collections::{BTreeMap, HashMap};

type Result<T> = std::result::Result<T, String>;

/// How a relocation type fills its slot, independent of the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RelocClass {
    /// Load base + addend: the addend is the target.
    Relative,
    /// Symbol value + addend (absolute word, GOT entry, PLT slot).
    Symbolic,
    /// The addend is an IFUNC resolver; the slot gets what it returns.
    Irelative,
    Other,
}

fn classify_reloc(machine: elf::Machine, r_type: elf::RelocationType) -> RelocClass {
    use RelocClass::*;
    match (machine, r_type) {
        (elf::EM_X86_64, elf::R_X86_64_RELATIVE | elf::R_X86_64_RELATIVE64) => Relative,
        (elf::EM_X86_64, elf::R_X86_64_64 | elf::R_X86_64_GLOB_DAT | elf::R_X86_64_JUMP_SLOT) => {
            Symbolic
        }
        (elf::EM_X86_64, elf::R_X86_64_IRELATIVE) => Irelative,
        (elf::EM_386, elf::R_386_RELATIVE) => Relative,
        (elf::EM_386, elf::R_386_32 | elf::R_386_GLOB_DAT | elf::R_386_JMP_SLOT) => Symbolic,
        (elf::EM_386, elf::R_386_IRELATIVE) => Irelative,
        (elf::EM_AARCH64, elf::R_AARCH64_RELATIVE) => Relative,
        (
            elf::EM_AARCH64,
            elf::R_AARCH64_ABS64 | elf::R_AARCH64_GLOB_DAT | elf::R_AARCH64_JUMP_SLOT,
        ) => Symbolic,
        (elf::EM_AARCH64, elf::R_AARCH64_IRELATIVE) => Irelative,
        (elf::EM_ARM, elf::R_ARM_RELATIVE) => Relative,
        (elf::EM_ARM, elf::R_ARM_ABS32 | elf::R_ARM_GLOB_DAT | elf::R_ARM_JUMP_SLOT) => Symbolic,
        (elf::EM_ARM, elf::R_ARM_IRELATIVE) => Irelative,
        (elf::EM_PPC64, elf::R_PPC64_RELATIVE) => Relative,
        (elf::EM_PPC64, elf::R_PPC64_ADDR64 | elf::R_PPC64_GLOB_DAT | elf::R_PPC64_JMP_SLOT) => {
            Symbolic
        }
        (elf::EM_PPC64, elf::R_PPC64_IRELATIVE) => Irelative,
        (elf::EM_PPC, elf::R_PPC_RELATIVE) => Relative,
        (elf::EM_PPC, elf::R_PPC_ADDR32 | elf::R_PPC_GLOB_DAT | elf::R_PPC_JMP_SLOT) => Symbolic,
        (elf::EM_RISCV, elf::R_RISCV_RELATIVE) => Relative,
        (elf::EM_RISCV, elf::R_RISCV_64 | elf::R_RISCV_32 | elf::R_RISCV_JUMP_SLOT) => Symbolic,
        (elf::EM_RISCV, elf::R_RISCV_IRELATIVE) => Irelative,
        (elf::EM_S390, elf::R_390_RELATIVE) => Relative,
        (elf::EM_S390, elf::R_390_64 | elf::R_390_GLOB_DAT | elf::R_390_JMP_SLOT) => Symbolic,
        (elf::EM_S390, elf::R_390_IRELATIVE) => Irelative,
        _ => Other,
    }
}

fn arch_of(machine: elf::Machine, is_64: bool) -> Arch {
    match machine {
        elf::EM_X86_64 => Arch::X86_64,
        elf::EM_386 => Arch::X86,
        elf::EM_AARCH64 => Arch::Aarch64,
        elf::EM_ARM => Arch::Arm,
        elf::EM_PPC64 => Arch::Powerpc64,
        elf::EM_PPC => Arch::Powerpc,
        elf::EM_RISCV if is_64 => Arch::Riscv64,
        elf::EM_S390 => Arch::S390x,
        elf::EM_MIPS => Arch::Mips,
        _ => Arch::Unknown,
    }
}

/// Maps a table section name to its mechanism and priority.
/// `.init_array.00200` and `.init_array.200` carry priority 200; `.ctors.65335` is priority
/// 200 (65535 - N), as GCC numbers them.
fn table_of_section(name: &str) -> Option<(Mechanism, Option<u32>)> {
    let (mechanism, rest) = if let Some(rest) = name.strip_prefix(".preinit_array") {
        (Mechanism::PreinitArray, rest)
    } else if let Some(rest) = name.strip_prefix(".init_array") {
        (Mechanism::InitArray, rest)
    } else if let Some(rest) = name.strip_prefix(".fini_array") {
        (Mechanism::FiniArray, rest)
    } else if let Some(rest) = name.strip_prefix(".ctors") {
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
    let priority = match mechanism {
        Mechanism::Ctors | Mechanism::Dtors => 65535u32.checked_sub(number)?,
        _ => number,
    };
    Some((mechanism, Some(priority)))
}

/// What a relocated word resolves to.
#[derive(Debug, Clone)]
enum SlotValue {
    Value(u64, &'static str),
    Import(String),
}

struct Symbols {
    /// Function start -> (name, size), from `.symtab` first, then `.dynsym`.
    functions: BTreeMap<u64, (String, u64)>,
    /// A `STB_GNU_UNIQUE` symbol, if any.
    unique: Option<String>,
}

/// Parses one ELF file (32/64-bit, either endianness).
pub fn inventory<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Inventory> {
    let header = Elf::parse(data).map_err(|e| format!("not a valid ELF header: {e}"))?;
    let endian = header.endian().map_err(|e| e.to_string())?;
    let machine = header.e_machine(endian);
    let arch = arch_of(machine, header.is_type_64());
    let sections = header
        .sections(endian, data)
        .map_err(|e| format!("bad section table: {e}"))?;
    match header.e_type(endian) {
        elf::ET_REL => object_inventory(header, endian, data, &sections, arch),
        elf::ET_DYN | elf::ET_EXEC => image_inventory(header, endian, data, &sections, arch),
        other => Err(format!(
            "ELF type {other} is neither an object, a shared object nor an executable"
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Linked images
// ---------------------------------------------------------------------------------------------

struct Image<'data, Elf: FileHeader> {
    endian: Endianness,
    data: &'data [u8],
    header: &'data Elf,
    word: u64,
}

impl<'data, Elf: FileHeader<Endian = Endianness>> Image<'data, Elf> {
    /// Reads a pointer-sized word at a virtual address, through the load segments.
    fn read_word(&self, address: u64) -> Option<u64> {
        let phdrs = self.header.program_headers(self.endian, self.data).ok()?;
        for phdr in phdrs {
            if phdr.p_type(self.endian) != elf::PT_LOAD {
                continue;
            }
            let vaddr: u64 = phdr.p_vaddr(self.endian).into();
            let filesz: u64 = phdr.p_filesz(self.endian).into();
            if address < vaddr || address.checked_add(self.word)? > vaddr.checked_add(filesz)? {
                continue;
            }
            let offset: u64 = phdr.p_offset(self.endian).into();
            let start = usize::try_from(offset.checked_add(address - vaddr)?).ok()?;
            let bytes = self
                .data
                .get(start..start.checked_add(self.word as usize)?)?;
            return Some(if self.word == 8 {
                self.endian_u64(bytes)
            } else {
                u64::from(self.endian_u32(bytes))
            });
        }
        None
    }

    fn endian_u64(&self, bytes: &[u8]) -> u64 {
        let array: [u8; 8] = bytes.try_into().unwrap_or([0; 8]);
        if self.endian == Endianness::Little {
            u64::from_le_bytes(array)
        } else {
            u64::from_be_bytes(array)
        }
    }

    fn endian_u32(&self, bytes: &[u8]) -> u32 {
        let array: [u8; 4] = bytes.try_into().unwrap_or([0; 4]);
        if self.endian == Endianness::Little {
            u32::from_le_bytes(array)
        } else {
            u32::from_be_bytes(array)
        }
    }
}

#[derive(Default)]
struct DynamicInfo {
    needed: Vec<String>,
    soname: Option<String>,
    flags_1: u64,
    init: Option<u64>,
    fini: Option<u64>,
    /// (mechanism, address, size in bytes)
    arrays: Vec<(Mechanism, u64, u64)>,
}

fn dynamic_info<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &object::read::elf::SectionTable<Elf>,
) -> DynamicInfo {
    let mut info = DynamicInfo::default();
    let mut entries: Option<&[Elf::Dyn]> = None;
    let mut strings = None;
    for section in sections.iter() {
        if let Ok(Some((dynamic, link))) = section.dynamic(endian, data) {
            entries = Some(dynamic);
            strings = sections.strings(endian, data, link).ok();
            break;
        }
    }
    if entries.is_none() {
        if let Ok(phdrs) = header.program_headers(endian, data) {
            entries = phdrs
                .iter()
                .find_map(|phdr| phdr.dynamic(endian, data).ok().flatten());
        }
    }
    let Some(entries) = entries else {
        return info;
    };
    let (mut init_array, mut init_size) = (None, 0);
    let (mut fini_array, mut fini_size) = (None, 0);
    let (mut preinit_array, mut preinit_size) = (None, 0);
    for entry in entries {
        let tag = entry.d_tag(endian);
        let value: u64 = entry.d_val(endian).into();
        let string = || {
            strings
                .and_then(|s| s.get(value as u32).ok())
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        match tag {
            elf::DT_NULL => break,
            elf::DT_NEEDED => info.needed.extend(string()),
            elf::DT_SONAME => info.soname = string(),
            elf::DT_FLAGS_1 => info.flags_1 = value,
            elf::DT_INIT => info.init = Some(value),
            elf::DT_FINI => info.fini = Some(value),
            elf::DT_INIT_ARRAY => init_array = Some(value),
            elf::DT_INIT_ARRAYSZ => init_size = value,
            elf::DT_FINI_ARRAY => fini_array = Some(value),
            elf::DT_FINI_ARRAYSZ => fini_size = value,
            elf::DT_PREINIT_ARRAY => preinit_array = Some(value),
            elf::DT_PREINIT_ARRAYSZ => preinit_size = value,
            _ => {}
        }
    }
    for (mechanism, address, size) in [
        (Mechanism::PreinitArray, preinit_array, preinit_size),
        (Mechanism::InitArray, init_array, init_size),
        (Mechanism::FiniArray, fini_array, fini_size),
    ] {
        if let Some(address) = address {
            info.arrays.push((mechanism, address, size));
        }
    }
    info
}

fn collect_symbols<Elf: FileHeader<Endian = Endianness>>(
    endian: Endianness,
    data: &[u8],
    sections: &object::read::elf::SectionTable<Elf>,
) -> Symbols {
    let mut symbols = Symbols {
        functions: BTreeMap::new(),
        unique: None,
    };
    for kind in [elf::SHT_SYMTAB, elf::SHT_DYNSYM] {
        let Ok(table) = sections.symbols(endian, data, kind) else {
            continue;
        };
        for symbol in table.iter() {
            if symbol.st_bind() == elf::STB_GNU_UNIQUE && symbols.unique.is_none() {
                if let Ok(name) = symbol.name(endian, table.strings()) {
                    symbols.unique = Some(String::from_utf8_lossy(name).into_owned());
                }
            }
            let kind = symbol.st_type();
            if !(kind == elf::STT_FUNC || kind == elf::STT_GNU_IFUNC) || symbol.is_undefined(endian)
            {
                continue;
            }
            let value: u64 = symbol.st_value(endian).into();
            if value == 0 {
                continue;
            }
            let Ok(name) = symbol.name(endian, table.strings()) else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            // Thumb functions have the low bit set.
            let start = value & !1;
            let size: u64 = symbol.st_size(endian).into();
            let name = String::from_utf8_lossy(name).into_owned();
            // Keep the first (symtab) name; prefer a global name over a local alias.
            match symbols.functions.get(&start) {
                Some(_) if symbol.st_bind() != elf::STB_GLOBAL => {}
                Some((existing, _)) if !existing.starts_with('.') && kind == elf::STT_FUNC => {}
                _ => {
                    symbols.functions.insert(start, (name, size));
                }
            }
        }
    }
    symbols
}

fn section_name<Elf: FileHeader<Endian = Endianness>>(
    endian: Endianness,
    sections: &object::read::elf::SectionTable<Elf>,
    section: &Elf::SectionHeader,
) -> String {
    sections
        .section_name(endian, section)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .unwrap_or_default()
}

fn image_inventory<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &object::read::elf::SectionTable<Elf>,
    arch: Arch,
) -> Result<Inventory> {
    let image = Image {
        endian,
        data,
        header,
        word: if header.is_type_64() { 8 } else { 4 },
    };
    let is_mips64el = header.is_mips64el(endian);
    let machine = header.e_machine(endian);
    let dynamic = dynamic_info(header, endian, data, sections);
    let symbols = collect_symbols(endian, data, sections);

    // Every dynamic relocation and RELR address, by the address it patches.
    let mut slots: HashMap<u64, SlotValue> = HashMap::new();
    let mut view = CodeView {
        arch: Some(arch),
        ..CodeView::default()
    };
    for section in sections.iter() {
        let sh_type = section.sh_type(endian);
        if sh_type != elf::SHT_RELA && sh_type != elf::SHT_REL && sh_type != elf::SHT_RELR {
            continue;
        }
        let flags = section.sh_flags(endian);
        if !flags.contains(elf::SHF_ALLOC) && sh_type != elf::SHT_RELR {
            // Static relocations kept by `--emit-relocs` describe the link, not the load.
            continue;
        }
        if sh_type == elf::SHT_RELR {
            let words = section
                .data(endian, data)
                .map_err(|e| format!("bad RELR section: {e}"))?;
            for address in decode_relr(words, image.word, endian).take(1 << 24) {
                if let Some(value) = image.read_word(address) {
                    slots
                        .entry(address)
                        .or_insert(SlotValue::Value(value, "RELR relative word"));
                }
            }
            continue;
        }
        let symtab = sections
            .symbol_table_by_index(endian, data, SectionIndex(section.sh_link(endian) as usize))
            .ok();
        let mut record =
            |offset: u64, sym: u32, r_type: elf::RelocationType, addend: Option<i64>| {
                let inplace = || image.read_word(offset).unwrap_or(0);
                let class = classify_reloc(machine, r_type);
                let value = match class {
                    RelocClass::Relative => SlotValue::Value(
                        addend.map_or_else(inplace, |a| a as u64),
                        if addend.is_some() {
                            "RELA relative addend"
                        } else {
                            "REL relative word"
                        },
                    ),
                    RelocClass::Irelative => SlotValue::Value(
                        addend.map_or_else(inplace, |a| a as u64),
                        "IRELATIVE resolver",
                    ),
                    RelocClass::Symbolic => {
                        let Some(symbol) = symtab
                            .as_ref()
                            .and_then(|t| t.symbol(SymbolIndex(sym as usize)).ok())
                        else {
                            return;
                        };
                        let name = symtab
                            .as_ref()
                            .and_then(|t| symbol.name(endian, t.strings()).ok())
                            .map(|n| String::from_utf8_lossy(n).into_owned())
                            .unwrap_or_default();
                        if symbol.is_undefined(endian) {
                            SlotValue::Import(name)
                        } else {
                            let base: u64 = symbol.st_value(endian).into();
                            let addend = addend.map_or_else(inplace, |a| a as u64);
                            SlotValue::Value(base.wrapping_add(addend), "symbol relocation")
                        }
                    }
                    RelocClass::Other => return,
                };
                slots.insert(offset, value);
            };
        if let Ok(Some((relas, _))) = section.rela(endian, data) {
            for rela in relas {
                record(
                    rela.r_offset(endian).into(),
                    rela.r_sym(endian, is_mips64el),
                    rela.r_type(endian, is_mips64el),
                    Some(rela.r_addend(endian).into()),
                );
            }
        } else if let Ok(Some((rels, _))) = section.rel(endian, data) {
            for rel in rels {
                record(
                    rel.r_offset(endian).into(),
                    rel.r_sym(endian),
                    rel.r_type(endian),
                    None,
                );
            }
        }
    }
    for (address, value) in &slots {
        match value {
            SlotValue::Import(name) => {
                view.import_slots.insert(*address, name.clone());
            }
            SlotValue::Value(target, _) => {
                view.local_slots.insert(*address, *target);
            }
        }
    }

    // Regions, stubs and table sections from the section headers; load segments otherwise.
    let mut section_tables: Vec<(Mechanism, Option<u32>, String, u64, u64)> = Vec::new();
    let mut section_ranges: Vec<(String, u64, u64)> = Vec::new();
    for section in sections.iter() {
        let flags = section.sh_flags(endian);
        // `.tbss` has an address but occupies no memory of its own: it overlaps what follows.
        let tls_nobits = flags.contains(elf::SHF_TLS) && section.sh_type(endian) == elf::SHT_NOBITS;
        if !flags.contains(elf::SHF_ALLOC) || tls_nobits {
            continue;
        }
        let name = section_name(endian, sections, section);
        let address: u64 = section.sh_addr(endian).into();
        let size: u64 = section.sh_size(endian).into();
        section_ranges.push((name.clone(), address, size));
        let bytes = if section.sh_type(endian) == elf::SHT_NOBITS {
            &[][..]
        } else {
            section.data(endian, data).unwrap_or(&[])
        };
        view.regions.push(Region {
            start: address,
            size,
            bytes,
            executable: flags.contains(elf::SHF_EXECINSTR),
            writable: flags.contains(elf::SHF_WRITE),
        });
        if matches!(name.as_str(), ".plt" | ".plt.sec" | ".plt.got" | ".iplt") {
            view.stub_ranges.push(address..address.saturating_add(size));
        }
        if name == ".got.plt" || (name == ".got" && view.got_base.is_none()) {
            view.got_base = Some(address);
        }
        if let Some((mechanism, priority)) = table_of_section(&name) {
            section_tables.push((mechanism, priority, name, address, size));
        }
    }
    if view.regions.is_empty() {
        if let Ok(phdrs) = header.program_headers(endian, data) {
            for phdr in phdrs.iter().filter(|p| p.p_type(endian) == elf::PT_LOAD) {
                let flags = phdr.p_flags(endian);
                view.regions.push(Region {
                    start: phdr.p_vaddr(endian).into(),
                    size: phdr.p_memsz(endian).into(),
                    bytes: phdr.data(endian, data).unwrap_or(&[]),
                    executable: flags.contains(elf::PF_X),
                    writable: flags.contains(elf::PF_W),
                });
            }
        }
    }
    for (start, (name, size)) in &symbols.functions {
        view.function_sizes.insert(*start, *size);
        view.function_names.insert(*start, name.clone());
    }
    let section_at = |address: u64| {
        section_ranges
            .iter()
            .find(|(_, start, size)| address >= *start && address - *start < *size)
            .map(|(name, _, _)| name.clone())
    };

    // The tables: the loader's view (DT_*_ARRAY) first, then table sections it does not cover.
    let mut tables: Vec<(Mechanism, Option<u32>, String, u64, u64)> = Vec::new();
    for (mechanism, address, size) in &dynamic.arrays {
        let name = section_at(*address).unwrap_or_else(|| mechanism.name().to_string());
        tables.push((*mechanism, None, name, *address, *size));
    }
    for table in section_tables {
        let covered = tables
            .iter()
            .any(|(_, _, _, start, size)| table.3 >= *start && table.3 - start < *size.max(&1));
        if !covered {
            tables.push(table);
        }
    }

    let mut entries = Vec::new();
    let name_of = |address: u64| symbols.functions.get(&address).map(|(n, _)| n.clone());
    for (mechanism, priority, section, start, size) in &tables {
        let count = (size / image.word).min(1 << 16);
        for index in 0..count {
            let Some(slot) = start.checked_add(index * image.word) else {
                break;
            };
            let (value, resolved_by, import) = match slots.get(&slot) {
                Some(SlotValue::Value(value, how)) => (*value, *how, None),
                Some(SlotValue::Import(name)) => (0, "symbol relocation (import)", Some(name)),
                None => match image.read_word(slot) {
                    Some(word) => (word, "word in file", None),
                    None => continue,
                },
            };
            let all_ones = if image.word == 8 {
                u64::MAX
            } else {
                u64::from(u32::MAX)
            };
            if import.is_none() && (value == 0 || value == all_ones) {
                // Null padding, or the -1/0 sentinels of .ctors/.dtors lists.
                continue;
            }
            entries.push(RawEntry {
                mechanism: *mechanism,
                section: section.clone(),
                slot,
                target: value,
                address: value,
                target_section: section_at(value),
                symbol: import.cloned().or_else(|| name_of(value)),
                priority: *priority,
                resolved_by,
            });
        }
    }
    for (mechanism, address) in [
        (Mechanism::DtInit, dynamic.init),
        (Mechanism::DtFini, dynamic.fini),
    ] {
        if let Some(address) = address.filter(|a| *a != 0) {
            entries.push(RawEntry {
                mechanism,
                section: section_at(address).unwrap_or_else(|| mechanism.name().to_string()),
                slot: 0,
                target: address,
                address,
                target_section: section_at(address),
                symbol: name_of(address),
                priority: None,
                resolved_by: "dynamic tag",
            });
        }
    }

    let GatheredFacts {
        facts,
        function_names,
        display_addresses,
    } = GatheredFacts::gather(&entries, |address| view.analyse(address), name_of, |a| a);

    // What kind of image, which runtime, and can it be unloaded at all?
    let interpreter = header
        .program_headers(endian, data)
        .ok()
        .and_then(|phdrs| {
            phdrs
                .iter()
                .find_map(|p| p.interpreter(endian, data).ok().flatten())
        })
        .map(|i| String::from_utf8_lossy(i).into_owned());
    let is_pie = dynamic.flags_1 & elf::DF_1_PIE.0 != 0;
    let kind = if header.e_type(endian) == elf::ET_EXEC
        || is_pie
        || (interpreter.is_some() && dynamic.soname.is_none())
    {
        BinaryKind::Executable
    } else {
        BinaryKind::SharedLibrary
    };
    let (runtime, runtime_evidence) =
        if let Some(lib) = dynamic.needed.iter().find(|n| n.starts_with("libc.so.6")) {
            (Runtime::Glibc, format!("DT_NEEDED {lib}"))
        } else if interpreter
            .as_deref()
            .is_some_and(|i| i.contains("ld-musl"))
            || dynamic
                .needed
                .iter()
                .any(|n| n == "libc.so" || n.starts_with("libc.musl"))
        {
            (Runtime::Musl, "links musl's libc.so".to_string())
        } else if dynamic
            .soname
            .as_deref()
            .is_some_and(|s| s.starts_with("libc.so.6"))
        {
            (Runtime::Glibc, "is glibc's libc.so.6".to_string())
        } else {
            (Runtime::Unknown, "no libc in DT_NEEDED".to_string())
        };
    let never_unloaded = if kind == BinaryKind::Executable {
        Some(
            "an executable is never unloaded, so its constructors cannot leak across unloads"
                .to_string(),
        )
    } else if dynamic.flags_1 & elf::DF_1_NODELETE.0 != 0 {
        Some("DF_1_NODELETE is set (linked with -z nodelete): dlclose never unloads it".to_string())
    } else if let Some(unique) = &symbols.unique {
        Some(format!(
            "it defines the STB_GNU_UNIQUE symbol {unique}: glibc never unloads such a library"
        ))
    } else if runtime == Runtime::Musl {
        Some("musl's dlclose never unloads a library".to_string())
    } else {
        None
    };

    Ok(Inventory {
        format: Format::Elf,
        arch,
        kind,
        runtime,
        runtime_evidence,
        never_unloaded,
        entries,
        facts,
        function_names,
        display_addresses,
        dll_main: None,
        evidence: Vec::new(),
    })
}

/// Decodes a RELR table into the addresses it relocates. An even entry is an address; an odd
/// entry is a bitmap of the following (word bits - 1) words. Decoded here rather than with
/// object 0.37's `RelrIterator`, whose offset arithmetic overflows on hostile input (found by
/// our fuzzer); every step here is checked and stops the table instead.
fn decode_relr(bytes: &[u8], word: u64, endian: Endianness) -> impl Iterator<Item = u64> + '_ {
    let size = word as usize;
    let mut entries = bytes.chunks_exact(size).map(move |chunk| {
        let mut buffer = [0u8; 8];
        if endian == Endianness::Little {
            buffer[..size].copy_from_slice(chunk);
            u64::from_le_bytes(buffer)
        } else {
            buffer[8 - size..].copy_from_slice(chunk);
            u64::from_be_bytes(buffer)
        }
    });
    let mut next: Option<u64> = None;
    let mut pending: Vec<u64> = Vec::new();
    std::iter::from_fn(move || loop {
        if let Some(address) = pending.pop() {
            return Some(address);
        }
        let entry = entries.next()?;
        if entry & 1 == 0 {
            next = entry.checked_add(word);
            return Some(entry);
        }
        // A bitmap: bit i (from 1) relocates base + (i - 1) words.
        let base = next?;
        let bits = word * 8 - 1;
        for bit in (1..=bits).rev() {
            if entry >> bit & 1 == 1 {
                pending.push(base.checked_add((bit - 1) * word)?);
            }
        }
        next = base.checked_add(bits * word);
    })
}

// ---------------------------------------------------------------------------------------------
// Relocatable objects
// ---------------------------------------------------------------------------------------------

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

fn object_inventory<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &object::read::elf::SectionTable<Elf>,
    arch: Arch,
) -> Result<Inventory> {
    let machine = header.e_machine(endian);
    let is_mips64el = header.is_mips64el(endian);
    let word: u64 = if header.is_type_64() { 8 } else { 4 };

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

    let mut symbols = BTreeMap::new();
    if let Ok(table) = sections.symbols(endian, data, elf::SHT_SYMTAB) {
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
    }

    // Relocations by the section they patch, with the designated offset worked out.
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

    let code = ObjectCode::new(arch, code_sections, symbols, relocs);
    Ok(code.inventory(
        Format::Elf,
        table_of_section,
        Runtime::Unknown,
        "relocatable object: the runtime is chosen at link time".to_string(),
    ))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relr_decodes_addresses_and_bitmaps_and_stops_on_overflow() {
        // 0x3db8, then bitmap 0b1111 (bits 1..3 set): 0x3dc0, 0x3dc8, 0x3dd0; then 0x4010.
        let words: Vec<u8> = [0x3db8u64, 0xf, 0x4010]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        let addresses: Vec<u64> = decode_relr(&words, 8, Endianness::Little).collect();
        assert_eq!(addresses, vec![0x3db8, 0x3dc0, 0x3dc8, 0x3dd0, 0x4010]);
        // An address at the top of the range followed by a bitmap must not overflow.
        let hostile: Vec<u8> = [u64::MAX - 1, u64::MAX]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(decode_relr(&hostile, 8, Endianness::Little).count(), 1);
        // 32-bit big-endian.
        let be: Vec<u8> = [0x1000u32, 0b11]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect();
        assert_eq!(
            decode_relr(&be, 4, Endianness::Big).collect::<Vec<_>>(),
            vec![0x1000, 0x1004]
        );
    }

    #[test]
    fn table_sections_and_priorities() {
        assert_eq!(
            table_of_section(".init_array"),
            Some((Mechanism::InitArray, None))
        );
        assert_eq!(
            table_of_section(".init_array.00200"),
            Some((Mechanism::InitArray, Some(200)))
        );
        assert_eq!(
            table_of_section(".fini_array.101"),
            Some((Mechanism::FiniArray, Some(101)))
        );
        assert_eq!(
            table_of_section(".ctors.65335"),
            Some((Mechanism::Ctors, Some(200)))
        );
        assert_eq!(table_of_section(".dtors"), Some((Mechanism::Dtors, None)));
        assert_eq!(table_of_section(".init_arrayX"), None);
        assert_eq!(table_of_section(".text"), None);
    }
}

//! Linked ELF images (shared objects and executables): the tables the loader runs (`DT_*_ARRAY`
//! and the table sections it does not cover, `DT_INIT`/`DT_FINI`), each slot resolved through
//! the dynamic relocations (`relocations`), what kind of image it is, which C runtime it needs
//! and whether it can be unloaded at all.

use super::relocations::{dynamic_slots, SlotValue};
use super::{section_name, table_of_section};
use crate::audit::model::{
    Arch, BinaryKind, Format, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use crate::audit::walk::{CodeView, Region};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader, SectionHeader, SectionTable, Sym};
use object::Endianness;
use std::collections::{BTreeMap, HashMap};

type Result<T> = std::result::Result<T, String>;

/// One table as the loader (or a table section) describes it.
struct Table {
    mechanism: Mechanism,
    priority: Option<u32>,
    section: String,
    start: u64,
    size: u64,
}

struct Symbols {
    /// Function start -> (name, size), from `.symtab` first, then `.dynsym`.
    functions: BTreeMap<u64, (String, u64)>,
    /// A `STB_GNU_UNIQUE` symbol, if any.
    unique: Option<String>,
}

/// The image's bytes as the loader maps them, read through its load segments.
pub(super) struct Image<'data, Elf: FileHeader> {
    pub endian: Endianness,
    pub data: &'data [u8],
    pub header: &'data Elf,
    /// Pointer size in bytes.
    pub word: u64,
}

impl<'data, Elf: FileHeader<Endian = Endianness>> Image<'data, Elf> {
    /// Reads a pointer-sized word at a virtual address, through the load segments.
    pub fn read_word(&self, address: u64) -> Option<u64> {
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

/// The allocated sections of the image: its code view (regions, PLT stubs, GOT), their name
/// ranges, and the table sections among them.
struct Layout<'data> {
    view: CodeView<'data>,
    section_ranges: Vec<(String, u64, u64)>,
    section_tables: Vec<Table>,
}

impl Layout<'_> {
    fn section_at(&self, address: u64) -> Option<String> {
        self.section_ranges
            .iter()
            .find(|(_, start, size)| address >= *start && address - *start < *size)
            .map(|(name, _, _)| name.clone())
    }
}

/// Reads a linked image: its tables, their resolved slots, kind, runtime and unloadability.
pub(super) fn image_inventory<Elf: FileHeader<Endian = Endianness>>(
    header: &Elf,
    endian: Endianness,
    data: &[u8],
    sections: &SectionTable<Elf>,
    arch: Arch,
) -> Result<Inventory> {
    let image = Image {
        endian,
        data,
        header,
        word: if header.is_type_64() { 8 } else { 4 },
    };
    let dynamic = dynamic_info(header, endian, data, sections);
    let symbols = collect_symbols(endian, data, sections);
    let slots = dynamic_slots(&image, sections)?;
    let layout = layout(&image, sections, arch, &slots, &symbols);
    let name_of = |address: u64| symbols.functions.get(&address).map(|(n, _)| n.clone());
    let mut entries = table_entries(
        &image,
        &tables(&dynamic, &layout),
        &slots,
        &layout,
        &name_of,
    );
    entries.extend(dynamic_tag_entries(&dynamic, &layout, &name_of));
    let GatheredFacts {
        facts,
        function_names,
        display_addresses,
    } = GatheredFacts::gather(&entries, |a| layout.view.analyse(a), name_of, |a| a);
    let interpreter = interpreter(&image);
    let kind = image_kind(&image, &dynamic, interpreter.as_deref());
    let (runtime, runtime_evidence) = runtime(&dynamic, interpreter.as_deref());
    Ok(Inventory {
        format: Format::Elf,
        arch,
        kind,
        runtime,
        runtime_evidence,
        never_unloaded: never_unloaded(kind, &dynamic, &symbols, runtime),
        entries,
        facts,
        function_names,
        display_addresses,
        dll_main: None,
        evidence: Vec::new(),
    })
}

/// Regions, stubs and table sections from the section headers; load segments otherwise. The
/// resolved slots and the function symbols feed the code walk.
fn layout<'data, Elf: FileHeader<Endian = Endianness>>(
    image: &Image<'data, Elf>,
    sections: &SectionTable<'data, Elf>,
    arch: Arch,
    slots: &HashMap<u64, SlotValue>,
    symbols: &Symbols,
) -> Layout<'data> {
    let mut layout = Layout {
        view: CodeView {
            arch: Some(arch),
            ..CodeView::default()
        },
        section_ranges: Vec::new(),
        section_tables: Vec::new(),
    };
    for (address, value) in slots {
        match value {
            SlotValue::Import(name) => {
                layout.view.import_slots.insert(*address, name.clone());
            }
            SlotValue::Value(target, _) => {
                layout.view.local_slots.insert(*address, *target);
            }
        }
    }
    for section in sections.iter() {
        add_section(&mut layout, image, sections, section);
    }
    if layout.view.regions.is_empty() {
        add_load_segments(&mut layout.view, image);
    }
    for (start, (name, size)) in &symbols.functions {
        // A symbol's size wins over the unwind entry's, unless the symbol has none.
        if *size > 0 || !layout.view.function_sizes.contains_key(start) {
            layout.view.function_sizes.insert(*start, *size);
        }
        layout.view.function_names.insert(*start, name.clone());
    }
    layout
}

/// One allocated section: a region, maybe PLT stubs or the GOT base, maybe a table.
fn add_section<'data, Elf: FileHeader<Endian = Endianness>>(
    layout: &mut Layout<'data>,
    image: &Image<'data, Elf>,
    sections: &SectionTable<'data, Elf>,
    section: &'data Elf::SectionHeader,
) {
    let (endian, view) = (image.endian, &mut layout.view);
    let flags = section.sh_flags(endian);
    // `.tbss` has an address but occupies no memory of its own: it overlaps what follows.
    let tls_nobits = flags.contains(elf::SHF_TLS) && section.sh_type(endian) == elf::SHT_NOBITS;
    if !flags.contains(elf::SHF_ALLOC) || tls_nobits {
        return;
    }
    let name = section_name(endian, sections, section);
    let address: u64 = section.sh_addr(endian).into();
    let size: u64 = section.sh_size(endian).into();
    layout.section_ranges.push((name.clone(), address, size));
    let bytes = if section.sh_type(endian) == elf::SHT_NOBITS {
        &[][..]
    } else {
        section.data(endian, image.data).unwrap_or(&[])
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
    if name == ".eh_frame" {
        let big_endian = image.endian == Endianness::Big;
        for (start, length) in super::unwind::extents(bytes, address, big_endian, image.word) {
            // Function symbols, read later, override these where they give a size.
            view.function_sizes.entry(start).or_insert(length);
        }
    }
    if let Some((mechanism, priority)) = table_of_section(&name) {
        layout.section_tables.push(Table {
            mechanism,
            priority,
            section: name,
            start: address,
            size,
        });
    }
}

/// Without section headers, the load segments are the regions.
fn add_load_segments<'data, Elf: FileHeader<Endian = Endianness>>(
    view: &mut CodeView<'data>,
    image: &Image<'data, Elf>,
) {
    let (endian, data) = (image.endian, image.data);
    let Ok(phdrs) = image.header.program_headers(endian, data) else {
        return;
    };
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

/// The tables: the loader's view (DT_*_ARRAY) first, then table sections it does not cover.
fn tables(dynamic: &DynamicInfo, layout: &Layout) -> Vec<Table> {
    let mut tables: Vec<Table> = dynamic
        .arrays
        .iter()
        .map(|(mechanism, address, size)| Table {
            mechanism: *mechanism,
            priority: None,
            section: layout
                .section_at(*address)
                .unwrap_or_else(|| mechanism.name().to_string()),
            start: *address,
            size: *size,
        })
        .collect();
    for table in &layout.section_tables {
        let covered = tables.iter().any(|other| {
            table.start >= other.start && table.start - other.start < other.size.max(1)
        });
        if !covered {
            tables.push(Table {
                section: table.section.clone(),
                ..*table
            });
        }
    }
    tables
}

/// One entry per non-null slot of every table, its value resolved through the dynamic
/// relocations, else read from the file.
fn table_entries<Elf: FileHeader<Endian = Endianness>>(
    image: &Image<Elf>,
    tables: &[Table],
    slots: &HashMap<u64, SlotValue>,
    layout: &Layout,
    name_of: &dyn Fn(u64) -> Option<String>,
) -> Vec<RawEntry> {
    let all_ones = if image.word == 8 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    };
    let mut entries = Vec::new();
    for table in tables {
        let count = (table.size / image.word).min(1 << 16);
        for index in 0..count {
            let Some(slot) = table.start.checked_add(index * image.word) else {
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
            if import.is_none() && (value == 0 || value == all_ones) {
                // Null padding, or the -1/0 sentinels of .ctors/.dtors lists.
                continue;
            }
            entries.push(RawEntry {
                mechanism: table.mechanism,
                section: table.section.clone(),
                slot,
                target: value,
                address: value,
                target_section: layout.section_at(value),
                symbol: import.cloned().or_else(|| name_of(value)),
                priority: table.priority,
                resolved_by,
            });
        }
    }
    entries
}

/// `DT_INIT` and `DT_FINI`, when set.
fn dynamic_tag_entries(
    dynamic: &DynamicInfo,
    layout: &Layout,
    name_of: &dyn Fn(u64) -> Option<String>,
) -> Vec<RawEntry> {
    [
        (Mechanism::DtInit, dynamic.init),
        (Mechanism::DtFini, dynamic.fini),
    ]
    .into_iter()
    .filter_map(|(mechanism, address)| {
        let address = address.filter(|a| *a != 0)?;
        Some(RawEntry {
            mechanism,
            section: layout
                .section_at(address)
                .unwrap_or_else(|| mechanism.name().to_string()),
            slot: 0,
            target: address,
            address,
            target_section: layout.section_at(address),
            symbol: name_of(address),
            priority: None,
            resolved_by: "dynamic tag",
        })
    })
    .collect()
}

/// The program interpreter (`PT_INTERP`), if any.
fn interpreter<Elf: FileHeader<Endian = Endianness>>(image: &Image<Elf>) -> Option<String> {
    let (endian, data) = (image.endian, image.data);
    let phdrs = image.header.program_headers(endian, data).ok()?;
    phdrs
        .iter()
        .find_map(|p| p.interpreter(endian, data).ok().flatten())
        .map(|i| String::from_utf8_lossy(i).into_owned())
}

/// An executable (ET_EXEC, a PIE, or an interpreter without a soname) or a shared library.
fn image_kind<Elf: FileHeader<Endian = Endianness>>(
    image: &Image<Elf>,
    dynamic: &DynamicInfo,
    interpreter: Option<&str>,
) -> BinaryKind {
    let is_pie = dynamic.flags_1 & elf::DF_1_PIE.0 != 0;
    if image.header.e_type(image.endian) == elf::ET_EXEC
        || is_pie
        || (interpreter.is_some() && dynamic.soname.is_none())
    {
        BinaryKind::Executable
    } else {
        BinaryKind::SharedLibrary
    }
}

/// The C runtime the image links, and why we think so.
fn runtime(dynamic: &DynamicInfo, interpreter: Option<&str>) -> (Runtime, String) {
    if let Some(lib) = dynamic.needed.iter().find(|n| n.starts_with("libc.so.6")) {
        (Runtime::Glibc, format!("DT_NEEDED {lib}"))
    } else if interpreter.is_some_and(|i| i.contains("ld-musl"))
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
    }
}

/// Why the image can never be unloaded, if it cannot.
fn never_unloaded(
    kind: BinaryKind,
    dynamic: &DynamicInfo,
    symbols: &Symbols,
    runtime: Runtime,
) -> Option<String> {
    if kind == BinaryKind::Executable {
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
    }
}

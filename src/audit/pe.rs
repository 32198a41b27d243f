//! Linked PE reader (DLLs and EXEs; x86, x64, ARM64; stripped or not): finds the MSVC-runtime
//! initializer and terminator tables that the linker merged into `.rdata` (or MinGW's `.CRT`),
//! MinGW's `__CTOR_LIST__`/`__DTOR_LIST__`, TLS callbacks and a `DllMain`, and tells which C
//! runtime the image uses, because that decides which tables run on `FreeLibrary`.
//!
//! Symbols are used when present, never required. Without them the tables are located from
//! their use: the two pointer arguments of every `_initterm`/`_initterm_e` call (through the IAT
//! for `/MD`, to the linked-in function for `/MT`), validated slot by slot against base
//! relocations and executable sections. The `.CRT$X*` subsections keep their name order after
//! the merge (XC < XI < XL < XP < XT), which is how ranges are told apart.

use crate::audit::disasm::{CodeView, Region};
use crate::audit::model::{
    Arch, BinaryKind, Format, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, Import, PeFile};
use object::read::{Object, ObjectSymbol};
use object::LittleEndian as LE;
use std::collections::{BTreeMap, BTreeSet};

type Result<T> = std::result::Result<T, String>;

/// Imports whose presence marks the dynamic MSVC CRT (UCRT + vcruntime).
const MSVC_DYNAMIC_IMPORTS: &[&str] = &[
    "_initterm",
    "_initterm_e",
    "_execute_onexit_table",
    "_register_onexit_function",
    "_initialize_onexit_table",
    "_crt_atexit",
    "_cexit",
];

/// A table range found at a call site: `[begin, end)` in RVAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TableRange {
    begin: u64,
    end: u64,
}

/// Reads a PE32 or PE32+ image.
pub fn inventory<Pe: ImageNtHeaders>(data: &[u8]) -> Result<Inventory> {
    let file = PeFile::<Pe>::parse(data).map_err(|e| format!("not a valid PE image: {e}"))?;
    let nt = file.nt_headers();
    let header = nt.file_header();
    let optional = nt.optional_header();
    let image_base = optional.image_base();
    let machine = header.machine.get(LE);
    let arch = match machine {
        pe::IMAGE_FILE_MACHINE_AMD64 => Arch::X86_64,
        pe::IMAGE_FILE_MACHINE_I386 => Arch::X86,
        pe::IMAGE_FILE_MACHINE_ARM64 => Arch::Aarch64,
        pe::IMAGE_FILE_MACHINE_ARMNT => Arch::Arm,
        _ => Arch::Unknown,
    };
    let word: u64 = if Pe::is_type_64(nt) { 8 } else { 4 };
    let is_dll = header.characteristics.get(LE).contains(pe::IMAGE_FILE_DLL);
    let sections = file.section_table();

    // Regions in RVA space.
    let mut view = CodeView {
        arch: Some(arch),
        image_base,
        ..CodeView::default()
    };
    let mut section_names: Vec<(String, u64, u64)> = Vec::new();
    for section in sections.iter() {
        let name = String::from_utf8_lossy(section.raw_name())
            .trim_end_matches('\0')
            .to_string();
        let (start, size) = section.pe_address_range();
        let characteristics = section.characteristics.get(LE);
        let bytes = section.pe_data(data).unwrap_or(&[]);
        let bytes = &bytes[..bytes.len().min(size as usize)];
        view.regions.push(Region {
            start: u64::from(start),
            size: u64::from(size),
            bytes,
            executable: characteristics.contains(pe::IMAGE_SCN_MEM_EXECUTE),
            writable: characteristics.contains(pe::IMAGE_SCN_MEM_WRITE),
        });
        section_names.push((name, u64::from(start), u64::from(size)));
    }
    let section_at = |rva: u64| {
        section_names
            .iter()
            .find(|(_, start, size)| rva >= *start && rva - *start < *size)
            .map(|(name, _, _)| name.clone())
    };

    // Imports: IAT slot RVA -> name, and the DLLs they come from.
    let mut imported_from: BTreeMap<String, String> = BTreeMap::new();
    if let Ok(Some(imports)) = file.import_table() {
        let mut descriptors = imports
            .descriptors()
            .map_err(|e| format!("bad import table: {e}"))?;
        let mut count = 0;
        while let Ok(Some(descriptor)) = descriptors.next() {
            count += 1;
            if count > 4096 {
                break;
            }
            let dll = imports
                .name(descriptor.name.get(LE))
                .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
                .unwrap_or_default();
            let first_thunk = descriptor.first_thunk.get(LE);
            let lookup = match descriptor.original_first_thunk.get(LE) {
                0 => first_thunk,
                rva => rva,
            };
            let Ok(mut thunks) = imports.thunks(lookup) else {
                continue;
            };
            let mut index = 0u64;
            while let Ok(Some(thunk)) = thunks.next::<Pe>() {
                if index > 65536 {
                    break;
                }
                if let Ok(Import::Name(_, name)) = imports.import::<Pe>(thunk) {
                    let name = String::from_utf8_lossy(name).into_owned();
                    let slot = u64::from(first_thunk).wrapping_add(index * word);
                    view.import_slots.insert(slot, name.clone());
                    imported_from.entry(name).or_insert_with(|| dll.clone());
                }
                index += 1;
            }
        }
    }

    // Base relocations: the slots the loader patches (DIR64/HIGHLOW).
    let mut relocated: BTreeSet<u64> = BTreeSet::new();
    if let Ok(Some(mut blocks)) = file.data_directories().relocation_blocks(data, &sections) {
        let mut guard = 0;
        while let Ok(Some(block)) = blocks.next() {
            for relocation in block {
                guard += 1;
                if matches!(
                    relocation.typ,
                    pe::IMAGE_REL_BASED_DIR64 | pe::IMAGE_REL_BASED_HIGHLOW
                ) {
                    relocated.insert(u64::from(relocation.virtual_address));
                }
            }
            if guard > 1 << 24 {
                break;
            }
        }
    }
    let has_relocations = !relocated.is_empty();

    // Names: COFF symbols (unstripped MinGW, /debug:symtab) and exports.
    let mut names: BTreeMap<u64, String> = BTreeMap::new();
    for symbol in file.symbols() {
        if symbol.kind() != object::SymbolKind::Text || symbol.address() < image_base {
            continue;
        }
        if let Ok(name) = symbol.name() {
            names
                .entry(symbol.address() - image_base)
                .or_insert_with(|| name.to_string());
        }
    }
    if let Ok(Some(exports)) = file.export_table() {
        if let Ok(list) = exports.exports() {
            for export in list.iter().take(1 << 16) {
                if let (Some(name), object::read::pe::ExportTarget::Address(rva)) =
                    (export.name, export.target)
                {
                    names
                        .entry(u64::from(rva))
                        .or_insert_with(|| String::from_utf8_lossy(name).into_owned());
                }
            }
        }
    }
    let symbol_rva = |wanted: &[&str]| {
        file.symbols().find_map(|s| {
            let name = s.name().ok()?;
            wanted
                .contains(&name)
                .then(|| s.address().checked_sub(image_base))
                .flatten()
        })
    };
    for (rva, name) in &names {
        view.function_names.insert(*rva, name.clone());
    }
    // Function extents from .pdata (x64: begin, end, unwind RVAs).
    if arch == Arch::X86_64 {
        if let Some(directory) = file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_EXCEPTION) {
            if let Ok(pdata) = directory.data(data, &sections) {
                for entry in pdata.chunks_exact(12).take(1 << 20) {
                    let begin = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
                    let end = u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]);
                    if end > begin {
                        view.function_sizes
                            .entry(u64::from(begin))
                            .or_insert(u64::from(end - begin));
                    }
                }
            }
        }
    }

    let read_word = |rva: u64| -> Option<u64> {
        let bytes = sections.pe_data_at(data, u32::try_from(rva).ok()?)?;
        let bytes = bytes.get(..word as usize)?;
        Some(if word == 8 {
            u64::from_le_bytes(bytes.try_into().ok()?)
        } else {
            u64::from(u32::from_le_bytes(bytes.try_into().ok()?))
        })
    };
    // Every base-relocated word holds an address of the image: code that loads through it (MinGW's
    // `.refptr.*` slots, pointer tables) uses what it holds, like an ELF GOT slot.
    for slot in relocated.iter().take(1 << 22) {
        if let Some(rva) = read_word(*slot).and_then(|va| va.checked_sub(image_base)) {
            view.local_slots.insert(*slot, rva);
        }
    }
    // A slot that holds a pointer to code, as the loader will see it: an RVA, or None.
    let code_pointer = |slot: u64| -> Option<u64> {
        if has_relocations && !relocated.contains(&slot) {
            return None;
        }
        let rva = read_word(slot)?.checked_sub(image_base)?;
        view.is_code(rva).then_some(rva)
    };

    // TLS callbacks.
    let mut tls_callbacks: Vec<(u64, u64)> = Vec::new();
    let mut tls_callback_table: Option<u64> = None;
    if let Some(directory) = file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_TLS) {
        let rva = u64::from(directory.virtual_address.get(LE));
        // AddressOfCallBacks is the fourth pointer-sized field of the TLS directory.
        if let Some(table) = read_word(rva + 3 * word).and_then(|va| va.checked_sub(image_base)) {
            tls_callback_table = Some(table);
            for index in 0..256 {
                let slot = table.wrapping_add(index * word);
                match read_word(slot) {
                    Some(0) | None => break,
                    Some(va) => match va.checked_sub(image_base) {
                        Some(target) if view.is_code(target) => tls_callbacks.push((slot, target)),
                        _ => break,
                    },
                }
            }
        }
    }
    let tls_slots: BTreeSet<u64> = tls_callbacks.iter().map(|(slot, _)| *slot).collect();

    // Runtime flavour.
    let crt_imports: Vec<(&String, &String)> = imported_from
        .iter()
        .filter(|(name, _)| MSVC_DYNAMIC_IMPORTS.contains(&name.as_str()))
        .collect();
    let imports_from = |prefix: &str| imported_from.values().any(|dll| dll.starts_with(prefix));
    let mingw_lists = find_mingw_lists(
        &view,
        &relocated,
        has_relocations,
        word,
        image_base,
        &symbol_rva,
    );
    let (runtime, runtime_evidence) = if mingw_lists.is_some()
        || imports_from("libgcc")
        || imports_from("libwinpthread")
        || (imports_from("msvcrt.dll") && !imports_from("vcruntime"))
    {
        let evidence = match &mingw_lists {
            Some(_) => {
                "__CTOR_LIST__/__DTOR_LIST__ (-1 ... 0 lists) as the MinGW-w64 CRT lays them out"
            }
            None => "imports the C runtime from msvcrt.dll without vcruntime, as MinGW-w64 does",
        };
        (Runtime::Mingw, evidence.to_string())
    } else if let Some((name, dll)) = crt_imports.first() {
        (
            Runtime::MsvcDynamic,
            format!("imports {name} from {dll} (/MD)"),
        )
    } else if arch == Arch::Unknown {
        (Runtime::Unknown, "unsupported machine".to_string())
    } else {
        (
            Runtime::MsvcStatic,
            "imports none of the CRT's _initterm/_execute_onexit_table family: the CRT is linked \
             in (/MT)"
                .to_string(),
        )
    };

    // The CRT tables, from the _initterm call sites.
    // Where the image imports _initterm (/MD, MinGW), only calls that reach the import count;
    // with the CRT linked in (/MT) any call does, and the sentinel checks carry the weight.
    let imports_initterm = view
        .import_slots
        .values()
        .any(|name| name == "_initterm" || name == "_initterm_e");
    let mut ranges: Vec<TableRange> = view
        .two_pointer_calls()
        .into_iter()
        .filter(|call| {
            !imports_initterm
                || view
                    .imported_callee(call.site)
                    .is_some_and(|name| name == "_initterm" || name == "_initterm_e")
        })
        .map(|call| TableRange {
            begin: call.first,
            end: call.second,
        })
        .filter(|range| {
            valid_table(
                &view,
                range,
                word,
                &relocated,
                has_relocations,
                image_base,
                &read_word,
            )
        })
        .collect();
    ranges.sort();
    ranges.dedup();
    // Symbols, when present, name the bounds exactly (and say which table each is).
    let mut known: BTreeMap<TableRange, (Mechanism, &str)> = BTreeMap::new();
    for (begin, end, label) in [
        (
            &["__xc_a", "___xc_a"][..],
            &["__xc_z", "___xc_z"][..],
            (Mechanism::CrtXc, ".CRT$XC*"),
        ),
        (
            &["__xi_a", "___xi_a"][..],
            &["__xi_z", "___xi_z"][..],
            (Mechanism::CrtXi, ".CRT$XI*"),
        ),
        (
            &["__xp_a", "___xp_a"][..],
            &["__xp_z", "___xp_z"][..],
            (Mechanism::CrtXp, ".CRT$XP*"),
        ),
        (
            &["__xt_a", "___xt_a", "___crt_xt_start__", "__crt_xt_start__"][..],
            &["__xt_z", "___xt_z", "___crt_xt_end__", "__crt_xt_end__"][..],
            (Mechanism::CrtXt, ".CRT$XT*"),
        ),
    ] {
        if let (Some(begin), Some(end)) = (symbol_rva(begin), symbol_rva(end)) {
            if end > begin {
                known.insert(TableRange { begin, end }, label);
                ranges.retain(|r| r.begin != begin);
            }
        }
    }
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut push = |mechanism: Mechanism,
                    section: String,
                    slot: u64,
                    target: u64,
                    resolved_by: &'static str| {
        entries.push(RawEntry {
            mechanism,
            section,
            slot,
            target,
            address: target,
            target_section: section_at(target),
            symbol: names.get(&target).cloned(),
            priority: None,
            resolved_by,
        });
    };
    // Name order of the merged subsections: XC, XI, (XL), XP, XT.
    let labels = [
        (Mechanism::CrtXc, ".CRT$XC*"),
        (Mechanism::CrtXi, ".CRT$XI*"),
        (Mechanism::CrtXp, ".CRT$XP*"),
        (Mechanism::CrtXt, ".CRT$XT*"),
    ];
    let mut covered: BTreeSet<u64> = BTreeSet::new();
    let labelled: Vec<(TableRange, (Mechanism, &str))> = ranges
        .iter()
        .enumerate()
        .map(|(index, range)| (*range, labels[index.min(labels.len() - 1)]))
        .chain(known.iter().map(|(range, label)| (*range, *label)))
        .collect();
    let mut evidence: Vec<String> = labelled
        .iter()
        .map(|(range, (_, label))| {
            let how = if known.contains_key(range) {
                "symbols"
            } else {
                "an _initterm call site"
            };
            format!(
                "{label}: [{:#x}, {:#x}), {} slot(s), located from {how}",
                range.begin,
                range.end,
                (range.end - range.begin) / word
            )
        })
        .collect();
    for (range, (mechanism, label)) in &labelled {
        let mut slot = range.begin;
        while slot < range.end {
            covered.insert(slot);
            if let Some(target) = code_pointer(slot) {
                push(
                    *mechanism,
                    format!("{label} (in {})", section_at(slot).unwrap_or_default()),
                    slot,
                    target,
                    "table slot (base-relocated pointer)",
                );
            }
            slot += word;
        }
    }
    let terminators_known = labelled
        .iter()
        .any(|(_, (mechanism, _))| matches!(mechanism, Mechanism::CrtXp | Mechanism::CrtXt));
    // With only XC and XI located (the /MD and MinGW shape: nothing walks XP/XT), the
    // pre-terminators and terminators follow XI and XL in the same merged run.
    if ranges.len() == 2 && !terminators_known {
        let mut slot = ranges[1].end;
        let mut nulls = 0;
        for _ in 0..64 {
            match read_word(slot) {
                Some(0) => {
                    nulls += 1;
                    // __xi_z, __xl_a, __xl_z, __xp_a, __xp_z, __xt_a, __xt_z: past the last
                    // sentinel the run is over.
                    if nulls > 7 {
                        break;
                    }
                }
                Some(_) if tls_slots.contains(&slot) || Some(slot) == tls_callback_table => {}
                Some(_) => match code_pointer(slot) {
                    Some(target) if !covered.contains(&slot) => {
                        if Some(slot) >= tls_callback_table || tls_callback_table.is_none() {
                            push(
                                Mechanism::CrtXt,
                                format!(
                                    ".CRT$XP*/.CRT$XT* (in {})",
                                    section_at(slot).unwrap_or_default()
                                ),
                                slot,
                                target,
                                "table slot after the XI/XL run (base-relocated pointer)",
                            );
                        }
                    }
                    _ => break,
                },
                None => break,
            }
            slot += word;
        }
    }
    if let Some(table) = tls_callback_table {
        evidence.push(format!(
            "TLS callbacks: table at {table:#x} (TLS directory), {} callback(s)",
            tls_callbacks.len()
        ));
    }
    if let Some((ctors, dtors)) = &mingw_lists {
        evidence.push(format!(
            "__CTOR_LIST__/__DTOR_LIST__: {} and {} entries",
            ctors.len(),
            dtors.len()
        ));
    }
    for (slot, target) in &tls_callbacks {
        push(
            Mechanism::TlsCallback,
            "TLS callbacks".to_string(),
            *slot,
            *target,
            "TLS directory AddressOfCallBacks",
        );
    }
    if let Some((ctor_list, dtor_list)) = &mingw_lists {
        for (slot, target) in ctor_list {
            push(
                Mechanism::Ctors,
                "__CTOR_LIST__".to_string(),
                *slot,
                *target,
                "-1 ... 0 list (base-relocated pointer)",
            );
        }
        for (slot, target) in dtor_list {
            push(
                Mechanism::Dtors,
                "__DTOR_LIST__".to_string(),
                *slot,
                *target,
                "-1 ... 0 list (base-relocated pointer)",
            );
        }
    }

    // Facts for every target, then DllMain: what its DLL_PROCESS_DETACH path may call.
    let GatheredFacts {
        facts,
        function_names,
        display_addresses,
    } = GatheredFacts::gather(
        &entries,
        |address| view.analyse(address),
        |address| names.get(&address).cloned(),
        |address| address,
    );
    // DllMain by name; in a stripped DLL, the entry point stands in for it: the CRT's startup
    // calls DllMain, so what DllMain calls directly is within reach of the entry point too.
    let named_dll_main = names
        .iter()
        .find(|(_, name)| {
            let plain = name.trim_start_matches('_');
            plain == "DllMain" || plain.starts_with("DllMain@")
        })
        .map(|(rva, _)| *rva);
    let entry_point = u64::from(optional.address_of_entry_point());
    let dll_main = match named_dll_main {
        Some(rva) => {
            evidence.push(format!("DllMain: {rva:#x} (by symbol)"));
            Some(rva)
        }
        None if is_dll && entry_point != 0 && view.is_code(entry_point) => {
            evidence.push(format!(
                "DllMain: no symbol; the functions the entry point {entry_point:#x} reaches stand in for it"
            ));
            Some(entry_point)
        }
        None => None,
    };
    let dll_main_calls = dll_main.map(|rva| {
        let reached = view.analyse(rva).reached;
        let callees = reached
            .into_iter()
            .filter(|f| *f != rva)
            .map(|f| (f, names.get(&f).cloned(), view.analyse(f)))
            .collect();
        (rva, callees)
    });

    let kind = if is_dll {
        BinaryKind::SharedLibrary
    } else {
        BinaryKind::Executable
    };
    let never_unloaded = (!is_dll).then(|| {
        "an executable is never unloaded, so its constructors cannot leak across unloads"
            .to_string()
    });
    Ok(Inventory {
        format: Format::Pe,
        arch,
        kind,
        runtime,
        runtime_evidence,
        never_unloaded,
        entries,
        facts,
        function_names,
        display_addresses,
        dll_main: dll_main_calls,
        evidence,
    })
}

/// Checks a candidate table: bounds in one non-executable section, a whole number of slots, and
/// every non-null slot a base-relocated pointer into code.
fn valid_table(
    view: &CodeView,
    range: &TableRange,
    word: u64,
    relocated: &BTreeSet<u64>,
    has_relocations: bool,
    image_base: u64,
    read_word: &dyn Fn(u64) -> Option<u64>,
) -> bool {
    if range.end <= range.begin
        || (range.end - range.begin) % word != 0
        || (range.end - range.begin) / word > 4096
        || view.is_code(range.begin)
    {
        return false;
    }
    // `__x?_a` and `__x?_z` are null sentinel slots: the first slot of the range and the one
    // just past it. Ordinary pointer tables handed to a function do not look like that.
    if read_word(range.begin) != Some(0) || read_word(range.end) != Some(0) {
        return false;
    }
    let mut slot = range.begin;
    while slot < range.end {
        match read_word(slot) {
            None => return false,
            Some(0) => {}
            Some(value) => {
                if has_relocations && !relocated.contains(&slot) {
                    return false;
                }
                match value.checked_sub(image_base) {
                    Some(rva) if view.is_code(rva) => {}
                    _ => return false,
                }
            }
        }
        slot += word;
    }
    true
}

/// Finds MinGW's adjacent `-1, ctors..., 0, -1, dtors..., 0` lists: by symbol, else by shape.
/// Returns (slot, target) pairs for the constructor and the destructor list.
#[allow(clippy::type_complexity)]
fn find_mingw_lists(
    view: &CodeView,
    relocated: &BTreeSet<u64>,
    has_relocations: bool,
    word: u64,
    image_base: u64,
    symbol_rva: &dyn Fn(&[&str]) -> Option<u64>,
) -> Option<(Vec<(u64, u64)>, Vec<(u64, u64)>)> {
    let all_ones = if word == 8 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    };
    let read = |region: &Region, offset: usize| -> Option<u64> {
        let bytes = region.bytes.get(offset..offset + word as usize)?;
        Some(if word == 8 {
            u64::from_le_bytes(bytes.try_into().ok()?)
        } else {
            u64::from(u32::from_le_bytes(bytes.try_into().ok()?))
        })
    };
    // One list starting at `offset` (the -1 word): its entries and the offset after its 0.
    let list_at = |region: &Region, offset: usize| -> Option<(Vec<(u64, u64)>, usize)> {
        if read(region, offset)? != all_ones {
            return None;
        }
        let mut entries = Vec::new();
        let mut cursor = offset + word as usize;
        for _ in 0..1024 {
            let value = read(region, cursor)?;
            let slot = region.start.wrapping_add(cursor as u64);
            if value == 0 {
                return Some((entries, cursor + word as usize));
            }
            if has_relocations && !relocated.contains(&slot) {
                return None;
            }
            let rva = value.checked_sub(image_base)?;
            if !view.is_code(rva) {
                return None;
            }
            entries.push((slot, rva));
            cursor += word as usize;
        }
        None
    };
    if let Some(ctor) = symbol_rva(&["__CTOR_LIST__", "___CTOR_LIST__"]) {
        let region = view
            .regions
            .iter()
            .find(|r| ctor >= r.start && ctor - r.start < r.size)?;
        let (ctors, _) = list_at(region, (ctor - region.start) as usize)?;
        let dtors = symbol_rva(&["__DTOR_LIST__", "___DTOR_LIST__"])
            .and_then(|d| {
                let region = view
                    .regions
                    .iter()
                    .find(|r| d >= r.start && d - r.start < r.size)?;
                list_at(region, (d - region.start) as usize)
            })
            .map(|(list, _)| list)
            .unwrap_or_default();
        return Some((ctors, dtors));
    }
    for region in &view.regions {
        let mut offset = 0usize;
        while offset + 2 * word as usize <= region.bytes.len() {
            if let Some((ctors, next)) = list_at(region, offset) {
                if let Some((dtors, _)) = list_at(region, next) {
                    if !ctors.is_empty() || !dtors.is_empty() {
                        return Some((ctors, dtors));
                    }
                }
            }
            offset += word as usize;
        }
    }
    None
}

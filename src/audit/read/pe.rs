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
//!
//! The reader works in three steps: [`Image::read`] gathers what every later step consults
//! (regions, imports, base relocations, names), the table finders turn slots into `RawEntry`s
//! with the evidence of how they were located, and the facts of every target (and of what
//! `DllMain` reaches) are gathered for the judge.

use crate::audit::model::{
    Arch, BinaryKind, DllMainFacts, Format, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use crate::audit::walk::{CodeView, Region};
use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, Import, PeFile, SectionTable};
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

/// The bounds symbols of each CRT table, in both the x64 and the decorated i386 spelling (and
/// MinGW's names for XT), with the table they delimit.
const TABLE_SYMBOLS: [(&[&str], &[&str], TableLabel); 4] = [
    (
        &["__xc_a", "___xc_a"],
        &["__xc_z", "___xc_z"],
        (Mechanism::CrtXc, ".CRT$XC*"),
    ),
    (
        &["__xi_a", "___xi_a"],
        &["__xi_z", "___xi_z"],
        (Mechanism::CrtXi, ".CRT$XI*"),
    ),
    (
        &["__xp_a", "___xp_a"],
        &["__xp_z", "___xp_z"],
        (Mechanism::CrtXp, ".CRT$XP*"),
    ),
    (
        &["__xt_a", "___xt_a", "___crt_xt_start__", "__crt_xt_start__"],
        &["__xt_z", "___xt_z", "___crt_xt_end__", "__crt_xt_end__"],
        (Mechanism::CrtXt, ".CRT$XT*"),
    ),
];

/// Name order of the merged subsections: XC, XI, (XL), XP, XT. Ranges found from call sites
/// are labelled in this order.
const LABELS_IN_NAME_ORDER: [TableLabel; 4] = [
    (Mechanism::CrtXc, ".CRT$XC*"),
    (Mechanism::CrtXi, ".CRT$XI*"),
    (Mechanism::CrtXp, ".CRT$XP*"),
    (Mechanism::CrtXt, ".CRT$XT*"),
];

/// A table range found at a call site: `[begin, end)` in RVAs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TableRange {
    begin: u64,
    end: u64,
}

/// Which table a range is, and how the report names it.
type TableLabel = (Mechanism, &'static str);

/// (slot, target) pairs of MinGW's constructor and destructor lists.
type MingwLists = (Vec<(u64, u64)>, Vec<(u64, u64)>);

/// The TLS directory's callback table and its callbacks as (slot, target).
#[derive(Default)]
struct TlsCallbacks {
    table: Option<u64>,
    callbacks: Vec<(u64, u64)>,
}

/// What every table finder consults, read once from the image. Addresses are RVAs.
struct Image<'data, 'file, Pe: ImageNtHeaders> {
    file: &'file PeFile<'data, Pe>,
    data: &'data [u8],
    sections: SectionTable<'data>,
    view: CodeView<'data>,
    arch: Arch,
    image_base: u64,
    /// Pointer size in bytes: 8 for PE32+, 4 for PE32.
    word: u64,
    is_dll: bool,
    /// (name, start, size) of every section.
    section_names: Vec<(String, u64, u64)>,
    /// Imported function name -> the DLL (lower case) it comes from.
    imported_from: BTreeMap<String, String>,
    /// The slots the loader patches (DIR64/HIGHLOW base relocations).
    relocated: BTreeSet<u64>,
    /// Function names by RVA: COFF symbols (unstripped MinGW, /debug:symtab), then exports.
    names: BTreeMap<u64, String>,
}

/// Reads a PE32 or PE32+ image.
pub fn inventory<Pe: ImageNtHeaders>(data: &[u8]) -> Result<Inventory> {
    let file = PeFile::<Pe>::parse(data).map_err(|e| format!("not a valid PE image: {e}"))?;
    let image = Image::read(&file, data)?;
    let tls = image.tls_callbacks();
    let mingw_lists = find_mingw_lists(&image);
    let (runtime, runtime_evidence) = image.runtime(mingw_lists.is_some());
    let mut found = Found::default();
    found.crt_tables(&image, &tls);
    found.tls_and_mingw(&image, &tls, mingw_lists.as_ref());
    let Found {
        entries,
        mut evidence,
    } = found;
    let GatheredFacts {
        facts,
        function_names,
        display_addresses,
    } = GatheredFacts::gather(
        &entries,
        |address| image.view.analyse(address),
        |address| image.names.get(&address).cloned(),
        |address| address,
    );
    let dll_main = image.dll_main(&mut evidence);
    let (kind, never_unloaded) = if image.is_dll {
        (BinaryKind::SharedLibrary, None)
    } else {
        let why = "an executable is never unloaded, so its constructors cannot leak across unloads";
        (BinaryKind::Executable, Some(why.to_string()))
    };
    Ok(Inventory {
        format: Format::Pe,
        arch: image.arch,
        kind,
        runtime,
        runtime_evidence,
        never_unloaded,
        entries,
        facts,
        function_names,
        display_addresses,
        dll_main,
        evidence,
    })
}

impl<'data, 'file, Pe: ImageNtHeaders> Image<'data, 'file, Pe> {
    fn read(file: &'file PeFile<'data, Pe>, data: &'data [u8]) -> Result<Self> {
        let nt = file.nt_headers();
        let header = nt.file_header();
        let arch = match header.machine.get(LE) {
            pe::IMAGE_FILE_MACHINE_AMD64 => Arch::X86_64,
            pe::IMAGE_FILE_MACHINE_I386 => Arch::X86,
            pe::IMAGE_FILE_MACHINE_ARM64 => Arch::Aarch64,
            pe::IMAGE_FILE_MACHINE_ARMNT => Arch::Arm,
            _ => Arch::Unknown,
        };
        let image_base = nt.optional_header().image_base();
        let mut image = Image {
            file,
            data,
            sections: file.section_table(),
            view: CodeView {
                arch: Some(arch),
                image_base,
                ..CodeView::default()
            },
            arch,
            image_base,
            word: if Pe::is_type_64(nt) { 8 } else { 4 },
            is_dll: header.characteristics.get(LE).contains(pe::IMAGE_FILE_DLL),
            section_names: Vec::new(),
            imported_from: BTreeMap::new(),
            relocated: BTreeSet::new(),
            names: BTreeMap::new(),
        };
        image.read_sections();
        image.read_imports()?;
        image.read_base_relocations();
        image.read_names();
        if arch == Arch::X86_64 {
            image.read_function_extents();
        }
        image.note_local_slots();
        Ok(image)
    }

    /// The sections as code regions in RVA space, and their names.
    fn read_sections(&mut self) {
        for section in self.sections.iter() {
            let name = String::from_utf8_lossy(section.raw_name())
                .trim_end_matches('\0')
                .to_string();
            let (start, size) = section.pe_address_range();
            let characteristics = section.characteristics.get(LE);
            let bytes = section.pe_data(self.data).unwrap_or(&[]);
            let bytes = &bytes[..bytes.len().min(size as usize)];
            self.view.regions.push(Region {
                start: u64::from(start),
                size: u64::from(size),
                bytes,
                executable: characteristics.contains(pe::IMAGE_SCN_MEM_EXECUTE),
                writable: characteristics.contains(pe::IMAGE_SCN_MEM_WRITE),
            });
            self.section_names
                .push((name, u64::from(start), u64::from(size)));
        }
    }

    /// Imports: IAT slot RVA -> name (for the code walk), and the DLLs they come from.
    fn read_imports(&mut self) -> Result<()> {
        let Ok(Some(imports)) = self.file.import_table() else {
            return Ok(());
        };
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
                    let slot = u64::from(first_thunk).wrapping_add(index * self.word);
                    self.view.import_slots.insert(slot, name.clone());
                    self.imported_from
                        .entry(name)
                        .or_insert_with(|| dll.clone());
                }
                index += 1;
            }
        }
        Ok(())
    }

    /// Base relocations: the slots the loader patches (DIR64/HIGHLOW).
    fn read_base_relocations(&mut self) {
        let directories = self.file.data_directories();
        let Ok(Some(mut blocks)) = directories.relocation_blocks(self.data, &self.sections) else {
            return;
        };
        let mut guard = 0;
        while let Ok(Some(block)) = blocks.next() {
            for relocation in block {
                guard += 1;
                if matches!(
                    relocation.typ,
                    pe::IMAGE_REL_BASED_DIR64 | pe::IMAGE_REL_BASED_HIGHLOW
                ) {
                    self.relocated.insert(u64::from(relocation.virtual_address));
                }
            }
            if guard > 1 << 24 {
                break;
            }
        }
    }

    /// Names: COFF symbols (unstripped MinGW, /debug:symtab) first, then exports.
    fn read_names(&mut self) {
        let image_base = self.image_base;
        for symbol in self.file.symbols() {
            if symbol.kind() != object::SymbolKind::Text || symbol.address() < image_base {
                continue;
            }
            if let Ok(name) = symbol.name() {
                self.names
                    .entry(symbol.address() - image_base)
                    .or_insert_with(|| name.to_string());
            }
        }
        if let Ok(Some(exports)) = self.file.export_table() {
            if let Ok(list) = exports.exports() {
                for export in list.iter().take(1 << 16) {
                    if let (Some(name), object::read::pe::ExportTarget::Address(rva)) =
                        (export.name, export.target)
                    {
                        self.names
                            .entry(u64::from(rva))
                            .or_insert_with(|| String::from_utf8_lossy(name).into_owned());
                    }
                }
            }
        }
        for (rva, name) in &self.names {
            self.view.function_names.insert(*rva, name.clone());
        }
    }

    /// Function extents from `.pdata` (x64: begin, end, unwind RVAs).
    fn read_function_extents(&mut self) {
        let Some(directory) = self
            .file
            .data_directory(pe::IMAGE_DIRECTORY_ENTRY_EXCEPTION)
        else {
            return;
        };
        let Ok(pdata) = directory.data(self.data, &self.sections) else {
            return;
        };
        for entry in pdata.chunks_exact(12).take(1 << 20) {
            let begin = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
            let end = u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]);
            if end > begin {
                self.view
                    .function_sizes
                    .entry(u64::from(begin))
                    .or_insert(u64::from(end - begin));
            }
        }
    }

    /// Every base-relocated word holds an address of the image: code that loads through it
    /// (MinGW's `.refptr.*` slots, pointer tables) uses what it holds, like an ELF GOT slot.
    fn note_local_slots(&mut self) {
        let targets: Vec<(u64, u64)> = self
            .relocated
            .iter()
            .take(1 << 22)
            .filter_map(|slot| {
                let rva = self.read_word(*slot)?.checked_sub(self.image_base)?;
                Some((*slot, rva))
            })
            .collect();
        self.view.local_slots.extend(targets);
    }

    /// The pointer-sized little-endian word at an RVA.
    fn read_word(&self, rva: u64) -> Option<u64> {
        let bytes = self
            .sections
            .pe_data_at(self.data, u32::try_from(rva).ok()?)?;
        let bytes = bytes.get(..self.word as usize)?;
        Some(if self.word == 8 {
            u64::from_le_bytes(bytes.try_into().ok()?)
        } else {
            u64::from(u32::from_le_bytes(bytes.try_into().ok()?))
        })
    }

    /// Without base relocations (a fixed-base image) any slot may hold a pointer.
    fn has_relocations(&self) -> bool {
        !self.relocated.is_empty()
    }

    /// A slot that holds a pointer to code, as the loader will see it: an RVA, or None.
    fn code_pointer(&self, slot: u64) -> Option<u64> {
        if self.has_relocations() && !self.relocated.contains(&slot) {
            return None;
        }
        let rva = self.read_word(slot)?.checked_sub(self.image_base)?;
        self.view.is_code(rva).then_some(rva)
    }

    fn section_at(&self, rva: u64) -> Option<String> {
        self.section_names
            .iter()
            .find(|(_, start, size)| rva >= *start && rva - *start < *size)
            .map(|(name, _, _)| name.clone())
    }

    /// The RVA of the first symbol with one of these names.
    fn symbol_rva(&self, wanted: &[&str]) -> Option<u64> {
        self.file.symbols().find_map(|s| {
            let name = s.name().ok()?;
            wanted
                .contains(&name)
                .then(|| s.address().checked_sub(self.image_base))
                .flatten()
        })
    }

    /// The TLS directory's callbacks, up to the first null or non-code slot.
    fn tls_callbacks(&self) -> TlsCallbacks {
        let mut tls = TlsCallbacks::default();
        let Some(directory) = self.file.data_directory(pe::IMAGE_DIRECTORY_ENTRY_TLS) else {
            return tls;
        };
        let rva = u64::from(directory.virtual_address.get(LE));
        // AddressOfCallBacks is the fourth pointer-sized field of the TLS directory.
        let Some(table) = self
            .read_word(rva + 3 * self.word)
            .and_then(|va| va.checked_sub(self.image_base))
        else {
            return tls;
        };
        tls.table = Some(table);
        for index in 0..256 {
            let slot = table.wrapping_add(index * self.word);
            match self.read_word(slot) {
                Some(0) | None => break,
                Some(va) => match va.checked_sub(self.image_base) {
                    Some(target) if self.view.is_code(target) => tls.callbacks.push((slot, target)),
                    _ => break,
                },
            }
        }
        tls
    }

    /// The C runtime flavour and why: MinGW-w64, the dynamic MSVC CRT (/MD) or the static one.
    fn runtime(&self, has_mingw_lists: bool) -> (Runtime, String) {
        let imports_from = |prefix: &str| {
            self.imported_from
                .values()
                .any(|dll| dll.starts_with(prefix))
        };
        let crt_import = self
            .imported_from
            .iter()
            .find(|(name, _)| MSVC_DYNAMIC_IMPORTS.contains(&name.as_str()));
        if has_mingw_lists
            || imports_from("libgcc")
            || imports_from("libwinpthread")
            || (imports_from("msvcrt.dll") && !imports_from("vcruntime"))
        {
            let evidence = if has_mingw_lists {
                "__CTOR_LIST__/__DTOR_LIST__ (-1 ... 0 lists) as the MinGW-w64 CRT lays them out"
            } else {
                "imports the C runtime from msvcrt.dll without vcruntime, as MinGW-w64 does"
            };
            (Runtime::Mingw, evidence.to_string())
        } else if let Some((name, dll)) = crt_import {
            (
                Runtime::MsvcDynamic,
                format!("imports {name} from {dll} (/MD)"),
            )
        } else if self.arch == Arch::Unknown {
            (Runtime::Unknown, "unsupported machine".to_string())
        } else {
            (
                Runtime::MsvcStatic,
                "imports none of the CRT's _initterm/_execute_onexit_table family: the CRT is \
                 linked in (/MT)"
                    .to_string(),
            )
        }
    }

    /// The CRT table ranges handed to `_initterm`/`_initterm_e`, validated, in address order.
    /// Where the image imports _initterm (/MD, MinGW), only calls that reach the import count;
    /// with the CRT linked in (/MT) any call does, and the sentinel checks carry the weight.
    fn initterm_ranges(&self) -> Vec<TableRange> {
        let is_initterm = |name: &str| name == "_initterm" || name == "_initterm_e";
        let imports_initterm = self
            .view
            .import_slots
            .values()
            .any(|name| is_initterm(name));
        let mut ranges: Vec<TableRange> = self
            .view
            .two_pointer_calls()
            .into_iter()
            .filter(|call| {
                !imports_initterm
                    || self
                        .view
                        .imported_callee(call.site)
                        .is_some_and(|name| is_initterm(&name))
            })
            .map(|call| TableRange {
                begin: call.first,
                end: call.second,
            })
            .filter(|range| self.valid_table(range))
            .collect();
        ranges.sort();
        ranges.dedup();
        ranges
    }

    /// Checks a candidate table: bounds in one non-executable section, a whole number of
    /// slots, and every non-null slot a base-relocated pointer into code.
    fn valid_table(&self, range: &TableRange) -> bool {
        let word = self.word;
        if range.end <= range.begin
            || (range.end - range.begin) % word != 0
            || (range.end - range.begin) / word > 4096
            || self.view.is_code(range.begin)
        {
            return false;
        }
        // `__x?_a` and `__x?_z` are null sentinel slots: the first slot of the range and the one
        // just past it. Ordinary pointer tables handed to a function do not look like that.
        if self.read_word(range.begin) != Some(0) || self.read_word(range.end) != Some(0) {
            return false;
        }
        (range.begin..range.end)
            .step_by(word as usize)
            .all(|slot| match self.read_word(slot) {
                None => false,
                Some(0) => true,
                Some(value) => {
                    (!self.has_relocations() || self.relocated.contains(&slot))
                        && value
                            .checked_sub(self.image_base)
                            .is_some_and(|rva| self.view.is_code(rva))
                }
            })
    }

    /// `DllMain` by name; in a stripped DLL, the entry point stands in for it: the CRT's
    /// startup calls DllMain, so what DllMain calls directly is within reach of the entry point
    /// too. Returns its address and every function it reaches, with their facts.
    fn dll_main(&self, evidence: &mut Vec<String>) -> Option<DllMainFacts> {
        let named_dll_main = self
            .names
            .iter()
            .find(|(_, name)| {
                let plain = name.trim_start_matches('_');
                plain == "DllMain" || plain.starts_with("DllMain@")
            })
            .map(|(rva, _)| *rva);
        let entry_point = u64::from(
            self.file
                .nt_headers()
                .optional_header()
                .address_of_entry_point(),
        );
        let rva = match named_dll_main {
            Some(rva) => {
                evidence.push(format!("DllMain: {rva:#x} (by symbol)"));
                rva
            }
            None if self.is_dll && entry_point != 0 && self.view.is_code(entry_point) => {
                evidence.push(format!(
                    "DllMain: no symbol; the functions the entry point {entry_point:#x} reaches stand in for it"
                ));
                entry_point
            }
            None => return None,
        };
        let callees = self
            .view
            .analyse(rva)
            .reached
            .into_iter()
            .filter(|f| *f != rva)
            .map(|f| (f, self.names.get(&f).cloned(), self.view.analyse(f)))
            .collect();
        Some((rva, callees))
    }
}

/// The entries found so far, in report order, and how their tables were located.
#[derive(Default)]
struct Found {
    entries: Vec<RawEntry>,
    evidence: Vec<String>,
}

impl Found {
    fn push<Pe: ImageNtHeaders>(
        &mut self,
        image: &Image<'_, '_, Pe>,
        (mechanism, section): (Mechanism, String),
        slot: u64,
        target: u64,
        resolved_by: &'static str,
    ) {
        self.entries.push(RawEntry {
            mechanism,
            section,
            slot,
            target,
            address: target,
            target_section: image.section_at(target),
            symbol: image.names.get(&target).cloned(),
            priority: None,
            resolved_by,
        });
    }

    /// The `.CRT$X*` tables: from call sites and symbols, then (for the /MD and MinGW shape)
    /// the terminators that follow the XI/XL run.
    fn crt_tables<Pe: ImageNtHeaders>(&mut self, image: &Image<'_, '_, Pe>, tls: &TlsCallbacks) {
        let mut ranges = image.initterm_ranges();
        // Symbols, when present, name the bounds exactly (and say which table each is).
        let mut known: BTreeMap<TableRange, TableLabel> = BTreeMap::new();
        for (begin, end, label) in TABLE_SYMBOLS {
            if let (Some(begin), Some(end)) = (image.symbol_rva(begin), image.symbol_rva(end)) {
                if end > begin {
                    known.insert(TableRange { begin, end }, label);
                    ranges.retain(|r| r.begin != begin);
                }
            }
        }
        let labelled: Vec<(TableRange, TableLabel)> = ranges
            .iter()
            .enumerate()
            .map(|(index, range)| {
                let label = LABELS_IN_NAME_ORDER[index.min(LABELS_IN_NAME_ORDER.len() - 1)];
                (*range, label)
            })
            .chain(known.iter().map(|(range, label)| (*range, *label)))
            .collect();
        for (range, (_, label)) in &labelled {
            let how = if known.contains_key(range) {
                "symbols"
            } else {
                "an _initterm call site"
            };
            self.evidence.push(format!(
                "{label}: [{:#x}, {:#x}), {} slot(s), located from {how}",
                range.begin,
                range.end,
                (range.end - range.begin) / image.word
            ));
        }
        let mut covered: BTreeSet<u64> = BTreeSet::new();
        for (range, (mechanism, label)) in &labelled {
            for slot in (range.begin..range.end).step_by(image.word as usize) {
                covered.insert(slot);
                if let Some(target) = image.code_pointer(slot) {
                    let section = format!(
                        "{label} (in {})",
                        image.section_at(slot).unwrap_or_default()
                    );
                    let how = "table slot (base-relocated pointer)";
                    self.push(image, (*mechanism, section), slot, target, how);
                }
            }
        }
        let terminators_known = labelled
            .iter()
            .any(|(_, (mechanism, _))| matches!(mechanism, Mechanism::CrtXp | Mechanism::CrtXt));
        // With only XC and XI located (the /MD and MinGW shape: nothing walks XP/XT), the
        // pre-terminators and terminators follow XI and XL in the same merged run.
        if ranges.len() == 2 && !terminators_known {
            self.terminators_after(image, ranges[1].end, &covered, tls);
        }
    }

    /// The XP/XT slots in the merged run that starts at `start` (the end of XI), up to the
    /// last sentinel; TLS callbacks (XL) in between are skipped.
    fn terminators_after<Pe: ImageNtHeaders>(
        &mut self,
        image: &Image<'_, '_, Pe>,
        start: u64,
        covered: &BTreeSet<u64>,
        tls: &TlsCallbacks,
    ) {
        let is_tls_slot = |slot: u64| {
            tls.callbacks.iter().any(|(tls_slot, _)| *tls_slot == slot) || Some(slot) == tls.table
        };
        let mut slot = start;
        let mut nulls = 0;
        for _ in 0..64 {
            match image.read_word(slot) {
                Some(0) => {
                    nulls += 1;
                    // __xi_z, __xl_a, __xl_z, __xp_a, __xp_z, __xt_a, __xt_z: past the last
                    // sentinel the run is over.
                    if nulls > 7 {
                        break;
                    }
                }
                Some(_) if is_tls_slot(slot) => {}
                Some(_) => match image.code_pointer(slot) {
                    Some(target) if !covered.contains(&slot) => {
                        if Some(slot) >= tls.table || tls.table.is_none() {
                            let section = format!(
                                ".CRT$XP*/.CRT$XT* (in {})",
                                image.section_at(slot).unwrap_or_default()
                            );
                            let how = "table slot after the XI/XL run (base-relocated pointer)";
                            self.push(image, (Mechanism::CrtXt, section), slot, target, how);
                        }
                    }
                    _ => break,
                },
                None => break,
            }
            slot += image.word;
        }
    }

    /// TLS callbacks and MinGW's constructor and destructor lists, with their evidence.
    fn tls_and_mingw<Pe: ImageNtHeaders>(
        &mut self,
        image: &Image<'_, '_, Pe>,
        tls: &TlsCallbacks,
        mingw_lists: Option<&MingwLists>,
    ) {
        if let Some(table) = tls.table {
            self.evidence.push(format!(
                "TLS callbacks: table at {table:#x} (TLS directory), {} callback(s)",
                tls.callbacks.len()
            ));
        }
        if let Some((ctors, dtors)) = mingw_lists {
            self.evidence.push(format!(
                "__CTOR_LIST__/__DTOR_LIST__: {} and {} entries",
                ctors.len(),
                dtors.len()
            ));
        }
        for (slot, target) in &tls.callbacks {
            let table = (Mechanism::TlsCallback, "TLS callbacks".to_string());
            self.push(
                image,
                table,
                *slot,
                *target,
                "TLS directory AddressOfCallBacks",
            );
        }
        let Some((ctor_list, dtor_list)) = mingw_lists else {
            return;
        };
        let how = "-1 ... 0 list (base-relocated pointer)";
        for (slot, target) in ctor_list {
            let table = (Mechanism::Ctors, "__CTOR_LIST__".to_string());
            self.push(image, table, *slot, *target, how);
        }
        for (slot, target) in dtor_list {
            let table = (Mechanism::Dtors, "__DTOR_LIST__".to_string());
            self.push(image, table, *slot, *target, how);
        }
    }
}

/// Finds MinGW's adjacent `-1, ctors..., 0, -1, dtors..., 0` lists: by symbol, else by shape.
fn find_mingw_lists<Pe: ImageNtHeaders>(image: &Image<'_, '_, Pe>) -> Option<MingwLists> {
    let region_at = |rva: u64| {
        image
            .view
            .regions
            .iter()
            .find(|r| rva >= r.start && rva - r.start < r.size)
    };
    let list_at_rva = |rva: u64| {
        let region = region_at(rva)?;
        mingw_list_at(image, region, (rva - region.start) as usize)
    };
    if let Some(ctor) = image.symbol_rva(&["__CTOR_LIST__", "___CTOR_LIST__"]) {
        let (ctors, _) = list_at_rva(ctor)?;
        let dtors = image
            .symbol_rva(&["__DTOR_LIST__", "___DTOR_LIST__"])
            .and_then(list_at_rva)
            .map(|(list, _)| list)
            .unwrap_or_default();
        return Some((ctors, dtors));
    }
    let word = image.word as usize;
    for region in &image.view.regions {
        let mut offset = 0usize;
        while offset + 2 * word <= region.bytes.len() {
            if let Some((ctors, next)) = mingw_list_at(image, region, offset) {
                if let Some((dtors, _)) = mingw_list_at(image, region, next) {
                    if !ctors.is_empty() || !dtors.is_empty() {
                        return Some((ctors, dtors));
                    }
                }
            }
            offset += word;
        }
    }
    None
}

/// One `-1, entries..., 0` list starting at `offset` of `region` (the -1 word): its
/// (slot, target) entries and the offset after its 0.
fn mingw_list_at<Pe: ImageNtHeaders>(
    image: &Image<'_, '_, Pe>,
    region: &Region,
    offset: usize,
) -> Option<(Vec<(u64, u64)>, usize)> {
    let word = image.word as usize;
    let read = |offset: usize| -> Option<u64> {
        let bytes = region.bytes.get(offset..offset + word)?;
        Some(if word == 8 {
            u64::from_le_bytes(bytes.try_into().ok()?)
        } else {
            u64::from(u32::from_le_bytes(bytes.try_into().ok()?))
        })
    };
    let all_ones = if word == 8 {
        u64::MAX
    } else {
        u64::from(u32::MAX)
    };
    if read(offset)? != all_ones {
        return None;
    }
    let mut entries = Vec::new();
    let mut cursor = offset + word;
    for _ in 0..1024 {
        let value = read(cursor)?;
        let slot = region.start.wrapping_add(cursor as u64);
        if value == 0 {
            return Some((entries, cursor + word));
        }
        if image.has_relocations() && !image.relocated.contains(&slot) {
            return None;
        }
        let rva = value.checked_sub(image.image_base)?;
        if !image.view.is_code(rva) {
            return None;
        }
        entries.push((slot, rva));
        cursor += word;
    }
    None
}

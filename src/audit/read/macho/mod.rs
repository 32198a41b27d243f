//! The Mach-O reader: dylibs, bundles (Python extension `.so`), executables and fat/universal
//! files (one inventory per slice), x86_64, arm64 and arm64e, run by dyld.
//!
//! It owns what Mach-O specifics the audit needs: the image's sections with their *types*
//! (tables are found by type, never by name), its symbols, what each pointer slot holds after
//! fixups ([`fixups`]), the initializer and terminator tables ([`tables`]), and dyld's rules for
//! whether `dlclose` ever unloads the image. It hands the engine the common [`Inventory`].

mod fixups;
mod relocatable;
mod tables;

use crate::audit::model::{
    Arch, BinaryKind, Format, GatheredFacts, Inventory, Mechanism, RawEntry, Runtime,
};
use crate::audit::walk::{CodeView, Region};
use object::macho;
use object::read::macho::{FatArch, MachOFatFile32, MachOFatFile64, MachOFile64};
use object::{
    Endianness, FileKind, Object, ObjectSection, ObjectSegment, ObjectSymbol, SymbolKind,
};
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, String>;

/// Section attribute bits that mark code (`S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS`).
const CODE_ATTRIBUTES: u32 = 0x8000_0000 | 0x0000_0400;

/// One section of the image, reduced to what the reader needs.
#[derive(Debug, Clone)]
pub(crate) struct Section<'data> {
    pub segment: String,
    pub name: String,
    pub address: u64,
    pub size: u64,
    /// `flags & SECTION_TYPE`: what the section is, whatever its name.
    pub typ: u8,
    pub attributes: u32,
    /// File contents (empty for zero-fill sections).
    pub bytes: &'data [u8],
    /// Its segment is writable at load time.
    pub writable: bool,
}

impl Section<'_> {
    pub fn label(&self) -> String {
        format!("{},{}", self.segment, self.name)
    }

    fn contains(&self, address: u64) -> bool {
        address >= self.address && address - self.address < self.size
    }
}

/// A parsed thin image: everything the tables, the code view and the unload rules read.
pub(crate) struct Image<'data> {
    pub file: MachOFile64<'data, Endianness>,
    pub filetype: macho::FileType,
    pub flags: macho::FileFlags,
    pub arm64e: bool,
    /// The `__TEXT` segment's vmaddr: `__init_offsets` and chained rebases count from it.
    pub text_vmaddr: u64,
    pub sections: Vec<Section<'data>>,
    /// Defined function symbols: start -> Mach-O name (`_gotoblas_init`).
    pub functions: BTreeMap<u64, String>,
}

impl<'data> Image<'data> {
    pub fn section_at(&self, address: u64) -> Option<&Section<'data>> {
        self.sections.iter().find(|s| s.contains(address))
    }

    pub fn name_of(&self, address: u64) -> Option<String> {
        self.functions.get(&address).cloned()
    }
}

/// The slices of a fat/universal file, named by architecture (`arm64`, `arm64e`, `x86_64`).
pub fn slices(data: &[u8]) -> Result<Vec<(String, &[u8])>> {
    match FileKind::parse(data) {
        Ok(FileKind::MachOFat32) => {
            let fat = MachOFatFile32::parse(data).map_err(|e| format!("bad fat header: {e}"))?;
            named_slices(fat.arches(), data)
        }
        Ok(FileKind::MachOFat64) => {
            let fat = MachOFatFile64::parse(data).map_err(|e| format!("bad fat header: {e}"))?;
            named_slices(fat.arches(), data)
        }
        _ => Err("not a fat Mach-O file".to_string()),
    }
}

fn named_slices<'data, Fat: FatArch>(
    arches: &[Fat],
    data: &'data [u8],
) -> Result<Vec<(String, &'data [u8])>> {
    arches
        .iter()
        .map(|arch| {
            let bytes = arch.data(data).map_err(|e| format!("bad fat slice: {e}"))?;
            Ok((slice_name(arch.cputype(), arch.cpusubtype()), bytes))
        })
        .collect()
}

fn slice_name(cputype: macho::CpuType, cpusubtype: macho::CpuSubtype) -> String {
    let subtype = cpusubtype.0 & !macho::CPU_SUBTYPE_MASK;
    match cputype {
        macho::CPU_TYPE_X86_64 => "x86_64".to_string(),
        macho::CPU_TYPE_ARM64 if subtype == macho::CPU_SUBTYPE_ARM64E.0 => "arm64e".to_string(),
        macho::CPU_TYPE_ARM64 => "arm64".to_string(),
        macho::CPU_TYPE_X86 => "i386".to_string(),
        macho::CPU_TYPE_ARM => "arm".to_string(),
        other => format!("cputype {:#x}", other.0),
    }
}

fn parse(data: &[u8]) -> Result<Image<'_>> {
    let file = MachOFile64::<Endianness>::parse(data)
        .map_err(|e| format!("not a valid 64-bit Mach-O file: {e}"))?;
    // object parses the load commands lazily: a file cut short inside them is damaged, not empty.
    let mut commands = file
        .macho_load_commands()
        .map_err(|e| format!("bad Mach-O load commands: {e}"))?;
    while commands
        .next()
        .map_err(|e| format!("bad Mach-O load commands: {e}"))?
        .is_some()
    {}
    let endian = file.endian();
    let header = file.macho_header();
    let subtype = header.cpusubtype.get(endian).0 & !macho::CPU_SUBTYPE_MASK;
    let arm64e = header.cputype.get(endian) == macho::CPU_TYPE_ARM64
        && subtype == macho::CPU_SUBTYPE_ARM64E.0;
    let writable_segments: Vec<(String, bool)> = file
        .segments()
        .map(|s| {
            let writable = matches!(s.flags(), object::SegmentFlags::MachO { initprot, .. }
                if initprot.0 & macho::VM_PROT_WRITE.0 != 0);
            (s.name().ok().flatten().unwrap_or("").to_string(), writable)
        })
        .collect();
    let mut sections = Vec::new();
    for section in file.sections() {
        let object::SectionFlags::MachO { flags, .. } = section.flags() else {
            continue;
        };
        let segment = section
            .segment_name()
            .ok()
            .flatten()
            .unwrap_or("")
            .to_string();
        let writable = writable_segments
            .iter()
            .any(|(name, writable)| *name == segment && *writable);
        sections.push(Section {
            name: section.name().unwrap_or("").to_string(),
            segment,
            address: section.address(),
            size: section.size(),
            typ: (flags.0 & macho::SECTION_TYPE) as u8,
            attributes: flags.0 & macho::SECTION_ATTRIBUTES,
            bytes: section.data().unwrap_or(&[]),
            writable,
        });
    }
    let text_vmaddr = file
        .segments()
        .find(|s| s.name().ok().flatten() == Some("__TEXT"))
        .map_or(0, |s| s.address());
    let functions = file
        .symbols()
        .filter(|s| s.is_definition() && s.kind() == SymbolKind::Text)
        .filter_map(|s| Some((s.address(), s.name().ok()?.to_string())))
        .collect();
    Ok(Image {
        filetype: header.filetype.get(endian),
        flags: header.flags.get(endian),
        arm64e,
        text_vmaddr,
        sections,
        functions,
        file,
    })
}

fn arch_of(file: &MachOFile64<'_, Endianness>) -> Arch {
    match file.architecture() {
        object::Architecture::X86_64 => Arch::X86_64,
        object::Architecture::Aarch64 => Arch::Aarch64,
        _ => Arch::Unknown,
    }
}

/// The layout the code walk reads: sections as regions, import slots from binds, local GOT
/// slots from rebases, `__stubs` as stub ranges, function extents from the symbols.
fn code_view<'data>(image: &Image<'data>, fixups: &fixups::Fixups) -> CodeView<'data> {
    let mut view = CodeView {
        arch: Some(arch_of(&image.file)),
        ..CodeView::default()
    };
    for section in &image.sections {
        view.regions.push(Region {
            start: section.address,
            size: section.size,
            bytes: section.bytes,
            executable: section.attributes & CODE_ATTRIBUTES != 0,
            writable: section.writable,
        });
        if section.typ == macho::S_SYMBOL_STUBS.0 {
            view.stub_ranges
                .push(section.address..section.address.saturating_add(section.size));
        }
    }
    for (slot, value) in &fixups.slots {
        match value {
            fixups::SlotValue::Import(name) => {
                view.import_slots.insert(*slot, name.clone());
            }
            fixups::SlotValue::Local(target, _) => {
                view.local_slots.insert(*slot, *target);
            }
        }
    }
    // Mach-O symbols carry no size: a function ends where the next one (or its section) does.
    let starts: Vec<u64> = image.functions.keys().copied().collect();
    for (i, start) in starts.iter().enumerate() {
        let section_end = image
            .section_at(*start)
            .map_or(*start, |s| s.address.saturating_add(s.size));
        let end = starts
            .get(i + 1)
            .copied()
            .unwrap_or(section_end)
            .min(section_end);
        view.function_sizes
            .insert(*start, end.saturating_sub(*start));
        view.function_names
            .insert(*start, image.functions[start].clone());
    }
    view
}

/// Why dyld's `dlclose` never unloads this image, if it never does.
fn never_unloaded(image: &Image) -> Option<String> {
    if image.filetype == macho::MH_EXECUTE {
        return Some(
            "an executable is never unloaded, so its initializers cannot leak across unloads"
                .to_string(),
        );
    }
    if image.flags.0 & macho::MH_HAS_TLV_DESCRIPTORS.0 != 0 {
        return Some(
            "MH_HAS_TLV_DESCRIPTORS is set (the image has thread-local variables): dyld never \
             unloads it, so its terminators run only at exit"
                .to_string(),
        );
    }
    let image_info = image.sections.iter().find(|s| s.name == "__objc_imageinfo");
    // objc_image_info {version, flags}: bits 8-15 of the flags hold the Swift ABI version.
    let swift_in_flags = image_info
        .and_then(|s| s.bytes.get(4..8))
        .is_some_and(|flags| flags[1] != 0);
    let swift = swift_in_flags
        || image
            .sections
            .iter()
            .any(|s| s.name.starts_with("__swift5"));
    if image_info.is_some() && (image.filetype != macho::MH_BUNDLE || swift) {
        return Some(
            "it has Objective-C or Swift metadata (__objc_imageinfo): dyld never unloads it"
                .to_string(),
        );
    }
    if image
        .sections
        .iter()
        .any(|s| s.typ == macho::S_DTRACE_DOF.0)
    {
        return Some("it has a DTrace DOF section: dyld never unloads it".to_string());
    }
    None
}

/// The destructors clang's `___GLOBAL_init_<prio>` initializers register with `__cxa_atexit`
/// (how it lowers `__attribute__((destructor))` on Darwin): listed as exit-handler entries of
/// the image, so that the constructors they undo can pair with them by name or state.
fn registered_destructors(inventory: &Inventory) -> Vec<RawEntry> {
    let (facts, names) = (&inventory.facts, &inventory.function_names);
    let mut destructors = Vec::new();
    for entry in &inventory.entries {
        let Some(symbol) = entry.symbol.as_deref() else {
            continue;
        };
        if !symbol.starts_with("___GLOBAL_init_") {
            continue;
        }
        for handler in facts
            .get(&entry.target)
            .into_iter()
            .flat_map(|f| &f.registered_handlers)
        {
            destructors.push(RawEntry {
                mechanism: Mechanism::ExitHandler,
                section: "exit handler".to_string(),
                slot: entry.address,
                target: *handler,
                address: inventory
                    .display_addresses
                    .get(handler)
                    .copied()
                    .unwrap_or(*handler),
                target_section: None,
                symbol: names.get(handler).cloned(),
                priority: entry.priority,
                resolved_by: "registered with __cxa_atexit by a ___GLOBAL_init_ initializer",
            });
        }
    }
    destructors
}

/// Reads one thin 64-bit Mach-O image or relocatable object.
pub fn inventory(data: &[u8]) -> Result<Inventory> {
    let image = parse(data)?;
    if image.filetype == macho::MH_OBJECT {
        let mut inventory = relocatable::inventory(&image.file, arch_of(&image.file));
        let registered = registered_destructors(&inventory);
        inventory.entries.extend(registered);
        return Ok(inventory);
    }
    let kind = match image.filetype {
        macho::MH_EXECUTE => BinaryKind::Executable,
        macho::MH_DYLIB | macho::MH_BUNDLE => BinaryKind::SharedLibrary,
        other => return Err(format!("Mach-O file type {:#x} is not audited", other.0)),
    };
    let fixups = fixups::decode(&image.file, data, image.text_vmaddr);
    let view = code_view(&image, &fixups);
    let mut evidence: Vec<String> = fixups.problems.clone();
    let entries = tables::entries(&image, &fixups, &mut evidence);
    let GatheredFacts {
        facts,
        function_names,
        display_addresses,
    } = GatheredFacts::gather(
        &entries,
        |address| view.analyse(address),
        |address| image.name_of(address),
        |address| address,
    );
    let filetype = match image.filetype {
        macho::MH_BUNDLE => "MH_BUNDLE",
        macho::MH_DYLIB => "MH_DYLIB",
        _ => "MH_EXECUTE",
    };
    let fixup_kind = if fixups.chained {
        "chained fixups"
    } else {
        "classic dyld info"
    };
    let arch_note = if image.arm64e { ", arm64e" } else { "" };
    let mut inventory = Inventory {
        format: Format::Macho,
        arch: arch_of(&image.file),
        kind,
        runtime: Runtime::Dyld,
        runtime_evidence: format!("Mach-O {filetype} loaded by dyld ({fixup_kind}{arch_note})"),
        never_unloaded: never_unloaded(&image),
        entries,
        facts,
        function_names,
        display_addresses,
        dll_main: None,
        evidence,
    };
    let registered = registered_destructors(&inventory);
    inventory.entries.extend(registered);
    Ok(inventory)
}

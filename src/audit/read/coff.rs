//! COFF object reader (`.obj` from MSVC and clang-cl, `.o` from MinGW, `/bigobj` included):
//! finds the CRT table entries (`.CRT$XI*`, `.CRT$XC*`, `.CRT$XP*`, `.CRT$XT*`, `.CRT$XL*`) and
//! MinGW's `.ctors`/`.dtors` through their relocations, and hands them to the neutral object
//! analysis (`object_code`) together with which CRT the object asks for.

use crate::audit::model::{Arch, Format, Inventory, Mechanism, Runtime};
use crate::audit::walk::object_code::{self, ObjectCode};
use object::pe;
use object::read::{
    Object, ObjectSection, ObjectSymbol, Relocation, RelocationFlags, RelocationTarget,
};
use object::{Architecture, SectionKind, SymbolKind};
use std::collections::{BTreeMap, HashMap};

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

/// The instruction set of a COFF machine.
fn arch_of(architecture: Architecture) -> Arch {
    match architecture {
        Architecture::X86_64 => Arch::X86_64,
        Architecture::I386 => Arch::X86,
        Architecture::Aarch64 => Arch::Aarch64,
        Architecture::Arm => Arch::Arm,
        _ => Arch::Unknown,
    }
}

/// Reads a COFF object (regular or bigobj).
pub fn inventory(data: &[u8]) -> Result<Inventory> {
    let file = object::File::parse(data).map_err(|e| format!("not a valid COFF object: {e}"))?;
    let arch = arch_of(file.architecture());
    // Symbol values are needed to resolve relocations: read the symbols first.
    let symbols = symbols(&file);
    let mut sections = BTreeMap::new();
    let mut relocs: HashMap<usize, Vec<object_code::Reloc>> = HashMap::new();
    let mut directives = String::new();
    for section in file.sections() {
        let index = section.index().0;
        let name = section.name().unwrap_or("").to_string();
        let bytes = section.data().unwrap_or(&[]);
        if name == ".drectve" {
            directives.push_str(&String::from_utf8_lossy(bytes));
        }
        let list = section
            .relocations()
            .filter_map(|(offset, reloc)| relocation(arch, bytes, &symbols, offset, &reloc))
            .collect();
        relocs.insert(index, list);
        sections.insert(
            index,
            object_code::Section {
                name,
                bytes,
                executable: section.kind() == SectionKind::Text,
                writable: matches!(
                    section.kind(),
                    SectionKind::Data | SectionKind::UninitializedData
                ),
            },
        );
    }
    let (runtime, runtime_evidence) = runtime(&directives, &sections);
    let code = ObjectCode::new(arch, sections, symbols, relocs);
    Ok(code.inventory(Format::Coff, table_of_section, runtime, runtime_evidence))
}

/// Every symbol by index, as the object analysis sees it.
fn symbols(file: &object::File) -> BTreeMap<usize, object_code::Symbol> {
    file.symbols()
        .map(|symbol| {
            let section = symbol.section_index().map(|i| i.0);
            let entry = object_code::Symbol {
                name: symbol.name().unwrap_or("").to_string(),
                section,
                value: symbol.address(),
                size: 0,
                is_function: symbol.kind() == SymbolKind::Text && section.is_some(),
                is_section: symbol.kind() == SymbolKind::Section,
                is_data: false,
            };
            (symbol.index().0, entry)
        })
        .collect()
}

/// One relocation of a section (`bytes`) against a symbol, with its target offset worked out;
/// None for relocations that name no symbol.
fn relocation(
    arch: Arch,
    bytes: &[u8],
    symbols: &BTreeMap<usize, object_code::Symbol>,
    offset: u64,
    reloc: &Relocation,
) -> Option<object_code::Reloc> {
    let RelocationTarget::Symbol(symbol) = reloc.target() else {
        return None;
    };
    let RelocationFlags::Coff { typ } = reloc.flags() else {
        return None;
    };
    let is_call = match arch {
        // The opcode byte before the displacement says call (E8) or jmp (E9).
        Arch::X86_64 | Arch::X86 => offset
            .checked_sub(1)
            .and_then(|o| bytes.get(o as usize))
            .is_some_and(|b| *b == 0xe8 || *b == 0xe9),
        _ => is_call_type(arch, typ),
    };
    // COFF keeps addends in the relocated field; branch fields hold none, and x86
    // PC-relative fields (REL32) keep only the offset from the symbol.
    let width = usize::from(reloc.size() / 8).clamp(1, 8);
    let inplace = if is_call_type(arch, typ) {
        0
    } else {
        usize::try_from(offset)
            .ok()
            .and_then(|o| bytes.get(o..o.checked_add(width)?))
            .map(|b| {
                let mut word = [0u8; 8];
                word[..width].copy_from_slice(b);
                let shift = 64 - 8 * width as u32;
                (i64::from_le_bytes(word) << shift) >> shift
            })
            .unwrap_or(0)
    };
    let value = symbols.get(&symbol.0).map_or(0, |s| s.value);
    Some(object_code::Reloc {
        offset,
        symbol: symbol.0,
        is_call,
        target_offset: value.wrapping_add(inplace as u64),
    })
}

/// The CRT the object asks for in its `.drectve` directives, else what its tables suggest.
fn runtime(
    directives: &str,
    sections: &BTreeMap<usize, object_code::Section>,
) -> (Runtime, String) {
    let lower = directives.to_ascii_lowercase();
    let has_gnu_lists = sections
        .values()
        .any(|s| s.name.starts_with(".ctors") || s.name.starts_with(".dtors"));
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
    }
}

fn is_call_type(arch: Arch, typ: pe::RelocationType) -> bool {
    match arch {
        Arch::Aarch64 => typ == pe::IMAGE_REL_ARM64_BRANCH26,
        Arch::Arm => matches!(
            typ,
            pe::IMAGE_REL_ARM_BRANCH24 | pe::IMAGE_REL_THUMB_BRANCH24
        ),
        _ => false,
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

//! ELF reader: finds every constructor and destructor slot (`.preinit_array`, `.init_array`,
//! `.fini_array`, `.ctors`, `.dtors`, `DT_INIT`, `DT_FINI`) in relocatable objects, shared
//! objects and executables, resolves what each slot really points to, and gathers the facts the
//! engine pairs them with.
//!
//! Slot values never come from the section bytes alone: lld leaves them zero and symbol
//! relocations (`R_X86_64_64 gotoblas_init`) fill them at load time. Linked images are read by
//! `image` with their slots resolved by `relocations`; relocatable objects by `relocatable`, where
//! the section relocation at each slot names the target.

mod image;
mod relocatable;
mod relocations;
mod unwind;

use crate::audit::model::{Arch, Inventory, Mechanism};
use object::elf;
use object::read::elf::{FileHeader, SectionTable};
use object::Endianness;

type Result<T> = std::result::Result<T, String>;

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
        elf::ET_REL => relocatable::object_inventory(header, endian, data, &sections, arch),
        elf::ET_DYN | elf::ET_EXEC => image::image_inventory(header, endian, data, &sections, arch),
        other => Err(format!(
            "ELF type {other} is neither an object, a shared object nor an executable"
        )),
    }
}

/// The instruction set of an `e_machine` value.
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
pub(super) fn table_of_section(name: &str) -> Option<(Mechanism, Option<u32>)> {
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

pub(super) fn section_name<Elf: FileHeader<Endian = Endianness>>(
    endian: Endianness,
    sections: &SectionTable<Elf>,
    section: &Elf::SectionHeader,
) -> String {
    sections
        .section_name(endian, section)
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! Slot resolution for linked ELF images: what each address the dynamic relocations (RELA,
//! REL, RELR) patch will hold once loaded. The order of trust is the dynamic relocation at the
//! slot (RELATIVE addend, or symbol value + addend), then RELR / REL in-place words; a slot no
//! relocation names keeps the word in the file (read by the image reader).

use super::image::Image;
use object::elf;
use object::read::elf::{FileHeader, Rel, Rela, SectionHeader, SectionTable, Sym, SymbolTable};
use object::{Endianness, SectionIndex, SymbolIndex};
use std::collections::HashMap;

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

/// What a relocated word resolves to.
#[derive(Debug, Clone)]
pub(super) enum SlotValue {
    /// An address in the image, and how it was obtained.
    Value(u64, &'static str),
    /// An imported function, by name.
    Import(String),
}

/// Every dynamic relocation and RELR address of the image, by the address it patches.
pub(super) fn dynamic_slots<Elf: FileHeader<Endian = Endianness>>(
    image: &Image<Elf>,
    sections: &SectionTable<Elf>,
) -> Result<HashMap<u64, SlotValue>> {
    let (endian, data) = (image.endian, image.data);
    let mut slots: HashMap<u64, SlotValue> = HashMap::new();
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
        let resolver = Resolver {
            image,
            symtab: symtab.as_ref(),
            machine: image.header.e_machine(endian),
        };
        resolver.record_section(section, &mut slots);
    }
    Ok(slots)
}

/// Resolves the relocations of one REL or RELA section against its symbol table.
struct Resolver<'a, 'data, Elf: FileHeader> {
    image: &'a Image<'data, Elf>,
    symtab: Option<&'a SymbolTable<'data, Elf>>,
    machine: elf::Machine,
}

impl<Elf: FileHeader<Endian = Endianness>> Resolver<'_, '_, Elf> {
    fn record_section(&self, section: &Elf::SectionHeader, slots: &mut HashMap<u64, SlotValue>) {
        let (endian, data) = (self.image.endian, self.image.data);
        let is_mips64el = self.image.header.is_mips64el(endian);
        let mut record =
            |offset: u64, sym: u32, r_type: elf::RelocationType, addend: Option<i64>| {
                if let Some(value) = self.slot_value(offset, sym, r_type, addend) {
                    slots.insert(offset, value);
                }
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

    /// What one relocation puts at `offset`; None for the types that do not fill a pointer
    /// slot, or a symbol that cannot be read. REL (no addend) keeps its addend in place.
    fn slot_value(
        &self,
        offset: u64,
        sym: u32,
        r_type: elf::RelocationType,
        addend: Option<i64>,
    ) -> Option<SlotValue> {
        let endian = self.image.endian;
        let addend_or_inplace =
            || addend.map_or_else(|| self.image.read_word(offset).unwrap_or(0), |a| a as u64);
        match classify_reloc(self.machine, r_type) {
            RelocClass::Relative => Some(SlotValue::Value(
                addend_or_inplace(),
                if addend.is_some() {
                    "RELA relative addend"
                } else {
                    "REL relative word"
                },
            )),
            RelocClass::Irelative => {
                Some(SlotValue::Value(addend_or_inplace(), "IRELATIVE resolver"))
            }
            RelocClass::Symbolic => {
                let symtab = self.symtab?;
                let symbol = symtab.symbol(SymbolIndex(sym as usize)).ok()?;
                let name = symbol
                    .name(endian, symtab.strings())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                if symbol.is_undefined(endian) {
                    Some(SlotValue::Import(name))
                } else {
                    let base: u64 = symbol.st_value(endian).into();
                    Some(SlotValue::Value(
                        base.wrapping_add(addend_or_inplace()),
                        "symbol relocation",
                    ))
                }
            }
            RelocClass::Other => None,
        }
    }
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
}

//! Mach-O initializer and terminator tables, found by section type as dyld finds them:
//! `S_MOD_INIT_FUNC_POINTERS` (0x09), `S_INIT_FUNC_OFFSETS` (0x16), `S_MOD_TERM_FUNC_POINTERS`
//! (0x0a) — wherever the linker put them (`__DATA`, `__DATA_CONST`, `__TEXT`) — plus
//! `LC_ROUTINES_64`'s `init_address` (`-init`), which dyld runs before all of them.

use super::fixups::{Fixups, SlotValue};
use super::Image;
use crate::audit::model::{Mechanism, RawEntry};
use object::macho;
use object::read::macho::LoadCommandVariant;

/// How many slots one table may hold before the rest is ignored (guards hostile sizes).
const MAX_SLOTS: usize = 1 << 16;

/// Every entry of every table, in the order dyld runs them.
pub fn entries(image: &Image, fixups: &Fixups, evidence: &mut Vec<String>) -> Vec<RawEntry> {
    let mut entries = routines(image);
    for section in &image.sections {
        let mechanism = match section.typ {
            t if t == macho::S_MOD_INIT_FUNC_POINTERS.0 => Mechanism::ModInitFunc,
            t if t == macho::S_MOD_TERM_FUNC_POINTERS.0 => Mechanism::ModTermFunc,
            t if t == macho::S_INIT_FUNC_OFFSETS.0 => Mechanism::InitOffsets,
            _ => continue,
        };
        if section.bytes.len() as u64 != section.size {
            evidence.push(format!(
                "{} is {} bytes but only {} are in the file: the rest is not read",
                section.label(),
                section.size,
                section.bytes.len()
            ));
        }
        let before = entries.len();
        if mechanism == Mechanism::InitOffsets {
            offset_entries(image, section, &mut entries);
        } else {
            pointer_entries(image, fixups, section, mechanism, &mut entries);
        }
        evidence.push(format!(
            "{} (type {:#04x}) at {:#x}: {} entr{}",
            section.label(),
            section.typ,
            section.address,
            entries.len() - before,
            if entries.len() - before == 1 {
                "y"
            } else {
                "ies"
            }
        ));
    }
    entries
}

fn entry(image: &Image, mechanism: Mechanism, section: String, slot: u64, target: u64) -> RawEntry {
    RawEntry {
        mechanism,
        section,
        slot,
        target,
        address: target,
        target_section: image.section_at(target).map(|s| s.label()),
        symbol: image.name_of(target),
        priority: None,
        resolved_by: "",
    }
}

/// `LC_ROUTINES_64.init_address`, when the image was linked with `-init`.
fn routines(image: &Image) -> Vec<RawEntry> {
    let Ok(mut commands) = image.file.macho_load_commands() else {
        return Vec::new();
    };
    let endian = image.file.endian();
    while let Ok(Some(command)) = commands.next() {
        if let Ok(LoadCommandVariant::Routines64(routines)) = command.variant() {
            let address = routines.init_address.get(endian);
            if address == 0 {
                return Vec::new();
            }
            let mut raw = entry(
                image,
                Mechanism::Routines,
                "LC_ROUTINES_64".into(),
                0,
                address,
            );
            raw.resolved_by = "LC_ROUTINES_64 init_address";
            return vec![raw];
        }
    }
    Vec::new()
}

/// `__init_offsets`: 32-bit offsets from `__TEXT`'s vmaddr, never fixed up.
fn offset_entries(image: &Image, section: &super::Section, entries: &mut Vec<RawEntry>) {
    for (i, chunk) in section.bytes.chunks_exact(4).take(MAX_SLOTS).enumerate() {
        let offset = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        let target = image.text_vmaddr.wrapping_add(u64::from(offset));
        let slot = section.address.wrapping_add(4 * i as u64);
        let mut raw = entry(image, Mechanism::InitOffsets, section.label(), slot, target);
        raw.resolved_by = "offset from __TEXT";
        entries.push(raw);
    }
}

/// `__mod_init_func` / `__mod_term_func`: pointer slots, read through the fixups.
fn pointer_entries(
    image: &Image,
    fixups: &Fixups,
    section: &super::Section,
    mechanism: Mechanism,
    entries: &mut Vec<RawEntry>,
) {
    for (i, chunk) in section.bytes.chunks_exact(8).take(MAX_SLOTS).enumerate() {
        let slot = section.address.wrapping_add(8 * i as u64);
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let (target, import, resolved_by) = match fixups.slots.get(&slot) {
            Some(SlotValue::Local(target, how)) => (*target, None, *how),
            Some(SlotValue::Import(name)) => (0, Some(name.clone()), "bind to an import"),
            // A chained image's slot without a fixup is not a pointer dyld would call.
            None if fixups.chained => continue,
            None => (word, None, "word in the file"),
        };
        if import.is_none() && target == 0 {
            continue;
        }
        let mut raw = entry(image, mechanism, section.label(), slot, target);
        if import.is_some() {
            raw.symbol = import;
            raw.target_section = None;
        }
        raw.resolved_by = resolved_by;
        entries.push(raw);
    }
}

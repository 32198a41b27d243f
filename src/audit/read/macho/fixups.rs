//! What each pointer slot of a linked Mach-O image holds once dyld has fixed it up: a local
//! address (rebase) or an imported symbol (bind). Chained fixups (`LC_DYLD_CHAINED_FIXUPS`, every
//! pointer format `object` decodes, arm64e authenticated ones included) and classic dyld info
//! (`LC_DYLD_INFO[_ONLY]` rebase, bind and lazy-bind opcodes) end up in the same map.

use object::macho;
use object::macho::DyldInfoCommand;
use object::read::macho::{Fixup, LoadCommandVariant, MachOFile64};
use object::{Endianness, Object, ObjectSegment};
use std::collections::HashMap;

/// How many fixups one image may declare before the walk stops (guards hostile chains).
const MAX_FIXUPS: usize = 1 << 22;

/// What a fixed-up pointer slot holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotValue {
    /// A local address (unslid vmaddr), and how it was found.
    Local(u64, &'static str),
    /// An imported symbol, by its Mach-O name (`___cxa_atexit`).
    Import(String),
}

/// Every fixed-up slot of the image by its vmaddr, and whether the image uses chained fixups.
#[derive(Debug, Default)]
pub struct Fixups {
    pub slots: HashMap<u64, SlotValue>,
    pub chained: bool,
    /// Problems met while decoding (reported as evidence, never fatal).
    pub problems: Vec<String>,
}

/// The segments' (vmaddr, file bytes) in load-command order: fixups name segments by index.
fn segment_table<'data>(file: &MachOFile64<'data, Endianness>) -> Vec<(u64, &'data [u8])> {
    file.segments()
        .map(|s| (s.address(), s.data().unwrap_or(&[])))
        .collect()
}

/// Decodes every fixup the image declares. `text_vmaddr` is the `__TEXT` segment's vmaddr,
/// which chained rebase targets are offsets from.
pub fn decode(file: &MachOFile64<'_, Endianness>, data: &[u8], text_vmaddr: u64) -> Fixups {
    let mut fixups = Fixups::default();
    let segments = segment_table(file);
    let endian = file.endian();
    let Ok(mut commands) = file.macho_load_commands() else {
        return fixups;
    };
    while let Ok(Some(command)) = commands.next() {
        let result = match command.variant() {
            Ok(LoadCommandVariant::LinkeditData(linkedit))
                if command.cmd() == macho::LC_DYLD_CHAINED_FIXUPS =>
            {
                fixups.chained = true;
                chained(
                    linkedit,
                    endian,
                    data,
                    &segments,
                    text_vmaddr,
                    &mut fixups.slots,
                )
            }
            Ok(LoadCommandVariant::DyldInfo(info)) => {
                classic(info, endian, data, &segments, &mut fixups.slots)
            }
            _ => Ok(()),
        };
        if let Err(problem) = result {
            fixups.problems.push(problem);
        }
    }
    fixups
}

fn chained(
    command: &macho::LinkeditDataCommand<Endianness>,
    endian: Endianness,
    data: &[u8],
    segments: &[(u64, &[u8])],
    text_vmaddr: u64,
    slots: &mut HashMap<u64, SlotValue>,
) -> Result<(), String> {
    let table = command
        .chained_fixups(endian, data)
        .map_err(|e| format!("chained fixups: {e}"))?;
    let mut imports = Vec::new();
    let mut import_iter = table
        .imports(endian)
        .map_err(|e| format!("chained fixups imports: {e}"))?;
    while let Some(import) = import_iter
        .next()
        .map_err(|e| format!("chained fixups import: {e}"))?
    {
        imports.push(String::from_utf8_lossy(import.name).into_owned());
        if imports.len() > MAX_FIXUPS {
            return Err("chained fixups: too many imports".to_string());
        }
    }
    let mut segment_iter = table
        .segments(endian)
        .map_err(|e| format!("chained fixups segments: {e}"))?;
    while let Some(segment) = segment_iter
        .next()
        .map_err(|e| format!("chained fixups segment: {e}"))?
    {
        let Some(&(vmaddr, bytes)) = segments.get(segment.index() as usize) else {
            return Err(format!(
                "chained fixups name segment {} of {}",
                segment.index(),
                segments.len()
            ));
        };
        let mut fixup_iter = segment.fixups(endian, text_vmaddr, bytes);
        let mut count = 0usize;
        while let Some((offset, fixup)) = fixup_iter
            .next()
            .map_err(|e| format!("chained fixup in segment {}: {e}", segment.index()))?
        {
            count += 1;
            if count > MAX_FIXUPS {
                return Err("chained fixups: too many fixups".to_string());
            }
            let slot = vmaddr.wrapping_add(offset);
            let value = match fixup {
                Fixup::Rebase(rebase) => SlotValue::Local(
                    text_vmaddr.wrapping_add(rebase.target_offset),
                    if rebase.auth.is_some() {
                        "chained fixup (authenticated rebase)"
                    } else {
                        "chained fixup (rebase)"
                    },
                ),
                Fixup::Bind(bind) => match imports.get(bind.ordinal as usize) {
                    Some(name) => SlotValue::Import(name.clone()),
                    None => continue,
                },
                // Kernel-cache and segmented formats do not occur in user images.
                _ => continue,
            };
            slots.insert(slot, value);
        }
    }
    Ok(())
}

fn classic(
    info: &macho::DyldInfoCommand<Endianness>,
    endian: Endianness,
    data: &[u8],
    segments: &[(u64, &[u8])],
    slots: &mut HashMap<u64, SlotValue>,
) -> Result<(), String> {
    let address = |index: u8, offset: u64| {
        segments
            .get(usize::from(index))
            .map(|(vmaddr, _)| vmaddr.wrapping_add(offset))
    };
    // A classic rebase slot holds the unslid target as a plain word; the opcodes mark it.
    let word_at = |index: u8, offset: u64| {
        let bytes = segments.get(usize::from(index))?.1;
        let start = usize::try_from(offset).ok()?;
        let word = bytes.get(start..start.checked_add(8)?)?;
        Some(u64::from_le_bytes(word.try_into().ok()?))
    };
    let mut rebases = info
        .rebases(endian, data, 8)
        .map_err(|e| format!("rebase opcodes: {e}"))?;
    // Counted, not measured by the map: a hostile stream may rebase one slot forever.
    let mut count = 0usize;
    while let Some(rebase) = rebases.next().map_err(|e| format!("rebase opcodes: {e}"))? {
        count += 1;
        if count > MAX_FIXUPS {
            return Err("rebase opcodes: too many rebases".to_string());
        }
        let (index, offset) = (rebase.segment_index, rebase.segment_offset);
        if let (Some(slot), Some(word)) = (address(index, offset), word_at(index, offset)) {
            slots.insert(
                slot,
                SlotValue::Local(word, "rebase opcode (word in the file)"),
            );
        }
    }
    binds(info, endian, data, &address, slots)
}

/// Non-lazy (`__got`) and lazy (`__la_symbol_ptr`) binds: the import slots stubs jump through.
fn binds(
    info: &DyldInfoCommand<Endianness>,
    endian: Endianness,
    data: &[u8],
    address: &dyn Fn(u8, u64) -> Option<u64>,
    slots: &mut HashMap<u64, SlotValue>,
) -> Result<(), String> {
    let eager = info
        .binds(endian, data, 8)
        .map_err(|e| format!("bind opcodes: {e}"))?;
    let lazy = info
        .lazy_binds(endian, data, 8)
        .map_err(|e| format!("lazy bind opcodes: {e}"))?;
    for (count, bind) in eager.chain(lazy).enumerate() {
        let bind = bind.map_err(|e| format!("bind opcodes: {e}"))?;
        if count > MAX_FIXUPS {
            return Err("bind opcodes: too many binds".to_string());
        }
        if let Some(slot) = address(bind.segment_index, bind.segment_offset) {
            slots.insert(
                slot,
                SlotValue::Import(String::from_utf8_lossy(bind.symbol).into_owned()),
            );
        }
    }
    Ok(())
}

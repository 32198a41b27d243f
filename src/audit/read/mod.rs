//! Format readers: each turns one binary's bytes into the common [`Inventory`] — the table
//! entries with their slots resolved, the facts of every target from the code walk
//! (`crate::audit::walk`), the C runtime, the kind of binary and whether it can be unloaded.
//! Readers know nothing of pairing or findings; the judge (`crate::audit::judge`) takes it
//! from there.
//!
//! Mach-O fat files hold several images: `crate::audit` splits them into slices first.
//!
//! A new format plugs in here: a module with `inventory(data) -> Result<Inventory, String>`
//! and one arm in [`inventory`].

pub mod coff;
pub mod elf;
pub mod macho;
pub mod pe;

use crate::audit::model::{Format, Inventory};
use object::elf::{FileHeader32, FileHeader64};
use object::pe::{ImageNtHeaders32, ImageNtHeaders64};
use object::{Endianness, FileKind};

/// Reads a binary of a kind a reader exists for: the format it is reported as, and its
/// inventory or why it could not be read. None for kinds no reader handles.
pub fn inventory(kind: FileKind, data: &[u8]) -> Option<(Format, Result<Inventory, String>)> {
    Some(match kind {
        FileKind::Elf32 => (
            Format::Elf,
            elf::inventory::<FileHeader32<Endianness>>(data),
        ),
        FileKind::Elf64 => (
            Format::Elf,
            elf::inventory::<FileHeader64<Endianness>>(data),
        ),
        FileKind::Coff | FileKind::CoffBig => (Format::Coff, coff::inventory(data)),
        FileKind::Pe32 => (Format::Pe, pe::inventory::<ImageNtHeaders32>(data)),
        FileKind::Pe64 => (Format::Pe, pe::inventory::<ImageNtHeaders64>(data)),
        FileKind::MachO64 => (Format::Macho, macho::inventory(data)),
        _ => return None,
    })
}

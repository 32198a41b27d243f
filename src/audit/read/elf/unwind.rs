//! Function extents from `.eh_frame`: stripped shared objects keep no symbol for a static
//! constructor, but its unwind entry (FDE) still says where the function starts and how long it
//! is. The code walk then reads whole functions instead of guessing where they end.

use gimli::{BaseAddresses, CieOrFde, EhFrame, UnwindSection};
use std::collections::BTreeMap;

/// How many FDEs are read at most (guards hostile inputs; real libraries have far fewer).
const MAX_FDES: usize = 1 << 20;

/// Start -> length of every function `.eh_frame` describes. `address` is where the section is
/// loaded; `big_endian` and `word` (pointer size in bytes) as in the file header.
pub fn extents(bytes: &[u8], address: u64, big_endian: bool, word: u64) -> BTreeMap<u64, u64> {
    let endian = if big_endian {
        gimli::RunTimeEndian::Big
    } else {
        gimli::RunTimeEndian::Little
    };
    let mut section = EhFrame::new(bytes, endian);
    section.set_address_size(if word == 4 { 4 } else { 8 });
    let bases = BaseAddresses::default().set_eh_frame(address);
    let mut found = BTreeMap::new();
    let mut entries = section.entries(&bases);
    while found.len() < MAX_FDES {
        let Ok(Some(entry)) = entries.next() else {
            break;
        };
        let CieOrFde::Fde(partial) = entry else {
            continue;
        };
        if let Ok(fde) = partial.parse(EhFrame::cie_from_offset) {
            if fde.len() > 0 {
                found.insert(fde.initial_address(), fde.len());
            }
        }
    }
    found
}

//! The code walk: reading constructor and destructor code in linked images — which imports
//! they call (through PLT stubs, GOT and IAT slots), whether they register an exit handler,
//! which function address they hand to it, and which writable globals they touch. The format
//! readers call it for every entry target; what it learns is a `model::FunctionFacts`.
//!
//! This module owns the format-neutral view of an image (`CodeView`) and the walk over calls;
//! the instruction decoding is per architecture: `x86` (x86 and x86-64, with `iced-x86`) and
//! `aarch64` (with `yaxpeax-arm`). Relocatable objects are walked through their relocations
//! instead (`object_code`). The walk is a bounded linear sweep per function that follows
//! direct calls a few levels deep; it is evidence for pairing, not a full control-flow
//! recovery.

use crate::audit::model::{Arch, FunctionFacts};
use resources::runs_callback;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

pub mod object_code;
pub mod resources;

/// How many call levels below a constructor the walk follows. Measured on a stock Debian
/// `/usr/lib/x86_64-linux-gnu`: of its 1,183 unpaired user constructors that register no exit
/// handler, 30 hit the limit at 3 levels, 21 at 6, 7 at 8 and still 7 at 10 (those recurse or
/// fan out past the function budget), for 6.6 s, 7.1 s, 7.5 s and 8.1 s of audit time. Deeper
/// call chains are reported as not followed, never guessed.
pub const MAX_CALL_DEPTH: u32 = 8;
/// How many functions one analysis may visit in total (guards hostile inputs and huge call
/// trees; what lies beyond is reported as not followed).
pub const MAX_FUNCTIONS_VISITED: usize = 256;
/// How many bytes of a function without a known size are read.
const UNSIZED_FUNCTION_LIMIT: u64 = 16 * 1024;
/// How many instructions one function walk decodes at most.
const MAX_INSTRUCTIONS: usize = 8192;

/// The functions that register exit handlers, as imported (undecorated) names.
const EXIT_HANDLER_REGISTRARS: &[&str] = &[
    "atexit",
    "_onexit",
    "onexit",
    "_crt_atexit",
    "_register_onexit_function",
    "__cxa_atexit",
    "__cxa_thread_atexit",
    "__cxa_thread_atexit_impl",
    "__dllonexit",
];

/// Strips symbol decorations that do not change which function is meant: `__imp_` prefixes,
/// ELF version suffixes (`@GLIBC_2.2.5`, `@@...`), `@plt`.
pub fn undecorated(name: &str) -> &str {
    let name = name.strip_prefix("__imp_").unwrap_or(name);
    // MSVC C++ names (`??2@YAPEAX_K@Z`) use `@` as part of the mangling.
    if name.starts_with('?') {
        return name;
    }
    match name.find('@') {
        Some(0) | None => name,
        Some(at) => &name[..at],
    }
}

/// Is `name` (an import or undefined symbol) a function that registers an exit handler?
/// Accepts the i386 COFF spelling with one extra leading underscore (`_atexit`).
pub fn is_exit_handler_registrar(name: &str) -> bool {
    let name = undecorated(name);
    EXIT_HANDLER_REGISTRARS.contains(&name)
        || name
            .strip_prefix('_')
            .is_some_and(|rest| EXIT_HANDLER_REGISTRARS.contains(&rest))
}

/// One mapped region of the image as the loader would lay it out.
#[derive(Debug, Clone)]
pub struct Region<'data> {
    pub start: u64,
    /// Size in memory (at least `bytes.len()`; the rest reads as zeros, like `.bss`).
    pub size: u64,
    pub bytes: &'data [u8],
    pub executable: bool,
    pub writable: bool,
}

/// The parts of a linked image that the code walk needs, independent of its format.
#[derive(Debug, Default)]
pub struct CodeView<'data> {
    pub arch: Option<Arch>,
    pub regions: Vec<Region<'data>>,
    /// GOT/IAT slot address -> the imported function or data it is bound to.
    pub import_slots: HashMap<u64, String>,
    /// GOT slots bound to something defined in the image itself -> that address.
    pub local_slots: HashMap<u64, u64>,
    /// Address ranges of import stubs (`.plt`, `.plt.sec`, `.plt.got`, ...).
    pub stub_ranges: Vec<Range<u64>>,
    /// Known function starts -> sizes (from symbol tables, `.pdata`).
    pub function_sizes: BTreeMap<u64, u64>,
    /// i386 PIC stubs address the GOT through `ebx`; this is where `ebx` points.
    pub got_base: Option<u64>,
    /// Where the image expects to be loaded: absolute addresses in 32-bit x86 code are VAs, the
    /// view works in RVAs (0 for ELF, where addresses are already what the view uses).
    pub image_base: u64,
    /// Names of local functions, where symbols exist: a local `atexit` (glibc links one into
    /// every shared object from `libc_nonshared.a`) is a registrar like the import.
    pub function_names: HashMap<u64, String>,
}

impl<'data> CodeView<'data> {
    fn region_of(&self, address: u64) -> Option<&Region<'data>> {
        self.regions
            .iter()
            .find(|r| address >= r.start && address - r.start < r.size)
    }

    pub fn is_code(&self, address: u64) -> bool {
        self.region_of(address).is_some_and(|r| r.executable)
    }

    pub fn is_writable_data(&self, address: u64) -> bool {
        self.region_of(address)
            .is_some_and(|r| r.writable && !r.executable)
    }

    fn is_stub(&self, address: u64) -> bool {
        self.stub_ranges.iter().any(|r| r.contains(&address))
    }

    /// The file-backed bytes from `address` to the end of its region, at most `limit` long.
    fn code_bytes(&self, address: u64, limit: u64) -> Option<&'data [u8]> {
        let region = self.region_of(address)?;
        if !region.executable {
            return None;
        }
        let offset = usize::try_from(address - region.start).ok()?;
        let available = region.bytes.get(offset..)?;
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Some(&available[..available.len().min(limit)])
    }

    /// Reads facts about the function at `address` and the functions it calls.
    pub fn analyse(&self, address: u64) -> FunctionFacts {
        let mut walk = Walk {
            view: self,
            visited: HashSet::new(),
            facts: FunctionFacts::default(),
        };
        walk.facts.analysed = walk.function(address, 0, true).0;
        walk.facts.reached = walk.visited.iter().copied().collect();
        walk.facts
    }

    /// Every call (or tail jump) whose first two pointer arguments were loaded with static
    /// addresses just before it: `(first, second)`. This is the `_initterm(begin, end)` shape:
    /// x64 `lea rcx,[begin]; lea rdx,[end]; call`, x86 `push end; push begin; call`, ARM64
    /// `adrp/add x0; adrp/add x1; bl`.
    pub fn two_pointer_calls(&self) -> Vec<TwoPointerCall> {
        let mut found = Vec::new();
        for region in self.regions.iter().filter(|r| r.executable) {
            match self.arch {
                Some(Arch::X86_64) => x86::two_pointer_calls(self, region, 64, &mut found),
                Some(Arch::X86) => x86::two_pointer_calls(self, region, 32, &mut found),
                Some(Arch::Aarch64) => aarch64::two_pointer_calls(region, &mut found),
                _ => {}
            }
        }
        found
    }

    /// The imported function a call site reaches: through an IAT/GOT slot, or through an import
    /// thunk (`jmp [IAT]`).
    pub fn imported_callee(&self, site: CallSite) -> Option<String> {
        match site {
            CallSite::Slot(slot) => self.import_slots.get(&slot).cloned(),
            CallSite::Direct(target) => self.resolve_stub(target),
            CallSite::Unknown => None,
        }
    }

    /// The static memory operands of a stub's first instructions: the GOT/IAT slot it jumps
    /// through is among them.
    fn stub_slot_refs(&self, address: u64) -> Option<Vec<u64>> {
        let bytes = self.code_bytes(address, 32)?;
        let mut refs = Vec::new();
        match self.arch? {
            Arch::X86_64 | Arch::X86 => x86::memory_refs(self, bytes, address, 4, &mut refs),
            Arch::Aarch64 => aarch64::memory_refs(bytes, address, 4, &mut refs),
            _ => {}
        }
        Some(refs)
    }

    /// The function of the image itself that a PLT entry jumps to, through a GOT slot bound
    /// to a symbol the image defines.
    fn stub_local_target(&self, address: u64) -> Option<u64> {
        self.stub_slot_refs(address)?
            .into_iter()
            .find_map(|slot| self.local_slots.get(&slot).copied())
            .filter(|target| self.is_code(*target))
    }

    /// The import a Windows import thunk jumps to: x86 `jmp [IAT]` as the first instruction,
    /// ARM64 `adrp x16, IAT; ldr x16, [x16, #off]; br x16`. A function that merely calls an
    /// import early on (`call [__imp_GetProcessHeap]`) is not a thunk.
    fn thunk_import(&self, address: u64) -> Option<String> {
        let bytes = self.code_bytes(address, 16)?;
        match self.arch? {
            Arch::X86_64 | Arch::X86 => {
                let slot = x86::leading_indirect_jump(self, bytes, address)?;
                self.import_slots.get(&slot).cloned()
            }
            Arch::Aarch64 => {
                let third = bytes.get(8..12)?;
                let third = u32::from_le_bytes([third[0], third[1], third[2], third[3]]);
                // `br xN`: 1101011 0000 11111 000000 Rn 00000
                if third & 0xffff_fc1f != 0xd61f_0000 {
                    return None;
                }
                self.resolve_stub(address)
            }
            _ => None,
        }
    }

    /// The import an import stub (PLT entry, IAT thunk) jumps to, if it is one.
    pub fn resolve_stub(&self, address: u64) -> Option<String> {
        self.stub_slot_refs(address)?
            .into_iter()
            .find_map(|slot| self.import_slots.get(&slot).cloned())
    }
}

/// Where a call goes, as far as the instruction says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallSite {
    /// A direct call or jump to this address.
    Direct(u64),
    /// An indirect call through the pointer stored at this address (an IAT slot, usually).
    Slot(u64),
    Unknown,
}

/// A call whose first two pointer arguments were static addresses.
#[derive(Debug, Clone, Copy)]
pub struct TwoPointerCall {
    pub site: CallSite,
    pub first: u64,
    pub second: u64,
}

/// What a call or jump lands on, as far as the walk is concerned.
enum CallTarget {
    Import(String),
    Local(u64),
    Unknown,
}

/// Mutable state of one analysis.
struct Walk<'view, 'data> {
    view: &'view CodeView<'data>,
    visited: HashSet<u64>,
    facts: FunctionFacts,
}

/// Per-function observations, merged into `FunctionFacts` by the walk.
#[derive(Default)]
struct FunctionScan {
    /// Import slots read or called through (`call [rip+IAT]`, GOT loads).
    slot_refs: Vec<u64>,
    /// Writable data the function touches.
    data_refs: Vec<u64>,
    /// Calls and code-address loads in program order: a registrar's handler argument is the
    /// code address loaded last before the call.
    events: Vec<Event>,
}

enum Event {
    CodeRef(u64),
    Call(u64),
    /// A jump out of the function: the callee finishes its work.
    TailCall(u64),
    SlotCall(u64),
    /// A call or jump through a register or computed memory address, at this address: where
    /// it goes is not in the code.
    Indirect(u64),
}

impl Walk<'_, '_> {
    fn classify_call(&self, target: u64) -> CallTarget {
        if let Some(name) = self.view.import_slots.get(&target) {
            return CallTarget::Import(name.clone());
        }
        if let Some(name) = self.view.function_names.get(&target) {
            if is_exit_handler_registrar(name) {
                return CallTarget::Import(name.clone());
            }
        }
        if self.view.is_stub(target) {
            return match self.view.resolve_stub(target) {
                Some(name) => CallTarget::Import(name),
                // A PLT entry for a function the image exports itself (`foo@plt` bound to
                // our own `foo`): the call lands on our code.
                None => match self.view.stub_local_target(target) {
                    Some(local) => CallTarget::Local(local),
                    None => CallTarget::Unknown,
                },
            };
        }
        if self.view.is_code(target) {
            // Windows import thunks (`jmp [IAT]`) live among ordinary code.
            if let Some(name) = self.view.thunk_import(target) {
                if self
                    .view
                    .function_sizes
                    .get(&target)
                    .is_none_or(|size| *size <= 16)
                {
                    return CallTarget::Import(name);
                }
            }
            return CallTarget::Local(target);
        }
        CallTarget::Unknown
    }

    /// Walks one function. Returns whether any code was decoded, and whether it (or a callee)
    /// calls an exit-handler registrar without loading the handler itself: then the handler is
    /// the address the caller loaded (glibc's local `atexit` stub from `libc_nonshared.a` is
    /// exactly that: a `jmp __cxa_atexit@plt` with the arguments set up by its caller).
    fn function(&mut self, address: u64, depth: u32, own_state: bool) -> (bool, bool) {
        if self.visited.contains(&address) {
            return (false, false);
        }
        if self.visited.len() >= MAX_FUNCTIONS_VISITED {
            self.facts.unfollowed.insert(format!(
                "more than {MAX_FUNCTIONS_VISITED} functions reached (not walked: {address:#x})"
            ));
            return (false, false);
        }
        self.visited.insert(address);
        let size = self
            .view
            .function_sizes
            .get(&address)
            .copied()
            .filter(|size| *size > 0);
        let code = self
            .view
            .code_bytes(address, size.unwrap_or(UNSIZED_FUNCTION_LIMIT));
        let scan = match (self.view.arch, code) {
            (Some(Arch::X86_64), Some(bytes)) => x86::scan(self.view, bytes, address, 64, size),
            (Some(Arch::X86), Some(bytes)) => x86::scan(self.view, bytes, address, 32, size),
            (Some(Arch::Aarch64), Some(bytes)) => aarch64::scan(self.view, bytes, address, size),
            _ => {
                if depth > 0 {
                    self.facts
                        .unfollowed
                        .insert(format!("code at {address:#x} could not be read"));
                }
                return (false, false);
            }
        };
        (true, self.absorb(scan, depth, own_state))
    }

    /// Merges one function's scan into the facts; returns whether a registrar was called with
    /// no handler address loaded in this function (see `function`).
    /// `own_state`: this function speaks for the entry's own state (the entry itself, or a
    /// function it only tail-jumps to, as trampolines do); its globals count for pairing.
    fn absorb(&mut self, scan: FunctionScan, depth: u32, own_state: bool) -> bool {
        if depth == 0 {
            self.facts.calls = scan
                .events
                .iter()
                .filter(|e| !matches!(e, Event::CodeRef(_)))
                .count();
        }
        if own_state {
            for address in &scan.data_refs {
                self.facts.globals.insert(format!("{address:#x}"));
            }
        } else if depth == 1 {
            for address in &scan.data_refs {
                self.facts.callee_globals.insert(format!("{address:#x}"));
            }
        }
        let trampoline = own_state && scan.data_refs.is_empty();
        for &slot in &scan.slot_refs {
            if let Some(name) = self.view.import_slots.get(&slot) {
                self.facts.imports.insert(undecorated(name).to_string());
            }
        }
        let mut code_refs_so_far: Vec<u64> = Vec::new();
        let mut handler_missing = false;
        for event in &scan.events {
            let tail = matches!(event, Event::TailCall(_));
            let target = match event {
                Event::CodeRef(address) => {
                    code_refs_so_far.push(*address);
                    continue;
                }
                Event::Call(target) | Event::TailCall(target) => self.classify_call(*target),
                Event::SlotCall(slot) => match self.view.import_slots.get(slot) {
                    Some(name) => CallTarget::Import(name.clone()),
                    // A GOT slot bound to our own function (`call *f@GOTPCREL(%rip)`).
                    None => match self.view.local_slots.get(slot) {
                        Some(target) if self.view.is_code(*target) => CallTarget::Local(*target),
                        _ => {
                            self.facts.unfollowed.insert(format!(
                                "call through the function pointer stored at {slot:#x}"
                            ));
                            continue;
                        }
                    },
                },
                Event::Indirect(site) => {
                    self.facts
                        .unfollowed
                        .insert(format!("indirect call or jump at {site:#x}"));
                    continue;
                }
            };
            match target {
                CallTarget::Import(name) => {
                    let plain = undecorated(&name).to_string();
                    if is_exit_handler_registrar(&plain) {
                        if self.facts.exit_handler_call.is_none() {
                            self.facts.exit_handler_call = Some(plain.clone());
                        }
                        // The handler is the code address loaded just before the call.
                        match code_refs_so_far.last() {
                            Some(handler) => {
                                self.facts.registered_handlers.insert(*handler);
                            }
                            None => handler_missing = true,
                        }
                    }
                    // `pthread_once(&once, init)` runs `init` before it returns.
                    if runs_callback(&plain) {
                        if let Some(callback) = code_refs_so_far.last().copied() {
                            self.function(callback, depth + 1, false);
                        }
                    }
                    self.facts.imports.insert(plain);
                }
                CallTarget::Local(address) if depth < MAX_CALL_DEPTH => {
                    if let Some(handler) = code_refs_so_far.last().filter(|h| **h != address) {
                        self.facts.handlers_passed_to_local.insert(*handler);
                    }
                    let (_, callee_missing) = self.function(address, depth + 1, trampoline && tail);
                    if callee_missing {
                        match code_refs_so_far.last() {
                            Some(handler) => {
                                self.facts.registered_handlers.insert(*handler);
                            }
                            None => handler_missing = true,
                        }
                    }
                }
                CallTarget::Local(address) => {
                    if !self.visited.contains(&address) {
                        self.facts.unfollowed.insert(format!(
                            "calls deeper than {MAX_CALL_DEPTH} levels (first not walked: {address:#x})"
                        ));
                    }
                }
                CallTarget::Unknown => {
                    let target = match event {
                        Event::Call(t) | Event::TailCall(t) => *t,
                        _ => 0,
                    };
                    // `call 0`: an unresolved weak function, guarded at run time.
                    if target == 0 {
                        continue;
                    }
                    self.facts.unfollowed.insert(format!(
                        "call to {target:#x}, which is neither code of the image nor a known import"
                    ));
                }
            }
        }
        handler_missing
    }
}

mod aarch64;
mod x86;

/// The low bits of an object key hold the offset inside its section.
pub const OBJECT_OFFSET_MASK: u64 = (1 << 40) - 1;

/// Engine key of (section, offset) in an object: section index in the high bits, so that keys
/// stay unique across sections while offsets stay readable.
pub fn object_key(section: usize, offset: u64) -> u64 {
    ((section as u64 + 1) << 40) | (offset & OBJECT_OFFSET_MASK)
}

/// Direct calls in unrelocated code: (offset of the patched field, target offset).
pub fn direct_calls(arch: Arch, code: &[u8], start: u64) -> Vec<(u64, u64)> {
    let mut calls = Vec::new();
    match arch {
        Arch::X86_64 | Arch::X86 => {
            use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction};
            let bitness = if arch == Arch::X86 { 32 } else { 64 };
            let mut decoder = Decoder::with_ip(bitness, code, start, DecoderOptions::NONE);
            let mut instruction = Instruction::default();
            while decoder.can_decode() {
                decoder.decode_out(&mut instruction);
                if instruction.is_invalid() {
                    break;
                }
                if instruction.flow_control() == FlowControl::Call && instruction.len() == 5 {
                    calls.push((
                        instruction.ip().wrapping_add(1),
                        instruction.near_branch_target(),
                    ));
                }
            }
        }
        Arch::Aarch64 => {
            for (i, word) in code.chunks_exact(4).enumerate() {
                let word = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                if word & 0xfc00_0000 == 0x9400_0000 {
                    // bl imm26
                    let imm = ((word & 0x03ff_ffff) << 6) as i32 >> 4;
                    let site = start.wrapping_add(4 * i as u64);
                    calls.push((site, site.wrapping_add(imm as i64 as u64)));
                }
            }
        }
        _ => {}
    }
    calls
}

/// Indirect calls and jumps in unrelocated code, as (address, length): where they go is not in
/// the code, unless a relocation inside the instruction names the slot (`call [__imp_f]`; the
/// caller checks). A jump shortly after an indexed load is a `switch` through a jump table and
/// is left out.
pub fn indirect_sites(arch: Arch, code: &[u8], start: u64) -> Vec<(u64, u64)> {
    let mut sites = Vec::new();
    if !matches!(arch, Arch::X86_64 | Arch::X86) {
        return sites;
    }
    use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction, OpKind, Register};
    let bitness = if arch == Arch::X86 { 32 } else { 64 };
    let mut decoder = Decoder::with_ip(bitness, code, start, DecoderOptions::NONE);
    let mut instruction = Instruction::default();
    let mut since_indexed_load = u32::MAX;
    while decoder.can_decode() {
        decoder.decode_out(&mut instruction);
        if instruction.is_invalid() {
            break;
        }
        since_indexed_load = since_indexed_load.saturating_add(1);
        let has_memory =
            (0..instruction.op_count()).any(|i| instruction.op_kind(i) == OpKind::Memory);
        if has_memory && instruction.memory_index() != Register::None {
            since_indexed_load = 0;
        }
        let flow = instruction.flow_control();
        let jump_table = flow == FlowControl::IndirectBranch && since_indexed_load <= 6;
        if matches!(
            flow,
            FlowControl::IndirectCall | FlowControl::IndirectBranch
        ) && !jump_table
        {
            sites.push((instruction.ip(), instruction.len() as u64));
        }
    }
    sites
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrar_names_are_recognised_through_decorations() {
        assert!(is_exit_handler_registrar("atexit"));
        assert!(is_exit_handler_registrar("__cxa_atexit@GLIBC_2.2.5"));
        assert!(is_exit_handler_registrar("__imp__register_onexit_function"));
        assert!(is_exit_handler_registrar("_atexit"));
        assert!(!is_exit_handler_registrar("malloc"));
        assert!(!is_exit_handler_registrar("atexit_helper"));
    }
}

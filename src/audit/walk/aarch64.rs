//! The AArch64 code walk (decoded with `yaxpeax-arm`): one function's calls, the addresses
//! it builds with `adrp`/`add`/`ldr` and the state it touches, and the `_initterm` call shape.

use super::{CodeView, Event, FunctionScan, MAX_INSTRUCTIONS};
use yaxpeax_arch::{Decoder, U8Reader};
use yaxpeax_arm::armv8::a64::{InstDecoder, Instruction, Opcode, Operand};

fn decode(decoder: &InstDecoder, word: &[u8]) -> Option<Instruction> {
    let mut reader = U8Reader::new(word);
    decoder.decode(&mut reader).ok()
}

fn register(operand: &Operand) -> Option<usize> {
    match operand {
        Operand::Register(_, n) | Operand::RegisterOrSP(_, n) | Operand::RegisterPair(_, n) => {
            Some(*n as usize)
        }
        _ => None,
    }
}

fn immediate(operand: &Operand) -> Option<u64> {
    match operand {
        Operand::Immediate(value) => Some(u64::from(*value)),
        Operand::Imm64(value) => Some(*value),
        Operand::Imm16(value) => Some(u64::from(*value)),
        Operand::ImmShift(value, shift) => u64::from(*value).checked_shl(u32::from(*shift)),
        _ => None,
    }
}

fn pc_offset(instruction: &Instruction) -> Option<i64> {
    instruction.operands.iter().find_map(|op| match op {
        Operand::PCOffset(offset) => Some(*offset),
        _ => None,
    })
}

/// Tracks `adrp`/`add`/`ldr` address formation through registers.
struct Registers([Option<u64>; 32]);

impl Registers {
    /// Applies one instruction; returns an address it formed or accessed, and whether it
    /// was a memory access (as opposed to an address computation).
    fn step(&mut self, pc: u64, instruction: &Instruction) -> Option<(u64, bool)> {
        let ops = &instruction.operands;
        let dest = register(&ops[0]);
        let result = match instruction.opcode {
            Opcode::ADRP => {
                let page = (pc & !0xfff).wrapping_add(pc_offset(instruction)? as u64);
                self.set(dest, Some(page));
                return None;
            }
            Opcode::ADR => {
                let address = pc.wrapping_add(pc_offset(instruction)? as u64);
                self.set(dest, Some(address));
                Some((address, false))
            }
            Opcode::ADD => {
                let base = register(&ops[1]).and_then(|n| self.get(n));
                let value = match (base, immediate(&ops[2])) {
                    (Some(base), Some(imm)) => Some(base.wrapping_add(imm)),
                    _ => None,
                };
                self.set(dest, value);
                value.map(|v| (v, false))
            }
            _ => {
                let access = ops.iter().find_map(|op| match op {
                    Operand::RegPreIndex(n, offset, _) => self
                        .get(*n as usize)
                        .map(|base| base.wrapping_add(*offset as i64 as u64)),
                    _ => None,
                });
                // Loads and most data processing overwrite their first register operand.
                if !matches!(
                    instruction.opcode,
                    Opcode::STR | Opcode::STRB | Opcode::STRH | Opcode::STP | Opcode::STUR
                ) {
                    self.set(dest, None);
                }
                access.map(|a| (a, true))
            }
        };
        result
    }

    fn get(&self, n: usize) -> Option<u64> {
        self.0.get(n).copied().flatten()
    }

    fn set(&mut self, n: Option<usize>, value: Option<u64>) {
        if let Some(slot) = n.and_then(|n| self.0.get_mut(n)) {
            *slot = value;
        }
    }

    fn clobber_call(&mut self) {
        for slot in self.0.iter_mut().take(19) {
            *slot = None;
        }
    }
}

pub fn two_pointer_calls(region: &super::Region, found: &mut Vec<super::TwoPointerCall>) {
    use super::{CallSite, TwoPointerCall};
    let decoder = InstDecoder::default();
    let mut registers = Registers([None; 32]);
    // Which memory slot each register was last loaded from (`ldr x8, [IAT]; blr x8`).
    let mut loaded_from: [Option<u64>; 32] = [None; 32];
    for (i, word) in region.bytes.chunks_exact(4).enumerate() {
        let pc = region.start.wrapping_add(4 * i as u64);
        let Some(instruction) = decode(&decoder, word) else {
            registers = Registers([None; 32]);
            continue;
        };
        if matches!(
            instruction.opcode,
            Opcode::BL | Opcode::BLR | Opcode::B | Opcode::BR
        ) {
            let site = match instruction.opcode {
                Opcode::BL | Opcode::B => pc_offset(&instruction).map_or(CallSite::Unknown, |o| {
                    CallSite::Direct(pc.wrapping_add(o as u64))
                }),
                _ => register(&instruction.operands[0])
                    .and_then(|n| loaded_from.get(n).copied().flatten())
                    .map_or(CallSite::Unknown, CallSite::Slot),
            };
            // AAPCS64 passes the first two arguments in x0 and x1.
            if let (Some(first), Some(second)) = (registers.get(0), registers.get(1)) {
                found.push(TwoPointerCall {
                    site,
                    first,
                    second,
                });
            }
            registers = Registers([None; 32]);
            loaded_from = [None; 32];
            continue;
        }
        let dest = register(&instruction.operands[0]).filter(|n| *n < 32);
        let access = registers.step(pc, &instruction);
        if let Some(n) = dest {
            loaded_from[n] = match (instruction.opcode, access) {
                (Opcode::LDR, Some((address, true))) => Some(address),
                _ => None,
            };
        }
    }
}

pub fn memory_refs(bytes: &[u8], ip: u64, max: usize, out: &mut Vec<u64>) {
    let decoder = InstDecoder::default();
    let mut registers = Registers([None; 32]);
    for (i, word) in bytes.chunks_exact(4).take(max).enumerate() {
        let pc = ip.wrapping_add(4 * i as u64);
        let Some(instruction) = decode(&decoder, word) else {
            break;
        };
        if let Some((address, true)) = registers.step(pc, &instruction) {
            out.push(address);
        }
    }
}

/// How many instructions before a `br` a register-indexed load still marks it as a `switch`
/// through a jump table rather than a jump to an unknown function.
const JUMP_TABLE_WINDOW: u32 = 6;

/// Walks one function; `size` as for the x86 walk (the whole extent is read when known).
pub fn scan(view: &CodeView, bytes: &[u8], start: u64, size: Option<u64>) -> FunctionScan {
    let decoder = InstDecoder::default();
    let mut scan = FunctionScan::default();
    let end = start.wrapping_add(bytes.len() as u64);
    let mut registers = Registers([None; 32]);
    // Registers loaded from an import slot: `ldr x8, [IAT]; blr x8` calls that import.
    let mut loaded_imports: [Option<u64>; 32] = [None; 32];
    let mut furthest = start;
    let mut since_indexed_load = u32::MAX;
    for (i, word) in bytes.chunks_exact(4).take(MAX_INSTRUCTIONS).enumerate() {
        let pc = start.wrapping_add(4 * i as u64);
        let Some(instruction) = decode(&decoder, word) else {
            break;
        };
        let next = pc.wrapping_add(4);
        let target = pc_offset(&instruction).map(|offset| pc.wrapping_add(offset as u64));
        let mut ends_block = false;
        since_indexed_load = since_indexed_load.saturating_add(1);
        if instruction
            .operands
            .iter()
            .any(|op| matches!(op, Operand::RegRegOffset(..)))
        {
            since_indexed_load = 0;
        }
        match instruction.opcode {
            Opcode::BL => {
                if let Some(target) = target {
                    scan.events.push(Event::Call(target));
                }
                registers.clobber_call();
                continue;
            }
            Opcode::B => {
                if let Some(target) = target {
                    if target > start && target < end {
                        furthest = furthest.max(target);
                    } else {
                        scan.events.push(Event::TailCall(target));
                    }
                }
                ends_block = true;
            }
            Opcode::Bcc(_) | Opcode::CBZ | Opcode::CBNZ | Opcode::TBZ | Opcode::TBNZ => {
                if let Some(target) = target.filter(|t| *t < end) {
                    furthest = furthest.max(target);
                }
            }
            Opcode::BLR | Opcode::BR => {
                let slot = register(&instruction.operands[0])
                    .and_then(|n| loaded_imports.get(n).copied().flatten());
                match slot {
                    Some(slot) => scan.events.push(Event::SlotCall(slot)),
                    None if instruction.opcode == Opcode::BLR
                        || since_indexed_load > JUMP_TABLE_WINDOW =>
                    {
                        scan.events.push(Event::Indirect(pc));
                    }
                    None => {}
                }
                if instruction.opcode == Opcode::BLR {
                    registers.clobber_call();
                    loaded_imports = [None; 32];
                    continue;
                }
                ends_block = true;
            }
            Opcode::RET | Opcode::RETAA | Opcode::RETAB => ends_block = true,
            _ => {}
        }
        if let Some(n) = register(&instruction.operands[0]) {
            if n < 32 {
                loaded_imports[n] = None;
            }
        }
        if let Some((address, is_access)) = registers.step(pc, &instruction) {
            if view.import_slots.contains_key(&address) {
                scan.slot_refs.push(address);
                if instruction.opcode == Opcode::LDR {
                    if let Some(n) = register(&instruction.operands[0]).filter(|n| *n < 32) {
                        loaded_imports[n] = Some(address);
                    }
                }
            } else if let Some(&value) = view.local_slots.get(&address) {
                if view.is_code(value) {
                    scan.events.push(Event::CodeRef(value));
                } else if view.is_writable_data(value) {
                    scan.data_refs.push(value);
                }
            } else if view.is_code(address) && !is_access {
                scan.events.push(Event::CodeRef(address));
            } else if view.is_writable_data(address) {
                scan.data_refs.push(address);
            }
        }
        if ends_block && next > furthest && size.is_none() {
            break;
        }
    }
    scan
}

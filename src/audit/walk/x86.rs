//! The x86 and x86-64 code walk (decoded with `iced-x86`): one function's calls, the
//! addresses it loads and the state it touches, and the `_initterm(begin, end)` call shape.

use super::{CodeView, Event, FunctionScan, MAX_INSTRUCTIONS};
use iced_x86::{Decoder, DecoderOptions, FlowControl, Instruction, Mnemonic, OpKind, Register};
use std::collections::HashMap;

/// The absolute address a memory operand refers to, when it is static.
fn memory_address(view: &CodeView, instruction: &Instruction, bitness: u32) -> Option<u64> {
    if instruction.is_ip_rel_memory_operand() {
        return Some(instruction.ip_rel_memory_address());
    }
    let has_memory = (0..instruction.op_count()).any(|i| instruction.op_kind(i) == OpKind::Memory);
    if !has_memory || instruction.memory_index() != Register::None {
        return None;
    }
    match instruction.memory_base() {
        // Absolute operands are VAs; the view works relative to the image base.
        Register::None if bitness == 32 => {
            (instruction.memory_displacement64() & 0xffff_ffff).checked_sub(view.image_base)
        }
        // i386 PIC code addresses the GOT and GOT-relative data through ebx (`jmp
        // *disp(%ebx)` in stubs, `lea disp(%ebx)` for @GOTOFF); addresses wrap at 32 bits.
        Register::EBX if bitness == 32 => view
            .got_base
            .map(|got| got.wrapping_add(instruction.memory_displacement64()) & 0xffff_ffff),
        _ => None,
    }
}

/// The slot a function's first instruction jumps through, when it is `jmp [slot]` (the shape
/// of a Windows import thunk).
pub fn leading_indirect_jump(view: &CodeView, bytes: &[u8], ip: u64) -> Option<u64> {
    let bitness = if view.arch == Some(crate::audit::model::Arch::X86) {
        32
    } else {
        64
    };
    let mut decoder = Decoder::with_ip(bitness, bytes, ip, DecoderOptions::NONE);
    let instruction = decoder.decode();
    if instruction.is_invalid() || instruction.flow_control() != FlowControl::IndirectBranch {
        return None;
    }
    memory_address(view, &instruction, bitness)
}

/// Collects the static memory operands of the first `max` instructions (for stubs).
pub fn memory_refs(view: &CodeView, bytes: &[u8], ip: u64, max: usize, out: &mut Vec<u64>) {
    let bitness = if view.arch == Some(crate::audit::model::Arch::X86) {
        32
    } else {
        64
    };
    let mut decoder = Decoder::with_ip(bitness, bytes, ip, DecoderOptions::NONE);
    let mut instruction = Instruction::default();
    for _ in 0..max {
        if !decoder.can_decode() {
            break;
        }
        decoder.decode_out(&mut instruction);
        if instruction.is_invalid() {
            break;
        }
        if let Some(address) = memory_address(view, &instruction, bitness) {
            out.push(address);
        }
    }
}

/// How many instructions before an indirect jump an indexed load still marks it as a `switch`
/// through a jump table rather than a jump to an unknown function.
const JUMP_TABLE_WINDOW: u32 = 6;

/// Walks one function. `size`: its extent when a symbol table or unwind information gives one;
/// the whole extent is then read, else the sweep stops at the first return or jump that no
/// earlier branch reaches past.
pub fn scan(
    view: &CodeView,
    bytes: &[u8],
    start: u64,
    bitness: u32,
    size: Option<u64>,
) -> FunctionScan {
    let mut scan = FunctionScan::default();
    let end = start.wrapping_add(bytes.len() as u64);
    let mut decoder = Decoder::with_ip(bitness, bytes, start, DecoderOptions::NONE);
    let mut instruction = Instruction::default();
    // The furthest address a forward branch inside the function reaches: code up to there
    // still belongs to the function after a `ret` or `jmp`.
    let mut furthest = start;
    let mut count = 0;
    // Registers holding a pointer loaded from a static slot (`mov rax, [rip+GOT]; call rax`).
    let mut loaded_slots: HashMap<Register, u64> = HashMap::new();
    // Instructions since the last load with an index register (a jump-table read).
    let mut since_indexed_load = u32::MAX;
    while decoder.can_decode() && count < MAX_INSTRUCTIONS {
        count += 1;
        decoder.decode_out(&mut instruction);
        if instruction.is_invalid() {
            break;
        }
        let next = instruction.next_ip();
        let memory = memory_address(view, &instruction, bitness);
        let flow = instruction.flow_control();
        let has_memory =
            (0..instruction.op_count()).any(|i| instruction.op_kind(i) == OpKind::Memory);
        since_indexed_load = since_indexed_load.saturating_add(1);
        if has_memory && instruction.memory_index() != Register::None {
            since_indexed_load = 0;
        }
        match flow {
            FlowControl::Call => {
                scan.events
                    .push(Event::Call(instruction.near_branch_target()));
                loaded_slots.clear();
            }
            FlowControl::IndirectCall | FlowControl::IndirectBranch => {
                let through_register = (instruction.op0_kind() == OpKind::Register)
                    .then(|| loaded_slots.get(&instruction.op0_register().full_register()))
                    .flatten()
                    .copied();
                if let Some(slot) = memory.or(through_register) {
                    scan.events.push(Event::SlotCall(slot));
                    scan.slot_refs.push(slot);
                } else {
                    let jump_table = flow == FlowControl::IndirectBranch
                        && since_indexed_load <= JUMP_TABLE_WINDOW;
                    if !jump_table {
                        scan.events.push(Event::Indirect(instruction.ip()));
                    }
                }
                if flow == FlowControl::IndirectCall {
                    loaded_slots.clear();
                }
            }
            FlowControl::ConditionalBranch => {
                let target = instruction.near_branch_target();
                if target > furthest && target < end {
                    furthest = target;
                }
            }
            FlowControl::UnconditionalBranch => {
                let target = instruction.near_branch_target();
                if target >= start && target < end && target != start {
                    furthest = furthest.max(target);
                } else if target != 0 {
                    // A jump out of the function is a tail call.
                    scan.events.push(Event::TailCall(target));
                }
            }
            _ => {}
        }
        if !matches!(
            flow,
            FlowControl::IndirectCall | FlowControl::IndirectBranch
        ) {
            if let Some(address) = memory {
                note_address(
                    view,
                    &mut scan,
                    address,
                    instruction.mnemonic() == Mnemonic::Lea,
                );
            }
            // `push offset handler` / `mov [esp], offset handler` on 32-bit.
            for i in 0..instruction.op_count() {
                if matches!(
                    instruction.op_kind(i),
                    OpKind::Immediate32 | OpKind::Immediate32to64
                ) && bitness == 32
                {
                    let Some(value) = instruction.immediate(i).checked_sub(view.image_base) else {
                        continue;
                    };
                    if view.is_code(value) {
                        scan.events.push(Event::CodeRef(value));
                    } else if view.is_writable_data(value) {
                        scan.data_refs.push(value);
                    }
                }
            }
        }
        track_slot_load(view, &instruction, memory, &mut loaded_slots);
        let ends_block = matches!(
            flow,
            FlowControl::Return | FlowControl::UnconditionalBranch | FlowControl::IndirectBranch
        ) || instruction.mnemonic() == Mnemonic::Ud2
            || instruction.mnemonic() == Mnemonic::Int3;
        if ends_block && next > furthest && size.is_none() {
            break;
        }
    }
    scan
}

pub fn two_pointer_calls(
    view: &CodeView,
    region: &super::Region,
    bitness: u32,
    found: &mut Vec<super::TwoPointerCall>,
) {
    use super::{CallSite, TwoPointerCall};
    use iced_x86::Code;
    let mut decoder = Decoder::with_ip(bitness, region.bytes, region.start, DecoderOptions::NONE);
    let mut instruction = Instruction::default();
    let (mut first, mut second): (Option<u64>, Option<u64>) = (None, None);
    let mut pushes: Vec<Option<u64>> = Vec::new();
    while decoder.can_decode() {
        decoder.decode_out(&mut instruction);
        let flow = instruction.flow_control();
        if instruction.is_invalid() || flow == FlowControl::Return {
            (first, second) = (None, None);
            pushes.clear();
            continue;
        }
        if matches!(
            flow,
            FlowControl::Call
                | FlowControl::IndirectCall
                | FlowControl::UnconditionalBranch
                | FlowControl::IndirectBranch
        ) {
            let site = if matches!(flow, FlowControl::Call | FlowControl::UnconditionalBranch) {
                CallSite::Direct(instruction.near_branch_target())
            } else {
                memory_address(view, &instruction, bitness)
                    .map_or(CallSite::Unknown, CallSite::Slot)
            };
            let arguments = if bitness == 64 {
                first.zip(second)
            } else if let [.., Some(end), Some(begin)] = pushes[..] {
                Some((begin, end))
            } else {
                first.zip(second)
            };
            if let Some((first, second)) = arguments {
                found.push(TwoPointerCall {
                    site,
                    first,
                    second,
                });
            }
            (first, second) = (None, None);
            pushes.clear();
            continue;
        }
        if bitness == 64 {
            // Win64 passes the first two arguments in rcx and rdx.
            let loaded = if !instruction.is_ip_rel_memory_operand() {
                None
            } else if instruction.mnemonic() == Mnemonic::Lea {
                Some(instruction.ip_rel_memory_address())
            } else if instruction.mnemonic() == Mnemonic::Mov {
                // MinGW loads the bounds through `.refptr.__xi_a` pointer slots.
                view.local_slots
                    .get(&instruction.ip_rel_memory_address())
                    .copied()
            } else {
                None
            };
            match instruction.op0_register() {
                Register::RCX | Register::ECX => first = loaded,
                Register::RDX | Register::EDX => second = loaded,
                _ => {}
            }
        } else if instruction.code() == Code::Pushd_imm32 {
            pushes.push(u64::from(instruction.immediate32()).checked_sub(view.image_base));
        } else if instruction.mnemonic() == Mnemonic::Push {
            pushes.push(None);
        } else if instruction.code() == Code::Mov_rm32_imm32
            && instruction.memory_base() == Register::ESP
            && instruction.memory_index() == Register::None
        {
            // GCC stores outgoing arguments with `mov [esp+4*i], imm` instead of pushing.
            let value = u64::from(instruction.immediate32()).checked_sub(view.image_base);
            match instruction.memory_displacement32() {
                0 => first = value,
                4 => second = value,
                _ => {}
            }
        }
    }
}

/// Keeps `loaded_slots` up to date: a `mov reg, [slot]` from an import or local GOT slot
/// records the slot; any other write to a register forgets what it held.
fn track_slot_load(
    view: &CodeView,
    instruction: &Instruction,
    memory: Option<u64>,
    loaded_slots: &mut HashMap<Register, u64>,
) {
    if instruction.op_count() == 0 || instruction.op0_kind() != OpKind::Register {
        return;
    }
    let register = instruction.op0_register().full_register();
    let slot = memory.filter(|address| {
        instruction.mnemonic() == Mnemonic::Mov
            && (view.import_slots.contains_key(address) || view.local_slots.contains_key(address))
    });
    match slot {
        Some(slot) => {
            loaded_slots.insert(register, slot);
        }
        None => {
            loaded_slots.remove(&register);
        }
    }
}

fn note_address(view: &CodeView, scan: &mut FunctionScan, address: u64, is_lea: bool) {
    if view.import_slots.contains_key(&address) {
        scan.slot_refs.push(address);
    } else if let Some(&target) = view.local_slots.get(&address) {
        // A GOT slot bound to our own symbol: what it holds is what the code uses.
        if view.is_code(target) {
            scan.events.push(Event::CodeRef(target));
        } else if view.is_writable_data(target) {
            scan.data_refs.push(target);
        }
    } else if view.is_code(address) {
        if is_lea {
            scan.events.push(Event::CodeRef(address));
        }
    } else if view.is_writable_data(address) {
        scan.data_refs.push(address);
    }
}

"""Unboxing: float temporaries stay raw between the operations that make and use them.

A value on the stack is kept as a raw double (in its own stack slot) when the
instruction that uses it is a specialized float operation, and the instruction that
makes it can produce one: another float operation, a float constant, or a local, which
is unboxed as it is loaded (with a type guard).  Any other operand is unboxed just
before the operation (UNBOX_FLOAT, with a guard); a float result whose user wants an
object is boxed right away (BOX_FLOAT).  Raw values never outlive a basic block, and no
instruction that may run Python code sees one: only the float operations do.

Every instruction records which stack slots hold raw values before it (raw_stack), so
that an exit anywhere can box them back before the interpreter resumes
(native/deopt.c).
"""
from __future__ import annotations

import dis
import opcode
import struct

from ..frontend.decode import Decoded
from .ir import NOTHING, QInstr, jump_targets

RAW_FORMS = {
    "BINARY_OP_ADD_FLOAT": "BINARY_OP_ADD_FLOAT_RAW",
    "BINARY_OP_SUBTRACT_FLOAT": "BINARY_OP_SUBTRACT_FLOAT_RAW",
    "BINARY_OP_MULTIPLY_FLOAT": "BINARY_OP_MULTIPLY_FLOAT_RAW",
    "BINARY_OP_TRUE_DIVIDE_FLOAT": "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW",
    "COMPARE_OP_FLOAT_JUMP": "COMPARE_OP_FLOAT_JUMP_RAW",
}
RAW_RESULTS = {"BINARY_OP_ADD_FLOAT_RAW", "BINARY_OP_SUBTRACT_FLOAT_RAW", "BINARY_OP_MULTIPLY_FLOAT_RAW",
               "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW", "LOAD_FAST_UNBOX_FLOAT", "LOAD_CONST_RAW"}
MAX_RAW_SLOTS = 64  # raw_stack is a 64-bit mask

# (pops, pushes) of the instructions whose operands the pass follows; others are
# opaque, and every value below them stays boxed.
FIXED_EFFECTS = {
    "LOAD_FAST": (0, 1), "LOAD_CONST": (0, 1), "PUSH_NULL": (0, 1),
    "STORE_FAST": (1, 0), "POP_TOP": (1, 0), "RETURN_VALUE": (1, 0),
    "COMPARE_OP": (2, 1), "GET_ITER": (1, 1), "LOAD_ATTR": (1, 1), "LOAD_METHOD": (1, 2),
    "STORE_ATTR": (2, 0), "STORE_SUBSCR": (3, 0),
    "NOP": (0, 0), "RESUME": (0, 0), "JUMP_FORWARD": (0, 0), "JUMP_BACKWARD": (0, 0),
    "JUMP_BACKWARD_NO_INTERRUPT": (0, 0),
}


def _effect(instr: QInstr) -> tuple[int, int] | None:
    name = instr.name
    if name in FIXED_EFFECTS:
        return FIXED_EFFECTS[name]
    if name.startswith(("BINARY_OP", "BINARY_SUBSCR")):
        return 2, 1
    if name.startswith("COMPARE_OP_") and name.endswith(("_JUMP", "_JUMP_RAW")):
        return 2, 0
    if name.startswith("POP_JUMP_"):
        return 1, 0
    if name == "LOAD_GLOBAL":
        return 0, 1 + (instr.oparg & 1)
    if name == "CALL":
        return instr.oparg + 2, 1
    return None


def _depth_after(instr: QInstr, depth: int) -> int:
    for covered in instr.covers:
        arg = covered.arg if covered.opcode >= opcode.HAVE_ARGUMENT else None
        depth += dis.stack_effect(covered.opcode, arg, jump=False)
    return depth


def unbox_temporaries(program: list[QInstr], decoded: Decoded) -> list[QInstr]:
    operands, consumers = _dataflow(program, decoded)
    before: dict[int, list[QInstr]] = {}
    after: set[int] = set()
    for instr in program:
        if instr.name not in RAW_FORMS:
            continue
        for depth, producer in operands[id(instr)]:
            if producer is None or not _make_raw(producer):
                before.setdefault(id(instr), []).append(
                    QInstr("UNBOX_FLOAT", instr.covers, depth, guards=(f"operand {depth} is float",)))
        instr.name, instr.guards = RAW_FORMS[instr.name], ()
    for instr in program:
        consumer = consumers.get(id(instr))
        if instr.name in RAW_RESULTS and (consumer is None or consumer.name not in RAW_FORMS.values()):
            after.add(id(instr))
    result = []
    for instr in program:
        result += before.get(id(instr), [])
        result.append(instr)
        if id(instr) in after:
            result.append(QInstr("BOX_FLOAT", instr.covers, note="its user wants an object"))
    _record_raw_stack(result, decoded)
    return result


def _make_raw(producer: QInstr) -> bool:
    """Turn the producer of a float operand into one that pushes a raw value, if it can."""
    if producer.name in RAW_RESULTS:
        return True
    if producer.name == "LOAD_FAST":
        producer.name = "LOAD_FAST_UNBOX_FLOAT"
        producer.guards = ("local is float",)
        return True
    if producer.name == "LOAD_CONST" and type(producer.operand) is float:
        producer.name, producer.raw_operand = "LOAD_CONST_RAW", _bits(producer.operand)
        producer.operand = NOTHING
        return True
    return False


def _bits(value: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def _blocks(program: list[QInstr]):
    """(instruction, starts a block) pairs."""
    targets = jump_targets(program)
    previous = None
    for instr in program:
        yield instr, previous is None or id(instr) in targets or not previous.falls_through or previous.jumps
        previous = instr


def _dataflow(program: list[QInstr], decoded: Decoded):
    """Which instruction made each operand of the float operations, and which
    instruction uses each value, within basic blocks."""
    operands: dict[int, list[tuple[int, QInstr | None]]] = {}
    consumers: dict[int, QInstr | None] = {}
    stack: list[QInstr | None] = []
    for instr, starts in _blocks(program):
        if starts:
            stack = [None] * decoded.depths.get(instr.start, 0)
        effect = _effect(instr)
        if effect is None:
            for producer in stack:
                if producer is not None:
                    consumers[id(producer)] = None
            stack = [None] * max(_depth_after(instr, len(stack)), 0)
            continue
        pops, pushes = effect
        used = stack[len(stack) - pops:] if pops else []
        del stack[len(stack) - pops:]
        for producer in used:
            if producer is not None:
                consumers[id(producer)] = instr
        if instr.name in RAW_FORMS:
            operands[id(instr)] = [(pops - k, producer) for k, producer in enumerate(used)]
        stack += [None] * (pushes - 1) + [instr] if pushes else []
    return operands, consumers


def _record_raw_stack(program: list[QInstr], decoded: Decoded) -> None:
    """raw_stack of each instruction: which slots hold raw floats before it runs."""
    raw: list[bool] = []
    for instr, starts in _blocks(program):
        if starts:
            raw = [False] * decoded.depths.get(instr.start, 0)
        if len(raw) > MAX_RAW_SLOTS:
            raise ValueError("too deep a stack to track unboxed values")
        instr.raw_stack = sum(1 << i for i, is_raw in enumerate(raw) if is_raw)
        if instr.name == "UNBOX_FLOAT":
            raw[-instr.oparg] = True
        elif instr.name == "BOX_FLOAT":
            raw[-1] = False
        else:
            effect = _effect(instr)
            if effect is None:
                raw = [False] * max(_depth_after(instr, len(raw)), 0)
                continue
            pops, pushes = effect
            del raw[len(raw) - pops:]
            raw += [False] * (pushes - 1) + [instr.name in RAW_RESULTS] if pushes else []

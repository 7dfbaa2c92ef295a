"""Type inference over the bytecode: what each stack slot holds before each instruction.

A forward dataflow analysis on exact types (a type object, or None for unknown), seeded
with the argument types of the call that triggered compilation and with constants.  Its
results only choose specialized forms: every specialized form guards what it assumes,
so a wrong guess costs an exit to the interpreter, never a wrong result.
"""
from __future__ import annotations

import builtins
import dataclasses
import dis
import opcode

from ..frontend.decode import UNCONDITIONAL_JUMPS, Decoded, Instruction, stack_effect

RANGE_ITERATOR = type(iter(range(0)))
LIST_ITERATOR = type(iter([]))
ITERATORS = {range: RANGE_ITERATOR, list: LIST_ITERATOR}
ELEMENTS = {RANGE_ITERATOR: int}

# NB_* opargs of BINARY_OP, as dis names them; in-place forms are 13 higher.
NB_NAMES = [name for name, _ in dis._nb_ops]
INPLACE = 13
INT_CLOSED = {"NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_FLOOR_DIVIDE", "NB_REMAINDER",
              "NB_AND", "NB_OR", "NB_XOR", "NB_LSHIFT", "NB_RSHIFT"}
FLOAT_CLOSED = {"NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_TRUE_DIVIDE", "NB_FLOOR_DIVIDE", "NB_REMAINDER"}


@dataclasses.dataclass(frozen=True)
class Returns:
    """A builtin callable whose result type is known, loaded by LOAD_GLOBAL."""

    result: type


# Builtins whose call results have a known type: name -> (the builtin, its result type).
KNOWN_CALLS = {"range": (range, range), "float": (float, float), "int": (int, int),
               "len": (len, int), "str": (str, str), "list": (list, list)}


@dataclasses.dataclass(frozen=True)
class State:
    locals: tuple
    stack: tuple


def nb_name(oparg: int) -> str:
    return NB_NAMES[oparg - INPLACE if oparg >= INPLACE else oparg]


def binary_result(oparg: int, left, right):
    name = nb_name(oparg)
    if left is int and right is int:
        return float if name == "NB_TRUE_DIVIDE" else int if name in INT_CLOSED else None
    if {left, right} <= {int, float} and name in FLOAT_CLOSED:
        return float
    if left is str and right is str and name == "NB_ADD":
        return str
    return None


def infer(decoded: Decoded, argument_types: tuple, globals_: dict) -> dict[int, State]:
    """The state before each natively reachable instruction, by start unit."""
    code = decoded.code
    initial = tuple(argument_types) + (None,) * (code.co_nlocals - len(argument_types))
    states: dict[int, State] = {}
    order = {i.start: n for n, i in enumerate(decoded.instructions)}
    work = [(decoded.instructions[0].start, State(initial, ()))] if decoded.instructions else []
    while work:
        start, state = work.pop()
        old = states.get(start)
        new = state if old is None else _join(old, state)
        if new == old or new is None:
            continue
        states[start] = new
        instr = decoded.at[start]
        for successor, after in _transfer(decoded, globals_, instr, new):
            if successor is None:
                index = order[start] + 1
                if index < len(decoded.instructions):
                    work.append((decoded.instructions[index].start, after))
            else:
                work.append((successor, after))
    return states


def _join(a: State, b: State) -> State | None:
    if len(a.stack) != len(b.stack):
        return None  # malformed: leave the first state
    return State(tuple(x if x == y else None for x, y in zip(a.locals, b.locals)),
                 tuple(x if x == y else None for x, y in zip(a.stack, b.stack)))


def _transfer(decoded: Decoded, globals_: dict, instr: Instruction, state: State):
    """(successor start or None for the next instruction, state) pairs."""
    name, arg = instr.name, instr.arg
    locals_, stack = list(state.locals), list(state.stack)
    if name == "FOR_ITER":
        element = ELEMENTS.get(stack[-1])
        yield instr.target, State(state.locals, tuple(stack[:-1]))
        yield None, State(state.locals, tuple(stack + [element]))
        return
    if name == "LOAD_FAST":
        stack.append(locals_[arg] if arg < len(locals_) else None)
    elif name == "LOAD_CONST":
        stack.append(type(decoded.code.co_consts[arg]))
    elif name == "STORE_FAST" and arg < len(locals_):
        locals_[arg] = stack.pop()
    elif name == "DELETE_FAST" and arg < len(locals_):
        locals_[arg] = None
    elif name == "POP_TOP":
        stack.pop()
    elif name == "COPY":
        stack.append(stack[-arg])
    elif name == "SWAP":
        stack[-1], stack[-arg] = stack[-arg], stack[-1]
    elif name == "BINARY_OP":
        right, left = stack.pop(), stack.pop()
        stack.append(binary_result(arg, left, right))
    elif name == "COMPARE_OP":
        del stack[-2:]
        stack.append(bool)
    elif name == "GET_ITER":
        stack.append(ITERATORS.get(stack.pop()))
    elif name == "LOAD_GLOBAL":
        stack += [None] * (arg & 1) + [_global(globals_, decoded.code.co_names[arg >> 1])]
    elif name == "CALL":
        callee = stack[-arg - 1] if stack[-arg - 2] is None else None
        del stack[len(stack) - arg - 2:]
        stack.append(callee.result if isinstance(callee, Returns) else None)
    elif name.startswith("POP_JUMP_"):
        stack.pop()
    elif name in ("PRECALL", "NOP", "RESUME", "KW_NAMES") or name in UNCONDITIONAL_JUMPS:
        pass
    else:
        yield from _unknown(instr, locals_, stack)
        return
    after = State(tuple(locals_), tuple(stack))
    if instr.target is not None:
        yield instr.target, after
    if instr.falls_through:
        yield None, after


# Operands taken off the stack by the instructions that _transfer has no rule for, where
# that number follows from the instruction alone (3.11's ceval.c); values below them are
# left as they were.  Any other instruction makes the whole stack unknown.
POPS = {
    "UNARY_POSITIVE": 1, "UNARY_NEGATIVE": 1, "UNARY_NOT": 1, "UNARY_INVERT": 1,
    "BINARY_SUBSCR": 2, "STORE_SUBSCR": 3, "DELETE_SUBSCR": 2, "IS_OP": 2, "CONTAINS_OP": 2,
    "LOAD_ATTR": 1, "STORE_ATTR": 2, "DELETE_ATTR": 1, "LOAD_METHOD": 1, "STORE_GLOBAL": 1,
    "STORE_DEREF": 1, "LOAD_DEREF": 0, "LOAD_CLOSURE": 0, "PUSH_NULL": 0, "GET_LEN": 0,
    "LIST_APPEND": 1, "SET_ADD": 1, "MAP_ADD": 2, "LIST_EXTEND": 1, "SET_UPDATE": 1,
    "DICT_UPDATE": 1, "DICT_MERGE": 1, "UNPACK_SEQUENCE": 1, "UNPACK_EX": 1,
    "IMPORT_NAME": 2, "IMPORT_FROM": 0, "LOAD_BUILD_CLASS": 0, "LIST_TO_TUPLE": 1,
    "MAKE_CELL": 0, "COPY_FREE_VARS": 0, "DELETE_DEREF": 0, "DELETE_GLOBAL": 0, "YIELD_VALUE": 1,
}
POPS_BY_ARG = {
    "BUILD_TUPLE": lambda arg: arg, "BUILD_LIST": lambda arg: arg, "BUILD_SET": lambda arg: arg,
    "BUILD_STRING": lambda arg: arg, "BUILD_SLICE": lambda arg: arg,
    "BUILD_MAP": lambda arg: 2 * arg, "BUILD_CONST_KEY_MAP": lambda arg: arg + 1,
    "FORMAT_VALUE": lambda arg: 2 if arg & 0x04 else 1,
    "MAKE_FUNCTION": lambda arg: 1 + bin(arg & 0x0f).count("1"),
    "CALL_FUNCTION_EX": lambda arg: 3 + (arg & 1),
}


def _pops(name: str, arg) -> int | None:
    if name in POPS:
        return POPS[name]
    rule = POPS_BY_ARG.get(name)
    return rule(arg) if rule is not None else None


def _unknown(instr: Instruction, locals_: list, stack: list):
    """Any other instruction: its results are unknown; so is everything below them,
    unless the instruction is known to take only its own operands (POPS)."""
    arg = instr.arg if instr.opcode >= opcode.HAVE_ARGUMENT else None
    pops = _pops(instr.name, arg) if instr.target is None else None
    kept = tuple(stack[:len(stack) - pops]) if pops is not None and pops <= len(stack) else ()
    if instr.target is not None:
        depth = len(stack) + stack_effect(instr, jump=True)
        yield instr.target, State(tuple(locals_), (None,) * depth)
    if instr.falls_through:
        depth = len(stack) + stack_effect(instr, jump=False)
        yield None, State(tuple(locals_), kept + (None,) * (depth - len(kept)))


def _global(globals_: dict, name: str):
    """A builtin whose call result type is known, if the name resolves to it today."""
    known = KNOWN_CALLS.get(name)
    if known is None or name in globals_ or getattr(builtins, name, None) is not known[0]:
        return None
    return Returns(known[1])

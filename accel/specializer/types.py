"""Type inference over the bytecode: what each stack slot holds before each instruction.

A forward dataflow analysis on exact types (a type object, or None for unknown), seeded
with the argument types of the call that triggered compilation and with constants.  Its
results only choose specialized forms: every specialized form guards what it assumes,
so a wrong guess costs an exit to the interpreter, never a wrong result.
"""
from __future__ import annotations

import builtins
import dis
import math
import opcode
import types

from ..datatype import datatype
from ..frontend.decode import UNCONDITIONAL_JUMPS, Decoded, Instruction, stack_effect

RANGE_ITERATOR = type(iter(range(0)))
LIST_ITERATOR = type(iter([]))
TUPLE_ITERATOR = type(iter(()))
# What GET_ITER makes of an iterable of each type (zip and enumerate are their own).
ITERATORS = {range: RANGE_ITERATOR, list: LIST_ITERATOR, tuple: TUPLE_ITERATOR, zip: zip, enumerate: enumerate}
ELEMENTS = {RANGE_ITERATOR: int}

# NB_* opargs of BINARY_OP, as dis names them; in-place forms are 13 higher.
NB_NAMES = [name for name, _ in dis._nb_ops]
INPLACE = 13
INT_CLOSED = {"NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_FLOOR_DIVIDE", "NB_REMAINDER",
              "NB_AND", "NB_OR", "NB_XOR", "NB_LSHIFT", "NB_RSHIFT"}
FLOAT_CLOSED = {"NB_ADD", "NB_SUBTRACT", "NB_MULTIPLY", "NB_TRUE_DIVIDE", "NB_FLOOR_DIVIDE", "NB_REMAINDER"}

POP_JUMPS = frozenset(name for name in opcode.opname if name.startswith("POP_JUMP_"))
# What leaves the stack and the locals as they are (PRECALL: CALL takes its operands).
NO_STACK_EFFECT = UNCONDITIONAL_JUMPS | {"PRECALL", "NOP", "RESUME", "KW_NAMES"}
# What _transfer follows; every other instruction leaves the stack unknown.
TRANSFERRED = POP_JUMPS | NO_STACK_EFFECT | {
    "FOR_ITER", "LOAD_FAST", "LOAD_CONST", "STORE_FAST", "DELETE_FAST", "POP_TOP", "COPY", "SWAP",
    "BINARY_OP", "COMPARE_OP", "GET_ITER", "LOAD_GLOBAL", "CALL",
    "BUILD_LIST", "BUILD_TUPLE", "BUILD_MAP", "BUILD_CONST_KEY_MAP", "BUILD_STRING", "FORMAT_VALUE", "LOAD_ATTR", "LOAD_METHOD", "LIST_EXTEND",
    "UNPACK_SEQUENCE", "UNPACK_EX"}


@datatype(frozen=True)
class Items:
    """A tuple or a list whose length and item types are known: a constant, a display
    (`(a, b)`, `[1, 2]`, `[*constant]`).  Only unpacking looks at the items; for anything
    else it is its kind (plain_type).  A list's items can change after it is made: like
    every inferred type this only chooses forms, which guard what they assume."""

    kind: type  # tuple or list
    items: tuple  # the items' inferred types


# Longer displays and constants are left as plain tuples and lists.
MAX_ITEMS = 16


@datatype(frozen=True)
class Returns:
    """A builtin callable whose result type is known, loaded by LOAD_GLOBAL."""

    result: type
    name: str = ""  # the math function (MATH_CALLS) or builtin it is, where calls of it have their own form


@datatype(frozen=True)
class Method:
    """What LOAD_METHOD left below the owner when the method is one of METHOD_CALLS:
    most likely that type's method descriptor (the call's form guards it)."""

    name: str
    owner: type | None  # the owner's inferred type


@datatype(frozen=True)
class MathModule:
    """The math module, loaded by LOAD_GLOBAL: `math.sqrt` is most likely what MATH_CALLS
    says (the call's form guards the function it calls)."""


# Builtins whose call results have a known type: name -> (the builtin, its result type, or
# None where only the call's own form is worth knowing).
KNOWN_CALLS = {"range": (range, range), "float": (float, float), "int": (int, int),
               "len": (len, int), "str": (str, str), "list": (list, list),
               "zip": (zip, zip), "enumerate": (enumerate, enumerate), "isinstance": (isinstance, bool),
               "sum": (sum, None), "all": (all, bool), "any": (any, bool),
               "abs": (abs, None)}
# The math module's functions that are exactly one call of the libm function of the same
# name on the argument as a double (3.11's math_1 with can_overflow 0), whose only errors
# are domain errors that make a NaN of a number (native code exits then, and the interpreter
# raises): stencils/math_calls.c calls them on raw floats.
MATH_CALLS = ("sqrt", "sin", "cos", "tan", "asin", "acos", "atan")
# Builtins whose calls have a raw form: float(i) on an int is PyLong_AsDouble of it, which
# a raw int converts to the same double (not on a float: float(x) is x itself); int(x) on
# a float is x truncated, which a raw float truncates the same way where it fits a raw int.
RAW_CALLS = ("float", "int")
# Builtins whose calls have a form of their own (stencils/builtin_calls.c).
BUILTIN_CALLS = ("len", "isinstance", "sum", "all", "any", "abs")
# Methods whose calls have a form of their own: name -> the type whose method it is.
METHOD_CALLS = {"append": list, "add": set, "get": dict}


# The types before an instruction: (types of the locals, types of the stack values from the
# bottom).  A plain pair: the analysis makes one for most instructions it visits.
State = tuple[tuple, tuple]


def plain_type(inferred):
    """What an inferred type is for the specializer: Items stands for its kind."""
    return inferred.kind if isinstance(inferred, Items) else inferred


def constant_type(value):
    """The inferred type of a constant: a tuple's item types too."""
    if type(value) is tuple and len(value) <= MAX_ITEMS:
        return Items(tuple, tuple(constant_type(item) for item in value))
    return type(value)


def nb_name(oparg: int) -> str:
    return NB_NAMES[oparg - INPLACE if oparg >= INPLACE else oparg]


def binary_result(oparg: int, left, right):
    name = nb_name(oparg)
    if left is int and right is int:
        return float if name == "NB_TRUE_DIVIDE" else int if name in INT_CLOSED else None
    if {left, right} <= {int, float} and name in FLOAT_CLOSED:
        return float
    if {left, right} <= {int, float} and float in (left, right) and name == "NB_POWER":
        return float  # specialized: a complex result exits (stencils/float_pow.h)
    if left is str and right is str and name == "NB_ADD":
        return str
    return None


def infer(decoded: Decoded, argument_types: tuple, globals_: dict,
          site_kinds: dict[int, type] | None = None) -> dict[int, State]:
    """The state before each natively reachable instruction, by start unit.  site_kinds:
    the BINARY_OPs that will be specialized for floats or ints (they guard their
    operands), so whose results are of that kind."""
    site_kinds = site_kinds or {}
    code = decoded.code
    instructions, index = decoded.instructions, decoded.index
    initial = tuple(argument_types) + (None,) * (code.co_nlocals - len(argument_types))
    states: dict[int, State] = {}
    work = [(instructions[0].start, (initial, ()))] if instructions else []
    while work:
        start, state = work.pop()
        while True:  # along fall-throughs; the worklist holds the jumps not yet followed
            old = states.get(start)
            if old is not None:
                state = _join(old, state)
                if state is None or state == old:
                    break
            states[start] = state
            position = index[start]
            instr = instructions[position]
            if instr.name in TRANSFERRED:
                jumped, state = _transfer(code, globals_, instr, state, site_kinds)
            else:
                jumped, state = _unknown(instr, state)
            if jumped is not None:
                work.append((instr.target, jumped))
            if state is None or position + 1 == len(instructions):
                break
            start = instructions[position + 1].start
    return states


def _join(a: State, b: State) -> State | None:
    if a == b:
        return a
    (a_locals, a_stack), (b_locals, b_stack) = a, b
    if len(a_stack) != len(b_stack):
        return None  # malformed: leave the first state
    return (tuple([x if x == y else None for x, y in zip(a_locals, b_locals)]),
            tuple([x if x == y else None for x, y in zip(a_stack, b_stack)]))


def _transfer(code: types.CodeType, globals_: dict, instr: Instruction,
              state: State, site_kinds: dict[int, type]) -> tuple[State | None, State | None]:
    """The states after `instr` (one of TRANSFERRED): on its jump, and on its fall-through
    (None: no such edge).  site_kinds: the type a BINARY_OP is specialized for, by start unit."""
    name, arg = instr.name, instr.arg
    locals_, stack = state
    # (the commonest first: the names are tested in turn)
    if name == "LOAD_FAST":
        stack += (locals_[arg] if arg < len(locals_) else None,)
    elif name == "LOAD_CONST":
        stack += (constant_type(code.co_consts[arg]),)
    elif name in NO_STACK_EFFECT:
        pass
    elif name == "STORE_FAST" or name == "DELETE_FAST":
        if arg >= len(locals_):
            return _unknown(instr, state)
        value = stack[-1] if name == "STORE_FAST" else None
        locals_ = locals_[:arg] + (value,) + locals_[arg + 1:]
        stack = stack[:-1] if name == "STORE_FAST" else stack
    elif name == "CALL":
        callee = stack[-arg - 1] if stack[-arg - 2] is None else None
        stack = stack[:len(stack) - arg - 2] + (callee.result if isinstance(callee, Returns) else None,)
    elif name == "LOAD_GLOBAL":
        stack += (None,) * (arg & 1) + (_global(globals_, code.co_names[arg >> 1]),)
    elif name == "BINARY_OP":
        seen = site_kinds.get(instr.start)
        operands = (seen, seen) if seen is not None else stack[-2:]
        stack = stack[:-2] + (binary_result(arg, *operands),)
    elif name == "FOR_ITER":
        return (locals_, stack[:-1]), (locals_, stack + (ELEMENTS.get(stack[-1]),))
    elif name == "POP_TOP" or name in POP_JUMPS:
        stack = stack[:-1]
    elif name == "COPY":
        stack += (stack[-arg],)
    elif name == "SWAP":
        swapped = list(stack)
        swapped[-1], swapped[-arg] = swapped[-arg], swapped[-1]
        stack = tuple(swapped)
    elif name == "COMPARE_OP":
        stack = stack[:-2] + (bool,)
    elif name == "BUILD_LIST" or name == "BUILD_TUPLE":
        kind = list if name == "BUILD_LIST" else tuple
        items = stack[len(stack) - arg:] if arg else ()
        stack = stack[:len(stack) - arg] + (Items(kind, items) if arg <= MAX_ITEMS else kind,)
    elif name == "BUILD_MAP" or name == "BUILD_CONST_KEY_MAP":
        stack = stack[:len(stack) - (2 * arg if name == "BUILD_MAP" else arg + 1)] + (dict,)
    elif name == "LIST_EXTEND":  # [*constant]: BUILD_LIST 0, LOAD_CONST, LIST_EXTEND 1
        target, extension = (stack[-2], stack[-1]) if arg == 1 and len(stack) >= 2 else (None, None)
        if not (isinstance(target, Items) and isinstance(extension, Items)
                and len(target.items) + len(extension.items) <= MAX_ITEMS):
            return _unknown(instr, state)
        stack = stack[:-2] + (Items(list, target.items + extension.items),)
    elif name == "UNPACK_SEQUENCE":  # the items, the first on top
        sequence = stack[-1]
        known = isinstance(sequence, Items) and len(sequence.items) == arg
        stack = stack[:-1] + (tuple(reversed(sequence.items)) if known else (None,) * arg)
    elif name == "UNPACK_EX":  # first, *middle, last: the items after, the list, the items before
        sequence, before, after = stack[-1], arg & 0xFF, arg >> 8
        if not (isinstance(sequence, Items) and len(sequence.items) >= before + after):
            return _unknown(instr, state)
        items = sequence.items
        rest = len(items) - after
        stack = (stack[:-1] + tuple(reversed(items[rest:])) + (Items(list, items[before:rest]),)
                 + tuple(reversed(items[:before])))
    elif name == "BUILD_STRING":
        stack = stack[:len(stack) - arg] + (str,)
    elif name == "FORMAT_VALUE":  # PyObject_Format raises unless it made a str
        stack = stack[:len(stack) - (2 if arg & 0x04 else 1)] + (str,)
    elif name == "GET_ITER":
        stack = stack[:-1] + (ITERATORS.get(plain_type(stack[-1])),)
    elif name == "LOAD_ATTR" or name == "LOAD_METHOD":  # LOAD_METHOD: [NULL, a module's function], or [a method, self]
        function = code.co_names[arg]
        owner = stack[-1] if stack else None
        loaded = Returns(float, function) if owner == MathModule() and function in MATH_CALLS else None
        if name == "LOAD_METHOD" and function in METHOD_CALLS and plain_type(owner) in (METHOD_CALLS[function], None):
            stack = stack[:-1] + (Method(function, plain_type(owner)), owner)
        else:
            stack = stack[:-1] + (None,) * (name == "LOAD_METHOD") + (loaded,)
    after = (locals_, stack)
    return (after if instr.target is not None else None), (after if instr.falls_through else None)


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


def _pops(name: str, arg: int) -> int | None:
    if name in POPS:
        return POPS[name]
    rule = POPS_BY_ARG.get(name)
    return rule(arg) if rule is not None else None


def _unknown(instr: Instruction, state: State) -> tuple[State | None, State | None]:
    """Any other instruction: its results are unknown; so is everything below them,
    unless the instruction is known to take only its own operands (POPS)."""
    locals_, stack = state
    jumped = next_ = None
    if instr.target is not None:
        jumped = (locals_, (None,) * (len(stack) + stack_effect(instr, jump=True)))
    if instr.falls_through:
        pops = _pops(instr.name, instr.arg) if instr.target is None else None
        kept = stack[:len(stack) - pops] if pops is not None and pops <= len(stack) else ()
        depth = len(stack) + stack_effect(instr, jump=False)
        next_ = (locals_, kept + (None,) * (depth - len(kept)))
    return jumped, next_


# Types of module constants worth inferring (a global holding one of them today
# most likely always does; the forms chosen from it guard their operands, or, for the
# containers (a table such as NEIGHBORS[p]), take the generic path for another type).
GLOBAL_VALUE_TYPES = frozenset({int, float, dict, tuple, list})


def _global(globals_: dict, name: str):
    """The type of a module's int, float, dict, tuple or list, or a builtin (or math
    function, MATH_CALLS) whose call result type is known, if the name resolves to it today."""
    value = globals_.get(name)
    value_type = type(value)
    if value_type in GLOBAL_VALUE_TYPES:
        return value_type
    if value is math:
        return MathModule()
    function = value.__name__ if value_type is types.BuiltinFunctionType else None  # (no program code runs)
    if function in MATH_CALLS and value.__self__ is math and getattr(math, function) is value:
        return Returns(float, function)
    known = KNOWN_CALLS.get(name)
    if known is None or name in globals_ or getattr(builtins, name, None) is not known[0]:
        return None
    return Returns(known[1], name if name in RAW_CALLS or name in BUILTIN_CALLS else "")


def may_be_list(state: State, local: int) -> bool:
    """Whether what the local holds before an instruction may be a list (the inference
    says a list, or cannot tell)."""
    locals_ = state[0]
    return local >= len(locals_) or plain_type(locals_[local]) in (None, list)

"""Specialization: choose, from type feedback, the forms that do less work, each with the
guards it relies on.  An instruction without a stencil becomes an exit to the interpreter.

Feedback, strongest first: sites whose guards kept failing (made generic), the types the
inference in types.py derives from the arguments, what the sites of operands of unknown
types saw while the code ran natively (the forms in PROFILES_OPERANDS note it; see
native/operand_kinds.h), and CPython's own adaptive specializations of the code
(`_co_code_adaptive`), when the function has warmed up in the interpreter.
"""
from __future__ import annotations

import builtins
import math

from ..datatype import datatype
from ..frontend.decode import Decoded
from .ir import NOTHING, QInstr
from .item_updates import SHAPE as ITEM_UPDATE_SHAPE
from .item_updates import list_item_update
from .slice_copy import slice_copy
from .types import (LIST_ITERATOR, MATH_CALLS, METHOD_CALLS, RANGE_ITERATOR, TUPLE_ITERATOR, Method,
                    Returns, State, nb_name, plain_type)

# COMPARE_OP's oparg (Py_LT ... Py_GE) -> the outcomes, as in stencils/compare.c
# (1 less, 2 equal, 4 greater, 8 unordered), for which the comparison is true.
COMPARE_TRUE_ON = {0: 0b0001, 1: 0b0011, 2: 0b0010, 3: 0b1101, 4: 0b0100, 5: 0b0110}
COMPARE_JUMPS = {"POP_JUMP_FORWARD_IF_TRUE": (True, False), "POP_JUMP_FORWARD_IF_FALSE": (False, False),
                 "POP_JUMP_BACKWARD_IF_TRUE": (True, True), "POP_JUMP_BACKWARD_IF_FALSE": (False, True)}
TYPE_SUFFIX = {int: "INT", float: "FLOAT"}
ADD, INPLACE_ADD = 0, 13  # BINARY_OP's opargs for + and +=
# Float operations that also take an int operand (converted: accel/specializer/unbox.py).
MIXES_INTS = frozenset({"ADD", "SUBTRACT", "MULTIPLY", "TRUE_DIVIDE", "POWER"})
# Operations whose forms for operands of unknown types take only ints inline.
INT_ONLY = frozenset({"AND", "OR", "XOR", "FLOOR_DIVIDE", "REMAINDER", "LSHIFT", "RSHIFT"})
# Forms with an inline cache (stencils/cached.c): the generic work on a miss, so they
# need no type feedback, only CPython's private layouts checked at start-up (without
# them, these instructions exit to the interpreter).
CACHED = {"LOAD_GLOBAL": "LOAD_GLOBAL_CACHED", "LOAD_ATTR": "LOAD_ATTR_CACHED",
          "STORE_ATTR": "STORE_ATTR_CACHED", "LOAD_METHOD": "LOAD_METHOD_CACHED"}
# The forms for operands of unknown types that note the kinds they see.
PROFILES_OPERANDS = frozenset({"BINARY_OP_ADD_INT_OR_FLOAT", "BINARY_OP_SUBTRACT_INT_OR_FLOAT",
                               "BINARY_OP_MULTIPLY_INT_OR_FLOAT", "BINARY_OP_TRUE_DIVIDE_INT_OR_FLOAT",
                               "COMPARE_OP_JUMP"}
                              | {f"BINARY_OP_{op}_INT_OR_OTHER" for op in INT_ONLY})
# What _specialize_one may change (at a generic site, it notes why any instruction stays as is).
SPECIALIZED = frozenset(CACHED) | {"BINARY_OP", "FOR_ITER", "BINARY_SUBSCR", "STORE_SUBSCR", "UNPACK_SEQUENCE", "CALL",
                                   "COMPARE_OP"}
# Calls of a math function that is one libm call (types.MATH_CALLS), float(i) and int(x):
# their forms, which the unboxing pass always turns into the raw ones (stencils/math_calls.c).
MATH_CALL = "CALL_MATH_{}"
RAW_ONLY_CALLS = frozenset({MATH_CALL.format(name.upper()) for name in MATH_CALLS}
                           | {"CALL_FLOAT_OF_INT", "CALL_INT_OF_FLOAT"})
# A generator's yield (CO_GENERATOR code: not a coroutine's, not an async generator's),
# whose item a sum(), all() or any() running the generator takes without suspending it
# where the item decides nothing (native/fold.h).
FOLDABLE_YIELD = "YIELD_VALUE_FOLDABLE"
CO_GENERATOR = 0x20
# Stencils that make or read an object of a struct CPython keeps private: emitted only
# where start-up found the layout native/private_layout.h declares.
PRIVATE_LAYOUT = frozenset({"ASYNC_GEN_WRAP"})


@datatype(frozen=True)
class Feedback:
    states: dict[int, State]  # inferred types before each instruction, by start unit
    adaptive: dict[int, str]  # CPython's specialized instruction names, by opcode unit
    generic_sites: frozenset[int]  # start units whose guards kept failing
    stencils: frozenset[str]  # the forms the backend can emit
    private_layout_ok: bool  # FOR_ITER_RANGE/LIST, ASYNC_GEN_WRAP may use private structs
    site_kinds: dict[int, type] = {}  # start unit -> the one type (float, int) its operands ever were


def specialize(decoded: Decoded, program: list[QInstr], feedback: Feedback) -> list[QInstr]:
    """Each instruction becomes its specialized form, in place (quicken made it for this
    pass alone), or an exit; a fused pair (PAIR_FUSERS) replaces two."""
    result: list[QInstr] = []
    stencils = feedback.stencils
    index = 0
    while index < len(program):
        instr = program[index]
        copy = slice_copy(program, index, decoded, feedback)
        if copy is not None:
            result.append(copy[0])
            index += copy[1]
            continue
        update = list_item_update(program, index, decoded, feedback)
        if update is not None:
            result.append(update)
            index += len(ITEM_UPDATE_SHAPE)
            continue
        fuse = PAIR_FUSERS.get(instr.name)
        fused = fuse(instr, program[index + 1], decoded, feedback) if fuse and index + 1 < len(program) else None
        if fused is not None:
            result.append(fused)
            index += 2
            continue
        if instr.name in SPECIALIZED or feedback.generic_sites:
            instr = _specialize_one(instr, feedback)
        if instr.name == "YIELD_VALUE" and decoded.code.co_flags & CO_GENERATOR and FOLDABLE_YIELD in stencils:
            instr = _become(instr, FOLDABLE_YIELD, note="a float goes straight into a sum() of this generator, an "
                                                        "item that decides nothing past all() or any(): it does not "
                                                        "leave")
        runnable = ((instr.name in stencils or instr.name + "_RAW" in stencils and instr.name in RAW_ONLY_CALLS)
                    and (feedback.private_layout_ok or instr.name not in PRIVATE_LAYOUT))
        result.append(instr if runnable else _exit(instr))
        index += 1
    return result


def _operand_types(instr: QInstr, feedback: Feedback, count: int) -> tuple:
    _, stack = feedback.states.get(instr.start, ((), ()))
    return tuple(map(plain_type, stack[-count:])) if len(stack) >= count else (None,) * count


def _adaptive(instr: QInstr, feedback: Feedback, prefix: str) -> str | None:
    name = feedback.adaptive.get(instr.first.unit, "")
    return name if name.startswith(prefix) and name in feedback.stencils else None


def _specialize_one(instr: QInstr, feedback: Feedback) -> QInstr:
    if instr.start in feedback.generic_sites:
        instr.note = "generic: its guards kept failing"
        return instr
    if instr.name == "BINARY_OP":
        return _binary_op(instr, feedback)
    if instr.name in CACHED and feedback.private_layout_ok:
        return _become(instr, CACHED[instr.name], note="inline cache; a miss takes the generic path")
    if instr.name == "FOR_ITER" and feedback.private_layout_ok:
        # Both fast forms fall back to the generic path: an unknown iterator gets the
        # list one, which takes the most common ones, lists' and tuples', inline.
        (iterator,) = _operand_types(instr, feedback, 1)
        if iterator is RANGE_ITERATOR:
            return _become(instr, "FOR_ITER_RANGE", note="other iterators take the generic path")
        if iterator not in (None, LIST_ITERATOR, TUPLE_ITERATOR):
            instr.note = "an iterator of another kind (zip, enumerate)"
            return instr
        return _become(instr, "FOR_ITER_LIST", note="list and tuple iterators inline; others take the generic path")
    if instr.name in ("BINARY_SUBSCR", "STORE_SUBSCR"):
        # dict[key] where the container is most likely a dict, tuple[int] where a tuple,
        # else list[int] inline; anything else generic: no guard, so whenever it may be that.
        container, index = _operand_types(instr, feedback, 2)
        dict_form = f"{instr.name}_DICT"
        if container is dict or container is None and _adaptive(instr, feedback, dict_form) == dict_form:
            return _become(instr, dict_form, note="other containers (dict subclasses too) take the generic path")
        tuple_seen = container is None and _adaptive(instr, feedback, "BINARY_SUBSCR_TUPLE_INT")
        if instr.name == "BINARY_SUBSCR" and (container is tuple or tuple_seen) and index in (int, None) \
                and "BINARY_SUBSCR_TUPLE_INT" in feedback.stencils:
            return _become(instr, "BINARY_SUBSCR_TUPLE_INT", note="other containers and indexes take the generic path")
        if container in (list, None) and index in (int, None):
            return _become(instr, f"{instr.name}_LIST_INT", note="other containers and indexes take the generic path")
    if instr.name == "UNPACK_SEQUENCE":
        return _unpack_sequence(instr, feedback)
    if instr.name == "CALL":
        return _builtin_call(instr, feedback) or _math_call(instr, feedback)
    if instr.name == "COMPARE_OP":
        return _compare(instr, feedback)
    return instr


# The forms of calls of builtins and methods (stencils/builtin_calls.c), by name; each
# takes one of those numbers of arguments, and guards its callee to be the object the site was
# specialized for.
BUILTIN_CALL_FORMS = {"len": ("CALL_BUILTIN_LEN", (1,)), "isinstance": ("CALL_BUILTIN_ISINSTANCE", (2,)),
                      "sum": ("CALL_BUILTIN_SUM", (1,)), "all": ("CALL_BUILTIN_ALL", (1,)),
                      "any": ("CALL_BUILTIN_ANY", (1,)), "abs": ("CALL_BUILTIN_ABS", (1,))}
METHOD_CALL_FORMS = {"append": ("CALL_LIST_APPEND", (1,)), "add": ("CALL_SET_ADD", (1,)),
                     "get": ("CALL_DICT_GET", (1, 2))}
# CPython's specialization of the PRECALL of a site that called what each form calls: a
# site it specialized otherwise called something else (`append` of a deque, a class's own
# `add`), which the form's guard would exit on.
ADAPTIVE_PRECALLS = {"CALL_BUILTIN_LEN": "PRECALL_NO_KW_LEN", "CALL_BUILTIN_ISINSTANCE": "PRECALL_NO_KW_ISINSTANCE",
                     "CALL_BUILTIN_SUM": "PRECALL_BUILTIN_FAST_WITH_KEYWORDS",
                     "CALL_BUILTIN_ALL": "PRECALL_NO_KW_BUILTIN_O", "CALL_BUILTIN_ANY": "PRECALL_NO_KW_BUILTIN_O",
                     "CALL_BUILTIN_ABS": "PRECALL_NO_KW_BUILTIN_O",
                     "CALL_LIST_APPEND": "PRECALL_NO_KW_LIST_APPEND",
                     "CALL_SET_ADD": "PRECALL_NO_KW_METHOD_DESCRIPTOR_O",
                     "CALL_DICT_GET": "PRECALL_NO_KW_METHOD_DESCRIPTOR_FAST"}


def _builtin_call(instr: QInstr, feedback: Feedback) -> QInstr | None:
    """`len(x)`, `isinstance(x, cls)` (the global names the builtin today, types.BUILTIN_CALLS)
    and `lst.append(x)`, `s.add(x)`, `d.get(k[, default])` (loaded by LOAD_METHOD from an owner that is not known
    to be of another type, types.METHOD_CALLS): the C function's work in place, the callee
    guarded to be that builtin or method descriptor."""
    _, stack = feedback.states.get(instr.start, ((), ()))
    if instr.operand is not NOTHING or len(stack) < instr.oparg + 2:
        return None
    below, callee = stack[-instr.oparg - 2], stack[-instr.oparg - 1]
    if below is None and isinstance(callee, Returns) and callee.name in BUILTIN_CALL_FORMS:
        (name, arguments), operand = BUILTIN_CALL_FORMS[callee.name], getattr(builtins, callee.name)
        label = f"callee is builtins.{callee.name}"
    elif isinstance(below, Method) and below.name in METHOD_CALL_FORMS:
        (name, arguments), operand = METHOD_CALL_FORMS[below.name], getattr(METHOD_CALLS[below.name], below.name)
        label = f"callee is {METHOD_CALLS[below.name].__name__}.{below.name}"
    else:
        return None
    if instr.oparg not in arguments or name not in feedback.stencils:
        return None
    seen = {feedback.adaptive.get(covered.unit, "") for covered in instr.covers if covered.name == "PRECALL"}
    if any(precall not in ("", "PRECALL_ADAPTIVE", ADAPTIVE_PRECALLS[name]) for precall in seen):
        return None
    instr.operand = operand
    return _become(instr, name, note="another callee exits", guards=(label,))


def _math_call(instr: QInstr, feedback: Feedback) -> QInstr:
    """`sqrt(x)` (a global that is one of types.MATH_CALLS today) on a float or an int,
    or an operand of unknown type (unboxed with a guard): the libm function called on the
    raw double.  `float(i)` on an int, `int(x)` on a float (types.RAW_CALLS): the raw int
    or float converted (an int(x) too large for a raw int exits).  The
    callee is guarded to be that object; a math domain error exits, and the interpreter
    raises it."""
    _, stack = feedback.states.get(instr.start, ((), ()))
    if instr.oparg != 1 or instr.operand is not NOTHING or len(stack) < 3:
        return instr
    callee, argument = stack[-2], stack[-1]
    if not isinstance(callee, Returns) or not callee.name:
        return instr
    if callee.name == "float" and argument is int:
        name, operand, note = "CALL_FLOAT_OF_INT", float, "another callee or argument exits"
        label = "float"
    elif callee.name == "int" and argument is float:
        name, operand, note = "CALL_INT_OF_FLOAT", int, "another callee or argument, or a result too large, exits"
        label = "int"
    elif callee.name in MATH_CALLS and argument in (float, int, None):
        name, operand = MATH_CALL.format(callee.name.upper()), getattr(math, callee.name)
        note, label = "a domain error exits: the interpreter raises it", f"math.{callee.name}"
    else:
        return instr
    if name + "_RAW" not in feedback.stencils:
        return instr
    instr.operand = operand
    return _become(instr, name, note=note, guards=(f"callee is {label}",))


def _unpack_sequence(instr: QInstr, feedback: Feedback) -> QInstr:
    """The form for the sequence the feedback expects, inferred or seen by CPython's adaptive
    interpreter; without either, a tuple (the most common); the generic form for any other
    known type.  Every form takes the generic path on a miss, so there is no guard."""
    (sequence,) = _operand_types(instr, feedback, 1)
    if sequence not in (tuple, list, None):
        return instr
    adaptive = _adaptive(instr, feedback, "UNPACK_SEQUENCE_")
    if sequence is list or (sequence is not tuple and adaptive == "UNPACK_SEQUENCE_LIST"):
        name = "UNPACK_SEQUENCE_LIST"
    else:
        name = "UNPACK_SEQUENCE_TWO_TUPLE" if instr.oparg == 2 else "UNPACK_SEQUENCE_TUPLE"
    if name not in feedback.stencils:
        return instr
    return _become(instr, name, note="other sequences take the generic path")


def _binary_op(instr: QInstr, feedback: Feedback) -> QInstr:
    left, right = _operand_types(instr, feedback, 2)
    op = nb_name(instr.oparg)[3:]
    suffix = TYPE_SUFFIX.get(left) if left is right else None
    if suffix is None:
        suffix = TYPE_SUFFIX.get(feedback.site_kinds.get(instr.start))
    if suffix is None and {left, right} == {int, float} and op in MIXES_INTS:
        suffix = "FLOAT"
    name = f"BINARY_OP_{op}_{suffix}" if suffix else None
    if name not in feedback.stencils:
        name = _adaptive(instr, feedback, "BINARY_OP_")
        if name is None:
            return _int_or_float(instr, op, feedback)
    kind = name.rsplit("_", 1)[1].lower()
    return _become(instr, name, guards=(f"left is {kind}", f"right is {kind}"))


def _int_or_float(instr: QInstr, op: str, feedback: Feedback) -> QInstr:
    """Operands of unknown types: int and float fast paths inline (ints only for the
    bitwise operations, // and %), no guard."""
    if op in INT_ONLY:
        name, note = f"BINARY_OP_{op}_INT_OR_OTHER", "ints inline; other types generic"
    else:
        name, note = f"BINARY_OP_{op}_INT_OR_FLOAT", "ints and floats inline; other types generic"
    if name not in feedback.stencils:
        return instr
    return _become(instr, name, note=note)


def _compare_jump(instr: QInstr, following: QInstr, decoded: Decoded, feedback: Feedback) -> QInstr | None:
    """COMPARE_OP and the conditional jump after it, fused: guarded for ints or floats where
    the types are known, else with their fast paths inline and no guard."""
    if following.name not in COMPARE_JUMPS:
        return None
    if following.start in decoded.jump_targets or instr.start in feedback.generic_sites:
        return None
    if instr.oparg not in COMPARE_TRUE_ON:
        return None
    jump_if_true, backward = COMPARE_JUMPS[following.name]
    true_on = COMPARE_TRUE_ON[instr.oparg]
    mask = true_on if jump_if_true else ~true_on & 0xF
    covers = instr.covers + following.covers
    left, right = _operand_types(instr, feedback, 2)
    kind = TYPE_SUFFIX.get(left) if left is right else None
    if kind is None:
        kind = TYPE_SUFFIX.get(feedback.site_kinds.get(instr.start))
    name = f"COMPARE_OP_{kind}_JUMP" if kind else _adaptive(instr, feedback, "COMPARE_OP_")
    if name not in feedback.stencils:
        if "COMPARE_OP_JUMP" not in feedback.stencils:
            return None
        return QInstr("COMPARE_OP_JUMP", covers, mask, int(backward) | int(jump_if_true) << 1 | instr.oparg << 2,
                      note="ints and floats inline; other types generic")
    kind = name.split("_")[2].lower()
    guards = (f"left is {kind}", f"right is {kind}") + (("int fits one digit",) if kind == "int" else ())
    return QInstr(name, covers, mask, int(backward), guards=guards)


def _compare(instr: QInstr, feedback: Feedback) -> QInstr:
    """A comparison whose result is wanted as an object (no jump fused with it): ints and
    floats compared inline, other types generic; no guard."""
    name = "COMPARE_OP_INT_OR_FLOAT"
    if instr.oparg not in COMPARE_TRUE_ON or name not in feedback.stencils:
        return instr
    instr.oparg2 = COMPARE_TRUE_ON[instr.oparg]
    return _become(instr, name, note="ints and floats inline; other types generic")


def _add_unicode_and_store(instr: QInstr, following: QInstr, decoded: Decoded,
                           feedback: Feedback) -> QInstr | None:
    """`s += piece` or `s = s + piece` on strs, and the STORE_FAST after it, fused: the
    string can then grow in place, as under CPython (else each step copies it).  Where
    an operand is known to be a str, or CPython specialized the site so; no guard."""
    name = "BINARY_OP_INPLACE_ADD_UNICODE"
    if instr.oparg not in (ADD, INPLACE_ADD) or following.name != "STORE_FAST" or name not in feedback.stencils:
        return None
    if following.start in decoded.jump_targets or instr.start in feedback.generic_sites:
        return None
    adaptive = feedback.adaptive.get(instr.first.unit, "")
    if str not in _operand_types(instr, feedback, 2) and adaptive not in ("BINARY_OP_ADD_UNICODE", name):
        return None
    return QInstr(name, instr.covers + following.covers, instr.oparg, following.oparg,
                  note="strs grow in place; other operands take the generic path")


def _contains_jump(instr: QInstr, following: QInstr, decoded: Decoded, feedback: Feedback) -> QInstr | None:
    """`in` / `not in` and the conditional jump after it, fused: the jump is taken on
    the containment test's own result (oparg: `in`'s result that takes it), no bool made."""
    name = "CONTAINS_OP_JUMP"
    if following.name not in COMPARE_JUMPS or name not in feedback.stencils:
        return None
    if following.start in decoded.jump_targets or instr.start in feedback.generic_sites:
        return None
    jump_if_true, backward = COMPARE_JUMPS[following.name]
    return QInstr(name, instr.covers + following.covers, int(jump_if_true) ^ instr.oparg, int(backward))


# BUILD_SLICE and the subscript that uses the slice, fused (stencils/slices.c).
SLICE_SUBSCRIPTS = {"BINARY_SUBSCR": "BUILD_SLICE__BINARY_SUBSCR", "STORE_SUBSCR": "BUILD_SLICE__STORE_SUBSCR"}


def _slice_subscript(instr: QInstr, following: QInstr, decoded: Decoded, feedback: Feedback) -> QInstr | None:
    """`seq[a:b]`, `seq[a:b:c]` and `seq[a:b] = v`: lists, tuples and strs sliced without
    a slice object; anything else makes one and takes the generic path; no guard."""
    name = SLICE_SUBSCRIPTS.get(following.name)
    if name not in feedback.stencils or following.start in decoded.jump_targets:
        return None
    if instr.start in feedback.generic_sites or following.start in feedback.generic_sites:
        return None
    return QInstr(name, instr.covers + following.covers, instr.oparg, acts_at=len(instr.covers),
                  note="lists, tuples and strs sliced inline; other operands take the generic path")


def _extend_to_tuple(instr: QInstr, following: QInstr, decoded: Decoded, feedback: Feedback) -> QInstr | None:
    """`(a, *rest)`: LIST_EXTEND 1 of the list BUILD_LIST made and the LIST_TO_TUPLE after
    it, fused: a fresh list and an exact list or tuple make the tuple at once; anything
    else extends and converts as the two do.  No guard."""
    name = "LIST_EXTEND__LIST_TO_TUPLE"
    if following.name != "LIST_TO_TUPLE" or instr.oparg != 1 or name not in feedback.stencils:
        return None
    if following.start in decoded.jump_targets:
        return None
    return QInstr(name, instr.covers + following.covers, instr.oparg,
                  note="a fresh list and an exact list or tuple make the tuple at once; others extend and convert")


# Instructions that may fuse with the one after them: name -> the fuser, which returns
# the fused instruction or None.
PAIR_FUSERS = {"COMPARE_OP": _compare_jump, "CONTAINS_OP": _contains_jump,
               "BUILD_SLICE": _slice_subscript, "BINARY_OP": _add_unicode_and_store,
               "LIST_EXTEND": _extend_to_tuple}


def _become(instr: QInstr, name: str, note: str = "", guards: tuple[str, ...] = ()) -> QInstr:
    """The instruction turned into a specialized form."""
    instr.name = name
    if note:
        instr.note = note
    if guards:
        instr.guards = guards
    return instr


def _exit(instr: QInstr) -> QInstr:
    return QInstr("EXIT_INTERPRETER", instr.covers, instr.oparg,
                  note=f"{instr.first.name} is not compiled: the interpreter runs it")

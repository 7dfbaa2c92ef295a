"""Unboxing: floats and ints stay raw (a double or an int64 in the frame's own slot)
between the operations that make and use them.

Two levels:

- Temporaries.  A stack value is kept raw when the instruction that uses it is a
  specialized float or int operation (a call of a math function, float(i) included;
  or a store to a raw local) and the instruction that makes it can produce one:
  another such operation, a constant, a local, a list's item or an attribute (unboxed
  as it is loaded, with a guard).  Any other operand is unboxed just before its use
  (UNBOX_FLOAT/UNBOX_INT, with a guard; an int operand of float arithmetic is
  converted, INT_TO_FLOAT); a raw result whose user wants an object is boxed right
  away (BOX_FLOAT/BOX_INT), or as it is stored (STORE_FAST_BOX_FLOAT,
  STORE_SUBSCR_LIST_INT_BOX_FLOAT, STORE_ATTR_CACHED_BOX_FLOAT and its SWAPPED form
  for `owner.name op= x`).  Raw temporaries never outlive a basic block.

- Locals in loops.  In a loop whose every instruction is "pure" (cannot run Python
  code, so nothing can look at the frame's locals while they are raw), the float and
  int locals it works on stay raw for the whole loop: unboxed on the way in
  (UNBOX_LOCAL_*), boxed on every way out (BOX_LOCAL_*), a return from inside the loop
  included (the frame's locals outlive it in a frame object).

Every instruction records which slots hold raw values before it (raw_locals,
raw_stack, and which of those are ints), so that an exit anywhere can box them back
before the interpreter resumes (native/deopt.c).  Guards that fail exit there too.
"""
from __future__ import annotations

import functools
import struct

from ..datatype import datatype
from ..frontend.decode import Decoded, stack_depths, stack_effect
from .ir import ENDS_PATH, NOTHING, QInstr, jump_targets
from .quicken import UNPACK_SEQUENCE_UNITS
from .specialize import BUILTIN_CALL_FORMS, FOLDABLE_YIELD, METHOD_CALL_FORMS
from .types import MATH_CALLS, State

MAX_SLOTS = 64  # the masks are 64-bit
INT64 = (-(2 ** 63) + 1, 2 ** 63 - 1)  # INT64_MIN marks an unbound raw local

# Specialized form -> (kind of its operands, raw form, kind of its result or None).
RAW_OPS = {
    "BINARY_OP_ADD_FLOAT": ("float", "BINARY_OP_ADD_FLOAT_RAW", "float"),
    "BINARY_OP_SUBTRACT_FLOAT": ("float", "BINARY_OP_SUBTRACT_FLOAT_RAW", "float"),
    "BINARY_OP_MULTIPLY_FLOAT": ("float", "BINARY_OP_MULTIPLY_FLOAT_RAW", "float"),
    "BINARY_OP_TRUE_DIVIDE_FLOAT": ("float", "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW", "float"),
    "BINARY_OP_POWER_FLOAT": ("float", "BINARY_OP_POWER_FLOAT_RAW", "float"),
    "COMPARE_OP_FLOAT_JUMP": ("float", "COMPARE_OP_FLOAT_JUMP_RAW", None),
    "BINARY_OP_ADD_INT": ("int", "BINARY_OP_ADD_INT_RAW", "int"),
    "BINARY_OP_SUBTRACT_INT": ("int", "BINARY_OP_SUBTRACT_INT_RAW", "int"),
    "BINARY_OP_MULTIPLY_INT": ("int", "BINARY_OP_MULTIPLY_INT_RAW", "int"),
    "BINARY_OP_FLOOR_DIVIDE_INT": ("int", "BINARY_OP_FLOOR_DIVIDE_INT_RAW", "int"),
    "BINARY_OP_REMAINDER_INT": ("int", "BINARY_OP_REMAINDER_INT_RAW", "int"),
    "BINARY_OP_AND_INT": ("int", "BINARY_OP_AND_INT_RAW", "int"),
    "BINARY_OP_OR_INT": ("int", "BINARY_OP_OR_INT_RAW", "int"),
    "BINARY_OP_XOR_INT": ("int", "BINARY_OP_XOR_INT_RAW", "int"),
    "BINARY_OP_LSHIFT_INT": ("int", "BINARY_OP_LSHIFT_INT_RAW", "int"),
    "BINARY_OP_RSHIFT_INT": ("int", "BINARY_OP_RSHIFT_INT_RAW", "int"),
    "COMPARE_OP_INT_JUMP": ("int", "COMPARE_OP_INT_JUMP_RAW", None),
    # [NULL, the function, x]: only x is raw (the callee stays an object, checked)
    **{f"CALL_MATH_{name.upper()}": ("float", f"CALL_MATH_{name.upper()}_RAW", "float") for name in MATH_CALLS},
    "CALL_FLOAT_OF_INT": ("int", "CALL_FLOAT_OF_INT_RAW", "float"),
    "CALL_INT_OF_FLOAT": ("float", "CALL_INT_OF_FLOAT_RAW", "int"),
}
# The forms (specialized and raw) of which only the top operand is raw.
TOP_RAW = frozenset(name for specialized, (_, raw, _) in RAW_OPS.items() if specialized.startswith("CALL_")
                    for name in (specialized, raw))
RAW_FORM_KINDS = {raw: kind for kind, raw, _ in RAW_OPS.values()}  # raw form -> kind of its operands
# Float arithmetic whose int operands are converted to floats (as float's own methods
# do, with PyLong_AsDouble: a raw int converts exactly the same way); not comparisons,
# which compare an int and a float exactly.
TAKES_INTS = frozenset({"BINARY_OP_ADD_FLOAT", "BINARY_OP_SUBTRACT_FLOAT", "BINARY_OP_MULTIPLY_FLOAT",
                        "BINARY_OP_TRUE_DIVIDE_FLOAT", "BINARY_OP_POWER_FLOAT"}
                       | {f"CALL_MATH_{name.upper()}" for name in MATH_CALLS})  # (PyFloat_AsDouble)
KINDS = {float: "float", int: "int"}
# An inlined call whose arguments are raw (accel/specializer/inline.py): RAW_OPERAND has
# a bit set for each int argument (by position), clear for a float one.
RAW_ARGUMENTS_CALL = "CALL_INLINED_RAW_ARGUMENTS"
# The calls accel/specializer/inline.py makes of a CALL: the stack effect of the CALL.
INLINED_CALLS = frozenset({"CALL_INLINED", "CALL_INLINED_DEFAULTS", RAW_ARGUMENTS_CALL})
SUFFIX = {"float": "FLOAT", "int": "INT"}

# Instructions that cannot run Python code (given the types inferred for their
# operands, which their guards check), so a loop made only of them may keep locals raw.
PURE = frozenset(RAW_OPS) | {
    "LOAD_FAST", "STORE_FAST", "LOAD_CONST", "NOP", "FOR_ITER_RANGE",
    "JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
    "SWAP", "COPY", "POP_TOP", "RETURN_VALUE",  # a return from the loop, its iterator popped
    "LOAD_DEREF",  # (an empty cell exits, the interpreter raising)
}
# Instructions whose generic path may run Python code, and their forms for loops that
# keep locals raw, which exit to the interpreter instead (stencils/unboxed.c).
RAW_LOOP_EXITS = "where locals are raw, others exit to the interpreter"
GUARDED_IN_RAW_LOOPS = {  # -> (the form, its guards, the note explain shows)
    "FOR_ITER_LIST": ("FOR_ITER_LIST_GUARDED", ("iterator is a list or tuple iterator",), RAW_LOOP_EXITS),
    **{name: ("UNPACK_SEQUENCE_GUARDED", ("sequence is a tuple or list of that length",), RAW_LOOP_EXITS)
       for name in ("UNPACK_SEQUENCE", "UNPACK_SEQUENCE_TUPLE", "UNPACK_SEQUENCE_LIST")},
    "UNPACK_SEQUENCE_TWO_TUPLE": ("UNPACK_SEQUENCE_TWO_GUARDED", ("sequence is a tuple or list of two",), RAW_LOOP_EXITS),
    "LOAD_GLOBAL_CACHED": ("LOAD_GLOBAL_PURE", (), "inline cache; where locals are raw, a miss that could run code exits"),
    # (never exits: _box_around_get_iter gives it a way round with the locals boxed)
    "GET_ITER": ("GET_ITER_RAW_LOOP", (), "a list's or tuple's iterator; anything else, or a garbage collection "
                                          "due, runs GET_ITER with the raw locals boxed"),
}
# Float attribute forms -> theirs where locals are raw: an attribute the cache's first
# way serves is read or written, anything else exits before the instruction (the plain
# forms would do the generic access, which may run Python code).  Fused with the owner's
# LOAD_FAST by borrow.py, as the plain forms are.
PURE_ATTRIBUTE_FORMS = {
    name: f"{name}_PURE" for name in ("LOAD_ATTR_CACHED_UNBOX_FLOAT", "STORE_ATTR_CACHED_BOX_FLOAT",
                                      "STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT")}
PURE_ATTRIBUTE_NOTE = "where locals are raw, an attribute not read or written in place exits to the interpreter"
# Stores to boxed locals -> their forms where locals are raw (_stores_where_locals_are_raw).
STORES_WHERE_LOCALS_ARE_RAW = {"STORE_FAST": "STORE_FAST_PURE", "STORE_FAST_BOX_FLOAT": "STORE_FAST_BOX_FLOAT_PURE"}
STORE_WHERE_LOCALS_ARE_RAW_NOTE = "where locals are raw, an old value this would release the last reference of exits first"
# The end of `owner.name op= x` (_store_attributes_raw), by name and SWAP's oparg.
STORE_UPDATED_ATTRIBUTE = [("SWAP", 2), ("STORE_ATTR_CACHED", None)]
# `list[i]` whose container and index are locals or constants, its float item unboxed for
# a float operation (BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT): one instruction that changes no
# reference count.  The index instruction -> the fused form.
ITEM_LOADS = {"LOAD_CONST": "LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", "LOAD_FAST": "LOAD_FAST_ITEM_FAST_UNBOX_FLOAT",
              "LOAD_FAST_BOX_INT": "LOAD_FAST_ITEM_RAW_UNBOX_FLOAT"}
# The same for a list in a cell (a closure's or a generator expression's free variable),
# indexed by an int local: the cell's list and the local read without reference counts.
CELL_ITEM_LOAD = "LOAD_DEREF_ITEM_FAST_UNBOX_FLOAT"
# `list[-m]`, m a constant: its own form, so that the others need not count from the end.
FROM_END_ITEM_LOAD = "LOAD_FAST_ITEM_FROM_END_UNBOX_FLOAT"
# The forms that check a list local (LOAD_FAST_ITEM_*'s OPARG), and the constant one's
# form where an earlier one checked the same local (_skip_known_list_checks).
LIST_ITEM_LOADS = frozenset({*ITEM_LOADS.values(), FROM_END_ITEM_LOAD, "LOAD_FAST_CONST_KEEP_ITEM_UNBOX_FLOAT"})
KNOWN_LIST_ITEM_LOAD = "LOAD_FAST_KNOWN_LIST_ITEM_CONST_UNBOX_FLOAT"
# The start of `list[k] op= x`: LOAD_FAST, LOAD_CONST k, COPY 2, COPY 2, the float item.
KEEP_ITEM_LOAD = "LOAD_FAST_CONST_KEEP_ITEM_UNBOX_FLOAT"
# Raw float operations whose operands may come straight from raw locals or a constant,
# and whose result may go straight into a raw local (stencils/unboxed.c, "fused").
FUSABLE_FLOAT_OPS = frozenset({"BINARY_OP_ADD_FLOAT_RAW", "BINARY_OP_SUBTRACT_FLOAT_RAW",
                               "BINARY_OP_MULTIPLY_FLOAT_RAW", "COMPARE_OP_FLOAT_JUMP_RAW"})
OPERAND_SOURCES = {"LOAD_FAST_RAW": "FAST", "LOAD_CONST_RAW": "CONST"}
# COMPARE_OP_FLOAT_JUMP_RAW's jump mask (the outcomes it jumps on: 1 less, 2 equal,
# 4 greater, 8 unordered) -> the condition its fused forms are named and compiled for.
JUMP_CONDITIONS = {0b0001: "LT", 0b0011: "LE", 0b0010: "EQ", 0b1101: "NE", 0b0100: "GT", 0b0110: "GE",
                   0b1110: "NOT_LT", 0b1100: "NOT_LE", 0b1011: "NOT_GT", 0b1001: "NOT_GE"}
# COMPARE_OP_INT_JUMP_RAW's jump mask, its low three bits (the unordered bit means nothing
# for ints) -> the condition of its form for that condition alone, where it jumps forward
# (no eval-breaker check: stencils/unboxed.c).
INT_JUMP_CONDITIONS = {0b001: "LT", 0b011: "LE", 0b010: "EQ", 0b101: "NE", 0b100: "GT", 0b110: "GE"}
# Where those comparisons' operands come from, for fuse_int_comparisons: a boxed local
# unboxed in place, a raw local, a raw constant (the left one never a constant).
INT_COMPARISON_SOURCES = {"LOAD_FAST_UNBOX_INT": "LOCAL", "LOAD_FAST_RAW": "FAST", "LOAD_CONST_RAW": "CONST"}
# The forms of calls of builtins and methods (stencils/builtin_calls.c), whose stack
# effect is CALL's, so that raw values below them stay raw (as below a CALL); not sum()'s,
# all()'s or any()'s, which may run a generator's native code in place of the call.
BUILTIN_CALLS = frozenset(name for name, _ in (*BUILTIN_CALL_FORMS.values(), *METHOD_CALL_FORMS.values())
                          if name not in ("CALL_BUILTIN_SUM", "CALL_BUILTIN_ALL", "CALL_BUILTIN_ANY")
                          ) | {"CALL_BUILTIN_LEN_RAW"}
# What can neither exit nor raise: raw locals and constants, float arithmetic but for
# division and power, in all their fused forms.
INFALLIBLE_RAW = frozenset({"LOAD_FAST_RAW", "LOAD_CONST_RAW", "STORE_FAST_RAW"}) | {
    f"BINARY_OP_{op}_FLOAT_RAW{shape}" for op in ("ADD", "SUBTRACT", "MULTIPLY")
    for shape in ("", "_STACK_FAST", "_STACK_CONST", "_FAST_FAST", "_FAST_CONST", "_CONST_FAST", "_STACK_STACK_STORE",
                  "_STACK_FAST_STORE", "_STACK_CONST_STORE", "_FAST_FAST_STORE", "_FAST_CONST_STORE",
                  "_CONST_FAST_STORE")}
# The end of `list[i] op= x` on floats, when the result is raw.
STORE_ITEM = [("SWAP", 3), ("SWAP", 2), ("STORE_SUBSCR_LIST_INT", 0)]

# `list[k] op= x * y` (op + or -, x a raw local, y another or an item of the same list)
# in one instruction (stencils/unboxed.c, UPDATE_ITEM_PRODUCT): the instructions it
# stands for, by name (None: the raw local operands), and the operation's place.
UPDATE_PRODUCT_RUNS = {
    "FAST_FAST": ("LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", "BINARY_OP_MULTIPLY_FLOAT_RAW_FAST_FAST", None,
                  "STORE_FAST_ITEM_CONST_BOX_FLOAT"),
    "FAST_ITEM": (KEEP_ITEM_LOAD, "LOAD_FAST_RAW", "LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", "BINARY_OP_MULTIPLY_FLOAT_RAW",
                  None, "STORE_SUBSCR_LIST_CONST_BOX_FLOAT"),
}
UPDATE_PRODUCT_STARTS = frozenset(names[0] for names in UPDATE_PRODUCT_RUNS.values())
UPDATE_OPERATIONS = {"BINARY_OP_ADD_FLOAT_RAW": "ADD", "BINARY_OP_SUBTRACT_FLOAT_RAW": "SUBTRACT"}
# The fused forms that check the list local -> theirs where an item load before checked it.
UPDATE_FORMS = {f"LOAD_FAST_ITEM_CONST_{op}_PRODUCT_{shape}": f"LOAD_FAST_KNOWN_LIST_ITEM_CONST_{op}_PRODUCT_{shape}"
                for op in UPDATE_OPERATIONS.values() for shape in UPDATE_PRODUCT_RUNS}

# (pops, pushes) of the instructions whose operands the pass follows; others are
# opaque, and every value below them stays boxed.
FIXED_EFFECTS = {
    "LOAD_FAST": (0, 1), "LOAD_CONST": (0, 1), "PUSH_NULL": (0, 1),
    "LOAD_DEREF": (0, 1),  # (an unbound cell exits: deopt boxes what is raw below it)
    "STORE_FAST": (1, 0), "STORE_FAST_BOX_FLOAT": (1, 0), "POP_TOP": (1, 0), "RETURN_VALUE": (1, 0),
    "BINARY_OP_INPLACE_ADD_UNICODE": (2, 0),  # the STORE_FAST after it folded in
    "COMPARE_OP": (2, 1), "COMPARE_OP_INT_OR_FLOAT": (2, 1), "GET_ITER": (1, 1), "LOAD_ATTR": (1, 1), "LOAD_METHOD": (1, 2),
    "STORE_ATTR": (2, 0), "STORE_SUBSCR": (3, 0), "FOR_ITER_RANGE": (0, 1),
    "NOP": (0, 0), "RESUME": (0, 0), "JUMP_FORWARD": (0, 0), "JUMP_BACKWARD": (0, 0),
    "JUMP_BACKWARD_NO_INTERRUPT": (0, 0),
    "YIELD_VALUE": (1, 1),  # (what is sent pushed; the frame keeps what is below, boxed: values_and_users)
}
# A generator's yield whose raw float operand a sum(), all() or any() that runs the
# generator takes, boxed only if the generator suspends (stencils/control.c).
FOLDABLE_YIELD_RAW = "YIELD_VALUE_FOLDABLE_BOX_FLOAT"


@datatype
class Region:
    """A loop whose raw locals stay raw from its header to its last instruction."""

    first: int  # program index of the header
    last: int  # program index of the last instruction (a back edge)
    kinds: dict[int, str]  # raw local -> "float" / "int"

    def mask(self, kind: str | None = None) -> int:
        return sum(1 << v for v, k in self.kinds.items() if kind is None or k == kind)


def unbox(program: list[QInstr], decoded: Decoded, states: dict[int, State],
          generic_sites: frozenset[int] = frozenset()) -> list[QInstr]:
    """generic_sites: code units where exits kept happening; a loop whose entry is one
    (its locals were not the kind they were unboxed as) keeps its locals boxed."""
    names = {q.name for q in program}
    if RAW_OPS.keys().isdisjoint(names) and RAW_ARGUMENTS_CALL not in names:
        return program
    generic_sites = generic_sites | _fused_generic(program, generic_sites)
    depths = stack_depths(decoded)
    operands, consumers = values_and_users(program, depths)
    regions = [r for r in _regions(program, decoded, states, (operands, consumers), generic_sites)
               if program[r.first].start not in generic_sites]
    raw_locals = {}
    for region in regions:
        for instr in program[region.first:region.last + 1]:
            if instr.name != "RETURN_VALUE":  # the locals are boxed before it
                raw_locals[id(instr)] = region.kinds
            if instr.name in GUARDED_IN_RAW_LOOPS:
                instr.name, instr.guards, instr.note = GUARDED_IN_RAW_LOOPS[instr.name]
    before, after = _choose_representations(program, operands, consumers, raw_locals, generic_sites, states)
    result = []
    for instr in program:
        if id(instr) in before:
            result += before[id(instr)]
        result.append(instr)
        if id(instr) in after:
            result += after[id(instr)]
    for instr in result:  # a jump to an instruction runs what was inserted before it too
        if instr.jumps and id(instr.target_instr) in before:
            instr.target_instr = before[id(instr.target_instr)][0]
    for inserted in (before, after):  # conversions run where the instruction they serve runs
        for original, conversions in inserted.items():
            if original in raw_locals:
                for conversion in conversions:
                    raw_locals[id(conversion)] = raw_locals[original]
    for region in regions:
        header = program[region.first]
        result = _enter_and_leave(result, region, program, before.get(id(header), [header])[0])
    _record_raw_stack(result, depths, raw_locals)
    result = _fuse_float_operations(_load_items_raw(_attributes_where_locals_are_raw(
        _store_attributes_raw(_store_items_raw(result, generic_sites)))))
    result = _skip_known_list_checks(_fuse_item_updates(_fuse_square_roots(_update_items_in_place(result, depths),
                                                                           generic_sites)))
    result = fuse_int_operations(_fuse_int_constants(result, generic_sites), generic_sites)
    return _stores_where_locals_are_raw(_compare_ints_by_condition(_iterate_pairs_into_locals(result, generic_sites)))


def fuse_int_comparisons(program: list[QInstr]) -> list[QInstr]:
    """A raw int comparison by condition whose two operands are pushed just before it by
    local or constant loads (INT_COMPARISON_SOURCES), nothing jumping in between, becomes
    one instruction that reads them where they are: the first of the run, which keeps its
    raw masks and the jumps to it (a local's guard exits there, before anything).  For the
    compiled code's own program only: an inlined body's parameters must stay visible to
    accel/specializer/inline.py as separate reads."""
    targets = jump_targets(program)
    conditions = {f"COMPARE_OP_INT_JUMP_RAW_{condition}" for condition in INT_JUMP_CONDITIONS.values()}
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        left, right, op = (program[i:i + 3] + [None, None, None])[:3]
        if (op is not None and op.name in conditions and not {id(right), id(op)} & targets
                and all(q.name in INT_COMPARISON_SOURCES and q.pushes_raw == "int" and q.oparg < 256
                        for q in (left, right))
                and left.name != "LOAD_CONST_RAW"):
            sides = [INT_COMPARISON_SOURCES[q.name] for q in (left, right)]
            note = "fused: " + " ".join(q.name for q in (left, right, op))
            left.oparg = (left.oparg << 8 if sides[0] != "CONST" else 0) | (right.oparg << 16 if sides[1] != "CONST" else 0)
            if sides[1] == "CONST":
                left.raw_operand = right.raw_operand
            left.name = f"{op.name.replace('_RAW_', '_')}_{sides[0]}_{sides[1]}"
            left.acts_at = len(left.covers) + len(right.covers) + op.acts_at
            left.covers = left.covers + right.covers + op.covers
            left.guards = left.guards + right.guards
            left.target_instr, left.oparg2, left.pushes_raw, left.note = op.target_instr, op.oparg2, None, note
            result.append(left)
            i += 3
            continue
        result.append(program[i])
        i += 1
    return result


def _compare_ints_by_condition(program: list[QInstr]) -> list[QInstr]:
    """Each raw int comparison that jumps forward (oparg2 0: no eval-breaker check) becomes
    the form for its jump condition (INT_JUMP_CONDITIONS), which tests that condition alone
    rather than the mask."""
    for instr in program:
        if (instr.name == "COMPARE_OP_INT_JUMP_RAW" and not instr.oparg2
                and instr.oparg & 0b111 in INT_JUMP_CONDITIONS):
            instr.name = f"COMPARE_OP_INT_JUMP_RAW_{INT_JUMP_CONDITIONS[instr.oparg & 0b111]}"
    return program


def _lacks(program: list[QInstr], names) -> bool:
    """Whether no instruction has one of these names: a fusing pass that looks for them
    has nothing to do (most code has none), and skips its walk over the program."""
    return {q.name for q in program}.isdisjoint(names)


def _iterate_pairs_into_locals(program: list[QInstr], generic_sites: frozenset[int]) -> list[QInstr]:
    """`for a, b in sequence` where locals are raw: FOR_ITER_LIST_GUARDED, the
    UNPACK_SEQUENCE_TWO_GUARDED right after it and the two STORE_FASTs right after that
    (one code unit each, none a jump target) become FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS,
    the locals in its raw operand's low two bytes.  Where the unpacking kept exiting,
    the four stay apart."""
    if _lacks(program, {"FOR_ITER_LIST_GUARDED"}):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        loop = program[i]
        run = program[i + 1:i + 4] if loop.name == "FOR_ITER_LIST_GUARDED" else ()
        if (len(run) == 3 and run[0].name == "UNPACK_SEQUENCE_TWO_GUARDED"
                and len(loop.covers) == 1 and run[0].first.unit == loop.unit + 1
                and not {loop.start, run[0].start} & generic_sites and not any(id(q) in targets for q in run)
                and all(q.name == "STORE_FAST" and q.oparg < 256 and len(q.covers) == 1
                        and q.first.unit == run[0].first.unit + UNPACK_SEQUENCE_UNITS + k
                        for k, q in enumerate(run[1:]))):
            loop.name = "FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS"
            loop.covers += tuple(c for q in run for c in q.covers)
            loop.raw_operand = run[1].oparg | run[2].oparg << 8
            loop.guards = ("iterator is a list iterator", "item is a tuple or list of two")
            loop.note += ("; its two items straight into the locals (another sequence, or an old value released "
                          "for the last time, exits after the FOR_ITER)")
            i += 4
        else:
            i += 1
        result.append(loop)
    return result


# What runs no code and changes no list: raw float arithmetic, item and local loads.
RUNS_NO_CODE = INFALLIBLE_RAW | {*ITEM_LOADS.values(), FROM_END_ITEM_LOAD, KNOWN_LIST_ITEM_LOAD, "LOAD_FAST_UNBOX_FLOAT",
                                 "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW", "BINARY_OP_POWER_FLOAT_RAW",
                                 "BINARY_OP_POWER_FLOAT_RAW_HALF", "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT"}


def _store_checked_item(program: list[QInstr], i: int, targets: set[int]) -> None:
    """`list[k] op= x` whose x may exit (an item load) but runs no code: its end, the
    first instruction after the start (i) that is not in RUNS_NO_CODE, nothing jumping
    in between, stores into the item the start checked (STORE_SUBSCR_LIST_CONST_BOX_FLOAT)."""
    start = program[i]
    end = next((j for j in range(i + 1, len(program)) if program[j].name not in RUNS_NO_CODE), None)
    if (end is None or program[end].name != "STORE_SUBSCR_LIST_INT_BOX_FLOAT"
            or any(id(q) in targets or q.jumps for q in program[i + 1:end + 1])):
        return
    store = program[end]
    store.name, store.oparg2 = "STORE_SUBSCR_LIST_CONST_BOX_FLOAT", start.oparg2
    store.guards, store.note = (), "the list and index are the start's, checked there: nothing between runs code"


def _fuse_square_roots(program: list[QInstr], generic_sites: frozenset[int]) -> list[QInstr]:
    """LOAD_CONST_RAW 0.5 and the BINARY_OP_POWER_FLOAT_RAW after it (nothing jumping to
    it) become BINARY_OP_POWER_FLOAT_RAW_HALF, the first of the two: it keeps the
    constant's raw masks and the jumps to it, and exits before anything changes (at
    the constant: where it kept exiting, the two stay apart, the power exiting alone)."""
    if _lacks(program, {"BINARY_OP_POWER_FLOAT_RAW"}):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    for instr in program:
        const = result[-1] if result else None
        if (instr.name == "BINARY_OP_POWER_FLOAT_RAW" and id(instr) not in targets and const is not None
                and const.name == "LOAD_CONST_RAW" and const.pushes_raw == "float" and const.raw_operand == _bits(0.5)
                and const.start not in generic_sites):
            const.name, const.acts_at = "BINARY_OP_POWER_FLOAT_RAW_HALF", len(const.covers) + instr.acts_at
            const.covers, const.raw_operand = const.covers + instr.covers, 0
            const.oparg, const.oparg2, const.operand = instr.oparg, instr.oparg2, instr.operand
            const.pushes_raw, const.unwind, const.guards = instr.pushes_raw, instr.unwind, instr.guards
            const.note = "fused: LOAD_CONST_RAW BINARY_OP_POWER_FLOAT_RAW (x ** 0.5)"
            continue
        result.append(instr)
    return result


# Raw int operations that take a constant right operand from their raw operand, fused with
# the LOAD_CONST_RAW that pushes it (_fuse_int_constants).
INT_CONSTANT_OPS = frozenset({"BINARY_OP_ADD_INT_RAW", "BINARY_OP_SUBTRACT_INT_RAW", "BINARY_OP_MULTIPLY_INT_RAW"})
FLOOR_DIVIDE_BY_SHIFT = "BINARY_OP_FLOOR_DIVIDE_INT_RAW_STACK_POWER_OF_TWO"


def _fuse_int_constants(program: list[QInstr], generic_sites: frozenset[int]) -> list[QInstr]:
    """LOAD_CONST_RAW of an int and the raw int +, - or * after it (nothing jumping to
    it) become one instruction, the first of the two, with the constant as its raw
    operand; `// c` for c a power of two becomes an arithmetic shift.  It keeps the
    constant's raw masks and the jumps to it, and exits (an overflow) before anything
    changes, at the constant: where it kept exiting, the two stay apart."""
    targets = jump_targets(program)
    result: list[QInstr] = []
    for instr in program:
        const = result[-1] if result else None
        if (const is None or const.name != "LOAD_CONST_RAW" or const.pushes_raw != "int" or id(instr) in targets
                or const.start in generic_sites):
            result.append(instr)
            continue
        value = const.raw_operand - (1 << 64) if const.raw_operand >> 63 else const.raw_operand
        if instr.name in INT_CONSTANT_OPS:
            const.name, const.oparg = f"{instr.name}_STACK_CONST", instr.oparg
        elif instr.name == "BINARY_OP_FLOOR_DIVIDE_INT_RAW" and value > 0 and value & (value - 1) == 0:
            const.name, const.oparg, const.raw_operand = FLOOR_DIVIDE_BY_SHIFT, value.bit_length() - 1, 0
        else:
            result.append(instr)
            continue
        const.note = f"fused: LOAD_CONST_RAW {instr.name} (a constant {value})"
        const.acts_at = len(const.covers) + instr.acts_at
        const.covers, const.oparg2, const.pushes_raw = const.covers + instr.covers, instr.oparg2, instr.pushes_raw
        const.unwind, const.guards = instr.unwind, instr.guards
    return result


def fuse_int_operations(program: list[QInstr], generic_sites: frozenset[int] = frozenset()) -> list[QInstr]:
    """A raw int +, - or * takes its operands straight from raw int locals (FAST) or its
    constant (CONST, _fuse_int_constants) and stores its result into the raw local that
    takes it next, as _fuse_float_operations does for floats: LOAD_FAST_RAW a,
    LOAD_FAST_RAW b, the operation [, STORE_FAST_RAW c] (FAST_FAST[_STORE]); LOAD_FAST_RAW
    a and the operation with a constant (FAST_CONST); LOAD_FAST_RAW b and the operation on
    the value below (STACK_FAST).  One instruction, the first of the run, which keeps its
    raw masks and the jumps to it: an overflow exits there, nothing changed; where it kept
    exiting, the run stays apart.  (accel/specializer/inline.py runs it again on a body
    whose parameters it made raw.)"""
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        run, name = _int_run(program, i, targets, generic_sites)
        if run is None:
            result.append(program[i])
            i += 1
            continue
        first, op = run[0], next(q for q in run if q.name.startswith("BINARY_OP_"))
        locals_ = [q.oparg for q in run if q.name in ("LOAD_FAST_RAW", "STORE_FAST_RAW")]
        if name.endswith("_STACK_FAST"):
            locals_ = [0] + locals_  # (the left operand from the stack)
        first.note = "fused: " + " ".join(q.name for q in run)
        first.oparg = sum(local << 8 * (k + 1) for k, local in enumerate(locals_))
        first.acts_at = sum(len(q.covers) for q in run[:run.index(op)]) + op.acts_at
        first.covers = tuple(c for q in run for c in q.covers)
        first.name, first.raw_operand, first.oparg2 = name, op.raw_operand, op.oparg2
        first.pushes_raw = None if name.endswith("_STORE") else "int"
        first.unwind, first.guards = op.unwind, ()
        result.append(first)
        i += len(run)
    return result


def _int_run(program: list[QInstr], i: int, targets: set[int], generic_sites: frozenset[int]):
    """The fusable raw int run starting at i and its fused form's name, or (None, None)."""
    window = program[i:i + 4]
    if (window[0].name != "LOAD_FAST_RAW" or window[0].pushes_raw != "int" or window[0].start in generic_sites
            or len(window) < 2 or any(id(q) in targets for q in window[1:])):
        return None, None
    second = window[1]
    if second.name in INT_CONSTANT_OPS and window[0].oparg < 256:
        return window[:2], f"{second.name}_STACK_FAST"
    if second.name.endswith("_INT_RAW_STACK_CONST") and second.name != FLOOR_DIVIDE_BY_SHIFT and window[0].oparg < 256:
        return window[:2], second.name.replace("_STACK_CONST", "_FAST_CONST")
    if (len(window) >= 3 and second.name == "LOAD_FAST_RAW" and second.pushes_raw == "int"
            and window[2].name in INT_CONSTANT_OPS and max(window[0].oparg, second.oparg) < 256):
        store = window[3] if len(window) == 4 and window[3].name == "STORE_FAST_RAW" and window[3].oparg < 256 else None
        if store is not None:
            return window[:4], f"{window[2].name}_FAST_FAST_STORE"
        return window[:3], f"{window[2].name}_FAST_FAST"
    return None, None


# What runs between two item loads of the same list local without rebinding any local
# but raw ones (which never hold a list): raw float arithmetic, item loads and stores,
# and a float boxed into the local it names (OPARG), which is forgotten.
KEEPS_LOCALS = INFALLIBLE_RAW | LIST_ITEM_LOADS | {
    "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW", "BINARY_OP_POWER_FLOAT_RAW", "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT",
    "STORE_FAST_ITEM_CONST_BOX_FLOAT", "STORE_SUBSCR_LIST_INT_BOX_FLOAT", KNOWN_LIST_ITEM_LOAD,
    "LOAD_FAST_UNBOX_FLOAT", "STORE_FAST_BOX_FLOAT", "BINARY_OP_POWER_FLOAT_RAW_HALF", *UPDATE_FORMS}


def _skip_known_list_checks(program: list[QInstr]) -> list[QInstr]:
    """An item load of a constant index (or a fused update, UPDATE_FORMS) from a local
    that an item load before it, in the same straight run (nothing jumps or unwinds
    between), found a list and that nothing between rebinds: it checks only the
    indexes' range and the items."""
    if _lacks(program, LIST_ITEM_LOADS | UPDATE_FORMS.keys()):
        return program
    entries = jump_targets(program) | {id(q.unwind) for q in program if q.unwind is not None}
    lists: set[int] = set()  # locals found lists
    for instr in program:
        if id(instr) in entries or instr.name not in KEEPS_LOCALS:
            lists.clear()
        local = instr.oparg & 0xFF if instr.name in UPDATE_FORMS else instr.oparg
        if instr.name == "LOAD_FAST_ITEM_CONST_UNBOX_FLOAT" and local in lists:
            instr.name = KNOWN_LIST_ITEM_LOAD
            instr.guards = ("index in range", "list item is float")
            instr.note = "the local is the list an item load before it checked"
        elif instr.name in UPDATE_FORMS and local in lists:
            instr.name = UPDATE_FORMS[instr.name]
            instr.guards = ("indexes in range", "list items are floats")
            instr.note += "; the local is the list an item load before it checked"
        if instr.name in LIST_ITEM_LOADS or instr.name in UPDATE_FORMS:
            lists.add(local)
        if instr.name == "STORE_FAST_BOX_FLOAT":
            lists.discard(instr.oparg)
    return program


def _fuse_item_updates(program: list[QInstr]) -> list[QInstr]:
    """`list[k] op= x * y` (UPDATE_PRODUCT_RUNS) whose item is updated in place, nothing
    jumping into it, becomes one instruction, the first, which keeps its raw masks and
    the jumps to it: only its checks exit, all before anything changes, and the
    MemoryError a new float may raise leaves the stack as it found it.  The list local
    goes in OPARG's low byte, x's and y's (if a local) in the next two, y's index (if
    an item) in the raw operand."""
    if _lacks(program, UPDATE_PRODUCT_STARTS):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        start = program[i]
        shape = _update_product(program, i, targets) if start.name in UPDATE_PRODUCT_STARTS else None
        if shape is None:
            result.append(start)
            i += 1
            continue
        run = program[i:i + len(UPDATE_PRODUCT_RUNS[shape])]
        operation = next(q for q in run if q.name in UPDATE_OPERATIONS)
        start.note = "fused: " + " ".join(q.name for q in run)
        start.name = f"LOAD_FAST_ITEM_CONST_{UPDATE_OPERATIONS[operation.name]}_PRODUCT_{shape}"
        if shape == "FAST_FAST":
            start.oparg |= run[1].oparg & 0xFFFF00
        else:
            start.oparg |= run[1].oparg << 8
            start.raw_operand, start.operand = run[2].oparg2, NOTHING
        start.acts_at = sum(len(q.covers) for q in run[:-1]) + run[-1].acts_at
        start.covers = tuple(c for q in run for c in q.covers)
        start.guards = ("local is a list", "indexes in range", "list items are floats")
        start.pushes_raw = None
        result.append(start)
        i += len(run)
    return result


def _update_product(program: list[QInstr], i: int, targets: set[int]) -> str | None:
    """The shape of the fusable `list[k] op= x * y` that starts at i, if one does."""
    for shape, names in UPDATE_PRODUCT_RUNS.items():
        run = program[i:i + len(names)]
        if len(run) < len(names) or any(id(q) in targets for q in run[1:]):
            continue
        if not all(q.name == name or name is None and q.name in UPDATE_OPERATIONS for q, name in zip(run, names)):
            continue
        start, end = run[0], run[-1]
        same_item = end.oparg2 == start.oparg2 and (shape == "FAST_ITEM" or end.oparg == start.oparg)
        operands = [start.oparg] + ([run[1].oparg, run[2].oparg] if shape == "FAST_ITEM" else [])
        if same_item and all(v < 256 for v in operands) and (shape == "FAST_FAST" or run[2].oparg == start.oparg):
            return shape
    return None


def _update_items_in_place(program: list[QInstr], depths: dict[int, int]) -> list[QInstr]:
    """`list[k] op= x` whose x and op cannot fail (raw locals, constants and float
    arithmetic): its start and end take the list local and k from their operands, not the
    stack.  Nothing between can exit or raise, so no exit ever sees the stack without
    them; the raw stack masks between are shifted down all the same (the two slots held
    objects), and so are the end's, for the MemoryError it may raise."""
    if _lacks(program, {KEEP_ITEM_LOAD}):
        return program
    targets = jump_targets(program)
    for i, start in enumerate(program):
        if start.name != KEEP_ITEM_LOAD:
            continue
        end = next((j for j in range(i + 1, len(program)) if program[j].name not in INFALLIBLE_RAW), None)
        if end is not None and program[end].name in RUNS_NO_CODE:
            _store_checked_item(program, i, targets)
        if end is None or program[end].name != "STORE_SUBSCR_LIST_INT_BOX_FLOAT" or end == i + 1:
            continue
        if any(id(q) in targets or q.jumps for q in program[i + 1:end + 1]):
            continue
        base = depths.get(start.start, 0)  # the list's slot; k's is above it
        below = (1 << base) - 1
        start.name, start.operand = "LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", NOTHING
        store = program[end]
        store.name, store.oparg, store.oparg2 = "STORE_FAST_ITEM_CONST_BOX_FLOAT", start.oparg, start.oparg2
        store.guards, store.note = (), "the list and index are the start's, unchanged: nothing between can fail"
        for q in program[i + 1:end + 1]:
            q.raw_stack = q.raw_stack & below | (q.raw_stack >> 2) & ~below
            q.raw_int_stack = q.raw_int_stack & below | (q.raw_int_stack >> 2) & ~below
    return program


def _fuse_float_operations(program: list[QInstr]) -> list[QInstr]:
    """A raw float operation takes the raw locals and the constant pushed just before it
    as its operands, and stores its result into the raw local that takes it next: one
    instruction, the first of the run, which keeps its raw masks and the jumps to it
    (none of these can fail; a comparison's eval-breaker exit comes before anything)."""
    if _lacks(program, FUSABLE_FLOAT_OPS):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        fused = _fusable(program, i, targets)
        if fused is None:
            result.append(program[i])
            i += 1
            continue
        sources, op, store = fused
        run = program[i:i + len(sources) + 1 + bool(store)]
        first = run[0]
        note = "fused: " + " ".join(q.name for q in run)
        sides = ["STACK"] * (2 - len(sources)) + [OPERAND_SOURCES[q.name] for q in sources]
        oparg = 0
        for side, q in zip((1, 2), [None] * (2 - len(sources)) + sources):
            if q is not None and q.name == "LOAD_FAST_RAW":
                oparg |= q.oparg << 8 * side
            elif q is not None:
                first.raw_operand = q.raw_operand
        if store is not None:
            oparg |= store.oparg << 24
        first.acts_at = sum(len(q.covers) for q in sources) + op.acts_at
        form = f"{op.name}_{JUMP_CONDITIONS[op.oparg]}" if op.name.startswith("COMPARE_OP") else op.name
        first.name = f"{form}_{sides[0]}_{sides[1]}" + ("_STORE" if store is not None else "")
        first.covers = tuple(c for q in run for c in q.covers)
        first.oparg, first.oparg2, first.target_instr = oparg, op.oparg2, op.target_instr
        first.pushes_raw = None if store is not None else op.pushes_raw
        first.note = note
        result.append(first)
        i += len(run)
    return result


def _fusable(program: list[QInstr], i: int, targets: set[int]):
    """(operand sources, operation, store or None) of a fusable run starting at i."""
    if program[i].name not in FUSABLE_FLOAT_OPS and program[i].name not in OPERAND_SOURCES:
        return None  # (neither an operation nor the first of its sources: most instructions)
    for count in (2, 1, 0):
        window = program[i:i + count + 2]
        if len(window) < count + 1:
            continue
        sources, op = window[:count], window[count]
        if op.name not in FUSABLE_FLOAT_OPS or any(id(q) in targets for q in window[1:count + 1]):
            continue
        if op.name.startswith("COMPARE_OP") and op.oparg not in JUMP_CONDITIONS:
            continue
        if any(q.name not in OPERAND_SOURCES or q.pushes_raw != "float" for q in sources):
            continue
        if count == 2 and sources[0].name == sources[1].name == "LOAD_CONST_RAW":
            continue
        store = window[count + 1] if len(window) == count + 2 else None
        if (store is None or store.name != "STORE_FAST_RAW" or id(store) in targets
                or op.name.startswith("COMPARE_OP")):
            store = None
        if count == 0 and store is None and not (op.name.startswith("COMPARE_OP") and op.oparg in JUMP_CONDITIONS):
            return None
        return sources, op, store
    return None


def _fused_generic(program: list[QInstr], generic_sites: frozenset[int]) -> frozenset[int]:
    """The fused item loads (_load_items_raw) exit at their first instruction: where one
    kept exiting, its subscript stays apart, generic too."""
    if not generic_sites:
        return generic_sites  # (a first compile)
    items = frozenset(program[j].start for i in range(len(program)) for j in (i + 2, i + 4)
                      if j < len(program) and program[i].start in generic_sites
                      and program[i].name in ("LOAD_FAST", "LOAD_DEREF") and program[j].name == "BINARY_SUBSCR_LIST_INT")
    # (and a float attribute loaded from a local exits at its LOAD_FAST: borrow.py fuses them)
    return items | frozenset(program[i + 1].start for i in range(len(program) - 1)
                             if program[i].start in generic_sites and program[i].name == "LOAD_FAST"
                             and program[i + 1].name == "LOAD_ATTR_CACHED")


def _load_items_raw(program: list[QInstr]) -> list[QInstr]:
    """LOAD_FAST list, its index, BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT (and, at the start
    of `list[k] op= x`, the two COPYs between) become one instruction.  Runs last: the
    first instruction becomes the fused one, keeps its raw masks (it exits before
    anything changes, the interpreter resuming there) and the jumps to it."""
    if _lacks(program, {"BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT"}):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        instr = program[i]
        size, name = _item_load(program, i, targets) if instr.name == "LOAD_FAST" else (0, None)
        if size:
            index = program[i + 1]
            instr.name, instr.covers = name, tuple(c for q in program[i:i + size] for c in q.covers)
            instr.oparg2 = (-index.operand if name == FROM_END_ITEM_LOAD else index.operand
                            if index.name == "LOAD_CONST" else index.oparg)
            instr.operand = index.operand if name == KEEP_ITEM_LOAD else NOTHING
            instr.guards = ("cell holds a list" if name == CELL_ITEM_LOAD else "local is a list", "index in range",
                            "list item is float")
            instr.note = "other containers, indexes and items exit to the interpreter"
        result.append(instr)
        i += size or 1
    return result


def _item_load(program: list[QInstr], i: int, targets: set[int]) -> tuple[int, str | None]:
    """How many instructions from i make a fusable item load (0 if none), and its form."""
    window = program[i:i + 5]
    if len(window) < 3 or window[0].name not in ("LOAD_FAST", "LOAD_DEREF") or any(id(q) in targets
                                                                                 for q in window[1:3]):
        return 0, None
    index = window[1]
    if window[0].name == "LOAD_DEREF":
        return (3, CELL_ITEM_LOAD) if index.name == "LOAD_FAST" and window[2].name == \
            "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT" else (0, None)
    # (a non-negative constant: the fused forms index without counting from the end)
    constant = index.name == "LOAD_CONST" and type(index.operand) is int and 0 <= index.operand < 2 ** 31
    from_end = index.name == "LOAD_CONST" and type(index.operand) is int and -2 ** 31 <= index.operand < 0
    if window[2].name == "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT" and from_end:
        return 3, FROM_END_ITEM_LOAD
    if window[2].name == "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT" and (constant or index.name != "LOAD_CONST"):
        return (3, ITEM_LOADS[index.name]) if index.name in ITEM_LOADS else (0, None)
    if (constant and len(window) == 5 and [(q.name, q.oparg) for q in window[2:4]] == [("COPY", 2), ("COPY", 2)]
            and window[4].name == "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT"
            and not any(id(q) in targets for q in window[3:])):
        return 5, KEEP_ITEM_LOAD
    return 0, None


def _store_items_raw(program: list[QInstr], generic_sites: frozenset[int]) -> list[QInstr]:
    """`list[i] op= x` with a raw float result: BOX_FLOAT, SWAP 3, SWAP 2,
    STORE_SUBSCR_LIST_INT become one STORE_SUBSCR_LIST_INT_BOX_FLOAT, which writes the
    result into the item's own float where it can.  Runs last: the new instruction
    keeps the raw masks of the BOX_FLOAT it replaces, and resumes at the first SWAP."""
    if _lacks(program, {"BOX_FLOAT"}):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        box = program[i]
        rest = program[i + 1:i + 4] if box.name == "BOX_FLOAT" else ()
        if (len(rest) == 3
                and [(q.name, q.oparg) for q in rest] == STORE_ITEM
                and not any(id(q) in targets for q in rest) and rest[0].start not in generic_sites):
            box.name, box.covers = "STORE_SUBSCR_LIST_INT_BOX_FLOAT", tuple(c for q in rest for c in q.covers)
            box.guards, box.note = ("list item assignment",), "other containers and indexes exit to the interpreter"
            result.append(box)
            i += 4
            continue
        result.append(box)
        i += 1
    return result


def _store_attributes_raw(program: list[QInstr]) -> list[QInstr]:
    """The end of `owner.name op= x` with a raw float result: BOX_FLOAT, SWAP 2,
    STORE_ATTR_CACHED become one STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT, which writes the result into the
    attribute's own float where it can.  It keeps the raw masks of the BOX_FLOAT it
    replaces, stands at the STORE_ATTR, and never exits."""
    if _lacks(program, {"BOX_FLOAT"}):
        return program
    targets = jump_targets(program)
    result: list[QInstr] = []
    i = 0
    while i < len(program):
        box = program[i]
        rest = program[i + 1:i + 3] if box.name == "BOX_FLOAT" else ()
        if (len(rest) == 2 and (rest[0].name, rest[0].oparg) == ("SWAP", 2)
                and rest[1].name == "STORE_ATTR_CACHED" and not any(id(q) in targets for q in rest)):
            box.name, box.covers, box.acts_at = "STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT", rest[0].covers + rest[1].covers, 1
            box.operand, box.note = rest[1].operand, rest[1].note
            result.append(box)
            i += 3
            continue
        result.append(box)
        i += 1
    return result


# ---- which loops keep which locals raw -------------------------------------------------

def _regions(program: list[QInstr], decoded: Decoded, states: dict[int, State], dataflow: tuple,
             generic_sites: frozenset[int]) -> list[Region]:
    index = {id(q): i for i, q in enumerate(program)}
    loops = sorted(((index[id(q.target_instr)], i) for i, q in enumerate(program)
                    if q.jumps and index[id(q.target_instr)] <= i), key=lambda l: l[0] - l[1])
    chosen: list[Region] = []
    for first, last in loops:
        if any(r.first <= last and first <= r.last for r in chosen):
            continue
        body = program[first:last + 1]
        if (not all(_pure(program, i, dataflow, states, generic_sites) for i in range(first, last + 1))
                or _entered_midway(program, index, first, last)):
            continue
        kinds = _raw_locals(body, decoded, states)
        if kinds:
            chosen.append(Region(first, last, kinds))
    if not loops:
        chosen += _straight_region(program, decoded, states, dataflow, generic_sites)
    return chosen


def _straight_region(program: list[QInstr], decoded: Decoded, states: dict[int, State], dataflow: tuple,
                     generic_sites: frozenset[int]) -> list[Region]:
    """Code without loops whose every instruction after RESUME is pure (a small function
    of arithmetic on its arguments) keeps raw, from there to its returns, the int and
    float locals that only ever hold the result of an operation and are read again
    (`s = i + j`): otherwise each store boxes it and each read unboxes it again.  The
    arguments stay boxed, their guards where they are used."""
    first = next((i + 1 for i, q in enumerate(program) if q.name == "RESUME"), None)
    if first is None or first >= len(program) or program[-1].falls_through or program[first].start in generic_sites:
        return []
    if not all(_pure(program, i, dataflow, states, generic_sites) for i in range(first, len(program))):
        return []
    body = program[first:]
    arguments = decoded.code.co_argcount + decoded.code.co_kwonlyargcount
    stored_results = {q.oparg for before, q in zip(body, body[1:]) if q.name == "STORE_FAST" and before.name in RAW_OPS}
    other_stores = {q.oparg for before, q in zip(body, body[1:]) if q.name == "STORE_FAST" and before.name not in RAW_OPS}
    read = {q.oparg for q in body if q.name == "LOAD_FAST"}
    kinds = {v: kind for v, kind in _raw_locals(body, decoded, states).items()
             if v >= arguments and v in stored_results and v not in other_stores and v in read}
    return [Region(first, len(program) - 1, kinds)] if kinds else []


def _pure(program: list[QInstr], i: int, dataflow: tuple, states: dict[int, State],
          generic_sites: frozenset[int]) -> bool:
    """Whether program[i] cannot run Python code in a loop that keeps locals raw, as the
    form it will have there (a list item for a float operation, unboxed with a guard; a
    float stored into a list item, written in place with a guard; GUARDED_IN_RAW_LOOPS)."""
    instr = program[i]
    if instr.name == "STORE_FAST" and instr.start in generic_sites:
        return False  # (its form where locals are raw kept exiting: STORE_FAST_PURE, STORE_FAST_BOX_FLOAT_PURE)
    if instr.name in PURE or instr.name in GUARDED_IN_RAW_LOOPS:
        return True
    if instr.start in generic_sites:
        return False
    if instr.name == "BINARY_SUBSCR_LIST_INT":  # _choose_representations unboxes it as a float
        return _user_takes_raw_float(instr, dataflow, states)
    if instr.name in ("LOAD_ATTR_CACHED", "STORE_ATTR_CACHED"):
        return _pure_attribute(program, i, dataflow, states, generic_sites)
    if instr.name == "STORE_SUBSCR_LIST_INT" and i >= 3:  # _store_items_raw fuses it
        swaps, result = program[i - 2:i], program[i - 3]
        return ([(q.name, q.oparg) for q in swaps] == STORE_ITEM[:2] and result.name in RAW_OPS
                and RAW_OPS[result.name][2] == "float" and swaps[0].start not in generic_sites)
    return False


def _user_takes_raw_float(instr: QInstr, dataflow: tuple, states: dict[int, State]) -> bool:
    """Whether the one user of what `instr` pushes takes it as a raw float there (so the
    load can push it raw): not as the second operand of a form that takes only its top
    raw, nor beside an int where the user takes ints."""
    operands, consumers = dataflow
    consumer = consumers.get(id(instr))
    if consumer is None or _wants_raw(consumer, {}) != "float":
        return False
    _, stack = states.get(consumer.start, (None, ()))
    depth = next(d for d, producer in operands[id(consumer)] if producer is instr)
    if depth > 1 and consumer.name in TOP_RAW:
        return False
    return not (consumer.name in TAKES_INTS and len(stack) >= depth and stack[-depth] is int)


def _pure_attribute(program: list[QInstr], i: int, dataflow: tuple, states: dict[int, State],
                    generic_sites: frozenset[int]) -> bool:
    """Whether program[i], an attribute access, becomes a float form that has a form for
    raw locals (PURE_ATTRIBUTE_FORMS): a load whose user takes a raw float
    (_produce_raw), a store of a raw float result (_choose_representations, or
    _store_attributes_raw after BOX_FLOAT for `owner.name op= x`).  Not where an exit
    kept happening: the fused forms exit at the LOAD_FAST, COPY or SWAP before."""
    instr = program[i]
    if any(q.start in generic_sites for q in program[max(i - 2, 0):i + 1]):
        return False
    operands, _ = dataflow
    if instr.name == "LOAD_ATTR_CACHED":
        return _user_takes_raw_float(instr, dataflow, states)
    stored = next((producer for depth, producer in operands.get(id(instr), []) if depth == 2), None)
    if stored is not None:
        return stored.name in RAW_OPS and RAW_OPS[stored.name][2] == "float"
    result, rest = program[i - 2] if i >= 2 else None, program[i - 1:i + 1]
    targets = jump_targets(program)
    return (result is not None and result.name in RAW_OPS and RAW_OPS[result.name][2] == "float"
            and [(q.name, q.oparg if q.name == "SWAP" else None) for q in rest] == STORE_UPDATED_ATTRIBUTE
            and not any(id(q) in targets for q in rest))


def _attributes_where_locals_are_raw(program: list[QInstr]) -> list[QInstr]:
    """The float attribute forms where locals are raw become their PURE_ATTRIBUTE_FORMS;
    _pure_attribute admitted no other attribute access there."""
    for instr in program:
        if not instr.raw_locals:
            continue
        if instr.name in PURE_ATTRIBUTE_FORMS:
            instr.name, instr.note = PURE_ATTRIBUTE_FORMS[instr.name], PURE_ATTRIBUTE_NOTE
        elif instr.name.startswith(("LOAD_ATTR", "STORE_ATTR")):
            raise AssertionError(f"{instr.name} at offset {instr.start * 2} would run with raw locals")
    return program


def _stores_where_locals_are_raw(program: list[QInstr]) -> list[QInstr]:
    """A value stored to a boxed local where locals are raw (the loop variable of `for p
    in points`) takes a form that exits first where it would release the old value's last
    reference: that deallocation could run code (a finalizer) that looks at the frame."""
    for instr in program:
        if instr.name in STORES_WHERE_LOCALS_ARE_RAW and instr.raw_locals:
            instr.name, instr.note = STORES_WHERE_LOCALS_ARE_RAW[instr.name], STORE_WHERE_LOCALS_ARE_RAW_NOTE
    return program


def _entered_midway(program: list[QInstr], index: dict[int, int], first: int, last: int) -> bool:
    for i, q in enumerate(program):
        if q.jumps and not first <= i <= last and first < index[id(q.target_instr)] <= last:
            return True
    return False


def _raw_locals(body: list[QInstr], decoded: Decoded, states: dict[int, State]) -> dict[int, str]:
    """Locals that are read as one kind everywhere in the loop and only stored that kind."""
    seen: dict[int, set] = {}
    for q in body:
        locals_, stack = states.get(q.start, (None, ()))
        if q.name == "LOAD_FAST":
            seen.setdefault(q.oparg, set()).add(None if locals_ is None else locals_[q.oparg])
        elif q.name == "STORE_FAST":
            seen.setdefault(q.oparg, set()).add(stack[-1] if stack else None)
    cells = len(decoded.code.co_varnames)
    return {v: KINDS[types.pop()] for v, types in seen.items()
            if v < min(cells, MAX_SLOTS) and len(types) == 1 and next(iter(types)) in KINDS}


def _enter_and_leave(program: list[QInstr], region: Region, original: list[QInstr],
                     header: QInstr) -> list[QInstr]:
    """UNBOX_LOCAL_* before the header (the first instruction run for the loop's first
    original instruction); BOX_LOCAL_* on every edge out of the loop."""
    tail = original[region.last]
    at = {id(q): i for i, q in enumerate(program)}
    start, end = at[id(header)], at[id(tail)]
    inside = {id(q) for q in program[start:end + 1]}
    entry = _convert_locals(region, "UNBOX_LOCAL", header)
    for q in program:
        if q.jumps and id(q) not in inside and q.target_instr is header:
            q.target_instr = entry[0]
    boxed_before: dict[int, list[QInstr]] = {}
    exits: list[QInstr] = []
    for q in program[start:end + 1]:
        if q.name == "RETURN_VALUE":
            drop = QInstr("DROP_RAW_LOCALS", q.covers[:1], raw_operand=region.mask(), target_instr=q,
                          note="unless a frame object outlives the frame: then boxed")
            drop.raw_locals, drop.raw_int_locals = region.mask(), region.mask("int")
            boxed_before[id(q)] = [drop] + _convert_locals(region, "BOX_LOCAL", q)
        if q.jumps and id(q.target_instr) not in inside:
            leave = _convert_locals(region, "BOX_LOCAL", q.target_instr)
            jump = QInstr("JUMP_FORWARD", q.target_instr.covers[:1], target_instr=q.target_instr,
                          note="leaves an unboxed loop")
            q.target_instr = leave[0]
            exits += leave + [jump]
    for q in program:
        if q.jumps and id(q.target_instr) in boxed_before:
            q.target_instr = boxed_before[id(q.target_instr)][0]
    for k in range(start, end + 1):
        if program[k].name == "GET_ITER_RAW_LOOP":
            exits += _box_around_get_iter(region, program[k], program[k + 1])
    body = [c for q in program[start:end + 1] for c in boxed_before.get(id(q), []) + [q]]
    falls_out = []
    if program[end].falls_through and end + 1 < len(program):
        falls_out = _convert_locals(region, "BOX_LOCAL", program[end + 1])
    return program[:start] + entry + body + falls_out + program[end + 1:] + exits


def _box_around_get_iter(region: Region, get_iter: QInstr, after: QInstr) -> list[QInstr]:
    """Where GET_ITER_RAW_LOOP jumps when it cannot make the iterator without running
    code: the raw locals boxed, the generic GET_ITER (whatever it runs sees the frame
    as the interpreter would), the locals unboxed again (one that no longer holds its
    kind exits, at `after`) and back to `after`."""
    generic = QInstr("GET_ITER", get_iter.covers, get_iter.oparg, note="with the loop's raw locals boxed")
    back = QInstr("JUMP_FORWARD", after.covers[:1], target_instr=after, note="back into the unboxed loop")
    boxed = _convert_locals(region, "BOX_LOCAL", get_iter)
    get_iter.target_instr = boxed[0]
    return boxed + [generic] + _convert_locals(region, "UNBOX_LOCAL", after) + [back]


def _convert_locals(region: Region, name: str, at: QInstr) -> list[QInstr]:
    """One instruction per raw local, attributed to `at` (where an exit resumes)."""
    result = []
    done = 0
    for v, kind in sorted(region.kinds.items()):
        converted = QInstr(f"{name}_{SUFFIX[kind]}", at.covers[:1], v)
        remaining = region.mask() & ~done if name == "BOX_LOCAL" else done
        converted.raw_locals = remaining
        converted.raw_int_locals = remaining & region.mask("int")
        done |= 1 << v
        result.append(converted)
    return result


# ---- where temporaries stay raw --------------------------------------------------------

def _effect(instr: QInstr) -> tuple[int, int] | None:
    # A specialized form of one instruction, named after it (LOAD_ATTR_CACHED), has its effect.
    name = instr.name
    if _effect_of(name) is None and len(instr.covers) == 1 and name.startswith(instr.covers[0].name):
        name = instr.covers[0].name
    if name == "LOAD_GLOBAL":
        return 0, 1 + (instr.oparg & 1)
    if name == "CALL" or name in INLINED_CALLS or name in TOP_RAW or name in BUILTIN_CALLS:
        return instr.oparg + 2, 1
    return _effect_of(name)


@functools.cache  # a few dozen names, asked for every instruction of code that unboxes
def _effect_of(name: str) -> tuple[int, int] | None:
    """(pops, pushes) of the instructions whose effect the name alone gives."""
    name = name.removesuffix("_RAW")
    if name in FIXED_EFFECTS:
        return FIXED_EFFECTS[name]
    if name.startswith(("LOAD_FAST_", "LOAD_CONST_")):
        return 0, 1
    if name.startswith(("BINARY_OP", "BINARY_SUBSCR")):
        return 2, 1
    if name.startswith("COMPARE_OP_") and name.endswith("_JUMP"):
        return 2, 0
    if name.startswith("POP_JUMP_"):
        return 1, 0
    return None


def _depth_after(instr: QInstr, depth: int) -> int:
    for covered in instr.covers:
        depth += stack_effect(covered, jump=False)
    return depth


def _blocks(program: list[QInstr]) -> zip:
    """(instruction, starts a block) pairs.  A block runs on past conditional jumps (their
    fall-through continues its stack), but no raw value crosses a jump (values_and_users)."""
    targets = jump_targets(program)
    return zip(program, [i == 0 or id(instr) in targets or program[i - 1].name in ENDS_PATH
                         for i, instr in enumerate(program)])


def values_and_users(program: list[QInstr], depths: dict[int, int]):
    """Within basic blocks: which instructions made each instruction's operands
    (depth 1 is the top), and which instruction uses each value."""
    operands: dict[int, list[tuple[int, QInstr | None]]] = {}
    consumers: dict[int, QInstr | None] = {}
    stack: list[QInstr | None] = []
    for instr, starts in _blocks(program):
        if starts:
            stack = [None] * depths.get(instr.start, 0)
        effect = _effect(instr)
        if effect is None:
            for producer in stack:
                if producer is not None:
                    consumers[id(producer)] = None
            stack = [None] * max(_depth_after(instr, len(stack)), 0)
            continue
        pops, pushes = effect
        if pops:
            used = stack[len(stack) - pops:]
            del stack[len(stack) - pops:]
            for producer in used:
                if producer is not None:
                    consumers[id(producer)] = instr
            operands[id(instr)] = [(pops - k, producer) for k, producer in enumerate(used)]
        else:
            operands[id(instr)] = []
        # What stays on the stack reaches the target, where all is boxed; or a generator's
        # frame keeps it while it is suspended, where the garbage collector may look.
        if instr.target_instr is not None or instr.first.name == "YIELD_VALUE":
            for producer in stack:
                if producer is not None:
                    consumers[id(producer)] = None
            stack = [None] * len(stack)
        if pushes == 1:
            stack.append(instr)
        elif pushes:
            stack += [None] * (pushes - 1) + [instr]
    return operands, consumers


def _wants_raw(instr: QInstr | None, raw_locals: dict[int, dict[int, str]]) -> str | None:
    """The kind of raw operand `instr` takes, if it takes raw operands."""
    if instr is None:
        return None
    if instr.name in RAW_OPS:
        return RAW_OPS[instr.name][0]
    if instr.name == RAW_ARGUMENTS_CALL:
        return "arguments"  # (each its own kind: _argument_kind)
    if instr.name in ("STORE_FAST", "STORE_FAST_RAW"):
        return raw_locals.get(id(instr), {}).get(instr.oparg)
    return RAW_FORM_KINDS.get(instr.name)


def _choose_representations(program, operands, consumers, raw_locals, generic_sites, states):
    """Turn producers and users of raw values into their raw forms; the conversions
    to insert before and after instructions."""
    before: dict[int, list[QInstr]] = {}
    after: dict[int, list[QInstr]] = {}
    taken: dict[int, str] = {}  # producer -> the kind of raw value its user takes from it
    for instr in program:
        wanted = _wants_raw(instr, raw_locals)
        if wanted is None:
            continue
        _, stack = states.get(instr.start, (None, ()))
        for depth, producer in operands.get(id(instr), []):
            if depth > 1 and instr.name in TOP_RAW:
                continue
            if instr.name == RAW_ARGUMENTS_CALL:
                if depth > instr.oparg:
                    continue  # the callable and NULL stay objects
                wanted = _argument_kind(instr, instr.oparg - depth)  # (each argument its own)
            kind = wanted
            if instr.name in TAKES_INTS and len(stack) >= depth and stack[-depth] is int:
                kind = "int"  # converted below
            # A producer whose unboxing guard kept failing leaves it to the user's own
            # guard: when that one keeps failing too, the user becomes generic.
            if producer is None or producer.start in generic_sites or not _produce_raw(producer, kind, raw_locals):
                before.setdefault(id(instr), []).append(
                    QInstr(f"UNBOX_{SUFFIX[kind]}", instr.covers, depth, guards=(f"operand is {kind}",)))
            else:
                taken[id(producer)] = kind
            if kind != wanted:
                before.setdefault(id(instr), []).append(QInstr("INT_TO_FLOAT", instr.covers, depth))
        if instr.name in RAW_OPS:
            kind_out = RAW_OPS[instr.name][2]
            raw = RAW_OPS[instr.name][1]
            instr.name, instr.pushes_raw = raw, kind_out
            if raw not in TOP_RAW:  # (its operands' guards are the unboxing's now)
                instr.guards = ()
        elif instr.name != RAW_ARGUMENTS_CALL:
            instr.name = "STORE_FAST_RAW"
    for instr in program:
        kinds = raw_locals.get(id(instr), {})
        if instr.name == "LOAD_FAST" and instr.oparg in kinds:  # a raw local whose user wants an object
            instr.name = f"LOAD_FAST_BOX_{SUFFIX[kinds[instr.oparg]]}"
        elif instr.pushes_raw and taken.get(id(instr)) != instr.pushes_raw:
            # (a user of the other kind, as CPython's adaptive forms may choose, unboxes it
            # with a guard that fails, as it would on the object)
            consumer = consumers.get(id(instr))
            if instr.name == "LOAD_FAST_RAW":
                instr.name, instr.pushes_raw = f"LOAD_FAST_BOX_{SUFFIX[instr.pushes_raw]}", None
            elif instr.pushes_raw == "float" and consumer is not None and consumer.name == "STORE_FAST":
                consumer.name = "STORE_FAST_BOX_FLOAT"  # boxed as it is stored, into the old float if it can
            elif (instr.pushes_raw == "float" and consumer is not None and consumer.name == "STORE_ATTR_CACHED"
                  and (2, instr) in operands.get(id(consumer), [])):
                consumer.name = "STORE_ATTR_CACHED_BOX_FLOAT"  # the stored value (not the owner): the same
            elif instr.pushes_raw == "float" and consumer is not None and consumer.name == FOLDABLE_YIELD:
                consumer.name = FOLDABLE_YIELD_RAW  # a sum(), all() or any() takes it raw; boxed only to suspend
                consumer.note = ("a raw float goes straight into a sum() of this generator, or past all() or any(); "
                                 "boxed only to suspend")
            else:
                after[id(instr)] = [QInstr(f"BOX_{SUFFIX[instr.pushes_raw]}", instr.covers,
                                           note="its user wants an object")]
    return before, after


def _argument_kind(call: QInstr, position: int) -> str:
    return "int" if call.raw_operand >> position & 1 else "float"


def _produce_raw(producer: QInstr, kind: str, raw_locals) -> bool:
    """Turn the producer of a raw operand into one that pushes a raw value, if it can."""
    if producer.pushes_raw or producer.name in RAW_OPS:
        return (producer.pushes_raw or RAW_OPS[producer.name][2]) == kind
    local_kind = raw_locals.get(id(producer), {}).get(producer.oparg)
    if producer.name == "LOAD_FAST" and local_kind == kind:
        producer.name = "LOAD_FAST_RAW"
    elif producer.name == "LOAD_FAST" and local_kind is None:
        producer.name, producer.guards = f"LOAD_FAST_UNBOX_{SUFFIX[kind]}", (f"local is {kind}",)
    elif producer.name == "LOAD_CONST" and KINDS.get(type(producer.operand)) == kind and _bits(producer.operand) is not None:
        producer.name, producer.raw_operand = "LOAD_CONST_RAW", _bits(producer.operand)
        producer.operand = NOTHING
    elif producer.name == "BINARY_SUBSCR_LIST_INT" and kind == "float":
        producer.name, producer.guards = "BINARY_SUBSCR_LIST_INT_UNBOX_FLOAT", ("list item is float",)
        producer.note = "other containers, indexes and items exit to the interpreter"
    elif producer.name == "LOAD_ATTR_CACHED" and kind == "float":
        producer.name, producer.guards = "LOAD_ATTR_CACHED_UNBOX_FLOAT", ("attribute is float",)
        producer.note = "another type goes on in the interpreter after the load"
    elif producer.name in ("LOAD_GLOBAL_CACHED", "LOAD_GLOBAL_PURE") and kind == "int" and not producer.oparg & 1:
        producer.name, producer.guards = "LOAD_GLOBAL_CACHED_UNBOX_INT", ("global is an int that fits a raw int",)
        producer.note = "inline cache; another value, or a miss that could run code, exits to the interpreter"
    elif producer.name == "CALL_BUILTIN_LEN" and kind == "int":
        producer.name = "CALL_BUILTIN_LEN_RAW"
    elif producer.name == "FOR_ITER_RANGE" and kind == "int":
        producer.name, producer.guards = "FOR_ITER_RANGE_RAW", ("iterator is a range iterator",)
        producer.note = "other iterators exit to the interpreter"
    else:
        return False
    producer.pushes_raw = kind
    return True


def _bits(value: float | int) -> int | None:
    """The raw bits of a constant (None: it can't be raw).  A stencil only stores
    them (LOAD_CONST_RAW), so 0 is as good as any: nothing compares the hole."""
    if isinstance(value, float):
        return struct.unpack("<Q", struct.pack("<d", value))[0]
    if not INT64[0] <= value <= INT64[1]:
        return None
    return value & (2 ** 64 - 1)


def _record_raw_stack(program: list[QInstr], depths: dict[int, int], raw_locals) -> None:
    """raw_stack (and raw_locals for original instructions): which slots hold raw
    values before each instruction runs."""
    stack: list[str | None] = []
    masks: dict[int, tuple[int, int]] = {}  # id(a region's kinds, which its instructions share) -> its masks
    for instr, starts in _blocks(program):
        if starts:
            stack = [None] * depths.get(instr.start, 0)
        if len(stack) > MAX_SLOTS:
            raise ValueError("too deep a stack to track unboxed values")
        kinds = raw_locals.get(id(instr))
        if kinds:
            mask = masks.get(id(kinds))
            if mask is None:
                mask = masks[id(kinds)] = (sum([1 << v for v in kinds]),
                                           sum([1 << v for v, k in kinds.items() if k == "int"]))
            instr.raw_locals, instr.raw_int_locals = mask
        if any(stack):
            instr.raw_stack = sum([1 << i for i, k in enumerate(stack) if k])
            instr.raw_int_stack = sum([1 << i for i, k in enumerate(stack) if k == "int"])
        name = instr.name
        if name in ("UNBOX_FLOAT", "UNBOX_INT"):
            stack[-instr.oparg] = name.split("_")[1].lower()
        elif name == "INT_TO_FLOAT":
            stack[-instr.oparg] = "float"
        elif name in ("BOX_FLOAT", "BOX_INT"):
            stack[-1] = None
        elif not name.startswith(("UNBOX_LOCAL", "BOX_LOCAL", "DROP_RAW_LOCALS")):
            effect = _effect(instr)
            if effect is None:
                stack = [None] * max(_depth_after(instr, len(stack)), 0)
                continue
            pops, pushes = effect
            if pops:
                del stack[len(stack) - pops:]
            if pushes == 1:
                stack.append(instr.pushes_raw)
            elif pushes:
                stack += [None] * (pushes - 1) + [instr.pushes_raw]

"""Inlining calls of small pure functions (stencils/inline.c).

A call `f(a, b)` of a global that names, when the caller is compiled, a *pure leaf*: a
function whose code is arithmetic and comparisons on its parameters and constants (loads
and stores of locals, constants, BINARY_OP, COMPARE_OP and the forward jumps after it,
RETURN_VALUE; no calls, no loops, no cells, no handlers, not a generator), its parameters
bound positionally (or by keywords naming the last ones in order) and by its defaults.
The site becomes CALL_INLINED (CALL_INLINED_DEFAULTS), which runs the callee's own
specialized and unboxed body in a scratch frame instead of pushing a frame and calling it.

The body may only be made of raw operations (accel/specializer/unbox.py's): it takes no
references, makes no object but its boxed result, and runs no Python code, so it can
stop anywhere.  Any exit in it (a type guard, an int overflow, a zero divisor) becomes
an exit at the caller's call, its stack untouched: the interpreter makes the real call,
with stock's results, exceptions and tracebacks.  CALL_INLINED guards what the choice
assumed (the callable is a function with that code, nothing traces, recursion room);
a guard that keeps failing makes the site generic when the code is compiled again.

The types of the arguments come from the caller's inference; an argument of unknown
type is taken to be of the type the callee's own compile saw it (an int or a float),
else, at a recompile (or in a generator's code, which no profile compiles again),
guessed an int, else a float, whichever makes the whole body raw (the body's unboxing
guards check it on every call).  A first compile does not guess: a wrong guess exits
the caller at the call, and in a caller that runs once (a main() with a long loop) the
interpreter would run all the rest of it; the plain call runs natively instead, and
the code is compiled again after its first call or, in a hot loop, mid-run (on-stack
replacement, native/deopt.c), by when the callee has been compiled for its arguments.

Where the body reads every parameter only as a raw int or float (and no default binds one), the arguments are passed raw
(CALL_INLINED_RAW_ARGUMENTS): the caller's unboxing pass makes their producers push
them raw, or unboxes them before the call, with the guards the body's reads had, and
the body reads them raw; an exit boxes them back on the caller's stack.
"""
from __future__ import annotations

import types
from collections.abc import Callable

from ..frontend.decode import Decoded, decode, stack_depths
from .ir import NOTHING, QInstr, link
from .quicken import quicken
from .specialize import MIXES_INTS, Feedback, specialize
from .types import infer, nb_name, plain_type
from .unbox import INFALLIBLE_RAW, RAW_ARGUMENTS_CALL, RAW_OPS, fuse_int_operations, unbox, values_and_users

# The bytecode a pure leaf may have (no loop, nothing that runs Python code once its
# operands are the raw ints and floats its body guards them to be).
LEAF_OPCODES = frozenset({"RESUME", "NOP", "LOAD_FAST", "STORE_FAST", "LOAD_CONST", "BINARY_OP", "RETURN_VALUE",
                          "COMPARE_OP", "POP_JUMP_FORWARD_IF_TRUE", "POP_JUMP_FORWARD_IF_FALSE", "JUMP_FORWARD"})
MAX_LEAF_INSTRUCTIONS = 48
# co_flags a leaf may not have: *args, **kwargs, generator, coroutine, async generator.
NOT_LEAF_FLAGS = 0x04 | 0x08 | 0x20 | 0x80 | 0x100 | 0x200
# What the guess for an argument of unknown type tries, in order.
GUESSES = (int, float)
KIND_TYPES = {t.__name__: t for t in GUESSES}
# Body steps that only compute on raw values (each may exit, none takes a reference).
RAW_STEPS = INFALLIBLE_RAW | {"LOAD_FAST_UNBOX_INT", "LOAD_FAST_UNBOX_FLOAT", "INT_TO_FLOAT",
                              "BINARY_OP_POWER_FLOAT_RAW_HALF", "JUMP_FORWARD"}
# The last step before the return, which pushes the result as an object.
RESULT_STEPS = frozenset({"BOX_FLOAT", "BOX_INT", "LOAD_FAST_BOX_FLOAT", "LOAD_FAST_BOX_INT",
                          "LOAD_CONST", "LOAD_FAST"})
# Steps that read a local as an object: only a parameter may be read so (the scratch
# frame's other locals hold nothing until the body makes them raw and unbound).
READS_OBJECT_LOCAL = frozenset({"LOAD_FAST_UNBOX_INT", "LOAD_FAST_UNBOX_FLOAT", "LOAD_FAST"})
# What the callee's own return path does that the inlined body leaves out: its raw
# locals die with the scratch frame, and no eval-breaker check happens in between.
DROPPED_STEPS = frozenset({"RESUME", "NOP", "DROP_RAW_LOCALS", "BOX_LOCAL_INT", "BOX_LOCAL_FLOAT"})
UNBIND_STEPS = {"UNBOX_LOCAL_INT": "INLINE_UNBIND_LOCAL_INT", "UNBOX_LOCAL_FLOAT": "INLINE_UNBIND_LOCAL_FLOAT"}
# Result steps that box a raw value: where the caller takes the result raw, the body
# leaves it raw (a BOX_* is dropped, a LOAD_FAST_BOX_* loads it raw).
BOXES_RESULT = {"BOX_FLOAT": "float", "BOX_INT": "int", "LOAD_FAST_BOX_FLOAT": "float", "LOAD_FAST_BOX_INT": "int"}
# A parameter's read in the body as a raw value -> the kind it guards it to be.
UNBOXING_READS = {"LOAD_FAST_UNBOX_INT": "int", "LOAD_FAST_UNBOX_FLOAT": "float"}
# Int operations the caller's use of an int result may be speculated to be (guarded).
INT_SPECULATED = frozenset({"ADD", "SUBTRACT", "MULTIPLY"})


def _is_raw_step(name: str) -> bool:
    """Raw arithmetic, and comparisons of raw values that jump (forward: a leaf has no loop)."""
    return name in RAW_STEPS or name.startswith(("BINARY_OP_", "COMPARE_OP_")) and "_RAW" in name


class Inliner:
    """Chooses the call sites of one caller to inline and compiles their bodies."""

    def __init__(self, decoded: Decoded, feedback: Feedback, globals_: dict, limits: tuple[int, int],
                 adaptive_of: Callable[[types.CodeType], dict[int, str]],
                 argument_kinds_seen: Callable[[types.CodeType], tuple[str, ...] | None], may_guess: bool):
        """limits: the scratch frame's slots and the most arguments (native/inline.h);
        argument_kinds_seen: a callee's argument_kinds() when it was compiled, if it was;
        may_guess: whether an argument whose type nothing tells is guessed (a recompile,
        or code that is never compiled again for its profile)."""
        self.decoded, self.feedback, self.globals = decoded, feedback, globals_
        self.slots, self.max_args = limits
        self.adaptive_of = adaptive_of
        self.argument_kinds_seen, self.may_guess = argument_kinds_seen, may_guess
        self.guesses_withheld = False  # a call left plain that a guess might have inlined
        self.bodies: dict[int, list[QInstr]] = {}  # id(CALL_INLINED) -> its body
        self.raw_results: dict[int, str] = {}  # id(CALL_INLINED) -> the kind its body could return raw
        self._depths: dict[int, int] | None = None
        self._leaves: dict[str, types.FunctionType] | None = None
        self.program: list[QInstr] = []
        self._operands: dict | None = None  # id(instruction) -> its operands' producers, by depth

    def inline_calls(self, program: list[QInstr]) -> list[QInstr]:
        """The program with each call of a pure leaf made CALL_INLINED (in place)."""
        if "CALL_INLINED" not in self.feedback.stencils or not self._leaf_globals():
            return program
        self.program = program
        for instr in program:
            if instr.name == "CALL" and instr.start not in self.feedback.generic_sites:
                self._try_inline(instr)
        if self.bodies:
            self._results_raw(program)
        return program

    def _results_raw(self, program: list[QInstr]) -> None:
        """Where the user of an inlined call's result is a raw operation (made one, with
        guards, if it takes operands of unknown types and the result is a float), the
        body returns its result raw and the call pushes it raw; the unboxing pass then
        keeps it raw for that user, or boxes it for any other."""
        operands, consumers = values_and_users(program, self._stack_depths())
        for call in program:
            kind = self.raw_results.get(id(call))
            user = consumers.get(id(call))
            if kind is None or user is None:
                continue
            if user.name not in RAW_OPS and not self._speculate(user, call, kind, operands.get(id(user), [])):
                continue
            body = self.bodies[id(call)]
            boxes = []
            for i, step in enumerate(body):
                if step.name == "INLINE_RETURN":
                    step.name = "INLINE_RETURN_RAW"
                    result = body[i - 1]
                    if result.name.startswith("BOX_"):
                        boxes.append(result)
                    else:
                        result.name = "LOAD_FAST_RAW"
            self.bodies[id(call)] = _without(body, boxes)  # (never None: a return follows each box)
            call.pushes_raw = kind

    def _speculate(self, user: QInstr, call: QInstr, kind: str, operands: list) -> bool:
        """A float (int) operation on operands of unknown types whose one operand is the
        call's float (int) result becomes the float (int) operation, its other operand
        guarded to be one too (only a known int, for an int result); whose guards keep
        failing makes it generic at the next compile."""
        op = nb_name(user.oparg)[3:] if user.name.startswith("BINARY_OP_") else ""
        if user.name != f"BINARY_OP_{op}_INT_OR_FLOAT" or user.start in self.feedback.generic_sites:
            return False
        _, stack = self.feedback.states.get(user.start, ((), ()))
        other = [depth for depth, producer in operands if producer is not call]
        if len(other) != 1 or len(stack) < other[0]:
            return False
        other_type = plain_type(stack[-other[0]])
        if kind == "float" and op in MIXES_INTS and other_type in (float, int, None):
            name = f"BINARY_OP_{op}_FLOAT"
        elif kind == "int" and op in INT_SPECULATED and other_type is int:
            name = f"BINARY_OP_{op}_INT"
        else:
            return False
        if name not in RAW_OPS or name not in self.feedback.stencils:
            return False
        user.name, user.guards = name, (f"left is {kind}", f"right is {kind}")
        user.note = f"the inlined call's result is {'a float' if kind == 'float' else 'an int'}: speculated so"
        return True

    def _stack_depths(self) -> dict[int, int]:
        if self._depths is None:
            self._depths = stack_depths(self.decoded)
        return self._depths

    def append_bodies(self, program: list[QInstr]) -> list[QInstr]:
        """The bodies after the caller's program, each the jump target of its CALL_INLINED
        (which calls it); every step of a body stands for the call, where it exits."""
        result = list(program)
        for instr in program:
            body = self.bodies.get(id(instr))
            if body is None:
                continue
            for step in body:
                step.covers, step.acts_at = instr.covers, instr.acts_at
            instr.target_instr = body[0]
            result += body
        return result

    def _leaf_globals(self) -> dict[str, types.FunctionType]:
        """The caller's global names that name pure leaves now (most callers have none)."""
        if self._leaves is None:
            values = ((name, self.globals.get(name)) for name in set(self.decoded.code.co_names))
            self._leaves = {name: value for name, value in values
                            if type(value) is types.FunctionType and _is_leaf(value.__code__, self.max_args, self.slots)}
        return self._leaves

    def _try_inline(self, call: QInstr) -> None:
        callee = self._callee(call)
        if callee is None:
            return
        code = callee.__code__
        missing = code.co_argcount - call.oparg  # parameters left to their defaults
        defaults = callee.__defaults__ or ()
        if missing < 0 or missing > len(defaults):
            return
        keywords = call.operand  # (KW_NAMES folded in): they must name the last parameters, in order
        if keywords is not NOTHING and code.co_varnames[call.oparg - len(keywords):call.oparg] != keywords:
            return
        _, stack = self.feedback.states.get(call.start, ((), ()))
        given = stack[len(stack) - call.oparg:] if len(stack) >= call.oparg else (None,) * call.oparg
        # (A builtin or module passed along is not a type the callee's steps are chosen for.)
        passed = tuple(t if isinstance(t, type) else None for t in map(plain_type, given))
        known = passed + tuple(type(value) for value in defaults[len(defaults) - missing:])
        for argument_types in self._argument_types(code, known):
            body = self._body(code, callee.__globals__, argument_types)
            if body is not None:
                break
        else:
            return
        raw_arguments = None if missing else _raw_parameters(body, code.co_argcount)
        if raw_arguments and self._argument_unboxing_failed(call):
            return  # (the body's reads of it would fail as often: a plain call)
        if raw_arguments:
            body = fuse_int_operations(body)  # (its raw parameters are raw locals now)
        self.bodies[id(call)] = body
        results = {BOXES_RESULT.get(body[i - 1].name) for i, q in enumerate(body) if q.name == "INLINE_RETURN"}
        if len(results) == 1 and None not in results:
            self.raw_results[id(call)] = results.pop()
        call.oparg2 = code.co_nlocals  # (no cells: all locals)
        if raw_arguments:
            call.name, call.operand = RAW_ARGUMENTS_CALL, code
            call.raw_operand = sum(1 << i for i, kind in enumerate(raw_arguments) if kind == "int")
        elif missing:
            call.name, call.operand = "CALL_INLINED_DEFAULTS", (code, callee.__defaults__)
        else:
            call.name, call.operand = "CALL_INLINED", code
        call.guards = (f"callee is a function with {code.co_name}'s code" + (" and defaults" if missing else ""),
                       "no tracing or profiling",
                       "below the recursion limit")
        kinds = ", ".join(t.__name__ for t in argument_types) or "no arguments"
        call.note = (f"inlined {code.co_qualname} ({kinds}), its steps raw{', its arguments raw' if raw_arguments else ''}; "
                     "any exit in it exits here, before the call")

    def _argument_types(self, code: types.CodeType, known: tuple) -> list[tuple]:
        """The argument types to try to inline the callee for, in order (see the top)."""
        if None not in known:
            return [known]
        seen = self.argument_kinds_seen(code) or ()
        observed = tuple(KIND_TYPES.get(seen[i]) if t is None and i < len(seen) else t for i, t in enumerate(known))
        tries = [observed] if None not in observed else []
        if self.may_guess:
            return tries + [tuple(guess if t is None else t for t in known) for guess in GUESSES]
        self.guesses_withheld = self.guesses_withheld or not tries
        return tries

    def _argument_unboxing_failed(self, call: QInstr) -> bool:
        """Whether the unboxing of an argument as it is pushed (accel/specializer/unbox.py)
        kept failing: its producer's site is generic."""
        if self._operands is None:
            self._operands = values_and_users(self.program, self._stack_depths())[0]
        return any(producer is not None and producer.start in self.feedback.generic_sites
                   for depth, producer in self._operands.get(id(call), []) if depth <= call.oparg)

    def _callee(self, call: QInstr) -> types.FunctionType | None:
        """The pure leaf the global loaded (with NULL below it) for the call names now."""
        depths, instructions = self._stack_depths(), self.decoded.instructions
        if call.start not in depths:
            return None
        below = depths[call.start] - call.oparg - 2  # the depth of the NULL
        position = self.decoded.index[call.start] - 1
        while position >= 0:
            instr = instructions[position]
            depth = depths.get(instr.start)
            if depth is None or depth < below:
                return None
            if depth == below:
                if instr.name != "LOAD_GLOBAL" or not instr.arg & 1:
                    return None
                return self._leaf_globals().get(self.decoded.code.co_names[instr.arg >> 1])
            position -= 1
        return None

    def _body(self, code: types.CodeType, globals_: dict, argument_types: tuple) -> list[QInstr] | None:
        """The callee's body, specialized for these argument types, as raw steps, each
        return an INLINE_RETURN right after the step that pushes its result as an
        object; None if any part of it would not be raw."""
        decoded = decode(code)
        states = infer(decoded, argument_types, globals_)
        feedback = Feedback(states=states, adaptive=self.adaptive_of(code), generic_sites=frozenset(),
                            stencils=self.feedback.stencils, private_layout_ok=self.feedback.private_layout_ok)
        program = unbox(link(specialize(decoded, quicken(decoded), feedback)), decoded, states)
        body = _without(program, [q for q in program if q.name in DROPPED_STEPS])
        if body is None or body[-1].name != "RETURN_VALUE":
            return None
        inside = {id(q) for q in body}
        targets = {id(q.target_instr) for q in body if q.target_instr is not None}
        depths = stack_depths(decoded)
        for i, step in enumerate(body):
            if step.target_instr is not None and id(step.target_instr) not in inside:
                return None
            if step.name in READS_OBJECT_LOCAL and step.oparg >= code.co_argcount:
                return None  # (only parameters hold objects in the scratch frame)
            if step.name == "RETURN_VALUE":
                # The result is the only value on the body's stack (INLINE_RETURN_RAW takes
                # it from there), pushed as an object by the step before, which nothing skips.
                if (i == 0 or body[i - 1].name not in RESULT_STEPS or id(step) in targets
                        or depths.get(step.start) != 1):
                    return None
                step.name = "INLINE_RETURN"
            elif step.name in RESULT_STEPS:
                if body[i + 1].name != "RETURN_VALUE":
                    return None
            elif step.name in UNBIND_STEPS and step.oparg >= code.co_argcount:
                step.name = UNBIND_STEPS[step.name]  # a local that is not a parameter: unbound
            elif not _is_raw_step(step.name):
                return None
        for step in body:
            step.raw_locals = step.raw_stack = step.raw_int_locals = step.raw_int_stack = 0
            step.unwind = None
        return body


def argument_kinds(argument_types: tuple) -> tuple[str, ...]:
    """What records keep of the types a code object was compiled for: the names of GUESSES'."""
    return tuple(t.__name__ if t in GUESSES else "" for t in argument_types)


def _raw_parameters(body: list[QInstr], parameters: int) -> tuple[str, ...] | None:
    """The kinds of the parameters, if the body reads each of them, and only as a raw
    value of one kind (LOAD_FAST_UNBOX_*, then made LOAD_FAST_RAW: its guard becomes
    the caller's); None, the body unchanged, if not."""
    kinds: dict[int, str] = {}
    for step in body:
        if step.oparg < parameters and (step.name in READS_OBJECT_LOCAL or step.name.startswith(("UNBOX_LOCAL",
                                                                                               "STORE_FAST"))):
            kind = UNBOXING_READS.get(step.name)
            if kind is None or kinds.setdefault(step.oparg, kind) != kind:
                return None
    if not parameters or len(kinds) != parameters:
        return None
    for step in body:
        if step.name in UNBOXING_READS and step.oparg < parameters:
            step.name, step.guards = "LOAD_FAST_RAW", ()
    return tuple(kinds[p] for p in range(parameters))


def _without(program: list[QInstr], dropped: list[QInstr]) -> list[QInstr] | None:
    """The program without the dropped steps; a jump to one goes to the next kept step."""
    gone = {id(q) for q in dropped}
    following: dict[int, QInstr | None] = {}
    kept_after = None
    for q in reversed(program):
        if id(q) in gone:
            following[id(q)] = kept_after
        else:
            kept_after = q
    result = [q for q in program if id(q) not in gone]
    for q in result:
        if q.target_instr is not None and id(q.target_instr) in gone:
            q.target_instr = following[id(q.target_instr)]
            if q.target_instr is None:
                return None
    return result


def _is_leaf(code: types.CodeType, max_args: int, slots: int) -> bool:
    if code.co_flags & NOT_LEAF_FLAGS or code.co_cellvars or code.co_freevars or code.co_exceptiontable:
        return False
    if code.co_argcount > max_args or code.co_kwonlyargcount or code.co_nlocals + code.co_stacksize > slots:
        return False
    if len(code.co_code) > 6 * MAX_LEAF_INSTRUCTIONS:  # (code units and inline caches, in bytes)
        return False
    instructions = decode(code).instructions
    return len(instructions) <= MAX_LEAF_INSTRUCTIONS and all(i.name in LEAF_OPCODES for i in instructions)

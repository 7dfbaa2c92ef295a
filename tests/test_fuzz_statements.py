"""A statement-level differential fuzzer: hypothesis writes small functions out of varied
statements (assignments and augmented assignments on locals, attributes, items and a
global; if/elif/else; for over ranges, lists, tuples, dicts, enumerate, zip and strs with
break/continue/else; while; try/except/else/finally with return/break/continue in the
handlers, re-raise and `raise ... from`; with a context manager that may suppress; del;
starred unpacking; comprehensions and generator expressions; a closure with nonlocal; a
nested generator; calls with keywords, defaults, *args and **kwargs; methods, a property,
a __slots__ class; str, list, dict and set operations) over values that mix small and
big ints, floats (nan, inf, -0.0), bools, None, strs and lists.

Each program runs in the stock interpreter and under accel, on the same arguments, and
every call must return the same repr, or raise the same exception (type, message, cause,
context, and the lines of the program its traceback went through).  Two modes:

- compiled: @accel.jit compiles the function on its first call; the next call passes other
  types, and the guards must hand the frame to the interpreter correctly;
- mixed: the hook is on for every function with a low call threshold, so the function
  and its helpers run in the interpreter first, get compiled from what they saw (code
  with a loop compiles on its first call and is compiled again from its profile), and are
  then called with other types: guards fail, the frame exits, the code is compiled again.

Programs that stock CPython cannot run within a second (values that grow without bound)
are rejected before accel runs them.  A longer, reproducible run:

    ACCEL_FUZZ_EXAMPLES=5000 python -m pytest -p no:xdist tests/test_fuzz_statements.py --hypothesis-seed=1234

or, going on after a divergence (each written to a file), tests/fuzz_statements_long.py.
"""
from __future__ import annotations

import copy
import re
import signal
import textwrap
import os
import traceback
import warnings
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import accel
from accel.runtime import config, costs, native

EXAMPLES = int(os.environ.get("ACCEL_FUZZ_EXAMPLES", "60"))

# The module every program starts with: the classes, helpers and global its functions use.
PRELUDE = '''
G = 3
LOG = []

class C:
    k = 1
    def __init__(self, v):
        self.v = v
        self.w = 0
    def m(self, d=1):
        self.w += d
        return self.v
    @property
    def prop(self):
        return self.w
    def __repr__(self):
        return f"C({self.v!r}, {self.w!r})"

class S:
    __slots__ = ("v", "w")
    def __init__(self, v):
        self.v = v
        self.w = 2.5
    def m(self, d=1):
        self.w = self.w + d
        return self.w
    def __repr__(self):
        return f"S({self.v!r}, {self.w!r})"

class CM:
    def __init__(self, suppress):
        self.suppress = suppress
    def __enter__(self):
        LOG.append("enter")
        return self
    def __exit__(self, kind, value, tb):
        LOG.append(kind.__name__ if kind else "exit")
        return self.suppress

def h(p, q=2, *args, k=1, **kw):
    return (p, q, args, k, sorted(kw.items()))

def pair(p, q=None):
    return [p, q]
'''

PARAMS = ["a", "b", "c"]                    # never assigned: multiplications by them grow ints linearly
LOCALS = ["x", "y", "z"]
READABLE = PARAMS + LOCALS
CONSTANTS = ["0", "1", "-3", "7", "2.5", "-0.0", "float('nan')", "float('inf')", "(2 ** 63 + 5)",
             "-(2 ** 64)", "True", "False", "None", "'ab'", "''"]
# Operands that keep ints from growing faster than linearly in a loop: the multiplier of
# `*` and `*=`, the count of `<<`.
SMALL = PARAMS + ["1", "-3", "7", "2.5", "True", "(2 ** 63 + 5)", "'ab'", "None"]
ARITH = ["+", "-", "*", "/", "//", "%", "&", "|", "^"]
COMPARE = ["<", "<=", "==", "!=", ">", ">="]
AUGMENTED = ["+=", "-=", "*=", "//=", "%=", "|=", "&=", "^=", "<<=", ">>=", "/="]


@dataclass
class Context:
    depth: int = 0
    in_loop: bool = False
    growing: bool = True  # False inside a loop over L: no appends to it
    handler: str | None = None  # the name bound by the enclosing `except ... as`


class Writer:
    """Draws a program, statement by statement."""

    def __init__(self, draw):
        self.draw = draw
        self.fresh = 0

    def choice(self, options):
        return self.draw(st.sampled_from(options))

    def chance(self, p: float = 0.5) -> bool:
        return self.draw(st.integers(0, 99)) < p * 100

    def new_name(self, stem: str) -> str:
        self.fresh += 1
        return f"{stem}{self.fresh}"

    # expressions -------------------------------------------------------------------------
    def leaf(self) -> str:
        return self.choice(READABLE) if self.chance(0.7) else self.choice(CONSTANTS)

    def small(self) -> str:
        return self.choice(SMALL)

    def expr(self, depth: int = 0) -> str:
        if depth >= 2 or self.chance(0.3):
            return self.leaf()
        e = lambda: self.expr(depth + 1)  # noqa: E731
        kind = self.draw(st.integers(0, 27))
        if kind == 0:
            op = self.choice(ARITH)
            return f"({e()} {op} {self.small() if op == '*' else e()})"
        if kind == 1:
            return f"({e()} {self.choice(COMPARE)} {e()})"
        if kind == 2:
            return f"({e()} {self.choice(['and', 'or'])} {e()})"
        if kind == 3:
            return f"({e()} {self.choice(['in', 'not in'])} {self.choice(['L', 'D', 's', 't'])})"
        if kind == 4:
            return f"({e()} if {e()} else {e()})"
        if kind == 5:
            return f"L[{self.choice(['0', '-1', '1'])}]"
        if kind == 6:
            return f"D.get({e()}, {e()})"
        if kind == 7:
            return self.choice(["o.v", "o.w", "o.k", "o.prop", "C.k", "so.v", "so.w", "o.m()", "so.m(1)", "G", "len(L)",
                                "len(D)", "len(s)", "t[0]", "LOG[-1:]"])
        if kind == 8:
            return f"({self.choice(['abs', 'str', 'repr', 'bool', 'int', 'float', 'len', '-', 'not ', '~'])}({e()}))"
        if kind == 9:
            spec = self.choice(["", ":>6", ":.3", ":+", "!r", ":08.2f", ":x", ":,", "!s:^7"])
            inside = e()
            if '"' in inside:  # (3.11: no f-string inside another with the same quotes)
                inside = self.leaf()
            return f'f"<{{({inside}){spec}}}|{{{self.leaf()}}}>"'
        if kind == 10:
            return self.choice([f"(s + str({e()}))", "s.upper()", "'-'.join(map(str, L))", "s.replace('a', 'b')",
                                "s[1:]", f"s.startswith(str({e()}))", "s.split('b')", f"('ab' * ({e()} % 3))",
                                "s.strip().find('b')", f"str({e()}).join(['<', '>'])"])
        if kind == 11:
            return self.choice([f"[v * {self.small()} for v in L if v]", "{kk: vv for kk, vv in D.items()}",
                                "{str(v) for v in L}", f"[i for i in range(len(L)) if i != {e()}]",
                                "[[v, w] for v in t for w in L if v != w]", "{v: i for i, v in enumerate(s)}"])
        if kind == 12:
            return self.choice([f"sum(v for v in range(abs(int(len(L)))) if v != {self.leaf()})",
                                f"any(v == {e()} for v in L)", f"all(v for v in {self.choice(['L', 't', 's'])})",
                                "sum(v * v for v in L)", "sum([v for v in t if v], 0)", "max(L, default=None)",
                                f"min({e()}, {e()})"])
        if kind == 13:
            return self.choice([f"(*L, {e()})", "[*t, *L]", f"{{**D, 'z': {e()}}}", f"{{*t, {e()}}}",
                                f"({e()}, {e()})", f"[{e()}, {e()}]"])
        if kind == 14:
            return self.choice([f"h({e()})", f"h({e()}, {e()})", f"h({e()}, k={e()})", "h(*L)",
                                f"h({e()}, *t, z={e()})", f"h(**{{'p': {e()}, 'q': 1}})", f"h(*t, **{{'r': {e()}}})",
                                f"pair({e()})", f"pair(q={e()}, p={e()})"])
        if kind == 15:
            return self.choice([f"inner({e()})", f"list(gen({e()}))", f"next(gen({e()}), None)",
                                f"sum(gen({e()}))", f"(lambda q, r=2: q * r)({e()})"])
        if kind == 16:
            return f"({self.choice(PARAMS)} ** {self.choice(['2', '0', '-1', '0.5'])})" if self.chance(0.3) else \
                f"({self.leaf()} << ({self.small()} % 64))"
        if kind == 17:
            return self.choice(["sorted(D)", "list(D.values())", "list(D.items())[:2]", "L.copy()", "L.index(L[0])",
                                "L.count(1)", f"D.setdefault('n', {e()})", "t.count(1)", "L[::-1]", "L[1:3]",
                                "set(t) | {1}", "set(L) & set(t)", "D.pop('k', None)", "isinstance(x, int)"])
        return self.leaf()

    # statements ---------------------------------------------------------------------------
    def target(self) -> str:
        kind = self.draw(st.integers(0, 9))
        if kind <= 4:
            return self.choice(LOCALS)
        return self.choice(["o.v", "o.w", "o.k", "so.w", "so.v", "C.k", "G", "L[0]", "L[-1]", "D['k']",
                            f"D[{self.choice(['1', 'x', 's', 'b'])}]", "s"])

    def statements(self, ctx: Context, count: int) -> list[str]:
        lines: list[str] = []
        for _ in range(count):
            lines.extend(self.statement(ctx))
        return lines or ["pass"]

    def block(self, ctx: Context, **changes) -> list[str]:
        inner = Context(depth=ctx.depth + 1, in_loop=ctx.in_loop, growing=ctx.growing, handler=ctx.handler)
        for key, value in changes.items():
            setattr(inner, key, value)
        n = self.draw(st.integers(1, 3 if inner.depth < 2 else 2))
        return ["    " + line for line in self.statements(inner, n)]

    def statement(self, ctx: Context) -> list[str]:
        nested = ctx.depth < 3
        kind = self.draw(st.integers(0, 30 if nested else 13))
        e = self.expr
        if kind <= 2:
            return [f"{self.target()} = {e()}"]
        if kind <= 4:
            op = self.choice(AUGMENTED)
            rhs = self.small() if op == "*=" else f"({self.small()} % 64)" if op in ("<<=", ">>=") else e()
            return [f"{self.target()} {op} {rhs}"]
        if kind == 5:
            return [f"acc.append({e()})"]
        if kind == 6:
            if ctx.growing:
                return [self.choice([f"L.append({e()})", f"L.extend([{e()}, {self.leaf()}])",
                                     f"L += ({self.leaf()},)", "L.insert(0, len(L))"])]
            return [f"L[0] = {e()}"]
        if kind == 7:
            return [self.choice([f"D[{self.leaf()}] = {e()}", f"D.update(k={e()})", f"s = s + str({e()})[:5]",
                                 f"t = ({e()}, {self.leaf()})", f"o = C({e()})", f"so = S({e()})",
                                 "D['k'] = D.get('k', 0) + 1",
                                 # caches keyed on classes and builtins must see these
                                 f"C.m = (lambda self, d=1: ('patched', d, {self.leaf()}))",
                                 "S.m = (lambda self, d=0: self.v)", "len = (lambda q: -1)", "del len",
                                 f"abs = {self.choice(['str', 'bool'])}"])]
        if kind == 8:
            return [self.choice([f"del {self.choice(LOCALS)}", "del L[0]", "del D['k']", "del o.w", "del so.w",
                                 f"del D[{self.leaf()}]"])]
        if kind == 9:
            return [self.choice(["x, y = y, x", f"x, *y = {self.choice(['L', 't', 's', 'D'])}",
                                 f"*x, z = {self.choice(['L', 't', 's'])}", f"x, (y, z) = {e()}, {e()}",
                                 f"y, z = {e()}", "x, y, z = t", f"[x, y] = pair({e()})",
                                 "for kk, vv in D.items(): acc.append((kk, vv))"])]
        if kind == 10:
            if ctx.in_loop:
                return [f"if {e()}: {self.choice(['break', 'continue'])}"]
            return [f"if {e()}: return acc, {e()}"]
        if kind == 11:
            return [f"assert {e()}, {e()}"]
        if kind == 12:
            if ctx.handler is not None:
                return [self.choice(["raise", f"raise ValueError({e()}) from {ctx.handler}",
                                     f"raise KeyError({e()}) from None"])]
            return [f"if {e()}: raise {self.choice(['ValueError', 'KeyError', 'IndexError'])}({e()})"]
        if kind == 13:
            return [f"z = inner({e()})"]
        # compound statements
        if kind <= 16:
            lines = [f"if {e()}:", *self.block(ctx)]
            if self.chance():
                lines += [f"elif {e()}:", *self.block(ctx)]
            if self.chance():
                lines += ["else:", *self.block(ctx)]
            return lines
        if kind <= 20:
            iterable, names, grows = self.choice([
                (f"range({self.choice(['3', '4', '-1', '1, 5, 2', 'len(L)'])})", "i", True),
                (f"range(abs(int({self.leaf()})) % 5)", "i", True),
                ("L", "v", False), ("t", "v", True), ("D", "kk", True), ("D.items()", "kk, vv", True),
                ("enumerate(L)", "i, v", False), ("zip(L, s)", "v, ch", False), ("s", "ch", True),
                ("list(L)", "v", True), ("gen(len(L))", "i", True), ("D.values()", "vv", True)])
            lines = [f"for {names} in {iterable}:", *self.block(ctx, in_loop=True, growing=ctx.growing and grows)]
            if self.chance(0.3):
                lines += ["else:", *self.block(ctx)]
            return lines
        if kind == 21:
            counter = self.new_name("n")
            lines = [f"{counter} = 0", f"while {counter} < {self.choice(['3', '4', 'min(len(L), 4)'])}:",
                     f"    {counter} += 1", *self.block(ctx, in_loop=True)]
            if self.chance(0.3):
                lines += ["else:", *self.block(ctx)]
            return lines
        if kind <= 25:
            return self.try_statement(ctx)
        if kind <= 27:
            return [f"with CM({self.choice(['True', 'False', 'x', 'a'])}) as m:", *self.block(ctx),
                    "acc.append(LOG[-2:])"]
        if kind == 28:
            body = self.block(ctx, in_loop=False, growing=True, handler=None)
            return ["try:", *body, "except Exception as error:", "    acc.append(type(error).__name__)"]
        if kind == 30 and ctx.depth == 0:
            return self.hot_loop()
        return [f"for i in range({self.choice(['2', '3'])}):",
                f"    for j in range({self.choice(['2', 'i', 'len(t)'])}):", *["    " + line for line in self.block(
                    ctx, in_loop=True)]]

    def hot_loop(self) -> list[str]:
        """A loop long enough to get hot while its code profiles (ACCEL_LOOP_HOT_BACK_EDGES):
        on-stack replacement mid-call, then guards on what the replacement was compiled for.
        Its body only adds, subtracts or mixes bits: values grow linearly."""
        op = self.choice(["+=", "-=", "|=", "^="])
        lines = ["for i in range(4200):",
                 f"    {self.target()} {op} {self.leaf() if self.chance() else f'({self.leaf()} if i % 7 else {self.leaf()})'}"]
        if self.chance():
            lines.append(f"    if i == {self.choice(['0', '4100', '4199'])}: acc.append({self.expr()})")
        return lines

    def try_statement(self, ctx: Context) -> list[str]:
        name = self.new_name("e")
        exceptions = self.choice(["Exception", "(TypeError, ValueError)", "ZeroDivisionError", "ArithmeticError",
                                  "(KeyError, IndexError, AttributeError)", "UnboundLocalError", "TypeError"])
        lines = ["try:", *self.block(ctx),
                 f"except {exceptions} as {name}:", f"    acc.append(type({name}).__name__)", *self.block(ctx,
                                                                                                    handler=name)]
        if self.chance(0.3):
            lines += ["except Exception:", "    acc.append('other')"]
        if self.chance(0.3):
            lines += ["else:", *self.block(ctx)]
        if self.chance(0.5):
            fin = self.block(ctx)
            if self.chance(0.3):
                fin.append("    " + (self.choice(["break", "continue"]) if ctx.in_loop else f"return acc, {self.leaf()}"))
            lines += ["finally:", *fin]
        return lines


@st.composite
def programs(draw) -> str:
    writer = Writer(draw)
    body = []
    for _ in range(draw(st.integers(2, 7))):
        lines = writer.statement(Context())
        if draw(st.booleans()):  # most mixes of types raise: go on after this statement's TypeError
            lines = ["try:", *["    " + line for line in lines], "except TypeError as error:",
                     "    acc.append(str(error)[:30])"]
        body += lines
    top = [
        "def f(a, b, c=2):",
        "    global G, len, abs",
        "    acc = []",
        "    x = a",
        "    y = b",
        "    z = 0",
        "    s = 'abc'",
        "    t = (a, 1, 'b')",
        "    L = [a, b, 1]",
        "    D = {'k': a, 1: b}",
        "    o = C(a)",
        "    so = S(b)",
        "    def inner(k):",
        "        nonlocal z",
        "        z = z + k if isinstance(k, (int, float)) and not isinstance(z, str) else k",
        "        return z",
        "    def gen(n):",
        "        for i in range(abs(int(n)) % 5):",
        "            if i == 3:",
        "                return",
        "            yield i * (a if isinstance(a, (int, float)) else 1)",
    ]
    end = ["    return acc, x, y, z, s, t, L, D, o, so, G, C.k"]
    return PRELUDE + "\n".join(top + ["    " + line for line in body] + end) + "\n"


NUMBERS = st.one_of(st.integers(-5, 5), st.sampled_from([2 ** 63 - 1, 2 ** 63 + 1, -(2 ** 62), 12345]),
                    st.sampled_from([0.0, -0.0, 1.5, -2.25, float("nan"), float("inf"), 1e308]), st.booleans())
OTHERS = st.one_of(st.none(), st.sampled_from(["", "ab", "b"]), st.just([1, 2.5]), st.just((1, 2)))
# Three numbers in four: other types make most operations raise TypeError at once.
VALUES = st.integers(0, 3).flatmap(lambda n: OTHERS if n == 0 else NUMBERS)
ARGUMENTS = st.one_of(st.tuples(VALUES, VALUES), st.tuples(VALUES, VALUES, VALUES))

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def outcome(function, args) -> tuple:
    """What a call did, comparable across runs: the repr it returned, or the exception's type,
    message, cause and context, and the program's lines its traceback went through."""
    args = copy.deepcopy(args)  # (a list argument may be changed in place: each run gets its own)
    try:
        return ("returned", ADDRESS.sub("0x?", repr(function(*args))))
    except Exception as error:  # the program's own exceptions are part of what must match
        lines = [(frame.name, frame.lineno) for frame in traceback.extract_tb(error.__traceback__)
                 if frame.filename == "<fuzz>"]
        if isinstance(error, UnboundLocalError) and lines:
            # Stock 3.11 is not consistent here: once the interpreter has quickened the code, a
            # LOAD_FAST fused into STORE_FAST__LOAD_FAST (or LOAD_FAST__LOAD_FAST) raises at the
            # first instruction of the pair, whose line may be the one before (`for i in ...:`
            # then `x, y = y, x`); cold code, and accel, report the LOAD_FAST's own line.
            lines[-1] = (lines[-1][0], "line of the unbound load")
        return ("raised", type(error).__name__, ADDRESS.sub("0x?", str(error)), lines,
                type(error.__cause__).__name__, type(error.__context__).__name__, error.__suppress_context__)


def build(source: str):
    namespace: dict = {"__name__": "fuzz"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # (`assert (x, y)`: always true, and meant)
        code = compile(source, "<fuzz>", "exec")
    exec(code, namespace)
    return namespace["f"]


class TooSlow(BaseException):
    """Stock took too long: the program's values grew without bound."""


def stock_outcomes(source: str, calls: list[tuple]) -> list[tuple] | None:
    """The calls in the stock interpreter (accel's hook off); None for programs that need
    more than a second, or memory they cannot get (the tests reject those)."""
    fired = []
    armed = [True]  # (cleared first thing after the calls, before anything that runs handlers)

    def expire(signum, frame):
        fired.append(True)
        if armed[0]:
            raise TooSlow

    previous = signal.signal(signal.SIGALRM, expire)
    # Again and again: a `finally: return` of the program, or a gc callback, swallows one.
    signal.setitimer(signal.ITIMER_REAL, 1.0, 0.05)
    try:
        function = build(source)
        results = [outcome(function, args) for args in calls]
    except (TooSlow, MemoryError, RecursionError):
        armed[0] = False
        fired.append(True)
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if fired or any(r[1] in ("MemoryError", "RecursionError") or len(repr(r)) > 20_000 for r in results):
        return None
    return results


def internal_errors() -> int:
    return costs.failures.get("internal error", 0)


def check_native(function, source: str, errors_before: int) -> None:
    """No internal compiler error, and f itself ran native code: not a fuzzer of fallbacks."""
    assert internal_errors() == errors_before, ("accel's compiler raised (ACCEL_LOG=compile shows where)", source)
    info = native.code_info(function.__code__)
    assert info is not None and info.state == "compiled" and info.native_entries > 0, (info, source)


@pytest.fixture(scope="module")
def restore_accel():
    was_enabled = accel.is_enabled()
    yield
    native.set_threshold(config.threshold())
    if was_enabled:
        accel.enable()
    else:
        accel.disable()


COMPILED_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                    HealthCheck.data_too_large])


@COMPILED_SETTINGS
@given(source=programs(), first=ARGUMENTS, then=ARGUMENTS)
def test_compiled_on_first_call(restore_accel, source, first, then):
    accel.disable()
    expected = stock_outcomes(source, [first, then])
    assume(expected is not None)
    errors = internal_errors()
    compiled = accel.jit(build(source))
    try:
        got = [outcome(compiled, first), outcome(compiled, then)]
    finally:
        accel.disable()
    assert got == expected, f"{source}\nstock: {expected}\naccel: {got}"
    check_native(compiled, source, errors)


def mixed_calls(first: tuple, then: tuple) -> list[tuple]:
    # Threshold 2: two calls in the interpreter, the third compiles from what they saw (code
    # with a loop: compiled on the first call, and again from its profile after it), the
    # fourth runs that; then other types, whose guards fail, and the first types again.
    return [first, first, first, first, then, then, then, first]


def check_mixed_mode(source: str, calls: list[tuple], expected: list[tuple]) -> None:
    errors = internal_errors()
    function = build(source)
    accel.enable()
    native.set_threshold(2)  # (after enable(), which applies ACCEL_THRESHOLD)
    try:
        got = [outcome(function, args) for args in calls]
    finally:
        accel.disable()
        native.set_threshold(config.threshold())
    assert got == expected, f"{source}\nstock: {expected}\naccel: {got}"
    check_native(function, source, errors)


@COMPILED_SETTINGS
@given(source=programs(), first=ARGUMENTS, then=ARGUMENTS)
def test_mixed_mode_profiles_then_deopts(restore_accel, source, first, then):
    calls = mixed_calls(first, then)
    accel.disable()
    expected = stock_outcomes(source, calls)
    assume(expected is not None)
    check_mixed_mode(source, calls, expected)


def test_mixed_mode_reaches_native_code_and_guards(restore_accel):
    """The mixed mode's call sequence does what it is for, on a fixed program: f runs in the
    interpreter, is compiled from its profile, and the later types fail its guards."""
    source = PRELUDE + textwrap.dedent("""
        def f(a, b, c=2):
            x = a * c
            o = C(b)
            return x + a, o.v + b
    """)
    calls = mixed_calls((1, 2), (1.5, "s"))
    accel.disable()
    expected = stock_outcomes(source, calls)
    assert expected is not None
    before = native.counters()
    check_mixed_mode(source, calls, expected)
    after = native.counters()
    assert after["functions_compiled"] > before["functions_compiled"]
    assert after["exits"].get("GUARD_TYPE", 0) > before["exits"].get("GUARD_TYPE", 0), after["exits"]

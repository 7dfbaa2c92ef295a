"""A differential fuzzer: hypothesis writes small Python functions (arithmetic on mixed
int/float/bool/None values, loops, branches, exceptions, calls, attribute and subscript
access); each runs once in the stock interpreter and once compiled on its first call
(@accel.jit), on the same arguments, and must return or raise the same thing.

The default run is short.  A longer, reproducible one:

    ACCEL_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py --hypothesis-seed=1234
"""
from __future__ import annotations

import math
import os
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import accel
from accel.runtime import native

EXAMPLES = int(os.environ.get("ACCEL_FUZZ_EXAMPLES", "300"))

NAMES = ["a", "b", "c", "x", "i"]
CONSTANTS = st.sampled_from(["0", "1", "-3", "7", "2.5", "-0.5", "1e300", "True", "False", "None",
                             "(2 ** 62)", "(2 ** 70)", "float('nan')", "float('inf')"])
BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">", ">=", "&", "|", "^"])
CALLS = st.sampled_from(["abs({})", "min({}, 3)", "max({}, -1.5)", "(float({}) if isinstance({}, int) else {})",
                         "[{}, 1, 2.0][1]", "P({}).v", "(lambda q: q * 2)({})", "(({}),)[0]"])


def expressions() -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(NAMES), CONSTANTS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda l, op, r: f"({l} {op} {r})", inner, BINARY, inner),
            st.builds(lambda l, r: f"({l} >> {r})", inner, inner),
            st.builds(lambda l, r: f"({l} << ({r} % 70))", inner, inner),  # (no counts that exhaust memory)
            st.builds(lambda e: f"(-{e})", inner),
            st.builds(lambda e: f"(not {e})", inner),
            st.builds(lambda call, e: call.format(e, e, e), CALLS, inner),
            st.builds(lambda c, t, f: f"({t} if {c} else {f})", inner, inner, inner),
        )

    return st.recursive(leaves, extend, max_leaves=6)


@st.composite
def programs(draw) -> str:
    e = expressions()
    body = f"""
        class P:
            def __init__(self, v):
                self.v = v

        def f(a, b, c):
            x = i = 0
            x = {draw(e)}
            for i in range({draw(st.integers(0, 12))}):
                if {draw(e)}:
                    x = {draw(e)}
                else:
                    x = {draw(e)}
                while x == {draw(e)} and i < 3:
                    i = i + 1
            try:
                y = {draw(e)}
            except (ArithmeticError, TypeError, ValueError) as error:
                y = type(error).__name__
            return x, y, {draw(e)}
    """
    return textwrap.dedent(body)


VALUES = st.one_of(st.integers(-5, 5), st.integers(-(2 ** 70), 2 ** 70), st.floats(allow_nan=True),
                   st.booleans(), st.none())


def outcome(function, args) -> tuple:
    """What a call did, comparable across the two runs (NaNs compare by repr)."""
    try:
        return ("returned", repr(function(*args)))
    except Exception as error:  # the program's own exceptions are part of what must match
        return ("raised", type(error).__name__, str(error))


def build(source: str):
    namespace: dict = {}
    exec(compile(source, "<fuzz>", "exec"), namespace)
    return namespace["f"]


@pytest.fixture(scope="module")
def jit_mode():
    """@accel.jit installs the hook for marked functions only; put things back after."""
    was_enabled = accel.is_enabled()
    yield
    if not was_enabled:
        accel.disable()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=programs(), args=st.tuples(VALUES, VALUES, VALUES), later=st.tuples(VALUES, VALUES, VALUES))
def test_compiled_function_matches_stock(jit_mode, source, args, later):
    stock = build(source)
    expected = [outcome(stock, args), outcome(stock, later)]
    compiled = accel.jit(build(source))
    # The first call compiles, specialized for its argument types; the second call's
    # types may differ, and the guards must send it to the interpreter correctly.
    assert [outcome(compiled, args), outcome(compiled, later)] == expected, source
    info = native.code_info(compiled.__code__)
    assert info is not None and info.state in ("compiled", "failed"), source


def test_fuzzer_compiles_natively(jit_mode):
    """The generated shapes are ones the backend compiles: not a fuzzer of fallbacks."""
    source = textwrap.dedent("""
        def f(a, b, c):
            x = a * 2.5 + b
            for i in range(4):
                x = x - c if x > 1 else x + c
            return x
    """)
    compiled = accel.jit(build(source))
    before = native.counters()["native_entries"]
    assert compiled(1.0, 2.0, 0.5) == build(source)(1.0, 2.0, 0.5)
    assert native.counters()["native_entries"] > before
    assert math.isfinite(compiled(1.0, 2.0, 0.5))

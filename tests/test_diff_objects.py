"""Differential tests: forms for the object-heavy kernels (conversions of builtins on raw
values, containers, iteration), compiled on their first call (ACCEL_THRESHOLD=0) and
compared with stock CPython, with proof (explain) that the form ran and that its guards
fall back to stock's behaviour."""
import textwrap

from differential import assert_native, compare


def test_int_of_float_is_truncated_raw(tmp_path):
    run = compare(textwrap.dedent("""
        def cells(points, scale, offset):
            out = []
            for x in points:
                col = int((x - offset) * scale)
                out.append(col)
            return out

        def shown(points, scale, offset):
            try:
                return cells(points, scale, offset)
            except (ValueError, OverflowError) as error:
                return f"{type(error).__name__}: {error}"

        VALUES = [0.0, -0.0, 0.5, -0.5, 0.999, -0.999, 1.5, -1.5, 2.5, 1e15 + 0.5, -1e15 - 0.5,
                  9.2e18, -9.2e18, 5e-324]
        for _ in range(3):
            print(shown(VALUES, 1.0, 0.0), shown(VALUES, 3.7, -1.25))
        # beyond a raw int (2**63 and up): the interpreter makes the big int
        print(shown([9.3e18, -9.3e18, 2.0 ** 63, -(2.0 ** 63), 1e300], 1.0, 0.0))
        print(shown([float("inf")], 1.0, 0.0), shown([float("-inf")], 1.0, 0.0), shown([float("nan")], 1.0, 0.0))
        int = lambda value: round(value)  # the global is another function now: the guard on the callee exits
        print(shown([1.5, 2.5, -0.5], 1.0, 0.0))
        del int
        print(shown([1.5, 2.5, -0.5], 1.0, 0.0))
    """), tmp_path, functions=["cells"])
    assert_native(run, "cells")
    assert "CALL_INT_OF_FLOAT_RAW" in run.function("cells")["specialized"], run.function("cells")["text"]
    assert run.deopts("GUARD_VALUE") >= 1, run.stats  # the infinities, the NaN, the rebound global


def test_int_comparisons_by_condition(tmp_path):
    run = compare(textwrap.dedent("""
        def outcomes(pairs):
            out = []
            for a, b in pairs:
                x = a + 0
                y = b - 0
                flags = 0
                if x < y:
                    flags |= 1
                if x <= y:
                    flags |= 2
                if x == y:
                    flags |= 4
                if x != y:
                    flags |= 8
                if x > y:
                    flags |= 16
                if x >= y:
                    flags |= 32
                if not x < y:
                    flags |= 64
                out.append(flags)
            return out

        EDGES = [0, 1, -1, 2, 255, 256, 257, -5, -6, 2**30 - 1, -(2**30 - 1), 12345678]
        pairs = [(a, b) for a in EDGES for b in EDGES]
        for _ in range(12):  # (the comparisons' operand kinds profiled, then recompiled for ints)
            print(outcomes(pairs))
        # beyond one digit, or not ints: the guards exit
        print(outcomes([(2**30, 1), (1, -(2**62)), (2**64, 2**64), (1.5, 1), (True, 1)]))
    """), tmp_path, functions=["outcomes"])
    assert_native(run, "outcomes")
    specialized = set(run.function("outcomes")["specialized"])
    for condition in ("LT", "LE", "EQ", "NE", "GT", "GE"):
        assert f"COMPARE_OP_INT_JUMP_RAW_{condition}" in specialized, run.function("outcomes")["text"]


def test_pairs_unpacked_into_locals_with_finalizers(tmp_path):
    """The pair form, unrolled: a replaced value's finalizer, for either item, sees the
    locals stored so far and its own line, and may drop the pair."""
    run = compare(textwrap.dedent("""
        import sys

        seen = []
        holder = {}

        class Noisy:
            def __init__(self, name, action=None):
                self.name, self.action = name, action
            def __del__(self):
                caller = sys._getframe(1)
                names = {k: "marker" if v is marker else getattr(v, "name", v)
                         for k, v in caller.f_locals.items() if k in "ab"}
                seen.append((self.name, caller.f_code.co_name, caller.f_lineno, sorted(names.items())))
                if self.action:
                    self.action()

        def second_released(t, i):
            a = i
            b = Noisy(f"b{i}", lambda: holder.clear())
            a, b = t
            return a, b

        def both_released(t, i):
            a = Noisy(f"a{i}")
            b = Noisy(f"b{i}")
            a, b = t
            return a, b

        def from_list(items, i):
            a = Noisy(f"la{i}")
            b = i
            a, b = items
            return a, b

        marker = object()
        before = sys.getrefcount(marker)
        for i in range(50):
            holder["t"] = (marker, i)
            first, second = second_released(holder["t"], i)
            print(first is marker, second, both_released((i, marker), i)[0], from_list([i, marker], i)[0])
        print(sys.getrefcount(marker) - before)
        for line in seen[-6:]:
            print(line)
        print(len(seen))
    """), tmp_path, functions=["second_released", "both_released", "from_list"])
    assert_native(run, "second_released", "both_released", "from_list", min_entries=5)
    for name in ("second_released", "both_released"):
        assert "UNPACK_SEQUENCE_TUPLE_TO_LOCALS" in run.function(name)["specialized"], run.function(name)["text"]

"""Differential tests: the forms nqueens's generator expression
`all(abs(col - c) != row - r for r, c in enumerate(queens))` runs on: a comparison whose
result is an object (COMPARE_OP_INT_OR_FLOAT), abs() (CALL_BUILTIN_ABS), and ints of one
digit boxed as CPython's own arithmetic makes them (box_int)."""
from differential import assert_native, compare


def test_comparisons_whose_result_is_an_object(tmp_path):
    """Ints of one digit and floats compared inline (NaN, -0.0, the edges of a digit);
    anything else (big ints, mixed int and float, strs, tuples, objects whose __lt__
    returns a non-bool or raises) through PyObject_RichCompare, as stock."""
    run = compare("""
class Odd:
    def __lt__(self, other):
        return "odd result"
    def __eq__(self, other):
        raise ValueError("no equality")

def table(a, b):
    return [a < b, a <= b, a == b, a != b, a > b, a >= b]

def equal(a, b):
    return a == b

def main():
    nan = float("nan")
    edges = [0, 1, -1, 2 ** 30 - 1, -(2 ** 30 - 1), 2 ** 30, -(2 ** 30), 2 ** 62, 2 ** 100]
    for a in edges:
        for b in edges:
            print(a, b, table(a, b))
    for a, b in ((1.5, 2.5), (nan, 1.0), (1.0, nan), (nan, nan), (0.0, -0.0), (1, 1.0), (2 ** 53 + 1, 2.0 ** 53),
                 (True, 1), ("a", "b"), ((1, 2), (1, 3)), (float("inf"), 2 ** 1000)):
        print(repr(a), repr(b), table(a, b))
    print(Odd() < 1, [x < 3 for x in range(6)], equal(None, None), equal(1, 1.0))
    for a, b in ((Odd(), 1), ("a", 1), (None, 2)):
        try:
            print(equal(a, b), table(a, b))
        except (ValueError, TypeError) as error:
            print(type(error).__name__, error)

for _ in range(3):
    main()
""", tmp_path, functions=["table", "equal"])
    assert_native(run, "table", "equal")
    assert "COMPARE_OP_INT_OR_FLOAT" in run.function("table")["specialized"], run.function("table")["text"]
    assert "ValueError no equality" in run.stdout and "odd result" in run.stdout


def test_abs(tmp_path):
    """abs() of one-digit ints (itself when not negative: `is` shows it), of big ints,
    floats (always a new float), bools, an int subclass, an object with __abs__ (written
    in Python: its frame sees the caller's line), one without; abs rebound."""
    run = compare("""
import builtins
import sys
import traceback

class Magnitude:
    def __repr__(self):
        return "Magnitude()"
    def __abs__(self):
        caller = sys._getframe(1)
        return ("abs of Magnitude", caller.f_code.co_name, caller.f_lineno)

class Small(int):
    def __abs__(self):
        return "Small.__abs__"

def absolute(x):
    return abs(x)

def same(x):
    return abs(x) is x

def main():
    for x in (0, 5, -5, 255, -255, 256, -256, -257, 2 ** 30 - 1, -(2 ** 30 - 1), -(2 ** 30), 2 ** 62, -(2 ** 64),
              0.0, -0.0, -1.5, float("-inf"), float("nan"), True, False, Small(-3), -7 + 2j, Magnitude()):
        print(repr(x), repr(absolute(x)), same(x))
    for x in ("s", None):
        try:
            absolute(x)
        except TypeError:
            traceback.print_exc(file=sys.stdout)
    saved = builtins.abs
    builtins.abs = lambda x: ("rebound", x)
    print(absolute(-3))
    builtins.abs = saved
    print(absolute(-3))

for _ in range(3):
    main()
""", tmp_path, functions=["absolute", "same"])
    assert_native(run, "absolute", "same")
    assert "CALL_BUILTIN_ABS" in run.function("absolute")["specialized"], run.function("absolute")["text"]
    assert "rebound" in run.stdout and "bad operand type for abs(): 'str'" in run.stdout


def test_one_digit_ints_are_boxed_as_cpython_makes_them(tmp_path):
    """Results at the edges of the small-int cache and of one digit (2**30), of both signs,
    from arithmetic on ints of unknown type and on known ints; identities of small ints
    (`is`), values and reference counts of the rest, and memory that does not grow."""
    run = compare("""
import sys
import tracemalloc

def arithmetic(a, b):
    return [a + b, a - b, a * b, a // 3 if a else 0, a % 7, a & b, a | b, a ^ b, -a, len([0] * (a % 300))]

def loop(n):
    total = 0
    for k in range(n):
        total += k * 1000 - 3 * k
    return total

def main():
    values = [0, 1, -1, 5, -5, 256, -256, 257, -257, 2 ** 15, 2 ** 29, 2 ** 30 - 1, -(2 ** 30 - 1), 2 ** 30,
              -(2 ** 30), 2 ** 31, 2 ** 60, -(2 ** 60)]
    for a in values:
        for b in (1, -1, 2, 255, -262, 2 ** 15, 2 ** 30 - 1):
            results = arithmetic(a, b)
            print(a, b, results, [r is int(str(r)) for r in results])
    print(loop(1000), loop(40000))
    tracemalloc.start()
    arithmetic(2 ** 20, 3)
    first = tracemalloc.get_traced_memory()[0]
    for _ in range(3000):
        arithmetic(2 ** 20, 3)
    print("memory grew", tracemalloc.get_traced_memory()[0] - first > 10000)
    x = 2 ** 20 + 1
    print("refcount", sys.getrefcount(arithmetic(x, 0)[0]))

for _ in range(3):
    main()
""", tmp_path, functions=["arithmetic", "loop"])
    assert_native(run, "arithmetic", "loop")
    assert "memory grew False" in run.stdout

"""Differential tests: a function without loops whose every instruction after RESUME is
pure arithmetic on ints or floats keeps the locals that hold results of its operations
raw from its start to its returns (accel/specializer/unbox.py, _straight_region), as a
loop does; exits, errors, frames and tracebacks must see them boxed back."""
from differential import assert_native, compare


def test_straight_line_functions_keep_locals_raw(tmp_path):
    run = compare("""
import sys
import traceback

def entry(i, j):
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)

def branchy(a, b):
    if a > b:
        s = a - b
    return s * 3

def mixed(x, y):
    d = x - y
    return d * d + x / y

def grows(n):
    m = n * n
    return m * m * m

def main():
    print(sum(entry(i, j) for i in range(30) for j in range(30)))
    print(entry(10 ** 6, 3), entry(2 ** 40, 2 ** 40), entry(2.5, 1.5))
    try:
        entry(-1, 0)
    except ZeroDivisionError:
        traceback.print_exc(file=sys.stdout)
        print(sorted(sys.exc_info()[2].tb_next.tb_frame.f_locals.items()))
    print(branchy(5, 2), branchy(2.5, 1.0))
    try:
        branchy(1, 2)
    except UnboundLocalError:
        traceback.print_exc(file=sys.stdout)
    print(mixed(3.0, 2.0), mixed(7, 2), mixed(1.5, 0.5))
    try:
        mixed(1.0, 0.0)
    except ZeroDivisionError:
        traceback.print_exc(file=sys.stdout)
        print(sorted(sys.exc_info()[2].tb_next.tb_frame.f_locals.items()))
    print(grows(3), grows(1000), grows(2 ** 20), grows(-7))
    print(entry(True, False), mixed(2, True))

for _ in range(3):
    main()
""", tmp_path, functions=["entry", "branchy", "mixed", "grows"])
    assert_native(run, "entry", "branchy", "mixed", "grows", min_entries=3)
    assert "LOAD_FAST_RAW" in run.function("entry")["specialized"], run.function("entry")["text"]
    assert "STORE_FAST_RAW" in run.function("entry")["specialized"], run.function("entry")["text"]
    assert "ZeroDivisionError" in run.stdout and "UnboundLocalError" in run.stdout

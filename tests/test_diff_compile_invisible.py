"""Differential tests: compiling code while the program runs leaves no trace the program
can see.  The compiler is Python code: its allocations must not bring the program's next
garbage collection forward (finalizers would run at other points than under stock), and
native code must not hold references of its own to the constants the code object already
holds (leak checks that count references across a loop would see them)."""
from differential import assert_native, compare

PROGRAM = """
import gc, sys

class Box:
    __slots__ = ("v",)
    def __init__(self, v):
        self.v = v

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        # Each Box counts one allocation: stock collects the cycle near step 700.
        print("cycle collected", "late" if STEP > 650 else "early")

STEP = -1

def work(x):
    return x + 1 if x is not None else 12345678

def main():
    global STEP
    gc.collect()
    young = gc.get_stats()[0]["collections"]
    const = work(None)
    const_before = sys.getrefcount(const)
    keep = []
    Cycle()
    for STEP in range(2000):  # work, Box.__init__ and this loop get compiled in here
        keep.append(Box(work(STEP)))
    print("young collections", gc.get_stats()[0]["collections"] - young)
    print("references to the constant", sys.getrefcount(const) - const_before)

main()
"""


def test_compiles_mid_loop_keep_collections_and_references_as_stock(tmp_path):
    run = compare(PROGRAM, tmp_path, functions=["main", "work", "Box.__init__"])
    assert "cycle collected late" in run.stdout and "references to the constant 0" in run.stdout
    assert_native(run, "main", "work", "Box.__init__")


def test_compiling_on_first_call_keeps_them_too(tmp_path):
    run = compare(PROGRAM, tmp_path, env={"ACCEL_THRESHOLD": "0"}, functions=["main", "work"])
    assert "young collections 2" in run.stdout
    assert_native(run, "main", "work")


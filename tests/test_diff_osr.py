"""Differential tests: on-stack replacement.  Code with a loop is compiled on its first
call with only what inference knows, and profiles the operands of its sites of unknown
types; a loop of that first version that gets hot (ACCEL_LOOP_HOT_BACK_EDGES iterations)
has its code compiled again from the profile so far, and the frame goes on in the new
program at the loop's head (native/deopt.c).  Each program here runs its function once,
so only the replacement can bring the specialized forms to it; stats prove it happened
(and that nothing else left native code), explain() that the forms are there."""
from differential import assert_native, compare

# More iterations than ACCEL_LOOP_HOT_BACK_EDGES (native/operand_kinds.h).
N = 30_000
DATA = f"""
import random
def make_floats(n):
    r = random.Random(7)
    return [r.random() for _ in range(n)]
N = {N}
"""


def replaced(run, times: int = 1, at_least: bool = False) -> None:
    replacements = run.stats["on_stack_replacements"]
    assert replacements >= times if at_least else replacements == times, run.stats
    assert run.stats["loop_head_entries"] >= times, run.stats
    assert run.deopts("LOOP_HOT") >= times, run.stats


def test_main_over_floats_is_replaced_mid_loop(tmp_path):
    run = compare(DATA + """
def main(data):
    total = 0.0
    for x in data:
        total += x * x - 0.5 * x
    return total

print(repr(main(make_floats(N))))
""", tmp_path, functions=["main"])
    replaced(run)
    assert_native(run, "main")
    main = run.function("main")
    assert main["calls"] == 1 and main["recompiles"] == 1, main["text"]
    # the only exit is the hot loop's: the rest of the loop ran in the new program
    assert main["exits"] == 1 and run.deopts("LOOP_HOT") == 1, run.stats
    assert any(name.startswith("BINARY_OP_MULTIPLY_FLOAT_RAW") for name in main["specialized"]), main["text"]
    assert any("loop head: an entry point" in note for note in main["notes"]), main["text"]
    assert "entry points: its start, and the loop heads at offsets" in main["text"], main["text"]


def test_int_counting_loop_over_a_list_from_a_call(tmp_path):
    run = compare(f"""
def make(n):
    return [i % 7 for i in range(n)]

def main():
    data = make({N})
    count = 0
    acc = 0
    for v in data:
        if v > 3:
            count += 1
        acc = acc + v * 3
    print(count, acc)

main()
""", tmp_path, functions=["main"])
    replaced(run)
    main = run.function("main")
    assert main["exits"] == 1, main["text"]
    assert any("_INT" in name for name in main["specialized"]), main["text"]


def test_module_body_loop_calling_a_float_function(tmp_path):
    run = compare(DATA + """
def f(a, b):
    return a * b + 1.0

s = 0.0
for x in make_floats(N):
    s = s + f(x, 2.0)
print(repr(s))
""", tmp_path)
    replaced(run)


def test_exception_traceback_and_locals_after_replacement(tmp_path):
    run = compare(DATA + """
import sys

def probe(i, total):
    frame = sys._getframe(1)
    print("line", frame.f_lineno, sorted(frame.f_locals), i, repr(total))

def main(data):
    total = 0.0
    i = 0
    for x in data:
        total = total + x * 2.0
        i += 1
        if i == N - 5:
            probe(i, total)
            print(sorted(locals()))
    return total

data = make_floats(N)
data[N - 3] = None
try:
    main(data)
except TypeError:
    import traceback
    traceback.print_exc()
""", tmp_path)
    replaced(run)


def test_tracing_switched_on_after_replacement(tmp_path):
    run = compare(DATA + """
import sys

events = []
def tracer(frame, event, arg):
    if frame.f_code.co_name == "main":
        events.append((event, frame.f_lineno))
    return tracer

def main(data):
    total = 0.0
    for k, x in enumerate(data):
        total = total + x * x
        if k == N - 4:
            sys.settrace(tracer)
    sys.settrace(None)
    return total

print(repr(main(make_floats(N))))
print(events)
""", tmp_path)
    replaced(run)


def test_keyboard_interrupt_in_replaced_loop(tmp_path):
    run = compare(DATA + """
import os, signal

def main(data):
    total = 0.0
    k = 0
    for x in data:
        total = total + x * 3.0
        k += 1
        if k == 20000:
            os.kill(os.getpid(), signal.SIGINT)
    return total

try:
    main(make_floats(N))
except KeyboardInterrupt:
    import traceback
    traceback.print_exc()
print("done")
""", tmp_path)
    replaced(run)


def test_nested_loops_replace_the_hot_inner_one(tmp_path):
    run = compare("""
def main(rows):
    out = []
    for row in rows:
        s = 0.0
        for x in row:
            s = s + x * x
        out.append(s)
    return out

rows = [[(i * j % 13) * 0.25 for j in range(3000)] for i in range(4)]
print(main(rows))
""", tmp_path, functions=["main"])
    replaced(run)
    assert run.function("main")["exits"] == 1, run.function("main")["text"]


def test_recursion_shares_the_code_of_the_replaced_frame(tmp_path):
    run = compare("""
def walk(depth, n):
    total = 0.0
    for i in range(n):
        total = total + i * 0.5
    if depth:
        total = total + walk(depth - 1, n * 2)
    return total

print(walk(4, 1000))
print(walk(2, 5000))
""", tmp_path)
    assert run.stats["loop_head_entries"] >= 1, run.stats


def test_threads_running_the_same_code(tmp_path):
    run = compare(DATA + """
import threading

def main(data, out, k):
    total = 0.0
    for x in data:
        total = total + x * x
    out[k] = total

data = make_floats(N)
out = [None, None, None]
threads = [threading.Thread(target=main, args=(data, out, k)) for k in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(out)
""", tmp_path)
    replaced(run, at_least=True)


def test_generator_loops_are_left_to_their_resumption(tmp_path):
    run = compare(DATA + """
def squares(data):
    for x in data:
        yield x * x - 0.5

print(repr(sum(squares(make_floats(N)))))
""", tmp_path)
    assert run.deopts("LOOP_HOT") == 0, run.stats


def test_types_change_after_the_replacement(tmp_path):
    run = compare(DATA + """
def main(data):
    total = 0.0
    for x in data:
        total = total + x * x
    return total

data = make_floats(N) + [3, 10**30, True] + make_floats(10)
print(repr(main(data)))
try:
    main(make_floats(N) + ["x"])
except TypeError as error:
    print("TypeError", error)
""", tmp_path)
    replaced(run)
    assert run.deopts("GUARD_TYPE") >= 1, run.stats


def test_loop_too_short_to_get_hot_is_not_replaced(tmp_path):
    run = compare("""
def main(data):
    total = 0.0
    for x in data:
        total = total + x * x
    return total

print(main([i * 0.5 for i in range(1000)]))
""", tmp_path)
    assert run.stats["on_stack_replacements"] == 0 and run.deopts("LOOP_HOT") == 0, run.stats


def test_inner_loop_of_a_loop_that_keeps_locals_raw(tmp_path):
    """The recompiled code keeps the locals raw across the outer loop, so the inner head
    is entered through a stub that unboxes them (lower.with_entry_stubs)."""
    run = compare("""
def main(pairs, dt, steps):
    e = 0.0
    for _ in range(steps):
        for a, b in pairs:
            dx = a[0] - b[0]
            e = e + dx * dx * dt
    return e

pairs = [([i * 0.5, 1.0], [i * 0.25, 2.0]) for i in range(10)]
print(repr(main(pairs, 0.01, 1000)))
""", tmp_path, functions=["main"])
    replaced(run)
    main = run.function("main")
    assert main["exits"] == 1 and main["recompiles"] == 1, main["text"]
    assert "UNBOX_LOCAL_FLOAT" in main["text"], main["text"]


def test_inner_while_true_loop_entered_through_an_unboxing_stub(tmp_path):
    run = compare("""
def main(xs, steps):
    e = 0.0
    for _ in range(steps):
        i = 0
        while True:
            e = e + xs[i] * 0.5
            i += 1
            if i >= 10:
                break
    return e

print(repr(main([k * 0.75 for k in range(10)], 1000)))
""", tmp_path, functions=["main"])
    replaced(run)
    main = run.function("main")
    assert main["exits"] == 1, main["text"]


def test_while_loop_is_replaced_at_its_conditional_back_edge(tmp_path):
    # 3.11 ends a `while cond:` loop with the condition again and a conditional
    # jump back (here fused with the comparison): it counts like any back edge.
    run = compare(DATA + """
def main(data, n):
    i = 0
    s = 0.0
    while i < n:
        s += data[i % 100] * 0.5
        i += 1
    return s

print(repr(main(make_floats(100), N)))
""", tmp_path, functions=["main"])
    replaced(run)
    main = run.function("main")
    assert main["calls"] == 1 and main["recompiles"] == 1, main["text"]
    assert main["exits"] == 1 and run.deopts("LOOP_HOT") == 1, run.stats
    assert any(name.startswith("BINARY_OP_MULTIPLY_FLOAT") for name in main["specialized"]), main["text"]


def test_while_loop_with_continue_and_an_error_after_replacement(tmp_path):
    # Two back edges (the `continue` and the loop's own); a TypeError late in the
    # loop, raised by the replacing program, has stock's traceback and locals.
    run = compare(DATA + """
import traceback

def main(data):
    k = 0
    odd = 0.0
    total = 0.0
    while k < len(data):
        x = data[k]
        k += 1
        if k % 2:
            odd = odd + x
            continue
        total = total + x * 1.5
    return total, odd

data = make_floats(N)
data[N - 2] = "oops"
try:
    main(data)
except TypeError:
    traceback.print_exc()
print(repr(main(make_floats(N))))
""", tmp_path, functions=["main"])
    replaced(run, at_least=True)


def test_keyboard_interrupt_in_replaced_while_loop(tmp_path):
    run = compare(DATA + """
import os, signal

def main(data):
    total = 0.0
    k = 0
    while k < len(data):
        total = total + data[k] * 3.0
        k += 1
        if k == 20000:
            os.kill(os.getpid(), signal.SIGINT)
    return total

try:
    main(make_floats(N))
except KeyboardInterrupt:
    import traceback
    traceback.print_exc()
print("done")
""", tmp_path)
    replaced(run)

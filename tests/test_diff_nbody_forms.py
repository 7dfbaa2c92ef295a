"""Differential tests: the forms nbody's loops take (an outer loop that keeps its floats
raw around the list loops inside it, x ** 0.5, pairs unpacked, list items read and
updated raw), each with its exits, compiled on their first call (ACCEL_THRESHOLD=0),
compared with stock CPython, with proof that native code ran."""
from differential import assert_native, compare

# nbody's step in miniature: an outer loop around two list loops, floats raw throughout.
STEP = """
import gc
import sys
import traceback

def step(bodies, pairs, dt, steps):
    for _ in range(steps):
        for a, b in pairs:
            dx = a[0] - b[0]
            dist2 = dx * dx + 0.25
            mag = dt / (dist2 * dist2 ** 0.5)
            a[1] -= dx * mag
            b[1] += dx * mag
        for body in bodies:
            body[0] += dt * body[1]
    return dx

def make(n):
    bodies = [[k * 1.25 - 2.0, 0.5 * k] for k in range(n)]
    return bodies, [(bodies[i], bodies[j]) for i in range(n) for j in range(i + 1, n)]

def shown(frame):
    return sorted((name, repr(value)) for name, value in frame.f_locals.items() if name in ("_", "dt", "dx", "mag"))
"""


def test_outer_loop_keeps_floats_raw_around_list_loops(tmp_path):
    run = compare(STEP + """
bodies, pairs = make(4)
for _ in range(6):
    print(repr(step(bodies, pairs, 0.01, 40)), [[repr(v) for v in body] for body in bodies])
""", tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=5)
    facts = run.function("step")
    assert facts["specialized"].count("GET_ITER_RAW_LOOP") == 2, facts["text"]
    assert facts["exits"] == 0, facts["text"]
    # one region: no boxing between the pair loop and the body loop
    assert "FOR_ITER_RANGE_RAW" in facts["specialized"], facts["text"]


def test_iterators_made_where_a_collection_is_due(tmp_path):
    # Every list iterator made in the loop starts a garbage collection (a callback arms the
    # next one): the generic GET_ITER runs with the raw locals boxed, and the callback sees
    # them, and the line, exactly as under the interpreter; the loop goes on natively.
    run = compare(STEP + """
seen = []
class Junk:
    pass
def watch(phase, info):
    caller = sys._getframe(1)
    if phase == "stop" and caller.f_code is step.__code__:
        seen.append((caller.f_lineno, shown(caller)))
        # The next GC allocation collects again: instances never come from a free
        # list, so these count, whatever compiling the callback allocated and freed.
        seen.append([Junk() for _ in range(3)])

bodies, pairs = make(3)
for _ in range(3):
    print(repr(step(bodies, pairs, 0.01, 5)))
gc.collect()
gc.disable()
gc.set_threshold(1)
junk = [[] for _ in range(10)]
gc.callbacks.append(watch)
gc.enable()
print(repr(step(bodies, pairs, 0.5, 4)))
gc.callbacks.remove(watch)
gc.set_threshold(700)
print([entry for entry in seen if isinstance(entry, tuple)])
print(len(seen) > 0, [[repr(v) for v in body] for body in bodies])
""", tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=4)
    facts = run.function("step")
    assert "GET_ITER_RAW_LOOP" in facts["specialized"], facts["text"]
    assert "with the loop's raw locals boxed" in facts["text"], facts["text"]
    assert facts["exits"] == 0, facts["text"]


def test_iterables_that_run_code_or_fail(tmp_path):
    # A list subclass whose __iter__ looks at the frame, a generator, a list whose only
    # reference is the loop's, and something not iterable: the generic GET_ITER with the
    # raw locals boxed (a traceback and its frame's locals as the interpreter's).
    run = compare(STEP + """
class Peeking(list):
    def __iter__(self):
        print("iter at line", sys._getframe(1).f_lineno, shown(sys._getframe(1)))
        return list.__iter__(self)

bodies, pairs = make(3)
for _ in range(3):
    print(repr(step(bodies, pairs, 0.01, 5)))
print(repr(step(Peeking(bodies), Peeking(pairs), 0.25, 2)))
print(repr(step(bodies, (pair for pair in pairs), 0.25, 1)))
print(repr(step(bodies, [(bodies[0], bodies[1])], 0.25, 3)))
print(repr(step(bodies, pairs, 0.125, 3)))
for bad in (7, None):
    try:
        step(bodies, bad, 0.5, 2)
    except TypeError:
        error = sys.exc_info()[1]
        print(traceback.format_exc().replace(__file__, "FILE"))
        print(shown(error.__traceback__.tb_next.tb_frame))
try:
    step(7, pairs, 0.5, 2)
except TypeError:
    print(traceback.format_exc().replace(__file__, "FILE"))
print([[repr(v) for v in body] for body in bodies])
""", tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=4)
    assert "GET_ITER_RAW_LOOP" in run.function("step")["text"], run.function("step")["text"]


def test_loop_over_a_cell_and_a_local(tmp_path):
    # nbody's advance: the pairs from a comprehension over a cell variable, the bodies
    # loop reading that cell (LOAD_DEREF, which where locals are raw exits if empty).
    run = compare("""
def advance(bodies, dt, steps):
    pairs = [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]
    for _ in range(steps):
        for a, b in pairs:
            dx = a[0] - b[0]
            mass_b = b[2] * dt / (dx * dx + 0.5) ** 0.5
            a[1] -= dx * mass_b
        for body in bodies:
            body[0] += dt * body[1]
    return lambda: bodies

bodies = [[k * 0.75, -0.25 * k, 1.0 + k] for k in range(5)]
for _ in range(5):
    advance(bodies, 0.01, 30)
    print([[repr(v) for v in body] for body in bodies])
""", tmp_path, functions=["advance"])
    assert_native(run, "advance", min_entries=4)
    facts = run.function("advance")
    assert facts["specialized"].count("GET_ITER_RAW_LOOP") == 2, facts["text"]
    assert facts["exits"] == 0, facts["text"]


# `list[k] op= x * y` updated in place in one instruction, both where the list is
# checked there and where an item load before it checked it.
UPDATES = """
import sys

def push(rows, x, y):
    for row in rows:
        row[0] += x * y
        row[1] -= y * x
    return rows

def kick(bodies, dt, steps):
    for _ in range(steps):
        for body in bodies:
            v = body[0] * dt
            w = body[0] + dt
            body[1] += v * w
            body[2] -= w * v
    return v

def drift(bodies, dt):
    for body in bodies:
        body[0] += dt * body[3]
        body[1] -= dt * body[2]
        body[2] += dt * body[2]
    return bodies

def shown(rows):
    return [[repr(v) for v in row] if isinstance(row, list) else repr(row) for row in rows]
"""


def test_item_updated_by_a_product(tmp_path):
    run = compare(UPDATES + """
rows = [[k * 0.5, 1.0 - k] for k in range(6)]
bodies = [[k * 0.25 + 0.5, k * 1.5, -2.0] for k in range(5)]
for _ in range(5):
    print(shown(push(rows, 0.75, -1.25)), repr(kick(bodies, 0.01, 30)), shown(bodies))
    print(shown(drift([row + [1.5, -0.5] for row in rows], 0.125)))
INF, NAN = float("inf"), float("nan")
for x, y in ((INF, 0.0), (-0.0, 5.0), (1e300, 1e300), (NAN, 1.0), (5e-324, 0.5)):
    print(shown(push([[0.0, -0.0], [INF, 1.0]], x, y)))
    print(shown(drift([[0.0, -0.0, x, y], [INF, 1.0, -x, y]], 0.5)))
shared = 2.5
row = [shared, shared]
print(shown(push([row], 3.0, 2.0)), repr(shared), sys.getrefcount(shared) - sys.getrefcount(2.5) == 0)
row = [shared, shared, shared, shared]
print(shown(drift([row], 3.0)), repr(shared))
import struct
UNBOUND = struct.unpack("<d", struct.pack("<Q", 0x7ff4acce1dbadbad))[0]  # native/unboxed.h's pattern
for _ in range(2):
    nans = push([[UNBOUND, 1.0], [1.0, UNBOUND]], 2.0, 3.0) + drift([[UNBOUND, 1.0, 2.0, UNBOUND]], 0.5)
    print([struct.pack("<d", v).hex() for row in nans for v in row])
""", tmp_path, functions=["push", "kick", "drift"])
    assert_native(run, "push", "kick", "drift", min_entries=5)
    drift = run.function("drift")
    for form in ("LOAD_FAST_ITEM_CONST_ADD_PRODUCT_FAST_ITEM", "LOAD_FAST_KNOWN_LIST_ITEM_CONST_SUBTRACT_PRODUCT_FAST_ITEM",
                 "LOAD_FAST_KNOWN_LIST_ITEM_CONST_ADD_PRODUCT_FAST_ITEM"):
        assert form in drift["specialized"], drift["text"]
    assert drift["exits"] == 0, drift["text"]
    for name, form in (("push", "LOAD_FAST_ITEM_CONST_ADD_PRODUCT_FAST_FAST"),
                       ("push", "LOAD_FAST_KNOWN_LIST_ITEM_CONST_SUBTRACT_PRODUCT_FAST_FAST"),
                       ("kick", "LOAD_FAST_KNOWN_LIST_ITEM_CONST_ADD_PRODUCT_FAST_FAST"),
                       ("kick", "LOAD_FAST_KNOWN_LIST_ITEM_CONST_SUBTRACT_PRODUCT_FAST_FAST")):
        assert form in run.function(name)["specialized"], run.function(name)["text"]
    assert run.function("push")["exits"] == 0 and run.function("kick")["exits"] == 0


def test_item_updated_by_a_product_exits(tmp_path):
    # Another item type, a short list, a tuple, a float subclass: the fused update exits
    # before anything changes and the interpreter does the statement (or raises).
    run = compare(UPDATES + """
class Real(float):
    pass

rows = [[k * 0.5, 1.0 - k] for k in range(6)]
for _ in range(4):
    print(shown(push(rows, 0.75, -1.25)))
for odd in ([[1.0, 2.0], [3, 4.0], [1.5, 2.5]], [[1.0, 2.0], [1.0, 7]], [[Real(1.5), 2.0]], [[1.0, Real(2.5)]],
            [[1.0, 2.0], [4.0]], [[1.0, 2.0], []], [(1.0, 2.0)], [[1.0, 2.0], [True, 1.0]], [[1.0, "s"]]):
    try:
        print(shown(push(odd, 2.0, 0.5)))
    except (IndexError, TypeError) as error:
        print(type(error).__name__, error, shown(odd))
print(shown(push(rows, 0.75, -1.25)))
for _ in range(4):
    print(shown(drift([[0.5, 1.0, 2.0, 4.0], [1.0, 2.0, 3.0, -1.0]], 0.25)))
for odd in ([[0.5, 1.0, 2.0, 4]], [[0.5, 1.0, 2, 4.0]], [[0.5, 1, 2.0, 4.0]], [[1, 1.0, 2.0, 4.0]],
            [[0.5, 1.0, 2.0]], [[0.5, 1.0]], [(0.5, 1.0, 2.0, 4.0)], [[0.5, 1.0, Real(2.0), 4.0]],
            [[0.5, 1.0, 2.0, 4.0], [0.5, 1.0, 2.0, "x"]]):
    try:
        print(shown(drift(odd, 2.0)))
    except (IndexError, TypeError) as error:
        print(type(error).__name__, error, shown(odd))
bodies = [[0.5, 1.0, 2.0], [1.0, 2, 3.0], [2.0, 1.0]]
try:
    kick(bodies, 0.5, 2)
except IndexError as error:
    print("IndexError", error, shown(bodies))
""", tmp_path, functions=["push", "drift"])
    assert_native(run, "push", "drift", min_entries=5)


def test_square_roots_bit_for_bit(tmp_path):
    # x ** 0.5 as the square root wherever that is bound to be pow's bits (the exact root
    # within 0.47 ULP of it), pow elsewhere: tens of thousands of bases over the whole
    # range, about 6% of them past that bound, compared bit for bit; a negative base, a
    # NaN and infinities take float_pow's own paths.
    run = compare("""
import random
import struct

def roots(xs):
    out = []
    for x in xs:
        d = x * 1.0
        out.append(d ** 0.5)
    return out

random.seed(11)
for exponent in range(-1000, 1000, 25):
    xs = [random.random() * 2.0 ** exponent for _ in range(500)]
    print(exponent, struct.pack(f"<{len(xs)}d", *roots(xs)).hex()[:64], hash(tuple(roots(xs))))
odd = [0.0, -0.0, float("inf"), float("nan"), 1.0, 4.0, 2.0 ** -1074, 1.7976931348623157e308, 2.0 ** 901, 2.0 ** -901]
print([repr(v) for v in roots(odd)])
try:
    roots([4.0, -1.0])
except Exception as error:
    print(type(error).__name__, error)
print(roots([-4.0, 9.0]))
""", tmp_path, functions=["roots"])
    assert_native(run, "roots", min_entries=10)
    assert "BINARY_OP_POWER_FLOAT_RAW_HALF" in run.function("roots")["specialized"], run.function("roots")["text"]


def test_pairs_iterated_into_locals(tmp_path):
    # `for a, b in pairs` where locals are raw: the next pair's items straight into the
    # locals.  A tuple of pairs (another iterator) exits before anything; an item that
    # is not a tuple or list of two, or an old value released for the last time (its
    # finalizer looks at the frame), exits after the FOR_ITER, and the interpreter
    # unpacks it.
    run = compare(STEP + """
class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        caller = sys._getframe(1)
        print("finalizer of", self.name, "at line", caller.f_lineno, shown(caller), sorted(caller.f_locals)[:3])

def walk(items, scale):
    total = 0.0
    tag = Noisy("before")
    for tag, row in items:
        total += row[0] * scale
    return total

bodies, pairs = make(4)
for _ in range(5):
    print(repr(step(bodies, pairs, 0.01, 20)))
print(repr(step(bodies, tuple(pairs), 0.01, 2)))
print(repr(step(bodies, [list(pair) for pair in pairs], 0.01, 2)))
for odd in ([pairs[0], (bodies[0], bodies[1], bodies[2])], [pairs[0], (bodies[0],)], [pairs[1], 7], [pairs[2], "ab"]):
    try:
        print(repr(step(bodies, odd, 0.01, 2)))
    except (ValueError, TypeError) as error:
        print(type(error).__name__, error)
rows = [("a", [1.5]), ("b", [2.5]), ("c", [-0.5])]
for _ in range(4):
    print(repr(walk(rows, 2.0)))
print(repr(walk([(Noisy("first"), [1.0]), (Noisy("second"), [2.0])], 1.0)))
print([[repr(v) for v in body] for body in bodies])
""", tmp_path, functions=["step", "walk"])
    assert_native(run, "step", "walk", min_entries=4)
    assert "FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS" in run.function("step")["specialized"], run.function("step")["text"]
    assert "FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS" in run.function("walk")["specialized"], run.function("walk")["text"]

"""Differential tests: float specializations (sites specialized from the operand kinds
they saw, float ** float, float results written into a temporary operand), compiled on
their first call (ACCEL_THRESHOLD=0) and compared with stock CPython, with proof that
native code ran and that values stayed unboxed where explain() says so."""
import textwrap

from differential import assert_native, compare

# Values whose formatting, signs and special cases must survive unboxing bit for bit.
SPECIAL_VALUES = """
NAN = float("nan")
INF = float("inf")
VALUES = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -3.75, 1e-310, 5e-324, 1.7976931348623157e308,
          1e300, -1e300, 1e-300, 0.1, 3.0, INF, -INF, NAN]
"""


def test_profiled_sites_become_float_operations(tmp_path):
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        def combine(items):
            out = []
            for pair in items:
                a = pair[0]
                b = pair[1]
                d = a - b
                s = d * d + a * b
                if s > d:
                    out.append(s / (d * d + 1.0))
                else:
                    out.append(s / b)
            return out

        pairs = [[x, y] for x in VALUES for y in VALUES if y != 0.0]
        for _ in range(4):
            print([repr(v) for v in combine(pairs)])
        # the float sites meet ints, mixed operands and other types now: their guards exit
        print(combine([[3, 4], [2, 0.5], [10**30, 1.0], [True, 2.5]]))
        try:
            combine([[1.0, 2.0], [1.0, 0.0]])  # s / 0.0 at a float division
        except ZeroDivisionError as error:
            print("ZeroDivisionError:", error)
        try:
            combine([["x", "y"]])
        except TypeError as error:
            print("TypeError:", error)
        print([repr(v) for v in combine(pairs)])
    """), tmp_path, functions=["combine"])
    assert_native(run, "combine", min_entries=4)
    combine = run.function("combine")
    assert combine["recompiles"] >= 1, combine["text"]
    specialized = combine["specialized"]
    for form in ("BINARY_OP_SUBTRACT_FLOAT_RAW", "BINARY_OP_MULTIPLY_FLOAT_RAW", "BINARY_OP_ADD_FLOAT_RAW",
                 "BINARY_OP_TRUE_DIVIDE_FLOAT_RAW", "COMPARE_OP_FLOAT_JUMP_RAW"):
        assert any(name.startswith(form) for name in specialized), combine["text"]
    assert "its user wants an object" in combine["text"]  # boxed once, where it escapes


def test_int_sites_become_int_operations(tmp_path):
    run = compare("""
        def total(rows):
            acc = 0
            for row in rows:
                acc = acc + row[0] * row[1]
            return acc

        rows = [[i, i + 1] for i in range(50)]
        for _ in range(5):
            print(total(rows))
        print(total([[1.5, 2.0], [2, 3]]))
    """, tmp_path, functions=["total"])
    assert_native(run, "total", min_entries=5)
    total = run.function("total")
    assert not any(name.endswith("_FLOAT_RAW") for name in total["specialized"]), total["text"]
    # the sites saw only ints: compiled again as int operations, which kept their
    # results raw; the floats of the last call fail their guard once, and exit
    assert total["recompiles"] == 1, total["text"]
    assert "BINARY_OP_MULTIPLY_INT_RAW" in total["specialized"], total["text"]


def test_float_power(tmp_path):
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        def power(x, y):
            return x ** y

        def norm(x, y, z):
            return (x * x + y * y + z * z) ** 0.5

        for x in VALUES:
            row = []
            for y in VALUES + [-2.0, 3.0, 0.5, -0.5, 1e-5, 310.0, -310.0, 1.0 / 3.0]:
                try:
                    row.append(repr(power(x, y)))
                except (ZeroDivisionError, OverflowError, ValueError) as error:
                    row.append(f"{type(error).__name__}: {error}")
            print(x, row)
        print(norm(3.0, 4.0, 12.0), norm(0.0, -0.0, 0.0), norm(1e200, 1e200, 0.0), norm(NAN, 1.0, 1.0))
        try:
            norm(1e200, 1e200, 1e200)
        except OverflowError as error:
            print("never: the sum is inf, and inf ** 0.5 is inf", error)
        print(power(-8.0, 1.0 / 3.0), power(-2.0, 0.5))  # complex results leave native code
        print(power(2, 0.5), power(2.0, 2), power(10, -2))  # int operands
        try:
            power(1e300, 2.0)
        except OverflowError as error:
            print("OverflowError:", error)
        try:
            power(0.0, -1.5)
        except ZeroDivisionError as error:
            print("ZeroDivisionError:", error)
    """), tmp_path, functions=["power", "norm"])
    assert_native(run, "power", "norm")
    assert "BINARY_OP_POWER_FLOAT_RAW_HALF" in run.function("norm")["specialized"], run.function("norm")["text"]
    assert "BINARY_OP_POWER_FLOAT_RAW" in run.function("power")["specialized"], run.function("power")["text"]


def test_square_roots_by_power(tmp_path):
    # x ** 0.5 takes the sqrt instruction's result where it is provably pow's: the bits
    # must be stock's everywhere, near the midpoints between two doubles above all.
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        import random
        import struct
        from fractions import Fraction

        def roots(xs):
            out = []
            for x in xs:
                out.append((x * 1.0) ** 0.5)  # a float operation after the profile's recompile
            return out

        def bits(values):
            return struct.pack(f"<{len(values)}d", *values).hex()

        rng = random.Random(20261125)
        near_midpoints = []
        for _ in range(20000):  # the square of a 54-bit midpoint, a few ULPs either way
            m = rng.getrandbits(52) | 1 << 53 | 1
            x = float(Fraction(m, 2) ** 2 * Fraction(2) ** rng.randrange(-1150, 900))
            for step in (-2, -1, 0, 1, 2):
                near_midpoints.append(struct.unpack("<d", struct.pack("<q", struct.unpack("<q", struct.pack("<d", x))[0] + step))[0])
        anywhere = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(63)))[0] for _ in range(20000)]
        edges = [v for v in VALUES if v >= 0.0 or v != v] + [4.0, 0.25, 2.0 ** -900, 2.0 ** 900, 2.0 ** -901, 2.0 ** 901,
                                                           float.fromhex("0x1.fffffffffffffp-1"), 5e-324, 2.2250738585072014e-308]
        for xs in (edges, edges, near_midpoints, anywhere):
            print(bits(roots(xs)))
        print([repr(x) for x in roots(edges)])
    """), tmp_path, functions=["roots"])
    assert_native(run, "roots")
    assert "BINARY_OP_POWER_FLOAT_RAW_HALF" in run.function("roots")["specialized"], run.function("roots")["text"]


def test_float_results_reuse_only_unshared_operands(tmp_path):
    run = compare("""
        def shared(xs, k):
            a = xs[0] * k
            b = a
            c = (a + k) * (b - k)
            d = xs[1] + xs[1]
            e = (xs[0] - k) / (xs[1] + k)
            return a, b, c, d, e, xs

        def mixed(values):
            out = []
            for v in values:
                w = v * 2.0
                out.append((w, w + 1.0, (w + 1.0) * (w - 1.0), v))
            return out

        xs = [1.5, -2.25]
        k = 0.75
        for _ in range(4):
            print(shared(xs, k), xs, k)
            print(mixed(xs + [3, 10**20, 0.1]))
    """, tmp_path, functions=["shared", "mixed"])
    assert_native(run, "shared", "mixed")


def test_list_items_unboxed_for_float_operations(tmp_path):
    run = compare("""
        def dot(u, v, last):
            s = 0.0
            for i in range(len(u)):
                s += u[i] * v[i]
            return s + u[-1] * v[last]

        u = [0.5 * k - 3.0 for k in range(40)]
        v = [1.0 / (k + 1) for k in range(40)]
        for _ in range(5):
            print(repr(dot(u, v, -2)))
        print(repr(dot(u[:3] + [float("nan"), -0.0], v[:5], 0)))
        print(dot(tuple(u), v, 1), dot(u[:4] + [7], v, 2))  # a tuple, an int item: guards exit
        try:
            dot(u, v, 40)
        except IndexError as error:
            print("IndexError:", error)
        print(repr(dot(u, v, -40)))
    """, tmp_path, functions=["dot"])
    assert_native(run, "dot", min_entries=5)
    dot = run.function("dot")
    # u[i], v[i] in the unboxed loop (i a raw int), u[-1] and v[last] after it
    for form in ("LOAD_FAST_ITEM_RAW_UNBOX_FLOAT", "LOAD_FAST_ITEM_FROM_END_UNBOX_FLOAT",
                 "LOAD_FAST_ITEM_FAST_UNBOX_FLOAT", "BINARY_OP_MULTIPLY_FLOAT_RAW"):
        assert form in dot["specialized"], dot["text"]


def test_raw_int_meets_a_float_operation(tmp_path):
    # The interpreter, resuming after exits, specializes `b * n - -1.25` for floats
    # (BINARY_OP_SUBTRACT_FLOAT) while inference sees ints: the recompile that follows
    # the profile must box the raw int product for that guarded float operation.
    run = compare("""
        def f(a, b):
            x = 0
            y = a
            for n in range(6):
                n = (b * n - -1.25) + (b * y if n < 0.0 * x else y * n)
                x = 0.0 * y
                x = x if x < 1e12 else x / 1e6
                y = y if y < 1e12 else y / 1e6
            return x, y

        for args in [(3, 4), (1.5, -2.25), (2, 0.5), (3, 4), (0.75, 5), (True, 2), (-7, 3), (10**20, 3)]:
            print(args, f(*args))
    """, tmp_path, functions=["f"])
    assert_native(run, "f")


def test_return_from_an_unboxed_loop(tmp_path):
    run = compare("""
        import sys

        def escape(cr, ci, limit):
            zr = zi = 0.0
            for i in range(limit):
                zr2 = zr * zr
                zi2 = zi * zi
                if zr2 + zi2 > 4.0:
                    return i
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
            return limit

        def first_above(x, step, bound, frames):
            frames.append(sys._getframe())
            total = 0.0
            for k in range(1000):
                total = total + x * step
                x = x + step
                if total > bound:
                    return total
            return -1.0

        def settle(n, limit):
            yield n
            x = 0.0
            for i in range(n):
                x = x * 0.5 + 1.0
                if x > limit:
                    return i
            yield x

        print([escape(-2.0 + 0.1 * k, 0.05 * k - 1.0, 60) for k in range(40)])
        for limit in (1.5, 3.0):
            print(list(settle(8, limit)))
            g = settle(8, limit)
            next(g)
            frame = g.gi_frame  # a frame object outlives the generator's frame
            print(list(g), sorted((k, repr(v)) for k, v in frame.f_locals.items()))
        frames = []
        print(first_above(0.5, 0.25, 100.0, frames), first_above(-0.0, 0.5, 1e300, frames))
        print([sorted((k, repr(v)) for k, v in f.f_locals.items() if k != "frames") for f in frames])
    """, tmp_path, functions=["escape", "first_above", "settle"])
    assert_native(run, "escape", "first_above", "settle")
    assert "DROP_RAW_LOCALS" in run.function("escape")["specialized"], run.function("escape")["text"]
    for name in ("escape", "first_above", "settle"):
        facts = run.function(name)
        # raw locals read and stored by the fused float operations (or on their own)
        forms = " ".join(facts["specialized"])
        assert "FLOAT_RAW_FAST" in forms or "LOAD_FAST_RAW" in forms, facts["text"]
        assert "_STORE " in forms or "STORE_FAST_RAW" in forms, facts["text"]
        assert "BOX_LOCAL_FLOAT" in facts["text"], facts["text"]


def test_stores_reuse_only_unshared_floats(tmp_path):
    run = compare("""
        class Box:
            def __init__(self):
                self.items = {}
            def __getitem__(self, key):
                return self.items.get(key, 0.5)
            def __setitem__(self, key, value):
                self.items[key] = value

        def step(xs, ys, kept, scale):
            for i in range(len(xs)):
                t = xs[i] * scale
                kept.append(t)           # t's float is shared from here on
                u = t + 1.0
                v = u * u                # u's float has no other reference
                xs[i] += v * 0.5
                ys[i] -= xs[i] * scale
                ys[-1] *= 1.0000001
            return t, u, v

        xs = [0.25 * k for k in range(8)]
        ys = [1.0] * 8
        aliases = [xs[0], ys[3]]
        kept = []
        for _ in range(4):
            print(step(xs, ys, kept, 0.75))
        print(xs, ys, aliases, kept[:3], kept[-1])
        box = Box()
        try:
            step([1.0, 2.0], box, [], 2.0)
        except Exception as error:
            print(type(error).__name__, error)
        print(sorted(box.items.items()))
        try:
            step([1.0, 2.0, 3.0], [0.0, 0.0], [], 1.0)
        except IndexError as error:
            print("IndexError:", error)
    """, tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=4)
    step = run.function("step")
    assert "STORE_FAST_BOX_FLOAT" in step["specialized"], step["text"]
    assert "STORE_SUBSCR_LIST_INT_BOX_FLOAT" in step["specialized"], step["text"]


def test_ints_mixed_into_float_arithmetic(tmp_path):
    run = compare("""
        def mix(n, x):
            s = n + 1
            return (1.0 / (s * (s + 1) // 2 + n + 1), x * n - n, n / x, (n + 2) ** x, x ** (n % 7),
                    n - x, 0 * x, x + (n - n))

        def floors(a, b):
            return a // b, a % b, (a * 3) // (b - 1), (a - 1) % (b + 1)

        for n, x in [(3, 0.5), (0, -0.0), (-7, 2.5), (2**53 + 1, 1.0), (2**62, -3.25), (-2**62, 1e-300),
                     (10**30, 1.5), (5, float("inf")), (-3, float("nan"))]:
            try:
                print(n, x, [repr(v) for v in mix(n, x)])
            except (ZeroDivisionError, OverflowError) as error:
                print(n, x, type(error).__name__, error)
        for a, b in [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 5), (2**62, 3), (-2**62, 7), (5, 1), (5, 0), (5, -1)]:
            try:
                print(a, b, floors(a, b))
            except ZeroDivisionError as error:
                print(a, b, "ZeroDivisionError:", error)
        try:
            mix(0, 0.0)
        except ZeroDivisionError as error:
            print("ZeroDivisionError:", error)
        print(mix(-8, 1.0 / 3.0)[3])  # (-6) ** (1/3): complex
    """, tmp_path, functions=["mix", "floors"])
    assert_native(run, "mix", "floors")
    mix = run.function("mix")
    # (`// 2`: BINARY_OP_FLOOR_DIVIDE_INT_RAW_STACK_POWER_OF_TWO, a shift)
    assert "INT_TO_FLOAT" in mix["text"] and any(name.startswith("BINARY_OP_FLOOR_DIVIDE_INT_RAW")
                                                 for name in mix["specialized"]), mix["text"]
    assert "BINARY_OP_REMAINDER_INT_RAW" in run.function("floors")["specialized"], run.function("floors")["text"]


def test_generators_are_not_recompiled_for_their_operand_kinds(tmp_path):
    run = compare("""
        def scaled(items, factor):
            for item in items:
                yield item[0] * factor + item[1]

        pairs = [[0.5 * k, 1.0 / (k + 1)] for k in range(50)]
        source = scaled(pairs, 1.5)
        print(sum(source), list(scaled(pairs, 2.0))[:3], sum(scaled(pairs, -1.0)))
    """, tmp_path, functions=["scaled"])
    assert_native(run, "scaled")
    scaled = run.function("scaled")
    assert scaled["recompiles"] == 0 and scaled["exits"] == 0, scaled["text"]


ADVANCE = """
def advance(bodies, pairs, dt, steps):
    for _ in range(steps):
        for a, b in pairs:
            dx = a[0] - b[0]
            dy = a[1] - b[1]
            d2 = dx * dx + dy * dy
            mag = dt / (d2 * d2 ** 0.5)
            ma = a[2] * mag
            mb = b[2] * mag
            a[3] -= dx * mb
            a[4] -= dy * mb
            b[3] += dx * ma
            b[-1] += dy * ma
            a[2] -= 0.0 * (dx / dt)  # a division between: the list and index wait on the stack
        for body in bodies:
            body[0] += dt * body[3]
            body[1] += dt * body[4]
    return dx, dy, mag
"""
NBODY_LIKE = SPECIAL_VALUES + ADVANCE + ADVANCE.replace("def advance", "def odd_advance") + """
import sys

def system(n):
    bodies = [[0.5 * k, 1.0 / (k + 1), 1.0 + k, 0.1 * k, -0.2 * k] for k in range(n)]
    return bodies, [(bodies[i], bodies[j]) for i in range(n) for j in range(i + 1, n)]

bodies, pairs = system(4)
aliases = [bodies[0][3], bodies[1][4]]  # shared floats: their items get new ones
for _ in range(4):
    print([repr(v) for v in advance(bodies, pairs, 0.01, 20)])
print([[repr(v) for v in body] for body in bodies], aliases)
"""


def test_loop_over_pairs_keeps_its_floats_raw(tmp_path):
    # The loop over the pairs (list iteration, tuple unpacking, list items read and
    # updated in place) keeps dx ... mb raw; in a copy of it, what the guards refuse exits
    # in the middle (and is left to the interpreter after the recompiles that follow).
    run = compare(NBODY_LIKE + textwrap.dedent("""
        class Noisy:
            def __del__(self):
                caller = sys._getframe(1)
                print("finalizer sees", caller.f_code.co_name, sorted(caller.f_locals.items())[:4])

        odd = [[1.0, 2.0, 3.0, 0.5, 0.25], [2.0, 2.5, 1.0, 0.0, -0.0]]
        print(odd_advance(odd, [(odd[0], odd[1])], 0.5, 3))
        print(odd_advance(odd, [[odd[0], odd[1]]], 0.5, 1))                        # a list as a pair
        print(odd_advance(odd, iter([(odd[0], odd[1])]), 0.5, 1))                 # another iterator
        print(odd_advance(odd, [(odd[0], odd[1], odd[0])] if False else [(odd[0], odd[1])], INF, 1))
        ints = [[1, 2, 3, 4, 5], [2.0, 2.5, 1.0, 0.0, -0.0]]
        print(odd_advance(ints, [(ints[0], ints[1])], 0.5, 2), ints)              # int items
        same = [[1.0, 1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 2.0, 0.0, 0.0]]
        try:
            odd_advance(same, [(same[0], same[1])], 0.5, 1)                       # d2 == 0.0
        except ZeroDivisionError as error:
            print("ZeroDivisionError:", error, same)
        nan = [[NAN, 0.0, 1.0, -0.0, 0.0], [-0.0, 5e-324, 1e300, INF, -INF]]
        print(odd_advance(nan, [(nan[0], nan[1])], 0.25, 2), nan)
        short = [[1.0, 2.0, 3.0], [2.0, 2.5, 1.0, 0.0, 0.0]]
        try:
            odd_advance(short, [(short[0], short[1])], 0.5, 1)
        except IndexError as error:
            print("IndexError:", error)
        try:
            odd_advance(odd, [(odd[0],)], 0.5, 1)
        except ValueError as error:
            print("ValueError:", error)
        try:
            odd_advance(odd, [(odd[0], (1.0, 2.0, 3.0, 4.0, 5.0))], 0.5, 1)      # a tuple item store
        except TypeError as error:
            print("TypeError:", error)
        def temporary_pairs():  # the only reference to these bodies: they die with the loop's list
            return [([1.0, 2.0, 3.0, 0.5, 0.25, Noisy()], [2.0, 2.5, 1.0, 0.0, 0.0])]
        for _ in range(3):
            print(odd_advance([], temporary_pairs(), 0.5, 2))
        try:
            odd_advance(odd, [(odd[0], odd[1])], 0.0, 1)                      # dx / 0.0
        except ZeroDivisionError as error:
            print("ZeroDivisionError:", error, odd)
        print([repr(v) for v in advance(bodies, pairs, 0.01, 20)])
    """), tmp_path, functions=["advance", "odd_advance"])
    assert_native(run, "advance", "odd_advance", min_entries=4)
    facts = run.function("advance")
    for form in ("FOR_ITER_LIST_GUARDED", "FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS", "STORE_FAST_RAW", "LOAD_FAST_RAW",
                 "LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", "LOAD_FAST_CONST_KEEP_ITEM_UNBOX_FLOAT",
                 "STORE_SUBSCR_LIST_INT_BOX_FLOAT", "LOAD_FAST_KNOWN_LIST_ITEM_CONST_SUBTRACT_PRODUCT_FAST_FAST",
                 "LOAD_FAST_KNOWN_LIST_ITEM_CONST_ADD_PRODUCT_FAST_FAST"):
        assert form in facts["specialized"], facts["text"]
    assert "BOX_LOCAL_FLOAT" in facts["text"], facts["text"]


def test_fused_float_operations(tmp_path):
    # Raw float operations take their operands straight from raw locals and constants and
    # store into raw locals (every shape, non-commutative ones both ways round), and a
    # while loop's float condition checks the eval breaker: a signal handler that looks at
    # the frame and raises sees boxed locals and the condition's line.
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        import signal
        import traceback

        def shapes(a, b, n):
            s = t = u = x = y = 0.0
            for _ in range(n):
                s = a - b
                t = 2.5 - a
                u = b - 0.5
                v = a * a - b * 3.0
                w = (s - t) * (u - v) + (t - s)
                x = (s * t - a) * 2.0 - b
                y = (x - b) * 0.5
                s = s - y
                y = (0.5 - y) * x
                if s < 0.5:
                    u = u + 1.0
                if 0.25 > t:
                    t = t * -1.0
                if a >= b:
                    w = w - a
                if v != v:
                    w = -0.0
            return s, t, u, v, w, x, y

        def conditions(a, b, n):
            hits = []
            for k in range(n):
                a = a + 0.0
                if a < b:
                    hits.append(1)
                if a <= b:
                    hits.append(2)
                if a == b:
                    hits.append(3)
                if a != b:
                    hits.append(4)
                if a > b:
                    hits.append(5)
                if a >= b:
                    hits.append(6)
                if not a < b:
                    hits.append(7)
                if not a <= b:
                    hits.append(8)
                if not a > b:
                    hits.append(9)
                if not a >= b:
                    hits.append(10)
                if a < 0.5:
                    hits.append(11)
                if 0.5 >= b:
                    hits.append(12)
            return hits

        def bounded(x, step, limit):
            while x < limit:
                x = x + step
                step = step * 1.5
            return x, step

        def forever(x):
            y = 0.0
            while x == x:
                y = y * 0.5 + x
            return y

        for a in VALUES:
            print([repr(v) for v in shapes(a, 1.5, 2)], [repr(v) for v in shapes(-0.5, a, 1)])
        for a in VALUES:
            print(a, [conditions(a, b, 1) for b in VALUES])
        for x in [0.0, -0.0, 1.0, -1e300, INF, -INF, NAN]:
            print(repr(x), [repr(v) for v in bounded(x, 0.25, 100.0)])
        print(bounded(1.0, NAN, 2.0), bounded(1.0, 0.5, NAN))

        class Stop(Exception):
            pass

        seen = []
        def handler(signum, frame):
            seen.append(sorted((name, type(value).__name__) for name, value in frame.f_locals.items()))
            raise Stop

        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        try:
            forever(1.0)
        except Stop as error:
            print(seen, [(f.name, f.lineno) for f in traceback.extract_tb(error.__traceback__)])
    """), tmp_path, functions=["shapes", "conditions", "bounded", "forever"])
    assert_native(run, "shapes", "conditions", "bounded", "forever")
    shapes = {name.split("_RAW_")[1] for name in run.function("shapes")["specialized"] if "_FLOAT_RAW_" in name}
    assert shapes >= {"STACK_FAST", "FAST_FAST", "FAST_CONST", "CONST_FAST", "STACK_STACK_STORE", "STACK_FAST_STORE",
                      "STACK_CONST_STORE", "FAST_FAST_STORE", "FAST_CONST_STORE", "CONST_FAST_STORE"}, " ".join(sorted(shapes))
    assert {"COMPARE_OP_FLOAT_JUMP_RAW_" + form for form in ("NOT_LT_FAST_CONST", "NOT_GT_CONST_FAST", "NOT_GE_FAST_FAST",
                                                            "EQ_FAST_FAST")} <= set(run.function("shapes")["specialized"])
    compares = {name.removeprefix("COMPARE_OP_FLOAT_JUMP_RAW_") for name in run.function("conditions")["specialized"]}
    assert compares >= {f"{condition}_STACK_STACK" for condition in ("LT", "LE", "EQ", "NE", "GT", "GE", "NOT_LT",
                                                                    "NOT_LE", "NOT_GT", "NOT_GE")} | {"NOT_LT_STACK_CONST"}, \
        " ".join(sorted(compares))
    assert "COMPARE_OP_FLOAT_JUMP_RAW_LT_FAST_FAST" in run.function("bounded")["specialized"], run.function("bounded")["text"]
    assert run.deopts("EVAL_BREAKER_LOOP") >= 1, run.stats



def test_math_functions_on_raw_floats(tmp_path):
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        import math
        from math import sqrt, sin, cos, tan, asin, acos, atan
        from math import sqrt as root

        def each(x):
            return [sqrt(x * 1.0), sin(x), cos(x), tan(x), atan(x), root(x)]

        def inverse(x):
            return asin(x * 0.5) + acos(x * 0.5)

        def norm(xs):
            total = 0.0
            for i in range(len(xs)):
                total += sqrt(i) + sin(i * 0.25)
            return total

        def shown(function, *args):
            try:
                return [repr(v) for v in function(*args)] if function is each else repr(function(*args))
            except (ValueError, OverflowError, TypeError) as error:
                return f"{type(error).__name__}: {error}"

        for _ in range(3):
            for x in VALUES:
                print(repr(x), shown(each, x), shown(inverse, x))
            print(shown(each, 4), shown(each, 10**400), shown(inverse, 1), shown(norm, VALUES))
        try:
            inverse(3.0)
        except ValueError:
            import traceback
            print(traceback.format_exc().splitlines()[-3:])
        sqrt = math.cbrt  # the global is another function now: the guard on the callee exits
        print(shown(each, 8.0), shown(each, -8.0), shown(norm, VALUES))
        print(shown(each, "x"))

        def converted(n, step):
            total = 0.0
            for i in range(n):
                total += float(i * step)
            return total, [float(i) for i in range(-n, n, step)], float(step)

        def via_module(x):
            return math.sqrt(x) + math.cos(x)

        print([shown(via_module, x) for x in VALUES])

        class Fake:
            sqrt = staticmethod(lambda x: -x)
            cos = math.sin

        real, math = math, Fake()  # another object with such attributes: the guard on the callee exits
        print(via_module(4.0))
        math = real

        for step in (1, 3, 2**40 + 1):
            print(converted(20, step))
        print(converted(3, 1.5))  # float(x) of a float is x itself
        float = lambda value: value * 2  # the guard on the callee exits
        print(converted(4, 1))
        del float
        print(converted(4, 1))
    """), tmp_path, functions=["each", "inverse", "norm", "converted", "via_module"])
    assert_native(run, "each", "inverse", "norm", "converted", "via_module")
    assert {"CALL_MATH_SQRT_RAW", "CALL_MATH_COS_RAW"} <= set(run.function("via_module")["specialized"])
    assert "CALL_FLOAT_OF_INT_RAW" in run.function("converted")["specialized"], run.function("converted")["text"]
    specialized = [name for f in ("each", "inverse", "norm") for name in run.function(f)["specialized"]]
    for name in ("SQRT", "SIN", "COS", "TAN", "ATAN", "ASIN", "ACOS"):
        assert f"CALL_MATH_{name}_RAW" in specialized, specialized
    assert run.deopts("GUARD_VALUE") >= 1, run.stats  # the domain errors, the rebound global


def test_float_attributes_stay_raw(tmp_path):
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        import math

        class Slotted:
            __slots__ = ("x", "y")

            def __init__(self, x, y):
                self.x = x * 1.0
                self.y = y * 2.0

            def scale(self, by):
                self.x /= by
                self.y *= by

            def length(self):
                return self.x * self.x + self.y * self.y

        class Plain:
            def __init__(self, x, y):
                self.x = x * 1.0
                self.y = y * 2.0

            def scale(self, by):
                self.x /= by
                self.y *= by

            def length(self):
                return self.x * self.x + self.y * self.y

            def shift(self, other):
                pair = [self, other]
                pair[1].x -= self.y  # an owner from no local: its own raw load
                return pair[1].x * 2.0

        class Scaled(Plain):
            factor = 0.5  # a class attribute: its raw load takes the plain form's path

            def scaled(self):
                return self.factor * self.x + math.pi * self.y  # (a module's global too)

        print([repr(Scaled(v, 2.0).scaled()) for v in VALUES * 2])
        Scaled.factor = 3  # an int now
        print(repr(Scaled(1.5, 2.0).scaled()))

        class Prop(Plain):
            @property
            def x(self):
                return 7.5

            @x.setter
            def x(self, value):
                print("set", repr(value))

        for cls in (Slotted, Plain):
            for _ in range(3):
                points = [cls(v, 1.5) for v in VALUES]
                kept = [p.x for p in points]  # the attribute's float is shared now: not changed in place
                for p in points:
                    p.scale(4.0)
                print(cls.__name__, [repr(p.length()) for p in points], [repr(v) for v in kept])
            p = cls(1.0, 2.0)
            p.x = 3  # an int: the raw load goes on in the interpreter after it
            print(repr(p.length()))
            p.x = "s"
            try:
                p.length()
            except TypeError as error:
                print("TypeError:", error)
            p.x = 2.0
            try:
                p.scale(0.0)
            except ZeroDivisionError as error:
                print("ZeroDivisionError:", error)
            del p.y
            try:
                print(p.length())
            except AttributeError as error:
                print("AttributeError:", error)
        print([repr(Plain(v, 1.0).shift(Slotted(2.5, v))) for v in VALUES * 2])
        q = Prop(1.0, 2.0)
        q.scale(2.0)
        print(repr(q.length()), repr(Plain.length(q)))
    """), tmp_path, functions=["Slotted.scale", "Slotted.length", "Slotted.__init__", "Plain.scale", "Plain.length",
                               "Plain.shift", "Scaled.scaled"])
    assert run.function("Scaled.scaled")["specialized"].count("LOAD_ATTR_CACHED_UNBOX_FLOAT") >= 1, \
        run.function("Scaled.scaled")["text"]
    assert "LOAD_ATTR_CACHED_UNBOX_FLOAT" in run.function("Plain.shift")["specialized"], run.function("Plain.shift")["text"]
    assert_native(run, "Slotted.scale", "Slotted.length", "Slotted.__init__", "Plain.scale", "Plain.length")
    for name in ("Slotted", "Plain"):
        assert "LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT" in run.function(f"{name}.length")["specialized"]
        assert {"LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT", "STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT"} <= set(
            run.function(f"{name}.scale")["specialized"]), run.function(f"{name}.scale")["text"]
    assert "LOAD_FAST__STORE_ATTR_CACHED_BOX_FLOAT" in run.function("Slotted.__init__")["specialized"]


def test_constant_list_indexes_from_either_end(tmp_path):
    # A constant index k >= 0 is used as it is (no adjustment from the end, and the store
    # of `a[k] op= x` trusts the range its load checked); a negative one has its own form.
    run = compare("""
        def step(a, b, scale):
            for _ in range(3):
                d = a[0] - b[0]
                e = a[-1] * b[-2] + a[2]
                a[1] += d * scale
                b[2] -= e * scale
                a[0] *= 1.0000001
            return d, e

        a = [0.5, 1.5, 2.5, 3.5]
        b = [4.0, -1.25, 0.75]
        shared = b[2]
        for _ in range(6):
            print(step(a, b, 0.125))
        print(a, b, shared)
        for short_a, short_b in (([1.0, 2.0, 3.0], [1.0]), ([1.0, 2.0], [1.0, 2.0, 3.0]), ([], [1.0, 2.0, 3.0]),
                                 ([1.0, 2.0, 3.0], [1.0, 2.0])):
            try:
                print(step(short_a, short_b, 1.0))
            except IndexError as error:
                print("IndexError:", error, short_a, short_b)
        print(step([1.0, 2.0, 3.0, 4], [1.0, 2, 3.0], 2.0))  # int items: the guards exit
        try:
            step((1.0, 2.0, 3.0), [1.0, 2.0, 3.0], 2.0)
        except TypeError as error:
            print("TypeError:", error)
    """, tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=6)
    step = run.function("step")
    for form in ("LOAD_FAST_ITEM_CONST_UNBOX_FLOAT", "LOAD_FAST_ITEM_FROM_END_UNBOX_FLOAT",
                 "STORE_FAST_ITEM_CONST_BOX_FLOAT"):
        assert form in step["specialized"], step["text"]


def test_item_loads_skip_a_list_check_made_before(tmp_path):
    # After one item load of `a`, the next ones in the same straight run check only the
    # index and the item; a rebinding, a jump target or a call between checks again.
    run = compare("""
        def pair(a, b, c):
            d = a[0] - b[0]
            e = a[1] * d + b[2] / a[0]
            f = a[2] ** 0.5
            if e > 0.0:
                a = c
            g = a[1] + b[1]        # a rebound on one path: checked again
            h = a[0] * g
            b[1] = 1.0 * len(b)    # a call between
            return d, e, f, g, h, b[0] + b[1]

        a = [1.5, 2.5, 4.0]
        b = [0.5, 3.0, 7.25]
        for i in range(8):
            print(pair(a, b, [9.0, -1.0]), pair(b, a, b))
        for args in (([1.5], b, a), ([1.5, 2.5, 4.0], [0.5], a), ([1.0, 2, 3.0], b, a), ([1.0, 2.0, 3.0], b, [1.0])):
            try:
                print(pair(*args))
            except (IndexError, TypeError) as error:
                print(type(error).__name__, error)
    """, tmp_path, functions=["pair"])
    assert_native(run, "pair", min_entries=8)
    specialized = run.function("pair")["specialized"]
    assert specialized.count("LOAD_FAST_KNOWN_LIST_ITEM_CONST_UNBOX_FLOAT") >= 3, run.function("pair")["text"]
    assert specialized.count("LOAD_FAST_ITEM_CONST_UNBOX_FLOAT") >= 3, run.function("pair")["text"]


def test_square_root_by_a_constant_half(tmp_path):
    # x ** 0.5 with the constant fused in (BINARY_OP_POWER_FLOAT_RAW_HALF): the square root
    # where provably pow's, else pow, else float_pow itself; a negative base (a complex
    # result) exits before the constant is pushed, and where it keeps exiting the two
    # stay apart after the recompile.
    run = compare(SPECIAL_VALUES + textwrap.dedent("""
        import struct

        def lengths(xs, scale):
            out = []
            for x in xs:
                d = x * scale
                out.append(d ** 0.5 + (d * d) ** 0.5)
            return out

        def bits(values):
            return struct.pack(f"<{len(values)}d", *values).hex()

        xs = [k * 0.37 + 1e-3 for k in range(3000)] + [v for v in VALUES if v >= 0.0 or v != v]
        xs += [2.0 ** -1074, 2.0 ** -900, 2.0 ** 900, 1.0, 4.0, float.fromhex("0x1.fffffffffffffp+1023")]
        for _ in range(4):
            print(bits(lengths(xs, 1.0)), bits(lengths(xs, 3.0)))
        print(bits(lengths(xs, 0.5)))

        def signed_roots(xs):
            return [x * 1.0 ** 0.5 for x in xs] + [(x * 1.0) ** 0.5 for x in xs]

        for _ in range(6):  # a negative base: complex results, from the interpreter
            print(signed_roots([4.0, -2.0, 9.0, -0.0, float("-inf")]))
    """), tmp_path, functions=["lengths"])
    assert_native(run, "lengths", min_entries=4)
    assert "BINARY_OP_POWER_FLOAT_RAW_HALF" in run.function("lengths")["text"], run.function("lengths")["text"]


def test_pairs_unpacked_where_locals_are_raw(tmp_path):
    # `for a, b in pairs` in a loop that keeps floats raw: two items unpacked inline from a
    # tuple or a list; any other length or sequence exits to the interpreter.
    run = compare("""
        class Pair:
            def __init__(self, a, b):
                self.items = (a, b)
            def __iter__(self):
                return iter(self.items)

        def spread(pairs, scale):
            total = 0.0
            for a, b in pairs:
                d = a - b
                total += d * d * scale
            return total

        pairs = [(k * 0.5, k * 0.25 - 3.0) for k in range(50)]
        for _ in range(6):
            print(repr(spread(pairs, 1.5)))
        print(repr(spread([[1.0, 2.0], (3.0, 5.5), [0.5, -0.5]], 2.0)))
        print(repr(spread([(1.0, 2.0), Pair(4.0, 1.0), (2.0, 2.5)], 1.0)))
        for bad in ([(1.0, 2.0), (1.0, 2.0, 3.0)], [(1.0,)], [(1.0, 2.0), 7]):
            try:
                print(spread(bad, 1.0))
            except (ValueError, TypeError) as error:
                print(type(error).__name__, error)
    """, tmp_path, functions=["spread"])
    assert_native(run, "spread", min_entries=6)
    # (the loop, the unpacking and the stores in one: FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS)
    assert "FOR_ITER_LIST_UNPACK_TWO_TO_LOCALS" in run.function("spread")["specialized"], run.function("spread")["text"]


def test_item_update_reading_other_items(tmp_path):
    # `body[k] += dt * body[j]`: the item load between may exit, so the list and k stay on
    # the stack, but the store trusts the start's checks (STORE_SUBSCR_LIST_CONST_BOX_FLOAT).
    run = compare("""
        def drift(bodies, dt):
            for _ in range(2):
                for body in bodies:
                    body[0] += dt * body[3]
                    body[1] -= body[4] / dt
                    body[2] *= body[5] ** 0.5
            return bodies

        bodies = [[k * 1.0, 2.0, 3.0, 0.5 * k, -1.25, 4.0] for k in range(5)]
        shared = bodies[2][0]
        for _ in range(6):
            print(drift(bodies, 0.125))
        print(shared, bodies[2][0] is shared)
        for odd in ([1.0, 2.0, 3.0, 4, 5.0, 6.0], [1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0, 5.0, -1.0],
                    [1.0, 2.0, 3.0, 4.0, 0.0, 9.0]):
            try:
                print(drift([odd], 0.5 if odd[4] else 0.0))
            except (IndexError, ZeroDivisionError) as error:
                print(type(error).__name__, error, odd)
    """, tmp_path, functions=["drift"])
    assert_native(run, "drift", min_entries=6)
    assert run.function("drift")["specialized"].count("STORE_SUBSCR_LIST_CONST_BOX_FLOAT") >= 2, \
        run.function("drift")["text"]

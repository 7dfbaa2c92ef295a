"""Differential tests: arithmetic, comparisons and loops, compiled on their first call
(ACCEL_THRESHOLD=0) and compared with stock CPython, with proof that native code ran."""
from differential import assert_native, compare


def test_float_loop(tmp_path):
    run = compare("""
        def poly(n):
            x = 0.0
            acc = 1.0
            for i in range(n):
                x = x * 0.5 + 1.25
                acc = acc - x / 3.0
                acc *= 1.0000001
            return x, acc

        def kahan(values):
            total = 0.0
            c = 0.0
            for v in values:
                y = v - c
                t = total + y
                c = (t - total) - y
                total = t
            return total

        print(poly(20000))
        print(repr(kahan([0.1] * 1000 + [1e16, 1.0, -1e16])))
        print(poly(0), poly(1))
    """, tmp_path, functions=["poly", "kahan"])
    assert_native(run, "poly", "kahan")
    poly = run.function("poly")
    assert any(name.startswith("BINARY_OP_MULTIPLY_FLOAT") for name in poly["specialized"]), poly["text"]
    # every call had float arguments: no guard of theirs ever failed
    for name in ("poly", "kahan"):
        assert not run.function(name)["site_exits"].get("GUARD_TYPE"), run.function(name)


def test_int_loop(tmp_path):
    run = compare("""
        def sums(n):
            s = 0
            t = 0
            for i in range(n):
                s = s + i * 3 - 1
                t += i % 7
                t -= i // 5
            return s, t

        def collatz_steps(limit):
            longest = 0
            for start in range(1, limit):
                n = start
                steps = 0
                while n != 1:
                    if n % 2 == 0:
                        n = n // 2
                    else:
                        n = 3 * n + 1
                    steps += 1
                if steps > longest:
                    longest = steps
            return longest

        def bits(n):
            out = 0
            for i in range(n):
                out ^= (i << 3) | (i >> 2) & 0xFF
            return out

        print(sums(30000), sums(0), sums(-5))
        print(collatz_steps(3000))
        print(bits(5000))
    """, tmp_path, functions=["sums", "collatz_steps", "bits"])
    assert_native(run, "sums", "collatz_steps", "bits")
    assert any(name.startswith("BINARY_OP_MULTIPLY_INT") for name in run.function("sums")["specialized"])
    assert any(name.startswith("COMPARE_OP_INT_JUMP") for name in run.function("collatz_steps")["specialized"])


def test_mixed_int_and_float(tmp_path):
    run = compare("""
        def mixed(n):
            x = 0.0
            k = 0
            for i in range(n):
                x += i          # float + int
                k += 2          # int + int
                x = x * 0.75 + k / 4   # int / int is a float
            return x, k, x / k, k * 1.5, 7 // 2.0, -7 % 3.0, 2 ** -1, (-8) ** (1 / 3) == (-8) ** (1 / 3)

        print(mixed(5000))
        print(mixed(1))
    """, tmp_path, functions=["mixed"])
    assert_native(run, "mixed")


def test_big_ints_overflow_one_digit(tmp_path):
    run = compare("""
        D = 2 ** 30   # one CPython digit holds 30 bits

        def grow(n):
            x = 1
            for i in range(n):
                x = x * 3 + 1
            return x

        def edges():
            m = D - 1
            out = [m + 1, -m - 1, m * m, -m * m, m * -m, (m + 1) * (m + 1), m - -m, -m - m,
                   m + m, D + 0, 0 - D, D * D * D - 1, (D * D) - (D * D), -(D * D) + 1]
            return out

        def factorial(n):
            r = 1
            for i in range(2, n + 1):
                r = r * i
            return r

        def fib(n):
            a = 0
            b = 1
            for i in range(n):
                a, b = b, a + b
            return a

        def shrink(x):
            steps = 0
            while x > 1:
                x = x // 3 - 1 if x % 2 else x - x // 2
                steps += 1
            return steps

        print(grow(200))
        print(edges())
        print(factorial(60))
        print(fib(300))
        print(shrink(10 ** 40), shrink(7))
        print(sum(range(D - 5, D + 5)), [i * i for i in range(D - 2, D + 2)])
    """, tmp_path, functions=["grow", "edges", "factorial", "fib", "shrink"])
    assert_native(run, "grow", "edges", "factorial", "fib", "shrink")


def test_division_by_zero_uncaught_traceback(tmp_path):
    """An uncaught ZeroDivisionError raised in native code: the same traceback text, line
    and carets included, and the same exit code."""
    run = compare("""
        def ratio(a, b):
            scaled = a * 2.0
            return scaled / (b - b)

        def outer(values):
            total = 0.0
            for v in values:
                total += ratio(v, v)
            return total

        print("before")
        outer([1.0, 2.0])
    """, tmp_path, functions=["ratio", "outer"])
    assert run.returncode == 1
    assert "ZeroDivisionError: float division by zero" in run.stderr
    assert_native(run, "ratio", "outer")


def test_division_by_zero_traceback_caught(tmp_path):
    """The traceback of a ZeroDivisionError raised in native code, formatted by the
    program itself: the entries of the compiled frames, with line and carets."""
    run = compare("""
        import traceback

        def fdiv(a, b):
            return a / b

        def fdiv_expr(a, b):
            return (a + 1.0) * 2.0 / (b * 0.0)

        def idiv(a, b):
            return a // b

        def imod(a, b):
            return a % b

        def fmod(a, b):
            return a % b

        def ffloor(a, b):
            return a // b

        def int_true(a, b):
            return a / b

        def in_loop(n):
            acc = 0
            for i in range(n, -1, -1):
                acc += 100 // i
            return acc

        for fn, args in [(fdiv, (1.0, 0.0)), (fdiv_expr, (1.0, 2.0)), (idiv, (1, 0)), (imod, (5, 0)),
                         (fmod, (5.0, 0.0)), (ffloor, (5.0, -0.0)), (int_true, (1, 0)), (in_loop, (5,)),
                         (fdiv, (1.0, 2.0))]:
            try:
                print(fn.__name__, fn(*args))
            except ZeroDivisionError:
                print(traceback.format_exc())
    """, tmp_path, functions=["fdiv", "fdiv_expr", "idiv", "imod", "in_loop"])
    assert run.stdout.count("ZeroDivisionError") == 8
    assert "~~^~~" in run.stdout
    assert_native(run, "fdiv", "fdiv_expr", "idiv", "imod", "in_loop")


def test_comparisons_with_nan_inf_and_signed_zero(tmp_path):
    run = compare("""
        nan = float("nan")
        inf = float("inf")
        VALUES = [nan, inf, -inf, 0.0, -0.0, 1.5, -2.5, 1e308, 5e-324]

        def branchy(a, b):
            # comparisons that steer jumps: the fused compare-and-jump forms
            out = 0
            if a < b:
                out |= 1
            if a <= b:
                out |= 2
            if a == b:
                out |= 4
            if a != b:
                out |= 8
            if a > b:
                out |= 16
            if a >= b:
                out |= 32
            if not a < b:
                out |= 64
            if not a != b:
                out |= 128
            return out

        def values(a, b):
            # comparisons whose results are values
            return [a < b, a <= b, a == b, a != b, a > b, a >= b]

        def count_less(xs, limit):
            n = 0
            i = 0
            while i < len(xs):
                if xs[i] < limit:
                    n += 1
                i += 1
            return n

        rows = []
        for a in VALUES:
            for b in VALUES:
                rows.append((branchy(a, b), values(a, b)))
        print(rows)
        print(count_less(VALUES, 1.0), count_less(VALUES, nan), count_less(VALUES, inf))
        print(branchy(1, 2), branchy(2, 2), branchy(-3, 2), branchy(2 ** 40, 2 ** 40 + 1),
              branchy(-(2 ** 70), 5), branchy(1, 1.0), branchy(True, 1), branchy(1.0, nan))
        print(values(3, 3.0), values("a", "b"), values((1, 2), (1, 3)))
    """, tmp_path, functions=["branchy", "values", "count_less"])
    assert_native(run, "branchy", "values", "count_less")
    assert any(name.startswith("COMPARE_OP_FLOAT_JUMP") for name in run.function("branchy")["specialized"]), \
        run.function("branchy")["text"]


def test_while_loops_break_continue_else(tmp_path):
    run = compare("""
        def first_square_above(limit):
            i = 0
            while True:
                i += 1
                if i * i > limit:
                    break
            return i

        def odd_sum(n):
            total = 0
            i = 0
            while i < n:
                i += 1
                if i % 2 == 0:
                    continue
                total += i
            else:
                total = -total
            return total

        def find(xs, wanted):
            for index, x in enumerate(xs):
                if x == wanted:
                    break
            else:
                return -1
            return index

        def countdown(n):
            out = list()
            while n:
                out.append(n)
                n -= 1
            return out

        print(first_square_above(10 ** 6), odd_sum(1001), odd_sum(0))
        print(find([3, 1, 4, 1, 5], 4), find([3, 1, 4], 9), find([], 1))
        print(countdown(7), countdown(0))
    """, tmp_path, functions=["first_square_above", "odd_sum", "countdown"])
    assert_native(run, "first_square_above", "odd_sum", "countdown")


def test_nested_loops(tmp_path):
    run = compare("""
        def matmul(a, b, n, c):
            for i in range(n):
                row = a[i]
                out = c[i]
                for j in range(n):
                    s = 0.0
                    for k in range(n):
                        s += row[k] * b[k][j]
                    out[j] = s
            return c

        def triangle(n):
            count = 0
            for i in range(n):
                for j in range(i):
                    if (i + j) % 3 == 0:
                        continue
                    for k in range(j):
                        if k > 5:
                            break
                        count += i - j + k
            return count

        n = 12
        a = [[float(i * n + j) for j in range(n)] for i in range(n)]
        b = [[float((i + 1) * (j + 2) % 7) for j in range(n)] for i in range(n)]
        print(matmul(a, b, n, [[0.0] * n for _ in range(n)])[5])
        print(triangle(60))
    """, tmp_path, functions=["matmul", "triangle"])
    assert_native(run, "matmul", "triangle")


def test_for_over_containers_and_iterators(tmp_path):
    run = compare("""
        def walk(iterable):
            out = list()
            for item in iterable:
                out.append(item)
            return out

        def total(iterable):
            t = 0
            for item in iterable:
                t = t + item
            return t

        def gen(n):
            for i in range(n):
                yield i * i

        class Countdown:
            def __init__(self, n):
                self.n = n
            def __iter__(self):
                return self
            def __next__(self):
                if self.n <= 0:
                    raise StopIteration
                self.n -= 1
                return self.n

        def dict_loop(d):
            keys = list()
            pairs = list()
            for k in d:
                keys.append(k)
            for k, v in d.items():
                pairs.append((k, v))
            return keys, pairs

        def ranges():
            out = list()
            for r in (range(10), range(3, 20, 4), range(10, 0, -3), range(0), range(-5, 5, 2),
                      range(2 ** 62, 2 ** 62 + 3), range(2 ** 70, 2 ** 70 + 2), range(-2 ** 62, -2 ** 62 + 2)):
                out.append(total(r) if len(r) else None)
                out.append(walk(r))
            return out

        def mutate_while_iterating(xs):
            seen = list()
            for x in xs:
                seen.append(x)
                if x < 5:
                    xs.append(x + 10)
            return seen

        print(ranges())
        print(walk([1, 2, 3]), walk((4, 5)), walk("héllo"), walk(b"ab"), walk({3, 1}), walk(gen(5)))
        print(total([1.5, 2.5]), total((1, 2, 3)), total(gen(10)), total(Countdown(5)), total(x for x in [7, 8]))
        print(dict_loop({"a": 1, "b": 2, 3: "c"}))
        print(mutate_while_iterating([1, 7, 3]))
        print(walk(zip("ab", [1, 2])), walk(map(abs, [-1, -2])), walk(reversed([1, 2, 3])), walk(iter([])))
    """, tmp_path, functions=["walk", "total", "dict_loop", "ranges", "mutate_while_iterating"])
    assert_native(run, "walk", "total", "dict_loop", "ranges", "mutate_while_iterating")


def test_early_return_from_loops(tmp_path):
    run = compare("""
        def index_of(xs, wanted):
            for i in range(len(xs)):
                if xs[i] == wanted:
                    return i
            return None

        def nested_find(grid, wanted):
            for r in grid:
                for c in r:
                    if c == wanted:
                        return (r, c)
            return "missing"

        def first_negative(it):
            for x in it:
                if x < 0:
                    return x

        def early(n):
            if n < 0:
                return "negative"
            while True:
                n -= 1
                if n < 3:
                    return n

        grid = [[1, 2], [3, 4], [5, 6]]
        print(index_of([5, 6, 7], 7), index_of([5, 6, 7], 9), index_of([], 1))
        print(nested_find(grid, 4), nested_find(grid, 10))
        print(first_negative([3, -1, -2]), first_negative(iter([1, 2])), first_negative(x - 5 for x in range(10)))
        print(early(-1), early(10), early(0))
    """, tmp_path, functions=["index_of", "nested_find", "first_negative", "early"])
    assert_native(run, "index_of", "nested_find", "first_negative", "early")


def test_conditional_expression_in_int_loop(tmp_path):
    """A value made in one branch of a conditional expression and stored to a local that a
    pure loop keeps unboxed."""
    run = compare("""
        def ternary(n):
            k = 1
            for i in range(n):
                k = k * 3 + 1 if k < 1000000 else k - 999999
            return k

        def branches(n):
            k = 1
            for i in range(n):
                if k < 1000000:
                    k = k * 3 + 1
                else:
                    k = k - 999999
            return k

        def signed(n):
            t = 0
            for i in range(n):
                t = t + (i if i < 5 else -i)
            return t

        print(ternary(100), branches(100), signed(10), ternary(3), ternary(0))
    """, tmp_path, functions=["ternary", "branches", "signed"])
    assert run.stdout.split()[:3] == ["1801345", "1801345", "-25"]
    assert_native(run, "ternary", "branches", "signed")


def test_conditional_expression_in_float_loop(tmp_path):
    run = compare("""
        def halve_or_grow(n):
            x = 1.0
            for i in range(n):
                x = x * 0.5 if x > 3.0 else x + 1.25
            return x

        def pick(n):
            x = 1.0
            y = 2.0
            for i in range(n):
                x = (x if x > y else y) + 1.0
            return x

        print(halve_or_grow(10), halve_or_grow(1000), pick(5))
    """, tmp_path, functions=["halve_or_grow", "pick"])
    assert run.stdout.split()[0] == "4.1875"
    assert_native(run, "halve_or_grow", "pick")


def test_conditional_expression_as_an_operand(tmp_path):
    """An int or float operation whose operand comes from a conditional expression: both
    ways into the operation must give it the same (unboxed) operands."""
    run = compare("""
        def int_operand(a, b):
            n = 100
            return b + (a if n != 1 else 1)

        def float_operand(a, b):
            return b * (a if a > 0.0 else -a) - 1.0

        def left_operand(a, b):
            return (a if a < b else b) - b

        print(int_operand(3, 4), int_operand(-5, 10))
        print(float_operand(1.5, 2.0), float_operand(-1.5, 2.0))
        print(left_operand(3, 4), left_operand(9, 4), left_operand(0.5, 0.25))
    """, tmp_path, functions=["int_operand", "float_operand", "left_operand"])
    assert run.stdout.splitlines()[0] == "7 5"
    assert_native(run, "int_operand", "float_operand", "left_operand")


def test_ints_at_the_edges_of_64_bits(tmp_path):
    """Ints kept unboxed as 64-bit values: the extremes, and a range that produces them."""
    run = compare("""
        def total(iterable):
            t = 0
            for item in iterable:
                t = t + item
            return t

        def plus_min(n):
            t = 0
            for i in range(n):
                t = t + -9223372036854775808
            return t

        def down(n):
            t = -9223372036854775807
            for i in range(n):
                t = t - 1
            return t

        def times(n, k):
            t = k
            for i in range(n):
                t = t * 1
            return t

        def powers(n):
            t = 1
            for i in range(n):
                t = t * -2
            return t

        def count_up(a, b):
            k = 0
            while a < b:
                a = a + 1
                k = k + 1
            return k

        print(total(range(3)))     # compiled for a range
        print(total(range(2 ** 63 - 3, 2 ** 63)), total(range(-2 ** 63 + 1, -2 ** 63 + 3)))
        print(total(range(-2 ** 63, -2 ** 63 + 2)), total(range(-2 ** 63 + 5, -2 ** 63, -2)))
        print(plus_min(3), down(1), down(2), times(3, -2 ** 63), times(3, 2 ** 63 - 1))
        print(powers(62), powers(63), powers(64))
        print(count_up(-2 ** 63, -2 ** 63 + 3), count_up(2 ** 63 - 3, 2 ** 63 - 1), count_up(2 ** 63 - 2, 2 ** 63 + 1))
    """, tmp_path, functions=["total", "plus_min", "down", "times", "powers", "count_up"])
    assert_native(run, "total", "plus_min", "down", "times", "powers", "count_up")


def test_int_bitwise_and_shifts(tmp_path):
    """&, |, ^, << and >> on ints stay raw in loops (with a module constant as an
    operand); values at the edges of 64 bits, negative counts and results that
    need a big int give what stock gives."""
    run = compare("""
        MASK32 = 0xFFFF_FFFF

        def lcg(seed, steps):
            state = seed
            total = 0
            for i in range(steps):
                state = (state * 1103515245 + 12345) & 0x7FFF_FFFF
                total = (total + (state >> 7) % 1000 + (i ^ (state & 255))) & MASK32
                total ^= (total << 3) & MASK32
            return total

        def shifts(values, counts):
            out = []
            for v in values:
                for c in counts:
                    try:
                        out.append((v << c, v >> c, v & c, v | c, v ^ c))
                    except ValueError as error:
                        out.append(str(error))
            return out

        def grow(x, n):
            for i in range(n):
                x = x << 7
                x |= 1
            return x

        def edges(n):
            a = -(2 ** 62)
            b = 2 ** 62
            r = 0
            for i in range(n):
                r = (a ^ b) & (a | 1)
                r = r ^ -1
            return a, b, r

        edge = [0, 1, -1, 7, -7, 2 ** 30 - 1, -(2 ** 30), 2 ** 62, -(2 ** 63), 2 ** 63 - 1, 2 ** 64 + 5, -(2 ** 70)]
        print(lcg(1, 20000), lcg(7, 0))
        print(shifts(edge, [0, 1, 3, 31, 32, 33, 62, 63, 64, 65, 200, -1, -64]))
        print(grow(1, 12), grow(-3, 12), grow(0, 100))
        print(edges(100))
        MASK32 = 0xFFFF
        print(lcg(3, 500))
        MASK32 = 2.5
        try:
            lcg(3, 10)
        except TypeError as error:
            print("TypeError", error)
    """, tmp_path, functions=["lcg", "shifts", "grow", "edges"])
    assert_native(run, "lcg", "shifts", "grow", "edges")
    lcg = run.function("lcg")
    for form in ("BINARY_OP_AND_INT_RAW", "BINARY_OP_XOR_INT_RAW", "BINARY_OP_LSHIFT_INT_RAW",
                 "BINARY_OP_RSHIFT_INT_RAW", "LOAD_GLOBAL_CACHED_UNBOX_INT"):  # (the constant loaded raw, purely)
        assert form in lcg["specialized"], lcg["text"]
    assert "FOR_ITER_RANGE_RAW" in lcg["specialized"], lcg["text"]


def test_two_digit_ints_at_sites_of_unknown_types(tmp_path):
    """Operands of unknown types (items of a list): ints of up to two digits (|value| < 2**60)
    are added, subtracted and multiplied inline (BINARY_OP_*_INT_OR_FLOAT); results past 64
    bits, and larger operands, take int's own code.  The digit edges, signs and zero."""
    run = compare("""
        D = 2 ** 30
        EDGES = [0, 1, -1, D - 1, D, -D, D + 1, -(D + 1), 2 ** 32 - 1, -(2 ** 32), 2 ** 45 + 3,
                 2 ** 59, -(2 ** 59), 2 ** 60 - 1, -(2 ** 60 - 1), 2 ** 60, -(2 ** 60), 2 ** 61 + 5,
                 2 ** 63 - 1, -(2 ** 63), 2 ** 90 + 7, True, 2.5]

        def combine(values):
            out = []
            for x in values:
                for y in values:
                    out.append((x + y, x - y, x * y))
            return out

        def masked(values, rounds):
            acc = 0
            for i in range(rounds):
                for v in values:
                    acc = (acc + v * 3 - i) & 0xFFFF_FFFF
                    acc = acc * 2 - values[0]
            return acc

        result = combine(EDGES)
        print(len(result), result[:40], result[-40:])
        print(hash(tuple(result)), all(type(a) is type(b) for a, b in zip(result, combine(EDGES))))
        print(masked([D + 5, 2 ** 33, -7, 2 ** 59], 300))
    """, tmp_path, functions=["combine", "masked"])
    assert_native(run, "combine", "masked")
    assert "BINARY_OP_ADD_INT_OR_FLOAT" in run.function("combine")["specialized"], run.function("combine")["text"]


def test_bitwise_operations_at_sites_of_unknown_types(tmp_path):
    """&, | and ^ (BINARY_OP_*_INT_OR_OTHER): ints of up to two digits inline, as 64-bit
    two's complement; bools keep their type, big ints, sets, dict views and classes with
    their own operators take the generic path (in place where the code says so)."""
    run = compare("""
        class Flags:
            def __init__(self, bits):
                self.bits = bits
            def __and__(self, other):
                return Flags(self.bits & int(other))
            def __rand__(self, other):
                return ("rand", other)
            def __or__(self, other):
                return Flags(self.bits | int(other))
            __ror__ = __or__
            def __xor__(self, other):
                return ("xor", self.bits, other)
            __rxor__ = __xor__
            def __ior__(self, other):
                self.bits |= int(other)
                return self
            def __repr__(self):
                return f"Flags({self.bits})"

        D = 2 ** 30
        VALUES = [0, 1, -1, 5, -6, D - 1, D, -D, -(D + 1), 2 ** 32 - 1, -(2 ** 32), 2 ** 59 + 3,
                  -(2 ** 60 - 1), 2 ** 60, -(2 ** 60), 2 ** 63 - 1, -(2 ** 63), 2 ** 64 + 9, -(2 ** 90), True, False]

        def table(values):
            out = []
            for x in values:
                for y in values:
                    out.append((x & y, x | y, x ^ y))
            return out

        def augmented(values, start):
            acc = start
            for v in values:
                acc ^= v
                acc &= 0xFFFF_FFFF_FFFF
                acc |= v & 3
            return acc

        def others(a, b):
            return a & b, a | b, a ^ b

        def in_place(a, b):
            a |= b
            return a

        result = table(VALUES)
        print(len(result), result[:30], result[-30:])
        print(all(type(p) is type(q) for r, s in zip(result, table(VALUES)) for p, q in zip(r, s)))
        print([type(v).__name__ for v in table([True, False])[0]])
        print(augmented(VALUES[:-3], 12345), augmented(list(range(1000)), -7), augmented([True, 2 ** 70], 8))
        print(others({1, 2}, {2, 3}), others({"a": 1}.keys(), {"a"}), others(Flags(6), 3), others(3, Flags(6)))
        print(in_place(Flags(1), 6), in_place({1}, {2}), in_place(5, 2 ** 62), in_place(-(2 ** 59), 3))
        for bad in ((1.5, 1), ("a", 1), (None, None)):
            try:
                others(*bad)
            except TypeError as error:
                print(error)
    """, tmp_path, functions=["table", "augmented", "others", "in_place"])
    assert "Traceback" not in run.stderr, run.stderr
    assert_native(run, "table", "augmented", "others", "in_place")
    for op in ("AND", "OR", "XOR"):
        assert f"BINARY_OP_{op}_INT_OR_OTHER" in run.function("table")["specialized"], run.function("table")["text"]


def test_floor_division_and_remainder_at_sites_of_unknown_types(tmp_path):
    """// and % (BINARY_OP_*_INT_OR_OTHER): ints of up to two digits inline, rounding toward
    minus infinity with the divisor's sign; zero divisors, floats, bools, big ints and str
    formatting take the generic path (ZeroDivisionError's traceback as stock's)."""
    run = compare("""
        D = 2 ** 30
        VALUES = [0, 1, -1, 7, -7, 3, -3, D - 1, D, -D, 2 ** 45 + 11, -(2 ** 52 + 5), 2 ** 60 - 1,
                  -(2 ** 60 - 1), 2 ** 60, 2 ** 63, -(2 ** 75), True, 2.5, -0.0]

        def divide(values):
            out = []
            for x in values:
                for y in values:
                    try:
                        out.append((x // y, x % y))
                    except ZeroDivisionError as error:
                        out.append(str(error))
            return out

        def hashes(n, modulus):
            h = 17
            for i in range(n):
                h = (h * 31 + i) % modulus
                h -= h // 7
            return h

        def fmt(template, value):
            return template % value

        result = divide(VALUES)
        print(len(result), result[:40], result[-60:])
        print(all(type(a) is type(b) for r, s in zip(result, divide(VALUES)) if isinstance(r, tuple)
                  for a, b in zip(r, s)))
        print(hashes(3000, 1_000_000_007), hashes(500, -97), hashes(100, 2 ** 61 + 1))
        print(fmt("%d-%s", (4, "x")), fmt("%05.1f", 2.25), fmt(b"%c", 65))
        print(hashes(10, 0))
    """, tmp_path, functions=["divide", "hashes", "fmt"])
    assert_native(run, "divide", "hashes", "fmt")
    assert "ZeroDivisionError: integer modulo by zero" in run.stderr, run.stderr
    for op in ("FLOOR_DIVIDE", "REMAINDER"):
        assert f"BINARY_OP_{op}_INT_OR_OTHER" in run.function("divide")["specialized"], run.function("divide")["text"]


def test_sites_profiled_in_the_first_call_are_specialized_from_the_second(tmp_path):
    """Code compiled on its first call (it has a loop) notes the operand kinds of its sites
    of unknown types during that call; once that call has returned, it is compiled again,
    so that its second call already runs int operations on raw values there."""
    run = compare("""
        def accumulate(rows):
            acc = 0
            for row in rows:
                a, b, c = row
                acc = (acc + a * b - c) & 0xFFFFFFFF
            return acc

        def mixed(rows):
            acc = 0
            for a, b in rows:
                acc = acc + a * b
            return acc

        rows = [(i, i + 1, i * 3) for i in range(3000)]  # fewer iterations than make a loop hot (OSR)
        print(accumulate(rows), accumulate(rows[:100]))
        print(mixed([(1, 2), (1.5, 2)]), mixed([(3, 4)]), mixed([(2.5, 1.0)]))
    """, tmp_path, functions=["accumulate", "mixed"])
    assert_native(run, "accumulate", "mixed")
    accumulate = run.function("accumulate")
    assert accumulate["native_entries"] == 2 and accumulate["recompiles"] == 1, accumulate["text"]
    assert any(name.startswith("BINARY_OP_MULTIPLY_INT") for name in accumulate["specialized"]), accumulate["text"]
    assert accumulate["exits"] == 0, accumulate["text"]
    mixed = run.function("mixed")
    assert mixed["recompiles"] == 0 and "BINARY_OP_MULTIPLY_INT_OR_FLOAT" in mixed["specialized"], mixed["text"]


def test_negation_of_ints_and_floats_inline(tmp_path):
    """`-x` (UNARY_NEGATIVE) computes one-digit ints and exact floats itself, as long_neg and
    float_neg do (small ints come back cached, -0.0, nan and inf keep their bits); bigger
    ints, bools, subclasses and other types ask their type, errors and all."""
    run = compare("""
import math, struct

class Num(int):
    def __neg__(self):
        return "neg"

class F(float):
    pass

def negate(x):
    return -x

def key(item):
    return (-item[1], item[0])

values = [0, 1, -1, 5, -5, 256, -256, 257, 2**30 - 1, -(2**30 - 1), 2**30, -(2**30), 2**62, 2**70,
          True, False, Num(3), 0.0, -0.0, 1.5, -2.25, math.inf, -math.inf, math.nan, F(2.5), 1 + 2j]
for v in values:
    r = negate(v)
    print(type(r).__name__, struct.pack("<d", r).hex() if type(r) is float else r, r is negate(v))
print(negate(-5) is -(-5), negate(0) is 0, negate(5) is -5)
print(sorted([("b", 2), ("a", 2), ("c", 7), ("d", -3)], key=key))
for bad in ("s", None, [1]):
    try:
        negate(bad)
    except TypeError as e:
        print("TypeError", e)
negate({})
""", tmp_path, functions=["negate", "key"])
    assert run.returncode == 1 and "TypeError" in run.stderr
    assert_native(run, "negate", "key")
    assert "UNARY_NEGATIVE" in run.function("negate")["specialized"]


def test_shifts_at_sites_of_unknown_types(tmp_path):
    """>> and << (BINARY_OP_*SHIFT_INT_OR_OTHER): ints of up to two digits and a count from
    0 up inline (<< only where no bit is lost, else the big int); negative counts
    (ValueError, stock's traceback), big ints, bools, floats and classes with their own
    operators take the generic path."""
    run = compare("""
        class Bits:
            def __rshift__(self, other):
                return ("rshift", other)
            def __rrshift__(self, other):
                return ("rrshift", other)
            def __lshift__(self, other):
                return ("lshift", other)
            def __rlshift__(self, other):
                return ("rlshift", other)

        D = 2 ** 30
        VALUES = [0, 1, -1, 5, -6, 31, 32, 62, 63, 64, 100, D - 1, D, -D, 2 ** 40 + 3, -(2 ** 59),
                  2 ** 60 - 1, 2 ** 60, -(2 ** 60), 2 ** 63 - 1, 2 ** 64 + 9, -(2 ** 90), True, False]

        def table(values):
            out = []
            for x in values:
                for y in values:
                    try:
                        out.append((x >> y, x << y if y < 200 else None))
                    except ValueError as error:
                        out.append(str(error))
            return out

        def others(a, b):
            return a >> b, a << b

        def shift(a, b):
            return a >> b

        result = table(VALUES)
        print(len(result), result[:40], result[-40:])
        print(all(type(p) is type(q) for r, s in zip(result, table(VALUES)) if isinstance(r, tuple)
                  for p, q in zip(r, s)))
        print(others(Bits(), 2), others(5, Bits()), others(True, True), others(2 ** 59, 4), others(-(2 ** 59), 4), others(3, 61))
        for bad in ((1.5, 1), ("a", 1), (1, 2.0)):
            try:
                others(*bad)
            except TypeError as error:
                print(error)
        print(shift(100, 2))
        shift(1, -1)
    """, tmp_path, functions=["table", "others", "shift"])
    assert "ValueError: negative shift count" in run.stderr, run.stderr
    assert_native(run, "table", "others", "shift")
    for op in ("RSHIFT", "LSHIFT"):
        assert f"BINARY_OP_{op}_INT_OR_OTHER" in run.function("table")["specialized"], run.function("table")["text"]


def test_int_only_sites_that_saw_ints_are_specialized_raw(tmp_path):
    """The int-only forms (& | ^ // % >> <<) note the operand kinds they see: a site that saw
    only ints of up to two digits in the first call is an int operation on raw values from
    the second (an lcg's state, masked to 31 bits, is two digits half the time).  When it
    then meets a big int, a zero divisor or a negative count, its guard exits and the
    interpreter computes (or raises) what stock does; the code is compiled again generic."""
    run = compare("""
        def lcg(state):
            return (state * 1103515245 + 12345) & 0x7FFF_FFFF

        def pick(n, size, state):
            out = []
            for _ in range(n):
                state = lcg(state)
                rank = (state >> 4) % size
                out.append((rank * rank // size, state % 7, (state >> 8) << 3, state ^ rank))
            return out, state

        first, state = pick(3000, 600, 99)
        second, state = pick(3000, 600, state)
        print(first[:5], second[-5:], state)
        print(pick(3, 600, 2 ** 70)[0])
        print(pick(3, 2 ** 65, 5)[0])
        try:
            pick(3, 0, 5)
        except ZeroDivisionError as error:
            print("caught", error)
        print(pick(200, 7, 11)[0][-3:])
        pick(2, 0, 5)
    """, tmp_path, functions=["pick"])
    assert "ZeroDivisionError: integer modulo by zero" in run.stderr, run.stderr
    assert_native(run, "pick")
    facts = run.function("pick")
    assert facts["recompiles"] >= 1, facts["text"]
    for form in ("BINARY_OP_RSHIFT_INT_RAW", "BINARY_OP_REMAINDER_INT_RAW", "BINARY_OP_LSHIFT_INT_RAW"):
        assert form in facts["specialized"], facts["text"]

"""Float attributes in code whose float locals stay raw (accel/specializer/unbox.py,
PURE_ATTRIBUTE_FORMS; stencils/cached.c): a function without loops such as `normalize`, whose
`norm` is never boxed, and loops that read float attributes.  There an attribute is read or
written only where the cache's first way serves it (a __slots__ member, an instance value) and
holds an exact float, or, for a store, is empty; anything else exits before the instruction and
the interpreter runs it, with the raw locals boxed.  Each case is compared against stock: a
float held elsewhere or by two instances (never changed in place), a float subclass, an int, a
str, a deleted attribute, a property, several classes through one site, an owner that is a
global, a division by zero and
the tracebacks and frame locals they show."""
from differential import assert_native, compare

CLASSES = """
import sys, traceback
from math import sqrt

class Slotted:
    __slots__ = ("x", "y", "z")
    def __init__(self, i):
        self.x = i * 0.5
        self.y = i * 2.0
        self.z = i + 0.25
    def normalize(self):
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

class Plain:
    def __init__(self, i):
        self.x = i * 0.5
        self.y = i * 2.0
        self.z = i + 0.25
    def normalize(self):
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

class F(float):
    pass

def show(p):
    return (p.x, p.y, p.z)
"""
PURE_FORMS = {"LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE_TWICE", "LOAD_FAST__COPY__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE",
              "STORE_ATTR_CACHED_SWAPPED_BOX_FLOAT_PURE", "STORE_FAST_RAW", "LOAD_FAST_RAW"}


def test_normalize_keeps_norm_raw_and_writes_only_unshared_floats(tmp_path):
    """__slots__ and instance-value classes: `norm` stays raw, each `self.x /= norm` writes into
    the attribute's float only where the attribute holds its only reference; a float kept in a
    local or held by another instance keeps its value, and a float subclass or an int in the
    attribute goes through the interpreter, as stock computes it."""
    run = compare(CLASSES + """
def main():
    for cls in (Slotted, Plain):
        points = [cls(float(i + 1)) for i in range(400)]
        kept = points[7].x
        shared, other = cls(2.0), cls(3.0)
        other.y = shared.y
        sub, whole = cls(4.0), cls(5.0)
        sub.z = F(9.0)
        whole.x = 6
        for p in points + [shared, other, sub, whole]:
            p.normalize()
        print(cls.__name__, kept, show(points[7]), kept is points[7].x)
        print(show(shared), show(other), shared.y is other.y)
        print(type(sub.z).__name__, show(sub), type(whole.x).__name__, show(whole))
        print(sum(p.x + p.y + p.z for p in points))
        before = points[3].y
        points[3].normalize()
        print(before, points[3].y, sys.getrefcount(before))

main()
""", tmp_path, functions=["Slotted.normalize", "Plain.normalize"])
    for name in ("Slotted.normalize", "Plain.normalize"):
        assert_native(run, name, min_entries=300)
        forms = set(run.function(name)["specialized"])
        assert PURE_FORMS <= forms, (name, forms)
        assert "STORE_FAST_BOX_FLOAT" not in forms, (name, forms)


def test_exits_where_locals_are_raw_show_stocks_tracebacks_and_locals(tmp_path):
    """A division by zero in `self.x /= norm`, a str in an attribute, a deleted attribute: each
    exits with `norm` boxed, and the interpreter raises what stock raises, from the same line,
    with the same frame locals."""
    run = compare(CLASSES + """
def attempt(p):
    try:
        p.normalize()
    except Exception as exc:
        traceback.print_exc(file=sys.stdout)
        frame = exc.__traceback__.tb_next.tb_frame
        print(sorted((k, v) for k, v in frame.f_locals.items() if k != "self"))
    print(show(p) if all(hasattr(p, n) for n in "xyz") else "incomplete")

def main():
    for cls in (Slotted, Plain):
        for i in range(300):
            cls(float(i + 1)).normalize()
        zero = cls(0.0)
        zero.x = zero.y = zero.z = 0.0
        attempt(zero)
        text = cls(1.0)
        text.y = "y"
        attempt(text)
        gone = cls(2.0)
        del gone.z
        attempt(gone)
        attempt(cls(3.0))

main()
""", tmp_path, functions=["Slotted.normalize", "Plain.normalize"])
    for name in ("Slotted.normalize", "Plain.normalize"):
        assert_native(run, name, min_entries=300)
    assert run.deopts("GUARD_TYPE") + run.deopts("RAISE") + run.deopts("GUARD_VALUE") >= 2, run.stats


def test_loops_over_float_attributes_keep_their_totals_raw(tmp_path):
    """A loop that reads float attributes keeps its float locals raw; a property, a float
    subclass, an int and an attribute missing from one instance all exit to the interpreter,
    which gives stock's results and errors."""
    run = compare(CLASSES + """
class Weighted(Plain):
    @property
    def z(self):
        return 0.5
    @z.setter
    def z(self, value):
        pass

def moment(points):
    total = 0.0
    for p in points:
        total += p.x * p.y - p.z
    return total

def main():
    points = [Slotted(float(i)) for i in range(500)]
    print(moment(points))
    print(moment(points + [Plain(1.0), Weighted(2.0)]))
    odd = Plain(3.0)
    odd.y = F(2.5)
    print(moment([odd] + points), moment(points + [Slotted(4.0)]))
    whole = Slotted(5.0)
    whole.x = 7
    print(moment(points + [whole]))
    bare = Plain(6.0)
    del bare.y
    try:
        moment(points + [bare])
    except AttributeError:
        traceback.print_exc(file=sys.stdout)

main()
""", tmp_path, functions=["moment"])
    assert_native(run, "moment")
    forms = set(run.function("moment")["specialized"])
    assert "LOAD_FAST__LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE" in forms or "BOX_LOCAL_FLOAT" in forms, forms


def test_owner_from_a_global_reads_and_writes_unfused_forms(tmp_path):
    """An owner loaded from a global is not fused with its load: the unfused forms keep the
    owner's reference on the stack, and write into its float in place only when nothing
    else holds it."""
    run = compare(CLASSES + """
P = None

def step(k):
    t = P.x * k
    P.y = t + P.z
    return t * 2.0

def step_again(k):  # (the same, for other classes and a str: step keeps its forms for the probe)
    t = P.x * k
    P.y = t + P.z
    return t * 2.0

def main():
    global P
    P = Slotted(1.0)
    total = 0.0
    for i in range(300):
        total += step(1.5)
    held = P.y
    total += step(0.5)
    print(total, show(P), held, held is P.y)
    for cls in (Slotted, Plain):
        P = cls(2.0)
        for i in range(300):
            total += step_again(1.25)
        print(cls.__name__, total, show(P))
        P.y = "y"                 # a store over a str: its release could run code
        total += step_again(1.0)
        print(show(P))
        P.y = held = 3.5          # a store over a float held elsewhere too
        total += step_again(1.0)
        print(show(P), held)
        del P.y                   # a store into an empty slot or instance value
        total += step_again(1.0)
        print(total, show(P))
        P.z = "z"
        try:
            step_again(2.0)
        except TypeError:
            traceback.print_exc(file=sys.stdout)
        print(show(P))

main()
""", tmp_path, functions=["step"])
    assert_native(run, "step", min_entries=300)
    forms = set(run.function("step")["specialized"])
    assert {"LOAD_ATTR_CACHED_UNBOX_FLOAT_PURE", "STORE_ATTR_CACHED_BOX_FLOAT_PURE"} <= forms, forms


def test_a_finalizer_run_by_a_store_sees_the_raw_locals_boxed(tmp_path):
    """In a loop whose locals are raw, storing the loop variable releases the local's old
    value: where that is its last reference, its finalizer runs, and may look at the frame.
    The store exits first, and the interpreter runs it with the locals boxed."""
    run = compare(CLASSES + """
class Noisy:
    def __del__(self):
        frame = sys._getframe(1)
        print("finalizer sees", sorted(frame.f_locals.items(), key=lambda kv: kv[0])[-1])

def moment(points):
    total = 1.5
    p = Noisy()
    for p in points:
        total += p.x * p.y
    return total

def main():
    points = [Slotted(float(i)) for i in range(200)]
    for _ in range(4):
        print(moment(points))

main()
""", tmp_path, functions=["moment"])
    assert_native(run, "moment")
    assert "finalizer sees ('total', 1.5)" in run.stdout, run.stdout


def test_a_boxed_local_stored_where_locals_are_raw_releases_no_finalizer_natively(tmp_path):
    """A local that holds a float at one store and an object at another stays boxed in a
    loop whose other locals are raw: a float stored over an object whose last reference
    it held exits first, so that the object's finalizer sees the raw locals boxed; a float
    or an int released there runs no code and does not exit."""
    run = compare(CLASSES + """
class Noisy:
    def __del__(self):
        frame = sys._getframe(1)
        print("finalizer sees", sorted(frame.f_locals.items(), key=lambda kv: kv[0])[-1])

def mixed(points):
    total = 2.5
    last = Noisy()
    for p in points:
        last = p.x * 2.0
        total += p.y
        last = 7
        last = p
    return total, last.x

def main():
    points = [Slotted(float(i)) for i in range(200)]
    for _ in range(4):
        print(mixed(points))

main()
""", tmp_path, functions=["mixed"])
    assert_native(run, "mixed")
    assert "finalizer sees ('total', 2.5)" in run.stdout, run.stdout

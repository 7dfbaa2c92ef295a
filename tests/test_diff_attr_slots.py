"""__slots__ members at the offset CPython's adaptive interpreter found them at
(accel/specializer/slots.py, stencils/slots.c): functions that warmed up in the interpreter
(a threshold above 0) read and write their members with the type version tag and the offset
of CPython's LOAD_ATTR_SLOT and STORE_ATTR_SLOT as constants.  Each case is compared against
stock: the float kernel's shapes (an __init__ storing floats, `self.x /= norm` with raw locals,
conditional expressions on two instances, in-place updates where Python code runs), then what
must exit before the instruction: a subclass, a deleted member, an int or a str in a float's
member, a float shared by two members (never changed in place), the class's member replaced by
a property and put back, and an __init__ that raises after its first store, with tracebacks."""
import dis

from differential import assert_native, compare

KNOWN_OWNER = "_KNOWN_OWNER"

THRESHOLD = {"ACCEL_THRESHOLD": "30"}  # compiled after 30 calls: CPython has specialized the sites

CLASSES = """
import sys, traceback
from math import cos, sin, sqrt

class Point:
    __slots__ = ("x", "y", "z")

    def __init__(self, i, d=2.0):
        self.x = x = sin(i)
        self.y = cos(i) * 3.0
        self.z = (x * x) / d

    def normalize(self):
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other):
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self

    def scale(self, k):
        self.x *= k
        self.y *= k
        record(self)

class Sub(Point):
    __slots__ = ("w",)

seen = []

def record(p):
    seen.append(p.x + p.y)

def show(p):
    return tuple(getattr(p, name, "unset") for name in ("x", "y", "z"))

def fold_max(points):
    best = points[0]
    for point in points[1:]:
        best.maximize(point)
    return best

def attempt(what, *args):
    try:
        return what(*args)
    except Exception:
        traceback.print_exc(file=sys.stdout)
"""
SLOT_FORMS = {
    "Point.__init__": {"LOAD_FAST__STORE_ATTR_SLOT", "LOAD_FAST__STORE_ATTR_SLOT_BOX_FLOAT"},
    "Point.normalize": {"LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_TWICE",
                        "LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE", "STORE_ATTR_SLOT_SWAPPED_BOX_FLOAT_PURE"},
    "Point.maximize": {"LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT", "LOAD_FAST__LOAD_ATTR_SLOT",
                       "LOAD_FAST__STORE_ATTR_SLOT"},
    "Point.scale": {"LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT", "STORE_ATTR_SLOT_SWAPPED_BOX_FLOAT"},
}


def test_float_kernel_shapes_use_the_members_offsets(tmp_path):
    """Instances made, normalized, folded with max and scaled, as benchmarks/kernels/float.py
    does: the same numbers as stock, every access in its slot form, run natively."""
    run = compare(CLASSES + """
def main():
    for r in range(3):
        points = [Point(float(i)) for i in range(300 + r)]
        for p in points:
            p.normalize()
        best = fold_max(points)
        for p in points[:100]:
            p.scale(1.5)
        print(show(best), show(points[7]), sum(seen))

main()
""", tmp_path, env=THRESHOLD, functions=list(SLOT_FORMS))
    for name, forms in SLOT_FORMS.items():
        assert_native(run, name, min_entries=50)
        facts = run.function(name)
        assert forms <= {form.removesuffix(KNOWN_OWNER) for form in facts["specialized"]}, (name, facts["specialized"])
        assert facts["exits"] == 0, (name, facts)
    # One type check per owner: a later access to a member of the same owner skips it.
    assert {"LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_TWICE_KNOWN_OWNER",
            "LOAD_FAST__COPY__LOAD_ATTR_SLOT_UNBOX_FLOAT_PURE_KNOWN_OWNER"} <= set(run.function("Point.normalize")["specialized"])
    assert "LOAD_FAST__STORE_ATTR_SLOT_KNOWN_OWNER" in run.function("Point.maximize")["specialized"]


def test_what_the_slot_forms_leave_to_the_interpreter(tmp_path):
    """After the warm-up, the same sites see owners and members they were not specialized
    for: each exits before the instruction and the interpreter runs it, as stock does, with
    the same values, identities and tracebacks; a float that two members share is replaced,
    not changed in place."""
    run = compare(CLASSES + """
def warm():
    points = [Point(float(i)) for i in range(200)]
    for p in points:
        p.normalize()
        p.scale(0.5)
    return fold_max(points)

def main():
    best = warm()
    sub = Sub(2.0)
    sub.w = 1.0
    sub.normalize()
    print("sub", show(sub), show(best.maximize(sub)), show(sub.maximize(best)))
    emptied = Point(3.0)
    del emptied.y
    attempt(emptied.normalize)
    attempt(best.maximize, emptied)
    attempt(emptied.maximize, best)
    attempt(emptied.scale, 2.0)
    print("emptied", show(emptied))
    whole = Point(4.0)
    whole.x = 3
    whole.normalize()
    print("int", show(whole), type(whole.x).__name__)
    text = Point(5.0)
    text.z = "z"
    attempt(text.normalize)
    attempt(best.maximize, text)
    print("str", show(text))
    shared = Point(6.0)
    kept = shared.x
    shared.y = shared.x
    shared.normalize()
    print("shared", show(shared), kept, shared.x is shared.y, kept is shared.x)
    twice = Point(7.0)
    twice.scale(2.0)
    twice.y = twice.x
    twice.scale(3.0)
    print("twice", show(twice), twice.x is twice.y)
    attempt(Point, 8.0, 0.0)
    attempt(Point, "nine")
    member = Point.__dict__["x"]
    Point.x = property(lambda self: 42.0)
    replaced = Point.__new__(Point)
    attempt(Point.__init__, replaced, 1.0)
    attempt(replaced.normalize)
    print("property", replaced.x, show(best.maximize(best)))
    Point.x = member
    again = [Point(float(i)) for i in range(50)]
    for p in again:
        p.normalize()
    print("restored", show(fold_max(again)))

main()
""", tmp_path, env=THRESHOLD, functions=list(SLOT_FORMS))
    for name in SLOT_FORMS:
        assert_native(run, name, min_entries=50)
    assert run.deopts("GUARD_TYPE") > 0, run.stats


def test_a_class_the_sites_were_not_specialized_for_makes_them_cached_again(tmp_path):
    """Warmed up on Point alone, then run on a subclass's instances for good: after a
    bounded number of exits the functions are compiled again with every access in its
    cached form (which serves several classes), and keep running natively."""
    run = compare(CLASSES + """
def main():
    points = [Point(float(i)) for i in range(200)]
    for p in points:
        p.normalize()
    print(show(fold_max(points)))
    subs = [Sub(float(i)) for i in range(1000)]
    for s in subs:
        s.normalize()
    print(show(fold_max(subs)), show(fold_max(points + subs)))

main()
""", tmp_path, env=THRESHOLD, functions=["Point.normalize", "Point.maximize"])
    for name in ("Point.normalize", "Point.maximize"):
        assert_native(run, name, min_entries=50)
        facts = run.function(name)
        assert facts["recompiles"] >= 1, (name, facts)
        assert not [form for form in facts["specialized"] if "_SLOT" in form], (name, facts["specialized"])
    assert 64 <= run.deopts("GUARD_TYPE") <= 300, run.stats


def test_an_owner_is_checked_again_wherever_it_may_have_changed(tmp_path):
    """One type check per owner holds only while nothing can have changed it: after a
    store that releases an object whose finalizer changes the class, at a join one of
    whose paths never checked the owner, after a call that swaps the owner's class, and
    at a loop's head.  Other keeps its members in the other order, so that a check
    skipped wrongly would read the wrong member; each case gives stock's values."""
    run = compare(CLASSES + """
class Other:
    __slots__ = ("z", "y", "x")
    def __init__(self, i):
        self.x, self.y, self.z = i + 0.125, i + 0.25, i + 0.5

class Twin:
    __slots__ = ("x", "y", "z")

class Spoiler:
    def __del__(self):
        Point.y = property(lambda self: -1.0)

def store_then_load(p, v):
    p.x = v
    return p.y

def join(p, flag):
    if flag:
        a = p.x * 2.0
    else:
        a = 1.0
    return p.y + a

def swap_between(p):
    a = p.x + 1.0
    swap(p)
    return p.y + a

def swap(p):
    if type(p) is Point:
        p.__class__ = Twin

def total(points):
    s = 0.0
    for p in points:
        s += p.x * p.y
    return s

def main():
    points = [Point(float(i)) for i in range(100)]
    for p in points:
        store_then_load(p, 0.5)
        join(p, True)
        swap_between(Point(1.0))
    print(total(points), join(points[3], False))
    others = [Other(float(i)) for i in range(5)]
    print(join(others[1], False), join(others[2], True), total(points + others))
    print(swap_between(Point(2.0)), swap_between(others[3]))
    victim = Point(3.0)
    victim.x = Spoiler()
    print(store_then_load(victim, 0.75), store_then_load(points[5], 0.25), total(points[:3]))

main()
""", tmp_path, env=THRESHOLD, functions=["store_then_load", "join", "swap_between", "total"])
    # (total has a loop: compiled on its first call, before CPython specializes anything)
    for name in ("store_then_load", "join", "swap_between"):
        assert_native(run, name, min_entries=10)
    assert "LOAD_FAST__LOAD_ATTR_SLOT_UNBOX_FLOAT" in run.function("join")["specialized"]
    assert not [form for name in ("store_then_load", "join", "swap_between", "total")
                for form in run.function(name)["specialized"] if form.endswith(KNOWN_OWNER)]



def test_slot_forms_only_where_the_code_may_still_be_compiled_again():
    """A function warmed up in this process: its `p.x` takes the slot form with the
    version and offset CPython recorded, but not in a compile after which a failing guard
    could no longer have the code compiled again, nor where a site was made generic."""
    from accel.frontend.decode import decode
    from accel.runtime import native
    from accel.specializer.ir import QInstr
    from accel.specializer.slots import use_known_slots

    class P:
        __slots__ = ("x",)

    def get(p):
        return p.x

    point = P()
    point.x = 1.0
    for _ in range(100):
        get(point)
    # What dis reads from the same inline cache: "version: N", then "index: M" (the offset).
    caches = [i.argrepr for i in dis.get_instructions(get, adaptive=True, show_caches=True) if i.opname == "CACHE"]
    recorded = dict(entry.split(": ") for entry in caches if entry.startswith(("version", "index")))
    decoded = decode(get.__code__)
    load_fast, load_attr = [i for i in decoded.instructions if i.name in ("LOAD_FAST", "LOAD_ATTR")]
    stencils = frozenset(native.stencil_names())

    def form(may_recompile: bool, generic: frozenset[int] = frozenset()) -> QInstr:
        instr = QInstr("LOAD_FAST__LOAD_ATTR_CACHED", (load_fast, load_attr), oparg=0)
        use_known_slots([instr], get.__code__, generic, may_recompile, stencils)
        return instr

    slot = form(True)
    assert slot.name == "LOAD_FAST__LOAD_ATTR_SLOT", slot
    assert (slot.oparg2, slot.raw_operand) == (int(recorded["version"]), int(recorded["index"])), (slot, recorded)
    assert form(False).name == "LOAD_FAST__LOAD_ATTR_CACHED"
    assert form(True, frozenset({load_fast.start})).name == "LOAD_FAST__LOAD_ATTR_CACHED"

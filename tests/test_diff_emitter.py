"""How stencils are laid out: hot and cold parts (stencils/split.py), the tail call to the
next instruction dropped, rel32 calls and their trampolines (native/jit.c)."""
from __future__ import annotations

import re
import sys
import textwrap

from differential import ROOT, assert_native, compare, run_python

sys.path.insert(0, str(ROOT))
from stencils import elf, split, toolchain  # noqa: E402

ASSEMBLY = """\
\t.section\t.text.LOAD_THING,"ax",@progbits
\t.globl\tLOAD_THING
\t.type\tLOAD_THING,@function
LOAD_THING:                             # @LOAD_THING
\ttestq\t%rax, %rax
\tje\t.LBB0_2
\taddq\t$1, (%rax)
\tjmp\t_JIT_CONTINUE                   # TAILCALL
.LBB0_2:
\tretq
.Lfunc_end0:
\t.size\tLOAD_THING, .Lfunc_end0-LOAD_THING
\t.section\t.text.LOOP,"ax",@progbits
\t.globl\tLOOP
\t.type\tLOOP,@function
LOOP:                                   # @LOOP
\tcmpl\t$0, 100(%rax)
\tje\t_JIT_JUMP_TARGET                # TAILCALL
\tretq
.Lfunc_end1:
\t.size\tLOOP, .Lfunc_end1-LOOP
"""


def test_split_moves_what_follows_the_first_continue_to_a_cold_section():
    out = split.split(ASSEMBLY)
    hot, cold = out.split('\t.section\t.text.cold.LOAD_THING,"ax",@progbits\n')
    assert hot.rstrip().endswith("jmp\t_JIT_CONTINUE                   # TAILCALL\n.Lhot_end_LOAD_THING:")
    assert cold.startswith(".LBB0_2:\n\tretq\n.Lfunc_end0:\n\t.size\tLOAD_THING, .Lhot_end_LOAD_THING-LOAD_THING\n")


def test_split_after_a_conditional_jump_adds_a_jmp_to_the_cold_part():
    out = split.split(ASSEMBLY)
    loop = out[out.index("LOOP:"):]
    assert "\tje\t_JIT_JUMP_TARGET                # TAILCALL\n\tjmp\t.Lcold_LOOP\n.Lhot_end_LOOP:\n" in loop
    assert '\t.section\t.text.cold.LOOP,"ax",@progbits\n.Lcold_LOOP:\n\tretq\n' in loop


UNLIKELY_TAIL = """\
\t.section\t.text.POP_THING,"ax",@progbits
\t.globl\tPOP_THING
\t.type\tPOP_THING,@function
POP_THING:                              # @POP_THING
\taddq\t$-1, (%rdi)
\tjne\t_JIT_CONTINUE                   # TAILCALL
\tcallq\t_Py_Dealloc
\tjmp\t_JIT_CONTINUE                   # TAILCALL
.Lfunc_end0:
\t.size\tPOP_THING, .Lfunc_end0-POP_THING
\t.section\t.text.TEST_THING,"ax",@progbits
\t.globl\tTEST_THING
\t.type\tTEST_THING,@function
TEST_THING:                             # @TEST_THING
\tcmpq\t%rax, %rbx
\tjne\t_JIT_CONTINUE                   # TAILCALL
\tjmp\t_JIT_JUMP_TARGET                # TAILCALL
.Lfunc_end1:
\t.size\tTEST_THING, .Lfunc_end1-TEST_THING
"""


def test_split_moves_what_follows_a_last_conditional_continue_to_the_cold_part():
    out = split.split(UNLIKELY_TAIL)
    pop = out[out.index("POP_THING:"):out.index(".Lfunc_end0:")]
    assert "\tje\t.Lunlikely_POP_THING\n\tjmp\t_JIT_CONTINUE\n.Lhot_end_POP_THING:\n" in pop
    assert ('\t.section\t.text.cold.POP_THING,"ax",@progbits\n.Lunlikely_POP_THING:\n\tcallq\t_Py_Dealloc\n'
            "\tjmp\t_JIT_CONTINUE") in pop
    # a jump's taken path stays where it is
    test = out[out.index("TEST_THING:"):]
    assert "Lunlikely" not in test and "\tjne\t_JIT_CONTINUE                   # TAILCALL\n\tjmp\t_JIT_JUMP_TARGET" in test


def test_stencils_fall_through_and_use_short_holes(tmp_path):
    obj = tmp_path / "stack.o"
    toolchain.compile_object(ROOT / "stencils" / "stack.c", obj)
    stencils = {s.name: s for s in elf.read_stencils(obj)}
    load_fast = stencils["LOAD_FAST"]
    # the usual path ends where the next instruction begins; the exit is in the cold part
    assert load_fast.falls_through and load_fast.size < len(load_fast.body)
    assert all(h.kind != "CONTINUE" or h.offset >= load_fast.size for h in load_fast.holes)
    assert {h.patch for h in load_fast.holes if h.kind in ("OPARG", "SITE")} == {"ABS32"}
    assert all(h.patch == "REL32" for h in load_fast.holes if h.kind in ("HOT", "COLD"))
    assert stencils["LOAD_CONST"].falls_through and not any(h.kind == "CONTINUE" for h in stencils["LOAD_CONST"].holes)


X86_ROW = re.compile(r"^ {52}(0x[0-9a-f]{4,})  ([a-z][a-z0-9]*)(?: (.*))?$")


def test_native_code_runs_from_one_instruction_into_the_next(tmp_path):
    path = tmp_path / "program.py"
    path.write_text(textwrap.dedent("""
        import accel

        @accel.jit
        def kernel(xs):
            total = 0
            for x in xs:
                if x > 2:
                    total = total + x
            return total

        print(kernel(list(range(100))))
        print(accel.explain(kernel, asm=True))
    """))
    run = run_python([str(path)], tmp_path)
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert text.startswith("4947\n")
    body, cold = text.split("\n  (cold parts: exits, error paths, deallocations)\n")
    assert any(X86_ROW.match(line) for line in cold.splitlines())
    # each row's listing, in order: none ends in a jmp to the row that follows it
    rows: list[list[tuple[int, str, str]]] = [[]]  # the entry code first
    for line in body.split("\n  (entry)\n")[1].splitlines():
        match = X86_ROW.match(line)
        if match is None:
            rows.append([])
        else:
            rows[-1].append((int(match[1], 16), match[2], match[3] or ""))
    rows = [r for r in rows if r]
    assert len(rows) > 8
    for row, following in zip(rows, rows[1:]):
        _, mnemonic, operand = row[-1]
        assert not (mnemonic == "jmp" and operand == hex(following[0][0])), row


def test_calls_through_trampolines_match_stock(tmp_path):
    """ACCEL_FAR_CALLS=1: each C function is called through the program's trampoline, as
    when libpython is loaded beyond a rel32 call's reach."""
    run = compare("""
        class Box:
            def __init__(self, v):
                self.v = v

        def work(n):
            out = []
            for i in range(n):
                b = Box(i)
                out.append(str(b.v) + "!")
                try:
                    out[i + 1000]
                except IndexError as e:
                    last = e
            return len(out), out[-1], repr(last), sum(len(s) for s in out)

        print(work(500))
        print({"a": 1}["a"], [1, 2, 3][1:], f"{3.5:>6}")
        try:
            work("x")
        except TypeError as e:
            print("TypeError", e)
    """, tmp_path, env={"ACCEL_FAR_CALLS": "1"}, functions=["work", "Box.__init__"])
    assert_native(run, "work", "Box.__init__")


def test_far_calls_go_to_the_trampolines_after_the_code(tmp_path):
    path = tmp_path / "program.py"
    path.write_text(textwrap.dedent("""
        import accel, re

        @accel.jit
        def f(xs):
            return str(xs[0]) + "x"

        f([1])
        text = str(accel.explain(f, asm=True))
        size = int(re.search(r"native code (\\d+) bytes", text)[1])
        targets = [int(t, 16) for t in re.findall(r"call (0x[0-9a-f]+)", text)]
        print(len(targets) > 0, all(size <= t < size + 4096 for t in targets))
    """))
    far = run_python([str(path)], tmp_path, env={"ACCEL_FAR_CALLS": "1"})
    near = run_python([str(path)], tmp_path)
    assert (far.stdout, far.returncode) == ("True True\n", 0), far.stderr
    assert (near.stdout, near.returncode) == ("True False\n", 0), near.stderr


def test_call_sites_call_the_shared_routine_emitted_once(tmp_path):
    """CALL's stencil calls SHARED_CALL (stencils/shared.c) instead of carrying the frame
    push, run and pop: its hot part stays small, the routines (SHARED_CALL, and BINARY_OP's
    SHARED_BINARY_OP_PYTHON) have no per-instruction hole (native/jit.c emits them once, at
    start-up), and with every C function reached through a trampoline (ACCEL_FAR_CALLS=1)
    calls and operator dunders through them still match stock."""
    call_obj, shared_obj = tmp_path / "call.o", tmp_path / "shared.o"
    toolchain.compile_object(ROOT / "stencils" / "call.c", call_obj)
    toolchain.compile_object(ROOT / "stencils" / "shared.c", shared_obj)
    call = {s.name: s for s in elf.read_stencils(call_obj)}["CALL"]
    assert call.size < 300, call.size
    assert any(h.kind == "SYMBOL" and h.symbol == "SHARED_CALL" and h.offset < call.size for h in call.holes)
    shared = [s for s in elf.read_stencils(shared_obj) if s.name.startswith("SHARED_")]
    assert [s.name for s in shared] == ["SHARED_CALL", "SHARED_BINARY_OP_PYTHON"]
    assert {h.kind for s in shared for h in s.holes} <= {"SYMBOL", "HOT", "COLD"}
    run = compare("""
        class V:
            def __init__(self, x):
                self.x = x
            def __sub__(self, other):
                return V(self.x - other.x)
        def add(a, b=1):
            return [a + b][0]  # (not a pure leaf: called, not inlined, accel/specializer/inline.py)
        def work(n):
            out = []
            for i in range(n):
                out.append(add(V(i).x))
                out.append((V(i) - V(1)).x)
            return sum(out), len(out)
        print(work(300))
    """, tmp_path, env={"ACCEL_FAR_CALLS": "1"}, functions=["work"])
    assert_native(run, "work")
    assert run.stats["native_calls"] - run.stats["native_calls_from_c"] >= 550, run.stats
    assert run.stats["operator_calls"] >= 250, run.stats

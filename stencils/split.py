"""Hot/cold splitting of the stencils' assembly, between compiling and assembling.

clang lays a stencil out with its usual path first (stencil.h's LIKELY/UNLIKELY say
which that is), ending in the tail call to the next instruction; exits, error paths
and deallocations follow.  Everything after the first `jmp _JIT_CONTINUE` (in a
stencil that never continues, the first `jmp _JIT_JUMP_TARGET`) is moved to a section
of its own, `.text.cold.<stencil>`: nothing falls through into it (that jmp is
unconditional), so the move is always safe.  (Where a conditional tail call is all
there is, as in JUMP_BACKWARD, an explicit jmp to the cold part follows it.)  The emitter lays the hot parts of a
program one after another and the cold parts after them all, so that the usual path
of one instruction runs straight into the next (its trailing jmp is dropped), and the
native code that runs is dense in the instruction cache.  A hot part whose last way to
the next instruction is a conditional tail call loses what follows it to the cold part
as well (_unlikely_tail).
"""
from __future__ import annotations

import re

COLD_PREFIX = ".text.cold."
# Where the hot part ends: at the first tail call to the next instruction; in a
# stencil that never continues, at its first jump, which may be conditional (taken
# unless the eval breaker is set): a jmp to the cold part then follows it.
_CONTINUE = re.compile(r"^\tjmp\t_JIT_CONTINUE\b")
_JUMP = re.compile(r"^\tj(?P<condition>[a-z]+)\t_JIT_JUMP_TARGET\b")
_CONTINUE_IF = re.compile(r"^\tj(?P<condition>[a-z]+)\t_JIT_CONTINUE\b")
# Each condition code and its opposite.
_INVERSE = {a: b for x, y in (("e", "ne"), ("z", "nz"), ("l", "ge"), ("g", "le"), ("a", "be"), ("b", "ae"),
                              ("s", "ns"), ("o", "no"), ("p", "np")) for a, b in ((x, y), (y, x))}
_TYPE = re.compile(r"^\t\.type\t(?P<name>[A-Za-z_][A-Za-z0-9_]*),@function$")
_LABEL = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*):")
_END = re.compile(r"^(?P<end>\.Lfunc_end\d+):")


def split(assembly: str) -> str:
    """The assembly with each function's code after its hot part moved to its cold section."""
    lines = assembly.splitlines()
    functions = {m["name"] for m in map(_TYPE.match, lines) if m}
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _LABEL.match(lines[index])
        if match is None or match["name"] not in functions:
            out.append(lines[index])
            index += 1
            continue
        name = match["name"]
        end = next(i for i in range(index, len(lines)) if _END.match(lines[i]))
        hot, cold = _split_function(name, lines[index:end])
        out += hot
        if cold is None:
            index = end
            continue
        out += [f".Lhot_end_{name}:", f'\t.section\t{COLD_PREFIX}{name},"ax",@progbits', *cold, lines[end]]
        # The function's symbol covers its hot part, the section it starts in.
        size = f"\t.size\t{name}, {lines[end][:-1]}-{name}"
        if lines[end + 1] != size:
            raise ValueError(f"{name}: expected {size!r} after the function, not {lines[end + 1]!r}")
        out.append(f"\t.size\t{name}, .Lhot_end_{name}-{name}")
        index = end + 2
    return "\n".join(out) + "\n"


def _split_function(name: str, body: list[str]) -> tuple[list[str], list[str] | None]:
    """The hot part and the cold part (None: nothing to split off)."""
    at = next((i for i, line in enumerate(body) if _CONTINUE.match(line)), None)
    if at is not None:
        return _unlikely_tail(name, body[:at + 1], body[at + 1:])
    at = next((i for i, line in enumerate(body) if _JUMP.match(line)), None)
    if at is None:
        return _unlikely_tail(name, body, None)
    if _JUMP.match(body[at])["condition"] == "mp":
        return body[:at + 1], body[at + 1:]
    return body[:at + 1] + [f"\tjmp\t.Lcold_{name}"], [f".Lcold_{name}:"] + body[at + 1:]


def _unlikely_tail(name: str, hot: list[str], cold: list[str] | None) -> tuple[list[str], list[str] | None]:
    """Where the hot part goes on to the next instruction by a conditional tail call last,
    what follows that (a deallocation, an exit: clang turns `if (LIKELY(...)) CONTINUE();`
    into a conditional tail call and lays the rest out after it) moves to the cold part
    too, unless it is a jump's taken path: the condition is inverted to jump there, and
    the usual path falls through into the next instruction."""
    at = next((i for i in range(len(hot) - 1, -1, -1)
               if (m := _CONTINUE_IF.match(hot[i])) and m["condition"] in _INVERSE), None)
    rest = hot[at + 1:] if at is not None else []
    if not rest or any("_JIT_JUMP_TARGET" in line for line in rest):
        return hot, cold
    condition = _CONTINUE_IF.match(hot[at])["condition"]
    label = f".Lunlikely_{name}"
    return hot[:at] + [f"\tj{_INVERSE[condition]}\t{label}", "\tjmp\t_JIT_CONTINUE"], [f"{label}:", *rest, *(cold or [])]

"""Read stencils out of the ELF objects clang wrote: machine code plus the holes to patch."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

from . import split

HOLE_PREFIX = "_JIT_"
# Relocation type -> how the patcher writes the hole (stencil_table.h, accel_patch).
PATCHES = {
    1: "ABS64",  # R_X86_64_64: data addresses, holes used as values (movabs)
    2: "REL32",  # R_X86_64_PC32
    4: "REL32",  # R_X86_64_PLT32: calls and tail calls (jmp, jcc)
    10: "ABS32",  # R_X86_64_32: holes used as 32-bit values (HOLE32 in stencil.h)
}
# Tail calls to the next instruction that the stencil's last instruction can be.
JMP_REL32 = 0xE9
CONTINUE = "CONTINUE"


@dataclasses.dataclass(frozen=True)
class Hole:
    """The bytes at `offset` receive `value(kind or symbol) + addend`, written as `patch` says:
    ABS64 (8 bytes), ABS32 (4 bytes, the value must fit) or REL32 (4 bytes, relative to the
    hole's own address)."""

    offset: int
    kind: str  # CONTINUE, OPARG, ... (from _JIT_<kind>), HOT or COLD (this stencil's parts), or SYMBOL
    addend: int
    symbol: str | None = None  # the C symbol, for SYMBOL holes
    patch: str = "ABS64"


@dataclasses.dataclass(frozen=True)
class Stencil:
    name: str
    body: bytes  # the hot part, then the cold part (split.py) and the data it refers to
    holes: tuple[Hole, ...]  # offsets into body
    # The hot part ends where the next instruction's code begins: its trailing tail call
    # to CONTINUE was dropped, since the emitter lays the next instruction right after it.
    falls_through: bool = False
    hot_size: int = -1  # the hot part's size (all of body when -1)

    @property
    def size(self) -> int:
        return len(self.body) if self.hot_size < 0 else self.hot_size


def read_stencils(path: Path) -> list[Stencil]:
    """Every function of the object, each from its own section (-ffunction-sections)."""
    with path.open("rb") as file:
        elf = ELFFile(file)
        symbols = elf.get_section_by_name(".symtab")
        functions = [s for s in symbols.iter_symbols() if s["st_info"]["type"] == "STT_FUNC"]
        return [_read_function(elf, symbols, f) for f in functions]


def _read_function(elf: ELFFile, symbols, function) -> Stencil:
    text = elf.get_section(function["st_shndx"])
    if function["st_value"] != 0 or function["st_size"] != text["sh_size"]:
        raise ValueError(f"{function.name}: expected a function alone in its section")
    hot = bytearray(text.data())
    hot_holes = _holes(elf, symbols, function, text)
    falls_through = _ends_in_continue(hot, hot_holes)
    if falls_through:
        del hot[-5:]
        hot_holes.pop()
    cold_index, cold_section = _cold_section(elf, function.name)
    cold = bytearray(cold_section.data()) if cold_section is not None else bytearray()
    cold_holes = _holes(elf, symbols, function, cold_section) if cold_section is not None else []
    # Data the function refers to (constants clang put in .lrodata, ...) is appended
    # to its cold part, so that a stencil is one self-contained block.
    appended: dict[int, int] = {}
    own = {function["st_shndx"]: "HOT", cold_index: "COLD"}
    holes = []
    for part, base, part_holes in (("HOT", 0, hot_holes), ("COLD", len(hot), cold_holes)):
        for offset, symbol, addend, patch in part_holes:
            offset += base
            if symbol.name.startswith(HOLE_PREFIX):
                holes.append(Hole(offset, symbol.name[len(HOLE_PREFIX):], addend, patch=patch))
            elif patch == "ABS32":
                # A C symbol's address as a 32-bit value (a function pointer taken as data
                # in the medium code model): libpython may be loaded anywhere.
                raise ValueError(f"{function.name}: takes the address of {symbol.name} as a 32-bit value; "
                                 "call it directly instead")
            elif symbol["st_shndx"] == "SHN_UNDEF":
                holes.append(Hole(offset, "SYMBOL", addend, symbol.name, patch))
            elif symbol["st_shndx"] in own:
                holes.append(Hole(offset, own[symbol["st_shndx"]], symbol["st_value"] + addend, patch=patch))
            else:
                start = _place(elf, cold, appended, symbol["st_shndx"])
                holes.append(Hole(offset, "COLD", start + symbol["st_value"] + addend, patch=patch))
    holes.sort(key=lambda h: h.offset)
    return Stencil(function.name, bytes(hot + cold), tuple(holes), falls_through, len(hot))


def _cold_section(elf: ELFFile, name: str):
    for index, section in enumerate(elf.iter_sections()):
        if section.name == split.COLD_PREFIX + name:
            return index, section
    return None, None


def _holes(elf: ELFFile, symbols, function, section) -> list:
    """(offset, symbol, addend, patch) of each relocation in `section`, by offset."""
    relocations = elf.get_section_by_name(".rela" + section.name)
    holes = []
    for relocation in relocations.iter_relocations() if isinstance(relocations, RelocationSection) else ():
        patch = PATCHES.get(relocation["r_info_type"])
        if patch is None:
            raise ValueError(f"{function.name}: relocation type {relocation['r_info_type']} (build flags changed?)")
        symbol = symbols.get_symbol(relocation["r_info_sym"])
        holes.append((relocation["r_offset"], symbol, relocation["r_addend"], patch))
    return sorted(holes, key=lambda h: h[0])


def _ends_in_continue(body: bytearray, holes: list) -> bool:
    """Whether the last instruction is `jmp _JIT_CONTINUE` (5 bytes: E9 and a rel32)."""
    if len(body) < 5 or body[-5] != JMP_REL32 or not holes:
        return False
    offset, symbol, addend, patch = holes[-1]
    return (offset, symbol.name, addend, patch) == (len(body) - 4, HOLE_PREFIX + CONTINUE, -4, "REL32")


def _place(elf: ELFFile, cold: bytearray, appended: dict[int, int], section_index: int) -> int:
    """Offset from the cold part's start where section `section_index` starts, appending it
    on first use."""
    if section_index not in appended:
        section = elf.get_section(section_index)
        if section["sh_flags"] & 0x4:  # SHF_EXECINSTR: a call to another function
            raise ValueError(f"stencil calls code in {section.name}: make the helper static inline")
        if section["sh_flags"] & 0x1:  # SHF_WRITE: native code is never writable
            raise ValueError(f"stencil writes to its own data in {section.name}")
        cold.extend(b"\0" * (-len(cold) % 16))
        appended[section_index] = len(cold)
        cold.extend(section.data() if section["sh_type"] != "SHT_NOBITS" else b"\0" * section["sh_size"])
    return appended[section_index]

"""Read stencils out of the ELF objects clang wrote: machine code plus the holes to patch."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

R_X86_64_64 = 1
HOLE_PREFIX = "_JIT_"


@dataclasses.dataclass(frozen=True)
class Hole:
    """8 bytes at `offset` receive `value(kind or symbol) + addend`."""

    offset: int
    kind: str  # CONTINUE, OPARG, ... (from _JIT_<kind>), CODE (this stencil's body), or SYMBOL
    addend: int
    symbol: str | None = None  # the C symbol, for SYMBOL holes


@dataclasses.dataclass(frozen=True)
class Stencil:
    name: str
    body: bytes
    holes: tuple[Hole, ...]


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
    body = bytearray(text.data())
    # Data the function refers to (constants clang put in .lrodata, ...) is appended
    # to its body, so that a stencil is one self-contained block.
    appended: dict[int, int] = {}
    holes = []
    relocations = elf.get_section_by_name(".rela" + text.name)
    for relocation in relocations.iter_relocations() if isinstance(relocations, RelocationSection) else ():
        if relocation["r_info_type"] != R_X86_64_64:
            raise ValueError(f"{function.name}: relocation type {relocation['r_info_type']} (build flags changed?)")
        symbol = symbols.get_symbol(relocation["r_info_sym"])
        offset, addend = relocation["r_offset"], relocation["r_addend"]
        if symbol.name.startswith(HOLE_PREFIX):
            holes.append(Hole(offset, symbol.name[len(HOLE_PREFIX):], addend))
        elif symbol["st_shndx"] == "SHN_UNDEF":
            holes.append(Hole(offset, "SYMBOL", addend, symbol.name))
        else:
            base = _place(elf, body, appended, symbol["st_shndx"], function["st_shndx"])
            holes.append(Hole(offset, "CODE", base + symbol["st_value"] + addend))
    return Stencil(function.name, bytes(body), tuple(sorted(holes, key=lambda h: h.offset)))


def _place(elf: ELFFile, body: bytearray, appended: dict[int, int], section_index: int, own: int) -> int:
    """Offset in `body` where section `section_index` starts, appending it on first use."""
    if section_index == own:
        return 0
    if section_index not in appended:
        section = elf.get_section(section_index)
        if section["sh_flags"] & 0x4:  # SHF_EXECINSTR: a call to another function
            raise ValueError(f"stencil calls code in {section.name}: make the helper static inline")
        if section["sh_flags"] & 0x1:  # SHF_WRITE: native code is never writable
            raise ValueError(f"stencil writes to its own data in {section.name}")
        body.extend(b"\0" * (-len(body) % 16))
        appended[section_index] = len(body)
        body.extend(section.data() if section["sh_type"] != "SHT_NOBITS" else b"\0" * section["sh_size"])
    return appended[section_index]

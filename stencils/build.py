"""Build the stencils: compile stencils/*.c with the pinned clang, parse the objects,
write the generated table into the build directory.

    python -m stencils.build OUTPUT_DIR
"""
from __future__ import annotations

import concurrent.futures
import sys
import tempfile
from pathlib import Path

from . import elf, layout, table, toolchain

SOURCES = Path(__file__).resolve().parent


def build(output: Path) -> list[elf.Stencil]:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="accel-stencils-") as tmp:
        work = Path(tmp)
        sources = sorted(SOURCES.glob("*.c"))
        with concurrent.futures.ThreadPoolExecutor() as pool:
            probed = pool.submit(layout.probe, work)
            objects = list(pool.map(lambda src: _compile(src, work), sources))
        stencils = [s for obj in objects for s in elf.read_stencils(obj)]
        _check_unique(stencils)
        _write(output / "stencils.h", table.render(stencils, probed.result(), toolchain.version()))
        _write(output / "stencil_ids.h", table.render_ids(stencils))
    return stencils


def _compile(source: Path, work: Path) -> Path:
    obj = work / (source.stem + ".o")
    toolchain.compile_object(source, obj)
    return obj


def _check_unique(stencils: list[elf.Stencil]) -> None:
    seen: set[str] = set()
    for stencil in stencils:
        if stencil.name in seen:
            raise ValueError(f"stencil {stencil.name} is defined twice")
        seen.add(stencil.name)


def _write(path: Path, text: str) -> None:
    """Leave an unchanged file alone, so that the native build stays up to date."""
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


if __name__ == "__main__":
    built = build(Path(sys.argv[1]))
    print(f"{len(built)} stencils, {sum(s.size for s in built)} bytes hot, "
          f"{sum(len(s.body) - s.size for s in built)} bytes cold")

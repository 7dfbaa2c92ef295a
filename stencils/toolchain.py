"""The pinned clang that compiles stencils, and the flags that make its output patchable.

The compiler is PyPI's `ziglang` (a pinned build requirement, so `pip install .` brings it),
or any clang >= 19 named by the ACCEL_CLANG environment variable.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

from . import split

ROOT = Path(__file__).resolve().parent.parent

# -fno-pic -mcmodel=medium -mlarge-data-threshold=0: calls and tail calls are
# rel32 (R_X86_64_PLT32), so that one instruction jumps straight to the next (or is
# dropped, when it is the stencil's last), and the patcher reaches C functions
# through a trampoline when they are too far; data symbols and holes used as values
# stay R_X86_64_64 (movabs), wherever libpython was loaded.
# No jump tables, so stencils refer to no data of their own.  No vectorizing: merging
# the loads of two stack slots into one wide load defeats store forwarding, since each
# slot was just written by another stencil.
FLAGS = [
    "-O3",
    "-std=gnu11",
    "-fno-pic",
    "-mcmodel=medium",
    "-mlarge-data-threshold=0",
    "-fomit-frame-pointer",
    "-fno-unwind-tables",
    "-fno-asynchronous-unwind-tables",
    "-fno-stack-protector",
    "-fno-builtin",
    "-fno-jump-tables",
    "-fno-vectorize",
    "-fno-slp-vectorize",
    "-ffunction-sections",
    "-g0",
    "-Wall",
    "-Wno-macro-redefined",
    "-Werror=implicit-function-declaration",
]


def compiler() -> list[str]:
    """The command that runs the stencil compiler."""
    override = os.environ.get("ACCEL_CLANG")
    if override:
        return shlex.split(override)
    # zig's gnu target forces PIC; the musl target does not. CPython's structs do not
    # depend on the libc headers, and build.py checks that their layout agrees.
    return [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-musl"]


def include_dirs() -> list[Path]:
    python = Path(sysconfig.get_paths()["include"])
    return [ROOT / "stencils", ROOT / "native", python, python / "internal"]


def version() -> str:
    """One line naming the stencil compiler, as `python -m accel --version` reports it."""
    out = subprocess.run([*compiler(), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()[0].strip()


def compile_object(source: Path, output: Path) -> None:
    """Compile to assembly, split each stencil into its hot and cold parts (split.py),
    assemble."""
    assembly = output.with_suffix(".s")
    _run([*compiler(), *FLAGS, *(f"-I{d}" for d in include_dirs()), "-S", str(source), "-o", str(assembly)],
         source)
    assembly.write_text(split.split(assembly.read_text()))
    _run([*compiler(), "-c", str(assembly), "-o", str(output)], source)


def _run(args: list[str], source: Path) -> None:
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"stencil compiler failed on {source.name}:\n{shlex.join(args)}\n{done.stderr}")

"""cffi build of accel._native: the stencil table first, then native/*.c in API mode.

setup.py names this file in cffi_modules; it also runs standalone for development:
    python native/build.py    (builds accel/_native*.so in place)
"""
from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

from cffi import FFI

ROOT = Path(__file__).resolve().parent.parent
NATIVE = ROOT / "native"
GENERATED = ROOT / "build" / "generated"

sys.path.insert(0, str(ROOT))
from stencils import build as stencil_build  # noqa: E402


def _declarations(name: str) -> str:
    """A header as cffi's cdef parser takes it: no preprocessor lines."""
    text = (NATIVE / name).read_text() if (NATIVE / name).exists() else (GENERATED / name).read_text()
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def make_ffi(absolute_paths: bool = False) -> FFI:
    """setuptools wants sources relative to setup.py; a standalone build, absolute."""
    stencil_build.build(GENERATED)
    ffi = FFI()
    cdef = "\n".join(_declarations(h) for h in ("exits.h", "operand_kinds.h", "inline.h", "stencil_ids.h", "accel.h"))
    ffi.cdef(re.sub(r"\[ACCEL_EXIT_COUNT\]", "[...]", cdef))
    python_include = Path(sysconfig.get_paths()["include"])
    ffi.set_source(
        "accel._native",
        '#include "runtime.h"',
        sources=[str(p if absolute_paths else p.relative_to(ROOT)) for p in sorted(NATIVE.glob("*.c"))],
        include_dirs=[str(NATIVE), str(GENERATED), str(python_include / "internal")],
        define_macros=[("_CFFI_NO_LIMITED_API", None)],
        # Hidden: calls and data references between native/'s files go direct, not through
        # the PLT and GOT (the module's init function is exported by PyMODINIT_FUNC).
        extra_compile_args=["-O2", "-std=gnu11", "-fvisibility=hidden", "-Wall", "-Wno-unused-function",
                            "-Werror=implicit-function-declaration"],
        libraries=["dl"],
        py_limited_api=False,  # it reads CPython's internal structs: built for one version
    )
    return ffi


if __name__ == "__main__":
    make_ffi(absolute_paths=True).compile(tmpdir=str(ROOT / "build" / "cffi"), verbose=False)
    for built in (ROOT / "build" / "cffi").rglob("_native*.so"):
        built.replace(ROOT / "accel" / built.name)
else:
    ffibuilder = make_ffi()

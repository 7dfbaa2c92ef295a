"""Where accel can accelerate: CPython 3.11.4+ on x86_64 Linux.

Asked at every accelerated start-up, and by `python -m accel` before it starts the program,
so it reads sys and os only: importing the `platform` module costs more than the check.
"""
from __future__ import annotations

import os
import sys

SUPPORTED = "CPython 3.11.4 or newer 3.11 on x86_64 Linux"
NAMES = {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}  # sys.implementation.name -> its usual name


def found() -> tuple[str, tuple[int, int, int], str, str]:
    """This interpreter: (implementation, version, OS, machine), e.g. ('cpython', (3, 11, 7), 'linux', 'x86_64')."""
    if hasattr(os, "uname"):
        machine = os.uname().machine
    else:  # not a POSIX system, so not supported anyway: only the message needs the name
        import platform

        machine = platform.machine()
    return sys.implementation.name, tuple(sys.version_info[:3]), sys.platform, machine


def describe() -> str:
    implementation, version, system, machine = found()
    return f"{NAMES.get(implementation, implementation)} {'.'.join(map(str, version))} on {system} {machine}"


def unsupported_reason() -> str | None:
    """None here, else what was found and what is supported."""
    implementation, version, system, machine = found()
    ok = (implementation == "cpython" and version[:2] == (3, 11) and version >= (3, 11, 4) and system == "linux"
          and machine == "x86_64")
    return None if ok else f"accel supports {SUPPORTED}; this is {describe()}"


def not_built(detail: str | None) -> str:
    return f"accel's native part is not built ({detail}); reinstall with `pip install .`"

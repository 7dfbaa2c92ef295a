"""Where accel can accelerate: CPython 3.11.4+ on x86_64 Linux."""
from __future__ import annotations

import platform
import sys

SUPPORTED = "CPython 3.11.4 or newer 3.11 on x86_64 Linux"


def describe() -> str:
    return f"{platform.python_implementation()} {platform.python_version()} on {sys.platform} {platform.machine()}"


def unsupported_reason() -> str | None:
    """None here, else what was found and what is supported."""
    ok = (platform.python_implementation() == "CPython" and sys.version_info[:2] == (3, 11)
          and sys.version_info >= (3, 11, 4) and sys.platform == "linux" and platform.machine() == "x86_64")
    return None if ok else f"accel supports {SUPPORTED}; this is {describe()}"

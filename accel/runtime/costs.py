"""What compiling cost in this process: accel.stats() reads it, whether or not the compiler
was ever loaded (it loads with the first compile)."""
from __future__ import annotations


class Totals:
    """Compile time and native bytes per bytecode instruction (accel.stats()) come from these."""

    seconds = 0.0  # in the compiler, whatever came of it
    load_seconds = 0.0  # loading the compiler (once, by the first compile), apart from `seconds`
    instructions = 0  # bytecode instructions decoded (a recompile counts them again)
    native_instructions = 0  # of those, the ones of code that got native code


totals = Totals()
failures: dict[str, int] = {}  # why code was not compiled (the reason up to its first colon) -> count


def count_failure(reason: str) -> None:
    category = reason.split(":")[0]
    failures[category] = failures.get(category, 0) + 1

"""Shared entry point of the benchmark kernels.

A kernel hands its work function to `run`. Plain `python kernel.py` does the
work once and prints its checksum line. `python kernel.py --inner N` does the
work N times, prints `TIME <seconds>` for each repetition to stderr and the
checksum line once to stdout; the repetitions must agree on the checksum.
"""

import sys
import time
from typing import Callable

USAGE = "usage: kernel.py [--inner N]"


def parse_inner(argv: list[str]) -> int:
    """Return the N of `--inner N` (0 when absent); exit with usage otherwise."""
    if not argv:
        return 0
    if len(argv) == 2 and argv[0] == "--inner" and argv[1].isdigit() and int(argv[1]) > 0:
        return int(argv[1])
    sys.exit(USAGE)


def run(work: Callable[[], str]) -> None:
    """Run `work` as the command line asks and print its checksum line."""
    inner = parse_inner(sys.argv[1:])
    if inner == 0:
        print(work())
        return
    checksums = set()
    for _ in range(inner):
        start = time.perf_counter()
        checksums.add(work())
        elapsed = time.perf_counter() - start
        print(f"TIME {elapsed:.9f}", file=sys.stderr)
    if len(checksums) != 1:
        sys.exit(f"nondeterministic kernel: repetitions printed {sorted(checksums)}")
    print(checksums.pop())

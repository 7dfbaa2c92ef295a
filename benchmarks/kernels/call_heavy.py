"""call_heavy: recursive fib plus many small function, method and closure calls."""

from typing import Callable

import _harness

FIB_N = 30
FIB_ROUNDS = 3
CALL_ROUNDS = 600_000


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def add(a: int, b: int) -> int:
    return a + b


def scale(x: int, factor: int = 3) -> int:
    return x * factor


def clamp(x: int, low: int, high: int) -> int:
    if x < low:
        return low
    if x > high:
        return high
    return x


def make_offset(delta: int) -> Callable[[int], int]:
    def offset(x: int) -> int:
        return x + delta

    return offset


class Counter:
    def __init__(self) -> None:
        self.total = 0

    def bump(self, amount: int) -> None:
        self.total = (self.total + amount) % 1_000_003

    def value(self) -> int:
        return self.total


def small_calls(rounds: int) -> int:
    """Chain tiny calls of every flavour: positional, default, keyword, closure, method."""
    counter = Counter()
    offset = make_offset(7)
    for i in range(rounds):
        counter.bump(clamp(scale(add(i, 1)), 0, 5000))
        counter.bump(offset(scale(i & 15, factor=5)))
    return counter.value()


def main() -> str:
    fibs = sum(fib(FIB_N) for _ in range(FIB_ROUNDS))
    return f"call_heavy fib={fibs} calls={small_calls(CALL_ROUNDS)}"


if __name__ == "__main__":
    _harness.run(main)

"""Workload of hook_tax.py (not part of the suite): one naive fib(25), ~243k Python calls."""

import _harness

N = 25


def fib(n: int) -> int:
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def main() -> str:
    return f"fib({N}) = {fib(N)}"


if __name__ == "__main__":
    _harness.run(main)

"""generators: generator pipelines, `yield from` tree walks and generator expressions."""

from __future__ import annotations

from typing import Iterator

import _harness

TREE_DEPTH = 14
PIPELINE_N = 150_000
ROUNDS = 4


class Node:
    __slots__ = ("value", "left", "right")

    def __init__(self, value: int, left: Node | None, right: Node | None) -> None:
        self.value = value
        self.left = left
        self.right = right


def build_tree(depth: int, start: int = 0) -> Node | None:
    """A complete binary tree whose in-order walk yields consecutive integers from `start`."""
    if depth == 0:
        return None
    left_size = 2 ** (depth - 1) - 1
    return Node(start + left_size,
                build_tree(depth - 1, start),
                build_tree(depth - 1, start + left_size + 1))


def in_order(node: Node | None) -> Iterator[int]:
    if node is not None:
        yield from in_order(node.left)
        yield node.value
        yield from in_order(node.right)


def naturals(limit: int) -> Iterator[int]:
    n = 0
    while n < limit:
        yield n
        n += 1


def squares(values: Iterator[int]) -> Iterator[int]:
    for v in values:
        yield v * v


def keep_odd(values: Iterator[int]) -> Iterator[int]:
    for v in values:
        if v & 1:
            yield v


def running_total(values: Iterator[int]) -> Iterator[int]:
    total = 0
    for v in values:
        total = (total + v) % 1_000_000_007
        yield total


def windows(values: Iterator[int], size: int) -> Iterator[tuple[int, ...]]:
    window: list[int] = []
    for v in values:
        window.append(v)
        if len(window) == size:
            yield tuple(window)
            del window[0]


def main() -> str:
    tree = build_tree(TREE_DEPTH)
    walked = 0
    pipeline = 0
    spread = 0
    for _ in range(ROUNDS):
        walked += sum(in_order(tree))
        for total in running_total(keep_odd(squares(naturals(PIPELINE_N)))):
            pipeline ^= total
        spread += sum(max(w) - min(w) for w in windows((x * 7 % 101 for x in range(PIPELINE_N)), 4))
    return f"generators walked={walked} pipeline={pipeline} spread={spread}"


if __name__ == "__main__":
    _harness.run(main)

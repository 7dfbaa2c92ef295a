"""hexiom: count the solutions of hexiom-like tile puzzles by constrained search.

On a hexagonal board each tile shows how many of its neighbouring cells hold
tiles. A puzzle gives the multiset of tiles (and a few locked cells); the
search places every tile so that all numbers are right, and counts all ways.
"""

from __future__ import annotations

import random

import _harness

DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))
UNSET, HOLE = -2, -1
PUZZLES = ((2, 0, 2), (2, 1, 2), (2, 4, 3), (2, 6, 3), (2, 7, 3))  # (radius, seed, locked cells)
FILL = 0.6


class Board:
    """Cells of a hexagon of the given radius, in breadth-first order from the centre."""

    def __init__(self, radius: int) -> None:
        inside = {(q, r) for q in range(-radius, radius + 1) for r in range(-radius, radius + 1)
                  if abs(q + r) <= radius}
        order = [(0, 0)]
        index = {(0, 0): 0}
        for q, r in order:
            for dq, dr in DIRECTIONS:
                cell = (q + dq, r + dr)
                if cell in inside and cell not in index:
                    index[cell] = len(order)
                    order.append(cell)
        self.size = len(order)
        self.neighbors = [[index[(q + dq, r + dr)] for dq, dr in DIRECTIONS
                           if (q + dq, r + dr) in index] for q, r in order]


class Puzzle:
    def __init__(self, board: Board, seed: int, locked: int) -> None:
        rng = random.Random(seed)
        occupied = [rng.random() < FILL for _ in range(board.size)]
        answer = [sum(occupied[n] for n in board.neighbors[c]) if occupied[c] else HOLE
                  for c in range(board.size)]
        self.board = board
        self.tiles = [answer.count(v) for v in range(7)]
        self.holes = answer.count(HOLE)
        self.locked = {c: answer[c] for c in rng.sample(range(board.size), locked)}


class Search:
    def __init__(self, puzzle: Puzzle) -> None:
        self.neighbors = puzzle.board.neighbors
        self.values = [UNSET] * puzzle.board.size
        self.left = puzzle.tiles[:]
        self.holes = puzzle.holes
        self.locked = puzzle.locked
        self.nodes = 0

    def consistent(self, cell: int) -> bool:
        """Every tile at or next to `cell` can still see exactly its number of tiles."""
        values = self.values
        neighbors = self.neighbors
        for c in (cell, *neighbors[cell]):
            want = values[c]
            if want < 0:
                continue
            tiles = unknown = 0
            for n in neighbors[c]:
                v = values[n]
                if v >= 0:
                    tiles += 1
                elif v == UNSET:
                    unknown += 1
            if want < tiles or want > tiles + unknown:
                return False
        return True

    def options(self, cell: int) -> list[int]:
        if cell in self.locked:
            return [self.locked[cell]]
        choices = [v for v in range(7) if self.left[v]]
        if self.holes:
            choices.append(HOLE)
        return choices

    def count(self, cell: int) -> int:
        if cell == len(self.values):
            return 1
        self.nodes += 1
        found = 0
        for value in self.options(cell):
            if value == HOLE:
                self.holes -= 1
            else:
                self.left[value] -= 1
            self.values[cell] = value
            if self.consistent(cell):
                found += self.count(cell + 1)
            self.values[cell] = UNSET
            if value == HOLE:
                self.holes += 1
            else:
                self.left[value] += 1
        return found


def main() -> str:
    results = []
    for radius, seed, locked in PUZZLES:
        search = Search(Puzzle(Board(radius), seed, locked))
        solutions = search.count(0)
        results.append(f"{solutions}/{search.nodes}")
    return "hexiom solutions/nodes " + " ".join(results)


if __name__ == "__main__":
    _harness.run(main)

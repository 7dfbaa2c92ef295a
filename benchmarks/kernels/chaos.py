"""chaos: chaos-game rendering of iterated function systems with a seeded RNG."""

from __future__ import annotations

import random

import _harness

WIDTH = 96
HEIGHT = 96
POINTS = 200_000
SEED = 1234


class AffineMap:
    """(x, y) -> (a*x + b*y + e, c*x + d*y + f)."""

    __slots__ = ("a", "b", "c", "d", "e", "f")

    def __init__(self, a: float, b: float, c: float, d: float, e: float, f: float) -> None:
        self.a, self.b, self.c, self.d, self.e, self.f = a, b, c, d, e, f

    def apply(self, x: float, y: float) -> tuple[float, float]:
        return self.a * x + self.b * y + self.e, self.c * x + self.d * y + self.f


class System:
    """Weighted affine maps plus the box the attractor lives in."""

    def __init__(self, weighted: list[tuple[float, AffineMap]],
                 box: tuple[float, float, float, float]) -> None:
        total = sum(weight for weight, _ in weighted)
        self.thresholds: list[float] = []
        running = 0.0
        for weight, _ in weighted:
            running += weight / total
            self.thresholds.append(running)
        self.maps = [m for _, m in weighted]
        self.box = box

    def pick(self, u: float) -> AffineMap:
        for threshold, chosen in zip(self.thresholds, self.maps):
            if u < threshold:
                return chosen
        return self.maps[-1]


FERN = System([
    (0.01, AffineMap(0.0, 0.0, 0.0, 0.16, 0.0, 0.0)),
    (0.85, AffineMap(0.85, 0.04, -0.04, 0.85, 0.0, 1.6)),
    (0.07, AffineMap(0.2, -0.26, 0.23, 0.22, 0.0, 1.6)),
    (0.07, AffineMap(-0.15, 0.28, 0.26, 0.24, 0.0, 0.44)),
], (-2.2, 2.7, 0.0, 10.0))

SIERPINSKI = System([
    (1.0, AffineMap(0.5, 0.0, 0.0, 0.5, 0.0, 0.0)),
    (1.0, AffineMap(0.5, 0.0, 0.0, 0.5, 0.5, 0.0)),
    (1.0, AffineMap(0.5, 0.0, 0.0, 0.5, 0.25, 0.5)),
], (0.0, 1.0, 0.0, 1.0))

DRAGON = System([
    (1.0, AffineMap(0.5, -0.5, 0.5, 0.5, 0.0, 0.0)),
    (1.0, AffineMap(-0.5, -0.5, 0.5, -0.5, 1.0, 0.0)),
], (-0.4, 1.2, -0.4, 0.8))


def render(system: System, points: int, rng: random.Random) -> list[list[int]]:
    """Play the chaos game and count the hits on a WIDTH x HEIGHT grid."""
    grid = [[0] * WIDTH for _ in range(HEIGHT)]
    x0, x1, y0, y1 = system.box
    sx = (WIDTH - 1) / (x1 - x0)
    sy = (HEIGHT - 1) / (y1 - y0)
    x = y = 0.0
    for i in range(points):
        x, y = system.pick(rng.random()).apply(x, y)
        if i < 20:
            continue
        col = int((x - x0) * sx)
        row = int((y - y0) * sy)
        if 0 <= col < WIDTH and 0 <= row < HEIGHT:
            grid[row][col] += 1
    return grid


def grid_checksum(grid: list[list[int]]) -> int:
    total = 0
    for row in grid:
        for count in row:
            total = (total * 131 + count) % 1_000_000_007
    return total


def main() -> str:
    rng = random.Random(SEED)
    sums = [grid_checksum(render(system, POINTS, rng)) for system in (FERN, SIERPINSKI, DRAGON)]
    return f"chaos checksums={sums}"


if __name__ == "__main__":
    _harness.run(main)

"""float: build points from sin/cos, normalize each in a list, fold them with max."""

from math import cos, sin, sqrt

import _harness

POINTS = 150_000
ROUNDS = 3


class Point:
    __slots__ = ("x", "y", "z")

    def __init__(self, i: float) -> None:
        self.x = x = sin(i)
        self.y = cos(i) * 3.0
        self.z = (x * x) / 2.0

    def normalize(self) -> None:
        norm = sqrt(self.x * self.x + self.y * self.y + self.z * self.z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other: "Point") -> "Point":
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self


def fold_max(points: list[Point]) -> Point:
    best = points[0]
    for point in points[1:]:
        best.maximize(point)
    return best


def run_round(count: int) -> Point:
    points = [Point(float(i)) for i in range(count)]
    for point in points:
        point.normalize()
    return fold_max(points)


def main() -> str:
    parts = []
    for r in range(ROUNDS):
        best = run_round(POINTS + r)
        parts.append(f"({best.x!r}, {best.y!r}, {best.z!r})")
    return "float " + " ".join(parts)


if __name__ == "__main__":
    _harness.run(main)

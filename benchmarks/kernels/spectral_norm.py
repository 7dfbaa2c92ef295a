"""spectral_norm: power iteration for the spectral norm of an infinite-matrix section."""

import _harness

SIZE = 260
ITERATIONS = 10


def entry(i: int, j: int) -> float:
    """A[i][j] = 1 / ((i+j)(i+j+1)/2 + i + 1)."""
    s = i + j
    return 1.0 / (s * (s + 1) // 2 + i + 1)


def times_a(v: list[float]) -> list[float]:
    n = len(v)
    return [sum(entry(i, j) * v[j] for j in range(n)) for i in range(n)]


def times_at(v: list[float]) -> list[float]:
    n = len(v)
    return [sum(entry(j, i) * v[j] for j in range(n)) for i in range(n)]


def times_ata(v: list[float]) -> list[float]:
    return times_at(times_a(v))


def spectral_norm(n: int, iterations: int) -> float:
    u = [1.0] * n
    v = u
    for _ in range(iterations):
        v = times_ata(u)
        u = times_ata(v)
    vbv = sum(a * b for a, b in zip(u, v))
    vv = sum(b * b for b in v)
    return (vbv / vv) ** 0.5


def main() -> str:
    return f"spectral_norm {spectral_norm(SIZE, ITERATIONS):.12f}"


if __name__ == "__main__":
    _harness.run(main)

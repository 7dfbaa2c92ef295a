"""float_loop: a pure float arithmetic loop (a chaotic beta map and a running blend)."""

import _harness

STEPS = 200_000
PARAMS = [(1.3 + k / 64.0, 0.1 + k / 512.0) for k in range(24)]


def beta_orbit(a: float, b: float, steps: int) -> float:
    """Iterate x = x*a + b (mod 1) with a slowly following blend y, summing x*y."""
    x = 0.0
    y = 1.0
    acc = 0.0
    for _ in range(steps):
        x = x * a + b
        if x >= 1.0:
            x -= 1.0
        y = y * 0.999 + x * 0.001
        acc = acc * 0.9999 + x * y
    return acc


def main() -> str:
    total = 0.0
    for a, b in PARAMS:
        total += beta_orbit(a, b, STEPS)
    return f"float_loop total={total!r}"


if __name__ == "__main__":
    _harness.run(main)

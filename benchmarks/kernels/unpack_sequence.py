"""unpack_sequence: tuple and list unpacking (fixed, nested, starred, swaps, loop targets)."""

import _harness

ROUNDS = 450_000
MASK = 0xFFFF_FFFF


def unpack_tuples(rounds: int) -> int:
    t3 = (1, 2, 3)
    t5 = (4, 5, 6, 7, 8)
    t8 = (9, 10, 11, 12, 13, 14, 15, 16)
    acc = 0
    for i in range(rounds):
        a, b, c = t3
        d, e, f, g, h = t5
        j, k, l, m, n, o, p, q = t8
        a, b = b, a
        c, d, e = e, c, d
        acc = (acc + a - b + c * d - e + f ^ g + h + j - k + l + m - n + o + p - q + i) & MASK
    return acc


def unpack_lists(rounds: int) -> int:
    pair = [3, 4]
    quad = [5, 6, 7, 8]
    nested = ((1, 2), (3, (4, 5)))
    acc = 0
    for i in range(rounds):
        x, y = pair
        w, v, u, s = quad
        (a, b), [c, (d, e)] = nested
        first, *middle, last = quad
        acc = (acc + x * y + w - v + u * s + a + b * c + d - e + first + len(middle) - last + i) & MASK
    return acc


def unpack_loop_targets(rounds: int) -> int:
    points = [(i, i * 2, i * 3) for i in range(64)]
    pairs = list(enumerate(range(0, 128, 2)))
    acc = 0
    for _ in range(rounds // 64):
        for x, y, z in points:
            acc = (acc + x - y + z) & MASK
        for index, value in pairs:
            acc = (acc ^ (index * value)) & MASK
    return acc


def main() -> str:
    return (f"unpack_sequence tuples={unpack_tuples(ROUNDS)} lists={unpack_lists(ROUNDS)} "
            f"loops={unpack_loop_targets(ROUNDS)}")


if __name__ == "__main__":
    _harness.run(main)

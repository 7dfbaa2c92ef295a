"""int_loop: integer arithmetic in a loop (LCG, sums, modulo, shifts, masks)."""

import _harness

STEPS = 100_000
SEEDS = range(1, 21)
MASK32 = 0xFFFF_FFFF


def mix(seed: int, steps: int) -> int:
    """Run a 31-bit LCG and fold its outputs into a 32-bit checksum."""
    state = seed
    total = 0
    for i in range(steps):
        state = (state * 1103515245 + 12345) & 0x7FFF_FFFF
        total = (total + (state >> 7) % 1000 + (i ^ (state & 255))) & MASK32
        total ^= (total << 3) & MASK32
    return total


def main() -> str:
    checksum = 0
    for seed in SEEDS:
        checksum = (checksum * 31 + mix(seed, STEPS)) & MASK32
    return f"int_loop checksum={checksum}"


if __name__ == "__main__":
    _harness.run(main)

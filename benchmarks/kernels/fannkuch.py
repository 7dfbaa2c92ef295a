"""fannkuch: pancake-flip counts over all permutations (fannkuch-redux)."""

import _harness

N = 9


def count_flips(perm1: list[int]) -> int:
    """Flip the prefix of length first+1 until 0 is in front; return the number of flips."""
    perm = perm1[:]
    flips = 0
    first = perm[0]
    while first:
        perm[:first + 1] = perm[first::-1]
        flips += 1
        first = perm[0]
    return flips


def fannkuch(n: int) -> tuple[int, int]:
    """Return (alternating checksum, max flips) over permutations in rotation order."""
    perm1 = list(range(n))
    count = [0] * n
    checksum = 0
    max_flips = 0
    index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        flips = count_flips(perm1)
        if flips > max_flips:
            max_flips = flips
        checksum += -flips if index & 1 else flips
        index += 1
        while True:
            if r == n:
                return checksum, max_flips
            first = perm1[0]
            perm1[:r] = perm1[1:r + 1]
            perm1[r] = first
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1


def main() -> str:
    checksum, max_flips = fannkuch(N)
    return f"fannkuch({N}) checksum={checksum} max_flips={max_flips}"


if __name__ == "__main__":
    _harness.run(main)

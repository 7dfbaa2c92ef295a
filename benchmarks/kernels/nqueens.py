"""nqueens: count N-queens solutions by backtracking over free columns and diagonals."""

import _harness

COUNT_SIZES = (8, 9, 10, 11, 11)
FIRST_SIZES = range(8, 20)


def place(row: int, n: int, cols: list[bool], diag: list[bool], anti: list[bool]) -> int:
    """Number of ways to complete a board whose first `row` rows hold queens."""
    if row == n:
        return 1
    found = 0
    for col in range(n):
        d = row + col
        a = row - col + n - 1
        if cols[col] or diag[d] or anti[a]:
            continue
        cols[col] = diag[d] = anti[a] = True
        found += place(row + 1, n, cols, diag, anti)
        cols[col] = diag[d] = anti[a] = False
    return found


def solutions(n: int) -> int:
    return place(0, n, [False] * n, [False] * (2 * n - 1), [False] * (2 * n - 1))


def first_solution(n: int) -> tuple[int, ...]:
    """Lexicographically first placement, by depth-first search over queen tuples."""
    def extend(queens: tuple[int, ...]) -> tuple[int, ...] | None:
        if len(queens) == n:
            return queens
        row = len(queens)
        taken = set(queens)
        for col in range(n):
            if col in taken:
                continue
            if all(abs(col - c) != row - r for r, c in enumerate(queens)):
                found = extend(queens + (col,))
                if found is not None:
                    return found
        return None

    result = extend(())
    assert result is not None
    return result


def main() -> str:
    counts = [solutions(n) for n in COUNT_SIZES]
    firsts = [first_solution(n) for n in FIRST_SIZES]
    return f"nqueens counts={counts} last_first={firsts[-1]} firsts_sum={sum(map(sum, firsts))}"


if __name__ == "__main__":
    _harness.run(main)

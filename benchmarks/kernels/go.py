"""go: a flat Monte Carlo Go player on a 9x9 board (random playouts, captures, ko)."""

from __future__ import annotations

import random

import _harness

SIZE = 9
KOMI = 7.5
SEED = 2024
GAME_MOVES = 4
CANDIDATES = 6
PLAYOUTS_PER_CANDIDATE = 4
EMPTY, BLACK, WHITE, EDGE = range(4)
PASS = -1
STRIDE = SIZE + 2
POINTS = [(row + 1) * STRIDE + col + 1 for row in range(SIZE) for col in range(SIZE)]
NEIGHBORS = {p: (p - 1, p + 1, p - STRIDE, p + STRIDE) for p in POINTS}


def other(color: int) -> int:
    return BLACK + WHITE - color


class Board:
    def __init__(self) -> None:
        self.cells = [EDGE] * (STRIDE * STRIDE)
        for p in POINTS:
            self.cells[p] = EMPTY
        self.ko = PASS

    def copy(self) -> Board:
        clone = Board.__new__(Board)
        clone.cells = self.cells[:]
        clone.ko = self.ko
        return clone

    def group(self, start: int) -> tuple[list[int], int]:
        """Stones of the group at `start` and how many distinct liberties it has."""
        cells = self.cells
        color = cells[start]
        stones = [start]
        seen = {start}
        liberties = set()
        i = 0
        while i < len(stones):
            for n in NEIGHBORS[stones[i]]:
                if n in seen:
                    continue
                cell = cells[n]
                if cell == color:
                    seen.add(n)
                    stones.append(n)
                elif cell == EMPTY:
                    liberties.add(n)
            i += 1
        return stones, len(liberties)

    def is_legal(self, p: int, color: int) -> bool:
        cells = self.cells
        if cells[p] != EMPTY or p == self.ko:
            return False
        for n in NEIGHBORS[p]:
            cell = cells[n]
            if cell == EMPTY:
                return True
            if cell != EDGE and (self.group(n)[1] == 1) != (cell == color):
                return True
        return False

    def is_own_eye(self, p: int, color: int) -> bool:
        return all(self.cells[n] in (color, EDGE) for n in NEIGHBORS[p])

    def play(self, p: int, color: int) -> None:
        cells = self.cells
        cells[p] = color
        enemy = other(color)
        captured: list[int] = []
        for n in NEIGHBORS[p]:
            if cells[n] == enemy:
                stones, liberties = self.group(n)
                if liberties == 0:
                    for s in stones:
                        cells[s] = EMPTY
                    captured.extend(stones)
        self.ko = PASS
        if len(captured) == 1:
            stones, liberties = self.group(p)
            if len(stones) == 1 and liberties == 1:
                self.ko = captured[0]

    def random_move(self, color: int, rng: random.Random) -> int:
        empties = [p for p in POINTS if self.cells[p] == EMPTY]
        rng.shuffle(empties)
        for p in empties:
            if not self.is_own_eye(p, color) and self.is_legal(p, color):
                return p
        return PASS

    def score(self) -> float:
        """Area score, black minus white, counting one-colour-bordered empties as territory."""
        total = -KOMI
        for p in POINTS:
            cell = self.cells[p]
            if cell == EMPTY:
                around = {self.cells[n] for n in NEIGHBORS[p]} - {EDGE}
                cell = around.pop() if len(around) == 1 else EMPTY
            if cell == BLACK:
                total += 1
            elif cell == WHITE:
                total -= 1
        return total


def playout(board: Board, color: int, rng: random.Random) -> float:
    passes = 0
    moves = 0
    while passes < 2 and moves < 3 * SIZE * SIZE:
        move = board.random_move(color, rng)
        if move == PASS:
            passes += 1
        else:
            passes = 0
            board.play(move, color)
        color = other(color)
        moves += 1
    return board.score()


def choose_move(board: Board, color: int, rng: random.Random) -> int:
    """Try a sample of legal moves with a few playouts each; keep the best win count."""
    legal = [p for p in POINTS if board.is_legal(p, color) and not board.is_own_eye(p, color)]
    if not legal:
        return PASS
    best, best_wins = PASS, -1
    for p in rng.sample(legal, min(CANDIDATES, len(legal))):
        wins = 0
        for _ in range(PLAYOUTS_PER_CANDIDATE):
            trial = board.copy()
            trial.play(p, color)
            result = playout(trial, other(color), rng)
            wins += (result > 0) == (color == BLACK)
        if wins > best_wins:
            best, best_wins = p, wins
    return best


def main() -> str:
    rng = random.Random(SEED)
    board = Board()
    color = BLACK
    moves = []
    for _ in range(GAME_MOVES):
        move = choose_move(board, color, rng)
        if move != PASS:
            board.play(move, color)
        moves.append(move)
        color = other(color)
    final = playout(board.copy(), color, rng)
    return f"go moves={moves} final_score={final}"


if __name__ == "__main__":
    _harness.run(main)

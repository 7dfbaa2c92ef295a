"""mandelbrot: escape-time iteration counts over a grid of the Mandelbrot set."""

import _harness

WIDTH = 400
HEIGHT = 300
MAX_ITER = 150
BOX = (-2.2, 0.8, -1.2, 1.2)


def escape_time(cr: float, ci: float, max_iter: int) -> int:
    zr = zi = 0.0
    for i in range(max_iter):
        zr2 = zr * zr
        zi2 = zi * zi
        if zr2 + zi2 > 4.0:
            return i
        zi = 2.0 * zr * zi + ci
        zr = zr2 - zi2 + cr
    return max_iter


def render(width: int, height: int, max_iter: int) -> list[list[int]]:
    x0, x1, y0, y1 = BOX
    dx = (x1 - x0) / width
    dy = (y1 - y0) / height
    return [[escape_time(x0 + i * dx, y0 + j * dy, max_iter) for i in range(width)]
            for j in range(height)]


def main() -> str:
    rows = render(WIDTH, HEIGHT, MAX_ITER)
    inside = sum(row.count(MAX_ITER) for row in rows)
    total = sum(map(sum, rows))
    return f"mandelbrot {WIDTH}x{HEIGHT} inside={inside} iterations={total}"


if __name__ == "__main__":
    _harness.run(main)

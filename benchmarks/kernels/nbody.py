"""nbody: leapfrog simulation of the Sun and the four gas giants."""

import _harness

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24
STEPS = 100_000
DT = 0.01

# x, y, z (AU), vx, vy, vz (AU/day), mass (fraction of the Sun's).
PLANETS = [
    (4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
     9.54791938424326609e-04),
    (8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
     2.85885980666130812e-04),
    (1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
     4.36624404335156298e-05),
    (1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
     5.15138902046611451e-05),
]

Body = list[float]


def make_system() -> list[Body]:
    """Bodies as [x, y, z, vx, vy, vz, mass] with the Sun offsetting total momentum."""
    bodies = [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS]]
    for x, y, z, vx, vy, vz, mass in PLANETS:
        bodies.append([x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR,
                       vz * DAYS_PER_YEAR, mass * SOLAR_MASS])
    sun = bodies[0]
    for axis in range(3):
        momentum = sum(body[3 + axis] * body[6] for body in bodies)
        sun[3 + axis] = -momentum / SOLAR_MASS
    return bodies


def advance(bodies: list[Body], dt: float, steps: int) -> None:
    pairs = [(bodies[i], bodies[j]) for i in range(len(bodies)) for j in range(i + 1, len(bodies))]
    for _ in range(steps):
        for a, b in pairs:
            dx = a[0] - b[0]
            dy = a[1] - b[1]
            dz = a[2] - b[2]
            dist2 = dx * dx + dy * dy + dz * dz
            mag = dt / (dist2 * dist2 ** 0.5)
            mass_a = a[6] * mag
            mass_b = b[6] * mag
            a[3] -= dx * mass_b
            a[4] -= dy * mass_b
            a[5] -= dz * mass_b
            b[3] += dx * mass_a
            b[4] += dy * mass_a
            b[5] += dz * mass_a
        for body in bodies:
            body[0] += dt * body[3]
            body[1] += dt * body[4]
            body[2] += dt * body[5]


def energy(bodies: list[Body]) -> float:
    total = 0.0
    for i, a in enumerate(bodies):
        total += 0.5 * a[6] * (a[3] * a[3] + a[4] * a[4] + a[5] * a[5])
        for b in bodies[i + 1:]:
            dx = a[0] - b[0]
            dy = a[1] - b[1]
            dz = a[2] - b[2]
            total -= a[6] * b[6] / (dx * dx + dy * dy + dz * dz) ** 0.5
    return total


def main() -> str:
    bodies = make_system()
    before = energy(bodies)
    for _ in range(STEPS // 1000):
        advance(bodies, DT, 1000)
    return f"nbody energy {before:.12f} -> {energy(bodies):.12f} x={bodies[1][0]!r}"


if __name__ == "__main__":
    _harness.run(main)

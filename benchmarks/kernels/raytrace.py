"""raytrace: a small object-oriented ray tracer (spheres, a plane, shadows, reflections)."""

from __future__ import annotations

import math

import _harness

WIDTH = 160
HEIGHT = 120
MAX_DEPTH = 3
EPSILON = 1e-6


class Vec:
    __slots__ = ("x", "y", "z")

    def __init__(self, x: float, y: float, z: float) -> None:
        self.x = x
        self.y = y
        self.z = z

    def __add__(self, other: Vec) -> Vec:
        return Vec(self.x + other.x, self.y + other.y, self.z + other.z)

    def __sub__(self, other: Vec) -> Vec:
        return Vec(self.x - other.x, self.y - other.y, self.z - other.z)

    def __mul__(self, k: float) -> Vec:
        return Vec(self.x * k, self.y * k, self.z * k)

    def dot(self, other: Vec) -> float:
        return self.x * other.x + self.y * other.y + self.z * other.z

    def length(self) -> float:
        return math.sqrt(self.dot(self))

    def normalized(self) -> Vec:
        return self * (1.0 / self.length())

    def reflect(self, normal: Vec) -> Vec:
        return self - normal * (2.0 * self.dot(normal))

    def mix(self, other: Vec) -> Vec:
        return Vec(self.x * other.x, self.y * other.y, self.z * other.z)


class Ray:
    __slots__ = ("origin", "direction")

    def __init__(self, origin: Vec, direction: Vec) -> None:
        self.origin = origin
        self.direction = direction

    def at(self, t: float) -> Vec:
        return self.origin + self.direction * t


class Material:
    def __init__(self, color: Vec, diffuse: float, specular: float, reflect: float,
                 checker: bool = False) -> None:
        self.color = color
        self.diffuse = diffuse
        self.specular = specular
        self.reflect = reflect
        self.checker = checker

    def color_at(self, point: Vec) -> Vec:
        if self.checker and (math.floor(point.x) + math.floor(point.z)) % 2:
            return self.color * 0.3
        return self.color


class Sphere:
    def __init__(self, center: Vec, radius: float, material: Material) -> None:
        self.center = center
        self.radius = radius
        self.material = material

    def intersect(self, ray: Ray) -> float | None:
        oc = ray.origin - self.center
        b = oc.dot(ray.direction)
        c = oc.dot(oc) - self.radius * self.radius
        disc = b * b - c
        if disc < 0.0:
            return None
        root = math.sqrt(disc)
        for t in (-b - root, -b + root):
            if t > EPSILON:
                return t
        return None

    def normal_at(self, point: Vec) -> Vec:
        return (point - self.center).normalized()


class Plane:
    def __init__(self, point: Vec, normal: Vec, material: Material) -> None:
        self.point = point
        self.normal = normal.normalized()
        self.material = material

    def intersect(self, ray: Ray) -> float | None:
        denom = self.normal.dot(ray.direction)
        if abs(denom) < EPSILON:
            return None
        t = (self.point - ray.origin).dot(self.normal) / denom
        return t if t > EPSILON else None

    def normal_at(self, point: Vec) -> Vec:
        return self.normal


Shape = Sphere | Plane


class Scene:
    def __init__(self, shapes: list[Shape], lights: list[Vec], eye: Vec) -> None:
        self.shapes = shapes
        self.lights = lights
        self.eye = eye

    def nearest(self, ray: Ray) -> tuple[float, Shape | None]:
        best_t = math.inf
        best: Shape | None = None
        for shape in self.shapes:
            t = shape.intersect(ray)
            if t is not None and t < best_t:
                best_t, best = t, shape
        return best_t, best

    def shadowed(self, point: Vec, light: Vec) -> bool:
        to_light = light - point
        distance = to_light.length()
        t, shape = self.nearest(Ray(point, to_light * (1.0 / distance)))
        return shape is not None and t < distance

    def trace(self, ray: Ray, depth: int) -> Vec:
        t, shape = self.nearest(ray)
        if shape is None:
            return Vec(0.1, 0.1, 0.2)
        point = ray.at(t)
        normal = shape.normal_at(point)
        material = shape.material
        base = material.color_at(point)
        color = base * 0.1
        for light in self.lights:
            if self.shadowed(point, light):
                continue
            to_light = (light - point).normalized()
            lambert = normal.dot(to_light)
            if lambert > 0.0:
                color = color + base * (lambert * material.diffuse)
            highlight = to_light.reflect(normal).dot(ray.direction)
            if highlight > 0.0:
                color = color + Vec(1.0, 1.0, 1.0) * (material.specular * highlight ** 20)
        if depth < MAX_DEPTH and material.reflect > 0.0:
            bounced = Ray(point, ray.direction.reflect(normal))
            color = color + self.trace(bounced, depth + 1).mix(base) * material.reflect
        return color


def build_scene() -> Scene:
    shapes: list[Shape] = [
        Sphere(Vec(0.0, 1.0, 5.0), 1.0, Material(Vec(0.9, 0.2, 0.2), 0.7, 0.5, 0.3)),
        Sphere(Vec(-2.0, 0.7, 6.5), 0.7, Material(Vec(0.2, 0.9, 0.3), 0.8, 0.3, 0.2)),
        Sphere(Vec(2.0, 1.5, 7.0), 1.5, Material(Vec(0.3, 0.4, 0.9), 0.6, 0.8, 0.5)),
        Plane(Vec(0.0, 0.0, 0.0), Vec(0.0, 1.0, 0.0), Material(Vec(0.9, 0.9, 0.9), 0.9, 0.0, 0.2, True)),
    ]
    return Scene(shapes, [Vec(-5.0, 8.0, -2.0), Vec(6.0, 5.0, 1.0)], Vec(0.0, 1.5, -2.0))


def render(scene: Scene, width: int, height: int) -> list[tuple[int, int, int]]:
    pixels = []
    aspect = width / height
    for j in range(height):
        for i in range(width):
            u = (2.0 * (i + 0.5) / width - 1.0) * aspect
            v = 1.0 - 2.0 * (j + 0.5) / height
            ray = Ray(scene.eye, Vec(u, v, 1.5).normalized())
            c = scene.trace(ray, 0)
            pixels.append((min(255, int(c.x * 255)), min(255, int(c.y * 255)), min(255, int(c.z * 255))))
    return pixels


def main() -> str:
    pixels = render(build_scene(), WIDTH, HEIGHT)
    total = sum(r * 3 + g * 5 + b * 7 for r, g, b in pixels)
    distinct = len(set(pixels))
    return f"raytrace {WIDTH}x{HEIGHT} checksum={total} distinct={distinct}"


if __name__ == "__main__":
    _harness.run(main)

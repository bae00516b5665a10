"""Geometry of the sample: the district outline, communes as balanced power cells, villages as a
Voronoi tessellation, all one exact coverage on a 1 cm grid, and the gently curving polylines the
borders, roads and canals are drawn with.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from scipy.spatial import cKDTree

from .facts import DISTRICT_AREA_KM2

__all__ = [
    "on_grid",
    "wiggle",
    "dedupe",
    "prefix_inside",
    "district_outline",
    "commune_polygons",
    "village_tessellation",
    "point_inside",
]

_GRID = 0.01  # metres: generated coordinates sit on a 1 cm grid so that shared nodes match exactly


def on_grid(xy: np.ndarray) -> np.ndarray:
    """Coordinates rounded to the 1 cm grid."""
    return np.round(np.asarray(xy, dtype=float) / _GRID) * _GRID


def wiggle(
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
    *,
    spacing: float,
    amplitude: float,
    share: float = 0.06,
) -> np.ndarray:
    """A gently curving polyline from ``a`` to ``b`` (endpoints exactly ``a`` and ``b``).

    The offset is a sum of sine harmonics that vanish at both ends, so neighbouring features that
    share an endpoint still meet exactly there.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    length = float(np.hypot(*(b - a)))
    n = max(1, math.ceil(length / spacing))
    t = np.linspace(0.0, 1.0, n + 1)
    amp = min(amplitude, share * length)
    normal = np.array([-(b - a)[1], (b - a)[0]]) / max(length, 1e-9)
    offset = np.zeros_like(t)
    for harmonic in (1, 2, 3):
        offset += amp * rng.uniform(-1.0, 1.0) / harmonic * np.sin(harmonic * np.pi * t)
    points = a + np.outer(t, b - a) + np.outer(offset, normal)
    points = on_grid(points)
    points[0], points[-1] = a, b
    return points


def dedupe(points: np.ndarray) -> np.ndarray:
    """The polyline without repeated consecutive vertices."""
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    return points[keep]


def prefix_inside(points: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """The leading vertices of a polyline that lie inside ``area`` (the start is kept as is).

    Truncating at a vertex keeps every coordinate exact, which clipping would not.
    """
    inside = shapely.contains_xy(area, points[:, 0], points[:, 1])
    inside[0] = True
    stop = int(np.argmin(inside)) if not inside.all() else len(points)
    return points[:stop]


def district_outline(centres: np.ndarray, areas_m2: np.ndarray) -> shapely.Polygon:
    """A smooth shape around the centres, scaled to the official district area."""
    discs = [
        shapely.Point(x, y).buffer(1.15 * math.sqrt(a / math.pi), quad_segs=8)
        for (x, y), a in zip(centres, areas_m2, strict=True)
    ]
    # Closing then opening: fills the gaps between discs and rounds off narrow necks.
    shape = shapely.union_all(discs).buffer(2000, quad_segs=6).buffer(-2000, quad_segs=6)
    shape = shape.buffer(-500, quad_segs=6).buffer(500, quad_segs=6)
    if shape.geom_type == "MultiPolygon":
        shape = max(shape.geoms, key=lambda g: g.area)
    shape = shapely.Polygon(shape.exterior).simplify(20.0)
    factor = math.sqrt(DISTRICT_AREA_KM2 * 1e6 / shape.area)
    origin = np.asarray(shape.centroid.coords[0])
    coords = origin + (np.asarray(shape.exterior.coords) - origin) * factor
    return shapely.Polygon(on_grid(coords))


def _clip_convex(
    vertices: np.ndarray, labels: list[int], normal: np.ndarray, limit: float, label: int
) -> tuple[np.ndarray, list[int]]:
    """Sutherland–Hodgman clip of a convex polygon by ``normal · x <= limit``.

    ``labels[k]`` names the constraint the edge from vertex k to k+1 lies on, so the edge shared
    by two power cells can be read back from either cell.
    """
    side = vertices @ normal - limit
    out_v: list[np.ndarray] = []
    out_l: list[int] = []
    n = len(vertices)
    for k in range(n):
        nxt = (k + 1) % n
        p, q, sp, sq = vertices[k], vertices[nxt], side[k], side[nxt]
        if sp <= 0:
            out_v.append(p)
            out_l.append(labels[k])
            if sq > 0:
                out_v.append(p + sp / (sp - sq) * (q - p))
                out_l.append(label)
        elif sq <= 0:
            out_v.append(p + sp / (sp - sq) * (q - p))
            out_l.append(labels[k])
    if len(out_v) < 3:
        return np.empty((0, 2)), []
    return np.asarray(out_v), out_l


def _power_cells(
    sites: np.ndarray, weights: np.ndarray, box: np.ndarray
) -> list[tuple[np.ndarray, list[int]]]:
    """Cells of the power diagram of weighted ``sites`` inside the rectangle ``box``.

    Cell i = {x : |x − c_i|² − w_i ≤ |x − c_j|² − w_j for all j}: each constraint is a half-plane
    2 x·(c_j − c_i) ≤ |c_j|² − |c_i|² − w_j + w_i. Coordinates are local (near 0) for precision.
    """
    cells = []
    norms = (sites**2).sum(axis=1)
    for i in range(len(sites)):
        vertices, labels = box.copy(), [-1, -2, -3, -4]
        for j in range(len(sites)):
            if j == i or not len(vertices):
                continue
            normal = 2.0 * (sites[j] - sites[i])
            limit = norms[j] - norms[i] - weights[j] + weights[i]
            vertices, labels = _clip_convex(vertices, labels, normal, limit, j)
        cells.append((vertices, labels))
    return cells


def _balanced_power_cells(
    sites: np.ndarray, targets: np.ndarray, outline: shapely.Polygon
) -> list[tuple[np.ndarray, list[int]]]:
    """Power cells whose areas inside ``outline`` approach ``targets`` (local coordinates).

    Raising w_i by Δ moves each bisector of cell i outward by Δ / (2 d_ij): the area grows by
    about Δ × (perimeter / 2d) ≈ 2Δ, hence the damped update Δ = 0.4 (target − area).
    """
    minx, miny, maxx, maxy = outline.bounds
    pad = 5000.0
    box = np.array(
        [
            [minx - pad, miny - pad],
            [maxx + pad, miny - pad],
            [maxx + pad, maxy + pad],
            [minx - pad, maxy + pad],
        ]
    )
    weights = np.zeros(len(sites))
    shapely.prepare(outline)
    prepared = outline
    cells = _power_cells(sites, weights, box)
    for _ in range(300):
        areas = np.array(
            [shapely.Polygon(v).intersection(prepared).area if len(v) else 0.0 for v, _ in cells]
        )
        error = (targets - areas) / targets
        if np.abs(error).max() < 0.005:
            break
        weights = weights + 0.4 * (targets - areas)
        cells = _power_cells(sites, weights, box)
    return cells


def _shared_edges(cells: list[tuple[np.ndarray, list[int]]]) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """(i, j, start, end) for every pair of adjacent cells, endpoints merged within 1 cm.

    Neighbouring cells compute their common vertices separately, with rounding noise; merging
    the endpoints makes the three edges of a triple point meet at one exact coordinate.
    """
    raw = []
    for i, (vertices, labels) in enumerate(cells):
        for k, j in enumerate(labels):
            if j > i or (j >= 0 and j < i and i not in cells[j][1]):
                raw.append((min(i, j), max(i, j), vertices[k], vertices[(k + 1) % len(vertices)]))
    points = np.array([p for _, _, a, b in raw for p in (a, b)])
    tree = cKDTree(points)
    parent = list(range(len(points)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in sorted(tree.query_pairs(0.01)):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    merged = on_grid(np.array([points[root(k)] for k in range(len(points))]))
    edges = []
    for n, (i, j, _, _) in enumerate(raw):
        start, end = merged[2 * n], merged[2 * n + 1]
        if np.any(start != end):
            edges.append((i, j, start, end))
    return sorted(edges, key=lambda e: (e[0], e[1]))


def _faces(lines: Sequence[shapely.Geometry]) -> np.ndarray:
    """The faces of the noded arrangement of ``lines`` (shared edges are identical)."""
    noded = shapely.union_all(lines)
    return np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))


def _assign_by_overlap(faces: np.ndarray, owners: Sequence[shapely.Geometry]) -> np.ndarray:
    """Index of the owner polygon that covers most of each face."""
    tree = shapely.STRtree(owners)
    result = np.full(len(faces), -1)
    best = np.zeros(len(faces))
    face_idx, owner_idx = tree.query(faces, predicate="intersects")
    overlap = shapely.area(shapely.intersection(faces[face_idx], np.asarray(owners)[owner_idx]))
    for f, o, a in zip(face_idx.tolist(), owner_idx.tolist(), overlap.tolist(), strict=True):
        if a > best[f]:
            best[f], result[f] = a, o
    return result


def _union_faces(faces: np.ndarray, owner: np.ndarray, count: int) -> list[shapely.Geometry]:
    """Each owner's faces merged; the faces form a coverage, so the union adds no vertex."""
    return [shapely.coverage_union_all(faces[owner == k]) for k in range(count)]


def commune_polygons(
    outline: shapely.Polygon, centres: np.ndarray, targets: np.ndarray, rng: np.random.Generator
) -> list[shapely.Geometry]:
    """Communes as one coverage: balanced power cells with gently curved shared borders.

    Each shared border is drawn once and noded with the outline, so neighbours get identical
    vertices; the faces are given to the straight cell that covers most of them.
    """
    origin = np.asarray(outline.centroid.coords[0]).round()
    local = shapely.transform(outline, lambda xy: xy - origin)
    cells = _balanced_power_cells(centres - origin, targets, local)
    lines = [local.exterior]
    for _, _, start, end in _shared_edges(cells):
        lines.append(shapely.LineString(wiggle(start, end, rng, spacing=120.0, amplitude=110.0, share=0.05)))
    straight = [shapely.Polygon(v).intersection(local) for v, _ in cells]
    faces = _faces(lines)
    faces = faces[shapely.contains(local, shapely.point_on_surface(faces))]
    owner = _assign_by_overlap(faces, straight)
    polygons = _union_faces(faces, owner, len(centres))
    return [shapely.transform(p, lambda xy: on_grid(xy + origin)) for p in polygons]


def _spread_points(area: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` well-spread random points in ``area``: farthest-point sampling, then Lloyd steps."""
    minx, miny, maxx, maxy = area.bounds
    candidates = np.empty((0, 2))
    while len(candidates) < 30 * n:
        batch = rng.uniform([minx, miny], [maxx, maxy], size=(60 * n, 2))
        candidates = np.vstack([candidates, batch[shapely.contains_xy(area, batch[:, 0], batch[:, 1])]])
    candidates = candidates[: 30 * n]
    chosen = [int(rng.integers(len(candidates)))]
    distance = np.hypot(*(candidates - candidates[chosen[0]]).T)
    for _ in range(n - 1):
        k = int(np.argmax(distance))
        chosen.append(k)
        distance = np.minimum(distance, np.hypot(*(candidates - candidates[k]).T))
    seeds = candidates[chosen]
    for _ in range(2):
        cells = _voronoi_cells(seeds, area)
        moved = []
        for seed, cell in zip(seeds, cells, strict=True):
            centroid = cell.centroid
            point = centroid if area.contains(centroid) else shapely.Point(seed)
            moved.append(point.coords[0])
        seeds = np.asarray(moved)
    return on_grid(seeds)


def _voronoi_cells(seeds: np.ndarray, area: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``area``."""
    envelope = area.envelope.buffer(2000)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=envelope, ordered=True)
    return [cell.intersection(area) for cell in shapely.get_parts(cells)]


def village_tessellation(
    communes: list[shapely.Geometry], counts: list[int], rng: np.random.Generator
) -> tuple[list[shapely.Geometry], list[list[shapely.Geometry]], list[np.ndarray]]:
    """Villages tiling each commune, built with the communes from one noded arrangement.

    Returns the communes again (now carrying every node their villages put on their border, so
    communes and villages are one exact coverage), the villages of each commune and their seeds.
    """
    lines: list[shapely.Geometry] = [c.boundary for c in communes]
    seeds_by_commune, straight_by_commune = [], []
    for commune, n in zip(communes, counts, strict=True):
        seeds = _spread_points(commune, n, rng)
        seeds_by_commune.append(seeds)
        straight_by_commune.append(_voronoi_cells(seeds, commune))
        edges = shapely.voronoi_polygons(
            shapely.MultiPoint(seeds), extend_to=commune.envelope.buffer(2000), only_edges=True
        )
        # A margin of 1 m makes every edge cross the commune border, so noding closes each face.
        reach = commune.buffer(1.0)
        for edge in shapely.get_parts(edges):
            start, end = np.asarray(edge.coords[0]), np.asarray(edge.coords[-1])
            line = shapely.LineString(
                wiggle(on_grid(start), on_grid(end), rng, spacing=90.0, amplitude=45.0, share=0.05)
            )
            clipped = line.intersection(reach)
            if not clipped.is_empty:
                lines.append(clipped)
    faces = _faces(lines)
    district = shapely.union_all(communes)
    faces = faces[shapely.contains(district, shapely.point_on_surface(faces))]
    commune_of = _assign_by_overlap(faces, communes)
    new_communes = _union_faces(faces, commune_of, len(communes))
    villages = []
    for k, straight in enumerate(straight_by_commune):
        mine = faces[commune_of == k]
        owner = _assign_by_overlap(mine, straight)
        villages.append(_union_faces(mine, owner, len(straight)))
    return new_communes, villages, seeds_by_commune


def point_inside(point: np.ndarray, area: shapely.Geometry, margin: float) -> np.ndarray:
    """``point`` when it lies ``margin`` inside ``area``, else a point well inside ``area``."""
    if area.buffer(-margin).contains(shapely.Point(point)):
        return on_grid(point)
    return on_grid(np.asarray(shapely.get_coordinates(area.buffer(-margin).point_on_surface())[0]))

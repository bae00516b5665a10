"""The embedded sample district: an honest, illustrative Tân Yên made from public facts.

:func:`generate_sample` builds, from a fixed seed, every layer and table of an NTM workspace for
the 22 units of Tân Yên (Bắc Giang) in force 2020-03-01 → 2024-12-31; :func:`write_sample`
writes them as the workspace in ``data/`` (``ntmgis sample --out data``).

What is real and what is not
----------------------------
Real (each number cited in ``ntmgis/data/tan_yen_units_facts.csv`` or ``DOMAIN.md``):

* the 22 GSO codes, names and kinds (2 thị trấn, 20 xã); approximate centres rounded to 0.005°;
  areas; the populations and village counts that public pages give; the district's 208.30 km²,
  ≈ 180,000 people and 317 thôn and tổ dân phố;
* the plan's schedules (nâng cao, kiểu mẫu, 43 model villages by year) and its 8 market units;
* VietGAP fruit areas around 2019 (early lychee 278 ha, guava 33.5 ha, pomelo 15 ha, star apple
  5 ha); QL17, ĐT298 and ĐT295 crossing Cao Xá; thôn Đồng Lim (Ngọc Lý), a model village.

Generated (labelled ``illustrative`` in every layer, "minh họa / illustrative" in every table):
every geometry (the outline is a smooth shape around the centres, communes a power diagram of the
centres balanced to the official areas, villages a Voronoi tessellation of random seeds), the
populations and village counts no source gives, village names, road and canal networks and their
surfaces, markets, production zones, facilities and every status and recognition.

No geometry is taken from ``shared/data/real`` (those polygons are for tests only).

Status decisions (status year 2023, all illustrative)
-----------------------------------------------------
* Recognitions: every xã NTM by 2020 (Cao Xá in 2020, as its portal says; other years
  invented); nâng cao as the plan schedules it for 2021–2023 except Lam Cốt (2023), left late so
  the sample shows a commune behind schedule; Việt Lập, scheduled for kiểu mẫu in 2023 but not
  for nâng cao, gets nâng cao in 2020 and kiểu mẫu in 2023. Thị trấn have no recognition rows:
  towns follow urban standards, not the commune criteria.
* ``commune_status``: 22 × 19 whole-criterion rows. A commune is assessed against its recognised
  level (kiểu mẫu, nâng cao: all 19 met) or NTM (all met, but for Lan Giới criterion 7 and
  An Dương criterion 17, so the sample shows communes slipping under QĐ 318). Thị trấn rows are
  at NTM level with ``met`` blank and a note: nothing is claimed for them. One row per
  criterion cannot say "NTM met, nâng cao not", so late Lam Cốt is reported at NTM level.
* ``village_status``: the 43 planned model villages; met in their target year up to 2023
  except two late ones (one of 2022, one of 2023); 2024–2025 targets not met yet.
* Layers agree with statuses where it matters: communes at nâng cao or above have fully lined
  commune canals, high road-hardening shares and standard markets.

Determinism
-----------
Every random draw comes from a :func:`numpy.random.default_rng` stream derived from the seed and a
fixed stream name (``zlib.crc32``, not :func:`hash`, which is salted per process). Loops run over
lists in a fixed order, never over sets. :func:`write_sample` writes GeoPackages with GDAL's
``OGR_CURRENT_DATE`` fixed, so writing twice gives byte-identical files.
"""

from __future__ import annotations

import io
import math
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from .io import write_bytes_atomic, write_text_atomic
from .plan import Plan, load_plan

__all__ = [
    "SampleDistrict",
    "DEFAULT_SEED",
    "WORKING_CRS",
    "DISTRICT_AREA_KM2",
    "DISTRICT_POPULATION",
    "VILLAGE_TOTAL",
    "STATUS_YEAR",
    "PLAN_REF",
    "unit_facts",
    "generate_sample",
    "write_sample",
]

DEFAULT_SEED = 2021
#: VN-2000 / TM-3 107-00, the working CRS of Bắc Giang (DOMAIN.md §2).
WORKING_CRS = "EPSG:9214"
#: Official district area, km² (DOMAIN.md §4).
DISTRICT_AREA_KM2 = 208.30
#: District population, ≈ (DOMAIN.md §4): the illustrative populations are scaled to this total.
DISTRICT_POPULATION = 180_000
#: Thôn and tổ dân phố of the district (DOMAIN.md §4).
VILLAGE_TOTAL = 317
#: The year the sample's statuses describe (illustrative).
STATUS_YEAR = 2023
#: The district plan whose schedules, model-village counts and market units the sample follows.
PLAN_REF = "package:tan_yen_2021_2025"

ILLUSTRATIVE = "minh họa / illustrative"
_GRID = 0.01  # metres: generated coordinates sit on a 1 cm grid so that shared nodes match exactly
_CAO_XA = "07336"
_NGOC_LY = "07363"
_DONG_LIM = "Thôn Đồng Lim"
# OGR_CURRENT_DATE fixes the gpkg_contents.last_change timestamp, the only varying bytes of a GPKG.
_GPKG_DATE = "2021-01-01T00:00:00.000Z"

# The sample's assumed state in 2023 (illustrative): nâng cao and kiểu mẫu as the plan schedules
# them up to the status year, except Lam Cốt (nâng cao 2023), left late. A commune the plan
# schedules for kiểu mẫu without scheduling it for nâng cao first (Việt Lập, kiểu mẫu 2023) is
# given nâng cao in 2020, under the provincial 2018–2020 set, so that its kiểu mẫu is
# consistent (QĐ 319: kiểu mẫu builds on nâng cao).
_LATE_NANG_CAO = "07333"
_ASSUMED_NANG_CAO_YEAR = 2020
# Communes that in 2023 miss one criterion of the QĐ 318 NTM set (illustrative): criterion 7
# (Lan Giới has no market or store in the layer), criterion 17 (environment, An Dương).
_NTM_GAPS = {"07303": "7", "07321": "17"}
# Units without any market or store point in the sample, and whether criterion 7 is met there
# all the same (by a shop the layer does not hold: the status note says so).
_NO_MARKET = {"07303": False, "07309": True, "07315": True}

_FILES = {
    "communes": ("boundaries/communes.gpkg", "communes"),
    "villages": ("boundaries/villages.gpkg", "villages"),
    "roads": ("layers/roads.gpkg", "roads"),
    "canals": ("layers/canals.gpkg", "canals"),
    "markets": ("layers/markets.gpkg", "markets"),
    "production_zones": ("layers/production_zones.gpkg", "production_zones"),
    "facilities": ("layers/facilities.gpkg", "facilities"),
}
_TABLES = {
    "commune_status": "layers/commune_status.csv",
    "village_status": "layers/village_status.csv",
    "recognitions": "layers/recognitions.csv",
}


# --------------------------------------------------------------------------------------------
# Result type
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SampleDistrict:
    """Every layer and table of the sample, in EPSG:9214 (VN-2000 / TM-3 107-00).

    Attributes
    ----------
    seed : int
    outline : GeoDataFrame
        The generated district outline (one polygon of 208.30 km²); not written to ``data/``
        (it is the union of the communes).
    communes, villages, roads, canals, markets, production_zones, facilities : GeoDataFrame
        The layers, with the columns of ``ntmgis/contracts.yaml`` plus ``illustrative``.
    commune_status, village_status, recognitions : DataFrame
        The tables, in the long form of the contracts.
    """

    seed: int
    outline: gpd.GeoDataFrame
    communes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    canals: gpd.GeoDataFrame
    markets: gpd.GeoDataFrame
    production_zones: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    commune_status: pd.DataFrame
    village_status: pd.DataFrame
    recognitions: pd.DataFrame

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The seven workspace layers by contract name, in the order of ``workspace.yaml``."""
        return {name: getattr(self, name) for name in _FILES}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three workspace tables by contract name."""
        return {name: getattr(self, name) for name in _TABLES}


# --------------------------------------------------------------------------------------------
# Facts and small helpers
# --------------------------------------------------------------------------------------------

def unit_facts() -> pd.DataFrame:
    """The hand-curated facts of the 22 units (``ntmgis/data/tan_yen_units_facts.csv``).

    Returns
    -------
    DataFrame
        One row per unit, sorted by ``commune_code``: ``commune_code`` (5-digit string),
        ``name`` (NFC, GSO tone placement), ``kind``, ``centre_lon``/``centre_lat`` (approximate,
        rounded to 0.005°), ``area_km2`` with ``area_basis``, ``population``, ``households`` and
        ``n_villages`` where a source gives them (else missing), ``population_c1999`` (≈ 1999
        figure, a relative weight only) and ``source``.
    """
    text = resources.files("ntmgis").joinpath("data/tan_yen_units_facts.csv").read_text(encoding="utf-8")
    facts = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in ("name", "source", "area_basis"):
        facts[column] = facts[column].map(lambda v: unicodedata.normalize("NFC", v))
    for column in ("centre_lon", "centre_lat", "area_km2"):
        facts[column] = facts[column].astype(float)
    for column in ("population", "households", "n_villages", "population_c1999"):
        facts[column] = pd.array([int(v) if v else None for v in facts[column]], dtype="Int64")
    return facts.sort_values("commune_code", kind="stable").reset_index(drop=True)


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per concern, so changing one layer leaves the others alone."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _on_grid(xy: np.ndarray) -> np.ndarray:
    """Coordinates rounded to the 1 cm grid."""
    return np.round(np.asarray(xy, dtype=float) / _GRID) * _GRID


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method)."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(int)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base.tolist()


def _wiggle(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, *, spacing: float,
            amplitude: float, share: float = 0.06) -> np.ndarray:
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
    points = _on_grid(points)
    points[0], points[-1] = a, b
    return points


def _dedupe(points: np.ndarray) -> np.ndarray:
    """The polyline without repeated consecutive vertices."""
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    return points[keep]


def _prefix_inside(points: np.ndarray, area: shapely.Geometry) -> np.ndarray:
    """The leading vertices of a polyline that lie inside ``area`` (the start is kept as is).

    Truncating at a vertex keeps every coordinate exact, which clipping would not.
    """
    inside = shapely.contains_xy(area, points[:, 0], points[:, 1])
    inside[0] = True
    stop = int(np.argmin(inside)) if not inside.all() else len(points)
    return points[:stop]


# --------------------------------------------------------------------------------------------
# Outline, communes, villages
# --------------------------------------------------------------------------------------------

def _district_outline(centres: np.ndarray, areas_m2: np.ndarray) -> shapely.Polygon:
    """A smooth shape around the centres, scaled to the official district area."""
    discs = [shapely.Point(x, y).buffer(1.15 * math.sqrt(a / math.pi), quad_segs=8)
             for (x, y), a in zip(centres, areas_m2, strict=True)]
    # Closing then opening: fills the gaps between discs and rounds off narrow necks.
    shape = shapely.union_all(discs).buffer(2000, quad_segs=6).buffer(-2000, quad_segs=6)
    shape = shape.buffer(-500, quad_segs=6).buffer(500, quad_segs=6)
    if shape.geom_type == "MultiPolygon":
        shape = max(shape.geoms, key=lambda g: g.area)
    shape = shapely.Polygon(shape.exterior).simplify(20.0)
    factor = math.sqrt(DISTRICT_AREA_KM2 * 1e6 / shape.area)
    origin = np.asarray(shape.centroid.coords[0])
    coords = origin + (np.asarray(shape.exterior.coords) - origin) * factor
    return shapely.Polygon(_on_grid(coords))


def _clip_convex(vertices: np.ndarray, labels: list[int], normal: np.ndarray, limit: float,
                 label: int) -> tuple[np.ndarray, list[int]]:
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


def _power_cells(sites: np.ndarray, weights: np.ndarray, box: np.ndarray
                 ) -> list[tuple[np.ndarray, list[int]]]:
    """Cells of the power diagram of weighted ``sites`` inside the rectangle ``box``.

    Cell i = {x : |x − c_i|² − w_i ≤ |x − c_j|² − w_j for all j}: each constraint is a half-plane
    2 x·(c_j − c_i) ≤ |c_j|² − |c_i|² − w_j + w_i. Coordinates are local (near 0) for precision.
    """
    cells = []
    norms = (sites ** 2).sum(axis=1)
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


def _balanced_power_cells(sites: np.ndarray, targets: np.ndarray, outline: shapely.Polygon
                          ) -> list[tuple[np.ndarray, list[int]]]:
    """Power cells whose areas inside ``outline`` approach ``targets`` (local coordinates).

    Raising w_i by Δ moves each bisector of cell i outward by Δ / (2 d_ij): the area grows by
    about Δ × (perimeter / 2d) ≈ 2Δ, hence the damped update Δ = 0.4 (target − area).
    """
    minx, miny, maxx, maxy = outline.bounds
    pad = 5000.0
    box = np.array([[minx - pad, miny - pad], [maxx + pad, miny - pad],
                    [maxx + pad, maxy + pad], [minx - pad, maxy + pad]])
    weights = np.zeros(len(sites))
    shapely.prepare(outline)
    prepared = outline
    cells = _power_cells(sites, weights, box)
    for _ in range(300):
        areas = np.array([shapely.Polygon(v).intersection(prepared).area if len(v) else 0.0
                          for v, _ in cells])
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
    merged = _on_grid(np.array([points[root(k)] for k in range(len(points))]))
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


def _commune_polygons(outline: shapely.Polygon, centres: np.ndarray, targets: np.ndarray,
                      rng: np.random.Generator) -> list[shapely.Geometry]:
    """Communes as one coverage: balanced power cells with gently curved shared borders.

    Each shared border is drawn once and noded with the outline, so neighbours get identical
    vertices; the faces are given to the straight cell that covers most of them.
    """
    origin = np.asarray(outline.centroid.coords[0]).round()
    local = shapely.transform(outline, lambda xy: xy - origin)
    cells = _balanced_power_cells(centres - origin, targets, local)
    lines = [local.exterior]
    for _, _, start, end in _shared_edges(cells):
        lines.append(shapely.LineString(_wiggle(start, end, rng, spacing=120.0, amplitude=110.0,
                                                share=0.05)))
    straight = [shapely.Polygon(v).intersection(local) for v, _ in cells]
    faces = _faces(lines)
    faces = faces[shapely.contains(local, shapely.point_on_surface(faces))]
    owner = _assign_by_overlap(faces, straight)
    polygons = _union_faces(faces, owner, len(centres))
    return [shapely.transform(p, lambda xy: _on_grid(xy + origin)) for p in polygons]


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
    return _on_grid(seeds)


def _voronoi_cells(seeds: np.ndarray, area: shapely.Geometry) -> list[shapely.Geometry]:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``area``."""
    envelope = area.envelope.buffer(2000)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=envelope, ordered=True)
    return [cell.intersection(area) for cell in shapely.get_parts(cells)]


def _village_tessellation(communes: list[shapely.Geometry], counts: list[int], rng: np.random.Generator
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
        edges = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=commune.envelope.buffer(2000),
                                         only_edges=True)
        # A margin of 1 m makes every edge cross the commune border, so noding closes each face.
        reach = commune.buffer(1.0)
        for edge in shapely.get_parts(edges):
            start, end = np.asarray(edge.coords[0]), np.asarray(edge.coords[-1])
            line = shapely.LineString(_wiggle(_on_grid(start), _on_grid(end), rng, spacing=90.0,
                                              amplitude=45.0, share=0.05))
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


# --------------------------------------------------------------------------------------------
# Village names, populations, model villages
# --------------------------------------------------------------------------------------------

# Common, generic words of northern village names (not the names of Tân Yên's real thôn).
_NAME_FIRST = ["Đồng", "Trại", "Cầu", "Đình", "Chùa", "Núi", "Bãi", "Gò", "Ao", "Giếng", "Hạ",
               "Thượng", "Trung", "Tân", "Đông", "Tây", "Nam", "Bắc", "An", "Phúc", "Hòa", "Ngọc",
               "Vườn", "Dốc", "Hậu", "Tiền"]
_NAME_SECOND = ["Mới", "Cũ", "Trên", "Dưới", "Giữa", "Sơn", "Hòa", "Lâm", "Phú", "Tiến", "Thịnh",
                "Quang", "Long", "Hưng", "Tân", "Vân", "Khánh", "An", "Bình", "Thành", "Lạc", "Cả",
                "Nội", "Ngoại", "Đông", "Trung"]
_NAME_SINGLE = ["Trung", "Đông", "Tây", "Nam", "Bắc", "Hạ", "Thượng", "Chùa", "Đình", "Cầu",
                "Trại", "Bùi", "Kép", "Nội", "Hậu"]


def _village_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct "Thôn X" names; the small vocabulary makes names repeat across communes."""
    names: list[str] = []
    while len(names) < n:
        if rng.random() < 0.2:
            word = _NAME_SINGLE[int(rng.integers(len(_NAME_SINGLE)))]
        else:
            first = _NAME_FIRST[int(rng.integers(len(_NAME_FIRST)))]
            second = _NAME_SECOND[int(rng.integers(len(_NAME_SECOND)))]
            if first == second:
                continue
            word = f"{first} {second}"
        name = f"Thôn {word}"
        if name not in names and name != _DONG_LIM:
            names.append(name)
    return names


def _commune_numbers(facts: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Population, households and village count per unit: the facts where known, else illustrative.

    Unknown populations share the rest of the district's ≈ 180,000 in proportion to the ≈ 1999
    figures; unknown village counts share the rest of the 317 in proportion to population.
    """
    out = facts[["commune_code", "name", "kind"]].copy()
    known_pop = facts["population"].notna().to_numpy()
    rest = DISTRICT_POPULATION - int(facts.loc[known_pop, "population"].sum())
    guessed = _largest_remainder(rest, facts.loc[~known_pop, "population_c1999"].astype(float).tolist())
    population = np.array(facts["population"].astype("float"), dtype=float)
    population[~known_pop] = guessed
    out["population"] = population.astype(int)
    out["population_basis"] = np.where(known_pop, "fact", "illustrative")
    size = rng.uniform(3.6, 4.1, len(out))
    households = np.round(out["population"].to_numpy() / size).astype(int)
    known_hh = facts["households"].notna().to_numpy()
    households[known_hh] = facts.loc[known_hh, "households"].astype(int)
    out["households"] = households
    out["households_basis"] = np.where(known_hh, "fact", "illustrative")
    known_n = facts["n_villages"].notna().to_numpy()
    rest_n = VILLAGE_TOTAL - int(facts.loc[known_n, "n_villages"].sum())
    counts = np.array(facts["n_villages"].astype("float"), dtype=float)
    counts[~known_n] = _largest_remainder(rest_n, out.loc[~known_n, "population"].astype(float).tolist())
    out["n_villages"] = counts.astype(int)
    out["n_villages_basis"] = np.where(known_n, "fact", "illustrative")
    return out


def _model_villages(villages: pd.DataFrame, plan: Plan, rng: np.random.Generator) -> pd.Series:
    """Target year of the 43 planned model villages (the plan gives counts by year, not names).

    Thôn only (the provincial set applies to thôn); communes the plan schedules for nâng cao or
    kiểu mẫu are twice as likely to hold one; thôn Đồng Lim (Ngọc Lý, a named model village)
    is one of 2021's.
    """
    scheduled = sorted(set(plan.nang_cao_schedule()["commune_code"])
                       | set(plan.kieu_mau_schedule()["commune_code"]))
    by_year = plan.model_villages_by_year()
    thon = villages[villages["kind"] == "thon"]
    dong_lim = thon.index[thon["name"] == _DONG_LIM][0]
    pool = thon.drop(index=dong_lim)
    weights = np.where(pool["commune_code"].isin(scheduled), 2.0, 1.0)
    chosen = rng.choice(pool.index.to_numpy(), size=int(by_year.sum()) - 1, replace=False,
                        p=weights / weights.sum())
    years = [int(y) for y, n in by_year.items() for _ in range(int(n))]
    years.remove(2021)
    years = [int(y) for y in rng.permutation(years)]
    target = pd.Series(pd.array([None] * len(villages), dtype="Int64"), index=villages.index)
    target[dong_lim] = 2021
    for index, year in zip(sorted(chosen.tolist()), years, strict=True):
        target[index] = year
    return target


# --------------------------------------------------------------------------------------------
# Linear networks (roads, canals)
# --------------------------------------------------------------------------------------------

@dataclass
class _Line:
    """A generated polyline and the attributes its segments inherit."""

    coords: np.ndarray
    attrs: dict


def _through_line(point: np.ndarray, angle_deg: float, area: shapely.Polygon, rng: np.random.Generator,
                  *, spacing: float = 150.0) -> np.ndarray:
    """A gently meandering line through ``point`` at ``angle_deg``, from border to border of ``area``."""
    direction = np.array([math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))])
    normal = np.array([-direction[1], direction[0]])
    s = np.arange(-40_000.0, 40_000.0 + spacing, spacing)
    offset = np.zeros_like(s)
    for _ in range(3):
        wavelength, amp, phase = rng.uniform(3000, 9000), rng.uniform(80, 250), rng.uniform(0, 2 * np.pi)
        offset += amp * np.sin(2 * np.pi * s / wavelength + phase)
    offset -= np.interp(0.0, s, offset)
    points = _on_grid(point + np.outer(s, direction) + np.outer(offset, normal))
    inside = shapely.contains_xy(area, points[:, 0], points[:, 1])
    middle = int(np.argmin(np.abs(s)))
    lo = middle
    while lo > 0 and inside[lo - 1]:
        lo -= 1
    hi = middle
    while hi < len(points) - 1 and inside[hi + 1]:
        hi += 1
    ends = []
    for inner, outer in ((lo, lo - 1), (hi, hi + 1)):
        crossing = shapely.LineString([points[inner], points[outer]]).intersection(area.exterior)
        ends.append(_on_grid(np.asarray(shapely.get_coordinates(crossing)[0])))
    return _dedupe(np.vstack([ends[0], points[lo: hi + 1], ends[1]]))


def _node(lines: list[_Line]) -> list[tuple[int, shapely.LineString]]:
    """Split every line where it meets another (crossing, or an end on its vertex).

    GEOS computes each junction once, so the pieces meeting there share one exact coordinate.
    Returns (index of the source line, piece), ordered along each source line.
    """
    sources = [shapely.LineString(line.coords) for line in lines]
    pieces = np.asarray(shapely.get_parts(shapely.union_all(sources)))
    middles = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = shapely.STRtree(sources)
    (piece_idx, source_idx), distance = tree.query_nearest(middles, return_distance=True, all_matches=False)
    if distance.max() > 0.01:
        raise AssertionError("a noded piece matches no generated line")
    owner = np.empty(len(pieces), dtype=int)
    owner[piece_idx] = source_idx
    starts = shapely.get_point(pieces, 0)
    position = shapely.line_locate_point(np.asarray(sources)[owner], starts)
    order = np.lexsort((position, owner))
    return [(int(owner[k]), pieces[k]) for k in order]


def _split_even(piece: shapely.LineString, target: float) -> list[shapely.LineString]:
    """``piece`` cut into equal parts of about ``target`` metres (junction ends untouched)."""
    length = piece.length
    parts = max(1, round(length / target))
    if parts == 1:
        return [piece]
    coords = np.asarray(piece.coords)
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    cuts = [length * k / parts for k in range(1, parts)]
    result, current = [], [coords[0]]
    k = 1
    for cut in cuts:
        while along[k] < cut:
            current.append(coords[k])
            k += 1
        t = (cut - along[k - 1]) / (along[k] - along[k - 1])
        point = coords[k - 1] + t * (coords[k] - coords[k - 1])
        current.append(point)
        result.append(shapely.LineString(current))
        current = [point]
    current.extend(coords[k:])
    result.append(shapely.LineString(current))
    return result


def _segments(lines: list[_Line], rng: np.random.Generator, *, target: tuple[float, float]
              ) -> tuple[list[int], list[shapely.LineString], list[float]]:
    """Noded pieces cut to ``target`` lengths: (source index, segment, position 0–1 of the
    segment's middle along its source)."""
    owners, segments, positions = [], [], []
    lengths = [shapely.LineString(line.coords).length for line in lines]
    done = [0.0] * len(lines)
    for owner, piece in _node(lines):
        for part in _split_even(piece, float(rng.uniform(*target))):
            owners.append(owner)
            segments.append(part)
            positions.append((done[owner] + part.length / 2) / max(lengths[owner], 1e-9))
            done[owner] += part.length
    return owners, segments, positions


def _connect_components(lines: list[_Line], segments: list[shapely.LineString], attrs: dict
                        ) -> list[_Line]:
    """Connector lines joining every stray component of ``segments`` to the largest one."""
    ends = np.array([c for s in segments for c in (s.coords[0], s.coords[-1])])
    keys, inverse = np.unique(ends, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    graph = coo_matrix((np.ones(len(inverse)), (inverse[:, 0], inverse[:, 1])), shape=(len(keys),) * 2)
    count, label = connected_components(graph, directed=False)
    if count == 1:
        return []
    main = int(np.argmax(np.bincount(label)))
    main_points = keys[label == main]
    tree = cKDTree(main_points)
    extra = []
    for component in range(count):
        if component == main:
            continue
        points = keys[label == component]
        distance, nearest = tree.query(points)
        k = int(np.argmin(distance))
        extra.append(_Line(np.vstack([points[k], main_points[nearest[k]]]), dict(attrs)))
    return extra


# --------------------------------------------------------------------------------------------
# Roads
# --------------------------------------------------------------------------------------------

_ROAD_CLASSES = ["quoc_lo", "tinh", "huyen", "xa", "lien_thon", "truc_thon", "ngo_xom", "noi_dong"]
_ROAD_WIDTH = {"quoc_lo": 12.0, "tinh": 9.0, "huyen": 6.5, "xa": 5.0, "lien_thon": 4.0,
               "truc_thon": 3.5, "ngo_xom": 2.5, "noi_dong": 3.0}
_ROAD_MANAGER = {"quoc_lo": "trung_uong", "tinh": "tinh", "huyen": "huyen", "xa": "xa",
                 "lien_thon": "xa", "truc_thon": "thon", "ngo_xom": "thon", "noi_dong": "xa"}
# Concretized share drawn per commune and class: (range for most communes, range for communes
# the sample has recognised nâng cao, whose statuses say they meet the higher standard).
_HARDENED_SHARE = {"xa": ((0.85, 1.0), (1.0, 1.0)), "lien_thon": ((0.75, 1.0), (0.95, 1.0)),
                   "truc_thon": ((0.7, 1.0), (0.95, 1.0)), "ngo_xom": ((0.45, 0.95), (0.9, 1.0)),
                   "noi_dong": ((0.3, 0.85), (0.75, 0.95))}
# Trunk roads through Cao Xá (DOMAIN.md §5: QL17, ĐT298 and ĐT295 cross the commune). Their
# alignments are invented: only the crossing of Cao Xá is a fact. (name, class, angle, offset m)
_TRUNK_ROADS = [("QL17", "quoc_lo", 128.0, (-350.0, 250.0)), ("ĐT298", "tinh", 12.0, (300.0, -250.0)),
                ("ĐT295", "tinh", 68.0, (150.0, 500.0))]


def _road_lines(outline: shapely.Polygon, communes: gpd.GeoDataFrame, centres: np.ndarray,
                villages: gpd.GeoDataFrame, village_centres: np.ndarray, rng: np.random.Generator
                ) -> list[_Line]:
    """Every generated road as a polyline; each starts on a vertex of an earlier one."""
    lines: list[_Line] = []
    codes = communes["commune_code"].tolist()
    cao_xa = centres[codes.index(_CAO_XA)]
    for name, road_class, angle, offset in _TRUNK_ROADS:
        coords = _through_line(cao_xa + np.asarray(offset), angle, outline, rng)
        lines.append(_Line(coords, {"road_class": road_class, "name": name}))

    # District roads link commune centres: the minimum spanning tree of the Delaunay graph plus
    # some of its other short edges, so the network has loops.
    triangulation = Delaunay(centres)
    pairs = sorted({(int(min(a, b)), int(max(a, b))) for simplex in triangulation.simplices
                    for a, b in ((simplex[0], simplex[1]), (simplex[1], simplex[2]),
                                 (simplex[0], simplex[2]))})
    lengths = np.array([np.hypot(*(centres[a] - centres[b])) for a, b in pairs])
    graph = coo_matrix((lengths, ([a for a, _ in pairs], [b for _, b in pairs])), shape=(len(centres),) * 2)
    tree = minimum_spanning_tree(graph).tocoo()
    in_tree = {(int(min(a, b)), int(max(a, b))) for a, b in zip(tree.row, tree.col, strict=True)}
    district_roads = [p for p, d in zip(pairs, lengths, strict=True)
                      if p in in_tree or (d < 4500 and rng.random() < 0.45)]
    for number, (a, b) in enumerate(district_roads, start=1):
        coords = _wiggle(centres[a], centres[b], rng, spacing=150.0, amplitude=250.0, share=0.08)
        lines.append(_Line(coords, {"road_class": "huyen", "name": f"ĐH.{number:02d}"}))

    # Commune and inter-village roads: a spanning tree from the commune centre to its villages.
    by_commune = {code: np.flatnonzero((villages["commune_code"] == code).to_numpy()) for code in codes}
    # Bearings of the roads already leaving each village centre: the village's own roads keep
    # clear of them, or two wiggly roads leaving one point would cross again and again.
    bearings: dict[int, list[float]] = {v: [] for v in range(len(villages))}

    def link(a: np.ndarray, b: np.ndarray, road_class: str, ends: tuple[int | None, int | None]) -> None:
        lines.append(_Line(_wiggle(a, b, rng, spacing=100.0, amplitude=120.0, share=0.07),
                           {"road_class": road_class, "name": None}))
        for end, (p, q) in zip(ends, ((a, b), (b, a)), strict=True):
            if end is not None:
                bearings[end].append(math.atan2(q[1] - p[1], q[0] - p[0]))

    for c, code in enumerate(codes):
        members = by_commune[code]
        nodes = np.vstack([centres[c], village_centres[members]])
        distance = np.hypot(*(nodes[:, None, :] - nodes[None, :, :]).transpose(2, 0, 1))
        mst = minimum_spanning_tree(distance)
        order, predecessor = breadth_first_order(mst, 0, directed=False)
        depth = np.zeros(len(nodes), dtype=int)
        for node in order[1:]:
            parent = predecessor[node]
            depth[node] = depth[parent] + 1
            link(nodes[parent], nodes[node], "xa" if depth[node] <= 2 else "lien_thon",
                 (int(members[parent - 1]) if parent else None, int(members[node - 1])))
    # A few commune roads run on into the next commune (not split at the border: analyses cut).
    geoms = communes.geometry.to_numpy()
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            if not shapely.intersects(geoms[a], geoms[b]) or rng.random() > 0.35:
                continue
            left, right = by_commune[codes[a]], by_commune[codes[b]]
            gap = np.hypot(*(village_centres[left][:, None, :] - village_centres[right][None, :, :])
                           .transpose(2, 0, 1))
            i, j = np.unravel_index(int(np.argmin(gap)), gap.shape)
            if gap[i, j] < 3000:
                link(village_centres[left[i]], village_centres[right[j]], "xa", (int(left[i]), int(right[j])))

    # Inside villages: village roads (spokes), lanes off them, in-field roads beyond them.
    commune_geom = dict(zip(codes, geoms, strict=True))
    for v, village in enumerate(villages.itertuples()):
        area = village.geometry
        centre = village_centres[v]
        count = 3 if rng.random() < 0.4 else 2
        taken = np.asarray(bearings[v])
        best_base, best_clearance = 0.0, -1.0
        for base in np.linspace(0, 2 * np.pi / count, 12, endpoint=False):
            angles = base + 2 * np.pi * np.arange(count) / count
            gaps = np.abs((angles[:, None] - taken[None, :] + np.pi) % (2 * np.pi) - np.pi)
            clearance = gaps.min() if gaps.size else np.pi
            if clearance > best_clearance:
                best_base, best_clearance = float(base), float(clearance)
        spokes = []
        for k in range(count):
            angle = best_base + 2 * np.pi * k / count + rng.uniform(-0.15, 0.15)
            end = _on_grid(centre + rng.uniform(300, 650) * np.array([math.cos(angle), math.sin(angle)]))
            coords = _prefix_inside(_wiggle(centre, end, rng, spacing=90.0, amplitude=35.0), area)
            if len(coords) >= 2:
                spokes.append((coords, angle))
                lines.append(_Line(coords, {"road_class": "truc_thon", "name": None}))
        if not spokes:
            continue
        for _ in range(int(rng.integers(2, 4))):
            coords, angle = spokes[int(rng.integers(len(spokes)))]
            if len(coords) < 3:
                continue
            start = coords[int(rng.integers(1, len(coords) - 1))]
            side = angle + (np.pi / 2 if rng.random() < 0.5 else -np.pi / 2) + rng.uniform(-0.3, 0.3)
            end = _on_grid(start + rng.uniform(150, 350) * np.array([math.cos(side), math.sin(side)]))
            lane = _prefix_inside(_wiggle(start, end, rng, spacing=70.0, amplitude=15.0), area)
            if len(lane) >= 2:
                lines.append(_Line(lane, {"road_class": "ngo_xom", "name": None}))
        for _ in range(int(rng.integers(1, 4))):
            coords, angle = spokes[int(rng.integers(len(spokes)))]
            start = coords[-1]
            heading = angle + rng.uniform(-0.5, 0.5)
            end = _on_grid(start + rng.uniform(350, 900) * np.array([math.cos(heading), math.sin(heading)]))
            field = _prefix_inside(_wiggle(start, end, rng, spacing=110.0, amplitude=50.0),
                                   commune_geom[village.commune_code])
            if len(field) >= 2:
                lines.append(_Line(field, {"road_class": "noi_dong", "name": None}))
    return lines


def _surface(road_class: str, hardened: bool, rng: np.random.Generator) -> str:
    """A surface code: asphalt on the main roads, concrete or brick below them, else gravel/earth."""
    if not hardened:
        return "cap_phoi" if rng.random() < (0.6 if road_class in ("xa", "lien_thon", "truc_thon") else 0.4) \
            else "dat"
    if road_class in ("quoc_lo", "tinh", "huyen"):
        return "nhua"
    if road_class == "xa":
        return "nhua" if rng.random() < 0.5 else "be_tong"
    if road_class in ("lien_thon", "truc_thon"):
        return "be_tong" if rng.random() < 0.9 else "gach"
    if road_class == "ngo_xom":
        return "be_tong" if rng.random() < 0.75 else "gach"
    return "be_tong"


def _hardened_prefix(share: float, rng: np.random.Generator) -> float:
    """Fraction of a road, from its start, that is hardened, so the expected share is ``share``.

    Whole roads are hardened with probability p, the others over a first stretch of U(0, 0.7):
    E = p + (1 − p) · 0.35.
    """
    if share <= 0.35:
        return float(rng.uniform(0, 2 * share))
    return 1.0 if rng.random() < (share - 0.35) / 0.65 else float(rng.uniform(0, 0.7))


def _commune_at(points: np.ndarray, communes: gpd.GeoDataFrame) -> list[str]:
    """Commune code of each point (the nearest commune for a point on or beyond the border)."""
    geoms = communes.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    nearest = tree.query_nearest(points, all_matches=False)[1]
    codes = communes["commune_code"].to_numpy()
    return [str(codes[k]) for k in nearest]


def _roads_frame(lines: list[_Line], communes: gpd.GeoDataFrame, advanced: set[str],
                 rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Road segments of 280–420 m (shorter between close junctions) with class, surface, width
    and manager; a ``commune_code`` of the segment's middle is kept for placing markets."""
    owners, segments, positions = _segments(lines, rng, target=(280.0, 420.0))
    extra = _connect_components(lines, segments, {"road_class": "xa", "name": None})
    if extra:
        lines = lines + extra
        owners, segments, positions = _segments(lines, rng, target=(280.0, 420.0))
    middles = shapely.line_interpolate_point(np.asarray(segments), 0.5, normalized=True)
    commune_of = _commune_at(middles, communes)
    shares = {}
    for code in communes["commune_code"]:
        for road_class, (usual, high) in _HARDENED_SHARE.items():
            low, top = high if code in advanced else usual
            shares[(code, road_class)] = float(rng.uniform(low, top))
    # The hardened stretch of a road is drawn per commune it runs through, with that commune's
    # share: roads crossing a border follow each commune's own record.
    prefix: dict[tuple[int, str], float] = {}
    for owner, code in zip(owners, commune_of, strict=True):
        road_class = lines[owner].attrs["road_class"]
        if (owner, code) not in prefix:
            prefix[(owner, code)] = _hardened_prefix(shares[(code, road_class)], rng) \
                if road_class in _HARDENED_SHARE else 1.0
    # Illustrative gaps in the district network (DOMAIN.md: the district standard asks 100 %).
    district = [k for k, line in enumerate(lines) if line.attrs["road_class"] == "huyen"]
    gaps: set[int] = set()
    for owner in sorted(rng.choice(district, size=2, replace=False).tolist()):
        mine = [n for n, o in enumerate(owners) if o == owner]
        middle = len(mine) // 2
        gaps.update(mine[middle: middle + 2])
    rows = []
    managers = {}
    for k, line in enumerate(lines):
        road_class = line.attrs["road_class"]
        managers[k] = ("thon" if rng.random() < 0.3 else "xa") if road_class == "noi_dong" \
            else _ROAD_MANAGER[road_class]
    for n, (owner, segment, position, code) in enumerate(zip(owners, segments, positions, commune_of,
                                                             strict=True)):
        road_class = lines[owner].attrs["road_class"]
        surface = _surface(road_class, position < prefix[(owner, code)], rng)
        note = None
        if n in gaps:
            surface, note = "cap_phoi", "đoạn chưa trải nhựa (minh họa) / unpaved stretch (illustrative)"
        width = _ROAD_WIDTH[road_class] + float(rng.choice([-0.5, 0.0, 0.0, 0.5]))
        rows.append({"segment_id": f"R{n + 1:06d}", "road_class": road_class,
                     "surface": surface, "width_m": width,
                     "managed_by": managers[owner], "name": lines[owner].attrs["name"],
                     "commune_code": code, "note": note, "illustrative": True, "geometry": segment})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)


# --------------------------------------------------------------------------------------------
# Canals
# --------------------------------------------------------------------------------------------

# Lined share of commune-level canals the sample aims at, district-wide: below the plan's > 90 %
# (II.2.3) so the sample shows a gap, and varying by commune.
_LINED_WINDOW = (0.80, 0.88)


def _branches(parent: np.ndarray, every: int, rng: np.random.Generator, *, length: tuple[float, float],
              spread: tuple[float, float], spacing: float, amplitude: float, area: shapely.Geometry
              ) -> list[np.ndarray]:
    """Side branches leaving ``parent`` at every ``every``-th vertex, alternating sides."""
    out = []
    side = 1.0 if rng.random() < 0.5 else -1.0
    for k in range(max(1, every // 2), len(parent) - 1, every):
        tangent = parent[min(k + 1, len(parent) - 1)] - parent[k - 1]
        heading = math.atan2(tangent[1], tangent[0]) + side * rng.uniform(*spread)
        end = _on_grid(parent[k] + rng.uniform(*length) * np.array([math.cos(heading), math.sin(heading)]))
        coords = _prefix_inside(_wiggle(parent[k], end, rng, spacing=spacing, amplitude=amplitude), area)
        if len(coords) >= 2:
            out.append(coords)
        side = -side
    return out


def _canal_lines(outline: shapely.Polygon, rng: np.random.Generator) -> list[_Line]:
    """A branching irrigation network: two main canals, their secondary, tertiary and in-field
    branches, each leaving its parent at one of its vertices."""
    centre = np.asarray(outline.centroid.coords[0])
    lines = []
    mains = [("Kênh chính N1", 150.0, (-1500.0, 1800.0)), ("Kênh chính N2", 95.0, (2500.0, -1200.0))]
    for name, angle, offset in mains:
        coords = _through_line(centre + np.asarray(offset), angle, outline, rng, spacing=150.0)
        lines.append(_Line(coords, {"canal_level": "cap_1", "name": f"{name} (minh họa)"}))
    for m, main in enumerate(list(lines)):
        for b, coords in enumerate(_branches(main.coords, 13, rng, length=(2000, 4500),
                                             spread=(1.2, 1.9), spacing=120.0, amplitude=150.0,
                                             area=outline), start=1):
            lines.append(_Line(coords, {"canal_level": "cap_2", "name": f"Kênh N{m + 1}-{b} (minh họa)"}))
    for second in [line for line in lines if line.attrs["canal_level"] == "cap_2"]:
        for coords in _branches(second.coords, 5, rng, length=(500, 1300), spread=(1.0, 2.1),
                                spacing=100.0, amplitude=60.0, area=outline):
            lines.append(_Line(coords, {"canal_level": "cap_3", "name": None}))
    for third in [line for line in lines if line.attrs["canal_level"] == "cap_3"]:
        for coords in _branches(third.coords, 4, rng, length=(150, 450), spread=(1.2, 1.9),
                                spacing=80.0, amplitude=25.0, area=outline):
            lines.append(_Line(coords, {"canal_level": "noi_dong", "name": None}))
    return lines


def _lining(lined: bool, rng: np.random.Generator) -> str:
    """A lining code: mostly concrete where lined, earth where not."""
    if not lined:
        return "dat"
    draw = rng.random()
    return "be_tong" if draw < 0.75 else ("gach" if draw < 0.95 else "da")


def _canals_frame(lines: list[_Line], communes: gpd.GeoDataFrame, advanced: set[str],
                  rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Canal segments with level, lining and manager (irrigation company for levels 1–2)."""
    owners, segments, _ = _segments(lines, rng, target=(250.0, 400.0))
    middles = shapely.line_interpolate_point(np.asarray(segments), 0.5, normalized=True)
    commune_of = _commune_at(middles, communes)
    # Communes the sample has at nâng cao or above have every commune canal lined (their
    # statuses say they meet the higher standard); the others a share drawn per commune, lining
    # decided segment by segment (canals are lined in short works, reach by reach).
    shares = {code: 1.0 if code in advanced else float(rng.uniform(0.65, 0.95))
              for code in communes["commune_code"]}
    managers = []
    for line in lines:
        level = line.attrs["canal_level"]
        if level in ("cap_1", "cap_2"):
            managers.append("cong_ty")
        else:
            managers.append("htx" if rng.random() < 0.15 else "xa")
    lined = np.zeros(len(segments), dtype=bool)
    for n, (owner, code) in enumerate(zip(owners, commune_of, strict=True)):
        level = lines[owner].attrs["canal_level"]
        share = {"cap_1": 1.0, "cap_2": 0.92}.get(level, shares[code])
        if level == "noi_dong" and code not in advanced:
            share -= 0.05
        lined[n] = rng.random() < share
    # Bring the district share of commune-managed lined canals into the window by turning whole
    # segments from earth to lined (or back), in a random but fixed order, outside the communes
    # the sample has at nâng cao or above (their statuses say they meet the higher standard).
    length = np.array([s.length for s in segments])
    commune_managed = np.array([managers[o] == "xa" for o in owners])
    adjustable = commune_managed & ~np.isin(commune_of, sorted(advanced))
    low, high = _LINED_WINDOW
    for k in rng.permutation(len(segments)):
        share = length[commune_managed & lined].sum() / length[commune_managed].sum()
        if low + 0.02 <= share <= high - 0.02:
            break
        if adjustable[k] and lined[k] != (share < low + 0.02):
            lined[k] = share < low + 0.02
    rows = []
    for n, (owner, segment, code) in enumerate(zip(owners, segments, commune_of, strict=True)):
        rows.append({"segment_id": f"K{n + 1:06d}", "canal_level": lines[owner].attrs["canal_level"],
                     "lining": _lining(bool(lined[n]), rng), "managed_by": managers[owner],
                     "name": lines[owner].attrs["name"], "commune_code": code, "illustrative": True,
                     "geometry": segment})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)


# --------------------------------------------------------------------------------------------
# Points: markets, facilities
# --------------------------------------------------------------------------------------------

def _near(point: np.ndarray, area: shapely.Geometry, rng: np.random.Generator, distance: tuple[float, float]
          ) -> shapely.Point:
    """A point at a random distance and bearing from ``point``, inside ``area``."""
    for _ in range(50):
        bearing = rng.uniform(0, 2 * np.pi)
        step = rng.uniform(*distance) * np.array([math.cos(bearing), math.sin(bearing)])
        candidate = _on_grid(point + step)
        if area.contains(shapely.Point(candidate)):
            return shapely.Point(candidate)
    return shapely.Point(_on_grid(point))


def _beside_road(point: np.ndarray, roads: gpd.GeoDataFrame, code: str, classes: Sequence[str]
                 ) -> shapely.Point:
    """A point 15 m off the road vertex nearest ``point`` (markets front a road)."""
    candidates = roads[(roads["commune_code"] == code) & roads["road_class"].isin(list(classes))]
    if candidates.empty:
        candidates = roads[roads["commune_code"] == code]
    vertices = shapely.get_coordinates(candidates.geometry.to_numpy())
    k = int(np.argmin(np.hypot(*(vertices - point).T)))
    a = vertices[max(k - 1, 0)] if k > 0 else vertices[k]
    b = vertices[min(k + 1, len(vertices) - 1)]
    tangent = b - a
    normal = np.array([-tangent[1], tangent[0]]) / max(float(np.hypot(*tangent)), 1e-9)
    return shapely.Point(_on_grid(vertices[k] + 15.0 * normal))


def _markets_frame(communes: gpd.GeoDataFrame, centres: np.ndarray, roads: gpd.GeoDataFrame,
                   plan: Plan, advanced: set[str], rng: np.random.Generator) -> gpd.GeoDataFrame:
    """One market or mini-supermarket per unit except ``_NO_MARKET``; the plan's 8 markets get
    an illustrative upgrade year in 2021–2025. A market meets the standard once upgraded (one
    2023 upgrade is left late) and always in communes the sample has at nâng cao or above, so
    that layer and statuses agree there: their markets are upgraded in 2021–2022."""
    units = plan.market_units()["commune_code"].tolist()
    first = [c for c in units if c in advanced]
    rest = [c for c in units if c not in advanced]
    planned = {c: int(rng.choice([2021, 2022])) for c in first}
    spread = np.linspace(2021, 2025, len(rest)).round().astype(int)
    planned.update(zip(rest, [int(y) for y in rng.permutation(spread)], strict=True))
    late = sorted(c for c, y in planned.items() if y == STATUS_YEAR and c not in advanced)[:1]
    rows = []
    for c, commune in enumerate(communes.itertuples()):
        code = commune.commune_code
        if code in _NO_MARKET:
            continue
        point = _beside_road(centres[c] + rng.uniform(-300, 300, 2), roads, code,
                             ("quoc_lo", "tinh", "huyen", "xa"))
        if code in planned:
            year = planned[code]
            rows.append({"name": f"Chợ {commune.name}", "commune_code": code, "kind": "cho",
                         "standard_met": year <= STATUS_YEAR and code not in late,
                         "planned_upgrade_year": year, "geometry": point})
        elif rng.random() < 0.6:
            rows.append({"name": f"Chợ {commune.name}", "commune_code": code, "kind": "cho",
                         "standard_met": code in advanced or bool(rng.random() < 0.8),
                         "planned_upgrade_year": None, "geometry": point})
        else:
            rows.append({"name": f"Siêu thị mini {commune.name}", "commune_code": code,
                         "kind": "sieu_thi_mini", "standard_met": True, "planned_upgrade_year": None,
                         "geometry": point})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)
    frame.insert(0, "market_id", [f"M{k + 1:03d}" for k in range(len(frame))])
    frame["planned_upgrade_year"] = pd.array(frame["planned_upgrade_year"].tolist(), dtype="Int64")
    frame["standard_met"] = frame["standard_met"].astype(bool)
    frame["note"] = [None if y is pd.NA else "năm nâng cấp minh họa; đơn vị theo kế hoạch II.2.2 / "
                     "illustrative year; unit from plan II.2.2" for y in frame["planned_upgrade_year"]]
    frame["illustrative"] = True
    return frame[["market_id", "name", "commune_code", "standard_met", "planned_upgrade_year", "kind",
                  "note", "illustrative", "geometry"]]


def _facilities_frame(communes: gpd.GeoDataFrame, centres: np.ndarray, villages: gpd.GeoDataFrame,
                      village_centres: np.ndarray, model_target: pd.Series, rng: np.random.Generator
                      ) -> gpd.GeoDataFrame:
    """A culture house per village (ten lack one), per commune a health station, a sports
    ground and 2–4 schools; ``standard_met`` illustrative."""
    rows = []
    # Ten villages lack a culture house; never a planned model village.
    candidates = villages.index[model_target.isna().to_numpy()].to_numpy()
    lacking = set(rng.choice(candidates, size=10, replace=False).tolist())
    for v, village in enumerate(villages.itertuples()):
        if v in lacking:
            continue
        label = "tổ dân phố" if village.kind == "to_dan_pho" else "thôn"
        short = village.name.removeprefix("Tổ dân phố ").removeprefix("Thôn ")
        rows.append({"kind": "culture_house", "name": f"Nhà văn hóa {label} {short}",
                     "commune_code": village.commune_code, "village_id": village.village_id,
                     "standard_met": bool(rng.random() < 0.85),
                     "geometry": _near(village_centres[v], village.geometry, rng, (20, 80))})
    for c, commune in enumerate(communes.itertuples()):
        unit = "thị trấn" if commune.kind == "thi_tran" else "xã"
        prefix = "Thị trấn " if commune.kind == "thi_tran" else ""
        area = commune.geometry
        rows.append({"kind": "health_station", "name": f"Trạm y tế {unit} {commune.name}",
                     "commune_code": commune.commune_code, "village_id": None,
                     "standard_met": bool(rng.random() < 0.9),
                     "geometry": _near(centres[c], area, rng, (80, 250))})
        count = int(rng.choice([2, 3, 3, 3, 4]))
        schools = {2: ["Mầm non", "TH&THCS"], 3: ["Mầm non", "Tiểu học", "THCS"],
                   4: ["Mầm non", "Tiểu học", "Tiểu học số 2", "THCS"]}[count]
        for school in schools:
            if school == "Tiểu học số 2":
                name = f"Trường Tiểu học {prefix}{commune.name} số 2"
            else:
                name = f"Trường {school} {prefix}{commune.name}"
            rows.append({"kind": "school", "name": name, "commune_code": commune.commune_code,
                         "village_id": None, "standard_met": bool(rng.random() < 0.8),
                         "geometry": _near(centres[c], area, rng, (200, 900))})
        rows.append({"kind": "sports_ground", "name": f"Khu thể thao {unit} {commune.name}",
                     "commune_code": commune.commune_code, "village_id": None,
                     "standard_met": bool(rng.random() < 0.8),
                     "geometry": _near(centres[c], area, rng, (150, 600))})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)
    frame.insert(0, "facility_id", [f"F{k + 1:04d}" for k in range(len(frame))])
    frame["illustrative"] = True
    return frame


# --------------------------------------------------------------------------------------------
# Production zones
# --------------------------------------------------------------------------------------------

# VietGAP fruit ≈ 2019 (DOMAIN.md §5): early lychee 278 ha (mostly Phúc Hòa and neighbours),
# guava 33.5 ha, pomelo 15 ha, star apple 5 ha. Which communes hold the guava, pomelo and star
# apple zones, and how the totals split into zones, is illustrative. (crop, ha, commune code;
# a pair of codes puts the zone astride their border.)
_VIETGAP_ZONES = [
    ("vai_som", 28.0, ("07324", "07330")), ("vai_som", 52.0, "07324"), ("vai_som", 45.0, "07324"),
    ("vai_som", 38.0, "07324"),
    ("vai_som", 35.0, "07330"), ("vai_som", 22.0, "07330"), ("vai_som", 30.0, "07327"),
    ("vai_som", 28.0, "07309"),
    ("oi", 20.0, "07321"), ("oi", 13.5, "07315"), ("buoi", 15.0, "07354"), ("vu_sua", 5.0, "07351"),
]
_VIETGAP_2019 = len(_VIETGAP_ZONES)
_VIETGAP_ZONES += [
    # Small vegetable, rice and fruit zones (illustrative) so that every xã whose status row says
    # criterion 13 is met holds a VietGAP zone, as criterion 13.3 asks. Lan Giới is left without
    # one on purpose: the cross-check needs a commune whose report the layers contradict. The
    # district total stays under the plan's 400 ha, so the sample shows that gap too.
    ("rau", 6.0, "07312"), ("rau", 5.0, "07318"), ("lua", 7.0, "07333"), ("rau", 5.0, "07336"),
    ("lua", 6.0, "07342"), ("rau", 4.0, "07345"), ("buoi", 5.0, "07348"), ("lua", 7.0, "07357"),
    ("vai_thieu", 6.0, "07360"), ("rau", 5.0, "07363"), ("lua", 6.0, "07366"),
]
# Zones without VietGAP (illustrative). The longan zone of Quang Tiến overlaps the guava zone
# there a little, on purpose (overlap checks need a case).
_OTHER_ZONES = [
    ("vai_thieu", 40.0, "07303"), ("vai_thieu", 60.0, "07360"), ("nhan", 25.0, "07342"),
    ("nhan", 18.0, "07315"), ("rau", 12.0, "07345"), ("lua", 55.0, "07363"), ("lua", 45.0, "07357"),
    ("rau", 8.0, "07336"),
]
_OVERLAP_PAIR = (("oi", "07315"), ("nhan", "07315"))
_CROP_VI = {"vai_som": "vải sớm", "vai_thieu": "vải thiều", "nhan": "nhãn", "oi": "ổi", "buoi": "bưởi",
            "vu_sua": "vú sữa", "rau": "rau", "lua": "lúa", "khac": "cây khác"}


def _blob(centre: np.ndarray, area_m2: float, rng: np.random.Generator) -> shapely.Polygon:
    """A smooth irregular polygon of exactly ``area_m2`` (before the 1 cm rounding)."""
    theta = np.linspace(0, 2 * np.pi, 29)[:-1]
    radius = np.ones_like(theta)
    for harmonic in (2, 3, 4):
        radius += rng.uniform(0.0, 0.18 / harmonic * 2) * np.cos(harmonic * theta + rng.uniform(0, 2 * np.pi))
    ring = np.column_stack([np.cos(theta) * radius, np.sin(theta) * radius])
    unit = shapely.Polygon(ring)
    scale = math.sqrt(area_m2 / unit.area)
    return shapely.Polygon(_on_grid(centre + ring * scale))


def _zones_frame(communes: gpd.GeoDataFrame, outline: shapely.Polygon, settlements: np.ndarray,
                 rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Production zones of the listed sizes; a zone keeps clear of commune and village centres
    (orchards and fields lie outside the residential cores)."""
    geoms = dict(zip(communes["commune_code"], communes.geometry, strict=True))
    cores = shapely.union_all(shapely.buffer(shapely.points(settlements), 100.0))
    names = dict(zip(communes["commune_code"], communes["name"], strict=True))
    inner = outline.buffer(-150)
    placed: list[shapely.Polygon] = []
    by_key: dict[tuple[str, object], shapely.Polygon] = {}
    rows = []
    counters: dict[tuple[str, str], int] = {}
    for vietgap, zones in ((True, _VIETGAP_ZONES), (False, _OTHER_ZONES)):
        for crop, hectares, where in zones:
            area = hectares * 1e4
            if isinstance(where, tuple):
                border = geoms[where[0]].boundary.intersection(geoms[where[1]].boundary)
                parts = [g for g in shapely.get_parts(shapely.line_merge(shapely.union_all(
                    [g for g in shapely.get_parts(border) if g.geom_type == "LineString"])))]
                longest = max(parts, key=lambda g: g.length)
                anchor = np.asarray(longest.interpolate(0.5, normalized=True).coords[0])
                polygon, home = _blob(anchor, area, rng), where[0]
            elif (crop, where) == _OVERLAP_PAIR[1]:
                polygon, home = _overlapping(by_key[_OVERLAP_PAIR[0]], area, placed, rng), where
            else:
                home = where
                polygon = _place_zone(area, geoms[home], inner, cores, placed, rng)
            by_key[(crop, where)] = polygon
            placed.append(polygon)
            counters[(crop, home)] = counters.get((crop, home), 0) + 1
            rows.append({"name": f"Vùng {_CROP_VI[crop]} {names[home]} {counters[(crop, home)]}",
                         "crop": crop, "vietgap": vietgap, "area_ha": hectares, "geometry": polygon})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)
    frame.insert(0, "zone_id", [f"Z{k + 1:03d}" for k in range(len(frame))])
    # One growing-area code in the sample, on the 52 ha early-lychee zone of Phúc Hòa (the plan's
    # target is 2 zones with a code: II.2.3, so the sample shows the gap).
    frame["growing_area_code"] = [("VN-BGTY-0001" if k == 1 else None) for k in range(len(frame))]
    frame["certified_until"] = [
        f"{int(rng.integers(2023, 2026))}-{int(rng.integers(1, 13)):02d}-{int(rng.choice([15, 28])):02d}"
        if v else None for v in frame["vietgap"]]
    frame["note"] = "diện tích theo số liệu VietGAP ≈ 2019; vị trí và hình dạng minh họa / " \
                    "areas after the ≈ 2019 VietGAP figures; place and shape illustrative"
    frame.loc[frame.index >= _VIETGAP_2019, "note"] = "minh họa / illustrative"
    frame["illustrative"] = True
    return frame[["zone_id", "name", "crop", "vietgap", "growing_area_code", "certified_until",
                  "area_ha", "note", "illustrative", "geometry"]]


def _place_zone(area: float, commune: shapely.Geometry, inner: shapely.Geometry,
                cores: shapely.Geometry, placed: list[shapely.Polygon], rng: np.random.Generator
                ) -> shapely.Polygon:
    """A zone of ``area`` m² in ``commune``, clear of other zones; it keeps clear of the
    residential cores too when there is room (tried first), and else only keeps its centre in
    the commune."""
    minx, miny, maxx, maxy = commune.bounds
    for level in range(3):
        for _ in range(300):
            point = rng.uniform([minx, miny], [maxx, maxy])
            if not commune.contains(shapely.Point(point)):
                continue
            candidate = _blob(point, area, rng)
            if not inner.contains(candidate) or any(candidate.intersects(p) for p in placed):
                continue
            if level < 2 and not commune.contains(candidate):
                continue
            if level < 1 and candidate.intersects(cores):
                continue
            return candidate
    raise AssertionError(f"no room for a zone of {area / 1e4:.1f} ha")


def _overlapping(other: shapely.Polygon, area: float, placed: list[shapely.Polygon],
                 rng: np.random.Generator) -> shapely.Polygon:
    """A blob of ``area`` beside ``other``, overlapping it by about 1 ha and no other zone."""
    centre = np.asarray(other.centroid.coords[0])
    for _ in range(100):
        bearing = rng.uniform(0, 2 * np.pi)
        direction = np.array([math.cos(bearing), math.sin(bearing)])
        shape = np.asarray(_blob(np.zeros(2), area, rng).exterior.coords)
        near, far = 0.0, 3000.0
        for _ in range(40):
            middle = (near + far) / 2
            candidate = shapely.Polygon(_on_grid(centre + middle * direction + shape))
            if candidate.intersection(other).area > 1e4:
                near = middle
            else:
                far = middle
        others = [p for p in placed if p is not other]
        if not any(candidate.intersects(p) for p in others):
            return candidate
    raise AssertionError("no room for the overlapping zone")


# --------------------------------------------------------------------------------------------
# Status tables
# --------------------------------------------------------------------------------------------

def _recognitions(communes: gpd.GeoDataFrame, plan: Plan, rng: np.random.Generator) -> pd.DataFrame:
    """Recognition decisions up to the status year (illustrative but for Cao Xá's NTM year).

    Every xã was recognised NTM by 2020 (the district was, in 2020: DOMAIN.md §4); thị trấn are
    left out, as towns are not recognised against the commune criteria.
    """
    nang_cao = plan.nang_cao_schedule()
    kieu_mau = plan.kieu_mau_schedule()
    due = kieu_mau[kieu_mau["year"] <= STATUS_YEAR]
    assumed = sorted(set(due["commune_code"]) - set(nang_cao.loc[nang_cao["year"] <= STATUS_YEAR,
                                                                 "commune_code"]))
    rows = []
    for commune in communes.itertuples():
        code = commune.commune_code
        if commune.kind == "thi_tran":
            continue
        if code == _CAO_XA:
            rows.append((code, "ntm", 2020, "năm theo cổng TTĐT huyện (tan_yen_units.csv) / year from "
                                            "the district portal"))
        else:
            latest = _ASSUMED_NANG_CAO_YEAR - 3 if code in assumed else 2020
            rows.append((code, "ntm", int(rng.integers(2014, latest)), "năm minh họa / illustrative year"))
    for row in nang_cao[nang_cao["year"] <= STATUS_YEAR].itertuples():
        if row.commune_code != _LATE_NANG_CAO:
            rows.append((row.commune_code, "nang_cao", int(row.year),
                         "minh họa: theo lịch kế hoạch (biểu 01) / illustrative: on the plan's schedule"))
    for code in assumed:
        rows.append((code, "nang_cao", _ASSUMED_NANG_CAO_YEAR,
                     "minh họa: giả định đạt nâng cao 2020 (bộ tiêu chí tỉnh 2018–2020) / illustrative: "
                     "assumed, so that kiểu mẫu builds on nâng cao"))
    for row in due.itertuples():
        rows.append((row.commune_code, "kieu_mau", int(row.year),
                     "minh họa: theo lịch kế hoạch (biểu 02) / illustrative: on the plan's schedule"))
    frame = pd.DataFrame(rows, columns=["commune_code", "level", "year", "note"])
    frame.insert(3, "decision", None)
    order = {"ntm": 1, "nang_cao": 2, "kieu_mau": 3}
    frame["_rank"] = frame["level"].map(order)
    frame = frame.sort_values(["commune_code", "_rank"], kind="stable").drop(columns="_rank")
    return frame.reset_index(drop=True)


def _commune_status(communes: gpd.GeoDataFrame, recognitions: pd.DataFrame) -> pd.DataFrame:
    """22 × 19 whole-criterion rows for the status year, consistent with the recognitions.

    Each unit is assessed against one level: kiểu mẫu for a kiểu mẫu commune (criteria 1–19 of
    QĐ 319 are those of nâng cao), nâng cao for a nâng cao commune (all met), NTM for the others
    (all met but the gaps of ``_NTM_GAPS``). Thị trấn get NTM rows with ``met`` left blank: towns
    follow urban standards, not the commune criteria, so nothing is claimed for them.
    """
    highest = recognitions.assign(_r=recognitions["level"].map({"ntm": 1, "nang_cao": 2, "kieu_mau": 3}))
    highest = highest.sort_values("_r", kind="stable").groupby("commune_code").tail(1)
    level_of = dict(zip(highest["commune_code"], highest["level"], strict=True))
    rows = []
    for commune in communes.itertuples():
        code = commune.commune_code
        for criterion in range(1, 20):
            note = ILLUSTRATIVE
            if commune.kind == "thi_tran":
                level, met = "ntm", None
                note = ("thị trấn: không đánh giá theo bộ tiêu chí xã / town: not assessed against the "
                        "commune criteria — " + ILLUSTRATIVE)
            else:
                level = level_of.get(code, "ntm")
                met = _NTM_GAPS.get(code) != str(criterion)
                if criterion == 7 and code in _NO_MARKET and met:
                    note = ("đạt nhờ điểm mua bán không có trong lớp chợ / met by a shop the markets "
                            "layer does not hold — " + ILLUSTRATIVE)
                if code == _LATE_NANG_CAO:
                    note = "kế hoạch nâng cao 2023 chưa đạt / nâng cao planned for 2023 not reached — " \
                           + ILLUSTRATIVE
            rows.append({"commune_code": code, "criterion": str(criterion), "indicator": None,
                         "level": level, "met": met, "value": None, "year": STATUS_YEAR, "note": note})
    frame = pd.DataFrame(rows)
    frame["met"] = pd.array(frame["met"].tolist(), dtype="boolean")
    frame["value"] = pd.array([None] * len(frame), dtype="Float64")
    return frame


def _village_status(villages: gpd.GeoDataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Model-village verdicts of the 43 planned villages: met in their target year when it is not
    after the status year, except two late ones; not met (yet) for 2024–2025 targets."""
    planned = villages[villages["model_target_year"].notna()]
    due = planned[(planned["model_target_year"] <= STATUS_YEAR) & (planned["name"] != _DONG_LIM)]
    late = set()
    for year in (2022, 2023):
        pool = due.index[due["model_target_year"] == year].to_numpy()
        late.add(int(rng.choice(pool)))
    rows = []
    for index, village in planned.iterrows():
        target = int(village["model_target_year"])
        if target <= STATUS_YEAR and index not in late:
            rows.append((village["village_id"], True, target, ILLUSTRATIVE))
        elif target <= STATUS_YEAR:
            rows.append((village["village_id"], False, STATUS_YEAR,
                         f"chậm so với kế hoạch {target} / late against the plan's {target} — "
                         f"{ILLUSTRATIVE}"))
        else:
            rows.append((village["village_id"], False, STATUS_YEAR,
                         f"kế hoạch {target} / planned for {target} — {ILLUSTRATIVE}"))
    frame = pd.DataFrame(rows, columns=["village_id", "met", "year", "note"])
    frame.insert(1, "criterion", "thon_kieu_mau")
    return frame.sort_values("village_id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The whole sample
# --------------------------------------------------------------------------------------------

def _point_inside(point: np.ndarray, area: shapely.Geometry, margin: float) -> np.ndarray:
    """``point`` when it lies ``margin`` inside ``area``, else a point well inside ``area``."""
    if area.buffer(-margin).contains(shapely.Point(point)):
        return _on_grid(point)
    return _on_grid(np.asarray(shapely.get_coordinates(area.buffer(-margin).point_on_surface())[0]))


def generate_sample(seed: int = DEFAULT_SEED) -> SampleDistrict:
    """Generate the illustrative Tân Yên sample district.

    Parameters
    ----------
    seed : int
        Seed of every random stream; the same seed gives the same district, bit for bit.

    Returns
    -------
    SampleDistrict
        Layers and tables in EPSG:9214. The 22 communes tile the generated outline (one exact
        coverage: shared borders have identical vertices), each within a few per cent of its
        fact area; 317 villages tile the communes; the road network is connected with junctions
        at identical coordinates.

    Examples
    --------
    >>> sample = generate_sample()
    >>> len(sample.communes), len(sample.villages)
    (22, 317)
    """
    facts = unit_facts()
    plan = load_plan(PLAN_REF)
    numbers = _commune_numbers(facts, _stream(seed, "numbers"))
    to_working = Transformer.from_crs(4326, 9214, always_xy=True)
    x, y = to_working.transform(facts["centre_lon"].to_numpy(), facts["centre_lat"].to_numpy())
    fact_centres = np.column_stack([x, y])
    fact_area = facts["area_km2"].to_numpy() * 1e6

    outline = _district_outline(fact_centres, fact_area)
    targets = fact_area * outline.area / fact_area.sum()
    first = _commune_polygons(outline, fact_centres, targets, _stream(seed, "communes"))
    commune_geoms, village_geoms, seeds = _village_tessellation(
        first, numbers["n_villages"].tolist(), _stream(seed, "villages"))

    communes = gpd.GeoDataFrame({
        "commune_code": facts["commune_code"], "name": facts["name"], "kind": facts["kind"],
        "population": numbers["population"], "households": numbers["households"],
        "area_km2_fact": facts["area_km2"], "area_basis": facts["area_basis"],
        "population_basis": numbers["population_basis"], "households_basis": numbers["households_basis"],
        "n_villages_basis": numbers["n_villages_basis"], "illustrative": True,
    }, geometry=commune_geoms, crs=WORKING_CRS)
    centres = np.array([_point_inside(p, g, 300.0) for p, g in zip(fact_centres, commune_geoms, strict=True)])

    villages, village_centres = _villages_frame(communes, village_geoms, seeds, _stream(seed, "names"))
    villages["model_target_year"] = _model_villages(villages, plan, _stream(seed, "model_villages"))
    village_status = _village_status(villages, _stream(seed, "village_status"))

    recognitions = _recognitions(communes, plan, _stream(seed, "recognitions"))
    advanced = set(recognitions.loc[recognitions["level"] != "ntm", "commune_code"])
    road_lines = _road_lines(outline, communes, centres, villages, village_centres,
                             _stream(seed, "road_lines"))
    roads = _roads_frame(road_lines, communes, advanced, _stream(seed, "roads"))
    canals = _canals_frame(_canal_lines(outline, _stream(seed, "canal_lines")), communes, advanced,
                           _stream(seed, "canals"))
    markets = _markets_frame(communes, centres, roads, plan, advanced, _stream(seed, "markets"))
    # Roads and canals cross commune borders unsplit; the commune of a segment's middle was only
    # needed here. Not shipping it keeps analyses from using it instead of cutting at borders.
    roads = roads.drop(columns="commune_code")
    canals = canals.drop(columns="commune_code")
    facilities = _facilities_frame(communes, centres, villages, village_centres,
                                   villages["model_target_year"], _stream(seed, "facilities"))
    zones = _zones_frame(communes, outline, np.vstack([centres, village_centres]),
                         _stream(seed, "zones"))
    return SampleDistrict(
        seed=seed,
        outline=gpd.GeoDataFrame({"name": ["Tân Yên"], "illustrative": [True]}, geometry=[outline],
                                 crs=WORKING_CRS),
        communes=communes, villages=villages, roads=roads, canals=canals, markets=markets,
        production_zones=zones, facilities=facilities,
        commune_status=_commune_status(communes, recognitions), village_status=village_status,
        recognitions=recognitions)


def _villages_frame(communes: gpd.GeoDataFrame, village_geoms: list[list[shapely.Geometry]],
                    seeds: list[np.ndarray], rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Villages numbered north to south within each commune, with names and populations."""
    rows, centres = [], []
    for commune, geoms, points in zip(communes.itertuples(), village_geoms, seeds, strict=True):
        order = sorted(range(len(geoms)), key=lambda k: (-round(points[k][1]), round(points[k][0])))
        town = commune.kind == "thi_tran"
        names = [f"Tổ dân phố {k}" for k in range(1, len(geoms) + 1)] if town \
            else _village_names(len(geoms), rng)
        if commune.commune_code == _NGOC_LY:
            names[int(rng.integers(len(names)))] = _DONG_LIM
        weights = [math.sqrt(geoms[k].area) * rng.lognormal(0.0, 0.25) for k in order]
        population = _largest_remainder(int(commune.population), weights)
        households = _largest_remainder(int(commune.households), population)
        for number, k in enumerate(order, start=1):
            geom = geoms[k]
            point = points[k] if geom.contains(shapely.Point(points[k])) else \
                np.asarray(shapely.get_coordinates(geom.point_on_surface())[0])
            centres.append(_on_grid(point))
            rows.append({"village_id": f"{commune.commune_code}-{number:02d}", "name": names[number - 1],
                         "commune_code": commune.commune_code, "kind": "to_dan_pho" if town else "thon",
                         "population": population[number - 1], "households": households[number - 1],
                         "illustrative": True, "geometry": geom})
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)
    return frame, np.asarray(centres)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

@contextmanager
def _fixed_gdal_date() -> Iterator[None]:
    """GDAL's "now" fixed while writing, restored afterwards (it is process-wide state)."""
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _GPKG_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def _gpkg_bytes(frame: gpd.GeoDataFrame, layer: str, scratch: Path) -> bytes:
    path = scratch / f"{layer}.gpkg"
    with _fixed_gdal_date():
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")
    return path.read_bytes()


def _csv_text(frame: pd.DataFrame) -> str:
    """UTF-8 CSV with ``true``/``false`` booleans, blank missing values and integer years."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column].tolist()
        out[column] = ["" if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
                       else ("true" if v else "false") if isinstance(v, (bool, np.bool_))
                       else str(int(v)) if isinstance(v, (int, np.integer)) else str(v) for v in values]
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _workspace_yaml(seed: int) -> str:
    """The workspace description, in the fixed layout of the project's ``data/workspace.yaml``."""
    lines = [
        "name: Tân Yên — mẫu minh họa (illustrative sample)",
        "district: {name: Tân Yên, province: Bắc Giang, kind: huyen}",
        "sample: true",
        'sample_note: {vi: "Dữ liệu minh họa — hình học gần đúng, trạng thái giả định", '
        'en: "Illustrative sample — approximate geometry, assumed statuses"}',
        f"status_year: {STATUS_YEAR}",
        f"working_crs: {WORKING_CRS}",
        "criteria_set: auto",
        "plan: package:tan_yen_2021_2025",
        "layers:",
        *(f"  {name}: {{path: {path}, layer: {layer}}}" for name, (path, layer) in _FILES.items()),
        "tables:",
        *(f"  {name}: {{path: {path}}}" for name, path in _TABLES.items()),
        "provenance: >-",
        f"  Generated by ntmgis.sample (seed {seed}) from public facts: GSO codes, names and kinds of",
        "  the 22 units of 2020–2024; approximate centres (rounded to 0.005°), areas, populations and",
        "  village counts where a source gives them (ntmgis/data/tan_yen_units_facts.csv, each number",
        "  with its source); district area 208.30 km², ≈ 180,000 people, 317 thôn and tổ dân phố; the",
        "  plan's schedules and its 8 market units (package:tan_yen_2021_2025); VietGAP fruit areas of",
        "  ≈ 2019; QL17, ĐT298 and ĐT295 crossing Cao Xá; model village thôn Đồng Lim (Ngọc Lý).",
        "  Geometry is approximate (generated, not surveyed); every status, recognition and other",
        "  value is illustrative.",
    ]
    return "\n".join(lines) + "\n"


def _readme(seed: int) -> str:
    return f"""# Tân Yên — illustrative sample workspace (dữ liệu minh họa)

This folder is the embedded sample district of ntmgis: a workspace (`workspace.yaml`) with the
layers and tables of an NTM evaluation for Tân Yên (Bắc Giang), units of 2020–2024.

**It is illustrative.** It is generated by `ntmgis/sample.py` (seed {seed}) from public facts —
the 22 GSO codes and names, approximate centres and areas, the populations and village counts
that sources give (`ntmgis/data/tan_yen_units_facts.csv`, with sources), the district plan's
schedules and markets, VietGAP areas of about 2019, the roads crossing Cao Xá, thôn Đồng Lim.
Every geometry is generated (not surveyed, not copied from any map) and every status,
recognition, surface, lining and other value is assumed. Each layer has an `illustrative`
column; each table a note saying "minh họa / illustrative". Do not use it to describe the real
district.

Regenerate (deterministic; the tests check these files equal what the code makes):

```bash
ntmgis sample --out data
```

Decisions the sample makes (see `ntmgis/sample.py`): thị trấn Cao Thượng and Nhã Nam are not
assessed against the commune criteria (their status rows leave `met` blank) and have no
recognition rows; nâng cao follows the plan for 2021–2023 except Lam Cốt (2023, left late);
Việt Lập is given nâng cao in 2020 so that its kiểu mẫu of 2023 is consistent; Lan Giới and
An Dương miss one NTM criterion in 2023; 2 of the 34 model villages due by 2023 are late.
"""


def write_sample(out_dir: str | Path = "data", seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the sample workspace to ``out_dir`` (atomically, file by file).

    Parameters
    ----------
    out_dir : path-like
        Folder of the workspace (created if needed); files are written under ``boundaries/``
        and ``layers/`` with ``workspace.yaml`` and ``README.md`` at the top.
    seed : int
        Seed of :func:`generate_sample`.

    Returns
    -------
    list of Path
        The files written, in a fixed order. Writing twice gives byte-identical files
        (GeoPackages are written with GDAL's ``OGR_CURRENT_DATE`` fixed).
    """
    import tempfile

    out_dir = Path(out_dir)
    sample = generate_sample(seed)
    written = []
    with tempfile.TemporaryDirectory(prefix="ntmgis-sample-") as scratch:
        for name, frame in sample.layers().items():
            path, layer = _FILES[name]
            written.append(write_bytes_atomic(out_dir / path, _gpkg_bytes(frame, layer, Path(scratch))))
    for name, frame in sample.tables().items():
        written.append(write_text_atomic(out_dir / _TABLES[name], _csv_text(frame)))
    written.append(write_text_atomic(out_dir / "workspace.yaml", _workspace_yaml(seed)))
    written.append(write_text_atomic(out_dir / "README.md", _readme(seed)))
    return written

"""Linear networks of the sample: roads (trunk, district, commune, village, lane and in-field) and a
branching irrigation network, noded so that junctions share one exact coordinate and cut into
segments with surfaces, linings and managers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from .facts import CAO_XA, WORKING_CRS
from .geometry import dedupe, on_grid, prefix_inside, wiggle

__all__ = ["road_lines", "roads_frame", "canal_lines", "canals_frame"]


@dataclass
class _Line:
    """A generated polyline and the attributes its segments inherit."""

    coords: np.ndarray
    attrs: dict


def _through_line(
    point: np.ndarray,
    angle_deg: float,
    area: shapely.Polygon,
    rng: np.random.Generator,
    *,
    spacing: float = 150.0,
) -> np.ndarray:
    """A gently meandering line through ``point`` at ``angle_deg``, from border to border of ``area``."""
    direction = np.array([math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))])
    normal = np.array([-direction[1], direction[0]])
    s = np.arange(-40_000.0, 40_000.0 + spacing, spacing)
    offset = np.zeros_like(s)
    for _ in range(3):
        wavelength, amp, phase = rng.uniform(3000, 9000), rng.uniform(80, 250), rng.uniform(0, 2 * np.pi)
        offset += amp * np.sin(2 * np.pi * s / wavelength + phase)
    offset -= np.interp(0.0, s, offset)
    points = on_grid(point + np.outer(s, direction) + np.outer(offset, normal))
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
        ends.append(on_grid(np.asarray(shapely.get_coordinates(crossing)[0])))
    return dedupe(np.vstack([ends[0], points[lo : hi + 1], ends[1]]))


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


def _segments(
    lines: list[_Line], rng: np.random.Generator, *, target: tuple[float, float]
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


def _connect_components(lines: list[_Line], segments: list[shapely.LineString], attrs: dict) -> list[_Line]:
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

_ROAD_WIDTH = {
    "quoc_lo": 12.0,
    "tinh": 9.0,
    "huyen": 6.5,
    "xa": 5.0,
    "lien_thon": 4.0,
    "truc_thon": 3.5,
    "ngo_xom": 2.5,
    "noi_dong": 3.0,
}
_ROAD_MANAGER = {
    "quoc_lo": "trung_uong",
    "tinh": "tinh",
    "huyen": "huyen",
    "xa": "xa",
    "lien_thon": "xa",
    "truc_thon": "thon",
    "ngo_xom": "thon",
    "noi_dong": "xa",
}
# Concretized share drawn per commune and class: (range for most communes, range for communes
# the sample has recognised nâng cao, whose statuses say they meet the higher standard).
_HARDENED_SHARE = {
    "xa": ((0.85, 1.0), (1.0, 1.0)),
    "lien_thon": ((0.75, 1.0), (0.95, 1.0)),
    "truc_thon": ((0.7, 1.0), (0.95, 1.0)),
    "ngo_xom": ((0.45, 0.95), (0.9, 1.0)),
    "noi_dong": ((0.3, 0.85), (0.75, 0.95)),
}
# Trunk roads through Cao Xá (DOMAIN.md §5: QL17, ĐT298 and ĐT295 cross the commune). Their
# alignments are invented: only the crossing of Cao Xá is a fact. (name, class, angle, offset m)
_TRUNK_ROADS = [
    ("QL17", "quoc_lo", 128.0, (-350.0, 250.0)),
    ("ĐT298", "tinh", 12.0, (300.0, -250.0)),
    ("ĐT295", "tinh", 68.0, (150.0, 500.0)),
]


def road_lines(
    outline: shapely.Polygon,
    communes: gpd.GeoDataFrame,
    centres: np.ndarray,
    villages: gpd.GeoDataFrame,
    village_centres: np.ndarray,
    rng: np.random.Generator,
) -> list[_Line]:
    """Every generated road as a polyline; each starts on a vertex of an earlier one.

    Built top down (trunk, district, commune and inter-village, cross-border, then the roads
    inside each village), each step drawing from ``rng`` in a fixed order.
    """
    codes = communes["commune_code"].tolist()
    lines = _trunk_roads(outline, centres[codes.index(CAO_XA)], rng)
    lines += _district_roads(centres, rng)
    by_commune = {code: np.flatnonzero((villages["commune_code"] == code).to_numpy()) for code in codes}
    # Bearings of the roads already leaving each village centre: the village's own roads keep
    # clear of them, or two wiggly roads leaving one point would cross again and again.
    bearings: dict[int, list[float]] = {v: [] for v in range(len(villages))}
    lines += _commune_roads(codes, centres, village_centres, by_commune, bearings, rng)
    geoms = communes.geometry.to_numpy()
    lines += _cross_border_roads(codes, geoms, village_centres, by_commune, bearings, rng)
    commune_geom = dict(zip(codes, geoms, strict=True))
    for v, village in enumerate(villages.itertuples()):
        lines += _village_roads(
            village.geometry, village_centres[v], bearings[v], commune_geom[village.commune_code], rng
        )
    return lines


def _trunk_roads(outline: shapely.Polygon, cao_xa: np.ndarray, rng: np.random.Generator) -> list[_Line]:
    """The national and provincial roads through Cao Xá, border to border."""
    lines = []
    for name, road_class, angle, offset in _TRUNK_ROADS:
        coords = _through_line(cao_xa + np.asarray(offset), angle, outline, rng)
        lines.append(_Line(coords, {"road_class": road_class, "name": name}))
    return lines


def _district_roads(centres: np.ndarray, rng: np.random.Generator) -> list[_Line]:
    """District roads linking commune centres: the minimum spanning tree of the Delaunay graph
    plus some of its other short edges, so the network has loops."""
    triangulation = Delaunay(centres)
    pairs = sorted(
        {
            (int(min(a, b)), int(max(a, b)))
            for simplex in triangulation.simplices
            for a, b in ((simplex[0], simplex[1]), (simplex[1], simplex[2]), (simplex[0], simplex[2]))
        }
    )
    lengths = np.array([np.hypot(*(centres[a] - centres[b])) for a, b in pairs])
    graph = coo_matrix((lengths, ([a for a, _ in pairs], [b for _, b in pairs])), shape=(len(centres),) * 2)
    tree = minimum_spanning_tree(graph).tocoo()
    in_tree = {(int(min(a, b)), int(max(a, b))) for a, b in zip(tree.row, tree.col, strict=True)}
    district_roads = [
        p for p, d in zip(pairs, lengths, strict=True) if p in in_tree or (d < 4500 and rng.random() < 0.45)
    ]
    lines = []
    for number, (a, b) in enumerate(district_roads, start=1):
        coords = wiggle(centres[a], centres[b], rng, spacing=150.0, amplitude=250.0, share=0.08)
        lines.append(_Line(coords, {"road_class": "huyen", "name": f"ĐH.{number:02d}"}))
    return lines


def _link(
    a: np.ndarray,
    b: np.ndarray,
    road_class: str,
    ends: tuple[int | None, int | None],
    bearings: dict[int, list[float]],
    rng: np.random.Generator,
) -> _Line:
    """A road from ``a`` to ``b``; records its bearing at the village centres it leaves."""
    line = _Line(
        wiggle(a, b, rng, spacing=100.0, amplitude=120.0, share=0.07),
        {"road_class": road_class, "name": None},
    )
    for end, (p, q) in zip(ends, ((a, b), (b, a)), strict=True):
        if end is not None:
            bearings[end].append(math.atan2(q[1] - p[1], q[0] - p[0]))
    return line


def _commune_roads(
    codes: list[str],
    centres: np.ndarray,
    village_centres: np.ndarray,
    by_commune: dict[str, np.ndarray],
    bearings: dict[int, list[float]],
    rng: np.random.Generator,
) -> list[_Line]:
    """Commune and inter-village roads: a spanning tree from each commune centre to its villages
    (commune roads up to two links from the centre, inter-village roads beyond)."""
    lines = []
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
            lines.append(
                _link(
                    nodes[parent],
                    nodes[node],
                    "xa" if depth[node] <= 2 else "lien_thon",
                    (int(members[parent - 1]) if parent else None, int(members[node - 1])),
                    bearings,
                    rng,
                )
            )
    return lines


def _cross_border_roads(
    codes: list[str],
    geoms: np.ndarray,
    village_centres: np.ndarray,
    by_commune: dict[str, np.ndarray],
    bearings: dict[int, list[float]],
    rng: np.random.Generator,
) -> list[_Line]:
    """A few commune roads running on into the next commune (not split at the border: analyses
    cut), between the closest villages of two neighbours."""
    lines = []
    for a in range(len(codes)):
        for b in range(a + 1, len(codes)):
            if not shapely.intersects(geoms[a], geoms[b]) or rng.random() > 0.35:
                continue
            left, right = by_commune[codes[a]], by_commune[codes[b]]
            gap = np.hypot(
                *(village_centres[left][:, None, :] - village_centres[right][None, :, :]).transpose(2, 0, 1)
            )
            i, j = np.unravel_index(int(np.argmin(gap)), gap.shape)
            if gap[i, j] < 3000:
                lines.append(
                    _link(
                        village_centres[left[i]],
                        village_centres[right[j]],
                        "xa",
                        (int(left[i]), int(right[j])),
                        bearings,
                        rng,
                    )
                )
    return lines


def _spoke_base(count: int, taken: np.ndarray) -> float:
    """The rotation of ``count`` evenly spread spokes that keeps farthest from the ``taken``
    bearings (radians)."""
    best_base, best_clearance = 0.0, -1.0
    for base in np.linspace(0, 2 * np.pi / count, 12, endpoint=False):
        angles = base + 2 * np.pi * np.arange(count) / count
        gaps = np.abs((angles[:, None] - taken[None, :] + np.pi) % (2 * np.pi) - np.pi)
        clearance = gaps.min() if gaps.size else np.pi
        if clearance > best_clearance:
            best_base, best_clearance = float(base), float(clearance)
    return best_base


def _village_roads(
    area: shapely.Geometry,
    centre: np.ndarray,
    taken: list[float],
    commune: shapely.Geometry,
    rng: np.random.Generator,
) -> list[_Line]:
    """Inside one village: village roads (spokes from the centre), lanes off them and in-field
    roads beyond them (kept inside the commune)."""
    count = 3 if rng.random() < 0.4 else 2
    base = _spoke_base(count, np.asarray(taken))
    lines, spokes = [], []
    for k in range(count):
        angle = base + 2 * np.pi * k / count + rng.uniform(-0.15, 0.15)
        end = on_grid(centre + rng.uniform(300, 650) * np.array([math.cos(angle), math.sin(angle)]))
        coords = prefix_inside(wiggle(centre, end, rng, spacing=90.0, amplitude=35.0), area)
        if len(coords) >= 2:
            spokes.append((coords, angle))
            lines.append(_Line(coords, {"road_class": "truc_thon", "name": None}))
    if not spokes:
        return lines
    for _ in range(int(rng.integers(2, 4))):
        coords, angle = spokes[int(rng.integers(len(spokes)))]
        if len(coords) < 3:
            continue
        start = coords[int(rng.integers(1, len(coords) - 1))]
        side = angle + (np.pi / 2 if rng.random() < 0.5 else -np.pi / 2) + rng.uniform(-0.3, 0.3)
        end = on_grid(start + rng.uniform(150, 350) * np.array([math.cos(side), math.sin(side)]))
        lane = prefix_inside(wiggle(start, end, rng, spacing=70.0, amplitude=15.0), area)
        if len(lane) >= 2:
            lines.append(_Line(lane, {"road_class": "ngo_xom", "name": None}))
    for _ in range(int(rng.integers(1, 4))):
        coords, angle = spokes[int(rng.integers(len(spokes)))]
        start = coords[-1]
        heading = angle + rng.uniform(-0.5, 0.5)
        end = on_grid(start + rng.uniform(350, 900) * np.array([math.cos(heading), math.sin(heading)]))
        field = prefix_inside(wiggle(start, end, rng, spacing=110.0, amplitude=50.0), commune)
        if len(field) >= 2:
            lines.append(_Line(field, {"road_class": "noi_dong", "name": None}))
    return lines


def _surface(road_class: str, hardened: bool, rng: np.random.Generator) -> str:
    """A surface code: asphalt on the main roads, concrete or brick below them, else gravel/earth."""
    if not hardened:
        return (
            "cap_phoi"
            if rng.random() < (0.6 if road_class in ("xa", "lien_thon", "truc_thon") else 0.4)
            else "dat"
        )
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


def roads_frame(
    lines: list[_Line], communes: gpd.GeoDataFrame, advanced: set[str], rng: np.random.Generator
) -> gpd.GeoDataFrame:
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
            prefix[(owner, code)] = (
                _hardened_prefix(shares[(code, road_class)], rng) if road_class in _HARDENED_SHARE else 1.0
            )
    # Illustrative gaps in the district network (DOMAIN.md: the district standard asks 100 %).
    district = [k for k, line in enumerate(lines) if line.attrs["road_class"] == "huyen"]
    gaps: set[int] = set()
    for owner in sorted(rng.choice(district, size=2, replace=False).tolist()):
        mine = [n for n, o in enumerate(owners) if o == owner]
        middle = len(mine) // 2
        gaps.update(mine[middle : middle + 2])
    rows = []
    managers = {}
    for k, line in enumerate(lines):
        road_class = line.attrs["road_class"]
        managers[k] = (
            ("thon" if rng.random() < 0.3 else "xa")
            if road_class == "noi_dong"
            else _ROAD_MANAGER[road_class]
        )
    for n, (owner, segment, position, code) in enumerate(
        zip(owners, segments, positions, commune_of, strict=True)
    ):
        road_class = lines[owner].attrs["road_class"]
        surface = _surface(road_class, position < prefix[(owner, code)], rng)
        note = None
        if n in gaps:
            surface, note = "cap_phoi", "đoạn chưa trải nhựa (minh họa) / unpaved stretch (illustrative)"
        width = _ROAD_WIDTH[road_class] + float(rng.choice([-0.5, 0.0, 0.0, 0.5]))
        rows.append(
            {
                "segment_id": f"R{n + 1:06d}",
                "road_class": road_class,
                "surface": surface,
                "width_m": width,
                "managed_by": managers[owner],
                "name": lines[owner].attrs["name"],
                "commune_code": code,
                "note": note,
                "illustrative": True,
                "geometry": segment,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)


# --------------------------------------------------------------------------------------------
# Canals
# --------------------------------------------------------------------------------------------

# Lined share of commune-level canals the sample aims at, district-wide: below the plan's > 90 %
# (II.2.3) so the sample shows a gap, and varying by commune.
_LINED_WINDOW = (0.80, 0.88)


def _branches(
    parent: np.ndarray,
    every: int,
    rng: np.random.Generator,
    *,
    length: tuple[float, float],
    spread: tuple[float, float],
    spacing: float,
    amplitude: float,
    area: shapely.Geometry,
) -> list[np.ndarray]:
    """Side branches leaving ``parent`` at every ``every``-th vertex, alternating sides."""
    out = []
    side = 1.0 if rng.random() < 0.5 else -1.0
    for k in range(max(1, every // 2), len(parent) - 1, every):
        tangent = parent[min(k + 1, len(parent) - 1)] - parent[k - 1]
        heading = math.atan2(tangent[1], tangent[0]) + side * rng.uniform(*spread)
        end = on_grid(parent[k] + rng.uniform(*length) * np.array([math.cos(heading), math.sin(heading)]))
        coords = prefix_inside(wiggle(parent[k], end, rng, spacing=spacing, amplitude=amplitude), area)
        if len(coords) >= 2:
            out.append(coords)
        side = -side
    return out


def canal_lines(outline: shapely.Polygon, rng: np.random.Generator) -> list[_Line]:
    """A branching irrigation network: two main canals, their secondary, tertiary and in-field
    branches, each leaving its parent at one of its vertices."""
    centre = np.asarray(outline.centroid.coords[0])
    lines = []
    mains = [("Kênh chính N1", 150.0, (-1500.0, 1800.0)), ("Kênh chính N2", 95.0, (2500.0, -1200.0))]
    for name, angle, offset in mains:
        coords = _through_line(centre + np.asarray(offset), angle, outline, rng, spacing=150.0)
        lines.append(_Line(coords, {"canal_level": "cap_1", "name": f"{name} (minh họa)"}))
    for m, main in enumerate(list(lines)):
        for b, coords in enumerate(
            _branches(
                main.coords,
                13,
                rng,
                length=(2000, 4500),
                spread=(1.2, 1.9),
                spacing=120.0,
                amplitude=150.0,
                area=outline,
            ),
            start=1,
        ):
            lines.append(_Line(coords, {"canal_level": "cap_2", "name": f"Kênh N{m + 1}-{b} (minh họa)"}))
    for second in [line for line in lines if line.attrs["canal_level"] == "cap_2"]:
        for coords in _branches(
            second.coords,
            5,
            rng,
            length=(500, 1300),
            spread=(1.0, 2.1),
            spacing=100.0,
            amplitude=60.0,
            area=outline,
        ):
            lines.append(_Line(coords, {"canal_level": "cap_3", "name": None}))
    for third in [line for line in lines if line.attrs["canal_level"] == "cap_3"]:
        for coords in _branches(
            third.coords,
            4,
            rng,
            length=(150, 450),
            spread=(1.2, 1.9),
            spacing=80.0,
            amplitude=25.0,
            area=outline,
        ):
            lines.append(_Line(coords, {"canal_level": "noi_dong", "name": None}))
    return lines


def _lining(lined: bool, rng: np.random.Generator) -> str:
    """A lining code: mostly concrete where lined, earth where not."""
    if not lined:
        return "dat"
    draw = rng.random()
    return "be_tong" if draw < 0.75 else ("gach" if draw < 0.95 else "da")


def canals_frame(
    lines: list[_Line], communes: gpd.GeoDataFrame, advanced: set[str], rng: np.random.Generator
) -> gpd.GeoDataFrame:
    """Canal segments with level, lining and manager (irrigation company for levels 1–2)."""
    owners, segments, _ = _segments(lines, rng, target=(250.0, 400.0))
    middles = shapely.line_interpolate_point(np.asarray(segments), 0.5, normalized=True)
    commune_of = _commune_at(middles, communes)
    # Communes the sample has at nâng cao or above have every commune canal lined (their
    # statuses say they meet the higher standard); the others a share drawn per commune, lining
    # decided segment by segment (canals are lined in short works, reach by reach).
    shares = {
        code: 1.0 if code in advanced else float(rng.uniform(0.65, 0.95)) for code in communes["commune_code"]
    }
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
        rows.append(
            {
                "segment_id": f"K{n + 1:06d}",
                "canal_level": lines[owner].attrs["canal_level"],
                "lining": _lining(bool(lined[n]), rng),
                "managed_by": managers[owner],
                "name": lines[owner].attrs["name"],
                "commune_code": code,
                "illustrative": True,
                "geometry": segment,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WORKING_CRS)

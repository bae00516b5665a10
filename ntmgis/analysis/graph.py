"""Is the road layer a connected network? The check before reach, and the repair (noding).

:func:`~ntmgis.analysis.access.road_graph` joins two roads only where they share an exact vertex,
as the data says. Most digitised layers are not noded: roads cross without a vertex at the
crossing, and a road ends a metre short of the road it meets. Reach on such a layer calls villages
"unreachable" because the *data* is cut, not the roads. :func:`check_road_network` measures how cut
the layer is; :func:`node_roads` repairs it.

What is counted
---------------
The segments are the consecutive vertex pairs of every line part.

* **components**: connected parts of the road graph, and the share of road length in the largest;
* **crossings**: points where two segments meet without a shared vertex — interiors that cross,
  or a vertex of one road lying inside a segment of another — counted once per point (an end of a
  road lying on another road is a dangling end, not a crossing);
* **dangling ends**: road ends used by no other segment that lie within ``snap_m`` of another line
  part without touching it at a vertex (0 m when the end lies on the other line).

The repair
----------
:func:`node_roads` adds the crossing point as a vertex of both segments, moves each dangling end
onto the nearest point of the nearest other line (adding that point as a vertex there) and cuts the
lines at the added points. Every piece keeps its feature's attributes; the first piece keeps the
``segment_id`` and the next are ``<segment_id>#2``, ``#3``... Crossing points lie on both segments,
so the length is unchanged (to rounding); a moved end changes its road's length by at most
``snap_m`` (and may, rarely, cross a line it did not cross before: a second pass nodes it).

Measured (``benchmarks/bench_noding.py``) against ``shapely.unary_union`` + attributes from the
nearest original line: on the sample's 6185 roads with every vertex jittered ±0.5 m (6185
components, 2380 crossings, 10687 ends ≤ 2 m) this gives 9 components in 0.5 s, ``unary_union``
3925 in 1.2 s (it nodes crossings but closes no gap); on 1500 random ways (2651 crossings, 39 ends)
301 against 306 components, 0.5 s against 1.0 s. Here every piece keeps its own feature's
attributes by construction; the nearest-line join can give a piece a neighbour's.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import connected_components

from ..problems import Problem
from .access import RoadGraph, RoadVertices, road_graph, road_vertices

__all__ = ["DEFAULT_SNAP_M", "NETWORK_COLUMNS", "check_road_network", "network_problems", "node_roads"]

#: Default largest gap (m) between a road end and another road that is treated as a junction.
DEFAULT_SNAP_M = 2.0
#: Columns of :func:`check_road_network`.
NETWORK_COLUMNS = [
    "layer",
    "components",
    "largest_share",
    "total_km",
    "crossings",
    "dangling_ends",
    "snap_m",
]
# A point closer than this (m) to a segment end is that end (rounding of computed intersections).
_AT_VERTEX_M = 1e-6
# Segments a tile of the network check holds at most (~1 kB of geometry and tree each).
_TILE_SEGMENTS = 1_000_000


@dataclass(frozen=True)
class _Segments:
    """The segments of a road layer: start coordinate index ``k`` (segment k → k+1) and graph nodes."""

    coords: np.ndarray
    part: np.ndarray
    part_feature: np.ndarray
    start: np.ndarray
    node: np.ndarray

    @property
    def lines(self) -> np.ndarray:
        return shapely.linestrings(np.stack([self.coords[self.start], self.coords[self.start + 1]], axis=1))


def _segments(roads: gpd.GeoDataFrame, vertices: RoadVertices | None = None) -> _Segments:
    v = road_vertices(roads) if vertices is None else vertices
    coords, part, node = v.coords, v.part, v.node_of
    start = np.flatnonzero((part[1:] == part[:-1]) & (node[1:] != node[:-1]))
    return _Segments(coords, part, v.part_feature, start, node)


@dataclass(frozen=True)
class _Contacts:
    """Points to add as vertices (``segment`` start index, point) and road ends to move (index, point)."""

    segment: np.ndarray
    point: np.ndarray
    end: np.ndarray
    end_point: np.ndarray
    crossings: int
    dangles: int


def _on_segment(seg: _Segments, k: np.ndarray, point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``point`` snapped to the ends of segment ``k`` when it is within rounding of one; inside or not."""
    a, b = seg.coords[k], seg.coords[k + 1]
    at_a = np.hypot(*(point - a).T) <= _AT_VERTEX_M
    at_b = np.hypot(*(point - b).T) <= _AT_VERTEX_M
    snapped = np.where(at_a[:, None], a, np.where(at_b[:, None], b, point))
    return snapped, ~(at_a | at_b)


def _contacts(
    seg: _Segments, snap_m: float, *, tile_segments: int = _TILE_SEGMENTS, exact: bool = True
) -> _Contacts:
    """Where the segments meet without a shared node, and the dangling ends to move.

    ``exact``: every crossing point from GEOS (the noding adds them as vertices); otherwise the
    proper crossings' points by :func:`_crossing_point`, enough to count them (the check).
    """
    empty = np.empty((0, 2))
    none = np.empty(0, dtype=np.intp)
    if not len(seg.start):
        return _Contacts(none, empty, none, empty, 0, 0)
    degree = np.bincount(
        np.concatenate([seg.node[seg.start], seg.node[seg.start + 1]]), minlength=int(seg.node.max()) + 1
    )
    # Dangling ends: a part's first or last vertex that no other segment uses.
    first = np.r_[True, seg.part[1:] != seg.part[:-1]]
    last = np.r_[seg.part[1:] != seg.part[:-1], True]
    ends = np.flatnonzero((first | last) & (degree[seg.node] == 1))
    found = _tiled_contacts(seg, ends, snap_m, tile_segments, exact=exact)
    if exact:
        d_end, d_seg, target, d_inside, stays = _end_moves(seg, ends, found)
    else:  # the check counts the ends; where they would move is the noding's business
        d_end = np.unique(ends[found.end])
        d_seg, target, d_inside, stays = none, empty, np.empty(0, dtype=bool), np.empty(0, dtype=bool)
    # Crossings: segments of other parts or not adjacent that meet at one point without a shared node.
    ki, kj, p = seg.start[found.i], seg.start[found.j], found.point
    p, in_j = _on_segment(seg, kj, p)
    p, in_i = _on_segment(seg, ki, p)
    at_end = np.zeros(len(seg.coords), dtype=bool)
    at_end[ends] = True
    dangle_contact = (~in_i & at_end[np.where(np.hypot(*(p - seg.coords[ki]).T) == 0, ki, ki + 1)]) | (
        ~in_j & at_end[np.where(np.hypot(*(p - seg.coords[kj]).T) == 0, kj, kj + 1)]
    )
    ki, kj, p, in_i, in_j = (x[~dangle_contact] for x in (ki, kj, p, in_i, in_j))
    crossings = _distinct_points(np.round(p, 6))
    segment = np.concatenate([ki[in_i], kj[in_j], seg.start[d_seg][d_inside & ~stays]])
    points = np.concatenate([p[in_i], p[in_j], target[d_inside & ~stays]])
    moves = d_end[~stays] if exact else none
    return _Contacts(segment, points, moves, target[~stays], crossings, len(d_end))


def _distinct_points(xy: np.ndarray) -> int:
    """How many distinct rows ``xy`` (n × 2) has: one sort of both columns (``np.unique(axis=0)``, 2.8×)."""
    if not len(xy):
        return 0
    xy = xy[np.lexsort((xy[:, 1], xy[:, 0]))]
    return int(1 + np.count_nonzero(np.any(xy[1:] != xy[:-1], axis=1)))


def _end_moves(
    seg: _Segments, ends: np.ndarray, found: _Found
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each dangling end with a segment in snap: the end, that segment, where it moves, inside, stays."""
    best = pd.DataFrame({"end": found.end, "segment": found.near, "d": found.distance})
    best = best.sort_values(["end", "d", "segment"]).drop_duplicates("end")
    d_end, d_seg = ends[best["end"].to_numpy()], best["segment"].to_numpy()
    end_points = shapely.points(seg.coords[d_end])
    target = shapely.get_coordinates(
        shapely.get_point(shapely.shortest_line(end_points, _lines(seg, d_seg)), 1)
    ).reshape(-1, 2)
    target, d_inside = _on_segment(seg, seg.start[d_seg], target)
    # Two ends that snap to each other would swap places: the lower index stays, the other moves.
    target_node = np.where(d_inside, -1, _node_at(seg, seg.start[d_seg], target))
    moving = dict(zip(seg.node[d_end].tolist(), target_node.tolist(), strict=True))
    stays = np.array(
        [moving.get(t) == n and n < t for n, t in zip(seg.node[d_end], target_node, strict=True)]
    )
    stays = stays.astype(bool).reshape(-1)
    target = _follow(seg.node[d_end], target_node, target, stays)
    return d_end, d_seg, target, d_inside, stays


def _lines(seg: _Segments, rows: np.ndarray) -> np.ndarray:
    """The LineStrings of segments ``rows`` only (one geometry a segment is ~1 kB: never all at once)."""
    k = seg.start[rows]
    return shapely.linestrings(np.stack([seg.coords[k], seg.coords[k + 1]], axis=1).reshape(-1, 2, 2))


@dataclass(frozen=True)
class _Found:
    """What the tiles found: end ``end`` (index into the ends) within snap of segment ``near`` at
    ``distance``; segments ``i < j`` crossing at ``point`` (a single point), sorted by ``(i, j)``."""

    end: np.ndarray
    near: np.ndarray
    distance: np.ndarray
    i: np.ndarray
    j: np.ndarray
    point: np.ndarray


def _tile_edges(seg: _Segments, tile_segments: int) -> list[tuple[float, float, float, float]]:
    """Half-open tiles ``[x0, x1) × [y0, y1)`` covering the plane, ~``tile_segments`` segments each.

    Columns cut at quantiles of the segments' midpoints in x, each column cut into rows at
    quantiles of its own midpoints in y (balanced, like one level of a k-d tree).
    """
    mid = (seg.coords[seg.start] + seg.coords[seg.start + 1]) / 2
    count = -(-len(mid) // max(int(tile_segments), 1))
    columns = max(int(np.ceil(np.sqrt(count))), 1)
    rows = -(-count // columns)
    xcut = np.r_[-np.inf, np.unique(np.quantile(mid[:, 0], np.arange(1, columns) / columns)), np.inf]
    tiles = []
    for x0, x1 in zip(xcut[:-1], xcut[1:], strict=True):
        inside = mid[(mid[:, 0] >= x0) & (mid[:, 0] < x1), 1]
        cuts = np.quantile(inside, np.arange(1, rows) / rows) if len(inside) and rows > 1 else []
        ycut = np.r_[-np.inf, np.unique(cuts), np.inf]
        tiles += [(x0, x1, y0, y1) for y0, y1 in zip(ycut[:-1], ycut[1:], strict=True)]
    return tiles


def _tiled_contacts(
    seg: _Segments, ends: np.ndarray, snap_m: float, tile_segments: int, *, exact: bool
) -> _Found:
    """Near ends and crossing pairs, tile by tile, each found in exactly one tile.

    A tile holds the segments whose envelope comes within ``snap_m`` of it. An end belongs to the
    tile holding it; a pair of segments to the tile holding the lower-left corner of the
    intersection of their envelopes (a point of both envelopes, so both segments are in that
    tile). Peak memory is that of one tile's geometries and tree, not of the whole layer's.
    """
    a, b = seg.coords[seg.start], seg.coords[seg.start + 1]
    low, high = np.minimum(a, b), np.maximum(a, b)
    end_xy = seg.coords[ends]
    out: list[list[np.ndarray]] = [[] for _ in range(6)]
    for x0, x1, y0, y1 in _tile_edges(seg, tile_segments):
        rows = np.flatnonzero(
            (high[:, 0] >= x0 - snap_m)
            & (low[:, 0] <= x1 + snap_m)
            & (high[:, 1] >= y0 - snap_m)
            & (low[:, 1] <= y1 + snap_m)
        )
        if not len(rows):
            continue
        lines = _lines(seg, rows)
        tree = shapely.STRtree(lines)
        mine = np.flatnonzero(
            (end_xy[:, 0] >= x0) & (end_xy[:, 0] < x1) & (end_xy[:, 1] >= y0) & (end_xy[:, 1] < y1)
        )
        e, n = _ends_near(seg, ends, mine, rows, lines, tree, snap_m)
        out[0].append(mine[e])
        out[1].append(rows[n])
        out[2].append(shapely.distance(shapely.points(end_xy[mine[e]]), lines[n]))
        sub = _Segments(seg.coords, seg.part, seg.part_feature, seg.start[rows], seg.node)
        i, j = _crossing_pairs(sub, tree, lines)
        ref = np.maximum(low[rows[i]], low[rows[j]])
        here = (ref[:, 0] >= x0) & (ref[:, 0] < x1) & (ref[:, 1] >= y0) & (ref[:, 1] < y1)
        i, j = rows[i[here]], rows[j[here]]
        proper = _sure_cases(seg.coords, seg.start[i], seg.start[j])[0] & (not exact)
        rest = np.flatnonzero(~proper)
        meet = shapely.intersection(_lines(seg, i[rest]), _lines(seg, j[rest]))
        point = shapely.get_type_id(meet) == 0  # collinear overlaps are left as they are
        out[3] += [i[proper], i[rest[point]]]
        out[4] += [j[proper], j[rest[point]]]
        out[5] += [
            _crossing_point(seg.coords, seg.start[i[proper]], seg.start[j[proper]]),
            shapely.get_coordinates(meet[point]).reshape(-1, 2),
        ]
        del lines, tree, meet
    if not out[0]:
        none = np.empty(0, dtype=np.intp)
        return _Found(none, none, np.empty(0), none, none, np.empty((0, 2)))
    end, near, distance, i, j, point = (np.concatenate(x) for x in out)
    order = np.lexsort((j, i))
    return _Found(end, near, distance, i[order], j[order], point[order])


# A box around an end is grown by this much more than ``snap_m``, so that rounding never leaves
# out a segment at exactly ``snap_m`` (coordinates up to ~1e9 m); GEOS's distance decides.
_SNAP_SLACK = 1e-6


def _ends_near(
    seg: _Segments,
    ends: np.ndarray,
    mine: np.ndarray,
    rows: np.ndarray,
    lines: np.ndarray,
    tree: shapely.STRtree,
    snap_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (index into ``mine``, index into ``rows``): the end and a segment of another part in snap.

    The same pairs as ``tree.query(points, predicate="dwithin", distance=snap_m)``, at half its
    cost: the tree gives the segments whose envelope meets the box of side ``2 snap_m`` around each
    end (no GEOS distance), numpy's point–segment distance drops the far ones, and GEOS's distance
    decides the few left (the ends within snap), so the decision is GEOS's, as before.
    """
    xy, part = seg.coords[ends[mine]], seg.part[ends[mine]]
    k = seg.start[rows]
    grow = snap_m + _SNAP_SLACK
    e, n = tree.query(shapely.box(xy[:, 0] - grow, xy[:, 1] - grow, xy[:, 0] + grow, xy[:, 1] + grow))
    keep = seg.part[k][n] != part[e]
    e, n = e[keep], n[keep]
    keep = _point_segment_distance(xy[e], seg.coords[k[n]], seg.coords[k[n] + 1]) <= grow
    e, n = e[keep], n[keep]
    keep = shapely.dwithin(shapely.points(xy[e]), lines[n], snap_m)
    return e[keep], n[keep]


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from points ``p`` to segments ``a → b`` (a prefilter: GEOS gives the exact figure)."""
    ab = b - a
    length2 = np.einsum("ij,ij->i", ab, ab)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.einsum("ij,ij->i", p - a, ab) / length2
    t = np.where(length2 > 0, np.clip(t, 0.0, 1.0), 0.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def _crossing_pairs(
    seg: _Segments, tree: shapely.STRtree, lines: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``i < j`` of segments that intersect and share no node, in the tree query's order.

    The same pairs, in the same order, as ``tree.query(lines, predicate="intersects")`` filtered
    afterwards; the (prepared) predicate is evaluated only on the envelope pairs left once the
    self pairs and the pairs sharing a node (most of them: consecutive segments) are dropped.
    """
    i, j = tree.query(lines)
    keep = i < j
    i, j = i[keep], j[keep]
    ki, kj = seg.start[i], seg.start[j]
    shared = (
        (seg.node[ki] == seg.node[kj])
        | (seg.node[ki] == seg.node[kj + 1])
        | (seg.node[ki + 1] == seg.node[kj])
        | (seg.node[ki + 1] == seg.node[kj + 1])
    )
    i, j = i[~shared], j[~shared]
    # Most pairs are settled by the signs of four orientations, where the arithmetic is sure of
    # them (as GEOS's own filter); GEOS's predicate decides the rest (touching, collinear, near).
    proper, apart = _sure_cases(seg.coords, seg.start[i], seg.start[j])
    unsure = np.flatnonzero(~proper & ~apart)
    hit = proper.copy()
    shapely.prepare(lines)  # as the tree's predicate query prepares each queried line
    hit[unsure] = shapely.intersects(lines[i[unsure]], lines[j[unsure]])
    return i[hit], j[hit]


# Relative error under which the sign of an orientation determinant is certain (GEOS's
# ``DP_SAFE_EPSILON`` is 1e-15; 1e-12 leaves a wide margin).
_SURE = 1e-12


def _orientation(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Side of ``p`` from segment ``a → b``: 1 left, -1 right, 0 on it *or not certain*."""
    left = (b[:, 0] - a[:, 0]) * (p[:, 1] - a[:, 1])
    right = (b[:, 1] - a[:, 1]) * (p[:, 0] - a[:, 0])
    det, bound = left - right, _SURE * (np.abs(left) + np.abs(right))
    return np.where(det > bound, 1, np.where(det < -bound, -1, 0))


def _sure_cases(coords: np.ndarray, ki: np.ndarray, kj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segment pairs ``ki``, ``kj`` that surely cross at one interior point; that surely do not meet."""
    p1, p2, q1, q2 = coords[ki], coords[ki + 1], coords[kj], coords[kj + 1]
    o1, o2 = _orientation(p1, p2, q1), _orientation(p1, p2, q2)
    o3, o4 = _orientation(q1, q2, p1), _orientation(q1, q2, p2)
    proper = (o1 * o2 == -1) & (o3 * o4 == -1)
    apart = ((o1 == o2) & (o1 != 0)) | ((o3 == o4) & (o3 != 0))
    return proper, apart


def _crossing_point(coords: np.ndarray, ki: np.ndarray, kj: np.ndarray) -> np.ndarray:
    """Where segments ``ki`` and ``kj`` that cross properly meet: GEOS's ``Intersection::intersection``.

    The same operations in the same order (ordinates conditioned by the middle of the envelopes'
    intersection, homogeneous coordinates); on the benchmark's 70,716 proper crossings all but 2
    are bit-identical to ``shapely.intersection``, those 2 one unit in the last place apart.
    """
    p1, p2, q1, q2 = coords[ki], coords[ki + 1], coords[kj], coords[kj + 1]
    low = np.maximum(np.minimum(p1, p2), np.minimum(q1, q2))
    high = np.minimum(np.maximum(p1, p2), np.maximum(q1, q2))
    mid = (low + high) / 2.0
    p1, p2, q1, q2 = p1 - mid, p2 - mid, q1 - mid, q2 - mid
    px, py = p1[:, 1] - p2[:, 1], p2[:, 0] - p1[:, 0]
    pw = p1[:, 0] * p2[:, 1] - p2[:, 0] * p1[:, 1]
    qx, qy = q1[:, 1] - q2[:, 1], q2[:, 0] - q1[:, 0]
    qw = q1[:, 0] * q2[:, 1] - q2[:, 0] * q1[:, 1]
    x, y, w = py * qw - qy * pw, qx * pw - px * qw, px * qy - qx * py
    return np.stack([x / w, y / w], axis=1) + mid


def _follow(node: np.ndarray, target_node: np.ndarray, target: np.ndarray, stays: np.ndarray) -> np.ndarray:
    """An end snapped onto another end that moves goes where that end goes (chains of ends)."""
    moved = ~stays
    where = dict(zip(node[moved].tolist(), np.flatnonzero(moved).tolist(), strict=True))
    target = target.copy()
    chosen = target_node.copy()
    for _ in range(len(node)):
        step = np.array([where.get(t, -1) for t in chosen.tolist()], dtype=np.intp).reshape(-1)
        follow = (step >= 0) & moved
        if not follow.any():
            break
        target[follow] = target[step[follow]]
        chosen[follow] = target_node[step[follow]]
        chosen[follow & (chosen == node)] = -1  # a cycle: stop where it closes
    return target


def _node_at(seg: _Segments, k: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The node of segment ``k``'s end that ``point`` equals."""
    at_a = np.all(point == seg.coords[k], axis=1)
    return np.where(at_a, seg.node[k], seg.node[k + 1])


def _components(graph: RoadGraph) -> tuple[int, float, float]:
    if not len(graph.nodes):
        return 0, float("nan"), 0.0
    count, label = connected_components(graph.adjacency, directed=False)
    coo = graph.adjacency.tocoo()
    length = np.bincount(label[coo.row], weights=coo.data, minlength=count) / 2
    total = float(length.sum())
    return int(count), float(length.max() / total) if total > 0 else float("nan"), total / 1000


def check_road_network(
    roads: gpd.GeoDataFrame,
    *,
    snap_m: float = DEFAULT_SNAP_M,
    layer: str = "roads",
    graph: RoadGraph | None = None,
    vertices: RoadVertices | None = None,
) -> pd.DataFrame:
    """How connected the road graph of ``roads`` is, and why not (see the module docstring).

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer (LineString / MultiLineString), metric CRS.
    snap_m : float
        Largest gap (m) between a road end and another road counted as a dangling end.
    layer : str
        The name written in the ``layer`` column.
    graph : RoadGraph, optional
        A prebuilt :func:`~ntmgis.analysis.access.road_graph` of ``roads`` (reach reuses it).
    vertices : RoadVertices, optional
        :func:`~ntmgis.analysis.access.road_vertices` of ``roads``, when already computed (for
        ``graph``): the layer's vertices are then sorted into nodes once, not twice.

    Returns
    -------
    DataFrame
        One row, ``NETWORK_COLUMNS``: ``components`` of the road graph, ``largest_share`` of road
        length in the largest, ``total_km``, ``crossings`` (points), ``dangling_ends``, ``snap_m``.

    Examples
    --------
    Two roads crossing at (500, 0) without a vertex there, and a third ending 1 m short of the first:

    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame({"segment_id": ["a", "b", "c"]}, geometry=[
    ...     LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)]),
    ...     LineString([(800, 1), (800, 300)])], crs=9214)
    >>> check_road_network(roads).round(3).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'layer': 'roads', 'components': 3, 'largest_share': 0.435, 'total_km': 2.299,
     'crossings': 1, 'dangling_ends': 1, 'snap_m': 2.0}
    >>> check_road_network(node_roads(roads))[["components", "crossings", "dangling_ends"]].iloc[0].tolist()
    [1, 0, 0]
    """
    vertices = road_vertices(roads) if vertices is None else vertices
    count, largest, total_km = _components(road_graph(roads, vertices=vertices) if graph is None else graph)
    contacts = _contacts(_segments(roads, vertices), snap_m, exact=False)
    row = [layer, count, largest, total_km, contacts.crossings, contacts.dangles, float(snap_m)]
    return pd.DataFrame([row], columns=NETWORK_COLUMNS)


def network_problems(check: pd.DataFrame, *, layer: str = "roads", file: str = "") -> list[Problem]:
    """The warning that a checked road layer is not connected (none when it is one piece).

    One rule, read by the assessment (before reach) and by ``ntmgis validate`` (before any command
    computes reach), so both say the same words and name the same repair.

    Parameters
    ----------
    check : DataFrame
        One row of :func:`check_road_network`.
    layer : str
        The layer the problem names (the layer as given, also when the row is of its noded copy).
    file : str
        The file the layer was read from, when known.

    Returns
    -------
    list of Problem
        Empty, or one ``warning`` naming the pieces, crossings, dangling ends and the
        ``network: {node: true, snap_m: …}`` repair.

    Examples
    --------
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame({"segment_id": ["a", "b"]}, geometry=[
    ...     LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)])], crs=9214)
    >>> [p.severity for p in network_problems(check_road_network(roads))]
    ['warning']
    >>> network_problems(check_road_network(node_roads(roads)))
    []
    """
    row = check.iloc[0]
    if row["components"] <= 1:
        return []
    snap = f"{row['snap_m']:g}"
    return [
        Problem.of(
            "problems.network_not_connected",
            file=file,
            layer=layer,
            pieces=int(row["components"]),
            largest=f"{row['largest_share']:.0%}",
            crossings=int(row["crossings"]),
            dangles=int(row["dangling_ends"]),
            snap=snap,
            option=f"network: {{node: true, snap_m: {snap}}}",
        )
    ]


def node_roads(
    roads: gpd.GeoDataFrame,
    *,
    snap_m: float = DEFAULT_SNAP_M,
    id_column: str = "segment_id",
    vertices: RoadVertices | None = None,
) -> gpd.GeoDataFrame:
    """``roads`` noded: cut at every crossing, dangling ends within ``snap_m`` joined.

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer, metric CRS.
    snap_m : float
        Largest gap (m) between a road end and another road that is closed.
    id_column : str
        The id column; a cut feature's pieces are ``<id>``, ``<id>#2``, ``<id>#3``...
    vertices : RoadVertices, optional
        :func:`~ntmgis.analysis.access.road_vertices` of ``roads``, when already computed.

    Returns
    -------
    GeoDataFrame
        LineString pieces in line order, every column of ``roads`` kept; the index is that of the
        feature each piece comes from.

    Examples
    --------
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame({"segment_id": ["R1", "R2"], "surface": ["dat", "nhua"]}, geometry=[
    ...     LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 500)])], crs=9214)
    >>> noded = node_roads(roads)
    >>> noded["segment_id"].tolist(), noded.length.round(1).tolist()
    (['R1', 'R1#2', 'R2', 'R2#2'], [500.0, 500.0, 500.0, 500.0])
    """
    seg = _segments(roads, vertices)
    contacts = _contacts(seg, snap_m)
    if not len(contacts.segment) and not len(contacts.end):
        return roads.copy()
    coords = seg.coords.copy()
    coords[contacts.end] = contacts.end_point
    a = coords[contacts.segment]
    ab = coords[contacts.segment + 1] - a
    t = np.einsum("ij,ij->i", contacts.point - a, ab) / np.einsum("ij,ij->i", ab, ab)
    added = pd.DataFrame(
        {
            "k": contacts.segment,
            "t": np.clip(t, 1e-12, 1 - 1e-12),
            "x": contacts.point[:, 0],
            "y": contacts.point[:, 1],
        }
    ).drop_duplicates(["k", "x", "y"])
    key_k = np.concatenate([np.arange(len(coords)), added["k"].to_numpy()])
    key_t = np.concatenate([np.zeros(len(coords)), added["t"].to_numpy()])
    order = np.lexsort((key_t, key_k))
    xy = np.concatenate([coords, added[["x", "y"]].to_numpy()])[order]
    part = np.concatenate([seg.part, seg.part[added["k"].to_numpy()]])[order]
    cut = np.r_[np.zeros(len(coords), dtype=bool), np.ones(len(added), dtype=bool)][order]
    rows = np.repeat(np.arange(len(xy)), 1 + cut)
    second = np.r_[False, rows[1:] == rows[:-1]]
    starts = np.r_[True, part[rows][1:] != part[rows][:-1]] | second
    piece = np.cumsum(starts) - 1
    lines = shapely.linestrings(xy[rows], indices=piece)
    piece_part = part[rows][starts]
    feature = seg.part_feature[piece_part]
    out = roads.iloc[feature].copy()
    rank = pd.Series(feature).groupby(feature).cumcount().to_numpy()
    if id_column in out:
        suffix = np.where(rank == 0, "", "#" + (rank + 1).astype(str).astype(object))
        out[id_column] = out[id_column].astype(str) + suffix
    return out.set_geometry(gpd.GeoSeries(lines, index=out.index, crs=roads.crs))

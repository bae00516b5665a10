"""Reach: distance from villages to the nearest market or facility, and the Rural Access Index.

Market reach is a gap analysis, **not an NTM rule**: criterion 7 has no service radius, so the
radius of the "market gap" layer is an analysis assumption the user chooses (default 2 km along
roads) and every output says so.

The road graph
--------------
Nodes are the exact vertex coordinates of the roads layer and every pair of consecutive vertices is
an edge weighted by its length, so lines are split at their vertices and two roads are connected
where they share a vertex. Roads that cross without a shared vertex (a bridge, or data not noded at
the junction) are *not* connected — as in the data; :func:`ntmgis.analysis.graph.check_road_network`
says how cut a layer is and :func:`ntmgis.analysis.graph.node_roads` repairs it. Villages
(representative point) and facilities are snapped to the nearest node; the snap distance is
reported and added to the network distance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from ..codes import DISTRICT_UNIT, NOT_ASSESSED
from ..vocab import concretized_surfaces
from .network import ASSESSED

__all__ = [
    "RoadGraph",
    "RoadVertices",
    "road_graph",
    "road_vertices",
    "unique_points",
    "reach",
    "market_reach",
    "facility_reach",
    "reach_gaps",
    "villages_with_facility",
    "rural_access_index",
    "DEFAULT_RADIUS_M",
    "RADIUS_ASSUMPTION",
    "REACHED",
    "TOO_FAR",
    "UNREACHABLE",
    "NO_TARGET",
]

#: Default market-gap radius along roads (m). An analysis assumption, not an NTM threshold.
DEFAULT_RADIUS_M = 2000.0
#: Label carried by every reach output.
RADIUS_ASSUMPTION = "analysis assumption chosen by the user, not an NTM rule (criterion 7 has no radius)"
#: World Bank RAI (SDG 9.1.1) distance to an all-season road, straight line (m).
RAI_DISTANCE_M = 2000.0
#: Default largest snap distance from a village or facility to the road network (m).
DEFAULT_MAX_SNAP_M = 500.0

# Reach status codes (snake_case codes; the words a reader sees come from the label catalogue).
#: A target reached along roads (within the radius or not: see ``network_m``).
REACHED = "reached"
#: The origin is farther than ``max_snap_m`` from the road network: no road distance.
TOO_FAR = "too_far"
#: No road path from the origin's part of the network to any target.
UNREACHABLE = "unreachable"
#: There is no target at all.
NO_TARGET = "no_target"


class RoadGraph:
    """An undirected road graph: node coordinates and a CSR adjacency of edge lengths (m).

    Parameters
    ----------
    nodes : ndarray of shape (n, 2)
        Node coordinates (exact road vertices).
    adjacency : scipy.sparse.csr_matrix
        Symmetric, ``adjacency[u, v]`` = length of the shortest direct edge between u and v.
    """

    def __init__(self, nodes: np.ndarray, adjacency: csr_matrix) -> None:
        self.nodes = nodes
        self.adjacency = adjacency
        self._tree: cKDTree | None = None  # built by the first snap: the network check needs none

    @property
    def n_edges(self) -> int:
        """Number of (undirected) edges."""
        return int(self.adjacency.nnz // 2)

    def snap(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest node of each point (``x, y`` rows) and the distance to it (m)."""
        if not len(self.nodes) or len(points) == 0:
            return np.full(len(points), -1, dtype=np.intp), np.full(len(points), np.inf)
        if self._tree is None:
            self._tree = cKDTree(self.nodes)
        distance, node = self._tree.query(points)
        return node.astype(np.intp), distance


def unique_points(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of an (n, 2) array in (x, y) order and each row's index among them.

    ``np.unique(coords, axis=0, return_inverse=True)`` (the inverse flat), by one stable sort of
    the rows viewed as complex numbers (numpy orders those by real part, then imaginary part: the
    order of ``np.lexsort``; with a NaN it differs, so ``np.lexsort`` then), twice as fast as
    ``np.lexsort`` of the two columns (5M vertices: 4.1 s against 8.3 s CPU).

    Examples
    --------
    >>> nodes, node_of = unique_points(np.array([[2.0, 1.0], [0.0, 5.0], [2.0, 1.0], [0.0, 3.0]]))
    >>> nodes.tolist(), node_of.tolist()
    ([[0.0, 3.0], [0.0, 5.0], [2.0, 1.0]], [2, 1, 2, 0])
    """
    if not len(coords):
        return coords[:0], np.empty(0, dtype=np.intp)
    rows = np.ascontiguousarray(coords, dtype=np.float64)
    if np.isnan(rows).any():  # numpy puts x + NaN·j after every finite x: lexsort's order differs
        order = np.lexsort((rows[:, 1], rows[:, 0]))
    else:
        order = np.argsort(rows.view(np.complex128).reshape(-1), kind="stable")
    ordered = rows[order]
    new = np.r_[True, (ordered[1:, 0] != ordered[:-1, 0]) | (ordered[1:, 1] != ordered[:-1, 1])]
    node_of = np.empty(len(coords), dtype=np.intp)
    node_of[order] = np.cumsum(new) - 1
    return ordered[new], node_of


@dataclass(frozen=True)
class RoadVertices:
    """The vertices of a road layer, computed once for the road graph and the network check.

    ``coords`` (n, 2) of every line part in order, ``part`` the part of each vertex,
    ``part_feature`` the feature of each part, ``nodes`` the distinct coordinates in (x, y) order
    and ``node_of`` each vertex's node (:func:`unique_points`).
    """

    coords: np.ndarray
    part: np.ndarray
    part_feature: np.ndarray
    nodes: np.ndarray
    node_of: np.ndarray


def road_vertices(roads: gpd.GeoDataFrame) -> RoadVertices:
    """The vertices of ``roads`` and their nodes (the one :func:`unique_points` of a layer).

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer (LineString / MultiLineString) in a metric CRS.

    Returns
    -------
    RoadVertices

    Examples
    --------
    >>> from shapely import LineString
    >>> roads = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (5, 0)]), LineString([(5, 0), (5, 5)])])
    >>> vertices = road_vertices(roads)
    >>> vertices.node_of.tolist(), vertices.part.tolist()
    ([0, 1, 1, 2], [0, 0, 1, 1])
    """
    if roads.crs is not None and roads.crs.is_geographic:
        raise ValueError("build the road graph in a metric CRS (the workspace working CRS)")
    parts, feature = shapely.get_parts(roads.geometry.to_numpy(), return_index=True)
    coords, part = shapely.get_coordinates(parts, return_index=True)
    del parts
    nodes, node_of = unique_points(coords)
    return RoadVertices(coords, part, feature, nodes, node_of)


def road_graph(roads: gpd.GeoDataFrame, *, vertices: RoadVertices | None = None) -> RoadGraph:
    """Build the road graph of ``roads`` (see the module docstring for the rules).

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer (LineString / MultiLineString) in a metric CRS.
    vertices : RoadVertices, optional
        :func:`road_vertices` of ``roads``, when already computed (the network check shares them).

    Returns
    -------
    RoadGraph
    """
    vertices = road_vertices(roads) if vertices is None else vertices
    coords, part, nodes, node_of = vertices.coords, vertices.part, vertices.nodes, vertices.node_of
    if len(coords) == 0:
        return RoadGraph(np.empty((0, 2)), csr_matrix((0, 0)))
    consecutive = part[1:] == part[:-1]
    u, v = node_of[:-1][consecutive], node_of[1:][consecutive]
    weight = np.hypot(*(coords[1:][consecutive] - coords[:-1][consecutive]).T)
    del consecutive
    loop = u == v
    u, v, weight = u[~loop], v[~loop], weight[~loop]
    # Keep the shortest of parallel edges: a sparse matrix would *add* duplicates.
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    del u, v, loop
    order = np.lexsort((weight, hi, lo))
    lo, hi, weight = lo[order], hi[order], weight[order]
    del order
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, weight = lo[first], hi[first], weight[first]
    n = len(nodes)
    rows, cols = np.concatenate([lo, hi]), np.concatenate([hi, lo])
    del lo, hi
    adjacency = coo_matrix((np.concatenate([weight, weight]), (rows, cols)), shape=(n, n)).tocsr()
    return RoadGraph(nodes, adjacency)


def _points(frame: gpd.GeoDataFrame) -> np.ndarray:
    """A point per feature: the point itself, or a polygon's representative point (always inside)."""
    geoms = frame.geometry.to_numpy()
    return shapely.get_coordinates(shapely.point_on_surface(geoms))


def reach(
    graph: RoadGraph,
    origins: gpd.GeoDataFrame,
    targets: gpd.GeoDataFrame,
    *,
    origin_id: str,
    target_id: str,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.DataFrame:
    """Network and straight-line distance from every origin to its nearest target.

    Multi-source Dijkstra (``scipy.sparse.csgraph.dijkstra(..., indices=sources, min_only=True)``)
    from all targets at once. Each target enters through its own extra node joined to its snap
    node by an edge of the snap length, so the network distance is
    origin snap + road path + target snap, and ``sources`` tells which target is nearest.

    Parameters
    ----------
    graph : RoadGraph
        From :func:`road_graph`.
    origins : GeoDataFrame
        Villages (polygons or points), metric CRS.
    targets : GeoDataFrame
        Markets or facilities (points), same CRS.
    origin_id, target_id : str
        Id columns.
    max_snap_m : float
        An origin or target farther than this from every road node is not routed (reported with
        status ``TOO_FAR``, never dropped); targets beyond it cannot be reached by road.

    Returns
    -------
    DataFrame
        ``<origin_id>, snap_m, network_m, network_target, straight_m, straight_target, status``
        aligned to ``origins``. ``network_m`` is NaN when the origin is too far from the network
        or no target can be reached from its part of the network.
    """
    origin_xy, target_xy = _points(origins), _points(targets)
    target_ids = targets[target_id].astype(str).to_numpy()
    out = pd.DataFrame({origin_id: origins[origin_id].to_numpy()}, index=origins.index)
    straight_m = np.full(len(origins), np.nan)
    straight_target = np.full(len(origins), None, dtype=object)
    if len(targets):
        distance, nearest = cKDTree(target_xy).query(origin_xy)
        straight_m, straight_target = distance, target_ids[nearest]
    origin_node, origin_snap = graph.snap(origin_xy)
    target_node, target_snap = graph.snap(target_xy)
    routed = target_snap <= max_snap_m
    network_m = np.full(len(origins), np.nan)
    network_target = np.full(len(origins), None, dtype=object)
    n = len(graph.nodes)
    if routed.any() and n:
        k = int(routed.sum())
        virtual = np.arange(n, n + k)
        extra = coo_matrix(
            (
                np.concatenate([target_snap[routed]] * 2) + 0.0,
                (
                    np.concatenate([virtual, target_node[routed]]),
                    np.concatenate([target_node[routed], virtual]),
                ),
            ),
            shape=(n + k, n + k),
        )
        # A zero-length snap would vanish from a sparse matrix (0 means "no edge"): use a tiny
        # positive length instead, far below any measured distance.
        extra.data[extra.data == 0] = 1e-9
        adjacency = (_pad(graph.adjacency, n + k) + extra.tocsr()).tocsr()
        dist, _, source = dijkstra(
            adjacency, directed=False, indices=virtual, min_only=True, return_predecessors=True
        )
        ok = (origin_snap <= max_snap_m) & (origin_node >= 0)
        found = ok & np.isfinite(dist[np.maximum(origin_node, 0)])
        node = origin_node[found]
        network_m[found] = origin_snap[found] + dist[node]
        network_target[found] = target_ids[np.flatnonzero(routed)[source[node] - n]]
    status = np.where(origin_snap > max_snap_m, TOO_FAR, np.where(np.isnan(network_m), UNREACHABLE, REACHED))
    if not len(targets):
        status[:] = NO_TARGET
    out["snap_m"] = origin_snap
    out["network_m"] = network_m
    out["network_target"] = network_target
    out["straight_m"] = straight_m
    out["straight_target"] = straight_target
    out["status"] = status
    return out


def _pad(matrix: csr_matrix, size: int) -> csr_matrix:
    coo = matrix.tocoo()
    return coo_matrix((coo.data, (coo.row, coo.col)), shape=(size, size)).tocsr()


def market_reach(
    roads: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    markets: gpd.GeoDataFrame,
    *,
    standard_only: bool = False,
    include_planned: bool = False,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    graph: RoadGraph | None = None,
) -> pd.DataFrame:
    """Distance from every village to the nearest market (see :func:`reach`).

    Parameters
    ----------
    standard_only : bool
        Count only markets meeting the standard (``standard_met``).
    include_planned : bool
        With ``standard_only``, also count markets with a ``planned_upgrade_year``.
    graph : RoadGraph, optional
        A prebuilt :func:`road_graph` of ``roads``.

    Returns
    -------
    DataFrame
        :func:`reach` columns plus ``commune_code`` and ``population``.

    Examples
    --------
    An L-shaped road (0, 0)–(1000, 0)–(1000, 1000) with the market at its far end; one village
    30 m from the road's start, one 5.66 km (4000 m × √2) from the nearest road vertex:

    >>> from shapely import LineString, Point
    >>> roads = gpd.GeoDataFrame({"segment_id": ["r1", "r2"], "surface": "be_tong"},
    ...                          geometry=[LineString([(0, 0), (1000, 0)]),
    ...                                    LineString([(1000, 0), (1000, 1000)])], crs=9214)
    >>> villages = gpd.GeoDataFrame({"village_id": ["v0", "v1"], "commune_code": "A"},
    ...                             geometry=[Point(0, 30), Point(5000, 5000)], crs=9214)
    >>> markets = gpd.GeoDataFrame({"market_id": ["m"], "standard_met": [True]},
    ...                            geometry=[Point(1000, 1000)], crs=9214)
    >>> table = market_reach(roads, villages, markets)
    >>> table[["village_id", "snap_m", "network_m", "network_target", "status"]].round(1)
      village_id  snap_m  network_m network_target   status
    0         v0    30.0     2030.0              m  reached
    1         v1  5656.9        NaN            NaN  too_far

    ``network_m`` is the snap (30 m) plus the road path (2 × 1000 m). With a 2.5 km radius only
    the village off the network is a gap:

    >>> reach_gaps(villages, table, radius_m=2500)["village_id"].tolist()
    ['v1']
    """
    chosen = markets
    if standard_only:
        keep = markets["standard_met"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        if include_planned and "planned_upgrade_year" in markets:
            keep |= markets["planned_upgrade_year"].notna().to_numpy()
        chosen = markets[keep]
    return _with_village_columns(
        villages,
        reach(
            graph or road_graph(roads),
            villages,
            chosen,
            origin_id="village_id",
            target_id="market_id",
            max_snap_m=max_snap_m,
        ),
    )


def facility_reach(
    roads: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame,
    kind: str,
    *,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    graph: RoadGraph | None = None,
) -> pd.DataFrame:
    """Distance from every village to the nearest facility of ``kind`` (school, health_station...)."""
    chosen = facilities[facilities["kind"].astype(str) == kind]
    return _with_village_columns(
        villages,
        reach(
            graph or road_graph(roads),
            villages,
            chosen,
            origin_id="village_id",
            target_id="facility_id",
            max_snap_m=max_snap_m,
        ),
    )


def _with_village_columns(villages: gpd.GeoDataFrame, table: pd.DataFrame) -> pd.DataFrame:
    table.insert(1, "commune_code", villages["commune_code"].to_numpy())
    population = (
        villages["population"] if "population" in villages else pd.Series(np.nan, index=villages.index)
    )
    table.insert(2, "population", population.to_numpy())
    return table


def reach_gaps(
    villages: gpd.GeoDataFrame, reach_table: pd.DataFrame, *, radius_m: float = DEFAULT_RADIUS_M
) -> gpd.GeoDataFrame:
    """The gap layer: villages farther than ``radius_m`` by road, or not reachable at all.

    Parameters
    ----------
    villages : GeoDataFrame
        The villages the reach table was computed for (same index).
    reach_table : DataFrame
        From :func:`market_reach` / :func:`facility_reach`.
    radius_m : float
        Radius along roads; an analysis assumption (``RADIUS_ASSUMPTION``), not an NTM rule.

    Returns
    -------
    GeoDataFrame
        The reach columns of the gap villages, ``radius_m``, ``assumption`` and village geometry.
    """
    gap = ~(reach_table["network_m"] <= radius_m)  # NaN (unreachable, too far) is a gap too
    out = reach_table[gap].copy()
    out["radius_m"] = radius_m
    out["assumption"] = RADIUS_ASSUMPTION
    return gpd.GeoDataFrame(out, geometry=villages.geometry.loc[out.index].to_numpy(), crs=villages.crs)


def villages_with_facility(villages: gpd.GeoDataFrame, facilities: gpd.GeoDataFrame, kind: str) -> pd.Series:
    """Whether each village holds a facility of ``kind`` (criterion 6.3: culture house per village).

    A facility counts for a village when it lies in the village polygon (point in polygon), or when
    its ``village_id`` names the village (point villages have no polygon to test).

    Returns
    -------
    Series of bool
        Aligned to ``villages``.

    Examples
    --------
    >>> from shapely import Point, box
    >>> villages = gpd.GeoDataFrame({"village_id": ["v0", "v1", "v2"]},
    ...                             geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), Point(500, 50)],
    ...                             crs=9214)
    >>> houses = gpd.GeoDataFrame({"kind": ["culture_house", "culture_house", "school"],
    ...                            "village_id": [None, "v2", None]},
    ...                           geometry=[Point(50, 50), Point(900, 900), Point(150, 50)], crs=9214)
    >>> villages_with_facility(villages, houses, "culture_house").tolist()
    [True, False, True]

    v0 holds a culture house, v1 only a school, and the point village v2 is named by one.
    """
    chosen = facilities[facilities["kind"].astype(str) == kind]
    has = pd.Series(False, index=villages.index)
    if "village_id" in chosen:
        named = set(chosen["village_id"].dropna().astype(str))
        has |= villages["village_id"].astype(str).isin(named)
    polygonal = villages.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if polygonal.any() and len(chosen):
        tree = shapely.STRtree(chosen.geometry.to_numpy())
        village_idx, _ = tree.query(villages.geometry.to_numpy()[polygonal], predicate="covers")
        inside = np.zeros(int(polygonal.sum()), dtype=bool)
        inside[village_idx] = True
        has.iloc[np.flatnonzero(polygonal)] |= inside
    return has


def rural_access_index(
    villages: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    surfaces: Iterable[str] | None = None,
    distance_m: float = RAI_DISTANCE_M,
) -> pd.DataFrame:
    r"""Rural Access Index: share of population within 2 km (straight line) of a concretized road.

    The World Bank method (SDG 9.1.1) with concretized roads as the all-season proxy. Population is
    placed at each village's representative point.

    .. math:: \mathrm{RAI} = \frac{\sum_{v:\,d(v, R_c) \le 2\,\mathrm{km}} p_v}{\sum_v p_v}

    Parameters
    ----------
    villages : GeoDataFrame
        With ``commune_code`` and ``population``; villages with no population are left out of
        both sums (``villages_without_population`` counts them).
    roads : GeoDataFrame
        ``roads`` layer, same metric CRS.
    surfaces : iterable of str, optional
        Concretized surfaces; vocabulary default.
    distance_m : float
        Straight-line distance (2 km in the RAI definition).

    Returns
    -------
    DataFrame
        ``unit_code, population, population_within, rai, villages_without_population, status`` per
        commune and one row ``unit_code = "district"``; ``rai`` NaN and ``not_assessed`` where no
        village has a population.
    """
    counted = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    hard = roads[roads["surface"].astype(str).isin(counted)].geometry.to_numpy()
    points = shapely.point_on_surface(villages.geometry.to_numpy())
    within = np.zeros(len(villages), dtype=bool)
    if len(hard):
        idx, _ = shapely.STRtree(hard).query(points, predicate="dwithin", distance=distance_m)
        within[idx] = True
    population = (
        pd.to_numeric(villages["population"], errors="coerce").to_numpy(dtype=float)
        if "population" in villages
        else np.full(len(villages), np.nan)
    )
    known = ~np.isnan(population)
    frame = pd.DataFrame(
        {
            "unit_code": villages["commune_code"].astype(str).to_numpy(),
            "population": np.where(known, population, 0.0),
            "population_within": np.where(known & within, population, 0.0),
            "villages_without_population": (~known).astype(int),
        }
    )
    table = frame.groupby("unit_code", as_index=False).sum()
    district = frame.drop(columns="unit_code").sum().to_frame().T
    district.insert(0, "unit_code", DISTRICT_UNIT)
    table = pd.concat([table, district], ignore_index=True)
    has = table["population"] > 0
    table["rai"] = np.where(has, table["population_within"] / table["population"].where(has, 1.0), np.nan)
    table["status"] = np.where(has, ASSESSED, NOT_ASSESSED)
    return table

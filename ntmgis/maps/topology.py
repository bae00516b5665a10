"""Compact, shared-border geometry for the offline maps (a TopoJSON-like encoding).

Adjacent communes (and the villages inside them) share their borders. Stored as GeoJSON every
border is written twice; here each border is one *arc* that polygons refer to by index, the way
TopoJSON does it (``~i`` = arc ``i`` walked backwards). Coordinates are WGS 84 quantized to a
fixed grid (``10**-decimals`` degree), delta-encoded and written as variable-length text
(:mod:`ntmgis.maps.compact`), so a step of a hundred metres takes three characters.

Simplification, when asked for, is applied per arc with its end points fixed, so two neighbours
keep exactly the same (simplified) border: simplifying polygons one by one would open slivers
between them. Each arc is simplified without crossing itself (``preserve_topology``), and a
polygon that simplification would still make invalid (two of its arcs crossing, a ring
collapsing) keeps its arcs unsimplified. The tolerance of a page is one pixel at its closest zoom
(:mod:`ntmgis.maps.detail`); only the drawing is simplified, never what is measured.

The encoding is deterministic: the same geometries in the same order give the same arcs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from .compact import decode_integers, encode_integers

__all__ = ["DEFAULT_DECIMALS", "encode_geometries", "decode_geometries", "arc_coordinates"]

#: 5 decimals of a degree ≈ 1.1 m at Tân Yên's latitude: finer than a district map can show at
#: its closest zoom (≈ 0.6 m per pixel at zoom 18), and twice as short as 6 decimals.
DEFAULT_DECIMALS = 5

_Point = tuple[int, int]


class _ArcStore:
    """Arcs in first-seen order, deduplicated in both directions."""

    def __init__(self) -> None:
        self.arcs: list[np.ndarray] = []
        self.closed: list[bool] = []
        self._index: dict[bytes, int] = {}

    def add(self, points: np.ndarray, *, closed: bool = False) -> int:
        key = points.tobytes()
        found = self._index.get(key)
        if found is not None:
            return found
        found = self._index.get(points[::-1].tobytes())
        if found is not None:
            return ~found
        self._index[key] = len(self.arcs)
        self.arcs.append(points)
        self.closed.append(closed)
        return len(self.arcs) - 1


def _quantize(xy: np.ndarray, scale: float) -> np.ndarray:
    if not np.isfinite(xy).all():  # a failed transformation gives inf
        raise ValueError("coordinates cannot be transformed to WGS 84; check the layer's CRS")
    q = np.round(xy * scale).astype(np.int64)
    if len(q) > 1:  # points that fall on one grid cell would give zero-length steps
        keep = np.r_[True, np.any(q[1:] != q[:-1], axis=1)]
        q = q[keep]
    return q


def _rings(polygon: shapely.Polygon) -> list[np.ndarray]:
    return [
        np.asarray(polygon.exterior.coords)[:, :2],
        *(np.asarray(r.coords)[:, :2] for r in polygon.interiors),
    ]


def _parts(geom: Any) -> list[Any]:
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type.startswith("Multi") or geom.geom_type == "GeometryCollection":
        return [g for g in geom.geoms if not g.is_empty]
    return [geom]


def _simplify(arcs: list[np.ndarray], closed: list[bool], tolerance: float) -> list[np.ndarray]:
    """Each arc simplified (one vectorised call), end points kept; too short arcs as they are."""
    if tolerance <= 0:
        return list(arcs)
    todo = [
        i
        for i, (points, ring) in enumerate(zip(arcs, closed, strict=True))
        if len(points) > (4 if ring else 2)
    ]
    out = list(arcs)
    if not todo:
        return out
    sizes = [len(arcs[i]) for i in todo]
    coords = np.concatenate([arcs[i] for i in todo]).astype(float)
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(len(todo)), sizes))
    lines = shapely.simplify(lines, tolerance, preserve_topology=True)
    for i, line in zip(todo, lines, strict=True):
        simplified = shapely.get_coordinates(line).astype(np.int64)
        # A closed arc is a whole ring: it must keep an area, else keep it as it was.
        out[i] = arcs[i] if closed[i] and len(simplified) < 4 else simplified
    return out


def encode_geometries(
    layers: Mapping[str, gpd.GeoSeries | Sequence[Any]],
    *,
    crs: Any = None,
    decimals: int = DEFAULT_DECIMALS,
    simplify: float = 0.0,
) -> dict[str, Any]:
    """Encode the geometries of several layers into one topology with shared arcs.

    Parameters
    ----------
    layers : mapping of str to GeoSeries
        Geometries per layer id, in the order of the layer's features. Polygons and lines may be
        ``Multi``; points are stored as quantized positions. A GeoSeries in another CRS is
        transformed to WGS 84 first (``crs`` names the CRS of plain sequences).
    crs : optional
        CRS of the geometries given as plain sequences (default: already WGS 84).
    decimals : int
        Quantization grid: ``10**-decimals`` degree.
    simplify : float
        Douglas–Peucker tolerance in grid units (0: none), applied once to each arc with its
        end points fixed and without crossing itself, so shared borders stay shared; a polygon
        left invalid keeps its original arcs.

    Returns
    -------
    dict
        ``{"scale": 10**decimals, "arcs": [text, ...], "layers": {id: [...]}}``; each arc's
        ``x0, y0, dx1, dy1, ...`` (grid units) as :func:`ntmgis.maps.compact.encode_integers`
        text (:func:`arc_coordinates` reads them back).
        A polygon feature is ``[[ring arc indices...] per ring] per polygon``, a line feature
        ``[arc index per part]``, a point feature ``[x, y]`` (grid units). An empty geometry is
        ``null``. Negative indices ``~i`` walk arc ``i`` backwards.
    """
    scale = 10**decimals
    quantized = {layer_id: _quantize_layer(layer_id, geoms, crs, scale) for layer_id, geoms in layers.items()}
    junctions = _junctions(
        ring
        for rows in quantized.values()
        for kind, polys in rows
        if kind == "polygon"
        for poly in polys
        for ring in poly
    )
    store = _ArcStore()
    out_layers = {
        layer_id: [_encode_feature(kind, polys, junctions, store) for kind, polys in rows]
        for layer_id, rows in quantized.items()
    }
    # Simplified after deduplication: each shared border is simplified once, for both sides.
    drawn = _simplify(store.arcs, store.closed, simplify)
    if simplify > 0:
        polygons = [
            feature
            for layer_id, rows in quantized.items()
            for (kind, _), feature in zip(rows, out_layers[layer_id], strict=True)
            if kind == "polygon"
        ]
        _keep_valid(drawn, store.arcs, polygons)
    arcs = [encode_integers(np.vstack([points[:1], np.diff(points, axis=0)]).ravel()) for points in drawn]
    return {"scale": scale, "arcs": arcs, "layers": out_layers}


def _keep_valid(drawn: list[np.ndarray], raw: list[np.ndarray], polygons: list[Any]) -> None:
    """Put back the unsimplified arcs of every polygon that simplification made invalid, until
    none is (an arc put back changes its other polygon only towards its original shape)."""
    pending = polygons
    while pending:
        invalid = [f for f in pending if not _polygon(f, drawn).is_valid]
        restored = {
            i if i >= 0 else ~i
            for f in invalid
            for poly in f
            for ring in poly
            for i in ring
            if drawn[i if i >= 0 else ~i] is not raw[i if i >= 0 else ~i]
        }
        for i in restored:
            drawn[i] = raw[i]
        uses = [{i if i >= 0 else ~i for poly in f for ring in poly for i in ring} for f in polygons]
        pending = [f for f, used in zip(polygons, uses, strict=True) if used & restored]


_Quantized = tuple[str, list[list[np.ndarray]]]


def _quantize_layer(
    layer_id: str, geoms: gpd.GeoSeries | Sequence[Any], crs: Any, scale: int
) -> list[_Quantized]:
    """Each feature as (kind, polygons of rings / line parts / one point) on the integer grid."""
    series = geoms if isinstance(geoms, gpd.GeoSeries) else gpd.GeoSeries(list(geoms), crs=crs)
    if series.crs is not None and not series.crs.equals("EPSG:4326"):
        series = series.to_crs(4326)
    rows: list[_Quantized] = []
    for geom in series:
        parts = _parts(geom)
        if not parts:
            rows.append(("empty", []))
        elif parts[0].geom_type == "Polygon":
            rows.append(("polygon", [[_quantize(r, scale) for r in _rings(p)] for p in parts]))
        elif parts[0].geom_type == "LineString":
            rows.append(("line", [[_quantize(np.asarray(p.coords)[:, :2], scale)] for p in parts]))
        elif parts[0].geom_type == "Point":
            rows.append(("point", [[_quantize(np.asarray(parts[0].coords)[:, :2], scale)]]))
        else:
            raise TypeError(f"layer {layer_id!r}: cannot encode a {parts[0].geom_type}")
    return rows


def _encode_feature(
    kind: str, polys: list[list[np.ndarray]], junctions: set[_Point], store: _ArcStore
) -> Any:
    """One quantized feature as arc indices (polygons, lines), a grid position (points) or None."""
    if kind == "empty":
        return None
    if kind == "point":
        x, y = polys[0][0][0]
        return [int(x), int(y)]
    if kind == "line":
        return [store.add(part[0]) for part in polys]
    return [[_ring_arcs(ring, junctions, store) for ring in poly] for poly in polys]


def _junctions(rings: Any) -> set[_Point]:
    """Points where borders meet or part: more than two distinct neighbours over all rings."""
    neighbours: dict[_Point, set[_Point]] = {}
    for ring in rings:
        pts = (
            [tuple(p) for p in ring[:-1].tolist()]
            if len(ring) > 1 and (ring[0] == ring[-1]).all()
            else [tuple(p) for p in ring.tolist()]
        )
        n = len(pts)
        for i, p in enumerate(pts):
            seen = neighbours.setdefault(p, set())
            seen.add(pts[i - 1])
            seen.add(pts[(i + 1) % n])
    return {p for p, seen in neighbours.items() if len(seen) > 2}


def _ring_arcs(ring: np.ndarray, junctions: set[_Point], store: _ArcStore) -> list[int]:
    closed = len(ring) > 1 and bool((ring[0] == ring[-1]).all())
    body = ring[:-1] if closed else ring
    n = len(body)
    if n < 3:
        return [store.add(ring)]
    cut = [i for i, p in enumerate(body.tolist()) if tuple(p) in junctions]
    if not cut:
        # A ring nobody else touches is one closed arc, started at its smallest point so that the
        # same ring met twice (a village that is also a gap village) is stored once.
        start = int(np.lexsort((body[:, 1], body[:, 0]))[0])
        rotated = np.vstack([body[start:], body[:start], body[start : start + 1]])
        return [store.add(rotated, closed=True)]
    rotated = np.vstack([body[cut[0] :], body[: cut[0]], body[cut[0] : cut[0] + 1]])
    positions = [c - cut[0] for c in cut] + [n]
    return [store.add(rotated[a : b + 1]) for a, b in zip(positions[:-1], positions[1:], strict=True)]


def arc_coordinates(topology: Mapping[str, Any]) -> list[np.ndarray]:
    """The points of every arc of :func:`encode_geometries` output, in grid units.

    Parameters
    ----------
    topology : mapping
        Output of :func:`encode_geometries` (arcs as text, or as plain lists of integers).

    Returns
    -------
    list of ndarray
        One ``(n, 2)`` int64 array per arc (divide by ``topology["scale"]`` for degrees).

    Examples
    --------
    >>> import shapely
    >>> topo = encode_geometries({"l": [shapely.LineString([(106.0, 21.0), (106.001, 21.0)])]})
    >>> arc_coordinates(topo)[0].tolist()
    [[10600000, 2100000], [10600100, 2100000]]
    """
    return [
        np.cumsum(
            (decode_integers(a) if isinstance(a, str) else np.asarray(a, dtype=np.int64)).reshape(-1, 2),
            axis=0,
        )
        for a in topology["arcs"]
    ]


def _arc_points(arcs: list[np.ndarray], index: int) -> np.ndarray:
    return arcs[index] if index >= 0 else arcs[~index][::-1]


def decode_geometries(topology: Mapping[str, Any], layer_id: str, kind: str) -> list[Any]:
    """Shapely geometries (WGS 84) of one layer of :func:`encode_geometries` output.

    The inverse of the encoding up to quantization (and simplification); used by tests and by
    anyone who wants the map's data back.

    Parameters
    ----------
    topology : mapping
        Output of :func:`encode_geometries`.
    layer_id : str
    kind : {"polygon", "line", "point"}
        Geometry kind of the layer (a point and a two-part line are both two integers; a
        polygon layer may hold points, as two integers).

    Returns
    -------
    list
        One geometry (or ``None``) per feature.
    """
    scale = topology["scale"]
    arcs = arc_coordinates(topology)
    out: list[Any] = []
    for feature in topology["layers"][layer_id]:
        if feature is None:
            out.append(None)
        elif kind == "point" or (kind == "polygon" and isinstance(feature[0], int)):
            # A polygon layer may hold points too (villages: contracts.yaml).
            out.append(shapely.Point(feature[0] / scale, feature[1] / scale))
        elif kind == "line":
            parts = [shapely.LineString(_arc_points(arcs, i) / scale) for i in feature]
            out.append(parts[0] if len(parts) == 1 else shapely.MultiLineString(parts))
        else:
            out.append(_polygon(feature, arcs, scale))
    return out


def _polygon(feature: Any, arcs: list[np.ndarray], scale: float = 1.0) -> Any:
    """The (multi)polygon of one encoded feature, from its arcs' points divided by ``scale``."""
    polygons = []
    for poly in feature:
        rings = []
        for ring in poly:
            pts = [_arc_points(arcs, i) for i in ring]
            rings.append(np.vstack([pts[0], *(p[1:] for p in pts[1:])]) / scale)
        polygons.append(shapely.Polygon(rings[0], rings[1:]))
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)

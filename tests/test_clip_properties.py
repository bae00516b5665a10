"""The line clipper against GEOS on detailed polygons: hundreds of vertices, concave, holes, parts.

The oracle is the assignment rule of :mod:`ntmgis.analysis.clip` computed with plain GEOS
overlays: a commune's piece of a line is ``(line ∩ commune) − (communes of lower code)``, and what
no commune holds is the piece outside. Where no line runs along a border and no polygons overlap,
this is exactly ``geopandas.overlay``; both are checked.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely import LineString

from ntmgis.analysis.clip import split_by_commune
from ntmgis.analysis.linecut import clip_lines, lines_outside

CRS = "EPSG:9214"
CELL = 1_000.0
EXAMPLES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fractal(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, levels: int) -> np.ndarray:
    """A rough polyline from ``a`` to ``b``: the graph of a function in the edge's frame."""
    f = np.zeros(2)
    scale = 0.08
    for _ in range(levels):
        mid = (f[:-1] + f[1:]) / 2 + rng.normal(0, scale, len(f) - 1)
        out = np.empty(2 * len(f) - 1)
        out[0::2], out[1::2] = f, mid
        f, scale = out, scale / np.sqrt(2)
    x = np.linspace(0, 1, len(f))
    f = np.clip(f, -0.12, 0.12) * np.minimum(1, np.minimum(x, 1 - x) * 5)
    d = b - a
    pts = a + x[:, None] * d + f[:, None] * np.array([-d[1], d[0]])
    pts[0], pts[-1] = a, b
    return pts


def detailed_tiling(seed: int, nx: int, ny: int, levels: int, enclave: str) -> tuple[gpd.GeoDataFrame, dict]:
    """Communes tiling a rectangle with fractal shared edges; an enclave carved out of the first.

    ``enclave``: ``"none"``, ``"gap"`` (a hole no commune fills) or ``"part"`` (a hole filled by
    a second part of the last commune: a MultiPolygon). Returns the frame and the shared edges.
    """
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(nx + 1) * CELL, np.arange(ny + 1) * CELL, indexing="ij")
    jit = rng.uniform(-0.15, 0.15, (2, nx + 1, ny + 1)) * CELL
    jit[0, [0, -1], :] = 0
    jit[1, :, [0, -1]] = 0
    corner = np.stack([gx + jit[0] + 500_000, gy + jit[1] + 2_300_000], axis=-1)
    h = {
        (i, j): _fractal(rng, corner[i, j], corner[i + 1, j], levels)
        for i in range(nx)
        for j in range(ny + 1)
    }
    v = {
        (i, j): _fractal(rng, corner[i, j], corner[i, j + 1], levels)
        for i in range(nx + 1)
        for j in range(ny)
    }
    polygons = []
    for i in range(nx):
        for j in range(ny):
            ring = np.concatenate(
                [h[i, j][:-1], v[i + 1, j][:-1], h[i, j + 1][::-1][:-1], v[i, j][::-1][:-1]]
            )
            polygons.append(shapely.Polygon(ring))
    if enclave != "none":
        centre = np.asarray(polygons[0].representative_point().coords[0])
        angle = np.sort(rng.uniform(0, 2 * np.pi, 40))
        radius = rng.uniform(0.05, 0.12, 40) * CELL
        hole = shapely.Polygon(centre + np.column_stack([np.cos(angle), np.sin(angle)]) * radius[:, None])
        if polygons[0].contains(hole) and hole.is_valid:
            polygons[0] = polygons[0].difference(hole)
            # With one commune the hole would be a part of the commune it is cut from (an invalid
            # MultiPolygon: parts sharing a whole ring), so it stays a gap.
            if enclave == "part" and len(polygons) > 1:
                polygons[-1] = shapely.MultiPolygon([polygons[-1], hole])
    codes = [f"C{k:02d}" for k in range(len(polygons))]
    # Codes in a shuffled order: the rule is by code, not by row.
    frame = gpd.GeoDataFrame({"commune_code": codes}, geometry=polygons, crs=CRS).sample(
        frac=1, random_state=seed
    )
    return frame.reset_index(drop=True), {"h": h, "v": v}


def random_ways(
    rng: np.random.Generator, communes: gpd.GeoDataFrame, edges: dict, n: int
) -> list[LineString]:
    """Long drifting walks, ways along a shared border, through a boundary vertex, across all."""
    xmin, ymin, xmax, ymax = communes.total_bounds
    ways = []
    for _ in range(n):
        k = int(rng.integers(2, 60))
        heading = np.cumsum(rng.normal(0, 0.4, k)) + rng.uniform(0, 2 * np.pi)
        step = rng.uniform(20, 120, k)
        step[0] = 0
        xy = np.column_stack([np.cumsum(step * np.cos(heading)), np.cumsum(step * np.sin(heading))])
        start = rng.uniform([xmin - 100, ymin - 100], [xmax + 100, ymax + 100])
        ways.append(LineString(start + xy))
    inner = [e for key, e in edges["v"].items() if 0 < key[0] < max(k[0] for k in edges["v"])]
    inner += [e for key, e in edges["h"].items() if 0 < key[1] < max(k[1] for k in edges["h"])]
    for edge in inner[:3]:
        lo = int(rng.integers(0, len(edge) // 2))
        ways.append(LineString(edge[lo : lo + int(rng.integers(2, len(edge) // 2))]))  # along the border
        vertex = edge[len(edge) // 3]
        d = rng.normal(size=2)
        ways.append(LineString([vertex - 150 * d, vertex, vertex + 150 * d]))  # through a vertex
    ways.append(LineString([(xmin - 50, ymin + 1), (xmax + 50, ymax - 1)]))  # across many communes
    ways.append(LineString([(xmin - 50, (ymin + ymax) / 2), (xmax + 50, (ymin + ymax) / 2 + 3)]))
    return ways


def oracle(ways: list[LineString], communes: gpd.GeoDataFrame) -> pd.Series:
    """(segment_id, commune_code or '') → m by GEOS overlays, lowest code first."""
    ordered = communes.sort_values("commune_code")
    out = {}
    for w, way in enumerate(ways):
        left = way
        for code, polygon in zip(ordered["commune_code"], ordered.geometry, strict=True):
            out[(f"w{w}", code)] = shapely.intersection(left, polygon).length
            left = shapely.difference(left, polygon)
        out[(f"w{w}", "")] = left.length
    return pd.Series(out)


def ours(ways: list[LineString], communes: gpd.GeoDataFrame) -> pd.Series:
    roads = gpd.GeoDataFrame({"segment_id": [f"w{k}" for k in range(len(ways))]}, geometry=ways, crs=CRS)
    pieces = split_by_commune(roads, communes)
    return (
        pieces.assign(code=pieces["commune_code"].fillna(""))
        .groupby(["segment_id", "code"])["length_m"]
        .sum()
    )


def assert_same(mine: pd.Series, expected: pd.Series, lengths: dict[str, float]) -> None:
    both = pd.concat([mine.rename("mine"), expected.rename("geos")], axis=1).fillna(0.0)
    tolerance = np.array([lengths[s] for s in both.index.get_level_values(0)]) * 1e-6 + 1e-5
    wrong = both[(both["mine"] - both["geos"]).abs() > tolerance]
    assert wrong.empty, wrong


@EXAMPLES
@given(
    seed=st.integers(0, 2**31),
    nx=st.integers(1, 3),
    ny=st.integers(1, 3),
    levels=st.integers(5, 7),
    enclave=st.sampled_from(["none", "gap", "part"]),
)
def test_property_pieces_follow_the_rule_on_detailed_polygons(seed, nx, ny, levels, enclave):
    communes, edges = detailed_tiling(seed, nx, ny, levels, enclave)
    assert communes.is_valid.all()
    assert shapely.get_num_coordinates(communes.geometry.to_numpy()).min() >= 4 * 2**levels - 4
    ways = random_ways(np.random.default_rng(seed + 1), communes, edges, 25)
    lengths = {f"w{k}": w.length for k, w in enumerate(ways)}
    assert_same(ours(ways, communes), oracle(ways, communes), lengths)


@EXAMPLES
@given(seed=st.integers(0, 2**31), levels=st.integers(5, 7))
def test_property_equals_geopandas_overlay_away_from_borders(seed, levels):
    communes, edges = detailed_tiling(seed, 3, 2, levels, "part")
    ways = random_ways(np.random.default_rng(seed), communes, {"h": {}, "v": {}}, 40)
    roads = gpd.GeoDataFrame({"segment_id": [f"w{k}" for k in range(len(ways))]}, geometry=ways, crs=CRS)
    pieces = gpd.overlay(roads, communes, how="intersection", keep_geom_type=True)
    expected = pieces.assign(length=pieces.length).groupby(["segment_id", "commune_code"])["length"].sum()
    mine = split_by_commune(roads, communes).dropna(subset=["commune_code"])
    mine = mine.groupby(["segment_id", "commune_code"])["length_m"].sum()
    lengths = {f"w{k}": w.length for k, w in enumerate(ways)}
    assert_same(mine, expected, lengths)


def test_the_exact_cut_handles_the_real_detail_without_geos():
    """Random ways on a detailed tiling are cut by the run cutter, not left to GEOS overlays."""
    communes, edges = detailed_tiling(3, 3, 3, 7, "none")
    ways = np.array(random_ways(np.random.default_rng(4), communes, {"h": {}, "v": {}}, 200))
    polygons = communes.geometry.to_numpy()
    seg, poly = shapely.STRtree(polygons).query(ways, predicate="intersects")
    pieces, exact = clip_lines(ways, polygons, seg, poly)
    assert exact.mean() > 0.99
    expected = shapely.length(shapely.intersection(ways[seg], polygons[poly]))
    assert np.allclose(shapely.length(pieces[exact]), expected[exact], rtol=1e-9, atol=1e-6)
    done, leftover, _ = lines_outside(ways, polygons, seg, poly)
    outside = shapely.length(shapely.difference(ways[done], communes.union_all()))
    assert np.allclose(shapely.length(leftover), outside, rtol=1e-9, atol=1e-6)


def test_a_way_along_a_shared_border_goes_to_the_lower_code_once():
    communes, edges = detailed_tiling(11, 2, 1, 6, "none")
    border = edges["v"][1, 0]
    way = LineString(border[5:40])
    roads = gpd.GeoDataFrame({"segment_id": ["b"]}, geometry=[way], crs=CRS)
    pieces = split_by_commune(roads, communes)
    assert pieces["length_m"].sum() == pytest.approx(way.length, rel=1e-9)
    assert pieces["commune_code"].tolist() == ["C00"]

"""The map draws detailed boundaries simplified on the shared topology (issue 12 part 3).

Simplified communes still tile (each shared arc is simplified once, for both neighbours), every
simplified polygon is valid with nearly its area, detailed real boundaries lose vertices, and
the page says at which tolerance it draws.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from ntmgis.maps import MapClass, MapLayer, Theme, render_map
from ntmgis.maps.detail import METRES_PER_DEGREE, drawing_detail, pixel_metres
from ntmgis.maps.topology import arc_coordinates, decode_geometries, encode_geometries

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from realistic import fractal_communes  # noqa: E402

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
REAL_COMMUNES = REAL / "tan_yen_area_communes_2025_sapnhap.geojson"
SCALE = 100_000
_DATA = re.compile(
    r'<script type="application/json" id="ntmgis-data">(.*?)</script>', re.S
)  # the default 5-decimal grid


def _grid(metres: float) -> float:
    return metres * SCALE / METRES_PER_DEGREE


def _arcs(topology: dict, feature: list) -> list[np.ndarray]:
    arcs = arc_coordinates(topology)
    return [arcs[i] if i >= 0 else arcs[~i][::-1] for poly in feature for ring in poly for i in ring]


def _check_tiling(original: gpd.GeoSeries, metres: float) -> tuple[list, list]:
    """Encode plain and simplified; assert the simplified tile as the plain do, valid, same area."""
    plain = decode_geometries(encode_geometries({"c": original}), "c", "polygon")
    topology = encode_geometries({"c": original}, simplify=_grid(metres))
    drawn = decode_geometries(topology, "c", "polygon")
    assert all(s.is_valid for s in drawn)
    # No gap, no overlap: the union is the sum (as for the unsimplified ones, up to the quantum).
    union = shapely.union_all(drawn)
    assert abs(union.area - sum(s.area for s in drawn)) <= 1e-9 * union.area
    assert union.area == pytest.approx(shapely.union_all(plain).area, rel=1e-3)
    for before, after in zip(plain, drawn, strict=True):
        assert after.area == pytest.approx(before.area, rel=0.01)
    return plain, drawn


@pytest.fixture(scope="module")
def fractal() -> gpd.GeoSeries:
    return fractal_communes(9, seed=3).geometry


def test_fractal_communes_still_tile_with_their_shared_arcs_identical(fractal):
    plain, drawn = _check_tiling(fractal, 5.0)
    assert sum(shapely.get_num_coordinates(drawn)) < 0.8 * sum(shapely.get_num_coordinates(plain))
    topology = encode_geometries({"c": fractal}, simplify=_grid(5.0))
    features = topology["layers"]["c"]
    # Neighbours share arcs by index: a border is the same points walked both ways.
    for a in range(len(features)):
        for b in range(a + 1, len(features)):
            used_a = {i if i >= 0 else ~i for poly in features[a] for ring in poly for i in ring}
            used_b = {i if i >= 0 else ~i for poly in features[b] for ring in poly for i in ring}
            if drawn[a].touches(drawn[b]) and drawn[a].intersection(drawn[b]).length > 0:
                assert used_a & used_b
    for feature, shape in zip(features, drawn, strict=True):
        ring = np.vstack([p if k == 0 else p[1:] for k, p in enumerate(_arcs(topology, feature))])
        assert np.allclose(ring / SCALE, np.asarray(shape.exterior.coords))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 6), metres=st.floats(0.5, 30.0))
def test_any_fractal_tiling_simplifies_to_a_valid_tiling(seed, n, metres):
    _check_tiling(fractal_communes(n, seed=seed).geometry, metres)


def test_a_crossing_simplification_falls_back_to_the_original_arcs():
    # A thin inlet: simplifying the outer arc at 50 m would cut through the inner ring's arcs.
    x, y = 106.10, 21.40
    outer = [(x, y), (x + 0.01, y), (x + 0.01, y + 0.0052), (x + 0.005, y + 0.0049), (x, y + 0.005)]
    inner = [(x + 0.004, y + 0.0045), (x + 0.006, y + 0.0045), (x + 0.005, y + 0.0048)]
    shape = shapely.Polygon(outer, [inner])
    (drawn,) = decode_geometries(encode_geometries({"c": [shape]}, simplify=_grid(50.0)), "c", "polygon")
    assert drawn.is_valid
    assert drawn.area == pytest.approx(shape.area, rel=0.05)


@pytest.mark.skipif(not REAL_COMMUNES.exists(), reason="real 2025 polygons not available")
def test_real_detailed_communes_lose_vertices_and_stay_a_tiling():
    real = gpd.read_file(REAL_COMMUNES).to_crs(9214).geometry
    plain, drawn = _check_tiling(real, drawing_detail((105.5, 21.0, 106.1, 21.5)).tolerance_m)
    before = int(shapely.get_num_coordinates(plain).sum())
    after = int(shapely.get_num_coordinates(drawn).sum())
    assert after < 0.8 * before


def test_the_tolerance_is_one_pixel_at_the_closest_zoom():
    district = drawing_detail((106.02, 21.31, 106.19, 21.47))
    province = drawing_detail((105.5, 21.0, 106.1, 21.5))
    assert province.max_zoom < district.max_zoom
    assert province.tolerance_m == pytest.approx(pixel_metres(province.max_zoom, 21.25), abs=0.01)
    assert pixel_metres(16, 21.4) == pytest.approx(2 * pixel_metres(17, 21.4))


def test_the_page_draws_simplified_and_says_so(fractal):
    layer = MapLayer(
        "communes",
        "Xã",
        "polygon",
        fractal,
        [f"{i:02d}" for i in range(len(fractal))],
        ["x"] * len(fractal),
        [Theme("t", "T", ["a"] * len(fractal), [MapClass("a", "A", "#000000")])],
    )
    full = render_map([layer], title="t", simplify=0.0)
    drawn = render_map([layer], title="t", lang="en")
    closest = render_map([layer], title="t", lang="en", max_zoom=15)
    arcs = [json.loads(_DATA.search(html).group(1))["topology"]["arcs"] for html in (full, drawn, closest)]
    sizes = [sum(map(len, a)) for a in arcs]
    assert sizes[2] < 0.8 * sizes[0] and sizes[1] < 0.95 * sizes[0]
    assert "about one pixel at the closest zoom, 15" in closest
    assert '"drawing":null' in full
    assert "Boundaries and lines are drawn simplified" in drawn and '"max_zoom":' in drawn

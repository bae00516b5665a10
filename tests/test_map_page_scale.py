"""A detailed district's page: simplified within its tolerance on the shared topology, roads as
long as they are, compact texts read back in the browser (issue 12 part 3).

The district is the province benchmark's generator at small scale (``benchmarks/realistic.py``):
fractal communes of ~1,500 vertices and OSM-like ways.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from ntmgis.maps import MapClass, MapLayer, Theme, compact, render_map
from ntmgis.maps.compact import compact_texts, decode_integers, encode_integers
from ntmgis.maps.detail import drawing_detail
from ntmgis.maps.page import Field
from ntmgis.maps.topology import decode_geometries

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from realistic import fractal_communes, osm_like_ways  # noqa: E402

_DATA = re.compile(r'<script type="application/json" id="ntmgis-data">(.*?)</script>', re.S)
CLASSES = ["huyen", "xa", "lien_thon", "truc_thon", "ngo_xom", "noi_dong"]
#: Half the diagonal of a grid cell of the page (10**-5 degree ≈ 1.1 m): what quantization moves.
QUANTUM_M = 0.8


@pytest.fixture(scope="module")
def district() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    communes = fractal_communes(6, seed=3)
    roads = osm_like_ways(communes, 1_500, seed=3)
    return communes, roads


def _page(communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> str:
    classes = [MapClass(c, c, "#555555") for c in CLASSES]
    road_classes = [str(c) for c in roads["road_class"]]
    layers = [
        MapLayer(
            "communes",
            "Xã",
            "polygon",
            communes.geometry,
            list(communes["commune_code"]),
            list(communes["name"]),
            [Theme("none", "Xã", ["x"] * len(communes), [MapClass("x", "Xã", "#d9d9d9")])],
            searchable=True,
        ),
        MapLayer(
            "roads",
            "Đường",
            "line",
            roads.geometry,
            list(roads["segment_id"]),
            ["Đường " + c for c in road_classes],  # unnamed roads: their class, repeated
            [Theme("class", "Cấp", road_classes, classes)],
            fields=[Field("Mã đoạn", list(roads["segment_id"])), Field("Cấp", road_classes, "category")],
            searchable=True,
        ),
    ]
    return render_map(layers, title="Huyện chi tiết", note="Dữ liệu tổng hợp")


@pytest.fixture(scope="module")
def page_html(district: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compact, "COMPACT_FROM", 100)  # the district's 1,500 roads take the big-page form
        return _page(*district)


def _data(html: str) -> dict:
    found = _DATA.search(html)
    assert found is not None
    return json.loads(found.group(1))


def _tolerance_m(communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> float:
    both = gpd.GeoSeries([*communes.geometry, *roads.geometry], crs=communes.crs).to_crs(4326)
    return drawing_detail(tuple(both.total_bounds)).tolerance_m


def test_boundaries_are_simplified_within_the_tolerance(district, page_html):
    communes, roads = district
    tolerance = _tolerance_m(communes, roads)
    data = _data(page_html)
    drawn = gpd.GeoSeries(decode_geometries(data["topology"], "communes", "polygon"), crs=4326)
    drawn = drawn.to_crs(communes.crs)
    original = communes.set_index("commune_code").geometry.loc[data["layers"][0]["keys"]]
    # Each drawn boundary within one tolerance (plus the grid's half cell) of the real one ...
    for before, after in zip(original, drawn, strict=True):
        assert shapely.hausdorff_distance(before.boundary, after.boundary) <= tolerance + QUANTUM_M
    # ... and lighter (the fractal's ~20 m wiggles are visible at one pixel of zoom 17: most stay).
    assert (
        shapely.get_num_coordinates(drawn.values).sum() < shapely.get_num_coordinates(original.values).sum()
    )


def test_neighbours_share_identical_simplified_arcs(district, page_html):
    data = _data(page_html)
    features = data["topology"]["layers"]["communes"]
    uses = Counter(i if i >= 0 else ~i for f in features for poly in f for ring in poly for i in ring)
    assert max(uses.values()) == 2 and 2 in uses.values()  # an inner border: one arc, both sides
    drawn = decode_geometries(data["topology"], "communes", "polygon")
    assert all(p.is_valid for p in drawn)
    # No gap, no overlap: the drawn communes tile their union.
    union = shapely.union_all(drawn)
    assert union.area == pytest.approx(sum(p.area for p in drawn), rel=1e-9)
    hull = shapely.Polygon(shapely.get_exterior_ring(union))
    assert union.area == pytest.approx(hull.area, rel=1e-9)  # no hole between neighbours


def test_roads_keep_their_length_per_class(district, page_html):
    communes, roads = district
    data = _data(page_html)
    layer = data["layers"][1]
    theme = layer["themes"][0]
    drawn = gpd.GeoSeries(decode_geometries(data["topology"], "roads", "line"), crs=4326).to_crs(communes.crs)
    drawn_class = [theme["classes"][v]["code"] for v in theme["values"]]
    real = roads.set_index("segment_id").loc[layer["keys"]]
    for code in set(drawn_class):
        mask = np.array(drawn_class) == code
        assert (real["road_class"].to_numpy()[mask] == code).all()
        # Simplification at ~1 px shortens a line by far less than 1 %.
        assert drawn[mask].length.sum() == pytest.approx(real.geometry[mask].length.sum(), rel=0.01)


def test_big_layers_write_repeated_texts_once(page_html):
    roads = _data(page_html)["layers"][1]
    assert roads["fields"][0]["values"] == "=keys"
    assert set(roads["names"]) == {"dict", "index"} and len(roads["names"]["dict"]) <= len(CLASSES)
    assert all(isinstance(a, str) for a in _data(page_html)["topology"]["arcs"])


def test_compact_forms_round_trip():
    rng = np.random.default_rng(0)
    values = rng.integers(-(2**45), 2**45, 500)
    assert (decode_integers(encode_integers(values)) == values).all()
    assert compact_texts(["a"] * 5, list("vwxyz"), minimum=10) == ["a"] * 5  # small: plain
    assert compact_texts(list("vwxyz"), list("vwxyz"), minimum=1) == "=keys"
    assert compact_texts(list("abcde"), list("vwxyz"), minimum=1) == list("abcde")  # no repeats


def test_compact_page_works_in_the_browser(open_map, page_html, district, tmp_path):
    path = tmp_path / "district.html"
    path.write_text(page_html, encoding="utf-8")
    page, requests, console_errors, page_errors = open_map(path)
    page.wait_for_function("window.ntmgis && window.ntmgis.ready")
    assert not requests and not console_errors and not page_errors
    _, roads = district
    key = str(sorted(roads["segment_id"])[0])
    road_class = str(roads.set_index("segment_id").loc[key, "road_class"])
    found = page.evaluate("(q) => window.ntmgis.search(q)", "Đường " + road_class)
    assert found and {layer for layer, _ in found} == {"roads"}  # names read from the dictionary
    page.evaluate("(k) => window.ntmgis.select('roads', k)", key)
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    assert popup.locator(".ntmgis-popup-title").inner_text() == "Đường " + road_class
    assert key in popup.inner_text()  # the "=keys" field, expanded
    n = page.evaluate("() => window.ntmgis.layers.roads.getLayers().length")
    assert n == len(roads)
    assert not page_errors


@pytest.fixture(scope="module")
def merged_html(district: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compact, "COMPACT_FROM", 100)
        patch.setattr(compact, "MERGE_LINES_FROM", 100)  # the district's roads drawn as at province scale
        return _page(*district)


def test_merged_roads_reach_every_road(open_map, merged_html, district, tmp_path):
    """A big line layer is a few merged lines; a click finds the nearest road, search selects one."""
    communes, roads = district
    data = _data(merged_html)
    assert data["layers"][1]["merged"] is True and data["layers"][0].get("merged") is False
    path = tmp_path / "merged.html"
    path.write_text(merged_html, encoding="utf-8")
    page, requests, console_errors, page_errors = open_map(path)
    page.wait_for_function("window.ntmgis && window.ntmgis.ready")
    assert not requests and not console_errors and not page_errors
    lines = page.evaluate(
        "() => window.ntmgis.layers.roads.getLayers().map((l) => [l.ntmgisOwners.length, l._latlngs.length])"
    )
    assert len(lines) < len(roads) / 10  # merged ...
    drawn_parts = sum(len(g) for g in data["topology"]["layers"]["roads"])
    assert sum(n for n, _ in lines) == sum(m for _, m in lines) == drawn_parts  # ... and none dropped
    # A click on a vertex of a road opens the popup of the nearest road (that one, or one touching it).
    keys = data["layers"][1]["keys"]
    drawn = decode_geometries(data["topology"], "roads", "line")
    for k in (0, len(keys) // 2, len(keys) - 1):
        lon, lat = shapely.get_coordinates(drawn[k])[1]
        page.evaluate(  # as Leaflet does: a click on the merged line that draws that road
            """([k, lon, lat]) => window.ntmgis.layers.roads.getLayers()
                .find((l) => l.ntmgisOwners.includes(k)).fire("click", {latlng: L.latLng(lat, lon)}, true)""",
            [k, lon, lat],
        )
        popup = page.locator(".leaflet-popup-content .ntmgis-popup")
        popup.wait_for(state="visible")
        found = popup.get_attribute("data-key")
        point = shapely.Point(lon, lat)
        nearest = min(shapely.distance(point, g) for g in drawn)
        assert shapely.distance(point, drawn[keys.index(found)]) <= nearest + 1e-5, (keys[k], found)
    # Search and select reach a road that is not a Leaflet layer of its own: it is drawn on its own.
    key = keys[len(keys) // 3]
    page.evaluate("(k) => window.ntmgis.select('roads', k)", key)
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    assert popup.get_attribute("data-key") == key
    assert page.evaluate("(k) => window.ntmgis.map.hasLayer(window.ntmgis.feature('roads', k))", key)
    assert page.evaluate("(k) => window.ntmgis.feature('roads', k).options.color", key) == "#00b4d8"
    found = page.evaluate("(q) => window.ntmgis.search(q)", "Đường " + str(roads["road_class"].iloc[0]))
    assert found and {layer for layer, _ in found} == {"roads"}
    assert not page_errors and not console_errors

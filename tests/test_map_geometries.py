"""Every geometry the layer contracts allow is drawn (``contracts.yaml``): villages as points, as
polygons or both, and the gap layers built from them. A page with any script error fails.

Regression: village points made ``ntmgis map`` write a blank page (``poly.map is not a function``).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from ntmgis.assessment import assess
from ntmgis.io import write_text_atomic
from ntmgis.maps import build_planner_map, build_planner_png
from ntmgis.maps.page import MapClass, MapLayer, Theme, render_map
from ntmgis.maps.static_image import render_png
from ntmgis.maps.topology import decode_geometries, encode_geometries

COUNTS = "Object.fromEntries(Object.entries(window.ntmgis.layers).map(([k, v]) => [k, v.getLayers().length]))"


def _as_points(workspace, every: int = 1):
    """The workspace with every ``every``-th village replaced by a point inside its polygon."""
    villages = workspace.layer("villages").copy()
    chosen = villages.index[::every]
    villages.loc[chosen, "geometry"] = villages.loc[chosen].geometry.representative_point()
    return workspace.with_layers(villages=villages)


@pytest.fixture(scope="module")
def point_villages(sample_workspace):
    workspace = _as_points(sample_workspace)
    return workspace, assess(workspace)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_village_points_are_drawn_without_script_errors(open_map, point_villages, tmp_path, lang):
    workspace, assessment = point_villages
    html = build_planner_map(workspace, assessment, lang=lang)
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "points.html", html))
    assert page_errors == []
    assert page.evaluate("window.ntmgis && window.ntmgis.ready") is True
    counts = page.evaluate(COUNTS)
    assert counts["communes"] == len(workspace.layer("communes"))
    assert counts["villages"] == len(workspace.layer("villages"))
    for name in ("market_gaps", "villages_without_culture_house"):
        frame = getattr(assessment, name)
        assert frame is not None and set(frame.geom_type) == {"Point"}
        assert counts[name] == len(frame) > 0
    # A village point is a circle marker, a commune an area.
    key = str(workspace.layer("villages")["village_id"].iloc[0])
    assert page.evaluate("(k) => !!window.ntmgis.feature('villages', k).getLatLng", key)
    assert page.evaluate("(k) => !window.ntmgis.feature('villages', k).getBounds", key)
    page.locator('.ntmgis-layer[data-layer="villages"] .ntmgis-layer-toggle').check()
    page.locator('.ntmgis-layer[data-layer="market_gaps"] .ntmgis-layer-toggle').check()
    page.evaluate("(k) => window.ntmgis.select('villages', k)", key)
    page.locator(".leaflet-popup-content .ntmgis-popup").wait_for(state="visible")
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_mixed_point_and_polygon_villages(open_map, sample_workspace, sample_assessment, tmp_path):
    workspace = _as_points(sample_workspace, every=2)
    html = build_planner_map(workspace, sample_assessment)
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "mixed.html", html))
    villages = workspace.layer("villages")
    counts = page.evaluate(COUNTS)
    assert counts["villages"] == len(villages)
    kinds = page.evaluate(
        "Object.values(window.ntmgis.layers.villages._layers).map((f) => f.getBounds ? 'area' : 'point')"
    )
    assert kinds.count("point") == len(villages.index[::2])
    assert kinds.count("area") == len(villages) - len(villages.index[::2])
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_point_villages_png(point_villages, png_stats):
    workspace, assessment = point_villages
    png = build_planner_png(workspace, assessment, dpi=60)
    stats = png_stats(png)
    assert stats["colours"] >= 12 and stats["dominant_share"] < 0.8, stats


def test_png_draws_points_among_areas_and_as_outlines():
    geometry = [shapely.box(0, 0, 1000, 1000), shapely.Point(1500, 500)]
    series = gpd.GeoSeries(geometry, crs="EPSG:9214")
    theme = Theme("t", "T", ["a", "a"], [MapClass("a", "A", "#d73027")])
    layers = [
        MapLayer("areas", "Areas", "polygon", series, ["1", "2"], ["x", "y"], [theme]),
        MapLayer("gaps", "Gaps", "polygon", series, ["1", "2"], ["x", "y"], [theme], style={"outline": True}),
    ]
    assert render_png(layers, title="t").startswith(b"\x89PNG")


def test_topology_keeps_points_of_a_polygon_layer():
    series = gpd.GeoSeries([shapely.box(0, 0, 0.01, 0.01), shapely.Point(0.02, 0.005)], crs="EPSG:4326")
    theme = Theme("t", "T", ["a", "a"], [MapClass("a", "A", "#d73027")])
    html = render_map([MapLayer("v", "V", "polygon", series, ["1", "2"], ["x", "y"], [theme])], title="t")
    assert "ntmgis-data" in html
    decoded = decode_geometries(encode_geometries({"v": series}), "v", "polygon")
    assert [g.geom_type for g in decoded] == ["Polygon", "Point"]

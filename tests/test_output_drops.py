"""No output drops a feature silently (issue 15 part 3b): features in = drawn + reported.

Each output gets an invalid zone (a self-crossing polygon, repaired and drawn; one with a NaN
corner, not drawable), an empty village geometry and a NaN point; what it cannot draw is one
problem per reason, a line of the page's sources panel (vi and en) and a count in the page data.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Point, Polygon

from ntmgis.export import LayerStyle, undrawn_in_export, write_gpkg
from ntmgis.io import write_text_atomic
from ntmgis.io.drawable import drawable, undrawn_problems
from ntmgis.maps.drops import drawable_layers
from ntmgis.maps.folium_map import layers_to_folium
from ntmgis.maps.page import MapClass, MapLayer, Theme, render_map
from ntmgis.maps.static_image import print_map
from ntmgis.problems import feature_words

COUNTS = "Object.fromEntries(Object.entries(window.ntmgis.layers).map(([k, v]) => [k, v.getLayers().length]))"
X, Y = 106.2, 21.3
SQUARE = Polygon([(X, Y), (X + 0.01, Y), (X + 0.01, Y + 0.01), (X, Y + 0.01)])
BOWTIE = Polygon([(X, Y), (X + 0.02, Y + 0.02), (X + 0.02, Y), (X, Y + 0.02)])
with np.errstate(invalid="ignore"):  # shapely warns of the NaN it is asked for
    NAN_ZONE = Polygon([(X, Y), (np.nan, Y), (X + 0.01, Y + 0.01)])


def _layer(layer_id, kind, geometries):
    n = len(geometries)
    theme = Theme("t", "T", ["a"] * n, [MapClass("a", "A", "#123456")])
    return MapLayer(
        layer_id,
        f"Lớp {layer_id}",
        kind,
        gpd.GeoSeries(geometries, crs=4326),
        [f"{layer_id}{i}" for i in range(n)],
        [f"{layer_id} {i}" for i in range(n)],
        [theme],
    )


LAYERS = [
    _layer("zones", "polygon", [SQUARE, BOWTIE, NAN_ZONE]),
    _layer("villages", "polygon", [SQUARE, Polygon()]),
    _layer("markets", "point", [Point(X, Y), Point(np.nan, np.nan)]),
]
IN = {"zones": 3, "villages": 2, "markets": 2}
REPORTED = {"zones": 1, "villages": 1, "markets": 1}


def test_each_reason_is_told_apart():
    assert drawable([SQUARE, BOWTIE, NAN_ZONE, Polygon(), None, Point(X, Y)], "polygon").tolist() == [
        "",
        "",  # repaired by make_valid: drawn
        "not_finite",
        "empty",
        "empty",
        "wrong_type",
    ]


def test_problems_count_and_name_the_features_in_both_languages():
    reasons = np.array(["", "empty", "not_finite", "empty"], dtype=object)
    problems = undrawn_problems(reasons, ["a", "b", "c", "d"], layer="villages", output="map.html")
    assert [(p.key, p.count, p.feature) for p in problems] == [
        ("problems.output_geometry_empty", 2, "b, d"),
        ("problems.output_geometry_not_finite", 1, "c"),
    ]
    assert all(p.text("vi") != p.text("en") and p.file == "map.html" for p in problems)


def test_drawable_layers_keep_every_feature_and_count_the_undrawn():
    kept, problems, undrawn = drawable_layers(LAYERS)
    assert undrawn == REPORTED
    assert [len(layer.keys) for layer in kept] == list(IN.values())  # popups and search keep them
    assert sum(p.count for p in problems) == sum(REPORTED.values())


def _config(html):
    found = re.search(r'<script id="ntmgis-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1)) if found else None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_web_map_draws_or_reports_every_feature(open_map, tmp_path, lang):
    html = render_map(LAYERS, title="Thử", lang=lang)
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "m.html", html))
    assert page.evaluate("window.ntmgis && window.ntmgis.ready") is True
    drawn = page.evaluate(COUNTS)
    undrawn = page.evaluate("JSON.parse(document.getElementById('ntmgis-config').textContent).undrawn")
    assert undrawn == REPORTED
    for layer_id, total in IN.items():
        assert drawn[layer_id] + undrawn.get(layer_id, 0) == total, layer_id
    sources = page.locator("#ntmgis-sources li, .ntmgis-sources li").all_inner_texts()
    said = [line for line in sources if "Lớp villages" in line]
    # The feature as the page's language writes it (Problem.feature_text): the words of place of a
    # feature are translated, and this layer's names read as such ("villages 1" is "thôn 1").
    assert len(said) == 1 and feature_words("villages 1", lang) in said[0]
    word = {"vi": "hình học rỗng", "en": "an empty one"}[lang]
    assert word in said[0]
    assert (requests, console_errors, page_errors) == ([], [], [])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_print_map_draws_or_reports_every_feature(lang):
    drawn = print_map(LAYERS, title="Thử", lang=lang, dpi=40)
    assert dict(drawn.undrawn) == REPORTED
    assert sum(p.count for p in drawn.problems) == sum(REPORTED.values())
    credits = [t.get_text() for t in drawn.figure.texts if "Lớp villages" in t.get_text()]
    assert len(credits) == 1 and {"vi": "hình học rỗng", "en": "an empty one"}[lang] in credits[0]
    # what is drawn: the drawable zones (the repaired bow tie too) and the one point
    axes = drawn.figure.axes[0]
    assert len(axes.collections) >= 1
    assert drawn.save("png")[:4] == b"\x89PNG"


def test_the_geopackage_keeps_every_row_and_reports_the_undrawable(tmp_path):
    frames = {
        layer.id: gpd.GeoDataFrame({"feature_id": list(layer.keys)}, geometry=layer.geometry, crs=4326)
        for layer in LAYERS
    }
    kinds = {layer.id: layer.kind for layer in LAYERS}
    styles = {name: [LayerStyle(name, "feature_id", (), kinds[name], True)] for name in frames}
    path = write_gpkg(frames, tmp_path / "k.gpkg", styles={})
    problems = undrawn_in_export(frames, styles=styles, output=str(path))
    reported = {name: sum(p.count for p in problems if p.layer == name) for name in frames}
    assert reported == REPORTED
    assert {p.feature for p in problems} == {"zones2", "villages1", "markets1"}
    for name, frame in frames.items():
        with np.errstate(invalid="ignore"):  # the NaN zone is read back as it was written
            back = pyogrio.read_dataframe(path, layer=name)
        assert len(back) == len(frame) == IN[name]  # no row dropped: rows in = rows written
        drawable_back = int((drawable(back.geometry.to_numpy(), kinds[name]) == "").sum())
        assert drawable_back + reported[name] == IN[name]


def test_export_prints_what_it_cannot_draw(tmp_path, capsys):
    from ntmgis.cli import main

    assert main(["export", "--gpkg", str(tmp_path / "k.gpkg")]) == 0
    assert "không vẽ được" not in capsys.readouterr().err  # the sample draws every feature


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_folium_map_draws_or_reports_every_feature(open_map, tmp_path, lang):
    fmap = layers_to_folium(LAYERS, title="Thử", lang=lang)
    assert fmap.ntmgis_undrawn == REPORTED
    assert sum(p.count for p in fmap.ntmgis_problems) == sum(REPORTED.values())
    html = fmap.get_root().render()
    assert {"vi": "hình học rỗng", "en": "an empty one"}[lang] in html
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "f.html", html))
    assert page_errors == []
    note = page.locator(".ntmgis-note").inner_text()
    assert "Lớp villages" in note and "Lớp markets" in note and "Lớp zones" in note

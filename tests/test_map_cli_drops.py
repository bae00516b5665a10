"""``ntmgis map`` says on its own output what its page and print could not draw (issue 15 part 3b).

The page leaves an undrawable feature out and lists it in its sources panel
(:mod:`ntmgis.maps.drops`); the command prints the same problems as ``validate`` prints its own
(grouped, in ``--lang``), exits 0, and 1 with ``--strict``. The loader and the assessment never
hand the map such a feature today (empty geometries are left out on reading, non-finite ones are
refused), so the workspace here is the sample with two zones broken after loading: one empty, one
with a NaN corner; the assessment is the sample's own.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from ntmgis.cli import main
from ntmgis.maps.commune_map import render_commune_map
from ntmgis.maps.drops import drawable_layers, undrawn_lines
from ntmgis.maps.page import MapClass, MapLayer, Theme, render_map
from ntmgis.problems import DataError

REASONS = {
    "vi": ("hình học rỗng", "không phải là số"),
    "en": ("an empty one", "not a number"),
}


@pytest.fixture(scope="module")
def broken(sample_workspace):
    """The sample with zone 0 empty and zone 1 given a NaN corner (bypassing the loader's checks)."""
    zones = sample_workspace.layer("production_zones")
    x, y = zones.geometry.iloc[1].bounds[:2]
    zones.loc[zones.index[0], "geometry"] = Polygon()
    with np.errstate(invalid="ignore"):  # shapely warns of the NaN it is asked for
        zones.loc[zones.index[1], "geometry"] = Polygon([(x, y), (np.nan, y), (x + 100, y + 100)])
    layers = {**sample_workspace._layers, "production_zones": zones}
    return dataclasses.replace(sample_workspace, _layers=layers), [str(n) for n in zones["name"].iloc[:2]]


@pytest.fixture
def run_map(monkeypatch, capsys, broken, sample_assessment, tmp_path):
    """``ntmgis map`` of the broken workspace: (exit code, stdout, stderr, page path)."""
    workspace, _ = broken
    monkeypatch.setattr("ntmgis.workspace.load_workspace", lambda *args, **kwargs: workspace)
    monkeypatch.setattr("ntmgis.assessment.assess", lambda *args, **kwargs: sample_assessment)

    def run(*extra: str) -> tuple[int, str, str, Path]:
        page = tmp_path / "ban_do.html"
        code = main(["map", "-q", "--out", str(page), *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err, page

    return run


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_prints_the_features_it_cannot_draw(run_map, broken, lang):
    _, names = broken
    code, out, err, page = run_map(*(["--lang", "en"] if lang == "en" else []))
    assert code == 0, err
    assert page.exists()
    lines = [line for line in err.splitlines() if "ban_do.html" in line]
    empty, not_finite = REASONS[lang]
    assert any(empty in line and names[0] in line for line in lines), err
    assert any(not_finite in line and names[1] in line for line in lines), err
    other = REASONS["en" if lang == "vi" else "vi"]
    assert not any(word in err for word in other), err  # one language only
    counts = {"vi": "0 lỗi, 2 ", "en": "0 error(s), 2 "}[lang]
    assert counts in err, err
    assert str(page) in out  # the page is still written and said


def test_map_strict_exits_1_when_a_feature_is_not_drawn(run_map):
    code, _, err, page = run_map("--strict", "--lang", "en")
    assert code == 1, err
    assert page.exists() and "an empty one" in err


def test_map_print_reports_its_own_drops(run_map, broken, tmp_path):
    _, names = broken
    png = tmp_path / "in.png"
    code, _, err, _ = run_map("--png", str(png), "--theme", "production_zones:vietgap", "--dpi", "72")
    assert code == 0, err
    assert png.read_bytes()[:4] == b"\x89PNG"
    printed = [line for line in err.splitlines() if "in.png" in line]
    assert any("hình học rỗng" in line and names[0] in line for line in printed), err


def test_map_of_the_sample_prints_no_problem(tmp_path, capsys):
    assert main(["map", "-q", "--strict", "--out", str(tmp_path / "m.html")]) == 0
    assert "không vẽ được" not in capsys.readouterr().err


def _layer(names: list[str]) -> MapLayer:
    theme = Theme("t", "T", ["a"] * len(names), [MapClass("a", "A", "#123456")])
    geometry = gpd.GeoSeries([Point(106.2, 21.3), Point()], crs=4326)
    return MapLayer("markets", "Chợ", "point", geometry, ["m1", "m2"], names, [theme])


def _sources(html: str) -> list[str]:
    found = re.search(r'<script[^>]*id="ntmgis-config"[^>]*>(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))["provenance"]


@pytest.mark.parametrize(("lang", "said", "unsaid"), [("vi", "dòng 3", "row 3"), ("en", "row 3", "dòng 3")])
def test_the_panel_names_the_feature_in_the_page_language(lang, said, unsaid):
    layers = [_layer(["row 2", "row 3"])]
    _, problems, _ = drawable_layers(layers)
    (line,) = undrawn_lines(problems, layers, lang)
    assert said in line and unsaid not in line
    (panel,) = [s for s in _sources(render_map(layers, title="Thử", lang=lang)) if s.startswith("Chợ")]
    assert said in panel and unsaid not in panel


def test_the_commune_map_refusal_has_a_header_in_each_language(sample_workspace):
    communes = sample_workspace.layer("communes").set_crs(None, allow_override=True)
    with pytest.raises(DataError) as raised:
        render_commune_map(communes, level_column="kind", title="t")
    assert raised.value.header("vi").startswith("không vẽ được bản đồ xã")
    assert raised.value.header("en").startswith("cannot draw the commune map")

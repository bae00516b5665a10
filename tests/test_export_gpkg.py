"""The GeoPackage export (issue 14.1): layers read back with pyogrio, styles parse as QML and fit the data.

Checked on the embedded sample, on hand-made grid communes with hostile names, and on a real-shaped
district (the real 2021 Tân Yên polygons, village points; skipped when ``shared/data/real`` is absent).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import pytest
import shapely
import yaml
from workspace_builders import PLAN_CODES, grid_communes, roads_for, write_workspace

import ntmgis
from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.export import LAYER_STYLES, PROVENANCE, LayerStyle, qml, result_layers, styled_layers, write_gpkg
from ntmgis.maps.page import MapClass
from ntmgis.workspace import load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
REAL_COMMUNES = REAL / "tan_yen_communes_2021_derived.geojson"
HOSTILE = '<script>alert("x")</script> & ]]> \' Xã'


@pytest.fixture(scope="module")
def sample():
    workspace = ntmgis.load_workspace()
    return workspace, assess(workspace)


@pytest.fixture(scope="module")
def sample_gpkg(sample, tmp_path_factory):
    workspace, assessment = sample
    layers, styles = styled_layers(workspace, assessment, lang="vi")
    path = write_gpkg(layers, tmp_path_factory.mktemp("gpkg") / "ket_qua.gpkg", styles=styles)
    return path, layers


def _styles(path: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer=LAYER_STYLES)


def check_gpkg(path: Path, workspace, assessment) -> None:
    """Every layer read back equals the assessment's; every style row fits its layer."""
    names = [name for name, _ in pyogrio.list_layers(path)]
    expected = ["communes", *assessment.gap_layers(), PROVENANCE]
    assert names == [*expected, LAYER_STYLES]
    working = pyproj.CRS.from_user_input(workspace.working_crs)
    read = {name: pyogrio.read_dataframe(path, layer=name) for name in expected}
    assert len(read["communes"]) == len(assessment.communes) == len(workspace.layer("communes"))
    assert sorted(read["communes"]["code"]) == sorted(assessment.communes["commune_code"])
    for name, frame in assessment.gap_layers().items():
        back = read[name]
        assert len(back) == len(frame), name
        assert pyproj.CRS.from_user_input(back.crs).equals(working), name
        assert back.geometry.notna().all() and not back.geometry.is_empty.any(), name
        # No geometry lost: the same area / length / places as the assessment's frame.
        if frame.geom_type.isin(["Point", "MultiPoint"]).all():
            assert back.geometry.union_all().equals_exact(frame.geometry.union_all(), 1e-6)
        else:
            for measure in ("area", "length"):
                assert getattr(back.geometry, measure).sum() == pytest.approx(
                    getattr(frame.geometry, measure).sum(), rel=1e-9, abs=1e-6
                ), (name, measure)
    communes = read["communes"]
    assert pyproj.CRS.from_user_input(communes.crs).equals(working)
    assert communes.geometry.area.sum() == pytest.approx(
        workspace.layer("communes").to_crs(working).geometry.area.sum(), rel=1e-9
    )
    assert set(read[PROVENANCE]["key"]) >= {"year", "criteria_sets", "sample_note", "crs"}
    for name, frame in read.items():
        columns = [c for c in frame.columns if c != "geometry"]
        assert len(columns) == len({c.lower() for c in columns}), name
        assert all(len(c) <= 63 and c.isascii() and c.isidentifier() for c in columns), name
    check_styles(path, read)


def check_styles(path: Path, read: dict[str, gpd.GeoDataFrame]) -> None:
    styles = _styles(path)
    assert set(styles.columns) >= {
        "f_table_catalog",
        "f_table_schema",
        "f_table_name",
        "f_geometry_column",
        "styleName",
        "styleQML",
        "styleSLD",
        "useAsDefault",
        "description",
        "owner",
        "ui",
        "update_time",
    }
    spatial = [n for n in read if n != PROVENANCE]
    assert sorted(styles["f_table_name"].unique()) == sorted(spatial)
    for name in spatial:
        rows = styles[styles["f_table_name"] == name]
        assert rows["useAsDefault"].astype(bool).sum() == 1, name
        assert (rows["f_geometry_column"] == pyogrio.read_info(path, layer=name)["geometry_name"]).all()
    for row in styles.itertuples():
        layer = read[row.f_table_name]
        root = ET.fromstring(row.styleQML.split("\n", 1)[1])
        assert root.tag == "qgis"
        renderer = root.find("renderer-v2")
        assert renderer is not None and renderer.get("type") == "categorizedSymbol"
        field = renderer.get("attr")
        assert field in layer.columns, (row.f_table_name, field)
        categories = {c.get("value") for c in renderer.iter("category")}
        present = set(layer[field].dropna().astype(str))
        assert present <= categories, (row.f_table_name, field, present - categories)
        assert len(renderer.findall("./symbols/symbol")) == len(categories)
        for text in root.iter("text-style"):
            assert text.get("fieldName") in layer.columns


def test_sample_round_trip(sample, sample_gpkg):
    workspace, assessment = sample
    path, layers = sample_gpkg
    check_gpkg(path, workspace, assessment)
    assert set(layers) == {"communes", *assessment.gap_layers(), PROVENANCE}


def test_commune_columns_are_short_unique_and_carry_the_verdicts(sample, sample_gpkg):
    workspace, assessment = sample
    path, layers = sample_gpkg
    communes = pyogrio.read_dataframe(path, layer="communes")
    names = [c for c in communes.columns if c != "geometry"]
    assert len(names) == len(set(names)) and all(len(c) <= 63 and c.isascii() for c in names)
    by_code = communes.set_index("code")
    summary = assessment.communes.set_index("commune_code")
    assessed = summary[summary["assessed"]].index
    assert (by_code.loc[assessed, "level_eval"] == summary.loc[assessed, "highest_level"]).all()
    assert (by_code.loc[summary.index, "target_lvl"] == summary["target_level"]).all()
    row = assessment.indicators.dropna(subset=["value"]).iloc[0]
    code, indicator = str(row["unit_code"]), str(row["indicator"])
    column = "v_" + indicator.replace(".", "_").lower()
    assert by_code.loc[code, column] == pytest.approx(row["value"])
    assert by_code.loc[code, "s_" + column[2:]] == row["status"]
    upgrade = pyogrio.read_dataframe(path, layer="segments_to_upgrade")
    assert upgrade["cost_million_vnd"].sum() == pytest.approx(
        assessment.segments_to_upgrade["cost_million_vnd"].sum()
    )


def test_the_default_styles_use_the_web_map_colours_and_words(sample_gpkg):
    from ntmgis.labels import words
    from ntmgis.maps import styles as map_styles
    from ntmgis.maps.commune_map import level_classes

    path, _ = sample_gpkg
    styles = _styles(path)
    default = styles[(styles["f_table_name"] == "communes") & styles["useAsDefault"].astype(bool)].iloc[0]
    root = ET.fromstring(default["styleQML"].split("\n", 1)[1])
    labels = {c.get("value"): c.get("label") for c in root.iter("category")}
    for cls in level_classes("vi"):
        assert labels[cls.code] == cls.label
    colour = next(c for c in level_classes("vi") if c.code == "ntm").colour.lstrip("#")
    fill = root.find(".//symbol[@name='1']//Option[@name='color']").get("value")
    assert fill.split(",")[:3] == [str(int(colour[i : i + 2], 16)) for i in (0, 2, 4)]
    assert root.find(".//text-style").get("fieldName") == "label"
    upgrade = styles[styles["f_table_name"] == "segments_to_upgrade"].iloc[0]
    root = ET.fromstring(upgrade["styleQML"].split("\n", 1)[1])
    line = root.find(".//symbol[@name='0']//Option[@name='line_color']").get("value")
    dat = map_styles.UPGRADE["dat"].lstrip("#")
    assert line.split(",")[:3] == [str(int(dat[i : i + 2], 16)) for i in (0, 2, 4)]
    assert upgrade["styleName"] == words("map", "vi")["upgrade"]


def test_english_labels_with_lang_en(sample, tmp_path):
    workspace, assessment = sample
    layers, styles = styled_layers(workspace, assessment, lang="en")
    path = write_gpkg(layers, tmp_path / "results.gpkg", styles=styles)
    qml_text = " ".join(_styles(path)["styleQML"])
    assert "Not assessed" in qml_text and "Chưa đánh giá" not in qml_text
    provenance = pyogrio.read_dataframe(path, layer=PROVENANCE)
    assert "Assessment year" in set(provenance["label"])


def test_result_layers_is_styled_layers_without_styles(sample):
    workspace, assessment = sample
    layers = result_layers(workspace, assessment, lang="vi")
    again, _ = styled_layers(workspace, assessment, lang="vi")
    assert list(layers) == list(again)
    for name in layers:
        pd.testing.assert_frame_equal(pd.DataFrame(layers[name]), pd.DataFrame(again[name]))


def test_qml_keeps_hostile_text_as_text():
    style = LayerStyle(HOSTILE, "f", (MapClass(HOSTILE, HOSTILE, "#123456", weight=2.0, dash="4 4"),), "line")
    root = ET.fromstring(qml(style).split("\n", 1)[1])
    category = root.find(".//category")
    assert category.get("value") == HOSTILE and category.get("label") == HOSTILE
    assert root.find(".//script") is None
    assert root.find(".//Option[@name='line_style']").get("value") == "dash"


def test_hostile_commune_names_stay_data(tmp_path):
    communes = grid_communes(PLAN_CODES | {"07399": HOSTILE})
    config = write_workspace(tmp_path / "ws", communes=communes, roads=roads_for(communes))
    workspace = load_workspace(config)
    assessment = assess(workspace)
    layers, styles = styled_layers(workspace, assessment)
    path = write_gpkg(layers, tmp_path / "out.gpkg", styles=styles)
    check_gpkg(path, workspace, assessment)
    back = pyogrio.read_dataframe(path, layer="communes")
    assert HOSTILE in set(back["name"])
    for document in _styles(path)["styleQML"]:
        root = ET.fromstring(document.split("\n", 1)[1])
        assert root.find(".//script") is None


def test_an_interrupted_write_keeps_the_previous_file(sample, sample_gpkg, tmp_path):
    path, layers = sample_gpkg
    target = tmp_path / "ket_qua.gpkg"
    target.write_bytes(path.read_bytes())
    before = target.read_bytes()
    broken = dict(layers) | {"bad": gpd.GeoDataFrame({"x": [object()]}, geometry=[shapely.Point(0, 0)])}
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever GDAL raises, the old file stays
        write_gpkg(broken, target, styles={})
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ket_qua.gpkg"]


def test_cli_export_and_report_gpkg(tmp_path, capsys):
    out = tmp_path / "ket_qua.gpkg"
    assert main(["export", "--gpkg", str(out), "-q"]) == 0
    assert "communes" in [n for n, _ in pyogrio.list_layers(out)]
    report = tmp_path / "bao_cao.xlsx"
    also = tmp_path / "bao_cao.gpkg"
    assert main(["report", "-o", str(report), "--no-csv", "--gpkg", str(also), "-q", "--lang", "en"]) == 0
    assert report.exists() and LAYER_STYLES in [n for n, _ in pyogrio.list_layers(also)]
    assert main(["export", "-q"]) == 2
    assert "--gpkg" in capsys.readouterr().err


def test_cli_refuses_to_export_onto_an_input(tmp_path, capsys):
    config = write_workspace(tmp_path / "ws")
    roads = tmp_path / "ws" / "roads.gpkg"
    before = roads.read_bytes()
    assert main(["export", str(config), "--gpkg", str(roads), "-q"]) == 2
    assert roads.read_bytes() == before
    out = tmp_path / "r.xlsx"
    assert main(["report", str(config), "-o", str(out), "--gpkg", str(roads), "-q"]) == 2
    assert roads.read_bytes() == before and not out.exists()
    assert "roads.gpkg" in capsys.readouterr().err


@pytest.fixture(scope="module")
def real_shaped(tmp_path_factory):
    """The real 2021 commune polygons (WGS 84 on disk), roads, village points, markets."""
    if not REAL_COMMUNES.exists():
        pytest.skip("shared/data/real not present")
    root = tmp_path_factory.mktemp("real")
    real = gpd.read_file(REAL_COMMUNES)
    metric = real.to_crs(9214)
    ways = []
    for i, geom in enumerate(metric.geometry):
        point = geom.representative_point()
        ways.append(
            {
                "segment_id": f"R{i:03d}",
                "road_class": ["xa", "truc_thon", "lien_thon"][i % 3],
                "surface": ["dat", "be_tong", "cap_phoi"][i % 3],
                "geometry": shapely.LineString([(point.x - 900, point.y), (point.x + 900, point.y + 50)]),
            }
        )
    gpd.GeoDataFrame(ways, crs=9214).to_file(root / "roads.gpkg", layer="roads")
    points = metric.geometry.representative_point()
    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"T{i:03d}" for i in range(len(points))],
            "name": [f"Thôn {i + 1}" for i in range(len(points))],
            "commune_code": real["gso_code"],
            "kind": "thon",
        },
        geometry=points.to_numpy(),
        crs=9214,
    ).to_crs(4326)
    villages.to_file(root / "villages.gpkg", layer="villages")
    markets = gpd.GeoDataFrame(
        {
            "market_id": ["C1"],
            "name": ["Chợ 1"],
            "commune_code": [real["gso_code"][0]],
            "standard_met": [True],
        },
        geometry=[points.iloc[0]],
        crs=9214,
    )
    markets.to_file(root / "markets.gpkg", layer="markets")
    config = {
        "name": "Tân Yên (real polygons)",
        "district": {"name": "Tân Yên", "province": "Bắc Giang", "kind": "huyen"},
        "working_crs": "EPSG:9214",
        "plan": "package:tan_yen_2021_2025",
        "status_year": 2023,
        "layers": {
            "communes": {
                "path": str(REAL_COMMUNES),
                "columns": {"commune_code": "gso_code", "name": "name_short", "kind": "unit_type"},
            },
            "roads": {"path": "roads.gpkg"},
            "villages": {"path": "villages.gpkg"},
            "markets": {"path": "markets.gpkg"},
        },
        "tables": {},
    }
    path = root / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_real_shaped_district_round_trip(real_shaped, tmp_path):
    workspace = load_workspace(real_shaped)
    assessment = assess(workspace)
    assert assessment.market_gaps is not None and len(assessment.market_gaps)
    out = tmp_path / "ket_qua.gpkg"
    assert main(["export", str(real_shaped), "--gpkg", str(out), "-q"]) == 0
    check_gpkg(out, workspace, assessment)
    gaps = pyogrio.read_dataframe(out, layer="market_gaps")
    assert set(gaps.geom_type) <= {"Point", "MultiPoint"}
    styles = _styles(out)
    marker = styles[styles["f_table_name"] == "market_gaps"].iloc[0]["styleQML"]
    assert 'type="marker"' in marker


DEBIAN_PYTHON = "/usr/bin/python3"


def _qgis_available() -> bool:
    import subprocess

    if not Path(DEBIAN_PYTHON).exists():
        return False
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.mark.skipif(not _qgis_available(), reason="QGIS (Debian python3-qgis) not installed: make qgis")
def test_qgis_opens_each_layer_with_its_default_style_and_renders_it(sample_gpkg, tmp_path):
    import json
    import os
    import subprocess

    path, layers = sample_gpkg
    spatial = [name for name in layers if name != PROVENANCE]
    run = subprocess.run(
        [DEBIAN_PYTHON, str(Path(__file__).with_name("qgis_render.py")), str(path), str(tmp_path), *spatial],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    styles = _styles(path)
    for name in spatial:
        got = found[name]
        default = styles[(styles["f_table_name"] == name) & styles["useAsDefault"].astype(bool)].iloc[0]
        field = ET.fromstring(default["styleQML"].split("\n", 1)[1]).find("renderer-v2").get("attr")
        assert got["valid"] and got["features"] == len(layers[name]), (name, got)
        assert got["style"] is not None and got["renderer"] == "categorizedSymbol", (name, got)
        assert got["field"] == field and got["categories"] > 0, (name, got)
        assert got["labels"] == (name == "communes"), (name, got)
        assert got["drawn"] > 0.001 and got["colours"] > 1, (name, got)
        assert Path(got["png"]).stat().st_size > 1000


def test_the_provenance_table_says_the_unit_period(sample, sample_gpkg):
    """Issue 13 part 1: every output records its unit period; the GeoPackage's provenance too."""
    workspace, assessment = sample
    provenance = pyogrio.read_dataframe(sample_gpkg[0], layer=PROVENANCE).set_index("key")
    assert provenance.loc["unit_period", "value"] == assessment.provenance.unit_period == "2020-03"
    assert provenance.loc["unit_period", "label"] == "Kỳ đơn vị hành chính"
    unknown = dataclasses.replace(
        assessment, provenance=dataclasses.replace(assessment.provenance, unit_period=None)
    )
    table = result_layers(workspace, unknown, lang="en")[PROVENANCE].set_index("key")
    assert table.loc["unit_period", "value"] == "unknown"

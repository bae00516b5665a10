"""Workspace.from_layers / inspect_layers validate frames in memory exactly as workspace.yaml's files
are validated, and with_layers validates the layers it replaces (issue 11)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import yaml
from geopandas.testing import assert_geodataframe_equal
from workspace_builders import grid_communes, roads_for, write_workspace

from ntmgis.assessment import assess
from ntmgis.io import read_table
from ntmgis.problems import DataError
from ntmgis.workspace import (
    Workspace,
    inspect_layers,
    inspect_workspace,
    load_workspace,
    sample_workspace_path,
)


def _without_files(report):
    """The problems with the file names left out (a path on one side, ``<roads>`` on the other)."""
    return [(p.severity, p.layer, p.feature, p.problem, p.action, p.count) for p in report]


def _sample_frames():
    folder = sample_workspace_path().parent
    config = yaml.safe_load(sample_workspace_path().read_text(encoding="utf-8"))
    layers = {
        name: gpd.read_file(folder / entry["path"], layer=entry["layer"])
        for name, entry in config["layers"].items()
    }
    tables = {name: read_table(folder / entry["path"]).frame for name, entry in config["tables"].items()}
    return config, layers, tables


def _assert_same_workspace(a: Workspace, b: Workspace) -> None:
    assert a.layer_names == b.layer_names and a.table_names == b.table_names
    for name in a.layer_names:
        assert_geodataframe_equal(a.layer(name), b.layer(name))
    for name in a.table_names:
        pd.testing.assert_frame_equal(a.table(name), b.table(name))
    for setting in ("working_crs", "criteria_set", "status_year", "network", "market_radius_m", "district"):
        assert getattr(a, setting) == getattr(b, setting), setting
    assert a.plan.source == b.plan.source


def test_from_layers_on_the_sample_gives_the_loaded_sample():
    config, layers, tables = _sample_frames()
    loaded = load_workspace()
    built = Workspace.from_layers(
        layers.pop("communes"),
        tables=tables,
        crs=config["working_crs"],
        district=config["district"],
        plan=config["plan"],
        status_year=config["status_year"],
        **layers,
    )
    _assert_same_workspace(built, loaded)
    assert _without_files(built.problems) == _without_files(loaded.problems)
    assert built.sources["roads"] == "<roads>"


def test_tables_may_be_keywords_and_a_plan_object():
    config, layers, tables = _sample_frames()
    loaded = load_workspace()
    built = Workspace.from_layers(
        layers.pop("communes"),
        plan=loaded.plan,
        status_year=2023,
        district=config["district"],
        **layers,
        **tables,
    )
    _assert_same_workspace(built, loaded)


# --- a messy office workspace: Vietnamese column names, labels, a repair, a duplicate ----------------


def _office_frames(*, duplicate: bool):
    communes = grid_communes().rename(columns={"commune_code": "Mã xã", "name": "Tên xã", "kind": "Loại"})
    communes["Loại"] = ["Thị trấn" if k in ("07339", "07306") else "Xã" for k in communes["Mã xã"]]
    square = communes.geometry.iloc[0]
    x0, y0, x1, y1 = square.bounds
    # A bow tie over the first commune: invalid, repaired with make_valid (a warning).
    communes.loc[0, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    roads = roads_for(grid_communes()).rename(
        columns={"segment_id": "MA_DUONG", "road_class": "LOAI_DUONG", "surface": "MAT_DUONG"}
    )
    roads["LOAI_DUONG"] = "Đường làng"
    roads["MAT_DUONG"] = ["Bê tông", "Đất"] * (len(roads) // 2) + ["Đất"] * (len(roads) % 2)
    if duplicate:
        roads.loc[1, "MA_DUONG"] = roads.loc[0, "MA_DUONG"]
    columns = {
        "communes": {"commune_code": "Mã xã", "name": "Tên xã", "kind": "Loại"},
        "roads": {"segment_id": "MA_DUONG", "road_class": "LOAI_DUONG", "surface": "MAT_DUONG"},
    }
    values = {"roads": {"road_class": {"Đường làng": "truc_thon"}}}
    return communes, roads, columns, values


def _office_yaml(tmp_path, communes, roads, columns, values):
    path = write_workspace(tmp_path, communes=communes, roads=roads)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for name, mapping in columns.items():
        config["layers"][name]["columns"] = mapping
    config["values"] = values
    config.pop("tables", None)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path, config


@pytest.mark.parametrize("duplicate", [False, True])
def test_a_messy_office_workspace_gives_the_same_problems_on_both_paths(tmp_path, duplicate):
    communes, roads, columns, values = _office_frames(duplicate=duplicate)
    path, config = _office_yaml(tmp_path, communes, roads, columns, values)
    from_file, file_report = inspect_workspace(path)
    in_memory, memory_report = inspect_layers(
        communes,
        roads=roads,
        columns=columns,
        values=values,
        crs=config.get("working_crs", "EPSG:9214"),
        district=config.get("district"),
        plan=config.get("plan"),
        status_year=config.get("status_year"),
        root=tmp_path,
    )
    assert _without_files(memory_report) == _without_files(file_report)
    kinds = {p.problem.split(" (")[0] for p in file_report}
    assert any(p.problem.startswith("invalid geometry") for p in file_report), kinds
    if duplicate:
        assert from_file is None and in_memory is None
        assert [p.problem for p in memory_report.errors] == ["duplicate id in features 1, 2"]
        with pytest.raises(DataError):
            Workspace.from_layers(
                communes, roads=roads, columns=columns, values=values, plan=config.get("plan")
            )
    else:
        assert from_file is not None and in_memory is not None
        _assert_same_workspace(in_memory, from_file)
        assert set(in_memory.layer("roads")["road_class"]) == {"truc_thon"}


def test_a_layer_that_is_not_a_geodataframe_is_a_problem_not_a_traceback():
    workspace, report = inspect_layers(grid_communes(), roads=pd.DataFrame({"segment_id": ["R1"]}))
    assert workspace is None
    [error] = report.errors
    assert error.file == "<roads>" and "not a GeoDataFrame" in error.problem


# --- with_layers validates -----------------------------------------------------------------------


def _sample_roads_with_labels():
    roads = load_workspace().layer("roads")
    labels = {"be_tong": "Bê tông", "nhua": "Nhựa", "dat": "Đất"}
    labelled = roads.copy()
    labelled["surface"] = [labels.get(s, s) for s in roads["surface"]]
    return roads, labelled


def test_with_layers_reads_labels_to_codes_as_loading_does(tmp_path):
    sample = load_workspace()
    roads, labelled = _sample_roads_with_labels()
    assert (labelled["surface"] == "Bê tông").any()
    replaced = sample.with_layers(roads=labelled)
    assert replaced.layer("roads")["surface"].tolist() == roads["surface"].tolist()
    # the same frame loaded from a file
    folder = tmp_path / "ws"
    folder.mkdir()
    labelled.to_file(folder / "roads.gpkg", layer="roads")
    config = yaml.safe_load(sample_workspace_path().read_text(encoding="utf-8"))
    base = sample_workspace_path().parent
    for section in ("layers", "tables"):
        for entry in config[section].values():
            entry["path"] = str(base / entry["path"])
    config["layers"]["roads"] = {"path": str(folder / "roads.gpkg"), "layer": "roads"}
    (folder / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    loaded = load_workspace(folder)
    assert replaced.layer("roads")["surface"].tolist() == loaded.layer("roads")["surface"].tolist()
    upgrades = [len(assess(w).segments_to_upgrade) for w in (sample, replaced, loaded)]
    assert upgrades[0] == upgrades[1] == upgrades[2]
    # each label read is noted once, on the new workspace only
    notes = [p for p in replaced.problems if "Bê tông" in p.problem]
    assert len(notes) == 1 and notes[0].severity == "info" and notes[0].file == "<roads>"
    assert not [p for p in sample.problems if "Bê tông" in p.problem]


def test_with_layers_reports_an_unknown_surface():
    sample = load_workspace()
    roads = sample.layer("roads")
    roads.loc[roads.index[:3], "surface"] = "Gạch vỡ"
    with pytest.raises(DataError) as raised:
        sample.with_layers(roads=roads)
    [unknown] = [p for p in raised.value.problems if "Gạch vỡ" in p.problem]
    assert unknown.count == 3 and unknown.severity == "error" and unknown.file == "<roads>"
    assert 'values: {roads: {surface: {"Gạch vỡ": CODE}}}' in unknown.action


def test_with_layers_raises_on_an_error_and_leaves_the_workspace_as_it_was():
    sample = load_workspace()
    roads = sample.layer("roads").drop(columns="road_class")
    with pytest.raises(DataError, match="error"):
        sample.with_layers(roads=roads)
    assert "road_class" in sample.layer("roads").columns


def test_with_layers_of_a_workspace_layer_adds_no_problem():
    sample = load_workspace()
    for name in sample.layer_names:
        again = sample.with_layers(**{name: sample.layer(name)})
        assert again.problems == sample.problems, name
        assert_geodataframe_equal(again.layer(name), sample.layer(name))


# --- market radius in workspace.yaml -------------------------------------------------------------


def _sample_with(tmp_path, **keys):
    config = yaml.safe_load(sample_workspace_path().read_text(encoding="utf-8"))
    base = sample_workspace_path().parent
    for section in ("layers", "tables"):
        for entry in config[section].values():
            entry["path"] = str(base / entry["path"])
    config.update(keys)
    path = tmp_path / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_market_radius_from_workspace_yaml_is_assess_default(tmp_path):
    workspace = load_workspace(_sample_with(tmp_path, market_radius_m=500))
    assert workspace.market_radius_m == 500.0
    near = assess(workspace)
    default = assess(load_workspace())
    assert near.provenance.market_radius_m == 500.0 and default.provenance.market_radius_m == 2000.0
    assert len(near.market_gaps) > len(default.market_gaps)
    # an explicit argument still wins
    assert assess(workspace, market_radius_m=2000).provenance.market_radius_m == 2000.0


@pytest.mark.parametrize("bad", [0, -5, "2 km", True])
def test_a_bad_market_radius_is_a_problem(tmp_path, bad):
    workspace, report = inspect_workspace(_sample_with(tmp_path, market_radius_m=bad))
    assert workspace is None
    [error] = report.errors
    assert error.feature == "market_radius_m" and "positive number" in error.problem


def test_market_radius_on_the_command_line(tmp_path):
    from ntmgis.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["report", "--market-radius", "-1", "-o", str(tmp_path / "r.xlsx")])
    assert exit_.value.code == 2


def test_a_setting_of_the_wrong_shape_is_a_problem_not_an_exception():
    workspace, report = inspect_layers(grid_communes(), criteria_overrides=["not", "a", "mapping"])
    assert workspace is None
    assert [(p.file, p.feature) for p in report.errors] == [("<from_layers>", "criteria_overrides")]

"""Workspace loading: validated, immutable, every problem of every layer in one report."""

from pathlib import Path

import pytest
import yaml
from workspace_builders import grid_communes, roads_for, write_workspace

from ntmgis.problems import DataError
from ntmgis.workspace import inspect_workspace, load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


def test_hand_made_workspace_loads(tmp_path):
    workspace = load_workspace(write_workspace(tmp_path))
    assert workspace.working_crs == "EPSG:9214"
    assert len(workspace.communes) == 17
    assert workspace.layer("roads").length.sum() == pytest.approx(17_000.0)
    assert workspace.plan.id == "tan_yen_2021_2025"
    assert workspace.note() is None  # not a sample: no sample note
    assert load_workspace(tmp_path).name == workspace.name  # a folder works too


def test_workspace_is_immutable_and_hands_out_copies(tmp_path):
    workspace = load_workspace(write_workspace(tmp_path))
    roads = workspace.layer("roads")
    roads.loc[0, "surface"] = "dat"
    assert workspace.layer("roads").loc[0, "surface"] == "be_tong"
    with pytest.raises(AttributeError):
        workspace.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        workspace._layers["roads"] = roads  # type: ignore[index]
    changed = workspace.with_layers(roads=roads)
    assert changed.layer("roads").loc[0, "surface"] == "dat"
    assert workspace.layer("roads").loc[0, "surface"] == "be_tong"


def test_layers_in_other_crs_are_transformed_to_the_working_crs(tmp_path):
    communes = grid_communes()
    roads = roads_for(communes).to_crs(4326)
    workspace = load_workspace(write_workspace(tmp_path, roads=roads))
    assert workspace.layer("roads").crs.to_epsg() == 9214
    assert workspace.layer("roads").length.sum() == pytest.approx(17_000.0, rel=1e-6)


def test_all_errors_of_all_layers_are_reported_together(tmp_path):
    communes = grid_communes()
    communes.loc[1, "commune_code"] = communes.loc[0, "commune_code"]  # duplicate id
    roads = roads_for(grid_communes())
    roads.loc[0, "road_class"] = "cao_toc"
    path = write_workspace(
        tmp_path,
        communes=communes,
        roads=roads,
        tables={"commune_status": "commune_code,criterion,met\n09999,2,Đạt\n"},
    )
    with pytest.raises(DataError) as info:
        load_workspace(path)
    text = str(info.value)
    assert "duplicate id" in text and "unknown road_class 'cao_toc'" in text
    workspace, report = inspect_workspace(path)
    assert workspace is None and len(report.errors) >= 2


def test_layer_without_crs_is_refused_unless_stated(tmp_path):
    path = write_workspace(tmp_path)
    roads = roads_for(grid_communes())
    shp = tmp_path / "roads.shp"
    roads.to_file(shp)
    shp.with_suffix(".prj").unlink()
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["layers"]["roads"] = {"path": "roads.shp"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match="no CRS"):
        load_workspace(path)
    config["layers"]["roads"]["crs"] = "EPSG:9214"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert len(load_workspace(path).layer("roads")) == 17


def test_column_mapping_in_workspace_yaml(tmp_path):
    communes = grid_communes().rename(columns={"commune_code": "ma_xa", "name": "ten_xa"})
    path = write_workspace(tmp_path, communes=communes)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["layers"]["communes"]["columns"] = {"commune_code": "ma_xa", "name": "ten_xa"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert "commune_code" in load_workspace(path).communes.columns
    config["layers"]["communes"]["columns"] = {"commune_code": "ma"}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=r"columns \['ma'\] named in workspace.yaml"):
        load_workspace(path)


def test_plan_units_must_exist_in_the_communes(tmp_path):
    communes = grid_communes()
    communes.loc[communes["commune_code"] == "07324", "name"] = "Phúc Lộc"
    with pytest.raises(DataError, match="07324 Phúc Hòa"):
        load_workspace(write_workspace(tmp_path, communes=communes))
    tones = grid_communes()
    tones.loc[tones["commune_code"] == "07324", "name"] = "Xã Phúc Hoà"  # new tone placement
    assert load_workspace(write_workspace(tmp_path / "b", communes=tones))


def test_bad_workspace_files(tmp_path):
    with pytest.raises(DataError, match="workspace.yaml not found"):
        load_workspace(tmp_path / "nowhere")
    (tmp_path / "workspace.yaml").write_text("layers: [", encoding="utf-8")
    with pytest.raises(DataError, match="not a valid UTF-8 YAML"):
        load_workspace(tmp_path)
    (tmp_path / "workspace.yaml").write_text("name: x\nlayers: {}\n", encoding="utf-8")
    with pytest.raises(DataError, match="communes"):
        load_workspace(tmp_path)
    path = write_workspace(tmp_path / "w", extra={"working_crs": "EPSG:4326"})
    with pytest.raises(DataError, match="not a projected CRS in metres"):
        load_workspace(path)


def test_embedded_sample_loads_and_says_it_is_illustrative():
    workspace = load_workspace()
    assert workspace.sample
    assert "minh họa" in workspace.note("vi") and "llustrative" in workspace.note("en")
    assert len(workspace.communes) == 22
    assert len(workspace.layer("villages")) == 317
    assert workspace.problems.ok
    for name in ("roads", "canals", "markets", "production_zones", "facilities"):
        assert len(workspace.layer(name)) > 0
    for name in ("commune_status", "village_status", "recognitions"):
        assert len(workspace.table(name)) > 0


@pytest.mark.skipif(not REAL.exists(), reason="shared/data/real not present")
def test_real_2021_commune_polygons_load_and_their_flaws_are_reported(tmp_path):
    from ntmgis.names import match_names

    config = {
        "name": "Tân Yên (real 2021 polygons)",
        "working_crs": "EPSG:9214",
        "layers": {
            "communes": {
                "path": str(REAL / "tan_yen_communes_2021_derived.geojson"),
                "columns": {"commune_code": "gso_code", "name": "name_vn", "kind": "unit_type"},
            }
        },
    }
    (tmp_path / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    source = REAL / "tan_yen_communes_2021_derived.geojson"
    before = source.read_bytes()
    workspace = load_workspace(tmp_path)
    assert source.read_bytes() == before  # repairs happen in memory, never in the source
    real = workspace.communes
    assert len(real) == 22
    overlaps = [p for p in workspace.problems if "overlap" in p.problem]
    slivers = [p for p in workspace.problems if "sliver" in p.problem]
    assert overlaps and slivers  # PROVENANCE.md: 1.32 km² of overlaps and 61 small slivers
    sample = load_workspace().communes
    match = match_names(real["name"], sample["name"])
    assert len(match.matches) == 22
    assert match.unmatched_left.empty and match.unmatched_right.empty and match.ambiguous.empty
    pairs = {
        real.loc[m.left_index, "commune_code"]: sample.loc[m.right_index, "commune_code"]
        for m in match.matches.itertuples()
    }
    assert all(a == b for a, b in pairs.items())  # names and codes agree


def test_criteria_overrides_from_workspace_yaml(tmp_path):
    import shutil

    from ntmgis.criteria import evaluate_workspace
    from ntmgis.workspace import sample_workspace_path

    shutil.copytree(sample_workspace_path().parent, tmp_path / "ws")
    config_path = tmp_path / "ws" / "workspace.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["criteria_overrides"] = {
        "qd318_2022_xa": {"2.2": {"ntm": {"value": 75, "source": "province decision"}}}
    }
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    thresholds = evaluate_workspace(load_workspace(config_path)).thresholds
    row = thresholds[(thresholds["indicator"] == "2.2") & (thresholds["level"] == "ntm")].iloc[0]
    assert (row["threshold"], bool(row["overridden"])) == (75.0, True)


def test_criteria_overrides_and_district_are_read_only_after_load(tmp_path):
    # A regression: the overrides read from workspace.yaml were the YAML's own mutable dict.
    overrides = {"qd318_2022_xa": {"2.2": {"ntm": {"value": 75, "source": "province decision"}}}}
    workspace = load_workspace(
        write_workspace(
            tmp_path, extra={"criteria_overrides": overrides, "district": {"name": "Thử", "code": 221}}
        )
    )
    assert workspace.criteria_overrides["qd318_2022_xa"]["2.2"]["ntm"]["value"] == 75
    with pytest.raises(TypeError):
        workspace.criteria_overrides["qd318_2022_xa"]["2.2"] = {}  # type: ignore[index]
    assert dict(workspace.district) == {"name": "Thử", "code": "221"}
    with pytest.raises(TypeError):
        workspace.district["name"] = "other"  # type: ignore[index]


@pytest.mark.parametrize("key", ["tables", "district", "criteria_overrides"])
def test_a_section_that_is_not_a_mapping_is_one_error(tmp_path, key):
    workspace, report = inspect_workspace(write_workspace(tmp_path, extra={key: ["not", "a", "mapping"]}))
    assert workspace is None
    assert [(p.feature, p.problem) for p in report.errors] == [(key, f"{key}: must be a mapping")]


# --- an office's own labels: columns: and values: in workspace.yaml ------------------------------


def _office_workspace(tmp_path, values=None, managers=("UBND xã", "HTX", "Tổ tự quản")):
    """Roads with Vietnamese column names and labels; 50 segments of a class the package lacks."""
    import geopandas as gpd
    import shapely

    communes = grid_communes()
    base = roads_for(communes)
    labels = ["Đường thôn", "ĐƯỜNG TRỤC THÔN", "Duong lien thon", "Đường ngõ, xóm", "đường nội đồng"]
    rows = []
    for i in range(250):
        centre = communes.geometry.iloc[i % len(communes)].centroid
        rows.append(
            {
                "MA_DUONG": f"GT{i:04d}",
                "LOAI_DUONG": "Đường làng" if i >= 200 else labels[i % len(labels)],
                "MAT_DUONG": ["Bê tông", "BTXM", "Láng nhựa", "Đất"][i % 4],
                "DV_QL": managers[i % len(managers)],
                "geometry": shapely.LineString(
                    [(centre.x - 400, centre.y + i), (centre.x + 400, centre.y + i)]
                ),
            }
        )
    roads = gpd.GeoDataFrame(rows, crs=base.crs)
    path = write_workspace(tmp_path, communes=communes, roads=roads)
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["layers"]["roads"]["columns"] = {
        "segment_id": "MA_DUONG",
        "road_class": "LOAI_DUONG",
        "surface": "MAT_DUONG",
        "managed_by": "DV_QL",
    }
    if values is not None:
        config["values"] = values
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_office_roads_give_one_problem_per_unknown_label_and_one_note_per_label(tmp_path):
    workspace, report = inspect_workspace(_office_workspace(tmp_path))
    assert workspace is None  # road_class is required: the 50 segments wait for a values: line
    roads = [p for p in report if p.layer == "roads"]
    [unknown] = [p for p in roads if "Đường làng" in p.problem]
    assert unknown.severity == "error" and unknown.count == 50
    assert unknown.feature == "segment_id=GT0200, GT0201, GT0202, …"
    assert 'add to workspace.yaml  values: {roads: {road_class: {"Đường làng": ' in unknown.action
    [manager] = [p for p in roads if "Tổ tự quản" in p.problem]
    assert manager.severity == "warning" and manager.count == 83
    assert [p.severity for p in roads].count("error") == 1
    infos = [p for p in roads if p.severity == "info"]
    assert len(infos) == 5 + 4 + 2  # one per label: road classes, surfaces, managers
    assert all("is a label, not a code" in p.problem for p in infos)
    assert sum(p.count for p in infos if p.problem.startswith("road_class")) == 200


def test_values_mapping_makes_the_office_workspace_clean(tmp_path):
    values = {"roads": {"road_class": {"Đường làng": "truc_thon"}}, "managed_by": {"tổ tự quản": "thon"}}
    workspace = load_workspace(_office_workspace(tmp_path, values=values))
    assert all(p.severity == "info" for p in workspace.problems if p.layer in ("roads", "workspace"))
    roads = workspace.layer("roads")
    assert (roads["road_class"] == "truc_thon").sum() == 80 + 50
    assert set(roads["managed_by"]) == {"xa", "htx", "thon"}
    assert set(roads["surface"]) == {"be_tong", "nhua", "dat"}


def test_values_mapping_to_an_unknown_code_names_the_codes(tmp_path):
    values = {
        "roads": {"road_class": {"Đường làng": "village"}, "width_m": {"3": "x"}},
        "colour": {"đỏ": "red"},
    }
    _, report = inspect_workspace(_office_workspace(tmp_path, values=values))
    problems = {p.feature: p for p in report if p.layer == "workspace"}
    bad = problems["values: roads.road_class 'Đường làng'"]
    assert bad.severity == "error" and bad.problem == "'village' is not a road_class code"
    assert "truc_thon" in bad.action and "ngo_xom" in bad.action
    assert "has no vocabulary column 'width_m'" in problems["values: roads.width_m"].problem
    assert "road_class, surface, managed_by" in problems["values: roads.width_m"].action
    assert "neither a layer nor a vocabulary column" in problems["values: colour"].problem


def test_cli_prints_at_most_a_screenful_of_grouped_problems(tmp_path, capsys):
    from ntmgis.cli import main

    managers = [f"Đội {i}" for i in range(60)]  # 60 unknown managers: 60 kinds of problem
    path = _office_workspace(tmp_path, managers=managers)
    out = tmp_path / "problems.csv"
    assert main(["validate", str(path), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) <= 42  # 40 kinds, "… more kinds", the counts
    assert lines[0].startswith("[lỗi] đường giao thông (roads.gpkg) ×50:")  # Vietnamese by default
    assert "còn" in lines[-2] and "--out problems.csv" in lines[-2]
    assert main(["validate", str(path), "--lang", "en"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("[error] roads (roads.gpkg) ×50: unknown road_class 'Đường làng'")
    import pandas as pd

    rows = pd.read_csv(out)
    assert len(rows) > 60 and rows["count"].sum() >= 250  # every row, with its count

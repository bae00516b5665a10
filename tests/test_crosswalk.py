"""Unit periods and crosswalks as data (issue 13 part 1): the packaged Tân Yên crosswalk, check, roll_up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ntmgis import crosswalk
from ntmgis.crosswalk import check_crosswalk, packaged_crosswalk, read_crosswalk, roll_up
from ntmgis.problems import DataError
from ntmgis.workspace import load_workspace

PACKAGED = Path(crosswalk.__file__).parent / "data" / "crosswalk_tan_yen.csv"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
OLD_POLYGONS = REAL / "tan_yen_communes_2021_derived.geojson"
NEW_POLYGONS = REAL / "tan_yen_area_communes_2025_sapnhap.geojson"
# Measured (2026-12-02): the five xã dissolved from the coarse 2021 layer differ from the detailed
# 2025 polygons by -3.50 % (Nhã Nam) … +1.31 % (Quang Trung) in area; each dissolved polygon lies
# 95.1–98.2 % inside its 2025 polygon. Đa Mai (07228) also holds four wards outside the district.
AREA_TOLERANCE = 0.04
INSIDE_AT_LEAST = 0.94


@pytest.fixture(scope="module")
def walk() -> crosswalk.Crosswalk:
    return packaged_crosswalk()


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    walk, _ = read_crosswalk(PACKAGED)
    assert walk is not None
    return walk.rows.assign(share=None).astype(object)


def test_packaged_crosswalk_checks_clean() -> None:
    walk, report = read_crosswalk(PACKAGED)
    assert walk is not None
    assert len(report) == 0, report.format()
    assert walk.periods == ("2020-03", "2025-01", "2025-07")
    assert [len(walk.units(p)) for p in walk.periods] == [22, 19, 6]
    assert walk.rows["source"].str.len().min() > 20  # every row says where it comes from
    resolutions = walk.rows.groupby("to_period")["resolution"].unique().map(list).to_dict()
    assert resolutions == {
        "2025-01": ["NQ 1191/NQ-UBTVQH15 (28/09/2024)"],
        "2025-07": ["NQ 1658/NQ-UBTVQH15 (16/06/2025)"],
    }


def test_every_2021_unit_lands_in_exactly_one_2025_07_unit(walk: crosswalk.Crosswalk) -> None:
    mapping = crosswalk._mapping(walk, "2020-03", "2025-07")
    assert mapping.groupby("old_code")["new_code"].nunique().eq(1).all()
    assert mapping.groupby("old_code")["weight"].sum().eq(1.0).all()
    assert set(mapping["old_code"]) == set(walk.units("2020-03")["code"])
    members = mapping.groupby("new_code")["old_code"].apply(sorted).to_dict()
    assert members == {
        "07228": ["07366"],
        "07306": ["07306", "07309", "07321", "07327"],
        "07330": ["07324", "07330", "07357"],
        "07333": ["07303", "07312", "07315", "07318", "07333"],
        "07339": ["07336", "07339", "07354", "07363"],
        "07351": ["07342", "07345", "07348", "07351", "07360"],
    }
    kinds = walk.units("2025-07").set_index("code")["kind"]
    assert kinds["07228"] == "phuong" and (kinds.drop("07228") == "xa").all()


def test_reused_codes_are_known_per_period(walk: crosswalk.Crosswalk) -> None:
    reused = walk.reused_codes()
    assert reused["07333"] == [("2020-03", "Lam Cốt"), ("2025-01", "Lam Sơn"), ("2025-07", "Quang Trung")]
    assert "07303" not in reused  # Lan Giới's code is not used again
    assert "07309" not in reused  # Tân Trung continues unchanged into 2025-01, then ends


def _one_problem(frame: pd.DataFrame, words: str) -> None:
    walk, report = check_crosswalk(frame, file="x.csv")
    assert walk is None
    assert len(report) == 1, report.format()
    assert words in report.problems[0].problem, report.format()
    assert report.problems[0].severity == "error"


def test_a_unit_mapped_twice_is_one_problem(rows: pd.DataFrame) -> None:
    twice = rows.iloc[[0]].assign(new_code="07333", new_name="Lam Sơn")
    _one_problem(pd.concat([rows, twice], ignore_index=True), "mapped to several new units")


def test_a_missing_unit_is_one_problem(rows: pd.DataFrame) -> None:
    gone = (rows["to_period"] == "2025-07") & (rows["old_code"] == "07309")
    _one_problem(rows[~gone], "not mapped in step 2025-01 → 2025-07")


def test_a_bad_date_is_one_problem(rows: pd.DataFrame) -> None:
    bad = rows.copy()
    bad.loc[3, "effective"] = "2025-13-01"
    _one_problem(bad, "not a date")


def test_three_planted_mistakes_are_three_problems_in_one_report(rows: pd.DataFrame) -> None:
    bad = rows[~((rows["to_period"] == "2025-07") & (rows["old_code"] == "07309"))].copy()
    bad.loc[3, "effective"] = "01/01/2025"
    bad = pd.concat([bad, bad.iloc[[0]].assign(new_code="07333", new_name="Lam Sơn")], ignore_index=True)
    walk, report = check_crosswalk(bad)
    assert walk is None
    assert len(report) == 3 and len(report.errors) == 3, report.format()


def test_missing_columns_and_names_are_reported_not_raised(rows: pd.DataFrame) -> None:
    walk, report = check_crosswalk(rows.drop(columns=["source"]))
    assert walk is None and "missing column" in report.problems[0].problem
    renamed = rows.copy()
    renamed.loc[(renamed["to_period"] == "2025-07") & (renamed["old_code"] == "07309"), "old_code"] = "07399"
    walk, report = check_crosswalk(renamed)
    assert walk is None
    assert {p.severity for p in report} == {"error"}
    assert len(report) == 2  # 07309 never mapped on; 07399 is not a 2025-01 unit


def test_a_split_stated_with_shares_is_accepted_and_reported(rows: pd.DataFrame) -> None:
    split = rows.copy()
    at = (split["to_period"] == "2025-07") & (split["old_code"] == "07303")
    assert not at.any()  # Lan Giới went to Quang Trung on 2025-01-01
    at = (split["to_period"] == "2025-07") & (split["old_code"] == "07321")
    split.loc[at, "share"] = "0.7"
    part = split[at].assign(new_code="07339", new_name="Tân Yên", share="0.3")
    walk, report = check_crosswalk(pd.concat([split, part], ignore_index=True))
    assert walk is not None
    assert len(report) == 1 and report.problems[0].severity == "warning"
    assert "split" in report.problems[0].problem and "07321" in report.problems[0].feature
    table = pd.DataFrame({"commune_code": ["07321"], "km": [10.0]})
    out = roll_up(table, walk, "2025-07", sum=["km"], period="2025-01").set_index("commune_code")["km"]
    assert out.to_dict() == pytest.approx({"07306": 7.0, "07339": 3.0})


def test_roll_up_of_the_sample_roads_sums_the_parts_and_recomputes_shares(
    walk: crosswalk.Crosswalk, sample_assessment: Any
) -> None:
    roads = sample_assessment.roads
    out = roll_up(
        roads,
        walk,
        "2025-07",
        sum=["total_km", "concretized_km"],
        shares={"share": ("concretized_km", "total_km")},
        by=["road_class"],
        period="2020-03",
    )
    assert set(out["commune_code"]) == set(walk.units("2025-07")["code"])
    assert (out["unit_period"] == "2025-07").all() and "status" not in out.columns
    members = crosswalk._mapping(walk, "2020-03", "2025-07").set_index("old_code")["new_code"]
    parts = roads.assign(new=roads["commune_code"].map(members))
    expected = parts.groupby(["new", "road_class"])[["total_km", "concretized_km"]].sum()
    got = out.set_index(["commune_code", "road_class"])
    np.testing.assert_allclose(got["total_km"], expected["total_km"].reindex(got.index))
    np.testing.assert_allclose(got["concretized_km"], expected["concretized_km"].reindex(got.index))
    assert got["total_km"].sum() == pytest.approx(roads["total_km"].sum())
    ratio = (got["concretized_km"] / got["total_km"]).where(got["total_km"] > 0)
    np.testing.assert_allclose(got["share"], ratio)
    # recomputed, not averaged: Quang Trung's xa roads are not the mean of its five parts' shares
    mean = parts[parts["road_class"] == "xa"].groupby("new")["share"].mean()["07333"]
    assert got.loc[("07333", "xa"), "share"] != pytest.approx(mean)


def test_roll_up_equals_re_cutting_the_roads_by_dissolved_communes(
    walk: crosswalk.Crosswalk, sample_workspace: Any, sample_assessment: Any
) -> None:
    members = crosswalk._mapping(walk, "2020-03", "2025-07").set_index("old_code")["new_code"]
    communes = sample_workspace.communes
    dissolved = communes.assign(new=communes["commune_code"].map(members)).dissolve("new").reset_index()
    roads = sample_workspace.layer("roads")
    cut = gpd.overlay(
        roads[["geometry"]], dissolved[["new", "geometry"]], how="intersection", keep_geom_type=True
    )
    km = (cut.length / 1000).groupby(cut["new"]).sum()
    out = roll_up(sample_assessment.roads, walk, "2025-07", sum=["total_km"], period="2020-03")
    rolled = out.groupby("commune_code")["total_km"].sum()
    np.testing.assert_allclose(rolled.sort_index(), km.reindex(rolled.index).sort_index(), rtol=1e-6)


def test_a_join_on_reused_codes_alone_is_refused(walk: crosswalk.Crosswalk, sample_assessment: Any) -> None:
    with pytest.raises(DataError) as caught:
        roll_up(sample_assessment.roads, walk, "2025-07", sum=["total_km"])
    text = str(caught.value)
    assert "07333: Lam Cốt (2020-03), Lam Sơn (2025-01), Quang Trung (2025-07)" in text
    assert "reused" in text
    # the period stated by a column is a period: the join is then made within it
    stated = sample_assessment.roads.assign(unit_period="2020-03")
    assert not roll_up(stated, walk, "2025-07", sum=["total_km"]).empty
    with pytest.raises(DataError, match="several periods"):
        roll_up(stated, walk, "2025-07", sum=["total_km"], period="2025-01")


def test_codes_outside_the_period_and_unknown_steps_are_data_errors(walk: crosswalk.Crosswalk) -> None:
    table = pd.DataFrame({"commune_code": ["07303", "99999"], "km": [1.0, 2.0]})
    with pytest.raises(DataError, match="not in unit period 2020-03"):
        roll_up(table, walk, "2025-07", sum=["km"], period="2020-03")
    with pytest.raises(DataError, match="no step"):
        roll_up(table, walk, "2020-03", sum=["km"], period="2025-07")
    with pytest.raises(DataError, match="unknown unit period"):
        walk.units("2019-01")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=22, max_size=22))
def test_roll_up_keeps_the_total(walk: crosswalk.Crosswalk, values: list[float]) -> None:
    table = pd.DataFrame({"commune_code": walk.units("2020-03")["code"], "ha": values})
    out = roll_up(table, walk, "2025-07", sum=["ha"], period="2020-03")
    assert out["ha"].sum() == pytest.approx(sum(values), rel=1e-9, abs=1e-9)
    assert len(out) == 6


def _sample_copy(tmp_path: Path, crosswalk_text: str) -> Path:
    import shutil

    from ntmgis.workspace import sample_workspace_path

    shutil.copytree(sample_workspace_path().parent, tmp_path / "ws")
    (tmp_path / "ws" / "xw.csv").write_text(crosswalk_text, encoding="utf-8")
    config_path = tmp_path / "ws" / "workspace.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["crosswalk"] = "xw.csv"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return config_path


def test_workspace_reads_its_crosswalk(tmp_path: Path) -> None:
    from ntmgis.workspace.inputs import workspace_inputs

    config_path = _sample_copy(tmp_path, PACKAGED.read_text(encoding="utf-8"))
    workspace = load_workspace(config_path)
    assert workspace.crosswalk is not None
    assert workspace.crosswalk.periods == ("2020-03", "2025-01", "2025-07")
    assert not [p for p in workspace.problems if p.layer == "crosswalk"]
    assert tmp_path / "ws" / "xw.csv" in workspace_inputs(config_path)  # no output may overwrite it
    assert load_workspace().crosswalk is None  # the sample names none: nothing is assumed


def test_a_bad_workspace_crosswalk_is_a_problem_report_not_a_traceback(tmp_path: Path) -> None:
    text = PACKAGED.read_text(encoding="utf-8").replace("2025-07-01,NQ 1658", "2025-07-32,NQ 1658", 1)
    config_path = _sample_copy(tmp_path, text)
    with pytest.raises(DataError) as caught:
        load_workspace(config_path)
    found = [p for p in caught.value.problems if p.layer == "crosswalk"]
    assert len(found) == 1 and "not a date" in found[0].problem
    # a communes layer in another period than the crosswalk's first is said
    later = "\n".join(
        ln for ln in PACKAGED.read_text(encoding="utf-8").splitlines() if not ln.startswith("2020-03")
    )
    config_path = _sample_copy(tmp_path / "b", later + "\n")
    with pytest.raises(DataError) as caught:
        load_workspace(config_path)
    found = [p for p in caught.value.problems if p.layer == "crosswalk"]
    assert [p.count for p in found if p.severity == "error"] == [3]  # Lan Giới, Đại Hóa, Phúc Sơn


@pytest.mark.skipif(not (OLD_POLYGONS.exists() and NEW_POLYGONS.exists()), reason="real polygons absent")
def test_real_2021_polygons_dissolved_along_the_crosswalk_match_the_2025_polygons(
    walk: crosswalk.Crosswalk,
) -> None:
    members = crosswalk._mapping(walk, "2020-03", "2025-07")
    old = gpd.read_file(OLD_POLYGONS).to_crs(32648).merge(members, left_on="gso_code", right_on="old_code")
    assert len(old) == 22
    new = gpd.read_file(NEW_POLYGONS).to_crs(32648).set_index("code")
    dissolved = old.dissolve("new_code")
    assert set(dissolved.index) == set(new.index)
    for code, geometry in dissolved.geometry.items():
        inside = geometry.intersection(new.geometry[code]).area / geometry.area
        assert inside >= INSIDE_AT_LEAST, (code, inside)
        if code == "07228":  # Đa Mai: Quế Nham plus four wards of the former city
            assert geometry.area < new.geometry[code].area
            continue
        relative = geometry.area / new.geometry[code].area - 1
        assert abs(relative) <= AREA_TOLERANCE, (code, relative)
    # majority area reproduces the crosswalk (a spatial join would hand slivers to neighbours)
    cut = gpd.overlay(old[["gso_code", "new_code", "geometry"]], new.reset_index()[["code", "geometry"]])
    largest = cut.assign(area=cut.area).sort_values("area").groupby("gso_code").last()
    assert (largest["code"] == largest["new_code"]).all()
    assert cut.groupby("gso_code")["code"].nunique().max() > 1  # slivers exist: the rule matters


def _python_block(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_guide_example_runs_and_is_the_same_in_both_languages() -> None:
    docs = Path(__file__).resolve().parents[1] / "docs"
    code = _python_block(docs / "en" / "reference" / "crosswalk.md")
    assert code == _python_block(docs / "vi" / "reference" / "crosswalk.md")
    namespace: dict[str, Any] = {}
    exec(compile(code, "crosswalk.md", "exec"), namespace)  # noqa: S102 - the guide's own example
    new = namespace["new"]
    assert sorted(new["commune_code"].unique()) == ["07228", "07306", "07330", "07333", "07339", "07351"]

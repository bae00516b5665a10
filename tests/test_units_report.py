"""Reporting in later units (issue 13 parts 1, 2 and 5): unit period recorded, `--units 2025-07`."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from ntmgis.cli import main
from ntmgis.crosswalk import _mapping, packaged_crosswalk, read_crosswalk
from ntmgis.problems import DataError
from ntmgis.report_units import UNITS_SHEETS, units_tables
from ntmgis.units_view import UnitsView, dissolve_units, rolled_up, workspace_units_view
from ntmgis.workspace import load_workspace, sample_workspace_path

PACKAGED = Path(__file__).resolve().parents[1] / "ntmgis" / "data" / "crosswalk_tan_yen.csv"
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
OLD_POLYGONS = REAL / "tan_yen_communes_2021_derived.geojson"
NEW_POLYGONS = REAL / "tan_yen_area_communes_2025_sapnhap.geojson"
AREA_TOLERANCE = 0.04  # the tolerance of tests/test_crosswalk.py (measured −3.5 % … +1.3 %)


@pytest.fixture(scope="module")
def view(sample_workspace: Any, sample_assessment: Any) -> UnitsView:
    return workspace_units_view(sample_workspace, sample_assessment, to="2025-07")


@pytest.fixture(scope="module")
def new_of() -> dict[str, str]:
    mapping = _mapping(packaged_crosswalk(), "2020-03", "2025-07")
    return dict(zip(mapping["old_code"], mapping["new_code"], strict=True))


def test_the_sample_s_unit_period_is_inferred_and_said(sample_workspace: Any, sample_assessment: Any) -> None:
    assert sample_workspace.unit_period == "2020-03"
    said = [p for p in sample_workspace.problems if p.feature == "unit_period"]
    assert [p.severity for p in said] == ["info"] and "inferred as 2020-03" in said[0].problem
    assert sample_assessment.provenance.unit_period == "2020-03"


def _copy_sample(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "ws"
    shutil.copytree(sample_workspace_path().parent, folder)
    yaml_file = folder / "workspace.yaml"
    yaml_file.write_text(yaml_file.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return folder


def test_a_declared_unit_period_is_kept_and_a_wrong_one_refused(tmp_path: Path) -> None:
    shutil.copy(PACKAGED, tmp_path / "crosswalk.csv")
    folder = _copy_sample(tmp_path, "crosswalk: ../crosswalk.csv\nunit_period: '2020-03'\n")
    ws = load_workspace(folder)
    assert ws.unit_period == "2020-03" and not [p for p in ws.problems if p.feature == "unit_period"]
    wrong = _copy_sample(tmp_path / "b", "crosswalk: ../../crosswalk.csv\nunit_period: '2019-01'\n")
    with pytest.raises(DataError) as caught:
        load_workspace(wrong)
    problem = next(p for p in caught.value.problems if p.feature == "unit_period")
    assert "2019-01" in problem.problem and "2020-03" in problem.action and "2025-07" in problem.action


def test_km_ha_and_cost_in_the_new_units_are_the_sums_of_their_parts(
    view: UnitsView, sample_assessment: Any, sample_workspace: Any, new_of: dict[str, str]
) -> None:
    a = sample_assessment
    units = view.units.set_index("commune_code")
    roads = a.roads.assign(new=a.roads["commune_code"].map(new_of)).groupby("new")
    pd.testing.assert_series_equal(units["road_km"], roads["total_km"].sum(), check_names=False)
    pd.testing.assert_series_equal(units["hardened_km"], roads["concretized_km"].sum(), check_names=False)
    zones = a.zones_by_commune.assign(new=a.zones_by_commune["commune_code"].map(new_of))
    zone_ha = zones.groupby("new")["area_ha"].sum().reindex(units.index, fill_value=0.0)
    pd.testing.assert_series_equal(units["zone_ha"], zone_ha, check_names=False)
    works = pd.concat([a.segments_to_upgrade, a.canals_to_line])
    cost = works.assign(new=works["commune_code"].map(new_of)).groupby("new")["cost_million_vnd"].sum()
    pd.testing.assert_series_equal(units["works_cost_million_vnd"], cost, check_names=False)
    communes = sample_workspace.layer("communes")
    people = communes.assign(new=communes["commune_code"].map(new_of)).groupby("new")["population"].sum()
    assert units["population"].to_dict() == pytest.approx(people.astype(float).to_dict())
    assert units["villages"].sum() == len(sample_workspace.layer("villages"))
    # every segment still to do is listed once, in the new unit of its old commune
    assert len(view.works) == len(works)
    assert (view.works["commune_code"] == view.works["old_code"].map(new_of)).all()


def test_shares_are_recomputed_from_the_sums_never_averaged(view: UnitsView, sample_assessment: Any) -> None:
    old = ["07303", "07312", "07315", "07318", "07333"]  # Quang Trung 2025-07 = five 2021 units
    parts = sample_assessment.roads[sample_assessment.roads["commune_code"].isin(old)]
    by_hand = parts["concretized_km"].sum() / parts["total_km"].sum()
    quang_trung = view.units.set_index("commune_code").loc["07333"]
    assert quang_trung["hardened_share"] == pytest.approx(by_hand, rel=1e-12)
    per_commune = parts.groupby("commune_code")[["concretized_km", "total_km"]].sum()
    mean_of_shares = (per_commune["concretized_km"] / per_commune["total_km"]).mean()
    assert abs(mean_of_shares - by_hand) > 1e-4  # the two differ: the test can tell them apart
    xa = view.roads[(view.roads["commune_code"] == "07333") & (view.roads["road_class"] == "xa")].iloc[0]
    xa_parts = parts[parts["road_class"] == "xa"]
    assert xa["share"] == pytest.approx(xa_parts["concretized_km"].sum() / xa_parts["total_km"].sum())
    i = view.indicators
    row = i[(i["commune_code"] == "07333") & (i["indicator"] == "2.1")]
    assert row["share"].iat[0] == pytest.approx(xa["share"])
    assert row["threshold"].isna().all() and not row["verified"].any()  # QĐ 51: no number in the package


def test_constituents_list_every_2021_commune_once_with_its_own_status(
    view: UnitsView, sample_assessment: Any
) -> None:
    c = view.constituents
    assert sorted(c["old_code"]) == sorted(sample_assessment.communes["commune_code"].astype(str))
    assert c["old_code"].is_unique and len(c) == 22
    own = sample_assessment.communes.set_index("commune_code")["highest_level"]
    assert c.set_index("old_code")["highest_level"].equals(own.reindex(c["old_code"]).rename_axis("old_code"))
    assert "status" not in view.units.columns and "highest_level" not in view.units.columns


def test_que_nham_lands_in_the_ward_outside_the_commune_set(view: UnitsView) -> None:
    que_nham = view.constituents.set_index("old_code").loc["07366"]
    assert (que_nham["commune_code"], que_nham["name"], que_nham["kind"]) == ("07228", "Đa Mai", "phuong")
    assert not que_nham["in_commune_set"]
    in_set = view.units.set_index("name")["in_commune_set"]
    assert in_set.to_dict() == {
        "Đa Mai": False,
        "Nhã Nam": True,
        "Phúc Hòa": True,
        "Quang Trung": True,
        "Tân Yên": True,
        "Ngọc Thiện": True,
    }
    sheet = units_tables(view, lang="en")["units_communes"].set_index("Name")
    assert sheet.loc["Đa Mai", "In the commune set"] == "no (ward, outside the commune set)"
    assert sheet.loc["Đa Mai", "Kind"] == "Ward"


def test_report_units_exits_0_and_writes_the_sheets_with_their_units(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert main(["report", "--units", "2025-07", "-o", str(out), "--quiet"]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    titles = [t for t in book.sheetnames if "2025-07" in t]
    assert len(titles) == len(UNITS_SHEETS)
    first = [c for c in next(book[titles[0]].iter_rows(max_row=1, values_only=True)) if c]
    assert any("2025-07" in str(v) and "2020-03" in str(v) for v in first)  # the header note
    about = pd.read_csv(tmp_path / "r_csv" / "about.csv", encoding="utf-8-sig")
    assert "2020-03" in about.iloc[:, 1].astype(str).tolist()
    constituents = pd.read_csv(tmp_path / "r_csv" / "units_constituents.csv", encoding="utf-8-sig", dtype=str)
    assert len(constituents) == 22


def test_a_step_the_crosswalk_does_not_have_exits_2_naming_the_periods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--units", "2030-01", "-o", str(tmp_path / "r.xlsx"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "2030-01" in err and all(p in err for p in ("2020-03", "2025-01", "2025-07"))


def test_an_assessment_not_in_the_crosswalk_s_start_period_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    walk, _ = read_crosswalk(PACKAGED)
    assert walk is not None
    later = walk.rows[walk.rows["from_period"] == "2025-01"].assign(share=None)
    path = tmp_path / "later.csv"
    later.to_csv(path, index=False)
    out = str(tmp_path / "r.xlsx")
    assert (
        main(["report", "--units", "2025-07", "--crosswalk", str(path), "-o", out, "--quiet", "--lang", "en"])
        == 2
    )
    err = capsys.readouterr().err
    assert "units of 2020-03" in err and "starts at 2025-01" in err


def test_a_join_on_the_code_alone_is_refused_without_a_period(sample_assessment: Any) -> None:
    unknown = replace(sample_assessment, provenance=replace(sample_assessment.provenance, unit_period=None))
    with pytest.raises(DataError) as caught:
        rolled_up(unknown, packaged_crosswalk(), to="2025-07")
    named = caught.value.problems[0].feature
    assert "07333: Lam Cốt (2020-03), Lam Sơn (2025-01), Quang Trung (2025-07)" in named


def test_map_units_opens_and_draws_the_six_new_units(tmp_path: Path, open_map: Any) -> None:
    out = tmp_path / "m.html"
    assert main(["map", "--units", "2025-07", "-o", str(out), "--quiet", "--lang", "en"]) == 0
    page, requests, console_errors, page_errors = open_map(out)
    assert page_errors == [] and console_errors == [] and requests == []
    assert page.evaluate("window.ntmgis.layers.units.getLayers().length") == 6
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    html = out.read_text(encoding="utf-8")
    assert "Administrative units: period 2020-03" in html and "Units of 2025-07" in html
    assert "Quế Nham (07366)" in html  # Đa Mai's popup lists its old unit


def test_dissolved_sample_polygons_keep_the_area(sample_workspace: Any, view: UnitsView) -> None:
    communes = sample_workspace.layer("communes")
    assert view.geometry is not None and len(view.geometry) == 6
    assert view.geometry.area.sum() == pytest.approx(communes.area.sum(), rel=1e-9)


def test_re_cutting_by_the_dissolved_polygons_equals_the_roll_up(
    tmp_path: Path, sample_workspace: Any, sample_assessment: Any, view: UnitsView
) -> None:
    assert view.geometry is not None
    path = tmp_path / "new_units.gpkg"
    view.geometry.to_file(path, layer="units")
    again = workspace_units_view(sample_workspace, sample_assessment, to="2025-07", polygons=path)
    assert again.recut is not None and len(again.recut) == 6 * 4
    assert again.recut["difference"].abs().max() < 1e-6 and not again.recut["over_tolerance"].any()


@pytest.mark.skipif(not NEW_POLYGONS.exists(), reason="real polygons absent")
def test_re_cutting_by_the_real_2025_polygons_reports_the_differences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.xlsx"
    args = ["report", "--units", "2025-07", "--units-polygons", str(NEW_POLYGONS), "-o", str(out), "--quiet"]
    assert main(args) == 0
    err = capsys.readouterr().err
    # the report is Vietnamese (its CSV headers below too), and so is its problem line
    assert "số liệu cắt theo ranh giới mới chênh với số liệu cộng dồn quá 2%" in err
    recut = pd.read_csv(tmp_path / "r_csv" / "units_recut.csv", encoding="utf-8-sig", dtype={"Mã xã": str})
    assert sorted(set(recut["Mã xã"])) == ["07228", "07306", "07330", "07333", "07339", "07351"]


@pytest.mark.skipif(not (OLD_POLYGONS.exists() and NEW_POLYGONS.exists()), reason="real polygons absent")
def test_real_2021_polygons_dissolved_by_the_roll_up_match_the_real_2025_polygons() -> None:
    old = gpd.read_file(OLD_POLYGONS).to_crs(32648).rename(columns={"gso_code": "commune_code"})
    dissolved = dissolve_units(old, packaged_crosswalk(), start="2020-03", to="2025-07")
    assert dissolved is not None
    new = gpd.read_file(NEW_POLYGONS).to_crs(32648).set_index("code")
    areas = dissolved.set_index("commune_code").area
    assert set(areas.index) == set(new.index)
    for code, area in areas.items():
        if code == "07228":  # Đa Mai also holds four wards of the former city
            assert area < new.geometry[code].area
            continue
        assert abs(area / new.geometry[code].area - 1) <= AREA_TOLERANCE, code

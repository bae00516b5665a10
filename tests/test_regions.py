"""Regions of every province (ntmgis/data/provinces_regions.csv), region: per workspace and per
commune, and thresholds a region has no value for: not assessed, with one problem naming the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml

from ntmgis.assessment import assess
from ntmgis.codes import NOT_ASSESSED
from ntmgis.criteria import choose_criteria
from ntmgis.criteria.regions import GSO_REGIONS, province_region, provinces, region_code
from ntmgis.criteria.sets import load_criteria_sets
from ntmgis.datasets import get_path
from ntmgis.problems import DataError
from ntmgis.workspace import load_workspace

# The 63 provinces before 2025 as offices write them (prefixes, no accents, old tone marks).
PROVINCES = {
    "Thành phố Hà Nội": "DBSH", "Hà Giang": "TDMNPB", "Cao Bằng": "TDMNPB", "Bắc Kạn": "TDMNPB",
    "Tuyên Quang": "TDMNPB", "Lào Cai": "TDMNPB", "Điện Biên": "TDMNPB", "Lai Châu": "TDMNPB",
    "Sơn La": "TDMNPB", "Yên Bái": "TDMNPB", "Hoà Bình": "TDMNPB", "Thái Nguyên": "TDMNPB",
    "Lạng Sơn": "TDMNPB", "Quảng Ninh": "DBSH", "Tỉnh Bắc Giang": "TDMNPB", "Phú Thọ": "TDMNPB",
    "Vĩnh Phúc": "DBSH", "Bắc Ninh": "DBSH", "Hải Dương": "DBSH", "TP. Hải Phòng": "DBSH",
    "Hưng Yên": "DBSH", "Thái Bình": "DBSH", "Hà Nam": "DBSH", "Nam Định": "DBSH", "Ninh Bình": "DBSH",
    "Thanh Hoá": "BTB_DHMT", "Nghệ An": "BTB_DHMT", "Hà Tĩnh": "BTB_DHMT", "Quảng Bình": "BTB_DHMT",
    "Quảng Trị": "BTB_DHMT", "Thừa Thiên Huế": "BTB_DHMT", "Đà Nẵng": "BTB_DHMT", "Quảng Nam": "BTB_DHMT",
    "Quảng Ngãi": "BTB_DHMT", "Bình Định": "BTB_DHMT", "Phú Yên": "BTB_DHMT", "Khánh Hòa": "BTB_DHMT",
    "Ninh Thuận": "BTB_DHMT", "Bình Thuận": "BTB_DHMT", "Kon Tum": "TN", "Gia Lai": "TN",
    "Đắk Lắk": "TN", "Dak Nong": "TN", "Lâm Đồng": "TN", "Bình Phước": "DNB", "Tây Ninh": "DNB",
    "Bình Dương": "DNB", "Đồng Nai": "DNB", "Bà Rịa – Vũng Tàu": "DNB", "TP Hồ Chí Minh": "DNB",
    "Long An": "DBSCL", "Tiền Giang": "DBSCL", "Bến Tre": "DBSCL", "Trà Vinh": "DBSCL",
    "Vĩnh Long": "DBSCL", "Đồng Tháp": "DBSCL", "An Giang": "DBSCL", "Kiên Giang": "DBSCL",
    "thanh pho can tho": "DBSCL", "Hậu Giang": "DBSCL", "Sóc Trăng": "DBSCL", "Bạc Liêu": "DBSCL",
    "Cà Mau": "DBSCL",
}  # fmt: skip


def test_every_province_has_a_region() -> None:
    assert len(PROVINCES) == 63 and len(provinces()) == 63
    found = {name: province_region(name) for name in PROVINCES}
    assert found == PROVINCES
    assert {r["region"] for r in provinces().values()} == set(GSO_REGIONS)
    codes = [r["province_code"] for r in provinces().values()]
    assert len(set(codes)) == 63 and all(len(c) == 2 and c.isdigit() for c in codes)
    assert province_region("24") == "TDMNPB" and province_region("Atlantis") is None


def test_every_province_selects_criteria() -> None:
    sets = load_criteria_sets()
    for name, region in PROVINCES.items():
        # QĐ 318 has one regional column, TDMNPB; the other regions keep their GSO code.
        assert choose_criteria(2023, province=name, sets=sets).region == region


def test_unknown_region_or_province_is_one_problem_listing_the_known_ones() -> None:
    sets = load_criteria_sets()
    with pytest.raises(DataError) as caught:
        choose_criteria(2023, region="MEKONG", sets=sets)
    (problem,) = caught.value.problems
    assert "MEKONG" in problem.problem and all(code in problem.action for code in GSO_REGIONS)
    with pytest.raises(DataError) as caught:
        choose_criteria(2023, province="Atlantis", sets=sets)
    (problem,) = caught.value.problems
    assert "Cà Mau" in problem.problem and "DBSCL" in problem.action
    # A region may be written as its name.
    assert choose_criteria(2023, region="Đồng bằng sông Cửu Long", sets=sets).region == "DBSCL"
    assert region_code("trung du va mien nui phia bac") == "TDMNPB"


def _copy_sample(tmp_path: Path, **changes: object) -> Path:
    root = tmp_path / "district"
    shutil.copytree(get_path("tan_yen"), root)
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    for key in ("sample", "sample_note", "provenance"):
        config.pop(key, None)
    # No status tables: only measured values decide, so a missing threshold cannot be hidden by
    # a reported verdict.
    config["tables"] = {}
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


def _regional_rows(assessment: object, indicator: str) -> pd.DataFrame:
    rows = assessment.indicators_by_level  # type: ignore[attr-defined]
    return rows[(rows["indicator"] == indicator) & (rows["level"] == "ntm")].set_index("unit_code")


def test_a_mekong_district_is_assessed_without_its_regional_thresholds(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path, district={"name": "Phong Điền", "province": "Cần Thơ", "kind": "huyen"})
    workspace = load_workspace(root)
    a = assess(workspace)
    assert a.provenance.region == "DBSCL"
    rows = _regional_rows(a, "2.2")  # QĐ 318 2.2 has a value for TDMNPB only
    assert len(rows) and rows["threshold"].isna().all()
    assert set(rows["status"]) == {NOT_ASSESSED}
    assert rows["value"].notna().any()  # measured, but there is nothing to compare it with
    (problem,) = [p for p in a.problems if "no threshold for region" in p.problem]
    assert "DBSCL" in problem.problem and "Đồng bằng sông Cửu Long" in problem.problem
    assert "qd318_2022_xa 2.2 (ntm, nang_cao)" in problem.problem
    assert 'criteria_overrides: {qd318_2022_xa: {"' in problem.action
    # Indicators that do not depend on the region are still decided (2.1: 100 % everywhere).
    assert not _regional_rows(a, "2.1")["threshold"].isna().any()

    # The override the problem names gives the number: the indicator is assessed again.
    overrides = {"qd318_2022_xa": {"2.2": {"ntm": {"value": 70, "source": "QĐ test/UBND tỉnh"}}}}
    b = assess(workspace.with_criteria_overrides(overrides))
    assert (_regional_rows(b, "2.2")["status"] != NOT_ASSESSED).all()
    assert not any("qd318_2022_xa 2.2 (ntm," in p.problem for p in b.problems)


def test_workspace_region_overrides_the_province(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path, region="DBSCL")
    a = assess(load_workspace(root))
    assert a.provenance.region == "DBSCL"
    assert _regional_rows(a, "2.2")["threshold"].isna().all()
    unknown = _copy_sample(tmp_path / "x", region="Mekong")
    with pytest.raises(DataError, match="unknown region 'Mekong'"):
        assess(load_workspace(unknown))


def test_a_region_column_on_the_communes_sets_each_communes_region(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path)
    path = root / "boundaries" / "communes.gpkg"
    communes = gpd.read_file(path, layer="communes")
    codes = sorted(communes.loc[communes["kind"] == "xa", "commune_code"].astype(str))  # not the towns
    delta, typo = codes[:3], codes[3]
    region = (
        communes["commune_code"]
        .astype(str)
        .map(lambda c: "Đồng bằng sông Cửu Long" if c in delta else ("Mekong" if c == typo else None))
    )
    communes.assign(region=region).to_file(path, layer="communes", driver="GPKG")
    workspace = load_workspace(root)
    assert not [p for p in workspace.problems if "region" in p.feature and p.severity == "error"]
    a = assess(workspace)
    rows = _regional_rows(a, "2.2")
    assessed_here = [c for c in rows.index if c not in delta]
    assert rows.loc[delta, "threshold"].isna().all()
    assert set(rows.loc[delta, "status"]) == {NOT_ASSESSED}
    assert (rows.loc[assessed_here, "threshold"] == 70).all()  # TDMNPB (Bắc Giang), the typo too
    (typo_problem,) = [p for p in a.problems if "region column" in p.problem]
    assert "'Mekong'" in typo_problem.problem and typo in typo_problem.feature
    assert "TDMNPB" in typo_problem.action and typo_problem.count == 1
    (missing,) = [p for p in a.problems if "no threshold for region" in p.problem]
    assert f"{len(delta)} commune(s)" in missing.problem
    # Every commune is still evaluated once per level and indicator.
    assert not a.indicators_by_level.duplicated(["unit_code", "level", "indicator"]).any()
    assert set(a.indicators_by_level["unit_code"]) >= set(delta)

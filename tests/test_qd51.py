"""QĐ 51/2025/QĐ-TTg (2026–2030) as data: null thresholds, commune groups, chosen by date."""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import yaml

from ntmgis.assessment import assess
from ntmgis.codes import NOT_ASSESSED
from ntmgis.criteria import choose_criteria
from ntmgis.criteria.schema import check_set
from ntmgis.criteria.sets import load_criteria_sets
from ntmgis.datasets import get_path
from ntmgis.workspace import load_workspace

SET = "qd51_2025_xa"
MEASURED = {
    "2.1": "road_concretized_share_xa",
    "2.2": "road_concretized_share_thon",
    "2.3": "road_concretized_share_ngo_xom",
    "2.4": "road_concretized_share_noi_dong",
    "2.5": "canal_lined_share_xa",
    "2.6": "standard_market_present",
    "2.7": "villages_with_culture_house_share",
}
AS_OF = "2026-06-30"


def _packaged() -> Any:
    text = resources.files("ntmgis").joinpath(f"criteria/{SET}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _leaves(spec: Any) -> list[Any]:
    """Every threshold value of a spec, down through by_group / by_region / by_year."""
    if not isinstance(spec, dict):
        return [spec]
    found = [spec["value"]] if "value" in spec else []
    for form in ("by_group", "by_region", "by_year"):
        for value in (spec.get(form) or {}).values():
            found += _leaves(value)
    return found


def test_the_set_loads_validates_and_has_ten_verified_criteria() -> None:
    data = _packaged()
    assert check_set(data, f"package:{SET}") == []
    criteria_set = load_criteria_sets()[SET]
    assert criteria_set.levels == ("ntm", "hien_dai")
    assert criteria_set.commune_groups == ("nhom_1", "nhom_2", "nhom_3")
    assert [c["name"]["vi"] for c in data["criteria"]][:2] == ["Quy hoạch", "Hạ tầng kinh tế – xã hội"]
    assert len(data["criteria"]) == 10 and all(c["name_verified"] for c in data["criteria"])
    for entry in data["commune_groups"].values():
        assert entry["source"] and isinstance(entry["verified"], bool)
    # No source confirms any indicator text.
    assert all(ind["verified"] is False for c in data["criteria"] for ind in c["indicators"])
    measured = {
        ind["id"]: ind["measure"]["computed"]
        for c in data["criteria"]
        for ind in c["indicators"]
        if isinstance(ind["measure"], dict)
    }
    assert measured == MEASURED


def test_no_threshold_number_is_in_the_packaged_file() -> None:
    values = [
        v
        for c in _packaged()["criteria"]
        for ind in c["indicators"]
        for s in ind["thresholds"].values()
        for v in _leaves(s)
    ]
    assert values and all(v is None for v in values)
    table = load_criteria_sets()[SET].thresholds(region=None, year=2026, group="nhom_2")
    assert table["threshold"].isna().all() and not table["verified"].any()


def test_auto_selection_by_date() -> None:
    sets = load_criteria_sets()
    assert choose_criteria("2026-03-01", sets=sets).commune.id == SET
    assert choose_criteria("2026-02-15", sets=sets).commune.id == SET
    assert choose_criteria("2025-06-30", sets=sets).commune.id == "qd318_2022_xa"
    assert choose_criteria("2025-12-31", sets=sets).commune.id == "qd318_2022_xa"
    assert choose_criteria("2026-03-01", sets=sets).kieu_mau is None


def _copy_sample(tmp_path: Path, *, keep_status: bool = False, **changes: object) -> Path:
    root = tmp_path / "district"
    shutil.copytree(get_path("tan_yen"), root)
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    config.pop("status_year", None)
    # The sample's status tables report against the 2021–2025 set (criterion 2 "Giao thông"): they
    # are not evidence for QĐ 51 criteria, so only measured values are read here.
    tables = dict(config.get("tables") or {})
    if not keep_status:
        config["tables"] = {k: v for k, v in tables.items() if k == "recognitions"}
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


def _communes(root: Path) -> gpd.GeoDataFrame:
    workspace = load_workspace(root)
    return workspace.layer("communes")


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("qd51")
    codes = load_workspace().layer("communes")["commune_code"].astype(str)
    return _copy_sample(tmp, commune_groups={c: 2 for c in codes})


def _rows(a: Any, level: str = "ntm") -> pd.DataFrame:
    rows = a.indicators_by_level
    return rows[(rows["criteria_set"] == SET) & (rows["level"] == level)]


def test_measured_indicators_are_shown_but_not_assessed(grouped: Path) -> None:
    a = assess(load_workspace(grouped), as_of=AS_OF)
    assert a.provenance.criteria_set == SET if hasattr(a.provenance, "criteria_set") else True
    rows = _rows(a)
    measured = rows[rows["indicator"].isin(list(MEASURED))]
    for indicator in ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6"):
        got = measured[measured["indicator"] == indicator]
        # A commune without commune-managed canals has no lined share (2.5): nothing to measure.
        has_value = got["value"].notna()
        assert len(got) and (has_value.any() if indicator == "2.5" else has_value.all()), indicator
    assert measured["threshold"].isna().all()
    assert (measured["status"] == NOT_ASSESSED).all()
    assert not measured["met"].notna().any()
    assert not [p for p in a.problems if "commune group" in p.problem]
    unverified = a.unverified_thresholds
    assert unverified["threshold_note_vi"].str.contains("ngưỡng chưa có").any()
    assert unverified["threshold_note"].str.contains("threshold not set").any()


def test_reports_of_the_2021_2025_set_are_not_read_as_qd51_criteria(tmp_path: Path) -> None:
    # Regression: the sample's 2023 reports say criterion 2 "Giao thông" is Đạt; under QĐ 51 "2" is
    # another criterion, so those rows must not decide it (they did: criterion 2 showed Đạt).
    codes = load_workspace().layer("communes")["commune_code"].astype(str)
    root = _copy_sample(tmp_path, keep_status=True, commune_groups={c: 2 for c in codes})
    a = assess(load_workspace(root), as_of=AS_OF)
    rows = _rows(a)
    assert not (rows["method"] == "reported").any()
    measured = rows[rows["indicator"].isin(list(MEASURED))]
    assert (measured["status"] == NOT_ASSESSED).all()
    said = [p for p in a.problems if "earlier criteria set" in p.problem]
    assert len(said) == 1 and said[0].layer == "commune_status" and said[0].severity == "warning"


def test_report_and_map_say_threshold_not_set(grouped: Path, tmp_path: Path, open_map: Any) -> None:
    out = tmp_path / "report.xlsx"
    run = subprocess.run(
        [sys.executable, "-m", "ntmgis", "report", str(grouped), "-o", str(out), "--as-of", AS_OF, "-q"],
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    sheets = pd.read_excel(out, sheet_name=None)
    assert any(
        frame.astype(str).apply(lambda c: c.str.contains("ngưỡng chưa có")).any().any()
        for frame in sheets.values()
    )
    html = tmp_path / "map.html"
    run = subprocess.run(
        [sys.executable, "-m", "ntmgis", "map", str(grouped), "-o", str(html), "--year", "2026", "-q"],
        capture_output=True,
        text=True,
    )
    assert run.returncode in (0, 1), run.stderr
    assert "ngưỡng chưa có" in html.read_text(encoding="utf-8")
    page, requests, console_errors, page_errors = open_map(html)
    assert page_errors == [] and requests == []


def test_a_commune_without_a_group_is_one_grouped_problem(grouped: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((grouped / "workspace.yaml").read_text(encoding="utf-8"))
    groups = dict(config["commune_groups"])
    dropped = sorted(groups)[:3]
    for code in dropped:
        groups.pop(code)
    root = _copy_sample(tmp_path, commune_groups=groups)
    a = assess(load_workspace(root), as_of=AS_OF)
    found = [p for p in a.problems if "commune group" in p.problem]
    assert len(found) == 1
    assessed = set(a.communes.loc[a.communes["assessed"], "commune_code"].astype(str))
    assert found[0].count == len(set(dropped) & assessed)
    assert found[0].severity == "error" and "commune_group" in found[0].action


def test_group_overrides_make_indicators_assessed_and_the_users(tmp_path: Path) -> None:
    codes = load_workspace().layer("communes")["commune_code"].astype(str).tolist()
    groups = {c: ("nhom_1" if i % 2 else "Nhóm 2") for i, c in enumerate(codes)}
    overrides = {
        SET: {
            "2.1": {
                "ntm": {
                    "by_group": {"nhom_1": 100, "nhom_2": 0},
                    "source": "QĐ 99/2026/QĐ-UBND (test)",
                    "verified": False,
                }
            },
        }
    }
    root = _copy_sample(tmp_path, commune_groups=groups, criteria_overrides=overrides)
    a = assess(load_workspace(root), as_of=AS_OF)
    rows = _rows(a)
    road = rows[rows["indicator"] == "2.1"].set_index("unit_code")
    assert len(road) and road["overridden"].all()
    assert road["source"].eq("QĐ 99/2026/QĐ-UBND (test)").all()
    group_two = [c for c, g in groups.items() if g == "Nhóm 2" and c in road.index]
    assert (road.loc[group_two, "threshold"] == 0).all() and (road.loc[group_two, "status"] == "met").all()
    group_one = [c for c, g in groups.items() if g == "nhom_1" and c in road.index]
    assert (road.loc[group_one, "threshold"] == 100).all()
    assert road.loc[group_one, "status"].isin(["met", "not_met"]).all()
    # The other measured indicators still have no number.
    assert (rows[rows["indicator"] == "2.2"]["status"] == NOT_ASSESSED).all()

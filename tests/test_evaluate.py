"""Evaluation (ntmgis.criteria.evaluate): communes, villages, district progress, cross-check."""

from functools import cache

import geopandas as gpd
import pandas as pd
import pytest
from workspace_builders import PLAN_CODES, grid_communes, write_workspace

from ntmgis.criteria import choose_criteria, load_criteria_sets
from ntmgis.criteria.evaluate import evaluate, evaluate_workspace
from ntmgis.plan import load_plan
from ntmgis.workspace import load_workspace, sample_workspace_path

PLAN = load_plan("package:tan_yen_2021_2025")
COMMUNES = pd.DataFrame(
    [
        {"commune_code": code, "name": name, "kind": "thi_tran" if code in ("07339", "07306") else "xa"}
        for code, name in PLAN_CODES.items()
    ]
)
DAI_HOA, VIET_LAP, HOP_DUC, PHUC_HOA, PHUC_SON, CAO_THUONG = (
    "07312",
    "07354",
    "07330",
    "07324",
    "07318",
    "07339",
)
# A province override that turns the 2.2 placeholders into confirmed numbers (verified: true).
VERIFIED_22 = {"qd318_2022_xa": {"2.2": {"ntm": 70, "nang_cao": 90}}}


@cache
def _sets(key=None):
    return load_criteria_sets(dict(VERIFIED_22) if key == "verified_22" else None)


def selection(year=2023, *, verified_22=False, overrides=None):
    sets = load_criteria_sets(overrides) if overrides else _sets("verified_22" if verified_22 else None)
    return choose_criteria(year, province="Bắc Giang", sets=sets)


def row(code, criterion, met=None, *, indicator=None, level="ntm", value=None, year=2023):
    return {
        "commune_code": code,
        "criterion": criterion,
        "indicator": indicator,
        "level": level,
        "met": met,
        "value": value,
        "year": year,
        "note": None,
    }


def all_met(code, level="ntm", *, skip=(), year=2023):
    return [row(code, str(k), True, level=level, year=year) for k in range(1, 20) if str(k) not in skip]


def status(rows):
    frame = pd.DataFrame(
        rows, columns=["commune_code", "criterion", "indicator", "level", "met", "value", "year", "note"]
    )
    frame["met"] = pd.array(frame["met"].tolist(), dtype="boolean")
    frame["value"] = pd.array(frame["value"].tolist(), dtype="Float64")
    frame["year"] = pd.array(frame["year"].tolist(), dtype="Int64")
    return frame


def m(unit_code, indicator, value, unit="share"):
    return {"unit_code": unit_code, "indicator": indicator, "value": value, "unit": unit}


def computed(rows):
    return pd.DataFrame(rows, columns=["unit_code", "indicator", "value", "unit"])


def summary_of(assessment, code):
    return assessment.communes.set_index("commune_code").loc[code]


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


def test_plan_schedule_is_reproduced_exactly():
    result = evaluate(COMMUNES, None, PLAN, selection())
    summary = result.communes.set_index("name")
    nang_cao = {
        name: milestones for name, milestones in summary["milestones"].items() if "nang_cao" in milestones
    }
    assert {n: m for n, m in nang_cao.items()} == {
        "Hợp Đức": "nang_cao 2021, kieu_mau 2024",
        "Phúc Hòa": "nang_cao 2021, kieu_mau 2024",
        "Phúc Sơn": "nang_cao 2022",
        "Ngọc Châu": "nang_cao 2022",
        "Quế Nham": "nang_cao 2022",
        "Liên Sơn": "nang_cao 2023",
        "Lam Cốt": "nang_cao 2023",
        "Ngọc Thiện": "nang_cao 2024",
        "Việt Ngọc": "nang_cao 2024",
        "Ngọc Vân": "nang_cao 2025",
        "Ngọc Lý": "nang_cao 2025",
    }
    kieu_mau = summary[summary["target_level"] == "kieu_mau"]["target_year"].to_dict()
    assert kieu_mau == {"Hợp Đức": 2024, "Phúc Hòa": 2024, "Việt Lập": 2023}
    # Communes the schedules do not name keep NTM to the end of the plan.
    assert summary.loc["Đại Hóa", ["target_level", "target_year"]].tolist() == ["ntm", 2025]
    progress = result.progress.set_index(["measure", "year"])["planned_cumulative"]
    assert progress["nang_cao_communes"].tolist() == [2, 5, 7, 9, 11]
    assert progress["kieu_mau_communes"].tolist() == [0, 0, 1, 3, 3]
    assert progress["model_villages"].tolist() == [11, 21, 34, 40, 43]
    planned = result.progress.groupby("measure")["planned"].sum().to_dict()
    assert planned == {"nang_cao_communes": 11, "kieu_mau_communes": 3, "model_villages": 43}
    budget = result.sectors.set_index("target_id").loc["budget_total"]
    assert budget["target"] == 931_359
    assert budget["text"] == "931,359 = state_budget 712,276 + other_sources 219,083"


def test_missing_data_is_never_a_failure():
    result = evaluate(COMMUNES, None, PLAN, selection())
    assert set(result.indicators["status"]) == {"not_assessed"}
    assessed = result.communes[result.communes["assessed"]]
    assert assessed["highest_level"].isna().all()
    # Without data nothing is late: milestones not yet due are on track, the others unknown.
    statuses = assessed.set_index("name")["schedule_status"]
    assert set(statuses) == {"not_assessed", "on_track"}
    assert statuses["Ngọc Vân"] == "on_track"  # nâng cao 2025
    assert statuses["Phúc Sơn"] == "not_assessed"  # nâng cao 2022, no data, no recognitions
    assert set(result.sectors["status"]) <= {"no_data", "text"}
    assert result.cross_check.empty


# ---------------------------------------------------------------------------------------------
# Hand-made communes
# ---------------------------------------------------------------------------------------------


def _one_gap_status():
    rows = all_met(DAI_HOA, skip=("2",))
    rows += [row(DAI_HOA, "2", True, indicator=i) for i in ("2.1", "2.3", "2.4")]
    return status(rows)


def test_a_commune_missing_one_criterion_shows_exactly_that_gap():
    measured = computed(
        [{"unit_code": DAI_HOA, "indicator": "road_concretized_share_thon", "value": 0.64, "unit": "share"}]
    )
    result = evaluate(COMMUNES, _one_gap_status(), PLAN, selection(verified_22=True), computed=measured)
    dai_hoa = summary_of(result, DAI_HOA)
    assert dai_hoa["highest_level"] == "chua_dat"
    assert dai_hoa["missing"] == "2"
    assert dai_hoa["gap_vi"] == "2.2 đường thôn: 64 % / 70 %"
    assert dai_hoa["gap_en"] == "2.2 village roads: 64 % / 70 %"
    assert (dai_hoa["criteria_met"], dai_hoa["criteria_total"]) == (18, 19)
    assert dai_hoa["schedule_status"] == "late"  # "keep NTM" is a standard to hold every year
    indicator = result.indicators.set_index(["unit_code", "level", "indicator"]).loc[(DAI_HOA, "ntm", "2.2")]
    assert indicator[["value", "threshold", "method", "status"]].tolist() == [
        64.0,
        70.0,
        "computed",
        "not_met",
    ]
    # The same gap from a reported value instead of a measurement.
    reported = pd.concat([_one_gap_status(), status([row(DAI_HOA, "2", indicator="2.2", value=64)])])
    result = evaluate(COMMUNES, reported, PLAN, selection(verified_22=True))
    assert summary_of(result, DAI_HOA)["gap_vi"] == "2.2 đường thôn: 64 % / 70 %"


def _kieu_mau_status(criterion_5_met):
    rows = all_met(VIET_LAP) + all_met(VIET_LAP, "nang_cao", skip=("5", "10"))
    rows += [
        row(VIET_LAP, "5", criterion_5_met, level="nang_cao"),
        row(VIET_LAP, "10", True, level="nang_cao", value=60),
        row(VIET_LAP, "KM", indicator="KM.3", level="kieu_mau", value=2),
        row(VIET_LAP, "KM", True, indicator="KM.4", level="kieu_mau"),
    ]
    return status(rows)


def test_kieu_mau_fails_when_nang_cao_fails_even_if_its_own_conditions_pass():
    result = evaluate(COMMUNES, _kieu_mau_status(False), PLAN, selection())
    viet_lap = summary_of(result, VIET_LAP)
    assert viet_lap["highest_level"] == "ntm"
    assert viet_lap["target_level"] == "kieu_mau"
    assert viet_lap["missing"] == "5, KM"
    km = result.indicators.set_index(["unit_code", "level", "indicator"]).sort_index()
    km = km.loc[VIET_LAP, "kieu_mau"]
    assert km.loc[["KM.2", "KM.3", "KM.4"], "status"].tolist() == ["met", "met", "met"]
    assert km.loc["KM.1", "status"] == "not_met"
    assert "KM.1 đạt NTM nâng cao: chưa đạt (thiếu tiêu chí 5)" in viet_lap["gap_vi"]
    assert viet_lap["schedule_status"] == "late"  # due 2023: the 2023 status is the year's end
    earlier = evaluate(COMMUNES, _kieu_mau_status(False), PLAN, selection(2022))
    assert summary_of(earlier, VIET_LAP)["schedule_status"] == "on_track"
    # Control: with criterion 5 met at nâng cao, the same commune is kiểu mẫu.
    result = evaluate(COMMUNES, _kieu_mau_status(True), PLAN, selection())
    viet_lap = summary_of(result, VIET_LAP)
    assert viet_lap["highest_level"] == "kieu_mau"
    assert viet_lap["schedule_status"] == "achieved"
    assert viet_lap["missing"] == ""


def test_a_lower_level_lost_is_named_even_when_the_target_level_passes():
    # Phúc Sơn reports nâng cao met; the layers show no VietGAP zone. 13.3 is verified at NTM level
    # (the measurement decides) but unverified at nâng cao (the report stands): the target level
    # passes while NTM fails. The summary must not hide it behind an empty "missing".
    rows = all_met(PHUC_SON, level="nang_cao")
    measured = pd.DataFrame([m(PHUC_SON, "vietgap_zone_present", False, "pass/fail")])
    assessment = evaluate(COMMUNES, status(rows), PLAN, selection(), computed=measured)
    summary = summary_of(assessment, PHUC_SON)
    assert summary["target_level"] == "nang_cao" and summary["missing"] == ""
    assert summary["highest_level"] == "chua_dat"
    assert "13" in summary["note"] and "NTM" in summary["note"]


def test_kieu_mau_income_must_exceed_the_nang_cao_threshold_by_ten_percent():
    rows = _kieu_mau_status(True)
    rows.loc[(rows["criterion"] == "10") & (rows["level"] == "nang_cao"), "value"] = 47.0
    result = evaluate(COMMUNES, rows, PLAN, selection())
    km = result.indicators.set_index(["unit_code", "level", "indicator"]).loc[(VIET_LAP, "kieu_mau", "KM.2")]
    assert km["threshold"] == pytest.approx(1.10 * 46.2)
    assert km["status"] == "not_met"
    assert summary_of(result, VIET_LAP)["highest_level"] == "nang_cao"


def test_a_threshold_override_changes_the_verdict():
    reported = status(
        all_met(DAI_HOA, skip=("2",))
        + [row(DAI_HOA, "2", True, indicator=i) for i in ("2.1", "2.3", "2.4")]
        + [row(DAI_HOA, "2", indicator="2.2", value=64)]
    )
    before = evaluate(COMMUNES, reported, PLAN, selection())
    assert summary_of(before, DAI_HOA)["highest_level"] == "chua_dat"
    after = evaluate(COMMUNES, reported, PLAN, selection(overrides={"qd318_2022_xa": {"2.2": {"ntm": 60}}}))
    assert summary_of(after, DAI_HOA)["highest_level"] == "ntm"
    assert summary_of(after, DAI_HOA)["missing"] == ""


def test_an_unverified_threshold_is_flagged_in_every_output_that_uses_it():
    reported = status(
        all_met(DAI_HOA, skip=("2",))
        + [row(DAI_HOA, "2", True, indicator=i) for i in ("2.1", "2.3", "2.4")]
        + [row(DAI_HOA, "2", indicator="2.2", value=64)]
    )
    result = evaluate(COMMUNES, reported, PLAN, selection())
    dai_hoa = summary_of(result, DAI_HOA)
    assert dai_hoa["gap_vi"] == "2.2 đường thôn: 64 % / 70 % (ngưỡng chưa xác minh)"
    assert dai_hoa["gap_en"] == "2.2 village roads: 64 % / 70 % (threshold unverified)"
    assert dai_hoa["unverified"] == "2.2"
    unverified = result.unverified_thresholds().set_index(["level", "indicator"])
    assert unverified.loc[("ntm", "2.2"), "used_for"] == DAI_HOA
    assert unverified.loc[("ntm", "2.2"), "flag"] == "ngưỡng chưa xác minh / threshold unverified"
    # A verified (overridden) threshold is not flagged.
    result = evaluate(COMMUNES, reported, PLAN, selection(verified_22=True))
    assert summary_of(result, DAI_HOA)["unverified"] == ""


def test_a_reported_verdict_is_not_overturned_by_an_unverified_threshold():
    reported = status(all_met(DAI_HOA))
    measured = computed([{"unit_code": DAI_HOA, "indicator": "2.2", "value": 64, "unit": "%"}])
    result = evaluate(COMMUNES, reported, PLAN, selection(), computed=measured)
    assert summary_of(result, DAI_HOA)["highest_level"] == "ntm"
    assert result.cross_check["unit_code"].tolist() == [DAI_HOA]
    assert result.cross_check["finding_vi"].iloc[0].endswith("(ngưỡng chưa xác minh)")
    # With a confirmed threshold the measurement decides (prefer="computed").
    result = evaluate(COMMUNES, reported, PLAN, selection(verified_22=True), computed=measured)
    assert summary_of(result, DAI_HOA)["highest_level"] == "chua_dat"
    result = evaluate(
        COMMUNES, reported, PLAN, selection(verified_22=True), computed=measured, prefer="reported"
    )
    assert summary_of(result, DAI_HOA)["highest_level"] == "ntm"


def test_towns_are_reported_as_not_applicable_not_as_failures():
    reported = status([row(CAO_THUONG, str(k), False) for k in range(1, 20)])
    result = evaluate(COMMUNES, reported, PLAN, selection())
    town = summary_of(result, CAO_THUONG)
    assert not town["assessed"]
    assert town["schedule_status"] == "not_applicable"
    assert "thị trấn" in town["note_vi"] and "town" in town["note"]  # each language its own column
    assert CAO_THUONG not in set(result.indicators["unit_code"])


def test_levels_a_set_does_not_define_are_not_assessed():
    # Before 2022-03-08 the national set (QĐ 1980) has no nâng cao or kiểu mẫu level.
    result = evaluate(COMMUNES, status(all_met(PHUC_HOA, year=2021)), PLAN, selection(2021))
    phuc_hoa = summary_of(result, PHUC_HOA)
    assert phuc_hoa["criteria_set"] == "qd1980_2016"
    assert phuc_hoa["highest_level"] == "ntm"
    assert phuc_hoa["schedule_status"] == "not_assessed"
    assert "not defined in qd1980_2016" in phuc_hoa["note"]
    assert set(result.indicators["criteria_set"]) == {"qd1980_2016"}
    assert set(result.indicators["year"]) == {2021}


def test_reports_carry_forward_but_later_years_are_ignored():
    rows = all_met(DAI_HOA, year=2022) + [
        row(DAI_HOA, "16", False, year=2023),
        row(DAI_HOA, "17", False, year=2024),
    ]
    result = evaluate(COMMUNES, status(rows), PLAN, selection(2023))
    dai_hoa = summary_of(result, DAI_HOA)
    assert dai_hoa["missing"] == "16"
    assert dai_hoa["gap_vi"] == "16 thôn văn hóa: chưa đạt"
    assert any("after the evaluation year" in p.problem for p in result.problems)


def test_unknown_criteria_and_units_in_the_status_table_are_reported():
    rows = all_met(DAI_HOA) + [row(DAI_HOA, "KX", True), row("99999", "1", True)]
    result = evaluate(COMMUNES, status(rows), PLAN, selection())
    text = "\n".join(p.problem for p in result.problems)
    assert "criterion 'KX' is not in" in text
    assert "unit '99999' is not in the workspace" in text


def test_inputs_are_not_mutated():
    reported = _one_gap_status()
    before = reported.copy()
    communes = COMMUNES.copy()
    evaluate(communes, reported, PLAN, selection())
    pd.testing.assert_frame_equal(reported, before)
    pd.testing.assert_frame_equal(communes, COMMUNES)


# ---------------------------------------------------------------------------------------------
# Cross-check
# ---------------------------------------------------------------------------------------------


def _consistent():
    """Reports and measurements that agree (or cannot be compared) for three communes."""
    rows = all_met(DAI_HOA) + all_met(HOP_DUC) + all_met(PHUC_SON, skip=("13",))
    rows += [row(PHUC_SON, "13", False)]
    measured = []
    for code in (DAI_HOA, HOP_DUC, PHUC_SON):
        measured += [
            m(code, "road_concretized_share_xa", 1.0),
            m(code, "road_concretized_share_thon", 82, "%"),
            m(code, "road_concretized_share_ngo_xom", 0.75),
            m(code, "road_concretized_share_noi_dong", 0.55),
            m(code, "villages_with_culture_house_share", 1.0),
        ]
    # No market in the layer does not disprove criterion 7 (a standard store also passes) ...
    measured += [
        m(HOP_DUC, "standard_market_present", False, ""),
        m(DAI_HOA, "standard_market_present", True, ""),
        # ... and a VietGAP zone does not prove 13.3 (traceability is not in the layers).
        m(PHUC_SON, "vietgap_zone_present", True, ""),
    ]
    return status(rows), computed(measured)


def test_cross_check_finds_no_contradiction_in_consistent_data():
    reported, measured = _consistent()
    result = evaluate(COMMUNES, reported, PLAN, selection(), computed=measured)
    assert result.cross_check.empty
    assert summary_of(result, DAI_HOA)["highest_level"] == "ntm"


def test_cross_check_finds_a_planted_contradiction():
    reported, measured = _consistent()
    measured.loc[
        (measured["unit_code"] == HOP_DUC) & (measured["indicator"] == "road_concretized_share_xa"), "value"
    ] = 0.8
    reported = pd.concat([reported, status([row(PHUC_SON, "2", False, indicator="2.2")])], ignore_index=True)
    result = evaluate(COMMUNES, reported, PLAN, selection(), computed=measured)
    found = result.cross_check[
        ["unit_code", "level", "indicator", "reported_at", "reported_met", "measured_met"]
    ].values.tolist()
    assert found == [
        [PHUC_SON, "ntm", "2.2", "indicator", False, True],
        [HOP_DUC, "ntm", "2.1", "criterion", True, False],
    ]
    findings = result.cross_check["finding_vi"].tolist()
    assert findings[1] == (
        "báo cáo tiêu chí 2 đạt nhưng đo được 2.1 đường xã: 80 % / 100 % (ngưỡng chưa xác minh)"
    )
    assert findings[0].startswith("báo cáo chỉ tiêu 2.2 chưa đạt nhưng đo được 2.2 đường thôn: 82 %")


def test_cross_check_needs_a_conclusive_measurement():
    reported = status(
        all_met(DAI_HOA, skip=("7", "13")) + [row(DAI_HOA, "7", True), row(DAI_HOA, "13", True)]
    )
    measured = computed(
        [m(DAI_HOA, "standard_market_present", 0, ""), m(DAI_HOA, "vietgap_zone_present", 0, "")]
    )
    result = evaluate(COMMUNES, reported, PLAN, selection(), computed=measured)
    # No market proves nothing; no VietGAP zone disproves 13.3, which 13 was reported to meet.
    assert result.cross_check["indicator"].tolist() == ["13.3"]


# ---------------------------------------------------------------------------------------------
# Recognitions, villages, district
# ---------------------------------------------------------------------------------------------


def test_recognitions_count_as_achieved_and_drive_district_progress():
    recognitions = pd.DataFrame(
        {
            "commune_code": [HOP_DUC, PHUC_HOA, PHUC_SON, VIET_LAP, DAI_HOA],
            "level": ["nang_cao", "nang_cao", "nang_cao", "kieu_mau", "nang_cao"],
            "year": [2021, 2021, 2022, 2023, 2022],
        }
    )
    result = evaluate(COMMUNES, None, PLAN, selection(), recognitions=recognitions)
    assert summary_of(result, PHUC_SON)["schedule_status"] == "achieved"
    assert summary_of(result, PHUC_SON)["recognised_level"] == "nang_cao"
    progress = result.progress.set_index(["measure", "year"])
    nang_cao = progress.loc["nang_cao_communes"]
    assert nang_cao["achieved_cumulative"].tolist()[:3] == [2, 3, 3]
    assert nang_cao["achieved_unscheduled_cumulative"].tolist()[:3] == [0, 1, 2]  # Đại Hóa, Việt Lập
    assert nang_cao["status"].tolist() == ["on_track", "behind", "behind", "future", "future"]
    assert progress.loc["kieu_mau_communes", "achieved_cumulative"].tolist()[:3] == [0, 0, 1]


def test_villages_model_status_and_schedule():
    villages = pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3", "V4", "T1"],
            "name": ["A", "B", "C", "D", "TDP 1"],
            "commune_code": [PHUC_HOA] * 4 + [CAO_THUONG],
            "kind": ["thon"] * 4 + ["to_dan_pho"],
            "model_target_year": [2021, 2022, 2024, None, None],
        }
    )
    village_status = pd.DataFrame(
        {
            "village_id": ["V1", "V1", "V2", "V4"],
            "criterion": ["thon_kieu_mau"] * 4,
            "met": pd.array([True, True, False, True], dtype="boolean"),
            "year": pd.array([2021, 2022, 2023, 2023], dtype="Int64"),
        }
    )
    result = evaluate(COMMUNES, None, PLAN, selection(), villages=villages, village_status=village_status)
    table = result.villages.set_index("village_id")
    assert table["schedule_status"].to_dict() == {
        "V1": "achieved",
        "V2": "late",
        "V3": "on_track",
        "V4": "achieved",
        "T1": "not_applicable",
    }
    assert table.loc["V1", "achieved_year"] == 2021
    assert table.loc["V2", "target_year"] == 2022
    assert set(table["criteria_set"].dropna()) == {"bac_giang_thon_kieu_mau"}
    progress = result.progress[result.progress["measure"] == "model_villages"].set_index("year")
    assert progress["achieved_cumulative"].tolist()[:3] == [1, 1, 2]
    assert progress["scheduled_in_layer_cumulative"].tolist() == [1, 2, 2, 3, 3]


def test_sector_targets_take_district_values_and_say_no_data_otherwise():
    measured = computed(
        [
            m("district", "canals_lined_share", 93, "%"),
            m("district", "vietgap_concentrated_zone_ha", 330, "ha"),
            m("district", "zones_with_growing_area_code", 2, "zones"),
        ]
    )
    result = evaluate(COMMUNES, None, PLAN, selection(), computed=measured)
    sectors = result.sectors.set_index("target_id")
    assert sectors.loc["canals_lined_share", "status"] == "met"
    assert sectors.loc["vietgap_concentrated_zone_ha", ["status", "target"]].tolist() == [
        "not_met",
        "400–500",
    ]
    assert sectors.loc["zones_with_growing_area_code", "status"] == "met"
    assert sectors.loc["income_per_head", "status"] == "no_data"
    assert sectors.loc["online_public_services_level3", "status"] == "text"
    plan_targets = len(PLAN.data["sector_targets"]) + len(PLAN.data["district_nang_cao_targets"])
    assert len(sectors) == 1 + 1 + plan_targets + 1  # keep NTM, mechanisation, ..., budget


def test_indicator_table_of_the_design():
    result = evaluate(COMMUNES, _one_gap_status(), PLAN, selection())
    table = result.target_indicators()
    for column in (
        "unit_code",
        "indicator",
        "value",
        "unit",
        "threshold",
        "target_level",
        "met",
        "method",
        "source",
        "verified",
        "criteria_set",
        "year",
    ):
        assert column in table.columns
    assert set(table.loc[table["unit_code"] == DAI_HOA, "target_level"]) == {"ntm"}
    assert set(table.loc[table["unit_code"] == HOP_DUC, "target_level"]) == {"kieu_mau"}


def test_a_workspace_evaluates_end_to_end(tmp_path):
    lines = ["commune_code,criterion,indicator,level,met,value,year,note"]
    lines += [f"{DAI_HOA},{k},,ntm,Đạt,,2023," for k in range(1, 20)]
    lines += [f"{PHUC_HOA},{k},,ntm,x,,2023," for k in range(1, 20) if k != 16]
    lines += [f"{PHUC_HOA},16,,ntm,Chưa đạt,,2023,cần rà soát", f"{VIET_LAP},kieu_mau,,ntm,Đạt,,2023,"]
    recognitions = f"commune_code,level,year,decision\n{HOP_DUC},nang_cao,2021,QĐ 1/QĐ-UBND\n"
    village_status = (
        "village_id,criterion,met,year\nT1,thon_kieu_mau,Đạt,2021\nT2,thon_kieu_mau,Chưa đạt,2023\n"
    )
    root = tmp_path / "ws"
    root.mkdir()
    communes = grid_communes()
    centre = communes.set_index("commune_code").geometry.centroid
    villages = gpd.GeoDataFrame(
        {
            "village_id": ["T1", "T2", "T3"],
            "name": ["Đồng Lim", "Thôn 2", "TDP 1"],
            "commune_code": ["07363", PHUC_HOA, "07339"],
            "kind": ["thon", "thon", "to_dan_pho"],
            "model_target_year": [2021, 2022, None],
        },
        geometry=[centre["07363"], centre[PHUC_HOA], centre["07339"]],
        crs=communes.crs,
    )
    villages.to_file(root / "villages.gpkg", layer="villages")
    path = write_workspace(
        root,
        communes=communes,
        tables={
            "commune_status": "\n".join(lines) + "\n",
            "recognitions": recognitions,
            "village_status": village_status,
        },
        extra={
            "status_year": 2023,
            "district": {"name": "Tân Yên", "province": "Bắc Giang"},
            "layers": {
                "communes": {"path": "communes.gpkg"},
                "roads": {"path": "roads.gpkg"},
                "villages": {"path": "villages.gpkg"},
            },
        },
    )
    workspace = load_workspace(path)
    result = evaluate_workspace(workspace)
    assert result.selection.set_ids == "qd318_2022_xa + qd319_2022_kieu_mau"
    assert (result.selection.year, result.selection.region) == (2023, "TDMNPB")
    summary = result.communes.set_index("commune_code")
    assert summary.loc[DAI_HOA, ["highest_level", "schedule_status"]].tolist() == ["ntm", "achieved"]
    # Target kiểu mẫu: 16 fails, and with it KM.1 (nâng cao first).
    assert summary.loc[PHUC_HOA, ["highest_level", "missing"]].tolist() == ["chua_dat", "16, KM"]
    assert summary.loc[HOP_DUC, "recognised_level"] == "nang_cao"
    assert summary.loc["07339", "schedule_status"] == "not_applicable"
    # the workspace reads status tables with the status reader: the bad row is reported there
    assert any(
        "criterion 'kieu_mau' is not a criterion" in p.problem and "B" in p.feature
        for p in workspace.problems
    )
    villages = result.villages.set_index("village_id")["schedule_status"].to_dict()
    assert villages == {"T1": "achieved", "T2": "late", "T3": "not_applicable"}
    model = result.progress[result.progress["measure"] == "model_villages"]
    assert model["achieved_cumulative"].tolist()[:3] == [1, 1, 1]
    assert model["status"].tolist() == ["behind", "behind", "behind", "future", "future"]
    # The set and the overrides can be named; an earlier date chooses QĐ 1980.
    earlier = evaluate_workspace(workspace, as_of="2022-01-01")
    assert earlier.selection.set_ids == "qd1980_2016"
    overridden = evaluate_workspace(workspace, overrides={"qd318_2022_xa": {"16": {"ntm": 50}}})
    assert overridden.thresholds.set_index(["level", "indicator"]).loc[("ntm", "16"), "overridden"]


# ---------------------------------------------------------------------------------------------
# The embedded sample
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    if not sample_workspace_path().exists():
        pytest.fail("the embedded sample (data/workspace.yaml) is missing")
    return load_workspace()


def test_sample_district_evaluates_end_to_end(sample):
    result = evaluate_workspace(sample)
    assert result.selection.year == sample.status_year
    assert result.selection.region == "TDMNPB"
    communes = sample.layer("communes")
    assert len(result.communes) == len(communes)
    towns = result.communes[result.communes["kind"] == "thi_tran"]
    assert set(towns["schedule_status"]) == {"not_applicable"}
    assessed = result.communes[result.communes["assessed"]]
    assert assessed["highest_level"].notna().all()
    assert set(assessed["schedule_status"]) <= {"achieved", "on_track", "late", "not_assessed"}
    assert not result.indicators.empty
    assert set(result.indicators["criteria_set"]) <= {"qd318_2022_xa", "qd319_2022_kieu_mau", "qd1980_2016"}
    progress = result.progress.set_index(["measure", "year"])["planned_cumulative"]
    assert progress["nang_cao_communes"].tolist() == [2, 5, 7, 9, 11]
    assert progress["model_villages"].tolist() == [11, 21, 34, 40, 43]
    if sample.has_layer("villages"):
        assert len(result.villages) == len(sample.layer("villages"))


def test_achieved_years_take_the_first_recognition_and_else_the_evaluation_year():
    from ntmgis.criteria import achieved_years

    summary = pd.DataFrame(
        [
            {"commune_code": "A", "assessed": True, "highest_level": "nang_cao"},
            {"commune_code": "B", "assessed": True, "highest_level": "chua_dat"},
            {"commune_code": "C", "assessed": False, "highest_level": None},
        ]
    )
    recognitions = pd.DataFrame(
        [
            {"commune_code": "A", "level": "ntm", "year": 2016},
            {"commune_code": "A", "level": "nang_cao", "year": 2022},
            {"commune_code": "B", "level": "kieu_mau", "year": 2025},  # after the evaluation year
            {"commune_code": "C", "level": "nang_cao", "year": 2021},
        ]
    )
    years = achieved_years(summary, recognitions, year=2023)
    assert years == {("A", "ntm"): 2016, ("A", "nang_cao"): 2022, ("C", "ntm"): 2021, ("C", "nang_cao"): 2021}
    assert achieved_years(summary, None, year=2023) == {("A", "ntm"): 2023, ("A", "nang_cao"): 2023}

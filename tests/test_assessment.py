"""The Assessment of the sample: layers measured, fed to the criteria engine, reported."""

import openpyxl
import pandas as pd
import pytest

from ntmgis.analysis.assess import ROAD_INDICATORS
from ntmgis.assessment import assess
from ntmgis.report import SHEETS, report_tables, write_report


@pytest.fixture(scope="module")
def workspace(sample_workspace):
    return sample_workspace


@pytest.fixture(scope="module")
def assessment(sample_assessment):
    return sample_assessment


def test_measured_road_shares_decide_the_road_indicators(assessment):
    indicators = assessment.indicators_by_level
    roads = indicators[
        indicators["indicator"].isin(["2.1", "2.2", "2.3", "2.4"]) & (indicators["method"] == "computed")
    ]
    assert len(roads) > 0
    measured = assessment.measured.set_index(["unit_code", "indicator"])["value"]
    computed_name = {
        "2.1": "road_concretized_share_xa",
        "2.2": "road_concretized_share_thon",
        "2.3": "road_concretized_share_ngo_xom",
        "2.4": "road_concretized_share_noi_dong",
    }
    for r in roads.itertuples():
        # Shares are 0..1 in the analysis, % in the criteria set.
        assert r.value == pytest.approx(100 * measured[(r.unit_code, computed_name[r.indicator])])


def test_coverage_gives_each_class_its_criterion_threshold_and_group_share(assessment):
    table = assessment.coverage("roads")
    roads = assessment.roads
    assert len(table) == len(roads)  # nothing lost in the join
    lam_cot = table[table["commune_code"] == "07333"].set_index("road_class")
    for classes in ROAD_INDICATORS.values():
        rows = lam_cot.loc[list(classes)]
        share = rows["concretized_km"].sum() / rows["total_km"].sum()
        assert rows["indicator_share"].tolist() == pytest.approx([share] * len(classes))
    # Lam Cốt's target is nâng cao 2023: 2.2 village roads at the nâng cao threshold (90 %).
    assert lam_cot.loc["truc_thon", "indicator"] == "2.2"
    assert lam_cot.loc["truc_thon", "target_level"] == "nang_cao"
    assert lam_cot.loc["truc_thon", "threshold"] == pytest.approx(0.9)
    assert not lam_cot.loc["truc_thon", "verified"]
    assert lam_cot.loc["truc_thon", "indicator_status"] == "not_met"
    assert pd.isna(lam_cot.loc["huyen", "indicator"])  # district roads feed no commune criterion
    canals = assessment.coverage("canals")
    assert set(canals["indicator"]) == {"3.3"}
    assert len(canals) == len(assessment.canals)
    with pytest.raises(ValueError, match="roads"):
        assessment.coverage("rivers")


def test_report_sheets_of_the_infrastructure_add_up(workspace, assessment):
    tables = report_tables(workspace, assessment, lang="en")
    networks = tables["networks"]
    assert len(networks) == len(assessment.roads) + len(assessment.canals)
    assert networks["Total (km)"].sum() == pytest.approx(
        assessment.roads["total_km"].sum() + assessment.canals["total_km"].sum()
    )
    upgrade = tables["upgrade"]
    layer = assessment.segments_to_upgrade
    grand = upgrade[upgrade["Segment id"] == "Grand total"]
    assert grand["Estimated cost (million VND)"].item() == pytest.approx(layer["cost_million_vnd"].sum())
    assert grand["Length (km)"].item() == pytest.approx(layer["length_km"].sum())
    segments = upgrade[~upgrade["Segment id"].isin(["Total", "Grand total"])]
    assert len(segments) == len(layer) and set(segments["Segment id"]) == set(layer["segment_id"])
    reach = tables["reach"]
    assert len(reach) == len(assessment.market_gaps)
    assert (reach["By road (m)"].fillna(float("inf")) > 2000).all()
    zones = tables["zones"]
    assert len(zones) == len(workspace.layer("production_zones")) + 2
    overlaps = zones.set_index("Zone id")["Overlaps"]
    assert overlaps[overlaps != ""].dropna().str.contains("ha").all() and (overlaps.dropna() != "").sum() == 2
    district = zones[zones["Zone id"] == "District"]
    assert district["VietGAP"].tolist() == ["Not met", "Not met"]
    assert "400–500" in district["Name"].iloc[0]


def test_a_wider_market_radius_shrinks_the_gap(workspace, assessment):
    wide = assess(workspace, market_radius_m=4000.0)
    assert len(wide.market_gaps) < len(assessment.market_gaps)
    assert (wide.market_gaps["radius_m"] == 4000.0).all()


def test_workbook_has_the_infrastructure_sheets(tmp_path, workspace, assessment):
    files = write_report(workspace, assessment, tmp_path / "r.xlsx", csv=False)
    book = openpyxl.load_workbook(files.xlsx)
    for key in ("networks", "upgrade", "reach", "zones"):
        assert SHEETS[key]["vi"] in book.sheetnames
    header = [c.value for c in book[SHEETS["networks"]["vi"]][3]]
    assert header[:4] == ["Mã xã", "Tên", "Mạng lưới", "Cấp đường"]

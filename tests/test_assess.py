"""The sample district produces every computed indicator for every commune."""

from __future__ import annotations

import pytest

from ntmgis.analysis.assess import COMPUTED_COLUMNS, ROAD_INDICATORS
from ntmgis.criteria.evaluate import evaluate_workspace

PER_COMMUNE = [
    *ROAD_INDICATORS,
    "canal_lined_share_xa",
    "villages_with_culture_house_share",
    "standard_market_present",
    "vietgap_zone_present",
    "rural_access_index",
]
DISTRICT = [
    "canals_lined_share",
    "vietgap_concentrated_zone_ha",
    "zones_with_growing_area_code",
    "district_road_concretized_share",
]


@pytest.fixture(scope="module")
def workspace(sample_workspace):
    return sample_workspace


@pytest.fixture(scope="module")
def assessment(sample_assessment):
    return sample_assessment


def test_every_indicator_for_all_22_communes(workspace, assessment):
    table = assessment.measured
    assert list(table.columns) == COMPUTED_COLUMNS
    codes = set(workspace.layer("communes")["commune_code"].astype(str))
    assert len(codes) == 22
    for indicator in PER_COMMUNE:
        assert set(table.loc[table["indicator"] == indicator, "unit_code"]) >= codes, indicator
    district = table[table["unit_code"] == "district"]
    assert set(DISTRICT) <= set(district["indicator"])
    shares = table[table["unit"] == "share"]["value"].dropna().astype(float)
    assert ((shares >= 0) & (shares <= 1)).all()


def test_km_add_up_and_gap_layers(workspace, assessment):
    roads = workspace.layer("roads")
    outside = sum(
        float(p.problem.split(" m ")[0])
        for p in assessment.problems
        if p.layer == "roads" and " m lie outside" in p.problem
    )
    assert assessment.roads["total_km"].sum() * 1000 + outside == pytest.approx(roads.length.sum(), rel=1e-6)
    assert {"segments_to_upgrade", "canals_to_line", "market_gaps", "villages_without_culture_house"} <= set(
        assessment.gap_layers()
    )
    assert (assessment.market_gaps["assumption"].str.contains("not an NTM rule")).all()


def test_criteria_engine_consumes_the_indicators(workspace, assessment):
    result = evaluate_workspace(workspace, assessment.measured)
    measured = result.indicators[result.indicators["method"] == "computed"]
    communes = workspace.layer("communes")
    xa = set(communes.loc[communes["kind"] == "xa", "commune_code"].astype(str))  # towns are not assessed
    assert set(measured["unit_code"]) == xa

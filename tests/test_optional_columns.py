"""Optional columns are optional: without any of them, the map, the report and the assessment work."""

from __future__ import annotations

import pytest

from ntmgis.assessment import assess
from ntmgis.maps import build_planner_map
from ntmgis.report import report_tables
from ntmgis.vocab import contracts


@pytest.fixture(scope="module")
def bare_workspace(sample_workspace):
    specs = contracts()["layers"]
    stripped = {}
    for name in sample_workspace.layer_names:
        layer = sample_workspace.layer(name)
        optional = [c for c in specs[name].get("optional", []) if c in layer.columns]
        stripped[name] = layer.drop(columns=optional)
    return sample_workspace.with_layers(**stripped)


def test_map_and_report_without_any_optional_column(bare_workspace, sample_workspace):
    assert "planned_upgrade_year" not in bare_workspace.layer("markets").columns
    assert "village_id" not in bare_workspace.layer("facilities").columns
    assessment = assess(bare_workspace)
    html = build_planner_map(bare_workspace, assessment)
    assert "ntmgis-data" in html
    tables = report_tables(bare_workspace, assessment)
    assert len(tables["communes"]) == len(sample_workspace.layer("communes"))

"""Optional columns are optional: without any one of them, or all at once, validation, the
assessment, the map and the report work (``contracts.yaml`` ``optional:``)."""

from __future__ import annotations

from functools import cache

import pytest

from ntmgis.assessment import assess
from ntmgis.maps import build_planner_map, build_planner_png
from ntmgis.report import report_tables
from ntmgis.validate import validate_layer
from ntmgis.vocab import contracts
from ntmgis.workspace import load_workspace

# Columns the assessment does not read (names, kinds, dates shown in popups only): their stripped
# workspaces reuse the sample's assessment. Every other column gets an assessment of its own.
NOT_ASSESSED_COLUMNS = {
    ("canals", "name"),
    ("roads", "name"),
    ("markets", "kind"),
    ("production_zones", "certified_until"),
    ("communes", "households"),
    ("villages", "households"),
}


@cache
def _optional_columns() -> list[tuple[str, str]]:
    specs = contracts()["layers"]
    sample = load_workspace()
    return [
        (name, column)
        for name in sample.layer_names
        for column in specs[name].get("optional", [])
        if column in sample.layer(name).columns
    ]


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
    for lang in ("vi", "en"):
        assert "ntmgis-data" in build_planner_map(bare_workspace, assessment, lang=lang)
    assert build_planner_png(bare_workspace, assessment, dpi=40).startswith(b"\x89PNG")
    tables = report_tables(bare_workspace, assessment)
    assert len(tables["communes"]) == len(sample_workspace.layer("communes"))


def test_the_sample_has_optional_columns_to_drop():
    assert len(_optional_columns()) >= 10


@pytest.mark.parametrize(("layer", "column"), _optional_columns())
def test_without_one_optional_column(layer, column, sample_workspace, sample_assessment):
    frame = sample_workspace.layer(layer).drop(columns=[column])
    communes = {str(c) for c in sample_workspace.layer("communes")["commune_code"]}
    result = validate_layer(frame, layer, commune_codes=communes)
    assert result.ok, [p for p in result.problems if p.severity == "error"]
    workspace = sample_workspace.with_layers(**{layer: frame})
    assessment = sample_assessment if (layer, column) in NOT_ASSESSED_COLUMNS else assess(workspace)
    assert "ntmgis-data" in build_planner_map(workspace, assessment)
    tables = report_tables(workspace, assessment)
    assert len(tables["communes"]) == len(sample_workspace.layer("communes"))

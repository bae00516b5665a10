"""Scenarios and the optimiser on a workspace in the new units (issue 13 part 5).

The edits apply to the old-unit workspace; the comparison is rolled up to the 2025-07 units with
the report's machinery. Every total of a new unit must equal the sum of its constituents' totals in
the same run, read here from the runs' own old-unit tables; shares are recomputed from the sums.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ntmgis.cli import main
from ntmgis.crosswalk import _mapping, packaged_crosswalk
from ntmgis.scenario import Concretize, LineCanals, Scenario, compare, compare_in_units, run
from ntmgis.workspace import sample_workspace_path


@pytest.fixture(scope="module")
def new_of() -> dict[str, str]:
    mapping = _mapping(packaged_crosswalk(), "2020-03", "2025-07")
    return dict(zip(mapping["old_code"], mapping["new_code"], strict=True))


@pytest.fixture(scope="module")
def runs(sample_workspace: Any, sample_assessment: Any) -> Any:
    base = run(sample_workspace, Scenario("baseline"))
    roads = tuple(sample_assessment.segments_to_upgrade["segment_id"].astype(str).head(12))
    canals = tuple(sample_assessment.canals_to_line["segment_id"].astype(str).head(5))
    works = Scenario(
        "works", (Concretize(segment_ids=roads, year=2026), LineCanals(segment_ids=canals, year=2026))
    )
    return compare(base, run(sample_workspace, works, baseline=base.assessment))


def test_new_unit_totals_are_the_sums_of_their_constituents(runs: Any, new_of: dict[str, str]) -> None:
    units = compare_in_units(runs, to="2025-07")
    table = units.units.set_index("commune_code")
    for r in runs.runs:
        roads = r.assessment.roads.assign(new=lambda t: t["commune_code"].astype(str).map(new_of))
        canals = r.assessment.canals.assign(new=lambda t: t["commune_code"].astype(str).map(new_of))
        total = roads.groupby("new")["total_km"].sum()
        done = roads.groupby("new")["concretized_km"].sum()
        lined, canal_total = canals.groupby("new")["lined_km"].sum(), canals.groupby("new")["total_km"].sum()
        for code in table.index:
            assert table.at[code, f"road_km [{r.name}]"] == pytest.approx(
                float(total.get(code, 0.0)), abs=1e-9
            )
            assert table.at[code, f"hardened_km [{r.name}]"] == pytest.approx(
                float(done.get(code, 0.0)), abs=1e-9
            )
            assert table.at[code, f"lined_km [{r.name}]"] == pytest.approx(
                float(lined.get(code, 0.0)), abs=1e-9
            )
            if total.get(code, 0.0) > 0:  # recomputed from the sums, not an average of old shares
                share = table.at[code, f"hardened_share [{r.name}]"]
                assert share == pytest.approx(done[code] / total[code], rel=1e-12)
            if canal_total.get(code, 0.0) > 0:
                assert table.at[code, f"lined_share [{r.name}]"] == pytest.approx(
                    lined[code] / canal_total[code]
                )
    # The scenario's works, rolled up: per new unit the sum of its constituents' works.
    works = pd.DataFrame(runs.runs[1].applied.works)
    expected = (
        works.assign(new=works["commune_code"].astype(str).map(new_of))
        .groupby("new")["cost_million_vnd"]
        .sum()
    )
    got = units.works[units.works["scenario"] == "works"].groupby("commune_code")["cost_million_vnd"].sum()
    pd.testing.assert_series_equal(
        got.sort_index(), expected.rename_axis("commune_code").sort_index(), check_names=False
    )
    # What the works concretized shows up in the new units by exactly their km.
    road_km = works.loc[works["network"] == "roads"].assign(
        new=lambda w: w["commune_code"].astype(str).map(new_of)
    )
    for code, km in road_km.groupby("new")["length_km"].sum().items():
        gained = table.at[code, "hardened_km [works]"] - table.at[code, "hardened_km [baseline]"]
        assert gained == pytest.approx(km, abs=1e-6)
    assert runs.names == units.names and units.from_period == "2020-03"


def test_the_baseline_in_new_units_is_the_report_s(
    runs: Any, sample_workspace: Any, sample_assessment: Any
) -> None:
    from ntmgis.units_view import workspace_units_view

    report = workspace_units_view(sample_workspace, sample_assessment, to="2025-07").units.set_index(
        "commune_code"
    )
    units = compare_in_units(runs, to="2025-07").units.set_index("commune_code")
    for column in ("road_km", "hardened_km", "canal_km", "lined_km", "works_cost_million_vnd"):
        pd.testing.assert_series_equal(units[f"{column} [baseline]"], report[column], check_names=False)


def test_scenario_run_with_units_writes_the_new_unit_sheets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    file = tmp_path / "s.yaml"
    file.write_text("name: A\nedits:\n  - concretize: {road_class: xa}\n", encoding="utf-8")
    out = tmp_path / "cmp.xlsx"
    code = main(
        [
            "scenario",
            "run",
            str(file),
            str(sample_workspace_path().parent),
            "-o",
            str(out),
            "--no-map",
            "--units",
            "2025-07",
            "-q",
        ]
    )
    assert code == 0, capsys.readouterr().err
    book = openpyxl.load_workbook(out, read_only=True)
    assert {"Xã mới 2025-07 theo KB", "Chỉ tiêu 2026-2030 2025-07"} <= set(book.sheetnames)
    sheet = pd.read_csv(tmp_path / "cmp_csv" / "units_communes.csv", encoding="utf-8-sig")
    assert len(sheet) == 6 and "Đường đã cứng hóa (km) [A]" in sheet.columns
    assert set(sheet["Loại đơn vị"]) == {"Xã", "Phường"}
    assert (
        main(
            [
                "scenario",
                "run",
                str(file),
                str(sample_workspace_path().parent),
                "-o",
                str(tmp_path / "x.xlsx"),
                "--no-map",
                "--units",
                "2031-01",
                "-q",
            ]
        )
        == 2
    )
    assert "2031-01" in capsys.readouterr().err


OVERRIDES = {
    "qd51_2025_xa": {
        "2.1": {"ntm": {"value": 95, "source": "QĐ thử nghiệm của tỉnh"}},
        "2.5": {"ntm": {"value": 90, "source": "QĐ thử nghiệm của tỉnh"}},
    }
}


def test_the_optimiser_lifts_the_new_units_over_the_user_s_thresholds(
    sample_workspace: Any, sample_assessment: Any
) -> None:
    from ntmgis.scenario import optimise_units

    workspace = sample_workspace.with_criteria_overrides(OVERRIDES)
    result = optimise_units(workspace, sample_assessment, to="2025-07", time_limit=30)
    targets = result.targets
    assert set(targets["indicator"]) == {"2.1", "2.5"}
    assert "07228" not in set(targets["commune_code"])  # the ward is outside the commune set
    assert result.feasible and targets["met"].all() and len(result.works)
    # Applied to the old-unit workspace and rolled up: every new unit is over the threshold.
    base = run(workspace, Scenario("baseline"))
    after = run(workspace, result.scenario, baseline=base.assessment)
    units = compare_in_units(compare(base, after), to="2025-07").units.set_index("commune_code")
    for code in targets["commune_code"].unique():
        assert (
            units.at[code, "lined_share [optimised]"] >= 0.90 - 1e-9
            or units.at[code, "canal_km [optimised]"] == 0
        )
    indicators = compare_in_units(compare(base, after), to="2025-07").indicators
    lifted = indicators[
        indicators["commune_code"].isin(set(targets["commune_code"]))
        & indicators["indicator"].isin(["2.1", "2.5"])
    ]
    assert set(lifted["status [optimised]"]) == {"met"}
    # The works are the solver's choice, at its cost.
    assert result.works["cost_million_vnd"].sum() == pytest.approx(result.milp.cost)
    with pytest.raises(ValueError, match="not units of 2025-07"):
        optimise_units(workspace, sample_assessment, to="2025-07", units=["99999"])


def test_no_threshold_set_is_no_target(sample_workspace: Any, sample_assessment: Any) -> None:
    from ntmgis.scenario import optimise_units

    result = optimise_units(sample_workspace, sample_assessment, to="2025-07")
    assert result.targets.empty and result.works.empty and not result.scenario.edits

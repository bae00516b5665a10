"""The 2026–2030 thresholds by commune group in the new units (issue 13 parts 4 and 5).

The workspace's ``criteria_overrides`` give the province's QĐ 51/2025 numbers per nhóm 1/2/3; each
new unit gets its group (``groups=``, ``--units-groups`` or a ``commune_group`` column of the
user's polygons). Its measured shares are then met / not met, flagged as the user's threshold with
its source text; a new commune without a group is an error naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ntmgis.cli import main
from ntmgis.crosswalk import packaged_crosswalk
from ntmgis.problems import DataError
from ntmgis.report_units import units_tables
from ntmgis.units_view import rolled_up

SOURCE = "QĐ 99/2026/QĐ-UBND tỉnh Bắc Ninh (thử nghiệm)"
# Nhóm 1 asks for every km, nhóm 3 for none: the verdicts must follow the group, not the set.
OVERRIDES = {
    "qd51_2025_xa": {
        "2.1": {"ntm": {"by_group": {"nhom_1": 100, "nhom_2": 50, "nhom_3": 0}, "source": SOURCE}},
        "2.5": {"ntm": {"by_group": {"nhom_1": 100, "nhom_2": 50, "nhom_3": 0}, "source": SOURCE}},
    }
}
WARD = "07228"  # Đa Mai (phường): outside the commune set, needs no group


def _new_communes() -> list[str]:
    units = packaged_crosswalk().units("2025-07")
    return sorted(units.loc[units["kind"] != "phuong", "code"])


def _view(sample_workspace: Any, sample_assessment: Any, groups: dict[str, object] | None) -> Any:
    return rolled_up(
        sample_assessment,
        packaged_crosswalk(),
        to="2025-07",
        communes=sample_workspace.layer("communes"),
        overrides=OVERRIDES,
        groups=groups,
    )


def test_group_thresholds_give_met_and_not_met_flagged_as_the_user_s(
    sample_workspace: Any, sample_assessment: Any
) -> None:
    codes = _new_communes()
    groups: dict[str, object] = {c: ("Nhóm 1" if i % 2 else 3) for i, c in enumerate(codes)}
    view = _view(sample_workspace, sample_assessment, groups)
    rows = view.indicators[view.indicators["indicator"].isin(["2.1", "2.5"])].set_index(
        ["commune_code", "indicator"]
    )
    for code in codes:
        for indicator in ("2.1", "2.5"):
            row = rows.loc[(code, indicator)]
            assert row["overridden"] and row["source"] == SOURCE
            if groups[code] == 3:
                assert (row["commune_group"], row["threshold"], row["status"]) == ("nhom_3", 0.0, "met")
            else:  # nhóm 1: 100 %, met only when every km is done (recomputed from the sums)
                assert (row["commune_group"], row["threshold"]) == ("nhom_1", 100.0)
                done = row["done_km"] >= row["total_km"] - 1e-9
                assert row["status"] == ("met" if done else "not_met")
    assert set(rows.loc[WARD]["status"]) == {"not_applicable"}
    # Not a measured share averaged: the share is the new unit's km sum divided.
    assert (rows["share"] - rows["done_km"] / rows["total_km"]).abs().max() < 1e-12
    # An indicator the user gave no number for stays "ngưỡng chưa có", not assessed.
    other = view.indicators[view.indicators["indicator"] == "2.2"]
    assert other["threshold"].isna().all() and set(other["status"]) <= {"not_assessed", "not_applicable"}
    sheet = units_tables(view, lang="vi")["units_2026"]
    user = sheet[sheet["Mã xã"].isin(codes) & sheet["Chỉ tiêu"].eq("2.1")]
    assert user["Ngưỡng 2026–2030"].str.contains(f"ngưỡng của người dùng ({SOURCE})", regex=False).all()
    assert set(user["Đánh giá 2026–2030"]) <= {"Đạt", "Chưa đạt"}
    assert set(user["Nhóm xã (2026–2030)"]) == {"Nhóm 1", "Nhóm 3"}


def test_a_new_commune_without_a_group_is_an_error_naming_it(
    sample_workspace: Any, sample_assessment: Any
) -> None:
    codes = _new_communes()
    groups: dict[str, object] = dict.fromkeys(codes[1:], 2)
    with pytest.raises(DataError) as raised:
        _view(sample_workspace, sample_assessment, groups)
    named = raised.value.problems[0]
    assert codes[0] in named.feature and "no group" in named.feature
    # The same with no groups at all once the user's numbers are by group.
    with pytest.raises(DataError, match="per commune group"):
        _view(sample_workspace, sample_assessment, None)
    with pytest.raises(DataError, match="nhom_9"):
        _view(sample_workspace, sample_assessment, {**dict.fromkeys(codes, 2), codes[0]: "nhom_9"})


def test_without_the_user_s_numbers_nothing_needs_a_group(
    sample_workspace: Any, sample_assessment: Any
) -> None:
    view = rolled_up(
        sample_assessment, packaged_crosswalk(), to="2025-07", communes=sample_workspace.layer("communes")
    )
    assert view.indicators["threshold"].isna().all()
    assert set(view.indicators["status"]) == {"not_assessed", "not_applicable"}


def test_units_groups_on_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    import yaml

    from ntmgis.workspace import sample_workspace_path

    root = tmp_path / "ws"
    shutil.copytree(sample_workspace_path().parent, root)
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config["criteria_overrides"] = OVERRIDES
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    codes = _new_communes()
    groups = tmp_path / "groups.csv"
    pd.DataFrame({"commune_code": codes, "commune_group": ["nhom_2"] * len(codes)}).to_csv(
        groups, index=False
    )
    out = tmp_path / "r.xlsx"
    args = ["report", str(root), "--out", str(out), "--lang", "en", "--units", "2025-07", "-q"]
    assert main([*args, "--units-groups", str(groups)]) == 0, capsys.readouterr().err
    sheet = pd.read_csv(tmp_path / "r_csv" / "units_2026.csv", encoding="utf-8-sig", dtype=str)
    mine = sheet[sheet["Indicator"].eq("2.1") & sheet["Commune code"].isin(codes)]
    assert mine["2026–2030 threshold"].str.startswith("50 % — the user's threshold").all()
    pd.DataFrame({"commune_code": codes[1:], "commune_group": ["nhom_2"] * (len(codes) - 1)}).to_csv(
        groups, index=False
    )
    assert main([*args, "--units-groups", str(groups), "--out", str(tmp_path / "x.xlsx")]) == 2
    assert codes[0] in capsys.readouterr().err


def _workspace_with(tmp_path: Path, units_groups: object) -> Path:
    """A copy of the sample with the user's numbers by group and ``units_groups:`` in workspace.yaml."""
    import shutil

    import yaml

    from ntmgis.workspace import sample_workspace_path

    root = tmp_path / "ws"
    shutil.copytree(sample_workspace_path().parent, root)
    config = yaml.safe_load((root / "workspace.yaml").read_text(encoding="utf-8"))
    config["criteria_overrides"] = OVERRIDES
    config["units_groups"] = units_groups
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


def test_units_groups_of_the_workspace_file_or_mapping(tmp_path: Path, sample_assessment: Any) -> None:
    from ntmgis.units_view import workspace_units_view
    from ntmgis.workspace import load_workspace

    codes = _new_communes()
    by_code: dict[str, object] = {c: ("nhom_1" if i % 2 else 3) for i, c in enumerate(codes)}
    root = _workspace_with(tmp_path / "a", by_code)
    (root / "nhom_xa.csv").write_text(
        "commune_code,commune_group\n" + "".join(f"{c},{g}\n" for c, g in by_code.items()), encoding="utf-8"
    )
    from_mapping = load_workspace(root)
    assert dict(from_mapping.units_groups or {}) == by_code
    config = (root / "workspace.yaml").read_text(encoding="utf-8")
    head, _, _ = config.partition("units_groups:")
    (root / "workspace.yaml").write_text(head + "units_groups: nhom_xa.csv\n", encoding="utf-8")
    from_file = load_workspace(root)
    assert dict(from_file.units_groups or {}) == {c: str(g) for c, g in by_code.items()}
    for workspace in (from_mapping, from_file):  # no groups= : the workspace's are used
        view = workspace_units_view(workspace, sample_assessment, to="2025-07")
        rows = view.indicators[view.indicators["indicator"].eq("2.1")].set_index("commune_code")
        for code, group in by_code.items():
            assert rows.at[code, "threshold"] == (0.0 if group == 3 else 100.0), code


@pytest.mark.parametrize(
    ("units_groups", "said"),
    [
        ({"07330": "nhom_2", "99999": "nhom_1", "07333": "nhóm 7"}, ["99999", "07333: nhóm 7"]),
        ("missing.csv", ["missing.csv", "FileNotFoundError"]),
        ([1, 2], ["units_groups"]),
    ],
    ids=["unknown-code-and-group", "missing-file", "a-list"],
)
def test_validate_names_unknown_codes_and_groups_of_units_groups(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], units_groups: object, said: list[str]
) -> None:
    root = _workspace_with(tmp_path, units_groups)
    assert main(["validate", str(root), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    for text in said:
        assert text in err, (text, err)
    if isinstance(units_groups, dict):
        assert "codes that are no unit of a later period (2025-01, 2025-07) of the crosswalk: 99999" in err
        assert "commune groups no criteria set has: 07333: nhóm 7" in err
        assert "07330" not in err.split("no criteria set has")[-1].splitlines()[0]


def test_the_option_wins_over_the_workspace_s_units_groups_said_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = _new_communes()
    root = _workspace_with(tmp_path, dict.fromkeys(codes, "nhom_1"))
    groups = tmp_path / "groups.csv"
    pd.DataFrame({"commune_code": codes, "commune_group": ["nhom_2"] * len(codes)}).to_csv(
        groups, index=False
    )
    out = tmp_path / "r.xlsx"
    args = ["report", str(root), "--out", str(out), "--lang", "en", "--units", "2025-07", "-q"]
    assert main([*args, "--units-groups", str(groups)]) == 0
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if "units_groups" in line] == [
        f"ntmgis report: commune groups of the new units: --units-groups {groups} is used "
        "(units_groups: of workspace.yaml is ignored)"
    ]
    sheet = pd.read_csv(tmp_path / "r_csv" / "units_2026.csv", encoding="utf-8-sig", dtype=str)
    mine = sheet[sheet["Indicator"].eq("2.1") & sheet["Commune code"].isin(codes)]
    assert mine["2026–2030 threshold"].str.startswith("50 % — the user's threshold").all()  # nhóm 2

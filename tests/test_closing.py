"""The 2021–2025 closing account (issue 13 part 3): plan vs achieved per commune and district.

The planned side is checked against the plan file read here with plain YAML, the achieved side
against the sample's recognitions and village status tables read here with plain pandas: the
account must reproduce both exactly, and invent nothing where a table is absent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import openpyxl
import pandas as pd
import pyogrio
import pytest
import yaml

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.criteria.closing import closing_account, closing_dates
from ntmgis.io import write_text_atomic
from ntmgis.labels import words
from ntmgis.maps import build_planner_map
from ntmgis.plan import load_plan
from ntmgis.report import SHEETS, report_tables, write_report
from ntmgis.workspace import load_workspace

SAMPLE = Path(resources.files("ntmgis").joinpath("datasets/tan_yen"))
PLAN_FILE = Path(resources.files("ntmgis").joinpath("plans/tan_yen_2021_2025.yaml"))
MAIN, HANDOVER = date(2025, 12, 31), date(2025, 6, 30)


@pytest.fixture(scope="module")
def plan_yaml() -> dict:
    return yaml.safe_load(PLAN_FILE.read_text("utf-8"))


@pytest.fixture(scope="module")
def recognitions() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "layers" / "recognitions.csv", dtype={"commune_code": str})


def _district(account, when: date = MAIN) -> pd.DataFrame:
    rows = account.district
    return rows[rows["as_of"] == when]


def _by_year(rows: pd.DataFrame, measure: str, column: str) -> dict:
    rows = rows[rows["measure"] == measure]
    return {
        (None if pd.isna(y) else int(y)): (None if pd.isna(v) else int(v))
        for y, v in zip(rows["plan_year"], rows[column], strict=True)
    }


def test_dates_come_from_the_plan(sample_assessment):
    account = sample_assessment.closing
    assert account.dates == (MAIN, HANDOVER)
    assert account.plan == "tan_yen_2021_2025" and account.period == (2021, 2025)
    late_plan = load_plan("package:tan_yen_2021_2025")
    assert closing_dates(late_plan, date(2024, 6, 30)) == (MAIN, date(2024, 6, 30))


def test_district_totals_reproduce_the_plan(sample_assessment, plan_yaml):
    for when in (MAIN, HANDOVER):
        rows = _district(sample_assessment.closing, when)
        for level in ("nang_cao", "kieu_mau"):
            schedule = plan_yaml["communes"][f"{level}_schedule"]["years"]
            planned = _by_year(rows, f"{level}_communes", "planned")
            expected = {int(y): len(schedule.get(y, [])) for y in range(2021, 2026)}
            assert {y: n for y, n in planned.items() if y is not None} == expected
            assert planned[None] == plan_yaml["communes"][f"{level}_total"]["value"]
        villages = _by_year(rows, "model_villages", "planned")
        assert {y: n for y, n in villages.items() if y is not None} == plan_yaml["villages"][
            "model_villages_by_year"
        ]["years"]
        assert villages[None] == 43 == sum(plan_yaml["villages"]["model_villages_by_year"]["years"].values())
        assert _by_year(rows, "nang_cao_communes", "planned")[None] == 11
        assert _by_year(rows, "kieu_mau_communes", "planned")[None] == 3
        budget = rows[rows["measure"] == "budget_total"].iloc[0]
        assert budget["planned"] == plan_yaml["budget"]["total"] == 931359
        assert budget["planned"] == sum(plan_yaml["budget"]["parts"].values())
        # No disbursement table exists: the achieved side is absent and the table is named.
        assert pd.isna(budget["achieved"]) and budget["missing_table"] == "disbursement"
        canals = rows[rows["measure"] == "canals_lined_share"].iloc[0]
        assert (canals["op"], canals["planned"]) == (">", 0.90)
        zones = rows[rows["measure"] == "vietgap_concentrated_zone_ha"].iloc[0]
        assert (zones["planned"], zones["planned_high"]) == (400, 500)
        markets = rows[rows["measure"] == "markets_upgraded"].iloc[0]
        assert markets["planned"] == len(plan_yaml["sector_targets"][2]["units"]) == 8


def test_achieved_side_reproduces_the_recognitions_table(sample_assessment, recognitions):
    rows = _district(sample_assessment.closing)
    for level in ("nang_cao", "kieu_mau"):
        at_level = recognitions[recognitions["level"] == level]
        first = at_level.groupby("commune_code")["year"].min()
        counts = first[first.between(2021, 2025)].value_counts().to_dict()
        achieved = _by_year(rows, f"{level}_communes", "achieved")
        assert {y: n for y, n in achieved.items() if y is not None} == {
            y: counts.get(y, 0) for y in range(2021, 2026)
        }
        assert achieved[None] == sum(counts.values())
    status = pd.read_csv(SAMPLE / "layers" / "village_status.csv")
    met = status[(status["criterion"] == "thon_kieu_mau") & status["met"]]
    counts = met.groupby("village_id")["year"].min().value_counts().to_dict()
    villages = _by_year(rows, "model_villages", "achieved")
    assert {y: n for y, n in villages.items() if y is not None} == {
        y: counts.get(y, 0) for y in range(2021, 2026)
    }
    assert villages[None] == sum(counts.values()) == 32


def test_commune_verdicts_follow_the_recognitions(sample_assessment, recognitions):
    communes = sample_assessment.closing.communes
    main = communes[communes["as_of"] == MAIN].set_index(["commune_code", "level"])
    # Hợp Đức: nâng cao 2021 on time; kiểu mẫu 2024 never recognised.
    assert main.loc[("07330", "nang_cao"), "verdict"] == "on_time"
    assert main.loc[("07330", "kieu_mau"), "verdict"] == "never_achieved"
    assert main.loc[("07354", "kieu_mau"), "recognised_year"] == 2023
    scheduled = main[main["plan_year"].notna()]
    assert len(scheduled) == 11 + 3
    recognised = recognitions[recognitions["level"].isin(["nang_cao", "kieu_mau"])]
    achieved = scheduled[scheduled["verdict"].isin(["on_time", "late", "early"])]
    assert len(achieved) == sum(
        ((recognised["commune_code"] == c) & (recognised["level"] == lv)).any() for c, lv in achieved.index
    )
    # Every commune of the layer is in the account.
    assert set(main.index.get_level_values(0)) == set(sample_assessment.communes["commune_code"])


def test_a_commune_recognised_after_its_year_is_late():
    plan = load_plan("package:tan_yen_2021_2025")
    summary = pd.DataFrame(
        {
            "commune_code": ["07333", "07360", "07351"],
            "name": ["Lam Cốt", "Ngọc Thiện", "Ngọc Vân"],
            "assessed": [True, True, True],
            "highest_level": ["nang_cao", "nang_cao", "ntm"],
            "criteria_met": [19, 19, 18],
            "criteria_total": [19, 19, 19],
        }
    )
    decisions = pd.DataFrame(
        {
            "commune_code": ["07333", "07360", "07351"],
            "level": ["nang_cao", "nang_cao", "nang_cao"],
            "year": [2024, 2022, 2025],  # Lam Cốt scheduled 2023, Ngọc Thiện 2024, Ngọc Vân 2025
            "decision": ["QĐ 1/QĐ-UBND", None, "QĐ 3/QĐ-UBND"],
        }
    )
    account = closing_account(summary, plan, recognitions=decisions, measured_year=2025)
    rows = account.communes[account.communes["level"] == "nang_cao"].set_index(["as_of", "commune_code"])
    assert rows.loc[(MAIN, "07333"), "verdict"] == "late"
    assert rows.loc[(MAIN, "07333"), "decision"] == "QĐ 1/QĐ-UBND"
    assert rows.loc[(MAIN, "07360"), "verdict"] == "early"
    assert rows.loc[(MAIN, "07351"), "verdict"] == "on_time"
    # At the handover a decision with a year only counts from 31 December: not yet.
    assert rows.loc[(HANDOVER, "07351"), "verdict"] == "never_achieved"
    assert [p.count for p in account.problems] == [1]
    assert account.verdicts().set_index("commune_code").loc["07333", "verdict"] == "late"


def test_no_recognitions_table_is_no_data_never_a_number(tmp_path):
    target = tmp_path / "ws"
    shutil.copytree(SAMPLE, target)
    config = yaml.safe_load((target / "workspace.yaml").read_text("utf-8"))
    del config["tables"]["recognitions"]
    (target / "layers" / "recognitions.csv").unlink()
    (target / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    workspace = load_workspace(target)
    assessment = assess(workspace)
    rows = _district(assessment.closing)
    communes = rows[rows["measure"].isin(["nang_cao_communes", "kieu_mau_communes"])]
    assert communes["achieved"].isna().all() and (communes["status"] == "no_data").all()
    assert set(communes["missing_table"]) == {"recognitions"}
    assert _by_year(rows, "nang_cao_communes", "planned")[None] == 11  # the plan still stands
    scheduled = assessment.closing.communes[assessment.closing.communes["plan_year"].notna()]
    assert (scheduled["verdict"] == "no_data").all() and scheduled["recognised_year"].isna().all()
    sheet = report_tables(workspace, assessment, lang="en")["closing"]
    missing = words("report_headers", "en")["missing_table"]
    assert "no data: no recognitions table" in set(sheet[missing])


def test_no_plan_lists_recognitions_only(sample_assessment, recognitions):
    summary = sample_assessment.communes
    account = closing_account(summary, None, recognitions=recognitions, measured_year=2023)
    assert not account.has_plan and account.dates == (MAIN, HANDOVER)
    assert set(account.communes["verdict"]) == {"not_scheduled"}
    rows = _district(account)
    assert rows["planned"].isna().all() and set(rows["status"]) == {"no_plan"}
    for level in ("ntm", "nang_cao", "kieu_mau"):
        counts = (
            recognitions[recognitions["level"] == level].groupby("commune_code")["year"].min().value_counts()
        )
        found = _by_year(rows, f"{level}_communes", "achieved")
        assert {y: n for y, n in found.items() if n} == counts.to_dict()
    without = dataclasses.replace(sample_assessment, closing=account)
    sheet = report_tables(None, without, lang="vi")["closing"]
    verdict = words("report_headers", "vi")["verdict"]
    assert sheet[verdict].iloc[0] == words("closing", "vi")["no_plan_row"]


def test_a_plan_made_by_plan_init(sample_assessment, recognitions, tmp_path):
    out = tmp_path / "plan.yaml"
    assert main(["plan", "init", str(SAMPLE), "--out", str(out)]) == 0
    plan = load_plan(str(out))
    account = closing_account(sample_assessment.communes, plan, recognitions=recognitions, measured_year=2023)
    first, last = plan.period()
    assert account.dates == (date(last, 12, 31),)  # the 2025 handover is outside its period
    rows = _district(account, account.dates[0])
    assert _by_year(rows, "nang_cao_communes", "planned") == {
        **{y: 0 for y in range(first, last + 1)},
        None: 0,
    }
    assert set(account.communes["verdict"]) == {"not_scheduled"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_sheet_in_both_languages_carries_the_sample_note(
    sample_workspace, sample_assessment, tmp_path, lang
):
    files = write_report(sample_workspace, sample_assessment, tmp_path / "report.xlsx", lang=lang)
    title = SHEETS["closing"][lang]
    assert title == {"vi": "Kết quả giai đoạn 2021–2025", "en": "2021–2025 results"}[lang]
    book = openpyxl.load_workbook(files.xlsx, read_only=True)
    assert title in book.sheetnames
    csv = pd.read_csv(tmp_path / "report_csv" / "closing.csv", encoding="utf-8-sig", dtype=str)
    note = sample_workspace.note(lang)
    assert len(csv) == len(sample_assessment.closing.district) + len(sample_assessment.closing.communes)
    assert (csv[words("report_headers", lang)["data_note"]] == note).all()
    cells = {c.value for row in book[title].iter_rows(max_row=6) for c in row}
    headers = words("report_headers", lang)
    assert {headers["as_of"], headers["verdict"], headers["missing_table"]} <= cells


def test_the_map_theme_in_chromium(open_map, sample_workspace, sample_assessment, tmp_path):
    html = build_planner_map(sample_workspace, sample_assessment)
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "map.html", html))
    title = words("closing", "vi")["title"].format(first=2021, last=2025)
    page.get_by_label(f"{title} (ngày chốt 31/12/2025)", exact=True).check()
    assert page.evaluate("window.ntmgis.theme('communes')") == "closing"
    items = page.locator('.ntmgis-legend[data-layer="communes"] li')
    shown = {
        items.nth(i).get_attribute("data-class"): int(
            items.nth(i).locator(".ntmgis-legend-count").inner_text()
        )
        for i in range(items.count())
    }
    expected = sample_assessment.closing.verdicts()["verdict"].value_counts().to_dict()
    assert {k: v for k, v in shown.items() if v} == expected
    assert sum(shown.values()) == len(sample_assessment.communes) == 22
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_assessments_differing_in_the_closing_account_are_told_apart(sample_assessment):
    from ntmgis.testing import assessment_differences

    communes = sample_assessment.closing.communes.copy()
    communes.loc[communes.index[0], "verdict"] = "late"
    changed = dataclasses.replace(
        sample_assessment, closing=dataclasses.replace(sample_assessment.closing, communes=communes)
    )
    assert assessment_differences(sample_assessment, sample_assessment) == []
    found = assessment_differences(sample_assessment, changed)
    assert len(found) == 1 and found[0].startswith("closing.communes")


def test_closing_dates_on_the_command_line(tmp_path, capsys):
    """`--closing-date` / `--handover-date` (issue 13 part 3): used, stated in every row, validated."""
    out = tmp_path / "report.xlsx"
    code = main(
        [
            "report", str(SAMPLE), "--out", str(out), "--lang", "en",
            "--closing-date", "2024-12-31", "--handover-date", "2024-06-30",
            "--gpkg", str(tmp_path / "r.gpkg"),
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    csv = pd.read_csv(tmp_path / "report_csv" / "closing.csv", encoding="utf-8-sig", dtype=str)
    stated = set(csv[words("report_headers", "en")["as_of"]].dropna())
    assert stated == {"2024-12-31", "2024-06-30"}
    provenance = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer="provenance").set_index("key")
    assert provenance.loc["closing_dates", "value"] == "2024-12-31, 2024-06-30"
    for bad, said in (
        (["--closing-date", "2025-13-01"], "not a date"),
        (
            ["--closing-date", "2025-12-31", "--handover-date", "2026-01-01"],
            "must be before the closing date",
        ),
        (["--closing-date", "2019-12-31"], "before the plan's period 2021–2025"),
    ):
        with pytest.raises(SystemExit) if said == "not a date" else contextlib.nullcontext():
            code = main(["report", str(SAMPLE), "--lang", "en", "--out", str(tmp_path / "x.xlsx"), *bad])
            assert code == 2
        assert said in capsys.readouterr().err
    # The same refusals in Vietnamese by default (the catalogue's cli texts), the option named.
    for bad, said in (
        (["--closing-date", "2025-13-01"], "không phải ngày YYYY-MM-DD: '2025-13-01'"),
        (
            ["--closing-date", "2025-12-31", "--handover-date", "2026-01-01"],
            "phải trước ngày chốt 2025-12-31",
        ),
        (
            ["--closing-date", "2019-12-31"],
            "--closing-date 2019-12-31 trước giai đoạn của kế hoạch 2021–2025",
        ),
    ):
        with pytest.raises(SystemExit) if "YYYY" in said else contextlib.nullcontext():
            assert main(["report", str(SAMPLE), "--out", str(tmp_path / "x.xlsx"), *bad]) == 2
        assert said in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_the_default_closing_dates_are_stated_too(sample_workspace, sample_assessment):
    from ntmgis.export import result_layers

    table = result_layers(sample_workspace, sample_assessment, lang="vi")["provenance"].set_index("key")
    assert table.loc["closing_dates", "value"] == "2025-12-31, 2025-06-30"
    assert table.loc["closing_dates", "label"] == "Ngày chốt kết quả giai đoạn"


def test_the_closing_account_in_the_new_units(sample_workspace, sample_assessment, tmp_path):
    """Issue 13 part 3 in the units of 2025-07: every old row beside its new unit, verdicts as they were."""
    from ntmgis.crosswalk import _mapping, packaged_crosswalk
    from ntmgis.report_units import units_tables
    from ntmgis.units_view import workspace_units_view

    view = workspace_units_view(sample_workspace, sample_assessment, to="2025-07")
    mapping = _mapping(packaged_crosswalk(), "2020-03", "2025-07")
    new_of = dict(zip(mapping["old_code"], mapping["new_code"], strict=True))
    old = sample_assessment.closing.communes
    rows = view.closing
    assert len(rows) == len(old)  # no row dropped, none combined
    assert (rows["commune_code"] == rows["old_code"].map(new_of)).all()
    key = ["as_of", "old_code", "level"]
    both = rows.merge(old.rename(columns={"commune_code": "old_code"}), on=key, suffixes=("", "_old"))
    assert len(both) == len(old)
    for column in ("verdict", "plan_year", "recognised_year", "recognised_level"):
        pd.testing.assert_series_equal(both[column], both[f"{column}_old"], check_names=False)
    for code, group in rows[rows["as_of"] == MAIN].groupby("commune_code"):
        constituents = set(view.constituents.loc[view.constituents["commune_code"] == code, "old_code"])
        assert set(group["old_code"]) == constituents  # every old commune side by side
    sheet = units_tables(view, lang="vi")["units_closing"]
    assert len(sheet) == len(old) and set(sheet["Ngày chốt"]) == {"2025-12-31", "2025-06-30"}
    assert set(sheet["Kết luận"]) <= set(words("closing", "vi").values())
    out = tmp_path / "r.xlsx"
    assert main(["report", str(SAMPLE), "--units", "2025-07", "-o", str(out), "-q"]) == 0
    assert "KQ giai đoạn theo xã 2025-07" in openpyxl.load_workbook(out, read_only=True).sheetnames

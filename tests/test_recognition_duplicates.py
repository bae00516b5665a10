"""The recognitions table (issue 15): a commune's level given twice is kept once or refused, never picked.

Before, two decisions for one commune and level went through the workspace, and the earliest
year won silently (``recognised_levels``): the closing account counted the commune in a year the
officer may not have meant. Now, as for the status tables (``tests/test_status_duplicates.py``):

- the same decision twice: kept once, one info problem naming the rows;
- two years (or two decision numbers): an error naming both rows and both decisions; the
  workspace is refused, by ``ntmgis validate`` (exit 2) and ``ntmgis report`` alike;
- ids and words compared without their case or spaces (`` 07312`` is ``07312``).
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from workspace_builders import write_workspace

from ntmgis.cli import main
from ntmgis.io.recognitions import unique_recognitions
from ntmgis.workspace import inspect_workspace, load_workspace

HEADER = "commune_code,level,year,decision\n"


def _workspace(tmp_path, rows: str):
    return write_workspace(tmp_path / "ws", tables={"recognitions": HEADER + rows})


def _of(report, name):
    return [p for p in report if p.key == f"problems.recognition_duplicate_{name}"]


def test_a_contradicting_duplicate_refuses_the_workspace_naming_both_rows(tmp_path, capsys):
    path = _workspace(tmp_path, "07312,ntm,2016,\n07318,ntm,2015,\n07312,ntm,2018,\n")
    workspace, report = inspect_workspace(path)
    assert workspace is None
    [error] = _of(report, "contradicts")
    assert error.severity == "error" and error.feature == "row 2, row 4"
    assert error.problem == "07312, NTM: recognised twice differently, 2016 in row 2 and 2018 in row 4"
    vi_problem, vi_action = error.text("vi")
    assert "dòng 2" in vi_problem and "dòng 4" in vi_problem and "đạt chuẩn NTM" in vi_problem
    assert "giữ lại một quyết định" in vi_action
    out = tmp_path / "problems.csv"
    assert main(["validate", str(path), "--lang", "en", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "recognised twice differently, 2016 in row 2 and 2018 in row 4" in err
    assert "recognised twice differently" in out.read_text(encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    assert "công nhận hai lần khác nhau, 2016 ở dòng 2 và 2018 ở dòng 4" in capsys.readouterr().err
    assert main(["report", str(path), "--out", str(tmp_path / "r.xlsx"), "--lang", "en"]) == 2
    assert "recognised twice differently" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def test_two_decision_numbers_of_one_year_are_a_contradiction_too():
    table = pd.DataFrame(
        {"commune_code": ["07312", "07312"], "level": ["nang_cao"] * 2, "year": [2022, 2022],
         "decision": ["QĐ 12/QĐ-UBND", "QĐ 15/QĐ-UBND"]}
    )  # fmt: skip
    kept, [error] = unique_recognitions(table, file="r.csv")
    assert kept.empty and error.severity == "error"
    assert "2022 (QĐ 12/QĐ-UBND) in row 2 and 2022 (QĐ 15/QĐ-UBND) in row 3" in error.problem


def test_an_identical_duplicate_is_kept_once_and_said_in_the_report(tmp_path, capsys):
    path = _workspace(
        tmp_path, "07312,ntm,2016,QĐ 1\n07318,ntm,2015,\n07312,ntm,2016,QĐ 1\n07312,nang_cao,2022,\n"
    )
    workspace = load_workspace(path)
    table = workspace.table("recognitions")
    assert sorted(zip(table["commune_code"], table["level"], strict=True)) == [
        ("07312", "nang_cao"),
        ("07312", "ntm"),
        ("07318", "ntm"),
    ]
    [said] = _of(workspace.problems, "same")
    assert said.severity == "info" and said.feature == "row 2, row 4" and said.count == 1
    assert main(["validate", str(path), "--lang", "en"]) == 0
    assert "the same recognition given more than once" in capsys.readouterr().err
    out = tmp_path / "r.xlsx"
    assert main(["report", str(path), "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    sheet = [[c for c in row] for row in book["Vấn đề dữ liệu"].iter_rows(values_only=True)]
    assert any(
        row[3] and "quyết định công nhận được ghi nhiều lần giống nhau" in str(row[3]) for row in sheet
    ), sheet


@pytest.mark.parametrize(
    ("first", "second", "kind"),
    [
        ('" 07312",NTM,2016,qđ  1', "07312,ntm,2016,QĐ 1", "same"),
        ('"07312 ",ntm,2016,', "7312, ntm ,2019,", "contradicts"),
    ],
)
def test_ids_and_words_differing_only_in_case_or_spaces_are_the_same(tmp_path, first, second, kind):
    path = _workspace(tmp_path, f"{first}\n07318,ntm,2015,\n{second}\n")
    workspace, report = inspect_workspace(path)
    [found] = _of(report, kind)
    assert found.feature == "row 2, row 4"
    if kind == "same":
        assert workspace is not None
        assert workspace.table("recognitions")["commune_code"].tolist().count("07312") == 1
    else:
        assert workspace is None and "2016 in row 2 and 2019 in row 4" in found.problem


def test_levels_of_one_commune_are_not_duplicates(tmp_path):
    path = _workspace(tmp_path, "07312,ntm,2016,\n07312,nang_cao,2022,\n07312,kieu_mau,2024,\n")
    workspace, report = inspect_workspace(path)
    assert workspace is not None and not _of(report, "same") and not _of(report, "contradicts")
    assert len(workspace.table("recognitions")) == 3

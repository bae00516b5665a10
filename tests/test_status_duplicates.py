"""Status tables (issue 15 part 3b): the same verdict given twice is reported, never picked silently.

The same (unit, criterion or indicator, level, year) given by two rows (long form), by two rows
for one commune or by two columns for one criterion (wide form):

- with the same verdict: kept once, one info problem for the whole table (count and cells);
- with different verdicts: an error naming both cells (and so their sheet rows), both values
  and the fix; neither row is used, and the workspace is refused (an error refuses it).
"""

import pandas as pd
from workspace_builders import PLAN_CODES

from ntmgis.io.status import status_from_frame

COMMUNES = pd.DataFrame(
    [{"commune_code": code, "name": name, "kind": "xa"} for code, name in PLAN_CODES.items()]
)
A, B = sorted(PLAN_CODES)[:2]


def _read(rows, columns, **kw):
    raw = pd.DataFrame(rows, columns=columns, dtype=object)
    return status_from_frame(raw, units=COMMUNES, unit="commune", file="s.csv", year=2023, **kw)


def _kinds(read, key):
    return [p for p in read.problems if p.key == f"problems.{key}"]


def test_long_identical_rows_are_kept_once_and_said_once():
    read = _read(
        [[A, "1", "Đạt"], [A, "1", "đạt"], [A, "2", "x"], [A, "2", "Đạt"], [B, "1", "Đạt"]],
        ["commune_code", "criterion", "met"],
    )
    assert sorted(zip(read.frame["commune_code"], read.frame["criterion"], strict=True)) == [
        (A, "1"),
        (A, "2"),
        (B, "1"),
    ]
    [said] = _kinds(read, "status_duplicate_same")
    assert said.severity == "info" and said.count == 2
    assert "row 2" in said.feature and "row 3" in said.feature and "row 4" in said.feature
    assert said.text("vi")[0] != said.text("en")[0]


def test_long_contradicting_rows_are_an_error_naming_both_and_neither_is_used():
    read = _read(
        [[A, "1", "Đạt"], [B, "1", "Đạt"], [A, "1", "Chưa đạt"], [A, "2", "Đạt"]],
        ["commune_code", "criterion", "met"],
    )
    [error] = _kinds(read, "status_duplicate_contradicts")
    assert error.severity == "error"
    assert error.feature == "row 2, row 4"
    assert "Đạt" in error.problem and "Chưa đạt" in error.problem and A in error.problem
    assert "keep one" in error.action
    vi_problem, vi_action = error.text("vi")
    assert "Chưa đạt" in vi_problem and "giữ" in vi_action
    kept = set(zip(read.frame["commune_code"], read.frame["criterion"], strict=True))
    assert kept == {(B, "1"), (A, "2")}  # the contradicting pair is left out, the rest is read


def test_long_rows_of_other_years_or_levels_are_not_duplicates():
    read = _read(
        [[A, "1", "Đạt", 2022], [A, "1", "Chưa đạt", 2023], [A, "1", "Đạt", None]],
        ["commune_code", "criterion", "met", "year"],
    )
    assert not _kinds(read, "status_duplicate_contradicts") and len(read.frame) == 3


def test_wide_two_columns_for_one_criterion():
    same = _read([[A, "Đạt", "Đạt", "x"]], ["Mã xã", "2", "TC 2", "3"])
    [said] = _kinds(same, "status_duplicate_same")
    assert said.feature == "B2, C2" and len(same.frame) == 2
    differ = _read([[A, "Đạt", "Chưa đạt", "x"], [B, "Đạt", "Đạt", None]], ["Mã xã", "2", "TC 2", "3"])
    [error] = _kinds(differ, "status_duplicate_contradicts")
    assert error.feature == "B2, C2" and error.severity == "error"
    assert sorted(zip(differ.frame["commune_code"], differ.frame["criterion"], strict=True)) == [
        (A, "3"),
        (B, "2"),
    ]


def test_wide_two_rows_for_one_commune():
    read = _read([[A, "Đạt", "Đạt"], [B, "x", None], [A, "Đạt", "Chưa đạt"]], ["Mã xã", "1", "2"])
    [said] = _kinds(read, "status_duplicate_same")
    assert said.feature == "B2, B4"
    [error] = _kinds(read, "status_duplicate_contradicts")
    assert error.feature == "C2, C4" and "row 2" in error.problem and "row 4" in error.problem
    assert sorted(zip(read.frame["commune_code"], read.frame["criterion"], strict=True)) == [
        (A, "1"),
        (B, "1"),
    ]


def test_a_value_given_twice_differently_is_a_contradiction():
    read = _read(
        [[A, "2.2", None, 80], [A, "2.2", None, "75"]], ["commune_code", "criterion", "met", "value"]
    )
    [error] = _kinds(read, "status_duplicate_contradicts")
    assert "80" in error.problem and "75" in error.problem and read.frame.empty


def test_a_table_of_contradictions_only_is_empty_with_the_errors():
    read = _read([[A, "Đạt"], [A, "Chưa đạt"]], ["Mã xã", "1"])
    assert read.frame.empty and [p.severity for p in _kinds(read, "status_duplicate_contradicts")] == [
        "error"
    ]


def test_a_row_with_a_unit_and_no_verdict_is_reported():
    wide = _read([[A, "ntm", None, " "], [B, "ntm", "Đạt", None]], ["Mã xã", "Mức", "1", "2"])
    [said] = _kinds(wide, "status_row_no_verdict")
    assert said.feature == "A2" and said.severity == "warning"
    long = _read([[A, "1", None], [B, "1", "Đạt"]], ["commune_code", "criterion", "met"])
    [said] = _kinds(long, "status_row_no_verdict")
    assert said.feature == "row 2"


def test_a_long_row_without_a_verdict_but_with_a_note_is_on_record_not_a_warning():
    # the sample's towns: "thị trấn: không đánh giá theo bộ tiêu chí xã"
    read = _read(
        [[A, "1", None, "không đánh giá"], [A, "2", None, None]], ["commune_code", "criterion", "met", "note"]
    )
    said = {p.severity: p.feature for p in _kinds(read, "status_row_no_verdict")}
    assert said == {"info": "row 2", "warning": "row 3"}

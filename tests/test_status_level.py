"""The level a wide status sheet is read at: the level: key, a level column, the sheet or file name,
else NTM — and the problem report says which (issue 11)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import yaml
from workspace_builders import PLAN_CODES, write_workspace

from ntmgis.io import read_commune_status, status_from_frame
from ntmgis.io.status_wide import level_from_name
from ntmgis.labels import text
from ntmgis.workspace import inspect_layers, inspect_workspace

COMMUNES = pd.DataFrame(
    [
        {"commune_code": c, "name": n, "kind": "xa"}
        for c, n in PLAN_CODES.items()
        if c not in ("07339", "07306")
    ]
)
CRITERIA = [str(i) for i in range(1, 18)]


def _sheet(path, rows, *, title="2023"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def _wide(level_column=None):
    header = ["Mã xã", *(["Mức"] if level_column else []), *CRITERIA]
    rows = [header]
    for i, code in enumerate(["07330", "07324", "07318"]):
        rows.append([code, *([level_column[i]] if level_column else []), *["Đạt"] * 17])
    return rows


def _levels(read):
    return dict(read.frame.drop_duplicates("commune_code")[["commune_code", "level"]].values.tolist())


def _said(read, severity="info"):
    return [
        p for p in read.problems if p.layer == "commune_status" and "mức" in _vi(p) and p.severity == severity
    ]


def _vi(problem):
    """The Vietnamese text of a problem (its ``problem`` field holds the English)."""
    return problem.text("vi")[0]


def test_the_level_key_wins_and_is_said(tmp_path):
    path = _sheet(tmp_path / "NTM_kieu_mau.xlsx", _wide(["NTM", "NTM", "NTM"]), title="NTM nâng cao")
    read = read_commune_status(path, COMMUNES, year=2023, level="NTM nâng cao")
    assert set(_levels(read).values()) == {"nang_cao"}
    [said] = _said(read)
    assert _vi(said) == "bảng commune_status đọc ở mức NTM nâng cao (từ khóa `level:` trong workspace.yaml)"
    assert (
        said.problem
        == "table commune_status read at level NTM nâng cao (from the level: key in workspace.yaml)"
    )


def test_a_level_column_is_read_per_row_blank_rows_take_the_sheet_name(tmp_path):
    path = _sheet(tmp_path / "t.xlsx", _wide(["NTM nâng cao", "NTM", None]), title="Xã NC 2023")
    read = read_commune_status(path, COMMUNES, year=2023, sheet="Xã NC 2023")
    assert _levels(read) == {"07330": "nang_cao", "07324": "ntm", "07318": "nang_cao"}
    assert [_vi(p) for p in _said(read)] == ["bảng commune_status đọc ở mức của cột 'Mức', từng dòng"]
    [blank] = _said(read, "warning")
    assert blank.count == 1 and blank.feature == "cells B4" and "từ tên trang tính" in _vi(blank)


def test_blank_level_cells_name_the_file_when_the_level_came_from_the_file_name(tmp_path):
    # Regression: the warning said "từ tên trang tính" (sheet) when the level came from the file name.
    path = _sheet(tmp_path / "nang_cao.xlsx", _wide(["NTM", None, "NTM"]), title="Tong hop")
    read = read_commune_status(path, COMMUNES, year=2023)
    assert _levels(read)["07324"] == "nang_cao"
    [blank] = _said(read, "warning")
    assert "từ tên tệp" in _vi(blank) and "trang tính" not in _vi(blank)


def test_an_unknown_level_word_is_kept_and_reported_once_per_kind(tmp_path):
    path = _sheet(tmp_path / "t.xlsx", _wide(["vàng", "vàng", "NTM"]))
    read = read_commune_status(path, COMMUNES, year=2023)
    assert _levels(read) == {"07330": "vàng", "07324": "vàng", "07318": "ntm"}
    [unknown] = [p for p in read.problems if "'vàng'" in p.problem]
    assert unknown.count == 2 and unknown.severity == "warning" and unknown.feature == "cells B2, B3"


@pytest.mark.parametrize(
    ("title", "file", "level", "source"),
    [
        ("NTM nâng cao", "t.xlsx", "nang_cao", "from_sheet"),
        ("2023", "status_nang_cao.xlsx", "nang_cao", "from_file"),
        ("2023", "XA_NTM_KIEU_MAU.xlsx", "kieu_mau", "from_file"),
    ],
)
def test_the_level_from_the_sheet_or_file_name(tmp_path, title, file, level, source):
    path = _sheet(tmp_path / file, _wide(), title=title)
    read = read_commune_status(path, COMMUNES, year=2023, sheet=title)
    assert set(_levels(read).values()) == {level}
    [said] = _said(read)
    assert _vi(said).endswith(f"({text('status.' + source)})")


def test_without_key_column_or_name_the_sheet_is_read_at_ntm_and_a_warning_says_so(tmp_path):
    path = _sheet(tmp_path / "t.xlsx", _wide())
    read = read_commune_status(path, COMMUNES, year=2023)
    assert set(_levels(read).values()) == {None}  # NTM, the engine's default level
    [said] = _said(read, "warning")
    assert _vi(said) == "bảng commune_status đọc ở mức Đạt chuẩn NTM (mặc định: bảng không nói mức)"
    assert "level:" in said.action


def test_long_tables_say_nothing_about_a_table_level():
    long = pd.DataFrame({"commune_code": ["07330"], "criterion": ["2"], "met": ["Đạt"], "level": ["ntm"]})
    read = status_from_frame(long, units=COMMUNES)
    assert not _said(read) and not _said(read, "warning")


def test_level_from_name():
    assert level_from_name("NTM nâng cao") == "nang_cao"
    assert level_from_name("nang_cao.csv") == "nang_cao"
    assert level_from_name("Xa-NC") == "nang_cao"
    assert level_from_name("NTM kiểu mẫu") == "kieu_mau"
    assert level_from_name("Sheet1") is None and level_from_name(None) is None


# --- through the workspace: each table says which level it was read at ----------------------------


def test_the_workspace_report_says_the_level_of_each_table(tmp_path):
    path = write_workspace(tmp_path)
    _sheet(tmp_path / "tt.xlsx", _wide(), title="NTM nâng cao")
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["tables"]["commune_status"] = {"path": "tt.xlsx", "sheet": "NTM nâng cao", "year": 2023}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace, report = inspect_workspace(path)
    assert workspace is not None
    assert set(workspace.table("commune_status")["level"]) == {"nang_cao"}
    [said] = [p for p in report if _vi(p).startswith("bảng commune_status đọc ở mức")]
    assert _vi(said).endswith("(từ tên trang tính)") and said.severity == "info"
    # the same sheet in memory, its name given as an option, says the same
    frame = pd.read_excel(tmp_path / "tt.xlsx", sheet_name="NTM nâng cao", dtype=object)
    in_memory, memory_report = inspect_layers(
        workspace.communes,
        commune_status=frame,
        options={"commune_status": {"sheet": "NTM nâng cao", "year": 2023}},
        district={"name": "Thử"},
    )
    assert in_memory is not None
    assert set(in_memory.table("commune_status")["level"]) == {"nang_cao"}
    assert said.problem in [p.problem for p in memory_report]

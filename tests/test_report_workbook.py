"""The fast workbook writer (ntmgis.io.xlsx) writes what openpyxl's normal mode writes, byte for byte.

``reference_workbook`` is the report's writer before issue 11 (one openpyxl ``Cell`` per value,
written through ``set_cell``: text is never a formula, issue 15) with the layout of issue 14.4
(number formats, autofilter, frozen id columns, widths, the empty sheet's reason);
the fast one must give the same parts (all but the write time in ``docProps/core.xml``) and, read
back, the same values, number formats, fonts, fills, alignment, widths and frozen panes.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ntmgis.io.safe_text import set_cell
from ntmgis.io.table_layout import layout
from ntmgis.io.xlsx import column_width
from ntmgis.report import _FILLS, SYMBOLS, _rows, _workbook, report_tables


def reference_workbook(
    tables: Mapping[str, pd.DataFrame], *, titles: Mapping[str, str], note: str | None, lang: str = "vi"
) -> bytes:
    """The report's workbook as openpyxl's normal mode writes it, cell by cell, with the same layout.

    Text through ``set_cell`` (never a formula, issue 15); each column's numbers in its number
    format, the autofilter, the header and id columns frozen, widths from the content and the
    empty sheet's reason (issue 14.4).
    """
    book = Workbook()
    book.remove(book.active)
    for key, frame in tables.items():
        sheet = book.create_sheet(titles[key])
        headers = [str(h) for h in frame.columns]
        spec = layout(key, headers, lang)
        start = 1
        if note:
            set_cell(sheet.cell(row=1, column=1), note).font = Font(bold=True, color="C00000")
            start = 3
        for column, header in enumerate(headers, start=1):
            cell = set_cell(sheet.cell(row=start, column=column), header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        values = _rows(frame)
        for r, row in enumerate(values, start=start + 1):
            for c, value in enumerate(row, start=1):
                cell = set_cell(sheet.cell(row=r, column=c), value)
                if spec.formats[c - 1] and type(cell.value) in (int, float):
                    cell.number_format = spec.formats[c - 1]
                if key == "communes" and isinstance(value, str) and value:
                    status = next((s for s, sym in SYMBOLS.items() if sym and value.startswith(sym)), None)
                    if status in _FILLS:
                        cell.fill = PatternFill("solid", fgColor=_FILLS[status])
        if headers and not values:
            set_cell(sheet.cell(row=start + 1, column=1), spec.empty).font = Font(italic=True, color="595959")
        frozen = min(spec.frozen_columns, max(len(headers) - 1, 0))
        sheet.freeze_panes = sheet.cell(row=start + 1, column=frozen + 1)
        if headers:
            sheet.auto_filter.ref = f"A{start}:{get_column_letter(len(headers))}{start + len(values)}"
        for column, header in enumerate(headers, start=1):
            shown = [row[column - 1] for row in values[:200]]
            width = column_width(header, shown, spec.formats[column - 1])
            sheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def assert_same_cells(old: bytes, new: bytes) -> None:
    """Read back, every sheet setting and cell (value, type, number format, font, fill) equal."""
    a, b = load_workbook(io.BytesIO(old)), load_workbook(io.BytesIO(new))
    assert a.sheetnames == b.sheetnames
    for sa, sb in zip(a.worksheets, b.worksheets, strict=True):
        assert sa.freeze_panes == sb.freeze_panes
        assert sa.dimensions == sb.dimensions
        assert {k: d.width for k, d in sa.column_dimensions.items()} == {
            k: d.width for k, d in sb.column_dimensions.items()
        }
        for ra, rb in zip(sa.iter_rows(), sb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert (ca.value, ca.data_type, ca.number_format) == (
                    cb.value,
                    cb.data_type,
                    cb.number_format,
                )
                assert [repr(s) for s in (ca.font, ca.fill, ca.alignment)] == [
                    repr(s) for s in (cb.font, cb.fill, cb.alignment)
                ]


def both(tables: Mapping[str, pd.DataFrame], note: str | None) -> tuple[bytes, bytes]:
    titles = {key: key[:31] for key in tables}
    return reference_workbook(tables, titles=titles, note=note, lang="vi"), _workbook(
        tables, titles=titles, note=note, lang="vi"
    )


EDGE = pd.DataFrame(
    {
        "mã": ["07333", "", " lề ", 'a & b <c> "d"', "=SUM(A1)", "#N/A", "dòng\nhai", "x" * 40_000],
        "số": [1, 2**60, -3, 0, 7, 8, 9, 10],
        "thực": [1.5, float("nan"), 1e-320, 2.0 / 3, -0.0, 1e20, float("inf"), 3.0],
        "có": [True, False, None, pd.NA, True, None, False, True],
        "Int64": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        "chuỗi": pd.array(["a", None, "ệ", "", " b", "c", "d", "e"], dtype="string"),
        "cờ": [True, False, True, True, False, False, True, True],
        "phần": [0.5, 0.25, 1.0, 2.0, 3.0, 4.0, 5.0, float("nan")],
        "ngày": [pd.Timestamp("2024-05-01"), None, None, None, None, None, None, pd.Timestamp("2030-12-31")],
        "tiêu chí 2": ["Đ", "✗ 12 km", "–", "", None, "chưa", "✗", "– chưa"],
    }
)


@pytest.mark.parametrize("note", [None, "Dữ liệu minh họa  "])
def test_edge_values_give_the_same_parts(note: str | None) -> None:
    tables = {
        "communes": EDGE,
        "upgrade": EDGE.iloc[:, :4],
        "empty": EDGE.iloc[:0],
        "no_columns": pd.DataFrame(index=range(3)),
        "one_row": EDGE.iloc[:1, 1:3],
    }
    old, new = both(tables, note)
    assert parts(old) == parts(new)
    assert_same_cells(old, new)


def test_communes_fills_are_kept() -> None:
    old, new = both({"communes": EDGE}, None)
    sheet = load_workbook(io.BytesIO(new)).worksheets[0]
    column = list(EDGE.columns).index("tiêu chí 2") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, 10)]
    fills = {cell.value: cell.fill.fgColor.rgb for cell in cells}
    assert fills["Đ"].endswith(_FILLS["met"]) and fills["✗ 12 km"].endswith(_FILLS["not_met"])
    assert fills["–"].endswith(_FILLS["not_assessed"]) and fills["chưa"] == "00000000"
    assert parts(old) == parts(new)


cells = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cells, cells, cells), max_size=6), st.booleans())
def test_any_values_give_the_same_parts_or_the_same_error(
    rows: list[tuple[object, ...]], with_note: bool
) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    note = "ghi chú" if with_note else None
    try:
        old = reference_workbook({"communes": frame}, titles={"communes": "c"}, note=note, lang="vi")
    except Exception as error:  # control characters: the same error as before
        with pytest.raises(type(error)):
            _workbook({"communes": frame}, titles={"communes": "c"}, note=note, lang="vi")
        return
    new = _workbook({"communes": frame}, titles={"communes": "c"}, note=note, lang="vi")
    assert parts(old) == parts(new)


def test_a_large_sheet_is_equal() -> None:
    frame = pd.DataFrame({"id": [f"S{k:06d}" for k in range(3000)], "km": [k / 7 for k in range(3000)]})
    old, new = both({"upgrade": frame}, None)
    assert parts(old) == parts(new)
    assert not math.isnan(float(load_workbook(io.BytesIO(new)).worksheets[0]["B3"].value))


CODED = pd.DataFrame(
    {
        "Mã xã": ["07333", "=1+1", None, "07336"],
        "Tên": ["An", "Bình", "", "Châu"],
        "Tổng (km)": [1.2345, float("nan"), float("inf"), 2**40],
        "Tỷ lệ": [0.5, 1.0, None, True],
        "Năm mục tiêu": pd.array([2025, None, 2030, 2024], dtype="Int64"),
        "Kinh phí ước tính (triệu đồng)": [1234567.891, -0.0, 3.0, float("nan")],
    }
)


@pytest.mark.parametrize("note", [None, "Dữ liệu minh họa"])
def test_number_formats_frozen_columns_and_empty_reason_give_the_same_parts(note: str | None) -> None:
    tables = {"networks": CODED, "upgrade": CODED.iloc[:0], "communes": CODED.iloc[:2]}
    old, new = both(tables, note)
    assert parts(old) == parts(new)
    assert_same_cells(old, new)


def test_the_sample_report_is_what_openpyxl_writes(sample_workspace: Any, sample_assessment: Any) -> None:
    tables = report_tables(sample_workspace, sample_assessment, lang="vi")
    old, new = both(tables, sample_workspace.note("vi"))
    assert parts(old) == parts(new)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(cells, cells, cells, cells), max_size=8), st.booleans())
def test_any_values_in_an_unfilled_sheet_give_the_same_parts(
    rows: list[tuple[object, ...]], with_note: bool
) -> None:
    """The column-by-column path (no fill; ``networks`` has number formats) against openpyxl's."""
    frame = pd.DataFrame(rows, columns=["Mã xã", "Tổng (km)", "Tỷ lệ", "c"], dtype=object)
    note = "ghi chú" if with_note else None
    titles = {"networks": "n", "upgrade": "u"}
    tables = {"networks": frame, "upgrade": frame.iloc[:, ::-1]}
    try:
        old = reference_workbook(tables, titles=titles, note=note, lang="vi")
    except Exception as error:  # control characters: the same error as before
        with pytest.raises(type(error)):
            _workbook(tables, titles=titles, note=note, lang="vi")
        return
    assert parts(old) == parts(_workbook(tables, titles=titles, note=note, lang="vi"))

"""The report workbook as an office keeps it (issue 14.4), read back with openpyxl.

Number formats by column meaning (km, ha, share as a fraction, money, count, year), the autofilter
over each table, the header and id / name columns frozen, widths from content within 8–60, every
text cell in the sheet's language, and an empty sheet saying why it is empty.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ntmgis.io.table_layout import _rules, column_code, layout
from ntmgis.io.xlsx import MAX_WIDTH, MIN_WIDTH
from ntmgis.labels import LANGUAGES, areas, text, words
from ntmgis.report import SHEETS, write_report, write_tables
from ntmgis.vocab import label, vocabulary

HEADER_ROW = 3  # the sample's note is in A1


@pytest.fixture(scope="module", params=LANGUAGES)
def book(request: Any, sample_workspace: Any, sample_assessment: Any, tmp_path_factory: Any) -> Any:
    lang = request.param
    out = tmp_path_factory.mktemp(f"xlsx_{lang}") / "report.xlsx"
    write_report(sample_workspace, sample_assessment, out, lang=lang, csv=False)
    return lang, load_workbook(out)


def column(sheet: Worksheet, header_key: str, lang: str) -> list[Any]:
    """The data cells of the column whose header is ``report_headers[header_key]``."""
    header = words("report_headers", lang)[header_key]
    for cell in sheet[HEADER_ROW]:
        if cell.value == header:
            return [sheet.cell(row=r, column=cell.column) for r in range(HEADER_ROW + 1, sheet.max_row + 1)]
    raise AssertionError(f"no column {header!r} in {sheet.title}")


def numbers(cells: list[Any]) -> list[Any]:
    return [c for c in cells if isinstance(c.value, int | float) and not isinstance(c.value, bool)]


@pytest.mark.parametrize(
    ("sheet_key", "header_key", "number_format"),
    [
        ("networks", "total_km", "#,##0.00"),
        ("networks", "done_km", "#,##0.00"),
        ("networks", "share", "0.0%"),
        ("networks", "threshold", "0.0%"),
        ("upgrade", "length_km", "#,##0.00"),
        ("upgrade", "cost_million_vnd", "#,##0"),
        ("upgrade", "million_vnd_per_km", "#,##0"),
        ("communes", "criteria_met", "#,##0"),
        ("communes", "target_year", "0"),
        ("reach", "population", "#,##0"),
        ("reach", "network_m", "#,##0"),
        ("zones", "area_ha", "#,##0.00"),
        ("problems", "problem_count", "#,##0"),
    ],
)
def test_number_formats_by_column_meaning(
    book: Any, sheet_key: str, header_key: str, number_format: str
) -> None:
    lang, workbook = book
    cells = numbers(column(workbook[SHEETS[sheet_key][lang]], header_key, lang))
    assert cells, f"{sheet_key}.{header_key} has no numbers in the sample"
    assert {c.number_format for c in cells} == {number_format}


def test_shares_are_stored_as_fractions_and_keep_their_full_value(book: Any, sample_assessment: Any) -> None:
    lang, workbook = book
    cells = numbers(column(workbook[SHEETS["networks"][lang]], "share", lang))
    assert all(0 <= c.value <= 1 for c in cells)
    expected = sorted(sample_assessment.coverage("roads")["share"].dropna())
    stored = sorted(c.value for c in cells)[: len(expected)]
    assert any(v != round(v, 3) for v in stored)  # not rounded in the file, only in the display


def test_text_cells_of_a_number_column_stay_general(book: Any) -> None:
    lang, workbook = book
    cells = column(workbook[SHEETS["upgrade"][lang]], "segment_id", lang)
    assert {c.number_format for c in cells if isinstance(c.value, str)} == {"General"}


def test_every_table_has_an_autofilter_and_frozen_header(book: Any) -> None:
    lang, workbook = book
    for key, title in ((k, SHEETS[k][lang]) for k in SHEETS):
        sheet = workbook[title]
        width = sum(1 for c in sheet[HEADER_ROW] if c.value is not None)
        assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{get_column_letter(width)}{sheet.max_row}", key
        assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith(str(HEADER_ROW + 1)), key


@pytest.mark.parametrize(("sheet_key", "pane"), [("communes", "C4"), ("networks", "C4"), ("reach", "C4")])
def test_id_and_name_columns_are_frozen(book: Any, sheet_key: str, pane: str) -> None:
    lang, workbook = book
    assert workbook[SHEETS[sheet_key][lang]].freeze_panes == pane


def test_widths_come_from_content_within_bounds(book: Any) -> None:
    lang, workbook = book
    for title in (SHEETS[k][lang] for k in SHEETS):
        widths = [d.width for d in workbook[title].column_dimensions.values()]
        assert widths and all(MIN_WIDTH <= w <= MAX_WIDTH for w in widths), title
    # km shown with two decimals needs far fewer characters than its 16 digits.
    sheet = workbook[SHEETS["networks"][lang]]
    letter = get_column_letter(column(sheet, "total_km", lang)[0].column)
    assert sheet.column_dimensions[letter].width <= 16


def _catalogue_words(lang: str) -> set[str]:
    found = set()
    for area in areas():
        found |= set(words(area, lang).values())
    for entries in vocabulary().values():
        if isinstance(entries, dict):
            found |= {str(e[lang]) for e in entries.values() if isinstance(e, dict) and lang in e}
    return found


def test_no_word_of_the_other_language_in_text_cells(book: Any) -> None:
    lang, workbook = book
    other = "en" if lang == "vi" else "vi"
    foreign = _catalogue_words(other) - _catalogue_words(lang)
    leaks = {
        (sheet.title, cell.coordinate, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(min_row=HEADER_ROW)
        for cell in row
        if isinstance(cell.value, str) and cell.value in foreign
    }
    assert not leaks, sorted(leaks)[:10]


def test_units_are_in_the_sheet_language(book: Any) -> None:
    lang, workbook = book
    units = {c.value for c in column(workbook[SHEETS["indicators"][lang]], "unit", lang)}
    assert words("report_units", lang)["pass/fail"] in units
    if lang == "vi":
        assert "pass/fail" not in units


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_empty_sheet_says_why(tmp_path: Path, lang: str) -> None:
    headers = words("report_headers", lang)
    empty = pd.DataFrame(columns=[headers[c] for c in ("commune_code", "segment_id", "length_km")])
    other = pd.DataFrame(columns=["a", "b"])
    out = tmp_path / "r.xlsx"
    write_tables({"upgrade": empty, "mystery": other}, out, lang=lang, csv=False)
    workbook = load_workbook(out)
    upgrade, mystery = workbook.worksheets
    assert upgrade["A2"].value == text("report_empty.upgrade", lang)
    assert upgrade["A2"].font.i and upgrade["A2"].data_type == "s"
    assert upgrade.auto_filter.ref == "A1:C1"
    assert mystery["A2"].value == text("report_empty.default", lang)


def test_every_kind_has_a_format_and_every_column_code_is_a_known_column() -> None:
    rules = _rules()
    known = set()
    for lang in LANGUAGES:
        known |= set(words("report_headers", lang))
        known |= {k.removeprefix("column_") for k in words("scenario", lang) if k.startswith("column_")}
    assert set(rules.kinds) <= known, set(rules.kinds) - known
    assert {c for sheet in rules.sheets.values() for c in sheet} <= known
    assert set(rules.frozen) <= known, set(rules.frozen) - known


def test_scenario_headers_keep_their_formats() -> None:
    columns = words("scenario", "vi")
    headers = [columns["column_scenario"], columns["column_length_km"], columns["column_cost_million_vnd"]]
    assert layout("costs", [*headers, f"{columns['column_value']} [lam_cot]"]).formats == (
        None,
        "#,##0.00",
        "#,##0",
        "#,##0.0#",
    )
    assert column_code("Kinh phí (triệu đồng)") == "cost_million_vnd"
    assert layout("costs", headers).frozen_columns == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_scenario_workbook_is_formatted_and_in_its_language(tmp_path: Path, lang: str) -> None:
    from ntmgis.cli import main

    path = tmp_path / "s.yaml"
    path.write_text(
        "scenarios:\n  - name: lan_gioi\n    edits:\n      - concretize: {commune: '07303', "
        "class: xa, year: 2024}\n",
        encoding="utf-8",
    )
    out = tmp_path / "so_sanh.xlsx"
    assert main(["scenario", "run", str(path), "--out", str(out), "--lang", lang, "-q"]) == 0
    workbook = load_workbook(out)
    columns = words("scenario", lang)
    works = workbook[columns["sheet_works"]]
    header = [c.value for c in works[HEADER_ROW]]
    km = header.index(columns["column_length_km"]) + 1
    cost = header.index(columns["column_cost_million_vnd"]) + 1
    assert works.cell(row=HEADER_ROW + 1, column=km).number_format == "#,##0.00"
    assert works.cell(row=HEADER_ROW + 1, column=cost).number_format == "#,##0"
    assert works.auto_filter.ref and works.freeze_panes
    surface = works.cell(row=HEADER_ROW + 1, column=header.index(columns["column_after"]) + 1).value
    assert surface == label("surface", "be_tong", lang)
    other = "en" if lang == "vi" else "vi"
    foreign = _catalogue_words(other) - _catalogue_words(lang)
    codes = {"not_met", "not_assessed", "met", "ntm", "nang_cao", "roads", "xa", "be_tong"}
    leaks = {
        (sheet.title, cell.coordinate, cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(min_row=HEADER_ROW)
        for cell in row
        if isinstance(cell.value, str) and (cell.value in foreign or cell.value in codes)
    }
    assert not leaks, sorted(leaks)[:10]

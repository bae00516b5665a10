"""Status tables: which criteria each commune (or village) reports as met, in the long form of the
layer contracts, read from the long form or from the wide form district offices keep.

The wide office form has one row per commune and one column per criterion (``1`` … ``19``,
``TC 2``, ``Tiêu chí 2``, ``2. Giao thông``, ``2.1`` for an indicator), often under a title row or
two, with cells such as ``Đạt``, ``đạt``, ``x``, ``✓``, ``Chưa đạt``, blanks, numbers (``64 %``) and
notes (``Đạt (2022)``). Communes are named by GSO code or by name in any spelling ("TT Cao
Thượng", "Phúc Hoà", NFD text); names are matched with :func:`ntmgis.names.match_names`.

Nothing is dropped silently: every cell that cannot be read, every row whose unit cannot be
matched, every column that is not understood is a :class:`~ntmgis.problems.Problem` naming its
spreadsheet address (``D7``) or row, and the value is left out (the criterion is then "not
assessed" for that unit, never "not met").
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from .io import read_table
from .names import fold_accents, match_names, name_key, normalize_text
from .problems import Problem
from .validate import is_blank, parse_bool
from .vocab import vocabulary

__all__ = [
    "StatusRead",
    "LONG_COLUMNS",
    "read_commune_status",
    "read_village_status",
    "status_from_frame",
    "parse_criterion_header",
    "parse_status_cell",
    "parse_level",
    "long_to_wide",
]

Unit = Literal["commune", "village"]
LONG_COLUMNS = {
    "commune": ["commune_code", "criterion", "indicator", "level", "met", "value", "year", "note", "cell"],
    "village": ["village_id", "criterion", "indicator", "level", "met", "value", "year", "note", "cell"],
}
_UNIT_ID = {"commune": "commune_code", "village": "village_id"}
_LAYER = {"commune": "commune_status", "village": "village_status"}

# Header words, compared after folding accents and case (see _fold).
_CODE_HEADERS = {"commune_code", "ma xa", "ma", "ma dvhc", "ma don vi", "code", "gso", "ma gso",
                 "ma so", "village_id", "ma thon", "id"}
_NAME_HEADERS = {"name", "ten", "ten xa", "xa", "ten don vi", "don vi", "xa thi tran",
                 "ten xa thi tran", "commune", "ten thon", "thon", "village", "thon to dan pho",
                 "ten thon to dan pho", "don vi hanh chinh"}
_ROW_NUMBER_HEADERS = {"stt", "tt", "so tt", "no", "so thu tu"}
_NOTE_HEADERS = {"ghi chu", "note", "notes"}
_YEAR_HEADERS = {"nam", "year", "nam danh gia"}
_LEVEL_HEADERS = {"level", "muc", "cap do", "muc dat"}
# Rows and columns of totals ("Tổng cộng", "Tổng số tiêu chí đạt") are summaries, not units.
_TOTAL_WORDS = ("tong", "cong", "toan huyen", "total", "so tieu chi dat", "so tc dat")
# Cells that mean "nothing reported" in office sheets.
_BLANK_CELLS = {"-", "–", "—", "/", "…", "..."}
# "Đ" is the one-letter Đạt of office sheets (and of ntmgis reports); "✗" is already in parse_bool.
_EXTRA_TRUE = {"d"}

_CRITERION = re.compile(
    r"^(?:tieu\s*chi|tc|criterion|crit\.?|c)?\s*(?:so|no\.?)?\s*0*(\d{1,2})(?:\.0*(\d{1,2}))?(?!\d)"
    r"(?:\s*[-:.)–]?\s*(?P<rest>.*))?$")
_KIEU_MAU = re.compile(r"^km\s*[.\-]?\s*(\d)(?!\d)")
_REMARK = re.compile(r"\s*[(\[:;,]|\s+[-–]\s+")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?\s*%?$")


@dataclass(frozen=True)
class StatusRead:
    """A status table in the long form and the problems found while reading it.

    Attributes
    ----------
    frame : DataFrame
        :data:`LONG_COLUMNS` of the unit: id, ``criterion`` ("1" … "19"), ``indicator`` ("2.1" or
        missing for the whole criterion), ``level``, ``met`` (boolean, missing when only a value
        was given), ``value``, ``year``, ``note`` and ``cell`` (the source address, for tracing).
    problems : tuple of Problem
    form : {"long", "wide"}
        The form the file was in.
    """

    frame: pd.DataFrame
    problems: tuple[Problem, ...]
    form: str


def _fold(text: object) -> str:
    """Accent-, case- and punctuation-insensitive form of a header or cell."""
    light = fold_accents(normalize_text(str(text))).lower()
    return " ".join(re.sub(r"[^\w]+", " ", light).split())


def _light(text: object) -> str:
    """Accent- and case-folded text that keeps punctuation (``2.1`` stays ``2.1``)."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(fold_accents(normalize_text(str(text))).lower().split())


def _criteria_lookup(criteria: Any) -> dict[str, Any]:
    """Ids and folded names of a criteria set's criteria and indicators, for header matching."""
    if criteria is None:
        return {}
    table = criteria.indicators()
    if criteria.base is not None:
        table = pd.concat([criteria.base.indicators(), table], ignore_index=True)
    by_name: dict[str, tuple[str, str | None]] = {}
    for row in table.drop_duplicates("criterion").itertuples():
        for text in (row.criterion_vi, row.criterion_en, row.criterion):
            by_name.setdefault(_fold(text), (row.criterion, None))
    for row in table.itertuples():
        for text in (row.indicator, row.short_vi, row.short_en):
            by_name.setdefault(_fold(text), (row.criterion, row.indicator))
    counts = table.groupby("criterion")["indicator"].nunique().to_dict()
    kinds = dict(zip(table["indicator"], table["kind"], strict=True))
    return {"by_name": by_name, "indicator_counts": counts, "kinds": kinds,
            "criteria": set(table["criterion"]), "indicators": set(table["indicator"])}


def parse_criterion_header(text: object, criteria: Any = None) -> tuple[str, str | None] | None:
    """Read a column header (or a ``criterion`` cell) as (criterion, indicator).

    Parameters
    ----------
    text : object
        ``"2"``, ``2``, ``"TC 02"``, ``"Tiêu chí số 2"``, ``"2. Giao thông"``, ``"2.1"``,
        ``"KM.3"``; or, when ``criteria`` is given, a criterion or indicator name
        (``"Giao thông"``).
    criteria : CriteriaSet, optional
        Restricts numbers to the set's criteria and allows names.

    Returns
    -------
    tuple or None
        ``("2", None)`` for a whole criterion, ``("2", "2.1")`` for an indicator, ``None`` when
        the header is not a criterion.

    Examples
    --------
    >>> parse_criterion_header("Tiêu chí 2: Giao thông")
    ('2', None)
    >>> parse_criterion_header("2.1")
    ('2', '2.1')
    >>> parse_criterion_header("STT") is None
    True
    """
    if is_blank(text):
        return None
    light = _light(text)
    folded = _fold(text)
    if folded.startswith(_TOTAL_WORDS):
        return None
    lookup = _criteria_lookup(criteria) if criteria is not None and not isinstance(criteria, dict) \
        else (criteria or {})
    if folded in lookup.get("by_name", {}):
        return lookup["by_name"][folded]
    found = _KIEU_MAU.match(light)
    if found:
        return "KM", f"KM.{found.group(1)}"
    found = _CRITERION.match(light)
    if not found:
        return None
    number = int(found.group(1))
    criterion = str(number)
    indicator = f"{number}.{int(found.group(2))}" if found.group(2) else None
    known = lookup.get("criteria")
    if known is not None:
        if criterion not in known:
            return None
        if indicator is not None and indicator not in lookup["indicators"]:
            return None
    elif not 1 <= number <= 19:
        return None
    return criterion, indicator


def _to_number(value: object) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return None if math.isnan(float(value)) else float(value)
    text = str(value).strip().replace("\u00a0", " ")
    if not _NUMBER.match(text):
        return None
    return float(text.rstrip("% ").replace(",", "."))


def _verdict(value: object) -> bool | None:
    """Đạt / Chưa đạt of a cell, or None when it is not a verdict."""
    if isinstance(value, str) and name_key(value) in _EXTRA_TRUE:
        return True
    try:
        return parse_bool(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return None


def parse_status_cell(value: object, *, numeric: bool = False) -> tuple[bool | None, float | None, str]:
    """Read one status cell as (met, value, note); raise ValueError when it cannot be read.

    Parameters
    ----------
    value : object
        ``"Đạt"``, ``"x"``, ``"✓"``, ``"Chưa đạt"``, ``"Đ"``, ``1``, ``"64 %"``, ``"Đạt (2022)"``...
        (yes/no words are read by :func:`ntmgis.validate.parse_bool`).
    numeric : bool
        The column holds a measured indicator: numbers are its value, not yes/no (``1`` = 1 %).

    Returns
    -------
    (met, value, note)
        ``met`` None when the cell gives only a number; ``note`` keeps text beside a verdict.

    Examples
    --------
    >>> parse_status_cell("đạt")
    (True, None, '')
    >>> parse_status_cell("64,5%", numeric=True)
    (None, 64.5, '')
    >>> parse_status_cell("Đạt (2022)")
    (True, None, '(2022)')
    """
    if is_blank(value):
        return None, None, ""
    text = normalize_text(str(value)) if isinstance(value, str) else value
    if isinstance(text, str) and text in _BLANK_CELLS:
        return None, None, ""
    if numeric:
        number = _to_number(text)
        if number is not None:
            return None, number, ""
    met = _verdict(text)
    if met is not None:
        return met, None, ""
    number = _to_number(text)
    if number is not None:
        return None, number, ""
    if isinstance(text, str):
        # "Đạt (2022)", "Chưa đạt - đang hoàn thiện": a verdict with a remark.
        found = _REMARK.search(text)
        if found and found.start() > 0:
            remark = text[found.start():].strip()
            if not remark.startswith(("(", "[")):
                remark = remark.lstrip(":;,-– ").strip()
            met = _verdict(text[:found.start()])
            if met is not None:
                return met, None, remark
    raise ValueError(f"cannot read {value!r} as Đạt / Chưa đạt or a number")


def _address(row_label: object, position: int) -> str:
    """Spreadsheet address of a cell of a frame read with its header on sheet row 1."""
    row = int(row_label) + 2 if isinstance(row_label, (int, np.integer)) else 0
    return f"{get_column_letter(position + 1)}{row}" if row else get_column_letter(position + 1)


def _row_number(row_label: object) -> int:
    return int(row_label) + 2 if isinstance(row_label, (int, np.integer)) else 0


@cache
def _level_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, entry in vocabulary()["ntm_level"].items():
        for text in (code, entry.get("vi", ""), entry.get("en", "")):
            if text:
                lookup[_fold(text)] = code
    for text, code in (("nang cao", "nang_cao"), ("kieu mau", "kieu_mau"), ("ntm nang cao", "nang_cao"),
                       ("ntm kieu mau", "kieu_mau"), ("dat chuan", "ntm")):
        lookup.setdefault(text, code)
    return lookup


def parse_level(text: object) -> str | None:
    """An ``ntm_level`` code from a code or label ("nang_cao", "NTM nâng cao", "Advanced NTM").

    Returns None for blanks and unknown words.

    Examples
    --------
    >>> parse_level("NTM nâng cao")
    'nang_cao'
    """
    if is_blank(text):
        return None
    return _level_lookup().get(_fold(text))


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def read_commune_status(
    path: str | os.PathLike[str],
    communes: pd.DataFrame,
    *,
    sheet: str | None = None,
    year: int | None = None,
    level: str | None = None,
    criteria: Any = None,
) -> StatusRead:
    """Read a commune status table (long or wide form, CSV or XLSX) into the long form.

    Parameters
    ----------
    path : path-like
        CSV (any of the encodings :func:`ntmgis.io.read_table` handles) or XLSX.
    communes : DataFrame
        ``commune_code``, ``name`` (and ``kind``) of the workspace: the units rows are matched to.
    sheet : str, optional
        XLSX sheet (default: the first).
    year : int, optional
        Year of a wide table that has no year column.
    level : str, optional
        Level (``ntm``, ``nang_cao``, ``kieu_mau``) the verdicts of a wide table refer to.
    criteria : CriteriaSet, optional
        Lets headers name criteria by name and tells measured indicators (numbers are values).

    Returns
    -------
    StatusRead

    Raises
    ------
    DataError
        When the file is missing or cannot be parsed at all (from :func:`ntmgis.io.read_table`).
    """
    read = read_table(path, sheet=sheet, name="commune_status")
    found = status_from_frame(read.frame, units=communes, unit="commune", file=str(path),
                              year=year, level=level, criteria=criteria)
    return StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)


def read_village_status(
    path: str | os.PathLike[str],
    villages: pd.DataFrame,
    *,
    sheet: str | None = None,
    year: int | None = None,
    criteria: Any = None,
) -> StatusRead:
    """Read a village (model-village) status table into the long form (see :func:`read_commune_status`).

    ``villages`` gives ``village_id`` and ``name``; village names repeat across communes
    ("Thôn 1"), so a wide table should carry the village id — a name that fits several villages
    is reported, not guessed.
    """
    read = read_table(path, sheet=sheet, name="village_status")
    found = status_from_frame(read.frame, units=villages, unit="village", file=str(path),
                              year=year, level="kieu_mau", criteria=criteria)
    return StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)


def status_from_frame(
    raw: pd.DataFrame,
    *,
    units: pd.DataFrame,
    unit: Unit = "commune",
    file: str = "",
    year: int | None = None,
    level: str | None = None,
    criteria: Any = None,
) -> StatusRead:
    """Convert a status table as read (header on sheet row 1) to the long form.

    The pure core of :func:`read_commune_status`: ``raw`` is what :func:`ntmgis.io.read_table`
    returns (index = data row number from 0, so that addresses can be given).
    """
    columns = {_fold(c) for c in raw.columns}
    if {"criterion", "met"} <= columns or {"tieu chi", "dat"} <= columns:
        return _from_long(raw, units=units, unit=unit, file=file, criteria=criteria)
    return _from_wide(raw, units=units, unit=unit, file=file, year=year, level=level,
                      criteria=criteria)


def _match_units(labels: list[object], values: list[object], *, by_code: bool, units: pd.DataFrame,
                 unit: Unit, file: str, addresses: list[str]) -> tuple[dict[object, str], list[Problem]]:
    """Map row labels to unit ids, by code or by name; every failure is a problem."""
    id_column = _UNIT_ID[unit]
    layer = _LAYER[unit]
    problems: list[Problem] = []
    mapping: dict[object, str] = {}
    known = set(units[id_column].astype(str))
    if by_code:
        for label, value, where in zip(labels, values, addresses, strict=True):
            code = str(int(value)) if isinstance(value, (float, np.floating)) and float(value).is_integer() \
                else str(value).strip()
            if unit == "commune" and code.isdigit() and len(code) < 5:
                problems.append(Problem(file, layer, f"cell {where}", f"code {value!r} lost its "
                                        "leading zero", f"read as {code.zfill(5)!r}", "info"))
                code = code.zfill(5)
            if code in known:
                mapping[label] = code
            else:
                problems.append(Problem(file, layer, f"cell {where}", f"code {value!r} matches no "
                                        f"{unit} of the workspace", "row left out; correct the code",
                                        "warning"))
        return mapping, problems
    by_row = {_row_number(label): label for label in labels}
    left = pd.Series([normalize_text(str(v)) for v in values],
                     index=[_row_number(label) for label in labels], dtype=object)
    right_frame = units.drop_duplicates(id_column)
    right = pd.Series(right_frame["name"].astype(str).to_numpy(),
                      index=right_frame[id_column].astype(str).to_numpy(), dtype=object)
    kinds = (pd.Series(right_frame["kind"].astype(str).to_numpy(), index=right.index, dtype=object)
             if "kind" in right_frame else None)
    matched = match_names(left, right, left_name="row", right_name=f"{unit}s", right_kind=kinds)
    for row_number, unit_id in matched.mapping.items():
        mapping[by_row[row_number]] = str(unit_id)
    for problem in matched.problems(file, layer):
        if problem.feature.startswith("row "):
            left_out = problem.action.startswith("not joined")
            problems.append(Problem(problem.file, problem.layer, problem.feature, problem.problem,
                                    ("row left out; " if left_out else "") + problem.action,
                                    problem.severity))
    for row in matched.unmatched_right.itertuples(index=False):
        problems.append(Problem(file, layer, f"{unit} {row.right_index}",
                                f"{unit} {row.right_value!r} has no row in the table",
                                "its criteria are not assessed from this table", "info"))
    return mapping, problems


def _header_kind(text: object) -> str | None:
    folded = _fold(text)
    if folded in _CODE_HEADERS:
        return "code"
    if folded in _NAME_HEADERS:
        return "name"
    if folded in _ROW_NUMBER_HEADERS:
        return "row_number"
    if folded in _NOTE_HEADERS:
        return "note"
    if folded in _YEAR_HEADERS:
        return "year"
    if folded in _LEVEL_HEADERS:
        return "level"
    return None


def _find_header(raw: pd.DataFrame, lookup: Mapping[str, Any], *,
                 scan_rows: int = 15) -> tuple[object | None, list[object]]:
    """The header row: the first of the sheet's first rows with the most criterion headers.

    Office sheets put a title ("BẢNG TỔNG HỢP KẾT QUẢ ...") and a blank row above the header;
    pandas then takes the title as the header. Returns (row label or None for the frame's own
    header, header cells).
    """
    candidates: list[tuple[object | None, list[object]]] = [(None, list(raw.columns))]
    for label in raw.index[:scan_rows]:
        candidates.append((label, raw.loc[label].tolist()))
    best: tuple[object | None, list[object]] = candidates[0]
    best_score = -1
    for label, cells in candidates:
        score = sum(parse_criterion_header(c, lookup) is not None for c in cells)
        if score > best_score:
            best, best_score = (label, cells), score
    return best


def _from_wide(raw: pd.DataFrame, *, units: pd.DataFrame, unit: Unit, file: str, year: int | None,
               level: str | None, criteria: Any) -> StatusRead:
    layer = _LAYER[unit]
    lookup = _criteria_lookup(criteria)
    problems: list[Problem] = []
    header_label, header = _find_header(raw, lookup)
    header_row = 1 if header_label is None else _row_number(header_label)
    data = raw if header_label is None else raw.loc[raw.index > header_label]

    roles: dict[int, Any] = {}
    for position, text in enumerate(header):
        parsed = parse_criterion_header(text, lookup)
        if parsed is not None:
            roles[position] = parsed
            continue
        kind = _header_kind(text)
        if kind is not None:
            roles.setdefault(position, kind)
        elif not is_blank(text) and not str(text).startswith("Unnamed:"):
            summary = _fold(text).startswith(_TOTAL_WORDS)
            problems.append(Problem(file, layer, f"cell {get_column_letter(position + 1)}{header_row}",
                                    f"column {str(text)!r} is not a criterion",
                                    "ignored" + (" (a total)" if summary else
                                                 "; name criteria 1…19, TC 2 or 2.1"),
                                    "info"))
    criterion_positions = [p for p, r in roles.items() if isinstance(r, tuple)]
    if not criterion_positions:
        problems.append(Problem(file, layer, f"row {header_row}", "no criterion columns found "
                                "(1…19, TC 2, Tiêu chí 2, 2.1)", "check the header row", "error"))
        return StatusRead(_empty(unit), tuple(problems), "wide")
    id_positions = [p for p, r in roles.items() if r == "code"]
    name_positions = [p for p, r in roles.items() if r == "name"]
    if not id_positions and not name_positions:
        # An unlabelled first text column left of the criteria is the usual place of the name.
        first = min(criterion_positions)
        unnamed = [p for p in range(first) if roles.get(p) is None]
        name_positions = unnamed[-1:] if unnamed else []
    if not id_positions and not name_positions:
        problems.append(Problem(file, layer, f"row {header_row}", f"no {unit} code or name column",
                                "add a column 'Mã xã' or 'Tên xã'", "error"))
        return StatusRead(_empty(unit), tuple(problems), "wide")
    by_code = bool(id_positions)
    unit_position = (id_positions or name_positions)[0]
    note_position = next((p for p, r in roles.items() if r == "note"), None)
    year_position = next((p for p, r in roles.items() if r == "year"), None)

    labels, values, addresses = [], [], []
    for label, row in zip(data.index, data.itertuples(index=False, name=None), strict=True):
        cell = row[unit_position]
        if is_blank(cell):
            if any(not is_blank(row[p]) for p in criterion_positions):
                problems.append(Problem(file, layer, f"cell {_address(label, unit_position)}",
                                        f"row {_row_number(label)} has verdicts but no {unit}",
                                        "row left out; fill in the code or name", "warning"))
            continue
        if _fold(cell).startswith(_TOTAL_WORDS):
            problems.append(Problem(file, layer, f"row {_row_number(label)}",
                                    f"{str(cell)!r} is a total row", "ignored", "info"))
            continue
        labels.append(label)
        values.append(cell)
        addresses.append(_address(label, unit_position))
    mapping, found = _match_units(labels, values, by_code=by_code, units=units, unit=unit,
                                  file=file, addresses=addresses)
    problems.extend(found)

    rows: list[dict[str, Any]] = []
    for label in labels:
        if label not in mapping:
            continue
        record = data.loc[label]
        cells = record.tolist()
        row_year = year
        if year_position is not None and not is_blank(cells[year_position]):
            number = _to_number(cells[year_position])
            if number is None or not float(number).is_integer():
                problems.append(Problem(file, layer, f"cell {_address(label, year_position)}",
                                        f"year {cells[year_position]!r} is not a year",
                                        "row read without a year", "warning"))
            else:
                row_year = int(number)
        row_note = "" if note_position is None or is_blank(cells[note_position]) \
            else str(cells[note_position]).strip()
        for position in criterion_positions:
            criterion, indicator = roles[position]
            value = cells[position]
            if is_blank(value):
                continue
            where = _address(label, position)
            numeric = lookup.get("kinds", {}).get(indicator or criterion) == "number" and (
                indicator is not None or lookup["indicator_counts"].get(criterion) == 1)
            try:
                met, number, note = parse_status_cell(value, numeric=numeric)
            except ValueError as exc:
                problems.append(Problem(file, layer, f"cell {where} ({unit} {mapping[label]}, "
                                        f"column {str(header[position])!r})", str(exc),
                                        "left out: not assessed; write Đạt, Chưa đạt, x or a number",
                                        "warning"))
                continue
            if met is None and number is None:
                continue
            if number is not None and indicator is None and lookup and \
                    lookup["indicator_counts"].get(criterion, 1) > 1:
                problems.append(Problem(file, layer, f"cell {where} ({unit} {mapping[label]})",
                                        f"a number ({value!r}) for criterion {criterion}, which has "
                                        "several indicators", "left out: not assessed; put it in an "
                                        f"indicator column ({criterion}.1, {criterion}.2…)", "warning"))
                continue
            if note:
                problems.append(Problem(file, layer, f"cell {where}", f"{value!r} read as "
                                        f"{'met' if met else 'not met'} with a remark",
                                        f"remark kept as note: {note!r}", "info"))
            rows.append({_UNIT_ID[unit]: mapping[label], "criterion": criterion,
                         "indicator": indicator, "level": level, "met": met, "value": number,
                         "year": row_year, "note": "; ".join(filter(None, [note, row_note])) or None,
                         "cell": where})
    if year is None and year_position is None and rows:
        problems.append(Problem(file, layer, "", "the wide table has no year column and no year "
                                "was given", "rows kept without a year (they count for any "
                                "evaluation year)", "warning"))
    return StatusRead(_typed(rows, unit), tuple(problems), "wide")


def _from_long(raw: pd.DataFrame, *, units: pd.DataFrame, unit: Unit, file: str,
               criteria: Any) -> StatusRead:
    layer = _LAYER[unit]
    id_column = _UNIT_ID[unit]
    lookup = _criteria_lookup(criteria)
    problems: list[Problem] = []
    position = {}
    for index, column in enumerate(raw.columns):
        folded = _fold(column)
        canonical = {"tieu chi": "criterion", "chi tieu": "indicator", "dat": "met", "gia tri": "value",
                     "nam": "year", "ghi chu": "note", "muc": "level"}.get(folded, folded)
        if folded in {"ma xa", "ma", "ma thon"}:
            canonical = id_column
        if folded in _NAME_HEADERS:
            canonical = "name"
        position.setdefault(canonical.replace(" ", "_"), index)
    if id_column not in position and "name" not in position:
        problems.append(Problem(file, layer, "", f"no {id_column} or name column",
                                f"add {id_column} (or the {unit} name)", "error"))
        return StatusRead(_empty(unit), tuple(problems), "long")
    by_code = id_column in position
    unit_position = position[id_column] if by_code else position["name"]
    labels, values, addresses = [], [], []
    for label, row in zip(raw.index, raw.itertuples(index=False, name=None), strict=True):
        if is_blank(row[unit_position]):
            problems.append(Problem(file, layer, f"cell {_address(label, unit_position)}",
                                    f"row {_row_number(label)} has no {unit}", "row left out",
                                    "warning"))
            continue
        labels.append(label)
        values.append(row[unit_position])
        addresses.append(_address(label, unit_position))
    mapping, found = _match_units(labels, values, by_code=by_code, units=units, unit=unit,
                                  file=file, addresses=addresses)
    problems.extend(found)

    def cell(row: tuple, name: str) -> object:
        return row[position[name]] if name in position else None

    rows = []
    for label in labels:
        if label not in mapping:
            continue
        row = tuple(raw.loc[label].tolist())
        criterion_cell = cell(row, "criterion")
        indicator_cell = cell(row, "indicator")
        parsed = parse_criterion_header(criterion_cell, lookup)
        if parsed is None and not is_blank(criterion_cell) and unit == "village":
            parsed = (str(criterion_cell).strip(), None)
        if parsed is None:
            problems.append(Problem(file, layer, f"cell {_address(label, position['criterion'])}",
                                    f"criterion {criterion_cell!r} is not a criterion",
                                    "row left out; write 1…19", "warning"))
            continue
        criterion, indicator = parsed
        if not is_blank(indicator_cell):
            parsed_indicator = parse_criterion_header(indicator_cell, lookup)
            if parsed_indicator is None or parsed_indicator[0] != criterion:
                problems.append(Problem(file, layer, f"cell {_address(label, position['indicator'])}",
                                        f"indicator {indicator_cell!r} is not an indicator of "
                                        f"criterion {criterion}", "row left out", "warning"))
                continue
            indicator = parsed_indicator[1] or indicator
        level_cell = cell(row, "level")
        level = None
        if not is_blank(level_cell):
            level = parse_level(level_cell)
            if level is None:
                problems.append(Problem(file, layer, f"cell {_address(label, position['level'])}",
                                        f"unknown level {level_cell!r}",
                                        "row read without a level (counts as NTM)", "warning"))
        met, number, note = None, None, ""
        met_cell = cell(row, "met")
        if not is_blank(met_cell):
            try:
                met, number, note = parse_status_cell(met_cell)
            except ValueError as exc:
                problems.append(Problem(file, layer, f"cell {_address(label, position['met'])}",
                                        str(exc), "verdict left out; write Đạt / Chưa đạt",
                                        "warning"))
        value_cell = cell(row, "value")
        if not is_blank(value_cell):
            number = _to_number(value_cell)
            if number is None:
                problems.append(Problem(file, layer, f"cell {_address(label, position['value'])}",
                                        f"{value_cell!r} is not a number", "value left out",
                                        "warning"))
        year_cell = cell(row, "year")
        row_year = None
        if not is_blank(year_cell):
            year_number = _to_number(year_cell)
            if year_number is None or not float(year_number).is_integer():
                problems.append(Problem(file, layer, f"cell {_address(label, position['year'])}",
                                        f"year {year_cell!r} is not a year", "read without a year",
                                        "warning"))
            else:
                row_year = int(year_number)
        note_cell = cell(row, "note")
        notes = [note, "" if is_blank(note_cell) else str(note_cell).strip()]
        if met is None and number is None:
            continue
        rows.append({id_column: mapping[label], "criterion": criterion, "indicator": indicator,
                     "level": level, "met": met, "value": number, "year": row_year,
                     "note": "; ".join(filter(None, notes)) or None,
                     "cell": f"row {_row_number(label)}"})
    return StatusRead(_typed(rows, unit), tuple(problems), "long")


def _empty(unit: Unit) -> pd.DataFrame:
    return _typed([], unit)


def _typed(rows: list[dict[str, Any]], unit: Unit) -> pd.DataFrame:
    columns = LONG_COLUMNS[unit]
    frame = pd.DataFrame(rows, columns=columns)
    for column in (_UNIT_ID[unit], "criterion", "indicator", "level", "note", "cell"):
        frame[column] = pd.Series([None if is_blank(v) else str(v) for v in frame[column]],
                                  index=frame.index, dtype=object)
    frame["met"] = pd.array([None if v is None or v is pd.NA else bool(v) for v in frame["met"]],
                            dtype="boolean")
    frame["value"] = pd.array([None if is_blank(v) else float(v) for v in frame["value"]], dtype="Float64")
    frame["year"] = pd.array([None if is_blank(v) else int(v) for v in frame["year"]], dtype="Int64")
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Writing back the office form
# --------------------------------------------------------------------------------------------

def long_to_wide(long: pd.DataFrame, *, units: pd.DataFrame | None = None, unit: Unit = "commune",
                 lang: str = "vi") -> pd.DataFrame:
    """The wide office form of a long status table: one row per unit, one column per criterion.

    Cells are ``Đạt`` / ``Chưa đạt`` (``Met`` / ``Not met`` in English) or the value; columns are
    ordered 1 … 19, indicators after their criterion. Reading the result back with
    :func:`status_from_frame` gives the long table again (one year and level per table).

    Parameters
    ----------
    long : DataFrame
        Long form (:data:`LONG_COLUMNS`).
    units : DataFrame, optional
        Adds the unit name column (``name``) in the units' order.
    """
    id_column = _UNIT_ID[unit]
    words = {"vi": ("Đạt", "Chưa đạt", "Mã", "Tên"), "en": ("Met", "Not met", "Code", "Name")}[lang]

    def key(row: Mapping[str, Any]) -> str:
        return row["indicator"] if not is_blank(row["indicator"]) else row["criterion"]

    def text(row: Mapping[str, Any]) -> object:
        if row["met"] is not pd.NA and row["met"] is not None:
            return words[0] if bool(row["met"]) else words[1]
        return None if is_blank(row["value"]) else float(row["value"])

    records = long.to_dict("records")
    cells: dict[str, dict[str, object]] = {}
    for row in records:
        cells.setdefault(str(row[id_column]), {})[key(row)] = text(row)
    order = sorted({key(r) for r in records}, key=_criterion_sort_key)
    ids = list(cells) if units is None else [u for u in units[id_column].astype(str) if u in cells]
    frame = pd.DataFrame([{words[2]: i, **{k: cells[i].get(k) for k in order}} for i in ids],
                         columns=[words[2], *order])
    if units is not None:
        names = dict(zip(units[id_column].astype(str), units["name"], strict=False))
        frame.insert(1, words[3], [names.get(i) for i in ids])
    return frame


def _criterion_sort_key(text: str) -> tuple[float, ...]:
    parts = re.findall(r"\d+", str(text))
    if not parts:
        return (math.inf, 0.0)
    return tuple(float(p) for p in parts)

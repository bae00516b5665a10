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

The reader is the only parser of criterion ids and levels (with :mod:`ntmgis.codes`);
cell words come from :mod:`ntmgis.io.cells`. The criteria engine takes the long table as it is.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from ..codes import (
    TOTAL_WORDS,
    criteria_lookup,
    criterion_sort_key,
    fold_header,
    parse_criterion_header,
    parse_level,
)
from ..names import match_names, normalize_text
from ..problems import Problem, Severity
from ..values import is_missing
from .cells import NAME_HEADERS, cell_address, header_kind, parse_status_cell, row_number, to_number
from .readers import read_table

__all__ = [
    "StatusRead",
    "LONG_COLUMNS",
    "read_commune_status",
    "read_village_status",
    "status_from_frame",
    "canonical_status",
    "parse_status_cell",
    "long_to_wide",
]

Unit = Literal["commune", "village"]
LONG_COLUMNS = {
    "commune": ["commune_code", "criterion", "indicator", "level", "met", "value", "year", "note", "cell"],
    "village": ["village_id", "criterion", "indicator", "level", "met", "value", "year", "note", "cell"],
}
_UNIT_ID = {"commune": "commune_code", "village": "village_id"}
_LAYER = {"commune": "commune_status", "village": "village_status"}


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
    found = status_from_frame(
        read.frame, units=communes, unit="commune", file=str(path), year=year, level=level, criteria=criteria
    )
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
    found = status_from_frame(
        read.frame,
        units=villages,
        unit="village",
        file=str(path),
        year=year,
        level="kieu_mau",
        criteria=criteria,
    )
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
    columns = {fold_header(c) for c in raw.columns}
    if {"criterion", "met"} <= columns or {"tieu chi", "dat"} <= columns:
        return _from_long(raw, units=units, unit=unit, file=file, criteria=criteria)
    return _from_wide(raw, units=units, unit=unit, file=file, year=year, level=level, criteria=criteria)


def _match_units(
    labels: list[object],
    values: list[object],
    *,
    by_code: bool,
    units: pd.DataFrame,
    unit: Unit,
    file: str,
    addresses: list[str],
) -> tuple[dict[object, str], list[Problem]]:
    """Map row labels to unit ids, by code or by name; every failure is a problem."""
    id_column = _UNIT_ID[unit]
    layer = _LAYER[unit]
    problems: list[Problem] = []
    mapping: dict[object, str] = {}
    known = set(units[id_column].astype(str))
    if by_code:
        for label, value, where in zip(labels, values, addresses, strict=True):
            code = (
                str(int(value))
                if isinstance(value, (float, np.floating)) and float(value).is_integer()
                else str(value).strip()
            )
            if unit == "commune" and code.isdigit() and len(code) < 5:
                problems.append(
                    Problem(
                        file,
                        layer,
                        f"cell {where}",
                        f"code {value!r} lost its leading zero",
                        f"read as {code.zfill(5)!r}",
                        "info",
                    )
                )
                code = code.zfill(5)
            if code in known:
                mapping[label] = code
            else:
                problems.append(
                    Problem(
                        file,
                        layer,
                        f"cell {where}",
                        f"code {value!r} matches no {unit} of the workspace",
                        "row left out; correct the code",
                        "warning",
                    )
                )
        return mapping, problems
    # Keyed by what pandas hands back as the left index of the match (the sheet row number).
    by_row: dict[Hashable, object] = {row_number(label): label for label in labels}
    left = pd.Series(
        [normalize_text(str(v)) for v in values], index=[row_number(label) for label in labels], dtype=object
    )
    right_frame = units.drop_duplicates(id_column)
    right = pd.Series(
        right_frame["name"].astype(str).to_numpy(),
        index=right_frame[id_column].astype(str).to_numpy(),
        dtype=object,
    )
    kinds = (
        pd.Series(right_frame["kind"].astype(str).to_numpy(), index=right.index, dtype=object)
        if "kind" in right_frame
        else None
    )
    matched = match_names(left, right, left_name="row", right_name=f"{unit}s", right_kind=kinds)
    for sheet_row, unit_id in matched.mapping.items():
        mapping[by_row[sheet_row]] = str(unit_id)
    for problem in matched.problems(file, layer):
        if problem.feature.startswith("row "):
            left_out = problem.action.startswith("not joined")
            problems.append(
                Problem(
                    problem.file,
                    problem.layer,
                    problem.feature,
                    problem.problem,
                    ("row left out; " if left_out else "") + problem.action,
                    problem.severity,
                )
            )
    for row in matched.unmatched_right.itertuples(index=False):
        problems.append(
            Problem(
                file,
                layer,
                f"{unit} {row.right_index}",
                f"{unit} {row.right_value!r} has no row in the table",
                "its criteria are not assessed from this table",
                "info",
            )
        )
    return mapping, problems


def _find_header(
    raw: pd.DataFrame, lookup: Mapping[str, Any], *, scan_rows: int = 15
) -> tuple[object | None, list[object]]:
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


@dataclass
class _Findings:
    """The problems of one table, with its file and layer filled in."""

    file: str
    layer: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, feature: str, problem: str, action: str, severity: Severity = "warning") -> None:
        self.problems.append(Problem(self.file, self.layer, feature, problem, action, severity))


@dataclass(frozen=True)
class _WideColumns:
    """Positions of the columns of a wide table: criteria, the unit, note and year."""

    criteria: list[int]
    unit: int
    by_code: bool
    note: int | None
    year: int | None


def _from_wide(
    raw: pd.DataFrame,
    *,
    units: pd.DataFrame,
    unit: Unit,
    file: str,
    year: int | None,
    level: str | None,
    criteria: Any,
) -> StatusRead:
    out = _Findings(file, _LAYER[unit])
    lookup = criteria_lookup(criteria)
    header_label, header = _find_header(raw, lookup)
    header_row = 1 if header_label is None else row_number(header_label)
    data = raw if header_label is None else raw.loc[raw.index > header_label]
    roles = _wide_roles(header, lookup, header_row=header_row, out=out)
    columns = _wide_columns(roles, unit=unit, header_row=header_row, out=out)
    if columns is None:
        return StatusRead(_empty(unit), tuple(out.problems), "wide")
    labels, values, addresses = _wide_units(data, columns, unit=unit, out=out)
    mapping, found = _match_units(
        labels, values, by_code=columns.by_code, units=units, unit=unit, file=file, addresses=addresses
    )
    out.problems.extend(found)
    # The level of the whole table is read like a level cell; an unknown word is kept for the
    # engine, which reports it and leaves the rows out.
    level = None if is_missing(level) else (parse_level(level) or str(level).strip())
    rows: list[dict[str, Any]] = []
    for label in labels:
        if label in mapping:
            cells = data.loc[label].tolist()
            row_year = _wide_year(cells, label, columns, year=year, out=out)
            row_note = (
                ""
                if columns.note is None or is_missing(cells[columns.note])
                else str(cells[columns.note]).strip()
            )
            for position in columns.criteria:
                found_row = _wide_cell(
                    cells[position],
                    cell_address(label, position),
                    roles[position],
                    lookup,
                    unit=unit,
                    unit_id=mapping[label],
                    column=header[position],
                    out=out,
                )
                if found_row is not None:
                    note = "; ".join(filter(None, [found_row.pop("note"), row_note])) or None
                    rows.append(
                        {
                            _UNIT_ID[unit]: mapping[label],
                            **found_row,
                            "level": level,
                            "year": row_year,
                            "note": note,
                        }
                    )
    if year is None and columns.year is None and rows:
        out.add(
            "",
            "the wide table has no year column and no year was given",
            "rows kept without a year (they count for any evaluation year)",
        )
    return StatusRead(_typed(rows, unit), tuple(out.problems), "wide")


def _wide_roles(
    header: list[object], lookup: Mapping[str, Any], *, header_row: int, out: _Findings
) -> dict[int, Any]:
    """Column position → (criterion, indicator) or a header kind (code, name, note, year ...)."""
    roles: dict[int, Any] = {}
    for position, text in enumerate(header):
        parsed = parse_criterion_header(text, lookup)
        if parsed is not None:
            roles[position] = parsed
            continue
        kind = header_kind(text)
        if kind is not None:
            roles.setdefault(position, kind)
        elif not is_missing(text) and not str(text).startswith("Unnamed:"):
            summary = fold_header(text).startswith(TOTAL_WORDS)
            out.add(
                f"cell {get_column_letter(position + 1)}{header_row}",
                f"column {str(text)!r} is not a criterion",
                "ignored" + (" (a total)" if summary else "; name criteria 1…19, TC 2 or 2.1"),
                "info",
            )
    return roles


def _wide_columns(
    roles: Mapping[int, Any], *, unit: Unit, header_row: int, out: _Findings
) -> _WideColumns | None:
    """The criterion, unit, note and year columns; None (with an error) when the table is unusable."""
    criterion_positions = [p for p, r in roles.items() if isinstance(r, tuple)]
    if not criterion_positions:
        out.add(
            f"row {header_row}",
            "no criterion columns found (1…19, TC 2, Tiêu chí 2, 2.1)",
            "check the header row",
            "error",
        )
        return None
    id_positions = [p for p, r in roles.items() if r == "code"]
    name_positions = [p for p, r in roles.items() if r == "name"]
    if not id_positions and not name_positions:
        # An unlabelled first text column left of the criteria is the usual place of the name.
        unnamed = [p for p in range(min(criterion_positions)) if roles.get(p) is None]
        name_positions = unnamed[-1:]
    if not id_positions and not name_positions:
        out.add(
            f"row {header_row}", f"no {unit} code or name column", "add a column 'Mã xã' or 'Tên xã'", "error"
        )
        return None
    return _WideColumns(
        criteria=criterion_positions,
        unit=(id_positions or name_positions)[0],
        by_code=bool(id_positions),
        note=next((p for p, r in roles.items() if r == "note"), None),
        year=next((p for p, r in roles.items() if r == "year"), None),
    )


def _wide_units(
    data: pd.DataFrame, columns: _WideColumns, *, unit: Unit, out: _Findings
) -> tuple[list[object], list[object], list[str]]:
    """Row labels, unit cells and their addresses of the rows that name a unit (not totals)."""
    labels, values, addresses = [], [], []
    for label, row in zip(data.index, data.itertuples(index=False, name=None), strict=True):
        cell = row[columns.unit]
        if is_missing(cell):
            if any(not is_missing(row[p]) for p in columns.criteria):
                out.add(
                    f"cell {cell_address(label, columns.unit)}",
                    f"row {row_number(label)} has verdicts but no {unit}",
                    "row left out; fill in the code or name",
                )
            continue
        if fold_header(cell).startswith(TOTAL_WORDS):
            out.add(f"row {row_number(label)}", f"{str(cell)!r} is a total row", "ignored", "info")
            continue
        labels.append(label)
        values.append(cell)
        addresses.append(cell_address(label, columns.unit))
    return labels, values, addresses


def _wide_year(
    cells: list[object], label: object, columns: _WideColumns, *, year: int | None, out: _Findings
) -> int | None:
    """The row's year: its year cell when readable, else the table's ``year``."""
    if columns.year is None or is_missing(cells[columns.year]):
        return year
    number = to_number(cells[columns.year])
    if number is None or not float(number).is_integer():
        out.add(
            f"cell {cell_address(label, columns.year)}",
            f"year {cells[columns.year]!r} is not a year",
            "row read without a year",
        )
        return year
    return int(number)


def _wide_cell(
    value: object,
    where: str,
    role: tuple[str, str | None],
    lookup: Mapping[str, Any],
    *,
    unit: Unit,
    unit_id: str,
    column: object,
    out: _Findings,
) -> dict[str, Any] | None:
    """criterion, indicator, met, value, note and cell of one verdict cell; None when it says nothing."""
    criterion, indicator = role
    if is_missing(value):
        return None
    counts = lookup.get("indicator_counts", {})
    numeric = lookup.get("kinds", {}).get(indicator or criterion) == "number" and (
        indicator is not None or counts.get(criterion) == 1
    )
    try:
        met, number, note = parse_status_cell(value, numeric=numeric)
    except ValueError as exc:
        out.add(
            f"cell {where} ({unit} {unit_id}, column {str(column)!r})",
            str(exc),
            "left out: not assessed; write Đạt, Chưa đạt, x or a number",
        )
        return None
    if met is None and number is None:
        return None
    if number is not None and indicator is None and lookup and counts.get(criterion, 1) > 1:
        out.add(
            f"cell {where} ({unit} {unit_id})",
            f"a number ({value!r}) for criterion {criterion}, which has several indicators",
            f"left out: not assessed; put it in an indicator column ({criterion}.1, {criterion}.2…)",
        )
        return None
    if note:
        out.add(
            f"cell {where}",
            f"{value!r} read as {'met' if met else 'not met'} with a remark",
            f"remark kept as note: {note!r}",
            "info",
        )
    return {
        "criterion": criterion,
        "indicator": indicator,
        "met": met,
        "value": number,
        "note": note,
        "cell": where,
    }


# Long-form headers in Vietnamese, after folding, and the contract column they stand for.
_LONG_HEADERS = {
    "tieu chi": "criterion",
    "chi tieu": "indicator",
    "dat": "met",
    "gia tri": "value",
    "nam": "year",
    "ghi chu": "note",
    "muc": "level",
}


def _long_positions(columns: Iterable[object], id_column: str) -> dict[str, int]:
    """Contract column name → position of the first column that stands for it."""
    position: dict[str, int] = {}
    for index, column in enumerate(columns):
        folded = fold_header(column)
        canonical = _LONG_HEADERS.get(folded, folded)
        if folded in {"ma xa", "ma", "ma thon"}:
            canonical = id_column
        if folded in NAME_HEADERS:
            canonical = "name"
        position.setdefault(canonical.replace(" ", "_"), index)
    return position


def _from_long(raw: pd.DataFrame, *, units: pd.DataFrame, unit: Unit, file: str, criteria: Any) -> StatusRead:
    out = _Findings(file, _LAYER[unit])
    id_column = _UNIT_ID[unit]
    lookup = criteria_lookup(criteria)
    position = _long_positions(raw.columns, id_column)
    if id_column not in position and "name" not in position:
        out.add("", f"no {id_column} or name column", f"add {id_column} (or the {unit} name)", "error")
        return StatusRead(_empty(unit), tuple(out.problems), "long")
    by_code = id_column in position
    unit_position = position[id_column] if by_code else position["name"]
    labels, values, addresses = [], [], []
    for label, row in zip(raw.index, raw.itertuples(index=False, name=None), strict=True):
        if is_missing(row[unit_position]):
            out.add(
                f"cell {cell_address(label, unit_position)}",
                f"row {row_number(label)} has no {unit}",
                "row left out",
            )
            continue
        labels.append(label)
        values.append(row[unit_position])
        addresses.append(cell_address(label, unit_position))
    mapping, found = _match_units(
        labels, values, by_code=by_code, units=units, unit=unit, file=file, addresses=addresses
    )
    out.problems.extend(found)
    rows = []
    for label in labels:
        if label in mapping:
            cells = _LongRow(tuple(raw.loc[label].tolist()), label, position)
            row = _long_row(cells, lookup, unit=unit, out=out)
            if row is not None:
                rows.append({id_column: mapping[label], **row})
    return StatusRead(_typed(rows, unit), tuple(out.problems), "long")


@dataclass(frozen=True)
class _LongRow:
    """One row of a long table, its cells read by contract column name."""

    cells: tuple[object, ...]
    label: object
    position: Mapping[str, int]

    def __getitem__(self, name: str) -> object:
        return self.cells[self.position[name]] if name in self.position else None

    def where(self, name: str) -> str:
        return f"cell {cell_address(self.label, self.position[name])}"


def _long_row(
    row: _LongRow, lookup: Mapping[str, Any], *, unit: Unit, out: _Findings
) -> dict[str, Any] | None:
    """The long-form fields of one row; None when it is left out or says nothing."""
    ids = _long_ids(row, lookup, unit=unit, out=out)
    if ids is None:
        return None
    level = _long_level(row, out=out)
    met, number, note = _long_verdict(row, out=out)
    row_year = _long_year(row, out=out)
    if met is None and number is None:
        return None
    notes = [note, "" if is_missing(row["note"]) else str(row["note"]).strip()]
    return {
        "criterion": ids[0],
        "indicator": ids[1],
        "level": level,
        "met": met,
        "value": number,
        "year": row_year,
        "note": "; ".join(filter(None, notes)) or None,
        "cell": f"row {row_number(row.label)}",
    }


def _long_ids(
    row: _LongRow, lookup: Mapping[str, Any], *, unit: Unit, out: _Findings
) -> tuple[str, str | None] | None:
    criterion_cell, indicator_cell = row["criterion"], row["indicator"]
    parsed = parse_criterion_header(criterion_cell, lookup)
    if parsed is None and not is_missing(criterion_cell) and unit == "village":
        parsed = (str(criterion_cell).strip(), None)
    if parsed is None:
        out.add(
            row.where("criterion"),
            f"criterion {criterion_cell!r} is not a criterion",
            "row left out; write 1…19",
        )
        return None
    criterion, indicator = parsed
    if not is_missing(indicator_cell):
        parsed_indicator = parse_criterion_header(indicator_cell, lookup)
        if parsed_indicator is None or parsed_indicator[0] != criterion:
            out.add(
                row.where("indicator"),
                f"indicator {indicator_cell!r} is not an indicator of criterion {criterion}",
                "row left out",
            )
            return None
        indicator = parsed_indicator[1] or indicator
    return criterion, indicator


def _long_level(row: _LongRow, *, out: _Findings) -> str | None:
    if is_missing(row["level"]):
        return None
    level = parse_level(row["level"])
    if level is None:
        out.add(
            row.where("level"), f"unknown level {row['level']!r}", "row read without a level (counts as NTM)"
        )
    return level


def _long_verdict(row: _LongRow, *, out: _Findings) -> tuple[bool | None, float | None, str]:
    met, number, note = None, None, ""
    if not is_missing(row["met"]):
        try:
            met, number, note = parse_status_cell(row["met"])
        except ValueError as exc:
            out.add(row.where("met"), str(exc), "verdict left out; write Đạt / Chưa đạt")
    if not is_missing(row["value"]):
        number = to_number(row["value"])
        if number is None:
            out.add(row.where("value"), f"{row['value']!r} is not a number", "value left out")
    return met, number, note


def _long_year(row: _LongRow, *, out: _Findings) -> int | None:
    if is_missing(row["year"]):
        return None
    number = to_number(row["year"])
    if number is None or not float(number).is_integer():
        out.add(row.where("year"), f"year {row['year']!r} is not a year", "read without a year")
        return None
    return int(number)


def canonical_status(frame: pd.DataFrame) -> pd.DataFrame:
    """A long status table built in code (a scenario's rows) with its ids read as the reader reads them.

    ``criterion`` may carry an indicator (``"2.2"``), ``indicator`` and ``level`` any spelling the
    reader takes (``"TC 2"``, ``"NTM nâng cao"``). What cannot be read is kept as written: the
    criteria engine then reports it ("not in the set", "unknown level") and leaves the row out.
    Tables read from files are already canonical and come back unchanged.

    Parameters
    ----------
    frame : DataFrame
        Long form (:data:`LONG_COLUMNS`); missing columns stay missing.

    Returns
    -------
    DataFrame
        A copy with ``criterion``, ``indicator`` and ``level`` canonical.

    Examples
    --------
    >>> rows = pd.DataFrame({"commune_code": ["07312"], "criterion": ["2.2"], "indicator": [None],
    ...                      "level": ["NTM nâng cao"]})
    >>> canonical_status(rows)[["criterion", "indicator", "level"]].values.tolist()
    [['2', '2.2', 'nang_cao']]
    """
    out = frame.copy()
    if "criterion" in out.columns:
        given = out["indicator"] if "indicator" in out.columns else pd.Series(None, index=out.index)
        ids = [_canonical_ids(c, i) for c, i in zip(out["criterion"], given, strict=True)]
        out["criterion"] = pd.Series([c for c, _ in ids], index=out.index, dtype=object)
        out["indicator"] = pd.Series([i for _, i in ids], index=out.index, dtype=object)
    if "level" in out.columns:
        out["level"] = pd.Series(
            [None if is_missing(v) else parse_level(v) or str(v).strip() for v in out["level"]],
            index=out.index,
            dtype=object,
        )
    return out


def _canonical_ids(criterion: object, indicator: object) -> tuple[object, str | None]:
    if is_missing(criterion):
        return None, None if is_missing(indicator) else str(indicator).strip()
    parsed = parse_criterion_header(criterion)
    criterion, found = parsed if parsed else (str(criterion).strip(), None)
    if not is_missing(indicator):
        parsed_indicator = parse_criterion_header(indicator)
        found = parsed_indicator[1] if parsed_indicator and parsed_indicator[1] else str(indicator).strip()
    return criterion, found


def _empty(unit: Unit) -> pd.DataFrame:
    return _typed([], unit)


def _typed(rows: list[dict[str, Any]], unit: Unit) -> pd.DataFrame:
    columns = LONG_COLUMNS[unit]
    frame = pd.DataFrame(rows, columns=columns)
    for column in (_UNIT_ID[unit], "criterion", "indicator", "level", "note", "cell"):
        frame[column] = pd.Series(
            [None if is_missing(v) else str(v) for v in frame[column]], index=frame.index, dtype=object
        )
    frame["met"] = pd.array(
        [None if v is None or v is pd.NA else bool(v) for v in frame["met"]], dtype="boolean"
    )
    frame["value"] = pd.array([None if is_missing(v) else float(v) for v in frame["value"]], dtype="Float64")
    frame["year"] = pd.array([None if is_missing(v) else int(v) for v in frame["year"]], dtype="Int64")
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Writing back the office form
# --------------------------------------------------------------------------------------------


def long_to_wide(
    long: pd.DataFrame, *, units: pd.DataFrame | None = None, unit: Unit = "commune", lang: str = "vi"
) -> pd.DataFrame:
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
        return row["indicator"] if not is_missing(row["indicator"]) else row["criterion"]

    def text(row: Mapping[str, Any]) -> object:
        if row["met"] is not pd.NA and row["met"] is not None:
            return words[0] if bool(row["met"]) else words[1]
        return None if is_missing(row["value"]) else float(row["value"])

    records = long.to_dict("records")
    cells: dict[str, dict[str, object]] = {}
    for row in records:
        cells.setdefault(str(row[id_column]), {})[key(row)] = text(row)
    order = sorted({key(r) for r in records}, key=criterion_sort_key)
    ids = list(cells) if units is None else [u for u in units[id_column].astype(str) if u in cells]
    frame = pd.DataFrame(
        [{words[2]: i, **{k: cells[i].get(k) for k in order}} for i in ids], columns=[words[2], *order]
    )
    if units is not None:
        names = dict(zip(units[id_column].astype(str), units["name"], strict=False))
        frame.insert(1, words[3], [names.get(i) for i in ids])
    return frame

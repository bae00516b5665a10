"""The wide office form of a status table: one row per unit, one column per criterion.

Read by :func:`ntmgis.io.status.status_from_frame`; see :mod:`ntmgis.io.status` for the cells
and names it takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from ..codes import (
    TOTAL_WORDS,
    criteria_lookup,
    fold_header,
    parse_criterion_header,
    parse_level,
)
from ..values import is_missing
from .cells import cell_address, header_kind, parse_status_cell, row_number, to_number
from .status_units import (
    _LAYER,
    _UNIT_ID,
    StatusRead,
    Unit,
    _empty,
    _Findings,
    _match_units,
    _typed,
)


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

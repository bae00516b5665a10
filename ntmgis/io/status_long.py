"""The long form of a status table (the layer contract): one row per unit and criterion or indicator.

Read by :func:`ntmgis.io.status.status_from_frame`; headers may be the contract's or Vietnamese
(``Mã xã``, ``Tiêu chí``, ``Đạt`` ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..codes import (
    criteria_lookup,
    fold_header,
    parse_criterion_header,
    parse_level,
)
from ..problems import Severity
from ..values import is_missing
from .cells import NAME_HEADERS, cell_address, parse_status_cell, row_number, to_number
from .status_duplicates import unique_verdicts
from .status_units import (
    _LAYER,
    _UNIT_ID,
    StatusRead,
    Unit,
    _empty,
    _Findings,
    _is_year,
    _match_units,
    _typed,
)

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
        out.add("", "status_no_unit_column", "error", column=id_column)
        return StatusRead(_empty(unit), tuple(out.problems), "long")
    by_code = id_column in position
    unit_position = position[id_column] if by_code else position["name"]
    labels, values, addresses = [], [], []
    for label, row in zip(raw.index, raw.itertuples(index=False, name=None), strict=True):
        if is_missing(row[unit_position]):
            out.add(f"cell {cell_address(label, unit_position)}", "status_row_no_unit", row=row_number(label))
            continue
        labels.append(label)
        values.append(row[unit_position])
        addresses.append(cell_address(label, unit_position))
    mapping, found = _match_units(
        labels, values, by_code=by_code, units=units, unit=unit, file=file, addresses=addresses
    )
    out.problems.extend(found)
    rows: list[dict[str, Any]] = []
    silent: dict[bool, list[str]] = {True: [], False: []}  # by: the row has a note saying why
    for label in labels:
        if label in mapping:
            cells = _LongRow(tuple(raw.loc[label].tolist()), label, position)
            said = len(out.problems)
            row = _long_row(cells, lookup, unit=unit, out=out)
            if row is not None:
                rows.append({id_column: mapping[label], **row})
            elif len(out.problems) == said:
                silent[not is_missing(cells["note"])].append(f"row {row_number(label)}")
    # A row naming a unit and saying nothing of it is said, not lost; with a note (the sample's
    # towns: "not assessed against the commune criteria") it is on record, without one it needs a look.
    for noted, where in silent.items():
        if where:
            severity: Severity = "info" if noted else "warning"
            out.add(", ".join(where[:6]), "status_row_no_verdict", severity, count=len(where))
    rows = unique_verdicts(rows, unit=unit, out=out)
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
        out.add(row.where("criterion"), "status_not_criterion", value=repr(criterion_cell))
        return None
    criterion, indicator = parsed
    if not is_missing(indicator_cell):
        parsed_indicator = parse_criterion_header(indicator_cell, lookup)
        if parsed_indicator is None or parsed_indicator[0] != criterion:
            out.add(
                row.where("indicator"),
                "status_not_indicator",
                value=repr(indicator_cell),
                criterion=criterion,
            )
            return None
        indicator = parsed_indicator[1] or indicator
    return criterion, indicator


def _long_level(row: _LongRow, *, out: _Findings) -> str | None:
    if is_missing(row["level"]):
        return None
    level = parse_level(row["level"])
    if level is None:
        out.add(row.where("level"), "status_row_level_unknown", value=repr(row["level"]))
    return level


def _long_verdict(row: _LongRow, *, out: _Findings) -> tuple[bool | None, float | None, str]:
    met, number, note = None, None, ""
    if not is_missing(row["met"]):
        try:
            met, number, note = parse_status_cell(row["met"])
        except ValueError:
            out.add(row.where("met"), "status_cell_unreadable", value=repr(row["met"]))
    if not is_missing(row["value"]):
        number = to_number(row["value"])
        if number is None:
            out.add(row.where("value"), "status_value_not_number", value=repr(row["value"]))
    return met, number, note


def _long_year(row: _LongRow, *, out: _Findings) -> int | None:
    if is_missing(row["year"]):
        return None
    number = to_number(row["year"])
    if not _is_year(number):
        out.add(row.where("year"), "status_year_not_year", value=repr(row["year"]))
        return None
    return int(number)

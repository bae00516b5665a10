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
from ..problems import Problem, Severity
from ..values import is_missing
from ..vocab import label as vocab_label
from .cells import cell_address, header_kind, parse_status_cell, row_number, to_number
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
    level: int | None = None


def level_from_name(name: object) -> str | None:
    """The level a sheet or file name states ("NTM nâng cao", ``nang_cao``, ``NC``), or None.

    Examples
    --------
    >>> level_from_name("NTM nâng cao 2023"), level_from_name("tt_kieu_mau.xlsx"), level_from_name("XA_NC")
    ('nang_cao', 'kieu_mau', 'nang_cao')
    >>> level_from_name("NTM 2023"), level_from_name("Sheet1")
    ('ntm', None)
    """
    if is_missing(name):
        return None
    folded = fold_header(str(name).replace("_", " ").replace("-", " "))
    tokens, padded = folded.split(), f" {folded} "
    if " kieu mau " in padded or {"kieumau", "ntmkm"} & set(tokens):
        return "kieu_mau"
    if " nang cao " in padded or {"nangcao", "nc", "ntmnc"} & set(tokens):
        return "nang_cao"
    return "ntm" if "ntm" in tokens else None


# Where a wide table's level came from -> the problem saying so (and of its rows with a blank level).
_LEVEL_FROM = {
    "key": "problems.status_level_from_key",
    "sheet": "problems.status_level_from_sheet",
    "file": "problems.status_level_from_file",
    "default": "problems.status_level_from_default",
}
_BLANK_FROM = {
    "key": "problems.status_level_blank_from_default",  # not reached: a level key reads no level column
    "sheet": "problems.status_level_blank_from_sheet",
    "file": "problems.status_level_blank_from_file",
    "default": "problems.status_level_blank_from_default",
}


def _level_words(code: str | None) -> str:
    """A level as the Vietnamese programme names it (the same words in both languages' texts)."""
    return vocab_label("ntm_level", code or "ntm", "vi")


def _say_level(
    level: str | None, source: str, *, table: str, out: _Findings, severity: Severity = "info"
) -> None:
    """One problem saying at which level (and from where) a wide table was read."""
    out.problems.append(
        Problem.of(
            _LEVEL_FROM[source],
            file=out.file,
            layer=out.layer,
            severity=severity,
            table=table,
            level=_level_words(level),
        )
    )


def _table_level(
    level: str | None,
    hints: tuple[tuple[str, str], ...],
    *,
    columns: _WideColumns,
    header: list[object],
    out: _Findings,
) -> tuple[str | None, bool, str]:
    """The table's level, whether rows read their own from the level column, and where the level
    (for rows: the level of a blank cell) came from (``key``, ``sheet``, ``file``, ``default``).

    In order: the ``level:`` key, a level column (per row), the sheet or file name, NTM.
    """
    table = out.layer
    if not is_missing(level) and table == _LAYER["village"]:
        return parse_level(level) or str(level).strip(), False, "key"  # model villages: always kiểu mẫu
    if not is_missing(level):
        # Read like a level cell; an unknown word is kept for the engine, which reports it.
        code = parse_level(level) or str(level).strip()
        _say_level(code, "key", table=table, out=out)
        return code, False, "key"
    named = next(((kind, found) for kind, hint in hints if (found := level_from_name(hint))), None)
    if columns.level is not None:
        out.add("", "status_level_column", "info", table=table, column=repr(str(header[columns.level])))
        return (named[1], True, named[0]) if named else (None, True, "default")
    if named is not None:
        _say_level(named[1], named[0], table=table, out=out)
        return named[1], False, named[0]
    _say_level(None, "default", table=table, out=out, severity="warning")
    return None, False, "default"


def _row_levels(
    data: pd.DataFrame,
    labels: list[object],
    columns: _WideColumns,
    given: tuple[str | None, str],
    out: _Findings,
) -> dict[object, str | None]:
    """Each row's level from the level column; blanks take ``given`` (level, where it came from);
    unknown words are kept, reported."""
    assert columns.level is not None
    fallback, source = given
    levels: dict[object, str | None] = {}
    blank, unknown = [], []
    for label in labels:
        cell = data.loc[label].tolist()[columns.level]
        if is_missing(cell):
            levels[label] = fallback
            blank.append(cell_address(label, columns.level))
            continue
        code = parse_level(cell)
        if code is None:
            unknown.append((cell_address(label, columns.level), cell))
        levels[label] = code or str(cell).strip()
    if blank:
        out.problems.append(
            Problem.of(
                _BLANK_FROM[source],
                file=out.file,
                layer=out.layer,
                feature="cells " + ", ".join(blank[:5]),
                count=len(blank),
                level=_level_words(fallback),
            )
        )
    if unknown:
        out.add(
            "cells " + ", ".join(a for a, _ in unknown[:5]),
            "status_level_unknown",
            count=len(unknown),
            value=repr(unknown[0][1]),
        )
    return levels


def _from_wide(
    raw: pd.DataFrame,
    *,
    units: pd.DataFrame,
    unit: Unit,
    file: str,
    year: int | None,
    level: str | None,
    criteria: Any,
    level_hints: tuple[tuple[str, str], ...] = (),
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
    level, per_row, source = _table_level(level, level_hints, columns=columns, header=header, out=out)
    matched = [x for x in labels if x in mapping]
    row_levels = _row_levels(data, matched, columns, (level, source), out) if per_row else {}
    rows: list[dict[str, Any]] = []
    silent: list[str] = []
    for label in matched:
        said, before = len(out.problems), len(rows)
        rows.extend(
            _wide_rows(
                data.loc[label].tolist(),
                label,
                columns,
                roles,
                lookup,
                unit=unit,
                unit_id=mapping[label],
                header=header,
                year=year,
                level=row_levels.get(label, level),
                out=out,
            )
        )
        if len(rows) == before and len(out.problems) == said:
            silent.append(cell_address(label, columns.unit))
    if silent:  # a row naming a unit and saying nothing of it is said, not lost
        out.add(", ".join(silent[:6]), "status_row_no_verdict", count=len(silent))
    rows = unique_verdicts(rows, unit=unit, out=out)
    if year is None and columns.year is None and rows:
        out.add("", "status_wide_no_year")
    return StatusRead(_typed(rows, unit), tuple(out.problems), "wide")


def _wide_rows(
    cells: list[object],
    label: object,
    columns: _WideColumns,
    roles: Mapping[int, Any],
    lookup: Mapping[str, Any],
    *,
    unit: Unit,
    unit_id: str,
    header: list[object],
    year: int | None,
    level: str | None,
    out: _Findings,
) -> list[dict[str, Any]]:
    """The long rows of one wide row (one per verdict cell that says something)."""
    row_year = _wide_year(cells, label, columns, year=year, out=out)
    row_note = (
        "" if columns.note is None or is_missing(cells[columns.note]) else str(cells[columns.note]).strip()
    )
    rows = []
    for position in columns.criteria:
        found = _wide_cell(
            cells[position],
            cell_address(label, position),
            roles[position],
            lookup,
            unit=unit,
            unit_id=unit_id,
            column=header[position],
            out=out,
        )
        if found is not None:
            note = "; ".join(filter(None, [found.pop("note"), row_note])) or None
            rows.append({_UNIT_ID[unit]: unit_id, **found, "level": level, "year": row_year, "note": note})
    return rows


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
            out.problems.append(
                Problem.of(
                    "problems.status_column_total" if summary else "problems.status_column_not_criterion",
                    file=out.file,
                    layer=out.layer,
                    feature=f"cell {get_column_letter(position + 1)}{header_row}",
                    severity="info",
                    column=repr(str(text)),
                )
            )
    return roles


def _wide_columns(
    roles: Mapping[int, Any], *, unit: Unit, header_row: int, out: _Findings
) -> _WideColumns | None:
    """The criterion, unit, note and year columns; None (with an error) when the table is unusable."""
    criterion_positions = [p for p, r in roles.items() if isinstance(r, tuple)]
    if not criterion_positions:
        out.add(f"row {header_row}", "status_no_criterion_columns", "error")
        return None
    id_positions = [p for p, r in roles.items() if r == "code"]
    name_positions = [p for p, r in roles.items() if r == "name"]
    if not id_positions and not name_positions:
        # An unlabelled first text column left of the criteria is the usual place of the name.
        unnamed = [p for p in range(min(criterion_positions)) if roles.get(p) is None]
        name_positions = unnamed[-1:]
    if not id_positions and not name_positions:
        out.add(f"row {header_row}", "status_no_unit_columns", "error")
        return None
    return _WideColumns(
        criteria=criterion_positions,
        unit=(id_positions or name_positions)[0],
        by_code=bool(id_positions),
        note=next((p for p, r in roles.items() if r == "note"), None),
        year=next((p for p, r in roles.items() if r == "year"), None),
        level=next((p for p, r in roles.items() if r == "level"), None),
    )


def _blank(value: object) -> bool:
    return is_missing(value) or (isinstance(value, str) and not value.strip())


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
                    "status_verdicts_no_unit",
                    row=row_number(label),
                )
            elif any(not _blank(v) for v in row):  # a level, a note or a year of no unit
                out.add(
                    f"cell {cell_address(label, columns.unit)}", "status_row_no_unit", row=row_number(label)
                )
            continue
        if fold_header(cell).startswith(TOTAL_WORDS):
            out.add(f"row {row_number(label)}", "status_total_row", "info", value=repr(str(cell)))
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
    if not _is_year(number):
        out.add(
            f"cell {cell_address(label, columns.year)}",
            "status_year_not_year",
            value=repr(cells[columns.year]),
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
    except ValueError:
        out.add(
            f"cell {where} ({unit} {unit_id}, column {str(column)!r})",
            "status_wide_cell_unreadable",
            value=repr(value),
        )
        return None
    if met is None and number is None:
        return None
    if number is not None and indicator is None and lookup and counts.get(criterion, 1) > 1:
        out.add(
            f"cell {where} ({unit} {unit_id})",
            "status_several_indicators",
            value=repr(value),
            criterion=criterion,
        )
        return None
    if note:
        out.problems.append(
            Problem.of(
                "problems.status_remark_met" if met else "problems.status_remark_not_met",
                file=out.file,
                layer=out.layer,
                feature=f"cell {where}",
                severity="info",
                value=repr(value),
                note=repr(note),
            )
        )
    return {
        "criterion": criterion,
        "indicator": indicator,
        "met": met,
        "value": number,
        "note": note,
        "cell": where,
    }

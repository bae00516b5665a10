"""The same verdict given twice in a status table: kept once when it agrees, refused when it does not.

A status table may give one unit's criterion (or indicator) at one level and year more than once:
two rows of a long table, two rows for one commune in the wide office form, or two columns that
name one criterion (``2`` and ``TC 2``). Nothing is picked silently:

- the same verdict (and value) each time: the first is kept, and one ``info`` problem for the
  whole table counts them and names their cells;
- different verdicts: an ``error`` per criterion naming both cells, their sheet rows, both
  verdicts and the fix; none of those rows is used. An error refuses the workspace (the officer
  must say which verdict holds), and a caller of :func:`ntmgis.io.status_from_frame` gets the
  other rows with the error; a table of contradictions only comes back empty.

A row without a year and a row of a year, or rows of two levels, are different verdicts, not
duplicates.

The rule itself, :func:`split_duplicates`, is shared with the recognitions table
(:mod:`ntmgis.io.recognitions`: one decision per commune and level).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..values import is_missing
from .status_units import _UNIT_ID, Unit, _Findings

_ROW = re.compile(r"(\d+)\s*$")


def _verdict(row: Mapping[str, Any]) -> tuple[bool | None, float | None]:
    met = None if row["met"] is None or is_missing(row["met"]) else bool(row["met"])
    value = None if is_missing(row["value"]) else float(row["value"])
    return met, value


def _say(verdict: tuple[bool | None, float | None]) -> str:
    """``Đạt``, ``Chưa đạt``, ``80`` or ``Đạt (80)``: a verdict as the sheet writes it.

    >>> _say((True, None)), _say((None, 80.0)), _say((False, 64.5))
    ('Đạt', '80', 'Chưa đạt (64.5)')
    """
    met, value = verdict
    number = "" if value is None or math.isnan(value) else f"{value:g}"
    if met is None:
        return number
    word = "Đạt" if met else "Chưa đạt"
    return f"{word} ({number})" if number else word


def _sheet_row(cell: object) -> int:
    found = _ROW.search(str(cell))
    return int(found.group(1)) if found else 0


@dataclass(frozen=True)
class Duplicates:
    """The rows of a table grouped by what they are about, told apart by what they say.

    Attributes
    ----------
    kept : list of int
        Positions of the rows to use: every row given once, the first of rows that agree.
    same : list of list of int
        Each group of rows that say the same thing (positions, first kept).
    differ : list of tuple of (list of int, int)
        Each group of rows that say different things, with the position of the first row that
        differs from the group's first; none of them is kept.
    """

    kept: list[int]
    same: list[list[int]]
    differ: list[tuple[list[int], int]]


def split_duplicates(
    rows: Sequence[Mapping[str, Any]],
    *,
    key: Callable[[Mapping[str, Any]], Hashable],
    verdict: Callable[[Mapping[str, Any]], Hashable],
) -> Duplicates:
    """Rows with the same ``key`` kept once when their ``verdict`` agrees, all left out when not.

    The one rule of every table where a row states a fact about something (a commune's criterion
    at a level in a year, a commune's recognition at a level): the same fact twice is harmless,
    two different facts are a contradiction nobody may resolve by picking one.

    Examples
    --------
    >>> rows = [{"id": "a", "v": 1}, {"id": "a", "v": 1}, {"id": "b", "v": 1}, {"id": "b", "v": 2}]
    >>> split_duplicates(rows, key=lambda r: r["id"], verdict=lambda r: r["v"])
    Duplicates(kept=[0], same=[[0, 1]], differ=[([2, 3], 3)])
    """
    groups: dict[Hashable, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(key(row), []).append(index)
    dropped: set[int] = set()
    same: list[list[int]] = []
    differ: list[tuple[list[int], int]] = []
    for members in groups.values():
        if len(members) == 1:
            continue
        first = verdict(rows[members[0]])
        other = next((i for i in members[1:] if verdict(rows[i]) != first), None)
        if other is None:
            same.append(members)
            dropped.update(members[1:])
        else:
            differ.append((members, other))
            dropped.update(members)
    return Duplicates([i for i in range(len(rows)) if i not in dropped], same, differ)


def same_text(value: object) -> str | None:
    """An id or a word as compared for duplicates: case and spaces do not make it another one.

    >>> same_text(" 07312 "), same_text("QĐ  12/QĐ-ubnd"), same_text(None)
    ('07312', 'qđ 12/qđ-ubnd', None)
    """
    return None if is_missing(value) else " ".join(str(value).split()).casefold()


def unique_verdicts(rows: list[dict[str, Any]], *, unit: Unit, out: _Findings) -> list[dict[str, Any]]:
    """``rows`` with each (unit, criterion, indicator, level, year) once; duplicates reported in ``out``.

    Examples
    --------
    >>> out = _Findings("s.csv", "commune_status")
    >>> row = {"commune_code": "07312", "criterion": "1", "indicator": None, "level": None,
    ...        "year": 2023, "met": True, "value": None}
    >>> kept = unique_verdicts([{**row, "cell": "row 2"}, {**row, "cell": "row 3"}], unit="commune", out=out)
    >>> len(kept), out.problems[0].severity, out.problems[0].feature
    (1, 'info', 'row 2, row 3')
    >>> kept = unique_verdicts([{**row, "cell": "row 2"}, {**row, "met": False, "cell": "row 5"}],
    ...                        unit="commune", out=out)
    >>> kept, out.problems[-1].severity, out.problems[-1].problem
    ([], 'error', '07312, criterion 1: two different verdicts, Đạt in row 2 and Chưa đạt in row 5')
    """
    id_column = _UNIT_ID[unit]

    def key(row: Mapping[str, Any]) -> Hashable:
        level = row.get("level") or ("ntm" if unit == "commune" else None)
        return (same_text(row[id_column]), row["criterion"], row.get("indicator"), level, row.get("year"))

    found = split_duplicates(rows, key=key, verdict=_verdict)
    for members, other in found.differ:
        _contradiction(rows[members[0]], rows[other], [rows[i]["cell"] for i in members], unit, out)
    if found.same:
        cells = [str(rows[i]["cell"]) for members in found.same for i in members]
        example = rows[found.same[0][0]]
        out.add(
            ", ".join(cells[:6]),
            "status_duplicate_same",
            "info",
            count=len(found.same),
            unit_id=str(example[id_column]),
            what=str(example.get("indicator") or example["criterion"]),
        )
    return [rows[i] for i in found.kept]


def _contradiction(
    first: dict[str, Any], second: dict[str, Any], cells: list[object], unit: Unit, out: _Findings
) -> None:
    out.add(
        ", ".join(str(c) for c in cells[:6]),
        "status_duplicate_contradicts",
        "error",
        unit_id=str(first[_UNIT_ID[unit]]),
        what=str(first.get("indicator") or first["criterion"]),
        first=_say(_verdict(first)),
        first_row=_sheet_row(first["cell"]),
        second=_say(_verdict(second)),
        second_row=_sheet_row(second["cell"]),
    )

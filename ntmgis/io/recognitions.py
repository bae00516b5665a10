"""The recognitions table (quyết định công nhận): one decision per commune and level, never two.

A commune is recognised at a level (NTM, NTM nâng cao, NTM kiểu mẫu) once, by one decision of
one year. A table that gives a commune's level twice is checked with the rules of the status
tables (:func:`ntmgis.io.status_duplicates.split_duplicates`), after the table's values are read
(codes with their leading zero, levels as codes), and with ids and decision numbers compared
without their case or spaces (``" 07312"`` and ``"07312"``, ``"QĐ 12"`` and ``"qđ  12"``):

- the same year (and decision) twice: the first row is kept, and one ``info`` problem for the
  table counts the duplicates and names their rows;
- two years, or two decisions: an ``error`` per commune and level naming both rows and both
  decisions; neither row is used, and the workspace is refused. Without the check the earliest
  year would win silently (:func:`ntmgis.criteria.recognised_levels`), and the closing account
  would count the commune in a year the officer may not have meant.

A commune at two levels (NTM in 2016, nâng cao in 2022) is two decisions, not a duplicate.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import pandas as pd

from ..problems import Problem
from ..values import is_missing
from .cells import row_number
from .status_duplicates import same_text, split_duplicates

__all__ = ["unique_recognitions"]


def _key(row: Mapping[str, Any]) -> Hashable:
    return same_text(row["commune_code"]), same_text(row["level"])


def _decision(row: Mapping[str, Any]) -> Hashable:
    year = None if is_missing(row["year"]) else int(row["year"])
    return year, same_text(row.get("decision"))


def _say(row: Mapping[str, Any]) -> str:
    """``2016`` or ``2016 (QĐ 12/QĐ-UBND)``: a decision as the table writes it."""
    year = "" if is_missing(row["year"]) else str(int(row["year"]))
    decision = row.get("decision")
    return f"{year} ({str(decision).strip()})" if not is_missing(decision) and year else year or str(decision)


def unique_recognitions(frame: pd.DataFrame, *, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with each (commune, level) once, and the problems of its duplicate rows.

    Parameters
    ----------
    frame : DataFrame
        The ``recognitions`` table as validated (``commune_code``, ``level``, ``year``, optional
        ``decision``), its index the row labels of the file as read (row label 0 is sheet row 2).
    file : str
        The table's file, for the problems.

    Returns
    -------
    DataFrame, list of Problem
        The rows kept (index unchanged) and one problem per contradiction (``error``) plus one
        for all the identical duplicates (``info``).

    Examples
    --------
    >>> table = pd.DataFrame({"commune_code": ["07312", "07312", "07315", "07315 "],
    ...                       "level": ["ntm", "ntm", "ntm", "NTM"], "year": [2016, 2016, 2018, 2019]})
    >>> kept, problems = unique_recognitions(table, file="r.csv")
    >>> kept.index.tolist(), [(p.severity, p.feature) for p in problems]
    ([0], [('error', 'row 4, row 5'), ('info', 'row 2, row 3')])
    >>> problems[0].problem
    '07315, NTM: recognised twice differently, 2018 in row 4 and 2019 in row 5'
    """
    if frame.empty or not {"commune_code", "level", "year"} <= set(frame.columns):
        return frame, []
    rows = frame.to_dict("records")
    sheet_rows = [row_number(label) for label in frame.index]
    found = split_duplicates(rows, key=_key, verdict=_decision)
    problems: list[Problem] = []
    for members, other in found.differ:
        first = rows[members[0]]
        problems.append(
            Problem.of(
                "problems.recognition_duplicate_contradicts",
                file=file,
                layer="recognitions",
                feature=", ".join(f"row {sheet_rows[i]}" for i in members[:6]),
                severity="error",
                commune_code=str(first["commune_code"]).strip(),
                level=str(first["level"]).strip(),
                first=_say(first),
                first_row=sheet_rows[members[0]],
                second=_say(rows[other]),
                second_row=sheet_rows[other],
            )
        )
    if found.same:
        example = rows[found.same[0][0]]
        shown = [f"row {sheet_rows[i]}" for members in found.same for i in members]
        problems.append(
            Problem.of(
                "problems.recognition_duplicate_same",
                file=file,
                layer="recognitions",
                feature=", ".join(shown[:6]) + (", …" if len(shown) > 6 else ""),
                severity="info",
                count=len(found.same),
                commune_code=str(example["commune_code"]).strip(),
                level=str(example["level"]).strip(),
            )
        )
    return frame.iloc[found.kept], problems

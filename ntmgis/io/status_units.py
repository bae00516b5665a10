"""The units of a status table: the long columns, the result of a read, and matching rows to units.

Shared by the long-form (:mod:`ntmgis.io.status_long`) and wide-form
(:mod:`ntmgis.io.status_wide`) readers; the public names are re-exported by
:mod:`ntmgis.io.status`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard

import numpy as np
import pandas as pd

from ..names import match_names, normalize_text
from ..problems import ParamValue, Problem, Severity
from ..values import is_missing
from .cells import row_number

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


@dataclass
class _Findings:
    """The problems of one table, with its file and layer filled in."""

    file: str
    layer: str
    problems: list[Problem] = field(default_factory=list)

    def add(
        self, feature: str, name: str, severity: Severity = "warning", count: int = 1, **params: ParamValue
    ) -> None:
        """Add the problem ``problems.<name>`` of the catalogue with its ``params``."""
        self.problems.append(
            Problem.of(
                f"problems.{name}",
                file=self.file,
                layer=self.layer,
                feature=feature,
                severity=severity,
                count=count,
                **params,
            )
        )


# A name-match problem of a status row that is then left out says so (the same words, and the row).
_ROW_LEFT_OUT = {
    "problems.name_ambiguous": "problems.name_ambiguous_row",
    "problems.name_missing": "problems.name_missing_row",
    "problems.name_unmatched": "problems.name_unmatched_row",
}
_NO_UNIT = {"commune": "problems.code_no_commune", "village": "problems.code_no_village"}
_NO_ROW = {"commune": "problems.commune_no_row", "village": "problems.village_no_row"}


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
                    Problem.of(
                        "problems.code_leading_zero",
                        file=file,
                        layer=layer,
                        feature=f"cell {where}",
                        severity="info",
                        code=repr(value),
                        read=repr(code.zfill(5)),
                    )
                )
                code = code.zfill(5)
            if code in known:
                mapping[label] = code
            else:
                problems.append(
                    Problem.of(
                        _NO_UNIT[unit],
                        file=file,
                        layer=layer,
                        feature=f"cell {where}",
                        code=repr(value),
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
            problems.append(
                Problem.from_params(
                    _ROW_LEFT_OUT[problem.key],
                    problem.params,
                    file=problem.file,
                    layer=problem.layer,
                    feature=problem.feature,
                    severity=problem.severity,
                )
                if problem.key in _ROW_LEFT_OUT and problem.action.startswith("not joined")
                else problem
            )
    for row in matched.unmatched_right.itertuples(index=False):
        problems.append(
            Problem.of(
                _NO_ROW[unit],
                file=file,
                layer=layer,
                feature=f"{unit} {row.right_index}",
                name=repr(row.right_value),
            )
        )
    return mapping, problems


def _is_year(number: float | None) -> TypeGuard[float]:
    """A whole number a status year can be (1900 … 2200; a huge number is no year, and no int64).

    >>> _is_year(2023.0), _is_year(2023.5), _is_year(1.8e19), _is_year(None)
    (True, False, False, False)
    """
    return number is not None and float(number).is_integer() and 1900 <= number <= 2200


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

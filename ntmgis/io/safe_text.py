"""Text written to a workbook or CSV stays text: never a formula, never a character Excel refuses.

Data (commune names, messages, operator words such as ``==``) is written by every writer through
these functions, the one rule of the OWASP "CSV injection" advice:

- **XLSX**: a text cell is a string cell (:func:`set_cell`), whatever it starts with, so
  ``=HYPERLINK(...)`` is shown as written and never evaluated; characters the XLSX format cannot
  hold (C0 controls other than tab, LF, CR) are replaced by a space (:func:`safe_cell`).
- **CSV**: a text value starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets a leading single
  quote (:func:`safe_csv_value`), which a spreadsheet shows as text and does not evaluate. Numbers
  are never quoted, neither numeric values nor text that is a plain number (``-3.5``): those cannot
  be formulas and a reader parses them back as numbers. The quote is visible to a program reading
  the CSV; the XLSX holds the exact text.

Attribute text with control characters is repaired where it is read
(:func:`strip_control_characters`, one warning per column), so the report says what changed.
"""

from __future__ import annotations

import re

import pandas as pd
from openpyxl.cell.cell import Cell

from ..problems import Problem
from .encodings import text_matches

__all__ = [
    "FORMULA_STARTS",
    "safe_cell",
    "safe_cells",
    "safe_csv_frame",
    "safe_csv_value",
    "set_cell",
    "strip_control_characters",
]

#: First characters that make a spreadsheet read a CSV value as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The characters openpyxl refuses (IllegalCharacterError): C0 controls but tab, LF and CR.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """The value a workbook cell holds: None when missing, Python scalars, text without illegal characters.

    Write it with :func:`set_cell`, which also keeps text from being read as a formula.

    Examples
    --------
    >>> safe_cell("a\\x07b"), safe_cell(float("nan")), safe_cell("=1+1")
    ('a b', None, '=1+1')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, str):
        return _ILLEGAL.sub(" ", value)
    if hasattr(value, "item"):  # numpy scalars
        return safe_cell(value.item())
    return value


def safe_cells(values: list[object]) -> list[object]:
    """:func:`safe_cell` of each value, a column at a time: its text is searched once, not per value.

    Examples
    --------
    >>> safe_cells(["a\x07b", float("nan"), "An", 3])
    ['a b', None, 'An', 3]
    """
    text = [v for v in values if type(v) is str]
    if _ILLEGAL.search("\n".join(text)) is not None:
        return [safe_cell(v) for v in values]
    if len(text) == len(values):
        return list(values)
    return [v if type(v) is str else safe_cell(v) for v in values]


def set_cell(cell: Cell, value: object) -> Cell:
    """Put ``value`` in an openpyxl cell (also a write-only cell), text always as a string cell.

    openpyxl makes any text starting with ``=`` a formula and ``#N/A`` an error; this keeps it text.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> cell = set_cell(Workbook().active["A1"], '=HYPERLINK("http://x","y")')
    >>> cell.data_type, cell.value
    ('s', '=HYPERLINK("http://x","y")')
    """
    cell.value = safe_cell(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def safe_csv_value(value: object) -> object:
    """A CSV value a spreadsheet will not evaluate: formula-like text gets a leading ``'``.

    Examples
    --------
    >>> safe_csv_value("=cmd|' /C calc'!A0"), safe_csv_value("-3.5"), safe_csv_value(-3.5)
    ("'=cmd|' /C calc'!A0", '-3.5', -3.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text values and headers are safe to write to CSV (:func:`safe_csv_value`).

    Examples
    --------
    >>> safe_csv_frame(pd.DataFrame({"name": ["=1+2", "An"], "km": [-1.5, 2.0]})).to_dict("list")
    {'name': ["'=1+2", 'An'], 'km': [-1.5, 2.0]}
    """
    out = frame.copy()
    out.columns = [safe_csv_value(c) for c in frame.columns]
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            # A column of plain text only, none formula-like, is kept as it is (what the map gives);
            # any other is mapped (``map`` also infers a mixed column's type: ``[None, 0]`` → 0.0).
            values = series.tolist()
            if sum(type(v) is str for v in values) < len(values) or any(
                v.startswith(FORMULA_STARTS) for v in values
            ):
                out.isetitem(position, series.map(safe_csv_value).astype(series.dtype))
    return out


def strip_control_characters(
    frame: pd.DataFrame, *, file: str, layer: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Replace control characters (not tab, LF, CR) in text columns by a space; one warning per column.

    A workbook cannot hold them, and they are never meant in a name.

    Examples
    --------
    >>> fixed, problems = strip_control_characters(
    ...     pd.DataFrame({"name": ["Ngọc\\x00Thiện", "An"]}), file="x.csv", layer="communes"
    ... )
    >>> fixed["name"].tolist(), len(problems)
    (['Ngọc Thiện', 'An'], 1)
    """
    problems: list[Problem] = []
    out = frame
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if series.dtype != object and not pd.api.types.is_string_dtype(series.dtype):
            continue
        # One vectorised match a column (Arrow's RE2 on string columns); Python only where found.
        bad = text_matches(series, _ILLEGAL.pattern)
        if not bad.any():
            continue
        if out is frame:
            out = frame.copy()
        out.isetitem(position, series.map(lambda v: _ILLEGAL.sub(" ", v) if isinstance(v, str) else v))
        examples = ", ".join(repr(v) for v in series[bad].head(3).tolist())
        problems.append(
            Problem.of(
                "problems.control_characters",
                file=file,
                layer=layer,
                feature=str(frame.columns[position]),
                values=int(bad.sum()),
                examples=examples,
            )
        )
    return out, problems

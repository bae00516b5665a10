"""Cells and headers of office status sheets: verdict words, numbers, remarks, addresses.

The vocabulary district offices use in their spreadsheets ("Đạt", "x", "✓", "Chưa đạt", "64 %",
"Đạt (2022)", "Mã xã", "Tên xã", "Ghi chú"), read by :mod:`ntmgis.io.status`.
"""

from __future__ import annotations

import math
import re

import numpy as np
from openpyxl.utils import get_column_letter

from ..codes import fold_header
from ..names import name_key, normalize_text
from ..values import is_missing, parse_bool

__all__ = ["NAME_HEADERS", "cell_address", "header_kind", "parse_status_cell", "row_number", "to_number"]

# Header words, compared after folding accents and case (see fold_header).
_CODE_HEADERS = {
    "commune_code",
    "ma xa",
    "ma",
    "ma dvhc",
    "ma don vi",
    "code",
    "gso",
    "ma gso",
    "ma so",
    "village_id",
    "ma thon",
    "id",
}
NAME_HEADERS = {
    "name",
    "ten",
    "ten xa",
    "xa",
    "ten don vi",
    "don vi",
    "xa thi tran",
    "ten xa thi tran",
    "commune",
    "ten thon",
    "thon",
    "village",
    "thon to dan pho",
    "ten thon to dan pho",
    "don vi hanh chinh",
}
_ROW_NUMBER_HEADERS = {"stt", "tt", "so tt", "no", "so thu tu"}
_NOTE_HEADERS = {"ghi chu", "note", "notes"}
_YEAR_HEADERS = {"nam", "year", "nam danh gia"}
_LEVEL_HEADERS = {"level", "muc", "cap do", "muc dat"}
# Cells that mean "nothing reported" in office sheets.
_BLANK_CELLS = {"-", "–", "—", "/", "…", "..."}
# "Đ" is the one-letter Đạt of office sheets (and of ntmgis reports); "✗" is already in parse_bool.
_EXTRA_TRUE = {"d"}

_REMARK = re.compile(r"\s*[(\[:;,]|\s+[-–]\s+")
_NUMBER = re.compile(r"^[-+]?\d+(?:[.,]\d+)?\s*%?$")


def to_number(value: object) -> float | None:
    """A number from a cell (``64``, ``"64,5 %"``); None for yes/no and text.

    Examples
    --------
    >>> to_number("64,5 %"), to_number(True), to_number("Đạt")
    (64.5, None, None)
    """
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
        (yes/no words are read by :func:`ntmgis.values.parse_bool`).
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
    if is_missing(value):
        return None, None, ""
    text = normalize_text(str(value)) if isinstance(value, str) else value
    if isinstance(text, str) and text in _BLANK_CELLS:
        return None, None, ""
    if numeric:
        number = to_number(text)
        if number is not None:
            return None, number, ""
    met = _verdict(text)
    if met is not None:
        return met, None, ""
    number = to_number(text)
    if number is not None:
        return None, number, ""
    if isinstance(text, str):
        # "Đạt (2022)", "Chưa đạt - đang hoàn thiện": a verdict with a remark.
        found = _REMARK.search(text)
        if found and found.start() > 0:
            remark = text[found.start() :].strip()
            if not remark.startswith(("(", "[")):
                remark = remark.lstrip(":;,-– ").strip()
            met = _verdict(text[: found.start()])
            if met is not None:
                return met, None, remark
    raise ValueError(f"cannot read {value!r} as Đạt / Chưa đạt or a number")


def cell_address(row_label: object, position: int) -> str:
    """Spreadsheet address of a cell of a frame read with its header on sheet row 1."""
    row = int(row_label) + 2 if isinstance(row_label, (int, np.integer)) else 0
    return f"{get_column_letter(position + 1)}{row}" if row else get_column_letter(position + 1)


def row_number(row_label: object) -> int:
    """1-based sheet row of a frame row read with its header on sheet row 1 (0 when unknown)."""
    return int(row_label) + 2 if isinstance(row_label, (int, np.integer)) else 0


def header_kind(text: object) -> str | None:
    """``code``, ``name``, ``row_number``, ``note``, ``year`` or ``level`` of a non-criterion header.

    Examples
    --------
    >>> header_kind("Mã xã"), header_kind("Tên xã"), header_kind("Ghi chú"), header_kind("2")
    ('code', 'name', 'note', None)
    """
    folded = fold_header(text)
    if folded in _CODE_HEADERS:
        return "code"
    if folded in NAME_HEADERS:
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

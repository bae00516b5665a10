"""Cell values as offices write them: the one test of "missing" and the one reading of yes/no.

Examples
--------
>>> from ntmgis.values import is_missing
>>> [is_missing(v) for v in (None, float("nan"), "  ", 0, "Đạt")]
[True, True, True, False, False]
>>> parse_bool("Chưa đạt")
False
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .names import name_key

__all__ = ["is_missing", "parse_bool"]

# Spellings of a yes/no cell seen in office spreadsheets, keyed by their folded form.
_TRUE_WORDS = {"true", "1", "yes", "y", "x", "co", "dat", "d", "✓", "✔", "v", "ok"}
_BLANK_WORDS = {"-", "–", "—"}
_FALSE_WORDS = {"false", "0", "no", "n", "khong", "chua dat", "chua", "khong dat", "✗", "✘"}


def is_missing(value: object) -> bool:
    """True for ``None``, NaN, ``pd.NA``, ``NaT`` and blank (whitespace-only) text.

    Array-like values are never missing as a whole (``pd.isna`` would answer element-wise).
    """
    if isinstance(value, str):
        return not value.strip()
    if value is None or value is pd.NA:
        return True
    if pd.api.types.is_list_like(value):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def parse_bool(value: object) -> bool | None:
    """Read a yes/no cell (``True``, ``1``, ``"x"``, ``"Đạt"``, ``"✓"``, ``"Chưa đạt"``...).

    Returns ``None`` for blanks and raises ``ValueError`` for anything unreadable.

    Examples
    --------
    >>> [parse_bool(v) for v in ("Đạt", "x", 1, "Chưa đạt", "không", "  ", None)]
    [True, True, True, False, False, None, None]
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    ValueError: cannot read 'maybe' as yes/no
    """
    if not isinstance(value, str) and is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer, float, np.floating)) and value in (0, 1):
        return bool(value)
    text = str(value).strip()
    if not text or text in _BLANK_WORDS:
        return None
    key = name_key(text) or text.casefold()
    if key in _TRUE_WORDS or text in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS or text in _FALSE_WORDS:
        return False
    raise ValueError(f"cannot read {value!r} as yes/no")

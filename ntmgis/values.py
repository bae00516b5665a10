"""Cell values as offices write them: the one test of "missing" every stage uses.

Examples
--------
>>> from ntmgis.values import is_missing
>>> [is_missing(v) for v in (None, float("nan"), "  ", 0, "Đạt")]
[True, True, True, False, False]
"""

from __future__ import annotations

import pandas as pd

__all__ = ["is_missing"]


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

"""Officially recognised NTM levels (quyết định công nhận), as of a year."""

from __future__ import annotations

import pandas as pd

from ..codes import level_rank

__all__ = ["recognised_levels"]


def recognised_levels(
    communes: pd.DataFrame, recognitions: pd.DataFrame | None, *, as_of: int | None = None
) -> pd.DataFrame:
    """The highest level each commune was recognised at, up to and including year ``as_of``.

    Parameters
    ----------
    communes : DataFrame
        With ``commune_code``; every commune gets a row, in the same order.
    recognitions : DataFrame or None
        The ``recognitions`` table (``commune_code``, ``level``, ``year``). ``None`` means no
        record: every commune is then "not assessed" (missing level), never "not NTM". Rows
        without a year are not counted; a level the vocabulary does not know ranks below all.
    as_of : int, optional
        Last year counted; all years when None.

    Returns
    -------
    DataFrame
        ``commune_code``, ``ntm_level`` (vocabulary ``ntm_level`` code or missing) and
        ``recognised_year``, aligned to ``communes``. Of several decisions the highest level
        counts, and of several at that level the earliest (the year the commune got there).

    Examples
    --------
    >>> communes = pd.DataFrame({"commune_code": ["A", "B", "C"]})
    >>> decisions = pd.DataFrame({"commune_code": ["A", "A", "A", "B"],
    ...                           "level": ["ntm", "nang_cao", "nang_cao", "ntm"],
    ...                           "year": [2015, 2022, 2021, 2018]})
    >>> recognised_levels(communes, decisions, as_of=2023).values.tolist()
    [['A', 'nang_cao', 2021], ['B', 'ntm', 2018], ['C', None, <NA>]]
    """
    codes = communes["commune_code"].astype(str)
    out = pd.DataFrame({"commune_code": communes["commune_code"].to_numpy()}, index=communes.index)
    records = (
        pd.DataFrame(columns=["commune_code", "level", "year"])
        if recognitions is None
        else pd.DataFrame(
            {
                "commune_code": recognitions["commune_code"].astype(str),
                "level": recognitions["level"].astype(str),
                "year": pd.to_numeric(recognitions["year"], errors="coerce"),
            }
        )
    )
    records = records[records["year"].notna()]
    if as_of is not None:
        records = records[records["year"] <= as_of]
    records = records.assign(_rank=-records["level"].map(level_rank))
    # Highest rank first, then the earliest year; among equal decisions the first row counts.
    best = (
        records.sort_values(["_rank", "year"], kind="stable")
        .drop_duplicates("commune_code")
        .set_index("commune_code")
    )
    levels = codes.map(best["level"])
    out["ntm_level"] = pd.Series([None if pd.isna(v) else v for v in levels], index=out.index, dtype=object)
    out["recognised_year"] = pd.array(
        [None if pd.isna(v) else int(v) for v in codes.map(best["year"])], dtype="Int64"
    )
    return out

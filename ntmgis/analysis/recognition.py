"""Officially recognised NTM levels (quyết định công nhận), as of a year."""

from __future__ import annotations

import pandas as pd

from ..vocab import vocabulary

__all__ = ["recognised_levels"]


def recognised_levels(communes: pd.DataFrame, recognitions: pd.DataFrame | None, *,
                      as_of: int | None = None) -> pd.DataFrame:
    """The highest level each commune was recognised at, up to and including year ``as_of``.

    Parameters
    ----------
    communes : DataFrame
        With ``commune_code``; every commune gets a row, in the same order.
    recognitions : DataFrame or None
        The ``recognitions`` table (``commune_code``, ``level``, ``year``). ``None`` means no
        record: every commune is then "not assessed" (missing level), never "not NTM".
    as_of : int, optional
        Last year counted; all years when None.

    Returns
    -------
    DataFrame
        ``commune_code``, ``ntm_level`` (vocabulary ``ntm_level`` code or missing) and
        ``recognised_year`` (year of that level's decision), aligned to ``communes``.
    """
    rank = {code: entry["rank"] for code, entry in vocabulary()["ntm_level"].items()}
    out = pd.DataFrame({"commune_code": communes["commune_code"].to_numpy()}, index=communes.index)
    if recognitions is None or recognitions.empty:
        out["ntm_level"] = pd.Series([None] * len(out), index=out.index, dtype=object)
        out["recognised_year"] = pd.array([None] * len(out), dtype="Int64")
        return out
    records = recognitions[["commune_code", "level", "year"]].copy()
    if as_of is not None:
        records = records[records["year"].fillna(0) <= as_of]
    records["_rank"] = records["level"].map(rank)
    best = (records.sort_values(["commune_code", "_rank", "year"], kind="stable")
            .groupby("commune_code", sort=False).tail(1).set_index("commune_code"))
    out["ntm_level"] = out["commune_code"].map(best["level"]).astype(object)
    out["ntm_level"] = out["ntm_level"].where(out["ntm_level"].notna(), None)
    out["recognised_year"] = out["commune_code"].map(best["year"]).astype("Int64")
    return out

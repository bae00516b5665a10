"""The plan year by year: which milestone each commune and village has due, and whether it was reached.

This is the table behind the map's year control (and any year-by-year view): one row per unit and
plan year. It reads the plan's schedules and the evaluation's summaries; the map only looks it up.

Status codes (communes): ``achieved`` (the last milestone due by that year was reached by then),
``due`` (due and not reached, in a year after the assessment: it can still be), ``late`` (due by a
year up to the assessment and not reached), ``planned_later`` (the first milestone falls after
that year), ``maintain`` (the plan names no nâng cao / kiểu mẫu milestone: keep NTM).
Villages: the same, with ``not_scheduled`` for villages without a model-village year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from ..plan import Plan
from ..values import is_missing
from .progress import achieved_years
from .summary import plan_milestones

__all__ = ["MILESTONE_COLUMNS", "SCHEDULE_COLUMNS", "milestone_table", "schedule_table"]

MILESTONE_COLUMNS = ["commune_code", "level", "year"]
SCHEDULE_COLUMNS = ["unit_type", "unit_code", "year", "status"]


def milestone_table(plan: Plan | None) -> pd.DataFrame:
    """The plan's nâng cao and kiểu mẫu milestones, one row per (commune, level), by year.

    Communes the schedules do not name have no row (their milestone is to keep NTM); without a
    plan the table is empty.

    Returns
    -------
    DataFrame
        ``commune_code, level, year``, sorted by commune, then year, then level rank.
    """
    rows = [(code, level, year) for code, found in plan_milestones(plan).items() for level, year in found]
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS).astype({"year": int})


def _commune_status(
    milestones: Sequence[tuple[str, int]],
    achieved: Mapping[tuple[str, str], int],
    code: str,
    year: int,
    assessed_in: int,
) -> str:
    if not milestones:
        return "maintain"
    due = [m for m in milestones if m[1] <= year]
    if not due:
        return "planned_later"
    when = achieved.get((code, due[-1][0]))
    if when is not None and when <= year:
        return "achieved"
    return "late" if year <= assessed_in else "due"


def _int(value: object) -> int | None:
    return None if is_missing(value) else int(value)  # type: ignore[call-overload]


def _village_status(row: Mapping[str, Any], year: int, assessed_in: int) -> str:
    achieved = _int(row.get("achieved_year"))
    if achieved is None and row.get("status") == "met":
        achieved = assessed_in
    target = _int(row.get("target_year"))
    if achieved is not None and achieved <= year:
        return "achieved"
    if target is None:
        return "not_scheduled"
    if target > year:
        return "planned_later"
    return "late" if year <= assessed_in else "due"


def schedule_table(
    communes: pd.DataFrame,
    villages: pd.DataFrame | None,
    milestones: pd.DataFrame,
    *,
    years: Iterable[int],
    year: int,
    recognitions: pd.DataFrame | None = None,
    commune_codes: Iterable[str] | None = None,
    village_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Status of every commune and village in every plan year.

    Parameters
    ----------
    communes : DataFrame
        The commune summary (``commune_code, assessed, highest_level``).
    villages : DataFrame or None
        The village summary (``village_id, status, achieved_year, target_year``).
    milestones : DataFrame
        :func:`milestone_table`.
    years : iterable of int
        The plan years.
    year : int
        The assessment year: a milestone due by then and not reached is ``late``, one due later
        and not reached is ``due``.
    recognitions : DataFrame, optional
        Official decisions (``commune_code, level, year``): a commune counts from its decision year.
    commune_codes, village_ids : iterable of str, optional
        Units to list (default those of the summaries), e.g. every feature of the layers.

    Returns
    -------
    DataFrame
        ``unit_type`` (``commune`` / ``village``), ``unit_code``, ``year``, ``status``.
    """
    years = list(years)
    achieved = achieved_years(communes, recognitions, year=year)
    by_commune: dict[str, list[tuple[str, int]]] = {}
    for r in milestones.itertuples():
        by_commune.setdefault(str(r.commune_code), []).append((str(r.level), int(r.year)))
    codes = [str(c) for c in (communes["commune_code"] if commune_codes is None else commune_codes)]
    rows = [
        ("commune", c, y, _commune_status(by_commune.get(c, []), achieved, c, y, year))
        for c in codes
        for y in years
    ]
    if villages is not None:
        summary = {str(r["village_id"]): r for r in villages.to_dict("records")}
        ids = list(summary) if village_ids is None else [str(v) for v in village_ids]
        rows += [("village", v, y, _village_status(summary.get(v, {}), y, year)) for v in ids for y in years]
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)

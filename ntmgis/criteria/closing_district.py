"""The district side of the closing account (:mod:`ntmgis.criteria.closing`): the plan's targets
per year and in total beside what the workspace's tables show.

Counts come from the first recognition of each unit (``recognitions`` for communes, the
``thon_kieu_mau`` rows of ``village_status`` for villages); the canal share and the VietGAP area
from the measured layers (via the sector targets); the markets from the markets layer. A value
whose table is absent is missing, with ``missing_table`` naming the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from ..codes import MET
from ..plan import Plan
from ..values import is_missing

__all__ = [
    "CLOSING_DISTRICT_COLUMNS",
    "MEASURE_TABLES",
    "VILLAGE_RECOGNITION",
    "counted_year",
    "district_rows",
    "schedules",
]

#: The ``village_status`` criterion that records a whole village as a model village.
VILLAGE_RECOGNITION = "thon_kieu_mau"

#: The workspace table (or layer) each district measure's achieved value comes from. The budget
#: has none: ntmgis reads no disbursement table, so its achieved side is always "no data".
MEASURE_TABLES: Mapping[str, str] = {
    "nang_cao_communes": "recognitions",
    "kieu_mau_communes": "recognitions",
    "ntm_communes": "recognitions",
    "model_villages": "village_status",
    "canals_lined_share": "canals",
    "vietgap_concentrated_zone_ha": "production_zones",
    "markets_upgraded": "markets",
    "budget_total": "disbursement",
}

CLOSING_DISTRICT_COLUMNS = [
    "as_of",
    "measure",
    "plan_year",
    "section",
    "op",
    "planned",
    "planned_high",
    "unit",
    "achieved",
    "achieved_scheduled",
    "status",
    "value_source",
    "missing_table",
    "measured_year",
]


def counted_year(when: date) -> int:
    """The last decision year counted at ``when``: a year-only decision counts from 31 December."""
    return when.year if (when.month, when.day) == (12, 31) else when.year - 1


def schedules(plan: Plan | None) -> dict[str, pd.DataFrame]:
    """The plan's commune schedules by level (``nang_cao``, ``kieu_mau``); empty without a plan."""
    if plan is None:
        return {}
    return {"nang_cao": plan.nang_cao_schedule(), "kieu_mau": plan.kieu_mau_schedule()}


def _count_row(
    when: date,
    measure: str,
    plan_year: int | None,
    planned: float | None,
    achieved: int | None,
    *,
    scheduled: int | None = None,
    section: object = None,
    open_year: bool = False,
) -> dict[str, object]:
    """A count measure (communes, villages) for one year or the whole period (``plan_year`` None)."""
    table = MEASURE_TABLES[measure]
    if achieved is None:
        status = "no_data"
    elif planned is None:
        status = "no_plan"
    elif open_year:
        status = "future"
    else:
        status = MET if achieved >= planned else "not_met"
    return {
        "as_of": when,
        "measure": measure,
        "plan_year": plan_year,
        "section": section,
        "op": None if planned is None else ">=",
        "planned": planned,
        "planned_high": None,
        "unit": "villages" if measure == "model_villages" else "communes",
        "achieved": achieved,
        "achieved_scheduled": scheduled,
        "status": status,
        "value_source": None if achieved is None else table,
        "missing_table": table if achieved is None else None,
        "measured_year": None,
    }


def _first_years(frame: pd.DataFrame, key: str) -> dict[str, int]:
    return {str(k): int(v) for k, v in frame.groupby(key)["year"].min().items()}


def _counts_by_year(
    when: date,
    measure: str,
    first: dict[str, int] | None,
    planned: Mapping[int, int],
    years: Sequence[int],
    *,
    total: int | None,
    scheduled: set[str] | None = None,
    section: object = None,
) -> list[dict[str, object]]:
    """Per plan year and in total: planned beside the units whose first recognition fell in it."""
    counted = counted_year(when)
    rows = []
    done_total = 0
    for year in years:
        units = None if first is None else {u for u, y in first.items() if y == year}
        in_time = year <= counted
        achieved = None if units is None else (len(units) if in_time else 0)
        done_total += achieved or 0
        rows.append(
            _count_row(
                when,
                measure,
                year,
                planned.get(year, 0),
                achieved,
                scheduled=None if units is None or scheduled is None else len(units & scheduled),
                section=section,
                open_year=not in_time or year == when.year and when.month < 12,
            )
        )
    in_period = None if first is None else {u for u, y in first.items() if years[0] <= y <= counted}
    rows.append(
        _count_row(
            when,
            measure,
            None,
            total,
            None if first is None else done_total,
            scheduled=None if in_period is None or scheduled is None else len(in_period & scheduled),
            section=section,
        )
    )
    return rows


def _village_first_years(village_status: pd.DataFrame | None) -> dict[str, int] | None:
    if village_status is None:
        return None
    frame = village_status
    if "criterion" in frame:
        frame = frame[frame["criterion"].astype(str) == VILLAGE_RECOGNITION]
    met = frame[frame["met"].astype("boolean").fillna(False).astype(bool)]
    met = met.assign(year=pd.to_numeric(met.get("year"), errors="coerce")).dropna(subset=["year"])
    return _first_years(met, "village_id")


def _sector_row(
    when: date, plan: Plan, sectors: pd.DataFrame, target_id: str, measured_year: int
) -> dict[str, object] | None:
    target = next((t for t in plan.targets() if t.get("id") == target_id), None)
    if target is None:
        return None
    goal = target.get("value")
    low, high = (goal[0], goal[1]) if isinstance(goal, (tuple, list)) else (goal, None)
    found = sectors[sectors["target_id"] == target_id] if len(sectors) else sectors
    value = None if not len(found) or is_missing(found["value"].iloc[0]) else float(found["value"].iloc[0])
    status = "no_data" if value is None else str(found["status"].iloc[0])
    table = MEASURE_TABLES[target_id]
    return {
        "as_of": when,
        "measure": target_id,
        "plan_year": None,
        "section": target.get("section"),
        "op": target.get("op", ">="),
        "planned": low,
        "planned_high": high,
        "unit": target.get("unit"),
        "achieved": value,
        "achieved_scheduled": None,
        "status": status,
        "value_source": None if value is None else table,
        "missing_table": table if value is None else None,
        "measured_year": None if value is None else measured_year,
    }


def _markets_row(when: date, plan: Plan, markets: pd.DataFrame | None) -> dict[str, object] | None:
    units = plan.market_units()
    if not len(units):
        return None
    achieved = None
    if markets is not None:
        ok = markets[markets["standard_met"].astype("boolean").fillna(False).astype(bool)]
        achieved = len(set(units["commune_code"].astype(str)) & set(ok["commune_code"].astype(str)))
    target = next(t for t in plan.targets() if t.get("id") == "markets_upgraded")
    return {
        "as_of": when,
        "measure": "markets_upgraded",
        "plan_year": None,
        "section": target.get("section"),
        "op": ">=",
        "planned": len(units),
        "planned_high": None,
        "unit": "units",
        "achieved": achieved,
        "achieved_scheduled": None,
        "status": "no_data" if achieved is None else (MET if achieved >= len(units) else "not_met"),
        "value_source": None if achieved is None else "markets",
        "missing_table": "markets" if achieved is None else None,
        "measured_year": None,
    }


def _budget_row(when: date, plan: Plan) -> dict[str, object] | None:
    budget = plan.budget()
    if budget is None:
        return None
    return {
        "as_of": when,
        "measure": "budget_total",
        "plan_year": None,
        "section": budget.section,
        "op": "=",
        "planned": budget.total,
        "planned_high": None,
        "unit": budget.unit,
        "achieved": None,
        "achieved_scheduled": None,
        "status": "no_data",
        "value_source": None,
        "missing_table": MEASURE_TABLES["budget_total"],
        "measured_year": None,
    }


def district_rows(
    plan: Plan | None,
    decisions: pd.DataFrame | None,
    village_status: pd.DataFrame | None,
    sectors: pd.DataFrame,
    markets: pd.DataFrame | None,
    when: date,
    measured_year: int,
) -> list[dict[str, object]]:
    """The district rows at one date: the plan's targets per year and in total beside the tables.

    Without a plan, the recognitions by level and year (nothing planned). ``decisions`` None means
    the workspace has no recognitions table (the commune counts are then missing, named).
    """

    def first_at(level: str) -> dict[str, int] | None:
        if decisions is None:
            return None
        return _first_years(decisions[decisions["level"] == level], "commune_code")

    if plan is None:
        # No plan: the recognitions by level and year, nothing planned to compare with.
        years = sorted({int(y) for y in (decisions["year"] if decisions is not None else ())})
        listed: list[int | None] = [y for y in years if y <= counted_year(when)] or [None]
        rows = []
        for level in ("ntm", "nang_cao", "kieu_mau"):
            first = first_at(level)
            for year in listed:
                achieved = None if first is None else sum(1 for y in first.values() if y == year)
                rows.append(_count_row(when, f"{level}_communes", year, None, achieved))
        return rows
    years = list(plan.years())
    totals = plan.totals()
    rows = []
    for level, schedule in schedules(plan).items():
        rows += _counts_by_year(
            when,
            f"{level}_communes",
            first_at(level),
            schedule.groupby("year").size().to_dict(),
            years,
            total=totals[f"{level}_total"],
            scheduled=set(schedule["commune_code"].astype(str)),
            section=plan.data.get("communes", {}).get(f"{level}_schedule", {}).get("section"),
        )
    rows += _counts_by_year(
        when,
        "model_villages",
        _village_first_years(village_status),
        plan.model_villages_by_year().to_dict(),
        years,
        total=totals["model_villages_total"],
        section=plan.data.get("villages", {}).get("model_villages_by_year", {}).get("section"),
    )
    extra = [
        _sector_row(when, plan, sectors, "canals_lined_share", measured_year),
        _sector_row(when, plan, sectors, "vietgap_concentrated_zone_ha", measured_year),
        _markets_row(when, plan, markets),
        _budget_row(when, plan),
    ]
    return rows + [r for r in extra if r is not None]

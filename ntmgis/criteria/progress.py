"""Progress against the district plan: achieved vs planned per plan year, and the sector targets.

DESIGN puts "the plan's targets and progress against them" together; the targets are read by
:mod:`ntmgis.plan`, the progress is measured here from the evaluation's summaries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..codes import DISTRICT_UNIT, MET, level_rank, status_code
from ..plan import Plan
from ..values import is_missing
from .indicators import PERCENT_UNITS, SHARE_UNITS
from .schema import OPS

__all__ = ["PROGRESS_COLUMNS", "SECTOR_COLUMNS", "achieved_years", "district_progress", "sector_targets"]


PROGRESS_COLUMNS = [
    "measure",
    "year",
    "planned",
    "planned_cumulative",
    "achieved",
    "achieved_cumulative",
    "achieved_unscheduled_cumulative",
    "scheduled_in_layer_cumulative",
    "status",
]


def achieved_years(
    summary: pd.DataFrame,
    recognitions: pd.DataFrame | None,
    *,
    year: int,
    levels: Iterable[str] = ("ntm", "nang_cao", "kieu_mau"),
) -> dict[tuple[str, str], int]:
    """(commune, level) → the first year the commune stood at that level or above, by ``year``.

    A recognition decision counts from its year; otherwise a commune whose criteria show the
    level now counts from the evaluation year. The district progress and the map's year
    control both read this, so they cannot disagree.

    Parameters
    ----------
    summary : DataFrame
        :func:`commune_summary` (``commune_code, assessed, highest_level``).
    recognitions : DataFrame, optional
        ``commune_code, level, year``; decisions after ``year`` are ignored.
    year : int
        Evaluation year.
    levels : iterable of str
        Levels to report.

    Returns
    -------
    dict
        ``(commune_code, level)`` → year; communes not at the level are absent.
    """
    levels = tuple(levels)
    found: dict[tuple[str, str], int] = {}
    if recognitions is not None and len(recognitions):
        for row in recognitions.to_dict("records"):
            if is_missing(row.get("year")) or int(row["year"]) > year:
                continue
            for level in levels:
                if level_rank(str(row["level"])) >= level_rank(level):
                    key = (str(row["commune_code"]), level)
                    found[key] = min(found.get(key, int(row["year"])), int(row["year"]))
    for row in summary.to_dict("records"):
        if not row.get("assessed") or is_missing(row.get("highest_level")):
            continue
        for level in levels:
            if level_rank(row.get("highest_level")) >= level_rank(level):
                key = (str(row["commune_code"]), level)
                found[key] = min(found.get(key, year), year)
    return found


def _empty_progress() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="Int64") for c in PROGRESS_COLUMNS})
    frame["measure"] = frame["measure"].astype(object)
    frame["status"] = frame["status"].astype(object)
    return frame


def district_progress(
    plan: Plan | None,
    summary: pd.DataFrame,
    villages: pd.DataFrame | None,
    *,
    year: int,
    recognitions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Achieved vs planned per plan year (cumulative): nâng cao communes, kiểu mẫu communes,
    model villages.

    A commune counts from the year it was recognised at (or above) the level, or from the
    evaluation year when the criteria show it there now. ``achieved_cumulative`` counts the
    communes the plan schedules for that level (comparable with ``planned_cumulative``);
    ``achieved_unscheduled_cumulative`` the others. Years after ``year`` are ``future``.

    Returns
    -------
    DataFrame
        ``PROGRESS_COLUMNS``; ``status`` is ``on_track`` (achieved ≥ planned), ``behind`` or
        ``future``. Empty without a plan (nothing is planned to compare with); a measure the
        plan does not schedule (no kiểu mẫu schedule, no model villages) plans 0 each year.
    """
    if plan is None:
        return _empty_progress()
    years = list(plan.years())
    rows = []
    first_years = achieved_years(summary, recognitions, year=year, levels=("nang_cao", "kieu_mau"))
    for level, schedule in (("nang_cao", plan.nang_cao_schedule()), ("kieu_mau", plan.kieu_mau_schedule())):
        achieved_year = {code: when for (code, lv), when in first_years.items() if lv == level}
        scheduled = set(schedule["commune_code"])
        planned = schedule.groupby("year").size().to_dict()
        for y in years:
            planned_cum = sum(n for yy, n in planned.items() if yy <= y)
            done = {c for c, w in achieved_year.items() if w <= y}
            future = y > year
            rows.append(
                {
                    "measure": f"{level}_communes",
                    "year": y,
                    "planned": planned.get(y, 0),
                    "planned_cumulative": planned_cum,
                    "achieved": None
                    if future
                    else len({c for c in done if achieved_year[c] == y} & scheduled),
                    "achieved_cumulative": None if future else len(done & scheduled),
                    "achieved_unscheduled_cumulative": None if future else len(done - scheduled),
                    "scheduled_in_layer_cumulative": None,
                    "status": "future"
                    if future
                    else ("on_track" if len(done & scheduled) >= planned_cum else "behind"),
                }
            )
    planned_villages = plan.model_villages_by_year().to_dict()
    achieved_villages: dict[str, int] = {}
    layer_targets: dict[int, int] = {}
    if villages is not None and len(villages):
        for row in villages.to_dict("records"):
            if row.get("model_village") is True or row.get("status") == MET:
                achieved_villages[str(row["village_id"])] = (
                    int(row["achieved_year"]) if not is_missing(row.get("achieved_year")) else year
                )
            if not is_missing(row.get("target_year")):
                layer_targets[int(row["target_year"])] = layer_targets.get(int(row["target_year"]), 0) + 1
    for y in years:
        planned_cum = sum(n for yy, n in planned_villages.items() if yy <= y)
        future = y > year
        done_villages = sum(1 for w in achieved_villages.values() if w <= y)
        rows.append(
            {
                "measure": "model_villages",
                "year": y,
                "planned": planned_villages.get(y, 0),
                "planned_cumulative": planned_cum,
                "achieved": None if future else sum(1 for w in achieved_villages.values() if w == y),
                "achieved_cumulative": None if future else done_villages,
                "achieved_unscheduled_cumulative": None,
                "scheduled_in_layer_cumulative": sum(n for yy, n in layer_targets.items() if yy <= y)
                if layer_targets
                else None,
                "status": "future" if future else ("on_track" if done_villages >= planned_cum else "behind"),
            }
        )
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    for column in (
        "year",
        "planned",
        "planned_cumulative",
        "achieved",
        "achieved_cumulative",
        "achieved_unscheduled_cumulative",
        "scheduled_in_layer_cumulative",
    ):
        frame[column] = pd.array([None if is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    return frame


SECTOR_COLUMNS = [
    "group",
    "target_id",
    "section",
    "op",
    "target",
    "unit",
    "text",
    "value",
    "value_unit",
    "met",
    "status",
    "value_source",
]


def _meets(value: float, op: str, target: Any) -> bool | None:
    if op == "between":
        low, high = (float(v) for v in target)
        return low <= value <= high
    if op in OPS and not isinstance(target, (tuple, list)):
        return bool(OPS[op](value, float(target)))
    return None


def sector_targets(
    plan: Plan | None, computed: pd.DataFrame | None = None, *, summary: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every sector and district target of the plan with its current value where known.

    Values come from rows of ``computed`` with ``unit_code == "district"`` whose ``indicator`` is
    the plan target id (``canals_lined_share``, ``vietgap_concentrated_zone_ha``...), and, for the
    share of communes keeping NTM, from the evaluation (``summary``) when every commune was
    assessed. Anything else is "no data" — never a failure.

    Returns
    -------
    DataFrame
        ``SECTOR_COLUMNS``; ``status`` is met / not_met / no_data / text (a target without a
        number). The budget (931,359 = 712,276 + 219,083 million VND) is the last row. Without
        a plan, or a plan with no targets and no budget, the frame is empty.
    """
    values: dict[str, tuple[float, str, str]] = {}
    if computed is not None and len(computed):
        district = computed[computed["unit_code"].astype(str) == DISTRICT_UNIT]
        for row in district.to_dict("records"):
            unit = "" if is_missing(row.get("unit")) else str(row["unit"])
            values[str(row["indicator"])] = (float(row["value"]), unit, "computed")
    if summary is not None and len(summary) and "keep_ntm_share" not in values:
        assessed = summary[summary["assessed"]]
        if len(assessed) and assessed["highest_level"].notna().all():
            share = float((assessed["highest_level"] != "chua_dat").mean())
            values["keep_ntm_share"] = (share, "share", "evaluation")
    rows = []
    for target in plan.targets() if plan is not None else ():
        goal = target.get("value")
        op = target.get("op", ">=" if goal is not None else "")
        unit = str(target.get("unit", ""))
        found = values.get(str(target["id"]))
        met = None
        value = value_unit = value_source = None
        if found is not None:
            value, value_unit, value_source = found
            comparable = value
            if value_unit in PERCENT_UNITS and unit == "share":
                comparable = value / 100.0
            elif value_unit in SHARE_UNITS and unit in PERCENT_UNITS:
                comparable = value * 100.0
            met = _meets(comparable, op, goal) if goal is not None else None
        status = (
            "text"
            if goal is None and found is None
            else ("no_data" if found is None else status_code(met) if met is not None else "no_data")
        )
        rows.append(
            {
                "group": target["group"],
                "target_id": target["id"],
                "section": target.get("section"),
                "op": op,
                "target": "–".join(str(v) for v in goal) if isinstance(goal, (tuple, list)) else goal,
                "unit": unit,
                "text": target.get("text", ""),
                "value": value,
                "value_unit": value_unit,
                "met": met,
                "status": status,
                "value_source": value_source,
            }
        )
    budget = plan.budget() if plan is not None else None
    if budget is not None:
        parts = " + ".join(f"{k} {v:,}" for k, v in budget.parts.items())
        rows.append(
            {
                "group": "budget",
                "target_id": "budget_total",
                "section": budget.section,
                "op": "=",
                "target": budget.total,
                "unit": budget.unit,
                "text": f"{budget.total:,} = {parts}" if parts else f"{budget.total:,}",
                "value": None,
                "value_unit": None,
                "met": None,
                "status": "no_data",
                "value_source": None,
            }
        )
    frame = pd.DataFrame(rows, columns=SECTOR_COLUMNS)
    frame["met"] = pd.array([None if is_missing(v) else bool(v) for v in frame["met"]], dtype="boolean")
    frame["target"] = frame["target"].astype(object)
    return frame

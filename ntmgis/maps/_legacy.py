"""TEMPORARY: the named fields of the new Assessment (ASSESSMENT.md) over the old one.

Deleted as soon as the lead's "Assessment: named fields" commit is merged; lets the split be checked
byte for byte before it lands. The schedule rules are the ones ``criteria/schedule.py`` takes over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class _Provenance:
    year: int
    criteria_sets: str
    criteria_reason: str
    unit_costs_assumed: bool


class View:
    def __init__(self, workspace: Any, assessment: Any) -> None:
        self._a = assessment
        selection = assessment.criteria.selection
        self.provenance = _Provenance(selection.year, selection.set_ids, selection.reason,
                                      assessment.unit_costs is None)
        self.year = assessment.year
        self.market_radius_m = assessment.market_radius_m
        c = assessment.criteria
        self.communes, self.villages, self.criteria = c.communes, c.villages, c.criteria
        self.sectors, self.progress = c.sectors, c.progress
        self.unverified_thresholds = c.unverified_thresholds()
        layers, tables = assessment.layers, assessment.infrastructure.tables
        self.upgrade_totals = tables.get("upgrade_totals")
        self.zones = tables.get("zones")
        self.market_gaps = layers.get("market_gaps")
        self.villages_without_culture_house = layers.get("villages_without_culture_house")
        self.segments_to_upgrade = layers.get("segments_to_upgrade")
        self.milestones = _milestones(workspace)
        self.schedule = _schedule(workspace, assessment, self.milestones)


def view(workspace: Any, assessment: Any) -> Any:
    return assessment if isinstance(assessment, View) else View(workspace, assessment)


def _milestones(workspace: Any) -> pd.DataFrame:
    plan = workspace.plan
    rows = []
    for level, schedule in (("nang_cao", plan.nang_cao_schedule()), ("kieu_mau", plan.kieu_mau_schedule())):
        for row in schedule.itertuples():
            rows.append((str(row.commune_code), level, int(row.year)))
    frame = pd.DataFrame(rows, columns=["commune_code", "level", "year"])
    return frame.sort_values("year", kind="stable").reset_index(drop=True)


def _schedule(workspace: Any, assessment: Any, milestones: pd.DataFrame) -> pd.DataFrame:
    from ..criteria.evaluate import achieved_years

    recognitions = workspace.table("recognitions") if "recognitions" in workspace.table_names else None
    achieved = achieved_years(assessment.criteria.communes, recognitions, year=assessment.year)
    first, last = (int(y) for y in workspace.plan.data["period"])
    years = range(first, last + 1)
    assessed_in = assessment.year
    by_commune: dict[str, list[tuple[str, int]]] = {}
    for code, level, year in milestones.itertuples(index=False):
        by_commune.setdefault(code, []).append((level, year))
    rows = []
    for code in workspace.layer("communes")["commune_code"].astype(str):
        ms = by_commune.get(code, [])
        for year in years:
            rows.append(("commune", code, year, _commune_status(ms, achieved, code, year, assessed_in)))
    summary = assessment.criteria.villages.set_index("village_id")
    for v in workspace.layer("villages")["village_id"].astype(str) if workspace.has_layer("villages") else []:
        r = summary.loc[v].to_dict() if v in summary.index else {}
        for year in years:
            rows.append(("village", v, year, _village_status(r, year, assessed_in)))
    return pd.DataFrame(rows, columns=["unit_type", "unit_code", "year", "status"])


def _commune_status(milestones: list, achieved: dict, code: str, year: int, assessed_in: int) -> str:
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
    from ..values import is_missing
    return None if is_missing(value) else int(value)  # type: ignore[call-overload]


def _village_status(row: dict, year: int, assessed_in: int) -> str:
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

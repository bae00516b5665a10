"""Evaluate communes, villages and the district against criteria sets and the district plan.

Everything here is pure: tables and the plan in, new tables out, nothing read from disk and nothing
mutated. The flow, per level in rank order (ntm → nâng cao → kiểu mẫu):

1. :func:`~ntmgis.criteria.indicators.evaluate_indicators` — one row per (unit, level, indicator):
   the value (measured from layers or reported), the threshold, met / not met / not assessed, how
   it was decided.
2. :func:`~ntmgis.criteria.verdicts.evaluate_criteria` — one row per (unit, level, criterion), with
   the gap text of what is missing ("2.2 đường thôn: 64 % / 70 %").
3. :func:`~ntmgis.criteria.verdicts.level_verdicts` — one row per (unit, level).

On top of these: :func:`~ntmgis.criteria.summary.commune_summary` (highest level met, target and
schedule status), :func:`~ntmgis.criteria.summary.village_summary`,
:func:`~ntmgis.criteria.progress.district_progress` (achieved vs plan per year),
:func:`~ntmgis.criteria.progress.sector_targets` and :func:`~ntmgis.criteria.cross_check.cross_check`
(reported "met" contradicted by measurement — the inspector's list). This module ties them into
one :class:`CriteriaAssessment`.

The status tables come from the reader (:mod:`ntmgis.io.status`) with canonical ``criterion``,
``indicator`` and ``level``; the engine does not parse them again. Missing data is never a
failure: without a measured value, a reported verdict or a reported value that can be tested, an
indicator is "not assessed".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from ..codes import DISTRICT_UNIT, MET, NOT_APPLICABLE, NOT_ASSESSED, NOT_MET, level_rank
from ..plan import Plan
from ..problems import DataError, Problem
from ..values import is_missing
from .cross_check import cross_check
from .groups import commune_groups
from .indicators import Prefer
from .progress import achieved_years, district_progress, sector_targets
from .records import records
from .selection import CriteriaSelection, choose_criteria, commune_regions, missing_regional_thresholds
from .sets import UNVERIFIED_NOTE
from .summary import VILLAGE_COLUMNS, commune_summary, village_summary
from .verdicts import evaluate_levels

__all__ = [
    "CriteriaAssessment",
    "DISTRICT_UNIT",
    "STATUSES",
    "Prefer",
    "achieved_years",
    "check_workspace_criteria",
    "evaluate",
    "evaluate_workspace",
]

#: Verdicts of an indicator, criterion or level.
STATUSES = (MET, NOT_MET, NOT_ASSESSED, NOT_APPLICABLE)
_REPORT_COLUMNS = ["unit_code", "criterion", "indicator", "level", "met", "value", "year", "note", "evidence"]


def _reports(
    status: pd.DataFrame | None,
    unit_column: str,
    *,
    year: int,
    default_level: str,
    layer: str,
    problems: list[Problem],
    latest: bool = True,
    since: int | None = None,
) -> pd.DataFrame:
    """The reader's status rows as (unit_code, criterion, indicator, level, met, value, year, note,
    evidence), not after ``year`` nor before ``since`` (the set's ``reports_from``); with ``latest``
    only the latest per (unit, criterion, indicator, level). A row without a level counts at
    ``default_level`` (the set's lowest)."""
    if status is None or status.empty:
        return pd.DataFrame(columns=_REPORT_COLUMNS)
    rows = []
    later = earlier = 0
    for position, record in enumerate(records(status)):
        row_year = None if is_missing(record.get("year")) else int(record["year"])
        if row_year is not None and row_year > year:
            later += 1
            continue
        if row_year is not None and since is not None and row_year < since:
            earlier += 1
            continue
        if is_missing(record.get("criterion")):
            continue
        indicator, level = record.get("indicator"), record.get("level")
        met, value, note = record.get("met"), record.get("value"), record.get("note")
        rows.append(
            {
                "unit_code": str(record[unit_column]),
                "criterion": str(record["criterion"]).strip(),
                "indicator": None if is_missing(indicator) else str(indicator).strip(),
                "level": default_level if is_missing(level) else str(level).strip(),
                "met": None if is_missing(met) else bool(met),
                "value": None if value is None or is_missing(value) else float(value),
                "year": row_year,
                "note": None if is_missing(note) else note,
                "evidence": str(record.get("cell") or f"{layer} row {position + 1}"),
            }
        )
    if later:
        problems.append(
            Problem.of("problems.status_later", layer=layer, severity="info", rows=later, year=year)
        )
    if earlier:
        problems.append(Problem.of("problems.status_earlier", layer=layer, rows=earlier, since=str(since)))
    frame = pd.DataFrame(rows, columns=_REPORT_COLUMNS)
    if frame.empty or not latest:
        return frame
    frame["_order"] = frame["year"].fillna(-1)
    frame = frame.sort_values("_order", kind="stable")
    keys = ["unit_code", "criterion", "indicator", "level"]
    return frame.groupby(keys, dropna=False, sort=False).tail(1).drop(columns="_order").reset_index(drop=True)


@dataclass(frozen=True)
class CriteriaAssessment:
    """Everything the criteria engine found, for one evaluation year and criteria selection.

    Attributes
    ----------
    selection : CriteriaSelection
        Sets, date, year and region used (recorded in every table as ``criteria_set``/``year``).
    thresholds : DataFrame
        Commune thresholds of every level (with ``verified`` and ``source``).
    indicators : DataFrame
        One row per (commune, level, indicator) — see :func:`evaluate_indicators`.
    criteria : DataFrame
        One row per (commune, level, criterion).
    levels : DataFrame
        One row per (commune, level).
    communes : DataFrame
        :func:`commune_summary`.
    villages : DataFrame
        :func:`village_summary` (empty without a villages layer).
    progress : DataFrame
        :func:`district_progress`.
    sectors : DataFrame
        :func:`sector_targets`.
    cross_check : DataFrame
        :func:`cross_check`.
    problems : tuple of Problem
        Findings about the inputs made while evaluating (unknown criteria, units, values).
    prefer : str
        Which evidence decided when measured and reported verdicts disagreed.
    """

    selection: CriteriaSelection
    thresholds: pd.DataFrame
    indicators: pd.DataFrame
    criteria: pd.DataFrame
    levels: pd.DataFrame
    communes: pd.DataFrame
    villages: pd.DataFrame
    progress: pd.DataFrame
    sectors: pd.DataFrame
    cross_check: pd.DataFrame
    problems: tuple[Problem, ...] = field(default_factory=tuple)
    prefer: str = "computed"
    #: Where the evaluation year came from: ``as_of`` (given), ``status_year`` (workspace.yaml),
    #: ``status_tables`` (latest year in commune_status), ``plan_end`` or ``today``.
    year_source: str = "as_of"

    @property
    def year(self) -> int:
        """The evaluation year (of the selection)."""
        return self.selection.year

    def target_indicators(self) -> pd.DataFrame:
        """The indicator table of DESIGN.md: each commune's indicators at its target level.

        Columns include ``unit_code, indicator, value, unit, threshold, target_level, met,
        method, source, verified, criteria_set, year``.
        """
        targets = self.communes[self.communes["assessed"]][["commune_code", "target_level"]]
        merged = self.indicators.merge(
            targets, left_on=["unit_code", "level"], right_on=["commune_code", "target_level"], how="inner"
        )
        return merged.drop(columns=["commune_code"]).reset_index(drop=True)

    def unverified_thresholds(self) -> pd.DataFrame:
        """Thresholds no source confirms, with what used them (communes whose verdict they decided)."""
        table = self.thresholds[~self.thresholds["verified"]].copy()
        used = self.indicators[
            self.indicators["threshold_used"]
            & ~self.indicators["verified"]
            & (self.indicators["status"] != NOT_ASSESSED)
        ]
        users = (
            used.groupby(["level", "indicator"])["unit_code"]
            .apply(lambda s: ", ".join(sorted(set(s))))
            .to_dict()
        )
        table["used_for"] = [
            users.get((lv, ind), "") for lv, ind in zip(table["level"], table["indicator"], strict=True)
        ]
        table["flag"] = UNVERIFIED_NOTE
        return table.reset_index(drop=True)


def _units_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: frame[c] if c in frame.columns else None for c in columns})
    return out.reset_index(drop=True)


def evaluate(
    communes: pd.DataFrame,
    commune_status: pd.DataFrame | None,
    plan: Plan | None,
    selection: CriteriaSelection,
    *,
    computed: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
    village_status: pd.DataFrame | None = None,
    recognitions: pd.DataFrame | None = None,
    prefer: Prefer = "computed",
) -> CriteriaAssessment:
    """Evaluate a district: communes, villages, progress against the plan, cross-check.

    Parameters
    ----------
    communes : DataFrame
        ``commune_code, name, kind`` (the communes layer; geometry ignored).
    commune_status : DataFrame or None
        Long status table as the reader gives it (:func:`ntmgis.io.status_from_frame`:
        canonical ``criterion``, ``indicator`` and ``level``; the engine does not parse them).
        Whole-criterion rows have no ``indicator``; rows without ``level`` count as the set's
        lowest level (NTM).
    plan : Plan or None
        The district plan (schedules, targets). Without one, every xã's target is NTM in the
        evaluation year and ``progress``/``sectors`` are empty.
    selection : CriteriaSelection
        From :func:`~ntmgis.criteria.choose_criteria`.
    computed : DataFrame, optional
        Measured indicators ``unit_code, indicator, value, unit`` from the layer analysis;
        ``unit_code = "district"`` rows feed the sector targets.
    villages, village_status : DataFrame, optional
        The villages layer (with ``model_target_year``) and its status table.
    recognitions : DataFrame, optional
        Official recognition decisions (``commune_code, level, year``).
    prefer : {"computed", "reported"}
        Evidence that decides when measured and reported verdicts disagree.

    Returns
    -------
    CriteriaAssessment
    """
    problems: list[Problem] = []
    year = selection.year
    commune_table = _units_table(communes, ["commune_code", "name", "kind"])
    commune_table["commune_code"] = commune_table["commune_code"].astype(str)
    kinds = selection.commune.applies_to("commune_kind")
    units = [
        c
        for c, k in zip(commune_table["commune_code"], commune_table["kind"], strict=True)
        if kinds is None or k in kinds
    ]
    thresholds = selection.thresholds()
    reports = _reports(
        commune_status,
        "commune_code",
        year=year,
        default_level=selection.commune.levels[0],
        layer="commune_status",
        problems=problems,
        since=selection.commune.reports_from,
    )
    problems.extend(
        _report_problems(
            reports, thresholds, set(commune_table["commune_code"]), "commune_status", selection.set_ids
        )
    )
    regions, found = commune_regions(_units_table(communes, ["commune_code", "region"]), selection)
    problems.extend(found)
    groups, found = commune_groups(
        _units_table(communes, ["commune_code", "commune_group"]), selection.commune, units
    )
    problems.extend(found)
    indicators, criteria, levels, found = _evaluate_by_region(
        selection,
        thresholds,
        reports,
        computed,
        dict(zip(commune_table["commune_code"], regions, strict=True)),
        units=units,
        prefer=prefer,
        group_of=groups,
    )
    problems.extend(found)
    problems.extend(_unused_computed(computed, thresholds, selection.set_ids))
    summary = commune_summary(commune_table, levels, plan, selection, recognitions=recognitions)

    village_frame = _village_frame(villages, village_status, selection, prefer=prefer, problems=problems)
    progress = district_progress(plan, summary, village_frame, year=year, recognitions=recognitions)
    sectors = sector_targets(plan, computed, summary=summary)
    return CriteriaAssessment(
        selection=selection,
        thresholds=thresholds,
        indicators=indicators,
        criteria=criteria,
        levels=levels,
        communes=summary,
        villages=village_frame,
        progress=progress,
        sectors=sectors,
        cross_check=cross_check(indicators, criteria),
        problems=tuple(problems),
        prefer=prefer,
    )


def _evaluate_by_region(
    selection: CriteriaSelection,
    thresholds: pd.DataFrame,
    reports: pd.DataFrame,
    computed: pd.DataFrame | None,
    region_of: Mapping[str, str | None],
    *,
    units: list[str],
    prefer: Prefer,
    group_of: Mapping[str, str | None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Problem]]:
    """:func:`evaluate_levels` once per regional column and commune group of the communes (a
    ``region`` column on the communes layer may put a province's communes in several; QĐ 51/2025
    sets thresholds per group), with one problem per region for its thresholds that have no value."""
    problems: list[Problem] = []
    parts = []
    group_of = group_of or {}
    reported: set[str | None] = set()
    keys = dict.fromkeys((region_of[u], group_of.get(u)) for u in units) or {(selection.region, None): None}
    for region, group in keys:
        in_region = [u for u in units if (region_of[u], group_of.get(u)) == (region, group)]
        table = (
            thresholds
            if region == selection.region and group is None
            else selection.thresholds(region, group)
        )
        if region not in reported:
            reported.add(region)
            in_all_groups = sum(region_of[u] == region for u in units)
            problems.extend(missing_regional_thresholds(table, region, in_all_groups))
        *frames, found = evaluate_levels(
            table, reports, computed, units=in_region, year=selection.year, prefer=prefer
        )
        problems.extend(found)
        parts.append(frames)
    if len(parts) == 1:
        return (*parts[0], problems)
    indicators, criteria, levels = (
        pd.concat([p[i] for p in parts if len(p[i])], ignore_index=True) for i in range(3)
    )
    return indicators, criteria, levels, problems


def _unused_computed(computed: pd.DataFrame | None, thresholds: pd.DataFrame, set_ids: str) -> list[Problem]:
    """A note on measured indicators no threshold of the sets reads (district rows excepted)."""
    if computed is None or not len(computed):
        return []
    known = set(thresholds["indicator"]) | set(thresholds["computed"].dropna())
    unused = sorted(
        {
            str(i)
            for u, i in zip(computed["unit_code"], computed["indicator"], strict=True)
            if str(u) != DISTRICT_UNIT and str(i) not in known
        }
    )
    if not unused:
        return []
    return [
        Problem.of(
            "problems.indicators_unused",
            layer="computed indicators",
            severity="info",
            indicators=str(unused),
            sets=set_ids,
        )
    ]


def _village_frame(
    villages: pd.DataFrame | None,
    village_status: pd.DataFrame | None,
    selection: CriteriaSelection,
    *,
    prefer: Prefer,
    problems: list[Problem],
) -> pd.DataFrame:
    """The village summary (empty without a villages layer or a model-village set)."""
    if villages is not None and selection.village is None and village_status is not None:
        problems.append(Problem.of("problems.no_village_set", layer="village_status"))
    if villages is None or selection.village is None:
        return pd.DataFrame(columns=VILLAGE_COLUMNS)
    year = selection.year
    village_table = _units_table(
        villages, ["village_id", "name", "commune_code", "kind", "model_target_year"]
    )
    village_table["village_id"] = village_table["village_id"].astype(str)
    kinds = selection.village.applies_to("village_kind")
    units = [
        v
        for v, k in zip(village_table["village_id"], village_table["kind"], strict=True)
        if kinds is None or k in kinds
    ]
    default_level = selection.village.levels[0]
    reports = _reports(
        village_status,
        "village_id",
        year=year,
        default_level=default_level,
        layer="village_status",
        problems=problems,
    )
    thresholds = selection.village_thresholds()
    problems.extend(
        _report_problems(
            reports, thresholds, set(village_table["village_id"]), "village_status", selection.village.id
        )
    )
    _, _, levels, found = evaluate_levels(thresholds, reports, None, units=units, year=year, prefer=prefer)
    problems.extend(found)
    history = _reports(
        village_status,
        "village_id",
        year=year,
        default_level=default_level,
        layer="village_status",
        problems=[],
        latest=False,
    )
    return village_summary(village_table, levels, history, selection)


def _report_problems(
    reports: pd.DataFrame, thresholds: pd.DataFrame, known_units: set[str], layer: str, set_ids: str
) -> list[Problem]:
    problems: list[Problem] = []
    if reports.empty:
        return problems
    criteria = set(thresholds["criterion"])
    indicators = set(thresholds["indicator"])
    for r in records(reports):
        where = str(r["evidence"])
        if r["unit_code"] not in known_units:
            problems.append(
                Problem.of(
                    "problems.report_unit_unknown", layer=layer, feature=where, unit=repr(r["unit_code"])
                )
            )
        elif r["criterion"] not in criteria:
            problems.append(
                Problem.of(
                    "problems.report_criterion_unknown",
                    layer=layer,
                    feature=where,
                    criterion=repr(r["criterion"]),
                    sets=set_ids,
                )
            )
        elif r["indicator"] is not None and r["indicator"] not in indicators:
            problems.append(
                Problem.of(
                    "problems.report_indicator_unknown",
                    layer=layer,
                    feature=where,
                    indicator=repr(r["indicator"]),
                    sets=set_ids,
                )
            )
        elif level_rank(r["level"]) < 0:
            problems.append(
                Problem.of(
                    "problems.report_level_unknown", layer=layer, feature=where, level=repr(r["level"])
                )
            )
    return problems


def _attributes(layer: pd.DataFrame) -> pd.DataFrame:
    geometry = getattr(layer, "geometry", None)
    name = geometry.name if geometry is not None else None
    return pd.DataFrame(layer.drop(columns=[name] if name in layer.columns else []))


def _workspace_selection(
    workspace: Any,
    as_of: date | int | str,
    criteria_set: str | None,
    overrides: Mapping[str, Any] | None,
    region: str | None,
) -> CriteriaSelection:
    return choose_criteria(
        as_of,
        set_id=criteria_set or workspace.criteria_set or "auto",
        overrides=getattr(workspace, "criteria_overrides", None) if overrides is None else overrides,
        province=workspace.district.get("province"),
        region=getattr(workspace, "region", None) if region is None else region,
    )


def check_workspace_criteria(workspace: Any, *, as_of: date | int | str | None = None) -> list[Problem]:
    """What :func:`evaluate_workspace` would refuse, as problems: the criteria set of the year,
    its overrides, the region or province — so ``ntmgis validate`` says it before ``map``/``report``.

    Examples
    --------
    >>> from ntmgis.workspace import load_workspace
    >>> check_workspace_criteria(load_workspace())
    []
    """
    tables = set(workspace.table_names)
    if as_of is None:
        status = workspace.table("commune_status") if "commune_status" in tables else None
        as_of, _ = _default_year(workspace.status_year, status, workspace.plan)
    try:
        _workspace_selection(workspace, as_of, None, None, None)
    except DataError as exc:
        return list(exc.problems)
    return []


def evaluate_workspace(
    workspace: Any,
    computed: pd.DataFrame | None = None,
    *,
    as_of: date | int | str | None = None,
    criteria_set: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    region: str | None = None,
    prefer: Prefer = "computed",
) -> CriteriaAssessment:
    """Evaluate a :class:`~ntmgis.workspace.Workspace` (its tables, layers and plan).

    Parameters
    ----------
    workspace : Workspace
    computed : DataFrame, optional
        Measured indicators (see :func:`evaluate`).
    as_of : date, int or str, optional
        Assessment date (a year means 31 December). Default: the workspace's ``status_year``,
        else the latest year in ``commune_status``, else the plan's last year, else (no plan)
        today's year; ``year_source`` of the result says which, and without a plan a problem
        says it too.
    criteria_set : str, optional
        ``auto`` (choose by date) or a set id; default the workspace's ``criteria_set``.
    overrides : mapping, optional
        ``criteria_overrides``; default the workspace's ``criteria_overrides`` when it has one.
    region : str, optional
        Regional column; default the region of the workspace's province.
    """
    tables = set(workspace.table_names)
    status = workspace.table("commune_status") if "commune_status" in tables else None
    year_source = "as_of"
    if as_of is None:
        as_of, year_source = _default_year(workspace.status_year, status, workspace.plan)
    selection = _workspace_selection(workspace, as_of, criteria_set, overrides, region)
    communes = _attributes(workspace.layer("communes"))
    villages = _attributes(workspace.layer("villages")) if workspace.has_layer("villages") else None
    result = evaluate(
        communes,
        status,
        workspace.plan,
        selection,
        computed=computed,
        villages=villages,
        village_status=workspace.table("village_status") if "village_status" in tables else None,
        recognitions=workspace.table("recognitions") if "recognitions" in tables else None,
        prefer=prefer,
    )
    if workspace.plan is None:
        result = replace(result, problems=(*result.problems, _year_problem(year_source, selection.year)))
    return replace(result, year_source=year_source)


def _default_year(status_year: int | None, status: pd.DataFrame | None, plan: Plan | None) -> tuple[int, str]:
    """The evaluation year when none is given, and where it came from (``year_source``)."""
    if status_year:
        return int(status_year), "status_year"
    if status is not None and status["year"].notna().any():
        return int(status["year"].max()), "status_tables"
    if plan is not None:
        return plan.period()[1], "plan_end"
    return date.today().year, "today"


_YEAR_KEYS = {
    "as_of": "problems.no_plan_year_as_of",
    "status_year": "problems.no_plan_year_status_year",
    "status_tables": "problems.no_plan_year_status_tables",
    "today": "problems.no_plan_year_today",
}


def _year_problem(year_source: str, year: int) -> Problem:
    """Without a plan, which year the assessment is of is said (no plan period to fall back on)."""
    return Problem.of(
        _YEAR_KEYS[year_source],
        file="workspace.yaml",
        layer="plan",
        severity="warning" if year_source == "today" else "info",
        year=year,
    )

"""The panels of the planners' map: summary tables, the year control, sources and title.

Each builder reads the :class:`~ntmgis.workspace.Workspace` (plan, sources) and the
:class:`~ntmgis.assessment.Assessment` (district progress, sector targets, totals, provenance) and
computes nothing: it writes what they hold in the map's words (``catalogue/map.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..codes import criterion_sort_key
from ..district import workspace_title
from ..labels import text, words
from ..values import is_missing
from ..vocab import label, vocabulary
from ._common import cell, km, target_text, ui, unit_text, value_text
from .page import SummaryTable, Timeline, format_number

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..plan import Plan
    from ..workspace import Workspace

__all__ = ["no_plan_table", "planner_provenance", "planner_summary", "planner_timeline", "planner_title"]

_MEASURES = ("nang_cao_communes", "kieu_mau_communes", "model_villages")


def _status_words(t: Mapping[str, str]) -> dict[str, str]:
    return {code: t[code] for code in ("met", "not_met", "no_data", "text", "on_track", "behind", "future")}


def _plan_rows(plan: Plan, progress: pd.DataFrame, year: int, lang: str) -> tuple[list[list[str]], list[str]]:
    """Rows of the plan's commune and village totals: the target, achieved, planned this year."""
    t = ui(lang)
    words = _status_words(t)
    first, last = plan.period()
    totals = plan.totals()
    now = progress[progress["year"] == min(max(year, first), last)]
    rows: list[list[str]] = []
    statuses: list[str] = []
    for measure, target_id in (
        ("nang_cao_communes", "nang_cao_total"),
        ("kieu_mau_communes", "kieu_mau_total"),
        ("model_villages", "model_villages_total"),
    ):
        total = totals[target_id]
        found = now[now["measure"] == measure]
        if found.empty:
            continue
        r = found.iloc[0]
        achieved = (
            "–" if is_missing(r["achieved_cumulative"]) else format_number(r["achieved_cumulative"], lang)
        )
        planned = format_number(r["planned_cumulative"], lang)
        rows.append(
            [
                label("plan_target", target_id, lang),
                format_number(total, lang),
                f"{achieved} ({t['plan_col'].lower()} {year}: {planned})",
                words.get(r["status"], r["status"]),
            ]
        )
        statuses.append(str(r["status"]))
    return rows, statuses


def _sector_row(r: Mapping[str, Any], lang: str) -> list[str]:
    target = r.get("target")
    if r.get("target_id") == "budget_total":
        target_cell = f"{format_number(float(target), lang)} {unit_text('million VND', lang)}"  # type: ignore[arg-type]
    else:
        blank = not isinstance(target, (tuple, list)) and is_missing(target)
        target_cell = (cell(r.get("text")) or "–") if blank else target_text(r, lang)
    status = str(r.get("status"))
    return [
        label("plan_target", str(r["target_id"]), lang),
        target_cell,
        value_text(r.get("value"), cell(r.get("value_unit")) or cell(r.get("unit")), lang),
        _status_words(ui(lang)).get(status, status),
    ]


def _progress_rows(progress: pd.DataFrame) -> list[list[str]]:
    """Each year: the plan's cumulative count and what was achieved, per measure."""
    by_year = []
    for y in sorted(progress["year"].dropna().unique()):
        cells = [str(int(y))]
        for m in _MEASURES:
            found = progress[(progress["year"] == y) & (progress["measure"] == m)]
            if found.empty:
                cells.append("–")
                continue
            r = found.iloc[0]
            achieved = "–" if is_missing(r["achieved_cumulative"]) else str(int(r["achieved_cumulative"]))
            cells.append(f"{int(r['planned_cumulative'])} / {achieved}")
        by_year.append(cells)
    return by_year


def _infrastructure_rows(assessment: Assessment, lang: str) -> list[list[str]]:
    t = ui(lang)
    rows: list[list[str]] = []
    totals = assessment.upgrade_totals
    if totals is not None:
        rows.append(
            [
                t["upgrade_total"],
                f"{format_number(totals['length_km'].sum(), lang, 1)} km",
                f"{format_number(totals['cost_million_vnd'].sum(), lang)} {t['million_vnd']}",
            ]
        )
    if assessment.market_gaps is not None:
        rows.append(
            [
                t["gap_villages"].format(radius=km(assessment.market_radius_m, lang)),
                f"{len(assessment.market_gaps)} {t['villages_unit']}",
                "",
            ]
        )
    pieces = assessment.reach_network_pieces()
    if assessment.market_gaps is not None and pieces is not None and pieces > 1:
        rows.append([text("network.reach_warning", lang, pieces=pieces), "", ""])
    if assessment.villages_without_culture_house is not None:
        rows.append(
            [
                t["no_culture_total"],
                f"{len(assessment.villages_without_culture_house)} {t['villages_unit']}",
                "",
            ]
        )
    return rows


def no_plan_table(lang: str = "vi") -> SummaryTable:
    """The plan panel of a workspace without a plan: says so, and how to add one."""
    return SummaryTable(
        ui(lang)["plan_col"], [text("common.no_plan", lang)], [[text("common.no_plan_detail", lang)]]
    )


def _plan_tables(plan: Plan | None, assessment: Assessment, lang: str) -> list[SummaryTable]:
    """The plan's targets and the progress by year; without a plan, one table saying so."""
    if plan is None:
        return [no_plan_table(lang)]
    t = ui(lang)
    progress = assessment.progress
    year = assessment.year
    rows, statuses = _plan_rows(plan, progress, year, lang)
    for r in assessment.sectors.to_dict("records"):
        rows.append(_sector_row(r, lang))
        statuses.append(str(r.get("status")))
    period = "–".join(str(y) for y in plan.period())
    return [
        SummaryTable(
            t["targets"].format(period=period, year=year),
            [t["target_col"], t["plan_col"], t["value_col"], t["status_col"]],
            rows,
            statuses,
        ),
        SummaryTable(t["progress"], [t["year_col"], *(t[m] for m in _MEASURES)], _progress_rows(progress)),
    ]


def planner_summary(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> list[SummaryTable]:
    """Tables of the summary panel: plan targets beside their current value and status, progress
    by year, infrastructure totals.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    assessment : ntmgis.assessment.Assessment
    lang : {"vi", "en"}

    Returns
    -------
    list of SummaryTable
    """
    t = ui(lang)
    tables = _plan_tables(workspace.plan, assessment, lang)
    infra = _infrastructure_rows(assessment, lang)
    if infra:
        tables.append(SummaryTable(t["infrastructure"], [t["target_col"], t["length"], t["cost"]], infra))
    return tables


def planner_timeline(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> Timeline | None:
    """The year control of the plan period, with the plan's cumulative counts and what was achieved
    for each year (from the Assessment's district progress); ``None`` without a plan (no years)."""
    t = ui(lang)
    if workspace.plan is None:
        return None
    first, last = workspace.plan.period()
    years = list(range(first, last + 1))
    progress = assessment.progress
    notes: dict[int, list[str]] = {}
    for year in years:
        lines = []
        for r in progress[progress["year"] == year].to_dict("records"):
            achieved = (
                t["not_yet"] if is_missing(r["achieved_cumulative"]) else str(int(r["achieved_cumulative"]))
            )
            lines.append(
                t["year_note"].format(
                    measure=t.get(r["measure"], r["measure"]),
                    planned=int(r["planned_cumulative"]),
                    achieved=achieved,
                )
            )
        notes[year] = lines
    return Timeline(years=years, start=min(max(assessment.year, first), last), notes=notes)


def _unverified_lines(assessment: Assessment, lang: str) -> list[str]:
    """One line per level: the unverified thresholds the verdicts used."""
    unverified = assessment.unverified_thresholds
    if not len(unverified):
        return []
    used = unverified[unverified["used_for"].fillna("").astype(str).str.strip() != ""]
    ranks = vocabulary()["ntm_level"]
    lines = []
    for level in sorted(set(used["level"].astype(str)), key=lambda lv: ranks.get(lv, {}).get("rank", 9)):
        ids = sorted(set(used.loc[used["level"] == level, "indicator"].astype(str)), key=criterion_sort_key)
        lines.append(
            ui(lang)["unverified_list"].format(level=label("ntm_level", level, lang), ids=", ".join(ids))
        )
    return lines


def planner_provenance(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> list[str]:
    """Lines of the sources panel: files, plan, criteria sets and year, unverified thresholds used,
    analysis assumptions."""
    t = ui(lang)
    provenance = assessment.provenance
    lines = [
        f"{t.get(f'source.{name}', name)}: {Path(path).name}" for name, path in workspace.sources.items()
    ]
    plan = workspace.plan
    lines.append(
        f"{t['plan_source']}: {text('common.no_plan', lang)}"
        if plan is None
        else f"{t['plan_source']}: {plan.title()} ({plan.source})"
    )
    lines.append(
        t["criteria_set"].format(
            ids=provenance.criteria_sets,
            year=provenance.year,
            reason=words("report_codes", lang).get(provenance.criteria_reason, provenance.criteria_reason),
        )
    )
    lines += _unverified_lines(assessment, lang)
    period = provenance.unit_period
    units = words("units_view", lang)
    lines.append(units["period"].format(period=period) if period else units["period_unknown"])
    lines.append(t["radius_note"].format(radius=km(assessment.market_radius_m, lang)))
    lines.append(t["costs_note"] if provenance.unit_costs_assumed else t["costs_given"])
    told = workspace.provenance_text(lang)
    if told:
        lines.append(told)
    return lines


def planner_title(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> str:
    """Default title: ``"Huyện Tân Yên — bản đồ xây dựng nông thôn mới, đánh giá năm 2023"``.

    The unit's kind and name come from the workspace (``district: {name, kind, province}``): "Thị
    xã Việt Yên", "Các xã …, tỉnh …"; a name that carries its prefix is not written twice.
    """
    district = workspace_title(workspace, lang=lang)
    return ui(lang)["title"].format(district=district, year=assessment.year)

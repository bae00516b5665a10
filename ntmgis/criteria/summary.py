"""Commune and village summaries: highest level met, target, plan milestones and schedule status.

This is the one home of the plan-milestone rule (:func:`plan_milestones`: which level each
commune must reach by which year, and "keep NTM" for the communes the schedules do not name) and
of the schedule status of a milestone (achieved / on_track / late / not_assessed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from ..codes import MET, NOT_APPLICABLE, NOT_ASSESSED, NOT_MET, level_rank
from ..labels import text
from ..plan import Plan
from ..values import is_missing
from ..vocab import label
from .recognition import recognised_levels
from .records import records
from .selection import CriteriaSelection

__all__ = ["SUMMARY_COLUMNS", "VILLAGE_COLUMNS", "commune_summary", "plan_milestones", "village_summary"]

SUMMARY_COLUMNS = [
    "commune_code",
    "name",
    "kind",
    "assessed",
    "criteria_set",
    "year",
    "highest_level",
    "recognised_level",
    "recognised_year",
    "target_level",
    "target_year",
    "milestones",
    "schedule_status",
    "criteria_met",
    "criteria_not_met",
    "criteria_not_assessed",
    "criteria_total",
    "missing",
    "gap_vi",
    "gap_en",
    "unverified",
    "note",
    "note_vi",
]
VILLAGE_COLUMNS = [
    "village_id",
    "name",
    "commune_code",
    "kind",
    "assessed",
    "criteria_set",
    "year",
    "model_village",
    "status",
    "achieved_year",
    "target_year",
    "schedule_status",
    "gap_vi",
    "gap_en",
    "note",
]


def plan_milestones(plan: Plan | None) -> dict[str, list[tuple[str, int]]]:
    """The (level, year) milestones the plan's schedules set, by commune code.

    Parameters
    ----------
    plan : Plan or None
        Its nâng cao and kiểu mẫu schedules; without a plan there is no milestone (empty dict).

    Returns
    -------
    dict
        Commune code → milestones sorted by year, then level rank. Communes the schedules do not
        name are absent: for them the plan asks to keep NTM to its last year (see
        :func:`commune_summary`).

    Examples
    --------
    >>> from ntmgis.plan import load_plan
    >>> plan_milestones(load_plan("package:tan_yen_2021_2025"))["07330"]
    [('nang_cao', 2021), ('kieu_mau', 2024)]
    """
    found: dict[str, list[tuple[str, int]]] = {}
    if plan is None:
        return found
    for level, schedule in (("nang_cao", plan.nang_cao_schedule()), ("kieu_mau", plan.kieu_mau_schedule())):
        for row in schedule.itertuples():
            found.setdefault(str(row.commune_code), []).append((level, int(row.year)))
    return {code: sorted(m, key=lambda x: (x[1], level_rank(x[0]))) for code, m in found.items()}


def _milestones_of(
    plan: Plan | None, schedule: Mapping[str, list[tuple[str, int]]], commune_code: str, year: int
) -> tuple[list[tuple[str, int]], bool]:
    """The commune's milestones and whether they are "keep NTM" (maintain) milestones."""
    if commune_code in schedule:
        return schedule[commune_code], False
    if plan is None:
        # No plan: the national standard every xã is to hold, NTM, in the assessment year.
        return [("ntm", year)], True
    # Plan II.1: "100% các xã duy trì đạt chuẩn ... đến năm 2025" for the communes not scheduled.
    return [("ntm", plan.period()[1])], True


def _highest(levels: Mapping[str, str], order: Iterable[str]) -> str | None:
    highest: str | None = None
    for level in order:
        status = levels.get(level, NOT_ASSESSED)
        if status == MET:
            highest = level
            continue
        if status == NOT_MET and highest is None:
            return "chua_dat"
        break
    return highest


def _milestone_status(
    level: str,
    due: int,
    *,
    year: int,
    highest: str | None,
    recognised: str | None,
    verdicts: Mapping[str, str],
    maintain: bool,
    recognitions_known: bool,
) -> str:
    """achieved / on_track / late / not_assessed of one plan milestone, at the end of ``year``.

    A status year describes the state at its end, so a milestone due that year and not reached is
    late. "Keep NTM" (communes the schedules do not name) is a standard to hold every year: it is
    late as soon as the criteria show NTM lost, whatever year it was recognised.
    """
    rank = level_rank(level)
    evaluated = level_rank(highest) >= rank
    known_not_met = highest == "chua_dat" or any(
        verdicts.get(lv) == NOT_MET for lv in verdicts if level_rank(lv) <= rank
    )
    if maintain:
        if evaluated:
            return "achieved"
        if known_not_met:
            return "late"
        return "achieved" if level_rank(recognised) >= rank else NOT_ASSESSED
    if evaluated or level_rank(recognised) >= rank:
        return "achieved"
    if year < due:
        return "on_track"
    # Past due and not reached: known when the criteria say so or when recognitions are kept
    # (the absence of a decision is then evidence); otherwise nothing can be said.
    return "late" if known_not_met or recognitions_known else NOT_ASSESSED


def _overall(statuses: list[str]) -> str:
    if "late" in statuses:
        return "late"
    if all(s == "achieved" for s in statuses):
        return "achieved"
    return NOT_ASSESSED if NOT_ASSESSED in statuses else "on_track"


def commune_summary(
    communes: pd.DataFrame,
    levels: pd.DataFrame,
    plan: Plan | None,
    selection: CriteriaSelection,
    *,
    recognitions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per commune: highest level met, target level and year, schedule status, what is missing.

    Parameters
    ----------
    communes : DataFrame
        ``commune_code``, ``name``, ``kind``.
    levels : DataFrame
        :func:`~ntmgis.criteria.level_verdicts` of the communes.
    plan : Plan or None
        Nâng cao and kiểu mẫu schedules; other communes keep NTM to the plan's last year. Without
        a plan every xã's target is NTM in the evaluation year (the standard it is to hold, a
        "keep NTM" milestone: achieved / late / not_assessed from the criteria), towns are not
        applicable as with a plan.
    selection : CriteriaSelection
        Sets and year used.
    recognitions : DataFrame, optional
        Official recognitions (``commune_code, level, year``): a commune recognised at the target
        level by the evaluation year has achieved it, whatever the criteria show today.

    Returns
    -------
    DataFrame
        ``SUMMARY_COLUMNS``. ``schedule_status`` is ``achieved`` (every milestone reached,
        by the criteria or by a recognition), ``on_track`` (the next milestone is not yet due),
        ``late`` (a milestone due by the end of the evaluation year is not reached; for "keep
        NTM", NTM is lost), ``not_assessed`` (past due with no data and no recognitions to tell)
        or ``not_applicable`` (towns: not assessed against the commune sets). ``highest_level``
        is ``chua_dat`` when NTM is not met and missing when NTM could not be assessed.
    """
    year = selection.year
    applicable = selection.commune.applies_to("commune_kind")
    by_unit = {u: dict(zip(g["level"], g["status"], strict=True)) for u, g in levels.groupby("unit_code")}
    level_rows = {(r["unit_code"], r["level"]): r for r in records(levels)}
    codes = communes["commune_code"].astype(str)
    recognised = recognised_levels(pd.DataFrame({"commune_code": codes}), recognitions, as_of=year)
    schedule = plan_milestones(plan)
    rows = []
    for commune, rec_level, rec_year in zip(
        records(communes), recognised["ntm_level"], recognised["recognised_year"], strict=True
    ):
        code = str(commune["commune_code"])
        kind = commune.get("kind")
        milestones, maintain = _milestones_of(plan, schedule, code, year)
        target_level, target_year = max(milestones, key=lambda m: (level_rank(m[0]), m[1]))
        base = {
            "commune_code": code,
            "name": commune.get("name"),
            "kind": kind,
            "criteria_set": selection.set_ids,
            "year": year,
            "recognised_level": rec_level,
            "recognised_year": None if is_missing(rec_year) else int(rec_year),
            "target_level": target_level,
            "target_year": target_year,
            "milestones": ", ".join(f"{lv} {y}" for lv, y in milestones),
        }
        if applicable is not None and kind not in applicable:
            rows.append(
                {
                    **base,
                    "assessed": False,
                    "schedule_status": NOT_APPLICABLE,
                    "note": text("criteria.town_not_assessed", "en"),
                    "note_vi": text("criteria.town_not_assessed", "vi"),
                }
            )
            continue
        verdicts = by_unit.get(code, {})
        highest = _highest(verdicts, selection.levels)
        statuses = [
            _milestone_status(
                lv,
                due,
                year=year,
                highest=highest,
                recognised=rec_level,
                verdicts=verdicts,
                maintain=maintain,
                recognitions_known=recognitions is not None,
            )
            for lv, due in milestones
        ]
        at_target = level_rows.get((code, target_level))
        counts = {
            k: (at_target[k] if at_target is not None else None)
            for k in (
                "criteria_met",
                "criteria_not_met",
                "criteria_not_assessed",
                "criteria_total",
                "missing",
                "gap_vi",
                "gap_en",
                "unverified",
            )
        }
        rows.append(
            {
                **base,
                "assessed": True,
                "highest_level": highest,
                "schedule_status": _overall(statuses),
                **counts,
                **{
                    column: _commune_note(
                        code, target_level, at_target, verdicts, level_rows, selection, lang=lang
                    )
                    for column, lang in (("note", "en"), ("note_vi", "vi"))
                },
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in (
        "recognised_year",
        "target_year",
        "year",
        "criteria_met",
        "criteria_not_met",
        "criteria_not_assessed",
        "criteria_total",
    ):
        frame[column] = pd.array([None if is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    frame["assessed"] = frame["assessed"].astype(bool)
    return frame


def _commune_note(
    code: str,
    target_level: str,
    at_target: Mapping[str, Any] | None,
    verdicts: Mapping[str, str],
    level_rows: Mapping[tuple[str, str], Mapping[str, Any]],
    selection: CriteriaSelection,
    *,
    lang: str,
) -> str:
    """The commune's note in ``lang`` (the summary carries ``note`` in English, ``note_vi``)."""
    note = (
        ""
        if at_target is not None
        else text("criteria.level_not_defined", lang, level=target_level, sets=selection.set_ids)
    )
    # A level below the target can fail while the target's own criteria pass (an unverified
    # threshold keeps a report that a verified one overturns below): say so beside "missing".
    lost = [
        (lv, level_rows[(code, lv)]["missing"])
        for lv in selection.levels
        if level_rank(lv) < level_rank(target_level) and verdicts.get(lv) == NOT_MET
    ]
    return "; ".join(
        filter(
            None,
            [note]
            + [
                text(
                    "criteria.lower_level_not_met", lang, level=label("ntm_level", lv, lang), missing=missing
                )
                for lv, missing in lost
            ],
        )
    )


def village_summary(
    villages: pd.DataFrame, levels: pd.DataFrame, village_reports: pd.DataFrame, selection: CriteriaSelection
) -> pd.DataFrame:
    """Per village: model-village (thôn NTM kiểu mẫu) status and scheduled year.

    Parameters
    ----------
    villages : DataFrame
        ``village_id, name, commune_code, kind`` and optionally ``model_target_year``.
    levels : DataFrame
        :func:`~ntmgis.criteria.level_verdicts` of the villages against the model-village set.
    village_reports : DataFrame
        Village status rows of every year up to the evaluation (``unit_code, met, year``), for
        the first year a village was reported met.
    selection : CriteriaSelection
        The model-village set and the year.

    Returns
    -------
    DataFrame
        ``VILLAGE_COLUMNS``; ``schedule_status`` is achieved / on_track / late / not_assessed /
        not_scheduled (no target year) / not_applicable (not a thôn; note ``not_a_thon``).
    """
    year = selection.year
    applicable = selection.village.applies_to("village_kind") if selection.village else None
    level = selection.village.levels[-1] if selection.village else "kieu_mau"
    verdicts = {r["unit_code"]: r for r in records(levels[levels["level"] == level])}
    first_met: dict[str, int] = {}
    if len(village_reports):
        met_rows = village_reports[village_reports["met"].eq(True) & village_reports["year"].notna()]
        first_met = met_rows.groupby("unit_code")["year"].min().astype(int).to_dict()
    rows = []
    for village in records(villages):
        vid = str(village["village_id"])
        target = village.get("model_target_year")
        target = None if target is None or is_missing(target) else int(target)
        base = {
            "village_id": vid,
            "name": village.get("name"),
            "commune_code": village.get("commune_code"),
            "kind": village.get("kind"),
            "year": year,
            "target_year": target,
            "criteria_set": selection.village.id if selection.village else None,
        }
        if selection.village is None or (applicable is not None and village.get("kind") not in applicable):
            rows.append(
                {
                    **base,
                    "assessed": False,
                    "status": NOT_APPLICABLE,
                    "schedule_status": NOT_APPLICABLE,
                    "note": "not_a_thon",  # a code: the report shows it in its language
                }
            )
            continue
        verdict = verdicts.get(vid, {})
        status = verdict.get("status", NOT_ASSESSED)
        achieved_year = first_met.get(vid) if status == MET else None
        model = None if status == NOT_ASSESSED else status == MET
        rows.append(
            {
                **base,
                "assessed": True,
                "model_village": model,
                "status": status,
                "achieved_year": achieved_year
                if achieved_year is not None
                else (year if status == MET else None),
                "schedule_status": _village_schedule(status, target, year),
                "gap_vi": verdict.get("gap_vi", ""),
                "gap_en": verdict.get("gap_en", ""),
                "note": "",
            }
        )
    frame = pd.DataFrame(rows, columns=VILLAGE_COLUMNS)
    for column in ("year", "achieved_year", "target_year"):
        frame[column] = pd.array([None if is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    frame["model_village"] = pd.array(
        [None if is_missing(v) else bool(v) for v in frame["model_village"]], dtype="boolean"
    )
    return frame


def _village_schedule(status: str, target: int | None, year: int) -> str:
    if status == MET:
        return "achieved"
    if target is None:
        return "not_scheduled"
    if year < target:
        return "on_track"
    return NOT_ASSESSED if status == NOT_ASSESSED else "late"

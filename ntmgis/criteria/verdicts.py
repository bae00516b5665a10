"""Stages 2 and 3 of the evaluation: criterion verdicts from indicator verdicts, level verdicts
from criterion verdicts, and the level-by-level evaluation that ties the three stages together.

A level that *derives* from a lower one (QĐ 319 KM.1: "already meets nâng cao") reads the lower
level's verdict, which is why levels are evaluated in rank order (ntm → nâng cao → kiểu mẫu).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..codes import MET, NOT_ASSESSED, NOT_MET, level_rank, status_code
from ..labels import text
from ..problems import Problem
from .indicators import Prefer, group_records, implied, indicator_frame, indicator_rows
from .records import records

__all__ = ["CRITERION_COLUMNS", "LEVEL_COLUMNS", "evaluate_criteria", "evaluate_levels", "level_verdicts"]

CRITERION_COLUMNS = [
    "unit_code",
    "level",
    "criterion",
    "criterion_vi",
    "criterion_en",
    "met",
    "status",
    "method",
    "indicators_met",
    "indicators_total",
    "unverified",
    "gap_vi",
    "gap_en",
    "reported_met",
]
LEVEL_COLUMNS = [
    "unit_code",
    "level",
    "status",
    "criteria_met",
    "criteria_not_met",
    "criteria_not_assessed",
    "criteria_total",
    "missing",
    "not_assessed",
    "gap_vi",
    "gap_en",
    "unverified",
]


def _whole_reports(reports: pd.DataFrame) -> dict[tuple, list[dict[str, Any]]]:
    """Whole-criterion reports (no indicator) by (unit, criterion)."""
    return group_records(
        reports[reports["indicator"].isna()] if len(reports) else None, ("unit_code", "criterion")
    )


def evaluate_criteria(
    indicators: pd.DataFrame, reports: pd.DataFrame, thresholds: pd.DataFrame, *, prefer: Prefer = "computed"
) -> pd.DataFrame:
    """Combine indicator verdicts (and whole-criterion reports) into criterion verdicts.

    A criterion is not met when one of its indicators is not met, met when all are, and otherwise
    takes a whole-criterion report ("Đạt" for criterion 2) if there is one. With
    ``prefer="reported"`` a whole-criterion report decides even against measured indicators.

    Parameters
    ----------
    indicators : DataFrame
        :func:`~ntmgis.criteria.evaluate_indicators`.
    reports : DataFrame
        The canonical status rows the indicators were evaluated with.
    thresholds : DataFrame
        The threshold table (criterion names, inherited levels).
    prefer : {"computed", "reported"}

    Returns
    -------
    DataFrame
        ``CRITERION_COLUMNS``; ``unverified`` lists the indicators whose unverified threshold
        decided something; ``gap_vi`` / ``gap_en`` list what is missing.
    """
    rows = _criterion_rows(records(indicators), _whole_reports(reports), thresholds, prefer=prefer)
    return _criterion_frame(rows)


def _criterion_rows(
    indicator_rows: list[dict[str, Any]],
    whole: Mapping[tuple, list[dict[str, Any]]],
    thresholds: pd.DataFrame,
    *,
    prefer: Prefer,
) -> list[dict[str, Any]]:
    names = {r["criterion"]: r for r in records(thresholds.drop_duplicates("criterion"))}
    # Inherited kiểu mẫu criteria (1–19) also take reports made at the base level (nâng cao).
    inherited = {
        (r["level"], r["criterion"]): r["inherited_from"] or ""
        for r in records(thresholds[["level", "criterion", "inherited_from"]].fillna(""))
    }
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in indicator_rows:
        grouped.setdefault((record["unit_code"], record["level"], record["criterion"]), []).append(record)
    rows = []
    for (unit_code, level, criterion), group in grouped.items():
        reported = None
        reports_here = whole.get((unit_code, criterion))
        if reports_here and (len(group) > 1 or group[0]["method"] == "none"):
            exact_levels = {level, inherited.get((level, criterion), "")} - {""}
            exact = [r for r in reports_here if r["level"] in exact_levels and r["met"] is not None]
            reported = bool(exact[-1]["met"]) if exact else implied(reports_here, level)
        met, method, by_whole_report = _criterion_verdict(group, reported, prefer=prefer)
        crit_name = {
            lang: names[criterion][f"criterion_{lang}"] if criterion in names else criterion
            for lang in ("vi", "en")
        }
        rows.append(
            {
                "unit_code": unit_code,
                "level": level,
                "criterion": criterion,
                "criterion_vi": crit_name["vi"],
                "criterion_en": crit_name["en"],
                "met": met,
                "status": status_code(met),
                "method": method,
                "indicators_met": [r["status"] for r in group].count(MET),
                "indicators_total": len(group),
                "unverified": ""
                if by_whole_report
                else ", ".join(
                    r["indicator"]
                    for r in group
                    if r["threshold_used"] and not r["verified"] and r["status"] != NOT_ASSESSED
                ),
                **_criterion_gaps(group, criterion, crit_name, met=met, by_whole_report=by_whole_report),
                "reported_met": reported,
            }
        )
    return rows


def _criterion_verdict(
    group: list[dict[str, Any]], reported: bool | None, *, prefer: Prefer
) -> tuple[bool | None, str, bool]:
    """(met, method, decided by a whole-criterion report) of one criterion."""
    statuses = [r["status"] for r in group]
    from_indicators = False if NOT_MET in statuses else (True if all(st == MET for st in statuses) else None)
    deciding = [r for r in group if r["status"] == NOT_MET] if from_indicators is False else group
    unverified_only = from_indicators is not None and all(
        r["method"] == "computed" and not r["verified"] for r in deciding
    )
    if reported is not None and (prefer == "reported" or (unverified_only and reported != from_indicators)):
        # As for indicators: an unverified measured verdict does not overturn a report.
        return reported, "reported", True
    if from_indicators is not None:
        used = {r["method"] for r in group if r["status"] != NOT_ASSESSED}
        return from_indicators, used.pop() if len(used) == 1 else "mixed", False
    if reported is not None:
        return reported, "reported", True
    return None, "none", False


def _criterion_gaps(
    group: list[dict[str, Any]],
    criterion: str,
    name: Mapping[str, str],
    *,
    met: bool | None,
    by_whole_report: bool,
) -> dict[str, str]:
    failing = [r for r in group if r["status"] == NOT_MET]
    if met is False and failing and not by_whole_report:
        return {
            "gap_vi": "; ".join(r["gap_vi"] for r in failing),
            "gap_en": "; ".join(r["gap_en"] for r in failing),
        }
    if met is False:
        return {
            f"gap_{lang}": f"{criterion} {name[lang]}: {text('common.not_met', lang)}"
            for lang in ("vi", "en")
        }
    if met is None:
        # Measured values without a threshold (QĐ 51/2025): "2.1 đường xã: 83 % (ngưỡng chưa có)".
        return {
            f"gap_{lang}": "; ".join(r[f"gap_{lang}"] for r in group if r[f"gap_{lang}"])
            for lang in ("vi", "en")
        }
    return {"gap_vi": "", "gap_en": ""}


def _criterion_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=CRITERION_COLUMNS)
    frame["met"] = pd.array(frame["met"].tolist(), dtype="boolean")
    frame["reported_met"] = pd.array(frame["reported_met"].tolist(), dtype="boolean")
    return frame


def level_verdicts(criteria: pd.DataFrame) -> pd.DataFrame:
    """One verdict per (unit, level): met when every criterion is, not met when one is not.

    Parameters
    ----------
    criteria : DataFrame
        :func:`evaluate_criteria`.

    Returns
    -------
    DataFrame
        ``LEVEL_COLUMNS``: ``missing`` / ``not_assessed`` list criterion ids, ``gap_vi`` /
        ``gap_en`` join the criteria's gap texts.
    """
    return pd.DataFrame(_level_rows(records(criteria)), columns=LEVEL_COLUMNS)


def _level_rows(criterion_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in criterion_rows:
        grouped.setdefault((record["unit_code"], record["level"]), []).append(record)
    rows = []
    for (unit_code, level), group in grouped.items():
        statuses = [r["status"] for r in group]
        status = (
            NOT_MET if NOT_MET in statuses else (MET if all(st == MET for st in statuses) else NOT_ASSESSED)
        )
        failing = [r for r in group if r["status"] == NOT_MET]
        rows.append(
            {
                "unit_code": unit_code,
                "level": level,
                "status": status,
                "criteria_met": statuses.count(MET),
                "criteria_not_met": len(failing),
                "criteria_not_assessed": statuses.count(NOT_ASSESSED),
                "criteria_total": len(group),
                "missing": ", ".join(r["criterion"] for r in failing),
                "not_assessed": ", ".join(r["criterion"] for r in group if r["status"] == NOT_ASSESSED),
                "gap_vi": "; ".join(r["gap_vi"] for r in failing if r["gap_vi"]),
                "gap_en": "; ".join(r["gap_en"] for r in failing if r["gap_en"]),
                "unverified": ", ".join(r["unverified"] for r in group if r["unverified"]),
            }
        )
    return rows


def evaluate_levels(
    thresholds: pd.DataFrame,
    reports: pd.DataFrame,
    computed: pd.DataFrame | None,
    *,
    units: list[str],
    year: int,
    prefer: Prefer,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Indicators, criteria and level verdicts, level by level in rank order.

    Returns
    -------
    (indicators, criteria, levels, problems)
        The frames of :func:`~ntmgis.criteria.evaluate_indicators`, :func:`evaluate_criteria`
        and :func:`level_verdicts` for every level of ``thresholds``.
    """
    indicator_list: list[dict[str, Any]] = []
    criterion_list: list[dict[str, Any]] = []
    level_list: list[dict[str, Any]] = []
    problems: list[Problem] = []
    whole = _whole_reports(reports)
    for level in sorted(thresholds["level"].unique(), key=level_rank):
        at_level = thresholds[thresholds["level"] == level].reset_index(drop=True)
        lookup = {(r["unit_code"], r["level"]): (r["status"], r["missing"]) for r in level_list}
        rows, found = indicator_rows(
            at_level, reports, computed, units=units, year=year, prefer=prefer, level_lookup=lookup
        )
        problems.extend(found)
        criteria = _criterion_rows(rows, whole, at_level, prefer=prefer)
        indicator_list.extend(rows)
        criterion_list.extend(criteria)
        level_list.extend(_level_rows(criteria))
    return (
        indicator_frame(indicator_list),
        _criterion_frame(criterion_list),
        pd.DataFrame(level_list, columns=LEVEL_COLUMNS),
        problems,
    )

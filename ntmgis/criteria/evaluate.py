"""Evaluate communes, villages and the district against criteria sets and the district plan.

Everything here is pure: tables and the plan in, new tables out, nothing read from disk and nothing
mutated. The flow, per level in rank order (ntm → nâng cao → kiểu mẫu):

1. :func:`evaluate_indicators` — one row per (unit, level, indicator): the value (measured from
   layers or reported), the threshold, met / not met / not assessed, how it was decided.
2. :func:`evaluate_criteria` — one row per (unit, level, criterion), with the gap text of what is
   missing ("2.2 đường thôn: 64 % / 70 %").
3. :func:`level_verdicts` — one row per (unit, level).

A level that *derives* from a lower one (QĐ 319 KM.1: "already meets nâng cao") reads the lower
level's verdict, which is why levels are evaluated in order. On top of these:
:func:`commune_summary` (highest level met, target and schedule status), :func:`village_summary`,
:func:`district_progress` (achieved vs plan per year), :func:`sector_targets` and
:func:`cross_check` (reported "met" contradicted by measurement — the inspector's list).

Missing data is never a failure: without a measured value, a reported verdict or a reported value
that can be tested, an indicator is "not assessed".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pandas as pd

from ..plan import Plan
from ..problems import Problem
from ..status import parse_criterion_header, parse_level
from ..vocab import label
from .sets import OPS, UNVERIFIED_NOTE, CriteriaSelection, choose_criteria, level_rank

__all__ = [
    "CriteriaAssessment",
    "DISTRICT_UNIT",
    "STATUSES",
    "evaluate",
    "evaluate_workspace",
    "evaluate_indicators",
    "evaluate_criteria",
    "level_verdicts",
    "commune_summary",
    "village_summary",
    "district_progress",
    "sector_targets",
    "cross_check",
    "format_gap",
]

#: ``unit_code`` of district-wide rows in the computed-indicator table (sector targets).
DISTRICT_UNIT = "district"
#: Verdicts of an indicator, criterion or level.
STATUSES = ("met", "not_met", "not_assessed", "not_applicable")
Prefer = Literal["computed", "reported"]

# Computed values may come as shares (0–1) while thresholds are in percent.
_SHARE_UNITS = {"share", "fraction", "ratio"}
_PERCENT_UNITS = {"%", "percent", "pct"}
_UNIT_LABELS = {
    "%": {"vi": "%", "en": "%"},
    "million VND/person/year": {"vi": "triệu đồng/người/năm", "en": "million VND/person/year"},
    "houses": {"vi": "nhà", "en": "houses"},
    "products": {"vi": "sản phẩm", "en": "products"},
    "models": {"vi": "mô hình", "en": "models"},
    "share": {"vi": "", "en": ""},
}
_WORDS = {
    "vi": {"met": "đạt", "not_met": "chưa đạt", "unverified": "ngưỡng chưa xác minh",
           "pass": "Đạt", "unknown": "ngưỡng chưa có", "missing": "thiếu"},
    "en": {"met": "met", "not_met": "not met", "unverified": "threshold unverified",
           "pass": "Met", "unknown": "threshold unknown", "missing": "missing"},
}
_OP_TEXT = {">=": "", ">": "> ", "<=": "≤ ", "<": "< ", "==": ""}

INDICATOR_COLUMNS = [
    "unit_code", "criteria_set", "level", "criterion", "indicator", "name_vi", "short_vi",
    "short_en", "kind", "value", "unit", "op", "threshold", "met", "status", "method", "source",
    "verified", "threshold_used", "overridden", "year", "status_year", "computed_value",
    "computed_met", "reported_met", "reported_exact", "reported_value", "inherited_from", "role",
    "gap_vi", "gap_en", "note",
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _status(met: bool | None) -> str:
    return "not_assessed" if met is None else ("met" if met else "not_met")


def _number(value: float, lang: str) -> str:
    if float(value).is_integer():
        text = f"{int(value):,}".replace(",", "." if lang == "vi" else ",")
    else:
        text = f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0")
        if lang == "vi":
            text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def _with_unit(value: float, unit: str, lang: str) -> str:
    label = _UNIT_LABELS.get(unit, {}).get(lang, unit)
    return f"{_number(value, lang)} {label}".strip()


def format_gap(row: Mapping[str, Any], lang: str = "vi") -> str:
    """The gap text of one not-met indicator: ``"2.2 đường thôn: 64 % / 70 %"``.

    Parameters
    ----------
    row : mapping
        An indicator row (:func:`evaluate_indicators`).
    lang : {"vi", "en"}

    Returns
    -------
    str
        ``"<id> <short name>: <value> / <threshold>"``; ``": chưa đạt"`` when there is no value,
        and "(ngưỡng chưa xác minh)" / "(threshold unverified)" when an unverified threshold was
        used.
    """
    words = _WORDS[lang]
    head = f"{row['indicator']} {row['short_' + lang]}"
    value, threshold = row.get("value"), row.get("threshold")
    if row.get("kind") == "pass_fail" or _is_missing(value):
        text = f"{head}: {words['not_met']}"
    elif _is_missing(threshold):
        text = f"{head}: {_with_unit(value, row['unit'], lang)} ({words['unknown']})"
    else:
        text = (f"{head}: {_with_unit(value, row['unit'], lang)} / "
                f"{_OP_TEXT.get(row['op'], '')}{_with_unit(threshold, row['unit'], lang)}")
    if row.get("threshold_used") and not row.get("verified"):
        text += f" ({words['unverified']})"
    return text


def _test(value: object, op: str, threshold: float, kind: str) -> bool | None:
    if _is_missing(value):
        return None
    if kind == "pass_fail":
        return bool(value)
    if _is_missing(threshold):
        return None
    return bool(OPS[op](float(value), float(threshold)))


def _canonical_reports(status: pd.DataFrame | None, unit_column: str, *, year: int,
                       default_level: str, layer: str, problems: list[Problem],
                       latest: bool = True) -> pd.DataFrame:
    """Status rows as (unit_code, criterion, indicator, level, met, value, year, note, evidence),
    not after ``year``; with ``latest`` only the latest per (unit, criterion, indicator, level)."""
    columns = ["unit_code", "criterion", "indicator", "level", "met", "value", "year", "note", "evidence"]
    if status is None or status.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    later = 0
    for position, record in enumerate(status.to_dict("records")):
        row_year = record.get("year")
        row_year = None if _is_missing(row_year) else int(row_year)
        if row_year is not None and row_year > year:
            later += 1
            continue
        raw_criterion = record.get("criterion")
        if _is_missing(raw_criterion):
            continue
        parsed = parse_criterion_header(raw_criterion)
        criterion, indicator = parsed if parsed else (str(raw_criterion).strip(), None)
        raw_indicator = record.get("indicator")
        if not _is_missing(raw_indicator) and str(raw_indicator).strip():
            parsed_indicator = parse_criterion_header(raw_indicator)
            indicator = parsed_indicator[1] if parsed_indicator and parsed_indicator[1] \
                else str(raw_indicator).strip()
        level = record.get("level")
        met = record.get("met")
        value = record.get("value")
        if _is_missing(level) or not str(level).strip():
            level = default_level
        else:
            level = parse_level(level) or str(level).strip()
        rows.append({
            "unit_code": str(record[unit_column]), "criterion": criterion, "indicator": indicator,
            "level": level,
            "met": None if _is_missing(met) else bool(met),
            "value": None if _is_missing(value) else float(value),
            "year": row_year, "note": None if _is_missing(record.get("note")) else record.get("note"),
            "evidence": str(record.get("cell") or f"{layer} row {position + 1}"),
        })
    if later:
        problems.append(Problem("", layer, "", f"{later} row(s) are from after the evaluation "
                                f"year {year}", "not used", "info"))
    frame = pd.DataFrame(rows, columns=columns)
    if frame.empty or not latest:
        return frame
    frame["_order"] = frame["year"].fillna(-1)
    frame = frame.sort_values("_order", kind="stable")
    keys = ["unit_code", "criterion", "indicator", "level"]
    latest = frame.groupby(keys, dropna=False, sort=False).tail(1)
    return latest.drop(columns="_order").reset_index(drop=True)


def _convert_computed(value: object, unit: object, target_unit: str, kind: str) -> float | None:
    """A computed value in the threshold's unit, or None when the units cannot be reconciled."""
    if _is_missing(value):
        return None
    if kind == "pass_fail":
        return float(bool(value))
    given = "" if _is_missing(unit) else str(unit).strip().lower()
    if given in _SHARE_UNITS and target_unit in _PERCENT_UNITS:
        return float(value) * 100.0
    if given in ("", target_unit.lower()) or (given in _PERCENT_UNITS and target_unit in _PERCENT_UNITS):
        return float(value)
    return None


# --------------------------------------------------------------------------------------------
# Stage 1: indicators
# --------------------------------------------------------------------------------------------

def evaluate_indicators(
    thresholds: pd.DataFrame,
    reports: pd.DataFrame,
    computed: pd.DataFrame | None = None,
    *,
    units: Iterable[str],
    year: int,
    prefer: Prefer = "computed",
    level_status: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Evaluate every indicator of ``thresholds`` for every unit.

    Parameters
    ----------
    thresholds : DataFrame
        Threshold table (:meth:`CriteriaSet.thresholds`), any number of levels.
    reports : DataFrame
        Canonical status rows: ``unit_code, criterion, indicator, level, met, value, year``
        (``indicator`` missing for a whole-criterion row).
    computed : DataFrame, optional
        Measured indicators: ``unit_code, indicator, value, unit``; ``indicator`` is the
        ``computed:`` name of the YAML (``road_concretized_share_thon``) or the indicator id
        (``2.2``). Shares (``unit`` = ``share``) are converted to percent.
    units : iterable of str
        Unit codes to evaluate (communes the set applies to).
    year : int
        Evaluation year (recorded in every row).
    prefer : {"computed", "reported"}
        Which evidence decides when a measured and a reported verdict disagree (both are kept
        for :func:`cross_check`). Whatever ``prefer`` says, a measured verdict against an
        unverified threshold does not overturn a reported one.
    level_status : DataFrame, optional
        ``unit_code, level, status`` of lower levels, for derived indicators (QĐ 319 KM.1).

    Returns
    -------
    (DataFrame, list of Problem)
        Rows with the columns ``INDICATOR_COLUMNS``; ``met`` is a nullable boolean, ``status``
        one of met / not_met / not_assessed, ``method`` computed / reported / derived / none,
        ``threshold_used`` True when ntmgis compared a value with the threshold.
    """
    level_lookup = {} if level_status is None else {
        (str(r["unit_code"]), str(r["level"])): (str(r["status"]), r.get("missing") or "")
        for r in level_status.to_dict("records")}
    rows, problems = _indicator_rows(thresholds, reports, computed, units=units, year=year,
                                     prefer=prefer, level_lookup=level_lookup)
    return _indicator_frame(rows), problems


def _indicator_rows(thresholds: pd.DataFrame, reports: pd.DataFrame, computed: pd.DataFrame | None, *,
                    units: Iterable[str], year: int, prefer: Prefer,
                    level_lookup: Mapping[tuple[str, str], tuple[str, str]],
                    ) -> tuple[list[dict[str, Any]], list[Problem]]:
    problems: list[Problem] = []
    units = [str(u) for u in units]
    by_report = _group_records(reports, ("unit_code", "criterion"))
    computed_index = _group_records(computed, ("unit_code", "indicator"))
    # A whole-criterion report speaks for the indicator when the criterion has only one.
    single = thresholds.groupby(["level", "criterion"])["indicator"].nunique().eq(1).to_dict()
    criterion_of = dict(zip(thresholds["indicator"], thresholds["criterion"], strict=False))
    unit_mismatch: set[tuple[str, str]] = set()

    rows = []
    for t in thresholds.to_dict("records"):
        # Concatenated threshold tables carry NaN where a set said nothing; NaN is truthy.
        t = {k: None if _is_missing(v) else v for k, v in t.items()}
        t["inherited_from"] = t["inherited_from"] or ""
        exact_levels = {t["level"], t["inherited_from"]} - {""}
        value_criterion = criterion_of.get(t["value_from"], t["value_from"]) if t["value_from"] \
            else t["criterion"]
        value_indicator = t["value_from"] or t["indicator"]
        # A value borrowed from another indicator (KM.2 ← income 10) may come from its
        # whole-criterion row; an own whole-criterion row counts for a lone indicator only.
        whole_counts = bool(t["value_from"]) or bool(single.get((t["level"], t["criterion"])))
        for unit_code in units:
            note = t["threshold_note"] or ""
            if t["method"] == "derived":
                lower, missing = level_lookup.get((unit_code, t["level_met"]), (None, ""))
                met = None if lower in (None, "not_assessed") else lower == "met"
                note = f"{t['level_met']}: {missing}" if met is False and missing else note
                rows.append(_indicator_row(t, unit_code, year, value=None, met=met, method="derived",
                                           extra={"note": note}))
                continue
            computed_value = computed_met = None
            if t["method"] == "computed":
                found = computed_index.get((unit_code, str(t["computed"]))) or \
                    computed_index.get((unit_code, str(t["indicator"])))
                if found:
                    record = found[-1]
                    computed_value = _convert_computed(record.get("value"), record.get("unit"),
                                                       t["unit"], t["kind"])
                    if computed_value is None and not _is_missing(record.get("value")):
                        unit_mismatch.add((str(record.get("unit")), t["indicator"]))
                    test = _test(computed_value, t["op"], t["threshold"], t["kind"])
                    role = t["role"] or "full"
                    computed_met = test if role == "full" else (
                        True if test is True and role == "sufficient" else
                        False if test is False and role == "necessary" else None)
            reported_met = reported_exact = reported_value = status_year = None
            own = [r for r in by_report.get((unit_code, value_criterion), ())
                   if r["indicator"] == value_indicator or (r["indicator"] is None and whole_counts)]
            if own:
                with_value = [r for r in own if r["value"] is not None]
                if with_value:
                    reported_value, status_year = with_value[-1]["value"], with_value[-1]["year"]
                if not t["value_from"]:
                    exact = [r for r in own if r["level"] in exact_levels and r["met"] is not None]
                    if exact:
                        reported_exact, status_year = exact[-1]["met"], exact[-1]["year"]
                    reported_met = reported_exact
                if reported_met is None and reported_value is not None:
                    reported_met = _test(reported_value, t["op"], t["threshold"], t["kind"])
                    if reported_met is None and t["kind"] != "pass_fail":
                        note = "; ".join(filter(None, [note, "reported value, threshold unknown"]))
                if reported_met is None and not t["value_from"]:
                    reported_met = _implied(own, t["level"])
            value_tested = reported_met is not None and reported_exact is None and \
                reported_value is not None
            order = ("computed", "reported") if prefer == "computed" else ("reported", "computed")
            if computed_met is not None and reported_met is not None and computed_met != reported_met \
                    and not t["verified"]:
                # A number no source confirms never overturns what the office reported; the
                # disagreement still goes to the cross-check.
                order = ("reported", "computed")
            met, method = None, "none"
            for source in order:
                candidate = computed_met if source == "computed" else reported_met
                if candidate is not None:
                    met, method = candidate, source
                    break
            if method == "computed":
                value, threshold_used = computed_value, True
            else:
                value = reported_value if reported_value is not None else computed_value
                threshold_used = method == "reported" and value_tested
            rows.append(_indicator_row(t, unit_code, year, value=value, met=met, method=method, extra={
                "status_year": status_year, "computed_value": computed_value,
                "computed_met": computed_met, "reported_met": reported_met,
                "reported_exact": reported_exact, "reported_value": reported_value,
                "threshold_used": threshold_used and t["kind"] != "pass_fail", "note": note}))
    for unit, indicator in sorted(unit_mismatch):
        problems.append(Problem("", "computed indicators", indicator, f"computed unit {unit!r} does "
                                "not fit the threshold's unit", "not used; give % or share", "warning"))
    for row in rows:
        for lang, missing_word in (("vi", "thiếu tiêu chí"), ("en", "missing criteria")):
            gap = ""
            if row["status"] == "not_met":
                gap = format_gap(row, lang)
                if row["method"] == "derived" and row["note"]:
                    # A derived verdict (KM.1) names the lower level's missing criteria.
                    gap += f" ({missing_word} {row['note'].split(': ', 1)[1]})"
            row[f"gap_{lang}"] = gap
    return rows, problems


def _indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    for column in ("met", "computed_met", "reported_met", "reported_exact"):
        frame[column] = pd.array(frame[column].tolist(), dtype="boolean")
    for column in ("value", "threshold", "computed_value", "reported_value"):
        frame[column] = frame[column].astype(float)
    frame["status_year"] = pd.array([None if _is_missing(v) else int(v) for v in frame["status_year"]],
                                    dtype="Int64")
    for column in ("verified", "threshold_used", "overridden"):
        frame[column] = frame[column].astype(bool)
    return frame


def _group_records(frame: pd.DataFrame | None, keys: tuple[str, ...]) -> dict[tuple, list[dict[str, Any]]]:
    """Rows of ``frame`` as plain dicts grouped by ``keys`` (in row order); missing values → None."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    if frame is None or frame.empty:
        return groups
    for record in frame.to_dict("records"):
        clean = {k: None if _is_missing(v) else v for k, v in record.items()}
        groups.setdefault(tuple(str(clean[k]) for k in keys), []).append(clean)
    return groups


def _implied(rows: Iterable[Mapping[str, Any]], level: str) -> bool | None:
    """A verdict at another level that implies this one: met higher ⇒ met here, not met lower ⇒ not.

    Thresholds rise with the level in every set (nâng cao ⊇ NTM), which is what makes this sound.
    """
    rank = level_rank(level)
    verdicts = [(level_rank(r["level"]), bool(r["met"])) for r in rows if r["met"] is not None]
    if any(other > rank and met for other, met in verdicts):
        return True
    if any(other < rank and not met for other, met in verdicts):
        return False
    return None


def _indicator_row(t: Mapping[str, Any], unit_code: str, year: int, *, value: float | None,
                   met: bool | None, method: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    row = {column: None for column in INDICATOR_COLUMNS}
    row.update({key: t[key] for key in ("criteria_set", "level", "criterion", "indicator", "name_vi",
                                        "short_vi", "short_en", "kind", "unit", "op", "threshold",
                                        "source", "verified", "overridden", "inherited_from", "role")})
    row.update(unit_code=unit_code, value=value, met=met, status=_status(met), method=method,
               year=year, threshold_used=False)
    row.update(extra)
    return row


# --------------------------------------------------------------------------------------------
# Stage 2 and 3: criteria and levels
# --------------------------------------------------------------------------------------------

CRITERION_COLUMNS = ["unit_code", "level", "criterion", "criterion_vi", "criterion_en", "met",
                     "status", "method", "indicators_met", "indicators_total", "unverified",
                     "gap_vi", "gap_en", "reported_met"]


def evaluate_criteria(indicators: pd.DataFrame, reports: pd.DataFrame, thresholds: pd.DataFrame, *,
                      prefer: Prefer = "computed") -> pd.DataFrame:
    """Combine indicator verdicts (and whole-criterion reports) into criterion verdicts.

    A criterion is not met when one of its indicators is not met, met when all are, and otherwise
    takes a whole-criterion report ("Đạt" for criterion 2) if there is one. With
    ``prefer="reported"`` a whole-criterion report decides even against measured indicators.

    Returns
    -------
    DataFrame
        ``CRITERION_COLUMNS``; ``unverified`` lists the indicators whose unverified threshold
        decided something; ``gap_vi`` / ``gap_en`` list what is missing.
    """
    whole = _group_records(reports[reports["indicator"].isna()] if len(reports) else None,
                           ("unit_code", "criterion"))
    rows = _criterion_rows(indicators.to_dict("records"), whole, thresholds, prefer=prefer)
    return _criterion_frame(rows)


def _criterion_rows(indicator_rows: list[dict[str, Any]], whole: Mapping[tuple, list[dict[str, Any]]],
                    thresholds: pd.DataFrame, *, prefer: Prefer) -> list[dict[str, Any]]:
    names = {r["criterion"]: r for r in thresholds.drop_duplicates("criterion").to_dict("records")}
    # Inherited kiểu mẫu criteria (1–19) also take reports made at the base level (nâng cao).
    inherited = {(r["level"], r["criterion"]): r["inherited_from"] or ""
                 for r in thresholds[["level", "criterion", "inherited_from"]].fillna("").to_dict("records")}
    grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in indicator_rows:
        grouped.setdefault((record["unit_code"], record["level"], record["criterion"]), []).append(record)
    rows = []
    for (unit_code, level, criterion), group in grouped.items():
        statuses = [r["status"] for r in group]
        reported = None
        reports_here = whole.get((unit_code, criterion))
        if reports_here and (len(group) > 1 or group[0]["method"] == "none"):
            exact_levels = {level, inherited.get((level, criterion), "")} - {""}
            exact = [r for r in reports_here if r["level"] in exact_levels and r["met"] is not None]
            reported = bool(exact[-1]["met"]) if exact else _implied(reports_here, level)
        from_indicators = False if "not_met" in statuses else (
            True if all(st == "met" for st in statuses) else None)
        deciding = [r for r in group if r["status"] == "not_met"] if from_indicators is False else group
        unverified_only = from_indicators is not None and all(
            r["method"] == "computed" and not r["verified"] for r in deciding)
        if reported is not None and (prefer == "reported" or (
                unverified_only and reported != from_indicators)):
            # As for indicators: an unverified measured verdict does not overturn a report.
            met, method, by_whole_report = reported, "reported", True
        elif from_indicators is not None:
            used = {r["method"] for r in group if r["status"] != "not_assessed"}
            met, method, by_whole_report = from_indicators, used.pop() if len(used) == 1 else "mixed", False
        elif reported is not None:
            met, method, by_whole_report = reported, "reported", True
        else:
            met, method, by_whole_report = None, "none", False
        failing = [r for r in group if r["status"] == "not_met"]
        crit_name = {lang: names[criterion][f"criterion_{lang}"] if criterion in names else criterion
                     for lang in ("vi", "en")}
        if met is False and failing and not by_whole_report:
            gap_vi = "; ".join(r["gap_vi"] for r in failing)
            gap_en = "; ".join(r["gap_en"] for r in failing)
        elif met is False:
            gap_vi = f"{criterion} {crit_name['vi']}: {_WORDS['vi']['not_met']}"
            gap_en = f"{criterion} {crit_name['en']}: {_WORDS['en']['not_met']}"
        else:
            gap_vi = gap_en = ""
        unverified = "" if by_whole_report else ", ".join(
            r["indicator"] for r in group
            if r["threshold_used"] and not r["verified"] and r["status"] != "not_assessed")
        rows.append({"unit_code": unit_code, "level": level, "criterion": criterion,
                     "criterion_vi": crit_name["vi"], "criterion_en": crit_name["en"], "met": met,
                     "status": _status(met), "method": method,
                     "indicators_met": statuses.count("met"), "indicators_total": len(group),
                     "unverified": unverified, "gap_vi": gap_vi, "gap_en": gap_en,
                     "reported_met": reported})
    return rows


def _criterion_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=CRITERION_COLUMNS)
    frame["met"] = pd.array(frame["met"].tolist(), dtype="boolean")
    frame["reported_met"] = pd.array(frame["reported_met"].tolist(), dtype="boolean")
    return frame


LEVEL_COLUMNS = ["unit_code", "level", "status", "criteria_met", "criteria_not_met",
                 "criteria_not_assessed", "criteria_total", "missing", "not_assessed", "gap_vi",
                 "gap_en", "unverified"]


def level_verdicts(criteria: pd.DataFrame) -> pd.DataFrame:
    """One verdict per (unit, level): met when every criterion is, not met when one is not.

    Returns
    -------
    DataFrame
        ``LEVEL_COLUMNS``: ``missing`` / ``not_assessed`` list criterion ids, ``gap_vi`` /
        ``gap_en`` join the criteria's gap texts.
    """
    return pd.DataFrame(_level_rows(criteria.to_dict("records")), columns=LEVEL_COLUMNS)


def _level_rows(criterion_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in criterion_rows:
        grouped.setdefault((record["unit_code"], record["level"]), []).append(record)
    rows = []
    for (unit_code, level), group in grouped.items():
        statuses = [r["status"] for r in group]
        status = "not_met" if "not_met" in statuses else (
            "met" if all(st == "met" for st in statuses) else "not_assessed")
        failing = [r for r in group if r["status"] == "not_met"]
        rows.append({"unit_code": unit_code, "level": level, "status": status,
                     "criteria_met": statuses.count("met"), "criteria_not_met": len(failing),
                     "criteria_not_assessed": statuses.count("not_assessed"),
                     "criteria_total": len(group),
                     "missing": ", ".join(r["criterion"] for r in failing),
                     "not_assessed": ", ".join(r["criterion"] for r in group
                                               if r["status"] == "not_assessed"),
                     "gap_vi": "; ".join(r["gap_vi"] for r in failing if r["gap_vi"]),
                     "gap_en": "; ".join(r["gap_en"] for r in failing if r["gap_en"]),
                     "unverified": ", ".join(r["unverified"] for r in group if r["unverified"])})
    return rows


def _evaluate_levels(thresholds: pd.DataFrame, reports: pd.DataFrame, computed: pd.DataFrame | None,
                     *, units: list[str], year: int, prefer: Prefer,
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Indicators, criteria and level verdicts, level by level in rank order."""
    indicator_rows: list[dict[str, Any]] = []
    criterion_rows: list[dict[str, Any]] = []
    level_rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    whole = _group_records(reports[reports["indicator"].isna()] if len(reports) else None,
                           ("unit_code", "criterion"))
    for level in sorted(thresholds["level"].unique(), key=level_rank):
        at_level = thresholds[thresholds["level"] == level].reset_index(drop=True)
        lookup = {(r["unit_code"], r["level"]): (r["status"], r["missing"]) for r in level_rows}
        rows, found = _indicator_rows(at_level, reports, computed, units=units, year=year,
                                      prefer=prefer, level_lookup=lookup)
        problems.extend(found)
        criteria = _criterion_rows(rows, whole, at_level, prefer=prefer)
        indicator_rows.extend(rows)
        criterion_rows.extend(criteria)
        level_rows.extend(_level_rows(criteria))
    return (_indicator_frame(indicator_rows), _criterion_frame(criterion_rows),
            pd.DataFrame(level_rows, columns=LEVEL_COLUMNS), problems)


# --------------------------------------------------------------------------------------------
# Communes, villages, district
# --------------------------------------------------------------------------------------------

SUMMARY_COLUMNS = [
    "commune_code", "name", "kind", "assessed", "criteria_set", "year", "highest_level",
    "recognised_level", "recognised_year", "target_level", "target_year", "milestones",
    "schedule_status", "criteria_met", "criteria_not_met", "criteria_not_assessed", "criteria_total",
    "missing", "gap_vi", "gap_en", "unverified", "note",
]


def _milestones(plan: Plan) -> dict[str, list[tuple[str, int]]]:
    """(level, year) the plan sets, by commune code (communes it does not name: see _milestones_of)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for level, schedule in (("nang_cao", plan.nang_cao_schedule()), ("kieu_mau", plan.kieu_mau_schedule())):
        for row in schedule.itertuples():
            found.setdefault(str(row.commune_code), []).append((level, int(row.year)))
    return {code: sorted(m, key=lambda x: (x[1], level_rank(x[0]))) for code, m in found.items()}


def _milestones_of(plan: Plan, schedule: Mapping[str, list[tuple[str, int]]],
                   commune_code: str) -> tuple[list[tuple[str, int]], bool]:
    """The commune's milestones and whether they are "keep NTM" (maintain) milestones."""
    if commune_code in schedule:
        return schedule[commune_code], False
    # Plan II.1: "100% các xã duy trì đạt chuẩn ... đến năm 2025" for the communes not scheduled.
    return [("ntm", int(plan.data["period"][1]))], True


def _highest(levels: Mapping[str, str], order: Iterable[str]) -> str | None:
    highest: str | None = None
    for level in order:
        status = levels.get(level, "not_assessed")
        if status == "met":
            highest = level
            continue
        if status == "not_met" and highest is None:
            return "chua_dat"
        break
    return highest


def _milestone_status(level: str, due: int, *, year: int, highest: str | None, recognised: str | None,
                      verdicts: Mapping[str, str], maintain: bool, recognitions_known: bool) -> str:
    """achieved / on_track / late / not_assessed of one plan milestone, at the end of ``year``.

    A status year describes the state at its end, so a milestone due that year and not reached is
    late. "Keep NTM" (communes the schedules do not name) is a standard to hold every year: it is
    late as soon as the criteria show NTM lost, whatever year it was recognised.
    """
    rank = level_rank(level)
    evaluated = level_rank(highest) >= rank
    known_not_met = highest == "chua_dat" or any(
        verdicts.get(lv) == "not_met" for lv in verdicts if level_rank(lv) <= rank)
    if maintain:
        if evaluated:
            return "achieved"
        if known_not_met:
            return "late"
        return "achieved" if level_rank(recognised) >= rank else "not_assessed"
    if evaluated or level_rank(recognised) >= rank:
        return "achieved"
    if year < due:
        return "on_track"
    # Past due and not reached: known when the criteria say so or when recognitions are kept
    # (the absence of a decision is then evidence); otherwise nothing can be said.
    return "late" if known_not_met or recognitions_known else "not_assessed"


def commune_summary(
    communes: pd.DataFrame,
    levels: pd.DataFrame,
    plan: Plan,
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
        :func:`level_verdicts` of the communes.
    plan : Plan
        Nâng cao and kiểu mẫu schedules; other communes keep NTM to the plan's last year.
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
    order = selection.levels
    applicable = selection.commune.applies_to("commune_kind")
    by_unit = {u: dict(zip(g["level"], g["status"], strict=True)) for u, g in levels.groupby("unit_code")}
    level_rows = {(r["unit_code"], r["level"]): r for r in levels.to_dict("records")}
    recognised = _recognised(recognitions, year)
    schedule = _milestones(plan)
    rows = []
    for commune in communes.to_dict("records"):
        code = str(commune["commune_code"])
        kind = commune.get("kind")
        rec_level, rec_year = recognised.get(code, (None, None))
        milestones, maintain = _milestones_of(plan, schedule, code)
        target_level, target_year = max(milestones, key=lambda m: (level_rank(m[0]), m[1]))
        base = {"commune_code": code, "name": commune.get("name"), "kind": kind,
                "criteria_set": selection.set_ids, "year": year, "recognised_level": rec_level,
                "recognised_year": rec_year, "target_level": target_level, "target_year": target_year,
                "milestones": ", ".join(f"{lv} {y}" for lv, y in milestones)}
        if applicable is not None and kind not in applicable:
            rows.append({**base, "assessed": False, "schedule_status": "not_applicable",
                         "note": "thị trấn: không đánh giá theo bộ tiêu chí xã / town: not assessed "
                                 "against the commune criteria"})
            continue
        verdicts = by_unit.get(code, {})
        highest = _highest(verdicts, order)
        statuses = [_milestone_status(lv, due, year=year, highest=highest, recognised=rec_level,
                                      verdicts=verdicts, maintain=maintain,
                                      recognitions_known=recognitions is not None)
                    for lv, due in milestones]
        overall = ("late" if "late" in statuses else "achieved" if all(s == "achieved" for s in statuses)
                   else "not_assessed" if "not_assessed" in statuses else "on_track")
        at_target = level_rows.get((code, target_level))
        note = "" if at_target is not None else (
            f"level {target_level} is not defined in {selection.set_ids}: not assessed")
        # A level below the target can fail while the target's own criteria pass (an unverified
        # threshold keeps a report that a verified one overturns below): say so beside "missing".
        lost = [(lv, level_rows[(code, lv)]["missing"]) for lv in order
                if level_rank(lv) < level_rank(target_level) and verdicts.get(lv) == "not_met"]
        note = "; ".join(filter(None, [note] + [
            f"mức {label('ntm_level', lv, 'en')} chưa đạt, tiêu chí {missing} / "
            f"{label('ntm_level', lv, 'en')} level not met, criteria {missing}" for lv, missing in lost]))
        counts = {k: (at_target[k] if at_target is not None else None)
                  for k in ("criteria_met", "criteria_not_met", "criteria_not_assessed", "criteria_total",
                            "missing", "gap_vi", "gap_en", "unverified")}
        rows.append({**base, "assessed": True, "highest_level": highest, "schedule_status": overall,
                     **counts, "note": note})
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("recognised_year", "target_year", "year", "criteria_met", "criteria_not_met",
                   "criteria_not_assessed", "criteria_total"):
        frame[column] = pd.array([None if _is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    frame["assessed"] = frame["assessed"].astype(bool)
    return frame


def _recognised(recognitions: pd.DataFrame | None, year: int) -> dict[str, tuple[str, int]]:
    """Highest recognised level per commune up to ``year``: {code: (level, year of decision)}."""
    if recognitions is None or recognitions.empty:
        return {}
    best: dict[str, tuple[str, int]] = {}
    for row in recognitions.to_dict("records"):
        if _is_missing(row.get("year")) or int(row["year"]) > year:
            continue
        code, level, when = str(row["commune_code"]), str(row["level"]), int(row["year"])
        current = best.get(code)
        if current is None or (level_rank(level), -when) > (level_rank(current[0]), -current[1]):
            best[code] = (level, when)
    return best


VILLAGE_COLUMNS = ["village_id", "name", "commune_code", "kind", "assessed", "criteria_set", "year",
                   "model_village", "status", "achieved_year", "target_year", "schedule_status",
                   "gap_vi", "gap_en", "note"]


def village_summary(villages: pd.DataFrame, levels: pd.DataFrame, village_reports: pd.DataFrame,
                    selection: CriteriaSelection) -> pd.DataFrame:
    """Per village: model-village (thôn NTM kiểu mẫu) status and scheduled year.

    Parameters
    ----------
    villages : DataFrame
        ``village_id, name, commune_code, kind`` and optionally ``model_target_year``.
    levels : DataFrame
        :func:`level_verdicts` of the villages against the model-village set.
    village_reports : DataFrame
        Village status rows of every year up to the evaluation (``unit_code, met, year``), for
        the first year a village was reported met.
    """
    year = selection.year
    applicable = selection.village.applies_to("village_kind") if selection.village else None
    level = selection.village.levels[-1] if selection.village else "kieu_mau"
    verdicts = {r["unit_code"]: r for r in levels[levels["level"] == level].to_dict("records")}
    first_met: dict[str, int] = {}
    if len(village_reports):
        met_rows = village_reports[village_reports["met"].eq(True) & village_reports["year"].notna()]
        first_met = met_rows.groupby("unit_code")["year"].min().astype(int).to_dict()
    rows = []
    for village in villages.to_dict("records"):
        vid = str(village["village_id"])
        target = village.get("model_target_year")
        target = None if _is_missing(target) else int(target)
        base = {"village_id": vid, "name": village.get("name"), "commune_code": village.get("commune_code"),
                "kind": village.get("kind"), "year": year, "target_year": target,
                "criteria_set": selection.village.id if selection.village else None}
        if selection.village is None or (applicable is not None and village.get("kind") not in applicable):
            rows.append({**base, "assessed": False, "status": "not_applicable",
                         "schedule_status": "not_applicable", "note": "not a thôn"})
            continue
        verdict = verdicts.get(vid, {})
        status = verdict.get("status", "not_assessed")
        achieved_year = first_met.get(vid) if status == "met" else None
        if status == "met":
            schedule = "achieved"
        elif target is None:
            schedule = "not_scheduled"
        elif year < target:
            schedule = "on_track"
        elif status == "not_assessed":
            schedule = "not_assessed"
        else:
            schedule = "late"
        model = None if status == "not_assessed" else status == "met"
        rows.append({**base, "assessed": True, "model_village": model, "status": status,
                     "achieved_year": achieved_year if achieved_year is not None else (
                         year if status == "met" else None),
                     "schedule_status": schedule, "gap_vi": verdict.get("gap_vi", ""),
                     "gap_en": verdict.get("gap_en", ""), "note": ""})
    frame = pd.DataFrame(rows, columns=VILLAGE_COLUMNS)
    for column in ("year", "achieved_year", "target_year"):
        frame[column] = pd.array([None if _is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    frame["model_village"] = pd.array([None if _is_missing(v) else bool(v) for v in frame["model_village"]],
                                      dtype="boolean")
    return frame


PROGRESS_COLUMNS = ["measure", "year", "planned", "planned_cumulative", "achieved",
                    "achieved_cumulative", "achieved_unscheduled_cumulative",
                    "scheduled_in_layer_cumulative", "status"]


def achieved_years(summary: pd.DataFrame, recognitions: pd.DataFrame | None, *, year: int,
                   levels: Iterable[str] = ("ntm", "nang_cao", "kieu_mau")) -> dict[tuple[str, str], int]:
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
    """
    levels = tuple(levels)
    found: dict[tuple[str, str], int] = {}
    if recognitions is not None and len(recognitions):
        for row in recognitions.to_dict("records"):
            if _is_missing(row.get("year")) or int(row["year"]) > year:
                continue
            for level in levels:
                if level_rank(str(row["level"])) >= level_rank(level):
                    key = (str(row["commune_code"]), level)
                    found[key] = min(found.get(key, int(row["year"])), int(row["year"]))
    for row in summary.to_dict("records"):
        if not row.get("assessed") or _is_missing(row.get("highest_level")):
            continue
        for level in levels:
            if level_rank(row.get("highest_level")) >= level_rank(level):
                key = (str(row["commune_code"]), level)
                found[key] = min(found.get(key, year), year)
    return found


def district_progress(plan: Plan, summary: pd.DataFrame, villages: pd.DataFrame | None, *,
                      year: int, recognitions: pd.DataFrame | None = None) -> pd.DataFrame:
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
        ``future``.
    """
    first, last = (int(y) for y in plan.data["period"])
    years = list(range(first, last + 1))
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
            rows.append({"measure": f"{level}_communes", "year": y, "planned": planned.get(y, 0),
                         "planned_cumulative": planned_cum,
                         "achieved": None if future else len({c for c in done if achieved_year[c] == y}
                                                              & scheduled),
                         "achieved_cumulative": None if future else len(done & scheduled),
                         "achieved_unscheduled_cumulative": None if future else len(done - scheduled),
                         "scheduled_in_layer_cumulative": None,
                         "status": "future" if future else (
                             "on_track" if len(done & scheduled) >= planned_cum else "behind")})
    planned_villages = plan.model_villages_by_year().to_dict()
    achieved_villages: dict[str, int] = {}
    layer_targets: dict[int, int] = {}
    if villages is not None and len(villages):
        for row in villages.to_dict("records"):
            if row.get("model_village") is True or row.get("status") == "met":
                achieved_villages[str(row["village_id"])] = int(row["achieved_year"]) \
                    if not _is_missing(row.get("achieved_year")) else year
            if not _is_missing(row.get("target_year")):
                layer_targets[int(row["target_year"])] = layer_targets.get(int(row["target_year"]), 0) + 1
    for y in years:
        planned_cum = sum(n for yy, n in planned_villages.items() if yy <= y)
        future = y > year
        done = sum(1 for w in achieved_villages.values() if w <= y)
        rows.append({"measure": "model_villages", "year": y, "planned": planned_villages.get(y, 0),
                     "planned_cumulative": planned_cum,
                     "achieved": None if future else sum(1 for w in achieved_villages.values() if w == y),
                     "achieved_cumulative": None if future else done,
                     "achieved_unscheduled_cumulative": None,
                     "scheduled_in_layer_cumulative": sum(n for yy, n in layer_targets.items() if yy <= y)
                     if layer_targets else None,
                     "status": "future" if future else ("on_track" if done >= planned_cum else "behind")})
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    for column in ("year", "planned", "planned_cumulative", "achieved", "achieved_cumulative",
                   "achieved_unscheduled_cumulative", "scheduled_in_layer_cumulative"):
        frame[column] = pd.array([None if _is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    return frame


SECTOR_COLUMNS = ["group", "target_id", "section", "op", "target", "unit", "text", "value",
                  "value_unit", "met", "status", "value_source"]


def _plan_targets(plan: Plan) -> list[dict[str, Any]]:
    data = plan.data
    targets = []
    keep = data["communes"].get("keep_ntm_share")
    if keep is not None:
        targets.append({"group": "communes", "id": "keep_ntm_share", **dict(keep)})
    mech = data.get("district", {}).get("mechanisation_share")
    if mech is not None:
        targets.append({"group": "district", "id": "mechanisation_share", **dict(mech)})
    for item in data.get("sector_targets", ()):
        targets.append({"group": "sector", **dict(item)})
    for item in data.get("district_nang_cao_targets", ()):
        targets.append({"group": "district_nang_cao", **dict(item)})
    return targets


def _meets(value: float, op: str, target: Any) -> bool | None:
    if op == "between":
        low, high = (float(v) for v in target)
        return low <= value <= high
    if op in OPS and not isinstance(target, (tuple, list)):
        return bool(OPS[op](value, float(target)))
    return None


def sector_targets(plan: Plan, computed: pd.DataFrame | None = None, *,
                   summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every sector and district target of the plan with its current value where known.

    Values come from rows of ``computed`` with ``unit_code == "district"`` whose ``indicator`` is
    the plan target id (``canals_lined_share``, ``vietgap_concentrated_zone_ha``...), and, for the
    share of communes keeping NTM, from the evaluation (``summary``) when every commune was
    assessed. Anything else is "no data" — never a failure.

    Returns
    -------
    DataFrame
        ``SECTOR_COLUMNS``; ``status`` is met / not_met / no_data / text (a target without a
        number). The budget (931,359 = 712,276 + 219,083 million VND) is the last row.
    """
    values: dict[str, tuple[float, str, str]] = {}
    if computed is not None and len(computed):
        district = computed[computed["unit_code"].astype(str) == DISTRICT_UNIT]
        for row in district.to_dict("records"):
            unit = "" if _is_missing(row.get("unit")) else str(row["unit"])
            values[str(row["indicator"])] = (float(row["value"]), unit, "computed")
    if summary is not None and len(summary) and "keep_ntm_share" not in values:
        assessed = summary[summary["assessed"]]
        if len(assessed) and assessed["highest_level"].notna().all():
            share = float((assessed["highest_level"] != "chua_dat").mean())
            values["keep_ntm_share"] = (share, "share", "evaluation")
    rows = []
    for target in _plan_targets(plan):
        goal = target.get("value")
        op = target.get("op", ">=" if goal is not None else "")
        unit = str(target.get("unit", ""))
        found = values.get(str(target["id"]))
        met = None
        value = value_unit = value_source = None
        if found is not None:
            value, value_unit, value_source = found
            comparable = value
            if value_unit in _PERCENT_UNITS and unit == "share":
                comparable = value / 100.0
            elif value_unit in _SHARE_UNITS and unit in _PERCENT_UNITS:
                comparable = value * 100.0
            met = _meets(comparable, op, goal) if goal is not None else None
        status = "text" if goal is None and found is None else (
            "no_data" if found is None else _status(met) if met is not None else "no_data")
        rows.append({"group": target["group"], "target_id": target["id"],
                     "section": target.get("section"), "op": op,
                     "target": "–".join(str(v) for v in goal) if isinstance(goal, (tuple, list)) else goal,
                     "unit": unit, "text": target.get("text", ""), "value": value,
                     "value_unit": value_unit, "met": met, "status": status, "value_source": value_source})
    budget = plan.data.get("budget")
    if budget is not None:
        parts = " + ".join(f"{k} {v:,}" for k, v in budget["parts"].items())
        rows.append({"group": "budget", "target_id": "budget_total", "section": budget.get("section"),
                     "op": "=", "target": budget["total"], "unit": budget.get("unit", ""),
                     "text": f"{budget['total']:,} = {parts}", "value": None, "value_unit": None,
                     "met": None, "status": "no_data", "value_source": None})
    frame = pd.DataFrame(rows, columns=SECTOR_COLUMNS)
    frame["met"] = pd.array([None if _is_missing(v) else bool(v) for v in frame["met"]], dtype="boolean")
    frame["target"] = frame["target"].astype(object)
    return frame


CROSS_CHECK_COLUMNS = ["unit_code", "level", "criterion", "indicator", "reported_at", "reported_met",
                       "measured_value", "unit", "op", "threshold", "measured_met", "verified",
                       "finding_vi", "finding_en"]


def cross_check(indicators: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Units where a reported verdict contradicts the measured value (the inspector's list).

    Compared only where both exist and the measurement is conclusive (a measure with role
    ``sufficient`` only proves "met", ``necessary`` only "not met"): an indicator reported at its
    own level, or a whole criterion reported "Đạt" while one of its measured indicators is below
    its threshold (or reported "Chưa đạt" while every indicator measures met). Inherited
    kiểu mẫu rows are not repeated.
    """
    own_frame = indicators[indicators["inherited_from"] == ""]
    keys = ["unit_code", "level", "criterion"]
    sizes = own_frame.groupby(keys).size().to_dict()
    own = [{k: None if _is_missing(v) else v for k, v in r.items()}
           for r in own_frame[own_frame["computed_met"].notna()].to_dict("records")]
    rows = [_finding(r, "indicator", bool(r["reported_exact"])) for r in own
            if r["reported_exact"] is not None and bool(r["reported_exact"]) != bool(r["computed_met"])]
    seen = {(r["unit_code"], r["level"], r["indicator"]) for r in rows}
    measured_by: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in own:
        measured_by.setdefault((r["unit_code"], r["level"], r["criterion"]), []).append(r)
    for c in criteria[criteria["reported_met"].notna()].to_dict("records"):
        key = (c["unit_code"], c["level"], c["criterion"])
        measured = measured_by.get(key, [])
        if sizes.get(key, 0) < 2 or not measured:
            continue  # a single-indicator criterion was compared as its indicator
        if bool(c["reported_met"]):
            contradicting = [r for r in measured if not r["computed_met"]]
        elif len(measured) == sizes[key] and all(r["computed_met"] for r in measured):
            contradicting = measured
        else:
            continue
        for r in contradicting:
            if (r["unit_code"], r["level"], r["indicator"]) not in seen:
                rows.append(_finding(r, "criterion", bool(c["reported_met"])))
    frame = pd.DataFrame(rows, columns=CROSS_CHECK_COLUMNS)
    frame["reported_met"] = frame["reported_met"].astype(bool)
    frame["measured_met"] = frame["measured_met"].astype(bool)
    frame["_rank"] = frame["level"].map(level_rank)
    frame = frame.sort_values(["unit_code", "_rank", "indicator"], kind="stable")
    return frame.drop(columns="_rank").reset_index(drop=True)


def _measured_text(r: Mapping[str, Any], lang: str) -> str:
    """``"2.2 đường thôn: 64 % / 70 %"`` for a measured indicator (its gap-text form)."""
    if r["kind"] == "pass_fail":
        present = {"vi": ("có", "không có"), "en": ("present", "absent")}[lang]
        return f"{r['indicator']} {r['short_' + lang]}: {present[0] if r['computed_value'] else present[1]}"
    measured = _with_unit(r["computed_value"], r["unit"], lang)
    threshold = _with_unit(r["threshold"], r["unit"], lang)
    return f"{r['indicator']} {r['short_' + lang]}: {measured} / {_OP_TEXT.get(r['op'], '')}{threshold}"


def _finding(r: Mapping[str, Any], reported_at: str, reported: bool) -> dict[str, Any]:
    whole = reported_at == "criterion"
    what = {"vi": f"tiêu chí {r['criterion']}" if whole else f"chỉ tiêu {r['indicator']}",
            "en": f"criterion {r['criterion']}" if whole else f"indicator {r['indicator']}"}
    verdict = {"vi": "đạt" if reported else "chưa đạt", "en": "met" if reported else "not met"}
    vi = f"báo cáo {what['vi']} {verdict['vi']} nhưng đo được {_measured_text(r, 'vi')}"
    en = f"{what['en']} reported {verdict['en']} but measured {_measured_text(r, 'en')}"
    if not r["verified"]:
        vi += f" ({_WORDS['vi']['unverified']})"
        en += f" ({_WORDS['en']['unverified']})"
    return {"unit_code": r["unit_code"], "level": r["level"], "criterion": r["criterion"],
            "indicator": r["indicator"], "reported_at": reported_at, "reported_met": reported,
            "measured_value": r["computed_value"], "unit": r["unit"], "op": r["op"],
            "threshold": r["threshold"], "measured_met": bool(r["computed_met"]),
            "verified": bool(r["verified"]), "finding_vi": vi, "finding_en": en}


# --------------------------------------------------------------------------------------------
# The whole evaluation
# --------------------------------------------------------------------------------------------

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

    @property
    def year(self) -> int:
        return self.selection.year

    def target_indicators(self) -> pd.DataFrame:
        """The indicator table of DESIGN.md: each commune's indicators at its target level.

        Columns include ``unit_code, indicator, value, unit, threshold, target_level, met,
        method, source, verified, criteria_set, year``.
        """
        targets = self.communes[self.communes["assessed"]][["commune_code", "target_level"]]
        merged = self.indicators.merge(targets, left_on=["unit_code", "level"],
                                       right_on=["commune_code", "target_level"], how="inner")
        return merged.drop(columns=["commune_code"]).reset_index(drop=True)

    def unverified_thresholds(self) -> pd.DataFrame:
        """Thresholds no source confirms, with what used them (communes whose verdict they decided)."""
        table = self.thresholds[~self.thresholds["verified"]].copy()
        used = self.indicators[self.indicators["threshold_used"] & ~self.indicators["verified"]
                               & (self.indicators["status"] != "not_assessed")]
        users = used.groupby(["level", "indicator"])["unit_code"].apply(
            lambda s: ", ".join(sorted(set(s)))).to_dict()
        table["used_for"] = [users.get((lv, ind), "") for lv, ind in zip(table["level"], table["indicator"],
                                                                          strict=True)]
        table["flag"] = UNVERIFIED_NOTE
        return table.reset_index(drop=True)


def _units_table(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: frame[c] if c in frame.columns else None for c in columns})
    return out.reset_index(drop=True)


def evaluate(
    communes: pd.DataFrame,
    commune_status: pd.DataFrame | None,
    plan: Plan,
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
        Long status table (``commune_status`` contract). Whole-criterion rows have no
        ``indicator``; rows without ``level`` count as the set's lowest level (NTM).
    plan : Plan
        The district plan (schedules, targets).
    selection : CriteriaSelection
        From :func:`~ntmgis.criteria.sets.choose_criteria`.
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
    units = [c for c, k in zip(commune_table["commune_code"], commune_table["kind"], strict=True)
             if kinds is None or k in kinds]
    thresholds = selection.thresholds()
    reports = _canonical_reports(commune_status, "commune_code", year=year,
                                 default_level=selection.commune.levels[0], layer="commune_status",
                                 problems=problems)
    problems.extend(_report_problems(reports, thresholds, set(commune_table["commune_code"]),
                                     "commune_status", selection.set_ids))
    indicators, criteria, levels, found = _evaluate_levels(thresholds, reports, computed, units=units,
                                                           year=year, prefer=prefer)
    problems.extend(found)
    if computed is not None and len(computed):
        known = set(thresholds["indicator"]) | set(thresholds["computed"].dropna())
        unused = sorted({str(i) for u, i in zip(computed["unit_code"], computed["indicator"], strict=True)
                         if str(u) != DISTRICT_UNIT and str(i) not in known})
        if unused:
            problems.append(Problem("", "computed indicators", "", f"indicators {unused} are not "
                                    f"used by {selection.set_ids}", "ignored", "info"))
    summary = commune_summary(commune_table, levels, plan, selection, recognitions=recognitions)

    village_frame = pd.DataFrame(columns=VILLAGE_COLUMNS)
    if villages is not None and selection.village is not None:
        village_table = _units_table(villages, ["village_id", "name", "commune_code", "kind",
                                                "model_target_year"])
        village_table["village_id"] = village_table["village_id"].astype(str)
        v_kinds = selection.village.applies_to("village_kind")
        v_units = [v for v, k in zip(village_table["village_id"], village_table["kind"], strict=True)
                   if v_kinds is None or k in v_kinds]
        v_reports = _canonical_reports(village_status, "village_id", year=year,
                                       default_level=selection.village.levels[0], layer="village_status",
                                       problems=problems)
        v_thresholds = selection.village_thresholds()
        problems.extend(_report_problems(v_reports, v_thresholds, set(village_table["village_id"]),
                                         "village_status", selection.village.id))
        _, _, v_levels, found = _evaluate_levels(v_thresholds, v_reports, None, units=v_units, year=year,
                                                 prefer=prefer)
        problems.extend(found)
        history = _canonical_reports(village_status, "village_id", year=year,
                                     default_level=selection.village.levels[0], layer="village_status",
                                     problems=[], latest=False)
        village_frame = village_summary(village_table, v_levels, history, selection)
    progress = district_progress(plan, summary, village_frame, year=year, recognitions=recognitions)
    sectors = sector_targets(plan, computed, summary=summary)
    return CriteriaAssessment(
        selection=selection, thresholds=thresholds, indicators=indicators, criteria=criteria,
        levels=levels, communes=summary, villages=village_frame, progress=progress, sectors=sectors,
        cross_check=cross_check(indicators, criteria), problems=tuple(problems), prefer=prefer)


def _report_problems(reports: pd.DataFrame, thresholds: pd.DataFrame, known_units: set[str],
                     layer: str, set_ids: str) -> list[Problem]:
    problems = []
    if reports.empty:
        return problems
    criteria = set(thresholds["criterion"])
    indicators = set(thresholds["indicator"])
    for r in reports.to_dict("records"):
        where = str(r["evidence"])
        if r["unit_code"] not in known_units:
            problems.append(Problem("", layer, where, f"unit {r['unit_code']!r} is not in the workspace",
                                    "row not used", "warning"))
        elif r["criterion"] not in criteria:
            problems.append(Problem("", layer, where, f"criterion {r['criterion']!r} is not in {set_ids}",
                                    "row not used", "warning"))
        elif r["indicator"] is not None and r["indicator"] not in indicators:
            problems.append(Problem("", layer, where, f"indicator {r['indicator']!r} is not in {set_ids}",
                                    "row not used", "warning"))
        elif level_rank(r["level"]) < 0:
            problems.append(Problem("", layer, where, f"unknown level {r['level']!r}", "row not used",
                                    "warning"))
    return problems


def _attributes(layer: pd.DataFrame) -> pd.DataFrame:
    geometry = getattr(layer, "geometry", None)
    name = geometry.name if geometry is not None else None
    return pd.DataFrame(layer.drop(columns=[name] if name in layer.columns else []))


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
        else the latest year in ``commune_status``, else the plan's last year.
    criteria_set : str, optional
        ``auto`` (choose by date) or a set id; default the workspace's ``criteria_set``.
    overrides : mapping, optional
        ``criteria_overrides``; default the workspace's ``criteria_overrides`` when it has one.
    region : str, optional
        Regional column; default the region of the workspace's province.
    """
    tables = set(workspace.table_names)
    status = workspace.table("commune_status") if "commune_status" in tables else None
    if as_of is None:
        if workspace.status_year:
            as_of = int(workspace.status_year)
        elif status is not None and status["year"].notna().any():
            as_of = int(status["year"].max())
        else:
            as_of = int(workspace.plan.data["period"][1])
    if overrides is None:
        overrides = getattr(workspace, "criteria_overrides", None)
    selection = choose_criteria(as_of, set_id=criteria_set or workspace.criteria_set or "auto",
                                overrides=overrides, province=workspace.district.get("province"),
                                region=region)
    communes = _attributes(workspace.layer("communes"))
    villages = _attributes(workspace.layer("villages")) if workspace.has_layer("villages") else None
    return evaluate(
        communes, status, workspace.plan, selection, computed=computed, villages=villages,
        village_status=workspace.table("village_status") if "village_status" in tables else None,
        recognitions=workspace.table("recognitions") if "recognitions" in tables else None,
        prefer=prefer)

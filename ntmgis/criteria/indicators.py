"""Stage 1 of the evaluation: one verdict per (unit, level, indicator).

An indicator is decided by a measured value (from the layers), a reported verdict or value (the
status table), or a lower level's verdict (derived: QĐ 319 KM.1 "already meets nâng cao").
Missing data is never a failure: without any of these the indicator is "not assessed".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from ..codes import MET, NOT_ASSESSED, NOT_MET, level_rank, status_code
from ..labels import text
from ..problems import Problem
from ..values import is_missing
from .gaps import format_gap, format_not_set
from .records import records
from .schema import OPS
from .sets import NOT_SET_NOTE

__all__ = ["INDICATOR_COLUMNS", "PERCENT_UNITS", "SHARE_UNITS", "Prefer", "evaluate_indicators"]

Prefer = Literal["computed", "reported"]

# Computed values may come as shares (0–1) while thresholds are in percent.
SHARE_UNITS = {"share", "fraction", "ratio"}
PERCENT_UNITS = {"%", "percent", "pct"}

INDICATOR_COLUMNS = [
    "unit_code",
    "criteria_set",
    "level",
    "criterion",
    "indicator",
    "name_vi",
    "short_vi",
    "short_en",
    "kind",
    "value",
    "unit",
    "op",
    "threshold",
    "met",
    "status",
    "method",
    "source",
    "verified",
    "threshold_used",
    "overridden",
    "year",
    "status_year",
    "computed_value",
    "computed_met",
    "reported_met",
    "reported_exact",
    "reported_value",
    "inherited_from",
    "role",
    "gap_vi",
    "gap_en",
    "note",
    "source_vi",
    "note_vi",
]


def none_for_nan(record: Mapping[str, Any]) -> dict[str, Any]:
    """A frame record with missing numbers (NaN, NA) as None; text, even empty, is kept.

    Records of concatenated frames carry NaN where a frame said nothing, and NaN is truthy.
    """
    return {k: None if not isinstance(v, str) and is_missing(v) else v for k, v in record.items()}


def group_records(frame: pd.DataFrame | None, keys: tuple[str, ...]) -> dict[tuple, list[dict[str, Any]]]:
    """Rows of ``frame`` as plain dicts grouped by ``keys`` (in row order); missing numbers → None."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    if frame is None or frame.empty:
        return groups
    for record in records(frame):
        clean = none_for_nan(record)
        groups.setdefault(tuple(str(clean[k]) for k in keys), []).append(clean)
    return groups


def implied(rows: Iterable[Mapping[str, Any]], level: str) -> bool | None:
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


def _test(value: float | None, op: str, threshold: float, kind: str) -> bool | None:
    if value is None or is_missing(value):
        return None
    if kind == "pass_fail":
        return bool(value)
    if is_missing(threshold):
        return None
    return bool(OPS[op](float(value), float(threshold)))


def _convert_computed(value: float | None, unit: object, target_unit: str, kind: str) -> float | None:
    """A computed value in the threshold's unit, or None when the units cannot be reconciled."""
    if value is None or is_missing(value):
        return None
    if kind == "pass_fail":
        return float(bool(value))
    given = "" if is_missing(unit) else str(unit).strip().lower()
    if given in SHARE_UNITS and target_unit in PERCENT_UNITS:
        return float(value) * 100.0
    if given in ("", target_unit.lower()) or (given in PERCENT_UNITS and target_unit in PERCENT_UNITS):
        return float(value)
    return None


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
        for :func:`~ntmgis.criteria.cross_check`). Whatever ``prefer`` says, a measured verdict
        against an unverified threshold does not overturn a reported one.
    level_status : DataFrame, optional
        ``unit_code, level, status`` of lower levels, for derived indicators (QĐ 319 KM.1).

    Returns
    -------
    (DataFrame, list of Problem)
        Rows with the columns ``INDICATOR_COLUMNS``; ``met`` is a nullable boolean, ``status``
        one of met / not_met / not_assessed, ``method`` computed / reported / derived / none,
        ``threshold_used`` True when ntmgis compared a value with the threshold.
    """
    level_lookup = (
        {}
        if level_status is None
        else {
            (str(r["unit_code"]), str(r["level"])): (str(r["status"]), r.get("missing") or "")
            for r in records(level_status)
        }
    )
    rows, problems = indicator_rows(
        thresholds, reports, computed, units=units, year=year, prefer=prefer, level_lookup=level_lookup
    )
    return indicator_frame(rows), problems


@dataclass(frozen=True)
class _Evidence:
    """What one level's evaluation reads: reports and measurements by unit, and the rules."""

    reports: Mapping[tuple, list[dict[str, Any]]]
    computed: Mapping[tuple, list[dict[str, Any]]]
    level_lookup: Mapping[tuple[str, str], tuple[str, str]]
    year: int
    prefer: Prefer


def indicator_rows(
    thresholds: pd.DataFrame,
    reports: pd.DataFrame,
    computed: pd.DataFrame | None,
    *,
    units: Iterable[str],
    year: int,
    prefer: Prefer,
    level_lookup: Mapping[tuple[str, str], tuple[str, str]],
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The indicator rows (plain dicts, with gap texts) of :func:`evaluate_indicators`."""
    units = [str(u) for u in units]
    evidence = _Evidence(
        group_records(reports, ("unit_code", "criterion")),
        group_records(computed, ("unit_code", "indicator")),
        level_lookup,
        year,
        prefer,
    )
    # A whole-criterion report speaks for the indicator when the criterion has only one.
    single = thresholds.groupby(["level", "criterion"])["indicator"].nunique().eq(1).to_dict()
    criterion_of = dict(zip(thresholds["indicator"], thresholds["criterion"], strict=False))
    unit_mismatch: set[tuple[str, str]] = set()
    rows: list[dict[str, Any]] = []
    for record in records(thresholds):
        t = _threshold(record, single, criterion_of)
        rows.extend(_indicator_verdict(t, unit_code, evidence, unit_mismatch) for unit_code in units)
    problems = [
        Problem.of(
            "problems.computed_unit_mismatch",
            layer="computed indicators",
            feature=indicator,
            unit=repr(unit),
        )
        for unit, indicator in sorted(unit_mismatch)
    ]
    for row in rows:
        _add_gaps(row)
    return rows, problems


def _threshold(
    record: Mapping[str, Any], single: Mapping[tuple[str, str], bool], criterion_of: Mapping[str, str]
) -> dict[str, Any]:
    """A threshold row with what every unit's evaluation of it needs (underscored keys)."""
    t = none_for_nan(record)
    t["inherited_from"] = t["inherited_from"] or ""
    t["_exact_levels"] = {t["level"], t["inherited_from"]} - {""}
    t["_value_criterion"] = (
        criterion_of.get(t["value_from"], t["value_from"]) if t["value_from"] else t["criterion"]
    )
    t["_value_indicator"] = t["value_from"] or t["indicator"]
    # A value borrowed from another indicator (KM.2 ← income 10) may come from its
    # whole-criterion row; an own whole-criterion row counts for a lone indicator only.
    t["_whole_counts"] = bool(t["value_from"]) or bool(single.get((t["level"], t["criterion"])))
    return t


def _indicator_verdict(
    t: Mapping[str, Any], unit_code: str, evidence: _Evidence, unit_mismatch: set[tuple[str, str]]
) -> dict[str, Any]:
    if t["method"] == "derived":
        lower, missing = evidence.level_lookup.get((unit_code, t["level_met"]), (None, ""))
        met = None if lower in (None, NOT_ASSESSED) else lower == MET
        derived = f"{t['level_met']}: {missing}" if met is False and missing else ""
        notes = {
            "note": derived or t["threshold_note"] or "",
            "note_vi": derived or t["threshold_note_vi"] or "",
        }
        return _indicator_row(t, unit_code, evidence.year, value=None, met=met, method="derived", extra=notes)
    computed_value, computed_met = _computed(t, unit_code, evidence, unit_mismatch)
    own = [
        r
        for r in evidence.reports.get((unit_code, t["_value_criterion"]), ())
        if r["indicator"] == t["_value_indicator"] or (r["indicator"] is None and t["_whole_counts"])
    ]
    reported = _reported(t, own)
    met, method = _decide(
        computed_met, reported["reported_met"], verified=t["verified"], prefer=evidence.prefer
    )
    value_tested = reported.pop("_value_tested")
    if method == "computed":
        value, threshold_used = computed_value, True
    else:
        value = reported["reported_value"] if reported["reported_value"] is not None else computed_value
        threshold_used = method == "reported" and value_tested
    return _indicator_row(
        t,
        unit_code,
        evidence.year,
        value=value,
        met=met,
        method=method,
        extra={
            **reported,
            "computed_value": computed_value,
            "computed_met": computed_met,
            "threshold_used": threshold_used and t["kind"] != "pass_fail",
        },
    )


def _computed(
    t: Mapping[str, Any], unit_code: str, evidence: _Evidence, unit_mismatch: set[tuple[str, str]]
) -> tuple[float | None, bool | None]:
    """The measured value in the threshold's unit and what it proves (by the measure's role)."""
    if t["method"] != "computed":
        return None, None
    found = evidence.computed.get((unit_code, str(t["computed"]))) or evidence.computed.get(
        (unit_code, str(t["indicator"]))
    )
    if not found:
        return None, None
    record = found[-1]
    value = _convert_computed(record.get("value"), record.get("unit"), t["unit"], t["kind"])
    if value is None and not is_missing(record.get("value")):
        unit_mismatch.add((str(record.get("unit")), t["indicator"]))
    if NOT_SET_NOTE in str(t["threshold_note"] or ""):
        # The set gives no number (QĐ 51/2025): the value is shown, the verdict is not assessed.
        return value, None
    test = _test(value, t["op"], t["threshold"], t["kind"])
    role = t["role"] or "full"
    if role == "full":
        return value, test
    # A sufficient measure only proves "met", a necessary one only "not met".
    return value, (
        True
        if test is True and role == "sufficient"
        else False
        if test is False and role == "necessary"
        else None
    )


def _reported(t: Mapping[str, Any], own: list[dict[str, Any]]) -> dict[str, Any]:
    """The reported verdict of one unit's indicator: exact, tested from a value, or implied."""
    out: dict[str, Any] = {
        "reported_met": None,
        "reported_exact": None,
        "reported_value": None,
        "status_year": None,
        "note": t["threshold_note"] or "",
        "note_vi": t["threshold_note_vi"] or "",
        "_value_tested": False,
    }
    if not own:
        return out
    with_value = [r for r in own if r["value"] is not None]
    if with_value:
        out["reported_value"], out["status_year"] = with_value[-1]["value"], with_value[-1]["year"]
    if not t["value_from"]:
        exact = [r for r in own if r["level"] in t["_exact_levels"] and r["met"] is not None]
        if exact:
            out["reported_exact"], out["status_year"] = exact[-1]["met"], exact[-1]["year"]
        out["reported_met"] = out["reported_exact"]
    if out["reported_met"] is None and out["reported_value"] is not None:
        out["reported_met"] = _test(out["reported_value"], t["op"], t["threshold"], t["kind"])
        if out["reported_met"] is None and t["kind"] != "pass_fail":
            for lang, column in (("en", "note"), ("vi", "note_vi")):
                added = text("criteria.reported_threshold_unknown", lang)
                out[column] = "; ".join(filter(None, [out[column], added]))
    if out["reported_met"] is None and not t["value_from"]:
        out["reported_met"] = implied(own, t["level"])
    out["_value_tested"] = (
        out["reported_met"] is not None
        and out["reported_exact"] is None
        and out["reported_value"] is not None
    )
    return out


def _decide(
    computed_met: bool | None, reported_met: bool | None, *, verified: bool, prefer: Prefer
) -> tuple[bool | None, str]:
    """The verdict and the evidence that decided it (computed / reported / none)."""
    order = ("computed", "reported") if prefer == "computed" else ("reported", "computed")
    if (
        computed_met is not None
        and reported_met is not None
        and computed_met != reported_met
        and not verified
    ):
        # A number no source confirms never overturns what the office reported; the
        # disagreement still goes to the cross-check.
        order = ("reported", "computed")
    for source in order:
        candidate = computed_met if source == "computed" else reported_met
        if candidate is not None:
            return candidate, source
    return None, "none"


def _add_gaps(row: dict[str, Any]) -> None:
    for lang in ("vi", "en"):
        gap = ""
        if row["status"] == NOT_MET:
            gap = format_gap(row, lang)
            if row["method"] == "derived" and row["note"]:
                # A derived verdict (KM.1) names the lower level's missing criteria.
                gap += f" ({text('criteria.missing_criteria', lang)} {row['note'].split(': ', 1)[1]})"
        elif row["status"] == NOT_ASSESSED and NOT_SET_NOTE in str(row["note"] or ""):
            gap = format_not_set(row, lang)
        row[f"gap_{lang}"] = gap


def indicator_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Indicator rows as a typed frame (nullable booleans, floats, ``Int64`` years)."""
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    for column in ("met", "computed_met", "reported_met", "reported_exact"):
        frame[column] = pd.array(frame[column].tolist(), dtype="boolean")
    for column in ("value", "threshold", "computed_value", "reported_value"):
        frame[column] = frame[column].astype(float)
    frame["status_year"] = pd.array(
        [None if is_missing(v) else int(v) for v in frame["status_year"]], dtype="Int64"
    )
    for column in ("verified", "threshold_used", "overridden"):
        frame[column] = frame[column].astype(bool)
    return frame


def _indicator_row(
    t: Mapping[str, Any],
    unit_code: str,
    year: int,
    *,
    value: float | None,
    met: bool | None,
    method: str,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(INDICATOR_COLUMNS)
    row.update(
        {
            key: t[key]
            for key in (
                "criteria_set",
                "level",
                "criterion",
                "indicator",
                "name_vi",
                "short_vi",
                "short_en",
                "kind",
                "unit",
                "op",
                "threshold",
                "source",
                "source_vi",
                "verified",
                "overridden",
                "inherited_from",
                "role",
            )
        }
    )
    row.update(
        unit_code=unit_code,
        value=value,
        met=met,
        status=status_code(met),
        method=method,
        year=year,
        threshold_used=False,
    )
    row.update(extra)
    return row

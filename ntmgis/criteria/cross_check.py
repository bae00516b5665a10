"""The inspector's list: reported verdicts that the measured values contradict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..codes import level_rank
from ..labels import text
from .gaps import format_threshold, format_value
from .indicators import none_for_nan
from .records import records

__all__ = ["CROSS_CHECK_COLUMNS", "cross_check"]


CROSS_CHECK_COLUMNS = [
    "unit_code",
    "level",
    "criterion",
    "indicator",
    "reported_at",
    "reported_met",
    "measured_value",
    "unit",
    "op",
    "threshold",
    "measured_met",
    "verified",
    "finding_vi",
    "finding_en",
]


def cross_check(indicators: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """Units where a reported verdict contradicts the measured value (the inspector's list).

    Compared only where both exist and the measurement is conclusive (a measure with role
    ``sufficient`` only proves "met", ``necessary`` only "not met"): an indicator reported at its
    own level, or a whole criterion reported "Đạt" while one of its measured indicators is below
    its threshold (or reported "Chưa đạt" while every indicator measures met). Inherited
    kiểu mẫu rows are not repeated.

    Parameters
    ----------
    indicators, criteria : DataFrame
        :func:`~ntmgis.criteria.evaluate_indicators` and :func:`~ntmgis.criteria.evaluate_criteria`.

    Returns
    -------
    DataFrame
        ``CROSS_CHECK_COLUMNS``, one row per contradicted indicator, with the finding in both
        languages (``finding_vi`` / ``finding_en``).
    """
    own_frame = indicators[indicators["inherited_from"] == ""]
    keys = ["unit_code", "level", "criterion"]
    sizes = own_frame.groupby(keys).size().to_dict()
    own = [none_for_nan(r) for r in records(own_frame[own_frame["computed_met"].notna()])]
    rows = [
        _finding(r, "indicator", bool(r["reported_exact"]))
        for r in own
        if r["reported_exact"] is not None and bool(r["reported_exact"]) != bool(r["computed_met"])
    ]
    seen = {(r["unit_code"], r["level"], r["indicator"]) for r in rows}
    measured_by: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for r in own:
        measured_by.setdefault((r["unit_code"], r["level"], r["criterion"]), []).append(r)
    for c in records(criteria[criteria["reported_met"].notna()]):
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
    head = f"{r['indicator']} {r['short_' + lang]}"
    if r["kind"] == "pass_fail":
        return f"{head}: {text('criteria.present' if r['computed_value'] else 'criteria.absent', lang)}"
    measured = format_value(r["computed_value"], r["unit"], lang)
    return f"{head}: {measured} / {format_threshold(r['threshold'], r['op'], r['unit'], lang)}"


def _finding(r: Mapping[str, Any], reported_at: str, reported: bool) -> dict[str, Any]:
    whole = reported_at == "criterion"
    texts = {}
    for lang in ("vi", "en"):
        what = (
            text("criteria.criterion_ref", lang, id=r["criterion"])
            if whole
            else text("criteria.indicator_ref", lang, id=r["indicator"])
        )
        verdict = text("common.met" if reported else "common.not_met", lang)
        finding = text("criteria.finding", lang, what=what, verdict=verdict, measured=_measured_text(r, lang))
        if not r["verified"]:
            finding += f" ({text('criteria.unverified', lang)})"
        texts[f"finding_{lang}"] = finding
    return {
        "unit_code": r["unit_code"],
        "level": r["level"],
        "criterion": r["criterion"],
        "indicator": r["indicator"],
        "reported_at": reported_at,
        "reported_met": reported,
        "measured_value": r["computed_value"],
        "unit": r["unit"],
        "op": r["op"],
        "threshold": r["threshold"],
        "measured_met": bool(r["computed_met"]),
        "verified": bool(r["verified"]),
        **texts,
    }

"""The report sheet "Kết quả giai đoạn 2021–2025" (``closing``): the plan's closing account.

Reads only :attr:`ntmgis.assessment.Assessment.closing` (computed in
:mod:`ntmgis.criteria.closing`). One table, district rows first, then the communes, for every
closing date (the plan's period end, then the 2025-06-30 handover). An achieved value the
workspace's tables do not give is an empty cell with "no data: no <table> table" beside it, never
a number. On the sample every row carries the sample note (``data_note``).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .assessment import Assessment
from .labels import words
from .values import is_missing
from .vocab import label
from .workspace import Workspace

__all__ = ["CLOSING_SHEET_COLUMNS", "closing_sheet", "closing_title"]

#: Column codes of the sheet, in order (display headers: ``catalogue/report_headers.yaml``).
CLOSING_SHEET_COLUMNS = [
    "as_of",
    "scope",
    "unit_code",
    "name",
    "measure",
    "plan_year",
    "planned_value",
    "planned_high",
    "unit",
    "achieved_value",
    "achieved_scheduled",
    "recognised_level",
    "recognised_year",
    "decision",
    "measured_level",
    "criteria_met",
    "criteria_total",
    "measured_year",
    "verdict",
    "value_source",
    "missing_table",
    "data_note",
]


def closing_title(assessment: Assessment, lang: str = "vi") -> str:
    """The account's title: "Kết quả giai đoạn 2021–2025" (from the plan's period), or "(no plan)"."""
    w = words("closing", lang)
    closing = assessment.closing
    if closing is None or closing.period is None:
        return w["title_no_plan"]
    first, last = closing.period
    return w["title"].format(first=first, last=last)


def _word(code: object, w: Mapping[str, str], lang: str) -> object:
    if not isinstance(code, str) or not code:
        return None if is_missing(code) else code
    return w.get(code) or words("report_codes", lang).get(code, code)


def _level(code: object, lang: str) -> object:
    return label("ntm_level", code, lang) if isinstance(code, str) and code else None


def _missing(table: object, w: Mapping[str, str]) -> str | None:
    if not isinstance(table, str) or not table:
        return None
    return w["missing_disbursement"] if table == "disbursement" else w["missing"].format(table=table)


def _district_rows(frame: pd.DataFrame, w: Mapping[str, str], lang: str) -> list[dict[str, object]]:
    return [
        {
            "as_of": r["as_of"].isoformat(),
            "scope": w["scope_district"],
            "measure": _word(r["measure"], w, lang),
            "plan_year": r["plan_year"] if not is_missing(r["plan_year"]) else w["total"],
            "planned_value": r["planned"],
            "planned_high": r["planned_high"],
            "unit": _word(r["unit"], {**words("report_units", lang), **w}, lang),
            "achieved_value": r["achieved"],
            "achieved_scheduled": r["achieved_scheduled"],
            "measured_year": r["measured_year"],
            "verdict": _word(r["status"], w, lang),
            "value_source": _word(r["value_source"], {}, lang),
            "missing_table": _missing(r["missing_table"], w),
        }
        for r in frame.to_dict("records")
    ]


def _commune_rows(frame: pd.DataFrame, w: Mapping[str, str], lang: str) -> list[dict[str, object]]:
    return [
        {
            "as_of": r["as_of"].isoformat(),
            "scope": w["scope_commune"],
            "unit_code": r["commune_code"],
            "name": r["name"],
            "measure": _level(r["level"], lang),
            "plan_year": r["plan_year"],
            "recognised_level": _level(r["recognised_level"], lang),
            "recognised_year": r["recognised_year"],
            "decision": r["decision"],
            "measured_level": _word(r["measured_level"], {}, lang)
            if r["measured_level"] == "not_applicable"
            else _level(r["measured_level"], lang),
            "criteria_met": r["criteria_met"],
            "criteria_total": r["criteria_total"],
            "measured_year": r["measured_year"],
            "verdict": _word(r["verdict"], w, lang),
            "value_source": None if r["missing_table"] else _word("recognitions", {}, lang),
            "missing_table": _missing(r["missing_table"], w),
        }
        for r in frame.to_dict("records")
    ]


def closing_sheet(workspace: Workspace | None, assessment: Assessment, *, lang: str = "vi") -> pd.DataFrame:
    """The closing account as a display table (codes as columns; :func:`ntmgis.report` renames).

    Parameters
    ----------
    workspace : Workspace or None
        For the sample note: on the sample every row carries it in ``data_note``.
    assessment : Assessment
    lang : {"vi", "en"}

    Returns
    -------
    DataFrame
        ``CLOSING_SHEET_COLUMNS`` (codes); without a plan the first row says so and the rows list
        the recognitions only.
    """
    w = words("closing", lang)
    closing = assessment.closing
    rows: list[dict[str, object]] = []
    if closing is None or not closing.has_plan:
        rows.append({"scope": w["scope_district"], "verdict": w["no_plan_row"]})
    if closing is not None:
        rows += _district_rows(closing.district, w, lang) + _commune_rows(closing.communes, w, lang)
    frame = pd.DataFrame(rows, columns=CLOSING_SHEET_COLUMNS)
    for column in (
        "achieved_scheduled",
        "recognised_year",
        "criteria_met",
        "criteria_total",
        "measured_year",
    ):
        frame[column] = pd.array([None if is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    for column in ("planned_value", "planned_high", "achieved_value"):
        frame[column] = pd.array(
            [None if is_missing(v) else float(v) for v in frame[column]], dtype="Float64"
        )
    frame["plan_year"] = frame["plan_year"].astype(object)
    sample = workspace is not None and getattr(workspace, "sample", False)
    frame["data_note"] = workspace.note(lang) if sample and workspace is not None else None
    if not sample:
        frame = frame.drop(columns=["data_note"])
    return frame

"""The texts of what is missing: ``"2.2 đường thôn: 64 % / 70 %"``, in Vietnamese and English.

Numbers are written the way each language writes them (``1.234,5`` / ``1,234.5``); every word
comes from the label catalogue (``ntmgis/catalogue/criteria.yaml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..labels import text, words
from ..values import is_missing

__all__ = ["format_gap", "format_number", "format_threshold", "format_value"]


def format_number(value: float, lang: str) -> str:
    """A number as written in ``lang``: integers without decimals, others with one or two.

    Examples
    --------
    >>> format_number(1234, "vi"), format_number(1234, "en"), format_number(64.25, "vi")
    ('1.234', '1,234', '64,2')
    """
    if float(value).is_integer():
        shown = f"{int(value):,}".replace(",", "." if lang == "vi" else ",")
    else:
        shown = f"{value:,.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0")
        if lang == "vi":
            shown = shown.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return shown


def format_value(value: float, unit: str, lang: str) -> str:
    """A value with its unit (``"64 %"``, ``"45 triệu đồng/người/năm"``; a share is a bare number).

    Examples
    --------
    >>> format_value(64, "%", "vi"), format_value(45.5, "million VND/person/year", "vi")
    ('64 %', '45,5 triệu đồng/người/năm')
    >>> format_value(3, "wells", "en")
    '3 wells'
    """
    number = format_number(value, lang)
    template = words("criteria", lang).get(f"value.{unit}")
    return template.format(number=number) if template is not None else f"{number} {unit}".strip()


def format_threshold(threshold: float, op: str, unit: str, lang: str) -> str:
    """A threshold with its operator: ``"70 %"`` for ≥ (the rule's default), ``"≤ 2 %"``.

    Examples
    --------
    >>> format_threshold(70, ">=", "%", "en"), format_threshold(2, "<=", "%", "en")
    ('70 %', '≤ 2 %')
    """
    value = format_value(threshold, unit, lang)
    template = words("criteria", lang).get(f"threshold.{op}", "{value}")
    return template.format(value=value)


def format_gap(row: Mapping[str, Any], lang: str = "vi") -> str:
    """The gap text of one not-met indicator: ``"2.2 đường thôn: 64 % / 70 %"``.

    Parameters
    ----------
    row : mapping
        An indicator row (:func:`~ntmgis.criteria.indicators.evaluate_indicators`).
    lang : {"vi", "en"}

    Returns
    -------
    str
        ``"<id> <short name>: <value> / <threshold>"``; ``": chưa đạt"`` when there is no value,
        and "(ngưỡng chưa xác minh)" / "(threshold unverified)" when an unverified threshold was
        used.

    Examples
    --------
    >>> row = {"indicator": "2.2", "short_vi": "đường thôn", "short_en": "village roads",
    ...        "kind": "number", "value": 64.0, "threshold": 70.0, "unit": "%", "op": ">=",
    ...        "threshold_used": True, "verified": False}
    >>> format_gap(row, "vi")
    '2.2 đường thôn: 64 % / 70 % (ngưỡng chưa xác minh)'
    >>> format_gap({**row, "value": None, "verified": True}, "en")
    '2.2 village roads: not met'
    """
    head = f"{row['indicator']} {row['short_' + lang]}"
    value, threshold = row.get("value"), row.get("threshold")
    if row.get("kind") == "pass_fail" or value is None or is_missing(value):
        shown = f"{head}: {text('common.not_met', lang)}"
    elif threshold is None or is_missing(threshold):
        unknown = text("criteria.threshold_unknown", lang)
        shown = f"{head}: {format_value(value, row['unit'], lang)} ({unknown})"
    else:
        shown = (
            f"{head}: {format_value(value, row['unit'], lang)} / "
            f"{format_threshold(threshold, row['op'], row['unit'], lang)}"
        )
    if row.get("threshold_used") and not row.get("verified"):
        shown += f" ({text('criteria.unverified', lang)})"
    return shown


def format_not_set(row: Mapping[str, Any], lang: str = "vi") -> str:
    """The text of a measured indicator whose set gives no threshold (QĐ 51/2025): the value and
    "ngưỡng chưa có" / "threshold not set"; empty when nothing was measured.

    Examples
    --------
    >>> row = {"indicator": "2.1", "short_vi": "đường xã", "short_en": "commune roads",
    ...        "kind": "number", "value": 83.0, "unit": "%"}
    >>> format_not_set(row, "vi")
    '2.1 đường xã: 83 % (ngưỡng chưa có)'
    >>> format_not_set({**row, "kind": "pass_fail", "value": 1.0}, "en")
    '2.1 commune roads: present (threshold not set)'
    """
    value = row.get("value")
    if value is None or is_missing(value):
        return ""
    if row.get("kind") == "pass_fail":
        shown = text("criteria.present" if value else "criteria.absent", lang)
    else:
        shown = format_value(value, row["unit"], lang)
    return f"{row['indicator']} {row['short_' + lang]}: {shown} ({text('criteria.threshold_not_set', lang)})"

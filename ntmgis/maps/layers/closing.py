"""The communes theme "kết quả giai đoạn 2021–2025": each commune's verdict in the closing account.

Reads :attr:`ntmgis.assessment.Assessment.closing` only (computed in :mod:`ntmgis.criteria.closing`):
the verdict at the account's main date (the plan's period end), worst of the commune's scheduled
levels, with one popup line per level (planned year, year recognised, verdict).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...labels import words
from ...values import is_missing
from ...vocab import label
from ..page import MapClass, Theme

if TYPE_CHECKING:
    from ...assessment import Assessment

__all__ = ["CLOSING_COLOURS", "closing_theme"]

#: Verdict colours, worst first (ColorBrewer RdYlBu for the verdicts; greys for no data / not
#: scheduled, which are not verdicts on the commune).
CLOSING_COLOURS = {
    "never_achieved": "#d7301f",
    "late": "#fdae61",
    "on_time": "#1a9641",
    "early": "#2c7bb6",
    "no_data": "#bdbdbd",
    "not_scheduled": "#f0f0f0",
}


def _detail(rows: Sequence[dict[str, object]], lang: str) -> str | None:
    w = words("closing", lang)
    lines = []
    for r in rows:
        if is_missing(r["level"]):
            continue
        lines.append(
            w["detail_row"].format(
                level=label("ntm_level", str(r["level"]), lang),
                plan_year="—" if is_missing(r["plan_year"]) else r["plan_year"],
                recognised_year="—" if is_missing(r["recognised_year"]) else r["recognised_year"],
                verdict=w[str(r["verdict"])],
            )
        )
    return "; ".join(lines) or None


def closing_theme(assessment: Assessment, codes: Sequence[str], *, lang: str = "vi") -> Theme | None:
    """The closing theme of the communes layer (``None`` when the assessment carries no account).

    Parameters
    ----------
    assessment : Assessment
    codes : sequence of str
        The layer's commune codes, in feature order.
    lang : {"vi", "en"}

    Returns
    -------
    Theme or None
        Values are verdict codes (``never_achieved, late, on_time, early, no_data,
        not_scheduled``); the legend lists them in that order, worst first.
    """
    closing = assessment.closing
    if closing is None:
        return None
    w = words("closing", lang)
    main = closing.dates[0]
    verdicts = closing.verdicts(main)
    verdict = dict(zip(verdicts["commune_code"].astype(str), verdicts["verdict"], strict=True))
    rows = closing.communes[closing.communes["as_of"] == main].to_dict("records")
    by_commune: dict[str, list[dict[str, object]]] = {}
    for r in rows:
        by_commune.setdefault(str(r["commune_code"]), []).append(r)
    if closing.period is None:
        title = w["title_no_plan"]
    else:
        title = w["title"].format(first=closing.period[0], last=closing.period[1])
    title = f"{title} ({w['as_of_note'].format(date=main.strftime('%d/%m/%Y'))})"
    return Theme(
        "closing",
        title,
        [str(verdict.get(c, "not_scheduled")) for c in codes],
        [MapClass(code, w[code], colour) for code, colour in CLOSING_COLOURS.items()],
        detail=[_detail(by_commune.get(c, []), lang) for c in codes],
        always=["never_achieved", "late", "on_time", "early"] if closing.has_plan else [],
    )

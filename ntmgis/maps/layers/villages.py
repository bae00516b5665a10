"""The villages layer (model-village status and schedule) and the gap layers built on villages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ...codes import NOT_APPLICABLE, NOT_ASSESSED
from ...values import is_missing
from .. import styles
from .._common import (
    area_kind,
    cell,
    classes,
    column,
    km,
    lookup,
    ui,
    vocab_labels,
)
from ..page import Field, MapClass, MapLayer, Theme

if TYPE_CHECKING:
    from ...assessment import Assessment
    from ...workspace import Workspace
from ._shared import plan_years, schedule_of, summary_rows

# --------------------------------------------------------------------------------------------
# Villages and their gap layers
# --------------------------------------------------------------------------------------------


def _village_facts(workspace: Workspace) -> dict[str, tuple[str, str | None, Any]]:
    """Village id → (name, commune name, population), for the popups of the gap layers."""
    villages = workspace.layer("villages")
    ids = [str(v) for v in villages["village_id"]]
    commune_names = lookup(workspace.layer("communes"), "commune_code", "name")
    return {
        v: (cell(n) or v, cell(commune_names.get(str(c))), p)
        for v, n, c, p in zip(
            ids, villages["name"], villages["commune_code"], column(villages, "population"), strict=True
        )
    }


def village_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer:
    """Villages: model-village status, its schedule and the plan year by year."""
    t = ui(lang)
    villages = workspace.layer("villages")
    ids = [str(v) for v in villages["village_id"]]
    facts = _village_facts(workspace)
    rows = summary_rows(assessment.villages, "village_id", ids)
    status = [cell(r.get("status")) or NOT_ASSESSED for r in rows]
    schedule = [cell(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    gap = [cell(r.get("gap_" + lang)) for r in rows]
    by_year = schedule_of(assessment, "village")
    known = [
        MapClass(code, t[code], styles.SCHEDULE[code])
        for code in ("late", "due", "achieved", "planned_later", "not_scheduled")
    ]
    themes = [
        Theme(
            "model",
            t["model_status"],
            status,
            classes(
                status,
                [
                    MapClass(code, t[code], styles.VERDICT[code])
                    for code in ("not_met", "met", NOT_ASSESSED, NOT_APPLICABLE)
                ],
            ),
            detail=gap,
            always=[NOT_ASSESSED],
        ),
        Theme(
            "schedule",
            t["model_schedule"],
            schedule,
            classes(
                schedule,
                [
                    MapClass(code, t[code], styles.SCHEDULE[code])
                    for code in (
                        "late",
                        "on_track",
                        "achieved",
                        "not_scheduled",
                        NOT_APPLICABLE,
                        NOT_ASSESSED,
                    )
                ],
            ),
            detail=gap,
        ),
        *(
            Theme(
                f"plan_{year}",
                t["timeline_year"].format(year=year),
                [by_year.get((v, year), "not_scheduled") for v in ids],
                known,
                year=year,
                group=t["timeline"],
            )
            for year in plan_years(workspace)
        ),
    ]
    commune_of = [facts[v][1] for v in ids]
    fields = [
        Field(t["code"], ids),
        Field(t["commune"], commune_of),
        Field(t["kind"], list(villages["kind"]), "category", labels=vocab_labels("village_kind", lang)),
        Field(t["population"], column(villages, "population"), "number", unit=t["people"]),
        Field(t["households"], column(villages, "households"), "number"),
        Field(t["model_status"], [t.get(s, s) for s in status]),
        Field(t["target_year"], [r.get("target_year") for r in rows], "year"),
        Field(t["achieved_year"], [r.get("achieved_year") for r in rows], "year"),
    ]
    return MapLayer(
        id="villages",
        title=t["villages"],
        kind=area_kind(villages.geometry),
        geometry=villages.geometry,
        keys=ids,
        names=[facts[v][0] for v in ids],
        themes=themes,
        fields=fields,
        visible=False,
        searchable=True,
        contexts=commune_of,
        style={"weight": 0.6, "fillOpacity": 0.7},
    )


def _about(facts: Mapping[str, tuple[str, str | None, Any]], keys: list[str], what: int) -> list[Any]:
    return [facts.get(k, (k, None, None))[what] for k in keys]


def culture_house_gap_layer(
    workspace: Workspace, assessment: Assessment, *, lang: str = "vi"
) -> MapLayer | None:
    """Villages without a culture house (``assessment.villages_without_culture_house``); ``None``
    when not assessed."""
    lacking = assessment.villages_without_culture_house
    if lacking is None:
        return None
    t = ui(lang)
    facts = _village_facts(workspace)
    keys = [str(v) for v in lacking["village_id"]]
    return MapLayer(
        id="villages_without_culture_house",
        title=t["no_culture_house"],
        kind=area_kind(lacking.geometry),
        geometry=lacking.geometry,
        keys=keys,
        names=_about(facts, keys, 0),
        themes=[
            Theme(
                "no_culture_house",
                t["no_culture_house"],
                ["missing"] * len(keys),
                [MapClass("missing", t["no_culture"], styles.NO_CULTURE_HOUSE)],
            )
        ],
        fields=[
            Field(t["code"], keys),
            Field(t["commune"], _about(facts, keys, 1)),
            Field(t["population"], _about(facts, keys, 2), "number", unit=t["people"]),
        ],
        visible=False,
        style={"outline": True, "weight": 2.5, "fillOpacity": 0.15},
    )


def _km_or_none(values: Sequence[Any]) -> list[float | None]:
    return [None if is_missing(m) else m / 1000 for m in values]


def market_gap_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer | None:
    """Villages beyond the market radius by road (``assessment.market_gaps``); ``None`` when not
    assessed."""
    gaps = assessment.market_gaps
    if gaps is None:
        return None
    t = ui(lang)
    facts = _village_facts(workspace)
    radius = km(assessment.market_radius_m, lang)
    keys = [str(v) for v in gaps["village_id"]]
    market_names = (
        lookup(workspace.layer("markets"), "market_id", "name") if workspace.has_layer("markets") else {}
    )
    reach = ["beyond" if not is_missing(m) else "unreachable" for m in gaps["network_m"]]
    return MapLayer(
        id="market_gaps",
        title=t["market_gaps"].format(radius=radius),
        kind=area_kind(gaps.geometry),
        geometry=gaps.geometry,
        keys=keys,
        names=_about(facts, keys, 0),
        themes=[
            Theme(
                "reach",
                t["market_gaps"].format(radius=radius),
                reach,
                [
                    MapClass("beyond", t["beyond"].format(radius=radius), styles.REACH["beyond"]),
                    MapClass("unreachable", t["unreachable"], styles.REACH["unreachable"], dash="4 4"),
                ],
            )
        ],
        fields=[
            Field(t["code"], keys),
            Field(t["commune"], _about(facts, keys, 1)),
            Field(t["network"], _km_or_none(gaps["network_m"]), "number", decimals=2, unit="km"),
            Field(
                t["nearest_market"],
                [
                    cell(market_names.get(str(m))) if not is_missing(m) else None
                    for m in gaps["network_target"]
                ],
            ),
            Field(t["straight"], _km_or_none(gaps["straight_m"]), "number", decimals=2, unit="km"),
            Field(t["population"], list(gaps["population"]), "number", unit=t["people"]),
        ],
        visible=False,
        style={"outline": True, "weight": 2.5, "fillOpacity": 0.2},
    )

"""One builder per layer of the planners' map (:mod:`ntmgis.maps.planner`).

Each builder takes the :class:`~ntmgis.workspace.Workspace` and, where the layer shows a verdict or a
gap, the :class:`~ntmgis.assessment.Assessment`, and only *looks up* what the Assessment decided:
verdicts, gap texts, the schedule status of each plan year, the gap layers. Words come from
``catalogue/map.yaml`` and the domain vocabularies, colours from :mod:`ntmgis.maps.styles`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..codes import NOT_APPLICABLE, NOT_ASSESSED, criterion_sort_key
from ..values import is_missing
from ..vocab import kien_co_linings, label, vocabulary
from . import styles
from ._common import (
    area_kind,
    cell,
    classes,
    column,
    km,
    lookup,
    target_text,
    ui,
    vocab_classes,
    vocab_labels,
    whole,
)
from .commune_map import NOT_ASSESSED_COLOUR, bare_name, commune_title, level_classes
from .page import Field, MapClass, MapLayer, Theme, format_number

if TYPE_CHECKING:
    from ..assessment import Assessment
    from ..workspace import Workspace

__all__ = [
    "canal_layer",
    "commune_layer",
    "culture_house_gap_layer",
    "facility_layer",
    "market_gap_layer",
    "market_layer",
    "plan_years",
    "road_layer",
    "upgrade_layer",
    "village_layer",
    "zone_layer",
]

_Rows = list[dict[str, Any]]


def plan_years(workspace: Workspace) -> list[int]:
    """The years of the plan period, first to last."""
    first, last = (int(y) for y in workspace.plan.data["period"])
    return list(range(first, last + 1))


def _rows(summary: pd.DataFrame, key: str, keys: Sequence[str]) -> _Rows:
    """The summary row of each key (``{}`` for a key the summary does not have)."""
    indexed = summary.set_index(key)
    return [indexed.loc[k].to_dict() if k in indexed.index else {} for k in keys]


def _schedule(assessment: Assessment, unit_type: str) -> dict[tuple[str, int], str]:
    """(unit code, plan year) → schedule status, from ``assessment.schedule``."""
    table = assessment.schedule
    table = table[table["unit_type"] == unit_type]
    return {
        (str(u), int(y)): str(s)
        for u, y, s in zip(table["unit_code"], table["year"], table["status"], strict=True)
    }


# --------------------------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------------------------


def commune_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer:
    """Communes: recognised, evaluated and target level, schedule, criteria met, the plan year by
    year, and one colouring per criterion at the commune's target level."""
    t = ui(lang)
    communes = workspace.layer("communes")
    codes = [str(c) for c in communes["commune_code"]]
    rows = _rows(assessment.communes, "commune_code", codes)
    gap = [cell(r.get("gap_" + lang)) for r in rows]
    schedule = [cell(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    counts, count_theme = _criteria_met_theme(rows, gap, t)
    recognised, evaluated, target = _level_themes(rows, gap, assessment.year, lang)
    # Without recognition decisions every commune would open grey: open on the measured level.
    levels = (
        [recognised, evaluated, target]
        if "recognitions" in workspace.table_names
        else [evaluated, recognised, target]
    )
    criteria, in_set = _criterion_themes(assessment, codes, rows, lang)
    themes = [
        *levels,
        Theme(
            "schedule",
            t["schedule"],
            schedule,
            classes(
                schedule,
                [
                    MapClass(code, t[code], styles.SCHEDULE[code])
                    for code in ("late", "on_track", "achieved", NOT_APPLICABLE, NOT_ASSESSED)
                ],
            ),
            detail=gap,
            always=[NOT_ASSESSED],
        ),
        count_theme,
        *_commune_year_themes(assessment, codes, plan_years(workspace), lang),
        *criteria,
    ]
    return MapLayer(
        id="communes",
        title=t["communes"],
        kind="polygon",
        geometry=communes.geometry,
        keys=codes,
        names=[
            commune_title(k, n, c, lang)
            for k, n, c in zip(communes["kind"], communes["name"], communes["commune_code"], strict=True)
        ],
        themes=themes,
        fields=[
            *_commune_fields(communes, codes, rows, schedule, counts, assessment.year, lang),
            Field(t["criteria_table"], _criteria_rows(criteria, in_set, len(codes)), "rows"),
        ],
        searchable=True,
        label_texts=[bare_name(n, k) for n, k in zip(communes["name"], communes["kind"], strict=True)],
        style={"weight": 1.2, "fillOpacity": 0.8},
    )


def _criteria_rows(
    themes: Sequence[Theme], in_set: Sequence[tuple[str, Sequence[bool]]], n: int
) -> list[list[tuple[str, str, str]]]:
    """Per commune, one ``(criterion, verdict, verdict code)`` row per criterion of its target
    level: the popup's compact criteria table (the gap texts stay in the theme details)."""
    out: list[list[tuple[str, str, str]]] = [[] for _ in range(n)]
    for theme, (criterion, present) in zip(themes, in_set, strict=True):
        verdicts = {c.code: c.label for c in theme.classes}
        for i, value in enumerate(theme.values):
            if present[i]:
                out[i].append((criterion, verdicts[value], value))
    return out


def _level_of(value: object) -> str:
    return cell(value) or NOT_ASSESSED


def _level_themes(rows: _Rows, gap: list[str | None], year: int, lang: str) -> list[Theme]:
    t = ui(lang)
    levels = level_classes(lang)
    # Every level stays in the legend, at zero too: the natural order is part of the message.
    every = [c.code for c in levels]
    return [
        Theme(
            "recognised",
            t["recognised"],
            [_level_of(r.get("recognised_level")) for r in rows],
            levels,
            detail=gap,
            always=every,
        ),
        Theme(
            "evaluated",
            t["evaluated"].format(year=year),
            [_level_of(r.get("highest_level")) for r in rows],
            levels,
            detail=gap,
            always=every,
        ),
        Theme(
            "target",
            t["target"],
            [_level_of(r.get("target_level")) for r in rows],
            levels,
            detail=[cell(r.get("milestones")) for r in rows],
            always=every,
        ),
    ]


def _criteria_of(code: str, t: Mapping[str, str]) -> str:
    """``"17/2/0"`` as "17 đạt · 2 chưa đạt · 0 chưa đánh giá": a bare "17/19" would hide the
    criteria nobody assessed."""
    met, not_met, not_assessed = code.split("/")
    return t["criteria_of"].format(met=met, not_met=not_met, not_assessed=not_assessed)


def _ramp_colour(share: float) -> str:
    return next(colour for floor, colour in styles.CRITERIA_MET_RAMP if share >= floor)


def _criteria_count(row: Mapping[str, Any]) -> tuple[str, float] | None:
    """``("met/not met/not assessed", share met)`` of a commune, ``None`` when no criterion was
    assessed (a commune with nothing measured is grey, not red)."""
    met, not_met, total = (whole(row.get(k)) for k in ("criteria_met", "criteria_not_met", "criteria_total"))
    if met is None or not total or (met == 0 and not not_met):
        return None
    not_met = not_met or 0
    not_assessed = whole(row.get("criteria_not_assessed"))
    not_assessed = total - met - not_met if not_assessed is None else not_assessed
    return f"{met}/{not_met}/{not_assessed}", met / total


def _criteria_met_theme(rows: _Rows, gap: list[str | None], t: Mapping[str, str]) -> tuple[list[str], Theme]:
    """Criteria met, not met and not assessed at the target level; classes ordered by the share
    met."""
    counts: list[str] = []
    shares: dict[str, float] = {}
    for r in rows:
        found = _criteria_count(r)
        if found is None:
            counts.append(NOT_ASSESSED)
            continue
        counts.append(found[0])
        shares[found[0]] = found[1]
    count_classes = [
        MapClass(code, _criteria_of(code, t), _ramp_colour(shares[code]))
        for code in sorted(shares, key=lambda c: (shares[c], c))
    ]
    count_classes.append(MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR))
    return counts, Theme(
        "criteria_met", t["criteria_met"], counts, count_classes, detail=gap, always=[NOT_ASSESSED]
    )


def _milestone_text(assessment: Assessment, lang: str) -> dict[str, str]:
    """Commune code → its plan milestones, ``"Nâng cao 2024; Kiểu mẫu 2025"``."""
    found: dict[str, list[tuple[str, int]]] = {}
    for code, level, year in zip(
        assessment.milestones["commune_code"],
        assessment.milestones["level"],
        assessment.milestones["year"],
        strict=True,
    ):
        found.setdefault(str(code), []).append((str(level), int(year)))
    return {
        code: "; ".join(f"{label('ntm_level', lv, lang)} {y}" for lv, y in milestones)
        for code, milestones in found.items()
    }


def _commune_year_themes(
    assessment: Assessment, codes: list[str], years: Sequence[int], lang: str
) -> list[Theme]:
    """The plan year by year: which milestone is due, and whether it was reached by then."""
    t = ui(lang)
    status = _schedule(assessment, "commune")
    milestones = _milestone_text(assessment, lang)
    detail = [milestones.get(c) or None for c in codes]
    known = [
        MapClass(code, t[code], styles.SCHEDULE[code])
        for code in ("late", "due", "achieved", "planned_later", "maintain")
    ]
    return [
        Theme(
            f"plan_{year}",
            t["timeline_year"].format(year=year),
            [status.get((c, year), "maintain") for c in codes],
            known,
            detail=detail,
            year=year,
            group=t["timeline"],
        )
        for year in years
    ]


def _criterion_themes(
    assessment: Assessment, codes: list[str], rows: _Rows, lang: str
) -> tuple[list[Theme], list[tuple[str, list[bool]]]]:
    """One colouring per criterion, at each commune's target level; and for the popup's
    criteria table each criterion's short label ("2 Giao thông") with, per commune, whether its
    target level's set has the criterion."""
    t = ui(lang)
    criteria = assessment.criteria
    targets = {c: cell(r.get("target_level")) for c, r in zip(codes, rows, strict=True)}
    at_target = criteria[
        [targets.get(str(u)) == lv for u, lv in zip(criteria["unit_code"], criteria["level"], strict=True)]
    ]
    names = (
        criteria.drop_duplicates("criterion").set_index("criterion")["criterion_" + lang].to_dict()
        if len(criteria)
        else {}
    )
    by_key = {(str(r["unit_code"]), str(r["criterion"])): r for r in at_target.to_dict("records")}
    verdicts = [
        MapClass(code, t[code], styles.VERDICT[code])
        for code in ("not_met", "not_met_unverified", "met_unverified", "met", NOT_ASSESSED, NOT_APPLICABLE)
    ]
    themes = []
    for cid in sorted(names, key=criterion_sort_key):
        values, details = [], []
        for c, r in zip(codes, rows, strict=True):
            value, detail = _criterion_cell(by_key.get((c, str(cid))), r, lang)
            values.append(value)
            details.append(detail)
        themes.append(
            Theme(
                f"criterion_{cid}",
                t["criterion"].format(id=cid, name=names[cid]),
                values,
                classes(values, verdicts),
                detail=details,
                always=[NOT_ASSESSED],
                group=t["criteria_group"],
            )
        )
    in_set = [
        (f"{cid} {names[cid]}", [(c, str(cid)) in by_key for c in codes])
        for cid in sorted(names, key=criterion_sort_key)
    ]
    return themes, in_set


def _criterion_cell(
    found: Mapping[str, Any] | None, commune: Mapping[str, Any], lang: str
) -> tuple[str, str | None]:
    """The class and popup text of one commune for one criterion."""
    if found is None:
        value = NOT_APPLICABLE if commune.get("assessed") is False or not commune else NOT_ASSESSED
        return value, cell(commune.get("note"))
    status = cell(found.get("status")) or NOT_ASSESSED
    unverified = cell(found.get("unverified"))
    if status in ("met", "not_met") and unverified:
        status += "_unverified"
    text = cell(found.get("gap_" + lang))
    if unverified:
        text = "; ".join(filter(None, [text, f"{ui(lang)['unverified']}: {unverified}"]))
    return status, text


def _level_labels(rows: _Rows, column_name: str, lang: str) -> list[str | None]:
    return [label("ntm_level", str(v), lang) if cell(v) else None for v in (r.get(column_name) for r in rows)]


def _commune_fields(
    communes: pd.DataFrame,
    codes: list[str],
    rows: _Rows,
    schedule: list[str],
    counts: list[str],
    year: int,
    lang: str,
) -> list[Field]:
    t = ui(lang)
    return [
        Field(t["code"], codes),
        Field(t["recognised"], _level_labels(rows, "recognised_level", lang)),
        Field(t["recognised_year"], [r.get("recognised_year") for r in rows], "year"),
        Field(t["evaluated"].format(year=year), _level_labels(rows, "highest_level", lang)),
        Field(t["target"], _level_labels(rows, "target_level", lang)),
        Field(t["target_year"], [r.get("target_year") for r in rows], "year"),
        Field(t["schedule"], [t.get(s, s) if s != NOT_ASSESSED else None for s in schedule]),
        Field(t["criteria_met"], [_criteria_of(c, t) if c != NOT_ASSESSED else None for c in counts]),
        Field(t["unverified"], [cell(r.get("unverified")) for r in rows]),
        Field(t["population"], column(communes, "population"), "number", unit=t["people"]),
        Field(t["households"], column(communes, "households"), "number"),
        Field(t["note"], [cell(r.get("note")) for r in rows]),
    ]


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
    rows = _rows(assessment.villages, "village_id", ids)
    status = [cell(r.get("status")) or NOT_ASSESSED for r in rows]
    schedule = [cell(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    gap = [cell(r.get("gap_" + lang)) for r in rows]
    by_year = _schedule(assessment, "village")
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


# --------------------------------------------------------------------------------------------
# Networks
# --------------------------------------------------------------------------------------------


def road_layer(workspace: Workspace, *, lang: str = "vi") -> MapLayer:
    """Roads by class and by surface."""
    t = ui(lang)
    roads = workspace.layer("roads")
    keys = [str(s) for s in roads["segment_id"]]
    road_classes = [
        MapClass(code, label("road_class", code, lang), colour, weight=weight)
        for code, (colour, weight) in styles.ROAD_STYLE.items()
        if code in vocabulary()["road_class"]
    ]
    kinds = [str(c) for c in roads["road_class"]]
    surfaces = [str(s) if not is_missing(s) else NOT_ASSESSED for s in roads["surface"]]
    surface_classes = [
        *vocab_classes("surface", styles.SURFACE_COLOURS, lang),
        MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR),
    ]
    names = [
        cell(n) or label("road_class", c, lang) for n, c in zip(column(roads, "name"), kinds, strict=True)
    ]
    return MapLayer(
        id="roads",
        title=t["roads"],
        kind="line",
        geometry=roads.geometry,
        keys=keys,
        names=names,
        themes=[
            Theme("class", t["road_class"], kinds, classes(kinds, road_classes)),
            Theme("surface", t["road_surface"], surfaces, classes(surfaces, surface_classes)),
        ],
        fields=[
            Field(t["segment"], keys),
            Field(t["class"], kinds, "category", labels=vocab_labels("road_class", lang)),
            Field(t["surface"], list(roads["surface"]), "category", labels=vocab_labels("surface", lang)),
        ],
        style={"weight": 1.5},
    )


def upgrade_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer | None:
    """Road pieces to harden (``assessment.segments_to_upgrade``) with their cost; ``None`` when not
    assessed. Keys are ``"<segment_id>@<commune_code>"``: a segment is cut at commune borders."""
    upgrade = assessment.segments_to_upgrade
    if upgrade is None:
        return None
    t = ui(lang)
    keys = [f"{s}@{c}" for s, c in zip(upgrade["segment_id"], upgrade["commune_code"], strict=True)]
    surfaces = [str(s) for s in upgrade["surface"]]
    commune_names = lookup(workspace.layer("communes"), "commune_code", "name")
    surface_labels = vocab_labels("surface", lang)
    return MapLayer(
        id="segments_to_upgrade",
        title=t["upgrade"],
        kind="line",
        geometry=upgrade.geometry,
        keys=keys,
        names=[
            f"{label('road_class', c, lang)} {s}"
            for c, s in zip(upgrade["road_class"], upgrade["segment_id"], strict=True)
        ],
        themes=[
            Theme(
                "surface",
                t["upgrade"],
                surfaces,
                classes(
                    surfaces,
                    [
                        MapClass(code, label("surface", code, lang), colour, weight=styles.UPGRADE_WEIGHT)
                        for code, colour in styles.UPGRADE.items()
                    ],
                ),
            )
        ],
        fields=[
            Field(t["segment"], list(upgrade["segment_id"])),
            Field(t["commune"], [cell(commune_names.get(str(c))) for c in upgrade["commune_code"]]),
            Field(
                t["class"], list(upgrade["road_class"]), "category", labels=vocab_labels("road_class", lang)
            ),
            Field(t["surface"], surfaces, "category", labels=surface_labels),
            Field(t["target_surface"], list(upgrade["target_surface"]), "category", labels=surface_labels),
            Field(t["length"], list(upgrade["length_km"]), "number", decimals=2, unit="km"),
            Field(t["cost"], list(upgrade["cost_million_vnd"]), "number", unit=t["million_vnd"]),
            Field(t["cost_assumption"], list(upgrade["cost_assumption"]), "bool"),
        ],
        style={"weight": styles.UPGRADE_WEIGHT},
    )


def canal_layer(workspace: Workspace, *, lang: str = "vi") -> MapLayer:
    """Canals by lining (kiên cố per ``vocab.kien_co_linings``) and manager."""
    t = ui(lang)
    canals = workspace.layer("canals")
    lined = kien_co_linings()
    values = [
        ("lined" if str(lining) in lined else "unlined") + ("_xa" if str(manager) == "xa" else "_other")
        for lining, manager in zip(canals["lining"], canals["managed_by"], strict=True)
    ]
    keys = [str(s) for s in canals["segment_id"]]
    return MapLayer(
        id="canals",
        title=t["canals"],
        kind="line",
        geometry=canals.geometry,
        keys=keys,
        names=[cell(n) or t["canals"] for n in column(canals, "name")],
        themes=[
            Theme(
                "lining",
                t["canal_theme"],
                values,
                [
                    MapClass(code, t[code], colour, weight=weight)
                    for code, (colour, weight) in styles.CANAL.items()
                ],
            )
        ],
        fields=[
            Field(t["segment"], keys),
            Field(
                t["canal_level"],
                list(canals["canal_level"]),
                "category",
                labels=vocab_labels("canal_level", lang),
            ),
            Field(t["lining"], list(canals["lining"]), "category", labels=vocab_labels("lining", lang)),
            Field(
                t["managed_by"], list(canals["managed_by"]), "category", labels=vocab_labels("manager", lang)
            ),
        ],
        visible=False,
    )


# --------------------------------------------------------------------------------------------
# Points and zones
# --------------------------------------------------------------------------------------------


def _market_class(met: object, year: object) -> str:
    if is_missing(met):
        return NOT_ASSESSED
    if bool(met):
        return "market_met"
    return "market_unplanned" if is_missing(year) else "market_planned"


def market_layer(workspace: Workspace, *, lang: str = "vi") -> MapLayer:
    """Markets: meets the market standard, or below it with or without a planned upgrade year."""
    t = ui(lang)
    markets = workspace.layer("markets")
    keys = [str(m) for m in markets["market_id"]]
    planned_units = {str(c) for c in workspace.plan.market_units()["commune_code"]}
    # planned_upgrade_year is optional (contracts.yaml): without it no upgrade is planned.
    upgrade_years = column(markets, "planned_upgrade_year")
    values = [
        _market_class(met, year) for met, year in zip(markets["standard_met"], upgrade_years, strict=True)
    ]
    commune_names = lookup(workspace.layer("communes"), "commune_code", "name")
    return MapLayer(
        id="markets",
        title=t["markets"],
        kind="point",
        geometry=markets.geometry,
        keys=keys,
        names=[cell(n) or k for n, k in zip(markets["name"], keys, strict=True)],
        themes=[
            Theme(
                "standard",
                t["market_standard"],
                values,
                [
                    *(MapClass(code, t[code], colour) for code, colour in styles.MARKET.items()),
                    MapClass(NOT_ASSESSED, t["not_assessed"], NOT_ASSESSED_COLOUR),
                ],
                always=[NOT_ASSESSED],
            )
        ],
        fields=[
            Field(t["code"], keys),
            Field(t["kind"], column(markets, "kind"), "category", labels=vocab_labels("market_kind", lang)),
            Field(t["commune"], [cell(commune_names.get(str(c))) for c in markets["commune_code"]]),
            Field(t["standard_met"], list(markets["standard_met"]), "bool"),
            Field(t["upgrade_year"], upgrade_years, "year"),
            Field(t["in_plan"], [str(c) in planned_units for c in markets["commune_code"]], "bool"),
        ],
        style={"radius": 8, "weight": 2, "color": "#1a1a1a"},
    )


def facility_layer(workspace: Workspace, *, lang: str = "vi") -> MapLayer:
    """Public facilities by kind."""
    t = ui(lang)
    facilities = workspace.layer("facilities")
    keys = [str(f) for f in facilities["facility_id"]]
    kinds = [str(k) for k in facilities["kind"]]
    village_names = (
        lookup(workspace.layer("villages"), "village_id", "name") if workspace.has_layer("villages") else {}
    )
    commune_names = lookup(workspace.layer("communes"), "commune_code", "name")
    return MapLayer(
        id="facilities",
        title=t["facilities"],
        kind="point",
        geometry=facilities.geometry,
        keys=keys,
        names=[
            cell(n) or label("facility_kind", k, lang) for n, k in zip(facilities["name"], kinds, strict=True)
        ],
        themes=[
            Theme(
                "kind",
                t["facility_kind"],
                kinds,
                classes(kinds, vocab_classes("facility_kind", styles.FACILITY_COLOURS, lang)),
            )
        ],
        fields=[
            Field(t["code"], keys),
            Field(t["commune"], [cell(commune_names.get(str(c))) for c in facilities["commune_code"]]),
            Field(
                t["village"],
                [
                    cell(village_names.get(str(v))) if not is_missing(v) else None
                    for v in column(facilities, "village_id")
                ],
            ),
            Field(t["standard_met"], column(facilities, "standard_met"), "bool"),
        ],
        visible=False,
        style={"radius": 4, "weight": 1},
    )


def _vietgap_title(assessment: Assessment, lang: str) -> str:
    """The VietGAP legend title with the district value against the plan target, when known."""
    t = ui(lang)
    sectors = assessment.sectors.set_index("target_id")
    if "vietgap_concentrated_zone_ha" not in sectors.index:
        return t["zones"]
    row = sectors.loc["vietgap_concentrated_zone_ha"]
    value = "–" if is_missing(row["value"]) else f"{format_number(row['value'], lang, 1)} ha"
    return t["zone_theme"].format(value=value, target=target_text(row, lang))


def zone_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer:
    """Production zones by VietGAP certification and crop, with their measured area."""
    t = ui(lang)
    zones = workspace.layer("production_zones")
    keys = [str(z) for z in zones["zone_id"]]
    codes = column(zones, "growing_area_code")
    values = [
        ("vietgap_code" if not is_missing(code) else "vietgap")
        if bool(v) and not is_missing(v)
        else "not_vietgap"
        for v, code in zip(zones["vietgap"], codes, strict=True)
    ]
    crops = list(vocabulary()["crop"])
    crop_values = [str(c) for c in zones["crop"]]
    # The area measured in the working CRS, never the file's own area column.
    measured = lookup(assessment.zones, "zone_id", "area_ha")
    return MapLayer(
        id="production_zones",
        title=t["zones"],
        kind="polygon",
        geometry=zones.geometry,
        keys=keys,
        names=[cell(n) or k for n, k in zip(zones["name"], keys, strict=True)],
        themes=[
            Theme(
                "vietgap",
                _vietgap_title(assessment, lang),
                values,
                [MapClass(code, t[code], colour) for code, colour in styles.ZONE.items()],
            ),
            Theme(
                "crop",
                t["crop"],
                crop_values,
                classes(
                    crop_values,
                    [
                        MapClass(c, label("crop", c, lang), styles.CROP_COLOURS[i % len(styles.CROP_COLOURS)])
                        for i, c in enumerate(crops)
                    ],
                ),
            ),
        ],
        fields=[
            Field(t["code"], keys),
            Field(t["crop"], list(zones["crop"]), "category", labels=vocab_labels("crop", lang)),
            Field(t["vietgap"], list(zones["vietgap"]), "bool"),
            Field(t["area"], [measured.get(k) for k in keys], "number", decimals=1, unit="ha"),
            Field(t["growing_code"], codes),
            Field(t["certified_until"], [cell(v) for v in column(zones, "certified_until")]),
        ],
        visible=False,
        style={"weight": 1, "fillOpacity": 0.75, "color": "#00441b"},
    )

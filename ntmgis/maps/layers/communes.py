"""The communes layer of the planners' map: levels, schedule, criteria met, one theme per criterion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...codes import NOT_APPLICABLE, NOT_ASSESSED, criterion_sort_key
from ...vocab import label
from .. import styles
from .._common import (
    cell,
    classes,
    column,
    ui,
    whole,
)
from ..commune_map import NOT_ASSESSED_COLOUR, PILOT_COLOURS, bare_name, commune_title, level_classes
from ..page import Field, MapClass, MapLayer, Theme

if TYPE_CHECKING:
    from ...assessment import Assessment
    from ...workspace import Workspace
from ._shared import Rows, plan_years, schedule_of, summary_rows
from .closing import closing_theme

# --------------------------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------------------------


def commune_layer(workspace: Workspace, assessment: Assessment, *, lang: str = "vi") -> MapLayer:
    """Communes: recognised, evaluated and target level, schedule, criteria met, the plan year by
    year, and one colouring per criterion at the commune's target level."""
    t = ui(lang)
    communes = workspace.layer("communes")
    codes = [str(c) for c in communes["commune_code"]]
    rows = summary_rows(assessment.communes, "commune_code", codes)
    gap = [cell(r.get("gap_" + lang)) for r in rows]
    schedule = [cell(r.get("schedule_status")) or NOT_ASSESSED for r in rows]
    counts, count_theme = _criteria_met_theme(rows, gap, t)
    # The pilot level (xã NTM hiện đại) is in the legend where a set assessed has it, or a commune is at it.
    pilot = bool(assessment.criteria["level"].isin(PILOT_COLOURS).any()) or any(
        r.get(c) in PILOT_COLOURS for r in rows for c in ("recognised_level", "highest_level", "target_level")
    )
    recognised, evaluated, target = _level_themes(rows, gap, assessment.year, lang, pilot=pilot)
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
        *[th for th in (closing_theme(assessment, codes, lang=lang),) if th is not None],
        *criteria,
    ]
    if workspace.plan is None:
        # No plan: the target is NTM in the assessment year; say so instead of "the plan's".
        titles = {"target": t["target_no_plan"], "schedule": t["schedule_no_plan"]}
        themes = [replace(th, title=titles[th.id]) if th.id in titles else th for th in themes]
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
            *_commune_fields(
                communes,
                codes,
                rows,
                schedule,
                counts,
                assessment.year,
                lang,
                has_plan=workspace.plan is not None,
            ),
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


def _level_or_not_applicable(row: Mapping[str, object], column: str) -> str:
    """A commune's level in ``column``; a town outside the commune sets (``assessed`` False) with
    none is "not applicable", never "not assessed" (no NTM recognition or target exists for it)."""
    value = cell(row.get(column))
    if value:
        return value
    return NOT_APPLICABLE if row.get("assessed") is False else NOT_ASSESSED


def _level_themes(rows: Rows, gap: list[str | None], year: int, lang: str, *, pilot: bool) -> list[Theme]:
    t = ui(lang)
    levels = level_classes(lang, pilot=pilot)
    # Every level stays in the legend, at zero too: the natural order is part of the message.
    every = [c.code for c in levels]
    applicable = [*levels, MapClass(NOT_APPLICABLE, t["not_applicable"], styles.GREY_LIGHT)]
    return [
        Theme(
            "recognised",
            t["recognised"],
            [_level_or_not_applicable(r, "recognised_level") for r in rows],
            applicable,
            detail=gap,
            always=every,
        ),
        Theme(
            "evaluated",
            t["evaluated"].format(year=year),
            # A town is not evaluated against the commune sets: not applicable, never "not assessed".
            [
                NOT_APPLICABLE if r.get("assessed") is False else _level_of(r.get("highest_level"))
                for r in rows
            ],
            applicable,
            detail=gap,
            always=every,
        ),
        Theme(
            "target",
            t["target"],
            [_level_or_not_applicable(r, "target_level") for r in rows],
            applicable,
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


def _criteria_met_theme(rows: Rows, gap: list[str | None], t: Mapping[str, str]) -> tuple[list[str], Theme]:
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
    status = schedule_of(assessment, "commune")
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
    assessment: Assessment, codes: list[str], rows: Rows, lang: str
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


def _level_labels(rows: Rows, column_name: str, lang: str) -> list[str | None]:
    return [label("ntm_level", str(v), lang) if cell(v) else None for v in (r.get(column_name) for r in rows)]


def _commune_fields(
    communes: pd.DataFrame,
    codes: list[str],
    rows: Rows,
    schedule: list[str],
    counts: list[str],
    year: int,
    lang: str,
    *,
    has_plan: bool = True,
) -> list[Field]:
    t = ui(lang)
    target, status = ("target", "schedule") if has_plan else ("target_no_plan", "schedule_no_plan")
    return [
        Field(t["code"], codes),
        Field(t["recognised"], _level_labels(rows, "recognised_level", lang)),
        Field(t["recognised_year"], [r.get("recognised_year") for r in rows], "year"),
        Field(t["evaluated"].format(year=year), _level_labels(rows, "highest_level", lang)),
        Field(t[target], _level_labels(rows, "target_level", lang)),
        Field(t["target_year"], [r.get("target_year") for r in rows], "year"),
        Field(t[status], [t.get(s, s) if s != NOT_ASSESSED else None for s in schedule]),
        Field(t["criteria_met"], [_criteria_of(c, t) if c != NOT_ASSESSED else None for c in counts]),
        Field(t["unverified"], [cell(r.get("unverified")) for r in rows]),
        Field(t["population"], column(communes, "population"), "number", unit=t["people"]),
        Field(t["households"], column(communes, "households"), "number"),
        Field(t["note"], [cell(r.get("note_vi" if lang == "vi" else "note")) for r in rows]),
    ]

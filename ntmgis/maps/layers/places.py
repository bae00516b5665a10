"""Markets, facilities and production zones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...codes import NOT_ASSESSED
from ...district import district_kind
from ...labels import words
from ...values import is_missing
from ...vocab import label, vocabulary
from .. import styles
from .._common import (
    cell,
    classes,
    column,
    lookup,
    target_text,
    ui,
    vocab_classes,
    vocab_labels,
)
from ..commune_map import NOT_ASSESSED_COLOUR
from ..page import Field, MapClass, MapLayer, Theme, format_number

if TYPE_CHECKING:
    from ...assessment import Assessment
    from ...workspace import Workspace


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
    plan = workspace.plan
    planned_units = set() if plan is None else {str(c) for c in plan.market_units()["commune_code"]}
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


def _vietgap_title(workspace: Workspace, assessment: Assessment, lang: str) -> str:
    """The VietGAP legend title with the district value against the plan target, when known."""
    t = ui(lang)
    sectors = assessment.sectors.set_index("target_id")
    if "vietgap_concentrated_zone_ha" not in sectors.index:
        return t["zones"]
    row = sectors.loc["vietgap_concentrated_zone_ha"]
    value = "–" if is_missing(row["value"]) else f"{format_number(row['value'], lang, 1)} ha"
    unit = words("district", lang)[f"word_{district_kind(workspace.district)}"].lower()
    return t["zone_theme"].format(unit=unit, value=value, target=target_text(row, lang))


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
                _vietgap_title(workspace, assessment, lang),
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

"""Roads (by class or surface), the segments to upgrade with their cost, and canals by lining."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...codes import NOT_ASSESSED
from ...values import is_missing
from ...vocab import kien_co_linings, label, vocabulary
from .. import styles
from .._common import (
    cell,
    classes,
    column,
    lookup,
    ui,
    vocab_classes,
    vocab_labels,
)
from ..commune_map import NOT_ASSESSED_COLOUR
from ..page import Field, MapClass, MapLayer, Theme

if TYPE_CHECKING:
    from ...assessment import Assessment
    from ...workspace import Workspace


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
        # The class names the piece (one text for thousands: written once in a big page); its
        # segment id is the popup's first row.
        names=[label("road_class", c, lang) for c in upgrade["road_class"]],
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

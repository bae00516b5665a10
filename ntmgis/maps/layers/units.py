"""The new units of a later period (``ntmgis map --units 2025-07``), from a :class:`UnitsView`.

Polygons dissolved from the old communes along the crosswalk; the popup lists the old units with
each one's own level (statuses never combined), and the sums rolled up (km, shares recomputed from
the sums, works and their cost). A ward (phường) is drawn as outside the commune set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ...labels import words
from ...report_units import unit_kinds
from ...vocab import label
from .._common import ui
from ..page import Field, MapClass, MapLayer, Theme

if TYPE_CHECKING:
    from ...units_view import UnitsView

__all__ = ["units_layer"]

_IN_SET, _OUTSIDE = "in_set", "outside_set"
_COLOURS = {_IN_SET: "#3182bd", _OUTSIDE: "#bdbdbd"}


def _constituent_rows(view: UnitsView, codes: list[str], lang: str) -> list[list[tuple[str, str, str]]]:
    """Per new unit: ``(old unit, its highest level met, level code)``, one row per old unit."""
    rows: dict[str, list[tuple[str, str, str]]] = {code: [] for code in codes}
    for r in view.constituents.itertuples(index=False):
        level = getattr(r, "highest_level", None)
        shown = label("ntm_level", level, lang) if isinstance(level, str) else ui(lang)["not_assessed"]
        rows[str(r.commune_code)].append((f"{r.old_name} ({r.old_code})", str(shown), str(level or "")))
    return [rows[code] for code in codes]


def _number(units: pd.DataFrame, column: str) -> list[object]:
    return list(units[column]) if column in units.columns else [None] * len(units)


def units_layer(view: UnitsView, *, lang: str = "vi") -> MapLayer | None:
    """The new units' layer (None when their polygons could not be dissolved: a split unit)."""
    if view.geometry is None:
        return None
    w = words("units_view", lang)
    headers = words("report_headers", lang)
    units = view.units.merge(view.geometry, on="commune_code", how="inner")
    codes = [str(c) for c in units["commune_code"]]
    values = [_IN_SET if bool(v) else _OUTSIDE for v in units["in_commune_set"]]
    shares = {
        c: [None if pd.isna(v) else 100.0 * v for v in units[c]] for c in ("hardened_share", "lined_share")
    }
    return MapLayer(
        id="units",
        title=w["layer"].format(period=view.to_period),
        kind="polygon",
        geometry=gpd.GeoSeries(units["geometry"].to_numpy(), crs=view.geometry.crs),
        keys=codes,
        names=[str(n) for n in units["name"]],
        themes=[
            Theme(
                "commune_set",
                w["theme"],
                values,
                [MapClass(code, w[code], colour) for code, colour in _COLOURS.items()],
                always=[_IN_SET, _OUTSIDE],
            )
        ],
        fields=[
            Field(headers["commune_code"], codes),
            Field(headers["kind"], unit_kinds(units["kind"], lang)),
            Field(headers["units_road_km"], _number(units, "road_km"), "number", 1, "km"),
            Field(headers["units_hardened_share"], shares["hardened_share"], "number", 1, "%"),
            Field(headers["units_lined_share"], shares["lined_share"], "number", 1, "%"),
            Field(headers["units_works_km"], _number(units, "works_km"), "number", 1, "km"),
            Field(headers["units_works_cost"], _number(units, "works_cost_million_vnd"), "number"),
            Field(
                w["constituents"].format(start=view.from_period), _constituent_rows(view, codes, lang), "rows"
            ),
        ],
        searchable=True,
        label_texts=[str(n) for n in units["name"]],
        style={"weight": 3, "fillOpacity": 0.15, "color": "#08306b"},
    )

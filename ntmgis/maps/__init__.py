"""Offline HTML maps: one self-contained file that opens from disk or an e-mail, no network.

Leaflet comes from the pinned npm copy (``make setup`` runs ``npm ci``) and is inlined when the map
is written; write the returned HTML with :func:`ntmgis.io.write_text_atomic`.

* :func:`build_planner_map` — the planners' map of a workspace and its Assessment (one builder
  per layer in :mod:`ntmgis.maps.layers`, the panels in :mod:`ntmgis.maps.panels`, colours in
  :mod:`ntmgis.maps.styles`, words in ``catalogue/map.yaml``);
* :func:`render_map` with :class:`MapLayer` / :class:`Theme` / :class:`Field` — the page engine
  every map is drawn with (for maps of your own, e.g. a scenario comparison);
* :func:`render_commune_map` — communes coloured by a given level, no Assessment needed;
* :func:`to_folium` — the planners' map as a ``folium.Map`` for notebooks (offline, layers of
  your own on top).
"""

from typing import TYPE_CHECKING

from .assets import WebAssetError, WebAssetNotFoundError, WebAssetVersionError, find_web_asset
from .commune_map import LEVEL_COLOURS, NOT_ASSESSED, NOT_ASSESSED_COLOUR, render_commune_map
from .page import Field, MapClass, MapLayer, SummaryTable, Theme, Timeline, render_map
from .planner import (
    build_planner_map,
    build_planner_png,
    build_planner_print,
    planner_layers,
    planner_print_themes,
    planner_summary,
)
from .static_image import PrintMap, print_map, render_png

if TYPE_CHECKING:
    from .folium_map import layers_to_folium, to_folium

__all__ = [
    "build_planner_map",
    "build_planner_png",
    "planner_layers",
    "planner_summary",
    "render_map",
    "render_png",
    "to_folium",
    "layers_to_folium",
    "MapLayer",
    "MapClass",
    "Theme",
    "Field",
    "SummaryTable",
    "Timeline",
    "render_commune_map",
    "find_web_asset",
    "WebAssetError",
    "WebAssetNotFoundError",
    "WebAssetVersionError",
    "NOT_ASSESSED",
    "LEVEL_COLOURS",
    "NOT_ASSESSED_COLOUR",
    "build_planner_print",
    "planner_print_themes",
    "print_map",
    "PrintMap",
]


def __getattr__(name: str) -> object:
    # folium is imported only by those who ask for it: `ntmgis map` and `report` do not pay for it.
    if name in ("to_folium", "layers_to_folium"):
        from . import folium_map

        return getattr(folium_map, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

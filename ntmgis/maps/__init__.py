"""Offline HTML maps: one self-contained file that opens from disk or an e-mail, no network.

Leaflet comes from the pinned npm copy (``make setup`` runs ``npm ci``) and is inlined when the map
is written; write the returned HTML with :func:`ntmgis.io.write_text_atomic`.

* :func:`build_planner_map` — the planners' map of a workspace and its Assessment (one builder
  per layer in :mod:`ntmgis.maps.layers`, the panels in :mod:`ntmgis.maps.panels`, colours in
  :mod:`ntmgis.maps.styles`, words in ``catalogue/map.yaml``);
* :func:`render_map` with :class:`MapLayer` / :class:`Theme` / :class:`Field` — the page engine
  every map is drawn with (for maps of your own, e.g. a scenario comparison);
* :func:`render_commune_map` — communes coloured by a given level, no Assessment needed.
"""

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

__all__ = [
    "build_planner_map",
    "build_planner_png",
    "planner_layers",
    "planner_summary",
    "render_map",
    "render_png",
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

"""Offline HTML maps: one self-contained file that opens from disk or an e-mail, no network.

Leaflet comes from the pinned npm copy (``make setup`` runs ``npm ci``) and is inlined when the map
is written; write the returned HTML with :func:`ntmgis.io.write_text_atomic`.
"""

from .assets import WebAssetError, WebAssetNotFoundError, WebAssetVersionError, find_web_asset
from .commune_map import LEVEL_COLOURS, NOT_ASSESSED, NOT_ASSESSED_COLOUR, render_commune_map

__all__ = [
    "render_commune_map",
    "find_web_asset",
    "WebAssetError",
    "WebAssetNotFoundError",
    "WebAssetVersionError",
    "NOT_ASSESSED",
    "LEVEL_COLOURS",
    "NOT_ASSESSED_COLOUR",
]

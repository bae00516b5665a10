"""How much geometric detail a map page draws: its zoom range and the pixel rule.

A page opens on its whole area and lets the reader zoom in :data:`ZOOM_IN` levels closer (a
district map to a village filling the screen, a province map to a commune). Boundaries and lines
are drawn simplified at *one screen pixel at that closest zoom*: nobody can see the vertices
dropped, and a 1,500-vertex commune boundary is not sent whole to a page that never shows it
closer than a few metres a pixel. Measurements never see this: only the drawing is simplified
(:mod:`ntmgis.maps.topology` simplifies shared arcs once, so neighbours stay gap-free).

Pixel sizes are Web Mercator's (256-px tiles, as Leaflet draws): ``156 543 m × cos(latitude) /
2**zoom`` a pixel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ZOOM_IN", "MAX_ZOOM", "Detail", "pixel_metres", "fit_zoom", "drawing_detail"]

#: Ground metres of one pixel at zoom 0 on the equator (Web Mercator, 256-px tiles).
_EQUATOR_M_PER_PX = 2 * math.pi * 6_378_137 / 256
#: Metres of one degree of latitude (what a grid step of the map's quantization is at most).
METRES_PER_DEGREE = 111_320.0
#: Zoom levels the reader may go closer than the whole area (2**5 = 32× closer).
ZOOM_IN = 5
#: Leaflet's closest zoom with the page's basemap tiles.
MAX_ZOOM = 19
#: The map pane a page opens in, in pixels (a 1280 × 800 screen less the panels).
_VIEW_PX = (1024, 640)


@dataclass(frozen=True)
class Detail:
    """The zoom range of a page and the simplification tolerance it implies."""

    max_zoom: int
    tolerance_m: float


def pixel_metres(zoom: float, latitude: float) -> float:
    """Ground size of one screen pixel at ``zoom`` and ``latitude`` (degrees).

    Examples
    --------
    >>> round(pixel_metres(17, 21.4), 2)
    1.11
    """
    return _EQUATOR_M_PER_PX * math.cos(math.radians(latitude)) / 2**zoom


def fit_zoom(bounds: tuple[float, float, float, float]) -> float:
    """The zoom at which ``(west, south, east, north)`` (degrees) fills the map pane.

    Examples
    --------
    >>> round(fit_zoom((106.02, 21.31, 106.19, 21.47)), 1)
    12.4
    """
    west, south, east, north = bounds
    latitude = (south + north) / 2
    width = max((east - west) * METRES_PER_DEGREE * math.cos(math.radians(latitude)), 1.0)
    height = max((north - south) * METRES_PER_DEGREE, 1.0)
    at_zero = pixel_metres(0, latitude)
    return math.log2(min(_VIEW_PX[0] * at_zero / width, _VIEW_PX[1] * at_zero / height))


def drawing_detail(bounds: tuple[float, float, float, float]) -> Detail:
    """Closest zoom of a page over ``bounds`` (degrees) and one pixel there, in metres.

    Examples
    --------
    >>> drawing_detail((106.02, 21.31, 106.19, 21.47))  # the sample district
    Detail(max_zoom=17, tolerance_m=1.11)
    >>> drawing_detail((105.5, 21.0, 106.1, 21.5)).max_zoom  # a province
    15
    """
    max_zoom = min(MAX_ZOOM, max(0, math.floor(fit_zoom(bounds))) + ZOOM_IN)
    latitude = (bounds[1] + bounds[3]) / 2
    return Detail(max_zoom, round(pixel_metres(max_zoom, latitude), 2))

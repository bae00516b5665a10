"""Colours and class ramps of the planners' map (:mod:`ntmgis.maps.layers`).

Codes map to colours here; the words of each class come from ``catalogue/map.yaml`` or the domain
vocabularies. Kept in Python rather than YAML: the entries are few, fixed by cartographic choice and
not by the data, and some carry a line weight as well as a colour.
"""

from __future__ import annotations

from ..codes import NOT_APPLICABLE, NOT_ASSESSED
from .commune_map import NOT_ASSESSED_COLOUR

__all__ = [
    "CANAL",
    "CRITERIA_MET_RAMP",
    "CROP_COLOURS",
    "FACILITY_COLOURS",
    "GREY_LIGHT",
    "MARKET",
    "NO_CULTURE_HOUSE",
    "OTHER_CLASS",
    "REACH",
    "ROAD_STYLE",
    "SCHEDULE",
    "SURFACE_COLOURS",
    "UPGRADE",
    "UPGRADE_WEIGHT",
    "VERDICT",
    "ZONE",
]

#: Codes a legend does not know (a new status code) are drawn in this grey, never dropped.
OTHER_CLASS = "#969696"
GREY_LIGHT = "#f0f0f0"

# ColorBrewer RdYlGn ends for verdicts (red: not met, green: met), paler for verdicts that rest on
# an unverified threshold; greys for "not assessed" / "not applicable" stay outside the ramp.
VERDICT = {
    "not_met": "#d7301f",
    "not_met_unverified": "#fc8d59",
    "met_unverified": "#a6d96a",
    "met": "#1a9641",
    NOT_ASSESSED: NOT_ASSESSED_COLOUR,
    NOT_APPLICABLE: GREY_LIGHT,
}
SCHEDULE = {
    "late": "#d7301f",
    "due": "#fdae61",
    "on_track": "#a6d96a",
    "achieved": "#1a9641",
    "planned_later": "#abd9e9",
    "maintain": "#e0e0e0",
    "not_scheduled": "#e0e0e0",
    NOT_APPLICABLE: GREY_LIGHT,
    NOT_ASSESSED: NOT_ASSESSED_COLOUR,
}
#: Share of the criteria met (floor, colour), highest floor first.
CRITERIA_MET_RAMP = ((1.0, "#1a9641"), (0.9, "#a6d96a"), (0.75, "#fdae61"), (0.0, "#d7191c"))
# Road classes from the national road down to in-field tracks: darker and wider for higher classes.
ROAD_STYLE = {
    "quoc_lo": ("#b30000", 4.0),
    "tinh": ("#e34a33", 3.5),
    "huyen": ("#fc8d59", 3.0),
    "xa": ("#6a3d9a", 2.5),
    "lien_thon": ("#1f78b4", 2.0),
    "truc_thon": ("#6baed6", 1.5),
    "ngo_xom": ("#9e9e9e", 1.0),
    "noi_dong": ("#8fbf6a", 1.0),
}
SURFACE_COLOURS = {
    "nhua": "#252525",
    "be_tong": "#636363",
    "gach": "#969696",
    "cap_phoi": "#fd8d3c",
    "dat": "#a63603",
}
#: Surfaces of the segments to upgrade, drawn thick over the road network.
UPGRADE = {"dat": "#ce1256", "cap_phoi": "#f768a1"}
UPGRADE_WEIGHT = 4.5
#: Canal classes (colour, weight): commune-managed canals drawn thick.
CANAL = {
    "lined_xa": ("#2171b5", 3.5),
    "unlined_xa": ("#d94801", 3.5),
    "lined_other": ("#6baed6", 1.5),
    "unlined_other": ("#fd8d3c", 1.5),
}
MARKET = {"market_unplanned": "#d7301f", "market_planned": "#fdae61", "market_met": "#1a9641"}
FACILITY_COLOURS = {
    "school": "#1f78b4",
    "culture_house": "#e31a1c",
    "health_station": "#33a02c",
    "sports_ground": "#ff7f00",
    "waste_point": "#6a3d9a",
    "post_office": "#b15928",
}
ZONE = {"not_vietgap": "#fee391", "vietgap": "#41ab5d", "vietgap_code": "#005a32"}
CROP_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
)
NO_CULTURE_HOUSE = "#e31a1c"
#: Market gaps: villages farther than the radius, and villages no road reaches (dashed).
REACH = {"beyond": "#6a51a3", "unreachable": "#3f007d"}

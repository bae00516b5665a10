"""One builder per layer of the planners' map (:mod:`ntmgis.maps.planner`).

Each builder takes the :class:`~ntmgis.workspace.Workspace` and, where the layer shows a verdict or a
gap, the :class:`~ntmgis.assessment.Assessment`, and only *looks up* what the Assessment decided:
verdicts, gap texts, the schedule status of each plan year, the gap layers. Words come from
``catalogue/map.yaml`` and the domain vocabularies, colours from :mod:`ntmgis.maps.styles`.
"""

from ._shared import plan_years
from .communes import commune_layer
from .networks import canal_layer, road_layer, upgrade_layer
from .places import facility_layer, market_layer, zone_layer
from .villages import culture_house_gap_layer, market_gap_layer, village_layer

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

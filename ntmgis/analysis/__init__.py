"""Pure analysis functions: Workspace data in, tables and gap layers out."""

from .access import (
    facility_reach,
    market_reach,
    reach,
    reach_gaps,
    road_graph,
    rural_access_index,
    villages_with_facility,
)
from .assess import InfrastructureAssessment, NetworkOptions, Terms, assess_infrastructure
from .clip import split_by_commune, split_problems
from .graph import check_road_network, node_roads
from .network import (
    canal_lining,
    canals_to_line,
    road_concretization,
    segments_to_upgrade,
    upgrade_totals,
)
from .zones import vietgap_summary, zone_areas, zone_areas_by_commune, zone_overlaps, zone_problems

__all__ = [
    "split_by_commune",
    "split_problems",
    "road_concretization",
    "canal_lining",
    "canals_to_line",
    "segments_to_upgrade",
    "upgrade_totals",
    "road_graph",
    "check_road_network",
    "node_roads",
    "reach",
    "market_reach",
    "facility_reach",
    "reach_gaps",
    "villages_with_facility",
    "rural_access_index",
    "zone_areas",
    "zone_areas_by_commune",
    "zone_overlaps",
    "vietgap_summary",
    "zone_problems",
    "InfrastructureAssessment",
    "assess_infrastructure",
    "Terms",
    "NetworkOptions",
]

"""The two line networks scenarios upgrade (roads hardened, canals lined) and their unit costs.

Scenarios and the optimiser read the gap layers of the baseline :class:`~ntmgis.assessment.Assessment`
(``segments_to_upgrade``, ``canals_to_line``: pieces segment × commune with their km) and price
works with the unit-cost tables in force; nothing here cuts lines at commune borders.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from ..assessment import Assessment
from ..costs import upgrade_prices
from ..vocab import concretized_surfaces, kien_co_linings


@dataclass(frozen=True)
class Network:
    """How a line network is upgraded.

    Attributes
    ----------
    layer : str
        ``roads`` or ``canals`` (the workspace layer and the unit-cost table's name).
    klass, state : str
        Columns of the class (road class, canal level) and of the state (surface, lining).
    target : str
        Column of the unit-cost table with the state after the upgrade.
    """

    layer: str
    klass: str
    state: str
    target: str

    def done(self) -> frozenset[str]:
        """States that need no upgrade (concretized surfaces, kiên cố linings)."""
        return concretized_surfaces() if self.layer == "roads" else kien_co_linings()

    @property
    def gap_name(self) -> str:
        """The assessment's gap layer of this network."""
        return "segments_to_upgrade" if self.layer == "roads" else "canals_to_line"

    def gap(self, assessment: Assessment) -> gpd.GeoDataFrame:
        """The assessment's pieces of this network still to upgrade (``segment_id``,
        ``commune_code``, class, state, ``length_km``, geometry).

        Raises
        ------
        ValueError
            The assessment has no such layer (the workspace it assessed had no such network).
        """
        gap = getattr(assessment, self.gap_name)
        if gap is None:
            raise ValueError(f"the assessment has no {self.gap_name}: its workspace has no {self.layer}")
        return gap

    def prices(self, table: pd.DataFrame) -> tuple[dict[str, str], dict[tuple[str, str], float]]:
        """Default target per class and price per (class, target) (:func:`ntmgis.costs.upgrade_prices`)."""
        return upgrade_prices(table, self.layer)


ROADS = Network("roads", "road_class", "surface", "target_surface")
CANALS = Network("canals", "canal_level", "lining", "target_lining")
NETWORKS = {"roads": ROADS, "canals": CANALS}


def default_unit_costs(assessment: Assessment) -> dict[str, pd.DataFrame]:
    """The unit-cost tables the assessment used (copies)."""
    return {"roads": assessment.unit_costs.copy(), "canals": assessment.canal_unit_costs.copy()}

"""The Assessment of a workspace: the criteria verdicts and the infrastructure analysis together.

This is stage 3 of the flow (DESIGN.md): the map, the report and scenario comparison read an
:class:`Assessment` and never recompute it. The infrastructure analysis runs first and its
indicator rows are the ``computed`` evidence of the criteria engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd

from .analysis.access import DEFAULT_RADIUS_M
from .analysis.assess import InfrastructureAssessment, assess_infrastructure
from .criteria.evaluate import CriteriaAssessment, Prefer, evaluate_workspace
from .problems import Problem

__all__ = ["Assessment", "assess"]


@dataclass(frozen=True)
class Assessment:
    """Everything known about a workspace at one assessment year.

    Attributes
    ----------
    criteria : CriteriaAssessment
        Commune and village verdicts, progress against the plan, sector targets, cross-check.
    infrastructure : InfrastructureAssessment
        Computed indicators, per-commune tables (roads, canals, reach, zones) and gap layers.
    unit_costs : DataFrame or None
        The unit-cost table used for the upgrade costs (``None``: the packaged assumption).
    market_radius_m : float
        Radius of the market-gap layer (an analysis assumption, not an NTM rule).
    """

    criteria: CriteriaAssessment
    infrastructure: InfrastructureAssessment
    unit_costs: pd.DataFrame | None = None
    market_radius_m: float = DEFAULT_RADIUS_M

    @property
    def year(self) -> int:
        return self.criteria.year

    @property
    def indicators(self) -> pd.DataFrame:
        """The indicator table of DESIGN.md (each commune at its target level)."""
        return self.criteria.target_indicators()

    @property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Gap layers (``segments_to_upgrade``, ``market_gaps``, ``villages_without_culture_house``)."""
        return self.infrastructure.layers

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(self.infrastructure.problems) + tuple(self.criteria.problems)


def assess(
    workspace: Any,
    *,
    as_of: date | int | str | None = None,
    criteria_set: str | None = None,
    prefer: Prefer = "computed",
    unit_costs: pd.DataFrame | None = None,
    market_radius_m: float = DEFAULT_RADIUS_M,
) -> Assessment:
    """Assess ``workspace``: measure the layers, then evaluate the criteria with those measurements.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    as_of : date, int or str, optional
        Assessment date (see :func:`ntmgis.criteria.evaluate_workspace`).
    criteria_set : str, optional
        ``auto`` or a set id; default the workspace's.
    prefer : {"computed", "reported"}
        Which evidence decides when a measured value and a reported verdict disagree.
    unit_costs : DataFrame, optional
        Upgrade unit costs; default the packaged, illustrative table.
    market_radius_m : float
        Radius of the market-gap layer along roads (m).

    Returns
    -------
    Assessment
    """
    infrastructure = assess_infrastructure(workspace, unit_costs=unit_costs, market_radius_m=market_radius_m)
    criteria = evaluate_workspace(workspace, infrastructure.indicators, as_of=as_of,
                                  criteria_set=criteria_set, prefer=prefer)
    return Assessment(criteria=criteria, infrastructure=infrastructure, unit_costs=unit_costs,
                      market_radius_m=market_radius_m)

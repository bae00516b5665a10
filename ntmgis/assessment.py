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
from .analysis.assess import ROAD_INDICATORS, InfrastructureAssessment, assess_infrastructure
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

    def coverage(self, network: str = "roads") -> pd.DataFrame:
        """Concretized (roads) or lined (canals) km per commune beside the criterion they feed.

        Each row of the analysis table (commune × road class, or commune for canals) gets the
        indicator its km count towards (2.1–2.4, 3.3), the commune's target level, the threshold
        at that level (with its ``verified`` flag), the share of the whole indicator group (e.g.
        truc_thon + lien_thon for 2.2) and the verdict the criteria engine gave that indicator.

        Parameters
        ----------
        network : {"roads", "canals"}

        Returns
        -------
        DataFrame
            The analysis columns plus ``indicator, target_level, op, threshold, verified,
            indicator_share, indicator_status``; empty when the layer is absent. Classes no
            criterion measures (national, provincial, district roads) have no indicator.
        """
        if network not in ("roads", "canals"):
            raise ValueError(f"network must be 'roads' or 'canals', not {network!r}")
        table = self.infrastructure.tables.get(network)
        if table is None:
            return pd.DataFrame()
        table = table.copy()
        if network == "roads":
            measure = {cls: name for name, classes in ROAD_INDICATORS.items() for cls in classes}
            table["measure"] = table["road_class"].map(measure)
        else:
            table["measure"] = "canal_lined_share_xa"
        thresholds = self.criteria.thresholds.dropna(subset=["computed"])
        indicator_of = dict(zip(thresholds["computed"], thresholds["indicator"], strict=False))
        table["indicator"] = table["measure"].map(indicator_of)
        targets = self.criteria.communes.set_index("commune_code")["target_level"]
        table["target_level"] = table["commune_code"].map(targets)
        verdicts = self.criteria.indicators.rename(columns={
            "unit_code": "commune_code", "level": "target_level", "value": "indicator_share",
            "status": "indicator_status"})
        verdicts = verdicts[["commune_code", "target_level", "indicator", "op", "threshold", "verified",
                             "indicator_share", "indicator_status"]]
        merged = table.merge(verdicts, on=["commune_code", "target_level", "indicator"], how="left")
        # Shares are 0..1 in the analysis and % in the criteria sets: one unit in one table.
        merged["threshold"] = merged["threshold"] / 100.0
        merged["indicator_share"] = merged["indicator_share"] / 100.0
        return merged.drop(columns=["measure"])


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

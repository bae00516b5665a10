"""The infrastructure assessment of a workspace: computed indicators and gap layers.

The indicator names are the ``computed:`` names of the criteria YAML and the plan target ids that
:mod:`ntmgis.criteria.evaluate` understands; shares are in 0..1 with unit ``share``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..problems import Problem
from .access import (
    DEFAULT_RADIUS_M,
    market_reach,
    reach_gaps,
    road_graph,
    rural_access_index,
    villages_with_facility,
)
from .network import (
    canal_lining,
    load_unit_costs,
    road_concretization,
    segments_to_upgrade,
    split_by_commune,
    split_problems,
)
from .zones import vietgap_summary, zone_areas, zone_areas_by_commune, zone_overlaps, zone_problems

__all__ = ["InfrastructureAssessment", "computed_indicators", "assess_infrastructure", "ROAD_INDICATORS",
           "INDICATOR_COLUMNS"]

#: Computed indicator → road classes whose km it measures (QĐ 318 criterion 2, DOMAIN.md §1).
ROAD_INDICATORS: dict[str, tuple[str, ...]] = {
    "road_concretized_share_xa": ("xa",),
    "road_concretized_share_thon": ("truc_thon", "lien_thon"),
    "road_concretized_share_ngo_xom": ("ngo_xom",),
    "road_concretized_share_noi_dong": ("noi_dong",),
}
INDICATOR_COLUMNS = ["unit_code", "indicator", "value", "unit", "method", "source"]
_DISTRICT = "district"


@dataclass(frozen=True)
class InfrastructureAssessment:
    """Tables and gap layers of :func:`assess_infrastructure`.

    Attributes
    ----------
    indicators : DataFrame
        ``INDICATOR_COLUMNS`` rows for the criteria engine.
    tables : dict of str to DataFrame
        ``roads`` (commune × class), ``canals``, ``upgrade_totals`` , ``market_reach``,
        ``zones`` (area per zone), ``zones_by_commune``, ``zone_overlaps``, ``rural_access``.
    layers : dict of str to GeoDataFrame
        ``segments_to_upgrade``, ``market_gaps``, ``villages_without_culture_house``.
    problems : list of Problem
    """

    indicators: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    layers: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _row(unit_code: str, indicator: str, value: Any, unit: str, method: str, source: str) -> dict[str, Any]:
    return {"unit_code": unit_code, "indicator": indicator, "value": value, "unit": unit,
            "method": method, "source": source}


def _grouped_share(table: pd.DataFrame, classes: tuple[str, ...]) -> pd.Series:
    chosen = table[table["road_class"].isin(classes)]
    part = chosen.groupby("commune_code")[["total_km", "concretized_km"]].sum()
    return (part["concretized_km"] / part["total_km"]).where(part["total_km"] > 0)


def assess_infrastructure(workspace: Any, *, unit_costs: pd.DataFrame | None = None,
                          market_radius_m: float = DEFAULT_RADIUS_M) -> InfrastructureAssessment:
    """Every computable infrastructure indicator of ``workspace``, with tables and gap layers.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
        Layers already validated and in the metric working CRS.
    unit_costs : DataFrame, optional
        Upgrade unit costs; the packaged illustrative table (:func:`load_unit_costs`) by default.
    market_radius_m : float
        Radius of the market-gap layer along roads; an analysis assumption, not an NTM rule.

    Returns
    -------
    InfrastructureAssessment
        A missing layer leaves its indicators out (the engine then says "not assessed").
    """
    communes = workspace.layer("communes")
    codes = sorted(communes["commune_code"].astype(str))
    rows: list[dict[str, Any]] = []
    tables: dict[str, pd.DataFrame] = {}
    layers: dict[str, gpd.GeoDataFrame] = {}
    problems: list[Problem] = []

    if workspace.has_layer("roads"):
        roads = workspace.layer("roads")
        pieces = split_by_commune(roads, communes)
        problems += split_problems(pieces, "roads")
        table = road_concretization(roads, communes, pieces=pieces)
        tables["roads"] = table
        for indicator, classes in ROAD_INDICATORS.items():
            share = _grouped_share(table, classes).reindex(codes)
            rows += [_row(c, indicator, share[c], "share", "computed",
                          "roads layer, km cut at commune borders") for c in codes]
        # District roads: the plan's target is "maintained", which layers cannot show; the
        # concretized share is reported under its own name so it is not mistaken for it.
        huyen = table[table["road_class"] == "huyen"][["total_km", "concretized_km"]].sum()
        rows.append(_row(_DISTRICT, "district_road_concretized_share",
                         huyen["concretized_km"] / huyen["total_km"] if huyen["total_km"] > 0 else np.nan,
                         "share", "computed", "roads layer, class huyen"))
        costs = load_unit_costs() if unit_costs is None else unit_costs
        upgrade = segments_to_upgrade(roads, communes, costs, pieces=pieces)
        layers["segments_to_upgrade"] = upgrade
        tables["upgrade_totals"] = (pd.DataFrame(upgrade.drop(columns=upgrade.geometry.name))
                                    .groupby(["commune_code", "road_class"], as_index=False)
                                    [["length_km", "cost_million_vnd"]].sum())

    if workspace.has_layer("canals"):
        canals = workspace.layer("canals")
        pieces = split_by_commune(canals, communes)
        problems += split_problems(pieces, "canals")
        table = canal_lining(canals, communes, pieces=pieces)
        tables["canals"] = table
        rows += [_row(r.commune_code, "canal_lined_share_xa", r.share, "share", "computed",
                      "canals layer, managed_by xa") for r in table.itertuples()]
        total = table["total_km"].sum()
        lined = table["lined_km"].sum() / total if total else np.nan
        rows.append(_row(_DISTRICT, "canals_lined_share", lined, "share", "computed",
                         "canals layer, managed_by xa, whole district"))

    if workspace.has_layer("villages"):
        villages = workspace.layer("villages")
        if workspace.has_layer("facilities"):
            has = villages_with_facility(villages, workspace.layer("facilities"), "culture_house")
            share = has.groupby(villages["commune_code"].astype(str)).mean().reindex(codes)
            rows += [_row(c, "villages_with_culture_house_share", share[c], "share", "computed",
                          "facilities in village polygons") for c in codes]
            layers["villages_without_culture_house"] = villages[~has]
        if workspace.has_layer("roads"):
            roads = workspace.layer("roads")
            rai = rural_access_index(villages, roads)
            tables["rural_access"] = rai
            rows += [_row(r.unit_code, "rural_access_index", r.rai, "share", "computed",
                          "population within 2 km of a concretized road (SDG 9.1.1 proxy)")
                     for r in rai.itertuples()]
            if workspace.has_layer("markets"):
                reach = market_reach(roads, villages, workspace.layer("markets"), graph=road_graph(roads))
                tables["market_reach"] = reach
                layers["market_gaps"] = reach_gaps(villages, reach, radius_m=market_radius_m)
                problems += [Problem("", "villages", str(r.village_id), f"market reach: {r.status}",
                                     "kept in the market-gap layer", "warning")
                             for r in reach[reach["status"] != "reached"].itertuples()]

    if workspace.has_layer("markets"):
        markets = workspace.layer("markets")
        standard = markets["standard_met"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        present = set(markets.loc[standard, "commune_code"].astype(str))
        # Presence proves criterion 7; absence is recorded as False and the engine's "sufficient"
        # role keeps it from failing the commune (a standard store also passes).
        rows += [_row(c, "standard_market_present", c in present, "pass/fail", "computed",
                      "markets layer, standard_met") for c in codes]

    if workspace.has_layer("production_zones"):
        zones = workspace.layer("production_zones")
        by_commune = zone_areas_by_commune(zones, communes)
        tables["zones"] = zone_areas(zones)
        tables["zones_by_commune"] = by_commune
        tables["zone_overlaps"] = zone_overlaps(zones)
        problems += zone_problems(zones, by_commune)
        with_vietgap = set(by_commune.loc[by_commune["vietgap"], "commune_code"].dropna().astype(str))
        rows += [_row(c, "vietgap_zone_present", c in with_vietgap, "pass/fail", "computed",
                      "production_zones layer, vietgap zones by area in commune") for c in codes]
        summary = vietgap_summary(zones)
        rows.append(_row(_DISTRICT, "vietgap_concentrated_zone_ha", summary["vietgap_area_ha"], "ha",
                         "computed", "production_zones layer, union of VietGAP zones"))
        rows.append(_row(_DISTRICT, "zones_with_growing_area_code", summary["zones_with_growing_area_code"],
                         "zones", "computed", "production_zones layer, growing_area_code"))

    indicators = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    return InfrastructureAssessment(indicators, tables, layers, problems)


def computed_indicators(workspace: Any) -> pd.DataFrame:
    """The computed-indicator table of ``workspace`` (``INDICATOR_COLUMNS``), for the criteria engine."""
    return assess_infrastructure(workspace).indicators

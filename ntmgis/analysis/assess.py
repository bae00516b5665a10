"""The infrastructure half of an assessment: computed indicators, per-commune tables and gap layers.

The indicator names are the ``computed:`` names of the criteria YAML and the plan target ids that
:mod:`ntmgis.criteria` understands; shares are in 0..1 with unit ``share``. The result is a builder
for :class:`ntmgis.assessment.Assessment`, which is what downstream code reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..codes import DISTRICT_UNIT
from ..problems import Problem
from .access import (
    DEFAULT_RADIUS_M,
    RoadGraph,
    market_reach,
    reach_gaps,
    road_graph,
    road_vertices,
    rural_access_index,
    villages_with_facility,
)
from .clip import split_by_commune, split_problems
from .graph import DEFAULT_SNAP_M, check_road_network, network_problems, node_roads
from .network import (
    canal_lining,
    canals_to_line,
    road_concretization,
    segments_to_upgrade,
    upgrade_totals,
)
from .zones import vietgap_summary, zone_areas, zone_areas_by_commune, zone_overlaps, zone_problems

__all__ = [
    "COMPUTED_COLUMNS",
    "ROAD_INDICATORS",
    "InfrastructureAssessment",
    "NetworkOptions",
    "Terms",
    "assess_infrastructure",
]

#: Computed indicator → road classes whose km it measures (QĐ 318 criterion 2, DOMAIN.md §1).
ROAD_INDICATORS: dict[str, tuple[str, ...]] = {
    "road_concretized_share_xa": ("xa",),
    "road_concretized_share_thon": ("truc_thon", "lien_thon"),
    "road_concretized_share_ngo_xom": ("ngo_xom",),
    "road_concretized_share_noi_dong": ("noi_dong",),
}
#: Columns of the computed-indicator rows handed to the criteria engine.
COMPUTED_COLUMNS = ["unit_code", "indicator", "value", "unit", "method", "source"]


@dataclass(frozen=True, kw_only=True)
class InfrastructureAssessment:
    """What :func:`assess_infrastructure` measured; ``None`` where the source layer is absent.

    :class:`ntmgis.assessment.Assessment` extends it with the criteria verdicts: these fields are
    declared once, here.

    Attributes
    ----------
    measured : DataFrame
        ``COMPUTED_COLUMNS`` rows for the criteria engine.
    roads, canals : DataFrame or None
        :func:`~ntmgis.analysis.network.road_concretization`, :func:`~ntmgis.analysis.network.canal_lining`.
    upgrade_totals : DataFrame or None
        :func:`~ntmgis.analysis.network.upgrade_totals` of ``segments_to_upgrade``.
    market_reach, rural_access : DataFrame or None
    road_network : DataFrame or None
        :func:`~ntmgis.analysis.graph.check_road_network` of the roads reach was computed on: one
        row ``roads``, and a row ``roads_noded`` when the layer was noded for reach;
        ``used_for_reach`` marks the row whose graph reach used (``components`` > 1: reach ran on a
        network that is not connected).
    zones, zone_overlaps : DataFrame or None
    segments_to_upgrade, canals_to_line, market_gaps, villages_without_culture_house, zones_by_commune :
        GeoDataFrame or None; the gap layers (zones_by_commune: zone pieces by commune).
    problems : tuple of Problem
    """

    measured: pd.DataFrame
    roads: pd.DataFrame | None = None
    canals: pd.DataFrame | None = None
    upgrade_totals: pd.DataFrame | None = None
    market_reach: pd.DataFrame | None = None
    rural_access: pd.DataFrame | None = None
    road_network: pd.DataFrame | None = None
    zones: pd.DataFrame | None = None
    zone_overlaps: pd.DataFrame | None = None
    zones_by_commune: gpd.GeoDataFrame | None = None
    segments_to_upgrade: gpd.GeoDataFrame | None = None
    canals_to_line: gpd.GeoDataFrame | None = None
    market_gaps: gpd.GeoDataFrame | None = None
    villages_without_culture_house: gpd.GeoDataFrame | None = None
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def _row(unit_code: str, indicator: str, value: Any, unit: str, method: str, source: str) -> dict[str, Any]:
    return {
        "unit_code": unit_code,
        "indicator": indicator,
        "value": value,
        "unit": unit,
        "method": method,
        "source": source,
    }


def _grouped_share(table: pd.DataFrame, classes: tuple[str, ...]) -> pd.Series:
    chosen = table[table["road_class"].isin(classes)]
    part = chosen.groupby("commune_code")[["total_km", "concretized_km"]].sum()
    return (part["concretized_km"] / part["total_km"]).where(part["total_km"] > 0)


@dataclass(frozen=True)
class Terms:
    """The vocabulary an assessment counts with, passed in (never looked up by the analysis).

    Attributes
    ----------
    surfaces : frozenset of str
        Road surfaces that count as concretized (cứng hóa).
    linings : frozenset of str
        Canal linings that count as kiên cố.
    road_classes : tuple of str
        Road classes every commune gets a row for, in display order.
    """

    surfaces: frozenset[str]
    linings: frozenset[str]
    road_classes: tuple[str, ...]


@dataclass(frozen=True)
class NetworkOptions:
    """How the road network for reach is prepared.

    Attributes
    ----------
    node : bool
        Node the roads (:func:`~ntmgis.analysis.graph.node_roads`) before computing reach.
    snap_m : float
        Largest gap (m) between a road end and another road that is a junction.
    """

    node: bool = False
    snap_m: float = DEFAULT_SNAP_M


@dataclass
class _Build:
    """What the per-layer steps add up: indicator rows, named results, problems."""

    codes: list[str]
    terms: Terms
    network: NetworkOptions = field(default_factory=NetworkOptions)
    rows: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _roads(build: _Build, layers: dict[str, gpd.GeoDataFrame], unit_costs: pd.DataFrame) -> None:
    roads, communes, codes = layers["roads"], layers["communes"], build.codes
    terms = build.terms
    pieces = split_by_commune(roads, communes)
    build.problems += split_problems(pieces, "roads")
    table = road_concretization(
        roads, communes, surfaces=terms.surfaces, classes=terms.road_classes, pieces=pieces
    )
    build.results["roads"] = table
    for indicator, classes in ROAD_INDICATORS.items():
        share = _grouped_share(table, classes).reindex(codes)
        build.rows += [
            _row(c, indicator, share[c], "share", "computed", "roads layer, km cut at commune borders")
            for c in codes
        ]
    # District roads: the plan's target is "maintained", which layers cannot show; the
    # concretized share is reported under its own name so it is not mistaken for it.
    huyen = table[table["road_class"] == "huyen"][["total_km", "concretized_km"]].sum()
    build.rows.append(
        _row(
            DISTRICT_UNIT,
            "district_road_concretized_share",
            huyen["concretized_km"] / huyen["total_km"] if huyen["total_km"] > 0 else np.nan,
            "share",
            "computed",
            "roads layer, class huyen",
        )
    )
    upgrade = segments_to_upgrade(roads, communes, unit_costs, surfaces=terms.surfaces, pieces=pieces)
    build.results["segments_to_upgrade"] = upgrade
    build.results["upgrade_totals"] = upgrade_totals(upgrade)


def _canals(build: _Build, layers: dict[str, gpd.GeoDataFrame], unit_costs: pd.DataFrame) -> None:
    canals, communes = layers["canals"], layers["communes"]
    pieces = split_by_commune(canals, communes)
    build.problems += split_problems(pieces, "canals")
    linings = build.terms.linings
    table = canal_lining(canals, communes, linings=linings, pieces=pieces)
    build.results["canals"] = table
    build.results["canals_to_line"] = canals_to_line(
        canals, communes, unit_costs, linings=linings, pieces=pieces
    )
    build.rows += [
        _row(
            r.commune_code,
            "canal_lined_share_xa",
            r.share,
            "share",
            "computed",
            "canals layer, managed_by xa",
        )
        for r in table.itertuples()
    ]
    total = table["total_km"].sum()
    lined = table["lined_km"].sum() / total if total else np.nan
    build.rows.append(
        _row(
            DISTRICT_UNIT,
            "canals_lined_share",
            lined,
            "share",
            "computed",
            "canals layer, managed_by xa, whole district",
        )
    )


def _villages(build: _Build, layers: dict[str, gpd.GeoDataFrame], radius: float) -> None:
    villages, codes = layers["villages"], build.codes
    if "facilities" in layers:
        has = villages_with_facility(villages, layers["facilities"], "culture_house")
        share = has.groupby(villages["commune_code"].astype(str)).mean().reindex(codes)
        build.rows += [
            _row(
                c,
                "villages_with_culture_house_share",
                share[c],
                "share",
                "computed",
                "facilities in village polygons",
            )
            for c in codes
        ]
        build.results["villages_without_culture_house"] = villages[~has]
    if "roads" not in layers:
        return
    roads = layers["roads"]
    rai = rural_access_index(villages, roads, surfaces=build.terms.surfaces)
    build.results["rural_access"] = rai
    build.rows += [
        _row(
            r.unit_code,
            "rural_access_index",
            r.rai,
            "share",
            "computed",
            "population within 2 km of a concretized road (SDG 9.1.1 proxy)",
        )
        for r in rai.itertuples()
    ]
    if "markets" in layers:
        graph = _reach_network(build, roads)
        reach = market_reach(roads, villages, layers["markets"], graph=graph)
        build.results["market_reach"] = reach
        build.results["market_gaps"] = reach_gaps(villages, reach, radius_m=radius)
        build.problems += [
            Problem.of(
                "problems.market_reach",
                layer="villages",
                feature=str(r.village_id),
                status=str(r.status),
            )
            for r in reach[reach["status"] != "reached"].itertuples()
        ]


def _reach_network(build: _Build, roads: gpd.GeoDataFrame) -> RoadGraph:
    """The graph reach runs on (noded when asked), built once; the network check and its problems recorded."""
    snap_m = build.network.snap_m
    vertices = road_vertices(roads)  # sorted into nodes once, for the graph and the check
    graph = road_graph(roads, vertices=vertices)
    check = check_road_network(roads, snap_m=snap_m, graph=graph, vertices=vertices)
    if build.network.node:
        used = node_roads(roads, snap_m=snap_m, vertices=vertices)
        del vertices
        vertices = road_vertices(used)
        graph = road_graph(used, vertices=vertices)
        after = check_road_network(used, snap_m=snap_m, layer="roads_noded", graph=graph, vertices=vertices)
        build.problems.append(
            Problem.of(
                "problems.network_noded",
                layer="roads",
                severity="info",
                crossings=int(check.at[0, "crossings"]),
                dangles=int(check.at[0, "dangling_ends"]),
                snap=f"{snap_m:g}",
                before=int(check.at[0, "components"]),
                after=int(after.at[0, "components"]),
            )
        )
        check = pd.concat([check, after], ignore_index=True)
    check["used_for_reach"] = check.index == len(check) - 1
    build.results["road_network"] = check
    build.problems.extend(network_problems(check.iloc[[-1]].reset_index(drop=True)))
    return graph


def _markets(build: _Build, layers: dict[str, gpd.GeoDataFrame]) -> None:
    markets = layers["markets"]
    standard = markets["standard_met"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    present = set(markets.loc[standard, "commune_code"].astype(str))
    # Presence proves criterion 7; absence is recorded as False and the engine's "sufficient"
    # role keeps it from failing the commune (a standard store also passes).
    build.rows += [
        _row(
            c, "standard_market_present", c in present, "pass/fail", "computed", "markets layer, standard_met"
        )
        for c in build.codes
    ]


def _zones(build: _Build, layers: dict[str, gpd.GeoDataFrame]) -> None:
    zones = layers["production_zones"]
    by_commune = zone_areas_by_commune(zones, layers["communes"])
    build.results.update(
        zones=zone_areas(zones), zones_by_commune=by_commune, zone_overlaps=zone_overlaps(zones)
    )
    build.problems += zone_problems(zones, by_commune)
    with_vietgap = set(by_commune.loc[by_commune["vietgap"], "commune_code"].dropna().astype(str))
    build.rows += [
        _row(
            c,
            "vietgap_zone_present",
            c in with_vietgap,
            "pass/fail",
            "computed",
            "production_zones layer, vietgap zones by area in commune",
        )
        for c in build.codes
    ]
    summary = vietgap_summary(zones)
    build.rows.append(
        _row(
            DISTRICT_UNIT,
            "vietgap_concentrated_zone_ha",
            summary["vietgap_area_ha"],
            "ha",
            "computed",
            "production_zones layer, union of VietGAP zones",
        )
    )
    build.rows.append(
        _row(
            DISTRICT_UNIT,
            "zones_with_growing_area_code",
            summary["zones_with_growing_area_code"],
            "zones",
            "computed",
            "production_zones layer, growing_area_code",
        )
    )


def assess_infrastructure(
    layers: dict[str, gpd.GeoDataFrame],
    *,
    unit_costs: pd.DataFrame,
    canal_unit_costs: pd.DataFrame,
    terms: Terms,
    market_radius_m: float = DEFAULT_RADIUS_M,
    network: NetworkOptions | None = None,
) -> InfrastructureAssessment:
    """Every computable infrastructure indicator of a district's layers, with tables and gap layers.

    Parameters
    ----------
    layers : dict of str to GeoDataFrame
        The workspace layers present (``communes`` required; ``roads``, ``canals``, ``villages``,
        ``markets``, ``facilities``, ``production_zones`` optional), validated and in the metric
        working CRS.
    unit_costs, canal_unit_costs : DataFrame
        Road upgrade and canal lining unit costs (million VND per km).
    terms : Terms
        Which surfaces and linings count, and the road classes to list.
    market_radius_m : float
        Radius of the market-gap layer along roads; an analysis assumption, not an NTM rule.
    network : NetworkOptions, optional
        Whether to node the roads for reach (default: reach on the layer as given, checked).

    Returns
    -------
    InfrastructureAssessment
        A missing layer leaves its indicators out (the engine then says "not assessed") and its
        tables and gap layers ``None``.
    """
    build = _Build(
        codes=sorted(layers["communes"]["commune_code"].astype(str)),
        terms=terms,
        network=network or NetworkOptions(),
    )
    if "roads" in layers:
        _roads(build, layers, unit_costs)
    if "canals" in layers:
        _canals(build, layers, canal_unit_costs)
    if "villages" in layers:
        _villages(build, layers, market_radius_m)
    if "markets" in layers:
        _markets(build, layers)
    if "production_zones" in layers:
        _zones(build, layers)
    result = InfrastructureAssessment(
        measured=pd.DataFrame(build.rows, columns=COMPUTED_COLUMNS), problems=tuple(build.problems)
    )
    return replace(result, **build.results)

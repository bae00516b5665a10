"""The Assessment of a workspace: the one typed contract between the analysis and everything that shows it.

This is stage 3 of the flow (DESIGN.md). :func:`assess` measures the layers (:mod:`ntmgis.analysis`),
feeds the measurements to the criteria engine (:mod:`ntmgis.criteria`) and returns one frozen
:class:`Assessment` with named fields. The map, the report, scenarios, the comparison and the
optimiser read only it (and the Workspace); they import nothing from ``ntmgis.analysis`` or
``ntmgis.criteria`` (an import-linter contract in ``pyproject.toml`` enforces it).

Examples
--------
>>> import ntmgis
>>> from ntmgis.assessment import assess
>>> a = assess(ntmgis.load_workspace())            # the embedded sample district
>>> a.year, len(a.communes), a.provenance.criteria_sets
(2023, 22, 'qd318_2022_xa + qd319_2022_kieu_mau')
>>> sorted(a.schedule["status"].unique())[:3]
['achieved', 'due', 'late']
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

import geopandas as gpd
import pandas as pd

from .analysis.access import DEFAULT_RADIUS_M
from .analysis.assess import (
    ROAD_INDICATORS,
    InfrastructureAssessment,
    NetworkOptions,
    Terms,
    assess_infrastructure,
)
from .costs import load_unit_costs
from .criteria.closing import ClosingAccount, closing_account
from .criteria.evaluate import CriteriaAssessment, Prefer, evaluate_workspace
from .criteria.schedule import milestone_table, schedule_table
from .plan import Plan
from .vocab import concretized_surfaces, kien_co_linings, vocabulary
from .workspace import Workspace

__all__ = ["GAP_LAYERS", "Assessment", "Provenance", "assess", "build_assessment"]

#: The gap layers of an Assessment, by field name.
GAP_LAYERS = (
    "segments_to_upgrade",
    "canals_to_line",
    "market_gaps",
    "villages_without_culture_house",
    "zones_by_commune",
)


@dataclass(frozen=True)
class Provenance:
    """How an assessment was made: the date, the criteria sets and the analysis assumptions.

    Attributes
    ----------
    year : int
        Evaluation year (year-specific thresholds; the status year).
    as_of : date
        Assessment date the criteria sets were chosen for.
    criteria_sets : str
        The commune sets used, as one label (``qd318_2022_xa + qd319_2022_kieu_mau``).
    criteria_reason : str
        ``chosen by date`` or ``named in the workspace``.
    legal_bases : tuple of (str, str)
        ``(set id, legal basis)`` of every set used (commune, kiểu mẫu, village).
    region : str or None
        Regional column of the thresholds.
    prefer : str
        Which evidence decided when measured and reported verdicts disagreed.
    market_radius_m : float
        Radius of the market-gap layer (an analysis assumption, not an NTM rule).
    unit_costs_assumed : bool
        True when the unit costs are assumptions: the packaged illustrative tables, or tables
        whose every row is flagged ``assumption``.
    plan : str or None
        The plan the assessment is against (its id), ``None`` without a plan.
    year_source : str
        Where :attr:`year` came from: ``as_of`` (asked for), ``status_year`` (workspace.yaml),
        ``status_tables`` (latest year of ``commune_status``), ``plan_end`` (the plan's last
        year) or ``today``.
    unit_period : str or None
        The unit period of the communes assessed (``"2020-03"``; ``Workspace.unit_period``),
        None when unknown. Every evaluation is in one period; a roll-up to later units starts
        from it (:mod:`ntmgis.units_view`).
    """

    year: int
    as_of: date
    criteria_sets: str
    criteria_reason: str
    legal_bases: tuple[tuple[str, str], ...]
    region: str | None
    prefer: str
    market_radius_m: float
    unit_costs_assumed: bool
    plan: str | None = None
    year_source: str = "as_of"
    unit_period: str | None = None


@dataclass(frozen=True, kw_only=True)
class Assessment(InfrastructureAssessment):
    """Everything known about a workspace at one assessment year.

    Tables are DataFrames; gap layers GeoDataFrames in the working CRS. An infrastructure field
    is ``None`` when the layer it needs is absent (not assessed), and an empty frame when it was
    assessed and nothing was found.

    Attributes
    ----------
    provenance : Provenance
    thresholds : DataFrame
        Commune thresholds of every level (``verified``, ``source``).
    indicators : DataFrame
        The indicator table of DESIGN.md: each commune's indicators at its target level
        (``unit_code, indicator, value, unit, threshold, target_level, met, method, source,
        verified, criteria_set, year`` …).
    indicators_by_level : DataFrame
        One row per (commune, level, indicator), every level.
    criteria : DataFrame
        One row per (commune, level, criterion), sorted by commune, level and criterion.
    levels : DataFrame
        One row per (commune, level).
    communes : DataFrame
        Per commune: highest level met, recognised level, target level and year, schedule status,
        criteria met, gaps (``criteria.summary.SUMMARY_COLUMNS``).
    villages : DataFrame
        Per village: model-village status and schedule (empty without a villages layer).
    milestones : DataFrame
        ``commune_code, level, year``: the plan's nâng cao / kiểu mẫu milestones. Empty without
        a plan (:attr:`has_plan`); then every xã's ``target_level`` in :attr:`communes` is NTM
        in the assessment year.
    schedule : DataFrame
        ``unit_type, unit_code, year, status`` for every commune and village in every plan year
        (:func:`ntmgis.criteria.schedule.schedule_table`): the map's year control. Empty
        without a plan (no plan years).
    progress : DataFrame
        District progress against the plan by year (nâng cao, kiểu mẫu, model villages by year).
        Empty without a plan.
    sectors : DataFrame
        Sector targets of the plan beside their measured or reported value, and its budget.
        Empty without a plan, or with a plan that has no targets and no budget.
    cross_check : DataFrame
        Reported "met" contradicted by measurement (and the reverse).
    unverified_thresholds : DataFrame
        Thresholds no source confirms, with the communes whose verdict used them.
    measured : DataFrame
        Computed indicator rows ``unit_code, indicator, value, unit, method, source``.
    roads : DataFrame or None
        Per commune × road class: ``total_km, concretized_km, share, status``.
    canals : DataFrame or None
        Per commune (commune-managed canals): ``total_km, lined_km, share, status``.
    upgrade_totals : DataFrame or None
        Per commune × road class: ``length_km, cost_million_vnd, priced_km``.
    market_reach : DataFrame or None
        Per village: distance to the nearest market along roads and straight, with a status.
    rural_access : DataFrame or None
        Rural Access Index per commune and district.
    road_network : DataFrame or None
        The road network check reach ran on (:func:`ntmgis.analysis.graph.check_road_network`):
        ``layer, components, largest_share, total_km, crossings, dangling_ends, snap_m,
        used_for_reach``; ``components`` > 1 in the ``used_for_reach`` row means market reach was
        computed on a network that is not connected.
    zones, zone_overlaps : DataFrame or None
        Area per production zone; overlapping zone pairs.
    zones_by_commune : GeoDataFrame or None
        Each zone split by commune (pieces with their area).
    segments_to_upgrade : GeoDataFrame or None
        Road pieces not concretized, with the assumed upgrade cost.
    canals_to_line : GeoDataFrame or None
        Commune-managed canal pieces not lined (kiên cố), with the assumed lining cost.
    market_gaps : GeoDataFrame or None
        Villages beyond the market radius or unreachable.
    villages_without_culture_house : GeoDataFrame or None
        Villages with no culture house (criterion 6.3).
    problems : tuple of Problem
        Findings made while assessing (pieces outside every commune, unknown criteria …).
    unit_costs, canal_unit_costs : DataFrame
        The unit-cost tables used for roads and canals (million VND per km).
    closing : ClosingAccount or None
        The closing account of the plan (:mod:`ntmgis.criteria.closing`): per commune and
        district, plan vs achieved at the plan's period end and at the 2025-06-30 handover;
        without a plan, the recognitions only. ``None`` only for an Assessment built by hand.
    """

    provenance: Provenance
    thresholds: pd.DataFrame
    indicators: pd.DataFrame
    indicators_by_level: pd.DataFrame
    criteria: pd.DataFrame
    levels: pd.DataFrame
    communes: pd.DataFrame
    villages: pd.DataFrame
    milestones: pd.DataFrame
    schedule: pd.DataFrame
    progress: pd.DataFrame
    sectors: pd.DataFrame
    cross_check: pd.DataFrame
    unverified_thresholds: pd.DataFrame
    unit_costs: pd.DataFrame
    canal_unit_costs: pd.DataFrame
    closing: ClosingAccount | None = None
    # The infrastructure fields (measured, roads ... gap layers, problems) are inherited.

    @property
    def year(self) -> int:
        """The evaluation year (``provenance.year``)."""
        return self.provenance.year

    @property
    def has_plan(self) -> bool:
        """Whether the assessment is against a plan (``provenance.plan``)."""
        return self.provenance.plan is not None

    @property
    def market_radius_m(self) -> float:
        """The market-gap radius (``provenance.market_radius_m``)."""
        return self.provenance.market_radius_m

    def gap_layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The gap layers that were assessed (``GAP_LAYERS`` whose source layers exist), by name."""
        found = {name: getattr(self, name) for name in GAP_LAYERS}
        return {name: layer for name, layer in found.items() if layer is not None}

    def reach_network_pieces(self) -> int | None:
        """Connected pieces of the road network market reach walked (``None``: reach not computed).

        More than one means villages may be "unreachable" only because the layer is cut (roads that
        cross without a shared vertex); the report and the map say so beside the reach results.
        """
        network = self.road_network
        if network is None or not len(network):
            return None
        return int(network.loc[network["used_for_reach"], "components"].iloc[-1])

    def road_measures(self) -> dict[str, str]:
        """Road class → the commune indicator its km count towards (``{"xa": "2.1", …}``)."""
        indicator_of = self._indicator_of()
        return {
            cls: indicator_of[name]
            for name, classes in ROAD_INDICATORS.items()
            for cls in classes
            if name in indicator_of
        }

    def canal_indicator(self) -> str | None:
        """The commune indicator that lined canal km count towards (``"3.3"``), if the set has one."""
        return self._indicator_of().get("canal_lined_share_xa")

    def _indicator_of(self) -> dict[str, str]:
        computed = self.thresholds.dropna(subset=["computed"])
        return dict(zip(computed["computed"], computed["indicator"], strict=False))

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
        table = self.roads if network == "roads" else self.canals
        if table is None:
            return pd.DataFrame()
        table = table.copy()
        if network == "roads":
            table["indicator"] = table["road_class"].map(self.road_measures())
        else:
            table["indicator"] = self.canal_indicator()
        targets = self.communes.set_index("commune_code")["target_level"]
        table["target_level"] = table["commune_code"].map(targets)
        verdicts = self.indicators_by_level.rename(
            columns={
                "unit_code": "commune_code",
                "level": "target_level",
                "value": "indicator_share",
                "status": "indicator_status",
            }
        )
        verdicts = verdicts[
            [
                "commune_code",
                "target_level",
                "indicator",
                "op",
                "threshold",
                "verified",
                "indicator_share",
                "indicator_status",
            ]
        ]
        merged = table.merge(verdicts, on=["commune_code", "target_level", "indicator"], how="left")
        # Shares are 0..1 in the analysis and % in the criteria sets: one unit in one table.
        merged["threshold"] = merged["threshold"] / 100.0
        merged["indicator_share"] = merged["indicator_share"] / 100.0
        return merged


def _assumed(table: pd.DataFrame | None) -> bool:
    """Whether a unit-cost table is an assumption: the packaged one, or every row flagged so."""
    if table is None:
        return True
    return "assumption" in table.columns and bool(table["assumption"].astype(bool).all())


def build_assessment(
    criteria: CriteriaAssessment,
    infrastructure: InfrastructureAssessment,
    *,
    plan: Plan | None,
    unit_costs: pd.DataFrame | None = None,
    canal_unit_costs: pd.DataFrame | None = None,
    market_radius_m: float = DEFAULT_RADIUS_M,
    recognitions: pd.DataFrame | None = None,
    village_status: pd.DataFrame | None = None,
    markets: pd.DataFrame | None = None,
    closing_dates: tuple[date, ...] | None = None,
    unit_period: str | None = None,
) -> Assessment:
    """Put an evaluation and a measurement together into an :class:`Assessment`.

    :func:`assess` is the usual way in; this is for callers (tests, other engines) that evaluated
    and measured themselves.

    Parameters
    ----------
    criteria : CriteriaAssessment
        From :func:`ntmgis.criteria.evaluate` or :func:`ntmgis.criteria.evaluate_workspace`.
    infrastructure : InfrastructureAssessment
        From :func:`ntmgis.analysis.assess_infrastructure`.
    plan : Plan or None
        The district plan the evaluation used (milestones and the years of the schedule);
        ``None``: no plan, the plan-only fields are empty.
    unit_costs, canal_unit_costs : DataFrame, optional
        The tables used; ``None`` means the packaged illustrative ones were.
    market_radius_m : float
    recognitions : DataFrame, optional
        Official recognitions (a commune counts from its decision year in the schedule).
    village_status, markets : DataFrame, optional
        The village status table and the markets layer, for the closing account.
    closing_dates : tuple of date, optional
        Dates of the closing account, main first; default the plan's period end and 2025-06-30
        (:func:`ntmgis.criteria.closing.closing_dates`).
    unit_period : str, optional
        The unit period of the communes (:attr:`Provenance.unit_period`).
    """
    selection = criteria.selection
    sets = [s for s in (selection.commune, selection.kieu_mau, selection.village) if s is not None]
    provenance = Provenance(
        year=selection.year,
        as_of=selection.as_of,
        criteria_sets=selection.set_ids,
        criteria_reason=selection.reason,
        legal_bases=tuple((s.id, str(s.legal_basis)) for s in sets),
        region=selection.region,
        prefer=criteria.prefer,
        market_radius_m=float(market_radius_m),
        unit_costs_assumed=_assumed(unit_costs) and _assumed(canal_unit_costs),
        plan=None if plan is None else plan.id,
        year_source=criteria.year_source,
        unit_period=unit_period,
    )
    milestones = milestone_table(plan)
    schedule = schedule_table(
        criteria.communes,
        criteria.villages,
        milestones,
        years=range(0) if plan is None else plan.years(),
        year=selection.year,
        recognitions=recognitions,
    )
    closing = closing_account(
        criteria.communes,
        plan,
        recognitions=recognitions,
        village_status=village_status,
        sectors=criteria.sectors,
        markets=markets,
        dates=closing_dates,
        measured_year=selection.year,
    )
    return Assessment(
        provenance=provenance,
        thresholds=criteria.thresholds,
        indicators=criteria.target_indicators(),
        indicators_by_level=criteria.indicators,
        criteria=criteria.criteria,
        levels=criteria.levels,
        communes=criteria.communes,
        villages=criteria.villages,
        milestones=milestones,
        schedule=schedule,
        progress=criteria.progress,
        sectors=criteria.sectors,
        cross_check=criteria.cross_check,
        unverified_thresholds=criteria.unverified_thresholds(),
        unit_costs=load_unit_costs("roads") if unit_costs is None else unit_costs,
        canal_unit_costs=load_unit_costs("canals") if canal_unit_costs is None else canal_unit_costs,
        closing=closing,
        **{f.name: getattr(infrastructure, f.name) for f in fields(InfrastructureAssessment)}
        | {"problems": tuple(infrastructure.problems) + tuple(criteria.problems) + closing.problems},
    )


def assess(
    workspace: Workspace,
    *,
    as_of: date | int | str | None = None,
    criteria_set: str | None = None,
    prefer: Prefer = "computed",
    unit_costs: pd.DataFrame | None = None,
    canal_unit_costs: pd.DataFrame | None = None,
    market_radius_m: float | None = None,
    node_roads: bool | None = None,
    snap_m: float | None = None,
    closing_dates: tuple[date, ...] | None = None,
) -> Assessment:
    """Assess ``workspace``: measure the layers, then evaluate the criteria with those measurements.

    Parameters
    ----------
    workspace : Workspace
    as_of : date, int or str, optional
        Assessment date (see :func:`ntmgis.criteria.evaluate_workspace`).
    criteria_set : str, optional
        ``auto`` or a set id; default the workspace's.
    prefer : {"computed", "reported"}
        Which evidence decides when a measured value and a reported verdict disagree.
    unit_costs, canal_unit_costs : DataFrame, optional
        Road upgrade and canal lining unit costs; default the workspace's (``unit_costs:`` in
        workspace.yaml), else the packaged, illustrative tables.
    market_radius_m : float, optional
        Radius of the market-gap layer along roads (m); default the workspace's
        (``market_radius_m:`` in workspace.yaml), else 2000 m.
    node_roads : bool, optional
        Default the workspace's ``network: {node: ...}`` (off). Node the roads before computing
        market reach (crossings get a shared vertex, road ends
        within ``snap_m`` of another road are joined; :func:`ntmgis.analysis.graph.node_roads`).
        Either way the network is checked (``road_network``) and a network that is not connected
        is a problem.
    snap_m : float, optional
        Largest gap (m) between a road end and another road treated as a junction; default the
        workspace's ``network: {snap_m: ...}`` (2 m).
    closing_dates : tuple of date, optional
        Dates of the closing account (main first); default the plan's period end and the
        2025-06-30 handover.

    Returns
    -------
    Assessment
    """
    layers = {name: workspace.layer(name) for name in workspace.layer_names}
    if market_radius_m is None:
        market_radius_m = DEFAULT_RADIUS_M if workspace.market_radius_m is None else workspace.market_radius_m
    unit_costs = workspace.unit_costs.get("roads") if unit_costs is None else unit_costs
    canal_unit_costs = workspace.unit_costs.get("canals") if canal_unit_costs is None else canal_unit_costs
    infrastructure = assess_infrastructure(
        layers,
        unit_costs=load_unit_costs("roads") if unit_costs is None else unit_costs,
        canal_unit_costs=load_unit_costs("canals") if canal_unit_costs is None else canal_unit_costs,
        terms=Terms(
            surfaces=concretized_surfaces(),
            linings=kien_co_linings(),
            road_classes=tuple(vocabulary()["road_class"]),
        ),
        market_radius_m=market_radius_m,
        network=NetworkOptions(
            node=bool(workspace.network["node"]) if node_roads is None else node_roads,
            snap_m=float(workspace.network["snap_m"]) if snap_m is None else snap_m,
        ),
    )
    criteria = evaluate_workspace(
        workspace, infrastructure.measured, as_of=as_of, criteria_set=criteria_set, prefer=prefer
    )
    recognitions = workspace.table("recognitions") if "recognitions" in workspace.table_names else None
    return build_assessment(
        criteria,
        infrastructure,
        plan=workspace.plan,
        unit_costs=unit_costs,
        canal_unit_costs=canal_unit_costs,
        market_radius_m=market_radius_m,
        recognitions=recognitions,
        village_status=workspace.table("village_status")
        if "village_status" in workspace.table_names
        else None,
        markets=layers.get("markets"),
        closing_dates=closing_dates,
        unit_period=workspace.unit_period,
    )

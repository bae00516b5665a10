"""What-if scenarios: ordered edits to a Workspace, their assessment, and the comparison.

A :class:`Scenario` is a name and an ordered tuple of edits. :func:`apply_scenario` gives a new
Workspace (the baseline and every file stay as they are) and the list of works the edits imply
(km concretized or lined, with their cost from the unit-cost tables, which are assumptions the
user sets). :func:`run` assesses the result; :func:`compare` puts runs side by side: indicator
values, verdict flips (chưa đạt → đạt), works and their cost by commune and year, and the plan's
district targets. Scenarios are written in Python or in YAML (:func:`load_scenario`).

Every edit names what it touches; a segment, commune, village, market or zone that does not
exist is an error naming it (:class:`~ntmgis.problems.DataError`), never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from ._frozen import thaw
from .analysis.network import UNIT_COST_COLUMNS, load_unit_costs, split_by_commune, upgrade_prices
from .assessment import Assessment, assess
from .problems import DataError, Problem
from .vocab import concretized_surfaces, kien_co_linings, vocabulary

__all__ = [
    "Concretize",
    "LineCanals",
    "AddMarket",
    "UpgradeMarket",
    "AddFacility",
    "AddZone",
    "SetZone",
    "SetStatus",
    "SetThreshold",
    "SetUnitCost",
    "Scenario",
    "Applied",
    "ScenarioRun",
    "Comparison",
    "apply_scenario",
    "run",
    "compare",
    "load_scenario",
    "load_scenarios",
    "scenario_from_mapping",
    "diff_map",
    "comparison_tables",
    "comparison_titles",
    "WORKS_COLUMNS",
]

# A line counts as in a commune when more than this length of it lies inside (m).
_INSIDE_M = 0.5

WORKS_COLUMNS = [
    "scenario",
    "network",
    "segment_id",
    "commune_code",
    "klass",
    "before",
    "after",
    "length_km",
    "million_vnd_per_km",
    "cost_million_vnd",
    "year",
    "edit",
]


# --------------------------------------------------------------------------------------------
# Edits
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Concretize:
    """Harden roads (cứng hóa): by ids, by commune and class, or inside a polygon (all given
    selectors must hold). The new surface is the unit-cost table's target for the class unless
    ``surface`` is given. Roads already concretized are left as they are (and cost nothing)."""

    segment_ids: tuple[str, ...] = ()
    commune_code: str | None = None
    road_class: str | None = None
    polygon: Any = None
    surface: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class LineCanals:
    """Line canals (kiên cố hóa) by ids, commune and level, or polygon; default lining be_tong."""

    segment_ids: tuple[str, ...] = ()
    commune_code: str | None = None
    canal_level: str | None = None
    polygon: Any = None
    lining: str = "be_tong"
    year: int | None = None


@dataclass(frozen=True)
class AddMarket:
    """A new market at ``(x, y)`` in the working CRS."""

    market_id: str
    x: float
    y: float
    commune_code: str
    name: str = ""
    standard_met: bool = True
    year: int | None = None


@dataclass(frozen=True)
class UpgradeMarket:
    """Bring an existing market to the standard (and record the year)."""

    market_id: str
    year: int | None = None


@dataclass(frozen=True)
class AddFacility:
    """A new facility (school, culture_house, health_station...) at ``(x, y)``."""

    facility_id: str
    kind: str
    x: float
    y: float
    commune_code: str
    village_id: str | None = None
    name: str = ""
    standard_met: bool = True


@dataclass(frozen=True)
class AddZone:
    """A new production zone (polygon in the working CRS, shapely geometry or WKT)."""

    zone_id: str
    polygon: Any
    crop: str
    vietgap: bool = False
    growing_area_code: str | None = None
    name: str = ""


@dataclass(frozen=True)
class SetZone:
    """Change an existing zone: its shape, VietGAP certification or growing-area code."""

    zone_id: str
    polygon: Any = None
    vietgap: bool | None = None
    growing_area_code: str | None = None


@dataclass(frozen=True)
class SetStatus:
    """Record a criterion as met / not met for a commune (or a village) in ``year``."""

    criterion: str
    met: bool
    year: int
    commune_code: str | None = None
    village_id: str | None = None
    level: str = "ntm"
    indicator: str | None = None


@dataclass(frozen=True)
class SetThreshold:
    """Override a threshold of a criteria set (as a province's ``criteria_overrides`` would)."""

    set_id: str
    indicator: str
    level: str
    value: float


@dataclass(frozen=True)
class SetUnitCost:
    """Change a unit cost (million VND per km) of the road or canal table."""

    klass: str
    target: str
    million_vnd_per_km: float
    network: str = "roads"


Edit = (
    Concretize
    | LineCanals
    | AddMarket
    | UpgradeMarket
    | AddFacility
    | AddZone
    | SetZone
    | SetStatus
    | SetThreshold
    | SetUnitCost
)


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of edits. ``as_of`` (a year) is when to assess it (default: the
    baseline's status year); ``description`` says what a planner should read from it."""

    name: str
    edits: tuple[Edit, ...] = ()
    as_of: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Applied:
    """A scenario applied: the new workspace, the unit costs in force and the works done."""

    scenario: Scenario
    workspace: Any
    unit_costs: Mapping[str, pd.DataFrame]
    works: pd.DataFrame


@dataclass(frozen=True)
class ScenarioRun:
    """An applied scenario and its assessment."""

    applied: Applied
    assessment: Assessment

    @property
    def name(self) -> str:
        return self.applied.scenario.name


# --------------------------------------------------------------------------------------------
# Applying edits
# --------------------------------------------------------------------------------------------


def _geometry(value: Any, what: str) -> shapely.Geometry:
    if isinstance(value, shapely.Geometry):
        return value
    try:
        return shapely.from_wkt(str(value))
    except shapely.errors.GEOSException as exc:
        raise DataError(
            [Problem("", "scenario", what, f"not a WKT geometry: {exc}", "edit refused", "error")]
        ) from exc


def _unknown(layer: str, kind: str, ids: Sequence[str], where: str) -> DataError:
    shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
    return DataError(
        [
            Problem(
                "",
                layer,
                shown,
                f"{where}: {kind} not in the workspace: {shown}",
                "scenario refused",
                "error",
            )
        ]
    )


def _select(
    layer: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    ids: Sequence[str],
    commune: str | None,
    klass_column: str,
    klass: str | None,
    polygon: Any,
    layer_name: str,
    where: str,
) -> np.ndarray:
    """Row mask of ``layer`` chosen by an edit; every named thing must exist."""
    chosen = np.ones(len(layer), dtype=bool)
    if ids:
        known = set(layer["segment_id"].astype(str))
        missing = [i for i in map(str, ids) if i not in known]
        if missing:
            raise _unknown(layer_name, "segment ids", missing, where)
        chosen &= layer["segment_id"].astype(str).isin(set(map(str, ids))).to_numpy()
    if commune is not None:
        codes = set(communes["commune_code"].astype(str))
        if str(commune) not in codes:
            raise _unknown("communes", "commune code", [str(commune)], where)
        area = communes.loc[communes["commune_code"].astype(str) == str(commune)].geometry.iloc[0]
        # Lines with some length in the commune: a road that only touches its border is the
        # neighbour's. A chosen line is upgraded whole; its km are booked per commune.
        geoms = layer.geometry.to_numpy()
        touching = shapely.intersects(geoms, area)
        inside = np.zeros(len(layer), dtype=bool)
        inside[touching] = shapely.length(shapely.intersection(geoms[touching], area)) > _INSIDE_M
        chosen &= inside
    if klass is not None:
        chosen &= (layer[klass_column].astype(str) == str(klass)).to_numpy()
    if polygon is not None:
        chosen &= shapely.intersects(layer.geometry.to_numpy(), _geometry(polygon, where))
    if not (ids or commune is not None or klass is not None or polygon is not None):
        raise DataError(
            [
                Problem(
                    "",
                    layer_name,
                    where,
                    "the edit selects nothing: give segment ids, a commune, a class or a polygon",
                    "scenario refused",
                    "error",
                )
            ]
        )
    return chosen


def _works(
    pieces: gpd.GeoDataFrame,
    *,
    network: str,
    klass_column: str,
    before: pd.Series,
    after: str,
    prices: Mapping[tuple[str, str], float],
    year: int | None,
    edit: int,
) -> pd.DataFrame:
    inside = pieces[pieces["commune_code"].notna()]
    klass = inside[klass_column].astype(str)
    price = [prices.get((k, after), np.nan) for k in klass]
    frame = pd.DataFrame(
        {
            "network": network,
            "segment_id": inside["segment_id"].astype(str).to_numpy(),
            "commune_code": inside["commune_code"].astype(str).to_numpy(),
            "klass": klass.to_numpy(),
            "before": before.reindex(inside["segment_id"].astype(str)).to_numpy(),
            "after": after,
            "length_km": inside["length_m"].to_numpy() / 1000.0,
            "million_vnd_per_km": price,
            "year": year,
            "edit": edit,
        }
    )
    frame["cost_million_vnd"] = frame["length_km"] * frame["million_vnd_per_km"]
    return frame


@dataclass(frozen=True)
class _Network:
    """How a line network is upgraded: its layer, class and state columns, what counts as done
    (its unit-cost table is ``UNIT_COST_COLUMNS[layer]``)."""

    layer: str
    klass: str
    state: str

    def done(self) -> frozenset[str]:
        return concretized_surfaces() if self.layer == "roads" else kien_co_linings()


_ROADS = _Network("roads", "road_class", "surface")
_CANALS = _Network("canals", "canal_level", "lining")


def _upgrade(
    ws: Any,
    communes: gpd.GeoDataFrame,
    costs: Mapping[str, pd.DataFrame],
    network: _Network,
    edit: Concretize | LineCanals,
    *,
    klass: str | None,
    after: str | None,
    number: int,
    where: str,
) -> tuple[Any, list[pd.DataFrame]]:
    """Harden or line the lines an edit selects (those not done yet) and book their works by
    class: the new state is ``after`` or the unit-cost table's target for the class."""
    lines = ws.layer(network.layer)
    chosen = _select(
        lines,
        communes,
        ids=edit.segment_ids,
        commune=edit.commune_code,
        klass_column=network.klass,
        klass=klass,
        polygon=edit.polygon,
        layer_name=network.layer,
        where=where,
    )
    chosen &= ~lines[network.state].astype(str).isin(network.done()).to_numpy()
    targets, prices = upgrade_prices(costs[network.layer], network.layer)
    works = []
    for value in sorted(set(lines.loc[chosen, network.klass].astype(str))):
        new_state = after or targets.get(value, "be_tong")
        rows = chosen & (lines[network.klass].astype(str) == value).to_numpy()
        before = lines.loc[rows].set_index(lines.loc[rows, "segment_id"].astype(str))[network.state]
        pieces = split_by_commune(lines.loc[rows], communes)
        works.append(
            _works(
                pieces,
                network=network.layer,
                klass_column=network.klass,
                before=before,
                after=new_state,
                prices=prices,
                year=edit.year,
                edit=number,
            )
        )
        lines.loc[rows, network.state] = new_state
    return ws.with_layers(**{network.layer: lines}), works


def apply_scenario(
    workspace: Any, scenario: Scenario, *, unit_costs: Mapping[str, pd.DataFrame] | None = None
) -> Applied:
    """Apply ``scenario`` to ``workspace``: a new workspace and the works, nothing modified.

    Parameters
    ----------
    workspace : ntmgis.workspace.Workspace
    scenario : Scenario
    unit_costs : mapping, optional
        ``{"roads": table, "canals": table}``; default the packaged (illustrative) tables.

    Returns
    -------
    Applied

    Raises
    ------
    DataError
        An edit names a segment, commune, village, market or zone that does not exist, or a
        value outside the vocabulary.
    """
    costs = {"roads": load_unit_costs("roads"), "canals": load_unit_costs("canals")}
    costs.update({k: v.copy() for k, v in (unit_costs or {}).items()})
    ws = workspace
    works: list[pd.DataFrame] = []
    communes = ws.layer("communes")
    codes = set(communes["commune_code"].astype(str))
    words = vocabulary()
    for number, edit in enumerate(scenario.edits, start=1):
        where = f"{scenario.name} edit {number} ({type(edit).__name__})"
        if isinstance(edit, SetUnitCost):
            network = edit.network
            if network not in UNIT_COST_COLUMNS:
                raise DataError(
                    [
                        Problem(
                            "",
                            "scenario",
                            where,
                            f"unit costs are for {sorted(UNIT_COST_COLUMNS)}, not {network!r}",
                            "scenario refused",
                            "error",
                        )
                    ]
                )
            key, target = UNIT_COST_COLUMNS[network]
            table = costs[network]
            hit = (table[key].astype(str) == edit.klass) & (table[target].astype(str) == edit.target)
            if hit.any():
                table.loc[hit, "million_vnd_per_km"] = float(edit.million_vnd_per_km)
                table.loc[hit, "note"] = f"set by scenario {scenario.name}"
            else:
                row = {
                    key: edit.klass,
                    target: edit.target,
                    "million_vnd_per_km": float(edit.million_vnd_per_km),
                    "assumption": True,
                    "note": f"set by scenario {scenario.name}",
                }
                costs[network] = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
        elif isinstance(edit, Concretize):
            if edit.road_class is not None and edit.road_class not in words["road_class"]:
                raise _unknown("roads", "road class", [edit.road_class], where)
            ws, done = _upgrade(
                ws,
                communes,
                costs,
                _ROADS,
                edit,
                klass=edit.road_class,
                after=edit.surface,
                number=number,
                where=where,
            )
            works += done
        elif isinstance(edit, LineCanals):
            if edit.lining not in kien_co_linings():
                raise _unknown("canals", "kiên cố lining", [edit.lining], where)
            ws, done = _upgrade(
                ws,
                communes,
                costs,
                _CANALS,
                edit,
                klass=edit.canal_level,
                after=edit.lining,
                number=number,
                where=where,
            )
            works += done
        elif isinstance(edit, AddMarket):
            markets = ws.layer("markets")
            if str(edit.commune_code) not in codes:
                raise _unknown("communes", "commune code", [str(edit.commune_code)], where)
            if edit.market_id in set(markets["market_id"].astype(str)):
                raise DataError(
                    [
                        Problem(
                            "",
                            "markets",
                            edit.market_id,
                            f"{where}: market id already exists",
                            "scenario refused",
                            "error",
                        )
                    ]
                )
            row = {
                "market_id": edit.market_id,
                "name": edit.name or edit.market_id,
                "commune_code": str(edit.commune_code),
                "standard_met": bool(edit.standard_met),
                "planned_upgrade_year": edit.year,
                "kind": "cho",
            }
            added = gpd.GeoDataFrame([row], geometry=[shapely.Point(edit.x, edit.y)], crs=markets.crs)
            ws = ws.with_layers(markets=pd.concat([markets, added], ignore_index=True))
        elif isinstance(edit, UpgradeMarket):
            markets = ws.layer("markets")
            hit = markets["market_id"].astype(str) == str(edit.market_id)
            if not hit.any():
                raise _unknown("markets", "market id", [str(edit.market_id)], where)
            markets["standard_met"] = markets["standard_met"].astype(object)
            markets.loc[hit, "standard_met"] = True
            if edit.year is not None:
                markets["planned_upgrade_year"] = markets["planned_upgrade_year"].astype(object)
                markets.loc[hit, "planned_upgrade_year"] = int(edit.year)
            ws = ws.with_layers(markets=markets)
        elif isinstance(edit, AddFacility):
            facilities = ws.layer("facilities")
            if str(edit.commune_code) not in codes:
                raise _unknown("communes", "commune code", [str(edit.commune_code)], where)
            if edit.village_id is not None and edit.village_id not in set(
                ws.layer("villages")["village_id"].astype(str)
            ):
                raise _unknown("villages", "village id", [edit.village_id], where)
            row = {
                "facility_id": edit.facility_id,
                "kind": edit.kind,
                "name": edit.name or edit.facility_id,
                "commune_code": str(edit.commune_code),
                "village_id": edit.village_id,
                "standard_met": bool(edit.standard_met),
            }
            added = gpd.GeoDataFrame([row], geometry=[shapely.Point(edit.x, edit.y)], crs=facilities.crs)
            ws = ws.with_layers(facilities=pd.concat([facilities, added], ignore_index=True))
        elif isinstance(edit, AddZone):
            zones = ws.layer("production_zones")
            if edit.crop not in words["crop"]:
                raise _unknown("production_zones", "crop", [edit.crop], where)
            row = {
                "zone_id": edit.zone_id,
                "name": edit.name or edit.zone_id,
                "crop": edit.crop,
                "vietgap": bool(edit.vietgap),
                "growing_area_code": edit.growing_area_code,
            }
            added = gpd.GeoDataFrame([row], geometry=[_geometry(edit.polygon, where)], crs=zones.crs)
            ws = ws.with_layers(production_zones=pd.concat([zones, added], ignore_index=True))
        elif isinstance(edit, SetZone):
            zones = ws.layer("production_zones")
            hit = (zones["zone_id"].astype(str) == str(edit.zone_id)).to_numpy()
            if not hit.any():
                raise _unknown("production_zones", "zone id", [str(edit.zone_id)], where)
            if edit.polygon is not None:
                zones.loc[hit, zones.geometry.name] = _geometry(edit.polygon, where)
            if edit.vietgap is not None:
                zones.loc[hit, "vietgap"] = bool(edit.vietgap)
            if edit.growing_area_code is not None:
                zones["growing_area_code"] = zones["growing_area_code"].astype(object)
                zones.loc[hit, "growing_area_code"] = edit.growing_area_code
            ws = ws.with_layers(production_zones=zones)
        elif isinstance(edit, SetStatus):
            if (edit.commune_code is None) == (edit.village_id is None):
                raise DataError(
                    [
                        Problem(
                            "",
                            "scenario",
                            where,
                            "set_status needs a commune or a village",
                            "scenario refused",
                            "error",
                        )
                    ]
                )
            if edit.commune_code is not None:
                if str(edit.commune_code) not in codes:
                    raise _unknown("communes", "commune code", [str(edit.commune_code)], where)
                table_name, unit_column, unit = "commune_status", "commune_code", str(edit.commune_code)
            else:
                villages = set(ws.layer("villages")["village_id"].astype(str))
                if str(edit.village_id) not in villages:
                    raise _unknown("villages", "village id", [str(edit.village_id)], where)
                table_name, unit_column, unit = "village_status", "village_id", str(edit.village_id)
            table = ws.table(table_name) if table_name in ws.table_names else pd.DataFrame()
            row = {
                unit_column: unit,
                "criterion": str(edit.criterion),
                "indicator": edit.indicator,
                "level": edit.level,
                "met": bool(edit.met),
                "value": None,
                "year": int(edit.year),
                "note": f"scenario {scenario.name}",
            }
            new = pd.DataFrame([row]).astype({"met": "boolean", "value": "Float64", "year": "Int64"})
            ws = ws.with_tables(**{table_name: pd.concat([table, new], ignore_index=True)})
        elif isinstance(edit, SetThreshold):
            overrides = thaw(ws.criteria_overrides or {})
            overrides.setdefault(edit.set_id, {}).setdefault(str(edit.indicator), {})[edit.level] = float(
                edit.value
            )
            ws = ws.with_criteria_overrides(overrides)
        else:  # pragma: no cover - the Edit union is closed
            raise TypeError(f"unknown edit {edit!r}")
    frame = pd.concat(works, ignore_index=True) if works else pd.DataFrame(columns=WORKS_COLUMNS[1:])
    frame.insert(0, "scenario", scenario.name)
    return Applied(scenario=scenario, workspace=ws, unit_costs=costs, works=frame[WORKS_COLUMNS])


def run(workspace: Any, scenario: Scenario, **assess_options: Any) -> ScenarioRun:
    """Apply ``scenario`` and assess the result (``assess_options`` go to :func:`assess`)."""
    applied = apply_scenario(workspace, scenario)
    options = {"as_of": scenario.as_of, **assess_options}
    assessment = assess(applied.workspace, unit_costs=applied.unit_costs["roads"], **options)
    return ScenarioRun(applied=applied, assessment=assessment)


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """Runs side by side (the first is the baseline).

    Attributes
    ----------
    communes : DataFrame
        Per commune and run: highest level, schedule status, criteria met, missing.
    indicators : DataFrame
        Per commune, indicator at its target level: the value and status of every run.
    flips : DataFrame
        Criteria and indicators whose status changed from the baseline (``before → after``).
    works : DataFrame
        Every run's works (:data:`WORKS_COLUMNS`).
    costs : DataFrame
        Cost of works (million VND) by run, commune and year.
    targets : DataFrame
        The plan's district targets: value and status in every run.
    """

    names: tuple[str, ...]
    communes: pd.DataFrame
    indicators: pd.DataFrame
    flips: pd.DataFrame
    works: pd.DataFrame
    costs: pd.DataFrame
    targets: pd.DataFrame
    runs: tuple[ScenarioRun, ...] = field(repr=False, default=())


def compare(baseline: ScenarioRun, *runs: ScenarioRun) -> Comparison:
    """Compare ``runs`` with ``baseline`` (all from :func:`run`, on the same district).

    Returns
    -------
    Comparison
    """
    every = (baseline, *runs)
    names = tuple(r.name for r in every)
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ: {names}")
    summary_columns = ["highest_level", "schedule_status", "criteria_met", "missing"]
    communes = baseline.assessment.communes[["commune_code", "name", "target_level", "target_year"]]
    for r in every:
        part = r.assessment.communes.set_index("commune_code")[summary_columns]
        part.columns = [f"{c} [{r.name}]" for c in summary_columns]
        communes = communes.join(part, on="commune_code")
    key = ["unit_code", "level", "criterion", "indicator"]
    indicators = None
    for r in every:
        table = r.assessment.indicators[[*key, "value", "threshold", "status"]]
        table = table.rename(
            columns={
                "value": f"value [{r.name}]",
                "threshold": f"threshold [{r.name}]",
                "status": f"status [{r.name}]",
            }
        )
        indicators = table if indicators is None else indicators.merge(table, on=key, how="outer")
    flips = []
    base_criteria = baseline.assessment.criteria.set_index(["unit_code", "level", "criterion"])[
        "status"
    ]
    base_levels = baseline.assessment.communes.set_index("commune_code")["highest_level"]
    for r in runs:
        after = r.assessment.criteria.set_index(["unit_code", "level", "criterion"])["status"]
        joined = pd.concat([base_criteria.rename("before"), after.rename("after")], axis=1)
        changed = joined[joined["before"].fillna("") != joined["after"].fillna("")].reset_index()
        changed.insert(0, "scenario", r.name)
        changed.insert(1, "what", "criterion")
        flips.append(changed)
        levels = r.assessment.communes.set_index("commune_code")["highest_level"]
        moved = pd.concat([base_levels.rename("before"), levels.rename("after")], axis=1)
        moved = moved[moved["before"].fillna("") != moved["after"].fillna("")].reset_index()
        flips.append(
            pd.DataFrame(
                {
                    "scenario": r.name,
                    "what": "highest_level",
                    "unit_code": moved["commune_code"],
                    "level": None,
                    "criterion": None,
                    "before": moved["before"],
                    "after": moved["after"],
                }
            )
        )
    flips_frame = (
        pd.concat(flips, ignore_index=True)
        if flips
        else pd.DataFrame(columns=["scenario", "what", "unit_code", "level", "criterion", "before", "after"])
    )
    works = pd.concat([r.applied.works for r in every], ignore_index=True)
    costs = (
        (
            works.assign(year=works["year"].astype(object).where(works["year"].notna(), "—"))
            .groupby(["scenario", "commune_code", "year"], as_index=False, dropna=False)[
                ["length_km", "cost_million_vnd"]
            ]
            .sum()
        )
        if len(works)
        else pd.DataFrame(columns=["scenario", "commune_code", "year", "length_km", "cost_million_vnd"])
    )
    targets = baseline.assessment.sectors[["group", "target_id", "op", "target", "unit"]].copy()
    for r in every:
        sectors = r.assessment.sectors.set_index("target_id")
        targets[f"value [{r.name}]"] = targets["target_id"].map(sectors["value"])
        targets[f"status [{r.name}]"] = targets["target_id"].map(sectors["status"])
    return Comparison(
        names=names,
        communes=communes.reset_index(drop=True),
        indicators=indicators,
        flips=flips_frame,
        works=works,
        costs=costs,
        targets=targets,
        runs=every,
    )


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------

_YAML_EDITS: dict[str, tuple[type, dict[str, str]]] = {
    "concretize": (
        Concretize,
        {
            "segments": "segment_ids",
            "commune": "commune_code",
            "class": "road_class",
            "road_class": "road_class",
            "polygon": "polygon",
            "surface": "surface",
            "year": "year",
        },
    ),
    "line_canals": (
        LineCanals,
        {
            "segments": "segment_ids",
            "commune": "commune_code",
            "level": "canal_level",
            "canal_level": "canal_level",
            "polygon": "polygon",
            "lining": "lining",
            "year": "year",
        },
    ),
    "add_market": (
        AddMarket,
        {
            "id": "market_id",
            "x": "x",
            "y": "y",
            "commune": "commune_code",
            "name": "name",
            "standard_met": "standard_met",
            "year": "year",
        },
    ),
    "upgrade_market": (UpgradeMarket, {"id": "market_id", "year": "year"}),
    "add_facility": (
        AddFacility,
        {
            "id": "facility_id",
            "kind": "kind",
            "x": "x",
            "y": "y",
            "commune": "commune_code",
            "village": "village_id",
            "name": "name",
            "standard_met": "standard_met",
        },
    ),
    "add_zone": (
        AddZone,
        {
            "id": "zone_id",
            "polygon": "polygon",
            "crop": "crop",
            "vietgap": "vietgap",
            "growing_area_code": "growing_area_code",
            "name": "name",
        },
    ),
    "set_zone": (
        SetZone,
        {
            "id": "zone_id",
            "polygon": "polygon",
            "vietgap": "vietgap",
            "growing_area_code": "growing_area_code",
        },
    ),
    "set_status": (
        SetStatus,
        {
            "commune": "commune_code",
            "village": "village_id",
            "criterion": "criterion",
            "indicator": "indicator",
            "level": "level",
            "met": "met",
            "year": "year",
        },
    ),
    "set_threshold": (
        SetThreshold,
        {"set": "set_id", "indicator": "indicator", "level": "level", "value": "value"},
    ),
    "set_unit_cost": (
        SetUnitCost,
        {
            "class": "klass",
            "target": "target",
            "million_vnd_per_km": "million_vnd_per_km",
            "network": "network",
        },
    ),
}


def scenario_from_mapping(data: Mapping[str, Any], *, source: str = "scenario") -> Scenario:
    """A Scenario from parsed YAML: ``{name, as_of?, description?, edits: [{kind: {field: value}}]}``.

    Raises
    ------
    DataError
        Listing every edit that is not understood (unknown kind or field, missing field).
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping) or "name" not in data:
        raise DataError(
            [
                Problem(
                    source, "scenario", "", "a scenario needs a name and a list of edits", "not read", "error"
                )
            ]
        )
    edits: list[Edit] = []
    for number, item in enumerate(data.get("edits") or [], start=1):
        where = f"edit {number}"
        if not isinstance(item, Mapping) or len(item) != 1:
            problems.append(
                Problem(
                    source, "scenario", where, "each edit is one {kind: {fields}} entry", "not read", "error"
                )
            )
            continue
        ((kind, fields),) = item.items()
        if kind not in _YAML_EDITS:
            problems.append(
                Problem(
                    source,
                    "scenario",
                    where,
                    f"unknown edit {kind!r} (known: {', '.join(_YAML_EDITS)})",
                    "not read",
                    "error",
                )
            )
            continue
        cls, names = _YAML_EDITS[kind]
        fields = dict(fields or {})
        unknown = sorted(set(fields) - set(names))
        if unknown:
            problems.append(
                Problem(source, "scenario", where, f"{kind}: unknown fields {unknown}", "not read", "error")
            )
            continue
        arguments = {
            names[k]: (
                tuple(map(str, v))
                if names[k] == "segment_ids"
                else str(v)
                if names[k]
                in (
                    "commune_code",
                    "village_id",
                    "criterion",
                    "indicator",
                    "market_id",
                    "zone_id",
                    "facility_id",
                )
                and v is not None
                else v
            )
            for k, v in fields.items()
        }
        try:
            edits.append(cls(**arguments))
        except TypeError as exc:
            problems.append(Problem(source, "scenario", where, f"{kind}: {exc}", "not read", "error"))
    if problems:
        raise DataError(problems)
    return Scenario(
        name=str(data["name"]),
        edits=tuple(edits),
        as_of=data.get("as_of"),
        description=str(data.get("description") or ""),
    )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataError(
            [Problem(str(path), "scenario", "", f"not valid YAML: {exc}", "not read", "error")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise DataError([Problem(str(path), "scenario", "", "not UTF-8 text", "not read", "error")]) from exc


def load_scenario(path: str | Path) -> Scenario:
    """Read one scenario from a YAML file (``yaml.safe_load``; nothing in it is executed)."""
    path = Path(path)
    return scenario_from_mapping(_read_yaml(path), source=str(path))


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a YAML file holding one scenario or ``{scenarios: [scenario, ...]}``.

    Raises
    ------
    DataError
        Every problem of every scenario, and names used twice.
    """
    path = Path(path)
    data = _read_yaml(path)
    items = data.get("scenarios") if isinstance(data, Mapping) and "scenarios" in data else [data]
    scenarios, problems = [], []
    for item in items or []:
        try:
            scenarios.append(scenario_from_mapping(item, source=str(path)))
        except DataError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in scenarios]
    for name in sorted({n for n in names if names.count(n) > 1 or n == "baseline"}):
        problems.append(
            Problem(
                str(path),
                "scenario",
                name,
                "scenario names must be unique and not 'baseline'",
                "not read",
                "error",
            )
        )
    if not scenarios and not problems:
        problems.append(Problem(str(path), "scenario", "", "no scenario in the file", "not read", "error"))
    if problems:
        raise DataError(problems)
    return scenarios


# --------------------------------------------------------------------------------------------
# Outputs: diff map and workbook
# --------------------------------------------------------------------------------------------

_DIFF_WORDS = {
    "vi": {
        "works": "Công trình của kịch bản",
        "roads": "Cứng hóa đường",
        "canals": "Kiên cố hóa kênh",
        "flips": "Thay đổi so với hiện trạng",
        "commune": "Xã",
        "what": "Nội dung",
        "before": "Trước",
        "after": "Sau",
        "cost": "Kinh phí (triệu đồng, giả định đơn giá)",
        "length": "Chiều dài",
        "year": "Năm",
        "title": "Kịch bản «{name}» so với hiện trạng",
        "none": "Không có thay đổi",
    },
    "en": {
        "works": "Scenario works",
        "roads": "Road hardened",
        "canals": "Canal lined",
        "flips": "Changes from the baseline",
        "commune": "Commune",
        "what": "What",
        "before": "Before",
        "after": "After",
        "cost": "Cost (million VND, assumed unit costs)",
        "length": "Length",
        "year": "Year",
        "title": "Scenario “{name}” against the baseline",
        "none": "No change",
    },
}


def diff_map(comparison: Comparison, name: str, *, lang: str = "vi") -> str:
    """HTML of the planners' map of scenario ``name``, its changes from the baseline marked.

    Communes whose level or any criterion changes are outlined, the scenario's works are an
    extra line layer (with length, year and cost in the popup), and a summary table lists the
    flips. Built with :func:`ntmgis.maps.build_planner_map`.
    """
    from .maps import build_planner_map
    from .maps.page import Field, MapClass, MapLayer, SummaryTable, Theme
    from .maps.planner import planner_summary
    from .vocab import label

    words = _DIFF_WORDS[lang]
    runs = {r.name: r for r in comparison.runs}
    if name not in runs or name == comparison.names[0]:
        raise ValueError(f"{name!r} is not one of the compared scenarios {comparison.names[1:]}")
    chosen = runs[name]
    flips = comparison.flips[comparison.flips["scenario"] == name]
    communes = sorted(
        set(flips["unit_code"].astype(str)) & set(chosen.assessment.communes["commune_code"])
    )
    works = chosen.applied.works
    extra = []
    if len(works):
        layer_of = {
            "roads": chosen.applied.workspace.layer("roads"),
            "canals": chosen.applied.workspace.layer("canals"),
        }
        pieces = []
        for network, group in works.groupby("network"):
            lines = layer_of[network]
            lines = lines[lines["segment_id"].astype(str).isin(set(group["segment_id"]))]
            cut = split_by_commune(lines, chosen.applied.workspace.layer("communes"))
            cut = cut[cut["commune_code"].notna()].assign(network=network)
            pieces.append(cut[["segment_id", "commune_code", "network", "geometry"]])
        cut = pd.concat(pieces, ignore_index=True)
        merged = cut.merge(works, on=["network", "segment_id", "commune_code"], how="left")
        geometry = gpd.GeoSeries(merged.geometry.to_numpy(), crs=cut.crs)
        extra.append(
            MapLayer(
                id="scenario_works",
                title=words["works"],
                kind="line",
                geometry=geometry,
                keys=[f"{s}@{c}" for s, c in zip(merged["segment_id"], merged["commune_code"], strict=True)],
                names=[str(s) for s in merged["segment_id"]],
                themes=[
                    Theme(
                        id="network",
                        title=words["works"],
                        values=merged["network"].astype(str).tolist(),
                        classes=[
                            MapClass("roads", words["roads"], "#d7191c", weight=4),
                            MapClass("canals", words["canals"], "#2b83ba", weight=4),
                        ],
                    )
                ],
                fields=[
                    Field(words["length"], merged["length_km"].tolist(), "number", decimals=3, unit="km"),
                    Field(words["year"], merged["year"].tolist(), "year"),
                    Field(words["cost"], merged["cost_million_vnd"].tolist(), "number", decimals=0),
                ],
                style={"weight": 4},
            )
        )
    names = dict(zip(comparison.communes["commune_code"], comparison.communes["name"], strict=True))
    level_word = "mức đạt" if lang == "vi" else "level"

    def what(r: Any) -> str:
        if r.what == "criterion":
            return f"{r.criterion} ({label('ntm_level', r.level, lang)})"
        return level_word

    def shown(value: Any) -> str:
        return (
            label("ntm_level", value, lang)
            if isinstance(value, str) and value in words_levels
            else str(value)
        )

    words_levels = set(vocabulary()["ntm_level"])
    rows = [
        [f"{names.get(r.unit_code, r.unit_code)} ({r.unit_code})", what(r), shown(r.before), shown(r.after)]
        for r in flips.itertuples()
    ] or [[words["none"], "", "", ""]]
    table = SummaryTable(
        words["flips"], [words["commune"], words["what"], words["before"], words["after"]], rows
    )
    summary = [table, *planner_summary(chosen.applied.workspace, chosen.assessment, lang=lang)]
    return build_planner_map(
        chosen.applied.workspace,
        chosen.assessment,
        lang=lang,
        title=words["title"].format(name=name),
        highlight={"communes": communes} if communes else None,
        extra_layers=extra,
        summary=summary,
    )


_TABLE_TITLES = {
    "communes": ("Xã theo kịch bản", "Communes by scenario"),
    "flips": ("Thay đổi kết quả", "Verdict changes"),
    "indicators": ("Chỉ tiêu theo kịch bản", "Indicators by scenario"),
    "works": ("Công trình", "Works"),
    "costs": ("Kinh phí theo xã, năm", "Cost by commune and year"),
    "targets": ("Mục tiêu huyện", "District targets"),
}
_COLUMN_WORDS = {
    "scenario": ("Kịch bản", "Scenario"),
    "commune_code": ("Mã xã", "Commune code"),
    "name": ("Tên", "Name"),
    "unit_code": ("Mã đơn vị", "Unit code"),
    "level": ("Mức", "Level"),
    "criterion": ("Tiêu chí", "Criterion"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "what": ("Nội dung", "What"),
    "before": ("Trước", "Before"),
    "after": ("Sau", "After"),
    "network": ("Mạng lưới", "Network"),
    "segment_id": ("Mã đoạn", "Segment id"),
    "klass": ("Cấp", "Class"),
    "length_km": ("Chiều dài (km)", "Length (km)"),
    "million_vnd_per_km": ("Đơn giá giả định (triệu đồng/km)", "Assumed unit cost (million VND/km)"),
    "cost_million_vnd": ("Kinh phí (triệu đồng)", "Cost (million VND)"),
    "year": ("Năm", "Year"),
    "edit": ("Thao tác số", "Edit no."),
    "target_level": ("Mức mục tiêu", "Target level"),
    "target_year": ("Năm mục tiêu", "Target year"),
    "highest_level": ("Mức hiện đạt", "Highest level"),
    "schedule_status": ("Tiến độ", "Schedule"),
    "criteria_met": ("Số tiêu chí đạt", "Criteria met"),
    "missing": ("Còn thiếu", "Missing"),
    "value": ("Giá trị", "Value"),
    "threshold": ("Ngưỡng", "Threshold"),
    "status": ("Đánh giá", "Status"),
    "group": ("Nhóm", "Group"),
    "target_id": ("Mục tiêu", "Target"),
    "op": ("Phép so sánh", "Comparison"),
    "target": ("Chỉ tiêu kế hoạch", "Planned value"),
    "unit": ("Đơn vị", "Unit"),
}


def comparison_tables(comparison: Comparison, *, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The comparison as named tables with display headers (Vietnamese or English).

    Per-scenario columns keep the scenario name in brackets: ``Giá trị [A]``.
    """
    if lang not in ("vi", "en"):
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
    position = 0 if lang == "vi" else 1

    def header(column: str) -> str:
        base, _, rest = column.partition(" [")
        word = _COLUMN_WORDS.get(base)
        return (word[position] + (f" [{rest}" if rest else "")) if word else column

    tables = {
        "communes": comparison.communes,
        "flips": comparison.flips,
        "indicators": comparison.indicators,
        "works": comparison.works,
        "costs": comparison.costs,
        "targets": comparison.targets,
    }
    return {key: frame.rename(columns={c: header(c) for c in frame.columns}) for key, frame in tables.items()}


def comparison_titles(lang: str = "en") -> dict[str, str]:
    """Sheet titles of :func:`comparison_tables`."""
    return {key: words[0 if lang == "vi" else 1] for key, words in _TABLE_TITLES.items()}

"""Applying a :class:`~.edits.Scenario` to a Workspace: one small function per edit kind.

:func:`apply_scenario` gives a new Workspace (the baseline and every file stay as they are) and
the works the edits imply: the km concretized or lined, piece by piece (segment × commune, with
the piece geometry), priced with the unit-cost tables in force, which are assumptions the user
sets. The pieces and their lengths are the baseline assessment's gap layers
(``segments_to_upgrade``, ``canals_to_line``): nothing is cut at commune borders again here.
:func:`run` applies and assesses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Never, NoReturn, TypeAlias, TypedDict, Unpack

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS

from .._frozen import thaw
from ..assessment import Assessment, Prefer, assess
from ..problems import DataError, ParamValue, Problem
from ..vocab import kien_co_linings, vocabulary
from ..workspace import Workspace
from .edits import (
    AddFacility,
    AddMarket,
    AddZone,
    Concretize,
    Edit,
    LineCanals,
    Scenario,
    SetStatus,
    SetThreshold,
    SetUnitCost,
    SetZone,
    UpgradeMarket,
)
from .networks import CANALS, NETWORKS, ROADS, Network, default_unit_costs

__all__ = ["Applied", "AssessOptions", "ScenarioRun", "apply_scenario", "run", "WORKS_COLUMNS"]

#: Rows chosen (one bool per row of a layer).
_Mask: TypeAlias = npt.NDArray[np.bool_]

# A line counts as in a commune when more than this length of it lies inside (m).
_INSIDE_M = 0.5

#: Columns of :attr:`Applied.works` (besides the piece geometry).
WORKS_COLUMNS = [
    "scenario",
    "network",
    "segment_id",
    "commune_code",
    "class",
    "before",
    "after",
    "length_km",
    "million_vnd_per_km",
    "cost_million_vnd",
    "year",
    "edit",
]


@dataclass(frozen=True)
class Applied:
    """A scenario applied.

    Attributes
    ----------
    scenario : Scenario
    workspace : Workspace
        The new workspace (the baseline is unchanged).
    unit_costs : mapping
        ``{"roads": table, "canals": table}`` in force after the scenario's unit-cost edits.
    works : GeoDataFrame
        :data:`WORKS_COLUMNS`, one row per piece (segment × commune) concretized or lined, with
        the piece geometry (the diff map draws it).
    """

    scenario: Scenario
    workspace: Workspace
    unit_costs: Mapping[str, pd.DataFrame]
    works: gpd.GeoDataFrame


@dataclass(frozen=True)
class ScenarioRun:
    """An applied scenario and its assessment."""

    applied: Applied
    assessment: Assessment

    @property
    def name(self) -> str:
        return self.applied.scenario.name


# --------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """Which edit of which scenario: the problems' feature (``str``) and their fields (``params``)."""

    scenario: str
    number: int
    kind: str

    def __str__(self) -> str:
        return f"{self.scenario} edit {self.number} ({self.kind})"

    def params(self) -> dict[str, ParamValue]:
        return {"scenario": self.scenario, "edit": self.number, "kind": self.kind}


def _refuse(layer: str, feature: str, key: str, **params: ParamValue) -> DataError:
    """The error ``problems.<key>`` of an edit that cannot be applied (the whole scenario is refused)."""
    return DataError(
        Problem.from_params(f"problems.{key}", params, layer=layer, feature=feature, severity="error")
    )


def _unknown(layer: str, key: str, ids: Sequence[str], where: _Where) -> DataError:
    """Catalogue ``key`` (``problems.scenario_unknown_*``): things an edit names, not in the workspace."""
    shown = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
    params = {"ids": shown, **where.params()}
    return DataError(Problem.from_params(key, params, layer=layer, feature=shown, severity="error"))


def _geometry(value: shapely.Geometry | str, where: _Where) -> shapely.Geometry:
    if isinstance(value, shapely.Geometry):
        return value
    try:
        return shapely.from_wkt(str(value))
    except shapely.errors.GEOSException as exc:
        raise _refuse("scenario", str(where), "scenario_bad_wkt", error=str(exc)) from exc


# --------------------------------------------------------------------------------------------
# The state edits pass along
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _State:
    """What the edits so far have made: the workspace, the unit costs and the works."""

    scenario: Scenario
    baseline: Assessment
    workspace: Workspace
    costs: Mapping[str, pd.DataFrame]
    works: tuple[gpd.GeoDataFrame, ...] = ()

    def commune_codes(self) -> set[str]:
        return set(self.workspace.layer("communes")["commune_code"].astype(str))

    def check_commune(self, code: str | None, where: _Where) -> None:
        if code is not None and str(code) not in self.commune_codes():
            raise _unknown("communes", "problems.scenario_unknown_commune", [str(code)], where)


# --------------------------------------------------------------------------------------------
# Roads and canals
# --------------------------------------------------------------------------------------------


def _in_commune(lines: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, commune: str, where: _Where) -> _Mask:
    """Lines with some length in the commune: a road that only touches its border is the
    neighbour's. A chosen line is upgraded whole; its km are booked per commune."""
    codes = communes["commune_code"].astype(str)
    if str(commune) not in set(codes):
        raise _unknown("communes", "problems.scenario_unknown_commune", [str(commune)], where)
    area = communes.loc[codes == str(commune)].geometry.iloc[0]
    geoms = lines.geometry.to_numpy()
    touching = shapely.intersects(geoms, area)
    inside = np.zeros(len(lines), dtype=bool)
    inside[touching] = shapely.length(shapely.intersection(geoms[touching], area)) > _INSIDE_M
    return inside


def _select(
    lines: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    network: Network,
    edit: Concretize | LineCanals,
    klass: str | None,
    where: _Where,
) -> _Mask:
    """Row mask of ``lines`` chosen by an edit (every given selector must hold); every named
    thing must exist."""
    if not edit.segment_ids and all(s is None for s in (edit.commune_code, klass, edit.polygon)):
        raise _refuse(network.layer, str(where), "scenario_selects_nothing")
    chosen = np.ones(len(lines), dtype=bool)
    ids = lines["segment_id"].astype(str)
    if edit.segment_ids:
        missing = [i for i in map(str, edit.segment_ids) if i not in set(ids)]
        if missing:
            raise _unknown(network.layer, "problems.scenario_unknown_segments", missing, where)
        chosen &= ids.isin(set(map(str, edit.segment_ids))).to_numpy()
    if edit.commune_code is not None:
        chosen &= _in_commune(lines, communes, edit.commune_code, where)
    if klass is not None:
        chosen &= (lines[network.klass].astype(str) == str(klass)).to_numpy()
    if edit.polygon is not None:
        chosen &= shapely.intersects(lines.geometry.to_numpy(), _geometry(edit.polygon, where))
    return chosen


def _works(
    pieces: gpd.GeoDataFrame,
    network: Network,
    before: pd.Series,
    after: str,
    price: float,
    edit: Concretize | LineCanals,
    number: int,
) -> gpd.GeoDataFrame:
    """The works of one class of an edit: one row per piece, priced ``after``'s unit cost."""
    segment = pieces["segment_id"].astype(str)
    frame = pd.DataFrame(
        {
            "network": network.layer,
            "segment_id": segment.to_numpy(),
            "commune_code": pieces["commune_code"].astype(str).to_numpy(),
            "class": pieces[network.klass].astype(str).to_numpy(),
            "before": before.reindex(segment).to_numpy(),
            "after": after,
            "length_km": pieces["length_km"].to_numpy(),
            "million_vnd_per_km": price,
            "year": edit.year,
            "edit": number,
        }
    )
    frame["cost_million_vnd"] = frame["length_km"] * frame["million_vnd_per_km"]
    return gpd.GeoDataFrame(frame, geometry=pieces.geometry.to_numpy(), crs=pieces.crs)


def _upgrade(
    state: _State,
    network: Network,
    edit: Concretize | LineCanals,
    klass: str | None,
    after: str | None,
    number: int,
    where: _Where,
) -> _State:
    """Harden or line the lines an edit selects (those not done yet) and book their works by
    class: the new state is ``after`` or the unit-cost table's target for the class."""
    lines = state.workspace.layer(network.layer)
    chosen = _select(lines, state.workspace.layer("communes"), network, edit, klass, where)
    chosen &= ~lines[network.state].astype(str).isin(network.done()).to_numpy()
    gap = network.gap(state.baseline)
    # Works are on what the assessment lists as still to upgrade; a line it does not list (outside
    # every commune, or a canal of a manager it does not count) is left alone, and refused if named.
    listed = lines["segment_id"].astype(str).isin(set(gap["segment_id"].astype(str))).to_numpy()
    if edit.segment_ids and (chosen & ~listed).any():
        named = lines.loc[chosen & ~listed, "segment_id"].astype(str).tolist()
        shown = ", ".join(named)
        raise _refuse(
            network.layer,
            shown,
            "scenario_not_listed",
            gap=network.gap_name,
            ids=shown,
            scenario=where.scenario,
            edit=where.number,
            kind=where.kind,
        )
    chosen &= listed
    targets, prices = network.prices(state.costs[network.layer])
    works = []
    for value in sorted(set(lines.loc[chosen, network.klass].astype(str))):
        new_state = after or targets.get(value, "be_tong")
        rows = chosen & (lines[network.klass].astype(str) == value).to_numpy()
        ids = lines.loc[rows, "segment_id"].astype(str)
        before = pd.Series(lines.loc[rows, network.state].to_numpy(), index=ids.to_numpy())
        pieces = gap[gap["segment_id"].astype(str).isin(set(ids))]
        price = prices.get((value, new_state), np.nan)
        works.append(_works(pieces, network, before, new_state, price, edit, number))
        lines.loc[rows, network.state] = new_state
    return replace(
        state, workspace=state.workspace.with_layers(**{network.layer: lines}), works=(*state.works, *works)
    )


def _apply_concretize(state: _State, edit: Concretize, number: int, where: _Where) -> _State:
    if edit.road_class is not None and edit.road_class not in vocabulary()["road_class"]:
        raise _unknown("roads", "problems.scenario_unknown_road_class", [edit.road_class], where)
    return _upgrade(state, ROADS, edit, edit.road_class, edit.surface, number, where)


def _apply_line_canals(state: _State, edit: LineCanals, number: int, where: _Where) -> _State:
    if edit.lining not in kien_co_linings():
        raise _unknown("canals", "problems.scenario_unknown_lining", [edit.lining], where)
    return _upgrade(state, CANALS, edit, edit.canal_level, edit.lining, number, where)


def _apply_unit_cost(state: _State, edit: SetUnitCost, number: int, where: _Where) -> _State:
    if edit.network not in NETWORKS:
        raise _refuse(
            "scenario",
            str(where),
            "scenario_cost_network",
            networks=str(sorted(NETWORKS)),
            network=repr(edit.network),
        )
    network = NETWORKS[edit.network]
    table = state.costs[edit.network].copy()
    note = f"set by scenario {state.scenario.name}"
    hit = (table[network.klass].astype(str) == edit.klass) & (
        table[network.target].astype(str) == edit.target
    )
    if hit.any():
        table.loc[hit, "million_vnd_per_km"] = float(edit.million_vnd_per_km)
        table.loc[hit, "note"] = note
    else:
        row = {
            network.klass: edit.klass,
            network.target: edit.target,
            "million_vnd_per_km": float(edit.million_vnd_per_km),
            "assumption": True,
            "note": note,
        }
        table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return replace(state, costs={**state.costs, edit.network: table})


# --------------------------------------------------------------------------------------------
# Points, zones, statuses, thresholds
# --------------------------------------------------------------------------------------------


def _add_point(state: _State, layer: str, row: Mapping[str, object], x: float, y: float) -> _State:
    table = state.workspace.layer(layer)
    added = gpd.GeoDataFrame([row], geometry=[shapely.Point(x, y)], crs=table.crs)
    table = pd.concat([table, added], ignore_index=True)
    return replace(state, workspace=state.workspace.with_layers(**{layer: table}))


def _apply_add_market(state: _State, edit: AddMarket, number: int, where: _Where) -> _State:
    state.check_commune(edit.commune_code, where)
    if edit.market_id in set(state.workspace.layer("markets")["market_id"].astype(str)):
        raise _refuse(
            "markets",
            edit.market_id,
            "scenario_market_exists",
            scenario=where.scenario,
            edit=where.number,
            kind=where.kind,
        )
    row = {
        "market_id": edit.market_id,
        "name": edit.name or edit.market_id,
        "commune_code": str(edit.commune_code),
        "standard_met": bool(edit.standard_met),
        "planned_upgrade_year": edit.year,
        "kind": "cho",
    }
    return _add_point(state, "markets", row, edit.x, edit.y)


def _apply_upgrade_market(state: _State, edit: UpgradeMarket, number: int, where: _Where) -> _State:
    markets = state.workspace.layer("markets")
    hit = markets["market_id"].astype(str) == str(edit.market_id)
    if not hit.any():
        raise _unknown("markets", "problems.scenario_unknown_market", [str(edit.market_id)], where)
    markets["standard_met"] = markets["standard_met"].astype(object)
    markets.loc[hit, "standard_met"] = True
    if edit.year is not None:
        # the column is optional (issue 11): a layer without it gets it here
        markets["planned_upgrade_year"] = markets.get(
            "planned_upgrade_year", pd.Series(None, index=markets.index)
        ).astype(object)
        markets.loc[hit, "planned_upgrade_year"] = int(edit.year)
    return replace(state, workspace=state.workspace.with_layers(markets=markets))


def _apply_add_facility(state: _State, edit: AddFacility, number: int, where: _Where) -> _State:
    state.check_commune(edit.commune_code, where)
    villages = set(state.workspace.layer("villages")["village_id"].astype(str))
    if edit.village_id is not None and edit.village_id not in villages:
        raise _unknown("villages", "problems.scenario_unknown_village", [edit.village_id], where)
    row = {
        "facility_id": edit.facility_id,
        "kind": edit.kind,
        "name": edit.name or edit.facility_id,
        "commune_code": str(edit.commune_code),
        "village_id": edit.village_id,
        "standard_met": bool(edit.standard_met),
    }
    return _add_point(state, "facilities", row, edit.x, edit.y)


def _apply_add_zone(state: _State, edit: AddZone, number: int, where: _Where) -> _State:
    zones = state.workspace.layer("production_zones")
    if edit.crop not in vocabulary()["crop"]:
        raise _unknown("production_zones", "problems.scenario_unknown_crop", [edit.crop], where)
    row = {
        "zone_id": edit.zone_id,
        "name": edit.name or edit.zone_id,
        "crop": edit.crop,
        "vietgap": bool(edit.vietgap),
        "growing_area_code": edit.growing_area_code,
    }
    added = gpd.GeoDataFrame([row], geometry=[_geometry(edit.polygon, where)], crs=zones.crs)
    zones = pd.concat([zones, added], ignore_index=True)
    return replace(state, workspace=state.workspace.with_layers(production_zones=zones))


def _apply_set_zone(state: _State, edit: SetZone, number: int, where: _Where) -> _State:
    zones = state.workspace.layer("production_zones")
    hit = (zones["zone_id"].astype(str) == str(edit.zone_id)).to_numpy()
    if not hit.any():
        raise _unknown("production_zones", "problems.scenario_unknown_zone", [str(edit.zone_id)], where)
    if edit.polygon is not None:
        zones.loc[hit, zones.geometry.name] = _geometry(edit.polygon, where)
    if edit.vietgap is not None:
        zones.loc[hit, "vietgap"] = bool(edit.vietgap)
    if edit.growing_area_code is not None:
        zones["growing_area_code"] = zones["growing_area_code"].astype(object)
        zones.loc[hit, "growing_area_code"] = edit.growing_area_code
    return replace(state, workspace=state.workspace.with_layers(production_zones=zones))


def _status_unit(state: _State, edit: SetStatus, where: _Where) -> tuple[str, str, str]:
    """(table, unit column, unit) a status edit writes to."""
    if (edit.commune_code is None) == (edit.village_id is None):
        raise _refuse("scenario", str(where), "scenario_status_unit")
    if edit.commune_code is not None:
        state.check_commune(edit.commune_code, where)
        return "commune_status", "commune_code", str(edit.commune_code)
    villages = set(state.workspace.layer("villages")["village_id"].astype(str))
    if str(edit.village_id) not in villages:
        raise _unknown("villages", "problems.scenario_unknown_village", [str(edit.village_id)], where)
    return "village_status", "village_id", str(edit.village_id)


def _apply_set_status(state: _State, edit: SetStatus, number: int, where: _Where) -> _State:
    table_name, unit_column, unit = _status_unit(state, edit, where)
    ws = state.workspace
    table = ws.table(table_name) if table_name in ws.table_names else pd.DataFrame()
    row = {
        unit_column: unit,
        "criterion": str(edit.criterion),
        "indicator": edit.indicator,
        "level": edit.level,
        "met": bool(edit.met),
        "value": None,
        "year": int(edit.year),
        "note": f"scenario {state.scenario.name}",
    }
    new = pd.DataFrame([row]).astype({"met": "boolean", "value": "Float64", "year": "Int64"})
    table = pd.concat([table, new], ignore_index=True)
    return replace(state, workspace=ws.with_tables(**{table_name: table}))


def _apply_set_threshold(state: _State, edit: SetThreshold, number: int, where: _Where) -> _State:
    overrides = thaw(state.workspace.criteria_overrides or {})
    overrides.setdefault(edit.set_id, {}).setdefault(str(edit.indicator), {})[edit.level] = float(edit.value)
    return replace(state, workspace=state.workspace.with_criteria_overrides(overrides))


def _unknown_edit(edit: Never) -> NoReturn:
    # mypy checks that every kind of Edit has its case below; at run time a stray object is refused.
    raise TypeError(f"unknown edit {edit!r}")


def _apply_edit(state: _State, edit: Edit, number: int, where: _Where) -> _State:
    """The edit's own function: ``(state, edit, number, where) -> state``."""
    match edit:
        case Concretize():
            return _apply_concretize(state, edit, number, where)
        case LineCanals():
            return _apply_line_canals(state, edit, number, where)
        case AddMarket():
            return _apply_add_market(state, edit, number, where)
        case UpgradeMarket():
            return _apply_upgrade_market(state, edit, number, where)
        case AddFacility():
            return _apply_add_facility(state, edit, number, where)
        case AddZone():
            return _apply_add_zone(state, edit, number, where)
        case SetZone():
            return _apply_set_zone(state, edit, number, where)
        case SetStatus():
            return _apply_set_status(state, edit, number, where)
        case SetThreshold():
            return _apply_set_threshold(state, edit, number, where)
        case SetUnitCost():
            return _apply_unit_cost(state, edit, number, where)
        case _:
            _unknown_edit(edit)


def apply_scenario(
    workspace: Workspace,
    scenario: Scenario,
    *,
    assessment: Assessment | None = None,
    unit_costs: Mapping[str, pd.DataFrame] | None = None,
) -> Applied:
    """Apply ``scenario`` to ``workspace``: a new workspace and the works, nothing modified.

    Parameters
    ----------
    workspace : Workspace
    scenario : Scenario
    assessment : Assessment, optional
        The assessment of ``workspace`` (default: :func:`~ntmgis.assessment.assess` it): its gap
        layers give the pieces and km of the works, its unit-cost tables the default prices.
    unit_costs : mapping, optional
        ``{"roads": table, "canals": table}`` replacing the assessment's tables.

    Returns
    -------
    Applied

    Raises
    ------
    DataError
        An edit names a segment, commune, village, market or zone that does not exist, or a
        value outside the vocabulary.
    """
    baseline = assess(workspace) if assessment is None else assessment
    costs = default_unit_costs(baseline) | {k: v.copy() for k, v in (unit_costs or {}).items()}
    state = _State(scenario=scenario, baseline=baseline, workspace=workspace, costs=costs)
    for number, edit in enumerate(scenario.edits, start=1):
        where = _Where(scenario.name, number, type(edit).__name__)
        state = _apply_edit(state, edit, number, where)
    return Applied(
        scenario=scenario,
        workspace=state.workspace,
        unit_costs=state.costs,
        works=_all_works(scenario, state.works, workspace.layer("communes").crs),
    )


def _all_works(scenario: Scenario, parts: Sequence[gpd.GeoDataFrame], crs: CRS | None) -> gpd.GeoDataFrame:
    frame = (
        pd.concat(parts, ignore_index=True)
        if parts
        else gpd.GeoDataFrame(columns=[*WORKS_COLUMNS[1:], "geometry"], geometry="geometry", crs=crs)
    )
    frame.insert(0, "scenario", scenario.name)
    return gpd.GeoDataFrame(frame[[*WORKS_COLUMNS, frame.geometry.name]], crs=frame.crs)


class AssessOptions(TypedDict, total=False):
    """Options of :func:`~ntmgis.assessment.assess` that :func:`run` passes on (it sets the unit costs)."""

    as_of: date | int | str | None
    criteria_set: str | None
    prefer: Prefer
    market_radius_m: float


def run(
    workspace: Workspace,
    scenario: Scenario,
    *,
    baseline: Assessment | None = None,
    **assess_options: Unpack[AssessOptions],
) -> ScenarioRun:
    """Apply ``scenario`` and assess the result.

    Parameters
    ----------
    workspace : Workspace
    scenario : Scenario
    baseline : Assessment, optional
        The assessment of ``workspace`` (see :func:`apply_scenario`); pass it when running several
        scenarios on one workspace, to assess the baseline once.
    **assess_options
        Passed to :func:`~ntmgis.assessment.assess` (``as_of`` defaults to the scenario's).
    """
    options: AssessOptions = {"as_of": scenario.as_of, **assess_options}
    if not scenario.edits:  # the baseline itself: one assessment is both
        assessment = assess(workspace, **options)
        return ScenarioRun(apply_scenario(workspace, scenario, assessment=baseline or assessment), assessment)
    applied = apply_scenario(workspace, scenario, assessment=baseline)
    costs = applied.unit_costs
    assessment = assess(
        applied.workspace, unit_costs=costs["roads"], canal_unit_costs=costs["canals"], **options
    )
    return ScenarioRun(applied=applied, assessment=assessment)

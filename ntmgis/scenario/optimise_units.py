"""Goal-seeking in the units of a later period: the cheapest works that lift the new communes.

The targets are the new units' measured 2026–2030 indicators (:class:`ntmgis.units_view.UnitsView`,
the report's roll-up: km summed through the crosswalk, shares from the sums) against the user's
thresholds (``criteria_overrides`` per commune group; a threshold not set is no target, and says
so). The candidates are the old-unit assessment's segments still to upgrade and commune canals
still to line, each in the new unit of its old commune; the chosen works are a
:class:`~.edits.Scenario` on the old-unit workspace, to run and compare like any other (and to
compare in the new units with :func:`~.units.compare_in_units`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..assessment import Assessment
from ..codes import NOT_APPLICABLE
from ..crosswalk import _mapping
from ..units_view import UnitsView, units_crosswalk, workspace_units_view
from ..workspace import Workspace
from .networks import CANALS, ROADS, default_unit_costs
from .optimise import OptimiseResult, _pieces, solve_targets

__all__ = ["optimise_units"]

_COMMUNE_MANAGER = "xa"


def _unit_targets(
    view: UnitsView, units: Iterable[str] | None, indicators: Iterable[str] | None
) -> pd.DataFrame:
    """Km missing per (new unit, indicator) with a threshold; unknown units refused."""
    table = view.indicators
    if units is not None:
        chosen = set(map(str, units))
        unknown = sorted(chosen - set(view.units["commune_code"]))
        if unknown:
            raise ValueError(f"not units of {view.to_period}: {unknown}")
        table = table[table["commune_code"].isin(chosen)]
    if indicators is not None:
        table = table[table["indicator"].isin(set(indicators))]
    table = table[table["threshold"].notna() & (table["status"] != NOT_APPLICABLE)].copy()
    table["network"] = np.where(table["classes"] == "canal", "canals", "roads")
    strict = (table["op"] == ">").to_numpy() * 1e-6  # ">": a millimetre more than the deficit
    needed = table["threshold"] / 100.0 * table["total_km"] - table["done_km"] + strict
    table["deficit_km"] = np.maximum(needed, 0.0)
    return table.sort_values(["commune_code", "indicator"], kind="stable").reset_index(drop=True)


def _unit_pieces(
    assessment: Assessment,
    targets: pd.DataFrame,
    new_of: Mapping[str, str],
    costs: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    """Candidate pieces in the new unit of their old commune, feeding the target of their class."""
    frames = []
    roads = targets[targets["network"] == "roads"]
    of_class = {
        c: i
        for i, classes in zip(roads["indicator"], roads["classes"], strict=True)
        for c in classes.split(",")
    }
    if assessment.segments_to_upgrade is not None and of_class:
        gap = ROADS.gap(assessment)
        piece = _pieces(gap, ROADS, gap[ROADS.klass].astype(str).map(of_class), costs["roads"])
        frames.append(piece)
    canal = targets.loc[targets["network"] == "canals", "indicator"]
    if assessment.canals_to_line is not None and len(canal):
        gap = CANALS.gap(assessment)
        gap = gap[gap["managed_by"].astype(str) == _COMMUNE_MANAGER]
        frames.append(_pieces(gap, CANALS, pd.Series(str(canal.iloc[0]), index=gap.index), costs["canals"]))
    columns = ["network", "segment_id", "commune_code", "indicator", "length_km", "million_vnd_per_km"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["commune_code"] = table["commune_code"].astype(str).map(new_of)
    table["cost_million_vnd"] = table["length_km"] * table["million_vnd_per_km"]
    return table


def optimise_units(
    workspace: Workspace,
    assessment: Assessment,
    *,
    to: str,
    units: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    crosswalk: str | Path | None = None,
    groups: Mapping[str, object] | None = None,
    budget: float | None = None,
    yearly_caps: Mapping[int, float] | None = None,
    maximise: bool = False,
    unit_costs: Mapping[str, pd.DataFrame] | None = None,
    name: str = "optimised",
    gap: float = 0.0,
    time_limit: float = 60.0,
) -> OptimiseResult:
    """The cheapest road and canal works that lift the new units of ``to`` over the user's thresholds.

    Parameters
    ----------
    workspace, assessment : Workspace, Assessment
        The old-unit workspace and its assessment (the works apply to it).
    to : str
        The later unit period (``"2025-07"``).
    units : iterable of str, optional
        New unit codes to lift; default every new commune with a threshold.
    indicators : iterable of str, optional
        Measured 2026–2030 indicators (``2.1``–``2.5``); default every one with a threshold.
    crosswalk, groups
        As for :func:`ntmgis.units_view.workspace_units_view` (the thresholds are the workspace's
        ``criteria_overrides``, per the new units' groups).
    budget, yearly_caps, maximise, unit_costs, name, gap, time_limit
        As for :func:`~.optimise.optimise` (no plan year in the new units: every target is due by
        the last capped year).

    Returns
    -------
    OptimiseResult
        ``targets`` are per new unit (``commune_code``) and indicator; without any threshold set
        there is no target and the scenario is empty.
    """
    view = workspace_units_view(workspace, assessment, to=to, crosswalk=crosswalk, groups=groups)
    mapping = _mapping(units_crosswalk(workspace, crosswalk), view.from_period, to)
    # A split old unit: its pieces go to its largest part (as the view's works do).
    home = mapping.sort_values("weight", ascending=False).drop_duplicates("old_code")
    new_of = dict(zip(home["old_code"], home["new_code"], strict=True))
    costs = default_unit_costs(assessment) | dict(unit_costs or {})
    targets = _unit_targets(view, units, indicators)
    pieces = _unit_pieces(assessment, targets, new_of, costs)
    due = pd.Series(np.nan, index=targets.index)
    return solve_targets(
        targets,
        pieces,
        due=due,
        budget=budget,
        yearly_caps=yearly_caps,
        maximise=maximise,
        name=name,
        gap=gap,
        time_limit=time_limit,
    )

"""Goal-seeking: the cheapest road and canal works that lift communes over their thresholds.

The decision units are whole segments (a road or canal that crosses a border helps both
communes with the km it has in each, exactly as :func:`~ntmgis.analysis.network.split_by_commune`
measures them). For every target — a commune's road or canal indicator (2.1–2.4, 3.3) at its
target level — the deficit is ``threshold × total km − done km``; a chosen segment adds its km of
the indicator's classes in that commune. :func:`solve_cover` finds the cheapest set of segments
that covers every deficit (or, with ``maximise=True``, as many communes as possible, then the
cheapest way) under a total budget and optional yearly caps, with ``scipy.optimize.milp``;
:func:`greedy_cover` is the benefit-per-cost ranking it is compared with. :func:`optimise` builds
the instance from an assessment and returns the works as a :class:`~ntmgis.scenario.Scenario`.

.. math::
    \\min \\sum_{s,y} c_s x_{s,y} \\quad \\text{s.t.} \\quad
    \\sum_s a_{t,s} \\sum_{y \\le d_t} x_{s,y} \\ge D_t z_{g(t)},\\;
    \\sum_s c_s x_{s,y} \\le C_y,\\; \\sum_y x_{s,y} \\le 1,\\; x, z \\in \\{0, 1\\}
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, hstack, vstack

from .analysis.assess import ROAD_INDICATORS
from .analysis.network import load_unit_costs, split_by_commune, upgrade_prices
from .assessment import Assessment
from .scenario import Concretize, LineCanals, Scenario
from .vocab import kien_co_linings

__all__ = ["CoverResult", "solve_cover", "greedy_cover", "OptimiseResult", "optimise", "DEFAULT_INDICATORS"]

#: Indicators the optimiser can act on: road shares by class group and commune-managed canals.
DEFAULT_INDICATORS = ("2.1", "2.2", "2.3", "2.4", "3.3")
_TOLERANCE_KM = 1e-9


@dataclass(frozen=True)
class CoverResult:
    """A solution of a covering instance.

    Attributes
    ----------
    chosen : ndarray of bool
        Per candidate.
    year_index : ndarray of int
        Period of each chosen candidate (-1 when not chosen).
    cost : float
    met : ndarray of bool
        Per target.
    shortfall : ndarray of float
        Per target, km still missing.
    status : str
        ``optimal``, ``time_limit`` (the best choice found in time), ``infeasible`` (no choice
        meets every target within the budget and caps: the result then holds the choice that
        leaves the least km missing) or ``greedy``.
    """

    chosen: np.ndarray
    year_index: np.ndarray
    cost: float
    met: np.ndarray
    shortfall: np.ndarray
    status: str
    seconds: float = 0.0


@contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """Silence what the HiGHS C++ library prints on file descriptor 1 while it solves.

    Some HiGHS builds print debugging lines straight to the process's stdout, which would land
    in notebooks and CLI output; Python-level output is flushed first and restored after.
    """
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real stdout (some embedded interpreters): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _check(cost: np.ndarray, contrib: np.ndarray, deficit: np.ndarray) -> None:
    if contrib.shape != (len(deficit), len(cost)):
        raise ValueError(
            f"contrib must be targets × candidates {(len(deficit), len(cost))}, not {contrib.shape}"
        )
    if (cost < 0).any() or not np.isfinite(cost).all():
        raise ValueError("costs must be finite and non-negative")


def solve_cover(
    cost: Sequence[float],
    contrib: Any,
    deficit: Sequence[float],
    *,
    budget: float | None = None,
    caps: Sequence[float] | None = None,
    deadline: Sequence[int] | None = None,
    groups: Sequence[int] | None = None,
    maximise: bool = False,
    gap: float = 0.0,
    time_limit: float = 60.0,
) -> CoverResult:
    """Cheapest candidates covering every deficit (exact, ``scipy.optimize.milp``).

    Parameters
    ----------
    cost : sequence of float
        Cost of each candidate.
    contrib : array (targets × candidates)
        What a candidate adds to a target (km).
    deficit : sequence of float
        What each target still needs (km); ≤ 0 means already met.
    budget : float, optional
        Total spending limit.
    caps : sequence of float, optional
        Spending limit per period (periods in order); candidates are then scheduled.
    deadline : sequence of int, optional
        Last period index by which each target must be met (default: the last period).
    groups : sequence of int, optional
        Group of each target (a commune); with ``maximise`` a group counts when all its targets
        are met. Default: each target its own group.
    maximise : bool
        Meet as many groups as possible (then at least cost) instead of all of them.
    gap : float
        Relative optimality gap accepted (0: proven optimal).
    time_limit : float
        Seconds; past it the best solution found is returned with ``status="time_limit"``.

    Returns
    -------
    CoverResult
        When the targets cannot all be met (``maximise=False``), ``status`` is ``infeasible`` and
        the choice minimises the km left missing (then cost), with ``shortfall`` per target.
    """
    start = time.perf_counter()
    cost = np.asarray(cost, dtype=float)
    contrib = np.asarray(contrib.toarray() if hasattr(contrib, "toarray") else contrib, dtype=float)
    deficit = np.asarray(deficit, dtype=float)
    _check(cost, contrib, deficit)
    n_cand, n_targets = len(cost), len(deficit)
    periods = len(caps) if caps is not None else 1
    deadline = (
        np.full(n_targets, periods - 1) if deadline is None else np.minimum(np.asarray(deadline), periods - 1)
    )
    groups = np.arange(n_targets) if groups is None else np.asarray(groups)
    open_targets = deficit > _TOLERANCE_KM
    group_ids, group_of = np.unique(groups, return_inverse=True)
    n_groups = len(group_ids)

    def build(mode: str) -> tuple[np.ndarray, list[LinearConstraint], np.ndarray, np.ndarray]:
        # Variables: x[s, y] (n_cand × periods), then z[g] (maximise) or slack[t] (least shortfall).
        n_x = n_cand * periods
        n_extra = n_groups if mode == "maximise" else (n_targets if mode == "slack" else 0)
        constraints = []
        # Σ_s a_ts Σ_{y ≤ d_t} x_sy (+ slack_t) ≥ D_t (· z_g)
        rows = []
        for y in range(periods):
            mask = (deadline >= y)[:, None]
            rows.append(coo_matrix(contrib * mask))
        cover = hstack(rows).tocsr() if periods > 1 else coo_matrix(contrib).tocsr()
        if mode == "maximise":
            z = coo_matrix(
                (-np.maximum(deficit, 0.0), (np.arange(n_targets), group_of)), shape=(n_targets, n_groups)
            )
            constraints.append(
                LinearConstraint(hstack([cover, z]).tocsr(), lb=np.zeros(n_targets), ub=np.inf)
            )
        elif mode == "slack":
            slack = coo_matrix(np.eye(n_targets))
            constraints.append(LinearConstraint(hstack([cover, slack]).tocsr(), lb=deficit, ub=np.inf))
        else:
            constraints.append(LinearConstraint(cover, lb=deficit, ub=np.inf))
        extra = coo_matrix((0, n_extra))
        if periods > 1:
            once = hstack([coo_matrix(np.eye(n_cand))] * periods)
            constraints.append(LinearConstraint(hstack([once, coo_matrix((n_cand, n_extra))]).tocsr(), ub=1))
            spend = vstack(
                [
                    hstack(
                        [
                            coo_matrix((1, n_cand * y)),
                            coo_matrix(cost[None, :]),
                            coo_matrix((1, n_cand * (periods - y - 1))),
                            coo_matrix((1, n_extra)),
                        ]
                    )
                    for y in range(periods)
                ]
            ).tocsr()
            constraints.append(LinearConstraint(spend, ub=np.asarray(caps, dtype=float)))
        if budget is not None:
            total = hstack([coo_matrix(np.tile(cost, periods)[None, :]), coo_matrix((1, n_extra))]).tocsr()
            constraints.append(LinearConstraint(total, ub=float(budget)))
        del extra
        spend_weight = np.tile(cost, periods)
        if mode == "maximise":
            # Every group outweighs any spending: lexicographic (groups first, then cost).
            weight = spend_weight.sum() + 1.0
            objective = np.concatenate([spend_weight, np.full(n_groups, -weight)])
            upper = np.concatenate([np.ones(n_x), np.ones(n_groups)])
        elif mode == "slack":
            weight = spend_weight.sum() + 1.0
            objective = np.concatenate([spend_weight, np.full(n_targets, weight)])
            upper = np.concatenate([np.ones(n_x), np.maximum(deficit, 0.0)])
        else:
            objective, upper = spend_weight, np.ones(n_x)
        integrality = np.concatenate(
            [np.ones(n_x), np.ones(n_extra) if mode == "maximise" else np.zeros(n_extra)]
        )
        return objective, constraints, integrality, upper

    def solve(mode: str) -> Any:
        objective, constraints, integrality, upper = build(mode)
        with _native_stdout_silenced():
            return milp(
                objective,
                constraints=constraints,
                integrality=integrality,
                bounds=Bounds(np.zeros(len(objective)), upper),
                options={"time_limit": float(time_limit), "mip_rel_gap": float(gap)},
            )

    status = "optimal"
    result = solve("maximise" if maximise else "cover")
    if result.status == 1 and result.x is not None:
        status = "time_limit"  # the best solution found in time: feasible, maybe not the cheapest
    elif not result.success:
        status = "infeasible"
        result = solve("slack")
        if result.x is None:  # pragma: no cover - the slack model is always feasible
            raise RuntimeError(f"MILP failed: {result.message}")
    x = np.round(result.x[: n_cand * periods]).reshape(periods, n_cand).astype(bool)
    chosen = x.any(axis=0)
    year_index = np.where(chosen, x.argmax(axis=0), -1)
    added = np.array(
        [(contrib[t] * ((year_index >= 0) & (year_index <= deadline[t]))).sum() for t in range(n_targets)]
    )
    shortfall = np.maximum(deficit - added, 0.0)
    met = shortfall <= 1e-7 * np.maximum(1.0, np.abs(deficit))
    met |= ~open_targets
    return CoverResult(
        chosen=chosen,
        year_index=year_index,
        cost=float(cost[chosen].sum()),
        met=met,
        shortfall=np.where(met, 0.0, shortfall),
        status=status,
        seconds=time.perf_counter() - start,
    )


def greedy_cover(
    cost: Sequence[float], contrib: Any, deficit: Sequence[float], *, budget: float | None = None
) -> CoverResult:
    """The baseline: repeatedly take the candidate with the most km still needed per unit cost.

    Ignores yearly caps (one period). Returns ``status="greedy"``.
    """
    start = time.perf_counter()
    cost = np.asarray(cost, dtype=float)
    contrib = np.asarray(contrib.toarray() if hasattr(contrib, "toarray") else contrib, dtype=float)
    remaining = np.maximum(np.asarray(deficit, dtype=float), 0.0)
    _check(cost, contrib, remaining)
    chosen = np.zeros(len(cost), dtype=bool)
    spent = 0.0
    limit = np.inf if budget is None else float(budget)
    while (remaining > _TOLERANCE_KM).any():
        benefit = np.minimum(contrib, remaining[:, None]).sum(axis=0)
        affordable = ~chosen & (benefit > _TOLERANCE_KM) & (spent + cost <= limit + 1e-9)
        if not affordable.any():
            break
        ratio = np.where(affordable, benefit / np.maximum(cost, 1e-12), -np.inf)
        best = int(np.argmax(ratio))
        chosen[best] = True
        spent += cost[best]
        remaining = np.maximum(remaining - contrib[:, best], 0.0)
    deficit = np.asarray(deficit, dtype=float)
    added = contrib[:, chosen].sum(axis=1)
    shortfall = np.maximum(deficit - added, 0.0)
    met = (shortfall <= 1e-7 * np.maximum(1.0, np.abs(deficit))) | (deficit <= _TOLERANCE_KM)
    return CoverResult(
        chosen=chosen,
        year_index=np.where(chosen, 0, -1),
        cost=float(cost[chosen].sum()),
        met=met,
        shortfall=np.where(met, 0.0, shortfall),
        status="greedy",
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class OptimiseResult:
    """What :func:`optimise` found.

    Attributes
    ----------
    scenario : Scenario
        The chosen works as edits (one per network and year), to run and compare like any other.
    works : DataFrame
        Chosen segments: network, segment_id, length_km, cost_million_vnd, year.
    targets : DataFrame
        Per (commune, indicator): threshold, share before and after, deficit and shortfall km,
        met, whether the threshold is verified.
    milp, greedy : CoverResult
    """

    scenario: Scenario
    works: pd.DataFrame
    targets: pd.DataFrame
    milp: CoverResult
    greedy: CoverResult
    candidates: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    available_million_vnd: float | None = None
    full_cover_million_vnd: float | None = None

    @property
    def money_shortfall_million_vnd(self) -> float | None:
        """Beyond the budget (or the sum of the caps), what a full cover would need; None if met
        or when no amount of money is enough (some km cannot be bought: see ``shortfall_km``)."""
        if self.full_cover_million_vnd is None or self.available_million_vnd is None:
            return None
        return max(self.full_cover_million_vnd - self.available_million_vnd, 0.0)

    @property
    def feasible(self) -> bool:
        return self.milp.status == "optimal"

    @property
    def shortfall_km(self) -> float:
        return float(self.targets["shortfall_km"].sum())


def _candidates(
    workspace: Any,
    assessment: Assessment,
    unit_costs: Mapping[str, pd.DataFrame],
    indicators: Iterable[str],
    indicator_of: Mapping[str, str],
) -> pd.DataFrame:
    """Pieces (segment × commune) not yet concretized / lined, with the indicator they feed.

    Road pieces are the assessment's upgrade layer (already cut); they are priced again here
    because ``unit_costs`` may differ from the assessment's. Canal pieces are cut here.
    """
    columns = ["network", "segment_id", "commune_code", "indicator", "length_km", "million_vnd_per_km"]
    frames = []
    road_indicator = {
        cls: indicator_of[name]
        for name, classes in ROAD_INDICATORS.items()
        for cls in classes
        if name in indicator_of
    }
    wanted = set(indicators)
    upgrade = assessment.segments_to_upgrade
    if upgrade is not None and wanted & set(road_indicator.values()):
        targets, prices = upgrade_prices(unit_costs["roads"], "roads")
        klass = upgrade["road_class"].astype(str)
        frames.append(
            pd.DataFrame(
                {
                    "network": "roads",
                    "segment_id": upgrade["segment_id"].astype(str),
                    "commune_code": upgrade["commune_code"].astype(str),
                    "indicator": klass.map(road_indicator),
                    "length_km": upgrade["length_km"],
                    "million_vnd_per_km": [prices.get((k, targets.get(k)), np.nan) for k in klass],
                }
            )
        )
    if workspace.has_layer("canals") and "3.3" in wanted and "canal_lined_share_xa" in indicator_of:
        canals = workspace.layer("canals")
        canals = canals[
            ~canals["lining"].astype(str).isin(kien_co_linings()) & (canals["managed_by"].astype(str) == "xa")
        ]
        pieces = split_by_commune(canals, workspace.layer("communes"))
        pieces = pieces[pieces["commune_code"].notna()]
        targets, prices = upgrade_prices(unit_costs["canals"], "canals")
        level = pieces["canal_level"].astype(str)
        frames.append(
            pd.DataFrame(
                {
                    "network": "canals",
                    "segment_id": pieces["segment_id"].astype(str),
                    "commune_code": pieces["commune_code"].astype(str),
                    "indicator": indicator_of["canal_lined_share_xa"],
                    "length_km": pieces["length_m"] / 1000.0,
                    "million_vnd_per_km": [prices.get((k, targets.get(k)), np.nan) for k in level],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["cost_million_vnd"] = table["length_km"] * table["million_vnd_per_km"]
    return table


def optimise(
    workspace: Any,
    assessment: Assessment,
    *,
    communes: Iterable[str] | None = None,
    indicators: Iterable[str] = DEFAULT_INDICATORS,
    budget: float | None = None,
    yearly_caps: Mapping[int, float] | None = None,
    maximise: bool = False,
    unit_costs: Mapping[str, pd.DataFrame] | None = None,
    name: str = "optimised",
    gap: float = 0.0,
    time_limit: float = 60.0,
) -> OptimiseResult:
    """The cheapest works that lift ``communes`` over their road / canal thresholds.

    Parameters
    ----------
    workspace : Workspace
        The baseline the works apply to.
    assessment : Assessment
        Its assessment (:func:`ntmgis.assessment.assess`): thresholds at each commune's target
        level, km done and total.
    communes : iterable of str, optional
        Commune codes to lift; default every assessed commune with a deficit.
    indicators : iterable of str
        Among ``2.1``–``2.4`` (roads by class group) and ``3.3`` (commune-managed canals).
    budget : float, optional
        Total million VND.
    yearly_caps : mapping year → million VND, optional
        Spending per year; each commune's targets are due by its plan target year, clipped into
        the capped years (a target due before the first capped year is due in that year).
    maximise : bool
        Lift as many communes as possible within the money instead of requiring all.
    unit_costs : mapping, optional
        ``{"roads": table, "canals": table}`` (default: the packaged illustrative tables).
    name : str
        Name of the returned scenario.
    gap, time_limit : float
        Passed to :func:`solve_cover` (0 = proven optimal; seconds).

    Returns
    -------
    OptimiseResult
        Infeasible targets are reported with their shortfall (km, and the money the cheapest full
        cover would need beyond the budget), not raised.
    """
    costs = {"roads": load_unit_costs("roads"), "canals": load_unit_costs("canals")}
    costs.update(unit_costs or {})
    thresholds = assessment.thresholds.dropna(subset=["computed"])
    indicator_of = dict(zip(thresholds["computed"], thresholds["indicator"], strict=False))
    indicators = tuple(indicators)
    unknown = sorted(set(indicators) - set(DEFAULT_INDICATORS))
    if unknown:
        raise ValueError(f"optimise acts on {DEFAULT_INDICATORS}; not on {unknown}")
    summary = assessment.communes
    assessed = summary[summary["assessed"]]
    chosen_codes = set(assessed["commune_code"].astype(str)) if communes is None else set(map(str, communes))
    missing = sorted(chosen_codes - set(summary["commune_code"].astype(str)))
    if missing:
        raise ValueError(f"unknown commune codes: {missing}")
    # Targets: km missing per (commune, indicator) at the commune's target level.
    rows = []
    for network in ("roads", "canals"):
        table = assessment.coverage(network)
        if table.empty:
            continue
        table = table[
            table["indicator"].isin(indicators)
            & table["commune_code"].astype(str).isin(chosen_codes)
            & table["threshold"].notna()
        ]
        done = "concretized_km" if network == "roads" else "lined_km"
        grouped = table.groupby(["commune_code", "indicator"], as_index=False).agg(
            total_km=("total_km", "sum"),
            done_km=(done, "sum"),
            threshold=("threshold", "first"),
            verified=("verified", "first"),
            op=("op", "first"),
            target_level=("target_level", "first"),
        )
        grouped["network"] = network
        rows.append(grouped)
    targets = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame(
            columns=[
                "commune_code",
                "indicator",
                "total_km",
                "done_km",
                "threshold",
                "verified",
                "op",
                "target_level",
                "network",
            ]
        )
    )
    # A strict threshold (">") is not met by exactly the deficit: ask for a millimetre more.
    strict = (targets["op"] == ">").to_numpy() * 1e-6
    targets["deficit_km"] = np.maximum(
        targets["threshold"] * targets["total_km"] - targets["done_km"] + strict, 0.0
    )
    targets = targets.sort_values(["commune_code", "indicator"], kind="stable").reset_index(drop=True)
    pieces = _candidates(workspace, assessment, costs, indicators, indicator_of)
    priced = pieces["cost_million_vnd"].notna()
    segments = (
        pieces[priced]
        .groupby(["network", "segment_id"], as_index=False)
        .agg(length_km=("length_km", "sum"), cost_million_vnd=("cost_million_vnd", "sum"))
    )
    index = {key: i for i, key in enumerate(zip(segments["network"], segments["segment_id"], strict=True))}
    target_index = {
        key: i
        for i, key in enumerate(zip(targets["commune_code"].astype(str), targets["indicator"], strict=True))
    }
    useful = pieces[priced & pieces.set_index(["commune_code", "indicator"]).index.isin(list(target_index))]
    t_idx = [target_index[(c, i)] for c, i in zip(useful["commune_code"], useful["indicator"], strict=True)]
    s_idx = [index[(n, s)] for n, s in zip(useful["network"], useful["segment_id"], strict=True)]
    contrib = coo_matrix(
        (useful["length_km"].to_numpy(), (t_idx, s_idx)), shape=(len(targets), len(segments))
    ).toarray()
    # Only segments that help some target are candidates.
    helps = contrib.sum(axis=0) > 0
    segments, contrib = segments[helps].reset_index(drop=True), contrib[:, helps]
    cost = segments["cost_million_vnd"].to_numpy()
    deficit = targets["deficit_km"].to_numpy()
    groups = pd.factorize(targets["commune_code"])[0]
    years = sorted(yearly_caps) if yearly_caps else None
    deadline = None
    if years:
        due = targets["commune_code"].map(summary.set_index("commune_code")["target_year"]).astype(float)
        deadline = np.searchsorted(years, due.fillna(years[-1]).to_numpy(), side="right") - 1
        deadline = np.clip(deadline, 0, len(years) - 1)
    exact = solve_cover(
        cost,
        contrib,
        deficit,
        budget=budget,
        caps=[yearly_caps[y] for y in years] if years else None,
        deadline=deadline,
        groups=groups,
        maximise=maximise,
        gap=gap,
        time_limit=time_limit,
    )
    # Out of money: what would the cheapest full cover cost without the budget and caps?
    full_cost = None
    if exact.status == "infeasible" and (budget is not None or yearly_caps):
        full = solve_cover(cost, contrib, deficit, groups=groups, gap=gap, time_limit=time_limit)
        full_cost = full.cost if full.status in ("optimal", "time_limit") else None
    greedy = greedy_cover(
        cost,
        contrib,
        deficit,
        budget=budget if budget is not None else (sum(yearly_caps.values()) if yearly_caps else None),
    )
    added = contrib @ exact.chosen.astype(float) if len(cost) else np.zeros(len(targets))
    targets["share_before"] = np.where(
        targets["total_km"] > 0, targets["done_km"] / targets["total_km"], np.nan
    )
    targets["share_after"] = np.where(
        targets["total_km"] > 0, (targets["done_km"] + added) / targets["total_km"], np.nan
    )
    targets["shortfall_km"] = exact.shortfall
    targets["met"] = exact.met
    works = segments[exact.chosen].copy()
    works["year"] = [years[i] if years else None for i in exact.year_index[exact.chosen]]
    edits = []
    for (network, year), group in works.groupby(
        ["network", works["year"].astype(object).fillna(-1)], sort=True
    ):
        ids = tuple(sorted(group["segment_id"]))
        year_value = None if year == -1 else int(year)
        edits.append(
            Concretize(segment_ids=ids, year=year_value)
            if network == "roads"
            else LineCanals(segment_ids=ids, year=year_value)
        )
    scenario = Scenario(
        name=name,
        edits=tuple(edits),
        description=(
            f"MILP: {exact.status}, {exact.cost:,.0f} million VND; "
            f"greedy baseline {greedy.cost:,.0f} million VND"
        ),
    )
    # Money that could have been spent in time: the caps of the years up to the last deadline.
    available = None
    if years:
        last = int(deadline.max()) if len(deadline) else len(years) - 1
        available = float(sum(yearly_caps[y] for y in years[: last + 1]))
    if budget is not None:
        available = float(budget) if available is None else min(available, float(budget))
    return OptimiseResult(
        scenario=scenario,
        works=works.reset_index(drop=True),
        targets=targets,
        milp=exact,
        greedy=greedy,
        candidates=segments,
        available_million_vnd=available,
        full_cover_million_vnd=full_cost,
    )

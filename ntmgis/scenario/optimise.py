"""Goal-seeking: the cheapest road and canal works that lift communes over their thresholds.

The decision units are whole segments (a road or canal that crosses a border helps both
communes with the km it has in each, as the assessment's gap layers measure them). For every
target — a commune's road or canal indicator (2.1–2.4, 3.3) at its target level — the deficit is
``threshold × total km − done km``; a chosen segment adds its km of the indicator's classes in
that commune. The candidates are the baseline assessment's ``segments_to_upgrade`` (roads) and
the commune-managed pieces of its ``canals_to_line`` (criterion 3.3 counts only those);
:func:`~.cover.solve_cover` picks them and :func:`optimise` returns the works as a
:class:`~.edits.Scenario`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix

from ..assessment import Assessment
from ..workspace import Workspace
from .cover import CoverResult, Floats, Indices, greedy_cover, solve_cover
from .edits import Concretize, LineCanals, Scenario
from .networks import CANALS, ROADS, Network, default_unit_costs

__all__ = ["OptimiseResult", "optimise", "solve_targets", "DEFAULT_INDICATORS"]

#: Indicators the optimiser can act on: road shares by class group and commune-managed canals.
DEFAULT_INDICATORS = ("2.1", "2.2", "2.3", "2.4", "3.3")
#: The canal manager whose canals criterion 3.3 counts (the commune).
_COMMUNE_MANAGER = "xa"
_TARGET_COLUMNS = [
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


def _chosen_communes(assessment: Assessment, communes: Iterable[str] | None) -> set[str]:
    summary = assessment.communes
    if communes is None:
        return set(summary.loc[summary["assessed"], "commune_code"].astype(str))
    chosen = set(map(str, communes))
    missing = sorted(chosen - set(summary["commune_code"].astype(str)))
    if missing:
        raise ValueError(f"unknown commune codes: {missing}")
    return chosen


def _targets(assessment: Assessment, indicators: tuple[str, ...], codes: set[str]) -> pd.DataFrame:
    """Km missing per (commune, indicator) at the commune's target level."""
    rows = []
    for network in ("roads", "canals"):
        table = assessment.coverage(network)
        if table.empty:
            continue
        table = table[
            table["indicator"].isin(indicators)
            & table["commune_code"].astype(str).isin(codes)
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
    targets = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=_TARGET_COLUMNS)
    # A strict threshold (">") is not met by exactly the deficit: ask for a millimetre more.
    strict = (targets["op"] == ">").to_numpy() * 1e-6
    needed = targets["threshold"] * targets["total_km"] - targets["done_km"] + strict
    targets["deficit_km"] = np.maximum(needed, 0.0)
    return targets.sort_values(["commune_code", "indicator"], kind="stable").reset_index(drop=True)


def _indicator_of_class(assessment: Assessment, network: str, klass: str) -> dict[str, str]:
    """Class (road class; canals: one) → the indicator its km count towards, as the assessment's
    coverage table maps them."""
    table = assessment.coverage(network)
    if table.empty:
        return {}
    table = table.dropna(subset=["indicator"])
    if network == "canals":
        return {"*": str(table["indicator"].iloc[0])} if len(table) else {}
    return dict(zip(table[klass].astype(str), table["indicator"].astype(str), strict=True))


def _pieces(gap: pd.DataFrame, network: Network, indicator: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """Candidate pieces of one network, priced with ``table`` (which may differ from the
    assessment's, so the gap layer's own prices are not used)."""
    targets, prices = network.prices(table)
    klass = gap[network.klass].astype(str)
    return pd.DataFrame(
        {
            "network": network.layer,
            "segment_id": gap["segment_id"].astype(str),
            "commune_code": gap["commune_code"].astype(str),
            "indicator": indicator,
            "length_km": gap["length_km"],
            # A class with no default target has no price: it is not a candidate.
            "million_vnd_per_km": [
                prices.get((k, targets[k]), np.nan) if k in targets else np.nan for k in klass
            ],
        }
    )


def _candidates(
    assessment: Assessment,
    unit_costs: Mapping[str, pd.DataFrame],
    indicators: tuple[str, ...],
) -> pd.DataFrame:
    """Pieces (segment × commune) not yet concretized / lined, with the indicator they feed."""
    wanted = set(indicators)
    frames = []
    roads = _indicator_of_class(assessment, "roads", ROADS.klass)
    if assessment.segments_to_upgrade is not None and wanted & set(roads.values()):
        gap = ROADS.gap(assessment)
        frames.append(_pieces(gap, ROADS, gap[ROADS.klass].astype(str).map(roads), unit_costs["roads"]))
    canals = _indicator_of_class(assessment, "canals", CANALS.klass)
    if assessment.canals_to_line is not None and canals.get("*") in wanted:
        gap = CANALS.gap(assessment)
        gap = gap[gap["managed_by"].astype(str) == _COMMUNE_MANAGER]
        frames.append(_pieces(gap, CANALS, canals["*"], unit_costs["canals"]))
    columns = ["network", "segment_id", "commune_code", "indicator", "length_km", "million_vnd_per_km"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    table["cost_million_vnd"] = table["length_km"] * table["million_vnd_per_km"]
    return table


def _instance(targets: pd.DataFrame, pieces: pd.DataFrame) -> tuple[pd.DataFrame, Floats]:
    """Candidate segments (priced pieces summed per segment) and their km per target; only
    segments that help some target are kept."""
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
        (useful["length_km"].to_numpy(dtype=float), (t_idx, s_idx)), shape=(len(targets), len(segments))
    ).toarray()
    helps = contrib.sum(axis=0) > 0
    return segments[helps].reset_index(drop=True), contrib[:, helps]


def _deadlines(due: pd.Series, years: list[int] | None) -> Indices | None:
    """Index of the capped year each target is due by (``due``: its year, NaN: the last capped
    year), clipped into the capped years."""
    if not years:
        return None
    due = due.astype(float)
    deadline = np.searchsorted(years, due.fillna(years[-1]).to_numpy(), side="right") - 1
    return np.clip(deadline, 0, len(years) - 1)


def _scenario(works: pd.DataFrame, name: str, exact: CoverResult, greedy: CoverResult) -> Scenario:
    """The chosen works as edits, one per network and year."""
    edits = []
    year_or_none = works["year"].astype(object).fillna(-1)
    for (network, year), group in works.groupby(["network", year_or_none], sort=True):
        ids = tuple(sorted(group["segment_id"]))
        year_value = None if year == -1 else int(year)
        edit = Concretize if network == "roads" else LineCanals
        edits.append(edit(segment_ids=ids, year=year_value))
    description = (
        f"MILP: {exact.status}, {exact.cost:,.0f} million VND; greedy baseline {greedy.cost:,.0f} million VND"
    )
    return Scenario(name=name, edits=tuple(edits), description=description)


def _available(budget: float | None, caps: list[float] | None, deadline: Indices | None) -> float | None:
    """Money that could have been spent in time: the caps (in year order) of the years up to the
    last deadline, and at most the budget."""
    available = None
    if caps and deadline is not None:
        last = int(deadline.max()) if len(deadline) else len(caps) - 1
        available = float(sum(caps[: last + 1]))
    if budget is not None:
        available = float(budget) if available is None else min(available, float(budget))
    return available


def optimise(
    workspace: Workspace,
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
        The baseline the works apply to (its communes must be the assessment's).
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
        ``{"roads": table, "canals": table}`` (default: the assessment's tables).
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
    indicators = tuple(indicators)
    unknown = sorted(set(indicators) - set(DEFAULT_INDICATORS))
    if unknown:
        raise ValueError(f"optimise acts on {DEFAULT_INDICATORS}; not on {unknown}")
    costs = default_unit_costs(assessment) | dict(unit_costs or {})
    summary = assessment.communes
    codes = set(workspace.layer("communes")["commune_code"].astype(str))
    if codes != set(summary["commune_code"].astype(str)):
        raise ValueError("the assessment is not of this workspace: their communes differ")
    targets = _targets(assessment, indicators, _chosen_communes(assessment, communes))
    pieces = _candidates(assessment, costs, indicators)
    due = targets["commune_code"].map(summary.set_index("commune_code")["target_year"])
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


def solve_targets(
    targets: pd.DataFrame,
    pieces: pd.DataFrame,
    *,
    due: pd.Series,
    budget: float | None = None,
    yearly_caps: Mapping[int, float] | None = None,
    maximise: bool = False,
    name: str = "optimised",
    gap: float = 0.0,
    time_limit: float = 60.0,
) -> OptimiseResult:
    """The cheapest segments covering the ``targets``' deficits (the core of :func:`optimise`).

    ``targets``: one row per (unit, indicator) with ``commune_code, indicator, total_km, done_km,
    deficit_km``; ``pieces``: candidate pieces (``network, segment_id, commune_code, indicator,
    length_km, cost_million_vnd``) in the same units; ``due``: each target's year (NaN: the last).
    """
    segments, contrib = _instance(targets, pieces)
    cost = segments["cost_million_vnd"].to_numpy()
    deficit = targets["deficit_km"].to_numpy()
    groups = pd.factorize(targets["commune_code"])[0]
    caps_by_year = dict(yearly_caps or {})
    years = sorted(caps_by_year) or None
    deadline = _deadlines(due, years)
    caps = [caps_by_year[y] for y in years] if years else None
    exact = solve_cover(
        cost,
        contrib,
        deficit,
        budget=budget,
        caps=caps,
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
    money = budget if budget is not None else (sum(yearly_caps.values()) if yearly_caps else None)
    greedy = greedy_cover(cost, contrib, deficit, budget=money)
    added = contrib @ exact.chosen.astype(float) if len(cost) else np.zeros(len(targets))
    total = targets["total_km"]
    targets["share_before"] = np.where(total > 0, targets["done_km"] / total, np.nan)
    targets["share_after"] = np.where(total > 0, (targets["done_km"] + added) / total, np.nan)
    targets["shortfall_km"] = exact.shortfall
    targets["met"] = exact.met
    works = segments[exact.chosen].copy()
    works["year"] = [years[i] if years else None for i in exact.year_index[exact.chosen]]
    return OptimiseResult(
        scenario=_scenario(works, name, exact, greedy),
        works=works.reset_index(drop=True),
        targets=targets,
        milp=exact,
        greedy=greedy,
        candidates=segments,
        available_million_vnd=_available(budget, caps, deadline),
        full_cover_million_vnd=full_cost,
    )

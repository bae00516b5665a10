"""Covering instances: the cheapest candidates (segments) that cover every deficit (km per target).

:func:`solve_cover` is exact (``scipy.optimize.milp``, HiGHS): the cheapest set of candidates that
covers every deficit (or, with ``maximise=True``, as many groups as possible, then the cheapest
way) under a total budget and optional caps per period; :func:`greedy_cover` is the
benefit-per-cost ranking it is compared with. :func:`ntmgis.scenario.optimise` builds the
instance from an assessment.

.. math::
    \\min \\sum_{s,y} c_s x_{s,y} \\quad \\text{s.t.} \\quad
    \\sum_s a_{t,s} \\sum_{y \\le d_t} x_{s,y} \\ge D_t z_{g(t)},\\;
    \\sum_s c_s x_{s,y} \\le C_y,\\; \\sum_y x_{s,y} \\le 1,\\; x, z \\in \\{0, 1\\}
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol, TypeAlias, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp
from scipy.sparse import coo_matrix, hstack, vstack

__all__ = ["CoverResult", "solve_cover", "greedy_cover"]

_TOLERANCE_KM = 1e-9

Floats: TypeAlias = npt.NDArray[np.float64]
Bools: TypeAlias = npt.NDArray[np.bool_]
Indices: TypeAlias = npt.NDArray[np.intp]


@runtime_checkable
class _Sparse(Protocol):
    """A scipy sparse matrix or array (scipy ships no type information)."""

    def toarray(self) -> npt.NDArray[np.float64]: ...


#: A contribution matrix (targets × candidates): anything array-like, or scipy sparse.
Matrix: TypeAlias = npt.ArrayLike | _Sparse


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

    chosen: Bools
    year_index: Indices
    cost: float
    met: Bools
    shortfall: Floats
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


def _check(cost: Floats, contrib: Floats, deficit: Floats) -> None:
    if contrib.shape != (len(deficit), len(cost)):
        raise ValueError(
            f"contrib must be targets × candidates {(len(deficit), len(cost))}, not {contrib.shape}"
        )
    if (cost < 0).any() or not np.isfinite(cost).all():
        raise ValueError("costs must be finite and non-negative")


_Mode = Literal["cover", "maximise", "slack"]


@dataclass(frozen=True)
class _Instance:
    """A covering instance: candidates × periods, targets with deadlines and groups."""

    cost: Floats
    contrib: Floats
    deficit: Floats
    periods: int
    deadline: Indices
    group_of: Indices
    n_groups: int
    caps: Sequence[float] | None
    budget: float | None

    @property
    def n_cand(self) -> int:
        return len(self.cost)

    @property
    def n_targets(self) -> int:
        return len(self.deficit)

    def n_extra(self, mode: _Mode) -> int:
        """Variables after x: z per group (maximise), slack per target (least shortfall)."""
        return {"maximise": self.n_groups, "slack": self.n_targets}.get(mode, 0)


def _cover_constraint(inst: _Instance, mode: _Mode) -> LinearConstraint:
    """Σ_s a_ts Σ_{y ≤ d_t} x_sy (+ slack_t) ≥ D_t (· z_g)."""
    if inst.periods > 1:
        due = [inst.deadline >= y for y in range(inst.periods)]
        cover = hstack([coo_matrix(inst.contrib * mask[:, None]) for mask in due]).tocsr()
    else:
        cover = coo_matrix(inst.contrib).tocsr()
    if mode == "maximise":
        z = coo_matrix(
            (-np.maximum(inst.deficit, 0.0), (np.arange(inst.n_targets), inst.group_of)),
            shape=(inst.n_targets, inst.n_groups),
        )
        return LinearConstraint(hstack([cover, z]).tocsr(), lb=np.zeros(inst.n_targets), ub=np.inf)
    if mode == "slack":
        slack = coo_matrix(np.eye(inst.n_targets))
        return LinearConstraint(hstack([cover, slack]).tocsr(), lb=inst.deficit, ub=np.inf)
    return LinearConstraint(cover, lb=inst.deficit, ub=np.inf)


def _spending_constraints(inst: _Instance, mode: _Mode) -> list[LinearConstraint]:
    """Each candidate at most once, spending per period within its cap, all within the budget."""
    n_cand, periods, n_extra = inst.n_cand, inst.periods, inst.n_extra(mode)
    constraints = []
    if periods > 1:
        once = hstack([coo_matrix(np.eye(n_cand))] * periods)
        constraints.append(LinearConstraint(hstack([once, coo_matrix((n_cand, n_extra))]).tocsr(), ub=1))
        spend = vstack(
            [
                hstack(
                    [
                        coo_matrix((1, n_cand * y)),
                        coo_matrix(inst.cost[None, :]),
                        coo_matrix((1, n_cand * (periods - y - 1))),
                        coo_matrix((1, n_extra)),
                    ]
                )
                for y in range(periods)
            ]
        ).tocsr()
        constraints.append(LinearConstraint(spend, ub=np.asarray(inst.caps, dtype=float)))
    if inst.budget is not None:
        total = hstack([coo_matrix(np.tile(inst.cost, periods)[None, :]), coo_matrix((1, n_extra))]).tocsr()
        constraints.append(LinearConstraint(total, ub=float(inst.budget)))
    return constraints


def _objective(inst: _Instance, mode: _Mode) -> tuple[Floats, Floats, Floats]:
    """Objective, upper bounds and integrality of the variables (x, then z or slack)."""
    n_x = inst.n_cand * inst.periods
    spend_weight = np.tile(inst.cost, inst.periods)
    # Every group (or km of shortfall) outweighs any spending: lexicographic, then cost.
    weight = spend_weight.sum() + 1.0
    if mode == "maximise":
        objective = np.concatenate([spend_weight, np.full(inst.n_groups, -weight)])
        upper = np.concatenate([np.ones(n_x), np.ones(inst.n_groups)])
    elif mode == "slack":
        objective = np.concatenate([spend_weight, np.full(inst.n_targets, weight)])
        upper = np.concatenate([np.ones(n_x), np.maximum(inst.deficit, 0.0)])
    else:
        objective, upper = spend_weight, np.ones(n_x)
    n_extra = inst.n_extra(mode)
    integer_extra = np.ones(n_extra) if mode == "maximise" else np.zeros(n_extra)
    integrality = np.concatenate([np.ones(n_x), integer_extra])
    return objective, upper, integrality


def _solve(inst: _Instance, mode: _Mode, gap: float, time_limit: float) -> OptimizeResult:
    objective, upper, integrality = _objective(inst, mode)
    constraints = [_cover_constraint(inst, mode), *_spending_constraints(inst, mode)]
    with _native_stdout_silenced():
        return milp(
            objective,
            constraints=constraints,
            integrality=integrality,
            bounds=Bounds(np.zeros(len(objective)), upper),
            options={"time_limit": float(time_limit), "mip_rel_gap": float(gap)},
        )


def _choose(inst: _Instance, maximise: bool, gap: float, time_limit: float) -> tuple[str, Bools]:
    """Status and choice x (periods × candidates) of the exact model, or of the least-shortfall
    one when the targets cannot all be met."""
    if inst.n_cand == 0:  # nothing to choose (HiGHS refuses an empty model)
        met = bool((inst.deficit <= _TOLERANCE_KM).all()) or maximise
        return ("optimal" if met else "infeasible"), np.zeros((inst.periods, 0), dtype=bool)
    status = "optimal"
    result = _solve(inst, "maximise" if maximise else "cover", gap, time_limit)
    if result.status == 1 and result.x is not None:
        status = "time_limit"  # the best solution found in time: feasible, maybe not the cheapest
    elif not result.success:
        status = "infeasible"
        result = _solve(inst, "slack", gap, time_limit)
        if result.x is None:  # pragma: no cover - the slack model is always feasible
            raise RuntimeError(f"MILP failed: {result.message}")
    x = np.round(result.x[: inst.n_cand * inst.periods]).reshape(inst.periods, inst.n_cand)
    return status, x.astype(bool)


def _as_array(contrib: Matrix) -> Floats:
    return np.asarray(contrib.toarray() if isinstance(contrib, _Sparse) else contrib, dtype=float)


def solve_cover(
    cost: npt.ArrayLike,
    contrib: Matrix,
    deficit: npt.ArrayLike,
    *,
    budget: float | None = None,
    caps: Sequence[float] | None = None,
    deadline: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
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
    costs = np.asarray(cost, dtype=float)
    km = _as_array(contrib)
    needed = np.asarray(deficit, dtype=float)
    _check(costs, km, needed)
    periods = len(caps) if caps is not None else 1
    last = np.full(len(needed), periods - 1)
    group_ids, group_of = np.unique(
        np.arange(len(needed)) if groups is None else np.asarray(groups), return_inverse=True
    )
    inst = _Instance(
        cost=costs,
        contrib=km,
        deficit=needed,
        periods=periods,
        deadline=last if deadline is None else np.minimum(np.asarray(deadline), periods - 1),
        group_of=group_of,
        n_groups=len(group_ids),
        caps=caps,
        budget=budget,
    )
    status, x = _choose(inst, maximise, gap, time_limit)
    chosen = np.asarray(x.any(axis=0))  # an array: x is 2-D (numpy's stubs also allow a scalar)
    year_index = np.where(chosen, x.argmax(axis=0), -1)
    in_time = (year_index[None, :] >= 0) & (year_index[None, :] <= inst.deadline[:, None])
    added = (km * in_time).sum(axis=1)
    shortfall = np.maximum(needed - added, 0.0)
    met = shortfall <= 1e-7 * np.maximum(1.0, np.abs(needed))
    met |= needed <= _TOLERANCE_KM
    return CoverResult(
        chosen=chosen,
        year_index=year_index,
        cost=float(costs[chosen].sum()),
        met=met,
        shortfall=np.where(met, 0.0, shortfall),
        status=status,
        seconds=time.perf_counter() - start,
    )


def greedy_cover(
    cost: npt.ArrayLike, contrib: Matrix, deficit: npt.ArrayLike, *, budget: float | None = None
) -> CoverResult:
    """The baseline: repeatedly take the candidate with the most km still needed per unit cost.

    Ignores yearly caps (one period). Returns ``status="greedy"``.
    """
    start = time.perf_counter()
    costs = np.asarray(cost, dtype=float)
    km = _as_array(contrib)
    needed = np.asarray(deficit, dtype=float)
    remaining = np.maximum(needed, 0.0)
    _check(costs, km, remaining)
    chosen = np.zeros(len(costs), dtype=bool)
    spent = 0.0
    limit = np.inf if budget is None else float(budget)
    while (remaining > _TOLERANCE_KM).any():
        benefit = np.minimum(km, remaining[:, None]).sum(axis=0)
        affordable = ~chosen & (benefit > _TOLERANCE_KM) & (spent + costs <= limit + 1e-9)
        if not affordable.any():
            break
        ratio = np.where(affordable, benefit / np.maximum(costs, 1e-12), -np.inf)
        best = int(np.argmax(ratio))
        chosen[best] = True
        spent += costs[best]
        remaining = np.maximum(remaining - km[:, best], 0.0)
    added = km[:, chosen].sum(axis=1)
    shortfall = np.maximum(needed - added, 0.0)
    met = (shortfall <= 1e-7 * np.maximum(1.0, np.abs(needed))) | (needed <= _TOLERANCE_KM)
    return CoverResult(
        chosen=chosen,
        year_index=np.where(chosen, 0, -1),
        cost=float(costs[chosen].sum()),
        met=met,
        shortfall=np.where(met, 0.0, shortfall),
        status="greedy",
        seconds=time.perf_counter() - start,
    )

"""Goal-seeking (ntmgis.optimise): MILP against brute force and the greedy baseline."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntmgis.scenario import greedy_cover, optimise, run, solve_cover

LAM_COT = "07333"


@st.composite
def instances(draw):
    """Small covering instances: ≤ 8 candidates, ≤ 4 targets, some candidates helping several."""
    n_cand = draw(st.integers(1, 8))
    n_targets = draw(st.integers(1, 4))
    cost = draw(st.lists(st.integers(1, 50), min_size=n_cand, max_size=n_cand))
    contrib = np.array(
        draw(
            st.lists(
                st.lists(st.sampled_from([0, 0, 1, 2, 3, 5]), min_size=n_cand, max_size=n_cand),
                min_size=n_targets,
                max_size=n_targets,
            )
        ),
        dtype=float,
    )
    deficit = draw(st.lists(st.integers(0, 8), min_size=n_targets, max_size=n_targets))
    budget = draw(st.one_of(st.none(), st.integers(0, 120)))
    return np.array(cost, dtype=float), contrib, np.array(deficit, dtype=float), budget


def _brute_force(cost, contrib, deficit, budget):
    best = None
    for mask in itertools.product([False, True], repeat=len(cost)):
        chosen = np.array(mask)
        total = cost[chosen].sum()
        if budget is not None and total > budget:
            continue
        if (contrib[:, chosen].sum(axis=1) >= deficit - 1e-9).all() and (best is None or total < best):
            best = total
    return best


@settings(max_examples=60, deadline=None)
@given(instances())
def test_milp_equals_brute_force_and_beats_greedy(case):
    cost, contrib, deficit, budget = case
    optimum = _brute_force(cost, contrib, deficit, budget)
    exact = solve_cover(cost, contrib, deficit, budget=budget)
    greedy = greedy_cover(cost, contrib, deficit, budget=budget)
    if optimum is None:
        assert exact.status == "infeasible"
        assert exact.shortfall.sum() > 0 and not exact.met.all()
        if budget is not None:
            assert exact.cost <= budget + 1e-9
    else:
        assert exact.status == "optimal"
        assert exact.cost == pytest.approx(optimum)
        assert exact.met.all() and (contrib[:, exact.chosen].sum(axis=1) >= deficit - 1e-9).all()
        if greedy.met.all():
            assert exact.cost <= greedy.cost + 1e-9


def test_yearly_caps_schedule_the_works_within_each_year():
    cost = np.array([10.0, 10.0, 10.0])
    contrib = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    deficit = np.array([2.0, 1.0])
    # Target 0 is due in the first year, target 1 in the second; 20 a year.
    result = solve_cover(cost, contrib, deficit, caps=[20.0, 20.0], deadline=[0, 1])
    assert result.status == "optimal" and result.met.all()
    assert list(result.year_index) == [0, 0, 1]
    squeezed = solve_cover(cost, contrib, deficit, caps=[10.0, 20.0], deadline=[0, 1])
    assert squeezed.status == "infeasible" and squeezed.shortfall[0] == pytest.approx(1.0)


def test_maximise_lifts_as_many_groups_as_the_money_allows():
    cost = np.array([5.0, 30.0, 6.0])
    contrib = np.eye(3)
    deficit = np.ones(3)
    result = solve_cover(cost, contrib, deficit, budget=12.0, maximise=True)
    assert list(result.chosen) == [True, False, True] and result.met.sum() == 2


@pytest.fixture(scope="module")
def lam_cot(sample_workspace, sample_assessment):
    return optimise(sample_workspace, sample_assessment, communes=[LAM_COT], indicators=("2.1", "3.3"))


def test_optimised_works_meet_every_requested_threshold_when_applied(sample_workspace, lam_cot):
    assert lam_cot.feasible and lam_cot.milp.cost <= lam_cot.greedy.cost + 1e-6
    assert set(lam_cot.targets["indicator"]) == {"2.1", "3.3"} and lam_cot.targets["met"].all()
    result = run(sample_workspace, lam_cot.scenario)
    assert result.applied.works["cost_million_vnd"].sum() == pytest.approx(lam_cot.milp.cost)
    indicators = result.assessment.indicators_by_level
    mine = indicators[
        (indicators["unit_code"] == LAM_COT)
        & (indicators["level"] == "nang_cao")
        & indicators["indicator"].isin(["2.1", "3.3"])
    ]
    assert set(mine["status"]) == {"met"}


def test_an_infeasible_budget_is_reported_with_the_shortfall(sample_workspace, sample_assessment, lam_cot):
    short = optimise(
        sample_workspace,
        sample_assessment,
        communes=[LAM_COT],
        indicators=("2.1", "3.3"),
        budget=lam_cot.milp.cost / 2,
    )
    assert not short.feasible and short.milp.status == "infeasible"
    assert short.shortfall_km > 0 and short.milp.cost <= lam_cot.milp.cost / 2 + 1e-6
    assert short.money_shortfall_million_vnd == pytest.approx(lam_cot.milp.cost / 2, rel=1e-6)


def test_unknown_communes_and_indicators_are_refused(sample_workspace, sample_assessment):
    with pytest.raises(ValueError, match="99999"):
        optimise(sample_workspace, sample_assessment, communes=["99999"])
    with pytest.raises(ValueError, match="6.3"):
        optimise(sample_workspace, sample_assessment, indicators=("6.3",))


def test_canal_candidates_come_from_the_assessment(sample_workspace, sample_assessment):
    # The optimiser reads canals_to_line (not the workspace): with nothing listed, 3.3 has no candidate.
    import dataclasses

    empty = sample_assessment.canals_to_line.iloc[:0]
    blind = dataclasses.replace(sample_assessment, canals_to_line=empty)
    result = optimise(sample_workspace, blind, communes=[LAM_COT], indicators=("3.3",))
    assert result.candidates.empty and not result.targets["met"].all()


def test_no_candidate_at_all_is_infeasible_not_a_solver_error():
    # Regression: HiGHS refuses a model without variables; nothing to choose is a plain answer.
    result = solve_cover(np.zeros(0), np.zeros((2, 0)), np.array([1.0, 0.0]))
    assert result.status == "infeasible" and list(result.met) == [False, True]
    assert result.shortfall[0] == pytest.approx(1.0) and result.cost == 0.0
    assert solve_cover(np.zeros(0), np.zeros((1, 0)), np.array([0.0])).status == "optimal"

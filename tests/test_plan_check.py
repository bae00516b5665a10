"""The plan file: sections are optional, and every mistake is listed at once in one report."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from ntmgis.criteria.evaluate import evaluate
from ntmgis.criteria.selection import choose_criteria
from ntmgis.plan import check_plan, load_plan
from ntmgis.plan.check import plan_schema
from ntmgis.problems import DataError

MINIMAL = {
    "id": "huyen_x_2026_2030",
    "period": [2026, 2030],
    "communes": {"nang_cao_schedule": {"years": {2027: [{"code": "00001", "name": "An"}]}}},
}


def _write(tmp_path, data) -> str:
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_the_packaged_plan_has_no_problem():
    plan = load_plan("package:tan_yen_2021_2025")
    assert plan.problems == ()
    assert plan.period() == (2021, 2025) and list(plan.years()) == [2021, 2022, 2023, 2024, 2025]
    assert plan.totals() == {"nang_cao_total": 11, "kieu_mau_total": 3, "model_villages_total": 43}
    budget = plan.budget()
    assert budget is not None and budget.total == sum(budget.parts.values()) == 931359
    assert len(plan.market_units()) == 8 and len(plan.sector_targets()) == 15


def test_a_minimal_plan_loads_and_its_missing_sections_are_empty(tmp_path):
    plan = load_plan(_write(tmp_path, MINIMAL))
    assert plan.problems == ()
    assert len(plan.nang_cao_schedule()) == 1 and plan.kieu_mau_schedule().empty
    assert plan.model_villages_by_year().empty and plan.market_units().empty
    assert plan.targets() == [] and plan.sector_targets() == [] and plan.budget() is None
    assert plan.totals() == {"nang_cao_total": 1, "kieu_mau_total": 0, "model_villages_total": 0}
    assert plan.title() == plan.source


def test_a_minimal_plan_is_evaluated_without_key_error(tmp_path):
    """Regression: a plan without sector_targets crashed with KeyError: 'sector_targets'."""
    plan = load_plan(_write(tmp_path, MINIMAL))
    communes = pd.DataFrame({"commune_code": ["00001", "00002"], "name": ["An", "Bình"], "kind": "xa"})
    result = evaluate(communes, None, plan, choose_criteria(2024))
    by_code = result.communes.set_index("commune_code")
    assert by_code.loc["00001", "target_level"] == "nang_cao" and by_code.loc["00001", "target_year"] == 2027
    assert by_code.loc["00002", "target_level"] == "ntm" and by_code.loc["00002", "target_year"] == 2030
    assert set(result.progress["measure"]) == {"nang_cao_communes", "kieu_mau_communes", "model_villages"}
    assert result.progress["planned"].sum() == 5 * 0 + 1  # one commune in 2027, nothing else planned
    assert result.sectors.empty


def test_five_mistakes_give_five_problems_in_one_report(tmp_path):
    data = {
        "period": [2021, 2025],  # 1: no id
        "communes": {
            "nang_cao_total": {"value": 3},  # 2: the schedule lists 2
            "nang_cao_schedule": {
                "years": {
                    2022: [{"code": "00001", "name": "An"}],
                    2023: [{"code": "00001", "name": "An"}],  # 3: a commune twice
                }
            },
            "kieu_mau_schedule": {"years": {2031: [{"code": "00002", "name": "Bình"}]}},  # 4: after 2025
        },
        "budget": {"total": 100, "parts": {"state_budget": 60, "other_sources": 30}},  # 5: 90 ≠ 100
    }
    with pytest.raises(DataError) as caught:
        load_plan(_write(tmp_path, data))
    problems = caught.value.problems
    assert len(problems) == 5, [p.problem for p in problems]
    words = " | ".join(p.problem for p in problems)
    for expected in (
        "no 'id'",
        "schedule lists 2 communes",
        "scheduled twice",
        "outside the plan period",
        "parts add to 90",
    ):
        assert expected in words
    assert all(p.severity == "error" and p.layer == "plan" for p in problems)


def test_wrong_types_unknown_levels_and_codes_are_problems_not_tracebacks(tmp_path):
    data = {
        "id": "x",
        "period": "2021-2025",  # wrong type
        "communes": {
            "xyz_schedule": {"years": {2022: [{"code": "1", "name": "A"}]}},  # unknown level
            "nang_cao_schedule": {"years": {2022: "An"}},  # not a list of {code, name}
            "kieu_mau_total": {"value": -1},
        },
        "villages": {"model_villages_by_year": {"years": {2022: "ten"}}},
        "sector_targets": [{"id": "a", "op": "~", "value": 1}, {"value": 2}, {"id": "a"}],
        "budget": {"total": "lots"},
        "colour": "blue",  # unknown key: a warning
    }
    problems = check_plan(data, "plan.yaml", communes={"9": "Chín"})
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    words = " | ".join(p.problem for p in errors)
    for expected in (
        "period should be [first year, last year]",
        "unknown level 'xyz'",
        "should be a list of {code, name}",
        "whole number ≥ 0",
        "unknown op '~'",
        "has no id",
        "appears twice",
        "budget.total should be a number",
        "not in the communes layer",  # code "1" of the xyz schedule
    ):
        assert expected in words, expected
    assert [w.feature for w in warnings] == ["colour"]


def test_commune_codes_and_names_are_checked_against_the_workspace():
    data = {
        **MINIMAL,
        "sector_targets": [{"id": "markets_upgraded", "units": [{"code": "00002", "name": "Bình"}]}],
    }
    problems = check_plan(data, "plan.yaml", communes={"00001": "Xã An", "00002": "Xã Hòa"})
    assert [p.feature for p in problems] == ["00002 Bình"]
    assert "of another name" in problems[0].problem


def test_the_schema_names_every_key_of_the_packaged_plan():
    packaged = yaml.safe_load(
        __import__("importlib.resources", fromlist=["files"])
        .files("ntmgis")
        .joinpath("plans/tan_yen_2021_2025.yaml")
        .read_text("utf-8")
    )
    schema = plan_schema()
    assert set(packaged) <= set(schema["keys"])
    for section, keys in schema["sections"].items():
        assert set(packaged.get(section, {})) <= set(keys), section

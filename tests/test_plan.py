"""The district plan as data: the Tân Yên 2021–2025 schedule, targets and budget."""

import pytest
import yaml

from ntmgis.plan import load_plan
from ntmgis.problems import DataError

PLAN = "package:tan_yen_2021_2025"


def test_nang_cao_schedule_reproduces_the_plan():
    schedule = load_plan(PLAN).nang_cao_schedule()
    by_year = schedule.groupby("year")["name"].apply(list).to_dict()
    # Plan section II.2.1, read from the plan text by hand.
    assert by_year == {
        2021: ["Hợp Đức", "Phúc Hòa"],
        2022: ["Phúc Sơn", "Ngọc Châu", "Quế Nham"],
        2023: ["Liên Sơn", "Lam Cốt"],
        2024: ["Ngọc Thiện", "Việt Ngọc"],
        2025: ["Ngọc Vân", "Ngọc Lý"],
    }
    assert len(schedule) == 11


def test_kieu_mau_and_model_villages():
    plan = load_plan(PLAN)
    assert plan.kieu_mau_schedule()[["year", "name"]].values.tolist() == [
        [2023, "Việt Lập"],
        [2024, "Phúc Hòa"],
        [2024, "Hợp Đức"],
    ]
    assert plan.model_villages_by_year().to_dict() == {2021: 11, 2022: 10, 2023: 13, 2024: 6, 2025: 3}


def test_budget_and_markets():
    plan = load_plan(PLAN)
    assert plan.data["budget"]["total"] == 931_359
    assert dict(plan.data["budget"]["parts"]) == {"state_budget": 712_276, "other_sources": 219_083}
    assert len(plan.market_units()) == 8


def test_plan_is_read_only():
    plan = load_plan(PLAN)
    with pytest.raises(TypeError):
        plan.data["budget"]["total"] = 1


def _write(tmp_path, mutate):
    from importlib import resources

    data = yaml.safe_load(
        resources.files("ntmgis").joinpath("plans/tan_yen_2021_2025.yaml").read_text("utf-8")
    )
    mutate(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_inconsistent_budget_is_refused(tmp_path):
    path = _write(tmp_path, lambda d: d["budget"]["parts"].update(state_budget=712_000))
    with pytest.raises(DataError, match="parts add to 931083"):
        load_plan(str(path))


def test_schedule_total_mismatch_is_refused(tmp_path):
    path = _write(tmp_path, lambda d: d["villages"]["model_villages_by_year"]["years"].update({2025: 4}))
    with pytest.raises(DataError, match="years add to 44"):
        load_plan(str(path))


def test_missing_and_unknown_plans_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match="plan file not found"):
        load_plan("nope.yaml", base_dir=tmp_path)
    with pytest.raises(DataError, match="no packaged plan"):
        load_plan("package:other")
    (tmp_path / "bad.yaml").write_text("a: [", encoding="utf-8")
    with pytest.raises(DataError, match="not valid YAML"):
        load_plan("bad.yaml", base_dir=tmp_path)


def test_plan_milestones_are_the_schedules_by_commune_in_year_order():
    """The one milestone rule the engine's summary and the map's year control both read."""
    from ntmgis.criteria import plan_milestones

    plan = load_plan("package:tan_yen_2021_2025")
    milestones = plan_milestones(plan)
    scheduled = set(plan.nang_cao_schedule()["commune_code"]) | set(plan.kieu_mau_schedule()["commune_code"])
    assert set(milestones) == {str(c) for c in scheduled}
    assert milestones["07330"] == [("nang_cao", 2021), ("kieu_mau", 2024)]
    assert all(m == sorted(m, key=lambda x: x[1]) for m in milestones.values())
    rows = len(plan.nang_cao_schedule()) + len(plan.kieu_mau_schedule())
    assert sum(len(m) for m in milestones.values()) == rows

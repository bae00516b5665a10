"""One layout check for every YAML (issue 15 parts 2, 3, 3b): misspelt keys at every level, by kind.

Table-driven: a misspelling inside a layer entry, a scenario edit and a plan commune is reported
with its dotted path and the closest known key; scenario values no plan can mean (negative,
before the plan, after 2100, far outside the district) are refused by ``scenario run`` (exit 2,
nothing written) and reported first by ``validate --scenario``.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest
import yaml

from ntmgis.cli import main
from ntmgis.plan import check_plan
from ntmgis.problems import DataError
from ntmgis.scenario import load_scenarios
from ntmgis.schema import layout, problems_of
from ntmgis.workspace.config import entry_key_problems
from ntmgis.yamlload import load_yaml_text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workspace_builders import write_workspace  # noqa: E402

PLAN = load_yaml_text(
    (Path(__file__).resolve().parents[1] / "ntmgis" / "plans" / "tan_yen_2021_2025.yaml").read_text("utf-8")
)
BASE = {"layers": {"communes": {"path": "c.gpkg"}, "roads": {"path": "r.gpkg"}}}


def _with(config: dict, path: tuple[str, ...], key: str, value: object) -> dict:
    config = copy.deepcopy(config)
    node = config
    for part in path:
        node = node.setdefault(part, {})
    node[key] = value
    return config


@pytest.mark.parametrize(
    ("path", "typo", "meant"),
    [
        (("layers", "roads"), "crs_", "crs"),
        (("layers", "roads"), "colums", "columns"),
        (("layers", "communes"), "yaer", "year"),
        (("layers", "roads", "columns"), "surfac", "surface"),
        (("tables", "commune_status"), "sheeet", "sheet"),
        (("network",), "snapm", "snap_m"),
        (("district",), "provnce", "province"),
        (("unit_costs",), "road", "roads"),
        (("criteria_overrides", "qd318_2022_xa", "2.2", "ntm"), "sorce", "source"),
        ((), "status_yaer", "status_year"),
    ],
)
def test_workspace_misspelt_key_at_any_level_names_its_path_and_the_key_meant(path, typo, meant):
    config = _with(BASE, path, typo, "x")
    problems = [p for p in entry_key_problems(config, file="w") if p.problem == f"unknown key {typo!r}"]
    assert [p.feature for p in problems] == [".".join((*path, typo))]
    assert problems[0].severity == "warning" and f"did you mean {meant!r}" in problems[0].action


@pytest.mark.parametrize(
    ("path", "key", "value", "named"),
    [
        (("layers", "roads"), "year", "next", "layers.roads.year"),
        (("layers", "roads"), "year", 23, "layers.roads.year"),
        (("layers", "roads", "columns"), "surface", ["MAT"], "layers.roads.columns.surface"),
        (
            ("criteria_overrides", "qd318_2022_xa", "2.2"),
            "ntm",
            "eighty",
            "criteria_overrides.qd318_2022_xa.2.2.ntm",
        ),
        (("values", "roads", "surface"), "Bê tông", ["be_tong"], "values.roads.surface.Bê tông"),
        (("commune_groups",), "07330", [1], "commune_groups.07330"),
        (("sample_note",), "vi", 3, "sample_note.vi"),
    ],
)
def test_workspace_wrong_type_deep_down_is_an_error_at_its_path(path, key, value, named):
    errors = [p for p in entry_key_problems(_with(BASE, path, key, value), file="w") if p.severity == "error"]
    assert [p.feature for p in errors] == [named]


def test_the_sample_workspace_and_plan_pass_their_layouts_without_a_word():
    sample = Path(__file__).resolve().parents[1] / "ntmgis" / "datasets" / "tan_yen" / "workspace.yaml"
    assert problems_of(load_yaml_text(sample.read_text("utf-8")), "workspace", file="w") == []
    assert check_plan(PLAN, "plan.yaml") == []


def test_every_layout_file_is_read():
    for kind in ("workspace", "scenario", "scenario_file"):
        assert layout(kind)["type"] == "mapping"


@pytest.mark.parametrize(
    ("change", "named", "meant"),
    [
        (
            lambda p: p["communes"].__setitem__("nang_cao_totl", {"value": 3}),
            "communes.nang_cao_totl",
            "nang_cao_total",
        ),
        (
            lambda p: p["communes"]["nang_cao_total"].__setitem__("vlaue", 3),
            "communes.nang_cao_total.vlaue",
            "value",
        ),
        (
            lambda p: p["communes"]["nang_cao_schedule"]["years"][2021][0].__setitem__("nmae", "x"),
            "communes.nang_cao_schedule.years.2021[0].nmae",
            "name",
        ),
        (
            lambda p: p["sector_targets"][0].__setitem__("uint", "%"),
            "sector_targets.electricity_households.uint",
            "unit",
        ),
        (lambda p: p.__setitem__("budgte", {}), "budgte", "budget"),
    ],
)
def test_plan_misspelt_key_at_any_level_is_a_warning_with_the_key_meant(change, named, meant):
    plan = copy.deepcopy(PLAN)
    change(plan)
    [problem] = check_plan(plan, "plan.yaml")
    assert (problem.feature, problem.severity) == (named, "warning")
    assert f"did you mean {meant!r}" in problem.action


@pytest.mark.parametrize(
    ("body", "named", "said"),
    [
        (
            "name: a\nedits:\n  - concretize: {commune: '07330', yaer: 2024}\n",
            "a: edit 1",
            "did you mean 'year'",
        ),
        (
            "name: a\nedits:\n  - add_market: {id: M9, x: 1, y: 1, comune: '07330'}\n",
            "a: edit 1",
            "'commune'",
        ),
        ("name: a\nedtis: []\n", "a: edtis", "did you mean 'edits'"),
        ("name: a\ndescription: [1]\n", "a: description", "must be text"),
        ("scenarios: [{name: a}]\nscenario: []\n", "scenario", "did you mean 'scenarios'"),
    ],
)
def test_scenario_misspelt_key_is_an_error_naming_scenario_edit_and_field(tmp_path, body, named, said):
    path = tmp_path / "s.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_scenarios(path)
    [problem] = caught.value.problems
    assert problem.feature == named and said in f"{problem.problem} {problem.action}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("schema") / "ws")


EDIT = "name: bad\nedits:\n  - "


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (
            "set_unit_cost: {class: xa, target: be_tong, million_vnd_per_km: -3000}",
            "million_vnd_per_km must be between 0",
        ),
        (
            "set_threshold: {set: qd318_2022_xa, indicator: '2.2', level: ntm, value: -5}",
            "value must be between 0",
        ),
        ("upgrade_market: {id: M1, year: 2019}", "year 2019 is before 2021"),
        ("concretize: {commune: '07330', year: 2150}", "year must be between 1900 and 2100"),
        ("add_market: {id: M9, x: -400000, y: 2358000, commune: '07330'}", "km outside the district"),
    ],
)
def test_scenario_values_no_plan_can_mean_are_exit_2_and_nothing_is_written(
    workspace, tmp_path, edit, said, capsys
):
    path = tmp_path / "s.yaml"
    path.write_text(EDIT + edit + "\n", encoding="utf-8")
    out = tmp_path / "out" / "c.xlsx"
    code = main(["scenario", "run", str(path), str(workspace), "--out", str(out), "-q", "--lang", "en"])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err
    assert said in captured.out + captured.err and "bad: edit 1" in captured.out + captured.err
    assert not out.parent.exists() or not any(out.parent.iterdir())
    # validate reports the same before any run
    assert main(["validate", str(workspace), "--scenario", str(path), "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert said in captured.out + captured.err and "Traceback" not in captured.err


def test_validate_with_a_good_scenario_file_stays_clean(workspace, tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(EDIT + "concretize: {commune: '07330', year: 2024}\n", encoding="utf-8")
    assert main(["validate", str(workspace), "--scenario", str(path), "--lang", "en"]) == 0
    assert "scenario" not in capsys.readouterr().out.replace("scenario run", "")


def test_scenario_layout_refuses_an_unknown_key_rather_than_run_without_it(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        yaml.safe_dump({"name": "a", "edit": [{"upgrade_market": {"id": "M1"}}]}), encoding="utf-8"
    )
    with pytest.raises(DataError, match="edit"):
        load_scenarios(path)

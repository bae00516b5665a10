"""Fuzzing of what users type (issue 15 part 6): workspace.yaml shapes, plan and scenario YAML, status tables.

- workspace.yaml: random types at every key and random nesting, through
  :func:`ntmgis.workspace.inspect_workspace` (never raises) and :func:`load_workspace` (only
  :class:`~ntmgis.problems.DataError`);
- the status reader (long and wide forms): random headers, cells, blanks as merged cells leave
  them, codes that lost their zeros: only DataError, and every input row is read or reported.
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ntmgis.io.status import status_from_frame
from ntmgis.plan import check_plan, load_plan
from ntmgis.problems import DataError, Problem
from ntmgis.scenario import load_scenarios
from ntmgis.scenario.yaml import _YAML_EDITS, scenario_value_problems
from ntmgis.values import is_missing
from ntmgis.workspace import inspect_workspace, load_workspace
from ntmgis.workspace.config import _check_config, entry_key_problems
from ntmgis.yamlload import load_yaml_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from make_corpus import WORKSPACE_KEYS  # noqa: E402
from workspace_builders import PLAN_CODES, grid_communes, write_workspace  # noqa: E402

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
#: Keys below the top level the readers look into.
NESTED = (
    ("district", "name"),
    ("district", "kind"),
    ("district", "province"),
    ("layers", "communes"),
    ("layers", "roads"),
    ("layers", "markets"),
    ("tables", "commune_status"),
    ("network", "node"),
    ("network", "snap_m"),
    ("values", "roads"),
    ("criteria_overrides", "qd318_2022_xa"),
)
ENTRY_KEYS = ("path", "layer", "crs", "columns", "year", "sheet", "level")
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("fuzz") / "ws", extra={"plan": None})


def _write(base: Path, config: dict, n: list[int]) -> Path:
    n[0] += 1
    path = base.parent / f"fuzz_{n[0]}.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


_COUNTER = [0]


@FUZZ
@given(
    top=st.dictionaries(st.sampled_from(WORKSPACE_KEYS), VALUES, max_size=3),
    nested=st.dictionaries(st.sampled_from(NESTED), VALUES, max_size=2),
    entry=st.dictionaries(st.sampled_from(ENTRY_KEYS), VALUES, max_size=2),
)
def test_workspace_yaml_of_any_shape_is_problems_never_an_exception(base, top, nested, entry):
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    config.update(top)
    for (key, sub), value in nested.items():
        if isinstance(config.get(key), dict):
            config[key][sub] = value
    if isinstance(config.get("layers"), dict) and isinstance(config["layers"].get("roads"), dict):
        config["layers"]["roads"].update(entry)
    path = _write(base, config, _COUNTER)
    try:
        workspace, report = inspect_workspace(path)
        assert workspace is not None or report.errors
        try:
            load_workspace(path)
        except DataError as exc:
            assert exc.problems
    finally:
        path.unlink()


# --------------------------------------------------------------------------------------------
# The status reader
# --------------------------------------------------------------------------------------------

UNITS = pd.DataFrame(grid_communes().drop(columns="geometry"))
CODES = sorted(PLAN_CODES)
CELLS = st.one_of(
    st.none(),
    st.sampled_from(
        ["Đạt", "đạt", "x", "✓", "Chưa đạt", "", " ", "64 %", "Đạt (2022)", "=A1", "#N/A", "1", "0"]
    ),
    st.sampled_from(CODES),
    st.sampled_from(CODES).map(lambda c: int(c)),  # the zero lost
    st.sampled_from(list(PLAN_CODES.values())),
    st.integers(-5, 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
)
HEADERS = st.one_of(
    st.sampled_from(
        ["Mã xã", "Tên xã", "commune_code", "criterion", "met", "year", "Năm", "Mức", "Ghi chú", "STT"]
        + ["1", "2", "2.1", "TC 3", "Tiêu chí 4", "5. Trường học", "19", "20", "Unnamed: 3"]
    ),
    st.text(max_size=6),
)


@st.composite
def status_frames(draw: st.DrawFn) -> pd.DataFrame:
    headers = draw(st.lists(HEADERS, min_size=1, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(headers), max_size=len(headers)), max_size=8))
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    if draw(st.booleans()) and len(frame) > 1:  # a merged cell: the rows below read blank
        frame.iloc[1:, 0] = None
    return frame


_ROW = re.compile(r"row (\d+)|\b[A-Z]{1,3}(\d+)\b")


def _rows_named(text: str) -> set[int]:
    return {int(a or b) for a, b in _ROW.findall(text)}


@settings(max_examples=150, deadline=None)
@given(raw=status_frames(), year=st.none() | st.just(2023))
# Found by hypothesis (wave 1): a row naming a commune whose verdict cells are all blank was
# neither read nor reported.
@example(raw=pd.DataFrame([["07312", "ntm", None]], columns=["Mã xã", "Mức", "1"], dtype=object), year=2023)
@example(raw=pd.DataFrame([["07312", None, " "]], columns=["Mã xã", "Mức", "1"], dtype=object), year=2023)
@example(
    raw=pd.DataFrame([["07312", "1", None]], columns=["commune_code", "criterion", "met"], dtype=object),
    year=2023,
)
# and a year too large for an integer column crashed the reader (wave 2)
@example(
    raw=pd.DataFrame([["07306", 1.8446744073709552e19, "Đạt"]], columns=["Mã xã", "year", "1"], dtype=object),
    year=None,
)
def test_status_reader_reads_or_reports_every_row(raw, year):
    try:
        read = status_from_frame(raw, units=UNITS, unit="commune", file="s.csv", year=year)
    except DataError as exc:
        assert exc.problems
        return
    read_rows = set().union(*(_rows_named(str(c)) for c in read.frame["cell"])) if len(read.frame) else set()
    reported = (
        set().union(*(_rows_named(f"{p.feature} {p.problem}") for p in read.problems))
        if read.problems
        else set()
    )
    # an error refuses the table (its header row is named); a warning naming no row is of the whole table
    whole_table = any(
        p.severity == "error" or (not _rows_named(p.feature) and p.severity == "warning")
        for p in read.problems
    )
    for label, row in raw.iterrows():
        if all(is_missing(v) or (isinstance(v, str) and not v.strip()) for v in row.tolist()):
            continue  # a blank row holds nothing to lose
        sheet_row = int(label) + 2
        assert sheet_row in read_rows or sheet_row in reported or whole_table, (sheet_row, raw, read.problems)


# --------------------------------------------------------------------------------------------
# Plan and scenario YAML, and workspace keys at every depth (the layouts of ntmgis/schemas/)
# --------------------------------------------------------------------------------------------

PLAN = load_yaml_text(
    (Path(__file__).resolve().parents[1] / "ntmgis" / "plans" / "tan_yen_2021_2025.yaml").read_text("utf-8")
)
#: A workspace config with a mapping at every nesting the layout knows.
DEEP = {
    "name": "x",
    "district": {"name": "Thử", "kind": "huyen"},
    "sample_note": {"vi": "a", "en": "b"},
    "layers": {
        "communes": {"path": "communes.gpkg", "columns": {"name": "TEN"}},
        "roads": {"path": "roads.gpkg", "crs": "EPSG:9214", "columns": {"surface": "MAT"}},
    },
    "tables": {"commune_status": {"path": "s.csv", "year": 2023}},
    "network": {"node": True, "snap_m": 2},
    "unit_costs": {"roads": "don_gia.csv"},
    "criteria_overrides": {"qd318_2022_xa": {"2.2": {"ntm": {"value": 80, "source": "QĐ"}}}},
    "values": {"roads": {"surface": {"Bê tông": "be_tong"}}},
    "commune_groups": {"07330": "nhom_1"},
}
#: The closed mappings of DEEP (an added key there is unknown), each at depth ≥ 1.
CLOSED = (
    ("district",),
    ("sample_note",),
    ("layers", "communes"),
    ("layers", "roads"),
    ("layers", "roads", "columns"),
    ("tables", "commune_status"),
    ("network",),
    ("unit_costs",),
    ("criteria_overrides", "qd318_2022_xa", "2.2", "ntm"),
)
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)


def _key_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    """The path of every key and list item of ``node``."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    paths = []
    for key, value in items:
        paths.append((*prefix, key))
        paths.extend(_key_paths(value, (*prefix, key)))
    return paths


def _replaced(node: object, path: tuple, value: object) -> object:
    node = copy.deepcopy(node)
    parent = node
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return node


@settings(max_examples=200, deadline=None)
@given(data=st.data(), value=VALUES)
def test_workspace_layout_of_any_type_at_any_key_is_problems(data, value):
    path = data.draw(st.sampled_from(_key_paths(DEEP)))
    config = _replaced(DEEP, path, value)
    problems = entry_key_problems(config, file="w")
    assert all(isinstance(p, Problem) for p in problems)
    try:
        _check_config(config, file="w")
    except DataError as exc:
        assert exc.problems


@settings(max_examples=200, deadline=None)
@given(where=st.sampled_from(CLOSED), word=WORDS, value=VALUES)
def test_unknown_keys_at_depth_two_and_more_are_reported_with_their_path(where, word, value):
    key = f"zz{word}"  # never a known key
    config = _replaced(DEEP, (*where, key), value)
    unknown = [p for p in entry_key_problems(config, file="w") if p.problem == f"unknown key {key!r}"]
    assert [(p.feature, p.severity) for p in unknown] == [(".".join((*where, key)), "warning")]


@FUZZ
@given(data=st.data(), value=VALUES)
def test_workspace_of_any_type_deep_down_is_problems_never_an_exception(base, data, value):
    config = yaml.safe_load(base.read_text(encoding="utf-8"))
    config["layers"]["roads"] = {"path": "roads.gpkg", "columns": {"surface": "surface"}}
    config["network"] = {"node": False, "snap_m": 2}
    path = data.draw(st.sampled_from([p for p in _key_paths(config) if len(p) >= 2]))
    written = _write(base, _replaced(config, path, value), _COUNTER)
    try:
        workspace, report = inspect_workspace(written)
        assert workspace is not None or report.errors
    finally:
        written.unlink()


def test_a_target_list_of_another_type_is_a_problem_not_a_type_error():
    # Regression (hypothesis, 2026-12-02): ``district_nang_cao_targets: true`` raised TypeError in
    # the unit check, which iterated the value before the structure check's problem was returned.
    for group in ("sector_targets", "district_nang_cao_targets"):
        for value in (True, 7, 1.5):
            plan = copy.deepcopy(PLAN)
            plan[group] = value
            problems = check_plan(plan, "plan.yaml", communes=PLAN_CODES)
            assert any(group in p.text("en")[0] for p in problems), (group, value)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), value=VALUES)
def test_plan_of_any_type_at_any_key_is_problems_never_an_exception(data, value, tmp_path_factory):
    path = data.draw(st.sampled_from(_key_paths(PLAN)))
    plan = _replaced(PLAN, path, value)
    assert all(isinstance(p, Problem) for p in check_plan(plan, "plan.yaml", communes=PLAN_CODES))
    file = tmp_path_factory.mktemp("plan") / "plan.yaml"
    file.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    try:
        load_plan(str(file), communes=PLAN_CODES)
    except DataError as exc:
        assert exc.problems


_FIELDS = sorted({field for _cls, names in _YAML_EDITS.values() for field in names} | {"yaer", "comune"})
EDITS = st.lists(
    VALUES
    | st.builds(
        lambda kind, fields: {kind: fields},
        st.sampled_from([*_YAML_EDITS, "bogus"]),
        st.dictionaries(st.sampled_from(_FIELDS), VALUES | st.integers(1800, 2300), max_size=4),
    ),
    max_size=4,
)
SCENARIO = st.fixed_dictionaries(
    {"name": st.text(max_size=5) | VALUES},
    optional={
        "as_of": VALUES | st.integers(1800, 2300),
        "description": VALUES,
        "edits": EDITS | VALUES,
        "edtis": VALUES,
    },
)
SCENARIO_FILES = SCENARIO | st.fixed_dictionaries(
    {"scenarios": st.lists(SCENARIO | VALUES, max_size=3) | VALUES}, optional={"scenario": VALUES}
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=SCENARIO_FILES | VALUES)
def test_scenario_yaml_of_any_shape_is_scenarios_or_data_error(doc, tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        scenarios = load_scenarios(file)
    except DataError as exc:
        assert exc.problems
        return
    problems = scenario_value_problems(scenarios, source="s", first_year=2021, bounds=(0.0, 0.0, 1e4, 1e4))
    assert all(p.severity == "error" for p in problems)
    # what was read holds no field the file misspelt
    assert "edtis" not in (doc if isinstance(doc, dict) else {})

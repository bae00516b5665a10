"""Every YAML the tool reads goes through one loader with a size/alias/depth budget (issue 15 part 2).

A "billion laughs" (anchors and aliases expanding a name), a 20 MB file, deep nesting, a recursive
alias and ``!!python/object`` tags are refused as one Problem naming the file, what was exceeded
and the limit: exit 2 in well under a second, never a traceback; ordinary files load as before.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
import yaml

from ntmgis.cli import main
from ntmgis.io import read_yaml
from ntmgis.problems import DataError
from ntmgis.yamlload import MAX_BYTES, MAX_DEPTH, MAX_EXPANDED_NODES, YamlBudgetError, load_yaml_text

ROOT = Path(__file__).resolve().parents[1]
MEMORY_CAP = 1 << 30  # 1 GB: a regression fails (MemoryError) instead of swapping for a minute


def _bomb(levels: int = 9, width: int = 9, key: str = "lol") -> str:
    """9 levels of 9 aliases: ~400 million nodes once expanded, from ~1 kB of text."""
    lines = [f"{key}0: &{key}0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [
        f"{key}{i}: &{key}{i} [" + ", ".join([f"*{key}{i - 1}"] * width) + "]" for i in range(1, levels + 1)
    ]
    return "\n".join(lines) + "\n"


def _deep(depth: int) -> str:
    return "x: " + "[" * depth + "1" + "]" * depth + "\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("yaml_budget") / "ws"
    assert main(["sample", "--out", str(folder)]) == 0
    return folder


def _variant(workspace: Path, tmp_path: Path, text: str) -> Path:
    """A copy of the sample's workspace.yaml (same layer paths) with ``text`` as its end."""
    original = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    file = workspace / f"ws_{tmp_path.name}.yaml"
    file.write_text(original + text, encoding="utf-8")
    return file


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


#: Runs each command of argv[1] (JSON) with ``ntmgis.cli.main``, timed without the start-up imports.
_CHILD = """
import json, sys, time
from ntmgis.cli import main
for args in json.loads(sys.argv[1]):
    print("COMMAND", args[0], file=sys.stderr, flush=True)
    start = time.perf_counter()
    code = main(args)
    print("RESULT", json.dumps([code, time.perf_counter() - start]), flush=True)
"""


def _run_capped(commands: list[list[str]]) -> tuple[list[tuple[int, float]], list[str]]:
    """Exit code and seconds of each command, and its stderr, in one child capped at 1 GB."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(commands)],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=_cap_memory,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    outcomes = [
        json.loads(line.split(" ", 1)[1]) for line in result.stdout.splitlines() if line.startswith("RESULT ")
    ]
    errs = result.stderr.split("COMMAND ")[1:]
    assert len(outcomes) == len(errs) == len(commands), result.stderr[-2000:]
    return [(int(code), float(seconds)) for code, seconds in outcomes], errs


# The loader
# --------------------------------------------------------------------------------------------


def test_billion_laughs_refused_in_well_under_a_second():
    start = time.perf_counter()
    with pytest.raises(YamlBudgetError, match="aliases expand to more than") as caught:
        load_yaml_text(_bomb())
    assert time.perf_counter() - start < 1
    assert caught.value.limit == f"{MAX_EXPANDED_NODES:,} nodes"


def test_a_few_aliases_load_as_shared_values():
    assert load_yaml_text("a: &x {op: '==', value: true}\nb: [*x, *x]") == {
        "a": {"op": "==", "value": True},
        "b": [{"op": "==", "value": True}] * 2,
    }


def test_recursive_alias_refused():
    with pytest.raises(YamlBudgetError, match="nesting deeper"):
        load_yaml_text("a: &a [1, *a]")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 5000, 200_000])
def test_deep_nesting_refused(depth: int):
    with pytest.raises(YamlBudgetError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        load_yaml_text(_deep(depth))


def test_block_nesting_refused_and_within_depth_loads():
    block = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    with pytest.raises(YamlBudgetError, match="nesting deeper"):
        load_yaml_text(block)
    assert load_yaml_text(_deep(MAX_DEPTH - 2)) == yaml.safe_load(_deep(MAX_DEPTH - 2))


def test_python_tags_refused():
    for text in (
        "!!python/object/apply:os.system ['echo hacked']",
        "a: !!python/object:collections.OrderedDict {}",
        "!!python/name:os.system",
    ):
        with pytest.raises(yaml.YAMLError, match="python/"):
            load_yaml_text(text)


def test_large_file_refused_before_parsing(tmp_path: Path):
    file = tmp_path / "big.yaml"
    file.write_text("a: " + "x" * (20 * 1024 * 1024) + "\n", encoding="utf-8")
    start = time.perf_counter()
    data, (problem,) = read_yaml(file, layer="scenario")
    assert time.perf_counter() - start < 1
    assert data is None and problem.file == str(file) and problem.severity == "error"
    assert "too large" in problem.problem and f"limit {MAX_BYTES:,} bytes" in problem.problem
    with pytest.raises(YamlBudgetError, match="too large"):
        load_yaml_text("a: " + "x" * (MAX_BYTES + 1))


def test_read_yaml_names_the_file_and_the_limit(tmp_path: Path):
    file = tmp_path / "bomb.yaml"
    file.write_text(_bomb(), encoding="utf-8")
    data, (problem,) = read_yaml(file, layer="criteria")
    assert data is None and problem.file == str(file) and problem.layer == "criteria"
    assert problem.problem == f"YAML refused: aliases expand to more than {MAX_EXPANDED_NODES:,} nodes " + (
        f"(limit {MAX_EXPANDED_NODES:,} nodes)"
    )


PACKAGED_YAML = sorted(str(p.relative_to(ROOT / "ntmgis")) for p in (ROOT / "ntmgis").rglob("*.yaml"))


@pytest.mark.parametrize("name", PACKAGED_YAML)
def test_packaged_yaml_loads_exactly_as_before(name: str):
    text = resources.files("ntmgis").joinpath(name).read_text(encoding="utf-8")
    assert load_yaml_text(text) == yaml.safe_load(text)


def test_sample_workspace_loads_exactly_as_before(workspace: Path):
    text = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    assert load_yaml_text(text) == yaml.safe_load(text)
    assert len(PACKAGED_YAML) >= 20


# --------------------------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------------------------


def test_bombs_exit_2_fast_in_every_command(workspace: Path, tmp_path: Path):
    """workspace.yaml, plan and scenario bombs: exit 2 in < 5 s each (< 1 s here), memory capped at 1 GB."""
    bomb = _variant(workspace, tmp_path, _bomb())
    plan = workspace / f"plan_{tmp_path.name}.yaml"
    plan.write_text("id: bomb\nperiod: [2021, 2025]\n" + _bomb(), encoding="utf-8")
    original = (workspace / "workspace.yaml").read_text(encoding="utf-8")
    with_plan = workspace / f"ws_plan_{tmp_path.name}.yaml"
    with_plan.write_text(
        original.replace("plan: package:tan_yen_2021_2025", f"plan: {plan.name}"), encoding="utf-8"
    )
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: bomb\n" + _bomb(), encoding="utf-8")
    out = tmp_path / "out"
    cases = [
        (["validate", str(bomb), "--lang", "en"], bomb),
        (["map", str(bomb), "-o", str(out / "m.html"), "-q", "--lang", "en"], bomb),
        (["report", str(bomb), "-o", str(out / "r.xlsx"), "-q", "--lang", "en"], bomb),
        (["report", str(with_plan), "-o", str(out / "p.xlsx"), "-q", "--lang", "en"], plan),
        (["map", str(with_plan), "-o", str(out / "p.html"), "-q", "--lang", "en"], plan),
        (
            [
                *("scenario", "run", str(scenario), str(workspace), "-o", str(out / "s.xlsx")),
                *("-q", "--no-map", "--lang", "en"),
            ],
            scenario,
        ),
    ]
    outcomes, errs = _run_capped([args for args, _ in cases])
    for (args, file), (code, seconds), err in zip(cases, outcomes, errs, strict=True):
        assert code == 2, (args, err)
        assert seconds < 5, f"{args[0]} refused after {seconds:.1f} s"
        assert file.name in err and "aliases expand to more than" in err and "(limit " in err, err
    assert not out.exists() or not any(out.iterdir())


def test_workspace_deep_nesting_exit_2(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    file = _variant(workspace, tmp_path, "deep_" + _deep(5000))
    assert main(["validate", str(file), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and file.name in err and f"nesting deeper than {MAX_DEPTH} levels" in err


def test_workspace_python_tag_exit_2(workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    marker = tmp_path / "ran"
    file = _variant(workspace, tmp_path, f"x: !!python/object/apply:os.system ['touch {marker}']\n")
    assert main(["validate", str(file)]) == 2
    assert "python/object" in capsys.readouterr().err and not marker.exists()


def test_criteria_set_bomb_is_a_data_error(tmp_path: Path):
    from ntmgis.criteria.sets import load_criteria_set

    file = tmp_path / "criteria.yaml"
    file.write_text(_bomb(), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_criteria_set(str(file))
    (problem,) = caught.value.problems
    assert problem.file == str(file) and "aliases expand" in problem.problem

"""The hostile-input corpus (issue 15 part 6): every case of ``tools/make_corpus.py`` through every command.

Each case is a small workspace with one defect, built at the start of the session (nothing is
downloaded or committed). For every case and command: the expected exit code (never 3, never a
traceback), a message naming the defect, nothing dropped silently (features in the file = features
kept + features the problems table says were left out), the workspace byte-identical before and after,
and no temporary or hidden file left in the workspace or the output folder.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from ntmgis.cli import main
from ntmgis.workspace import inspect_workspace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import make_corpus  # noqa: E402
from make_corpus import CASES, SCRIPT, Case  # noqa: E402

#: Cases the code still fails, with the exact failure (each is a bug left for later).
XFAIL: dict[str, str] = {}


def _params() -> list[object]:
    marks = {name: pytest.mark.xfail(strict=True, reason=reason) for name, reason in XFAIL.items()}
    return [pytest.param(case, id=case.name, marks=marks.get(case.name, ())) for case in CASES]


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case built once: name -> workspace.yaml."""
    root = tmp_path_factory.mktemp("corpus")
    return {case.name: make_corpus.build_case(case, root) for case in CASES}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _leftovers(folder: Path) -> list[str]:
    return [
        str(p)
        for p in folder.rglob("*")
        if p.name.startswith(".") or p.suffix in (".tmp", ".part") or ".tmp" in p.name
    ]


def _command(name: str, yaml_path: Path, out: Path) -> list[str]:
    if name == "validate":
        return ["validate", str(yaml_path), "--lang", "en", "--out", str(out / "problems.csv")]
    if name == "map":
        return ["map", str(yaml_path), "-q", "--lang", "en", "--out", str(out / "map.html")]
    if name == "report":
        return ["report", str(yaml_path), "-q", "--lang", "en", "-o", str(out / "r.xlsx"), "--as-of", "2024"]
    scenario = out.parent / "scenario.yaml"
    scenario.write_text(f"name: {SCRIPT!r}\nedits: []\n", encoding="utf-8")
    return [
        "scenario",
        "run",
        str(scenario),
        str(yaml_path),
        "-q",
        "--lang",
        "en",
        "--out",
        str(out / "s.xlsx"),
    ]


def _features_in(file: Path) -> int:
    if file.suffix == ".csv":
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    return int(pyogrio.read_info(file)["features"])


def _left_out(problems_csv: Path, layer: str) -> int:
    with problems_csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sum(int(r["count"]) for r in rows if r["layer"] == layer and "left out" in r["action"])


def _check_counts(case: Case, yaml_path: Path, out: Path) -> None:
    assert case.counted is not None
    layer, file, dropped = case.counted
    workspace, _ = inspect_workspace(yaml_path)
    assert workspace is not None
    kept = len(workspace.layer(layer))
    reported = _left_out(out / "problems.csv", layer)
    assert (_features_in(yaml_path.parent / file), reported) == (kept + reported, dropped)
    if (out / "map.html").exists():  # the map shows every feature kept (no silent drop on the page)
        assert _map_features(out / "map.html").get(layer) == kept


def _map_features(page: Path) -> dict[str, int]:
    """Features per layer id in the data a planner map embeds."""
    found = re.search(
        r'<script type="application/json" id="ntmgis-data">(.*?)</script>', page.read_text(), re.S
    )
    assert found is not None
    return {layer["id"]: len(layer["keys"]) for layer in json.loads(found.group(1))["layers"]}


@pytest.mark.parametrize("case", _params())
def test_corpus_case(case: Case, corpus: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    yaml_path = corpus[case.name]
    before = _digest(yaml_path.parent)
    out = tmp_path / "out"
    for command in case.commands:
        code = main(_command(command, yaml_path, out))
        captured = capsys.readouterr()
        message = captured.out + captured.err
        assert "Traceback" not in message, (command, message)
        assert code == case.exits.get(command, case.exit), (command, message[-3000:])
        if command == "validate" or code == 2:
            assert case.says in message, (command, message[-3000:])
        assert _digest(yaml_path.parent) == before, command
        assert _leftovers(yaml_path.parent) == [] and _leftovers(tmp_path) == [], command
    if case.counted:
        _check_counts(case, yaml_path, out)
    assert not (yaml_path.parent / "pwned.txt").exists()


def test_corpus_is_deterministic(tmp_path: Path):
    """Two builds of a case give the same bytes for every text file (GeoPackages carry a timestamp)."""
    start = time.perf_counter()
    for case in CASES[:25]:
        first = make_corpus.build_case(case, tmp_path / "a")
        second = make_corpus.build_case(case, tmp_path / "b")
        texts = [p for p in first.parent.rglob("*") if p.suffix in (".yaml", ".csv", ".prj", ".cpg")]
        for path in texts:
            assert path.read_bytes() == (second.parent / path.relative_to(first.parent)).read_bytes()
    assert time.perf_counter() - start < 60

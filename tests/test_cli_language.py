"""``ntmgis validate`` speaks Vietnamese by default (issue 14 part 4): its problem lines on bad workspaces
of the hostile-input corpus (``tools/make_corpus.py``) carry no English word, by the detector of
``test_output_language.py`` (names of the sample's places left out).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml
from test_output_language import _names, foreign_words

import ntmgis
from ntmgis.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import make_corpus  # noqa: E402

#: Cases whose problems come from readers, validators and the status tables: a missing coordinate
#: (``row 3``), codes that lost their zeros, a legacy-encoded CSV, a layer without a CRS, duplicate
#: ids, misspelt keys of workspace.yaml, control characters.
CASES = (
    "nan_coordinates",
    "codes_lost_zeros",
    "cp1258_csv",
    "shapefile_without_crs",
    "duplicate_ids",
    "misspelt_nested_keys",
    "control_characters",
)

#: TEMPORARY (issue 14.4, wave 2): English texts of files the helper probtext2a converts at the same
#: time as probtext2b (workspace/*, validate.py, schema.py, crosswalk.py): each is an exact problem or
#: action text that still reaches the Vietnamese lines. The lead empties this set after merging both.
UNTIL_PROBTEXT2A_IS_MERGED: frozenset[str] = frozenset()  # emptied once both branches merged

#: Code the officer types, not words: an inline YAML mapping (``network: {node: true, snap_m: 2}``),
#: a column of the layer contracts named alone in brackets (``(name)``).
_YAML_SNIPPET = re.compile(r"[\w.]+: \{[^{}]*\}")


@cache
def _columns() -> re.Pattern[str]:
    contracts = yaml.safe_load((Path(ntmgis.__file__).parent / "contracts.yaml").read_text(encoding="utf-8"))
    columns = {str(c) for spec in contracts["layers"].values() for c in spec.get("types", {})}
    return re.compile(r"\((?:" + "|".join(sorted(map(re.escape, columns))) + r")\)")


#: Also code: text in backticks or quotes (a key or value as typed), a bracketed list
#: (``['surface']``), a key path in parentheses (``(layers.roads.columns.surfac)``).
_QUOTED = re.compile(r"`[^`]*`|'[^']*'|\[[^\]]*\]|\([\w.]+\)")


def _code_removed(line: str) -> str:
    text = _columns().sub(" ", _YAML_SNIPPET.sub(" ", _QUOTED.sub(" ", line)))
    return _column_words().sub(" ", text)


@cache
def _column_words() -> re.Pattern[str]:
    """A column of the layer contracts (or ``geometry``) named in a list of the columns present."""
    contracts = yaml.safe_load((Path(ntmgis.__file__).parent / "contracts.yaml").read_text(encoding="utf-8"))
    columns = {str(c) for spec in contracts["layers"].values() for c in spec.get("types", {})} | {"geometry"}
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, columns))) + r")\b")


def _validate_lines(case_name: str, root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    (case,) = [c for c in make_corpus.CASES if c.name == case_name]
    workspace = make_corpus.build_case(case, root)
    capsys.readouterr()
    assert main(["validate", str(workspace)]) == case.exit
    captured = capsys.readouterr()
    return (captured.out + captured.err).splitlines()


@pytest.mark.parametrize("case_name", CASES)
def test_validate_lines_are_vietnamese(case_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    names = _names()
    found = []
    for line in _validate_lines(case_name, tmp_path, capsys):
        text = line
        for allowed in UNTIL_PROBTEXT2A_IS_MERGED:
            text = text.replace(allowed, " ")
        text = _code_removed(text)
        bad = foreign_words(text, "vi", names)
        if bad:
            found.append(f"{line!r} ({', '.join(bad)})")
    assert not found, f"{case_name}: {len(found)} lines not in Vietnamese:\n" + "\n".join(found)


def test_the_scan_finds_an_english_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    lines = []
    (case,) = [c for c in make_corpus.CASES if c.name == "nan_coordinates"]
    workspace = make_corpus.build_case(case, tmp_path)
    capsys.readouterr()
    main(["validate", str(workspace), "--lang", "en"])
    captured = capsys.readouterr()
    lines = (captured.out + captured.err).splitlines()
    assert any(foreign_words(line, "vi", _names()) for line in lines)  # English lines are caught

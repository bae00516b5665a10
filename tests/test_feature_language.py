"""Where a problem is (``Problem.feature``) and a refusal's header follow ``--lang`` (issue 14/15):
``validate --out problems.csv`` writes ``dòng 3`` in Vietnamese (the default) and ``row 3`` with
``--lang en``; ids in the feature (``market_id=M2``) stay as written; a :class:`DataError`'s header
is in the language asked for.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from ntmgis.cli import main
from ntmgis.problems import DataError, Problem, ProblemReport

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import make_corpus  # noqa: E402

#: The English words of place a feature is written with where it is made.
ENGLISH_PLACE = ("row", "rows", "cell", "cells", "feature", "features", "edit", "gap", "near")


def _workspace(name: str, root: Path) -> Path:
    (case,) = [c for c in make_corpus.CASES if c.name == name]
    return make_corpus.build_case(case, root)


def _features(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return [row["feature"] for row in csv.DictReader(handle)]


def _english(feature: str) -> list[str]:
    return [
        w for w in feature.replace(";", " ").replace("(", " ").replace(")", " ").split() if w in ENGLISH_PLACE
    ]


@pytest.mark.parametrize(("lang", "english"), [("vi", False), ("en", True)])
def test_validate_csv_features_follow_the_language(lang: str, english: bool, tmp_path: Path):
    workspace = _workspace("nan_coordinates", tmp_path)
    out = tmp_path / "p.csv"
    args = ["validate", str(workspace), "--out", str(out)] + (["--lang", "en"] if lang == "en" else [])
    assert main(args) == 0
    features = _features(out)
    assert "market_id=M2 (feature 2)" in features if english else "market_id=M2 (đối tượng 2)" in features
    assert ("row 3" in features) is english
    assert ("dòng 3" in features) is not english
    found = [w for f in features for w in _english(f)]
    assert bool(found) is english, found


def test_feature_text_keeps_ids():
    p = Problem.of("problems.file_not_found", feature="segment_id=R001 (feature 4); rows 2-5")
    assert p.feature_text("vi") == "segment_id=R001 (đối tượng 4); các dòng 2-5"
    assert p.feature_text("en") == p.feature
    assert Problem.of("problems.file_not_found", feature="row_id=7").feature_text("vi") == "row_id=7"


def test_gap_feature_in_vietnamese():
    p = Problem.of("problems.file_not_found", feature="gap 2 near x=512034, y=2301877")
    assert p.feature_text("vi") == "khe hở 2 gần x=512034, y=2301877"


def test_line_and_frame_name_the_feature_in_the_language():
    p = Problem.of(
        "problems.file_not_found", file="m.csv", layer="markets", feature="row 3", severity="error"
    )
    assert "dòng 3" in p.line("vi") and "row 3" not in p.line("vi")
    assert "row 3" in p.line("en")
    frame = ProblemReport((p,)).to_frame("vi")
    assert frame["feature"].tolist() == ["dòng 3"]


def test_data_error_header_in_the_language():
    err = DataError([Problem.of("problems.file_not_found", severity="error")])
    assert err.header("en") == "1 error(s) in input data"
    assert err.header("vi") == "1 lỗi trong dữ liệu đầu vào"
    assert str(err).splitlines()[0] == err.header("en")


@pytest.mark.parametrize(("lang", "header"), [("vi", "dữ liệu đầu vào không dùng được"), ("en", "bad input")])
def test_refused_workspace_header_follows_the_language(
    lang: str, header: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    workspace = _workspace("duplicate_ids", tmp_path)
    capsys.readouterr()
    args = ["map", str(workspace), "--out", str(tmp_path / "m.html")] + (
        ["--lang", "en"] if lang == "en" else []
    )
    assert main(args) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first == f"ntmgis map: {header}"

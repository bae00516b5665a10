"""The maps' words: every key the map code reads exists in catalogue/map.yaml in both languages,
and the maps import nothing from stage 3 (analysis, criteria) but read the Assessment."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ntmgis.labels import LANGUAGES, words
from ntmgis.maps import page, styles
from ntmgis.values import is_missing

MAPS = Path(__file__).resolve().parents[1] / "ntmgis" / "maps"


def _is_words_call(node: ast.AST) -> bool:
    """``ui(lang)`` or ``words("map", lang)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        return False
    if node.func.id == "ui":
        return True
    return node.func.id == "words" and bool(node.args) and getattr(node.args[0], "value", None) == "map"


def _literal_keys() -> set[tuple[str, str]]:
    """(file, key) of every ``t["key"]``, ``ui(lang)["key"]``, ``words("map", lang)["key"]``."""
    found = set()
    for path in MAPS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Constant):
                continue
            if (isinstance(node.value, ast.Name) and node.value.id == "t") or _is_words_call(node.value):
                found.add((path.name, str(node.slice.value)))
    return found


def test_the_scan_sees_the_planner_words():
    keys = {key for _, key in _literal_keys()}
    assert {"communes", "title", "criteria_of", "level_legend", "commune_title"} <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_literal_key_is_in_map_yaml(lang):
    entries = words("map", lang)
    missing = sorted((f, k) for f, k in _literal_keys() if k not in entries)
    assert not missing


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_class_code_with_a_colour_has_words(lang):
    # Legends label these codes with t[code]; a code with a colour but no words would be a KeyError.
    entries = words("map", lang)
    codes = {*styles.VERDICT, *styles.SCHEDULE, *styles.MARKET, *styles.CANAL, *styles.ZONE}
    assert sorted(codes - set(entries)) == []


def test_page_words_are_the_prefixed_entries():
    vi, en = page._page_words("vi"), page._page_words("en")
    assert set(vi) == set(en) and {"noscript", "search", "layers_title"} <= set(vi)
    assert vi["search"] == "Tìm xã, thôn"


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        (None, True),
        (float("nan"), True),
        (np.nan, True),
        (pd.NA, True),
        (pd.NaT, True),
        ("", True),
        ("  \t", True),
        (0, False),
        (0.0, False),
        (False, False),
        ("Đạt", False),
        ((400, 500), False),
        ([float("nan"), 1], False),
        (np.float64("nan"), True),
    ],
)
def test_the_maps_use_the_shared_missing_test(value, missing):
    assert page.is_missing is is_missing
    assert is_missing(value) is missing


def _imports(path: Path) -> set[str]:
    """Modules imported by ``path``, relative ones resolved against ``ntmgis.maps`` (lazy ones too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ["ntmgis", "maps"][: max(0, 2 - node.level + 1)] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def test_maps_import_nothing_from_analysis_or_criteria():
    offending = sorted(
        (path.name, name)
        for path in MAPS.rglob("*.py")
        for name in _imports(path)
        if name.startswith(("ntmgis.analysis", "ntmgis.criteria"))
    )
    assert offending == []

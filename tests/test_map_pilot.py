"""The pilot "xã NTM hiện đại" level (QĐ 51/2025 Phụ lục II) on the planner map (issue 13 part 4)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ntmgis.assessment import assess
from ntmgis.io import write_text_atomic
from ntmgis.maps import build_planner_map
from ntmgis.maps.commune_map import PILOT_COLOURS
from ntmgis.vocab import vocabulary
from ntmgis.workspace import load_workspace, sample_workspace_path


def _legend(page: Any) -> dict[str, tuple[str, int]]:
    items = page.locator('.ntmgis-legend[data-layer="communes"] li')
    return {
        items.nth(i).get_attribute("data-class"): (
            items.nth(i).inner_text(),
            int(items.nth(i).locator(".ntmgis-legend-count").inner_text()),
        )
        for i in range(items.count())
    }


def test_the_pilot_level_has_its_class_colour_and_words(open_map: Any, tmp_path: Path) -> None:
    workspace = load_workspace(sample_workspace_path())
    groups = workspace.communes.assign(commune_group="nhom_2")
    workspace = workspace.with_layers(communes=groups)
    assessment = assess(workspace, as_of="2026-03-01")
    assert "hien_dai" in set(assessment.criteria["level"])  # QĐ 51/2025 has the pilot level
    # One commune recognised at the pilot level (a fact the map must show, not one it makes).
    communes = assessment.communes.copy()
    first = communes.index[communes["assessed"]][0]
    communes.loc[first, "recognised_level"] = "hien_dai"
    pilot = dataclasses.replace(assessment, communes=communes)
    for lang in ("vi", "en"):
        html = build_planner_map(workspace, pilot, lang=lang)
        page, requests, console_errors, page_errors = open_map(
            write_text_atomic(tmp_path / f"{lang}.html", html)
        )
        legend = _legend(page)
        words = vocabulary()["pilot_level"]["hien_dai"][lang]
        assert words in legend["hien_dai"][0] and legend["hien_dai"][1] == 1
        order = list(legend)
        assert order.index("kieu_mau") < order.index("hien_dai") < order.index("not_assessed")
        paths = "document.querySelectorAll('.leaflet-overlay-pane svg path')"
        fills = page.evaluate(f"Array.from({paths}).map(p => p.getAttribute('fill'))")
        assert [f.lower() for f in fills].count(PILOT_COLOURS["hien_dai"]) == 1
        assert (requests, console_errors, page_errors) == ([], [], [])


def test_the_2021_2025_legend_is_unchanged(
    open_map: Any, sample_workspace: Any, sample_assessment: Any, tmp_path: Path
) -> None:
    html = build_planner_map(sample_workspace, sample_assessment)
    page, *_ = open_map(write_text_atomic(tmp_path / "map.html", html))
    assert "hien_dai" not in _legend(page)

"""The planners' map in headless Chromium with the network blocked: layers, legends, themes,
search, year control, escaping, language, PNG.

The sample map is written once for the module; each test opens it in a fresh page.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from pathlib import Path
from types import MappingProxyType

import pytest
from workspace_builders import grid_communes, write_workspace

from ntmgis.assessment import assess
from ntmgis.io import write_bytes_atomic, write_text_atomic
from ntmgis.maps import build_planner_map, build_planner_png
from ntmgis.workspace import load_workspace

ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = "<img src=x onerror=alert(1)>"
QUOTES = "Thôn \"Ngoặc\" 'đơn' `huyền` \\gạch\\ </script>"

# Gap layers the planners' map does not draw as layers of their own: canals are drawn by lining,
# production zones whole.
UNDRAWN = ("canals_to_line", "zones_by_commune")


@pytest.fixture(scope="module")
def map_file(sample_workspace, sample_assessment, tmp_path_factory) -> Path:
    html = build_planner_map(sample_workspace, sample_assessment)
    return write_text_atomic(tmp_path_factory.mktemp("planner") / "tan_yen_map.html", html)


def legend_rows(page, layer_id: str) -> list[tuple[str, str, int]]:
    items = page.locator(f'.ntmgis-legend[data-layer="{layer_id}"] li')
    return [
        (
            items.nth(i).get_attribute("data-class"),
            items.nth(i).locator(".ntmgis-legend-label").inner_text(),
            int(items.nth(i).locator(".ntmgis-legend-count").inner_text().replace(".", "")),
        )
        for i in range(items.count())
    ]


def fill_of(page, layer_id: str, key: str) -> str:
    return page.evaluate("([l, k]) => window.ntmgis.feature(l, k).options.fillColor", [layer_id, key])


def test_every_layer_offline_and_without_errors(
    open_map, map_file, sample_workspace, sample_assessment, png_stats
):
    page, requests, console_errors, page_errors = open_map(map_file)
    counts = page.evaluate(
        "Object.fromEntries(Object.entries(window.ntmgis.layers).map(([k, v]) => [k, v.getLayers().length]))"
    )
    expected = {
        name: len(sample_workspace.layer(name))
        for name in ("communes", "villages", "roads", "canals", "markets", "facilities", "production_zones")
    }
    expected |= {
        name: len(frame) for name, frame in sample_assessment.gap_layers().items() if name not in UNDRAWN
    }
    assert counts == expected
    # communes are SVG paths; roads, canals and points are drawn on one canvas
    assert page.locator(".leaflet-overlay-pane svg path").count() == expected["communes"]
    assert page.locator(".leaflet-overlay-pane canvas").count() == 1
    assert page.locator("#ntmgis-note").inner_text() == sample_workspace.note("vi")
    assert page.locator("#ntmgis-summary table").count() == 3
    ARTIFACTS.mkdir(exist_ok=True)
    stats = png_stats(page.screenshot(path=ARTIFACTS / "planner_map.png"))
    assert stats["colours"] >= 12 and stats["dominant_share"] < 0.6, stats
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_legends_follow_their_layers(open_map, map_file, sample_assessment):
    page, requests, console_errors, page_errors = open_map(map_file)
    rows = legend_rows(page, "communes")
    communes = sample_assessment.communes
    # A town without a recognition is "not applicable"; a commune without one "not assessed".
    unknown = communes["assessed"].eq(False).map({True: "not_applicable", False: "not_assessed"})
    levels = communes["recognised_level"].fillna(unknown).value_counts()
    order = ["chua_dat", "ntm", "nang_cao", "kieu_mau", "not_assessed", "not_applicable"]
    assert [r[0] for r in rows] == order
    assert [r[2] for r in rows] == [int(levels.get(r[0], 0)) for r in rows]
    assert rows[-1][1] == "Không áp dụng"
    legend = page.locator('.ntmgis-legend[data-layer="communes"]')
    toggle = page.locator('.ntmgis-layer[data-layer="communes"] .ntmgis-layer-toggle')
    assert legend.is_visible()
    toggle.uncheck()
    assert legend.is_hidden()
    assert page.evaluate("window.ntmgis.map.hasLayer(window.ntmgis.layers.communes)") is False
    canals = page.locator('.ntmgis-legend[data-layer="canals"]')
    assert canals.is_hidden()  # canals start hidden, and so does their legend
    page.locator('.ntmgis-layer[data-layer="canals"] .ntmgis-layer-toggle').check()
    assert canals.is_visible()
    assert [r[0] for r in legend_rows(page, "canals")] == [
        "lined_xa",
        "unlined_xa",
        "lined_other",
        "unlined_other",
    ]
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_criterion_radio_recolours_the_communes(open_map, map_file, sample_assessment):
    page, requests, console_errors, page_errors = open_map(map_file)
    communes = sample_assessment.communes.set_index("commune_code")
    rows = sample_assessment.criteria
    at_target = rows[
        (rows["criterion"] == "7") & (rows["level"] == rows["unit_code"].map(communes["target_level"]))
    ]
    not_met = at_target[at_target["status"] == "not_met"]["unit_code"].iloc[0]
    before = fill_of(page, "communes", not_met)
    name = rows.loc[rows["criterion"] == "7", "criterion_vi"].iloc[0]
    page.get_by_label(f"Tiêu chí 7 {name}", exact=True).check()
    assert page.evaluate("window.ntmgis.theme('communes')") == "criterion_7"
    assert fill_of(page, "communes", not_met) == "#d7301f" != before
    heading = page.locator('.ntmgis-legend[data-layer="communes"] h3').inner_text()
    assert heading.startswith("Tiêu chí 7")
    codes = [r[0] for r in legend_rows(page, "communes")]
    assert codes.index("not_met") < codes.index("met") and "not_assessed" in codes
    assert (requests, console_errors, page_errors) == ([], [], [])


@pytest.mark.parametrize(
    ("query", "layer_id", "name"),
    [
        ("phuc hoa", "communes", "Xã Phúc Hòa (07324)"),
        ("PHÚC HOÀ", "communes", "Xã Phúc Hòa (07324)"),
        ("dong lim", "villages", "Thôn Đồng Lim"),
    ],
)
def test_search_finds_zooms_and_opens_the_popup(open_map, map_file, sample_workspace, query, layer_id, name):
    communes = sample_workspace.layer("communes")
    page, requests, console_errors, page_errors = open_map(map_file)
    page.locator(".ntmgis-search-input").fill(query)
    first = page.locator(".ntmgis-result").first
    assert first.locator(".ntmgis-result-name").inner_text() == name
    assert first.get_attribute("data-layer") == layer_id
    first.click()
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    assert popup.locator(".ntmgis-popup-title").inner_text() == name
    assert popup.get_attribute("data-layer") == layer_id
    assert page.evaluate("(l) => window.ntmgis.map.hasLayer(window.ntmgis.layers[l])", layer_id)
    assert page.evaluate("window.ntmgis.map.getZoom()") >= 14
    if layer_id == "communes":  # Vietnamese number format in the popup
        population = int(communes.set_index("commune_code").loc["07324", "population"])
        assert f"{population:,} người".replace(",", ".") in popup.inner_text()
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_search_tells_villages_of_the_same_name_apart_by_commune(open_map, map_file, sample_workspace):
    villages = sample_workspace.layer("villages")
    names = villages["name"].value_counts()
    twin = names[names > 1].index[0]
    communes = sample_workspace.layer("communes").set_index("commune_code")["name"]
    where = sorted(communes[c] for c in villages.loc[villages["name"] == twin, "commune_code"])
    page, requests, console_errors, page_errors = open_map(map_file)
    page.locator(".ntmgis-search-input").fill(twin)
    names = page.locator(".ntmgis-result-name").all_inner_texts()
    places = page.locator(".ntmgis-result-layer").all_inner_texts()
    assert sorted(p.split(" · ")[1] for n, p in zip(names, places, strict=True) if n == twin) == where[:12]
    # The commune's name narrows the search, accents and đ folded as everywhere else.
    fold = str.maketrans("đĐ", "dD")
    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFD", f"{twin} {where[-1]}".translate(fold))
        if unicodedata.category(ch) != "Mn"
    ).lower()
    page.locator(".ntmgis-search-input").fill(plain)
    first = page.locator(".ntmgis-result").first
    assert first.locator(".ntmgis-result-name").inner_text() == twin
    assert first.locator(".ntmgis-result-layer").inner_text().endswith(" · " + where[-1])
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_year_control_shows_the_plan(open_map, map_file, sample_workspace):
    page, requests, console_errors, page_errors = open_map(map_file)
    page.locator('.ntmgis-layer[data-layer="villages"] .ntmgis-layer-toggle').check()
    by_year = sample_workspace.plan.model_villages_by_year()
    slider = page.locator(".ntmgis-year-input")
    shown = {}
    for year in (2021, 2025):
        slider.fill(str(year))
        assert page.locator(".ntmgis-year-value").inner_text() == str(year)
        assert page.evaluate("window.ntmgis.theme('villages')") == f"plan_{year}"
        rows = {code: count for code, _, count in legend_rows(page, "villages")}
        shown[year] = rows.get("achieved", 0) + rows.get("late", 0) + rows.get("due", 0)
        assert shown[year] == by_year[by_year.index <= year].sum()
        notes = page.locator(".ntmgis-year-notes li").all_inner_texts()
        assert any(f"kế hoạch {by_year[by_year.index <= year].sum()}" in line for line in notes)
    assert shown[2021] < shown[2025]
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_hostile_values_render_as_text(open_map, sample_workspace, sample_assessment, tmp_path):
    villages = sample_workspace.layer("villages")
    villages.loc[villages.index[0], "name"] = HOSTILE
    villages.loc[villages.index[1], "name"] = QUOTES
    zones = sample_workspace.layer("production_zones")
    zones.loc[zones.index[0], "crop"] = HOSTILE
    workspace = dataclasses.replace(  # past with_layers' validation: the map must escape what it is given
        sample_workspace,
        _layers=MappingProxyType(
            {
                **{n: sample_workspace.layer(n) for n in sample_workspace.layer_names},
                "villages": villages,
                "production_zones": zones,
            }
        ),
    )
    html = build_planner_map(workspace, sample_assessment)
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "hostile.html", html))
    page.locator(".ntmgis-search-input").fill("onerror")
    result = page.locator(".ntmgis-result-name").first
    assert result.inner_text() == HOSTILE
    result.click()
    popup = page.locator(".leaflet-popup-content .ntmgis-popup-title")
    popup.wait_for(state="visible")
    assert popup.inner_text() == HOSTILE
    page.locator(".ntmgis-search-input").fill("ngoac")
    assert page.locator(".ntmgis-result-name").first.inner_text() == QUOTES
    zones_box = page.locator('.ntmgis-layer[data-layer="production_zones"]')
    zones_box.locator(".ntmgis-layer-toggle").check()
    zones_box.get_by_label("Cây trồng").check()
    legend = page.locator('.ntmgis-legend[data-layer="production_zones"]')
    labels = legend.locator(".ntmgis-legend-label").all_inner_texts()
    assert HOSTILE in labels
    assert page.locator('img[src="x"]').count() == 0
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_english_map(open_map, sample_workspace, sample_assessment, tmp_path):
    html = build_planner_map(sample_workspace, sample_assessment, lang="en")
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "en.html", html))
    assert page.locator("html").get_attribute("lang") == "en"
    assert [r[1] for r in legend_rows(page, "communes")] == [
        "Not yet NTM",
        "NTM",
        "Advanced NTM",
        "Model NTM",
        "Not assessed",
        "Not applicable",
    ]
    page.locator(".ntmgis-search-input").fill("phuc hoa")
    page.locator(".ntmgis-result").first.click()
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    assert popup.locator(".ntmgis-popup-title").inner_text() == "Phúc Hòa commune (07324)"
    population = int(sample_workspace.layer("communes").set_index("commune_code").loc["07324", "population"])
    assert f"{population:,} people" in popup.inner_text()
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_png_is_written_and_not_blank(sample_workspace, sample_assessment, png_stats):
    png = build_planner_png(sample_workspace, sample_assessment, dpi=80)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    ARTIFACTS.mkdir(exist_ok=True)
    write_bytes_atomic(ARTIFACTS / "planner_map_static.png", png)
    stats = png_stats(png)
    assert stats["width"] > 800 and stats["height"] > 500
    assert stats["colours"] >= 12 and stats["dominant_share"] < 0.8, stats
    assert build_planner_png(sample_workspace, sample_assessment, dpi=80) == png


def test_first_map_of_a_new_district(open_map, tmp_path):
    """A district's own first workspace: names written with their prefix ("Xã Phúc Hòa"), no
    recognition decisions. The map opens on the measured level (not an all-grey "recognised"
    map) and never writes "Xã Xã"."""
    communes = grid_communes()
    prefix = {"xa": "Xã ", "thi_tran": "TT. "}
    communes["name"] = [prefix[k] + n for k, n in zip(communes["kind"], communes["name"], strict=True)]
    workspace = load_workspace(write_workspace(tmp_path / "ws", communes=communes))
    assert "recognitions" not in workspace.table_names
    html = build_planner_map(workspace, assess(workspace))
    assert "Xã Xã" not in html and "Thị trấn TT" not in html
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "first.html", html))
    assert page_errors == []
    assert page.evaluate("window.ntmgis.theme('communes')") == "evaluated"
    assert page.evaluate("window.ntmgis.search('phuc hoa')")[0] == ["communes", "07324"]
    page.locator(".ntmgis-search-input").fill("phuc hoa")
    page.locator(".ntmgis-result").first.click()
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    assert popup.locator(".ntmgis-popup-title").inner_text() == "Xã Phúc Hòa (07324)"
    labels = page.evaluate("window.ntmgis.labels.communes.getLayers().map((m) => m.getElement().textContent)")
    assert "Phúc Hòa" in labels and not any(text.startswith(("Xã ", "TT")) for text in labels)
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_commune_details_leave_the_map_visible(open_map, map_file, sample_assessment):
    page, requests, console_errors, page_errors = open_map(map_file)
    page.evaluate("window.ntmgis.select('communes', '07324')")
    popup = page.locator(".leaflet-popup-content .ntmgis-popup")
    popup.wait_for(state="visible")
    rows = popup.locator(".ntmgis-popup-rows tr")
    summary = sample_assessment.communes.set_index("commune_code").loc["07324"]
    assert rows.count() == int(summary["criteria_total"])  # criteria as a compact table
    assert rows.first.get_attribute("data-status") in (
        "met",
        "not_met",
        "met_unverified",
        "not_met_unverified",
    )
    count = f"{summary['criteria_met']} đạt · {summary['criteria_not_met']} chưa đạt"
    assert count in popup.inner_text()
    map_height = page.locator("#ntmgis-map").bounding_box()["height"]
    content = page.locator(".leaflet-popup-content").bounding_box()["height"]
    assert content <= map_height * 0.5 + 1  # scrolled inside, never over the whole map
    assert (requests, console_errors, page_errors) == ([], [], [])

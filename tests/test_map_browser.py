"""The offline commune map in headless Chromium with the network blocked.

A string match on HTML passes for a blank or hijacked page; these tests open the written file
from disk and look at what the browser made of it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from ntmgis.io import write_text_atomic
from ntmgis.maps import NOT_ASSESSED, render_commune_map

ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_CODE = "07324"
QUOTES = "Xã \"Ngoặc\" 'đơn' `huyền` \\gạch\\ </script>"
NOTE = "Dữ liệu minh họa — illustrative sample"
# 22 communes, like Tân Yên in 2020–2024: counts per class in natural order, then not assessed.
COUNTS = {"chua_dat": 4, "ntm": 8, "nang_cao": 5, "kieu_mau": 2, NOT_ASSESSED: 3}


def twenty_two_communes() -> gpd.GeoDataFrame:
    """A 5×5 grid of 2 km squares in EPSG:9214 around Tân Yên, 22 of them kept, levels mixed."""
    levels = [level for level, n in COUNTS.items() for _ in range(n)]
    rows = []
    for i in range(22):
        col, row = i % 5, i // 5
        x, y = 400_000 + col * 2000, 2_360_000 + row * 2000
        code = f"07{300 + 3 * i}"
        name = {HOSTILE_CODE: HOSTILE, "07330": QUOTES}.get(code, f"Đơn vị {i + 1:02d}")
        level = levels[(i * 7) % 22]  # 7 is coprime with 22: a permutation that mixes classes
        rows.append(
            {
                "commune_code": code,
                "name": name,
                "kind": "thi_tran" if code in ("07306", "07339") else "xa",
                "ntm_level": None if level == NOT_ASSESSED else level,
                "geometry": shapely.box(x, y, x + 2000, y + 2000),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:9214")


@pytest.fixture
def map_file(tmp_path) -> Path:
    html = render_commune_map(
        twenty_two_communes(),
        title="Huyện Tân Yên — mức đạt chuẩn NTM năm 2024",
        note=NOTE,
        provenance=["communes: communes.gpkg", f"tệp {HOSTILE}"],
    )
    return write_text_atomic(tmp_path / "tan_yen_map.html", html)


def hover_commune(page, code: str) -> None:
    """Move the mouse onto the commune's polygon (a quarter of the way off its label point)."""
    x, y = page.evaluate(
        """(code) => {
            const {map} = window.ntmgis;
            const layer = window.ntmgis.feature("communes", code);
            const bounds = layer.getBounds();
            const nw = map.latLngToContainerPoint(bounds.getNorthWest());
            const se = map.latLngToContainerPoint(bounds.getSouthEast());
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + nw.x + (se.x - nw.x) * 0.3, box.top + nw.y + (se.y - nw.y) * 0.3];
        }""",
        code,
    )
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y, steps=3)


def test_map_renders_offline(open_map, map_file, png_stats):
    page, requests, console_errors, page_errors = open_map(map_file)

    box = page.locator("#ntmgis-map").bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 400
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    assert page.locator(".leaflet-overlay-pane svg path").count() == 22
    assert page.evaluate("window.ntmgis.map.getBounds().contains(window.ntmgis.layers.communes.getBounds())")
    assert page.locator(".ntmgis-label-text").count() == 22

    assert page.locator("#ntmgis-title").inner_text() == "Huyện Tân Yên — mức đạt chuẩn NTM năm 2024"
    assert page.title() == "Huyện Tân Yên — mức đạt chuẩn NTM năm 2024"
    note = page.locator("#ntmgis-note")
    assert note.is_visible() and note.inner_text() == NOTE

    items = page.locator(".ntmgis-legend li")
    assert items.count() == 5
    legend = [
        (
            items.nth(i).get_attribute("data-class"),
            items.nth(i).locator(".ntmgis-legend-label").inner_text(),
            int(items.nth(i).locator(".ntmgis-legend-count").inner_text()),
        )
        for i in range(items.count())
    ]
    assert legend == [
        ("chua_dat", "Chưa đạt NTM", 4),
        ("ntm", "Đạt chuẩn NTM", 8),
        ("nang_cao", "NTM nâng cao", 5),
        ("kieu_mau", "NTM kiểu mẫu", 2),
        (NOT_ASSESSED, "Chưa đánh giá", 3),
    ]
    assert page.locator(".ntmgis-legend").is_visible()
    assert page.locator("#ntmgis-sources li").first.inner_text() == "communes: communes.gpkg"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = page.screenshot(path=ARTIFACTS / "commune_map.png")
    stats = png_stats(shot)
    assert (stats["width"], stats["height"]) == (1280, 800)
    assert stats["colours"] >= 8, stats  # five fills, background, outlines, text
    assert stats["dominant_share"] < 0.8, stats

    assert requests == []
    assert console_errors == []
    assert page_errors == []


def test_hostile_names_show_as_text(open_map, map_file):
    page, requests, console_errors, page_errors = open_map(map_file)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))

    hover_commune(page, HOSTILE_CODE)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible")
    assert page.locator('img[src="x"]').count() == 0
    assert tooltip.inner_text().startswith(f"Xã {HOSTILE} ({HOSTILE_CODE})")
    assert tooltip.locator("strong").inner_text() == f"Xã {HOSTILE} ({HOSTILE_CODE})"
    assert tooltip.locator(".ntmgis-tooltip-level").inner_text() in {
        "Chưa đạt NTM",
        "Đạt chuẩn NTM",
        "NTM nâng cao",
        "NTM kiểu mẫu",
        "Chưa đánh giá",
    }

    labels = page.locator(".ntmgis-label-text").all_inner_texts()
    # The commune named 'Xã "Ngoặc"...' is of kind xa: its label drops the repeated "Xã"
    assert HOSTILE in labels and QUOTES.removeprefix("Xã ") in labels
    assert page.locator("#ntmgis-sources li").nth(1).inner_text() == f"tệp {HOSTILE}"
    assert page.locator("img").count() == 0  # no basemap: the page has no image element at all
    page.mouse.move(5, 300)  # leave the commune; the tooltip closes
    tooltip.wait_for(state="detached")

    assert dialogs == []
    assert requests == []
    assert console_errors == []
    assert page_errors == []


def test_english_labels(open_map, tmp_path):
    html = render_commune_map(twenty_two_communes(), title="Tân Yên district — NTM level", lang="en")
    page, requests, console_errors, page_errors = open_map(write_text_atomic(tmp_path / "en.html", html))
    labels = page.locator(".ntmgis-legend .ntmgis-legend-label").all_inner_texts()
    assert labels == ["Not yet NTM", "NTM", "Advanced NTM", "Model NTM", "Not assessed"]
    assert page.locator("#ntmgis-note").is_hidden()  # no note given, no banner
    hover_commune(page, "07306")
    assert page.locator(".leaflet-tooltip strong").inner_text() == "Đơn vị 03 town (07306)"
    assert (requests, console_errors, page_errors) == ([], [], [])


def test_opt_in_basemap_is_the_only_network_use(open_map, tmp_path):
    """The recorder sees tile requests when a basemap is asked for (and blocks them)."""
    html = render_commune_map(
        twenty_two_communes(), title="Tân Yên", basemap="https://tiles.example.invalid/{z}/{x}/{y}.png"
    )
    page, requests, _, page_errors = open_map(write_text_atomic(tmp_path / "basemap.html", html))
    page.wait_for_function("document.querySelectorAll('.leaflet-tile').length > 0")
    assert requests and all(url.startswith("https://tiles.example.invalid/") for url in requests)
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    assert page_errors == []


def test_sample_district_map_from_the_cli(open_map, tmp_path):
    """`ntmgis map` on the embedded sample: the README's main command, opened offline."""
    from ntmgis.cli import main
    from ntmgis.criteria import recognised_levels
    from ntmgis.workspace import load_workspace

    out = tmp_path / "tan_yen_map.html"
    assert main(["map", "--out", str(out)]) == 0
    page, requests, console_errors, page_errors = open_map(out)
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    assert page.locator(".leaflet-overlay-pane svg path").count() == 22
    assert "minh họa" in page.locator("#ntmgis-note").inner_text()
    # legend counts equal the recognitions of the status year, counted independently here
    workspace = load_workspace()
    levels = recognised_levels(
        workspace.communes, workspace.table("recognitions"), as_of=workspace.status_year
    )["ntm_level"]
    items = page.locator('.ntmgis-legend[data-layer="communes"] li')
    shown = {
        items.nth(i).get_attribute("data-class"): int(
            items.nth(i).locator(".ntmgis-legend-count").inner_text()
        )
        for i in range(items.count())
    }
    # a thị trấn without a recognition is "not applicable" (no NTM level exists for it)
    town = (workspace.communes["kind"] == "thi_tran").to_numpy()
    unrecognised = levels.isna().to_numpy()
    assert shown.get(NOT_ASSESSED, 0) == int((unrecognised & ~town).sum())
    assert shown.get("not_applicable", 0) == int((unrecognised & town).sum()) > 0
    for level, count in levels.dropna().value_counts().items():
        assert shown[level] == count
    assert requests == [] and console_errors == [] and page_errors == []
    page.screenshot(path=ARTIFACTS / "sample_map.png")

"""Benchmark: size and render time of the offline maps, ntmgis vs a plain ``GeoDataFrame.explore()``.

Two scales (issue 5): the district planners' map of the embedded sample (target ≤ 2 MB, ≤ 1.5 s)
and a province-scale synthetic map, 200 communes and 100k road segments (target ≤ 15 MB, ≤ 5 s).
A third (issue 12 part 3), ``real-province``: 100 fractal communes of 1,000–2,000 vertices and
57k OSM-like ways (``realistic.py``), drawn in full (``simplify=0``) and as the page draws them by
default (one pixel at its closest zoom), with the ratio of the two (target ≤ 10 MB, ≤ 3 s). Same
result check: both pages carry the same layer data (names, classes, fields); only the drawn
coordinates differ.
The baseline is what folium's ``explore()`` builds for the same layers, made offline too: Leaflet's
script and stylesheet inlined from the local pinned copy, folium's other external assets (jQuery,
Bootstrap, Font Awesome, awesome-markers: markers and controls these layers do not use) left out.
Any request the page still makes is blocked and listed.

Render time = ``performance.now()`` after two animation frames following the load event, in
headless Chromium with the network blocked (median of ``--repeat`` fresh pages). Not a test.

    .venv/bin/python benchmarks/bench_map.py                  # district + province
    .venv/bin/python benchmarks/bench_map.py --district-only
    .venv/bin/python benchmarks/bench_map.py --real-only --repeat 5
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import REAL_SCALES, fractal_communes, osm_like_ways  # noqa: E402
from synthetic import SCALES, synthetic_district  # noqa: E402

from ntmgis.maps import MapClass, MapLayer, Theme, build_planner_map, render_map  # noqa: E402
from ntmgis.maps.assets import PINNED_VERSIONS, leaflet_css, leaflet_js  # noqa: E402
from ntmgis.maps.page import Field  # noqa: E402
from ntmgis.vocab import label  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
]
LOCAL = ("file:", "data:", "blob:", "about:")
# What the province map draws of the synthetic roads: class colours as on the planners' map.
ROAD_COLOURS = {
    "huyen": "#fc8d59",
    "xa": "#6a3d9a",
    "lien_thon": "#1f78b4",
    "truc_thon": "#6baed6",
    "ngo_xom": "#9e9e9e",
    "noi_dong": "#8fbf6a",
}


def _blocker(blocked: list[str]) -> Any:
    def block(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort()

    return block


def render_ms(browser: Any, path: Path, repeat: int) -> tuple[float, list[str], list[str]]:
    """Median ms from navigation to two frames after load; blocked URLs; page/console errors."""
    times, blocked, errors = [], [], []
    for _ in range(repeat):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        blocked, errors = [], []
        page.route(lambda url: not url.startswith(LOCAL), _blocker(blocked))
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.on(
            "console", lambda msg, errors=errors: errors.append(msg.text) if msg.type == "error" else None
        )
        page.goto(path.resolve().as_uri(), wait_until="load", timeout=120_000)
        times.append(
            page.evaluate(
                "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
                "() => r(performance.now()))))"
            )
        )
        page.close()
    return statistics.median(times), blocked, errors


def explore_html(layers: dict[str, gpd.GeoDataFrame], columns: dict[str, list[str]]) -> str:
    """What ``explore()`` builds for the same layers (displayed attributes only), Leaflet inlined.

    ``GeoDataFrame.explore()`` itself refuses to run without ``mapclassify``, which ntmgis does
    not pin; it wraps each frame in a ``folium.GeoJson`` with a tooltip on a ``folium.Map``, which
    is what this does with the pinned folium.
    """
    import folium

    m = folium.Map(tiles=None)
    for name, frame in layers.items():
        shown = frame[[*columns[name], frame.geometry.name]].to_crs(4326)
        for column in columns[name]:  # GeoJSON needs plain values (no pd.NA, Timestamps)
            shown[column] = shown[column].astype(object).where(shown[column].notna(), None).astype(str)
        # explore() draws points as circle markers (no icon images to load).
        folium.GeoJson(
            shown.to_json(),
            name=name,
            marker=folium.CircleMarker(radius=2),
            tooltip=folium.GeoJsonTooltip(columns[name]) if columns[name] else None,
        ).add_to(m)
    m.fit_bounds([[b[1], b[0]] for b in (layers["communes"].to_crs(4326).total_bounds.reshape(2, 2))])
    html = m.get_root().render()

    # Offline like ours: folium's own copy of Leaflet becomes the pinned local one, inlined; its
    # other external assets (jQuery, Bootstrap, Font Awesome, awesome-markers) serve markers and
    # controls these layers do not use, so they are left out rather than fetched.
    def external(tag: str) -> re.Pattern[str]:
        return re.compile(rf'<{tag}\b[^>]*\b(?:src|href)="(?:https?:)?//[^"]*"[^>]*>(?:</{tag}>)?\n?')

    def inline(match: re.Match[str]) -> str:
        text = match.group(0)
        if "/leaflet.js" in text:
            return f"<script>{leaflet_js()}</script>\n"
        if "/leaflet.css" in text:
            return f"<style>{leaflet_css()}</style>\n"
        return ""

    html = external("link").sub(inline, external("script").sub(inline, html))
    return html


def province_map(
    communes: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame,
    *,
    title: str = "Tỉnh mẫu — 200 xã, 100.000 đoạn đường",
    simplify: float | None = None,
) -> str:
    """The province-scale page: synthetic communes and roads through the same page engine."""
    n = len(communes)
    roads_classes = [MapClass(c, label("road_class", c), colour) for c, colour in ROAD_COLOURS.items()]
    layers = [
        MapLayer(
            "communes",
            "Xã",
            "polygon",
            communes.geometry,
            list(communes["commune_code"]),
            list(communes["name"]),
            [
                Theme(
                    "none", "Xã", ["not_assessed"] * n, [MapClass("not_assessed", "Chưa đánh giá", "#d9d9d9")]
                )
            ],
            fields=[Field("Mã", list(communes["commune_code"]))],
            searchable=True,
        ),
        MapLayer(
            "roads",
            "Đường",
            "line",
            roads.geometry,
            list(roads["segment_id"]),
            list(roads["segment_id"]),
            [Theme("class", "Cấp đường", list(roads["road_class"]), roads_classes)],
            fields=[
                Field("Cấp", list(roads["road_class"]), "category"),
                Field("Mặt", list(roads["surface"]), "category"),
            ],
        ),
    ]
    return render_map(layers, title=title, note="Dữ liệu tổng hợp", simplify=simplify)


def measure(
    name: str,
    ours_html: str,
    baseline: tuple[str, float] | None,
    browser: Any,
    repeat: int,
    build_s: float,
    folder: Path,
) -> list[dict[str, Any]]:
    rows = []
    entries = [("ntmgis", ours_html, build_s)]
    if baseline is not None:
        entries.append(("explore()", baseline[0], baseline[1]))
    for who, html, seconds in entries:
        path = folder / f"{name}_{who.strip('()')}.html"
        path.write_text(html, encoding="utf-8")
        ms, blocked, errors = render_ms(browser, path, repeat)
        rows.append(
            {
                "map": name,
                "by": who,
                "MB": round(path.stat().st_size / 1e6, 2),
                "build_s": round(seconds, 2),
                "render_ms": round(ms),
                "blocked_requests": len(blocked),
                "errors": len(errors),
            }
        )
        if blocked or errors:
            print(f"  {name} / {who}: blocked {sorted(set(blocked))}; errors {errors[:3]}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--district-only", action="store_true")
    parser.add_argument("--province-only", action="store_true")
    parser.add_argument("--real-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    print(f"Leaflet {PINNED_VERSIONS['leaflet']} inlined in both; network blocked; render = load + 2 frames")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        if not (args.province_only or args.real_only):
            rows += district(browser, folder, args.repeat)
        if not (args.district_only or args.real_only):
            rows += province(browser, folder)
        if not (args.district_only or args.province_only):
            rows += real_province(browser, folder, args.repeat)
        browser.close()
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    for name, group in table.groupby("map", sort=False):
        ours, base = group.iloc[0], group.iloc[-1]
        if name == "real-province":
            print(
                f"{name}: drawn at {ours['by']} {ours['MB']} MB / {ours['render_ms']} ms; in full "
                f"{base['MB']} MB / {base['render_ms']} ms → {base['MB'] / ours['MB']:.2f}× smaller, "
                f"{base['render_ms'] / max(ours['render_ms'], 1):.2f}× faster (targets ≤ 10 MB, ≤ 3000 ms)"
            )
            continue
        print(
            f"{name}: ntmgis {ours['MB']} MB / {ours['render_ms']} ms; explore() {base['MB']} MB / "
            f"{base['render_ms']} ms → {base['MB'] / ours['MB']:.1f}× smaller, "
            f"{base['render_ms'] / max(ours['render_ms'], 1):.1f}× faster"
        )


def district(browser: Any, folder: Path, repeat: int) -> list[dict[str, Any]]:
    """The planners' map of the embedded sample beside explore() of the same layers."""
    from ntmgis.assessment import assess
    from ntmgis.workspace import load_workspace

    workspace = load_workspace()
    assessment = assess(workspace)
    start = time.perf_counter()
    html = build_planner_map(workspace, assessment)
    build_s = time.perf_counter() - start
    layers = {
        name: workspace.layer(name)
        for name in ("communes", "production_zones", "villages", "canals", "roads", "facilities", "markets")
    }
    layers |= {
        k: v for k, v in assessment.gap_layers().items() if k not in ("canals_to_line", "zones_by_commune")
    }
    columns = {
        "communes": ["commune_code", "name"],
        "production_zones": ["zone_id", "name", "crop", "area_ha"],
        "villages": ["village_id", "name", "population"],
        "canals": ["segment_id", "lining"],
        "roads": ["segment_id", "road_class", "surface"],
        "facilities": ["facility_id", "kind"],
        "markets": ["market_id", "name", "standard_met"],
        "segments_to_upgrade": ["segment_id", "length_km", "cost_million_vnd"],
        "market_gaps": ["village_id", "network_m"],
        "villages_without_culture_house": ["village_id"],
    }
    start = time.perf_counter()
    baseline = explore_html(layers, columns)
    return measure(
        "district", html, (baseline, time.perf_counter() - start), browser, repeat, build_s, folder
    )


def province(browser: Any, folder: Path) -> list[dict[str, Any]]:
    """200 synthetic communes and 100k road segments beside explore() of the same layers."""
    n_communes, n_segments = SCALES["province"]
    communes, roads = synthetic_district(n_communes, n_segments, seed=5)
    start = time.perf_counter()
    html = province_map(communes, roads)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    baseline = explore_html(
        {"communes": communes, "roads": roads},
        {"communes": ["commune_code"], "roads": ["segment_id", "road_class", "surface"]},
    )
    return measure("province", html, (baseline, time.perf_counter() - start), browser, 1, build_s, folder)


_DATA = re.compile(r'<script type="application/json" id="ntmgis-data">(.*?)</script>', re.S)


def _page_layers(html: str) -> Any:
    found = _DATA.search(html)
    assert found is not None, "no data element in the page"
    return json.loads(found.group(1))["layers"]


def real_province(browser: Any, folder: Path, repeat: int) -> list[dict[str, Any]]:
    """Real-detail communes and OSM-like ways: the page as drawn by default beside in full."""
    n_communes, n_ways = REAL_SCALES["real-province"]
    communes = fractal_communes(n_communes, seed=0)
    roads = osm_like_ways(communes, n_ways, seed=0)
    title = f"Tỉnh mẫu — {n_communes} xã chi tiết, {n_ways:,} tuyến đường"
    pages = []
    for simplify in (None, 0.0):
        start = time.perf_counter()
        html = province_map(communes, roads, title=title, simplify=simplify)
        pages.append((html, time.perf_counter() - start))
    drawn, full = pages
    # Same result: only the drawing differs; every name, class and field is the same.
    assert _page_layers(drawn[0]) == _page_layers(full[0]), "simplification changed the layer data"
    tolerance = re.search(r"dung sai ([0-9,]+) m", drawn[0])
    rows = []
    for who, (html, seconds) in (
        ("1 px" if tolerance is None else f"{tolerance.group(1)} m", drawn),
        ("full", full),
    ):
        rows += measure("real-province", html, None, browser, repeat, seconds, folder)
        rows[-1]["by"] = who
    return rows


if __name__ == "__main__":
    main()

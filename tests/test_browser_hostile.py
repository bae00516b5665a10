"""Every page the tool writes, with a script-bearing string in every text field a user controls
(issue 15 part 7): opened in headless Chromium, every feature (a bounded sample per layer) hovered
and clicked, the search used: no injected element, no dialog, no page error; the strings are text.

Fields: commune, road and market names, road and market ids, a road class label mapped through
``values:``, the file names of the road and market layers, the district name, the plan's district
name, target texts and scheduled commune names, the scenario name.
"""

from __future__ import annotations

import sys
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from ntmgis.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from make_corpus import SCRIPT  # noqa: E402
from workspace_builders import PLAN_CODES, grid_communes, roads_for, write_workspace  # noqa: E402

FILE_SAFE = "<img src=x onerror=alert(3)>"  # no "/" in a file name
PER_LAYER = 25


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("browser_hostile")
    ws = root / "ws"
    communes = grid_communes({code: f"{name} {SCRIPT}" for code, name in PLAN_CODES.items()})
    roads = roads_for(communes)
    roads["name"] = SCRIPT
    roads["segment_id"] = [f"R{i}{SCRIPT}" for i in range(len(roads))]
    roads["road_class"] = f"Đường xã {SCRIPT}"
    yaml_path = write_workspace(ws, communes=communes, roads=roads, extra={"plan": None})
    roads_file = f"roads {FILE_SAFE}.gpkg"
    (ws / "roads.gpkg").rename(ws / roads_file)
    markets_file = f"markets {FILE_SAFE}.csv"
    centre = communes.geometry.iloc[0].centroid
    (ws / markets_file).write_text(
        "market_id,name,commune_code,standard_met,x,y\n"
        f'"M1{SCRIPT.replace(chr(34), chr(34) * 2)}","Chợ {SCRIPT.replace(chr(34), chr(34) * 2)}",'
        f"{sorted(PLAN_CODES)[0]},true,{centre.x},{centre.y}\n",
        encoding="utf-8",
    )
    config = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    config["district"] = {"name": SCRIPT, "kind": "huyen"}
    config["layers"]["roads"] = {"path": roads_file}
    config["layers"]["markets"] = {"path": markets_file, "crs": "EPSG:9214"}
    config["values"] = {"roads": {"road_class": {f"Đường xã {SCRIPT}": "xa"}}}
    config["plan"] = _hostile_plan(ws / "plan.yaml")
    yaml_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    out = root / "out"
    assert main(["map", str(yaml_path), "-q", "--out", str(out / "map.html")]) == 0
    scenario = root / "scenario.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": SCRIPT, "edits": [{"upgrade_market": {"id": f"M1{SCRIPT}", "year": 2024}}]}),
        encoding="utf-8",
    )
    assert main(["scenario", "run", str(scenario), str(yaml_path), "-q", "--out", str(out / "s.xlsx")]) == 0
    diff = sorted(out.glob("s_*.html"))
    assert len(diff) == 1
    return {"planner": out / "map.html", "diff": diff[0]}


def _hostile_plan(path: Path) -> str:
    """The packaged Tân Yên plan with the script in the district name, every target text and name."""
    plan = yaml.safe_load((files("ntmgis") / "plans" / "tan_yen_2021_2025.yaml").read_text(encoding="utf-8"))
    plan["district"]["name"] = SCRIPT

    def spoil(node: object) -> None:
        for value in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
            spoil(value)
        if isinstance(node, dict):
            for key in ("text", "name"):
                if isinstance(node.get(key), str):
                    node[key] = f"{node[key]} {SCRIPT}"

    spoil({k: v for k, v in plan.items() if k != "district"})
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    return path.name


_INTERACT = """(perLayer) => {
    let touched = 0;
    for (const [id, group] of Object.entries(window.ntmgis.layers)) {
        if (!window.ntmgis.map.hasLayer(group)) window.ntmgis.map.addLayer(group);
        const features = [];
        group.eachLayer(function (f) { if (f.eachLayer) f.eachLayer(function (g) { features.push(g); });
                                       else features.push(f); });
        for (const f of features.slice(0, perLayer)) {
            const at = f.getLatLng ? f.getLatLng() : f.getBounds().getCenter();
            const e = {latlng: at, layerPoint: window.ntmgis.map.latLngToLayerPoint(at),
                       containerPoint: window.ntmgis.map.latLngToContainerPoint(at), target: f};
            f.fire("mouseover", e, true);
            f.fire("click", e, true);
            f.fire("mouseout", e, true);
            touched += 1;
        }
    }
    return touched;
}"""


def _no_injection(page) -> None:
    assert page.locator('img[src="x"]').count() == 0
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert page.evaluate("[...document.scripts].filter(s => s.text.trim() === 'alert(2)').length") == 0


@pytest.mark.parametrize("which", ["planner", "diff"])
def test_every_page_keeps_hostile_strings_as_text(open_map, pages, which):
    page, requests, console_errors, page_errors = open_map(pages[which])
    page.wait_for_function("window.ntmgis && window.ntmgis.ready")
    _no_injection(page)
    assert page.evaluate(_INTERACT, PER_LAYER) > 17
    _no_injection(page)
    body = page.locator("body").inner_text()
    assert SCRIPT in body or "onerror" in body  # the district or the scenario name, shown as text
    search = page.locator(".ntmgis-search-input")
    if search.count():
        search.fill("onerror")
        results = page.locator(".ntmgis-result")
        assert results.count() >= 1
        for i in range(min(results.count(), 10)):
            results.nth(i).click()
            _no_injection(page)
        popup = page.locator(".leaflet-popup-content")
        assert "onerror" in popup.inner_text()
    assert (requests, console_errors, page_errors) == ([], [], [])

"""Benchmark: the planners' page ``ntmgis map`` writes for the real-detail province (issue 12 part 3).

The province of ``bench_end_to_end.py`` (its generator: 100 fractal communes × ~1,500 vertices,
57k OSM-like ways, villages, markets) is assessed and drawn by ``build_planner_map``; printed:
the page's size and what it is made of (arcs per layer, keys, names, themes, fields), and its
render time in headless Chromium (navigation → load → two animation frames, network blocked;
median and range of ``--repeat`` fresh pages), with the machine's load average, as wall time
and as CPU time: the renderer's main thread (``Performance.getMetrics`` TaskDuration and
ScriptDuration counted in thread ticks, over the Chrome DevTools Protocol) and the whole renderer
process (``SystemInfo.getProcessInfo``, all its threads: raster, GC helpers). Targets: page
≤ 10 MB, render ≤ 3 s, judged on the main thread's CPU time: loading the page is one thread's
work (parse, script, layout, paint), so on an idle machine its wall time is that CPU time, and
unlike the wall time it does not grow with the other processes of a shared machine. Not a test.
Chromium reserves a large address space: a ``ulimit -v`` on this process makes it crash at launch
(cap the memory another way).

    .venv/bin/python benchmarks/bench_map_page.py --repeat 5
    .venv/bin/python benchmarks/bench_map_page.py --communes 6 --ways 2000   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_end_to_end import write_workspace  # noqa: E402
from bench_map import CHROMIUM, CHROMIUM_ARGS, LOCAL  # noqa: E402

_READY = (
    "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))"
)

_DATA = re.compile(r'<script type="application/json" id="ntmgis-data">(.*?)</script>', re.S)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _arc_ids(feature: Any) -> set[int]:
    if isinstance(feature, int):
        return {feature if feature >= 0 else ~feature}
    if isinstance(feature, list):
        return set().union(*(_arc_ids(x) for x in feature)) if feature else set()
    return set()


def breakdown(html: str) -> dict[str, float]:
    """MB of the page by part: arcs first drawn by each layer, then each layer's data by key."""
    found = _DATA.search(html)
    assert found is not None, "no data element in the page"
    data = json.loads(found.group(1))
    topology = data["topology"]
    out: dict[str, float] = {"page": len(html.encode()) / 1e6}
    seen: set[int] = set()
    point_layers = {layer["id"] for layer in data["layers"] if layer["kind"] == "point"}
    for layer_id, features in topology["layers"].items():
        if layer_id.startswith("label:") or layer_id in point_layers:
            out[f"{layer_id}: positions"] = _size(features) / 1e6
            continue
        ids = set().union(*(_arc_ids(f) for f in features if f)) - seen
        seen |= ids
        out[f"{layer_id}: arcs"] = sum(_size(topology["arcs"][i]) for i in ids) / 1e6
        out[f"{layer_id}: arc refs"] = _size(features) / 1e6
    for layer in data["layers"]:
        for key in ("keys", "names", "themes", "fields", "contexts", "labels"):
            if layer.get(key) is not None:
                out[f"{layer['id']}: {key}"] = _size(layer[key]) / 1e6
    out["scripts, styles, config"] = (len(html.encode()) - len(found.group(1).encode())) / 1e6
    return out


def _renderer_cpu_s(browser_cdp: Any) -> float:
    info = browser_cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    return sum(p["cpuTime"] for p in info if p["type"] == "renderer")


def render_once(browser: Any, browser_cdp: Any, path: Path) -> tuple[dict[str, float], list[str]]:
    """One fresh page: ms of wall, main-thread task and script CPU, renderer CPU; and its errors.

    The network is blocked (anything not local is an error); the page is ready two animation
    frames after ``load``.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.route(
        lambda url: not url.startswith(LOCAL), lambda route: (errors.append(route.request.url), route.abort())
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    before = _renderer_cpu_s(browser_cdp)
    page.goto(path.resolve().as_uri(), wait_until="load", timeout=300_000)
    wall = page.evaluate(_READY)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    process = _renderer_cpu_s(browser_cdp) - before
    page.close()
    out = {
        "wall": wall,
        "main thread": metrics["TaskDuration"] * 1000,
        "script": metrics["ScriptDuration"] * 1000,
        "renderer process": process * 1000,
    }
    return out, errors


def render_times(path: Path, repeat: int) -> dict[str, list[float]]:
    """``render_once`` ``repeat`` times in one browser; errors printed."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        browser_cdp = browser.new_browser_cdp_session()
        for _ in range(repeat):
            one, errors = render_once(browser, browser_cdp, path)
            for name, ms in one.items():
                times.setdefault(name, []).append(ms)
            if errors:
                print(f"  errors {errors[:3]}")
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--ways", type=int, default=57_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the page here too")
    parser.add_argument("--page", type=Path, nargs="*", help="only render these pages (e.g. a kept one)")
    args = parser.parse_args()
    if args.page:
        for path in args.page:
            print(f"{path}: {path.stat().st_size / 1e6:.2f} MB")
            _report(render_times(path, args.repeat))
        return

    from ntmgis.assessment import assess
    from ntmgis.maps import build_planner_map
    from ntmgis.workspace import load_workspace

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace = load_workspace(write_workspace(root, args.communes, args.ways, seed=0))
        assessment = assess(workspace)
        start = time.perf_counter()
        html = build_planner_map(workspace, assessment)
        build_s = time.perf_counter() - start
        path = root / "map.html"
        path.write_text(html, encoding="utf-8")
        if args.keep:
            args.keep.write_text(html, encoding="utf-8")
        parts = breakdown(html)
        print(
            f"{args.communes} communes, {args.ways:,} ways: page {parts['page']:.2f} MB, "
            f"built in {build_s:.1f} s"
        )
        for name, mb in sorted(parts.items(), key=lambda kv: -kv[1]):
            if name != "page" and mb >= 0.05:
                print(f"  {mb:6.2f} MB  {name}")
        _report(render_times(path, args.repeat))


def _report(times: dict[str, list[float]]) -> None:
    load = os.getloadavg()
    runs = len(times["wall"])
    print(f"render, median of {runs} (range), load average {load[0]:.1f} on {os.cpu_count()} CPUs:")
    for name, values in times.items():
        what = "wall" if name == "wall" else f"{name} CPU"
        target = "  ← the target, ≤ 3000 ms" if name == "main thread" else ""
        spread = f"({min(values):.0f}–{max(values):.0f})"
        print(f"  {what:>20} {statistics.median(values):6.0f} ms {spread}{target}")


if __name__ == "__main__":
    main()

"""Benchmark: ``ntmgis report`` and ``ntmgis map`` end to end on real-detail data, and the national clip.

Issue 12 (parts 2 and 5). Every measurement runs in its own process, whose peak resident memory
(VmHWM, from ``os.wait4``) is reported; inputs are built by ``realistic.py`` (fractal communes that
tile, OSM-like ways) and written as a workspace of GeoPackages:

* ``province``: 100 communes of 1,000–2,000 vertices, 57k ways. The baseline, measured in the
  same run, is ``geopandas.overlay`` of the ways with the communes (the clip step alone, read from
  the same files). Targets: ``ntmgis report`` faster than that baseline, peak ≤ 2 GB; ``ntmgis
  map`` the same, page ≤ 10 MB.
* ``national``: ~3,300 communes (``--vertices`` sets the detail: each shared edge has
  ``2**levels`` segments), 1M ways. The clip single-process (``road_concretization``) and on
  dask (``road_concretization_dask``, dask's threaded scheduler on this machine), same km checked;
  ``--report`` adds ``ntmgis report`` end to end. Target: end to end ≤ 120 s and ≤ 8 GB.

    nice -n 10 .venv/bin/python benchmarks/bench_end_to_end.py province --runs 3
    nice -n 10 .venv/bin/python benchmarks/bench_end_to_end.py national --runs 1 --report

Measured 2026-12-02 (machine at load 4–12 on 2 cores; figures in the README's benchmark table):
province report 108.8 s / 1.87 GB against overlay's clip alone 153.4 s (1.41×), map 136.9 s /
1.89 GB / 17.6 MB page (1.12×); national clip 73.5 s / 3.96 GB single-process, 57.7 s / 1.73 GB
on dask (threads, 33 partitions), same km. ``ntmgis report`` national did not finish: stopped
after 412 s at 21 GB resident.
The 21 GB was the road network check (one GEOS LineString per road segment for the whole
layer); tiled since, national peak 6.7 GB in the road graph (see the README).
``--fraction 0.125`` builds 1/8 national (412 communes, 125k ways); every ``ntmgis`` process's CPU
seconds are printed beside its wall time (the machine is shared). 1/8 national, 06:40 at load
13–18, after the shared vertex sort, the coverage tiling check and the box extent check: report
384 s wall, 77.6 s CPU, peak 1.41 GB.

Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import fractal_communes, osm_like_ways  # noqa: E402

SCALES = {"tiny": (6, 2_000), "province": (100, 57_000), "national": (3_300, 1_000_000)}


def write_workspace(root: Path, n_communes: int, n_ways: int, *, seed: int = 0) -> Path:
    """Communes, roads, villages and markets of real-like detail as a workspace; its yaml."""
    rng = np.random.default_rng(seed)
    communes = fractal_communes(n_communes, seed=seed)
    roads = osm_like_ways(communes, n_ways, seed=seed)
    communes["population"] = rng.integers(5_000, 15_000, len(communes))
    roads["managed_by"] = "xa"
    roads["width_m"] = np.round(rng.uniform(2.5, 7.0, len(roads)), 1)
    inside = communes.sample_points(8, rng=rng).explode(index_parts=False)
    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"V{k:07d}" for k in range(len(inside))],
            "name": [f"Thôn {k + 1}" for k in range(len(inside))],
            "commune_code": communes["commune_code"].loc[inside.index].to_numpy(),
            "kind": "thon",
            "population": rng.integers(200, 2_000, len(inside)),
        },
        geometry=inside.to_numpy(),
        crs=communes.crs,
    )
    markets = gpd.GeoDataFrame(
        {
            "market_id": [f"M{k:05d}" for k in range(len(communes))],
            "name": [f"Chợ {k + 1}" for k in range(len(communes))],
            "commune_code": communes["commune_code"].to_numpy(),
            "standard_met": "Đạt",
        },
        geometry=communes.geometry.representative_point().to_numpy(),
        crs=communes.crs,
    )
    layers = {"communes": communes, "roads": roads, "villages": villages, "markets": markets}
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, root / f"{name}.gpkg", layer=name)
    config = {
        "name": "benchmark",
        "district": {"name": "Thử", "province": "Bắc Giang", "kind": "huyen"},
        "status_year": 2023,
        "working_crs": "EPSG:9214",
        "layers": {name: {"path": f"{name}.gpkg", "layer": name} for name in layers},
        "tables": {},
    }
    path = root / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def clip(method: str, root: Path, out: Path) -> None:
    """One clip in this (child) process, from the workspace files; prints its seconds."""
    communes = pyogrio.read_dataframe(root / "communes.gpkg")
    roads = pyogrio.read_dataframe(root / "roads.gpkg")
    start = time.perf_counter()
    if method == "overlay":
        from bench_concretization import overlay

        table = overlay(roads, communes).reset_index()
    elif method == "dask":
        from ntmgis.analysis.distributed import road_concretization_dask

        table = road_concretization_dask(roads, communes)
    else:
        from ntmgis.analysis.network import road_concretization

        table = road_concretization(roads, communes)
    seconds = time.perf_counter() - start
    table.to_parquet(out)
    print(json.dumps({"seconds": seconds}))


def run(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds and peak RSS (MB, the child's VmHWM) of one process; its stdout."""
    wall, peak, stdout, _ = run_cpu(command)
    return wall, peak, stdout


def run_cpu(command: list[str]) -> tuple[float, float, str, float]:
    """:func:`run` and the child's CPU seconds (user + system: the machine is shared)."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    stdout, stderr = child.stdout.read(), child.stderr.read()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise RuntimeError(f"{command[:4]} failed:\n{stderr[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout, usage.ru_utime + usage.ru_stime


def same_km(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    key = ["commune_code", "road_class"]
    a = a[a["total_km"] > 0].set_index(key)[["total_km", "concretized_km"]].sort_index()
    b = b[b["total_km"] > 0].set_index(key)[["total_km", "concretized_km"]].sort_index()
    return a.index.equals(b.index) and bool(np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-6, atol=1e-9))


def _summary(name: str, walls: list[float], peaks: list[float], extra: str = "") -> dict[str, float]:
    med = statistics.median(walls)
    print(
        f"{name:28s} {med:8.1f} s ({min(walls):.1f}–{max(walls):.1f}, {len(walls)} runs)"
        f"  peak {max(peaks):7.0f} MB {extra}"
    )
    return {"median": med, "min": min(walls), "max": max(walls), "peak_mb": max(peaks)}


def measure(scale: str, root: Path, runs: int, *, report: bool, map_page: bool, baseline: bool) -> None:
    py = sys.executable
    me = str(Path(__file__).resolve())
    results: dict[str, dict[str, float]] = {}
    tables = {}
    methods = (["overlay"] if baseline else []) + ["ntmgis", "dask"]
    for method in methods:
        walls, peaks, clips = [], [], []
        for _ in range(runs):
            out = root / f"{method}.parquet"
            wall, peak, stdout = run([py, me, "--child", method, str(root), str(out)])
            walls.append(wall)
            peaks.append(peak)
            clips.append(json.loads(stdout.strip().splitlines()[-1])["seconds"])
            tables[method] = pd.read_parquet(out)
        results[method] = _summary(f"clip {method} (process)", walls, peaks)
        results[method]["clip_s"] = statistics.median(clips)
        print(f"{'':28s} clip step alone {statistics.median(clips):.1f} s (median)")
    for method in methods[:-1] if len(methods) > 1 else []:
        print(f"same km as dask: {method}: {same_km(tables[method], tables['dask'])}")
    commands = {}
    if report:
        commands["ntmgis report"] = [
            "report",
            str(root / "workspace.yaml"),
            "--out",
            str(root / "r.xlsx"),
            "-q",
        ]
    if map_page:
        commands["ntmgis map"] = ["map", str(root / "workspace.yaml"), "--out", str(root / "m.html"), "-q"]
    for name, args in commands.items():
        walls, peaks, cpus = [], [], []
        for _ in range(runs):
            wall, peak, _, cpu = run_cpu([py, "-m", "ntmgis.cli", *args])
            walls.append(wall)
            peaks.append(peak)
            cpus.append(cpu)
        extra = f"cpu {statistics.median(cpus):.1f} s"
        extra += f" page {(root / 'm.html').stat().st_size / 1e6:.1f} MB" if name == "ntmgis map" else ""
        results[name] = _summary(name, walls, peaks, extra)
        if baseline:
            ratio = results["overlay"]["clip_s"] / results[name]["median"]
            print(f"{'':28s} overlay's clip step / {name}: {ratio:.2f}× (> 1: {name} is faster)")
    print(json.dumps({"scale": scale, "load": os.getloadavg(), **results}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        clip(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="national: also ntmgis report end to end")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the workspace in this folder")
    parser.add_argument("--fraction", type=float, default=1.0, help="that share of the communes and ways")
    args = parser.parse_args()
    n_communes, n_ways = (max(int(round(n * args.fraction)), 1) for n in SCALES[args.scale])
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        if not (root / "workspace.yaml").exists():
            start = time.perf_counter()
            write_workspace(root, n_communes, n_ways)
            print(f"inputs: {n_communes} communes, {n_ways:,} ways ({time.perf_counter() - start:.0f} s)")
        province = args.scale != "national"
        measure(
            args.scale,
            root,
            args.runs,
            report=province or args.report,
            map_page=province,
            baseline=province,
        )


if __name__ == "__main__":
    main()

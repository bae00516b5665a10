"""Benchmark: ``ntmgis validate`` on 200k village points and on 1M road segments (issue 15 part 5).

Each measurement is a fresh ``ntmgis validate`` process (``bench_end_to_end.run``: wall seconds
and the child's peak resident set from ``os.wait4``), at two sizes of each input so that time and
memory can be seen to grow in proportion. The communes are 200 fractal polygons
(``realistic.fractal_communes``); villages are points sampled inside them; roads are straight
two-vertex segments of 30–300 m (``road segments`` as an office's layer has them, not ways).
A watchdog stops a child above ``--max-rss-mb`` (default 1,900 MB: the shared machine).

    nice -n 10 .venv/bin/python benchmarks/bench_bounds.py
    nice -n 10 .venv/bin/python benchmarks/bench_bounds.py --points 20000 200000 --segments 100000 1000000

Measured 2026-12-02 05:30-05:45 (2 shared cores, load 4-16), once each: points 100k 30.7 s /
275 MB, 200k 37.7 s / <= 357 MB; segments 100k 31.9 s / 403 MB, 500k 57.0 s / 1.26 GB; 1M not
measured (the next run, at load 16, took 454 s for 100k points and was stopped). Profile of 100k
segments (33 s): imports 8.5 s, the communes' tiling check 8.1 s, the road-network check 10 s
(analysis/graph.py), reading + CRS 5 s, validate_layer 1.5 s.
Since (07:00, load 17): the tiling check of the 200 communes takes the coverage path (0.6 s CPU
against 3.7 s), the extent check transforms the layer's box, not every vertex; 1M segments
validate 515 s wall but **64.5 s CPU** (57.9 user + 6.6 system), peak 2.29 GB (500k: 1.26 GB, so
memory grows with the input); 200k points 78.4 s wall, 12.7 s CPU, 350 MB. The child's CPU
seconds are printed beside the wall time.

Not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_end_to_end import run, run_cpu  # noqa: E402
from realistic import fractal_communes  # noqa: E402

_CLASSES = np.array(["xa", "lien_thon", "truc_thon", "ngo_xom", "noi_dong", "huyen"])
_SURFACES = np.array(["be_tong", "nhua", "dat", "cap_phoi"])


def villages(communes: gpd.GeoDataFrame, n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` village points inside the communes, with their commune codes."""
    rng = np.random.default_rng(seed)
    per = int(np.ceil(n / len(communes)))
    inside = communes.sample_points(per, rng=rng).explode(index_parts=False).iloc[:n]
    return gpd.GeoDataFrame(
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


def segments(communes: gpd.GeoDataFrame, n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` two-vertex road segments over the communes' extent."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = communes.total_bounds
    start = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    heading = rng.uniform(0, 2 * np.pi, n)
    length = rng.uniform(30, 300, n)
    end = start + np.column_stack([np.cos(heading), np.sin(heading)]) * length[:, None]
    coords = np.stack([start, end], axis=1)
    return gpd.GeoDataFrame(
        {
            "segment_id": [f"R{k:07d}" for k in range(n)],
            "road_class": _CLASSES[rng.integers(0, len(_CLASSES), n)],
            "surface": _SURFACES[rng.integers(0, len(_SURFACES), n)],
            "width_m": np.round(rng.uniform(2.5, 7.0, n), 1),
        },
        geometry=shapely.linestrings(coords),
        crs=communes.crs,
    )


def workspace(root: Path, communes: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame]) -> Path:
    """The communes and ``layers`` as GeoPackages and a workspace.yaml under ``root``; its path."""
    root.mkdir(parents=True, exist_ok=True)
    frames = {"communes": communes, **layers}
    for name, frame in frames.items():
        pyogrio.write_dataframe(frame, root / f"{name}.gpkg", layer=name)
    config = {
        "name": "bounds",
        "district": {"name": "Thử", "province": "Bắc Giang", "kind": "huyen"},
        "status_year": 2023,
        "working_crs": "EPSG:9214",
        "layers": {name: {"path": f"{name}.gpkg", "layer": name} for name in frames},
        "tables": {},
    }
    path = root / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _watchdog(limit_mb: float) -> threading.Event:
    """Kill any ``ntmgis`` child of this process whose resident set passes ``limit_mb``."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                if f"PPid:\t{os.getpid()}\n" not in status:
                    continue
                rss = next(
                    (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")), 0
                )
                if rss / 1024 > limit_mb:
                    os.kill(int(pid), 9)
                    print(f"  stopped child {pid} at {rss / 1024:.0f} MB", file=sys.stderr)

    threading.Thread(target=watch, daemon=True).start()
    return stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, nargs="+", default=[100_000, 200_000])
    parser.add_argument("--segments", type=int, nargs="+", default=[500_000, 1_000_000])
    parser.add_argument("--communes", type=int, default=200)
    parser.add_argument("--max-rss-mb", type=float, default=1_900.0)
    parser.add_argument("--build", nargs=3, metavar=("LAYER", "N", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # a child: write one workspace (the parent stays small, so the peaks are the CLI's)
        name, n, root = args.build
        communes = fractal_communes(args.communes)
        make = villages if name == "villages" else segments
        workspace(Path(root), communes, {name: make(communes, int(n))})
        return
    stop = _watchdog(args.max_rss_mb)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("villages", n) for n in args.points] + [("roads", n) for n in args.segments]
        for name, n in cases:
            path = Path(tmp) / f"{name}_{n}" / "workspace.yaml"
            built, _, _ = run([py, __file__, "--build", name, str(n), str(path.parent)])
            base_wall, base_peak, _ = run([py, "-c", "import ntmgis.workspace, ntmgis.validate"])
            wall, peak, _, cpu = run_cpu([py, "-m", "ntmgis.cli", "validate", str(path)])
            print(
                f"{name:8s} {n:>9,d}  validate {wall:6.1f} s (cpu {cpu:.1f} s)  peak {peak:6.0f} MB  "
                f"(start-up {base_wall:.1f} s / {base_peak:.0f} MB; inputs built in {built:.0f} s)",
                flush=True,
            )
    stop.set()


if __name__ == "__main__":
    main()

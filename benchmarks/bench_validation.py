"""Benchmark: validation and ``ntmgis report`` end to end, against just reading the layers (pyogrio).

Two office-like workspaces written to GeoPackages (issue 11): a district (22 communes, 25k road
segments) and a province (200 communes, 250k segments, ≈ 10 districts). Roads carry the labels
offices write ("Đường thôn", "Bê tông", "HTX"...) and a width typed as text (with blank cells);
villages (points) and markets have commune codes that lost their leading zero. The baseline is
``pyogrio.read_dataframe`` of every layer, measured in the same run.

Targets: validation ≤ 1× the read time; the whole report ≤ 5× the read time. The report runs
as a fresh ``ntmgis report`` process (its wall time includes start-up and reading); its peak
memory is the child's maximum resident set. Not a test.

    .venv/bin/python benchmarks/bench_validation.py                   # district + province
    .venv/bin/python benchmarks/bench_validation.py --district-only --profile

Measured (2026-12-02, 2 cores shared with five other agents and CI, so wall times are noisy; the
ratio is against the read time of the same run), district of 25k segments, ``--district-only``:

    ======================  ========  ==========  ===========  ===============  =========
    run                     read      validation  report       report / read    peak RSS
    ======================  ========  ==========  ===========  ===============  =========
    district, before        0.50 s    0.56 s      22.0 s       43.9×            324 MB
    district, after         0.50 s    0.46 s      14.5 s       29.0×            321 MB
    district, after (2nd)   0.61 s    0.58 s      16.9 s       27.7×            321 MB
    province, after [*]     6.43 s    3.26 s      216 s        33.7×            1,018 MB
    ======================  ========  ==========  ===========  ===============  =========

"before" is be02e07 with this same workspace (no plan); [*] with a pytest run alongside.
The sample's outputs (``tools/output_hashes.py``) are unchanged, workbook parts included.

Where the report's time went before (cProfile, in process): workbook writing ≈ 55 % (openpyxl
builds and serialises ≈ 121k ``Cell`` objects; now written directly, byte-identical, 12.5 s →
≈ 2 s), imports ≈ 10 % (pandas, geopandas, scipy, openpyxl), YAML catalogue and criteria
parsing ≈ 6 % (now libyaml), loading ≈ 12 % (pyogrio, legacy-encoding scoring of ASCII ids,
VN-2000 candidate query for EPSG layers: both now skipped), assessment ≈ 20 % (road-network
check with its STRtree crossings query, village reach, criteria). The 5× target (≈ 2.5 s here)
is not reached: start-up imports alone take 2–5 s on this machine.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
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
from common import timed  # noqa: E402
from synthetic import synthetic_district  # noqa: E402

from ntmgis.validate import validate_layer  # noqa: E402
from ntmgis.vocab import contracts  # noqa: E402

WORKSPACES = {"district": (22, 25_000), "province": (200, 250_000)}
ROAD_LABELS = np.array(
    ["Đường xã", "Đường thôn", "Đường liên thôn", "Đường ngõ xóm", "Đường nội đồng", "ĐH", "xa", "truc_thon"]
)
SURFACE_LABELS = np.array(["Bê tông", "BTXM", "Nhựa", "Đất", "Cấp phối", "be_tong", "dat"])
MANAGERS = np.array(["UBND xã", "HTX", "Thôn", "xa", ""])
VILLAGES_PER_COMMUNE = 12


def office_workspace(root: Path, n_communes: int, n_segments: int, *, seed: int = 11) -> Path:
    """Write communes, roads, village points and markets as an office would; the workspace.yaml."""
    rng = np.random.default_rng(seed)
    communes, roads = synthetic_district(n_communes, n_segments, seed=seed)
    # No ``plan:`` key: plans are optional, so the workspace has none (no plan sheet is assessed).
    communes["commune_code"] = [f"{k + 1:05d}" for k in range(len(communes))]
    communes["name"] = [f"Thử {k + 1}" for k in range(len(communes))]
    communes["kind"] = ["thi_tran" if k in (12, 13) else "xa" for k in range(len(communes))]
    communes["population"] = rng.integers(5_000, 15_000, len(communes))
    roads["road_class"] = ROAD_LABELS[rng.integers(0, len(ROAD_LABELS), n_segments)]
    roads["surface"] = SURFACE_LABELS[rng.integers(0, len(SURFACE_LABELS), n_segments)]
    roads["managed_by"] = MANAGERS[rng.integers(0, len(MANAGERS), n_segments)]
    width = np.round(rng.uniform(2.5, 7.0, n_segments), 1).astype(str).astype(object)
    width[rng.integers(0, n_segments, n_segments // 50)] = " "  # blanks typed in a text column
    roads["width_m"] = width
    inside = communes.sample_points(VILLAGES_PER_COMMUNE, rng=rng).explode(index_parts=False)
    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"V{k:06d}" for k in range(len(inside))],
            "name": [f"Thôn {k + 1}" for k in range(len(inside))],
            "commune_code": communes["commune_code"].loc[inside.index].astype(int).to_numpy(),  # lost zeros
            "kind": "thon",
            "population": rng.integers(200, 2_000, len(inside)),
        },
        geometry=inside.to_numpy(),
        crs=communes.crs,
    )
    centres = communes.geometry.representative_point()
    markets = gpd.GeoDataFrame(
        {
            "market_id": [f"M{k:04d}" for k in range(len(communes))],
            "name": [f"Chợ {k + 1}" for k in range(len(communes))],
            "commune_code": communes["commune_code"].astype(int).to_numpy(),
            "standard_met": rng.choice(np.array(["Đạt", "Chưa đạt"], dtype=object), len(communes)),
        },
        geometry=centres.to_numpy(),
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


def read_layers(root: Path) -> dict[str, gpd.GeoDataFrame]:
    """The baseline: every layer read with pyogrio, nothing else."""
    return {p.stem: pyogrio.read_dataframe(p) for p in sorted(root.glob("*.gpkg"))}


def validate_layers(frames: dict[str, gpd.GeoDataFrame]) -> int:
    """Validate every layer as the workspace does (commune references checked); problems found."""
    codes = validate_layer(frames["communes"], "communes").frame["commune_code"].tolist()
    count = 0
    for name, frame in frames.items():
        spec = contracts()["layers"][name]
        id_column = spec.get("id")
        if id_column in frame.columns:
            frame = frame.set_index(pd.RangeIndex(len(frame)))
        count += len(validate_layer(frame, name, commune_codes=codes).problems)
    return count


def report_process(workspace: Path, out: Path) -> tuple[float, float, str]:
    """Wall time (s) and peak resident memory (MB) of one ``ntmgis report`` process; its stderr."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "ntmgis.cli", "report", str(workspace), "--out", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, stderr = child.communicate()
    seconds = time.perf_counter() - start
    peak_mb = _child_peak_mb()
    if child.returncode:
        raise RuntimeError(f"ntmgis report exited {child.returncode}:\n{stderr[:3000]}")
    return seconds, peak_mb, stderr


def _child_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def startup_process() -> float:
    """Wall time (s) of a fresh interpreter importing what ``ntmgis report`` imports, nothing run."""
    modules = "import ntmgis.cli, ntmgis.assessment, ntmgis.report, ntmgis.workspace"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", modules], check=True, capture_output=True)
    return time.perf_counter() - start


def report_in_process(workspace: Path, out: Path) -> tuple[float, dict[str, float]]:
    """Wall time (s) of ``ntmgis report`` run in this process (modules already imported) and by step.

    The steps are the command's progress steps (read, assess, report), timed by wrapping
    ``ntmgis.cli._step``.
    """
    from contextlib import contextmanager, redirect_stdout

    import ntmgis.assessment  # noqa: F401  (imported before timing: no import in the measure)
    import ntmgis.cli as cli
    import ntmgis.report  # noqa: F401
    import ntmgis.workspace  # noqa: F401

    steps: dict[str, float] = {}
    plain = cli._step

    @contextmanager
    def timed_step(args, progress, key, **fields):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        with plain(args, progress, key, **fields):
            yield
        steps[key] = steps.get(key, 0.0) + time.perf_counter() - start

    cli._step = timed_step
    try:
        start = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            code = cli.main(["report", str(workspace), "--out", str(out), "--quiet"])
        seconds = time.perf_counter() - start
    finally:
        cli._step = plain
    if code:
        raise RuntimeError(f"ntmgis report exited {code}")
    return seconds, steps


def _spread(values: list[float]) -> str:
    """``median s (min–max)`` of repeated wall times."""
    return f"{statistics.median(values):7.2f} s ({min(values):.2f}–{max(values):.2f})"


def profile_report(workspace: Path, out: Path, top: int = 25) -> str:
    """The report's cumulative cProfile, top functions (in this process)."""
    from ntmgis.cli import main

    profiler = cProfile.Profile()
    profiler.enable()
    main(["report", str(workspace), "--out", str(out), "--quiet"])
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(top)
    return stream.getvalue()


def run(scale: str, *, repeat: int, report_repeat: int, profile: bool) -> None:
    """Print one block per workspace: read, validation and report, with their ratios.

    The report is measured three ways, each against the read time: as a fresh process (what a
    user waits for), in this process (read + assess + write, no interpreter start, by step), and
    the start-up alone (a fresh interpreter importing the modules the report imports).
    """
    n_communes, n_segments = WORKSPACES[scale]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        workspace = office_workspace(root, n_communes, n_segments)
        read_s, frames = timed(read_layers, root, repeat=repeat)
        rows = sum(len(f) for f in frames.values())
        validate_s, problems = timed(validate_layers, frames, repeat=repeat)
        process, startup, inside, steps = [], [], [], []
        peak_mb = 0.0
        for k in range(report_repeat):
            seconds, peak_mb, _ = report_process(workspace, root / "out" / f"report_{k}.xlsx")
            process.append(seconds)
            startup.append(startup_process())
            seconds, by_step = report_in_process(workspace, root / "out" / f"inproc_{k}.xlsx")
            inside.append(seconds)
            steps.append(by_step)
        print(f"{scale}: {n_communes} communes, {n_segments:,} road segments, {rows:,} features")
        print(f"  read (pyogrio, baseline) {read_s:7.2f} s")
        print(
            f"  validation               {validate_s:7.2f} s  {validate_s / read_s:5.2f}× read  (target ≤ 1×)"
        )
        print(f"    problems found         {problems:7d}")
        runs = f"median of {report_repeat}, range"
        for name, values in (
            ("ntmgis report (process)", process),
            ("  in process", inside),
            ("  start-up (imports)", startup),
        ):
            target = "  (target ≤ 5×)" if values is process else ""
            ratio = statistics.median(values) / read_s
            print(f"  {name:<24} {_spread(values)}  {ratio:5.2f}× read{target}  [{runs}]")
        for key in steps[0]:
            values = [s[key] for s in steps]
            print(f"    step {key:<19} {_spread(values)}  {statistics.median(values) / read_s:5.2f}× read")
        print(f"  peak RSS (process)       {peak_mb:7,.0f} MB")
        if profile:
            print(profile_report(workspace, root / "out" / "profiled.xlsx"))


def main() -> None:
    """Parse options and run the workspaces."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--district-only", action="store_true", help="skip the province workspace")
    parser.add_argument("--repeat", type=int, default=3, help="repeats of read and validation (median)")
    parser.add_argument("--report-repeat", type=int, default=5, help="runs of the report (median, range)")
    parser.add_argument("--profile", action="store_true", help="also print the report's cProfile")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    for scale in ("district",) if args.district_only else ("district", "province"):
        report_repeat = args.report_repeat if scale == "district" else 1
        run(scale, repeat=args.repeat, report_repeat=report_repeat, profile=args.profile)


if __name__ == "__main__":
    main()

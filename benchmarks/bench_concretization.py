"""Benchmark: road concretization per commune × class, ntmgis vs geopandas.overlay and DuckDB spatial.

Each (scale, method) runs in its own process, so its peak memory is its own: the process's peak
RSS (VmHWM) is reset after the inputs are built (``/proc/self/clear_refs``) and read after the
method's runs, so "peak MB" is the most the process held while clipping, inputs included.
Prints medians and ranges, the ratios to ntmgis in the same run, and whether every method gives
the same km per (commune, class) as ntmgis (1e-6 relative). Not a test.

Scales: ``district``/``province`` are the old synthetic grid (4-vertex communes, 2–4-vertex
segments); ``real-district``/``real-province`` are real-like inputs from ``realistic.py``
(fractal communes of 1,000–2,000 vertices tiling the plane, OSM-like ways of 2–40 vertices).

    .venv/bin/python benchmarks/bench_concretization.py                   # all four scales
    .venv/bin/python benchmarks/bench_concretization.py --scales real-province --repeat 5
    .venv/bin/python benchmarks/bench_concretization.py --national        # + national slice (heavy)

DuckDB spatial is loaded from the ``duckdb-extension-spatial`` wheel's file (offline, no
download); without the ``bench`` extra installed its rows say so and the others still run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic import REAL_SCALES, fractal_communes, osm_like_ways  # noqa: E402
from synthetic import SCALES, synthetic_district  # noqa: E402

from ntmgis.analysis.network import road_concretization  # noqa: E402
from ntmgis.vocab import concretized_surfaces  # noqa: E402

METHODS = ("ntmgis", "overlay", "duckdb")
KEY = ["commune_code", "road_class"]


def inputs(scale: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """(communes, roads) of a scale, the same every run (fixed seeds)."""
    if scale in REAL_SCALES:
        n_communes, n_ways = REAL_SCALES[scale]
        communes = fractal_communes(n_communes, seed=1)
        return communes, osm_like_ways(communes, n_ways, seed=2)
    n_communes, n_segments = SCALES[scale]
    return synthetic_district(n_communes, n_segments, seed=1)


def overlay(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """geopandas.overlay(lines, communes) + groupby: the straightforward method."""
    pieces = gpd.overlay(
        roads, communes[["commune_code", "geometry"]], how="intersection", keep_geom_type=True
    )
    km = pieces.geometry.length / 1000.0
    frame = pd.DataFrame(
        {
            "commune_code": pieces["commune_code"],
            "road_class": pieces["road_class"],
            "total_km": km,
            "concretized_km": km.where(pieces["surface"].isin(concretized_surfaces()), 0.0),
        }
    )
    return frame.groupby(KEY)[["total_km", "concretized_km"]].sum()


def _duckdb_connection():  # noqa: ANN202 (duckdb is an optional benchmark dependency)
    import duckdb
    import duckdb_extension_spatial

    # The extension file shipped in the wheel, loaded by path: nothing is downloaded.
    found = sorted(
        Path(duckdb_extension_spatial.__file__).parent.glob("extensions/*/spatial.duckdb_extension")
    )
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(f"LOAD '{found[-1]}'")
    return con


def duckdb_spatial(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """DuckDB spatial: an ``ST_Intersects`` join (its spatial join operator) + ``ST_Intersection``."""
    con = _duckdb_connection()
    road_rows = pd.DataFrame(
        {
            "road_class": roads["road_class"].to_numpy(),
            "concrete": roads["surface"].isin(concretized_surfaces()).to_numpy(),
            "wkb": roads.geometry.to_wkb().to_numpy(),
        }
    )
    commune_rows = pd.DataFrame(
        {"commune_code": communes["commune_code"].to_numpy(), "wkb": communes.geometry.to_wkb().to_numpy()}
    )
    con.register("road_rows", road_rows)
    con.register("commune_rows", commune_rows)
    con.execute("CREATE TABLE r AS SELECT road_class, concrete, ST_GeomFromWKB(wkb) AS geom FROM road_rows")
    con.execute("CREATE TABLE c AS SELECT commune_code, ST_GeomFromWKB(wkb) AS geom FROM commune_rows")
    table = con.execute(
        """
        SELECT commune_code, road_class,
               sum(km) AS total_km, sum(CASE WHEN concrete THEN km ELSE 0 END) AS concretized_km
        FROM (SELECT c.commune_code, r.road_class, r.concrete,
                     ST_Length(ST_Intersection(r.geom, c.geom)) / 1000.0 AS km
              FROM r JOIN c ON ST_Intersects(r.geom, c.geom))
        GROUP BY commune_code, road_class
        """
    ).df()
    con.close()
    return table.set_index(KEY)[["total_km", "concretized_km"]]


def ntmgis(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    table = road_concretization(roads, communes)
    return table.set_index(KEY)[["total_km", "concretized_km"]]


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(scale: str, method: str, repeat: int, out: Path) -> None:
    """Run one method on one scale ``repeat`` times; write times, peak RSS and its km table."""
    communes, roads = inputs(scale)
    function = {"ntmgis": ntmgis, "overlay": overlay, "duckdb": duckdb_spatial}[method]
    try:
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS from here on
    except OSError:
        pass
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(roads, communes)
        times.append(time.perf_counter() - start)
    assert result is not None
    result = result[result["total_km"] > 0]
    result.reset_index().to_csv(out, index=False)
    print(json.dumps({"times": times, "peak_mb": _peak_rss_mb(), "vertices": _vertices(communes, roads)}))


def _vertices(communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame) -> list[int]:
    import shapely

    return [
        len(communes),
        int(shapely.get_num_coordinates(communes.geometry.to_numpy()).sum()),
        len(roads),
        int(shapely.get_num_coordinates(roads.geometry.to_numpy()).sum()),
    ]


def run(scale: str, method: str, repeat: int, tmp: Path) -> tuple[dict, pd.DataFrame | None]:
    out = tmp / f"{scale}-{method}.csv"
    done = subprocess.run(
        [sys.executable, __file__, "--child", scale, method, str(repeat), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return {"error": last}, None
    return json.loads(done.stdout.strip().splitlines()[-1]), pd.read_csv(out, dtype={"commune_code": str})


def same_km(mine: pd.DataFrame, other: pd.DataFrame) -> bool:
    joined = mine.set_index(KEY).join(other.set_index(KEY).add_suffix("_b"), how="outer").fillna(0.0)
    return all(
        np.allclose(joined[c], joined[c + "_b"], rtol=1e-6, atol=1e-9) for c in ("total_km", "concretized_km")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--national", action="store_true", help="also run the ~1M-segment national slice")
    parser.add_argument(
        "--scales", nargs="*", default=["district", "province", "real-district", "real-province"]
    )
    parser.add_argument("--methods", nargs="*", default=list(METHODS))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        scale, method, repeat, out = args.child
        child(scale, method, int(repeat), Path(out))
        return
    import tempfile

    scales = args.scales + (["national"] if args.national else [])
    print(f"{'scale':<14}{'method':<9}{'median s':>9}  {'range s':<14}{'peak MB':>8}{'ratio':>8}  same km")
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            repeat = 1 if scale == "national" else args.repeat
            results = {m: run(scale, m, repeat, Path(tmp)) for m in args.methods}
            info = next((r for r, _ in results.values() if "vertices" in r), {})
            if "vertices" in info:
                c, cv, w, wv = info["vertices"]
                print(f"{scale}: {c} communes ({cv:,} vertices), {w:,} ways ({wv:,} vertices)")
            base = results.get("ntmgis", ({}, None))
            t_ours = statistics.median(base[0]["times"]) if "times" in base[0] else float("nan")
            for method, (stats, table) in results.items():
                if "error" in stats:
                    print(f"{'':<14}{method:<9}  not run: {stats['error']}")
                    continue
                times = stats["times"]
                median = statistics.median(times)
                same = "—" if method == "ntmgis" or base[1] is None else str(same_km(base[1], table))
                print(
                    f"{'':<14}{method:<9}{median:>9.2f}  {min(times):>5.2f}–{max(times):<7.2f}"
                    f"{stats['peak_mb']:>8.0f}{median / t_ours:>7.1f}×  {same}"
                )


if __name__ == "__main__":
    main()

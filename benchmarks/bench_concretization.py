"""Benchmark: road concretization per commune × class, ntmgis vs geopandas.overlay + groupby.

Prints medians, the speed-up and whether both give the same km (1e-6 relative). Not a test.

    .venv/bin/python benchmarks/bench_concretization.py                 # district + province
    .venv/bin/python benchmarks/bench_concretization.py --national      # + national slice (heavy)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed  # noqa: E402
from synthetic import SCALES, synthetic_district  # noqa: E402

from ntmgis.analysis.network import road_concretization  # noqa: E402
from ntmgis.vocab import concretized_surfaces  # noqa: E402


def baseline(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
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
    return frame.groupby(["commune_code", "road_class"])[["total_km", "concretized_km"]].sum()


def ours(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    table = road_concretization(roads, communes)
    return table.set_index(["commune_code", "road_class"])[["total_km", "concretized_km"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--national", action="store_true", help="also run the ~1M-segment national slice")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scales = ["district", "province"] + (["national"] if args.national else [])
    print(f"{'scale':<10}{'communes':>9}{'segments':>10}{'ntmgis s':>10}{'overlay s':>11}{'ratio':>8}  same")
    for scale in scales:
        n_communes, n_segments = SCALES[scale]
        communes, roads = synthetic_district(n_communes, n_segments, seed=1)
        repeat = 1 if scale == "national" else args.repeat
        t_ours, mine = timed(ours, roads, communes, repeat=repeat)
        t_base, base = timed(baseline, roads, communes, repeat=repeat)
        mine = mine[mine["total_km"] > 0]
        joined = mine.join(base.add_suffix("_base"), how="outer").fillna(0.0)
        same = all(
            np.allclose(joined[c], joined[c + "_base"], rtol=1e-6, atol=1e-9)
            for c in ("total_km", "concretized_km")
        )
        print(
            f"{scale:<10}{n_communes:>9}{n_segments:>10}{t_ours:>10.3f}{t_base:>11.3f}"
            f"{t_base / t_ours:>7.1f}×  {same}"
        )


if __name__ == "__main__":
    main()

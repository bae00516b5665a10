"""Benchmark: noding a road layer, ntmgis ``node_roads`` vs ``shapely.unary_union`` + nearest-attribute join.

Two realistic unnoded layers:

* the embedded sample's roads with every vertex jittered by up to ±0.5 m, so that no two roads share
  a vertex any more (a layer digitised without snapping);
* 1500 long random ways (2–40 vertices, 120 m steps) over a 25 km square, crossing each other freely.

For each method: median time, components of the road graph after, total length change, and whether
every piece can be traced to its feature (``unary_union`` dissolves identity: pieces get their
attributes back from the nearest original line, and overlapping pieces are merged). Not a test.

    .venv/bin/python benchmarks/bench_noding.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed  # noqa: E402

import ntmgis  # noqa: E402
from ntmgis.analysis.graph import check_road_network, node_roads  # noqa: E402


def jittered_sample(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The sample's roads with their shared vertices pulled apart (±0.5 m)."""
    roads = ntmgis.load_workspace().layer("roads")
    jitter = shapely.transform(roads.geometry.to_numpy(), lambda xy: xy + rng.uniform(-0.5, 0.5, xy.shape))
    return roads.set_geometry(gpd.GeoSeries(jitter, index=roads.index, crs=roads.crs))


def random_ways(rng: np.random.Generator, n: int = 1500, step_m: float = 120.0) -> gpd.GeoDataFrame:
    """Random walks of 2–40 vertices (as tests/test_real_district.py draws them)."""
    ways = []
    for _ in range(n):
        count = int(rng.integers(2, 41))
        start = rng.uniform((0, 0), (25_000, 25_000))
        turns = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, count - 1))
        steps = np.c_[np.cos(turns), np.sin(turns)] * rng.uniform(0.3, 1.0, (count - 1, 1)) * step_m
        ways.append(shapely.LineString(np.vstack([start, start + np.cumsum(steps, axis=0)])))
    return gpd.GeoDataFrame({"segment_id": [f"W{i:05d}" for i in range(n)]}, geometry=ways, crs=9214)


def baseline(roads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Node with ``unary_union``, then give each piece the attributes of the nearest original line."""
    pieces = gpd.GeoDataFrame(
        geometry=shapely.get_parts(shapely.line_merge(shapely.unary_union(roads.geometry.to_numpy()))),
        crs=roads.crs,
    )
    pieces = gpd.GeoDataFrame(geometry=pieces.geometry.explode(index_parts=False).to_numpy(), crs=roads.crs)
    # line_merge joins pieces back across degree-2 nodes: split again at every vertex to stay honest.
    pieces = gpd.GeoDataFrame(geometry=shapely.get_parts(shapely.node(pieces.union_all())), crs=roads.crs)
    middle = gpd.GeoDataFrame(geometry=pieces.interpolate(0.5, normalized=True), crs=roads.crs)
    joined = gpd.sjoin_nearest(middle, roads, how="left").groupby(level=0).first()
    return gpd.GeoDataFrame(joined.drop(columns="geometry"), geometry=pieces.geometry, crs=roads.crs)


def main() -> None:
    """Print one line per layer and method."""
    rng = np.random.default_rng(11)
    for name, roads in (("sample jittered", jittered_sample(rng)), ("random ways", random_ways(rng))):
        before = check_road_network(roads).iloc[0]
        print(
            f"{name}: {len(roads)} features, {before.components} components, "
            f"{before.crossings} crossings, {before.dangling_ends} dangling ends ≤ 2 m"
        )
        for method, run in (("ntmgis node_roads", node_roads), ("unary_union + nearest", baseline)):
            seconds, noded = timed(run, roads, repeat=3)
            after = check_road_network(noded).iloc[0]
            change = noded.length.sum() - roads.length.sum()
            traced = noded["segment_id"].astype(str).str.split("#").str[0].isin(roads["segment_id"]).all()
            print(
                f"  {method:24s} {seconds:6.2f} s  {len(noded):6d} pieces  {after.components:5d} components"
                f"  length change {change:+.3f} m  ids traced: {traced}"
            )


if __name__ == "__main__":
    main()

"""The dask-geopandas path equals the single-process path, on a local cluster of several workers.

A partitioned case of real-like detail (``benchmarks/realistic.py``): 30 fractal communes of
1,000–2,000 vertices in 6 Hilbert partitions, 3,000 OSM-like ways of which many cross a partition
border, plus ways lying exactly on shared borders (the lower code takes them, also when the two
communes are in different partitions) and a way beyond the district edge.
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

from ntmgis.analysis.distributed import canal_lining_dask, road_concretization_dask  # noqa: E402
from ntmgis.analysis.network import canal_lining, road_concretization  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from realistic import fractal_communes, osm_like_ways  # noqa: E402

N_PARTITIONS = 6


@pytest.fixture(scope="module")
def client():
    # Three worker processes of one thread: the tasks run in other interpreters, so everything
    # they get is pickled, as on a real cluster. No dashboard (another run may hold its port).
    with (
        distributed.LocalCluster(
            n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def _border_ways(communes: gpd.GeoDataFrame) -> list[shapely.Geometry]:
    """Pieces of the shared borders themselves: a way lying along the line two communes share."""
    geoms = communes.geometry.to_numpy()
    a, b = shapely.STRtree(geoms).query(geoms, predicate="touches")
    keep = a < b
    shared = shapely.intersection(shapely.boundary(geoms[a[keep]]), shapely.boundary(geoms[b[keep]]))
    lines = [part for g in shared for part in shapely.get_parts(shapely.line_merge(g))]
    return [line for line in lines if line.geom_type == "LineString" and line.length > 100][:40]


@pytest.fixture(scope="module")
def case() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    communes = fractal_communes(30, seed=3)
    ways = osm_like_ways(communes, 3_000, seed=4)
    borders = _border_ways(communes)
    extra = gpd.GeoDataFrame(
        {
            "segment_id": [f"B{k:03d}" for k in range(len(borders) + 1)],
            "road_class": ["xa"] * len(borders) + ["huyen"],
            "surface": ["be_tong"] * (len(borders) + 1),
        },
        # The last one starts inside and runs 20 km beyond the district edge.
        geometry=[*borders, shapely.LineString([communes.geometry.iloc[0].centroid.coords[0], (0, 0)])],
        crs=communes.crs,
    )
    roads = pd.concat([ways, extra], ignore_index=True)
    roads["lining"] = np.where(np.arange(len(roads)) % 3 == 0, "dat", "be_tong")
    roads["managed_by"] = np.where(np.arange(len(roads)) % 4 == 0, "cong_ty", "xa")
    return communes, roads


def _crossing_partitions(communes: gpd.GeoDataFrame, roads: gpd.GeoDataFrame, n: int) -> int:
    """Ways meeting communes of two or more of the path's partitions (the case the test is about)."""
    import dask

    from ntmgis.analysis.distributed import _shuffled

    parts = dask.compute(*_shuffled(communes, n).to_delayed())
    owner = {code: k for k, part in enumerate(parts) for code in part["commune_code"]}
    way, commune = shapely.STRtree(communes.geometry.to_numpy()).query(
        roads.geometry.to_numpy(), predicate="intersects"
    )
    owners = pd.Series(communes["commune_code"].to_numpy()[commune]).map(owner)
    return int((owners.groupby(way).nunique() > 1).sum())


def test_the_case_crosses_partition_borders(case: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    communes, roads = case
    assert _crossing_partitions(communes, roads, N_PARTITIONS) > 300
    assert int(shapely.get_num_coordinates(communes.geometry.to_numpy()).min()) >= 1_000


def test_roads_on_a_cluster_equal_the_single_process(client, case) -> None:
    communes, roads = case
    expected = road_concretization(roads, communes)
    got = road_concretization_dask(roads, communes, npartitions=N_PARTITIONS, client=client)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=0)
    assert (expected["total_km"] > 0).sum() > 100  # not a table of zeros


def test_canals_on_a_cluster_equal_the_single_process(client, case) -> None:
    communes, canals = case
    canals = canals.iloc[::3]
    expected = canal_lining(canals, communes)
    got = canal_lining_dask(canals, communes, npartitions=N_PARTITIONS, client=client)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=0)


def test_a_dask_frame_of_ways_gives_the_same_table(case) -> None:
    import dask_geopandas

    communes, roads = case
    roads = roads.iloc[1::4]
    lazy = dask_geopandas.from_geopandas(roads, npartitions=5)
    got = road_concretization_dask(lazy, communes, npartitions=4)
    pd.testing.assert_frame_equal(got, road_concretization(roads, communes), check_exact=False, rtol=1e-9)


@pytest.mark.parametrize("npartitions", [1, 12])
def test_the_result_does_not_depend_on_the_partitions(case, npartitions: int) -> None:
    # Dask's threaded scheduler (no client): one partition, and two or three communes a partition.
    communes, roads = case
    some = roads.iloc[2::6]
    got = road_concretization_dask(some, communes, npartitions=npartitions)
    expected = road_concretization(some, communes)
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9, atol=0)

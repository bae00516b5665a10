"""Synthetic districts for benchmarks: a grid of communes and random short road segments.

Scales (issue 4): district (22 communes, ~10k segments), province (~200 communes, ~100k segments),
national slice (~2,000 communes, ~1M segments). Communes are jittered quadrilaterals of a ~3 km
grid in EPSG:9214 metres; segments are 2–4-vertex polylines of 50–400 m, so a few percent cross a
border, as in real road data.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["SCALES", "synthetic_district"]

SCALES = {"district": (22, 10_000), "province": (200, 100_000), "national": (2_000, 1_000_000)}
_CELL_M = 3_000.0
_CLASSES = np.array(["xa", "lien_thon", "truc_thon", "ngo_xom", "noi_dong", "huyen"])
_SURFACES = np.array(["be_tong", "nhua", "dat", "cap_phoi"])


def synthetic_district(
    n_communes: int, n_segments: int, *, seed: int = 0
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Communes (a jittered grid tiling, no gaps or overlaps) and random road segments.

    Returns
    -------
    communes, roads : GeoDataFrame
        ``commune_code`` / ``segment_id, road_class, surface`` in EPSG:9214.
    """
    rng = np.random.default_rng(seed)
    nx = int(np.ceil(np.sqrt(n_communes)))
    ny = int(np.ceil(n_communes / nx))
    # Shared jittered grid corners keep the tiling exact (neighbours use the same vertices).
    gx, gy = np.meshgrid(np.arange(nx + 1) * _CELL_M, np.arange(ny + 1) * _CELL_M, indexing="ij")
    jitter = rng.uniform(-0.2, 0.2, size=(2, nx + 1, ny + 1)) * _CELL_M
    jitter[0, [0, -1], :] = 0
    jitter[1, :, [0, -1]] = 0
    cx, cy = gx + jitter[0] + 400_000, gy + jitter[1] + 2_350_000
    polygons, codes = [], []
    for i in range(nx):
        for j in range(ny):
            if len(polygons) == n_communes:
                break
            ring = [
                (cx[i, j], cy[i, j]),
                (cx[i + 1, j], cy[i + 1, j]),
                (cx[i + 1, j + 1], cy[i + 1, j + 1]),
                (cx[i, j + 1], cy[i, j + 1]),
            ]
            polygons.append(shapely.Polygon(ring))
            codes.append(f"{len(codes):05d}")
    communes = gpd.GeoDataFrame(
        {"commune_code": codes, "name": codes, "kind": "xa"}, geometry=polygons, crs="EPSG:9214"
    )
    # Segment starts uniformly inside the occupied cells' extent, then a short random walk.
    xmin, ymin, xmax, ymax = communes.total_bounds
    n_vertices = rng.integers(2, 5, size=n_segments)
    starts = np.column_stack([rng.uniform(xmin, xmax, n_segments), rng.uniform(ymin, ymax, n_segments)])
    total = int(n_vertices.sum())
    owner = np.repeat(np.arange(n_segments), n_vertices)
    step = rng.uniform(25, 130, total)
    angle = rng.uniform(0, 2 * np.pi, total)
    first = np.r_[0, np.cumsum(n_vertices)[:-1]]
    step[first] = 0.0
    offsets = np.column_stack([step * np.cos(angle), step * np.sin(angle)])
    walk = np.cumsum(offsets, axis=0)
    walk -= np.repeat(walk[first], n_vertices, axis=0)
    coords = starts[owner] + walk
    lines = shapely.linestrings(coords, indices=owner)
    roads = gpd.GeoDataFrame(
        {
            "segment_id": [f"S{k:07d}" for k in range(n_segments)],
            "road_class": _CLASSES[rng.integers(0, len(_CLASSES), n_segments)],
            "surface": _SURFACES[rng.integers(0, len(_SURFACES), n_segments)],
        },
        geometry=lines,
        crs="EPSG:9214",
    )
    return communes, roads


def synthetic_network(
    n_edges: int, n_villages: int, n_markets: int, *, seed: int = 0, spacing_m: float = 100.0
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """A jittered road grid of about ``n_edges`` edges, with villages (points) and markets.

    Rows and columns of the grid are long polylines that share their crossing vertices, so the
    network is connected the way noded road data is. Villages and markets are uniform points
    over the grid's extent (snapped to the network by the analysis).

    Returns
    -------
    roads, villages, markets : GeoDataFrame
        EPSG:9214; ``segment_id, road_class, surface`` / ``village_id, commune_code,
        population`` / ``market_id, commune_code, standard_met``.
    """
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_edges / 2))) + 1  # a side×side grid has 2·side·(side−1) edges
    gx, gy = np.meshgrid(np.arange(side) * spacing_m, np.arange(side) * spacing_m, indexing="ij")
    gx = gx + rng.uniform(-0.3, 0.3, gx.shape) * spacing_m + 400_000
    gy = gy + rng.uniform(-0.3, 0.3, gy.shape) * spacing_m + 2_350_000
    rows = shapely.linestrings(np.stack([gx, gy], axis=-1))  # along y, one per x
    cols = shapely.linestrings(np.stack([gx.T, gy.T], axis=-1))  # along x, one per y
    lines = np.concatenate([rows, cols])
    roads = gpd.GeoDataFrame(
        {"segment_id": [f"G{k:06d}" for k in range(len(lines))], "road_class": "xa", "surface": "be_tong"},
        geometry=lines,
        crs="EPSG:9214",
    )
    xmin, ymin, xmax, ymax = roads.total_bounds

    def points(n: int) -> np.ndarray:
        return shapely.points(rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n))

    villages = gpd.GeoDataFrame(
        {
            "village_id": [f"V{k:06d}" for k in range(n_villages)],
            "commune_code": "00001",
            "population": rng.integers(200, 2000, n_villages),
        },
        geometry=points(n_villages),
        crs="EPSG:9214",
    )
    markets = gpd.GeoDataFrame(
        {"market_id": [f"M{k:05d}" for k in range(n_markets)], "commune_code": "00001", "standard_met": True},
        geometry=points(n_markets),
        crs="EPSG:9214",
    )
    return roads, villages, markets

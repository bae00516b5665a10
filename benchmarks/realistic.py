"""Real-like benchmark inputs: detailed commune boundaries that tile the plane, and OSM-like ways.

Boundaries: a jittered grid of ~5.5 km cells (about a real commune's 30 km²) whose every shared
edge is replaced by one fractal polyline (midpoint displacement, 256–512 segments) used by both
neighbours, so the communes tile exactly (no gap, no overlap) with 1,000–2,000 vertices each, as
the post-2025 polygons in ``shared/data/real`` (1,200–2,700 vertices). Each edge is the graph of
a function in its own frame, tapered to the corners, so no polygon crosses itself.

Ways: 2–40 vertices, 30–150 m steps, a heading that drifts by a random walk (roads bend, they do
not zig-zag), starting anywhere in the province; about half of them cross a border, as ways of a
few kilometres do in communes of this size.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["REAL_SCALES", "fractal_communes", "osm_like_ways"]

#: name: (communes, ways). ``province`` is the scale of issue 12 (~100 communes, ~57k ways).
REAL_SCALES = {"real-district": (20, 12_000), "real-province": (100, 57_000)}
_CELL_M = 5_500.0
_ORIGIN = (400_000.0, 2_350_000.0)
_CLASSES = np.array(["xa", "lien_thon", "truc_thon", "ngo_xom", "noi_dong", "huyen"])
_SURFACES = np.array(["be_tong", "nhua", "dat", "cap_phoi"])


def _fractal_offsets(rng: np.random.Generator, levels: int, roughness: float) -> np.ndarray:
    """Midpoint displacement on [0, 1]: ``2**levels + 1`` perpendicular offsets, 0 at both ends."""
    f = np.zeros(2)
    scale = roughness
    for _ in range(levels):
        mid = (f[:-1] + f[1:]) / 2 + rng.normal(0, scale, len(f) - 1)
        out = np.empty(2 * len(f) - 1)
        out[0::2], out[1::2] = f, mid
        f, scale = out, scale / np.sqrt(2.0)  # Hurst 0.5: rough like a digitised river or ridge
    x = np.linspace(0, 1, len(f))
    taper = np.minimum(1.0, np.minimum(x, 1 - x) * 5)  # flat into the corners: neighbours never cross
    return np.clip(f, -0.12, 0.12) * taper


def _edge(rng: np.random.Generator, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Fractal polyline from corner ``a`` to corner ``b`` (both kept exactly)."""
    levels = int(rng.integers(8, 10))  # 256 or 512 segments
    f = _fractal_offsets(rng, levels, 0.06)
    x = np.linspace(0, 1, len(f))
    d = b - a
    normal = np.array([-d[1], d[0]])
    pts = a + x[:, None] * d + f[:, None] * normal
    pts[0], pts[-1] = a, b
    return pts


def fractal_communes(n_communes: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n_communes`` detailed polygons tiling a rectangle (``commune_code, name, kind``, EPSG:9214).

    Examples
    --------
    >>> c = fractal_communes(4, seed=1)
    >>> bool(c.is_valid.all()), abs(c.union_all().area - c.area.sum()) < 1e-3 * c.area.sum()
    (True, True)
    """
    rng = np.random.default_rng(seed)
    nx = int(np.ceil(np.sqrt(n_communes)))
    ny = int(np.ceil(n_communes / nx))
    gx, gy = np.meshgrid(np.arange(nx + 1) * _CELL_M, np.arange(ny + 1) * _CELL_M, indexing="ij")
    jitter = rng.uniform(-0.15, 0.15, size=(2, nx + 1, ny + 1)) * _CELL_M
    jitter[0, [0, -1], :] = 0
    jitter[1, :, [0, -1]] = 0
    corner = np.stack([gx + jitter[0] + _ORIGIN[0], gy + jitter[1] + _ORIGIN[1]], axis=-1)
    # One polyline per grid edge, read forwards by one neighbour and backwards by the other.
    horizontal = {
        (i, j): _edge(rng, corner[i, j], corner[i + 1, j]) for i in range(nx) for j in range(ny + 1)
    }
    vertical = {(i, j): _edge(rng, corner[i, j], corner[i, j + 1]) for i in range(nx + 1) for j in range(ny)}
    polygons = []
    for i in range(nx):
        for j in range(ny):
            if len(polygons) == n_communes:
                break
            ring = np.concatenate(
                [
                    horizontal[i, j][:-1],
                    vertical[i + 1, j][:-1],
                    horizontal[i, j + 1][::-1][:-1],
                    vertical[i, j][::-1][:-1],
                ]
            )
            polygons.append(shapely.Polygon(ring))
    codes = [f"{k:05d}" for k in range(len(polygons))]
    return gpd.GeoDataFrame(
        {"commune_code": codes, "name": codes, "kind": "xa"}, geometry=polygons, crs="EPSG:9214"
    )


def osm_like_ways(communes: gpd.GeoDataFrame, n_ways: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n_ways`` road ways over the communes' extent (``segment_id, road_class, surface``).

    Examples
    --------
    >>> ways = osm_like_ways(fractal_communes(4), 100, seed=2)
    >>> len(ways), int(shapely.get_num_coordinates(ways.geometry.values).max()) <= 40
    (100, True)
    """
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = communes.total_bounds
    n_vertices = rng.integers(2, 41, size=n_ways)
    total = int(n_vertices.sum())
    owner = np.repeat(np.arange(n_ways), n_vertices)
    first = np.r_[0, np.cumsum(n_vertices)[:-1]]
    step = rng.uniform(30, 150, total)
    step[first] = 0.0
    # Heading: a random start, then a random walk of small turns (a few degrees a vertex).
    turn = rng.normal(0, 0.25, total)
    turn[first] = rng.uniform(0, 2 * np.pi, n_ways)
    heading = np.cumsum(turn)
    heading -= np.repeat(heading[first] - turn[first], n_vertices)
    walk = np.cumsum(np.column_stack([step * np.cos(heading), step * np.sin(heading)]), axis=0)
    walk -= np.repeat(walk[first], n_vertices, axis=0)
    starts = np.column_stack([rng.uniform(xmin, xmax, n_ways), rng.uniform(ymin, ymax, n_ways)])
    lines = shapely.linestrings(starts[owner] + walk, indices=owner)
    return gpd.GeoDataFrame(
        {
            "segment_id": [f"W{k:07d}" for k in range(n_ways)],
            "road_class": _CLASSES[rng.integers(0, len(_CLASSES), n_ways)],
            "surface": _SURFACES[rng.integers(0, len(_SURFACES), n_ways)],
        },
        geometry=lines,
        crs="EPSG:9214",
    )

"""The report's speed-ups (issue 11 benchmark) change no result: each new path against the old formula."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from shapely import LineString

from ntmgis import crs as crs_module
from ntmgis.analysis.access import road_graph, road_vertices, unique_points
from ntmgis.analysis.graph import _crossing_pairs, _Segments, _segments, check_road_network, node_roads
from ntmgis.analysis.network import _assumed
from ntmgis.problems import Problem, ProblemReport
from ntmgis.validate import check_tiling

CLASSES = ["xa", "truc_thon", "huyen", "noi_dong"]
TARGETS = ["be_tong", "nhua", "cap_phoi"]


def _old_assumed(assumed: pd.Series, keys: list[tuple[str, object]]) -> list[bool]:
    """The per-piece lookup the memo replaced (``network._priced_pieces`` before)."""
    return [bool(assumed.get(k, True)) for k in keys]


@settings(max_examples=60, deadline=None)
@given(
    table=st.lists(
        st.tuples(st.sampled_from(CLASSES), st.sampled_from(TARGETS), st.booleans()),
        max_size=8,
        unique_by=lambda row: row[:2],
    ),
    keys=st.lists(
        st.tuples(st.sampled_from(CLASSES + ["khac"]), st.sampled_from(TARGETS + ["nan"])), max_size=40
    ),
)
def test_assumed_flags_are_the_per_piece_lookups(
    table: list[tuple[str, str, bool]], keys: list[tuple[str, str]]
) -> None:
    costs = pd.DataFrame(table, columns=["road_class", "target_surface", "assumption"])
    assumed = costs.set_index(["road_class", "target_surface"])["assumption"]
    # NaN targets as ``Series.map`` gives them: a new float object each time.
    typed: list[tuple[str, object]] = [(c, float("nan") if t == "nan" else t) for c, t in keys]
    assert _assumed(assumed, typed) == _old_assumed(assumed, typed)


def test_assumed_flags_of_an_empty_table_are_all_assumptions() -> None:
    keys: list[tuple[str, object]] = [("xa", "be_tong"), ("xa", math.nan)]
    assert _assumed(pd.Series(dtype=bool), keys) == [True, True]


texts = st.text(alphabet="abcđ 0123'()", max_size=12)
problems = st.builds(
    Problem,
    file=st.sampled_from(["", "roads.gpkg", "b.xlsx"]),
    layer=st.sampled_from(["roads", "villages", ""]),
    feature=texts,
    problem=texts,
    action=texts,
    severity=st.sampled_from(["error", "warning", "info"]),
    count=st.integers(1, 500),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(problems, max_size=30))
def test_problem_frame_is_the_asdict_frame(found: list[Problem]) -> None:
    report = ProblemReport(tuple(found))
    old = pd.DataFrame([asdict(p) for p in found], columns=list(ProblemReport.COLUMNS))
    if not old.empty:
        old["_o"] = old["severity"].map({"error": 0, "warning": 1, "info": 2})
        old = old.sort_values(["_o", "file", "layer"], kind="stable").drop(columns="_o")
        old = old.reset_index(drop=True)
    pd.testing.assert_frame_equal(report.to_frame(), old)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=2, max_size=5, unique=True),
        min_size=1,
        max_size=12,
    )
)
def test_network_check_on_a_shared_graph_is_the_check_alone(ways: list[list[tuple[int, int]]]) -> None:
    roads = gpd.GeoDataFrame(
        {"segment_id": [f"R{k}" for k in range(len(ways))]},
        geometry=[LineString(np.array(w, dtype=float) * 10) for w in ways],
        crs=9214,
    )
    alone = check_road_network(roads)
    shared = check_road_network(roads, graph=road_graph(roads))
    pd.testing.assert_frame_equal(alone, shared)
    vertices = road_vertices(roads)
    graph = road_graph(roads, vertices=vertices)
    pd.testing.assert_frame_equal(alone, check_road_network(roads, graph=graph, vertices=vertices))
    assert (graph.adjacency != road_graph(roads).adjacency).nnz == 0
    pd.testing.assert_frame_equal(node_roads(roads, vertices=vertices), node_roads(roads))


def _old_unique_points(coords: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``unique_points`` before the complex sort: a lexsort of the two columns."""
    if not len(coords):
        return coords[:0], np.empty(0, dtype=np.intp)
    order = np.lexsort((coords[:, 1], coords[:, 0]))
    ordered = coords[order]
    new = np.r_[True, np.any(ordered[1:] != ordered[:-1], axis=1)]
    node_of = np.empty(len(coords), dtype=np.intp)
    node_of[order] = np.cumsum(new) - 1
    return ordered[new], node_of


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 60), st.just(2)),
        elements=st.sampled_from([0.0, -0.0, 1.5, -2.0, 416000.25, np.nan, np.inf, -np.inf]),
    )
)
def test_unique_points_is_the_old_lexsort(coords: np.ndarray) -> None:
    nodes, node_of = unique_points(coords)
    old_nodes, old_node_of = _old_unique_points(coords)
    np.testing.assert_array_equal(nodes, old_nodes)  # NaN equal to NaN here
    assert np.array_equal(np.signbit(nodes), np.signbit(old_nodes))
    assert np.array_equal(node_of, old_node_of)


def test_snap_without_a_tree_built_ahead_is_the_kdtree_snap() -> None:
    from scipy.spatial import cKDTree

    roads = gpd.GeoDataFrame(
        {"segment_id": ["a", "b"]},
        geometry=[LineString([(0, 0), (1000, 0), (1000, 500)]), LineString([(200, 300), (900, 300)])],
        crs=9214,
    )
    graph = road_graph(roads)
    points = np.array([[10.0, 5.0], [950.0, 290.0], [-50.0, -50.0]])
    node, distance = graph.snap(points)
    want_distance, want_node = cKDTree(graph.nodes).query(points)
    assert node.tolist() == want_node.tolist()
    assert distance.tolist() == want_distance.tolist()
    empty = road_graph(roads.iloc[:0])
    assert empty.snap(points)[0].tolist() == [-1, -1, -1]


def test_the_command_line_starts_without_pandas() -> None:
    """``ntmgis --help`` (and the package import) no longer pays for pandas and geopandas."""
    code = (
        "import sys, ntmgis, ntmgis.cli; "
        "assert 'pandas' not in sys.modules and 'geopandas' not in sys.modules, sorted(sys.modules); "
        "assert ntmgis.Workspace.__name__ == 'Workspace'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def _old_crossing_pairs(seg: _Segments, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs ``_contacts`` took before: the tree's predicate query, then filtered."""
    i, j = shapely.STRtree(lines).query(lines, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    ki, kj = seg.start[i], seg.start[j]
    shared = (
        (seg.node[ki] == seg.node[kj])
        | (seg.node[ki] == seg.node[kj + 1])
        | (seg.node[ki + 1] == seg.node[kj])
        | (seg.node[ki + 1] == seg.node[kj + 1])
    )
    return i[~shared], j[~shared]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=2, max_size=6, unique=True),
        min_size=1,
        max_size=15,
    )
)
def test_crossing_pairs_are_the_predicate_query_pairs(ways: list[list[tuple[int, int]]]) -> None:
    """On a small grid (touching, collinear and crossing segments galore), same pairs, same order."""
    roads = gpd.GeoDataFrame(geometry=[LineString(w) for w in ways], crs=9214)
    seg = _segments(roads)
    if not len(seg.start):
        return
    want = _old_crossing_pairs(seg, seg.lines)
    lines = seg.lines
    got = _crossing_pairs(seg, shapely.STRtree(lines), lines)
    assert got[0].tolist() == want[0].tolist()
    assert got[1].tolist() == want[1].tolist()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=2, max_size=8, unique=True),
        min_size=1,
        max_size=25,
    ),
    st.integers(1, 12),
    st.sampled_from([0.0, 0.5, 2.0, 15.0]),
)
def test_the_tiled_network_check_is_the_check_in_one_tile(
    ways: list[list[tuple[int, int]]], tile_segments: int, snap_m: float
) -> None:
    """Issue 12: the contacts found tile by tile (bounded memory) are those of one tile holding all.

    Many tiles of a few segments each on a small grid: pairs straddling tile edges, ends on an
    edge, segments in several tiles; every array (crossing points, ends to move) is the same.
    """
    from ntmgis.analysis.graph import _contacts

    roads = gpd.GeoDataFrame(geometry=[LineString(np.array(w, dtype=float) * 5) for w in ways], crs=9214)
    seg = _segments(roads)
    one = _contacts(seg, snap_m, tile_segments=10**9)
    tiled = _contacts(seg, snap_m, tile_segments=tile_segments)
    for name, want in asdict(one).items():
        np.testing.assert_array_equal(getattr(tiled, name), want, err_msg=name)


@pytest.mark.parametrize("tile_segments", [50, 10**9])
def test_the_tiled_network_check_is_the_old_check(
    monkeypatch: pytest.MonkeyPatch, tile_segments: int
) -> None:
    """Counts and noded roads pinned from the check before tiling (commit c3d60ac), in 1 or 30 tiles."""
    import hashlib

    from ntmgis.analysis import graph

    monkeypatch.setitem(graph._contacts.__kwdefaults__, "tile_segments", tile_segments)
    rng = np.random.default_rng(3)
    ways = [
        LineString(np.round(np.cumsum(rng.normal(0, 40, (12, 2)), axis=0) + rng.uniform(0, 800, 2)))
        for _ in range(120)
    ]
    roads = gpd.GeoDataFrame({"segment_id": [f"R{k}" for k in range(120)]}, geometry=ways, crs=9214)
    check = check_road_network(roads).iloc[0]
    assert (check["components"], check["crossings"], check["dangling_ends"]) == (119, 1729, 66)
    noded = graph.node_roads(roads)
    wkb = b"".join(shapely.to_wkb(noded.geometry.to_numpy())) + "".join(noded["segment_id"]).encode()
    assert (len(noded), hashlib.sha1(wkb).hexdigest()) == (3640, "0ad0536542b5d4a2148de3106213e6dd0b8977b8")


def _words(found: list[Problem]) -> list[dict[str, object]]:
    """A problem's fields without its catalogue key and params (the old check wrote English only)."""
    return [{k: v for k, v in asdict(p).items() if k not in ("key", "params")} for p in found]


def _old_check_tiling(communes: gpd.GeoDataFrame, min_area_m2: float = 100.0) -> list[Problem]:
    """``check_tiling`` before the coverage path: every intersecting pair intersected, ``union_all``."""
    problems: list[Problem] = []
    geoms = communes.geometry.to_numpy()
    codes = communes["commune_code"].astype(str).tolist()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    total = 0.0
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        area = shapely.area(shapely.intersection(geoms[i], geoms[j]))
        if area >= min_area_m2:
            total += area
            problems.append(
                Problem(
                    "",
                    "communes",
                    f"{codes[i]} / {codes[j]}",
                    f"communes overlap by {area / 1e4:.2f} ha",
                    "kept as drawn; features in the overlap count in both",
                    "warning",
                )
            )
    union = shapely.union_all(geoms)
    holes = [
        shapely.Polygon(shapely.get_interior_ring(poly, k))
        for poly in shapely.get_parts(union)
        for k in range(shapely.get_num_interior_rings(poly))
    ]
    gaps = [h for h in holes if h.area >= min_area_m2]
    for number, gap in enumerate(sorted(gaps, key=lambda g: (-g.area, g.centroid.x)), start=1):
        point = gap.representative_point()
        problems.append(
            Problem(
                "",
                "communes",
                f"gap {number} near x={point.x:.0f}, y={point.y:.0f}",
                f"sliver of {gap.area / 1e4:.2f} ha belongs to no commune",
                "kept as drawn; features there are in no commune",
                "warning",
            )
        )
    if total:
        problems.append(
            Problem(
                "",
                "communes",
                "",
                f"overlaps total {total / 1e6:.2f} km²",
                "review the boundaries",
                "warning",
            )
        )
    return problems


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5),
    st.integers(2, 5),
    st.data(),
)
def test_check_tiling_is_the_old_check(columns: int, rows: int, data: st.DataObject) -> None:
    """A grid of communes with cells missing (gaps), some grown into their neighbours (overlaps),
    some with a vertex added on a shared edge (not a coverage): the same problems as before."""
    cells = []
    for c in range(columns):
        for r in range(rows):
            kind = data.draw(st.sampled_from(["cell", "cell", "cell", "missing", "grown", "vertex"]))
            x, y = c * 100.0, r * 100.0
            if kind == "missing":
                continue
            if kind == "grown":
                cells.append(
                    shapely.box(x, y, x + 100 + data.draw(st.sampled_from([0.5, 5.0, 20.0])), y + 100)
                )
            elif kind == "vertex":
                cells.append(
                    shapely.Polygon(
                        [(x, y), (x + 100, y), (x + 100, y + 50), (x + 100, y + 100), (x, y + 100)]
                    )
                )
            else:
                cells.append(shapely.box(x, y, x + 100, y + 100))
    if not cells:
        return
    communes = gpd.GeoDataFrame(
        {"commune_code": [f"C{k}" for k in range(len(cells))]}, geometry=cells, crs=9214
    )
    assert _words(check_tiling(communes)) == _words(_old_check_tiling(communes))


_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.mark.parametrize("name", sorted(p.name for p in _REAL.glob("*.geojson")) or ["absent"])
def test_check_tiling_of_the_real_polygons_is_the_old_check(name: str) -> None:
    if not (_REAL / name).exists():
        pytest.skip("the real polygons are not here")
    frame = gpd.read_file(_REAL / name).to_crs(9214)
    communes = gpd.GeoDataFrame(
        {"commune_code": [f"C{k}" for k in range(len(frame))]}, geometry=frame.geometry.to_numpy(), crs=9214
    )
    assert _words(check_tiling(communes)) == _words(_old_check_tiling(communes))


def _old_check_extent(gdf: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """``_check_extent`` before the bounding-box shortcut: every vertex transformed to lon/lat."""
    valid = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if valid.empty:
        return []
    lon0, lat0, lon1, lat1 = valid.to_crs(4326).total_bounds
    wx0, wy0, wx1, wy1 = crs_module._VIETNAM_LONLAT
    if not (wx0 <= lon0 and lon1 <= wx1 and wy0 <= lat0 and lat1 <= wy1):
        return [("error", f"lon {lon0:.3f}..{lon1:.3f}, lat {lat0:.3f}..{lat1:.3f}")]
    return []


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([9214, 9210, 32648, 4326, 3405]),
    st.lists(st.tuples(st.floats(-0.2, 1.0), st.floats(-0.2, 1.0)), min_size=1, max_size=6),
)
def test_check_extent_is_the_old_check(epsg: int, where: list[tuple[float, float]]) -> None:
    """Points over Vietnam's box and past its edges, metric and geographic CRSs: same verdict, bounds."""
    wx0, wy0, wx1, wy1 = crs_module._VIETNAM_LONLAT
    lonlat = gpd.GeoSeries(
        [shapely.Point(wx0 + (wx1 - wx0) * u, wy0 + (wy1 - wy0) * v) for u, v in where], crs=4326
    )
    frame = gpd.GeoDataFrame(geometry=lonlat.to_crs(epsg).to_numpy(), crs=epsg)
    found = crs_module._check_extent(frame, file="f", layer="l")
    assert [(p.severity, p.params.get("bounds", "")) for p in found] == _old_check_extent(frame)


# The write step (issue 11): a column's cells checked at once, CSV columns rewritten only when needed.
cell_values = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.sampled_from(["=1+1", "-3.5", "+x", "@a", "\tb", "a\x07b", "", "An"]),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True),
    st.booleans(),
    st.just(pd.NA),
    st.just(np.float64(2.5)),
    st.just(np.str_("np")),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(cell_values, max_size=20))
def test_safe_cells_is_safe_cell_of_each_value(values: list[object]) -> None:
    from ntmgis.io.safe_text import safe_cell, safe_cells

    new, old = safe_cells(values), [safe_cell(v) for v in values]
    assert [(type(v), v) for v in new] == [(type(v), v) for v in old] or new == old


def _old_safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``safe_csv_frame`` before: every text column mapped, value by value."""
    from ntmgis.io.safe_text import safe_csv_value

    out = frame.copy()
    out.columns = [safe_csv_value(c) for c in frame.columns]
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out.isetitem(position, series.map(safe_csv_value).astype(series.dtype))
    return out


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(cell_values, cell_values), max_size=12), st.booleans())
def test_safe_csv_frame_writes_the_same_csv(rows: list[tuple[object, object]], as_string: bool) -> None:
    from ntmgis.io.safe_text import safe_csv_frame

    frame = pd.DataFrame(rows, columns=["=a", "b"], dtype=object)
    frame["c"] = pd.array([v if isinstance(v, str) else None for v, _ in rows], dtype="string")
    if as_string:
        frame["d"] = [float(k) for k in range(len(frame))]
    new, old = safe_csv_frame(frame), _old_safe_csv_frame(frame)
    assert new.to_csv(index=False) == old.to_csv(index=False)
    assert list(new.dtypes) == list(old.dtypes)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=2, max_size=6, unique=True),
        min_size=1,
        max_size=20,
    ),
    st.sampled_from([0.0, 1.0, 2.0, 5.0]),
)
def test_ends_near_are_the_dwithin_query_pairs(ways: list[list[tuple[int, int]]], snap_m: float) -> None:
    """The ends' box query + distance filter gives the pairs of the tree's ``dwithin`` query (on a
    lattice of 1 m, many ends lie exactly at ``snap_m``)."""
    from ntmgis.analysis.graph import _ends_near

    roads = gpd.GeoDataFrame(geometry=[LineString(w) for w in ways], crs=9214)
    seg = _segments(roads)
    if not len(seg.start):
        return
    rows = np.arange(len(seg.start))
    lines = seg.lines
    tree = shapely.STRtree(lines)
    ends = np.flatnonzero(
        np.r_[True, seg.part[1:] != seg.part[:-1]] | np.r_[seg.part[1:] != seg.part[:-1], True]
    )
    mine = np.arange(len(ends))
    e, n = tree.query(shapely.points(seg.coords[ends]), predicate="dwithin", distance=snap_m)
    other = seg.part[seg.start[n]] != seg.part[ends[e]]
    want = sorted(zip(e[other].tolist(), n[other].tolist(), strict=True))
    got = _ends_near(seg, ends, mine, rows, lines, tree, snap_m)
    assert sorted(zip(got[0].tolist(), got[1].tolist(), strict=True)) == want

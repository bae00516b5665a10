"""The report's speed-ups (issue 11 benchmark) change no result: each new path against the old formula."""

from __future__ import annotations

import math
import subprocess
import sys
from dataclasses import asdict

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString

from ntmgis.analysis.access import road_graph
from ntmgis.analysis.graph import _crossing_pairs, _Segments, _segments, check_road_network
from ntmgis.analysis.network import _assumed
from ntmgis.problems import Problem, ProblemReport

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

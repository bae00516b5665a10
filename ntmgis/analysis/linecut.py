"""Exact cut of lines by polygons without a GEOS overlay per (line, polygon) pair.

Each line *edge* queries a tree of the polygons' boundary edges, so the work grows with the
boundary edges near each edge and with the crossings, not with (line edges × boundary edges near
the whole line) — a long way beside a detailed border stays cheap (issue 12). The crossings split
each line into runs; one point-in-polygon test per run (prepared polygon) tells whether the run
is inside, and inside runs become the parts of the piece. Pairs that cannot be cut exactly this
way (a vertex on the boundary, an edge along it, a multi-part line) are left to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

__all__ = ["clip_lines", "lines_outside"]

# Consecutive edges boxed together for the tree query (fewer geometries; a few more candidates).
_GROUP = 4
# Line-edge groups per query of the boundary tree (bounds the candidate table, ~100 MB at most).
_GROUPS_PER_QUERY = 20_000


def _edges(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive vertex pairs of each line or ring: ``(x0, y0, x1, y1)`` rows and their owner."""
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    same = owner[1:] == owner[:-1]
    return np.column_stack([coords[:-1][same], coords[1:][same]]), owner[:-1][same]


def _expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, counts)])`` without a Python loop."""
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


@dataclass(frozen=True)
class _EdgeIndex:
    """The edges of the pairs' lines and polygon rings, numbered for :func:`_clip_lines`.

    Lines and polygons are the distinct ones of the pairs; a pair is keyed
    ``line * n_polygons + polygon`` in that numbering.
    """

    lines: np.ndarray  # the distinct line geometries
    line_of: np.ndarray  # distinct line of each pair
    line_edges: np.ndarray  # (x0, y0, x1, y1) of every edge of the distinct lines, line by line
    first_edge: np.ndarray  # row in line_edges of each distinct line's first edge
    n_edges: np.ndarray  # edges of each distinct line
    vertices: np.ndarray  # (x, y) of every vertex of the distinct lines, line by line
    first_vertex: np.ndarray  # row in vertices of each distinct line's first vertex
    ring_edges: np.ndarray  # edges of the rings of the distinct polygons
    edge_poly: np.ndarray  # distinct polygon of each ring edge
    n_polygons: int
    pair_key: np.ndarray


def _edge_index(geoms: np.ndarray, polygons: np.ndarray, seg: np.ndarray, poly: np.ndarray) -> _EdgeIndex:
    lines, line_of = np.unique(seg, return_inverse=True)
    used, poly_of = np.unique(poly, return_inverse=True)
    line_edges, edge_line = _edges(geoms[lines])
    n_edges = np.bincount(edge_line, minlength=len(lines))
    parts, part_owner = shapely.get_parts(polygons[used], return_index=True)
    rings, ring_owner = shapely.get_rings(parts, return_index=True)
    ring_edges, edge_ring = _edges(rings)
    vertices, vertex_line = shapely.get_coordinates(geoms[lines], return_index=True)
    return _EdgeIndex(
        lines=geoms[lines],
        line_of=line_of,
        line_edges=line_edges,
        first_edge=np.r_[0, np.cumsum(n_edges)[:-1]],
        n_edges=n_edges,
        vertices=vertices,
        first_vertex=np.searchsorted(vertex_line, np.arange(len(lines))),
        ring_edges=ring_edges,
        edge_poly=part_owner[ring_owner[edge_ring]],
        n_polygons=len(used),
        pair_key=line_of.astype(np.int64) * len(used) + poly_of,
    )


def _runs_of_edges(edges: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Groups of at most ``size`` consecutive, connected edges: first edge, count and bounds.

    A group never spans two lines or rings (a break wherever an edge does not start at the end
    of the one before), so its box stays as small as the edges it holds.
    """
    n = len(edges)
    if n == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty((0, 4))
    idx = np.arange(n)
    broken = np.r_[True, np.any(edges[1:, :2] != edges[:-1, 2:], axis=1)]
    since = idx - np.maximum.accumulate(np.where(broken, idx, 0))
    first = np.flatnonzero(since % size == 0)
    count = np.diff(np.r_[first, n])
    lo = np.minimum(edges[:, :2], edges[:, 2:])
    hi = np.maximum(edges[:, :2], edges[:, 2:])
    return first, count, np.column_stack([np.minimum.reduceat(lo, first), np.maximum.reduceat(hi, first)])


def _edge_pairs(
    line_group: tuple[np.ndarray, np.ndarray, np.ndarray],
    ring_group: tuple[np.ndarray, np.ndarray, np.ndarray],
    q: np.ndarray,
    r: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (line edge, ring edge) of the group pairs ``q, r`` (groups whose boxes meet)."""
    (l_first, l_count, _), (r_first, r_count, _) = line_group, ring_group
    m = l_count[q] * r_count[r]
    k = np.arange(int(m.sum())) - np.repeat(np.cumsum(m) - m, m)
    width = np.repeat(r_count[r], m)
    return np.repeat(l_first[q], m) + k // width, np.repeat(r_first[r], m) + k % width


def _meeting_edges(ix: _EdgeIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line edge, ring edge, pair) triples of one pair whose bounding boxes meet.

    Groups of a few consecutive line edges query a tree of groups of boundary edges (not whole
    lines against single edges), so the work grows with the boundary edges near each part of a
    line — a long way beside a detailed border no longer pairs every one of its edges with every
    boundary edge near the whole way (issue 12) — and few geometries are made for the tree.
    """
    if not len(ix.pair_key):
        empty = np.empty(0, np.intp)
        return empty, empty, empty
    # Pairs are unique (line, polygon) combinations: a sorted key finds a pair from an edge pair.
    key_order = np.argsort(ix.pair_key)
    line_group = _runs_of_edges(ix.line_edges, _GROUP)
    ring_group = _runs_of_edges(ix.ring_edges, _GROUP)
    tree = shapely.STRtree(shapely.box(*ring_group[2].T))
    edge_line = np.repeat(np.arange(len(ix.n_edges)), ix.n_edges)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    # A bounded number of line groups at a time: the candidate table stays small (memory).
    for lo in range(0, len(line_group[0]), _GROUPS_PER_QUERY):
        q, r = tree.query(shapely.box(*line_group[2][lo : lo + _GROUPS_PER_QUERY].T))
        le, re_ = _edge_pairs(line_group, ring_group, q + lo, r)
        a, b = ix.line_edges[le], ix.ring_edges[re_]
        meet = (
            (np.minimum(a[:, 0], a[:, 2]) <= np.maximum(b[:, 0], b[:, 2]))
            & (np.minimum(b[:, 0], b[:, 2]) <= np.maximum(a[:, 0], a[:, 2]))
            & (np.minimum(a[:, 1], a[:, 3]) <= np.maximum(b[:, 1], b[:, 3]))
            & (np.minimum(b[:, 1], b[:, 3]) <= np.maximum(a[:, 1], a[:, 3]))
        )
        le, re_ = le[meet], re_[meet]
        key = edge_line[le].astype(np.int64) * ix.n_polygons + ix.edge_poly[re_]
        at = np.minimum(np.searchsorted(ix.pair_key, key, sorter=key_order), len(ix.pair_key) - 1)
        pair_of = key_order[at]
        wanted = ix.pair_key[pair_of] == key
        found.append((le[wanted], re_[wanted], pair_of[wanted]))
    le, re_, pair_of = (np.concatenate([f[i] for f in found]) for i in range(3))
    return le, re_, pair_of


def _crossings(
    ix: _EdgeIndex, le: np.ndarray, re_: np.ndarray, pair_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each line edge crosses a boundary edge, and the pairs an exact cut cannot handle.

    Returns
    -------
    t : ndarray of float
        Parameter of the crossing along the line edge (0 at its start, 1 at its end).
    crossing : ndarray of bool
        The edges cross, and their pair is not ``bad``.
    bad : ndarray of bool, one per pair
        A vertex on the boundary or an edge along it: the pair is left to GEOS.
    """
    # Edge a→b against boundary edge c→d: a + t(b − a) = c + u(d − c).
    a, b = ix.line_edges[le, :2], ix.line_edges[le, 2:]
    c, d = ix.ring_edges[re_, :2], ix.ring_edges[re_, 2:]
    r, s, q = b - a, d - c, c - a
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    q_s = q[:, 0] * s[:, 1] - q[:, 1] * s[:, 0]
    q_r = q[:, 0] * r[:, 1] - q[:, 1] * r[:, 0]
    parallel = denom == 0
    safe = np.where(parallel, 1.0, denom)
    t, u = q_s / safe, q_r / safe
    crossing = ~parallel & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    touching = crossing & ((t == 0) | (t == 1) | (u == 0) | (u == 1))
    bad = np.zeros(len(ix.pair_key), dtype=bool)
    bad[pair_of[(parallel & (q_r == 0)) | touching]] = True
    crossing &= ~bad[pair_of]
    return t, crossing, bad


def _crossing_params(
    ix: _EdgeIndex, good: np.ndarray, le: np.ndarray, t: np.ndarray, crossing: np.ndarray, pair_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of the ``good`` pairs: (pair, start, end) as positions along the line.

    A position is ``edge + t`` (edge numbered from 0 in its line): 0 is the first vertex, the
    edge count the last. Runs go from the line start to its first crossing, crossing to crossing,
    and from the last crossing to the line end.
    """
    n = ix.n_edges[ix.line_of[good]].astype(float)
    cut_pair = np.concatenate([good, good, pair_of[crossing]])
    local = le[crossing] - ix.first_edge[ix.line_of[pair_of[crossing]]]
    cut_s = np.concatenate([np.zeros(len(good)), n, local + t[crossing]])
    order = np.lexsort((cut_s, cut_pair))
    cut_pair, cut_s = cut_pair[order], cut_s[order]
    same = cut_pair[1:] == cut_pair[:-1]
    return cut_pair[:-1][same], cut_s[:-1][same], cut_s[1:][same]


def _points_at(ix: _EdgeIndex, line: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Points at positions ``s`` along the distinct lines ``line``: vertices exactly at integers."""
    edge = np.minimum(np.floor(s).astype(np.intp), ix.n_edges[line] - 1)
    frac = s - edge
    rows = ix.line_edges[ix.first_edge[line] + edge]
    out = rows[:, :2] + (rows[:, 2:] - rows[:, :2]) * frac[:, None]
    out[frac == 0] = rows[frac == 0, :2]  # the vertex itself, not a + 0·(b − a) …
    out[frac == 1] = rows[frac == 1, 2:]  # … nor a + 1·(b − a)
    return out


def _inside_runs(
    ix: _EdgeIndex, run_pair: np.ndarray, a: np.ndarray, b: np.ndarray, pair_polygons: np.ndarray
) -> np.ndarray:
    """Whether each run lies inside its pair's (prepared) polygon: one test at its middle."""
    mid = _points_at(ix, ix.line_of[run_pair], (a + b) / 2)
    return shapely.contains_xy(pair_polygons[run_pair], mid[:, 0], mid[:, 1])


def _run_lines(ix: _EdgeIndex, line: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One LineString per run of ``line``: its start point, the vertices strictly inside, its end."""
    lo = np.floor(a).astype(np.intp) + 1  # first vertex after the start
    inner = np.maximum(np.ceil(b).astype(np.intp) - lo, 0)  # vertices lo … ceil(b) − 1
    size = inner + 2
    offset = np.cumsum(size) - size
    coords = np.empty((int(size.sum()), 2))
    coords[offset] = _points_at(ix, line, a)
    coords[offset + size - 1] = _points_at(ix, line, b)
    coords[_expand_ranges(offset + 1, inner)] = ix.vertices[_expand_ranges(ix.first_vertex[line] + lo, inner)]
    return shapely.linestrings(coords, indices=np.repeat(np.arange(len(line)), size))


def _join_runs(run_pair: np.ndarray, parts: np.ndarray, good: np.ndarray, n_pairs: int) -> np.ndarray:
    """One (Multi)LineString per pair from its inside runs; empty for a good pair with none."""
    result = np.full(n_pairs, None, dtype=object)
    result[good] = shapely.LineString()  # wholly outside after all (touching its bounding box only)
    n_parts = np.bincount(run_pair, minlength=n_pairs)
    one = n_parts[run_pair] == 1
    result[run_pair[one]] = parts[one]
    if (~one).any():
        owners, index = np.unique(run_pair[~one], return_inverse=True)
        result[owners] = shapely.multilinestrings(parts[~one], indices=index)
    return result


@dataclass(frozen=True)
class _Cut:
    """The exact cut of the LineString pairs: inside runs of the pairs that could be cut."""

    ix: _EdgeIndex
    pairs: np.ndarray  # the pairs cut (LineStrings), as rows of the caller's arrays
    bad: np.ndarray  # per cut pair: left to GEOS
    run_pair: np.ndarray  # cut pair of each inside run
    a: np.ndarray  # start and end of each inside run, as positions along its line
    b: np.ndarray


def _cut(geoms: np.ndarray, polygons: np.ndarray, seg: np.ndarray, poly: np.ndarray) -> _Cut:
    pairs = np.flatnonzero(shapely.get_type_id(geoms[seg]) == 1)  # LineString only
    ix = _edge_index(geoms, polygons, seg[pairs], poly[pairs])
    le, re_, pair_of = _meeting_edges(ix)
    t, crossing, bad = _crossings(ix, le, re_, pair_of)
    good = np.flatnonzero(~bad)
    run_pair, a, b = _crossing_params(ix, good, le, t, crossing, pair_of)
    inside = _inside_runs(ix, run_pair, a, b, polygons[poly[pairs]])
    return _Cut(ix, pairs, bad, run_pair[inside], a[inside], b[inside])


def clip_lines(
    geoms: np.ndarray, polygons: np.ndarray, seg: np.ndarray, poly: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``geoms[seg] ∩ polygons[poly]`` for each pair, without one GEOS overlay per pair.

    Each line is cut where its edges cross the polygon's boundary; each run between crossings
    is kept when a point in its middle is inside the (prepared) polygon, and the kept runs are
    the parts of the piece. Pairs whose line cannot be cut exactly this way — a vertex on the
    boundary, an edge along it, a multi-part line — are left to GEOS: ``exact`` is False for
    them.

    Returns
    -------
    pieces : ndarray of geometries
        Aligned with the pairs; None where not ``exact``.
    exact : ndarray of bool

    Examples
    --------
    >>> from shapely import LineString, box
    >>> pieces, exact = clip_lines(np.array([LineString([(0, 1), (10, 1)])]),
    ...                            np.array([box(2, 0, 5, 2)]), np.array([0]), np.array([0]))
    >>> pieces[0].wkt, bool(exact[0])
    ('LINESTRING (2 1, 5 1)', True)
    """
    pieces = np.full(len(seg), None, dtype=object)
    exact = np.zeros(len(seg), dtype=bool)
    cut = _cut(geoms, polygons, seg, poly)
    line = cut.ix.line_of[cut.run_pair]
    result = _join_runs(
        cut.run_pair, _run_lines(cut.ix, line, cut.a, cut.b), np.flatnonzero(~cut.bad), len(cut.pairs)
    )
    pieces[cut.pairs[~cut.bad]] = result[~cut.bad]
    exact[cut.pairs[~cut.bad]] = True
    return pieces, exact


def lines_outside(
    geoms: np.ndarray, polygons: np.ndarray, seg: np.ndarray, poly: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What is left of each line ``geoms[s]`` (``s`` in ``seg``) outside all of its polygons.

    ``seg, poly`` must hold every polygon the line meets. The leftover is the complement of the
    union of the inside runs of the line's pairs, so no GEOS difference is needed.

    Returns
    -------
    lines : ndarray of int
        The distinct lines of ``seg`` that could be cut exactly.
    leftover : ndarray of geometries
        Their part outside every polygon (an empty or (Multi)LineString).
    others : ndarray of int
        The lines left to the caller (a pair not cut exactly).
    """
    cut = _cut(geoms, polygons, seg, poly)
    ix = cut.ix
    distinct = np.unique(seg[cut.pairs])  # the numbering of ix.lines
    failed = np.zeros(len(distinct), dtype=bool)
    failed[ix.line_of[np.flatnonzero(cut.bad)]] = True
    line = ix.line_of[cut.run_pair]
    # Union of the inside runs of each line: sorted by start, a gap where a start passes the
    # furthest end so far; then the complement in [0, edge count].
    order = np.lexsort((cut.a, line))
    line, a, b = line[order], cut.a[order], cut.b[order]
    span = float(ix.n_edges.max()) + 1 if len(ix.n_edges) else 1.0
    reach = np.maximum.accumulate(line * span + b) - line * span if len(line) else b
    first = np.r_[True, line[1:] != line[:-1]] if len(line) else np.zeros(0, dtype=bool)
    prev_end = np.where(first, 0.0, np.r_[0.0, reach[:-1]])
    gap = a > prev_end
    last = np.r_[line[1:] != line[:-1], True] if len(line) else np.zeros(0, dtype=bool)
    n = ix.n_edges.astype(float)
    tail = last & (reach < n[line])
    untouched = np.setdiff1d(np.arange(len(distinct)), line)
    gap_line = np.concatenate([line[gap], line[tail], untouched])
    gap_a = np.concatenate([prev_end[gap], reach[tail], np.zeros(len(untouched))])
    gap_b = np.concatenate([a[gap], n[line[tail]], n[untouched]])
    keep = ~failed[gap_line]
    gap_line, gap_a, gap_b = gap_line[keep], gap_a[keep], gap_b[keep]
    sort = np.lexsort((gap_a, gap_line))
    gap_line, gap_a, gap_b = gap_line[sort], gap_a[sort], gap_b[sort]
    ok = np.flatnonzero(~failed)
    leftover = _join_runs(gap_line, _run_lines(ix, gap_line, gap_a, gap_b), ok, len(distinct))
    return distinct[ok], leftover[ok], distinct[failed]

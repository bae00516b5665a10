"""Lines cut at commune borders: one piece per (line, commune), each kilometre counted once.

Lines are cut in the metric working CRS (EPSG:9214 for Bắc Giang), so a segment crossing a border
is split and its kilometres are counted once, in the commune that holds each piece.

Assignment rule (documented, deterministic)
-------------------------------------------
Each part of a line goes to exactly one commune:

* a segment that intersects one commune only and lies inside it is kept whole (the fast path:
  most segments never touch a border, so they are never intersected);
* every other segment is cut commune by commune **in ascending ``commune_code`` order**: the
  piece inside a commune is what is left of the segment after the communes with lower codes took
  theirs. A segment lying on a shared border therefore goes to the lower code only, and where real
  commune polygons overlap (digitising errors) the overlap goes to the lower code too — no
  kilometre is counted twice;
* what is left after every commune (a segment beyond the district edge or in a sliver between
  polygons) is kept with ``commune_code`` missing and reported by :func:`split_problems`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..problems import Problem
from .linecut import clip_lines, lines_outside

__all__ = ["PRECISION_M", "split_by_commune", "split_problems"]

# Leftovers of a cut shorter than this are floating-point noise of intersection/difference
# (GEOS works in doubles: ~1e-9 m at 2.4e6 m northings), not road outside the district.
_NOISE_M = 1e-6
# Below this many (segment, commune) pairs per thread, threads cost more than they save.
_MIN_PAIRS_PER_WORKER = 5_000
#: Below this length a piece outside every commune is coordinate precision, not a gap (m).
PRECISION_M = 0.05
_LINEAR_TYPES = (1, 2, 5)  # LineString, LinearRing, MultiLineString


def _private_prepared(geoms: np.ndarray) -> np.ndarray:
    """Fresh copies of ``geoms``, prepared for this call only.

    ``shapely.prepare`` mutates the geometry object; the caller's geometries may be shared with
    other threads, and prepared GEOS geometries used from two threads crash (libgeos/geos#825).
    """
    copies = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(copies)
    return copies


def _linear(geoms: np.ndarray) -> np.ndarray:
    """Only the linear part of each geometry (a line cut by a polygon can yield stray points)."""
    out = geoms.copy()
    collections = np.flatnonzero(shapely.get_type_id(geoms) == 7)
    for i in collections:
        parts = shapely.get_parts(geoms[i])
        lines = parts[np.isin(shapely.get_type_id(parts), _LINEAR_TYPES)]
        lines = shapely.get_parts(lines)  # MultiLineString parts flattened
        out[i] = shapely.multilinestrings(lines) if len(lines) else shapely.LineString()
    return out


def _workers(workers: int | None) -> int:
    if workers is None:
        return max(1, min(4, os.cpu_count() or 1))
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    return int(workers)


def _pairwise(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray],
    polygons: np.ndarray,
    poly_idx: np.ndarray,
    geoms: np.ndarray,
    seg_idx: np.ndarray,
    *,
    workers: int,
) -> np.ndarray:
    """``func(polygons[poly_idx], geoms[seg_idx])`` in chunks over threads (shapely releases the GIL).

    Each worker prepares its own copy of ``polygons``: prepared GEOS geometries shared between
    threads crash (libgeos/geos#825). Small inputs run in the calling thread.
    """
    n = len(seg_idx)
    chunks = min(workers, n // _MIN_PAIRS_PER_WORKER)
    if chunks <= 1:
        return func(_private_prepared(polygons)[poly_idx], geoms[seg_idx])
    bounds = np.linspace(0, n, chunks + 1).astype(np.intp)

    def run(k: int) -> np.ndarray:
        own = _private_prepared(polygons)
        part = slice(bounds[k], bounds[k + 1])
        return func(own[poly_idx[part]], geoms[seg_idx[part]])

    with ThreadPoolExecutor(max_workers=chunks) as pool:
        return np.concatenate(list(pool.map(run, range(chunks))))


def _cut_in_code_order(
    geoms: np.ndarray, polygons: np.ndarray, seg: np.ndarray, poly: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut ``geoms[seg]`` by ``polygons[poly]`` in rounds, lowest code first.

    Round k gives every segment its k-th commune (pairs sorted by segment, then code), from what
    the lower codes left.
    """
    starts = np.searchsorted(seg, seg, side="left")
    rank = np.arange(len(seg)) - starts
    remaining = geoms.copy()
    out_seg, out_poly, out_geom = [], [], []
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        now = rank == k
        s, p = seg[now], poly[now]
        out_seg.append(s)
        out_poly.append(p)
        out_geom.append(_linear(shapely.intersection(remaining[s], polygons[p])))
        remaining[s] = shapely.difference(remaining[s], polygons[p])
    if not out_seg:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, dtype=object)
    return np.concatenate(out_seg), np.concatenate(out_poly), np.concatenate(out_geom)


def split_by_commune(
    lines: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *, workers: int | None = None
) -> gpd.GeoDataFrame:
    """Cut line features at commune borders: one row per (feature, commune) piece.

    Parameters
    ----------
    lines : GeoDataFrame
        Roads or canals in a metric CRS (the workspace working CRS).
    communes : GeoDataFrame
        With ``commune_code``, same CRS.
    workers : int, optional
        Threads for the GEOS predicates and intersections (default: the CPU count, at most 4);
        the result does not depend on it.

    Returns
    -------
    GeoDataFrame
        Every column of ``lines`` plus ``commune_code`` (missing outside every commune),
        ``length_m`` of the piece and ``source_index`` (index label of the original feature);
        the geometry is the piece. Zero-length pieces (a line touching a border) are dropped.
        Pieces follow the assignment rule of the module docstring, so the lengths of a feature's
        pieces add up to its length.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely import box, LineString
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B"]},
    ...                             geometry=[box(0, 0, 30, 10), box(30, 0, 100, 10)], crs=9214)
    >>> roads = gpd.GeoDataFrame({"segment_id": ["r"]}, geometry=[LineString([(0, 5), (100, 5)])],
    ...                          crs=9214)
    >>> split_by_commune(roads, communes)[["commune_code", "length_m"]].to_numpy().tolist()
    [['A', 30.0], ['B', 70.0]]
    """
    if lines.crs is not None and communes.crs is not None and lines.crs != communes.crs:
        raise ValueError(f"lines ({lines.crs}) and communes ({communes.crs}) must share one CRS")
    if lines.crs is not None and lines.crs.is_geographic:
        raise ValueError("cut lines in a metric CRS (the workspace working CRS), not degrees")
    # Lowest code first: the order in which communes take their pieces (module docstring).
    order = np.argsort(communes["commune_code"].astype(str).to_numpy(), kind="stable")
    codes = communes["commune_code"].astype(str).to_numpy()[order]
    raw_polygons = communes.geometry.to_numpy()[order]
    polygons = _private_prepared(raw_polygons)
    geoms = lines.geometry.to_numpy()
    workers = _workers(workers)

    seg_idx, poly_idx, proper = _touching_pairs(geoms, polygons, raw_polygons, workers=workers)
    n_hits = np.bincount(seg_idx, minlength=len(geoms))
    # Fast path: one commune touched and the segment inside it -> kept as it is, never cut.
    inside = proper & (n_hits[seg_idx] == 1)
    fast_seg, fast_poly = seg_idx[inside], poly_idx[inside]
    # Slow path. In a clean tiling the pieces of a segment are simply its intersections with each
    # commune it touches: one vectorised intersection over all pairs, split between workers.
    # Where the pieces add up to more than the segment (it lies on a shared border, or polygons
    # overlap) the segment is cut again in code order; where they add up to less, the part
    # outside every commune is computed — both are rare, so the costly differences are too.
    slow_seg, slow_poly = seg_idx[~inside], poly_idx[~inside]
    sort = np.lexsort((slow_poly, slow_seg))
    slow_seg, slow_poly = slow_seg[sort], slow_poly[sort]
    pieces, clipped = clip_lines(geoms, polygons, slow_seg, slow_poly)
    overlay = ~clipped
    if overlay.any():
        pieces[overlay] = _linear(
            _pairwise(
                shapely.intersection,
                raw_polygons,
                slow_poly[overlay],
                geoms,
                slow_seg[overlay],
                workers=workers,
            )
        )
    full = shapely.length(geoms)
    slow_seg, slow_poly, pieces, taken = _without_double_counts(
        geoms, full, polygons, slow_seg, slow_poly, pieces, clipped
    )
    taken[fast_seg] = full[fast_seg]
    out_seg, out_geom = _outside_every_commune(geoms, polygons, full - taken, n_hits, slow_seg, slow_poly)
    seg = np.concatenate([fast_seg, slow_seg, out_seg]).astype(np.intp)
    poly = np.concatenate([fast_poly, slow_poly, np.full(len(out_seg), -1)]).astype(np.intp)
    return _pieces_frame(lines, codes, seg, poly, np.concatenate([geoms[fast_seg], pieces, out_geom]))


def _touching_pairs(
    geoms: np.ndarray, polygons: np.ndarray, raw_polygons: np.ndarray, *, workers: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(segment, commune) pairs that intersect, and whether the segment lies properly inside.

    ``polygons`` are prepared for this thread, ``raw_polygons`` the same unprepared (each worker
    prepares its own copy).
    """
    tree = shapely.STRtree(polygons)
    seg_idx, poly_idx = tree.query(geoms)  # bounding boxes only; exact tests below, prepared
    # Most segments lie in the interior of one commune. contains_properly against a prepared
    # polygon is the cheapest exact test there is, so it runs first on every candidate pair;
    # the full intersects test is left for the other pairs of a segment (it could still touch
    # a second, overlapping polygon) and for segments that are not properly inside any.
    proper = _pairwise(shapely.contains_properly, raw_polygons, poly_idx, geoms, seg_idx, workers=workers)
    hit = proper.copy()
    rest = ~proper
    hit[rest] = _pairwise(
        shapely.intersects, raw_polygons, poly_idx[rest], geoms, seg_idx[rest], workers=workers
    )
    return seg_idx[hit], poly_idx[hit], proper[hit]


def _without_double_counts(
    geoms: np.ndarray,
    full: np.ndarray,
    polygons: np.ndarray,
    seg: np.ndarray,
    poly: np.ndarray,
    pieces: np.ndarray,
    clipped: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut again in code order the segments whose pieces overlap, so no length counts twice.

    ``seg, poly`` are the cut pairs sorted by segment, then code, ``pieces`` their pieces and
    ``full`` the length of every segment. Returns the pairs and pieces afterwards, and the length
    each segment has in pieces.
    """
    # float: with no pieces at all, bincount would return integers and truncate what is stored.
    taken = np.bincount(seg, shapely.length(pieces), minlength=len(geoms)).astype(float)
    # Two pieces of one segment overlap where it runs along a shared border or through an overlap
    # of polygons (the sums alone do not tell: a double count can cancel a part outside every
    # commune). A line cut exactly by _clip_lines never runs along a border, so its pieces can
    # overlap only if two of its polygons do: a segment all of whose pairs were cut exactly, none
    # of whose communes overlaps another commune, is counted once as it is. Of the others, two
    # pieces cut by GEOS are intersected with each other; three or more are cut in code order.
    count = np.bincount(seg, minlength=len(geoms))
    exact_only = np.bincount(seg, ~clipped, minlength=len(geoms)) == 0
    risky = np.bincount(seg, _overlapping(polygons)[poly], minlength=len(geoms)) > 0
    first = np.flatnonzero((count[seg] == 2) & np.r_[seg[1:] == seg[:-1], False])
    both = clipped[first] & clipped[first + 1]
    doubled = np.zeros(len(first), dtype=bool)
    pair_a, pair_b = poly[first[both]], poly[first[both] + 1]
    if len(pair_a):
        neighbours, which = np.unique(np.column_stack([pair_a, pair_b]), axis=0, return_inverse=True)
        overlapping = shapely.relate_pattern(
            polygons[neighbours[:, 0]], polygons[neighbours[:, 1]], "2********"
        )
        doubled[both] = overlapping[which.ravel()]
    other = first[~both]
    doubled[~both] = shapely.length(shapely.intersection(pieces[other], pieces[other + 1])) > _NOISE_M
    redo = (taken > full + _NOISE_M) | ((count >= 3) & ~(exact_only & ~risky))
    redo[seg[first[doubled]]] = True
    again = redo[seg]
    if not again.any():
        return seg, poly, pieces, taken
    new_seg, new_poly, new_geom = _cut_in_code_order(geoms, polygons, seg[again], poly[again])
    seg = np.concatenate([seg[~again], new_seg])
    pieces = np.concatenate([pieces[~again], new_geom])
    taken = np.bincount(seg, shapely.length(pieces), minlength=len(geoms)).astype(float)
    return seg, np.concatenate([poly[~again], new_poly]), pieces, taken


def _overlapping(polygons: np.ndarray) -> np.ndarray:
    """Whether each polygon shares area with another one (digitising errors; none in a tiling)."""
    a, b = shapely.STRtree(polygons).query(polygons, predicate="intersects")
    a, b = a[a < b], b[a < b]
    shared = shapely.relate_pattern(polygons[a], polygons[b], "2********")
    flag = np.zeros(len(polygons), dtype=bool)
    flag[a[shared]] = flag[b[shared]] = True
    return flag


def _outside_every_commune(
    geoms: np.ndarray,
    polygons: np.ndarray,
    missing_m: np.ndarray,
    n_hits: np.ndarray,
    seg: np.ndarray,
    poly: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Segments in no commune at all, and what the communes left of the others.

    ``missing_m`` is each segment's length not yet in a piece; ``seg, poly`` are the cut pairs.
    Returns the segment and geometry of each leftover longer than the noise of the cut.
    """
    untouched = np.flatnonzero(n_hits == 0)
    short = np.flatnonzero((missing_m >= _NOISE_M / 2) & (n_hits > 0))
    mine = np.isin(seg, short)
    # The exact cut gives the leftover as the gaps between the inside runs (no GEOS difference);
    # the lines it cannot cut exactly lose their communes by GEOS differences, round by round.
    done, done_geom, others = lines_outside(geoms, polygons, seg[mine], poly[mine])
    leftover = np.empty(len(short), dtype=object)
    leftover[np.searchsorted(short, done)] = done_geom
    rest = np.isin(short, others) | ~np.isin(short, done)
    leftover[rest] = _differences(geoms, polygons, short[rest], seg, poly)
    leftover = _linear(leftover) if len(short) else np.empty(0, dtype=object)
    left_over = shapely.length(leftover) >= _NOISE_M
    return (
        np.concatenate([untouched, short[left_over]]),
        np.concatenate([geoms[untouched], leftover[left_over]]),
    )


def _differences(
    geoms: np.ndarray, polygons: np.ndarray, short: np.ndarray, seg: np.ndarray, poly: np.ndarray
) -> np.ndarray:
    """``geoms[short]`` less every polygon of its pairs ``seg, poly`` (GEOS differences)."""
    remaining = geoms[short]
    member = np.flatnonzero(np.isin(seg, short))
    where = np.searchsorted(short, seg[member])
    # Round by round, each short segment loses one of its communes (vectorised over segments).
    rank = np.zeros(len(member), dtype=np.intp)
    if len(member):
        order = np.argsort(where, kind="stable")
        sorted_where = where[order]
        rank[order] = np.arange(len(member)) - np.searchsorted(sorted_where, sorted_where)
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        now = rank == k
        remaining[where[now]] = shapely.difference(remaining[where[now]], polygons[poly[member[now]]])
    return remaining


def _pieces_frame(
    lines: gpd.GeoDataFrame, codes: np.ndarray, seg: np.ndarray, poly: np.ndarray, geom: np.ndarray
) -> gpd.GeoDataFrame:
    """The pieces as rows: attributes of their feature, commune code (``poly`` -1: none), length."""
    length = shapely.length(geom)
    nonzero = length > 0
    seg, poly, geom, length = seg[nonzero], poly[nonzero], geom[nonzero], length[nonzero]
    # Stable output order: by source feature, then commune order (outside last).
    sort = np.lexsort((np.where(poly < 0, len(codes), poly), seg))
    seg, poly, geom, length = seg[sort], poly[sort], geom[sort], length[sort]

    attributes = pd.DataFrame(lines.drop(columns=lines.geometry.name)).iloc[seg]
    source = lines.index.to_numpy()[seg]
    attributes = attributes.reset_index(drop=True)
    commune_code = pd.Series(np.where(poly >= 0, codes[np.maximum(poly, 0)], None), dtype=object)
    attributes["commune_code"] = commune_code.where(poly >= 0, None)
    attributes["length_m"] = length
    attributes["source_index"] = source
    return gpd.GeoDataFrame(attributes, geometry=geom, crs=lines.crs)


def split_problems(pieces: gpd.GeoDataFrame, layer: str, *, id_column: str = "segment_id") -> list[Problem]:
    """Problems for the pieces of :func:`split_by_commune` that lie outside every commune.

    Parameters
    ----------
    pieces : GeoDataFrame
        Output of :func:`split_by_commune`.
    layer : str
        Layer name for the problem rows (``roads``, ``canals``).
    id_column : str
        Feature id column.

    Returns
    -------
    list of Problem
        One warning per feature with length outside the communes (not counted in any commune).
    """
    outside = pieces[pieces["commune_code"].isna()]
    lengths = outside.groupby(id_column, sort=True)["length_m"].sum()
    kept = lengths[lengths >= PRECISION_M]
    problems = Problem.each(
        "problems.length_outside",
        zip(map(str, kept.index), ({"metres": f"{length:.3g}"} for length in kept.tolist()), strict=True),
        layer=layer,
    )
    # Line ends that stop on the district edge poke out by rounding (millimetres): one line for
    # all of them, so real gaps are not buried under them.
    tiny = lengths[lengths < PRECISION_M]
    if len(tiny):
        problems.append(
            Problem.of(
                "problems.length_outside_tiny",
                layer=layer,
                feature=", ".join(map(str, tiny.index[:10])) + (" …" if len(tiny) > 10 else ""),
                severity="info",
                features=len(tiny),
                cm=f"{PRECISION_M * 100:g}",
                metres=f"{tiny.sum():.3g}",
            )
        )
    return problems

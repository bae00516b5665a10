"""Road and canal concretization per commune, and the segments still to upgrade.

Lines are cut at commune borders in the metric working CRS (EPSG:9214 for Bắc Giang), so a
segment crossing a border is split and its kilometres are counted once, in the commune that holds
each piece.

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

import math
from collections.abc import Iterable, Mapping
from importlib import resources

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..problems import Problem
from ..vocab import concretized_surfaces, kien_co_linings, vocabulary

__all__ = [
    "split_by_commune",
    "split_problems",
    "road_concretization",
    "canal_lining",
    "load_unit_costs",
    "segments_to_upgrade",
    "upgrade_totals",
    "NOT_ASSESSED",
    "ASSESSED",
]

#: Status of a share computed from at least one metre of line.
ASSESSED = "assessed"
#: Status of a share with nothing to measure (no road of that class in the commune): never 0 %.
NOT_ASSESSED = "not assessed"

# Leftovers of a cut shorter than this are floating-point noise of intersection/difference
# (GEOS works in doubles: ~1e-9 m at 2.4e6 m northings), not road outside the district.
_NOISE_M = 1e-6
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


def split_by_commune(lines: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Cut line features at commune borders: one row per (feature, commune) piece.

    Parameters
    ----------
    lines : GeoDataFrame
        Roads or canals in a metric CRS (the workspace working CRS).
    communes : GeoDataFrame
        With ``commune_code``, same CRS.

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
    polygons = _private_prepared(communes.geometry.to_numpy()[order])
    geoms = lines.geometry.to_numpy()

    tree = shapely.STRtree(polygons)
    seg_idx, poly_idx = tree.query(geoms)  # bounding boxes only; exact test below, prepared
    hit = shapely.intersects(polygons[poly_idx], geoms[seg_idx])
    seg_idx, poly_idx = seg_idx[hit], poly_idx[hit]
    n_hits = np.bincount(seg_idx, minlength=len(geoms))

    # Fast path: one commune touched and the segment inside it -> kept as it is, never cut.
    single = n_hits[seg_idx] == 1
    inside = np.zeros(len(seg_idx), dtype=bool)
    inside[single] = shapely.contains(polygons[poly_idx[single]], geoms[seg_idx[single]])
    fast_seg, fast_poly = seg_idx[inside], poly_idx[inside]

    # Slow path: cut in rounds, round k gives every segment its k-th commune (ascending code),
    # vectorised over all the segments that still have one.
    slow = ~inside
    slow_seg, slow_poly = seg_idx[slow], poly_idx[slow]
    sort = np.lexsort((slow_poly, slow_seg))
    slow_seg, slow_poly = slow_seg[sort], slow_poly[sort]
    starts = np.searchsorted(slow_seg, slow_seg, side="left")
    rank = np.arange(len(slow_seg)) - starts
    last = rank == n_hits[slow_seg] - 1
    remaining = geoms.copy()
    cut_length = np.zeros(len(geoms))
    piece_seg, piece_poly, piece_geom = [fast_seg], [fast_poly], [geoms[fast_seg]]
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        now = rank == k
        s, p = slow_seg[now], slow_poly[now]
        piece = _linear(shapely.intersection(remaining[s], polygons[p]))
        piece_seg.append(s)
        piece_poly.append(p)
        piece_geom.append(piece)
        np.add.at(cut_length, s, shapely.length(piece))
        # The last commune of a segment needs no difference unless something is left outside
        # (checked by length below): it saves about half of the GEOS overlay calls.
        more = ~last[now]
        remaining[s[more]] = shapely.difference(remaining[s[more]], polygons[p[more]])
    # Outside every commune: segments with no commune at all, and what the cut left over.
    untouched = np.flatnonzero(n_hits == 0)
    last_seg, last_poly = slow_seg[last], slow_poly[last]
    short = shapely.length(geoms[last_seg]) - cut_length[last_seg] >= _NOISE_M / 2
    cut = last_seg[short]
    leftover = _linear(shapely.difference(remaining[cut], polygons[last_poly[short]]))
    keep = shapely.length(leftover) >= _NOISE_M
    out_seg = np.concatenate([untouched, cut[keep]])
    piece_seg.append(out_seg)
    piece_poly.append(np.full(len(out_seg), -1))
    piece_geom.append(np.concatenate([geoms[untouched], leftover[keep]]))

    seg = np.concatenate(piece_seg).astype(np.intp)
    poly = np.concatenate(piece_poly).astype(np.intp)
    geom = np.concatenate(piece_geom)
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
    problems = [Problem(
        "", layer, str(feature),
        f"{length:.3g} m lie outside every commune polygon "
        "(beyond the district edge or in a gap between commune polygons)",
        "kept in the pieces layer with no commune; not counted in any commune's km", "warning")
        for feature, length in lengths[lengths >= PRECISION_M].items()]
    # Line ends that stop on the district edge poke out by rounding (millimetres): one line for
    # all of them, so real gaps are not buried under them.
    tiny = lengths[lengths < PRECISION_M]
    if len(tiny):
        problems.append(Problem(
            "", layer, ", ".join(map(str, tiny.index[:10])) + (" …" if len(tiny) > 10 else ""),
            f"{len(tiny)} features have less than {PRECISION_M * 100:g} cm outside every commune "
            f"(coordinate precision at the district edge; {tiny.sum():.3g} m in all)",
            "not counted in any commune's km", "info"))
    return problems


def _share_table(pieces: pd.DataFrame, communes: pd.DataFrame, *, by: str | None, categories: Iterable[str],
                 counted: pd.Series, counted_name: str) -> pd.DataFrame:
    """Per commune (× ``by`` category): total km, counted km, share, status — full grid."""
    codes = communes["commune_code"].astype(str).drop_duplicates().sort_values().tolist()
    inside = pieces["commune_code"].notna()
    frame = pd.DataFrame({
        "commune_code": pieces.loc[inside, "commune_code"].astype(str),
        "total_km": pieces.loc[inside, "length_m"] / 1000.0,
        counted_name: np.where(counted[inside], pieces.loc[inside, "length_m"] / 1000.0, 0.0),
    })
    keys = ["commune_code"]
    if by is not None:
        frame[by] = pieces.loc[inside, by].astype(str)
        keys.append(by)
        grid = pd.MultiIndex.from_product([codes, list(categories)], names=keys)
    else:
        grid = pd.Index(codes, name="commune_code")
    sums = frame.groupby(keys)[["total_km", counted_name]].sum()
    # Every commune (and class) gets a row: no road is a measured 0 km, not a missing row.
    table = sums.reindex(grid, fill_value=0.0).reset_index()
    has = table["total_km"] > 0
    # Nothing to measure is "not assessed" (NaN), never 0 %: the criteria engine must not fail
    # a commune for a road class it does not have.
    table["share"] = np.where(has, table[counted_name] / table["total_km"].where(has, 1.0), np.nan)
    table["status"] = np.where(has, ASSESSED, NOT_ASSESSED)
    return table


def road_concretization(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *,
                        surfaces: Iterable[str] | None = None,
                        pieces: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Concretized road length per commune and road class.

    Parameters
    ----------
    roads : GeoDataFrame
        ``roads`` layer (``road_class``, ``surface``) in the metric working CRS.
    communes : GeoDataFrame
        ``communes`` layer, same CRS.
    surfaces : iterable of str, optional
        Surfaces that count as concretized (cứng hóa); by default the vocabulary's
        (:func:`ntmgis.vocab.concretized_surfaces`).
    pieces : GeoDataFrame, optional
        A precomputed :func:`split_by_commune` of ``roads`` (saves cutting twice).

    Returns
    -------
    DataFrame
        ``commune_code, road_class, total_km, concretized_km, share, status`` for every commune
        × every road class of the vocabulary (and any other class present). ``share`` is
        ``concretized_km / total_km`` in 0..1, NaN with status ``"not assessed"`` when the
        commune has no road of that class. Pieces outside every commune are not in any row
        (see :func:`split_problems`).
    """
    counted_surfaces = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    pieces = split_by_commune(roads, communes) if pieces is None else pieces
    classes = list(vocabulary()["road_class"])
    classes += sorted(set(pieces["road_class"].astype(str)) - set(classes))
    counted = pieces["surface"].astype(str).isin(counted_surfaces)
    table = _share_table(pieces, communes, by="road_class", categories=classes, counted=counted,
                         counted_name="concretized_km")
    return table[["commune_code", "road_class", "total_km", "concretized_km", "share", "status"]]


def canal_lining(canals: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, *,
                 managed_by: Iterable[str] = ("xa",), linings: Iterable[str] | None = None,
                 pieces: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Lined (kiên cố) canal length per commune, for canals of the given managers.

    Parameters
    ----------
    canals : GeoDataFrame
        ``canals`` layer (``lining``, ``managed_by``) in the metric working CRS.
    communes : GeoDataFrame
        ``communes`` layer, same CRS.
    managed_by : iterable of str
        Managers whose canals count (default the commune, ``xa``: the nâng cao indicator is
        about commune-managed canals; irrigation-company canals are excluded).
    linings : iterable of str, optional
        Linings that count as kiên cố; by default the vocabulary's
        (:func:`ntmgis.vocab.kien_co_linings`).
    pieces : GeoDataFrame, optional
        A precomputed :func:`split_by_commune` of ``canals``.

    Returns
    -------
    DataFrame
        ``commune_code, total_km, lined_km, share, status`` for every commune; ``share`` NaN and
        ``"not assessed"`` where the commune manages no canal.
    """
    counted_linings = frozenset(kien_co_linings() if linings is None else linings)
    managers = {str(m) for m in managed_by}
    pieces = split_by_commune(canals, communes) if pieces is None else pieces
    pieces = pieces[pieces["managed_by"].astype(str).isin(managers)]
    counted = pieces["lining"].astype(str).isin(counted_linings)
    table = _share_table(pieces, communes, by=None, categories=(), counted=counted, counted_name="lined_km")
    return table[["commune_code", "total_km", "lined_km", "share", "status"]]


def load_unit_costs() -> pd.DataFrame:
    """The packaged unit-cost table (``ntmgis/analysis/unit_costs.csv``).

    Returns
    -------
    DataFrame
        ``road_class, target_surface, million_vnd_per_km, assumption, note``. The values are
        illustrative assumptions for the user to replace with the province's unit prices
        (đơn giá); every row says so in ``assumption`` and ``note``.
    """
    source = resources.files("ntmgis.analysis").joinpath("unit_costs.csv")
    with source.open("r", encoding="utf-8") as handle:
        table = pd.read_csv(handle, comment="#", dtype={"road_class": str, "target_surface": str})
    table["assumption"] = table["assumption"].astype(str).str.lower().eq("true")
    return table


def segments_to_upgrade(roads: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, unit_costs: pd.DataFrame, *,
                        surfaces: Iterable[str] | None = None,
                        target_surfaces: Mapping[str, str] | None = None,
                        pieces: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Every non-concretized road piece (within its commune) with an estimated upgrade cost.

    Parameters
    ----------
    roads, communes : GeoDataFrame
        As for :func:`road_concretization`.
    unit_costs : DataFrame
        ``road_class, target_surface, million_vnd_per_km`` (see :func:`load_unit_costs`).
    surfaces : iterable of str, optional
        Surfaces already concretized (not to upgrade); vocabulary default.
    target_surfaces : mapping, optional
        Road class → target surface; by default the first row of ``unit_costs`` for the class.
    pieces : GeoDataFrame, optional
        A precomputed :func:`split_by_commune` of ``roads``.

    Returns
    -------
    GeoDataFrame
        ``segment_id, commune_code, road_class, surface, length_km, target_surface,
        million_vnd_per_km, cost_million_vnd, cost_assumption`` and the piece geometry. The cost
        is ``length_km × million_vnd_per_km``; missing when the table has no price for the class.
        Pieces outside every commune are left out (reported by :func:`split_problems`).

    Notes
    -----
    .. math:: \\text{cost}_i = \\ell_i\\,[\\text{km}] \\times c(\\text{class}_i, \\text{target}_i)
    """
    counted_surfaces = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    pieces = split_by_commune(roads, communes) if pieces is None else pieces
    todo = pieces[pieces["commune_code"].notna() & ~pieces["surface"].astype(str).isin(counted_surfaces)]
    first = unit_costs.drop_duplicates("road_class", keep="first").set_index("road_class")["target_surface"]
    targets = dict(first) | dict(target_surfaces or {})
    out = todo[["segment_id", "commune_code", "road_class", "surface"]].copy()
    out["length_km"] = todo["length_m"].to_numpy() / 1000.0
    out["target_surface"] = out["road_class"].astype(str).map(targets)
    prices = unit_costs.drop_duplicates(["road_class", "target_surface"]) \
        .set_index(["road_class", "target_surface"])["million_vnd_per_km"]
    keys = list(zip(out["road_class"].astype(str), out["target_surface"], strict=True))
    out["million_vnd_per_km"] = [float(prices[k]) if k in prices.index else math.nan for k in keys]
    out["cost_million_vnd"] = out["length_km"] * out["million_vnd_per_km"]
    assumed = unit_costs.set_index(["road_class", "target_surface"])["assumption"] \
        if "assumption" in unit_costs else pd.Series(dtype=bool)
    out["cost_assumption"] = [bool(assumed.get(k, True)) for k in keys]
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=todo.geometry.to_numpy(), crs=pieces.crs)


def upgrade_totals(segments: pd.DataFrame) -> pd.DataFrame:
    """Km and cost to upgrade per commune and road class (from :func:`segments_to_upgrade`).

    Returns
    -------
    DataFrame
        ``commune_code, road_class, length_km, cost_million_vnd, priced_km``; the cost sums only
        priced pieces, ``priced_km`` says how many km that covers.
    """
    frame = pd.DataFrame(segments.drop(columns=segments.geometry.name)) \
        if isinstance(segments, gpd.GeoDataFrame) else segments.copy()
    frame["priced_km"] = frame["length_km"].where(frame["cost_million_vnd"].notna(), 0.0)
    return (frame.groupby(["commune_code", "road_class"], as_index=False)
            [["length_km", "cost_million_vnd", "priced_km"]].sum(min_count=0))

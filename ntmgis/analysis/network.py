"""Road and canal concretization per commune, and the segments still to upgrade.

Every measure here counts the pieces of :func:`ntmgis.analysis.clip.split_by_commune` (lines cut
at commune borders, each kilometre in exactly one commune; the assignment rule is documented
there), so the per-commune kilometres add up to the clipped total.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..codes import NOT_ASSESSED
from ..costs import UNIT_COST_COLUMNS, upgrade_prices
from ..vocab import concretized_surfaces, kien_co_linings, vocabulary
from .clip import split_by_commune

__all__ = [
    "ASSESSED",
    "NOT_ASSESSED",
    "canal_lining",
    "canals_to_line",
    "road_concretization",
    "segments_to_upgrade",
    "upgrade_totals",
]

#: Status of a share computed from at least one metre of line. A share with nothing to measure (no
#: road of that class in the commune) is :data:`ntmgis.codes.NOT_ASSESSED`, never 0 %.
ASSESSED = "assessed"


def _positions(values: pd.Series, categories: Sequence[Any]) -> np.ndarray:
    """Index of each value in ``categories`` (-1 when absent): factorize, then a small lookup.

    pandas factorizes an Arrow string column without making Python strings; only the few
    distinct values are looked up.
    """
    found, uniques = pd.factorize(values.astype(str))
    where = {str(c): i for i, c in enumerate(categories)}
    lookup = np.array([where.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    return lookup[found]


def _share_table(
    pieces: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    by: str | None,
    categories: Iterable[str],
    counted: pd.Series,
    counted_name: str,
) -> pd.DataFrame:
    """Per commune (× ``by`` category): total km, counted km, share, status — full grid."""
    codes = communes["commune_code"].astype(str).drop_duplicates().sort_values().tolist()
    grid: list[str | None] = list(categories) if by is not None else [None]
    inside = pieces["commune_code"].notna().to_numpy()
    km = pieces["length_m"].to_numpy(dtype=float)[inside] / 1000.0
    # Positions in the full grid (commune-major, as the rows come out); bincount sums them, which
    # is the groupby without hashing 100k strings.
    commune = _positions(pieces.loc[inside, "commune_code"], codes)
    klass = (
        _positions(pieces.loc[inside, by], grid) if by is not None else np.zeros(len(commune), dtype=np.int64)
    )
    position = commune * len(grid) + klass
    known = (commune >= 0) & (klass >= 0)
    size = len(codes) * len(grid)
    total = np.bincount(position[known], km[known], minlength=size)
    done = np.bincount(position[known], np.where(counted.to_numpy()[inside], km, 0.0)[known], minlength=size)
    table = pd.DataFrame({"commune_code": np.repeat(codes, len(grid))})
    if by is not None:
        table[by] = np.tile(np.asarray(grid, dtype=object), len(codes))
    table["total_km"] = total
    table[counted_name] = done
    # Every commune (and class) gets a row: no road is a measured 0 km, not a missing row.
    has = total > 0
    # Nothing to measure is "not assessed" (NaN), never 0 %: the criteria engine must not fail
    # a commune for a road class it does not have.
    table["share"] = np.where(has, done / np.where(has, total, 1.0), np.nan)
    table["status"] = np.where(has, ASSESSED, NOT_ASSESSED)
    return table


def road_concretization(
    roads: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    surfaces: Iterable[str] | None = None,
    classes: Iterable[str] | None = None,
    pieces: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
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
    classes : iterable of str, optional
        Road classes every commune gets a row for, in this order; by default the vocabulary's.
    pieces : GeoDataFrame, optional
        A precomputed :func:`split_by_commune` of ``roads`` (saves cutting twice).

    Returns
    -------
    DataFrame
        ``commune_code, road_class, total_km, concretized_km, share, status`` for every commune
        × every road class of ``classes`` (and any other class present). ``share`` is
        ``concretized_km / total_km`` in 0..1, NaN with status ``not_assessed`` when the
        commune has no road of that class. Pieces outside every commune are not in any row
        (see :func:`ntmgis.analysis.clip.split_problems`).

    Examples
    --------
    A concrete road across two communes (30 m in A, 70 m in B) and a 10 m earth road in A:

    >>> from shapely import LineString, box
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B"]},
    ...                             geometry=[box(0, 0, 30, 10), box(30, 0, 100, 10)], crs=9214)
    >>> roads = gpd.GeoDataFrame({"segment_id": ["r1", "r2"], "road_class": "xa",
    ...                           "surface": ["be_tong", "dat"]},
    ...                          geometry=[LineString([(0, 5), (100, 5)]), LineString([(10, 2), (20, 2)])],
    ...                          crs=9214)
    >>> table = road_concretization(roads, communes)
    >>> table[table["road_class"] == "xa"].round(3)
       commune_code road_class  total_km  concretized_km  share    status
    3             A         xa      0.04            0.03   0.75  assessed
    11            B         xa      0.07            0.07   1.00  assessed
    >>> table.loc[table["road_class"] == "quoc_lo", "status"].tolist()  # no national road: no 0 %
    ['not_assessed', 'not_assessed']
    """
    counted_surfaces = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    pieces = split_by_commune(roads, communes) if pieces is None else pieces
    classes = list(vocabulary()["road_class"] if classes is None else classes)
    # unique() first: iterating a 100k-row Arrow string column in Python costs more than the cut.
    classes += sorted(set(pieces["road_class"].astype(str).unique()) - set(classes))
    counted = pieces["surface"].astype(str).isin(counted_surfaces)
    table = _share_table(
        pieces, communes, by="road_class", categories=classes, counted=counted, counted_name="concretized_km"
    )
    return table[["commune_code", "road_class", "total_km", "concretized_km", "share", "status"]]


def canal_lining(
    canals: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    managed_by: Iterable[str] = ("xa",),
    linings: Iterable[str] | None = None,
    pieces: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
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
        ``not_assessed`` where the commune manages no canal.
    """
    counted_linings = frozenset(kien_co_linings() if linings is None else linings)
    managers = {str(m) for m in managed_by}
    pieces = split_by_commune(canals, communes) if pieces is None else pieces
    pieces = pieces[pieces["managed_by"].astype(str).isin(managers)]
    counted = pieces["lining"].astype(str).isin(counted_linings)
    table = _share_table(pieces, communes, by=None, categories=(), counted=counted, counted_name="lined_km")
    return table[["commune_code", "total_km", "lined_km", "share", "status"]]


def segments_to_upgrade(
    roads: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    unit_costs: pd.DataFrame,
    *,
    surfaces: Iterable[str] | None = None,
    target_surfaces: Mapping[str, str] | None = None,
    pieces: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    r"""Every non-concretized road piece (within its commune) with an estimated upgrade cost.

    Parameters
    ----------
    roads, communes : GeoDataFrame
        As for :func:`road_concretization`.
    unit_costs : DataFrame
        ``road_class, target_surface, million_vnd_per_km`` (see :func:`ntmgis.costs.load_unit_costs`).
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
    .. math:: \text{cost}_i = \ell_i\,[\text{km}] \times c(\text{class}_i, \text{target}_i)

    Examples
    --------
    The 10 m earth road of :func:`road_concretization`'s example, at 3,000 million VND per km:

    >>> from shapely import LineString, box
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B"]},
    ...                             geometry=[box(0, 0, 30, 10), box(30, 0, 100, 10)], crs=9214)
    >>> roads = gpd.GeoDataFrame({"segment_id": ["r1", "r2"], "road_class": "xa",
    ...                           "surface": ["be_tong", "dat"]},
    ...                          geometry=[LineString([(0, 5), (100, 5)]), LineString([(10, 2), (20, 2)])],
    ...                          crs=9214)
    >>> costs = pd.DataFrame({"road_class": ["xa"], "target_surface": ["be_tong"],
    ...                       "million_vnd_per_km": [3000.0], "assumption": [True]})
    >>> todo = segments_to_upgrade(roads, communes, costs)
    >>> todo[["segment_id", "commune_code", "length_km", "target_surface", "cost_million_vnd"]]
      segment_id commune_code  length_km target_surface  cost_million_vnd
    0         r2            A       0.01        be_tong              30.0
    >>> upgrade_totals(todo)
      commune_code road_class  length_km  cost_million_vnd  priced_km
    0            A         xa       0.01              30.0       0.01
    """
    counted_surfaces = frozenset(concretized_surfaces() if surfaces is None else surfaces)
    pieces = split_by_commune(roads, communes) if pieces is None else pieces
    todo = pieces[pieces["commune_code"].notna() & ~pieces["surface"].astype(str).isin(counted_surfaces)]
    columns = ["segment_id", "commune_code", "road_class", "surface"]
    return _priced_pieces(todo, columns, unit_costs, "roads", target_surfaces, crs=pieces.crs)


def _priced_pieces(
    todo: gpd.GeoDataFrame,
    columns: list[str],
    unit_costs: pd.DataFrame,
    network: str,
    overrides: Mapping[str, str] | None,
    *,
    crs: object,
) -> gpd.GeoDataFrame:
    """Pieces to upgrade with their km, target, unit price and cost (roads and canals alike)."""
    key, target = UNIT_COST_COLUMNS[network]
    defaults, prices = upgrade_prices(unit_costs, network)
    targets = defaults | dict(overrides or {})
    out = todo[columns].copy()
    out["length_km"] = todo["length_m"].to_numpy() / 1000.0
    out[target] = out[key].astype(str).map(targets)
    keys = list(zip(out[key].astype(str), out[target], strict=True))
    out["million_vnd_per_km"] = [prices.get(k, math.nan) for k in keys]
    out["cost_million_vnd"] = out["length_km"] * out["million_vnd_per_km"]
    flagged = "assumption" in unit_costs  # a table without the flag counts as an assumption
    assumed = unit_costs.set_index([key, target])["assumption"] if flagged else pd.Series(dtype=bool)
    out["cost_assumption"] = _assumed(assumed, keys)
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=todo.geometry.to_numpy(), crs=crs)


_NO_TARGET = object()  # the memo key of every NaN target (each NaN is its own object)


def _assumed(assumed: pd.Series, keys: list[tuple[str, object]]) -> list[bool]:
    """``bool(assumed.get(key, True))`` of every key, looked up once per distinct key.

    A district has a few dozen (class, target) pairs and tens of thousands of pieces; a missing
    target (NaN, a new object each time) is one key, as every NaN finds the same row.
    """
    memo: dict[tuple[str, object], bool] = {}
    out = []
    for k in keys:
        slot = (k[0], _NO_TARGET) if isinstance(k[1], float) and math.isnan(k[1]) else k
        if slot not in memo:
            memo[slot] = bool(assumed.get(k, True))
        out.append(memo[slot])
    return out


def upgrade_totals(segments: pd.DataFrame) -> pd.DataFrame:
    """Km and cost to upgrade per commune and road class (from :func:`segments_to_upgrade`).

    Returns
    -------
    DataFrame
        ``commune_code, road_class, length_km, cost_million_vnd, priced_km``; the cost sums only
        priced pieces, ``priced_km`` says how many km that covers. Pieces are summed in
        (commune, class, segment) order, so the totals do not depend on the order of the layer.
    """
    frame = (
        pd.DataFrame(segments.drop(columns=segments.geometry.name))
        if isinstance(segments, gpd.GeoDataFrame)
        else segments.copy()
    )
    frame = frame.sort_values(["commune_code", "road_class", "segment_id"], kind="stable")
    frame["priced_km"] = frame["length_km"].where(frame["cost_million_vnd"].notna(), 0.0)
    return frame.groupby(["commune_code", "road_class"], as_index=False)[
        ["length_km", "cost_million_vnd", "priced_km"]
    ].sum(min_count=0)


def canals_to_line(
    canals: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    unit_costs: pd.DataFrame,
    *,
    linings: Iterable[str] | None = None,
    managed_by: Iterable[str] = ("xa",),
    target_linings: Mapping[str, str] | None = None,
    pieces: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Every canal piece not yet lined (kiên cố), within its commune, with an estimated lining cost.

    The canal counterpart of :func:`segments_to_upgrade`, and the complement of what
    :func:`canal_lining` counts as lined: the same managers, the same linings.

    Parameters
    ----------
    canals, communes : GeoDataFrame
        As for :func:`canal_lining`.
    unit_costs : DataFrame
        ``canal_level, target_lining, million_vnd_per_km`` (see :func:`ntmgis.costs.load_unit_costs`).
    linings : iterable of str, optional
        Linings already kiên cố (not to line); vocabulary default.
    managed_by : iterable of str
        Managers whose canals count (default the commune, ``xa``, as for criterion 3.3).
    target_linings : mapping, optional
        Canal level → target lining; by default the first row of ``unit_costs`` for the level.
    pieces : GeoDataFrame, optional
        A precomputed :func:`split_by_commune` of ``canals``.

    Returns
    -------
    GeoDataFrame
        ``segment_id, commune_code, canal_level, lining, managed_by, length_km, target_lining,
        million_vnd_per_km, cost_million_vnd, cost_assumption`` and the piece geometry.
    """
    counted_linings = frozenset(kien_co_linings() if linings is None else linings)
    managers = {str(m) for m in managed_by}
    pieces = split_by_commune(canals, communes) if pieces is None else pieces
    todo = pieces[
        pieces["commune_code"].notna()
        & pieces["managed_by"].astype(str).isin(managers)
        & ~pieces["lining"].astype(str).isin(counted_linings)
    ]
    columns = ["segment_id", "commune_code", "canal_level", "lining", "managed_by"]
    return _priced_pieces(todo, columns, unit_costs, "canals", target_linings, crs=pieces.crs)

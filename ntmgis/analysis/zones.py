"""Production zones (vùng sản xuất): areas, VietGAP totals, growing-area codes, overlaps.

Areas are computed from the geometry in the metric working CRS (EPSG:9214 is within 0.003 % of true
area at Tân Yên), never from an attribute. A zone across a commune border is split; where commune
polygons overlap, the overlap goes to the commune with the lowest ``commune_code`` (the same rule as
:mod:`ntmgis.analysis.network`), so the pieces of a zone always add up to the zone's area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import same_crs
from ..problems import Problem

__all__ = ["zone_areas", "zone_areas_by_commune", "zone_overlaps", "vietgap_summary", "zone_problems"]

_M2_PER_HA = 10_000.0
# Overlaps smaller than this are digitising noise (1 m² = 0.0001 ha), not two zones on one field.
_MIN_OVERLAP_M2 = 1.0
# What a cut leaves below this is floating-point residue of intersection/difference, not land.
_NOISE_M2 = 1e-6


def _check_metric(*frames: gpd.GeoDataFrame) -> None:
    crs = [f.crs for f in frames if f.crs is not None]
    crs = [c for i, c in enumerate(crs) if not any(same_crs(c, d) for d in crs[:i])]  # equivalence
    if len(crs) > 1:
        raise ValueError(f"layers must share one CRS, got {sorted(c.name for c in crs)}")
    if any(c.is_geographic for c in crs):
        raise ValueError("measure areas in a metric CRS (the workspace working CRS), not degrees")


def _flag(values: pd.Series) -> np.ndarray:
    """Booleans of a bool-ish column, missing counted as False."""
    return values.astype("boolean").fillna(False).to_numpy(dtype=bool)


def zone_areas(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area of every zone in hectares.

    Parameters
    ----------
    zones : GeoDataFrame
        ``production_zones`` layer (``zone_id, crop, vietgap``; optional ``growing_area_code``) in
        a metric CRS.

    Returns
    -------
    DataFrame
        ``zone_id, crop, vietgap, has_growing_area_code, area_ha``, aligned to ``zones``.
    """
    _check_metric(zones)
    code = zones["growing_area_code"] if "growing_area_code" in zones else pd.Series(None, index=zones.index)
    return pd.DataFrame(
        {
            "zone_id": zones["zone_id"].astype(str),
            "crop": zones["crop"],
            "vietgap": _flag(zones["vietgap"]),
            "has_growing_area_code": code.notna().to_numpy() & code.astype(str).str.strip().ne("").to_numpy(),
            "area_ha": zones.geometry.area.to_numpy() / _M2_PER_HA,
        },
        index=zones.index,
    )


def zone_areas_by_commune(zones: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each zone split by commune, with the piece's area; the pieces of a zone add up to its area.

    Parameters
    ----------
    zones : GeoDataFrame
        ``production_zones`` layer, metric CRS.
    communes : GeoDataFrame
        ``communes`` layer, same CRS.

    Returns
    -------
    GeoDataFrame
        ``zone_id, commune_code, vietgap, area_ha`` and the piece geometry — one row per zone
        piece with area > 0; ``commune_code`` missing for the part outside every commune.

    Examples
    --------
    Zone z1 (1 ha) straddles communes A and B; zone z2 (1 ha) lies beyond the district:

    >>> from shapely import box
    >>> communes = gpd.GeoDataFrame({"commune_code": ["A", "B"]},
    ...                             geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=9214)
    >>> zones = gpd.GeoDataFrame({"zone_id": ["z1", "z2"], "crop": "vai", "vietgap": [True, False]},
    ...                          geometry=[box(50, 0, 150, 100), box(300, 0, 400, 100)], crs=9214)
    >>> pieces = zone_areas_by_commune(zones, communes)
    >>> pieces.drop(columns="geometry")
      zone_id commune_code  vietgap  area_ha
    0      z1            A     True      0.5
    1      z1            B     True      0.5
    2      z2         None    False      1.0
    >>> vietgap_summary(zones)
    {'vietgap_area_ha': 1.0, 'vietgap_area_sum_ha': 1.0, 'vietgap_zones': 1,
     'zones_with_growing_area_code': 0}
    """
    _check_metric(zones, communes)
    order = np.argsort(communes["commune_code"].astype(str).to_numpy(), kind="stable")
    codes = communes["commune_code"].astype(str).to_numpy()[order]
    polygons = communes.geometry.to_numpy()[order]
    geoms = zones.geometry.to_numpy()
    zone_idx, poly_idx = shapely.STRtree(polygons).query(geoms, predicate="intersects")
    sort = np.lexsort((poly_idx, zone_idx))
    zone_idx, poly_idx = zone_idx[sort], poly_idx[sort]
    rank = np.arange(len(zone_idx)) - np.searchsorted(zone_idx, zone_idx, side="left")
    remaining = geoms.copy()
    rows_zone, rows_poly, rows_geom = [], [], []
    # Communes take their piece in ascending code order: overlapping communes cannot both count it.
    for k in range(int(rank.max()) + 1 if len(rank) else 0):
        now = rank == k
        z, p = zone_idx[now], poly_idx[now]
        rows_zone.append(z)
        rows_poly.append(p)
        rows_geom.append(shapely.intersection(remaining[z], polygons[p]))
        remaining[z] = shapely.difference(remaining[z], polygons[p])
    rows_zone.append(np.arange(len(geoms)))
    rows_poly.append(np.full(len(geoms), -1))
    rows_geom.append(remaining)
    zone = np.concatenate(rows_zone).astype(np.intp)
    poly = np.concatenate(rows_poly).astype(np.intp)
    piece = np.concatenate(rows_geom)
    area = shapely.area(piece)
    # What is left outside every commune is noise below _NOISE_M2 (GEOS differences), not a piece.
    keep = np.where(poly >= 0, area > 0, area >= _NOISE_M2)
    zone, poly, area, piece = zone[keep], poly[keep], area[keep], piece[keep]
    out = gpd.GeoDataFrame(
        {
            "zone_id": zones["zone_id"].astype(str).to_numpy()[zone],
            "commune_code": pd.Series(np.where(poly >= 0, codes[np.maximum(poly, 0)], None), dtype=object),
            "vietgap": _flag(zones["vietgap"])[zone],
            "area_ha": area / _M2_PER_HA,
        },
        geometry=piece,
        crs=zones.crs,
    )
    return out.sort_values(["zone_id", "commune_code"], na_position="last").reset_index(drop=True)


def zone_overlaps(zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """Pairs of zones that overlap each other (a field counted in two zones).

    Returns
    -------
    DataFrame
        ``zone_id_a, zone_id_b, overlap_ha`` with ``zone_id_a < zone_id_b``, overlaps of at least
        1 m² only.
    """
    _check_metric(zones)
    geoms = zones.geometry.to_numpy()
    ids = zones["zone_id"].astype(str).to_numpy()
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = ids[a] < ids[b]
    a, b = a[pair], b[pair]
    area = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    big = area >= _MIN_OVERLAP_M2
    return pd.DataFrame(
        {"zone_id_a": ids[a][big], "zone_id_b": ids[b][big], "overlap_ha": area[big] / _M2_PER_HA}
    )


def vietgap_summary(zones: gpd.GeoDataFrame) -> dict[str, float]:
    """District totals of the production-zone targets.

    Returns
    -------
    dict
        ``vietgap_area_ha`` (area of the union of VietGAP zones, so overlapping zones are not
        counted twice), ``vietgap_area_sum_ha`` (plain sum, for comparison), ``vietgap_zones``
        and ``zones_with_growing_area_code`` (count of zones holding a growing-area code, mã số
        vùng trồng). Compare with the plan's targets (400–500 ha, ≥ 2 zones) in the criteria
        engine, not here.
    """
    table = zone_areas(zones)
    vietgap = _flag(zones["vietgap"])
    union = shapely.union_all(zones.geometry.to_numpy()[vietgap]) if vietgap.any() else None
    return {
        "vietgap_area_ha": float(shapely.area(union) / _M2_PER_HA) if union is not None else 0.0,
        "vietgap_area_sum_ha": float(table.loc[vietgap, "area_ha"].sum()),
        "vietgap_zones": int(vietgap.sum()),
        "zones_with_growing_area_code": int(table["has_growing_area_code"].sum()),
    }


def zone_problems(zones: gpd.GeoDataFrame, by_commune: pd.DataFrame) -> list[Problem]:
    """Overlapping zones and zone area outside every commune, as problem rows."""
    problems = [
        Problem.of(
            "problems.zones_overlap",
            layer="production_zones",
            feature=f"{r.zone_id_a} / {r.zone_id_b}",
            hectares=f"{r.overlap_ha:.2f}",
        )
        for r in zone_overlaps(zones).itertuples()
    ]
    outside = by_commune[by_commune["commune_code"].isna() & (by_commune["area_ha"] >= 1e-4)]
    problems += [
        Problem.of(
            "problems.zone_outside",
            layer="production_zones",
            feature=r.zone_id,
            hectares=f"{r.area_ha:.4f}",
        )
        for r in outside.itertuples()
    ]
    return problems

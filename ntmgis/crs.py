"""Coordinate reference systems: the metric working CRS and repairs of VN-2000 data.

All lengths and areas in ntmgis are computed in a projected metric *working CRS*. For Bắc Giang
that is EPSG:9214, VN-2000 / TM-3 107-00 (k = 0.9999), which is within 0.003 % in area at Tân Yên
(UTM 48N understates areas there by about 0.05 %). Web output is EPSG:4326.

VN-2000 pitfalls handled here (see ``shared/reference/DOMAIN.md`` §2):

* A ``.prj`` or PROJ string that has VN-2000 projection parameters but no datum shift is read by
  PROJ as "WGS 84 ellipsoid, ballpark transformation": the data lands about 224 m off on a web map.
  We recognise the VN-2000 zone from its parameters and reinterpret the layer in the EPSG CRS
  (whose transformation to WGS 84 is EPSG:6960, the official 7 parameters), and report it.
* The widely copied ``+towgs84`` string carries the rotation signs of the coordinate-frame
  convention while PROJ reads position-vector (about 0.76 m off): also reinterpreted and reported.
* Data without any CRS is refused unless the user states one.
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
from pyproj import CRS, Transformer
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from pyproj.exceptions import CRSError

from .problems import DataError, Problem

__all__ = [
    "DEFAULT_WORKING_CRS",
    "WEB_CRS",
    "describe_crs",
    "parse_crs",
    "check_working_crs",
    "vn2000_equivalent",
    "resolve_layer_crs",
    "to_working_crs",
    "to_web",
    "same_crs",
    "working_crs_object",
]

DEFAULT_WORKING_CRS = "EPSG:9214"
WEB_CRS = "EPSG:4326"

# Rough envelope of Vietnam in WGS 84 with a margin, to catch coordinates in the wrong CRS
# (metres read as degrees, swapped axes, another zone).
_VIETNAM_LONLAT = (101.0, 7.0, 118.0, 24.5)
# The rotation terms of the widely copied, wrongly signed VN-2000 TOWGS84 string.
_WRONG_SIGN_ROTATIONS = (-0.00928836, 0.01975479, -0.00427372)
# A shift smaller than this between the layer's own transformation and the EPSG one is no shift.
_DATUM_SHIFT_TOLERANCE_M = 5.0


def describe_crs(crs: CRS | None) -> str:
    """Short human name of a CRS: ``EPSG:9214 (VN-2000 / TM-3 107-00)`` or its name.

    Examples
    --------
    >>> describe_crs(parse_crs(9214)), describe_crs(None)
    ('EPSG:9214 (VN-2000 / TM-3 107-00)', 'no CRS')
    """
    if crs is None:
        return "no CRS"
    crs = CRS(crs)
    code = crs.to_epsg(min_confidence=100)
    return f"EPSG:{code} ({crs.name})" if code else f"custom CRS ({crs.name})"


def parse_crs(value: object, *, what: str = "CRS", layer: str = "") -> CRS:
    """Parse a user-given CRS (``"EPSG:9214"``, ``9214``, WKT) into a :class:`pyproj.CRS`.

    ``what`` names the setting (``working_crs``); ``layer``, when given, says the value is that
    layer's declared ``crs:``.

    Raises
    ------
    DataError
        When the value is not a CRS PROJ understands.
    """
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise DataError(
            Problem.of("problems.crs_invalid", severity="error", what=what, value=repr(value), error=str(exc))
            if not layer
            else Problem.of(
                "problems.crs_declared_invalid",
                severity="error",
                layer=layer,
                source=layer,
                value=repr(value),
                error=str(exc),
            )
        ) from None


def check_working_crs(crs: CRS) -> None:
    """Refuse a working CRS that is not projected in metres (areas in degrees are meaningless)."""
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if not crs.is_projected or unit not in ("metre", "meter"):
        raise DataError(Problem.of("problems.crs_not_metric", severity="error", crs=describe_crs(crs)))


@cache
def _vn2000_candidates() -> tuple[tuple[str, tuple[float, ...]], ...]:
    """EPSG projected VN-2000 CRSs with their (lon_0, k, x_0, y_0) parameters."""
    found = []
    for info in query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS):
        if "VN-2000" in info.name and not info.deprecated:
            code = f"EPSG:{info.code}"
            found.append((code, _tm_params(CRS.from_user_input(code))))
    return tuple(sorted(set(found)))


def _tm_params(crs: CRS) -> tuple[float, ...]:
    if crs.is_bound and crs.source_crs is not None:
        crs = crs.source_crs
    params = {p.name: p.value for p in (crs.coordinate_operation.params if crs.coordinate_operation else [])}
    return (
        round(float(params.get("Longitude of natural origin", float("nan"))), 6),
        round(float(params.get("Scale factor at natural origin", float("nan"))), 6),
        round(float(params.get("False easting", float("nan"))), 3),
        round(float(params.get("False northing", float("nan"))), 3),
    )


def vn2000_equivalent(crs: CRS) -> str | None:
    """The EPSG VN-2000 projected CRS with the same projection parameters as ``crs``, if any.

    Examples
    --------
    The TM-3 zone of Bắc Giang (central meridian 107°, k = 0.9999) written without its datum; the
    parameters of UTM 48N, which VN-2000 / UTM zone 48N shares; and Web Mercator, which no VN-2000
    CRS has:

    >>> vn2000_equivalent(CRS("+proj=tmerc +lon_0=107 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m"))
    'EPSG:9214'
    >>> vn2000_equivalent(CRS("EPSG:32648")), vn2000_equivalent(CRS("EPSG:3857"))
    ('EPSG:3405', None)
    """
    base = crs.source_crs if crs.is_bound and crs.source_crs is not None else crs
    if not base.is_projected:
        return None
    params = _tm_params(base)
    for code, candidate in _vn2000_candidates():
        if candidate == params:
            return code
    return None


def _shift_m(crs_a: CRS, crs_b: CRS, x: float, y: float) -> float:
    """Distance in metres between where ``(x, y)`` lands in WGS 84 under the two CRSs."""
    lon_a, lat_a = Transformer.from_crs(crs_a, 4326, always_xy=True).transform(x, y)
    lon_b, lat_b = Transformer.from_crs(crs_b, 4326, always_xy=True).transform(x, y)
    geod = CRS.from_epsg(4326).get_geod()
    assert geod is not None
    return float(geod.inv(lon_a, lat_a, lon_b, lat_b)[2])


def _mentions_vn2000(crs: CRS) -> bool:
    text = crs.to_wkt().lower()
    return any(k in text for k in ("vn-2000", "vn_2000", "vietnam 2000", "vietnam_2000", "vn2000"))


def _towgs84(crs: CRS) -> tuple[float, ...] | None:
    """The seven Helmert parameters of a bound CRS (TOWGS84), or None."""
    if not crs.is_bound or crs.coordinate_operation is None:
        return None
    values = {p.name: p.value for p in crs.coordinate_operation.params}
    names = (
        "X-axis translation",
        "Y-axis translation",
        "Z-axis translation",
        "X-axis rotation",
        "Y-axis rotation",
        "Z-axis rotation",
        "Scale difference",
    )
    if not all(n in values for n in names):
        return None
    return tuple(float(values[n]) for n in names)


def resolve_layer_crs(
    gdf: gpd.GeoDataFrame,
    *,
    declared: object | None = None,
    file: str = "",
    layer: str = "",
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Decide the true CRS of a layer as read, and repair known VN-2000 mistakes.

    Parameters
    ----------
    gdf : GeoDataFrame
        The layer as read from its file (not modified).
    declared : CRS-like, optional
        The CRS the user states for this layer in ``workspace.yaml`` (``crs:``) or on the command
        line. It is required when the file has no CRS and overrides the file's own otherwise.
    file, layer : str
        Where the layer came from, for the problem report.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        A new frame whose ``crs`` is the resolved one (coordinates unchanged) and the problems.
        An ``error`` problem means the layer cannot be used (no CRS at all, or coordinates
        outside Vietnam under the resolved CRS).

    Examples
    --------
    A layer whose ``.prj`` has the VN-2000 TM-3 parameters but the WGS 84 datum is reinterpreted
    in EPSG:9214 (a warning); a layer with no CRS at all is refused (an error):

    >>> from shapely import Point
    >>> prj = "+proj=tmerc +lon_0=107 +k=0.9999 +x_0=500000 +ellps=WGS84 +units=m"
    >>> roads = gpd.GeoDataFrame(geometry=[Point(416000, 2360000)], crs=prj)
    >>> fixed, problems = resolve_layer_crs(roads, file="roads.shp", layer="roads")
    >>> fixed.crs.to_string(), [(p.severity, p.action[:32]) for p in problems]
    ('EPSG:9214', [('warning', 'reinterpreted as EPSG:9214 (VN-2')])
    >>> _, problems = resolve_layer_crs(roads.set_crs(None, allow_override=True))
    >>> [(p.severity, p.problem) for p in problems]
    [('error', 'layer has no CRS (missing or empty .prj)')]
    """
    problems: list[Problem] = []
    crs = gdf.crs
    if declared is not None:
        stated = parse_crs(declared, layer=layer or file)
        if crs is not None and not CRS(crs).equals(stated):
            problems.append(
                Problem.of(
                    "problems.crs_differs",
                    file=file,
                    layer=layer,
                    found=describe_crs(crs),
                    stated=describe_crs(stated),
                )
            )
        crs = stated
    if crs is None:
        problems.append(Problem.of("problems.crs_missing", file=file, layer=layer, severity="error"))
        return gdf, problems
    crs = CRS(crs)
    fixed = _repair_vn2000(crs, gdf, file=file, layer=layer, problems=problems)
    out = gdf.set_crs(fixed, allow_override=True)
    problems.extend(_check_extent(out, file=file, layer=layer))
    return out, problems


def _is_epsg_vn2000(crs: CRS) -> bool:
    """An EPSG VN-2000 CRS as such (no TOWGS84 of its own): nothing to guess, nothing to repair."""
    if crs.is_bound or "VN-2000" not in crs.name:
        return False
    code = crs.to_epsg(min_confidence=100)
    return code is not None and crs.to_authority(min_confidence=100) == ("EPSG", str(code))


def _repair_vn2000(crs: CRS, gdf: gpd.GeoDataFrame, *, file: str, layer: str, problems: list[Problem]) -> CRS:
    if _is_epsg_vn2000(crs):  # its equivalent is itself (or one of the same datum): no shift to look at
        return crs
    equivalent = vn2000_equivalent(crs)
    if equivalent is None or gdf.geometry.isna().all() or gdf.geometry.is_empty.all():
        return crs
    epsg = CRS.from_user_input(equivalent)
    if crs.to_epsg(min_confidence=100) is not None and crs.equals(epsg):
        return crs
    x, y = _sample_point(gdf)
    shift = _shift_m(crs, epsg, x, y)
    towgs84 = _towgs84(crs)
    is_wgs84_utm = crs.to_epsg(min_confidence=100) in (32648, 32649)
    if shift <= _DATUM_SHIFT_TOLERANCE_M or is_wgs84_utm:
        if towgs84 is not None and tuple(round(v, 8) for v in towgs84[3:6]) == _WRONG_SIGN_ROTATIONS:
            problems.append(
                Problem.of(
                    "problems.towgs84_signs",
                    file=file,
                    layer=layer,
                    shift=f"{shift:.2f}",
                    equivalent=str(equivalent),
                    name=str(epsg.name),
                )
            )
            return epsg
        return crs
    # Same projection as a VN-2000 zone, yet it lands far from where the EPSG definition puts
    # it: the .prj lost the datum (WGS 84 ellipsoid, ballpark) — unless it is honest WGS 84 UTM.
    if towgs84 is None or _mentions_vn2000(crs):
        problems.append(
            Problem.of(
                "problems.vn2000_no_shift",
                file=file,
                layer=layer,
                shift=f"{shift:.0f}",
                equivalent=str(equivalent),
                name=str(epsg.name),
            )
        )
        return epsg
    problems.append(Problem.of("problems.vn2000_far_shift", file=file, layer=layer, shift=f"{shift:.0f}"))
    return crs


def _sample_point(gdf: gpd.GeoDataFrame) -> tuple[float, float]:
    minx, miny, maxx, maxy = gdf.total_bounds
    return (minx + maxx) / 2.0, (miny + maxy) / 2.0


# Degrees the lon/lat box of a layer's bounding box must stay inside Vietnam's by for the layer to
# be inside without transforming every vertex (far more than the box's densified-edge error).
_INSIDE_MARGIN_DEG = 0.01


def _surely_inside(valid: gpd.GeoSeries) -> bool:
    """Whether every vertex lies in Vietnam, from the layer's bounding box alone.

    The image of the projected box (its edges densified) contains the image of every vertex
    inside it; when that image is inside Vietnam's box with a margin, so is every vertex and
    the full transform is not needed (a national road layer: 20M vertices). Otherwise (or when
    PROJ fails) the caller transforms every vertex, as before, for the exact bounds it reports.
    """
    x0, y0, x1, y1 = valid.total_bounds
    try:
        transformer = Transformer.from_crs(valid.crs, 4326, always_xy=True)
        lon0, lat0, lon1, lat1 = transformer.transform_bounds(x0, y0, x1, y1, densify_pts=101)
    except Exception:  # noqa: BLE001 - PROJ errors come in several types: the full transform says which
        return False
    wx0, wy0, wx1, wy1 = _VIETNAM_LONLAT
    m = _INSIDE_MARGIN_DEG
    return bool(wx0 + m <= lon0 and lon1 <= wx1 - m and wy0 + m <= lat0 and lat1 <= wy1 - m)


def _check_extent(gdf: gpd.GeoDataFrame, *, file: str, layer: str) -> list[Problem]:
    valid = gdf.geometry[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    if valid.empty or _surely_inside(valid):
        return []
    try:
        lon0, lat0, lon1, lat1 = valid.to_crs(4326).total_bounds
    except Exception as exc:  # noqa: BLE001 - PROJ errors come in several types
        return [
            Problem.of("problems.cannot_transform", file=file, layer=layer, severity="error", error=str(exc))
        ]
    wx0, wy0, wx1, wy1 = _VIETNAM_LONLAT
    if not (wx0 <= lon0 and lon1 <= wx1 and wy0 <= lat0 and lat1 <= wy1):
        return [
            Problem.of(
                "problems.outside_vietnam",
                file=file,
                layer=layer,
                severity="error",
                crs=describe_crs(gdf.crs),
                bounds=f"lon {lon0:.3f}..{lon1:.3f}, lat {lat0:.3f}..{lat1:.3f}",
            )
        ]
    return []


def same_crs(a: object, b: object, *, ignore_axis_order: bool = False) -> bool:
    """Whether two CRSs are equivalent (``pyproj.CRS.equals``), not merely the same text or object.

    ``None`` equals only ``None``. Compare CRSs with this, never with ``set()`` or their WKT: a
    ``.prj`` may say EPSG:9214 in other words. ``ignore_axis_order`` treats EPSG:4326 (lat, lon)
    as OGC:CRS84 (lon, lat), as geopandas does (coordinates are always x, y there).

    Examples
    --------
    >>> same_crs("EPSG:9214", CRS(9214).to_wkt("WKT1_ESRI")), same_crs("EPSG:9214", "EPSG:9210")
    (True, False)
    >>> same_crs("EPSG:4326", "OGC:CRS84"), same_crs("EPSG:4326", "OGC:CRS84", ignore_axis_order=True)
    (False, True)
    """
    if a is None or b is None:
        return a is None and b is None
    return bool(CRS.from_user_input(a).equals(CRS.from_user_input(b), ignore_axis_order=ignore_axis_order))


@cache
def _working_crs_object(text: str) -> CRS:
    return CRS.from_user_input(text)


def working_crs_object(working_crs: object = DEFAULT_WORKING_CRS) -> CRS:
    """The one ``CRS`` object of a working CRS: the same object for the same text, for cheap compares.

    Examples
    --------
    >>> working_crs_object("EPSG:9214") is working_crs_object("EPSG:9214")
    True
    """
    if isinstance(working_crs, str):
        return _working_crs_object(working_crs)
    return CRS.from_user_input(working_crs)


def to_working_crs(gdf: gpd.GeoDataFrame, working_crs: object = DEFAULT_WORKING_CRS) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the metric working CRS (EPSG codes, never PROJ strings), as its one object.

    A layer already in an equivalent CRS (another text of the same definition) is not reprojected:
    it is given the working CRS object itself (:func:`working_crs_object`), so that every layer of
    a workspace carries the same object and later code compares them cheaply.
    """
    target = working_crs_object(working_crs)
    if gdf.crs is not None and gdf.crs is target:
        return gdf
    if gdf.crs is not None and same_crs(gdf.crs, target):
        return gdf.set_crs(target, allow_override=True)
    return gdf.to_crs(target)


def to_web(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in WGS 84 (EPSG:4326) for web maps."""
    return gdf.to_crs(WEB_CRS)

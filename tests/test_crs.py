"""CRS: working CRS, VN-2000 datum shift, refusal of data without a CRS."""

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer

from ntmgis.crs import (
    DEFAULT_WORKING_CRS,
    check_working_crs,
    resolve_layer_crs,
    to_web,
    to_working_crs,
    vn2000_equivalent,
)
from ntmgis.problems import DataError

NO_SHIFT = "+proj=tmerc +lat_0=0 +lon_0=107 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs"
WRONG_SIGNS = NO_SHIFT.replace(
    "+units",
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units",
)
GEOD = CRS.from_epsg(4326).get_geod()


def _points(crs=None):
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b"]}, geometry=[shapely.Point(406800, 2363000), shapely.Point(409000, 2366000)]
    )
    return frame.set_crs(crs) if crs else frame


def _epsg6960(x, y):
    """The official VN-2000 → WGS 84 transformation, applied explicitly."""
    lon, lat = Transformer.from_crs(9214, 4756, always_xy=True).transform(x, y)
    lat84, lon84 = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960").transform(lat, lon)
    return lon84, lat84


@settings(max_examples=50, deadline=None)
@given(x=st.floats(395_000, 420_000), y=st.floats(2_350_000, 2_375_000))
def test_tm3_107_to_wgs84_matches_epsg_6960_within_1m(x, y):
    frame = gpd.GeoDataFrame(geometry=[shapely.Point(x, y)], crs=DEFAULT_WORKING_CRS)
    got = to_web(frame).geometry.iloc[0]
    lon, lat = _epsg6960(x, y)
    assert GEOD.inv(got.x, got.y, lon, lat)[2] < 1.0


def test_datum_shift_is_about_224m_at_tan_yen():
    # Sanity check of the fact the VN-2000 repair relies on (DOMAIN.md §2).
    lon_shift, lat_shift = Transformer.from_crs(CRS.from_proj4(NO_SHIFT), 4326, always_xy=True).transform(
        406800, 2363000
    )
    lon, lat = _epsg6960(406800, 2363000)
    assert 200 < GEOD.inv(lon_shift, lat_shift, lon, lat)[2] < 250


def test_vn2000_without_datum_shift_is_detected_and_reinterpreted():
    out, problems = resolve_layer_crs(_points(NO_SHIFT), file="roads.shp", layer="roads")
    assert out.crs.to_epsg() == 9214
    assert len(problems) == 1
    assert "no VN-2000 datum shift" in problems[0].problem
    assert "224 m" in problems[0].problem
    assert problems[0].severity == "warning"


# A .prj as written by tools that drop the datum: VN-2000 projection on a WGS 84 datum.
PRJ_WGS84_DATUM = (
    'PROJCS["VN_2000_TM3_107",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
    'SPHEROID["WGS_1984",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["Degree",0.017453292519943295]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",107],'
    'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],'
    'PARAMETER["false_northing",0],UNIT["Meter",1]]'
)


def test_vn2000_without_datum_shift_detected_from_a_prj_file(tmp_path):
    path = tmp_path / "roads.shp"
    _points("EPSG:9214").to_file(path)
    path.with_suffix(".prj").write_text(PRJ_WGS84_DATUM)
    frame = gpd.read_file(path)
    assert frame.crs.to_epsg(min_confidence=100) != 9214  # the file really lost the datum
    out, problems = resolve_layer_crs(frame, file=str(path), layer="roads")
    assert out.crs.to_epsg() == 9214
    assert any("datum shift" in p.problem and str(path) == p.file for p in problems)


def test_wrongly_signed_towgs84_is_reinterpreted():
    out, problems = resolve_layer_crs(_points(WRONG_SIGNS))
    assert out.crs.to_epsg() == 9214
    assert "coordinate-frame" in problems[0].problem
    assert "0.76 m" in problems[0].problem


@pytest.mark.parametrize("crs", ["EPSG:9214", CRS.from_epsg(9214).to_wkt("WKT1_ESRI"), "EPSG:32648"])
def test_proper_crs_is_left_alone(crs):
    out, problems = resolve_layer_crs(_points(crs) if crs != "EPSG:32648" else _points().set_crs(32648))
    assert problems == []
    assert CRS(out.crs).equals(CRS(crs))


def test_missing_crs_is_refused_unless_stated():
    _, problems = resolve_layer_crs(_points(), file="roads.shp", layer="roads")
    assert [p.severity for p in problems] == ["error"]
    assert "no CRS" in problems[0].problem and "crs: EPSG:9214" in problems[0].action
    out, problems = resolve_layer_crs(_points(), declared="EPSG:9214")
    assert problems == [] and out.crs.to_epsg() == 9214


def test_metres_labelled_as_degrees_are_refused():
    _, problems = resolve_layer_crs(_points(4326), file="x.geojson", layer="roads")
    assert problems[-1].severity == "error"
    assert "outside Vietnam" in problems[-1].problem


def test_stated_crs_overriding_the_file_is_reported():
    out, problems = resolve_layer_crs(_points(32648), declared="EPSG:9214")
    assert out.crs.to_epsg() == 9214
    assert "workspace states" in problems[0].problem


def test_working_crs_must_be_metric():
    check_working_crs(CRS.from_epsg(9214))
    with pytest.raises(DataError, match="not a projected CRS in metres"):
        check_working_crs(CRS.from_epsg(4326))


def test_vn2000_zone_lookup():
    assert vn2000_equivalent(CRS.from_proj4(NO_SHIFT)) == "EPSG:9214"
    assert vn2000_equivalent(CRS.from_epsg(9209)) == "EPSG:9209"
    assert vn2000_equivalent(CRS.from_epsg(4326)) is None


def test_lengths_in_working_crs_not_degrees():
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(106.10, 21.35), (106.11, 21.35)])], crs=4326)
    metric = to_working_crs(line)
    # 0.01° of longitude at 21.35° N is about 1,037 m on the ellipsoid.
    geodesic = GEOD.inv(106.10, 21.35, 106.11, 21.35)[2]
    assert metric.length.iloc[0] == pytest.approx(geodesic, rel=2e-4)

"""The shared-arc geometry encoding of the offline maps (ntmgis.maps.topology)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry.polygon import orient

from ntmgis.maps.topology import decode_geometries, encode_geometries


def _neighbours() -> gpd.GeoSeries:
    """Two squares side by side with a wiggly shared border, in WGS 84 near Tân Yên."""
    x, y, d = 106.10, 21.40, 0.01
    border = [(x + d, y), (x + d + 0.001, y + 0.003), (x + d - 0.001, y + 0.006), (x + d, y + d)]
    # Both rings counter-clockwise, as GIS files usually have them: the border runs opposite ways.
    west = orient(shapely.Polygon([(x, y), *border, (x, y + d)]))
    east = orient(shapely.Polygon([*border, (x + 2 * d, y + d), (x + 2 * d, y)]))
    return gpd.GeoSeries([west, east], crs="EPSG:4326")


def _arc_uses(feature) -> list[int]:
    return [i for poly in feature for ring in poly for i in ring]


def test_a_shared_border_is_one_arc_walked_both_ways():
    topology = encode_geometries({"communes": _neighbours()})
    west, east = topology["layers"]["communes"]
    shared = {i if i >= 0 else ~i for i in _arc_uses(west)} & {i if i >= 0 else ~i for i in _arc_uses(east)}
    assert len(shared) == 1
    assert len(topology["arcs"]) == 3  # the border once, and each square's outer side
    (arc,) = shared
    # One neighbour walks it forwards, the other backwards (~i).
    assert (arc in _arc_uses(west)) != (arc in _arc_uses(east))
    assert ~arc in _arc_uses(west) + _arc_uses(east)


@pytest.mark.parametrize("simplify", [0.0, 200.0])
def test_decoded_neighbours_leave_no_gap_or_overlap(simplify):
    original = _neighbours()
    topology = encode_geometries({"communes": original}, simplify=simplify)
    west, east = decode_geometries(topology, "communes", "polygon")
    assert west.is_valid and east.is_valid
    # The decoded borders coincide: no sliver between the neighbours, no overlap.
    assert west.intersection(east).area == pytest.approx(0.0, abs=1e-12)
    assert west.union(east).area == pytest.approx(west.area + east.area, rel=1e-9)
    if not simplify:
        for before, after in zip(original, (west, east), strict=True):
            assert before.symmetric_difference(after).area < 1e-7


def test_lines_points_and_empty_round_trip_on_the_grid():
    line = shapely.LineString([(106.1, 21.4), (106.12345678, 21.41)])
    point = shapely.Point(106.123456, 21.398766)
    topology = encode_geometries({"roads": [line, None], "markets": [point]}, decimals=5)
    assert topology["scale"] == 100_000
    decoded_line, missing = decode_geometries(topology, "roads", "line")
    assert missing is None
    assert decoded_line.coords[1] == pytest.approx((106.12346, 21.41), abs=1e-9)
    (decoded_point,) = decode_geometries(topology, "markets", "point")
    assert (decoded_point.x, decoded_point.y) == pytest.approx((106.12346, 21.39877), abs=1e-9)


def test_projected_input_is_transformed_and_encoding_is_deterministic():
    projected = _neighbours().to_crs("EPSG:9214")
    first = encode_geometries({"communes": projected})
    assert first == encode_geometries({"communes": projected})
    assert first == encode_geometries({"communes": _neighbours()})


def test_unsupported_geometry_is_named():
    ring = shapely.LinearRing([(106.1, 21.4), (106.2, 21.4), (106.2, 21.5)])
    with pytest.raises(TypeError, match="layer 'odd'"):
        encode_geometries({"odd": [ring]})

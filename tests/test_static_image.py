"""The printed PNG of a map's layers (ntmgis.maps.static_image)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from ntmgis.maps import MapClass, MapLayer, Theme, render_png
from ntmgis.maps.static_image import _legend_handles


def _layers() -> list[MapLayer]:
    boxes = gpd.GeoSeries(
        [
            shapely.box(405_000, 2_365_000, 407_000, 2_367_000),
            shapely.box(407_000, 2_365_000, 409_000, 2_367_000),
        ],
        crs="EPSG:9214",
    )
    level = Theme("level", "Mức", ["ntm", "new_code"], [MapClass("ntm", "NTM", "#78c679")])
    communes = MapLayer(
        id="communes",
        title="Xã",
        kind="polygon",
        geometry=boxes,
        keys=["a", "b"],
        names=["A", "B"],
        themes=[level],
        label_texts=["A", "B"],
    )
    road = gpd.GeoSeries([shapely.LineString([(405_500, 2_365_500), (408_500, 2_366_500)])], crs="EPSG:9214")
    roads = MapLayer(
        id="roads",
        title="Đường",
        kind="line",
        geometry=road,
        keys=["r"],
        names=["R"],
        themes=[Theme("class", "Cấp", ["xa"], [MapClass("xa", "Đường xã", "#6a3d9a", weight=2.5)])],
    )
    point = gpd.GeoSeries([shapely.Point(406_000, 2_366_000)], crs="EPSG:9214")
    markets = MapLayer(
        id="markets",
        title="Chợ",
        kind="point",
        geometry=point,
        keys=["m"],
        names=["M"],
        themes=[Theme("std", "Chuẩn", ["ok"], [MapClass("ok", "Đạt", "#1a9641")])],
    )
    hidden = MapLayer(
        id="hidden",
        title="Ẩn",
        kind="point",
        geometry=point,
        keys=["h"],
        names=["H"],
        themes=[Theme("x", "X", ["x"], [MapClass("x", "X", "#000000")])],
        visible=False,
    )
    return [communes, roads, markets, hidden]


def test_png_is_deterministic_and_carries_no_software_stamp():
    first = render_png(_layers(), title="Huyện Tân Yên", note="Dữ liệu minh họa", credits="KH · 2023", dpi=60)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert first == render_png(
        _layers(), title="Huyện Tân Yên", note="Dữ liệu minh họa", credits="KH · 2023", dpi=60
    )
    assert b"matplotlib" not in first.lower()


def test_legend_counts_each_class_in_the_map_language():
    communes = _layers()[0]
    handles = _legend_handles(communes, communes.themes[0], "vi")
    assert [h.get_label() for h in handles] == ["Mức", "NTM (1)"]


def test_nothing_visible_is_refused():
    with pytest.raises(ValueError, match="no visible layer"):
        render_png(_layers()[3:], title="x")

"""Production zones: areas by commune add up, VietGAP totals, overlaps."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import box

from ntmgis import load_workspace
from ntmgis.analysis.zones import (
    vietgap_summary,
    zone_areas,
    zone_areas_by_commune,
    zone_overlaps,
    zone_problems,
)

CRS = "EPSG:9214"


def communes_frame(boxes):
    return gpd.GeoDataFrame(
        {"commune_code": list(boxes), "name": list(boxes), "kind": "xa"},
        geometry=[box(*b) for b in boxes.values()],
        crs=CRS,
    )


def zones_frame(rows):
    return gpd.GeoDataFrame(
        {
            "zone_id": [r[0] for r in rows],
            "name": [r[0] for r in rows],
            "crop": "vai_thieu",
            "vietgap": [r[1] for r in rows],
            "growing_area_code": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=CRS,
    )


TWO = {"A": (0, 0, 1000, 1000), "B": (1000, 0, 2000, 1000)}


def test_zone_across_border_is_shared_and_adds_up():
    zones = zones_frame([("Z1", True, "VN-1", box(700, 0, 1700, 1000))])  # 100 ha, 30 in A, 70 in B
    assert zone_areas(zones)["area_ha"].iloc[0] == pytest.approx(100.0)
    split = zone_areas_by_commune(zones, communes_frame(TWO)).set_index("commune_code")["area_ha"]
    assert split["A"] == pytest.approx(30.0)
    assert split["B"] == pytest.approx(70.0)


def test_vietgap_total_counts_overlap_once_and_reports_it():
    zones = zones_frame(
        [
            ("Z1", True, "VN-1", box(0, 0, 1000, 1000)),
            ("Z2", True, None, box(500, 0, 1500, 1000)),
            ("Z3", False, "VN-3", box(0, 2000, 100, 2100)),
        ]
    )
    summary = vietgap_summary(zones)
    assert summary["vietgap_area_ha"] == pytest.approx(150.0)
    assert summary["vietgap_area_sum_ha"] == pytest.approx(200.0)
    assert summary["vietgap_zones"] == 2
    assert summary["zones_with_growing_area_code"] == 2
    overlaps = zone_overlaps(zones)
    assert overlaps[["zone_id_a", "zone_id_b"]].values.tolist() == [["Z1", "Z2"]]
    assert overlaps["overlap_ha"].iloc[0] == pytest.approx(50.0)
    by_commune = zone_areas_by_commune(zones, communes_frame(TWO))
    problems = zone_problems(zones, by_commune)
    assert {p.feature for p in problems} == {"Z1 / Z2", "Z3"}  # Z3 lies outside every commune


def test_no_vietgap_zone_is_zero_not_error():
    zones = zones_frame([("Z1", False, None, box(0, 0, 10, 10))])
    assert vietgap_summary(zones)["vietgap_area_ha"] == 0.0


@st.composite
def tilings_and_zones(draw):
    xs = [0]
    for w in draw(st.lists(st.integers(100, 2000), min_size=1, max_size=4)):
        xs.append(xs[-1] + w)
    ys = [0]
    for h in draw(st.lists(st.integers(100, 2000), min_size=1, max_size=3)):
        ys.append(ys[-1] + h)
    boxes = {
        f"{i}{j}": (xs[i], ys[j], xs[i + 1], ys[j + 1])
        for i in range(len(xs) - 1)
        for j in range(len(ys) - 1)
    }
    zones = []
    for k in range(draw(st.integers(1, 5))):
        x0 = draw(st.integers(-500, xs[-1] + 200))
        y0 = draw(st.integers(-500, ys[-1] + 200))
        w, h = draw(st.integers(1, 3000)), draw(st.integers(1, 3000))
        zone = shapely.Polygon([(x0, y0), (x0 + w, y0 + h // 3), (x0 + w // 2, y0 + h)])
        zones.append((f"Z{k}", draw(st.booleans()), None, zone))
    return communes_frame(boxes), zones_frame(zones)


@settings(max_examples=60, deadline=None)
@given(tilings_and_zones())
def test_property_zone_areas_by_commune_sum_to_zone_area(case):
    communes, zones = case
    areas = zone_areas(zones).set_index("zone_id")["area_ha"]
    split = zone_areas_by_commune(zones, communes)
    total = split.groupby("zone_id")["area_ha"].sum().reindex(areas.index, fill_value=0.0)
    assert total.to_numpy() == pytest.approx(areas.to_numpy(), rel=1e-9, abs=1e-9)
    district = shapely.union_all(communes.geometry.to_numpy())
    inside = shapely.area(shapely.intersection(zones.geometry.to_numpy(), district)).sum() / 1e4
    measured = split.loc[split["commune_code"].notna(), "area_ha"].sum()
    assert measured == pytest.approx(inside, rel=1e-9, abs=1e-9)


def test_sample_zones():
    ws = load_workspace()
    zones = ws.layer("production_zones")
    split = zone_areas_by_commune(zones, ws.layer("communes"))
    assert split["area_ha"].sum() == pytest.approx(zone_areas(zones)["area_ha"].sum(), rel=1e-12)
    assert split["commune_code"].notna().all()

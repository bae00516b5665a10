"""Reach on a small hand graph, snapping reports, RAI, culture houses per village."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely import LineString, Point, box

from ntmgis import load_workspace
from ntmgis.analysis.access import (
    RADIUS_ASSUMPTION,
    REACHED,
    TOO_FAR,
    UNREACHABLE,
    market_reach,
    reach_gaps,
    road_graph,
    rural_access_index,
    villages_with_facility,
)

CRS = "EPSG:9214"


def roads_frame(lines, surfaces=None):
    surfaces = surfaces or ["be_tong"] * len(lines)
    return gpd.GeoDataFrame(
        {"segment_id": [f"r{i}" for i in range(len(lines))], "road_class": "xa", "surface": surfaces},
        geometry=lines,
        crs=CRS,
    )


def villages_frame(points, commune="A", population=100):
    return gpd.GeoDataFrame(
        {
            "village_id": [f"v{i}" for i in range(len(points))],
            "name": "v",
            "commune_code": commune,
            "kind": "thon",
            "population": population,
        },
        geometry=[Point(p) for p in points],
        crs=CRS,
    )


def markets_frame(points, standard=None):
    return gpd.GeoDataFrame(
        {
            "market_id": [f"m{i}" for i in range(len(points))],
            "name": "m",
            "commune_code": "A",
            "standard_met": standard or [True] * len(points),
        },
        geometry=[Point(p) for p in points],
        crs=CRS,
    )


# An L-shaped road (0,0)-(1000,0)-(1000,1000), a shortcut-free detour: the straight line from
# (0,0) to (1000,1000) is 1414 m, the road 2000 m. A separate road far away is not connected.
ROADS = roads_frame(
    [
        LineString([(0, 0), (1000, 0)]),
        LineString([(1000, 0), (1000, 1000)]),
        LineString([(5000, 0), (6000, 0)]),
    ]
)


def test_graph_nodes_are_exact_vertices_and_edges_lengths():
    graph = road_graph(ROADS)
    assert len(graph.nodes) == 5
    assert graph.n_edges == 3
    assert graph.adjacency.sum() == pytest.approx(2 * 3000.0)


def test_network_distance_is_known_shortest_path_and_at_least_straight_line():
    villages = villages_frame([(0, 10), (1000, 500), (5500, 0), (0, 3000)])
    markets = markets_frame([(1000, 1000)])
    table = market_reach(ROADS, villages, markets, max_snap_m=600)
    assert table.loc[0, "network_m"] == pytest.approx(10 + 2000)
    assert table.loc[0, "straight_m"] == pytest.approx(math.hypot(1000, 990))
    assert table.loc[0, "network_target"] == "m0"
    # (1000, 500) is 500 m from the nearest node (a vertex), then 500 m along the road.
    assert table.loc[1, "network_m"] == pytest.approx(500 + 1000)
    reached = table["status"] == REACHED
    assert (table.loc[reached, "network_m"] >= table.loc[reached, "straight_m"] - 1e-9).all()
    # On a road with no path to the market: reported, kept, no network distance.
    assert table.loc[2, "status"] == UNREACHABLE and np.isnan(table.loc[2, "network_m"])
    # Farther than the snap limit from every road: reported, kept.
    assert table.loc[3, "status"] == TOO_FAR and np.isnan(table.loc[3, "network_m"])
    assert len(table) == 4


def test_target_snap_distance_is_added_and_nearest_by_network_chosen():
    villages = villages_frame([(0, 0)])
    # m0 is closer in a straight line (860 m) but snaps 583 m to the far end of the road
    # (network 2583 m); m1 sits on the road 1000 m away.
    markets = markets_frame([(500, 700), (1000, 0)])
    table = market_reach(ROADS, villages, markets, max_snap_m=600)
    assert table.loc[0, "straight_target"] == "m0"
    assert table.loc[0, "network_target"] == "m1"
    assert table.loc[0, "network_m"] == pytest.approx(1000.0)


def test_standard_only_and_gap_layer():
    villages = villages_frame([(0, 0), (1000, 1000)])
    markets = markets_frame([(0, 0), (1000, 1000)], standard=[False, True])
    table = market_reach(ROADS, villages, markets, standard_only=True)
    assert table["network_target"].tolist() == ["m1", "m1"]
    gaps = reach_gaps(villages, table, radius_m=1500)
    assert gaps["village_id"].tolist() == ["v0"]
    assert (gaps["assumption"] == RADIUS_ASSUMPTION).all()


def test_villages_with_facility_point_in_polygon():
    villages = gpd.GeoDataFrame(
        {"village_id": ["a", "b"], "commune_code": "A"},
        geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10)],
        crs=CRS,
    )
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": ["f1", "f2"],
            "kind": ["culture_house", "school"],
            "commune_code": "A",
            "village_id": [None, None],
        },
        geometry=[Point(5, 5), Point(25, 5)],
        crs=CRS,
    )
    assert villages_with_facility(villages, facilities, "culture_house").tolist() == [True, False]


def test_rural_access_index_per_commune_and_district():
    villages = villages_frame([(0, 1500), (0, 2500)], commune="A", population=[100, 300])
    villages.loc[1, "commune_code"] = "B"
    roads = roads_frame(
        [LineString([(0, 0), (1000, 0)]), LineString([(0, 2500), (10, 2500)])], surfaces=["nhua", "dat"]
    )
    table = rural_access_index(villages, roads).set_index("unit_code")
    assert table.loc["A", "rai"] == pytest.approx(1.0)
    assert table.loc["B", "rai"] == pytest.approx(0.0)  # only an earth road nearby
    assert table.loc["district", "rai"] == pytest.approx(0.25)


def test_sample_reach_runs_for_every_village():
    ws = load_workspace()
    villages = ws.layer("villages")
    table = market_reach(ws.layer("roads"), villages, ws.layer("markets"))
    assert len(table) == len(villages)
    reached = table["status"] == REACHED
    assert (table.loc[reached, "network_m"] >= table.loc[reached, "straight_m"] - 1e-6).all()


def test_status_values_are_codes_shared_with_the_other_stages():
    # Codes are codes (snake_case, one spelling everywhere); the words come from the label catalogue.
    from ntmgis.analysis.access import NO_TARGET
    from ntmgis.codes import DISTRICT_UNIT, NOT_ASSESSED

    assert (REACHED, TOO_FAR, UNREACHABLE, NO_TARGET) == ("reached", "too_far", "unreachable", "no_target")
    villages = villages_frame([(0, 1500), (5000, 5000)], commune="A", population=[100, None])
    villages.loc[1, "commune_code"] = "B"
    roads = roads_frame([LineString([(0, 0), (1000, 0)])])
    table = rural_access_index(villages, roads).set_index("unit_code")
    assert table.loc["B", "status"] == NOT_ASSESSED and table.loc["A", "status"] == "assessed"
    assert DISTRICT_UNIT in table.index

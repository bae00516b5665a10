"""The road network check before reach, and noding: crossings without a shared vertex, dangling ends."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely.affinity
from shapely import LineString, Point, box

from ntmgis.analysis.access import REACHED, UNREACHABLE, market_reach, road_graph
from ntmgis.analysis.assess import NetworkOptions, Terms, assess_infrastructure
from ntmgis.analysis.graph import NETWORK_COLUMNS, check_road_network, node_roads
from ntmgis.costs import load_unit_costs
from ntmgis.vocab import concretized_surfaces, kien_co_linings, vocabulary

CRS = "EPSG:9214"


def crossing_roads() -> gpd.GeoDataFrame:
    """R1 west–east, R2 south–north, crossing at (500, 0) with no vertex there."""
    return gpd.GeoDataFrame(
        {"segment_id": ["R000001", "R000002"], "road_class": "xa", "surface": ["be_tong", "dat"]},
        geometry=[LineString([(0, 0), (1000, 0)]), LineString([(500, -500), (500, 200), (500, 500)])],
        crs=CRS,
    )


MARKET = gpd.GeoDataFrame(
    {"market_id": ["m"], "standard_met": [True], "commune_code": ["A"]}, geometry=[Point(0, 0)], crs=CRS
)
# 30 m north of R2's far end: reachable only through the crossing.
VILLAGE = gpd.GeoDataFrame(
    {"village_id": ["v"], "commune_code": ["A"], "population": [100]}, geometry=[Point(500, 530)], crs=CRS
)


def test_two_roads_crossing_without_a_shared_vertex_are_two_pieces_and_one_crossing():
    table = check_road_network(crossing_roads())
    assert list(table.columns) == NETWORK_COLUMNS
    row = table.iloc[0]
    assert (row["components"], row["crossings"], row["dangling_ends"]) == (2, 1, 0)
    assert row["largest_share"] == pytest.approx(1000 / 2000)
    assert row["total_km"] == pytest.approx(2.0)


def test_noding_joins_the_crossing_and_the_village_beyond_it_is_reached():
    roads = crossing_roads()
    before = market_reach(roads, VILLAGE, MARKET, graph=road_graph(roads))
    assert before["status"].tolist() == [UNREACHABLE]
    noded = node_roads(roads)
    assert check_road_network(noded).iloc[0][["components", "crossings"]].tolist() == [1, 0]
    after = market_reach(noded, VILLAGE, MARKET, graph=road_graph(noded))
    assert after["status"].tolist() == [REACHED]
    # 30 m snap + 500 m north to the crossing + 500 m west to the market
    assert after["network_m"].iloc[0] == pytest.approx(30 + 500 + 500)


def test_noding_keeps_attributes_ids_and_lengths():
    roads = crossing_roads()
    noded = node_roads(roads)
    assert noded["segment_id"].tolist() == ["R000001", "R000001#2", "R000002", "R000002#2"]
    assert noded.geom_type.eq("LineString").all()
    assert noded["surface"].tolist() == ["be_tong", "be_tong", "dat", "dat"]
    assert list(noded.columns) == list(roads.columns)
    assert noded.length.sum() == pytest.approx(roads.length.sum(), abs=1e-9)
    source = noded["segment_id"].str.split("#").str[0]
    per_feature = noded.length.groupby(source.to_numpy()).sum()
    np.testing.assert_allclose(per_feature.to_numpy(), roads.length.to_numpy(), atol=1e-9)
    # A noded layer is noded: nothing more to do.
    again = node_roads(noded)
    assert again["segment_id"].tolist() == noded["segment_id"].tolist()


def test_a_dangling_end_within_snap_m_is_joined_and_one_beyond_is_not():
    roads = gpd.GeoDataFrame(
        {"segment_id": ["a", "b"]},
        geometry=[LineString([(0, 0), (1000, 0)]), LineString([(300, 1.5), (300, 400)])],
        crs=CRS,
    )
    assert check_road_network(roads, snap_m=1.0).iloc[0]["dangling_ends"] == 0
    row = check_road_network(roads, snap_m=2.0).iloc[0]
    assert (row["components"], row["crossings"], row["dangling_ends"]) == (2, 0, 1)
    noded = node_roads(roads, snap_m=2.0)
    assert check_road_network(noded).iloc[0]["components"] == 1
    assert noded["segment_id"].tolist() == ["a", "a#2", "b"]
    # The end moved 1.5 m onto a; a is cut at (300, 0) and keeps its length.
    assert noded.length.sum() == pytest.approx(roads.length.sum() + 1.5)
    assert node_roads(roads, snap_m=1.0)["segment_id"].tolist() == ["a", "b"]


def test_an_end_lying_on_another_road_is_a_dangling_end_at_zero_metres():
    roads = gpd.GeoDataFrame(
        {"segment_id": ["a", "b"]},
        geometry=[LineString([(0, 0), (1000, 0)]), LineString([(300, 0), (300, 400)])],
        crs=CRS,
    )
    row = check_road_network(roads).iloc[0]
    assert (row["components"], row["crossings"], row["dangling_ends"]) == (2, 0, 1)
    noded = node_roads(roads)
    assert check_road_network(noded).iloc[0]["components"] == 1
    assert noded.length.sum() == pytest.approx(roads.length.sum())


def test_two_ends_a_metre_apart_meet_instead_of_swapping():
    roads = gpd.GeoDataFrame(
        {"segment_id": ["a", "b"]},
        geometry=[LineString([(0, 0), (500, 0)]), LineString([(501, 0), (1000, 0)])],
        crs=CRS,
    )
    assert check_road_network(roads).iloc[0]["dangling_ends"] == 2
    noded = node_roads(roads)
    assert check_road_network(noded).iloc[0]["components"] == 1
    assert noded.length.sum() == pytest.approx(1000.0)  # one end stays, the other moves 1 m to it


def test_an_empty_layer_is_checked_without_error():
    empty = gpd.GeoDataFrame({"segment_id": []}, geometry=[], crs=CRS)
    row = check_road_network(empty).iloc[0]
    assert (row["components"], row["crossings"], row["dangling_ends"]) == (0, 0, 0)
    assert len(node_roads(empty)) == 0


def _layers() -> dict[str, gpd.GeoDataFrame]:
    communes = gpd.GeoDataFrame(
        {"commune_code": ["A"], "name": ["Xã A"]}, geometry=[box(-1000, -1000, 2000, 2000)], crs=CRS
    )
    return {"communes": communes, "roads": crossing_roads(), "villages": VILLAGE, "markets": MARKET}


def _assess(node: bool):
    return assess_infrastructure(
        _layers(),
        unit_costs=load_unit_costs("roads"),
        canal_unit_costs=load_unit_costs("canals"),
        terms=Terms(
            surfaces=concretized_surfaces(),
            linings=kien_co_linings(),
            road_classes=tuple(vocabulary()["road_class"]),
        ),
        network=NetworkOptions(node=node),
    )


def test_assessing_reach_on_a_cut_network_says_so_and_names_the_fix():
    result = _assess(node=False)
    network = result.road_network
    assert network["layer"].tolist() == ["roads"]
    assert network["used_for_reach"].tolist() == [True]
    assert network.iloc[0]["components"] == 2
    [problem] = [p for p in result.problems if p.layer == "roads" and "not connected" in p.problem]
    assert problem.severity == "warning"
    assert "lớp đường không liên thông: 2 mảnh" in problem.text("vi")[0]
    assert "road layer not connected: 2 pieces" in problem.problem
    assert "--node-roads" in problem.action and "network: {node: true, snap_m: 2}" in problem.action
    assert result.market_reach["status"].tolist() == [UNREACHABLE]


def test_assessing_with_noding_reaches_the_village_and_records_the_repair():
    result = _assess(node=True)
    network = result.road_network
    assert network["layer"].tolist() == ["roads", "roads_noded"]
    assert network["used_for_reach"].tolist() == [False, True]
    assert network["components"].tolist() == [2, 1]
    assert not [p for p in result.problems if "not connected" in p.problem]
    [repair] = [p for p in result.problems if "noded" in p.problem]
    assert repair.severity == "info" and "1 crossings" in repair.problem
    assert result.market_reach["status"].tolist() == [REACHED]
    assert result.market_reach["network_m"].iloc[0] == pytest.approx(1030)
    # km are measured on the layer as given
    assert result.roads["total_km"].sum() == pytest.approx(2.0)


def test_the_sample_network_is_connected_and_raises_no_problem(sample_assessment):
    network = sample_assessment.road_network
    assert isinstance(network, pd.DataFrame)
    row = network.iloc[0]
    assert (row["layer"], row["components"], row["largest_share"], row["crossings"]) == ("roads", 1, 1.0, 0)
    assert not [p for p in sample_assessment.problems if "not connected" in p.problem]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "lớp đường không liên thông (4 mảnh)"), ("en", "the road layer is not connected (4 pieces)")],
)
def test_the_reach_sheet_carries_the_warning_when_the_network_is_cut(sample_assessment, lang, words):
    from ntmgis.report import report_tables

    connected = report_tables(None, sample_assessment, lang=lang)["reach"]
    assert not connected.iloc[:, -1].str.contains(words, regex=False).any()
    cut = sample_assessment.road_network.assign(components=4)
    reach = report_tables(None, replace(sample_assessment, road_network=cut), lang=lang)["reach"]
    assert len(reach) and reach.iloc[:, -1].str.contains(words, regex=False).all()


def test_workspace_network_key_nodes_the_roads_and_the_cli_overrides_it(tmp_path):
    import shutil

    import yaml

    from ntmgis.assessment import assess
    from ntmgis.workspace import inspect_workspace, load_workspace, sample_workspace_path

    shutil.copytree(sample_workspace_path().parent, tmp_path / "ws")  # villages and markets: reach runs
    path = tmp_path / "ws" / "workspace.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["network"] = {"node": True, "snap_m": 1.5}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace = load_workspace(path)
    assert dict(workspace.network) == {"node": True, "snap_m": 1.5}
    assert assess(workspace).road_network["layer"].tolist() == ["roads", "roads_noded"]
    assert assess(workspace, node_roads=False).road_network["layer"].tolist() == ["roads"]
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["network"] = {"node": "yes", "snap_m": -1, "snapm": 2}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    workspace, report = inspect_workspace(path)
    assert workspace is None
    messages = " ".join(p.problem for p in report.errors)
    assert "network.node" in messages and "network.snap_m" in messages and "'snapm'" in messages


def test_a_cut_network_is_said_beside_the_reach_results_on_the_map_and_in_the_report(sample_workspace):
    from ntmgis.assessment import assess
    from ntmgis.maps.panels import planner_summary
    from ntmgis.report import report_tables

    roads = sample_workspace.layer("roads")
    # Every other segment shifted by 30 cm: no shared vertex left between neighbours.
    shift = [0.3 if i % 2 else 0.0 for i in range(len(roads))]
    roads["geometry"] = [
        shapely.affinity.translate(g, xoff=dx) for g, dx in zip(roads.geometry, shift, strict=True)
    ]
    cut = assess(sample_workspace.with_layers(roads=roads))
    assert cut.reach_network_pieces() > 1
    rows = [row[0] for table in planner_summary(sample_workspace, cut) for row in table.rows]
    assert any("không liên thông" in r for r in rows)
    reach = report_tables(sample_workspace, cut, lang="en")["reach"]
    assert reach.iloc[:, -1].str.contains("not connected").all()

"""The whole flow on real-shaped data: the real 2021 commune polygons of Tân Yên with long, OSM-like
roads and canals that cross commune borders without shared vertices, read from files in WGS84 the way
an office would hand them over, through ``load_workspace`` → ``assess`` → map (opened in Chromium) and
report.

The polygons are read by path from ``../shared/data/real`` (never copied); the test skips without them.
The lines are generated here, so the test knows what the measurements must add up to.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml

from ntmgis.analysis.access import market_reach, road_graph
from ntmgis.analysis.graph import check_road_network, node_roads
from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.testing import assert_assessment_equal
from ntmgis.vocab import concretized_surfaces, kien_co_linings
from ntmgis.workspace import load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
COMMUNES = REAL / "tan_yen_communes_2021_derived.geojson"
pytestmark = pytest.mark.skipif(not COMMUNES.exists(), reason="shared/data/real not present")

ROAD_CLASSES = ["xa", "truc_thon", "lien_thon", "ngo_xom", "noi_dong", "huyen"]
SURFACES = ["be_tong", "nhua", "cap_phoi", "dat"]
LININGS = ["be_tong", "gach", "dat"]


def _ways(rng: np.random.Generator, bounds: np.ndarray, n: int, step_m: float) -> list[shapely.LineString]:
    """Random walks of 2–40 vertices, most of them crossing commune borders (OSM-like ways)."""
    x0, y0, x1, y1 = bounds
    ways = []
    for _ in range(n):
        count = int(rng.integers(2, 41))
        start = rng.uniform((x0, y0), (x1, y1))
        heading = rng.uniform(0, 2 * np.pi)
        turns = heading + np.cumsum(rng.normal(0, 0.35, count - 1))
        steps = np.c_[np.cos(turns), np.sin(turns)] * rng.uniform(0.3, 1.0, (count - 1, 1)) * step_m
        ways.append(shapely.LineString(np.vstack([start, start + np.cumsum(steps, axis=0)])))
    return ways


@pytest.fixture(scope="module")
def real_workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("real_district")
    rng = np.random.default_rng(2025)
    bounds = gpd.read_file(COMMUNES).to_crs(9214).total_bounds
    roads = gpd.GeoDataFrame(
        {
            "segment_id": [f"W{i:05d}" for i in range(1500)],
            "road_class": rng.choice(ROAD_CLASSES, 1500),
            "surface": rng.choice(SURFACES, 1500),
        },
        geometry=_ways(rng, bounds, 1500, 120.0),
        crs=9214,
    ).to_crs(4326)
    canals = gpd.GeoDataFrame(
        {
            "segment_id": [f"K{i:05d}" for i in range(400)],
            "canal_level": "cap_3",
            "lining": rng.choice(LININGS, 400),
            "managed_by": rng.choice(["xa", "cong_ty"], 400, p=[0.7, 0.3]),
        },
        geometry=_ways(rng, bounds, 400, 150.0),
        crs=9214,
    ).to_crs(4326)
    real = gpd.read_file(COMMUNES)
    markets = gpd.GeoDataFrame(
        {
            "market_id": [f"M{i:02d}" for i in range(8)],
            "name": [f"Chợ {n}" for n in real["name_short"][:8]],
            "commune_code": real["gso_code"][:8].tolist(),
            "standard_met": [True, False] * 4,
        },
        geometry=gpd.points_from_xy(real["rep_lon"][:8], real["rep_lat"][:8]),
        crs=4326,
    )
    roads.to_file(root / "giao_thong.gpkg", layer="duong")
    canals.to_file(root / "kenh_muong.gpkg", layer="kenh")
    markets.to_file(root / "cho.geojson")
    config = {
        "name": "Tân Yên (ranh giới thật 2021)",
        "district": {"name": "Tân Yên", "province": "Bắc Giang"},
        "working_crs": "EPSG:9214",
        "plan": "package:tan_yen_2021_2025",
        "layers": {
            "communes": {
                "path": str(COMMUNES),
                "columns": {
                    "commune_code": "gso_code",
                    "name": "name_short",
                    "kind": "unit_type",
                    "population": "pop_attr",
                },
            },
            "roads": {"path": "giao_thong.gpkg", "layer": "duong"},
            "canals": {"path": "kenh_muong.gpkg", "layer": "kenh"},
            "markets": {"path": "cho.geojson"},
        },
    }
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def real_assessment(real_workspace):
    workspace = load_workspace(real_workspace)
    return workspace, assess(workspace)


def _inside_m(lines: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> float:
    """Length inside the district by GEOS overlay: every metre once, overlapping polygons or not."""
    district = shapely.union_all(communes.geometry.to_numpy())
    return float(lines.intersection(district).length.sum())


def test_every_commune_and_plan_year_is_in_the_assessment(real_assessment):
    workspace, a = real_assessment
    codes = set(workspace.layer("communes")["commune_code"])
    assert len(codes) == 22 and set(a.communes["commune_code"]) == codes
    communes = a.schedule[a.schedule["unit_type"] == "commune"]
    assert len(communes) == 22 * 5 and set(communes["unit_code"]) == codes
    # Lam Cốt is due nâng cao in 2023: a milestone of the plan, whatever the layers say.
    assert set(a.milestones.loc[a.milestones["commune_code"] == "07333", "level"]) >= {"nang_cao"}
    assert a.villages_without_culture_house is None and a.market_gaps is None  # no villages layer


def test_kilometres_add_up_across_real_borders(real_assessment):
    workspace, a = real_assessment
    roads, canals = workspace.layer("roads"), workspace.layer("canals")
    communes = workspace.layer("communes")
    # The real polygons overlap (PROVENANCE.md): each metre still counts once, as GEOS says.
    assert a.roads["total_km"].sum() * 1000 == pytest.approx(_inside_m(roads, communes), rel=1e-6)
    # What is not concretized inside a commune is exactly the upgrade layer.
    todo = a.roads["total_km"].sum() - a.roads["concretized_km"].sum()
    assert a.segments_to_upgrade["length_km"].sum() == pytest.approx(todo, rel=1e-9)
    assert not a.segments_to_upgrade["surface"].isin(concretized_surfaces()).any()
    # Canals: commune-managed, not kiên cố, is exactly what criterion 3.3 misses.
    missing = a.canals["total_km"].sum() - a.canals["lined_km"].sum()
    assert a.canals_to_line["length_km"].sum() == pytest.approx(missing, rel=1e-9)
    assert set(a.canals_to_line["managed_by"]) == {"xa"}
    assert not a.canals_to_line["lining"].isin(kien_co_linings()).any()
    commune_canals = canals[canals["managed_by"] == "xa"]
    assert a.canals["total_km"].sum() * 1000 == pytest.approx(_inside_m(commune_canals, communes), rel=1e-6)
    # Most ways cross a border: the cut produced more pieces than ways.
    assert a.segments_to_upgrade["segment_id"].duplicated().any()


def test_the_road_network_check_reports_the_crossings_and_noding_joins_them(real_assessment):
    workspace, _ = real_assessment
    roads = workspace.layer("roads")
    before = check_road_network(roads).iloc[0]
    # Random ways cross each other freely and never share a vertex.
    assert before["components"] > 100 and before["crossings"] > 1000
    noded = node_roads(roads)
    after = check_road_network(noded).iloc[0]
    # Every crossing is noded; a moved end (≤ 2 m) can make a new one (1 of 4617 here).
    assert after["dangling_ends"] == 0 and after["crossings"] <= 0.001 * before["crossings"]
    assert after["components"] < before["components"] / 2
    assert after["largest_share"] > 0.9
    assert set(noded["segment_id"].str.split("#").str[0]) == set(roads["segment_id"])
    # Crossings add vertices on the lines; only the dangling ends moved (≤ 2 m each).
    assert abs(noded.length.sum() - roads.length.sum()) <= 2.0 * before["dangling_ends"] + 1e-6
    # Villages at the communes' points: fewer are cut off from every market once the layer is noded.
    communes = workspace.layer("communes")
    villages = gpd.GeoDataFrame(
        {"village_id": communes["commune_code"], "commune_code": communes["commune_code"]},
        geometry=communes.geometry.representative_point(),
        crs=communes.crs,
    )
    markets = workspace.layer("markets")
    cut = market_reach(roads, villages, markets, graph=road_graph(roads))
    joined = market_reach(noded, villages, markets, graph=road_graph(noded))
    assert (joined["status"] == "unreachable").sum() < (cut["status"] == "unreachable").sum()


def test_the_assessment_is_deterministic(real_assessment):
    workspace, a = real_assessment
    assert_assessment_equal(a, assess(workspace))


def test_map_and_report_from_the_command_line(real_workspace, tmp_path, open_map):
    page_path, book = tmp_path / "ban_do.html", tmp_path / "bao_cao.xlsx"
    assert main(["map", str(real_workspace), "-o", str(page_path)]) == 0
    assert main(["report", str(real_workspace), "-o", str(book)]) == 0
    assert book.exists() and (tmp_path / "bao_cao_csv" / "upgrade.csv").exists()
    html = page_path.read_text(encoding="utf-8")
    assert "Dữ liệu minh họa" not in html  # not the sample: no sample note
    page, requests, console_errors, page_errors = open_map(page_path)
    assert page_errors == [] and console_errors == [] and requests == []
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22

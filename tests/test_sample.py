"""The embedded sample district (ntmgis.sample): deterministic, honest, and what the packaged dataset
(ntmgis/datasets/tan_yen/) holds."""

from __future__ import annotations

import itertools
import unicodedata

import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from geopandas.testing import assert_geodataframe_equal
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ntmgis.datasets import get_path
from ntmgis.io import read_layer, read_table
from ntmgis.plan import load_plan
from ntmgis.sample import (
    DISTRICT_AREA_KM2,
    DISTRICT_POPULATION,
    STATUS_YEAR,
    VILLAGE_TOTAL,
    generate_sample,
    unit_facts,
    write_sample,
)
from ntmgis.validate import validate_layer, validate_table
from ntmgis.vocab import concretized_surfaces, contracts, kien_co_linings, vocabulary

DATA = get_path("tan_yen")

# DOMAIN.md §4: the 22 units of 2020-03-01 → 2024-12-31 and their GSO codes.
UNITS = {
    "07303": "Lan Giới",
    "07306": "Nhã Nam",
    "07309": "Tân Trung",
    "07312": "Đại Hóa",
    "07315": "Quang Tiến",
    "07318": "Phúc Sơn",
    "07321": "An Dương",
    "07324": "Phúc Hòa",
    "07327": "Liên Sơn",
    "07330": "Hợp Đức",
    "07333": "Lam Cốt",
    "07336": "Cao Xá",
    "07339": "Cao Thượng",
    "07342": "Việt Ngọc",
    "07345": "Song Vân",
    "07348": "Ngọc Châu",
    "07351": "Ngọc Vân",
    "07354": "Việt Lập",
    "07357": "Liên Chung",
    "07360": "Ngọc Thiện",
    "07363": "Ngọc Lý",
    "07366": "Quế Nham",
}
TOWNS = {"07339", "07306"}
PLAN = load_plan("package:tan_yen_2021_2025")


@pytest.fixture(scope="module")
def sample():
    return generate_sample()


def _length_share(frame: pd.DataFrame, flag: pd.Series) -> float:
    lengths = frame.geometry.length
    return float(lengths[flag].sum() / lengths.sum())


# ---------------------------------------------------------------------------------------------
# Determinism and the committed data
# ---------------------------------------------------------------------------------------------


def test_generation_is_deterministic(sample):
    again = generate_sample()
    for name, frame in sample.layers().items():
        assert_geodataframe_equal(frame, again.layers()[name])
    for name, frame in sample.tables().items():
        pd.testing.assert_frame_equal(frame, again.tables()[name])
    assert_geodataframe_equal(sample.outline, again.outline)


def test_another_seed_gives_another_district(sample):
    other = generate_sample(seed=7)
    assert not sample.villages.geometry.geom_equals(other.villages.geometry).all()
    assert len(other.communes) == 22 and len(other.villages) == VILLAGE_TOTAL


def test_written_files_are_byte_identical_and_equal_the_committed_data(tmp_path):
    first = write_sample(tmp_path / "a")
    second = write_sample(tmp_path / "b")
    relative = [p.relative_to(tmp_path / "a") for p in first]
    assert relative == [p.relative_to(tmp_path / "b") for p in second]
    assert {str(p) for p in relative} >= {
        "workspace.yaml",
        "README.md",
        "boundaries/communes.gpkg",
        "boundaries/villages.gpkg",
        "layers/roads.gpkg",
        "layers/canals.gpkg",
        "layers/markets.gpkg",
        "layers/production_zones.gpkg",
        "layers/facilities.gpkg",
        "layers/commune_status.csv",
        "layers/village_status.csv",
        "layers/recognitions.csv",
    }
    for path in relative:
        made = (tmp_path / "a" / path).read_bytes()
        assert made == (tmp_path / "b" / path).read_bytes(), f"{path} differs between two writes"
        committed = DATA / path
        assert committed.exists(), f"{committed} is missing: run `ntmgis sample`"
        assert made == committed.read_bytes(), f"{committed} is stale: run `ntmgis sample --force`"


def test_workspace_yaml_has_the_agreed_layout():
    config = yaml.safe_load((DATA / "workspace.yaml").read_text(encoding="utf-8"))
    assert list(config) == [
        "name",
        "district",
        "sample",
        "sample_note",
        "status_year",
        "working_crs",
        "criteria_set",
        "plan",
        "layers",
        "tables",
        "provenance",
    ]
    assert config["sample"] is True and config["status_year"] == STATUS_YEAR
    assert config["working_crs"] == "EPSG:9214" and config["plan"] == "package:tan_yen_2021_2025"
    assert config["district"] == {"name": "Tân Yên", "province": "Bắc Giang", "kind": "huyen"}
    assert "minh họa" in config["sample_note"]["vi"] and "llustrative" in config["sample_note"]["en"]
    assert config["layers"]["roads"] == {"path": "layers/roads.gpkg", "layer": "roads"}
    assert config["tables"]["recognitions"] == {"path": "layers/recognitions.csv"}
    assert "seed 2021" in config["provenance"]["en"] and "illustrative" in config["provenance"]["en"]
    assert "2021" in config["provenance"]["vi"] and "minh họa" in config["provenance"]["vi"]
    for entry in [*config["layers"].values(), *config["tables"].values()]:
        assert (DATA / entry["path"]).exists()


# ---------------------------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------------------------


def test_facts_table_is_curated_and_cited():
    facts = unit_facts()
    assert dict(zip(facts["commune_code"], facts["name"], strict=True)) == UNITS
    assert all(unicodedata.is_normalized("NFC", n) for n in facts["name"])
    assert set(facts.loc[facts["kind"] == "thi_tran", "commune_code"]) == TOWNS
    # Centres are approximate: rounded to 0.005°.
    for column in ("centre_lon", "centre_lat"):
        steps = facts[column] / 0.005
        assert np.allclose(steps, steps.round(), atol=1e-6)
    assert facts["area_basis"].str.match(r"^(official|polygon): ").all()
    assert facts["source"].str.contains("tan_yen_units.csv").all()
    assert facts.loc[facts["commune_code"] == "07336", ["population", "n_villages"]].iloc[0].tolist() == [
        12965,
        25,
    ]


# ---------------------------------------------------------------------------------------------
# Communes and villages
# ---------------------------------------------------------------------------------------------


def test_communes_tile_the_district(sample):
    communes = sample.communes
    assert len(communes) == 22
    assert dict(zip(communes["commune_code"], communes["name"], strict=True)) == UNITS
    assert set(communes.loc[communes["kind"] == "thi_tran", "commune_code"]) == TOWNS
    assert (communes["kind"] == "thi_tran").sum() == 2
    geoms = communes.geometry.to_numpy()
    for i, j in itertools.combinations(range(len(geoms)), 2):
        assert shapely.intersection(geoms[i], geoms[j]).area < 1.0
    outline = sample.outline.geometry.iloc[0]
    assert abs(outline.area / 1e6 - DISTRICT_AREA_KM2) < 0.01
    assert abs(shapely.union_all(geoms).area / outline.area - 1) < 1e-4
    # One exact coverage: neighbours share their border vertex for vertex.
    assert shapely.coverage_is_valid(shapely.GeometryCollection(list(geoms)))
    assert communes.crs.to_epsg() == 9214


def test_commune_areas_follow_the_facts(sample):
    communes = sample.communes
    ratio = communes.geometry.area / 1e6 / communes["area_km2_fact"]
    assert ratio.between(0.75, 1.25).all(), ratio[~ratio.between(0.75, 1.25)]


def test_populations_use_facts_and_sum_to_the_district(sample):
    communes = sample.communes.set_index("commune_code")
    assert communes["population"].sum() == DISTRICT_POPULATION
    facts = unit_facts().set_index("commune_code")
    known = facts["population"].notna()
    assert (communes.loc[known[known].index, "population"] == facts.loc[known, "population"]).all()
    assert (communes.loc[known[known].index, "population_basis"] == "fact").all()
    assert (communes.loc[~known, "population_basis"] == "illustrative").all()
    assert communes.loc["07348", "households"] == 1925


def test_villages_tile_their_communes(sample):
    villages, communes = sample.villages, sample.communes
    assert len(villages) == VILLAGE_TOTAL
    assert villages["village_id"].is_unique
    assert villages["village_id"].str.fullmatch(r"\d{5}-\d{2}").all()
    assert (villages["village_id"].str[:5] == villages["commune_code"]).all()
    facts = unit_facts().set_index("commune_code")
    counts = villages.groupby("commune_code").size()
    for code, known in facts["n_villages"].dropna().items():
        assert counts[code] == known
    by_code = dict(zip(communes["commune_code"], communes.geometry, strict=True))
    inside = [
        by_code[c].contains(p)
        for c, p in zip(villages["commune_code"], villages.representative_point(), strict=True)
    ]
    assert all(inside)
    for code, group in villages.groupby("commune_code"):
        assert abs(shapely.union_all(group.geometry.to_numpy()).area - by_code[code].area) < 1.0
    assert shapely.coverage_is_valid(shapely.GeometryCollection(list(villages.geometry)))
    totals = villages.groupby("commune_code")[["population", "households"]].sum()
    expected = communes.set_index("commune_code")[["population", "households"]]
    pd.testing.assert_frame_equal(totals.sort_index(), expected.sort_index(), check_dtype=False)


def test_village_names(sample):
    villages = sample.villages
    towns = villages[villages["commune_code"].isin(TOWNS)]
    assert (towns["kind"] == "to_dan_pho").all() and towns["name"].str.match(r"^Tổ dân phố \d+$").all()
    thon = villages[~villages["commune_code"].isin(TOWNS)]
    assert (thon["kind"] == "thon").all() and thon["name"].str.startswith("Thôn ").all()
    assert not villages.duplicated(["commune_code", "name"]).any()
    assert thon["name"].duplicated().any()  # generic names repeat across communes, as in life
    assert all(unicodedata.is_normalized("NFC", n) for n in villages["name"])
    dong_lim = villages[villages["name"] == "Thôn Đồng Lim"]
    assert dong_lim["commune_code"].tolist() == ["07363"]
    assert dong_lim["model_target_year"].tolist() == [2021]


def test_model_villages_follow_the_plan(sample):
    villages = sample.villages
    planned = villages[villages["model_target_year"].notna()]
    assert (
        planned["model_target_year"].value_counts().sort_index().to_dict()
        == PLAN.model_villages_by_year().to_dict()
        == {2021: 11, 2022: 10, 2023: 13, 2024: 6, 2025: 3}
    )
    assert (planned["kind"] == "thon").all()
    status = sample.village_status
    assert set(status["village_id"]) == set(planned["village_id"]) and len(status) == 43
    assert (status["criterion"] == "thon_kieu_mau").all()
    target = dict(zip(planned["village_id"], planned["model_target_year"], strict=True))
    due = status[status["village_id"].map(target) <= STATUS_YEAR]
    assert due["met"].sum() == len(due) - 2  # two late, illustrative
    assert not status.loc[status["village_id"].map(target) > STATUS_YEAR, "met"].any()
    assert (status["year"] <= STATUS_YEAR).all()


# ---------------------------------------------------------------------------------------------
# Networks
# ---------------------------------------------------------------------------------------------


def _components(lines: pd.Series) -> int:
    """Connected components of the graph whose nodes are exact segment endpoints."""
    ends = np.array([c for g in lines for c in (g.coords[0], g.coords[-1])])
    keys, inverse = np.unique(ends, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    graph = coo_matrix((np.ones(len(inverse)), (inverse[:, 0], inverse[:, 1])), shape=(len(keys),) * 2)
    return connected_components(graph, directed=False)[0]


def test_road_network_is_connected_at_exact_junctions(sample):
    roads = sample.roads
    assert _components(roads.geometry) == 1
    assert 3000 <= len(roads) <= 8000
    assert roads["segment_id"].is_unique and roads["segment_id"].str.fullmatch(r"R\d{6}").all()
    assert set(roads["road_class"]) == set(vocabulary()["road_class"])
    assert set(roads["surface"]) <= set(vocabulary()["surface"])
    assert set(roads["managed_by"]) <= set(vocabulary()["manager"])
    lengths = roads.geometry.length
    assert lengths.max() < 700 and lengths.median() > 100
    assert (shapely.get_num_coordinates(roads.geometry.to_numpy()) < 40).all()


def test_trunk_roads_cross_cao_xa_and_some_roads_cross_borders(sample):
    roads, communes = sample.roads, sample.communes
    cao_xa = communes.loc[communes["commune_code"] == "07336"].geometry.iloc[0]
    for name, road_class in (("QL17", "quoc_lo"), ("ĐT298", "tinh"), ("ĐT295", "tinh")):
        road = roads[roads["name"] == name]
        assert set(road["road_class"]) == {road_class}
        assert road.geometry.intersects(cao_xa).any()
    # Segments are not split at commune borders: some lie in no single commune.
    tree = shapely.STRtree(communes.geometry.to_numpy())
    segments = roads.geometry.to_numpy()
    within_one = np.zeros(len(roads), dtype=bool)
    within_one[tree.query(segments, predicate="within")[0]] = True
    inside = sample.outline.geometry.iloc[0].contains(segments)
    crossing = roads[~within_one & inside]
    assert {"huyen", "xa"} <= set(crossing["road_class"])


def test_hardened_shares_vary_by_commune(sample):
    roads, communes = sample.roads, sample.communes
    hardened = roads["surface"].isin(concretized_surfaces())
    assert set(roads.loc[roads["road_class"].isin(["quoc_lo", "tinh"]), "surface"]) == {"nhua"}
    district = roads["road_class"] == "huyen"
    assert 0.95 < _length_share(roads[district], hardened[district]) < 1.0  # a few illustrative gaps
    shares = []
    for commune in communes.itertuples():
        for road_class in ("ngo_xom", "noi_dong"):
            mask = (roads["road_class"] == road_class) & roads.geometry.within(commune.geometry)
            if mask.sum() >= 5:
                shares.append(_length_share(roads[mask], hardened[mask]))
    assert min(shares) < 0.7 < max(shares)


def test_canals(sample):
    canals = sample.canals
    assert canals["segment_id"].is_unique and canals["segment_id"].str.fullmatch(r"K\d{6}").all()
    assert set(canals["canal_level"]) == set(vocabulary()["canal_level"])
    assert set(canals["lining"]) <= set(vocabulary()["lining"])
    assert set(canals.loc[canals["canal_level"].isin(["cap_1", "cap_2"]), "managed_by"]) == {"cong_ty"}
    local = canals["canal_level"].isin(["cap_3", "noi_dong"])
    assert set(canals.loc[local, "managed_by"]) == {"xa", "htx"}
    commune_managed = canals["managed_by"] == "xa"
    lined = canals["lining"].isin(kien_co_linings())
    share = _length_share(canals[commune_managed], lined[commune_managed])
    assert 0.80 <= share <= 0.88  # below the plan's > 90 % (II.2.3)


# ---------------------------------------------------------------------------------------------
# Points and zones
# ---------------------------------------------------------------------------------------------


def test_markets(sample):
    markets, roads = sample.markets, sample.roads
    assert markets["market_id"].is_unique
    units = set(PLAN.market_units()["commune_code"])
    planned = markets[markets["planned_upgrade_year"].notna()]
    assert set(planned["commune_code"]) == units and len(planned) == 8
    assert planned["planned_upgrade_year"].between(2021, 2025).all()
    assert set(markets["kind"]) == {"cho", "sieu_thi_mini"}
    assert set(UNITS) - set(markets["commune_code"])  # a few communes have none
    assert (markets.loc[markets["kind"] == "cho", "name"].str.startswith("Chợ ")).all()
    assert (markets.loc[markets["commune_code"] == "07339", "name"] == "Chợ Cao Thượng").all()
    tree = shapely.STRtree(roads.geometry.to_numpy())
    _, distance = tree.query_nearest(markets.geometry.to_numpy(), return_distance=True)
    assert (distance < 30).all()


def test_production_zones(sample):
    zones = sample.production_zones
    assert zones["zone_id"].is_unique
    assert set(zones["crop"]) <= set(vocabulary()["crop"])
    hectares = zones.geometry.area / 1e4
    assert hectares.between(3.99, 60.01).all()
    vietgap = zones["vietgap"]
    assert 300 <= hectares[vietgap].sum() < 400  # under the plan's 400–500 ha: the sample shows the gap
    assert 270 <= hectares[vietgap & (zones["crop"] == "vai_som")].sum() <= 285
    assert zones["growing_area_code"].notna().sum() == 1  # the plan's target is 2
    assert zones.loc[vietgap, "certified_until"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert zones.loc[~vietgap, "certified_until"].isna().all()
    geoms = zones.geometry.to_numpy()
    overlaps = [
        (i, j)
        for i, j in itertools.combinations(range(len(geoms)), 2)
        if shapely.intersection(geoms[i], geoms[j]).area > 1.0
    ]
    assert len(overlaps) == 1
    communes = sample.communes.geometry.to_numpy()
    straddling = [g for g in geoms if sum(shapely.intersection(g, c).area > 1e3 for c in communes) > 1]
    assert straddling


def test_vietgap_zones_back_the_reported_criterion_13(sample):
    # Criterion 13.3 asks for a VietGAP zone: every xã whose status says 13 is met holds one, but
    # Lan Giới (07303), left without on purpose so that the cross-check has a case.
    zones = sample.production_zones[sample.production_zones["vietgap"]]
    holders = set(
        zones.sjoin(sample.communes[["commune_code", "geometry"]], predicate="intersects")["commune_code"]
    )
    status = sample.commune_status
    reported = set(status.loc[(status["criterion"] == "13") & status["met"].fillna(False), "commune_code"])
    assert reported - holders == {"07303"}


def test_facilities(sample):
    facilities, villages = sample.facilities, sample.villages
    assert facilities["facility_id"].is_unique
    houses = facilities[facilities["kind"] == "culture_house"]
    assert houses["village_id"].is_unique and houses["village_id"].isin(villages["village_id"]).all()
    lacking = set(villages["village_id"]) - set(houses["village_id"])
    assert 8 <= len(lacking) <= 12
    planned = set(villages.loc[villages["model_target_year"].notna(), "village_id"])
    assert not lacking & planned
    per_commune = facilities.groupby(["commune_code", "kind"]).size().unstack(fill_value=0)
    assert (per_commune["health_station"] == 1).all()
    assert per_commune["school"].between(2, 4).all()
    assert len(per_commune) == 22


# ---------------------------------------------------------------------------------------------
# Contracts and tables
# ---------------------------------------------------------------------------------------------


def test_every_layer_meets_its_contract(sample):
    codes = set(sample.communes["commune_code"])
    for name, frame in sample.layers().items():
        spec = contracts()["layers"][name]
        assert set(spec["required"]) <= set(frame.columns), name
        assert set(frame.geom_type) <= set(spec["geometry"]), name
        assert frame[spec["id"]].is_unique and frame[spec["id"]].notna().all(), name
        assert frame["illustrative"].all(), name
        assert frame.crs.to_epsg() == 9214, name
        if "commune_code" in frame.columns:
            assert set(frame["commune_code"]) <= codes, name
        for column, vocab in spec.get("vocab", {}).items():
            assert set(frame[column].dropna()) <= set(vocabulary()[vocab]), (name, column)


def test_committed_files_validate_without_a_single_problem():
    config = yaml.safe_load((DATA / "workspace.yaml").read_text(encoding="utf-8"))
    communes = read_layer(DATA / config["layers"]["communes"]["path"], layer="communes").frame
    codes = communes["commune_code"].tolist()
    for name, entry in config["layers"].items():
        read = read_layer(DATA / entry["path"], layer=entry["layer"], name=name)
        checked = validate_layer(read.frame, name, commune_codes=codes)
        problems = [*read.problems, *checked.problems]
        assert not problems, [str(p) for p in problems]
    for name, entry in config["tables"].items():
        read = read_table(DATA / entry["path"], name=name)
        checked = validate_table(read.frame, name, commune_codes=codes)
        problems = [*read.problems, *checked.problems]
        assert not problems, [str(p) for p in problems]
        assert read.frame["note"].str.contains("illustrative|district portal").all(), name


def test_commune_status_is_complete_and_consistent(sample):
    status, recognitions = sample.commune_status, sample.recognitions
    assert len(status) == 22 * 19
    assert (
        status.groupby("commune_code")["criterion"].apply(sorted)
        == [sorted(str(c) for c in range(1, 20))] * 22
    ).all()
    assert status["indicator"].isna().all() and status["value"].isna().all()
    assert (status["year"] == STATUS_YEAR).all()
    towns = status["commune_code"].isin(TOWNS)
    assert status.loc[towns, "met"].isna().all() and status.loc[towns, "note"].str.contains("thị trấn").all()
    assert status.loc[~towns, "met"].notna().all()
    advanced = set(recognitions.loc[recognitions["level"] != "ntm", "commune_code"])
    for code in advanced:
        rows = status[status["commune_code"] == code]
        assert rows["met"].all() and set(rows["level"]) <= {"nang_cao", "kieu_mau"}, code
    ntm_only = status[~towns & ~status["commune_code"].isin(advanced)]
    assert set(ntm_only["level"]) == {"ntm"}
    assert (~ntm_only["met"]).sum() == 2  # two communes slip on one NTM criterion (illustrative)


def test_recognitions_follow_the_plan_schedule(sample):
    recognitions = sample.recognitions
    assert set(recognitions["level"]) <= set(vocabulary()["ntm_level"])
    assert (recognitions["year"] <= STATUS_YEAR).all()
    ntm = recognitions[recognitions["level"] == "ntm"]
    assert set(ntm["commune_code"]) == set(UNITS) - TOWNS and ntm["commune_code"].is_unique
    assert (ntm["year"] <= 2020).all()
    assert ntm.loc[ntm["commune_code"] == "07336", "year"].tolist() == [2020]
    nang_cao = recognitions[recognitions["level"] == "nang_cao"]
    got = dict(zip(nang_cao["commune_code"], nang_cao["year"], strict=True))
    schedule = PLAN.nang_cao_schedule()
    due = schedule[schedule["year"] <= STATUS_YEAR]
    expected = dict(zip(due["commune_code"], due["year"], strict=True))
    late = set(expected) - set(got)
    assert late == {"07333"}  # Lam Cốt, planned 2023, left late
    assert {c: y for c, y in got.items() if c in expected} == {
        c: y for c, y in expected.items() if c not in late
    }
    assert set(got) - set(expected) == {"07354"} and got["07354"] == 2020  # Việt Lập, assumed
    kieu_mau = recognitions[recognitions["level"] == "kieu_mau"]
    assert kieu_mau[["commune_code", "year"]].values.tolist() == [["07354", 2023]]

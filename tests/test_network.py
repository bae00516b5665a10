"""Road and canal concretization: hand-built geometry with known answers, and properties."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from shapely import LineString, box

from ntmgis.analysis.clip import split_by_commune, split_problems
from ntmgis.analysis.network import (
    NOT_ASSESSED,
    canal_lining,
    road_concretization,
    segments_to_upgrade,
    upgrade_totals,
)
from ntmgis.costs import load_unit_costs

CRS = "EPSG:9214"
# The project's shared folder sits beside the repository (../shared); absent in a bare checkout.
REAL_COMMUNES = Path(__file__).resolve().parents[2] / "shared/data/real/tan_yen_communes_2021_derived.geojson"


def communes_frame(boxes: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"commune_code": list(boxes), "name": list(boxes), "kind": "xa"},
        geometry=[box(*b) for b in boxes.values()],
        crs=CRS,
    )


def roads_frame(rows: list[tuple[str, str, str, LineString]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "segment_id": [r[0] for r in rows],
            "road_class": [r[1] for r in rows],
            "surface": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=CRS,
    )


TWO = {"A": (0, 0, 300, 100), "B": (300, 0, 1000, 100)}


def test_segment_crossing_two_communes_splits_30_70():
    roads = roads_frame([("r1", "xa", "be_tong", LineString([(0, 50), (1000, 50)]))])
    pieces = split_by_commune(roads, communes_frame(TWO))
    by = pieces.set_index("commune_code")["length_m"]
    assert by["A"] == pytest.approx(300.0)
    assert by["B"] == pytest.approx(700.0)
    assert (pieces["segment_id"] == "r1").all()
    table = road_concretization(roads, communes_frame(TWO)).set_index(["commune_code", "road_class"])
    assert table.loc[("A", "xa"), "total_km"] == pytest.approx(0.3)
    assert table.loc[("B", "xa"), "concretized_km"] == pytest.approx(0.7)
    assert table.loc[("B", "xa"), "share"] == pytest.approx(1.0)


def test_segment_on_shared_border_counted_once():
    roads = roads_frame(
        [
            ("border", "xa", "dat", LineString([(300, 0), (300, 100)])),
            ("touching", "xa", "dat", LineString([(100, 50), (300, 50)])),
        ]
    )
    pieces = split_by_commune(roads, communes_frame(TWO))
    assert pieces["length_m"].sum() == pytest.approx(300.0)
    border = pieces[pieces["segment_id"] == "border"]
    # Lowest code takes the border (documented rule): counted once, in A.
    assert border["commune_code"].tolist() == ["A"]
    touching = pieces[pieces["segment_id"] == "touching"]
    assert touching["commune_code"].tolist() == ["A"]
    assert touching["length_m"].sum() == pytest.approx(200.0)


def test_overlapping_communes_do_not_double_count():
    overlapping = {"B": (250, 0, 1000, 100), "A": (0, 0, 300, 100)}  # 50 m overlap, unsorted input
    roads = roads_frame([("r1", "xa", "nhua", LineString([(0, 50), (1000, 50)]))])
    pieces = split_by_commune(roads, communes_frame(overlapping))
    by = pieces.set_index("commune_code")["length_m"]
    assert by["A"] == pytest.approx(300.0)
    assert by["B"] == pytest.approx(700.0)


def test_commune_without_roads_is_zero_km_and_not_assessed():
    communes = communes_frame({**TWO, "C": (0, 200, 100, 300)})
    roads = roads_frame([("r1", "xa", "nhua", LineString([(0, 50), (1000, 50)]))])
    table = road_concretization(roads, communes)
    c = table[table["commune_code"] == "C"]
    assert len(c) > 0 and (c["total_km"] == 0).all()
    assert c["share"].isna().all()
    assert (c["status"] == NOT_ASSESSED).all()
    # A class absent from a commune that has roads is not 0 % either.
    a_ngo = table[(table["commune_code"] == "A") & (table["road_class"] == "ngo_xom")]
    assert a_ngo["share"].isna().all()


def test_pieces_outside_every_commune_kept_and_reported():
    roads = roads_frame(
        [
            ("r1", "xa", "nhua", LineString([(500, 50), (1500, 50)])),
            ("far", "xa", "nhua", LineString([(5000, 50), (5100, 50)])),
        ]
    )
    pieces = split_by_commune(roads, communes_frame(TWO))
    assert pieces["length_m"].sum() == pytest.approx(1100.0)
    outside = pieces[pieces["commune_code"].isna()]
    assert outside["length_m"].sum() == pytest.approx(600.0)
    problems = split_problems(pieces, "roads")
    assert sorted(p.feature for p in problems) == ["far", "r1"]
    table = road_concretization(roads, communes_frame(TWO), pieces=pieces)
    assert table["total_km"].sum() == pytest.approx(0.5)


def test_millimetre_overshoots_at_the_edge_are_one_info_line_not_warnings():
    # A road ending on the district edge after rounding pokes out by millimetres: that is
    # coordinate precision, and must not bury real gaps under one warning per road.
    roads = roads_frame(
        [
            ("r1", "xa", "nhua", LineString([(500, 50), (1000.004, 50)])),
            ("r2", "xa", "nhua", LineString([(500, 60), (1000.003, 60)])),
            ("far", "xa", "nhua", LineString([(5000, 50), (5100, 50)])),
        ]
    )
    problems = split_problems(split_by_commune(roads, communes_frame(TWO)), "roads")
    warnings = [p for p in problems if p.severity == "warning"]
    infos = [p for p in problems if p.severity == "info"]
    assert [p.feature for p in warnings] == ["far"]
    assert len(infos) == 1 and infos[0].feature == "r1, r2" and "2 features" in infos[0].problem


def test_canals_of_other_managers_excluded():
    canals = gpd.GeoDataFrame(
        {
            "segment_id": ["c1", "c2", "c3"],
            "canal_level": "noi_dong",
            "lining": ["be_tong", "dat", "be_tong"],
            "managed_by": ["xa", "xa", "cong_ty"],
        },
        geometry=[
            LineString([(0, 10), (100, 10)]),
            LineString([(0, 20), (300, 20)]),
            LineString([(0, 30), (1000, 30)]),
        ],
        crs=CRS,
    )
    table = canal_lining(canals, communes_frame(TWO)).set_index("commune_code")
    assert table.loc["A", "total_km"] == pytest.approx(0.4)
    assert table.loc["A", "lined_km"] == pytest.approx(0.1)
    assert table.loc["A", "share"] == pytest.approx(0.25)
    assert math.isnan(table.loc["B", "share"])
    assert table.loc["B", "status"] == NOT_ASSESSED


def test_segments_to_upgrade_cost_and_totals():
    costs = load_unit_costs()
    assert costs["assumption"].all()
    roads = roads_frame(
        [
            ("r1", "xa", "dat", LineString([(0, 50), (1000, 50)])),
            ("r2", "xa", "nhua", LineString([(0, 60), (1000, 60)])),
        ]
    )
    layer = segments_to_upgrade(roads, communes_frame(TWO), costs)
    assert layer["segment_id"].tolist() == ["r1", "r1"]
    price = float(costs.set_index("road_class").loc["xa", "million_vnd_per_km"])
    assert layer["cost_million_vnd"].sum() == pytest.approx(1.0 * price)
    assert set(layer["target_surface"]) == {"be_tong"}
    totals = upgrade_totals(layer).set_index("commune_code")
    assert totals.loc["B", "length_km"] == pytest.approx(0.7)


def test_geographic_crs_refused():
    roads = roads_frame([("r1", "xa", "dat", LineString([(0, 0), (1, 1)]))])
    roads = roads.set_crs(4326, allow_override=True)
    communes = communes_frame(TWO).set_crs(4326, allow_override=True)
    with pytest.raises(ValueError, match="metric"):
        split_by_commune(roads, communes)


@st.composite
def tilings_and_segments(draw):
    """A random grid tiling (uneven column/row widths) and random segments over and beyond it."""
    xs = np.cumsum([0] + draw(st.lists(st.integers(50, 400), min_size=1, max_size=4)))
    ys = np.cumsum([0] + draw(st.lists(st.integers(50, 400), min_size=1, max_size=4)))
    boxes = {}
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            boxes[f"{i}{j}"] = (xs[i], ys[j], xs[i + 1], ys[j + 1])
    # Centimetre coordinates, as digitised data has: sub-1e-100 m spikes only test GEOS rounding.
    coordinate = st.integers(-10_000, int(max(xs[-1], ys[-1])) * 100 + 10_000).map(lambda v: v / 100)
    # Coordinates on the grid lines too, so segments run along borders.
    on_grid = st.sampled_from([float(v) for v in np.concatenate([xs, ys])])
    point = st.tuples(st.one_of(coordinate, on_grid), st.one_of(coordinate, on_grid))
    lines = draw(st.lists(st.lists(point, min_size=2, max_size=4, unique=True), min_size=1, max_size=12))
    surfaces = draw(
        st.lists(st.sampled_from(["nhua", "dat", "be_tong"]), min_size=len(lines), max_size=len(lines))
    )
    # A line doubling back over itself is a digitising error (GEOS dissolves the overlap when it
    # cuts); the contract is about ordinary lines, which may still cross themselves.
    geoms = [LineString(c) for c in lines]
    rows = [
        (f"r{k}", "xa", s, g)
        for k, (g, s) in enumerate(zip(geoms, surfaces, strict=True))
        if g.length > 0 and math.isclose(shapely.union_all([g]).length, g.length, rel_tol=1e-12)
    ]
    assume(rows)
    return communes_frame(boxes), roads_frame(rows)


@settings(max_examples=60, deadline=None)
@given(tilings_and_segments())
def test_property_commune_lengths_sum_to_clipped_total(case):
    communes, roads = case
    district = shapely.union_all(communes.geometry.to_numpy())
    clipped = float(shapely.length(shapely.intersection(roads.geometry.to_numpy(), district)).sum())
    pieces = split_by_commune(roads, communes)
    inside = pieces.loc[pieces["commune_code"].notna(), "length_m"].sum()
    assert inside == pytest.approx(clipped, rel=1e-9, abs=1e-6)
    assert pieces["length_m"].sum() == pytest.approx(roads.length.sum(), rel=1e-9, abs=1e-6)
    table = road_concretization(roads, communes, pieces=pieces)
    assert table["total_km"].sum() == pytest.approx(clipped / 1000, rel=1e-9, abs=1e-9)
    assert (table["concretized_km"] <= table["total_km"] + 1e-12).all()
    assessed = table["share"].notna()
    assert ((table.loc[assessed, "share"] >= 0) & (table.loc[assessed, "share"] <= 1 + 1e-12)).all()


def test_sample_district_km_add_up(sample_workspace):
    roads, communes = sample_workspace.layer("roads"), sample_workspace.layer("communes")
    pieces = split_by_commune(roads, communes)
    assert pieces["length_m"].sum() == pytest.approx(roads.length.sum(), rel=1e-9)
    table = road_concretization(roads, communes, pieces=pieces)
    assert set(table["commune_code"]) == set(communes["commune_code"])
    inside = pieces.loc[pieces["commune_code"].notna(), "length_m"].sum() / 1000
    assert table["total_km"].sum() == pytest.approx(inside, rel=1e-12)


@pytest.mark.skipif(not REAL_COMMUNES.exists(), reason="real commune polygons not present")
def test_real_commune_polygons_km_add_up(sample_workspace):
    real = (
        gpd.read_file(REAL_COMMUNES)
        .rename(columns={"gso_code": "commune_code", "name_vn": "name", "unit_type": "kind"})
        .to_crs(9214)
    )
    roads = sample_workspace.layer("roads")
    pieces = split_by_commune(roads, real)
    # Overlaps go to the lower code and gaps are kept outside: nothing lost, nothing twice.
    assert pieces["length_m"].sum() == pytest.approx(roads.length.sum(), rel=1e-9)
    table = road_concretization(roads, real, pieces=pieces)
    inside = pieces.loc[pieces["commune_code"].notna(), "length_m"].sum() / 1000
    assert table["total_km"].sum() == pytest.approx(inside, rel=1e-12)
    district = shapely.union_all(real.geometry.to_numpy())
    clipped = float(shapely.length(shapely.intersection(roads.geometry.to_numpy(), district)).sum())
    assert inside * 1000 == pytest.approx(clipped, rel=1e-6)


def test_threads_do_not_change_the_cut(monkeypatch, sample_workspace):
    # Chunks small enough that the sample is cut by three workers, each with its own prepared
    # polygons (shared prepared GEOS geometries crash across threads: libgeos/geos#825).
    from ntmgis.analysis import clip

    workspace = sample_workspace
    roads, communes = workspace.layer("roads"), workspace.layer("communes")
    alone = split_by_commune(roads, communes, workers=1)
    monkeypatch.setattr(clip, "_MIN_PAIRS_PER_WORKER", 10)
    threaded = split_by_commune(roads, communes, workers=3)
    assert threaded["segment_id"].tolist() == alone["segment_id"].tolist()
    assert threaded["commune_code"].tolist() == alone["commune_code"].tolist()
    assert threaded["length_m"].to_numpy() == pytest.approx(alone["length_m"].to_numpy(), rel=1e-12)
    with pytest.raises(ValueError, match="workers"):
        split_by_commune(roads, communes, workers=0)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_property_cut_matches_geos_overlay_on_skewed_communes(seed):
    # Float coordinates and skewed, non-convex-at-corners communes: the lines are cut by the
    # vectorised clipper, not by GEOS; every (segment, commune) length must equal GEOS's overlay.
    rng = np.random.default_rng(seed)
    n = 4
    gx, gy = np.meshgrid(np.arange(n + 1) * 500.0, np.arange(n + 1) * 500.0, indexing="ij")
    gx[1:-1, 1:-1] += rng.uniform(-150, 150, (n - 1, n - 1))
    gy[1:-1, 1:-1] += rng.uniform(-150, 150, (n - 1, n - 1))
    boxes = [
        shapely.Polygon(
            [
                (gx[i, j], gy[i, j]),
                (gx[i + 1, j], gy[i + 1, j]),
                (gx[i + 1, j + 1], gy[i + 1, j + 1]),
                (gx[i, j + 1], gy[i, j + 1]),
            ]
        )
        for i in range(n)
        for j in range(n)
    ]
    communes = gpd.GeoDataFrame(
        {"commune_code": [f"{k:02d}" for k in range(len(boxes))], "name": "x", "kind": "xa"},
        geometry=boxes,
        crs=CRS,
    )
    starts = rng.uniform(-200, 2200, (60, 2))
    lines = [
        LineString(np.cumsum(np.vstack([s, rng.uniform(-300, 300, (int(rng.integers(1, 5)), 2))]), axis=0))
        for s in starts
    ]
    roads = roads_frame([(f"r{k}", "xa", "nhua", g) for k, g in enumerate(lines)])
    pieces = split_by_commune(roads, communes)
    ours = pieces.dropna(subset=["commune_code"]).groupby(["segment_id", "commune_code"])["length_m"].sum()
    overlay = gpd.overlay(
        roads, communes[["commune_code", "geometry"]], how="intersection", keep_geom_type=True
    )
    theirs = overlay.assign(length_m=overlay.length).groupby(["segment_id", "commune_code"])["length_m"].sum()
    theirs = theirs[theirs > 1e-9]
    joined = pd.concat([ours.rename("ours"), theirs.rename("geos")], axis=1).fillna(0.0)
    assert np.allclose(joined["ours"], joined["geos"], rtol=1e-9, atol=1e-6)
    assert pieces["length_m"].sum() == pytest.approx(roads.length.sum(), rel=1e-9)


def test_one_reading_of_a_unit_cost_table():
    # The upgrade layer, scenarios and the optimiser read prices through upgrade_prices: the first
    # row of a class is its default target, and a pair given twice keeps its first price.
    from ntmgis.costs import upgrade_prices

    table = pd.DataFrame(
        {
            "road_class": ["xa", "xa", "xa"],
            "target_surface": ["be_tong", "nhua", "be_tong"],
            "million_vnd_per_km": [3000.0, 4000.0, 9999.0],
        }
    )
    targets, prices = upgrade_prices(table, "roads")
    assert targets == {"xa": "be_tong"}
    assert prices == {("xa", "be_tong"): 3000.0, ("xa", "nhua"): 4000.0}
    roads = roads_frame([("r1", "xa", "dat", LineString([(0, 50), (200, 50)]))])
    upgrade = segments_to_upgrade(roads, communes_frame(TWO), table)
    assert upgrade["cost_million_vnd"].sum() == pytest.approx(0.2 * 3000.0)

"""A district with no plan: the real neighbour communes of Tân Yên (22 communes in six districts,
``../shared/data/real``), with roads, canals and markets generated here, and no ``plan:`` key.

Everything that needs no plan works (validate, criteria, coverage, gaps, scenarios, the
optimiser, map and report) and the plan-only parts say there is no plan. Skips without the data.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import yaml

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.labels import text
from ntmgis.scenario import Concretize, Scenario, compare, optimise, run
from ntmgis.workspace import load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
NEIGHBOURS = REAL / "tan_yen_neighbour_communes_pre2020_who250k.geojson"
pytestmark = pytest.mark.skipif(not NEIGHBOURS.exists(), reason="shared/data/real not present")

ROAD_CLASSES = ["xa", "truc_thon", "lien_thon", "ngo_xom", "noi_dong"]
SURFACES = ["be_tong", "nhua", "cap_phoi", "dat"]


def _ways(rng: np.random.Generator, bounds: np.ndarray, n: int, step_m: float) -> list[shapely.LineString]:
    """Random walks of 2–20 vertices across the communes (OSM-like ways)."""
    x0, y0, x1, y1 = bounds
    ways = []
    for _ in range(n):
        count = int(rng.integers(2, 21))
        start = rng.uniform((x0, y0), (x1, y1))
        turns = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, 0.35, count - 1))
        steps = np.c_[np.cos(turns), np.sin(turns)] * rng.uniform(0.3, 1.0, (count - 1, 1)) * step_m
        ways.append(shapely.LineString(np.vstack([start, start + np.cumsum(steps, axis=0)])))
    return ways


def write_neighbours(
    root: Path, *, plan: str | None = None, status_year: int | None = None, **extra: object
) -> Path:
    """A workspace of the 22 real neighbour communes: roads, canals, markets; ``plan:`` only if given.

    The polygons are read by path; the commune layer written here adds the columns the contract
    needs (the WHO layer has numeric ids and no unit kind: all 22 are xã).
    """
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    real = gpd.read_file(NEIGHBOURS)
    communes = gpd.GeoDataFrame(
        {
            "ma_xa": real["commune_id"].astype(str),
            "ten_xa": real["commune_vn"],
            "loai": "xa",
            "dan_so": real["pop_attr"].astype("int64"),
        },
        geometry=real.geometry,
        crs=real.crs,
    )
    communes.to_file(root / "xa.geojson")
    bounds = communes.to_crs(9214).total_bounds
    gpd.GeoDataFrame(
        {
            "segment_id": [f"W{i:04d}" for i in range(600)],
            "road_class": rng.choice(ROAD_CLASSES, 600),
            "surface": rng.choice(SURFACES, 600),
        },
        geometry=_ways(rng, bounds, 600, 150.0),
        crs=9214,
    ).to_crs(4326).to_file(root / "duong.gpkg", layer="duong")
    gpd.GeoDataFrame(
        {
            "segment_id": [f"K{i:04d}" for i in range(150)],
            "canal_level": "cap_3",
            "lining": rng.choice(["be_tong", "dat"], 150),
            "managed_by": "xa",
        },
        geometry=_ways(rng, bounds, 150, 150.0),
        crs=9214,
    ).to_crs(4326).to_file(root / "kenh.gpkg", layer="kenh")
    centres = communes.to_crs(9214).representative_point().to_crs(4326)
    gpd.GeoDataFrame(
        {
            "market_id": [f"M{i:02d}" for i in range(6)],
            "name": [f"Chợ {n}" for n in communes["ten_xa"][:6]],
            "commune_code": communes["ma_xa"][:6].tolist(),
            "standard_met": [True, False] * 3,
        },
        geometry=centres[:6].to_numpy(),
        crs=4326,
    ).to_file(root / "cho.geojson")
    config: dict[str, object] = {
        "name": "Các xã giáp Tân Yên",
        "district": {"name": "giáp Tân Yên", "province": "Bắc Giang", "kind": "xa_set"},
        "working_crs": "EPSG:9214",
        "layers": {
            "communes": {
                "path": "xa.geojson",
                "columns": {
                    "commune_code": "ma_xa",
                    "name": "ten_xa",
                    "kind": "loai",
                    "population": "dan_so",
                },
            },
            "roads": {"path": "duong.gpkg", "layer": "duong"},
            "canals": {"path": "kenh.gpkg", "layer": "kenh"},
            "markets": {"path": "cho.geojson"},
        },
    }
    if plan is not None:
        config["plan"] = plan
    if status_year is not None:
        config["status_year"] = status_year
    config.update(extra)
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def no_plan_root(tmp_path_factory) -> Path:
    return write_neighbours(tmp_path_factory.mktemp("no_plan") / "huyen", status_year=2024)


@pytest.fixture(scope="module")
def no_plan(no_plan_root):
    workspace = load_workspace(no_plan_root)
    return workspace, assess(workspace)


def test_a_workspace_without_plan_key_has_no_plan(no_plan):
    workspace, _ = no_plan
    assert workspace.plan is None
    assert len(workspace.layer("communes")) == 22


def test_the_assessment_has_verdicts_and_empty_plan_fields(no_plan):
    _, a = no_plan
    assert not a.has_plan and a.provenance.plan is None
    assert a.year == 2024 and a.provenance.year_source == "status_year"
    assert a.milestones.empty and a.schedule.empty and a.progress.empty and a.sectors.empty
    # Criteria verdicts at every level, target NTM in the assessment year for every xã.
    assert set(a.levels["level"]) >= {"ntm", "nang_cao"}
    assert len(a.communes) == 22 and set(a.communes["target_level"]) == {"ntm"}
    assert set(a.communes["target_year"]) == {2024}
    assert a.communes["schedule_status"].isin(["achieved", "late", "not_assessed"]).all()
    assert a.indicators["met"].notna().any()  # measured road indicators have verdicts
    # Coverage and gap layers need no plan.
    assert len(a.coverage("roads")) and len(a.coverage("canals"))
    assert a.segments_to_upgrade is not None and len(a.segments_to_upgrade)
    assert a.canals_to_line is not None and len(a.canals_to_line)
    # The year used is said, as an info problem.
    said = [p for p in a.problems if p.layer == "plan"]
    assert len(said) == 1 and said[0].severity == "info" and "2024" in said[0].problem


def test_without_status_year_or_tables_the_year_is_today_and_a_warning(tmp_path):
    from datetime import date

    # Today may be past every commune set's validity: the set is named, the year is today's.
    a = assess(load_workspace(write_neighbours(tmp_path / "w", criteria_set="qd318_2022_xa")))
    assert a.year == date.today().year and a.provenance.year_source == "today"
    said = [p for p in a.problems if p.layer == "plan"]
    assert [p.severity for p in said] == ["warning"] and "today" in said[0].problem


def test_a_scenario_and_the_optimiser_run_without_a_plan(no_plan):
    workspace, baseline = no_plan
    late = baseline.coverage("roads").dropna(subset=["indicator"])
    code = str(late["commune_code"].iloc[0])
    works = Scenario("xa_dau", (Concretize(commune_code=code, road_class="truc_thon", year=2024),))
    scenario = run(workspace, works, baseline=baseline)
    best = optimise(workspace, baseline, budget=5_000, time_limit=20)
    comparison = compare(
        run(workspace, Scenario("baseline"), baseline=baseline),
        scenario,
        run(workspace, best.scenario, baseline=baseline),
    )
    assert scenario.assessment.provenance.plan is None
    assert len(comparison.costs) and comparison.targets.empty


def test_validate_map_and_report_say_there_is_no_plan(no_plan_root, tmp_path, open_map, capsys):
    assert main(["validate", str(no_plan_root), "--lang", "en"]) == 0
    assert "no plan" in capsys.readouterr().err
    page_path, book = tmp_path / "ban_do.html", tmp_path / "bao_cao.xlsx"
    assert main(["map", str(no_plan_root), "-o", str(page_path)]) == 0
    assert main(["report", str(no_plan_root), "-o", str(book)]) == 0
    assert main(["map", str(no_plan_root), "-o", str(tmp_path / "en.html"), "--lang", "en"]) == 0
    capsys.readouterr()
    page, requests, console_errors, page_errors = open_map(page_path)
    assert page_errors == [] and console_errors == [] and requests == []
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    summary = page.locator("#ntmgis-summary")
    assert summary.is_visible()
    assert text("common.no_plan", "vi") in summary.inner_text()
    import openpyxl

    workbook = openpyxl.load_workbook(book, read_only=True)
    cells = {
        sheet.title: [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        for sheet in workbook.worksheets
    }
    no_plan_words = text("common.no_plan", "vi")
    sheets_saying = [title for title, values in cells.items() if no_plan_words in values]
    assert len(sheets_saying) >= 3  # about, progress, sectors


def test_a_minimal_plan_runs_map_and_report(tmp_path):
    """A plan with only id, period and a nâng cao schedule (no targets, no budget, no villages)."""
    real = gpd.read_file(NEIGHBOURS)
    code, name = str(real["commune_id"][0]), str(real["commune_vn"][0])
    root = write_neighbours(tmp_path / "w", plan="ke_hoach.yaml", status_year=2024)
    plan = {
        "id": "x_2021_2025",
        "period": [2021, 2025],
        "communes": {"nang_cao_schedule": {"years": {2024: [{"code": code, "name": name}]}}},
    }
    (root / "ke_hoach.yaml").write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    workspace = load_workspace(root)
    assert workspace.plan is not None and workspace.plan.problems == ()
    assert main(["map", str(root), "-o", str(tmp_path / "map.html")]) == 0
    assert main(["report", str(root), "-o", str(tmp_path / "report.xlsx")]) == 0
    sectors = (tmp_path / "report_csv" / "sectors.csv").read_text(encoding="utf-8-sig")
    assert text("common.plan_no_targets", "vi") in sectors
    progress = (tmp_path / "report_csv" / "progress.csv").read_text(encoding="utf-8-sig")
    assert "2024,1,1," in progress  # the one commune planned for 2024

"""An office's own district, end to end, the way a district GIS officer hands it over.

The real 2021 commune polygons of Tân Yên (``../shared/data/real``, read by path, never copied) with
everything else in the office's shape: a roads **Shapefile** with Vietnamese column names and labels
("Đường thôn", "Bê tông") whose lines cross without shared vertices, plus one label no vocabulary
knows, mapped in ``values:``; village **points**; a markets **XLSX** with Vietnamese headers, lon/lat
columns and none of the optional columns; a **wide status XLSX** (one row per commune, one column per
criterion, "Đạt"/"Chưa đạt"). Validate must say at most a screenful of grouped problems; map and report
must exit 0; the map must draw the communes and the village points with no page error.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely
import yaml

from ntmgis.assessment import assess
from ntmgis.cli import main
from ntmgis.workspace import load_workspace

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
COMMUNES = REAL / "tan_yen_communes_2021_derived.geojson"
pytestmark = pytest.mark.skipif(not COMMUNES.exists(), reason="shared/data/real not present")

# Labels as offices write them (vocabulary aliases), and one only this office uses.
ROAD_LABELS = [
    "Đường thôn",
    "Đường trục thôn",
    "Đường liên thôn",
    "Đường ngõ xóm",
    "Đường nội đồng",
    "Đường làng",
]
SURFACE_LABELS = ["Bê tông", "Nhựa", "Cấp phối", "Đất", "Lát gạch"]


def _ways(rng: np.random.Generator, bounds: np.ndarray, n: int) -> list[shapely.LineString]:
    """Long straight-ish ways across the district: they cross each other without shared vertices."""
    x0, y0, x1, y1 = bounds
    starts = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    angles = rng.uniform(0, np.pi, n)
    lengths = rng.uniform(400, 2500, n)
    ends = starts + np.column_stack([np.cos(angles), np.sin(angles)]) * lengths[:, None]
    middles = (starts + ends) / 2 + rng.normal(0, 30, (n, 2))
    return [shapely.LineString([s, m, e]) for s, m, e in zip(starts, middles, ends, strict=True)]


def _xlsx(path: Path, sheet: str, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("office")
    rng = np.random.default_rng(11)
    real = gpd.read_file(COMMUNES)
    metric = real.to_crs(9214)
    n = 900
    roads = gpd.GeoDataFrame(
        {
            "MaDoan": [f"D{i:04d}" for i in range(n)],
            "LoaiDuong": rng.choice(ROAD_LABELS, n),
            "KetCau": rng.choice(SURFACE_LABELS, n),
        },
        geometry=_ways(rng, metric.total_bounds, n),
        crs=9214,
    )
    (root / "giao_thong").mkdir()
    roads.to_file(root / "giao_thong" / "duong.shp", encoding="utf-8")

    # Three village points per commune, inside it, with office headers.
    points = metric.geometry.sample_points(3, rng=rng).explode(index_parts=True)
    codes = real["gso_code"].to_numpy()[points.index.get_level_values(0)]
    villages = gpd.GeoDataFrame(
        {
            "Ma_thon": [f"T{i:03d}" for i in range(len(points))],
            "Ten_thon": [f"Thôn {i + 1}" for i in range(len(points))],
            "Ma_xa": codes,
            "Loai": "Thôn",
        },
        geometry=points.to_numpy(),
        crs=9214,
    ).to_crs(4326)
    villages.to_file(root / "thon.gpkg", layer="thon")

    # Markets: an XLSX with Vietnamese headers and lon/lat; no planned_upgrade_year, no kind.
    reps = metric.geometry.representative_point().to_crs(4326)
    _xlsx(
        root / "cho.xlsx",
        "Chợ",
        [["Mã chợ", "Tên chợ", "Mã xã", "Đạt chuẩn", "lon", "lat"]]
        + [
            [f"C{i:02d}", f"Chợ {real['name_short'][i]}", real["gso_code"][i], "Có" if i % 2 else "Không"]
            + [reps.iloc[i].x, reps.iloc[i].y]
            for i in range(0, 16, 2)
        ],
    )

    # The wide status sheet of the office: one row per commune by name, criteria as columns.
    criteria = [str(c) for c in range(1, 20)]
    status_rows = [["STT", "Tên xã", *(f"TC{c}" for c in criteria)]]
    for i, name in enumerate(real["name_short"]):
        status_rows.append([i + 1, name, *rng.choice(["Đạt", "Chưa đạt"], len(criteria), p=[0.8, 0.2])])
    _xlsx(root / "trang_thai.xlsx", "Xã", status_rows)

    config = {
        "name": "Huyện Tân Yên (văn phòng)",
        "district": {"name": "Tân Yên", "province": "Bắc Giang", "kind": "huyen"},
        "working_crs": "EPSG:9214",
        "plan": "package:tan_yen_2021_2025",
        "status_year": 2023,
        "values": {"roads": {"road_class": {"Đường làng": "truc_thon"}}},
        "layers": {
            "communes": {
                "path": str(COMMUNES),
                "columns": {"commune_code": "gso_code", "name": "name_short", "kind": "unit_type"},
            },
            "villages": {
                "path": "thon.gpkg",
                "layer": "thon",
                "columns": {
                    "village_id": "Ma_thon",
                    "name": "Ten_thon",
                    "commune_code": "Ma_xa",
                    "kind": "Loai",
                },
            },
            "roads": {
                "path": "giao_thong/duong.shp",
                "columns": {"segment_id": "MaDoan", "road_class": "LoaiDuong", "surface": "KetCau"},
            },
            "markets": {
                "path": "cho.xlsx",
                "columns": {
                    "market_id": "Mã chợ",
                    "name": "Tên chợ",
                    "commune_code": "Mã xã",
                    "standard_met": "Đạt chuẩn",
                },
            },
        },
        "tables": {"commune_status": {"path": "trang_thai.xlsx", "sheet": "Xã"}},
    }
    (root / "workspace.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return root


def test_validate_says_a_screenful_of_grouped_problems(office, capsys):
    code = main(["validate", str(office)])
    out = capsys.readouterr()
    text = out.out + out.err
    assert code in (0, 1), text
    assert "Traceback" not in text
    assert len(text.splitlines()) <= 45, text
    # Office labels are read and said once per label (with a count), never once per feature.
    for label in ("'Đường thôn'", "'Bê tông'", "'Đường làng'"):
        assert text.count(label) == 1, text
    # The road layer's cuts are said before any command computes reach on it.
    assert "không liên thông" in text


def test_office_labels_become_codes_and_the_office_mapping_is_used(office):
    workspace = load_workspace(office)
    roads = workspace.layer("roads")
    assert set(roads["road_class"]) <= {"truc_thon", "lien_thon", "ngo_xom", "noi_dong"}
    assert set(roads["surface"]) <= {"be_tong", "nhua", "cap_phoi", "dat", "gach"}
    source = gpd.read_file(office / "giao_thong" / "duong.shp")
    # "Đường làng" was mapped by the workspace to truc_thon: nothing lost on the way.
    assert (roads["road_class"] == "truc_thon").sum() == source["LoaiDuong"].isin(
        ["Đường thôn", "Đường trục thôn", "Đường làng"]
    ).sum()
    assert workspace.layer("villages").geometry.geom_type.eq("Point").all()
    markets = workspace.layer("markets")
    assert len(markets) == 8 and "planned_upgrade_year" not in gpd.read_file(office / "cho.xlsx").columns
    # The wide sheet became the long table: 22 communes × 19 criteria.
    status = workspace.table("commune_status")
    assert status["commune_code"].nunique() == 22 and status["criterion"].nunique() == 19


def test_the_assessment_warns_that_the_road_layer_is_not_connected(office):
    a = assess(load_workspace(office))
    pieces = a.reach_network_pieces()
    assert pieces is not None and pieces > 1
    assert any("không liên thông" in p.text("vi")[0] and p.severity == "warning" for p in a.problems)
    verdicts = a.communes
    assert len(verdicts) == 22
    # Roads are measured from the layer in every commune (towns too, though no criteria apply there).
    assert a.roads is not None and a.roads["commune_code"].nunique() == 22
    xa = a.indicators[a.indicators["method"] == "computed"]["unit_code"]
    assert xa.nunique() == 20  # the 20 xã; the 2 thị trấn are not assessed against xã criteria


def test_map_and_report_exit_0_and_the_map_draws_communes_and_village_points(office, tmp_path, open_map):
    page_path, book = tmp_path / "ban_do.html", tmp_path / "bao_cao.xlsx"
    assert main(["map", str(office), "-o", str(page_path)]) == 0
    assert main(["report", str(office), "-o", str(book)]) == 0
    sheets = pd.read_excel(book, sheet_name=None)
    assert len(sheets) > 3
    page, requests, console_errors, page_errors = open_map(page_path)
    assert page_errors == [] and console_errors == [] and requests == []
    assert page.evaluate("window.ntmgis.layers.communes.getLayers().length") == 22
    kinds = page.evaluate(
        "Object.values(window.ntmgis.layers.villages._layers).map((f) => f.getBounds ? 'area' : 'point')"
    )
    assert kinds == ["point"] * 66  # three village points in each of the 22 communes
    html = page_path.read_text(encoding="utf-8")
    assert "Xã Xã" not in html and "Dữ liệu minh họa" not in html

"""Validation against the layer contracts: every problem is collected, named and explained."""

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ntmgis.validate import check_tiling, validate_layer, validate_table
from ntmgis.values import parse_bool

X0, Y0 = 406_800.0, 2_363_000.0


def _line(dx=0.0):
    return shapely.LineString([(X0 + dx, Y0), (X0 + dx + 250, Y0 + 10)])


def _roads(**overrides):
    data = {
        "segment_id": ["R1", "R2", "R3"],
        "road_class": ["xa", "truc_thon", "ngo_xom"],
        "surface": ["be_tong", "nhua", "dat"],
    }
    data.update(overrides)
    geometry = data.pop("geometry", [_line(0), _line(300), _line(600)])
    return gpd.GeoDataFrame(data, geometry=geometry, crs="EPSG:9214")


def _square(x, y, size=1000.0):
    return shapely.box(x, y, x + size, y + size)


def _communes(geometries, codes=None):
    codes = codes or [f"0730{i}" for i in range(len(geometries))]
    return gpd.GeoDataFrame(
        {"commune_code": codes, "name": [f"Xã {c}" for c in codes], "kind": ["xa"] * len(codes)},
        geometry=geometries,
        crs="EPSG:9214",
    )


def test_good_layer_has_no_problems():
    result = validate_layer(_roads(), "roads", file="roads.gpkg")
    assert result.ok and result.problems == ()
    assert len(result.frame) == 3


def test_input_is_never_modified():
    roads = _roads(road_class=["Đường xã", "truc_thon", "ngo_xom"])
    before = roads.copy()
    validate_layer(roads, "roads")
    pd.testing.assert_frame_equal(pd.DataFrame(roads), pd.DataFrame(before))


def test_every_problem_is_collected_in_one_report():
    roads = _roads(
        segment_id=["R1", "R1", "R3", "R4", "R5"],
        road_class=["xa", "highway", "ngo_xom", "xa", "Đường xã"],
        surface=["be_tong", "nhua", "mud", "dat", "be_tong"],
        geometry=[_line(0), _line(300), None, shapely.Point(X0, Y0), _line(900)],
    )
    result = validate_layer(roads, "roads", file="roads.shp")
    text = "\n".join(map(str, result.problems))
    assert not result.ok
    # duplicate ids, with both feature numbers
    assert "duplicate id in features 1, 2" in text
    # unknown road class and surface: named, with the allowed values
    assert any("unknown road_class 'highway'" in p.problem and "ngo_xom" in p.action for p in result.problems)
    assert any("unknown surface 'mud'" in p.problem for p in result.problems)
    # missing geometry is listed and left out, not silently dropped
    assert any("empty or missing" in p.problem and "R3" in p.feature for p in result.problems)
    assert "R3" not in result.frame["segment_id"].tolist()
    # wrong geometry type
    assert any("geometry type Point" in p.problem for p in result.problems)
    # label instead of code: repaired and reported
    assert any("is a label" in p.problem for p in result.problems)
    assert result.frame.loc[result.frame["segment_id"] == "R5", "road_class"].item() == "xa"
    assert all(p.file == "roads.shp" for p in result.problems)


def test_invalid_polygon_is_repaired_and_reported():
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    communes = _communes([bowtie, _square(X0 + 500, Y0)])
    result = validate_layer(communes, "communes", file="xa.gpkg")
    assert result.ok
    [problem] = result.problems
    assert "invalid geometry (Self-intersection" in problem.problem
    assert problem.action == "repaired with make_valid"
    repaired = result.frame.geometry.iloc[0]
    assert repaired.is_valid and repaired.geom_type in ("Polygon", "MultiPolygon")
    assert repaired.area == pytest.approx(5000.0)


def test_missing_columns_are_named():
    result = validate_layer(_roads().drop(columns=["surface"]), "roads", file="roads.gpkg")
    [problem] = result.problems
    assert problem.severity == "error" and "['surface']" in problem.problem
    assert "segment_id" in problem.action  # lists what is there


def test_commune_codes_lost_zero_and_unknown_codes():
    markets = gpd.GeoDataFrame(
        {
            "market_id": ["M1", "M2"],
            "name": ["Chợ A", "Chợ B"],
            "commune_code": [7324, "09999"],
            "standard_met": ["Đạt", "maybe"],
        },
        geometry=[shapely.Point(X0, Y0), shapely.Point(X0 + 1, Y0)],
        crs="EPSG:9214",
    )
    result = validate_layer(markets, "markets", file="cho.csv", commune_codes=["07324"])
    text = "\n".join(map(str, result.problems))
    assert "lost its leading zero" in text and "'07324'" in text
    assert "'09999' matches no commune" in text
    assert "cannot read 'maybe' as yes/no" in text and "column 'standard_met'" in text
    assert result.frame["commune_code"].tolist() == ["07324", "09999"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Đạt", True),
        ("đạt", True),
        ("x", True),
        ("✓", True),
        (1, True),
        (True, True),
        ("Chưa đạt", False),
        ("chưa đạt", False),
        ("0", False),
        ("", None),
        (None, None),
    ],
)
def test_parse_bool_office_spellings(cell, expected):
    assert parse_bool(cell) is expected


def test_status_table_validation():
    table = pd.DataFrame(
        {
            "commune_code": ["07324", "7330"],
            "criterion": ["2", "3"],
            "met": ["Đạt", "?"],
            "year": ["2023", "năm"],
        }
    )
    result = validate_table(table, "commune_status", file="status.csv", commune_codes=["07324", "07330"])
    messages = [p.problem for p in result.problems]
    assert any("leading zero" in m for m in messages)
    assert any("'?'" in m for m in messages) and any("'năm' is not a number" in m for m in messages)
    assert not result.ok


def test_tiling_reports_overlaps_and_gaps():
    # three squares: 0 and 1 overlap by 100 m × 1000 m; a 200 m hole in the middle of a ring
    ring = _square(X0 + 3000, Y0).difference(shapely.box(X0 + 3400, Y0 + 400, X0 + 3600, Y0 + 600))
    filler = shapely.box(X0 + 3400, Y0 + 400, X0 + 3600, Y0 + 500)  # fills half the hole
    communes = _communes([_square(X0, Y0), _square(X0 + 900, Y0), ring, filler])
    problems = check_tiling(communes, file="xa.gpkg")
    overlaps = [p for p in problems if "overlap by" in p.problem]
    assert len(overlaps) == 1 and "10.00 ha" in overlaps[0].problem
    gaps = [p for p in problems if "sliver" in p.problem]
    assert len(gaps) == 1 and "2.00 ha" in gaps[0].problem
    assert all(p.severity == "warning" for p in problems)
    assert check_tiling(_communes([_square(X0, Y0), _square(X0 + 1000, Y0)])) == []


# --- office labels: aliases, one problem per value, vectorised -----------------------------------


@pytest.mark.parametrize(
    ("vocab_name", "written", "code"),
    [
        ("road_class", "Đường thôn", "truc_thon"),
        ("road_class", "ĐƯỜNG TRỤC THÔN", "truc_thon"),
        ("road_class", "duong lien thon", "lien_thon"),
        ("road_class", "Đường ngõ xóm", "ngo_xom"),
        ("road_class", "Đường ngõ, xóm", "ngo_xom"),
        ("road_class", "Đường nội đồng", "noi_dong"),
        ("road_class", "Đường trục chính nội đồng", "noi_dong"),
        ("road_class", "Đường xã", "xa"),
        ("road_class", "Đường liên xã", "xa"),
        ("road_class", "Đường huyện", "huyen"),
        ("road_class", "ĐH", "huyen"),
        ("road_class", "Đường tỉnh", "tinh"),
        ("road_class", "ĐT", "tinh"),
        ("road_class", "Quốc lộ", "quoc_lo"),
        ("road_class", "QL", "quoc_lo"),
        ("surface", "Bê tông", "be_tong"),
        ("surface", "BTXM", "be_tong"),
        ("surface", "Nhựa", "nhua"),
        ("surface", "Láng nhựa", "nhua"),
        ("surface", "Lát gạch", "gach"),
        ("surface", "Cấp phối", "cap_phoi"),
        ("surface", "Đá dăm", "cap_phoi"),
        ("surface", "Đất", "dat"),
        ("lining", "Kênh đất", "dat"),
        ("lining", "Bê tông", "be_tong"),
        ("lining", "Xây gạch", "gach"),
        ("lining", "Gạch xây", "gach"),
        ("lining", "Đá xây", "da"),
        ("manager", "HTX", "htx"),
        ("manager", "Hợp tác xã", "htx"),
        ("manager", "UBND xã", "xa"),
        ("manager", "Công ty TNHH MTV KTCTTL", "cong_ty"),
        ("facility_kind", "Nhà văn hóa", "culture_house"),
        ("facility_kind", "NVH thôn", "culture_house"),
        ("facility_kind", "Trường học", "school"),
        ("facility_kind", "Trạm y tế", "health_station"),
    ],
)
def test_office_labels_are_aliases_of_one_code(vocab_name, written, code):
    from ntmgis.vocab import spellings, vocab_key

    assert spellings(vocab_name)[vocab_key(written)][0] == code


def test_every_packaged_spelling_names_exactly_one_code():
    from ntmgis.vocab import spellings, vocabulary

    for name, entries in vocabulary().items():
        if isinstance(entries, dict):
            assert spellings(name)  # raises on a spelling that names two codes


def _office_roads(n_unknown=50, unknown="Đường làng"):
    labels = ["Đường thôn", "ĐƯỜNG TRỤC THÔN", "duong lien thon", "Đường ngõ, xóm", "Đường ngõ xóm"]
    classes = labels * 30 + [unknown] * n_unknown
    n = len(classes)
    return _roads(
        segment_id=[f"D{i:04d}" for i in range(n)],
        road_class=classes,
        surface=(["Bê tông", "BTXM", "be_tong", "Đất"] * n)[:n],
        managed_by=(["UBND xã", "HTX", "Tổ tự quản"] * n)[:n],
        geometry=[_line(10 * i) for i in range(n)],
    )


def test_unknown_value_is_one_problem_with_count_examples_and_values_hint():
    result = validate_layer(_office_roads(), "roads", file="duong.shp")
    [unknown] = [p for p in result.problems if "Đường làng" in p.problem]
    assert unknown.severity == "error"  # road_class is required: the layer waits for the mapping
    assert unknown.count == 50 and unknown.feature == "segment_id=D0150, D0151, D0152, …"
    assert 'values: {roads: {road_class: {"Đường làng": ' in unknown.action
    assert "closest: " in unknown.action and "ngo_xom" in unknown.action
    # an optional column's unknown value is a warning, kept as written
    [manager] = [p for p in result.problems if "Tổ tự quản" in p.problem]
    assert manager.severity == "warning" and manager.count == len(result.frame) // 3
    assert 'values: {roads: {managed_by: {"Tổ tự quản": ' in manager.action
    assert set(result.frame["managed_by"]) == {"xa", "htx", "Tổ tự quản"}


def test_labels_read_as_codes_are_one_info_per_label():
    result = validate_layer(_office_roads(n_unknown=0), "roads")
    infos = sorted((p.problem, p.count) for p in result.problems if p.severity == "info")
    assert infos == [
        ("managed_by 'HTX' is a label, not a code", 50),
        ("managed_by 'UBND xã' is a label, not a code", 50),
        ("road_class 'duong lien thon' is a label, not a code", 30),
        ("road_class 'ĐƯỜNG TRỤC THÔN' is a label, not a code", 30),
        ("road_class 'Đường ngõ, xóm' (also 'Đường ngõ xóm') is a label, not a code", 60),
        ("road_class 'Đường thôn' is a label, not a code", 30),
        ("surface 'BTXM' is a label, not a code", 38),
        ("surface 'Bê tông' is a label, not a code", 38),
        ("surface 'Đất' is a label, not a code", 37),
    ]
    assert set(result.frame["road_class"]) == {"truc_thon", "lien_thon", "ngo_xom"}


def test_workspace_values_map_the_rest():
    values = {"road_class": {"đường làng": "truc_thon"}, "managed_by": {"Tổ tự quản": "thon"}}
    result = validate_layer(_office_roads(), "roads", values=values)
    assert result.ok and not [p for p in result.problems if p.severity != "info"]
    assert (result.frame["road_class"] == "truc_thon").sum() == 60 + 50
    [mapped] = [p for p in result.problems if "Đường làng" in p.problem]
    assert mapped.count == 50 and mapped.action == "read as 'truc_thon' (workspace values:)"


def test_problems_are_per_value_not_per_feature_on_a_large_layer():
    n = 20_000
    roads = _roads(
        segment_id=[f"S{i}" for i in range(n)],
        road_class=(["xa", "Đường thôn", "cao_toc", "đường làng"] * n)[:n],
        surface=["dat"] * n,
        geometry=[_line(0)] * n,
    )
    result = validate_layer(roads, "roads")
    assert [(p.problem, p.count) for p in result.problems] == [
        ("road_class 'Đường thôn' is a label, not a code", 5000),
        ("unknown road_class 'cao_toc'", 5000),
        ("unknown road_class 'đường làng'", 5000),
    ]


def test_unknown_commune_codes_are_one_problem_per_code():
    facilities = gpd.GeoDataFrame(
        {
            "facility_id": [f"F{i}" for i in range(6)],
            "kind": "Nhà văn hóa",
            "name": "NVH",
            "commune_code": ["07324", "09999", "09999", "09999", "08888", None],
        },
        geometry=[shapely.Point(X0 + i, Y0) for i in range(6)],
        crs="EPSG:9214",
    )
    result = validate_layer(facilities, "facilities", commune_codes=["07324"])
    refs = [(p.problem, p.count, p.feature) for p in result.problems if "matches no commune" in p.problem]
    assert refs == [
        ("commune_code '09999' matches no commune of the workspace", 3, "facility_id=F1, F2, F3"),
        ("commune_code '08888' matches no commune of the workspace", 1, "facility_id=F4 (feature 5)"),
    ]
    assert set(result.frame["kind"]) == {"culture_house"}

"""Readers: every supported format on good files, and each kind of bad file."""

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from ntmgis.io import read_layer, read_table, write_layer_atomic, write_text_atomic
from ntmgis.problems import DataError

X0, Y0 = 406_800.0, 2_363_000.0  # inside Tân Yên, EPSG:9214


def _roads(crs="EPSG:9214"):
    return gpd.GeoDataFrame(
        {
            "segment_id": ["R1", "R2"],
            "road_class": ["xa", "ngo_xom"],
            "surface": ["be_tong", "dat"],
            "name": ["Đường Phúc Hòa", "Ngõ Đồng Lim"],
        },
        geometry=[
            shapely.LineString([(X0, Y0), (X0 + 300, Y0)]),
            shapely.LineString([(X0 + 300, Y0), (X0 + 300, Y0 + 200)]),
        ],
        crs=crs,
    )


@pytest.mark.parametrize("suffix", [".gpkg", ".shp", ".geojson", ".parquet", ".tab"])
def test_each_vector_format_reads_back(tmp_path, suffix):
    path = tmp_path / f"roads{suffix}"
    if suffix == ".parquet":
        _roads().to_parquet(path)
    elif suffix == ".tab":
        _roads().to_file(path, driver="MapInfo File")
    else:
        _roads().to_file(path)
    read = read_layer(path, name="roads")
    frame = read.frame
    assert frame.crs.to_epsg() == 9214
    assert frame["name"].tolist() == ["Đường Phúc Hòa", "Ngõ Đồng Lim"]
    # MapInfo stores coordinates on a quantised grid: a few cm of rounding.
    assert frame.length.tolist() == pytest.approx([300.0, 200.0], abs=0.05)
    assert not [p for p in read.problems if p.severity == "error"]


def test_mapinfo_tab_loses_vn2000_datum_and_it_is_repaired(tmp_path):
    # GDAL writes VN-2000 / TM-3 into MapInfo with a WGS 84 datum: the ~224 m trap.
    path = tmp_path / "roads.tab"
    _roads().to_file(path, driver="MapInfo File")
    read = read_layer(path, name="roads")
    assert any("datum shift" in p.problem for p in read.problems)
    assert read.frame.crs.to_epsg() == 9214


def test_shapefile_without_cpg_utf8_is_recovered(tmp_path):
    path = tmp_path / "roads.shp"
    _roads().to_file(path, encoding="utf-8")
    path.with_suffix(".cpg").unlink()
    read = read_layer(path, name="roads")
    assert read.frame["name"].tolist() == ["Đường Phúc Hòa", "Ngõ Đồng Lim"]
    assert any("UTF-8" in p.problem for p in read.problems)


@pytest.mark.parametrize("with_cpg", [True, False])
def test_shapefile_tcvn3_attributes_are_converted_and_reported(tmp_path, with_cpg):
    # TCVN3 bytes as a cp1252 reader shows them (DOMAIN.md §3): Tân Yên, Bắc Giang.
    frame = _roads()
    frame["name"] = ["T©n Yªn", "B¾c Giang"]
    path = tmp_path / "roads.shp"
    frame.to_file(path, encoding="cp1252")
    if not with_cpg:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    read = read_layer(path, name="roads", id_column="segment_id")
    assert read.frame["name"].tolist() == ["Tân Yên", "Bắc Giang"]
    converted = [p for p in read.problems if "TCVN3" in p.action or "TCVN3" in p.problem]
    assert len(converted) == 2
    assert {p.feature for p in converted} >= {"R1", "R2"} or all("R" in p.feature for p in converted)


def test_shapefile_vni_attributes_are_converted(tmp_path):
    frame = _roads()
    frame["name"] = ["Taân Yeân", "ñöôøng"]
    path = tmp_path / "roads.shp"
    frame.to_file(path, encoding="cp1252")
    read = read_layer(path, name="roads")
    assert read.frame["name"].tolist() == ["Tân Yên", "đường"]


def test_csv_points_lonlat_and_wkt(tmp_path):
    lonlat = tmp_path / "markets.csv"
    lonlat.write_text(
        "market_id,name,lon,lat\nM1,Chợ Cao Thượng,106.20,21.37\nM2,Chợ Nhã Nam,,\n", encoding="utf-8"
    )
    read = read_layer(lonlat, name="markets")
    assert read.frame.crs.to_epsg() == 4326
    assert read.frame.geometry.iloc[0].x == pytest.approx(106.20)
    assert read.frame.geometry.iloc[1] is None
    assert any(p.feature == "row 3" and "empty" in p.problem for p in read.problems)
    wkt = tmp_path / "markets_wkt.csv"
    wkt.write_text(f'market_id,wkt\nM1,"POINT ({X0} {Y0})"\nM2,"POINT (oops"\n', encoding="utf-8")
    read = read_layer(wkt, name="markets", crs="EPSG:9214")
    assert read.frame.crs.to_epsg() == 9214
    assert any(p.feature == "row 3" and "WKT" in p.problem for p in read.problems)


def test_xlsx_points(tmp_path):
    path = tmp_path / "markets.xlsx"
    pd.DataFrame({"market_id": ["M1"], "x": [X0], "y": [Y0]}).to_excel(path, index=False)
    read = read_layer(path, name="markets", crs="EPSG:9214")
    assert read.frame.geometry.iloc[0].equals(shapely.Point(X0, Y0))


def test_csv_xy_without_crs_is_refused(tmp_path):
    path = tmp_path / "markets.csv"
    path.write_text(f"market_id,x,y\nM1,{X0},{Y0}\n", encoding="utf-8")
    read = read_layer(path, name="markets")
    assert [p.severity for p in read.problems] == ["error"]
    assert "no CRS" in read.problems[0].problem


def test_tables_csv_bom_cp1258_and_xlsx(tmp_path):
    bom = tmp_path / "status.csv"
    bom.write_bytes("\ufeffcommune_code,criterion,met\n07324,2,Đạt\n".encode())
    frame = read_table(bom).frame
    assert list(frame.columns) == ["commune_code", "criterion", "met"]
    assert frame.iloc[0].tolist() == ["07324", "2", "Đạt"]  # codes stay text: no lost zero
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("name\nTân Yên\n".encode("cp1258"))
    read = read_table(legacy)
    assert read.frame["name"].iloc[0] == "Tân Yên"
    assert any("not UTF-8" in p.problem for p in read.problems)
    xlsx = tmp_path / "status.xlsx"
    pd.DataFrame({"commune_code": ["07324"], "met": ["x"]}).to_excel(xlsx, index=False, sheet_name="2023")
    assert read_table(xlsx, sheet="2023").frame.iloc[0].tolist() == ["07324", "x"]
    with pytest.raises(DataError, match="sheet"):
        read_table(xlsx, sheet="2099")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.gpkg", None, "file not found"),
        ("roads.dwg", b"AC1015", "unsupported file type .dwg"),
        ("roads.gpkg", b"this is not a geopackage", "cannot read the file"),
        ("roads.geojson", b'{"type": "FeatureCollection", "features": [', "cannot read the file"),
        ("roads.csv", b"a,b\n1,2\n", "table has no geometry"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_layer(path, name="roads")
    problem = info.value.problems[0]
    assert problem.file == str(path) and problem.action and problem.severity == "error"


def test_geopackage_with_several_layers_needs_a_layer_name(tmp_path):
    path = tmp_path / "all.gpkg"
    pyogrio.write_dataframe(_roads(), path, layer="roads")
    pyogrio.write_dataframe(_roads(), path, layer="canals", append=False)
    with pytest.raises(DataError, match="several layers"):
        read_layer(path, name="roads")
    assert len(read_layer(path, layer="canals").frame) == 2


def test_atomic_writes_replace_whole_files(tmp_path):
    target = tmp_path / "out" / "a.txt"
    write_text_atomic(target, "một")
    write_text_atomic(target, "hai")
    assert target.read_text(encoding="utf-8") == "hai"
    layer = write_layer_atomic(_roads(), tmp_path / "roads.gpkg")
    assert len(gpd.read_file(layer)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "roads.gpkg"]  # no temp files left


def test_read_yaml_reports_instead_of_raising(tmp_path):
    from ntmgis.io import read_yaml

    good = tmp_path / "good.yaml"
    good.write_text("a: [1, 2]\n", encoding="utf-8")
    assert read_yaml(good, layer="scenario") == ({"a": [1, 2]}, ())
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", encoding="utf-8")
    data, problems = read_yaml(bad, layer="scenario", label="bad.yaml")
    assert data is None and problems[0].problem.startswith("not valid YAML")
    assert (problems[0].file, problems[0].layer, problems[0].severity) == ("bad.yaml", "scenario", "error")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("tên: Hợp Đức".encode("utf-16"))
    assert read_yaml(latin, layer="scenario")[1][0].problem == "not UTF-8 text"
    assert read_yaml(tmp_path / "none.yaml", layer="scenario")[1][0].problem == "file not found"

"""Generate the hostile-input corpus (issue 15 part 6): small workspaces with one defect each.

Nothing is downloaded: every case is built from the hand-made grid workspace of
``tests/workspace_builders.py`` (17 square communes in EPSG:9214, one road each) and then damaged
in one way. ``tests/test_corpus.py`` builds the corpus into a temporary folder at the start of the
session, so no generated (binary) file is committed; to look at the cases::

    python tools/make_corpus.py /tmp/corpus          # one folder per case, workspace.yaml inside
    python tools/make_corpus.py /tmp/corpus --list   # the cases and what each expects

A :class:`Case` says how to build it and what the commands must do: the exit code, a substring the
messages must hold (naming the file or layer and the defect), and which layer's features are counted
(features in the file = features kept + features reported as dropped).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import openpyxl
import shapely
import yaml
from pyproj import CRS

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from workspace_builders import PLAN_CODES, X0, Y0, grid_communes, roads_for, write_workspace  # noqa: E402

SCRIPT = '<img src=x onerror=alert(1)>"><script>alert(2)</script>'
NO_SHIFT = "+proj=tmerc +lat_0=0 +lon_0=107 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m +no_defs"
WRONG_SIGNS = NO_SHIFT.replace(
    "+units",
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,-0.00928836,0.01975479,-0.00427372,0.252906278 +units",
)
STATUS_HEADER = "commune_code,criterion,met,year\n"


@dataclass(frozen=True)
class Case:
    """One corpus case: a workspace with one defect and what every command must do with it.

    ``exit`` is the exit code of every command unless ``exits`` names another for one
    (``{"map": 2}``); ``says`` must appear in the messages of the first command (validate);
    ``counted`` is ``(layer, file, features dropped)`` when the case can lose features.
    """

    name: str
    build: Callable[[Path], Path]
    exit: int
    says: str
    commands: tuple[str, ...] = ("validate", "map", "report")
    exits: dict[str, int] = field(default_factory=dict)
    counted: tuple[str, str, int] | None = None


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _config(yaml_path: Path) -> dict:
    return yaml.safe_load(yaml_path.read_text(encoding="utf-8"))


def _save(yaml_path: Path, config: dict) -> Path:
    yaml_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return yaml_path


def _relayer(yaml_path: Path, name: str, entry: dict, *, drop: str | None = None) -> Path:
    """Point layer ``name`` at ``entry`` (and delete the file ``drop`` of the base workspace)."""
    config = _config(yaml_path)
    config["layers"][name] = entry
    if drop:
        (yaml_path.parent / drop).unlink()
    return _save(yaml_path, config)


def _base(root: Path, **more: object) -> Path:
    return write_workspace(root, extra={"plan": None, **more})


def _with_status(root: Path, rows: str, *, name: str = "commune_status.csv", encoding: str = "utf-8") -> Path:
    yaml_path = _base(root)
    (root / name).write_bytes(rows.encode(encoding))
    config = _config(yaml_path)
    config["tables"] = {"commune_status": {"path": name}}
    return _save(yaml_path, config)


def _roads_file(root: Path, roads: gpd.GeoDataFrame, file: str, **to_file: object) -> Path:
    """The base workspace with its roads in ``file`` (a shapefile, say) instead of roads.gpkg."""
    yaml_path = _base(root)
    roads.to_file(root / file, **to_file)
    entry: dict[str, object] = {"path": file}
    return _relayer(yaml_path, "roads", entry, drop="roads.gpkg")


def _markets_csv(root: Path, body: str, **entry: object) -> Path:
    yaml_path = _base(root)
    (root / "markets.csv").write_text("market_id,name,commune_code,standard_met," + body, encoding="utf-8")
    return _relayer(yaml_path, "markets", {"path": "markets.csv", **entry})


def _roads() -> gpd.GeoDataFrame:
    return roads_for(grid_communes())


# --------------------------------------------------------------------------------------------
# Encodings and CRS
# --------------------------------------------------------------------------------------------


def tcvn3_dbf_without_cpg(root: Path) -> Path:
    """Case: TCVN3 .dbf without .cpg."""
    roads = _roads()
    roads["name"] = ["T©n Yªn", "B¾c Giang"] * 8 + ["T©n Yªn"]
    yaml_path = _roads_file(root, roads, "roads.shp", encoding="cp1252")
    (root / "roads.cpg").unlink(missing_ok=True)
    return yaml_path


def vni_dbf_without_cpg(root: Path) -> Path:
    """Case: VNI .dbf without .cpg."""
    roads = _roads()
    roads["name"] = ["Taân Yeân", "ñöôøng"] * 8 + ["ñöôøng"]
    yaml_path = _roads_file(root, roads, "roads.shp", encoding="cp1252")
    (root / "roads.cpg").unlink(missing_ok=True)
    return yaml_path


def _prj_case(root: Path, proj: str) -> Path:
    """Roads in a shapefile whose ``.prj`` is ``proj`` as WKT1 (a GeoPackage would store EPSG:9214)."""
    yaml_path = _roads_file(root, _roads(), "roads.shp")
    (root / "roads.prj").write_text(CRS(proj).to_wkt("WKT1_GDAL"), encoding="ascii")
    return yaml_path


def vn2000_without_datum_shift(root: Path) -> Path:
    """Case: VN-2000 without datum shift."""
    return _prj_case(root, NO_SHIFT)


def vn2000_wrong_sign(root: Path) -> Path:
    """Case: VN-2000 wrong sign."""
    return _prj_case(root, WRONG_SIGNS)


def shapefile_without_crs(root: Path) -> Path:
    """Case: shapefile without crs."""
    yaml_path = _roads_file(root, _roads(), "roads.shp")
    (root / "roads.prj").unlink()
    return yaml_path


def swapped_lat_lon(root: Path) -> Path:
    """Case: swapped lat lon."""
    body = "lat,lon\nM1,Chợ A,07330,true,106.20,21.37\nM2,Chợ B,07324,true,106.21,21.38\n"
    return _markets_csv(root, body)


# --------------------------------------------------------------------------------------------
# Broken files
# --------------------------------------------------------------------------------------------


def zero_byte_gpkg(root: Path) -> Path:
    """Case: zero byte GeoPackage."""
    yaml_path = _base(root)
    (root / "roads.gpkg").write_bytes(b"")
    return yaml_path


def truncated_gpkg(root: Path) -> Path:
    """Case: truncated GeoPackage."""
    yaml_path = _base(root)
    data = (root / "roads.gpkg").read_bytes()
    (root / "roads.gpkg").write_bytes(data[: len(data) // 3])
    return yaml_path


def shapefile_without_dbf(root: Path) -> Path:
    """Case: shapefile without .dbf."""
    yaml_path = _roads_file(root, _roads(), "roads.shp")
    (root / "roads.dbf").unlink()
    return yaml_path


def shapefile_without_shx(root: Path) -> Path:
    """Case: shapefile without shx."""
    yaml_path = _roads_file(root, _roads(), "roads.shp")
    (root / "roads.shx").unlink()
    return yaml_path


def truncated_shp(root: Path) -> Path:
    """Case: truncated .shp."""
    yaml_path = _roads_file(root, _roads(), "roads.shp")
    data = (root / "roads.shp").read_bytes()
    (root / "roads.shp").write_bytes(data[: len(data) // 2])
    return yaml_path


# --------------------------------------------------------------------------------------------
# Geometry and attributes
# --------------------------------------------------------------------------------------------


def mixed_geometry_types(root: Path) -> Path:
    """Case: mixed geometry types."""
    roads = _roads()
    roads.loc[0, "geometry"] = shapely.Point(X0 + 10, Y0 + 10)
    roads.loc[1, "geometry"] = shapely.box(X0 + 20, Y0 + 20, X0 + 30, Y0 + 30)
    return _roads_file(root, roads, "roads_mixed.gpkg")


def invalid_commune(root: Path) -> Path:
    """Case: invalid commune."""
    communes = grid_communes()
    x, y = communes.geometry.iloc[0].bounds[:2]
    communes.loc[0, "geometry"] = shapely.Polygon(
        [(x, y), (x + 2000, y + 2000), (x + 2000, y), (x, y + 2000)]
    )
    return write_workspace(root, communes=communes, roads=roads_for(grid_communes()), extra={"plan": None})


def empty_geometries(root: Path) -> Path:
    """Case: empty geometries."""
    roads = _roads()
    roads.loc[0, "geometry"] = shapely.LineString()
    roads.loc[1, "geometry"] = None
    return _roads_file(root, roads, "roads_empty.gpkg")


def duplicate_ids(root: Path) -> Path:
    """Case: duplicate ids."""
    roads = _roads()
    roads.loc[1, "segment_id"] = roads.loc[0, "segment_id"]
    return _roads_file(root, roads, "roads_dup.gpkg")


def codes_lost_zeros(root: Path) -> Path:
    """Case: codes lost zeros."""
    communes = grid_communes()
    communes["commune_code"] = communes["commune_code"].astype(int)
    rows = "".join(f"{int(code)},{c},true,2023\n" for code in PLAN_CODES for c in ("1", "2"))
    yaml_path = write_workspace(root, communes=communes, extra={"plan": None})
    (root / "commune_status.csv").write_text(STATUS_HEADER + rows, encoding="utf-8")
    config = _config(yaml_path)
    config["tables"] = {"commune_status": {"path": "commune_status.csv"}}
    return _save(yaml_path, config)


def nan_coordinates(root: Path) -> Path:
    """Case: nan coordinates."""
    body = "x,y\nM1,Chợ A,07330,true,400500,2358500\nM2,Chợ B,07324,true,nan,NaN\nM3,Chợ C,07318,true,inf,1\n"
    return _markets_csv(root, body, crs="EPSG:9214")


def control_characters(root: Path) -> Path:
    """Case: control characters."""
    names = dict(PLAN_CODES)
    names["07330"] = "Hợp\x07Đức\x1b[31m"
    return write_workspace(root, communes=grid_communes(names), extra={"plan": None})


def script_names(root: Path) -> Path:
    """Case: script names."""
    names = {code: f"{name} {SCRIPT}" for code, name in PLAN_CODES.items()}
    roads = roads_for(grid_communes())
    roads["name"] = SCRIPT
    return write_workspace(
        root, communes=grid_communes(names), roads=roads, extra={"plan": None, "district": {"name": SCRIPT}}
    )


# --------------------------------------------------------------------------------------------
# Tables: XLSX and CSV encodings
# --------------------------------------------------------------------------------------------


def _wide_status_book(path: Path, *, cache: bool) -> None:
    """A wide office sheet: a merged title row, a header row, formulas (with or without cache)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "2023"
    sheet["A1"] = "BIỂU TỔNG HỢP KẾT QUẢ THỰC HIỆN TIÊU CHÍ NTM"
    sheet.merge_cells("A1:D1")
    sheet.append(["Mã xã", "Tên xã", "1", "2"])
    for i, (code, name) in enumerate(sorted(PLAN_CODES.items()), start=3):
        sheet.append([code, name, "Đạt", '=IF(1=1,"Đạt","")' if i == 3 else "Chưa đạt"])
    sheet.merge_cells("B4:B5")  # a merged name cell: the second row reads blank
    book.save(path)
    if cache:  # openpyxl writes no cached value: put one in, as Excel would
        _add_cached_value(path, "D3", "Đạt")


def _add_cached_value(path: Path, cell: str, value: str) -> None:
    with zipfile.ZipFile(path) as source:
        items = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    text = items[sheet].decode("utf-8")
    start = text.index(f'<c r="{cell}"')
    end = text.index("</c>", start)
    fragment = text[start:end]
    patched = fragment.replace("<v></v>", "").replace("<v />", "").replace("<v/>", "")
    patched = patched.replace(f'<c r="{cell}"', f'<c r="{cell}" t="str"', 1) + f"<v>{value}</v>"
    items[sheet] = (text[:start] + patched + text[end:]).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in items.items():
            target.writestr(name, data)


def xlsx_merged_with_formulas(root: Path) -> Path:
    """Case: xlsx merged with formulas."""
    yaml_path = _base(root)
    _wide_status_book(root / "status.xlsx", cache=True)
    config = _config(yaml_path)
    config["tables"] = {"commune_status": {"path": "status.xlsx", "year": 2023}}
    return _save(yaml_path, config)


def xlsx_formula_without_cache(root: Path) -> Path:
    """Case: xlsx formula without cache."""
    yaml_path = _base(root)
    _wide_status_book(root / "status.xlsx", cache=False)
    config = _config(yaml_path)
    config["tables"] = {"commune_status": {"path": "status.xlsx", "year": 2023}}
    return _save(yaml_path, config)


def _status_rows() -> str:
    return "".join(f"{code},{c},Đạt,2023\n" for code in PLAN_CODES for c in ("1", "2"))


def cp1258_csv(root: Path) -> Path:
    """Case: cp1258 csv."""
    text = "Mã xã,Tiêu chí,Đạt,Năm\n" + _status_rows()
    return _with_status(root, "".join(_cp1258_char(c) for c in text), encoding="cp1258")


def _cp1258_char(char: str) -> str:
    """A letter as Windows-1258 holds it: â, ơ, đ… precomposed, the tone as a combining mark."""
    try:
        char.encode("cp1258")
        return char
    except UnicodeEncodeError:
        marks = unicodedata.normalize("NFD", char)
        return unicodedata.normalize("NFC", marks[:-1]) + marks[-1]


def bom_csv(root: Path) -> Path:
    """Case: bom csv."""
    return _with_status(root, STATUS_HEADER + _status_rows().replace("Đạt", "true"), encoding="utf-8-sig")


# --------------------------------------------------------------------------------------------
# YAML
# --------------------------------------------------------------------------------------------


def yaml_bomb(root: Path) -> Path:
    """Case: yaml bomb."""
    yaml_path = _base(root)
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    text = yaml_path.read_text(encoding="utf-8") + "\n".join(lines) + "\nname: *a9\n"
    yaml_path.write_text(text.replace("name: test district\n", "", 1), encoding="utf-8")
    return yaml_path


def misspelt_nested_keys(root: Path) -> Path:
    """Case: keys misspelt two and three levels down (a contract column, a network setting)."""
    yaml_path = _base(root, network={"node": False, "snapm": 2})
    config = _config(yaml_path)
    config["layers"]["roads"] = {"path": "roads.gpkg", "columns": {"surfac": "surface"}}
    return _save(yaml_path, config)


def wrong_type_deep(root: Path) -> Path:
    """Case: a wrong type three levels down (a criteria override that is text)."""
    return _base(root, criteria_overrides={"qd318_2022_xa": {"2.2": {"ntm": "tám mươi"}}})


def yaml_python_tag(root: Path) -> Path:
    """Case: yaml python tag."""
    yaml_path = _base(root)
    text = yaml_path.read_text(encoding="utf-8").replace(
        "name: test district", "name: !!python/object/apply:os.system ['echo pwned > pwned.txt']", 1
    )
    yaml_path.write_text(text, encoding="utf-8")
    return yaml_path


#: Every top-level key of workspace.yaml the tool reads, for the wrong-type cases.
WORKSPACE_KEYS = (
    "name",
    "district",
    "region",
    "working_crs",
    "criteria_set",
    "status_year",
    "plan",
    "layers",
    "tables",
    "criteria_overrides",
    "values",
    "network",
    "unit_costs",
    "market_radius_m",
    "sample",
    "sample_note",
    "provenance",
)
WRONG_VALUES = {"list": [1, "x"], "mapping": {"a": {"b": 1}}, "number": 7.5, "bool": True}


def wrong_type(key: str, value: object) -> Callable[[Path], Path]:
    """A builder: the base workspace with ``key: value`` (a wrong type)."""

    def build(root: Path) -> Path:
        yaml_path = _base(root)
        config = _config(yaml_path)
        config[key] = value
        return _save(yaml_path, config)

    return build


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


def _wrong_type_case(key: str, kind: str, value: object) -> Case:
    """Exit 2 naming the key; an unknown table or key in a mapping is a warning naming it ('a')."""
    if kind == "mapping" and key in ("tables", "district", "sample_note", "provenance"):
        return Case(
            f"wrong_type_{key}_{kind}", wrong_type(key, value), 0, "unknown", commands=("validate", "map")
        )
    # The layout of workspace.yaml (ntmgis/schemas/workspace.yaml) names the key of every wrong type.
    return Case(f"wrong_type_{key}_{kind}", wrong_type(key, value), 2, key, commands=("validate", "map"))


#: Wrong values that are right for a key (a number for market_radius_m, a flag for sample).
_RIGHT_TYPES = {("market_radius_m", "number"), ("sample", "bool")}

CASES: tuple[Case, ...] = (
    Case("tcvn3_dbf_without_cpg", tcvn3_dbf_without_cpg, 0, "TCVN3"),
    Case("vni_dbf_without_cpg", vni_dbf_without_cpg, 0, "VNI"),
    Case("vn2000_without_datum_shift", vn2000_without_datum_shift, 0, "no VN-2000 datum shift"),
    # GDAL reads a .prj's TOWGS84 as ESRI does (coordinate frame): the signs come out right, and the
    # layer is used as it is (equivalent to EPSG:9214 within the tolerance); nothing to report.
    Case("vn2000_wrong_sign", vn2000_wrong_sign, 0, "roads.shp"),
    Case("shapefile_without_crs", shapefile_without_crs, 2, "no CRS"),
    Case("swapped_lat_lon", swapped_lat_lon, 2, "markets"),
    Case("zero_byte_gpkg", zero_byte_gpkg, 2, "roads.gpkg"),
    Case("truncated_gpkg", truncated_gpkg, 2, "roads.gpkg"),
    Case("shapefile_without_dbf", shapefile_without_dbf, 2, ".dbf"),
    Case("shapefile_without_shx", shapefile_without_shx, 2, ".shx"),
    Case("truncated_shp", truncated_shp, 0, "left out", counted=("roads", "roads.shp", 10)),
    Case("mixed_geometry_types", mixed_geometry_types, 2, "geometry type Point"),
    Case("invalid_commune", invalid_commune, 0, "communes", counted=("communes", "communes.gpkg", 0)),
    Case("empty_geometries", empty_geometries, 0, "left out", counted=("roads", "roads_empty.gpkg", 2)),
    Case("duplicate_ids", duplicate_ids, 2, "duplicate id"),
    Case("codes_lost_zeros", codes_lost_zeros, 0, "07330"),
    Case("nan_coordinates", nan_coordinates, 0, "row 3", counted=("markets", "markets.csv", 2)),
    Case("control_characters", control_characters, 0, "control characters"),
    Case("script_names", script_names, 0, "", commands=("validate", "map", "report", "scenario")),
    Case("xlsx_merged_with_formulas", xlsx_merged_with_formulas, 0, "status.xlsx"),
    Case("xlsx_formula_without_cache", xlsx_formula_without_cache, 0, "D3"),
    Case("cp1258_csv", cp1258_csv, 0, "not UTF-8"),
    Case("bom_csv", bom_csv, 0, ""),
    Case("yaml_bomb", yaml_bomb, 2, "alias"),
    Case("yaml_python_tag", yaml_python_tag, 2, "python/object"),
    # the misspelt column renames `surface` away (exit 2): the warning names the key meant
    Case("misspelt_nested_keys", misspelt_nested_keys, 2, "layers.roads.columns.surfac"),
    Case("wrong_type_deep", wrong_type_deep, 2, "criteria_overrides.qd318_2022_xa.2.2.ntm"),
) + tuple(
    _wrong_type_case(key, kind, value)
    for key in WORKSPACE_KEYS
    for kind, value in WRONG_VALUES.items()
    if (key, kind) not in _RIGHT_TYPES
)


def build_case(case: Case, root: Path) -> Path:
    """Build one case under ``root / case.name``; returns its workspace.yaml."""
    return case.build(root / case.name)


def main(argv: list[str] | None = None) -> int:
    """Write the cases into a folder (or list them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the cases into (one sub-folder each)")
    parser.add_argument("--list", action="store_true", help="list the cases instead of writing them")
    args = parser.parse_args(argv)
    for case in CASES:
        if args.list:
            print(f"{case.name}: exit {case.exit}, says {case.says!r}, {', '.join(case.commands)}")
        else:
            build_case(case, args.out)
    if not args.list:
        print(f"wrote {len(CASES)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

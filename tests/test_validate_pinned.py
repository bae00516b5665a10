"""The problems of a messy office layer, pinned: validation may get faster, never say other things.

Typos, labels, codes that lost their leading zero, duplicate and missing ids, bad numbers and
yes/no cells, blanks, invalid, empty and wrong-type geometries, mixed cell types (Excel gives
``7324`` and ``7324.0`` in one column). The expected problems (text, counts, examples, order) and
the typed frames were written by the per-cell validator before it was vectorised; regenerate
``data/validation_pinned.json`` only for a change meant to change what users read
(``python tests/test_validate_pinned.py``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ntmgis.validate import validate_layer, validate_table

PINNED = Path(__file__).parent / "data" / "validation_pinned.json"
X0, Y0 = 406_800.0, 2_363_000.0
CODES = ["07324", "07327", "07303", "01234"]


def _line(k: int) -> shapely.LineString:
    return shapely.LineString([(X0 + 300 * k, Y0), (X0 + 300 * k + 250, Y0 + 10)])


def messy_roads() -> gpd.GeoDataFrame:
    """Forty segments with every kind of office mistake, repeated so that counts and '…' show."""
    n = 40
    ids: list[object] = [f"R{k}" for k in range(n)]
    ids[3] = ids[5] = ids[7] = "R1"
    ids[9] = None
    ids[11] = "  R11 "
    ids[12] = "R13"
    classes = np.array(["xa", "Đường thôn", "ĐƯỜNG THÔN", "Duong xom", "highway", "Đường lien xa", "xa"] * 6)
    classes = classes[:n].astype(object)
    classes[20] = None
    classes[21] = "  "
    surfaces = np.array(["be_tong", "Bê tông", "BTXM", "nhựa", "mud", "dat", "sỏi", "nhua"] * 5, dtype=object)
    widths: list[object] = [3.5, "4", " 5.5 ", "3,5", "abc", None, "", 6, 2.0, "7.25"] * 4
    managers = [None, "HTX", "UBND xã", "Đội thủy nông", "xa", None, "htx", "thon"] * 5
    geometry = [_line(k) for k in range(n)]
    geometry[2] = None
    geometry[4] = shapely.LineString()
    geometry[6] = shapely.Point(X0, Y0)
    geometry[8] = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    geometry[10] = shapely.LineString([(X0, Y0), (X0, Y0)])
    return gpd.GeoDataFrame(
        {
            "segment_id": ids,
            "road_class": classes,
            "surface": surfaces,
            "width_m": widths,
            "managed_by": managers,
        },
        geometry=geometry,
        crs="EPSG:9214",
    )


def messy_markets() -> gpd.GeoDataFrame:
    """Markets whose codes lost their zeros (as ints and floats), unknown codes, bad yes/no and years."""
    codes: list[object] = [
        7324,
        7324.0,
        "07327",
        "7303",
        99999,
        "x1",
        None,
        1234,
        "07324",
        7327.0,
        "  ",
        7324,
    ]
    met: list[object] = [True, "Đạt", "x", "maybe", 0, 1, "Chưa đạt", None, "không", 2, "✓", "  "]
    years: list[object] = [2024, "2025", 2026.0, "soon", None, "", 2024.7, "2,024", 2030, "2e3", -1, "1990"]
    return gpd.GeoDataFrame(
        {
            "market_id": [f"M{k}" for k in range(len(codes))],
            "name": ["Chợ", None, 3, "  Chợ Nhã Nam ", "", "Chợ"] * 2,
            "commune_code": codes,
            "standard_met": met,
            "planned_upgrade_year": years,
        },
        geometry=[shapely.Point(X0 + k, Y0) for k in range(len(codes))],
        crs="EPSG:9214",
    )


def messy_status() -> pd.DataFrame:
    """A long status table: codes, yes/no, values and years as offices type them."""
    rows = 30
    return pd.DataFrame(
        {
            "commune_code": ([7324, "07327", 7303.0, "99", None, "07324"] * 5)[:rows],
            "criterion": (["2", "5", "17", None, " 2 "] * 6)[:rows],
            "met": (["Đạt", "Chưa đạt", "x", "?", None, True] * 5)[:rows],
            "value": ([85, "90,5", "70.5", "n/a", None, "", 12.0, "1e2", "  3 ", True] * 3)[:rows],
            "year": ([2024, "2023", 2022.0, "năm 2021", None, 2020.5] * 5)[:rows],
        }
    )


def native_communes() -> gpd.GeoDataFrame:
    """Communes read by pyogrio: native int and float columns (NaN, fractions), codes as ints."""
    return gpd.GeoDataFrame(
        {
            "commune_code": np.array([7324, 7327, 7303, 1234, 7324]),
            "name": [" Phúc Hòa", "Nhã Nam", None, "TT Cao Thượng", "Phúc Hòa"],
            "kind": ["xa", "Thị trấn", "TT", "phuong", None],
            "population": np.array([12000, 8000, 0, -5, 7000], dtype="int64"),
            "households": np.array([3000.0, np.nan, 2100.7, 1.0, 1e9]),
        },
        geometry=[shapely.box(X0 + k * 10, Y0, X0 + k * 10 + 10, Y0 + 10) for k in range(5)],
        crs="EPSG:9214",
    )


def mixed_status() -> pd.DataFrame:
    """Cells of every Python and numpy type in one column (equal values of other types differ)."""
    return pd.DataFrame(
        {
            "commune_code": [1, 1.0, True, "1", " 1", 7324.5, "0733a"],
            "criterion": [1, 1.0, True, "1", " x ", "", pd.NA],
            "met": [1, 1.0, True, "1", np.int64(1), np.float64(0.0), False],
            "value": [True, 1, "1", np.nan, "1_000", "0x10", " "],
            "year": [np.int64(2020), 2020.9, "2020", -3.2, True, pd.NA, "  "],
        }
    )


def outcome() -> dict[str, object]:
    """Problems (every field, in order) and typed frames of the three messy inputs."""
    results = {
        "roads": validate_layer(messy_roads(), "roads", file="roads.shp", commune_codes=CODES),
        "string_roads": validate_layer(  # pyogrio reads text as pandas' string dtype
            messy_roads().astype(
                {c: "string" for c in ("segment_id", "road_class", "surface", "managed_by")}
            ),
            "roads",
            commune_codes=CODES,
        ),
        "markets": validate_layer(messy_markets(), "markets", file="markets.xlsx", commune_codes=CODES),
        "communes": validate_layer(native_communes(), "communes", file="communes.shp"),
        "mixed_status": validate_table(mixed_status(), "commune_status", commune_codes=CODES),
        "empty_status": validate_table(mixed_status().iloc[:0], "commune_status", commune_codes=CODES),
        "commune_status": validate_table(
            messy_status(), "commune_status", file="s.xlsx", commune_codes=CODES
        ),
    }
    out: dict[str, object] = {}
    for name, result in results.items():
        frame = pd.DataFrame(result.frame).drop(columns="geometry", errors="ignore")
        out[name] = {
            # The words users read (the catalogue key and params are checked by test_problem_text.py).
            "problems": [
                {k: v for k, v in asdict(p).items() if k not in ("key", "params")} for p in result.problems
            ],
            "dtypes": {c: str(t) for c, t in frame.dtypes.items()},
            "rows": json.loads(frame.astype(object).where(frame.notna(), None).to_json(orient="values")),
            "index": [int(i) for i in frame.index],
            "geometry": [g.wkt for g in getattr(result.frame, "geometry", [])],
        }
    return out


def test_messy_layers_give_the_pinned_problems_and_frames():
    expected = json.loads(PINNED.read_text(encoding="utf-8"))
    got = json.loads(json.dumps(outcome(), ensure_ascii=False))
    for name in expected:
        assert got[name]["problems"] == expected[name]["problems"], name
        assert got[name] == expected[name], name


def test_pinned_layers_are_messy_enough():
    """The pinned outcome holds every kind of problem the test means to pin (it cannot pass empty)."""
    problems = [
        p for layer in json.loads(PINNED.read_text(encoding="utf-8")).values() for p in layer["problems"]
    ]
    words = " | ".join(p["problem"] for p in problems)
    for expected in (
        "lost its leading zero",
        "is a label, not a code",
        "unknown road_class",
        "duplicate id",
        "is not a number",
        "as yes/no",
        "segment_id is empty",
        "road_class is empty",
        "matches no commune",
        "invalid geometry",
        "geometry is empty or missing",
        "geometry type Point",
    ):
        assert expected in words, expected
    assert len(problems) > 60


if __name__ == "__main__":
    PINNED.write_text(json.dumps(outcome(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.exit(0)

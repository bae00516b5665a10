"""Small hand-made workspaces for tests (geometry in EPSG:9214 around Tân Yên)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
import yaml

X0, Y0 = 400_000.0, 2_358_000.0
PLAN_CODES = {  # the units the Tân Yên plan names, with their GSO codes
    "07330": "Hợp Đức",
    "07324": "Phúc Hòa",
    "07318": "Phúc Sơn",
    "07348": "Ngọc Châu",
    "07366": "Quế Nham",
    "07327": "Liên Sơn",
    "07333": "Lam Cốt",
    "07360": "Ngọc Thiện",
    "07342": "Việt Ngọc",
    "07351": "Ngọc Vân",
    "07363": "Ngọc Lý",
    "07354": "Việt Lập",
    "07339": "Cao Thượng",
    "07306": "Nhã Nam",
    "07312": "Đại Hóa",
    "07357": "Liên Chung",
    "07345": "Song Vân",
}


def grid_communes(names: dict[str, str] = PLAN_CODES, size: float = 2000.0) -> gpd.GeoDataFrame:
    """Square communes on a grid, one per (code, name), tiling a rectangle."""
    rows = []
    for i, (code, name) in enumerate(sorted(names.items())):
        col, row = i % 5, i // 5
        rows.append(
            {
                "commune_code": code,
                "name": name,
                "kind": "thi_tran" if code in ("07339", "07306") else "xa",
                "population": 8000,
                "households": 2000,
                "geometry": shapely.box(
                    X0 + col * size, Y0 + row * size, X0 + (col + 1) * size, Y0 + (row + 1) * size
                ),
            }
        )
    return gpd.GeoDataFrame(rows, crs="EPSG:9214")


def roads_for(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One commune road per commune, crossing its centre west to east."""
    rows = []
    for i, geom in enumerate(communes.geometry):
        c = geom.centroid
        rows.append(
            {
                "segment_id": f"R{i + 1:03d}",
                "road_class": "xa",
                "surface": "be_tong",
                "geometry": shapely.LineString([(c.x - 500, c.y), (c.x + 500, c.y)]),
            }
        )
    return gpd.GeoDataFrame(rows, crs=communes.crs)


def write_workspace(
    root: Path,
    *,
    communes: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | None = None,
    extra: dict | None = None,
    tables: dict[str, str] | None = None,
) -> Path:
    """Write layers and a workspace.yaml under ``root``; returns the yaml path."""
    root.mkdir(parents=True, exist_ok=True)
    communes = grid_communes() if communes is None else communes
    roads = roads_for(communes) if roads is None else roads
    communes.to_file(root / "communes.gpkg", layer="communes")
    roads.to_file(root / "roads.gpkg", layer="roads")
    config = {
        "name": "test district",
        "district": {"name": "Thử"},
        "working_crs": "EPSG:9214",
        "plan": "package:tan_yen_2021_2025",
        "layers": {"communes": {"path": "communes.gpkg"}, "roads": {"path": "roads.gpkg"}},
        "tables": {},
    }
    for name, csv_text in (tables or {}).items():
        (root / f"{name}.csv").write_text(csv_text, encoding="utf-8")
        config["tables"][name] = {"path": f"{name}.csv"}
    config.update(extra or {})
    path = root / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path

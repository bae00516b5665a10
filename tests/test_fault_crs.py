"""Issue 15 part 3b: CRSs are compared by equivalence, and every layer carries the one working CRS."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import CRS

from ntmgis.cli import main
from ntmgis.crs import same_crs, to_working_crs
from ntmgis.datasets import get_path

# EPSG:9214 as a WKT of another text: another name, no authority codes (a .prj from another tool).
_OTHER_TEXT = (
    CRS(9214)
    .to_wkt("WKT1_GDAL")
    .replace('PROJCS["VN-2000 / TM-3 107-00"', 'PROJCS["VN2000 Bac Giang"')
    .replace(',AUTHORITY["EPSG","9214"]', "")
)


@pytest.fixture(scope="module")
def other_text_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, its production zones as a shapefile whose .prj is EPSG:9214 in other words."""
    root = tmp_path_factory.mktemp("crs") / "ws"
    shutil.copytree(get_path("tan_yen"), root)
    zones = gpd.read_file(root / "layers" / "production_zones.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # shapefile field names cut to 10 characters
        zones.rename(columns=lambda c: c[:10]).to_file(root / "layers" / "production_zones.shp")
    (root / "layers" / "production_zones.prj").write_text(_OTHER_TEXT)
    read = gpd.read_file(root / "layers" / "production_zones.shp")
    assert read.crs.to_wkt() != CRS(9214).to_wkt() and read.crs.equals(CRS(9214))  # the case itself
    yaml = root / "workspace.yaml"
    text = yaml.read_text(encoding="utf-8").replace(
        "production_zones: {path: layers/production_zones.gpkg, layer: production_zones}",
        "production_zones: {path: layers/production_zones.shp}",
    )
    assert "production_zones.shp" in text
    yaml.write_text(text, encoding="utf-8")
    return root


def test_an_equivalent_crs_of_other_text_passes_validate_map_and_report(other_text_workspace, tmp_path):
    ws = str(other_text_workspace)
    assert main(["validate", ws]) == 0
    assert main(["map", ws, "--out", str(tmp_path / "m.html")]) == 0
    assert main(["report", ws, "--out", str(tmp_path / "r.xlsx"), "--no-csv"]) == 0


def test_every_layer_carries_the_one_working_crs_and_is_not_reprojected(other_text_workspace):
    from ntmgis.workspace import load_workspace

    workspace = load_workspace(other_text_workspace)
    crss = {name: workspace.layer(name).crs for name in ("communes", "roads", "production_zones")}
    first = crss["communes"]
    assert all(crs is first for crs in crss.values()), crss  # one object: cheap to compare
    raw = gpd.read_file(other_text_workspace / "layers" / "production_zones.shp")
    loaded = workspace.layer("production_zones")
    assert loaded.geometry.iloc[0].equals_exact(raw.geometry.iloc[0], 0.0)  # coordinates untouched


def test_same_crs_is_equivalence_not_identity():
    other = CRS.from_wkt(_OTHER_TEXT)
    assert other.to_wkt() != CRS(9214).to_wkt() and len({other, CRS(9214)}) == 2  # text and set say two
    assert same_crs(other, "EPSG:9214") and same_crs(None, None)
    assert not same_crs("EPSG:9214", "EPSG:9210") and not same_crs("EPSG:9214", None)
    assert same_crs("EPSG:4326", "OGC:CRS84", ignore_axis_order=True)
    assert not same_crs("EPSG:4326", "OGC:CRS84")


def test_to_working_crs_gives_the_one_object_without_reprojecting():
    from shapely import Point

    frame = gpd.GeoDataFrame(geometry=[Point(416000.25, 2360000.5)], crs=CRS.from_wkt(_OTHER_TEXT))
    out = to_working_crs(frame, "EPSG:9214")
    assert out.crs is to_working_crs(frame.copy(), "EPSG:9214").crs
    assert out.geometry.iloc[0].equals_exact(frame.geometry.iloc[0], 0.0)

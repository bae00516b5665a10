"""Write result layers into one GeoPackage with QGIS' ``layer_styles`` table, atomically."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from ..io.atomic import atomic_path
from ..io.drawable import drawable, undrawn_problems
from ..problems import Problem
from .layers import LayerStyle
from .qml import qml

__all__ = ["LAYER_STYLES", "undrawn_in_export", "write_gpkg"]

#: The table QGIS reads a GeoPackage layer's saved styles from (QgsOgrProvider::saveStyle).
LAYER_STYLES = "layer_styles"
_STYLE_COLUMNS = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
_GEOMETRY_TYPE = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "MultiPoint"}


def _write_layer(path: Path, name: str, layer: gpd.GeoDataFrame, kind: str | None) -> None:
    frame = layer
    if isinstance(layer, gpd.GeoDataFrame) and layer._geometry_column_name in layer.columns:
        geometry_type = _GEOMETRY_TYPE.get(kind or "") if not len(layer) else None
        pyogrio.write_dataframe(
            frame,
            path,
            layer=name,
            driver="GPKG",
            promote_to_multi=True,
            geometry_type=geometry_type,
            append=path.exists(),
            **_created(path),
        )
        return
    # A table without geometry (the provenance): a GeoPackage attributes table.
    pyogrio.write_dataframe(
        pd.DataFrame(frame), path, layer=name, driver="GPKG", append=path.exists(), **_created(path)
    )


def _created(path: Path) -> dict[str, dict[str, str]]:
    """Dataset options of a new file: GeoPackage 1.2, which QGIS 3.22 (Debian bookworm) reads
    without a warning (GDAL's default 1.4 is newer than its GDAL)."""
    return {} if path.exists() else {"dataset_options": {"VERSION": "1.2"}}


@contextmanager
def _unsynced() -> Iterator[None]:
    """SQLite without a sync per transaction while the temporary file is written: half the
    write time; the file is synced once before the rename (:func:`~ntmgis.io.atomic.atomic_path`),
    so a crash still leaves either the old file or the whole new one."""
    previous = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": previous})


def _style_rows(
    layers: Mapping[str, gpd.GeoDataFrame], styles: Mapping[str, Sequence[LayerStyle]], geometry_column: str
) -> pd.DataFrame:
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [
        {
            "f_table_catalog": "",
            "f_table_schema": "",
            "f_table_name": name,
            "f_geometry_column": geometry_column,
            "styleName": style.name,
            "styleQML": qml(style),
            "styleSLD": "",
            "useAsDefault": bool(style.default),
            "description": style.name,
            "owner": "ntmgis",
            "ui": "",
            "update_time": now,
        }
        for name, found in styles.items()
        if name in layers
        for style in found
    ]
    return pd.DataFrame(rows, columns=list(_STYLE_COLUMNS))


def undrawn_in_export(
    layers: Mapping[str, gpd.GeoDataFrame], *, styles: Mapping[str, Sequence[LayerStyle]], output: str
) -> tuple[Problem, ...]:
    """The features of ``layers`` an export writes without a drawable geometry, one problem per reason.

    The GeoPackage and PostGIS exports write every row (their attributes stay); a row whose
    geometry is empty, has a non-finite coordinate, cannot be repaired or is of another type than
    the layer's is written with it as it is (a NaN point becomes an empty one) and QGIS draws
    nothing for it: each such row is counted here, so that rows in = drawn + reported.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> layer = gpd.GeoDataFrame({"market_id": ["a", "b"]}, geometry=[Point(1, 2), Point()], crs=4326)
    >>> [p.feature for p in undrawn_in_export({"markets": layer}, styles={}, output="k.gpkg")]
    ['b']
    """
    kinds = {name: found[0].kind for name, found in styles.items() if found}
    found: list[Problem] = []
    for name, layer in layers.items():
        if not isinstance(layer, gpd.GeoDataFrame) or layer._geometry_column_name not in layer.columns:
            continue
        reasons = drawable(layer.geometry.to_numpy())  # villages may mix points and areas
        key = next((c for c in layer.columns if str(c).endswith(("_id", "_code"))), None)
        ids = [str(i) for i in (layer.index if key is None else layer[key])]
        found.extend(undrawn_problems(reasons, ids, layer=name, output=output, kind=kinds.get(name)))
    return tuple(found)


def write_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: str | os.PathLike[str],
    *,
    styles: Mapping[str, Sequence[LayerStyle]],
) -> Path:
    """Write every layer into one GeoPackage at ``path``, with each layer's styles in ``layer_styles``.

    All layers and the style table go into a temporary file beside ``path``, renamed over it at
    the end (:func:`ntmgis.io.atomic.atomic_path`): an interrupted export leaves the previous
    file intact. Layers without a geometry column become attributes tables.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Layer name → frame (:func:`ntmgis.export.result_layers`).
    path : path-like
        The ``.gpkg`` file to write (replaced when it exists).
    styles : mapping of str to sequence of LayerStyle
        Layer name → its styles; the one with ``default`` is applied when QGIS opens the layer.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio
    >>> import ntmgis
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.export import styled_layers
    >>> ws = ntmgis.load_workspace()
    >>> layers, found = styled_layers(ws, assess(ws))
    >>> out = write_gpkg(layers, pathlib.Path(tempfile.mkdtemp()) / "ket_qua.gpkg", styles=found)
    >>> "layer_styles" in [name for name, _ in pyogrio.list_layers(out)]
    True
    """
    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        raise ValueError(f"a GeoPackage is written to a .gpkg file, not {target.name}")
    if not layers:
        raise ValueError("no layer to write into the GeoPackage")
    kinds = {name: found[0].kind for name, found in styles.items() if found}
    with atomic_path(target) as tmp, _unsynced():
        for name, layer in layers.items():
            _write_layer(tmp, name, layer, kinds.get(name))
        geometry_column = "geom"
        spatial = [n for n in layers if n in styles]
        if spatial:
            geometry_column = pyogrio.read_info(tmp, layer=spatial[0])["geometry_name"] or "geom"
        table = _style_rows(layers, styles, geometry_column)
        if len(table):
            pyogrio.write_dataframe(table, tmp, layer=LAYER_STYLES, driver="GPKG", append=True)
    return target

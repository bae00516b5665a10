"""Layer and table readers: every problem found is collected, the data is repaired where said."""

from __future__ import annotations

import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import shapely
import yaml
from openpyxl.utils import get_column_letter

from ..crs import resolve_layer_crs
from ..problems import DataError, ParamValue, Problem
from ..yamlload import YamlBudgetError, load_yaml_text, read_yaml_text
from .encodings import fix_legacy_columns

__all__ = [
    "LAYER_SUFFIXES",
    "TABLE_SUFFIXES",
    "ReadResult",
    "load_yaml_text",
    "read_layer",
    "read_table",
    "read_yaml",
    "yaml_problem",
]

# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------

LAYER_SUFFIXES = {
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".parquet": "GeoParquet",
    ".geoparquet": "GeoParquet",
    ".tab": "MapInfo TAB",
    ".mif": "MapInfo MIF",
    ".csv": "CSV",
    ".xlsx": "XLSX",
}
TABLE_SUFFIXES = {".csv": "CSV", ".xlsx": "XLSX"}
# Column pairs recognised as point coordinates in CSV/XLSX layers, in order of preference.
_XY_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("kinh_do", "vi_do"), ("x", "y"))
_WKT_COLUMNS = ("wkt", "geometry", "geom")


@dataclass(frozen=True)
class ReadResult:
    """What a reader returns: the data as read (repaired where said) and every problem found."""

    frame: pd.DataFrame
    problems: tuple[Problem, ...]


def _refuse(file: str, layer: str, key: str, **params: ParamValue) -> DataError:
    """The refusal ``problems.<key>`` of a whole file (an error)."""
    return DataError(Problem.from_params(f"problems.{key}", params, file=file, layer=layer, severity="error"))


def _check_path(path: Path, layer: str, suffixes: dict[str, str]) -> str:
    if not path.exists():
        raise _refuse(str(path), layer, "file_not_found")
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise _refuse(
            str(path), layer, "file_type", suffix=suffix or "(none)", known=", ".join(sorted(suffixes))
        )
    if suffix == ".shp" and not any(path.with_suffix(s).exists() for s in (".dbf", ".DBF")):
        raise _refuse(str(path), layer, "shapefile_no_dbf", stem=path.stem, name=path.name)
    return suffix


def _uncached_formulas(path: Path, sheet: str | None, label: str) -> list[Problem]:
    """One problem for the formula cells that have no saved value (pandas reads them as blank).

    A workbook written by a program that does not compute formulas (openpyxl, a script) stores
    the formula only; Excel or LibreOffice store the value when they save.
    """
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(b"<f" in archive.read(n) for n in sheets):
            return []
    books = [openpyxl.load_workbook(path, read_only=True, data_only=d) for d in (False, True)]
    try:
        formulas, values = (b[sheet] if sheet else b.worksheets[0] for b in books)
        missing = [
            f"{get_column_letter(col)}{row}"
            for row, (fs, vs) in enumerate(
                zip(formulas.iter_rows(), values.iter_rows(), strict=False), start=1
            )
            for col, (f, v) in enumerate(zip(fs, vs, strict=False), start=1)
            if getattr(f, "data_type", None) == "f" and v.value is None
        ]
    finally:
        for book in books:
            book.close()
    if not missing:
        return []
    shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
    return [
        Problem.of(
            "problems.formula_no_value",
            file=str(path),
            layer=label,
            feature=shown,
            count=len(missing),
            cells=len(missing),
        )
    ]


def read_layer(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    name: str = "",
    crs: object | None = None,
    id_column: str | None = None,
) -> ReadResult:
    """Read a vector layer from GeoPackage, Shapefile, GeoJSON, GeoParquet, MapInfo, CSV or XLSX.

    Parameters
    ----------
    path : path-like
        The file. Shapefiles are read with their ``.cpg`` when present; without one, text is read
        losslessly and decoded as UTF-8, TCVN3 or VNI, whichever it is (and reported).
    layer : str, optional
        Layer inside a multi-layer file (GeoPackage) or sheet of an XLSX file.
    name : str
        Contract name of the layer (``roads``, ``communes``...), used in problem reports.
    crs : CRS-like, optional
        CRS stated by the user: required when the file carries none, overrides it otherwise.
    id_column : str, optional
        Column naming features in problem reports (``row N`` otherwise).

    Returns
    -------
    ReadResult
        A GeoDataFrame whose CRS is resolved (see :func:`ntmgis.crs.resolve_layer_crs`) and the
        problems found: legacy text converted, CRS reinterpreted, CRS missing (an ``error``).

    Raises
    ------
    DataError
        When the file is missing, of an unknown type, or cannot be parsed at all.
    """
    path = Path(path)
    label = name or path.stem
    suffix = _check_path(path, label, LAYER_SUFFIXES)
    problems: list[Problem] = []
    try:
        if suffix in (".csv", ".xlsx"):
            table = _read_table_raw(path, sheet=layer, label=label, problems=problems)
            gdf = _table_to_points(table, file=str(path), layer=label, crs=crs, problems=problems)
        elif suffix in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            gdf = _read_ogr(path, layer=layer, label=label, problems=problems)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - GDAL, Arrow and pandas raise many types
        raise _refuse(str(path), label, "cannot_read_file", error=f"{type(exc).__name__}: {exc}") from None
    gdf, fixed = fix_legacy_columns(gdf, file=str(path), layer=label, id_column=id_column)
    problems.extend(fixed)
    gdf, crs_problems = resolve_layer_crs(gdf, declared=crs, file=str(path), layer=label)
    problems.extend(crs_problems)
    return ReadResult(gdf, tuple(problems))


def _read_ogr(path: Path, *, layer: str | None, label: str, problems: list[Problem]) -> gpd.GeoDataFrame:
    if layer is None and path.suffix.lower() == ".gpkg":
        layers = [row[0] for row in pyogrio.list_layers(path)]
        if len(layers) > 1:
            raise _refuse(str(path), label, "gpkg_several_layers", layers=str(layers))
    info = pyogrio.read_info(path, layer=layer)
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists():
        # Without a .cpg GDAL falls back to ISO-8859-1: every byte survives, so the real
        # encoding (UTF-8, TCVN3, VNI) can be recovered below and reported.
        gdf = pyogrio.read_dataframe(path, layer=layer, encoding="latin1", use_arrow=True)
        gdf = _recover_utf8(gdf, file=str(path), layer=label, problems=problems)
    else:
        # Through Arrow: the same frame (dtypes, nulls, index) in a third of the time (1M segments
        # from a GeoPackage: 2.5 s against 8.1 s).
        gdf = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    if info.get("geometry_type") is None and "geometry" not in gdf:
        raise _refuse(str(path), label, "no_geometry_layer")
    return gdf


def _recover_utf8(frame: pd.DataFrame, *, file: str, layer: str, problems: list[Problem]) -> pd.DataFrame:
    """Re-decode text read as latin-1 when its bytes are in fact UTF-8 (a DBF without .cpg)."""
    out = frame.copy()
    recovered = []
    for column in _text_columns(out):
        values = out[column]
        mask = values.map(lambda v: isinstance(v, str) and not v.isascii())
        if not mask.any():
            continue
        try:
            decoded = values[mask].map(lambda v: v.encode("latin1").decode("utf-8"))
        except (UnicodeDecodeError, UnicodeEncodeError):
            continue
        out.loc[mask, column] = decoded.map(lambda v: unicodedata.normalize("NFC", v))
        recovered.append(column)
    if recovered:
        problems.append(
            Problem.of(
                "problems.no_cpg_utf8", file=file, layer=layer, severity="info", columns=str(recovered)
            )
        )
    return out


def _text_columns(frame: pd.DataFrame) -> list[str]:
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return [
        c
        for c in frame.columns
        if c != geometry and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
    ]


def _table_to_points(
    table: pd.DataFrame, *, file: str, layer: str, crs: object | None, problems: list[Problem]
) -> gpd.GeoDataFrame:
    lower = {str(c).strip().lower(): c for c in table.columns}
    for wkt_name in _WKT_COLUMNS:
        if wkt_name in lower:
            column = lower[wkt_name]
            geometry = _parse_wkt(table[column], file=file, layer=layer, problems=problems)
            return gpd.GeoDataFrame(table.drop(columns=[column]), geometry=geometry)
    for x_name, y_name in _XY_COLUMNS:
        if x_name in lower and y_name in lower:
            x = pd.to_numeric(table[lower[x_name]], errors="coerce")
            y = pd.to_numeric(table[lower[y_name]], errors="coerce")
            # inf (and 1e400) is no coordinate: GEOS refuses it further on.
            x, y = x.where(np.isfinite(x)), y.where(np.isfinite(y))
            for row in table.index[x.isna() | y.isna()]:
                problems.append(
                    Problem.of(
                        "problems.coordinate_empty",
                        file=file,
                        layer=layer,
                        feature=f"row {_row_number(row)}",
                        x=x_name,
                        y=y_name,
                    )
                )
            geometry = gpd.points_from_xy(x, y)
            geometry[(x.isna() | y.isna()).to_numpy()] = None
            if crs is None and (x_name, y_name) != ("x", "y"):
                # lon/lat columns are WGS 84 unless the user says otherwise: the only
                # reading of "longitude" that is not a guess.
                problems.append(
                    Problem.of(
                        "problems.xy_no_crs", file=file, layer=layer, severity="info", x=x_name, y=y_name
                    )
                )
                return gpd.GeoDataFrame(table, geometry=geometry, crs="EPSG:4326")
            return gpd.GeoDataFrame(table, geometry=geometry)
    raise _refuse(
        file,
        layer,
        "table_no_geometry",
        wkt="/".join(_WKT_COLUMNS),
        xy=", ".join("/".join(p) for p in _XY_COLUMNS),
    )


def _parse_wkt(values: pd.Series, *, file: str, layer: str, problems: list[Problem]) -> gpd.GeoSeries:
    parsed: list[shapely.Geometry | None] = []
    for row, text in values.items():
        if not isinstance(text, str) or not text.strip():
            parsed.append(None)
            continue
        try:
            parsed.append(shapely.from_wkt(text))
        except shapely.errors.GEOSException as exc:
            problems.append(
                Problem.of(
                    "problems.bad_wkt",
                    file=file,
                    layer=layer,
                    feature=f"row {_row_number(row)}",
                    error=str(exc),
                )
            )
            parsed.append(None)
    return gpd.GeoSeries(parsed, index=values.index)


def _row_number(index_label: object) -> int:
    """1-based data row number as a spreadsheet user counts it (header is row 1)."""
    return int(index_label) + 2 if isinstance(index_label, (int, np.integer)) else 0


def read_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    name: str = "",
    id_column: str | None = None,
    header_comment: bool = False,
) -> ReadResult:
    """Read a non-spatial table from CSV (UTF-8, UTF-8 with BOM, Windows-1258/1252) or XLSX.

    Every cell stays as text or number as written; legacy TCVN3/VNI text is converted and
    reported. Cell meaning (Đạt / x / ✓) is interpreted by the table's consumer, not here.
    ``header_comment=True``: leading CSV lines starting with ``#`` describe the file and are skipped
    (a crosswalk's header, :mod:`ntmgis.crosswalk`).

    Raises
    ------
    DataError
        When the file is missing, of an unknown type, or cannot be parsed.
    """
    path = Path(path)
    label = name or path.stem
    _check_path(path, label, TABLE_SUFFIXES)
    problems: list[Problem] = []
    try:
        table = _read_table_raw(
            path, sheet=sheet, label=label, problems=problems, header_comment=header_comment
        )
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise _refuse(str(path), label, "cannot_read_table", error=f"{type(exc).__name__}: {exc}") from None
    table, fixed = fix_legacy_columns(table, file=str(path), layer=label, id_column=id_column)
    problems.extend(fixed)
    return ReadResult(table, tuple(problems))


def _read_table_raw(
    path: Path, *, sheet: str | None, label: str, problems: list[Problem], header_comment: bool = False
) -> pd.DataFrame:
    if path.suffix.lower() == ".xlsx":
        try:
            book = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, engine="openpyxl")
        except ValueError as exc:
            raise _refuse(str(path), label, "bad_sheet", error=str(exc)) from None
        frame = book
        problems.extend(_uncached_formulas(path, sheet, label))
    else:
        raw = path.read_bytes()
        text, encoding = _decode_csv_bytes(raw)
        if encoding != "utf-8":
            problems.append(
                Problem.of("problems.csv_not_utf8", file=str(path), layer=label, encoding=encoding)
            )
        if header_comment:  # leading lines starting with "#" describe the file (a crosswalk's header)
            lines = text.splitlines(keepends=True)
            text = "".join(
                lines[next((i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines)) :]
            )
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""], skipinitialspace=True
        )
    frame.columns = [unicodedata.normalize("NFC", str(c)).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise _refuse(str(path), label, "duplicate_columns", columns=str(duplicated))
    frame = frame.dropna(how="all")
    for column in _text_columns(frame):
        frame[column] = frame[column].map(
            lambda v: unicodedata.normalize("NFC", v).strip() if isinstance(v, str) else v
        )
    return frame


def _decode_csv_bytes(raw: bytes) -> tuple[str, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Vietnamese Windows code page first; latin-1 cannot fail and keeps the bytes for the
    # TCVN3/VNI detection that follows.
    for encoding in ("cp1258", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")


def yaml_problem(exc: yaml.YAMLError, where: str, layer: str) -> Problem:
    """The one problem of a YAML file that could not be read: over the budget, or not valid YAML.

    Examples
    --------
    >>> exc = YamlBudgetError("nesting deeper than 64 levels", "64 levels")
    >>> yaml_problem(exc, "w.yaml", "workspace").problem
    'YAML refused: nesting deeper than 64 levels (limit 64 levels)'
    """
    if isinstance(exc, YamlBudgetError) and exc.key:
        return Problem.from_params(exc.key, exc.params, file=where, layer=layer, severity="error")
    if isinstance(exc, YamlBudgetError):
        return Problem.of("problems.yaml_refused", file=where, layer=layer, severity="error", error=str(exc))
    return Problem.of("problems.yaml_invalid", file=where, layer=layer, severity="error", error=str(exc))


def read_yaml(
    source: str | os.PathLike[str] | Traversable,
    *,
    layer: str,
    label: str | None = None,
) -> tuple[Any, tuple[Problem, ...]]:
    """Read a YAML file within the budget of :mod:`ntmgis.yamlload` (nothing in it is executed), reporting.

    Parameters
    ----------
    source : path-like or Traversable
        A file, or a packaged resource (``importlib.resources.files("ntmgis") / "plans/x.yaml"``).
    layer : str
        What the file holds (``criteria``, ``scenario``, ``plan``), for the problems.
    label : str, optional
        The file as the problems name it; default ``str(source)``.

    Returns
    -------
    (data, problems)
        ``data`` is None when a problem says the file could not be read (missing, not UTF-8, not
        YAML, over the size, alias or depth budget); an empty file gives ``(None, ())``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "ok.yaml").write_text("a: 1", encoding="utf-8")
    4
    >>> read_yaml(folder / "ok.yaml", layer="test")
    ({'a': 1}, ())
    >>> (folder / "bad.yaml").write_text("a: [1", encoding="utf-8")
    5
    >>> read_yaml(folder / "bad.yaml", layer="test")[1][0].problem.startswith("not valid YAML")
    True
    """
    path = Path(source) if isinstance(source, (str, os.PathLike)) else source
    where = str(source) if label is None else label
    try:
        return load_yaml_text(read_yaml_text(path)), ()
    except FileNotFoundError:
        return None, (Problem.of("problems.yaml_not_found", file=where, layer=layer, severity="error"),)
    except UnicodeDecodeError:
        return None, (Problem.of("problems.not_utf8_text", file=where, layer=layer, severity="error"),)
    except yaml.YAMLError as exc:
        return None, (yaml_problem(exc, where, layer),)

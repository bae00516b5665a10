"""PostGIS as a workspace source (a layer read from a table or a query) and as a results sink.

A layer lives in PostGIS when its ``path:`` in workspace.yaml is a libpq connection URL::

    layers:
      communes: postgresql://gis@db.tinh.vn:5432/ntm#ban_do.xa      # schema.table in the fragment
      roads: {path: "postgresql://gis@db.tinh.vn/ntm", schema: ban_do, table: duong}
      markets: {path: "postgresql://gis@db.tinh.vn/ntm", query: "SELECT * FROM ban_do.cho WHERE nam = 2023"}

The fragment (``#table`` or ``#schema.table``; schema ``public`` when not named) and the ``table:``
/ ``schema:`` / ``query:`` keys say the same thing; ``query:`` is any ``SELECT`` with one geometry
column. The password comes from the URL, from ``PGPASSWORD`` or from ``~/.pgpass`` (libpq reads
them); whichever it is, it is never shown: every place a URL is shown goes through :func:`redact`.

A layer read from PostGIS goes through the same repairs and checks as a file (legacy text, the
CRS from the geometries' SRID, the layer contracts): only the reading differs.

:func:`write_postgis` writes result layers into a schema in one transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..crs import resolve_layer_crs
from ..problems import DataError, ParamValue, Problem
from .encodings import fix_legacy_columns
from .readers import ReadResult

if TYPE_CHECKING:  # psycopg is imported when a database is used, not with ntmgis
    import psycopg
    from psycopg.rows import TupleRow
    from psycopg.sql import Composed

    _Connection = psycopg.Connection[TupleRow]

__all__ = ["PostgisSource", "is_postgis_url", "read_postgis_layer", "redact", "write_postgis"]

_SCHEMES = ("postgresql://", "postgres://")
# user:password@ of a URL, and password=... of a URL query or a key=value connection string.
_URL_PASSWORD = re.compile(r"(postgres(?:ql)?://[^:/@\s?#]*):[^@\s/]*@", re.IGNORECASE)
_KEY_PASSWORD = re.compile(r"(password\s*=\s*)('[^']*'|[^&\s#]+)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_CONNECT_TIMEOUT_S = 10


def is_postgis_url(text: object) -> bool:
    """Whether a ``path:`` of workspace.yaml names a PostGIS database (a ``postgresql://`` URL).

    Examples
    --------
    >>> is_postgis_url("postgresql://gis@localhost/ntm#xa"), is_postgis_url("layers/roads.gpkg")
    (True, False)
    """
    return isinstance(text, str) and text.strip().lower().startswith(_SCHEMES)


def redact(text: str, *, url: str | None = None) -> str:
    """``text`` with every database password replaced by ``***``: the one redaction of ntmgis.

    Replaces the password of every ``postgresql://user:password@`` URL and every ``password=``
    value in ``text``; with ``url``, also the literal password of that URL wherever it appears
    (a driver message that quotes it).

    Examples
    --------
    >>> redact("postgresql://gis:s3cret@db:5432/ntm?sslmode=require#xa")
    'postgresql://gis:***@db:5432/ntm?sslmode=require#xa'
    >>> redact("host=db password=s3cret dbname=ntm")
    'host=db password=*** dbname=ntm'
    >>> redact("failed near s3cret", url="postgresql://gis:s3cret@db/ntm")
    'failed near ***'
    """
    out = _URL_PASSWORD.sub(r"\1:***@", text)
    out = _KEY_PASSWORD.sub(r"\1***", out)
    secret = _url_password(url) if url else None
    if secret:
        out = out.replace(secret, "***")
    return out


def _url_password(url: str) -> str | None:
    import psycopg.conninfo

    try:
        password = psycopg.conninfo.conninfo_to_dict(_split_fragment(url)[0]).get("password")
    except Exception:  # noqa: BLE001 - a URL libpq cannot parse has no password to hide
        return None
    return str(password) if password else None


def _split_fragment(url: str) -> tuple[str, str]:
    dsn, _, fragment = url.strip().partition("#")
    return dsn, fragment


@dataclass(frozen=True)
class PostgisSource:
    """Where a PostGIS layer is read from: the connection URL and a table or a query.

    Examples
    --------
    >>> source = PostgisSource.from_entry("postgresql://gis:pw@db/ntm#ban_do.xa")
    >>> source.schema, source.table, source.shown
    ('ban_do', 'xa', 'postgresql://gis:***@db/ntm#ban_do.xa')
    >>> PostgisSource.from_entry("postgresql://gis@db/ntm", query="SELECT * FROM xa").shown
    'postgresql://gis@db/ntm (query)'
    """

    dsn: str
    schema: str = "public"
    table: str | None = None
    query: str | None = None

    @classmethod
    def from_entry(
        cls, url: str, *, table: str | None = None, schema: str | None = None, query: str | None = None
    ) -> PostgisSource:
        """The source of a ``layers:`` entry: the URL's fragment, else its table/schema/query keys."""
        dsn, fragment = _split_fragment(url)
        if fragment and not table and not query:
            first, dot, second = fragment.partition(".")
            schema, table = (first, second) if dot else (schema, first)
        return cls(dsn, schema or "public", table or None, query or None)

    @property
    def shown(self) -> str:
        """The source as problems and provenance show it: password redacted."""
        where = f"#{self.schema}.{self.table}" if self.table else " (query)"
        return redact(self.dsn + where, url=self.dsn)


def _refuse(source: PostgisSource, layer: str, key: str, **params: ParamValue) -> DataError:
    """The refusal ``problems.<key>`` of a PostGIS source (an error); passwords never shown."""
    shown = {k: redact(v, url=source.dsn) if isinstance(v, str) else v for k, v in params.items()}
    return DataError(
        Problem.from_params(f"problems.{key}", shown, file=source.shown, layer=layer, severity="error")
    )


@contextmanager
def _connect(dsn: str, *, layer: str, shown: str) -> Iterator[_Connection]:
    """A psycopg connection; a failure to connect is a DataError naming ``layer``, password hidden."""
    import psycopg

    try:
        conn = psycopg.connect(dsn, connect_timeout=_CONNECT_TIMEOUT_S)
    except psycopg.Error as exc:
        raise DataError(
            Problem.of(
                "problems.pg_connect",
                file=shown,
                layer=layer,
                severity="error",
                error=redact(_first_line(exc), url=dsn),
            )
        ) from None
    try:
        yield conn
    finally:
        conn.close()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def read_postgis_layer(
    source: PostgisSource, *, name: str = "", crs: object | None = None, id_column: str | None = None
) -> ReadResult:
    """Read a vector layer from a PostGIS table or query, with the repairs of :func:`read_layer`.

    Parameters
    ----------
    source : PostgisSource
        The connection and the table or query (:meth:`PostgisSource.from_entry`).
    name : str
        Contract name of the layer (``roads``, ``communes``...), used in problem reports.
    crs : CRS-like, optional
        CRS stated by the user: required when the geometries carry no SRID, overrides it otherwise.
    id_column : str, optional
        Column naming features in problem reports.

    Returns
    -------
    ReadResult
        A GeoDataFrame (geometry column ``geometry``, CRS from the SRID) and the problems found.

    Raises
    ------
    DataError
        When the server cannot be reached or refuses the login, the table or query does not exist
        or fails, or it has no (or several) geometry columns. The password is never in its text.
    """
    import psycopg
    from psycopg import sql

    label = name or (source.table or "query")
    if source.table is None and source.query is None:
        raise _refuse(source, label, "pg_no_table")
    if source.table is not None:
        statement = sql.SQL("SELECT * FROM {}.{}").format(
            sql.Identifier(source.schema), sql.Identifier(source.table)
        )
    else:
        statement = sql.SQL("SELECT * FROM ({}) AS ntmgis_query").format(
            sql.SQL(str(source.query).strip().rstrip(";"))
        )
    with _connect(source.dsn, layer=label, shown=source.shown) as conn:
        try:
            frame = _fetch_frame(conn, statement)
        except psycopg.Error as exc:
            raise _refuse(source, label, "pg_cannot_read", error=_first_line(exc)) from None
    geometry_columns = [c for c in frame.columns if frame.attrs["ntmgis_geometry"].get(c)]
    if len(geometry_columns) != 1:
        raise (
            _refuse(source, label, "pg_several_geometries", columns=str(geometry_columns))
            if geometry_columns
            else _refuse(source, label, "pg_no_geometry")
        )
    gdf = _to_geodataframe(frame, geometry_columns[0], source=source, label=label)
    problems: list[Problem] = []
    gdf, fixed = fix_legacy_columns(gdf, file=source.shown, layer=label, id_column=id_column)
    problems.extend(fixed)
    gdf, crs_problems = resolve_layer_crs(gdf, declared=crs, file=source.shown, layer=label)
    problems.extend(crs_problems)
    return ReadResult(gdf, tuple(problems))


def _fetch_frame(conn: _Connection, statement: Composed) -> pd.DataFrame:
    """Rows of ``statement`` as a frame; ``attrs["ntmgis_geometry"]`` marks the geometry columns."""
    from psycopg.types.numeric import FloatLoader

    conn.adapters.register_loader("numeric", FloatLoader)
    geometry_oids = {
        row[0]
        for row in conn.execute(
            "SELECT oid FROM pg_type WHERE typname IN ('geometry', 'geography')"
        ).fetchall()
    }
    cursor = conn.execute(statement)
    names = [column.name for column in cursor.description or ()]
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
    frame.attrs["ntmgis_geometry"] = {
        column.name: column.type_code in geometry_oids for column in cursor.description or ()
    }
    return frame


def _to_geodataframe(
    frame: pd.DataFrame, column: str, *, source: PostgisSource, label: str
) -> gpd.GeoDataFrame:
    text = frame[column].astype(object).where(frame[column].notna(), None).to_numpy()
    geometries = shapely.from_wkb(text)
    srids = {int(s) for s in shapely.get_srid(geometries[~shapely.is_missing(geometries)])} - {0}
    if len(srids) > 1:
        raise _refuse(source, label, "pg_several_srids", srids=str(sorted(srids)))
    attributes = frame.drop(columns=[column])
    attributes.attrs = {}
    if "geometry" in attributes.columns:
        attributes = attributes.rename(columns={"geometry": "geometry_attribute"})
    return gpd.GeoDataFrame(
        attributes,
        geometry=gpd.GeoSeries(geometries, index=frame.index),
        crs=f"EPSG:{srids.pop()}" if srids else None,
    )


# --------------------------------------------------------------------------------------------
# The sink
# --------------------------------------------------------------------------------------------


def write_postgis(layers: Mapping[str, gpd.GeoDataFrame], url: str, *, schema: str) -> None:
    """Write ``layers`` as the tables of ``schema``, replacing what it held, in one transaction.

    Each layer becomes a table of its name (attributes, and a ``geom`` column typed with its
    CRS's EPSG code and a spatial index). The tables are written into a fresh schema; then,
    still in the same transaction and under an advisory lock on ``schema``, the old schema is
    dropped and the new one renamed. A failure anywhere leaves the previous results untouched,
    and two writes at once leave the complete result of one of them.

    Parameters
    ----------
    layers : mapping of str to GeoDataFrame
        Table name (a PostgreSQL identifier: letters, digits, ``_``) to layer; a frame without
        an active geometry becomes a table without geometry.
    url : str
        ``postgresql://user@host:port/db`` (password from the URL, ``PGPASSWORD`` or ``~/.pgpass``).
    schema : str
        The schema that holds the results (``ket_qua``); created when absent.

    Raises
    ------
    DataError
        Bad names, a CRS without an EPSG code, an unreachable server, no PostGIS, or a failed
        write; the password is never in its text.
    """
    import psycopg

    dsn = _split_fragment(url)[0]
    shown = redact(dsn, url=dsn)
    tables = [_table_plan(name, frame, shown=shown) for name, frame in layers.items()]
    _check_identifier(schema, what="schema", shown=shown)
    fresh = f"{schema[:40]}__new_{uuid.uuid4().hex[:12]}"
    with _connect(dsn, layer=schema, shown=shown) as conn:
        try:
            with conn.transaction():
                _require_postgis(conn, shown=shown, schema=schema)
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"ntmgis.results:{schema}",))
                _replace_schema(conn, schema, fresh, tables)
        except psycopg.Error as exc:
            raise DataError(
                Problem.of(
                    "problems.pg_cannot_write",
                    file=shown,
                    layer=schema,
                    severity="error",
                    error=redact(_first_line(exc), url=dsn),
                )
            ) from None


@dataclass(frozen=True)
class _TablePlan:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, PostgreSQL type)
    rows: list[tuple[object, ...]] | list[tuple[()]]
    geometry: str | None  # type of the geometry column, None without one


def _check_identifier(name: str, *, what: str, shown: str) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise DataError(
            Problem.of(
                "problems.pg_bad_name",
                file=shown,
                layer=str(name),
                severity="error",
                what=what,
                name=repr(name),
            )
        )


def _pg_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return "timestamptz"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamp"
    return "text"


def _cells(series: pd.Series, pg_type: str) -> list[object]:
    missing = series.isna().to_numpy()
    if pg_type == "text":
        values = [str(v) for v in series.astype(object)]
    elif pg_type.startswith("timestamp"):
        values = list(series.dt.to_pydatetime())
    else:
        values = series.astype(object).tolist()
        values = [v.item() if isinstance(v, np.generic) else v for v in values]
    return [None if m else v for v, m in zip(values, missing, strict=True)]


def _table_plan(name: str, frame: gpd.GeoDataFrame, *, shown: str) -> _TablePlan:
    _check_identifier(name, what="layer", shown=shown)
    has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns
    geometry_name = frame.geometry.name if has_geometry else None
    columns: list[tuple[str, str]] = []
    cells: list[list[object]] = []
    for column in frame.columns:
        if column == geometry_name:
            continue
        if len(str(column).encode()) > 63 or str(column) == "geom":
            raise DataError(
                Problem.of(
                    "problems.pg_bad_column", file=shown, layer=name, severity="error", column=repr(column)
                )
            )
        pg_type = _pg_type(frame[column])
        columns.append((str(column), pg_type))
        cells.append(_cells(frame[column], pg_type))
    geometry_type = None
    if has_geometry:
        epsg = frame.crs.to_epsg() if frame.crs is not None else None
        if epsg is None:
            raise DataError(Problem.of("problems.pg_no_epsg", file=shown, layer=name, severity="error"))
        geometries = shapely.set_srid(frame.geometry.to_numpy(), epsg)
        wkb = shapely.to_wkb(geometries, hex=True, include_srid=True)
        cells.append([None if g is None else str(g) for g in wkb])
        geometry_type = f"geometry(Geometry, {epsg})"
        columns.append(("geom", geometry_type))
    rows = list(zip(*cells, strict=True)) if cells else [() for _ in range(len(frame))]
    return _TablePlan(name, tuple(columns), rows, geometry_type)


def _require_postgis(conn: _Connection, *, shown: str, schema: str) -> None:
    found = conn.execute("SELECT 1 FROM pg_type WHERE typname = 'geometry'").fetchone()
    if found is None:
        raise DataError(Problem.of("problems.pg_no_postgis", file=shown, layer=schema, severity="error"))


def _replace_schema(conn: _Connection, schema: str, fresh: str, tables: list[_TablePlan]) -> None:
    """Inside the caller's transaction: the tables into ``fresh``, then ``fresh`` renamed to ``schema``."""
    from psycopg import sql

    execute = conn.execute
    execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(fresh)))
    for table in tables:
        target = sql.Identifier(fresh, table.name)
        definition = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(pg_type))
            for column, pg_type in table.columns
        )
        execute(sql.SQL("CREATE TABLE {} ({})").format(target, definition))
        if table.columns:
            names = sql.SQL(", ").join(sql.Identifier(column) for column, _ in table.columns)
            with conn.cursor() as cursor:
                with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
                    for row in table.rows:
                        copy.write_row(row)
        if table.geometry is not None:
            execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(target))
    execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(fresh), sql.Identifier(schema)))

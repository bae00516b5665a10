"""The YAML way in: the files a workspace.yaml names, read and handed to :func:`build_workspace`."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from ..io import ReadResult, read_layer, read_table
from ..io.postgis import PostgisSource, is_postgis_url, read_postgis_layer
from ..problems import DataError, Problem, ProblemReport
from ..vocab import contracts
from .build import _Source, build_workspace
from .config import _Entry, _read_config, _resolve_yaml
from .model import Workspace


def inspect_workspace(path: str | Path | None = None) -> tuple[Workspace | None, ProblemReport]:
    """Read and validate a workspace, collecting every problem; never raises on bad data.

    Returns
    -------
    (Workspace or None, ProblemReport)
        The workspace when no problem is an error, else None; and all problems found.
    """
    try:
        yaml_path = _resolve_yaml(path)
        config = _read_config(yaml_path)
    except DataError as exc:
        return None, ProblemReport(exc.problems)
    root = yaml_path.parent
    layers = {
        name: _file_source(name, e, root, layer=True) for name, e in (config.get("layers") or {}).items()
    }
    tables = {
        name: _file_source(name, e, root, layer=False) for name, e in (config.get("tables") or {}).items()
    }
    return build_workspace(config, layers, tables, root=root, file=str(yaml_path))


def _no_path(file: str, name: str) -> ReadResult:
    raise DataError(
        Problem.of("problems.entry_no_path", file=file, layer="workspace", feature=name, severity="error")
    )


def _file_source(name: str, raw_entry: object, root: Path, *, layer: bool) -> _Source:
    """How to read the file of one ``layers:`` or ``tables:`` entry (its problems come on reading)."""
    if isinstance(raw_entry, str):
        raw_entry = {"path": raw_entry}
    if not isinstance(raw_entry, dict) or "path" not in raw_entry:
        file = str(root / "workspace.yaml")
        return _Source(file, {}, lambda: _no_path(file, name))
    entry = cast(_Entry, raw_entry)
    id_column = (contracts()["layers"].get(name) or {}).get("id")
    if is_postgis_url(entry["path"]):
        return _postgis_source(name, entry, id_column=id_column, layer=layer)
    path = root / str(entry["path"])
    if layer:

        def read() -> ReadResult:
            return read_layer(
                path, layer=entry.get("layer"), name=name, crs=entry.get("crs"), id_column=id_column
            )

        return _Source(str(path), entry, read)
    hints = tuple((kind, text) for kind, text in (("sheet", entry.get("sheet")), ("file", path.name)) if text)
    return _Source(
        str(path), entry, lambda: read_table(path, sheet=entry.get("sheet"), name=name), level_hints=hints
    )


def _postgis_source(name: str, entry: _Entry, *, id_column: str | None, layer: bool) -> _Source:
    """How to read a ``layers:`` entry whose path is a ``postgresql://`` URL (:mod:`ntmgis.io.postgis`)."""
    source = PostgisSource.from_entry(
        str(entry["path"]), table=entry.get("table"), schema=entry.get("schema"), query=entry.get("query")
    )
    shown_entry = cast(_Entry, {**entry, "path": source.shown})

    def read() -> ReadResult:
        if not layer:
            raise DataError(
                Problem.of(
                    "problems.postgis_table_unsupported", file=source.shown, layer=name, severity="error"
                )
            )
        return read_postgis_layer(source, name=name, crs=entry.get("crs"), id_column=id_column)

    return _Source(source.shown, shown_entry, read)


def load_workspace(path: str | Path | None = None) -> Workspace:
    """Load and validate a workspace; with no path, the embedded Tân Yên sample.

    Parameters
    ----------
    path : str or Path, optional
        A ``workspace.yaml`` or the folder holding one.

    Returns
    -------
    Workspace
        Layers validated against their contracts and transformed to the working CRS. Repairs
        (invalid geometry, legacy encodings, VN-2000 datum) are listed in ``workspace.problems``.

    Raises
    ------
    DataError
        Listing every error of every layer when any layer or table cannot be used.

    Examples
    --------
    >>> workspace = load_workspace()
    >>> workspace.name.startswith("Tân Yên"), len(workspace.communes)
    (True, 22)
    """
    workspace, report = inspect_workspace(path)
    if workspace is None:
        raise DataError(report.problems, "problems.header_workspace")
    return workspace

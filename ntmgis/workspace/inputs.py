"""The files a workspace reads, known before anything is read: what no output may replace."""

from __future__ import annotations

from pathlib import Path

from ..io.postgis import is_postgis_url
from ..problems import DataError
from .config import _read_config, _resolve_yaml

__all__ = ["workspace_inputs"]

# A shapefile is read from its sidecars too.
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")


def file_parts(path: Path) -> list[Path]:
    """``path`` and, for a shapefile, the sidecar files it is read from."""
    if path.suffix.lower() == ".shp":
        return [path.with_suffix(suffix) for suffix in _SHAPEFILE_PARTS]
    return [path]


def workspace_inputs(path: str | Path | None, *, plan: bool = True) -> list[Path]:
    """workspace.yaml and every file it names (layers, tables, plan, unit costs, crosswalk).

    A workspace that cannot be read names no file: the command reports why when it reads it.
    ``plan=False`` leaves the plan out: ``ntmgis plan init`` and ``from-sheet`` write it.

    Examples
    --------
    >>> [p.name for p in workspace_inputs(None)][:2]
    ['workspace.yaml', 'communes.gpkg']
    """
    try:
        yaml_path = _resolve_yaml(path)
    except DataError:
        return []
    try:
        config = _read_config(yaml_path)
    except DataError:
        return [yaml_path]
    root = yaml_path.parent
    named: list[object] = []
    for group in ("layers", "tables"):
        entries = config.get(group)
        for entry in entries.values() if isinstance(entries, dict) else ():
            named.append(entry.get("path") if isinstance(entry, dict) else entry)
    plan_file = config.get("plan")
    if plan and isinstance(plan_file, str) and not plan_file.startswith("package:"):
        named.append(plan_file)
    costs = config.get("unit_costs")
    if isinstance(costs, dict):
        named.extend(costs.values())
    named.extend([config.get("crosswalk"), config.get("units_groups")])  # a mapping is not a file
    found = [yaml_path]
    for name in named:
        if isinstance(name, str | Path) and str(name) and not is_postgis_url(name):
            found.extend(file_parts(root / str(name)))
    return found

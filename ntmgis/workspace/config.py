"""workspace.yaml as read: its keys, the checks of its settings, the file it lives in."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TypedDict, cast

import pandas as pd
import yaml

from ..datasets import get_path
from ..district import DISTRICT_KINDS, kind_code
from ..io import read_unit_costs
from ..io.postgis import is_postgis_url
from ..io.readers import yaml_problem
from ..problems import DataError, ParamValue, Problem
from ..yamlload import YamlBudgetError, load_yaml_text, read_yaml_text

# Tables whose criterion, indicator and level ids the status reader reads (see Workspace.with_tables).
_STATUS_TABLES = ("commune_status", "village_status")


class _Entry(TypedDict, total=False):
    """A ``layers:`` or ``tables:`` entry of workspace.yaml (a bare string is its ``path``)."""

    path: str
    layer: str
    crs: str
    sheet: str
    year: int
    level: str
    columns: dict[str, str]
    table: str
    schema: str
    query: str


class _Config(TypedDict, total=False):
    """workspace.yaml as read (module docstring); only ``layers: communes:`` is required."""

    name: str
    district: dict[str, object]
    working_crs: object
    criteria_set: str
    status_year: int
    plan: str
    layers: dict[str, object]
    tables: dict[str, object]
    sample: bool
    sample_note: object
    provenance: str
    criteria_overrides: dict[str, object]
    values: dict[str, object]
    network: dict[str, object]
    unit_costs: dict[str, str]
    region: str
    market_radius_m: object
    commune_groups: dict[str, object]
    crosswalk: str
    unit_period: str
    units_groups: object


#: ``network:`` of workspace.yaml when absent: the road layer is checked, not noded.
NETWORK_DEFAULTS: Mapping[str, float] = MappingProxyType({"node": False, "snap_m": 2.0})


def _network_settings(raw: object, *, file: str) -> tuple[dict[str, float], list[Problem]]:
    """Read ``network: {node: bool, snap_m: metres}``; every mistake is one error naming the fix."""
    settings = dict(NETWORK_DEFAULTS)
    if raw is None:
        return settings, []
    where = "network"
    if not isinstance(raw, dict):
        return settings, [
            Problem.of(
                "problems.network_not_mapping",
                file=file,
                layer="workspace",
                feature=where,
                severity="error",
                value=repr(raw),
            )
        ]
    problems = [
        Problem.of(
            "problems.network_unknown_key",
            file=file,
            layer="workspace",
            feature=where,
            severity="error",
            key=repr(key),
        )
        for key in sorted(set(raw) - set(settings))
    ]
    node, snap = raw.get("node", False), raw.get("snap_m", settings["snap_m"])
    if not isinstance(node, bool):
        problems.append(
            Problem.of(
                "problems.network_node_not_bool",
                file=file,
                layer="workspace",
                feature=where,
                severity="error",
                value=repr(node),
            )
        )
    if isinstance(snap, bool) or not isinstance(snap, (int, float)) or not 0 <= snap <= 100:
        problems.append(
            Problem.of(
                "problems.network_snap_range",
                file=file,
                layer="workspace",
                feature=where,
                severity="error",
                value=repr(snap),
            )
        )
    if not problems:
        settings = {"node": bool(node), "snap_m": float(snap)}
    return settings, problems


def _market_radius(raw: object, *, file: str) -> tuple[float | None, list[Problem]]:
    """Read ``market_radius_m:`` (metres, > 0); absent: None (``assess`` then uses its default)."""
    if raw is None:
        return None, []
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 < raw < 1_000_000:
        return None, [
            Problem.of(
                "problems.market_radius_invalid",
                file=file,
                layer="workspace",
                feature="market_radius_m",
                severity="error",
                value=repr(raw),
            )
        ]
    return float(raw), []


def _unit_costs(raw: object, root: Path, *, file: str, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Read ``unit_costs: {roads: path, canals: path}`` (each optional) with :func:`read_unit_costs`."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"roads", "canals"}:
        problems.append(
            Problem.of(
                "problems.unit_costs_not_mapping",
                file=file,
                layer="workspace",
                feature="unit_costs",
                severity="error",
                value=repr(raw),
            )
        )
        return {}
    tables = {}
    for network, path in sorted(raw.items()):
        try:
            read = read_unit_costs(root / str(path), network)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        problems.extend(read.problems)
        tables[network] = read.frame
    return tables


def sample_workspace_path() -> Path:
    """Path of the embedded Tân Yên sample's ``workspace.yaml`` (packaged dataset ``tan_yen``)."""
    return get_path("tan_yen") / "workspace.yaml"


def _resolve_yaml(path: str | Path | None) -> Path:
    if path is None:
        path = sample_workspace_path()
    path = Path(path)
    if path.is_dir():
        path = path / "workspace.yaml"
    if not path.exists():
        key = (
            "problems.sample_workspace_missing"
            if path == sample_workspace_path()
            else "problems.workspace_yaml_not_found"
        )
        raise DataError(Problem.of(key, file=str(path), layer="workspace", severity="error"))
    return path


def _check_config(config: object, *, file: str) -> _Config:
    """The shape checks every workspace passes (a communes layer, mappings where mappings belong)."""
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("layers"), dict)
        or "communes" not in (config["layers"])
    ):
        raise DataError(
            Problem.of("problems.no_communes_entry", file=file, layer="workspace", severity="error")
        )
    for key in ("district", "tables", "criteria_overrides"):
        if config.get(key) is not None and not isinstance(config[key], dict):
            raise DataError(
                Problem.of(
                    "problems.workspace_key_not_mapping",
                    file=file,
                    layer="workspace",
                    feature=key,
                    severity="error",
                    key=key,
                )
            )
    shape_errors = _entry_shape_problems(config, file=file)
    if shape_errors:
        raise DataError(shape_errors)
    kind = (config.get("district") or {}).get("kind")
    if kind is not None and kind_code(kind) is None:
        raise DataError(
            Problem.of(
                "problems.district_kind_unknown",
                file=file,
                layer="workspace",
                feature="district.kind",
                severity="error",
                value=repr(kind),
                known=", ".join(DISTRICT_KINDS),
            )
        )
    return cast(_Config, config)


# What each key of a layers:/tables: entry holds (see _Entry); a bare string is the path.
_ENTRY_TYPES: Mapping[str, tuple[type, ...]] = MappingProxyType(
    {
        "path": (str,),
        "layer": (str,),
        "crs": (str, int),
        "sheet": (str,),
        "year": (int,),
        "level": (str,),
        "columns": (dict,),
        # A layer in PostGIS (path: postgresql://...): ntmgis.io.postgis.
        "table": (str,),
        "schema": (str,),
        "query": (str,),
    }
)


# The top-level keys that are text or a flag (a list or a number there would be used as its repr).
_TOP_TYPES: Mapping[str, tuple[type, ...]] = MappingProxyType(
    {"name": (str,), "provenance": (str, dict), "sample": (bool,), "sample_note": (str, dict)}
)


def _top_type_problems(config: Mapping[str, object], *, file: str) -> list[Problem]:
    """``name``, ``provenance``, ``sample``, ``sample_note`` of another type (corpus: wrong_type_*)."""
    return [
        Problem.of(
            "problems.workspace_wrong_type",
            file=file,
            layer="workspace",
            feature=key,
            severity="error",
            key=key,
            value=repr(value),
        )
        for key, kinds in _TOP_TYPES.items()
        if (value := config.get(key)) is not None
        and (not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)))
    ]


def _entry_shape_problems(config: Mapping[str, object], *, file: str) -> list[Problem]:
    """Wrong types where the readers need them: status_year, every entry and its columns."""

    def error(where: str, name: str, /, **params: ParamValue) -> Problem:
        return Problem.from_params(
            f"problems.{name}", params, file=file, layer="workspace", feature=where, severity="error"
        )

    problems = _top_type_problems(config, file=file)
    year = config.get("status_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100):
        problems.append(error("status_year", "status_year_invalid", value=repr(year)))
    for group in ("layers", "tables"):
        entries = config.get(group)
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            where = f"{group}.{name}"
            if isinstance(entry, str):
                continue
            if not isinstance(entry, dict):
                problems.append(error(where, "entry_not_path", where=where, name=name, value=repr(entry)))
                continue
            for key, kinds in _ENTRY_TYPES.items():
                value = entry.get(key)
                if value is not None and (isinstance(value, bool) or not isinstance(value, kinds)):
                    problems.append(
                        error(
                            f"{where}.{key}", "workspace_wrong_type", key=f"{where}.{key}", value=repr(value)
                        )
                    )
            columns = entry.get("columns")
            if isinstance(columns, dict) and not all(isinstance(v, str) for v in columns.values()):
                problems.append(error(f"{where}.columns", "entry_columns_not_names", where=where))
    return problems


def entry_key_problems(config: Mapping[str, object], *, file: str) -> list[Problem]:
    """The problems of the workspace layout (``ntmgis/schemas/workspace.yaml``) at every level.

    An unknown key anywhere (``layers.roads.colums``, ``network.snapm``, a column of
    ``columns:`` that is not in the layer's contract) is a warning naming its dotted path and the
    closest known key; a wrong type or a number out of range is an error. Keys meant for another
    kind of path (``table:`` beside a file) are warnings too.

    Examples
    --------
    >>> config = {"layers": {"communes": "c.gpkg", "roads": {"path": "r.gpkg", "colums": {}}}}
    >>> [(p.feature, p.action) for p in entry_key_problems(config, file="w")]
    [('layers.roads.colums', "ignored; did you mean 'columns'?")]
    """
    from ..schema import problems_of

    return problems_of(config, "workspace", file=file) + _database_key_problems(config, file=file)


def uncovered(problems: list[Problem], reported: list[Problem]) -> list[Problem]:
    """The layout ``problems`` that no problem already ``reported`` names (the same key or a parent).

    The readers of ``network:``, ``values:``, ``unit_costs:``... word their own errors; the
    layout's problem on the same key (or below it) is then left out.

    Examples
    --------
    >>> a = Problem("w", "workspace", "network.snap_m", "x", "y", "error")
    >>> b = Problem("w", "workspace", "network", "x", "y", "error")
    >>> uncovered([a], [b]), len(uncovered([a], []))
    ([], 1)
    """
    named = {p.feature for p in reported if p.feature and p.severity == "error"}

    def covered(feature: str) -> bool:
        parts = feature.split(".")
        return any(".".join(parts[:n]) in named for n in range(1, len(parts) + 1))

    return [p for p in problems if not covered(p.feature)]


_DATABASE_KEYS = ("table", "schema", "query")


def _database_key_problems(config: Mapping[str, object], *, file: str) -> list[Problem]:
    """A warning for ``table:``/``schema:``/``query:`` beside a file path, ``layer:``/``sheet:`` beside a URL.

    Examples
    --------
    >>> config = {"layers": {"roads": {"path": "r.gpkg", "table": "duong"}}}
    >>> [p.problem for p in _database_key_problems(config, file="w")]
    ["key 'table' is for a postgresql:// path"]
    """
    problems = []
    for group in ("layers", "tables"):
        entries = config.get(group)
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                continue
            database = is_postgis_url(entry.get("path"))
            misplaced = ("layer", "sheet") if database else _DATABASE_KEYS
            for key in (k for k in misplaced if entry.get(k) is not None):
                problems.append(
                    Problem.of(
                        "problems.key_for_file_path" if database else "problems.key_for_database_path",
                        file=file,
                        layer="workspace",
                        feature=f"{group}.{name}",
                        key=repr(key),
                    )
                )
    return problems


def _read_config(path: Path) -> _Config:
    try:
        config = load_yaml_text(read_yaml_text(path))
    except YamlBudgetError as exc:
        raise DataError(yaml_problem(exc, str(path), "workspace")) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(
            Problem.of(
                "problems.workspace_yaml_invalid",
                file=str(path),
                layer="workspace",
                severity="error",
                error=str(exc),
            )
        ) from None
    return _check_config(config, file=str(path))

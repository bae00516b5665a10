"""The notebook way in: frames already in memory, validated as workspace.yaml's files are.

:func:`inspect_layers` turns its arguments into the config a workspace.yaml would give and
hands the frames to :func:`~ntmgis.workspace.build.build_workspace`, the one validation;
:func:`replace_layers` validates the frames :meth:`Workspace.with_layers` replaces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import cast

import geopandas as gpd
import pandas as pd

from ..crs import DEFAULT_WORKING_CRS
from ..plan import Plan
from ..problems import DataError, Problem, ProblemReport
from ..validate import check_tiling
from ..vocab import contracts
from .build import _Source, build_workspace, frame_read, validated_layer
from .config import _check_config, _Config, _Entry
from .model import Workspace

#: The name of the (absent) workspace.yaml in the problems of :func:`inspect_layers`.
FROM_LAYERS = "<from_layers>"


def _frame_file(name: str) -> str:
    return f"<{name}>"


def _frame_source(name: str, frame: pd.DataFrame, entry: _Entry) -> _Source:
    file = _frame_file(name)
    hints = (("sheet", str(entry["sheet"])),) if entry.get("sheet") else ()
    return _Source(file, entry, lambda: frame_read(frame, name=name, file=file, crs=entry.get("crs")), hints)


def inspect_layers(
    communes: gpd.GeoDataFrame,
    *,
    tables: Mapping[str, pd.DataFrame] | None = None,
    crs: object = DEFAULT_WORKING_CRS,
    name: str | None = None,
    district: Mapping[str, str] | None = None,
    region: str | None = None,
    plan: Plan | str | Path | None = None,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    values: Mapping[str, object] | None = None,
    criteria_set: str = "auto",
    status_year: int | None = None,
    network: Mapping[str, object] | None = None,
    unit_costs: Mapping[str, str] | None = None,
    market_radius_m: float | None = None,
    options: Mapping[str, Mapping[str, object]] | None = None,
    criteria_overrides: Mapping[str, object] | None = None,
    root: str | Path | None = None,
    **frames: pd.DataFrame,
) -> tuple[Workspace | None, ProblemReport]:
    """Validate frames held in memory as a workspace; never raises on bad data (like inspect_workspace).

    Parameters
    ----------
    communes : GeoDataFrame
        The communes layer (required, as in workspace.yaml).
    tables : mapping of name to DataFrame, optional
        ``commune_status``, ``village_status``, ``recognitions`` ... (or pass them as keywords).
    crs : CRS-like
        The working CRS (``working_crs:``), default VN-2000 / TM-3 of Bắc Giang.
    name, district, region, criteria_set, status_year, network, market_radius_m, criteria_overrides
        As the keys of workspace.yaml of the same names.
    plan : Plan, str or Path, optional
        A plan, a plan YAML or ``package:<id>``; default as workspace.yaml's ``plan:``.
    columns : mapping, optional
        Per layer or table, ``{contract_name: frame_column}`` (``columns:`` of an entry).
    values : mapping, optional
        The office's labels (``values:`` of workspace.yaml).
    unit_costs : mapping, optional
        ``{roads: path, canals: path}``, relative to ``root``.
    options : mapping, optional
        Per layer or table, the other keys of an entry: ``crs`` (a frame without one),
        ``year``, ``level`` and ``sheet`` (a status sheet's name, which may say its level).
    root : str or Path, optional
        Folder relative paths are read from (default: the current folder).
    **frames : GeoDataFrame or DataFrame
        Every other layer (``villages``, ``roads``, ``canals``, ``markets``, ``production_zones``,
        ``facilities``) and table, by contract name.

    Returns
    -------
    (Workspace or None, ProblemReport)
        The workspace when no problem is an error, else None; problems name ``<roads>`` ... as file.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from ntmgis.workspace import sample_workspace_path
    >>> folder = sample_workspace_path().parent
    >>> communes = gpd.read_file(folder / "boundaries/communes.gpkg")
    >>> workspace, report = inspect_layers(communes.drop(columns="name"))
    >>> workspace is None, report.errors[0].file, "'name'" in report.errors[0].problem
    (True, '<communes>', True)
    """
    layer_names = set(contracts()["layers"])
    layer_frames = {"communes": communes} | {k: v for k, v in frames.items() if k in layer_names}
    table_frames = dict(tables or {}) | {k: v for k, v in frames.items() if k not in layer_names}
    raw_config: dict[str, object] = {
        "name": name,
        "district": None if district is None else dict(district),
        "region": region,
        "working_crs": crs,
        "criteria_set": criteria_set,
        "status_year": status_year,
        "values": values,
        "network": network,
        "unit_costs": unit_costs,
        "market_radius_m": market_radius_m,
        "criteria_overrides": criteria_overrides,
        "plan": None if plan is None or isinstance(plan, Plan) else str(plan),
        "layers": dict.fromkeys(layer_frames, {}),
        "tables": dict.fromkeys(table_frames, {}),
    }
    try:
        config = _from_layers_config(raw_config)
    except DataError as exc:
        return None, ProblemReport(exc.problems)
    entries = _entries({**layer_frames, **table_frames}, columns, options)
    base = Path.cwd() if root is None else Path(root)
    layer_sources = {k: _frame_source(k, v, entries[k]) for k, v in layer_frames.items()}
    table_sources = {k: _frame_source(k, v, entries[k]) for k, v in table_frames.items()}
    return build_workspace(
        config,
        layer_sources,
        table_sources,
        root=base,
        file=FROM_LAYERS,
        plan=plan if isinstance(plan, Plan) else None,
    )


def _from_layers_config(raw: dict[str, object]) -> _Config:
    """The config a workspace.yaml with these keys would give (absent keys left out, as in YAML)."""
    return _check_config({k: v for k, v in raw.items() if v is not None}, file=FROM_LAYERS)


def _entries(
    frames: Mapping[str, pd.DataFrame],
    columns: Mapping[str, Mapping[str, str]] | None,
    options: Mapping[str, Mapping[str, object]] | None,
) -> dict[str, _Entry]:
    """Each frame's entry: its ``options`` plus its ``columns`` (as one workspace.yaml entry)."""
    out: dict[str, _Entry] = {}
    for name in frames:
        entry = dict((options or {}).get(name) or {})
        if columns and name in columns:
            entry["columns"] = dict(columns[name])
        out[name] = cast(_Entry, entry)
    return out


def from_layers(communes: gpd.GeoDataFrame, **arguments: object) -> Workspace:
    """:func:`inspect_layers`, raising :class:`DataError` on errors (:meth:`Workspace.from_layers`)."""
    workspace, report = inspect_layers(communes, **arguments)  # type: ignore[arg-type]
    if workspace is None:
        raise DataError(report.problems, "problems.header_workspace")
    return workspace


def replace_layers(workspace: Workspace, layers: Mapping[str, gpd.GeoDataFrame]) -> Workspace:
    """``workspace`` with ``layers`` replaced, each validated as on load (:meth:`Workspace.with_layers`).

    Raises
    ------
    DataError
        Listing every error of the replaced layers (the workspace is not changed).
    """
    problems: list[Problem] = []
    merged = {name: workspace.layer(name) for name in workspace.layer_names}
    known = contracts()["layers"]
    for name in sorted(set(layers) - set(known)):
        problems.append(
            Problem.of(
                "problems.frame_unknown_layer",
                file=_frame_file(name),
                layer="workspace",
                feature=name,
                severity="error",
                name=repr(name),
                known=", ".join(known),
            )
        )
    order = sorted((n for n in layers if n in known), key=lambda n: (n != "communes", n))
    for name in order:
        codes = (
            merged["communes"]["commune_code"].dropna().astype(str).tolist() if name != "communes" else None
        )
        source = _frame_source(name, layers[name], {})
        frame = validated_layer(
            name, source, workspace.working_crs, codes, problems, values=workspace.values.get(name)
        )
        if frame is not None:
            merged[name] = frame
            if name == "communes":
                problems.extend(check_tiling(frame, file=source.file))
    found = ProblemReport(tuple(problems))
    if not found.ok:
        raise DataError(found.problems, "problems.header_layers")
    new = tuple(p for p in found.problems if p not in set(workspace.problems.problems))
    return dataclasses.replace(workspace, _layers=MappingProxyType(merged), problems=workspace.problems + new)

"""The Workspace: a district's layers, tables, plan and criteria set, validated, in one metric CRS.

A workspace is described by a ``workspace.yaml``::

    name: Tân Yên
    district: {name: Tân Yên, province: Bắc Giang, kind: huyen}   # kind: huyen, thi_xa, thanh_pho,
                                    # quan, tinh or xa_set (communes of no district); names outputs
    region: DBSCL                   # optional: the thresholds' region, else the province's
    working_crs: EPSG:9214          # VN-2000 / TM-3 107-00 (Bắc Giang); any metric CRS
    criteria_set: auto              # chosen by assessment date, or a set id
    status_year: 2023
    plan: package:tan_yen_2021_2025 # optional: a packaged plan or a path to a plan YAML; none: no plan
    layers:
      communes: {path: boundaries/communes.gpkg, layer: communes}
      roads: {path: roads.shp, crs: EPSG:9214}   # crs: required when the file has none
      villages: {path: thon.gpkg, columns: {village_id: ma_thon, name: ten_thon}}
    tables:
      commune_status: {path: status.xlsx, sheet: "2023", year: 2023, level: ntm}  # long or wide form
    criteria_overrides:             # a province's thresholds, without editing the package
      qd318_2022_xa: {"2.2": {ntm: {value: 75, source: "QĐ …/UBND tỉnh"}}}   # %
    values:                         # the office's own labels for vocabulary codes
      roads: {road_class: {"Đường làng": truc_thon}}   # per layer and column
      managed_by: {"Đội thủy nông": htx}               # or for every layer with the column
    network: {node: true, snap_m: 2}  # node the roads (crossings, ends ≤ 2 m) before market reach
    unit_costs: {roads: don_gia_duong.csv, canals: don_gia_kenh.xlsx}   # the province's unit prices

:func:`load_workspace` reads every file, collects every problem of every layer, and either returns
an immutable :class:`Workspace` or raises :class:`~ntmgis.problems.DataError` listing all errors.
:func:`inspect_workspace` does the same without raising, for ``ntmgis validate``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TypedDict, cast

import geopandas as gpd
import pandas as pd
import yaml

from ._frozen import freeze
from .crs import DEFAULT_WORKING_CRS, check_working_crs, parse_crs, to_working_crs
from .datasets import get_path
from .district import DISTRICT_KINDS, kind_code
from .io import (
    ReadResult,
    StatusRead,
    canonical_status,
    read_commune_status,
    read_layer,
    read_table,
    read_unit_costs,
    read_village_status,
)
from .plan import Plan, load_plan
from .problems import DataError, Problem, ProblemReport
from .validate import check_tiling, validate_layer, validate_table
from .vocab import ValueMappings, contracts, read_value_mappings

__all__ = ["Workspace", "load_workspace", "inspect_workspace", "sample_workspace_path"]

_KNOWN_KEYS = {
    "name",
    "district",
    "working_crs",
    "criteria_set",
    "status_year",
    "plan",
    "layers",
    "tables",
    "sample",
    "sample_note",
    "provenance",
    "criteria_overrides",
    "values",
    "network",
    "unit_costs",
    "region",
}
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
            Problem(
                file,
                "workspace",
                where,
                f"network must be a mapping, not {raw!r}",
                "write network: {node: true, snap_m: 2}",
                "error",
            )
        ]
    problems = [
        Problem(
            file, "workspace", where, f"unknown key {key!r} in network", "known keys: node, snap_m", "error"
        )
        for key in sorted(set(raw) - set(settings))
    ]
    node, snap = raw.get("node", False), raw.get("snap_m", settings["snap_m"])
    if not isinstance(node, bool):
        problems.append(
            Problem(
                file,
                "workspace",
                where,
                f"network.node must be true or false, not {node!r}",
                "write node: true to node the roads before market reach",
                "error",
            )
        )
    if isinstance(snap, bool) or not isinstance(snap, (int, float)) or not 0 <= snap <= 100:
        problems.append(
            Problem(
                file,
                "workspace",
                where,
                f"network.snap_m must be metres (0–100), not {snap!r}",
                "write snap_m: 2",
                "error",
            )
        )
    if not problems:
        settings = {"node": bool(node), "snap_m": float(snap)}
    return settings, problems


def _unit_costs(raw: object, root: Path, *, file: str, problems: list[Problem]) -> dict[str, pd.DataFrame]:
    """Read ``unit_costs: {roads: path, canals: path}`` (each optional) with :func:`read_unit_costs`."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"roads", "canals"}:
        problems.append(
            Problem(
                file,
                "workspace",
                "unit_costs",
                f"unit_costs must map roads/canals to files, not {raw!r}",
                "write unit_costs: {roads: don_gia.csv}",
                "error",
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


@dataclass(frozen=True)
class Workspace:
    """An immutable, validated district workspace.

    Layers and tables are returned as copies (:meth:`layer`, :meth:`table`), so no caller can
    change the workspace another caller sees; a scenario builds a new Workspace with
    :meth:`with_layers` instead.
    """

    name: str
    root: Path
    working_crs: str
    district: Mapping[str, str]
    criteria_set: str
    status_year: int | None
    plan: Plan | None
    sample: bool
    sample_note: Mapping[str, str] | None
    provenance: str
    criteria_overrides: Mapping[str, object] | None
    sources: Mapping[str, str]
    problems: ProblemReport
    _layers: Mapping[str, gpd.GeoDataFrame] = field(repr=False)
    _tables: Mapping[str, pd.DataFrame] = field(repr=False)
    #: How the road layer is prepared for reach: ``{"node": bool, "snap_m": float}`` (``network:``).
    network: Mapping[str, float] = field(default_factory=lambda: MappingProxyType(dict(NETWORK_DEFAULTS)))
    #: The user's unit-cost tables by network (``unit_costs:``); absent: the packaged assumption.
    unit_costs: Mapping[str, pd.DataFrame] = field(default_factory=lambda: MappingProxyType({}))
    #: ``region:`` of workspace.yaml: the thresholds' region instead of the province's (a GSO code).
    region: str | None = None

    @property
    def layer_names(self) -> tuple[str, ...]:
        """Names of the layers the workspace holds (``communes`` always among them)."""
        return tuple(self._layers)

    @property
    def table_names(self) -> tuple[str, ...]:
        """Names of the tables the workspace holds."""
        return tuple(self._tables)

    def has_layer(self, name: str) -> bool:
        """Whether the workspace holds layer ``name``."""
        return name in self._layers

    def layer(self, name: str) -> gpd.GeoDataFrame:
        """A copy of layer ``name`` in the working CRS."""
        if name not in self._layers:
            raise KeyError(
                f"workspace {self.name!r} has no layer {name!r} (it has: {', '.join(self._layers) or 'none'})"
            )
        return self._layers[name].copy()

    def table(self, name: str) -> pd.DataFrame:
        """A copy of table ``name``."""
        if name not in self._tables:
            raise KeyError(
                f"workspace {self.name!r} has no table {name!r} (it has: {', '.join(self._tables) or 'none'})"
            )
        return self._tables[name].copy()

    @property
    def communes(self) -> gpd.GeoDataFrame:
        """A copy of the ``communes`` layer."""
        return self.layer("communes")

    def note(self, lang: str = "vi") -> str | None:
        """The sample note to show on every output, or None for real data."""
        if not self.sample:
            return None
        note = self.sample_note or {}
        return note.get(lang) or note.get("vi") or "Dữ liệu minh họa — illustrative sample"

    def with_layers(self, **layers: gpd.GeoDataFrame) -> Workspace:
        """A new Workspace with some layers replaced (the original is unchanged)."""
        merged = dict(self._layers)
        merged.update({k: v.copy() for k, v in layers.items()})
        return dataclasses.replace(self, _layers=MappingProxyType(merged))

    def with_tables(self, **tables: pd.DataFrame) -> Workspace:
        """A new Workspace with some tables replaced (the original is unchanged).

        Status tables go through the status reader's id parsing (:func:`ntmgis.io.canonical_status`),
        as tables read from files do: the criteria engine takes them as they are.
        """
        merged = dict(self._tables)
        merged.update(
            {k: canonical_status(v) if k in _STATUS_TABLES else v.copy() for k, v in tables.items()}
        )
        return dataclasses.replace(self, _tables=MappingProxyType(merged))

    def with_criteria_overrides(self, overrides: Mapping[str, object] | None) -> Workspace:
        """A new Workspace whose ``criteria_overrides`` are ``overrides`` (frozen)."""
        return dataclasses.replace(self, criteria_overrides=None if overrides is None else freeze(overrides))


def _resolve_yaml(path: str | Path | None) -> Path:
    if path is None:
        path = sample_workspace_path()
    path = Path(path)
    if path.is_dir():
        path = path / "workspace.yaml"
    if not path.exists():
        hint = (
            "the embedded sample is missing: run `ntmgis sample`"
            if path == sample_workspace_path()
            else "give a folder with a workspace.yaml"
        )
        raise DataError(Problem(str(path), "workspace", "", "workspace.yaml not found", hint, "error"))
    return path


def _read_config(path: Path) -> _Config:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(
            Problem(
                str(path), "workspace", "", f"not a valid UTF-8 YAML file ({exc})", "fix the file", "error"
            )
        ) from None
    if (
        not isinstance(config, dict)
        or not isinstance(config.get("layers"), dict)
        or "communes" not in (config["layers"])
    ):
        raise DataError(
            Problem(
                str(path),
                "workspace",
                "",
                "no layers: communes: entry",
                "a workspace needs at least a communes layer",
                "error",
            )
        )
    for key in ("district", "tables", "criteria_overrides"):
        if config.get(key) is not None and not isinstance(config[key], dict):
            raise DataError(
                Problem(
                    str(path),
                    "workspace",
                    key,
                    f"{key}: must be a mapping",
                    "write it as {key: value, ...} (see the module docstring)",
                    "error",
                )
            )
    kind = (config.get("district") or {}).get("kind")
    if kind is not None and kind_code(kind) is None:
        raise DataError(
            Problem(
                str(path),
                "workspace",
                "district.kind",
                f"unknown kind {kind!r}",
                f"use one of {DISTRICT_KINDS}",
                "error",
            )
        )
    return cast(_Config, config)


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
    problems: list[Problem] = []
    for key in sorted(set(config) - _KNOWN_KEYS):
        problems.append(
            Problem(str(yaml_path), "workspace", key, f"unknown key {key!r}", "ignored", "warning")
        )
    try:
        working = parse_crs(config.get("working_crs", DEFAULT_WORKING_CRS), what="working_crs")
        check_working_crs(working)
        working_crs = f"EPSG:{working.to_epsg()}" if working.to_epsg() else working.to_wkt()
    except DataError as exc:
        return None, ProblemReport(tuple(problems) + exc.problems)

    value_maps, value_problems = read_value_mappings(config.get("values"), file=str(yaml_path))
    problems.extend(value_problems)
    network, network_problems = _network_settings(config.get("network"), file=str(yaml_path))
    problems.extend(network_problems)
    unit_costs = _unit_costs(config.get("unit_costs"), root, file=str(yaml_path), problems=problems)
    layer_specs = contracts()["layers"]
    table_specs = contracts()["tables"]
    layers: dict[str, gpd.GeoDataFrame] = {}
    sources: dict[str, str] = {}
    commune_codes: list[str] | None = None
    # communes first: every other layer's commune codes are checked against them.
    entries = config.get("layers") or {}
    order = ["communes"] + sorted(k for k in entries if k != "communes")
    for name in order:
        entry = entries[name]
        if name not in layer_specs:
            problems.append(
                Problem(
                    str(yaml_path),
                    "workspace",
                    name,
                    f"unknown layer {name!r}",
                    f"ignored; known layers: {', '.join(layer_specs)}",
                    "warning",
                )
            )
            continue
        frame = _load_layer(
            name, entry, root, working_crs, commune_codes, problems, sources, values=value_maps
        )
        if frame is not None:
            layers[name] = frame
            if name == "communes":
                commune_codes = frame["commune_code"].dropna().astype(str).tolist()
                problems.extend(check_tiling(frame, file=sources[name]))
    tables: dict[str, pd.DataFrame] = {}
    for name in sorted(config.get("tables") or {}):
        entry = config["tables"][name]
        if name not in table_specs:
            problems.append(
                Problem(
                    str(yaml_path),
                    "workspace",
                    name,
                    f"unknown table {name!r}",
                    f"ignored; known tables: {', '.join(table_specs)}",
                    "warning",
                )
            )
            continue
        frame = _load_table(
            name,
            entry,
            root,
            layers,
            problems,
            sources,
            status_year=config.get("status_year"),
            values=value_maps,
        )
        if frame is not None:
            tables[name] = frame

    plan, plan_ok = _read_plan(config.get("plan"), yaml_path, layers.get("communes"), problems)

    report = ProblemReport(tuple(problems))
    if not report.ok or not plan_ok or "communes" not in layers:
        return None, report
    sample_note = config.get("sample_note")
    workspace = Workspace(
        name=str(config.get("name", root.name)),
        root=root,
        working_crs=working_crs,
        district=MappingProxyType({str(k): str(v) for k, v in (config.get("district") or {}).items()}),
        criteria_set=str(config.get("criteria_set", "auto")),
        status_year=int(config["status_year"]) if config.get("status_year") else None,
        plan=plan,
        sample=bool(config.get("sample", False)),
        sample_note=MappingProxyType(dict(sample_note)) if isinstance(sample_note, dict) else None,
        provenance=str(config.get("provenance", "")).strip(),
        criteria_overrides=freeze(config.get("criteria_overrides")) or None,
        sources=MappingProxyType(sources),
        problems=report,
        _layers=MappingProxyType(layers),
        _tables=MappingProxyType(tables),
        network=MappingProxyType(network),
        unit_costs=MappingProxyType(unit_costs),
        region=str(config["region"]) if config.get("region") else None,
    )
    return workspace, report


def _entry_path(name: str, entry: object, root: Path, problems: list[Problem]) -> Path | None:
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict) or "path" not in entry:
        problems.append(
            Problem(
                str(root / "workspace.yaml"),
                "workspace",
                name,
                "entry has no path",
                "write {path: file, layer: name}",
                "error",
            )
        )
        return None
    return root / str(entry["path"])


def _load_layer(
    name: str,
    raw_entry: object,
    root: Path,
    working_crs: str,
    commune_codes: list[str] | None,
    problems: list[Problem],
    sources: dict[str, str],
    *,
    values: ValueMappings,
) -> gpd.GeoDataFrame | None:
    path = _entry_path(name, raw_entry, root, problems)
    if path is None:
        return None
    entry = cast(_Entry, raw_entry if isinstance(raw_entry, dict) else {})
    sources[name] = str(path)
    id_column = contracts()["layers"][name].get("id")
    try:
        read = read_layer(
            path, layer=entry.get("layer"), name=name, crs=entry.get("crs"), id_column=id_column
        )
    except DataError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(read.problems)
    if any(p.severity == "error" for p in read.problems):
        return None
    frame = _rename_columns(read.frame, entry, name=name, file=str(path), problems=problems)
    if frame is None:
        return None
    checked = validate_layer(
        frame, name, file=str(path), commune_codes=commune_codes, values=values.get(name)
    )
    problems.extend(checked.problems)
    if not checked.ok:
        return None
    return to_working_crs(checked.frame, working_crs).reset_index(drop=True)


def _load_table(
    name: str,
    raw_entry: object,
    root: Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    problems: list[Problem],
    sources: dict[str, str],
    *,
    status_year: int | None = None,
    values: ValueMappings,
) -> pd.DataFrame | None:
    path = _entry_path(name, raw_entry, root, problems)
    if path is None:
        return None
    entry = cast(_Entry, raw_entry if isinstance(raw_entry, dict) else {})
    sources[name] = str(path)
    commune_codes = layers["communes"]["commune_code"].astype(str).tolist() if "communes" in layers else None
    read: StatusRead | ReadResult
    try:
        if name == "commune_status" and "communes" in layers:
            # Status tables come long or in the wide office form, with names or codes.
            read = read_commune_status(
                path,
                layers["communes"],
                sheet=entry.get("sheet"),
                year=entry.get("year") or status_year,
                level=entry.get("level"),
            )
        elif name == "village_status" and "villages" in layers:
            read = read_village_status(
                path, layers["villages"], sheet=entry.get("sheet"), year=entry.get("year") or status_year
            )
        else:
            read = read_table(path, sheet=entry.get("sheet"), name=name)
    except DataError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(read.problems)
    frame = _rename_columns(read.frame, entry, name=name, file=str(path), problems=problems)
    if frame is None:
        return None
    checked = validate_table(
        frame, name, file=str(path), commune_codes=commune_codes, values=values.get(name)
    )
    problems.extend(checked.problems)
    return checked.frame.reset_index(drop=True) if checked.ok else None


def _rename_columns(
    frame: pd.DataFrame, entry: _Entry, *, name: str, file: str, problems: list[Problem]
) -> pd.DataFrame | None:
    """Apply the entry's ``columns: {contract_name: file_column}`` mapping.

    District files rarely use the contract's column names (``gso_code``, ``ten_xa``...); the
    user states the correspondence once in workspace.yaml instead of editing the source file.
    """
    mapping = entry.get("columns") or {}
    if not isinstance(mapping, dict):
        problems.append(
            Problem(
                file,
                name,
                "",
                "columns: must map contract names to file columns",
                "write columns: {commune_code: gso_code, ...}",
                "error",
            )
        )
        return None
    missing = [source for source in mapping.values() if source not in frame.columns]
    if missing:
        problems.append(
            Problem(
                file,
                name,
                "",
                f"columns {missing} named in workspace.yaml are not in the file",
                f"columns present: {', '.join(map(str, frame.columns))}",
                "error",
            )
        )
        return None
    clashes = [target for target, source in mapping.items() if target in frame.columns and target != source]
    renamed = frame.drop(columns=clashes).rename(columns={v: k for k, v in mapping.items()})
    return renamed


def _read_plan(
    ref: object, yaml_path: Path, communes: gpd.GeoDataFrame | None, problems: list[Problem]
) -> tuple[Plan | None, bool]:
    """The plan ``plan:`` names (``None`` without the key: the plan is optional) and whether it read."""
    if ref is None:
        problems.append(
            Problem(
                str(yaml_path),
                "plan",
                "",
                "no plan: criteria, coverage and gaps are assessed (target NTM), not progress against a plan",
                "add plan: (package:<id> or a plan YAML) to workspace.yaml for schedules, targets and budget",
                "info",
            )
        )
        return None, True
    names = None if communes is None else dict(zip(communes["commune_code"], communes["name"], strict=True))
    try:
        plan = load_plan(str(ref), base_dir=yaml_path.parent, communes=names)
    except DataError as exc:
        problems.extend(exc.problems)
        return None, False
    problems.extend(plan.problems)
    return plan, True


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
    """
    workspace, report = inspect_workspace(path)
    if workspace is None:
        raise DataError(report.problems, f"workspace cannot be used: {len(report.errors)} error(s)")
    return workspace

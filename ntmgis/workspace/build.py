"""The one validation of a workspace: a config and its raw frames → a Workspace and its problems.

Both ways in go through :func:`build_workspace`: :func:`ntmgis.workspace.inspect_workspace` (the
frames read from the files workspace.yaml names) and :meth:`Workspace.from_layers` (frames a
notebook already holds). A :class:`_Source` says where a frame comes from; everything after the
read — column mappings, the status reader, the contracts, value mappings, repairs, the working
CRS, the plan's units — is the same code, so both give the same workspace and the same problems
(apart from the file name shown).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import cast

import geopandas as gpd
import pandas as pd

from .._frozen import freeze
from ..crosswalk import workspace_crosswalk, workspace_unit_period
from ..crs import DEFAULT_WORKING_CRS, check_working_crs, parse_crs, resolve_layer_crs, to_working_crs
from ..district import DISTRICT_KINDS
from ..io import ReadResult, StatusRead, fix_legacy_columns, status_from_frame
from ..io.recognitions import unique_recognitions
from ..io.safe_text import strip_control_characters
from ..names import strip_prefix
from ..plan import Plan, load_plan
from ..problems import DataError, Problem, ProblemReport
from ..units_groups import workspace_units_groups
from ..validate import check_tiling, validate_layer, validate_table
from ..vocab import ValueMappings, contracts, read_value_mappings
from .config import (
    _Config,
    _Entry,
    _market_radius,
    _network_settings,
    _unit_costs,
    entry_key_problems,
    uncovered,
)
from .model import Workspace


@dataclass(frozen=True)
class _Source:
    """Where one layer or table comes from: the name shown in problems and how to read it.

    ``read`` returns the frame as read (repaired where said, e.g. legacy text, the CRS) or raises
    :class:`DataError`; ``level_hints`` are ``(kind, text)`` pairs (``("sheet", "NTM nâng cao")``,
    ``("file", "tt_nang_cao.xlsx")``) a wide status table's level may be read from, in order.
    """

    file: str
    entry: _Entry
    read: Callable[[], ReadResult]
    level_hints: tuple[tuple[str, str], ...] = ()


def frame_read(frame: pd.DataFrame, *, name: str, file: str, crs: object | None = None) -> ReadResult:
    """What reading a file does to a frame, for a frame held in memory: legacy text, then the CRS.

    Tables get the legacy-text repair only; layers (GeoDataFrames) also have their CRS resolved
    (stated ``crs`` overrides the frame's, a VN-2000 datum is reinterpreted, none is an error).
    """
    spec = contracts()["layers"].get(name) or contracts()["tables"].get(name) or {}
    if name in contracts()["layers"] and not isinstance(frame, gpd.GeoDataFrame):
        raise DataError(
            Problem.of(
                "problems.layer_not_geodataframe",
                file=file,
                layer=name,
                severity="error",
                name=name,
                type=type(frame).__name__,
            )
        )
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            Problem.of("problems.table_not_dataframe", file=file, layer=name, severity="error", name=name)
        )
    fixed_frame, problems = fix_legacy_columns(frame, file=file, layer=name, id_column=spec.get("id"))
    found = list(problems)
    if isinstance(fixed_frame, gpd.GeoDataFrame):
        fixed_frame, crs_problems = resolve_layer_crs(fixed_frame, declared=crs, file=file, layer=name)
        found.extend(crs_problems)
    return ReadResult(fixed_frame, tuple(found))


def _without_controls(read: ReadResult, file: str, name: str) -> ReadResult:
    """The frame with control characters out of its text (a workbook cannot hold them), said."""
    frame, found = strip_control_characters(read.frame, file=file, layer=name)
    return ReadResult(frame, read.problems + tuple(found)) if found else read


def _working_crs(raw: object) -> str:
    working = parse_crs(raw, what="working_crs")
    check_working_crs(working)
    return f"EPSG:{working.to_epsg()}" if working.to_epsg() else working.to_wkt()


def build_workspace(
    config: _Config,
    layers: Mapping[str, _Source],
    tables: Mapping[str, _Source],
    *,
    root: Path,
    file: str,
    plan: Plan | None = None,
) -> tuple[Workspace | None, ProblemReport]:
    """Validate ``config`` and the frames its sources give; never raises on bad data.

    Parameters
    ----------
    config : workspace.yaml as read (its ``layers:``/``tables:`` entries are not read here:
        ``layers`` and ``tables`` are).
    layers, tables : mapping of name to :class:`_Source`
    root : Path
        Folder relative paths (plan, unit costs) are read from.
    file : str
        Name of the workspace description in problems (the workspace.yaml, or ``<from_layers>``).
    plan : Plan, optional
        A plan already loaded; else ``config["plan"]`` is loaded.

    Returns
    -------
    (Workspace or None, ProblemReport)
        The workspace when no problem is an error, else None; and all problems found.
    """
    problems: list[Problem] = []
    layout_problems = entry_key_problems(config, file=file)  # every level; added once the readers spoke
    problems.extend(_kind_defaulted(config.get("district"), file))
    try:
        working_crs = _working_crs(config.get("working_crs", DEFAULT_WORKING_CRS))
    except DataError as exc:
        reported = [*problems, *exc.problems]
        return None, ProblemReport((*uncovered(layout_problems, reported), *reported))

    value_maps, value_problems = read_value_mappings(config.get("values"), file=file)
    problems.extend(value_problems)
    network, network_problems = _network_settings(config.get("network"), file=file)
    problems.extend(network_problems)
    radius, radius_problems = _market_radius(config.get("market_radius_m"), file=file)
    problems.extend(radius_problems)
    unit_costs = _unit_costs(config.get("unit_costs"), root, file=file, problems=problems)
    sources: dict[str, str] = {}
    frames = _build_layers(layers, working_crs, problems, sources, values=value_maps, file=file)
    status_year = config.get("status_year")
    table_frames = _build_tables(tables, frames, problems, sources, status_year, values=value_maps, file=file)

    if plan is None:
        plan, plan_ok = _read_plan(config.get("plan"), root, file, frames.get("communes"), problems)
    else:
        plan_ok = True
        problems.extend(plan.problems)

    if "communes" in frames and isinstance(config.get("commune_groups"), dict):
        frames["communes"] = _with_commune_groups(frames["communes"], config["commune_groups"])
    crosswalk, crosswalk_problems = workspace_crosswalk(
        config.get("crosswalk"),
        root,
        file=file,
        communes=frames.get("communes"),
        period=config.get("unit_period"),
    )
    problems.extend(crosswalk_problems)
    unit_period, period_problems = workspace_unit_period(
        config.get("unit_period"), crosswalk, frames.get("communes"), file=file
    )
    problems.extend(period_problems)
    units_groups, groups_problems = workspace_units_groups(config.get("units_groups"), root, file=file)
    problems.extend(groups_problems)
    problems[:0] = uncovered(layout_problems, problems)
    report = ProblemReport(tuple(problems))
    if not report.ok or not plan_ok or "communes" not in frames:
        return None, report
    sample_note = config.get("sample_note")
    told = config.get("provenance", "")
    # ``provenance: {vi: ..., en: ...}`` is shown in the output's language; a plain string as written.
    told_texts: dict[str, str] = (
        {str(k): str(v).strip() for k, v in told.items()} if isinstance(told, dict) else {}
    )
    workspace = Workspace(
        name=str(config.get("name", root.name)),
        root=root,
        working_crs=working_crs,
        district=MappingProxyType({str(k): str(v) for k, v in (config.get("district") or {}).items()}),
        criteria_set=str(config.get("criteria_set", "auto")),
        status_year=int(status_year) if status_year else None,
        plan=plan,
        sample=bool(config.get("sample", False)),
        sample_note=MappingProxyType(dict(sample_note)) if isinstance(sample_note, dict) else None,
        provenance=(told_texts.get("en") or told_texts.get("vi") or "") if told_texts else str(told).strip(),
        provenance_texts=MappingProxyType(told_texts),
        criteria_overrides=freeze(config.get("criteria_overrides")) or None,
        sources=MappingProxyType(sources),
        problems=report,
        _layers=MappingProxyType(frames),
        _tables=MappingProxyType(table_frames),
        network=MappingProxyType(network),
        unit_costs=MappingProxyType(unit_costs),
        market_radius_m=radius,
        values=freeze(value_maps),
        region=str(config["region"]) if config.get("region") else None,
        crosswalk=crosswalk,
        unit_period=unit_period,
        units_groups=freeze(units_groups) if units_groups is not None else None,
        units_groups_file=str(root / raw) if isinstance(raw := config.get("units_groups"), str) else file,
    )
    return workspace, report


def _kind_defaulted(district: object, file: str) -> list[Problem]:
    """Say so when the unit's kind (which names every output) is a default, not the user's."""
    if not isinstance(district, dict) or not district.get("name") or district.get("kind") is not None:
        return []
    if strip_prefix(str(district["name"]))[0] in DISTRICT_KINDS:
        return []  # "Thị xã Việt Yên": the name says it
    return [
        Problem.of(
            "problems.district_kind_defaulted",
            file=file,
            layer="workspace",
            feature="district.kind",
            severity="info",
            name=repr(district["name"]),
            known=", ".join(DISTRICT_KINDS),
        )
    ]


def _build_layers(
    layers: Mapping[str, _Source],
    working_crs: str,
    problems: list[Problem],
    sources: dict[str, str],
    *,
    values: ValueMappings,
    file: str,
) -> dict[str, gpd.GeoDataFrame]:
    """Every layer validated, communes first: every other layer's commune codes are checked against them."""
    layer_specs = contracts()["layers"]
    frames: dict[str, gpd.GeoDataFrame] = {}
    commune_codes: list[str] | None = None
    order = ["communes"] + sorted(k for k in layers if k != "communes")
    for name in order:
        if name not in layer_specs:
            problems.append(
                Problem.of(
                    "problems.workspace_unknown_layer",
                    file=file,
                    layer="workspace",
                    feature=name,
                    name=repr(name),
                    known=", ".join(layer_specs),
                )
            )
            continue
        source = layers[name]
        sources[name] = source.file
        frame = validated_layer(name, source, working_crs, commune_codes, problems, values=values.get(name))
        if frame is not None:
            frames[name] = frame
            if name == "communes":
                commune_codes = frame["commune_code"].dropna().astype(str).tolist()
                problems.extend(check_tiling(frame, file=source.file))
    return frames


def _build_tables(
    tables: Mapping[str, _Source],
    layers: Mapping[str, gpd.GeoDataFrame],
    problems: list[Problem],
    sources: dict[str, str],
    status_year: int | None,
    *,
    values: ValueMappings,
    file: str,
) -> dict[str, pd.DataFrame]:
    table_specs = contracts()["tables"]
    frames: dict[str, pd.DataFrame] = {}
    for name in sorted(tables):
        if name not in table_specs:
            problems.append(
                Problem.of(
                    "problems.workspace_unknown_table",
                    file=file,
                    layer="workspace",
                    feature=name,
                    name=repr(name),
                    known=", ".join(table_specs),
                )
            )
            continue
        source = tables[name]
        sources[name] = source.file
        frame = _validated_table(name, source, layers, problems, status_year=status_year, values=values)
        if frame is not None:
            frames[name] = frame
    return frames


def validated_layer(
    name: str,
    source: _Source,
    working_crs: str,
    commune_codes: list[str] | None,
    problems: list[Problem],
    *,
    values: Mapping[str, Mapping[str, str]] | None,
) -> gpd.GeoDataFrame | None:
    """One layer read, renamed (``columns:``), validated and in the working CRS; None on an error."""
    try:
        read = _without_controls(source.read(), source.file, name)
    except DataError as exc:
        problems.extend(exc.problems)
        return None
    problems.extend(read.problems)
    if any(p.severity == "error" for p in read.problems):
        return None
    frame = _rename_columns(read.frame, source.entry, name=name, file=source.file, problems=problems)
    if frame is None:
        return None
    checked = validate_layer(frame, name, file=source.file, commune_codes=commune_codes, values=values)
    problems.extend(checked.problems)
    if not checked.ok:
        return None
    return to_working_crs(checked.frame, working_crs).reset_index(drop=True)


def _validated_table(
    name: str,
    source: _Source,
    layers: Mapping[str, gpd.GeoDataFrame],
    problems: list[Problem],
    *,
    status_year: int | None = None,
    values: ValueMappings,
) -> pd.DataFrame | None:
    entry, file = source.entry, source.file
    commune_codes = layers["communes"]["commune_code"].astype(str).tolist() if "communes" in layers else None
    try:
        read: StatusRead | ReadResult = _without_controls(source.read(), source.file, name)
    except DataError as exc:
        problems.extend(exc.problems)
        return None
    year = entry.get("year") or status_year
    if name == "commune_status" and "communes" in layers:
        # Status tables come long or in the wide office form, with names or codes.
        found = status_from_frame(
            read.frame,
            units=layers["communes"],
            unit="commune",
            file=file,
            year=year,
            level=entry.get("level"),
            level_hints=source.level_hints,
        )
        read = StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)
    elif name == "village_status" and "villages" in layers:
        found = status_from_frame(
            read.frame, units=layers["villages"], unit="village", file=file, year=year, level="kieu_mau"
        )
        read = StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)
    problems.extend(read.problems)
    frame = _rename_columns(read.frame, entry, name=name, file=file, problems=problems)
    if frame is None:
        return None
    checked = validate_table(frame, name, file=file, commune_codes=commune_codes, values=values.get(name))
    problems.extend(checked.problems)
    if not checked.ok:
        return None
    if name == "recognitions":
        # One decision per commune and level: a second one is kept once or refused, never picked.
        kept, twice = unique_recognitions(checked.frame, file=file)
        problems.extend(twice)
        return None if any(p.severity == "error" for p in twice) else kept.reset_index(drop=True)
    return checked.frame.reset_index(drop=True)


def _rename_columns(
    frame: pd.DataFrame, entry: _Entry, *, name: str, file: str, problems: list[Problem]
) -> pd.DataFrame | None:
    """Apply the entry's ``columns: {contract_name: file_column}`` mapping.

    District files rarely use the contract's column names (``gso_code``, ``ten_xa``...); the
    user states the correspondence once in workspace.yaml instead of editing the source file.
    """
    mapping = entry.get("columns") or {}
    if not isinstance(mapping, dict):
        problems.append(Problem.of("problems.columns_not_mapping", file=file, layer=name, severity="error"))
        return None
    missing = [source for source in mapping.values() if source not in frame.columns]
    if missing:
        problems.append(
            Problem.of(
                "problems.columns_not_in_file",
                file=file,
                layer=name,
                severity="error",
                missing=str(missing),
                present=", ".join(map(str, frame.columns)),
            )
        )
        return None
    clashes = [target for target, source in mapping.items() if target in frame.columns and target != source]
    renamed = frame.drop(columns=clashes).rename(columns={v: k for k, v in mapping.items()})
    return cast(pd.DataFrame, renamed)


def _read_plan(
    ref: object, root: Path, file: str, communes: gpd.GeoDataFrame | None, problems: list[Problem]
) -> tuple[Plan | None, bool]:
    """The plan ``plan:`` names (``None`` without the key: the plan is optional) and whether it read."""
    if ref is None:
        problems.append(Problem.of("problems.no_plan", file=file, layer="plan", severity="info"))
        return None, True
    names = None if communes is None else dict(zip(communes["commune_code"], communes["name"], strict=True))
    try:
        plan = load_plan(str(ref), base_dir=root, communes=names)
    except DataError as exc:
        problems.extend(exc.problems)
        return None, False
    problems.extend(plan.problems)
    return plan, True


def _with_commune_groups(communes: gpd.GeoDataFrame, groups: Mapping[str, object]) -> gpd.GeoDataFrame:
    """``commune_groups: {code: group}`` of workspace.yaml as the communes' ``commune_group`` column
    (QĐ 51/2025 thresholds per group); a group already in the layer's column is kept."""
    by_code = {str(k): v for k, v in groups.items()}
    given = communes["commune_group"] if "commune_group" in communes.columns else None
    mapped = communes["commune_code"].astype(str).map(by_code)
    column = (
        mapped if given is None else given.where(given.notna() & given.astype(str).str.strip().ne(""), mapped)
    )
    return communes.assign(commune_group=column.astype(object))

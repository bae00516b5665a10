"""Scenarios written in YAML: ``{name, as_of?, description?, edits: [{kind: {field: value}}]}``.

A file holds one scenario or ``{scenarios: [scenario, ...]}``; it is read with
``yaml.safe_load`` (nothing in it is executed) and every mistake of every scenario is listed in
one :class:`~ntmgis.problems.DataError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..io import read_yaml
from ..problems import DataError, Problem
from .edits import (
    AddFacility,
    AddMarket,
    AddZone,
    Concretize,
    Edit,
    LineCanals,
    Scenario,
    SetStatus,
    SetThreshold,
    SetUnitCost,
    SetZone,
    UpgradeMarket,
)

__all__ = ["load_scenario", "load_scenarios", "scenario_from_mapping"]

# YAML kind → (edit type, YAML field → edit field).
_YAML_EDITS: dict[str, tuple[type[Edit], dict[str, str]]] = {
    "concretize": (
        Concretize,
        {
            "segments": "segment_ids",
            "commune": "commune_code",
            "class": "road_class",
            "road_class": "road_class",
            "polygon": "polygon",
            "surface": "surface",
            "year": "year",
        },
    ),
    "line_canals": (
        LineCanals,
        {
            "segments": "segment_ids",
            "commune": "commune_code",
            "level": "canal_level",
            "canal_level": "canal_level",
            "polygon": "polygon",
            "lining": "lining",
            "year": "year",
        },
    ),
    "add_market": (
        AddMarket,
        {
            "id": "market_id",
            "x": "x",
            "y": "y",
            "commune": "commune_code",
            "name": "name",
            "standard_met": "standard_met",
            "year": "year",
        },
    ),
    "upgrade_market": (UpgradeMarket, {"id": "market_id", "year": "year"}),
    "add_facility": (
        AddFacility,
        {
            "id": "facility_id",
            "kind": "kind",
            "x": "x",
            "y": "y",
            "commune": "commune_code",
            "village": "village_id",
            "name": "name",
            "standard_met": "standard_met",
        },
    ),
    "add_zone": (
        AddZone,
        {
            "id": "zone_id",
            "polygon": "polygon",
            "crop": "crop",
            "vietgap": "vietgap",
            "growing_area_code": "growing_area_code",
            "name": "name",
        },
    ),
    "set_zone": (
        SetZone,
        {
            "id": "zone_id",
            "polygon": "polygon",
            "vietgap": "vietgap",
            "growing_area_code": "growing_area_code",
        },
    ),
    "set_status": (
        SetStatus,
        {
            "commune": "commune_code",
            "village": "village_id",
            "criterion": "criterion",
            "indicator": "indicator",
            "level": "level",
            "met": "met",
            "year": "year",
        },
    ),
    "set_threshold": (
        SetThreshold,
        {"set": "set_id", "indicator": "indicator", "level": "level", "value": "value"},
    ),
    "set_unit_cost": (
        SetUnitCost,
        {
            "class": "klass",
            "target": "target",
            "million_vnd_per_km": "million_vnd_per_km",
            "network": "network",
        },
    ),
}

# Edit fields that are identifiers: read as text even when YAML reads ``07303`` as a number.
_TEXT_FIELDS = frozenset(
    {"commune_code", "village_id", "criterion", "indicator", "market_id", "zone_id", "facility_id"}
)


def _argument(name: str, value: Any) -> Any:
    if name == "segment_ids":
        return tuple(map(str, value))
    if name in _TEXT_FIELDS and value is not None:
        return str(value)
    return value


def _edit(item: Any, where: str, source: str) -> Edit | Problem:
    """One ``{kind: {fields}}`` entry as an edit, or the problem that stops it."""

    def problem(message: str) -> Problem:
        return Problem(source, "scenario", where, message, "not read", "error")

    if not isinstance(item, Mapping) or len(item) != 1:
        return problem("each edit is one {kind: {fields}} entry")
    ((kind, fields),) = item.items()
    if kind not in _YAML_EDITS:
        return problem(f"unknown edit {kind!r} (known: {', '.join(_YAML_EDITS)})")
    cls, names = _YAML_EDITS[kind]
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(names))
    if unknown:
        return problem(f"{kind}: unknown fields {unknown}")
    try:
        return cls(**{names[k]: _argument(names[k], v) for k, v in fields.items()})
    except TypeError as exc:
        return problem(f"{kind}: {exc}")


def scenario_from_mapping(data: Mapping[str, Any], *, source: str = "scenario") -> Scenario:
    """A Scenario from parsed YAML: ``{name, as_of?, description?, edits: [{kind: {field: value}}]}``.

    Raises
    ------
    DataError
        Listing every edit that is not understood (unknown kind or field, missing field).
    """
    if not isinstance(data, Mapping) or "name" not in data:
        message = "a scenario needs a name and a list of edits"
        raise DataError([Problem(source, "scenario", "", message, "not read", "error")])
    read = [_edit(item, f"edit {n}", source) for n, item in enumerate(data.get("edits") or [], start=1)]
    problems = [r for r in read if isinstance(r, Problem)]
    if problems:
        raise DataError(problems)
    return Scenario(
        name=str(data["name"]),
        edits=tuple(r for r in read if not isinstance(r, Problem)),
        as_of=data.get("as_of"),
        description=str(data.get("description") or ""),
    )


def _read_yaml(path: Path) -> Any:
    data, problems = read_yaml(path, layer="scenario")
    if problems:
        raise DataError(list(problems))
    return data


def load_scenario(path: str | Path) -> Scenario:
    """Read one scenario from a YAML file (``yaml.safe_load``; nothing in it is executed)."""
    path = Path(path)
    return scenario_from_mapping(_read_yaml(path), source=str(path))


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a YAML file holding one scenario or ``{scenarios: [scenario, ...]}``.

    Raises
    ------
    DataError
        Every problem of every scenario, and names used twice.
    """
    path = Path(path)
    data = _read_yaml(path)
    items = data.get("scenarios") if isinstance(data, Mapping) and "scenarios" in data else [data]
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for item in items or []:
        try:
            scenarios.append(scenario_from_mapping(item, source=str(path)))
        except DataError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in scenarios]
    for name in sorted({n for n in names if names.count(n) > 1 or n == "baseline"}):
        problems.append(
            Problem(
                str(path),
                "scenario",
                name,
                "scenario names must be unique and not 'baseline'",
                "not read",
                "error",
            )
        )
    if not scenarios and not problems:
        problems.append(Problem(str(path), "scenario", "", "no scenario in the file", "not read", "error"))
    if problems:
        raise DataError(problems)
    return scenarios

"""Scenarios written in YAML: ``{name, as_of?, description?, edits: [{kind: {field: value}}]}``.

A file holds one scenario or ``{scenarios: [scenario, ...]}``; it is read with
``yaml.safe_load`` (nothing in it is executed) and every mistake of every scenario is listed in
one :class:`~ntmgis.problems.DataError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from ..io import read_yaml
from ..problems import DataError, ParamValue, Problem
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

__all__ = ["load_scenario", "load_scenarios", "scenario_from_mapping", "scenario_value_problems"]

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


# What YAML may give each edit field (after identifiers are read as text); None is "not given".
_NUMBER = (int, float)
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "x": _NUMBER,
    "y": _NUMBER,
    "value": _NUMBER,
    "million_vnd_per_km": _NUMBER,
    "year": (int,),
    "standard_met": (bool,),
    "vietgap": (bool,),
    "met": (bool,),
    **dict.fromkeys(
        (
            "road_class",
            "canal_level",
            "surface",
            "lining",
            "polygon",
            "kind",
            "crop",
            "name",
            "growing_area_code",
            "level",
            "set_id",
            "klass",
            "target",
            "network",
        ),
        (str,),
    ),
}
# Bounds of the numbers an edit gives: a negative price or length is a typing mistake, never a plan.
# 1,000,000 million VND (1,000 billion) per km is far above any rural road or canal.
_FIELD_RANGES: dict[str, tuple[float, float]] = {
    "million_vnd_per_km": (0.0, 1_000_000.0),
    "value": (0.0, 1e9),
    "year": (1900, 2100),
}


def _field_mistakes(kind: str, arguments: Mapping[str, object]) -> list[tuple[str, dict[str, ParamValue]]]:
    """Every field of one edit whose value has the wrong type or is out of bounds: (key, params)."""
    import math

    mistakes: list[tuple[str, dict[str, ParamValue]]] = []
    for name, value in arguments.items():
        kinds = _FIELD_TYPES.get(name)
        if value is None or kinds is None:
            continue
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            wanted = (
                " or ".join(k.__name__ for k in kinds).replace("str", "text").replace("bool", "true/false")
            )
            fields: dict[str, ParamValue] = {
                "kind": kind,
                "name": name,
                "wanted": wanted,
                "value": repr(value),
            }
            mistakes.append(("problems.scenario_field_type", fields))
            continue
        low, high = _FIELD_RANGES.get(name, (-math.inf, math.inf))
        if isinstance(value, int | float) and not (math.isfinite(value) and low <= value <= high):
            bounds = {"low": f"{low:g}", "high": f"{high:g}", "value": repr(value)}
            mistakes.append(("problems.scenario_field_range", {"kind": kind, "name": name, **bounds}))
    segments = arguments.get("segment_ids")
    if segments is not None and not (
        isinstance(segments, list | tuple) and all(isinstance(v, str | int) for v in segments)
    ):
        mistakes.append(("problems.scenario_segments_not_list", {"kind": kind, "value": repr(segments)}))
    return mistakes


def _did_you_mean(unknown: list[str], names: Mapping[str, str]) -> str:
    """``'year'`` for a single unknown field close to a known one, ``'yaer' → 'year', …`` for several;
    ``""`` when none is close."""
    import difflib

    close = {
        word: match[0]
        for word in unknown
        if (match := difflib.get_close_matches(word, list(names), n=1, cutoff=0.6))
    }
    if len(unknown) == 1 and close:
        return repr(close[unknown[0]])
    return ", ".join(f"{w!r} → {m!r}" for w, m in close.items())


def _edit(item: object, where: str, source: str) -> Edit | list[Problem]:
    """One ``{kind: {fields}}`` entry as an edit, or the problems that stop it.

    The field values are whatever YAML read; the edit's constructor (a missing or unknown field)
    and the conversions below (segment ids are a list) are where they are checked.
    """

    def problem(key: str, **params: ParamValue) -> Problem:
        return Problem.from_params(
            f"problems.{key}", params, file=source, layer="scenario", feature=where, severity="error"
        )

    if not isinstance(item, Mapping) or len(item) != 1:
        return [problem("scenario_edit_shape")]
    ((kind, fields),) = item.items()
    if not isinstance(kind, str) or kind not in _YAML_EDITS:
        return [problem("scenario_unknown_edit", kind=repr(kind), known=", ".join(_YAML_EDITS))]
    cls, names = _YAML_EDITS[kind]
    if not isinstance(fields, Mapping | None):
        return [problem("scenario_fields_not_mapping", kind=kind)]
    fields = dict(fields or {})
    unknown = sorted(str(k) for k in fields if not isinstance(k, str) or k not in names)
    if unknown:
        close = _did_you_mean(unknown, names)
        if close:
            return [problem("scenario_unknown_field_close", kind=kind, fields=str(unknown), close=close)]
        return [
            problem("scenario_unknown_fields_known", kind=kind, fields=str(unknown), known=", ".join(names))
        ]
    arguments = {names[k]: v for k, v in fields.items()}
    mistakes = _field_mistakes(kind, arguments)
    if mistakes:
        return [
            Problem.from_params(key, params, file=source, layer="scenario", feature=where, severity="error")
            for key, params in mistakes
        ]
    try:
        if "segment_ids" in arguments:
            arguments["segment_ids"] = tuple(map(str, arguments["segment_ids"]))
        # Identifiers are text even when YAML reads ``07303`` as a number.
        for name in _TEXT_FIELDS & arguments.keys():
            if arguments[name] is not None:
                arguments[name] = str(arguments[name])
        return cls(**arguments)
    except TypeError as exc:
        return [problem("scenario_edit_invalid", kind=kind, error=str(exc))]


def scenario_from_mapping(data: Mapping[str, object], *, source: str = "scenario") -> Scenario:
    """A Scenario from parsed YAML: ``{name, as_of?, description?, edits: [{kind: {field: value}}]}``.

    Raises
    ------
    DataError
        Listing every edit that is not understood (unknown kind or field, missing field).
    """

    def problem(where: str, key: str, **params: ParamValue) -> Problem:
        return Problem.from_params(
            f"problems.{key}", params, file=source, layer="scenario", feature=where, severity="error"
        )

    if not isinstance(data, Mapping) or "name" not in data:
        raise DataError([problem("", "scenario_no_name")])
    items = data.get("edits") or []
    if not isinstance(items, list | tuple):
        raise DataError([problem("edits", "scenario_edits_not_list")])
    label = f"{data['name']}: " if isinstance(data.get("name"), str | int) else ""
    read = [_edit(item, f"{label}edit {n}", source) for n, item in enumerate(items, start=1)]
    problems = [p for r in read if isinstance(r, list) for p in r]
    problems.extend(_layout_problems(data, "scenario", source, label, own=("name", "as_of", "edits")))
    as_of = data.get("as_of")
    year = as_of if isinstance(as_of, int) and not isinstance(as_of, bool) else None
    if as_of is not None and year is None:
        problems.insert(0, problem("as_of", "scenario_as_of", value=repr(as_of)))
    if problems:
        raise DataError(problems)
    return Scenario(
        name=str(data["name"]),
        edits=tuple(r for r in read if not isinstance(r, list)),
        as_of=year,
        description=str(data.get("description") or ""),
    )


def _layout_problems(
    data: Mapping[str, object], kind: str, source: str, label: str, *, own: tuple[str, ...]
) -> list[Problem]:
    """The errors of ``ntmgis/schemas/<kind>.yaml`` on keys the code here does not word itself."""
    from ..schema import problems_of

    return [
        replace(p, feature=f"{label}{p.feature}")
        for p in problems_of(data, kind, file=source)
        if p.feature.split(".")[0].split("[")[0] not in own
    ]


def _read_yaml(path: Path) -> object:
    data, problems = read_yaml(path, layer="scenario")
    if problems:
        raise DataError(list(problems))
    return data


def _as_mapping(data: object) -> Mapping[str, object]:
    """What YAML read, as a scenario's mapping: anything else is a scenario with no name."""
    return data if isinstance(data, Mapping) else {}


def load_scenario(path: str | Path) -> Scenario:
    """Read one scenario from a YAML file (``yaml.safe_load``; nothing in it is executed)."""
    path = Path(path)
    return scenario_from_mapping(_as_mapping(_read_yaml(path)), source=str(path))


def load_scenarios(path: str | Path) -> list[Scenario]:
    """Read a YAML file holding one scenario or ``{scenarios: [scenario, ...]}``.

    Raises
    ------
    DataError
        Every problem of every scenario, and names used twice.
    """
    path = Path(path)
    data = _read_yaml(path)
    if isinstance(data, Mapping) and "scenarios" in data:
        listed = data["scenarios"] or []
        if not isinstance(listed, list | tuple):
            raise DataError(
                Problem.of(
                    "problems.scenario_list_not_list",
                    file=str(path),
                    layer="scenario",
                    feature="scenarios",
                    severity="error",
                    type=type(listed).__name__,
                    example="scenarios: [{name: ..., edits: [...]}, ...]",
                )
            )
        items = list(listed)
        file_problems = _layout_problems(data, "scenario_file", str(path), "", own=("scenarios",))
        if file_problems:
            raise DataError(file_problems)
    else:
        items = [data]
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for item in items:
        try:
            scenarios.append(scenario_from_mapping(_as_mapping(item), source=str(path)))
        except DataError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in scenarios]
    for name in sorted({n for n in names if names.count(n) > 1 or n == "baseline"}):
        problems.append(
            Problem.of(
                "problems.scenario_names_unique",
                file=str(path),
                layer="scenario",
                feature=name,
                severity="error",
                reserved="'baseline'",
            )
        )
    if not scenarios and not problems:
        problems.append(
            Problem.of("problems.scenario_none", file=str(path), layer="scenario", severity="error")
        )
    if problems:
        raise DataError(problems)
    return scenarios


class _Fail(Protocol):
    """``fail(where, key, **params)``: records the problem ``problems.<key>``."""

    def __call__(self, where: str, key: str, /, **params: ParamValue) -> None: ...


#: Last year a scenario may name (as the workspace's ``status_year``).
LAST_YEAR = 2100


def scenario_value_problems(
    scenarios: list[Scenario],
    *,
    source: str,
    first_year: int | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> list[Problem]:
    """Values a scenario cannot mean, once the workspace is known: every one is an error.

    The types and the fixed bounds (no negative cost or threshold, years 1900–2100) are checked
    when the file is read; here, against the workspace: a year (``as_of`` or an edit's ``year``)
    before ``first_year`` (the first year of the workspace's plan) or after 2100, and a new
    market or facility farther from the district than its own width (``bounds``: the communes'
    bounds in the working CRS) — a point in another CRS or a typing mistake.

    Examples
    --------
    >>> from ntmgis.scenario.edits import AddMarket, Scenario, UpgradeMarket
    >>> s = Scenario("a", edits=(UpgradeMarket("M1", year=2019), AddMarket("M9", 9e6, 0, "1")))
    >>> for p in scenario_value_problems([s], source="s.yaml", first_year=2021, bounds=(0, 0, 1e4, 1e4)):
    ...     print(p.feature, "|", p.problem)
    a: edit 1 | upgrade_market: year 2019 is before 2021, the first year of the plan
    a: edit 2 | add_market: x, y (9000000, 0) is 8990 km outside the district
    """
    problems: list[Problem] = []

    def fail(where: str, key: str, /, **params: ParamValue) -> None:
        problems.append(
            Problem.from_params(
                f"problems.{key}", params, file=source, layer="scenario", feature=where, severity="error"
            )
        )

    kinds = {cls: kind for kind, (cls, _names) in _YAML_EDITS.items()}
    for scenario in scenarios:
        if scenario.as_of is not None:
            _year_problem(scenario.as_of, None, first_year, f"{scenario.name}: as_of", fail)
        for n, edit in enumerate(scenario.edits, start=1):
            where, kind = f"{scenario.name}: edit {n}", kinds.get(type(edit), type(edit).__name__)
            year = getattr(edit, "year", None)
            if isinstance(year, int):
                _year_problem(year, kind, first_year, where, fail)
            x, y = getattr(edit, "x", None), getattr(edit, "y", None)
            if bounds is not None and isinstance(x, int | float) and isinstance(y, int | float):
                away = _outside(float(x), float(y), bounds)
                if away is not None:
                    fail(
                        where,
                        "scenario_outside",
                        kind=kind,
                        x=f"{x:.0f}",
                        y=f"{y:.0f}",
                        km=f"{away / 1000:.0f}",
                    )
    return problems


def _year_problem(year: int, kind: str | None, first_year: int | None, where: str, fail: _Fail) -> None:
    """The year of an edit (``kind``) or the scenario's ``as_of`` (``kind`` None) out of range."""
    if first_year is not None and year < first_year:
        if kind is None:
            fail(where, "scenario_as_of_before", year=year, first=first_year)
        else:
            fail(where, "scenario_year_before", kind=kind, year=year, first=first_year)
    elif year > LAST_YEAR:
        if kind is None:
            fail(where, "scenario_as_of_after", year=year, last=LAST_YEAR)
        else:
            fail(where, "scenario_year_after", kind=kind, year=year, last=LAST_YEAR)


def _outside(x: float, y: float, bounds: tuple[float, float, float, float]) -> float | None:
    """How far (x, y) is outside ``bounds`` when farther than the bounds' width, else None."""
    low_x, low_y, high_x, high_y = bounds
    margin = max(high_x - low_x, high_y - low_y, 1_000.0)
    dx = max(low_x - x, 0.0, x - high_x)
    dy = max(low_y - y, 0.0, y - high_y)
    away = (dx * dx + dy * dy) ** 0.5
    return away if away > margin else None

"""Check a plan file against its layout (``ntmgis/plans/schema.yaml``), collecting every mistake.

The layout is data: which keys exist, of which kind, which schedule adds up to which total. This
module only knows how to check each *kind* (``_KIND_CHECKS``), so a plan with five mistakes gives
five problems, never a ``KeyError``.

Examples
--------
>>> problems = check_plan({"id": "x", "period": [2025, 2021]}, "plan.yaml")
>>> [p.problem for p in problems]
['period [2025, 2021]: the first year is after the last']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from ..names import name_key
from ..problems import ParamValue, Problem, Severity
from ..yamlload import load_yaml_text

__all__ = ["check_plan", "plan_schema"]


@cache
def plan_schema() -> Mapping[str, Any]:
    """The plan layout as read from ``ntmgis/plans/schema.yaml``.

    Examples
    --------
    >>> plan_schema()["required"]
    ['id', 'period']
    """
    text = resources.files("ntmgis").joinpath("plans/schema.yaml").read_text("utf-8")
    schema: Mapping[str, Any] = load_yaml_text(text)
    return schema


@dataclass
class _Checker:
    """Collects the problems of one plan file; ``period`` once it is known to be valid."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    period: tuple[int, int] | None = None

    def fail(self, feature: str, key: str, /, severity: Severity = "error", **params: ParamValue) -> None:
        """The problem ``problems.<key>`` about ``feature`` (a key path of the plan file)."""
        self.problems.append(
            Problem.from_params(
                f"problems.{key}", params, file=self.source, layer="plan", feature=feature, severity=severity
            )
        )

    def year(self, where: str, value: object) -> int | None:
        """``value`` as a year inside the period, else a problem and ``None``."""
        year = _as_int(value)
        if year is None:
            self.fail(where, "plan_value_not_year", value=repr(value))
            return None
        if self.period is not None and not self.period[0] <= year <= self.period[1]:
            start, end = self.period
            self.fail(where, "plan_file_year_outside", year=year, start=start, end=end)
        return year


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        c.fail(where, "plan_not_text", where=where, type=type(value).__name__)


def _int(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if _as_int(value) is None:
        c.fail(where, "plan_not_int", where=where, value=repr(value))


def _mapping(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> bool:
    if not isinstance(value, Mapping):
        c.fail(where, "plan_not_mapping", where=where, type=type(value).__name__)
        return False
    return True


def _period(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    years = [_as_int(v) for v in value] if isinstance(value, list) else []
    if len(years) != 2 or None in years:
        c.fail(where, "plan_period_shape", value=repr(value))
        return
    first, last = int(years[0] or 0), int(years[1] or 0)
    if first > last:
        c.fail(where, "plan_period_order", first=first, last=last)
        return
    c.period = (first, last)


def _count(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not _mapping(c, where, value, spec):
        return
    assert isinstance(value, Mapping)
    number = _as_int(value.get("value"))
    if number is None or number < 0:
        c.fail(where, "plan_not_count", where=f"{where}.value", value=repr(value.get("value")))


def _note(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    _mapping(c, where, value, spec)


def _year(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if _mapping(c, where, value, spec):
        assert isinstance(value, Mapping)
        c.year(f"{where}.value", value.get("value"))


def _target(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not _mapping(c, where, value, spec):
        return
    assert isinstance(value, Mapping)
    ops = plan_schema()["ops"]
    op, goal = value.get("op"), value.get("value")
    if op is not None and op not in ops:
        c.fail(where, "plan_unknown_op", where=where, op=repr(op), ops=", ".join(ops))
    elif op == "between" and not (
        isinstance(goal, list) and len(goal) == 2 and all(_is_number(v) for v in goal)
    ):
        c.fail(where, "plan_between", where=where, value=repr(goal))
    elif op != "between" and goal is not None and not _is_number(goal):
        c.fail(where, "plan_target_value", where=where, value=repr(goal))
    if "units" in value:
        _units(c, f"{where}.units", value["units"])


def _units(c: _Checker, where: str, units: object) -> list[tuple[str, str]]:
    """``[{code, name}, ...]`` → (code, name) pairs; each malformed entry is a problem."""
    if not isinstance(units, list):
        c.fail(where, "plan_units_not_list", where=where, type=type(units).__name__)
        return []
    found = []
    for i, unit in enumerate(units):
        if not isinstance(unit, Mapping) or unit.get("code") in (None, "") or unit.get("name") in (None, ""):
            c.fail(f"{where}[{i}]", "plan_unit_shape", where=f"{where}[{i}]", unit=repr(unit))
            continue
        found.append((str(unit["code"]), str(unit["name"])))
    return found


def _years_of(c: _Checker, where: str, value: object) -> Mapping[Any, Any]:
    if not _mapping(c, where, value, {}):
        return {}
    assert isinstance(value, Mapping)
    years = value.get("years")
    if years is None:
        c.fail(where, "plan_no_years", where=where)
        return {}
    return years if _mapping(c, f"{where}.years", years, {}) else {}


def _schedule(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> int:
    seen: dict[str, object] = {}
    count = 0
    for key, units in _years_of(c, where, value).items():
        year = c.year(f"{where}.years.{key}", key)
        for code, _name in _units(c, f"{where}.years.{key}", units):
            count += 1
            if code in seen:
                c.fail(
                    f"{where}.{code}",
                    "plan_scheduled_twice",
                    where=where,
                    code=code,
                    first=str(seen[code]),
                    second=str(year),
                )
            seen[code] = year
    return count


def _year_counts(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> int:
    total = 0
    for key, number in _years_of(c, where, value).items():
        c.year(f"{where}.years.{key}", key)
        n = _as_int(number)
        if n is None or n < 0:
            c.fail(f"{where}.years.{key}", "plan_not_count", where=f"{where}.years.{key}", value=repr(number))
            continue
        total += n
    return total


def _targets(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not isinstance(value, list):
        c.fail(where, "plan_targets_not_list", where=where, type=type(value).__name__)
        return
    ids: set[str] = set()
    for i, target in enumerate(value):
        name = target.get("id") if isinstance(target, Mapping) else None
        if name in (None, ""):
            c.fail(f"{where}[{i}]", "plan_target_no_id", where=f"{where}[{i}]")
        elif str(name) in ids:
            c.fail(f"{where}.{name}", "plan_target_twice", where=where, name=repr(name))
        ids.add(str(name))
        _target(c, f"{where}.{name if name else i}", target, spec)


def _budget(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not _mapping(c, where, value, spec):
        return
    assert isinstance(value, Mapping)
    total, parts = value.get("total"), value.get("parts", {})
    if not _is_number(total):
        c.fail(f"{where}.total", "plan_not_number", where=f"{where}.total", value=repr(total))
        return
    if not _mapping(c, f"{where}.parts", parts, spec):
        return
    wrong = [k for k, v in parts.items() if not _is_number(v)]
    if wrong:
        c.fail(
            f"{where}.parts",
            "plan_parts_not_numbers",
            where=f"{where}.parts",
            names=", ".join(map(str, wrong)),
        )
    elif parts and sum(parts.values()) != total:
        shown = total if isinstance(total, int | float) else str(total)  # a number (checked above)
        c.fail(where, "plan_budget_sum", parts=sum(parts.values()), total=shown)


def _section(c: _Checker, where: str, value: object, spec: Mapping[str, Any]) -> None:
    if not _mapping(c, where, value, spec):
        return
    assert isinstance(value, Mapping)
    keys = plan_schema()["sections"][where]
    counts: dict[str, int] = {}
    for key, item in value.items():
        entry = keys.get(key)
        if entry is None:
            _unknown_key(c, where, str(key))
            continue
        result = _KIND_CHECKS[entry["kind"]](c, f"{where}.{key}", item, entry)
        _inner_keys(c, f"{where}.{key}", item, entry["kind"])
        if isinstance(result, int) and "total" in entry:
            counts[key] = result
    for key, counted in counts.items():
        _check_total(c, where, value, key, keys[key]["total"], counted)


def _check_total(
    c: _Checker, where: str, section: Mapping[str, Any], key: str, total_key: str, n: int
) -> None:
    total = section.get(total_key)
    stated = _as_int(total.get("value")) if isinstance(total, Mapping) else None
    if stated is None or stated == n:
        return
    path, total_path = f"{where}.{key}", f"{where}.{total_key}"
    if key.endswith("_schedule"):
        c.fail(path, "plan_schedule_total", where=path, counted=n, total_key=total_path, stated=stated)
    else:
        c.fail(path, "plan_years_total", where=path, counted=n, total_key=total_path, stated=stated)


def _inner_keys(c: _Checker, where: str, value: object, kind: str) -> None:
    """A warning for every key of a kind's mapping its layout does not know (``kind_keys``),
    and of every ``{code, name}`` of a schedule or a target's ``units``."""
    known = plan_schema()["kind_keys"]
    if kind == "targets" and isinstance(value, list):
        for target in value:
            name = target.get("id") if isinstance(target, Mapping) else None
            _inner_keys(c, f"{where}.{name}", target, "targets")
        return
    if not isinstance(value, Mapping) or kind not in known:
        return
    for key in value:
        if str(key) not in known[kind]:
            _unknown_key(c, where, str(key), known=known[kind])
    groups = {f"{where}.units": value.get("units")} if kind in ("target", "targets") else {}
    if kind == "schedule" and isinstance(value.get("years"), Mapping):
        groups = {f"{where}.years.{year}": units for year, units in value["years"].items()}
    for path, units in groups.items():
        for n, unit in enumerate(units if isinstance(units, list) else ()):
            for key in unit if isinstance(unit, Mapping) else ():
                if str(key) not in known["unit"]:
                    _unknown_key(c, f"{path}[{n}]", str(key), known=known["unit"])


def _unknown_key(c: _Checker, where: str, key: str, known: list[str] | None = None) -> None:
    import difflib

    levels = plan_schema()["schedule_levels"]
    listed = known is not None
    if where == "communes" and key.endswith("_schedule"):
        c.fail(
            f"{where}.{key}",
            "plan_unknown_schedule",
            level=repr(key.removesuffix("_schedule")),
            where=f"{where}.{key}",
            schedules=", ".join(f"{lv}_schedule" for lv in levels),
        )
    else:
        if known is None:
            known = list(plan_schema()["sections"][where]) if where else list(plan_schema()["keys"])
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        feature = f"{where}.{key}" if where else key
        if close:
            c.fail(feature, "plan_unknown_key_close", "warning", key=repr(key), close=repr(close[0]))
        elif listed:
            c.fail(feature, "plan_unknown_key_known", "warning", key=repr(key), known=", ".join(known))
        else:
            c.fail(feature, "plan_unknown_key", "warning", key=repr(key))


_Check = Callable[[_Checker, str, object, Mapping[str, Any]], object]
#: How each kind of the layout is checked (the kinds of ``schema.yaml``).
_KIND_CHECKS: Mapping[str, _Check] = {
    "text": _text,
    "int": _int,
    "mapping": _mapping,
    "period": _period,
    "count": _count,
    "note": _note,
    "year": _year,
    "target": _target,
    "schedule": _schedule,
    "year_counts": _year_counts,
    "targets": _targets,
    "budget": _budget,
    "section": _section,
}


def _unit_problems(c: _Checker, plan: Mapping[str, Any], communes: Mapping[str, str]) -> None:
    """Every commune the plan names must exist in the communes layer under that code and name."""
    named: dict[tuple[str, str], None] = {}
    scratch = _Checker(c.source)  # structure mistakes were already listed
    communes_section = plan.get("communes")
    if isinstance(communes_section, Mapping):
        for key, value in communes_section.items():
            if str(key).endswith("_schedule"):
                for units in _years_of(scratch, key, value).values():
                    named.update(dict.fromkeys(_units(scratch, key, units)))
    for group in ("sector_targets", "district_nang_cao_targets"):
        targets = plan.get(group)
        # A group of another type is already a structure problem; only a list names units.
        for target in targets if isinstance(targets, list) else ():
            if isinstance(target, Mapping) and "units" in target:
                named.update(dict.fromkeys(_units(scratch, group, target["units"])))
    keys = {code: name_key(name) for code, name in communes.items()}
    for code, name in named:
        if code not in keys:
            c.fail(f"{code} {name}", "plan_commune_unknown")
        elif keys[code] != name_key(name):
            c.fail(f"{code} {name}", "plan_commune_other_name", name=repr(communes[code]))


def check_plan(
    plan: Mapping[str, Any], source: str, *, communes: Mapping[str, str] | None = None
) -> list[Problem]:
    """Every mistake of a plan file, in one list.

    Parameters
    ----------
    plan : mapping
        The plan file as read from YAML.
    source : str
        Where it was read from (the problems' ``file``).
    communes : mapping, optional
        Commune code → name of the workspace: every commune the plan names must be one of them.

    Returns
    -------
    list of Problem
        Errors (missing ``id``/``period``, wrong types, years outside the period, unknown levels,
        a commune scheduled twice, totals or budget parts that do not add up, unknown communes)
        and warnings (unknown keys, ignored).

    Examples
    --------
    >>> plan = {"id": "x", "period": [2021, 2025], "budget": {"total": 10, "parts": {"a": 4, "b": 5}}}
    >>> [p.problem for p in check_plan(plan, "plan.yaml")]
    ['budget parts add to 9, total is 10']
    """
    c = _Checker(source)
    schema = plan_schema()
    for key in schema["required"]:
        if key not in plan:
            c.fail(key, "plan_missing_key", key=repr(key), name=key)
    # The period first: every year of the file is checked against it.
    ordered = sorted(plan.items(), key=lambda kv: kv[0] != "period")
    for key, value in ordered:
        entry = schema["keys"].get(key)
        if entry is None:
            _unknown_key(c, "", str(key))
            continue
        _KIND_CHECKS[entry["kind"]](c, str(key), value, entry)
        _inner_keys(c, str(key), value, entry["kind"])
    if communes is not None:
        _unit_problems(c, plan, communes)
    return c.problems

"""What a criteria set file and a ``criteria_overrides`` mapping must look like.

Every check collects all the problems of a file (nothing stops at the first), so that a province
editing a set or its overrides sees the whole list at once. The layout itself is described in
:mod:`ntmgis.criteria.sets`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..problems import Problem
from ..vocab import vocabulary
from .regions import GSO_REGIONS

if TYPE_CHECKING:
    from .sets import CriteriaSet

__all__ = ["OPS", "PASS_FAIL", "check_overrides", "check_set", "check_spec"]

#: The comparison operators a threshold may use.
OPS: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType(
    {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}
)
#: The ``unit`` of a yes/no indicator.
PASS_FAIL = "pass/fail"
_ROLES = ("full", "sufficient", "necessary")
_SET_ROLES = ("commune", "kieu_mau", "village")
_SET_KEYS = ("id", "role", "title", "legal_basis", "valid_from", "valid_to", "levels", "criteria")
_FORMS = ("value", "by_region", "by_group", "by_year", "factor")

Fail = Callable[[str, str], None]


def _collector(problems: list[Problem], source: str, layer: str, action: str) -> Fail:
    def fail(where: str, what: str) -> None:
        problems.append(Problem(source, layer, where, what, action, "error"))

    return fail


def check_set(data: Any, source: str) -> list[Problem]:
    """Every structural problem of a criteria set file.

    Parameters
    ----------
    data : object
        The parsed YAML.
    source : str
        The file, for the problems (``package:qd318_2022_xa`` or a path).

    Returns
    -------
    list of Problem
        Empty when the set can be loaded.
    """
    problems: list[Problem] = []
    fail = _collector(problems, source, "criteria", "correct the criteria file")
    if not isinstance(data, Mapping):
        fail("", "a criteria set must be a YAML mapping")
        return problems
    for key in _SET_KEYS:
        if key not in data:
            fail(key, f"missing key {key!r}")
    if problems:
        return problems
    _check_head(data, fail)
    levels = list(data["levels"] or [])
    # A value may be given for a column of the set or for any GSO region (regions.py).
    regions = set((data.get("regions") or {}).keys()) | set(GSO_REGIONS)
    groups = set(data.get("commune_groups") or {})
    seen: set[str] = set()
    for position, criterion in enumerate(data["criteria"] or []):
        _check_criterion(
            criterion,
            position,
            fail,
            problems,
            source=source,
            levels=levels,
            regions=regions,
            seen=seen,
            groups=groups,
        )
    return problems


def _check_head(data: Mapping[str, Any], fail: Fail) -> None:
    """Role, validity dates, levels and ``builds_on`` of a set."""
    if data["role"] not in _SET_ROLES:
        fail("role", f"role {data['role']!r} is not one of {_SET_ROLES}")
    for key in ("valid_from", "valid_to"):
        if not isinstance(data[key], date):
            fail(key, f"{key} must be a date (YYYY-MM-DD), not {data[key]!r}")
    if "reports_from" in data and not isinstance(data["reports_from"], date):
        fail("reports_from", f"reports_from must be a date (YYYY-MM-DD), not {data['reports_from']!r}")
    known_levels = (set(vocabulary()["ntm_level"]) | set(vocabulary()["pilot_level"])) - {"chua_dat"}
    for level in list(data["levels"] or []):
        if level not in known_levels:
            fail("levels", f"unknown level {level!r} (known: {sorted(known_levels)})")
    for group, entry in (data.get("commune_groups") or {}).items():
        if (
            not _has_both_languages(entry)
            or not isinstance(entry.get("verified"), bool)
            or not entry.get("source")
        ):
            fail(
                f"commune_groups {group}", "a commune group needs vi, en, source and verified: true or false"
            )
    if data.get("builds_on") is not None:
        built = data["builds_on"]
        if not isinstance(built, Mapping) or not {"set", "level"} <= set(built):
            fail("builds_on", "builds_on needs {set: <id>, level: <level>}")


def _has_both_languages(value: Any) -> bool:
    return isinstance(value, Mapping) and {"vi", "en"} <= set(value)


def _check_criterion(
    criterion: Any,
    position: int,
    fail: Fail,
    problems: list[Problem],
    *,
    source: str,
    levels: list[str],
    regions: set[str],
    seen: set[str],
    groups: set[str],
) -> None:
    if isinstance(criterion, Mapping):
        where_c = f"criterion {criterion.get('id', position + 1)}"
    else:
        where_c = f"criterion {position + 1}"
    if not isinstance(criterion, Mapping) or "id" not in criterion or not criterion.get("indicators"):
        fail(where_c, "a criterion needs id, name and indicators")
        return
    if not _has_both_languages(criterion.get("name")):
        fail(where_c, "name needs vi and en")
    for ind in criterion["indicators"]:
        if not isinstance(ind, Mapping):
            fail(where_c, "an indicator must be a mapping")
            continue
        where = f"indicator {ind.get('id', '?')}"
        if str(ind.get("id", "?")) in seen:
            fail(where, "duplicate indicator id")
        seen.add(str(ind.get("id", "?")))
        _check_indicator(ind, where, fail)
        thresholds = ind.get("thresholds")
        if not isinstance(thresholds, Mapping) or not thresholds:
            fail(where, "missing thresholds")
            continue
        for level, spec in thresholds.items():
            if level not in levels:
                fail(where, f"threshold for level {level!r}, which the set does not have {levels}")
            problems.extend(
                check_spec(
                    spec,
                    source=source,
                    where=f"{where} {level}",
                    pass_fail=ind.get("unit") == PASS_FAIL,
                    regions=regions,
                    need_source=True,
                    groups=groups,
                )
            )


def _check_indicator(ind: Mapping[str, Any], where: str, fail: Fail) -> None:
    """Names, unit and ``measure`` of one indicator (its thresholds are checked by the caller)."""
    for key in ("name", "short"):
        if not _has_both_languages(ind.get(key)):
            fail(where, f"{key} needs vi and en")
    if "unit" not in ind:
        fail(where, "missing unit")
    if "verified" in ind and not isinstance(ind["verified"], bool):
        fail(where, "verified (of the indicator text) must be true or false")
    measure = ind.get("measure", "reported")
    if not (
        measure == "reported"
        or (
            isinstance(measure, Mapping)
            and (measure.get("computed") or measure.get("level_met") or measure.get("reported"))
        )
    ):
        fail(
            where, f"measure must be 'reported', {{computed: name}} or {{level_met: level}}, not {measure!r}"
        )
    if isinstance(measure, Mapping) and measure.get("computed") and measure.get("role", "full") not in _ROLES:
        fail(where, f"role must be one of {_ROLES}")


def check_spec(
    spec: Any,
    *,
    source: str,
    where: str,
    pass_fail: bool,
    regions: set[str],
    need_source: bool,
    layer: str = "criteria",
    groups: set[str] | None = None,
) -> list[Problem]:
    """Problems of one threshold spec (``{op, value | by_region | by_group | by_year | factor, source,
    verified}``).

    Parameters
    ----------
    spec : object
        The spec as written.
    source, where, layer : str
        The file, the place in it (``indicator 2.2 ntm``) and the layer, for the problems.
    pass_fail : bool
        The indicator is yes/no: values are ``true``, not numbers.
    regions : set of str
        The set's regional columns (an empty set allows any).
    need_source : bool
        Set files must give ``source`` and ``verified``; overrides need not.
    groups : set of str, optional
        The set's commune groups (``nhom_1`` …), the keys a ``by_group`` table may use.
    """
    problems: list[Problem] = []
    collect = _collector(problems, source, layer, "correct the threshold")

    def fail(what: str) -> None:
        collect(where, what)

    if not isinstance(spec, Mapping):
        fail(f"threshold must be a mapping, not {spec!r}")
        return problems
    if not _check_spec_keys(spec, fail, need_source=need_source):
        return problems

    def check_value(value: Any, at: str) -> None:
        problems.extend(
            _check_value(
                value,
                at,
                fail,
                source=source,
                where=where,
                pass_fail=pass_fail,
                regions=regions,
                layer=layer,
                groups=groups,
            )
        )

    if "value" in spec:
        check_value(spec["value"], "")
    for region, value in (spec.get("by_region") or {}).items():
        if regions and region not in regions:
            fail(f"unknown region {region!r} (the set has {sorted(regions)})")
        check_value(value, f"region {region}")
    for group, value in (spec.get("by_group") or {}).items():
        if group not in (groups or set()):
            fail(f"unknown commune group {group!r} (the set has {sorted(groups or set())})")
        check_value(value, f"group {group}")
    for year, value in (spec.get("by_year") or {}).items():
        if not isinstance(year, int):
            fail(f"year {year!r} is not a year")
        check_value(value, f"year {year}")
    return problems


def _check_spec_keys(spec: Mapping[str, Any], fail: Callable[[str], None], *, need_source: bool) -> bool:
    """Operator, source, verified and the one form of the value; False when no value can be read."""
    if spec.get("op", "==") not in OPS:
        fail(f"op {spec.get('op')!r} is not one of {list(OPS)}")
    given = spec.get("source")
    if need_source and not _has_both_languages(given):
        # The source is shown in both languages: a set file writes {vi: ..., en: ...}; an override may
        # give a plain string (the user's own text, shown as written in both languages).
        fail("every threshold needs its source, written {vi: ..., en: ...}")
    elif isinstance(given, Mapping) and not _has_both_languages(given):
        fail("a source written as a mapping needs vi and en")
    if "verified" in spec and not isinstance(spec["verified"], bool):
        fail("verified must be true or false")
    if need_source and "verified" not in spec:
        fail("say verified: true or false")
    forms = [k for k in _FORMS if k in spec]
    if len(forms) != 1:
        fail(f"give exactly one of value, by_region, by_year, factor (found {forms or 'none'})")
        return False
    reference = spec.get("of")
    if "factor" in spec and not (isinstance(reference, Mapping) and {"indicator", "level"} <= set(reference)):
        fail("a factor rule needs of: {indicator, level}")
    return True


def _check_value(
    value: Any,
    at: str,
    fail: Callable[[str], None],
    *,
    source: str,
    where: str,
    pass_fail: bool,
    regions: set[str],
    layer: str,
    groups: set[str] | None = None,
) -> list[Problem]:
    """Problems of one value of a spec (a nested spec is checked as a spec, without a source)."""
    if isinstance(value, Mapping):
        return check_spec(
            value,
            source=source,
            where=f"{where} {at}",
            pass_fail=pass_fail,
            regions=regions,
            need_source=False,
            layer=layer,
            groups=groups,
        )
    if value is None:
        return []
    if pass_fail and not isinstance(value, bool):
        fail(f"{at or 'value'}: a pass/fail threshold is true, not {value!r}")
    elif not pass_fail and (isinstance(value, bool) or not isinstance(value, (int, float))):
        fail(f"{at or 'value'}: {value!r} is not a number")
    return []


def check_overrides(overrides: Mapping[str, Any] | None, sets: Mapping[str, CriteriaSet]) -> list[Problem]:
    """Problems of a ``criteria_overrides`` mapping against loaded sets (unknown ids, bad values).

    Parameters
    ----------
    overrides : mapping or None
        ``{set_id: {indicator_id: {level: value or spec}}}`` (see :mod:`ntmgis.criteria.sets`).
    sets : mapping
        Set id → :class:`~ntmgis.criteria.CriteriaSet`, as loaded without the overrides.

    Returns
    -------
    list of Problem
        Empty when the overrides can be applied.
    """
    problems: list[Problem] = []
    where_file = "criteria_overrides"

    def fail(where: str, what: str, action: str) -> None:
        problems.append(Problem(where_file, "criteria", where, what, action, "error"))

    if not overrides:
        return problems
    if not isinstance(overrides, Mapping):
        fail(
            "",
            "criteria_overrides must map set ids to {indicator: {level: value}}",
            "see ntmgis.criteria.sets",
        )
        return problems
    for set_id, by_indicator in overrides.items():
        criteria_set = sets.get(str(set_id))
        if criteria_set is None:
            fail(str(set_id), f"unknown criteria set {set_id!r}", f"use one of {sorted(sets)}")
            continue
        if not isinstance(by_indicator, Mapping):
            fail(str(set_id), "must map indicator ids to {level: value}", "fix the overrides")
            continue
        own = criteria_set.indicators()
        kinds = dict(zip(own["indicator"], own["kind"], strict=True)) if len(own) else {}
        regions = set((criteria_set.data.get("regions") or {}).keys()) | set(GSO_REGIONS)
        groups = set(criteria_set.data.get("commune_groups") or {})
        for indicator, by_level in by_indicator.items():
            where = f"{set_id} {indicator}"
            if str(indicator) not in kinds:
                hint = (
                    f"it comes from {criteria_set.data['builds_on']['set']}: override it there"
                    if criteria_set.base is not None
                    else f"indicators: {', '.join(kinds)}"
                )
                fail(where, f"set {set_id} has no indicator {indicator!r}", hint)
                continue
            if not isinstance(by_level, Mapping):
                fail(where, "must map levels to a value", "write {ntm: 80, nang_cao: 90}")
                continue
            for level, value in by_level.items():
                if level not in criteria_set.levels:
                    fail(
                        f"{where} {level}",
                        f"set {set_id} has no level {level!r}",
                        f"levels: {', '.join(criteria_set.levels)}",
                    )
                    continue
                spec = value if isinstance(value, Mapping) else {"value": value}
                problems.extend(
                    check_spec(
                        spec,
                        source=where_file,
                        where=f"{where} {level}",
                        pass_fail=kinds[str(indicator)] == "pass_fail",
                        regions=regions,
                        need_source=False,
                        groups=groups,
                    )
                )
    return problems

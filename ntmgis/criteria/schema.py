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

from ..problems import ParamValue, Problem
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

Fail = Callable[..., None]  # fail(where, name, **params): the error problems.<name> at where


def _collector(problems: list[Problem], source: str, layer: str) -> Fail:
    def fail(where: str, name: str, /, **params: ParamValue) -> None:
        problems.append(
            Problem.from_params(
                f"problems.{name}", params, file=source, layer=layer, feature=where, severity="error"
            )
        )

    return fail


# A value of a threshold that is not one, by where it sits (the spec itself, a region, a group, a year).
_NOT_TRUE = {
    "": "problems.threshold_not_true",
    "region": "problems.threshold_not_true_region",
    "group": "problems.threshold_not_true_group",
    "year": "problems.threshold_not_true_year",
}
_NOT_NUMBER = {
    "": "problems.threshold_not_number",
    "region": "problems.threshold_not_number_region",
    "group": "problems.threshold_not_number_group",
    "year": "problems.threshold_not_number_year",
}


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
    fail = _collector(problems, source, "criteria")
    if not isinstance(data, Mapping):
        fail("", "crit_not_mapping")
        return problems
    for key in _SET_KEYS:
        if key not in data:
            fail(key, "crit_missing_key", key=repr(key))
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
        fail("role", "crit_role", role=repr(data["role"]), known=str(_SET_ROLES))
    for key in ("valid_from", "valid_to"):
        if not isinstance(data[key], date):
            fail(key, "crit_date", key=key, value=repr(data[key]))
    if "reports_from" in data and not isinstance(data["reports_from"], date):
        fail("reports_from", "crit_date", key="reports_from", value=repr(data["reports_from"]))
    known_levels = (set(vocabulary()["ntm_level"]) | set(vocabulary()["pilot_level"])) - {"chua_dat"}
    for level in list(data["levels"] or []):
        if level not in known_levels:
            fail("levels", "crit_level", level=repr(level), known=str(sorted(known_levels)))
    for group, entry in (data.get("commune_groups") or {}).items():
        if (
            not _has_both_languages(entry)
            or not isinstance(entry.get("verified"), bool)
            or not entry.get("source")
        ):
            fail(f"commune_groups {group}", "crit_group")
    if data.get("builds_on") is not None:
        built = data["builds_on"]
        if not isinstance(built, Mapping) or not {"set", "level"} <= set(built):
            fail("builds_on", "crit_builds_on")


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
        fail(where_c, "crit_criterion_shape")
        return
    if not _has_both_languages(criterion.get("name")):
        fail(where_c, "crit_text_languages", key="name")
    for ind in criterion["indicators"]:
        if not isinstance(ind, Mapping):
            fail(where_c, "crit_indicator_not_mapping")
            continue
        where = f"indicator {ind.get('id', '?')}"
        if str(ind.get("id", "?")) in seen:
            fail(where, "crit_indicator_duplicate")
        seen.add(str(ind.get("id", "?")))
        _check_indicator(ind, where, fail)
        thresholds = ind.get("thresholds")
        if not isinstance(thresholds, Mapping) or not thresholds:
            fail(where, "crit_no_thresholds")
            continue
        for level, spec in thresholds.items():
            if level not in levels:
                fail(where, "crit_threshold_level", level=repr(level), levels=str(levels))
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
            fail(where, "crit_text_languages", key=key)
    if "unit" not in ind:
        fail(where, "crit_no_unit")
    if "verified" in ind and not isinstance(ind["verified"], bool):
        fail(where, "crit_verified")
    measure = ind.get("measure", "reported")
    if not (
        measure == "reported"
        or (
            isinstance(measure, Mapping)
            and (measure.get("computed") or measure.get("level_met") or measure.get("reported"))
        )
    ):
        fail(where, "crit_measure", value=repr(measure))
    if isinstance(measure, Mapping) and measure.get("computed") and measure.get("role", "full") not in _ROLES:
        fail(where, "crit_measure_role", known=str(_ROLES))


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
    collect = _collector(problems, source, layer)

    def fail(name: str, /, **params: ParamValue) -> None:
        collect(where, name, **params)

    if not isinstance(spec, Mapping):
        fail("threshold_not_mapping", value=repr(spec))
        return problems
    if not _check_spec_keys(spec, fail, need_source=need_source):
        return problems

    def check_value(value: Any, at: tuple[str, str]) -> None:
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
        check_value(spec["value"], ("", ""))
    for region, value in (spec.get("by_region") or {}).items():
        if regions and region not in regions:
            fail("threshold_region", region=repr(region), known=str(sorted(regions)))
        check_value(value, ("region", str(region)))
    for group, value in (spec.get("by_group") or {}).items():
        if group not in (groups or set()):
            fail("threshold_group", group=repr(group), known=str(sorted(groups or set())))
        check_value(value, ("group", str(group)))
    for year, value in (spec.get("by_year") or {}).items():
        if not isinstance(year, int):
            fail("threshold_year", year=repr(year))
        check_value(value, ("year", str(year)))
    return problems


def _check_spec_keys(spec: Mapping[str, Any], fail: Callable[..., None], *, need_source: bool) -> bool:
    """Operator, source, verified and the one form of the value; False when no value can be read."""
    if spec.get("op", "==") not in OPS:
        fail("threshold_op", op=repr(spec.get("op")), known=str(list(OPS)))
    given = spec.get("source")
    if need_source and not _has_both_languages(given):
        # The source is shown in both languages: a set file writes {vi: ..., en: ...}; an override may
        # give a plain string (the user's own text, shown as written in both languages).
        fail("threshold_no_source")
    elif isinstance(given, Mapping) and not _has_both_languages(given):
        fail("threshold_source_languages")
    if "verified" in spec and not isinstance(spec["verified"], bool):
        fail("threshold_verified")
    if need_source and "verified" not in spec:
        fail("threshold_say_verified")
    forms = [k for k in _FORMS if k in spec]
    if len(forms) != 1:
        if forms:
            fail("threshold_forms", found=str(forms))
        else:
            fail("threshold_forms_none")
        return False
    reference = spec.get("of")
    if "factor" in spec and not (isinstance(reference, Mapping) and {"indicator", "level"} <= set(reference)):
        fail("threshold_factor")
    return True


def _check_value(
    value: Any,
    at: tuple[str, str],
    fail: Callable[..., None],
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
            where=f"{where} {' '.join(p for p in at if p)}",
            pass_fail=pass_fail,
            regions=regions,
            need_source=False,
            layer=layer,
            groups=groups,
        )
    if value is None:
        return []
    kind, name = at
    named = {"name": name} if kind else {}
    if pass_fail and not isinstance(value, bool):
        fail(_NOT_TRUE[kind].removeprefix("problems."), value=repr(value), **named)
    elif not pass_fail and (isinstance(value, bool) or not isinstance(value, (int, float))):
        fail(_NOT_NUMBER[kind].removeprefix("problems."), value=repr(value), **named)
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

    fail = _collector(problems, where_file, "criteria")

    if not overrides:
        return problems
    if not isinstance(overrides, Mapping):
        fail("", "overrides_not_mapping")
        return problems
    for set_id, by_indicator in overrides.items():
        criteria_set = sets.get(str(set_id))
        if criteria_set is None:
            fail(str(set_id), "overrides_unknown_set", set_id=repr(set_id), known=str(sorted(sets)))
            continue
        if not isinstance(by_indicator, Mapping):
            fail(str(set_id), "overrides_set_not_mapping")
            continue
        own = criteria_set.indicators()
        kinds = dict(zip(own["indicator"], own["kind"], strict=True)) if len(own) else {}
        regions = set((criteria_set.data.get("regions") or {}).keys()) | set(GSO_REGIONS)
        groups = set(criteria_set.data.get("commune_groups") or {})
        for indicator, by_level in by_indicator.items():
            where = f"{set_id} {indicator}"
            if str(indicator) not in kinds:
                if criteria_set.base is not None:
                    base = str(criteria_set.data["builds_on"]["set"])
                    fail(
                        where,
                        "overrides_indicator_in_base",
                        set_id=str(set_id),
                        indicator=repr(indicator),
                        base=base,
                    )
                else:
                    known = ", ".join(kinds)
                    fail(
                        where,
                        "overrides_no_indicator",
                        set_id=str(set_id),
                        indicator=repr(indicator),
                        known=known,
                    )
                continue
            if not isinstance(by_level, Mapping):
                fail(where, "overrides_indicator_not_mapping")
                continue
            for level, value in by_level.items():
                if level not in criteria_set.levels:
                    known = ", ".join(criteria_set.levels)
                    fail(
                        f"{where} {level}",
                        "overrides_no_level",
                        set_id=str(set_id),
                        level=repr(level),
                        known=known,
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

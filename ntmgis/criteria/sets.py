"""Criteria sets as data: load and validate the YAML files, apply province overrides, resolve
thresholds for a region and year, and choose the legal set in force on an assessment date.

A criteria set is one YAML file per legal act (``qd1980_2016.yaml``, ``qd318_2022_xa.yaml``,
``qd319_2022_kieu_mau.yaml``, ``bac_giang_thon_kieu_mau.yaml``). Code never spells out a threshold:
it reads them here, as a flat *threshold table* — one row per (indicator, level) with the operator,
the number for the region and year, whether a source confirms it (``verified``) and that source.

Province overrides
------------------
A province may set any threshold without editing the package::

    criteria_overrides = {
        "qd318_2022_xa": {
            "2.2": {"ntm": 80, "nang_cao": {"value": 95, "source": "QĐ xx/2022/QĐ-UBND"}},
            "10": {"nang_cao": {"by_year": {2023: 50, 2024: 54}}},
        },
    }

i.e. ``{set_id: {indicator_id: {level: value or spec}}}``. A bare value replaces the number for
every region and year; a spec may carry ``value``, ``by_year``, ``by_region``, ``op``, ``source``
and ``verified``. An override is the province's own number: it is ``verified`` unless the spec
says ``verified: false``, and every output marks it ``overridden``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd
import yaml

from .._frozen import freeze, thaw
from ..problems import DataError, Problem
from ..vocab import vocabulary

__all__ = [
    "PACKAGED_SETS",
    "UNVERIFIED_NOTE",
    "OPS",
    "CriteriaSet",
    "CriteriaSelection",
    "load_criteria_set",
    "load_criteria_sets",
    "choose_criteria",
    "check_overrides",
    "level_rank",
    "THRESHOLD_COLUMNS",
]

PACKAGED_SETS = ("qd1980_2016", "qd318_2022_xa", "qd319_2022_kieu_mau", "bac_giang_thon_kieu_mau")
#: The words every table, popup and report shows next to a threshold no source confirms.
UNVERIFIED_NOTE = "ngưỡng chưa xác minh / threshold unverified"

OPS: Mapping[str, Callable[[Any, Any], bool]] = MappingProxyType({
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq})
_ROLES = ("full", "sufficient", "necessary")
_SET_ROLES = ("commune", "kieu_mau", "village")
_PASS_FAIL = "pass/fail"
_OVERRIDE_SOURCE = "province override (criteria_overrides)"

THRESHOLD_COLUMNS = [
    "criteria_set", "level", "criterion", "criterion_vi", "criterion_en", "indicator", "name_vi",
    "name_en", "short_vi", "short_en", "unit", "kind", "method", "computed", "role", "value_from",
    "level_met", "op", "threshold", "verified", "source", "overridden", "inherited_from",
    "threshold_note",
]


def level_rank(level: str | None) -> int:
    """Rank of an ``ntm_level`` code (chua_dat 0 < ntm 1 < nang_cao 2 < kieu_mau 3); -1 if unknown."""
    entry = vocabulary()["ntm_level"].get(level) if level else None
    return int(entry["rank"]) if entry else -1


def _measure(raw: Any) -> dict[str, Any]:
    """Normalise an indicator's ``measure`` entry to {method, computed, role, value_from, level_met}."""
    out: dict[str, Any] = {"method": "reported", "computed": None, "role": None, "value_from": None,
                           "level_met": None}
    if raw == "reported" or raw is None:
        return out
    if isinstance(raw, Mapping):
        if raw.get("computed"):
            out.update(method="computed", computed=str(raw["computed"]), role=raw.get("role", "full"))
        elif raw.get("level_met"):
            out.update(method="derived", level_met=str(raw["level_met"]))
        if raw.get("value_from") is not None:
            out["value_from"] = str(raw["value_from"])
    return out


@dataclass(frozen=True)
class CriteriaSet:
    """One legal criteria set, read-only.

    Attributes
    ----------
    data : Mapping
        The YAML content, frozen.
    source : str
        ``package:<id>`` or the path it was read from.
    base : CriteriaSet or None
        The set this one builds on (QĐ 319 kiểu mẫu builds on QĐ 318 nâng cao).
    overridden : frozenset of (indicator, level)
        Thresholds replaced by province overrides.
    """

    data: Any
    source: str
    base: CriteriaSet | None = None
    overridden: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def role(self) -> str:
        """``commune`` (xã NTM / nâng cao), ``kieu_mau`` (builds on a commune set) or ``village``."""
        return str(self.data["role"])

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(self.data["levels"])

    @property
    def valid_from(self) -> date:
        return self.data["valid_from"]

    @property
    def valid_to(self) -> date:
        return self.data["valid_to"]

    @property
    def legal_basis(self) -> str:
        return str(self.data["legal_basis"])

    def title(self, lang: str = "vi") -> str:
        return str(self.data["title"].get(lang) or self.data["title"]["vi"])

    def applies_to(self, kind_field: str) -> tuple[str, ...] | None:
        """Unit kinds the set applies to (``commune_kind`` → ("xa",)); None when not restricted."""
        kinds = (self.data.get("applies_to") or {}).get(kind_field)
        return tuple(kinds) if kinds is not None else None

    def covers(self, day: date) -> bool:
        """True when ``day`` falls in the period the set governs."""
        return self.valid_from <= day <= self.valid_to

    def region_of(self, province: str | None) -> str | None:
        """The regional column of ``province`` in this set (Bắc Giang → ``TDMNPB``), or None."""
        if not province:
            return None
        from ..names import name_key  # names matching folds accents, đ and tone placement

        wanted = name_key(str(province))
        for region, entry in (self.data.get("regions") or {}).items():
            if any(name_key(str(p)) == wanted for p in entry.get("provinces", ())):
                return str(region)
        return None

    def indicators(self) -> pd.DataFrame:
        """The set's own indicators (not inherited ones): one row each, in file order."""
        rows = []
        for criterion in self.data["criteria"]:
            for ind in criterion["indicators"]:
                rows.append({
                    "criteria_set": self.id, "criterion": str(criterion["id"]),
                    "criterion_vi": criterion["name"]["vi"], "criterion_en": criterion["name"]["en"],
                    "indicator": str(ind["id"]), "name_vi": ind["name"]["vi"],
                    "name_en": ind["name"]["en"], "short_vi": ind["short"]["vi"],
                    "short_en": ind["short"]["en"], "unit": str(ind["unit"]),
                    "kind": "pass_fail" if ind["unit"] == _PASS_FAIL else "number",
                    **_measure(ind.get("measure")),
                    "levels": tuple(ind["thresholds"]),
                })
        return pd.DataFrame(rows)

    def _spec(self, indicator: str, level: str) -> Mapping[str, Any] | None:
        for criterion in self.data["criteria"]:
            for ind in criterion["indicators"]:
                if str(ind["id"]) == indicator:
                    return ind["thresholds"].get(level)
        return None

    def thresholds(self, *, region: str | None, year: int) -> pd.DataFrame:
        """Thresholds resolved for ``region`` and ``year``: one row per (indicator, level).

        Parameters
        ----------
        region : str or None
            Regional column (``TDMNPB``). A threshold given only by region has no value without it.
        year : int
            Evaluation year, for year-specific thresholds (income). A year the law does not list
            borrows the nearest listed year and is then marked unverified, with a note.

        Returns
        -------
        DataFrame
            Columns :data:`THRESHOLD_COLUMNS`. ``threshold`` is NaN for pass/fail indicators
            (the test is "Đạt") and where the number is unknown (``threshold_note`` says which).
            A set that builds on another (kiểu mẫu) first repeats the base level's rows under its
            own level (``inherited_from`` names the base level).
        """
        rows: list[dict[str, Any]] = []
        if self.base is not None:
            built = self.data["builds_on"]
            base_rows = self.base.thresholds(region=region, year=year)
            base_rows = base_rows[base_rows["level"] == built["level"]]
            for level in self.levels:
                rows.extend(base_rows.assign(level=level, inherited_from=built["level"])
                            .to_dict("records"))
        for record in self.indicators().to_dict("records"):
            for level in record.pop("levels"):
                spec = self._spec(record["indicator"], level)
                value, verified, source, note = self._resolve_spec(spec, region=region, year=year)
                if value is None and record["kind"] != "pass_fail":
                    note = "; ".join(filter(None, [note, "number unknown: only a reported "
                                                   "Đạt / Chưa đạt counts"]))
                rows.append({**record, "level": level, "op": spec.get("op", "=="),
                             "threshold": math.nan if record["kind"] == "pass_fail" or value is None
                             else float(value),
                             "verified": bool(verified), "source": source,
                             "overridden": (record["indicator"], level) in self.overridden,
                             "inherited_from": "", "threshold_note": note})
        frame = pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)
        frame["verified"] = frame["verified"].astype(bool)
        frame["overridden"] = frame["overridden"].astype(bool)
        frame["threshold"] = frame["threshold"].astype(float)
        return frame.reset_index(drop=True)

    def _resolve_spec(self, spec: Mapping[str, Any], *, region: str | None,
                      year: int) -> tuple[Any, bool, str, str]:
        if "factor" in spec:
            ref = spec["of"]
            if self.base is None:
                return None, False, str(spec.get("source", "")), "no base set for the factor rule"
            base_spec = self.base._spec(str(ref["indicator"]), str(ref["level"]))
            base_value, base_verified, base_source, base_note = self.base._resolve_spec(
                base_spec or {}, region=region, year=year)
            own_source = str(spec.get("source", ""))
            source = f"{own_source}; × {base_source}" if base_source else own_source
            if base_value is None:
                return None, False, source, base_note or "base threshold unknown"
            value = round(float(spec["factor"]) * float(base_value), 6)
            return value, bool(spec.get("verified", False)) and base_verified, source, base_note
        return _resolve(spec, region=region, year=year)


def _resolve(spec: Any, *, region: str | None, year: int,
             verified: bool = False, source: str = "") -> tuple[Any, bool, str, str]:
    """Walk ``by_region`` / ``by_year`` down to one value; returns (value, verified, source, note)."""
    if not isinstance(spec, Mapping):
        return spec, verified, source, ""
    verified = bool(spec.get("verified", verified))
    source = str(spec.get("source", source))
    if "by_region" in spec:
        table = spec["by_region"]
        if region is None or region not in table:
            return None, verified, source, (f"no value for region {region}" if region
                                            else "region not given")
        return _resolve(table[region], region=region, year=year, verified=verified, source=source)
    if "by_year" in spec:
        table = {int(y): v for y, v in spec["by_year"].items()}
        if year in table:
            return _resolve(table[year], region=region, year=year, verified=verified, source=source)
        nearest = min(table, key=lambda y: (abs(y - year), -y))
        value, _, source, note = _resolve(table[nearest], region=region, year=nearest,
                                          verified=verified, source=source)
        # Borrowing another year's number is a guess about the law, whatever its own status.
        return value, False, source, f"value of {nearest} used for {year}"
    return spec.get("value"), verified, source, ""


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------

def _check_set(data: Any, source: str) -> list[Problem]:
    """Every structural problem of a set file (nothing stops at the first)."""
    problems: list[Problem] = []

    def fail(where: str, what: str) -> None:
        problems.append(Problem(source, "criteria", where, what, "correct the criteria file", "error"))

    if not isinstance(data, Mapping):
        fail("", "a criteria set must be a YAML mapping")
        return problems
    for key in ("id", "role", "title", "legal_basis", "valid_from", "valid_to", "levels", "criteria"):
        if key not in data:
            fail(key, f"missing key {key!r}")
    if problems:
        return problems
    if data["role"] not in _SET_ROLES:
        fail("role", f"role {data['role']!r} is not one of {_SET_ROLES}")
    for key in ("valid_from", "valid_to"):
        if not isinstance(data[key], date):
            fail(key, f"{key} must be a date (YYYY-MM-DD), not {data[key]!r}")
    known_levels = set(vocabulary()["ntm_level"]) - {"chua_dat"}
    levels = list(data["levels"] or [])
    for level in levels:
        if level not in known_levels:
            fail("levels", f"unknown level {level!r} (known: {sorted(known_levels)})")
    regions = set((data.get("regions") or {}).keys())
    if data.get("builds_on") is not None:
        built = data["builds_on"]
        if not isinstance(built, Mapping) or not {"set", "level"} <= set(built):
            fail("builds_on", "builds_on needs {set: <id>, level: <level>}")
    seen: set[str] = set()
    for c_pos, criterion in enumerate(data["criteria"] or []):
        where_c = f"criterion {criterion.get('id', c_pos + 1)}" if isinstance(criterion, Mapping) \
            else f"criterion {c_pos + 1}"
        if not isinstance(criterion, Mapping) or "id" not in criterion or not criterion.get("indicators"):
            fail(where_c, "a criterion needs id, name and indicators")
            continue
        if not isinstance(criterion.get("name"), Mapping) or not {"vi", "en"} <= set(criterion["name"]):
            fail(where_c, "name needs vi and en")
        for ind in criterion["indicators"]:
            ind_id = str(ind.get("id", "?")) if isinstance(ind, Mapping) else "?"
            where = f"indicator {ind_id}"
            if not isinstance(ind, Mapping):
                fail(where_c, "an indicator must be a mapping")
                continue
            if ind_id in seen:
                fail(where, "duplicate indicator id")
            seen.add(ind_id)
            for key in ("name", "short"):
                if not isinstance(ind.get(key), Mapping) or not {"vi", "en"} <= set(ind[key]):
                    fail(where, f"{key} needs vi and en")
            if "unit" not in ind:
                fail(where, "missing unit")
            measure = ind.get("measure", "reported")
            if not (measure == "reported" or (isinstance(measure, Mapping) and (
                    measure.get("computed") or measure.get("level_met") or measure.get("reported")))):
                fail(where, f"measure must be 'reported', {{computed: name}} or {{level_met: level}}, "
                            f"not {measure!r}")
            if isinstance(measure, Mapping) and measure.get("computed") and \
                    measure.get("role", "full") not in _ROLES:
                fail(where, f"role must be one of {_ROLES}")
            thresholds = ind.get("thresholds")
            if not isinstance(thresholds, Mapping) or not thresholds:
                fail(where, "missing thresholds")
                continue
            for level, spec in thresholds.items():
                if level not in levels:
                    fail(where, f"threshold for level {level!r}, which the set does not have {levels}")
                problems.extend(_check_spec(spec, source=source, where=f"{where} {level}",
                                            pass_fail=ind.get("unit") == _PASS_FAIL,
                                            regions=regions, need_source=True))
    return problems


def _check_spec(spec: Any, *, source: str, where: str, pass_fail: bool, regions: set[str],
                need_source: bool, layer: str = "criteria") -> list[Problem]:
    problems: list[Problem] = []

    def fail(what: str) -> None:
        problems.append(Problem(source, layer, where, what, "correct the threshold", "error"))

    if not isinstance(spec, Mapping):
        fail(f"threshold must be a mapping, not {spec!r}")
        return problems
    if spec.get("op", "==") not in OPS:
        fail(f"op {spec.get('op')!r} is not one of {list(OPS)}")
    if need_source and not str(spec.get("source", "")).strip():
        fail("every threshold needs its source")
    if "verified" in spec and not isinstance(spec["verified"], bool):
        fail("verified must be true or false")
    if need_source and "verified" not in spec:
        fail("say verified: true or false")
    forms = [k for k in ("value", "by_region", "by_year", "factor") if k in spec]
    if len(forms) != 1:
        fail(f"give exactly one of value, by_region, by_year, factor (found {forms or 'none'})")
        return problems
    if "factor" in spec and not (isinstance(spec.get("of"), Mapping)
                                 and {"indicator", "level"} <= set(spec["of"])):
        fail("a factor rule needs of: {indicator, level}")

    def check_value(value: Any, at: str) -> None:
        if isinstance(value, Mapping):
            problems.extend(_check_spec(value, source=source, where=f"{where} {at}",
                                        pass_fail=pass_fail, regions=regions, need_source=False,
                                        layer=layer))
        elif value is None:
            return
        elif pass_fail and not isinstance(value, bool):
            fail(f"{at or 'value'}: a pass/fail threshold is true, not {value!r}")
        elif not pass_fail and (isinstance(value, bool) or not isinstance(value, (int, float))):
            fail(f"{at or 'value'}: {value!r} is not a number")

    if "value" in spec:
        check_value(spec["value"], "")
    for region, value in (spec.get("by_region") or {}).items():
        if regions and region not in regions:
            fail(f"unknown region {region!r} (the set has {sorted(regions)})")
        check_value(value, f"region {region}")
    for year, value in (spec.get("by_year") or {}).items():
        if not isinstance(year, int):
            fail(f"year {year!r} is not a year")
        check_value(value, f"year {year}")
    return problems


def _read_yaml(ref: str, base_dir: Path | None) -> tuple[Any, str]:
    name = ref.split(":", 1)[1] if ref.startswith("package:") else ref
    if name in PACKAGED_SETS:
        text = resources.files("ntmgis").joinpath(f"criteria/{name}.yaml").read_text("utf-8")
        source = f"package:{name}"
    else:
        path = Path(name) if base_dir is None else base_dir / name
        if not path.exists():
            raise DataError(Problem(str(path), "criteria", "", "criteria set not found",
                                    f"use one of {PACKAGED_SETS} or a path to a YAML file", "error"))
        text = path.read_text(encoding="utf-8")
        source = str(path)
    try:
        return yaml.safe_load(text), source
    except yaml.YAMLError as exc:
        raise DataError(Problem(source, "criteria", "", f"not valid YAML ({exc})",
                                "fix the YAML syntax", "error")) from None


def check_overrides(overrides: Mapping[str, Any] | None,
                    sets: Mapping[str, CriteriaSet]) -> list[Problem]:
    """Problems of a ``criteria_overrides`` mapping against loaded sets (unknown ids, bad values)."""
    problems: list[Problem] = []
    where_file = "criteria_overrides"

    def fail(where: str, what: str, action: str) -> None:
        problems.append(Problem(where_file, "criteria", where, what, action, "error"))

    if not overrides:
        return problems
    if not isinstance(overrides, Mapping):
        fail("", "criteria_overrides must map set ids to {indicator: {level: value}}",
             "see ntmgis.criteria.sets")
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
        regions = set((criteria_set.data.get("regions") or {}).keys())
        for indicator, by_level in by_indicator.items():
            where = f"{set_id} {indicator}"
            if str(indicator) not in kinds:
                hint = (f"it comes from {criteria_set.data['builds_on']['set']}: override it there"
                        if criteria_set.base is not None else f"indicators: {', '.join(kinds)}")
                fail(where, f"set {set_id} has no indicator {indicator!r}", hint)
                continue
            if not isinstance(by_level, Mapping):
                fail(where, "must map levels to a value", "write {ntm: 80, nang_cao: 90}")
                continue
            for level, value in by_level.items():
                if level not in criteria_set.levels:
                    fail(f"{where} {level}", f"set {set_id} has no level {level!r}",
                         f"levels: {', '.join(criteria_set.levels)}")
                    continue
                spec = value if isinstance(value, Mapping) else {"value": value}
                problems.extend(_check_spec(spec, source=where_file, where=f"{where} {level}",
                                            pass_fail=kinds[str(indicator)] == "pass_fail",
                                            regions=regions, need_source=False))
    return problems


def _apply_overrides(criteria_set: CriteriaSet, by_indicator: Mapping[str, Any]) -> CriteriaSet:
    data = thaw(criteria_set.data)
    touched = set(criteria_set.overridden)
    for criterion in data["criteria"]:
        for ind in criterion["indicators"]:
            levels = by_indicator.get(str(ind["id"]))
            if not levels:
                continue
            for level, value in levels.items():
                old = ind["thresholds"].get(level, {})
                given = dict(value) if isinstance(value, Mapping) else {"value": value}
                new = {"op": given.pop("op", old.get("op", "==" if ind["unit"] == _PASS_FAIL else ">=")),
                       "verified": given.pop("verified", True),
                       "source": given.pop("source", _OVERRIDE_SOURCE)}
                new.update(given)
                ind["thresholds"][level] = new
                touched.add((str(ind["id"]), str(level)))
    return replace(criteria_set, data=freeze(data), overridden=frozenset(touched))


def load_criteria_sets(overrides: Mapping[str, Any] | None = None, *,
                       extra: Iterable[str | Path] = (),
                       base_dir: Path | None = None) -> dict[str, CriteriaSet]:
    """Load every packaged set (and ``extra`` files), link ``builds_on`` and apply overrides.

    Parameters
    ----------
    overrides : mapping, optional
        ``{set_id: {indicator_id: {level: value or spec}}}`` (see the module docstring).
    extra : iterable of path
        Further set files (a province's own sets), relative to ``base_dir``.

    Returns
    -------
    dict
        Set id → :class:`CriteriaSet`.

    Raises
    ------
    DataError
        Listing every problem of every file and of the overrides.
    """
    raw: dict[str, tuple[Any, str]] = {}
    problems: list[Problem] = []
    for ref in [*PACKAGED_SETS, *map(str, extra)]:
        try:
            data, source = _read_yaml(ref, base_dir)
        except DataError as exc:
            problems.extend(exc.problems)
            continue
        found = _check_set(data, source)
        problems.extend(found)
        if not found:
            raw[str(data["id"])] = (data, source)
    for data, source in raw.values():
        built = data.get("builds_on")
        if built is not None and (built["set"] not in raw
                                  or built["level"] not in raw[built["set"]][0]["levels"]):
            problems.append(Problem(source, "criteria", "builds_on",
                                    f"base {built['set']} level {built['level']} not found",
                                    "name a loaded set and one of its levels", "error"))
    if problems:
        raise DataError(problems, "criteria sets cannot be used")
    plain = {set_id: CriteriaSet(freeze(data), source) for set_id, (data, source) in raw.items()}
    plain = {set_id: _link(s, plain) for set_id, s in plain.items()}
    problems = check_overrides(overrides, plain)
    if problems:
        raise DataError(problems, "criteria_overrides cannot be used")
    if not overrides:
        return plain
    changed = {set_id: _apply_overrides(s, overrides.get(set_id) or {}) if set_id in overrides else s
               for set_id, s in plain.items()}
    # Re-link so that a kiểu mẫu set sees the overridden base (income × 1.10 follows the override).
    unlinked = {k: replace(v, base=None) for k, v in changed.items()}
    return {set_id: _link(s, unlinked) for set_id, s in unlinked.items()}


def _link(criteria_set: CriteriaSet, sets: Mapping[str, CriteriaSet]) -> CriteriaSet:
    built = criteria_set.data.get("builds_on")
    if built is None:
        return criteria_set
    return replace(criteria_set, base=_link(sets[built["set"]], sets))


def load_criteria_set(ref: str, *, overrides: Mapping[str, Any] | None = None,
                      base_dir: Path | None = None) -> CriteriaSet:
    """One criteria set by packaged id (``qd318_2022_xa`` or ``package:qd318_2022_xa``) or path.

    Raises
    ------
    DataError
        When the file is missing or invalid, or the overrides do not fit it.
    """
    name = ref.split(":", 1)[1] if ref.startswith("package:") else ref
    if name in PACKAGED_SETS:
        return load_criteria_sets(overrides)[name]
    data, _ = _read_yaml(ref, base_dir)
    sets = load_criteria_sets(overrides, extra=[ref], base_dir=base_dir)
    return sets[str(data["id"])]


# --------------------------------------------------------------------------------------------
# Choosing the set in force
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CriteriaSelection:
    """The sets one evaluation uses, and why.

    Attributes
    ----------
    commune : CriteriaSet
        xã NTM (and nâng cao where the set has it).
    kieu_mau : CriteriaSet or None
        The kiểu mẫu set building on ``commune``; None where the period has none (QĐ 1980).
    village : CriteriaSet or None
        The model-village set.
    as_of : date
        Assessment date the choice was made for.
    year : int
        Evaluation year (year-specific thresholds).
    region : str or None
        Regional column of the thresholds.
    reason : str
        "chosen by date" or "named in the workspace".
    """

    commune: CriteriaSet
    kieu_mau: CriteriaSet | None
    village: CriteriaSet | None
    as_of: date
    year: int
    region: str | None
    reason: str

    @property
    def set_ids(self) -> str:
        """The commune sets used, as one label (``qd318_2022_xa + qd319_2022_kieu_mau``)."""
        return " + ".join(s.id for s in (self.commune, self.kieu_mau) if s is not None)

    @property
    def levels(self) -> tuple[str, ...]:
        """Commune levels assessable with this selection, lowest first."""
        levels = list(self.commune.levels) + (list(self.kieu_mau.levels) if self.kieu_mau else [])
        return tuple(sorted(dict.fromkeys(levels), key=level_rank))

    def thresholds(self) -> pd.DataFrame:
        """Commune thresholds of every level (:meth:`CriteriaSet.thresholds` of both sets)."""
        frames = [s.thresholds(region=self.region, year=self.year)
                  for s in (self.commune, self.kieu_mau) if s is not None]
        return pd.concat(frames, ignore_index=True)

    def village_thresholds(self) -> pd.DataFrame:
        """Thresholds of the model-village set (empty when there is none)."""
        if self.village is None:
            return pd.DataFrame(columns=THRESHOLD_COLUMNS)
        return self.village.thresholds(region=self.region, year=self.year)


def _as_date(as_of: date | int | str) -> date:
    if isinstance(as_of, date):
        return as_of
    if isinstance(as_of, int):
        # A status year is read as its last day: the set in force when the year's status is taken.
        return date(as_of, 12, 31)
    return date.fromisoformat(str(as_of))


def choose_criteria(
    as_of: date | int | str,
    *,
    set_id: str = "auto",
    overrides: Mapping[str, Any] | None = None,
    province: str | None = None,
    region: str | None = None,
    year: int | None = None,
    sets: Mapping[str, CriteriaSet] | None = None,
) -> CriteriaSelection:
    """Choose the criteria sets for an assessment date (or take the one named).

    Parameters
    ----------
    as_of : date, int or ISO date string
        Assessment date; a bare year means 31 December of that year. With ``set_id="auto"``:
        QĐ 1980 before 2022-03-08, QĐ 318 (+ QĐ 319 kiểu mẫu) from then to 2025 — the
        ``valid_from`` / ``valid_to`` of each YAML file decide, not code.
    set_id : str
        ``auto`` or the id of a commune set (``qd318_2022_xa``).
    overrides : mapping, optional
        Province overrides (see the module docstring).
    province, region : str, optional
        Region of the thresholds: ``region`` if given, else the province's region in the set.
    year : int, optional
        Evaluation year; defaults to the year of ``as_of``.
    sets : mapping, optional
        Already loaded sets (:func:`load_criteria_sets`); loaded with ``overrides`` otherwise.

    Raises
    ------
    DataError
        When no set covers the date, the named set is unknown, or the province has no region.
    """
    day = _as_date(as_of)
    sets = load_criteria_sets(overrides) if sets is None else sets

    def covering(role: str) -> list[CriteriaSet]:
        return sorted((s for s in sets.values() if s.role == role and s.covers(day)),
                      key=lambda s: s.valid_from, reverse=True)

    if set_id == "auto":
        candidates = covering("commune")
        if not candidates:
            periods = ", ".join(f"{s.id} {s.valid_from}…{s.valid_to}" for s in sets.values()
                                if s.role == "commune")
            raise DataError(Problem("", "criteria", str(day), "no commune criteria set covers "
                                    f"this date ({periods})",
                                    "name a set with criteria_set: in workspace.yaml", "error"))
        commune, reason = candidates[0], "chosen by date"
    else:
        if set_id not in sets or sets[set_id].role != "commune":
            known = sorted(k for k, s in sets.items() if s.role == "commune")
            raise DataError(Problem("", "criteria", set_id, f"unknown commune criteria set {set_id!r}",
                                    f"use auto or one of {known}", "error"))
        commune, reason = sets[set_id], "named in the workspace"
    kieu_mau = next((s for s in sets.values() if s.role == "kieu_mau" and s.base is not None
                     and s.base.id == commune.id), None)
    villages = covering("village") or sorted((s for s in sets.values() if s.role == "village"),
                                             key=lambda s: s.valid_to, reverse=True)
    if region is None and province:
        region = commune.region_of(province)
        if region is None:
            raise DataError(Problem("", "criteria", str(province),
                                    f"province {province!r} is in no region of {commune.id}",
                                    "give the region (e.g. TDMNPB) or add the province to the "
                                    "set's regions", "error"))
    return CriteriaSelection(commune=commune, kieu_mau=kieu_mau,
                             village=villages[0] if villages else None, as_of=day,
                             year=day.year if year is None else int(year), region=region,
                             reason=reason)

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
every region, commune group and year; a spec may carry ``value``, ``by_year``, ``by_region``,
``by_group`` (QĐ 51/2025: ``{nhom_1: 100, nhom_2: 90, nhom_3: 70}``, the province's numbers per
commune group), ``op``, ``source`` and ``verified``. An override is the province's own number: it
is ``verified`` unless the spec says ``verified: false``, and every output marks it ``overridden``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from .._frozen import freeze, thaw
from ..codes import level_rank
from ..io.readers import read_yaml
from ..labels import text
from ..problems import DataError, Problem
from .records import records
from .schema import OPS, PASS_FAIL, check_overrides, check_set
from .texts import NO_TEXT, Both, both
from .texts import joined as _joined
from .texts import note as _note

__all__ = [
    "PACKAGED_SETS",
    "UNVERIFIED_NOTE",
    "NOT_SET_NOTE",
    "OPS",
    "CriteriaSet",
    "load_criteria_set",
    "load_criteria_sets",
    "check_overrides",
    "level_rank",
    "THRESHOLD_COLUMNS",
]

PACKAGED_SETS = (
    "qd1980_2016",
    "qd318_2022_xa",
    "qd319_2022_kieu_mau",
    "bac_giang_thon_kieu_mau",
    "qd51_2025_xa",
)
#: The words every table, popup and report shows next to a threshold no source confirms.
UNVERIFIED_NOTE = f"{text('criteria.unverified', 'vi')} / {text('criteria.unverified', 'en')}"
#: The words next to a measured indicator whose set gives no number (every threshold of QĐ 51/2025);
#: ``threshold_note`` (English) carries the English half, ``threshold_note_vi`` the Vietnamese one.
NOT_SET_NOTE = text("criteria.threshold_not_set", "en")

THRESHOLD_COLUMNS = [
    "criteria_set",
    "level",
    "criterion",
    "criterion_vi",
    "criterion_en",
    "indicator",
    "name_vi",
    "name_en",
    "short_vi",
    "short_en",
    "unit",
    "kind",
    "method",
    "computed",
    "role",
    "value_from",
    "level_met",
    "op",
    "threshold",
    "verified",
    "source",
    "overridden",
    "inherited_from",
    "threshold_note",
    "source_vi",
    "threshold_note_vi",
]


def _measure(raw: Any) -> dict[str, Any]:
    """Normalise an indicator's ``measure`` entry to {method, computed, role, value_from, level_met}."""
    out: dict[str, Any] = {
        "method": "reported",
        "computed": None,
        "role": None,
        "value_from": None,
        "level_met": None,
    }
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
    def reports_from(self) -> int | None:
        """First year whose status reports count for this set (``reports_from:``); None: all years.

        A set with a new structure (QĐ 51/2025: 10 criteria, not QĐ 318's 19) cannot read a
        report of an earlier set by its criterion number: "2" was Giao thông, it is now Hạ tầng.
        """
        day = self.data.get("reports_from")
        return None if day is None else int(day.year)

    @property
    def legal_basis(self) -> str:
        return str(self.data["legal_basis"])

    def title(self, lang: str = "vi") -> str:
        return str(self.data["title"].get(lang) or self.data["title"]["vi"])

    def applies_to(self, kind_field: str) -> tuple[str, ...] | None:
        """Unit kinds the set applies to (``commune_kind`` → ("xa",)); None when not restricted."""
        kinds = (self.data.get("applies_to") or {}).get(kind_field)
        return tuple(kinds) if kinds is not None else None

    def for_province(self, province: str | None) -> bool:
        """True when the set applies in ``province``: a provincial set (``provinces:``) only there."""
        from .regions import province_code

        listed = self.data.get("provinces")
        if not listed:
            return True
        return province_code(province) in {province_code(str(p)) for p in listed}

    def covers(self, day: date) -> bool:
        """True when ``day`` falls in the period the set governs."""
        return self.valid_from <= day <= self.valid_to

    @property
    def commune_groups(self) -> tuple[str, ...]:
        """The set's commune groups (QĐ 51/2025: ``nhom_1``, ``nhom_2``, ``nhom_3``); empty when its
        thresholds do not depend on a group."""
        return tuple(str(g) for g in (self.data.get("commune_groups") or {}))

    @property
    def region_columns(self) -> tuple[str, ...]:
        """The set's regional threshold columns (``("TDMNPB",)``), in file order."""
        return tuple(str(r) for r in (self.data.get("regions") or {}))

    def column_of(self, region: str | None) -> str | None:
        """The regional column that applies to a GSO region (or to a column code given as is).

        A column covers the GSO regions of its ``gso:`` list, else the region of its own code; a
        region no column covers is returned unchanged: its regional thresholds then have no value
        (the indicators are "not assessed", never passed).
        """
        if region is None:
            return None
        entries = self.data.get("regions") or {}
        if region in entries:
            return str(region)
        return next(
            (str(c) for c, entry in entries.items() if region in (entry.get("gso") or ())),
            str(region),
        )

    def region_of(self, province: str | None) -> str | None:
        """The regional column of ``province`` (Bắc Giang → ``TDMNPB``), or None when unknown.

        A province the set lists under a column (``provinces:``) takes that column; any other
        takes its GSO region (``ntmgis/data/provinces_regions.csv``) through :meth:`column_of`.
        """
        if not province:
            return None
        from ..names import name_key  # names matching folds accents, đ and tone placement
        from .regions import province_region

        wanted = name_key(str(province))
        for region, entry in (self.data.get("regions") or {}).items():
            if any(name_key(str(p)) == wanted for p in entry.get("provinces", ())):
                return str(region)
        return self.column_of(province_region(province))

    def indicators(self) -> pd.DataFrame:
        """The set's own indicators (not inherited ones): one row each, in file order."""
        rows = []
        for criterion in self.data["criteria"]:
            for ind in criterion["indicators"]:
                rows.append(
                    {
                        "criteria_set": self.id,
                        "criterion": str(criterion["id"]),
                        "criterion_vi": criterion["name"]["vi"],
                        "criterion_en": criterion["name"]["en"],
                        "indicator": str(ind["id"]),
                        "name_vi": ind["name"]["vi"],
                        "name_en": ind["name"]["en"],
                        "short_vi": ind["short"]["vi"],
                        "short_en": ind["short"]["en"],
                        "unit": str(ind["unit"]),
                        "kind": "pass_fail" if ind["unit"] == PASS_FAIL else "number",
                        **_measure(ind.get("measure")),
                        "levels": tuple(ind["thresholds"]),
                    }
                )
        return pd.DataFrame(rows)

    def _spec(self, indicator: str, level: str) -> Mapping[str, Any] | None:
        for criterion in self.data["criteria"]:
            for ind in criterion["indicators"]:
                if str(ind["id"]) == indicator:
                    return ind["thresholds"].get(level)
        return None

    def thresholds(self, *, region: str | None, year: int, group: str | None = None) -> pd.DataFrame:
        """Thresholds resolved for ``region`` and ``year``: one row per (indicator, level).

        Parameters
        ----------
        region : str or None
            Regional column (``TDMNPB``). A threshold given only by region has no value without it.
        year : int
            Evaluation year, for year-specific thresholds (income). A year the law does not list
            borrows the nearest listed year and is then marked unverified, with a note.
        group : str, optional
            Commune group (``nhom_2``), for thresholds given ``by_group``; without it they have no
            value.

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
            base_rows = self.base.thresholds(region=region, year=year, group=group)
            base_rows = base_rows[base_rows["level"] == built["level"]]
            for level in self.levels:
                rows.extend(records(base_rows.assign(level=level, inherited_from=built["level"])))
        # The specs in file order, beside the indicator rows built from the same walk.
        own_specs = [
            ind["thresholds"] for criterion in self.data["criteria"] for ind in criterion["indicators"]
        ]
        for record, specs in zip(records(self.indicators()), own_specs, strict=True):
            for level in record.pop("levels"):
                spec = specs[level]
                value, verified, source, note = self._resolve_spec(
                    spec, region=region, year=year, group=group
                )
                note = _unknown_note(note, value, record)
                source_vi, source_en = source
                rows.append(
                    {
                        **record,
                        "level": level,
                        "op": spec.get("op", "=="),
                        "threshold": math.nan
                        if record["kind"] == "pass_fail" or value is None
                        else float(value),
                        "verified": bool(verified),
                        "source": source_en,
                        "overridden": (record["indicator"], level) in self.overridden,
                        "inherited_from": "",
                        "threshold_note": note[1],
                        "source_vi": source_vi,
                        "threshold_note_vi": note[0],
                    }
                )
        frame = pd.DataFrame(rows, columns=THRESHOLD_COLUMNS)
        frame["verified"] = frame["verified"].astype(bool)
        frame["overridden"] = frame["overridden"].astype(bool)
        frame["threshold"] = frame["threshold"].astype(float)
        return frame.reset_index(drop=True)

    def _resolve_spec(
        self, spec: Mapping[str, Any], *, region: str | None, year: int, group: str | None = None
    ) -> tuple[Any, bool, Both, Both]:
        if "factor" in spec:
            ref = spec["of"]
            if self.base is None:
                return None, False, both(spec.get("source")), _note("no_factor_base")
            base_spec = self.base._spec(str(ref["indicator"]), str(ref["level"]))
            base_value, base_verified, base_source, base_note = self.base._resolve_spec(
                base_spec or {}, region=region, year=year, group=group
            )
            own = both(spec.get("source"))
            source = (
                (f"{own[0]}; × {base_source[0]}", f"{own[1]}; × {base_source[1]}")
                if any(base_source)
                else own
            )
            if base_value is None:
                return None, False, source, base_note if any(base_note) else _note("base_unknown")
            value = round(float(spec["factor"]) * float(base_value), 6)
            return value, bool(spec.get("verified", False)) and base_verified, source, base_note
        return _resolve(spec, region=region, year=year, group=group)


def _unknown_note(note: Both, value: Any, record: Mapping[str, Any]) -> Both:
    """The note of a threshold without a number: a measured indicator says "ngưỡng chưa có /
    threshold not set" (it is shown, never met or not met); a reported one that only a reported
    Đạt / Chưa đạt counts."""
    if value is not None:
        return note
    if record["method"] == "computed":
        return _joined(note, _note("threshold_not_set"))
    if record["kind"] != "pass_fail":
        return _joined(note, _note("number_unknown"))
    return note


def _resolve(
    spec: Any,
    *,
    region: str | None,
    year: int,
    verified: bool = False,
    source: Both = NO_TEXT,
    group: str | None = None,
) -> tuple[Any, bool, Both, Both]:
    """Walk ``by_region`` / ``by_group`` / ``by_year`` down to one value; returns (value, verified,
    source, note)."""
    if not isinstance(spec, Mapping):
        return spec, verified, source, NO_TEXT
    verified = bool(spec.get("verified", verified))
    source = both(spec["source"]) if "source" in spec else source
    if "by_group" in spec:
        table = spec["by_group"]
        if group is None or group not in table:
            return (
                None,
                verified,
                source,
                (_note("no_group_value", group=group) if group else _note("no_group")),
            )
        return _resolve(table[group], region=region, year=year, verified=verified, source=source, group=group)
    if "by_region" in spec:
        table = spec["by_region"]
        if region is None or region not in table:
            return (
                None,
                verified,
                source,
                (_note("no_region_value", region=region) if region else _note("no_region")),
            )
        return _resolve(
            table[region], region=region, year=year, verified=verified, source=source, group=group
        )
    if "by_year" in spec:
        table = {int(y): v for y, v in spec["by_year"].items()}
        if year in table:
            return _resolve(
                table[year], region=region, year=year, verified=verified, source=source, group=group
            )
        nearest = min(table, key=lambda y: (abs(y - year), -y))
        value, _, source, note = _resolve(
            table[nearest], region=region, year=nearest, verified=verified, source=source, group=group
        )
        # Borrowing another year's number is a guess about the law, whatever its own status.
        return value, False, source, _note("nearest_year", nearest=nearest, year=year)
    return spec.get("value"), verified, source, NO_TEXT


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def _read_yaml(ref: str, base_dir: Path | None) -> tuple[Any, str]:
    name = ref.split(":", 1)[1] if ref.startswith("package:") else ref
    if name in PACKAGED_SETS:
        file: Any = resources.files("ntmgis").joinpath(f"criteria/{name}.yaml")
        source = f"package:{name}"
    else:
        file = Path(name) if base_dir is None else base_dir / name
        source = str(file)
        if not file.exists():
            raise DataError(
                Problem.of(
                    "problems.criteria_set_not_found",
                    file=source,
                    layer="criteria",
                    severity="error",
                    known=str(PACKAGED_SETS),
                )
            )
    data, problems = read_yaml(file, layer="criteria", label=source)
    if problems:
        raise DataError(list(problems))
    return data, source


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
                new = {
                    "op": given.pop("op", old.get("op", "==" if ind["unit"] == PASS_FAIL else ">=")),
                    "verified": given.pop("verified", True),
                    "source": _source_map(given.pop("source", None)),
                }
                new.update(given)
                ind["thresholds"][level] = new
                touched.add((str(ind["id"]), str(level)))
    return replace(criteria_set, data=freeze(data), overridden=frozenset(touched))


def _source_map(given: Any) -> dict[str, str]:
    """The source of an override as ``{vi, en}``: the user's own text in both languages, else
    "province override"."""
    vi, en = both(given) if given is not None and given != "" else _note("override_source")
    return {"vi": vi, "en": en}


def load_criteria_sets(
    overrides: Mapping[str, Any] | None = None,
    *,
    extra: Iterable[str | Path] = (),
    base_dir: Path | None = None,
) -> dict[str, CriteriaSet]:
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
        found = check_set(data, source)
        problems.extend(found)
        if not found:
            raw[str(data["id"])] = (data, source)
    for data, source in raw.values():
        built = data.get("builds_on")
        if built is not None and (
            built["set"] not in raw or built["level"] not in raw[built["set"]][0]["levels"]
        ):
            problems.append(
                Problem.of(
                    "problems.criteria_base_not_found",
                    file=source,
                    layer="criteria",
                    feature="builds_on",
                    severity="error",
                    base=str(built["set"]),
                    level=str(built["level"]),
                )
            )
    if problems:
        raise DataError(problems, "problems.header_criteria_sets")
    plain = {set_id: CriteriaSet(freeze(data), source) for set_id, (data, source) in raw.items()}
    plain = {set_id: _link(s, plain) for set_id, s in plain.items()}
    problems = check_overrides(overrides, plain)
    if problems:
        raise DataError(problems, "problems.header_criteria_overrides")
    if not overrides:
        return plain
    changed = {
        set_id: _apply_overrides(s, overrides.get(set_id) or {}) if set_id in overrides else s
        for set_id, s in plain.items()
    }
    # Re-link so that a kiểu mẫu set sees the overridden base (income × 1.10 follows the override).
    unlinked = {k: replace(v, base=None) for k, v in changed.items()}
    return {set_id: _link(s, unlinked) for set_id, s in unlinked.items()}


def _link(criteria_set: CriteriaSet, sets: Mapping[str, CriteriaSet]) -> CriteriaSet:
    built = criteria_set.data.get("builds_on")
    if built is None:
        return criteria_set
    return replace(criteria_set, base=_link(sets[built["set"]], sets))


def load_criteria_set(
    ref: str, *, overrides: Mapping[str, Any] | None = None, base_dir: Path | None = None
) -> CriteriaSet:
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

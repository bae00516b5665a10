"""Unit periods and crosswalks as data: which old unit became which new unit, when, by which resolution.

A crosswalk is a CSV (a ``#`` header comment, then one row per old unit and step; the format is in
``docs/en/reference/crosswalk.md``). A unit is its **period and its code**: GSO codes are reused
(07333 is Lam Cốt in 2020-03, Lam Sơn in 2025-01, Quang Trung in 2025-07), so a join across periods
on the code alone is refused. :func:`read_crosswalk` reads and checks one (every problem in one
:class:`~ntmgis.problems.ProblemReport`); :func:`packaged_crosswalk` gives Tân Yên's;
:func:`roll_up` carries additive quantities to the later units and recomputes shares from the sums.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path

import pandas as pd

from ntmgis.io.readers import read_table
from ntmgis.names import exact_key, normalize_text
from ntmgis.problems import DataError, ParamValue, Problem, ProblemReport, Severity

__all__ = [
    "COLUMNS",
    "Crosswalk",
    "check_crosswalk",
    "packaged_crosswalk",
    "read_crosswalk",
    "roll_up",
    "workspace_crosswalk",
    "workspace_unit_period",
]

#: Columns of a crosswalk file, in order (``share`` may be empty: the whole unit).
COLUMNS = (
    "from_period",
    "to_period",
    "effective",
    "resolution",
    "old_code",
    "old_name",
    "old_kind",
    "new_code",
    "new_name",
    "new_kind",
    "share",
    "source",
)
_REQUIRED_TEXT = tuple(c for c in COLUMNS if c != "share")
#: Kinds of unit a crosswalk knows: commune, town (district level, to 2025-06) and ward.
UNIT_KINDS = frozenset({"xa", "thi_tran", "phuong"})
_LAYER = "crosswalk"
# A code with several names within one step, by the side of the step (the old or the new units).
_SIDE_NAMES = {"old": "problems.crosswalk_old_code_names", "new": "problems.crosswalk_new_code_names"}
_SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Crosswalk:
    """A checked crosswalk (from :func:`check_crosswalk`): its rows and its file; immutable."""

    _rows: pd.DataFrame = field(repr=False)
    file: str = ""

    @property
    def rows(self) -> pd.DataFrame:
        """A copy of the rows (:data:`COLUMNS`; ``share`` a float, 1.0 for a whole unit)."""
        return self._rows.copy()

    @property
    def periods(self) -> tuple[str, ...]:
        """The unit periods in order: the first step's ``from_period``, then each ``to_period``."""
        steps = self.steps
        return (steps[0][0], *(to for _, to in steps)) if steps else ()

    @cached_property
    def steps(self) -> tuple[tuple[str, str], ...]:
        """``(from_period, to_period)`` of each step, by effective date."""
        ordered = self._rows.sort_values("effective", kind="stable")
        pairs = ordered[["from_period", "to_period"]].drop_duplicates()
        return tuple((str(a), str(b)) for a, b in pairs.itertuples(index=False))

    def units(self, period: str) -> pd.DataFrame:
        """Units of ``period``: ``code``, ``name``, ``kind`` (one row each)."""
        if period not in self.periods:
            raise DataError(
                _problem(
                    self.file,
                    period,
                    "crosswalk_unknown_period",
                    period=repr(period),
                    known=str(list(self.periods)),
                )
            )
        first = self.periods[0] == period
        side = "old" if first else "new"
        rows = self._rows[self._rows["from_period" if first else "to_period"] == period]
        cols = {f"{side}_code": "code", f"{side}_name": "name", f"{side}_kind": "kind"}
        return rows[list(cols)].rename(columns=cols).drop_duplicates("code").reset_index(drop=True)

    def reused_codes(self) -> dict[str, list[tuple[str, str]]]:
        """Codes that denote different units in different periods: code → [(period, name), …].

        A code is *continued*, not reused, when a unit maps wholly onto the unit of the same code,
        name and kind and nothing else joins it.
        """
        seen: dict[str, list[tuple[str, str]]] = {}
        for period in self.periods:
            for unit in self.units(period).itertuples(index=False):
                seen.setdefault(str(unit.code), []).append((period, str(unit.name)))
        continued = _continued(self._rows)
        reused = {}
        for code, places in seen.items():
            breaks = [
                (a, b) for a, b in zip(places, places[1:], strict=False) if (code, a[0]) not in continued
            ]
            if breaks:
                reused[code] = places
        return reused


def _continued(rows: pd.DataFrame) -> set[tuple[str, str]]:
    """(code, from_period) of the units that carry on unchanged into the next period."""
    per_new = rows.groupby(["to_period", "new_code"])["old_code"].transform("size")
    same = (
        (rows["old_code"] == rows["new_code"])
        & (rows["old_name"].map(_key) == rows["new_name"].map(_key))
        & (rows["old_kind"] == rows["new_kind"])
        & (rows["share"] >= 1.0 - _SHARE_TOLERANCE)
        & (per_new == 1)
    )
    return {
        (str(c), str(p))
        for c, p in zip(rows.loc[same, "old_code"], rows.loc[same, "from_period"], strict=True)
    }


def _key(name: object) -> str:
    return exact_key(normalize_text(str(name))) if isinstance(name, str) else ""


def _problem(
    file: str, feature: str, name: str, /, severity: Severity = "error", count: int = 1, **params: ParamValue
) -> Problem:
    """The crosswalk problem ``problems.<name>`` (its words in ``ntmgis/catalogue/problems.yaml``)."""
    return Problem.from_params(
        f"problems.{name}", params, file=file, layer=_LAYER, feature=feature, severity=severity, count=count
    )


def _grouped(
    file: str, items: Sequence[str], name: str, /, severity: Severity = "error", **params: ParamValue
) -> list[Problem]:
    """One problem ``problems.<name>`` for all ``items`` (a few named as examples), none when empty."""
    if not items:
        return []
    shown = "; ".join(items[:5]) + ("; …" if len(items) > 5 else "")
    return [_problem(file, shown, name, severity, len(items), **params)]


def _row(index: object) -> str:
    return f"row {int(index) + 2}" if isinstance(index, int) else str(index)


def _check_cells(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Blank required cells, bad dates, unknown kinds, bad shares: one problem per kind."""
    problems: list[Problem] = []
    blank = [f"{_row(i)} {c}" for c in _REQUIRED_TEXT for i in frame.index[frame[c].isna()]]
    problems += _grouped(file, blank, "crosswalk_cell_empty")
    dates = pd.to_datetime(frame["effective"], format="%Y-%m-%d", errors="coerce")
    bad = [
        f"{_row(i)} {frame.at[i, 'effective']!r}"
        for i in frame.index[dates.isna() & frame["effective"].notna()]
    ]
    problems += _grouped(file, bad, "crosswalk_bad_date")
    kinds = [
        f"{_row(i)} {frame.at[i, c]!r}"
        for c in ("old_kind", "new_kind")
        for i in frame.index[frame[c].notna() & ~frame[c].isin(UNIT_KINDS)]
    ]
    problems += _grouped(file, kinds, "crosswalk_unknown_kind", known=str(sorted(UNIT_KINDS)))
    share = pd.to_numeric(frame["share"], errors="coerce")
    wrong = frame["share"].notna() & ~((share > 0) & (share <= 1))
    problems += _grouped(
        file,
        [f"{_row(i)} {frame.at[i, 'share']!r}" for i in frame.index[wrong]],
        "crosswalk_bad_share",
    )
    return problems


def _check_step(step: pd.DataFrame, file: str) -> list[Problem]:
    """Within one step: each old unit maps once (or splits with shares summing to 1), one date, one name."""
    name = f"{step['from_period'].iat[0]} → {step['to_period'].iat[0]}"
    problems: list[Problem] = []
    dates = step["effective"][pd.to_datetime(step["effective"], format="%Y-%m-%d", errors="coerce").notna()]
    if dates.nunique() > 1:
        problems.append(_problem(file, name, "crosswalk_step_dates", dates=str(sorted(dates.unique()))))
    twice, splits = [], []
    for code, rows in step.groupby("old_code", sort=False):
        if len(rows) == 1:
            if rows["share"].iat[0] < 1.0 - _SHARE_TOLERANCE:
                twice.append(f"{code} share {rows['share'].iat[0]:g} without its other part")
            continue
        if rows["share_given"].all() and abs(rows["share"].sum() - 1.0) <= 1e-3:
            splits.append(
                f"{code} {rows['old_name'].iat[0]} → "
                + " + ".join(f"{c} ({s:g})" for c, s in zip(rows["new_code"], rows["share"], strict=True))
            )
        else:
            twice.append(f"{code} {rows['old_name'].iat[0]} → {', '.join(rows['new_code'])}")
    problems += _grouped(
        file,
        twice,
        "crosswalk_mapped_twice",
        step=name,
    )
    problems += _grouped(
        file,
        splits,
        "crosswalk_split",
        "warning",
        step=name,
    )
    for side in ("old", "new"):
        names = step.groupby(f"{side}_code")[f"{side}_name"].agg(lambda s: s.map(_key).nunique())
        problems += _grouped(
            file,
            [str(c) for c in names.index[names > 1]],
            _SIDE_NAMES[side].removeprefix("problems."),
            step=name,
        )
    return problems


def _check_chain(frame: pd.DataFrame, file: str) -> list[Problem]:
    """Steps in date order, each starting from the units the previous one ended with."""
    problems: list[Problem] = []
    dated = frame.assign(_d=pd.to_datetime(frame["effective"], format="%Y-%m-%d", errors="coerce"))
    steps = dated.groupby(["from_period", "to_period"], sort=False)["_d"].min().sort_values()
    previous: tuple[str, pd.DataFrame] | None = None
    for (start, end), _ in steps.items():
        step = frame[(frame["from_period"] == start) & (frame["to_period"] == end)]
        if previous is not None:
            before_period, before = previous
            if start != before_period:
                problems.append(
                    _problem(
                        file,
                        f"{start} → {end}",
                        "crosswalk_not_chained",
                        start=start,
                        before=before_period,
                    )
                )
            ended = dict(zip(before["new_code"], before["new_name"], strict=False))
            began = dict(zip(step["old_code"], step["old_name"], strict=False))
            missing = [f"{c} {n}" for c, n in ended.items() if c not in began]
            extra = [f"{c} {n}" for c, n in began.items() if c not in ended]
            renamed = [
                f"{c} {ended[c]} / {n}" for c, n in began.items() if c in ended and _key(n) != _key(ended[c])
            ]
            problems += _grouped(
                file,
                missing,
                "crosswalk_unit_not_mapped",
                start=start,
                end=end,
            )
            problems += _grouped(
                file,
                extra,
                "crosswalk_unit_extra",
                start=start,
                end=end,
            )
            problems += _grouped(
                file,
                renamed,
                "crosswalk_unit_renamed",
                start=start,
            )
        previous = (end, step)
    return problems


def check_crosswalk(frame: pd.DataFrame, *, file: str = "") -> tuple[Crosswalk | None, ProblemReport]:
    """Check a crosswalk table; never raises on bad data.

    Parameters
    ----------
    frame : DataFrame
        The crosswalk's rows (:data:`COLUMNS`, text cells as read).
    file : str
        Its file, for the problems.

    Returns
    -------
    (Crosswalk or None, ProblemReport)
        The crosswalk when no problem is an error; every problem found, one per kind.

    Examples
    --------
    >>> rows = pd.DataFrame({"from_period": ["2020-03"] * 2, "to_period": ["2025-07"] * 2,
    ...     "effective": ["2025-07-01", "2025-07-01"], "resolution": ["NQ 1658/NQ-UBTVQH15"] * 2,
    ...     "old_code": ["07324", "07324"], "old_name": ["Phúc Hòa"] * 2, "old_kind": ["xa"] * 2,
    ...     "new_code": ["07330", "07330"], "new_name": ["Phúc Hòa"] * 2, "new_kind": ["xa"] * 2,
    ...     "share": [None, None], "source": ["NQ 1658 Điều 1 khoản 59"] * 2})
    >>> walk, report = check_crosswalk(rows)
    >>> walk is None, len(report)
    (True, 1)
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return None, ProblemReport(
            (
                _problem(
                    file, "", "crosswalk_missing_columns", missing=str(missing), columns=str(list(COLUMNS))
                ),
            )
        )
    table = frame[list(COLUMNS)].copy()
    for column in _REQUIRED_TEXT:
        table[column] = table[column].map(lambda v: v.strip() or None if isinstance(v, str) else v)
    table = table.reset_index(drop=True)
    problems = _check_cells(table, file)
    table["share_given"] = table["share"].notna()
    table["share"] = pd.to_numeric(table["share"], errors="coerce").fillna(1.0)
    usable = table.dropna(subset=["from_period", "to_period", "old_code", "new_code"])
    for _, step in usable.groupby(["from_period", "to_period"], sort=False):
        problems += _check_step(step, file)
    problems += _check_chain(usable, file)
    report = ProblemReport(tuple(problems))
    if not report.ok:
        return None, report
    return Crosswalk(table.drop(columns="share_given"), file), report


def read_crosswalk(path: str | os.PathLike[str]) -> tuple[Crosswalk | None, ProblemReport]:
    """Read a crosswalk CSV (``#`` header comment allowed) and check it (:func:`check_crosswalk`).

    Examples
    --------
    >>> walk, report = read_crosswalk(files("ntmgis") / "data" / "crosswalk_tan_yen.csv")
    >>> walk.periods, report.ok
    (('2020-03', '2025-01', '2025-07'), True)
    """
    try:
        read = read_table(Path(str(path)), name=_LAYER, header_comment=True)
    except DataError as exc:
        return None, ProblemReport(exc.problems)
    walk, report = check_crosswalk(read.frame, file=str(path))
    return walk, ProblemReport(read.problems) + report


@cache  # a Crosswalk is immutable: read and checked once per process (every workspace load infers with it)
def packaged_crosswalk(district: str = "tan_yen") -> Crosswalk:
    """The crosswalk shipped with ntmgis (Tân Yên: 2020-03 → 2025-01 → 2025-07).

    Examples
    --------
    >>> walk = packaged_crosswalk()
    >>> walk.units("2025-07")["name"].tolist()
    ['Nhã Nam', 'Quang Trung', 'Phúc Hòa', 'Tân Yên', 'Ngọc Thiện', 'Đa Mai']
    """
    path = files("ntmgis") / "data" / f"crosswalk_{district}.csv"
    walk, report = read_crosswalk(Path(str(path)))
    if walk is None:
        raise DataError(report.problems, "problems.header_packaged_crosswalk", district=repr(district))
    return walk


def _mapping(walk: Crosswalk, start: str, step: str) -> pd.DataFrame:
    """``old_code`` (in ``start``) → ``new_code`` (in ``step``) with the product of the shares."""
    periods = walk.periods
    if start not in periods or step not in periods or periods.index(step) <= periods.index(start):
        raise DataError(
            _problem(
                walk.file,
                f"{start} → {step}",
                "crosswalk_no_step",
                start=repr(start),
                end=repr(step),
                periods=str(list(periods)),
            )
        )
    units = walk.units(start)
    chain = pd.DataFrame({"old_code": units["code"], "code": units["code"], "weight": 1.0})
    for a, b in walk.steps[periods.index(start) : periods.index(step)]:
        rows = walk._rows[(walk._rows["from_period"] == a) & (walk._rows["to_period"] == b)]
        chain = chain.merge(
            rows[["old_code", "new_code", "share"]].rename(columns={"old_code": "code"}), on="code"
        )
        chain = chain.assign(code=chain["new_code"], weight=chain["weight"] * chain["share"])[
            ["old_code", "code", "weight"]
        ]
    return chain.rename(columns={"code": "new_code"})


def _period_of(table: pd.DataFrame, code: str, walk: Crosswalk, period: str | None) -> str:
    """The unit period: ``period=``, else the ``unit_period`` column, else refused if codes are reused."""
    stated = sorted({str(v) for v in table["unit_period"].dropna()}) if "unit_period" in table.columns else []
    if len(stated) > 1 or (period is not None and stated and stated != [period]):
        raise DataError(
            _problem(
                walk.file,
                ", ".join(stated),
                "crosswalk_several_periods",
                periods=str(stated),
            )
        )
    period = period or (stated[0] if stated else None)
    if period is not None:
        return period
    reused = walk.reused_codes()
    hits = sorted(set(table[code].astype(str)) & set(reused))
    if hits:
        named = [f"{c}: " + ", ".join(f"{n} ({p})" for p, n in reused[c]) for c in hits]
        raise DataError(
            _grouped(
                walk.file,
                named,
                "crosswalk_codes_reused",
            ),
        )
    return walk.periods[0]


def roll_up(
    table: pd.DataFrame,
    crosswalk: Crosswalk,
    step: str,
    *,
    sum: Sequence[str],  # noqa: A002 - the word of the brief: which columns are summed
    shares: Mapping[str, tuple[str, str]] | None = None,
    by: Sequence[str] = (),
    code: str = "commune_code",
    period: str | None = None,
) -> pd.DataFrame:
    """Roll additive quantities up to the units of ``step``; shares are recomputed from the sums.

    Parameters
    ----------
    table : DataFrame
        One row per old unit (and ``by`` group), its code in ``code``.
    crosswalk : Crosswalk
    step : str
        The later unit period (``"2025-07"``).
    sum : sequence of str
        Additive columns (km, hardened km, ha, households, population, cost); a split unit's part
        is its stated share.
    shares : mapping, optional
        ``{share column: (numerator, denominator)}`` recomputed as sum / sum (NaN when the
        denominator is 0); never an average of the old shares.
    by : sequence of str
        Columns kept as groups (``road_class``). Every other column (a status, an old share) is dropped:
        statuses are never combined.
    code : str
        The unit-code column.
    period : str, optional
        The table's unit period; else its ``unit_period`` column; else the first period, refused when
        a code in the table is reused across periods.

    Returns
    -------
    DataFrame
        ``code``, ``by``…, the sums, the shares and ``unit_period`` (= ``step``).

    Raises
    ------
    DataError
        A join on the code alone across reused codes; codes not in the table's period.

    Examples
    --------
    >>> walk = packaged_crosswalk()
    >>> roads = pd.DataFrame({"commune_code": ["07318", "07333", "07303"],
    ...     "total_km": [4.0, 6.0, 5.0], "concretized_km": [4.0, 3.0, 5.0], "share": [1.0, 0.5, 1.0]})
    >>> roll_up(roads, walk, "2025-07", sum=["total_km", "concretized_km"],
    ...         shares={"share": ("concretized_km", "total_km")}, period="2020-03")
      commune_code  total_km  concretized_km  share unit_period
    0        07333      15.0            12.0    0.8     2025-07
    >>> try:  # the same table without its period: 07333 is three units
    ...     roll_up(roads, walk, "2025-07", sum=["total_km"])
    ... except DataError as exc:
    ...     print(exc.problems[0].feature)
    07333: Lam Cốt (2020-03), Lam Sơn (2025-01), Quang Trung (2025-07)
    """
    start = _period_of(table, code, crosswalk, period)
    mapping = _mapping(crosswalk, start, step)
    codes = table[code].astype(str)
    unknown = sorted(set(codes) - set(mapping["old_code"]))
    if unknown:
        raise DataError(
            _grouped(
                crosswalk.file,
                unknown,
                "crosswalk_code_not_in_period",
                period=start,
            )
        )
    parts = table.assign(**{code: codes}).merge(mapping, left_on=code, right_on="old_code")
    for column in sum:
        parts[column] = pd.to_numeric(parts[column]) * parts["weight"]
    keys = ["new_code", *by]
    out = parts.groupby(keys, sort=True, dropna=False)[list(sum)].sum(min_count=1).reset_index()
    for name, (numerator, denominator) in (shares or {}).items():
        den = out[denominator].where(out[denominator] != 0)
        out[name] = out[numerator] / den
    out = out.rename(columns={"new_code": code})
    out["unit_period"] = step
    return out


def workspace_crosswalk(
    raw: object, root: Path, *, file: str, communes: pd.DataFrame | None, period: object = None
) -> tuple[Crosswalk | None, list[Problem]]:
    """Read ``crosswalk: file.csv`` of workspace.yaml and check the communes are units of its first
    period (or of ``period``, the workspace's declared ``unit_period:``, when it is one of its periods).

    Each commune code must be a unit of the crosswalk's first period with the same name (a name
    differing is a warning: codes are reused, so the layer may be in another period).

    Examples
    --------
    >>> walk, problems = workspace_crosswalk(None, Path("."), file="workspace.yaml", communes=None)
    >>> walk, problems
    (None, [])
    """
    if raw is None:
        return None, []
    if not isinstance(raw, str) or not raw.strip():
        return None, [
            Problem.of(
                "problems.crosswalk_not_file_name",
                file=file,
                layer="workspace",
                feature="crosswalk",
                severity="error",
                value=repr(raw),
            )
        ]
    walk, report = read_crosswalk(root / raw)
    problems = list(report)
    if walk is None or communes is None or "commune_code" not in communes.columns:
        return walk, problems
    first = str(period) if period in walk.periods else walk.periods[0]
    units = walk.units(first).set_index("code")
    missing, renamed = [], []
    for unit_code, name in zip(
        communes["commune_code"].astype(str), communes.get("name", pd.Series(dtype=str)), strict=False
    ):
        if unit_code not in units.index:
            missing.append(unit_code)
        elif isinstance(name, str) and _key(name) != _key(units.at[unit_code, "name"]):
            renamed.append(f"{unit_code} {name} / {units.at[unit_code, 'name']}")
    problems += _grouped(
        walk.file,
        missing,
        "crosswalk_commune_missing",
        period=first,
    )
    problems += _grouped(
        walk.file,
        renamed,
        "crosswalk_commune_renamed",
        "warning",
        period=first,
    )
    return walk, problems


def workspace_unit_period(
    raw: object, crosswalk: Crosswalk | None, communes: pd.DataFrame | None, *, file: str
) -> tuple[str | None, list[Problem]]:
    """The unit period of a workspace's communes: ``unit_period:`` of workspace.yaml, else inferred.

    Inferred as the period of the crosswalk (the workspace's, else the packaged Tân Yên one) whose
    units are exactly the communes (codes and names); said with an info problem. Unknown (None,
    an info problem) when no period fits: a roll-up then refuses a join on reused codes.

    Examples
    --------
    >>> import ntmgis
    >>> communes = ntmgis.load_workspace().layer("communes")
    >>> period, problems = workspace_unit_period(None, None, communes, file="workspace.yaml")
    >>> period, problems[0].severity
    ('2020-03', 'info')
    """
    if raw is not None:
        if isinstance(raw, str) and raw.strip() and (crosswalk is None or raw.strip() in crosswalk.periods):
            return raw.strip(), []
        known = {"known": str(list(crosswalk.periods))} if crosswalk is not None else {}
        key = "problems.unit_period_unknown" if known else "problems.unit_period_unknown_example"
        return None, [
            Problem.from_params(
                key,
                {"value": repr(raw), **known},
                file=file,
                layer="workspace",
                feature="unit_period",
                severity="error",
            )
        ]
    if communes is None or "commune_code" not in communes.columns:
        return None, []
    walk = crosswalk if crosswalk is not None else packaged_crosswalk()
    names = communes.get("name", pd.Series("", index=communes.index))
    layer = {str(c): _key(n) for c, n in zip(communes["commune_code"], names, strict=False)}
    for period in walk.periods:
        units = walk.units(period)
        if layer == {str(c): _key(n) for c, n in zip(units["code"], units["name"], strict=True)}:
            return period, [
                Problem.of(
                    "problems.unit_period_inferred",
                    file=file,
                    layer="workspace",
                    feature="unit_period",
                    severity="info",
                    period=period,
                    crosswalk=Path(walk.file).name,
                )
            ]
    return None, [
        Problem.of(
            "problems.unit_period_not_known",
            file=file,
            layer="workspace",
            feature="unit_period",
            severity="info",
        )
    ]

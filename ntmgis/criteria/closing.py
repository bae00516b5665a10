"""The closing account of a district plan (2021–2025): plan vs achieved, per commune and district.

Issue 13 part 3. At each closing date (the plan's period end, 2025-12-31, and the handover of the
district's units, 2025-06-30) the account says, per commune, what the plan scheduled, what was
recognised and when (the ``recognitions`` table), what was measured (the evaluation), and a
verdict; and, for the district, each target of the plan beside what the workspace's tables show.

Nothing is invented: an achieved value comes only from a table of the workspace (recognitions,
village_status, the measured canals and production zones, the markets layer). When that table is
absent the value is missing, the row's status is ``no_data`` and ``missing_table`` names the table.

A decision recorded with a year only counts from the end of that year: at a mid-year date
(2025-06-30) a decision of the same year is not counted, and a Problem says how many were left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ..codes import NOT_APPLICABLE, level_rank
from ..plan import Plan
from ..problems import Problem
from ..values import is_missing
from .closing_district import CLOSING_DISTRICT_COLUMNS, counted_year, district_rows, schedules

__all__ = [
    "CLOSING_COMMUNE_COLUMNS",
    "CLOSING_DISTRICT_COLUMNS",
    "HANDOVER",
    "VERDICTS",
    "ClosingAccount",
    "closing_account",
    "closing_dates",
]

#: The last day the 2020–2024/2025-01 units and the district existed: NQ 1658/NQ-UBTVQH15
#: (16/06/2025) abolished the district level from 2025-07-01 (DOMAIN.md §4).
HANDOVER = date(2025, 6, 30)

#: Commune verdicts, worst first: a commune with several scheduled levels shows its worst.
VERDICTS = ("never_achieved", "late", "on_time", "early", "no_data", "not_scheduled")

CLOSING_COMMUNE_COLUMNS = [
    "as_of",
    "commune_code",
    "name",
    "level",
    "plan_year",
    "recognised_level",
    "recognised_year",
    "decision",
    "measured_level",
    "criteria_met",
    "criteria_total",
    "measured_year",
    "verdict",
    "missing_table",
]


@dataclass(frozen=True)
class ClosingAccount:
    """The closing account of a plan at one or more dates (read-only).

    Attributes
    ----------
    plan : str or None
        The plan's id; ``None``: no plan, the account lists recognitions only.
    period : tuple of int or None
        The plan's first and last year.
    dates : tuple of date
        The closing dates, main one first (the plan's period end, then the handover).
    measured_year : int
        The evaluation year of the measured columns (the criteria met, the canals, the zones).
    communes : DataFrame
        ``CLOSING_COMMUNE_COLUMNS``: per date, one row per (commune, scheduled level), one per
        level recognised in the period without a schedule, and one for every other commune.
    district : DataFrame
        ``CLOSING_DISTRICT_COLUMNS``: per date, the plan's targets per year and in total beside
        what the tables show.
    problems : tuple of Problem
    """

    plan: str | None
    period: tuple[int, int] | None
    dates: tuple[date, ...]
    measured_year: int
    communes: pd.DataFrame
    district: pd.DataFrame
    problems: tuple[Problem, ...] = ()

    @property
    def has_plan(self) -> bool:
        """Whether the account is against a plan."""
        return self.plan is not None

    def verdicts(self, as_of: date | None = None) -> pd.DataFrame:
        """One row per commune at ``as_of`` (default the main date): its worst verdict.

        Returns
        -------
        DataFrame
            ``commune_code, verdict, rows`` where ``rows`` is the number of account rows behind it.
        """
        when = self.dates[0] if as_of is None else as_of
        rows = self.communes[self.communes["as_of"] == when]
        rank = {v: i for i, v in enumerate(VERDICTS)}
        ordered = rows.assign(_rank=rows["verdict"].map(rank)).sort_values(["_rank"], kind="stable")
        first = ordered.drop_duplicates("commune_code")
        counts = rows.groupby("commune_code", sort=False).size()
        out = first[["commune_code", "verdict"]].assign(rows=first["commune_code"].map(counts).astype(int))
        order = {c: i for i, c in enumerate(dict.fromkeys(rows["commune_code"]))}
        return out.sort_values("commune_code", key=lambda s: s.map(order)).reset_index(drop=True)


def closing_dates(plan: Plan | None, handover: date = HANDOVER) -> tuple[date, ...]:
    """The closing dates: 31 December of the plan's last year, then the handover when it falls
    inside the plan's period and before that date.

    Without a plan the main date is the end of the handover's year.

    Examples
    --------
    >>> from ntmgis.plan import load_plan
    >>> closing_dates(load_plan("package:tan_yen_2021_2025"))
    (datetime.date(2025, 12, 31), datetime.date(2025, 6, 30))
    >>> closing_dates(None)
    (datetime.date(2025, 12, 31), datetime.date(2025, 6, 30))
    """
    first, last = plan.period() if plan is not None else (handover.year, handover.year)
    end = date(last, 12, 31)
    return (end, handover) if first <= handover.year and handover < end else (end,)


def _decisions(recognitions: pd.DataFrame | None) -> pd.DataFrame:
    columns = ["commune_code", "level", "year", "decision"]
    if recognitions is None:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "commune_code": recognitions["commune_code"].astype(str),
            "level": recognitions["level"].astype(str),
            "year": pd.to_numeric(recognitions["year"], errors="coerce"),
            "decision": recognitions["decision"] if "decision" in recognitions else None,
        }
    )
    frame = frame[frame["year"].notna()].astype({"year": int})
    return frame.sort_values(["commune_code", "year"], kind="stable").reset_index(drop=True)


def _first_at_or_above(decisions: pd.DataFrame, level: str) -> pd.DataFrame:
    """Per commune, the first decision at ``level`` or above (its year and decision text)."""
    rank = level_rank(level)
    at = decisions[decisions["level"].map(level_rank) >= rank]
    return at.drop_duplicates("commune_code").set_index("commune_code")


def _measured(summary: pd.DataFrame) -> dict[str, dict[str, object]]:
    out = {}
    for row in summary.to_dict("records"):
        level = NOT_APPLICABLE if row.get("assessed") is False else row.get("highest_level")
        out[str(row["commune_code"])] = {
            "name": row.get("name"),
            "measured_level": None if is_missing(level) else level,
            "criteria_met": row.get("criteria_met"),
            "criteria_total": row.get("criteria_total"),
        }
    return out


def _verdict(plan_year: int | None, recognised_year: int | None) -> str:
    if plan_year is None:
        return "not_scheduled"
    if recognised_year is None:
        return "never_achieved"
    if recognised_year == plan_year:
        return "on_time"
    return "late" if recognised_year > plan_year else "early"


def _commune_rows(
    summary: pd.DataFrame,
    plan: Plan | None,
    decisions: pd.DataFrame | None,
    when: date,
    measured_year: int,
) -> list[dict[str, object]]:
    """The commune rows at one date (``decisions`` None: no recognitions table)."""
    counted = counted_year(when)
    known = decisions if decisions is not None else _decisions(None)
    known = known[known["year"] <= counted]
    measured = _measured(summary)
    period = plan.period() if plan is not None else None
    rows: list[dict[str, object]] = []
    seen: set[str] = set()

    def add(code: str, level: str | None, plan_year: int | None, first: pd.DataFrame | None) -> None:
        hit = first.loc[code] if first is not None and code in first.index else None
        year = None if hit is None else int(hit["year"])
        rows.append(
            {
                "as_of": when,
                "commune_code": code,
                **measured.get(code, {"name": None}),
                "level": level,
                "plan_year": plan_year,
                "recognised_level": None if hit is None else hit["level"],
                "recognised_year": year,
                "decision": None if hit is None or is_missing(hit["decision"]) else str(hit["decision"]),
                "measured_year": measured_year,
                "verdict": "no_data"
                if decisions is None and plan_year is not None
                else _verdict(plan_year, year),
                "missing_table": "recognitions" if decisions is None else None,
            }
        )
        seen.add(code)

    for level, schedule in schedules(plan).items():
        first = _first_at_or_above(known, level)
        for item in schedule.to_dict("records"):
            add(str(item["commune_code"]), level, int(item["year"]), first)
        scheduled = set(schedule["commune_code"].astype(str))
        if period is not None:
            exact = known[(known["level"] == level) & known["year"].between(*period)]
            for code in dict.fromkeys(exact["commune_code"]):
                if code not in scheduled:
                    add(code, level, None, _first_at_or_above(exact, level))
    highest = known.assign(_rank=-known["level"].map(level_rank)).sort_values(
        ["_rank", "year"], kind="stable"
    )
    highest = highest.drop_duplicates("commune_code").set_index("commune_code")
    for code in summary["commune_code"].astype(str):
        if code not in seen:
            add(code, None, None, highest)
    return rows


def _typed(frame: pd.DataFrame, ints: Iterable[str], floats: Iterable[str] = ()) -> pd.DataFrame:
    for column in ints:
        frame[column] = pd.array([None if is_missing(v) else int(v) for v in frame[column]], dtype="Int64")
    for column in floats:
        frame[column] = pd.array(
            [None if is_missing(v) else float(v) for v in frame[column]], dtype="Float64"
        )
    return frame


def _late_decisions(decisions: pd.DataFrame | None, dates: Sequence[date]) -> list[Problem]:
    """A Problem per mid-year date with decisions of its year left out (recorded with a year only)."""
    problems = []
    for when in dates:
        if decisions is None or counted_year(when) == when.year:
            continue
        left = decisions[decisions["year"] == when.year]
        if len(left):
            examples = ", ".join(
                f"{c} {lv}" for c, lv in zip(left["commune_code"][:3], left["level"][:3], strict=True)
            )
            problems.append(
                Problem.of(
                    "problems.closing_year_only",
                    file="recognitions",
                    layer="recognitions",
                    feature=examples,
                    severity="info",
                    count=len(left),
                    decisions=len(left),
                    year=when.year,
                    date=when.isoformat(),
                )
            )
    return problems


def closing_account(
    summary: pd.DataFrame,
    plan: Plan | None,
    *,
    recognitions: pd.DataFrame | None,
    village_status: pd.DataFrame | None = None,
    sectors: pd.DataFrame | None = None,
    markets: pd.DataFrame | None = None,
    dates: Sequence[date] | None = None,
    measured_year: int,
) -> ClosingAccount:
    """The closing account of ``plan`` at ``dates``.

    Parameters
    ----------
    summary : DataFrame
        The commune summary of the evaluation (``commune_code, name, assessed, highest_level,
        criteria_met, criteria_total``): the measured side.
    plan : Plan or None
        ``None``: no plan; the account lists the recognitions only (verdict ``not_scheduled``).
    recognitions : DataFrame or None
        The ``recognitions`` table; ``None`` when the workspace has none (then no count is
        given: ``no_data``, with the table named).
    village_status : DataFrame, optional
        The ``village_status`` table (the model villages' recognitions, ``thon_kieu_mau`` rows).
    sectors : DataFrame, optional
        :func:`ntmgis.criteria.progress.sector_targets` (the measured canal share and VietGAP ha).
    markets : DataFrame, optional
        The markets layer (``commune_code, standard_met``).
    dates : sequence of date, optional
        Closing dates, main first; default :func:`closing_dates`.
    measured_year : int
        The evaluation year of ``summary`` and ``sectors``.

    Returns
    -------
    ClosingAccount

    Examples
    --------
    >>> from ntmgis.plan import load_plan
    >>> plan = load_plan("package:tan_yen_2021_2025")
    >>> summary = pd.DataFrame({"commune_code": ["07330", "07324"], "name": ["Hợp Đức", "Phúc Hòa"],
    ...                         "assessed": [True, True], "highest_level": ["nang_cao", "ntm"],
    ...                         "criteria_met": [19, 17], "criteria_total": [19, 19]})
    >>> decisions = pd.DataFrame({"commune_code": ["07330", "07324"], "level": ["nang_cao", "nang_cao"],
    ...                           "year": [2021, 2023]})
    >>> account = closing_account(summary, plan, recognitions=decisions, measured_year=2025)
    >>> main = account.communes[account.communes["as_of"] == account.dates[0]]
    >>> main[main["level"] == "nang_cao"].set_index("commune_code")["verdict"].head(2).to_dict()
    {'07330': 'on_time', '07324': 'late'}
    """
    dates = tuple(closing_dates(plan) if dates is None else dates)
    decisions = None if recognitions is None else _decisions(recognitions)
    sectors = pd.DataFrame(columns=["target_id", "value", "status"]) if sectors is None else sectors
    communes = pd.DataFrame(
        [r for when in dates for r in _commune_rows(summary, plan, decisions, when, measured_year)],
        columns=CLOSING_COMMUNE_COLUMNS,
    )
    district = pd.DataFrame(
        [
            r
            for when in dates
            for r in district_rows(plan, decisions, village_status, sectors, markets, when, measured_year)
        ],
        columns=CLOSING_DISTRICT_COLUMNS,
    )
    communes = _typed(
        communes, ("plan_year", "recognised_year", "criteria_met", "criteria_total", "measured_year")
    )
    district = _typed(
        district,
        ("plan_year", "achieved_scheduled", "measured_year"),
        ("planned", "planned_high", "achieved"),
    )
    return ClosingAccount(
        plan=None if plan is None else plan.id,
        period=None if plan is None else plan.period(),
        dates=dates,
        measured_year=measured_year,
        communes=communes,
        district=district,
        problems=tuple(_late_decisions(decisions, dates)),
    )

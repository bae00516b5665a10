"""Scenario runs side by side: indicator values, verdict flips, works and their cost, district targets.

:func:`compare` reads only the runs' assessments and works; :func:`comparison_tables` gives the
tables with display headers (the words are in ``catalogue/scenario.yaml``) for
:func:`ntmgis.report.write_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..labels import words
from .apply import WORKS_COLUMNS, ScenarioRun
from .display import display_codes

__all__ = ["Comparison", "compare", "comparison_tables", "comparison_titles"]


@dataclass(frozen=True)
class Comparison:
    """Runs side by side (the first is the baseline).

    Attributes
    ----------
    communes : DataFrame
        Per commune and run: highest level, schedule status, criteria met, missing.
    indicators : DataFrame
        Per commune, indicator at its target level: the value and status of every run.
    flips : DataFrame
        Criteria and indicators whose status changed from the baseline (``before → after``).
    works : DataFrame
        Every run's works (:data:`~.apply.WORKS_COLUMNS`, no geometry).
    costs : DataFrame
        Cost of works (million VND) by run, commune and year.
    targets : DataFrame
        The plan's district targets: value and status in every run.
    """

    names: tuple[str, ...]
    communes: pd.DataFrame
    indicators: pd.DataFrame
    flips: pd.DataFrame
    works: pd.DataFrame
    costs: pd.DataFrame
    targets: pd.DataFrame
    runs: tuple[ScenarioRun, ...] = field(repr=False, default=())


_FLIP_COLUMNS = ["scenario", "what", "unit_code", "level", "criterion", "before", "after"]


def _commune_table(every: tuple[ScenarioRun, ...]) -> pd.DataFrame:
    summary_columns = ["highest_level", "schedule_status", "criteria_met", "missing"]
    communes = every[0].assessment.communes[["commune_code", "name", "target_level", "target_year"]]
    for r in every:
        part = r.assessment.communes.set_index("commune_code")[summary_columns]
        part.columns = [f"{c} [{r.name}]" for c in summary_columns]
        communes = communes.join(part, on="commune_code")
    return communes.reset_index(drop=True)


def _indicator_table(every: tuple[ScenarioRun, ...]) -> pd.DataFrame:
    key = ["unit_code", "level", "criterion", "indicator"]
    indicators = None
    for r in every:
        table = r.assessment.indicators[[*key, "value", "threshold", "status"]]
        table = table.rename(columns={c: f"{c} [{r.name}]" for c in ("value", "threshold", "status")})
        indicators = table if indicators is None else indicators.merge(table, on=key, how="outer")
    return indicators


def _changed(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    # object: an all-missing (float) column, e.g. no levels without status tables, takes "" too
    joined = pd.concat([before.rename("before"), after.rename("after")], axis=1).astype(object)
    return joined[joined["before"].fillna("") != joined["after"].fillna("")].reset_index()


def _flips(baseline: ScenarioRun, runs: tuple[ScenarioRun, ...]) -> pd.DataFrame:
    """Criteria whose status changed, and communes whose highest level moved, run by run."""
    key = ["unit_code", "level", "criterion"]
    base_criteria = baseline.assessment.criteria.set_index(key)["status"]
    base_levels = baseline.assessment.communes.set_index("commune_code")["highest_level"]
    flips = []
    for r in runs:
        changed = _changed(base_criteria, r.assessment.criteria.set_index(key)["status"])
        changed.insert(0, "scenario", r.name)
        changed.insert(1, "what", "criterion")
        flips.append(changed)
        moved = _changed(base_levels, r.assessment.communes.set_index("commune_code")["highest_level"])
        flips.append(
            pd.DataFrame(
                {
                    "scenario": r.name,
                    "what": "highest_level",
                    "unit_code": moved["commune_code"],
                    "level": None,
                    "criterion": None,
                    "before": moved["before"],
                    "after": moved["after"],
                }
            )
        )
    return pd.concat(flips, ignore_index=True) if flips else pd.DataFrame(columns=_FLIP_COLUMNS)


def _costs(works: pd.DataFrame) -> pd.DataFrame:
    if not len(works):
        return pd.DataFrame(columns=["scenario", "commune_code", "year", "length_km", "cost_million_vnd"])
    return (
        works.assign(year=works["year"].astype(object).where(works["year"].notna(), "—"))
        .groupby(["scenario", "commune_code", "year"], as_index=False, dropna=False)[
            ["length_km", "cost_million_vnd"]
        ]
        .sum()
    )


def _target_table(every: tuple[ScenarioRun, ...]) -> pd.DataFrame:
    targets = every[0].assessment.sectors[["group", "target_id", "op", "target", "unit"]].copy()
    for r in every:
        sectors = r.assessment.sectors.set_index("target_id")
        targets[f"value [{r.name}]"] = targets["target_id"].map(sectors["value"])
        targets[f"status [{r.name}]"] = targets["target_id"].map(sectors["status"])
    return targets


def compare(baseline: ScenarioRun, *runs: ScenarioRun) -> Comparison:
    """Compare ``runs`` with ``baseline`` (all from :func:`~.apply.run`, on the same district).

    Returns
    -------
    Comparison
    """
    every = (baseline, *runs)
    names = tuple(r.name for r in every)
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must differ: {names}")
    # The tables hold the works without their geometry (the diff map draws it from the runs).
    works = pd.concat([pd.DataFrame(r.applied.works[WORKS_COLUMNS]) for r in every], ignore_index=True)
    return Comparison(
        names=names,
        communes=_commune_table(every),
        indicators=_indicator_table(every),
        flips=_flips(baseline, runs),
        works=works,
        costs=_costs(works),
        targets=_target_table(every),
        runs=every,
    )


def comparison_tables(comparison: Comparison, *, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The comparison as named tables with display headers (Vietnamese or English).

    Per-scenario columns keep the scenario name in brackets: ``Giá trị [A]``; codes (levels,
    statuses, classes, units) are shown in ``lang`` (:func:`.display.display_codes`).
    """
    catalogue = words("scenario", lang)
    columns = {k.removeprefix("column_"): v for k, v in catalogue.items() if k.startswith("column_")}

    def header(column: str) -> str:
        base, _, rest = column.partition(" [")
        return (columns[base] + (f" [{rest}" if rest else "")) if base in columns else column

    tables = {
        "communes": comparison.communes,
        "flips": comparison.flips,
        "indicators": comparison.indicators,
        "works": comparison.works,
        "costs": comparison.costs,
        "targets": comparison.targets,
    }
    return {
        key: display_codes(key, frame, lang).rename(columns={c: header(c) for c in frame.columns})
        for key, frame in tables.items()
    }


def comparison_titles(lang: str = "en") -> dict[str, str]:
    """Sheet titles of :func:`comparison_tables`."""
    titles = words("scenario", lang)
    sheets = ("communes", "flips", "indicators", "works", "costs", "targets")
    return {key: titles[f"sheet_{key}"] for key in sheets}

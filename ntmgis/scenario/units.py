"""Scenario runs compared in the units of a later period (``ntmgis scenario run --units 2025-07``).

The edits apply to the old-unit workspace (the one the plan and the layers are in); each run's
assessment is then rolled up to the new units with the report's own machinery
(:func:`ntmgis.units_view.workspace_units_view`), and each run's works with
:func:`ntmgis.crosswalk.roll_up`: sums through the crosswalk, shares recomputed from the sums, never
averaged; the 2026–2030 verdicts of the new units are the view's (the user's thresholds by
commune group, else "ngưỡng chưa có"). Pass/fail statuses of the old units are never combined.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..crosswalk import Crosswalk, roll_up
from ..labels import words
from ..report_units import unit_kinds
from ..units_view import UnitsView, units_crosswalk, workspace_units_view
from .compare import Comparison

__all__ = ["UnitsComparison", "compare_in_units", "units_comparison_tables", "units_comparison_titles"]

#: The sums of each new unit compared run by run (shares recomputed from them).
UNIT_SUMS = ("road_km", "hardened_km", "canal_km", "lined_km", "works_km", "works_cost_million_vnd")
UNIT_SHARES = {"hardened_share": ("hardened_km", "road_km"), "lined_share": ("lined_km", "canal_km")}
_WORK_COLUMNS = ["scenario", "commune_code", "name", "network", "length_km", "cost_million_vnd"]


@dataclass(frozen=True)
class UnitsComparison:
    """Runs side by side in the units of ``to_period`` (the first run is the baseline).

    Attributes
    ----------
    units : DataFrame
        One row per new unit: ``commune_code, name, kind, in_commune_set, constituents`` and per run
        ``<sum> [run]`` (:data:`UNIT_SUMS`) and the shares recomputed from them.
    indicators : DataFrame
        New unit × measured 2026–2030 indicator: ``threshold, overridden, source`` and per run
        ``share [run]`` and ``status [run]``.
    works : DataFrame
        Each run's works (km concretized or lined, cost) summed per new unit and network.
    """

    names: tuple[str, ...]
    from_period: str
    to_period: str
    units: pd.DataFrame
    indicators: pd.DataFrame
    works: pd.DataFrame
    views: tuple[UnitsView, ...] = field(repr=False, default=())


def _units_table(names: tuple[str, ...], views: tuple[UnitsView, ...]) -> pd.DataFrame:
    keys = ["commune_code", "name", "kind", "in_commune_set", "constituents"]
    table = views[0].units[keys].copy()
    for name, view in zip(names, views, strict=True):
        sums = view.units.set_index("commune_code")
        for column in UNIT_SUMS:
            table[f"{column} [{name}]"] = table["commune_code"].map(sums[column]).astype(float)
        for share, (done, total) in UNIT_SHARES.items():
            denominator = table[f"{total} [{name}]"]
            table[f"{share} [{name}]"] = table[f"{done} [{name}]"] / denominator.where(denominator > 0)
    return table


def _indicator_table(names: tuple[str, ...], views: tuple[UnitsView, ...]) -> pd.DataFrame:
    key = ["commune_code", "indicator"]
    kept = ["commune_group", "threshold", "overridden", "verified", "source"]
    table = None
    for name, view in zip(names, views, strict=True):
        frame = view.indicators
        if not len(frame):
            return pd.DataFrame(columns=[*key, *kept])
        part = frame[[*key, "share", "status"]].rename(
            columns={"share": f"share [{name}]", "status": f"status [{name}]"}
        )
        table = (
            frame[[*key, "name_vi", "name_en", *kept]].merge(part, on=key)
            if table is None
            else table.merge(part, on=key)
        )
    assert table is not None
    return table


def _works_table(
    comparison: Comparison, walk_to: str, views: tuple[UnitsView, ...], crosswalk: Crosswalk
) -> pd.DataFrame:
    names = views[0].units.set_index("commune_code")["name"]
    pieces = []
    for run, view in zip(comparison.runs, views, strict=True):
        works = pd.DataFrame(run.applied.works)
        if not len(works):
            continue
        table = works.assign(commune_code=works["commune_code"].astype(str))[
            ["commune_code", "network", "length_km", "cost_million_vnd"]
        ]
        up = roll_up(
            table,
            crosswalk,
            walk_to,
            sum=["length_km", "cost_million_vnd"],
            by=["network"],
            period=view.from_period,
        )
        pieces.append(up.assign(scenario=run.name))
    if not pieces:
        return pd.DataFrame(columns=_WORK_COLUMNS)
    works = pd.concat(pieces, ignore_index=True)
    works["name"] = works["commune_code"].map(names)
    return works[_WORK_COLUMNS].sort_values(["scenario", "commune_code", "network"], ignore_index=True)


def compare_in_units(
    comparison: Comparison,
    *,
    to: str,
    crosswalk: str | Path | None = None,
    polygons: str | Path | None = None,
    groups: Mapping[str, object] | None = None,
) -> UnitsComparison:
    """The runs of ``comparison`` in the units of ``to`` (the report's roll-up, run by run).

    Parameters
    ----------
    comparison : Comparison
        From :func:`~.compare.compare` (its runs keep their workspaces and assessments).
    to : str
        The later unit period (``"2025-07"``).
    crosswalk, polygons, groups
        As for :func:`ntmgis.units_view.workspace_units_view`.

    Returns
    -------
    UnitsComparison

    Raises
    ------
    DataError
        As :func:`ntmgis.units_view.workspace_units_view` (a period the crosswalk lacks, a new
        commune without a group when the user's thresholds are by group...).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.scenario import Concretize, Scenario, compare, run
    >>> ws = ntmgis.load_workspace()
    >>> base = run(ws, Scenario("baseline"))
    >>> first = str(base.assessment.segments_to_upgrade["segment_id"].iloc[0])
    >>> done = run(ws, Scenario("A", (Concretize(segment_ids=(first,)),)), baseline=base.assessment)
    >>> units = compare_in_units(compare(base, done), to="2025-07")
    >>> len(units.units), units.to_period
    (6, '2025-07')
    """
    runs = comparison.runs
    if not runs:
        raise ValueError("the comparison keeps no runs to roll up")
    views = tuple(
        workspace_units_view(
            r.applied.workspace, r.assessment, to=to, crosswalk=crosswalk, polygons=polygons, groups=groups
        )
        for r in runs
    )
    walk = units_crosswalk(runs[0].applied.workspace, crosswalk)
    return UnitsComparison(
        names=comparison.names,
        from_period=views[0].from_period,
        to_period=to,
        units=_units_table(comparison.names, views),
        indicators=_indicator_table(comparison.names, views),
        works=_works_table(comparison, to, views, walk),
        views=views,
    )


UNITS_COMPARISON_SHEETS = ("units_communes", "units_indicators", "units_works")


def units_comparison_tables(units: UnitsComparison, *, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The comparison in the new units as named tables with display headers (``scenario.yaml``)."""
    catalogue = words("scenario", lang)
    columns = {k.removeprefix("column_"): v for k, v in catalogue.items() if k.startswith("column_")}

    def header(column: str) -> str:
        base, _, rest = column.partition(" [")
        return (columns[base] + (f" [{rest}" if rest else "")) if base in columns else column

    yes, no = catalogue["units_yes"], catalogue["units_no"]
    communes = units.units.assign(
        kind=unit_kinds(units.units["kind"], lang),
        in_commune_set=[yes if v else no for v in units.units["in_commune_set"]],
    )
    indicators = units.indicators.drop(columns=[f"name_{'en' if lang == 'vi' else 'vi'}"], errors="ignore")
    codes = words("report_codes", lang)
    for column in [c for c in indicators.columns if c.startswith("status [")]:
        indicators[column] = [codes.get(str(v), str(v)) for v in indicators[column]]
    tables = {"units_communes": communes, "units_indicators": indicators, "units_works": units.works}
    return {key: frame.rename(columns={c: header(c) for c in frame.columns}) for key, frame in tables.items()}


def units_comparison_titles(units: UnitsComparison, lang: str = "en") -> dict[str, str]:
    """Sheet titles of :func:`units_comparison_tables` (≤ 31 characters, naming the period)."""
    titles = words("scenario", lang)
    return {
        key: titles[f"sheet_{key}"].format(period=units.to_period)[:31] for key in UNITS_COMPARISON_SHEETS
    }

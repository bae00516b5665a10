"""An assessment in later units: additive quantities rolled up through a crosswalk, statuses side by side.

The assessment is made on the communes of its unit period (``provenance.unit_period``, 2020-03 for
Tân Yên's 2021–2025 plan). :func:`rolled_up` carries what adds up (road km and hardened km per
class, canal km and lined km, zone ha, villages, households, population, works to do and their
cost) to the units of a later period (2025-07) with :func:`ntmgis.crosswalk.roll_up`; shares are
recomputed from the sums, never averaged; pass/fail statuses are never combined: each new unit
lists its constituents' statuses side by side. A ward (phường) is outside the commune set.
The map and the report read the :class:`UnitsView`; they import neither analysis nor criteria.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .analysis.assess import ROAD_INDICATORS
from .assessment import Assessment
from .codes import NOT_APPLICABLE, NOT_ASSESSED, status_code
from .criteria.groups import group_code
from .criteria.sets import OPS, CriteriaSet, load_criteria_set, load_criteria_sets
from .crosswalk import Crosswalk, _mapping, packaged_crosswalk, read_crosswalk, roll_up
from .problems import DataError, ParamValue, Problem
from .workspace import Workspace

__all__ = ["NEXT_SET", "UnitsView", "dissolve_units", "rolled_up", "units_crosswalk", "workspace_units_view"]

#: The commune set the new units are measured against (QĐ 51/2025, 2026–2030; thresholds null).
NEXT_SET = "qd51_2025_xa"
#: Kinds of unit outside the xã NTM commune set.
OUTSIDE_COMMUNE_SET = frozenset({"phuong"})
_CANAL_INDICATOR = "canal_lined_share_xa"
#: The year the next set's thresholds are read for (QĐ 51/2025 is in force from 2026-02-15).
NEXT_YEAR = 2026
_LAYER = "crosswalk"


@dataclass(frozen=True)
class UnitsView:
    """An assessment rolled up to the units of a later period (from :func:`rolled_up`); immutable.

    Attributes
    ----------
    from_period, to_period : str
        The assessment's unit period and the later one.
    crosswalk_file : str
    units : DataFrame
        One row per new unit: ``commune_code, name, kind, in_commune_set, constituents`` (names),
        ``n_constituents`` and the sums ``population, households, villages, road_km, hardened_km,
        hardened_share, canal_km, lined_km, lined_share, zone_ha, vietgap_ha, works_km,
        works_cost_million_vnd``.
    constituents : DataFrame
        One row per old unit: the new unit (``commune_code, name, kind, in_commune_set``) and the old
        one (``old_code, old_name, old_kind``) with its own statuses (``highest_level,
        recognised_level, recognised_year, target_level, schedule_status``), never combined.
    roads : DataFrame or None
        New unit × road class: ``total_km, concretized_km, share``.
    canals : DataFrame or None
        New unit: ``total_km, lined_km, share``.
    works : DataFrame
        Every segment still to upgrade and canal still to line: ``commune_code, name, old_code,
        old_name, network, segment_id, work_class, length_km, cost_million_vnd``.
    indicators : DataFrame
        New unit × measured infrastructure indicator of :data:`NEXT_SET`: ``indicator, name_vi,
        name_en, done_km, total_km, share, threshold, verified, source`` (threshold NaN: not set).
    geometry : GeoDataFrame or None
        The new units' polygons dissolved from the old communes (None without communes or when a
        unit is split), or the user's own (:func:`ntmgis.units_recut.with_recut`).
    problems : tuple of Problem
    recut : DataFrame or None
        Road and canal km rolled up vs re-cut by the user's polygons (:mod:`ntmgis.units_recut`).
    closing : DataFrame or None
        The closing account of the plan (:attr:`Assessment.closing`) in the new units: each row of
        an old commune beside its new unit (``commune_code, name, kind, in_commune_set, old_code,
        old_name`` and the old row's ``as_of, level, plan_year, recognised_level,
        recognised_year, decision, verdict``), sorted by date and new unit; verdicts never
        combined. None without a closing account.
    """

    from_period: str
    to_period: str
    crosswalk_file: str
    units: pd.DataFrame
    constituents: pd.DataFrame
    roads: pd.DataFrame | None
    canals: pd.DataFrame | None
    works: pd.DataFrame
    indicators: pd.DataFrame
    geometry: gpd.GeoDataFrame | None
    problems: tuple[Problem, ...] = ()
    recut: pd.DataFrame | None = None
    closing: pd.DataFrame | None = None


_CLOSING_COLUMNS = [
    "as_of",
    "level",
    "plan_year",
    "recognised_level",
    "recognised_year",
    "decision",
    "verdict",
]


def _closing(assessment: Assessment, constituents: pd.DataFrame) -> pd.DataFrame | None:
    """The closing account's commune rows, each beside the new unit of its old commune."""
    if assessment.closing is None:
        return None
    rows = assessment.closing.communes
    old = rows[["commune_code", *_CLOSING_COLUMNS]].rename(columns={"commune_code": "old_code"})
    new = constituents[["commune_code", "name", "kind", "in_commune_set", "old_code", "old_name"]]
    table = new.merge(old.assign(old_code=old["old_code"].astype(str)), on="old_code", how="inner")
    order = {d: i for i, d in enumerate(assessment.closing.dates)}
    table = table.assign(_date=table["as_of"].map(order))
    return table.sort_values(["_date", "commune_code", "old_code"], kind="stable", ignore_index=True).drop(
        columns="_date"
    )


def _refuse(walk: Crosswalk, feature: str, key: str, **params: ParamValue) -> DataError:
    """The refusal ``problems.<key>`` about the crosswalk ``walk`` (an error)."""
    return DataError(
        Problem.from_params(
            f"problems.{key}", params, file=walk.file, layer=_LAYER, feature=feature, severity="error"
        )
    )


def _start(assessment: Assessment, walk: Crosswalk, to: str) -> str:
    """The assessment's unit period, checked to be an earlier period of the crosswalk than ``to``."""
    periods = walk.periods
    if to not in periods:
        raise _refuse(walk, to, "units_no_period", period=repr(to), periods=str(list(periods)))
    start = assessment.provenance.unit_period
    if start is None:
        return periods[0]  # roll_up refuses the reused codes then (a join on the code alone)
    if start not in periods or periods.index(start) >= periods.index(to):
        raise _refuse(
            walk,
            f"{start} → {to}",
            "units_wrong_start",
            start=str(start),
            first=str(periods[0]),
            periods=str(list(periods)),
        )
    return start


def _new_units(walk: Crosswalk, to: str) -> pd.DataFrame:
    units = walk.units(to).rename(columns={"code": "commune_code"})
    units["in_commune_set"] = ~units["kind"].isin(OUTSIDE_COMMUNE_SET)
    return units


def _constituents(assessment: Assessment, walk: Crosswalk, start: str, to: str) -> pd.DataFrame:
    mapping = _mapping(walk, start, to)
    old = walk.units(start).rename(columns={"code": "old_code", "name": "old_name", "kind": "old_kind"})
    statuses = ["highest_level", "recognised_level", "recognised_year", "target_level", "schedule_status"]
    communes = assessment.communes
    kept = communes[["commune_code", *[c for c in statuses if c in communes.columns]]].rename(
        columns={"commune_code": "old_code"}
    )
    table = (
        mapping.merge(old, on="old_code")
        .merge(_new_units(walk, to), left_on="new_code", right_on="commune_code")
        .merge(kept.assign(old_code=kept["old_code"].astype(str)), on="old_code", how="left")
    )
    if "recognised_year" in table.columns:
        table["recognised_year"] = pd.to_numeric(table["recognised_year"], errors="coerce").astype("Int64")
    columns = ["commune_code", "name", "kind", "in_commune_set", "old_code", "old_name", "old_kind", "weight"]
    return (
        table[[*columns, *[c for c in statuses if c in table.columns]]]
        .sort_values(["commune_code", "old_code"])
        .reset_index(drop=True)
    )


def _attributes(communes: pd.DataFrame | None, villages: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per old commune: population, households (communes layer), villages (count of the villages layer)."""
    if communes is None:
        return None
    table = pd.DataFrame({"commune_code": communes["commune_code"].astype(str)})
    for column in ("population", "households"):
        if column in communes.columns:
            table[column] = pd.to_numeric(communes[column], errors="coerce").to_numpy()
    if villages is not None and "commune_code" in villages.columns:
        counts = villages["commune_code"].astype(str).value_counts()
        table["villages"] = table["commune_code"].map(counts).fillna(0).astype(float)
    return table


def _works(assessment: Assessment, constituents: pd.DataFrame) -> pd.DataFrame:
    """Segments to upgrade and canals to line, each in the new unit of its old commune."""
    pieces = []
    for network, layer, work_class in (
        ("road", assessment.segments_to_upgrade, "road_class"),
        ("canal", assessment.canals_to_line, "canal_level"),
    ):
        if layer is None or not len(layer):
            continue
        frame = pd.DataFrame(
            {
                "old_code": layer["commune_code"].astype(str).to_numpy(),
                "network": network,
                "segment_id": layer["segment_id"].astype(str).to_numpy(),
                "work_class": layer[work_class].astype(str).to_numpy() if work_class in layer else "",
                "length_km": pd.to_numeric(layer["length_km"]).to_numpy(),
                "cost_million_vnd": pd.to_numeric(layer["cost_million_vnd"]).to_numpy(),
            }
        )
        pieces.append(frame)
    columns = ["commune_code", "name", "old_code", "old_name", "network", "segment_id", "work_class"]
    if not pieces:
        return pd.DataFrame(columns=[*columns, "length_km", "cost_million_vnd"])
    # A split old unit: each piece goes to its largest part (pieces are not re-cut here).
    home = constituents.sort_values("weight", ascending=False).drop_duplicates("old_code")
    works = pd.concat(pieces, ignore_index=True).merge(
        home[["old_code", "old_name", "commune_code", "name"]], on="old_code", how="left"
    )
    return works[[*columns, "length_km", "cost_million_vnd"]].sort_values(
        ["commune_code", "old_code", "network", "segment_id"], kind="stable", ignore_index=True
    )


def _unit_groups(
    criteria_set: CriteriaSet, units: pd.DataFrame, groups: Mapping[str, object] | None, *, needed: bool
) -> dict[str, str | None]:
    """Each new unit's commune group (None outside the commune set or when none is needed).

    Raises
    ------
    DataError
        Groups are given or needed (the set's thresholds given by group) and a new commune of the
        set has none, or one the set does not have: naming the units.
    """
    codes = criteria_set.commune_groups
    in_set = units.loc[units["in_commune_set"], ["commune_code", "name"]]
    if not codes or (not groups and not needed):
        return dict.fromkeys(units["commune_code"])
    given = {str(k): v for k, v in (groups or {}).items()}
    found = {c: group_code(given.get(c), codes) for c in in_set["commune_code"]}
    bad = in_set[in_set["commune_code"].map(lambda c: found[c] is None)]
    if len(bad):
        # The feature names the units (English, as every feature); the sentence shows "—" for no group.
        named = ", ".join(f"{c} {n} ({given.get(c, 'no group')})" for c, n in bad.itertuples(index=False))
        listed = ", ".join(f"{c} {n} ({given.get(c, '—')})" for c, n in bad.itertuples(index=False))
        raise DataError(
            Problem.of(
                "problems.units_no_group",
                layer="units",
                feature=named,
                severity="error",
                count=len(bad),
                set_id=criteria_set.id,
                codes=", ".join(codes),
                named=listed,
            )
        )
    return {c: found.get(c) for c in units["commune_code"]}


def _needs_groups(criteria_set: CriteriaSet) -> bool:
    """Whether the user gave numbers by group (an override) for a measured indicator of the set."""
    if not criteria_set.commune_groups or not criteria_set.overridden:
        return False
    with_group = criteria_set.thresholds(region=None, year=NEXT_YEAR, group=criteria_set.commune_groups[0])
    without = criteria_set.thresholds(region=None, year=NEXT_YEAR, group=None)
    # A number given by group: there with a group, absent without one.
    return bool((with_group["threshold"].notna() & without["threshold"].isna()).any())


def _verdict(share: float, op: str, threshold: float) -> str:
    if pd.isna(threshold) or pd.isna(share):
        return NOT_ASSESSED
    return status_code(bool(OPS[op](100.0 * share, threshold)))


def _measured(
    computed: str, roads: pd.DataFrame | None, canals: pd.DataFrame | None
) -> tuple[pd.Series, pd.Series] | None:
    """Done and total km per new unit of a measured indicator (None: not one the view measures)."""
    if computed in ROAD_INDICATORS and roads is not None:
        part = roads[roads["road_class"].isin(ROAD_INDICATORS[computed])]
        sums = part.groupby("commune_code")[["concretized_km", "total_km"]].sum()
        return sums["concretized_km"], sums["total_km"]
    if computed == _CANAL_INDICATOR and canals is not None:
        sums = canals.set_index("commune_code")
        return sums["lined_km"], sums["total_km"]
    return None


def _indicators(
    roads: pd.DataFrame | None,
    canals: pd.DataFrame | None,
    units: pd.DataFrame,
    criteria_set: str,
    *,
    overrides: Mapping[str, object] | None = None,
    groups: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """Measured infrastructure shares of each new unit beside the next set's thresholds (null: not set).

    With ``overrides`` (the workspace's ``criteria_overrides``) the thresholds are the user's,
    per the new unit's commune group (``groups``); the verdict is then met / not met and the row
    says ``overridden`` with the user's source text.
    """
    chosen = load_criteria_sets(overrides)[criteria_set] if overrides else load_criteria_set(criteria_set)
    by_unit = _unit_groups(chosen, units, groups, needed=_needs_groups(chosen))
    tables: dict[str | None, pd.DataFrame] = {}
    in_set = dict(zip(units["commune_code"], units["in_commune_set"], strict=True))
    measured = []
    for code in units["commune_code"]:
        group = by_unit.get(code)
        if group not in tables:
            table = chosen.thresholds(region=None, year=NEXT_YEAR, group=group)
            tables[group] = table[table["computed"].notna() & (table["level"] == "ntm")]
        for r in tables[group].itertuples(index=False):
            sums = _measured(str(r.computed), roads, canals)
            if sums is None:
                continue
            d, t = float(sums[0].get(code, 0.0)), float(sums[1].get(code, 0.0))
            share = d / t if t > 0 else float("nan")
            measured.append(
                {
                    "commune_code": code,
                    "commune_group": group,
                    "indicator": r.indicator,
                    "name_vi": r.name_vi,
                    "name_en": r.name_en,
                    "classes": ",".join(ROAD_INDICATORS.get(str(r.computed), ("canal",))),
                    "done_km": d,
                    "total_km": t,
                    "share": share,
                    "op": r.op,
                    "threshold": r.threshold,  # percent; NaN in the package: "ngưỡng chưa có"
                    "status": _verdict(share, str(r.op), float(r.threshold))
                    if in_set[code]
                    else NOT_APPLICABLE,
                    "overridden": bool(r.overridden),
                    "verified": bool(r.verified),
                    "criteria_set": criteria_set,
                    "source": r.source,
                    "source_vi": r.source_vi,
                }
            )
    return pd.DataFrame(measured)


def dissolve_units(
    communes: gpd.GeoDataFrame, crosswalk: Crosswalk, *, start: str, to: str
) -> gpd.GeoDataFrame | None:
    """The new units' polygons: the old communes dissolved along the crosswalk (None when a unit splits).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.crosswalk import packaged_crosswalk
    >>> communes = ntmgis.load_workspace().layer("communes")
    >>> new = dissolve_units(communes, packaged_crosswalk(), start="2020-03", to="2025-07")
    >>> len(new), round(float(new.area.sum() / communes.area.sum()), 6)
    (6, 1.0)
    """
    mapping = _mapping(crosswalk, start, to)
    if (mapping["weight"] < 1.0).any():
        return None
    old = communes[["commune_code", "geometry"]].assign(commune_code=communes["commune_code"].astype(str))
    joined = old.merge(mapping, left_on="commune_code", right_on="old_code")
    dissolved = joined[["new_code", "geometry"]].dissolve(by="new_code").reset_index()
    return gpd.GeoDataFrame(
        dissolved.rename(columns={"new_code": "commune_code"}), geometry="geometry", crs=communes.crs
    )


def _sum_into(units: pd.DataFrame, table: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    """Add ``{new name: column}`` sums of ``table`` (per new unit) to ``units``; 0 where a unit has none."""
    for name, column in columns.items():
        if table is None:
            units[name] = float("nan")
            continue
        sums = table.groupby("commune_code")[column].sum()
        units[name] = units["commune_code"].map(sums).fillna(0.0).astype(float)
    return units


def rolled_up(
    assessment: Assessment,
    crosswalk: Crosswalk,
    *,
    to: str,
    communes: gpd.GeoDataFrame | None = None,
    villages: pd.DataFrame | None = None,
    criteria_set: str = NEXT_SET,
    overrides: Mapping[str, object] | None = None,
    groups: Mapping[str, object] | None = None,
) -> UnitsView:
    """The assessment in the units of ``to``: sums through the crosswalk, shares from the sums.

    Parameters
    ----------
    assessment : Assessment
        Its ``provenance.unit_period`` must be a period of the crosswalk before ``to`` (None:
        the crosswalk's first, and a join on reused codes is refused).
    crosswalk : Crosswalk
    to : str
        The later unit period (``"2025-07"``).
    communes : GeoDataFrame, optional
        The workspace's communes layer: population, households and the dissolved polygons.
    villages : DataFrame, optional
        The villages layer: villages per unit.
    criteria_set : str
        The set whose measured indicators the new units are shown against.
    overrides : mapping, optional
        ``criteria_overrides`` (the workspace's): the user's thresholds of that set, e.g. per commune
        group ``{"qd51_2025_xa": {"2.1": {"ntm": {"by_group": {"nhom_1": 100, ...}, "source": ...}}}}``;
        the new units' verdicts are then met / not met, flagged as the user's with the source.
    groups : mapping, optional
        New unit code → commune group (``nhom_2``, ``2`` or "Nhóm 2"). Needed by every new commune
        of the set once groups are given or the overrides give numbers by group.

    Returns
    -------
    UnitsView

    Raises
    ------
    DataError
        ``to`` is not a period of the crosswalk (the periods named); the assessment's period is not
        an earlier one (both named); a code reused across periods without a stated period; a new
        commune without a commune group when one is needed (naming it).

    Examples
    --------
    >>> import ntmgis
    >>> from ntmgis.assessment import assess
    >>> from ntmgis.crosswalk import packaged_crosswalk
    >>> ws = ntmgis.load_workspace()
    >>> view = rolled_up(assess(ws), packaged_crosswalk(), to="2025-07", communes=ws.layer("communes"))
    >>> view.units[["name", "in_commune_set", "n_constituents"]].values.tolist()[:2]
    [['Đa Mai', False, 1], ['Nhã Nam', True, 4]]
    """
    start = _start(assessment, crosswalk, to)
    period = assessment.provenance.unit_period
    constituents = _constituents(assessment, crosswalk, start, to)
    units = _new_units(crosswalk, to)
    names = constituents.groupby("commune_code")["old_name"].agg(lambda s: ", ".join(s))
    units["constituents"] = units["commune_code"].map(names).fillna("")
    units["n_constituents"] = units["commune_code"].map(constituents["commune_code"].value_counts())

    def up(table: pd.DataFrame | None, sums: list[str], **kw: object) -> pd.DataFrame | None:
        if table is None:
            return None
        return roll_up(table, crosswalk, to, sum=sums, period=period, **kw)  # type: ignore[arg-type]

    roads = up(
        assessment.roads,
        ["total_km", "concretized_km"],
        by=["road_class"],
        shares={"share": ("concretized_km", "total_km")},
    )
    canals = up(assessment.canals, ["total_km", "lined_km"], shares={"share": ("lined_km", "total_km")})
    zones = assessment.zones_by_commune
    zone_table = None
    if zones is not None:
        zone_table = pd.DataFrame(zones.drop(columns="geometry")).assign(
            vietgap_ha=lambda z: z["area_ha"].where(z["vietgap"].fillna(False).astype(bool), 0.0)
        )
    zones_up = up(zone_table, ["area_ha", "vietgap_ha"])
    attributes = _attributes(communes, villages)
    people = up(
        attributes,
        [
            c
            for c in ("population", "households", "villages")
            if attributes is not None and c in attributes.columns
        ],
    )
    works = _works(assessment, constituents)
    units = _sum_into(
        units,
        people,
        {
            c: c
            for c in ("population", "households", "villages")
            if people is not None and c in people.columns
        },
    )
    units = _sum_into(units, roads, {"road_km": "total_km", "hardened_km": "concretized_km"})
    units["hardened_share"] = units["hardened_km"] / units["road_km"].where(units["road_km"] > 0)
    units = _sum_into(units, canals, {"canal_km": "total_km", "lined_km": "lined_km"})
    units["lined_share"] = units["lined_km"] / units["canal_km"].where(units["canal_km"] > 0)
    units = _sum_into(units, zones_up, {"zone_ha": "area_ha", "vietgap_ha": "vietgap_ha"})
    units = _sum_into(units, works, {"works_km": "length_km", "works_cost_million_vnd": "cost_million_vnd"})
    geometry = None if communes is None else dissolve_units(communes, crosswalk, start=start, to=to)
    return UnitsView(
        from_period=start,
        to_period=to,
        crosswalk_file=crosswalk.file,
        units=units.sort_values("commune_code", ignore_index=True),
        constituents=constituents,
        roads=roads,
        canals=canals,
        works=works,
        indicators=_indicators(roads, canals, units, criteria_set, overrides=overrides, groups=groups),
        geometry=geometry,
        closing=_closing(assessment, constituents),
    )


def units_crosswalk(workspace: Workspace, crosswalk: str | Path | None = None) -> Crosswalk:
    """The crosswalk of ``--units``: ``crosswalk`` (a file, checked), else the workspace's, else the
    packaged Tân Yên one.

    Raises
    ------
    DataError
        The file does not check clean.
    """
    if crosswalk is not None:
        walk, report = read_crosswalk(crosswalk)
        if walk is None:
            raise DataError(report.problems, "problems.header_crosswalk", crosswalk=str(crosswalk))
        return walk
    return workspace.crosswalk if workspace.crosswalk is not None else packaged_crosswalk()


def workspace_units_view(
    workspace: Workspace,
    assessment: Assessment,
    *,
    to: str,
    crosswalk: str | Path | None = None,
    polygons: str | Path | None = None,
    groups: Mapping[str, object] | None = None,
) -> UnitsView:
    """:func:`rolled_up` with the workspace's layers and crosswalk (``crosswalk``: a file instead).

    The crosswalk is ``crosswalk`` when given, else ``crosswalk:`` of workspace.yaml, else the
    packaged Tân Yên one (whose codes the roll-up then checks). ``polygons``: the user's own
    polygons of the new units; the map draws them and the layers are re-cut by them and compared
    with the roll-up (:mod:`ntmgis.units_recut`); a ``commune_group`` column there gives the new
    units' groups unless ``groups`` does, else ``units_groups:`` of the workspace. The thresholds
    of the next set are the packaged ones with the workspace's ``criteria_overrides``.

    Raises
    ------
    DataError
        The crosswalk file does not check clean, or :func:`rolled_up` refuses.
    """
    walk = units_crosswalk(workspace, crosswalk)
    villages = workspace.layer("villages") if workspace.has_layer("villages") else None
    own = None
    if polygons is not None:
        from .units_recut import read_units_polygons

        own = read_units_polygons(polygons, walk, to=to, crs=workspace.working_crs)
        if groups is None and "commune_group" in own.columns:
            groups = dict(zip(own["commune_code"].astype(str), own["commune_group"], strict=True))
    if groups is None:  # units_groups: of workspace.yaml (ntmgis.units_groups)
        groups = workspace.units_groups
    view = rolled_up(
        assessment,
        walk,
        to=to,
        communes=workspace.layer("communes"),
        villages=villages,
        overrides=workspace.criteria_overrides,
        groups=groups,
    )
    if own is None:
        return view
    from .units_recut import with_recut

    return with_recut(view, workspace, own)

"""Re-cutting the layers by the user's own polygons of the new units, compared with the roll-up.

The roll-up (:func:`ntmgis.units_view.rolled_up`) sums the old communes' km through the crosswalk.
When the user has the new units' own polygons (``--units-polygons``), the roads and canals can
instead be cut by them; the two differ where the old communes' borders differ from the new units'.
:func:`recut_compare` gives both per new unit and flags the differences over a tolerance.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .analysis.network import canal_lining, road_concretization
from .crosswalk import Crosswalk
from .problems import DataError, ParamValue, Problem
from .units_groups import read_units_groups
from .units_view import UnitsView
from .workspace import Workspace

__all__ = [
    "RECUT_TOLERANCE",
    "read_units_groups",
    "read_units_polygons",
    "recut_compare",
    "units_groups_problems",
    "with_recut",
]

#: Relative difference (recut vs rolled up) above which a new unit's quantity is reported.
RECUT_TOLERANCE = 0.02
_LAYER = "units_polygons"


def _error(file: str, feature: str, key: str, **params: ParamValue) -> DataError:
    """The refusal ``problems.<key>`` of the new units' polygons (an error)."""
    return DataError(
        Problem.from_params(
            f"problems.{key}", params, file=file, layer=_LAYER, feature=feature, severity="error"
        )
    )


def read_units_polygons(
    path: str | os.PathLike[str], crosswalk: Crosswalk, *, to: str, crs: object
) -> gpd.GeoDataFrame:
    """The user's polygons of the units of ``to`` (a ``commune_code`` or ``code`` column), in ``crs``.

    Raises
    ------
    DataError
        Unreadable file, no code column, or codes that are not exactly the units of ``to``.
    """
    file = str(path)
    try:
        frame = gpd.read_file(Path(file))
    except Exception as exc:  # pyogrio's errors are not OSError: one problem naming the file
        raise _error(file, "", "recut_cannot_read", error=type(exc).__name__) from exc
    column = next((c for c in ("commune_code", "code") if c in frame.columns), None)
    if column is None:
        raise _error(file, "", "recut_no_code")
    if frame.crs is None:
        raise _error(file, "", "recut_no_crs")
    codes = frame[column].astype(str).str.strip()
    wanted = set(crosswalk.units(to)["code"])
    missing, extra = sorted(wanted - set(codes)), sorted(set(codes) - wanted)
    if missing or extra or codes.duplicated().any():
        raise _error(
            file,
            ", ".join([*missing, *extra][:8]),
            "recut_not_units",
            to=to,
            missing=str(missing),
            extra=str(extra),
            wanted=str(sorted(wanted)),
        )
    columns = {"commune_code": codes.to_numpy()}
    if "commune_group" in frame.columns:  # the province's group of each new unit (QĐ 51/2025)
        columns["commune_group"] = frame["commune_group"].astype(object).to_numpy()
    out = gpd.GeoDataFrame(columns, geometry=frame.geometry.to_numpy(), crs=frame.crs)
    return out.to_crs(crs)


def recut_compare(
    view: UnitsView, workspace: Workspace, polygons: gpd.GeoDataFrame, *, tolerance: float = RECUT_TOLERANCE
) -> tuple[pd.DataFrame, list[Problem]]:
    """Road and canal km per new unit: rolled up vs cut by ``polygons``; differences over ``tolerance``.

    Returns
    -------
    (DataFrame, list of Problem)
        ``commune_code, quantity, rolled_up, recut, difference, relative, over_tolerance``
        (``quantity``: road_km, hardened_km, canal_km, lined_km); one warning for every
        difference over the tolerance.
    """
    units = view.units.set_index("commune_code")
    recut = pd.DataFrame(index=units.index)
    if workspace.has_layer("roads"):
        roads = road_concretization(workspace.layer("roads"), polygons).groupby("commune_code")
        recut["road_km"], recut["hardened_km"] = roads["total_km"].sum(), roads["concretized_km"].sum()
    if workspace.has_layer("canals"):
        canals = canal_lining(workspace.layer("canals"), polygons).set_index("commune_code")
        recut["canal_km"], recut["lined_km"] = canals["total_km"], canals["lined_km"]
    rows = []
    for quantity in recut.columns:
        for code in units.index:
            rolled = float(units.at[code, quantity])
            cut = float(recut.at[code, quantity]) if pd.notna(recut.at[code, quantity]) else 0.0
            relative = (cut - rolled) / rolled if rolled else float("nan")
            over = abs(relative) > tolerance if rolled else abs(cut) > 1e-9  # km where none was rolled up
            rows.append((code, quantity, rolled, cut, cut - rolled, relative, over))
    table = pd.DataFrame(
        rows,
        columns=[
            "commune_code",
            "quantity",
            "rolled_up",
            "recut",
            "difference",
            "relative",
            "over_tolerance",
        ],
    )
    over = table[table["over_tolerance"]]
    problems = []
    if len(over):
        examples = "; ".join(
            f"{r.commune_code} {r.quantity} {r.rolled_up:.2f} → {r.recut:.2f} km"
            for r in over.head(5).itertuples(index=False)
        )
        problems.append(
            Problem.of(
                "problems.recut_differs",
                layer=_LAYER,
                feature=examples,
                count=len(over),
                tolerance=f"{tolerance:.0%}",
            )
        )
    return table, problems


def with_recut(
    view: UnitsView, workspace: Workspace, polygons: gpd.GeoDataFrame, *, tolerance: float = RECUT_TOLERANCE
) -> UnitsView:
    """``view`` drawn with the user's polygons and carrying the re-cut comparison (:func:`recut_compare`)."""
    table, problems = recut_compare(view, workspace, polygons, tolerance=tolerance)
    return replace(view, geometry=polygons, recut=table, problems=(*view.problems, *problems))


def units_groups_problems(
    groups: Mapping[str, object], crosswalk: Crosswalk, *, file: str, period: str | None = None
) -> list[Problem]:
    """The new units' groups checked: every code a unit of a period after ``period`` (the
    workspace's; None: the crosswalk's first) and every group one of a criteria set's groups.

    Returns
    -------
    list of Problem
        At most two errors, each naming what it refuses: the codes that are no later unit of the
        crosswalk, and the groups no packaged set has (QĐ 51/2025: nhom_1, nhom_2, nhom_3).
    """
    from .criteria.groups import group_code
    from .criteria.sets import load_criteria_sets

    periods = crosswalk.periods
    later = periods[periods.index(period) + 1 :] if period in periods else periods[1:]
    known = {str(c) for p in later for c in crosswalk.units(p)["code"]}
    unknown = sorted(code for code in groups if code not in known)
    sets = [s.commune_groups for s in load_criteria_sets().values() if s.commune_groups]
    names = sorted({g for codes in sets for g in codes})
    bad = {c: g for c, g in groups.items() if all(group_code(g, codes) is None for codes in sets)}
    problems = []
    if unknown:
        problems.append(
            Problem.of(
                "problems.units_groups_unknown_codes",
                file=file,
                layer="units_groups",
                feature=", ".join(unknown[:8]),
                severity="error",
                count=len(unknown),
                codes=", ".join(unknown),
                periods=", ".join(later),
            )
        )
    if bad:
        named = ", ".join(f"{c}: {g}" for c, g in sorted(bad.items(), key=lambda kv: kv[0]))
        problems.append(
            Problem.of(
                "problems.units_groups_unknown_groups",
                file=file,
                layer="units_groups",
                feature=", ".join(sorted(bad)[:8]),
                severity="error",
                count=len(bad),
                given=named,
                groups=", ".join(names),
            )
        )
    return problems

"""Commune groups of a criteria set whose thresholds depend on them (QĐ 51/2025: nhóm 1/2/3).

The province assigns each commune its group; the workspace gives it as a ``commune_group``
column on the communes layer or as ``commune_groups: {code: group}`` in workspace.yaml (the
workspace puts the mapping into the column before the evaluation). A group is written as the
set's code (``nhom_2``), its number (``2``) or its name ("Nhóm 2").

Examples
--------
>>> group_code("Nhóm 2", ("nhom_1", "nhom_2", "nhom_3")), group_code(3, ("nhom_1", "nhom_2", "nhom_3"))
('nhom_2', 'nhom_3')
>>> group_code("nhóm 9", ("nhom_1", "nhom_2", "nhom_3")) is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..names import name_key
from ..problems import Problem
from ..values import is_missing

if TYPE_CHECKING:
    from .sets import CriteriaSet

__all__ = ["commune_groups", "group_code"]


def group_code(value: object, groups: tuple[str, ...]) -> str | None:
    """A commune group as the set's code, or None when it is none of ``groups``."""
    if is_missing(value) or not str(value).strip():
        return None
    written = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        written = str(int(value))
    key = name_key(written).replace(" ", "_")
    for code in groups:
        number = code.rsplit("_", 1)[-1]
        if key in (name_key(code).replace(" ", "_"), number, f"nhom_{number}"):
            return code
    return None


def _examples(codes: pd.Series) -> str:
    return ", ".join(codes.astype(str).head(5))


def commune_groups(
    communes: pd.DataFrame, criteria_set: CriteriaSet, units: list[str]
) -> tuple[dict[str, str | None], list[Problem]]:
    """Each assessed commune's group, and one problem per kind (no group, unknown group).

    Parameters
    ----------
    communes : DataFrame
        ``commune_code`` and, optionally, ``commune_group``.
    criteria_set : CriteriaSet
        The commune set; a set without ``commune_groups`` needs none (every group is None).
    units : list of str
        The communes the set assesses (towns excepted).

    Returns
    -------
    (dict, list of Problem)
        Commune code → group code or None (its group thresholds then have no value: not assessed).
    """
    groups = criteria_set.commune_groups
    if not groups:
        return dict.fromkeys(units), []
    given = (
        communes.set_index(communes["commune_code"].astype(str))["commune_group"]
        if "commune_group" in communes.columns
        else pd.Series(dtype=object)
    )
    given = given[~given.index.duplicated()]
    found = {u: given.get(u) for u in units}
    codes = {u: group_code(v, groups) for u, v in found.items()}
    missing = pd.Series([u for u, v in found.items() if is_missing(v) or not str(v).strip()], dtype=object)
    unknown = pd.Series([u for u, c in codes.items() if c is None and u not in set(missing)], dtype=object)
    problems = []
    listed = ", ".join(groups)
    if len(missing):
        problems.append(
            Problem.of(
                "problems.commune_group_missing",
                layer="communes",
                feature=_examples(missing),
                severity="error",
                count=len(missing),
                set_id=criteria_set.id,
                listed=listed,
            )
        )
    if len(unknown):
        values = sorted({str(found[u]) for u in unknown})
        problems.append(
            Problem.of(
                "problems.commune_group_unknown",
                layer="communes",
                feature=_examples(unknown),
                severity="error",
                count=len(unknown),
                values=str(values),
                set_id=criteria_set.id,
                listed=listed,
            )
        )
    return codes, problems

"""Helpers the layer builders share: plan years, summary rows, schedule lookups."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from ...assessment import Assessment
    from ...workspace import Workspace

#: One summary row per feature, as dicts (``{}`` where the summary has no row).
Rows = list[dict[str, Any]]


def plan_years(workspace: Workspace) -> list[int]:
    """The years of the plan period, first to last (none without a plan)."""
    if workspace.plan is None:
        return []
    first, last = workspace.plan.period()
    return list(range(first, last + 1))


def summary_rows(summary: pd.DataFrame, key: str, keys: Sequence[str]) -> Rows:
    """The summary row of each key (``{}`` for a key the summary does not have)."""
    indexed = summary.set_index(key)
    return [indexed.loc[k].to_dict() if k in indexed.index else {} for k in keys]


def schedule_of(assessment: Assessment, unit_type: str) -> dict[tuple[str, int], str]:
    """(unit code, plan year) → schedule status, from ``assessment.schedule``."""
    table = assessment.schedule
    table = table[table["unit_type"] == unit_type]
    return {
        (str(u), int(y)): str(s)
        for u, y, s in zip(table["unit_code"], table["year"], table["status"], strict=True)
    }

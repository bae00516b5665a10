"""Choosing the criteria sets in force on an assessment date, or the one the workspace names.

The ``valid_from`` / ``valid_to`` of each YAML file decide, not code: QĐ 1980 before 2022-03-08,
QĐ 318 (with QĐ 319 kiểu mẫu) from then to 2025, QĐ 51/2025 from 2026-02-15 to 2030 (between
2026-01-01 and 2026-02-14 no set is in force: the workspace names one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from ..codes import level_rank
from ..problems import DataError, Problem
from .regions import commune_regions, missing_regional_thresholds, region_column
from .sets import THRESHOLD_COLUMNS, CriteriaSet, load_criteria_sets

__all__ = ["CriteriaSelection", "choose_criteria", "commune_regions", "missing_regional_thresholds"]


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

    def thresholds(self, region: str | None = None, group: str | None = None) -> pd.DataFrame:
        """Commune thresholds of every level (:meth:`CriteriaSet.thresholds` of both sets), for
        ``region`` (a regional column; default the selection's) and commune ``group`` (QĐ 51/2025
        ``nhom_1`` …; without it, thresholds given by group have no value)."""
        region = self.region if region is None else region
        frames = [
            s.thresholds(region=region, year=self.year, group=group)
            for s in (self.commune, self.kieu_mau)
            if s is not None
        ]
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
        QĐ 1980 before 2022-03-08, QĐ 318 (+ QĐ 319 kiểu mẫu) from then to 2025, QĐ 51/2025
        from 2026-02-15 — the
        ``valid_from`` / ``valid_to`` of each YAML file decide, not code.
    set_id : str
        ``auto`` or the id of a commune set (``qd318_2022_xa``).
    overrides : mapping, optional
        Province overrides (see the module docstring).
    province, region : str, optional
        Region of the thresholds: ``region`` (a GSO region code, a regional column of the set or
        a region's name) if given, else the province's region (``provinces_regions.csv``),
        mapped onto the set's regional columns.
    year : int, optional
        Evaluation year; defaults to the year of ``as_of``.
    sets : mapping, optional
        Already loaded sets (:func:`load_criteria_sets`); loaded with ``overrides`` otherwise.

    Raises
    ------
    DataError
        When no set covers the date, the named set is unknown, or the province or region is
        unknown (the problem lists the known ones).
    """
    day = _as_date(as_of)
    sets = load_criteria_sets(overrides) if sets is None else sets

    def covering(role: str) -> list[CriteriaSet]:
        return sorted(
            (s for s in sets.values() if s.role == role and s.covers(day)),
            key=lambda s: s.valid_from,
            reverse=True,
        )

    if set_id == "auto":
        candidates = covering("commune")
        if not candidates:
            periods = ", ".join(
                f"{s.id} {s.valid_from}…{s.valid_to}" for s in sets.values() if s.role == "commune"
            )
            raise DataError(
                Problem.of(
                    "problems.criteria_no_set_covers",
                    layer="criteria",
                    feature=str(day),
                    severity="error",
                    periods=periods,
                )
            )
        commune, reason = candidates[0], "chosen by date"
    else:
        if set_id not in sets or sets[set_id].role != "commune":
            known = sorted(k for k, s in sets.items() if s.role == "commune")
            raise DataError(
                Problem.of(
                    "problems.criteria_set_unknown",
                    layer="criteria",
                    feature=set_id,
                    severity="error",
                    set_id=repr(set_id),
                    known=str(known),
                )
            )
        commune, reason = sets[set_id], "named in the workspace"
    kieu_mau = next(
        (s for s in sets.values() if s.role == "kieu_mau" and s.base is not None and s.base.id == commune.id),
        None,
    )
    # A provincial village set (Bắc Giang's QĐ 11/2018) applies in its province only.
    villages = [s for s in covering("village") if s.for_province(province)] or sorted(
        (s for s in sets.values() if s.role == "village" and s.for_province(province)),
        key=lambda s: s.valid_to,
        reverse=True,
    )
    region = region_column(commune, province=province, region=region)
    return CriteriaSelection(
        commune=commune,
        kieu_mau=kieu_mau,
        village=villages[0] if villages else None,
        as_of=day,
        year=day.year if year is None else int(year),
        region=region,
        reason=reason,
    )

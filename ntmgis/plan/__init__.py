"""The district plan as data: targets, schedules and budget, read from a versioned YAML file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .._frozen import freeze
from ..io.readers import yaml_problem
from ..problems import DataError, Problem
from ..yamlload import load_yaml_text, read_yaml_text
from .check import check_plan

__all__ = ["PACKAGED_PLANS", "Plan", "PlanBudget", "check_plan", "load_plan"]

PACKAGED_PLANS = ("tan_yen_2021_2025",)


@dataclass(frozen=True)
class PlanBudget:
    """The plan's budget: total and its parts (``budget:`` of the plan file)."""

    total: float
    parts: Mapping[str, float]
    unit: str
    section: str | None


@dataclass(frozen=True)
class Plan:
    """A district NTM plan (read-only).

    Every section but ``id`` and ``period`` is optional: the accessors give an empty table (or
    ``None``) for a section the file does not have, so consumers never index :attr:`data`.

    Attributes
    ----------
    data : Mapping
        The YAML content, frozen (mappings are read-only, lists are tuples).
    source : str
        Where it was read from (``package:tan_yen_2021_2025`` or a path).
    problems : tuple of Problem
        Warnings found while checking the file (unknown keys, ignored).

    Examples
    --------
    >>> plan = load_plan("package:tan_yen_2021_2025")
    >>> plan.period(), len(plan.nang_cao_schedule()), plan.budget().total
    ((2021, 2025), 11, 931359)
    """

    data: Any
    source: str
    problems: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        """The plan's id (``tan_yen_2021_2025``)."""
        return str(self.data["id"])

    def period(self) -> tuple[int, int]:
        """First and last year of the plan."""
        first, last = self.data["period"]
        return int(first), int(last)

    def years(self) -> range:
        """The plan years, first to last."""
        first, last = self.period()
        return range(first, last + 1)

    def title(self) -> str:
        """The plan's own title (``source:`` of the file), else where it was read from."""
        return str(self.data.get("source") or self.source)

    def _section(self, key: str) -> Mapping[str, Any]:
        section = self.data.get(key)
        return section if isinstance(section, Mapping) else {}

    def _schedule(self, key: str) -> pd.DataFrame:
        years = self._section("communes").get(key, {}).get("years", {})
        rows = [
            {"year": int(year), "commune_code": str(unit["code"]), "name": unit["name"]}
            for year, units in years.items()
            for unit in units
        ]
        return pd.DataFrame(rows, columns=["year", "commune_code", "name"])

    def nang_cao_schedule(self) -> pd.DataFrame:
        """Communes scheduled to reach NTM nâng cao, one row each: year, commune_code, name."""
        return self._schedule("nang_cao_schedule")

    def kieu_mau_schedule(self) -> pd.DataFrame:
        """Communes scheduled to reach NTM kiểu mẫu: year, commune_code, name."""
        return self._schedule("kieu_mau_schedule")

    def model_villages_by_year(self) -> pd.Series:
        """Number of model villages (thôn NTM kiểu mẫu) planned per year (empty: none planned)."""
        years = self._section("villages").get("model_villages_by_year", {}).get("years", {})
        series = pd.Series({int(y): int(n) for y, n in years.items()}, name="model_villages", dtype="int64")
        return series.sort_index()

    def totals(self) -> dict[str, int]:
        """The plan's totals (``nang_cao_total``, ``kieu_mau_total``, ``model_villages_total``);
        a total the file does not state is the count of its schedule."""
        communes, villages = self._section("communes"), self._section("villages")
        counted = {
            "nang_cao_total": (communes.get("nang_cao_total"), len(self.nang_cao_schedule())),
            "kieu_mau_total": (communes.get("kieu_mau_total"), len(self.kieu_mau_schedule())),
            "model_villages_total": (
                villages.get("model_villages_total"),
                int(self.model_villages_by_year().sum()),
            ),
        }
        return {
            key: int(stated["value"]) if isinstance(stated, Mapping) and "value" in stated else n
            for key, (stated, n) in counted.items()
        }

    def market_units(self) -> pd.DataFrame:
        """Units where the plan builds or upgrades a market: commune_code, name (may be empty)."""
        targets = self.data.get("sector_targets", ())
        target: Mapping[str, Any] = next((t for t in targets if t.get("id") == "markets_upgraded"), {})
        rows = [{"commune_code": str(u["code"]), "name": u["name"]} for u in target.get("units", ())]
        return pd.DataFrame(rows, columns=["commune_code", "name"])

    def targets(self) -> list[dict[str, Any]]:
        """Every target of the plan with its ``group``: communes, district, sector, district_nang_cao."""
        found = []
        keep = self._section("communes").get("keep_ntm_share")
        if keep is not None:
            found.append({"group": "communes", "id": "keep_ntm_share", **dict(keep)})
        mech = self._section("district").get("mechanisation_share")
        if mech is not None:
            found.append({"group": "district", "id": "mechanisation_share", **dict(mech)})
        for group, key in (("sector", "sector_targets"), ("district_nang_cao", "district_nang_cao_targets")):
            found.extend({"group": group, **dict(item)} for item in self.data.get(key, ()))
        return found

    def sector_targets(self) -> list[dict[str, Any]]:
        """The ``sector_targets:`` of the plan (empty list when it has none)."""
        return [dict(item) for item in self.data.get("sector_targets", ())]

    def budget(self) -> PlanBudget | None:
        """The plan's budget, ``None`` when the file has no ``budget:``."""
        budget = self.data.get("budget")
        if not isinstance(budget, Mapping):
            return None
        section = budget.get("section")
        return PlanBudget(
            total=budget["total"],
            parts=dict(budget.get("parts", {})),
            unit=str(budget.get("unit", "")),
            section=None if section is None else str(section),
        )

    def district_value(self, key: str) -> Any:
        """A value of the ``district:`` section (``nang_cao_district_year``...), ``None`` if absent."""
        entry = self._section("district").get(key)
        return entry.get("value") if isinstance(entry, Mapping) else entry


def load_plan(ref: str, *, base_dir: Path | None = None, communes: Mapping[str, str] | None = None) -> Plan:
    """Read a plan: ``package:<id>`` for a packaged plan, else a YAML path (relative to ``base_dir``).

    Parameters
    ----------
    ref : str
        ``package:<id>`` or a path.
    base_dir : Path, optional
        Folder a relative path is read from (the workspace's).
    communes : mapping, optional
        Commune code → name of the workspace: the communes the plan names are checked against it.

    Raises
    ------
    DataError
        With every mistake of the file at once (:func:`ntmgis.plan.check.check_plan`): missing,
        not YAML, missing ``id``/``period``, wrong types, years outside the period, unknown
        levels or communes, a commune scheduled twice, totals or budget parts that do not add up.

    Examples
    --------
    >>> load_plan("package:tan_yen_2021_2025").id
    'tan_yen_2021_2025'
    >>> load_plan("package:nowhere")
    Traceback (most recent call last):
    ...
    ntmgis.problems.DataError: 1 error(s) in input data
      [error] package:nowhere, plan: no packaged plan 'nowhere' -> use one of ... or a path
    """
    if ref.startswith("package:"):
        plan_id = ref.split(":", 1)[1]
        if plan_id not in PACKAGED_PLANS:
            raise DataError(
                Problem.of(
                    "problems.plan_not_packaged",
                    file=ref,
                    layer="plan",
                    severity="error",
                    plan=repr(plan_id),
                    known=str(PACKAGED_PLANS),
                )
            )
        text = resources.files("ntmgis").joinpath(f"plans/{plan_id}.yaml").read_text("utf-8")
        source = ref
    else:
        path = Path(ref) if base_dir is None else base_dir / ref
        if not path.exists():
            raise DataError(
                Problem.of("problems.plan_file_not_found", file=str(path), layer="plan", severity="error")
            )
        source = str(path)
        try:
            text = read_yaml_text(path)
        except yaml.YAMLError as exc:
            raise DataError(yaml_problem(exc, source, "plan")) from None
    try:
        data = load_yaml_text(text)
    except yaml.YAMLError as exc:
        raise DataError(yaml_problem(exc, source, "plan")) from None
    if not isinstance(data, dict):
        raise DataError(
            Problem.of("problems.plan_not_yaml_mapping", file=source, layer="plan", severity="error")
        )
    problems = check_plan(data, source, communes=communes)
    if any(p.severity == "error" for p in problems):
        raise DataError(problems, "problems.header_plan", source=str(source))
    return Plan(freeze(data), source, tuple(problems))

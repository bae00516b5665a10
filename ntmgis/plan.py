"""The district plan as data: targets, schedules and budget, read from a versioned YAML file."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ._frozen import freeze
from .problems import DataError, Problem

__all__ = ["Plan", "load_plan", "PACKAGED_PLANS"]

PACKAGED_PLANS = ("tan_yen_2021_2025",)


@dataclass(frozen=True)
class Plan:
    """A district NTM plan (read-only).

    Attributes
    ----------
    data : Mapping
        The YAML content, frozen (mappings are read-only, lists are tuples).
    source : str
        Where it was read from (``package:tan_yen_2021_2025`` or a path).
    """

    data: Any
    source: str

    @property
    def id(self) -> str:
        """The plan's id (``tan_yen_2021_2025``)."""
        return str(self.data["id"])

    def _schedule(self, key: str) -> pd.DataFrame:
        years = self.data["communes"][key]["years"]
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
        """Number of model villages (thôn NTM kiểu mẫu) planned per year."""
        years = self.data["villages"]["model_villages_by_year"]["years"]
        return pd.Series({int(y): int(n) for y, n in years.items()}, name="model_villages").sort_index()

    def market_units(self) -> pd.DataFrame:
        """Units where the plan builds or upgrades a market: commune_code, name."""
        target = next(t for t in self.data["sector_targets"] if t["id"] == "markets_upgraded")
        return pd.DataFrame([{"commune_code": u["code"], "name": u["name"]} for u in target["units"]])


def _check(plan: dict[str, Any], source: str) -> list[Problem]:
    """Internal consistency: totals equal their schedules, budget parts add up."""
    problems: list[Problem] = []

    def fail(what: str, detail: str) -> None:
        problems.append(Problem(source, "plan", what, detail, "correct the plan file", "error"))

    try:
        communes = plan["communes"]
        for key, total_key in (
            ("nang_cao_schedule", "nang_cao_total"),
            ("kieu_mau_schedule", "kieu_mau_total"),
        ):
            scheduled = sum(len(v) for v in communes[key]["years"].values())
            if scheduled != communes[total_key]["value"]:
                fail(key, f"schedule lists {scheduled} communes, total says {communes[total_key]['value']}")
        villages = plan["villages"]
        by_year = sum(villages["model_villages_by_year"]["years"].values())
        if by_year != villages["model_villages_total"]["value"]:
            fail(
                "model_villages_by_year",
                f"years add to {by_year}, total says {villages['model_villages_total']['value']}",
            )
        budget = plan["budget"]
        if sum(budget["parts"].values()) != budget["total"]:
            fail("budget", f"parts add to {sum(budget['parts'].values())}, total is {budget['total']}")
    except (KeyError, TypeError, AttributeError) as exc:
        fail("structure", f"missing or malformed entry {exc}")
    return problems


def load_plan(ref: str, *, base_dir: Path | None = None) -> Plan:
    """Read a plan: ``package:<id>`` for a packaged plan, else a YAML path (relative to ``base_dir``).

    Raises
    ------
    DataError
        When the file is missing, not YAML, or inconsistent (schedule vs totals, budget parts).

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
                Problem(
                    ref,
                    "plan",
                    "",
                    f"no packaged plan {plan_id!r}",
                    f"use one of {PACKAGED_PLANS} or a path",
                    "error",
                )
            )
        text = resources.files("ntmgis").joinpath(f"plans/{plan_id}.yaml").read_text("utf-8")
        source = ref
    else:
        path = Path(ref) if base_dir is None else base_dir / ref
        if not path.exists():
            raise DataError(
                Problem(
                    str(path), "plan", "", "plan file not found", "check plan: in workspace.yaml", "error"
                )
            )
        text = path.read_text(encoding="utf-8")
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataError(
            Problem(source, "plan", "", f"not valid YAML ({exc})", "fix the YAML syntax", "error")
        ) from None
    if not isinstance(data, dict):
        raise DataError(
            Problem(
                source,
                "plan",
                "",
                "plan is not a YAML mapping",
                "see ntmgis/plans/tan_yen_2021_2025.yaml for the layout",
                "error",
            )
        )
    problems = _check(data, source)
    if problems:
        raise DataError(problems, f"plan {source} is inconsistent")
    return Plan(freeze(data), source)

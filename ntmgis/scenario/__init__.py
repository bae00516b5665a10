"""What-if scenarios: ordered edits to a Workspace, their assessment, the comparison, and goal-seeking.

A :class:`Scenario` is a name and an ordered tuple of edits (:mod:`.edits`).
:func:`apply_scenario` gives a new Workspace (the baseline and every file stay as they are) and
the works the edits imply (km concretized or lined, with their cost from the unit-cost tables,
which are assumptions the user sets). :func:`run` assesses the result; :func:`compare` puts runs
side by side: indicator values, verdict flips (chưa đạt → đạt), works and their cost by commune
and year, and the plan's district targets. Scenarios are written in Python or in YAML
(:func:`load_scenarios`). :func:`optimise` finds the cheapest road and canal works that lift
communes over their thresholds and returns them as a Scenario. The diff map of a scenario is
:func:`ntmgis.maps.diff.build_diff_map`.

Every edit names what it touches; a segment, commune, village, market or zone that does not
exist is an error naming it (:class:`~ntmgis.problems.DataError`), never a silent no-op.
"""

from .apply import WORKS_COLUMNS, Applied, ScenarioRun, apply_scenario, run
from .compare import Comparison, compare, comparison_tables, comparison_titles
from .cover import CoverResult, greedy_cover, solve_cover
from .edits import (
    AddFacility,
    AddMarket,
    AddZone,
    Concretize,
    Edit,
    LineCanals,
    Scenario,
    SetStatus,
    SetThreshold,
    SetUnitCost,
    SetZone,
    UpgradeMarket,
)
from .optimise import DEFAULT_INDICATORS, OptimiseResult, optimise
from .optimise_units import optimise_units
from .units import UnitsComparison, compare_in_units, units_comparison_tables, units_comparison_titles
from .yaml import load_scenario, load_scenarios, scenario_from_mapping

__all__ = [
    "Concretize",
    "LineCanals",
    "AddMarket",
    "UpgradeMarket",
    "AddFacility",
    "AddZone",
    "SetZone",
    "SetStatus",
    "SetThreshold",
    "SetUnitCost",
    "Edit",
    "Scenario",
    "Applied",
    "ScenarioRun",
    "Comparison",
    "apply_scenario",
    "run",
    "compare",
    "load_scenario",
    "load_scenarios",
    "scenario_from_mapping",
    "comparison_tables",
    "comparison_titles",
    "WORKS_COLUMNS",
    "optimise",
    "OptimiseResult",
    "DEFAULT_INDICATORS",
    "solve_cover",
    "greedy_cover",
    "CoverResult",
    "optimise_units",
    "UnitsComparison",
    "compare_in_units",
    "units_comparison_tables",
    "units_comparison_titles",
]

"""ntmgis — GIS toolkit for Vietnam's New Rural Development programme (Nông thôn mới)."""

from .plan import Plan, load_plan
from .problems import DataError, Problem, ProblemReport
from .workspace import Workspace, inspect_workspace, load_workspace

__all__ = [
    "DataError",
    "Plan",
    "Problem",
    "ProblemReport",
    "Workspace",
    "inspect_workspace",
    "load_plan",
    "load_workspace",
]
__version__ = "0.1.0"

"""ntmgis — GIS toolkit for Vietnam's New Rural Development programme (Nông thôn mới).

The names below are imported when first used (:pep:`562`), so ``ntmgis --help`` and commands
that need no workspace do not pay for pandas and geopandas at start-up.

>>> import ntmgis
>>> ntmgis.Problem.__name__, ntmgis.load_workspace.__module__
('Problem', 'ntmgis.workspace.load')
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .problems import DataError, Problem, ProblemReport

if TYPE_CHECKING:
    from .plan import Plan, load_plan
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

_LAZY = {
    "Plan": ".plan",
    "load_plan": ".plan",
    "Workspace": ".workspace",
    "inspect_workspace": ".workspace",
    "load_workspace": ".workspace",
}


def __getattr__(name: str) -> object:
    """Import a public name of the package on first use."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

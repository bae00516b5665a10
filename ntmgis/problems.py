"""Problems found while reading and validating data.

Every reader and validator in ntmgis returns its findings as :class:`Problem` rows instead of
printing, raising on the first one, or silently dropping data. A :class:`ProblemReport` collects
them so a user sees every problem of a workspace in one table (file, layer, feature, problem,
what was done).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Literal

import pandas as pd

__all__ = ["Problem", "ProblemReport", "DataError", "Severity"]

Severity = Literal["error", "warning", "info"]
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Problem:
    """One finding about one feature, row, column or file.

    Parameters
    ----------
    file : str
        Path of the source file (as the user gave it), or ``""`` for in-memory data.
    layer : str
        Layer or table name (``roads``, ``commune_status``...).
    feature : str
        Feature id, row number (``row 12``) or cell (``row 4, column "2"``); ``""`` for the file.
    problem : str
        What is wrong, in words a district GIS officer understands.
    action : str
        What ntmgis did about it (``repaired with make_valid``, ``refused``, ``converted``...)
        or what the user should do.
    severity : {"error", "warning", "info"}
        ``error`` blocks use of the layer; ``warning`` was repaired or needs a look;
        ``info`` records a conversion that changed nothing of substance.
    """

    file: str
    layer: str
    feature: str
    problem: str
    action: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        """One line: ``[severity] file, layer, feature: problem -> action``."""
        where = ", ".join(p for p in (self.file, self.layer, self.feature) if p)
        return f"[{self.severity}] {where}: {self.problem} -> {self.action}"


class DataError(ValueError):
    """Bad input that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem] | Problem, message: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        head = message or f"{sum(p.severity == 'error' for p in self.problems)} error(s) in input data"
        super().__init__(head + "\n" + "\n".join(f"  {p}" for p in self.problems))


@dataclass(frozen=True)
class ProblemReport:
    """An immutable, ordered collection of :class:`Problem`."""

    problems: tuple[Problem, ...] = field(default_factory=tuple)

    COLUMNS = ("severity", "file", "layer", "feature", "problem", "action")

    def __iter__(self) -> Iterator[Problem]:
        """The problems in their order."""
        return iter(self.problems)

    def __len__(self) -> int:
        """Number of problems."""
        return len(self.problems)

    def __add__(self, other: ProblemReport | Iterable[Problem]) -> ProblemReport:
        """A new report with ``other``'s problems after these."""
        return ProblemReport(self.problems + tuple(other))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """Problems as a DataFrame, errors first, in a stable order."""
        rows = [asdict(p) for p in self.problems]
        frame = pd.DataFrame(rows, columns=list(self.COLUMNS))
        if frame.empty:
            return frame
        frame["_o"] = frame["severity"].map(_SEVERITY_ORDER)
        frame = frame.sort_values(["_o", "file", "layer"], kind="stable").drop(columns="_o")
        return frame.reset_index(drop=True)

    def format(self, limit: int | None = None) -> str:
        """Human-readable text, one problem per line, errors first."""
        frame = self.to_frame()
        if frame.empty:
            return "no problems found"
        lines = [str(Problem(**row)) for row in frame.to_dict("records")]
        if limit is not None and len(lines) > limit:
            lines = lines[:limit] + [f"... and {len(lines) - limit} more"]
        return "\n".join(lines)

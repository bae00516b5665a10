"""No output may replace an input: the one check every command makes before it writes."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..problems import DataError, Problem

__all__ = ["refuse_inputs_as_outputs"]


def _same(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def refuse_inputs_as_outputs(
    outputs: Iterable[str | os.PathLike[str]],
    inputs: Iterable[str | os.PathLike[str]],
    *,
    folders: Iterable[str | os.PathLike[str]] = (),
) -> None:
    """Raise when an output is one of the inputs (resolved: ``..``, symlinks, hard links).

    ``folders`` are output folders (a report's ``<stem>_csv/``): an input inside one is refused too.

    Raises
    ------
    DataError
        One error per output that would replace an input, naming both.

    Examples
    --------
    >>> refuse_inputs_as_outputs(["out/map.html"], ["ws/roads.gpkg"])
    >>> refuse_inputs_as_outputs(["ws/../ws/roads.gpkg"], ["ws/roads.gpkg"])
    Traceback (most recent call last):
    ...
    ntmgis.problems.DataError: ...
    """
    sources = [Path(p) for p in inputs]
    problems: list[Problem] = []
    for output in map(Path, outputs):
        for source in sources:
            if _same(output, source):
                problems.append(_problem(output, source))
    for folder in map(Path, folders):
        real = Path(os.path.realpath(folder))
        for source in sources:
            if Path(os.path.realpath(source)).parent == real:
                problems.append(_problem(folder / source.name, source))
    if problems:
        raise DataError(problems, problems[0].problem)


def _problem(output: Path, source: Path) -> Problem:
    return Problem.of(
        "problems.output_is_input",
        file=str(output),
        layer="output",
        severity="error",
        output=str(output),
        source=str(source),
    )

"""The new units' commune groups (QĐ 51/2025 nhóm 1/2/3): a CSV, or ``units_groups:`` of workspace.yaml.

The province assigns each commune of the 2026–2030 set its group. For the units of a later period
(``--units 2025-07``) the groups are given by ``--units-groups CSV``, by a ``commune_group``
column of ``--units-polygons``, or by the workspace (``units_groups:`` in workspace.yaml: a CSV
file, or a mapping ``commune_code: group``). This module reads them; the codes and groups are
checked against the crosswalk and the criteria sets by :func:`ntmgis.units_recut.units_groups_problems`
(those sit above the workspace).

Examples
--------
>>> groups, problems = workspace_units_groups({"07330": "nhom_1", 7333: 2}, Path("."), file="workspace.yaml")
>>> groups, problems
({'07330': 'nhom_1', '7333': 2}, [])
>>> workspace_units_groups(None, Path("."), file="workspace.yaml")
(None, [])
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .problems import DataError, ParamValue, Problem

__all__ = ["read_units_groups", "workspace_units_groups"]

_LAYER = "units_groups"


def _error(file: str, feature: str, key: str, **params: ParamValue) -> DataError:
    """The refusal ``problems.<key>`` of a groups file (an error)."""
    return DataError(
        Problem.from_params(
            f"problems.{key}", params, file=file, layer=_LAYER, feature=feature, severity="error"
        )
    )


def read_units_groups(path: str | os.PathLike[str]) -> dict[str, object]:
    """The new units' commune groups from a CSV (``commune_code, commune_group``): code → group.

    Raises
    ------
    DataError
        Unreadable file, a missing column, or a code given twice.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "g.csv").write_text("commune_code,commune_group\\n07330,nhom_1\\n", encoding="utf-8")
    >>> read_units_groups(folder / "g.csv")
    {'07330': 'nhom_1'}
    """
    file = str(path)
    try:
        frame = pd.read_csv(Path(file), dtype=str, encoding="utf-8-sig")
    except Exception as exc:  # a parser error is not an OSError: one problem naming the file
        raise _error(file, "", "groups_unreadable", error=type(exc).__name__) from exc
    if not {"commune_code", "commune_group"} <= set(frame.columns):
        raise _error(file, "", "groups_no_columns")
    codes = frame["commune_code"].str.strip()
    if codes.duplicated().any():
        twice = sorted(set(codes[codes.duplicated()]))
        raise _error(file, ", ".join(twice), "groups_twice", codes=str(twice))
    return dict(zip(codes, frame["commune_group"], strict=True))


def workspace_units_groups(
    raw: object, root: Path, *, file: str
) -> tuple[Mapping[str, object] | None, list[Problem]]:
    """``units_groups:`` of workspace.yaml read: a CSV file (relative to the workspace) or a mapping.

    Returns
    -------
    (mapping or None, list of Problem)
        Commune code (text) → group as written; None when the key is absent or cannot be read
        (then the problems say why: one error).
    """
    if raw is None:
        return None, []
    if isinstance(raw, Mapping):
        return {str(code).strip(): group for code, group in raw.items()}, []
    if not isinstance(raw, str) or not raw.strip():
        return None, [
            Problem.of(
                "problems.units_groups_not_file",
                file=file,
                layer="workspace",
                feature="units_groups",
                severity="error",
                given=repr(raw),
            )
        ]
    try:
        return read_units_groups(root / raw.strip()), []
    except DataError as exc:
        return None, list(exc.problems)

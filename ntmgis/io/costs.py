"""A user's unit-cost table (đơn giá), read and checked: the province's prices instead of the packaged
illustrative ones.

The table has the columns of the packaged one (:func:`ntmgis.costs.load_unit_costs`): for roads
``road_class, target_surface, million_vnd_per_km``, for canals ``canal_level, target_lining,
million_vnd_per_km``; ``assumption`` (yes/no) and ``note`` are optional. Classes, surfaces and
linings may be written as codes or as the labels offices use ("Đường trục thôn", "Bê tông"). Rows the
user supplies are not assumptions unless the ``assumption`` column says so.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "don_gia.csv").write_text(
...     "road_class,target_surface,million_vnd_per_km\\nĐường trục thôn,Bê tông,2300\\n", encoding="utf-8")
>>> table = read_unit_costs(folder / "don_gia.csv", "roads").frame
>>> table[["road_class", "target_surface", "million_vnd_per_km", "assumption"]].to_dict("records")
[{'road_class': 'truc_thon', 'target_surface': 'be_tong', 'million_vnd_per_km': 2300.0, 'assumption': False}]
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..costs import UNIT_COST_COLUMNS
from ..problems import DataError, Problem
from ..values import is_missing, parse_bool
from ..vocab import spellings, vocab_key
from .readers import ReadResult, read_table

__all__ = ["read_unit_costs"]

#: Vocabulary of the class and target columns of each network's table.
_VOCABS = {"roads": ("road_class", "surface"), "canals": ("canal_level", "lining")}


def _codes(values: pd.Series, vocab: str, column: str, file: str, problems: list[Problem]) -> pd.Series:
    """Codes of a column written as codes or labels; one error per value nothing matches."""
    known = spellings(vocab)
    found = {v: known.get(vocab_key(str(v)), (None, ""))[0] for v in values.dropna().unique()}
    for value, code in found.items():
        if code is None:
            rows = ", ".join(str(i + 2) for i in values.index[values == value][:5])  # +2: header, 1-based
            problems.append(
                Problem.of(
                    "problems.cost_unknown_code",
                    file=file,
                    layer="unit_costs",
                    feature=f"rows {rows}",
                    severity="error",
                    column=column,
                    value=repr(value),
                    vocab=vocab,
                    known=", ".join(sorted({c for c, _ in known.values()})),
                )
            )
    return values.map(found)


def _assumption_flags(frame: pd.DataFrame, file: str, problems: list[Problem]) -> list[bool]:
    """The optional ``assumption`` column as yes/no (blank: the user's own price, not an assumption)."""
    if "assumption" not in frame.columns:
        return [False] * len(frame)
    flags = []
    for row, value in zip(frame.index, frame["assumption"], strict=True):
        try:
            flags.append(False if is_missing(value) else bool(parse_bool(value)))
        except ValueError:
            problems.append(
                Problem.of(
                    "problems.cost_assumption",
                    file=file,
                    layer="unit_costs",
                    feature=f"row {row + 2}",
                    severity="error",
                    value=repr(value),
                )
            )
            flags.append(False)
    return flags


def read_unit_costs(path: str | os.PathLike[str], network: str = "roads") -> ReadResult:
    """Read and check a unit-cost table for ``network`` (``roads`` or ``canals``).

    Returns
    -------
    ReadResult
        ``frame`` in the packaged table's form (codes, ``million_vnd_per_km`` as float,
        ``assumption`` as bool, ``note``); ``problems`` what was read or repaired.

    Raises
    ------
    DataError
        Listing every problem that makes the table unusable: a missing column, a price that is not a
        number ≥ 0, a class or target nothing matches, a (class, target) priced twice.
    """
    if network not in UNIT_COST_COLUMNS:
        raise ValueError(f"network must be one of {sorted(UNIT_COST_COLUMNS)}, not {network!r}")
    key, target = UNIT_COST_COLUMNS[network]
    file = str(Path(path))
    read = read_table(path, name="unit_costs")
    frame, problems = read.frame, list(read.problems)
    missing = [c for c in (key, target, "million_vnd_per_km") if c not in frame.columns]
    if missing:
        raise DataError(
            Problem.of(
                "problems.cost_missing_columns",
                file=file,
                layer="unit_costs",
                severity="error",
                columns=str(missing),
                network=network,
                key=key,
                target=target,
            )
        )
    price = pd.to_numeric(frame["million_vnd_per_km"], errors="coerce")
    bad = price.isna() | (price < 0)
    if bad.any():
        rows = ", ".join(str(i + 2) for i in frame.index[bad][:5])
        problems.append(
            Problem.of(
                "problems.cost_not_number",
                file=file,
                layer="unit_costs",
                feature=f"rows {rows}",
                severity="error",
            )
        )
    class_vocab, target_vocab = _VOCABS[network]
    out = pd.DataFrame(
        {
            key: _codes(frame[key], class_vocab, key, file, problems),
            target: _codes(frame[target], target_vocab, target, file, problems),
            "million_vnd_per_km": price.astype(float),
        }
    )
    twice = out.duplicated([key, target]) & out[key].notna()
    if twice.any():
        rows = ", ".join(str(i + 2) for i in out.index[twice][:5])
        problems.append(
            Problem.of(
                "problems.cost_twice",
                file=file,
                layer="unit_costs",
                feature=f"rows {rows}",
                severity="error",
                key=key,
                target=target,
            )
        )
    out["assumption"] = _assumption_flags(frame, file, problems)
    out["note"] = frame["note"] if "note" in frame.columns else ""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return ReadResult(out, tuple(problems))

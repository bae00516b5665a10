"""Status tables: which criteria each commune (or village) reports as met, in the long form of the
layer contracts, read from the long form or from the wide form district offices keep.

The wide office form has one row per commune and one column per criterion (``1`` … ``19``,
``TC 2``, ``Tiêu chí 2``, ``2. Giao thông``, ``2.1`` for an indicator), often under a title row or
two, with cells such as ``Đạt``, ``đạt``, ``x``, ``✓``, ``Chưa đạt``, blanks, numbers (``64 %``) and
notes (``Đạt (2022)``). Communes are named by GSO code or by name in any spelling ("TT Cao
Thượng", "Phúc Hoà", NFD text); names are matched with :func:`ntmgis.names.match_names`.

Nothing is dropped silently: every cell that cannot be read, every row whose unit cannot be
matched, every column that is not understood is a :class:`~ntmgis.problems.Problem` naming its
spreadsheet address (``D7``) or row, and the value is left out (the criterion is then "not
assessed" for that unit, never "not met").

The same verdict given twice (two rows of a long table, two rows for one commune, two columns
for one criterion) is kept once with an ``info`` problem when it agrees; when it does not, an
``error`` names both cells and rows, both verdicts and the fix, neither row is used and the
workspace is refused (:mod:`ntmgis.io.status_duplicates`). A row that names a unit and gives no
verdict is reported too.

The reader is the only parser of criterion ids and levels (with :mod:`ntmgis.codes`);
cell words come from :mod:`ntmgis.io.cells`. The criteria engine takes the long table as it is.

The forms are read in :mod:`ntmgis.io.status_long` and :mod:`ntmgis.io.status_wide`; rows are
matched to units in :mod:`ntmgis.io.status_units`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..codes import (
    criterion_sort_key,
    fold_header,
    parse_criterion_header,
    parse_level,
)
from ..values import is_missing
from .cells import parse_status_cell
from .readers import read_table
from .status_long import _from_long
from .status_units import (
    _UNIT_ID,
    LONG_COLUMNS,
    StatusRead,
    Unit,
)
from .status_wide import _from_wide

__all__ = [
    "StatusRead",
    "LONG_COLUMNS",
    "read_commune_status",
    "read_village_status",
    "status_from_frame",
    "canonical_status",
    "parse_status_cell",
    "long_to_wide",
]


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_commune_status(
    path: str | os.PathLike[str],
    communes: pd.DataFrame,
    *,
    sheet: str | None = None,
    year: int | None = None,
    level: str | None = None,
    criteria: Any = None,
) -> StatusRead:
    """Read a commune status table (long or wide form, CSV or XLSX) into the long form.

    Parameters
    ----------
    path : path-like
        CSV (any of the encodings :func:`ntmgis.io.read_table` handles) or XLSX.
    communes : DataFrame
        ``commune_code``, ``name`` (and ``kind``) of the workspace: the units rows are matched to.
    sheet : str, optional
        XLSX sheet (default: the first).
    year : int, optional
        Year of a wide table that has no year column.
    level : str, optional
        Level (``ntm``, ``nang_cao``, ``kieu_mau``) the verdicts of a wide table refer to.
    criteria : CriteriaSet, optional
        Lets headers name criteria by name and tells measured indicators (numbers are values).

    Returns
    -------
    StatusRead

    Raises
    ------
    DataError
        When the file is missing or cannot be parsed at all (from :func:`ntmgis.io.read_table`).
    """
    read = read_table(path, sheet=sheet, name="commune_status")
    hints = tuple((k, t) for k, t in (("sheet", sheet), ("file", os.path.basename(path))) if t)
    found = status_from_frame(
        read.frame,
        units=communes,
        unit="commune",
        file=str(path),
        year=year,
        level=level,
        criteria=criteria,
        level_hints=hints,
    )
    return StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)


def read_village_status(
    path: str | os.PathLike[str],
    villages: pd.DataFrame,
    *,
    sheet: str | None = None,
    year: int | None = None,
    criteria: Any = None,
) -> StatusRead:
    """Read a village (model-village) status table into the long form (see :func:`read_commune_status`).

    ``villages`` gives ``village_id`` and ``name``; village names repeat across communes
    ("Thôn 1"), so a wide table should carry the village id — a name that fits several villages
    is reported, not guessed.
    """
    read = read_table(path, sheet=sheet, name="village_status")
    found = status_from_frame(
        read.frame,
        units=villages,
        unit="village",
        file=str(path),
        year=year,
        level="kieu_mau",
        criteria=criteria,
    )
    return StatusRead(found.frame, tuple(read.problems) + found.problems, found.form)


def status_from_frame(
    raw: pd.DataFrame,
    *,
    units: pd.DataFrame,
    unit: Unit = "commune",
    file: str = "",
    year: int | None = None,
    level: str | None = None,
    criteria: Any = None,
    level_hints: tuple[tuple[str, str], ...] = (),
) -> StatusRead:
    """Convert a status table as read (header on sheet row 1) to the long form.

    The pure core of :func:`read_commune_status`: ``raw`` is what :func:`ntmgis.io.read_table`
    returns (index = data row number from 0, so that addresses can be given).

    A wide table's level comes from, in order: ``level``, a level column ("Mức", per row),
    ``level_hints`` (``(kind, text)`` pairs: ``("sheet", "NTM nâng cao")``, ``("file", "…")``),
    else NTM; one problem says which was used.
    """
    columns = {fold_header(c) for c in raw.columns}
    if {"criterion", "met"} <= columns or {"tieu chi", "dat"} <= columns:
        return _from_long(raw, units=units, unit=unit, file=file, criteria=criteria)
    return _from_wide(
        raw,
        units=units,
        unit=unit,
        file=file,
        year=year,
        level=level,
        criteria=criteria,
        level_hints=level_hints,
    )


def canonical_status(frame: pd.DataFrame) -> pd.DataFrame:
    """A long status table built in code (a scenario's rows) with its ids read as the reader reads them.

    ``criterion`` may carry an indicator (``"2.2"``), ``indicator`` and ``level`` any spelling the
    reader takes (``"TC 2"``, ``"NTM nâng cao"``). What cannot be read is kept as written: the
    criteria engine then reports it ("not in the set", "unknown level") and leaves the row out.
    Tables read from files are already canonical and come back unchanged.

    Parameters
    ----------
    frame : DataFrame
        Long form (:data:`LONG_COLUMNS`); missing columns stay missing.

    Returns
    -------
    DataFrame
        A copy with ``criterion``, ``indicator`` and ``level`` canonical.

    Examples
    --------
    >>> rows = pd.DataFrame({"commune_code": ["07312"], "criterion": ["2.2"], "indicator": [None],
    ...                      "level": ["NTM nâng cao"]})
    >>> canonical_status(rows)[["criterion", "indicator", "level"]].values.tolist()
    [['2', '2.2', 'nang_cao']]
    """
    out = frame.copy()
    if "criterion" in out.columns:
        given = out["indicator"] if "indicator" in out.columns else pd.Series(None, index=out.index)
        ids = [_canonical_ids(c, i) for c, i in zip(out["criterion"], given, strict=True)]
        out["criterion"] = pd.Series([c for c, _ in ids], index=out.index, dtype=object)
        out["indicator"] = pd.Series([i for _, i in ids], index=out.index, dtype=object)
    if "level" in out.columns:
        out["level"] = pd.Series(
            [None if is_missing(v) else parse_level(v) or str(v).strip() for v in out["level"]],
            index=out.index,
            dtype=object,
        )
    return out


def _canonical_ids(criterion: object, indicator: object) -> tuple[object, str | None]:
    if is_missing(criterion):
        return None, None if is_missing(indicator) else str(indicator).strip()
    parsed = parse_criterion_header(criterion)
    criterion, found = parsed if parsed else (str(criterion).strip(), None)
    if not is_missing(indicator):
        parsed_indicator = parse_criterion_header(indicator)
        found = parsed_indicator[1] if parsed_indicator and parsed_indicator[1] else str(indicator).strip()
    return criterion, found


# Writing back the office form
# --------------------------------------------------------------------------------------------


def long_to_wide(
    long: pd.DataFrame, *, units: pd.DataFrame | None = None, unit: Unit = "commune", lang: str = "vi"
) -> pd.DataFrame:
    """The wide office form of a long status table: one row per unit, one column per criterion.

    Cells are ``Đạt`` / ``Chưa đạt`` (``Met`` / ``Not met`` in English) or the value; columns are
    ordered 1 … 19, indicators after their criterion. Reading the result back with
    :func:`status_from_frame` gives the long table again (one year and level per table).

    Parameters
    ----------
    long : DataFrame
        Long form (:data:`LONG_COLUMNS`).
    units : DataFrame, optional
        Adds the unit name column (``name``) in the units' order.
    """
    id_column = _UNIT_ID[unit]
    words = {"vi": ("Đạt", "Chưa đạt", "Mã", "Tên"), "en": ("Met", "Not met", "Code", "Name")}[lang]

    def key(row: Mapping[str, Any]) -> str:
        return row["indicator"] if not is_missing(row["indicator"]) else row["criterion"]

    def text(row: Mapping[str, Any]) -> object:
        if row["met"] is not pd.NA and row["met"] is not None:
            return words[0] if bool(row["met"]) else words[1]
        return None if is_missing(row["value"]) else float(row["value"])

    records = long.to_dict("records")
    cells: dict[str, dict[str, object]] = {}
    for row in records:
        cells.setdefault(str(row[id_column]), {})[key(row)] = text(row)
    order = sorted({key(r) for r in records}, key=criterion_sort_key)
    ids = list(cells) if units is None else [u for u in units[id_column].astype(str) if u in cells]
    frame = pd.DataFrame(
        [{words[2]: i, **{k: cells[i].get(k) for k in order}} for i in ids], columns=[words[2], *order]
    )
    if units is not None:
        names = dict(zip(units[id_column].astype(str), units["name"], strict=False))
        frame.insert(1, words[3], [names.get(i) for i in ids])
    return frame

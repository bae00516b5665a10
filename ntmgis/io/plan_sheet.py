"""The plan's schedules in the office's spreadsheet form (biểu 01/02/03), read and written.

An office keeps the schedule as one row per commune (``Mã xã``, ``Tên xã``, ``Mức đạt chuẩn``,
``Năm đạt chuẩn``) or per village (``Thôn``, ``Xã``, ``Năm đạt chuẩn thôn kiểu mẫu``), in XLSX or
CSV, often under a title row. Headers are read accent- and case-insensitively
(:func:`ntmgis.codes.fold_header`), levels through the ``ntm_level`` vocabulary
(:func:`ntmgis.codes.parse_level`), communes by code or name against the workspace (the status
sheets' matcher, :mod:`ntmgis.io.status_units`). Every row that cannot be read is a
:class:`~ntmgis.problems.Problem` with its cell address, and is left out.

The plan YAML itself is read by :func:`ntmgis.plan.load_plan`; this module only converts between
its schedule sections and sheets (:func:`schedules_of`, :func:`with_schedules`).
"""

from __future__ import annotations

import copy
import dataclasses
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..codes import fold_header, parse_level
from ..labels import text
from ..names import name_key
from ..problems import ParamValue, Problem, Severity
from ..values import is_missing
from ..vocab import label as vocab_label
from .cells import cell_address, header_kind, row_number, to_number
from .readers import read_table
from .status_units import _match_units

__all__ = [
    "LEVEL_KEYS",
    "Schedules",
    "read_plan_sheet",
    "schedule_frames",
    "schedules_from_frames",
    "schedules_of",
    "with_schedules",
    "write_plan_sheet",
]

#: Plan schedule key of each target level a sheet may name (the plan has no schedule for NTM).
LEVEL_KEYS = {"nang_cao": "nang_cao_schedule", "kieu_mau": "kieu_mau_schedule"}
_TOTAL_KEYS = {"nang_cao": "nang_cao_total", "kieu_mau": "kieu_mau_total"}
_LAYER = "plan_sheet"

# Header words of schedule sheets beyond those of status sheets (folded: no accents, lower case).
_LEVEL_HEADERS = {"muc dat chuan", "muc tieu", "muc do", "muc do dat chuan", "target level", "target"}
_YEAR_PREFIXES = ("nam dat chuan", "nam hoan thanh", "nam", "year", "target year")
_VILLAGE_HEADERS = {"thon", "ten thon", "thon to dan pho", "ten thon to dan pho", "village"}
_CODE_HEADERS = {"commune code", "ma xa thi tran"}
# Words of a sheet's name that give the level of a sheet without a level column ("Biểu 01 - nâng cao").
_SHEET_LEVEL_WORDS = {"nang_cao": ("nang cao", "advanced"), "kieu_mau": ("kieu mau", "model")}
_COUNT_HEADERS = {"so thon", "so thon kieu mau", "so thon dat chuan kieu mau", "model villages"}


@dataclass(frozen=True)
class Schedules:
    """What a schedule sheet holds.

    Attributes
    ----------
    communes : tuple of (level, year, commune_code, name)
        ``level`` is ``nang_cao`` or ``kieu_mau``; in the order of the plan (year, then listing).
    model_villages : Mapping of int to int
        Model villages (thôn NTM kiểu mẫu) planned per year.
    """

    communes: tuple[tuple[str, int, str, str], ...] = ()
    model_villages: Mapping[int, int] = dataclasses.field(default_factory=dict)


def schedules_of(data: Mapping[str, Any]) -> Schedules:
    """The schedules of a plan's data (as :func:`ntmgis.plan.load_plan` reads it).

    Examples
    --------
    >>> from ntmgis.plan import load_plan
    >>> found = schedules_of(load_plan("package:tan_yen_2021_2025").data)
    >>> found.communes[0], found.model_villages[2021]
    (('nang_cao', 2021, '07330', 'Hợp Đức'), 11)
    """
    communes = data.get("communes") or {}
    rows: list[tuple[str, int, str, str]] = []
    for level, key in LEVEL_KEYS.items():
        years = (communes.get(key) or {}).get("years") or {}
        for year in sorted(years, key=int):
            rows.extend((level, int(year), str(u["code"]), str(u["name"])) for u in years[year] or ())
    villages = ((data.get("villages") or {}).get("model_villages_by_year") or {}).get("years") or {}
    return Schedules(
        tuple(rows), {int(y): int(n) for y, n in sorted(villages.items(), key=lambda i: int(i[0]))}
    )


def _thaw(value: object) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return copy.copy(value)


def with_schedules(data: Mapping[str, Any], schedules: Schedules) -> dict[str, Any]:
    """A plain copy of a plan's data with its schedules (and their totals) replaced by ``schedules``.

    Examples
    --------
    >>> plan = with_schedules({}, Schedules((("nang_cao", 2026, "07330", "Hợp Đức"),), {2026: 2}))
    >>> plan["communes"]["nang_cao_schedule"]["years"], plan["communes"]["nang_cao_total"]
    ({2026: [{'code': '07330', 'name': 'Hợp Đức'}]}, {'value': 1})
    """
    out: dict[str, Any] = _thaw(data)
    communes = out.setdefault("communes", {})
    for level, key in LEVEL_KEYS.items():
        years: dict[int, list[dict[str, str]]] = {}
        for row_level, year, code, name in schedules.communes:
            if row_level == level:
                years.setdefault(year, []).append({"code": code, "name": name})
        section = communes.get(key) if isinstance(communes.get(key), dict) else {}
        communes[key] = {**section, "years": dict(sorted(years.items()))}
        total = communes.get(_TOTAL_KEYS[level]) if isinstance(communes.get(_TOTAL_KEYS[level]), dict) else {}
        communes[_TOTAL_KEYS[level]] = {**total, "value": sum(len(v) for v in years.values())}
    villages = out.setdefault("villages", {})
    by_year = villages.get("model_villages_by_year")
    villages["model_villages_by_year"] = {
        **(by_year if isinstance(by_year, dict) else {}),
        "years": dict(sorted(schedules.model_villages.items())),
    }
    total = villages.get("model_villages_total")
    villages["model_villages_total"] = {
        **(total if isinstance(total, dict) else {}),
        "value": sum(schedules.model_villages.values()),
    }
    return out


# --------------------------------------------------------------------------------------------
# Writing the sheet
# --------------------------------------------------------------------------------------------


def schedule_frames(schedules: Schedules, *, lang: str = "vi") -> dict[str, pd.DataFrame]:
    """The sheets of a plan's schedules: communes (one row per commune and level), model villages.

    Reading them back with :func:`schedules_from_frames` gives ``schedules`` again.

    Examples
    --------
    >>> sheets = schedule_frames(Schedules((("kieu_mau", 2027, "07354", "Việt Lập"),), {2027: 3}))
    >>> list(sheets), sheets["Biểu 01-02 xã"].astype(str).iloc[0].tolist()
    (['Biểu 01-02 xã', 'Biểu 03 thôn'], ['1', '07354', 'Việt Lập', 'NTM kiểu mẫu', '2027'])
    """
    head = {
        k: text(f"plan.sheet_{k}", lang) for k in ("no", "code", "name", "level", "year", "villages_count")
    }
    communes = pd.DataFrame(
        [
            [number, code, name, vocab_label("ntm_level", level, lang), year]
            for number, (level, year, code, name) in enumerate(schedules.communes, start=1)
        ],
        columns=[head["no"], head["code"], head["name"], head["level"], head["year"]],
    )
    villages = pd.DataFrame(
        sorted(schedules.model_villages.items()), columns=[head["year"], head["villages_count"]]
    )
    return {text("plan.sheet_communes", lang): communes, text("plan.sheet_villages", lang): villages}


def write_plan_sheet(schedules: Schedules, path: str | os.PathLike[str], *, lang: str = "vi") -> Path:
    """Write the schedules as an XLSX workbook an office can edit (atomically)."""
    from .atomic import write_bytes_atomic
    from .safe_text import set_cell

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in schedule_frames(schedules, lang=lang).items():
            frame.to_excel(writer, sheet_name=sheet, index=False)
            for row in writer.sheets[sheet].iter_rows():  # pandas writes "=..." text as a formula
                for cell in row:
                    set_cell(cell, cell.value)
            writer.sheets[sheet].column_dimensions["C"].width = 24
            writer.sheets[sheet].column_dimensions["D"].width = 26
    return write_bytes_atomic(path, buffer.getvalue())


# --------------------------------------------------------------------------------------------
# Reading the sheet
# --------------------------------------------------------------------------------------------


def _role(cell: object) -> str | None:
    """What a header cell names: code, commune, village, level, year, count (or None)."""
    folded = fold_header(cell)
    if folded in _VILLAGE_HEADERS:
        return "village"
    if folded in _COUNT_HEADERS:
        return "count"
    if folded in _CODE_HEADERS:
        return "code"
    if folded in _LEVEL_HEADERS or header_kind(cell) == "level":
        return "level"
    if folded.startswith(_YEAR_PREFIXES) or header_kind(cell) == "year":
        return "year"
    kind = header_kind(cell)
    return {"code": "code", "name": "commune"}.get(kind or "")


@dataclass
class _Sheet:
    """One sheet being read: its data rows, the position of each column role, its problems."""

    file: str
    name: str
    rows: pd.DataFrame
    roles: dict[str, int]
    problems: list[Problem]

    def add(self, where: str, key: str, severity: Severity = "warning", **params: ParamValue) -> None:
        """Record the problem ``problems.<key>`` at cell ``where`` of this sheet."""
        feature = f"cell {self.name}!{where}" if self.name else f"cell {where}" if where else self.name
        self.problems.append(
            Problem.from_params(
                f"problems.{key}", params, file=self.file, layer=_LAYER, feature=feature, severity=severity
            )
        )


def _header(raw: pd.DataFrame, *, scan_rows: int = 15) -> tuple[int, dict[str, int]]:
    """(rows to skip, roles) of the first row among the first ones that names a year column."""
    candidates = [list(raw.columns)] + [raw.iloc[i].tolist() for i in range(min(scan_rows, len(raw)))]
    for skip, cells in enumerate(candidates):
        roles: dict[str, int] = {}
        for position, cell in enumerate(cells):
            role = None if is_missing(cell) else _role(cell)
            if role is not None and role not in roles:
                roles[role] = position
        if "year" in roles and roles.keys() & {"code", "commune", "village", "count"}:
            return skip, roles
    return 0, {}


def _year(sheet: _Sheet, label: object, value: object, period: tuple[int, int] | None) -> int | None:
    where = cell_address(label, sheet.roles["year"])
    number = to_number(value)
    if number is None or not float(number).is_integer():
        sheet.add(where, "plan_year_not_year", "error", value=repr(value))
        return None
    year = int(number)
    if period is not None and not period[0] <= year <= period[1]:
        sheet.add(where, "plan_year_outside", year=year, start=period[0], end=period[1])
    return year


def _sheet_level(name: str) -> str | None:
    """The level a sheet's name gives ("Biểu 01 - NTM nâng cao" → ``nang_cao``), or None."""
    folded = f" {fold_header(name)} "
    found = [level for level, words in _SHEET_LEVEL_WORDS.items() if any(f" {w} " in folded for w in words)]
    return found[0] if len(found) == 1 else None


def _level(sheet: _Sheet, at: object, row: list[object], default: str | None) -> str | None:
    if "level" not in sheet.roles:
        return default
    value = row[sheet.roles["level"]]
    where = cell_address(at, sheet.roles["level"])
    level = parse_level(value)
    if level in LEVEL_KEYS:
        return level
    known = ", ".join(repr(vocab_label("ntm_level", k, "vi")) for k in LEVEL_KEYS)
    if level == "ntm":
        sheet.add(where, "plan_no_ntm_schedule", known=str(known))
    else:
        sheet.add(where, "plan_unknown_level", "error", value=repr(value), known=str(known))
    return None


def _matched(sheet: _Sheet, communes: pd.DataFrame) -> tuple[pd.DataFrame, dict[object, str], int, bool]:
    """(rows naming a commune, row label → commune code, the commune column, by code?)."""
    by_code = "code" in sheet.roles
    column = sheet.roles["code" if by_code else "commune"]
    data = sheet.rows.loc[[not is_missing(v) for v in sheet.rows.iloc[:, column]]]
    mapping, problems = _match_units(
        list(data.index),
        data.iloc[:, column].tolist(),
        by_code=by_code,
        units=communes,
        unit="commune",
        file=sheet.file,
        addresses=[cell_address(label, column) for label in data.index],
    )
    prefix = f"cell {sheet.name}!" if sheet.name else "cell "
    # Name matches are reported by sheet row ("row 5"): give the cell, as every other problem does.
    cells = {f"row {row_number(label)}": cell_address(label, column) for label in data.index}
    sheet.problems.extend(
        dataclasses.replace(
            p,
            layer=_LAYER,
            feature=prefix + cells[p.feature]
            if p.feature in cells
            else p.feature.replace("cell ", prefix, 1),
        )
        for p in problems
        if p.severity != "info" or "zero" in p.problem
    )
    return data, mapping, column, by_code


def _commune_rows(
    sheet: _Sheet,
    communes: pd.DataFrame,
    period: tuple[int, int] | None,
    seen: list[tuple[str, int, str, str]],
) -> list[tuple[str, int, str, str]]:
    """The schedule rows of a commune sheet; ``seen`` (rows of earlier sheets) are not repeated."""
    default = _sheet_level(sheet.name)
    if "level" not in sheet.roles and default is None:
        sheet.add("", "plan_no_level_column", "error")
        return []
    data, mapping, column, by_code = _matched(sheet, communes)
    names = dict(zip(communes["commune_code"].astype(str), communes["name"].astype(str), strict=False))
    out: list[tuple[str, int, str, str]] = []
    for label, row in zip(data.index, data.itertuples(index=False, name=None), strict=True):
        level = _level(sheet, label, list(row), default)
        year = _year(sheet, label, row[sheet.roles["year"]], period)
        code = mapping.get(label)
        if by_code and code is not None and "commune" in sheet.roles:
            written = row[sheet.roles["commune"]]
            if not is_missing(written) and name_key(str(written)) != name_key(names[code]):
                sheet.add(
                    cell_address(label, sheet.roles["commune"]),
                    "plan_name_differs",
                    name=repr(written),
                    code=str(code),
                    known=str(names[code]),
                )
        if code is None or level is None or year is None:
            continue
        if any(r[0] == level and r[2] == code for r in (*seen, *out)):
            sheet.add(cell_address(label, column), "plan_listed_twice", name=str(names[code]))
            continue
        out.append((level, year, code, names[code]))
    return out


def _village_years(sheet: _Sheet, communes: pd.DataFrame, period: tuple[int, int] | None) -> dict[int, int]:
    """Model villages per year of a village sheet (one row per village, or a count per year)."""
    counts: dict[int, int] = {}
    column = sheet.roles.get("count")
    # A village row naming a commune of another district is left out, as in a commune sheet.
    data, mapping, _, _ = (
        _matched(sheet, communes) if sheet.roles.keys() & {"code", "commune"} else (None, None, 0, False)
    )
    for label, row in zip(sheet.rows.index, sheet.rows.itertuples(index=False, name=None), strict=True):
        named = "village" in sheet.roles and not is_missing(row[sheet.roles["village"]])
        if not named and (column is None or is_missing(row[column])):
            continue
        if data is not None and mapping is not None and label in data.index and label not in mapping:
            continue
        year = _year(sheet, label, row[sheet.roles["year"]], period)
        if year is None:
            continue
        if column is None or named:
            counts[year] = counts.get(year, 0) + 1
            continue
        number = to_number(row[column])
        if number is None or not float(number).is_integer() or number < 0:
            sheet.add(cell_address(label, column), "plan_not_villages", "error", value=repr(row[column]))
            continue
        counts[year] = counts.get(year, 0) + int(number)
    return counts


def schedules_from_frames(
    sheets: Mapping[str, pd.DataFrame],
    *,
    communes: pd.DataFrame,
    file: str = "",
    period: tuple[int, int] | None = None,
) -> tuple[Schedules, tuple[Problem, ...]]:
    """Read the schedules of sheets as :func:`ntmgis.io.read_table` returns them (header on row 1).

    The pure core of :func:`read_plan_sheet`. A sheet is a commune sheet when it names communes
    (code or name) and a year, a village sheet when it names villages (or a count) and a year;
    other sheets are reported and skipped.

    Parameters
    ----------
    sheets : mapping of sheet name to DataFrame
    communes : DataFrame
        ``commune_code`` and ``name`` (and ``kind``) of the workspace.
    file : str
        Source named in the problems.
    period : (int, int), optional
        A year outside it is a warning.
    """
    problems: list[Problem] = []
    rows: list[tuple[str, int, str, str]] = []
    villages: dict[int, int] = {}
    for name, raw in sheets.items():
        skip, roles = _header(raw)
        # The header is row ``skip`` of the candidates: the frame's own header (0) or a data row.
        sheet = _Sheet(file, name if len(sheets) > 1 else "", raw.iloc[skip:], roles, problems)
        if not roles:
            sheet.add("", "plan_sheet_skipped", "info")
            continue
        if roles.keys() & {"village", "count"}:
            for year, count in _village_years(sheet, communes, period).items():
                villages[year] = villages.get(year, 0) + count
        else:
            rows.extend(_commune_rows(sheet, communes, period, rows))
    if sheets and all(_header(raw)[1] == {} for raw in sheets.values()):
        problems.append(Problem.of("problems.plan_no_year_column", file=file, layer=_LAYER, severity="error"))
    order = {level: i for i, level in enumerate(LEVEL_KEYS)}
    rows.sort(key=lambda r: (order[r[0]], r[1]))
    return Schedules(tuple(rows), dict(sorted(villages.items()))), tuple(problems)


def read_plan_sheet(
    path: str | os.PathLike[str], *, communes: pd.DataFrame, period: tuple[int, int] | None = None
) -> tuple[Schedules, tuple[Problem, ...]]:
    """Read a schedule spreadsheet (XLSX: every sheet; CSV: the one table) into :class:`Schedules`.

    Raises
    ------
    DataError
        When the file is missing or cannot be parsed (from :func:`ntmgis.io.read_table`).
    """
    path = Path(path)
    names: list[str | None] = [None]
    if path.suffix.lower() == ".xlsx" and path.exists():
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        names = list(book.sheetnames)
        book.close()
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for sheet in names:
        read = read_table(path, sheet=sheet, name=_LAYER)
        problems.extend(read.problems)
        frames[sheet or ""] = read.frame
    found, more = schedules_from_frames(frames, communes=communes, file=str(path), period=period)
    return found, tuple(problems) + more

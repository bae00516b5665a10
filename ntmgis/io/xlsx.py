"""Fast XLSX workbooks of plain tables, byte for byte what openpyxl's normal mode writes.

openpyxl builds one ``Cell`` object per cell and serialises each through ElementTree; a district's
report (≈ 120k cells) spent most of its time there. :func:`workbook_bytes` lets openpyxl write the
workbook's skeleton (styles, column widths, frozen panes, relations) with empty sheets, and writes
each sheet's ``sheetData`` itself with string formatting: the same XML, attribute order and
escaping as openpyxl 3.1 (inline strings, ``%.16g`` numbers). Text is always a string cell, also
text starting with ``=`` or reading like an error code (:func:`~ntmgis.io.safe_text.set_cell`: no
formula from data). Cells that are not a plain string or finite number (booleans, dates) are
written by openpyxl's own cell writer through ``set_cell``. Style ids are allocated in
openpyxl's order (sheet by sheet, row by row), so ``xl/styles.xml`` is unchanged too.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.etree.ElementTree import _escape_cdata  # type: ignore[attr-defined]

from et_xmlfile import xmlfile
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .safe_text import set_cell

__all__ = ["Sheet", "workbook_bytes"]

_NUMBERS = (int, float)  # exactly: bool (an int) and other subclasses go through openpyxl
_NOTE_FONT = {"bold": True, "color": "C00000"}


@dataclass(frozen=True)
class Sheet:
    """One sheet: a title, an optional note in A1 (bold red), a bold header row, plain rows.

    Attributes
    ----------
    title : str
        ≤ 31 characters.
    header : sequence of str
    rows : sequence of sequences
        Cell values (``None`` for an empty cell): str, int, float, bool, dates.
    note : str, optional
        Written in A1; the header then starts at row 3.
    widths : sequence of float
        Column widths, one per column.
    fill : callable, optional
        ``fill(value)`` → an RGB colour (``"C6EFCE"``) for the cell's solid fill, or None.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    note: str | None = None
    widths: Sequence[float] = field(default_factory=tuple)
    fill: Callable[[object], str | None] | None = None


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The XLSX file of ``sheets`` (first row of data frozen below the header).

    Parameters
    ----------
    sheets : sequence of Sheet

    Returns
    -------
    bytes

    Examples
    --------
    >>> data = workbook_bytes([Sheet("t", ["a", "b"], [(1, "x"), (2.5, None)], widths=(8, 8))])
    >>> data[:2]
    b'PK'
    """
    book = Workbook()
    book.remove(book.active)
    parts: dict[str, tuple[str, str]] = {}
    for index, spec in enumerate(sheets, start=1):
        sheet = book.create_sheet(spec.title)
        start = 3 if spec.note else 1
        sheet.freeze_panes = f"A{start + 1}"
        for column, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        parts[f"xl/worksheets/sheet{index}.xml"] = _sheet_data(sheet, spec, start)
    skeleton = io.BytesIO()
    book.save(skeleton)
    return _fill_parts(skeleton.getvalue(), parts)


def _sheet_data(sheet: Worksheet, spec: Sheet, start: int) -> tuple[str, str]:
    """The sheet's dimension and ``<sheetData>`` XML, allocating style ids in openpyxl's order.

    As the normal mode wrote it: the note in A1, the header at ``start``, one cell per value
    (``None`` included) and the cell the panes freeze at (A of ``start + 1``), empty or not.
    """
    width = len(spec.header)
    out: list[str] = ["<sheetData>"]
    if spec.note:
        note = set_cell(Cell(sheet, row=1, column=1), spec.note)
        note.font = Font(**_NOTE_FONT)
        out.append(f'<row r="1">{_fallback(sheet, note)}</row>')
    if width:
        out.append(f'<row r="{start}">')
        for column, header in enumerate(spec.header, start=1):
            cell = set_cell(Cell(sheet, row=start, column=column), str(header))
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            out.append(_fallback(sheet, cell))
        out.append("</row>")
        out.extend(_rows(sheet, spec, start))
    if not width or not spec.rows:
        out.append(f'<row r="{start + 1}"></row>')
    out.append("</sheetData>")
    rows = [start + 1, *([1] if spec.note else []), *([start, start + len(spec.rows)] if width else [])]
    dimension = f"A{min(rows)}:{get_column_letter(max(width, 1))}{max(rows)}"
    return dimension, "".join(out)


def _rows(sheet: Worksheet, spec: Sheet, start: int) -> list[str]:
    """The data rows' XML, row ``start + 1`` on."""
    letters = [get_column_letter(c) for c in range(1, len(spec.header) + 1)]
    columns = range(1, len(letters) + 1)
    out: list[str] = []
    for r, row in enumerate(spec.rows, start=start + 1):
        out.append(f'<row r="{r}">')
        for letter, column, value in zip(letters, columns, row, strict=False):
            colour = spec.fill(value) if spec.fill is not None else None
            if colour is None:
                out.append(_plain(sheet, value, letter, r, column))
            else:
                out.append(_filled(sheet, value, r, column, colour))
        out.append("</row>")
    return out


def _plain(sheet: Worksheet, value: object, letter: str, row: int, column: int) -> str:
    """One unstyled cell: plain strings and finite numbers formatted here, the rest by openpyxl."""
    if value is None:
        return ""
    if isinstance(value, str) and type(value) is str:
        text = value
        if not text:
            return f'<c r="{letter}{row}" t="inlineStr" />'
        # Text is always a string cell, also "=…" and "#N/A" (never a formula or an error from data).
        if len(text) <= 32767 and ILLEGAL_CHARACTERS_RE.search(text) is None:
            stripped = text.strip()
            space = ' xml:space="preserve"' if stripped and stripped != text else ""
            return f'<c r="{letter}{row}" t="inlineStr"><is><t{space}>{_escape_cdata(text)}</t></is></c>'
    elif isinstance(value, int | float) and type(value) in _NUMBERS and math.isfinite(value):
        return f'<c r="{letter}{row}" t="n"><v>{"%.16g" % value}</v></c>'  # noqa: UP031 (openpyxl's format)
    return _fallback(sheet, set_cell(Cell(sheet, row=row, column=column), value))


def _filled(sheet: Worksheet, value: object, row: int, column: int, colour: str) -> str:
    cell = set_cell(Cell(sheet, row=row, column=column), value)
    cell.fill = PatternFill("solid", fgColor=colour)
    return _fallback(sheet, cell)


def _fallback(sheet: Worksheet, cell: Cell) -> str:
    """A cell written by openpyxl's own cell writer (its style id allocated now, as openpyxl would)."""
    if cell._value is None and not cell.has_style:
        return ""
    buffer = io.BytesIO()
    with xmlfile(buffer) as xf:
        write_cell(xf, sheet, cell, cell.has_style)
    return buffer.getvalue().decode("utf-8")


def _fill_parts(skeleton: bytes, parts: dict[str, tuple[str, str]]) -> bytes:
    """The skeleton workbook with each sheet's dimension and rows put in."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in parts:
                dimension, rows = parts[info.filename]
                xml = data.decode("utf-8")
                xml = xml.replace('<dimension ref="A1:A1" />', f'<dimension ref="{dimension}" />', 1)
                xml = xml.replace("<sheetData></sheetData>", rows, 1)
                data = xml.encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()

"""Fast XLSX workbooks of plain tables: number formats, autofilter, frozen panes, widths from content.

Each :class:`Sheet` is one table: an optional note in A1 (bold red), a bold wrapped header row, the
rows. Every table sheet gets what an office expects of it:

- a **number format per column** (``Sheet.formats``: ``#,##0.00`` for km, ``0.0%`` for a share
  stored as a fraction...), so a cell keeps its full value and shows a rounded one;
- an **autofilter** over the header and the rows, the **header row frozen** and the leading
  ``Sheet.frozen_columns`` columns (the row's id / name) frozen beside it;
- **column widths from the content** (:func:`column_width`: the header's words and the values of
  the first rows as their number format shows them), bounded to 8–60 characters;
- an **empty table says why** (``Sheet.empty``, in italics under the header).

A number format holds no decimal or thousands separator of its own: Excel and LibreOffice draw
them from the reader's locale, so a Vietnamese office sees ``1.234,56`` and an English one
``1,234.56`` from the same file. The language of a workbook is in its words (headers, labels, the
unit in the header: ``(km)``, ``(ha)``, ``(triệu đồng)``), not in its number formats.

How it is written: openpyxl builds one ``Cell`` object per cell and serialises each through
ElementTree; a district's report (≈ 120k cells) spent most of its time there (XlsxWriter, measured
on the same tables, is 2–4× slower still). :func:`workbook_bytes` lets openpyxl write the
workbook's skeleton (styles, column widths, frozen panes, autofilter, relations) with empty sheets,
and writes each sheet's ``sheetData`` itself with string formatting: openpyxl's XML (inline
strings, ``%.16g`` numbers, a number's style id allocated once per column from openpyxl's own
style table). Text is always a string cell, also text starting with ``=`` or reading like an
error code (:func:`~ntmgis.io.safe_text.set_cell`: no formula from data); characters XLSX cannot
hold are replaced (:func:`~ntmgis.io.safe_text.safe_cell`). Cells that are not a plain string or
finite number (booleans, dates) and styled text cells are written by openpyxl's own cell writer.
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

__all__ = ["Sheet", "column_width", "workbook_bytes"]

_NUMBERS = (int, float)  # exactly: bool (an int) and other subclasses go through openpyxl
_NOTE_FONT = {"bold": True, "color": "C00000"}
_EMPTY_FONT = {"italic": True, "color": "595959"}
_WIDTH_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Sheet:
    """One sheet: a title, an optional note in A1 (bold red), a bold header row, the rows.

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
        Column widths, one per column; empty: from the content (:func:`column_width`).
    fill : callable, optional
        ``fill(value)`` → an RGB colour (``"C6EFCE"``) for the cell's solid fill, or None.
    formats : sequence of str or None
        Number format of each column's numbers (``"#,##0.00"``); None or missing: General.
    frozen_columns : int
        Leading columns frozen beside the header (the row's id / name).
    empty : str, optional
        Why the table has no rows: written under the header when ``rows`` is empty.
    """

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    note: str | None = None
    widths: Sequence[float] = field(default_factory=tuple)
    fill: Callable[[object], str | None] | None = None
    formats: Sequence[str | None] = field(default_factory=tuple)
    frozen_columns: int = 0
    empty: str | None = None

    def column_formats(self) -> list[str | None]:
        """One number format (or None) per header column."""
        return [self.formats[c] if c < len(self.formats) else None for c in range(len(self.header))]


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The XLSX file of ``sheets`` (header frozen and filtered, numbers formatted by column).

    Parameters
    ----------
    sheets : sequence of Sheet

    Returns
    -------
    bytes

    Examples
    --------
    >>> data = workbook_bytes([Sheet("t", ["a", "b"], [(1, "x"), (2.5, None)], formats=("0.0",))])
    >>> data[:2]
    b'PK'
    """
    book = Workbook()
    book.remove(book.active)
    parts: dict[str, tuple[str, str]] = {}
    for index, spec in enumerate(sheets, start=1):
        sheet = book.create_sheet(spec.title)
        start = 3 if spec.note else 1
        width = len(spec.header)
        frozen = min(max(spec.frozen_columns, 0), max(width - 1, 0))
        sheet.freeze_panes = f"{get_column_letter(frozen + 1)}{start + 1}"
        if width:
            last = get_column_letter(width)
            sheet.auto_filter.ref = f"A{start}:{last}{start + len(spec.rows)}"
        for column, value in enumerate(_widths(spec), start=1):
            sheet.column_dimensions[get_column_letter(column)].width = value
        parts[f"xl/worksheets/sheet{index}.xml"] = _sheet_data(sheet, spec, start)
    skeleton = io.BytesIO()
    book.save(skeleton)
    return _fill_parts(skeleton.getvalue(), parts)


def _widths(spec: Sheet) -> list[float]:
    if spec.widths:
        return list(spec.widths)
    formats = spec.column_formats()
    sample = spec.rows[:_WIDTH_ROWS]
    return [
        column_width(header, [row[c] for row in sample if c < len(row)], formats[c])
        for c, header in enumerate(spec.header)
    ]


def column_width(header: str, values: Sequence[object], number_format: str | None = None) -> int:
    """A column's width in characters: its longest header word or shown value, plus 2, within 8–60.

    The header wraps, so it asks only for its longest word (or 20 characters of it); a number asks
    for its width as the number format shows it (``#,##0.00``: ``1,234.57``), not all its digits.

    Examples
    --------
    >>> column_width("Chiều dài (km)", [0.3943195698667589, 1234.5], "#,##0.00")
    16
    >>> column_width("Tên", ["x" * 100])
    60
    """
    header = str(header)
    longest = max(min(len(header), 20), *(len(w) for w in header.split() or [""]))
    for value in values:
        if value is not None:
            longest = max(longest, _shown_length(value, number_format))
    return min(max(MIN_WIDTH, longest + 2), MAX_WIDTH)


def _shown_length(value: object, number_format: str | None) -> int:
    """Characters of ``value`` as ``number_format`` shows it (about: one extra for ``#`` digits)."""
    if not number_format or type(value) not in _NUMBERS or not math.isfinite(value):  # type: ignore[arg-type]
        return len(str(value))
    number = float(value)  # type: ignore[arg-type]
    percent = number_format.endswith("%")
    decimals = number_format.rstrip("%").partition(".")[2]
    shown = f"{number * 100 if percent else number:{',' if ',' in number_format else ''}.{len(decimals)}f}"
    return len(shown) + percent


def _sheet_data(sheet: Worksheet, spec: Sheet, start: int) -> tuple[str, str]:
    """The sheet's dimension and ``<sheetData>`` XML.

    The note in A1, the header at ``start``, one cell per value and, when there are no rows, the
    reason in A of ``start + 1`` (or an empty row there, where the panes freeze).
    """
    width = len(spec.header)
    out: list[str] = ["<sheetData>"]
    if spec.note:
        out.append(f'<row r="1">{_styled(sheet, 1, 1, spec.note, font=_NOTE_FONT)}</row>')
    if width:
        out.append(f'<row r="{start}">')
        for column, header in enumerate(spec.header, start=1):
            out.append(_styled(sheet, start, column, str(header), font={"bold": True}, header=True))
        out.append("</row>")
        out.extend(_rows(sheet, spec, start))
    if not width or not spec.rows:
        reason = _styled(sheet, start + 1, 1, spec.empty, font=_EMPTY_FONT) if spec.empty and width else ""
        out.append(f'<row r="{start + 1}">{reason}</row>')
    out.append("</sheetData>")
    rows = [start + 1, *([1] if spec.note else []), *([start, start + len(spec.rows)] if width else [])]
    dimension = f"A{min(rows)}:{get_column_letter(max(width, 1))}{max(rows)}"
    return dimension, "".join(out)


def _styled(
    sheet: Worksheet, row: int, column: int, value: str, *, font: dict[str, object], header: bool = False
) -> str:
    cell = set_cell(Cell(sheet, row=row, column=column), value)
    cell.font = Font(**font)
    if header:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return _fallback(sheet, cell)


def _number_style(sheet: Worksheet, column: int, number_format: str) -> str:
    """The ``' s="N"'`` attribute of a number in ``number_format``, from openpyxl's style table."""
    template = Cell(sheet, row=1, column=column)
    template.number_format = number_format
    return f' s="{template.style_id}"'


def _rows(sheet: Worksheet, spec: Sheet, start: int) -> list[str]:
    """The data rows' XML, row ``start + 1`` on: column by column when no cell is filled.

    A column's number style is allocated at its first finite number, as openpyxl's writer
    allocates it (row by row), so that ``xl/styles.xml`` lists the styles in openpyxl's order:
    the cells that allocate a style (a column's first finite number, a cell openpyxl writes) are
    visited in row order first, then each column's plain cells are formatted in one pass.
    """
    width = len(spec.header)
    if spec.fill is not None or any(len(row) != width for row in spec.rows):
        return _rows_by_cell(sheet, spec, start)
    letters = [get_column_letter(c) for c in range(1, width + 1)]
    formats = spec.column_formats()
    first = start + 1
    columns = [[row[i] for row in spec.rows] for i in range(width)]
    kinds = [_kinds(values) for values in columns]
    styles: list[str] = [""] * width
    events: list[tuple[int, int]] = []  # (row offset, column): cells that may allocate a style
    for i, column_kinds in enumerate(kinds):
        if formats[i] is not None and _NUMBER in column_kinds:
            events.append((column_kinds.index(_NUMBER), i))
        events.extend((k, i) for k, kind in enumerate(column_kinds) if kind == _OTHER)
    written: dict[tuple[int, int], str] = {}
    for k, i in sorted(events):
        if kinds[i][k] == _NUMBER:
            styles[i] = _number_style(sheet, i + 1, formats[i])  # type: ignore[arg-type]
        else:
            written[k, i] = _plain(sheet, columns[i][k], letters[i], first + k, i + 1, "", formats[i])
    cells = [
        _column_cells(columns[i], kinds[i], letters[i], first, styles[i], written, i) for i in range(width)
    ]
    return (
        [f'<row r="{r}">{"".join(row)}</row>' for r, row in enumerate(zip(*cells, strict=True), start=first)]
        if cells
        else [f'<row r="{r}"></row>' for r in range(first, first + len(spec.rows))]
    )


_EMPTY, _TEXT, _BLANK, _NUMBER, _OTHER = range(5)


def _kinds(values: list[object]) -> list[int]:
    """:func:`_kind` of each value; a column of one kind (all text, all numbers) is known at once."""
    types = set(map(type, values))
    if types == {str}:
        text = "\n".join(values)  # type: ignore[arg-type]
        if all(values) and max(map(len, values)) <= 32767 and ILLEGAL_CHARACTERS_RE.search(text) is None:  # type: ignore[arg-type]
            return [_TEXT] * len(values)
    elif types and types <= {int, float} and all(map(math.isfinite, values)):  # type: ignore[arg-type]
        return [_NUMBER] * len(values)
    return [_kind(v) for v in values]


def _kind(value: object) -> int:
    """How a cell is written: nothing, plain text, empty text, a finite number, or by openpyxl."""
    if value is None:
        return _EMPTY
    kind = type(value)
    if kind is str:
        if not value:
            return _BLANK
        if len(value) <= 32767 and ILLEGAL_CHARACTERS_RE.search(value) is None:  # type: ignore[arg-type]
            return _TEXT
        return _OTHER
    if (kind is int or kind is float) and math.isfinite(value):  # type: ignore[arg-type]
        return _NUMBER
    return _OTHER


def _column_cells(
    values: list[object],
    kinds: list[int],
    letter: str,
    first: int,
    style: str,
    written: dict[tuple[int, int], str],
    column: int,
) -> list[str]:
    """One column's cells' XML, as :func:`_plain` writes each (``written``: the cells openpyxl wrote)."""
    rows = range(first, first + len(values))
    if kinds.count(_NUMBER) == len(kinds):
        return [
            f'<c r="{letter}{r}"{style} t="n"><v>{"%.16g" % v}</v></c>'  # type: ignore[str-format]  # noqa: UP031
            for r, v in zip(rows, values, strict=True)
        ]
    out: list[str] = []
    append = out.append
    bodies: dict[str, str] = {}  # a text's ``<is>`` element, made once: a column repeats its labels
    for r, value, kind in zip(rows, values, kinds, strict=True):
        if kind == _TEXT:
            body = bodies.get(value)  # type: ignore[call-overload]
            if body is None:
                body = bodies[value] = _inline_text(value)  # type: ignore[index, arg-type]
            append(f'<c r="{letter}{r}" t="inlineStr">{body}</c>')
        elif kind == _NUMBER:
            append(f'<c r="{letter}{r}"{style} t="n"><v>{"%.16g" % value}</v></c>')  # type: ignore[str-format]  # noqa: UP031
        elif kind == _EMPTY:
            append("")
        elif kind == _BLANK:
            append(f'<c r="{letter}{r}" t="inlineStr" />')
        else:
            append(written[r - first, column])
    return out


def _inline_text(text: str) -> str:
    """The ``<is>`` element of a plain text cell (spaces kept when the text starts or ends with some)."""
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f"<is><t{space}>{_escape_cdata(text)}</t></is>"


def _rows_by_cell(sheet: Worksheet, spec: Sheet, start: int) -> list[str]:
    """The data rows' XML cell by cell, row by row (sheets with filled cells, ragged rows)."""
    letters = [get_column_letter(c) for c in range(1, len(spec.header) + 1)]
    formats = spec.column_formats()
    styles: list[str | None] = ["" if f is None else None for f in formats]
    out: list[str] = []
    # A filled cell's XML after its coordinate, by value, colour and format: openpyxl writes the
    # first of each (allocating its style, in openpyxl's order), the same ones reuse its XML.
    filled: dict[tuple[object, ...], str] = {}
    for r, row in enumerate(spec.rows, start=start + 1):
        out.append(f'<row r="{r}">')
        for i, (letter, value) in enumerate(zip(letters, row, strict=False)):
            colour = spec.fill(value) if spec.fill is not None else None
            if colour is not None:
                where = f'<c r="{letter}{r}"'
                key = (type(value), value if type(value) is str else repr(value), colour, formats[i])
                rest = filled.get(key)
                if rest is None:
                    xml = _filled(sheet, value, r, i + 1, colour, formats[i])
                    if not xml.startswith(where):
                        out.append(xml)
                        continue
                    rest = filled[key] = xml[len(where) :]
                out.append(where + rest)
                continue
            style = styles[i]
            if style is None:
                number = type(value) in _NUMBERS and math.isfinite(value)  # type: ignore[arg-type]
                style = styles[i] = _number_style(sheet, i + 1, formats[i]) if number else None  # type: ignore[arg-type]
            out.append(_plain(sheet, value, letter, r, i + 1, style or "", formats[i]))
        out.append("</row>")
    return out


def _plain(
    sheet: Worksheet, value: object, letter: str, row: int, column: int, style: str, number_format: str | None
) -> str:
    """One cell: plain strings and finite numbers here (``style``: a number's ``s``), the rest by openpyxl."""
    if value is None:
        return ""
    if isinstance(value, str) and type(value) is str:
        text = value
        if not text:
            return f'<c r="{letter}{row}" t="inlineStr" />'
        # Text is always a string cell, also "=…" and "#N/A" (never a formula or an error from data).
        if len(text) <= 32767 and ILLEGAL_CHARACTERS_RE.search(text) is None:
            return f'<c r="{letter}{row}" t="inlineStr">{_inline_text(text)}</c>'
    elif isinstance(value, int | float) and type(value) in _NUMBERS and math.isfinite(value):
        return f'<c r="{letter}{row}"{style} t="n"><v>{"%.16g" % value}</v></c>'  # noqa: UP031 (openpyxl's format)
    cell = set_cell(Cell(sheet, row=row, column=column), value)
    if number_format is not None and type(cell.value) in _NUMBERS:
        cell.number_format = number_format
    return _fallback(sheet, cell)


def _filled(
    sheet: Worksheet, value: object, row: int, column: int, colour: str, number_format: str | None
) -> str:
    cell = set_cell(Cell(sheet, row=row, column=column), value)
    cell.fill = PatternFill("solid", fgColor=colour)
    if number_format is not None and type(cell.value) in _NUMBERS:
        cell.number_format = number_format
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

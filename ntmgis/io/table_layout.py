"""How a display table is laid out in the workbook: number formats, frozen columns, the empty note.

The rules are data (``ntmgis/report_columns.yaml``): each column code has a kind (km, ha, share,
money, count, metres, year, measure) and each kind a number format. A display table carries its
headers in the sheet's language, so a header is read back to its column code through the label
catalogue (``report_headers`` and the ``column_*`` words of ``scenario``; a per-scenario header
``Giá trị [A]`` is the code ``value``). Why a sheet is empty comes from ``catalogue/report_empty.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..labels import text, words
from ..yamlload import load_yaml_text

__all__ = ["Layout", "column_code", "layout"]

_MAX_FROZEN = 2


@dataclass(frozen=True)
class Layout:
    """A sheet's number formats (one per column, None = General), frozen columns and empty note."""

    formats: tuple[str | None, ...]
    frozen_columns: int
    empty: str


@dataclass(frozen=True)
class _Rules:
    formats: Mapping[str, str]
    kinds: Mapping[str, str]
    sheets: Mapping[str, Mapping[str, str]]
    frozen: frozenset[str]


@cache
def _rules() -> _Rules:
    raw = load_yaml_text(resources.files("ntmgis").joinpath("report_columns.yaml").read_text("utf-8"))
    kinds = {str(k): str(v) for k, v in raw["kinds"].items()}
    sheets = {str(s): {str(k): str(v) for k, v in m.items()} for s, m in raw["sheets"].items()}
    formats = {str(k): str(v) for k, v in raw["formats"].items()}
    unknown = {v for v in [*kinds.values(), *(v for m in sheets.values() for v in m.values())]} - set(formats)
    if unknown:
        raise ValueError(f"report_columns.yaml: kinds without a format: {sorted(unknown)}")
    return _Rules(formats, kinds, sheets, frozenset(str(c) for c in raw["frozen"]))


@cache
def _codes(lang: str) -> Mapping[str, str]:
    """Display header → column code, in ``lang`` (report headers win over scenario columns)."""
    scenario = {
        v: k.removeprefix("column_") for k, v in words("scenario", lang).items() if k.startswith("column_")
    }
    return {**scenario, **{v: k for k, v in words("report_headers", lang).items()}}


def column_code(header: str, lang: str = "vi") -> str:
    """The column code of a display header (the header itself when it is not a catalogue word).

    Examples
    --------
    >>> column_code("Chiều dài (km)"), column_code("Giá trị [lam_cot]"), column_code("7")
    ('length_km', 'value', '7')
    """
    codes = _codes(lang)
    if header in codes:
        return codes[header]
    base = header.partition(" [")[0]
    return codes.get(base, header)


def layout(key: str, headers: Sequence[str], lang: str = "vi") -> Layout:
    """The layout of sheet ``key`` whose columns are ``headers`` (display words in ``lang``).

    Examples
    --------
    >>> spec = layout("networks", ["Mã xã", "Tên", "Tổng (km)", "Tỷ lệ", "Ngưỡng"])
    >>> spec.formats, spec.frozen_columns
    ((None, None, '#,##0.00', '0.0%', '0.0%'), 2)
    """
    rules = _rules()
    codes = [column_code(str(h), lang) for h in headers]
    own = rules.sheets.get(key, {})
    kinds = [own.get(c) or rules.kinds.get(c) for c in codes]
    frozen = 0
    while frozen < min(_MAX_FROZEN, len(codes)) and codes[frozen] in rules.frozen:
        frozen += 1
    reasons = words("report_empty", lang)
    empty = reasons[key] if key in reasons else text("report_empty.default", lang)
    return Layout(tuple(rules.formats[k] if k else None for k in kinds), frozen, empty)

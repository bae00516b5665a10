"""Free texts of the criteria engine in both languages: a source or note is ``(vi, en)``.

A criteria set file writes its sources ``{vi: ..., en: ...}``; a province's override may give a
plain string (its own text, the same in both languages). The threshold table then carries
``source`` / ``threshold_note`` (English) and ``source_vi`` / ``threshold_note_vi``; the report and the
maps pick the output's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..labels import text

__all__ = ["NO_TEXT", "Both", "both", "joined", "note"]

#: A text in both languages: (Vietnamese, English).
Both = tuple[str, str]
NO_TEXT: Both = ("", "")


def both(value: Any) -> Both:
    """(vi, en) of a free text written ``{vi: ..., en: ...}``; a plain string (a user's own source
    in ``criteria_overrides``) is the same text in both languages.

    Examples
    --------
    >>> both({"vi": "chưa tìm thấy giá trị", "en": "value not found"})
    ('chưa tìm thấy giá trị', 'value not found')
    >>> both("QĐ 12/2023/QĐ-UBND")
    ('QĐ 12/2023/QĐ-UBND', 'QĐ 12/2023/QĐ-UBND')
    """
    if isinstance(value, Mapping):
        return str(value.get("vi") or value.get("en") or ""), str(value.get("en") or value.get("vi") or "")
    return ("", "") if value is None else (str(value), str(value))


def note(key: str, **fields: object) -> Both:
    """A catalogue note (``criteria.<key>``) in both languages.

    Examples
    --------
    >>> note("nearest_year", nearest=2025, year=2026)
    ('dùng giá trị năm 2025 cho năm 2026', 'value of 2025 used for 2026')
    """
    return text(f"criteria.{key}", "vi", **fields), text(f"criteria.{key}", "en", **fields)


def joined(*notes: Both) -> Both:
    """Notes joined with "; " in each language (empty ones left out).

    Examples
    --------
    >>> joined(("a", "b"), ("", ""), ("c", "d"))
    ('a; c', 'b; d')
    """
    return (
        "; ".join(filter(None, (n[0] for n in notes))),
        "; ".join(filter(None, (n[1] for n in notes))),
    )

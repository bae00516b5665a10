"""Codes shared by every stage: verdicts and statuses, the district unit, criterion ids and levels.

Codes are codes: snake_case strings that tables and layers carry and tests compare. The words a
user reads come from the label catalogue (:mod:`ntmgis.labels`) or the domain vocabularies
(:func:`ntmgis.vocab.label`), never from these constants.

Office sheets name a criterion as ``2``, ``TC 02``, ``Tiêu chí số 2`` or ``2. Giao thông``, an
indicator as ``2.1`` or ``KM.3``, and a level as ``nang_cao`` or ``NTM nâng cao``. The status reader
(:mod:`ntmgis.io.status`) turns them into the canonical ids with the parsers here; the criteria
engine then takes the reader's output as it is and only needs :func:`level_rank` and
:func:`criterion_sort_key`. They live at the bottom of the package so that the reader (below the
engine) and the engine share them without importing each other.

Examples
--------
>>> from ntmgis.codes import NOT_ASSESSED, criterion_sort_key, status_code
>>> status_code(True), status_code(None)
('met', 'not_assessed')
>>> sorted(["KM", "10", "2.2", "2", "KM.1", "2.1"], key=criterion_sort_key)
['2', '2.1', '2.2', '10', 'KM', 'KM.1']
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pandas as pd

from .names import fold_accents, normalize_text
from .values import is_missing
from .vocab import vocabulary

__all__ = [
    "DISTRICT_UNIT",
    "MET",
    "NOT_APPLICABLE",
    "NOT_ASSESSED",
    "NOT_MET",
    "status_code",
    "TOTAL_WORDS",
    "criteria_lookup",
    "criterion_sort_key",
    "fold_header",
    "level_rank",
    "parse_criterion_header",
    "parse_level",
]

#: ``unit_code`` of district-wide rows (sector targets, district totals).
DISTRICT_UNIT = "district"

MET = "met"
NOT_MET = "not_met"
#: No evidence either way (no layer, no report): never counted as a failure.
NOT_ASSESSED = "not_assessed"
#: The rule does not apply to the unit (a town against the commune set).
NOT_APPLICABLE = "not_applicable"


def status_code(met: bool | None) -> str:
    """The verdict code of a yes/no/unknown answer."""
    return NOT_ASSESSED if met is None else (MET if met else NOT_MET)


# Rows and columns of totals ("Tổng cộng", "Tổng số tiêu chí đạt") are summaries, not criteria.
TOTAL_WORDS = ("tong", "cong", "toan huyen", "total", "so tieu chi dat", "so tc dat")

_CRITERION = re.compile(
    r"^(?:tieu\s*chi|tc|criterion|crit\.?|c)?\s*(?:so|no\.?)?\s*0*(\d{1,2})(?:\.0*(\d{1,2}))?(?!\d)"
    r"(?:\s*[-:.)–]?\s*(?P<rest>.*))?$"
)
_KIEU_MAU = re.compile(r"^km\s*[.\-]?\s*(\d)(?!\d)")


def fold_header(text: object) -> str:
    """Accent-, case- and punctuation-insensitive form of a header or cell.

    Examples
    --------
    >>> fold_header("Tên xã / thị trấn")
    'ten xa thi tran'
    """
    light = fold_accents(normalize_text(str(text))).lower()
    return " ".join(re.sub(r"[^\w]+", " ", light).split())


def _light(text: object) -> str:
    """Accent- and case-folded text that keeps punctuation (``2.1`` stays ``2.1``)."""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(fold_accents(normalize_text(str(text))).lower().split())


def level_rank(level: str | None) -> int:
    """Rank of an ``ntm_level`` code (chua_dat 0 < ntm 1 < nang_cao 2 < kieu_mau 3); -1 if unknown.

    Examples
    --------
    >>> [level_rank(code) for code in ("chua_dat", "ntm", "nang_cao", "kieu_mau", "other", None)]
    [0, 1, 2, 3, -1, -1]
    """
    # A pilot level (QĐ 51 xã NTM hiện đại) ranks above the ladder of its set.
    entry = (
        (vocabulary()["ntm_level"].get(level) or vocabulary()["pilot_level"].get(level)) if level else None
    )
    return int(entry["rank"]) if entry else -1


def criterion_sort_key(text: object) -> tuple[Any, ...]:
    """Sort key of a criterion or indicator id: 1 … 19 in number order, indicators after their
    criterion (2, 2.1, 2.2, 10), then ids that do not start with a number (KM, KM.1).

    Parameters
    ----------
    text : object
        ``"2"``, ``"2.1"``, ``"KM.3"``, ``"thon_kieu_mau"``...

    Returns
    -------
    tuple
        Comparable between any two ids; equal parts are ordered by the text itself.

    Examples
    --------
    >>> sorted(["19", "2.10", "KM.2", "2.2", "1"], key=criterion_sort_key)
    ['1', '2.2', '2.10', '19', 'KM.2']
    """
    value = str(text).strip()
    head, *rest = value.split(".")
    parts = tuple(int(p) if p.isdigit() else -1 for p in rest)
    if head.isdigit():
        return (0, int(head), "", parts, value)
    return (1, 0, head, parts, value)


def criteria_lookup(criteria: Any) -> dict[str, Any]:
    """Ids and folded names of a criteria set's criteria and indicators, for header matching.

    Parameters
    ----------
    criteria : CriteriaSet or None
        The set (with its base set's indicators when it builds on one).

    Returns
    -------
    dict
        ``by_name`` (folded name → (criterion, indicator)), ``indicator_counts``, ``kinds``,
        ``criteria`` and ``indicators``; empty without a set.
    """
    if criteria is None:
        return {}
    table = criteria.indicators()
    if criteria.base is not None:
        table = pd.concat([criteria.base.indicators(), table], ignore_index=True)
    by_name: dict[str, tuple[str, str | None]] = {}
    for row in table.drop_duplicates("criterion").itertuples():
        for text in (row.criterion_vi, row.criterion_en, row.criterion):
            by_name.setdefault(fold_header(text), (row.criterion, None))
    for row in table.itertuples():
        for text in (row.indicator, row.short_vi, row.short_en):
            by_name.setdefault(fold_header(text), (row.criterion, row.indicator))
    counts = table.groupby("criterion")["indicator"].nunique().to_dict()
    kinds = dict(zip(table["indicator"], table["kind"], strict=True))
    return {
        "by_name": by_name,
        "indicator_counts": counts,
        "kinds": kinds,
        "criteria": set(table["criterion"]),
        "indicators": set(table["indicator"]),
    }


def parse_criterion_header(text: object, criteria: Any = None) -> tuple[str, str | None] | None:
    """Read a column header (or a ``criterion`` cell) as (criterion, indicator).

    Parameters
    ----------
    text : object
        ``"2"``, ``2``, ``"TC 02"``, ``"Tiêu chí số 2"``, ``"2. Giao thông"``, ``"2.1"``,
        ``"KM.3"``; or, when ``criteria`` is given, a criterion or indicator name
        (``"Giao thông"``).
    criteria : CriteriaSet or dict, optional
        Restricts numbers to the set's criteria and allows names (a dict is a
        :func:`criteria_lookup` already built).

    Returns
    -------
    tuple or None
        ``("2", None)`` for a whole criterion, ``("2", "2.1")`` for an indicator, ``None`` when
        the header is not a criterion.

    Examples
    --------
    >>> parse_criterion_header("Tiêu chí 2: Giao thông")
    ('2', None)
    >>> parse_criterion_header("TC 02")
    ('2', None)
    >>> parse_criterion_header("2.1")
    ('2', '2.1')
    >>> parse_criterion_header("KM.3")
    ('KM', 'KM.3')
    >>> parse_criterion_header("STT") is None, parse_criterion_header("Tổng số tiêu chí đạt") is None
    (True, True)
    """
    if is_missing(text):
        return None
    light = _light(text)
    folded = fold_header(text)
    if folded.startswith(TOTAL_WORDS):
        return None
    lookup = (
        criteria_lookup(criteria)
        if criteria is not None and not isinstance(criteria, dict)
        else (criteria or {})
    )
    if folded in lookup.get("by_name", {}):
        return lookup["by_name"][folded]
    found = _KIEU_MAU.match(light)
    if found:
        return "KM", f"KM.{found.group(1)}"
    found = _CRITERION.match(light)
    if not found:
        return None
    number = int(found.group(1))
    criterion = str(number)
    indicator = f"{number}.{int(found.group(2))}" if found.group(2) else None
    known = lookup.get("criteria")
    if known is not None:
        if criterion not in known:
            return None
        if indicator is not None and indicator not in lookup["indicators"]:
            return None
    elif not 1 <= number <= 19:
        return None
    return criterion, indicator


@cache
def _level_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, entry in vocabulary()["ntm_level"].items():
        for text in (code, entry.get("vi", ""), entry.get("en", "")):
            if text:
                lookup[fold_header(text)] = code
    for text, code in (
        ("nang cao", "nang_cao"),
        ("kieu mau", "kieu_mau"),
        ("ntm nang cao", "nang_cao"),
        ("ntm kieu mau", "kieu_mau"),
        ("dat chuan", "ntm"),
    ):
        lookup.setdefault(text, code)
    return lookup


def parse_level(text: object) -> str | None:
    """An ``ntm_level`` code from a code or label ("nang_cao", "NTM nâng cao", "Advanced NTM").

    Returns None for blanks and unknown words.

    Examples
    --------
    >>> parse_level("NTM nâng cao")
    'nang_cao'
    >>> parse_level("kieu_mau"), parse_level(""), parse_level("gold")
    ('kieu_mau', None, None)
    """
    if is_missing(text):
        return None
    return _level_lookup().get(fold_header(text))

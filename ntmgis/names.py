"""Vietnamese name normalisation and matching, used by every join on names in ntmgis.

Names of provinces, districts, communes (xã), towns (thị trấn) and villages (thôn, tổ dân phố)
reach us from GSO lists, shapefiles and spreadsheets in many shapes of the same text:

* Unicode in NFC or NFD (precomposed ``ò`` or ``o`` + combining grave);
* the old or the new tone placement of open syllables in ``oa``, ``oe``, ``uy`` ("Hòa" / "Hoà",
  "Thủy" / "Thuỷ");
* with or without the unit prefix ("Xã Phúc Hòa", "TT Cao Thượng", "Thị trấn Cao Thượng");
* with or without accents ("Phuc Hoa"), in any case, with stray non-breaking or zero-width spaces.

:func:`normalize_text` gives the canonical display form, :func:`exact_key` and :func:`name_key`
give join keys (accents kept / accents folded), and :func:`match_names` joins two lists of names
and reports every name it could not match, or could not match unambiguously, instead of guessing.

Legacy byte encodings (TCVN3, VNI) must be repaired first with
:func:`ntmgis.encodings.fix_legacy_columns`: these functions expect Unicode text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from .problems import Problem

__all__ = [
    "PrefixKind",
    "ToneStyle",
    "NameMatch",
    "normalize_text",
    "strip_prefix",
    "fold_accents",
    "exact_key",
    "name_key",
    "match_names",
]

ToneStyle = Literal["old", "new"]
PrefixKind = Literal[
    "tinh",
    "thanh_pho",
    "huyen",
    "quan",
    "thi_xa",
    "xa",
    "thi_tran",
    "phuong",
    "thon",
    "to_dan_pho",
    "khu_pho",
    "xom",
    "lang",
    "to",
]

# The five tone marks as combining characters. Circumflex, breve and horn are not tones: they make
# the letters â ê ô ă ơ ư, which are kept whole.
_TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # huyền, hỏi, ngã, sắc, nặng
_VOWELS = "aăâeêioôơuưy"


def _tone_tables() -> tuple[dict[str, tuple[str, str]], dict[tuple[str, str], str]]:
    split: dict[str, tuple[str, str]] = {}
    join: dict[tuple[str, str], str] = {}
    for base in _VOWELS + _VOWELS.upper():
        join[(base, "")] = base
        split[base] = (base, "")
        for mark in _TONE_MARKS:
            toned = unicodedata.normalize("NFC", base + mark)
            split[toned] = (base, mark)
            join[(base, mark)] = toned
    return split, join


_SPLIT_TONE, _JOIN_TONE = _tone_tables()

# Only open syllables whose vowel cluster is one of these differ between the two conventions:
# old "hòa, khỏe, thủy" / new "hoà, khoẻ, thuỷ". "Hoàng", "toán", "thuyết" are the same in both.
_OPEN_GLIDE_PAIRS = frozenset({("o", "a"), ("o", "e"), ("u", "y")})
_WORD = re.compile(r"[^\W\d_]+")
# Zero-width characters come with text pasted from web pages and Word; they are invisible but
# break every equality test, so they are dropped (not turned into spaces).
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_WHITESPACE = re.compile(r"\s+")  # Unicode-aware: also NBSP, narrow NBSP, ideographic space...


def _place_tone(word: str, style: ToneStyle) -> str:
    parts = [_SPLIT_TONE.get(ch, (ch, "")) for ch in word]
    bases = [base.lower() for base, _ in parts]
    first = next((i for i, base in enumerate(bases) if base in _VOWELS), None)
    if first is None:
        return word
    onset = "".join(bases[:first])
    # In "qu" and "gi" the vowel letter belongs to the onset: "quý", "quà", "già" have one vowel.
    if onset.endswith("q") and bases[first] == "u":
        first += 1
    elif onset == "g" and bases[first] == "i" and first + 1 < len(bases) and bases[first + 1] in _VOWELS:
        first += 1
    if len(word) - first != 2:  # a final consonant or a third vowel follows: nothing to move
        return word
    (glide, glide_tone), (vowel, vowel_tone) = parts[first], parts[first + 1]
    if (glide.lower(), vowel.lower()) not in _OPEN_GLIDE_PAIRS:
        return word
    if bool(glide_tone) == bool(vowel_tone):  # no tone, or a malformed double tone: leave it
        return word
    tone = glide_tone or vowel_tone
    on_glide = style == "old"
    return (
        word[:first]
        + _JOIN_TONE[(glide, tone if on_glide else "")]
        + _JOIN_TONE[(vowel, "" if on_glide else tone)]
    )


def normalize_text(s: str, *, tone_style: ToneStyle = "old") -> str:
    r"""Canonical display form of a Vietnamese name; case is kept.

    Drops zero-width characters, turns every kind of space (non-breaking, narrow, tabs, line
    breaks) into one plain space, strips the ends, composes to NFC and puts the tone mark of open
    ``oa``/``oe``/``uy`` syllables in one place.

    Parameters
    ----------
    s : str
        Unicode text (repair TCVN3/VNI text first with :mod:`ntmgis.encodings`).
    tone_style : {"old", "new"}, default "old"
        ``"old"`` puts the tone on the first vowel of open ``oa``/``oe``/``uy`` syllables
        ("Hòa", "Khỏe", "Thủy"), as the GSO administrative lists do; ``"new"`` on the second
        ("Hoà", "Khoẻ", "Thuỷ"). Syllables with a final consonant ("Hoàng", "Toán", "Thuyết")
        and "qu"/"gi" syllables ("Quý", "Quà") are the same in both and never change.

    Returns
    -------
    str
        The normalised text.

    Examples
    --------
    >>> normalize_text("  Phúc\u00a0Hoà ")
    'Phúc Hòa'
    >>> normalize_text("Thủy lợi", tone_style="new")
    'Thuỷ lợi'
    >>> normalize_text("Hoàng Quý")
    'Hoàng Quý'
    """
    text = unicodedata.normalize("NFC", s.translate(_ZERO_WIDTH))
    text = _WHITESPACE.sub(" ", text).strip()
    return _WORD.sub(lambda m: _place_tone(m.group(), tone_style), text)


_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "D", "\u00f0": "d", "\u00d0": "D"})


def fold_accents(s: str) -> str:
    """Remove every diacritic and map đ/Đ to d/D; case is kept.

    NFD decomposition alone leaves ``đ`` (it is a letter of its own, not ``d`` + a mark), so it is
    mapped explicitly, together with the look-alike Icelandic eth ``Ð``/``ð`` that Windows-1258
    text shows when it is read as Windows-1252.

    Examples
    --------
    >>> fold_accents("Thôn Đồng Lim")
    'Thon Dong Lim'
    """
    text = s.translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn"))


# Administrative prefixes: (kind, canonical written form, other written forms, accent-free ok).
# Words that are also common names must be written with their accents to count as a prefix:
# "Phương" is not "Phường", "Lạng Giang" and "Lang Chánh" are not "Làng ...", "Tô Hiệu" is not a
# "Tổ", "Huyền" is a given name. Multi-word forms and xã/thôn/xóm are safe without accents.
# Abbreviations ending in "." may be glued to the name ("TT.Cao Thượng").
_PREFIX_FORMS: tuple[tuple[PrefixKind, str, tuple[str, ...], bool], ...] = (
    ("to_dan_pho", "tổ dân phố", ("tdp", "tdp."), True),
    ("khu_pho", "khu phố", (), True),
    ("thi_tran", "thị trấn", ("tt", "tt.", "t.t."), True),
    ("thi_xa", "thị xã", ("tx", "tx."), True),
    ("thanh_pho", "thành phố", ("tp", "tp."), True),
    ("phuong", "phường", ("p.",), False),
    ("xa", "xã", ("x.",), True),
    ("thon", "thôn", (), True),
    ("xom", "xóm", (), True),
    ("lang", "làng", (), False),
    ("to", "tổ", (), False),
    ("huyen", "huyện", ("h.",), False),
    ("quan", "quận", ("q.",), False),
    ("tinh", "tỉnh", (), False),
)
_CANONICAL_PREFIX: dict[str, str] = {kind: full for kind, full, _, _ in _PREFIX_FORMS}


def _prefix_pattern(form: str, accent_free: bool) -> str:
    words = []
    for word in form.split(" "):
        folded = fold_accents(word)
        alternatives = [re.escape(word)] + ([re.escape(folded)] if accent_free and folded != word else [])
        words.append("(?:" + "|".join(alternatives) + ")")
    head = r"\s+".join(words)
    # A dotted abbreviation may touch the name; a whole word must be followed by a space.
    return head + (r"\s*" if form.endswith(".") else r"\s+")


_PREFIX_PATTERNS: tuple[tuple[PrefixKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(_prefix_pattern(form, accent_free), re.IGNORECASE))
    for kind, full, others, accent_free in _PREFIX_FORMS
    for form in (full, *others)
)


def strip_prefix(s: str) -> tuple[PrefixKind | None, str]:
    """Split an administrative prefix ("Xã", "TT", "Thôn"...) from a name.

    Parameters
    ----------
    s : str
        A name, e.g. ``"Thị trấn Cao Thượng"``. It is normalised with :func:`normalize_text`.

    Returns
    -------
    kind : str or None
        ``"xa"``, ``"thi_tran"``, ``"phuong"``, ``"thon"``, ``"to_dan_pho"``, ``"khu_pho"``,
        ``"xom"``, ``"lang"``, ``"to"``, ``"huyen"``, ``"quan"``, ``"thi_xa"``, ``"tinh"``,
        ``"thanh_pho"``, or ``None`` when there is no prefix.
    rest : str
        The normalised name without the prefix (the whole normalised text when ``kind`` is None).

    Notes
    -----
    Matching ignores case and accepts unaccented prefixes ("Xa Phuc Hoa", "Thi tran ..."),
    except for prefix words that are also common names, which must carry their accents
    ("Phương Sơn", "Lạng Giang", "Tô Hiệu" keep their first word). A prefix with nothing after it
    ("Thôn", "Xã") is a name, not a prefix.

    Examples
    --------
    >>> strip_prefix("TT. Cao Thượng")
    ('thi_tran', 'Cao Thượng')
    >>> strip_prefix("Lạng Giang")
    (None, 'Lạng Giang')
    """
    text = normalize_text(s)
    for kind, pattern in _PREFIX_PATTERNS:
        found = pattern.match(text)
        if found is None:
            continue
        rest = text[found.end() :].strip()
        if any(ch.isalnum() for ch in rest):
            return kind, rest
    return None, text


def _bare_prefix_kind(text: str) -> PrefixKind | None:
    """Kind of a text that is nothing but a prefix ("TT", "Tổ dân phố"), else None."""
    for kind, pattern in _PREFIX_PATTERNS:
        found = pattern.match(text + " ")
        if found is not None and found.end() >= len(text):
            return kind
    return None


def _words_only(s: str) -> str:
    """Punctuation, symbols and invisible format characters become spaces; single spaces."""
    kept = "".join(ch if ch.isalnum() or unicodedata.category(ch).startswith("M") else " " for ch in s)
    return " ".join(kept.split())


def exact_key(s: str, *, keep_prefix: bool = False) -> str:
    """Join key that keeps accents: normalised, prefix removed, case-folded, no punctuation.

    Two names that differ only in accents ("Ngọc Vân" / "Ngọc Văn") get different exact keys, so
    :func:`match_names` can prefer the exact spelling before it falls back to :func:`name_key`.

    Parameters
    ----------
    s : str
        A Unicode name.
    keep_prefix : bool, default False
        Keep the administrative prefix, written in its canonical full form ("TT" and "Thị trấn"
        both give ``"thị trấn ..."``). A text that is only a prefix ("TT") then gives that
        canonical form too, which lets unit-kind columns be read through the same keys.

    Returns
    -------
    str
        The key; ``""`` for a blank name.

    Examples
    --------
    >>> exact_key("Xã Phúc Hoà")
    'phúc hòa'
    >>> exact_key("TT Cao Thượng", keep_prefix=True)
    'thị trấn cao thượng'
    """
    kind, rest = strip_prefix(s)
    if keep_prefix and kind is None:
        kind = _bare_prefix_kind(rest)
        if kind is not None:
            rest = ""
    key = _words_only(unicodedata.normalize("NFC", rest.casefold()))
    if keep_prefix and kind is not None:
        key = f"{_CANONICAL_PREFIX[kind]} {key}".strip()
    return key


def name_key(s: str, *, keep_prefix: bool = False) -> str:
    """Accent-insensitive join key: :func:`exact_key` with every accent folded (đ → d).

    Parameters
    ----------
    s : str
        A Unicode name.
    keep_prefix : bool, default False
        See :func:`exact_key`.

    Returns
    -------
    str
        The key; ``""`` for a blank name.

    Examples
    --------
    >>> name_key("Xã Phúc Hòa") == name_key("PHÚC HOÀ") == name_key("phuc hoa")
    True
    >>> name_key("Thôn Đồng Lim")
    'dong lim'
    """
    return _words_only(fold_accents(exact_key(s, keep_prefix=keep_prefix)))


MatchMethod = Literal["exact", "folded"]
_MATCH_COLUMNS = ["left_index", "right_index", "left_value", "right_value", "method"]
_AMBIGUOUS_COLUMNS = ["left_index", "left_value", "candidates", "candidate_values"]


@dataclass(frozen=True, eq=False)
class NameMatch:
    """Result of :func:`match_names`: every left name is in exactly one of three tables.

    Attributes
    ----------
    matches : DataFrame
        ``left_index, right_index, left_value, right_value, method``; ``method`` is ``"exact"``
        (same :func:`exact_key`) or ``"folded"`` (same :func:`name_key` only). Several left rows
        may match the same right row.
    ambiguous : DataFrame
        ``left_index, left_value, candidates, candidate_values``: left names whose key fits
        several right rows that the unit kinds could not tell apart. Nothing is guessed.
    unmatched_left : DataFrame
        ``left_index, left_value``: left names with no right name of the same key.
    unmatched_right : DataFrame
        ``right_index, right_value``: right names that no left name matched and that are not a
        candidate of an ambiguous left name.
    left_name, right_name : str
        What the two sides are called in problem messages.
    """

    matches: pd.DataFrame
    ambiguous: pd.DataFrame
    unmatched_left: pd.DataFrame
    unmatched_right: pd.DataFrame
    left_name: str = "left"
    right_name: str = "right"

    @property
    def mapping(self) -> dict[Hashable, Hashable]:
        """Matched pairs as ``{left_index: right_index}``."""
        return dict(zip(self.matches["left_index"], self.matches["right_index"], strict=True))

    def problems(self, file: str = "", layer: str = "") -> list[Problem]:
        """Ambiguous and unmatched names, and matches that needed different accents, as problems.

        Parameters
        ----------
        file, layer : str
            Where the left names come from, copied into every :class:`Problem`.

        Returns
        -------
        list of Problem
            One warning per ambiguous left name, per unmatched name on either side, and per
            folded match where both names carry accents that disagree ("Ngọc Vân" / "Ngọc Văn").
        """
        left, right = self.left_name, self.right_name
        found: list[Problem] = []
        for row in self.ambiguous.itertuples(index=False):
            choices = ", ".join(
                f"{v!r} ({i})" for i, v in zip(row.candidates, row.candidate_values, strict=True)
            )
            found.append(
                Problem.of(
                    "problems.name_ambiguous",
                    file=file,
                    layer=layer,
                    feature=f"{left} {row.left_index}",
                    left=left,
                    right=right,
                    name=repr(row.left_value),
                    choices=choices,
                )
            )
        for row in self.unmatched_left.itertuples(index=False):
            found.append(_unmatched(file, layer, f"{left} {row.left_index}", left, row.left_value, right))
        for row in self.unmatched_right.itertuples(index=False):
            found.append(_unmatched(file, layer, f"{right} {row.right_index}", right, row.right_value, left))
        for row in self.matches.itertuples(index=False):
            if row.method == "folded" and _accents_disagree(row.left_value, row.right_value):
                found.append(
                    Problem.of(
                        "problems.name_accents",
                        file=file,
                        layer=layer,
                        feature=f"{left} {row.left_index}",
                        left=left,
                        right=right,
                        name=repr(row.left_value),
                        other=repr(row.right_value),
                    )
                )
        return found


def _unmatched(file: str, layer: str, feature: str, side: str, value: object, other: str) -> Problem:
    """The warning of a name with no match on the other side (or of a row without a name)."""
    if value is None:
        return Problem.of("problems.name_missing", file=file, layer=layer, feature=feature, side=side)
    return Problem.of(
        "problems.name_unmatched",
        file=file,
        layer=layer,
        feature=feature,
        side=side,
        name=repr(value),
        other=other,
    )


def _accents_disagree(left: str, right: str) -> bool:
    """True when both names carry accents (so neither is a plain ASCII spelling) yet differ."""
    return fold_accents(left) != left and fold_accents(right) != right


def _check_index(names: pd.Series, side: str) -> None:
    if not names.index.is_unique:
        duplicated = names.index[names.index.duplicated()].unique().tolist()
        raise ValueError(f"{side} names need a unique index (row ids); duplicated: {duplicated[:10]}")


def _kinds(names: pd.Series, given: pd.Series | None) -> dict[Hashable, str | None]:
    """Unit kind of every row: the given kind when known, else the name's own prefix."""
    kinds: dict[Hashable, str | None] = {}
    for index, value in names.items():
        kinds[index] = strip_prefix(value)[0] if isinstance(value, str) else None
    if given is not None:
        for index, value in given.reindex(names.index).items():
            if isinstance(value, str) and value.strip():
                kinds[index] = _kind_code(value)
    return kinds


def _kind_code(value: str) -> str:
    """A kind written as a code ("thi_tran") or a word ("Thị trấn", "TT") as its code."""
    key = exact_key(value, keep_prefix=True)
    by_full = {full: kind for kind, full in _CANONICAL_PREFIX.items()}
    return by_full.get(key, key.replace(" ", "_"))


def match_names(
    left: pd.Series,
    right: pd.Series,
    *,
    left_name: str = "left",
    right_name: str = "right",
    left_kind: pd.Series | None = None,
    right_kind: pd.Series | None = None,
) -> NameMatch:
    """Match two lists of Vietnamese names, first exactly, then ignoring accents.

    Each left name is looked up by :func:`exact_key` among the right names; when none has that key
    it is looked up by :func:`name_key`. A key that fits several right names is ambiguous: when
    the unit kinds of both sides are known (from the prefix in the name, or from ``left_kind`` /
    ``right_kind``), the one right name of the same kind is taken, otherwise nothing is guessed
    and the name is reported.

    Parameters
    ----------
    left, right : Series of str
        Names, indexed by row ids (the index must be unique on each side). Missing names are
        reported as unmatched.
    left_name, right_name : str
        What the two sides are called in problem messages ("communes", "status table").
    left_kind, right_kind : Series of str, optional
        Unit kinds aligned to ``left``/``right`` ("xa", "thi_tran" or the words "Xã",
        "Thị trấn"...). They override the kind read from a name's prefix and are used only to
        choose between candidates; they never block a single match ("Xã Nhã Nam" of old data still
        matches the one "Thị trấn Nhã Nam" it became).

    Returns
    -------
    NameMatch
        Matches, ambiguous names and unmatched names of both sides.

    Raises
    ------
    ValueError
        When an index is not unique.

    Examples
    --------
    >>> m = match_names(pd.Series(["Xã Phúc Hòa", "TT Nhã Nam"]),
    ...                 pd.Series(["phuc hoa", "Thị trấn Nhã Nam", "Xã Nhã Nam"]))
    >>> m.mapping
    {0: 0, 1: 1}
    """
    _check_index(left, left_name)
    _check_index(right, right_name)
    left_kinds = _kinds(left, left_kind)
    right_kinds = _kinds(right, right_kind)

    by_exact: dict[str, list[Hashable]] = {}
    by_folded: dict[str, list[Hashable]] = {}
    for index, value in right.items():
        if isinstance(value, str) and (key := exact_key(value)):
            by_exact.setdefault(key, []).append(index)
            by_folded.setdefault(name_key(value), []).append(index)

    matches: list[tuple[Hashable, Hashable, str, str, MatchMethod]] = []
    ambiguous: list[tuple[Hashable, str, list[Hashable], list[str]]] = []
    unmatched_left: list[tuple[Hashable, str | None]] = []
    for index, value in left.items():
        key = exact_key(value) if isinstance(value, str) else ""
        if not key:
            unmatched_left.append((index, None))
            continue
        method: MatchMethod = "exact"
        candidates = by_exact.get(key, [])
        if not candidates:
            method = "folded"
            candidates = by_folded.get(name_key(value), [])
        if len(candidates) > 1 and left_kinds[index] is not None:
            same_kind = [c for c in candidates if right_kinds[c] == left_kinds[index]]
            if len(same_kind) == 1:
                candidates = same_kind
        if not candidates:
            unmatched_left.append((index, value))
        elif len(candidates) == 1:
            matches.append((index, candidates[0], value, right[candidates[0]], method))
        else:
            ambiguous.append((index, value, list(candidates), [right[c] for c in candidates]))

    taken = {m[1] for m in matches} | {c for a in ambiguous for c in a[2]}
    unmatched_right = [
        (index, value if isinstance(value, str) and value.strip() else None)
        for index, value in right.items()
        if index not in taken
    ]
    return NameMatch(
        matches=pd.DataFrame(matches, columns=_MATCH_COLUMNS, dtype=object),
        ambiguous=pd.DataFrame(ambiguous, columns=_AMBIGUOUS_COLUMNS, dtype=object),
        unmatched_left=pd.DataFrame(unmatched_left, columns=["left_index", "left_value"], dtype=object),
        unmatched_right=pd.DataFrame(unmatched_right, columns=["right_index", "right_value"], dtype=object),
        left_name=left_name,
        right_name=right_name,
    )

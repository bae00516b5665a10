"""Legacy Vietnamese encodings (TCVN3/ABC and VNI-Windows) in DBF and shapefile attributes.

Before Unicode, Vietnamese GIS data was typed in 8-bit font encodings. A DBF read without a
``.cpg`` (or with a wrong one) gives that text as Windows-1252 or Latin-1 characters, one per byte:

* **TCVN3** (TCVN 5712:1993, the "ABC" fonts ``.VnTime``, ``.VnArial``): one byte per letter,
  ``T©n Yªn`` = Tân Yên, ``®­êng`` = đường. The VN3 subset that the ABC fonts use has codes for
  the lower-case toned letters and for the capitals Ă Â Ê Ô Ơ Ư Đ only; toned capitals are typed
  with the lower-case codes in a capitals-only font (``.VnTimeH``). The full VN1 table also has
  codes for toned capitals (in the C0 range, in 0x80–0x9F and in VN3's gaps); both are read here.
* **VNI-Windows** (``VNI-Times``...): a base letter followed by a modifier byte,
  ``ñöôøng`` = đường, ``Taân Yeân`` = Tân Yên.

:func:`detect_legacy_encoding` scores the candidate readings by how many words come out as
well-formed Vietnamese syllables, so text that already reads as Vietnamese Unicode is never
flagged. :func:`fix_legacy_columns` converts the text columns of a frame and reports every
converted row (DOMAIN.md §3). The encoders :func:`unicode_to_tcvn3` and :func:`unicode_to_vni`
make test samples and prove the tables (:mod:`ntmgis.io.encoding_tables`) by round trip.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from ..problems import Problem
from .encoding_tables import (
    _ACUTE,
    _DOT,
    _TCVN3_CAPITALS,
    _TCVN3_DECODE,
    _TCVN3_SMALL,
    _TCVN3_VN1_CAPITALS,
    _TONES,
    _VNI_DECODE,
    _VNI_ENCODE,
    _VOWELS,
    _byte_of,
    _is_unicode_text,
    _toned,
)

__all__ = [
    "text_matches",
    "LegacyEncoding",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "convert_legacy_text",
    "decode_legacy_bytes",
    "detect_legacy_encoding",
    "fix_legacy_columns",
]

LegacyEncoding = Literal["tcvn3", "vni"]
_ENCODINGS: tuple[LegacyEncoding, ...] = ("tcvn3", "vni")
_LABEL = {"tcvn3": "TCVN3", "vni": "VNI"}


# ---------------------------------------------------------------------------------------------
# Encoders (test samples) and decoders
# ---------------------------------------------------------------------------------------------


def _unencodable(ch: str, encoding: str) -> ValueError:
    return ValueError(f"{ch!r} (U+{ord(ch):04X}) has no {encoding} code")


def unicode_to_tcvn3(
    s: str,
    *,
    capitals: Literal["vn1", "vntimeh"] = "vn1",
    errors: Literal["strict", "replace"] = "strict",
) -> str:
    """Encode Unicode text as TCVN3, returned as the Latin-1 characters of the bytes.

    Parameters
    ----------
    s : str
        Vietnamese Unicode text (NFC or NFD).
    capitals : {"vn1", "vntimeh"}, default "vn1"
        How toned capitals are written: ``"vn1"`` uses the distinct codes of TCVN 5712 VN1 (a
        lossless round trip); ``"vntimeh"`` uses the lower-case codes, as text typed in the ABC
        capitals fonts (``.VnTimeH``) is stored.
    errors : {"strict", "replace"}, default "strict"
        A character that is neither ASCII nor a Vietnamese letter raises ``ValueError``, or is
        written as ``?``.

    Returns
    -------
    str
        One character per byte; ``.encode("latin-1")`` gives the bytes of a DBF.

    Examples
    --------
    >>> unicode_to_tcvn3("Tân Yên")
    'T©n Yªn'
    """
    out = []
    for ch in unicodedata.normalize("NFC", s):
        if ch.isascii():
            out.append(ch)
        elif ch in _TCVN3_SMALL:
            out.append(chr(_TCVN3_SMALL[ch]))
        elif ch in _TCVN3_CAPITALS:
            out.append(chr(_TCVN3_CAPITALS[ch]))
        elif ch in _TCVN3_VN1_CAPITALS:
            code = _TCVN3_VN1_CAPITALS[ch] if capitals == "vn1" else _TCVN3_SMALL[ch.lower()]
            out.append(chr(code))
        elif errors == "replace":
            out.append("?")
        else:
            raise _unencodable(ch, "TCVN3")
    return "".join(out)


def unicode_to_vni(s: str, *, errors: Literal["strict", "replace"] = "strict") -> str:
    """Encode Unicode text as VNI-Windows, returned as the Latin-1 characters of the bytes.

    Parameters
    ----------
    s : str
        Vietnamese Unicode text (NFC or NFD).
    errors : {"strict", "replace"}, default "strict"
        A character that is neither ASCII nor a Vietnamese letter raises ``ValueError``, or is
        written as ``?``.

    Returns
    -------
    str
        One character per byte.

    Examples
    --------
    >>> unicode_to_vni("Đường")
    'Ñöôøng'
    """
    out = []
    for ch in unicodedata.normalize("NFC", s):
        if ch.isascii():
            out.append(ch)
        elif ch in _VNI_ENCODE:
            out.append(_VNI_ENCODE[ch])
        elif errors == "replace":
            out.append("?")
        else:
            raise _unencodable(ch, "VNI")
    return "".join(out)


def _decode_tcvn3(s: str, restore_capitals: bool) -> str:
    letters: list[str] = []
    case_unknown: list[bool] = []
    for ch in s:
        byte = _byte_of(ch)
        letter, unknown = _TCVN3_DECODE.get(byte, (ch, False)) if byte is not None else (ch, False)
        letters.append(letter)
        case_unknown.append(unknown)
    if restore_capitals:
        _restore_capitals(letters, case_unknown)
    return "".join(letters)


def _restore_capitals(letters: list[str], case_unknown: list[bool]) -> None:
    """Upper-case the lower-case codes of words typed in a capitals font (.VnTimeH).

    "HUYÖN" is HUYỆN: the other letters of the word are capitals. A word whose only known-case
    letter is its first ("Hµ": Hà or HÀ) follows the whole text: capitals when some word has a
    capital after its first letter and no known-case letter anywhere is lower case.
    """
    words: list[list[int]] = []
    for position, letter in enumerate(letters):
        if letter.isalpha():
            if position and letters[position - 1].isalpha():
                words[-1].append(position)
            else:
                words.append([position])
    known = [[p for p in word if not case_unknown[p]] for word in words]
    any_lower = any(letters[p].islower() for positions in known for p in positions)
    text_in_capitals = not any_lower and any(
        letters[p].isupper() for word in words for p in word[1:] if not case_unknown[p]
    )
    for word, positions in zip(words, known, strict=True):
        if not any(case_unknown[p] for p in word):
            continue
        inner = [p for p in positions if p != word[0]]
        capitals = all(letters[p].isupper() for p in positions) if inner else text_in_capitals
        if capitals:
            for p in word:
                if case_unknown[p]:
                    letters[p] = letters[p].upper()


def _decode_vni(s: str) -> str:
    out = []
    position = 0
    while position < len(s):
        pair = _vni_chars(s[position : position + 2])
        if len(pair) == 2 and pair in _VNI_DECODE:
            out.append(_VNI_DECODE[pair])
            position += 2
            continue
        single = _vni_chars(s[position])
        out.append(_VNI_DECODE.get(single, s[position]) if not single.isascii() else s[position])
        position += 1
    return "".join(out)


def _vni_chars(s: str) -> str:
    # VNI uses no byte in 0x80–0x9F, so a character there never forms a letter; Latin-1 view.
    return "".join(chr(b) if (b := _byte_of(ch)) is not None else "\uffff" for ch in s)


def convert_legacy_text(s: str, encoding: LegacyEncoding, *, restore_capitals: bool = True) -> str:
    """Decode legacy text read as Latin-1 or Windows-1252 characters into Unicode (NFC).

    Characters that no 8-bit reading gives (already Unicode) are kept as they are.

    Parameters
    ----------
    s : str
        Text as a DBF reader returned it, e.g. ``"T©n Yªn"``.
    encoding : {"tcvn3", "vni"}
        The legacy encoding.
    restore_capitals : bool, default True
        TCVN3 only: turn the lower-case codes of words typed in capitals (``.VnTimeH``) into
        capitals, "HUYÖN" → "HUYỆN". With ``False`` every lower-case code gives a lower-case
        letter (the strict VN1 reading).

    Returns
    -------
    str
        Unicode text in NFC.

    Examples
    --------
    >>> convert_legacy_text("B¾c Giang", "tcvn3")
    'Bắc Giang'
    >>> convert_legacy_text("Taân Yeân", "vni")
    'Tân Yên'
    """
    if encoding == "tcvn3":
        text = _decode_tcvn3(s, restore_capitals)
    elif encoding == "vni":
        text = _decode_vni(s)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use 'tcvn3' or 'vni'")
    return unicodedata.normalize("NFC", text)


def decode_legacy_bytes(raw: bytes, encoding: LegacyEncoding) -> str:
    """Decode the raw bytes of a legacy DBF field into Unicode (NFC).

    Examples
    --------
    >>> decode_legacy_bytes(b"\\xae\\xad\\xeang", "tcvn3")
    'đường'
    """
    return convert_legacy_text(raw.decode("latin-1"), encoding)


# ---------------------------------------------------------------------------------------------
# Detection: which reading gives Vietnamese syllables?
# ---------------------------------------------------------------------------------------------

_ONSETS = (
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "p",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
)
_CODAS = ("", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "y", "o", "u")
_STOP_CODAS = frozenset({"c", "ch", "p", "t"})  # a syllable ending in these takes sắc or nặng only
# nucleus -> (which of its letters takes the tone, coda "required" / "none" / None = optional)
_NUCLEI: dict[str, tuple[int, str | None]] = {
    **{v: (0, None) for v in "aeêioôơuưy"},
    "ă": (0, "required"),
    "â": (0, "required"),
    "iê": (1, "required"),
    "yê": (1, "required"),
    "uô": (1, "required"),
    "ươ": (1, "required"),
    "ia": (0, "none"),
    "ua": (0, "none"),
    "ưa": (0, "none"),
    "ya": (0, "none"),
}
# The glide before a nucleus ("hoa", "thuê", "tuyết"); "qu" has its /w/ in the onset already.
_MEDIALS: dict[str, frozenset[str] | None] = {
    "": None,
    "o": frozenset({"a", "ă", "e"}),
    "u": frozenset({"â", "ê", "y", "ơ", "yê", "ya"}),
}
_OLD_STYLE_OPEN = frozenset({"oa", "oe", "uy"})
# Spelling rules that tell syllables from look-alikes such as "giíi" or "quõ" (TCVN3 and VNI bytes
# read as Latin-1 often give such strings): which nuclei a semivowel coda may follow ("ai", "ây",
# "eo", "iêu"...), that "nh"/"ch" follow only a, ê, i, y, that /k/ is "k" before front vowels and
# "c" elsewhere, and that the glide after /k/ is spelled "qu".
_SEMIVOWEL_CODA_AFTER = {
    "i": frozenset({"a", "o", "ô", "ơ", "u", "ư", "uô", "ươ"}),
    "y": frozenset({"a", "â"}),
    "o": frozenset({"a", "e"}),
    "u": frozenset({"a", "â", "ê", "i", "ư", "y", "iê", "yê", "ươ"}),
}
_PALATAL_CODA_AFTER = frozenset({"a", "ê", "i", "y"})
_FRONT_NUCLEI = frozenset({"i", "y", "e", "ê", "iê", "ia"})
_NOT_AFTER_QU = frozenset({"o", "u", "ư", "uô", "ươ", "ua", "ưa"})


def _spelling_allows(onset: str, medial: str, nucleus: str, coda: str) -> bool:
    if coda in _SEMIVOWEL_CODA_AFTER and nucleus not in _SEMIVOWEL_CODA_AFTER[coda]:
        return False
    if coda in ("nh", "ch") and nucleus not in _PALATAL_CODA_AFTER:
        return False
    if medial and onset in ("c", "k", "gh", "ngh", "b", "m", "p", "ph", "v"):
        return False  # no glide after /k/ written c/k, nor after a labial ("boa" is a loanword)
    if onset == "qu" and medial and medial + nucleus not in ("oa", "oă"):
        return False  # "quoắt" is the one glide spelled after qu
    if onset in ("k", "gh", "ngh") and nucleus not in _FRONT_NUCLEI:
        return False
    if onset == "c" and nucleus in _FRONT_NUCLEI:
        return False
    return not (onset == "qu" and nucleus in _NOT_AFTER_QU)


@cache
def _syllables() -> dict[str, tuple[tuple[frozenset[int], bool], ...]]:
    """Every well-formed toneless syllable -> its parses (tone positions allowed, stop coda)."""
    table: dict[str, list[tuple[frozenset[int], bool]]] = {}
    for onset in _ONSETS:
        for medial, nuclei in _MEDIALS.items():
            for nucleus, (tone_at, coda_rule) in _NUCLEI.items():
                if nuclei is not None and nucleus not in nuclei:
                    continue
                for coda in _CODAS:
                    if (coda_rule == "required" and not coda) or (coda_rule == "none" and coda):
                        continue
                    if not _spelling_allows(onset, medial, nucleus, coda):
                        continue
                    start = len(onset) + len(medial)
                    positions = {start + tone_at}
                    if not coda and medial + nucleus in _OLD_STYLE_OPEN:
                        positions.add(start - 1)  # "hòa" as well as "hoà"
                    table.setdefault(onset + medial + nucleus + coda, []).append(
                        (frozenset(positions), coda in _STOP_CODAS)
                    )
    return {syllable: tuple(parses) for syllable, parses in table.items()}


_SPLIT_TONE = {_toned(base, tone): (base, tone) for base in _VOWELS for tone in ("", *_TONES)}
_PLAIN_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzđ")


@lru_cache(maxsize=1 << 16)  # columns repeat the same few thousand syllables
def _is_syllable(word: str) -> bool:
    """True when ``word`` is a well-formed Vietnamese syllable (tone on the right vowel)."""
    bases = []
    tone, tone_at = "", -1
    for position, ch in enumerate(unicodedata.normalize("NFC", word).lower()):
        if ch in _SPLIT_TONE:
            base, mark = _SPLIT_TONE[ch]
            if mark:
                if tone:
                    return False
                tone, tone_at = mark, position
            bases.append(base)
        elif ch in _PLAIN_LETTERS:
            bases.append(ch)
        else:
            return False
    parses = _syllables().get("".join(bases))
    if not parses:
        return False
    if not tone:
        return True
    return any(tone_at in positions and (not stop or tone in (_ACUTE, _DOT)) for positions, stop in parses)


def _has_plain_case(word: str) -> bool:
    """lower, UPPER or Title case. TCVN3 codes of toned lower-case letters read as Latin-1
    capitals ("bÌ" is TCVN3 for "bè"), so a capital inside a lower-case word is not Unicode text."""
    return word.islower() or word.isupper() or (word[:1].isupper() and word[1:].islower())


# Words are split at ASCII spaces, punctuation and digits only: Unicode's wider \s would also split
# at 0x85, a TCVN3 letter.
_SEPARATORS = re.compile(r"[\t\n\v\f\r \xa0!-/0-9:-@\[-\x60{-~]+")


def _scores(value: str) -> dict[str, int] | None:
    """Well-formed syllables in each reading of ``value``; None when it cannot be legacy text.

    Only words with a non-ASCII character count (ASCII reads the same in every encoding), and
    only words of two characters or more: a lone "–" or "©" is not evidence of anything.
    """
    if value.isascii() or _is_unicode_text(value):  # ASCII reads the same in every encoding
        return None
    words = [w for w in _SEPARATORS.split(value) if len(w) >= 2 and not w.isascii()]
    if not words:
        return None
    scores = {"words": len(words), "unicode": sum(_is_syllable(w) and _has_plain_case(w) for w in words)}
    for encoding in _ENCODINGS:
        scores[encoding] = sum(
            _is_syllable(convert_legacy_text(w, encoding, restore_capitals=False)) for w in words
        )
    return scores


def _reading(scores: dict[str, int] | None) -> LegacyEncoding | None:
    """The legacy encoding whose reading beats Unicode and the other encoding, from :func:`_scores`."""
    if scores is None:
        return None
    best = max(_ENCODINGS, key=lambda e: scores[e])
    others = [scores[e] for e in _ENCODINGS if e != best]
    if scores[best] > scores["unicode"] and all(scores[best] > s for s in others):
        return best
    return None


def detect_legacy_encoding(values: Iterable[str]) -> LegacyEncoding | None:
    """The legacy encoding of a column of text, or None when it reads as Unicode (or ASCII).

    Each value is read as Unicode, TCVN3 and VNI; a value votes for a legacy encoding when that
    reading gives strictly more well-formed Vietnamese syllables than the others. Text holding a
    character no 8-bit reading can give ("ệ", "ơ", "đ", NFD marks) is Unicode and never votes.

    Parameters
    ----------
    values : iterable of str
        The column's values; anything that is not a ``str`` is ignored.

    Returns
    -------
    {"tcvn3", "vni"} or None
        The encoding with the most votes; None without votes or on a tie.

    Examples
    --------
    >>> detect_legacy_encoding(["T©n Yªn", "Cao Xa"])
    'tcvn3'
    >>> detect_legacy_encoding(["Phúc Hòa", "Việt Ngọc"]) is None
    True
    """
    counts = Counter(v for v in values if isinstance(v, str))
    votes: Counter[str] = Counter()
    for value, count in counts.items():
        reading = _reading(_scores(value))
        if reading is not None:
            votes[reading] += count
    ranked = votes.most_common()
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]  # type: ignore[return-value]


# A character outside 0x18–0x7F: a value without one is the same text in every reading.
_MAYBE_LEGACY = r"[^\x18-\x7f]"


def text_matches(series: pd.Series, pattern: str) -> np.ndarray:
    """Where the text values of ``series`` match ``pattern``: a boolean array (non-text: False).

    A string column is matched in one vectorised call (Arrow's RE2); an object column, which may
    hold numbers or booleans beside text, value by value.

    Examples
    --------
    >>> text_matches(pd.Series(["a", "b\\x01", None]), r"[\\x00-\\x1f]").tolist()
    [False, True, False]
    >>> text_matches(pd.Series([True, "b\\x01"], dtype=object), r"[\\x00-\\x1f]").tolist()
    [False, True]
    """
    if isinstance(series.dtype, pd.StringDtype):
        return series.str.contains(pattern, regex=True).fillna(False).to_numpy(bool)
    found = re.compile(pattern).search
    return np.fromiter((isinstance(v, str) and found(v) is not None for v in series), bool, len(series))


def _is_text_column(series: pd.Series) -> bool:
    return series.dtype == object or isinstance(series.dtype, pd.StringDtype)


def fix_legacy_columns(
    df: pd.DataFrame,
    *,
    file: str = "",
    layer: str = "",
    id_column: str | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Convert TCVN3/VNI text in every text column to Unicode and report each converted row.

    The encoding is detected per column (:func:`detect_legacy_encoding`), then each value is
    converted or not on its own, so columns that mix legacy and Unicode rows are repaired row by
    row (see Notes).

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        The frame as read; it is not modified.
    file, layer : str
        Copied into every :class:`Problem`.
    id_column : str, optional
        Column whose value names the feature in problems; when it is not given or not a column
        of ``df``, features are named ``row <index label>``.

    Returns
    -------
    fixed : DataFrame or GeoDataFrame
        A new frame of the same type, with converted text (NFC).
    problems : list of Problem
        One warning per converted value (action ``converted from TCVN3 to Unicode: 'old' ->
        'new'``), and one per value left unchanged that needs a look (below).

    Notes
    -----
    Many single TCVN3 or VNI syllables are also Unicode syllables ("bã" is TCVN3 for "bó").
    When every value of a legacy column is 8-bit text, the whole column is legacy and such values
    are converted. When the column also holds Unicode text (characters such as "ệ", "ơ", "đ"), a
    value that reads equally well both ways is left unchanged and reported, never guessed;
    values that read better as Unicode are the column's Unicode rows and stay as they are
    (reported only in an all-8-bit column, where they are odd).

    """
    fixed = df.copy()
    problems: list[Problem] = []
    labels = df.index.tolist()
    # Readers pass the configured id column before renaming; without it rows are named by index.
    ids = df[id_column].tolist() if id_column is not None and id_column in df.columns else None
    for position in range(df.shape[1]):
        column = df.columns[position]
        series = df.iloc[:, position]
        if not _is_text_column(series):
            continue
        # Only a value with a character outside 0x18–0x7F can vote or change (ASCII reads the same
        # in every encoding but for TCVN3's capitals at 0x01–0x17): found by one vectorised match
        # (Arrow's RE2 on string columns), so a layer of ids and codes costs no Python per row.
        rows = np.flatnonzero(text_matches(series, _MAYBE_LEGACY))
        if not len(rows):
            continue
        values = series.tolist()
        encoding = detect_legacy_encoding(values[r] for r in rows)
        if encoding is None:
            continue
        label = _LABEL[encoding]
        # A column whose every value is 8-bit text came from a legacy file as a whole: a value that
        # reads as well in the legacy encoding as in Unicode is legacy too. Once a value holds a
        # character no 8-bit reading gives, the column mixes Unicode rows in: then only values
        # that read better in the legacy encoding are converted, and the undecidable ones shown.
        mixed = any(isinstance(values[r], str) and _is_unicode_text(values[r]) for r in rows)
        new_values = list(values)
        for row in rows.tolist():
            value = values[row]
            if not isinstance(value, str) or _is_unicode_text(value):
                continue
            converted = convert_legacy_text(value, encoding)
            if converted == value:
                continue
            feature = f"row {labels[row]}" if ids is None else str(ids[row])
            scores = _scores(value)
            legacy = scores[encoding] if scores else 0
            unicode = scores["unicode"] if scores else 0
            if legacy > unicode or (legacy == unicode and not mixed):
                new_values[row] = converted
                problems.append(
                    Problem.of(
                        "problems.legacy_text",
                        file=file,
                        layer=layer,
                        feature=feature,
                        column=repr(column),
                        label=label,
                        value=repr(value),
                        converted=repr(converted),
                    )
                )
            elif legacy == unicode or not mixed:
                problems.append(
                    Problem.of(
                        "problems.legacy_ambiguous" if legacy == unicode else "problems.legacy_doubtful",
                        file=file,
                        layer=layer,
                        feature=feature,
                        column=repr(column),
                        label=label,
                        value=repr(value),
                        converted=repr(converted),
                    )
                )
        if new_values != values:
            # A Series, not a bare array: pandas 3 would infer "str" for an object column.
            fixed.isetitem(position, pd.Series(new_values, index=fixed.index, dtype=series.dtype))
    return fixed, problems

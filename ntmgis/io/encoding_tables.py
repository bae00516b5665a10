"""Character tables of the legacy Vietnamese encodings: TCVN3 (TCVN 5712:1993) and VNI-Windows.

Built once at import from the code points below; :mod:`ntmgis.io.encodings` detects and
converts with them. A legacy byte reaches Python as a Latin-1 or Windows-1252 character
(:func:`_byte_of`).
"""

from __future__ import annotations

import unicodedata

_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"
_TONES = (_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT)  # huyền, hỏi, ngã, sắc, nặng: TCVN3's order
_VOWELS = "aăâeêioôơuưy"


def _toned(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


# ---------------------------------------------------------------------------------------------
# TCVN3 (TCVN 5712:1993). Byte values, checked against glibc iconv's TCVN5712-1.
# ---------------------------------------------------------------------------------------------

# Lower-case vowels: code without tone (None = the ASCII letter), then huyền, hỏi, ngã, sắc, nặng.
_TCVN3_VOWELS: dict[str, tuple[int | None, int, int, int, int, int]] = {
    "a": (None, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (None, 0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (None, 0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (None, 0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (None, 0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (None, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_D_SMALL = 0xAE
# Capitals without tone have codes of their own even in VN3.
_TCVN3_CAPITALS = {"Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7}
# VN1 only: toned capitals, in the C0 control range, in 0x80–0x9F and in the gaps of VN3.
_TCVN3_VN1_CAPITALS = {
    "Ú": 0x01,
    "Ụ": 0x02,
    "Ừ": 0x04,
    "Ử": 0x05,
    "Ữ": 0x06,
    "Ứ": 0x11,
    "Ự": 0x12,
    "Ỳ": 0x13,
    "Ỷ": 0x14,
    "Ỹ": 0x15,
    "Ý": 0x16,
    "Ỵ": 0x17,
    "À": 0x80,
    "Ả": 0x81,
    "Ã": 0x82,
    "Á": 0x83,
    "Ạ": 0x84,
    "Ặ": 0x85,
    "Ậ": 0x86,
    "È": 0x87,
    "Ẻ": 0x88,
    "Ẽ": 0x89,
    "É": 0x8A,
    "Ẹ": 0x8B,
    "Ệ": 0x8C,
    "Ì": 0x8D,
    "Ỉ": 0x8E,
    "Ĩ": 0x8F,
    "Í": 0x90,
    "Ị": 0x91,
    "Ò": 0x92,
    "Ỏ": 0x93,
    "Õ": 0x94,
    "Ó": 0x95,
    "Ọ": 0x96,
    "Ộ": 0x97,
    "Ờ": 0x98,
    "Ở": 0x99,
    "Ỡ": 0x9A,
    "Ớ": 0x9B,
    "Ợ": 0x9C,
    "Ù": 0x9D,
    "Ủ": 0x9E,
    "Ũ": 0x9F,
    "Ằ": 0xAF,
    "Ẳ": 0xBA,
    "Ẵ": 0xBF,
    "Ắ": 0xC0,
    "Ầ": 0xC1,
    "Ẩ": 0xC2,
    "Ẫ": 0xC3,
    "Ấ": 0xC4,
    "Ề": 0xC5,
    "Ể": 0xCD,
    "Ễ": 0xD9,
    "Ế": 0xDA,
    "Ồ": 0xDB,
    "Ổ": 0xE0,
    "Ỗ": 0xF0,
    "Ố": 0xFF,
}


def _tcvn3_small_codes() -> dict[str, int]:
    codes = {"đ": _TCVN3_D_SMALL}
    for base, row in _TCVN3_VOWELS.items():
        for tone, code in zip(("", *_TONES), row, strict=True):
            if code is not None:
                codes[_toned(base, tone)] = code
    return codes


_TCVN3_SMALL = _tcvn3_small_codes()
# byte -> (letter, case_unknown): a lower-case code may stand for a capital typed in .VnTimeH.
_TCVN3_DECODE: dict[int, tuple[str, bool]] = {
    **{code: (letter, True) for letter, code in _TCVN3_SMALL.items()},
    **{code: (letter, False) for letter, code in _TCVN3_CAPITALS.items()},
    **{code: (letter, False) for letter, code in _TCVN3_VN1_CAPITALS.items()},
}

# ---------------------------------------------------------------------------------------------
# VNI-Windows: base letter + modifier; upper-case letters use the upper-case modifiers.
# ---------------------------------------------------------------------------------------------

_VNI_TONE = {"": "", _ACUTE: "ù", _GRAVE: "ø", _HOOK: "û", _TILDE: "õ", _DOT: "ï"}
_VNI_CIRCUMFLEX = {"": "â", _ACUTE: "á", _GRAVE: "à", _HOOK: "å", _TILDE: "ã", _DOT: "ä"}  # â ê ô
_VNI_BREVE = {"": "ê", _ACUTE: "é", _GRAVE: "è", _HOOK: "ú", _TILDE: "ü", _DOT: "ë"}  # ă
_VNI_I = {"": "i", _ACUTE: "í", _GRAVE: "ì", _HOOK: "æ", _TILDE: "ó", _DOT: "ò"}  # one byte each


def _vni_small_sequences() -> dict[str, str]:
    sequences = {"đ": "ñ"}
    for tone in ("", *_TONES):
        for base in "aeouy":
            sequences[_toned(base, tone)] = base + _VNI_TONE[tone]
        for base in "aeo":
            sequences[_toned({"a": "â", "e": "ê", "o": "ô"}[base], tone)] = base + _VNI_CIRCUMFLEX[tone]
        sequences[_toned("ă", tone)] = "a" + _VNI_BREVE[tone]
        sequences[_toned("ơ", tone)] = "ô" + _VNI_TONE[tone]  # ô alone is ơ in VNI
        sequences[_toned("ư", tone)] = "ö" + _VNI_TONE[tone]  # ö alone is ư
        sequences[_toned("i", tone)] = _VNI_I[tone]
    sequences["ỵ"] = "î"  # the one toned y with a byte of its own
    return {letter: seq for letter, seq in sequences.items() if not letter.isascii()}


_VNI_SMALL = _vni_small_sequences()
_VNI_ENCODE = {**_VNI_SMALL, **{letter.upper(): seq.upper() for letter, seq in _VNI_SMALL.items()}}


def _vni_decode_table() -> dict[str, str]:
    table = {seq: letter for letter, seq in _VNI_ENCODE.items()}
    # Typists sometimes mixed a base and a modifier of different case; the base gives the case.
    for seq, letter in list(table.items()):
        if len(seq) == 2:
            table.setdefault(seq[0] + seq[1].swapcase(), letter)
    return table


_VNI_DECODE = _vni_decode_table()

# ---------------------------------------------------------------------------------------------
# Characters as bytes: the same byte is one character in Latin-1 and another in Windows-1252.
# ---------------------------------------------------------------------------------------------


def _cp1252_high() -> dict[str, int]:
    chars = {}
    for byte in range(0x80, 0xA0):
        try:
            chars[bytes([byte]).decode("cp1252")] = byte
        except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are not assigned in cp1252
            continue
    return chars


_CP1252_HIGH = _cp1252_high()


def _byte_of(ch: str) -> int | None:
    """Byte value of a character read as Latin-1 or Windows-1252; None for any other character."""
    code = ord(ch)
    return code if code < 0x100 else _CP1252_HIGH.get(ch)


def _is_unicode_text(s: str) -> bool:
    """True when ``s`` holds a character that no 8-bit reading can give (ệ, ơ, đ, a combining mark)."""
    return any(_byte_of(ch) is None for ch in s)

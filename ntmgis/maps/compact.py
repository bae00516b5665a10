"""Compact encodings of a map page's data: arcs as variable-length text, repeated texts once.

A province page carries ~1M road vertices and ~100k feature names, most of them a road class
("Đường ngõ xóm") repeated tens of thousands of times. Two lossless encodings keep it small:

* **arcs as text**: the delta-encoded integers of an arc (:mod:`ntmgis.maps.topology`) are
  zigzag-folded (``0, -1, 1, -2 … → 0, 1, 2, 3 …``) and written five bits a character, low bits
  first, in the URL-safe base64 alphabet; a character of the second half of the alphabet says
  "more bits follow". A 100 m step (≈ 900 grid units) takes 3 characters instead of 4–5 digits
  and a comma. The characters need no escaping in JSON nor in a ``<script>`` element.
* **repeated texts** (names, text fields, contexts of a layer with :data:`COMPACT_FROM` features
  or more): ``{"dict": [distinct texts], "index": [one index per feature]}`` when there are at
  most half as many distinct texts as features, and ``"=keys"`` for a field that repeats the
  layer's keys. The page expands both before it draws (``ntmgis_map.js``).

Examples
--------
>>> text = encode_integers(np.array([0, -1, 1, 900, -10_600_000]))
>>> text
'ABCo4B_j_mU'
>>> decode_integers(text).tolist()
[0, -1, 1, 900, -10600000]
>>> compact_texts(["a", "b", "a", "a"], ["k1", "k2", "k3", "k4"], minimum=2)
{'dict': ['a', 'b'], 'index': [0, 1, 0, 0]}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["ALPHABET", "COMPACT_FROM", "encode_integers", "decode_integers", "compact_texts"]

#: URL-safe base64: 0–31 end a number, 32–63 carry five bits and say more follow.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_CODES = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
#: Layers with at least this many features get their repeated texts dictionary-encoded (the
#: district sample stays plain JSON, easy to read; a province's 57k roads do not).
COMPACT_FROM = 10_000
#: A line layer of this many features is drawn as a few merged lines per class and area (the page's
#: ntmgis_map.js): one Leaflet layer a road costs ~40 µs of script each before the first paint.
MERGE_LINES_FROM = 10_000


def merged_lines(kind: str, count: int) -> bool:
    """Whether a layer of ``count`` features of ``kind`` is drawn as merged lines.

    >>> merged_lines("line", 57_000), merged_lines("line", 1_500), merged_lines("polygon", 57_000)
    (True, False, False)
    """
    return kind == "line" and count >= MERGE_LINES_FROM


def encode_integers(values: np.ndarray) -> str:
    """Integers as zigzag, five bits a character, low bits first (see the module docstring).

    Parameters
    ----------
    values : ndarray of int
        Any signed integers within ±2**52 (the page decodes them as JavaScript numbers).

    Returns
    -------
    str
        ASCII text of :data:`ALPHABET` characters.
    """
    v = np.asarray(values, dtype=np.int64)
    if v.size == 0:
        return ""
    if np.abs(v).max() >= 2**52:
        raise ValueError("encode_integers: values beyond ±2**52 cannot be read exactly in a page")
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    # Number of five-bit groups of each value (at least one).
    groups = np.ones(len(z), dtype=np.int64)
    rest = z >> np.uint64(5)
    while rest.any():
        groups += rest > 0
        rest = rest >> np.uint64(5)
    width = int(groups.max())
    shifts = np.arange(width, dtype=np.uint64) * np.uint64(5)
    digits = ((z[:, None] >> shifts[None, :]) & np.uint64(31)).astype(np.int64)
    position = np.arange(width)[None, :]
    digits += 32 * (position < groups[:, None] - 1)
    present = position < groups[:, None]
    return _CODES[digits[present]].tobytes().decode("ascii")


def decode_integers(text: str) -> np.ndarray:
    """The integers of :func:`encode_integers` text.

    Parameters
    ----------
    text : str

    Returns
    -------
    ndarray of int64
    """
    out: list[int] = []
    acc = 0
    shift = 0
    for ch in text:
        d = _VALUES[ch]
        acc |= (d & 31) << shift
        if d < 32:
            out.append((acc >> 1) ^ -(acc & 1))
            acc = 0
            shift = 0
        else:
            shift += 5
    if shift:
        raise ValueError("decode_integers: the text ends inside a number")
    return np.asarray(out, dtype=np.int64)


def compact_texts(
    values: Sequence[str | None], keys: Sequence[str], *, minimum: int | None = None
) -> list[str | None] | dict[str, list[int] | list[str | None]] | str:
    """Texts of one column as they go into the page: plain, ``"=keys"`` or a dictionary.

    Parameters
    ----------
    values : sequence of str or None
        One text per feature (``None``: empty).
    keys : sequence of str
        The layer's keys, in the same order.
    minimum : int, optional
        Fewest features for a compact form (default :data:`COMPACT_FROM`).

    Returns
    -------
    list, dict or str
        ``values`` as a list; or ``"=keys"`` when they are the keys; or
        ``{"dict": distinct texts in first-seen order, "index": one per feature}``.
    """
    texts = list(values)
    if len(texts) < (COMPACT_FROM if minimum is None else minimum):
        return texts
    if texts == list(keys):
        return "=keys"
    index: dict[str | None, int] = {}
    positions = [index.setdefault(t, len(index)) for t in texts]
    if len(index) * 2 > len(texts):
        return texts
    return {"dict": list(index), "index": positions}

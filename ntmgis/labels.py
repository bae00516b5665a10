"""The catalogue of interface words (Vietnamese and English) read by map, report, CLI and notebooks.

Domain words (road classes, surfaces, levels) live in ``vocabulary.yaml`` and are read with
:func:`ntmgis.vocab.label`; interface words (headings, legend titles, notes) live here, one YAML file
per area under ``ntmgis/catalogue/`` (``map.yaml``, ``report.yaml`` ...). Every entry has both
languages; a key is ``"<area>.<name>"``.

Examples
--------
>>> from ntmgis.labels import text, words
>>> text("common.not_assessed", "en")
'not assessed'
>>> words("common", "vi")["not_assessed"]
'chưa đánh giá'
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .yamlload import load_yaml_text

__all__ = ["LANGUAGES", "areas", "text", "words"]

LANGUAGES = ("vi", "en")


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}, not {lang!r}")


@cache
def _area(area: str) -> Mapping[str, Mapping[str, str]]:
    resource = resources.files("ntmgis").joinpath("catalogue", f"{area}.yaml")
    if not resource.is_file():
        raise KeyError(f"no label area {area!r}; known: {areas()}")
    entries: dict[str, Any] = load_yaml_text(resource.read_text(encoding="utf-8")) or {}
    for key, entry in entries.items():
        if not isinstance(key, str):  # YAML 1.1 reads a bare yes/no/on/off key as a boolean
            raise ValueError(f"catalogue/{area}.yaml: key {key!r} must be a quoted string")
        if not isinstance(entry, dict) or set(entry) != set(LANGUAGES):
            raise ValueError(f"catalogue/{area}.yaml: {key!r} needs exactly {LANGUAGES}, has {entry!r}")
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in entries.items()})


def areas() -> list[str]:
    """Names of the catalogue files (``common``, ``map``, ``report`` ...)."""
    folder = resources.files("ntmgis").joinpath("catalogue")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def _words(area: str, lang: str) -> Mapping[str, str]:
    return MappingProxyType({k: v[lang] for k, v in _area(area).items()})


def words(area: str, lang: str = "vi") -> Mapping[str, str]:
    """Every entry of ``area`` in ``lang``, as a read-only mapping of name to text."""
    _check_lang(lang)
    return _words(area, lang)


def text(key: str, lang: str = "vi", **fields: object) -> str:
    """The text of ``key`` (``"<area>.<name>"``) in ``lang``, formatted with ``fields``.

    Raises
    ------
    KeyError
        Unknown area or name (the message lists the area's names).
    ValueError
        Unknown language.
    """
    area, _, name = key.partition(".")
    entries = words(area, lang)
    if name not in entries:
        raise KeyError(f"no label {key!r}; {area} has {sorted(entries)}")
    return entries[name].format(**fields) if fields else entries[name]

"""Packaged domain vocabularies and layer contracts (YAML data, read once per call site)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["vocabulary", "contracts", "label", "concretized_surfaces", "kien_co_linings"]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("ntmgis").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def vocabulary() -> dict[str, Any]:
    """The controlled vocabularies of ``vocabulary.yaml`` (road classes, surfaces, levels...)."""
    return _load("vocabulary.yaml")


@cache
def contracts() -> dict[str, Any]:
    """The layer and table contracts of ``contracts.yaml``."""
    return _load("contracts.yaml")


def label(vocab: str, code: str, lang: str = "vi") -> str:
    """Display label of ``code`` in vocabulary ``vocab``; the code itself when unknown.

    Examples
    --------
    >>> label("road_class", "xa"), label("road_class", "xa", "en"), label("road_class", "cao_toc")
    ('Đường xã', 'Commune road', 'cao_toc')
    """
    entry = vocabulary().get(vocab, {}).get(code)
    return entry[lang] if entry else str(code)


def concretized_surfaces() -> frozenset[str]:
    """Road surfaces that count as hardened (cứng hóa: asphalt, concrete, paved).

    Examples
    --------
    >>> sorted(concretized_surfaces())
    ['be_tong', 'gach', 'nhua']
    """
    return frozenset(k for k, v in vocabulary()["surface"].items() if v.get("concretized"))


def kien_co_linings() -> frozenset[str]:
    """Canal linings that count as kiên cố (lined)."""
    return frozenset(k for k, v in vocabulary()["lining"].items() if v.get("kien_co"))

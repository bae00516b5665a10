"""Packaged domain vocabularies and layer contracts (YAML data, read once per call site).

A vocabulary value may be written as its code (``truc_thon``), its Vietnamese or English label, or
one of the labels offices write (``aliases`` in ``vocabulary.yaml``: "Đường thôn", "BTXM", "HTX"...).
All of them are matched through one key, :func:`vocab_key`. A workspace adds its own labels with a
``values:`` mapping in ``workspace.yaml`` (:func:`read_value_mappings`), without editing the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from .names import name_key
from .problems import Problem
from .yamlload import load_yaml_text

__all__ = [
    "vocabulary",
    "contracts",
    "label",
    "concretized_surfaces",
    "kien_co_linings",
    "vocab_key",
    "spellings",
    "read_value_mappings",
    "ValueMappings",
]

# layer -> column -> {label as written: code}
ValueMappings = dict[str, dict[str, dict[str, str]]]


def _load(name: str) -> dict[str, Any]:
    text = resources.files("ntmgis").joinpath(name).read_text(encoding="utf-8")
    return load_yaml_text(text)


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


def vocab_key(text: str) -> str:
    """The one key vocabulary values are matched by: accent-, case- and punctuation-insensitive.

    Examples
    --------
    >>> vocab_key("Đường ngõ, xóm") == vocab_key("ĐƯỜNG NGÕ XÓM") == vocab_key("duong ngo xom")
    True
    >>> vocab_key("TT") == vocab_key("Thị trấn")
    True
    """
    return name_key(text, keep_prefix=True)


@cache
def spellings(vocab_name: str) -> Mapping[str, tuple[str, str]]:
    """Every accepted spelling of vocabulary ``vocab_name``: key -> (code, spelling as written).

    Codes, Vietnamese and English labels and ``aliases`` are accepted. A key naming two codes is a
    packaging error (each alias must name exactly one code).

    Examples
    --------
    >>> spellings("road_class")[vocab_key("Đường thôn")]
    ('truc_thon', 'Đường thôn')
    >>> spellings("manager")[vocab_key("htx")][0], spellings("surface")[vocab_key("BTXM")][0]
    ('htx', 'be_tong')
    """
    table: dict[str, tuple[str, str]] = {}
    for code, entry in vocabulary()[vocab_name].items():
        for spelling in (code, entry.get("vi", ""), entry.get("en", ""), *entry.get("aliases", ())):
            key = vocab_key(str(spelling))
            if not key:
                continue
            known = table.setdefault(key, (code, str(spelling)))
            if known[0] != code:
                raise ValueError(f"vocabulary {vocab_name}: {spelling!r} names both {known[0]} and {code}")
    return MappingProxyType(table)


def _vocab_columns() -> dict[str, dict[str, str]]:
    """Vocabulary columns of every layer and table: name -> column -> vocabulary."""
    specs = {**contracts()["layers"], **contracts()["tables"]}
    return {name: dict(spec.get("vocab", {})) for name, spec in specs.items()}


def _column_mapping(
    raw: object, vocab_name: str, where: str, file: str, problems: list[Problem]
) -> dict[str, str]:
    """One column's ``{label: code}``; targets that are not codes are errors naming the codes."""
    codes = vocabulary()[vocab_name]
    if not isinstance(raw, dict):
        problems.append(
            Problem.of(
                "problems.values_not_mapping",
                file=file,
                layer="workspace",
                feature=f"values: {where}",
                severity="error",
                codes=", ".join(codes),
            )
        )
        return {}
    mapping: dict[str, str] = {}
    for written, code in raw.items():
        if str(code) not in codes:
            problems.append(
                Problem.of(
                    "problems.values_not_a_code",
                    file=file,
                    layer="workspace",
                    feature=f"values: {where} {str(written)!r}",
                    severity="error",
                    code=repr(code),
                    vocab=vocab_name,
                    codes=", ".join(codes),
                )
            )
            continue
        mapping[str(written)] = str(code)
    return mapping


def read_value_mappings(raw: object, *, file: str = "") -> tuple[ValueMappings, list[Problem]]:
    """The ``values:`` key of ``workspace.yaml``: the office's own labels for vocabulary codes.

    Parameters
    ----------
    raw : object
        ``{layer: {column: {label: code}}}``, or ``{column: {label: code}}`` for every layer and
        table with that vocabulary column (a layer's own mapping wins over it).
    file : str
        The workspace file, for the problems.

    Returns
    -------
    (dict, list of Problem)
        ``layer -> column -> {label: code}``, and the errors found (a target that is not a code of
        the column's vocabulary names the allowed codes).

    Examples
    --------
    >>> mappings, problems = read_value_mappings(
    ...     {"roads": {"road_class": {"Đường làng": "truc_thon"}}, "managed_by": {"Đội thủy nông": "htx"}})
    >>> mappings["roads"]["road_class"], mappings["canals"], problems
    ({'Đường làng': 'truc_thon'}, {'managed_by': {'Đội thủy nông': 'htx'}}, [])
    >>> _, [problem] = read_value_mappings({"roads": {"surface": {"Bê tông": "concrete"}}})
    >>> problem.problem, problem.action
    ("'concrete' is not a surface code", 'use one of: nhua, be_tong, gach, cap_phoi, dat')
    """
    problems: list[Problem] = []
    if raw is None:
        return {}, problems
    columns = _vocab_columns()
    if not isinstance(raw, dict):
        return {}, [
            Problem.of(
                "problems.values_root", file=file, layer="workspace", feature="values", severity="error"
            )
        ]
    shared: dict[str, dict[str, str]] = {}
    own: ValueMappings = {}
    everywhere = {column: vocab for spec in columns.values() for column, vocab in spec.items()}
    for key, entry in raw.items():
        name = str(key)
        if name in columns:
            if not isinstance(entry, dict):
                problems.append(
                    Problem.of(
                        "problems.values_layer_not_mapping",
                        file=file,
                        layer="workspace",
                        feature=f"values: {name}",
                        severity="error",
                        name=name,
                    )
                )
                continue
            for column, labels in entry.items():
                vocab_name = columns[name].get(str(column))
                if vocab_name is None:
                    allowed = ", ".join(columns[name]) or "none"
                    problems.append(
                        Problem.of(
                            "problems.values_no_column",
                            file=file,
                            layer="workspace",
                            feature=f"values: {name}.{column}",
                            severity="error",
                            name=name,
                            column=repr(column),
                            allowed=allowed,
                        )
                    )
                    continue
                where = f"{name}.{column}"
                own.setdefault(name, {})[str(column)] = _column_mapping(
                    labels, vocab_name, where, file, problems
                )
        elif name in everywhere:
            shared[name] = _column_mapping(entry, everywhere[name], name, file, problems)
        else:
            problems.append(
                Problem.of(
                    "problems.values_unknown_key",
                    file=file,
                    layer="workspace",
                    feature=f"values: {name}",
                    severity="error",
                    name=repr(name),
                    layers=", ".join(columns),
                    columns=", ".join(sorted(everywhere)),
                )
            )
    mappings: ValueMappings = {}
    for name, spec in columns.items():
        merged = {
            column: {**shared.get(column, {}), **own.get(name, {}).get(column, {})}
            for column in spec
            if column in shared or column in own.get(name, {})
        }
        if merged:
            mappings[name] = merged
    return mappings, problems

"""The one YAML loader: safe tags only, and a budget on size, alias expansion and nesting depth.

Every YAML the tool reads (workspace, plan, scenarios, criteria sets, value maps, and the packaged
catalogue and vocabulary) is parsed here. A file over :data:`MAX_BYTES` is refused before it is
parsed; the composed node graph is then checked before any Python object is built: aliases that
would expand past :data:`MAX_EXPANDED_NODES` nodes (a "billion laughs") and nesting deeper than
:data:`MAX_DEPTH` (an alias inside its own anchor included) are refused with :class:`YamlBudgetError` (a
:class:`yaml.YAMLError`). Only the safe constructor is used, so ``!!python/...`` tags are refused.

This module imports nothing but PyYAML: the catalogue is read through it at every start-up.
"""

from __future__ import annotations

import os
from importlib.resources.abc import Traversable
from itertools import chain
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "MAX_EXPANDED_NODES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "YamlBudgetError",
    "load_yaml_text",
    "read_yaml_text",
]

#: Largest YAML file read, in bytes (the largest packaged one is ~30 kB; a workspace ~2 kB).
MAX_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and sequences (the packaged files nest at most ~8 levels).
MAX_DEPTH = 64
#: Most nodes of a text with aliases once they are expanded (each ``*name`` counts its anchor's nodes).
MAX_EXPANDED_NODES = 1_000_000

#: libyaml's parser when PyYAML has it (the same safe constructor; ~10× faster), else the Python one.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlBudgetError(yaml.YAMLError):
    """A YAML text over the budget: ``what`` was exceeded, ``limit`` is the bound.

    Examples
    --------
    >>> str(YamlBudgetError("nesting deeper than 64 levels", "64 levels"))
    'nesting deeper than 64 levels (limit 64 levels)'
    """

    def __init__(self, what: str, limit: str, *, key: str = "", **params: str) -> None:
        super().__init__(f"{what} (limit {limit})")
        self.what = what
        self.limit = limit
        #: The catalogue key of the refusal (``problems.yaml_refused_*``) and its fields, if any.
        self.key = key
        self.params = params


def _size_error(n_bytes: int) -> YamlBudgetError:
    return YamlBudgetError(
        f"file of {n_bytes:,} bytes is too large for a YAML file",
        f"{MAX_BYTES:,} bytes",
        key="problems.yaml_refused_size",
        size=f"{n_bytes:,}",
        most=f"{MAX_BYTES:,}",
    )


def _depth_error() -> YamlBudgetError:
    return YamlBudgetError(
        f"nesting deeper than {MAX_DEPTH} levels",
        f"{MAX_DEPTH} levels",
        key="problems.yaml_refused_depth",
        depth=str(MAX_DEPTH),
    )


def _check_nodes(root: yaml.Node, *, aliases: bool) -> None:
    """Refuse a node graph nested deeper, or expanding to more nodes, than the budget.

    The graph is walked level by level as the constructed data would be (an alias is its anchor's
    node again, so it counts again), with no recursion; the walk stops as soon as a bound is
    passed, so a "billion laughs" costs at most :data:`MAX_EXPANDED_NODES` steps and a recursive
    alias stops at :data:`MAX_DEPTH`.
    """
    level = [root]
    expanded = 1
    for _ in range(MAX_DEPTH):
        sequences = [node.value for node in level if node.__class__ is yaml.SequenceNode]
        pairs = [node.value for node in level if node.__class__ is yaml.MappingNode]
        level = [*chain.from_iterable(sequences), *chain.from_iterable(chain.from_iterable(pairs))]
        if not level:
            return
        expanded += len(level)
        if aliases and expanded > MAX_EXPANDED_NODES:
            raise YamlBudgetError(
                f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes",
                f"{MAX_EXPANDED_NODES:,} nodes",
                key="problems.yaml_refused_aliases",
                nodes=f"{MAX_EXPANDED_NODES:,}",
            )
    raise _depth_error()


def _load(text: str, loader_class: type[Any]) -> Any:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, aliases="*" in text and "&" in text)  # an alias needs an anchor
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml_text(text: str) -> Any:
    """``yaml.safe_load(text)`` within the budget, by libyaml when available.

    Raises
    ------
    YamlBudgetError
        The text is over :data:`MAX_BYTES`, aliases expand past :data:`MAX_EXPANDED_NODES` nodes,
        or nesting is deeper than :data:`MAX_DEPTH` (an alias inside its own anchor included).
    yaml.YAMLError
        Not YAML, or a tag the safe loader does not build (``!!python/object``...): worded as
        PyYAML's Python parser words it.

    Examples
    --------
    >>> load_yaml_text("{a: [1, 2], b: 'yes', c: yes}")
    {'a': [1, 2], 'b': 'yes', 'c': True}
    >>> load_yaml_text("a: &x [1, 2]\\nb: *x")
    {'a': [1, 2], 'b': [1, 2]}
    >>> load_yaml_text("[" * 100 + "]" * 100)
    Traceback (most recent call last):
    ...
    ntmgis.yamlload.YamlBudgetError: nesting deeper than 64 levels (limit 64 levels)
    """
    if len(text) * 4 > MAX_BYTES and len(text.encode("utf-8")) > MAX_BYTES:  # a character is 1-4 bytes
        raise _size_error(len(text.encode("utf-8")))
    try:
        return _load(text, _FAST_LOADER)
    except YamlBudgetError:
        raise
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own bound (1000 levels)
            raise _depth_error() from None
        if _FAST_LOADER is yaml.SafeLoader:
            raise
    try:  # the same mistake, raised with the Python parser's message
        return _load(text, yaml.SafeLoader)
    except RecursionError:
        raise _depth_error() from None


def read_yaml_text(source: str | os.PathLike[str] | Traversable) -> str:
    """The UTF-8 text of a YAML file, refused before reading when over :data:`MAX_BYTES`.

    Raises
    ------
    YamlBudgetError
        The file is too large.
    FileNotFoundError, UnicodeDecodeError
        As :meth:`pathlib.Path.read_text`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = file.write_text("a: 1", encoding="utf-8")
    >>> read_yaml_text(file)
    'a: 1'
    """
    path = Path(source) if isinstance(source, (str, os.PathLike)) else source
    if isinstance(path, Path):
        n_bytes = path.stat().st_size
        if n_bytes > MAX_BYTES:
            raise _size_error(n_bytes)
    return path.read_text(encoding="utf-8")

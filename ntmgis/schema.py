"""One schema check for every YAML the tool reads, with the layouts as data (``ntmgis/schemas/*.yaml``).

A YAML file is first read within the budget of :mod:`ntmgis.yamlload`; what it holds is then
checked here against the layout of its kind (``workspace``, ``scenario``...). Every wrong key or
type is one :class:`~ntmgis.problems.Problem` naming its dotted path (``layers.roads.colums``),
the closest known key for a misspelling (``did you mean 'columns'?``) and the fix; nothing stops
at the first mistake. An unknown key is a warning (it is ignored); a wrong type or a value out of
its range is an error.

A layout node is a mapping:

``type``
    ``text``, ``int``, ``number``, ``bool``, ``year``, ``mapping``, ``list`` or ``any``; or a list
    of them (a layers entry is ``[text, mapping]``).
``keys`` / ``required`` / ``unknown``
    The known keys of a mapping and the ones it must have; any other key is unknown: a warning
    (ignored), or an error with ``unknown: error`` (where ignoring it would drop what it holds).
``values``
    The layout of every value of a mapping whose keys are open (layer names, set ids...).
``items``
    The layout of every item of a list.
``min`` / ``max`` / ``enum``
    The range of a number, the closed set of values.
``ref``
    The name of a layout of the file's ``definitions:`` (used more than once).
``columns_of``
    The keys are the contract columns (``ntmgis/contracts.yaml``) of the layer or table the parent
    key names (unknown columns are warnings); a layer the contracts do not know takes any key.

Examples
--------
>>> layout = {"type": "mapping", "keys": {"crs": {"type": "text"}, "year": {"type": "year"}}}
>>> for p in check_layout({"crs_": 1, "year": "x"}, layout, file="w"):
...     print(p.feature, "|", p.problem, "|", p.action)
crs_ | unknown key 'crs_' | ignored; did you mean 'crs'?
year | year must be a year (1900–2100), not 'x' | see the layout ntmgis/schemas/w.yaml
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from .problems import ParamValue, Problem, Severity

__all__ = ["check_layout", "layout", "problems_of"]

#: The problem of a value of another type, by the types its layout allows (their words in the catalogue).
_TYPE_KEYS: Mapping[tuple[str, ...], str] = {
    ("text",): "problems.schema_type_text",
    ("int",): "problems.schema_type_int",
    ("number",): "problems.schema_type_number",
    ("bool",): "problems.schema_type_bool",
    ("year",): "problems.schema_type_year",
    ("mapping",): "problems.schema_type_mapping",
    ("list",): "problems.schema_type_list",
    ("number", "bool", "list"): "problems.schema_type_number_bool_list",
    ("number", "bool", "mapping"): "problems.schema_type_number_bool_mapping",
    ("number", "bool"): "problems.schema_type_number_bool",
    ("text", "int", "bool"): "problems.schema_type_text_int_bool",
    ("text", "int"): "problems.schema_type_text_int",
    ("text", "mapping"): "problems.schema_type_text_mapping",
}
_ROOT_NOT_MAPPING = "problems.schema_file_type_mapping"  # the file holds no mapping at all
_YEARS = (1900, 2100)


@cache
def layout(kind: str) -> Mapping[str, object]:
    """The layout of one file kind, read from ``ntmgis/schemas/<kind>.yaml``.

    Examples
    --------
    >>> sorted(layout("scenario")["keys"])[:3]
    ['as_of', 'description', 'edits']
    """
    from .yamlload import load_yaml_text

    text = resources.files("ntmgis").joinpath(f"schemas/{kind}.yaml").read_text("utf-8")
    read: Mapping[str, object] = load_yaml_text(text)
    return read


@cache
def _contract_columns() -> Mapping[str, tuple[str, ...]]:
    """Layer or table name → its contract columns (required and optional)."""
    from .vocab import contracts

    read = contracts()
    return {
        str(name): (*spec.get("required", ()), *spec.get("optional", ()))
        for group in ("layers", "tables")
        for name, spec in (read.get(group) or {}).items()
        if isinstance(spec, Mapping)
    }


def _is(value: object, kind: str) -> bool:
    if kind == "any":
        return True
    if kind == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "text":
        return isinstance(value, str)
    if kind in ("int", "year"):
        return isinstance(value, int)
    if kind == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    if kind == "mapping":
        return isinstance(value, Mapping)
    if kind == "list":
        return isinstance(value, list | tuple)
    raise ValueError(f"unknown layout type {kind!r}")


class _Check:
    """Walks one value along its layout and collects the problems."""

    def __init__(self, file: str, layer: str, definitions: Mapping[str, Mapping[str, object]]) -> None:
        self.file, self.layer, self.definitions = file, layer, definitions
        self.problems: list[Problem] = []

    def fail(self, where: str, key: str, /, severity: Severity = "error", **params: ParamValue) -> None:
        self.problems.append(
            Problem.from_params(
                key, params, file=self.file, layer=self.layer, feature=where, severity=severity
            )
        )

    def node(self, value: object, spec: Mapping[str, object], where: str, parent: str = "") -> None:
        if "ref" in spec:
            spec = {**self.definitions[str(spec["ref"])], **{k: v for k, v in spec.items() if k != "ref"}}
        kinds = spec.get("type", "any")
        kinds = [str(k) for k in kinds] if isinstance(kinds, list) else [str(kinds)]
        if value is None:
            return  # an empty key is "not given" (``key:`` with nothing after it)
        if not any(_is(value, k) for k in kinds):
            if not where and kinds == ["mapping"]:
                self.fail(where, _ROOT_NOT_MAPPING, value=_short(value), kind=self.layer)
                return
            key = _TYPE_KEYS[tuple(kinds)]
            self.fail(where, key, where=where or self.layer, value=_short(value), kind=self.layer)
            return
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            self.number(value, spec, where, year="year" in kinds)
        elif isinstance(value, str) and "enum" in spec:
            allowed = [str(v) for v in spec["enum"]]  # type: ignore[attr-defined]
            if value not in allowed:
                close, shown = _close(value, allowed), ", ".join(allowed)
                if close:
                    self.fail(
                        where,
                        "problems.schema_enum_close",
                        where=where,
                        value=repr(value),
                        allowed=shown,
                        close=close,
                    )
                else:
                    self.fail(where, "problems.schema_enum", where=where, value=repr(value), allowed=shown)
        elif isinstance(value, Mapping):
            self.mapping(value, spec, where, parent)
        elif isinstance(value, list | tuple) and isinstance(spec.get("items"), Mapping):
            for n, item in enumerate(value):
                self.node(item, spec["items"], f"{where}[{n}]", parent)  # type: ignore[arg-type]

    def number(self, value: float, spec: Mapping[str, object], where: str, *, year: bool) -> None:
        low, high = _YEARS if year and isinstance(value, int) else (-math.inf, math.inf)
        low = float(spec.get("min", low))  # type: ignore[arg-type]
        high = float(spec.get("max", high))  # type: ignore[arg-type]
        if not (math.isfinite(value) and low <= value <= high):
            self.fail(
                where,
                "problems.schema_range",
                where=where,
                low=f"{low:g}",
                high=f"{high:g}",
                value=repr(value),
                kind=self.layer,
            )

    def mapping(
        self, value: Mapping[object, object], spec: Mapping[str, object], where: str, parent: str
    ) -> None:
        keys = spec.get("keys")
        known: Mapping[str, object] | None = keys if isinstance(keys, Mapping) else None
        if spec.get("columns_of"):
            owner = where.split(".")[-2] if where.count(".") else ""  # layers.<owner>.columns
            columns = _contract_columns().get(owner)
            known = None if columns is None else dict.fromkeys(columns, {"type": "text"})
        for key in spec.get("required", ()):  # type: ignore[attr-defined]
            if key not in value:
                if where:
                    self.fail(_join(where, str(key)), "problems.schema_required", where=where, key=str(key))
                else:
                    self.fail(str(key), "problems.schema_required_file", key=str(key))
        values = spec.get("values")
        for key, item in value.items():
            path = _join(where, str(key))
            if known is None:
                if isinstance(values, Mapping):
                    self.node(item, values, path, str(key))
            elif str(key) in known:
                self.node(item, known[str(key)], path, str(key))  # type: ignore[arg-type]
            else:
                self.unknown(path, str(key), list(known), str(spec.get("unknown", "warning")))

    def unknown(self, path: str, key: str, known: Sequence[str], severity: str) -> None:
        close = _close(key, known)
        level: Severity = "warning" if severity == "warning" else "error"
        if close:
            name = (
                "problems.schema_unknown_close"
                if level == "warning"
                else "problems.schema_unknown_close_refused"
            )
            self.fail(path, name, level, key=repr(key), close=close)
        else:
            name = "problems.schema_unknown" if level == "warning" else "problems.schema_unknown_refused"
            self.fail(path, name, level, key=repr(key), known=", ".join(known))


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{type(value).__name__} {text[:50]}…"


def _close(word: str, known: Sequence[str]) -> str:
    """``"'x'"`` for the closest known word, else ``""``."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return repr(close[0]) if close else ""


def check_layout(
    value: object,
    spec: Mapping[str, object],
    *,
    file: str,
    layer: str = "w",
    where: str = "",
    definitions: Mapping[str, Mapping[str, object]] | None = None,
) -> list[Problem]:
    """Every problem of ``value`` against one layout node (see the module docstring).

    Examples
    --------
    >>> spec = {"type": "list", "items": {"type": "number", "min": 0}}
    >>> [p.problem for p in check_layout([1, -2, "x"], spec, file="f", where="lengths")]
    ['lengths[1] must be between 0 and inf, not -2', "lengths[2] must be a number, not 'x'"]
    """
    check = _Check(file, layer, definitions or {})
    check.node(value, spec, where)
    return check.problems


def problems_of(value: object, kind: str, *, file: str) -> list[Problem]:
    """Every problem of a file of ``kind`` (``ntmgis/schemas/<kind>.yaml``) as read from YAML.

    Examples
    --------
    >>> config = {"layers": {"communes": "c.gpkg", "roads": {"path": "r.gpkg", "columns": {"surfac": "MAT"}}}}
    >>> [(p.feature, p.action) for p in problems_of(config, "workspace", file="w")]
    [('layers.roads.columns.surfac', "ignored; did you mean 'surface'?")]
    """
    schema = layout(kind)
    definitions = schema.get("definitions") or {}
    return check_layout(value, schema, file=file, layer=kind, definitions=definitions)  # type: ignore[arg-type]

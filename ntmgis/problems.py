"""Problems found while reading and validating data.

Every reader and validator in ntmgis returns its findings as :class:`Problem` rows instead of
printing, raising on the first one, or silently dropping data. A :class:`ProblemReport` collects
them so a user sees every problem of a workspace in one table (file, layer, feature, problem,
what was done).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # pandas is imported when a report is tabled, not with the package
    import pandas as pd

__all__ = ["Problem", "ProblemReport", "DataError", "Severity", "Params", "feature_words", "layer_word"]

Severity = Literal["error", "warning", "info"]
ParamValue = str | int | float
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class Params(Mapping[str, ParamValue]):
    """An immutable, hashable mapping of a problem's format fields (name -> text or number).

    Examples
    --------
    >>> Params(value="sỏi", column="surface") == Params({"column": "surface", "value": "sỏi"})
    True
    >>> len({Params(a=1), Params(a=1)})
    1
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, ParamValue] | None = None, **more: ParamValue) -> None:
        merged = {**(items or {}), **more}
        for name, value in merged.items():
            if not isinstance(value, (str, int, float)):
                raise TypeError(f"problem parameter {name!r} must be text or a number, not {value!r}")
        self._items: tuple[tuple[str, ParamValue], ...] = tuple(sorted(merged.items()))

    def __getitem__(self, name: str) -> ParamValue:
        for key, value in self._items:
            if key == name:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(key for key, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Params):
            return self._items == other._items
        return isinstance(other, Mapping) and dict(self._items) == dict(other)

    def __repr__(self) -> str:
        return f"Params({dict(self._items)!r})"


def template_fields(template: str) -> set[str]:
    """The format fields a catalogue text names (``{value}`` -> ``value``).

    >>> sorted(template_fields("unknown value '{value}' in column {column}"))
    ['column', 'value']
    """
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


def render(key: str, params: Mapping[str, ParamValue], lang: str) -> tuple[str, str]:
    """The problem and action texts of catalogue ``key`` (``problems.<name>``) in ``lang``.

    >>> render("problems.file_not_found", {}, "vi")[0]
    'không tìm thấy tệp'
    """
    from .labels import words

    area, _, name = key.partition(".")
    entries = words(area, lang)
    fields = dict(params._items) if isinstance(params, Params) else dict(params)
    return (
        _format(entries[f"{name}.problem"], entries, fields),
        _format(entries[f"{name}.action"], entries, fields),
    )


def _format(template: str, entries: Mapping[str, str], fields: Mapping[str, ParamValue]) -> str:
    """``template`` with ``fields``: :class:`_Words` for a text with ``{field:word}``, else ``str.format``.

    The two agree on every text without a ``word`` field (``str.format`` is the C one, ten times faster).

    >>> _format("{n} m", {}, {"n": 3}), _format("ở {side:word}", {"word_row": "bảng"}, {"side": "row"})
    ('3 m', 'ở bảng')
    """
    if ":word" in template:
        return _Words(entries).format(template, **fields)
    return template.format(**fields)


class _Words(string.Formatter):
    """Formats a catalogue text; ``{side:word}`` writes the value as the word ``word_<value>``.

    A code a helper passes ("row", "communes", "too_far") is translated here, at rendering,
    so a Vietnamese sentence never carries an English word; a value with no word is written as is.

    >>> _Words({"word_row": "bảng"}).format("ở {side:word}, {n:word}", side="row", n=3)
    'ở bảng, 3'
    """

    def __init__(self, entries: Mapping[str, str]) -> None:
        self.entries = entries

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "word":
            return self.entries.get(f"word_{value}", str(value))
        return str(super().format_field(value, format_spec))


@dataclass(frozen=True)
class Problem:
    """One finding about one feature, row, column or file.

    Parameters
    ----------
    file : str
        Path of the source file (as the user gave it), or ``""`` for in-memory data.
    layer : str
        Layer or table name (``roads``, ``commune_status``...).
    feature : str
        Feature id, row number (``row 12``) or cell (``row 4, column "2"``); ``""`` for the file.
    problem : str
        What is wrong, in words a district GIS officer understands.
    action : str
        What ntmgis did about it (``repaired with make_valid``, ``refused``, ``converted``...)
        or what the user should do.
    severity : {"error", "warning", "info"}
        ``error`` blocks use of the layer; ``warning`` was repaired or needs a look;
        ``info`` records a conversion that changed nothing of substance.
    count : int
        How many features share the problem (``feature`` then names a few of them).
    """

    file: str
    layer: str
    feature: str
    problem: str
    action: str
    severity: Severity = "warning"
    count: int = 1
    key: str = ""
    params: Params = field(default_factory=Params)

    @classmethod
    def of(
        cls,
        key: str,
        /,
        *,
        file: str = "",
        layer: str = "",
        feature: str = "",
        severity: Severity = "warning",
        count: int = 1,
        **params: ParamValue,
    ) -> Problem:
        """A problem whose words come from ``ntmgis/catalogue/problems.yaml`` (``key``, ``params``).

        ``problem`` and ``action`` hold the English rendering; :meth:`text` gives any language.

        Examples
        --------
        >>> p = Problem.of("problems.file_not_found", file="r.shp", layer="roads", severity="error")
        >>> p.problem
        'file not found'
        >>> p.text("vi")[0]
        'không tìm thấy tệp'
        """
        return cls.from_params(
            key, params, file=file, layer=layer, feature=feature, severity=severity, count=count
        )

    @classmethod
    def from_params(
        cls,
        key: str,
        params: Mapping[str, ParamValue],
        *,
        file: str = "",
        layer: str = "",
        feature: str = "",
        severity: Severity = "warning",
        count: int = 1,
    ) -> Problem:
        """:meth:`of` with the params as one mapping (for helpers that forward theirs).

        >>> Problem.from_params("problems.csv_not_utf8", {"encoding": "cp1258"}).problem
        'CSV is not UTF-8; read as cp1258'
        """
        values = Params(params)
        problem, action = render(key, values, "en")
        return cls(file, layer, feature, problem, action, severity, count, key, values)

    @classmethod
    def each(
        cls,
        key: str,
        found: Iterable[tuple[str, Mapping[str, ParamValue]]],
        /,
        *,
        file: str = "",
        layer: str = "",
        severity: Severity = "warning",
    ) -> list[Problem]:
        """One problem of catalogue ``key`` per ``(feature, params)`` of ``found``: :meth:`of` in bulk.

        Problems with the same fields share their rendering (a district's thousands of segments
        outside the communes have a few hundred lengths).

        >>> found = [("R1", {"metres": "12"}), ("R2", {"metres": "12"})]
        >>> a, b = Problem.each("problems.length_outside", found)
        >>> b == Problem.of("problems.length_outside", feature="R2", metres="12"), a.problem is b.problem
        (True, True)
        """
        rendered: dict[Params, tuple[str, str]] = {}
        problems = []
        for feature, params in found:
            values = Params(params)
            texts = rendered.get(values)
            if texts is None:
                texts = rendered[values] = render(key, values, "en")
            problems.append(cls(file, layer, feature, *texts, severity, 1, key, values))
        return problems

    def text(self, lang: str = "en") -> tuple[str, str]:
        """``(problem, action)`` in ``lang`` (``vi`` or ``en``); a problem without a key has English only."""
        if not self.key or lang == "en":
            return self.problem, self.action
        return render(self.key, self.params, lang)

    def feature_text(self, lang: str = "en") -> str:
        """Where the problem is (:attr:`feature`) in ``lang``: its words of place from the catalogue.

        Ids and values in it stay as written; only the words (``row``, ``feature``...) change.

        >>> Problem("m.csv", "markets", "market_id=M2 (feature 2)", "p", "a").feature_text("vi")
        'market_id=M2 (đối tượng 2)'
        """
        return feature_words(self.feature, lang)

    def line(self, lang: str = "en") -> str:
        """One line like :meth:`__str__`, in ``lang``."""
        problem, action = self.text(lang)
        where = ", ".join(p for p in (self.file, self.layer, self.feature_text(lang)) if p)
        times = _say("times", lang, count=self.count) if self.count > 1 else ""
        return f"[{_say(self.severity, lang)}] {where}: {problem}{times} -> {action}"

    def __str__(self) -> str:
        """One line: ``[severity] file, layer, feature: problem -> action``."""
        where = ", ".join(p for p in (self.file, self.layer, self.feature) if p)
        times = f" ({self.count} features)" if self.count > 1 else ""
        return f"[{self.severity}] {where}: {self.problem}{times} -> {self.action}"


class DataError(ValueError):
    """Bad input that cannot be used; carries every problem found, not just the first.

    Parameters
    ----------
    problems : Problem or iterable of Problem
        Every problem found.
    message : str, optional
        The header: a catalogue key ``problems.header_<name>`` (rendered in any language by
        :meth:`header`, with ``errors`` and ``params`` as its fields), or English text. Without it the
        header counts the errors (``problems.header_default``).
    **params
        The header's fields (``source``, ``crosswalk``...).

    Examples
    --------
    >>> err = DataError(Problem.of("problems.file_not_found", severity="error"), "problems.header_layers")
    >>> err.header("vi"), str(err).splitlines()[0]
    ('không dùng được các lớp: 1 lỗi', 'layers cannot be used: 1 error(s)')
    """

    def __init__(
        self, problems: Iterable[Problem] | Problem, message: str | None = None, **params: ParamValue
    ):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.message = message or "problems.header_default"
        self.params = Params(params)
        super().__init__(self.header("en") + "\n" + "\n".join(f"  {p}" for p in self.problems))

    def header(self, lang: str = "en") -> str:
        """The first line (what was refused) in ``lang``.

        A header given as English text (not a catalogue key) is English only; in another language it
        is the counted default header, so a Vietnamese output never carries it.
        """
        from .labels import words

        errors = sum(p.severity == "error" for p in self.problems)
        area, _, name = self.message.partition(".")
        if area != "problems" or not name.startswith("header_"):
            if lang == "en":
                return self.message
            name = "header_default"
        return words("problems", lang)[name].format(errors=errors, **dict(self.params))


@dataclass(frozen=True)
class ProblemReport:
    """An immutable, ordered collection of :class:`Problem`."""

    problems: tuple[Problem, ...] = field(default_factory=tuple)

    COLUMNS = ("severity", "file", "layer", "feature", "problem", "action", "count")
    KIND_COLUMNS = ("severity", "file", "layer", "problem", "count", "examples", "fix")

    def __iter__(self) -> Iterator[Problem]:
        """The problems in their order."""
        return iter(self.problems)

    def __len__(self) -> int:
        """Number of problems."""
        return len(self.problems)

    def __add__(self, other: ProblemReport | Iterable[Problem]) -> ProblemReport:
        """A new report with ``other``'s problems after these."""
        return ProblemReport(self.problems + tuple(other))

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity ``error``."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        """True when no problem is an error."""
        return not self.errors

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """Problems as a DataFrame, errors first, in a stable order; texts and features in ``lang``."""
        import pandas as pd

        frame = self._frame(lang, kind=False)
        # the column keeps its dtype (a bare list would make an empty report's column float)
        words = [feature_words(str(f), lang) for f in frame["feature"]]
        frame["feature"] = pd.Series(words, index=frame.index, dtype=frame["feature"].dtype)
        return frame

    def _frame(self, lang: str, *, kind: bool = True) -> pd.DataFrame:
        """:meth:`to_frame` with the language-independent ``kind`` of each row (unless ``kind=False``).

        Each distinct problem (catalogue key and fields) is rendered once, however many features
        share it: a district's thousands of problems are a few hundred texts.
        """
        import pandas as pd

        texts: dict[tuple[str, Params], tuple[str, str]] = {}
        kinds: dict[tuple[str, str], str] = {}

        def text(p: Problem) -> tuple[str, str]:
            if not p.key or lang == "en":
                return p.problem, p.action
            found = texts.get((p.key, p.params))
            if found is None:
                found = texts[p.key, p.params] = p.text(lang)
            return found

        def kind_of(p: Problem) -> str:
            found = kinds.get((p.key, p.problem))
            if found is None:
                found = kinds[p.key, p.problem] = f"{p.key}|{_kind(p.problem)}"
            return found

        columns = [*self.COLUMNS, "kind"] if kind else list(self.COLUMNS)
        rows = [
            (p.severity, p.file, p.layer, p.feature, *text(p), p.count, *((kind_of(p),) if kind else ()))
            for p in self.problems
        ]
        frame = pd.DataFrame(rows, columns=columns)
        if frame.empty:
            return frame
        frame["_o"] = frame["severity"].map(_SEVERITY_ORDER)
        frame = frame.sort_values(["_o", "file", "layer"], kind="stable").drop(columns="_o")
        return frame.reset_index(drop=True)

    def kinds(self, lang: str = "en") -> pd.DataFrame:
        """One row per kind of problem, errors first, then the most features first.

        A kind is the severity, the file, the layer, the catalogue key and the problem's English
        words without their numbers and bracketed details: 300 invalid geometries are one kind, each
        unknown value is its own. The kinds are the same in every language; texts are in ``lang``.
        ``count`` sums the features, ``examples`` names a few, ``fix`` is the first action.

        Examples
        --------
        >>> def roads(feature, problem, **more):
        ...     return Problem("r.shp", "roads", feature, problem, "repaired", **more)
        >>> report = ProblemReport((
        ...     roads("segment_id=R1", "invalid geometry (Self-intersection[1 2])"),
        ...     roads("segment_id=R2", "invalid geometry (Ring Self-intersection[3 4])"),
        ...     roads("segment_id=R3, R4, R5, …", "unknown surface 'sỏi'", count=50),
        ...     Problem("x.gpkg", "communes", "", "missing required column(s) ['kind']", "add", "error")))
        >>> report.kinds()[["severity", "layer", "count", "examples"]]
          severity     layer  count                        examples
        0    error  communes      1
        1  warning     roads     50        segment_id=R3, R4, R5, …
        2  warning     roads      2  segment_id=R1; segment_id=R2
        """
        import pandas as pd

        frame = self._frame(lang)
        if frame.empty:
            return pd.DataFrame(columns=list(self.KIND_COLUMNS))
        frame["row"] = range(len(frame))
        table = (
            frame.groupby(["severity", "file", "layer", "kind"], sort=False)
            .agg(
                problem=("problem", "first"),
                similar=("problem", "nunique"),
                count=("count", "sum"),
                examples=("feature", _examples),
                fix=("action", "first"),
                row=("row", "min"),
            )
            .reset_index()
        )
        table["problem"] = [
            problem + (_say("like_it", lang, count=n - 1) if n > 1 else "")
            for problem, n in zip(table["problem"], table["similar"], strict=True)
        ]
        table["order"] = table["severity"].map(_SEVERITY_ORDER)
        table = table.sort_values(["order", "count", "row"], ascending=[True, False, True], kind="stable")
        return table[list(self.KIND_COLUMNS)].reset_index(drop=True)

    def format(self, limit: int | None = None, lang: str = "en") -> str:
        """Human-readable text, one line per kind of problem (:meth:`kinds`), errors first.

        Examples
        --------
        >>> report = ProblemReport(tuple(
        ...     Problem("r.shp", "roads", f"R{i}", "geometry is empty or missing", "left out")
        ...     for i in range(1, 6)))
        >>> print(report.format())
        [warning] roads (r.shp) ×5: geometry is empty or missing (R1; R2; R3; …) -> left out
        """
        kinds = self.kinds(lang)
        if kinds.empty:
            return _say("none", lang)
        lines = [
            f"[{_say(str(row.severity), lang)}] {_where(str(row.file), layer_word(str(row.layer), lang))}"
            + f" ×{row.count}: {row.problem}"
            + (f" ({feature_words(str(row.examples), lang)})" if row.examples else "")
            + f" -> {row.fix}"
            for row in kinds.itertuples()
        ]
        if limit is not None and len(lines) > limit:
            lines = lines[:limit] + [_say("more", lang, count=len(lines) - limit)]
        return "\n".join(lines)


def layer_word(layer: str, lang: str) -> str:
    """The name a problem list gives layer ``layer`` in ``lang`` (``problems.layer_<id>``; the id if none).

    >>> layer_word("roads", "vi"), layer_word("roads", "en"), layer_word("my_layer", "vi")
    ('đường giao thông', 'roads', 'my_layer')
    """
    from .labels import words

    return words("problems", lang).get(f"layer_{layer}", layer) if layer else layer


_FEATURE_WORD = re.compile(
    r"\b(?:(rows?|cells?|features?|edit|communes|villages|gap)(?= [A-Z]{0,3}\d)|(near)(?= x=))"
)


def feature_words(feature: str, lang: str) -> str:
    """A feature's words of place (``row 12``, ``cell E4``, ``a: edit 2``) in ``lang`` (``feature_*``).

    The features are written in English where they are made; every output (the problem lists,
    ``validate --out``'s CSV, the report's sheet) names them in its language (:meth:`Problem.feature_text`).

    >>> feature_words("row 3; row 5", "vi"), feature_words("lam_cot: edit 2", "vi")
    ('dòng 3; dòng 5', 'lam_cot: thao tác 2')
    >>> feature_words("row 3", "en")
    'row 3'
    """
    if lang == "en" or not feature:
        return feature
    from .labels import words

    entries = words("problems", lang)

    def word(match: re.Match[str]) -> str:
        found = match.group(1) or match.group(2)
        return entries.get(f"feature_{found}", found)

    return _FEATURE_WORD.sub(word, feature)


def _say(name: str, lang: str, **fields: object) -> str:
    """A word of the problem lists (``problems.list_<name>``) in ``lang``."""
    from .labels import words

    return words("problems", lang)[f"list_{name}"].format(**fields)


def _where(file: str, layer: str) -> str:
    """``roads (roads.gpkg)``: the layer and its file's name (the full path is in the CSV)."""
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{layer} ({name})" if layer and name else layer or name


def _kind(problem: str) -> str:
    """A problem's words without numbers and bracketed details (what makes it one kind).

    Quoted values stay: each unknown value is a kind of its own, with its own fix.
    """
    words = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "(…)", problem)
    parts = re.split(r"('[^']*'|\"[^\"]*\")", words)
    parts[::2] = [re.sub(r"#(?:\s*,\s*#)+", "#", re.sub(r"\d+(?:[.,]\d+)*", "#", p)) for p in parts[::2]]
    return "".join(parts)


def _examples(features: pd.Series) -> str:
    """A few of a kind's features, ``; …`` when there are more."""
    named = [f for f in features.tolist() if f]
    more = "; …" if len(named) > 3 else ""
    return "; ".join(named[:3]) + more

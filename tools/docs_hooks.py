"""MkDocs hook of the user guide (``hooks:`` in ``mkdocs.yml``): reference tables written at build time.

A page of ``docs/`` holds a marker comment where a table belongs; :func:`on_page_markdown` replaces
it with Markdown written from the package's own data, so the guide cannot drift from the code:

* ``<!-- ntmgis:contracts -->`` — one table per layer and table of ``ntmgis/contracts.yaml``
  (column, required or optional, type, allowed codes with the labels ``ntmgis/vocabulary.yaml``
  accepts for them);
* ``<!-- ntmgis:criteria-sets -->`` — the criteria sets of ``ntmgis/criteria/*.yaml`` (id, title,
  legal basis, dates in force, thresholds marked ``verified: false``);
* ``<!-- ntmgis:cli-help -->`` — ``ntmgis --help`` and every subcommand's ``--help``.

The language of a page is the first folder of its path (``docs/vi/…``, ``docs/en/…``). The package
is imported from the checkout that holds ``mkdocs.yml``, never from another installed copy.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ntmgis"

MARKERS = ("contracts", "criteria-sets", "cli-help")

# Words of the generated tables (the guide's own, not the ntmgis interface: catalogue/ is that).
WORDS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "column": "Cột",
        "need": "Bắt buộc?",
        "type": "Kiểu",
        "codes": "Mã được phép (và nhãn được chấp nhận)",
        "required": "bắt buộc",
        "optional": "tùy chọn",
        "geometry": "Hình học",
        "id": "Mã định danh (duy nhất)",
        "commune_ref": "Mã xã phải có trong lớp `communes`",
        "layers": "Lớp bản đồ",
        "tables": "Bảng",
        "code": "mã (chữ; số 0 đầu được giữ)",
        "text": "chữ",
        "int": "số nguyên",
        "float": "số",
        "bool": "có/không (Đạt / Chưa đạt, x, 1/0…)",
        "set": "Bộ",
        "title": "Tên",
        "basis": "Căn cứ pháp lý",
        "from": "Hiệu lực từ",
        "to": "đến",
        "role": "Áp dụng cho",
        "unverified": "Ngưỡng chưa xác minh",
        "commune": "xã (NTM, nâng cao)",
        "kieu_mau": "xã kiểu mẫu",
        "village": "thôn kiểu mẫu",
    },
    "en": {
        "column": "Column",
        "need": "Required?",
        "type": "Type",
        "codes": "Allowed codes (and the labels accepted for them)",
        "required": "required",
        "optional": "optional",
        "geometry": "Geometry",
        "id": "Identifier (unique)",
        "commune_ref": "Commune code must be in the `communes` layer",
        "layers": "Layers",
        "tables": "Tables",
        "code": "code (text; leading zeros kept)",
        "text": "text",
        "int": "integer",
        "float": "number",
        "bool": "yes/no (Đạt / Chưa đạt, x, 1/0…)",
        "set": "Set",
        "title": "Title",
        "basis": "Legal basis",
        "from": "In force from",
        "to": "to",
        "role": "Applies to",
        "unverified": "Unverified thresholds",
        "commune": "communes (NTM, advanced)",
        "kieu_mau": "model communes",
        "village": "model villages",
    },
}


def _read_yaml(path: Path) -> dict[str, object]:
    with path.open(encoding="utf-8") as stream:
        data = yaml.safe_load(stream)
    return data if isinstance(data, dict) else {}


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _codes_cell(vocabulary: Mapping[str, object], vocab_name: str, lang: str) -> str:
    entries = vocabulary.get(vocab_name)
    if not isinstance(entries, dict):
        return ""
    items = []
    for code, entry in entries.items():
        entry = entry if isinstance(entry, dict) else {}
        labels = [str(entry[key]) for key in ("vi", "en") if entry.get(key)]
        labels += [str(alias) for alias in entry.get("aliases", ())]
        items.append(f"`{code}` ({', '.join(_cell(label) for label in labels)})")
    return "<br>".join(items)


def contracts_markdown(lang: str) -> str:
    """Markdown tables of every layer and table of ``contracts.yaml``, in ``lang`` ("vi" or "en").

    Examples
    --------
    >>> text = contracts_markdown("en")
    >>> "### `roads`" in text and "`truc_thon` (Đường trục thôn, Village road, Đường thôn" in text
    True
    """
    words = WORDS[lang]
    contracts = _read_yaml(PACKAGE / "contracts.yaml")
    vocabulary = _read_yaml(PACKAGE / "vocabulary.yaml")
    out: list[str] = []
    for group in ("layers", "tables"):
        specs = contracts.get(group)
        if not isinstance(specs, dict):
            continue
        out.append(f"## {words[group]}\n")
        for name, spec in specs.items():
            out.extend(_contract_section(str(name), spec, vocabulary, words, lang))
    return "\n".join(out)


def _contract_section(
    name: str,
    spec: Mapping[str, object],
    vocabulary: Mapping[str, object],
    words: Mapping[str, str],
    lang: str,
) -> list[str]:
    lines = [f"### `{name}`\n"]
    if spec.get("geometry"):
        lines.append(f"- {words['geometry']}: {', '.join(map(str, spec['geometry']))}")
    if spec.get("id"):
        lines.append(f"- {words['id']}: `{spec['id']}`")
    if spec.get("commune_ref"):
        lines.append(f"- {words['commune_ref']}: `{spec['commune_ref']}`")
    lines.append("")
    lines.append(f"| {words['column']} | {words['need']} | {words['type']} | {words['codes']} |")
    lines.append("|---|---|---|---|")
    types = spec.get("types") if isinstance(spec.get("types"), dict) else {}
    vocab = spec.get("vocab") if isinstance(spec.get("vocab"), dict) else {}
    for need in ("required", "optional"):
        for column in spec.get(need) or ():
            kind = str(types.get(column, "text"))
            codes = _codes_cell(vocabulary, str(vocab[column]), lang) if column in vocab else ""
            lines.append(f"| `{column}` | {words[need]} | {words.get(kind, kind)} | {codes} |")
    lines.append("")
    return lines


def criteria_sets_markdown(lang: str) -> str:
    """A Markdown table of the packaged criteria sets (``ntmgis/criteria/*.yaml``), in ``lang``.

    Examples
    --------
    >>> "`qd318_2022_xa`" in criteria_sets_markdown("vi")
    True
    """
    words = WORDS[lang]
    rows = [
        f"| {words['set']} | {words['title']} | {words['basis']} | {words['from']} – {words['to']} "
        f"| {words['role']} | {words['unverified']} |",
        "|---|---|---|---|---|---|",
    ]
    sets = [(_read_yaml(path), path) for path in sorted((PACKAGE / "criteria").glob("*.yaml"))]
    for data, path in sorted(sets, key=lambda item: str(item[0].get("valid_from", ""))):
        title = data.get("title")
        title_text = title.get(lang, "") if isinstance(title, dict) else ""
        unverified = path.read_text(encoding="utf-8").count("verified: false")
        role = str(data.get("role", ""))
        rows.append(
            f"| `{data.get('id', path.stem)}` | {_cell(title_text)} | {_cell(data.get('legal_basis', ''))} "
            f"| {data.get('valid_from', '')} – {data.get('valid_to', '')} | {words.get(role, role)} "
            f"| {unverified} |"
        )
    return "\n".join(rows) + "\n"


@contextlib.contextmanager
def _columns(width: int) -> Iterator[None]:
    """Argparse wraps its help at ``$COLUMNS``: a fixed width gives the same page everywhere."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _help_text(command: list[str]) -> str:
    """What ``ntmgis <command> --help`` prints (argparse exits after printing it)."""
    from ntmgis.cli import main

    stream = io.StringIO()
    with _columns(100), contextlib.redirect_stdout(stream), contextlib.suppress(SystemExit):
        main([*command, "--help"])
    return stream.getvalue().rstrip()


def subcommands(help_text: str) -> list[str]:
    r"""The subcommands an argparse ``--help`` lists under its positional ``COMMAND`` / ``ACTION``.

    Examples
    --------
    >>> subcommands("positional arguments:\n  COMMAND\n    map       write\n\noptions:\n  -h")
    ['map']
    """
    names, inside = [], False
    for line in help_text.splitlines():
        if line.startswith("positional arguments:"):
            inside = True
        elif inside and line and not line.startswith(" "):
            break
        elif inside and re.match(r"^ {4}[a-z][\w-]*(\s|$)", line):
            names.append(line.split()[0])
    return names


@cache
def cli_help() -> dict[str, str]:
    """``--help`` of ``ntmgis`` and of every subcommand (found in the help itself), by command line.

    Examples
    --------
    >>> list(cli_help())[:3]
    ['ntmgis', 'ntmgis validate', 'ntmgis map']
    """
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    helps: dict[str, str] = {}
    pending: list[list[str]] = [[]]
    while pending:
        command = pending.pop(0)
        text = _help_text(command)
        helps[" ".join(["ntmgis", *command])] = text
        pending.extend([*command, name] for name in subcommands(text))
    return helps


def cli_help_markdown() -> str:
    """Every command's ``--help`` as Markdown sections with a text block each."""
    out = []
    for command, text in cli_help().items():
        out.append(f"### `{command} --help`\n\n```text\n{text}\n```\n")
    return "\n".join(out)


def page_language(src_uri: str) -> str:
    """The language of a page of ``docs/``: its first folder (``en/…`` → ``en``), else Vietnamese.

    Examples
    --------
    >>> page_language("en/reference/contracts.md"), page_language("vi/index.md")
    ('en', 'vi')
    """
    first = src_uri.split("/", 1)[0]
    return first if first in WORDS else "vi"


def render_markers(markdown: str, lang: str) -> str:
    """``markdown`` with every ``<!-- ntmgis:… -->`` marker replaced by its generated text."""
    makers = {
        "contracts": lambda: contracts_markdown(lang),
        "criteria-sets": lambda: criteria_sets_markdown(lang),
        "cli-help": cli_help_markdown,
    }
    for marker, make in makers.items():
        tag = f"<!-- ntmgis:{marker} -->"
        if tag in markdown:
            markdown = markdown.replace(tag, make())
    return markdown


def on_page_markdown(markdown: str, page: object, **_: object) -> str:
    """MkDocs event: fill the markers of a page (see the module docstring)."""
    src_uri = str(getattr(getattr(page, "file", None), "src_uri", ""))
    return render_markers(markdown, page_language(src_uri))

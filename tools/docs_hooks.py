"""MkDocs hook of the user guide (``hooks:`` in ``mkdocs.yml``): reference tables written at build time.

A page of ``docs/`` holds a marker comment where a table belongs; :func:`on_page_markdown` replaces
it with Markdown written from the package's own data, so the guide cannot drift from the code:

* ``<!-- ntmgis:contracts -->`` — one table per layer and table of ``ntmgis/contracts.yaml``
  (column, required or optional, type, allowed codes with the labels ``ntmgis/vocabulary.yaml``
  accepts for them);
* ``<!-- ntmgis:criteria-sets -->`` — the criteria sets of ``ntmgis/criteria/*.yaml`` (id, title,
  legal basis, dates in force, thresholds marked ``verified: false``);
* ``<!-- ntmgis:cli-help -->`` — ``ntmgis --help`` and every subcommand's ``--help``;
* ``<!-- ntmgis:workspace-keys -->`` — every key of workspace.yaml at every level, from its layout
  ``ntmgis/schemas/workspace.yaml`` (type, range, required) with the meaning, default and example
  of each key from ``ntmgis/schemas/workspace_docs.yaml``; a key of one without the other stops
  the build (:func:`workspace_docs_drift`).

The language of a page is the first folder of its path (``docs/vi/…``, ``docs/en/…``). The package
is imported from the checkout that holds ``mkdocs.yml``, never from another installed copy.
"""

from __future__ import annotations

import contextlib
import html
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

MARKERS = ("contracts", "criteria-sets", "cli-help", "workspace-keys")

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

# Words of the workspace.yaml key tables: the layout's types (ntmgis.schema) and the columns.
WORKSPACE_WORDS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "key": "Khóa",
        "type": "Kiểu",
        "default": "Mặc định",
        "meaning": "Ý nghĩa",
        "example": "Ví dụ",
        "required": "**bắt buộc**",
        "optional": "tùy chọn",
        "or": " hoặc ",
        "text": "chữ",
        "int": "số nguyên",
        "number": "số",
        "bool": "`true` / `false`",
        "year": "năm (1900–2100)",
        "mapping": "bảng khóa–giá trị",
        "list": "danh sách",
        "any": "bất kỳ",
        "range": "từ {low} đến {high}",
        "enum": "một trong {values}",
        "entry": "Các khóa của một mục `layers:` / `tables:`",
        "entry_intro": "Mỗi mục của `layers:` và `tables:` là một đường dẫn, hoặc một bảng với các khóa sau.",
    },
    "en": {
        "key": "Key",
        "type": "Type",
        "default": "Default",
        "meaning": "Meaning",
        "example": "Example",
        "required": "**required**",
        "optional": "optional",
        "or": " or ",
        "text": "text",
        "int": "integer",
        "number": "number",
        "bool": "`true` / `false`",
        "year": "year (1900–2100)",
        "mapping": "mapping",
        "list": "list",
        "any": "any",
        "range": "from {low} to {high}",
        "enum": "one of {values}",
        "entry": "The keys of a `layers:` / `tables:` entry",
        "entry_intro": "Each entry of `layers:` and `tables:` is a path, or a mapping with these keys.",
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


WorkspaceKey = tuple[str, Mapping[str, object], bool]


def _node(value: object) -> Mapping[str, object]:
    """A layout node (a mapping), or an empty one."""
    return value if isinstance(value, Mapping) else {}


def layout_key_paths(schema: Mapping[str, object]) -> list[WorkspaceKey]:
    """Every key of a layout (``ntmgis/schemas/*.yaml``) at every level: (dotted path, node, required).

    An open key (a layer name, a set id: ``values:`` of a mapping) is ``*``; a required key that is
    not among ``keys:`` (``layers: {required: [communes]}``) is listed by its name. A ``ref:`` is
    not followed: the keys of each of ``definitions:`` are listed under ``definitions.<name>``.

    Examples
    --------
    >>> schema = {"keys": {"network": {"type": "mapping", "keys": {"node": {"type": "bool"}}},
    ...                    "layers": {"required": ["communes"], "values": {"ref": "entry"}}},
    ...           "required": ["layers"], "definitions": {"entry": {"keys": {"path": {}}}}}
    >>> [path for path, _, required in layout_key_paths(schema)]
    ['network', 'network.node', 'layers', 'layers.communes', 'layers.*', 'definitions.entry.path']
    >>> [path for path, _, required in layout_key_paths(schema) if required]
    ['layers', 'layers.communes']
    """
    found: list[WorkspaceKey] = []

    def walk(node: Mapping[str, object], prefix: str) -> None:
        keys = _node(node.get("keys"))
        values = node.get("values")
        listed = node.get("required")
        required = [str(key) for key in listed] if isinstance(listed, list) else []
        for name, child in keys.items():
            path = f"{prefix}{name}"
            found.append((path, _node(child), name in required))
            if "ref" not in _node(child):
                walk(_node(child), f"{path}.")
        if isinstance(values, Mapping):
            # a required key of an open mapping (layers: communes) has the layout of every value
            found.extend((f"{prefix}{name}", values, True) for name in required if name not in keys)
            found.append((f"{prefix}*", values, False))
            if "ref" not in values:
                walk(values, f"{prefix}*.")
        items = node.get("items")
        if isinstance(items, Mapping):
            found.append((f"{prefix}[]", items, False))
            walk(items, f"{prefix}[].")

    walk(schema, "")
    for name, node in _node(schema.get("definitions")).items():
        walk(_node(node), f"definitions.{name}.")
    return found


def workspace_docs_drift(
    schema: Mapping[str, object], docs: Mapping[str, object]
) -> tuple[list[str], list[str]]:
    """The keys of the layout the docs do not describe, and the described keys the layout lacks.

    Examples
    --------
    >>> schema = {"keys": {"name": {"type": "text"}, "network": {"keys": {"node": {}}}}}
    >>> workspace_docs_drift(schema, {"name": {}, "network": {}, "network.snap_m": {}})
    (['network.node'], ['network.snap_m'])
    """
    paths = [path for path, _, _ in layout_key_paths(schema)]
    return [p for p in paths if p not in docs], [p for p in docs if p not in paths]


def _workspace_docs() -> tuple[dict[str, object], dict[str, object]]:
    """The workspace layout and its documentation, drift refused (the build stops, naming the keys)."""
    schema = _read_yaml(PACKAGE / "schemas" / "workspace.yaml")
    docs = _read_yaml(PACKAGE / "schemas" / "workspace_docs.yaml")
    missing, extra = workspace_docs_drift(schema, docs)
    if missing or extra:
        raise ValueError(
            "ntmgis/schemas/workspace_docs.yaml does not match ntmgis/schemas/workspace.yaml: "
            f"keys without docs {missing}, docs of no key {extra}"
        )
    return schema, docs


def _both(value: object, lang: str) -> str:
    """``{vi: …, en: …}`` in ``lang``; a plain value as it is; nothing as ""."""
    if isinstance(value, Mapping):
        return str(value.get(lang) or "")
    return "" if value is None else str(value)


def shown_path(path: str, docs: Mapping[str, object], lang: str) -> str:
    """A key path as the guide shows it: each open key ``*`` by its placeholder (``<lớp>``).

    A ``definitions.<name>.`` prefix is dropped: those keys are shown in their own table.

    Examples
    --------
    >>> docs = {"layers.*": {"placeholder": {"vi": "<lớp>", "en": "<layer>"}}}
    >>> shown_path("layers.*.path", docs, "en"), shown_path("definitions.entry.path", {}, "en")
    ('layers.<layer>.path', 'path')
    """
    parts = path.split(".")
    skip = 2 if parts[0] == "definitions" else 0
    shown = []
    for n, part in enumerate(parts[skip:], start=skip):
        if part == "*":
            entry = docs.get(".".join(parts[: n + 1]))
            part = _both(entry.get("placeholder") if isinstance(entry, Mapping) else None, lang) or "*"
        shown.append(part)
    return ".".join(shown)


def _type_text(node: Mapping[str, object], definitions: Mapping[str, object], lang: str) -> str:
    """The layout's type of one key in words, with its range or its values."""
    words = WORKSPACE_WORDS[lang]
    if "ref" in node:
        node = {**_node(definitions.get(str(node["ref"]))), **{k: v for k, v in node.items() if k != "ref"}}
    given = node.get("type", "any")
    kinds = [str(kind) for kind in given] if isinstance(given, list) else [str(given)]
    text = words["or"].join(words.get(kind, kind) for kind in kinds)
    if "min" in node or "max" in node:
        low, high = node.get("min", "−∞"), node.get("max", "∞")
        text += f", {words['range'].format(low=low, high=high)}"
    allowed = node.get("enum")
    if isinstance(allowed, list):
        text += f", {words['enum'].format(values=', '.join(f'`{v}`' for v in allowed))}"
    return text


def _key_code(path: str) -> str:
    """A key path as HTML code that may wrap after a dot or an underscore, not inside a word.

    Examples
    --------
    >>> _key_code("layers.<layer>.path"), _key_code("working_crs")
    ('<code>layers.<wbr>&lt;layer&gt;.<wbr>path</code>', '<code>working_<wbr>crs</code>')
    """
    escaped = html.escape(path, quote=False)
    return "<code>" + escaped.replace(".", ".<wbr>").replace("_", "_<wbr>") + "</code>"


def _key_row(
    path: str,
    node: Mapping[str, object],
    required: bool,
    docs: Mapping[str, object],
    definitions: Mapping[str, object],
    lang: str,
) -> str:
    words = WORKSPACE_WORDS[lang]
    entry = docs[path]
    entry = entry if isinstance(entry, Mapping) else {}
    need = words["required"] if required else _both(entry.get("required_when"), lang) or words["optional"]
    example = _both(entry.get("example"), lang)
    meaning = _both(entry.get("meaning"), lang) + (f"<br>{words['example']}: `{example}`" if example else "")
    cells = (
        _key_code(shown_path(path, docs, lang)),
        f"{_type_text(node, definitions, lang)}<br>{need}",
        _both(entry.get("default"), lang) or "—",
        meaning,
    )
    return "| " + " | ".join(_cell(cell) for cell in cells) + " |"


def workspace_keys_markdown(lang: str) -> str:
    """Tables of every key of workspace.yaml, one per top-level key, then the entry keys, in ``lang``.

    Examples
    --------
    >>> text = workspace_keys_markdown("en")
    >>> "### `network` {#network}" in text
    True
    >>> text = text.replace("<wbr>", "")
    >>> "| <code>network.snap_m</code> | number, from 0 to 100<br>optional |" in text
    True
    >>> "<code>layers.&lt;layer&gt;.columns</code>" in text  # the entry keys: in their own table
    False
    >>> "| <code>columns.&lt;contract column&gt;</code> |" in text
    True
    """
    words = WORKSPACE_WORDS[lang]
    schema, docs = _workspace_docs()
    definitions = _node(schema.get("definitions"))
    header = (
        f"| {words['key']} | {words['type']} | {words['default']} | {words['meaning']} |\n|---|---|---|---|"
    )
    groups: dict[str, list[str]] = {}
    for path, node, required in layout_key_paths(schema):
        parts = path.split(".")
        group = ".".join(parts[:2]) if parts[0] == "definitions" else parts[0]
        groups.setdefault(group, []).append(_key_row(path, node, required, docs, definitions, lang))
    out = []
    for group, rows in groups.items():
        if group.startswith("definitions."):
            name = group.split(".", 1)[1]
            out.append(f"### {words.get(name, name)} {{#{name}}}\n\n{words.get(name + '_intro', '')}\n")
        else:
            out.append(f"### `{group}` {{#{group}}}\n")
        out.append("\n".join([header, *rows]) + "\n")
    return "\n".join(out)


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
        "workspace-keys": lambda: workspace_keys_markdown(lang),
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

"""The workspace.yaml reference (docs/*/reference/workspace.md) cannot drift from the layout.

The key tables are written at build time from ``ntmgis/schemas/workspace.yaml`` (the layout
ntmgis checks a workspace.yaml against) and ``ntmgis/schemas/workspace_docs.yaml`` (the meaning,
default and example of each key, in both languages): a key of one without the other fails here
and stops the docs build.
"""

from __future__ import annotations

import copy
import html
import importlib.util
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from ntmgis.labels import words
from ntmgis.workspace.config import entry_key_problems

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCHEMAS = ROOT / "ntmgis" / "schemas"
LANGS = ("vi", "en")
FIELDS = {"meaning", "default", "example", "placeholder", "required_when"}


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _yaml(name: str) -> dict[str, object]:
    return yaml.safe_load((SCHEMAS / name).read_text(encoding="utf-8"))


def test_every_layout_key_is_documented_and_every_documented_key_exists(hooks: ModuleType) -> None:
    schema, docs = _yaml("workspace.yaml"), _yaml("workspace_docs.yaml")
    paths = [path for path, _, _ in hooks.layout_key_paths(schema)]
    # the walk reaches every level: top, nested, open keys, the required communes, the entry keys
    for path in (
        "name",
        "network.snap_m",
        "layers.communes",
        "layers.*",
        "criteria_overrides.*.*.*.by_group.*",
        "values.*.*.*",
        "definitions.entry.columns.*",
        "definitions.entry.query",
    ):
        assert path in paths, path
    assert len(paths) == len(set(paths)) >= 60
    assert hooks.workspace_docs_drift(schema, docs) == ([], [])


def test_a_key_added_to_the_layout_without_docs_is_caught(hooks: ModuleType) -> None:
    schema, docs = _yaml("workspace.yaml"), _yaml("workspace_docs.yaml")
    changed = copy.deepcopy(schema)
    changed["keys"]["network"]["keys"]["max_gap_m"] = {"type": "number"}
    changed["keys"]["colour"] = {"type": "mapping", "values": {"type": "text"}}
    changed["definitions"]["entry"]["keys"]["encoding"] = {"type": "text"}
    del changed["keys"]["market_radius_m"]
    missing, extra = hooks.workspace_docs_drift(changed, docs)
    assert missing == ["network.max_gap_m", "colour", "colour.*", "definitions.entry.encoding"]
    assert extra == ["market_radius_m"]


@pytest.fixture
def changed_package(hooks: ModuleType, tmp_path: Path) -> Iterator[Path]:
    """The hook reading a copy of the package's schemas, to be edited by the test."""
    (tmp_path / "schemas").mkdir()
    for name in ("workspace.yaml", "workspace_docs.yaml"):
        shutil.copy(SCHEMAS / name, tmp_path / "schemas" / name)
    before = hooks.PACKAGE
    hooks.PACKAGE = tmp_path
    try:
        yield tmp_path
    finally:
        hooks.PACKAGE = before


def test_the_build_stops_on_a_key_without_docs(hooks: ModuleType, changed_package: Path) -> None:
    rendered = hooks.workspace_keys_markdown("en").replace("<wbr>", "")
    assert "<code>network.snap_m</code>" in rendered  # the copy renders as it is
    layout = changed_package / "schemas" / "workspace.yaml"
    text = layout.read_text(encoding="utf-8")
    anchor = "      snap_m: {type: number, min: 0, max: 100}\n"
    assert anchor in text
    layout.write_text(text.replace(anchor, anchor + "      max_gap_m: {type: number}\n"), encoding="utf-8")
    for lang in LANGS:
        with pytest.raises(ValueError, match=r"keys without docs \['network.max_gap_m'\]"):
            hooks.render_markers("<!-- ntmgis:workspace-keys -->", lang)


def test_every_key_has_its_meaning_and_example_in_both_languages(hooks: ModuleType) -> None:
    docs = _yaml("workspace_docs.yaml")
    for path, entry in docs.items():
        assert isinstance(entry, dict) and set(entry) <= FIELDS, path
        assert entry.get("example"), path
        for field in ("meaning", "default", "placeholder", "required_when"):
            if field in entry or field == "meaning":
                texts = entry.get(field)
                assert isinstance(texts, dict) and all(texts.get(lang) for lang in LANGS), (path, field)
        assert entry["meaning"]["vi"] != entry["meaning"]["en"], path  # translated
        # an open key is shown by its placeholder, never as "*"
        assert (path.endswith("*")) == ("placeholder" in entry), path


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_shows_every_key_once_with_its_type(hooks: ModuleType, lang: str) -> None:
    page = (DOCS / lang / "reference" / "workspace.md").read_text(encoding="utf-8")
    assert "<!-- ntmgis:workspace-keys -->" in page
    markdown = hooks.render_markers(page, lang).replace("<wbr>", "")
    schema, docs = _yaml("workspace.yaml"), _yaml("workspace_docs.yaml")
    found = re.findall(r"^\| <code>([^|]+?)</code> \| ([^|]+) \|", markdown, re.M)
    rows = [(html.unescape(key), kind) for key, kind in found]
    shown = [key for key, _ in rows]
    expected = [hooks.shown_path(path, docs, lang) for path, _, _ in hooks.layout_key_paths(schema)]
    assert shown == expected
    assert "*" not in "".join(shown)
    kinds = dict(rows)
    number = {"vi": "số, từ 0 đến 100<br>tùy chọn", "en": "number, from 0 to 100<br>optional"}[lang]
    assert kinds["network.snap_m"].strip() == number
    example = {"vi": "Ví dụ", "en": "Example"}[lang]
    assert markdown.count(f"<br>{example}: `") == len(expected)  # every key has its example
    communes = markdown.split("<code>layers.communes</code>")[1]
    assert ("**bắt buộc**" if lang == "vi" else "**required**") in communes.splitlines()[0]


def _example(lang: str) -> str:
    """The complete example of the page, its comments (translated) left out."""
    page = (DOCS / lang / "reference" / "workspace.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```yaml\n(.*?)```", page, re.S)
    lines = (re.sub(r"\s+#.*$", "", line) for line in block.splitlines())
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def test_the_complete_example_is_valid_and_uses_every_top_level_key() -> None:
    assert _example("vi") == _example("en")
    config = yaml.safe_load(_example("en"))
    assert entry_key_problems(config, file="workspace.yaml") == []
    assert set(config) == set(_yaml("workspace.yaml")["keys"])
    assert set(config["layers"]["roads"]) == {"path", "layer", "columns"}


def test_a_wrong_type_points_to_the_page_in_the_problems_language() -> None:
    for lang in LANGS:
        action = words("problems", lang)["workspace_wrong_type.action"]
        page = f"docs/{lang}/reference/workspace.md"
        assert page in action, (lang, action)
        assert (ROOT / page).is_file()


def test_the_navigation_lists_the_page_in_both_languages() -> None:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "Tệp workspace.yaml: reference/workspace.md" in text
    assert "Tệp workspace.yaml: workspace.yaml" in text  # nav_translations

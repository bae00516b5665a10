"""The user guide (docs/, mkdocs.yml): it builds with --strict, in both languages, offline, and the
pages generated from the package's data (contracts, commands) say what the package does."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("vi", "en")

needs_mkdocs = pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("mkdocs", "material", "mkdocs_static_i18n")),
    reason="the docs extra is not installed (pip install -e '.[docs]')",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def _page(site: Path, lang: str, path: str) -> str:
    prefix = site if lang == "vi" else site / lang
    return (prefix / path).read_text(encoding="utf-8")


def _pages(lang: str) -> set[str]:
    return {str(p.relative_to(DOCS / lang)) for p in (DOCS / lang).rglob("*.md")}


def test_every_page_exists_in_both_languages_and_is_translated() -> None:
    assert _pages("vi") == _pages("en")
    assert {"index.md", "own-data.md", "reference/contracts.md", "reference/cli.md"} <= _pages("vi")
    for page in _pages("vi"):
        vi, en = ((DOCS / lang / page).read_text(encoding="utf-8") for lang in LANGS)
        assert vi.splitlines()[0] != en.splitlines()[0], page  # the titles differ: a translation


@needs_mkdocs
def test_site_is_built_in_both_languages(site: Path) -> None:
    for page in _pages("vi"):
        html = page.replace(".md", ".html")
        assert '<html lang="vi"' in _page(site, "vi", html), html
        assert '<html lang="en"' in _page(site, "en", html), html
    # the language switch of a page leads to the same page in the other language
    assert 'href="en/own-data.html" hreflang="en"' in _page(site, "vi", "own-data.html")
    assert 'href="../own-data.html" hreflang="vi"' in _page(site, "en", "own-data.html")


@needs_mkdocs
def test_no_marker_is_left_unfilled(site: Path) -> None:
    for html in site.rglob("*.html"):
        assert "<!-- ntmgis:" not in html.read_text(encoding="utf-8"), html


def _section(html: str, name: str) -> str:
    """The HTML of the contracts page from the heading of ``name`` to the next heading."""
    start = re.search(rf"<h3[^>]*><code>{re.escape(name)}</code>", html)
    assert start, f"no section for {name}"
    end = re.search(r"<h[23]", html[start.end() :])
    return html[start.end() : start.end() + end.start()] if end else html[start.end() :]


@needs_mkdocs
@pytest.mark.parametrize("lang", LANGS)
def test_contracts_page_lists_every_layer_column_and_code(site: Path, lang: str) -> None:
    contracts = yaml.safe_load((ROOT / "ntmgis" / "contracts.yaml").read_text(encoding="utf-8"))
    vocabulary = yaml.safe_load((ROOT / "ntmgis" / "vocabulary.yaml").read_text(encoding="utf-8"))
    html = _page(site, lang, "reference/contracts.html")
    specs = {**contracts["layers"], **contracts["tables"]}
    assert len(specs) >= 10
    for name, spec in specs.items():
        section = _section(html, name)
        for need in ("required", "optional"):
            for column in spec.get(need, []):
                assert re.search(rf"<td><code>{re.escape(column)}</code></td>", section), (name, column)
        for column, vocab in spec.get("vocab", {}).items():
            row = re.search(rf"<td><code>{re.escape(column)}</code></td>.*?</tr>", section, re.S)
            assert row, (name, column)
            for code, entry in vocabulary[vocab].items():
                assert f"<code>{code}</code>" in row.group(0), (name, column, code)
                for alias in entry.get("aliases", []):
                    assert alias.replace("&", "&amp;") in row.group(0), (name, column, alias)


# An asset the browser would fetch: a script, stylesheet, image, frame, font or CSS url()/@import.
_EXTERNAL_ASSET = re.compile(
    r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|@import\s+[\"']?(?:url\()?[\"']?(?:https?:)?//",
    re.I,
)


def test_external_asset_pattern_catches_what_it_must() -> None:
    assert _EXTERNAL_ASSET.search('<link rel="stylesheet" href="https://fonts.googleapis.com/css?x">')
    assert _EXTERNAL_ASSET.search('<script src="//cdn.example/x.js"></script>')
    assert _EXTERNAL_ASSET.search("@import url(https://fonts.googleapis.com/css2)")
    assert not _EXTERNAL_ASSET.search('<link rel="stylesheet" href="assets/main.css">')
    assert not _EXTERNAL_ASSET.search('<svg xmlns="http://www.w3.org/2000/svg">')


@needs_mkdocs
def test_built_site_fetches_nothing_from_the_network(site: Path) -> None:
    files = [*site.rglob("*.html"), *site.rglob("*.css")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = _EXTERNAL_ASSET.search(text)
        assert found is None, (path, text[found.start() : found.start() + 120] if found else "")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text, path


def _subcommands(parser: argparse.ArgumentParser, prefix: str = "ntmgis") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix} {name}")
                found.extend(_subcommands(sub, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_cli_page_mentions_every_subcommand(lang: str) -> None:
    from ntmgis.cli import _parser

    commands = _subcommands(_parser())
    assert {"ntmgis validate", "ntmgis map", "ntmgis scenario run"} <= set(commands)
    # the hand-written part of the page (the generated --help below the marker does not count)
    written = (
        (DOCS / lang / "reference" / "cli.md").read_text(encoding="utf-8").split("<!-- ntmgis:cli-help")[0]
    )
    for command in commands:
        assert f"`{command}" in written, f"{command} is not described on docs/{lang}/reference/cli.md"


@needs_mkdocs
def test_cli_page_carries_every_commands_help(site: Path) -> None:
    html = _page(site, "en", "reference/cli.html")
    for option in ("--market-radius", "--as-of", "--node-roads", "--strict", "--no-map", "--force"):
        assert option in html, option


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def _api_block(lang: str, number: int) -> str:
    """The ``number``-th Python block of the API page, its comments left out (they are translated)."""
    block = _python_blocks(DOCS / lang / "reference" / "api.md")[number]
    return "\n".join(line.split("  #")[0].rstrip() for line in block.splitlines())


def test_api_example_runs_and_is_the_same_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert _api_block("vi", 0) == _api_block("en", 0)
    exec(compile(_api_block("en", 0), "docs/en/reference/api.md", "exec"), {})
    out = capsys.readouterr().out
    assert "qd318_2022_xa" in out and "segments_to_upgrade" in out


def test_from_layers_example_runs_and_says_what_the_page_says(capsys: pytest.CaptureFixture[str]) -> None:
    assert _api_block("vi", 1) == _api_block("en", 1)
    assert "Workspace.from_layers" in _api_block("en", 1)
    exec(compile(_api_block("en", 1), "docs/en/reference/api.md", "exec"), {})
    out = capsys.readouterr().out
    # the values the example's comments promise
    assert "<roads> None" in out
    assert "<communes> missing required column(s) ['commune_code']" in out
    assert "['be_tong']" in out
    assert "missing required column(s) ['road_class']" in out


def test_no_page_is_left_pending() -> None:
    """Sections written before their feature landed were marked ``<!-- pending: … -->``."""
    pending = [
        f"{page.relative_to(ROOT)}:{number}"
        for page in sorted(DOCS.rglob("*.md"))
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
        if "pending:" in line.lower()
    ]
    assert pending == [], pending


def test_hook_examples_run() -> None:
    import doctest
    import importlib.util as util

    spec = util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = doctest.testmod(module)
    assert result.attempted >= 5 and result.failed == 0


def test_closing_example_runs_and_is_the_same_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    number = next(
        n for n, b in enumerate(_python_blocks(DOCS / "en" / "reference" / "api.md")) if ".closing" in b
    )
    assert _api_block("vi", number) == _api_block("en", number)
    exec(compile(_api_block("en", number), "docs/en/reference/api.md", "exec"), {})
    out = capsys.readouterr().out
    # what the example's comments promise
    assert "tan_yen_2021_2025 (2021, 2025) (datetime.date(2025, 12, 31), datetime.date(2025, 6, 30))" in out
    assert all(verdict in out for verdict in ("not_scheduled", "never_achieved", "on_time"))


@pytest.mark.parametrize("lang", LANGS)
def test_api_page_names_every_public_field(lang: str) -> None:
    """Every field of a Workspace, an Assessment and its closing account is on the API page."""
    import dataclasses

    from ntmgis.assessment import Assessment
    from ntmgis.criteria.closing import ClosingAccount
    from ntmgis.workspace import Workspace

    text = (DOCS / lang / "reference" / "api.md").read_text(encoding="utf-8")
    for cls in (Workspace, Assessment, ClosingAccount):
        for field in dataclasses.fields(cls):
            if not field.name.startswith("_"):
                assert re.search(rf"`{field.name}[`(]", text), (cls.__name__, field.name)
    for member in ("crosswalk", "unit_period", "closing", "verdicts(", "has_plan"):
        assert f"`{member}" in text, member


@needs_mkdocs
@pytest.mark.parametrize("lang", LANGS)
def test_workspace_page_shows_every_key_of_the_layout(site: Path, lang: str) -> None:
    import html as html_lib

    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    schema = yaml.safe_load((ROOT / "ntmgis" / "schemas" / "workspace.yaml").read_text(encoding="utf-8"))
    docs = yaml.safe_load((ROOT / "ntmgis" / "schemas" / "workspace_docs.yaml").read_text(encoding="utf-8"))
    page = _page(site, lang, "reference/workspace.html").replace("<wbr>", "")
    for path, _, _ in hooks.layout_key_paths(schema):
        shown = html_lib.escape(hooks.shown_path(path, docs, lang), quote=False)
        assert f"<td><code>{shown}</code></td>" in page, (lang, path)
    assert 'id="entry"' in page and 'id="network"' in page

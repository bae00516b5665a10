"""Problems speak the command's language: catalogue keys, their vi/en texts, the call sites, the CLI.

Every ``Problem.of("problems.<name>", ..., **params)`` in the package names a key of
``ntmgis/catalogue/problems.yaml`` that has a Vietnamese and an English problem and action, and
passes exactly the fields those texts name. Files that still build a Problem without a key are an
explicit allow-list that can only shrink.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from ntmgis.labels import words
from ntmgis.problems import Params, Problem, ProblemReport, template_fields

PACKAGE = Path(__file__).resolve().parents[1] / "ntmgis"

# Files that may construct Problem(...) without a catalogue key: none, every problem has vi and en.
KEYLESS_ALLOWED: set[str] = set()


def _catalogue() -> dict[str, dict[str, str]]:
    return {lang: dict(words("problems", lang)) for lang in ("vi", "en")}


def _names() -> set[str]:
    return {k.rsplit(".", 1)[0] for k in words("problems", "en") if k.endswith((".problem", ".action"))}


def _keys(node: ast.expr) -> list[str] | None:
    """The catalogue keys a key argument can take (both branches of ``a if c else b``), None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _keys(node.body), _keys(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.JoinedStr) and len(node.values) == 2:  # f"problems.{key}" in a helper
        return None
    return None


_WHERE = {"file", "layer", "feature", "severity", "count"}


def _calls() -> list[tuple[str, int, list[str], set[str]]]:
    """(file, line, keys, param names) of every Problem.of(...) with a literal key."""
    found = []
    names = _names()
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "of"
                and getattr(func.value, "id", "") == "Problem"
            ):
                keys = _keys(node.args[0]) if node.args else None
            else:  # a helper taking a bare name and forwarding it: _refuse(path, layer, "file_type", ...)
                named = [a.value for a in node.args if isinstance(a, ast.Constant) and a.value in names]
                keys = [f"problems.{named[0]}"] if len(named) == 1 else None
            if keys is None or any(k.arg is None for k in node.keywords):
                continue  # the helper itself, forwarding its own key and **params
            params = {k.arg for k in node.keywords if k.arg not in _WHERE}
            found.append((str(path.relative_to(PACKAGE)), node.lineno, keys, params))
    return found


def test_every_key_has_vi_and_en_problem_and_action():
    catalogue = _catalogue()
    assert set(catalogue["vi"]) == set(catalogue["en"])
    for name in _names():
        for part in ("problem", "action"):
            for lang in ("vi", "en"):
                assert catalogue[lang].get(f"{name}.{part}"), (name, part, lang)
            vi, en = (template_fields(catalogue[lang][f"{name}.{part}"]) for lang in ("vi", "en"))
            assert vi == en, (name, part, vi, en)


def test_every_call_site_names_a_key_and_exactly_its_fields():
    names = _names()
    calls = _calls()
    assert len(calls) > 60  # the scan finds the converted sites
    used = set()
    for file, line, keys, params in calls:
        for key in keys:
            area, _, name = key.partition(".")
            assert area == "problems" and name in names, f"{file}:{line}: no catalogue key {key!r}"
            en = words("problems", "en")
            fields = template_fields(en[f"{name}.problem"]) | template_fields(en[f"{name}.action"])
            assert params == fields, f"{file}:{line}: {key} takes {sorted(fields)}, gets {sorted(params)}"
            used.add(name)
    named = {n for n in names if f'"problems.{n}"' in _source()}  # keys chosen from a table
    assert names - used - named == set(), "catalogue keys no call site uses"


def _source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))


def _keyless_files() -> set[str]:
    """Files with a ``Problem(...)`` call (the positional constructor, no key)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem":
                if not any(k.arg == "key" for k in node.keywords):
                    found.add(str(path.relative_to(PACKAGE)))
    return found


def test_only_the_allow_listed_files_build_problems_without_a_key():
    assert _keyless_files() == KEYLESS_ALLOWED


_ENGLISH = re.compile(
    r"\b(the|is|are|not|of|with|and|has|no|file|column|value|row|check|write|use|refused|layer)\b"
)
_ALLOWED = {"no"}  # never alone: a word that a Vietnamese sentence would not use


def _fill(template: str) -> str:
    return template.replace(":word}", "}").format(**{name: "X" for name in template_fields(template)})


@pytest.mark.parametrize("part", ["problem", "action"])
def test_vietnamese_texts_have_no_leftover_english(part):
    catalogue = _catalogue()["vi"]
    for name in sorted(_names()):
        text = _fill(catalogue[f"{name}.{part}"])
        # Technical words the officer types are kept: YAML keys, commands, code-like tokens.
        plain = re.sub(
            r"`[^`]*`|\b[\w.]+:|--[\w-]+|\b\w+_\w+\b|\([^()]*[A-Z]{3,}[^()]*\)|\bquery\b", " ", text
        )
        english = set(_ENGLISH.findall(plain)) - _ALLOWED
        assert not english, f"{name}.{part}: {text!r} has English {sorted(english)}"


def test_params_are_immutable_and_hashable():
    p = Problem.of("problems.csv_not_utf8", file="a.csv", layer="markets", encoding="cp1258")
    assert isinstance(p.params, Params) and hash(p) == hash(
        Problem.of("problems.csv_not_utf8", file="a.csv", layer="markets", encoding="cp1258")
    )
    with pytest.raises(TypeError):
        p.params["encoding"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        Params(values=["a"])  # type: ignore[arg-type]
    assert p.problem == "CSV is not UTF-8; read as cp1258"
    assert p.text("vi") == (
        "tệp CSV không phải UTF-8; đã đọc theo cp1258",
        words("problems", "vi")["csv_not_utf8.action"],
    )
    assert p.text("en") == (p.problem, p.action)


def _mixed_report() -> ProblemReport:
    def unknown(i: int, value: str) -> Problem:
        return Problem.of(
            "problems.cost_unknown_code",
            file="c.csv",
            layer="unit_costs",
            feature=f"rows {i}",
            severity="error",
            column="road_class",
            value=repr(value),
            vocab="road_class",
            known="a, b",
        )

    return ProblemReport(
        (
            unknown(2, "sỏi"),
            unknown(3, "sỏi"),
            unknown(4, "đất"),
            *(
                Problem.of(
                    "problems.coordinate_empty",
                    file="v.csv",
                    layer="villages",
                    feature=f"row {i}",
                    x="lon",
                    y="lat",
                )
                for i in range(5)
            ),
            Problem("x.gpkg", "communes", "", "missing required column(s) ['kind']", "add it", "error"),
        )
    )


def test_kinds_group_identically_in_vi_and_en():
    report = _mixed_report()
    vi, en = report.kinds("vi"), report.kinds("en")
    columns = ["severity", "file", "layer", "count", "examples"]
    assert vi[columns].equals(en[columns]) and len(vi) == 4
    assert "giá trị" not in " ".join(en["problem"]) and "tọa độ lon/lat bị trống" in " ".join(vi["problem"])
    assert list(en["count"]) == [2, 1, 1, 5]
    lines = report.format(lang="vi").splitlines()
    assert lines[0].startswith("[lỗi] đơn giá (c.csv) ×2: road_class 'sỏi' không phải mã hay nhãn")
    assert (
        report.format(lang="en").splitlines()[0].startswith("[error] unit_costs (c.csv) ×2: road_class 'sỏi'")
    )
    assert ProblemReport().format(lang="vi") == "không có vấn đề nào"
    frame = report.to_frame("vi")
    assert list(frame.columns) == list(ProblemReport.COLUMNS) and frame["severity"].iloc[0] == "error"


def _bad_workspace(tmp_path: Path) -> Path:
    import geopandas as gpd

    from ntmgis.cli import main

    folder = tmp_path / "ws"
    assert main(["sample", "-o", str(folder)]) == 0
    markets = gpd.read_file(folder / "layers" / "markets.gpkg").to_crs(4326)
    table = markets.drop(columns="geometry").assign(lon=markets.geometry.x, lat=markets.geometry.y)
    table.loc[table.index[0], ["lon", "lat"]] = None  # a market without coordinates
    table.to_csv(folder / "layers" / "markets.csv", index=False)
    config = folder / "workspace.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("{path: layers/markets.gpkg, layer: markets}", "{path: layers/markets.csv}")
    config.write_text(
        text.replace("facilities: {path: layers/facilities.gpkg", "facilities: {path: nowhere.gpkg"),
        encoding="utf-8",
    )
    return config


def test_cli_validate_speaks_vietnamese_by_default_and_english_on_request(tmp_path, capsys):
    from ntmgis.cli import main

    workspace = _bad_workspace(tmp_path)
    capsys.readouterr()
    vi_code = main(["validate", str(workspace)])
    vi = capsys.readouterr().err
    en_code = main(["validate", str(workspace), "--lang", "en"])
    en = capsys.readouterr().err
    assert vi_code == en_code
    assert vi_code == 2
    assert (
        "tọa độ lon/lat bị trống, vô hạn hoặc không phải là số" in vi and "đối tượng không có hình học" in vi
    )
    assert "coordinate lon/lat is empty, infinite or not a number" in en and "[warning]" in en
    assert "is empty, infinite" not in vi and "[cảnh báo]" in vi
    out = tmp_path / "problems.csv"
    main(["validate", str(workspace), "--out", str(out)])
    import pandas as pd

    rows = pd.read_csv(out)
    assert rows["problem"].str.contains("tọa độ lon/lat bị trống").any()


def _word_codes() -> list[str]:
    return sorted(k for k in words("problems", "en") if k.startswith(("word_", "layer_", "feature_")))


@pytest.mark.parametrize("name", _word_codes())
def test_the_words_of_codes_are_vietnamese(name):
    vi = words("problems", "vi")[name]
    plain = re.sub(r"\b[\w.]+\.yaml\b|\b\w+_\w+\b|true/false", " ", vi)
    assert not set(_ENGLISH.findall(plain)), (name, vi)


def test_codes_passed_into_a_sentence_are_written_in_the_sentence_language():
    def unmatched(side: str, other: str) -> Problem:
        return Problem.of(
            "problems.name_unmatched", layer="commune_status", side=side, name="'Phuc Hoa'", other=other
        )

    assert (
        unmatched("row", "communes").text("vi")[0]
        == "tên 'Phuc Hoa' ở bảng trạng thái không khớp tên nào ở lớp xã"
    )
    assert unmatched("row", "communes").problem == "row name 'Phuc Hoa' has no match in communes"
    assert (
        unmatched("villages", "row").text("vi")[0].endswith("ở lớp thôn không khớp tên nào ở bảng trạng thái")
    )
    reach = Problem.of("problems.market_reach", layer="villages", feature="V1", status="too_far")
    assert reach.text("vi")[0] == "khả năng đến chợ: quá xa mạng đường (không tính được theo đường)"
    assert reach.problem == "market reach: too_far"
    name = Problem.of("problems.pg_bad_name", what="schema", name="'1x'")
    assert name.text("vi")[0].startswith("tên lược đồ '1x' không phải") and name.problem.startswith(
        "schema name"
    )
    unknown_word = Problem.of("problems.market_reach", status="new_status")  # no word: written as given
    assert unknown_word.text("vi")[0] == "khả năng đến chợ: new_status"


def test_a_threshold_without_a_region_says_so_in_each_language():
    import pandas as pd

    from ntmgis.criteria.regions import missing_regional_thresholds

    rows = pd.DataFrame(
        {
            "criteria_set": ["qd318_2022_xa"],
            "indicator": ["2.2"],
            "level": ["ntm"],
            "threshold_note": ["region not given"],
            "inherited_from": [None],
        }
    )
    [problem] = missing_regional_thresholds(rows, None, 3)
    assert problem.problem.startswith("no threshold for region no region (no province, no region:) in ")
    vi = problem.text("vi")[0]
    assert vi.startswith("không có ngưỡng cho vùng chưa xác định (workspace.yaml không ghi tỉnh")
    assert problem.feature == ""


def test_the_problem_lists_name_layers_in_their_language():
    report = ProblemReport((Problem.of("problems.file_not_found", file="d/roads.gpkg", layer="roads"),))
    assert report.format(lang="vi").startswith(
        "[cảnh báo] đường giao thông (roads.gpkg) ×1: không tìm thấy tệp"
    )
    assert report.format(lang="en").startswith("[warning] roads (roads.gpkg) ×1: file not found")
    assert list(report.kinds("vi")["layer"]) == ["roads"]  # the kinds keep the id; lists and sheets name it


#: vi texts that still write a YAML key which is also an English stop word (``values:``, ``region:``,
#: ``FROM``); the list may only shrink.
STOP_WORDS_IN_VI: set[str] = set()  # YAML keys in vi texts are in backticks, as code


def test_vietnamese_texts_do_not_make_english_words_vietnamese():
    """test_output_language's detector counts a word of a vi text as Vietnamese: an English stop word
    written in a vi text ("value:", "period:") would blind it to that word in every output."""
    from test_output_language import STOP_WORDS

    found = set()
    for name, text in words("problems", "vi").items():
        # text in backticks is code, as the detector reads it
        prose = re.sub(r"`[^`]*`", " ", re.sub(r"\{[^}]*\}", " ", text))
        tokens = {re.sub(r"[^\w]", "", t).lower() for t in prose.split()}
        if tokens & STOP_WORDS:
            found.add(name)
    assert found == STOP_WORDS_IN_VI

"""The ntmgis command: help, exit codes 0/1/2, clear messages instead of tracebacks."""

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from workspace_builders import grid_communes, roads_for, write_workspace

import ntmgis
from ntmgis.cli import _parser, main
from ntmgis.datasets import get_path

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", ["validate", "map", "report", "scenario", "scenario run", "sample"])
def test_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([*command.split(), "--help"])
    assert info.value.code == 0
    assert "usage: ntmgis " + command in capsys.readouterr().out


def test_version_has_one_source(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"ntmgis {ntmgis.__version__}\n" == "ntmgis 0.1.0\n"
    # pyproject.toml reads the version from ntmgis.__version__ instead of spelling it again.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ntmgis.__version__"}


def test_python_m_ntmgis():
    result = subprocess.run(
        [sys.executable, "-m", "ntmgis", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ntmgis 0.1.0\n"


def test_help_imports_nothing_heavy_and_the_cli_module_stays_small():
    # ``ntmgis --help`` builds the parser (ntmgis.cli_parser) only: no pandas, geopandas or yaml.
    code = (
        "import sys; from ntmgis.cli import main\n"
        "try:\n    main(['report', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pandas', 'geopandas', 'shapely', 'pyogrio', 'openpyxl')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    for module in ("cli.py", "cli_parser.py"):
        assert len((ROOT / "ntmgis" / module).read_text(encoding="utf-8").splitlines()) <= 600, module


@pytest.mark.parametrize(
    "argv", [["validate"], ["map"], ["report"], ["scenario", "run", "s.yaml"], ["sample"]]
)
def test_o_is_short_for_out(argv):
    parser = _parser()
    assert parser.parse_args([*argv, "-o", "x.out"]).out == Path("x.out")
    assert parser.parse_args([*argv, "--out", "x.out"]).out == Path("x.out")


def _small_sample(monkeypatch):
    """write_sample without the 10 s generation: two small files stand for the sample's."""
    files = {"workspace.yaml": b"name: generated\n", "layers/commune_status.csv": b"generated\n"}
    monkeypatch.setattr("ntmgis.sample.generate_sample", lambda seed: None)
    monkeypatch.setattr("ntmgis.sample.sample_files", lambda sample: dict(files))
    return files


def test_sample_refuses_to_overwrite_an_edited_workspace(tmp_path, monkeypatch, capsys):
    files = _small_sample(monkeypatch)
    out = tmp_path / "ws"
    assert main(["sample", "-o", str(out)]) == 0
    assert main(["sample", "-o", str(out)]) == 0  # same content: nothing to protect
    edited = out / "layers" / "commune_status.csv"
    edited.write_bytes(b"edited by a planner\n")
    capsys.readouterr()
    assert main(["sample", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "layers/commune_status.csv" in err and "--force" in err and str(out) in err
    assert "workspace.yaml" not in err.split("(")[1]  # only the differing file is named
    assert edited.read_bytes() == b"edited by a planner\n"
    assert main(["sample", "-o", str(out), "--force"]) == 0
    assert edited.read_bytes() == files["layers/commune_status.csv"]


def test_sample_default_is_the_packaged_dataset_and_is_protected(monkeypatch, capsys):
    _small_sample(monkeypatch)  # both files exist in the dataset, with other content
    before = (get_path("tan_yen") / "workspace.yaml").read_bytes()
    assert main(["sample"]) == 2
    err = capsys.readouterr().err
    assert str(get_path("tan_yen")) in err and "--force" in err
    assert (get_path("tan_yen") / "workspace.yaml").read_bytes() == before


def test_validate_good_workspace_exit_0(tmp_path, capsys):
    assert main(["validate", str(write_workspace(tmp_path)), "--lang", "en"]) == 0
    assert "0 error(s)" in capsys.readouterr().err
    assert main(["validate", str(write_workspace(tmp_path))]) == 0  # Vietnamese by default
    assert "0 lỗi" in capsys.readouterr().err


def test_validate_bad_workspace_exit_2_and_csv_report(tmp_path, capsys):
    roads = roads_for(grid_communes())
    roads.loc[3, "surface"] = "soi"
    out = tmp_path / "problems.csv"
    workspace = str(write_workspace(tmp_path, roads=roads))
    assert main(["validate", workspace, "--out", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "unknown surface 'soi'" in err and "segment_id=R004" in err and "roads.gpkg" in err
    assert "unknown surface 'soi'" in out.read_text(encoding="utf-8")


def test_validate_strict_fails_on_repairs_exit_1(tmp_path):
    communes = grid_communes()
    communes["commune_code"] = communes["commune_code"].str.lstrip("0")  # Excel ate the zeros
    path = write_workspace(tmp_path, communes=communes)
    assert main(["validate", str(path)]) == 0
    assert main(["validate", str(path), "--strict"]) == 1


def test_validate_single_file(tmp_path, capsys):
    roads = roads_for(grid_communes())
    roads.loc[0, "segment_id"] = roads.loc[1, "segment_id"]
    path = tmp_path / "roads.geojson"
    roads.to_file(path)
    assert main(["validate", "--file", str(path), "--as", "roads", "--lang", "en"]) == 2
    assert "duplicate id in features 1, 2" in capsys.readouterr().err
    assert main(["validate", "--file", str(path), "--as", "nonsense"]) == 2


def test_bad_file_gives_message_not_traceback(tmp_path):
    path = tmp_path / "roads.gpkg"
    path.write_bytes(b"garbage")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ntmgis.cli",
            "validate",
            "--file",
            str(path),
            "--as",
            "roads",
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and "cannot read the file" in result.stderr


def test_map_of_bad_workspace_exits_2(tmp_path, capsys):
    assert main(["map", str(tmp_path / "missing"), "--out", str(tmp_path / "m.html"), "--lang", "en"]) == 2
    assert "workspace.yaml not found" in capsys.readouterr().err
    assert not (tmp_path / "m.html").exists()


def test_report_of_the_sample_writes_workbook_and_csvs(tmp_path):
    import openpyxl

    out = tmp_path / "report.xlsx"
    assert main(["report", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert len(book.sheetnames) >= 5
    first = book[book.sheetnames[0]]
    assert "minh họa" in str(next(first.iter_rows(max_row=1, values_only=True))[0])
    assert (tmp_path / "report_csv").is_dir()
    assert main(["report", "--as-of", "2023-13-01", "--out", str(tmp_path / "x.xlsx")]) == 2


@pytest.mark.parametrize(
    ("argv", "vi", "en"),
    [
        (
            ["map", "--png", "m.png", "--dpi", "5"],
            "'5' không nằm trong khoảng 72-600",
            "'5' is not within 72-600",
        ),
        (
            ["report", "--market-radius", "-3"],
            "'-3' không phải số mét dương",
            "'-3' is not a positive number of metres",
        ),
        (["report", "--closing-date", "2025-02-30"], "không phải ngày YYYY-MM-DD", "not a date YYYY-MM-DD"),
    ],
)
def test_a_refused_option_value_is_said_in_the_commands_language(argv, vi, en, capsys):
    for lang, said in (("vi", vi), ("en", en)):
        with pytest.raises(SystemExit) as info:
            main([*argv, *(["--lang", "en"] if lang == "en" else [])])
        assert info.value.code == 2
        assert said in capsys.readouterr().err


def test_the_comparison_and_the_plan_period_are_refused_in_the_commands_language(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: a\nas_of: 2025\n", encoding="utf-8")
    assert main(["scenario", "run", str(scenario), "--out", str(tmp_path / "c.csv")]) == 2
    assert "bảng so sánh là một tệp .xlsx; đã cho 'c.csv'" in capsys.readouterr().err
    assert main(["scenario", "run", str(scenario), "--lang", "en", "--out", str(tmp_path / "c.csv")]) == 2
    assert "the comparison is an .xlsx workbook; got 'c.csv'" in capsys.readouterr().err
    ws = write_workspace(tmp_path / "ws")
    out = str(tmp_path / "plan.yaml")
    assert main(["plan", "init", str(ws), "--period", "2030-2026", "--out", out]) == 2
    assert (
        "--period phải có dạng NĂM_ĐẦU-NĂM_CUỐI (2026-2030), không phải '2030-2026'"
        in capsys.readouterr().err
    )

"""The package is whole: a wheel installed outside the repository runs on its embedded sample.

The wheel is built from a copy of the project (so no ``build/`` or ``*.egg-info`` is left in the
checkout), installed with ``--no-deps`` into a fresh venv in ``tmp_path``, and given the test
interpreter's dependencies by a ``.pth`` line (paths listed in a ``.pth`` file are added to
``sys.path`` but their own ``.pth`` files are not run, so the checkout's editable-install finder
stays off; the test checks ``ntmgis`` is imported from the new venv). Commands then run from a
directory outside the repository.

Building needs Leaflet from ``npm ci``: without ``node_modules`` the test is skipped on a developer
machine, but it FAILS when ``CI`` is set (a CI run must prove the wheel works).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from ntmgis.maps import assets

ROOT = Path(__file__).resolve().parents[1]
LEAFLET = ROOT / "node_modules" / "leaflet"
SAMPLE_NOTE = "Dữ liệu minh họa"


def _clean_env() -> dict[str, str]:
    """The environment without anything that would point Python or ntmgis back at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "NTMGIS_WEB_ASSETS", "VIRTUAL_ENV")
    }
    env["PYTHONNOUSERSITE"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _copy_project(target: Path) -> Path:
    """The files a build reads: metadata, build step, package, and the pinned Leaflet."""
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "ntmgis",
        target / "ntmgis",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "vendor", "*.egg-info"),
    )
    shutil.copytree(
        LEAFLET, target / "node_modules" / "leaflet", ignore=shutil.ignore_patterns("src", "*.map", "*-src*")
    )
    return target


def _build_isolation_args() -> list[str]:
    """``--no-build-isolation`` when this interpreter has the pinned build backend (offline, fast);
    else pip builds in an isolated environment with the pinned one."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requires = pyproject["build-system"]["requires"]
    pinned = dict(r.split("==") for r in requires)
    try:
        have = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return []
    return ["--no-build-isolation"] if pinned.get("setuptools") == have else []


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not (LEAFLET / "package.json").is_file():
        reason = f"{LEAFLET} not found: run `npm ci` (make setup) to build the wheel"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI is set: the wheel test must run, not skip)")
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("wheel")
    (base / "src").mkdir()
    source = _copy_project(base / "src")
    wheelhouse = base / "wheelhouse"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(source),
            "--no-deps",
            "-q",
            "-w",
            str(wheelhouse),
            *_build_isolation_args(),
        ],
        cwd=base,
    )
    (wheel,) = wheelhouse.glob("ntmgis-*.whl")

    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        cwd=base,
    )
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base
        ).stdout.strip()
    )
    deps = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "_ntmgis_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    return {"wheel": wheel, "venv": venv, "python": python, "site": site, "cwd": elsewhere}


def test_wheel_carries_the_sample_and_leaflet_but_no_checkout_files(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    for path in (
        "workspace.yaml",
        "README.md",
        "boundaries/communes.gpkg",
        "boundaries/villages.gpkg",
        "layers/roads.gpkg",
        "layers/canals.gpkg",
        "layers/commune_status.csv",
    ):
        assert f"ntmgis/datasets/tan_yen/{path}" in names
    for path in ("package.json", "LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png"):
        assert f"ntmgis/maps/vendor/leaflet/{path}" in names
    assert "ntmgis/__main__.py" in names and "ntmgis/sample/networks.py" in names
    assert not any(n.startswith(("tests/", "node_modules/", "data/")) or n.endswith(".map") for n in names)
    assert not (ROOT / "ntmgis" / "maps" / "vendor").exists(), "the vendor folder is never in the checkout"


@pytest.fixture(scope="module")
def runs(installed: dict[str, Path]) -> dict[str, subprocess.CompletedProcess[str]]:
    """The commands, run at the same time (each takes seconds of imports and work)."""
    python, cwd = str(installed["python"]), installed["cwd"]
    ntmgis = str(installed["venv"] / "bin" / "ntmgis")
    commands = {
        "map": [ntmgis, "map", "-o", "m.html"],
        "report": [ntmgis, "report", "-o", "r.xlsx"],
        "version": [python, "-m", "ntmgis", "--version"],
        "load": [
            python,
            "-c",
            "import ntmgis, ntmgis.maps.assets as a; ws = ntmgis.load_workspace(); "
            "print(ws.name); print(ws.root); print(ntmgis.__file__); print(a.node_modules_dir())",
        ],
        "folium": [
            python,
            "-c",
            "import ntmgis; from ntmgis.assessment import assess; from ntmgis.maps import to_folium; "
            "ws = ntmgis.load_workspace(); to_folium(ws, assess(ws)).save('f.html')",
        ],
    }
    started = {
        name: subprocess.Popen(
            args, cwd=cwd, env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, args in commands.items()
    }
    results = {}
    for name, process in started.items():
        out, err = process.communicate(timeout=300)
        results[name] = subprocess.CompletedProcess(commands[name], process.returncode, out, err)
        assert process.returncode == 0, f"{' '.join(commands[name])} failed:\n{out}\n{err}"
    return results


def test_installed_package_is_imported_from_the_new_venv(installed, runs):
    lines = runs["load"].stdout.splitlines()
    assert Path(lines[2]).is_relative_to(installed["site"]), lines
    assert Path(lines[3]) == installed["site"] / "ntmgis" / "maps" / "vendor"


def test_folium_map_from_the_wheel_inlines_the_packaged_leaflet(installed, runs):
    html = (installed["cwd"] / "f.html").read_text(encoding="utf-8")
    assert "/* Leaflet 1.9.4 licence:" in html and "cdn.jsdelivr" not in html
    assert SAMPLE_NOTE in html


def test_map_from_another_directory(installed, runs):
    html = (installed["cwd"] / "m.html").read_text(encoding="utf-8")
    assert "/* Leaflet 1.9.4 licence:" in html and "L.map" in html
    assert SAMPLE_NOTE in html


def test_report_from_another_directory(installed, runs):
    cwd = installed["cwd"]
    assert (cwd / "r.xlsx").stat().st_size > 0 and (cwd / "r_csv").is_dir()


def test_python_m_ntmgis_version(runs):
    assert runs["version"].stdout == "ntmgis 0.1.0\n"


def test_load_workspace_reads_the_packaged_sample(installed, runs):
    lines = runs["load"].stdout.splitlines()
    assert lines[0] == "Tân Yên — mẫu minh họa (illustrative sample)"
    assert Path(lines[1]) == installed["site"] / "ntmgis" / "datasets" / "tan_yen"


# ---------------------------------------------------------------------------------------------
# Where the maps look for Leaflet (no build needed)
# ---------------------------------------------------------------------------------------------


def _fake_leaflet(root: Path, version: str = "1.9.4") -> Path:
    (root / "leaflet" / "dist").mkdir(parents=True)
    (root / "leaflet" / "package.json").write_text(f'{{"version": "{version}"}}', encoding="utf-8")
    (root / "leaflet" / "dist" / "leaflet.js").write_text("/* fake */", encoding="utf-8")
    return root


def test_packaged_assets_come_first_then_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("NTMGIS_WEB_ASSETS", raising=False)
    packaged, repo = tmp_path / "vendor", _fake_leaflet(tmp_path / "node_modules")
    monkeypatch.setattr(assets, "_PACKAGED", packaged)
    monkeypatch.setattr(assets, "_REPO_NODE_MODULES", repo)
    assert assets.find_web_asset("leaflet", "dist/leaflet.js").is_relative_to(repo)
    _fake_leaflet(packaged)
    assert assets.find_web_asset("leaflet", "dist/leaflet.js").is_relative_to(packaged)


def test_no_assets_anywhere_names_both_places(tmp_path, monkeypatch):
    monkeypatch.delenv("NTMGIS_WEB_ASSETS", raising=False)
    monkeypatch.setattr(assets, "_PACKAGED", tmp_path / "vendor")
    monkeypatch.setattr(assets, "_REPO_NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(assets.WebAssetNotFoundError) as info:
        assets.find_web_asset("leaflet", "dist/leaflet.js")
    message = str(info.value)
    assert str(tmp_path / "vendor" / "leaflet") in message and str(tmp_path / "node_modules") in message
    assert "npm ci" in message


def test_build_without_node_modules_fails_naming_npm_ci(tmp_path):
    (tmp_path / "ntmgis").mkdir()
    shutil.copy2(ROOT / "setup.py", tmp_path / "setup.py")
    (tmp_path / "ntmgis" / "__init__.py").write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "npm ci" in result.stderr and "node_modules" in result.stderr

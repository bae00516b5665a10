"""Issue 15 part 4: the outputs of one command are replaced as a set, whatever happens to the run.

Real ``ntmgis report`` subprocesses are killed (SIGINT, SIGKILL) at several points, run twice at
once, and refused before any work when their folder cannot be written or the disk is full.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workspace_builders import write_workspace

from ntmgis.cli import main
from ntmgis.io.output_set import STALE_AGE_S, is_staging, output_set, remove_stale

ROOT = Path(__file__).resolve().parents[1]


def _hashes(folder: Path) -> dict[str, str]:
    """Every output under ``folder`` (temporary folders excluded) and its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not any(is_staging(part) for part in p.relative_to(folder).parts)
    }


def _temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if is_staging(p.name) or p.name.endswith(".tmp")]


def _report(out: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "ntmgis.cli", "report", *extra, "--out", str(out / "r.xlsx")]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_staging(out: Path, proc: subprocess.Popen[str], *, with_file: bool) -> bool:
    """Poll until the run's temporary folder appears (holding a file when ``with_file``)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for stage in out.glob(f".ntmgis-{proc.pid}-*.tmp"):
            if not with_file or any(p.is_file() for p in stage.rglob("*")):
                return True
        time.sleep(0.005)
    return False


def _languages(out: Path) -> tuple[str, set[str]]:
    """The language of the workbook and the languages of its CSV files (a set of one run: one)."""
    import openpyxl

    book = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    first = book.sheetnames[0]
    book.close()
    langs = set()
    for csv in (out / "r_csv").glob("*.csv"):
        header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
        langs.add("vi" if "Ghi chú dữ liệu" in header else "en" if "Data note" in header else "?")
    return ("vi" if first == "Thông tin" else "en"), langs


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the complete outputs of one Vietnamese report of the sample."""
    out = tmp_path_factory.mktemp("outputs")
    proc = _report(out, "--lang", "vi")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


@pytest.mark.parametrize(
    ("signum", "with_file"),
    [(signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGKILL, False), (signal.SIGKILL, True)],
    ids=["int-assessing", "int-writing", "kill-assessing", "kill-writing"],
)
def test_a_killed_report_leaves_the_previous_set_intact(previous, signum, with_file):
    before = _hashes(previous)
    proc = _report(previous, "--lang", "en")
    caught = _wait_for_staging(previous, proc, with_file=with_file)
    if caught:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    if proc.returncode == 0:  # it finished before the signal: then the set is all of the new run
        assert _languages(previous) == ("en", {"en"})
        return
    assert caught
    if _hashes(previous) != before:  # the signal came during the renames (blocked): the new set
        assert _languages(previous) == ("en", {"en"})
    else:  # every previous output, byte for byte
        assert _languages(previous) == ("vi", {"vi"})
    if signum == signal.SIGINT:
        assert proc.returncode == 130
        assert [line for line in err.splitlines() if "SIGINT" in line] == err.strip().splitlines()[-1:]
        assert _temporaries(previous) == []  # removed on the way out
    else:
        assert proc.returncode == -signal.SIGKILL
        assert [p.name for p in _temporaries(previous)] != []  # left: cleaned by the next run


def test_the_next_run_removes_a_killed_runs_temporary_and_writes_a_whole_set(previous):
    proc = _report(previous, "--lang", "en")
    assert _wait_for_staging(previous, proc, with_file=False)
    proc.kill()
    proc.communicate(timeout=60)
    assert _temporaries(previous)
    proc = _report(previous, "--lang", "en")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "interrupted run" in err and err.count("interrupted run") == 1  # one info line
    assert _temporaries(previous) == []
    assert _languages(previous) == ("en", {"en"})


def test_sigterm_exits_143_and_removes_the_temporary(tmp_path):
    write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "ntmgis.cli",
        "report",
        str(tmp_path / "ws"),
        "--out",
        str(out / "r.xlsx"),
    ]
    out.mkdir()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    caught = _wait_for_staging(out, proc, with_file=False)
    if caught:
        proc.terminate()
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    if proc.returncode != 0:
        assert caught and proc.returncode == 143 and "SIGTERM" in err
        assert list(out.iterdir()) == []


def test_two_reports_at_once_leave_one_complete_set(tmp_path):
    write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ntmgis.cli", "report", str(tmp_path / "ws"), "--lang", lang]
            + ["--out", str(out / "r.xlsx")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for lang in ("vi", "en")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    workbook, csvs = _languages_small(out)
    assert csvs == {workbook}
    assert _temporaries(out) == []


def _languages_small(out: Path) -> tuple[str, set[str]]:
    """As :func:`_languages`, for a workspace without the sample note (language from the headers)."""
    import openpyxl

    book = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    workbook = "vi" if book.sheetnames[0] == "Thông tin" else "en"
    book.close()
    langs = set()
    for csv in (out / "r_csv").glob("*.csv"):
        header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
        langs.add("vi" if any(ord(c) > 127 for c in header) else "en")
    return workbook, langs


def _no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the work started")

    monkeypatch.setattr("ntmgis.cli._assess", refuse)


def _root_can_write_anyway(folder: Path) -> bool:
    try:
        (folder / "probe").write_text("x")
    except OSError:
        return False
    (folder / "probe").unlink()
    return True


def test_an_unwritable_folder_exits_2_before_work(tmp_path, monkeypatch, capsys):
    ws = write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.xlsx").write_bytes(b"previous")
    out.chmod(0o500)
    try:
        if _root_can_write_anyway(out):
            pytest.skip("this user writes in a read-only folder (root)")
        _no_work(monkeypatch)
        assert main(["report", str(ws), "--out", str(out / "r.xlsx"), "--lang", "en"]) == 2
    finally:
        out.chmod(0o700)
    assert f"the folder {out} is not writable" in capsys.readouterr().err
    assert (out / "r.xlsx").read_bytes() == b"previous"


def test_a_folder_the_user_may_not_write_exits_2_before_work(tmp_path, monkeypatch, capsys):
    """The same refusal for any user (root included): what ``access(2)`` says is believed."""
    ws = write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    out.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        "ntmgis.io.output_set.os.access", lambda p, mode: False if Path(p) == out else real_access(p, mode)
    )
    _no_work(monkeypatch)
    assert main(["report", str(ws), "--out", str(out / "r.xlsx"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert str(out / "r.xlsx") in err and "not writable" in err
    assert list(out.iterdir()) == []


def test_a_full_disk_exits_2_before_work_and_keeps_the_previous_output(tmp_path, monkeypatch, capsys):
    import shutil

    ws = write_workspace(tmp_path / "ws")
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.xlsx").write_bytes(b"previous" * 1000)
    monkeypatch.setattr(
        "ntmgis.io.output_set.shutil.disk_usage",
        lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 4096, 4096),
    )
    _no_work(monkeypatch)
    assert main(["report", str(ws), "--out", str(out / "r.xlsx"), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "4 KiB free" in err and str(out) in err
    assert (out / "r.xlsx").read_bytes() == b"previous" * 1000
    assert _temporaries(out) == []


def test_a_failure_inside_the_set_replaces_nothing(tmp_path):
    (tmp_path / "a.txt").write_text("old")
    with pytest.raises(RuntimeError), output_set([tmp_path / "a.txt", tmp_path / "b_csv"]) as stage:
        stage(tmp_path / "a.txt").write_text("new")
        raise RuntimeError("boom")
    assert (tmp_path / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_a_folder_of_outputs_is_swapped_whole(tmp_path):
    (tmp_path / "b_csv").mkdir()
    (tmp_path / "b_csv" / "gone.csv").write_text("old")
    with output_set([tmp_path / "b_csv"]) as stage:
        stage(tmp_path / "b_csv").mkdir()
        (stage(tmp_path / "b_csv") / "new.csv").write_text("new")
    assert [p.name for p in (tmp_path / "b_csv").iterdir()] == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b_csv"]


def test_stale_temporaries_are_recognised_by_dead_pid_or_age(tmp_path):
    dead = tmp_path / ".ntmgis-999999999-0a1b2c3d.tmp"
    alive = tmp_path / f".ntmgis-{os.getppid()}-0a1b2c3d.tmp"  # a live pid, young: another run's
    old = tmp_path / f".ntmgis-{os.getppid()}-deadbeef.tmp"
    mine = tmp_path / "report_csv"
    for folder in (dead, alive, old, mine):
        folder.mkdir()
    os.utime(old, (time.time() - STALE_AGE_S - 60,) * 2)
    assert sorted(p.name for p in remove_stale(tmp_path)) == sorted([dead.name, old.name])
    assert alive.exists() and mine.exists()

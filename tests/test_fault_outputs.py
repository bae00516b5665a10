"""Issue 15 part 4: the outputs of one command are replaced as a set, whatever happens to the run.

Real ``ntmgis report`` subprocesses of a small workspace written by the test are killed (SIGINT,
SIGKILL, SIGTERM) while assessing and while writing (found by polling for their temporary folder),
run beside another run, and refused before any work when their folder cannot be written or the disk
is full.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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


def _report(ws: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    """A real ``ntmgis report`` process writing the set (workbook, CSVs, GeoPackage) into ``out``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "ntmgis.cli", "report", str(ws), *extra, *_outputs(out)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _outputs(out: Path) -> list[str]:
    # The GeoPackage is written last, after the workbook and CSVs: a wide window to kill "during write".
    return ["--gpkg", str(out / "r.gpkg"), "--out", str(out / "r.xlsx")]


def _wait_for_staging(out: Path, proc: subprocess.Popen[str], *, with_file: bool) -> bool:
    """Poll until the run's temporary folder appears (holding a file when ``with_file``)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for stage in out.glob(f".ntmgis-{proc.pid}-*.tmp"):
            if not with_file or any(p.is_file() for p in stage.rglob("*")):
                return True
        time.sleep(0.002)
    return False


def _languages(out: Path) -> tuple[str, set[str]]:
    """The language of the workbook and the languages of its CSV files (a set of one run: one).

    The small workspace has no sample note: a CSV header with a Vietnamese letter is Vietnamese.
    """
    import openpyxl

    book = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    workbook = "vi" if book.sheetnames[0] == "Thông tin" else "en"
    book.close()
    langs = set()
    for csv in (out / "r_csv").glob("*.csv"):
        header = csv.read_text(encoding="utf-8-sig").splitlines()[0]
        langs.add("vi" if any(ord(c) > 127 for c in header) else "en")
    return workbook, langs


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small workspace written by the test (ten square communes, one road each): seconds a run."""
    return write_workspace(tmp_path_factory.mktemp("small") / "ws")


@pytest.fixture(scope="module")
def previous_set(small: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The complete outputs of one Vietnamese report of the small workspace (run once, copied)."""
    out = tmp_path_factory.mktemp("previous")
    assert main(["report", str(small), "--lang", "vi", "-q", *_outputs(out)]) == 0
    assert _languages(out) == ("vi", {"vi"}) and (out / "r.gpkg").is_file()
    return out


@pytest.fixture
def previous(previous_set: Path, tmp_path: Path) -> Path:
    """A copy of the previous set for one test to kill a run over."""
    return Path(shutil.copytree(previous_set, tmp_path / "out"))


@pytest.mark.parametrize(
    ("signum", "with_file"),
    [
        (signal.SIGINT, False),
        (signal.SIGINT, True),
        (signal.SIGKILL, False),
        (signal.SIGKILL, True),
        (signal.SIGTERM, False),
    ],
    ids=["int-assessing", "int-writing", "kill-assessing", "kill-writing", "term-assessing"],
)
def test_a_killed_report_leaves_the_previous_set_intact(small, previous, signum, with_file, capsys):
    before = _hashes(previous)
    proc = _report(small, previous, "--lang", "en")
    caught = _wait_for_staging(previous, proc, with_file=with_file)
    if caught:
        proc.send_signal(signum)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    assert caught, f"the run ended before its temporary folder was seen: {proc.returncode} {err}"
    if proc.returncode == 0:  # it finished before the signal: then the set is all of the new run
        assert _languages(previous) == ("en", {"en"})
        return
    if _hashes(previous) != before:  # the signal came during the renames (blocked): the new set
        assert _languages(previous) == ("en", {"en"})
    else:  # every previous output, byte for byte
        assert _languages(previous) == ("vi", {"vi"})
    if signum == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        assert [p.name for p in _temporaries(previous)] != []  # left: cleaned by the next run
        # The next run removes the killed run's temporary (one info line) and writes a whole set.
        capsys.readouterr()
        assert main(["report", str(small), "--lang", "en", "-q", *_outputs(previous)]) == 0
        said = capsys.readouterr().err
        assert "interrupted run" in said and said.count("interrupted run") == 1, said
        assert _temporaries(previous) == []
        assert _languages(previous) == ("en", {"en"})
        return
    name = "SIGINT" if signum == signal.SIGINT else "SIGTERM"
    assert proc.returncode == (130 if signum == signal.SIGINT else 143)
    assert [line for line in err.splitlines() if name in line] == err.strip().splitlines()[-1:]
    assert _temporaries(previous) == []  # removed on the way out


def test_two_reports_at_once_leave_one_complete_set(small, tmp_path):
    """A run in another process and one here, the second started while the first is at work."""
    out = tmp_path / "out"
    out.mkdir()
    other = _report(small, out, "--lang", "en")
    assert _wait_for_staging(out, other, with_file=False)
    assert main(["report", str(small), "--lang", "vi", "-q", *_outputs(out)]) == 0
    _, err = other.communicate(timeout=300)
    assert other.returncode == 0, err
    workbook, csvs = _languages(out)
    assert csvs == {workbook}
    assert _temporaries(out) == []


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


def test_a_signal_just_after_the_temporary_folder_is_made_leaves_none(tmp_path, monkeypatch):
    """Regression: a SIGTERM/SIGINT landing between the temporary folder's mkdir and its being
    recorded left the folder behind (seen once in 17 kills under load)."""
    from ntmgis.io import output_set as module

    real = module._make_staging

    def made_then_signalled(folder: Path) -> Path:
        staged = real(folder)
        os.kill(os.getpid(), signal.SIGINT)  # Python's handler raises KeyboardInterrupt
        time.sleep(0.05)
        return staged

    monkeypatch.setattr(module, "_make_staging", made_then_signalled)
    with pytest.raises(KeyboardInterrupt), output_set([tmp_path / "a.txt"]) as stage:
        stage(tmp_path / "a.txt").write_text("new")
    assert list(tmp_path.iterdir()) == []

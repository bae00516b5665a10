"""Progress on stderr: named steps on a terminal, nothing in a pipe or with --quiet."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workspace_builders import write_workspace

from ntmgis.cli import main
from ntmgis.progress import Progress, terminal_progress

STEPS_VI = ("đọc và kiểm tra dữ liệu", "đánh giá tiêu chí và khoảng trống", "ghi báo cáo")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_short_step_shows_nothing_a_long_one_its_name_and_time():
    stream = FakeTerminal()
    progress = terminal_progress(stream, after_s=0.2)
    with progress.step("quick"):
        pass
    assert stream.getvalue() == ""
    with progress.step("slow"):
        time.sleep(0.9)
    shown = stream.getvalue()
    assert shown.startswith("\r… slow (0 s)") and re.search(r"\r✓ slow \([01]\.\d s\)\x1b\[K\n$", shown)


def test_not_a_terminal_or_quiet_is_silent():
    for stream, quiet in ((io.StringIO(), False), (FakeTerminal(), True)):
        progress = terminal_progress(stream, quiet=quiet, after_s=0.0)
        assert not progress.enabled
        with progress.step("slow"):
            time.sleep(0.05)
        assert stream.getvalue() == ""


def test_a_failing_step_stops_its_display_and_raises():
    stream = FakeTerminal()
    progress = Progress(stream, enabled=True, after_s=0.0)
    with pytest.raises(KeyError), progress.step("broken"):
        time.sleep(0.05)
        raise KeyError("x")
    assert "broken" in stream.getvalue()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return write_workspace(tmp_path_factory.mktemp("progress"))


def test_report_in_a_pipe_prints_no_progress(workspace, tmp_path, capsys):
    assert (
        main(
            ["report", str(workspace), "--out", str(tmp_path / "r.xlsx"), "--no-csv", "--progress-after", "0"]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert not any(step in err for step in STEPS_VI) and "…" not in err.replace("… ", "")


def _report_on_a_terminal(workspace: Path, out: Path, *more: str) -> str:
    """stderr of ``ntmgis report`` run with a pseudo-terminal as stderr."""
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "ntmgis.cli", "report", str(workspace), "--out", str(out), "--no-csv"]
    child = subprocess.Popen([*command, *more], stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_report_on_a_terminal_names_its_steps(workspace, tmp_path):
    shown = _report_on_a_terminal(workspace, tmp_path / "r.xlsx", "--progress-after", "0")
    for step in STEPS_VI:
        assert f"✓ {step}" in shown


def test_report_on_a_terminal_with_quiet_prints_no_progress(workspace, tmp_path):
    shown = _report_on_a_terminal(workspace, tmp_path / "r.xlsx", "--progress-after", "0", "--quiet")
    assert not any(step in shown for step in STEPS_VI)

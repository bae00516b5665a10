"""The outputs of one command replaced as a set: staged in a temporary folder, then renamed into place.

Every output of a command (a report's workbook, its ``<stem>_csv/`` folder and GeoPackage; a map's
page and print; a scenario's workbook and diff maps) is written into one temporary folder beside
the targets, ``.ntmgis-<pid>-<token>.tmp`` (same folder, so the same filesystem), synced, and only
then moved into place, under an exclusive ``flock`` of the target folder.

The guarantee on POSIX
----------------------
* Each file is replaced by one ``rename(2)``: a reader sees the old file or the new one, never a
  part of either. A folder of outputs (``report_csv/``) is swapped by two renames (old folder into
  the temporary folder, new folder into place): a reader sees the old folder, the new one, or, for
  those microseconds, none.
* Nothing is moved before everything is written and synced; a failure, Ctrl-C or SIGTERM before
  that removes the temporary folder and leaves every previous output as it was.
* The renames run with SIGINT and SIGTERM blocked and under the folder lock, so neither Ctrl-C nor
  a concurrent run can interleave with them: two runs writing the same outputs leave the complete
  set of one of them.
* The limit: POSIX has no rename of several names at once. A ``kill -9`` or a power cut *during*
  the renames (microseconds, after all writing) can leave some outputs of the new run beside others
  of the old one, and ``flock`` does not hold across NFS clients. A temporary folder left by a
  killed run is recognised by its name, its dead pid (or an age over a day) and removed by the next
  run, which says so in one line.

Examples
--------
>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> with output_set([out / "a.txt", out / "b_csv"]) as stage:
...     _ = stage(out / "a.txt").write_text("new")
...     stage(out / "b_csv").mkdir()
...     _ = (stage(out / "b_csv") / "x.csv").write_text("1")
>>> sorted(p.name for p in out.iterdir())
['a.txt', 'b_csv']
"""

from __future__ import annotations

import fcntl
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

from ..problems import DataError, ParamValue, Problem

__all__ = ["STALE_AGE_S", "check_writable", "is_staging", "output_set", "remove_stale"]

#: A temporary folder older than this is stale even when its pid is alive (pid reuse).
STALE_AGE_S = 24 * 3600.0
_PATTERN = re.compile(r"^\.ntmgis-(\d+)-[0-9a-f]{8}\.tmp$")
_MIN_FREE = 1 << 20  # a command writes at least this much (a workbook, a page)


def is_staging(name: str) -> bool:
    """Whether ``name`` is the name of a temporary output folder (``.ntmgis-<pid>-<token>.tmp``).

    Examples
    --------
    >>> is_staging(".ntmgis-123-0a1b2c3d.tmp"), is_staging("report_csv")
    (True, False)
    """
    return _PATTERN.match(name) is not None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale(folder: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Remove the temporary output folders of killed runs in ``folder``; return what was removed.

    A folder is stale when its name matches, and its pid is not running or it is older than
    :data:`STALE_AGE_S`. One that cannot be removed is left (and ignored by every command).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> (out / ".ntmgis-999999999-0a1b2c3d.tmp").mkdir()
    >>> [p.name for p in remove_stale(out)]
    ['.ntmgis-999999999-0a1b2c3d.tmp']
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _PATTERN.match(entry.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            old = now - entry.stat(follow_symlinks=False).st_mtime > STALE_AGE_S
        except OSError:
            continue
        if old or not _alive(int(match.group(1))):
            shutil.rmtree(entry.path, ignore_errors=True)
            if not os.path.lexists(entry.path):
                removed.append(Path(entry.path))
    return removed


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size if path.is_file() else 0


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _refusal(path: Path, name: str, /, **params: ParamValue) -> DataError:
    """The refusal ``problems.<name>`` of an output (its words in ``ntmgis/catalogue/problems.yaml``)."""
    problem = Problem.from_params(
        f"problems.{name}", params, file=str(path), layer="output", severity="error"
    )
    return DataError([problem], problem.problem)


def check_writable(targets: Sequence[str | os.PathLike[str]], *, estimate: int | None = None) -> None:
    """Refuse (``DataError``) outputs whose folder is not writable or whose disk is nearly full.

    ``estimate`` is the bytes the outputs will take; by default the size of the previous outputs
    (a new run writes about as much), at least 1 MiB.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_writable([pathlib.Path(tempfile.mkdtemp()) / "report.xlsx"])
    """
    paths = [Path(t) for t in targets]
    for path in paths:
        existing = _existing_ancestor(path.parent)
        if not existing.is_dir():
            raise _refusal(path, "output_not_folder", path=str(path), folder=str(existing))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise _refusal(path, "output_not_writable", path=str(path), folder=str(existing))
    need = max(estimate if estimate is not None else sum(_size(p) for p in paths), _MIN_FREE)
    for folder in dict.fromkeys(_existing_ancestor(p.parent) for p in paths):
        free = shutil.disk_usage(folder).free
        if free < need:
            raise _refusal(
                folder, "output_disk_full", free=free // 1024, folder=str(folder), need=need // 1024
            )


def _make_staging(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stage = folder / f".ntmgis-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        stage.mkdir()
    except OSError as exc:
        raise _refusal(folder, "output_cannot_write", folder=str(folder), error=str(exc.strerror)) from exc
    return stage


def _fsync_tree(stage: Path) -> None:
    for path in sorted(stage.rglob("*"), reverse=True):  # files first, then their folders
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive ``flock`` of ``folder`` (the folder itself: no lock file is left behind)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _publish(stage: Path, folder: Path) -> None:
    """Move every entry of ``stage`` into ``folder``; a replaced folder goes into ``stage`` first."""
    for entry in sorted(stage.iterdir()):
        if entry.name.endswith(".old"):
            continue
        target = folder / entry.name
        if entry.is_dir() and target.is_dir() and not target.is_symlink():
            os.rename(target, stage / f"{entry.name}.old")
        os.replace(entry, target)
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held until the block ends, then acted on as they would have been.

    The thread mask alone does not hold them: another thread (GDAL's, BLAS') takes the signal and
    Python runs the handler in the main thread anyway; so the Python handlers defer it too.
    """
    if (
        sys.platform == "win32" or threading.current_thread() is not threading.main_thread()
    ):  # pragma: no cover
        yield
        return
    blocked = (signal.SIGINT, signal.SIGTERM)
    pending: list[tuple[int, FrameType | None]] = []
    handlers = {s: signal.signal(s, lambda signum, frame: pending.append((signum, frame))) for s in blocked}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, set(blocked))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held by the mask is deferred now
        for held, handler in handlers.items():
            signal.signal(held, handler)
        for number, frame in pending[:1]:  # acted on once, as the old handler would have
            old = handlers[signal.Signals(number)]
            if callable(old):
                old(number, frame)
            elif old == signal.SIG_DFL:
                signal.raise_signal(number)


@contextmanager
def output_set(
    targets: Iterable[str | os.PathLike[str]], *, on_stale: Callable[[list[Path]], None] | None = None
) -> Iterator[Callable[[str | os.PathLike[str]], Path]]:
    """Stage the outputs ``targets`` (files or folders) and replace them as a set when the block ends.

    The block receives ``stage``: ``stage(target)`` is where to write ``target`` (inside the
    temporary folder beside it). Targets not written in the block are left as they are. On any
    exception (including ``KeyboardInterrupt``) the temporary folders are removed and nothing is
    replaced. Stale temporary folders of killed runs are removed first (and given to ``on_stale``).
    See the module text for the exact guarantee.

    Raises
    ------
    DataError
        A folder that cannot be written (before any work).
    """
    paths = [Path(t) for t in targets]
    folders = list(dict.fromkeys(Path(os.path.abspath(p.parent)) for p in paths))
    stale = [p for f in folders for p in remove_stale(f)]
    if stale and on_stale is not None:
        on_stale(stale)
    stages: dict[Path, Path] = {}
    try:
        for folder in folders:
            with _signals_blocked():  # a signal between the mkdir and the record would leave it
                stages[folder] = _make_staging(folder)

        def stage(target: str | os.PathLike[str]) -> Path:
            path = Path(target)
            return stages[Path(os.path.abspath(path.parent))] / path.name

        yield stage
        for staged in stages.values():
            _fsync_tree(staged)
        with _signals_blocked(), ExitStack() as locks:
            for folder in sorted(stages):  # all locks first, in one order: no deadlock, no interleaving
                locks.enter_context(_locked(folder))
            for folder, staged in stages.items():
                _publish(staged, folder)
    finally:
        for staged in stages.values():
            shutil.rmtree(staged, ignore_errors=True)

"""The CLI's handling of outputs and interruptions: outputs replaced as a set, SIGINT/SIGTERM handled.

See :mod:`ntmgis.io.output_set` for the guarantee; this module only wires it to the commands.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["EXIT_INTERRUPTED", "Interrupted", "command_outputs", "interruptible"]

#: The exit code of a command stopped by Ctrl-C (128 + SIGINT, as a shell reports it).
EXIT_INTERRUPTED = 130

Stage = Callable[[str | os.PathLike[str]], Path]


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM received: unwinds like Ctrl-C so every temporary output is removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: object) -> None:
    raise Interrupted(signum)


@contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block; the old handlers come back after.

    Installed by the command-line entry only (a library caller keeps its own handlers).
    """
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    old = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in old.items():
            signal.signal(signum, handler)


@contextmanager
def command_outputs(args: argparse.Namespace, targets: Sequence[Path | None]) -> Iterator[Stage]:
    """Check the outputs can be written (exit 2 before any work), then stage them as one set.

    ``stage(target)`` is where the command writes ``target``; everything is moved into place
    when the block ends without error (:func:`ntmgis.io.output_set.output_set`).
    """
    from .cli import _say
    from .io.output_set import check_writable, output_set

    paths = [Path(t) for t in targets if t is not None]
    check_writable(paths)

    def said(stale: list[Path]) -> None:  # one info line
        line = _say(args, "stale_removed", count=len(stale), path=stale[0])
        print(f"ntmgis {args.command}: {line}", file=sys.stderr)

    with output_set(paths, on_stale=said) as stage:
        yield stage

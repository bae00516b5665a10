"""Progress of long commands on a terminal: the step being done, shown once it passes ~2 s.

The functional core never prints: the command line wraps its steps (read the workspace, assess,
write) in :meth:`Progress.step`. A step shorter than ``after_s`` shows nothing; a longer one shows
its name and the seconds spent, updated in place, and its time when done. Nothing is written
when the stream is not a terminal (a pipe, a file, a CI log) or when the user asked for quiet.

Examples
--------
>>> import io
>>> progress = Progress(io.StringIO(), enabled=True, after_s=0.0)
>>> with progress.step("đọc dữ liệu"):
...     pass
>>> "đọc dữ liệu" in progress.stream.getvalue()
True
>>> quiet = Progress(io.StringIO(), enabled=False)
>>> with quiet.step("đánh giá"):
...     pass
>>> quiet.stream.getvalue()
''
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

__all__ = ["Progress", "terminal_progress"]

_AFTER_S = 2.0  # steps shorter than this are not worth a line (the "steps over ~2 s")
_TICK_S = 0.5  # how often the seconds of a shown step are rewritten


@dataclass
class Progress:
    """Steps of one command shown on ``stream`` (stderr), or nothing when not ``enabled``."""

    stream: TextIO
    enabled: bool
    after_s: float = _AFTER_S

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Show ``name`` (and its seconds) while the block runs, once it has run ``after_s``."""
        if not self.enabled:
            yield
            return
        done = threading.Event()
        shown = threading.Event()
        start = time.perf_counter()

        def show() -> None:
            if done.wait(self.after_s):
                return
            shown.set()
            while True:
                self._write(f"\r… {name} ({time.perf_counter() - start:.0f} s)")
                if done.wait(_TICK_S):
                    return

        ticker = threading.Thread(target=show, name="ntmgis-progress", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
            if shown.is_set():
                self._write(f"\r✓ {name} ({time.perf_counter() - start:.1f} s)\033[K\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


def terminal_progress(stream: TextIO, *, quiet: bool = False, after_s: float = _AFTER_S) -> Progress:
    """Progress on ``stream`` when it is a terminal and the user did not ask for ``quiet``.

    Examples
    --------
    >>> import io
    >>> terminal_progress(io.StringIO()).enabled  # not a terminal: silent
    False
    """
    isatty = getattr(stream, "isatty", None)
    return Progress(stream, enabled=bool(isatty and isatty()) and not quiet, after_s=after_s)

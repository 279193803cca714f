"""A progress bar on a terminal's standard error, for the CLI.

The library only reports progress through a callback; this draws it, and only where a
person watches: standard error is a terminal, not a CI job, and the input takes more than
a second. Pipes, log files and CI logs get nothing, and standard output (where a report
may go) is never touched.
"""

from __future__ import annotations

import os
import time
from typing import TextIO

# Nothing is drawn for inputs that finish sooner: a bar that flashes is noise.
DELAY_SECONDS = 1.0
_REDRAW_SECONDS = 0.1
_WIDTH = 30
_LABELS = {"validate": "validating", "evaluate": "checking"}


def wanted(stream: TextIO) -> bool:
    """Whether a bar belongs on ``stream``: a terminal, outside CI, not a dumb one."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return terminal and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class ProgressBar:
    """Draws (stage, done, total) callbacks as one line rewritten in place."""

    def __init__(self, stream: TextIO, delay: float = DELAY_SECONDS) -> None:
        self._stream = stream
        self._started = time.monotonic()
        self._delay = delay
        self._drawn_at = 0.0
        self._shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Redraw the bar, at most ten times a second, once the delay has passed."""
        now = time.monotonic()
        if now - self._started < self._delay or (now - self._drawn_at < _REDRAW_SECONDS
                                                 and done < total):
            return
        self._drawn_at = now
        share = min(done / total, 1.0) if total > 0 else 1.0
        filled = int(share * _WIDTH)
        label = _LABELS.get(stage, stage)
        self._stream.write(f"\r{label:<11}[{'#' * filled}{'.' * (_WIDTH - filled)}] "
                           f"{share:4.0%}  {now - self._started:5.1f} s")
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the bar so that whatever follows starts on a clean line."""
        if self._shown:
            self._stream.write("\r\033[K")
            self._stream.flush()
            self._shown = False

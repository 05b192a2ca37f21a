"""A one-line progress display on stderr (no dependency, throttled)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """``Progress(label, total)``; call ``update(done)`` and ``close()``.

    On a terminal the line is redrawn in place; otherwise a line is written at most every
    ``every`` seconds, so logs stay short.
    """

    def __init__(
        self,
        label: str,
        total: float | None,
        unit: str = "",
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        every: float = 0.5,
    ):
        self.label, self.total, self.unit, self.enabled = label, total, unit, enabled
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = 0.1 if self.tty else every
        self.start = time.perf_counter()
        self.last = -1e9
        self.done = 0.0
        self.text = ""

    def _line(self) -> str:
        elapsed = time.perf_counter() - self.start
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            count = f"{self.done:,.0f}/{self.total:,.0f}{self.unit}" if self.unit != "%" else ""
            return f"{self.label} [{bar:<30}] {count}{' ' if count else ''}({frac:.0%}, {elapsed:.1f} s)"
        return f"{self.label} {self.done:,.0f}{self.unit} ({elapsed:.1f} s)"

    def update(self, done: float, text: str = "") -> None:
        self.done, self.text = done, text
        now = time.perf_counter()
        if not self.enabled or now - self.last < self.every:
            return
        self.last = now
        line = self._line() + (f" {text}" if text else "")
        self.stream.write(("\r" + line) if self.tty else line + "\n")
        self.stream.flush()

    def close(self, done: float | None = None) -> None:
        """Finish the line (``done``: the final amount, e.g. 100 % once a query returned)."""
        if done is not None:
            self.done = done
        if not self.enabled:
            return
        line = self._line() + (f" {self.text}" if self.text else "")
        self.stream.write(("\r" + line + "\n") if self.tty else line + "\n")
        self.stream.flush()

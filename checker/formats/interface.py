"""The contract every report formatter meets."""

from __future__ import annotations

from typing import Protocol

from checker.model import Report


class Formatter(Protocol):
    """Renders a report as text; formatters do no I/O and never print."""

    def render(self, report: Report) -> str:
        """Return the whole rendered report."""
        ...

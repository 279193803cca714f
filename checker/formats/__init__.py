"""Report formatters, picked by name from a plain registry."""

from __future__ import annotations

from checker.formats.interface import Formatter
from checker.formats.json import JsonFormatter
from checker.formats.text import TextFormatter

FORMATTERS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
}

__all__ = ["FORMATTERS", "Formatter"]

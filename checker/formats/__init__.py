"""Report formatters, picked by name from a plain registry."""

from __future__ import annotations

from checker.formats.github import GithubFormatter
from checker.formats.html import HtmlFormatter
from checker.formats.interface import Formatter
from checker.formats.json import JsonFormatter
from checker.formats.junit import JunitFormatter
from checker.formats.markdown import MarkdownFormatter
from checker.formats.sarif import SarifFormatter
from checker.formats.text import TextFormatter

FORMATTERS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
    "junit": JunitFormatter,
    "sarif": SarifFormatter,
    "markdown": MarkdownFormatter,
    "github": GithubFormatter,
    "html": HtmlFormatter,
}

__all__ = ["FORMATTERS", "Formatter"]

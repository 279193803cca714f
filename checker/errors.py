"""The one exception tree of checker.

The CLI catches ``CheckerError`` only, prints its message on one line and exits with its
``exit_code``; anything else escaping the library is a bug.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    COULD_NOT_RUN = 3


class CheckerError(Exception):
    """Base of every error checker raises on purpose: the run could not complete."""

    exit_code: ExitCode = ExitCode.COULD_NOT_RUN


class UsageError(CheckerError):
    """The command line or an option's value is wrong."""

    exit_code = ExitCode.USAGE


class InputError(CheckerError):
    """A document could not be read or parsed; carries where, for a finding."""

    def __init__(self, message: str, *, file: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.file if not self.line else f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.args[0]}"


class PolicyError(CheckerError):
    """A policy could not be read or compiled."""


class EngineError(CheckerError):
    """The policy engine failed while evaluating."""


class OutputError(CheckerError):
    """A report could not be written."""


class ExportError(InputError):
    """A Partner Center response or a CSV of the partner's books cannot be imported.

    Located as ``file:line:column`` in JSON, ``file:row:column-name`` in CSV (``field``).
    Bad input fails like a broken checker document does: exit code 1, nothing written.
    """

    exit_code = ExitCode.FINDINGS

    def __init__(self, message: str, *, file: str, line: int = 0, column: int = 0,
                 field: str = "") -> None:
        super().__init__(message, file=file, line=line, column=column)
        self.field = field

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.field:
                where += f":{self.field}"
            elif self.column:
                where += f":{self.column}"
        elif self.field:
            where += f": column {self.field!r}"
        return f"{where}: {self.args[0]}"

"""Locate the policies and schemas shipped with checker.

A wheel carries them inside the package (``checker/rego``, ``checker/schemas``); a source
checkout or editable install has them at the top of the repository.
"""

from __future__ import annotations

from pathlib import Path

from checker.errors import CheckerError

_PACKAGE = Path(__file__).resolve().parent


def _resource(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise CheckerError(f"checker is installed without its {name}/ folder; reinstall it")


def builtin_policy_dir() -> Path:
    """Folder of the built-in Rego policies."""
    return _resource("rego")


def schema_dir() -> Path:
    """Folder of the JSON Schemas."""
    return _resource("schemas")

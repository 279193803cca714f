"""What an import noticed without failing: warnings said once each, and counts."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import ExportError
from checker.loading import read_limited

MAX_FILE_BYTES = 512 * 1024**2


@dataclass
class ImportLog:
    """Warnings (each said once, by key) and counts of what was read and left out."""

    warnings: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    _said: set[str] = field(default_factory=set)

    def warn_once(self, key: str, message: str) -> None:
        """Add a warning unless one with this key was already given."""
        if key not in self._said:
            self._said.add(key)
            self.warnings.append(message)


def file_digest(path: Path, name: str) -> tuple[str, int]:
    """A file's sha256 and size, read in blocks."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
                size += len(block)
    except OSError as exc:
        raise ExportError(f"cannot read file: {exc.strerror or exc}", file=name) from exc
    return digest.hexdigest(), size


def read_bytes(path: Path, name: str) -> tuple[bytes, str]:
    """A file's bytes and sha256; an unreadable or oversized file is an ExportError."""
    raw = read_limited(path, name, MAX_FILE_BYTES, ExportError)
    return raw, hashlib.sha256(raw).hexdigest()

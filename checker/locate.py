"""Map a path inside a parsed document back to the line and column it came from.

Policies name the offending value by its path from the document root; they never compute
positions. YAML positions are recorded while composing (YAML files are small); JSON files can
be hundreds of megabytes, so their positions are found lazily, only for paths that a finding
names, by walking the text with the C-accelerated scanner of the standard ``json`` module.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

PathPart = str | int
Path = Sequence[PathPart]


@dataclass(frozen=True, slots=True)
class Position:
    """Where a path lands in a file: the JSON pointer as written there, 1-based line and column.

    When the path names something missing, ``pointer`` is still the full requested path and
    the line and column are those of the nearest part that exists.
    """

    pointer: str
    line: int
    column: int


def to_pointer(path: Path) -> str:
    """Render a path as an RFC 6901 JSON pointer."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class Locator(Protocol):
    """Finds the position of a path in one document."""

    def locate(self, path: Path) -> Position:
        """Return where ``path`` is, or where the nearest existing part of it is."""
        ...


def _key_variants(key: str) -> tuple[str, ...]:
    # Partner Center exports mix PascalCase and camelCase; the loader lowercases the first
    # letter for policies, so the file may hold the other spelling.
    if not key:
        return (key,)
    swapped = key[0].upper() + key[1:] if key[0].islower() else key[0].lower() + key[1:]
    return (key, swapped) if swapped != key else (key,)


class LineIndex:
    """Converts character offsets into 1-based line and column numbers."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        """Return (line, column) of a character offset."""
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        line = bisect.bisect_left(self._newlines, offset)
        start = self._newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1


class MappedLocator:
    """Positions recorded at parse time (YAML): pointer -> (line, column)."""

    def __init__(self, positions: dict[str, tuple[int, int]]) -> None:
        self._positions = positions

    def locate(self, path: Path) -> Position:
        """Return the recorded position of ``path`` or of its nearest recorded ancestor."""
        parts: list[PathPart] = []
        best = self._positions.get("", (1, 1))
        real: list[str] = []
        for part in path:
            found = None
            for variant in _key_variants(part) if isinstance(part, str) else (part,):
                pointer = to_pointer([*real, variant])
                if pointer in self._positions:
                    found = (variant, self._positions[pointer])
                    break
            if found is None:
                break
            real.append(str(found[0]))
            parts.append(found[0])
            best = found[1]
        pointer = to_pointer(real + [str(p) for p in path[len(real) :]])
        return Position(pointer, best[0], best[1])


_WS = re.compile(r"[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_COMMA = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


def _skip_ws(text: str, offset: int) -> int:
    match = _WS.match(text, offset)
    return match.end() if match else offset


class JsonTextLocator:
    """Finds positions in JSON text on demand, caching each container's member offsets."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines = LineIndex(text)
        self._members: dict[int, dict[PathPart, tuple[int, int]]] = {}
        self._root = _skip_ws(text, 0)

    def locate(self, path: Path) -> Position:
        """Return the position of ``path`` (a member's key for object members)."""
        offset = self._root
        anchor = offset
        real: list[str] = []
        for part in path:
            members = self._members_of(offset)
            hit = None
            for variant in _key_variants(part) if isinstance(part, str) else (part,):
                if variant in members:
                    hit = variant, members[variant]
                    break
            if hit is None:
                break
            real.append(str(hit[0]))
            anchor, offset = hit[1]
        pointer = to_pointer(real + [str(p) for p in path[len(real) :]])
        line, column = self._lines.position(anchor)
        return Position(pointer, line, column)

    def _members_of(self, offset: int) -> dict[PathPart, tuple[int, int]]:
        """Map each member key (or index) to (anchor offset, value offset)."""
        cached = self._members.get(offset)
        if cached is not None:
            return cached
        text = self._text
        members: dict[PathPart, tuple[int, int]] = {}
        opener = text[offset : offset + 1]
        # The text is valid JSON (it was parsed before anything is located in it), so a
        # separator is skipped without checking which one it is.
        colon, comma, decode = _COLON.match, _COMMA.match, _DECODER.raw_decode
        if opener == "{":
            i = _skip_ws(text, offset + 1)
            while text[i : i + 1] == '"':
                key, after = _scanstring(text, i + 1)
                value = colon(text, after).end()  # type: ignore[union-attr]
                members.setdefault(key, (i, value))
                i = comma(text, decode(text, value)[1]).end()  # type: ignore[union-attr]
        elif opener == "[":
            i = _skip_ws(text, offset + 1)
            index = 0
            while i < len(text) and text[i] != "]":
                members[index] = (i, i)
                i = comma(text, decode(text, i)[1]).end()  # type: ignore[union-attr]
                index += 1
        self._members[offset] = members
        return members

"""Sources: the files and standard input to check, read into documents with locations.

A JSON AccountSnapshot is opened for reading in chunks (``checker.stream``); anything else
is parsed whole (``checker.loading``). A file that cannot be read is a CHK-LOAD finding,
never a silent skip; a run that finds nothing to check is refused (``require_something``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.errors import InputError, UsageError
from checker.findings import input_finding
from checker.loading import SUFFIXES, Document, discover, display_name, load_text
from checker.model import Finding
from checker.stream import StreamSettings, load_input
from checker.validation import known_kinds
from checker.waivers import WAIVERS_KIND, WaiverSet


@dataclass(frozen=True)
class Sources:
    """What to read: paths (``-`` is standard input), and how.

    ``extra`` are read too but are not what was asked to be checked (the --config).
    """

    paths: tuple[Path, ...]
    extra: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    stdin: str | None = None
    stdin_filename: str = "-"
    # What reports call a file, where not its path (an imported export folder's snapshot).
    names: tuple[tuple[Path, str], ...] = ()


@dataclass(frozen=True)
class Loaded:
    """The documents read, and what reading found.

    ``from_paths`` are the documents found through the paths to check (not the --config
    alone); ``empty`` the files holding no document at all (empty, or only comments).
    """

    documents: tuple[Document, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...]
    empty: tuple[str, ...]
    files_found: int
    from_paths: frozenset[str]


def read(sources: Sources, settings: StreamSettings) -> Loaded:
    """Parse every input; unreadable files become CHK-LOAD findings."""
    named = dict(sources.names)
    paths = [p for p in (*sources.paths, *sources.extra) if p != Path("-")]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
    inputs: list[tuple[Path | None, bool]] = [
        *((None, True) for p in sources.paths if p == Path("-")),
        *discover(paths, exclude=sources.exclude)]
    if len([p for p, _ in inputs if p is None]) > 1:
        raise UsageError("standard input (-) can be given only once")
    positional = {p for p, _ in discover([p for p in sources.paths if p != Path("-")],
                                         exclude=sources.exclude)}
    documents: list[Document] = []
    findings: list[Finding] = []
    skipped: list[str] = []
    empty: list[str] = []
    from_paths: set[str] = set()
    for source, explicit in inputs:
        started = time.perf_counter()
        try:
            if source is None:
                if sources.stdin is None:
                    raise UsageError("- reads standard input, but none was given")
                loaded = load_text(sources.stdin, sources.stdin_filename)
            else:
                loaded = load_input(source, settings.chunk_bytes, named.get(source))
        except InputError as exc:
            findings.append(input_finding("CHK-LOAD", str(exc.args[0]), exc.file, "",
                                          exc.line, exc.column))
            continue
        finally:
            settings.add_time("load", time.perf_counter() - started)
        if not loaded:
            name = (sources.stdin_filename if source is None
                    else named.get(source) or display_name(source))
            empty.append(name)
            skipped.append(name)
        for doc in loaded:
            if explicit or _looks_like_ours(doc.data):
                documents.append(doc)
                if source is None or source in positional:
                    from_paths.add(doc.file)
            else:
                skipped.append(doc.file)
    return Loaded(tuple(documents), tuple(findings), tuple(skipped), tuple(empty),
                  len(inputs), frozenset(from_paths))


def _looks_like_ours(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    api = data.get("apiVersion")
    ours_by_api = isinstance(api, str) and api.startswith("checker/")
    return ours_by_api or data.get("kind") in known_kinds()


def require_something(loaded: Loaded, paths: Sequence[Path]) -> None:
    """Fail closed on a run that would check nothing: it must not pass as a clean one.

    Something is checked when a document was found through the paths (the --config alone
    is not what was asked to be checked), or a file could not be read (that is an error
    finding of its own).
    """
    if loaded.findings or any(doc.file in loaded.from_paths for doc in loaded.documents):
        return
    looked_at = ", ".join(p.as_posix() for p in paths)
    patterns = ", ".join(f"*{s}" for s in SUFFIXES)
    found = loaded.files_found
    files = f"{found} file{'s' if found != 1 else ''} found"
    if not found:
        what = f"no {patterns} file found (file extensions in any case)"
    elif loaded.empty and len(loaded.empty) == found:
        what = f"{files}, holding no document (empty, or only comments)"
    else:
        skipped = sorted(loaded.skipped)
        what = (f"{files}, none holding a checker document (skipped: "
                f"{', '.join(skipped[:5])}{', ...' if len(skipped) > 5 else ''})")
    raise UsageError(f"nothing to check in {looked_at}: {what}; give --allow-empty to "
                     "accept a run that checks nothing")


def without_waivers(loaded: Loaded, waiver_set: WaiverSet) -> Loaded:
    """Leave out Waivers documents found among the inputs: only --waivers files apply.

    They are listed as skipped, unless the same file is also given with --waivers (then it
    is among the documents as waivers).
    """
    skipped = [doc.file for doc in loaded.documents
               if doc.kind == WAIVERS_KIND and doc.file not in waiver_set.files]
    kept = tuple(d for d in loaded.documents if d.kind != WAIVERS_KIND)
    return Loaded(kept, loaded.findings, (*loaded.skipped, *skipped), loaded.empty,
                  loaded.files_found, loaded.from_paths)

"""Write reports atomically: a reader never sees a half-written file.

``check_outputs`` is called before any work: an output that would overwrite an input, or
that cannot be written, stops the run before the evaluation, not after it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from checker.errors import OutputError, UsageError


def _umask() -> int:
    # Read by setting it: there is no other portable way (and nothing else runs yet).
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place.

    The file gets the permissions of any new file (0666 less the umask, 0644 under the
    usual 022), not the 0600 of a temporary file. Whatever stops the write (an error, an
    interrupt) leaves no temporary file behind.
    """
    with atomic_file(path, "report") as handle:
        handle.write(text.encode("utf-8"))


@contextmanager
def atomic_file(path: Path, what: str) -> Iterator[BinaryIO]:
    """A binary file that appears at ``path`` complete when the block ends, or not at all.

    ``what`` names the file in errors ("report", "snapshot"). Permissions as for any new
    file, as ``write_atomically`` says.
    """
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write {what}: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write {what}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_outputs(outputs: Iterable[Path], inputs: Sequence[Path]) -> None:
    """Refuse outputs that are inputs, and outputs whose folder cannot take a file.

    ``inputs`` are the files a run reads (folders expanded). An output equal to one would
    replace the document being checked with the report of it.
    """
    read = {_same_file_key(p): p for p in inputs if p != Path("-")}
    for out in outputs:
        key = _same_file_key(out)
        if key in read:
            raise UsageError(f"--output {out.as_posix()} is also an input "
                             f"({read[key].as_posix()}): write the report elsewhere")
        folder = out.parent if str(out.parent) else Path(".")
        if not folder.is_dir():
            raise OutputError(f"{out.as_posix()}: cannot write report: folder "
                              f"{folder.as_posix()} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"{out.as_posix()}: cannot write report: folder "
                              f"{folder.as_posix()} is not writable")
        if out.is_dir():
            raise OutputError(f"{out.as_posix()}: cannot write report: it is a folder")


def _same_file_key(path: Path) -> str:
    try:
        return str(path.resolve())
    except (OSError, RuntimeError):
        return str(path.absolute())

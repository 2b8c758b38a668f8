"""Files domeo writes for a user (``--rejects``, ``-o/--output``): checked first, written whole.

Two steps, both public:

- ``check_target(path, option=..., database=..., inputs=...)`` refuses (exit 2,
  ``InvalidInput``) a path that is the database or one of SQLite's files beside
  it (``-wal``, ``-shm``, ``-journal``), an input file, a directory, or a path
  whose directory does not exist. Call it before anything is read or written.
- ``open_target(path)`` is a context manager giving a text stream. The text
  goes to a temporary file beside the target, is flushed to disk and renamed
  over the target only when the block ends without an error; on an error the
  target is left as it was and the temporary file removed. A new file is the
  owner's alone (0600); an existing one keeps its permissions. A target that
  is not a regular file (``/dev/stdout``, a named pipe) is written directly,
  and ``-`` is standard output.

Paths are compared as files, not as text: ``./x.db``, ``x.db``, a symbolic
link to it and a hard link are the same file.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import TextIO

from . import printable
from .errors import InvalidInput

#: Files SQLite keeps beside a database, which a report must never replace.
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def same_file(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` name one file (symbolic and hard links, ``..`` and relative paths)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        pass  # one of them does not exist (yet): compare where they would be
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def check_target(
    path: str,
    *,
    option: str,
    database: str | None = None,
    inputs: Iterable[str] = (),
) -> None:
    """Refuse a target that would destroy data or cannot be written; raise InvalidInput (exit 2).

    ``option`` names the option in messages (``--rejects``); ``database`` is the
    database path in use and ``inputs`` the files the command reads (``-`` is
    skipped).
    """
    if path == "-":
        return
    shown = printable.path(path)
    if not path:
        raise InvalidInput(f"{option} needs a file name, not {shown}.")
    if database:
        for suffix in DATABASE_COMPANIONS:
            companions = {database + suffix, os.path.realpath(database) + suffix}
            if any(same_file(path, other) for other in companions):
                what = "the database" if not suffix else f"the database's {suffix} file"
                raise InvalidInput(
                    f"{option} {shown} is {what} ({printable.path(database + suffix)}); "
                    "domeo never writes over it. Name another file."
                )
    for source in inputs:
        if source != "-" and same_file(path, source):
            raise InvalidInput(
                f"{option} {shown} is the input file ({printable.path(source)}); "
                "domeo never writes over its input. Name another file."
            )
    if os.path.isdir(path):
        raise InvalidInput(f"{option} {shown} is a directory; name a file.")
    directory = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(directory):
        raise InvalidInput(f"{option} {shown}: the directory {printable.path(directory)} does not exist.")
    if not _is_special(path) and not os.access(directory, os.W_OK):
        raise InvalidInput(f"{option} {shown}: the directory {printable.path(directory)} is not writable.")


def _is_special(path: str) -> bool:
    """An existing target that is not a regular file: a device, a pipe, a socket."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


@contextlib.contextmanager
def open_target(
    path: str,
    *,
    option: str = "the output",
    encoding: str = "utf-8",
    newline: str | None = "",
    errors: str = "strict",
) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` only once the block has completed.

    An OSError (disk full, permission) becomes InvalidInput naming ``path``;
    the target is then untouched.
    """
    if path == "-":
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, errors=errors, newline=newline)
        try:
            yield out
            out.flush()
        finally:
            out.detach()  # standard output stays open for whatever comes next
        return
    shown = printable.path(path)
    if _is_special(path):
        try:
            with open(path, "w", encoding=encoding, newline=newline, errors=errors) as out:
                yield out
        except OSError as err:
            raise InvalidInput(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
        return
    target = os.path.realpath(path)  # through a symbolic link: the link keeps pointing at the new file
    directory, name = os.path.split(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)  # mode 0600
    except OSError as err:
        raise InvalidInput(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline, errors=errors) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
        _sync_directory(directory)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(err, OSError):
            raise InvalidInput(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
        raise


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable (best effort: not every system can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

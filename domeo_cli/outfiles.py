"""Files domeo writes for a user (``--rejects``, ``-o/--output``, the load log): checked first, written whole.

Three steps, all public:

- ``check_target(path, option=..., database=..., inputs=..., append=...)``
  refuses (exit 2, ``InvalidInput``) a path that is the database or one of
  SQLite's files beside it (``-wal``, ``-shm``, ``-journal``), an input file,
  a directory, a path whose directory does not exist or cannot be written,
  a symbolic link the kernel's ``protected_symlinks`` rule would not follow,
  and an existing file that could not be replaced keeping its owner and
  mode. Call it before anything is read or written.
- ``open_target(path)`` is a context manager giving a text stream. The text
  goes to a temporary file beside the target, is flushed to disk (fsync) and
  renamed over the target only when the block ends without an error; on an
  error the target is left as it was and the temporary file removed. A new
  file is the owner's alone (0600); an existing one keeps its owner, group
  and mode. A target that is not a regular file (``/dev/stdout``, a named
  pipe) is written directly, and ``-`` is standard output. A write that
  fails (a full disk) is ``OutputError`` (exit 1), naming the file.
- ``open_append(path)`` gives a descriptor appending to ``path`` (the load
  log): created 0600, an existing file keeps its owner and mode.

Symbolic links. A link on the way to the file (the file itself or a folder
above it) is followed as the kernel follows it with ``fs.protected_symlinks``
on, whatever the system's setting: a link in a sticky folder writable by
everyone (``/tmp``) is followed only when it belongs to the user or to the
folder's owner; another user's link there is refused (exit 2), since it may
have been planted to make domeo overwrite a file of the user's. A link that
is followed is written through: the file it points at gets the new content
and the link stays a link (as a shell's ``>`` does). In the same way an
existing file in such a folder that belongs to neither the user nor the
folder's owner is never written to or replaced (the kernel's
``protected_regular`` rule).

Owners. The file that replaces an existing one is given its owner, group and
mode before anything is written to it. Only root can give a file to another
user, so a user other than root asked to replace another user's file (or a
file of a group the user is not in) is refused (exit 2) rather than left
owning it, which would change who can read it.

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
from .errors import InvalidInput, OutputError

#: Files SQLite keeps beside a database, which a report must never replace.
DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# As the kernel: past 40 links on one path, the path is taken to loop.
_MAX_LINKS = 40


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
    append: bool = False,
) -> None:
    """Refuse a target that would destroy data or cannot be written; raise InvalidInput (exit 2).

    ``option`` names the option in messages (``--rejects``); ``database`` is the
    database path in use and ``inputs`` the files the command reads (``-`` is
    skipped). ``append``: the file is added to (the load log), not replaced.
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
    target = resolve(path, option=option)
    if os.path.isdir(target):
        raise InvalidInput(f"{option} {shown} is a directory; name a file.")
    if _is_special(path):
        return
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise InvalidInput(f"{option} {shown}: the directory {printable.path(directory)} does not exist.")
    existing = _regular_file(target)
    if existing is not None:
        check_owner(target, existing, option=option, replace=not append)
    if append and existing is not None:
        if not os.access(target, os.W_OK):
            raise InvalidInput(f"{option} {shown} is not writable.")
    elif not os.access(directory, os.W_OK):
        raise InvalidInput(f"{option} {shown}: the directory {printable.path(directory)} is not writable.")


def _is_special(path: str) -> bool:
    """An existing target that is not a regular file: a device, a pipe, a socket."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _regular_file(path: str) -> os.stat_result | None:
    """The status of the regular file at ``path`` (None if there is none)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status if stat.S_ISREG(status.st_mode) else None


def _shared(folder: os.stat_result) -> bool:
    """A sticky folder everyone may write to, as ``/tmp``: other users' links and files are not to be trusted."""
    return bool(folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH)


def _user(uid: int) -> str:
    try:
        import pwd

        return f"user {pwd.getpwuid(uid).pw_name}"
    except (ImportError, KeyError):
        return f"user id {uid}"


def _group(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return f"id {gid}"


def resolve(path: str, *, option: str) -> str:
    """The file ``path`` names, absolute, with its symbolic links followed as the kernel's protected_symlinks
    rule allows; InvalidInput (exit 2) for a link that rule would not follow.

    Each link on the way is looked at where it is: in a sticky folder that
    everyone may write to, it is followed only when its owner is the user
    (the effective user id) or the folder's owner. A part of the path that
    does not exist (yet) is taken as written.
    """
    if not hasattr(os, "geteuid"):  # no owners to compare (Windows)
        return os.path.realpath(path)
    euid = os.geteuid()
    current = os.sep if os.path.isabs(path) else os.getcwd()
    pending = [part for part in reversed(path.split(os.sep)) if part]  # the next part last
    links = 0
    while pending:
        part = pending.pop()
        if part == ".":
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        candidate = os.path.join(current, part)
        try:
            status = os.lstat(candidate)
        except OSError:
            current = candidate  # not there (yet)
            continue
        if not stat.S_ISLNK(status.st_mode):
            current = candidate
            continue
        try:
            folder = os.stat(current)
            target = os.readlink(candidate)
        except OSError:  # cannot be looked into: opening it will say why
            current = candidate
            continue
        if _shared(folder) and status.st_uid not in (euid, folder.st_uid):
            raise InvalidInput(
                f"{option} {printable.path(path)}: {printable.path(candidate)} is a symbolic link of "
                f"{_user(status.st_uid)} in the shared folder {printable.path(current)} (sticky and writable by "
                "everyone), and domeo follows a link there only when it is yours or the folder owner's "
                "(the kernel's protected_symlinks rule). Name the file itself, or another file."
            )
        links += 1
        if links > _MAX_LINKS:
            raise InvalidInput(f"{option} {printable.path(path)}: too many levels of symbolic links.")
        if os.path.isabs(target):
            current = os.sep
        pending.extend(part for part in reversed(target.split(os.sep)) if part)
    return current


def check_owner(target: str, status: os.stat_result, *, option: str, replace: bool = True) -> None:
    """Refuse (InvalidInput, exit 2) to write the existing regular file ``target`` when it would not stay
    as it was: another user's file in a shared folder (the kernel's protected_regular rule), or, with
    ``replace``, a file whose owner or group a user other than root cannot give the new file."""
    if not hasattr(os, "geteuid"):
        return
    shown = printable.path(target)
    euid = os.geteuid()
    folder = os.stat(os.path.dirname(target))
    if _shared(folder) and status.st_uid not in (euid, folder.st_uid):
        raise InvalidInput(
            f"{option} {shown} belongs to {_user(status.st_uid)}, in the shared folder "
            f"{printable.path(os.path.dirname(target))} (sticky and writable by everyone); domeo never writes "
            "another user's file there (the kernel's protected_regular rule). Name another file."
        )
    if not replace or euid == 0:
        return
    if status.st_uid != euid:
        raise InvalidInput(
            f"{option} {shown} belongs to {_user(status.st_uid)}; replaced by domeo it would become yours, "
            "and only root can give it back. Remove it first, or name another file."
        )
    if status.st_gid not in {os.getegid(), *os.getgroups()}:
        raise InvalidInput(
            f"{option} {shown} has the group {_group(status.st_gid)}, which you are not in; replaced by domeo it "
            "would change group, and so who may read it. Name another file."
        )


def _keep_owner_and_mode(fd: int, old: os.stat_result, *, option: str, shown: str) -> None:
    """Give the new file (open as ``fd``) the owner, group and mode of the file it replaces."""
    if hasattr(os, "fchown"):
        new = os.fstat(fd)
        if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid):
            try:
                os.fchown(fd, old.st_uid, old.st_gid)
            except PermissionError:
                raise InvalidInput(
                    f"{option} {shown}: the new file cannot be given the owner and group of the old one "
                    f"({_user(old.st_uid)}, group {_group(old.st_gid)}), so it is left as it was. "
                    "Name another file."
                ) from None
    if os.chmod in os.supports_fd:
        os.chmod(fd, stat.S_IMODE(old.st_mode))  # after the owner: a change of owner clears set-id bits


def _for_reader(out: TextIO) -> TextIO:
    """``out`` itself for a file or a pipe (data as stored); at a terminal, with controls escaped."""
    try:
        terminal = out.isatty()
    except (AttributeError, ValueError, OSError):
        terminal = False
    return printable.TerminalStream(out) if terminal else out  # type: ignore[return-value]


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

    An OSError (disk full, permission) becomes OutputError (exit 1) naming
    ``path``; the target is then untouched. A link the protected_symlinks
    rule would not follow, and a file that could not keep its owner and
    mode, are InvalidInput (exit 2), before anything is written.
    """
    if path == "-":
        sys.stdout.flush()
        out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, errors=errors, newline=newline)
        try:
            yield _for_reader(out)
            out.flush()
        finally:
            out.detach()  # standard output stays open for whatever comes next
        return
    shown = printable.path(path)
    target = resolve(path, option=option)  # through a symbolic link: the link keeps pointing at the new file
    if _is_special(path):
        try:
            with open(path, "w", encoding=encoding, newline=newline, errors=errors) as out:
                yield _for_reader(out)
        except OSError as err:
            raise OutputError(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
        return
    directory, name = os.path.split(target)
    old = _regular_file(target)
    if old is not None:
        check_owner(target, old, option=option)
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)  # mode 0600
    except OSError as err:
        raise OutputError(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline, errors=errors) as out:
            if old is not None:
                _keep_owner_and_mode(out.fileno(), old, option=option, shown=shown)
            yield out
            out.flush()
            os.fsync(out.fileno())  # the content is on disk before the name points at it
        os.replace(temporary, target)
        _sync_directory(directory)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        if isinstance(err, OSError):
            raise OutputError(f"Cannot write {option} {shown}: {err.strerror or err}.") from None
        raise


def open_append(path: str, *, option: str) -> int:
    """A descriptor that appends to ``path``; InvalidInput (exit 2) when it cannot be opened.

    A new file is created owner-only (0600); an existing one keeps its owner
    and mode. Links are followed as ``resolve`` allows, and an existing file
    in a shared folder must be the user's or the folder owner's
    (``check_owner``). A device (``/dev/stderr``) is opened as it is.
    """
    shown = printable.path(path)
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    try:
        if _is_special(path):
            return os.open(path, flags)
        target = resolve(path, option=option)
        old = _regular_file(target)
        if old is not None:
            check_owner(target, old, option=option, replace=False)
        # The path was resolved: a link swapped in since is refused, not followed.
        return os.open(target, flags | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as err:
        raise InvalidInput(f"Cannot append to {option} {shown}: {err.strerror or err}.") from None


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

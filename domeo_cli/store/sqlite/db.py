"""Opening the database: finding it, refusing what is not ours, migrating.

Report commands open an existing file and never create one; ``init`` and
``ingest`` create it (owner-only permissions) and bring the schema up to date.

The database file (and its -wal and -shm) is opened through SQLite only, never
with ``open()``: on POSIX, closing any descriptor of a file drops every lock
the process holds on it, SQLite's among them. A server whose connections lost
their locks that way let a load ending beside it delete the -wal and -shm they
still used, and read a "malformed" database until restarted. SQLite's own
descriptors are safe: it keeps one open while another connection of the
process holds a lock. Checks of the file use ``os.stat`` and ``os.access``.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timezone

from ...errors import DatabaseError, InvalidInput, NoDatabase, Private, QueryTimeout
from . import schema

#: A ``time.monotonic()`` deadline for the report connections opened in this context (``domeo serve``
#: sets it per request with ``query_deadline``); None: no limit, as on the command line.
_deadline: ContextVar[float | None] = ContextVar("domeo_query_deadline", default=None)


@contextlib.contextmanager
def query_deadline(seconds: float) -> Iterator[None]:
    """Stop the queries of report connections opened inside the block ``seconds`` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _limit_time(db: sqlite3.Connection) -> None:
    deadline = _deadline.get()
    if deadline is not None:
        # SQLite calls this every few thousand VM steps; a true answer interrupts the statement.
        db.set_progress_handler(lambda: time.monotonic() > deadline, 4000)
    else:
        db.set_progress_handler(None, 0)


# -- report connections kept between requests (``domeo serve``) --------------------------------------
# Opening a connection costs more than a small report's queries (SQLite reads and parses the schema on
# the first statement). Inside ``keep_connections`` a report snapshot reuses its thread's connection to
# the same file: closing it ends the snapshot only. A file replaced by another (a new inode) or changed
# schema is opened anew, with every check of ``open_existing``.
_keep: ContextVar[bool] = ContextVar("domeo_keep_connections", default=False)
_kept = threading.local()


class Connection(sqlite3.Connection):
    """A connection domeo opened: it knows the database's path as the user named it, for messages."""

    path = "the database"


class _KeptConnection(Connection):
    """A report connection kept for its thread's next snapshot: ``close`` ends the read transaction only."""

    def close(self) -> None:
        if self.in_transaction:
            self.execute("ROLLBACK")


@contextlib.contextmanager
def keep_connections() -> Iterator[None]:
    """Let the report snapshots opened inside the block reuse a connection per thread and file."""
    token = _keep.set(True)
    try:
        yield
    finally:
        _keep.reset(token)


def _reuse(path: str, readonly: bool) -> sqlite3.Connection | None:
    """This thread's kept connection to ``path``, in a new snapshot, if the file and schema are the same."""
    cache: dict = getattr(_kept, "connections", None) or {}
    entry = cache.pop((path, readonly), None)
    if entry is None:
        return None
    db, identity = entry
    try:
        stat = os.stat(path)
        if (stat.st_dev, stat.st_ino) == identity:
            _limit_time(db)
            db.execute("BEGIN")
            if _check_ours(db, path) == schema.SCHEMA_VERSION:
                cache[(path, readonly)] = entry
                return db
    except (OSError, sqlite3.Error, DatabaseError):
        pass
    sqlite3.Connection.close(db)
    return None


def _keep_for_later(db: sqlite3.Connection, path: str, readonly: bool) -> None:
    try:
        stat = os.stat(path)
    except OSError:
        return
    if not hasattr(_kept, "connections"):
        _kept.connections = {}
    old = _kept.connections.pop((path, readonly), None)
    if old is not None:
        sqlite3.Connection.close(old[0])
    _kept.connections[(path, readonly)] = (db, (stat.st_dev, stat.st_ino))


# SQLite keeps the busy timeout as a C int of milliseconds: about 24 days at most.
_MAX_BUSY_SECONDS = (2**31 - 1) // 1000


def busy_timeout_ms() -> int:
    """How long to wait for another domeo's write lock (``$DOMEO_BUSY_TIMEOUT`` seconds, default 30).

    Raises InvalidInput (exit 2) for a value that is not a number of seconds
    from 0 to about 24 days: a typo must not silently become another wait.
    """
    text = os.environ.get("DOMEO_BUSY_TIMEOUT")
    if text is None:
        return 30_000
    try:
        seconds = float(text.strip())
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= _MAX_BUSY_SECONDS:  # also refuses nan and inf
        raise InvalidInput(
            f"DOMEO_BUSY_TIMEOUT={text!r} is not a number of seconds from 0 to {_MAX_BUSY_SECONDS} "
            "(how long to wait for another domeo's load; e.g. 30)."
        )
    return int(seconds * 1000)


def _connect(uri: str, path: str) -> Connection:
    kind = _KeptConnection if _keep.get() else Connection
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, factory=kind)
    db.path = path
    db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    return db


def _uri(path: str, mode: str) -> str:
    # In an SQLite URI only "%", "?" and "#" end or change the file name; escaping just
    # those (instead of importing urllib.parse) keeps every report's start-up short.
    name = os.path.abspath(path).replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    return f"file:{name}?mode={mode}"


def _seconds(ms: int) -> str:
    """``1500`` -> ``"1.5 s"``; ``30000`` -> ``"30 s"``."""
    return f"{ms / 1000:g} s"


# The database's path in a message is private: the command line shows it, the HTTP API does not (a client
# has no business knowing the server's files), nor a command line naming it.
def _file(path: str, *, start: bool = False) -> Private:
    """The path where a sentence names the file; "the database" where paths are not shown."""
    return Private(path, "The database" if start else "the database")


def _named(path: str) -> Private:
    """`` PATH`` after the words "the database"; nothing where paths are not shown."""
    return Private(f" {path}", "")


def _db_option(path: str) -> Private:
    """`` --db PATH`` in a command line the message suggests; nothing where paths are not shown."""
    return Private(f" --db {path}", "")


def explain(err: sqlite3.Error, path: str) -> DatabaseError:
    """Turn an SQLite error into one sentence about the database file."""
    text = str(err)
    name = getattr(err, "sqlite_errorname", "") or ""
    if name == "SQLITE_INTERRUPT" or text == "interrupted":
        return QueryTimeout("The query on ", _file(path), " ran past its time limit and was stopped.")
    if name == "SQLITE_READONLY_ROLLBACK" or "hot journal" in text:
        return DatabaseError(
            _file(path, start=True),
            " holds an unfinished transaction of another program",
            Private(f" ({path}-journal is beside it)", ""),
            "; domeo left it untouched.",
        )
    if "locked" in text or "busy" in text:
        return DatabaseError(
            "The database",
            _named(path),
            " is locked by another domeo (a load is still running); ",
            f"gave up after {_seconds(busy_timeout_ms())}. Try again when it has finished.",
        )
    if "no such index" in text or "no such table" in text:
        return DatabaseError(
            _file(path, start=True),
            f" lacks part of domeo's schema ({text}); repair it with: domeo",
            _db_option(path),
            " init",
        )
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return _corrupt(path)
    if "readonly" in text or "read-only" in text:
        return _read_only(path)
    if "disk is full" in text or "full" in text:
        return DatabaseError("The disk holding ", _file(path), " is full; nothing was changed.")
    if "unable to open" in text:
        return DatabaseError("Cannot open the database", _named(path), ": check the path and its permissions.")
    if "disk I/O" in text:
        return DatabaseError("An I/O error occurred on ", _file(path), "; nothing was changed.")
    return DatabaseError("Database error on ", _file(path), f": {text}.")


def _corrupt(path: str) -> DatabaseError:
    return DatabaseError(_file(path, start=True), " is not a usable domeo database: the file is corrupt or not SQLite.")


def _foreign(path: str) -> DatabaseError:
    return DatabaseError(
        _file(path, start=True), " is a SQLite database of another program, not domeo's; it was left untouched."
    )


def _read_only(path: str) -> DatabaseError:
    return DatabaseError("The database", _named(path), " is read-only; domeo cannot write to it.")


def _check_ours(db: sqlite3.Connection, path: str) -> int:
    """Return the schema version of ``db``, or raise if it is not a domeo database we know.

    One statement, so the three answers come from one committed state.
    """
    try:
        app_id, version, tables = db.execute(
            "SELECT (SELECT application_id FROM pragma_application_id), "
            "(SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)"
        ).fetchone()
    except sqlite3.Error as err:
        raise explain(err, path) from None
    if app_id != schema.APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return 0  # an empty SQLite file: ours to fill
        raise _foreign(path)
    _refuse_newer(version, path)
    return version


def _refuse_newer(version: int, path: str) -> None:
    if version > schema.SCHEMA_VERSION:
        raise DatabaseError(
            _file(path, start=True),
            f" was made by a newer domeo (schema {version}, this one knows {schema.SCHEMA_VERSION}); "
            "upgrade domeo to use it.",
        )


def _check_file(path: str) -> None:
    """Refuse a path that names something other than a regular file (or nothing yet).

    SQLite would open a device such as ``/dev/null`` and then create
    ``/dev/null-journal`` beside it; a directory or a pipe is no database either.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as err:
        raise DatabaseError("Cannot open the database", _named(path), f": {err.strerror or err}.") from None
    if stat.S_ISDIR(mode):
        raise DatabaseError(Private(path, "The database's path"), " is a directory, not a domeo database.")
    if not stat.S_ISREG(mode):
        raise DatabaseError(
            Private(path, "The database's path"),
            " is not a regular file (a device, pipe or socket), so not a domeo database.",
        )


def _check_writable(path: str) -> None:
    """Refuse a database file that cannot be opened for writing, before SQLite is asked to.

    SQLite would fall back to reading it, put -wal and -shm files beside it,
    and (read-only) could not remove them. Asking the system (``access``, with
    the effective user, not ``open``: see the module's docstring) is also right
    for root, which file modes do not stop but ``chattr +i`` and read-only mounts do.
    """
    effective = os.access in os.supports_effective_ids
    if not os.access(path, os.W_OK, effective_ids=effective):
        raise _read_only(path)


def _directory_writable(path: str) -> bool:
    return os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)


def _peek_header(path: str) -> None:
    """Refuse, from the file's header alone, what is plainly not a domeo database.

    The header is read through SQLite opened ``immutable``: read-only, taking
    no lock and ignoring any journal or -wal, so it neither rolls back another
    program's unfinished transaction nor puts -wal and -shm files beside it (a
    normal connection to another program's database could do both). SQLite
    refuses what is not SQLite, a damaged header and a file cut short of the
    pages its header counts (which a report would otherwise find page by page).
    What passes (our application_id, or an empty or one-page file, or one with
    a -wal whose content only a normal connection reads) is checked again
    through that connection.
    """
    try:
        size = os.stat(path).st_size
    except OSError as err:
        raise DatabaseError("Cannot read the database", _named(path), f": {err.strerror or err}.") from None
    if size == 0:
        return  # an empty file: ours to fill
    try:
        peek = sqlite3.connect(_uri(path, "ro") + "&immutable=1", uri=True, isolation_level=None)
    except sqlite3.Error as err:
        raise explain(err, path) from None
    try:
        app_id, version, page_size = (
            peek.execute(f"PRAGMA {name}").fetchone()[0] for name in ("application_id", "user_version", "page_size")
        )
    except sqlite3.Error as err:
        raise explain(err, path) from None
    finally:
        peek.close()
    wal = path + "-wal"
    if app_id == schema.APPLICATION_ID:
        if not os.path.exists(wal) or os.path.getsize(wal) == 0:
            # Every committed page is in the file: its schema version is the one in the header.
            _refuse_newer(version, path)
        return
    if app_id != 0 or (size > page_size and not os.path.exists(wal)):
        raise _foreign(path)


def _open_readonly(path: str) -> tuple[sqlite3.Connection, int]:
    """A read-only connection to ``path`` and its schema version; never writes to the file.

    A WAL database needs its ``-shm`` file beside it. In a read-only directory
    that file cannot be made; if there is no ``-wal`` either, every committed
    page is in the file itself and no writer can exist (it could not create
    the ``-wal``), so the file is read as immutable instead of failing.
    """
    _check_file(path)
    _peek_header(path)
    try:
        return _connect_checked(_uri(path, "ro"), path)
    except DatabaseError:
        wal = path + "-wal"
        if _directory_writable(path) or (os.path.exists(wal) and os.path.getsize(wal) > 0):
            raise
    return _connect_checked(_uri(path, "ro") + "&immutable=1", path)


def _connect_checked(uri: str, path: str) -> tuple[sqlite3.Connection, int]:
    """Connect to ``uri`` and return the connection with its schema version, or raise (closed)."""
    try:
        db = _connect(uri, path)
    except sqlite3.Error as err:
        raise explain(err, path) from None
    try:
        return db, _check_ours(db, path)
    except DatabaseError:
        db.close()
        raise


def open_existing(path: str, *, readonly: bool = True, snapshot: bool = False) -> sqlite3.Connection:
    """Open an existing domeo database for reports; never creates a file.

    Raises NoDatabase when there is no file, DatabaseError when it is not ours,
    is newer than this domeo or needs ``domeo init`` to upgrade. With
    ``snapshot`` the connection is left inside a read transaction, so that every
    query of one report answers from the same committed state even while a
    load commits (the caller must not ``BEGIN`` again; closing ends it).
    """
    busy_timeout_ms()  # a bad $DOMEO_BUSY_TIMEOUT is refused before anything is opened
    keep = snapshot and _keep.get()
    if keep and (kept := _reuse(path, readonly)) is not None:
        return kept
    if not os.path.exists(path):
        raise NoDatabase(
            Private(f"No database at {path}", "No database yet"),
            ". Create one by loading an export: domeo",
            _db_option(path),
            " ingest FILE.csv",
        )
    _check_file(path)
    if readonly:
        db, version = _open_readonly(path)
    else:
        try:
            db = _connect(_uri(path, "rw"), path)
        except sqlite3.Error as err:
            raise explain(err, path) from None
        try:
            version = _check_ours(db, path)
        except DatabaseError:
            db.close()
            raise
    if version == 0:
        db.close()
        raise NoDatabase(
            _file(path, start=True),
            " holds no domeo data yet. Load an export: domeo",
            _db_option(path),
            " ingest FILE.csv",
        )
    if version < schema.SCHEMA_VERSION:
        db.close()
        raise DatabaseError(
            _file(path, start=True),
            f" has an older domeo schema (version {version}); run: domeo",
            _db_option(path),
            " init",
        )
    _limit_time(db)
    if snapshot:
        try:
            db.execute("BEGIN")
            if _check_ours(db, path) != version:  # upgraded meanwhile: take the new state whole
                db.close()
                return open_existing(path, readonly=readonly, snapshot=snapshot)
        except DatabaseError:
            db.close()
            raise
        except sqlite3.Error as err:
            db.close()
            raise explain(err, path) from None
        if keep:
            _keep_for_later(db, path, readonly)
    return db


def check_writable(path: str) -> None:
    """Refuse a database path that ``open_for_write`` would refuse, creating and opening nothing.

    A bad ``$DOMEO_BUSY_TIMEOUT``, something other than a regular file, a
    missing or read-only directory, a file that is plainly not ours or that
    cannot be written: what a load would fail on, said by its dry run too.
    """
    busy_timeout_ms()  # a bad $DOMEO_BUSY_TIMEOUT is refused before anything is created
    _check_file(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise DatabaseError(f"The directory of the database {path} does not exist ({directory}); create it first.")
    if not _directory_writable(path):
        raise DatabaseError(
            f"The directory of the database {path} is read-only; domeo cannot write there "
            "(SQLite keeps its -wal and -shm files beside the database)."
        )
    if os.path.exists(path):
        _peek_header(path)
        _check_writable(path)


def open_to_preview(path: str, pragmas: tuple[str, ...] = ()) -> sqlite3.Connection:
    """The existing database ``path`` as a load would find it, for a dry run that writes nothing.

    Up to date: opened read-only, in a read transaction. An older schema, which
    a load would upgrade first: opened for writing, and upgraded inside a
    transaction the caller rolls back (never committed). Either way the
    connection is returned inside its transaction, begun after ``pragmas``
    (statements that only work outside one); whatever a load would refuse
    here (``check_writable``, a file not ours) is refused the same.
    """
    check_writable(path)
    db, version = _open_readonly(path)
    if version == schema.SCHEMA_VERSION:
        try:
            for pragma in pragmas:
                db.execute(pragma)
            db.execute("BEGIN")
        except sqlite3.Error as err:
            db.close()
            raise explain(err, path) from None
        return db
    db.close()
    try:
        db = _connect(_uri(path, "rw"), path)
    except sqlite3.Error as err:
        raise explain(err, path) from None
    try:
        for pragma in pragmas:
            db.execute(pragma)
        db.execute("BEGIN IMMEDIATE")  # as a load would: it waits for a load running meanwhile
        version = _check_ours(db, path)
        for step in schema.pending(version):
            step(db)
        from .derived import refresh_stale

        refresh_stale(db)
    except BaseException as err:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()
        if isinstance(err, sqlite3.Error):
            raise explain(err, path) from None
        raise
    return db


def open_for_write(
    path: str, applied: list[str] | None = None, repaired: list[str] | None = None
) -> sqlite3.Connection:
    """Open ``path`` for writing, creating it (mode 0600) if needed, schema up to date.

    The names of the migrations this call applied are added to ``applied``.
    With ``repaired`` (``domeo init``), missing or altered indexes, triggers
    and derived tables are put back too, and what was put back is added to it.

    An existing file is first looked at through a read-only connection: a
    file that is not ours (another program's, or one with another program's
    unfinished transaction to roll back) is never opened for writing at all.
    """
    check_writable(path)
    if os.path.exists(path):
        probe, _ = _open_readonly(path)
        probe.close()
    else:
        try:
            # Create it ourselves so the file is the owner's alone from its first byte.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError as err:
            raise DatabaseError(f"Cannot create the database {path}: {err.strerror or err}.") from None
    try:
        db = _connect(_uri(path, "rw"), path)
    except sqlite3.Error as err:
        raise explain(err, path) from None
    try:
        _check_ours(db, path)
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":  # e.g. a read-only file: say so now rather than half-way
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")  # a committed load survives power loss
        done = migrate(db, path)
        if applied is not None:
            applied.extend(done)
        if repaired is not None:
            repaired.extend(repair(db, path))
    except DatabaseError:
        db.close()
        raise
    except sqlite3.Error as err:
        db.close()
        raise explain(err, path) from None
    return db


def migrate(db: sqlite3.Connection, path: str) -> list[str]:
    """Apply pending migrations atomically; return their names.

    The version is read again under the write lock, so two processes
    upgrading at once apply each step once, and readers see either the old
    schema or the new one, never half of it.
    """
    if _check_ours(db, path) == schema.SCHEMA_VERSION:
        return []
    applied: list[str] = []
    with transaction(db, path):
        version = _check_ours(db, path)
        if version == 0:
            db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
            db.execute(
                "CREATE TABLE IF NOT EXISTS domeo_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        for number, step in enumerate(schema.pending(version), start=version + 1):
            step(db)
            db.execute(
                "INSERT INTO domeo_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (number, step.__name__.lstrip("_"), now_iso()),
            )
            db.execute(f"PRAGMA user_version = {number}")
            applied.append(step.__name__.lstrip("_"))
        if applied:
            from .derived import refresh_stale  # here, not at the top: a report never migrates

            refresh_stale(db)  # what the new migrations created starts stale
        from ...phases import reached

        reached("migrated")
    return applied


def _normal(sql: str) -> str:
    return " ".join(sql.split())


def repair(db: sqlite3.Connection, path: str) -> list[str]:
    """Put back what the current schema holds and ``db`` lacks or holds altered; return what was put back.

    Indexes and triggers are created again from the migrations' statements;
    a derived table is created again and refreshed (so is one whose triggers
    were missing: it may have missed changes). A table of data (invoices,
    customers...) cannot be made again: its loss is an error.
    """
    from . import derived

    expected = schema.expected_objects()
    owner = {("table", name): part for part in derived.ALL for name in part.tables}
    owner.update({("trigger", name): part for part in derived.ALL for name in part.triggers})
    put_back: list[str] = []
    stale: set[str] = set()
    with transaction(db, path):
        # Tables first, then (read again: a table made again lost its indexes) indexes and triggers.
        for kind, name, sql in [(*key, sql) for key, sql in sorted(expected.items()) if key[0] == "table"] + [
            (*key, sql) for key, sql in sorted(expected.items()) if key[0] != "table"
        ]:
            actual = {
                (t, n): _normal(text)
                for t, n, text in db.execute("SELECT type, name, sql FROM main.sqlite_master WHERE sql IS NOT NULL")
            }
            have = actual.get((kind, name))
            if have == _normal(sql) or (kind == "table" and have is not None and (kind, name) not in owner):
                continue  # as expected, or a data table altered by a later ALTER: left as it is
            if kind == "table" and (kind, name) not in owner:
                raise DatabaseError(
                    f"{path} has lost its {name} table, which holds data domeo cannot rebuild; restore a backup."
                )
            if have is not None:
                db.execute(f'DROP {kind.upper()} "{name}"')
            db.execute(sql)
            if name.endswith("_state"):
                db.execute(f'INSERT INTO "{name}" (id, dirty) VALUES (1, 1)')
            put_back.append(f"{kind} {name}")
            if (kind, name) in owner:
                stale.add(owner[kind, name].name)
        for part in derived.ALL:
            if part.name in stale:
                part.refresh(db)
    return put_back


def load_lock(db: sqlite3.Connection) -> None:
    """Take the load lock on ``db``, beginning the load's transaction: one load at a time, never interleaved.

    A load holds it from before it reads anything it will write against (the customers, the last
    load's date) until it commits or rolls back; the caller ends the transaction. SQLite's form of
    the lock is the database's write lock, taken at once (``BEGIN IMMEDIATE``) rather than at the
    first write: a second load waits here, up to ``$DOMEO_BUSY_TIMEOUT`` seconds (the connection's
    busy timeout), then fails with SQLITE_BUSY, which ``explain`` says as "locked by another domeo".
    """
    from ...phases import reached

    reached("locking")
    db.execute("BEGIN IMMEDIATE")


@contextlib.contextmanager
def transaction(db: sqlite3.Connection, path: str) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error."""
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as err:
        raise explain(err, path) from None
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()

"""Opening the database: finding it, refusing what is not ours, migrating.

Report commands open an existing file and never create one; ``init`` and
``ingest`` create it (owner-only permissions) and bring the schema up to date.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from . import schema
from .errors import DatabaseError, NoDatabase

DEFAULT_DB = "domeo.db"


def resolve_path(option: str | None) -> str:
    """The database path: ``--db``, else ``$DOMEO_DB``, else ``domeo.db`` here."""
    return option or os.environ.get("DOMEO_DB") or DEFAULT_DB


def busy_timeout_ms() -> int:
    """How long to wait for another domeo's write lock (``$DOMEO_BUSY_TIMEOUT`` seconds)."""
    try:
        return max(0, int(float(os.environ.get("DOMEO_BUSY_TIMEOUT", "30")) * 1000))
    except ValueError:
        return 30_000


def _connect(uri: str) -> sqlite3.Connection:
    db = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    db.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    return db


def _uri(path: str, mode: str) -> str:
    from urllib.parse import quote

    return f"file:{quote(os.path.abspath(path))}?mode={mode}"


def explain(err: sqlite3.Error, path: str) -> DatabaseError:
    """Turn an SQLite error into one sentence about the database file."""
    text = str(err)
    if "locked" in text or "busy" in text:
        return DatabaseError(
            f"The database {path} is locked by another domeo (a load is still running); "
            f"gave up after {busy_timeout_ms() // 1000} s. Try again when it has finished."
        )
    if "not a database" in text or "malformed" in text or "encrypted" in text:
        return DatabaseError(f"{path} is not a usable domeo database: the file is corrupt or not SQLite.")
    if "readonly" in text or "read-only" in text:
        return DatabaseError(f"The database {path} is read-only; domeo cannot write to it.")
    if "disk is full" in text or "full" in text:
        return DatabaseError(f"The disk holding {path} is full; nothing was changed.")
    if "unable to open" in text:
        return DatabaseError(f"Cannot open the database {path}: check the path and its permissions.")
    if "disk I/O" in text:
        return DatabaseError(f"An I/O error occurred on {path}; nothing was changed.")
    return DatabaseError(f"Database error on {path}: {text}.")


def _check_ours(db: sqlite3.Connection, path: str) -> int:
    """Return the schema version of ``db``, or raise if it is not a domeo database we know."""
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error as err:
        raise explain(err, path) from None
    if app_id != schema.APPLICATION_ID:
        if app_id == 0 and tables == 0:
            return 0  # an empty SQLite file: ours to fill
        raise DatabaseError(
            f"{path} is a SQLite database of another program, not domeo's; it was left untouched."
        )
    if version > schema.SCHEMA_VERSION:
        raise DatabaseError(
            f"{path} was made by a newer domeo (schema {version}, this one knows {schema.SCHEMA_VERSION}); "
            "upgrade domeo to use it."
        )
    return version


def open_existing(path: str, *, readonly: bool = True) -> sqlite3.Connection:
    """Open an existing domeo database for reports; never creates a file.

    Raises NoDatabase when there is no file, DatabaseError when it is not ours,
    is newer than this domeo or needs ``domeo init`` to upgrade.
    """
    if not os.path.exists(path):
        raise NoDatabase(
            f"No database at {path}. Create one by loading an export: domeo --db {path} ingest FILE.csv"
        )
    if os.path.isdir(path):
        raise DatabaseError(f"{path} is a directory, not a domeo database.")
    try:
        db = _connect(_uri(path, "ro" if readonly else "rw"))
    except sqlite3.Error as err:
        raise explain(err, path) from None
    version = _check_ours(db, path)
    if version == 0:
        db.close()
        raise NoDatabase(f"{path} holds no domeo data yet. Load an export: domeo --db {path} ingest FILE.csv")
    if version < schema.SCHEMA_VERSION:
        db.close()
        raise DatabaseError(
            f"{path} has an older domeo schema (version {version}); run: domeo --db {path} init"
        )
    return db


def open_for_write(path: str) -> sqlite3.Connection:
    """Open ``path`` for writing, creating it (mode 0600) if needed, schema up to date."""
    if os.path.isdir(path):
        raise DatabaseError(f"{path} is a directory, not a domeo database.")
    if not os.path.exists(path):
        try:
            # Create it ourselves so the file is the owner's alone from its first byte.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        except OSError as err:
            raise DatabaseError(f"Cannot create the database {path}: {err.strerror or err}.") from None
    try:
        db = _connect(_uri(path, "rw"))
    except sqlite3.Error as err:
        raise explain(err, path) from None
    _check_ours(db, path)
    try:
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":  # e.g. a read-only file: say so now rather than half-way
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")  # a committed load survives power loss
        migrate(db, path)
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
    return applied


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
    return datetime.now(UTC).replace(microsecond=0).isoformat()

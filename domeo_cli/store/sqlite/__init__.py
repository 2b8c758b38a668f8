"""The SQLite store: one database file, its snapshots for reports and its transactions for loads.

Everything here knows it is SQLite; nothing above ``domeo_cli.store`` does.
Every error of ``sqlite3`` leaves this package as one of domeo's
(``db.explain``), naming the file in the words of the front end.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from .snapshot import translated

if TYPE_CHECKING:
    from ...load_report import LoadReport
    from .history import Redated
    from .snapshot import Snapshot


class Initialised(NamedTuple):
    """What ``domeo init`` did to the database."""

    existed: bool
    #: Every migration the database holds, oldest first.
    migrations: list[str]
    #: The migrations this run applied.
    applied: list[str]
    #: The tables, indexes and triggers put back (``db.repair``).
    repaired: list[str]


class SqliteStore:
    """The database file at ``path``, opened anew (or from a kept connection) for each snapshot and load."""

    def __init__(self, path: str, *, timeout: float | None = None, keep_connections: bool = False) -> None:
        #: The file as the user named it (messages show it so).
        self.path = path
        self._timeout = timeout
        self._keep = keep_connections

    @property
    def file(self) -> str | None:
        """The file the database lives in (its -wal and -shm beside it): an output file must never replace it."""
        return self.path

    @contextlib.contextmanager
    def _report_connections(self) -> Iterator[None]:
        """The time limit and connection reuse of this store around opening a snapshot."""
        from .db import keep_connections, query_deadline

        with contextlib.ExitStack() as stack:
            if self._timeout is not None:
                stack.enter_context(query_deadline(self._timeout))
            if self._keep:
                stack.enter_context(keep_connections())
            yield

    def by_hand(self, **options: Any) -> sqlite3.Connection:
        """A plain connection to the database, as another program would open it: for tests and tools that
        read or change rows by hand. Nothing is checked, migrated or held in a snapshot; the caller closes it.
        ``options`` are ``sqlite3.connect``'s (``isolation_level``...)."""
        return sqlite3.connect(self.path, **options)

    @translated
    def snapshot(self, point: int | date | None = None) -> Snapshot:
        """One read snapshot, closed by the caller (a context manager); with ``point`` (a load number or a
        date), its queries read the data as known after that load (``--known-at``)."""
        from .db import open_existing
        from .shadowed import Shadowed
        from .snapshot import Snapshot

        with self._report_connections():
            connection = Shadowed(open_existing(self.path, snapshot=True))
        if point is not None:
            from .history import find_load, read_past

            try:
                read_past(connection, find_load(connection, point))
            except BaseException:
                connection.close()
                raise
        return Snapshot(connection, self.path)

    @translated
    def init(self) -> Initialised:
        """Create the database or bring its schema up to date and put back what is missing (``domeo init``).

        Exit 1 (``damage.DamagedDatabase``) when the book holds invoice rows domeo
        never writes: ``init`` must not call such a database up to date. A
        set-based look at every invoice (about a second on a million invoices).
        """
        from . import db as dbmod
        from . import schema
        from .queries import damage

        existed = os.path.exists(self.path)
        applied: list[str] = []
        repaired: list[str] = []
        connection = dbmod.open_for_write(self.path, applied, repaired)
        try:
            migrations = [row[0] for row in connection.execute("SELECT name FROM domeo_migrations ORDER BY version")]
            what = damage.first(connection)
        finally:
            connection.close()
        if what is not None:
            done = ""
            if applied or repaired:
                did = " and ".join(w for w, happened in (("upgraded", applied), ("repaired", repaired)) if happened)
                done = f" (its schema was {did} to version {schema.SCHEMA_VERSION})"
            raise damage.DamagedDatabase(damage.message(self.path, what, done))
        return Initialised(existed, migrations, applied, repaired)

    @property
    def schema_version(self) -> int:
        """The schema version this domeo writes."""
        from .schema import SCHEMA_VERSION

        return SCHEMA_VERSION

    @translated
    def load(self, file_path: str, **options: Any) -> LoadReport:
        """Load the export at ``file_path`` in one transaction holding the load lock (``ingest.load``'s options)."""
        from .ingest import load

        return load(self.path, file_path, **options)

    @translated
    def redate(self, load_text: str, day_text: str) -> Redated:
        """``domeo redate LOAD DATE``: check both, then re-date the load in one write transaction."""
        from .history import redate_load

        return redate_load(self.path, load_text, day_text)

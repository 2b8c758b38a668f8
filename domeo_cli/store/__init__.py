"""The one door to the database: every front end and report gets a store, never a connection.

``open_store(location)`` finds the database (``--db``, else ``$DOMEO_DB``,
else ``./domeo.db``) and returns its store. A store opens, for a report, one
read snapshot (``store.snapshot(point)``: every query of the report answers
from the same committed state) and, for a load, one transaction holding the
load lock (``store.load``). Everything that knows the database engine lives
in the store's backend (``store/sqlite``): opening and checking files,
migrations, triggers, the kept tables, history, every query, staging and
merge, and the translation of the engine's errors into domeo's
(``errors.DatabaseError`` and its kinds). Nothing above this package imports
an engine or holds SQL text (tests/test_imports.py).

Importing this module is cheap: the backend is imported when a store is opened.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The one backend so far; a second one shares their interface.
    from .sqlite import SqliteStore as Store
    from .sqlite.snapshot import Snapshot

__all__ = ["DEFAULT_DB", "Snapshot", "Store", "open_store", "resolve_location"]

#: The database a command finds by itself when neither ``--db`` nor ``$DOMEO_DB`` names one.
DEFAULT_DB = "domeo.db"


def resolve_location(option: str | None) -> str:
    """The database's location: ``--db``, else ``$DOMEO_DB``, else ``domeo.db`` here."""
    return option or os.environ.get("DOMEO_DB") or DEFAULT_DB


def open_store(location: str | None, *, timeout: float | None = None, keep_connections: bool = False) -> Store:
    """The store of the database at ``location`` (None: the one a command finds by itself).

    Nothing is opened yet: each snapshot or load opens what it needs, so a
    store is cheap to make and can be kept (``domeo serve`` keeps one).
    ``timeout`` stops each snapshot's queries after that many seconds;
    ``keep_connections`` lets the snapshots of a thread reuse one connection
    (a server answering many small requests).
    """
    from .sqlite import SqliteStore

    return SqliteStore(resolve_location(location), timeout=timeout, keep_connections=keep_connections)

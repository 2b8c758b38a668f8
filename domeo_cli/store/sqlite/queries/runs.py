"""The loads kept in the database (``ingest_runs``): when, which file, its hash, the counts, how long."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import NamedTuple

from ....options import check_page


class Run(NamedTuple):
    """One load: a row of ``ingest_runs``. A load that never finished has no end, hash or counts."""

    id: int
    started_at: str
    finished_at: str | None
    file_name: str
    sha256: str | None
    encoding: str | None
    rows_read: int | None
    inserted: int | None
    updated: int | None
    unchanged: int | None
    rejected: int | None
    warnings: int | None

    @property
    def duration_s(self) -> float | None:
        """Seconds from start to end (to the second, as stored), or None if it never finished."""
        if self.finished_at is None:
            return None
        try:
            return (datetime.fromisoformat(self.finished_at) - datetime.fromisoformat(self.started_at)).total_seconds()
        except ValueError:
            return None


class RunPage(NamedTuple):
    """A page of loads, newest first, and how many there are in all."""

    runs: list[Run]
    total: int
    limit: int
    offset: int


def runs(db: sqlite3.Connection, *, limit: int | None = 20, offset: int = 0) -> RunPage:
    """The loads kept, newest first (``limit`` None: every one)."""
    if limit is not None:
        check_page(limit, offset)
    rows = db.execute(
        "SELECT id, started_at, finished_at, file_name, sha256, encoding, rows_read, inserted, updated, unchanged, "
        "rejected, warnings FROM ingest_runs ORDER BY id DESC LIMIT ? OFFSET ?",
        (-1 if limit is None else limit, min(offset, 2**63 - 1)),
    ).fetchall()
    total = db.execute("SELECT count(*) FROM ingest_runs").fetchone()[0]
    return RunPage([Run(*row) for row in rows], total, total if limit is None else limit, offset)

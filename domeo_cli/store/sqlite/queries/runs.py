"""The loads kept in the database (``ingest_runs``): when, which file, its hash, the counts, how long."""

from __future__ import annotations

import sqlite3

from ....options import check_page
from ....results.runs import Run, RunPage


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

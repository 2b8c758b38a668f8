"""The result of ``runs``: a page of the loads kept.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


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

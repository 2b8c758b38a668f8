"""A process holding connections to the database never opens the file by other means (issue 19, item 1).

On POSIX, closing any descriptor of a file drops every lock the process holds
on it, SQLite's among them. A server whose connections lost their locks that
way let a load ending in another process find itself the last connection: it
deleted the -wal and -shm the server still used, and the server then read a
"malformed" database until restarted. Here the process holds connections
(one inside a read snapshot, one idle between snapshots, as a server's worker
threads hold them), opens the database again every way domeo does, and a load
in another process then commits and ends: the -wal and -shm must stay (the
load saw other readers), and the connections held must read the load's data.
"""

from __future__ import annotations

import sqlite3
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

from helpers import EXAMPLE_CSV, SAMPLE, domeo_command

from domeo_cli.store.sqlite import db as dbmod


def _ingest(db: Path, csv: Path) -> None:
    done = subprocess.run(domeo_command("--db", str(db), "ingest", str(csv)), capture_output=True, timeout=300)
    assert done.returncode in (0, 4), done.stderr


def _invoices(connection) -> int:  # noqa: ANN001 - an sqlite3 connection
    return connection.execute("SELECT count(*) FROM invoices").fetchone()[0]


def _kept_snapshot(db: Path) -> sqlite3.Connection:
    """A worker thread's kept connection inside its snapshot, as ``domeo serve`` holds one during a request."""
    with ThreadPoolExecutor(1) as pool:

        def open_kept() -> sqlite3.Connection:
            with dbmod.keep_connections():
                return dbmod.open_existing(str(db), snapshot=True)

        return pool.submit(open_kept).result()


def test_opening_the_database_again_keeps_the_locks_of_the_connections_held(tmp_path: Path, write_csv) -> None:  # noqa: ANN001
    db = tmp_path / "books.db"
    _ingest(db, write_csv(EXAMPLE_CSV, "example.csv"))
    side = [Path(f"{db}-wal"), Path(f"{db}-shm")]
    idle = _kept_snapshot(db)
    idle.close()  # a kept connection: its snapshot ends, the connection (and its lock) stays
    held = _kept_snapshot(db)
    assert held is not idle
    before = _invoices(held)
    assert all(p.exists() for p in side)
    try:
        # Every way domeo opens the file, in this process, while those connections hold their locks.
        dbmod.open_existing(str(db)).close()
        dbmod.open_existing(str(db), snapshot=True).close()
        dbmod.open_existing(str(db), readonly=False).close()
        dbmod.open_for_write(str(db)).close()
        _ingest(db, SAMPLE)  # commits and ends in another process: not the last connection to the file
        assert all(p.exists() for p in side), "the load deleted the -wal and -shm of connections still open"
        assert _invoices(held) == before  # the snapshot held is the state before the load
        held.close()
        after = _invoices(held)
        with closing(dbmod.open_existing(str(db))) as fresh:
            assert after == _invoices(fresh) > before
            assert fresh.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        assert _invoices(idle) == after
    finally:
        for connection in (idle, held):
            sqlite3.Connection.close(connection)  # really closed: a kept connection's close ends a snapshot only

"""Crash safety: ``domeo ingest`` killed with SIGKILL at any moment leaves the old state or the new.

A base export is loaded once; then a second export (changed rows and new
ones) is loaded again and again from a copy of that base database, and the
loading process is killed at each named phase of the load (held there by
``DOMEO_TEST_PAUSE``, see ``domeo_cli/phases.py``: every kill lands, on any
machine) and, inside the merge and the commit themselves, as the write-ahead
log grows. After each kill SQLite's own integrity check passes and the
database holds exactly the digest of the state before the load or exactly
that after it, never a mix: before for every phase up to the commit, after
once it is committed.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from helpers import Pause, by_hand, domeo_command, load_generator

pytestmark = pytest.mark.slow

ROWS = 30_000  # about 3 s per load on two cores
NEW_ROWS = 3_000
# The phases a load passes (one that does not rebuild the indexes), and the state a kill there leaves.
PHASES = {
    "locking": "before",
    "opened": "before",
    "parsing": "before",
    "staged": "before",
    "inserted": "before",
    "before_commit": "before",
    "committed": "after",
}
WAL_FRACTIONS = [0.02, 0.3, 0.6, 0.9, 0.99]  # kill as the log passes these shares of its full size


def _write_files(folder: Path) -> tuple[Path, Path]:
    """The base export and a second one: every 5th invoice paid off differently, new invoices."""
    gen = load_generator()
    base_rows = list(gen.generate_rows(ROWS, seed=41))
    base = folder / "base.csv"
    second = folder / "second.csv"
    with base.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        writer.writerows(base_rows)
    with second.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        for i, row in enumerate(base_rows):
            if i % 5 == 0:
                row = list(row)
                row[5], row[6] = "0", "Pending"  # Applied, Status: the payment was reversed
            if i % 11 == 0:
                row = list(row)
                row[8] = "Crash Test Contact"
            writer.writerow(row)
        for i, row in enumerate(base_rows[:NEW_ROWS]):
            writer.writerow([row[0], f"NEW{i:07d}", *row[2:]])
    return base, second


def _digest(path: Path) -> str:
    """Integrity-check ``path`` (recovering its WAL), then hash everything a load writes."""
    db = by_hand(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        digest = hashlib.sha256()
        for query in (
            "SELECT * FROM invoices ORDER BY invoice_number",
            "SELECT * FROM customers ORDER BY id",
            "SELECT * FROM contacts ORDER BY id",
            "SELECT id, file_name, sha256, rows_read, inserted, updated, unchanged, rejected "
            "FROM ingest_runs ORDER BY id",
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
            "SELECT application_id, user_version FROM pragma_application_id, pragma_user_version",
        ):
            for row in db.execute(query):
                digest.update(repr(row).encode())
            digest.update(b"|")
        return digest.hexdigest()
    finally:
        db.close()


def _fresh_copy(base_db: Path, work: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base_db, work)
    os.chmod(work, 0o600)


def _start_load(work: Path, second: Path, pause: Pause | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        domeo_command("--db", str(work), "ingest", str(second), "--json"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(pause.env if pause else {})},
    )


def _kill_at(phase: str, work: Path, csv_path: Path, folder: Path) -> None:
    """Load ``csv_path`` into ``work`` and SIGKILL it while it holds at ``phase``."""
    pause = Pause(folder / f"pause-{phase}", phase)
    process = _start_load(work, csv_path, pause)
    pause.wait(phase, process)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    pause.path.unlink()


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Files, the base database, both digests and a full load's WAL size."""
    folder = tmp_path_factory.mktemp("crash")
    base, second = _write_files(folder)
    base_db = folder / "base.db"
    done = subprocess.run(domeo_command("--db", str(base_db), "ingest", str(base)), capture_output=True)
    assert done.returncode == 0, done.stderr
    checkpoint = by_hand(base_db)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    before = _digest(base_db)

    work = folder / "work.db"
    _fresh_copy(base_db, work)
    wal = Path(f"{work}-wal")
    pause = Pause(folder / "pause", "committed")
    process = _start_load(work, second, pause)
    pause.wait("committed", process)
    wal_max = wal.stat().st_size  # the whole load, committed (closing checkpoints and removes it)
    pause.release()
    assert process.wait() == 0
    after = _digest(work)
    assert after != before
    assert wal_max > 0
    return {
        "folder": folder,
        "second": second,
        "base_db": base_db,
        "work": work,
        "before": before,
        "after": after,
        "wal_max": wal_max,
    }


def test_sigkill_during_ingest_leaves_the_old_state_or_the_new(loads: dict) -> None:
    work, second, base_db, folder = loads["work"], loads["second"], loads["base_db"], loads["folder"]
    for phase, expected in PHASES.items():
        _fresh_copy(base_db, work)
        _kill_at(phase, work, second, folder)
        assert _digest(work) == loads[expected], f"a kill at {phase} did not leave the state {expected} the load"

    # Inside the merge and the commit, where SQLite writes pages: a kill as the log grows
    # past each share of its full size. The load may finish first; either way, old or new.
    wal = Path(f"{work}-wal")
    for share in WAL_FRACTIONS:
        _fresh_copy(base_db, work)
        threshold = int(share * loads["wal_max"])
        process = _start_load(work, second)
        while process.poll() is None:
            if wal.exists() and wal.stat().st_size > threshold:
                process.send_signal(signal.SIGKILL)
                break
            time.sleep(0.0005)
        process.wait()
        assert process.returncode in (0, -signal.SIGKILL), (share, process.returncode)
        assert _digest(work) in (loads["before"], loads["after"]), f"WAL past {share:.0%}: a state that is neither"

    # A killed database is still a working one: loading again completes the load.
    _fresh_copy(base_db, work)
    _kill_at("inserted", work, second, folder)
    assert _digest(work) == loads["before"]
    again = subprocess.run(domeo_command("--db", str(work), "ingest", str(second), "--json"), capture_output=True)
    assert again.returncode == 0, again.stderr
    assert _digest(work) == loads["after"]


def test_report_after_a_kill_answers_the_old_state(loads: dict) -> None:
    work, second, base_db = loads["work"], loads["second"], loads["base_db"]
    expected = subprocess.run(
        domeo_command("--db", str(base_db), "past-due", "--as-of", "2025-10-01", "--json"), capture_output=True
    )
    assert expected.returncode == 0, expected.stderr
    _fresh_copy(base_db, work)
    _kill_at("before_commit", work, second, loads["folder"])
    # The report opens the crashed database read-only: it must recover or read around the WAL.
    report = subprocess.run(
        domeo_command("--db", str(work), "past-due", "--as-of", "2025-10-01", "--json"), capture_output=True
    )
    assert report.returncode == 0, report.stderr
    assert report.stdout == expected.stdout
    assert report.stderr == b""


def test_sigkill_during_a_load_that_rebuilds_the_indexes(tmp_path: Path) -> None:
    """A load larger than the table (and than 50,000 rows) drops the secondary indexes
    and the rollup's triggers, inserts, then builds them again: a kill anywhere in
    that leaves the old database, indexes and triggers included, or the new one."""
    gen = load_generator()
    rows = list(gen.generate_rows(55_000, seed=43))
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    for path, part in ((small, rows[:50]), (large, rows)):
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(gen.HEADER)
            writer.writerows(part)
    base_db, work = tmp_path / "base.db", tmp_path / "work.db"
    assert (
        subprocess.run(domeo_command("--db", str(base_db), "ingest", str(small)), capture_output=True).returncode == 0
    )
    checkpoint = by_hand(base_db)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    before = _digest(base_db)
    _fresh_copy(base_db, work)
    assert subprocess.run(domeo_command("--db", str(work), "ingest", str(large)), capture_output=True).returncode == 0
    after = _digest(work)
    phases = {
        "staged": before,
        "indexes_dropped": before,
        "inserted": before,
        "indexes_built": before,
        "before_commit": before,
        "committed": after,
    }
    for phase, expected in phases.items():
        _fresh_copy(base_db, work)
        _kill_at(phase, work, large, tmp_path)
        state = _digest(work)
        assert state in (before, after), f"kill at {phase}: a state that is neither"
        assert state == expected, f"kill at {phase}: the wrong state"

"""Crash safety: ``domeo ingest`` killed with SIGKILL at any moment leaves the old state or the new.

A base export is loaded once; then a second export (changed rows and new
ones) is loaded again and again from a copy of that base database, and the
loading process is killed at moments spread over the load: by time (fractions
of one measured full load, the last ones near the commit) and by the
write-ahead log's growth (the merge and the commit themselves). After each
kill SQLite's own integrity check passes and the database holds exactly the
digest of the state before the load or exactly that after it, never a mix.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from helpers import domeo_command, load_generator

pytestmark = pytest.mark.slow

ROWS = 30_000  # about 3 s per load on two cores: 27 kills stay under two minutes
NEW_ROWS = 3_000
TIME_FRACTIONS = [i / 20 for i in range(1, 21)] + [0.97, 0.99]  # 5 % .. 100 %, then the very end
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
    db = sqlite3.connect(path)
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


def _start_load(work: Path, second: Path) -> subprocess.Popen:
    return subprocess.Popen(
        domeo_command("--db", str(work), "ingest", str(second), "--json"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Files, the base database, both digests, a full load's duration and WAL size."""
    folder = tmp_path_factory.mktemp("crash")
    base, second = _write_files(folder)
    base_db = folder / "base.db"
    done = subprocess.run(domeo_command("--db", str(base_db), "ingest", str(base)), capture_output=True)
    assert done.returncode == 0, done.stderr
    checkpoint = sqlite3.connect(base_db)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    before = _digest(base_db)

    work = folder / "work.db"
    _fresh_copy(base_db, work)
    wal = Path(f"{work}-wal")
    started = time.monotonic()
    process = _start_load(work, second)
    wal_max = 0
    while process.poll() is None:
        if wal.exists():
            wal_max = max(wal_max, wal.stat().st_size)
        time.sleep(0.002)
    duration = time.monotonic() - started
    assert process.returncode == 0
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
        "duration": duration,
        "wal_max": wal_max,
    }


def test_sigkill_during_ingest_leaves_the_old_state_or_the_new(loads: dict) -> None:
    work, second, base_db = loads["work"], loads["second"], loads["base_db"]
    wal = Path(f"{work}-wal")
    outcomes: list[tuple[str, str]] = []
    killed = 0

    def check(label: str, process: subprocess.Popen) -> None:
        nonlocal killed
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        if process.returncode == -signal.SIGKILL:
            killed += 1
        else:  # it finished first: then it must have succeeded
            assert process.returncode == 0, (label, process.returncode)
        state = _digest(work)
        assert state in (loads["before"], loads["after"]), f"kill at {label}: a state that is neither"
        outcomes.append((label, "before" if state == loads["before"] else "after"))

    for fraction in TIME_FRACTIONS:
        _fresh_copy(base_db, work)
        deadline = time.monotonic() + fraction * loads["duration"]
        process = _start_load(work, second)
        time.sleep(max(0.0, deadline - time.monotonic()))
        check(f"{fraction:.0%} of the load time", process)

    for share in WAL_FRACTIONS:
        _fresh_copy(base_db, work)
        threshold = int(share * loads["wal_max"])
        process = _start_load(work, second)
        while process.poll() is None:
            if wal.exists() and wal.stat().st_size > threshold:
                break
            time.sleep(0.0005)
        check(f"WAL past {share:.0%} of its size", process)

    print(f"\n{killed} kills; outcomes: {outcomes}")  # shown with pytest -s
    assert killed >= 20, outcomes
    assert len(outcomes) == len(TIME_FRACTIONS) + len(WAL_FRACTIONS)
    kinds = {kind for _, kind in outcomes}
    assert "before" in kinds, outcomes  # the early kills did roll back
    assert outcomes[0][1] == "before"

    # The last killed database is still a working one: loading again completes the load.
    _fresh_copy(base_db, work)
    process = _start_load(work, second)
    time.sleep(loads["duration"] / 2)
    process.send_signal(signal.SIGKILL)
    process.wait()
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
    process = _start_load(work, second)
    time.sleep(loads["duration"] * 0.6)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
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
    checkpoint = sqlite3.connect(base_db)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint.close()
    before = _digest(base_db)
    _fresh_copy(base_db, work)
    started = time.monotonic()
    assert subprocess.run(domeo_command("--db", str(work), "ingest", str(large)), capture_output=True).returncode == 0
    duration = time.monotonic() - started
    after = _digest(work)
    outcomes = []
    for fraction in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
        _fresh_copy(base_db, work)
        process = _start_load(work, large)
        time.sleep(fraction * duration)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        state = _digest(work)
        assert state in (before, after), f"kill at {fraction:.0%}: a state that is neither"
        outcomes.append((fraction, process.returncode, "before" if state == before else "after"))
    assert sum(1 for _, code, _ in outcomes if code == -signal.SIGKILL) >= 4, outcomes

"""Concurrency: reports during a load, two loads at once, reports during a schema upgrade.

SQLite's write-ahead log lets readers see the last committed state while one
writer works; a second writer waits for the lock (``$DOMEO_BUSY_TIMEOUT``
seconds) and then gives up with exit 1 and one sentence. These tests run the
real command in child processes, as cron jobs would, and hold the load at
named phases (``DOMEO_TEST_PAUSE``) while the other process runs: what they
check never depends on how fast the machine is.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from helpers import Pause, by_hand, domeo_command, load_generator

from domeo_cli.store.sqlite import db as dbmod
from domeo_cli.store.sqlite import schema
from domeo_cli.store.sqlite.queries import past_due as queries

pytestmark = pytest.mark.slow

ROWS = 60_000
AS_OF = "2025-10-01"
PAST_DUE = ("past-due", "--as-of", AS_OF, "--limit", "5", "--json")
SUMMARY = ("summary", "--month", "2024-01", "--json")


def _write(path: Path, rows: list[list[str]]) -> Path:
    gen = load_generator()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A loaded base database, and a second export that changes what every report answers."""
    folder = tmp_path_factory.mktemp("concurrency")
    rows = list(load_generator().generate_rows(ROWS, seed=5))
    base_csv = _write(folder / "base.csv", rows)
    changed = [[*row[:5], "0", "Pending", *row[7:]] if i % 3 == 0 else row for i, row in enumerate(rows)]
    changed += [[row[0], f"NEW{i:07d}", *row[2:]] for i, row in enumerate(rows[:5000])]
    second_csv = _write(folder / "second.csv", changed)
    base_db = folder / "base.db"
    done = subprocess.run(domeo_command("--db", str(base_db), "ingest", str(base_csv)), capture_output=True)
    assert done.returncode == 0, done.stderr
    return {"folder": folder, "base_db": base_db, "second": second_csv}


@pytest.fixture
def db_copy(base: dict, tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copyfile(base["base_db"], path)
    return path


def _report(db: Path, args: tuple[str, ...], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        domeo_command("--db", str(db), *args), capture_output=True, env={**os.environ, **env}, timeout=60
    )


def _ingest(db: Path, csv_path: Path, *extra: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        domeo_command("--db", str(db), "ingest", str(csv_path), *extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
    )


# -- (a) reports while a load runs ---------------------------------------------------------


def _committed(db: Path) -> bool:
    """Whether the second load has committed (its run is the second finished one)."""
    probe = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return probe.execute("SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL").fetchone()[0] > 1
    finally:
        probe.close()


def test_reports_answer_the_last_committed_state_during_a_load(base: dict, db_copy: Path, tmp_path: Path) -> None:
    old = {args: _report(db_copy, args) for args in (PAST_DUE, SUMMARY)}
    for result in old.values():
        assert result.returncode == 0, result.stderr
    # This load is larger than the table: it drops and rebuilds the indexes as well.
    uncommitted = ("opened", "staged", "indexes_dropped", "inserted", "indexes_built", "before_commit")
    pause = Pause(tmp_path / "pause", *uncommitted, "committed")
    load = _ingest(db_copy, base["second"], "--json", **pause.env)
    for phase in uncommitted:
        pause.wait(phase, load)
        for args in (PAST_DUE, SUMMARY):
            result = _report(db_copy, args)
            assert (result.returncode, result.stderr) == (0, b""), (phase, result.stderr)
            assert result.stdout == old[args].stdout, f"a report saw the load's uncommitted state at {phase}"
        assert not _committed(db_copy)
        pause.release()
    pause.wait("committed", load)
    new = {args: _report(db_copy, args) for args in (PAST_DUE, SUMMARY)}
    pause.release()
    assert load.wait(timeout=120) == 0, load.stderr.read() if load.stderr else None
    for args in (PAST_DUE, SUMMARY):
        assert new[args].returncode == 0, new[args].stderr
        assert new[args].stdout != old[args].stdout  # the committed load, seen at once
        assert _report(db_copy, args).stdout == new[args].stdout


# -- (b) two loads at once -----------------------------------------------------------------


def test_second_load_gives_up_after_the_busy_timeout_with_exit_1(base: dict, db_copy: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text(
        "CustomerName,InvoiceNumber,InvoiceDate,BillTotal,Applied,Currency,CustomerTerms\n"
        "Second Loader Inc,SECOND-1,3/1/25,100,0,USD,Net 30\n",
        encoding="utf-8",
    )
    pause = Pause(tmp_path / "pause", "staged")
    first = _ingest(db_copy, base["second"], **pause.env)
    pause.wait("staged", first)  # inside its write transaction, holding the lock
    started = time.monotonic()
    second = _report(db_copy, ("ingest", str(small)), DOMEO_BUSY_TIMEOUT="1")
    elapsed = time.monotonic() - started
    assert second.returncode == 1
    assert second.stdout == b""
    assert second.stderr.decode() == (
        f"domeo: error: The database {db_copy} is locked by another domeo (a load is still running); "
        "gave up after 1 s. Try again when it has finished.\n"
    )
    # It waited, and not the default 30 s: the bound leaves room for a slow, busy machine.
    assert 1.0 <= elapsed < 25, elapsed

    as_json = _report(db_copy, ("ingest", str(small), "--json"), DOMEO_BUSY_TIMEOUT="0.2")
    assert as_json.returncode == 1
    assert as_json.stdout == b""
    assert b'"code": "database_error"' in as_json.stderr
    assert b"gave up after 0.2 s" in as_json.stderr
    assert first.poll() is None  # still held at its phase: both gave up against its lock
    pause.release()
    assert first.wait(timeout=120) == 0
    db = by_hand(db_copy)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("SELECT count(*) FROM invoices WHERE invoice_number = 'SECOND-1'").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM ingest_runs").fetchone() == (2,)


def test_second_load_waits_for_the_first_and_then_loads(base: dict, db_copy: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text(
        "CustomerName,InvoiceNumber,InvoiceDate,BillTotal,Applied,Currency,CustomerTerms\n"
        "Second Loader Inc,SECOND-1,3/1/25,100,0,USD,Net 30\n",
        encoding="utf-8",
    )
    pause = Pause(tmp_path / "pause", "staged")
    first = _ingest(db_copy, base["second"], "--json", **pause.env)
    pause.wait("staged", first)  # inside its write transaction, holding the load lock
    at_lock = Pause(tmp_path / "second", "locking", "opened")
    second = _ingest(db_copy, small, "--json", **at_lock.env)  # default wait: 30 s, far more than the rest of the load
    at_lock.wait("locking", second)  # about to take the load lock, which the first load holds
    at_lock.release()
    pause.release()
    at_lock.wait("opened", second)  # the second load has the lock: only once the first load committed
    assert _committed(db_copy)
    _assert_no_other_writer(db_copy)  # and while it holds it, no other writer gets in
    at_lock.release()
    assert second.wait(timeout=120) == 0, second.stderr.read() if second.stderr else None
    assert first.wait(timeout=120) == 0
    db = by_hand(db_copy)
    # Run ids are taken inside each load's transaction: the small load's came after the big one's.
    runs = db.execute("SELECT file_name, rows_read FROM ingest_runs ORDER BY id").fetchall()
    assert [name for name, _ in runs] == [str(base["folder"] / "base.csv"), str(base["second"]), str(small)]
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("SELECT count(*) FROM invoices").fetchone() == (ROWS + 5000 + 1,)
    assert db.execute("SELECT count(*) FROM ingest_runs WHERE finished_at IS NOT NULL").fetchone() == (3,)
    # The second load's customer and invoice have the ids the database gave them, after the first load's.
    assert db.execute(
        "SELECT c.id = (SELECT max(id) FROM customers), i.id = (SELECT max(id) FROM invoices), i.run_id "
        "FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id WHERE i.invoice_number = 'SECOND-1'"
    ).fetchall() == [(1, 1, 3)]


def _assert_no_other_writer(db: Path) -> None:
    """A writer that does not wait is refused: a load holds the database's write lock, its load lock."""
    other = by_hand(db, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="^database is locked$"):
            other.execute("BEGIN IMMEDIATE")
    finally:
        other.close()


# -- (c) reports during a schema upgrade ------------------------------------------------------

UPGRADER = textwrap.dedent(
    """
    import sys
    from domeo_cli.store.sqlite import db, schema

    def _m999_upgrade(conn):
        conn.execute("CREATE TABLE upgrade_probe (x INTEGER)")
        conn.execute("ALTER TABLE customers ADD COLUMN upgrade_note TEXT")

    schema.MIGRATIONS.append(_m999_upgrade)
    schema.SCHEMA_VERSION = len(schema.MIGRATIONS)
    db.open_for_write(sys.argv[1]).close()
    """
)

NEWER_READER = textwrap.dedent(
    """
    import sys
    from domeo_cli.store.sqlite import schema
    from domeo_cli.__main__ import main

    schema.MIGRATIONS.append(lambda conn: None)
    schema.SCHEMA_VERSION = len(schema.MIGRATIONS)
    sys.argv = ["domeo", "--db", sys.argv[1], *sys.argv[2:]]
    main()
    """
)


def test_reports_during_a_schema_upgrade_answer_or_fail_cleanly(db_copy: Path, tmp_path: Path) -> None:
    pause = Pause(tmp_path / "upgrading", "migrated")
    old = _report(db_copy, PAST_DUE)
    assert old.returncode == 0
    upgrade = subprocess.Popen(
        [sys.executable, "-c", UPGRADER, str(db_copy)], stderr=subprocess.PIPE, env={**os.environ, **pause.env}
    )
    pause.wait("migrated", upgrade)  # the upgrade is applied, uncommitted
    # This domeo, mid-upgrade: the committed schema is still its own, so it answers.
    during = _report(db_copy, PAST_DUE)
    assert upgrade.poll() is None, "the upgrade ended before the report ran: the test proved nothing"
    assert during.returncode == 0, during.stderr
    assert during.stdout == old.stdout
    # The newer domeo, mid-upgrade: the schema it needs is not committed yet, so it says so.
    newer = subprocess.run(
        [sys.executable, "-c", NEWER_READER, str(db_copy), *PAST_DUE], capture_output=True, timeout=60
    )
    assert upgrade.poll() is None
    version = schema.SCHEMA_VERSION
    assert newer.returncode == 1
    assert newer.stdout == b""
    assert newer.stderr.decode().startswith("{") and "older domeo schema" in newer.stderr.decode()
    # A load meanwhile waits for the upgrade's lock, then gives up cleanly.
    small = tmp_path / "small.csv"
    small.write_text(
        "CustomerName,InvoiceNumber,InvoiceDate,BillTotal,Applied,Currency,CustomerTerms\n"
        "Upgrade Race Inc,RACE-1,3/1/25,100,0,USD,Net 30\n",
        encoding="utf-8",
    )
    locked = _report(db_copy, ("ingest", str(small)), DOMEO_BUSY_TIMEOUT="0.5")
    assert upgrade.poll() is None
    assert locked.returncode == 1
    assert "is locked by another domeo" in locked.stderr.decode()
    pause.release()
    assert upgrade.wait(timeout=60) == 0, upgrade.stderr.read() if upgrade.stderr else None
    # After the upgrade this domeo is the older one: one sentence, exit 1, no traceback.
    after = _report(db_copy, PAST_DUE)
    assert after.returncode == 1
    assert after.stdout == b""
    assert "Traceback" not in after.stderr.decode()
    assert after.stderr.decode() == (
        '{"error": {"code": "database_error", "message": "'
        f"{db_copy} was made by a newer domeo (schema {version + 1}, this one knows {version}); "
        'upgrade domeo to use it."}}\n'
    )
    plain = _report(db_copy, ("summary", "--month", "2025-03"))
    assert plain.returncode == 1
    assert plain.stderr.decode() == (
        f"domeo: error: {db_copy} was made by a newer domeo (schema {version + 1}, this one knows {version}); "
        "upgrade domeo to use it.\n"
    )


# -- one report, one committed state ----------------------------------------------------------


def _add_past_due_invoice(path: Path, number: str) -> None:
    writer = by_hand(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
        "bill_total_cents, applied_cents, outstanding_cents, currency, status) "
        "SELECT ?, min(id), '2020-01-01', '2020-01-31', 0, 100, 0, 100, 'USD', 'Pending' FROM customers",
        (number,),
    )
    writer.execute("COMMIT")
    writer.close()


def _interleaved_page(connection: sqlite3.Connection, path: Path) -> tuple[list[str], int]:
    """Run past_due on ``connection``; a load commits a new past-due invoice between its queries."""
    state = {"statements": 0, "done": False}

    def commit_between(statement: str) -> None:
        # Before the report's second statement, whatever it is (the page, the count from the
        # invoices or from the kept per-day counts): the first one has begun the read.
        state["statements"] += 1
        if state["statements"] == 2:
            state["done"] = True
            _add_past_due_invoice(path, "LATE-COMMIT")

    connection.set_trace_callback(commit_between)
    page = queries.past_due(connection, date.fromisoformat(AS_OF), limit=200)
    connection.set_trace_callback(None)
    assert state["done"], "past_due ran one statement only: the test needs adapting"
    return [item.invoice_number for item in page.items], page.total


def test_open_existing_with_snapshot_answers_from_one_committed_state(db_copy: Path) -> None:
    before = dbmod.open_existing(str(db_copy))
    expected_total = queries.past_due(before, date.fromisoformat(AS_OF), limit=1).total
    before.close()
    connection = dbmod.open_existing(str(db_copy), snapshot=True)
    _, total = _interleaved_page(connection, db_copy)
    assert total == expected_total  # the count did not see the load that committed mid-report
    connection.close()
    fresh = dbmod.open_existing(str(db_copy))
    assert queries.past_due(fresh, date.fromisoformat(AS_OF), limit=1).total == expected_total + 1


def test_a_report_answers_from_one_committed_state(db_copy: Path) -> None:
    before = dbmod.open_existing(str(db_copy))
    expected_total = queries.past_due(before, date.fromisoformat(AS_OF), limit=1).total
    before.close()
    connection = dbmod.open_existing(str(db_copy), snapshot=True)  # a report's read snapshot (Store.snapshot)
    _, total = _interleaved_page(connection, db_copy)
    connection.close()
    assert total == expected_total

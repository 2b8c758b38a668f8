"""Ids come from the database, and a load holds an explicit load lock (issue 20, item 1).

A load's new customers are written set-based and the database gives their ids; nothing is worked
out as ``max(id) + 1``. So a row another writer adds while a load runs takes no id the load meant
for itself. SQLite's load lock (its write lock, ``db.load_lock``) stops every other writer; a
store whose lock stops only loads (PostgreSQL's advisory lock) would let such a writer in. The
tests below let one in through the load's own connection, at a named phase of the load: what they
check never depends on timing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers import by_hand, csv_of

from domeo_cli.store.sqlite import db as dbmod
from domeo_cli.store.sqlite import ingest


def _rows(*pairs: tuple[str, str]) -> str:
    return csv_of([{"customer": name, "number": number, "date": "3/7/25", "total": "10"} for name, number in pairs])


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _invoices(path: Path) -> list[tuple[int, str, int, str]]:
    """``(invoice id, invoice number, customer id, customer name)`` of every invoice, by invoice id."""
    with by_hand(path) as db:
        return db.execute(
            "SELECT i.id, i.invoice_number, c.id, c.name FROM invoices AS i "
            "JOIN customers AS c ON c.id = i.customer_id ORDER BY i.id"
        ).fetchall()


def _add_customer_and_invoice(db: sqlite3.Connection, name: str, number: str) -> None:
    """What another writer does: a customer and one invoice of it, ids given by SQLite."""
    db.execute("INSERT INTO customers (name, name_key) VALUES (?, ?)", (name, name.casefold()))
    db.execute(
        "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
        "bill_total_cents, applied_cents, outstanding_cents, currency, status) "
        "VALUES (?, last_insert_rowid(), '2025-03-01', '2025-03-31', 0, 500, 0, 500, 'USD', 'Pending')",
        (number,),
    )


def test_a_writer_inside_a_load_takes_no_id_the_load_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "ids.db"
    first = ingest.load(str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1"), ("Bolt", "B-1"))))
    assert first.committed
    # The load reads the customers, stages its rows, then another writer adds a customer and an invoice
    # before the merge: with ids worked out as max + 1, the load's new customer would take the writer's id.
    connection: list[sqlite3.Connection] = []
    take_lock = dbmod.load_lock
    monkeypatch.setattr(dbmod, "load_lock", lambda db: (connection.append(db), take_lock(db))[-1])

    def at_phase(name: str) -> None:
        if name == "staged":
            _add_customer_and_invoice(connection[0], "Writer Between", "W-1")

    monkeypatch.setattr(ingest, "reached", at_phase)
    second = ingest.load(
        str(db_path), _write(tmp_path, "second.csv", _rows(("Acme", "A-2"), ("Cobalt", "C-1"), ("Dune", "D-1")))
    )
    assert (second.committed, second.inserted, second.new_customers) == (True, 3, 2)
    assert _invoices(db_path) == [
        (1, "A-1", 1, "Acme"),
        (2, "B-1", 2, "Bolt"),
        (3, "W-1", 3, "Writer Between"),
        (4, "A-2", 1, "Acme"),
        (5, "C-1", 4, "Cobalt"),
        (6, "D-1", 5, "Dune"),
    ]


def test_a_writer_between_two_loads_takes_no_id_either(tmp_path: Path) -> None:
    db_path = tmp_path / "ids.db"
    assert ingest.load(str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1")))).committed
    with by_hand(db_path, isolation_level=None) as writer:
        writer.execute("BEGIN IMMEDIATE")
        _add_customer_and_invoice(writer, "Writer Between", "W-1")
        writer.execute("COMMIT")
    second = ingest.load(str(db_path), _write(tmp_path, "second.csv", _rows(("Cobalt", "C-1"), ("Acme", "A-2"))))
    assert (second.committed, second.inserted, second.new_customers) == (True, 2, 1)
    assert _invoices(db_path) == [
        (1, "A-1", 1, "Acme"),
        (2, "W-1", 2, "Writer Between"),
        (3, "A-2", 1, "Acme"),
        (4, "C-1", 3, "Cobalt"),
    ]


def test_a_new_customer_named_only_on_a_replaced_row_is_not_written_and_takes_no_id(tmp_path: Path) -> None:
    db_path = tmp_path / "ids.db"
    assert ingest.load(str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1")))).committed
    # Zed's only row is replaced by a later row of the same number: Zed is not written, and the ids the
    # database gives the customers that are no longer follow the order the file named them in, one by one.
    rows = _rows(("Bolt", "B-1"), ("Zed", "X-1"), ("Acme", "A-2"), ("Cobalt", "X-1"))
    report = ingest.load(str(db_path), _write(tmp_path, "second.csv", rows))
    assert (report.committed, report.inserted, report.rejected, report.new_customers) == (True, 3, 1, 2)
    assert _invoices(db_path) == [
        (1, "A-1", 1, "Acme"),
        (2, "A-2", 1, "Acme"),
        (3, "B-1", 2, "Bolt"),
        (4, "X-1", 3, "Cobalt"),
    ]


def test_a_load_takes_the_load_lock_before_it_reads_what_it_writes_against(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "ids.db"
    assert ingest.load(str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1")))).committed
    steps: list[str] = []
    take_lock = dbmod.load_lock
    monkeypatch.setattr(dbmod, "load_lock", lambda db: (steps.append("load_lock"), take_lock(db))[-1])
    ledger = ingest.Ledger
    monkeypatch.setattr(ingest, "Ledger", lambda known: (steps.append("customers read"), ledger(known))[-1])
    monkeypatch.setattr(ingest, "reached", steps.append)
    assert ingest.load(str(db_path), _write(tmp_path, "second.csv", _rows(("Acme", "A-2")))).committed
    assert steps[:3] == ["load_lock", "customers read", "opened"]
    # While the lock is held, no other writer gets in: SQLite's form of it is the write lock.
    steps.clear()
    refused: list[str] = []

    def try_to_write(name: str) -> None:
        if name == "staged":
            other = by_hand(db_path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                refused.append(str(err))
            finally:
                other.close()

    monkeypatch.setattr(ingest, "reached", try_to_write)
    assert ingest.load(str(db_path), _write(tmp_path, "third.csv", _rows(("Acme", "A-3")))).committed
    assert refused == ["database is locked"]


def test_a_dry_run_takes_no_load_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_path = tmp_path / "ids.db"
    assert ingest.load(str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1")))).committed
    locked: list[sqlite3.Connection] = []
    monkeypatch.setattr(dbmod, "load_lock", locked.append)
    report = ingest.load(str(db_path), _write(tmp_path, "second.csv", _rows(("Bolt", "B-1"))), dry_run=True)
    assert (report.committed, report.inserted, report.new_customers, locked) == (False, 1, 1, [])


def test_diff_tells_a_loads_new_invoices_by_what_it_wrote_not_by_a_range_of_ids(
    run,  # noqa: ANN001
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "test.db"  # $DOMEO_DB
    assert ingest.load(
        str(db_path), _write(tmp_path, "first.csv", _rows(("Acme", "A-1"))), as_of="2025-04-01"
    ).committed
    # Another writer's invoice, between the loads: its id falls between theirs, and no load wrote it.
    with by_hand(db_path, isolation_level=None) as writer:
        writer.execute("BEGIN IMMEDIATE")
        _add_customer_and_invoice(writer, "Writer Between", "W-1")
        writer.execute("COMMIT")
    second = _write(tmp_path, "second.csv", _rows(("Acme", "A-1"), ("Acme", "A-2")))
    assert ingest.load(str(db_path), second, as_of="2025-04-02").committed
    assert [(i, number) for i, number, *_ in _invoices(db_path)] == [(1, "A-1"), (2, "W-1"), (3, "A-2")]
    diff = run("diff", "1", "2", "--json")
    assert diff.exit_code == 0, diff
    assert [new["invoice_number"] for new in diff.json["new"]] == ["A-2"]
    # As the data known after load 1 says: W-1 was there (no load dates it), A-2 was not.
    known = run("past-due", "--as-of", "2025-06-01", "--known-at", "1", "--json")
    assert [item["invoice_number"] for item in known.json["items"]] == ["W-1", "A-1"]

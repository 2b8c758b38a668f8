"""The open amounts per (customer, currency) and per (currency, day) that loads keep for aging."""

from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

from helpers import (
    EXAMPLE_CSV,
    HEADER,
    KEPT,
    KEPT_DAYS,
    KEPT_STARTS,
    KEPT_TOPS,
    LIVE,
    by_hand,
    downgrade,
    live_days,
    live_starts,
    live_tops,
)

from domeo_cli.store.sqlite import ingest

# Harbor Lane Bakery's open invoice paid off; a new, larger one for a new customer.
CHANGES = (
    HEADER
    + "\n"
    + """\
Harbor Lane Bakery,DF2031977,3/21/25,PO-004430,1190.5,1190.5,Closed,USD,Dana Whitfield,555-204-7781,dana@harborlanebakery.com,Net 30,,418552,907113
Lens & Light,LL-1,4/2/25,,9999.99,0,Pending,USD,Ana Silva,,ana@lens.example,Net 15,,555001,
"""  # noqa: E501
)


def state(db_path: Path) -> tuple[int, list, list]:
    """``(dirty flag, kept groups and days, the same summed from the invoices)``."""
    connection = by_hand(db_path)
    try:
        dirty = connection.execute("SELECT dirty FROM open_groups_state").fetchone()[0]
        kept = connection.execute(KEPT).fetchall() + connection.execute(KEPT_DAYS).fetchall()
        live = connection.execute(LIVE).fetchall() + live_days(connection)
        kept += connection.execute(KEPT_TOPS).fetchall() + connection.execute(KEPT_STARTS).fetchall()
        live += live_tops(connection) + live_starts(connection)
        return dirty, kept, live
    finally:
        connection.close()


def top_debtor(run, *extra: str) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """``(name, currency, total)`` of each currency's largest open group, from ``aging --limit 1``."""
    doc = run("aging", "--as-of", "2025-06-01", "--limit", "1", "--json", *extra).json
    return [(g["name"], g["currency"], g["total"]) for g in doc["groups"]]


def test_every_load_leaves_the_groups_equal_to_the_invoices(write_csv, run, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live) and len(live) == 2 + 4 + 2 + 2  # groups; due and invoice dates; tops; starts
    assert top_debtor(run) == [("Northwind Outfitters", "CAD", "6400.00"), ("Harbor Lane Bakery", "USD", "778.25")]

    assert run("ingest", str(write_csv(CHANGES, "changes.csv"))).exit_code == 0
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live)
    assert top_debtor(run) == [("Northwind Outfitters", "CAD", "6400.00"), ("Lens & Light", "USD", "9999.99")]


def test_a_large_load_rebuilds_them(write_csv, run, db_path: Path) -> None:  # noqa: ANN001
    with mock.patch.object(ingest, "REBUILD_FROM", 0):
        report = ingest.load(str(db_path), str(write_csv(EXAMPLE_CSV, "example.csv")))
    assert report.inserted == 4
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live) and len(live) == 2 + 4 + 2 + 2


def test_another_programs_write_makes_the_report_sum_the_invoices(write_csv, run, db_path: Path) -> None:  # noqa: ANN001
    example = write_csv(EXAMPLE_CSV, "example.csv")
    assert run("ingest", str(example)).exit_code == 0
    connection = by_hand(db_path)
    with connection:  # Northwind's invoice paid, outside domeo
        connection.execute(
            "UPDATE invoices SET applied_cents = 640000, outstanding_cents = 0, status = 'Closed' "
            "WHERE invoice_number = 'DF2032015'"
        )
    connection.close()
    dirty, kept, live = state(db_path)
    assert dirty == 1 and kept != live  # the kept groups are stale, and marked so
    assert top_debtor(run) == [("Harbor Lane Bakery", "USD", "778.25")]
    assert top_debtor(run, "--min-total", "1") == [("Harbor Lane Bakery", "USD", "778.25")]

    # The next load (the file says Northwind still owes) puts the invoice back and the groups with it.
    again = run("ingest", str(example), "--json").json
    assert (again["updated"], again["unchanged"]) == (1, 3)
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live)
    assert top_debtor(run) == [("Northwind Outfitters", "CAD", "6400.00"), ("Harbor Lane Bakery", "USD", "778.25")]


def test_a_closed_invoice_written_elsewhere_leaves_them_current(write_csv, run, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    connection = by_hand(db_path)
    with connection:  # a paid invoice's PO number: no open amount moves
        connection.execute("UPDATE invoices SET po_number = 'PO-1' WHERE invoice_number = 'DF2031442'")
    connection.close()
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live)


def test_upgrading_a_version_4_database_fills_them(write_csv, run, db_path: Path) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    connection = by_hand(db_path)
    downgrade(connection, 4)  # back to what the release before open groups wrote: no kept groups
    connection.close()
    refused = run("aging", "--as-of", "2025-06-01", "--limit", "1")
    assert refused.exit_code != 0 and "older domeo schema (version 4)" in refused.stderr
    upgraded = run("init")
    assert upgraded.exit_code == 0, upgraded
    dirty, kept, live = state(db_path)
    assert (dirty, kept) == (0, live) and len(live) == 2 + 4 + 2 + 2
    assert top_debtor(run) == [("Northwind Outfitters", "CAD", "6400.00"), ("Harbor Lane Bakery", "USD", "778.25")]


def test_issued_after_decides_when_the_kept_tables_answer(load_rows):  # noqa: ANN001
    """Issue 11, item 6: whether an open invoice is dated after the as-of date (a closed later one does not
    matter): then the groups of open_groups are not the day's groups, and a report tests invoice dates."""
    from datetime import date

    from domeo_cli.store.sqlite.queries.common import issued_after

    load_rows(
        [
            {"customer": "A Co", "number": "O1", "date": "1/10/25", "total": "100"},
            {"customer": "A Co", "number": "C1", "date": "2/10/25", "total": "100", "applied": "100"},
            {"customer": "B Co", "number": "O2", "date": "1/5/25", "total": "100", "currency": "CAD"},
        ]
    )
    db = by_hand(os.environ["DOMEO_DB"])
    assert not issued_after(db, date(2025, 2, 10))  # nothing later at all
    assert not issued_after(db, date(2025, 1, 10))  # only a closed invoice is later
    assert issued_after(db, date(2025, 1, 9))  # the USD open invoice is later
    assert issued_after(db, date(2025, 1, 4))  # both currencies' are
    db.execute("UPDATE open_groups_state SET dirty = 1")  # the answer never comes from the kept tables
    assert not issued_after(db, date(2025, 1, 10))
    assert issued_after(db, date(2025, 1, 9))


def test_the_kept_tables_answer_a_past_date(load_rows, run) -> None:  # noqa: ANN001
    """Issue 21: at a day some open invoice was issued after, aging's totals and largest customers still
    come from the kept tables (a figure put into them by hand shows it), less what was issued after."""
    load_rows(
        [
            {"customer": "A Co", "number": "O1", "date": "2025-01-10", "due": "2025-01-20", "total": "100"},
            {"customer": "B Co", "number": "O2", "date": "2025-03-01", "due": "2025-03-31", "total": "70"},
            {"customer": "B Co", "number": "O3", "date": "2025-03-01", "due": "2025-01-15", "total": "5"},
        ]
    )
    doc = run("aging", "--as-of", "2025-02-01", "--limit", "1", "--json").json
    assert [(g["name"], g["total"]) for g in doc["groups"]] == [("A Co", "100.00")]
    assert [(t["currency"], t["1-30"], t["total"], t["invoices"]) for t in doc["totals"]] == [
        ("USD", "100.00", "100.00", 1)  # O2 and O3 (due before its issue) did not exist yet
    ]
    db = by_hand(os.environ["DOMEO_DB"])
    db.execute("UPDATE open_days SET running_cents = running_cents + 1 WHERE age_by = 'due'")
    db.commit()
    doc = run("aging", "--as-of", "2025-02-01", "--by", "currency", "--json").json
    assert [(t["current"], t["1-30"], t["total"]) for t in doc["totals"]] == [("0.00", "100.01", "100.01")]

"""``domeo ingest`` through the command line: every rule of the contract's ingest
section and every quirk of input-format.md, with exact counts, reasons, line
numbers, exit codes and what the database holds afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import zipfile
import zlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, HEADER, ROW_KEYS, SAMPLE, by_hand, csv_text

COLUMNS = HEADER.split(",")
KEYS = ROW_KEYS
BASE = {
    "customer": "Harbor Lane Bakery",
    "number": "INV-1",
    "date": "3/21/25",
    "po": "PO-004430",
    "total": "1190.5",
    "applied": "412.25",
    "status": "Pending",
    "currency": "USD",
    "contact": "Dana Whitfield",
    "phone": "555-204-7781",
    "email": "dana@harborlanebakery.com",
    "terms": "Net 30",
    "due": "4/20/25 00:00",
    "customer_number": "418552",
    "parent": "907113",
}
INT_KEYS = ("rows_read", "inserted", "updated", "unchanged", "rejected", "warnings")
TABLES = ("customers", "invoices", "contacts")


def rec(**changes: str) -> list[str]:
    """One record in the first client's column order: BASE with some fields changed."""
    unknown = set(changes) - set(KEYS)
    assert not unknown, unknown
    values = {**BASE, **changes}
    return [values[key] for key in KEYS]


def counts(report: dict) -> dict[str, int]:
    """The contract's integer keys of a report."""
    return {key: report[key] for key in INT_KEYS}


def query(db_path: Path, sql: str, *params: object) -> list[tuple]:
    connection = by_hand(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def snapshot(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the data tables, in id order, plus how many loads were recorded."""
    tables = {table: query(db_path, f"SELECT * FROM {table} ORDER BY id") for table in TABLES}
    tables["ingest_runs"] = query(db_path, "SELECT count(*) FROM ingest_runs")
    return tables


def invoice(db_path: Path, number: str) -> dict[str, object]:
    """One stored invoice as a dict, with its customer's stored name."""
    connection = by_hand(db_path)
    connection.row_factory = sqlite3.Row
    try:
        row = connection.execute(
            """SELECT i.*, c.name AS customer_name, c.customer_number, c.parent_number
               FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id
               WHERE i.invoice_number = ?""",
            (number,),
        ).fetchone()
    finally:
        connection.close()
    assert row is not None, f"invoice {number} is not stored"
    return dict(row)


def numbers(db_path: Path) -> list[str]:
    return [n for (n,) in query(db_path, "SELECT invoice_number FROM invoices ORDER BY invoice_number")]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(stderr: str) -> str:
    """The single error sentence on stderr, checked to be one line in the usual form."""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert stderr.startswith("domeo: error: "), stderr
    assert "Traceback" not in stderr
    return stderr[len("domeo: error: ") : -1]


# -- the report --------------------------------------------------------------------


def test_example_file_report_and_stored_rows(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)), "--json")
    assert result.exit_code == 0, result
    assert result.stderr == ""
    report = result.json
    assert all(type(report[key]) is int for key in INT_KEYS)
    assert counts(report) == {
        "rows_read": 4,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warnings": 0,
    }
    assert report["rejections"] == []
    row = invoice(db_path, "DF2031977")
    assert {k: row[k] for k in row if k not in ("id", "customer_id", "run_id")} == {
        "invoice_number": "DF2031977",
        "invoice_date": "2025-03-21",
        "due_date": "2025-04-20",  # 3/21/25 + Net 30: the example's derived due date
        "due_date_derived": 1,
        "po_number": "PO-004430",
        "bill_total_cents": 119050,
        "applied_cents": 41225,
        "outstanding_cents": 77825,
        "currency": "USD",
        "status": "Pending",
        "terms": "Net 30",
        "terms_days": 30,
        "contact_name": "Dana Whitfield",
        "contact_phone": "555-204-7781",
        "contact_email": "dana@harborlanebakery.com",
        "customer_name": "Harbor Lane Bakery",
        "customer_number": "418552",
        "parent_number": "907113",
    }
    quiet = invoice(db_path, "DF2032101")
    assert (quiet["due_date"], quiet["due_date_derived"], quiet["contact_name"]) == ("2025-04-02", 0, None)
    assert query(db_path, "SELECT name, customer_number, parent_number FROM customers ORDER BY id") == [
        ("Harbor Lane Bakery", "418552", "907113"),
        ("Northwind Outfitters", "907113", None),
        ("Quiet Creek Dental", "230871", None),
    ]
    assert query(db_path, "SELECT name, email, phone, last_seen FROM contacts ORDER BY id") == [
        ("Dana Whitfield", "dana@harborlanebakery.com", "555-204-7781", "2025-03-21"),
        ("Marcus Ortega", "marcus@northwindoutfitters.com", "555-377-1029", "2025-03-24"),
    ]


def test_rejections_have_line_invoice_number_and_reason(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1"),
            rec(number="A2", total="-5"),
            rec(number="", customer="Total"),
            rec(number="A3", date="2/30/24"),
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4, result
    report = result.json
    assert counts(report) == {
        "rows_read": 4,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 3,
        "warnings": 0,
    }
    assert report["rejections"] == [
        {"line": 3, "invoice_number": "A2", "reason": "BillTotal is negative ('-5'); amounts must be zero or more"},
        {"line": 4, "invoice_number": None, "reason": "InvoiceNumber is empty (a total or summary row?)"},
        {"line": 5, "invoice_number": "A3", "reason": "InvoiceDate is not a real date ('2/30/24')"},
    ]
    assert result.error == {"code": "rows_rejected", "message": "3 row(s) rejected; the other 1 loaded."}
    assert numbers(db_path) == ["A1"]


def test_report_goes_to_stderr_without_json(write_csv, run):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1"), rec(number="A2", status="Open")))
    result = run("ingest", str(path))
    assert result.exit_code == 4
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"Loaded {path} into {os.environ['DOMEO_DB']}"
    for label, value in (("rows read", 2), ("inserted", 1), ("rejected", 1), ("warnings", 0)):
        assert any(line.split() == [*label.split(), str(value)] for line in lines), (label, lines)
    assert "  line 3 A2: Status 'Open' is neither Closed nor Pending" in lines
    assert lines[-1] == "domeo: error: 1 row(s) rejected; the other 1 loaded."


def test_report_on_stdout_only_with_json(write_csv, run):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "rows read" in result.stderr


# -- upsert --------------------------------------------------------------------------


def test_same_file_twice_changes_nothing(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1"),
            rec(number="A2", due="", applied="", status=""),  # derived values are stable too
            rec(number="A3", customer="Café Olé", contact="", phone="", email="", customer_number="230871"),
            rec(number="A4", customer="HARBOR LANE BAKERY", total="10", applied="20"),
        )
    )
    first = run("ingest", str(path), "--json")
    assert first.exit_code == 0, first
    assert counts(first.json) == {
        "rows_read": 4,
        "inserted": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warnings": 3,
    }
    before = snapshot(db_path)
    second = run("ingest", str(path), "--json")
    assert second.exit_code == 0, second
    assert counts(second.json) == {
        "rows_read": 4,
        "inserted": 0,
        "updated": 0,
        "unchanged": 4,
        "rejected": 0,
        "warnings": 3,
    }
    after = snapshot(db_path)
    for table in TABLES:
        assert after[table] == before[table], table
    assert after["ingest_runs"] == [(2,)]


def test_corrected_file_updates_exactly_the_changed_rows(write_csv, run, db_path):  # noqa: ANN001
    rows = [rec(number=f"A{i}") for i in range(1, 6)]
    assert run("ingest", str(write_csv(csv_text(*rows), "v1.csv")), "--json").exit_code == 0
    before = {row[1]: row for row in query(db_path, "SELECT * FROM invoices ORDER BY id")}
    rows[1] = rec(number="A2", applied="1190.50", status="Closed")  # paid
    rows[3] = rec(number="A4", contact="Lee Park")  # a new contact
    rows[4] = rec(number="A5", total="1190.50")  # the same amount, written another way
    result = run("ingest", str(write_csv(csv_text(*rows), "v2.csv")), "--json")
    assert result.exit_code == 0, result
    assert counts(result.json) == {
        "rows_read": 5,
        "inserted": 0,
        "updated": 2,
        "unchanged": 3,
        "rejected": 0,
        "warnings": 0,
    }
    after = {row[1]: row for row in query(db_path, "SELECT * FROM invoices ORDER BY id")}
    assert [n for n in after if after[n] != before[n]] == ["A2", "A4"]
    a2 = invoice(db_path, "A2")
    assert (a2["applied_cents"], a2["outstanding_cents"], a2["status"]) == (119050, 0, "Closed")
    assert invoice(db_path, "A4")["contact_name"] == "Lee Park"
    assert invoice(db_path, "A2")["run_id"] == 2 and invoice(db_path, "A1")["run_id"] == 1


def test_invoices_absent_from_a_later_file_are_kept(write_csv, run, db_path):  # noqa: ANN001
    first = write_csv(csv_text(rec(number="A1"), rec(number="A2"), rec(number="A3")), "march.csv")
    assert run("ingest", str(first)).exit_code == 0
    kept = invoice(db_path, "A1")
    second = write_csv(csv_text(rec(number="A3"), rec(number="B1")), "april.csv")
    result = run("ingest", str(second), "--json")
    assert counts(result.json) == {
        "rows_read": 2,
        "inserted": 1,
        "updated": 0,
        "unchanged": 1,
        "rejected": 0,
        "warnings": 0,
    }
    assert numbers(db_path) == ["A1", "A2", "A3", "B1"]
    assert invoice(db_path, "A1") == kept


def test_duplicate_invoice_number_last_row_wins(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1", total="100", applied="0"),
            rec(number="B1"),
            rec(number=" A1 ", total="200", applied="0"),  # the same number, padded
            rec(number="A1", total="300", applied="0"),  # the corrected row appended last
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4, result
    assert counts(result.json) == {
        "rows_read": 4,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 2,
        "warnings": 0,
    }
    assert result.json["rejections"] == [
        {"line": 2, "invoice_number": "A1", "reason": "InvoiceNumber appears again on line 4, which replaces this row"},
        {"line": 4, "invoice_number": "A1", "reason": "InvoiceNumber appears again on line 5, which replaces this row"},
    ]
    assert invoice(db_path, "A1")["bill_total_cents"] == 30000
    assert query(db_path, "SELECT count(*) FROM invoices") == [(2,)]


def test_an_invalid_later_duplicate_does_not_replace_a_valid_row(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1", total="100", applied="0"), rec(number="A1", total="lots")))
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4
    assert result.json["rejections"] == [
        {"line": 3, "invoice_number": "A1", "reason": "BillTotal is not an amount ('lots')"}
    ]
    assert invoice(db_path, "A1")["bill_total_cents"] == 10000


# -- records and line numbers ---------------------------------------------------------


def test_quoted_fields_with_commas_quotes_and_line_breaks(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1", customer="Smith, Jones & Co"),
            rec(number="A2", customer='The "Best" Bakery', po='PO "7", rush'),
            rec(number="A3", customer="Smith, Jones\n& Co", contact="Dana\r\nWhitfield"),
            rec(number="A4", date="2/30/24"),
        )
    )
    text = path.read_text()
    assert text.count("\n") == 7  # the records start on lines 2, 3, 4 (to 6) and 7
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4, result
    assert result.json["rejections"] == [
        {"line": 7, "invoice_number": "A4", "reason": "InvoiceDate is not a real date ('2/30/24')"}
    ]
    assert invoice(db_path, "A2")["customer_name"] == 'The "Best" Bakery'
    assert invoice(db_path, "A2")["po_number"] == 'PO "7", rush'
    a3 = invoice(db_path, "A3")
    assert (a3["customer_name"], a3["contact_name"]) == ("Smith, Jones & Co", "Dana Whitfield")
    assert invoice(db_path, "A1")["customer_id"] == a3["customer_id"]


def test_line_numbers_after_a_multiline_record_and_blank_lines(write_csv, run):  # noqa: ANN001
    text = csv_text(rec(number="A1", customer="Line\none\n\ntwo")) + "\n"
    text += csv_text(rec(number="A2", total="x")).split("\n", 1)[1]
    text += "\n\n" + csv_text(rec(number="A3", total="-1")).split("\n", 1)[1]
    # header 1; A1 lines 2-5; blank 6; A2 line 7; blanks 8-9; A3 line 10
    result = run("ingest", str(write_csv(text)), "--json")
    assert [(r["line"], r["invoice_number"]) for r in result.json["rejections"]] == [(7, "A2"), (10, "A3")]
    assert result.json["rows_read"] == 3


def test_a_multiline_rejected_record_reports_the_line_it_starts_on(write_csv, run):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1"), rec(number="A2", customer="Two\nlines", currency="dollars")))
    result = run("ingest", str(path), "--json")
    assert result.json["rejections"] == [
        {"line": 3, "invoice_number": "A2", "reason": "Currency 'dollars' is not a three-letter ISO 4217 code"}
    ]


def test_rows_with_a_field_too_many_or_too_few(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1"),
            [*rec(number="A2"), "surprise"],
            rec(number="A3")[:-1],
            rec(number="A4")[:-3],
            rec(number="A5"),
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4
    assert result.json["rejections"] == [
        {"line": 3, "invoice_number": "A2", "reason": "has 16 fields but the header has 15 (one too many)"},
        {"line": 4, "invoice_number": "A3", "reason": "has 14 fields but the header has 15 (one too few)"},
        {"line": 5, "invoice_number": "A4", "reason": "has 12 fields but the header has 15 (3 too few)"},
    ]
    assert numbers(db_path) == ["A1", "A5"]


@pytest.mark.parametrize(
    ("total_row", "reason"),
    [
        (["", "", "", "", "Total", "2380.50"], "has 6 fields but the header has 15 (9 too few)"),
        (["Total", "", "", "", "2380.50", "412.25", *[""] * 9], "InvoiceNumber is empty (a total or summary row?)"),
        (["TOTAL"], "has 1 fields but the header has 15 (14 too few)"),
    ],
)
def test_a_stray_total_row_at_the_bottom_is_rejected(write_csv, run, db_path, total_row, reason):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1"), rec(number="A2"), total_row))
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4
    assert result.json["rejections"] == [{"line": 4, "invoice_number": None, "reason": reason}]
    assert counts(result.json)["inserted"] == 2


def test_bad_quoting_and_an_unclosed_quote_are_rejected_with_their_lines(write_csv, run, db_path):  # noqa: ANN001
    good = csv_text(rec(number="A1")).split("\n")[1]
    text = HEADER + "\n" + good + "\n"
    text += good.replace("A1", '"A2"x') + "\n"  # text after a closing quote
    text += good.replace("A1", "A3") + "\n"
    text += good.replace("A1", "A4").replace("Net 30", '"Net 30') + "\n"  # a quote never closed
    text += good.replace("A1", "A5") + "\n"
    result = run("ingest", str(write_csv(text)), "--json")
    assert result.exit_code == 4
    assert result.json["rejections"] == [
        {
            "line": 3,
            "invoice_number": None,
            "reason": "a closing quote is followed by text before the next comma (bad quoting)",
        },
        {
            "line": 5,
            "invoice_number": None,
            "reason": "a quoted field opened here is never closed (it runs to the end of the file, line 6)",
        },
    ]
    assert result.json["rows_read"] == 4  # A5 is inside the unclosed quote: part of that record
    assert numbers(db_path) == ["A1", "A3"]


def test_a_record_with_a_nul_byte_is_rejected(write_csv, run, db_path):  # noqa: ANN001
    # (The NUL goes in after writing: Python 3.10's csv writer refuses one.)
    text = csv_text(rec(number="A1"), rec(number="A2", po="PO-NUL"), rec(number="A3"))
    path = write_csv(text.replace("PO-NUL", "PO\x001"))
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4
    # Python 3.10's csv reader refuses the record before splitting it: its number is then unknown.
    number = "A2" if sys.version_info >= (3, 11) else None
    assert result.json["rejections"] == [
        {"line": 3, "invoice_number": number, "reason": "the record contains a NUL byte (a damaged or binary file?)"}
    ]
    assert numbers(db_path) == ["A1", "A3"]


# -- field rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"date": "2/30/24"}, "InvoiceDate is not a real date ('2/30/24')"),
        ({"date": "13/1/25"}, "InvoiceDate is not a real date ('13/1/25')"),  # never read day first
        ({"date": ""}, "InvoiceDate is not a date (''); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ({"date": "March 3"}, "InvoiceDate is not a date ('March 3'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD"),
        ({"due": "4/31/25"}, "DueDate is not a real date ('4/31/25')"),
        ({"total": "-1190.50"}, "BillTotal is negative ('-1190.50'); amounts must be zero or more"),
        ({"applied": "(412.25)"}, "Applied is negative ('(412.25)'); amounts must be zero or more"),
        ({"total": "twelve hundred"}, "BillTotal is not an amount ('twelve hundred')"),
        ({"applied": "n/a"}, "Applied is not an amount ('n/a')"),
        ({"total": "1190.505"}, "BillTotal has more than two decimals ('1190.505')"),
        ({"total": "1e3"}, "BillTotal is not an amount ('1e3')"),
        ({"total": ""}, "BillTotal is empty"),
        (
            {"total": "10000000000"},
            "BillTotal is too large ('10000000000'); the most one invoice can hold is 9999999999.99",
        ),
        ({"status": "Open"}, "Status 'Open' is neither Closed nor Pending"),
        ({"status": "Paid"}, "Status 'Paid' is neither Closed nor Pending"),
        ({"currency": ""}, "Currency is empty"),
        ({"currency": "US$"}, "Currency 'US$' is not a three-letter ISO 4217 code"),
        ({"currency": "ßd"}, "Currency 'ßd' is not a three-letter ISO 4217 code"),  # "ßd".upper() == "SSD"
        ({"customer": "  "}, "CustomerName is empty"),
        ({"number": ""}, "InvoiceNumber is empty (a total or summary row?)"),
        ({"due": "", "terms": ""}, "DueDate is empty and there are no CustomerTerms to derive it from"),
        ({"due": "", "terms": "2% 10"}, "DueDate is empty and CustomerTerms '2% 10' give no number of days"),
        ({"due": "", "terms": "Net 30 EOM"}, "DueDate is empty and CustomerTerms 'Net 30 EOM' give no number of days"),
        (
            {"date": "9999-12-25", "due": "", "terms": "Net 30"},
            "InvoiceDate '9999-12-25' is more than 10 years after the load date 2025-06-01 "
            "(the latest date taken is 2035-06-01): is the year mistyped?",
        ),
        ({"date": "0025-03-21"}, "InvoiceDate '0025-03-21' is before 1970-01-01: is the year mistyped?"),
        (
            {"due": "", "terms": "Net 10 Net 60"},
            "CustomerTerms 'Net 10 Net 60' give more than one number of days (10 and 60); which one is meant?",
        ),
        (
            {"number": "BAD\n2"},
            "InvoiceNumber 'BAD\\n2' holds a control character (U+000A, a line break); "
            "a number must be plain visible text",
        ),
    ],
)
def test_a_row_breaking_a_rule_is_rejected_with_its_reason(write_csv, run, db_path, changes, reason):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="GOOD"), rec(**{"number": "BAD", **changes})))
    result = run("ingest", str(path), "--json", "--as-of", "2025-06-01")
    assert result.exit_code == 4, result
    number = changes.get("number", "BAD") or None
    assert result.json["rejections"] == [{"line": 3, "invoice_number": number, "reason": reason}]
    assert counts(result.json) == {
        "rows_read": 2,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "warnings": 0,
    }
    assert numbers(db_path) == ["GOOD"]


@pytest.mark.parametrize(
    ("changes", "cents"),
    [
        ({"total": "3150", "applied": "0"}, (315000, 0)),
        ({"total": "$1,234.50", "applied": " 1234.5 "}, (123450, 123450)),
        ({"total": "1,234", "applied": "$0.5"}, (123400, 50)),
        ({"total": "7138.9", "applied": "417.75"}, (713890, 41775)),
        ({"total": "12.340", "applied": "5."}, (1234, 500)),
    ],
)
def test_money_as_exports_write_it(write_csv, run, db_path, changes, cents):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(**changes)))), "--json")
    assert result.exit_code == 0, result
    row = invoice(db_path, "INV-1")
    assert (row["bill_total_cents"], row["applied_cents"]) == cents
    assert type(row["bill_total_cents"]) is int
    assert row["outstanding_cents"] == max(cents[0] - cents[1], 0)


@pytest.mark.parametrize(
    ("date_text", "due_text", "stored"),
    [
        ("11/19/24", "12/19/24 00:00", ("2024-11-19", "2024-12-19")),
        ("11/19/2024", "12/19/2024", ("2024-11-19", "2024-12-19")),
        ("2024-11-19", "2024-12-19T00:00:00", ("2024-11-19", "2024-12-19")),
        ("1/3/25", "2/2/25 12:30 PM", ("2025-01-03", "2025-02-02")),
    ],
)
def test_dates_as_exports_write_them(write_csv, run, db_path, date_text, due_text, stored):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(date=date_text, due=due_text)))), "--json")
    assert result.exit_code == 0, result
    row = invoice(db_path, "INV-1")
    assert (row["invoice_date"], row["due_date"], row["due_date_derived"]) == (*stored, 0)


def test_status_in_any_case_is_stored_capitalised(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1", status="closed", applied="1190.5"),
            rec(number="A2", status="PENDING"),
            rec(number="A3", status=" Closed "),
            rec(number="A4", status="pEnDiNg"),
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert query(db_path, "SELECT invoice_number, status FROM invoices ORDER BY invoice_number") == [
        ("A1", "Closed"),
        ("A2", "Pending"),
        ("A3", "Closed"),
        ("A4", "Pending"),
    ]


def test_empty_status_is_derived_from_the_balance_with_a_warning(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="OPEN", status=""),
            rec(number="PAID", status="", applied="1190.50"),
            rec(number="OVER", status="", applied="2000"),
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert result.json["warnings"] == 4
    messages = [(w["line"], w["invoice_number"], w["message"]) for w in result.json["warning_details"]]
    assert messages == [
        (2, "OPEN", "Status is empty: taken as Pending from the balance"),
        (3, "PAID", "Status is empty: taken as Closed from the balance"),
        (4, "OVER", "overpaid: Applied 2000.00 is more than BillTotal 1190.50; outstanding taken as 0.00"),
        (4, "OVER", "Status is empty: taken as Closed from the balance"),
    ]
    assert query(db_path, "SELECT invoice_number, status FROM invoices ORDER BY invoice_number") == [
        ("OPEN", "Pending"),
        ("OVER", "Closed"),
        ("PAID", "Closed"),
    ]


def test_empty_applied_is_zero_with_a_warning(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(applied="")))), "--json")
    assert result.exit_code == 0, result
    assert result.json["warnings"] == 1
    assert result.json["warning_details"] == [
        {"line": 2, "invoice_number": "INV-1", "message": "Applied is empty: taken as 0.00"}
    ]
    row = invoice(db_path, "INV-1")
    assert (row["applied_cents"], row["outstanding_cents"], row["status"]) == (0, 119050, "Pending")


def test_overpayment_is_loaded_with_nothing_outstanding_and_a_warning(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(total="100", applied="150.25", status="Closed")))), "--json")
    assert result.exit_code == 0, result
    assert result.json["warning_details"] == [
        {
            "line": 2,
            "invoice_number": "INV-1",
            "message": "overpaid: Applied 150.25 is more than BillTotal 100.00; outstanding taken as 0.00",
        }
    ]
    row = invoice(db_path, "INV-1")
    assert (row["bill_total_cents"], row["applied_cents"], row["outstanding_cents"]) == (10000, 15025, 0)
    past_due = run("past-due", "--as-of", "2030-01-01", "--json")
    assert past_due.json["total"] == 0


@pytest.mark.parametrize(
    ("terms", "due", "days"),
    [
        ("Net 7", "2025-03-28", 7),
        ("Net 15", "2025-04-05", 15),
        ("Net 30", "2025-04-20", 30),
        ("Net 45", "2025-05-05", 45),
        ("NET30", "2025-04-20", 30),
        ("net 30", "2025-04-20", 30),
        ("Net 30 days", "2025-04-20", 30),
        ("net  60", "2025-05-20", 60),
        ("Due on receipt", "2025-03-21", 0),
    ],
)
def test_empty_due_date_is_derived_from_the_terms(write_csv, run, db_path, terms, due, days):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(date="3/21/25", due="", terms=terms)))), "--json")
    assert result.exit_code == 0, result
    assert result.json["warnings"] == 0
    row = invoice(db_path, "INV-1")
    assert (row["due_date"], row["due_date_derived"], row["terms_days"]) == (due, 1, days)


def test_a_due_date_in_the_file_wins_over_the_terms(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(csv_text(rec(date="3/21/25", due="6/1/25", terms="Net 30"), rec(number="B", terms="Net 30 EOM")))
    assert run("ingest", str(path), "--json").exit_code == 0
    row = invoice(db_path, "INV-1")
    assert (row["due_date"], row["due_date_derived"]) == ("2025-06-01", 0)
    b = invoice(db_path, "B")  # unusable terms do not matter when the due date is there
    assert (b["due_date"], b["terms"], b["terms_days"]) == ("2025-04-20", "Net 30 EOM", None)


def test_due_before_issue_is_loaded_with_a_warning(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(date="3/21/25", due="3/1/25")))), "--json")
    assert result.exit_code == 0
    assert [w["message"] for w in result.json["warning_details"]] == [
        "due before issue: DueDate 2025-03-01 is before InvoiceDate 2025-03-21"
    ]
    assert invoice(db_path, "INV-1")["due_date"] == "2025-03-01"


def test_customer_spellings_become_one_customer(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1", customer="Harbor Lane Bakery"),
            rec(number="A2", customer="HARBOR LANE BAKERY"),
            rec(number="A3", customer="  harbor   lane\tbakery "),
            rec(number="B1", customer="Café Olé"),
            rec(number="B2", customer="CAFÉ OLÉ"),
            rec(number="B3", customer="Cafe\u0301 Ole\u0301"),  # decomposed é
            rec(number="C1", customer="Cafe Ole"),  # no accents: another customer
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert result.json["customers"] == 3
    assert query(db_path, "SELECT name FROM customers ORDER BY id") == [
        ("Harbor Lane Bakery",),
        ("Café Olé",),
        ("Cafe Ole",),
    ]
    by_customer = query(
        db_path,
        "SELECT c.name, group_concat(i.invoice_number, ' ') FROM invoices AS i "
        "JOIN customers AS c ON c.id = i.customer_id GROUP BY c.id ORDER BY c.id",
    )
    assert by_customer == [("Harbor Lane Bakery", "A1 A2 A3"), ("Café Olé", "B1 B2 B3"), ("Cafe Ole", "C1")]
    summary = run("summary", "--month", "2025-03", "--customer", "cafe\u0301 OLÉ", "--json")
    assert summary.json["count_invoices"] == 3


def test_a_customer_named_only_by_a_replaced_row_is_not_created(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1", customer="Harbr Lane Bakery"), rec(number="A1")))
    assert run("ingest", str(path)).exit_code == 4
    assert query(db_path, "SELECT name FROM customers") == [("Harbor Lane Bakery",)]
    assert run("summary", "--month", "2025-03", "--customer", "Harbr Lane Bakery").exit_code == 3


# -- hierarchy columns ---------------------------------------------------------------


def test_older_export_without_hierarchy_columns_loads(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1")[:-2], header=COLUMNS[:-2]))
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert result.json["ignored_columns"] == []
    row = invoice(db_path, "A1")
    assert (row["customer_name"], row["customer_number"], row["parent_number"]) == ("Harbor Lane Bakery", None, None)


def test_newer_export_stores_customer_and_parent_numbers(write_csv, run, db_path):  # noqa: ANN001
    old = write_csv(csv_text(rec(number="A1")[:-2], header=COLUMNS[:-2]), "old.csv")
    assert run("ingest", str(old)).exit_code == 0
    new = write_csv(
        csv_text(
            rec(number="A1", customer_number="418552", parent=""),
            rec(number="B1", customer="Parent Co", customer_number="907113", parent=""),
        ),
        "new.csv",
    )
    result = run("ingest", str(new), "--json")
    assert result.exit_code == 0, result
    assert query(db_path, "SELECT name, customer_number, parent_number FROM customers ORDER BY id") == [
        ("Harbor Lane Bakery", "418552", None),
        ("Parent Co", "907113", None),
    ]
    later = write_csv(csv_text(rec(number="A2", customer_number="418552", parent="907113")), "later.csv")
    assert run("ingest", str(later)).exit_code == 0
    assert invoice(db_path, "A1")["parent_number"] == "907113"


def test_header_in_other_spellings_and_order_with_extra_columns(write_csv, run, db_path):  # noqa: ANN001
    header = ["Region", "invoice_number", "Bill Total", "CUSTOMER NAME", "Invoice Date", "applied", "currency"]
    header += ["Terms", "Due Date", "Notes"]
    path = write_csv(
        csv_text(["East", "X1", "$1,234.50", "Café Olé", "11/19/2024", "", "cad", "NET30", "", "n"], header=header)
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result
    assert result.json["ignored_columns"] == ["Region", "Notes"]
    row = invoice(db_path, "X1")
    assert (row["customer_name"], row["bill_total_cents"], row["applied_cents"], row["currency"]) == (
        "Café Olé",
        123450,
        0,
        "CAD",
    )
    assert (row["invoice_date"], row["due_date"], row["status"], row["po_number"]) == (
        "2024-11-19",
        "2024-12-19",
        "Pending",
        None,
    )


# -- options -------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_like_a_real_run(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(csv_text(rec(number="A1"), rec(number="A2", applied=""), rec(number="A1", total="5")))
    dry = run("ingest", str(path), "--dry-run", "--json")
    assert dry.exit_code == 4, dry  # a row would be rejected (the superseded A1)
    assert not db_path.exists()
    assert not Path(f"{db_path}-wal").exists()
    real = run("ingest", str(path), "--json")
    assert real.exit_code == 4
    assert dry.json["dry_run"] is True and real.json["dry_run"] is False
    assert dry.json["committed"] is False and real.json["committed"] is True
    ignore = ("dry_run", "committed")
    assert {k: v for k, v in dry.json.items() if k not in ignore} == {
        k: v for k, v in real.json.items() if k not in ignore
    }
    assert dry.error["message"] == "1 row(s) would be rejected; nothing was written (dry run)."


def test_dry_run_on_an_existing_database_changes_nothing(write_csv, run, db_path):  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    before, digest = snapshot(db_path), file_digest(db_path)
    changed = EXAMPLE_CSV.replace("1190.5,412.25", "1190.5,1190.5").replace("DF2032101", "DF9999999")
    path = write_csv(changed, "changed.csv")
    dry = run("ingest", str(path), "--dry-run", "--json")
    assert dry.exit_code == 0, dry
    assert counts(dry.json) == {
        "rows_read": 4,
        "inserted": 1,
        "updated": 1,
        "unchanged": 2,
        "rejected": 0,
        "warnings": 0,
    }
    assert snapshot(db_path) == before
    assert file_digest(db_path) == digest
    real = run("ingest", str(path), "--json")
    assert counts(real.json) == counts(dry.json)


def test_dry_run_and_strict_together_is_invalid(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)), "--dry-run", "--strict")
    assert result.exit_code == 2
    assert one_error_line(result.stderr).startswith("--dry-run and --strict do not go together")
    assert not db_path.exists()


def test_strict_with_a_rejected_row_writes_nothing(write_csv, run, db_path):  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    before = snapshot(db_path)
    path = write_csv(
        csv_text(rec(number="DF2031977", applied="1190.5"), rec(number="NEW1"), rec(number="BAD", date="2/30/25")),
        "next.csv",
    )
    result = run("ingest", str(path), "--strict", "--json")
    assert result.exit_code == 4, result
    assert result.json["committed"] is False
    assert counts(result.json) == {
        "rows_read": 3,
        "inserted": 1,
        "updated": 1,
        "unchanged": 0,
        "rejected": 1,
        "warnings": 0,
    }
    assert result.error == {
        "code": "rows_rejected",
        "message": "1 row(s) rejected, so with --strict nothing was loaded.",
    }
    assert snapshot(db_path) == before


def test_strict_without_rejections_loads(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)), "--strict", "--json")
    assert result.exit_code == 0
    assert result.json["committed"] is True
    assert len(numbers(db_path)) == 4


def test_strict_with_a_rejected_row_creates_no_database(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(csv_text(rec(date="2/30/25")))), "--strict")
    assert result.exit_code == 4
    assert not db_path.exists()


def test_rejects_file_holds_the_original_columns_line_and_reason(write_csv, run, tmp_path):  # noqa: ANN001
    path = write_csv(
        csv_text(
            rec(number="A1"),
            rec(number="A2", customer="Smith, Jones\n& Co", total="-5"),
            rec(number="A3")[:-2],
            rec(number="A4", status="Open"),
        )
    )
    rejects = tmp_path / "rejects.csv"
    result = run("ingest", str(path), "--rejects", str(rejects), "--json")
    assert result.exit_code == 4
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    with rejects.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*COLUMNS, "line", "reason"]
    assert rows[1] == [  # "-5" would be run as a formula by a spreadsheet: it is neutralised
        *rec(number="A2", customer="Smith, Jones\n& Co", total="'-5"),
        "3",
        result.json["rejections"][0]["reason"],
    ]
    assert rows[2] == [*rec(number="A3")[:-2], "", "", "5", "has 13 fields but the header has 15 (2 too few)"]
    assert rows[3] == [*rec(number="A4", status="Open"), "6", "Status 'Open' is neither Closed nor Pending"]
    assert len(rows) == 4


def test_rejects_file_is_written_by_a_dry_run_too(write_csv, run, tmp_path, db_path):  # noqa: ANN001
    rejects = tmp_path / "rejects.csv"
    path = write_csv(csv_text(rec(number="A1", date="x")))
    result = run("ingest", str(path), "--dry-run", "--rejects", str(rejects))
    assert result.exit_code == 4
    assert list(csv.DictReader(rejects.open(newline="")))[0]["line"] == "2"
    assert not db_path.exists()


def test_rejects_file_without_rejections_is_only_a_header(write_csv, run, tmp_path):  # noqa: ANN001
    rejects = tmp_path / "rejects.csv"
    assert run("ingest", str(write_csv(EXAMPLE_CSV)), "--rejects", str(rejects)).exit_code == 0
    assert rejects.read_bytes() == (HEADER + ",line,reason\r\n").encode()


# -- encodings and line endings --------------------------------------------------------

CAFE_CSV = csv_text(rec(number="A1", customer="Café Olé", contact="Zoë Ångström"))


def test_utf8_with_bom(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(b"\xef\xbb\xbf" + CAFE_CSV.encode())), "--json")
    assert result.exit_code == 0, result
    assert (result.json["encoding"], result.json["warnings"]) == ("utf-8", 0)
    assert result.json["ignored_columns"] == []
    assert invoice(db_path, "A1")["customer_name"] == "Café Olé"


def test_cp1252_file_loads_with_a_warning(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(CAFE_CSV.encode("cp1252"))), "--json")
    assert result.exit_code == 0, result
    assert result.json["encoding"] == "cp1252"
    assert result.json["warnings"] == 1
    assert result.json["warning_details"] == [
        {
            "line": None,
            "invoice_number": None,
            "message": "encoding: the file is not UTF-8; read it as Windows-1252 (cp1252)",
        }
    ]
    row = invoice(db_path, "A1")
    assert (row["customer_name"], row["contact_name"]) == ("Café Olé", "Zoë Ångström")


def test_cp1252_warning_is_on_stderr_without_json(write_csv, run):  # noqa: ANN001
    result = run("ingest", str(write_csv(CAFE_CSV.encode("cp1252"))))
    assert result.exit_code == 0
    assert "warning: encoding: the file is not UTF-8; read it as Windows-1252 (cp1252)\n" in result.stderr


def test_encoding_option_reads_the_named_encoding_without_a_warning(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(CAFE_CSV.encode("latin-1"))
    result = run("ingest", str(path), "--encoding", "latin-1", "--json")
    assert result.exit_code == 0, result
    assert (result.json["encoding"], result.json["warnings"]) == ("iso8859-1", 0)
    assert invoice(db_path, "A1")["customer_name"] == "Café Olé"


def test_utf16_with_bom(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(CAFE_CSV.encode("utf-16"))), "--json")
    assert result.exit_code == 0, result
    assert invoice(db_path, "A1")["customer_name"] == "Café Olé"


def test_wrong_encoding_option_rejects_each_record_it_cannot_decode(write_csv, run, db_path):  # noqa: ANN001
    path = write_csv(CAFE_CSV.encode("cp1252"))
    result = run("ingest", str(path), "--encoding", "utf-8", "--json")
    assert result.exit_code == 4, result
    # --encoding decides: no fallback, the record is rejected with its line and the byte, no advice to use --encoding.
    assert result.json["rejections"] == [
        {
            "line": 2,
            "invoice_number": "A1",
            "reason": "holds bytes that are not valid utf-8: byte 0xE9 in CustomerName ('Caf\\xe9 Ol\\xe9')",
        }
    ]
    assert result.json["encoding"] == "utf-8"


def test_unknown_encoding_name_is_exit_2(write_csv, run, db_path):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV)), "--encoding", "klingon", "--json")
    assert result.exit_code == 2
    assert result.error == {
        "code": "invalid_input",
        "message": "--encoding 'klingon' is not an encoding Python knows.",
    }
    assert not db_path.exists()


def test_windows_line_endings_and_blank_lines_at_the_end(write_csv, run, db_path):  # noqa: ANN001
    text = csv_text(rec(number="A1"), rec(number="A2", total="x"), rec(number="A3"), newline="\r\n") + "\r\n\r\n  \r\n"
    result = run("ingest", str(write_csv(text)), "--json")
    assert result.exit_code == 4
    assert result.json["rows_read"] == 3
    assert result.json["rejections"] == [
        {"line": 3, "invoice_number": "A2", "reason": "BillTotal is not an amount ('x')"}
    ]
    row = invoice(db_path, "A3")
    assert (row["customer_number"], row["parent_number"]) == ("418552", "907113")  # no "\r" left
    assert query(db_path, "SELECT count(*) FROM invoices WHERE status || currency LIKE '%' || char(13) || '%'") == [
        (0,)
    ]


def test_blank_lines_at_the_end_are_not_records(write_csv, run):  # noqa: ANN001
    result = run("ingest", str(write_csv(EXAMPLE_CSV + "\n\n\n")), "--json")
    assert result.exit_code == 0
    assert counts(result.json)["rows_read"] == 4


# -- standard input and large fields ------------------------------------------------------


def test_dash_reads_standard_input(run, db_path):  # noqa: ANN001
    result = run("ingest", "-", "--json", input=EXAMPLE_CSV.encode())
    assert result.exit_code == 0, result
    assert result.json["file"] == "<stdin>"
    assert counts(result.json)["inserted"] == 4
    assert len(numbers(db_path)) == 4


def test_standard_input_in_cp1252(run, db_path):  # noqa: ANN001
    result = run("ingest", "-", "--json", input=CAFE_CSV.encode("cp1252"))
    assert result.exit_code == 0, result
    assert result.json["encoding"] == "cp1252"
    assert invoice(db_path, "A1")["customer_name"] == "Café Olé"


def test_empty_standard_input_is_exit_2(run, db_path):  # noqa: ANN001
    result = run("ingest", "-", input=b"")
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == "<stdin> is empty: there is no header and no invoice in it."
    assert not db_path.exists()


def test_fields_larger_than_the_csv_modules_default_limit(write_csv, run, db_path):  # noqa: ANN001
    huge = "n" * 200_000  # Python's csv stops at 128 KiB unless told otherwise; domeo's rules decide
    path = write_csv(
        csv_text(
            rec(number="A1", contact=huge),
            rec(number="A2", date="3/21/25 00:00" + " " * 200_000 + "x"),
            rec(number="A3", total="9" * 200_000),
            rec(number="A4"),
        )
    )
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 4, result
    assert result.json["rejections"] == [
        {
            "line": 2,
            "invoice_number": "A1",
            "reason": "ContactName is 200,000 characters long; it may hold at most 200",
        },
        {
            "line": 3,
            "invoice_number": "A2",
            "reason": "InvoiceDate is not a date ('3/21/25 00:00"
            + " " * 27
            + "…'); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD",
        },
        {
            "line": 4,
            "invoice_number": "A3",
            "reason": "BillTotal is too large ('" + "9" * 40 + "…'); the most one invoice can hold is 9999999999.99",
        },
    ]
    assert numbers(db_path) == ["A4"]


# -- files that cannot be ingested at all --------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    pixels = random.Random(2).randbytes(3000)  # a photo: hardly compressible, few NUL bytes
    header = (16).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("invoices.csv", EXAMPLE_CSV)
    return out.getvalue()


UNUSABLE = {
    "missing column": (
        EXAMPLE_CSV.replace(",Applied,", ",Paid On,"),
        "The file lacks the required column(s) Applied; its header is ",
    ),
    "empty": (b"", "is empty: there is no header and no invoice in it."),
    "only blank lines": (b"\n\r\n \n", "is empty: there is no header and no invoice in it."),
    "only a BOM": (b"\xef\xbb\xbf", "is empty: there is no header and no invoice in it."),
    "png": (_png(), "invoices.csv "),
    "zip": (_zip(), "is a zip archive or an Excel workbook (.xlsx); save the sheet as CSV."),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "is a PDF document, not a CSV export."),
    "binary": (b"\x01\x00" * 2048, "is a binary file, not CSV text."),
    "text, not CSV": (b"Dear customer,\nplease find attached\n", "The file lacks the required column(s) "),
}


@pytest.mark.parametrize("kind", list(UNUSABLE))
def test_a_file_that_cannot_be_ingested_is_exit_2_and_creates_no_database(write_csv, run, db_path, kind):  # noqa: ANN001
    content, message = UNUSABLE[kind]
    path = write_csv(content)
    result = run("ingest", str(path))
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert message in one_error_line(result.stderr)
    assert not db_path.exists()
    assert not Path(f"{db_path}-wal").exists()
    as_json = run("ingest", str(path), "--json")
    assert as_json.exit_code == 2
    assert as_json.stdout == ""
    assert as_json.error["code"] == "invalid_input"
    assert message in as_json.error["message"]


@pytest.mark.parametrize("kind", ["missing column", "empty", "zip", "png"])
def test_a_file_that_cannot_be_ingested_leaves_the_database_untouched(write_csv, run, db_path, kind):  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV, "example.csv"))).exit_code == 0
    before, digest = snapshot(db_path), file_digest(db_path)
    result = run("ingest", str(write_csv(UNUSABLE[kind][0], "bad.csv")), "--json")
    assert result.exit_code == 2
    assert snapshot(db_path) == before
    assert file_digest(db_path) == digest


def test_missing_file_is_exit_2(run, db_path, tmp_path):  # noqa: ANN001
    result = run("ingest", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == f"No such file: {tmp_path / 'nope.csv'}."
    assert not db_path.exists()
    as_json = run("ingest", "nope.csv", "--json")
    assert as_json.error == {"code": "invalid_input", "message": "No such file: nope.csv."}


def test_a_directory_is_exit_2(run, db_path, tmp_path):  # noqa: ANN001
    result = run("ingest", str(tmp_path))
    assert result.exit_code == 2
    assert one_error_line(result.stderr) == f"{tmp_path} is a directory, not a CSV file."
    assert not db_path.exists()


def test_a_header_only_file_loads_nothing(write_csv, run):  # noqa: ANN001
    # Not "empty" in the contract's sense: a valid export of no invoices.
    result = run("ingest", str(write_csv(HEADER + "\n")), "--json")
    assert result.exit_code == 0
    assert counts(result.json) == dict.fromkeys(INT_KEYS, 0)


# -- the installed command -------------------------------------------------------------


def _domeo() -> list[list[str]]:
    script = Path(sys.executable).with_name("domeo")
    assert script.exists(), script
    return [[str(script)], [sys.executable, "-m", "domeo_cli"]]


@pytest.mark.parametrize("command", _domeo(), ids=["console-script", "python-m"])
def test_installed_command_reads_stdin_and_exits_with_the_contract_codes(command, db_path, tmp_path):  # noqa: ANN001
    env = {**os.environ, "DOMEO_DB": str(db_path)}
    loaded = subprocess.run(
        [*command, "ingest", "-", "--json"], input=EXAMPLE_CSV.encode(), capture_output=True, env=env, timeout=60
    )
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stderr == b""

    assert counts(json.loads(loaded.stdout))["inserted"] == 4
    bad = csv_text(rec(number="Z1"), rec(number="Z2", total="-1")).encode()
    rejected = subprocess.run([*command, "ingest", "-"], input=bad, capture_output=True, env=env, timeout=60)
    assert rejected.returncode == 4
    assert rejected.stdout == b""
    assert rejected.stderr.decode().endswith("domeo: error: 1 row(s) rejected; the other 1 loaded.\n")
    missing = subprocess.run([*command, "ingest", str(tmp_path / "nope.csv")], capture_output=True, env=env, timeout=60)
    assert missing.returncode == 2
    assert missing.stderr.decode() == f"domeo: error: No such file: {tmp_path / 'nope.csv'}.\n"
    assert len(numbers(db_path)) == 5


# -- the bundled sample -----------------------------------------------------------------


def test_bundled_sample_loads_whole_and_its_sums_match(run, db_path):  # noqa: ANN001
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for record in records:
        sums[record["Currency"]] += Decimal(record["BillTotal"])
    result = run("ingest", str(SAMPLE), "--json")
    assert result.exit_code == 0, result
    assert counts(result.json) == {
        "rows_read": len(records),
        "inserted": len(records),
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "warnings": result.json["warnings"],  # the sample may carry warnings; never rejections
    }
    stored = dict(query(db_path, "SELECT currency, sum(bill_total_cents) FROM invoices GROUP BY currency"))
    assert {currency: Decimal(cents) / 100 for currency, cents in stored.items()} == dict(sums)
    assert query(db_path, "SELECT count(DISTINCT invoice_number) FROM invoices") == [(len(records),)]

"""Random export files, valid and broken rows mixed: the loader never crashes,
counts every record exactly once, and the database equals a plain-Python model
(the last valid row of each invoice number wins; earlier loads are kept).

Each example writes two files in the export's quirks (BOM or not, CRLF or LF,
blank lines, quoted line breaks, padded numbers, every money and date form),
loads the first, dry-runs and loads the second, then loads the second again.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from helpers import (
    KEPT,
    KEPT_DAYS,
    KEPT_STARTS,
    KEPT_TOPS,
    LIVE,
    by_hand,
    examples,
    live_days,
    live_starts,
    live_tops,
    run_main,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli import feed

HEADER = (
    "CustomerName,InvoiceNumber,InvoiceDate,CustomerPoNumber,BillTotal,Applied,Status,Currency,"
    "ContactName,ContactPhone,ContactEmail,CustomerTerms,DueDate,customer number,parent customer"
).split(",")
NUMBERS = ["A1", "A2", "A3", "B-7", "C10", "DF2031442"]
# Spellings of one customer each; a customer is stored under the first one loaded.
CUSTOMERS = [
    ["Harbor Lane Bakery", "HARBOR LANE BAKERY", " harbor  lane\tbakery "],
    ["Café Olé", "CAFÉ OLÉ", "Cafe\u0301 Ole\u0301"],
    ["Smith, Jones & Co", "Smith, Jones\n& Co", "SMITH, JONES & CO"],
    ['The "Best" Bakery'],
]
CONTACTS = [("", "", ""), ("Dana Whitfield", "555-204-7781", "dana@hlb.example"), ("Lee  Park", "", "lee@x.example")]
START = date(2024, 1, 1)

# A broken row: (field to spoil, its text, the start of the rejection reason).
BREAKS = [
    ("date", "2/30/24", "InvoiceDate is not a real date"),
    ("date", "13/1/25", "InvoiceDate is not a real date"),
    ("date", "someday", "InvoiceDate is not a date"),
    ("total", "-5", "BillTotal is negative"),
    ("total", "ten", "BillTotal is not an amount"),
    ("total", "1.005", "BillTotal has more than two decimals"),
    ("applied", "(3.00)", "Applied is negative"),
    ("status", "Open", "Status 'Open' is neither Closed nor Pending"),
    ("currency", "Dollars", "Currency 'Dollars' is not a three-letter ISO 4217 code"),
    ("currency", "", "Currency is empty"),
    ("customer", "  ", "CustomerName is empty"),
    ("number", "", "InvoiceNumber is empty (a total or summary row?)"),
    ("due", "", "DueDate is empty and there are no CustomerTerms to derive it from"),
    ("width", "-1", "has 14 fields but the header has 15 (one too few)"),
    ("width", "+1", "has 16 fields but the header has 15 (one too many)"),
]
FIELD_INDEX = {"customer": 0, "number": 1, "date": 2, "total": 4, "applied": 5, "status": 6, "currency": 7}
FIELD_INDEX |= {"due": 12}


@dataclass(frozen=True)
class Row:
    """One generated record: its fields, and what loading it must do."""

    fields: list[str]
    number: str | None  # as the report names it
    stored: tuple | None  # the invoice as stored, None when the row must be rejected
    group: int
    display: str
    warnings: int
    reason: str | None  # the start of the rejection reason of a broken row
    customer_number: str | None = None  # as the row states them (None: the column is empty)
    parent: str | None = None


def money_text(cents: int, style: int) -> str:
    whole, frac = divmod(cents, 100)
    if style == 0:
        return f"{whole}.{frac:02d}"
    if style == 1:  # "1190.5", "2875"
        return f"{whole}.{frac:02d}".rstrip("0").rstrip(".")
    if style == 2:
        return f"${whole:,}.{frac:02d}"
    return f" {whole}.{frac:02d} "


def date_text(day: date, style: int) -> str:
    if style == 0:
        return f"{day.month}/{day.day}/{day.year % 100:02d}"
    if style == 1:
        return f"{day.month:02d}/{day.day:02d}/{day.year} 00:00"
    if style == 2:
        return day.isoformat()
    return f"{day.month}/{day.day}/{day.year % 100:02d} 12:30 PM"


def collapse(text: str) -> str | None:
    return " ".join(text.split()) or None


@st.composite
def rows(draw: st.DrawFn) -> Row:
    number = draw(st.sampled_from(NUMBERS))
    shown_number = draw(st.sampled_from([number, number, f" {number} "]))
    group = draw(st.integers(0, len(CUSTOMERS) - 1))
    spelling = draw(st.sampled_from(CUSTOMERS[group]))
    issued = START + timedelta(days=draw(st.integers(0, 400)))
    bill = draw(st.one_of(st.integers(0, 5000).map(lambda d: d * 100), st.integers(0, 10**9)))
    paid = draw(st.sampled_from(["empty", "none", "part", "all", "over"]))
    applied = {"empty": 0, "none": 0, "all": bill}.get(paid)
    if applied is None:
        applied = draw(st.integers(0, bill)) if paid == "part" else draw(st.integers(bill + 1, bill + 10**5))
    applied_text = "" if paid == "empty" else money_text(applied, draw(st.integers(0, 3)))
    outstanding = max(bill - applied, 0)
    status_text = draw(st.sampled_from(["Pending", "pending", "Closed", "CLOSED", ""]))
    status = status_text.capitalize() or ("Pending" if outstanding > 0 else "Closed")
    currency_text = draw(st.sampled_from(["USD", "usd", "CAD"]))
    if draw(st.booleans()):  # a due date in the file
        due = issued + timedelta(days=draw(st.integers(-5, 60)))
        due_text = date_text(due, draw(st.integers(0, 3)))
        terms_text, terms_days = draw(st.sampled_from([("Net 30", 30), ("", None), ("Net 30 EOM", None)]))
        derived = 0
    else:  # derived from the terms
        form = draw(st.sampled_from(["Net {}", "NET{}", "net {} days", "Due on receipt"]))
        terms_days = 0 if form == "Due on receipt" else draw(st.sampled_from([0, 7, 15, 30, 45, 60]))
        terms_text = form.format(terms_days)
        due, due_text, derived = issued + timedelta(days=terms_days), "", 1
    contact = draw(st.sampled_from(CONTACTS))
    po = draw(st.sampled_from(["", "PO-004417", "PO 7, rush"]))
    # A customer's number and parent, stated or left empty (an empty column keeps what is known).
    customer_number = draw(st.sampled_from([str(418000 + group), str(418000 + group), ""]))
    parent = "" if group == 0 else draw(st.sampled_from(["418000", "", " "]))
    fields = [
        spelling,
        shown_number,
        date_text(issued, draw(st.integers(0, 3))),
        po,
        money_text(bill, draw(st.integers(0, 3))),
        applied_text,
        status_text,
        currency_text,
        contact[0],
        contact[1],
        contact[2],
        terms_text,
        due_text,
        customer_number,
        parent,
    ]
    warnings = (paid == "empty") + (paid == "over") + (due < issued) + (status_text == "")
    stored = (
        issued.isoformat(),
        due.isoformat(),
        derived,
        po or None,
        bill,
        applied,
        outstanding,
        currency_text.upper(),
        status,
        collapse(terms_text),
        terms_days,
        collapse(contact[0]),
        collapse(contact[1]),
        collapse(contact[2]),
    )
    display = " ".join(spelling.split())
    broken = draw(st.one_of(st.none(), st.sampled_from(BREAKS)))
    stated = (customer_number or None, parent.strip() or None)
    if broken is None:
        return Row(fields, number, stored, group, display, warnings, None, *stated)
    field, text, reason = broken
    if field == "width":
        fields = fields[:-1] if text == "-1" else [*fields, "extra"]
    else:
        fields[FIELD_INDEX[field]] = text
        if field == "due":
            fields[11] = ""  # and no terms to derive it from
        if field == "number":
            number = None
    return Row(fields, number, None, group, display, 0, reason)


@st.composite
def export_files(draw: st.DrawFn) -> tuple[list[Row], str, list[int]]:
    """Records, the file's text, and the line each record starts on."""
    records = draw(st.lists(rows(), min_size=0, max_size=14))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(HEADER)
    line, starts = 2, []
    for record in records:
        blanks = draw(st.sampled_from([0, 0, 0, 1, 2]))
        out.write(newline * blanks)
        line += blanks
        starts.append(line)
        writer.writerow(record.fields)
        line += 1 + sum(field.count("\n") for field in record.fields)
    out.write(newline * draw(st.integers(0, 2)))  # blank lines at the end
    text = ("\ufeff" if draw(st.booleans()) else "") + out.getvalue()
    return records, text, starts


class Model:
    """The database as the contract says it must be after each load."""

    def __init__(self) -> None:
        self.invoices: dict[str, tuple] = {}
        self.names: dict[int, str] = {}
        self.seen: set[int] = set()
        # Customer group -> (number, parent): the latest loaded row that states each wins; an empty one keeps it.
        self.family: dict[int, tuple[str | None, str | None]] = {}

    def load(self, records: list[Row], starts: list[int]) -> tuple[dict[str, int], list[tuple]]:
        """Apply one file; return its expected counts and rejections."""
        known_groups = set(self.seen)
        rejections: list[tuple] = []
        last: dict[str, tuple[int, Row]] = {}
        first_spelling: dict[int, str] = {}
        for line, record in zip(starts, records, strict=True):
            if record.stored is None:
                rejections.append((line, record.number, record.reason))
                continue
            assert record.number is not None
            if record.number in last:
                earlier = last[record.number][0]
                reason = f"InvoiceNumber appears again on line {line}, which replaces this row"
                rejections.append((earlier, record.number, reason))
            last[record.number] = (line, record)
            first_spelling.setdefault(record.group, record.display)
        # A customer is created by the rows that survive, under its first spelling in the file.
        for _, record in last.values():
            self.names.setdefault(record.group, first_spelling[record.group])
            self.seen.add(record.group)
        # Numbers and parents: of the rows that are loaded (a replaced row is rejected: it changes nothing), in order.
        known_before = {g: self.family[g] for g in known_groups & {r.group for _, r in last.values()}}
        for _, record in sorted(last.values(), key=lambda kept: kept[0]):
            number, parent = self.family.get(record.group, (None, None))
            self.family[record.group] = (record.customer_number or number, record.parent or parent)
        # A known customer's number or parent added or changed by this file: one warning each.
        changed = sum((self.family[g][0] != was[0]) + (self.family[g][1] != was[1]) for g, was in known_before.items())
        valid = [r for r in records if r.stored is not None]
        counts = {
            "rows_read": len(records),
            "inserted": 0,
            "updated": 0,
            "unchanged": 0,
            "rejected": len(rejections),
            "warnings": sum(r.warnings for r in valid) + changed,
            # Customers of the rows that survive (a replaced row's customer is not created).
            "customers": len({r.group for _, r in last.values()}),
            "moved": 0,
        }
        # A file that shares no invoice and no customer with a database holding invoices: one warning.
        if self.invoices and last and not (last.keys() & self.invoices.keys()):
            counts["warnings"] += not ({r.group for _, r in last.values()} & known_groups)
        for number, (_, record) in last.items():
            stored = (*record.stored, self.names[record.group])
            before = self.invoices.get(number)
            kind = "inserted" if before is None else "unchanged" if before == stored else "updated"
            counts[kind] += 1
            moved = before is not None and before[-1] != stored[-1]  # to another customer: a warning each
            counts["moved"] += moved
            counts["warnings"] += moved
            self.invoices[number] = stored
        return counts, sorted(rejections, key=lambda r: r[0])

    def customers(self) -> dict[str, tuple[str | None, str | None]]:
        """Each customer's stored name -> (number, parent), as the database must hold them."""
        return {self.names[group]: self.family[group] for group in self.seen}


def stored_invoices(db_path: Path) -> dict[str, tuple]:
    connection = by_hand(db_path)
    try:
        return {
            row[0]: row[1:]
            for row in connection.execute(
                """SELECT i.invoice_number, i.invoice_date, i.due_date, i.due_date_derived, i.po_number,
                          i.bill_total_cents, i.applied_cents, i.outstanding_cents, i.currency, i.status,
                          i.terms, i.terms_days, i.contact_name, i.contact_phone, i.contact_email, c.name
                   FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id"""
            )
        }
    finally:
        connection.close()


def customer_family(db_path: Path) -> dict[str, tuple[str | None, str | None]]:
    """Each stored customer's name -> (customer number, parent number)."""
    connection = by_hand(db_path)
    try:
        return {
            name: (n, p)
            for name, n, p in connection.execute("SELECT name, customer_number, parent_number FROM customers")
        }
    finally:
        connection.close()


def customer_names(db_path: Path) -> list[str]:
    connection = by_hand(db_path)
    try:
        return sorted(name for (name,) in connection.execute("SELECT name FROM customers"))
    finally:
        connection.close()


def ingest(db_path: Path, path: Path, *options: str) -> dict:
    result = run_main("--db", str(db_path), "ingest", str(path), "--json", *options)
    report = json.loads(result.stdout)
    assert result.exit_code == (4 if report["rejected"] else 0), (result.exit_code, result.stderr)
    if result.exit_code == 4:
        assert json.loads(result.stderr)["error"]["code"] == "rows_rejected"
    return report


def check(report: dict, counts: dict[str, int], rejections: list[tuple]) -> None:
    got = {key: report[key] for key in counts}
    assert got == counts
    assert report["rows_read"] == report["inserted"] + report["updated"] + report["unchanged"] + report["rejected"]
    assert len(report["rejections"]) == len(rejections)
    for item, (line, number, reason) in zip(report["rejections"], rejections, strict=True):
        assert (item["line"], item["invoice_number"]) == (line, number)
        assert item["reason"].startswith(reason), (item, reason)
        assert "\n" not in item["reason"] and len(item["reason"]) < 200


# Rows of the first file listed again in the second exactly, but for one field filled in or emptied.
AGAIN = st.lists(st.tuples(st.integers(0, 13), st.sampled_from(["po", "contact", "number", "parent", "same"])),
                 max_size=4)  # fmt: skip


def _flipped(row: Row, what: str) -> Row:
    """``row`` as a later export lists it: one field filled in or emptied (a PO number added, then removed...)."""
    fields, stored = list(row.fields), list(row.stored or ())
    if what == "po":
        fields[3] = "" if fields[3] else "PO-9"
        stored[3] = fields[3] or None
    elif what == "contact":
        fields[8:11] = ["", "", ""] if any(fields[8:11]) else ["Lee  Park", "", "lee@x.example"]
        stored[11:14] = [collapse(f) for f in fields[8:11]]
    elif what == "number":
        fields[13] = "" if fields[13] else str(418000 + row.group)
        return replace(row, fields=fields, customer_number=fields[13] or None)
    elif what == "parent" and row.group != 0:
        fields[14] = "" if fields[14].strip() else "418000"
        return replace(row, fields=fields, parent=fields[14] or None)
    return replace(row, fields=fields, stored=tuple(stored))


def with_again(first: tuple, second: tuple, again: list[tuple[int, str]]) -> tuple:
    """``second`` with copies of ``first``'s valid rows (flipped) appended at its end."""
    valid = [r for r in first[0] if r.stored is not None]
    records, text, starts = list(second[0]), second[1], list(second[2])
    if not valid or not again:
        return second
    newline = "\r\n" if "\r\n" in text else "\n"
    line = text.count("\n") + 1  # every physical line so far, quoted line breaks included
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    for index, what in again:
        row = _flipped(valid[index % len(valid)], what)
        writer.writerow(row.fields)
        records.append(row)
        starts.append(line)
        line += 1 + sum(field.count("\n") for field in row.fields)
    return records, text + out.getvalue(), starts


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=export_files(), second=export_files(), again=AGAIN)
def test_random_files_load_exactly_as_the_model_says(first, second, again) -> None:  # noqa: ANN001
    two_loads_match_the_model(first, with_again(first, second, again))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=export_files(), second=export_files(), again=AGAIN)
def test_parsing_in_a_child_process_loads_exactly_the_same(first, second, again) -> None:  # noqa: ANN001
    # Large files are parsed in a forked child; force it on these small ones, with
    # batches of three rows so that repeated numbers fall in different batches.
    with mock.patch.object(feed, "PARALLEL_FROM", 0), mock.patch.object(feed, "BATCH", 3):
        two_loads_match_the_model(first, with_again(first, second, again))


def two_loads_match_the_model(first, second) -> None:  # noqa: ANN001
    """Load ``first``, dry-run and load ``second``, load it again: all as the model says."""
    model = Model()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "p.db"
        paths = []
        for index, (_, text, _) in enumerate((first, second)):
            path = Path(tmp) / f"export{index}.csv"
            path.write_bytes(text.encode("utf-8"))
            paths.append(path)

        counts, rejections = model.load(first[0], first[2])
        check(ingest(db_path, paths[0]), counts, rejections)
        assert stored_invoices(db_path) == model.invoices
        assert customer_family(db_path) == model.customers()

        before = stored_invoices(db_path)
        dry = ingest(db_path, paths[1], "--dry-run")
        assert stored_invoices(db_path) == before
        counts, rejections = model.load(second[0], second[2])
        check(dry, counts, rejections)
        check(ingest(db_path, paths[1]), counts, rejections)
        assert stored_invoices(db_path) == model.invoices
        assert customer_family(db_path) == model.customers()
        # Only customers of loaded rows exist, each under its first spelling.
        assert set(customer_names(db_path)) <= {model.names[g] for g in model.seen}
        assert len(customer_names(db_path)) == len(set(customer_names(db_path)))

        again = ingest(db_path, paths[1])
        assert again["inserted"] == again["updated"] == 0
        assert again["unchanged"] == len(model.invoices.keys() & {r.number for r in second[0] if r.stored})
        assert stored_invoices(db_path) == model.invoices
        assert customer_family(db_path) == model.customers()
        connection = by_hand(db_path)
        try:
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            # The open amounts kept for aging, per (customer, currency) and (currency, day): current and exact.
            assert connection.execute("SELECT dirty FROM open_groups_state").fetchone() == (0,)
            assert connection.execute(KEPT).fetchall() == connection.execute(LIVE).fetchall()
            assert connection.execute(KEPT_DAYS).fetchall() == live_days(connection)
            assert connection.execute(KEPT_TOPS).fetchall() == live_tops(connection)
            assert connection.execute(KEPT_STARTS).fetchall() == live_starts(connection)
        finally:
            connection.close()


def test_a_replaced_row_states_nothing_of_its_customer(run, write_csv, db_path) -> None:  # noqa: ANN001
    """The earlier of two rows of one invoice is rejected whole: its customer number and parent too."""
    from helpers import csv_of

    first = csv_of([{"customer": "Parent Co", "number": "P1", "date": "01/02/25", "total": "5",
                     "customer_number": "900"}])  # fmt: skip
    assert run("ingest", str(write_csv(first, "first.csv"))).exit_code == 0
    rows = [
        {"customer": "Child Co", "number": "C1", "date": "01/05/25", "total": "5", "customer_number": "901",
         "parent": "900"},
        {"customer": "Child Co", "number": "C1", "date": "01/05/25", "total": "6"},  # replaces the row above
    ]  # fmt: skip
    result = run("ingest", str(write_csv(csv_of(rows), "second.csv")), "--json")
    assert result.exit_code == 4, result
    assert [r["line"] for r in result.json["rejections"]] == [2]
    assert customer_family(db_path) == {"Parent Co": ("900", None), "Child Co": (None, None)}
    check = run("check", "--as-of", "2025-06-01", "--json").json
    assert [f["check"] for f in check["findings"]] == []  # 901 was never given, so no second number either


def test_a_later_row_with_empty_number_and_parent_keeps_them(run, write_csv, db_path) -> None:  # noqa: ANN001
    """An export that leaves the columns empty says nothing new: the customer keeps its number and parent."""
    from helpers import csv_of

    first = csv_of([
        {"customer": "Parent Co", "number": "P1", "date": "01/02/25", "total": "5", "customer_number": "900"},
        {"customer": "Child Co", "number": "C1", "date": "01/02/25", "total": "5", "customer_number": "901",
         "parent": "900", "po": "PO-1"},
    ])  # fmt: skip
    assert run("ingest", str(write_csv(first, "first.csv")), "--as-of", "2025-01-02").exit_code == 0
    # The same invoice, its PO number removed; a new one of the same customer, both columns empty.
    second = csv_of([
        {"customer": "Child Co", "number": "C1", "date": "01/02/25", "total": "5"},
        {"customer": "Child Co", "number": "C2", "date": "01/03/25", "total": "7"},
    ])  # fmt: skip
    result = run("ingest", str(write_csv(second, "second.csv")), "--as-of", "2025-01-03", "--json")
    assert (result.exit_code, result.json["updated"], result.json["inserted"]) == (0, 1, 1), result
    assert customer_family(db_path) == {"Parent Co": ("900", None), "Child Co": ("901", "900")}
    assert run("invoice", "C1", "--json").json["po_number"] is None
    assert run("invoice", "C1", "--known-at", "1", "--json").json["po_number"] == "PO-1"
    # And back: the PO number added again is an update, not "unchanged".
    again = run("ingest", str(write_csv(first, "third.csv")), "--as-of", "2025-01-04", "--json")
    assert again.json["updated"] == 1, again
    assert run("invoice", "C1", "--json").json["po_number"] == "PO-1"

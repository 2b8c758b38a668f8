"""Whole documents (issue 19, item 29): every report's --json on one small example, every field asserted.

A test that looks at two fields of a document lets a third print its neighbour's
value. Here two loads of the input-format example (the second pays one invoice,
adds one, moves a due date and leaves an open invoice out; a Closed invoice with
a balance gives ``check`` a finding) answer every report, and each document is
compared whole. Only what changes from run to run is masked: the time of a load
and its duration (checked for their form), and the file's SHA-256 (checked
against the file).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime
from pathlib import Path

import pytest
from helpers import EXAMPLE_CSV, run_main

# The first export: the example, a Closed invoice with 400.00 still outstanding, and an open CAD invoice.
EXTRA = (
    "Quiet Creek Dental,DF2032200,3/28/25,PO-004450,500,100,Closed,USD,,,,Net 7,,230871,\n"
    "Northwind Outfitters,DF2032300,4/2/25,PO-004460,250,0,Pending,CAD,Marcus Ortega,555-377-1029,"
    "marcus@northwindoutfitters.com,Net 45,,907113,\n"
)
FIRST = EXAMPLE_CSV + EXTRA
# A month later: DF2031977 paid in full and Closed, DF2032101 gone and DF2032102 new, DF2032015 due a week
# later, DF2032300 left out.
SECOND = (
    EXAMPLE_CSV.replace("1190.5,412.25,Pending", "1190.5,1190.5,Closed")
    .replace("Quiet Creek Dental,DF2032101", "Quiet Creek Dental,DF2032102")
    .replace("Net 45,5/8/25 00:00", "Net 45,5/15/25 00:00")
) + EXTRA.splitlines(keepends=True)[0]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two exports loaded, dated 2025-05-01 and 2025-06-01, by their names in their folder."""
    folder = tmp_path_factory.mktemp("book")
    (folder / "first.csv").write_text(FIRST, encoding="utf-8", newline="")
    (folder / "second.csv").write_text(SECOND, encoding="utf-8", newline="")
    here = os.getcwd()
    os.chdir(folder)  # the file names the loads keep are the names given, as a user types them
    try:
        for name, day in (("first.csv", "2025-05-01"), ("second.csv", "2025-06-01")):
            result = run_main("--db", "book.db", "ingest", name, "--as-of", day, "--json")
            assert result.exit_code == 0, result
    finally:
        os.chdir(here)
    return folder


def _masked(document: dict, folder: Path) -> dict:
    """``document`` with the times and durations of loads checked and masked, and SHA-256s named."""

    def mask(value):  # noqa: ANN001, ANN202
        if isinstance(value, list):
            return [mask(v) for v in value]
        if not isinstance(value, dict):
            return value
        out = {k: mask(v) for k, v in value.items()}
        if "started_at" in out:
            start, end = datetime.fromisoformat(out["started_at"]), datetime.fromisoformat(out["finished_at"])
            assert start.utcoffset() is not None and start <= end, out
            out["started_at"] = out["finished_at"] = "TIME"
        if "duration_s" in out:
            assert isinstance(out["duration_s"], float) and out["duration_s"] >= 0, out
            out["duration_s"] = "SECONDS"
        if "sha256" in out:
            assert out["sha256"] == hashlib.sha256((folder / out["file"]).read_bytes()).hexdigest(), out
            out["sha256"] = f"SHA-256 of {out['file']}"
        return out

    return mask(document)


DOCUMENTS = {
    "past-due": (
        ["past-due", "--as-of", "2025-07-01"],
        0,
        {
            "items": [
                {
                    "invoice_number": "DF2032200",
                    "customer_name": "Quiet Creek Dental",
                    "invoice_date": "2025-03-28",
                    "due_date": "2025-04-04",
                    "bill_total": "500.00",
                    "applied": "100.00",
                    "outstanding": "400.00",
                    "currency": "USD",
                    "status": "Closed",
                    "days_past_due": 88,
                },
                {
                    "invoice_number": "DF2032015",
                    "customer_name": "Northwind Outfitters",
                    "invoice_date": "2025-03-24",
                    "due_date": "2025-05-15",
                    "bill_total": "6400.00",
                    "applied": "0.00",
                    "outstanding": "6400.00",
                    "currency": "CAD",
                    "status": "Pending",
                    "days_past_due": 47,
                },
                {
                    "invoice_number": "DF2032300",
                    "customer_name": "Northwind Outfitters",
                    "invoice_date": "2025-04-02",
                    "due_date": "2025-05-17",
                    "bill_total": "250.00",
                    "applied": "0.00",
                    "outstanding": "250.00",
                    "currency": "CAD",
                    "status": "Pending",
                    "days_past_due": 45,
                },
            ],
            "total": 3,
            "limit": 50,
            "offset": 0,
        },
    ),
    "past-due known at load 1, with contacts": (
        ["past-due", "--as-of", "2025-07-01", "--contact", "--known-at", "1", "--sort", "due_date.desc"],
        0,
        {
            "items": [
                {
                    "invoice_number": "DF2032300",
                    "customer_name": "Northwind Outfitters",
                    "invoice_date": "2025-04-02",
                    "due_date": "2025-05-17",
                    "bill_total": "250.00",
                    "applied": "0.00",
                    "outstanding": "250.00",
                    "currency": "CAD",
                    "status": "Pending",
                    "days_past_due": 45,
                    "contact_name": "Marcus Ortega",
                    "contact_email": "marcus@northwindoutfitters.com",
                    "contact_phone": "555-377-1029",
                },
                {
                    "invoice_number": "DF2032015",
                    "customer_name": "Northwind Outfitters",
                    "invoice_date": "2025-03-24",
                    "due_date": "2025-05-08",
                    "bill_total": "6400.00",
                    "applied": "0.00",
                    "outstanding": "6400.00",
                    "currency": "CAD",
                    "status": "Pending",
                    "days_past_due": 54,
                    "contact_name": "Marcus Ortega",
                    "contact_email": "marcus@northwindoutfitters.com",
                    "contact_phone": "555-377-1029",
                },
                {
                    "invoice_number": "DF2031977",
                    "customer_name": "Harbor Lane Bakery",
                    "invoice_date": "2025-03-21",
                    "due_date": "2025-04-20",
                    "bill_total": "1190.50",
                    "applied": "412.25",
                    "outstanding": "778.25",
                    "currency": "USD",
                    "status": "Pending",
                    "days_past_due": 72,
                    "contact_name": "Dana Whitfield",
                    "contact_email": "dana@harborlanebakery.com",
                    "contact_phone": "555-204-7781",
                },
                {
                    "invoice_number": "DF2032200",
                    "customer_name": "Quiet Creek Dental",
                    "invoice_date": "2025-03-28",
                    "due_date": "2025-04-04",
                    "bill_total": "500.00",
                    "applied": "100.00",
                    "outstanding": "400.00",
                    "currency": "USD",
                    "status": "Closed",
                    "days_past_due": 88,
                    "contact_name": None,
                    "contact_email": None,
                    "contact_phone": None,
                },
            ],
            "total": 4,
            "limit": 50,
            "offset": 0,
        },
    ),
    "summary": (
        ["summary", "--month", "2025-03"],
        0,
        {
            "month": "2025-03",
            "currency": "USD",
            "sum_bill_total": "6525.50",
            "count_invoices": 5,
            "by_currency": [
                {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
                {"currency": "USD", "sum_bill_total": "6525.50", "count_invoices": 5},
            ],
        },
    ),
    "summary of a customer": (
        ["summary", "--month", "2025-03", "--customer", "Quiet Creek Dental"],
        0,
        {"month": "2025-03", "currency": "USD", "sum_bill_total": "2460.00", "count_invoices": 3},
    ),
    "summary range": (
        ["summary", "--from", "2025-02", "--to", "2025-04"],
        0,
        {
            "from": "2025-02",
            "to": "2025-04",
            "months": [
                {"month": "2025-02", "currency": "CAD", "sum_bill_total": "0.00", "count_invoices": 0},
                {"month": "2025-02", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0},
                {"month": "2025-03", "currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
                {"month": "2025-03", "currency": "USD", "sum_bill_total": "6525.50", "count_invoices": 5},
                {"month": "2025-04", "currency": "CAD", "sum_bill_total": "250.00", "count_invoices": 1},
                {"month": "2025-04", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0},
            ],
            "by_currency": [
                {"currency": "CAD", "sum_bill_total": "6650.00", "count_invoices": 2},
                {"currency": "USD", "sum_bill_total": "6525.50", "count_invoices": 5},
            ],
        },
    ),
    "contact": (
        ["contact", "Northwind Outfitters"],
        0,
        {
            "customer_name": "Northwind Outfitters",
            "contacts": [
                {
                    "contact_name": "Marcus Ortega",
                    "contact_email": "marcus@northwindoutfitters.com",
                    "contact_phone": "555-377-1029",
                    "last_seen_invoice_date": "2025-04-02",
                },
            ],
            "total": 1,
        },
    ),
    "aging": (
        ["aging", "--as-of", "2025-07-01"],
        0,
        {
            "as_of": "2025-07-01",
            "age_by": "due",
            "by": "customer",
            "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
            "groups": [
                {
                    "name": "Northwind Outfitters",
                    "currency": "CAD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "6650.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "name": "Quiet Creek Dental",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "400.00",
                    "91+": "0.00",
                    "total": "400.00",
                    "invoices": 1,
                },
            ],
            "totals": [
                {
                    "currency": "CAD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "6650.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "400.00",
                    "91+": "0.00",
                    "total": "400.00",
                    "invoices": 1,
                },
            ],
        },
    ),
    "aging by parent tree": (
        ["aging", "--as-of", "2025-05-01", "--by", "parent", "--tree", "--known-at", "1"],
        0,
        {
            "as_of": "2025-05-01",
            "age_by": "due",
            "by": "parent",
            "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
            "groups": [
                {
                    "name": "Northwind Outfitters",
                    "currency": "CAD",
                    "current": "6650.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "name": "Northwind Outfitters",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "778.25",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "778.25",
                    "invoices": 1,
                },
                {
                    "name": "Quiet Creek Dental",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "400.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "400.00",
                    "invoices": 1,
                },
            ],
            "totals": [
                {
                    "currency": "CAD",
                    "current": "6650.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "1178.25",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "1178.25",
                    "invoices": 2,
                },
            ],
            "tree": [
                {
                    "name": "Northwind Outfitters",
                    "customer_number": "907113",
                    "currency": "CAD",
                    "current": "6650.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                    "own": {
                        "current": "6650.00",
                        "1-30": "0.00",
                        "31-60": "0.00",
                        "61-90": "0.00",
                        "91+": "0.00",
                        "total": "6650.00",
                        "invoices": 2,
                    },
                    "children": [],
                },
                {
                    "name": "Northwind Outfitters",
                    "customer_number": "907113",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "778.25",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "778.25",
                    "invoices": 1,
                    "own": None,
                    "children": [
                        {
                            "name": "Harbor Lane Bakery",
                            "customer_number": "418552",
                            "currency": "USD",
                            "current": "0.00",
                            "1-30": "778.25",
                            "31-60": "0.00",
                            "61-90": "0.00",
                            "91+": "0.00",
                            "total": "778.25",
                            "invoices": 1,
                            "own": {
                                "current": "0.00",
                                "1-30": "778.25",
                                "31-60": "0.00",
                                "61-90": "0.00",
                                "91+": "0.00",
                                "total": "778.25",
                                "invoices": 1,
                            },
                            "children": [],
                        },
                    ],
                },
                {
                    "name": "Quiet Creek Dental",
                    "customer_number": "230871",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "400.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "400.00",
                    "invoices": 1,
                    "own": {
                        "current": "0.00",
                        "1-30": "400.00",
                        "31-60": "0.00",
                        "61-90": "0.00",
                        "91+": "0.00",
                        "total": "400.00",
                        "invoices": 1,
                    },
                    "children": [],
                },
            ],
        },
    ),
    "aging by currency by invoice date": (
        ["aging", "--as-of", "2025-07-01", "--by", "currency", "--age-by", "invoice"],
        0,
        {
            "as_of": "2025-07-01",
            "age_by": "invoice",
            "by": "currency",
            "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
            "groups": [
                {
                    "name": "CAD",
                    "currency": "CAD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "250.00",
                    "91+": "6400.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "name": "USD",
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "400.00",
                    "total": "400.00",
                    "invoices": 1,
                },
            ],
            "totals": [
                {
                    "currency": "CAD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "250.00",
                    "91+": "6400.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "400.00",
                    "total": "400.00",
                    "invoices": 1,
                },
            ],
        },
    ),
    "customers": (
        ["customers", "--as-of", "2025-07-01"],
        0,
        {
            "as_of": "2025-07-01",
            "customers": [
                {
                    "name": "Harbor Lane Bakery",
                    "customer_number": "418552",
                    "parent_number": "907113",
                    "parent_name": "Northwind Outfitters",
                    "invoices": 2,
                    "last_invoice_date": "2025-03-21",
                    "balances": [],
                    "oldest_days_past_due": None,
                    "contact": {
                        "contact_name": "Dana Whitfield",
                        "contact_email": "dana@harborlanebakery.com",
                        "contact_phone": "555-204-7781",
                        "last_seen_invoice_date": "2025-03-21",
                    },
                },
                {
                    "name": "Northwind Outfitters",
                    "customer_number": "907113",
                    "parent_number": None,
                    "parent_name": None,
                    "invoices": 2,
                    "last_invoice_date": "2025-04-02",
                    "balances": [{"currency": "CAD", "open_ar": "6650.00", "past_due": "6650.00"}],
                    "oldest_days_past_due": 47,
                    "contact": {
                        "contact_name": "Marcus Ortega",
                        "contact_email": "marcus@northwindoutfitters.com",
                        "contact_phone": "555-377-1029",
                        "last_seen_invoice_date": "2025-04-02",
                    },
                },
                {
                    "name": "Quiet Creek Dental",
                    "customer_number": "230871",
                    "parent_number": None,
                    "parent_name": None,
                    "invoices": 3,
                    "last_invoice_date": "2025-03-28",
                    "balances": [{"currency": "USD", "open_ar": "0.00", "past_due": "400.00"}],
                    "oldest_days_past_due": 88,
                    "contact": None,
                },
            ],
            "total": 3,
            "limit": 50,
            "offset": 0,
        },
    ),
    "invoice": (
        ["invoice", "DF2032015", "--as-of", "2025-07-01"],
        0,
        {
            "invoice_number": "DF2032015",
            "customer_name": "Northwind Outfitters",
            "customer_number": "907113",
            "parent_number": None,
            "invoice_date": "2025-03-24",
            "due_date": "2025-05-15",
            "due_date_derived": False,
            "terms": "Net 45",
            "terms_days": 45,
            "po_number": "PO-004436",
            "bill_total": "6400.00",
            "applied": "0.00",
            "outstanding": "6400.00",
            "currency": "CAD",
            "status": "Pending",
            "contact_name": "Marcus Ortega",
            "contact_phone": "555-377-1029",
            "contact_email": "marcus@northwindoutfitters.com",
            "as_of": "2025-07-01",
            "past_due": True,
            "days_past_due": 47,
            "last_changed_by": {
                "run_id": 2,
                "file": "second.csv",
                "started_at": "TIME",
                "finished_at": "TIME",
                "sha256": "SHA-256 of second.csv",
            },
        },
    ),
    "statement with children": (
        ["statement", "907113", "--as-of", "2025-05-01", "--with-children", "--known-at", "1"],
        0,
        {
            "as_of": "2025-05-01",
            "customer_name": "Northwind Outfitters",
            "customer_number": "907113",
            "contact": {
                "contact_name": "Marcus Ortega",
                "contact_email": "marcus@northwindoutfitters.com",
                "contact_phone": "555-377-1029",
                "last_seen_invoice_date": "2025-04-02",
            },
            "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
            "accounts": [
                {
                    "customer_name": "Northwind Outfitters",
                    "customer_number": "907113",
                    "parent_number": None,
                    "contact": {
                        "contact_name": "Marcus Ortega",
                        "contact_email": "marcus@northwindoutfitters.com",
                        "contact_phone": "555-377-1029",
                        "last_seen_invoice_date": "2025-04-02",
                    },
                    "invoices": [
                        {
                            "invoice_number": "DF2032015",
                            "invoice_date": "2025-03-24",
                            "due_date": "2025-05-08",
                            "po_number": "PO-004436",
                            "bill_total": "6400.00",
                            "applied": "0.00",
                            "outstanding": "6400.00",
                            "currency": "CAD",
                            "days_past_due": 0,
                            "bucket": "current",
                        },
                        {
                            "invoice_number": "DF2032300",
                            "invoice_date": "2025-04-02",
                            "due_date": "2025-05-17",
                            "po_number": "PO-004460",
                            "bill_total": "250.00",
                            "applied": "0.00",
                            "outstanding": "250.00",
                            "currency": "CAD",
                            "days_past_due": 0,
                            "bucket": "current",
                        },
                    ],
                    "aging": [
                        {
                            "currency": "CAD",
                            "current": "6650.00",
                            "1-30": "0.00",
                            "31-60": "0.00",
                            "61-90": "0.00",
                            "91+": "0.00",
                            "total": "6650.00",
                            "invoices": 2,
                        },
                    ],
                },
                {
                    "customer_name": "Harbor Lane Bakery",
                    "customer_number": "418552",
                    "parent_number": "907113",
                    "contact": {
                        "contact_name": "Dana Whitfield",
                        "contact_email": "dana@harborlanebakery.com",
                        "contact_phone": "555-204-7781",
                        "last_seen_invoice_date": "2025-03-21",
                    },
                    "invoices": [
                        {
                            "invoice_number": "DF2031977",
                            "invoice_date": "2025-03-21",
                            "due_date": "2025-04-20",
                            "po_number": "PO-004430",
                            "bill_total": "1190.50",
                            "applied": "412.25",
                            "outstanding": "778.25",
                            "currency": "USD",
                            "days_past_due": 11,
                            "bucket": "1-30",
                        },
                    ],
                    "aging": [
                        {
                            "currency": "USD",
                            "current": "0.00",
                            "1-30": "778.25",
                            "31-60": "0.00",
                            "61-90": "0.00",
                            "91+": "0.00",
                            "total": "778.25",
                            "invoices": 1,
                        },
                    ],
                },
            ],
            "totals": [
                {
                    "currency": "CAD",
                    "current": "6650.00",
                    "1-30": "0.00",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "6650.00",
                    "invoices": 2,
                },
                {
                    "currency": "USD",
                    "current": "0.00",
                    "1-30": "778.25",
                    "31-60": "0.00",
                    "61-90": "0.00",
                    "91+": "0.00",
                    "total": "778.25",
                    "invoices": 1,
                },
            ],
        },
    ),
    "runs": (
        ["runs"],
        0,
        {
            "runs": [
                {
                    "run_id": 2,
                    "started_at": "TIME",
                    "finished_at": "TIME",
                    "duration_s": "SECONDS",
                    "file": "second.csv",
                    "sha256": "SHA-256 of second.csv",
                    "encoding": "utf-8",
                    "rows_read": 5,
                    "inserted": 1,
                    "updated": 2,
                    "unchanged": 2,
                    "rejected": 0,
                    "warnings": 0,
                },
                {
                    "run_id": 1,
                    "started_at": "TIME",
                    "finished_at": "TIME",
                    "duration_s": "SECONDS",
                    "file": "first.csv",
                    "sha256": "SHA-256 of first.csv",
                    "encoding": "utf-8",
                    "rows_read": 6,
                    "inserted": 6,
                    "updated": 0,
                    "unchanged": 0,
                    "rejected": 0,
                    "warnings": 0,
                },
            ],
            "total": 2,
            "limit": 20,
            "offset": 0,
        },
    ),
    "check": (
        ["check", "--as-of", "2025-07-01"],
        4,
        {
            "as_of": "2025-07-01",
            "total": 1,
            "checks": [
                {"check": "invoice_without_customer", "title": "Invoices of no customer", "findings": 0},
                {"check": "amount_not_whole_cents", "title": "Amounts that are not whole cents", "findings": 0},
                {"check": "negative_amount", "title": "Amounts below zero", "findings": 0},
                {
                    "check": "outstanding_mismatch",
                    "title": "Outstanding that is not bill total minus applied",
                    "findings": 0,
                },
                {"check": "impossible_date", "title": "Dates that are not real dates", "findings": 0},
                {
                    "check": "unknown_status_or_currency",
                    "title": "Statuses or currencies domeo never writes",
                    "findings": 0,
                },
                {
                    "check": "invalid_text",
                    "title": "Invoice numbers and text fields domeo never writes",
                    "findings": 0,
                },
                {"check": "closed_with_balance", "title": "Closed invoices with a balance", "findings": 1},
                {"check": "due_before_invoice", "title": "Due dates before invoice dates", "findings": 0},
                {"check": "future_invoice", "title": "Invoices dated in the future", "findings": 0},
                {"check": "number_on_two_names", "title": "One customer number on two names", "findings": 0},
                {"check": "name_with_two_numbers", "title": "Two customer numbers on one name", "findings": 0},
                {"check": "parent_loop", "title": "Parent loops", "findings": 0},
                {"check": "missing_parent", "title": "Missing parents", "findings": 0},
                {"check": "overpaid", "title": "Overpaid invoices", "findings": 0},
                {"check": "duplicate_contact", "title": "Duplicate contacts", "findings": 0},
            ],
            "findings": [
                {
                    "check": "closed_with_balance",
                    "message": "DF2032200 of Quiet Creek Dental is Closed but 400.00 USD is outstanding.",
                    "invoices": ["DF2032200"],
                    "customers": ["Quiet Creek Dental"],
                },
            ],
        },
    ),
    "diff": (
        ["diff"],
        0,
        {
            "from": {"load": 1, "as_of": "2025-05-01", "file": "first.csv"},
            "to": {"load": 2, "as_of": "2025-06-01", "file": "second.csv"},
            "new": [
                {
                    "invoice_number": "DF2032102",
                    "customer_name": "Quiet Creek Dental",
                    "invoice_date": "2025-03-26",
                    "due_date": "2025-04-02",
                    "bill_total": "980.00",
                    "applied": "980.00",
                    "outstanding": "0.00",
                    "currency": "USD",
                    "status": "Closed",
                },
            ],
            "payments": [
                {
                    "invoice_number": "DF2031977",
                    "customer_name": "Harbor Lane Bakery",
                    "currency": "USD",
                    "applied_before": "412.25",
                    "applied_after": "1190.50",
                    "amount": "778.25",
                },
            ],
            "payments_by_currency": [{"currency": "USD", "amount": "778.25", "invoices": 1}],
            "status_changes": [
                {
                    "invoice_number": "DF2031977",
                    "customer_name": "Harbor Lane Bakery",
                    "currency": "USD",
                    "before": "Pending",
                    "after": "Closed",
                },
            ],
            "changes": [
                {
                    "invoice_number": "DF2032015",
                    "customer_name": "Northwind Outfitters",
                    "currency": "CAD",
                    "field": "due_date",
                    "before": "2025-05-08",
                    "after": "2025-05-15",
                },
            ],
            "missing": [
                {
                    "invoice_number": "DF2032300",
                    "customer_name": "Northwind Outfitters",
                    "invoice_date": "2025-04-02",
                    "due_date": "2025-05-17",
                    "bill_total": "250.00",
                    "applied": "0.00",
                    "outstanding": "250.00",
                    "currency": "CAD",
                    "status": "Pending",
                },
            ],
            "moved": [],
            "customer_changes": [],
        },
    ),
    "trend": (
        ["trend", "--from", "2025-04-01", "--to", "2025-07-01"],
        0,
        {
            "from": "2025-04-01",
            "to": "2025-07-01",
            "every": "month",
            "points": [
                {
                    "date": "2025-05-31",
                    "load": 1,
                    "currency": "CAD",
                    "open_ar": "6650.00",
                    "past_due": "6650.00",
                    "billed_3m": "6650.00",
                    "days_3m": 92,
                    "dso": 92.0,
                },
                {
                    "date": "2025-05-31",
                    "load": 1,
                    "currency": "USD",
                    "open_ar": "778.25",
                    "past_due": "1178.25",
                    "billed_3m": "5545.50",
                    "days_3m": 92,
                    "dso": 12.9,
                },
                {
                    "date": "2025-06-30",
                    "load": 2,
                    "currency": "CAD",
                    "open_ar": "6650.00",
                    "past_due": "6650.00",
                    "billed_3m": "250.00",
                    "days_3m": 91,
                    "dso": 2420.6,
                },
                {
                    "date": "2025-06-30",
                    "load": 2,
                    "currency": "USD",
                    "open_ar": "0.00",
                    "past_due": "400.00",
                    "billed_3m": "0.00",
                    "days_3m": 91,
                    "dso": None,
                },
            ],
        },
    ),
    "trend per load": (
        ["trend", "--from", "2025-04-01", "--to", "2025-07-01", "--every", "load"],
        0,
        {
            "from": "2025-04-01",
            "to": "2025-07-01",
            "every": "load",
            "points": [
                {"date": "2025-05-01", "load": 1, "currency": "CAD", "open_ar": "6650.00", "past_due": "0.00"},
                {"date": "2025-05-01", "load": 1, "currency": "USD", "open_ar": "778.25", "past_due": "1178.25"},
                {"date": "2025-06-01", "load": 2, "currency": "CAD", "open_ar": "6650.00", "past_due": "6650.00"},
                {"date": "2025-06-01", "load": 2, "currency": "USD", "open_ar": "0.00", "past_due": "400.00"},
            ],
        },
    ),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_report_document_whole(book: Path, name: str) -> None:
    args, code, expected = DOCUMENTS[name]
    result = run_main("--db", str(book / "book.db"), *args, "--json")
    assert result.exit_code == code, result
    assert _masked(result.json, book) == expected


@pytest.mark.parametrize("name", ["past-due", "customers", "statement with children", "aging by parent tree"])
def test_a_json_file_is_the_same_document(book: Path, tmp_path: Path, name: str) -> None:
    args, _, expected = DOCUMENTS[name]
    target = tmp_path / "report.json"
    result = run_main("--db", str(book / "book.db"), *args, "-o", str(target))
    assert result.exit_code == 0 and result.stdout == "", result
    assert _masked(json.loads(target.read_text(encoding="utf-8")), book) == expected


def test_every_past_due_row_streamed_is_the_document(book: Path) -> None:
    args, _, expected = DOCUMENTS["past-due"]
    result = run_main("--db", str(book / "book.db"), *args, "--all", "--format", "json")
    assert result.exit_code == 0, result
    assert result.json == {**expected, "limit": expected["total"]}
    assert re.fullmatch(r"\{.*\}\n", result.stdout)  # one line, as a pipe gets it

"""The three contract reports (past-due, summary, contact) through the CLI.

Every expected value below is worked out by hand from the rows the test
writes; comments show the arithmetic where it is not obvious.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import by_hand, example_df2031977, example_df2032015, item

from domeo_cli import tables

ANSI = re.compile(r"\x1b\[")
BOX = re.compile(r"[\u2500-\u257f]")


def ok_json(result):  # noqa: ANN001, ANN201
    """The JSON document of a successful run that printed nothing on stderr."""
    assert result.exit_code == 0, result
    assert result.stderr == "", result
    return result.json


# -- past-due on the input-format.md example -----------------------------------------
# Open invoices of the example: DF2031977 (due 2025-04-20, derived from 3/21/25 + Net 30;
# 1190.50 - 412.25 = 778.25 USD) and DF2032015 (due 2025-05-08, 6400.00 CAD). The two
# others are fully applied (outstanding 0.00) and never past due.


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2025-04-06", []),  # DF2031442 is due 2025-04-06 but fully paid
        ("2025-04-20", []),  # due date == as-of: not yet past due
        ("2025-04-21", [example_df2031977(1)]),
        ("2025-05-08", [example_df2031977(18)]),  # 10 days left in April + 8
        ("2025-05-09", [example_df2031977(19), example_df2032015(1)]),
        ("2026-01-01", [example_df2031977(256), example_df2032015(238)]),  # 10+31+30+31+31+30+31+30+31+1; minus 18
    ],
)
def test_past_due_example_by_as_of(example, run, as_of, expected):  # noqa: ANN001
    document = ok_json(run("past-due", "--as-of", as_of, "--json"))
    assert document == {"items": expected, "total": len(expected), "limit": 50, "offset": 0}


def test_past_due_example_descending(example, run):  # noqa: ANN001
    document = ok_json(run("past-due", "--as-of", "2025-05-09", "--sort", "due_date.desc", "--json"))
    assert document == {"items": [example_df2032015(1), example_df2031977(19)], "total": 2, "limit": 50, "offset": 0}


def test_past_due_explicit_ascending_is_the_default(example, run):  # noqa: ANN001
    default = ok_json(run("past-due", "--as-of", "2025-05-09", "--json"))
    explicit = ok_json(run("past-due", "--as-of", "2025-05-09", "--sort", "due_date.asc", "--json"))
    assert default == explicit
    assert [i["invoice_number"] for i in explicit["items"]] == ["DF2031977", "DF2032015"]


# -- past-due: ties and paging -----------------------------------------------------------
# Four invoices share the due date 2025-01-15; written in an order that is neither the
# invoice-number order nor its reverse, so row ids cannot stand in for the tie-break.
TIES = [
    {"customer": "Tie Co", "number": "C1", "date": "12/1/24", "total": "100", "due": "1/15/25 00:00"},
    {"customer": "Tie Co", "number": "A1", "date": "12/1/24", "total": "200", "due": "1/20/25 00:00"},
    {"customer": "Tie Co", "number": "B2", "date": "12/1/24", "total": "300", "due": "1/15/25 00:00"},
    {"customer": "Tie Co", "number": "Z9", "date": "12/1/24", "total": "400", "due": "1/10/25 00:00"},
    {"customer": "Tie Co", "number": "A2", "date": "12/1/24", "total": "500", "due": "1/15/25 00:00"},
    {"customer": "Tie Co", "number": "A10", "date": "12/1/24", "total": "600", "due": "1/15/25 00:00"},
    # due on the as-of date: not past due
    {"customer": "Tie Co", "number": "X1", "date": "12/1/24", "total": "700", "due": "2/1/25 00:00"},
    # fully applied: outstanding 0.00, never past due
    {"customer": "Tie Co", "number": "P0", "date": "12/1/24", "total": "800", "applied": "800",
     "status": "Closed", "due": "1/1/25 00:00"},
]  # fmt: skip
TIES_AS_OF = "2025-02-01"


def _tie(number: str, due: str, total: str, days: int) -> dict:
    return item(number, "Tie Co", "2024-12-01", due, total, "0.00", total, "USD", "Pending", days)


# As of 2025-02-01: due 01-10 is 22 days late, 01-15 is 17, 01-20 is 12. Text order of
# the numbers sharing 01-15: "A10" < "A2" < "B2" < "C1".
TIES_ASC = [
    _tie("Z9", "2025-01-10", "400.00", 22),
    _tie("A10", "2025-01-15", "600.00", 17),
    _tie("A2", "2025-01-15", "500.00", 17),
    _tie("B2", "2025-01-15", "300.00", 17),
    _tie("C1", "2025-01-15", "100.00", 17),
    _tie("A1", "2025-01-20", "200.00", 12),
]
# Descending by due date, ties still by invoice number ascending.
TIES_DESC = [TIES_ASC[5], *TIES_ASC[1:5], TIES_ASC[0]]


@pytest.mark.parametrize(("sort", "expected"), [("due_date.asc", TIES_ASC), ("due_date.desc", TIES_DESC)])
def test_past_due_ties_break_by_invoice_number(load_rows, run, sort, expected):  # noqa: ANN001
    load_rows(TIES)
    document = ok_json(run("past-due", "--as-of", TIES_AS_OF, "--sort", sort, "--limit", "200", "--json"))
    assert document == {"items": expected, "total": 6, "limit": 200, "offset": 0}


@pytest.mark.parametrize(("sort", "expected"), [("due_date.asc", TIES_ASC), ("due_date.desc", TIES_DESC)])
@pytest.mark.parametrize("limit", [1, 2, 4])
def test_past_due_pages_never_overlap_or_skip(load_rows, run, sort, expected, limit):  # noqa: ANN001
    load_rows(TIES)
    for offset in range(0, 8, limit):
        document = ok_json(
            run(
                "past-due",
                "--as-of",
                TIES_AS_OF,
                "--sort",
                sort,
                "--limit",
                str(limit),
                "--offset",
                str(offset),
                "--json",
            )  # fmt: skip
        )
        assert document == {
            "items": expected[offset : offset + limit],
            "total": 6,
            "limit": limit,
            "offset": offset,
        }


def test_past_due_last_page_and_offset_past_the_end(load_rows, run):  # noqa: ANN001
    load_rows(TIES)
    last = ok_json(run("past-due", "--as-of", TIES_AS_OF, "--limit", "4", "--offset", "4", "--json"))
    assert last == {"items": TIES_ASC[4:], "total": 6, "limit": 4, "offset": 4}
    exactly_at_end = ok_json(run("past-due", "--as-of", TIES_AS_OF, "--offset", "6", "--json"))
    assert exactly_at_end == {"items": [], "total": 6, "limit": 50, "offset": 6}
    beyond = ok_json(run("past-due", "--as-of", TIES_AS_OF, "--limit", "200", "--offset", "1000", "--json"))
    assert beyond == {"items": [], "total": 6, "limit": 200, "offset": 1000}


def test_past_due_offset_past_sqlite_integers_is_exit_2(load_rows, run):  # noqa: ANN001
    """As every report's --offset (issue 11, item 7): one sentence, exit 2, never a silent empty page."""
    load_rows(TIES)
    offset = str(2**70)
    result = run("past-due", "--as-of", TIES_AS_OF, "--offset", offset, "--json")
    assert result.exit_code == 2, result
    assert result.error["message"] == f"--offset takes a whole number from 0 to {2**63 - 1}, not {offset}."
    beyond = ok_json(run("past-due", "--as-of", TIES_AS_OF, "--offset", str(2**63 - 1), "--json"))
    assert beyond == {"items": [], "total": 6, "limit": 50, "offset": 2**63 - 1}


def test_past_due_default_limit_is_50_and_total_counts_every_match(load_rows, run):  # noqa: ANN001
    # 55 invoices N001..N055, all due 2025-01-31, 10.00 each; as of 2025-02-01 each is 1 day late.
    rows = [
        {"customer": "Many", "number": f"N{n:03d}", "date": "1/1/25", "total": "10", "due": "1/31/25"}
        for n in range(55, 0, -1)
    ]
    load_rows(rows)
    expected = [
        item(f"N{n:03d}", "Many", "2025-01-01", "2025-01-31", "10.00", "0.00", "10.00", "USD", "Pending", 1)
        for n in range(1, 56)
    ]
    first = ok_json(run("past-due", "--as-of", "2025-02-01", "--json"))
    assert first == {"items": expected[:50], "total": 55, "limit": 50, "offset": 0}
    rest = ok_json(run("past-due", "--as-of", "2025-02-01", "--offset", "50", "--json"))
    assert rest == {"items": expected[50:], "total": 55, "limit": 50, "offset": 50}
    everything = ok_json(run("past-due", "--as-of", "2025-02-01", "--limit", "200", "--json"))
    assert everything == {"items": expected, "total": 55, "limit": 200, "offset": 0}


def test_past_due_balance_rules_and_currencies(load_rows, run):  # noqa: ANN001
    rows = [
        # Closed in the file but money still owed: past due (the rule looks at the balance only).
        {"customer": "Rules", "number": "R1", "date": "1/2/24", "total": "50.05", "applied": "0.05",
         "status": "Closed", "due": "2/28/24"},
        # Overpaid: outstanding is max(20 - 25, 0) = 0, never past due.
        {"customer": "Rules", "number": "R2", "date": "1/2/24", "total": "20", "applied": "25",
         "status": "Pending", "due": "1/3/24"},
        # Due by terms: 1/30/24 + Net 30 = 2024-02-29 (leap year).
        {"customer": "Rules", "number": "R3", "date": "1/30/24", "total": "1234.5", "applied": "1000",
         "currency": "CAD", "terms": "NET30"},
        # Due on receipt: due the day it was issued.
        {"customer": "Rules", "number": "R4", "date": "2/27/2024", "total": "$1,000.01",
         "currency": "eur", "terms": "Due on receipt"},
        # One cent outstanding is still outstanding.
        {"customer": "Rules", "number": "R5", "date": "2024-01-01", "total": "0.10", "applied": "0.09",
         "due": "2024-03-01"},
    ]  # fmt: skip
    load_rows(rows)
    document = ok_json(run("past-due", "--as-of", "2024-03-01", "--json"))
    # As of 2024-03-01: R4 due 02-27 (3 days), R1 due 02-28 (2), R3 due 02-29 (1); R5 is due today.
    assert document == {
        "items": [
            item("R4", "Rules", "2024-02-27", "2024-02-27", "1000.01", "0.00", "1000.01", "EUR", "Pending", 3),
            item("R1", "Rules", "2024-01-02", "2024-02-28", "50.05", "0.05", "50.00", "USD", "Closed", 2),
            item("R3", "Rules", "2024-01-30", "2024-02-29", "1234.50", "1000.00", "234.50", "CAD", "Pending", 1),
        ],
        "total": 3,
        "limit": 50,
        "offset": 0,
    }
    later = ok_json(run("past-due", "--as-of", "2024-03-02", "--sort", "due_date.desc", "--json"))
    assert [(i["invoice_number"], i["days_past_due"], i["outstanding"]) for i in later["items"]] == [
        ("R5", 1, "0.01"),
        ("R3", 2, "234.50"),
        ("R1", 3, "50.00"),
        ("R4", 4, "1000.01"),
    ]
    assert later["total"] == 4


def test_past_due_days_cross_a_year(load_rows, run):  # noqa: ANN001
    load_rows([{"customer": "Y", "number": "Y1", "date": "11/1/24", "total": "5", "due": "12/31/2024 23:59"}])
    document = ok_json(run("past-due", "--as-of", "2025-03-01", "--json"))
    # 2024-12-31 -> 2025-03-01: 31 (Jan) + 28 (Feb) + 1 = 60 days.
    assert document["items"] == [
        item("Y1", "Y", "2024-11-01", "2024-12-31", "5.00", "0.00", "5.00", "USD", "Pending", 60)
    ]


def test_past_due_empty_database_page(load_rows, run):  # noqa: ANN001
    load_rows([{"customer": "Paid", "number": "P1", "date": "1/1/25", "total": "9", "applied": "9",
                "status": "Closed", "due": "1/2/25"}])  # fmt: skip
    assert ok_json(run("past-due", "--as-of", "2030-01-01", "--limit", "7", "--offset", "3", "--json")) == {
        "items": [],
        "total": 0,
        "limit": 7,
        "offset": 3,
    }


# -- past-due: "today" -------------------------------------------------------------------


def _around_today_rows() -> list[dict[str, str]]:
    base = datetime.now(ZoneInfo("America/New_York")).date()
    rows = []
    for shift in range(-3, 4):
        due = base + timedelta(days=shift)
        rows.append(
            {
                "customer": "Now Co",
                "number": f"T{shift + 3}",
                "date": "1/1/2020",
                "total": "10",
                "due": due.isoformat(),
            }
        )
    return rows


@pytest.mark.parametrize("zone", [None, "", "America/New_York", "UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_past_due_defaults_to_today_in_the_configured_zone(load_rows, run, monkeypatch, zone):  # noqa: ANN001
    rows = _around_today_rows()
    load_rows(rows)
    if zone is not None:
        monkeypatch.setenv("DOMEO_TZ", zone)
    for _attempt in range(2):  # once more if midnight passed in that zone during the run
        before = datetime.now(ZoneInfo(zone or "America/New_York")).date()
        document = ok_json(run("past-due", "--json", "--limit", "200"))
        if datetime.now(ZoneInfo(zone or "America/New_York")).date() == before:
            break
    expected = [
        (row["number"], (before - date.fromisoformat(row["due"])).days)
        for row in rows
        if date.fromisoformat(row["due"]) < before
    ]
    assert [(i["invoice_number"], i["days_past_due"]) for i in document["items"]] == expected
    assert document["total"] == len(expected)
    # 25 hours apart, Kiritimati and Pago Pago never share a date: the zone really is used.
    assert 2 <= len(expected) <= 5


# -- summary -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # the contract's two examples
        (
            ["--customer", "harbor lane bakery"],
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "4065.50", "count_invoices": 2},
        ),
        (
            [],
            {
                "month": "2025-03",
                "currency": "USD",
                "sum_bill_total": "5045.50",
                "count_invoices": 3,
                "by_currency": [
                    {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
                    {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
                ],
            },
        ),
        # --currency filters to that currency: no by_currency then
        (
            ["--currency", "CAD"],
            {"month": "2025-03", "currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
        ),
        (
            ["--currency", "usd"],
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ),
        # a customer billed in CAD only: the headline is its currency
        (
            ["--customer", "NORTHWIND OUTFITTERS"],
            {"month": "2025-03", "currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
        ),
        (
            ["--customer", "Northwind Outfitters", "--currency", "USD"],
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0},
        ),
        (
            ["--customer", "  quiet   creek DENTAL "],
            {"month": "2025-03", "currency": "USD", "sum_bill_total": "980.00", "count_invoices": 1},
        ),
    ],
)
def test_summary_example(example, run, args, expected):  # noqa: ANN001
    assert ok_json(run("summary", "--month", "2025-03", *args, "--json")) == expected


def test_summary_of_a_currency_no_invoice_is_in_is_a_zero_and_a_note(example, run):  # noqa: ANN001
    result = run("summary", "--month", "2025-03", "--currency", "EUR", "--json")
    assert (result.exit_code, result.stderr) == (
        0,
        "domeo: note: no invoice is in EUR; the invoices are in CAD, USD.\n",
    )
    assert result.json == {"month": "2025-03", "currency": "EUR", "sum_bill_total": "0.00", "count_invoices": 0}


@pytest.mark.parametrize("month", ["2025-02", "2025-04", "1999-12"])
def test_summary_month_without_invoices(example, run, month):  # noqa: ANN001
    expected = {"month": month, "currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0}
    assert ok_json(run("summary", "--month", month, "--json")) == expected
    # a known customer with nothing that month is a zero too (not "not found")
    with_customer = run("summary", "--month", month, "--customer", "Harbor Lane Bakery", "--json")
    assert ok_json(with_customer) == expected


BOUNDARIES = [
    {"customer": "Edge", "number": "E1", "date": "11/30/24", "total": "1"},
    {"customer": "Edge", "number": "E2", "date": "12/1/24", "total": "10"},
    {"customer": "Edge", "number": "E3", "date": "12/31/2024 23:59", "total": "100"},
    {"customer": "Edge", "number": "E4", "date": "2025-01-01", "total": "1000"},
    {"customer": "Edge", "number": "E5", "date": "2/29/24", "total": "0.01"},
    {"customer": "Edge", "number": "E6", "date": "3/1/24", "total": "0.02"},
]


@pytest.mark.parametrize(
    ("month", "total", "count"),
    [
        ("2024-11", "1.00", 1),
        ("2024-12", "110.00", 2),  # 12/1 and 12/31, not 11/30 or 1/1
        ("2025-01", "1000.00", 1),
        ("2024-02", "0.01", 1),
        ("2024-03", "0.02", 1),
    ],
)
def test_summary_month_boundaries(load_rows, run, month, total, count):  # noqa: ANN001
    load_rows(BOUNDARIES)
    document = ok_json(run("summary", "--month", month, "--json"))
    assert document == {"month": month, "currency": "USD", "sum_bill_total": total, "count_invoices": count}


MIXED = [
    # 2024-12: USD 0.10 + 0.20 + 9999999999.99, CAD 5.5, EUR 7
    {"customer": "Ana", "number": "M1", "date": "12/3/24", "total": "0.10"},
    {"customer": "Ben", "number": "M2", "date": "12/4/24", "total": "0.20", "currency": "usd"},
    {"customer": "Ana", "number": "M3", "date": "12/5/24", "total": "9999999999.99"},
    {"customer": "Ana", "number": "M4", "date": "12/6/24", "total": "5.5", "currency": "CAD"},
    {"customer": "Ben", "number": "M5", "date": "12/7/24", "total": "7", "currency": "EUR"},
    # 2025-01: no USD at all: CAD 1 + 2, EUR 3
    {"customer": "Ana", "number": "M6", "date": "1/8/25", "total": "1", "currency": "CAD"},
    {"customer": "Ben", "number": "M7", "date": "1/9/25", "total": "2", "currency": "CAD"},
    {"customer": "Ben", "number": "M8", "date": "1/10/25", "total": "3", "currency": "EUR"},
]


def test_summary_mixed_currencies_are_never_added(load_rows, run):  # noqa: ANN001
    load_rows(MIXED)
    # 0.10 + 0.20 + 9999999999.99 = 10000000000.29, exactly
    assert ok_json(run("summary", "--month", "2024-12", "--json")) == {
        "month": "2024-12",
        "currency": "USD",
        "sum_bill_total": "10000000000.29",
        "count_invoices": 3,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "5.50", "count_invoices": 1},
            {"currency": "EUR", "sum_bill_total": "7.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "10000000000.29", "count_invoices": 3},
        ],
    }
    # No USD that month: the headline is USD with nothing, every currency is listed.
    assert ok_json(run("summary", "--month", "2025-01", "--json")) == {
        "month": "2025-01",
        "currency": "USD",
        "sum_bill_total": "0.00",
        "count_invoices": 0,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "3.00", "count_invoices": 2},
            {"currency": "EUR", "sum_bill_total": "3.00", "count_invoices": 1},
        ],
    }
    assert ok_json(run("summary", "--month", "2025-01", "--currency", "eur", "--json")) == {
        "month": "2025-01",
        "currency": "EUR",
        "sum_bill_total": "3.00",
        "count_invoices": 1,
    }
    # Ben in 2024-12: USD 0.20 and EUR 7.00
    assert ok_json(run("summary", "--month", "2024-12", "--customer", "ben", "--json")) == {
        "month": "2024-12",
        "currency": "USD",
        "sum_bill_total": "0.20",
        "count_invoices": 1,
        "by_currency": [
            {"currency": "EUR", "sum_bill_total": "7.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "0.20", "count_invoices": 1},
        ],
    }
    # Ben in 2025-01: CAD only, so CAD is the headline and there is no by_currency
    assert ok_json(run("summary", "--month", "2025-01", "--customer", "BEN", "--currency", "cad", "--json")) == {
        "month": "2025-01",
        "currency": "CAD",
        "sum_bill_total": "2.00",
        "count_invoices": 1,
    }


# -- customer names ------------------------------------------------------------------------

NAMES = [
    # the first spelling seen is the stored name; later case/spacing variants are the same customer
    {"customer": "Café Olé", "number": "U1", "date": "3/1/25", "total": "10", "contact": "Zoë Ângel",
     "email": "zoe@cafe.example", "phone": "555-0001"},
    {"customer": "CAFÉ   OLÉ", "number": "U2", "date": "3/2/25", "total": "20"},
    {"customer": " café olé ", "number": "U3", "date": "3/3/25", "total": "30"},
    {"customer": "Straße AG", "number": "U4", "date": "3/4/25", "total": "40"},
    {"customer": "Cafe Ole", "number": "U5", "date": "3/5/25", "total": "50"},
]  # fmt: skip


@pytest.mark.parametrize(
    "query",
    ["Café Olé", "CAFÉ OLÉ", "café olé", "  café    OLÉ  ", "Cafe\u0301 Ole\u0301", "CAFE\u0301 OLE\u0301"],
)
def test_names_match_case_insensitively_and_unicode_aware(load_rows, run, query):  # noqa: ANN001
    load_rows(NAMES)
    contact = ok_json(run("contact", query, "--json"))
    assert contact == {
        "customer_name": "Café Olé",
        "contacts": [
            {
                "contact_name": "Zoë Ângel",
                "contact_email": "zoe@cafe.example",
                "contact_phone": "555-0001",
                "last_seen_invoice_date": "2025-03-01",
            }
        ],
        "total": 1,
    }
    # U1 + U2 + U3 = 60.00; "Cafe Ole" (no accents) is another customer
    summary = ok_json(run("summary", "--month", "2025-03", "--customer", query, "--json"))
    assert summary == {"month": "2025-03", "currency": "USD", "sum_bill_total": "60.00", "count_invoices": 3}


@pytest.mark.parametrize("query", ["STRASSE AG", "strasse ag", "Straße ag"])
def test_names_casefold(load_rows, run, query):  # noqa: ANN001
    load_rows(NAMES)
    document = ok_json(run("summary", "--month", "2025-03", "--customer", query, "--json"))
    assert document == {"month": "2025-03", "currency": "USD", "sum_bill_total": "40.00", "count_invoices": 1}
    assert ok_json(run("contact", query, "--json")) == {"customer_name": "Straße AG", "contacts": [], "total": 0}


def test_unaccented_name_is_another_customer(load_rows, run):  # noqa: ANN001
    load_rows(NAMES)
    document = ok_json(run("summary", "--month", "2025-03", "--customer", "cafe ole", "--json"))
    assert document == {"month": "2025-03", "currency": "USD", "sum_bill_total": "50.00", "count_invoices": 1}
    past_due = ok_json(run("past-due", "--as-of", "2025-05-01", "--limit", "200", "--json"))
    # Net 30: U1..U5 due 3/31..4/4; all stored under the name as first seen
    assert [(i["invoice_number"], i["customer_name"], i["due_date"]) for i in past_due["items"]] == [
        ("U1", "Café Olé", "2025-03-31"),
        ("U2", "Café Olé", "2025-04-01"),
        ("U3", "Café Olé", "2025-04-02"),
        ("U4", "Straße AG", "2025-04-03"),
        ("U5", "Cafe Ole", "2025-04-04"),
    ]


# -- contact -------------------------------------------------------------------------------

CONTACTS = [
    {"customer": "Harbor Lane Bakery", "number": "H1", "date": "1/5/25", "total": "1",
     "contact": "Dana Whitfield", "email": "dana@hlb.example", "phone": "555-1"},
    {"customer": "Harbor Lane Bakery", "number": "H2", "date": "3/10/25", "total": "1",
     "contact": "Dana  Whitfield", "email": "dana@hlb.example", "phone": "555-1"},
    {"customer": "Harbor Lane Bakery", "number": "H3", "date": "2/1/25", "total": "1",
     "contact": "Lee Park", "email": "lee@hlb.example"},
    {"customer": "Harbor Lane Bakery", "number": "H4", "date": "2/15/25", "total": "1",
     "email": "ap@hlb.example"},
    {"customer": "Harbor Lane Bakery", "number": "H5", "date": "2/20/25", "total": "1",
     "contact": "Bo Chen", "phone": "555-2"},
    {"customer": "Harbor Lane Bakery", "number": "H6", "date": "2/20/25", "total": "1",
     "contact": "Al Diaz", "phone": "555-3"},
    {"customer": "Harbor Lane Bakery", "number": "H7", "date": "3/11/25", "total": "1"},  # no contact
    {"customer": "Other Co", "number": "O1", "date": "4/1/25", "total": "1",
     "contact": "Dana Whitfield", "email": "dana@hlb.example", "phone": "555-1"},
]  # fmt: skip


def _contact(name, email, phone, seen):  # noqa: ANN001, ANN202
    return {"contact_name": name, "contact_email": email, "contact_phone": phone, "last_seen_invoice_date": seen}


# Most recently seen first; the 2025-02-20 tie by name. Dana's last invoice is H2 (3/10),
# her row on Other Co's invoice does not count for Harbor Lane Bakery.
HLB_CONTACTS = [
    _contact("Dana Whitfield", "dana@hlb.example", "555-1", "2025-03-10"),
    _contact("Al Diaz", None, "555-3", "2025-02-20"),
    _contact("Bo Chen", None, "555-2", "2025-02-20"),
    _contact(None, "ap@hlb.example", None, "2025-02-15"),
    _contact("Lee Park", "lee@hlb.example", None, "2025-02-01"),
]


def test_contact_list_order_nulls_and_total(load_rows, run):  # noqa: ANN001
    load_rows(CONTACTS)
    document = ok_json(run("contact", "harbor lane bakery", "--json"))
    assert document == {"customer_name": "Harbor Lane Bakery", "contacts": HLB_CONTACTS, "total": 5}


@pytest.mark.parametrize(
    ("limit", "offset"),
    [
        ("2", "0"),
        ("2", "2"),
        ("2", "4"),
        ("3", "3"),
        ("1", "4"),
        ("10", "5"),
        ("200", "50"),
        ("200", "0"),
        ("10", str(2**63 - 1)),
    ],
)
def test_contact_pages(load_rows, run, limit, offset):  # noqa: ANN001
    load_rows(CONTACTS)
    document = ok_json(run("contact", "Harbor Lane Bakery", "--limit", limit, "--offset", offset, "--json"))
    start = int(offset)
    assert document == {
        "customer_name": "Harbor Lane Bakery",
        "contacts": HLB_CONTACTS[start : start + int(limit)],
        "total": 5,
    }


def test_contact_default_limit_is_10(load_rows, run):  # noqa: ANN001
    # 12 contacts C01..C12, contact Cnn last seen on 2025-01-nn
    rows = [
        {"customer": "Big", "number": f"B{n}", "date": f"1/{n}/25", "total": "1", "contact": f"C{n:02d}"}
        for n in range(1, 13)
    ]
    load_rows(rows)
    expected = [_contact(f"C{n:02d}", None, None, f"2025-01-{n:02d}") for n in range(12, 0, -1)]
    assert ok_json(run("contact", "big", "--json")) == {"customer_name": "Big", "contacts": expected[:10], "total": 12}
    assert ok_json(run("contact", "big", "--offset", "10", "--json")) == {
        "customer_name": "Big",
        "contacts": expected[10:],
        "total": 12,
    }


def test_contact_last_seen_moves_with_a_later_export(load_rows, run):  # noqa: ANN001
    load_rows(CONTACTS)
    load_rows(
        [
            {
                "customer": "HARBOR LANE BAKERY",
                "number": "H8",
                "date": "4/2/25",
                "total": "1",
                "contact": "Lee Park",
                "email": "lee@hlb.example",
            },
            # an older invoice seen again does not move a contact back in time
            {
                "customer": "Harbor Lane Bakery",
                "number": "H9",
                "date": "1/1/25",
                "total": "1",
                "contact": "Dana Whitfield",
                "email": "dana@hlb.example",
                "phone": "555-1",
            },
        ],  # fmt: skip
        name="later.csv",
    )
    document = ok_json(run("contact", "Harbor Lane Bakery", "--json"))
    assert document == {
        "customer_name": "Harbor Lane Bakery",
        "contacts": [_contact("Lee Park", "lee@hlb.example", None, "2025-04-02"), *HLB_CONTACTS[:4]],
        "total": 5,
    }


# -- tables (no --json) ------------------------------------------------------------------


def _plain(result) -> list[str]:  # noqa: ANN001
    """The stdout lines of a successful table run, checked for terminal decoration."""
    assert result.exit_code == 0, result
    for stream in (result.stdout, result.stderr):
        assert not ANSI.search(stream), stream
        assert not BOX.search(stream), stream
    return [line.rstrip() for line in result.stdout.splitlines()]


def _cells(line: str) -> list[str]:
    return re.split(r"\s{2,}", line.strip())


def test_past_due_table_piped(example, run):  # noqa: ANN001
    lines = _plain(run("past-due", "--as-of", "2025-05-09"))
    assert [_cells(line) for line in lines] == [
        ["Invoice", "Customer", "Invoice date", "Due date", "Days", "Bill total", "Applied", "Outstanding",
         "Cur", "Status"],
        ["DF2031977", "Harbor Lane Bakery", "2025-03-21", "2025-04-20", "19", "1,190.50", "412.25", "778.25",
         "USD", "Pending"],
        ["DF2032015", "Northwind Outfitters", "2025-03-24", "2025-05-08", "1", "6,400.00", "0.00", "6,400.00",
         "CAD", "Pending"],
    ]  # fmt: skip


def test_past_due_table_footer_and_next_page(load_rows, run):  # noqa: ANN001
    load_rows(TIES)
    result = run("past-due", "--as-of", TIES_AS_OF, "--limit", "2", "--offset", "2")
    lines = _plain(result)
    assert [_cells(line)[0] for line in lines] == ["Invoice", "A2", "B2"]
    # outstanding: 400 + 600 + 500 + 300 + 100 + 200 = 2,100.00 over 6 invoices
    assert result.stderr.splitlines() == [
        "Past due as of 2025-02-01",
        "Rows 3–4 of 6 · outstanding USD 2,100.00 (6)",
        "Next page: domeo past-due --as-of 2025-02-01 --limit 2 --offset 4",
        "Balances are those of the last load; invoices dated after 2025-02-01 are left out.",
    ]
    past_end = run("past-due", "--as-of", TIES_AS_OF, "--offset", "9")
    assert _plain(past_end) == []
    assert "No rows at offset 9; 6 past-due invoices in all" in past_end.stderr


def test_past_due_table_footer_totals_every_currency_exactly(load_rows, run, db_path):  # noqa: ANN001
    rows = [
        # past due as of 2025-03-01, in three currencies (exact cents)
        {"customer": "Foot", "number": "F1", "date": "1/2/25", "total": "0.10", "applied": "0.09", "due": "1/3/25"},
        {"customer": "Foot", "number": "F2", "date": "1/2/25", "total": "9999999999.99", "due": "2/28/25"},
        {"customer": "Foot", "number": "F3", "date": "1/2/25", "total": "0.20", "due": "2/1/25",
         "currency": "cad"},
        {"customer": "Foot", "number": "F4", "date": "1/2/25", "total": "5.00", "applied": "1.25", "due": "1/9/25",
         "currency": "EUR", "status": "Closed"},
        # not past due: paid, overpaid, due on or after the date, or a currency with nothing past due
        {"customer": "Foot", "number": "F5", "date": "1/2/25", "total": "7.00", "applied": "7.00", "due": "1/3/25"},
        {"customer": "Foot", "number": "F6", "date": "1/2/25", "total": "7.00", "applied": "9.00", "due": "1/3/25",
         "currency": "CAD"},
        {"customer": "Foot", "number": "F7", "date": "1/2/25", "total": "3.00", "due": "3/1/25"},
        {"customer": "Foot", "number": "F8", "date": "1/2/25", "total": "3.00", "due": "4/1/25", "currency": "AUD"},
    ]  # fmt: skip
    load_rows(rows)
    result = run("past-due", "--as-of", "2025-03-01")
    assert _plain(result)[0].startswith("Invoice")
    assert result.stderr.splitlines()[1] == (
        "Rows 1–4 of 4 · outstanding CAD 0.20 (1) · EUR 3.75 (1) · USD 10,000,000,000.00 (2)"
    )
    # the index-only totals agree with a plain GROUP BY over the table, on every date
    from contextlib import closing

    from domeo_cli.store.sqlite.queries import past_due as queries

    with closing(by_hand(db_path)) as db:
        for day in ("2025-01-01", "2025-01-04", "2025-02-02", "2025-03-01", "2025-03-02", "2025-12-31"):
            naive = db.execute(
                "SELECT currency, sum(outstanding_cents), count(*) FROM invoices NOT INDEXED "
                "WHERE outstanding_cents > 0 AND due_date < ? GROUP BY currency ORDER BY currency",
                (day,),
            ).fetchall()
            assert queries.past_due_totals(db, date.fromisoformat(day)) == naive, day


def test_summary_table_piped(load_rows, run):  # noqa: ANN001
    load_rows(MIXED)
    lines = _plain(run("summary", "--month", "2024-12"))
    assert [_cells(line) for line in lines] == [
        ["Currency", "Invoices", "Billed"],
        ["CAD", "1", "5.50"],
        ["EUR", "1", "7.00"],
        ["USD", "3", "10,000,000,000.29"],
    ]
    empty = _plain(run("summary", "--month", "2023-06", "--currency", "cad"))
    assert [_cells(line) for line in empty] == [["Currency", "Invoices", "Billed"], ["CAD", "0", "0.00"]]


def test_contact_table_piped(load_rows, run):  # noqa: ANN001
    load_rows(CONTACTS)
    lines = _plain(run("contact", "harbor lane bakery", "--limit", "4"))
    assert [_cells(line) for line in lines] == [
        ["Name", "Email", "Phone", "Last seen"],
        ["Dana Whitfield", "dana@hlb.example", "555-1", "2025-03-10"],
        ["Al Diaz", "—", "555-3", "2025-02-20"],
        ["Bo Chen", "—", "555-2", "2025-02-20"],
        ["—", "ap@hlb.example", "—", "2025-02-15"],
    ]
    result = run("contact", "Harbor Lane Bakery", "--limit", "4")
    assert "Contacts 1–4 of 5" in result.stderr


def test_contact_table_without_contacts(example, run):  # noqa: ANN001
    result = run("contact", "quiet creek dental")
    assert _plain(result) == []
    assert result.stderr.splitlines() == [
        "Contacts of Quiet Creek Dental",
        "No contact details on record for this customer.",
    ]


MARKUP = [
    {"customer": "[bold]Evil[/bold]", "number": "[b]1", "date": "1/1/25", "total": "1", "due": "1/2/25",
     "contact": "[red]x", "email": "[link=http://x]y[/link]", "phone": ":smile:"},
]  # fmt: skip


def test_markup_in_user_text_prints_literally(load_rows, run):  # noqa: ANN001
    load_rows(MARKUP)
    past_due = _plain(run("past-due", "--as-of", "2025-01-03"))
    assert _cells(past_due[1])[:2] == ["[b]1", "[bold]Evil[/bold]"]
    contact = run("contact", "[BOLD]evil[/BOLD]")
    assert [_cells(line) for line in _plain(contact)][1] == [
        "[red]x",
        "[link=http://x]y[/link]",
        ":smile:",
        "2025-01-01",
    ]
    assert "Contacts of [bold]Evil[/bold]" in contact.stderr
    summary = run("summary", "--month", "2025-01", "--customer", "[bold]evil[/bold]")
    assert "Billed to [bold]Evil[/bold] in 2025-01" in summary.stderr
    assert [_cells(line) for line in _plain(summary)][1] == ["USD", "1", "1.00"]


class _Tty:
    """A text stream that says it is a terminal, writing to the real one underneath."""

    def __init__(self, stream) -> None:  # noqa: ANN001
        self._stream = stream

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._stream, name)


@pytest.fixture
def terminal(monkeypatch):  # noqa: ANN001, ANN201
    """Make the report tables believe stdout is a colour terminal 120 columns wide."""
    real = tables.console
    monkeypatch.setattr(tables, "console", lambda stream=None: real(_Tty(stream or sys.stdout)))
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "120")
    for name in ("COLORTERM", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def _sgr_colours(text: str) -> list[str]:
    """The SGR parameters of ``text`` that set a colour (foreground or background)."""
    found = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        codes = [int(p) for p in params.split(";") if p]
        if any(30 <= c <= 49 or 90 <= c <= 107 for c in codes):
            found.append(params)
    return found


def test_terminal_gets_colour_and_boxes(example, run, terminal):  # noqa: ANN001
    result = run("past-due", "--as-of", "2025-05-09")
    assert result.exit_code == 0, result
    assert _sgr_colours(result.stdout)
    assert BOX.search(result.stdout)
    assert "Past due as of 2025-05-09" in result.stdout
    assert "DF2031977" in result.stdout and "6,400.00" in result.stdout


def test_no_color_on_a_terminal(example, run, terminal, monkeypatch):  # noqa: ANN001
    monkeypatch.setenv("NO_COLOR", "1")
    for args in (
        ["past-due", "--as-of", "2025-07-09"],
        ["summary", "--month", "2025-03"],
        ["contact", "harbor lane bakery"],
    ):
        result = run(*args)
        assert result.exit_code == 0, result
        assert _sgr_colours(result.stdout) == [], args
        assert BOX.search(result.stdout), args  # boxes still: only colour is turned off


def test_markup_literal_on_a_terminal(load_rows, run, terminal):  # noqa: ANN001
    load_rows(MARKUP)
    past_due = run("past-due", "--as-of", "2025-01-03")
    assert "[bold]Evil[/bold]" in past_due.stdout
    contact = run("contact", "[bold]evil[/bold]")
    assert "Contacts of [bold]Evil[/bold]" in contact.stdout
    assert "[red]x" in contact.stdout and ":smile:" in contact.stdout
    summary = run("summary", "--month", "2025-01", "--customer", "[bold]evil[/bold]")
    # (the title may wrap to the table's width on a terminal)
    assert "Billed to [bold]Evil[/bold] in" in summary.stdout


# Control characters in an export must never reach the terminal or a pipe: ESC starts
# colour, clear-screen and retitle sequences, U+009B is a one-byte CSI, U+202E reverses
# the rest of the line. Tables drop them; JSON keeps them (escaped where JSON must).
CONTROL = [
    {
        "customer": "Evil\x1b[31mRed\x1b[0m Co",
        "number": "X\x1b[2J1",
        "date": "1/1/25",
        "total": "5",
        "due": "1/31/25",
        "contact": "Bob\x07\x1b]0;title\x07",
        "email": "a\x9bb@x.example",
        "phone": "\u202e555",
    }
]
RAW_CONTROLS = ("\x1b[2J", "\x1b]", "\x1b[31mRed", "\x07", "\x9b", "\u202e")


def _load_control(load_rows, db_path) -> None:  # noqa: ANN001
    """CONTROL loaded; its invoice number (which a load now rejects) written as a database from before holds it."""
    load_rows([{**CONTROL[0], "number": "X1"}])
    with by_hand(db_path) as db:
        db.execute("UPDATE invoices SET invoice_number = ? WHERE invoice_number = 'X1'", (CONTROL[0]["number"],))
    db.close()


def _no_raw_controls(result) -> None:  # noqa: ANN001
    assert result.exit_code == 0, result
    for stream in (result.stdout, result.stderr):
        for raw in RAW_CONTROLS:
            assert raw not in stream, (raw, stream)


def test_control_characters_in_data_are_dropped_from_tables(load_rows, run, db_path):  # noqa: ANN001
    _load_control(load_rows, db_path)
    past_due = run("past-due", "--as-of", "2025-02-01")
    _no_raw_controls(past_due)
    assert _cells(past_due.stdout.splitlines()[1])[:2] == ["X[2J1", "Evil[31mRed[0m Co"]
    contact = run("contact", "evil\x1b[31mred\x1b[0m co")
    _no_raw_controls(contact)
    assert _cells(contact.stdout.splitlines()[1]) == ["Bob]0;title", "ab@x.example", "555", "2025-01-01"]
    assert "Contacts of Evil[31mRed[0m Co" in contact.stderr
    summary = run("summary", "--month", "2025-01", "--customer", "Evil\x1b[31mRed\x1b[0m Co")
    _no_raw_controls(summary)
    assert "Billed to Evil[31mRed[0m Co in 2025-01" in summary.stderr


def test_control_characters_in_data_on_a_terminal(load_rows, run, terminal, db_path):  # noqa: ANN001
    _load_control(load_rows, db_path)
    for args in (["past-due", "--as-of", "2025-02-01"], ["contact", "EVIL\x1b[31mRED\x1b[0m CO"]):
        result = run(*args)
        _no_raw_controls(result)
        assert "Evil[31mRed[0m Co" in result.stdout
        assert _sgr_colours(result.stdout) or args[0] == "contact"  # Rich's own styling still works


def test_control_characters_are_escaped_in_json(load_rows, run, db_path):  # noqa: ANN001
    _load_control(load_rows, db_path)
    result = run("contact", "Evil\x1b[31mRed\x1b[0m Co", "--json")
    assert result.exit_code == 0, result
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout and "\x07" not in result.stdout
    assert "\\u009b" in result.stdout and "\\u001b" in result.stdout and "\\u0007" in result.stdout
    assert result.json == {
        "customer_name": "Evil\x1b[31mRed\x1b[0m Co",
        "contacts": [_contact("Bob\x07\x1b]0;title\x07", "a\x9bb@x.example", "\u202e555", "2025-01-01")],
        "total": 1,
    }

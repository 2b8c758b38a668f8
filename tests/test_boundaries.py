"""Every date rule at its boundary, in every report that applies it, as whole documents.

One customer's open invoices sit on each edge as of D = 2025-06-30 (a month end):
due the day after D, on D, the day before, and 30/31, 60/61, 90/91 days before;
one issued on D and one issued the day after (both due before D). So:

- due on the as-of date is not past due (current); 1 day past due is the first bucket;
- the bucket edges 30/31, 60/61, 90/91 (aging and the statement share one rule);
- an invoice issued on the as-of date counts, issued the day after does not;
- the 1st of the month after ``--to`` is outside a summary range and a trend.

The amounts are powers of two, so every sum says which invoices it holds.
"""

from __future__ import annotations

import pytest
from helpers import csv_text

D = "2025-06-30"
NEXT = "2025-07-01"

# number, invoice date, due date, amount
EDGES = [
    ("K-1", "2025-06-01", "2025-07-01", "1.00"),
    ("K0", "2025-05-31", "2025-06-30", "2.00"),
    ("K1", "2025-05-30", "2025-06-29", "4.00"),
    ("K30", "2025-05-01", "2025-05-31", "8.00"),
    ("K31", "2025-04-30", "2025-05-30", "16.00"),
    ("K60", "2025-04-01", "2025-05-01", "32.00"),
    ("K61", "2025-03-31", "2025-04-30", "64.00"),
    ("K90", "2025-03-02", "2025-04-01", "128.00"),
    ("K91", "2025-03-01", "2025-03-31", "256.00"),
    ("ON", "2025-06-30", "2025-06-25", "512.00"),  # issued on D
    ("AFTER", "2025-07-01", "2025-06-25", "1024.00"),  # issued the day after D
]
HEADER = ["CustomerName", "InvoiceNumber", "InvoiceDate", "BillTotal", "Applied", "Status", "Currency",
          "CustomerTerms", "DueDate"]  # fmt: skip
BUCKETS = ["current", "1-30", "31-60", "61-90", "91+"]


def edge_csv(paid: tuple[str, ...] = ()) -> str:
    """The export: every invoice open, but those ``paid`` (applied in full, Closed)."""
    return csv_text(
        *(
            ["Edge Co", number, day, amount, amount if number in paid else "0",
             "Closed" if number in paid else "Pending", "USD", "Net 30", due]
            for number, day, due, amount in EDGES
        ),
        header=HEADER,
    )  # fmt: skip


@pytest.fixture
def edges(run, write_csv) -> None:  # noqa: ANN001
    """The export loaded as of D."""
    result = run("ingest", str(write_csv(edge_csv(), "edges.csv")), "--as-of", D)
    assert result.exit_code == 0, result


def amounts(current: str, b30: str, b60: str, b90: str, b91: str, total: str, invoices: int) -> dict:
    return dict(zip([*BUCKETS, "total", "invoices"], [current, b30, b60, b90, b91, total, invoices], strict=True))


# As of D: K-1 and K0 are current; K1, K30 and ON (5 days) 1-30; K31, K60 31-60; K61, K90 61-90; K91 91+.
AS_OF_D = amounts("3.00", "524.00", "48.00", "192.00", "256.00", "1023.00", 10)
# As of the day after, every age one more, and AFTER (issued that day) counts: 6 days past due.
AS_OF_NEXT = amounts("1.00", "1542.00", "24.00", "96.00", "384.00", "2047.00", 11)


def item(number: str, days: int) -> dict:
    _, day, due, amount = next(e for e in EDGES if e[0] == number)
    return {
        "invoice_number": number, "customer_name": "Edge Co", "invoice_date": day, "due_date": due,
        "bill_total": amount, "applied": "0.00", "outstanding": amount, "currency": "USD", "status": "Pending",
        "days_past_due": days,
    }  # fmt: skip


@pytest.mark.parametrize("sort", ["due_date.asc", "due_date.desc"])
def test_past_due_at_the_as_of_date(run, edges, sort: str) -> None:  # noqa: ANN001
    """Due on D is not past due; due the day before is, 1 day; AFTER is not issued yet as of D."""
    expected = [item(n, d) for n, d in [("K91", 91), ("K90", 90), ("K61", 61), ("K60", 60), ("K31", 31),
                                        ("K30", 30), ("ON", 5), ("K1", 1)]]  # fmt: skip
    if sort == "due_date.desc":
        expected.reverse()
    result = run("past-due", "--as-of", D, "--sort", sort, "--json")
    assert result.json == {"items": expected, "total": 8, "limit": 50, "offset": 0}
    later = [item(n, d) for n, d in [("K91", 92), ("K90", 91), ("K61", 62), ("K60", 61), ("K31", 32),
                                     ("K30", 31), ("AFTER", 6), ("ON", 6), ("K1", 2), ("K0", 1)]]  # fmt: skip
    if sort == "due_date.desc":
        later.reverse()
        later[2:4] = later[3], later[2]  # the same due date: by invoice number either way
    result = run("past-due", "--as-of", NEXT, "--sort", sort, "--json")
    assert result.json == {"items": later, "total": 10, "limit": 50, "offset": 0}
    every = run("past-due", "--as-of", D, "--sort", sort, "--all", "--format", "json")
    assert every.json == {"items": expected, "total": 8, "limit": 8, "offset": 0}


@pytest.mark.parametrize(
    "options",
    [[], ["--by", "currency"], ["--limit", "1"], ["--min-total", "1"], ["--by", "parent", "--tree"]],
    ids=["scan", "by currency", "page", "min-total", "tree"],
)
@pytest.mark.parametrize(("as_of", "expected"), [(D, AS_OF_D), (NEXT, AS_OF_NEXT)], ids=["D", "D+1"])
def test_aging_buckets_at_their_edges(run, edges, options: list[str], as_of: str, expected: dict) -> None:  # noqa: ANN001
    """Each way aging sums (one pass, per-day totals, the kept amounts, the tree) puts each edge alike."""
    result = run("aging", "--as-of", as_of, *options, "--json")
    assert result.exit_code == 0, result
    document = result.json
    by_currency = "currency" in options
    group = {"name": "USD" if by_currency else "Edge Co", "currency": "USD", **expected}
    assert document["totals"] == [{"currency": "USD", **expected}]
    assert document["groups"] == [group]


def test_the_statement_balance_by_age_is_the_aging_report(run, edges) -> None:  # noqa: ANN001
    for as_of, expected in ((D, AS_OF_D), (NEXT, AS_OF_NEXT)):
        statement = run("statement", "Edge Co", "--as-of", as_of, "--json").json
        assert statement["accounts"][0]["aging"] == [{"currency": "USD", **expected}]
        assert statement["totals"] == [{"currency": "USD", **expected}]
        aging = run("aging", "--as-of", as_of, "--customer", "Edge Co", "--json").json
        assert aging["totals"] == statement["totals"]


def test_the_statement_puts_each_invoice_in_its_bucket(run, edges) -> None:  # noqa: ANN001
    def line(number: str, days: int, bucket: str) -> dict:
        _, day, due, amount = next(e for e in EDGES if e[0] == number)
        return {
            "invoice_number": number, "invoice_date": day, "due_date": due, "po_number": None, "bill_total": amount,
            "applied": "0.00", "outstanding": amount, "currency": "USD", "days_past_due": days, "bucket": bucket,
        }  # fmt: skip

    lines = [
        line("K91", 91, "91+"), line("K90", 90, "61-90"), line("K61", 61, "61-90"), line("K60", 60, "31-60"),
        line("K31", 31, "31-60"), line("K30", 30, "1-30"), line("ON", 5, "1-30"), line("K1", 1, "1-30"),
        line("K0", 0, "current"), line("K-1", 0, "current"),
    ]  # fmt: skip
    assert run("statement", "Edge Co", "--as-of", D, "--json").json == {
        "as_of": D,
        "customer_name": "Edge Co",
        "customer_number": None,
        "contact": None,
        "buckets": BUCKETS,
        "accounts": [
            {
                "customer_name": "Edge Co",
                "customer_number": None,
                "parent_number": None,
                "contact": None,
                "invoices": lines,
                "aging": [{"currency": "USD", **AS_OF_D}],
            }
        ],
        "totals": [{"currency": "USD", **AS_OF_D}],
    }
    later = run("statement", "Edge Co", "--as-of", NEXT, "--json").json["accounts"][0]["invoices"]
    assert [(i["invoice_number"], i["days_past_due"], i["bucket"]) for i in later] == [
        ("K91", 92, "91+"), ("K90", 91, "91+"), ("K61", 62, "61-90"), ("K60", 61, "61-90"), ("K31", 32, "31-60"),
        ("K30", 31, "31-60"), ("AFTER", 6, "1-30"), ("ON", 6, "1-30"), ("K1", 2, "1-30"), ("K0", 1, "1-30"),
        ("K-1", 0, "current"),
    ]  # fmt: skip


def test_customers_past_due_and_issued_at_the_as_of_date(run, edges) -> None:  # noqa: ANN001
    def page(as_of: str, invoices: int, last: str, open_ar: str, past_due: str, oldest: int) -> dict:
        line = {
            "name": "Edge Co", "customer_number": None, "parent_number": None, "parent_name": None,
            "invoices": invoices, "last_invoice_date": last,
            "balances": [{"currency": "USD", "open_ar": open_ar, "past_due": past_due}],
            "oldest_days_past_due": oldest, "contact": None,
        }  # fmt: skip
        return {"as_of": as_of, "customers": [line], "total": 1, "limit": 50, "offset": 0}

    assert run("customers", "--as-of", D, "--json").json == page(D, 10, D, "1023.00", "1020.00", 91)
    assert run("customers", "--as-of", NEXT, "--json").json == page(NEXT, 11, NEXT, "2047.00", "2046.00", 92)


@pytest.mark.parametrize(
    ("number", "as_of", "past_due", "days"),
    [("K0", D, False, 0), ("K1", D, True, 1), ("K0", NEXT, True, 1), ("K-1", NEXT, False, 0),
     ("ON", D, True, 5), ("AFTER", D, False, 0), ("AFTER", NEXT, True, 6)],
)  # fmt: skip
def test_one_invoice_at_the_as_of_date(run, edges, number: str, as_of: str, past_due: bool, days: int) -> None:  # noqa: ANN001
    document = run("invoice", number, "--as-of", as_of, "--json").json
    assert (document["as_of"], document["past_due"], document["days_past_due"]) == (as_of, past_due, days)


@pytest.mark.parametrize("customer", [[], ["--customer", "Edge Co"]], ids=["every customer", "one customer"])
def test_a_summary_range_ends_with_the_last_day_of_to(run, edges, customer: list[str]) -> None:  # noqa: ANN001
    """June holds its 1st and 30th; May its 1st and 31st; the 1st of July is the month after --to."""

    def month(m: str, cents: str, n: int) -> dict:
        return {"month": m, "currency": "USD", "sum_bill_total": cents, "count_invoices": n}

    june = run("summary", "--month", "2025-06", *customer, "--json")
    assert june.json == month("2025-06", "513.00", 2)
    series = run("summary", "--from", "2025-05", "--to", "2025-06", *customer, "--json")
    assert series.json == {
        "from": "2025-05",
        "to": "2025-06",
        "months": [month("2025-05", "14.00", 3), month("2025-06", "513.00", 2)],
        "by_currency": [{"currency": "USD", "sum_bill_total": "527.00", "count_invoices": 5}],
    }
    july = run("summary", "--from", "2025-07", "--to", "2025-07", *customer, "--json")
    assert july.json["months"] == [month("2025-07", "1024.00", 1)]


def test_trend_points_end_with_their_day(run, write_csv, edges) -> None:  # noqa: ANN001
    """A month end counts invoices issued by it and the last load on or before it, never the 1st after."""
    # The next day's load: K91 paid. The June point must not see it; July's must.
    paid = run("ingest", str(write_csv(edge_csv(paid=("K91",)), "next.csv")), "--as-of", NEXT)
    assert paid.exit_code == 0, paid

    def point(day: str, load: int, open_ar: str, past_due: str, billed: str, days: int, dso: float) -> dict:
        return {"date": day, "load": load, "currency": "USD", "open_ar": open_ar, "past_due": past_due,
                "billed_3m": billed, "days_3m": days, "dso": dso}  # fmt: skip

    june = point(D, 1, "1023.00", "1020.00", "575.00", 91, 161.9)  # K61 (March 31st) billed before the 3 months
    july = point("2025-07-31", 2, "1791.00", "1791.00", "1551.00", 92, 106.2)
    assert run("trend", "--from", "2025-06", "--to", "2025-06", "--json").json == {
        "from": "2025-06-01", "to": D, "every": "month", "points": [june]
    }  # fmt: skip
    assert run("trend", "--from", "2025-06", "--to", "2025-07", "--json").json["points"] == [june, july]
    by_load = run("trend", "--from", "2025-06", "--to", "2025-06", "--every", "load", "--json").json
    assert by_load == {
        "from": "2025-06-01",
        "to": D,
        "every": "load",
        "points": [{"date": D, "load": 1, "currency": "USD", "open_ar": "1023.00", "past_due": "1020.00"}],
    }
    both = run("trend", "--from", D, "--to", NEXT, "--every", "load", "--json").json["points"]
    assert [(p["date"], p["load"], p["open_ar"], p["past_due"]) for p in both] == [
        (D, 1, "1023.00", "1020.00"),
        (NEXT, 2, "1791.00", "1790.00"),  # as of the 1st: AFTER issued, K91 paid; K-1 due that day is not past due
    ]


def test_a_summary_range_leaves_out_every_currency_of_the_month_after(run, write_csv, edges) -> None:  # noqa: ANN001
    """A CAD invoice dated the 1st after --to: no CAD in the range, not even as a column of zeros."""
    more = csv_text(["Edge Co", "CAD1", NEXT, "77.00", "0", "Pending", "CAD", "Net 30", "2025-07-31"], header=HEADER)
    assert run("ingest", str(write_csv(more, "cad.csv")), "--as-of", D).exit_code == 0
    for customer in ([], ["--customer", "Edge Co"]):
        series = run("summary", "--from", "2025-06", "--to", "2025-06", *customer, "--json").json
        assert series["by_currency"] == [{"currency": "USD", "sum_bill_total": "513.00", "count_invoices": 2}]
        july = run("summary", "--from", "2025-07", "--to", "2025-07", *customer, "--json").json
        assert july["by_currency"] == [
            {"currency": "CAD", "sum_bill_total": "77.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "1024.00", "count_invoices": 1},
        ]


@pytest.mark.parametrize("sort", ["open", "past_due"])
def test_customers_ranked_by_amounts_count_an_invoice_issued_on_the_as_of_date(run, write_csv, edges, sort) -> None:  # noqa: ANN001
    """Edge Co's 512.00 issued on D ranks it above Rank Co's 600.00; issued the day after, it would not."""
    more = csv_text(["Rank Co", "R1", "2025-06-20", "600.00", "0", "Pending", "USD", "Net 30", "2025-06-25"],
                    header=HEADER)  # fmt: skip
    assert run("ingest", str(write_csv(more, "rank.csv")), "--as-of", D).exit_code == 0
    page = run("customers", "--as-of", D, "--sort", sort, "--json").json
    assert [(c["name"], c["balances"][0]["open_ar" if sort == "open" else "past_due"]) for c in page["customers"]] == [
        ("Edge Co", "1023.00" if sort == "open" else "1020.00"),
        ("Rank Co", "600.00"),
    ]

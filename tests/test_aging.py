"""`domeo aging`: buckets, groupings, hierarchy roll-ups and currencies, against a plain model."""

from __future__ import annotations

import io
import sqlite3
from datetime import date, timedelta

import pytest
from helpers import by_hand, csv_of, examples, memory_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli import shapes
from domeo_cli.names import name_key
from domeo_cli.options import bucket_names
from domeo_cli.store.sqlite import derived
from domeo_cli.store.sqlite.derived import refresh_customer_tree as refresh
from domeo_cli.store.sqlite.queries.aging import aging

AS_OF = date(2025, 5, 1)


@pytest.fixture
def load(write_csv, run):  # noqa: ANN001, ANN201
    def _load(rows: list[dict[str, str]], name: str = "rows.csv") -> None:
        result = run("ingest", str(write_csv(csv_of(rows), name)), "--json")
        assert result.exit_code == 0, result
        assert result.json["rejected"] == 0, result

    return _load


def _invoice(customer: str, number: str, due: date, amount: str, **extra: str) -> dict[str, str]:
    return {
        "CustomerName": customer,
        "InvoiceNumber": number,
        "InvoiceDate": (due - timedelta(days=30)).isoformat(),
        "DueDate": due.isoformat(),
        "BillTotal": amount,
        **extra,
    }


# -- the issue's example and the shape ---------------------------------------------------


def test_the_issue_example(example, run):  # noqa: ANN001
    result = run("aging", "--as-of", "2025-05-01", "--currency", "USD", "--json")
    assert result.exit_code == 0, result
    assert result.json == {
        "as_of": "2025-05-01",
        "age_by": "due",
        "by": "customer",
        "buckets": ["current", "1-30", "31-60", "61-90", "91+"],
        "groups": [
            {
                "name": "Harbor Lane Bakery",
                "currency": "USD",
                "current": "0.00",
                "1-30": "778.25",
                "31-60": "0.00",
                "61-90": "0.00",
                "91+": "0.00",
                "total": "778.25",
                "invoices": 1,
            }
        ],
        "totals": [
            {
                "currency": "USD",
                "current": "0.00",
                "1-30": "778.25",
                "31-60": "0.00",
                "61-90": "0.00",
                "91+": "0.00",
                "total": "778.25",
                "invoices": 1,
            }
        ],
    }


def test_one_total_per_currency_never_a_sum_across(example, run):  # noqa: ANN001
    doc = run("aging", "--as-of", "2025-05-01", "--json").json
    assert [(g["name"], g["currency"], g["total"]) for g in doc["groups"]] == [
        ("Northwind Outfitters", "CAD", "6400.00"),
        ("Harbor Lane Bakery", "USD", "778.25"),
    ]
    assert [(t["currency"], t["current"], t["1-30"], t["total"]) for t in doc["totals"]] == [
        ("CAD", "6400.00", "0.00", "6400.00"),
        ("USD", "0.00", "778.25", "778.25"),
    ]
    by_currency = run("aging", "--as-of", "2025-05-01", "--by", "currency", "--json").json
    assert [(g["name"], g["total"]) for g in by_currency["groups"]] == [("CAD", "6400.00"), ("USD", "778.25")]
    assert by_currency["totals"] == doc["totals"]


# -- bucket edges ------------------------------------------------------------------------


def test_bucket_edges_exactly(load, run):  # noqa: ANN001
    ages = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 400]
    load([_invoice(f"Age {a}", f"A{i:02d}", AS_OF - timedelta(days=a), f"{a + 1000}") for i, a in enumerate(ages)])
    doc = run("aging", "--as-of", AS_OF.isoformat(), "--sort", "name", "--json").json
    where = {g["name"]: [b for b in doc["buckets"] if g[b] != "0.00"] for g in doc["groups"]}
    assert where == {
        "Age -5": ["current"],
        "Age 0": ["current"],  # due today is current
        "Age 1": ["1-30"],
        "Age 30": ["1-30"],
        "Age 31": ["31-60"],
        "Age 60": ["31-60"],
        "Age 61": ["61-90"],
        "Age 90": ["61-90"],
        "Age 91": ["91+"],
        "Age 400": ["91+"],
    }
    assert [g["name"] for g in doc["groups"]][:3] == ["Age -5", "Age 0", "Age 1"]  # by name (casefolded)
    custom = run("aging", "--as-of", AS_OF.isoformat(), "--buckets", "30,60,90,120", "--json").json
    assert custom["buckets"] == ["current", "1-30", "31-60", "61-90", "91-120", "121+"]
    assert custom["totals"][0]["91-120"] == "1091.00" and custom["totals"][0]["121+"] == "1400.00"
    one = run("aging", "--as-of", AS_OF.isoformat(), "--buckets", " 1 ", "--json").json
    assert one["buckets"] == ["current", "1-1", "2+"]
    assert one["totals"][0]["1-1"] == "1001.00"


def test_age_by_invoice_date(load, run):  # noqa: ANN001
    load(
        [
            {
                "CustomerName": "Dated",
                "InvoiceNumber": "D1",
                "InvoiceDate": "2025-04-01",
                "DueDate": "2025-06-01",
                "BillTotal": "10",
            },
            {
                "CustomerName": "Dated",
                "InvoiceNumber": "D2",
                "InvoiceDate": "2025-05-01",
                "DueDate": "2025-04-01",
                "BillTotal": "20",
            },
        ]
    )
    by_due = run("aging", "--as-of", "2025-05-01", "--json").json["totals"][0]
    by_invoice = run("aging", "--as-of", "2025-05-01", "--age-by", "invoice", "--json").json
    assert (by_due["current"], by_due["1-30"]) == ("10.00", "20.00")
    assert by_invoice["age_by"] == "invoice"
    assert (by_invoice["totals"][0]["current"], by_invoice["totals"][0]["1-30"]) == ("20.00", "10.00")


@pytest.mark.parametrize(
    "args",
    [
        ["--buckets", "30,30"],
        ["--buckets", "60,30"],
        ["--buckets", "0,30"],
        ["--buckets", "30,,60"],
        ["--buckets", "thirty"],
        ["--buckets", ""],
        ["--buckets", "-30"],
        ["--buckets", "99999"],
        ["--age-by", "payment"],
        ["--by", "region"],
        ["--sort", "size"],
        ["--limit", "0"],
        ["--min-total", "-5"],
        ["--min-total", "1.234"],
        ["--currency", "dollars"],
        ["--as-of", "2025-02-30"],
        ["--by", "currency", "--tree"],
    ],
)
def test_bad_options_are_exit_2_even_without_a_database(run, args):  # noqa: ANN001
    result = run("aging", *args, "--json")
    assert result.exit_code == 2, result
    assert result.error["code"] == "invalid_input"


def test_unknown_customer_is_exit_3_with_the_closest_names(example, run):  # noqa: ANN001
    result = run("aging", "--customer", "Harbour Lane Bakery", "--json")
    assert result.exit_code == 3
    assert "Harbor Lane Bakery" in result.error["message"]


def test_no_open_invoices_is_an_empty_report(load, run):  # noqa: ANN001
    load([_invoice("Paid Up", "P1", AS_OF, "50", Applied="50", Status="Closed")])
    doc = run("aging", "--as-of", AS_OF.isoformat(), "--json").json
    assert (doc["groups"], doc["totals"]) == ([], [])
    assert run("aging", "--by", "parent", "--tree", "--json").json["tree"] == []
    plain = run("aging", "--as-of", AS_OF.isoformat())
    assert plain.exit_code == 0 and plain.stdout == ""
    assert "No open invoices" in plain.stderr


# -- filters, sorting, limits ---------------------------------------------------------------


def test_min_total_limit_and_sorts(load, run):  # noqa: ANN001
    load(
        [
            _invoice("Big", "B1", AS_OF - timedelta(days=5), "900"),
            _invoice("Middle", "M1", AS_OF - timedelta(days=100), "500"),
            _invoice("small", "S1", AS_OF - timedelta(days=40), "100"),
            _invoice("Tiny", "T1", AS_OF + timedelta(days=3), "100"),
            _invoice("Maple", "C1", AS_OF - timedelta(days=1), "700", Currency="CAD"),
        ]
    )

    def names(*args: str) -> list[tuple[str, str]]:
        doc = run("aging", "--as-of", AS_OF.isoformat(), *args, "--json").json
        return [(g["currency"], g["name"]) for g in doc["groups"]]

    assert names() == [("CAD", "Maple"), ("USD", "Big"), ("USD", "Middle"), ("USD", "small"), ("USD", "Tiny")]
    assert names("--sort", "name") == [
        ("CAD", "Maple"),
        ("USD", "Big"),
        ("USD", "Middle"),
        ("USD", "small"),
        ("USD", "Tiny"),
    ]
    assert names("--sort", "oldest") == [
        ("CAD", "Maple"),
        ("USD", "Middle"),
        ("USD", "small"),
        ("USD", "Big"),
        ("USD", "Tiny"),
    ]
    assert names("--limit", "1") == [("CAD", "Maple"), ("USD", "Big")]
    assert names("--min-total", "500") == [("CAD", "Maple"), ("USD", "Big"), ("USD", "Middle")]
    assert names("--min-total", "$1,000") == []
    assert names("--customer", "SMALL") == [("USD", "small")]
    assert names("--currency", "cad") == [("CAD", "Maple")]
    limited = run("aging", "--as-of", AS_OF.isoformat(), "--limit", "1", "--json").json
    assert [t["total"] for t in limited["totals"]] == ["700.00", "1600.00"]  # totals: every open invoice


def test_plain_output_has_no_chart_and_the_left_out_groups_add_up(load, run):  # noqa: ANN001
    load([_invoice(f"C{i}", f"N{i}", AS_OF - timedelta(days=i * 20), f"{100 * (i + 1)}") for i in range(6)])
    result = run("aging", "--as-of", AS_OF.isoformat(), "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert "█" not in result.stdout and "\x1b" not in result.stdout
    assert lines[0].split() == ["Customer", "Cur", "Current", "1-30", "31-60", "61-90", "91+", "Total", "Invoices"]
    assert lines[1].split() == ["C5", "USD", "0.00", "0.00", "0.00", "0.00", "600.00", "600.00", "1"]
    assert lines[2].split() == ["C4", "USD", "0.00", "0.00", "0.00", "500.00", "0.00", "500.00", "1"]
    assert lines[3].split() == ["(4", "more)", "USD", "100.00", "200.00", "700.00", "0.00", "0.00", "1,000.00", "4"]
    total = ["Total", "USD", "USD", "100.00", "200.00", "700.00", "500.00", "600.00", "2,100.00", "6"]
    assert lines[-1].split() == total
    assert "4 more group(s) not listed" in result.stderr


# -- hierarchies ---------------------------------------------------------------------------


def test_by_parent_rolls_up_several_levels_and_the_tree_has_subtotals(load, run):  # noqa: ANN001
    due = AS_OF - timedelta(days=10)
    load(
        [
            _invoice("Holding", "H1", due, "1", **{"customer number": "1"}),
            _invoice("Region", "R1", due, "10", **{"customer number": "2", "parent customer": "1"}),
            _invoice("Store A", "A1", due, "100", **{"customer number": "3", "parent customer": "2"}),
            _invoice("Store B", "B1", due, "1000", **{"customer number": "4", "parent customer": "2"}),
            _invoice("Shop", "S1", due, "10000", **{"customer number": "5", "parent customer": "4"}),
            _invoice("Orphan", "O1", due, "7", **{"customer number": "6", "parent customer": "999"}),
            _invoice("Loop X", "X1", due, "20", **{"customer number": "7", "parent customer": "8"}),
            _invoice("Loop Y", "Y1", due, "30", **{"customer number": "8", "parent customer": "7"}),
            _invoice("Into Loop", "Z1", due, "40", **{"customer number": "9", "parent customer": "8"}),
        ]
    )
    doc = run("aging", "--as-of", AS_OF.isoformat(), "--by", "parent", "--json").json
    assert doc["by"] == "parent"
    assert [(g["name"], g["total"], g["invoices"]) for g in doc["groups"]] == [
        ("Holding", "11111.00", 5),
        ("Loop Y", "70.00", 2),
        ("Loop X", "20.00", 1),
        ("Orphan", "7.00", 1),
    ]
    tree = run("aging", "--as-of", AS_OF.isoformat(), "--tree", "--json").json
    assert tree["groups"] == doc["groups"]
    holding = tree["tree"][0]

    def shape(node: dict) -> tuple:
        own = node["own"]["total"] if node["own"] else None
        return (node["name"], node["total"], own, [shape(c) for c in node["children"]])

    assert shape(holding) == (
        "Holding",
        "11111.00",
        "1.00",
        [
            (
                "Region",
                "11110.00",
                "10.00",
                [
                    ("Store B", "11000.00", "1000.00", [("Shop", "10000.00", "10000.00", [])]),
                    ("Store A", "100.00", "100.00", []),
                ],
            )
        ],
    )
    assert [shape(n)[:2] for n in tree["tree"][1:]] == [("Loop Y", "70.00"), ("Loop X", "20.00"), ("Orphan", "7.00")]
    plain = run("aging", "--as-of", AS_OF.isoformat(), "--tree").stdout.splitlines()
    assert [line[:22].rstrip() for line in plain[1:9]] == [
        "Holding",
        "  (own invoices)",
        "  Region",
        "    (own invoices)",
        "    Store B",
        "      (own invoices)",
        "      Shop",
        "    Store A",
    ]


# -- against a plain model, on generated books ------------------------------------------------

CURRENCIES = ["USD", "CAD", "EUR"]
NAMES = ["alpha", "Bravo", "charlie", "Delta", "Écho", "foxtrot"]


def _fill(db: sqlite3.Connection, customers: list[tuple[str | None, str | None]], invoices: list[tuple]) -> None:
    db.executemany(
        "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (?, ?, ?, ?, ?)",
        [(i + 1, NAMES[i], name_key(NAMES[i]), number, parent) for i, (number, parent) in enumerate(customers)],
    )
    rows = []
    for n, (cust, cur, inv_day, due_days, bill, applied) in enumerate(invoices):
        invoice_date = date(2025, 1, 1) + timedelta(days=inv_day)
        rows.append(
            (
                f"INV{n:04d}",
                cust % len(customers) + 1,
                invoice_date.isoformat(),
                (invoice_date + timedelta(days=due_days)).isoformat(),
                bill,
                applied,
                max(bill - applied, 0),
                cur,
                "Pending" if bill > applied else "Closed",
            )
        )
    db.executemany(
        "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
        "bill_total_cents, applied_cents, outstanding_cents, currency, status) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        rows,
    )


def _tops(customers: list[tuple[str | None, str | None]]) -> dict[int, int]:
    """Top-level ancestor of each customer id, the naive way (see test_hierarchy for the rules)."""
    first: dict[str, int] = {}
    for i, (number, _) in enumerate(customers):
        if number and number not in first:
            first[number] = i + 1
    up = {i + 1: first.get(parent) if parent else None for i, (_, parent) in enumerate(customers)}
    tops = {}
    for cid in up:
        path = [cid]
        while up[path[-1]] is not None and up[path[-1]] not in path:
            path.append(up[path[-1]])  # type: ignore[arg-type]
        last = up[path[-1]]
        if last is None:
            tops[cid] = path[-1]
        else:  # the walk met the loop at `last`: the first loop member reached is the top
            loop_start = path.index(last)
            loop = path[loop_start:]
            tops[cid] = next(c for c in path if c in loop)
    return tops


def _model(customers, invoices, as_of, edges, age_by, by, currency, customer, min_total, sort, limit, offset=0) -> dict:  # noqa: ANN001, E501
    names = bucket_names(edges)
    tops = _tops(customers)
    groups: dict[tuple, dict] = {}
    totals: dict[str, dict] = {}
    for cust, cur, inv_day, due_days, bill, applied in invoices:
        cid = cust % len(customers) + 1
        outstanding = max(bill - applied, 0)
        if outstanding <= 0 or (currency and cur != currency) or (customer and cid != customer):
            continue
        invoice_date = date(2025, 1, 1) + timedelta(days=inv_day)
        if invoice_date > as_of:  # as of D, an invoice issued after D did not exist yet (issue 11, item 6)
            continue
        when = invoice_date + timedelta(days=due_days) if age_by == "due" else invoice_date
        age = (as_of - when).days
        bucket = 0 if age <= 0 else next((j + 1 for j, e in enumerate(edges) if age <= e), len(edges) + 1)
        if by == "customer":
            key, name = cid, NAMES[cid - 1]
        elif by == "parent":
            key, name = tops[cid], NAMES[tops[cid] - 1]
        else:
            key, name = cur, cur
        for target in (
            groups.setdefault(
                (key, cur), {"name": name, "currency": cur, "b": [0] * len(names), "n": 0, "old": -(10**9)}
            ),
            totals.setdefault(cur, {"currency": cur, "b": [0] * len(names), "n": 0, "old": -(10**9)}),
        ):
            target["b"][bucket] += outstanding
            target["n"] += 1
            target["old"] = max(target["old"], age)

    def order(g: dict) -> tuple:
        nk = name_key(g["name"])
        if sort == "name":
            return (g["currency"], nk, g["name"])
        if sort == "oldest":
            return (g["currency"], -g["old"], -sum(g["b"]), nk, g["name"])
        return (g["currency"], -sum(g["b"]), nk, g["name"])

    def money(g: dict) -> dict:
        out = {n: f"{c // 100}.{c % 100:02d}" for n, c in zip(names, g["b"], strict=True)}
        total = sum(g["b"])
        return {**out, "total": f"{total // 100}.{total % 100:02d}", "invoices": g["n"]}

    listed = sorted((g for g in groups.values() if sum(g["b"]) >= (min_total or 0)), key=order)
    if limit is not None or offset:
        kept, seen = [], {}
        for g in listed:
            seen[g["currency"]] = seen.get(g["currency"], 0) + 1
            if offset < seen[g["currency"]] <= offset + (limit if limit is not None else len(listed)):
                kept.append(g)
        listed = kept
    return {
        "as_of": as_of.isoformat(),
        "age_by": age_by,
        "by": by,
        "buckets": names,
        "groups": [{"name": g["name"], "currency": g["currency"], **money(g)} for g in listed],
        "totals": [{"currency": c, **money(totals[c])} for c in sorted(totals)],
    }


_customers = st.lists(
    st.tuples(st.sampled_from(["1", "2", "3", "4", None]), st.sampled_from(["1", "2", "3", "4", "9", None])),
    min_size=1,
    max_size=len(NAMES),
)
_invoices = st.lists(
    st.tuples(
        st.integers(0, 9),
        st.sampled_from(CURRENCIES),
        st.integers(0, 200),
        st.sampled_from([-20, -1, 0, 7, 30, 45]),  # some due before they are issued
        st.integers(0, 500_000),
        st.sampled_from([0, 0, 1, 5_000, 10**7]),
    ),
    max_size=25,
)
_edges = st.one_of(
    st.just((30, 60, 90)),
    st.lists(st.integers(1, 150), min_size=1, max_size=4, unique=True).map(lambda e: tuple(sorted(e))),
)


def _report(db, as_of, edges, age_by, by, currency, customer, min_total, sort, limit, offset):  # noqa: ANN001, ANN202, PLR0913
    return aging(
        db,
        as_of,
        edges=edges,
        age_by=age_by,
        by=by,
        customer=NAMES[customer - 1].upper() if customer else None,
        currency=currency,
        min_total=min_total,
        sort=sort,
        limit=limit,
        tree=by == "parent",
        offset=offset,
    )


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=_customers,
    invoices=_invoices,
    as_of=st.dates(date(2024, 12, 1), date(2025, 12, 31)),
    edges=_edges,
    age_by=st.sampled_from(["due", "invoice"]),
    by=st.sampled_from(["customer", "parent", "currency"]),
    currency=st.sampled_from([None, None, "CAD"]),
    customer=st.sampled_from([None, None, None, 1, 2]),
    min_total=st.sampled_from([None, None, 1, 300_000]),
    sort=st.sampled_from(["total", "name", "oldest"]),
    limit=st.sampled_from([None, None, 1, 2]),
    offset=st.sampled_from([0, 0, 0, 1, 2]),
    stored_tree=st.booleans(),
    stored_groups=st.booleans(),
    tops_kept=st.sampled_from([derived.TOPS_KEPT, 1, 2]),
)
def test_aging_matches_the_plain_model(  # noqa: PLR0913
    customers,
    invoices,
    as_of,
    edges,
    age_by,
    by,
    currency,
    customer,
    min_total,
    sort,
    limit,
    offset,
    stored_tree,
    stored_groups,
    tops_kept,  # noqa: ANN001
) -> None:
    db = memory_db()
    _fill(db, customers, invoices)
    if stored_tree:
        refresh(db)  # as at the end of an ingest; else the report works the tree out itself
    customer = customer if customer is None or customer <= len(customers) else None
    # The groups kept per month bound aging's ranking at a past date: kept shorter than the
    # groups, the ranking must still be exact (reading further, or summing every invoice).
    kept, derived.TOPS_KEPT = derived.TOPS_KEPT, tops_kept
    try:
        if stored_groups:
            derived.refresh_open_groups(db)  # as at the end of an ingest; else the rankings sum the invoices
        report = _report(db, as_of, edges, age_by, by, currency, customer, min_total, sort, limit, offset)
    finally:
        derived.TOPS_KEPT = kept
    any_open = any(bill > applied for *_, bill, applied in invoices)
    assert derived.open_groups_stale(db) == (not stored_groups and any_open)
    doc = shapes.aging(report)
    tree = doc.pop("tree", None)
    model = _model(customers, invoices, as_of, edges, age_by, by, currency, customer, min_total, sort, limit, offset)
    assert doc == model
    width = len(report.bucket_names)
    for row in [*report.groups, *report.totals, *(h.row for h in report.hidden)]:
        assert sum(row.buckets) == row.total and len(row.buckets) == width
    for total in report.totals:  # listed groups plus the left-out ones are exactly the totals
        parts = [g for g in report.groups if g.currency == total.currency]
        parts += [h.row for h in report.hidden if h.currency == total.currency]
        assert [sum(b) for b in zip(*(p.buckets for p in parts), strict=True)] == list(total.buckets)
        assert sum(p.invoices for p in parts) == total.invoices
    if tree is not None:
        assert [(n["name"], n["currency"], n["total"]) for n in tree] == [
            (g["name"], g["currency"], g["total"]) for g in doc["groups"]
        ]
        stack = list(tree)
        while stack:
            node = stack.pop()
            own = int(node["own"]["total"].replace(".", "")) if node["own"] else 0
            kids = sum(int(c["total"].replace(".", "")) for c in node["children"])
            assert int(node["total"].replace(".", "")) == own + kids
            stack.extend(node["children"])


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=_customers,
    invoices=st.lists(_invoices.map(tuple), min_size=1, max_size=3).map(lambda parts: [r for p in parts for r in p]),
    as_of=st.dates(date(2024, 12, 20), date(2025, 7, 31)),
    age_by=st.sampled_from(["due", "invoice"]),
    currency=st.sampled_from([None, None, "CAD"]),
    limit=st.integers(1, 4),
    offset=st.integers(0, 3),
    tops_kept=st.sampled_from([derived.TOPS_KEPT, 1, 2, 3]),
)
def test_the_largest_groups_at_a_past_date_equal_the_model(  # noqa: PLR0913
    customers,
    invoices,
    as_of,
    age_by,
    currency,
    limit,
    offset,
    tops_kept,  # noqa: ANN001
) -> None:
    """Issue 21: at a day some open invoice was issued after, aging's largest groups are ranked from the
    amounts kept at each month's end; kept shorter than the groups, the answer stays the model's."""
    db = memory_db()
    _fill(db, customers, invoices)
    kept, derived.TOPS_KEPT = derived.TOPS_KEPT, tops_kept
    try:
        derived.refresh_open_groups(db)
        report = _report(db, as_of, (30, 60, 90), age_by, "customer", currency, None, None, "total", limit, offset)
    finally:
        derived.TOPS_KEPT = kept
    doc = shapes.aging(report)
    doc.pop("tree", None)
    assert doc == _model(
        customers, invoices, as_of, (30, 60, 90), age_by, "customer", currency, None, None, "total", limit, offset
    )
    hidden = {h.currency: h.groups for h in report.hidden}
    for total in report.totals:  # how many groups the page leaves out, of those that existed on the day
        shown = sum(g.currency == total.currency for g in report.groups)
        existed = {
            (cust % len(customers), cur)
            for cust, cur, day, _, bill, applied in invoices
            if bill > applied and cur == total.currency and date(2025, 1, 1) + timedelta(days=day) <= as_of
        }
        assert hidden.get(total.currency, 0) == len(existed) - shown


# -- the command's --json bytes ----------------------------------------------------------


def _dumped(report: object) -> bytes:
    out = io.StringIO()
    shapes.dump(shapes.aging(report), out)
    return out.getvalue().encode()


def test_the_command_writes_the_bytes_of_the_dumped_report(load, run, db_path) -> None:  # noqa: ANN001
    load(
        [
            _invoice("Zeta \x9b\x7f Co", "A1", AS_OF - timedelta(days=31), "100.10"),
            _invoice("alpha", "A2", AS_OF, "5", Currency="CAD"),
            _invoice("Beta", "A3", AS_OF - timedelta(days=400), "100.10"),
        ]
    )
    result = run("aging", "--as-of", AS_OF.isoformat(), "--json")
    assert result.exit_code == 0, result
    assert "Zeta \\u009b\\u007f Co" in result.stdout  # escaped as shapes.dump does
    assert [g["name"] for g in result.json["groups"]] == ["alpha", "Beta", "Zeta \x9b\x7f Co"]
    db = by_hand(db_path)
    try:
        assert result.stdout.encode() == _dumped(aging(db, AS_OF))
    finally:
        db.close()

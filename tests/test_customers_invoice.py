"""`domeo customers` and `domeo invoice NUMBER`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import examples, memory_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli import shapes
from domeo_cli.names import name_key
from domeo_cli.store.sqlite.queries.customers import customers

HARBOR = {
    "name": "Harbor Lane Bakery",
    "customer_number": "418552",
    "parent_number": "907113",
    "parent_name": "Northwind Outfitters",
    "invoices": 2,
    "last_invoice_date": "2025-03-21",
    "balances": [{"currency": "USD", "open_ar": "778.25", "past_due": "778.25"}],
    "oldest_days_past_due": 11,
    "contact": {
        "contact_name": "Dana Whitfield",
        "contact_email": "dana@harborlanebakery.com",
        "contact_phone": "555-204-7781",
        "last_seen_invoice_date": "2025-03-21",
    },
}
NORTHWIND = {
    "name": "Northwind Outfitters",
    "customer_number": "907113",
    "parent_number": None,
    "parent_name": None,
    "invoices": 1,
    "last_invoice_date": "2025-03-24",
    "balances": [{"currency": "CAD", "open_ar": "6400.00", "past_due": "0.00"}],
    "oldest_days_past_due": None,
    "contact": {
        "contact_name": "Marcus Ortega",
        "contact_email": "marcus@northwindoutfitters.com",
        "contact_phone": "555-377-1029",
        "last_seen_invoice_date": "2025-03-24",
    },
}
QUIET = {
    "name": "Quiet Creek Dental",
    "customer_number": "230871",
    "parent_number": None,
    "parent_name": None,
    "invoices": 1,
    "last_invoice_date": "2025-03-26",
    "balances": [],
    "oldest_days_past_due": None,
    "contact": None,
}


# -- customers ---------------------------------------------------------------------------


def test_customers_of_the_example(example, run):  # noqa: ANN001
    result = run("customers", "--as-of", "2025-05-01", "--json")
    assert result.exit_code == 0, result
    assert result.json == {
        "as_of": "2025-05-01",
        "customers": [HARBOR, NORTHWIND, QUIET],
        "total": 3,
        "limit": 50,
        "offset": 0,
    }


def test_search_sorts_and_pages(example, run):  # noqa: ANN001
    def names(*args: str) -> list[str]:
        result = run("customers", "--as-of", "2025-05-01", *args, "--json")
        assert result.exit_code == 0, result
        return [c["name"] for c in result.json["customers"]]

    assert names("--search", "  LANE ") == ["Harbor Lane Bakery"]
    assert names("--search", "E") == ["Harbor Lane Bakery", "Northwind Outfitters", "Quiet Creek Dental"]
    assert names("--search", "o") == ["Harbor Lane Bakery", "Northwind Outfitters"]
    assert names("--search", "nobody") == []
    assert names("--sort", "open") == ["Northwind Outfitters", "Harbor Lane Bakery", "Quiet Creek Dental"]
    assert names("--sort", "past_due") == ["Harbor Lane Bakery", "Northwind Outfitters", "Quiet Creek Dental"]
    assert names("--sort", "oldest") == ["Harbor Lane Bakery", "Northwind Outfitters", "Quiet Creek Dental"]
    assert names("--limit", "1", "--offset", "1") == ["Northwind Outfitters"]
    page = run("customers", "--search", "e", "--limit", "2", "--offset", "2", "--json").json
    assert (page["total"], page["limit"], page["offset"], len(page["customers"])) == (3, 2, 2, 1)
    early = run("customers", "--as-of", "2025-04-20", "--json").json["customers"][0]
    assert early["balances"][0]["past_due"] == "0.00" and early["oldest_days_past_due"] is None  # due today


@pytest.mark.parametrize(
    "args",
    [["--sort", "size"], ["--limit", "0"], ["--limit", "201"], ["--offset", "-1"], ["--as-of", "May 1"]],
)
def test_bad_customers_options_are_exit_2(run, args):  # noqa: ANN001
    result = run("customers", *args, "--json")
    assert result.exit_code == 2, result
    assert result.error["code"] == "invalid_input"


def test_customers_table_when_piped_is_plain(example, run):  # noqa: ANN001
    result = run("customers", "--as-of", "2025-05-01", "--limit", "2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["Customer", "Number", "Parent"]
    assert "Harbor Lane Bakery" in lines[1] and "778.25 USD" in lines[1] and "Northwind Outfitters" in lines[1]
    assert "\x1b" not in result.stdout
    assert "Next page: domeo customers --as-of 2025-05-01 --limit 2 --offset 2" in result.stderr


def test_customers_next_page_hint_is_a_command_to_paste(example, run, write_csv):  # noqa: ANN001
    import shlex

    from helpers import HEADER

    more = HEADER + "\nO'Brien Motors,OB-1,3/2/25,,50,0,Pending,USD,,,,Net 30,,,\n"
    more += "Bo'sun Supply,BS-1,3/2/25,,70,0,Pending,USD,,,,Net 30,,,\n"
    assert run("ingest", str(write_csv(more, "more.csv"))).exit_code == 0
    result = run("customers", "--as-of", "2025-05-01", "--search", "o'", "--sort", "past_due", "--limit", "1")
    hint = next(line for line in result.stderr.splitlines() if line.startswith("Next page: "))
    argv = shlex.split(hint.removeprefix("Next page: "))
    assert argv[:3] == ["domeo", "customers", "--as-of"] and "o'" in argv
    following = run(*argv[1:], "--json")
    expected = run("customers", "--as-of", "2025-05-01", "--search", "o'", "--sort", "past_due", "--limit", "1",
                   "--offset", "1", "--json")  # fmt: skip
    assert following.exit_code == 0 and following.json == expected.json


NAMES = ["alpha", "Bravo", "charlie", "Delta", "Écho"]

_books = st.lists(
    st.tuples(
        st.integers(0, 4),  # customer
        st.sampled_from(["USD", "CAD"]),
        st.integers(0, 120),  # invoice day
        st.sampled_from([0, 15, 30]),  # terms
        st.integers(1, 90_000),  # bill
        st.sampled_from([0, 0, 100, 10**6]),  # applied
        st.sampled_from(["Pending", "Closed"]),
    ),
    max_size=20,
)


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    book=_books,
    as_of=st.dates(date(2025, 1, 1), date(2025, 7, 1)),
    sort=st.sampled_from(["name", "open", "past_due", "oldest"]),
    search=st.sampled_from([None, "A", "é", "zz"]),
    limit=st.integers(1, 6),
    offset=st.integers(0, 5),
)
def test_customers_match_the_plain_model(book, as_of, sort, search, limit, offset) -> None:  # noqa: ANN001
    db = memory_db()
    db.executemany(
        "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (?, ?, ?, ?, ?)",
        [(i + 1, n, name_key(n), str(100 + i), str(100 + i - 1) if i else "999") for i, n in enumerate(NAMES)],
    )
    db.executemany(
        "INSERT INTO contacts (customer_id, name, email, phone, last_seen) VALUES (?, ?, '', '', ?)",
        [(1, "Old", "2025-01-01"), (1, "New", "2025-02-01"), (3, "Only", "2024-12-31")],
    )
    for n, (cust, cur, day, terms, bill, applied, status) in enumerate(book):
        issued = date(2025, 1, 1) + timedelta(days=day)
        db.execute(
            "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
            "bill_total_cents, applied_cents, outstanding_cents, currency, status) "
            "VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
            (
                f"N{n}",
                cust + 1,
                issued.isoformat(),
                (issued + timedelta(days=terms)).isoformat(),
                bill,
                applied,
                max(bill - applied, 0),
                cur,
                status,
            ),
        )
    page = customers(db, as_of, search=search, sort=sort, limit=limit, offset=offset)
    doc = shapes.customers(page)

    lines = []
    for i, name in enumerate(NAMES):
        if search is not None and name_key(search) not in name_key(name):
            continue
        # As of D, an invoice issued after D did not exist yet (issue 11, item 6).
        mine = [b for b in book if b[0] == i and date(2025, 1, 1) + timedelta(days=b[2]) <= as_of]
        balances, oldest = [], None
        for cur in sorted({b[1] for b in mine}):
            open_ar = past = 0
            for _, c, day, terms, bill, applied, status in mine:
                out = max(bill - applied, 0)
                due = date(2025, 1, 1) + timedelta(days=day + terms)
                if c != cur or out <= 0:
                    continue
                open_ar += out if status == "Pending" else 0
                if due < as_of:
                    past += out
                    oldest = max(oldest or 0, (as_of - due).days)
            if open_ar or past:
                balances.append({"currency": cur, "open_ar": f"{open_ar / 100:.2f}", "past_due": f"{past / 100:.2f}"})
        last = max((date(2025, 1, 1) + timedelta(days=b[2]) for b in mine), default=None)
        contact = {0: ("New", "2025-02-01"), 2: ("Only", "2024-12-31")}.get(i)
        lines.append(
            {
                "name": name,
                "customer_number": str(100 + i),
                "parent_number": str(100 + i - 1) if i else "999",
                "parent_name": NAMES[i - 1] if i else None,
                "invoices": len(mine),
                "last_invoice_date": last.isoformat() if last else None,
                "balances": balances,
                "oldest_days_past_due": oldest,
                "contact": None
                if contact is None
                else {
                    "contact_name": contact[0],
                    "contact_email": None,
                    "contact_phone": None,
                    "last_seen_invoice_date": contact[1],
                },
            }
        )

    def biggest(line: dict, field: str) -> int:
        return max((int(b[field].replace(".", "")) for b in line["balances"]), default=0)

    order = {
        "name": lambda c: (name_key(c["name"]),),
        "open": lambda c: (-biggest(c, "open_ar"), name_key(c["name"])),
        "past_due": lambda c: (-biggest(c, "past_due"), name_key(c["name"])),
        "oldest": lambda c: (c["oldest_days_past_due"] is None, -(c["oldest_days_past_due"] or 0), name_key(c["name"])),
    }[sort]
    lines.sort(key=order)
    assert doc == {
        "as_of": as_of.isoformat(),
        "customers": lines[offset : offset + limit],
        "total": len(lines),
        "limit": limit,
        "offset": offset,
    }


# -- invoice ---------------------------------------------------------------------------------


def test_one_invoice_in_full(example, run):  # noqa: ANN001
    result = run("invoice", "DF2031977", "--as-of", "2025-05-01", "--json")
    assert result.exit_code == 0, result
    doc = result.json
    run_info = doc.pop("last_changed_by")
    assert doc == {
        "invoice_number": "DF2031977",
        "customer_name": "Harbor Lane Bakery",
        "customer_number": "418552",
        "parent_number": "907113",
        "invoice_date": "2025-03-21",
        "due_date": "2025-04-20",
        "due_date_derived": True,
        "terms": "Net 30",
        "terms_days": 30,
        "po_number": "PO-004430",
        "bill_total": "1190.50",
        "applied": "412.25",
        "outstanding": "778.25",
        "currency": "USD",
        "status": "Pending",
        "contact_name": "Dana Whitfield",
        "contact_phone": "555-204-7781",
        "contact_email": "dana@harborlanebakery.com",
        "as_of": "2025-05-01",
        "past_due": True,
        "days_past_due": 11,
    }
    assert run_info["run_id"] == 1 and run_info["file"].endswith("example.csv")
    assert len(run_info["sha256"]) == 64 and run_info["finished_at"] >= run_info["started_at"]
    closed = run("invoice", "df2032101", "--as-of", "2025-05-01", "--json").json  # any case
    assert (closed["invoice_number"], closed["due_date_derived"], closed["past_due"], closed["days_past_due"]) == (
        "DF2032101",
        False,
        False,
        0,
    )
    assert closed["contact_name"] is None
    due_today = run("invoice", "DF2031977", "--as-of", "2025-04-20", "--json").json
    assert (due_today["past_due"], due_today["days_past_due"]) == (False, 0)


def test_the_run_that_last_changed_an_invoice(example, write_csv, run):  # noqa: ANN001
    from helpers import EXAMPLE_CSV

    changed = EXAMPLE_CSV.replace("1190.5,412.25", "1190.5,1190.5").replace(
        "DF2031977,3/21/25,PO-004430,1190.5,1190.5,Pending", "DF2031977,3/21/25,PO-004430,1190.5,1190.5,Closed"
    )
    assert run("ingest", str(write_csv(changed, "second.csv"))).exit_code == 0
    doc = run("invoice", "DF2031977", "--json").json
    assert (doc["status"], doc["outstanding"], doc["past_due"]) == ("Closed", "0.00", False)
    assert doc["last_changed_by"]["run_id"] == 2 and doc["last_changed_by"]["file"].endswith("second.csv")
    assert run("invoice", "DF2031442", "--json").json["last_changed_by"]["run_id"] == 1  # unchanged: first load


def test_unknown_invoice_is_exit_3_with_close_numbers(example, run):  # noqa: ANN001
    result = run("invoice", "DF203197", "--json")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.error["code"] == "not_found"
    assert result.error["suggestions"][0] == "DF2031977"
    assert "DF2031977" in result.error["message"]
    typo = run("invoice", "DF2O32015", "--json")  # letter O for zero
    assert typo.exit_code == 3 and "DF2032015" in typo.error["suggestions"]
    nothing = run("invoice", "ZZZ", "--json")
    assert nothing.exit_code == 3 and "suggestions" not in nothing.error
    plain = run("invoice", "DF203197")
    assert plain.exit_code == 3 and plain.stderr.startswith("domeo: error: No invoice is numbered 'DF203197'.")


def test_invoice_table_when_piped(example, run):  # noqa: ANN001
    result = run("invoice", "DF2031977", "--as-of", "2025-05-01")
    assert result.exit_code == 0
    assert "Due date         2025-04-20 (derived: invoice date + 30 days, terms 'Net 30')" in result.stdout
    assert "Past due         11 days past due (as of 2025-05-01)" in result.stdout
    assert "\x1b" not in result.stdout


def test_invoice_without_database_is_exit_1(run, db_path):  # noqa: ANN001
    result = run("invoice", "X1", "--json")
    assert result.exit_code == 1 and not db_path.exists()


def test_invoice_numbers_are_case_sensitive_keys(load_rows, run):  # noqa: ANN001
    """Issue 11, item 17: an exact match wins; several that differ only in case are listed; one is shown, said."""
    load_rows(
        [
            {"customer": "A Co", "number": "AB1", "date": "1/5/24", "total": "100"},
            {"customer": "A Co", "number": "ab1", "date": "1/5/24", "total": "200"},
            {"customer": "A Co", "number": "Xy2-é", "date": "1/5/24", "total": "300"},
            {"customer": "A Co", "number": "XY3", "date": "1/5/24", "total": "400"},
        ]
    )
    for exact, total in (("AB1", "100.00"), ("ab1", "200.00")):
        result = run("invoice", exact, "--json")
        assert result.exit_code == 0 and result.stderr == "", result
        assert (result.json["invoice_number"], result.json["bill_total"]) == (exact, total)
    several = run("invoice", "aB1", "--json")
    assert several.exit_code == 3 and several.stdout == "", several
    assert several.error == {
        "code": "not_found",
        "message": "No invoice is numbered 'aB1'; invoice numbers are case-sensitive, "
        "and 2 differ from it only in case: AB1, ab1.",
        "suggestions": ["AB1", "ab1"],
    }
    one = run("invoice", "xY2-É")
    assert one.exit_code == 0, one
    assert "Invoice Xy2-é" in one.stdout or "Xy2-é" in one.stdout.splitlines()[0]
    assert one.stderr.startswith(
        "domeo: note: no invoice is numbered 'xY2-É'; showing Xy2-é, the one number that differs only in case.\n"
    ), one
    assert run("invoice", "xy3", "--json").json["invoice_number"] == "XY3"
    missing = run("invoice", "AB2", "--json")
    assert missing.exit_code == 3 and missing.error["code"] == "not_found"


def test_invoice_issued_after_the_as_of_date_is_not_past_due(load_rows, run):  # noqa: ANN001
    """Issue 11, item 6: as of D an invoice dated after D did not exist, even if its due date is before D."""
    load_rows([{"customer": "A Co", "number": "L1", "date": "3/10/25", "total": "100", "due": "3/1/25"}])
    before = run("invoice", "L1", "--as-of", "2025-03-05", "--json").json
    assert (before["past_due"], before["days_past_due"]) == (False, 0)
    assert "not issued yet (as of 2025-03-05)" in run("invoice", "L1", "--as-of", "2025-03-05").stdout
    after = run("invoice", "L1", "--as-of", "2025-03-11", "--json").json
    assert (after["past_due"], after["days_past_due"]) == (True, 10)
    assert run("past-due", "--as-of", "2025-03-05", "--json").json["total"] == 0
    assert run("past-due", "--as-of", "2025-03-11", "--json").json["total"] == 1
    aging = run("aging", "--as-of", "2025-03-05", "--json").json
    assert (aging["groups"], aging["totals"]) == ([], [])
    customers = run("customers", "--as-of", "2025-03-05", "--json").json["customers"]
    assert [(c["invoices"], c["balances"], c["last_invoice_date"]) for c in customers] == [(0, [], None)]

"""`domeo summary --from YYYY-MM --to YYYY-MM`: the month-by-month series, and the rollups behind it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import by_hand, memory_db
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli import shapes
from domeo_cli.store.sqlite import db as dbmod
from domeo_cli.store.sqlite.queries.summary import summary_range


def _month(month: str, currency: str, cents: str, count: int) -> dict:
    return {"month": month, "currency": currency, "sum_bill_total": cents, "count_invoices": count}


def test_series_of_the_example(example, run):  # noqa: ANN001
    result = run("summary", "--from", "2025-02", "--to", "2025-04", "--json")
    assert result.exit_code == 0, result
    assert result.json == {
        "from": "2025-02",
        "to": "2025-04",
        "months": [
            _month("2025-02", "CAD", "0.00", 0),
            _month("2025-02", "USD", "0.00", 0),
            _month("2025-03", "CAD", "6400.00", 1),
            _month("2025-03", "USD", "5045.50", 3),
            _month("2025-04", "CAD", "0.00", 0),
            _month("2025-04", "USD", "0.00", 0),
        ],
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
    }


def test_series_filters_and_a_single_month(example, run):  # noqa: ANN001
    harbor = run("summary", "--from", "2025-03", "--to", "2025-03", "--customer", "HARBOR LANE BAKERY", "--json")
    assert harbor.json["months"] == [_month("2025-03", "USD", "4065.50", 2)]
    # the one-month series says what `--month` says
    month = run("summary", "--month", "2025-03", "--customer", "harbor lane bakery", "--json").json
    assert harbor.json["months"][0] == month
    cad = run("summary", "--from", "2025-03", "--to", "2025-04", "--currency", "cad", "--json").json
    assert cad["months"] == [_month("2025-03", "CAD", "6400.00", 1), _month("2025-04", "CAD", "0.00", 0)]
    empty = run("summary", "--from", "2023-12", "--to", "2024-01", "--json").json
    assert empty["months"] == [_month("2023-12", "USD", "0.00", 0), _month("2024-01", "USD", "0.00", 0)]
    assert empty["by_currency"] == [{"currency": "USD", "sum_bill_total": "0.00", "count_invoices": 0}]
    nobody = run("summary", "--from", "2025-03", "--to", "2025-03", "--customer", "Harbor Lane Bakry", "--json")
    assert nobody.exit_code == 3 and "Harbor Lane Bakery" in nobody.error["message"]


def test_month_form_is_unchanged(example, run):  # noqa: ANN001
    assert run("summary", "--month", "2025-03", "--json").json == {
        "month": "2025-03",
        "currency": "USD",
        "sum_bill_total": "5045.50",
        "count_invoices": 3,
        "by_currency": [
            {"currency": "CAD", "sum_bill_total": "6400.00", "count_invoices": 1},
            {"currency": "USD", "sum_bill_total": "5045.50", "count_invoices": 3},
        ],
    }


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--month", "2025-03", "--from", "2025-01", "--to", "2025-03"],
        ["--month", "2025-03", "--to", "2025-03"],
        ["--from", "2025-01"],
        ["--to", "2025-01"],
        ["--from", "2025-04", "--to", "2025-03"],
        ["--from", "2025-13", "--to", "2026-01"],
        ["--from", "2025-1", "--to", "2025-03"],
        ["--from", "1000-01", "--to", "2025-03"],
        ["--from", "2025-01", "--to", "2025-03", "--currency", "usd1"],
    ],
)
def test_bad_ranges_are_exit_2(example, run, args):  # noqa: ANN001
    result = run("summary", *args, "--json")
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.error["code"] == "invalid_input"


def test_series_table_when_piped_has_no_bars(example, run):  # noqa: ANN001
    result = run("summary", "--from", "2025-02", "--to", "2025-03")
    assert result.exit_code == 0
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["Month", "Cur", "Invoices", "Billed"],
        ["2025-02", "CAD", "0", "0.00"],
        ["2025-03", "CAD", "1", "6,400.00"],
        ["Month", "Cur", "Invoices", "Billed"],
        ["2025-02", "USD", "0", "0.00"],
        ["2025-03", "USD", "3", "5,045.50"],
    ]
    assert "█" not in result.stdout


# -- the rollup kept by triggers, under inserts, updates and deletes ------------------------------

_changes = st.lists(
    st.tuples(
        st.sampled_from(["insert", "update", "update", "delete"]),
        st.integers(0, 7),  # invoice number
        st.integers(0, 3),  # customer
        st.sampled_from(["USD", "CAD"]),
        st.integers(0, 150),  # invoice day
        st.integers(0, 10**6),  # bill
    ),
    max_size=30,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=_changes, first=st.integers(0, 5), span=st.integers(0, 5), currency=st.sampled_from([None, "CAD"]))
def test_rollups_always_equal_the_invoices(changes, first, span, currency) -> None:  # noqa: ANN001
    db = memory_db()
    db.executemany(
        "INSERT INTO customers (id, name, name_key) VALUES (?, ?, ?)", [(i, f"C{i}", f"c{i}") for i in range(1, 5)]
    )
    for action, number, cust, cur, day, bill in changes:
        issued = (date(2025, 1, 1) + timedelta(days=day)).isoformat()
        if action == "insert":
            db.execute(
                "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
                "bill_total_cents, applied_cents, outstanding_cents, currency, status) "
                "VALUES (?, ?, ?, ?, 0, ?, 0, ?, ?, 'Pending') ON CONFLICT (invoice_number) DO UPDATE SET "
                "customer_id = excluded.customer_id, invoice_date = excluded.invoice_date, "
                "bill_total_cents = excluded.bill_total_cents, outstanding_cents = excluded.outstanding_cents, "
                "currency = excluded.currency",
                (f"N{number}", cust + 1, issued, issued, bill, bill, cur),
            )
        elif action == "update":
            db.execute(
                "UPDATE invoices SET customer_id = ?, invoice_date = ?, bill_total_cents = ?, "
                "outstanding_cents = ?, applied_cents = 0, currency = ? WHERE invoice_number = ?",
                (cust + 1, issued, bill, bill, cur, f"N{number}"),
            )
        else:
            db.execute("DELETE FROM invoices WHERE invoice_number = ?", (f"N{number}",))
    assert db.execute(
        "SELECT month, currency, invoices, bill_total_cents FROM billing_by_month ORDER BY 1, 2"
    ).fetchall() == (
        db.execute(
            "SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents) FROM invoices "
            "GROUP BY 1, 2 ORDER BY 1, 2"
        ).fetchall()
    )
    start = date(2025, 1 + first, 1)
    end = date(2025, 1 + first + span, 1) if first + span < 12 else date(2025, 12, 1)
    doc = shapes.summary_months(summary_range(db, start, end, currency=currency))
    months = [f"2025-{m:02d}" for m in range(start.month, end.month + 1)]
    rows = db.execute("SELECT invoice_date, currency, bill_total_cents FROM invoices").fetchall()
    codes = [currency] if currency else sorted({c for d, c, _ in rows if d[:7] in months}) or ["USD"]

    def cell(month: str, code: str) -> dict:
        mine = [b for d, c, b in rows if d[:7] == month and c == code]
        return _month(month, code, f"{sum(mine) // 100}.{sum(mine) % 100:02d}", len(mine))

    assert doc["months"] == [cell(m, c) for m in months for c in codes]
    assert doc["from"] == months[0] and doc["to"] == months[-1]


def test_the_rollups_are_built_for_an_existing_database_on_upgrade(tmp_path) -> None:  # noqa: ANN001
    from domeo_cli.store.sqlite import schema

    path = str(tmp_path / "old.db")
    db = by_hand(path, isolation_level=None)
    db.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    db.execute(
        "CREATE TABLE domeo_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    schema.MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db.execute(
        "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (1, 'A', 'a', '1', '2')"
    )
    db.execute(
        "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (2, 'B', 'b', '2', NULL)"
    )
    db.execute(
        "INSERT INTO invoices (invoice_number, customer_id, invoice_date, due_date, due_date_derived, "
        "bill_total_cents, applied_cents, outstanding_cents, currency, status) "
        "VALUES ('X', 1, '2025-03-02', '2025-04-01', 0, 1050, 0, 1050, 'USD', 'Pending')"
    )
    db.close()
    upgraded = dbmod.open_for_write(path)
    assert upgraded.execute("SELECT * FROM billing_by_month").fetchall() == [("2025-03", "USD", 1, 1050)]
    assert upgraded.execute("SELECT * FROM customer_tree ORDER BY 1").fetchall() == [(1, 2, 2, 1), (2, 2, None, 0)]
    assert upgraded.execute("SELECT dirty FROM hierarchy_state").fetchone() == (0,)

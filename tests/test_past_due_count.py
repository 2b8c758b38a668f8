"""The past-due ``total``: read from the kept ``open_days`` only where it is exact, else counted.

Hypothesis loads random invoices, then compares the count (through the
library and through ``domeo past-due --json``) with a plain-Python model
for as-of dates before, among and after the invoices' dates, with and
without the filters, while the kept tables are current and after another
program's write has made them stale.
"""

from __future__ import annotations

import itertools
import os
from datetime import date, timedelta

from helpers import by_hand, examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domeo_cli.store.sqlite.queries import past_due as query

START = date(2025, 1, 1)
CUSTOMERS = ["Alder Co", "Birch Ltd", "Cedar Inc"]


@st.composite
def invoices(draw) -> list[dict]:  # noqa: ANN001
    """Invoices as the model sees them: few distinct dates, so that days tie and cut-offs fall on them."""
    numbers = draw(st.lists(st.text("AB019", min_size=1, max_size=4), min_size=1, max_size=25, unique=True))
    days = draw(st.lists(st.integers(0, 60), min_size=1, max_size=5, unique=True))
    rows = []
    for number in numbers:
        issued = START + timedelta(days=draw(st.sampled_from(days)))
        total = draw(st.integers(1, 10**6))
        rows.append(
            {
                "number": number,
                "customer": draw(st.sampled_from(CUSTOMERS)),
                "issued": issued,
                "due": issued + timedelta(days=draw(st.sampled_from([-10, -1, 0, 10, 30, 45]))),
                "total": total,
                "open": draw(st.booleans()),
                "currency": draw(st.sampled_from(["USD", "CAD"])),
            }
        )
    return rows


def csv_row(row: dict) -> dict[str, str]:
    cents = f"{row['total'] // 100}.{row['total'] % 100:02d}"
    return {
        "customer": row["customer"],
        "number": row["number"],
        "date": row["issued"].isoformat(),
        "due": row["due"].isoformat(),
        "total": cents,
        "applied": "0" if row["open"] else cents,
        "status": "Pending" if row["open"] else "Closed",
        "currency": row["currency"],
    }


def model_count(rows: list[dict], as_of: date, min_days: int, customer: str | None) -> int:
    """Open, due at least ``min_days`` days before ``as_of``, issued by then, of ``customer`` if named."""
    return sum(
        1
        for r in rows
        if r["open"]
        and (as_of - r["due"]).days >= min_days
        and r["issued"] <= as_of
        and customer in (None, r["customer"])
    )


_databases = itertools.count()


@settings(
    max_examples=examples(30),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=invoices(), data=st.data())
def test_the_total_equals_the_plain_count(load_rows, run, tmp_path, rows, data):  # noqa: ANN001
    db_path = str(tmp_path / f"count{next(_databases)}.db")
    load_rows([csv_row(r) for r in rows], db=db_path)
    # Dates before the first invoice, among them (some invoices dated later) and after them all.
    as_of_dates = st.integers(-5, 120).map(lambda n: START + timedelta(days=n))

    def check(label: str) -> None:
        for i in range(4):
            as_of = data.draw(as_of_dates, label=f"{label} as_of {i}")
            min_days = data.draw(st.sampled_from([1, 1, 5, 30]), label=f"{label} min_days {i}")
            customer = data.draw(st.one_of(st.none(), st.sampled_from(CUSTOMERS)), label=f"{label} customer {i}")
            contact = data.draw(st.booleans(), label=f"{label} contact {i}")
            expected = model_count(rows, as_of, min_days, customer)
            connection = by_hand(db_path)
            try:
                ids = None
                if customer is not None:
                    found = connection.execute("SELECT id FROM customers WHERE name = ?", (customer,)).fetchone()
                    ids = [found[0]] if found else []
                filters = query.Filters(ids, min_days, contact, customer)
                assert query.count(connection, as_of, filters) == expected
                assert query.past_due(connection, as_of, limit=1, filters=filters).total == expected
            finally:
                connection.close()
            args = ["--db", db_path, "past-due", "--as-of", as_of.isoformat(), "--min-days", str(min_days), "--json"]
            if customer is not None and any(r["customer"] == customer for r in rows):
                args += ["--customer", customer]
            elif customer is not None:
                continue  # no such customer: exit 3, tested elsewhere
            if contact:
                args.append("--contact")
            result = run(*args)
            assert result.exit_code == 0, result
            assert result.json["total"] == expected

    check("current")
    # Another program pays (or reopens) one invoice: the kept tables are stale and must not be read.
    changed = data.draw(st.sampled_from(rows), label="changed")
    changed["open"] = not changed["open"]
    connection = by_hand(db_path)
    with connection:
        connection.execute(
            "UPDATE invoices SET applied_cents = ?, outstanding_cents = ?, status = ? WHERE invoice_number = ?",
            (
                0 if changed["open"] else changed["total"],
                changed["total"] if changed["open"] else 0,
                "Pending" if changed["open"] else "Closed",
                changed["number"],
            ),
        )
    assert connection.execute("SELECT dirty FROM open_groups_state").fetchone() == (1,)
    connection.close()
    check("stale")


def test_the_kept_days_answer_only_where_exact(load_rows):  # noqa: ANN001
    """The count comes from ``open_days`` whenever it is current, at any as-of date: less the invoices issued
    after the date that are due before it (issue 21). Otherwise from the invoices. (A row added to
    ``open_days`` by hand shows which one answered.)"""
    load_rows(
        [
            {"customer": "A Co", "number": "O1", "date": "2025-01-10", "due": "2025-01-20", "total": "100"},
            {"customer": "A Co", "number": "O2", "date": "2025-03-01", "due": "2025-03-31", "total": "100"},
            {"customer": "B Co", "number": "O3", "date": "2025-01-05", "due": "2025-02-04", "total": "9"},
            {"customer": "B Co", "number": "O4", "date": "2025-03-01", "due": "2025-02-01", "total": "5"},
        ]
    )
    db = by_hand(os.environ["DOMEO_DB"])
    # Not the invoices' truth: 1000 invoices more on 2025-01-01, in the day and the running sums.
    db.execute("INSERT INTO open_days VALUES ('due', 'USD', '2025-01-01', 1000, 1, 0, 0)")
    db.execute(
        "UPDATE open_days SET running_invoices = running_invoices + 1000, running_cents = running_cents + 1 "
        "WHERE age_by = 'due' AND currency = 'USD'"
    )
    assert query.count(db, date(2025, 6, 1)) == 1004  # read from open_days
    assert query.count(db, date(2025, 6, 1), query.Filters(min_days=120)) == 1002  # due before 2025-02-02
    assert query.count(db, date(2025, 2, 10)) == 1002  # O2 and O4 dated later: O4, due before, taken out
    assert query.count(db, date(2025, 3, 1)) == 1003  # O4 issued that day
    assert [t[0] for t in query.totals(db, date(2025, 2, 10))] == ["USD"]
    (a_co,) = db.execute("SELECT id FROM customers WHERE name = 'A Co'").fetchone()
    assert query.count(db, date(2025, 6, 1), query.Filters(customer_ids=[a_co])) == 2  # one customer: counted
    db.execute("UPDATE open_groups_state SET dirty = 1")
    assert query.count(db, date(2025, 6, 1)) == 4  # stale: counted from the invoices
    assert query.count(db, date(2025, 2, 10)) == 2
    db.close()

"""``domeo check``'s rules at their boundaries, as the README states them.

- An invoice dated exactly the as-of day (today by default) is not in the
  future; dated the day after, it is.
- Two contacts of one customer are one person when their names are the same
  in any case, or their emails are the same in any case.
"""

from __future__ import annotations

from datetime import datetime, timezone

from test_today import pin_clock

D = "2025-06-30"

ROWS = [
    # Dated on the as-of day, and the day after.
    {"customer": "Time Co", "number": "T0", "date": "06/30/25", "due": "07/30/25", "total": "5"},
    {"customer": "Time Co", "number": "T1", "date": "07/01/25", "due": "07/31/25", "total": "5"},
    # One email, written in two cases, under two names.
    {"customer": "Mail Co", "number": "M1", "date": "06/01/25", "due": "07/01/25", "total": "5",
     "contact": "Ann Lee", "email": "ann@x.example"},
    {"customer": "Mail Co", "number": "M2", "date": "06/02/25", "due": "07/02/25", "total": "5",
     "contact": "Annie Lee", "email": "ANN@X.example"},
    # One name, written in two cases, with two emails.
    {"customer": "Name Co", "number": "N1", "date": "06/01/25", "due": "07/01/25", "total": "5",
     "contact": "Bob Stone", "email": "bob@y.example"},
    {"customer": "Name Co", "number": "N2", "date": "06/02/25", "due": "07/02/25", "total": "5",
     "contact": "BOB STONE", "email": "robert@y.example"},
    # Two people: names and emails differ by more than case.
    {"customer": "Other Co", "number": "O1", "date": "06/01/25", "due": "07/01/25", "total": "5",
     "contact": "Cy Moss", "email": "cy@z.example"},
    {"customer": "Other Co", "number": "O2", "date": "06/02/25", "due": "07/02/25", "total": "5",
     "contact": "Cyd Moss", "email": "cyd@z.example"},
]  # fmt: skip

FUTURE = {
    "check": "future_invoice",
    "message": "T1 of Time Co is dated 2025-07-01, after 2025-06-30.",
    "invoices": ["T1"],
    "customers": ["Time Co"],
}
DUPLICATES = [
    {
        "check": "duplicate_contact",
        "message": "Mail Co has 2 contacts with the same email: Ann Lee / ann@x.example; Annie Lee / ANN@X.example.",
        "invoices": ["M1", "M2"],
        "customers": ["Mail Co"],
    },
    {
        "check": "duplicate_contact",
        "message": "Name Co has 2 contacts with the same name: BOB STONE / robert@y.example; Bob Stone / "
        "bob@y.example.",
        "invoices": ["N2", "N1"],
        "customers": ["Name Co"],
    },
]


def test_check_at_its_boundaries(run, load_rows) -> None:  # noqa: ANN001
    load_rows(ROWS)
    result = run("check", "--as-of", D, "--json")
    assert result.exit_code == 4, result
    document = result.json
    assert document["findings"] == [FUTURE, *DUPLICATES]
    assert (document["as_of"], document["total"]) == (D, 3)
    # The day after, T1 is dated that very day: no longer in the future.
    later = run("check", "--as-of", "2025-07-01", "--json").json
    assert later["findings"] == DUPLICATES


def test_check_dates_the_future_from_today_in_new_york(run, load_rows, monkeypatch) -> None:  # noqa: ANN001
    """03:30 UTC on July 1st is June 30th in New York: T0 is dated today, T1 tomorrow."""
    load_rows(ROWS)
    pin_clock(monkeypatch, datetime(2025, 7, 1, 3, 30, tzinfo=timezone.utc))
    document = run("check", "--json").json
    assert document["as_of"] == D
    assert document["findings"] == [FUTURE, *DUPLICATES]

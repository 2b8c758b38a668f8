"""``domeo trend``: open AR, past due and DSO over time, from the kept history.

Each point is a date and the last load made on or before it: the invoices as
known after that load, counting only those issued by that date. Open AR is
the outstanding of Pending invoices; past due is the outstanding due before
the date (the contract's rules, as of each point).
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from ....errors import InvalidInput
from ....results.trend import Point, TrendReport
from ..history import Load, loads, state
from . import damage


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while True:
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        end = nxt - timedelta(days=1)
        if end > last:
            return ends
        if end >= first:
            ends.append(end)
        year, month = nxt.year, nxt.month


def _three_months_before(end: date) -> date:
    """The first day of the month two months before ``end``'s month."""
    month = end.month - 2
    year = end.year
    if month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _points(db: sqlite3.Connection, day: date, load: Load, months: bool) -> list[Point]:
    start = _three_months_before(day) if months else day
    iso = day.isoformat()
    rows = db.execute(
        f"""SELECT currency,
                   coalesce(sum(outstanding_cents) FILTER (WHERE status = 'Pending' AND outstanding_cents > 0), 0),
                   coalesce(sum(outstanding_cents) FILTER (WHERE outstanding_cents > 0 AND due_date < ?), 0),
                   coalesce(sum(bill_total_cents) FILTER (WHERE invoice_date >= ?), 0)
            FROM ({state(load.id)}) WHERE invoice_date <= ? GROUP BY currency ORDER BY currency""",
        (iso, start.isoformat(), iso),
    ).fetchall()
    if not (
        damage.sums_whole(*(v for row in rows for v in row[1:])) and damage.currencies_sound(*(r[0] for r in rows))
    ):
        raise damage.refuse(db)
    days = (day - start).days + 1 if months else None
    return [
        Point(day, load.id, currency, open_ar, past, billed if months else None, days)
        for currency, open_ar, past, billed in rows
    ]


def trend(db: sqlite3.Connection, first: date | None, last: date | None, every: str, today: date) -> TrendReport:
    """The points from ``first`` to ``last`` (default: the first load's date, and ``today``)."""
    known = [load for load in loads(db) if load.last_invoice_id is not None]
    given = (first is not None, last is not None)
    if first is None:
        first = date.fromisoformat(known[0].as_of) if known else today
    if last is None:
        last = today
    if first > last:  # given so, or a default: the first load dated after today (a typo in its --as-of)
        start = f"--from {first}" if given[0] else f"{first} (the first load's date, the default of --from)"
        end = f"--to {last}" if given[1] else f"{last} (today, the default of --to)"
        way_out = "" if given[0] else "; if that load's date is a typo, `domeo redate` gives it its real date"
        raise InvalidInput(
            f"The trend would start at {start}, after its end at {end}: give --from and --to in order{way_out}."
        )
    if every == "load":
        by_day: dict[str, Load] = {}
        for load in known:
            if first.isoformat() <= load.as_of <= last.isoformat():
                by_day[load.as_of] = load  # the last load of the day
        days = [(date.fromisoformat(d), load) for d, load in by_day.items()]
    else:
        days = []
        for end in _month_ends(first, last):
            earlier = [load for load in known if load.as_of <= end.isoformat()]
            if earlier:
                days.append((end, earlier[-1]))
    points: list[Point] = []
    for day, load in days:
        points.extend(_points(db, day, load, every == "month"))
    return TrendReport(first, last, every, points)

"""``forecast``: the open amount falling due in each of the next weeks, per currency, overdue first."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from ....results.forecast import ForecastReport, ForecastRow
from . import damage
from .common import issued_after


def forecast(db: sqlite3.Connection, as_of: date, weeks: int) -> ForecastReport:
    """Open invoices (outstanding > 0, issued by ``as_of``) due before ``as_of + 7 * weeks``, by currency and week.

    Week k holds the due dates in [as_of + 7(k-1), as_of + 7k); week 0 (overdue) every due date before
    ``as_of``. Every week of every currency met is listed, a week with nothing due as zero.
    """
    end = as_of + timedelta(days=7 * weeks)
    # As of D, an invoice issued after D did not exist: left out (a test only when one may be).
    issued = " AND invoice_date <= :as_of" if issued_after(db, as_of) else ""
    found = db.execute(
        f"""SELECT currency,
                   CASE WHEN due_date < :as_of THEN 0
                        ELSE CAST((julianday(due_date) - julianday(:as_of)) / 7 AS INTEGER) + 1 END AS week,
                   COUNT(*), SUM(outstanding_cents)
            FROM invoices INDEXED BY invoices_open_by_due
            WHERE outstanding_cents > 0 AND due_date < :end{issued}
            GROUP BY currency, week""",
        {"as_of": as_of.isoformat(), "end": end.isoformat()},
    ).fetchall()
    if not (
        all(week is not None for _, week, _, _ in found)
        and damage.sums_whole(*(cents for _, _, _, cents in found))
        and damage.currencies_sound(*(cur for cur, _, _, _ in found))
    ):
        raise damage.refuse(db)  # a due date that is no date, cents that are not whole: rows domeo never writes
    cells = {(cur, week): (n, cents) for cur, week, n, cents in found}
    rows = []
    for cur in sorted({cur for cur, _ in cells}):
        n, cents = cells.get((cur, 0), (0, 0))
        rows.append(ForecastRow(cur, None, None, as_of - timedelta(days=1), n, cents))
        for week in range(1, weeks + 1):
            n, cents = cells.get((cur, week), (0, 0))
            first = as_of + timedelta(days=7 * (week - 1))
            rows.append(ForecastRow(cur, week, first, first + timedelta(days=6), n, cents))
    return ForecastReport(as_of, weeks, rows)

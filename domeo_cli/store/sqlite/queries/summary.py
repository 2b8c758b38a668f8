"""Billing of a month, or of each month of a range, per currency.

Monthly sums of every customer come from ``billing_by_month`` (kept by
triggers); one customer's from ``invoices_by_customer_month``.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from ....days import month_end
from ....options import check_currency, check_month_range
from ....results.summary import CurrencySum, MonthCurrency, MonthSeries, MonthSummary
from . import damage
from .common import find_customer


def summary(
    db: sqlite3.Connection,
    month_start: date,
    month_last: date,
    *,
    customer: str | None = None,
    currency: str | None = None,
) -> MonthSummary:
    """Sum of bill_total and count of invoices dated from month_start to month_last, per currency."""
    code = check_currency(currency) if currency is not None else None
    found = find_customer(db, customer) if customer is not None else None
    where = ["invoice_date >= ?", "invoice_date <= ?"]
    params: list[object] = [month_start.isoformat(), month_last.isoformat()]
    if found is not None:
        where.append("customer_id = ?")
        params.append(found.id)
    if code is not None:
        where.append("currency = ?")
        params.append(code)
    month_key = f"{month_start.year:04d}-{month_start.month:02d}"
    whole_month = month_start.day == 1 and month_last == month_end(month_start.year, month_start.month)
    if found is None and whole_month:
        # All customers' month: the rollup kept by triggers holds it in one row per
        # currency, so the answer costs the same on ten million invoices as on ten.
        rows = db.execute(
            "SELECT currency, bill_total_cents, invoices FROM billing_by_month "
            "WHERE month = ? AND invoices > 0"
            + (" AND currency = ?" if code is not None else "")
            + " ORDER BY currency",
            [month_key, *([code] if code is not None else [])],
        ).fetchall()
    else:
        rows = db.execute(
            f"SELECT currency, sum(bill_total_cents), count(*) FROM invoices WHERE {' AND '.join(where)} "
            "GROUP BY currency ORDER BY currency",
            params,
        ).fetchall()
    by_currency = [CurrencySum(*row) for row in rows]
    # A bill total of 12.5 cents, a currency written by another program.
    if not (
        damage.sums_whole(*(c.sum_bill_total for c in by_currency))
        and damage.currencies_sound(*(c.currency for c in by_currency))
    ):
        raise damage.refuse(db)
    if code is not None:
        headline = code
    elif len(by_currency) == 1:
        headline = by_currency[0].currency
    else:
        headline = "USD"
    main = next((c for c in by_currency if c.currency == headline), CurrencySum(headline, 0, 0))
    return MonthSummary(
        month=month_key,
        currency=headline,
        sum_bill_total=main.sum_bill_total,
        count_invoices=main.count_invoices,
        by_currency=by_currency,
        customer=found,
    )


# -- summary over a range of months ----------------------------------------------------


def month_range(start: date, end: date) -> list[str]:
    """``YYYY-MM`` of every month from ``start``'s through ``end``'s, in order."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def summary_range(
    db: sqlite3.Connection,
    first: date,
    last: date,
    *,
    customer: str | None = None,
    currency: str | None = None,
) -> MonthSeries:
    """Billing of each month from ``first``'s month through ``last``'s, per currency.

    Every month appears for every currency reported (zeros included), so a
    series has no gaps: ``currency`` if given, else every currency billed in
    the range, else USD.
    """
    check_month_range(first, last)
    code = check_currency(currency) if currency is not None else None
    found = find_customer(db, customer) if customer is not None else None
    months = month_range(first, last)
    if found is None:
        sql = (
            "SELECT month, currency, bill_total_cents, invoices FROM billing_by_month "
            "WHERE month >= ? AND month <= ? AND invoices > 0"
        )
        params: list[object] = [months[0], months[-1]]
    else:
        sql = (
            "SELECT substr(invoice_date, 1, 7), currency, sum(bill_total_cents), count(*) "
            "FROM invoices INDEXED BY invoices_by_customer_month "
            "WHERE customer_id = ? AND invoice_date >= ? AND invoice_date < ?"
        )
        end_year, end_month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
        params = [found.id, f"{months[0]}-01", f"{end_year:04d}-{end_month:02d}-01"]
    if code is not None:
        sql += " AND currency = ?"
        params.append(code)
    if found is not None:
        sql += " GROUP BY 1, 2"
    cells = {(m, cur): (cents, count) for m, cur, cents, count in db.execute(sql, params)}
    if not (damage.sums_whole(*(c for c, _ in cells.values())) and damage.currencies_sound(*(c for _, c in cells))):
        raise damage.refuse(db)
    currencies = sorted({cur for _, cur in cells}) if code is None else [code]
    if not currencies:
        currencies = ["USD"]
    series = [MonthCurrency(m, cur, *cells.get((m, cur), (0, 0))) for m in months for cur in currencies]
    by_currency = [
        CurrencySum(
            cur,
            sum(s.sum_bill_total for s in series if s.currency == cur),
            sum(s.count_invoices for s in series if s.currency == cur),
        )
        for cur in currencies
    ]
    return MonthSeries(months[0], months[-1], currencies, series, by_currency, found)

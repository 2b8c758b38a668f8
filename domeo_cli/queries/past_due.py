"""The contract's three reports: past-due, summary and contact."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from ..days import month_end
from ..errors import InvalidInput
from .common import Customer, check_currency, check_page, find_customer

SORTS = ("due_date.asc", "due_date.desc")


def check_sort(sort: str) -> None:
    """Raise InvalidInput unless ``sort`` is one of SORTS."""
    if sort not in SORTS:
        raise InvalidInput(f"--sort takes {' or '.join(SORTS)}, not {sort!r}.")


# -- past-due ----------------------------------------------------------------------


class PastDueItem(NamedTuple):
    """One past-due invoice."""

    invoice_number: str
    customer_name: str
    invoice_date: str
    due_date: str
    bill_total: int
    applied: int
    outstanding: int
    currency: str
    status: str
    days_past_due: int


class PastDuePage(NamedTuple):
    """A page of past-due invoices and how many match in all."""

    as_of: date
    sort: str
    items: list[PastDueItem]
    total: int
    limit: int
    offset: int


def past_due(
    db: sqlite3.Connection, as_of: date, *, limit: int = 50, offset: int = 0, sort: str = "due_date.asc"
) -> PastDuePage:
    """Invoices with outstanding > 0 and due_date < as_of, by due date then invoice number."""
    check_page(limit, offset)
    check_sort(sort)
    if sort == "due_date.asc":
        index, order = "invoices_open_by_due", "due_date, invoice_number"
    else:
        index, order = "invoices_open_by_due_desc", "due_date DESC, invoice_number"
    cutoff = as_of.isoformat()
    # Page through the narrow index first, then fetch only the page's rows, so a
    # large --offset skips index entries rather than joined rows.
    rows = db.execute(
        f"""WITH page AS (
                SELECT id, due_date, invoice_number FROM invoices INDEXED BY {index}
                WHERE outstanding_cents > 0 AND due_date < ?
                ORDER BY {order} LIMIT ? OFFSET ?)
            SELECT i.invoice_number, c.name, i.invoice_date, i.due_date, i.bill_total_cents,
                   i.applied_cents, i.outstanding_cents, i.currency, i.status
            FROM page JOIN invoices AS i ON i.id = page.id JOIN customers AS c ON c.id = i.customer_id
            ORDER BY {", ".join("page." + part for part in order.split(", "))}""",
        # An offset past SQLite's 64-bit integers is past the end all the same.
        (cutoff, limit, min(offset, 2**63 - 1)),
    ).fetchall()
    total = db.execute(
        "SELECT count(*) FROM invoices INDEXED BY invoices_open_by_due WHERE outstanding_cents > 0 AND due_date < ?",
        (cutoff,),
    ).fetchone()[0]
    ordinal = as_of.toordinal()
    items = [PastDueItem(*row, days_past_due=ordinal - date.fromisoformat(row[3]).toordinal()) for row in rows]
    return PastDuePage(as_of, sort, items, total, limit, offset)


def past_due_totals(db: sqlite3.Connection, as_of: date) -> list[tuple[str, int, int]]:
    """``(currency, outstanding cents, invoices)`` over every past-due invoice, by currency.

    Read from the covering index on (currency, due_date, outstanding_cents) of open
    invoices, one currency at a time: each currency is one seek to the next code, then
    one range of past-due entries summed inside the index, never a table row. (Grouping
    the due-date index by currency instead looked up every past-due invoice's row.)
    """
    cutoff = as_of.isoformat()
    totals = []
    currency = ""
    while True:
        found = db.execute(
            "SELECT currency FROM invoices INDEXED BY invoices_open_by_currency_due "
            "WHERE outstanding_cents > 0 AND currency > ? ORDER BY currency LIMIT 1",
            (currency,),
        ).fetchone()
        if found is None:
            return totals
        currency = found[0]
        cents, count = db.execute(
            "SELECT sum(outstanding_cents), count(*) FROM invoices INDEXED BY invoices_open_by_currency_due "
            "WHERE outstanding_cents > 0 AND currency = ? AND due_date < ?",
            (currency, cutoff),
        ).fetchone()
        if count:
            totals.append((currency, cents, count))


# -- summary -----------------------------------------------------------------------


class CurrencySum(NamedTuple):
    """Billing of one currency."""

    currency: str
    sum_bill_total: int
    count_invoices: int


class MonthSummary(NamedTuple):
    """What was billed in a month: the headline currency and, if several, all of them."""

    month: str
    currency: str
    sum_bill_total: int
    count_invoices: int
    by_currency: list[CurrencySum]
    customer: Customer | None

    @property
    def mixed(self) -> bool:
        """True when the matched invoices are in more than one currency."""
        return len(self.by_currency) > 1


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


# -- contact -----------------------------------------------------------------------


class Contact(NamedTuple):
    """A distinct contact of a customer and the last invoice date it appeared on."""

    name: str | None
    email: str | None
    phone: str | None
    last_seen_invoice_date: str


class ContactPage(NamedTuple):
    """A page of a customer's contacts, most recently seen first."""

    customer: Customer
    contacts: list[Contact]
    total: int
    limit: int
    offset: int


def contacts(db: sqlite3.Connection, name: str, *, limit: int = 10, offset: int = 0) -> ContactPage:
    """The contacts of the customer called ``name``; NotFound if there is none."""
    check_page(limit, offset)
    found = find_customer(db, name)
    rows = db.execute(
        "SELECT name, email, phone, last_seen FROM contacts WHERE customer_id = ? "
        "ORDER BY last_seen DESC, name, email, phone LIMIT ? OFFSET ?",
        (found.id, limit, min(offset, 2**63 - 1)),  # a huge offset is just past the end
    ).fetchall()
    total = db.execute("SELECT count(*) FROM contacts WHERE customer_id = ?", (found.id,)).fetchone()[0]
    items = [Contact(n or None, e or None, p or None, seen) for n, e, p, seen in rows]
    return ContactPage(found, items, total, limit, offset)

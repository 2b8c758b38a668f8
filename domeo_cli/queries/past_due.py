"""Past-due invoices as of a date: a page of them, and totals per currency."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from ..errors import InvalidInput
from .common import check_page

SORTS = ("due_date.asc", "due_date.desc")


def check_sort(sort: str) -> None:
    """Raise InvalidInput unless ``sort`` is one of SORTS."""
    if sort not in SORTS:
        raise InvalidInput(f"--sort takes {' or '.join(SORTS)}, not {sort!r}.")


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
    #: ``(currency, outstanding cents, invoices)`` over every past-due invoice, when asked for.
    totals: list[tuple[str, int, int]] | None = None


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

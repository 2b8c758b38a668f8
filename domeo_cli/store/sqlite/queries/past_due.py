"""Past-due invoices as of a date: a page of them, and totals per currency."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date

from ....options import check_page, check_past_due_sort
from ....results.past_due import Filters, PastDueItem, PastDuePage
from ..derived import open_groups_stale
from . import damage
from .common import issued_later, kept_currencies, running

NO_FILTERS = Filters()


def past_due(
    db: sqlite3.Connection,
    as_of: date,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: str = "due_date.asc",
    filters: Filters = NO_FILTERS,
) -> PastDuePage:
    """Invoices with outstanding > 0 and due_date < as_of, by due date then invoice number."""
    check_page(limit, offset)
    check_past_due_sort(sort)
    total = count(db, as_of, filters)
    if not filters.plain:
        items = list(iter_past_due(db, as_of, sort=sort, filters=filters, limit=limit, offset=offset))
        return PastDuePage(as_of, sort, items, total, limit, offset, filters=filters)
    if sort == "due_date.asc":
        index, order = "invoices_open_by_due", "due_date, invoice_number"
    else:
        index, order = "invoices_open_by_due_desc", "due_date DESC, invoice_number"
    cutoff = as_of.isoformat()
    # As of D, an invoice issued after D did not exist: left out, by a test only when one that is
    # due before D may be (none is past due otherwise: it is due on or after its issue, after D).
    issued = " AND invoice_date <= :as_of" if issued_later(db, as_of, cutoff) else ""
    # Page through the narrow index first, then fetch only the page's rows, so a
    # large --offset skips index entries rather than joined rows.
    rows = db.execute(
        f"""WITH page AS (
                SELECT id, due_date, invoice_number FROM invoices INDEXED BY {index}
                WHERE outstanding_cents > 0 AND due_date < :as_of{issued}
                ORDER BY {order} LIMIT :limit OFFSET :offset)
            SELECT i.invoice_number, c.name, i.invoice_date, i.due_date, i.bill_total_cents,
                   i.applied_cents, i.outstanding_cents, i.currency, i.status, {damage.sound()}
            FROM page JOIN invoices AS i ON i.id = page.id LEFT JOIN customers AS c ON c.id = i.customer_id
            ORDER BY {", ".join("page." + part for part in order.split(", "))}""",
        {"as_of": cutoff, "limit": limit, "offset": offset},
    ).fetchall()
    ordinal = as_of.toordinal()
    items = []
    for *row, sound in rows:
        if not sound:  # changed by another program: never printed, never half a page
            raise damage.refuse(db, row[0])
        items.append(PastDueItem(*row, days_past_due=ordinal - date.fromisoformat(row[3]).toordinal()))
    return PastDuePage(as_of, sort, items, total, limit, offset)


def past_due_totals(db: sqlite3.Connection, as_of: date) -> list[tuple[str, int, int]]:
    """``(currency, outstanding cents, invoices)`` over every past-due invoice, by currency.

    From the running sums per (currency, due date) that loads keep in
    ``open_days`` (two seeks a currency, whatever the size of the book), less
    the few invoices issued after ``as_of`` that are due before it
    (``issued_later``). When the kept table is stale, summed from the covering
    index on (currency, due_date, outstanding_cents) of open invoices instead,
    one range of past-due entries per currency, never a table row.
    """
    cutoff = as_of.isoformat()
    later = issued_later(db, as_of, cutoff)
    if open_groups_stale(db):
        issued = " AND invoice_date <= :as_of" if later else ""
        found = db.execute(
            "SELECT currency, sum(outstanding_cents), count(*) FROM invoices INDEXED BY invoices_open_by_currency_due "
            f"WHERE outstanding_cents > 0 AND due_date < :as_of{issued} GROUP BY currency ORDER BY currency",
            {"as_of": cutoff},
        ).fetchall()
        later = []
    else:  # two seeks per currency: its running sums the day before the cut-off
        found = [(cur, cents, n) for cur in kept_currencies(db) for n, cents in [running(db, "due", cur, cutoff)]]
    less: dict[str, list[int]] = {}
    for currency, _, n, cents in later:
        acc = less.setdefault(currency, [0, 0])
        acc[0] += cents
        acc[1] += n
    totals = []
    for currency, cents, count in found:
        out_cents, out_count = less.get(currency, (0, 0))
        if not (damage.sums_whole(cents) and damage.currencies_sound(currency)):
            raise damage.refuse(db)
        if count - out_count:
            totals.append((currency, cents - out_cents, count - out_count))
    return totals


# -- narrowed, and every row for an export -------------------------------------------------

_MAIN_CONTACT = (
    "(SELECT {col} FROM contacts AS k WHERE k.customer_id = i.customer_id "
    "ORDER BY k.last_seen DESC, k.name, k.email, k.phone LIMIT 1)"
)


def _cutoff(as_of: date, min_days: int) -> str:
    """The due date before which an invoice is at least ``min_days`` past due, as ISO text."""
    from datetime import timedelta

    try:
        return (as_of - timedelta(days=max(min_days, 1) - 1)).isoformat()
    except OverflowError:
        return "0000-00-00"  # no date is that far back: nothing matches


def _where(as_of: date, filters: Filters, issued: bool = True) -> tuple[str, list[object]]:
    """SQL terms and parameters of the past-due invoices under ``filters``.

    As of D, an invoice issued after D did not exist yet: ``issued`` False
    drops that test, for a caller that knows no open invoice issued after D is
    due before the cut-off (``issued_later``).
    """
    where = "i.outstanding_cents > 0 AND i.due_date < ?"
    params: list[object] = [_cutoff(as_of, filters.min_days)]
    if issued:
        where += " AND i.invoice_date <= ?"
        params.append(as_of.isoformat())
    if filters.customer_ids is not None:
        where += " AND i.customer_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(filters.customer_ids))
    return where, params


def count(db: sqlite3.Connection, as_of: date, filters: Filters = NO_FILTERS) -> int:
    """How many invoices are past due as of ``as_of`` under ``filters``.

    Without a customer, the running sums per (currency, due date) that loads
    keep in ``open_days`` give the count in two seeks a currency (where
    counting 57,000 entries of the due-date index took 1.2 ms), less the few invoices issued after ``as_of``
    but due before the cut-off (``issued_later``), which did not exist yet.
    They are read when current (no open invoice written since the last load
    kept them); otherwise the invoices are counted: along the due-date index,
    or the customer's.
    """
    cutoff = _cutoff(as_of, filters.min_days)
    later = issued_later(db, as_of, cutoff)
    if filters.customer_ids is None and not open_groups_stale(db):
        kept = sum(running(db, "due", cur, cutoff)[0] for cur in kept_currencies(db))
        return kept - sum(n for *_, n, _ in later)
    where, params = _where(as_of, filters, issued=bool(later))
    # The due-date index holds every column tested but the invoice date; with a customer
    # filter the planner picks the per-customer index, which holds them all.
    hint = "INDEXED BY invoices_open_by_due" if filters.customer_ids is None else ""
    return db.execute(f"SELECT count(*) FROM invoices AS i {hint} WHERE {where}", params).fetchone()[0]


def totals(db: sqlite3.Connection, as_of: date, filters: Filters = NO_FILTERS) -> list[tuple[str, int, int]]:
    """``(currency, outstanding cents, invoices)`` of every past-due invoice under ``filters``, by currency."""
    if filters.customer_ids is None and filters.min_days <= 1:
        return past_due_totals(db, as_of)
    where, params = _where(as_of, filters)
    found = db.execute(
        f"SELECT i.currency, sum(i.outstanding_cents), count(*) FROM invoices AS i WHERE {where} "
        "GROUP BY i.currency ORDER BY i.currency",
        params,
    ).fetchall()
    if not (damage.sums_whole(*(c for _, c, _ in found)) and damage.currencies_sound(*(c for c, _, _ in found))):
        raise damage.refuse(db)
    return found


def first_damaged(db: sqlite3.Connection, as_of: date, filters: Filters = NO_FILTERS) -> str | None:
    """The number of the first invoice ``iter_past_due`` would meet damaged (``damage``), or None.

    An export of every row (``--all``) asks this first, in the same snapshot, and
    then streams with ``checked``: a stream to stdout never stops half way on a
    row it cannot print. One pass in table order over the invoices (a million in
    about a second), not a look-up per row along the due-date index; customers
    that do not exist are looked for along the index by customer.
    """
    where, params = _where(as_of, filters)
    if damage.missing_customers(db):  # rare: only then are the invoices of no customer looked for
        row = db.execute(
            f"SELECT min(i.invoice_number) FROM invoices AS i WHERE {where} "
            f"AND i.customer_id IN ({damage.MISSING_CUSTOMERS})",
            params,
        ).fetchone()
        if row[0] is not None:
            return row[0]
    scan = "NOT INDEXED" if filters.customer_ids is None else ""
    row = db.execute(
        f"SELECT i.invoice_number FROM invoices AS i {scan} WHERE {where} AND NOT {damage.sound('1')} LIMIT 1",
        params,
    ).fetchone()
    return None if row is None else row[0]


def iter_past_due(
    db: sqlite3.Connection,
    as_of: date,
    *,
    sort: str = "due_date.asc",
    filters: Filters = NO_FILTERS,
    limit: int = -1,
    offset: int = 0,
    checked: bool = False,
) -> Iterator[PastDueItem]:
    """Past-due invoices one by one from a cursor, in ``sort`` order (``limit`` -1: all of them).

    Every invoice is read in the order of the due-date index, so no sort is
    built and memory stays flat however many rows come out. Each row is
    checked for damage (``damage.sound``) as it is read, unless ``checked`` says
    ``first_damaged`` found none in this snapshot already.
    """
    check_past_due_sort(sort)
    where, params = _where(as_of, filters)
    index = "invoices_open_by_due" if sort == "due_date.asc" else "invoices_open_by_due_desc"
    order = "i.due_date, i.invoice_number" if sort == "due_date.asc" else "i.due_date DESC, i.invoice_number"
    contact = ""
    if filters.contact:
        contact = ", " + ", ".join(_MAIN_CONTACT.format(col=col) for col in ("name", "email", "phone"))
    # With a customer filter the planner picks the per-customer index; otherwise the due-date one.
    hint = f"INDEXED BY {index}" if filters.customer_ids is None else ""
    cursor = db.execute(
        f"""SELECT i.invoice_number, c.name, i.invoice_date, i.due_date, i.bill_total_cents,
                   i.applied_cents, i.outstanding_cents, i.currency, i.status{contact},
                   {"1" if checked else damage.sound()}
            FROM invoices AS i {hint} LEFT JOIN customers AS c ON c.id = i.customer_id
            WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?""",
        [*params, limit, offset],
    )
    ordinal = as_of.toordinal()
    for *row, sound in cursor:
        if not sound:
            raise damage.refuse(db, row[0])
        days = ordinal - date.fromisoformat(row[3]).toordinal()
        if filters.contact:
            yield PastDueItem(*row[:9], days, *(value or None for value in row[9:]))
        else:
            yield PastDueItem(*row, days_past_due=days)

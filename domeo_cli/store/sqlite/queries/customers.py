"""Customers at a glance: every customer (a page of them) with its number, parent,
invoice count, open AR and past-due amount per currency, oldest days past due,
last invoice date and main contact.

Amounts stay integer cents; open amounts come from the partial covering index
``invoices_open_by_customer``, counts and last dates of a page's customers
from ``invoices_by_customer_month``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date

from ....names import name_key
from ....options import check_customer_sort, check_page
from ....results.customers import Balance, CustomerLine, CustomerPage
from . import damage
from .common import issued_after, main_contact

_OPEN = """
    SELECT customer_id, currency,
           sum((status = 'Pending') * outstanding_cents) AS open_cents,
           sum((due_date < ?) * outstanding_cents) AS past_cents,
           min(iif(due_date < ?, due_date, NULL)) AS oldest
    FROM invoices INDEXED BY invoices_open_by_customer
    WHERE outstanding_cents > 0{issued} AND customer_id IN ({marks})
    GROUP BY customer_id, currency"""

# What each sort ranks by, per customer, from the open invoices that count for it
# (a WHERE on the index scan, no per-row arithmetic), and in which order; ties
# always by name, then id, so pages never overlap. Amounts: the largest of the
# customer's per-currency sums (amounts are compared, never added, across currencies).
# ``{issued}``: the test leaving out invoices dated after the as-of date, when one may be.
_IDX = "FROM invoices INDEXED BY invoices_open_by_customer WHERE outstanding_cents > 0{issued}"
_RANK = {
    "open": (
        f"SELECT customer_id, max(v) AS key FROM (SELECT customer_id, currency, sum(outstanding_cents) AS v "
        f"{_IDX} AND status = 'Pending' GROUP BY customer_id, currency) GROUP BY customer_id",
        "coalesce(k.key, 0) DESC",
    ),
    "past_due": (
        f"SELECT customer_id, max(v) AS key FROM (SELECT customer_id, currency, sum(outstanding_cents) AS v "
        f"{_IDX} AND due_date < :as_of GROUP BY customer_id, currency) GROUP BY customer_id",
        "coalesce(k.key, 0) DESC",
    ),
    "oldest": (
        f"SELECT customer_id, min(due_date) AS key {_IDX} AND due_date < :as_of GROUP BY customer_id",
        "k.key IS NULL, k.key",
    ),
}


def customers(
    db: sqlite3.Connection,
    as_of: date,
    *,
    search: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
) -> CustomerPage:
    """A page of customers in ``sort`` order, optionally those whose name contains ``search``.

    Amount sorts put the largest first, comparing each customer's largest
    single-currency amount (amounts are compared, never added, across
    currencies); ``oldest`` puts the longest past due first.
    """
    check_page(limit, offset)
    check_customer_sort(sort)
    issued = _issued(db, as_of)
    sql, params = _ranked(search, sort, as_of, issued)
    total = db.execute(f"SELECT count(*) FROM customers AS c {params.pop('where')}", params).fetchone()[0]
    paged = {**params, "limit": limit, "offset": offset}
    ids = [cid for (cid,) in db.execute(sql + " LIMIT :limit OFFSET :offset", paged)]
    lines = _lines(db, ids, as_of, bool(issued))
    return CustomerPage(as_of, sort, search, lines, total, limit, offset)


def _ranked(search: str | None, sort: str, as_of: date, issued: str = "") -> tuple[str, dict]:
    """The SQL listing customer ids in ``sort`` order, its parameters, and (as ``where``) its filter.

    ``issued``: the SQL test leaving out invoices dated after ``as_of`` (see ``_IDX``), when one may be.
    """
    needle = name_key(search) if search is not None else None
    where, params = "", {"as_of": as_of.isoformat()}
    if needle:
        where = "WHERE instr(c.name_key, :needle) > 0"
        params["needle"] = needle
    if sort in _RANK:
        ranking, order = _RANK[sort]
        ranking = ranking.format(issued=issued)
        sql = f"""WITH k AS ({ranking})
                  SELECT c.id FROM customers AS c LEFT JOIN k ON k.customer_id = c.id {where}
                  ORDER BY {order}, c.name_key, c.id"""
    else:
        sql = f"SELECT c.id FROM customers AS c {where} ORDER BY c.name_key, c.id"
    return sql, {**params, "where": where}


def count_customers(db: sqlite3.Connection, search: str | None = None) -> int:
    """How many customers ``search`` matches (all of them when None)."""
    _, params = _ranked(search, "name", date.min)
    where = params.pop("where")
    return db.execute(f"SELECT count(*) FROM customers AS c {where}", params).fetchone()[0]


def iter_customers(
    db: sqlite3.Connection, as_of: date, *, search: str | None = None, sort: str = "name", chunk: int = 500
) -> Iterator[CustomerLine]:
    """Every customer ``search`` matches, in ``sort`` order, a chunk of lines at a time (flat memory)."""
    check_customer_sort(sort)
    issued = _issued(db, as_of)
    sql, params = _ranked(search, sort, as_of, issued)
    params.pop("where")
    cursor = db.execute(sql, params)
    while True:
        ids = [cid for (cid,) in cursor.fetchmany(chunk)]
        if not ids:
            return
        yield from _lines(db, ids, as_of, bool(issued))


def meets_damage(db: sqlite3.Connection) -> bool:
    """True when a line of ``iter_customers`` would meet a value domeo never writes (``damage``).

    What a line reads: every invoice's date (the last invoice date), and the open
    invoices' amounts, due dates and currencies. An export of every customer (``--all``) asks
    first, in the same snapshot, so a stream to stdout never stops half way.
    """
    return (
        db.execute(
            f"SELECT 1 FROM invoices WHERE NOT {damage.real_date('invoice_date')} OR (outstanding_cents > 0 "
            f"AND NOT (typeof(outstanding_cents) = 'integer' AND {damage.real_date('due_date')} "
            "AND currency GLOB '[A-Z][A-Z][A-Z]')) LIMIT 1"
        ).fetchone()
        is not None
    )


def _issued(db: sqlite3.Connection, as_of: date) -> str:
    """As of D, an invoice issued after D did not exist: the SQL test leaving it out, when one may be."""
    return " AND invoice_date <= :as_of" if issued_after(db, as_of) else ""


def _lines(db: sqlite3.Connection, ids: list[int], as_of: date, issued: bool) -> list[CustomerLine]:
    """The report's line for each customer in ``ids``, in that order, as of ``as_of``.

    ``issued``: an open invoice may be dated after ``as_of`` and must be left out.
    """
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    base = {
        row[0]: row
        for row in db.execute(
            f"""SELECT c.id, c.name, c.customer_number, c.parent_number,
                       (SELECT p.name FROM customers AS p WHERE p.customer_number = c.parent_number
                        ORDER BY p.id LIMIT 1),
                       (SELECT count(*) FROM invoices AS i WHERE i.customer_id = c.id AND i.invoice_date <= ?),
                       (SELECT max(invoice_date) FROM invoices AS i WHERE i.customer_id = c.id AND i.invoice_date <= ?)
                FROM customers AS c WHERE c.id IN ({marks})""",
            [as_of.isoformat(), as_of.isoformat(), *ids],
        )
    }
    balances: dict[int, list[Balance]] = {}
    for cid, currency, open_cents, past_cents, oldest in db.execute(
        _OPEN.format(marks=marks, issued=" AND invoice_date <= ?" if issued else ""),
        [as_of.isoformat()] * (3 if issued else 2) + ids,
    ):
        if open_cents or past_cents:
            balances.setdefault(cid, []).append(Balance(currency, open_cents, past_cents, oldest))
    ordinal = as_of.toordinal()
    lines = []
    for cid in ids:
        _, name, number, parent, parent_name, count, last = base[cid]
        if not damage.currencies_sound(*(b.currency for b in balances.get(cid, []))):
            raise damage.refuse(db)
        mine = sorted(balances.get(cid, []), key=lambda b: b.currency)
        dues = [b.oldest_due_date for b in mine if b.oldest_due_date is not None]
        first_due = damage.to_date(min(dues)) if dues else None
        if (dues and first_due is None) or (last is not None and damage.to_date(last) is None):
            raise damage.refuse(db)  # a date domeo never writes
        if not damage.sums_whole(*(b.open_ar for b in mine), *(b.past_due for b in mine)):
            raise damage.refuse(db)
        oldest = ordinal - first_due.toordinal() if first_due is not None else None
        main = main_contact(db, cid)
        lines.append(CustomerLine(cid, name, number, parent, parent_name, count, last, mine, oldest, main))
    return lines

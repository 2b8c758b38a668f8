"""A customer's statement of account: its open invoices, how late each is, and its aging.

An invoice is on the statement when it is open (``outstanding > 0``) and was
issued by the as-of date. Its days past due are ``as_of - due_date`` (0 when
not yet due); the buckets are the aging report's (current, 1-30, 31-60,
61-90, 91+ by default). With ``with_children``, each account below the
customer gets its own part, and the totals cover them all. Amounts stay
integer cents and are summed per currency only.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from .aging import DEFAULT_EDGES, bucket_names
from .common import Customer, MainContact, family_ids, find_customer, main_contact


class StatementInvoice(NamedTuple):
    """An open invoice on a statement."""

    invoice_number: str
    invoice_date: str
    due_date: str
    po_number: str | None
    bill_total: int
    applied: int
    outstanding: int
    currency: str
    days_past_due: int
    bucket: str


class StatementAging(NamedTuple):
    """Open amounts of one currency by bucket (current first); they add up to ``total``."""

    currency: str
    buckets: tuple[int, ...]
    total: int
    invoices: int


class StatementPart(NamedTuple):
    """One account of the statement: the customer, or one of the accounts below it."""

    customer: Customer
    contact: MainContact | None
    invoices: list[StatementInvoice]
    aging: list[StatementAging]


class Statement(NamedTuple):
    """The statement sent to a customer, as of a date."""

    as_of: date
    customer: Customer
    contact: MainContact | None
    bucket_names: list[str]
    parts: list[StatementPart]
    """The customer's own part first, then (``with_children``) every account below it."""
    totals: list[StatementAging]
    """Per currency, over every part."""
    with_children: bool


def _bucket(days: int, edges: tuple[int, ...]) -> int:
    """Index of the bucket ``days`` past due falls in (0: current)."""
    if days <= 0:
        return 0
    for index, edge in enumerate(edges, start=1):
        if days <= edge:
            return index
    return len(edges) + 1


def _aging(invoices: list[StatementInvoice], names: list[str]) -> list[StatementAging]:
    sums: dict[str, list[int]] = {}
    counts: dict[str, int] = {}
    for item in invoices:
        sums.setdefault(item.currency, [0] * len(names))[names.index(item.bucket)] += item.outstanding
        counts[item.currency] = counts.get(item.currency, 0) + 1
    return [StatementAging(cur, tuple(sums[cur]), sum(sums[cur]), counts[cur]) for cur in sorted(sums)]


def statement(
    db: sqlite3.Connection,
    name: str,
    as_of: date,
    *,
    with_children: bool = False,
    edges: tuple[int, ...] = DEFAULT_EDGES,
) -> Statement:
    """The statement of the customer ``name`` (or number) as of ``as_of``; NotFound if there is none."""
    found = find_customer(db, name)
    names = bucket_names(edges)
    ids = family_ids(db, found) if with_children else [found.id]
    ordinal = as_of.toordinal()
    parts = []
    for cid in ids:
        customer = (
            found
            if cid == found.id
            else Customer(
                *db.execute(
                    "SELECT id, name, customer_number, parent_number FROM customers WHERE id = ?", (cid,)
                ).fetchone()
            )
        )
        invoices = []
        for row in db.execute(
            """SELECT invoice_number, invoice_date, due_date, po_number, bill_total_cents, applied_cents,
                      outstanding_cents, currency
               FROM invoices WHERE customer_id = ? AND outstanding_cents > 0 AND invoice_date <= ?
               ORDER BY due_date, invoice_number""",
            (cid, as_of.isoformat()),
        ):
            late = ordinal - date.fromisoformat(row[2]).toordinal()
            invoices.append(StatementInvoice(*row, max(late, 0), names[_bucket(late, edges)]))
        parts.append(StatementPart(customer, main_contact(db, cid), invoices, _aging(invoices, names)))
    everything = [item for part in parts for item in part.invoices]
    return Statement(as_of, found, parts[0].contact, names, parts, _aging(everything, names), with_children)

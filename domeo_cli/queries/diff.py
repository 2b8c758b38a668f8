"""``domeo diff``: what changed between two loads.

Only the invoices a load in between touched are read: the ones added (ids
above the first load's last id, as ids are handed out in order) and the ones
with a version replaced in between (``invoice_versions.valid_to``). Each is
compared as it stood after the first load and after the second.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from ..history import FIELDS, Load

_F = ", ".join(FIELDS)


class Invoice(NamedTuple):
    """An invoice as it stood after one load."""

    invoice_number: str
    customer_name: str
    invoice_date: str
    due_date: str
    bill_total: int
    applied: int
    outstanding: int
    currency: str
    status: str


class Payment(NamedTuple):
    """Money applied to an invoice between the loads (negative: a payment taken back)."""

    invoice_number: str
    customer_name: str
    currency: str
    applied_before: int
    applied_after: int

    @property
    def amount(self) -> int:
        """The change of ``applied``, in cents."""
        return self.applied_after - self.applied_before


class Change(NamedTuple):
    """One field of an invoice that changed: status, bill total, invoice date or due date."""

    invoice_number: str
    customer_name: str
    currency: str
    field: str
    before: str | int
    after: str | int


class DiffReport(NamedTuple):
    """Everything that changed from load ``first`` to load ``second``."""

    first: Load
    second: Load
    new: list[Invoice]
    payments: list[Payment]
    status_changes: list[Change]
    changes: list[Change]
    missing: list[Invoice]

    def payment_totals(self) -> list[tuple[str, int, int]]:
        """``(currency, cents applied, invoices)`` per currency, sorted by code."""
        totals: dict[str, list[int]] = {}
        for p in self.payments:
            entry = totals.setdefault(p.currency, [0, 0])
            entry[0] += p.amount
            entry[1] += 1
        return [(cur, cents, n) for cur, (cents, n) in sorted(totals.items())]


def _side(n: int, last_id: int) -> str:
    """The rows of the touched invoices as known after load ``n`` (ids above ``last_id`` did not exist)."""
    return (
        f"SELECT id, {_F} FROM main.invoices WHERE id IN (SELECT id FROM temp.touched) AND id <= {last_id} "
        f"AND coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT invoice_id, {_F} FROM main.invoice_versions "
        f"WHERE invoice_id IN (SELECT id FROM temp.touched) AND valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )


def diff(db: sqlite3.Connection, first: Load, second: Load) -> DiffReport:
    """Compare the invoices as known after ``first`` and after ``second`` (``first`` before ``second``)."""
    a, b = first.id, second.id
    last_a, last_b = int(first.last_invoice_id or 0), int(second.last_invoice_id or 0)
    db.execute("DROP TABLE IF EXISTS temp.touched")
    db.execute(
        f"""CREATE TEMP TABLE touched AS
            SELECT id FROM main.invoices WHERE id > {last_a} AND id <= {last_b}
            UNION SELECT invoice_id FROM main.invoice_versions WHERE valid_to > {a} AND valid_to <= {b}"""
    )
    names = "(SELECT name FROM main.customers WHERE id = s.customer_id)"
    rows: dict[int, list] = {}
    for side, n, last in ((0, a, last_a), (1, b, last_b)):
        for row in db.execute(
            f"""SELECT s.id, s.invoice_number, {names}, s.invoice_date, s.due_date, s.bill_total_cents,
                       s.applied_cents, s.outstanding_cents, s.currency, s.status
                FROM ({_side(n, last)}) AS s"""
        ):
            rows.setdefault(row[0], [None, None])[side] = Invoice(*row[1:])
    new: list[Invoice] = []
    payments: list[Payment] = []
    status_changes: list[Change] = []
    changes: list[Change] = []
    for before, after in sorted(rows.values(), key=lambda pair: (pair[1] or pair[0]).invoice_number):
        if after is None:
            continue
        if before is None:
            new.append(after)
            continue
        who = (after.invoice_number, after.customer_name, after.currency)
        if before.applied != after.applied:
            payments.append(Payment(*who, before.applied, after.applied))
        if before.status != after.status:
            status_changes.append(Change(*who, "status", before.status, after.status))
        for field in ("bill_total", "invoice_date", "due_date", "currency"):
            old, now = getattr(before, field), getattr(after, field)
            if old != now:
                changes.append(Change(*who, field, old, now))
    missing = [
        Invoice(*row)
        for row in db.execute(
            f"""SELECT s.invoice_number, {names}, s.invoice_date, s.due_date, s.bill_total_cents, s.applied_cents,
                       s.outstanding_cents, s.currency, s.status
                FROM main.load_missing AS m
                JOIN ({_state_of_missing(b - 1)}) AS s ON s.id = m.invoice_id
                WHERE m.run_id = {b}
                  AND m.invoice_id NOT IN (SELECT invoice_id FROM main.load_missing WHERE run_id = {a})
                ORDER BY s.invoice_number"""
        )
    ]
    if a == b:
        missing = []
    return DiffReport(first, second, new, payments, status_changes, changes, missing)


def _state_of_missing(n: int) -> str:
    """The invoices load ``n + 1`` reported missing, as they stood just before it (after load ``n``)."""
    gone = f"(SELECT invoice_id FROM main.load_missing WHERE run_id = {n + 1})"
    return (
        f"SELECT id, {_F} FROM main.invoices WHERE id IN {gone} AND coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT invoice_id, {_F} FROM main.invoice_versions WHERE invoice_id IN {gone} "
        f"AND valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )

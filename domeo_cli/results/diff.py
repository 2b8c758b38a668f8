"""The result of ``diff``: what changed from one load to another.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from typing import NamedTuple


class Load(NamedTuple):
    """One load of an export: its number (``ingest_runs.id``) and the date of the export.

    ``last_invoice_id`` (the highest invoice id after the load, as it recorded it) tells a load made
    with history kept from one made before (None), and bounds the ids ``diff`` reads; what an invoice
    was after a load is told by what the loads wrote (``run_id``, ``invoice_versions``), not by ids.
    """

    id: int
    as_of: str
    file_name: str
    last_invoice_id: int | None


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


class CustomerChange(NamedTuple):
    """A customer's number, parent, name (a number now on another name) or a contact first seen."""

    customer_name: str
    customer_number: str | None
    field: str
    """``customer_number``, ``parent_number``, ``name`` or ``contact``."""
    before: str | None
    after: str | None


class DiffReport(NamedTuple):
    """Everything that changed from load ``first`` to load ``second``."""

    first: Load
    second: Load
    new: list[Invoice]
    payments: list[Payment]
    status_changes: list[Change]
    changes: list[Change]
    missing: list[Invoice]
    moved: list[Change]
    """Invoices now under another customer: ``field`` is ``customer``, before and after the customers' names."""
    customer_changes: list[CustomerChange]

    def payment_totals(self) -> list[tuple[str, int, int]]:
        """``(currency, cents applied, invoices)`` per currency, sorted by code."""
        totals: dict[str, list[int]] = {}
        for p in self.payments:
            entry = totals.setdefault(p.currency, [0, 0])
            entry[0] += p.amount
            entry[1] += 1
        return [(cur, cents, n) for cur, (cents, n) in sorted(totals.items())]

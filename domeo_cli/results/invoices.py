"""The result of ``invoice``: one invoice in full, as of a date.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class IngestRun(NamedTuple):
    """The load that last inserted or changed an invoice."""

    id: int
    file_name: str
    started_at: str
    finished_at: str | None
    sha256: str | None


class InvoiceDetail(NamedTuple):
    """One invoice, every stored field, and its state as of a date."""

    invoice_number: str
    customer_name: str
    customer_number: str | None
    parent_number: str | None
    invoice_date: str
    due_date: str
    due_date_derived: bool
    po_number: str | None
    bill_total: int
    applied: int
    outstanding: int
    currency: str
    status: str
    terms: str | None
    terms_days: int | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    as_of: date
    run: IngestRun | None
    asked: str | None = None
    """The number asked for, when it differs from the invoice's only in case."""

    @property
    def issued(self) -> bool:
        """False when the invoice is dated after the as-of date: as of that day it did not exist yet."""
        return self.invoice_date <= self.as_of.isoformat()

    @property
    def past_due(self) -> bool:
        """The contract's rule: outstanding > 0 and due before the as-of date (and issued by then)."""
        return self.issued and self.outstanding > 0 and self.due_date < self.as_of.isoformat()

    @property
    def days_past_due(self) -> int:
        """Days past due as of the as-of date; 0 when not past due."""
        if not self.past_due:
            return 0
        return self.as_of.toordinal() - date.fromisoformat(self.due_date).toordinal()

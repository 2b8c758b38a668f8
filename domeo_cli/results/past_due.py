"""The result of ``past-due``: a page of past-due invoices.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


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
    #: The customer's main contact (most recently seen), with ``--contact`` only.
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None


class Filters(NamedTuple):
    """What narrows past-due beyond the as-of date: customers, days late, contact columns."""

    customer_ids: list[int] | None = None
    """Only these customers' invoices (None: every customer)."""
    min_days: int = 1
    """Only invoices at least this many days past due."""
    contact: bool = False
    """Add each invoice's customer's main contact."""
    customer: str | None = None
    """The customer as the user named it (for the next page's command)."""
    with_children: bool = False

    @property
    def plain(self) -> bool:
        """True when nothing narrows the report and no contact is asked: the indexed fast path."""
        return self.customer_ids is None and self.min_days <= 1 and not self.contact


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
    #: ``--customer``/``--min-days``/``--contact``, when given.
    filters: Filters = Filters()

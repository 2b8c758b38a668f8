"""The result of ``customers``: a page of customers with their balances.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .common import MainContact


class Balance(NamedTuple):
    """A customer's open money in one currency."""

    currency: str
    open_ar: int
    """Outstanding of Pending invoices with outstanding > 0 (the contract's open AR)."""
    past_due: int
    """Outstanding of invoices with outstanding > 0 due before the as-of date."""
    oldest_due_date: str | None


class CustomerLine(NamedTuple):
    """One customer of the customers report."""

    id: int
    name: str
    customer_number: str | None
    parent_number: str | None
    parent_name: str | None
    invoices: int
    last_invoice_date: str | None
    balances: list[Balance]
    oldest_days_past_due: int | None
    contact: MainContact | None


class CustomerPage(NamedTuple):
    """A page of customers and how many match in all."""

    as_of: date
    sort: str
    search: str | None
    customers: list[CustomerLine]
    total: int
    limit: int
    offset: int

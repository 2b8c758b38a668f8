"""The result of ``statement``: a customer's statement of account.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .common import Customer, MainContact


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

"""The result of ``contact``: a page of a customer's contacts.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from .common import Customer


class Contact(NamedTuple):
    """A distinct contact of a customer and the last invoice date it appeared on."""

    name: str | None
    email: str | None
    phone: str | None
    last_seen_invoice_date: str


class ContactPage(NamedTuple):
    """A page of a customer's contacts, most recently seen first."""

    customer: Customer
    contacts: list[Contact]
    total: int
    limit: int
    offset: int

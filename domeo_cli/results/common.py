"""What several results carry: a customer as stored and its main contact.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from typing import NamedTuple


class Customer(NamedTuple):
    """A customer as stored."""

    id: int
    name: str
    customer_number: str | None
    parent_number: str | None


class MainContact(NamedTuple):
    """The most recently seen contact of a customer."""

    name: str | None
    email: str | None
    phone: str | None
    last_seen_invoice_date: str

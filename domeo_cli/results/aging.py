"""The aging report's result: open amounts by bucket of age, per group and currency.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .common import Customer


class AgingRow(NamedTuple):
    """One line of the report: a group's open amounts by bucket, in one currency."""

    key: int | str
    """customer id (``by`` customer or parent) or currency code (``by`` currency)."""
    name: str
    currency: str
    buckets: tuple[int, ...]
    """Cents per bucket, current first; they add up to ``total``."""
    total: int
    invoices: int
    oldest_days: int | None
    """Age in days of the group's oldest open invoice."""
    customer_number: str | None = None


class AgingNode(NamedTuple):
    """A customer in the ``--tree`` view: its subtree's amounts and its own."""

    customer_id: int
    name: str
    customer_number: str | None
    depth: int
    subtotal: AgingRow
    own: AgingRow | None
    children: list[AgingNode]


class Hidden(NamedTuple):
    """Groups of a currency left out by ``min_total``, ``limit`` or ``offset``, summed."""

    currency: str
    groups: int
    row: AgingRow
    after: int = 0
    """Of them, the groups a later page would list (at or over ``min_total``, after this page)."""
    before: int = 0
    """Of them, the groups an earlier page lists (at or over ``min_total``, skipped by ``offset``)."""


class AgingReport(NamedTuple):
    """The whole report: the groups shown, every currency's totals, and what was left out."""

    as_of: date
    age_by: str
    by: str
    edges: tuple[int, ...]
    bucket_names: list[str]
    groups: list[AgingRow]
    totals: list[AgingRow]
    hidden: list[Hidden]
    customer: Customer | None = None
    currency: str | None = None
    min_total: int | None = None
    sort: str = "total"
    limit: int | None = None
    tree: list[AgingNode] | None = None
    offset: int = 0

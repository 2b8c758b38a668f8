"""The results of ``summary``: billing of a month, or of each month of a range.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from .common import Customer


class CurrencySum(NamedTuple):
    """Billing of one currency."""

    currency: str
    sum_bill_total: int
    count_invoices: int


class MonthSummary(NamedTuple):
    """What was billed in a month: the headline currency and, if several, all of them."""

    month: str
    currency: str
    sum_bill_total: int
    count_invoices: int
    by_currency: list[CurrencySum]
    customer: Customer | None

    @property
    def mixed(self) -> bool:
        """True when the matched invoices are in more than one currency."""
        return len(self.by_currency) > 1


class MonthCurrency(NamedTuple):
    """What was billed in one month in one currency."""

    month: str
    currency: str
    sum_bill_total: int
    count_invoices: int


class MonthSeries(NamedTuple):
    """Billing month by month: every month of the range for every currency reported."""

    first: str
    last: str
    currencies: list[str]
    months: list[MonthCurrency]
    by_currency: list[CurrencySum]
    customer: Customer | None

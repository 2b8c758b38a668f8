"""Every report's question, asked of the database: typed results, no printing.

Money stays in integer cents here (summed by SQLite's exact integer SUM);
renderers format it. Each query is shaped to one index of ``schema.py`` so
that its cost follows the size of the answer, not of the database.
"""

from .common import MAX_LIMIT, Customer, check_currency, check_page, find_customer
from .contract import (
    SORTS,
    Contact,
    ContactPage,
    CurrencySum,
    MonthSummary,
    PastDueItem,
    PastDuePage,
    check_sort,
    contacts,
    past_due,
    past_due_totals,
    summary,
)

__all__ = [
    "MAX_LIMIT",
    "SORTS",
    "Contact",
    "ContactPage",
    "CurrencySum",
    "Customer",
    "MonthSummary",
    "PastDueItem",
    "PastDuePage",
    "check_currency",
    "check_page",
    "check_sort",
    "contacts",
    "find_customer",
    "past_due",
    "past_due_totals",
    "summary",
]

"""Every report's question, asked of the database: typed results, no printing.

Money stays in integer cents here (summed by SQLite's exact integer SUM);
renderers format it. Each query is shaped to one index of ``schema.py`` so
that its cost follows the size of the answer, not of the database.
"""

from .aging import AgingNode, AgingReport, AgingRow, aging, bucket_names, parse_buckets, parse_min_total
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
from .customers import (
    CUSTOMER_SORTS,
    CustomerPage,
    InvoiceDetail,
    MonthSeries,
    customers,
    invoice,
    summary_range,
)

__all__ = [
    "CUSTOMER_SORTS",
    "AgingNode",
    "AgingReport",
    "AgingRow",
    "CustomerPage",
    "InvoiceDetail",
    "MonthSeries",
    "aging",
    "bucket_names",
    "customers",
    "invoice",
    "parse_buckets",
    "parse_min_total",
    "summary_range",
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

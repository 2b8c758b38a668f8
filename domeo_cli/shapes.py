"""The JSON documents of the contract, built from query results.

Kept apart from the Rich tables so that a ``--json`` report never imports
Rich. Money is a string with exactly two decimals; dates are ISO.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .money import format_cents
from .queries import ContactPage, MonthSummary, PastDuePage


def past_due(page: PastDuePage) -> dict[str, Any]:
    """``{"items": [...], "total", "limit", "offset"}``."""
    return {
        "items": [
            {
                "invoice_number": item.invoice_number,
                "customer_name": item.customer_name,
                "invoice_date": item.invoice_date,
                "due_date": item.due_date,
                "bill_total": format_cents(item.bill_total),
                "applied": format_cents(item.applied),
                "outstanding": format_cents(item.outstanding),
                "currency": item.currency,
                "status": item.status,
                "days_past_due": item.days_past_due,
            }
            for item in page.items
        ],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def summary(result: MonthSummary) -> dict[str, Any]:
    """``{"month", "currency", "sum_bill_total", "count_invoices"}``, plus ``by_currency`` if mixed."""
    document: dict[str, Any] = {
        "month": result.month,
        "currency": result.currency,
        "sum_bill_total": format_cents(result.sum_bill_total),
        "count_invoices": result.count_invoices,
    }
    if result.mixed:
        document["by_currency"] = [
            {
                "currency": c.currency,
                "sum_bill_total": format_cents(c.sum_bill_total),
                "count_invoices": c.count_invoices,
            }
            for c in result.by_currency
        ]
    return document


def contact(page: ContactPage) -> dict[str, Any]:
    """``{"customer_name", "contacts": [...], "total"}``."""
    return {
        "customer_name": page.customer.name,
        "contacts": [
            {
                "contact_name": c.name,
                "contact_email": c.email,
                "contact_phone": c.phone,
                "last_seen_invoice_date": c.last_seen_invoice_date,
            }
            for c in page.contacts
        ],
        "total": page.total,
    }


def error(code: str, message: str, **extra: Any) -> dict[str, Any]:
    """The contract's error object: ``{"error": {"code", "message"}}``."""
    return {"error": {"code": code, "message": message, **extra}}


def dump(document: Any, stream=None) -> None:  # noqa: ANN001 - a text stream
    """Write one JSON document and a newline (to stdout by default)."""
    out = stream or sys.stdout
    out.write(json.dumps(document, ensure_ascii=False, indent=2))
    out.write("\n")
    out.flush()


# -- reports beyond the contract (aging, customers, invoice) below --

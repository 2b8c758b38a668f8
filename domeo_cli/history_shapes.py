"""The JSON documents of ``check``, ``diff`` and ``trend`` (renderers: no queries).

Money is a string with exactly two decimals, dates ISO, as in every document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .money import format_cents

if TYPE_CHECKING:
    from .results.check import CheckReport
    from .results.diff import Change, CustomerChange, DiffReport, Invoice, Load
    from .results.trend import TrendReport


def check(report: CheckReport) -> dict[str, Any]:
    """``{"as_of", "total", "checks": [{"check", "title", "findings"}], "findings": [...]}``."""
    return {
        "as_of": report.as_of.isoformat(),
        "total": len(report.findings),
        "checks": [{"check": kind, "title": title, "findings": n} for kind, title, n in report.counts()],
        "findings": [
            {"check": f.kind, "message": f.message, "invoices": f.invoices, "customers": f.customers}
            for f in report.findings
        ],
    }


def _load(load: Load) -> dict[str, Any]:
    return {"load": load.id, "as_of": load.as_of, "file": load.file_name}


def _invoice(i: Invoice) -> dict[str, Any]:
    return {
        "invoice_number": i.invoice_number,
        "customer_name": i.customer_name,
        "invoice_date": i.invoice_date,
        "due_date": i.due_date,
        "bill_total": format_cents(i.bill_total),
        "applied": format_cents(i.applied),
        "outstanding": format_cents(i.outstanding),
        "currency": i.currency,
        "status": i.status,
    }


def change_value(value: str | int) -> str:
    """A changed field's value as text: an amount (cents) with two decimals, a date or a status as it is."""
    return format_cents(value) if isinstance(value, int) else value


def _change(c: Change) -> dict[str, Any]:
    return {
        "invoice_number": c.invoice_number,
        "customer_name": c.customer_name,
        "currency": c.currency,
        "field": c.field,
        "before": change_value(c.before),
        "after": change_value(c.after),
    }


def _customer_change(c: CustomerChange) -> dict[str, Any]:
    return {
        "customer_name": c.customer_name,
        "customer_number": c.customer_number,
        "field": c.field,
        "before": c.before,
        "after": c.after,
    }


def diff(report: DiffReport) -> dict[str, Any]:
    """What changed between two loads: new, payments (with totals per currency), status, fields, missing,
    invoices moved to another customer, and customers' numbers, parents, names and contacts."""
    return {
        "from": _load(report.first),
        "to": _load(report.second),
        "new": [_invoice(i) for i in report.new],
        "payments": [
            {
                "invoice_number": p.invoice_number,
                "customer_name": p.customer_name,
                "currency": p.currency,
                "applied_before": format_cents(p.applied_before),
                "applied_after": format_cents(p.applied_after),
                "amount": format_cents(p.amount),
            }
            for p in report.payments
        ],
        "payments_by_currency": [
            {"currency": cur, "amount": format_cents(cents), "invoices": n} for cur, cents, n in report.payment_totals()
        ],
        "status_changes": [{k: v for k, v in _change(c).items() if k != "field"} for c in report.status_changes],
        "changes": [_change(c) for c in report.changes],
        "missing": [_invoice(i) for i in report.missing],
        "moved": [{k: v for k, v in _change(c).items() if k != "field"} for c in report.moved],
        "customer_changes": [_customer_change(c) for c in report.customer_changes],
    }


def trend(report: TrendReport) -> dict[str, Any]:
    """``{"from", "to", "every", "points": [{"date", "load", "currency", "open_ar", "past_due", ...}]}``.

    Month ends also carry ``billed_3m`` (billing of the three months to that
    month end), ``days_3m`` and ``dso`` (days, one decimal; null without billing).
    """
    points = []
    for p in report.points:
        point: dict[str, Any] = {
            "date": p.day.isoformat(),
            "load": p.load,
            "currency": p.currency,
            "open_ar": format_cents(p.open_ar),
            "past_due": format_cents(p.past_due),
        }
        if report.every == "month":
            dso = p.dso
            point.update(
                billed_3m=format_cents(p.billed_3m or 0),
                days_3m=p.days_3m,
                dso=None if dso is None else round(dso, 1),
            )
        points.append(point)
    return {"from": report.first.isoformat(), "to": report.last.isoformat(), "every": report.every, "points": points}

"""The JSON documents of the contract, built from query results.

Kept apart from the Rich tables so that a ``--json`` report never imports
Rich. Money is a string with exactly two decimals; dates are ISO.
"""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from .money import format_cents
from .printable import json_safe
from .results import imported

if TYPE_CHECKING:
    from .results.aging import AgingNode, AgingReport, AgingRow
    from .results.common import MainContact
    from .results.contacts import ContactPage
    from .results.customers import CustomerLine, CustomerPage
    from .results.describe import Column, Report
    from .results.invoices import InvoiceDetail
    from .results.past_due import PastDueItem, PastDuePage
    from .results.runs import RunPage
    from .results.statements import Statement, StatementAging
    from .results.summary import MonthSeries, MonthSummary


def past_due(page: PastDuePage) -> dict[str, Any]:
    """``{"items": [...], "total", "limit", "offset"}``."""
    contact = page.filters.contact
    return {
        "items": [past_due_item(item, contact) for item in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def past_due_item(item: PastDueItem, contact: bool = False) -> dict[str, Any]:
    """One invoice of ``items``; with ``contact``, its customer's main contact too."""
    document = {
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
    if contact:
        document["contact_name"] = item.contact_name
        document["contact_email"] = item.contact_email
        document["contact_phone"] = item.contact_phone
    return document


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


def isatty(stream: Any) -> bool:
    """True when ``stream`` is a terminal (a closed or file-less stream is not)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def stdout() -> Any:
    """Standard output, set to write UTF-8: what every report prints to.

    A closed stdout (``domeo past-due >&-``) is an I/O error, said in a sentence.
    A stream set to another encoding (``PYTHONIOENCODING=ascii`` or ``latin-1``)
    could not print every customer's name: reports write UTF-8, as JSON must be
    exchanged (RFC 8259), so the data is printed as stored rather than failing
    or replacing characters.
    """
    out = sys.stdout
    if out is None:
        raise OSError(errno.EBADF, "standard output is closed, so the report cannot be printed")
    encoding = (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if encoding != "utf8" and hasattr(out, "reconfigure"):
        out.reconfigure(encoding="utf-8")
    return out


def _text(document: Any, indent: bool) -> str:
    """One JSON document and a newline: indented, or on one line."""
    # On one line the C encoder is many times faster on a large report (aging of every customer).
    text = json.dumps(document, ensure_ascii=False, indent=2 if indent else None)
    # json escapes C0 controls only; DEL, C1 controls (a raw U+009B is a terminal's CSI) and
    # bidi controls from an export are escaped too, as \u escapes: the same JSON value, safe to print.
    return json_safe(text) + "\n"


def json_text(value: Any) -> str:
    """One JSON value on one line, escaped as ``dump`` escapes it, without the newline."""
    return _text(value, False)[:-1]


def dump(document: Any, stream=None) -> None:  # noqa: ANN001 - a text stream
    """Write one JSON document and a newline (to stdout by default): indented at a terminal only."""
    out = stream or stdout()
    out.write(_text(document, isatty(out)))
    out.flush()


def document(result: Any) -> dict[str, Any]:
    """Exactly the ``--json`` document of a report's result (any result of ``reports``), by its type."""
    build = _documents(type(result))
    if build is not None:
        return build(result)
    from .results.describe import of

    report = of(result)
    if report is None:
        raise TypeError(f"no JSON document for {result!r:.60}")
    return described(report, result)


def described(report: Report, result: Any) -> dict[str, Any]:
    """The document of a described report: its fields, then its rows, each value written as its kind says."""
    document = {field.key: json_value(field, getattr(result, field.key)) for field in report.fields}
    columns = report.columns
    document[report.rows] = [
        {column.key: json_value(column, getattr(row, column.key)) for column in columns}
        for row in getattr(result, report.rows)
    ]
    return document


def json_value(column: Column, value: Any) -> Any:
    """A described value in JSON: money with two decimals, a date ISO, None as null, anything else as it is."""
    if value is None:
        return None
    if column.kind == "money":
        return format_cents(value)
    if column.kind == "date":
        return value.isoformat()
    return value


def json_bytes(result: Any, indent: bool = False) -> bytes:
    """A report's ``--json`` output as UTF-8: one line and a newline (what a pipe gets), or indented."""
    return _text(document(result), indent).encode()


def write(result: Any, stream=None) -> None:  # noqa: ANN001 - a text stream
    """Write a report's ``--json`` document to stdout (by default): indented for a person at a terminal."""
    dump(document(result), stream)


# -- reports beyond the contract (aging, customers, invoice) below --


def _aging_objects(rows: list[AgingRow], names: list[str], lead: int = 2) -> list[dict[str, Any]]:
    """The JSON objects of aging rows: ``name``, ``currency`` (the last ``lead`` of the two), buckets, total, invoices.

    One comprehension for every row (34,000 groups on a whole book), with no
    function call per row or amount: each amount is formatted inline as
    ``format_cents`` would (most buckets are zero, shown as ``"0.00"`` without
    formatting; a negative amount, which aging never has, takes ``format_cents``).
    """
    keys = (*("name", "currency")[2 - lead :], *names, "total", "invoices")
    first = 3 - lead  # AgingRow is (key, name, currency, buckets, total, invoices, ...)
    return [
        dict(
            zip(
                keys,
                (
                    *row[first:3],
                    *[
                        "0.00" if not c else f"{c // 100}.{c % 100:02d}" if c > 0 else format_cents(c)
                        for c in (*row.buckets, row.total)
                    ],
                    row.invoices,
                ),
                strict=True,
            )
        )
        for row in rows
    ]


def _aging_node(node: AgingNode, names: list[str]) -> dict[str, Any]:
    # Iterative, children before parents: a deep hierarchy cannot overflow the stack.
    done: dict[int, dict[str, Any]] = {}
    stack: list[tuple[AgingNode, bool]] = [(node, False)]
    while stack:
        item, expanded = stack.pop()
        if not expanded:
            stack.append((item, True))
            stack.extend((child, False) for child in item.children)
            continue
        done[id(item)] = {
            "name": item.name,
            "customer_number": item.customer_number,
            "currency": item.subtotal.currency,
            **_aging_objects([item.subtotal], names, 0)[0],
            "own": _aging_objects([item.own], names, 0)[0] if item.own is not None else None,
            "children": [done[id(child)] for child in item.children],
        }
    return done[id(node)]


def aging(report: AgingReport) -> dict[str, Any]:
    """``{"as_of", "age_by", "by", "buckets", "groups": [...], "totals": [...]}`` (+ ``tree`` with --tree)."""
    names = report.bucket_names
    document: dict[str, Any] = {
        "as_of": report.as_of.isoformat(),
        "age_by": report.age_by,
        "by": report.by,
        "buckets": names,
        "groups": _aging_objects(report.groups, names),
        "totals": _aging_objects(report.totals, names, 1),
    }
    if report.tree is not None:
        document["tree"] = [_aging_node(node, names) for node in report.tree]
    return document


def customers(page: CustomerPage) -> dict[str, Any]:
    """``{"as_of", "customers": [...], "total", "limit", "offset"}``."""
    return {
        "as_of": page.as_of.isoformat(),
        "customers": [customer_item(c) for c in page.customers],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def customer_item(c: CustomerLine) -> dict[str, Any]:
    """One customer of ``customers``."""
    return {
        "name": c.name,
        "customer_number": c.customer_number,
        "parent_number": c.parent_number,
        "parent_name": c.parent_name,
        "invoices": c.invoices,
        "last_invoice_date": c.last_invoice_date,
        "balances": [
            {
                "currency": b.currency,
                "open_ar": format_cents(b.open_ar),
                "past_due": format_cents(b.past_due),
            }
            for b in c.balances
        ],
        "oldest_days_past_due": c.oldest_days_past_due,
        "contact": None
        if c.contact is None
        else {
            "contact_name": c.contact.name,
            "contact_email": c.contact.email,
            "contact_phone": c.contact.phone,
            "last_seen_invoice_date": c.contact.last_seen_invoice_date,
        },
    }


def invoice(detail: InvoiceDetail) -> dict[str, Any]:
    """One invoice: every stored field, its state as of a date, the load that last changed it."""
    run = detail.run
    return {
        "invoice_number": detail.invoice_number,
        "customer_name": detail.customer_name,
        "customer_number": detail.customer_number,
        "parent_number": detail.parent_number,
        "invoice_date": detail.invoice_date,
        "due_date": detail.due_date,
        "due_date_derived": detail.due_date_derived,
        "terms": detail.terms,
        "terms_days": detail.terms_days,
        "po_number": detail.po_number,
        "bill_total": format_cents(detail.bill_total),
        "applied": format_cents(detail.applied),
        "outstanding": format_cents(detail.outstanding),
        "currency": detail.currency,
        "status": detail.status,
        "contact_name": detail.contact_name,
        "contact_phone": detail.contact_phone,
        "contact_email": detail.contact_email,
        "as_of": detail.as_of.isoformat(),
        "past_due": detail.past_due,
        "days_past_due": detail.days_past_due,
        "last_changed_by": None
        if run is None
        else {
            "run_id": run.id,
            "file": run.file_name,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "sha256": run.sha256,
        },
    }


def summary_months(series: MonthSeries) -> dict[str, Any]:
    """``{"from", "to", "months": [contract summary objects, one per month and currency], "by_currency"}``."""
    return {
        "from": series.first,
        "to": series.last,
        "months": [
            {
                "month": m.month,
                "currency": m.currency,
                "sum_bill_total": format_cents(m.sum_bill_total),
                "count_invoices": m.count_invoices,
            }
            for m in series.months
        ],
        "by_currency": [
            {
                "currency": c.currency,
                "sum_bill_total": format_cents(c.sum_bill_total),
                "count_invoices": c.count_invoices,
            }
            for c in series.by_currency
        ],
    }


def _contact_object(contact: MainContact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {
        "contact_name": contact.name,
        "contact_email": contact.email,
        "contact_phone": contact.phone,
        "last_seen_invoice_date": contact.last_seen_invoice_date,
    }


def _statement_aging(row: StatementAging, names: list[str]) -> dict[str, Any]:
    amounts: dict[str, Any] = {"currency": row.currency}
    amounts.update({name: format_cents(cents) for name, cents in zip(names, row.buckets, strict=True)})
    amounts["total"] = format_cents(row.total)
    amounts["invoices"] = row.invoices
    return amounts


def statement(result: Statement) -> dict[str, Any]:
    """``{"as_of", "customer_name", "customer_number", "contact", "buckets", "accounts": [...], "totals"}``."""
    names = result.bucket_names
    return {
        "as_of": result.as_of.isoformat(),
        "customer_name": result.customer.name,
        "customer_number": result.customer.customer_number,
        "contact": _contact_object(result.contact),
        "buckets": names,
        "accounts": [
            {
                "customer_name": part.customer.name,
                "customer_number": part.customer.customer_number,
                "parent_number": part.customer.parent_number,
                "contact": _contact_object(part.contact),
                "invoices": [
                    {
                        "invoice_number": i.invoice_number,
                        "invoice_date": i.invoice_date,
                        "due_date": i.due_date,
                        "po_number": i.po_number,
                        "bill_total": format_cents(i.bill_total),
                        "applied": format_cents(i.applied),
                        "outstanding": format_cents(i.outstanding),
                        "currency": i.currency,
                        "days_past_due": i.days_past_due,
                        "bucket": i.bucket,
                    }
                    for i in part.invoices
                ],
                "aging": [_statement_aging(row, names) for row in part.aging],
            }
            for part in result.parts
        ],
        "totals": [_statement_aging(row, names) for row in result.totals],
    }


def runs(page: RunPage) -> dict[str, Any]:
    """``{"runs": [...], "total", "limit", "offset"}``, newest load first."""
    return {
        "runs": [
            {
                "run_id": r.id,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "duration_s": r.duration_s,
                "file": r.file_name,
                "sha256": r.sha256,
                "encoding": r.encoding,
                "rows_read": r.rows_read,
                "inserted": r.inserted,
                "updated": r.updated,
                "unchanged": r.unchanged,
                "rejected": r.rejected,
                "warnings": r.warnings,
            }
            for r in page.runs
        ],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


@cache
def _documents(kind: type) -> Callable[[Any], dict[str, Any]] | None:
    """The document of a report written by hand, by its result's type (None: a described report).

    Only the result modules already imported are looked in (the result's own is): a report
    imports no other report's types.
    """
    if imported("past_due"):
        from .results.past_due import PastDuePage

        if kind is PastDuePage:
            return past_due
    if imported("aging"):
        from .results.aging import AgingReport

        if kind is AgingReport:
            return aging
    if imported("summary"):
        from .results.summary import MonthSeries, MonthSummary

        if kind is MonthSummary:
            return summary
        if kind is MonthSeries:
            return summary_months
    if imported("customers"):
        from .results.customers import CustomerPage

        if kind is CustomerPage:
            return customers
    if imported("contacts"):
        from .results.contacts import ContactPage

        if kind is ContactPage:
            return contact
    if imported("statements"):
        from .results.statements import Statement

        if kind is Statement:
            return statement
    if imported("invoices"):
        from .results.invoices import InvoiceDetail

        if kind is InvoiceDetail:
            return invoice
    if imported("runs"):
        from .results.runs import RunPage

        if kind is RunPage:
            return runs
    if imported("check"):
        from .results.check import CheckReport

        if kind is CheckReport:
            return _history("check")
    if imported("diff"):
        from .results.diff import DiffReport

        if kind is DiffReport:
            return _history("diff")
    if imported("trend"):
        from .results.trend import TrendReport

        if kind is TrendReport:
            return _history("trend")
    return None


def _history(name: str) -> Callable[[Any], dict[str, Any]]:
    """A document of ``history_shapes``, imported only when that report is rendered."""

    def build(result: Any) -> dict[str, Any]:
        from . import history_shapes

        return getattr(history_shapes, name)(result)

    return build

"""Each report's result as flat tables: what CSV, TSV, Markdown and HTML write.

A ``Document`` has a title, a few lines saying what the figures are, and
sections of tables; its ``records`` table is what CSV and TSV hold (one header,
one row per record). Rows hold plain values: text, whole numbers, amounts as
integer cents (columns of kind ``money``), None for nothing. Rows may be a
lazy iterator (``--all``): a renderer reads them once, in order, and never
keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from ..results import imported

BALANCES_NOTE = "Balances are those of the loads made so far."


class Column(NamedTuple):
    """A column: its key (the CSV header, as in the JSON), its label for people, its kind."""

    key: str
    label: str
    kind: str = "text"
    """``text``, ``date``, ``int`` or ``money`` (integer cents)."""


class Table(NamedTuple):
    """Rows under a header; ``totals`` per currency, given or (``derive``) summed while writing."""

    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    heading: str | None = None
    totals: Table | None = None
    derive_totals: bool = False
    """Sum the money columns per ``currency`` as the rows are written (Markdown, HTML)."""
    vertical: bool = False
    """One record shown as label/value lines (an invoice, a statement's header)."""


class Section(NamedTuple):
    """A heading, lines of text, and tables."""

    heading: str | None
    lines: list[str]
    tables: list[Table]


class Document(NamedTuple):
    """A report for a file: title, lines under it, sections; ``records`` is what CSV/TSV hold."""

    title: str
    lines: list[str]
    sections: list[Section]
    records: Table


def _c(key: str, label: str, kind: str = "text") -> Column:
    return Column(key, label, kind)


# -- past-due ---------------------------------------------------------------------


def _past_due(page: Any) -> Document:
    columns = [
        _c("invoice_number", "Invoice"),
        _c("customer_name", "Customer"),
        _c("invoice_date", "Invoice date", "date"),
        _c("due_date", "Due date", "date"),
        _c("bill_total", "Bill total", "money"),
        _c("applied", "Applied", "money"),
        _c("outstanding", "Outstanding", "money"),
        _c("currency", "Currency"),
        _c("status", "Status"),
        _c("days_past_due", "Days past due", "int"),
    ]
    contact = page.filters.contact
    if contact:
        columns += [_c("contact_name", "Contact"), _c("contact_email", "Email"), _c("contact_phone", "Phone")]
    width = len(columns)
    rows = (tuple(item)[:width] for item in page.items)
    totals = None
    if page.totals is not None:
        totals = Table(
            [_c("currency", "Currency"), _c("invoices", "Invoices", "int"), _c("outstanding", "Outstanding", "money")],
            [(currency, count, cents) for currency, cents, count in page.totals],
            heading=f"Total past due ({page.total} invoices), per currency",
        )
    lines = [f"As of {page.as_of.isoformat()}: {page.total} past-due invoices."]
    if page.filters.min_days > 1:
        lines.append(f"At least {page.filters.min_days} days past due.")
    if page.limit < page.total or page.offset:
        shown = min(page.limit, max(page.total - page.offset, 0))
        lines.append(f"Rows {page.offset + 1} to {page.offset + shown} (use --all for every row).")
    lines.append(BALANCES_NOTE)
    table = Table(columns, rows, totals=totals, derive_totals=totals is None)
    return Document("Past-due invoices", lines, [Section(None, [], [table])], table)


# -- summary ------------------------------------------------------------------------

_SUM_COLUMNS = [
    _c("month", "Month"),
    _c("currency", "Currency"),
    _c("sum_bill_total", "Billed", "money"),
    _c("count_invoices", "Invoices", "int"),
]


def _summary(result: Any) -> Document:
    rows = [(result.month, c.currency, c.sum_bill_total, c.count_invoices) for c in result.by_currency]
    if not rows or not any(r[1] == result.currency for r in rows):
        # The headline currency with nothing billed is still a line, as in the JSON.
        rows.append((result.month, result.currency, result.sum_bill_total, result.count_invoices))
        rows.sort(key=lambda r: r[1])
    lines = [f"Invoices dated in {result.month}, billed per currency."]
    if result.customer is not None:
        lines.append(f"Customer: {result.customer.name}.")
    table = Table(_SUM_COLUMNS, rows)
    return Document(f"Billing of {result.month}", lines, [Section(None, [], [table])], table)


def _summary_months(series: Any) -> Document:
    rows = [(m.month, m.currency, m.sum_bill_total, m.count_invoices) for m in series.months]
    totals = Table(
        [_c("currency", "Currency"), _c("sum_bill_total", "Billed", "money"), _c("count_invoices", "Invoices", "int")],
        [(c.currency, c.sum_bill_total, c.count_invoices) for c in series.by_currency],
        heading=f"Total {series.first} to {series.last}, per currency",
    )
    lines = [f"Invoices dated from {series.first} to {series.last}, billed per month and currency."]
    if series.customer is not None:
        lines.append(f"Customer: {series.customer.name}.")
    table = Table(_SUM_COLUMNS, rows, totals=totals)
    return Document(f"Billing {series.first} to {series.last}", lines, [Section(None, [], [table])], table)


# -- contact -------------------------------------------------------------------------


def _contact(page: Any) -> Document:
    columns = [
        _c("customer_name", "Customer"),
        _c("contact_name", "Contact"),
        _c("contact_email", "Email"),
        _c("contact_phone", "Phone"),
        _c("last_seen_invoice_date", "Last seen", "date"),
    ]
    name = page.customer.name
    rows = ((name, c.name, c.email, c.phone, c.last_seen_invoice_date) for c in page.contacts)
    lines = [f"{page.total} contacts, most recently seen first."]
    table = Table(columns, rows)
    return Document(f"Contacts of {name}", lines, [Section(None, [], [table])], table)


# -- aging ---------------------------------------------------------------------------


def _aging_columns(names: list[str], first: list[Column]) -> list[Column]:
    return [
        *first,
        _c("currency", "Currency"),
        *(_c(name, name, "money") for name in names),
        _c("total", "Total", "money"),
        _c("invoices", "Invoices", "int"),
    ]


def _walk(nodes: list[Any]) -> Iterable[Any]:
    """Nodes of the ``--tree`` view, each before its children, without recursion."""
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def _aging(report: Any) -> Document:
    names = report.bucket_names
    what = {"customer": "Customer", "parent": "Account", "currency": "Currency"}[report.by]
    if report.tree is not None:
        first = [_c("depth", "Level", "int"), _c("name", "Account"), _c("customer_number", "Number")]
        rows: Iterable[Sequence[Any]] = (
            (
                n.depth,
                n.name,
                n.customer_number,
                n.subtotal.currency,
                *n.subtotal.buckets,
                n.subtotal.total,
                n.subtotal.invoices,
            )
            for n in _walk(report.tree)
        )
    elif report.by == "currency":
        first = []
        rows = ((g.currency, *g.buckets, g.total, g.invoices) for g in report.groups)
    else:
        first = [_c("name", what), _c("customer_number", "Number")]
        rows = ((g.name, g.customer_number, g.currency, *g.buckets, g.total, g.invoices) for g in report.groups)
    totals = Table(
        _aging_columns(names, []),
        [(t.currency, *t.buckets, t.total, t.invoices) for t in report.totals],
        heading="Totals per currency",
    )
    days = "past the due date" if report.age_by == "due" else "since the invoice date"
    lines = [f"Open invoices as of {report.as_of.isoformat()}, by days {days}."]
    if report.customer is not None:
        lines.append(f"Customer: {report.customer.name}.")
    for hidden in report.hidden:
        lines.append(f"{hidden.groups} more {hidden.currency} groups are not listed; the totals include them.")
    lines.append(BALANCES_NOTE)
    table = Table(_aging_columns(names, first), rows, totals=totals)
    return Document("Aging", lines, [Section(None, [], [table])], table)


# -- customers -----------------------------------------------------------------------


def _customer_rows(lines: Iterable[Any]) -> Iterable[Sequence[Any]]:
    for c in lines:
        contact = c.contact
        people = (contact.name, contact.email, contact.phone) if contact is not None else (None, None, None)
        head = (c.name, c.customer_number, c.parent_number, c.parent_name, c.invoices, c.last_invoice_date)
        if not c.balances:
            yield (*head, None, None, None, c.oldest_days_past_due, *people)
        for b in c.balances:
            yield (*head, b.currency, b.open_ar, b.past_due, c.oldest_days_past_due, *people)


def _customers(page: Any) -> Document:
    columns = [
        _c("name", "Customer"),
        _c("customer_number", "Number"),
        _c("parent_number", "Parent number"),
        _c("parent_name", "Parent"),
        _c("invoices", "Invoices", "int"),
        _c("last_invoice_date", "Last invoice", "date"),
        _c("currency", "Currency"),
        _c("open_ar", "Open AR", "money"),
        _c("past_due", "Past due", "money"),
        _c("oldest_days_past_due", "Oldest days past due", "int"),
        _c("contact_name", "Contact"),
        _c("contact_email", "Email"),
        _c("contact_phone", "Phone"),
    ]
    lines = [f"As of {page.as_of.isoformat()}: {page.total} customers, one line per customer and currency."]
    if page.limit < page.total or page.offset:
        lines.append(f"From customer {page.offset + 1}, at most {page.limit} (use --all for every customer).")
    lines.append(BALANCES_NOTE)
    table = Table(columns, _customer_rows(page.customers), derive_totals=True)
    return Document("Customers", lines, [Section(None, [], [table])], table)


# -- one invoice ---------------------------------------------------------------------


def _invoice(detail: Any) -> Document:
    run = detail.run
    pairs: list[tuple[Column, Any]] = [
        (_c("invoice_number", "Invoice"), detail.invoice_number),
        (_c("customer_name", "Customer"), detail.customer_name),
        (_c("customer_number", "Customer number"), detail.customer_number),
        (_c("parent_number", "Parent number"), detail.parent_number),
        (_c("invoice_date", "Invoice date", "date"), detail.invoice_date),
        (_c("due_date", "Due date", "date"), detail.due_date),
        (_c("due_date_derived", "Due date from terms"), detail.due_date_derived),
        (_c("terms", "Terms"), detail.terms),
        (_c("terms_days", "Terms days", "int"), detail.terms_days),
        (_c("po_number", "PO number"), detail.po_number),
        (_c("bill_total", "Bill total", "money"), detail.bill_total),
        (_c("applied", "Applied", "money"), detail.applied),
        (_c("outstanding", "Outstanding", "money"), detail.outstanding),
        (_c("currency", "Currency"), detail.currency),
        (_c("status", "Status"), detail.status),
        (_c("contact_name", "Contact"), detail.contact_name),
        (_c("contact_phone", "Phone"), detail.contact_phone),
        (_c("contact_email", "Email"), detail.contact_email),
        (_c("as_of", "As of", "date"), detail.as_of.isoformat()),
        (_c("past_due", "Past due"), detail.past_due),
        (_c("days_past_due", "Days past due", "int"), detail.days_past_due),
        (_c("run_id", "Last changed by load", "int"), run.id if run else None),
        (_c("run_file", "Load file"), run.file_name if run else None),
        (_c("run_finished_at", "Loaded at"), run.finished_at if run else None),
    ]
    table = Table([c for c, _ in pairs], [tuple(v for _, v in pairs)], vertical=True)
    return Document(f"Invoice {detail.invoice_number}", [BALANCES_NOTE], [Section(None, [], [table])], table)


# -- a customer's statement ----------------------------------------------------------


def _who(customer: Any, contact: Any) -> list[str]:
    lines = [f"Customer number: {customer.customer_number}" if customer.customer_number else "Customer number: none"]
    if contact is not None:
        reach = " · ".join(v for v in (contact.name, contact.email, contact.phone) if v)
        lines.append(f"Contact: {reach}")
    return lines


_STATEMENT_INVOICE = [
    _c("invoice_number", "Invoice"),
    _c("invoice_date", "Invoice date", "date"),
    _c("due_date", "Due date", "date"),
    _c("po_number", "PO number"),
    _c("bill_total", "Bill total", "money"),
    _c("applied", "Paid", "money"),
    _c("outstanding", "Balance due", "money"),
    _c("currency", "Currency"),
    _c("days_past_due", "Days past due", "int"),
]


def _statement(result: Any) -> Document:
    names = result.bucket_names
    aging_columns = [
        _c("currency", "Currency"),
        *(_c(n, "Current" if n == "current" else f"{n} days", "money") for n in names),
        _c("total", "Balance due", "money"),
    ]

    def aging(rows: list[Any], heading: str) -> Table:
        return Table(aging_columns, [(r.currency, *r.buckets, r.total) for r in rows], heading=heading)

    sections = []
    for n, part in enumerate(result.parts):
        invoices = Table(
            _STATEMENT_INVOICE,
            [tuple(i)[:9] for i in part.invoices],
            heading="Open invoices",
        )
        own = n == 0
        heading = None
        lines: list[str] = []
        if result.with_children:
            heading = part.customer.name + (" (this account)" if own else "")
            lines = [] if own else _who(part.customer, part.contact)
        tables = [invoices]
        if part.invoices:
            tables.append(aging(part.aging, "Balance due by age, per currency"))
        sections.append(Section(heading, lines, tables))
    if result.with_children:
        sections.append(
            Section("Total of all accounts", [], [aging(result.totals, "Balance due by age, per currency")])
        )
    if not any(part.invoices for part in result.parts):
        sections.append(Section(None, ["Nothing is owed: there is no open invoice."], []))
    lines = [
        *_who(result.customer, result.contact),
        f"Statement date: {result.as_of.isoformat()}",
        "Open invoices issued by that date; days past due as of it.",
        BALANCES_NOTE,
    ]
    records = Table(
        [
            _c("customer_name", "Customer"),
            _c("customer_number", "Customer number"),
            *_STATEMENT_INVOICE,
            _c("bucket", "Age"),
        ],
        ((part.customer.name, part.customer.customer_number, *item) for part in result.parts for item in part.invoices),
    )
    return Document(f"Statement of account: {result.customer.name}", lines, sections, records)


# -- loads -----------------------------------------------------------------------------


def _runs(page: Any) -> Document:
    columns = [
        _c("run_id", "Load", "int"),
        _c("started_at", "Started"),
        _c("finished_at", "Finished"),
        _c("duration_s", "Seconds"),
        _c("file", "File"),
        _c("sha256", "SHA-256"),
        _c("encoding", "Encoding"),
        *(_c(key, key.replace("_", " ").capitalize(), "int") for key in RUN_COUNTS),
    ]
    rows = (
        (r.id, r.started_at, r.finished_at, r.duration_s, r.file_name, r.sha256, r.encoding,
         *(getattr(r, key) for key in RUN_COUNTS))
        for r in page.runs
    )  # fmt: skip
    lines = [f"{page.total} loads kept, newest first."]
    table = Table(columns, rows)
    return Document("Loads", lines, [Section(None, [], [table])], table)


RUN_COUNTS = ("rows_read", "inserted", "updated", "unchanged", "rejected", "warnings")


# -- history: check, diff, trend ------------------------------------------------------


def _check(report: Any) -> Document:
    columns = [_c("check", "Check"), _c("message", "Finding"), _c("invoices", "Invoices"), _c("customers", "Customers")]
    rows = [(f.kind, f.message, " ".join(f.invoices), "; ".join(f.customers)) for f in report.findings]
    counts = Table(
        [_c("check", "Check"), _c("title", "What it looks for"), _c("findings", "Found", "int")],
        report.counts(),
        heading="Checks",
    )
    lines = [f"As of {report.as_of.isoformat()}: {len(report.findings)} finding(s) in the book."]
    table = Table(columns, rows, heading="Findings")
    return Document("Checks of the book", lines, [Section(None, [], [counts, table])], table)


def _diff(report: Any) -> Document:
    from ..history_shapes import change_value as _diff_value

    a, b = report.first, report.second
    money = [_c("bill_total", "Bill total", "money"), _c("outstanding", "Outstanding", "money")]
    invoice = [_c("invoice_number", "Invoice"), _c("customer_name", "Customer")]
    tables = []
    if report.new:
        columns = [*invoice, _c("invoice_date", "Date", "date"), _c("due_date", "Due", "date"), *money,
                   _c("currency", "Currency"), _c("status", "Status")]  # fmt: skip
        rows = [(i.invoice_number, i.customer_name, i.invoice_date, i.due_date, i.bill_total, i.outstanding,
                 i.currency, i.status) for i in report.new]  # fmt: skip
        tables.append(Table(columns, rows, heading="New invoices"))
    if report.payments:
        columns = [*invoice, _c("currency", "Currency"), _c("applied_before", "Before", "money"),
                   _c("applied_after", "After", "money"), _c("amount", "Applied", "money")]  # fmt: skip
        rows = [(p.invoice_number, p.customer_name, p.currency, p.applied_before, p.applied_after, p.amount)
                for p in report.payments]  # fmt: skip
        totals = Table(
            [_c("currency", "Currency"), _c("amount", "Applied", "money"), _c("invoices", "Invoices", "int")],
            report.payment_totals(),
            heading="Payments per currency",
        )
        tables.append(Table(columns, rows, heading="Payments applied", totals=totals))
    for heading, changes in (("Status changes", report.status_changes), ("Amounts and dates changed", report.changes)):
        if changes:
            columns = [*invoice, _c("currency", "Currency"), _c("field", "Field"), _c("before", "Before"),
                       _c("after", "After")]  # fmt: skip
            rows = [(c.invoice_number, c.customer_name, c.currency, c.field, _diff_value(c.before),
                     _diff_value(c.after)) for c in changes]  # fmt: skip
            tables.append(Table(columns, rows, heading=heading))
    if report.missing:
        columns = [*invoice, _c("status", "Status"), *money, _c("currency", "Currency")]
        rows = [(i.invoice_number, i.customer_name, i.status, i.bill_total, i.outstanding, i.currency)
                for i in report.missing]  # fmt: skip
        tables.append(Table(columns, rows, heading="Gone missing from the file"))
    if report.moved:
        columns = [_c("invoice_number", "Invoice"), _c("currency", "Currency"), _c("before", "From customer"),
                   _c("after", "To customer")]  # fmt: skip
        rows = [(c.invoice_number, c.currency, c.before, c.after) for c in report.moved]
        tables.append(Table(columns, rows, heading="Moved to another customer"))
    if report.customer_changes:
        columns = [_c("customer_name", "Customer"), _c("customer_number", "Number"), _c("field", "Field"),
                   _c("before", "Before"), _c("after", "After")]  # fmt: skip
        rows = [(c.customer_name, c.customer_number, c.field, c.before, c.after) for c in report.customer_changes]
        tables.append(Table(columns, rows, heading="Customers changed"))
    # CSV and TSV: one record per change, whatever its kind.
    columns = [_c("change", "Change"), *invoice, _c("currency", "Currency"), _c("field", "Field"),
               _c("before", "Before"), _c("after", "After"), _c("amount", "Amount", "money")]  # fmt: skip
    records: list[tuple[Any, ...]] = []
    records += [("new", i.invoice_number, i.customer_name, i.currency, "", "", i.status, i.bill_total)
                for i in report.new]  # fmt: skip
    records += [("payment", p.invoice_number, p.customer_name, p.currency, "applied", _diff_value(p.applied_before),
                 _diff_value(p.applied_after), p.amount) for p in report.payments]  # fmt: skip
    for kind, changes in (("status", report.status_changes), ("changed", report.changes)):
        records += [(kind, c.invoice_number, c.customer_name, c.currency, c.field, _diff_value(c.before),
                     _diff_value(c.after), None) for c in changes]  # fmt: skip
    records += [("missing", i.invoice_number, i.customer_name, i.currency, "", "", i.status, i.outstanding)
                for i in report.missing]  # fmt: skip
    records += [("moved", c.invoice_number, c.customer_name, c.currency, c.field, c.before, c.after, None)
                for c in report.moved]  # fmt: skip
    records += [("customer", None, c.customer_name, None, c.field, c.before, c.after, None)
                for c in report.customer_changes]  # fmt: skip
    lines = [f"From load {a.id} ({a.as_of}, {a.file_name}) to load {b.id} ({b.as_of}, {b.file_name})."]
    if not tables:
        lines.append("Nothing changed.")
    return Document(f"Changes from load {a.id} to load {b.id}", lines, [Section(None, [], tables)],
                    Table(columns, records))  # fmt: skip


def _trend(report: Any) -> Document:
    months = report.every == "month"
    columns = [_c("date", "Date", "date"), _c("load", "Load", "int"), _c("currency", "Currency"),
               _c("open_ar", "Open AR", "money"), _c("past_due", "Past due", "money")]  # fmt: skip
    if months:
        columns += [_c("billed_3m", "Billed, 3 months", "money"), _c("days_3m", "Days", "int"), _c("dso", "DSO")]
    rows = []
    for p in report.points:
        row: list[Any] = [p.day.isoformat(), p.load, p.currency, p.open_ar, p.past_due]
        if months:
            row += [p.billed_3m or 0, p.days_3m, "" if p.dso is None else f"{p.dso:.1f}"]
        rows.append(tuple(row))
    every = "month end" if months else "load date"
    lines = [
        f"Per {every} from {report.first.isoformat()} to {report.last.isoformat()}: the data as known "
        "after the last load on or before each date."
    ]
    table = Table(columns, rows)
    return Document("Open AR and past due over time", lines, [Section(None, [], [table])], table)


@cache
def _documents(kind: type) -> Callable[[Any], Document] | None:
    """The flat tables of a report written by hand, by its result's type (None: a described report).

    Only the result modules already imported are looked in (the result's own is): a report
    imports no other report's types.
    """
    if imported("past_due"):
        from ..results.past_due import PastDuePage

        if kind is PastDuePage:
            return _past_due
    if imported("aging"):
        from ..results.aging import AgingReport

        if kind is AgingReport:
            return _aging
    if imported("summary"):
        from ..results.summary import MonthSeries, MonthSummary

        if kind is MonthSummary:
            return _summary
        if kind is MonthSeries:
            return _summary_months
    if imported("customers"):
        from ..results.customers import CustomerPage

        if kind is CustomerPage:
            return _customers
    if imported("contacts"):
        from ..results.contacts import ContactPage

        if kind is ContactPage:
            return _contact
    if imported("statements"):
        from ..results.statements import Statement

        if kind is Statement:
            return _statement
    if imported("invoices"):
        from ..results.invoices import InvoiceDetail

        if kind is InvoiceDetail:
            return _invoice
    if imported("runs"):
        from ..results.runs import RunPage

        if kind is RunPage:
            return _runs
    if imported("check"):
        from ..results.check import CheckReport

        if kind is CheckReport:
            return _check
    if imported("diff"):
        from ..results.diff import DiffReport

        if kind is DiffReport:
            return _diff
    if imported("trend"):
        from ..results.trend import TrendReport

        if kind is TrendReport:
            return _trend
    return None


#: A described column's kind as a file writes it (a count is a whole number).
_KINDS = {"text": "text", "date": "date", "count": "int", "money": "money"}


def document(result: Any) -> Document:
    """The flat tables of any result of ``reports``, by its type."""
    build = _documents(type(result))
    if build is not None:
        return build(result)
    from ..results.describe import of

    report = of(result)
    if report is None:
        raise TypeError(f"no file format for {result!r:.60}")
    return described(report, result)


def described(report: Any, result: Any) -> Document:
    """The flat table of a described report: its fields as lines, its rows under its columns, totals derived."""
    columns = [Column(c.key, c.label, _KINDS[c.kind]) for c in report.columns]
    rows = (tuple(_cell(c, getattr(row, c.key)) for c in report.columns) for row in getattr(result, report.rows))
    table = Table(columns, rows, derive_totals=True)
    fields = [f"{f.label}: {_field(f, getattr(result, f.key))}" for f in report.fields]
    lines = [" · ".join(fields), *report.notes(result)]
    return Document(report.title(result), lines, [Section(None, [], [table])], table)


def _cell(column: Any, value: Any) -> Any:
    """A row's value as a file holds it: a date as ISO text, anything else as it is (money in cents)."""
    return value.isoformat() if column.kind == "date" and value is not None else value


def _field(column: Any, value: Any) -> str:
    from ..money import format_cents

    if value is None:
        return column.blank
    if column.kind == "money":
        return format_cents(value)
    return value.isoformat() if column.kind == "date" else str(value)


class Totaller:
    """Passes a table's rows through, summing its money columns per currency as they go by."""

    def __init__(self, table: Table) -> None:
        self.table = table
        keys = [c.key for c in table.columns]
        self._currency = keys.index("currency") if "currency" in keys else None
        self._money = [i for i, c in enumerate(table.columns) if c.kind == "money"]
        self._sums: dict[str, list[int]] = {}
        self._counts: dict[str, int] = {}

    def rows(self) -> Iterable[Sequence[Any]]:
        """The table's rows, unchanged, counted and summed on the way."""
        position, money = self._currency, self._money
        for row in self.table.rows:
            if position is not None and row[position]:
                sums = self._sums.setdefault(row[position], [0] * len(money))
                for j, i in enumerate(money):
                    sums[j] += row[i] or 0
                self._counts[row[position]] = self._counts.get(row[position], 0) + 1
            yield row

    def totals(self) -> Table | None:
        """The totals to show under the table: given ones, else those summed (None if nothing to sum)."""
        if self.table.totals is not None:
            return self.table.totals
        if not self.table.derive_totals or self._currency is None or not self._money:
            return None
        columns = [Column("currency", "Currency"), Column("rows", "Rows", "int")]
        columns += [self.table.columns[i] for i in self._money]
        rows = [(cur, self._counts[cur], *self._sums[cur]) for cur in sorted(self._sums)]
        return Table(columns, rows, heading="Totals per currency")

"""Rich tables for people at a terminal; plain aligned text when piped.

User text (customer names, contacts) is always wrapped in ``Text`` so that
``[bold]`` in a name is printed as written, never read as markup.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .money import format_cents_grouped

if TYPE_CHECKING:
    from .ingest import LoadReport
    from .queries import ContactPage, MonthSummary, PastDuePage


def console(stream=None) -> Console:  # noqa: ANN001 - a text stream
    """A console for ``stream``: colour and boxes on a terminal only, ``NO_COLOR`` honoured."""
    out = stream or sys.stdout
    terminal = out.isatty()
    return Console(
        file=out,
        highlight=False,
        markup=False,
        emoji=False,
        no_color=bool(os.environ.get("NO_COLOR")) or not terminal,
        color_system="auto" if terminal else None,
        force_terminal=terminal,
        # Piped output is for grep and cut: never wrap or truncate a row.
        width=None if terminal else 100_000,
        soft_wrap=not terminal,
    )


def _table(con: Console, title: str | None = None, caption: str | None = None) -> Table:
    fancy = con.is_terminal
    return Table(
        title=title if fancy else None,
        caption=caption if fancy else None,
        box=box.SIMPLE_HEAVY if fancy else None,
        show_edge=fancy,
        pad_edge=fancy,
        header_style="bold" if fancy else "",
        title_style="bold" if fancy else "",
        caption_justify="left",
    )


def _plain_lines(con: Console, *lines: str) -> None:
    """Title and footer lines printed around a piped table (they go to stderr)."""
    err = Console(file=sys.stderr, highlight=False, markup=False, no_color=True, width=100_000)
    for line in lines:
        if line:
            err.print(Text(line))


def _age_style(days: int) -> str:
    if days > 90:
        return "bold red"
    if days > 60:
        return "red"
    if days > 30:
        return "dark_orange"
    return "yellow"


def past_due(page: PastDuePage, totals: list[tuple[str, int, int]]) -> None:
    """The past-due page as a table with a footer of totals and the next page's command."""
    con = console()
    title = f"Past due as of {page.as_of.isoformat()}"
    first, last = page.offset + 1, page.offset + len(page.items)
    if page.items:
        shown = f"Rows {first}–{last} of {page.total}"
    else:
        shown = f"No rows at offset {page.offset}; {page.total} past-due invoices in all"
    money = " · ".join(f"{cur} {format_cents_grouped(cents)} ({n})" for cur, cents, n in totals)
    footer = [shown + (f" · outstanding {money}" if money else "")]
    if last < page.total:
        sort = "" if page.sort == "due_date.asc" else f" --sort {page.sort}"
        footer.append(
            f"Next page: domeo past-due --as-of {page.as_of.isoformat()}{sort} "
            f"--limit {page.limit} --offset {last}"
        )
    table = _table(con, title, "\n".join(footer))
    for name, justify in (
        ("Invoice", "left"),
        ("Customer", "left"),
        ("Invoice date", "left"),
        ("Due date", "left"),
        ("Days", "right"),
        ("Bill total", "right"),
        ("Applied", "right"),
        ("Outstanding", "right"),
        ("Cur", "left"),
        ("Status", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=name != "Customer")
    for item in page.items:
        table.add_row(
            Text(item.invoice_number),
            Text(item.customer_name),
            item.invoice_date,
            item.due_date,
            Text(str(item.days_past_due), style=_age_style(item.days_past_due)),
            format_cents_grouped(item.bill_total),
            format_cents_grouped(item.applied),
            Text(format_cents_grouped(item.outstanding), style="bold"),
            item.currency,
            item.status,
        )
    if not page.items and not con.is_terminal:
        _plain_lines(con, title, *footer)
        return
    con.print(table)
    if not con.is_terminal:
        _plain_lines(con, title, *footer)


def summary(result: MonthSummary) -> None:
    """Billing of a month, one row per currency."""
    con = console()
    who = f" to {result.customer.name}" if result.customer else ""
    title = f"Billed{who} in {result.month}"
    table = _table(con, title, "Amounts in different currencies are never added together.")
    table.add_column("Currency")
    table.add_column("Invoices", justify="right")
    table.add_column("Billed", justify="right")
    rows = result.by_currency or []
    if not rows:
        table.add_row(result.currency, "0", "0.00")
    for row in rows:
        table.add_row(row.currency, str(row.count_invoices), format_cents_grouped(row.sum_bill_total))
    con.print(table)
    if not con.is_terminal:
        _plain_lines(con, title)


def contacts(page: ContactPage) -> None:
    """A customer's contacts, most recently seen first."""
    con = console()
    title = f"Contacts of {page.customer.name}"
    shown = (
        f"{page.total} contact(s) on record"
        if page.total
        else "No contact details on record for this customer."
    )
    if page.contacts and (page.offset or len(page.contacts) < page.total):
        shown = f"Contacts {page.offset + 1}–{page.offset + len(page.contacts)} of {page.total}"
    table = _table(con, title, shown)
    for name in ("Name", "Email", "Phone", "Last seen"):
        table.add_column(name)
    for c in page.contacts:
        table.add_row(
            Text(c.name or "—"), Text(c.email or "—"), Text(c.phone or "—"), c.last_seen_invoice_date
        )
    if page.contacts:
        con.print(table)
    if not con.is_terminal or not page.contacts:
        _plain_lines(con, title, shown)


def load_report(report: LoadReport, rejects_path: str | None, shown_rejections: int = 10) -> None:
    """The human summary of a load, on stderr."""
    con = console(sys.stderr)
    verb = "Checked" if report.dry_run else "Loaded"
    target = "(dry run: nothing written)" if report.dry_run else f"into {report.database}"
    if not report.dry_run and not report.committed:
        verb, target = "Did not load", "(--strict: rows were rejected, nothing written)"
    con.print(Text(f"{verb} {report.file} {target}", style="bold"))
    table = _table(con)
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (
        ("rows read", report.rows_read),
        ("inserted", report.inserted),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("rejected", report.rejected),
        ("warnings", report.warnings),
        ("customers", report.customers),
    ):
        style = (
            "red" if label == "rejected" and value else ("yellow" if label == "warnings" and value else "")
        )
        table.add_row(label, Text(str(value), style=style))
    table.show_header = False
    con.print(table)
    if report.ignored_columns:
        con.print(Text("Columns ignored: " + ", ".join(report.ignored_columns)))
    for kind, count in report.warning_kinds.items():
        example = (
            next(w for w in report.warning_details if w.kind == kind) if report.warning_details else None
        )
        where = f" (first: line {example.line})" if example and example.line else ""
        detail = example.message if example else kind
        con.print(Text(f"warning: {count} × {detail}{where}", style="yellow"))
    if report.rejections:
        con.print(Text("Rejected rows:", style="bold red"))
        for r in report.rejections[:shown_rejections]:
            number = f" {r.invoice_number}" if r.invoice_number else ""
            con.print(Text(f"  line {r.line}{number}: {r.reason}"))
        more = len(report.rejections) - shown_rejections
        if rejects_path:
            con.print(Text(f"All rejected rows, with line and reason, are in {rejects_path}."))
        elif more > 0:
            con.print(Text(f"  … and {more} more: see them all with --rejects FILE.csv or --json."))


# -- reports beyond the contract (aging, customers, invoice) below --

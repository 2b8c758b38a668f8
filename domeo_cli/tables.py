"""Rich tables for people at a terminal; plain aligned text when piped.

User text (customer names, contacts) is always wrapped in ``Text`` so that
``[bold]`` in a name is printed as written, never read as markup.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from .money import format_cents_grouped

if TYPE_CHECKING:
    from .ingest import LoadReport
    from .queries.contacts import ContactPage
    from .queries.past_due import PastDuePage
    from .queries.summary import MonthSummary


# Control characters (C0 but tab and newline, DEL, C1) and bidi embedding, override and
# isolate controls. Rich passes them through, so from a customer name in an export they
# could recolour, retitle or clear the terminal, put escape sequences into piped output,
# or reorder a line (Trojan Source). They take no cells, so dropping them (as Rich
# already does with BEL, BS and CR) keeps the layout. JSON keeps them, escaped.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _SafeConsole(Console):
    """A console that drops control characters from any text it renders, never sends them."""

    def on_broken_pipe(self) -> None:
        """The reader went away (``| head``): raise, so the command ends as every report does (exit 0).

        Rich's own handling exits with status 1, which made a report that prints
        more than one table (aging, a series of months) fail under ``| head``.
        """
        self.quiet = True
        raise BrokenPipeError

    def render(self, renderable, options=None):  # noqa: ANN001, ANN201 - as Console.render
        for segment in super().render(renderable, options):
            if segment.control is None and _UNSAFE.search(segment.text):
                segment = Segment(_UNSAFE.sub("", segment.text), segment.style)
            yield segment


def console(stream=None) -> Console:  # noqa: ANN001 - a text stream
    """A console for ``stream``: colour and boxes on a terminal only, ``NO_COLOR`` honoured."""
    from .shapes import isatty, stdout

    out = stream or stdout()
    terminal = isatty(out)
    return _SafeConsole(
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
    err = _SafeConsole(file=sys.stderr, highlight=False, markup=False, no_color=True, width=100_000)
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
        sort += _filter_options(page)
        footer.append(
            f"Next page: domeo past-due --as-of {page.as_of.isoformat()}{sort} --limit {page.limit} --offset {last}"
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
    contact = page.filters.contact
    if contact:
        table.add_column("Contact", no_wrap=False, overflow="fold")
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
            *(
                # name and phone (the email is in every export format): who to call
                [Text("\n".join(v for v in (item.contact_name, item.contact_phone) if v))] if contact else []
            ),
        )
    if not page.items and not con.is_terminal:
        _plain_lines(con, title, *footer)
        return
    con.print(table)
    if not con.is_terminal:
        _plain_lines(con, title, *footer)


def _filter_options(page: PastDuePage) -> str:
    """The --customer, --with-children, --min-days and --contact a page was asked with, as options."""
    import shlex

    f = page.filters
    options = f" --customer {shlex.quote(f.customer)}" if f.customer is not None else ""
    options += " --with-children" if f.with_children else ""
    options += f" --min-days {f.min_days}" if f.min_days > 1 else ""
    return options + (" --contact" if f.contact else "")


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
    shown = f"{page.total} contact(s) on record" if page.total else "No contact details on record for this customer."
    if page.contacts and (page.offset or len(page.contacts) < page.total):
        shown = f"Contacts {page.offset + 1}–{page.offset + len(page.contacts)} of {page.total}"
    table = _table(con, title, shown)
    for name in ("Name", "Email", "Phone", "Last seen"):
        table.add_column(name)
    for c in page.contacts:
        table.add_row(Text(c.name or "—"), Text(c.email or "—"), Text(c.phone or "—"), c.last_seen_invoice_date)
    if page.contacts:
        con.print(table)
    if not con.is_terminal or not page.contacts:
        _plain_lines(con, title, shown)


def load_report(report: LoadReport, rejects_path: str | None, shown_rejections: int = 10) -> None:
    """The human summary of a load, on stderr."""
    from . import printable

    con = console(sys.stderr)
    verb = "Checked" if report.dry_run else "Loaded"
    target = "(dry run: nothing written)" if report.dry_run else f"into {report.database}"
    if not report.dry_run and not report.committed:
        verb, target = "Did not load", "(--strict: rows were rejected, nothing written)"
    con.print(Text(f"{verb} {printable.path(report.file)} {target}", style="bold"))
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
        style = "red" if label == "rejected" and value else ("yellow" if label == "warnings" and value else "")
        table.add_row(label, Text(str(value), style=style))
    table.show_header = False
    con.print(table)
    if report.ignored_columns:
        con.print(Text(report.ignored_columns_line()))
    for kind, count in report.warning_kinds.items():
        examples = [w for w in report.warning_details if w.kind == kind]
        if count <= 3 and len(examples) == count:  # a few: each in full
            for w in examples:
                where = f" (line {w.line})" if w.line else ""
                con.print(Text(f"warning: {w.message}{where}", style="yellow"))
            continue
        first = examples[0] if examples else None
        where = f" (first: line {first.line})" if first and first.line else ""
        con.print(Text(f"warning: {count} × {first.message if first else kind}{where}", style="yellow"))
    for message in report.hierarchy_warnings:
        con.print(Text(f"warning: {message}", style="yellow"))
    if report.rejections:
        con.print(Text("Rejected rows:", style="bold red"))
        for r in report.rejections[:shown_rejections]:
            number = f" {printable.printable(r.invoice_number)}" if r.invoice_number else ""
            con.print(Text(f"  line {r.line}{number}: {printable.message(r.reason)}"))
        more = len(report.rejections) - shown_rejections
        if rejects_path:
            con.print(Text(f"All rejected rows, with line and reason, are in {printable.path(rejects_path)}."))
        elif more > 0:
            con.print(Text(f"  … and {more} more: see them all with --rejects FILE.csv or --json."))


# -- reports beyond the contract (aging, customers, invoice) below --

if TYPE_CHECKING:
    from .queries.aging import AgingNode, AgingReport, AgingRow
    from .queries.customers import CustomerPage
    from .queries.invoices import InvoiceDetail
    from .queries.runs import RunPage
    from .queries.summary import MonthSeries

_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar of ``width`` cells at most, in eighths of a cell, proportional to value."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * width * 8 / largest))
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def _bucket_style(index: int, edges: tuple[int, ...]) -> str:
    """Colour of a bucket by how late it is: current plain, then warmer as the days grow."""
    if index == 0:
        return ""
    return _age_style(1 if index == 1 else edges[index - 2] + 1)


def _money_cell(cents: int, style: str = "") -> Text:
    if cents == 0:
        return Text("0.00", style="dim")
    return Text(format_cents_grouped(cents), style=style)


def aging(report: AgingReport) -> None:
    """One table per currency (groups, then the grand total), and on a terminal a bar per bucket."""
    con = console()
    basis = "days past due date" if report.age_by == "due" else "days since invoice date"
    label = {"customer": "Customer", "parent": "Top-level account", "currency": "Currency"}[report.by]
    if not report.totals:
        what = f" of {report.customer.name}" if report.customer else ""
        cur = f" in {report.currency}" if report.currency else ""
        message = f"No open invoices{what}{cur} as of {report.as_of.isoformat()}."
        if con.is_terminal:
            con.print(Text(message))
        else:
            _plain_lines(con, message)
        return
    for total in report.totals:
        cur = total.currency
        title = f"Aging as of {report.as_of.isoformat()} ({basis}), {cur}"
        hidden = next((h for h in report.hidden if h.currency == cur), None)
        notes = []
        if hidden is not None:
            why = []
            if report.min_total is not None:
                why.append(f"total under {format_cents_grouped(report.min_total)}")
            if report.limit is not None:
                why.append(f"beyond --limit {report.limit}")
            notes.append(f"{hidden.groups} more group(s) not listed ({' or '.join(why)}); included in the total.")
        table = _table(con, title, "\n".join(notes) or None)
        table.add_column(label, no_wrap=False, min_width=20 if con.is_terminal else None)
        if not con.is_terminal:  # (on a terminal the title says the currency)
            table.add_column("Cur", no_wrap=True)
        for name in report.bucket_names:
            table.add_column(name.capitalize() if name == "current" else name, justify="right", no_wrap=True)
        table.add_column("Total", justify="right", no_wrap=True)
        table.add_column("Invoices", justify="right", no_wrap=True)

        def add(row: AgingRow, name: Text, bold: bool = False, table: Table = table) -> None:
            cells = [
                _money_cell(c, _bucket_style(i, report.edges) if con.is_terminal else "")
                for i, c in enumerate(row.buckets)
            ]
            table.add_row(
                name,
                *([] if con.is_terminal else [row.currency]),
                *cells,
                Text(format_cents_grouped(row.total), style="bold"),
                Text(str(row.invoices), style="bold" if bold else ""),
            )

        if report.tree is not None:
            for root in (n for n in report.tree if n.subtotal.currency == cur):
                for node, depth in _walk(root):
                    indent = "  " * depth
                    has_kids = bool(node.children)
                    add(node.subtotal, Text(indent + node.name, style="bold" if has_kids and con.is_terminal else ""))
                    if has_kids and node.own is not None:
                        add(node.own, Text(indent + "  (own invoices)", style="dim italic" if con.is_terminal else ""))
        else:
            for group in (g for g in report.groups if g.currency == cur):
                add(group, Text(group.name))
        if hidden is not None:
            add(hidden.row, Text(f"({hidden.groups} more)", style="dim" if con.is_terminal else ""))
        table.add_section()
        add(total, Text(f"Total {cur}", style="bold" if con.is_terminal else ""), bold=True)
        con.print(table)
        if con.is_terminal:
            _aging_chart(con, report, total)
        else:
            _plain_lines(con, title, *notes)


def _walk(root: AgingNode) -> list[tuple[AgingNode, int]]:
    """The nodes of a tree in display order (parent, then its children), with their depth."""
    out: list[tuple[AgingNode, int]] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        out.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    return out


def _aging_chart(con: Console, report: AgingReport, total: AgingRow) -> None:
    """One line per bucket: the grand total's share of each, as a bar."""
    largest = max(total.buckets, default=0)
    width = max(10, min(40, (con.width or 80) - 45))
    labels = [name.capitalize() if name == "current" else name for name in report.bucket_names]
    label_width = max(len(n) for n in labels)
    amount_width = max(len(format_cents_grouped(c)) for c in total.buckets)
    for i, (name, cents) in enumerate(zip(labels, total.buckets, strict=True)):
        share = f"{cents * 100 / total.total:5.1f}%" if total.total else "  0.0%"
        line = Text(f"  {name:<{label_width}}  ")
        line.append(_bar(cents, largest, width).ljust(width), style=_bucket_style(i, report.edges) or "green")
        line.append(f"  {format_cents_grouped(cents):>{amount_width}} {total.currency}  {share}")
        con.print(line)
    con.print()


def customers(page: CustomerPage) -> None:
    """A page of customers; the largest past-due amounts and oldest debts stand out."""
    con = console()
    first, last = page.offset + 1, page.offset + len(page.customers)
    what = f" matching {page.search!r}" if page.search else ""
    if page.customers:
        shown = f"Customers {first}–{last} of {page.total}{what}, sorted by {page.sort.replace('_', ' ')}"
    else:
        shown = f"No customers{what} at offset {page.offset}; {page.total} in all"
    footer = [shown + f" · past due as of {page.as_of.isoformat()}"]
    if last < page.total:
        import shlex

        # A command to paste: the same date (a later run would move "today"), shell-quoted search.
        extra = "".join(
            part
            for part in (
                f" --as-of {page.as_of.isoformat()}",
                f" --search {shlex.quote(page.search)}" if page.search else "",
                f" --sort {page.sort}" if page.sort != "name" else "",
            )
        )
        footer.append(f"Next page: domeo customers{extra} --limit {page.limit} --offset {last}")
    title = "Customers"
    table = _table(con, title, "\n".join(footer))
    for name, justify in (
        ("Customer", "left"),
        ("Number", "left"),
        ("Parent", "left"),
        ("Invoices", "right"),
        ("Open AR", "right"),
        ("Past due", "right"),
        ("Oldest", "right"),
        ("Last invoice", "left"),
        ("Main contact", "left"),
    ):
        wraps = name in ("Customer", "Parent", "Main contact")
        table.add_column(name, justify=justify, no_wrap=not wraps, min_width=14 if wraps else None)
    # The worst offenders of the page: the three largest past-due amounts of each currency.
    worst: set[tuple[int, str]] = set()
    for cur in {b.currency for c in page.customers for b in c.balances}:
        amounts = sorted(
            ((b.past_due, c.id) for c in page.customers for b in c.balances if b.currency == cur and b.past_due),
            reverse=True,
        )
        worst.update((cid, cur) for _, cid in amounts[:3])
    for c in page.customers:
        open_ar = Text(" · ").join(
            Text(f"{format_cents_grouped(b.open_ar)} {b.currency}") for b in c.balances if b.open_ar
        )
        past = Text(" · ").join(
            Text(
                f"{format_cents_grouped(b.past_due)} {b.currency}",
                style="bold red" if (c.id, b.currency) in worst else "",
            )
            for b in c.balances
            if b.past_due
        )
        parent = c.parent_name or ""
        if c.parent_number and not c.parent_name:
            parent = f"{c.parent_number} (not in the data)"
        contact = "—"
        if c.contact is not None:
            # On a terminal, who to call (the email is in --json); piped, everything on one line.
            parts = (c.contact.name or c.contact.email, c.contact.phone)
            if not con.is_terminal:
                parts = (c.contact.name, c.contact.email, c.contact.phone)
            contact = " · ".join(p for p in parts if p) or "—"
        oldest = c.oldest_days_past_due
        table.add_row(
            Text(c.name, style="bold" if any((c.id, b.currency) in worst for b in c.balances) else ""),
            Text(c.customer_number or "—"),
            Text(parent or "—"),
            str(c.invoices),
            open_ar if open_ar.plain else Text("—", style="dim"),
            past if past.plain else Text("—", style="dim"),
            Text(str(oldest), style=_age_style(oldest)) if oldest is not None else Text("—", style="dim"),
            c.last_invoice_date or "—",
            Text(contact),
        )
    if page.customers:
        con.print(table)
    if not con.is_terminal or not page.customers:
        _plain_lines(con, title, *footer)


def invoice(detail: InvoiceDetail) -> None:
    """One invoice as a list of fields."""
    con = console()
    title = f"Invoice {detail.invoice_number}"
    table = _table(con, title)
    table.add_column("Field")
    table.add_column("Value")
    table.show_header = False
    due = detail.due_date
    if detail.due_date_derived:
        due += f" (derived: invoice date + {detail.terms_days} days, terms {detail.terms!r})"
    if not detail.issued:
        state = Text("not issued yet")
    elif detail.past_due:
        state = Text(f"{detail.days_past_due} days past due", style=_age_style(detail.days_past_due))
    elif detail.outstanding > 0:
        state = Text("open, not yet due")
    else:
        state = Text("nothing outstanding")
    state.append(f" (as of {detail.as_of.isoformat()})")
    customer = detail.customer_name + (f" ({detail.customer_number})" if detail.customer_number else "")
    run = detail.run
    changed = "—"
    if run is not None:
        changed = f"load #{run.id} of {run.file_name}, {run.finished_at or run.started_at}"
    contact = " · ".join(p for p in (detail.contact_name, detail.contact_email, detail.contact_phone) if p)
    for label, value in (
        ("Invoice", Text(detail.invoice_number)),
        ("Customer", Text(customer)),
        ("Parent customer", Text(detail.parent_number or "—")),
        ("Invoice date", Text(detail.invoice_date)),
        ("Due date", Text(due)),
        ("Terms", Text(detail.terms or "—")),
        ("PO number", Text(detail.po_number or "—")),
        ("Bill total", Text(f"{format_cents_grouped(detail.bill_total)} {detail.currency}")),
        ("Applied", Text(f"{format_cents_grouped(detail.applied)} {detail.currency}")),
        ("Outstanding", Text(f"{format_cents_grouped(detail.outstanding)} {detail.currency}", style="bold")),
        ("Status", Text(detail.status)),
        ("Past due", state),
        ("Contact", Text(contact or "—")),
        ("Last changed by", Text(changed)),
    ):
        table.add_row(label, value)
    con.print(table)
    if not con.is_terminal:
        _plain_lines(con, title)


def summary_months(series: MonthSeries) -> None:
    """Billing month by month, one table per currency; on a terminal, a bar per month."""
    con = console()
    who = f" to {series.customer.name}" if series.customer else ""
    for total in series.by_currency:
        cur = total.currency
        title = f"Billed{who}, {series.first} to {series.last}, {cur}"
        caption = f"{total.count_invoices} invoices, {format_cents_grouped(total.sum_bill_total)} {cur} in all"
        table = _table(con, title, caption)
        table.add_column("Month")
        table.add_column("Cur")
        table.add_column("Invoices", justify="right")
        table.add_column("Billed", justify="right")
        rows = [m for m in series.months if m.currency == cur]
        if con.is_terminal:
            table.add_column("", no_wrap=True)
        largest = max((m.sum_bill_total for m in rows), default=0)
        width = max(10, min(50, (con.width or 80) - 40))
        for m in rows:
            cells = [m.month, cur, str(m.count_invoices), format_cents_grouped(m.sum_bill_total)]
            if con.is_terminal:
                cells.append(Text(_bar(m.sum_bill_total, largest, width), style="cyan"))
            table.add_row(*cells)
        con.print(table)
        if not con.is_terminal:
            _plain_lines(con, title, caption)


def runs(page: RunPage) -> None:
    """The loads kept, newest first: when, file, hash, counts, duration; fitted to the terminal."""
    con = console()
    title = "Loads, newest first"
    caption = f"{len(page.runs)} of {page.total} loads"
    columns: list[tuple[str, bool, list[str]]] = [  # (label, right-aligned, cells)
        ("Load", True, [str(r.id) for r in page.runs]),
        ("Started (UTC)", False, [r.started_at.replace("+00:00", "").replace("T", " ") for r in page.runs]),
        ("Seconds", True, ["unfinished" if r.duration_s is None else f"{r.duration_s:g}" for r in page.runs]),
        ("File", False, [r.file_name for r in page.runs]),
        ("SHA-256", False, [(r.sha256 or "—")[:12] for r in page.runs]),
    ]
    for label, key in (("Read", "rows_read"), ("Ins", "inserted"), ("Upd", "updated"), ("Same", "unchanged"),
                       ("Rej", "rejected"), ("Warn", "warnings")):  # fmt: skip
        columns.append((label, True, ["—" if getattr(r, key) is None else str(getattr(r, key)) for r in page.runs]))
    # Least useful first: what goes when the terminal is too narrow (never a cut number).
    dropped = []
    if con.is_terminal:

        def width(column: tuple[str, bool, list[str]]) -> int:
            label, _, cells = column
            # a cell's text, its padding and the rule between columns; a file name wraps from 20 up
            return 20 + 3 if label == "File" else max(len(label), *(len(c) for c in cells)) + 3

        for label in ("SHA-256", "Warn", "Upd", "Seconds"):
            if sum(width(c) for c in columns) + 2 <= (con.width or 80):
                break
            columns = [c for c in columns if c[0] != label]
            dropped.append(label)
    if dropped:
        caption += f" · not shown at this width: {', '.join(dropped)} (see --json)"
    table = _table(con, title, caption)
    for label, right, _ in columns:
        wraps = label == "File"
        table.add_column(
            label,
            justify="right" if right else "left",
            no_wrap=not wraps,
            overflow="fold",
            min_width=20 if wraps else None,
        )
    for row in zip(*(cells for _, _, cells in columns), strict=True):
        table.add_row(*(Text(cell) for cell in row))
    con.print(table)
    if not con.is_terminal:
        _plain_lines(con, title, caption)


def render(result: object) -> None:
    """Print any result of ``reports`` as its table on stdout."""
    name = type(result).__name__
    if name == "PastDuePage":
        past_due(result, result.totals or [])  # type: ignore[attr-defined]
        return
    draw = {
        "MonthSummary": summary,
        "MonthSeries": summary_months,
        "ContactPage": contacts,
        "AgingReport": aging,
        "CustomerPage": customers,
        "InvoiceDetail": invoice,
        "RunPage": runs,
    }[name]
    draw(result)  # type: ignore[operator]

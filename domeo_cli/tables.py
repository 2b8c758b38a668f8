"""Rich tables for people at a terminal; plain aligned text when piped.

User text (customer names, contacts) is always wrapped in ``Text`` so that
``[bold]`` in a name is printed as written, never read as markup.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from . import printable
from .money import format_cents, format_cents_grouped
from .results import imported

if TYPE_CHECKING:
    from .load_report import LoadReport
    from .results.contacts import ContactPage
    from .results.describe import Report
    from .results.past_due import PastDuePage
    from .results.summary import MonthSummary


# Control characters (C0 but tab and newline, DEL, C1), bidi embedding, override,
# isolate and mark characters, and the line and paragraph separators (``printable.UNSAFE``).
# Rich passes them through, so from a customer name in an export they could recolour,
# retitle or clear the terminal, put escape sequences into piped output, or reorder a
# line (Trojan Source). They take no cells, so dropping them (as Rich already does with
# BEL, BS and CR) keeps the layout. JSON keeps them, escaped.
_UNSAFE = printable.UNSAFE


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


# -- fitting a table to the terminal -----------------------------------------------------
#
# Every report table goes through ``_show``. At a terminal it decides the layout itself,
# so that Rich never has to shrink a column: a number, date or code is shown whole or
# its column is left out (a cut amount is a wrong amount); only text columns (names)
# wrap, and the table's name column is never left out. When the columns do not fit,
# those of the table's ``drop`` list go first, in that order, and a line under the
# table names them. Narrower than ``_BLOCKS_BELOW`` (or when even the kept columns do
# not fit) each row becomes a block of "label: value" lines. Piped, every column is
# printed on one line per row, for grep and cut.

#: Below this many columns a table is shown as one block of lines per row.
_BLOCKS_BELOW = 40


class Column(NamedTuple):
    """A column of a report table."""

    header: str
    justify: str = "left"
    wraps: bool = False
    """Text that may fold over several lines (names); any other column is shown whole or left out."""
    min_width: int = 12
    """For a column that wraps: the narrowest it gets before other columns are left out."""


class Indented(NamedTuple):
    """A name shown ``indent`` cells in (a tree's level); its folded lines keep the indent."""

    text: Text
    indent: int


Cell = str | Text | Indented


def _cell_width(cell: Cell) -> int:
    if isinstance(cell, Indented):
        return cell.indent + _cell_width(cell.text)
    text = cell if isinstance(cell, Text) else Text(cell)
    return max((cell_len(line) for line in text.plain.split("\n")), default=0)


def _table_width(widths: list[int]) -> int:
    """Cells a boxed table takes: each column, its padding of one cell a side, the rules between and the edges."""
    return sum(widths) + 3 * len(widths) + 1


def _fold(cell: Cell, width: int, con: Console) -> Cell:
    """A wrapping cell folded to ``width`` here, so a tree's indent is kept on every line."""
    if not isinstance(cell, Indented):
        return cell
    room = max(1, width - cell.indent)
    pad = " " * cell.indent
    lines = cell.text.wrap(con, room, overflow="fold")
    out = Text()
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        line.rstrip()
        out.append(pad)
        out.append_text(line)
    return out


def _plain_cell(cell: Cell) -> str | Text:
    if isinstance(cell, Indented):
        return Text(" " * cell.indent).append_text(cell.text)
    return cell


def _show(
    con: Console,
    title: str,
    columns: list[Column],
    rows: list[list[Cell] | None],
    footer: list[str],
    drop: tuple[str, ...] = (),
    show_header: bool = True,
) -> None:
    """Print a report table fitted to ``con`` (see above); ``None`` in ``rows`` starts a new section.

    ``drop`` lists the headers that may be left out, least useful first; the
    first column (the name) and any column not listed are always shown.
    """
    if not con.is_terminal:
        table = _table(con)
        table.show_header = show_header
        for column in columns:
            table.add_column(column.header, justify=column.justify, no_wrap=True)
        for row in rows:
            if row is None:
                table.add_section()
            else:
                table.add_row(*(_plain_cell(c) for c in row))
        con.print(table)
        _plain_lines(con, title, *footer)
        return
    data = [row for row in rows if row is not None]
    natural = [
        max([cell_len(c.header) if show_header else 0] + [_cell_width(row[i]) for row in data])
        for i, c in enumerate(columns)
    ]
    indents = [max((r[i].indent for r in data if isinstance(r[i], Indented)), default=0) for i in range(len(columns))]
    floor = [
        min(natural[i], max(c.min_width, indents[i] + 8)) if c.wraps else natural[i] for i, c in enumerate(columns)
    ]
    shown = list(range(len(columns)))
    left_out: list[str] = []
    for header in drop:
        if _table_width([floor[i] for i in shown]) <= con.width:
            break
        found = [i for i in shown if columns[i].header == header and i != 0]
        if found:  # (the name column, first, is never left out)
            shown.remove(found[0])
            left_out.append(header)
    if con.width < _BLOCKS_BELOW or _table_width([floor[i] for i in shown]) > con.width:
        _show_blocks(con, title, columns, data, footer, show_header)
        return
    widths = {i: floor[i] for i in shown}
    spare = con.width - _table_width(list(widths.values()))
    for i in shown:  # the room left goes to the wrapping columns, the name first
        if columns[i].wraps and spare > 0:
            grow = min(spare, natural[i] - widths[i])
            widths[i] += grow
            spare -= grow
    if left_out:
        names = ", ".join(left_out)
        footer = [*footer, f"Not shown at {con.width} columns: {names} (a wider terminal or --json shows them)."]
    commands = [line for line in footer if line.startswith(_NEXT)]
    footer = [line for line in footer if not line.startswith(_NEXT)]
    table = _table(con, title, "\n".join(footer) or None)
    table.show_header = show_header
    for i in shown:
        c = columns[i]
        table.add_column(
            c.header,
            justify=c.justify,
            no_wrap=not c.wraps,
            overflow="fold",
            width=widths[i],
            min_width=widths[i],
        )
    for row in rows:
        if row is None:
            table.add_section()
        else:
            table.add_row(*(_fold(row[i], widths[i], con) for i in shown))
    con.print(table)
    _print_commands(con, commands)


def _print_commands(con: Console, lines: list[str]) -> None:
    """Commands to paste, on one line each: the terminal folds them, so a copy has no line break in it."""
    for line in lines:
        con.print(Text(line), soft_wrap=True)


def _show_blocks(
    con: Console, title: str, columns: list[Column], rows: list[list[Cell]], footer: list[str], show_header: bool
) -> None:
    """A table too wide for the terminal as one block per row: its first cell, then "label: value" lines.

    A table without headers (a list of fields) prints "field: value" per row.
    Lines fold at spaces with a hanging indent, so a value never runs back to
    the first column; a number is one word, never split at this width.
    """
    _hanging(con, Text(title, style="bold"), 0, 0)
    for row in rows:
        cells = [_plain_cell(cell) for cell in row]
        texts = [c if isinstance(c, Text) else Text(c) for c in cells]
        if not show_header:
            _hanging(con, Text(": ").join(texts), 0)
            continue
        con.print()
        _hanging(con, texts[0], 0)
        for column, text in zip(columns[1:], texts[1:], strict=True):
            _hanging(con, Text(f"{column.header}: " if column.header else "").append_text(text), 2)
    con.print()
    for line in footer:
        if line.startswith(_NEXT):
            _print_commands(con, [line])
        else:
            _hanging(con, Text(line), 0, 0)


def _hanging(con: Console, text: Text, indent: int, hang: int = 2) -> None:
    """Print ``text`` folded to the terminal, ``indent`` cells in, its later lines ``hang`` cells further."""
    room = max(8, con.width - indent - hang)
    for i, line in enumerate(text.wrap(con, room, overflow="fold")):
        line.rstrip()
        con.print(Text(" " * (indent + (hang if i else 0))).append_text(line), soft_wrap=True)


def _lines_only(con: Console, title: str, footer: list[str]) -> None:
    """A report with no rows: its title and footer, on stdout at a terminal, else on stderr."""
    if not con.is_terminal:
        _plain_lines(con, title, *footer)
        return
    for line in (title, *footer):
        con.print(Text(line))


_NEXT = "Next page: "


def next_page(
    command: str, options: list[tuple[str, object]], limit: int, offset: int, database: str | None = None
) -> str:
    """The command that shows the next page, to paste into a shell: the same options, the next offset.

    ``options`` are (flag, value) pairs in order: a value of None leaves the flag
    out, True gives the flag alone; values are shell-quoted. ``database`` is
    named (``--db``) when it is not the one the command would find by itself.
    """
    import shlex

    words = ["domeo"]
    if database is not None:
        words += ["--db", database]
    words.append(command)
    for flag, value in options:
        if value is None or value is False:
            continue
        words += [flag] if value is True else [flag, str(value)]
    words += ["--limit", str(limit), "--offset", str(offset)]
    return _NEXT + " ".join(shlex.quote(w) for w in words)


#: Where the figures come from, said wherever a person reads balances as of a date.
def _as_of_note(as_of: str) -> str:
    return f"Balances are those of the last load; invoices dated after {as_of} are left out."


def _age_style(days: int) -> str:
    if days > 90:
        return "bold red"
    if days > 60:
        return "red"
    if days > 30:
        return "dark_orange"
    return "yellow"


def past_due(page: PastDuePage, totals: list[tuple[str, int, int]], database: str | None = None) -> None:
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
        f = page.filters
        options: list[tuple[str, object]] = [
            ("--as-of", page.as_of.isoformat()),
            ("--sort", None if page.sort == "due_date.asc" else page.sort),
            ("--customer", f.customer),
            ("--with-children", f.with_children),
            ("--min-days", f.min_days if f.min_days > 1 else None),
            ("--contact", f.contact),
        ]
        footer.append(next_page("past-due", options, page.limit, last, database))
    footer.append(_as_of_note(page.as_of.isoformat()))
    columns = [
        Column("Invoice"),
        Column("Customer", wraps=True, min_width=20),
        Column("Invoice date"),
        Column("Due date"),
        Column("Days", "right"),
        Column("Bill total", "right"),
        Column("Applied", "right"),
        Column("Outstanding", "right"),
        Column("Cur"),
        Column("Status"),
    ]
    contact = page.filters.contact
    if contact:  # who to call: name and phone (the email is in every export format)
        columns.append(Column("Contact", wraps=True, min_width=16))
    rows: list[list[Cell] | None] = [
        [
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
            *([Text("\n".join(v for v in (item.contact_name, item.contact_phone) if v))] if contact else []),
        ]
        for item in page.items
    ]
    if not page.items:
        _lines_only(con, title, footer)
        return
    drop = ("Status", "Applied", "Invoice date", "Bill total", "Due date", "Days", "Contact", "Cur")
    _show(con, title, columns, rows, footer, drop)


def summary(result: MonthSummary) -> None:
    """Billing of a month, one row per currency."""
    con = console()
    who = f" to {result.customer.name}" if result.customer else ""
    title = f"Billed{who} in {result.month}"
    columns = [Column("Currency"), Column("Invoices", "right"), Column("Billed", "right")]
    rows: list[list[Cell] | None] = [
        [row.currency, str(row.count_invoices), format_cents_grouped(row.sum_bill_total)]
        for row in result.by_currency or []
    ] or [[result.currency, "0", "0.00"]]
    footer = ["Amounts in different currencies are never added together."] if con.is_terminal else []
    _show(con, title, columns, rows, footer)


def contacts(page: ContactPage) -> None:
    """A customer's contacts, most recently seen first."""
    con = console()
    title = f"Contacts of {page.customer.name}"
    shown = f"{page.total} contact(s) on record" if page.total else "No contact details on record for this customer."
    if page.contacts and (page.offset or len(page.contacts) < page.total):
        shown = f"Contacts {page.offset + 1}–{page.offset + len(page.contacts)} of {page.total}"
    if not page.contacts:
        _lines_only(con, title, [shown])
        return
    columns = [
        Column("Name", wraps=True, min_width=16),
        Column("Email", wraps=True, min_width=16),
        Column("Phone"),
        Column("Last seen"),
    ]
    rows: list[list[Cell] | None] = [
        [Text(c.name or "—"), Text(c.email or "—"), Text(c.phone or "—"), c.last_seen_invoice_date]
        for c in page.contacts
    ]
    _show(con, title, columns, rows, [shown], drop=("Last seen", "Phone", "Email"))


def load_report(report: LoadReport, rejects_path: str | None, shown_rejections: int = 10) -> None:
    """The human summary of a load, on stderr."""
    con = console(sys.stderr)
    verb = "Checked" if report.dry_run else "Loaded"
    target = "(dry run: nothing written)" if report.dry_run else f"into {report.database}"
    if not report.dry_run and not report.committed:
        verb, target = "Did not load", "(--strict: rows were rejected, nothing written)"
    con.print(Text(f"{verb} {printable.path(report.file)} {target}", style="bold"))
    rows: list[list[Cell] | None] = []
    for label, value in (
        ("rows read", report.rows_read),
        ("inserted", report.inserted),
        ("updated", report.updated),
        ("unchanged", report.unchanged),
        ("rejected", report.rejected),
        ("warnings", report.warnings),
        ("customers", report.customers),
        ("missing", report.missing),
    ):
        style = "red" if label == "rejected" and value else ("yellow" if label == "warnings" and value else "")
        rows.append([label, Text(str(value), style=style)])
    # What changed beyond the invoices' fields: shown when there is any (the warnings say which).
    for label, value in (
        ("customers changed", report.customers_changed),
        ("moved", report.moved),
        ("taken back", report.taken_back),
    ):
        if value:
            rows.append([label, Text(str(value), style="yellow")])
    _show(con, "", [Column(""), Column("", "right")], rows, [], show_header=False)
    if report.ignored_columns:
        con.print(Text(report.ignored_columns_line()))
    if report.missing_invoices:
        scope = "invoices" if report.complete == "all" else "open invoices"
        shown = ", ".join(report.missing_invoices[:5]) + (" …" if report.missing > 5 else "")
        done = (
            f"; {report.settled} settled from this load on (--complete=open)"
            if report.settled
            else "; not acted on (--complete=open settles them)"
            if report.complete != "open"
            else ""
        )
        con.print(Text(f"{report.missing:,} {scope} in the database are not in the file: {shown}{done}."))
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
    from .results.aging import AgingNode, AgingReport, AgingRow
    from .results.check import CheckReport
    from .results.customers import CustomerPage
    from .results.diff import DiffReport
    from .results.invoices import InvoiceDetail
    from .results.runs import RunPage
    from .results.summary import MonthSeries
    from .results.trend import TrendReport

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


def aging(report: AgingReport, database: str | None = None) -> None:
    """One table per currency (groups, then the grand total), and on a terminal a bar per bucket."""
    con = console()
    basis = "days past due date" if report.age_by == "due" else "days since invoice date"
    label = {"customer": "Customer", "parent": "Top-level account", "currency": "Currency"}[report.by]
    as_of = report.as_of.isoformat()
    if not report.totals:
        what = f" of {report.customer.name}" if report.customer else ""
        cur = f" in {report.currency}" if report.currency else ""
        _lines_only(con, f"No open invoices{what}{cur} as of {as_of}.", [_as_of_note(as_of)])
        return
    buckets = [name.capitalize() if name == "current" else name for name in report.bucket_names]
    columns = [Column(label, wraps=True, min_width=20)]
    if not con.is_terminal:  # (on a terminal the title says the currency)
        columns.append(Column("Cur"))
    columns += [Column(name, "right") for name in buckets]
    columns += [Column("Total", "right"), Column("Invoices", "right")]
    # Least useful first: the count, then the buckets from the youngest; the oldest bucket and the total stay.
    drop = ("Invoices", *buckets[:-1])
    more = False
    for total in report.totals:
        cur = total.currency
        title = f"Aging as of {as_of} ({basis}), {cur}"
        hidden = next((h for h in report.hidden if h.currency == cur), None)
        notes = []
        if hidden is not None:
            under = hidden.groups - hidden.before - hidden.after
            why = [
                f"{n} {what}"
                for n, what in (
                    (hidden.before, "before this page"),
                    (hidden.after, "after this page"),
                    (under, f"under the --min-total of {format_cents_grouped(report.min_total or 0)}"),
                )
                if n
            ]
            notes.append(f"{hidden.groups} more group(s) not listed ({', '.join(why)}); included in the total.")
            more = more or hidden.after > 0
        notes.append(_as_of_note(as_of))

        def cells(row: AgingRow, name: Cell, bold: bool = False) -> list[Cell]:
            return [
                name,
                *([] if con.is_terminal else [row.currency]),
                *(
                    _money_cell(c, _bucket_style(i, report.edges) if con.is_terminal else "")
                    for i, c in enumerate(row.buckets)
                ),
                Text(format_cents_grouped(row.total), style="bold"),
                Text(str(row.invoices), style="bold" if bold else ""),
            ]

        rows: list[list[Cell] | None] = []
        if report.tree is not None:
            for root in (n for n in report.tree if n.subtotal.currency == cur):
                for node, depth in _walk(root):
                    has_kids = bool(node.children)
                    style = "bold" if has_kids and con.is_terminal else ""
                    rows.append(cells(node.subtotal, Indented(Text(node.name, style=style), 2 * depth)))
                    if has_kids and node.own is not None:
                        own = Text("(own invoices)", style="dim italic" if con.is_terminal else "")
                        rows.append(cells(node.own, Indented(own, 2 * depth + 2)))
        else:
            rows += [cells(group, Text(group.name)) for group in report.groups if group.currency == cur]
        if hidden is not None:
            rows.append(cells(hidden.row, Text(f"({hidden.groups} more)", style="dim" if con.is_terminal else "")))
        rows.append(None)
        rows.append(cells(total, Text(f"Total {cur}", style="bold" if con.is_terminal else ""), bold=True))
        _show(con, title, columns, rows, notes, drop)
        if con.is_terminal:
            _aging_chart(con, report, total)
    if more and report.limit is not None:
        from .options import DEFAULT_EDGES

        options: list[tuple[str, object]] = [
            ("--as-of", as_of),
            ("--buckets", ",".join(map(str, report.edges)) if report.edges != DEFAULT_EDGES else None),
            ("--age-by", report.age_by if report.age_by != "due" else None),
            ("--by", report.by if report.by != "customer" and report.tree is None else None),
            ("--tree", report.tree is not None),
            ("--customer", report.customer.name if report.customer else None),
            ("--currency", report.currency),
            ("--min-total", format_cents(report.min_total) if report.min_total is not None else None),
            ("--sort", report.sort if report.sort != "total" else None),
        ]
        line = next_page("aging", options, report.limit, report.offset + report.limit, database)
        if con.is_terminal:
            _print_commands(con, [line])
        else:
            _plain_lines(con, line)


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
    """One line per bucket: the grand total's share of each, as a bar as wide as the terminal allows."""
    largest = max(total.buckets, default=0)
    labels = [name.capitalize() if name == "current" else name for name in report.bucket_names]
    label_width = max(len(n) for n in labels)
    amount_width = max(len(format_cents_grouped(c)) for c in total.buckets)
    words = 2 + label_width + 2 + 2 + amount_width + 1 + len(total.currency) + 2 + 6
    width = min(40, (con.width or 80) - words)
    for i, (name, cents) in enumerate(zip(labels, total.buckets, strict=True)):
        share = f"{cents * 100 / total.total:5.1f}%" if total.total else "  0.0%"
        line = Text(f"  {name:<{label_width}}  ")
        if width >= 4:  # too narrow for a bar: the figures alone
            line.append(_bar(cents, largest, width).ljust(width), style=_bucket_style(i, report.edges) or "green")
            line.append("  ")
        line.append(f"{format_cents_grouped(cents):>{amount_width}} {total.currency}  {share}")
        con.print(line)
    con.print()


def customers(page: CustomerPage, database: str | None = None) -> None:
    """A page of customers; the largest past-due amounts and oldest debts stand out."""
    con = console()
    first, last = page.offset + 1, page.offset + len(page.customers)
    what = f" matching {page.search!r}" if page.search else ""
    if page.customers:
        shown = f"Customers {first}–{last} of {page.total}{what}, sorted by {page.sort.replace('_', ' ')}"
    else:
        shown = f"No customers{what} at offset {page.offset}; {page.total} in all"
    as_of = page.as_of.isoformat()
    footer = [shown + f" · past due as of {as_of}"]
    if last < page.total:
        # A command to paste: the same date (a later run would move "today"), shell-quoted search.
        sort = page.sort if page.sort != "name" else None
        options = [("--as-of", as_of), ("--search", page.search), ("--sort", sort)]
        footer.append(next_page("customers", options, page.limit, last, database))
    footer.append(_as_of_note(as_of))
    title = "Customers"
    columns = [
        Column("Customer", wraps=True, min_width=20),
        Column("Number"),
        Column("Parent", wraps=True, min_width=14),
        Column("Invoices", "right"),
        Column("Open AR", "right"),
        Column("Past due", "right"),
        Column("Oldest", "right"),
        Column("Last invoice"),
        Column("Main contact", wraps=True, min_width=16),
    ]
    drop = ("Number", "Parent", "Last invoice", "Invoices", "Open AR", "Main contact", "Oldest")
    # The worst offenders of the page: the three largest past-due amounts of each currency.
    worst: set[tuple[int, str]] = set()
    for cur in {b.currency for c in page.customers for b in c.balances}:
        amounts = sorted(
            ((b.past_due, c.id) for c in page.customers for b in c.balances if b.currency == cur and b.past_due),
            reverse=True,
        )
        worst.update((cid, cur) for _, cid in amounts[:3])
    rows: list[list[Cell] | None] = []
    for c in page.customers:
        # One amount per line on a terminal (an amount is never split); one line when piped.
        joint = Text("\n" if con.is_terminal else " · ")
        open_ar = joint.join(Text(f"{format_cents_grouped(b.open_ar)} {b.currency}") for b in c.balances if b.open_ar)
        past = joint.join(
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
        rows.append(
            [
                Text(c.name, style="bold" if any((c.id, b.currency) in worst for b in c.balances) else ""),
                Text(c.customer_number or "—"),
                Text(parent or "—"),
                str(c.invoices),
                open_ar if open_ar.plain else Text("—", style="dim"),
                past if past.plain else Text("—", style="dim"),
                Text(str(oldest), style=_age_style(oldest)) if oldest is not None else Text("—", style="dim"),
                c.last_invoice_date or "—",
                Text(contact),
            ]
        )
    if not page.customers:
        _lines_only(con, title, footer)
        return
    _show(con, title, columns, rows, footer, drop)


def invoice(detail: InvoiceDetail) -> None:
    """One invoice as a list of fields."""
    con = console()
    title = f"Invoice {detail.invoice_number}"
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
    rows: list[list[Cell] | None] = []
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
        rows.append([label, value])
    columns = [Column("Field"), Column("Value", wraps=True, min_width=20)]
    _show(con, title, columns, rows, [_as_of_note(detail.as_of.isoformat())], show_header=False)


def summary_months(series: MonthSeries) -> None:
    """Billing month by month, one table per currency; on a terminal, a bar per month."""
    con = console()
    who = f" to {series.customer.name}" if series.customer else ""
    for total in series.by_currency:
        cur = total.currency
        title = f"Billed{who}, {series.first} to {series.last}, {cur}"
        caption = f"{total.count_invoices} invoices, {format_cents_grouped(total.sum_bill_total)} {cur} in all"
        columns = [Column("Month"), Column("Cur"), Column("Invoices", "right"), Column("Billed", "right")]
        months = [m for m in series.months if m.currency == cur]
        rows: list[list[Cell] | None] = [
            [m.month, cur, str(m.count_invoices), format_cents_grouped(m.sum_bill_total)] for m in months
        ]
        if con.is_terminal:  # a bar in the room the figures leave
            amount = max((len(format_cents_grouped(m.sum_bill_total)) for m in months), default=4)
            count = max((len(str(m.count_invoices)) for m in months), default=1)
            width = min(50, con.width - _table_width([7, 3, max(8, count), max(6, amount), 0]))
            if width >= 4:
                columns.append(Column(""))
                largest = max((m.sum_bill_total for m in months), default=0)
                for row, m in zip(rows, months, strict=True):
                    assert row is not None
                    row.append(Text(_bar(m.sum_bill_total, largest, width), style="cyan"))
        _show(con, title, columns, rows, [caption], drop=("", "Cur"))


def runs(page: RunPage) -> None:
    """The loads kept, newest first: when, file, hash, counts, duration; fitted to the terminal."""
    con = console()
    title = "Loads, newest first"
    caption = f"{len(page.runs)} of {page.total} loads"
    columns = [Column("Load", "right"), Column("Started (UTC)"), Column("Seconds", "right")]
    columns += [Column("File", wraps=True, min_width=20), Column("SHA-256")]
    counts = (("Read", "rows_read"), ("Ins", "inserted"), ("Upd", "updated"), ("Same", "unchanged"),
              ("Rej", "rejected"), ("Warn", "warnings"))  # fmt: skip
    columns += [Column(label, "right") for label, _ in counts]
    rows: list[list[Cell] | None] = [
        [
            str(r.id),
            r.started_at.replace("+00:00", "").replace("T", " "),
            "unfinished" if r.duration_s is None else f"{r.duration_s:g}",
            Text(r.file_name),
            (r.sha256 or "—")[:12],
            *("—" if getattr(r, key) is None else str(getattr(r, key)) for _, key in counts),
        ]
        for r in page.runs
    ]
    # Least useful first: what goes when the terminal is too narrow (never a cut number).
    _show(con, title, columns, rows, [caption], drop=("SHA-256", "Warn", "Upd", "Seconds"))


# -- history: check, diff, trend --


# A person reads the first findings; --json has every one.
CHECK_ROWS_SHOWN = 50


def check_report(report: CheckReport) -> None:
    """Each check with its count, then one row per finding."""
    con = console()
    title = f"Checks of the book, as of {report.as_of.isoformat()}"
    caption = f"{len(report.findings)} finding(s)" if report.findings else "Nothing found."
    counts: list[list[Cell] | None] = [
        [label, Text(str(n), style="bold red" if n else "green")] for _, label, n in report.counts()
    ]
    _show(con, title, [Column("Check", wraps=True, min_width=20), Column("Found", "right")], counts, [caption])
    if not report.findings:
        return
    rows: list[list[Cell] | None] = []
    for f in report.findings[:CHECK_ROWS_SHOWN]:
        shown = ", ".join(f.invoices[:3]) + (f" (+{len(f.invoices) - 3})" if len(f.invoices) > 3 else "")
        rows.append([f.kind, Text(f.message), Text(shown)])
    columns = [Column("Check"), Column("Finding", wraps=True, min_width=24), Column("Invoices", wraps=True)]
    # Piped, the findings follow the counts with no title line of their own (as they always have).
    _show(con, "Findings" if con.is_terminal else "", columns, rows, [], drop=("Invoices",))
    more = len(report.findings) - CHECK_ROWS_SHOWN
    if more > 0:
        _plain_lines(con, f"… and {more:,} more findings: domeo check --json lists them all.")


def diff_report(report: DiffReport) -> None:
    """One table per kind of change that has any, payments with their totals per currency."""
    con = console()
    a, b = report.first, report.second
    head = f"Changes from load {a.id} ({a.as_of}) to load {b.id} ({b.as_of})"
    counts = (
        f"{len(report.new)} new, {len(report.payments)} payment(s), {len(report.status_changes)} status change(s), "
        f"{len(report.changes)} other change(s), {len(report.missing)} gone missing, {len(report.moved)} moved, "
        f"{len(report.customer_changes)} customer change(s)"
    )
    if con.is_terminal:
        con.print(Text(head, style="bold"))
        con.print(Text(counts))
    else:
        _plain_lines(con, head, counts)

    def money(cents: int) -> str:
        return format_cents_grouped(cents)

    name = Column("Customer", wraps=True, min_width=16)
    if report.new:
        columns = [Column("Invoice"), name, Column("Due"), Column("Bill total", "right"),
                   Column("Outstanding", "right"), Column("Cur")]  # fmt: skip
        rows: list[list[Cell] | None] = [
            [i.invoice_number, Text(i.customer_name), i.due_date, money(i.bill_total), money(i.outstanding), i.currency]
            for i in report.new
        ]
        _section(con, "New invoices", columns, rows, drop=("Bill total", "Due"))
    if report.payments:
        totals = "; ".join(f"{money(c)} {cur} on {n}" for cur, c, n in report.payment_totals())
        columns = [Column("Invoice"), name, Column("Before", "right"), Column("After", "right"),
                   Column("Applied", "right"), Column("Cur")]  # fmt: skip
        rows = [
            [p.invoice_number, Text(p.customer_name), money(p.applied_before), money(p.applied_after),
             money(p.amount), p.currency]
            for p in report.payments
        ]  # fmt: skip
        _section(con, "Payments applied", columns, rows, f"Total: {totals}", f"Payments total: {totals}",
                 drop=("Before", "After"))  # fmt: skip
    for title, changes in (("Status changes", report.status_changes), ("Amounts and dates changed", report.changes)):
        if not changes:
            continue
        columns = [Column("Invoice"), name, Column("Field"), Column("Before"), Column("After"), Column("Cur")]
        rows = []
        for c in changes:
            before, after = (money(v) if isinstance(v, int) else v for v in (c.before, c.after))
            rows.append([c.invoice_number, Text(c.customer_name), c.field, before, after, c.currency])
        _section(con, title, columns, rows)
    if report.missing:
        columns = [Column("Invoice"), name, Column("Status"), Column("Outstanding", "right"), Column("Cur")]
        rows = [
            [i.invoice_number, Text(i.customer_name), i.status, money(i.outstanding), i.currency]
            for i in report.missing
        ]
        _section(con, "Gone missing from the file", columns, rows, drop=("Status",))
    if report.moved:
        columns = [Column("Invoice"), Column("From customer", wraps=True, min_width=16),
                   Column("To customer", wraps=True, min_width=16), Column("Cur")]  # fmt: skip
        rows = [[c.invoice_number, Text(str(c.before)), Text(str(c.after)), c.currency] for c in report.moved]
        _section(con, "Moved to another customer", columns, rows)
    if report.customer_changes:
        columns = [name, Column("Number"), Column("Field"), Column("Before", wraps=True, min_width=12),
                   Column("After", wraps=True, min_width=12)]  # fmt: skip
        rows = [
            [Text(c.customer_name), Text(c.customer_number or ""), c.field, Text(c.before or ""), Text(c.after or "")]
            for c in report.customer_changes
        ]
        _section(con, "Customers changed", columns, rows, drop=("Number",))


def _section(
    con: Console,
    title: str,
    columns: list[Column],
    rows: list[list[Cell] | None],
    caption: str = "",
    piped_footer: str = "",
    drop: tuple[str, ...] = (),
) -> None:
    """A fitted table of a report with several: piped, its title goes to stderr right before it, its footer after."""
    if con.is_terminal:
        _show(con, title, columns, rows, [caption] if caption else [], drop)
        return
    _plain_lines(con, title)
    _show(con, "", columns, rows, [piped_footer] if piped_footer else [])


def trend_report(report: TrendReport) -> None:
    """One table per currency: open AR, past due (and DSO at month ends), with a bar of open AR."""
    con = console()
    every = "month end" if report.every == "month" else "load date"
    if not report.points:
        _plain_lines(con, f"No load with history from {report.first} to {report.last}.")
        return
    for currency in report.currencies():
        points = [p for p in report.points if p.currency == currency]
        title = f"Open AR and past due per {every}, {report.first} to {report.last}, {currency}"
        columns = [Column("Date"), Column("Load", "right"), Column("Open AR", "right"), Column("Past due", "right")]
        if report.every == "month":
            columns.append(Column("DSO", "right"))
        if con.is_terminal:
            columns.append(Column(""))
        largest = max(p.open_ar for p in points)
        width = max(10, min(40, (con.width or 80) - 60))
        rows: list[list[Cell] | None] = []
        for p in points:
            cells: list[Cell] = [
                p.day.isoformat(), str(p.load), format_cents_grouped(p.open_ar), format_cents_grouped(p.past_due),
            ]  # fmt: skip
            if report.every == "month":
                cells.append("" if p.dso is None else f"{p.dso:.1f}")
            if con.is_terminal:
                bar = Text(_bar(p.open_ar, largest, width), style="cyan")
                past = round(len(bar) * p.past_due / p.open_ar) if p.open_ar else 0
                bar.stylize("red", 0, min(past, len(bar)))
                cells.append(bar)
            rows.append(cells)
        # The caption is for a person at a terminal; piped, the title alone goes to stderr.
        footer = ["Each point: the data as known after the load shown, as of that date."] if con.is_terminal else []
        _show(con, title, columns, rows, footer, drop=("", "Load", "DSO"))


def described(report: Report, result: object) -> None:
    """A described report's rows as one fitted table: its columns, labels, kinds and drop order as declared."""
    con = console()
    columns = [Column(c.label, "right" if c.kind in ("count", "money") else "left") for c in report.columns]
    rows: list[list[Cell] | None] = [
        [_described_cell(c, getattr(row, c.key)) for c in report.columns] for row in getattr(result, report.rows)
    ]
    title, notes = report.title(result), report.notes(result)
    if not rows:
        _lines_only(con, title, notes)
        return
    drop = tuple(c.label for c in sorted((c for c in report.columns if c.drop), key=lambda c: c.drop))
    _show(con, title, columns, rows, notes, drop)


def _described_cell(column: Any, value: Any) -> Cell:
    if value is None:
        return Text(column.blank, style="dim")
    if column.kind == "money":
        return _money_cell(value)
    if column.kind == "date":
        return value.isoformat()
    return Text(value) if column.kind == "text" else str(value)


@cache
def _tables(kind: type) -> Callable[[Any, str | None], None] | None:
    """The table of a report drawn by hand, by its result's type (None: a described report); each is given
    the database to name in the next page's command (when not the default).

    Only the result modules already imported are looked in (the result's own is): a report imports
    no other report's types.
    """
    if imported("past_due"):
        from .results.past_due import PastDuePage

        if kind is PastDuePage:
            return lambda page, database: past_due(page, page.totals or [], database)
    if imported("aging"):
        from .results.aging import AgingReport

        if kind is AgingReport:
            return aging
    if imported("summary"):
        from .results.summary import MonthSeries, MonthSummary

        if kind is MonthSummary:
            return _names_no_database(summary)
        if kind is MonthSeries:
            return _names_no_database(summary_months)
    if imported("customers"):
        from .results.customers import CustomerPage

        if kind is CustomerPage:
            return customers
    if imported("contacts"):
        from .results.contacts import ContactPage

        if kind is ContactPage:
            return _names_no_database(contacts)
    if imported("invoices"):
        from .results.invoices import InvoiceDetail

        if kind is InvoiceDetail:
            return _names_no_database(invoice)
    if imported("runs"):
        from .results.runs import RunPage

        if kind is RunPage:
            return _names_no_database(runs)
    if imported("check"):
        from .results.check import CheckReport

        if kind is CheckReport:
            return _names_no_database(check_report)
    if imported("diff"):
        from .results.diff import DiffReport

        if kind is DiffReport:
            return _names_no_database(diff_report)
    if imported("trend"):
        from .results.trend import TrendReport

        if kind is TrendReport:
            return _names_no_database(trend_report)
    return None


def _names_no_database(draw: Callable[[Any], None]) -> Callable[[Any, str | None], None]:
    """``draw`` for a table that suggests no command (so names no database)."""
    return lambda result, _database: draw(result)


def render(result: object, database: str | None = None) -> None:
    """Print any result of ``reports`` as its table on stdout, by its type; ``database`` (when not the
    default) is named in the next page's command."""
    draw = _tables(type(result))
    if draw is not None:
        draw(result, database)
        return
    from .results.describe import of

    report = of(result)
    if report is None:
        raise TypeError(f"no table for {result!r:.60}")
    described(report, result)

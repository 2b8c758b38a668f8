"""HTML: one self-contained page that opens in any browser and prints well.

Everything is in the file: the style is inline, there is no script, no font,
no image, no link to anything outside it, so it can be mailed or archived as
it is. Printing repeats each table's header on every page, keeps a row on one
page, and drops the screen colours. Every value is escaped.
"""

from __future__ import annotations

from html import escape
from typing import IO, Any

from ..money import format_cents_grouped
from .records import Document, Table, Totaller

_STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #111; margin: 2em auto; max-width: 75em; padding: 0 1em; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 1.6em 0 .4em; border-bottom: 1px solid #999; }
h3 { font-size: 1em; margin: 1.2em 0 .3em; }
p.lines { margin: .2em 0 1em; color: #333; }
table { border-collapse: collapse; margin: .4em 0 1em; }
th, td { padding: .25em .6em; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #555; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.d { white-space: nowrap; }
tbody tr:nth-child(even) { background: #f6f6f6; }
table.totals td, table.totals th { font-weight: 600; }
table.vertical th { text-align: left; border-bottom: 1px solid #ddd; font-weight: 600; }
p.empty { font-style: italic; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  thead { display: table-header-group; }
  tr, td, th { page-break-inside: avoid; break-inside: avoid; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  tbody tr:nth-child(even) { background: none; }
}
@page { margin: 1.5cm; }
"""


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return format_cents_grouped(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


def _class(kind: str) -> str:
    return ' class="n"' if kind in ("money", "int") else ' class="d"' if kind == "date" else ""


def _table(table: Table, out: IO[str], css: str = "") -> None:
    if table.heading:
        out.write(f"<h3>{escape(table.heading)}</h3>\n")
    if table.vertical:
        out.write('<table class="vertical">\n<tbody>\n')
        for row in table.rows:
            for column, value in zip(table.columns, row, strict=True):
                kind = column.kind
                out.write(f"<tr><th>{escape(column.label)}</th><td{_class(kind)}>{_text(value, kind)}</td></tr>\n")
        out.write("</tbody>\n</table>\n")
        return
    if isinstance(table.rows, list) and not table.rows:
        out.write('<p class="empty">None.</p>\n')
        return
    out.write(f"<table{css}>\n<thead><tr>")
    out.write("".join(f"<th{_class(c.kind)}>{escape(c.label)}</th>" for c in table.columns))
    out.write("</tr></thead>\n<tbody>\n")
    totaller = Totaller(table)
    cells = [(_class(c.kind), c.kind) for c in table.columns]
    count = 0
    for row in totaller.rows():
        out.write("<tr>" + "".join(f"<td{k}>{_text(v, kind)}</td>" for v, (k, kind) in zip(row, cells, strict=True)))
        out.write("</tr>\n")
        count += 1
    out.write("</tbody>\n</table>\n")
    if not count:
        out.write('<p class="empty">No rows.</p>\n')
    totals = totaller.totals()
    if totals is not None:
        heading = totals.heading or "Totals per currency"
        _table(totals._replace(heading=heading), out, ' class="totals"')


def write(document: Document, out: IO[str]) -> None:
    """Write ``document`` as one self-contained HTML page to the text stream ``out``."""
    title = escape(document.title)
    out.write(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    )
    if document.lines:
        out.write('<p class="lines">' + "<br>\n".join(escape(line) for line in document.lines) + "</p>\n")
    for section in document.sections:
        out.write("<section>\n")
        if section.heading:
            out.write(f"<h2>{escape(section.heading)}</h2>\n")
        if section.lines:
            out.write('<p class="lines">' + "<br>\n".join(escape(line) for line in section.lines) + "</p>\n")
        for table in section.tables:
            _table(table, out)
        out.write("</section>\n")
    out.write("</body>\n</html>\n")

"""Markdown: the report as text a person reads, pastes into a ticket or a wiki.

Amounts with thousands separators and right-aligned; every table that holds
amounts ends with its totals per currency (never a sum across currencies).

Every value renders as its literal text in CommonMark with GitHub's
extensions (tables, strike-through, autolinks): the characters that would
start markup are backslash-escaped (``\\*``, ``\\|``, ``\\~``), ``&`` before
what could read as an entity (``\\&amp;``), and the character that makes a
bare URL or e-mail address a link (``https\\://``, ``www\\.``, ``\\@``), so
that a statement sent to a customer holds no link the data put there. Line
breaks and runs of white space in a value show as one space (a cell is one
line).
"""

from __future__ import annotations

import re
from typing import IO, Any

from ..money import format_cents_grouped
from .records import Document, Table, Totaller

# Each character that may start inline markup, escaped wherever it is: backslash, code,
# emphasis, strike-through, links and images, raw HTML and autolinks, table cells, headings.
_MARKUP = str.maketrans({char: "\\" + char for char in "\\`*_~[]<>|#"})
# What else needs its backslash only in context: an entity or numeric reference (&amp; &#38;),
# a URL's scheme (https:// mailto: xmpp:), a www. link, an e-mail address (any @).
_CONTEXT = re.compile(r"&(?=[#A-Za-z])|:(?=//)|(?<=mailto):|(?<=xmpp):|(?<=www)\.|@", re.IGNORECASE)


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return format_cents_grouped(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).translate(_MARKUP)
    text = _CONTEXT.sub(lambda m: "\\" + m[0], text)
    # A pipe would end the cell, a line break the row: one line, single spaces.
    return " ".join(text.split())


def _table(table: Table, out: IO[str]) -> None:
    if table.heading:
        out.write(f"\n### {_cell(table.heading, 'text')}\n")
    out.write("\n")
    if table.vertical:
        out.write("| Field | Value |\n|---|---|\n")
        for row in table.rows:
            for column, value in zip(table.columns, row, strict=True):
                out.write(f"| {_cell(column.label, 'text')} | {_cell(value, column.kind)} |\n")
        return
    if isinstance(table.rows, list) and not table.rows:
        out.write("*None.*\n")
        return
    out.write("| " + " | ".join(_cell(c.label, "text") for c in table.columns) + " |\n")
    out.write("|" + "|".join("---:" if c.kind in ("money", "int") else "---" for c in table.columns) + "|\n")
    totaller = Totaller(table)
    kinds = [c.kind for c in table.columns]
    count = 0
    for row in totaller.rows():
        out.write("| " + " | ".join(_cell(v, k) for v, k in zip(row, kinds, strict=True)) + " |\n")
        count += 1
    if not count:
        out.write("\n*No rows.*\n")
    totals = totaller.totals()
    if totals is not None:
        _table(totals if totals.heading else totals._replace(heading="Totals per currency"), out)


def write(document: Document, out: IO[str]) -> None:
    """Write ``document`` as Markdown to the text stream ``out``."""
    out.write(f"# {_cell(document.title, 'text')}\n")
    if document.lines:
        out.write("\n" + "  \n".join(_cell(line, "text") for line in document.lines) + "\n")
    for section in document.sections:
        if section.heading:
            out.write(f"\n## {_cell(section.heading, 'text')}\n")
        if section.lines:
            out.write("\n" + "  \n".join(_cell(line, "text") for line in section.lines) + "\n")
        for table in section.tables:
            _table(table, out)

"""CSV and TSV: one header, one row per record, for a spreadsheet or a script.

Plain decimals with two places (no thousands separators), ISO dates, empty
for nothing, UTF-8 (with ``excel`` the byte-order mark Excel needs to read
accents). A cell holding the separator, a quote, a line feed or a carriage
return is quoted, so that every record reads back as one. A text cell a
spreadsheet would run as a formula is neutralised (``csvcells.neutralise``).
Rows are written as they come: nothing is kept.
"""

from __future__ import annotations

import csv
import io
from typing import IO, Any

from ..csvcells import FORMULA_START, neutralise
from ..money import format_cents
from .records import Table

BOM = "\ufeff"


def _money(value: Any) -> str:
    return "" if value is None else format_cents(value)


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: First characters after which a text cell may need neutralising (a quote may hide a formula behind it).
_RISKY = frozenset({*FORMULA_START, "'"})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return neutralise(text) if text[:1] in _RISKY else text


_CONVERT = {"money": _money, "int": _number, "date": _text, "text": _text}


def write(table: Table, out: IO[str], *, tab: bool = False, excel: bool = False) -> None:
    """Write ``table`` as CSV (or TSV with ``tab``) to the text stream ``out``."""
    if excel:
        out.write(BOM)
    # Excel's own dialects quote a field holding the separator, a quote or a line break,
    # so every record stays one row. Lines end in LF, on stdout and in a file alike
    # (spreadsheets read it; Unix tools downstream of a pipe expect it).
    dialect = "excel-tab" if tab else "excel"
    writer = csv.writer(out, dialect=dialect, lineterminator="\n")
    writer.writerow([neutralise(c.key) for c in table.columns])
    # One converter per column, chosen once: a million rows pay for no per-cell dispatch.
    convert = [_CONVERT[c.kind] for c in table.columns]
    writer.writerows(_quoting_carriage_returns(convert, table.rows, out, dialect))


def _quoting_carriage_returns(convert: list[Any], rows: Any, out: IO[str], dialect: str) -> Any:
    """The rows' cells, converted; a record with a carriage return in a cell is written here instead.

    csv quotes a cell holding a line feed (the line terminator) but not one holding
    only a carriage return, which every reader takes for the end of the record. Such
    a record is written by a writer whose terminator holds both characters, so that
    it quotes the cell, and is ended with a line feed as the others. ``writerows``
    writes each record before it asks for the next, so the order is kept.
    """
    buffer = io.StringIO()
    quoting = csv.writer(buffer, dialect=dialect, lineterminator="\r\n")
    for row in rows:
        cells = [f(v) for f, v in zip(convert, row, strict=True)]
        if "\r" not in "".join(cells):
            yield cells
            continue
        quoting.writerow(cells)
        out.write(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()

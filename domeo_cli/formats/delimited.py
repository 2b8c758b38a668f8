"""CSV and TSV: one header, one row per record, for a spreadsheet or a script.

Plain decimals with two places (no thousands separators), ISO dates, empty
for nothing, UTF-8 (with ``excel`` the byte-order mark Excel needs to read
accents). A text cell a spreadsheet would run as a formula is neutralised
(``csvcells.neutralise``). Rows are written as they come: nothing is kept.
"""

from __future__ import annotations

import csv
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
    writer = csv.writer(out, dialect="excel-tab" if tab else "excel", lineterminator="\n")
    writer.writerow([neutralise(c.key) for c in table.columns])
    # One converter per column, chosen once: a million rows pay for no per-cell dispatch.
    convert = [_CONVERT[c.kind] for c in table.columns]
    writer.writerows([f(v) for f, v in zip(convert, row, strict=True)] for row in table.rows)

"""CSV and TSV: one header, one row per record, for a spreadsheet or a script.

Plain decimals with two places (no thousands separators), ISO dates, empty
for nothing, UTF-8 (with ``excel`` the byte-order mark Excel needs to read
accents). A text cell a spreadsheet would run as a formula is neutralised
(``csvcells.neutralise``). Rows are written as they come: nothing is kept.
"""

from __future__ import annotations

import csv
from typing import IO, Any

from ..csvcells import neutralise
from ..money import format_cents
from .records import Table

BOM = "\ufeff"


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "money":
        return format_cents(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def write(table: Table, out: IO[str], *, tab: bool = False, excel: bool = False) -> None:
    """Write ``table`` as CSV (or TSV with ``tab``) to the text stream ``out``."""
    if excel:
        out.write(BOM)
    # Excel's own dialects quote a field holding the separator, a quote or a line break,
    # so every record stays one row. Lines end in LF, on stdout and in a file alike
    # (spreadsheets read it; Unix tools downstream of a pipe expect it).
    writer = csv.writer(out, dialect="excel-tab" if tab else "excel", lineterminator="\n")
    kinds = [c.kind for c in table.columns]
    writer.writerow([neutralise(c.key) for c in table.columns])
    pairs = list(enumerate(kinds))
    writer.writerows([_cell(row[i], kind) for i, kind in pairs] for row in table.rows)

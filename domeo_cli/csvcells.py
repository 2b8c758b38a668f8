"""Spreadsheet-safe CSV cells: formulas neutralised on the way out, restored on the way in.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
run as a formula by spreadsheets (OWASP's "CSV injection"). Every CSV domeo
writes passes its cells through ``neutralise``, which puts a single quote in
front of them; the loader passes every cell it reads through ``restore``, so
a fixed rejects file loads back with the text the export held.

The two are exact inverses: a cell that already starts with quotes before a
formula character gets one more quote, so ``restore(neutralise(x)) == x``
for every string.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(cell: str) -> bool:
    # Leading quotes are looked through, so that a quoted cell stays distinct from a neutralised one.
    return cell.lstrip("'").startswith(FORMULA_START)


def neutralise(cell: str) -> str:
    """``cell`` as a spreadsheet shows it without running it: ``'=SUM(A1)`` for ``=SUM(A1)``."""
    return "'" + cell if cell and _runs_as_formula(cell) else cell


def restore(cell: str) -> str:
    """The text ``neutralise`` was given: ``=SUM(A1)`` for ``'=SUM(A1)``; any other cell unchanged."""
    return cell[1:] if cell.startswith("'") and _runs_as_formula(cell[1:]) else cell


def restore_fields(fields: list[str]) -> list[str]:
    """``restore`` applied to each field of a record read from a CSV file."""
    return [restore(field) for field in fields]


class SafeWriter:
    """A ``csv.writer`` whose every cell goes through ``neutralise``."""

    def __init__(self, stream: TextIO, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one record; text cells are neutralised, numbers and None written as csv does."""
        self._writer.writerow([neutralise(cell) if isinstance(cell, str) else cell for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write every record of ``rows``."""
        for row in rows:
            self.writerow(row)


def writer(stream: TextIO, **options: Any) -> SafeWriter:
    """A CSV writer for a file a person may open in a spreadsheet (``csv.writer`` options)."""
    return SafeWriter(stream, **options)

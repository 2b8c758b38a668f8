"""A report described once: its options, its result's fields and columns; every front end derives from it.

A module of ``results`` that defines ``REPORT`` (a ``Report``) is a described
report. From its description alone the command line builds its command
(``cli``), the reports layer checks its options and runs its query
(``reports.described``), the API declares its route, parameters and response
model (``serve``), and the JSON document, the table and the file formats are
written (``shapes``, ``tables``, ``formats.records``). A new report is then its
query, its ``results`` module, and the page.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

#: The kinds of a value: how it is written in JSON, in a table and in a file.
KINDS = ("text", "date", "count", "money")


class Column(NamedTuple):
    """A value of a result: a top-level field or a column of its rows.

    ``key`` is its JSON key, CSV header and the attribute of the result (or
    row) that holds it; ``label`` its header for people; ``kind`` one of
    ``KINDS`` (``money`` is integer cents, written with two decimals; ``date``
    a ``datetime.date``, written ISO).
    """

    key: str
    label: str
    kind: str = "text"
    optional: bool = False
    """The value may be None (JSON null); a table shows ``blank`` instead."""
    blank: str = ""
    drop: int = 0
    """At a narrow terminal, columns with a ``drop`` go first, lowest first; 0: always shown."""
    example: Any = None
    """A value for the API document's example answer (cents for money, a ``date`` for a date)."""


class Option(NamedTuple):
    """A report option: ``--weeks`` on the command line, ``weeks`` over HTTP, ``weeks=`` for the query.

    ``kind`` is ``as_of`` (a date, default today), ``known_at`` (a load number
    or date: the data as it stood then; the query never sees it) or ``whole``
    (a whole number from ``minimum`` to ``maximum``).
    """

    name: str
    kind: str
    help: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    example: Any = None


AS_OF = Option(
    "as_of", "as_of", "The date the report is as of, YYYY-MM-DD (default: today in America/New_York, or in $DOMEO_TZ)."
)
KNOWN_AT = Option(
    "known_at",
    "known_at",
    "Answer from the data as it stood after the last load on or before this date (YYYY-MM-DD) or load number.",
)


class Report(NamedTuple):
    """Everything a front end needs of a report, said once."""

    name: str
    """The command (``domeo forecast``) and the API's path (``/forecast``)."""
    result: type
    question: str
    """What the report answers: the first line of ``--help``, the API operation's summary."""
    description: str
    options: tuple[Option, ...]
    fields: tuple[Column, ...]
    """The result's top-level values (``as_of``), before its rows in the JSON document."""
    rows: str
    """The result's attribute (and JSON key) holding its rows."""
    columns: tuple[Column, ...]
    """The values of each row, in order."""
    title: Callable[[Any], str]
    """The title of the table (and of a file) for a result."""
    notes: Callable[[Any], list[str]]
    """Lines said under the table (and in a file) for a result."""
    examples: tuple[str, ...] = ()

    @property
    def query(self) -> str:
        """The query module (of ``queries``) whose function of the report's name answers it."""
        return self.name.replace("-", "_")


@cache
def every() -> tuple[Report, ...]:
    """Every described report, in the order of their module names."""
    found = []
    for module in pkgutil.iter_modules(_package_path()):
        # __import__, the import statement's own path, so that ``python -X importtime`` lists them as any import.
        report = getattr(__import__(f"{__package__}.{module.name}", fromlist=["REPORT"]), "REPORT", None)
        if isinstance(report, Report):
            found.append(report)
    return tuple(found)


def _package_path() -> list[str]:
    from pathlib import Path

    return [str(Path(__file__).parent)]


def named(name: str) -> Report | None:
    """The described report of that command name, or None."""
    return next((report for report in every() if report.name == name), None)


def of(result: object) -> Report | None:
    """The description of a result's report (by its type), or None for a report written by hand."""
    return _by_type().get(type(result))


@cache
def _by_type() -> dict[type, Report]:
    return {report.result: report for report in every()}

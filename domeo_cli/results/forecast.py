"""``forecast``: the open amount falling due in each of the next weeks, per currency, overdue first.

Described once (``REPORT``): the command, the API's route and parameters, the
JSON document, the table and every file format are derived from it.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .describe import AS_OF, KNOWN_AT, Column, Option, Report

#: The most weeks a forecast looks ahead: two years.
MAX_WEEKS = 104


class ForecastRow(NamedTuple):
    """Open invoices of one currency due in one week (``week`` None: already overdue as of the as-of date)."""

    currency: str
    week: int | None
    due_from: date | None
    """The week's first due date (None for overdue: any date before the as-of date)."""
    due_to: date
    """The week's last due date (for overdue: the day before the as-of date)."""
    invoices: int
    outstanding: int
    """Cents."""


class ForecastReport(NamedTuple):
    """Per currency (sorted by code), overdue then weeks 1 to ``weeks``, every week listed."""

    as_of: date
    weeks: int
    rows: list[ForecastRow]


def _title(report: ForecastReport) -> str:
    return f"Falling due as of {report.as_of.isoformat()}, {report.weeks} week(s) ahead"


def _notes(report: ForecastReport) -> list[str]:
    return [
        "Week 1 starts on the as-of date; overdue is what was due before it. Invoices dated after the as-of "
        "date are left out; balances are those of the last load."
    ]


REPORT = Report(
    name="forecast",
    result=ForecastReport,
    question="How much falls due in each of the next weeks, per currency?",
    description="The open amount of the invoices due in each week from the as-of date, overdue first.",
    options=(
        AS_OF,
        Option("weeks", "whole", "Weeks to look ahead, 1 to 104.", default=8, minimum=1, maximum=MAX_WEEKS, example=8),
        KNOWN_AT,
    ),
    fields=(Column("as_of", "As of", "date", example=date(2025, 5, 1)), Column("weeks", "Weeks", "count", example=8)),
    rows="rows",
    columns=(
        Column("currency", "Currency", example="USD"),
        Column("week", "Week", "count", optional=True, blank="overdue", example=1),
        Column("due_from", "Due from", "date", optional=True, blank="—", drop=2, example=date(2025, 5, 1)),
        Column("due_to", "Due to", "date", drop=1, example=date(2025, 5, 7)),
        Column("invoices", "Invoices", "count", drop=3, example=2),
        Column("outstanding", "Outstanding", "money", example=86701),
    ),
    title=_title,
    notes=_notes,
    examples=("domeo forecast", "domeo forecast --weeks 13 --as-of 2025-05-01 --json", "domeo forecast -o due.csv"),
)

"""The result of ``trend``: open AR, past due and DSO over time.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Point(NamedTuple):
    """One currency at one point in time."""

    day: date
    load: int
    currency: str
    open_ar: int
    past_due: int
    billed_3m: int | None
    """Billing of the three months ending with ``day``'s month (month ends only)."""
    days_3m: int | None
    """The days in those three months."""

    @property
    def dso(self) -> float | None:
        """Days sales outstanding: open AR / billing of the last three months * their days (month ends only)."""
        if not self.billed_3m or self.days_3m is None:
            return None
        return self.open_ar * self.days_3m / self.billed_3m


class TrendReport(NamedTuple):
    """Points from ``first`` to ``last``, per load date (``every="load"``) or month end (``every="month"``)."""

    first: date
    last: date
    every: str
    points: list[Point]

    def currencies(self) -> list[str]:
        """Every currency met, sorted."""
        return sorted({p.currency for p in self.points})

"""The result of ``check``: every finding in the book, by kind.

Types only (no queries, no database): every renderer reads them, and importing them costs nothing.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple


class Finding(NamedTuple):
    """One problem: its kind, a sentence, and what it concerns."""

    kind: str
    message: str
    invoices: list[str]
    customers: list[str]


class CheckReport(NamedTuple):
    """Every finding, by kind in the order of ``CHECKS``; ``as_of`` dates the future-dated check."""

    as_of: date
    findings: list[Finding]
    checks: tuple[tuple[str, str], ...]
    """``(kind, title)`` of every check made, in the order findings are listed."""

    def counts(self) -> list[tuple[str, str, int]]:
        """``(kind, title, findings)`` for every check, found or not."""
        found: dict[str, int] = {}
        for finding in self.findings:
            found[finding.kind] = found.get(finding.kind, 0) + 1
        return [(kind, title, found.get(kind, 0)) for kind, title in self.checks]

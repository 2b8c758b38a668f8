"""A report's start-up: the entry point users run imports only what the invoked report uses."""

from __future__ import annotations

import subprocess
import sys

import pytest

# What a --json report must not pay for: Rich (the tables), the load and its parsers,
# and modules a report has no use for. Typer (and what it imports) is the floor.
HEAVY = {"rich", "domeo_cli.tables", "domeo_cli.store.sqlite.ingest", "domeo_cli.dates", "domeo_cli.parsing"}


def _imported(argv: list[str]) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run Python with ``argv`` under ``-X importtime``: the result and every module it imported."""
    result = subprocess.run([sys.executable, "-X", "importtime", *argv], capture_output=True, text=True, check=False)
    return result, {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}


@pytest.mark.parametrize(
    ("argv", "marker", "own"),
    # damage: the one statement of what a damaged row is, which a report reading amounts and dates refuses
    [
        (["summary", "--month", "2025-03", "--json"], '"sum_bill_total": "5045.50"', {"common", "summary", "damage"}),
        (
            ["past-due", "--as-of", "2025-06-01", "--json"],
            '"invoice_number": "DF2031977"',
            {"common", "past_due", "damage"},
        ),
        (["contact", "Harbor Lane Bakery", "--json"], '"contact_name": "Dana Whitfield"', {"common", "contacts"}),
        (["aging", "--as-of", "2025-03-01", "--json"], '"age_by": "due"', {"common", "aging", "damage"}),
        (
            ["aging", "--as-of", "2025-03-01", "--by", "parent", "--json"],
            '"by": "parent"',
            {"common", "aging", "damage"},
        ),
        (["customers", "--as-of", "2025-03-01", "--json"], '"customers": [', {"common", "customers", "damage"}),
        (
            ["invoice", "DF2032015", "--as-of", "2025-03-01", "--json"],
            '"invoice_number": "DF2032015"',
            {"invoices", "damage"},
        ),
        (["summary", "--from", "2025-01", "--to", "2025-03", "--json"], '"months": [', {"common", "summary", "damage"}),
        # a described report: its command, options and document derived, still only its own query
        (["forecast", "--as-of", "2025-05-01", "--json"], '"rows": [', {"common", "forecast", "damage"}),
    ],
)
def test_a_report_imports_only_what_it_uses(example, db_path, argv: list[str], marker: str, own: set[str]) -> None:  # noqa: ANN001
    result, imported = _imported(["-m", "domeo_cli", "--db", str(db_path), *argv])
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert not {m for m in imported if m.split(".")[0] in HEAVY or m in HEAVY}, sorted(imported)
    prefix = "domeo_cli.store.sqlite.queries."
    queries = {m.removeprefix(prefix) for m in imported if m.startswith(prefix)}
    assert queries == own


def test_a_table_imports_rich_and_still_only_its_own_queries(example, db_path) -> None:  # noqa: ANN001
    result, imported = _imported(["-m", "domeo_cli", "--db", str(db_path), "past-due", "--as-of", "2025-06-01"])
    assert result.returncode == 0, result.stderr
    assert "DF2031977" in result.stdout
    assert "rich" in imported and "domeo_cli.tables" in imported
    prefix = "domeo_cli.store.sqlite.queries."
    queries = {m.removeprefix(prefix) for m in imported if m.startswith(prefix)}
    assert queries == {"common", "past_due", "damage"}

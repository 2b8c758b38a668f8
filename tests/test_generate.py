"""data/generate.py: the period its invoices cover and the export date that decides what is open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

from helpers import GENERATOR, load_generator


def _rows(*args: str) -> list[list[str]]:
    """The generator's data rows for these command-line arguments (header checked, then dropped)."""
    result = subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, encoding="utf-8", check=True
    )
    header, *rows = csv.reader(io.StringIO(result.stdout))
    assert header == load_generator().HEADER
    return rows


def _day(text: str) -> dt.date:
    """``3/7/25`` (the export's short date, optionally with a time) as a date."""
    month, day, year = text.split(" ")[0].split("/")
    return dt.date(2000 + int(year), int(month), int(day))


def test_the_default_period_is_given_explicitly_with_the_same_bytes() -> None:
    plain = _rows("--rows", "500", "--seed", "3")
    assert plain == _rows("--rows", "500", "--seed", "3", "--first-day", "2024-01-01", "--last-day", "2025-09-30")
    assert plain == _rows("--rows", "500", "--seed", "3", "--as-of", "2025-09-30")


def test_invoices_lie_in_the_period_on_weekdays_and_after_the_export_date_all_are_open() -> None:
    rows = _rows("--rows", "4000", "--seed", "5", "--first-day", "2020-01-01", "--last-day", "2026-12-31",
                 "--as-of", "2026-12-07")  # fmt: skip
    dates = [_day(row[2]) for row in rows]
    assert min(dates) == dt.date(2020, 1, 1) and max(dates) >= dt.date(2026, 12, 28)
    assert max(dates) <= dt.date(2026, 12, 31)
    assert all(d.weekday() < 5 for d in dates)
    years = {d.year for d in dates}
    assert years == set(range(2020, 2027))
    later = [row for row, d in zip(rows, dates, strict=True) if d > dt.date(2026, 12, 7)]
    assert later and all(row[6] == "Pending" for row in later)
    old = [row for row, d in zip(rows, dates, strict=True) if d < dt.date(2021, 1, 1)]
    assert sum(row[6] == "Closed" for row in old) > 0.9 * len(old)
    # The same period with the export on its last day: the late invoices close as old ones would.
    assert _rows("--rows", "4000", "--seed", "5", "--first-day", "2020-01-01", "--last-day", "2026-12-31") != rows


def test_a_period_without_a_weekday_is_refused_in_a_sentence() -> None:
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--rows", "3", "--first-day", "2020-01-04", "--last-day", "2020-01-05"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.endswith("error: --first-day .. --last-day must hold a weekday\n")

"""'Today' is the date in America/New_York unless DOMEO_TZ names another zone, on a pinned clock.

The clock is set to an instant where New York is still on the previous day
(03:30 UTC is 23:30 the evening before in New York, summer and winter alike),
so a report that took the machine's zone, UTC or a fixed offset as "today"
would say the wrong date.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from helpers import EXAMPLE_CSV


def pin_clock(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    """Make ``domeo_cli.days`` see ``instant`` as now, whatever the machine's clock and zone."""
    from domeo_cli import days

    class Pinned(datetime):
        @classmethod
        def now(cls, tz=None):  # noqa: ANN001, ANN206 - as datetime.now
            return instant.astimezone(tz) if tz is not None else instant.replace(tzinfo=None)

    monkeypatch.setattr(days, "datetime", Pinned)


SUMMER = datetime(2025, 7, 1, 3, 30, tzinfo=timezone.utc)  # 2025-06-30 23:30 in New York (EDT, UTC-4)
WINTER = datetime(2025, 1, 1, 4, 30, tzinfo=timezone.utc)  # 2024-12-31 23:30 in New York (EST, UTC-5)


@pytest.mark.parametrize(
    ("instant", "zone", "day"),
    [
        (SUMMER, None, "2025-06-30"),
        (WINTER, None, "2024-12-31"),
        (SUMMER, "", "2025-06-30"),  # set but empty: the default too
        (SUMMER, "UTC", "2025-07-01"),
        (WINTER, "Europe/Paris", "2025-01-01"),
        (WINTER, "America/Los_Angeles", "2024-12-31"),
    ],
    ids=["summer", "winter", "empty DOMEO_TZ", "UTC", "Paris", "Los Angeles"],
)
def test_today_is_new_york_unless_domeo_tz_says(run, write_csv, monkeypatch, instant, zone, day) -> None:  # noqa: ANN001
    assert run("ingest", str(write_csv(EXAMPLE_CSV)), "--as-of", "2024-12-01").exit_code == 0
    pin_clock(monkeypatch, instant)
    if zone is None:
        monkeypatch.delenv("DOMEO_TZ", raising=False)
    else:
        monkeypatch.setenv("DOMEO_TZ", zone)
    for argv in (
        ["aging", "--json"],
        ["customers", "--json"],
        ["check", "--json"],
        ["statement", "Harbor Lane Bakery", "--json"],
        ["invoice", "DF2031977", "--json"],
    ):
        result = run(*argv)
        assert result.exit_code in (0, 4), (argv, result)
        assert result.json["as_of"] == day, argv
    # A past-due page as of today is the page as of that date, day for day.
    assert run("past-due", "--json").json == run("past-due", "--as-of", day, "--json").json

"""Dates as the reports take them: ``--as-of``, ``--month`` and today's date.

Apart from ``dates.py`` (the exports' own dates and terms, with the regular
expressions the parser compiles up front) so that a report loads only this.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta

from .errors import Option


def month_end(year: int, month: int) -> date:
    """The last day of a month (without the calendar module, which a report need not import)."""
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def parse_iso_option(text: str, option: str | Option) -> date:
    """Parse a ``YYYY-MM-DD`` option value strictly, or raise InvalidInput with a sentence naming ``option``."""
    from .errors import InvalidInput

    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip(), re.ASCII):
        raise InvalidInput(option, f" takes a date as YYYY-MM-DD, not {text!r}.")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(option, f" {text!r} is not a real date.") from None


_MONTH = Option("month")


def parse_month_option(text: str, option: str | Option = _MONTH) -> tuple[date, date]:
    """Parse ``YYYY-MM`` into the month's first and last days (9999-12 included)."""
    from .errors import InvalidInput

    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip(), re.ASCII)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise InvalidInput(option, f" takes a month as YYYY-MM (for example 2024-11), not {text!r}.")
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1), month_end(year, month)


def today() -> date:
    """Today's date in America/New_York, or in the IANA zone named by ``DOMEO_TZ``."""
    from .errors import InvalidInput

    name = os.environ.get("DOMEO_TZ", "").strip() or "America/New_York"
    zone = _zone(name)
    if zone is None:
        raise InvalidInput(f"DOMEO_TZ={name!r} is not a known IANA time zone (e.g. Europe/Paris).")
    return datetime.now(zone).date()


def _zone(name: str):  # noqa: ANN202 - returns a tzinfo or None
    """The IANA time zone ``name`` (from the system's zone files, else the ``tzdata`` package), or None.

    zoneinfo refuses a key that is a path outside its zone directories
    (``../../etc/passwd``) with ValueError; an unknown key, a directory
    (``America``) or a file that is not zone data are its other refusals.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None

"""Dates and payment terms as the exports write them.

Dates are month first (``3/7/25``, ``11/19/2024``) or ISO (``2024-11-19``),
optionally followed by a time that is ignored. A day-first reading is never
guessed. Results are ``datetime.date``; callers store ISO text.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})", re.ASCII)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
# What may follow a date: a time such as "00:00", "12:30:15", "T00:00:00",
# "3:05 PM", with an optional fraction or zone, which are all ignored. Each
# run of spaces belongs to exactly one group, so a failed match is linear
# (two adjacent optional "\s*" made a long run of spaces cost minutes).
_TIME = re.compile(
    r"[T ]\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp][Mm]))?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?",
    re.ASCII,
)
# No date with its time is longer than this ("2024-11-19T00:00:00.000000+05:00" is 32).
MAX_DATE_TEXT = 64

# "Net -5": a minus sign on the days (not the hyphen of "Net-30").
_TERMS_NEGATIVE = re.compile(r"\bnet\s+-\s*\d|\bnet\s*-\s*-\s*\d|\bnet\s*\u2212\s*\d", re.IGNORECASE)
_TERMS_NET = re.compile(r"\bnet\s*-?\s*(\d{1,4})(?:\s*days?)?\b", re.IGNORECASE | re.ASCII)
_TERMS_MONTH_END = re.compile(r"\beom\b|end\s+of\s+(?:the\s+)?month|\bprox", re.IGNORECASE)
_TERMS_RECEIPT = re.compile(
    r"(?:due\s+)?(?:on|upon)\s+receipt|receipt|cod|cash on delivery|immediate(?:ly)?",
    re.IGNORECASE,
)


class DateError(ValueError):
    """A date field that is not a real month-first or ISO date."""


class TermsError(ValueError):
    """Payment terms that cannot be right (a negative number of days)."""


def _shown(raw: str) -> str:
    """A field quoted for an error message, cut short: a reason stays one readable line."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date:
    """Parse a file date into a ``date``; two-digit years are 20YY.

    Cached because an export repeats the same few hundred dates many times.
    """
    raw = text.strip()
    if len(raw) > MAX_DATE_TEXT:
        raise DateError(f"is not a date ({_shown(raw)}); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD")
    match = _US_DATE.match(raw, 0) if "/" in raw[:6] else None
    if match is not None:
        month, day, year = int(match[1]), int(match[2]), match[3]
        year_num = 2000 + int(year) if len(year) == 2 else int(year)
    else:
        match = _ISO_DATE.match(raw)
        if match is None:
            raise DateError(f"is not a date ({_shown(raw)}); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD")
        year_num, month, day = int(match[1]), int(match[2]), int(match[3])
    rest = raw[match.end() :]
    if rest:
        time = _TIME.fullmatch(rest)
        if time is None:
            raise DateError(f"is not a date ({_shown(raw)}); expected MM/DD/YY, MM/DD/YYYY or YYYY-MM-DD")
        if not _real_time(time):
            raise DateError(f"has an impossible time ({_shown(raw)})")
    try:
        return date(year_num, month, day)
    except ValueError:
        raise DateError(f"is not a real date ({_shown(raw)})") from None


def _real_time(time: re.Match[str]) -> bool:
    """True for a time a clock can show: 0-23 h (1-12 with AM/PM, 24:00 for the day's end), 0-59 min."""
    hour, minute, second = int(time[1]), int(time[2]), int(time[3] or 0)
    if minute > 59 or second > 60:  # 60: a leap second
        return False
    if time[4]:
        return 1 <= hour <= 12
    return hour <= 23 or (hour == 24 and minute == 0 and second == 0)


@lru_cache(maxsize=4096)
def parse_terms(text: str) -> int | None:
    """Days allowed by payment terms: ``Net 30`` -> 30, ``Due on receipt`` -> 0.

    Returns None when the terms say no number of days we can trust; raises
    TermsError for a negative number of days (``Net -5``).
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    if _TERMS_NEGATIVE.search(raw):
        raise TermsError(f"{_shown(raw)} give a negative number of days")
    match = _TERMS_NET.search(raw)
    if match is not None:
        if _TERMS_MONTH_END.search(raw):
            return None  # "Net 30 EOM" counts from the month's end: not invoice date + 30
        return int(match[1])
    if _TERMS_RECEIPT.fullmatch(raw):
        return 0
    return None

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
_TERMS_NET = re.compile(r"\bnet\s*-?\s*(\d+)(?:\s*days?)?\b", re.IGNORECASE | re.ASCII)
# "Net 30/60", "Net 30-60", "Net 30 or 60": a second number of days after the first ("Net 30, 2% 10"
# is a discount, not a second net).
_TERMS_SECOND = re.compile(
    r"\bnet\s*-?\s*(\d+)\s*(?:days?\s*)?(?:/|,|&|-|\u2013|\bor\b|\bto\b)\s*(?:net\s*)?(\d+)(?!\d|\s*%)",
    re.IGNORECASE | re.ASCII,
)
#: The longest terms taken, in days (ten years): more is a typo, not a payment term.
MAX_TERMS_DAYS = 3650
_TERMS_MONTH_END = re.compile(r"\beom\b|end\s+of\s+(?:the\s+)?month|\bprox", re.IGNORECASE)
_TERMS_RECEIPT = re.compile(
    r"(?:due\s+)?(?:on|upon)\s+receipt|receipt|cod|cash on delivery|immediate(?:ly)?",
    re.IGNORECASE,
)


class DateError(ValueError):
    """A date field that is not a real month-first or ISO date."""


class TermsError(ValueError):
    """Payment terms that cannot be right: negative, two numbers of days, or too many days."""


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
    TermsError for terms that cannot be right: a negative number of days
    (``Net -5``), two numbers (``Net 10 Net 60``, ``Net 30/60``), or more
    than MAX_TERMS_DAYS.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    if _TERMS_NEGATIVE.search(raw):
        raise TermsError(f"{_shown(raw)} give a negative number of days")
    found = [match[1] for match in _TERMS_NET.finditer(raw)]
    second = _TERMS_SECOND.search(raw)
    if second is not None:
        found += [second[2]]
    if not found:
        return 0 if _TERMS_RECEIPT.fullmatch(raw) else None
    # As written, leading zeros dropped: never int() of a thousand digits.
    numbers = sorted({digits.lstrip("0") or "0" for digits in found}, key=lambda d: (len(d), d))
    if len(numbers) > 1:
        listed = ", ".join(_cut(n) for n in numbers[:-1]) + f" and {_cut(numbers[-1])}"
        raise TermsError(f"{_shown(raw)} give more than one number of days ({listed}); which one is meant?")
    digits = numbers[0]
    if len(digits) > len(str(MAX_TERMS_DAYS)) or int(digits) > MAX_TERMS_DAYS:
        raise TermsError(
            f"{_shown(raw)} give a number of days that is too large ({_cut(digits)}); "
            f"at most {MAX_TERMS_DAYS} (ten years) are taken"
        )
    if _TERMS_MONTH_END.search(raw):
        return None  # "Net 30 EOM" counts from the month's end: not invoice date + 30
    return int(digits)


def _cut(digits: str) -> str:
    """A number from the file for a message: a long one cut short."""
    return digits if len(digits) <= 12 else digits[:12] + "…"

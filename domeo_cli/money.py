"""Exact money: amounts are whole numbers of cents from the file to the output.

Every currency in an export carries at most two decimals, so an integer count
of cents is exact, adds exactly in SQLite's 64-bit ``SUM`` and never passes
through a binary float.
"""

from __future__ import annotations

import re

# Optional "$", digits either plain or grouped by thousands with commas,
# optional decimals. Anything else (signs, exponents, words) is not money. Kept as
# text: only amounts off the fast paths need it, and re compiles it once, on first use.
_MONEY = r"\$?\s*(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<frac>[0-9]*))?"

# One invoice above ten billion is a data error, and the cap keeps every sum of
# up to nine million invoices inside SQLite's 64-bit integers.
MAX_CENTS = 10**12


class MoneyError(ValueError):
    """A money field that is not a non-negative amount with at most two decimals."""


def _shown(raw: str) -> str:
    """A field quoted for an error message, cut short: a reason stays one readable line."""
    return repr(raw if len(raw) <= 40 else raw[:40] + "…")


def parse_cents(text: str) -> int:
    """Parse a money field (``3150``, ``1190.5``, ``$1,234.50``, `` 1234.5 ``) into cents.

    Raises MoneyError with a sentence saying what is wrong.
    """
    raw = text.strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 10:  # fast path: whole amounts
        return int(raw) * 100
    whole, dot, frac = raw.partition(".")
    if (  # fast path: plain decimals such as 1190.5 or 417.75
        dot and whole.isdigit() and frac.isdigit() and len(frac) <= 2 and len(whole) <= 10 and raw.isascii()
    ):
        return int(whole) * 100 + int(frac.ljust(2, "0"))
    if not raw:
        raise MoneyError("is empty")
    if raw.startswith("-") or raw.startswith("(") or raw.startswith("−") or "-" in raw:
        raise MoneyError(f"is negative ({_shown(raw)}); amounts must be zero or more")
    match = re.fullmatch(_MONEY, raw)
    if match is None:
        raise MoneyError(f"is not an amount ({_shown(raw)})")
    whole, frac = match.group("int"), match.group("frac")
    if not whole and not frac:
        raise MoneyError(f"is not an amount ({_shown(raw)})")
    frac = frac or ""
    if len(frac) > 2:
        if frac[2:].strip("0"):
            raise MoneyError(f"has more than two decimals ({_shown(raw)})")
        frac = frac[:2]
    digits = whole.replace(",", "").lstrip("0")
    if len(digits) > 10:
        raise MoneyError(f"is too large ({_shown(raw)}); the most one invoice can hold is 9999999999.99")
    cents = int(digits or "0") * 100 + int(frac.ljust(2, "0"))
    if cents >= MAX_CENTS:
        raise MoneyError(f"is too large ({_shown(raw)}); the most one invoice can hold is 9999999999.99")
    return cents


def format_cents(cents: int) -> str:
    """Format cents as a string with exactly two decimals: ``226110`` -> ``"2261.10"``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"


def format_cents_grouped(cents: int) -> str:
    """Like format_cents, with thousands separators for people: ``"2,261.10"``."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{frac:02d}"

"""The rules of the reports' options, checked before any database is opened (and by every store).

Pure functions and constants: no database, no front end. A bad value is
errors.InvalidInput naming the option in the words of the front end used.
"""

from __future__ import annotations

import re
from datetime import date

from .errors import InvalidInput, Option
from .money import MoneyError, format_cents, parse_cents

MAX_LIMIT = 200


#: Rows a table for a person shows when no --limit is given (JSON lists what its command's contract says).
TABLE_PAGE = 50


#: The largest count or offset a query can take: SQLite's largest integer.
MAX_ROWS = 2**63 - 1


def check_page(limit: int, offset: int, max_limit: int = MAX_LIMIT) -> None:
    """Raise InvalidInput unless 1 <= limit <= max_limit and offset >= 0."""
    if not 1 <= limit <= max_limit:
        raise InvalidInput(Option("limit"), f" takes a whole number from 1 to {max_limit}, not {limit}.")
    check_offset(offset)


def check_offset(offset: int) -> None:
    """Raise InvalidInput unless 0 <= offset <= MAX_ROWS (beyond, SQLite cannot take it)."""
    if offset < 0:
        raise InvalidInput(Option("offset"), f" takes a whole number from 0 up, not {offset}.")
    if offset > MAX_ROWS:
        raise InvalidInput(Option("offset"), f" takes a whole number from 0 to {MAX_ROWS}, not {offset}.")


def check_currency(code: str) -> str:
    """Normalise a ``--currency`` value to an upper-case ISO 4217 code, or raise InvalidInput.

    The list of codes is read only here, when a report is given a currency: the usual path of
    a report never imports it.
    """
    value = code.strip()
    value = value.upper() if value.isascii() else value  # "uß".upper() would be "USS"
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise InvalidInput(Option("currency"), f" takes a three-letter ISO 4217 code such as USD, not {code!r}.")
    from .currencies import iso_4217_codes

    codes = iso_4217_codes()
    if value not in codes:
        close = closest_codes(value, codes)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise InvalidInput(
            Option("currency"), f" {code!r} is not in the ISO 4217 list of currency codes.{hint}", suggestions=close
        )
    return value


def closest_codes(code: str, codes: frozenset[str], limit: int = 3) -> list[str]:
    """The codes one slip away from ``code``: two neighbouring letters swapped (``UDS``: USD) first,
    then one letter wrong, alphabetically."""
    swapped = [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(len(code) - 1)]
    found = [c for c in dict.fromkeys(swapped) if c in codes and c != code]
    found += sorted(c for c in codes if c not in found and sum(a != b for a, b in zip(c, code, strict=True)) == 1)
    return found[:limit]


PAST_DUE_SORTS = ("due_date.asc", "due_date.desc")


def check_past_due_sort(sort: str) -> None:
    """Raise InvalidInput unless ``sort`` is one of PAST_DUE_SORTS."""
    if sort not in PAST_DUE_SORTS:
        raise InvalidInput(Option("sort"), f" takes {' or '.join(PAST_DUE_SORTS)}, not {sort!r}.")


AGE_BY = ("due", "invoice")


BY = ("customer", "parent", "currency")


AGING_SORTS = ("total", "name", "oldest")


DEFAULT_EDGES = (30, 60, 90)


MAX_EDGE = 36_500


MAX_EDGES = 20


def parse_buckets(text: str | None) -> tuple[int, ...]:
    """``"30,60,90"`` -> ``(30, 60, 90)``: increasing whole numbers of days; None gives the default."""
    if text is None:
        return DEFAULT_EDGES
    parts = [p.strip() for p in text.split(",")]
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise InvalidInput(
            Option("buckets"),
            f" takes increasing whole numbers of days separated by commas, such as 30,60,90; not {text!r}.",
        )
    edges = tuple(int(p) for p in parts)
    if len(edges) > MAX_EDGES:
        raise InvalidInput(Option("buckets"), f" takes at most {MAX_EDGES} edges, not {len(edges)}.")
    if edges[0] < 1 or edges[-1] > MAX_EDGE:
        raise InvalidInput(Option("buckets"), f" edges must be from 1 to {MAX_EDGE} days; got {text!r}.")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise InvalidInput(Option("buckets"), f" edges must increase, such as 30,60,90; got {text!r}.")
    return edges


def bucket_names(edges: tuple[int, ...]) -> list[str]:
    """``(30, 60, 90)`` -> ``["current", "1-30", "31-60", "61-90", "91+"]``."""
    names = ["current"]
    low = 1
    for edge in edges:
        names.append(f"{low}-{edge}")
        low = edge + 1
    names.append(f"{low}+")
    return names


_AMOUNT = re.compile(r"\$?\s*(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{0,2})0*)?")


def parse_min_total(text: str | None) -> int | None:
    """``--min-total`` as cents (``1000``, ``2,500.50``), or None.

    Written as an invoice amount is, but a total may pass the largest single
    invoice: it is bounded only by the largest sum the database holds.
    """
    if text is None:
        return None
    try:
        return parse_cents(text)
    except MoneyError as err:
        match = _AMOUNT.fullmatch(text.strip())
        if match is None:
            raise InvalidInput(
                Option("min_total"), f" takes an amount such as 1000 or 2500.50; the value {err}."
            ) from None
    cents = int(match["int"].replace(",", "")) * 100 + int((match["frac"] or "").ljust(2, "0"))
    if cents > MAX_ROWS:
        raise InvalidInput(
            Option("min_total", text.strip()), f" is larger than any total can be (at most {format_cents(MAX_ROWS)})."
        )
    return cents


def check_aging_options(age_by: str, by: str, sort: str, limit: int | None, tree: bool, offset: int = 0) -> None:
    """Raise InvalidInput for a value the report does not take."""
    if age_by not in AGE_BY:
        raise InvalidInput(Option("age_by"), f" takes due or invoice, not {age_by!r}.")
    if by not in BY:
        raise InvalidInput(Option("by"), f" takes customer, parent or currency, not {by!r}.")
    if sort not in AGING_SORTS:
        raise InvalidInput(Option("sort"), f" takes total, name or oldest, not {sort!r}.")
    if limit is not None and not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(
            Option("limit"), f" takes a whole number from 1 to {MAX_ROWS} (groups per currency), not {limit}."
        )
    check_offset(offset)
    if tree and by != "parent":
        raise InvalidInput(
            Option("tree"),
            " shows the customer hierarchy: use it with ",
            Option("by", "parent"),
            ", not ",
            Option("by", by),
            ".",
        )


MAX_MONTHS = 1200


def check_month_range(first: date, last: date) -> None:
    """Raise InvalidInput unless ``first`` <= ``last`` and the range is not absurdly long."""
    if first > last:
        raise InvalidInput(
            Option("from", f"{first:%Y-%m}"),
            " is after ",
            Option("to", f"{last:%Y-%m}"),
            "; give the earlier month first.",
        )
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_MONTHS:
        raise InvalidInput(
            Option("from"), "/", Option("to"), f" span {months} months; at most {MAX_MONTHS} are reported at once."
        )


CUSTOMER_SORTS = ("name", "open", "past_due", "oldest")


def check_customer_sort(sort: str) -> None:
    """Raise InvalidInput unless ``sort`` is one of CUSTOMER_SORTS."""
    if sort not in CUSTOMER_SORTS:
        raise InvalidInput(Option("sort"), f" takes {', '.join(CUSTOMER_SORTS)}; not {sort!r}.")


_KNOWN_AT = Option("known_at")


def parse_point(text: str, option: str | Option = _KNOWN_AT) -> int | date:
    """A load number (``7``) or a date (``2025-03-31``), checked before the database is opened."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{1,18}", value, re.ASCII):
        return int(value)
    from .days import parse_iso_option

    try:
        return parse_iso_option(value, option)
    except InvalidInput:
        raise InvalidInput(
            option, f" takes a load number (see `domeo diff`) or a date YYYY-MM-DD, not {text!r}."
        ) from None

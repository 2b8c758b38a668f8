#!/usr/bin/env python3
"""Deterministic generator of synthetic accounts-receivable invoice exports.

The output follows the input-format document (``docs/input-format.md``): 15 columns,
one invoice per row, the statistical shape of the first client's export (dates 2024-01
.. 2025-09, ~5% empty due dates, ~1% CAD, ~4% customers without contact, parent chains
up to three levels). ``--first-day``/``--last-day`` choose another period and
``--as-of`` another export date (which decides what is still open; invoices dated after
it are all open).
The rows are clean: every row is internally consistent (Status, DueDate = InvoiceDate +
terms). ``--quirks`` adds harmless format quirks (BOM, CRLF, ``$1,234.50`` money, ISO
dates, ``NET30`` terms, name case/spacing variants, trailing blank lines).

Usage::

    python data/generate.py --rows 3000 --seed 7 --out data/invoices.csv
    python data/generate.py --rows 10000000 --seed 1 > big.csv
    python data/generate.py --rows 1000000 --first-day 2020-01-01 --last-day 2026-12-31 --as-of 2026-12-07

Same arguments give byte-identical output. Memory does not grow with ``--rows``: rows
are streamed, only per-customer data is held (the default customer count is capped).
Standard library only; importing this module has no side effects.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import math
import os
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

HEADER: list[str] = [
    "CustomerName",
    "InvoiceNumber",
    "InvoiceDate",
    "CustomerPoNumber",
    "BillTotal",
    "Applied",
    "Status",
    "Currency",
    "ContactName",
    "ContactPhone",
    "ContactEmail",
    "CustomerTerms",
    "DueDate",
    "customer number",
    "parent customer",
]

# The default period; the export date defaults to its last day.
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2025, 9, 30)
# (label, days, weight): Net 30 dominates, Net 45 exists although the client's notes omit it.
TERMS: tuple[tuple[str, int, int], ...] = (
    ("Net 7", 7, 10),
    ("Net 15", 15, 20),
    ("Net 30", 30, 50),
    ("Net 45", 45, 20),
)
ROWS_PER_CUSTOMER = 22
MIN_CUSTOMERS = 5
# rows/22 customers would hold ~450k customers in memory for 10M rows; cap the default.
DEFAULT_CUSTOMER_CAP = 50_000
INVOICE_START = 2_000_000
MIN_AMOUNT, MAX_AMOUNT = 50.0, 24_999.0  # so that adding a cent stays within 50..25000

EMPTY_DUE_RATE = 0.05
EMPTY_PO_RATE = 0.03
NO_CONTACT_RATE = 0.04
CAD_ROW_SHARE = 0.01
TOP_LEVEL_RATE = 0.15  # customers without a parent
PENDING_ZERO_RATE = 0.7  # open invoices with nothing applied yet (rest: partial payment)

# Names exercising CSV quoting (comma), '&' and non-ASCII; used first when there is room.
SPECIAL_NAMES = (
    "Smith, Jones & Co",
    "Café Olé",
    "Baker & Sons Plumbing",
    "Peña Hermanos Landscaping",
)

# fmt: off
PLACE_WORDS = (
    "Harbor", "Northwind", "Quiet", "Cedar", "Maple", "Oak", "Pine", "Willow", "Birch", "Elm",
    "Aspen", "Summit", "Ridge", "River", "Lake", "Meadow", "Prairie", "Granite", "Copper", "Iron",
    "Silver", "Golden", "Blue", "Red", "Green", "Stone", "Bay", "Coastal", "Valley", "Hilltop",
    "Sunrise", "Sunset", "Evergreen", "Bright", "Liberty", "Union", "Pioneer", "Heritage",
    "Keystone", "Frontier", "Lakeshore", "Riverside", "Westfield", "Eastgate", "Southport",
    "Northgate", "Fox", "Bear", "Eagle", "Falcon", "Heron", "Otter", "Juniper", "Sage", "Clover",
    "Thistle", "Amber", "Crescent", "Anchor", "Lantern",
)
PLACE_SUFFIXES = (
    "Lane", "Creek", "Hollow", "Point", "Park", "Street", "Mill", "Crossing", "Grove", "Field",
    "Brook", "Springs", "Hill", "Landing", "Square", "Gate", "Bend", "Harbor", "Peak", "Trail",
    "Wood", "Rock", "Bridge", "Station", "Haven",
)
BUSINESSES = (
    "Bakery", "Dental", "Outfitters", "Plumbing", "Electric", "Roofing", "Landscaping",
    "Coffee Roasters", "Brewing Co", "Auto Repair", "Hardware", "Florist", "Veterinary Clinic",
    "Pharmacy", "Printing", "Signs", "Logistics", "Freight", "Construction", "Cabinetry",
    "Flooring", "Painting", "Heating & Cooling", "Builders Supply", "Marine Supply", "Farm Supply",
    "Feed & Seed", "Market", "Grocers", "Deli", "Catering", "Bistro", "Grill", "Pizzeria",
    "Tavern", "Inn", "Motors", "Tire & Auto", "Glass", "Metalworks", "Machine Shop",
    "Fabrication", "Textiles", "Apparel", "Boutique", "Books", "Toys", "Pet Supply",
    "Animal Hospital", "Fitness", "Yoga Studio", "Salon", "Barbershop", "Dry Cleaners",
    "Laundry", "Cleaning Services", "Janitorial", "Pest Control", "Security", "IT Services",
    "Consulting", "Accounting", "Law Group", "Insurance", "Realty", "Property Management",
    "Home Health", "Medical Group", "Chiropractic", "Optometry", "Engineering", "Architects",
    "Surveying", "Labs", "Packaging", "Distributors", "Wholesale", "Supply Co", "Trading Co",
    "Imports",
)
SURNAMES = (
    "Smith", "Jones", "Whitfield", "Ortega", "Nguyen", "Patel", "Kowalski", "Johnson", "Brooks",
    "Carter", "Hayes", "Morgan", "Foster", "Bennett", "Reyes", "Sullivan", "Murphy", "Kim", "Chen",
    "Garcia", "Lopez", "Harper", "Dawson", "Fletcher", "Gallagher", "Hendricks", "Iverson",
    "Jensen", "Keller", "Lindqvist", "Mahoney", "Novak", "O'Brien", "Pruitt", "Quinn", "Ramirez",
    "Schultz", "Tanaka", "Underwood", "Vasquez", "Walsh", "Young", "Zimmerman", "Abbott",
    "Baxter", "Caldwell", "Donovan", "Ellison", "Fischer", "Greer", "Holloway", "Ingram",
    "Jacobs", "Kendall", "Larsen", "McCoy", "Nash", "Olsen", "Pearson", "Russo", "Stafford",
    "Thornton", "Vaughn", "Whitaker", "Yates", "Alvarez", "Becker", "Castillo", "Delgado",
    "Ferreira",
)
FIRST_NAMES = (
    "Dana", "Marcus", "Priya", "Alicia", "Ben", "Carmen", "David", "Elena", "Frank", "Grace",
    "Hector", "Irene", "Jamal", "Karen", "Luis", "Maya", "Nathan", "Olivia", "Paul", "Rosa", "Sam",
    "Tara", "Victor", "Wendy", "Yusuf", "Zoe", "Aaron", "Brenda", "Chris", "Denise", "Eric",
    "Fiona", "Greg", "Holly", "Ian", "Julia", "Kevin", "Laura", "Mike", "Nina", "Omar", "Pam",
    "Raj", "Sofia", "Tom", "Uma", "Vince", "Will", "Xavier", "Yvonne", "Leah", "Connor", "Megan",
    "Derek", "Tasha", "Rick", "Lena", "Gordon", "Beth", "Andre",
)
# fmt: on

# Minimal decimal suffix for each cent value: 90 -> ".9", 75 -> ".75", 5 -> ".05".
_CENT_SUFFIX: list[str] = [""] + [(f".{c:02d}").rstrip("0") for c in range(1, 100)]
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NEEDS_QUOTING = re.compile(r'[,"\r\n]')
_CHUNK_ROWS = 8192  # rows rendered per string chunk: amortizes yield/write calls


def _short_date(d: dt.date) -> str:
    """Format a date the way the export does: month first, no padding, 2-digit year."""
    return f"{d.month}/{d.day}/{d.year % 100:02d}"


def _slug(text: str) -> str:
    """ASCII-fold and keep only lower-case letters/digits (for email addresses)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", text.lower())


def _csv_text(fields: list[str]) -> str:
    """Fields as one CSV line fragment, quoted exactly as ``csv.writer`` quotes them."""
    if fields != [""] and not _NEEDS_QUOTING.search("".join(fields)):
        return ",".join(fields)  # nothing to quote: same bytes as csv.writer, much cheaper
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(fields)
    return buf.getvalue()[:-1]


def _business_days(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """Invoice dates: weekdays of the covered period (clients rarely bill on weekends)."""
    days = []
    d = first_day
    one = dt.timedelta(days=1)
    while d <= last_day:
        if d.weekday() < 5:
            days.append(d)
        d += one
    return days


def _customer_name(rand: Callable[[], float]) -> str:
    """Draw one realistic small-business name (may collide; the caller dedupes).

    ``rand`` is ``Random.random``: indexing with it is much cheaper than ``choice``.
    """
    r = rand()
    if r < 0.02:
        # Comma + ampersand: exercises CSV quoting.
        a, b = _any(rand, SURNAMES), _any(rand, SURNAMES)
        return f"{a}, {b} & Co" if a != b else f"{a} & Sons Co"
    if r < 0.05:
        a, b = _any(rand, SURNAMES), _any(rand, SURNAMES)
        return f"{a} & {b} {_any(rand, BUSINESSES)}" if a != b else f"{a} Family {_any(rand, BUSINESSES)}"
    if r < 0.15:
        return f"{_any(rand, SURNAMES)} {_any(rand, BUSINESSES)}"
    place = _any(rand, PLACE_WORDS)
    if rand() < 0.55:
        suffix = _any(rand, PLACE_SUFFIXES)
        if suffix != place:
            place = f"{place} {suffix}"
    name = f"{place} {_any(rand, BUSINESSES)}"
    r = rand()
    if r < 0.05:
        name += " LLC"
    elif r < 0.08:
        name += " Inc"
    return name


def _any(rand: Callable[[], float], seq: Sequence[str]) -> str:
    """A uniformly drawn element of ``seq``."""
    return seq[int(rand() * len(seq))]


def _unique_names(rng: random.Random, count: int) -> list[str]:
    """``count`` names, unique case-insensitively (the CLI matches names that way)."""
    names: list[str] = []
    seen: set[str] = set()
    for name in SPECIAL_NAMES[: min(len(SPECIAL_NAMES), count // 10)]:
        names.append(name)
        seen.add(name.casefold())
    rand = rng.random
    while len(names) < count:
        name = _customer_name(rand)
        tries = 0
        while name.casefold() in seen:
            tries += 1
            if tries < 20:
                name = _customer_name(rand)
            elif tries < 40:
                # Word lists exhausted for this draw: branch names are realistic too.
                name = f"{_customer_name(rand)} of {_any(rand, PLACE_WORDS)}field"
            else:
                # Guaranteed-unique fallback for very large --customers.
                name = f"{_customer_name(rand)} #{len(names) + 1}"
        names.append(name)
        seen.add(name.casefold())
    return names


def _build_customers(rng: random.Random, count: int, rows: int, days: list[dt.date]) -> list[tuple]:
    """Pre-generate ``count`` customers and return a weighted pick table of them.

    Each customer is ``(head, mid, tail, base_amount, due_dates)`` where head, mid
    and tail are its constant columns pre-rendered as CSV text (see ``_chunks``). The
    table lists customers proportionally to a skewed (log-normal) invoice volume, so a
    uniform index into it picks a realistic customer; every customer is listed first
    once, in random order (``_chunks`` uses that prefix to make each customer occur).
    """
    names = _unique_names(rng, count)

    # Unique 6-digit numbers; widen only if 6 digits cannot hold them all.
    width = 6
    while count > 9 * 10 ** (width - 1):
        width += 1
    numbers = [str(n) for n in rng.sample(range(10 ** (width - 1), 10**width), count)]

    # Hierarchy without loops by construction: level 1 (no parent) <- level 2 <- level 3.
    order = list(range(count))
    rng.shuffle(order)
    n_top = max(1, round(count * TOP_LEVEL_RATE))
    rest = count - n_top
    n_second = min(rest, (rest + 1) // 2 + rest // 10)  # ~60% of the rest: level 3 has parents
    top = order[:n_top]
    second = order[n_top : n_top + n_second]
    third = order[n_top + n_second :]
    parents = [""] * count
    for i in second:
        parents[i] = numbers[rng.choice(top)]
    for i in third:
        parents[i] = numbers[rng.choice(second)]

    no_contact = set(rng.sample(range(count), round(count * NO_CONTACT_RATE)))

    # Due-date strings per terms and business day; shared by all customers with those terms.
    due_tables = {days_: [_short_date(d + dt.timedelta(days=days_)) + " 00:00" for d in days] for _, days_, _ in TERMS}
    terms_days = {t[0]: t[1] for t in TERMS}
    terms = rng.choices([t[0] for t in TERMS], weights=[t[2] for t in TERMS], k=count)
    weights = [rng.lognormvariate(0.0, 0.85) for _ in range(count)]
    bases = [min(8000.0, max(150.0, rng.lognormvariate(math.log(1500.0), 0.8))) for _ in range(count)]

    # Weighted slots: customer i gets slots[i] entries of a table of ~size entries.
    total_w = sum(weights)
    size = max(1 << 16, 8 * count)
    slots = []
    cum = 0.0
    filled = 0
    for w in weights:
        cum += w
        upto = round(cum / total_w * size)
        slots.append(upto - filled)
        filled = upto

    # CAD customers: add customers that fit until ~1% of the rows are expected in CAD
    # (whole customers bill in CAD, as in the real file; all months still have USD).
    # Each customer gets one guaranteed row plus its share of the weighted rows.
    forced_share = 1.0 / rows
    weighted_share = (rows - count) / rows / (filled + count)
    expected = [forced_share + weighted_share * (s + 1) for s in slots]
    cad: set[int] = set()
    cad_share = 0.0
    candidates = list(range(count))
    rng.shuffle(candidates)
    for i in candidates:
        if cad_share >= CAD_ROW_SHARE * 0.9:
            break
        if cad_share + expected[i] <= CAD_ROW_SHARE * 1.25:
            cad.add(i)
            cad_share += expected[i]
    if not cad:
        cad.add(min(range(count), key=expected.__getitem__))

    rand = rng.random
    first_slugs = {f: _slug(f) for f in FIRST_NAMES}
    last_slugs = {s: _slug(s) for s in SURNAMES}
    customers: list[tuple] = []
    for i in range(count):
        name = names[i]
        if i in no_contact:
            cname = phone = email = ""
        else:
            first = _any(rand, FIRST_NAMES)
            last = _any(rand, SURNAMES)
            cname = f"{first} {last}"
            phone = f"555-{200 + int(rand() * 800)}-{int(rand() * 10000):04d}"
            r = rand()
            if r < 0.7:
                local = first_slugs[first]
            elif r < 0.9:
                local = f"{first_slugs[first]}.{last_slugs[last]}"
            else:
                local = first_slugs[first][0] + last_slugs[last]
            email = f"{local}@{_slug(name)}.com"
        term = terms[i]
        currency = "CAD" if i in cad else "USD"
        customers.append(
            (
                _csv_text([name]) + ",",
                "," + _csv_text([currency, cname, phone, email, term]) + ",",
                "," + _csv_text([numbers[i], parents[i]]) + "\n",
                bases[i],
                due_tables[terms_days[term]],
            )
        )

    table = list(customers)
    rng.shuffle(table)
    for c, n in zip(customers, slots, strict=True):
        table.extend([c] * n)
    return table


def default_customers(rows: int) -> int:
    """Default customer count for ``rows`` invoices: ~rows/22, min 5, capped for memory."""
    return min(DEFAULT_CUSTOMER_CAP, max(MIN_CUSTOMERS, round(rows / ROWS_PER_CUSTOMER)))


def _chunks(
    rows: int, seed: int, customers: int | None, first_day: dt.date, last_day: dt.date, as_of: dt.date | None
) -> Iterator[str]:
    """Yield the data rows as CSV text, ``_CHUNK_ROWS`` ``\\n``-terminated lines at a time.

    Invoices are dated on the weekdays from ``first_day`` to ``last_day``; their status
    is as on ``as_of`` (default ``last_day``), the day of the export.

    This is the single source of the data: ``generate_rows`` parses it back with the
    csv module, ``write_csv`` writes it as is. Per row there are only cheap float
    draws, integer arithmetic and table lookups (speed matters); every field that
    could need CSV quoting (the customer's) is pre-rendered by the csv module.
    """
    if rows <= 0:
        return
    _check_period(first_day, last_day)
    # Status depends on age relative to the export date: recent invoices are mostly open.
    export_day = last_day if as_of is None else as_of
    count = default_customers(rows) if customers is None else max(1, customers)
    # Every customer must occur (parent numbers must exist in the file): at most one per row.
    count = min(count, rows)
    rng = random.Random(seed)
    days = _business_days(first_day, last_day)
    table = _build_customers(rng, count, rows, days)

    ndays = len(days)
    last = ndays - 1
    date_str = [_short_date(d) for d in days]
    # P(closed) by invoice day: old invoices are nearly all paid, a few stay open;
    # an invoice dated after the export cannot have been paid yet.
    p_closed = [min(0.96, 0.03 + 0.0135 * (export_day - d).days) if d <= export_day else 0.0 for d in days]
    # Per-row amount factors around the customer's typical invoice size.
    factors = [math.exp(rng.gauss(0.0, 0.55)) for _ in range(1024)]

    # Every customer gets one row at a random position (parents must appear in the file):
    # forced row k uses table[k], the customers listed once in random order.
    forced_pos = sorted(rng.sample(range(rows), count))
    forced_pos.append(rows)  # sentinel: never reached
    fi = 0
    nxt = forced_pos[0]

    rand = rng.random
    # Weighted draws index the whole table; its once-each prefix adds a small uniform share.
    ntable = len(table)
    cents_sfx = _CENT_SUFFIX
    inv = INVOICE_START
    lo, hi = MIN_AMOUNT, MAX_AMOUNT
    two_thirds = 2.0 / 3.0
    one_third = 1.0 / 3.0
    zero_rate = PENDING_ZERO_RATE
    partial_scale = 0.8 / (1.0 - PENDING_ZERO_RATE)
    empty_due = EMPTY_DUE_RATE
    keep_po = 1.0 - EMPTY_PO_RATE

    for start in range(0, rows, _CHUNK_ROWS):
        lines: list[str] = []
        append = lines.append
        for i in range(start, min(rows, start + _CHUNK_ROWS)):
            if i == nxt:
                head, mid, tail, base, due_dates = table[fi]
                fi += 1
                nxt = forced_pos[fi]
            else:
                head, mid, tail, base, due_dates = table[int(rand() * ntable)]

            # Rows in date order, with a little jitter (exports are "roughly" sorted).
            d = i * ndays // rows
            r = rand()
            if r < 0.15:
                if d:
                    d -= 1
            elif r > 0.85 and d < last:
                d += 1
            number = inv
            inv += 1 + int(r * 3.0)  # reuse r: gap 1..3 keeps numbers unique and increasing

            # One draw for two decisions: the fraction left after taking the table index
            # is uniform and independent of it (~40 random bits remain).
            r = rand() * 1024.0
            k = int(r)
            r -= k
            x = base * factors[k]
            if x < lo:
                x = lo
            elif x > hi:
                x = hi
            if r < two_thirds:
                dollars = int(x)
                if r < one_third:
                    dollars -= dollars % 5  # half of the whole amounts are round figures
                    if dollars < 50:
                        dollars = 50
                cents = dollars * 100
                total = str(dollars)
            else:
                cents = int(x * 100.0)
                cc = cents % 100
                if not cc:
                    cents += 1  # "with cents" must really have cents
                    cc = 1
                total = str(cents // 100) + cents_sfx[cc]

            if rand() < p_closed[d]:
                applied_status = f"{total},Closed"
            else:
                r = rand()
                if r < zero_rate:
                    applied_status = "0,Pending"
                else:
                    # Partial payment, 10%..90% of the total: strictly below BillTotal.
                    paid = int(cents * (0.1 + (r - zero_rate) * partial_scale)) or 1
                    applied_status = f"{paid // 100}{cents_sfx[paid % 100]},Pending"

            r = rand()
            due = "" if r < empty_due else due_dates[d]
            # PO digits from lower digits of the same draw (independent of its top digits).
            po = f"PO-{int(r * 1e12) % 1_000_000:06d}" if r < keep_po else ""
            # head ends with "," and mid/tail start with ",": fewer pieces to format.
            append(f"{head}DF{number},{date_str[d]},{po},{total},{applied_status}{mid}{due}{tail}")
        yield "".join(lines)


def _check_period(first_day: dt.date, last_day: dt.date) -> None:
    """Refuse a period without a weekday to date an invoice on."""
    if not _business_days(first_day, last_day):
        raise ValueError(f"The period {first_day} to {last_day} has no weekday to date an invoice on.")


def generate_rows(
    rows: int,
    seed: int = 7,
    customers: int | None = None,
    *,
    quirks: bool = False,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
    as_of: dt.date | None = None,
) -> Iterator[list[str]]:
    """Yield ``rows`` data rows (lists of 15 strings, in ``HEADER`` order, no header).

    ``customers`` defaults to :func:`default_customers`; it is clamped to ``rows`` so
    that every customer (and thus every parent number) occurs in the output. The result
    depends only on the arguments. ``quirks`` rewrites some fields in harmless
    alternative formats (see :func:`_with_quirks`). Invoices are dated within
    ``first_day`` .. ``last_day``, their status as on ``as_of`` (default ``last_day``).
    """
    chunks = _chunks(rows, seed, customers, first_day, last_day, as_of)
    body: Iterator[list[str]] = (row for chunk in chunks for row in csv.reader(io.StringIO(chunk)))
    if quirks:
        # Separate RNG so the quirk-free content is identical with and without quirks.
        body = _with_quirks(body, random.Random(f"quirks-{seed}"))
    yield from body


def _to_iso(value: str) -> str:
    """``3/7/25`` or ``3/7/25 00:00`` -> ``2025-03-07`` (the time is dropped)."""
    if not value:
        return value
    m, d, y = value.split(" ")[0].split("/")
    return f"20{y}-{int(m):02d}-{int(d):02d}"


def _money(value: str) -> str:
    """``1234.5`` -> ``$1,234.50`` (Excel-style currency formatting)."""
    return f"${float(value):,.2f}"


def _with_quirks(body: Iterator[list[str]], rng: random.Random) -> Iterator[list[str]]:
    """Rewrite a few fields per row in harmless alternative formats.

    Values keep their meaning: money is the same amount, dates the same day, terms the
    same number of days, names the same name modulo case/spacing.
    """
    rand = rng.random
    for row in body:
        r = rand()
        if r < 0.03:
            row[4] = _money(row[4])
            row[5] = _money(row[5])
        elif r < 0.06:
            row[2] = _to_iso(row[2])
            row[12] = _to_iso(row[12])
        r = rand()
        if r < 0.05:
            days = row[11].split()[1]
            row[11] = rng.choice((f"NET{days}", f"net {days}", f"Net {days} days"))
        elif r < 0.08:
            name = row[0]
            row[0] = rng.choice((name.upper(), name.lower(), f" {name}", name.replace(" ", "  ", 1)))
        yield row


def write_csv(
    out: TextIO,
    rows: int,
    seed: int = 7,
    customers: int | None = None,
    *,
    quirks: bool = False,
    first_day: dt.date = FIRST_DAY,
    last_day: dt.date = LAST_DAY,
    as_of: dt.date | None = None,
) -> int:
    """Write the header and ``rows`` rows to the text stream ``out``; return the row count.

    ``out`` should be opened with ``newline=""`` and UTF-8 encoding. Lines end with
    ``\\n`` (``\\r\\n`` plus BOM and trailing blank lines with ``quirks``). The output is
    exactly what ``csv.writer`` makes of ``HEADER`` + :func:`generate_rows` (which
    describes ``first_day``, ``last_day`` and ``as_of``).
    """
    period = {"first_day": first_day, "last_day": last_day, "as_of": as_of}
    eol = "\r\n" if quirks else "\n"
    if quirks:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator=eol)
    writer.writerow(HEADER)
    if rows <= 0:
        return 0
    if quirks:
        # Quirky fields (e.g. a leading space) may need quoting: let csv decide per row.
        writer.writerows(generate_rows(rows, seed, customers, quirks=True, **period))
        out.write(eol * 2)
        return rows
    # Fast path (about twice csv.writer's speed): _chunks is already CSV text.
    write = out.write
    for chunk in _chunks(rows, seed, customers, first_day, last_day, as_of):
        write(chunk)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Generate a synthetic AR invoice export CSV.")
    parser.add_argument("--rows", type=int, required=True, help="number of invoice rows")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--customers",
        type=int,
        default=None,
        help=f"number of customers (default rows/{ROWS_PER_CUSTOMER}, min {MIN_CUSTOMERS}, max {DEFAULT_CUSTOMER_CAP})",
    )
    parser.add_argument("--out", default="-", help="output path (default: stdout)")
    parser.add_argument("--quirks", action="store_true", help="add harmless format quirks")
    day = dt.date.fromisoformat
    parser.add_argument("--first-day", type=day, default=FIRST_DAY, help=f"first invoice date (default {FIRST_DAY})")
    parser.add_argument("--last-day", type=day, default=LAST_DAY, help=f"last invoice date (default {LAST_DAY})")
    parser.add_argument(
        "--as-of", type=day, default=None, help="the export date, which decides what is open (default: --last-day)"
    )
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    if args.customers is not None and args.customers < 1:
        parser.error("--customers must be >= 1")
    if not _business_days(args.first_day, args.last_day):
        parser.error("--first-day .. --last-day must hold a weekday")
    period = {"first_day": args.first_day, "last_day": args.last_day, "as_of": args.as_of}

    if args.out == "-":
        sys.stdout.reconfigure(encoding="utf-8", newline="")
        try:
            write_csv(sys.stdout, args.rows, args.seed, args.customers, quirks=args.quirks, **period)
            sys.stdout.flush()
        except BrokenPipeError:
            # Reader went away (e.g. `| head`): stop quietly, without a traceback at exit.
            sys.stdout = open(os.devnull, "w")
            return 1
    else:
        with open(args.out, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
            write_csv(fh, args.rows, args.seed, args.customers, quirks=args.quirks, **period)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""From CSV fields to validated invoice records: pure functions, no database.

``HeaderMap.from_header`` recognises the columns of an export whatever their
spelling; ``RowParser.parse`` turns one record's fields into an
``InvoiceRecord`` or a rejection reason, with the warnings the row earned.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .dates import DateError, TermsError, parse_date, parse_terms
from .errors import InvalidInput
from .money import MoneyError, format_cents, parse_cents
from .names import display_name, name_key

# Canonical field -> (its column name in the first client's export, other
# spellings other exports use). All are compared after normalise_header().
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customer_name": ("CustomerName", ("customer", "client", "clientname")),
    "invoice_number": ("InvoiceNumber", ("invoiceno", "invoicenum", "invoice", "invoiceid")),
    "invoice_date": ("InvoiceDate", ("issuedate", "dateissued")),
    "po_number": ("CustomerPoNumber", ("ponumber", "po", "customerpo", "purchaseorder")),
    "bill_total": ("BillTotal", ("invoicetotal", "invoiceamount", "total", "amount")),
    "applied": ("Applied", ("amountapplied", "paid", "amountpaid", "payments")),
    "status": ("Status", ("invoicestatus",)),
    "currency": ("Currency", ("currencycode", "curr")),
    "contact_name": ("ContactName", ("contact",)),
    "contact_phone": ("ContactPhone", ("phone", "phonenumber")),
    "contact_email": ("ContactEmail", ("email", "emailaddress")),
    "terms": ("CustomerTerms", ("terms", "paymentterms")),
    "due_date": ("DueDate", ("paymentduedate",)),
    "customer_number": ("customer number", ("customerno", "customerid", "accountnumber")),
    "parent_number": ("parent customer", ("parentcustomernumber", "parent", "parentaccount")),
}
REQUIRED = ("customer_name", "invoice_number", "invoice_date", "bill_total", "applied", "currency")

#: The most characters a field may hold once trimmed (a name: once its inner spaces are collapsed).
#: Names and numbers: what a report and the API can be asked for; free text: room for any real value.
MAX_LENGTH: dict[str, int] = {
    "customer_name": 200,
    "invoice_number": 200,
    "customer_number": 200,
    "parent_number": 200,
    "po_number": 100,
    "contact_name": 200,
    "contact_phone": 100,
    "contact_email": 254,  # the longest address SMTP carries
    "terms": 100,
}
_MAX_KEY = MAX_LENGTH["invoice_number"]
_MAX_PO, _MAX_PHONE, _MAX_EMAIL = MAX_LENGTH["po_number"], MAX_LENGTH["contact_phone"], MAX_LENGTH["contact_email"]
#: Dates before this are typos in the year (``0025``, ``1900``); the latest is ten years after the load date.
FIRST_DATE = date(1970, 1, 1)
DATE_YEARS_AHEAD = 10

_NOT_ALNUM = re.compile(r"[\W_]+")
_CURRENCY = re.compile(r"[A-Z]{3}")


def normalise_header(name: str) -> str:
    """``Invoice Number``, ``invoice_number`` and ``INVOICENUMBER`` all become ``invoicenumber``."""
    return _NOT_ALNUM.sub("", name.replace("\ufeff", "")).casefold()


_CANONICAL = {normalise_header(column): field for field, (column, _) in FIELDS.items()}
_ALIASES = {alias: field for field, (_, aliases) in FIELDS.items() for alias in aliases}


@dataclass(frozen=True)
class HeaderMap:
    """Where each known field sits in the records of one file."""

    columns: list[str]
    index: dict[str, int]
    ignored: list[str]

    @classmethod
    def from_header(cls, header: list[str]) -> HeaderMap:
        """Recognise the header row, or raise InvalidInput naming what is missing or doubled.

        A column spelled as the field's own name (in any case or spacing) always
        wins; a looser alias (``Terms``, ``Amount``) is used only for a field no
        such column names, so an extra ``Total`` column cannot shadow ``BillTotal``.
        """
        index: dict[str, int] = {}
        for position, column in enumerate(header):
            field = _CANONICAL.get(normalise_header(column))
            if field is None:
                continue
            if field in index:
                first = header[index[field]]
                raise InvalidInput(f"The header has two columns for {FIELDS[field][0]}: {first!r} and {column!r}.")
            index[field] = position
        for position, column in enumerate(header):
            field = _ALIASES.get(normalise_header(column))
            if field is not None and field not in index:
                index[field] = position
        used = set(index.values())
        ignored = [column for position, column in enumerate(header) if position not in used]
        missing = [FIELDS[f][0] for f in REQUIRED if f not in index]
        if missing:
            shown = ", ".join(repr(c[:40]) for c in header[:20])
            raise InvalidInput(
                f"The file lacks the required column(s) {', '.join(missing)}; its header is {shown}"
                + (" …" if len(header) > 20 else "")
                + ". Is it an invoice export?"
            )
        return cls(columns=list(header), index=index, ignored=ignored)


class InvoiceRecord(NamedTuple):
    """One valid invoice, in the form it is stored (money in cents, dates ISO).

    The first ``STORED`` fields are the invoice's own columns, in the order the
    loader stages them; the customer fields after them identify its customer.
    """

    invoice_number: str
    invoice_date: str
    due_date: str
    due_date_derived: int
    po_number: str | None
    bill_total: int
    applied: int
    outstanding: int
    currency: str
    status: str
    terms: str | None
    terms_days: int | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    customer_name: str
    customer_key: str
    customer_number: str | None
    parent_number: str | None


# The invoice's own fields come first in a record, its customer's after them. The stored
# columns are those fields, named as the database names them (money in cents): staging,
# the merge and ``invoices`` all take their column order from here.
STORED = InvoiceRecord._fields.index("customer_name")
_CENTS = ("bill_total", "applied", "outstanding")
STORED_COLUMNS: tuple[str, ...] = tuple(f"{f}_cents" if f in _CENTS else f for f in InvoiceRecord._fields[:STORED])
#: Position of each field in a record (its tuple), for code that reads records by position.
FIELD_AT: dict[str, int] = {name: position for position, name in enumerate(InvoiceRecord._fields)}
_NO_WARNINGS: tuple[str, ...] = ()
_STATUSES = {"pending": "Pending", "closed": "Closed", "Pending": "Pending", "Closed": "Closed"}
_UNSEEN = object()
_new_record = tuple.__new__
# Per-file memo tables stop growing here; a file with more distinct values
# than this is parsed just as correctly, only without the memo's help.
_MEMO_LIMIT = 200_000


class RowError(ValueError):
    """A record that breaks a rule; the message is the rejection reason."""


class RowParser:
    """Validates the records of one file against the contract's rules.

    Exports repeat the same few hundred dates, terms, currencies and customer
    names millions of times, so their parsed forms are memoised per file: the
    hot path of a typical row is dictionary look-ups and two integer parses.
    """

    def __init__(self, header: HeaderMap, as_of: date | None = None) -> None:
        """``as_of``: the load's date (default today); a date more than ten years after it is rejected."""
        self.header = header
        self.width = len(header.columns)
        index = header.index
        # An optional column the file lacks reads from a "" appended to the record.
        self._complete = all(field in index for field in FIELDS)
        absent = self.width
        # Where each field of FIELDS sits, in FIELDS order (parse unpacks it into locals).
        self._columns = tuple(index.get(field, absent) for field in FIELDS)
        self._i_number = self._columns[1]
        self._dates: dict[str, str] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self._terms: dict[str, tuple[str | None, int | None]] = {}
        self._plus: dict[tuple[str, int], str] = {}
        self._currencies: dict[str, str] = {}
        from .currencies import iso_4217_codes

        self._iso_codes = iso_4217_codes()
        self._contacts: dict[str, str | None] = {}
        if as_of is None:
            from .days import today

            as_of = today()
        self.as_of = as_of
        self._first_day = FIRST_DATE.isoformat()
        self._last_day = _years_after(as_of, DATE_YEARS_AHEAD).isoformat()

    def invoice_number_of(self, fields: list[str]) -> str | None:
        """The invoice number of a record, if it has one, for rejection reports."""
        position = self._i_number
        if position >= len(fields):
            return None
        return fields[position].strip() or None

    def parse(self, fields: list[str]) -> tuple[InvoiceRecord, tuple[str, ...] | list[str]]:
        """Validate one record; return it with its warnings, or raise RowError.

        This runs once per row of files with millions of rows, so it is written
        for speed: memo look-ups first, the general parsers only on a miss.
        """
        if len(fields) != self.width:
            extra = len(fields) - self.width
            raise RowError(
                f"has {len(fields)} fields but the header has {self.width} "
                f"({'one' if abs(extra) == 1 else abs(extra)} too {'many' if extra > 0 else 'few'})"
            )
        if not self._complete:
            fields = [*fields, ""]
        (
            i_name, i_number, i_date, i_po, i_total, i_applied, i_status, i_currency,
            i_contact, i_phone, i_email, i_terms, i_due, i_custno, i_parent,
        ) = self._columns  # fmt: skip
        warnings: tuple[str, ...] | list[str] = _NO_WARNINGS

        invoice_number = fields[i_number].strip()
        # Most numbers are letters and digits only, and short.
        if not (invoice_number.isascii() and invoice_number.isalnum()) or len(invoice_number) > _MAX_KEY:
            invoice_number, warnings = _odd_number(invoice_number, warnings)
        raw_name = fields[i_name]
        name = self._names.get(raw_name)
        if name is None:
            display = display_name(raw_name)
            if not (display.isascii() and display.isprintable()) and _invisible(display):
                raise RowError("CustomerName holds only invisible characters (zero-width or no-break spaces, BOM …)")
            if not display:
                raise RowError("CustomerName is empty")
            _check_length(display, "customer_name")
            name = (display, name_key(display))
            self._remember(self._names, raw_name, name)

        dates = self._dates
        raw = fields[i_date]
        invoice_date = dates.get(raw) or self._date(raw, "InvoiceDate")
        raw = fields[i_total]
        if raw.isdigit() and raw.isascii() and len(raw) <= 10:
            bill_total = int(raw) * 100
        else:
            bill_total = _money(raw, "BillTotal")
        raw = fields[i_applied]
        if raw.isdigit() and raw.isascii() and len(raw) <= 10:
            applied = int(raw) * 100
        elif raw and not raw.isspace():
            applied = _money(raw, "Applied")
        else:
            applied = 0
            warnings = ["Applied is empty: taken as 0.00"]
        outstanding = bill_total - applied
        if outstanding < 0:
            warnings = [
                *warnings,
                (
                    f"overpaid: Applied {format_cents(applied)} is more than BillTotal "
                    f"{format_cents(bill_total)}; outstanding taken as 0.00"
                ),
            ]
            outstanding = 0

        raw = fields[i_currency]
        currency = self._currencies.get(raw)
        if currency is None:
            stripped = raw.strip()
            currency = stripped.upper()
            # ASCII only: "ßd".upper() is "SSD", which must not pass for a code.
            if not (stripped.isascii() and _CURRENCY.fullmatch(currency)):
                raise RowError(
                    "Currency is empty"
                    if not currency
                    else f"Currency {stripped[:20]!r} is not a three-letter ISO 4217 code"
                )
            if currency not in self._iso_codes:  # UDS, ZZZ: a typo would split every total
                raise RowError(f"Currency {stripped!r} is not in the ISO 4217 list of currency codes")
            self._remember(self._currencies, raw, currency)

        raw = fields[i_terms]
        terms_entry = self._terms.get(raw)
        if terms_entry is None:
            shown = display_name(raw)
            _check_length(shown, "terms")
            try:
                terms_entry = (shown or None, parse_terms(shown) if shown else None)
            except TermsError as err:
                raise RowError(f"CustomerTerms {err}") from None
            self._remember(self._terms, raw, terms_entry)
        terms, terms_days = terms_entry

        raw = fields[i_due]
        if raw and not raw.isspace():
            due_date = dates.get(raw) or self._date(raw, "DueDate")
            derived = 0
        elif terms_days is not None:
            due_date = self._plus_days(invoice_date, terms_days)
            derived = 1
        elif terms:
            raise RowError(f"DueDate is empty and CustomerTerms {terms[:40]!r} give no number of days")
        else:
            raise RowError("DueDate is empty and there are no CustomerTerms to derive it from")
        if due_date < invoice_date:  # ISO dates compare as text
            warnings = [
                *warnings,
                f"due before issue: DueDate {due_date} is before InvoiceDate {invoice_date}",
            ]

        raw = fields[i_status]
        status = _STATUSES.get(raw) or _STATUSES.get(raw.strip().lower())
        if status is None:
            if raw.strip():
                raise RowError(f"Status {raw.strip()[:40]!r} is neither Closed nor Pending")
            status = "Pending" if outstanding > 0 else "Closed"
            warnings = [*warnings, f"Status is empty: taken as {status} from the balance"]

        customer_number = fields[i_custno].strip() or None
        if customer_number is not None and not (customer_number.isascii() and customer_number.isalnum()):
            customer_number, warnings = _odd_customer_key(customer_number, "customer number", warnings)
        parent_number = fields[i_parent].strip() or None
        if parent_number is not None and not (parent_number.isascii() and parent_number.isalnum()):
            parent_number, warnings = _odd_customer_key(parent_number, "parent customer", warnings)
        if len(customer_number or "") > _MAX_KEY or len(parent_number or "") > _MAX_KEY:
            _check_length(customer_number or "", "customer_number")
            _check_length(parent_number or "", "parent_number")

        raw = fields[i_contact]
        contact = self._contacts.get(raw, _UNSEEN)
        if contact is _UNSEEN:
            contact = display_name(raw) or None
            if contact is not None:
                _check_length(contact, "contact_name")
            self._remember(self._contacts, raw, contact)
        po = fields[i_po].strip() or None
        phone = fields[i_phone].strip() or None
        email = fields[i_email].strip() or None
        if len(po or "") > _MAX_PO or len(phone or "") > _MAX_PHONE or len(email or "") > _MAX_EMAIL:
            for text, field in ((po, "po_number"), (phone, "contact_phone"), (email, "contact_email")):
                _check_length(text or "", field)
        # tuple.__new__ skips the named tuple's Python-level constructor (a third of a row's time).
        return (
            _new_record(
                InvoiceRecord,
                (
                    invoice_number,
                    invoice_date,
                    due_date,
                    derived,
                    po,
                    bill_total,
                    applied,
                    outstanding,
                    currency,
                    status,
                    terms,
                    terms_days,
                    contact,
                    phone,
                    email,
                    name[0],
                    name[1],
                    customer_number,
                    parent_number,
                ),
            ),
            warnings,
        )

    def _date(self, raw: str, column: str) -> str:
        iso = self._dates.get(raw)
        if iso is None:
            try:
                iso = parse_date(raw).isoformat()
            except DateError as err:
                raise RowError(f"{column} {err}") from None
            self._in_window(iso, f"{column} {_shown(raw.strip())}")
            self._remember(self._dates, raw, iso)
        return iso

    def _in_window(self, iso: str, what: str) -> None:
        """Raise RowError for a date before 1970 or more than ten years after the load date (ISO text compares)."""
        if iso < self._first_day:
            raise RowError(f"{what} is before {self._first_day}: is the year mistyped?")
        if iso > self._last_day:
            raise RowError(
                f"{what} is more than {DATE_YEARS_AHEAD} years after the load date {self.as_of.isoformat()} "
                f"(the latest date taken is {self._last_day}): is the year mistyped?"
            )

    def _plus_days(self, iso: str, days: int) -> str:
        key = (iso, days)
        due = self._plus.get(key)
        if due is None:
            try:
                due = (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
            except OverflowError:
                raise RowError(f"DueDate derived from {days} days of terms is past the year 9999") from None
            self._in_window(due, f"DueDate {due} (InvoiceDate + {days} days of CustomerTerms)")
            self._remember(self._plus, key, due)
        return due

    @staticmethod
    def _remember(memo: dict, key: object, value: object) -> None:
        if len(memo) < _MEMO_LIMIT:
            memo[key] = value


@functools.cache
def _invisible_characters() -> str:
    """Characters that show nothing: format characters (zero-width spaces and joiners, BOM, word
    joiner, soft hyphen, bidi marks), controls, spaces, and the blank letters fonts draw as nothing.
    Built on first need (a scan of Unicode): only a file with such a name pays for it."""
    return "".join(
        chr(c)
        for c in range(0x30000)
        if unicodedata.category(chr(c)) in ("Cf", "Cc", "Zs", "Zl", "Zp") or chr(c) in "\u115f\u1160\u3164\uffa0\u2800"
    ) + "".join(chr(c) for c in range(0xE0000, 0xE0080))  # tag characters


def _invisible(text: str) -> bool:
    """True when ``text`` is made only of characters that show nothing."""
    return not text.strip(_invisible_characters())


# Excel's guard against reading a cell as a number: ="00123".
_GUARD = re.compile(r'="([^"]*)"')


def _odd_number(text: str, warnings: tuple[str, ...] | list[str]) -> tuple[str, tuple[str, ...] | list[str]]:
    """An invoice number that is not plain letters and digits: empty, Excel-guarded, invisible, too long, or
    holding a character a key must not hold."""
    if text[:1] == "=":
        unwrapped, warnings = _unguard(text, "InvoiceNumber", warnings)
        text = unwrapped or ""
    if not text:
        raise RowError("InvoiceNumber is empty (a total or summary row?)")
    if not (text.isascii() and text.isprintable()) and _invisible(text):
        raise RowError("InvoiceNumber holds only invisible characters (zero-width or no-break spaces, BOM …)")
    _check_key(text, "InvoiceNumber")
    _check_length(text, "invoice_number")
    return text, warnings


def _odd_customer_key(
    text: str, column: str, warnings: tuple[str, ...] | list[str]
) -> tuple[str | None, tuple[str, ...] | list[str]]:
    """A customer or parent number that is not plain letters and digits: Excel-guarded, or checked as a key."""
    if text[0] == "=":
        unwrapped, warnings = _unguard(text, column, warnings)
        if unwrapped is None:
            return None, warnings
        text = unwrapped
    _check_key(text, column)
    return text, warnings


def _check_key(text: str, column: str) -> None:
    """Raise RowError when a key holds a control character (a line break, a tab, C0 or C1, a line or paragraph
    separator) or an invisible format character (zero-width space or joiner, BOM, bidi mark, soft hyphen …).

    Such a number cannot be typed on a command line or sent in a URL as it was stored, and two numbers
    that look the same would be two invoices.
    """
    if text.isascii():
        if text.isprintable():
            return
        bad = next(c for c in text if not c.isprintable())
    else:
        bad = next((c for c in text if unicodedata.category(c) in _NOT_IN_KEYS), "")
        if not bad:
            return
    code = f"U+{ord(bad):04X}"
    if unicodedata.category(bad) == "Cf":
        what = f"an invisible character ({code} {unicodedata.name(bad, 'FORMAT CHARACTER').lower()})"
    else:
        what = f"a control character ({code}{_CONTROL_NAMES.get(bad, '')})"
    raise RowError(f"{column} {_shown(text)} holds {what}; a number must be plain visible text")


# Control characters, separators of lines and paragraphs, and format characters: never in a key.
_NOT_IN_KEYS = frozenset(("Cc", "Cf", "Zl", "Zp"))
_CONTROL_NAMES = {
    "\n": ", a line break",
    "\r": ", a carriage return",
    "\t": ", a tab",
    "\x1b": ", escape",
    "\x85": ", next line",
    "\u2028": ", a line separator",
    "\u2029": ", a paragraph separator",
}


def _check_length(text: str, field: str) -> None:
    """Raise RowError when ``text`` is longer than the field may hold (MAX_LENGTH)."""
    limit = MAX_LENGTH[field]
    if len(text) > limit:
        raise RowError(f"{FIELDS[field][0]} is {len(text):,} characters long; it may hold at most {limit}")


def _shown(text: str) -> str:
    """A field quoted for a reason, cut short; ``repr`` shows a control or invisible character as an escape."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def key_fold(text: str) -> str:
    """What a key looks like to a reader: Unicode compatibility forms folded (NFKC: full-width digits,
    no-break spaces, composed and decomposed letters alike), runs of white space made one space.

    Two different numbers with the same fold are two invoices a person cannot tell apart.
    """
    if text.isascii() and text.isprintable() and "  " not in text:
        return text  # most numbers: NFKC leaves ASCII as it is, and no run of spaces to fold
    return " ".join(unicodedata.normalize("NFKC", text).split())


def look_alike_pair(one: str, other: str) -> tuple[str, str]:
    """Two look-alike numbers quoted for a warning: with every character past ASCII as its code when they
    differ only in how their letters are composed (``'Caf\\xe9-1'``, ``'Cafe\\u0301-1'``), else as they are."""
    if unicodedata.normalize("NFC", one) == unicodedata.normalize("NFC", other):
        return ascii(one), ascii(other)
    return repr(one), repr(other)


def _years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February: the 28th), or the last date there is."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        if day.year + years > date.max.year:
            return date.max
        return day.replace(year=day.year + years, day=28)


def _unguard(
    text: str, column: str, warnings: tuple[str, ...] | list[str]
) -> tuple[str | None, tuple[str, ...] | list[str]]:
    """``="00123"`` -> ``00123``, with a warning; any other text as it is."""
    match = _GUARD.fullmatch(text)
    if match is None:
        return text, warnings
    inner = match[1].strip()
    note = f"text guard: {column} {text[:40]!r} is Excel's guard around {inner[:40]!r}; read as {inner[:40]!r}"
    return inner or None, [*warnings, note]


def _money(text: str, column: str) -> int:
    try:
        return parse_cents(text)
    except MoneyError as err:
        raise RowError(f"{column} {err}") from None

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

    def __init__(self, header: HeaderMap) -> None:
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
        if not (invoice_number.isascii() and invoice_number.isalnum()):  # most numbers: letters and digits only
            invoice_number, warnings = _odd_number(invoice_number, warnings)
        raw_name = fields[i_name]
        name = self._names.get(raw_name)
        if name is None:
            display = display_name(raw_name)
            if not (display.isascii() and display.isprintable()) and _invisible(display):
                raise RowError("CustomerName holds only invisible characters (zero-width or no-break spaces, BOM …)")
            if not display:
                raise RowError("CustomerName is empty")
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
        if customer_number is not None and customer_number[0] == "=":
            customer_number, warnings = _unguard(customer_number, "customer number", warnings)
        parent_number = fields[i_parent].strip() or None
        if parent_number is not None and parent_number[0] == "=":
            parent_number, warnings = _unguard(parent_number, "parent customer", warnings)

        raw = fields[i_contact]
        contact = self._contacts.get(raw, _UNSEEN)
        if contact is _UNSEEN:
            contact = display_name(raw) or None
            self._remember(self._contacts, raw, contact)
        # tuple.__new__ skips the named tuple's Python-level constructor (a third of a row's time).
        return (
            _new_record(
                InvoiceRecord,
                (
                    invoice_number,
                    invoice_date,
                    due_date,
                    derived,
                    fields[i_po].strip() or None,
                    bill_total,
                    applied,
                    outstanding,
                    currency,
                    status,
                    terms,
                    terms_days,
                    contact,
                    fields[i_phone].strip() or None,
                    fields[i_email].strip() or None,
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
            self._remember(self._dates, raw, iso)
        return iso

    def _plus_days(self, iso: str, days: int) -> str:
        key = (iso, days)
        due = self._plus.get(key)
        if due is None:
            try:
                due = (date.fromisoformat(iso) + timedelta(days=days)).isoformat()
            except OverflowError:
                raise RowError(f"DueDate derived from {days} days of terms is past the year 9999") from None
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
    """An invoice number that is not plain letters and digits: empty, Excel-guarded, or invisible."""
    if text[:1] == "=":
        unwrapped, warnings = _unguard(text, "InvoiceNumber", warnings)
        text = unwrapped or ""
    if not text:
        raise RowError("InvoiceNumber is empty (a total or summary row?)")
    if not (text.isascii() and text.isprintable()) and _invisible(text):
        raise RowError("InvoiceNumber holds only invisible characters (zero-width or no-break spaces, BOM …)")
    return text, warnings


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

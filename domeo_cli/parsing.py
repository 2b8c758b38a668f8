"""From CSV fields to validated invoice records: pure functions, no database.

``HeaderMap.from_header`` recognises the columns of an export whatever their
spelling; ``RowParser.parse`` turns one record's fields into an
``InvoiceRecord`` or a rejection reason, with the warnings the row earned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .dates import DateError, parse_date, parse_terms
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
                raise InvalidInput(
                    f"The header has two columns for {FIELDS[field][0]}: {first!r} and {column!r}."
                )
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


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """One valid invoice, in the form it is stored (money in cents, dates ISO)."""

    invoice_number: str
    customer_name: str
    customer_key: str
    invoice_date: str
    due_date: str
    due_date_derived: bool
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
    customer_number: str | None
    parent_number: str | None


class RowError(ValueError):
    """A record that breaks a rule; the message is the rejection reason."""


class RowParser:
    """Validates the records of one file against the contract's rules."""

    def __init__(self, header: HeaderMap) -> None:
        self.header = header
        self.width = len(header.columns)
        get = header.index.get
        self._i = {field: get(field) for field in FIELDS}

    def invoice_number_of(self, fields: list[str]) -> str | None:
        """The invoice number of a record, if it has one, for rejection reports."""
        position = self._i["invoice_number"]
        if position is None or position >= len(fields):
            return None
        return fields[position].strip() or None

    def parse(self, fields: list[str]) -> tuple[InvoiceRecord, list[str]]:
        """Validate one record; return it with its warnings, or raise RowError."""
        if len(fields) != self.width:
            extra = len(fields) - self.width
            raise RowError(
                f"has {len(fields)} fields but the header has {self.width} "
                f"({'one' if abs(extra) == 1 else abs(extra)} too {'many' if extra > 0 else 'few'})"
            )
        i = self._i
        warnings: list[str] = []

        def text(field: str) -> str:
            position = i[field]
            return "" if position is None else fields[position].strip()

        invoice_number = text("invoice_number")
        if not invoice_number:
            raise RowError("InvoiceNumber is empty (a total or summary row?)")
        customer = display_name(fields[i["customer_name"]])
        if not customer:
            raise RowError("CustomerName is empty")

        try:
            invoice_day = parse_date(fields[i["invoice_date"]])
        except DateError as err:
            raise RowError(f"InvoiceDate {err}") from None

        bill_total = _money(fields[i["bill_total"]], "BillTotal")
        applied_text = fields[i["applied"]]
        if applied_text.strip():
            applied = _money(applied_text, "Applied")
        else:
            applied = 0
            warnings.append("Applied is empty: taken as 0.00")
        outstanding = bill_total - applied
        if outstanding < 0:
            warnings.append(
                f"overpaid: Applied {format_cents(applied)} is more than BillTotal "
                f"{format_cents(bill_total)}; outstanding taken as 0.00"
            )
            outstanding = 0

        currency = text("currency").upper()
        if not _CURRENCY.fullmatch(currency):
            raise RowError(
                "Currency is empty"
                if not currency
                else f"Currency {currency[:20]!r} is not a three-letter ISO 4217 code"
            )

        terms = text("terms")
        terms_days = parse_terms(terms) if terms else None
        due_text = text("due_date")
        if due_text:
            try:
                due_day = parse_date(due_text)
            except DateError as err:
                raise RowError(f"DueDate {err}") from None
            derived = False
        elif terms_days is not None:
            due_day = _plus_days(invoice_day, terms_days)
            derived = True
        elif terms:
            raise RowError(f"DueDate is empty and CustomerTerms {terms[:40]!r} give no number of days")
        else:
            raise RowError("DueDate is empty and there are no CustomerTerms to derive it from")
        if due_day < invoice_day:
            warnings.append(
                f"due before issue: DueDate {due_day.isoformat()} is before InvoiceDate "
                f"{invoice_day.isoformat()}"
            )

        status_text = text("status")
        status_key = status_text.lower()
        if status_key == "pending":
            status = "Pending"
        elif status_key == "closed":
            status = "Closed"
        elif not status_text:
            status = "Pending" if outstanding > 0 else "Closed"
            warnings.append(f"Status is empty: taken as {status} from the balance")
        else:
            raise RowError(f"Status {status_text[:40]!r} is neither Closed nor Pending")

        return (
            InvoiceRecord(
                invoice_number=invoice_number,
                customer_name=customer,
                customer_key=name_key(customer),
                invoice_date=invoice_day.isoformat(),
                due_date=due_day.isoformat(),
                due_date_derived=derived,
                po_number=text("po_number") or None,
                bill_total=bill_total,
                applied=applied,
                outstanding=outstanding,
                currency=currency,
                status=status,
                terms=display_name(terms) or None,
                terms_days=terms_days,
                contact_name=display_name(text("contact_name")) or None,
                contact_phone=text("contact_phone") or None,
                contact_email=text("contact_email") or None,
                customer_number=text("customer_number") or None,
                parent_number=text("parent_number") or None,
            ),
            warnings,
        )


def _money(text: str, column: str) -> int:
    try:
        return parse_cents(text)
    except MoneyError as err:
        raise RowError(f"{column} {err}") from None


def _plus_days(day: date, days: int) -> date:
    from datetime import timedelta

    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise RowError(f"DueDate derived from {days} days of terms is past the year 9999") from None

"""Invoice rows domeo never writes: how ``check`` lists them, and how reports and ``init`` refuse them.

domeo writes an invoice only with whole, non-negative cents, an outstanding
of ``max(bill_total - applied, 0)``, real ISO dates, a status of Closed or
Pending, a three-letter currency and a customer that exists; the schema's
CHECK constraints and foreign keys hold every load to it. A row changed by
another program with those turned off (``PRAGMA ignore_check_constraints``,
``foreign_keys = OFF``, a rewritten schema) may hold anything. Each kind of
damage is one SQL condition here, so ``check`` lists, ``init`` notices and the
reports refuse exactly the same rows. Nothing here writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from ....errors import DatabaseError


class DamagedDatabase(DatabaseError):
    """A report read a row domeo never writes (exit 1; over HTTP 503): ``domeo check`` lists them."""

    code = "damaged_database"


def whole_cents(column: str) -> str:
    """SQL: ``column`` holds a whole, non-negative number of cents (an INTEGER, not 12.5 or text)."""
    return f"(typeof({column}) = 'integer' AND {column} >= 0)"


def real_date(column: str) -> str:
    """SQL: ``column`` is a real date as ``YYYY-MM-DD`` (not ``2025-02-30``), from year 1 on.

    SQLite's ``date()`` alone gives back ``2025-02-30`` as it is; a modifier
    makes it work the date out (``2025-03-02``), so only a real date survives
    unchanged. Year 0, which SQLite takes, is no date Python knows.
    """
    return f"(date({column}, '+0 days') IS {column} AND {column} >= '0001-01-01')"


_AMOUNTS = ("i.bill_total_cents", "i.applied_cents", "i.outstanding_cents")
#: The invoice's text fields besides its number, as ``COLUMNS`` and the sentences name them.
_TEXTS = ("po_number", "terms", "contact_name", "contact_phone", "contact_email")

#: ``(kind, title, SQL)``: the SQL is true when the invoice row ``i`` is damaged so; ``c`` is its customer,
#: LEFT JOINed (``c.id IS NULL``: none). The order is the order ``check`` lists them in.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("invoice_without_customer", "Invoices of no customer", "c.id IS NULL"),
    (
        "amount_not_whole_cents",
        "Amounts that are not whole cents",
        " OR ".join(f"typeof({a}) != 'integer'" for a in _AMOUNTS),
    ),
    ("negative_amount", "Amounts below zero", " OR ".join(f"{a} < 0" for a in _AMOUNTS)),
    (
        "outstanding_mismatch",
        "Outstanding that is not bill total minus applied",
        # Between whole cents only: an amount of 12.5 is that kind of damage, not this one.
        "i.outstanding_cents IS NOT max(i.bill_total_cents - i.applied_cents, 0) AND "
        + " AND ".join(f"typeof({a}) = 'integer'" for a in _AMOUNTS),
    ),
    (
        "impossible_date",
        "Dates that are not real dates",
        f"NOT ({real_date('i.invoice_date')}) OR NOT ({real_date('i.due_date')})",
    ),
    (
        "unknown_status_or_currency",
        "Statuses or currencies domeo never writes",
        "i.status NOT IN ('Closed', 'Pending') OR i.currency NOT GLOB '[A-Z][A-Z][A-Z]'",
    ),
    (
        "invalid_text",
        "Invoice numbers and text fields domeo never writes",
        "typeof(i.invoice_number) != 'text' OR i.invoice_number = '' OR "
        + " OR ".join(f"typeof(i.{name}) = 'blob'" for name in _TEXTS),
    ),
)


def sound(customer: str = "c.id IS NOT NULL") -> str:
    """SQL: the invoice row ``i`` is one domeo writes (none of ``KINDS``).

    ``customer`` is the test that its customer exists; a query that reached the
    invoice through its customer passes ``"1"``.
    """
    others = " OR ".join(f"({sql})" for kind, _, sql in KINDS if kind != "invoice_without_customer")
    return f"(({customer}) AND NOT ({others}))"


# -- the sentences -----------------------------------------------------------------------------------

#: The columns of ``rows``, in order.
COLUMNS = (
    "invoice_number",
    "customer_name",
    "customer_id",
    "invoice_date",
    "due_date",
    "bill_total",
    "applied",
    "outstanding",
    "currency",
    "status",
    *_TEXTS,
)
_FIELDS = {"bill_total": "bill total", "applied": "applied", "outstanding": "outstanding"}


def text(value: Any) -> str:
    """A stored value as text, whatever another program put there (a BLOB, a number in a text column)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "NULL" if value is None else str(value)


def shown(value: Any) -> str:
    """A stored value as a person should read it in a finding: ``12.5``, ``'2025-02-30'``, ``x'00ff'``."""
    if isinstance(value, bytes):
        return f"x'{value.hex()}'"
    if isinstance(value, str):
        return repr(value)
    return "NULL" if value is None else repr(value)


def _money(cents: Any) -> str:
    from ....money import format_cents

    return format_cents(cents) if type(cents) is int else shown(cents)


def describe(kind: str, row: dict[str, Any]) -> str:
    """The sentence of one damage ``kind`` of the invoice ``row`` (keyed by ``COLUMNS``)."""
    number = text(row["invoice_number"])
    if kind == "invoice_without_customer":
        return f"{number} belongs to customer id {shown(row['customer_id'])}, which is no customer."
    who = f"{number} of {text(row['customer_name'])}" if row["customer_name"] is not None else number
    currency = text(row["currency"])
    amounts = [(name, row[name]) for name in _FIELDS]
    if kind == "amount_not_whole_cents":
        bad = [f"{_FIELDS[name]} holds {shown(v)}" for name, v in amounts if type(v) is not int]
        what = "a whole number of cents" if len(bad) == 1 else "whole numbers of cents"
        return f"{who}: {' and '.join(bad)}, not {what}."
    if kind == "negative_amount":
        bad = [f"{_FIELDS[name]} is {_money(v)}" for name, v in amounts if isinstance(v, int | float) and v < 0]
        return f"{who}: {' and '.join(bad)} {currency}, below zero."
    if kind == "outstanding_mismatch":  # whole cents, all three (see KINDS)
        total, applied, outstanding = (row[name] for name in _FIELDS)
        return (
            f"{who}: outstanding is {_money(outstanding)} {currency}, but bill total {_money(total)} "
            f"less applied {_money(applied)} leaves {_money(max(total - applied, 0))}."
        )
    if kind == "impossible_date":
        bad = [
            f"{label} {shown(row[name])}"
            for name, label in (("invoice_date", "invoice date"), ("due_date", "due date"))
            if to_date(row[name]) is None
        ]
        return f"{who}: {' and '.join(bad)} {'is' if len(bad) == 1 else 'are'} not a real date."
    if kind == "unknown_status_or_currency":
        bad = []
        if row["status"] not in ("Closed", "Pending"):
            bad.append(f"status {shown(row['status'])} is neither Closed nor Pending")
        if not (isinstance(row["currency"], str) and len(currency) == 3 and currency.isascii() and currency.isupper()):
            bad.append(f"currency {shown(row['currency'])} is not a three-letter code")
        return f"{who}: {' and '.join(bad)}."
    if kind == "invalid_text":
        bad = []
        if not isinstance(row["invoice_number"], str):
            bad.append(f"the invoice number holds {shown(row['invoice_number'])}, not text")
        elif not row["invoice_number"]:
            bad.append("the invoice number is empty")
        bad += [f"{name.replace('_', ' ')} holds {shown(row[name])}, not text" for name in _TEXTS
                if isinstance(row[name], bytes)]  # fmt: skip
        return f"{who}: {' and '.join(bad)}."
    raise ValueError(f"no such kind of damage: {kind}")


# -- finding them ------------------------------------------------------------------------------------

#: The SQL of ``COLUMNS``, from the invoice ``i`` and its customer ``c``.
ROW_SQL = (
    "i.invoice_number, c.name, i.customer_id, i.invoice_date, i.due_date, i.bill_total_cents, i.applied_cents, "
    "i.outstanding_cents, i.currency, i.status" + "".join(f", i.{name}" for name in _TEXTS)
)
_SELECT = (
    f"SELECT {ROW_SQL}, "
    + ", ".join(f"({sql})" for _, _, sql in KINDS)
    + " FROM invoices AS i LEFT JOIN customers AS c ON c.id = i.customer_id"
)


def rows(db: sqlite3.Connection, where: str = "1", params: tuple = ()) -> list[tuple[dict[str, Any], list[str]]]:
    """Every damaged invoice row ``where`` selects, by invoice number: ``(row, kinds it is damaged in)``."""
    any_kind = " OR ".join(f"({sql})" for _, _, sql in KINDS)
    found = []
    for values in db.execute(f"{_SELECT} WHERE ({where}) AND ({any_kind}) ORDER BY i.invoice_number", params):
        row = dict(zip(COLUMNS, values, strict=False))
        kinds = [kind for (kind, _, _), hit in zip(KINDS, values[len(COLUMNS) :], strict=True) if hit]
        found.append((row, kinds))
    return found


#: SQL of the customer ids invoices name that are no customer: one pass along the index by customer.
MISSING_CUSTOMERS = (
    "SELECT customer_id FROM (SELECT DISTINCT customer_id FROM invoices) WHERE customer_id NOT IN "
    "(SELECT id FROM customers)"
)


def missing_customers(db: sqlite3.Connection) -> list[Any]:
    """The customer ids invoices name that are no customer (whatever another program stored there)."""
    return [cid for (cid,) in db.execute(MISSING_CUSTOMERS)]


def first(db: sqlite3.Connection) -> str | None:
    """The sentence of the first damaged invoice in the book, or None: a quick look, for ``init``.

    Two passes, no join per row: the customers the invoices name (along the
    index by customer), then every invoice row's own values.
    """
    missing = missing_customers(db)
    if missing:
        orphan = db.execute("SELECT min(invoice_number) FROM invoices WHERE customer_id = ?", (missing[0],))
        return _sentence(db, "i.invoice_number = ?", (orphan.fetchone()[0],))
    own = " OR ".join(f"({sql})" for kind, _, sql in KINDS if kind != "invoice_without_customer")
    number = db.execute(f"SELECT i.invoice_number FROM invoices AS i WHERE {own} LIMIT 1").fetchone()
    return None if number is None else _sentence(db, "i.invoice_number = ?", (number[0],))


def _sentence(db: sqlite3.Connection, where: str, params: tuple) -> str | None:
    found = rows(db, where, params)
    if not found:
        return None
    row, kinds = found[0]
    return describe(kinds[0], row).rstrip(".")


def refuse(db: sqlite3.Connection, number: Any = None) -> DamagedDatabase:
    """The error a report raises on meeting a damaged row: invoice ``number``'s, else the book's first.

    Only on that path is the book searched, so a sound database costs nothing more.
    """
    path = getattr(db, "path", "the database")  # set on the connections domeo opens (``db.open_existing``)
    what = _sentence(db, "i.invoice_number = ?", (number,)) if number is not None else None
    if what is None:
        what = first(db)
    return DamagedDatabase(message(path, what))


def message(path: str, what: str | None, done: str = "") -> str:
    """The sentence for a database holding damaged rows (``what``: one of them, described), then ``done``."""
    such = f" ({what})" if what else ""
    return f"{path} holds invoice rows domeo never writes{such}{done}; run domeo --db {path} check to list them."


def sums_whole(*values: Any) -> bool:
    """True when every sum a report read is a whole number of cents (a REAL cent anywhere makes it a float)."""
    return all(type(v) is int or v is None for v in values)


def currencies_sound(*codes: Any) -> bool:
    """True when every currency a report groups by is one domeo writes: Python's reading of ``KINDS``' GLOB."""
    return all(isinstance(c, str) and len(c) == 3 and c.isascii() and c.isalpha() and c.isupper() for c in codes)


def to_date(value: Any) -> Any:
    """``value`` as a ``datetime.date`` when it is a real ``YYYY-MM-DD`` date (``real_date``), else None."""
    from datetime import date

    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if day.isoformat() == value else None

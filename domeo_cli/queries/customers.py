"""Customers at a glance, one invoice in full, and billing month by month.

- ``customers``: every customer (a page of them) with its number, parent,
  invoice count, open AR and past-due amount per currency, oldest days past
  due, last invoice date and main contact.
- ``invoice``: one invoice, every stored field, and the load that last
  changed it.
- ``summary_range``: the contract's monthly summary for each month of a range.

Amounts stay integer cents; open amounts come from the partial covering index
``invoices_open_by_customer``, counts and last dates of a page's customers
from ``invoices_by_customer_month`` and monthly sums from ``billing_by_month``
(kept by triggers).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from ..errors import InvalidInput, NotFound
from ..names import name_key
from .common import Customer, check_currency, check_page, find_customer
from .past_due import CurrencySum

CUSTOMER_SORTS = ("name", "open", "past_due", "oldest")
MAX_MONTHS = 1200


# -- customers -----------------------------------------------------------------------


class Balance(NamedTuple):
    """A customer's open money in one currency."""

    currency: str
    open_ar: int
    """Outstanding of Pending invoices with outstanding > 0 (the contract's open AR)."""
    past_due: int
    """Outstanding of invoices with outstanding > 0 due before the as-of date."""
    oldest_due_date: str | None


class MainContact(NamedTuple):
    """The most recently seen contact of a customer."""

    name: str | None
    email: str | None
    phone: str | None
    last_seen_invoice_date: str


class CustomerLine(NamedTuple):
    """One customer of the customers report."""

    id: int
    name: str
    customer_number: str | None
    parent_number: str | None
    parent_name: str | None
    invoices: int
    last_invoice_date: str | None
    balances: list[Balance]
    oldest_days_past_due: int | None
    contact: MainContact | None


class CustomerPage(NamedTuple):
    """A page of customers and how many match in all."""

    as_of: date
    sort: str
    search: str | None
    customers: list[CustomerLine]
    total: int
    limit: int
    offset: int


def check_customer_sort(sort: str) -> None:
    """Raise InvalidInput unless ``sort`` is one of CUSTOMER_SORTS."""
    if sort not in CUSTOMER_SORTS:
        raise InvalidInput(f"--sort takes {', '.join(CUSTOMER_SORTS)}; not {sort!r}.")


_OPEN = """
    SELECT customer_id, currency,
           sum((status = 'Pending') * outstanding_cents) AS open_cents,
           sum((due_date < ?) * outstanding_cents) AS past_cents,
           min(iif(due_date < ?, due_date, NULL)) AS oldest
    FROM invoices INDEXED BY invoices_open_by_customer
    WHERE outstanding_cents > 0 AND customer_id IN ({marks})
    GROUP BY customer_id, currency"""

# What each sort ranks by, per customer, from the open invoices that count for it
# (a WHERE on the index scan, no per-row arithmetic), and in which order; ties
# always by name, then id, so pages never overlap. Amounts: the largest of the
# customer's per-currency sums (amounts are compared, never added, across currencies).
_IDX = "FROM invoices INDEXED BY invoices_open_by_customer WHERE outstanding_cents > 0"
_RANK = {
    "open": (
        f"SELECT customer_id, max(v) AS key FROM (SELECT customer_id, currency, sum(outstanding_cents) AS v "
        f"{_IDX} AND status = 'Pending' GROUP BY customer_id, currency) GROUP BY customer_id",
        "coalesce(k.key, 0) DESC",
    ),
    "past_due": (
        f"SELECT customer_id, max(v) AS key FROM (SELECT customer_id, currency, sum(outstanding_cents) AS v "
        f"{_IDX} AND due_date < :as_of GROUP BY customer_id, currency) GROUP BY customer_id",
        "coalesce(k.key, 0) DESC",
    ),
    "oldest": (
        f"SELECT customer_id, min(due_date) AS key {_IDX} AND due_date < :as_of GROUP BY customer_id",
        "k.key IS NULL, k.key",
    ),
}


def customers(
    db: sqlite3.Connection,
    as_of: date,
    *,
    search: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
) -> CustomerPage:
    """A page of customers in ``sort`` order, optionally those whose name contains ``search``.

    Amount sorts put the largest first, comparing each customer's largest
    single-currency amount (amounts are compared, never added, across
    currencies); ``oldest`` puts the longest past due first.
    """
    check_page(limit, offset)
    check_customer_sort(sort)
    needle = name_key(search) if search is not None else None
    where, params = "", {"as_of": as_of.isoformat(), "limit": limit, "offset": offset}
    if needle:
        where = "WHERE instr(c.name_key, :needle) > 0"
        params["needle"] = needle
    total = db.execute(f"SELECT count(*) FROM customers AS c {where}", params).fetchone()[0]
    if sort in _RANK:
        ranking, order = _RANK[sort]
        sql = f"""WITH k AS ({ranking})
                  SELECT c.id FROM customers AS c LEFT JOIN k ON k.customer_id = c.id {where}
                  ORDER BY {order}, c.name_key, c.id LIMIT :limit OFFSET :offset"""
    else:
        sql = f"SELECT c.id FROM customers AS c {where} ORDER BY c.name_key, c.id LIMIT :limit OFFSET :offset"
    ids = [cid for (cid,) in db.execute(sql, params)]
    lines = _lines(db, ids, as_of)
    return CustomerPage(as_of, sort, search, lines, total, limit, offset)


def _lines(db: sqlite3.Connection, ids: list[int], as_of: date) -> list[CustomerLine]:
    """The report's line for each customer in ``ids``, in that order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    base = {
        row[0]: row
        for row in db.execute(
            f"""SELECT c.id, c.name, c.customer_number, c.parent_number,
                       (SELECT p.name FROM customers AS p WHERE p.customer_number = c.parent_number
                        ORDER BY p.id LIMIT 1),
                       (SELECT count(*) FROM invoices AS i WHERE i.customer_id = c.id),
                       (SELECT max(invoice_date) FROM invoices AS i WHERE i.customer_id = c.id)
                FROM customers AS c WHERE c.id IN ({marks})""",
            ids,
        )
    }
    balances: dict[int, list[Balance]] = {}
    for cid, currency, open_cents, past_cents, oldest in db.execute(
        _OPEN.format(marks=marks),
        [as_of.isoformat(), as_of.isoformat(), *ids],
    ):
        if open_cents or past_cents:
            balances.setdefault(cid, []).append(Balance(currency, open_cents, past_cents, oldest))
    ordinal = as_of.toordinal()
    lines = []
    for cid in ids:
        _, name, number, parent, parent_name, count, last = base[cid]
        mine = sorted(balances.get(cid, []), key=lambda b: b.currency)
        dues = [b.oldest_due_date for b in mine if b.oldest_due_date is not None]
        oldest = ordinal - date.fromisoformat(min(dues)).toordinal() if dues else None
        contact = db.execute(
            "SELECT name, email, phone, last_seen FROM contacts WHERE customer_id = ? "
            "ORDER BY last_seen DESC, name, email, phone LIMIT 1",
            (cid,),
        ).fetchone()
        main = MainContact(contact[0] or None, contact[1] or None, contact[2] or None, contact[3]) if contact else None
        lines.append(CustomerLine(cid, name, number, parent, parent_name, count, last, mine, oldest, main))
    return lines


# -- one invoice ---------------------------------------------------------------------


class IngestRun(NamedTuple):
    """The load that last inserted or changed an invoice."""

    id: int
    file_name: str
    started_at: str
    finished_at: str | None
    sha256: str | None


class InvoiceDetail(NamedTuple):
    """One invoice, every stored field, and its state as of a date."""

    invoice_number: str
    customer_name: str
    customer_number: str | None
    parent_number: str | None
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
    as_of: date
    run: IngestRun | None

    @property
    def past_due(self) -> bool:
        """The contract's rule: outstanding > 0 and due before the as-of date."""
        return self.outstanding > 0 and self.due_date < self.as_of.isoformat()

    @property
    def days_past_due(self) -> int:
        """Days past due as of the as-of date; 0 when not past due."""
        if not self.past_due:
            return 0
        return self.as_of.toordinal() - date.fromisoformat(self.due_date).toordinal()


_INVOICE = """
    SELECT i.invoice_number, c.name, c.customer_number, c.parent_number, i.invoice_date, i.due_date,
           i.due_date_derived, i.po_number, i.bill_total_cents, i.applied_cents, i.outstanding_cents,
           i.currency, i.status, i.terms, i.terms_days, i.contact_name, i.contact_phone, i.contact_email,
           r.id, r.file_name, r.started_at, r.finished_at, r.sha256
    FROM invoices AS i JOIN customers AS c ON c.id = i.customer_id
    LEFT JOIN ingest_runs AS r ON r.id = i.run_id
    WHERE i.invoice_number = ?"""


def invoice(db: sqlite3.Connection, number: str, as_of: date) -> InvoiceDetail:
    """The invoice numbered ``number`` (trimmed; any case if no exact match), or NotFound."""
    wanted = number.strip()
    row = None
    for candidate in dict.fromkeys((wanted, wanted.upper())):
        if candidate:
            row = db.execute(_INVOICE, (candidate,)).fetchone()
            if row is not None:
                break
    if row is None:
        suggestions = close_invoice_numbers(db, wanted)
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        raise NotFound(f"No invoice is numbered {number!r}.{hint}", suggestions)
    *fields, run_id, file_name, started, finished, sha = row
    fields[6] = bool(fields[6])
    run = IngestRun(run_id, file_name, started, finished, sha) if run_id is not None else None
    return InvoiceDetail(*fields, as_of=as_of, run=run)


def close_invoice_numbers(db: sqlite3.Connection, number: str, limit: int = 3) -> list[str]:
    """Stored invoice numbers most like ``number``, from its neighbours in the index.

    Looks around the number and around ever shorter prefixes of it (each an
    index seek), then ranks those few candidates by similarity.
    """
    import difflib

    wanted = number.strip()
    if not wanted:
        return []
    candidates: set[str] = set()
    probes = dict.fromkeys(
        [wanted, wanted.upper()] + [wanted.upper()[:n] for n in range(len(wanted) - 1, max(1, len(wanted) // 2), -1)]
    )
    for probe in probes:
        candidates.update(
            n
            for (n,) in db.execute(
                "SELECT invoice_number FROM invoices WHERE invoice_number >= ? ORDER BY invoice_number LIMIT 5",
                (probe,),
            )
        )
        candidates.update(
            n
            for (n,) in db.execute(
                "SELECT invoice_number FROM invoices WHERE invoice_number < ? ORDER BY invoice_number DESC LIMIT 3",
                (probe,),
            )
        )
    upper = {c.upper(): c for c in sorted(candidates)}
    found = difflib.get_close_matches(wanted.upper(), list(upper), n=limit, cutoff=0.6)
    return [upper[f] for f in found]


# -- summary over a range of months ----------------------------------------------------


class MonthCurrency(NamedTuple):
    """What was billed in one month in one currency."""

    month: str
    currency: str
    sum_bill_total: int
    count_invoices: int


class MonthSeries(NamedTuple):
    """Billing month by month: every month of the range for every currency reported."""

    first: str
    last: str
    currencies: list[str]
    months: list[MonthCurrency]
    by_currency: list[CurrencySum]
    customer: Customer | None


def month_range(start: date, end: date) -> list[str]:
    """``YYYY-MM`` of every month from ``start``'s through ``end``'s, in order."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def check_month_range(first: date, last: date) -> None:
    """Raise InvalidInput unless ``first`` <= ``last`` and the range is not absurdly long."""
    if first > last:
        raise InvalidInput(f"--from {first:%Y-%m} is after --to {last:%Y-%m}; give the earlier month first.")
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months > MAX_MONTHS:
        raise InvalidInput(f"--from/--to span {months} months; at most {MAX_MONTHS} are reported at once.")


def summary_range(
    db: sqlite3.Connection,
    first: date,
    last: date,
    *,
    customer: str | None = None,
    currency: str | None = None,
) -> MonthSeries:
    """Billing of each month from ``first``'s month through ``last``'s, per currency.

    Every month appears for every currency reported (zeros included), so a
    series has no gaps: ``currency`` if given, else every currency billed in
    the range, else USD.
    """
    check_month_range(first, last)
    code = check_currency(currency) if currency is not None else None
    found = find_customer(db, customer) if customer is not None else None
    months = month_range(first, last)
    if found is None:
        sql = (
            "SELECT month, currency, bill_total_cents, invoices FROM billing_by_month "
            "WHERE month >= ? AND month <= ? AND invoices > 0"
        )
        params: list[object] = [months[0], months[-1]]
    else:
        sql = (
            "SELECT substr(invoice_date, 1, 7), currency, sum(bill_total_cents), count(*) "
            "FROM invoices INDEXED BY invoices_by_customer_month "
            "WHERE customer_id = ? AND invoice_date >= ? AND invoice_date < ?"
        )
        end_year, end_month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
        params = [found.id, f"{months[0]}-01", f"{end_year:04d}-{end_month:02d}-01"]
    if code is not None:
        sql += " AND currency = ?"
        params.append(code)
    if found is not None:
        sql += " GROUP BY 1, 2"
    cells = {(m, cur): (cents, count) for m, cur, cents, count in db.execute(sql, params)}
    currencies = sorted({cur for _, cur in cells}) if code is None else [code]
    if not currencies:
        currencies = ["USD"]
    series = [MonthCurrency(m, cur, *cells.get((m, cur), (0, 0))) for m in months for cur in currencies]
    by_currency = [
        CurrencySum(
            cur,
            sum(s.sum_bill_total for s in series if s.currency == cur),
            sum(s.count_invoices for s in series if s.currency == cur),
        )
        for cur in currencies
    ]
    return MonthSeries(months[0], months[-1], currencies, series, by_currency, found)

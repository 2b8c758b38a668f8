"""What every report query shares: paging checks, currencies, finding a customer."""

from __future__ import annotations

import sqlite3
from datetime import date

from ....errors import NotFound
from ....names import closest_names, name_key
from ....results.common import Customer, MainContact


def issued_after(db: sqlite3.Connection, as_of: date) -> bool:
    """True when an open invoice is dated after ``as_of``: a report as of that day must leave it out.

    As of a day D an invoice issued after D did not exist yet. When none is
    later, a report reads its indexes without a date test, and the groups of
    ``open_groups`` are the day's. Asked of the index of open invoices by
    (currency, invoice date): two seeks per currency, always current,
    whatever the size of the book.
    """
    day = as_of.isoformat()
    currency = ""
    while True:
        found = db.execute(
            "SELECT currency FROM invoices INDEXED BY invoices_open_by_currency_date "
            "WHERE outstanding_cents > 0 AND currency > ? ORDER BY currency LIMIT 1",
            (currency,),
        ).fetchone()
        if found is None:
            return False
        currency = found[0]
        later = db.execute(
            "SELECT 1 FROM invoices INDEXED BY invoices_open_by_currency_date "
            "WHERE outstanding_cents > 0 AND currency = ? AND invoice_date > ? LIMIT 1",
            (currency, day),
        ).fetchone()
        if later is not None:
            return True


def issued_later(db: sqlite3.Connection, as_of: date, due_before: str) -> list[tuple[str, str, int, int]]:
    """``(currency, due date, invoices, cents)`` of open invoices issued after ``as_of``, due before ``due_before``.

    As of a day D an invoice issued after D did not exist; it is past due as
    of D only if it is due before it was issued. Those few are all such a
    report must take out of the kept sums per day (``open_days``): read from
    their own partial index, always current, grouped by currency and due date.
    """
    return db.execute(
        "SELECT currency, due_date, count(*), sum(outstanding_cents) "
        "FROM invoices INDEXED BY invoices_open_due_before_issued "
        "WHERE outstanding_cents > 0 AND due_date < invoice_date AND invoice_date > ? AND due_date < ? "
        "GROUP BY currency, due_date ORDER BY currency, due_date",
        (as_of.isoformat(), due_before),
    ).fetchall()


def kept_currencies(db: sqlite3.Connection) -> list[str]:
    """Every currency of ``open_days`` (of an open invoice when it is current): one seek each."""
    found: list[str] = []
    while True:
        row = db.execute(
            "SELECT currency FROM open_days WHERE age_by = 'due' AND currency > ? ORDER BY currency LIMIT 1",
            (found[-1] if found else "",),
        ).fetchone()
        if row is None:
            return found
        found.append(row[0])


def running(
    db: sqlite3.Connection, age_by: str, currency: str, before: str, *, inclusive: bool = False
) -> tuple[int, int]:
    """``(invoices, cents)`` of the open invoices of ``currency`` whose day is before ``before`` (or on it).

    The running sums of ``open_days`` (by due date or invoice date, ``age_by``): one seek, the last day
    before. Read only while the kept tables are current (``derived.open_groups_stale``).
    """
    row = db.execute(
        "SELECT running_invoices, running_cents FROM open_days "
        f"WHERE age_by = ? AND currency = ? AND day {'<=' if inclusive else '<'} ? ORDER BY day DESC LIMIT 1",
        (age_by, currency, before),
    ).fetchone()
    return (row[0], row[1]) if row else (0, 0)


def currency_note(db: sqlite3.Connection, code: str) -> str | None:
    """A note for the person who asked for ``code``: None when an invoice is in it, else which currencies
    the invoices are in (a valid code with nothing under it, a zero that is no answer)."""
    held = [c for (c,) in db.execute("SELECT DISTINCT currency FROM billing_by_month WHERE invoices > 0")]
    if code in held:
        return None
    where = f"the invoices are in {', '.join(sorted(held))}" if held else "there are no invoices at all"
    return f"no invoice is in {code}; {where}."


def find_customer(db: sqlite3.Connection, name: str) -> Customer:
    """The customer whose name matches ``name`` (case-insensitive, exact), or NotFound.

    A customer's number works too: when no name matches, a customer whose
    ``customer_number`` is ``name`` (trimmed) is the one meant.
    """
    row = db.execute(
        "SELECT id, name, customer_number, parent_number FROM customers WHERE name_key = ?",
        (name_key(name),),
    ).fetchone()
    if row is None and name.strip():
        row = db.execute(
            "SELECT id, name, customer_number, parent_number FROM customers WHERE customer_number = ? "
            "ORDER BY id LIMIT 1",
            (name.strip(),),
        ).fetchone()
    if row is not None:
        return Customer(*row)
    names = [n for (n,) in db.execute("SELECT name FROM customers ORDER BY name")]
    suggestions = closest_names(name, names)
    hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    raise NotFound(f"No customer is named {name!r}.{hint}", suggestions)


def family_ids(db: sqlite3.Connection, customer: Customer) -> list[int]:
    """``customer``'s id, then those of every account below it: each before its children, siblings by name.

    Read from ``customer_tree`` (made current for this connection if customers
    changed since the last load); a loop in the data cannot trap it.
    """
    from ..derived import ensure_tree

    db = ensure_tree(db)  # type: ignore[assignment]
    found: list[int] = []
    seen: set[int] = set()
    stack = [customer.id]
    while stack:
        cid = stack.pop()
        if cid in seen:
            continue
        seen.add(cid)
        found.append(cid)
        children = [
            child
            for (child,) in db.execute(
                "SELECT t.customer_id FROM customer_tree AS t JOIN customers AS c ON c.id = t.customer_id "
                "WHERE t.parent_id = ? ORDER BY c.name_key, c.id",
                (cid,),
            )
        ]
        stack.extend(reversed(children))
    return found


def main_contact(db: sqlite3.Connection, customer_id: int) -> MainContact | None:
    """The customer's most recently seen contact, or None if its rows named nobody."""
    row = db.execute(
        "SELECT name, email, phone, last_seen FROM contacts WHERE customer_id = ? "
        "ORDER BY last_seen DESC, name, email, phone LIMIT 1",
        (customer_id,),
    ).fetchone()
    return MainContact(row[0] or None, row[1] or None, row[2] or None, row[3]) if row else None

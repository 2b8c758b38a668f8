"""``domeo check``: what is wrong in the book, each finding with its invoices and customers.

Every check is one query over the whole book (or the customer hierarchy,
worked out by ``hierarchy``); a finding names the invoices and customers a
person must look at. Nothing is changed: the book is what the exports said.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from ....results.check import CheckReport, Finding
from .damage import KINDS, text

# (kind, one-line title) in the order findings are listed: rows domeo never writes first.
CHECKS = (
    *((kind, title) for kind, title, _ in KINDS),
    ("closed_with_balance", "Closed invoices with a balance"),
    ("due_before_invoice", "Due dates before invoice dates"),
    ("future_invoice", "Invoices dated in the future"),
    ("number_on_two_names", "One customer number on two names"),
    ("name_with_two_numbers", "Two customer numbers on one name"),
    ("parent_loop", "Parent loops"),
    ("missing_parent", "Missing parents"),
    ("overpaid", "Overpaid invoices"),
    ("duplicate_contact", "Duplicate contacts"),
)


def _money(cents: int) -> str:
    from ....money import format_cents

    return format_cents(cents)


def _rules() -> list[tuple[str, str]]:
    """``(kind, SQL)`` of every finding about one invoice: its damage, then the business checks.

    Each rule is stated once, in SQL, and decides alone (Python only words the
    finding). A business check reads only values sound for it (a bill of -5.00
    is a negative amount, not an overpayment), so no stored value, whatever
    another program put there, can make a finding wrong or the check fail.
    """
    from .damage import KINDS, real_date, whole_cents

    dates = f"{real_date('i.invoice_date')} AND {real_date('i.due_date')}"
    return [
        *((kind, sql) for kind, _, sql in KINDS),
        ("closed_with_balance", f"i.status = 'Closed' AND {whole_cents('i.outstanding_cents')} "
         "AND i.outstanding_cents > 0"),
        ("due_before_invoice", f"{dates} AND i.due_date < i.invoice_date"),
        # Dated after the as-of day: an invoice dated that very day is not in the future.
        ("future_invoice", f"{real_date('i.invoice_date')} AND i.invoice_date > :today"),
        ("overpaid", f"{whole_cents('i.bill_total_cents')} AND {whole_cents('i.applied_cents')} "
         "AND i.applied_cents > i.bill_total_cents"),
    ]  # fmt: skip


def _invoice_findings(db: sqlite3.Connection, today: str) -> list[Finding]:
    """The findings of single invoices, by invoice number: every rule of ``_rules`` that holds."""
    from . import damage

    rules = _rules()
    # Which rows to look at: a wider net than the rules, of the invoice's own columns only, so that
    # SQLite tests it before looking the customer up (the rules, in the columns, then decide).
    own = [sql for kind, _, sql in damage.KINDS if kind != "invoice_without_customer"]
    net = [
        *own,
        f"i.customer_id IN ({damage.MISSING_CUSTOMERS})",
        "i.status = 'Closed' AND i.outstanding_cents > 0",
        "i.due_date < i.invoice_date",
        "i.invoice_date > :today",
        "i.applied_cents > i.bill_total_cents",
    ]
    rows = db.execute(
        f"""SELECT {damage.ROW_SQL}, {", ".join(f"coalesce({sql}, 0)" for _, sql in rules)}
            FROM invoices AS i LEFT JOIN customers AS c ON c.id = i.customer_id
            WHERE {" OR ".join(f"({sql})" for sql in net)}
            ORDER BY i.invoice_number""",
        {"today": today},
    ).fetchall()
    out: list[Finding] = []
    width = len(damage.COLUMNS)
    for values in rows:
        row = dict(zip(damage.COLUMNS, values, strict=False))
        number = damage.text(row["invoice_number"])
        name = None if row["customer_name"] is None else damage.text(row["customer_name"])
        where = ([number], [name] if name is not None else [])
        who = f"{number} of {name}" if name is not None else number
        currency = damage.text(row["currency"])
        invoiced, due = row["invoice_date"], row["due_date"]
        total, applied, outstanding = row["bill_total"], row["applied"], row["outstanding"]
        for (kind, _), hit in zip(rules, values[width:], strict=True):
            if not hit:
                continue
            if kind == "closed_with_balance":
                message = f"{who} is Closed but {_money(outstanding)} {currency} is outstanding."
            elif kind == "due_before_invoice":
                message = f"{who} is due {due}, before its date {invoiced}."
            elif kind == "future_invoice":
                message = f"{who} is dated {invoiced}, after {today}."
            elif kind == "overpaid":
                message = (
                    f"{who}: {_money(applied)} applied to a bill of {_money(total)} {currency} "
                    f"({_money(applied - total)} too much)."
                )
            else:
                message = damage.describe(kind, row)
            out.append(Finding(kind, message, *where))
    return out


def _invoices_of(db: sqlite3.Connection, customer_ids: list[int], limit: int = 20) -> list[str]:
    """Some invoice numbers of these customers (the latest first), to look at."""
    marks = ", ".join("?" for _ in customer_ids)
    return [
        text(n)
        for (n,) in db.execute(
            f"SELECT invoice_number FROM invoices WHERE customer_id IN ({marks}) "
            "ORDER BY invoice_date DESC, invoice_number LIMIT ?",
            (*customer_ids, limit),
        )
    ]


def _number_findings(db: sqlite3.Connection) -> list[Finding]:
    names = {cid: text(name) for cid, name in db.execute("SELECT id, name FROM customers")}
    out: list[Finding] = []
    shared: dict[str, list[int]] = {}
    several: dict[int, list[str]] = {}
    for cid, stored in db.execute("SELECT customer_id, customer_number FROM customer_numbers ORDER BY 2, 1"):
        number = text(stored)
        if cid in names:
            shared.setdefault(number, []).append(cid)
            several.setdefault(cid, []).append(number)
    for number, ids in shared.items():
        if len(ids) > 1:
            who = [names[i] for i in ids]
            listed = ", ".join(who)
            out.append(
                Finding(
                    "number_on_two_names",
                    f"Customer number {number} is on {len(ids)} names: {listed}.",
                    _invoices_of(db, ids),
                    who,
                )
            )
    for cid, numbers in sorted(several.items(), key=lambda item: names[item[0]]):
        if len(numbers) > 1:
            out.append(
                Finding(
                    "name_with_two_numbers",
                    f"{names[cid]} has been given {len(numbers)} customer numbers: {', '.join(numbers)}.",
                    _invoices_of(db, [cid]),
                    [names[cid]],
                )
            )
    return out


def _hierarchy_findings(db: sqlite3.Connection) -> list[Finding]:
    from ..derived import hierarchy as load

    family = load(db)
    rows = {
        cid: (text(name), None if number is None else text(number))
        for cid, name, number in db.execute("SELECT id, name, customer_number FROM customers")
    }
    out: list[Finding] = []
    for loop in family.loops:
        who = [rows[c][0] for c in loop]
        chain = " → ".join(f"{rows[c][0]} ({rows[c][1]})" for c in [*loop, loop[0]])
        out.append(Finding("parent_loop", f"Parents go round in a loop: {chain}.", _invoices_of(db, loop), who))
    for cid, wanted in family.missing:
        name = rows[cid][0]
        out.append(
            Finding(
                "missing_parent",
                f"{name} names parent {wanted}, which is no customer's number.",
                _invoices_of(db, [cid]),
                [name],
            )
        )
    return out


def _contact_findings(db: sqlite3.Connection) -> list[Finding]:
    """Contacts of one customer that are one person: the same name, or the same email, written differently."""
    from ....names import name_key

    out: list[Finding] = []
    by_customer: dict[int, list[tuple[str, str, str]]] = {}
    names: dict[int, str] = {}
    for cid, customer, name, email, phone in db.execute(
        "SELECT c.id, c.name, k.name, k.email, k.phone FROM contacts AS k JOIN customers AS c ON c.id = k.customer_id "
        "ORDER BY c.name, k.name, k.email, k.phone"
    ):
        by_customer.setdefault(cid, []).append((text(name), text(email), text(phone)))
        names[cid] = text(customer)
    for cid, contacts in by_customer.items():
        groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for contact in contacts:
            name, email, _ = contact
            if name.strip():
                groups.setdefault(("name", name_key(name)), []).append(contact)
            if email.strip():
                groups.setdefault(("email", email.strip().casefold()), []).append(contact)
        seen: set[tuple] = set()
        for (what, _), members in groups.items():
            key = tuple(members)
            if len(members) < 2 or key in seen:
                continue
            seen.add(key)
            shown = "; ".join(" / ".join(part for part in m if part) for m in members)
            out.append(
                Finding(
                    "duplicate_contact",
                    f"{names[cid]} has {len(members)} contacts with the same {what}: {shown}.",
                    _contact_invoices(db, cid, members),
                    [names[cid]],
                )
            )
    return out


def _contact_invoices(db: sqlite3.Connection, cid: int, members: list[tuple[str, str, str]]) -> list[str]:
    """The latest invoice carrying each of these contacts."""
    found = []
    for name, email, phone in members:
        row = db.execute(
            "SELECT invoice_number FROM invoices WHERE customer_id = ? AND coalesce(contact_name, '') = ? "
            "AND coalesce(contact_email, '') = ? AND coalesce(contact_phone, '') = ? "
            "ORDER BY invoice_date DESC, invoice_number LIMIT 1",
            (cid, name, email, phone),
        ).fetchone()
        if row is not None and text(row[0]) not in found:
            found.append(text(row[0]))
    return found


def check(db: sqlite3.Connection, today: date) -> CheckReport:
    """Every finding in the book; invoices dated after ``today`` are in the future."""
    findings = (
        _invoice_findings(db, today.isoformat())
        + _number_findings(db)
        + _hierarchy_findings(db)
        + _contact_findings(db)
    )
    order = {kind: i for i, (kind, _) in enumerate(CHECKS)}
    findings.sort(key=lambda f: order[f.kind])  # stable: each kind keeps its own order
    return CheckReport(today, findings, CHECKS)

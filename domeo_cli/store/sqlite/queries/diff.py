"""``domeo diff``: what changed between two loads.

Only the invoices a load in between may have touched are read: the ones
added in between and the ones with a version replaced in between
(``invoice_versions.valid_to``). An invoice added in between has an id above
the highest the first load recorded and up to the second's
(``ingest_runs.last_invoice_id``), whoever wrote it: SQLite gives each new
row the next id after the highest, inside the write lock, and invoices are
never deleted. That range only bounds what is read; what an invoice was after
each load is told by what the loads wrote (``run_id`` and the versions), as
``--known-at`` tells it. Each is compared as it stood after the first load
and after the second. Customers
the same way: the ones a load in between wrote (``customers.run_id``) or
replaced (``customer_versions.valid_to``), and the contacts first seen in
between (``contacts.first_run``).
"""

from __future__ import annotations

import sqlite3

from ....results.diff import Change, CustomerChange, DiffReport, Invoice, Payment
from ..history import FIELDS, Load, customer_state

_F = ", ".join(FIELDS)


# The order a customer's changes are listed in.
CUSTOMER_FIELDS = ("customer_number", "parent_number", "name", "contact")


def _side(n: int) -> str:
    """The rows of the touched invoices as known after load ``n`` (``history.state``); ``touched`` is a CTE."""
    return (
        f"SELECT id, {_F} FROM main.invoices WHERE id IN (SELECT id FROM touched) "
        f"AND coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT invoice_id, {_F} FROM main.invoice_versions "
        f"WHERE invoice_id IN (SELECT id FROM touched) AND valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )


def diff(db: sqlite3.Connection, first: Load, second: Load) -> DiffReport:
    """Compare the invoices as known after ``first`` and after ``second`` (``first`` before ``second``)."""
    a, b = int(first.id), int(second.id)
    last_a, last_b = int(first.last_invoice_id or 0), int(second.last_invoice_id or 0)
    # The invoices a load in between may have touched: a CTE of each statement (a report creates nothing).
    touched = (
        f"WITH touched (id) AS (SELECT id FROM main.invoices WHERE id > {last_a} AND id <= {last_b} "
        f"UNION SELECT invoice_id FROM main.invoice_versions WHERE valid_to > {a} AND valid_to <= {b})"
    )
    names = "(SELECT name FROM main.customers WHERE id = s.customer_id)"
    rows: dict[int, list] = {}
    for side, n in ((0, a), (1, b)):
        for row in db.execute(
            f"""{touched} SELECT s.id, s.invoice_number, {names}, s.invoice_date, s.due_date, s.bill_total_cents,
                       s.applied_cents, s.outstanding_cents, s.currency, s.status
                FROM ({_side(n)}) AS s"""
        ):
            rows.setdefault(row[0], [None, None])[side] = Invoice(*row[1:])
    new: list[Invoice] = []
    payments: list[Payment] = []
    status_changes: list[Change] = []
    changes: list[Change] = []
    moved: list[Change] = []
    for before, after in sorted(rows.values(), key=lambda pair: (pair[1] or pair[0]).invoice_number):
        if after is None:
            continue
        if before is None:
            new.append(after)
            continue
        who = (after.invoice_number, after.customer_name, after.currency)
        if before.customer_name != after.customer_name:  # a name is a customer
            moved.append(Change(*who, "customer", before.customer_name, after.customer_name))
        if before.applied != after.applied:
            payments.append(Payment(*who, before.applied, after.applied))
        if before.status != after.status:
            status_changes.append(Change(*who, "status", before.status, after.status))
        for field in ("bill_total", "invoice_date", "due_date", "currency"):
            old, now = getattr(before, field), getattr(after, field)
            if old != now:
                changes.append(Change(*who, field, old, now))
    missing = [
        Invoice(*row)
        for row in db.execute(
            f"""SELECT s.invoice_number, {names}, s.invoice_date, s.due_date, s.bill_total_cents, s.applied_cents,
                       s.outstanding_cents, s.currency, s.status
                FROM main.load_missing AS m
                JOIN ({_state_of_missing(b - 1)}) AS s ON s.id = m.invoice_id
                WHERE m.run_id = {b}
                  AND m.invoice_id NOT IN (SELECT invoice_id FROM main.load_missing WHERE run_id = {a})
                ORDER BY s.invoice_number"""
        )
    ]
    if a == b:
        missing = []
    return DiffReport(
        first, second, new, payments, status_changes, changes, missing, moved, _customer_changes(db, a, b)
    )


def _customer_changes(db: sqlite3.Connection, a: int, b: int) -> list[CustomerChange]:
    """The numbers, parents and names of customers, and the contacts, that changed after load ``a`` up to ``b``."""
    touched = (
        f"WITH touched_customers (id) AS (SELECT id FROM main.customers WHERE run_id > {a} AND run_id <= {b} "
        f"UNION SELECT customer_id FROM main.customer_versions WHERE valid_to > {a} AND valid_to <= {b})"
    )
    sides: dict[int, list] = {}
    for side, n in ((0, a), (1, b)):
        for cid, *row in db.execute(
            f"""{touched} SELECT id, name, customer_number, parent_number FROM ({customer_state(n)})
                WHERE id IN (SELECT id FROM touched_customers)"""
        ):
            sides.setdefault(cid, [None, None])[side] = row
    out: list[CustomerChange] = []
    for before, after in sides.values():
        if before is None or after is None:
            continue  # new in between (its invoices are new), or not there yet: see the names below
        name, number, parent = after
        for field, old, now in (("customer_number", before[1], number), ("parent_number", before[2], parent)):
            if old != now:
                out.append(CustomerChange(name, number, field, old, now))
        if before[0] != name:
            out.append(CustomerChange(name, number, "name", before[0], name))
    # A customer new in between with a number another name held after load a: renamed, or a number given twice.
    out += [
        CustomerChange(name, number, "name", other, name)
        for name, number, other in db.execute(
            f"""{touched} SELECT nb.name, nb.customer_number, oa.name
                FROM ({customer_state(b)}) AS nb JOIN ({customer_state(a)}) AS oa
                     ON oa.customer_number = nb.customer_number AND oa.id <> nb.id
                WHERE nb.id IN (SELECT id FROM touched_customers)
                  AND nb.id NOT IN (SELECT id FROM ({customer_state(a)}))"""
        )
    ]
    # Contacts first seen in between, of the customers known after load a.
    out += [
        CustomerChange(name, number, "contact", None, ", ".join(part for part in contact if part))
        for name, number, *contact in db.execute(
            f"""SELECT cu.name, cu.customer_number, c.name, c.email, c.phone
                FROM main.contacts AS c JOIN ({customer_state(b)}) AS cu ON cu.id = c.customer_id
                WHERE c.first_run > {a} AND c.first_run <= {b}
                  AND c.customer_id IN (SELECT id FROM ({customer_state(a)}))"""
        )
    ]
    out.sort(key=lambda c: (c.customer_name, CUSTOMER_FIELDS.index(c.field), c.before or "", c.after or ""))
    return out


def _state_of_missing(n: int) -> str:
    """The invoices load ``n + 1`` reported missing, as they stood just before it (after load ``n``)."""
    gone = f"(SELECT invoice_id FROM main.load_missing WHERE run_id = {n + 1})"
    return (
        f"SELECT id, {_F} FROM main.invoices WHERE id IN {gone} AND coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT invoice_id, {_F} FROM main.invoice_versions WHERE invoice_id IN {gone} "
        f"AND valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )

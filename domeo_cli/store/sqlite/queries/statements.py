"""A customer's statement of account: its open invoices, how late each is, and its aging.

An invoice is on the statement when it is open (``outstanding > 0``) and was
issued by the as-of date. Its days past due are ``as_of - due_date`` (0 when
not yet due); the buckets are the aging report's (current, 1-30, 31-60,
61-90, 91+ by default). With ``with_children``, each account below the
customer gets its own part, and the totals cover them all. Amounts stay
integer cents and are summed per currency only.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from ....options import DEFAULT_EDGES, bucket_names
from ....results.statements import Statement, StatementAging, StatementInvoice, StatementPart
from . import damage
from .aging import AgingRow, add_rows, bucket_sql, customer_rows, cutoff_params
from .common import Customer, family_ids, find_customer, main_contact


def _aging(rows: list[AgingRow]) -> list[StatementAging]:
    return [StatementAging(r.currency, r.buckets, r.total, r.invoices) for r in rows]


def statement(
    db: sqlite3.Connection,
    name: str,
    as_of: date,
    *,
    with_children: bool = False,
    edges: tuple[int, ...] = DEFAULT_EDGES,
) -> Statement:
    """The statement of the customer ``name`` (or number) as of ``as_of``; NotFound if there is none.

    Each invoice's bucket and each account's balance by age are worked out by
    ``aging`` itself (``bucket_sql``, ``customer_rows``): one rule for both reports.
    """
    found = find_customer(db, name)
    names = bucket_names(edges)
    ids = family_ids(db, found) if with_children else [found.id]
    ordinal = as_of.toordinal()
    balances = customer_rows(db, as_of, ids, edges)
    params: dict[str, object] = {**cutoff_params(as_of, edges), "as_of": as_of.isoformat()}
    parts = []
    for cid in ids:
        customer = (
            found
            if cid == found.id
            else Customer(
                *db.execute(
                    "SELECT id, name, customer_number, parent_number FROM customers WHERE id = ?", (cid,)
                ).fetchone()
            )
        )
        invoices = []
        for *row, bucket, sound in db.execute(
            f"""SELECT invoice_number, invoice_date, due_date, po_number, bill_total_cents, applied_cents,
                       outstanding_cents, currency, {bucket_sql("due_date", len(edges))}, {damage.sound("1")}
                FROM invoices AS i WHERE customer_id = :customer AND outstanding_cents > 0 AND invoice_date <= :as_of
                ORDER BY due_date, invoice_number""",
            {**params, "customer": cid},
        ):
            if not sound:  # changed by another program: never sent to a customer
                raise damage.refuse(db, row[0])
            late = ordinal - date.fromisoformat(row[2]).toordinal()
            invoices.append(StatementInvoice(*row, max(late, 0), names[bucket]))
        mine = balances.get(cid, [])
        parts.append(StatementPart(customer, main_contact(db, cid), invoices, _aging(mine)))
    totals = add_rows([row for rows in balances.values() for row in rows])
    return Statement(as_of, found, parts[0].contact, names, parts, _aging(totals), with_children)

"""Derived tables: worked out from invoices and customers, kept by loads so reports read a few rows.

Each can always be computed again from the data it derives from; each has
one ``refresh(db)`` that does so inside the caller's transaction. Their
tables, indexes and triggers are created by the migrations (``schema.py``,
frozen as released); ``schema.repair`` puts back a missing one and calls its
refresh.

- **Monthly rollup** (``billing_by_month``): invoices and billed cents per
  (month, currency), kept row by row by triggers on ``invoices`` (exact integer
  cents, added and subtracted), so a many-month summary reads a few rows. A
  load that drops those triggers to insert faster refreshes it whole.
- **Customer tree** (``customer_tree``): each customer's top-level ancestor,
  parent as used and depth (see ``hierarchy.py``). Triggers on ``customers``
  mark it stale in ``hierarchy_state``; a load refreshes it, and a report that
  finds it stale reads one worked out for its snapshot (``ensure_tree``).
- **Open groups and days** (``open_groups``, ``open_days``): the open invoices'
  count, outstanding cents and earliest dates per (customer, currency), and
  per (currency, due date) and (currency, invoice date). ``aging --limit N``
  and ``--min-total`` rank from an index of the groups instead of summing
  every open invoice (0.7 s on ten million invoices) to list twenty; the
  totals per currency put the few thousand day rows in buckets for any
  ``--as-of``. Triggers on ``invoices`` mark them stale in
  ``open_groups_state`` whenever anyone writes an open invoice; a stale table
  is never read (the report sums the invoices instead) and the next load
  refreshes it.
- **Past dates** (``open_tops``, with the same state): as of a day D an
  invoice issued after D did not exist, but the kept tables hold every open
  invoice. They still answer any D: an invoice issued after D is past due as
  of D only if it is due before its issue, and those few have a partial index
  of their own (``invoices_open_due_before_issued``) to take out of the sums
  per due date; the rest are current as of D, and the sums per invoice date
  say how much. Ranking aging's largest groups at D reads ``open_tops``: at
  the end of each month, the ``TOPS_KEPT`` largest groups by the open amount
  invoiced by then, an upper bound of each one's amount on any day of the
  month before.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...hierarchy import Hierarchy
    from .shadowed import Shadowed


def hierarchy(db: sqlite3.Connection) -> Hierarchy:
    """The hierarchy of every customer in the database (``hierarchy.resolve``)."""
    from ...hierarchy import resolve

    return resolve(db.execute("SELECT id, customer_number, parent_number FROM customers"))


class Derived:
    """One derived table (or pair): what it is made of, and how to compute it again.

    (A plain class: a report imports this module, and ``typing`` would cost it milliseconds.)
    """

    __slots__ = ("name", "tables", "triggers", "refresh")

    def __init__(self, name: str, tables: tuple[str, ...], triggers: tuple[str, ...], refresh) -> None:  # noqa: ANN001 - a function of a connection
        self.name = name
        self.tables = tables
        self.triggers = triggers
        self.refresh = refresh


# -- monthly rollup -----------------------------------------------------------------------------


def refresh_monthly_rollup(db: sqlite3.Connection) -> None:
    """Compute ``billing_by_month`` from every invoice: one GROUP BY."""
    db.execute("DELETE FROM billing_by_month")
    db.execute(
        """INSERT INTO billing_by_month (month, currency, invoices, bill_total_cents)
           SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents)
           FROM invoices GROUP BY 1, 2"""
    )


# -- customer tree ------------------------------------------------------------------------------


def refresh_customer_tree(db: sqlite3.Connection) -> list[str]:
    """Recompute ``customer_tree`` from ``customers`` and mark it fresh; return the hierarchy's warnings.

    Rows that did not change are left alone, so a load that touched no link
    writes next to nothing.
    """
    family = hierarchy(db)
    stored = {
        row[0]: row[1:] for row in db.execute("SELECT customer_id, top_id, parent_id, depth FROM main.customer_tree")
    }
    wanted = {cid: (family.top[cid], family.parent[cid], family.depth[cid]) for cid in family.top}
    gone = [(cid,) for cid in stored if cid not in wanted]
    if gone:
        db.executemany("DELETE FROM main.customer_tree WHERE customer_id = ?", gone)
    changed = [(cid, *row) for cid, row in wanted.items() if stored.get(cid) != row]
    if changed:
        db.executemany(
            "INSERT OR REPLACE INTO main.customer_tree (customer_id, top_id, parent_id, depth) VALUES (?, ?, ?, ?)",
            changed,
        )
    db.execute("UPDATE main.hierarchy_state SET dirty = 0 WHERE dirty <> 0")
    return family.warnings


def customer_tree_stale(db: sqlite3.Connection) -> bool:
    """True when customers changed since ``customer_tree`` was computed (or its state is missing)."""
    try:
        row = db.execute("SELECT dirty FROM main.hierarchy_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # missing: repaired by init
        return True
    return row is None or bool(row[0])


def ensure_tree(db: sqlite3.Connection | Shadowed) -> Shadowed:
    """The connection to read ``customer_tree`` through, current, without writing to the database.

    ``db`` itself when it is a snapshot's (``shadowed.Shadowed``), else one
    around it. When the stored tree is stale, its statements read one worked
    out from the customers in its place (``shadowed.shadow_tree``).
    """
    from .shadowed import Shadowed, shadow_tree

    reader = db if isinstance(db, Shadowed) else Shadowed(db)
    if not reader.shadows("customer_tree") and customer_tree_stale(reader):
        shadow_tree(reader)
    return reader


# -- open groups and days -----------------------------------------------------------------------


def open_groups_stale(db: sqlite3.Connection) -> bool:
    """True when ``open_groups`` and ``open_days`` may differ from the invoices (or are missing)."""
    try:
        row = db.execute("SELECT dirty FROM open_groups_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # an older schema, read without migrating, or a lost table
        return True
    return row is None or bool(row[0])


def refresh_open_groups(db: sqlite3.Connection) -> None:
    """Compute ``open_groups`` and ``open_days`` from the open invoices and mark them current.

    Each is one GROUP BY along an index of the open invoices.
    """
    db.execute("DELETE FROM open_groups")
    db.execute(
        """INSERT INTO open_groups (customer_id, currency, invoices, outstanding_cents, first_due, first_invoiced)
           SELECT customer_id, currency, count(*), sum(outstanding_cents), min(due_date), min(invoice_date)
           FROM invoices INDEXED BY invoices_open_by_customer WHERE outstanding_cents > 0
           GROUP BY customer_id, currency"""
    )
    db.execute("DELETE FROM open_days")
    for age_by, column, index in [
        ("due", "due_date", "invoices_open_by_currency_due"),
        ("invoice", "invoice_date", "invoices_open_by_currency_date"),
    ]:
        db.execute(
            f"""INSERT INTO open_days
                    (age_by, currency, day, invoices, outstanding_cents, running_invoices, running_cents)
                SELECT '{age_by}', currency, day, n, cents, sum(n) OVER up_to, sum(cents) OVER up_to
                FROM (SELECT currency, {column} AS day, count(*) AS n, sum(outstanding_cents) AS cents
                      FROM invoices INDEXED BY {index} WHERE outstanding_cents > 0 GROUP BY currency, {column})
                WINDOW up_to AS (PARTITION BY currency ORDER BY day)"""
        )
    db.execute("DELETE FROM open_group_starts")
    db.execute(
        """INSERT INTO open_group_starts (currency, day, groups, running_groups)
           SELECT currency, day, n, sum(n) OVER (PARTITION BY currency ORDER BY day)
           FROM (SELECT currency, first_invoiced AS day, count(*) AS n FROM open_groups GROUP BY currency, day)"""
    )
    refresh_open_tops(db)
    # Marked current only when sound: a report reading them checks no day or sum of its own.
    # (A row another program wrote with the checks off, a date like 2025-02-30 or a cent of 12.5,
    # leaves them stale, so reports sum the invoices and refuse the row.)
    if db.execute(_UNSOUND_DAYS).fetchone() is None:
        db.execute("UPDATE open_groups_state SET dirty = 0 WHERE dirty <> 0")


_UNSOUND_DAYS = """SELECT 1 FROM open_days
    WHERE NOT (date(day, '+0 days') IS day AND day >= '0001-01-01') OR typeof(running_cents) <> 'integer'
       OR typeof(outstanding_cents) <> 'integer' OR NOT currency GLOB '[A-Z][A-Z][A-Z]' LIMIT 1"""


#: How many groups ``open_tops`` keeps per (currency, month): the deepest page it ranks.
TOPS_KEPT = 200


def refresh_open_tops(db: sqlite3.Connection) -> None:
    """Compute ``open_tops``: at each month's end, the ``TOPS_KEPT`` largest groups by open amount invoiced by then.

    An open amount only grows as the day moves on (the invoices of later days
    are added), so the largest groups at a month's end are among those of the
    month before and those invoiced in the month: each month ranks only those,
    never every group. One GROUP BY of the open invoices by month, then a walk
    in month order.
    """
    from heapq import nlargest

    db.execute("DELETE FROM open_tops")
    rows = db.execute(
        """SELECT currency, substr(invoice_date, 1, 7) AS month, customer_id, sum(outstanding_cents)
           FROM invoices INDEXED BY invoices_open_by_customer WHERE outstanding_cents > 0
           GROUP BY currency, month, customer_id ORDER BY currency, month"""
    )
    kept: list[tuple[str, str, int, int]] = []
    totals: dict[int, int] = {}
    top: list[int] = []
    touched: set[int] = set()
    at: tuple[str, str] | None = None

    def close_month() -> None:
        nonlocal top
        if at is None:
            return
        top = nlargest(TOPS_KEPT, touched.union(top), key=lambda cid: (totals[cid], -cid))
        day = _month_end(at[1])
        kept.extend((at[0], day, totals[cid], cid) for cid in top)
        touched.clear()

    for currency, month, cid, cents in rows:
        if at != (currency, month):
            close_month()
            if at is None or at[0] != currency:
                totals.clear()
                top = []
            at = (currency, month)
        totals[cid] = totals.get(cid, 0) + cents
        touched.add(cid)
    close_month()
    db.executemany("INSERT INTO open_tops (currency, day, outstanding_cents, customer_id) VALUES (?, ?, ?, ?)", kept)


def _month_end(month: str) -> str:
    """The last day of ``YYYY-MM`` as ISO text (a month of a date domeo wrote)."""
    from calendar import monthrange

    year, number = int(month[:4]), int(month[5:7])
    return f"{month}-{monthrange(year, number)[1]:02d}"


MONTHLY_ROLLUP = Derived(
    "monthly rollup",
    ("billing_by_month",),
    ("invoices_rollup_insert", "invoices_rollup_update", "invoices_rollup_delete"),
    refresh_monthly_rollup,
)
CUSTOMER_TREE = Derived(
    "customer tree",
    ("customer_tree", "hierarchy_state"),
    ("customers_tree_insert", "customers_tree_update", "customers_tree_delete"),
    refresh_customer_tree,
)
OPEN_GROUPS = Derived(
    "open groups and days",
    ("open_groups", "open_days", "open_group_starts", "open_tops", "open_groups_state"),
    ("invoices_open_insert", "invoices_open_update", "invoices_open_delete"),
    refresh_open_groups,
)
ALL = (MONTHLY_ROLLUP, CUSTOMER_TREE, OPEN_GROUPS)


def refresh_stale(db: sqlite3.Connection) -> list[str]:
    """Refresh the derived tables whose state says they are stale (after an upgrade); return their names."""
    done = []
    if customer_tree_stale(db):
        refresh_customer_tree(db)
        done.append(CUSTOMER_TREE.name)
    if open_groups_stale(db):
        refresh_open_groups(db)
        done.append(OPEN_GROUPS.name)
    return done

"""Open amounts per (customer, currency) and per (currency, day), kept by each load for aging.

``aging --limit N`` and ``--min-total`` list the largest groups: without
``open_groups``, finding them means summing every open invoice (0.7 s on
ten million invoices) to list twenty. A group's count, total and oldest
dates do not depend on ``--as-of``, so a load writes them once, in the
transaction that changes the invoices, and the report ranks from an index.
The totals per currency come from ``open_days``: the open amounts per due
date (and per invoice date), a few thousand rows that any ``--as-of`` and
``--buckets`` put in buckets.

Triggers on ``invoices`` mark the table stale in ``open_groups_state``
whenever an open invoice is written by anyone (this tool or another
program); a stale table is never read, and the report sums the invoices
instead, as it always can. The next load rebuilds it.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE open_groups (
    customer_id INTEGER NOT NULL,
    currency TEXT NOT NULL,
    invoices INTEGER NOT NULL,          -- open invoices (outstanding > 0)
    outstanding_cents INTEGER NOT NULL, -- their outstanding, summed
    first_due TEXT NOT NULL,            -- the earliest due date among them
    first_invoiced TEXT NOT NULL,       -- the earliest invoice date among them
    PRIMARY KEY (customer_id, currency)
) WITHOUT ROWID;
-- aging --limit / --min-total: the largest groups of a currency, read in order
CREATE INDEX open_groups_by_total ON open_groups (currency, outstanding_cents DESC);
-- the same open invoices per (currency, day): aging's totals per currency, whatever --as-of
CREATE TABLE open_days (
    age_by TEXT NOT NULL CHECK (age_by IN ('due', 'invoice')),  -- day is the due date, or the invoice date
    currency TEXT NOT NULL,
    day TEXT NOT NULL,
    invoices INTEGER NOT NULL,
    outstanding_cents INTEGER NOT NULL,
    PRIMARY KEY (age_by, currency, day)
) WITHOUT ROWID;
-- dirty = 1: an open invoice changed since the table was computed (reports then sum the invoices)
CREATE TABLE open_groups_state (id INTEGER PRIMARY KEY CHECK (id = 1), dirty INTEGER NOT NULL);
INSERT INTO open_groups_state (id, dirty) VALUES (1, 1);
CREATE TRIGGER invoices_open_insert AFTER INSERT ON invoices WHEN new.outstanding_cents > 0 BEGIN
    UPDATE open_groups_state SET dirty = 1 WHERE dirty = 0;
END;
CREATE TRIGGER invoices_open_update
    AFTER UPDATE OF customer_id, currency, due_date, invoice_date, outstanding_cents ON invoices
    WHEN old.outstanding_cents > 0 OR new.outstanding_cents > 0
BEGIN
    UPDATE open_groups_state SET dirty = 1 WHERE dirty = 0;
END;
CREATE TRIGGER invoices_open_delete AFTER DELETE ON invoices WHEN old.outstanding_cents > 0 BEGIN
    UPDATE open_groups_state SET dirty = 1 WHERE dirty = 0;
END;
"""


def is_stale(db: sqlite3.Connection) -> bool:
    """True when ``open_groups`` and ``open_days`` may differ from the invoices (or are missing)."""
    try:
        row = db.execute("SELECT dirty FROM open_groups_state WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # an older schema, read without migrating
        return True
    return row is None or bool(row[0])


def refresh(db: sqlite3.Connection) -> None:
    """Compute ``open_groups`` and ``open_days`` from the open invoices and mark them current.

    Runs in the caller's transaction; each is one GROUP BY along an index of the open invoices.
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
            f"""INSERT INTO open_days (age_by, currency, day, invoices, outstanding_cents)
                SELECT '{age_by}', currency, {column}, count(*), sum(outstanding_cents)
                FROM invoices INDEXED BY {index} WHERE outstanding_cents > 0 GROUP BY currency, {column}"""
        )
    db.execute("UPDATE open_groups_state SET dirty = 0 WHERE dirty <> 0")

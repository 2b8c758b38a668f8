"""The database schema, as a list of small migrations applied in order.

Each applied migration is recorded in ``domeo_migrations``; ``PRAGMA
user_version`` holds how many have run, so a database from a newer domeo is
recognised and left alone. ``PRAGMA application_id`` marks the file as
domeo's, so another program's SQLite file is never mistaken for ours.

A migration is frozen once released: it carries its own statements, exactly
as they were, and never calls the package's live code (which changes with
later releases). A derived table a migration creates starts marked stale;
``db.migrate`` then refreshes it with ``derived.py``'s current code, in the
same transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x646F6D65  # "dome"

_ISO = "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"


def _m001_initial(db: sqlite3.Connection) -> None:
    """Customers, contacts, invoices and ingest runs, with the report indexes."""
    _run(
        db,
        f"""
        CREATE TABLE customers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,                 -- as first seen, trimmed and spaces collapsed
            name_key TEXT NOT NULL UNIQUE,      -- NFC + casefold: how names are matched
            customer_number TEXT,               -- the client's own id (newer exports)
            parent_number TEXT                  -- customer_number of the parent account
        );
        CREATE INDEX customers_by_number ON customers (customer_number);

        CREATE TABLE ingest_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            file_name TEXT NOT NULL,
            sha256 TEXT,
            encoding TEXT,
            rows_read INTEGER,
            inserted INTEGER,
            updated INTEGER,
            unchanged INTEGER,
            rejected INTEGER,
            warnings INTEGER
        );

        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            name TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            last_seen TEXT NOT NULL CHECK (last_seen GLOB {_ISO}),
            UNIQUE (customer_id, name, email, phone)
        );
        CREATE INDEX contacts_by_recency ON contacts (customer_id, last_seen DESC);

        CREATE TABLE invoices (
            id INTEGER PRIMARY KEY,
            invoice_number TEXT NOT NULL UNIQUE,
            customer_id INTEGER NOT NULL REFERENCES customers (id),
            invoice_date TEXT NOT NULL CHECK (invoice_date GLOB {_ISO}),
            due_date TEXT NOT NULL CHECK (due_date GLOB {_ISO}),
            due_date_derived INTEGER NOT NULL CHECK (due_date_derived IN (0, 1)),
            po_number TEXT,
            -- money in cents: whole numbers, exact, summed exactly by SQLite
            bill_total_cents INTEGER NOT NULL
                CHECK (typeof(bill_total_cents) = 'integer' AND bill_total_cents >= 0),
            applied_cents INTEGER NOT NULL
                CHECK (typeof(applied_cents) = 'integer' AND applied_cents >= 0),
            outstanding_cents INTEGER NOT NULL
                CHECK (outstanding_cents = max(bill_total_cents - applied_cents, 0)),
            currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
            status TEXT NOT NULL CHECK (status IN ('Closed', 'Pending')),
            terms TEXT,
            terms_days INTEGER,
            contact_name TEXT,
            contact_phone TEXT,
            contact_email TEXT,
            run_id INTEGER REFERENCES ingest_runs (id)  -- the load that last inserted or changed it
        );
        -- past-due: open invoices in due-date order, both directions, ties by number
        CREATE INDEX invoices_open_by_due ON invoices (due_date, invoice_number)
            WHERE outstanding_cents > 0;
        CREATE INDEX invoices_open_by_due_desc ON invoices (due_date DESC, invoice_number)
            WHERE outstanding_cents > 0;
        -- summary: a month's invoices, covering so the table itself is not read
        CREATE INDEX invoices_by_month ON invoices (invoice_date, currency, bill_total_cents);
        CREATE INDEX invoices_by_customer_month
            ON invoices (customer_id, invoice_date, currency, bill_total_cents);
        """,
    )


def _run(db: sqlite3.Connection, script: str) -> None:
    """Execute a script statement by statement, inside the caller's transaction.

    (``executescript`` would commit first, and a migration must be atomic.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete statement in migration: {statement!r}")


def _m002_reports(db: sqlite3.Connection) -> None:
    """Aging, customers and the monthly series: an open-invoice index, a monthly rollup, the customer tree.

    ``customer_tree`` holds each customer's top-level ancestor, parent and
    depth, written at the end of each ingest (it starts stale); triggers on
    ``customers`` mark it stale in ``hierarchy_state`` whenever a customer or
    a link changes, and a report then works it out for itself.

    ``invoices_open_by_customer`` holds every column the aging and customers
    reports read, for open invoices only, in (customer, currency) order: a
    report scans the open invoices alone and never touches the table. Two
    narrow ones by (currency, due date) and (currency, invoice date) give the
    aging totals as sums per day without sorting.

    ``billing_by_month`` is kept by triggers on ``invoices`` (whole integer
    cents, added and subtracted exactly), so a many-month summary reads a few
    rows instead of every invoice. The triggers see every insert, update and
    delete, whoever makes it, and never read ``invoices`` (so they cost the
    same with or without its indexes); the rollup is filled here from the
    invoices already stored.
    """
    _run(
        db,
        """
        CREATE INDEX invoices_open_by_customer
            ON invoices (customer_id, currency, due_date, invoice_date, outstanding_cents, status)
            WHERE outstanding_cents > 0;
        -- aging totals: open amounts per currency and day, read in order, no sorting
        CREATE INDEX invoices_open_by_currency_due ON invoices (currency, due_date, outstanding_cents)
            WHERE outstanding_cents > 0;
        CREATE INDEX invoices_open_by_currency_date ON invoices (currency, invoice_date, outstanding_cents)
            WHERE outstanding_cents > 0;

        CREATE TABLE billing_by_month (
            month TEXT NOT NULL,                -- YYYY-MM of invoice_date
            currency TEXT NOT NULL,
            invoices INTEGER NOT NULL,
            bill_total_cents INTEGER NOT NULL,
            PRIMARY KEY (month, currency)
        ) WITHOUT ROWID;

        INSERT INTO billing_by_month (month, currency, invoices, bill_total_cents)
            SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents)
            FROM invoices GROUP BY 1, 2;

        CREATE TRIGGER invoices_rollup_insert AFTER INSERT ON invoices BEGIN
            INSERT INTO billing_by_month (month, currency, invoices, bill_total_cents)
                VALUES (substr(new.invoice_date, 1, 7), new.currency, 1, new.bill_total_cents)
                ON CONFLICT (month, currency) DO UPDATE
                SET invoices = invoices + 1, bill_total_cents = bill_total_cents + excluded.bill_total_cents;
        END;

        CREATE TRIGGER invoices_rollup_update
            AFTER UPDATE OF invoice_date, currency, bill_total_cents ON invoices
        BEGIN
            UPDATE billing_by_month
                SET invoices = invoices - 1, bill_total_cents = bill_total_cents - old.bill_total_cents
                WHERE month = substr(old.invoice_date, 1, 7) AND currency = old.currency;
            DELETE FROM billing_by_month
                WHERE month = substr(old.invoice_date, 1, 7) AND currency = old.currency AND invoices = 0;
            INSERT INTO billing_by_month (month, currency, invoices, bill_total_cents)
                VALUES (substr(new.invoice_date, 1, 7), new.currency, 1, new.bill_total_cents)
                ON CONFLICT (month, currency) DO UPDATE
                SET invoices = invoices + 1, bill_total_cents = bill_total_cents + excluded.bill_total_cents;
        END;

        CREATE TRIGGER invoices_rollup_delete AFTER DELETE ON invoices BEGIN
            UPDATE billing_by_month
                SET invoices = invoices - 1, bill_total_cents = bill_total_cents - old.bill_total_cents
                WHERE month = substr(old.invoice_date, 1, 7) AND currency = old.currency;
            DELETE FROM billing_by_month
                WHERE month = substr(old.invoice_date, 1, 7) AND currency = old.currency AND invoices = 0;
        END;

        CREATE TABLE customer_tree (
            customer_id INTEGER PRIMARY KEY,    -- customers.id
            top_id INTEGER NOT NULL,            -- its top-level ancestor (itself if top-level)
            parent_id INTEGER,                  -- its parent as used (NULL: top-level, missing parent, loop)
            depth INTEGER NOT NULL              -- 0 for a top-level account
        );
        CREATE INDEX customer_tree_by_top ON customer_tree (top_id, customer_id);
        -- dirty = 1: customers changed since customer_tree was computed (reports then compute it themselves)
        CREATE TABLE hierarchy_state (id INTEGER PRIMARY KEY CHECK (id = 1), dirty INTEGER NOT NULL);
        INSERT INTO hierarchy_state (id, dirty) VALUES (1, 1);
        CREATE TRIGGER customers_tree_insert AFTER INSERT ON customers BEGIN
            UPDATE hierarchy_state SET dirty = 1 WHERE dirty = 0;
        END;
        CREATE TRIGGER customers_tree_update AFTER UPDATE OF customer_number, parent_number ON customers BEGIN
            UPDATE hierarchy_state SET dirty = 1 WHERE dirty = 0;
        END;
        CREATE TRIGGER customers_tree_delete AFTER DELETE ON customers BEGIN
            UPDATE hierarchy_state SET dirty = 1 WHERE dirty = 0;
        END;
        """,
    )


def _m003_covering_past_due(db: sqlite3.Connection) -> None:
    """Past-due indexes that also hold ``outstanding_cents``.

    SQLite does not take a partial index's WHERE as proof of the condition, so
    without the column every entry of a past-due range cost a table look-up;
    with it, the page and its total are read from the index alone.
    """
    _run(
        db,
        """
        DROP INDEX invoices_open_by_due;
        DROP INDEX invoices_open_by_due_desc;
        CREATE INDEX invoices_open_by_due ON invoices (due_date, invoice_number, outstanding_cents)
            WHERE outstanding_cents > 0;
        CREATE INDEX invoices_open_by_due_desc ON invoices (due_date DESC, invoice_number, outstanding_cents)
            WHERE outstanding_cents > 0;
        """,
    )


def _m004_drop_month_index(db: sqlite3.Connection) -> None:
    """Drop ``invoices_by_month``: every all-customer summary reads ``billing_by_month`` now.

    Nothing queries the index any more, and keeping it cost a sort of every
    invoice on each large load (about 2 s per million invoices).
    """
    db.execute("DROP INDEX IF EXISTS invoices_by_month")


# Migration 5's statements as released (unindented, as they are stored in sqlite_master).
_M005_OPEN_GROUPS = """
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


def _m005_open_groups(db: sqlite3.Connection) -> None:
    """Open amounts per (customer, currency) and per (currency, day), kept by loads for aging (``derived.py``).

    They start stale (``open_groups_state``), so reports sum the invoices until they are refreshed.
    """
    _run(db, _M005_OPEN_GROUPS)


def _m006_history(db: sqlite3.Connection) -> None:
    """History: every replaced invoice version, each load's date and missing invoices, every customer number.

    ``invoice_versions`` holds an invoice as it was from load ``valid_from`` until
    load ``valid_to`` replaced it (the current version is in ``invoices``, valid
    from its ``run_id``). ``ingest_runs.last_invoice_id`` is the highest invoice
    id after the load (a load with none was made before history was kept;
    what an invoice was after a load is told by ``run_id`` and the versions,
    not by ids). Loads made before this migration kept no versions: only the last
    of them keeps a ``last_invoice_id`` (its state is today's state unless
    changed since), so the earlier ones are never offered as a known state.
    """
    _run(
        db,
        """
        CREATE TABLE invoice_versions (
            invoice_id INTEGER NOT NULL,        -- invoices.id
            valid_from INTEGER,                 -- the load that wrote this version
            valid_to INTEGER NOT NULL,          -- the load that replaced it
            invoice_number TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            invoice_date TEXT NOT NULL,
            due_date TEXT NOT NULL,
            due_date_derived INTEGER NOT NULL,
            po_number TEXT,
            bill_total_cents INTEGER NOT NULL,
            applied_cents INTEGER NOT NULL,
            outstanding_cents INTEGER NOT NULL,
            currency TEXT NOT NULL,
            status TEXT NOT NULL,
            terms TEXT,
            terms_days INTEGER,
            contact_name TEXT,
            contact_phone TEXT,
            contact_email TEXT,
            PRIMARY KEY (invoice_id, valid_to)
        );
        -- the versions still valid after a load N: valid_to > N
        CREATE INDEX invoice_versions_by_end ON invoice_versions (valid_to);

        ALTER TABLE ingest_runs ADD COLUMN as_of TEXT;            -- the date of the export (YYYY-MM-DD)
        ALTER TABLE ingest_runs ADD COLUMN complete TEXT;         -- 'all', 'open' or NULL (ingest --complete)
        ALTER TABLE ingest_runs ADD COLUMN missing INTEGER;       -- invoices in the database, not in the file
        ALTER TABLE ingest_runs ADD COLUMN settled INTEGER;       -- of those, settled by --complete=open
        ALTER TABLE ingest_runs ADD COLUMN last_invoice_id INTEGER;
        UPDATE ingest_runs SET as_of = substr(coalesce(finished_at, started_at), 1, 10);
        UPDATE ingest_runs SET last_invoice_id = (SELECT coalesce(max(id), 0) FROM invoices)
            WHERE id = (SELECT max(id) FROM ingest_runs);

        -- the invoices each load reported missing from its file
        CREATE TABLE load_missing (
            run_id INTEGER NOT NULL,
            invoice_id INTEGER NOT NULL,
            PRIMARY KEY (run_id, invoice_id)
        ) WITHOUT ROWID;

        -- every number each customer has been seen with (customers holds the latest)
        CREATE TABLE customer_numbers (
            customer_id INTEGER NOT NULL,
            customer_number TEXT NOT NULL,
            PRIMARY KEY (customer_id, customer_number)
        ) WITHOUT ROWID;
        CREATE INDEX customer_numbers_by_number ON customer_numbers (customer_number, customer_id);
        INSERT INTO customer_numbers (customer_id, customer_number)
            SELECT id, customer_number FROM customers WHERE customer_number IS NOT NULL;
        CREATE TRIGGER customers_number_insert AFTER INSERT ON customers
            WHEN new.customer_number IS NOT NULL
        BEGIN
            INSERT OR IGNORE INTO customer_numbers (customer_id, customer_number)
                VALUES (new.id, new.customer_number);
        END;
        CREATE TRIGGER customers_number_update AFTER UPDATE OF customer_number ON customers
            WHEN new.customer_number IS NOT NULL
        BEGIN
            INSERT OR IGNORE INTO customer_numbers (customer_id, customer_number)
                VALUES (new.id, new.customer_number);
        END;
        """,
    )


def _m007_customer_history(db: sqlite3.Connection) -> None:
    """Customer history: every replaced customer version, the load that first saw each contact, re-dated loads.

    ``customer_versions`` holds a customer as it was (name, number, parent) from
    load ``valid_from`` until load ``valid_to`` changed it, as ``invoice_versions``
    does for invoices; ``customers.run_id`` is the load that wrote the current
    version (NULL: before this migration). ``contacts.first_run`` is the load
    that first saw a contact. ``load_redates`` keeps every change of a load's
    date (``domeo redate``, or this migration), with the date it replaced.

    Migration 6 dated the loads made before it by the UTC date of their end,
    while a load's date is the day in ``DOMEO_TZ`` (America/New_York unless
    set): upgraded in the evening, they were dated tomorrow, and every load of
    the evening was refused as dated before them. Those dates are put right
    here (each kept in ``load_redates``), never later than the next load's, so
    the loads stay in date order.
    """
    _run(
        db,
        """
        ALTER TABLE customers ADD COLUMN run_id INTEGER;    -- the load that wrote this version of the customer
        CREATE TABLE customer_versions (
            customer_id INTEGER NOT NULL,       -- customers.id
            valid_from INTEGER,                 -- the load that wrote this version (NULL: before migration 7)
            valid_to INTEGER NOT NULL,          -- the load that replaced it
            name TEXT NOT NULL,
            name_key TEXT NOT NULL,
            customer_number TEXT,
            parent_number TEXT,
            PRIMARY KEY (customer_id, valid_to)
        );
        -- the versions still valid after a load N: valid_to > N
        CREATE INDEX customer_versions_by_end ON customer_versions (valid_to);

        ALTER TABLE contacts ADD COLUMN first_run INTEGER;  -- the load that first saw it (NULL: before migration 7)

        -- every change of a load's date, with the date it replaced
        CREATE TABLE load_redates (
            run_id INTEGER NOT NULL,            -- ingest_runs.id
            redated_at TEXT NOT NULL,           -- when (UTC)
            old_as_of TEXT NOT NULL,
            new_as_of TEXT NOT NULL,
            how TEXT NOT NULL                   -- 'domeo redate', or the migration that did it
        );
        CREATE INDEX load_redates_by_run ON load_redates (run_id);
        """,
    )
    # Frozen with the migration: the day of a time in the zone `days.today` reads (as released).
    import os
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'domeo_migrations'").fetchone() is None:
        return  # an empty schema being built (schema.expected_objects): no loads
    # The loads migration 6 found (the load that upgrades starts after it, even within the same second).
    runs = db.execute(
        """SELECT id, as_of, coalesce(finished_at, started_at),
                  started_at <= (SELECT applied_at FROM domeo_migrations WHERE version = 6)
           FROM ingest_runs ORDER BY id DESC"""
    ).fetchall()
    if not any(before and as_of == stamp[:10] for _, as_of, stamp, before in runs):
        return
    name = os.environ.get("DOMEO_TZ", "").strip() or "America/New_York"
    try:
        zone = ZoneInfo(name)
    except (LookupError, ValueError, OSError):
        from ...errors import InvalidInput

        raise InvalidInput(f"DOMEO_TZ={name!r} is not a known IANA time zone (e.g. Europe/Paris).") from None
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    bound = None  # the earliest date of the later loads: no earlier load may be dated after it
    for run_id, as_of, stamp, before in runs:
        if before and as_of == stamp[:10]:
            try:
                local = datetime.fromisoformat(stamp).astimezone(zone).date().isoformat()
            except ValueError:
                local = as_of  # not a time domeo wrote: left as it is
            if bound is not None and local > bound:
                local = bound
            if local != as_of:
                db.execute("UPDATE ingest_runs SET as_of = ? WHERE id = ?", (local, run_id))
                db.execute(
                    "INSERT INTO load_redates (run_id, redated_at, old_as_of, new_as_of, how) VALUES (?, ?, ?, ?, ?)",
                    (run_id, now, as_of, local, "migration 7: the day it ended in DOMEO_TZ"),
                )
                as_of = local
        if as_of is not None and (bound is None or as_of < bound):
            bound = as_of


def _m008_past_dates(db: sqlite3.Connection) -> None:
    """What lets the kept open amounts answer a past as-of date (``derived.py``, "Past dates").

    As of a day D, an invoice issued after D did not exist. Such an invoice is
    past due as of D only if it is due before it was issued: those few open
    invoices get a partial index of their own, so a report takes them out of
    the kept sums per day. ``open_tops`` keeps, at the end of each month, the
    groups with the largest open amount from invoices issued by then: the
    bounds that rank aging's largest groups at any date without summing every
    open invoice. Running sums per day make any bucket's sum two look-ups, and
    ``open_group_starts`` counts the groups that existed on a date. All start
    stale, refreshed at once.
    """
    _run(
        db,
        """
        -- open invoices due before they were issued, by currency and invoice date
        CREATE INDEX invoices_open_due_before_issued
            ON invoices (currency, invoice_date, due_date, customer_id, outstanding_cents)
            WHERE outstanding_cents > 0 AND due_date < invoice_date;
        -- running sums: the open invoices of this day and every earlier one (per age_by and currency)
        ALTER TABLE open_days ADD COLUMN running_invoices INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE open_days ADD COLUMN running_cents INTEGER NOT NULL DEFAULT 0;
        -- the groups of a currency whose first open invoice is of a day, and of that day or earlier
        CREATE TABLE open_group_starts (
            currency TEXT NOT NULL,
            day TEXT NOT NULL,
            groups INTEGER NOT NULL,
            running_groups INTEGER NOT NULL,
            PRIMARY KEY (currency, day)
        ) WITHOUT ROWID;
        -- at the end of each month (day), the largest groups by the open amount invoiced by then
        CREATE TABLE open_tops (
            currency TEXT NOT NULL,
            day TEXT NOT NULL,
            outstanding_cents INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            PRIMARY KEY (currency, day, outstanding_cents DESC, customer_id)
        ) WITHOUT ROWID;
        UPDATE open_groups_state SET dirty = 1;
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_initial,
    _m002_reports,
    _m003_covering_past_due,
    _m004_drop_month_index,
    _m005_open_groups,
    _m006_history,
    _m007_customer_history,
    _m008_past_dates,
]
SCHEMA_VERSION = len(MIGRATIONS)


def pending(version: int) -> list[Callable[[sqlite3.Connection], None]]:
    """The migrations a database at ``version`` still needs."""
    return MIGRATIONS[version:]


def expected_objects() -> dict[tuple[str, str], str]:
    """Every table, index and trigger the migrations make: ``(type, name)`` -> its CREATE statement.

    Worked out by migrating an empty in-memory database, so it always agrees
    with the migrations themselves.
    """
    db = sqlite3.connect(":memory:", isolation_level=None)
    try:
        db.execute("BEGIN")
        for step in MIGRATIONS:
            step(db)
        return {
            (kind, name): sql
            for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        }
    finally:
        db.close()

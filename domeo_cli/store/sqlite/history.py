"""History: every version of every invoice, and the data as it stood after any load.

A load that changes an invoice first copies the row it replaces into
``invoice_versions``, valid from the load that wrote it (its ``run_id``) to
the load that replaced it; the current row stays in ``invoices``. So the
invoices as known after load N are the current rows written by load N or
earlier, and the versions valid across N (``valid_from <= N < valid_to``).
Customers are kept the same way (``customer_versions``, ``customers.run_id``)
when a load changes their number or parent. Nothing is ever deleted, and a
reload that changes nothing adds nothing.

Reports asked ``--known-at`` read that state through temporary tables named
like the stored ones (``invoices``, ``contacts``, ``customers``,
``billing_by_month``): SQLite looks a name up in the temporary schema first,
so every report's query reads the past without knowing it, and the database
is never written.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from ...errors import InvalidInput, NotFound, Option
from ...results.diff import Load

if TYPE_CHECKING:
    from .shadowed import Shadowed

# The stored fields of an invoice version, in ``invoice_versions`` and ``invoices`` alike.
FIELDS = (
    "invoice_number",
    "customer_id",
    "invoice_date",
    "due_date",
    "due_date_derived",
    "po_number",
    "bill_total_cents",
    "applied_cents",
    "outstanding_cents",
    "currency",
    "status",
    "terms",
    "terms_days",
    "contact_name",
    "contact_phone",
    "contact_email",
)
_FIELDS = ", ".join(FIELDS)
_OLD_FIELDS = ", ".join(f"i.{f}" for f in FIELDS)
# The stored fields of a customer version, in ``customer_versions`` and ``customers`` alike.
CUSTOMER_FIELDS = ("name", "name_key", "customer_number", "parent_number")
_CUSTOMER_FIELDS = ", ".join(CUSTOMER_FIELDS)


# -- writing (inside a load's transaction) ---------------------------------------------


def keep_versions(db: sqlite3.Connection, run_id: int, replaced: str) -> int:
    """Copy the current rows of the invoices ``replaced`` names into ``invoice_versions``.

    ``replaced`` is a SELECT of invoice numbers (the ones this load is about to
    rewrite); each old row becomes a version valid until ``run_id``. Set-based,
    in the caller's transaction, before the rows are overwritten; returns how many.
    """
    return db.execute(
        f"""INSERT INTO invoice_versions (invoice_id, valid_from, valid_to, {_FIELDS})
            SELECT i.id, i.run_id, ?, {_OLD_FIELDS}
            FROM invoices AS i WHERE i.invoice_number IN ({replaced})""",
        (run_id,),
    ).rowcount


def keep_customer_versions(db: sqlite3.Connection, run_id: int, replaced: str) -> int:
    """Copy the current rows of the customers ``replaced`` selects (their ids) into ``customer_versions``.

    As ``keep_versions`` does for invoices: each old row becomes a version valid
    until ``run_id``, before the load rewrites it; returns how many.
    """
    return db.execute(
        f"""INSERT INTO customer_versions (customer_id, valid_from, valid_to, {_CUSTOMER_FIELDS})
            SELECT c.id, c.run_id, ?, {", ".join(f"c.{f}" for f in CUSTOMER_FIELDS)}
            FROM main.customers AS c WHERE c.id IN ({replaced})""",
        (run_id,),
    ).rowcount


def find_missing(db: sqlite3.Connection, everything: bool) -> list[tuple[int, str]]:
    """``(id, invoice_number)`` of the invoices stored but not staged by this load, by number.

    Only the open ones (outstanding > 0) unless ``everything``: an open-items
    export leaves every closed invoice out, and that is no news.
    """
    # The open ones are read from the partial index of open invoices, not the whole table.
    scope = "" if everything else "INDEXED BY invoices_open_by_due WHERE i.outstanding_cents > 0 AND"
    return db.execute(
        f"""SELECT i.id, i.invoice_number FROM invoices AS i {scope or "WHERE"}
            NOT EXISTS (SELECT 1 FROM temp.staging AS s WHERE s.invoice_number = i.invoice_number)
            ORDER BY i.invoice_number"""
    ).fetchall()


def record_missing(db: sqlite3.Connection, run_id: int, missing: list[tuple[int, str]], settle: bool) -> int:
    """Keep the list of missing invoices of load ``run_id``; with ``settle``, close the open ones.

    A settled invoice keeps its previous version; from this load on its applied
    amount is its bill total (outstanding 0) and its status Closed. Returns how
    many were settled.
    """
    db.executemany(
        "INSERT OR IGNORE INTO load_missing (run_id, invoice_id) VALUES (?, ?)", [(run_id, i) for i, _ in missing]
    )
    if not settle or not missing:
        return 0
    gone = "SELECT invoice_id FROM load_missing WHERE run_id = ?"
    db.execute(
        f"""INSERT INTO invoice_versions (invoice_id, valid_from, valid_to, {_FIELDS})
            SELECT i.id, i.run_id, ?, {_OLD_FIELDS} FROM invoices AS i
            WHERE i.id IN ({gone}) AND i.outstanding_cents > 0""",
        (run_id, run_id),
    )
    return db.execute(
        f"""UPDATE invoices SET applied_cents = max(applied_cents, bill_total_cents), outstanding_cents = 0,
                status = 'Closed', run_id = ?
            WHERE id IN ({gone}) AND outstanding_cents > 0""",
        (run_id, run_id),
    ).rowcount


def check_not_future(day: str, option: str = "--as-of") -> None:
    """Refuse a load date more than a day after today (in ``DOMEO_TZ``): an export is never from the future.

    A day of slack for a load run just after midnight elsewhere, or dated by
    the export's own clock. (A typo such as 2205 would otherwise stop every
    later load, which must not be dated before it.)
    """
    from datetime import timedelta

    from ...days import today

    now = today()
    if day > (now + timedelta(days=1)).isoformat():
        raise InvalidInput(
            f"{option} {day} is more than a day after today ({now.isoformat()}): a load is dated by its export, "
            "and an export cannot come from the future."
        )


def check_load_date(db: sqlite3.Connection, as_of: str) -> None:
    """Refuse a load dated before the latest load: history runs forward only.

    When the latest load is itself dated in the future (a typo before loads
    were checked for it), the sentence says how to give it its real date.
    """
    row = db.execute("SELECT id, as_of FROM ingest_runs WHERE as_of IS NOT NULL ORDER BY id DESC LIMIT 1").fetchone()
    if row is not None and row[1] > as_of:
        from datetime import timedelta

        from ...days import today

        if row[1] > (today() + timedelta(days=1)).isoformat():
            raise InvalidInput(
                f"This load is dated {as_of}, before load {row[0]} of {row[1]}, which is dated in the future: "
                f"if that date is a typo, give load {row[0]} its real date with `domeo redate {row[0]} YYYY-MM-DD`, "
                "then load again."
            )
        raise InvalidInput(
            f"This load is dated {as_of}, before load {row[0]} of {row[1]}: loads are kept in date order, "
            f"so load older exports first (or give --as-of {row[1]} or later)."
        )


class Redated(NamedTuple):
    """A load given another date by ``redate``."""

    load: int
    file_name: str
    as_of: str
    was: str


def redate(db: sqlite3.Connection, run_id: int, day: str) -> Redated:
    """Give load ``run_id`` the date ``day`` (YYYY-MM-DD), in the caller's write transaction.

    The date must keep the loads in date order (not before the load before
    it, not after the one after it) and be no more than a day after today.
    The old date is kept in ``load_redates``: the change is part of the history.
    NotFound for no such load, InvalidInput for a date out of order.
    """
    from .db import now_iso

    check_not_future(day, "DATE")
    row = db.execute(
        "SELECT id, as_of, file_name FROM ingest_runs WHERE id = ? AND finished_at IS NOT NULL", (run_id,)
    ).fetchone()
    if row is None:
        every = loads(db)
        span = f"loads are {every[0].id} to {every[-1].id}" if every else "no load was made yet"
        raise NotFound(f"There is no load {run_id} ({span}).")
    _, was, file_name = row
    before = db.execute(
        "SELECT id, as_of FROM ingest_runs WHERE id < ? AND finished_at IS NOT NULL AND as_of > ? "
        "ORDER BY id DESC LIMIT 1",
        (run_id, day),
    ).fetchone()
    if before is not None:
        raise InvalidInput(
            f"Load {run_id} cannot be dated {day}: load {before[0]}, made before it, is dated {before[1]}, "
            "and loads are kept in date order."
        )
    after = db.execute(
        "SELECT id, as_of FROM ingest_runs WHERE id > ? AND finished_at IS NOT NULL AND as_of < ? ORDER BY id LIMIT 1",
        (run_id, day),
    ).fetchone()
    if after is not None:
        raise InvalidInput(
            f"Load {run_id} cannot be dated {day}: load {after[0]}, made after it, is dated {after[1]}, "
            "and loads are kept in date order."
        )
    if was != day:
        db.execute("UPDATE ingest_runs SET as_of = ? WHERE id = ?", (day, run_id))
        db.execute(
            "INSERT INTO load_redates (run_id, redated_at, old_as_of, new_as_of, how) VALUES (?, ?, ?, ?, ?)",
            (run_id, now_iso(), was, day, "domeo redate"),
        )
    return Redated(run_id, file_name, day, was)


def redate_load(path: str, load_text: str, day_text: str) -> Redated:
    """``domeo redate LOAD DATE``: check both, then re-date the load in one write transaction."""
    import os

    from ...days import parse_iso_option
    from ...errors import NoDatabase
    from . import db as dbmod

    if not re.fullmatch(r"[0-9]{1,18}", load_text.strip(), re.ASCII) or int(load_text) < 1:
        raise InvalidInput(f"LOAD takes a load number (see `domeo runs`), not {load_text!r}.")
    day = parse_iso_option(day_text, "DATE").isoformat()
    if not os.path.exists(path):
        raise NoDatabase(f"No database at {path}. Create one by loading an export: domeo --db {path} ingest FILE.csv")
    connection = dbmod.open_for_write(path)
    try:
        with dbmod.transaction(connection, path):
            return redate(connection, int(load_text), day)
    except sqlite3.Error as err:
        raise dbmod.explain(err, path) from None
    finally:
        connection.close()


# -- reading ----------------------------------------------------------------------------


def loads(db: sqlite3.Connection) -> list[Load]:
    """Every load that committed, oldest first."""
    return [
        Load(*row)
        for row in db.execute(
            # Every load has its date (migration 6 gave one to the loads made before it).
            "SELECT id, as_of, file_name, last_invoice_id FROM ingest_runs WHERE finished_at IS NOT NULL ORDER BY id"
        )
    ]


_KNOWN_AT = Option("known_at")


def find_load(db: sqlite3.Connection, point: int | date, option: str | Option = _KNOWN_AT) -> Load:
    """The load a point names: that load, or the last load dated on or before that date (NotFound if none).

    A load made before history was kept (an upgraded database) has no known
    state, and is refused with a sentence.
    """
    every = loads(db)
    if isinstance(point, int):
        found = next((load for load in every if load.id == point), None)
        if found is None:
            span = f"loads are {every[0].id} to {every[-1].id}" if every else "no load was made yet"
            raise NotFound(option, f": there is no load {point} ({span}).")
    else:
        day = point.isoformat()
        earlier = [load for load in every if load.as_of <= day]
        if not earlier:
            first = f"; the first was load {every[0].id} of {every[0].as_of}" if every else ""
            raise NotFound(option, f": no load was made on or before {day}{first}.")
        found = earlier[-1]
    if found.last_invoice_id is None:
        raise NotFound(
            option,
            f": load {found.id} of {found.as_of} was made before this database kept history, "
            "so its state is not known.",
        )
    return found


def state(run_id: int) -> str:
    """A SELECT of the invoices as known after load ``run_id`` (``id``, the stored fields and ``run_id``)."""
    n = int(run_id)
    return (
        f"SELECT id, {_FIELDS}, run_id FROM main.invoices WHERE coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT invoice_id, {_FIELDS}, valid_from FROM main.invoice_versions "
        f"WHERE valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )


def customer_state(run_id: int) -> str:
    """A SELECT of the customers as known after load ``run_id`` (``id``, the stored fields and ``run_id``).

    A customer stored before customers were versioned (``run_id`` NULL) is
    known at every load; the reports read only those with an invoice then.
    """
    n = int(run_id)
    return (
        f"SELECT id, {_CUSTOMER_FIELDS}, run_id FROM main.customers WHERE coalesce(run_id, 0) <= {n} "
        f"UNION ALL SELECT customer_id, {_CUSTOMER_FIELDS}, valid_from FROM main.customer_versions "
        f"WHERE valid_to > {n} AND coalesce(valid_from, 0) <= {n}"
    )


def _has_invoice_then(customer: str, run_id: int) -> str:
    """SQL true when ``customer`` had an invoice as known after load ``run_id`` (``state``'s rows).

    Probed along the index of invoices by customer (and the versions of
    then), not by reading every invoice of then.
    """
    n = int(run_id)
    return (
        f"(EXISTS (SELECT 1 FROM main.invoices AS i "
        f"WHERE i.customer_id = {customer} AND coalesce(i.run_id, 0) <= {n}) "
        f"OR {customer} IN (SELECT customer_id FROM main.invoice_versions WHERE valid_to > {n} "
        f"AND coalesce(valid_from, 0) <= {n}))"
    )


def read_past(db: Shadowed, load: Load) -> None:
    """Make ``db``'s reports read the data as it stood after ``load``, through CTEs (``shadowed``).

    Customers are those with an invoice then, with their numbers and parents
    of then, and their tree is worked out among them; the contacts are those
    of every invoice row loaded until then. The kept open groups read as
    stale, so the reports sum the invoices known then.
    """
    from .shadowed import shadow_tree

    n = int(load.id)
    loaded = (
        f"SELECT customer_id, contact_name, contact_email, contact_phone, invoice_date FROM main.invoices "
        f"WHERE coalesce(run_id, 0) <= {n} UNION ALL SELECT customer_id, contact_name, contact_email, "
        f"contact_phone, invoice_date FROM main.invoice_versions WHERE coalesce(valid_from, 0) <= {n}"
    )
    db.shadow("invoices", f"invoices (id, {_FIELDS}, run_id) AS ({state(n)})")
    db.shadow(
        "customers",
        f"customers (id, {_CUSTOMER_FIELDS}, run_id) AS "
        f"(SELECT * FROM ({customer_state(n)}) AS c WHERE {_has_invoice_then('c.id', n)})",
    )
    db.shadow(
        "contacts",
        "contacts (customer_id, name, email, phone, last_seen) AS (SELECT customer_id, coalesce(contact_name, ''), "
        "coalesce(contact_email, ''), coalesce(contact_phone, ''), max(invoice_date) "
        f"FROM ({loaded}) WHERE coalesce(contact_name, contact_email, contact_phone) IS NOT NULL GROUP BY 1, 2, 3, 4)",
    )
    db.shadow(
        "billing_by_month",
        "billing_by_month (month, currency, invoices, bill_total_cents) AS "
        "(SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents) FROM invoices GROUP BY 1, 2)",
    )
    # The kept open groups describe today: stale then, so aging sums the invoices known then.
    db.shadow("open_groups_state", "open_groups_state (id, dirty) AS (SELECT 1, 1)")
    shadow_tree(db)  # the tree of the customers known then (a parent added later is missing then)

"""What a load must say, not just do: changes a person would want to know of, found before anything is written.

- an invoice that moves to another customer (its number, loaded before under another name);
- a customer that gains or changes a number or a parent, and a number already held by another name;
- a file byte for byte the same as an earlier load's, loaded after a newer one (the payments it takes back);
- a file that shares no invoice and no customer with a non-empty database (another client's export?),
  which ``--complete`` would turn into missing and settled invoices: refused unless ``--force``.

Each is a warning of the load report (counted, in ``--json``, ``--verbose`` and the load log). The
queries are set-based and read only the staged rows, the customers the file names, or the rows a load
is about to rewrite, so an ordinary reload pays next to nothing, and a dry run says what the load would.
"""

from __future__ import annotations

import sqlite3

from ... import printable
from ...errors import InvalidInput
from ...feed import CHANGED_CUSTOMER, Ledger
from ...load_report import LoadReport


def stage_customers(db: sqlite3.Connection, ledger: Ledger) -> None:
    """The customers the file names, as this load would leave them, in ``temp.customer_file``.

    ``state`` is the Ledger's (0 the same, 1 changed, 2 new); the lines are those of the rows that gave
    the number and the parent kept (NULL: no row of this file changed it).
    """
    db.execute("DROP TABLE IF EXISTS temp.customer_file")
    db.execute(
        """CREATE TEMP TABLE customer_file (id INTEGER PRIMARY KEY, name TEXT NOT NULL, customer_number TEXT,
               parent_number TEXT, state INTEGER NOT NULL, number_line INTEGER, number_invoice TEXT,
               parent_line INTEGER, parent_invoice TEXT)"""
    )
    db.executemany("INSERT INTO temp.customer_file VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ledger.used_customers())


def customer_changes(db: sqlite3.Connection, report: LoadReport) -> None:
    """Warn of each number and parent the file gives a known customer, and of a number another name holds.

    The customers that change are left in ``temp.customers_changed`` (their ids) for the merge, which
    keeps their previous versions; ``report.customers_changed`` counts them.
    """
    db.execute("DROP TABLE IF EXISTS temp.customers_changed")
    db.execute(
        f"""CREATE TEMP TABLE customers_changed AS
            SELECT f.id, c.name, c.customer_number AS number_was, f.customer_number AS number,
                   c.parent_number AS parent_was, f.parent_number AS parent,
                   f.number_line, f.number_invoice, f.parent_line, f.parent_invoice
            FROM temp.customer_file AS f JOIN main.customers AS c ON c.id = f.id
            WHERE f.state = {CHANGED_CUSTOMER}
              AND (f.customer_number IS NOT c.customer_number OR f.parent_number IS NOT c.parent_number)"""
    )
    changes = db.execute(
        """SELECT name, number_was, number, parent_was, parent, number_line, number_invoice, parent_line,
                  parent_invoice
           FROM temp.customers_changed ORDER BY id"""
    ).fetchall()
    report.customers_changed = len(changes)
    said: list[tuple[int | None, str | None, str]] = []
    for name, number_was, number, parent_was, parent, number_line, number_invoice, parent_line, parent_inv in changes:
        if number != number_was:
            if number_was is None:
                message = f"number added: {name!r} has the customer number {number!r} from this load on"
            else:
                message = (
                    f"number changed: {name!r} has the customer number {number!r} from this load on, not {number_was!r}"
                )
            said.append((number_line, number_invoice, message))
        if parent != parent_was:
            if parent_was is None:
                message = f"parent added: {name!r} rolls up to the parent customer {parent!r} from this load on"
            else:
                message = (
                    f"parent changed: {name!r} rolls up to the parent customer {parent!r} from this load on, "
                    f"not {parent_was!r}"
                )
            said.append((parent_line, parent_inv, message))
    # A number given in this file to a name, while another customer, not in this file, holds it:
    # a customer renamed (a new name is a new customer), or a number given twice.
    said += [
        (
            line,
            invoice,
            f"customer number: {number!r} is the number of {other!r}, already loaded, and now of {name!r} too: "
            "a renamed customer, or a number given twice? (they stay two customers)",
        )
        for line, invoice, name, number, other in db.execute(
            """SELECT f.number_line, f.number_invoice, f.name, f.customer_number, o.name
               FROM temp.customer_file AS f JOIN main.customers AS o ON o.customer_number = f.customer_number
               WHERE f.number_line IS NOT NULL AND o.id <> f.id AND o.id NOT IN (SELECT id FROM temp.customer_file)
               ORDER BY o.name"""
        )
    ]
    for line, invoice, message in sorted(said, key=lambda w: w[0] or 0):  # in line order (sorted is stable)
        report.warn(line, invoice, message)


# The rows a load is about to write that were stored before: their new customer and applied amount beside
# the stored ones. ``temp.changed`` holds them in a merge; a preview reads the staged rows.
_PREVIEW_ROWS = """(SELECT s.line, s.invoice_number, s.customer_id, s.applied_cents,
                           i.customer_id AS old_customer_id, i.applied_cents AS old_applied_cents
                    FROM temp.staging AS s JOIN main.invoices AS i ON i.invoice_number = s.invoice_number)"""
MERGE_ROWS = "temp.changed"


def moves_and_takebacks(db: sqlite3.Connection, report: LoadReport, ledger: Ledger, rows: str | None) -> None:
    """Warn of each invoice that moves to another customer; count the invoices whose applied amount goes down.

    ``rows`` is ``MERGE_ROWS`` (a merge, before it writes) or None for a preview.
    """
    moved = 0
    taken_back = 0
    names: dict[int, str] = {}
    for line, number, was, now, down in db.execute(
        f"""SELECT line, invoice_number, old_customer_id, customer_id, applied_cents < old_applied_cents
            FROM {rows or _PREVIEW_ROWS}
            WHERE old_customer_id <> customer_id OR applied_cents < old_applied_cents ORDER BY line"""
    ):
        taken_back += bool(down)
        if was is not None and was != now:
            moved += 1
            names = names or ledger.names()
            report.warn(
                line,
                number,
                f"moved: invoice {printable.printable(number)} moves from customer "
                f"{names.get(was, '?')!r} to {names.get(now, '?')!r}",
            )
    report.moved = moved
    report.taken_back = taken_back


def same_file(db: sqlite3.Connection, report: LoadReport, sha256: str) -> None:
    """Warn when the file is byte for byte an earlier load's, and a load since then read another file.

    Loading it again puts back what that older export said: every payment applied since is taken
    back (``report.taken_back`` counts them, so it is said after they are counted).
    """
    if not sha256:
        return
    earlier = db.execute(
        "SELECT id, as_of, file_name FROM ingest_runs WHERE sha256 = ? AND finished_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        (sha256,),
    ).fetchone()
    if earlier is None:
        return
    report.identical_to_load = earlier[0]
    later = db.execute(
        "SELECT count(*), max(id) FROM ingest_runs WHERE id > ? AND finished_at IS NOT NULL", (earlier[0],)
    ).fetchone()
    if not later[0]:
        return  # the same file as the last load: it changes nothing
    since = f"load {later[1]}" if later[0] == 1 else f"{later[0]} loads, up to load {later[1]}"
    back = (
        f"it takes back {report.taken_back:,} payment(s) applied since"
        if report.taken_back
        else "it takes no payment back"
    )
    report.warn(
        None,
        None,
        f"same file: this file is byte for byte the one of load {earlier[0]} ({printable.path(earlier[2])}, "
        f"{earlier[1]}), and {since} came after it: loading it again puts back what it said then; {back}",
    )


def foreign_file(db: sqlite3.Connection, ledger: Ledger, report: LoadReport, staged: int, force: bool) -> None:
    """Warn when the file shares no invoice and no customer with a database that holds invoices.

    With ``--complete`` such a file would count every stored invoice missing (and ``=open`` settle the
    open ones): refused (InvalidInput, nothing written) unless ``force``.
    """
    if not staged or ledger.shares_customers():
        return  # the usual case: decided without a query
    if not db.execute("SELECT EXISTS (SELECT 1 FROM main.invoices)").fetchone()[0]:
        return
    if db.execute(
        "SELECT EXISTS (SELECT 1 FROM temp.staging AS s JOIN main.invoices AS i ON i.invoice_number = s.invoice_number)"
    ).fetchone()[0]:
        return
    held, owners = db.execute("SELECT count(*), count(DISTINCT customer_id) FROM main.invoices").fetchone()
    customers = ledger.used_count()
    what = (
        f"none of its {staged:,} invoice(s) and none of its {customers:,} customer(s) is in the database, "
        f"which holds {held:,} invoice(s) of {owners:,} customer(s)"
    )
    if report.complete and not force:
        effect = "count every invoice of the database as missing" + (
            " and settle the open ones" if report.complete == "open" else ""
        )
        option = "--complete" if report.complete == "all" else "--complete=open"
        raise InvalidInput(
            f"{printable.path(report.file)} shares nothing with the database: {what}. It looks like another "
            f"client's export, and with {option} it would {effect}; nothing was written. If it is this "
            "client's whole AR, load it again with --force."
        )
    report.warn(None, None, f"other client: {what}; is it another client's export?")

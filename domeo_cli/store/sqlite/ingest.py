"""Loading an export into the database: one transaction, streamed, counted.

A load has three parts, each holding its own state: ``Staging`` parses the
records (in a child process for a large file) into a temporary table keyed
by line, drops rows whose invoice number appears again further down, and
writes the rejects file; ``Merge`` writes new customers and contacts, then
the staged invoices into ``invoices`` with one set-based upsert that rewrites
only rows whose content changed; the ``LoadReport`` (``load_report.py``)
counts what happened. Every record read ends up counted exactly once:
inserted, updated, unchanged or rejected.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import date

from ... import csvcells, outfiles, printable
from ... import feed as feedmod
from ...csvsource import NotUtf8, Source, iter_records, open_source
from ...errors import DatabaseError, InvalidInput, OutputError
from ...feed import Feed, FeedRunner, Ledger
from ...load_report import MAX_WARNING_DETAILS, LoadReport, Rejection, RejectionList, Warning_
from ...parsing import STORED_COLUMNS, HeaderMap, RowParser, look_alike_pair
from ...phases import reached
from . import db as dbmod
from . import derived, load_checks
from .history import find_missing, keep_customer_versions, keep_versions, record_missing

__all__ = ["MAX_WARNING_DETAILS", "LoadReport", "Rejection", "RejectionList", "Warning_", "load"]

# A load of more rows than this, and than the table holds, rebuilds the indexes at the end.
REBUILD_FROM = 50_000

# The stored columns of an invoice, in staging and in ``invoices`` alike: the record's, then its customer.
INVOICE_COLUMNS = (*STORED_COLUMNS, "customer_id")
_COMPARED = INVOICE_COLUMNS[1:]
_SAME = " AND ".join(f"i.{c} IS s.{c}" for c in _COMPARED)
ProgressCallback = Callable[[int, int], None]


def load(
    db_path: str,
    file_path: str,
    *,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: str | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
    on_warning: Callable[[Warning_], None] | None = None,
    complete: str | None = None,
    as_of: str | None = None,
    force: bool = False,
) -> LoadReport:
    """Load the export at ``file_path`` (``-``: standard input) into ``db_path``.

    ``on_warning`` is told of each row-level warning as the load meets it (the load log).
    ``complete`` says what the file holds: ``"all"`` (the client's whole AR) or
    ``"open"`` (the whole open AR: an open invoice it leaves out is settled from
    this load on); None: unknown (missing open invoices are counted, never
    acted on). ``as_of`` is the date of the export, YYYY-MM-DD (default: today,
    at most tomorrow); loads are kept in date order. ``force`` loads with
    ``--complete`` a file that shares nothing with the database (else refused).

    Raises InvalidInput for a file that cannot be ingested at all (the
    database is then untouched) and DatabaseError for database trouble. Row
    problems do not raise: they are in the report's rejections. A rejects
    file that would replace the database or the input is refused first,
    before anything is read.
    """
    if complete not in (None, "all", "open"):
        raise InvalidInput(f"--complete takes nothing (the whole AR) or =open (the whole open AR), not {complete!r}.")
    from ...days import parse_iso_option, today

    day = (parse_iso_option(as_of, "--as-of") if as_of is not None else today()).isoformat()
    from .history import check_not_future

    check_not_future(day)
    if rejects_path is not None:
        outfiles.check_target(rejects_path, option="--rejects", database=db_path, inputs=(file_path,))
    source = open_source(file_path, encoding)
    # A load makes millions of short-lived tuples and no reference cycles; the
    # cyclic collector would walk every live batch again and again (a third of
    # the parsing time on a million rows), so it rests until the load is done.
    # (The parsing child, forked from here, inherits this.)
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            try:
                return _load_once(
                    source, db_path, dry_run, strict, rejects_path, progress, on_warning, (day, complete), force
                )
            except NotUtf8:
                # Not one multi-byte UTF-8 character, and bytes UTF-8 cannot hold: Excel on
                # Windows saves cp1252. The first attempt was rolled back whole.
                source.encoding = "cp1252"
            except UnicodeError as err:
                # What surrogateescape cannot carry (a broken UTF-16 or UTF-32 unit, no BOM): the file as a whole.
                advice = "" if source.explicit_encoding else "; name the file's encoding with --encoding"
                what = (
                    f"{err.reason} (bytes {err.object[err.start : err.end][:8].hex(' ')})"
                    if isinstance(err, UnicodeDecodeError)
                    else str(err)
                )
                raise InvalidInput(
                    f"{printable.path(source.name)} cannot be read as {source.encoding_name}: {what}{advice}."
                ) from None
    finally:
        source.close()
        if collecting:
            gc.enable()


class Clock:
    """The time each phase of a load took (for a benchmark's breakdown)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        """Record the time since the previous phase ended."""
        now = time.perf_counter()
        self.timings[phase] = now - self._last
        self._last = now


def _load_once(
    source: Source,
    db_path: str,
    dry_run: bool,
    strict: bool,
    rejects_path: str | None,
    progress: ProgressCallback | None,
    on_warning: Callable[[Warning_], None] | None = None,
    history: tuple[str, str | None] = ("", None),
    force: bool = False,
) -> LoadReport:
    """One attempt at loading ``source``: committed whole, or rolled back whole on any error.

    ``history`` is the export's date and what the file holds (``--complete``); ``force``: see ``load``.
    """
    records = iter_records(source)
    header = _read_header(source, records)
    report = LoadReport(
        file=source.name,
        database=db_path,
        dry_run=dry_run,
        encoding="utf-8" if source.encoding == "utf-8-sig" else source.encoding,
        ignored_columns=header.ignored,
        listener=on_warning,
        as_of=history[0],
        complete=history[1],
    )
    if source.encoding == "cp1252" and not source.explicit_encoding:
        report.warn(None, None, "encoding: the file is not UTF-8; read it as Windows-1252 (cp1252)")
    for note in source.notes:
        report.warn(None, None, f"format: {note}")

    clock = Clock()
    created = not dry_run and not os.path.exists(db_path)
    db = _open(db_path, dry_run)
    try:
        ledger = Ledger(db.execute("SELECT name_key, id, name, customer_number, parent_number FROM customers"))
        staging = Staging(db, header.columns, keep_raw=rejects_path is not None)
        if dry_run:
            from .history import check_load_date

            check_load_date(db, report.as_of)  # a dry run says so too
        run_id = None if dry_run else _start_run(db, source.name, report)
        report.run_id = run_id  # the row of ``ingest_runs`` this load writes (the load log names it)
        clock.lap("open")
        reached("opened")
        parser = RowParser(header, as_of=date.fromisoformat(report.as_of))
        staging.fill(Feed(records, parser, source, staging.keep_raw), ledger, report, progress)
        clock.lap("parse+stage")
        reached("staged")
        source.check_unchanged()  # an upload still in progress: nothing of it is loaded
        staging.drop_replaced(ledger)
        staging.warn_look_alikes(report)
        clock.lap("duplicates")
        report.customers = ledger.used_count()
        report.new_customers = len(ledger.new_customers())
        report.rejections = staging.rejections()
        report.rejected = len(report.rejections)
        if report.rows_read != staging.rows + report.rejected:  # a bug, never the user's data
            raise DatabaseError(
                f"internal count mismatch: read {report.rows_read}, staged {staging.rows}, "
                f"rejected {report.rejected}; nothing was loaded"
            )
        # Refused before anything is written, the rejects file included.
        load_checks.foreign_file(db, ledger, report, staging.rows, force)
        load_checks.stage_customers(db, ledger)
        load_checks.customer_changes(db, report)
        if rejects_path:
            try:
                staging.write_rejects(rejects_path)
            except OutputError as err:  # written before the merge: the load is rolled back below
                raise OutputError(f"{err.message[:-1]}; nothing was loaded.") from None
        if dry_run or (strict and report.rejected):
            _preview(db, staging, ledger, report)  # nothing is written, but the report says what a load would do
            db.execute("ROLLBACK")
        else:
            Merge(db, staging, ledger, report, run_id, clock).run(staging.sha256)
            reached("before_commit")
            source.check_unchanged()  # once more, as late as it can be: what is committed is the whole file
            db.execute("COMMIT")
            clock.lap("commit")
            report.committed = True
            reached("committed")
    except BaseException as err:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()
        if created:
            _remove_database(db_path)  # the load failed: leave no trace of a new file
        if isinstance(err, sqlite3.Error):
            raise dbmod.explain(err, db_path) from None
        raise
    db.close()
    if created and not report.committed:
        _remove_database(db_path)  # --strict wrote nothing: not even a new empty file
    return report


def _read_header(source: Source, records: Iterator[tuple[int, list[str] | None, str | None]]) -> HeaderMap:
    """The file's header, recognised; InvalidInput for an empty file or a header that cannot be read."""
    first = next(records, None)
    if first is None:
        raise InvalidInput(f"{printable.path(source.name)} is empty: there is no header and no invoice in it.")
    line, fields, error = first
    if fields is None or error:
        raise InvalidInput(f"The header of {printable.path(source.name)} (line {line}) cannot be read: {error}.")
    return HeaderMap.from_header(fields)


# Set on a load's connection before its transaction begins (they take effect only outside one).
_PRAGMAS = (
    "PRAGMA temp_store = FILE",  # staging spills to disk: memory stays flat
    "PRAGMA cache_size = -8192",
    "PRAGMA temp.cache_size = -8192",
    # Checked per row, the invoices' references double the cost of a large
    # insert; the merge checks them once, set-based, instead (a dry run writes nothing).
    "PRAGMA foreign_keys = OFF",
)


def _open(db_path: str, dry_run: bool) -> sqlite3.Connection:
    """The connection a load works in, inside its transaction (read-only for a dry run, or rolled back)."""
    if dry_run:
        # What the load would refuse (a missing directory, a read-only file...), the dry run refuses too.
        dbmod.check_writable(db_path)
        if os.path.exists(db_path) and os.path.getsize(db_path) > 0:
            # Inside its transaction; an older schema is upgraded there, as the load would, never committed.
            return dbmod.open_to_preview(db_path, _PRAGMAS)
        db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        dbmod.migrate(db, ":memory:")
    else:
        db = dbmod.open_for_write(db_path)
    try:
        for pragma in _PRAGMAS:
            db.execute(pragma)
        if dry_run:
            db.execute("BEGIN")  # the in-memory database of a dry run with no database yet: nothing to lock
        else:
            dbmod.load_lock(db)
    except sqlite3.Error as err:
        if db.in_transaction:
            db.execute("ROLLBACK")
        db.close()
        raise dbmod.explain(err, db_path) from None
    return db


def _start_run(db: sqlite3.Connection, file_name: str, report: LoadReport) -> int | None:
    """Record the load in ``ingest_runs``; its id marks the invoices it writes.

    A load dated before the latest one is refused (InvalidInput): history runs forward.
    """
    from .history import check_load_date

    check_load_date(db, report.as_of)
    cursor = db.execute(
        "INSERT INTO ingest_runs (started_at, file_name, encoding, as_of, complete) VALUES (?, ?, ?, ?, ?)",
        (dbmod.now_iso(), file_name, report.encoding, report.as_of, report.complete),
    )
    return cursor.lastrowid


class Staging:
    """The records of one file, parsed into temporary tables: ``staging`` (valid rows) and ``rejects``.

    Keyed by line, so staging appends: a table keyed by invoice number would
    insert at random places, three times slower on a real export. Repeated
    numbers are found once, by an index built after the last row.
    """

    def __init__(self, db: sqlite3.Connection, columns: list[str], keep_raw: bool) -> None:
        self.db = db
        self.columns = columns  # the file's header, for the rejects file
        self.keep_raw = keep_raw  # the raw fields of every row are kept for the rejects file
        self.rows = 0  # rows staged (and still there)
        self.sha256 = ""  # of the file, once filled
        stored = ", ".join(INVOICE_COLUMNS[1:])
        db.execute("DROP TABLE IF EXISTS temp.staging")
        db.execute("DROP TABLE IF EXISTS temp.rejects")
        # With each row, the customer number and parent it states (NULL: its column was empty), so that
        # a row replaced further down can be taken back whole, its customer's number and parent too.
        db.execute(
            f"CREATE TEMP TABLE staging (invoice_number TEXT, {stored}, line INTEGER PRIMARY KEY, raw TEXT, "
            "stated_number TEXT, stated_parent TEXT)"
        )
        db.execute("CREATE TEMP TABLE rejects (line INTEGER PRIMARY KEY, invoice_number TEXT, reason TEXT, raw TEXT)")
        # Rows whose invoice number is not its own fold (parsing.key_fold): few, and only those are compared.
        db.execute("DROP TABLE IF EXISTS temp.folds")
        db.execute("CREATE TEMP TABLE folds (line INTEGER PRIMARY KEY, invoice_number TEXT, fold TEXT)")
        self.folds = 0
        self._insert = f"INSERT INTO staging VALUES ({', '.join('?' for _ in range(len(INVOICE_COLUMNS) + 4))})"

    def fill(self, feed: Feed, ledger: Ledger, report: LoadReport, progress: ProgressCallback | None) -> None:
        """Parse every record (in a child process for a large file); stage valid and rejected ones."""
        db, insert = self.db, self._insert
        runner = FeedRunner(feed, parallel=feed.source.size >= feedmod.PARALLEL_FROM)
        with runner:
            for batch in runner:
                report.rows_read += batch.rows_read
                for line, number, message in batch.warnings:
                    report.warn(line, number, message)
                if batch.rows:
                    db.executemany(insert, ledger.staged(batch.rows))
                    self.rows += len(batch.rows)
                    reached("parsing")
                    for line, number, message in ledger.warnings:
                        report.warn(line, number, message)
                    ledger.warnings.clear()
                if batch.rejects:
                    db.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)", batch.rejects)
                if batch.folds:
                    db.executemany("INSERT INTO folds VALUES (?, ?, ?)", batch.folds)
                    self.folds += len(batch.folds)
                if progress is not None:
                    progress(batch.bytes_read, feed.source.size)
        assert runner.result is not None
        self.sha256 = runner.result.sha256  # the parsing side hashed every byte it read

    def drop_replaced(self, ledger: Ledger) -> None:
        """Reject every staged row whose invoice number appears again further down.

        The last row of a number wins. Building a unique index is the check: it
        costs a sort, and only a file with repeated numbers pays for the rest.
        """
        db = self.db
        try:
            db.execute("CREATE UNIQUE INDEX temp.staging_numbers ON staging (invoice_number)")
            return
        except sqlite3.IntegrityError:
            pass
        replaced = db.execute(
            """INSERT INTO rejects (line, invoice_number, reason, raw)
               SELECT d.line, d.invoice_number,
                      'InvoiceNumber appears again on line ' || d.next || ', which replaces this row', s.raw
               FROM (SELECT line, invoice_number,
                            lead(line) OVER (PARTITION BY invoice_number ORDER BY line) AS next
                     FROM staging) AS d
               JOIN staging AS s ON s.line = d.line
               WHERE d.next IS NOT NULL"""
        ).rowcount
        # A replaced row is rejected whole: the number or parent it stated for its customer is taken back.
        restated = [
            cid
            for (cid,) in db.execute(
                """SELECT DISTINCT customer_id FROM staging WHERE line IN (SELECT line FROM rejects)
                   AND coalesce(stated_number, stated_parent) IS NOT NULL"""
            )
        ]
        # Staged and rejected lines never overlap, so this removes exactly the replaced rows.
        db.execute("DELETE FROM staging WHERE line IN (SELECT line FROM rejects)")
        db.execute("CREATE UNIQUE INDEX temp.staging_numbers ON staging (invoice_number)")
        self.rows -= replaced
        for cid in restated:
            stated = db.execute(
                "SELECT stated_number, stated_parent FROM staging WHERE customer_id = ? "
                "AND coalesce(stated_number, stated_parent) IS NOT NULL ORDER BY line",
                (cid,),
            ).fetchall()
            ledger.restate(cid, stated)
        # Customers and contacts named only on replaced rows do not count.
        ledger.keep_only(
            {cid for (cid,) in db.execute("SELECT DISTINCT customer_id FROM staging")},
            {
                (cid, name, email, phone): seen
                for cid, name, email, phone, seen in db.execute(
                    """SELECT customer_id, coalesce(contact_name, ''), coalesce(contact_email, ''),
                              coalesce(contact_phone, ''), max(invoice_date)
                       FROM staging WHERE coalesce(contact_name, contact_email, contact_phone) IS NOT NULL
                       GROUP BY 1, 2, 3, 4"""
                )
            },
        )

    def warn_look_alikes(self, report: LoadReport) -> None:
        """Warn, naming both lines, of each staged invoice number that looks the same as one on an earlier line
        (``Café-1`` composed and decomposed, ``005`` and full-width ``００５``, ``X 3`` and ``X  3``): they load
        as different invoices, and a person cannot tell them apart. Only rows whose number is not its own
        fold were recorded; each is compared with the rows whose number is that fold or that fold too.
        """
        if not self.folds:
            return
        found = self.db.execute(
            """WITH members (fold, line, invoice_number) AS (
                   SELECT f.fold, f.line, f.invoice_number FROM folds AS f JOIN staging AS s ON s.line = f.line
                   UNION
                   SELECT s.invoice_number, s.line, s.invoice_number FROM staging AS s
                   WHERE s.invoice_number IN (SELECT fold FROM folds)),
               ranked AS (
                   SELECT line, invoice_number,
                          first_value(line) OVER (PARTITION BY fold ORDER BY line) AS first_line,
                          first_value(invoice_number) OVER (PARTITION BY fold ORDER BY line) AS first_number
                   FROM members)
               SELECT line, invoice_number, first_line, first_number FROM ranked
               WHERE line <> first_line ORDER BY line"""
        ).fetchall()
        for line, number, first_line, first_number in found:
            shown, first = look_alike_pair(number, first_number)
            report.warn(
                line,
                number,
                f"look-alike number: InvoiceNumber {shown} (line {line}) looks the same as {first} "
                f"(line {first_line}) but is a different number: they are loaded as two invoices",
            )

    def rejections(self) -> RejectionList:
        """Every rejection, in line order (spooled: there may be millions)."""
        return RejectionList(self.db.execute("SELECT line, invoice_number, reason FROM rejects ORDER BY line"))

    def write_rejects(self, path: str) -> None:
        """The rejected records as CSV at ``path``: their original columns, then line and reason."""
        width = len(self.columns)
        # Bytes that did not decode go back out as they came in (surrogateescape): nothing is lost.
        with outfiles.open_target(path, option="the rejects file", errors="surrogateescape") as out:
            writer = csvcells.writer(out)
            writer.writerow([*self.columns, "line", "reason"])
            for line, reason, raw in self.db.execute("SELECT line, reason, raw FROM rejects ORDER BY line"):
                fields = json.loads(raw) if raw else []
                padded = (fields + [""] * width)[:width]
                # A record with too many fields keeps its extra ones after the reason: nothing is lost.
                writer.writerow([*padded, line, reason, *fields[width:]])


def _preview(db: sqlite3.Connection, staging: Staging, ledger: Ledger, report: LoadReport) -> None:
    """The counts a load would give, for a dry run or a --strict load that writes nothing."""
    report.inserted, report.updated = db.execute(
        f"""SELECT count(*) FILTER (WHERE i.id IS NULL),
                   count(*) FILTER (WHERE i.id IS NOT NULL AND NOT ({_SAME}))
            FROM staging AS s LEFT JOIN invoices AS i ON i.invoice_number = s.invoice_number"""
    ).fetchone()
    report.unchanged = staging.rows - report.inserted - report.updated
    load_checks.moves_and_takebacks(db, report, ledger, None)
    load_checks.same_file(db, report, staging.sha256)
    _missing(db, staging, report, db.execute("SELECT count(*) FROM invoices").fetchone()[0])
    # The contacts a load would add: those of the file the database does not hold.
    db.execute("DROP TABLE IF EXISTS temp.file_contacts")
    db.execute("CREATE TEMP TABLE file_contacts (customer_id, name, email, phone)")
    db.executemany("INSERT INTO temp.file_contacts VALUES (?, ?, ?, ?)", ledger.contacts)
    report.new_contacts = db.execute(
        """SELECT count(*) FROM temp.file_contacts AS f WHERE NOT EXISTS (SELECT 1 FROM main.contacts AS c
               WHERE c.customer_id = f.customer_id AND c.name = f.name AND c.email = f.email AND c.phone = f.phone)"""
    ).fetchone()[0]
    from ...hierarchy import hierarchy_warnings

    # A warning may name a customer by its id: a new one's is the id the load would be given now, SQLite
    # giving each row the next after the highest (a preview writes nothing, so no writer can come between).
    top = db.execute("SELECT coalesce(max(id), 0) FROM customers").fetchone()[0]
    would_be = {provisional: top + n for n, (provisional, *_) in enumerate(ledger.new_customers(), start=1)}
    report.hierarchy_warnings = hierarchy_warnings((would_be.get(c, c), n, p) for c, n, p in ledger.family())


def _missing(db: sqlite3.Connection, staging: Staging, report: LoadReport, before: int) -> list[tuple[int, str]]:
    """The stored invoices this file leaves out (open ones, or all with --complete), into the report.

    Every staged row either matched a stored invoice or is new, so when
    ``before`` equals the matches, nothing is missing and nothing is searched.
    """
    if before - (staging.rows - report.inserted) <= 0:
        return []
    missing = find_missing(db, everything=report.complete == "all")
    report.missing = len(missing)
    # A file that does not say it is complete may be any part of the book (one customer's
    # invoices, say): its report names the first ones, as it does warnings, not every one.
    shown = missing if report.complete else missing[:MAX_WARNING_DETAILS]
    report.missing_invoices = [number for _, number in shown]
    return missing


class Merge:
    """Writes the staged rows, their new customers and contacts, inside the load's transaction."""

    def __init__(
        self,
        db: sqlite3.Connection,
        staging: Staging,
        ledger: Ledger,
        report: LoadReport,
        run_id: int | None,
        clock: Clock,
    ) -> None:
        self.db = db
        self.staging = staging
        self.ledger = ledger
        self.report = report
        self.run_id = run_id
        self.clock = clock
        # The highest invoice id after the merge, recorded in ``ingest_runs``: it marks a load made with
        # history kept (history.Load) and bounds the ids diff reads.
        self.last_invoice_id = 0
        # A new customer's id less its provisional id, when it is the same for all (see _customers_and_contacts).
        self.new_id_offset: int | None = None

    def run(self, sha256: str) -> None:
        """Customers and contacts, then invoices, derived tables and the run's record."""
        self._customers_and_contacts()
        self._invoices()
        self._finish_run(sha256)

    def _customers_and_contacts(self) -> None:
        db, ledger, run_id = self.db, self.ledger, self.run_id
        # New customers are written set-based, in the order the file names them; the database gives their
        # ids, read back by name key (unique) beside the provisional ids of the staged rows.
        new = ledger.new_customers()
        db.execute("DROP TABLE IF EXISTS temp.new_customers")
        db.execute(
            "CREATE TEMP TABLE new_customers (provisional INTEGER PRIMARY KEY, name TEXT, name_key TEXT, "
            "customer_number TEXT, parent_number TEXT, id INTEGER)"
        )
        db.executemany("INSERT INTO temp.new_customers VALUES (?, ?, ?, ?, ?, NULL)", new)
        db.execute(
            "INSERT INTO customers (name, name_key, customer_number, parent_number, run_id) "
            "SELECT name, name_key, customer_number, parent_number, ? FROM temp.new_customers "
            "ORDER BY provisional DESC",
            (run_id,),
        )
        db.execute(
            "UPDATE temp.new_customers SET id = (SELECT c.id FROM main.customers AS c WHERE c.name_key = "
            "new_customers.name_key)"
        )
        ids = dict(db.execute("SELECT provisional, id FROM temp.new_customers WHERE id IS NOT NULL"))
        if len(ids) != len(new):  # a bug, never the user's data
            raise DatabaseError("internal error: a new customer was not given an id; nothing was loaded")
        # SQLite gives the rows of one INSERT consecutive ids, so when every new customer the file named is
        # kept (none was named only on a row replaced further down), the k-th (provisional id -k) has the
        # first id + k - 1: a staged row's id is then worked out as it is written, at no cost, not looked up.
        offsets = {cid + provisional for provisional, cid in ids.items()}
        self.new_id_offset = offsets.pop() if len(offsets) == 1 else None
        ledger.assign_ids(ids)
        # Customers whose number or parent changes (load_checks.customer_changes found them): the
        # rows they replace are kept as versions first, as invoices' are.
        changed = "SELECT id FROM temp.customers_changed"
        keep_customer_versions(db, run_id, changed)
        db.execute(
            f"""UPDATE customers SET
                    customer_number = (SELECT f.customer_number FROM temp.customer_file AS f WHERE f.id = customers.id),
                    parent_number = (SELECT f.parent_number FROM temp.customer_file AS f WHERE f.id = customers.id),
                    run_id = ?
                WHERE id IN ({changed})""",
            (run_id,),
        )
        before = db.execute("SELECT count(*) FROM contacts").fetchone()[0]
        db.executemany(
            """INSERT INTO contacts (customer_id, name, email, phone, last_seen, first_run) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (customer_id, name, email, phone) DO UPDATE
               SET last_seen = excluded.last_seen WHERE excluded.last_seen > contacts.last_seen""",
            [(*key, seen, run_id) for key, seen in ledger.contacts.items()],
        )
        self.report.new_contacts = db.execute("SELECT count(*) FROM contacts").fetchone()[0] - before
        db.executemany(
            "INSERT OR IGNORE INTO customer_numbers (customer_id, customer_number) VALUES (?, ?)",
            sorted(ledger.replaced_numbers),
        )
        # The references the foreign keys would check row by row, checked once: a staged row names a
        # known customer or a new one the database gave an id, so a miss is a bug, never the user's data.
        orphan = db.execute(
            "SELECT line FROM staging WHERE customer_id NOT IN "
            "(SELECT id FROM main.customers UNION ALL SELECT provisional FROM temp.new_customers WHERE id IS NOT NULL) "
            "LIMIT 1"
        ).fetchone()
        if orphan is not None:
            raise DatabaseError(f"internal error: line {orphan[0]} has no customer; nothing was loaded")

    def _staged(self) -> str:
        """The stored columns of a staged row ``s`` as the merge writes them: with its customer's id."""
        new_id = (
            "(SELECT n.id FROM temp.new_customers AS n WHERE n.provisional = s.customer_id)"
            if self.new_id_offset is None
            else f"{int(self.new_id_offset)} - s.customer_id"
        )
        return ", ".join(f"s.{c}" for c in INVOICE_COLUMNS[:-1]) + (
            f", CASE WHEN s.customer_id < 0 THEN {new_id} ELSE s.customer_id END AS customer_id"
        )

    def _invoices(self) -> None:
        db, report, staged, run_id, lap = self.db, self.report, self.staging.rows, self.run_id, self.clock.lap
        before = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        columns = ", ".join(INVOICE_COLUMNS)
        # A load larger than the table: drop the secondary indexes and the rollup's
        # triggers, and build them again after the insert. An index built at the
        # end sorts once instead of inserting at random; a trigger costs a
        # statement per row, the rollup one GROUP BY.
        rebuild = staged > max(before, REBUILD_FROM)
        dropped = _secondary_indexes(db) + _invoice_triggers(db) if rebuild else []
        for kind, name, _ in dropped:
            db.execute(f'DROP {kind} "{name}"')
        if rebuild:
            reached("indexes_dropped")
        # Rows go in (and are compared) in invoice-number order, read along the staging
        # index: the unique index of invoices then grows at its end, and look-ups walk
        # it in order. In file order, an export sorted by customer would insert at
        # random places, several times slower.
        if before == 0:
            written = db.execute(
                f"INSERT INTO invoices ({columns}, run_id) SELECT {self._staged()}, ? FROM staging AS s "
                "ORDER BY invoice_number",
                (run_id,),
            ).rowcount
        else:
            # Only rows that are new or differ go on: an unchanged invoice keeps its
            # bytes and its run_id, so loading a file twice changes nothing.
            db.execute("DROP TABLE IF EXISTS temp.changed")
            # With the stored customer and applied amount beside: moves and payments taken back.
            db.execute(
                f"""CREATE TEMP TABLE changed AS
                    SELECT s.line, {self._staged()},
                           i.customer_id AS old_customer_id, i.applied_cents AS old_applied_cents
                    FROM staging AS s LEFT JOIN invoices AS i ON i.invoice_number = s.invoice_number
                    WHERE i.id IS NULL OR NOT ({_SAME}) ORDER BY s.invoice_number"""
            )
            load_checks.moves_and_takebacks(db, report, self.ledger, load_checks.MERGE_ROWS)
            # The rows about to be overwritten are kept as versions first: nothing is lost.
            keep_versions(db, run_id, "SELECT invoice_number FROM temp.changed")
            updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COMPARED, "run_id"))
            written = db.execute(
                f"""INSERT INTO invoices ({columns}, run_id)
                    SELECT {columns}, ? FROM changed WHERE true
                    ON CONFLICT (invoice_number) DO UPDATE SET {updates}""",
                (run_id,),
            ).rowcount
        lap("insert")
        reached("inserted")
        for kind, _, sql in dropped:
            if kind == "INDEX":
                db.execute(sql)
        lap("indexes")
        if rebuild:
            derived.refresh_monthly_rollup(db)
        for kind, _, sql in dropped:
            if kind == "TRIGGER":
                db.execute(sql)
        lap("rollup")
        if rebuild:
            reached("indexes_built")
        after = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        # Apart: max(id) alone is one step down the table's b-tree; beside count(*) it would read every row.
        self.last_invoice_id = db.execute("SELECT coalesce(max(id), 0) FROM invoices").fetchone()[0]
        report.inserted = after - before
        report.updated = written - report.inserted
        report.unchanged = staged - written
        load_checks.same_file(db, report, self.staging.sha256)
        if min(report.inserted, report.updated, report.unchanged) < 0:  # a bug, never the data
            raise DatabaseError(
                f"internal count mismatch: {before} invoices before, {after} after, {written} written "
                f"of {staged}; nothing was loaded"
            )
        missing = _missing(db, self.staging, report, before)
        report.settled = record_missing(db, run_id, missing, settle=report.complete == "open")
        lap("missing")
        # Parents missing from the data and loops: one warning each, on every load that has them.
        report.hierarchy_warnings = derived.refresh_customer_tree(db)
        # The triggers mark the groups stale when an open invoice was written; a rebuild
        # dropped them, so it always recomputes. Otherwise an unchanged reload costs nothing.
        if rebuild or derived.open_groups_stale(db):
            derived.refresh_open_groups(db)
        lap("groups")

    def _finish_run(self, sha256: str) -> None:
        report = self.report
        self.db.execute(
            """UPDATE ingest_runs SET finished_at = ?, sha256 = ?, rows_read = ?, inserted = ?,
                   updated = ?, unchanged = ?, rejected = ?, warnings = ?, missing = ?, settled = ?,
                   last_invoice_id = ? WHERE id = ?""",
            (
                dbmod.now_iso(),
                sha256,
                report.rows_read,
                report.inserted,
                report.updated,
                report.unchanged,
                report.rejected,
                report.warnings,
                report.missing,
                report.settled,
                self.last_invoice_id,
                self.run_id,
            ),
        )


def _secondary_indexes(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The droppable indexes of ``invoices``: ("INDEX", name, CREATE statement)."""
    return db.execute(
        "SELECT 'INDEX', name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL"
    ).fetchall()


def _invoice_triggers(db: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """The triggers on ``invoices``: ("TRIGGER", name, CREATE statement)."""
    return db.execute(
        "SELECT 'TRIGGER', name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'invoices'"
    ).fetchall()


def _remove_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass

"""Loading an export into the database: one transaction, streamed, counted.

Valid records are staged in a temporary table keyed by invoice number (so a
number repeated in the file keeps its last row, and the earlier one is
reported), then merged into ``invoices`` with one set-based upsert that
rewrites only rows whose content changed. Every record read ends up counted
exactly once: inserted, updated, unchanged or rejected.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO, overload

from . import db as dbmod
from .csvsource import Source, iter_records, open_source
from .errors import DatabaseError, InvalidInput
from .parsing import STORED, HeaderMap, RowError, RowParser

BATCH = 5000
MAX_WARNING_DETAILS = 1000

# The stored columns of an invoice, in staging and in ``invoices`` alike.
INVOICE_COLUMNS = (
    "invoice_number",
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
    "customer_id",
)
assert len(INVOICE_COLUMNS) == STORED + 1  # the parser's record order, then the customer
_COMPARED = INVOICE_COLUMNS[1:]
_SAME = " AND ".join(f"i.{c} IS s.{c}" for c in _COMPARED)

ProgressCallback = Callable[[int, int], None]

_SAME_CUSTOMER, _CHANGED_CUSTOMER, _NEW_CUSTOMER = 0, 1, 2


@dataclass(frozen=True)
class Rejection:
    """A record that was not loaded, and why."""

    line: int
    invoice_number: str | None
    reason: str

    def as_json(self) -> dict[str, object]:
        """``{"line", "invoice_number", "reason"}``."""
        return {"line": self.line, "invoice_number": self.invoice_number, "reason": self.reason}


class RejectionList(Sequence[Rejection]):
    """The rejections of a load, in line order, kept in a temporary CSV file.

    A file of garbage can have millions of rejected rows: they are spooled
    (in memory while small, on disk past a few MB) rather than held as objects.
    """

    def __init__(self, rows: Iterable[tuple[int, str | None, str]]) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=4 << 20, mode="w+", encoding="utf-8", newline="")
        writer = csv.writer(self._file)
        self._count = 0
        for line, number, reason in rows:
            writer.writerow((line, reason, number or ""))  # a number is never "": that is None
            self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Rejection]:
        """The rejections in line order (one pass at a time: the file has one position)."""
        self._file.seek(0)
        for line, reason, number in csv.reader(self._file):
            yield Rejection(int(line), number or None, reason)

    @overload
    def __getitem__(self, index: int) -> Rejection: ...
    @overload
    def __getitem__(self, index: slice) -> list[Rejection]: ...
    def __getitem__(self, index: int | slice) -> Rejection | list[Rejection]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            return list(itertools.islice(self, start, stop, step)) if step > 0 else list(self)[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("rejection index out of range")
        return next(itertools.islice(self, index, None))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


@dataclass(frozen=True)
class Warning_:
    """Something a loaded record or the file made us assume."""

    line: int | None
    invoice_number: str | None
    message: str

    @property
    def kind(self) -> str:
        """The part of the message before the colon: what sort of warning it is."""
        return self.message.split(":", 1)[0]


@dataclass
class LoadReport:
    """What a load did; ``as_json`` is the contract's report object."""

    file: str
    database: str
    dry_run: bool = False
    committed: bool = False
    encoding: str = "utf-8"
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    customers: int = 0
    new_customers: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    rejections: Sequence[Rejection] = field(default_factory=list)
    warning_details: list[Warning_] = field(default_factory=list)
    warning_kinds: dict[str, int] = field(default_factory=dict)
    # About the customer hierarchy as a whole, not about a row: kept apart from ``warnings``.
    hierarchy_warnings: list[str] = field(default_factory=list)
    run_id: int | None = None

    def warn(self, line: int | None, invoice_number: str | None, message: str) -> None:
        """Count a warning; keep the first ones in full."""
        self.warnings += 1
        item = Warning_(line, invoice_number, message)
        self.warning_kinds[item.kind] = self.warning_kinds.get(item.kind, 0) + 1
        if len(self.warning_details) < MAX_WARNING_DETAILS:
            self.warning_details.append(item)

    def as_json(self, *, with_rejections: bool = True) -> dict[str, object]:
        """The report as the JSON object scripts read."""
        document: dict[str, object] = {
            "file": self.file,
            "database": self.database,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "encoding": self.encoding,
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "customers": self.customers,
            "new_customers": self.new_customers,
            "ignored_columns": self.ignored_columns,
            "hierarchy_warnings": self.hierarchy_warnings,
            "warning_details": [
                {"line": w.line, "invoice_number": w.invoice_number, "message": w.message} for w in self.warning_details
            ],
        }
        if with_rejections:
            document["rejections"] = [r.as_json() for r in self.rejections]
        return document

    def write_json(self, out: TextIO) -> None:
        """Write ``as_json()`` to ``out``, streaming the rejections one by one (there may be millions)."""
        head = json.dumps(self.as_json(with_rejections=False), ensure_ascii=False, indent=2)
        out.write(head[: head.rindex("}")].rstrip() + ',\n  "rejections": [')
        separator = "\n    "
        for rejection in self.rejections:
            out.write(separator + json.dumps(rejection.as_json(), ensure_ascii=False))
            separator = ",\n    "
        out.write("\n  ]\n}\n" if separator != "\n    " else "]\n}\n")
        out.flush()


def load(
    db_path: str,
    file_path: str,
    *,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: str | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
) -> LoadReport:
    """Load the export at ``file_path`` (``-``: standard input) into ``db_path``.

    Raises InvalidInput for a file that cannot be ingested at all (the
    database is then untouched) and DatabaseError for database trouble. Row
    problems do not raise: they are in the report's rejections.
    """
    source = open_source(file_path, encoding)
    try:
        while True:
            try:
                return _Load(source, db_path, dry_run, strict, rejects_path, progress).run()
            except UnicodeError as err:
                if (
                    source.explicit_encoding
                    or source.encoding != "utf-8-sig"
                    or not isinstance(err, UnicodeDecodeError)
                ):
                    where = f" (byte {err.start} of a block is invalid)" if isinstance(err, UnicodeDecodeError) else ""
                    raise InvalidInput(
                        f"{source.name} cannot be read as {source.encoding}{where}; "
                        "name the file's encoding with --encoding."
                    ) from None
                # Excel on Windows saves cp1252; the first load attempt was rolled back.
                source.encoding = "cp1252"
    finally:
        source.close()


class _Load:
    """One attempt at loading a source; rolled back whole on any error."""

    def __init__(
        self,
        source: Source,
        db_path: str,
        dry_run: bool,
        strict: bool,
        rejects_path: str | None,
        progress: ProgressCallback | None,
    ) -> None:
        self.source = source
        self.db_path = db_path
        self.dry_run = dry_run
        self.strict = strict
        self.rejects_path = rejects_path
        self.progress = progress
        self.report = LoadReport(file=source.name, database=db_path, dry_run=dry_run)
        # name key -> [id, name, customer number, parent number, state]; the state says
        # what the merge must write: _SAME_CUSTOMER, _CHANGED_CUSTOMER or _NEW_CUSTOMER.
        self.customers: dict[str, list] = {}
        self.next_customer_id = 1
        self.timings: dict[str, float] = {}
        self._last_lap = time.perf_counter()

    def run(self) -> LoadReport:
        records = iter_records(self.source)
        first = next(records, None)
        if first is None:
            raise InvalidInput(f"{self.source.name} is empty: there is no header and no invoice in it.")
        line, header_fields, error = first
        if header_fields is None or error:
            raise InvalidInput(f"The header of {self.source.name} (line {line}) cannot be read: {error}.")
        header = HeaderMap.from_header(header_fields)
        parser = RowParser(header)
        self.source_header = header.columns
        report = self.report
        report.encoding = "utf-8" if self.source.encoding == "utf-8-sig" else self.source.encoding
        report.ignored_columns = header.ignored
        if self.source.encoding == "cp1252" and not self.source.explicit_encoding:
            report.warn(None, None, "encoding: the file is not UTF-8; read it as Windows-1252 (cp1252)")
        for note in self.source.notes:
            report.warn(None, None, f"format: {note}")

        created = not self.dry_run and not os.path.exists(self.db_path)
        db = self._open()
        try:
            self._lap("open")
            self._stage_all(db, parser, records)
            self._lap("parse+stage")
            self._finish(db)
        except BaseException as err:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
            if created:
                _remove_database(self.db_path)  # the load failed: leave no trace of a new file
            if isinstance(err, sqlite3.Error):
                raise dbmod.explain(err, self.db_path) from None
            raise
        db.close()
        if created and not report.committed:
            _remove_database(self.db_path)  # --strict wrote nothing: not even a new empty file
        return report

    # -- database ----------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.dry_run:
            if os.path.exists(self.db_path):
                db = dbmod.open_existing(self.db_path, readonly=True)
            else:
                db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
                dbmod.migrate(db, ":memory:")
        else:
            db = dbmod.open_for_write(self.db_path)
        try:
            db.execute("PRAGMA temp_store = FILE")  # staging spills to disk: memory stays flat
            db.execute("PRAGMA cache_size = -32768")
            db.execute("PRAGMA temp.cache_size = -32768")
            db.execute("BEGIN" if self.dry_run else "BEGIN IMMEDIATE")
            for key, cid, name, number, parent in db.execute(
                "SELECT name_key, id, name, customer_number, parent_number FROM customers"
            ):
                self.customers[key] = [cid, name, number, parent, _SAME_CUSTOMER]
                self.next_customer_id = max(self.next_customer_id, cid + 1)
            self._create_staging(db)
            if not self.dry_run:
                cursor = db.execute(
                    "INSERT INTO ingest_runs (started_at, file_name, encoding) VALUES (?, ?, ?)",
                    (dbmod.now_iso(), self.source.name, self.report.encoding),
                )
                self.report.run_id = cursor.lastrowid
        except sqlite3.Error as err:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
            raise dbmod.explain(err, self.db_path) from None
        return db

    def _create_staging(self, db: sqlite3.Connection) -> None:
        columns = ", ".join(INVOICE_COLUMNS[1:])
        db.execute("DROP TABLE IF EXISTS temp.staging")
        db.execute("DROP TABLE IF EXISTS temp.rejects")
        db.execute(
            f"CREATE TEMP TABLE staging (invoice_number TEXT PRIMARY KEY, {columns}, line INTEGER, raw TEXT) "
            "WITHOUT ROWID"
        )
        db.execute("CREATE TEMP TABLE rejects (line INTEGER PRIMARY KEY, invoice_number TEXT, reason TEXT, raw TEXT)")
        # A later row with the same number replaces the staged one: report the earlier.
        db.execute(
            """CREATE TEMP TRIGGER staging_replaced BEFORE UPDATE ON staging BEGIN
                 INSERT INTO rejects VALUES (old.line, old.invoice_number,
                   'InvoiceNumber appears again on line ' || new.line || ', which replaces this row',
                   old.raw);
               END"""
        )
        placeholders = ", ".join("?" for _ in range(len(INVOICE_COLUMNS) + 2))
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*INVOICE_COLUMNS[1:], "line", "raw"))
        self.stage_sql = (
            f"INSERT INTO staging VALUES ({placeholders}) ON CONFLICT (invoice_number) DO UPDATE SET {updates}"
        )

    # -- records -----------------------------------------------------------------

    def _customer_id(self, key: str, name: str, number: str | None, parent: str | None) -> int:
        """The id of the customer with this name key; a new one gets the next free id.

        Ids are handed out here, under the load's write lock, so that new
        customers are written in one batch at the merge instead of row by row.
        """
        entry = self.customers.get(key)
        if entry is None:
            cid = self.next_customer_id
            self.next_customer_id += 1
            self.customers[key] = [cid, name, number, parent, _NEW_CUSTOMER]
            return cid
        # The latest row that states a number wins: exports are snapshots over time.
        if number is not None and number != entry[2]:
            entry[2] = number
            entry[4] = entry[4] or _CHANGED_CUSTOMER
        if parent is not None and parent != entry[3]:
            entry[3] = parent
            entry[4] = entry[4] or _CHANGED_CUSTOMER
        return entry[0]

    def _stage_all(self, db: sqlite3.Connection, parser: RowParser, records) -> None:
        """Parse every record; stage the valid ones and the rejected ones, batch by batch."""
        report = self.report
        keep_raw = self.rejects_path is not None
        batch: list[tuple] = []
        rejects: list[tuple] = []
        parse = parser.parse
        customer_id = self._customer_id
        writer = _StagingWriter(db, self.stage_sql)
        try:
            for line, fields, error in records:
                report.rows_read += 1
                if error is not None:
                    number = parser.invoice_number_of(fields) if fields is not None else None
                    rejects.append((line, number, error, json.dumps(fields) if keep_raw and fields else None))
                else:
                    try:
                        rec, warnings = parse(fields)
                    except RowError as err:
                        raw = json.dumps(fields) if keep_raw else None
                        rejects.append((line, parser.invoice_number_of(fields), str(err), raw))
                    else:
                        for message in warnings:
                            report.warn(line, rec.invoice_number, message)
                        cid = customer_id(rec.customer_key, rec.customer_name, rec.customer_number, rec.parent_number)
                        batch.append((*rec[:STORED], cid, line, json.dumps(fields) if keep_raw else None))
                if len(batch) >= BATCH or len(rejects) >= BATCH:
                    writer.put(batch, rejects)
                    batch, rejects = [], []
                    if self.progress is not None:
                        self.progress(self.source.bytes_read, self.source.size)
            writer.put(batch, rejects)
        finally:
            writer.close()
        if self.progress is not None:
            self.progress(self.source.bytes_read, self.source.size)

    # -- merge -------------------------------------------------------------------

    def _finish(self, db: sqlite3.Connection) -> None:
        report = self.report
        # Customers of the rows that survive: one named only on a replaced row is not created.
        used = {cid for (cid,) in db.execute("SELECT DISTINCT customer_id FROM staging")}
        self.new_customers = [
            (e[0], e[1], key, e[2], e[3]) for key, e in self.customers.items() if e[4] == _NEW_CUSTOMER and e[0] in used
        ]
        report.customers = len(used)
        report.new_customers = len(self.new_customers)
        staged = self.staged = db.execute("SELECT count(*) FROM staging").fetchone()[0]
        report.rejections = RejectionList(db.execute("SELECT line, invoice_number, reason FROM rejects ORDER BY line"))
        report.rejected = len(report.rejections)
        if report.rows_read != staged + report.rejected:  # a bug, never the user's data
            raise DatabaseError(
                f"internal count mismatch: read {report.rows_read}, staged {staged}, "
                f"rejected {report.rejected}; nothing was loaded"
            )
        if self.rejects_path:
            self._write_rejects(db)
        if self.dry_run or (self.strict and report.rejected):
            # Nothing is written, but the report still says what a load would do.
            report.inserted, report.updated = db.execute(
                f"""SELECT count(*) FILTER (WHERE i.id IS NULL),
                           count(*) FILTER (WHERE i.id IS NOT NULL AND NOT ({_SAME}))
                    FROM staging AS s LEFT JOIN invoices AS i ON i.invoice_number = s.invoice_number"""
            ).fetchone()
            report.unchanged = staged - report.inserted - report.updated
            from .hierarchy import hierarchy_warnings

            family = [(e[0], e[2], e[3]) for e in self.customers.values() if e[4] != _NEW_CUSTOMER or e[0] in used]
            report.hierarchy_warnings = hierarchy_warnings(family)
            db.execute("ROLLBACK")
            return
        self._merge(db)
        self._lap("merge")
        db.execute("COMMIT")
        self._lap("commit")
        report.committed = True

    def _lap(self, phase: str) -> None:
        """Record the time since the previous phase ended (for the benchmark's breakdown)."""
        now = time.perf_counter()
        self.timings[phase] = now - self._last_lap
        self._last_lap = now

    def _merge(self, db: sqlite3.Connection) -> None:
        report = self.report
        db.executemany(
            "INSERT INTO customers (id, name, name_key, customer_number, parent_number) VALUES (?, ?, ?, ?, ?)",
            self.new_customers,
        )
        db.executemany(
            "UPDATE customers SET customer_number = ?, parent_number = ? WHERE id = ?",
            [(e[2], e[3], e[0]) for e in self.customers.values() if e[4] == _CHANGED_CUSTOMER],
        )
        db.execute(
            """INSERT INTO contacts (customer_id, name, email, phone, last_seen)
               SELECT customer_id, coalesce(contact_name, ''), coalesce(contact_email, ''),
                      coalesce(contact_phone, ''), max(invoice_date)
               FROM staging
               WHERE coalesce(contact_name, contact_email, contact_phone) IS NOT NULL
               GROUP BY 1, 2, 3, 4
               ON CONFLICT (customer_id, name, email, phone) DO UPDATE
               SET last_seen = excluded.last_seen WHERE excluded.last_seen > contacts.last_seen"""
        )
        before = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        columns = ", ".join(INVOICE_COLUMNS)
        rebuild = self.staged > max(before, 50_000)
        indexes = _secondary_indexes(db) if rebuild else []
        # A load larger than the table: drop the secondary indexes and build them
        # again after the insert, which sorts once instead of inserting at random.
        for name, _ in indexes:
            db.execute(f'DROP INDEX "{name}"')
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COMPARED, "run_id"))
        changed = " OR ".join(f"invoices.{c} IS NOT excluded.{c}" for c in _COMPARED)
        # Only rows whose content differs are rewritten: an unchanged invoice keeps
        # its bytes and its run_id, so loading a file twice changes nothing.
        written = db.execute(
            f"""INSERT INTO invoices ({columns}, run_id)
                SELECT {columns}, ? FROM staging WHERE true
                ON CONFLICT (invoice_number) DO UPDATE SET {updates} WHERE {changed}""",
            (report.run_id,),
        ).rowcount
        for _, sql in indexes:
            db.execute(sql)
        after = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        report.inserted = after - before
        report.updated = written - report.inserted
        report.unchanged = self.staged - written
        if min(report.inserted, report.updated, report.unchanged) < 0:  # a bug, never the data
            raise DatabaseError(
                f"internal count mismatch: {before} invoices before, {after} after, {written} written "
                f"of {self.staged}; nothing was loaded"
            )
        from .hierarchy import refresh

        # Parents missing from the data and loops: one warning each, on every load that has them.
        report.hierarchy_warnings = refresh(db)
        db.execute(
            """UPDATE ingest_runs SET finished_at = ?, sha256 = ?, rows_read = ?, inserted = ?,
                   updated = ?, unchanged = ?, rejected = ?, warnings = ? WHERE id = ?""",
            (
                dbmod.now_iso(),
                self.source.sha256,
                report.rows_read,
                report.inserted,
                report.updated,
                report.unchanged,
                report.rejected,
                report.warnings,
                report.run_id,
            ),
        )

    def _write_rejects(self, db: sqlite3.Connection) -> None:

        columns = self.source_header
        width = len(columns)
        path = self.rejects_path
        assert path is not None
        fd = _open_private(path)
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([*columns, "line", "reason"])
            for line, reason, raw in db.execute("SELECT line, reason, raw FROM rejects ORDER BY line"):
                fields = json.loads(raw) if raw else []
                padded = (fields + [""] * width)[:width]
                # A record with too many fields keeps its extra ones after the reason: nothing is lost.
                writer.writerow([*padded, line, reason, *fields[width:]])


class _StagingWriter:
    """Stages batches on a second thread, so SQLite's work overlaps the parsing.

    sqlite3 releases the GIL while SQLite runs a statement, so on two cores
    the B-tree inserts of one batch proceed while Python parses the next.
    The parsing thread never touches the connection until ``close``.
    """

    def __init__(self, db: sqlite3.Connection, stage_sql: str) -> None:
        import queue
        import threading

        self._db = db
        self._stage_sql = stage_sql
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="domeo-stage", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain, so the parser never blocks on a full queue
            batch, rejects = item
            try:
                if batch:
                    self._db.executemany(self._stage_sql, batch)
                if rejects:
                    self._db.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)", rejects)
            except BaseException as err:  # noqa: BLE001 - handed to the parsing thread
                self._error = err

    def put(self, batch: list[tuple], rejects: list[tuple]) -> None:
        """Queue a batch; raise at once if an earlier one failed."""
        if self._error is not None:
            raise self._error
        self._queue.put((batch, rejects))

    def close(self) -> None:
        """Wait for the queued batches; raise the first error, unless one is already raised."""
        import sys

        self._queue.put(None)
        self._thread.join()
        if self._error is not None and sys.exc_info()[1] is None:
            raise self._error


def _secondary_indexes(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The droppable indexes of ``invoices`` (name, CREATE statement)."""
    return db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL"
    ).fetchall()


def _open_private(path: str) -> int:
    """Open ``path`` for writing; a new file is readable by its owner only."""
    try:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as err:
        raise InvalidInput(f"Cannot write the rejects file {path}: {err.strerror or err}.") from None


def _remove_database(path: str) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(path + suffix)
        except OSError:
            pass

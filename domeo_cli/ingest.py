"""Loading an export into the database: one transaction, streamed, counted.

Valid records are staged in a temporary table keyed by invoice number (so a
number repeated in the file keeps its last row, and the earlier one is
reported), then merged into ``invoices`` with one set-based upsert that
rewrites only rows whose content changed. Every record read ends up counted
exactly once: inserted, updated, unchanged or rejected.
"""

from __future__ import annotations

import csv
import gc
import itertools
import json
import os
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO, overload

from . import csvcells, outfiles, printable
from . import db as dbmod
from . import feed as feedmod
from .csvsource import NotUtf8, Source, iter_records, open_source
from .errors import DatabaseError, InvalidInput
from .feed import (
    CHANGED_CUSTOMER,
    ID,
    NAME,
    NEW_CUSTOMER,
    NUMBER,
    PARENT,
    SAME_CUSTOMER,
    STATE,
    USED,
    Feed,
    FeedRunner,
    Ledger,
)
from .parsing import STORED, HeaderMap, RowParser

MAX_WARNING_DETAILS = 1000
# A load of more rows than this, and than the table holds, rebuilds the indexes at the end.
REBUILD_FROM = 50_000

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

    def ignored_columns_line(self, shown: int = 8) -> str:
        """``Columns ignored: a, b, … and N more``: a few names, each cut short, for a person to read."""
        names = [printable.printable(c if len(c) <= 40 else c[:40] + "…") or "''" for c in self.ignored_columns[:shown]]
        more = len(self.ignored_columns) - shown
        return "Columns ignored: " + ", ".join(names) + (f" and {more:,} more" if more > 0 else "")

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

    def write_json(self, out: TextIO, *, indent: bool = False) -> None:
        """Write ``as_json()`` to ``out``, streaming the rejections one by one (there may be millions).

        One line by default (for a pipe, as every report); ``indent`` lays it out for a person.
        """
        head = _escape_c1(
            json.dumps(self.as_json(with_rejections=False), ensure_ascii=False, indent=2 if indent else None)
        )
        first, between, last = ("\n    ", ",\n    ", "\n  ]\n}\n") if indent else ("", ", ", "]}\n")
        out.write(head[: head.rindex("}")].rstrip() + (',\n  "rejections": [' if indent else ', "rejections": ['))
        separator = first
        for rejection in self.rejections:
            text = json.dumps(rejection.as_json(), ensure_ascii=False)
            out.write(separator + (text if text.isascii() else _escape_c1(text)))
            separator = between
        out.write(last if separator != first else "]\n}\n" if indent else "]}\n")
        out.flush()


def _escape_c1(text: str) -> str:
    """DEL and C1 controls as \\u escapes (json leaves them raw; U+009B is a terminal's CSI): the same JSON."""
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m[0]):04x}", text)


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
    problems do not raise: they are in the report's rejections. A rejects
    file that would replace the database or the input is refused first,
    before anything is read.
    """
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
                return _Load(source, db_path, dry_run, strict, rejects_path, progress).run()
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
        # name key -> [id, name, customer number, parent number, state, used] (see feed.py)
        self.customers: dict[str, list] = {}
        self.contacts: dict[tuple[int, str, str, str], str] = {}
        self.sha256 = ""
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
            db.execute("PRAGMA cache_size = -8192")
            db.execute("PRAGMA temp.cache_size = -8192")
            # Checked per row, the invoices' references double the cost of a large
            # insert; _merge checks them once, set-based, instead. (The pragma only
            # takes effect outside a transaction, hence here.)
            db.execute("PRAGMA foreign_keys = OFF")
            db.execute("BEGIN" if self.dry_run else "BEGIN IMMEDIATE")
            for key, cid, name, number, parent in db.execute(
                "SELECT name_key, id, name, customer_number, parent_number FROM customers"
            ):
                self.customers[key] = [cid, name, number, parent, SAME_CUSTOMER, False]
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
        # Keyed by line, so staging appends: a table keyed by invoice number
        # would insert at random places, three times slower on a real export.
        # Repeated numbers are found once, by an index built after the last row.
        db.execute(f"CREATE TEMP TABLE staging (invoice_number TEXT, {columns}, line INTEGER PRIMARY KEY, raw TEXT)")
        db.execute("CREATE TEMP TABLE rejects (line INTEGER PRIMARY KEY, invoice_number TEXT, reason TEXT, raw TEXT)")
        placeholders = ", ".join("?" for _ in range(len(INVOICE_COLUMNS) + 2))
        self.stage_sql = f"INSERT INTO staging VALUES ({placeholders})"

    # -- records -----------------------------------------------------------------

    def _stage_all(self, db: sqlite3.Connection, parser: RowParser, records) -> None:
        """Parse every record (in a child process for a large file); stage valid and rejected ones."""
        report = self.report
        feed = Feed(records, parser, self.source, self.rejects_path is not None)
        runner = FeedRunner(feed, parallel=self.source.size >= feedmod.PARALLEL_FROM)
        ledger = Ledger(self.customers, self.next_customer_id)
        stage_sql = self.stage_sql
        self.staged = 0
        with runner:
            for batch in runner:
                report.rows_read += batch.rows_read
                for line, number, message in batch.warnings:
                    report.warn(line, number, message)
                if batch.rows:
                    db.executemany(stage_sql, ledger.staged(batch.rows))
                    self.staged += len(batch.rows)
                    for line, number, message in ledger.warnings:
                        report.warn(line, number, message)
                    ledger.warnings.clear()
                if batch.rejects:
                    db.executemany("INSERT INTO rejects VALUES (?, ?, ?, ?)", batch.rejects)
                if self.progress is not None:
                    self.progress(batch.bytes_read, self.source.size)
        result = runner.result
        assert result is not None
        self.contacts, self.sha256 = ledger.contacts, result.sha256

    def _drop_replaced(self, db: sqlite3.Connection) -> int:
        """Reject every staged row whose invoice number appears again further down; return how many.

        The last row of a number wins. Building a unique index is the check: it
        costs a sort, and only a file with repeated numbers pays for the rest.
        """
        try:
            db.execute("CREATE UNIQUE INDEX temp.staging_numbers ON staging (invoice_number)")
            return 0
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
        # Staged and rejected lines never overlap, so this removes exactly the replaced rows.
        db.execute("DELETE FROM staging WHERE line IN (SELECT line FROM rejects)")
        db.execute("CREATE UNIQUE INDEX temp.staging_numbers ON staging (invoice_number)")
        # Customers and contacts named only on replaced rows do not count.
        used = {cid for (cid,) in db.execute("SELECT DISTINCT customer_id FROM staging")}
        for entry in self.customers.values():
            entry[USED] = entry[ID] in used
        self.contacts = {
            (cid, name, email, phone): seen
            for cid, name, email, phone, seen in db.execute(
                """SELECT customer_id, coalesce(contact_name, ''), coalesce(contact_email, ''),
                          coalesce(contact_phone, ''), max(invoice_date)
                   FROM staging WHERE coalesce(contact_name, contact_email, contact_phone) IS NOT NULL
                   GROUP BY 1, 2, 3, 4"""
            )
        }
        return replaced

    # -- merge -------------------------------------------------------------------

    def _finish(self, db: sqlite3.Connection) -> None:
        report = self.report
        self.staged -= self._drop_replaced(db)
        self._lap("duplicates")
        staged = self.staged
        # Customers of the rows that survive: one named only on a replaced row is not created.
        self.new_customers = [
            (e[ID], e[NAME], key, e[NUMBER], e[PARENT])
            for key, e in self.customers.items()
            if e[STATE] == NEW_CUSTOMER and e[USED]
        ]
        report.customers = sum(1 for e in self.customers.values() if e[USED])
        report.new_customers = len(self.new_customers)
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

            family = [
                (e[ID], e[NUMBER], e[PARENT]) for e in self.customers.values() if e[STATE] != NEW_CUSTOMER or e[USED]
            ]
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
            [(e[NUMBER], e[PARENT], e[ID]) for e in self.customers.values() if e[STATE] == CHANGED_CUSTOMER],
        )
        db.executemany(
            """INSERT INTO contacts (customer_id, name, email, phone, last_seen) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (customer_id, name, email, phone) DO UPDATE
               SET last_seen = excluded.last_seen WHERE excluded.last_seen > contacts.last_seen""",
            [(*key, seen) for key, seen in self.contacts.items()],
        )
        # The references the foreign keys would check row by row, checked once: customer ids
        # are handed out by the Ledger, so a miss is a bug, never the user's data.
        orphan = db.execute(
            "SELECT line FROM staging WHERE customer_id NOT IN (SELECT id FROM customers) LIMIT 1"
        ).fetchone()
        if orphan is not None:
            raise DatabaseError(f"internal error: line {orphan[0]} has no customer; nothing was loaded")
        before = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        columns = ", ".join(INVOICE_COLUMNS)
        # A load larger than the table: drop the secondary indexes and the rollup's
        # triggers, and build them again after the insert. An index built at the
        # end sorts once instead of inserting at random; a trigger costs a
        # statement per row, the rollup one GROUP BY.
        rebuild = self.staged > max(before, REBUILD_FROM)
        dropped = _secondary_indexes(db) + _invoice_triggers(db) if rebuild else []
        for kind, name, _ in dropped:
            db.execute(f'DROP {kind} "{name}"')
        # Rows go in (and are compared) in invoice-number order, read along the staging
        # index: the unique index of invoices then grows at its end, and look-ups walk
        # it in order. In file order, an export sorted by customer would insert at
        # random places, several times slower.
        if before == 0:
            written = db.execute(
                f"INSERT INTO invoices ({columns}, run_id) SELECT {columns}, ? FROM staging ORDER BY invoice_number",
                (report.run_id,),
            ).rowcount
        else:
            # Only rows that are new or differ go on: an unchanged invoice keeps its
            # bytes and its run_id, so loading a file twice changes nothing.
            db.execute("DROP TABLE IF EXISTS temp.changed")
            db.execute(
                f"""CREATE TEMP TABLE changed AS SELECT s.* FROM staging AS s
                    LEFT JOIN invoices AS i ON i.invoice_number = s.invoice_number
                    WHERE i.id IS NULL OR NOT ({_SAME}) ORDER BY s.invoice_number"""
            )
            updates = ", ".join(f"{c} = excluded.{c}" for c in (*_COMPARED, "run_id"))
            written = db.execute(
                f"""INSERT INTO invoices ({columns}, run_id)
                    SELECT {columns}, ? FROM changed WHERE true
                    ON CONFLICT (invoice_number) DO UPDATE SET {updates}""",
                (report.run_id,),
            ).rowcount
        self._lap("insert")
        for kind, _, sql in dropped:
            if kind == "INDEX":
                db.execute(sql)
        self._lap("indexes")
        if rebuild:
            db.execute("DELETE FROM billing_by_month")
            db.execute(
                """INSERT INTO billing_by_month (month, currency, invoices, bill_total_cents)
                   SELECT substr(invoice_date, 1, 7), currency, count(*), sum(bill_total_cents)
                   FROM invoices GROUP BY 1, 2"""
            )
        for kind, _, sql in dropped:
            if kind == "TRIGGER":
                db.execute(sql)
        self._lap("rollup")
        after = db.execute("SELECT count(*) FROM invoices").fetchone()[0]
        report.inserted = after - before
        report.updated = written - report.inserted
        report.unchanged = self.staged - written
        if min(report.inserted, report.updated, report.unchanged) < 0:  # a bug, never the data
            raise DatabaseError(
                f"internal count mismatch: {before} invoices before, {after} after, {written} written "
                f"of {self.staged}; nothing was loaded"
            )
        from . import open_groups
        from .hierarchy import refresh

        # Parents missing from the data and loops: one warning each, on every load that has them.
        report.hierarchy_warnings = refresh(db)
        # The triggers mark the groups stale when an open invoice was written; a rebuild
        # dropped them, so it always recomputes. Otherwise an unchanged reload costs nothing.
        if rebuild or open_groups.is_stale(db):
            open_groups.refresh(db)
        self._lap("groups")
        db.execute(
            """UPDATE ingest_runs SET finished_at = ?, sha256 = ?, rows_read = ?, inserted = ?,
                   updated = ?, unchanged = ?, rejected = ?, warnings = ? WHERE id = ?""",
            (
                dbmod.now_iso(),
                self.sha256,
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
        # Bytes that did not decode go back out as they came in (surrogateescape): nothing is lost.
        with outfiles.open_target(path, option="the rejects file", errors="surrogateescape") as out:
            writer = csvcells.writer(out)
            writer.writerow([*columns, "line", "reason"])
            for line, reason, raw in db.execute("SELECT line, reason, raw FROM rejects ORDER BY line"):
                fields = json.loads(raw) if raw else []
                padded = (fields + [""] * width)[:width]
                # A record with too many fields keeps its extra ones after the reason: nothing is lost.
                writer.writerow([*padded, line, reason, *fields[width:]])


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

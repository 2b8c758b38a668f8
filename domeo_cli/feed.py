"""The parsing side of a load: records in, batches of rows ready to stage out.

Validating a row is pure Python and holds the GIL; staging it is SQLite's
work. On a large file the parsing runs in a forked child process and hands
its batches over a pipe, so the two halves of a load each have a core: the
child validates batch n+1 while the parent writes batch n. Small files are
parsed in-process, where a fork would cost more than it saves. Both ways run
the same code and give the same batches.

The ``Ledger`` stays in the parent, next to SQLite: it gives each parsed row
its customer's id and keeps the contacts, on the rows as they arrive.
"""

from __future__ import annotations

import json
import marshal
import os
import pickle
import signal
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .csvsource import Source
from .errors import DatabaseError
from .parsing import FIELD_AT, STORED, RowError, RowParser, key_fold, look_alike_pair, normalise_header

BATCH = 5000
# Below this many bytes (about 20,000 rows) a load is parsed in-process.
PARALLEL_FROM = 4 << 20

# A customer entry's state: what the merge must write for it.
SAME_CUSTOMER, CHANGED_CUSTOMER, NEW_CUSTOMER = 0, 1, 2

# Where the Ledger finds what it needs in a parsed row: ``(*InvoiceRecord, line, raw)``.
_DATE, _CONTACT, _PHONE, _EMAIL = (
    FIELD_AT[f] for f in ("invoice_date", "contact_name", "contact_phone", "contact_email")
)
_NAME, _KEY, _NUMBER, _PARENT = (
    FIELD_AT[f] for f in ("customer_name", "customer_key", "customer_number", "parent_number")
)
_LINE = len(FIELD_AT)


class CustomerEntry:
    """One customer as the load knows it: from the database, or new in this file."""

    __slots__ = ("id", "name", "number", "parent", "state", "used", "number_at", "parent_at")

    def __init__(self, id: int, name: str, number: str | None, parent: str | None, state: int, used: bool) -> None:  # noqa: A002
        self.id = id
        self.name = name
        self.number = number
        self.parent = parent
        self.state = state  # SAME_CUSTOMER, CHANGED_CUSTOMER or NEW_CUSTOMER: what the merge writes
        self.used = used  # True once a staged row names the customer
        # (line, invoice number) of the row that gave the number, and the parent, this load keeps
        self.number_at: tuple[int, str] | None = None
        self.parent_at: tuple[int, str] | None = None


@dataclass
class Batch:
    """Up to BATCH records, parsed."""

    rows: list[tuple]  # (*InvoiceRecord, line, raw): valid records
    rejects: list[tuple]  # (line, invoice_number, reason, raw)
    warnings: list[tuple]  # (line, invoice_number, message)
    rows_read: int
    bytes_read: int
    # (line, invoice_number, fold) of each valid row whose number differs from its fold (key_fold):
    # the loader looks for a number the same to the eye on another row.
    folds: list[tuple]


@dataclass
class FeedResult:
    """What the parsing learnt about the file as a whole."""

    sha256: str  # of every byte read


class Feed:
    """Parses the records of one file into batches: valid rows, rejections and warnings."""

    def __init__(
        self,
        records: Iterator[tuple[int, list[str] | None, str | None]],
        parser: RowParser,
        source: Source,
        keep_raw: bool,
    ) -> None:
        self.records = records
        self.parser = parser
        self.source = source
        self.keep_raw = keep_raw
        self._header = tuple(normalise_header(column) for column in parser.header.columns)

    def _reason(self, fields: list[str], err: RowError) -> str:
        """Why a record was rejected; the header line again (two exports joined) is said as such."""
        if len(fields) == len(self._header) and tuple(normalise_header(f) for f in fields) == self._header:
            return "is the header line again (two exports joined into one file?); it is not an invoice"
        return str(err)

    def result(self) -> FeedResult:
        """The file's hash, once every batch has been read."""
        return FeedResult(self.source.sha256)

    def batches(self) -> Iterator[Batch]:
        """Parse every record; yield them BATCH at a time."""
        parse = self.parser.parse
        number_of = self.parser.invoice_number_of
        keep_raw = self.keep_raw
        source = self.source
        rows: list[tuple] = []
        rejects: list[tuple] = []
        warnings: list[tuple] = []
        folds: list[tuple] = []
        read = 0
        for line, fields, error in self.records:
            read += 1
            if error is not None:
                number = number_of(fields) if fields is not None else None
                if number is not None and not number.isascii():
                    number = _decodable(number)
                rejects.append((line, number, error, json.dumps(fields) if keep_raw and fields else None))
            else:
                try:
                    rec, notes = parse(fields)
                except RowError as err:
                    rejects.append(
                        (line, number_of(fields), self._reason(fields, err), json.dumps(fields) if keep_raw else None)
                    )
                else:
                    for message in notes:
                        warnings.append((line, rec[0], message))
                    rows.append(rec + (line, json.dumps(fields) if keep_raw else None))
                    number = rec[0]
                    if not (number.isascii() and number.isalnum()):
                        fold = key_fold(number)
                        if fold != number:
                            folds.append((line, number, fold))
            if len(rows) >= BATCH or len(rejects) >= BATCH:
                yield Batch(rows, rejects, warnings, read, source.bytes_read, folds)
                rows, rejects, warnings, folds, read = [], [], [], [], 0
        yield Batch(rows, rejects, warnings, read, source.bytes_read, folds)


def _decodable(text: str) -> str:
    """``text`` with bytes that did not decode (lone surrogates) shown as U+FFFD: it goes to JSON and UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class Ledger:
    """Customers and contacts of the rows being loaded; turns parsed rows into staged ones.

    Every staged row carries its customer's id: a known customer's, or for a
    new customer a provisional one (-1, -2, ... in the order the file names
    them), never a database id. The database gives new customers their ids
    when the merge writes them, in one batch (``assign_ids``): no id is worked
    out here, so nothing assumes the load is the database's only writer. This
    runs in the parent, next to SQLite: the parsing child is the busier of the two.
    """

    def __init__(self, known: Iterable[tuple[str, int, str, str | None, str | None]]) -> None:
        """``known``: the database's customers as (name key, id, name, customer number, parent number)."""
        self.customers: dict[str, CustomerEntry] = {
            key: CustomerEntry(cid, name, number, parent, SAME_CUSTOMER, False)
            for key, cid, name, number, parent in known
        }
        # Each known customer's number and parent as stored, before this file.
        self._stored = {e.id: (e.number, e.parent) for e in self.customers.values()}
        self._new = 0  # new customers met so far: the next one's provisional id is -(this + 1)
        # (customer id, name, email, phone) -> the latest invoice date it appears on
        self.contacts: dict[tuple[int, str, str, str], str] = {}
        # (line, invoice number, message) for the caller to report; emptied by it.
        self.warnings: list[tuple[int, str, str]] = []
        # In this file: customer number -> (name key, name, line) of its first row, and
        # name key -> (number, line) of the first number it was given.
        self._number_names: dict[str, tuple[str, str, int]] = {}
        self._name_numbers: dict[str, tuple[str, int]] = {}
        self._warned: set[tuple[str, str]] = set()
        # Customer and parent numbers of this file by their fold (parsing.key_fold): (number, column, line).
        self._folds: dict[str, tuple[str, str, int]] = {}
        self._fold_warned: set[str] = set()
        # (customer id, number) a later row replaced: kept, so `domeo check` sees a name with two numbers
        self.replaced_numbers: set[tuple[int, str]] = set()

    def staged(self, rows: list[tuple]) -> list[tuple]:
        """``(*record[:STORED], customer_id, line, raw)`` for each ``(*InvoiceRecord, line, raw)``."""
        customers = self.customers
        contacts = self.contacts
        out = []
        for rec in rows:
            # rec: an InvoiceRecord's fields by position (this runs for every row), then line and raw
            number, parent = rec[_NUMBER], rec[_PARENT]
            entry = customers.get(rec[_KEY])
            if (
                entry is None
                or not entry.used
                or (number is not None and number != entry.number)
                or (parent is not None and parent != entry.parent)
            ):
                if number is not None:
                    self._check_number(rec[_KEY], rec[_NAME], number, rec[_LINE], rec[0])
                    self._check_fold(number, "customer number", rec[_LINE], rec[0])
                if parent is not None:
                    self._check_fold(parent, "parent customer", rec[_LINE], rec[0])
                entry = self._customer(rec[_KEY], rec[_NAME], number, parent, rec[_LINE], rec[0])
            cid = entry.id
            out.append(rec[:STORED] + (cid,) + rec[_LINE:] + (number, parent))
            if rec[_CONTACT] is not None or rec[_PHONE] is not None or rec[_EMAIL] is not None:
                # (customer, contact name, email, phone): the contacts table's key
                key = (cid, rec[_CONTACT] or "", rec[_EMAIL] or "", rec[_PHONE] or "")
                seen = contacts.get(key)
                if seen is None or rec[_DATE] > seen:
                    contacts[key] = rec[_DATE]
        return out

    def keep_only(self, used_ids: set[int], contacts: dict[tuple[int, str, str, str], str]) -> None:
        """What survives once replaced rows are dropped: the customers and contacts of the rows that stay."""
        for entry in self.customers.values():
            entry.used = entry.id in used_ids
        self.contacts = contacts

    def restate(self, customer_id: int, stated: list[tuple[str | None, str | None]]) -> None:
        """Work a customer's number and parent out again from the rows that stay: ``(number, parent)`` each,
        in line order (None: not stated). Called once rows replaced further down are dropped: what only a
        rejected row stated changes nothing, and the numbers it alone replaced were never replaced.
        """
        entry = next(e for e in self.customers.values() if e.id == customer_id)
        number, parent = self._stored.get(customer_id, (None, None))
        given = [n for n, _ in stated if n is not None]
        for n, p in stated:
            number, parent = n if n is not None else number, p if p is not None else parent
        entry.number, entry.parent = number, parent
        if entry.state != NEW_CUSTOMER:
            entry.state = SAME_CUSTOMER if (number, parent) == self._stored[customer_id] else CHANGED_CUSTOMER
        before = self._stored.get(customer_id, (None, None))[0]
        kept = {n for n in [before, *given] if n is not None and n != number}
        self.replaced_numbers = {(c, n) for c, n in self.replaced_numbers if c != customer_id} | {
            (customer_id, n) for n in kept
        }

    def new_customers(self) -> list[tuple[int, str, str, str | None, str | None]]:
        """``(provisional id, name, name key, number, parent)`` of each new customer a staged row names,
        in the order the file names them."""
        return [
            (e.id, e.name, key, e.number, e.parent)
            for key, e in self.customers.items()
            if e.state == NEW_CUSTOMER and e.used
        ]

    def assign_ids(self, ids: dict[int, int]) -> None:
        """Give the new customers the ids the database gave them (``ids``: provisional id -> id), once written.

        The staged rows keep their provisional ids: the merge maps them as it writes the invoices.
        """
        for entry in self.customers.values():
            if entry.id < 0 and entry.used:
                entry.id = ids[entry.id]

        def real(cid: int) -> int:
            return ids[cid] if cid < 0 else cid  # a KeyError here is a bug, never the data

        self.contacts = {(real(cid), *rest): seen for (cid, *rest), seen in self.contacts.items()}
        self.replaced_numbers = {(real(cid), number) for cid, number in self.replaced_numbers}

    def changed_customers(self) -> list[tuple[str | None, str | None, int]]:
        """``(number, parent, id)`` of each known customer whose number or parent this file changes."""
        return [(e.number, e.parent, e.id) for e in self.customers.values() if e.state == CHANGED_CUSTOMER]

    def used_customers(self) -> list[tuple]:
        """Each customer a staged row names: ``(id, name, number, parent, state)``, then the line and
        invoice number of the row that gave its number, and of the row that gave its parent (None: none did)."""
        return [
            (e.id, e.name, e.number, e.parent, e.state, *(e.number_at or (None, None)), *(e.parent_at or (None, None)))
            for e in self.customers.values()
            if e.used
        ]

    def names(self) -> dict[int, str]:
        """Every customer's name by id: the database's and this file's new ones."""
        return {e.id: e.name for e in self.customers.values()}

    def shares_customers(self) -> bool:
        """True when a staged row names a customer the database already holds."""
        return any(e.used and e.state != NEW_CUSTOMER for e in self.customers.values())

    def used_count(self) -> int:
        """How many customers the staged rows name."""
        return sum(1 for e in self.customers.values() if e.used)

    def family(self) -> list[tuple[int, str | None, str | None]]:
        """``(id, number, parent)`` of every customer the database would hold after the load."""
        return [(e.id, e.number, e.parent) for e in self.customers.values() if e.state != NEW_CUSTOMER or e.used]

    def _check_number(self, key: str, name: str, number: str, line: int, invoice: str) -> None:
        """Warn, naming both lines, when a customer number is on two names or a name has two numbers."""
        first = self._number_names.setdefault(number, (key, name, line))
        if first[0] != key and (number, key) not in self._warned:
            self._warned.add((number, key))
            self.warnings.append(
                (
                    line,
                    invoice,
                    f"customer number: {number!r} is on two customers, {first[1]!r} (line {first[2]}) "
                    f"and {name!r} (line {line})",
                )
            )
        known = self._name_numbers.setdefault(key, (number, line))
        if known[0] != number and (key, number) not in self._warned:
            self._warned.add((key, number))
            self.warnings.append(
                (
                    line,
                    invoice,
                    f"customer number: {name!r} has two numbers, {known[0]!r} (line {known[1]}) "
                    f"and {number!r} (line {line}); the last one is kept",
                )
            )

    def _check_fold(self, number: str, column: str, line: int, invoice: str) -> None:
        """Warn, naming both lines, when a customer or parent number looks the same as another one of the file
        (equal once compatibility forms and spaces are folded) but is not equal to it: a parent would not be
        found, or one customer would be two."""
        fold = key_fold(number)
        first = self._folds.setdefault(fold, (number, column, line))
        if first[0] != number and number not in self._fold_warned:
            self._fold_warned.add(number)
            shown, other = look_alike_pair(number, first[0])
            self.warnings.append(
                (
                    line,
                    invoice,
                    f"look-alike number: {column} {shown} (line {line}) looks the same as {first[1]} "
                    f"{other} (line {first[2]}) but is a different number",
                )
            )

    def _customer(
        self, key: str, name: str, number: str | None, parent: str | None, line: int, invoice: str
    ) -> CustomerEntry:
        """The entry of the customer with this name key, created or brought up to date (by row ``line``)."""
        entry = self.customers.get(key)
        if entry is None:
            self._new += 1
            entry = self.customers[key] = CustomerEntry(-self._new, name, number, parent, NEW_CUSTOMER, True)
            if number is not None:
                entry.number_at = (line, invoice)
            return entry
        entry.used = True
        # The latest row that states a number wins: exports are snapshots over time.
        if number is not None and number != entry.number:
            if entry.number is not None:
                self.replaced_numbers.add((entry.id, entry.number))
            entry.number = number
            entry.state = entry.state or CHANGED_CUSTOMER
            entry.number_at = (line, invoice)
        if parent is not None and parent != entry.parent:
            entry.parent = parent
            entry.state = entry.state or CHANGED_CUSTOMER
            entry.parent_at = (line, invoice)
        return entry


class FeedRunner:
    """Runs a Feed in-process or in a forked child; iterate it for the batches.

    Use as a context manager: leaving it early stops the child.
    """

    def __init__(self, feed: Feed, parallel: bool) -> None:
        self.feed = feed
        self.parallel = parallel and hasattr(os, "fork")
        self.result: FeedResult | None = None
        self._child: Any = None
        self._pipe: Any = None

    def __enter__(self) -> FeedRunner:
        if self.parallel:
            import multiprocessing

            context = multiprocessing.get_context("fork")
            self._pipe, sending = context.Pipe(duplex=False)
            self._child = context.Process(target=_child_main, args=(self.feed, sending, self._pipe), daemon=True)
            # Ctrl-C is held back while forking: the child starts with it blocked and
            # ignores it (the parent stops the child); a Ctrl-C in between reaches the
            # parent as soon as the fork is done.
            held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                self._child.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
            sending.close()  # the child holds the only writing end: EOF if it dies
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._child is not None:
            self._pipe.close()
            if self._child.is_alive():
                self._child.terminate()
            self._child.join()
            self._child = None

    def __iter__(self) -> Iterator[Batch]:
        if not self.parallel:
            yield from self.feed.batches()
            self.result = self.feed.result()
            return
        while True:
            try:
                message = self._pipe.recv_bytes()
            except EOFError:
                raise DatabaseError("The process reading the file stopped unexpectedly; nothing was loaded.") from None
            if message[:1] == b"B":
                yield Batch(*marshal.loads(message[1:]))
                continue
            payload = pickle.loads(message[1:])
            if message[:1] == b"E":
                self.result = payload
                return
            raise payload


def _child_main(feed: Feed, sending: Any, receiving: Any) -> None:  # noqa: ANN401 - Connections
    """The child's whole life: parse, send each batch, then the result or the error."""
    # Ctrl-C is the parent's to handle (it stops the child); a traceback from here would
    # only repeat it. Ignoring it discards one that arrived while it was blocked.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    # The child's copy of the reading end must go: if the parent dies, the pipe
    # then has no reader, and the next send fails instead of blocking forever.
    receiving.close()
    try:
        # Batches hold only tuples of str, int and None: marshal writes them in
        # half the time pickle takes. B: a batch; E: the end; X: an error.
        for batch in feed.batches():
            data = marshal.dumps(
                (batch.rows, batch.rejects, batch.warnings, batch.rows_read, batch.bytes_read, batch.folds)
            )
            if not _send(sending, b"B" + data):
                return
        _send(sending, b"E" + pickle.dumps(feed.result()))
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which raises it
        try:
            message = pickle.dumps(err)
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            message = pickle.dumps(DatabaseError(f"Reading the file failed: {err}"))
        _send(sending, b"X" + message)
    finally:
        sending.close()


def _send(sending: Any, message: bytes) -> bool:  # noqa: ANN401 - a Connection
    """Send ``message``; False if the parent is gone (killed, or stopped reading)."""
    try:
        sending.send_bytes(message)
    except OSError:
        return False
    return True

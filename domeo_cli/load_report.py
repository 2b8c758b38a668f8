"""What a load did: its counts, rejections and warnings, and the report scripts read.

Built by the load as it goes (``ingest.py``); rendered by ``tables.load_report``
for people and by ``LoadReport.write_json`` for scripts.
"""

from __future__ import annotations

import csv
import itertools
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO, overload

from . import printable

MAX_WARNING_DETAILS = 1000


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
    #: Told of each warning as it is counted (the load log), if set.
    listener: Callable[[Warning_], None] | None = field(default=None, repr=False, compare=False)
    as_of: str = ""
    complete: str | None = None
    # Invoices in the database that the file does not list (only open ones unless --complete):
    # how many, and their numbers (all with --complete, else the first MAX_WARNING_DETAILS).
    missing: int = 0
    missing_invoices: list[str] = field(default_factory=list)
    settled: int = 0
    # What changed beyond the invoices' own fields (``load_checks.py``): invoices moved to another
    # customer, customers given another number or parent, contacts seen for the first time, invoices
    # whose applied amount goes down, and the earlier load this file is byte for byte (None: none).
    moved: int = 0
    customers_changed: int = 0
    new_contacts: int = 0
    taken_back: int = 0
    identical_to_load: int | None = None

    def warn(self, line: int | None, invoice_number: str | None, message: str) -> None:
        """Count a warning; keep the first ones in full."""
        self.warnings += 1
        item = Warning_(line, invoice_number, message)
        self.warning_kinds[item.kind] = self.warning_kinds.get(item.kind, 0) + 1
        if len(self.warning_details) < MAX_WARNING_DETAILS:
            self.warning_details.append(item)
        if self.listener is not None:
            self.listener(item)

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
            "as_of": self.as_of,
            "complete": self.complete,
            "missing": self.missing,
            "settled": self.settled,
            "missing_invoices": self.missing_invoices,
            "moved": self.moved,
            "taken_back": self.taken_back,
            "identical_to_load": self.identical_to_load,
            "customers": self.customers,
            "new_customers": self.new_customers,
            "customers_changed": self.customers_changed,
            "new_contacts": self.new_contacts,
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
    """DEL, C1 and bidi controls as \\u escapes (json leaves them raw; U+009B is a terminal's CSI): the same JSON."""
    return printable.json_safe(text)

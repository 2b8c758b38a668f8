"""One read snapshot of an SQLite database: the queries of every report, on one committed state.

A ``Snapshot`` is what the reports layer holds while it asks: options arrive
checked (``domeo_cli.options``) and parsed, results leave as the report's
result type. Each method imports only its own query module, which keeps a
report's start-up short, and turns an ``sqlite3`` error into domeo's
(``db.explain``). Closing the snapshot ends its read transaction; a page
streamed with ``--all`` closes it when its rows run out.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from .db import explain

if TYPE_CHECKING:
    from .queries.aging import AgingReport
    from .queries.check import CheckReport
    from .queries.contacts import ContactPage
    from .queries.customers import CustomerPage
    from .queries.diff import DiffReport
    from .queries.invoices import InvoiceDetail
    from .queries.past_due import Filters, PastDuePage
    from .queries.runs import RunPage
    from .queries.statements import Statement
    from .queries.summary import MonthSeries, MonthSummary
    from .queries.trend import TrendReport

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


def translated(method: F) -> F:
    """``method`` with the SQLite errors it meets said as domeo's, naming its object's database (``self.path``)."""

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as err:
            raise explain(err, self.path) from None

    return call  # type: ignore[return-value]


class Snapshot:
    """One read transaction on the database at ``path``; a context manager that closes it."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self._connection = connection
        #: The database as the user named it, for messages.
        self.path = path

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the read transaction (a kept connection of ``domeo serve`` stays open for the next one)."""
        self._connection.close()

    def _closing(self, rows: Iterator[T]) -> Iterator[T]:
        """``rows``, then the snapshot closed (also when the reader stops early), errors said as domeo's."""
        try:
            yield from rows
        except sqlite3.Error as err:
            raise explain(err, self.path) from None
        finally:
            self.close()

    # -- past-due --------------------------------------------------------------------

    def _past_due_filters(self, customer: str | None, with_children: bool, min_days: int, contact: bool) -> Filters:
        from .queries.common import family_ids, find_customer
        from .queries.past_due import Filters

        ids = None
        if customer is not None:
            found = find_customer(self._connection, customer)
            ids = family_ids(self._connection, found) if with_children else [found.id]
        return Filters(ids, min_days, contact, customer, with_children)

    @translated
    def past_due(
        self,
        day: date,
        *,
        limit: int,
        offset: int,
        sort: str,
        customer: str | None,
        with_children: bool,
        min_days: int,
        contact: bool,
        totals: bool,
    ) -> PastDuePage:
        """A page of the invoices past due as of ``day``; with ``totals``, the sums per currency of them all."""
        from .queries import past_due as query

        filters = self._past_due_filters(customer, with_children, min_days, contact)
        page = query.past_due(self._connection, day, limit=limit, offset=offset, sort=sort, filters=filters)
        if totals:
            page = page._replace(totals=query.totals(self._connection, day, filters))
        return page

    @translated
    def past_due_all(
        self,
        day: date,
        *,
        sort: str,
        customer: str | None,
        with_children: bool,
        min_days: int,
        contact: bool,
        totals: bool,
    ) -> PastDuePage:
        """Every invoice past due as of ``day``, read lazily; the snapshot closes when the rows run out."""
        from .queries import past_due as query

        connection = self._connection
        filters = self._past_due_filters(customer, with_children, min_days, contact)
        # Every row is checked before the first is written: a stream cannot be taken back.
        damaged = query.first_damaged(connection, day, filters)
        if damaged is not None:
            from .queries.damage import refuse

            raise refuse(connection, damaged)
        total = query.count(connection, day, filters)
        sums = query.totals(connection, day, filters) if totals else None
        rows = query.iter_past_due(connection, day, sort=sort, filters=filters, checked=True)
        return query.PastDuePage(day, sort, self._closing(rows), total, total, 0, sums, filters)

    # -- billing ---------------------------------------------------------------------

    @translated
    def summary(self, start: date, end: date, *, customer: str | None, currency: str | None) -> MonthSummary:
        """Sum and count of the invoices dated from ``start`` to before ``end``, per currency."""
        from .queries import summary as query

        return query.summary(self._connection, start, end, customer=customer, currency=currency)

    @translated
    def summary_range(self, start: date, end: date, *, customer: str | None, currency: str | None) -> MonthSeries:
        """Billing of each month from ``start`` to ``end``, per currency, with no gaps."""
        from .queries import summary as query

        return query.summary_range(self._connection, start, end, customer=customer, currency=currency)

    @translated
    def currency_note(self, code: str) -> str | None:
        """None when an invoice is in ``code``, else a sentence naming the currencies the invoices are in."""
        from .queries.common import currency_note

        return currency_note(self._connection, code)

    # -- customers -------------------------------------------------------------------

    @translated
    def contacts(self, name: str, *, limit: int | None, offset: int) -> ContactPage:
        """A page of the contacts of the customer called ``name`` (every one with ``limit`` None)."""
        from .queries import contacts as query

        return query.contacts(self._connection, name, limit=limit, offset=offset)

    @translated
    def aging(self, day: date, **options: Any) -> AgingReport:
        """Open amounts by bucket of age as of ``day`` (``queries.aging.aging``'s options, checked)."""
        from .queries import aging as query

        return query.aging(self._connection, day, **options)

    @translated
    def customers(self, day: date, *, search: str | None, sort: str, limit: int, offset: int) -> CustomerPage:
        """A page of customers with their balances as of ``day``."""
        from .queries import customers as query

        return query.customers(self._connection, day, search=search, sort=sort, limit=limit, offset=offset)

    @translated
    def customers_all(self, day: date, *, search: str | None, sort: str) -> CustomerPage:
        """Every customer, read lazily a chunk at a time; the snapshot closes when the lines run out."""
        from .queries import customers as query

        connection = self._connection
        if query.meets_damage(connection):  # checked before the first line: a stream cannot be taken back
            from .queries.damage import refuse

            raise refuse(connection)
        total = query.count_customers(connection, search)
        lines = query.iter_customers(connection, day, search=search, sort=sort)
        return query.CustomerPage(day, sort, search, self._closing(lines), total, total, 0)

    @translated
    def invoice(self, number: str, day: date) -> InvoiceDetail:
        """One invoice in full as of ``day`` (errors.NotFound, with the closest numbers, if none)."""
        from .queries import invoices as query

        return query.invoice(self._connection, number, day)

    @translated
    def statement(self, customer: str, day: date, *, with_children: bool) -> Statement:
        """The statement of account of ``customer`` (name or number) as of ``day``."""
        from .queries import statements as query

        return query.statement(self._connection, customer, day, with_children=with_children)

    # -- the book and its loads ------------------------------------------------------

    @translated
    def runs(self, *, limit: int | None, offset: int) -> RunPage:
        """A page of the loads, newest first (every one with ``limit`` None)."""
        from .queries import runs as query

        return query.runs(self._connection, limit=limit, offset=offset)

    @translated
    def check(self, day: date) -> CheckReport:
        """Every problem in the book (``day``: after it an invoice is dated in the future)."""
        from .queries import check as query

        return query.check(self._connection, day)

    @translated
    def diff(self, first: int | date | None, second: int | date | None) -> DiffReport:
        """What changed from the load ``first`` names to the one ``second`` names (default: the last two)."""
        from ...errors import InvalidInput, NotFound
        from .history import find_load, loads
        from .queries import diff as query

        connection = self._connection
        every = loads(connection)
        if second is None:
            if first is None and len(every) < 2:
                raise NotFound(f"diff compares two loads, and this database has {len(every)}.")
            chosen = [every[-2] if first is None else find_load(connection, first, "LOAD_A"), every[-1]]
        else:
            assert first is not None
            chosen = [find_load(connection, first, "LOAD_A"), find_load(connection, second, "LOAD_B")]
        for load, name in zip(chosen, ("LOAD_A", "LOAD_B"), strict=True):
            find_load(connection, load.id, name)  # a load from before history was kept is refused
        if chosen[0].id > chosen[1].id:
            raise InvalidInput(
                f"LOAD_A (load {chosen[0].id}) comes after LOAD_B (load {chosen[1].id}): give the earlier load first."
            )
        return query.diff(connection, chosen[0], chosen[1])

    @translated
    def trend(self, first: date | None, last: date | None, every: str, today: date) -> TrendReport:
        """Open AR, past due (and DSO at month ends) per currency, per load date or month end."""
        from .queries import trend as query

        return query.trend(self._connection, first, last, every, today)

    @translated
    def described(self, query: str, **arguments: Any) -> Any:
        """The answer of a described report (``results.describe``): ``query`` names its module of
        ``queries`` and the function there, which takes the snapshot's connection and the parsed options."""
        # __import__, the import statement's own path (importlib's is invisible to ``python -X importtime``).
        module = __import__(f"{__package__}.queries.{query}", fromlist=[query])
        return getattr(module, query)(self._connection, **arguments)

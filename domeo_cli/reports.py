"""The reports: what every front end (the command line, the HTTP API) asks.

Each report does four steps: validate its options (errors.InvalidInput, exit
2), open one read snapshot of the database (``db.open_reports_db``, always
closed), query it (the query module of its domain), and return the query's
result for the renderers (``shapes`` for JSON, ``tables`` for people). Options
are checked before the database is opened, so a bad value is exit 2 whether
or not there is a database. No printing, no terminal, no database engine
named here: each function imports only its own query module, which keeps a
report's start-up short.

``db`` is a path or None ($DOMEO_DB, else ./domeo.db). Dates and months
arrive as the user's text and are parsed here. ``known_at`` (a load number or
a date, as text) asks any report for the data as it stood after the last load
on or before that point (``history.shadow``); None reads today's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from .db import open_reports_db
from .errors import InvalidInput, Option

T = TypeVar("T")

if TYPE_CHECKING:
    from .results.aging import AgingReport
    from .results.check import CheckReport
    from .results.contacts import ContactPage
    from .results.customers import CustomerPage
    from .results.describe import Report
    from .results.diff import DiffReport
    from .results.invoices import InvoiceDetail
    from .results.past_due import PastDuePage
    from .results.runs import RunPage
    from .results.statements import Statement
    from .results.summary import MonthSeries, MonthSummary
    from .results.trend import TrendReport


def _point(known_at: str | None) -> int | date | None:
    """The ``--known-at`` value, checked before the database is opened."""
    if known_at is None:
        return None
    from .history import parse_point

    return parse_point(known_at)


def _snapshot(db: str | None, point: int | date | None) -> Any:
    """One read snapshot (a connection); with a point, its reports read the data as known after that load."""
    if point is None:
        return open_reports_db(db)
    from .history import open_known

    return open_known(db, point)


def _day(as_of: str | None) -> date:
    """The ``--as-of`` date, or today (America/New_York, or $DOMEO_TZ)."""
    from .days import parse_iso_option, today

    return parse_iso_option(as_of, Option("as_of")) if as_of is not None else today()


def past_due(
    db: str | None,
    *,
    as_of: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str = "due_date.asc",
    totals: bool = False,
    customer: str | None = None,
    with_children: bool = False,
    min_days: int | None = None,
    contact: bool = False,
    all_rows: bool = False,
    known_at: str | None = None,
) -> PastDuePage:
    """A page of invoices with money outstanding, due before ``as_of``.

    With ``totals``, the page also carries the outstanding sum per currency over
    every past-due invoice (what a table shows under the page; the JSON has none).
    ``customer`` (a name or customer number; ``with_children`` adds every account
    below it), ``min_days`` and ``contact`` narrow the rows and add the main contact.
    With ``all_rows`` the page is every matching invoice, read lazily from a cursor
    as the renderer writes it (``limit`` and ``offset`` are ignored): memory stays
    flat on any number of rows, and the snapshot closes when the rows run out.
    """
    from .queries import past_due as query
    from .queries.common import check_page

    day = _day(as_of)
    if not all_rows:
        check_page(limit, offset)
    query.check_sort(sort)
    if min_days is not None and min_days < 1:
        raise InvalidInput(Option("min_days"), f" takes a whole number of days from 1 up, not {min_days}.")
    if with_children and customer is None:
        raise InvalidInput(
            Option("with_children"), " needs ", Option("customer", "NAME"), ": the account whose children to add."
        )
    point = _point(known_at)
    connection = _snapshot(db, point)
    try:
        filters = _past_due_filters(connection, customer, with_children, min_days or 1, contact)
        if all_rows:
            # Every row is checked before the first is written: a stream cannot be taken back.
            damaged = query.first_damaged(connection, day, filters)
            if damaged is not None:
                from .queries.damage import refuse

                raise refuse(connection, damaged)
            total = query.count(connection, day, filters)
            sums = query.totals(connection, day, filters) if totals else None
            rows = query.iter_past_due(connection, day, sort=sort, filters=filters, checked=True)
            return query.PastDuePage(day, sort, _closing(connection, rows), total, total, 0, sums, filters)
        page = query.past_due(connection, day, limit=limit, offset=offset, sort=sort, filters=filters)
        if totals:
            page = page._replace(totals=query.totals(connection, day, filters))
    except BaseException:
        connection.close()
        raise
    connection.close()
    return page


def _past_due_filters(connection, customer, with_children, min_days, contact):  # noqa: ANN001, ANN202
    from .queries.common import family_ids, find_customer
    from .results.past_due import Filters

    ids = None
    if customer is not None:
        found = find_customer(connection, customer)
        ids = family_ids(connection, found) if with_children else [found.id]
    return Filters(ids, min_days, contact, customer, with_children)


def _closing(connection, rows: Iterator[T]) -> Iterator[T]:  # noqa: ANN001 - an open snapshot
    """``rows``, then the connection they come from closed (also when the reader stops early)."""
    try:
        yield from rows
    finally:
        connection.close()


def summary(
    db: str | None,
    *,
    month: str,
    customer: str | None = None,
    currency: str | None = None,
    known_at: str | None = None,
    note: Callable[[str], None] | None = None,
) -> MonthSummary:
    """Sum and count of the invoices dated in ``month`` (YYYY-MM), per currency.

    ``note`` is told when ``currency`` is a valid code that no invoice is in (see ``_currency_note``).
    """
    from .days import parse_month_option
    from .queries import summary as query
    from .queries.common import check_currency

    start, end = parse_month_option(month)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        found = query.summary(connection, start, end, customer=customer, currency=code)
        _currency_note(connection, code, note)
        return found


def _currency_note(connection, code: str | None, note: Callable[[str], None] | None) -> None:  # noqa: ANN001
    """Tell ``note`` when no invoice at all is in the currency asked for: its zero answers nothing."""
    if code is not None and note is not None:
        from .queries.common import currency_note

        said = currency_note(connection, code)
        if said is not None:
            note(said)


def summary_range(
    db: str | None,
    *,
    first: str,
    last: str,
    customer: str | None = None,
    currency: str | None = None,
    known_at: str | None = None,
    note: Callable[[str], None] | None = None,
) -> MonthSeries:
    """Billing of each month from ``first`` to ``last`` (YYYY-MM), per currency, with no gaps.

    ``note`` is told when ``currency`` is a valid code that no invoice is in.
    """
    from .days import parse_month_option
    from .queries import summary as query
    from .queries.common import check_currency

    start, _ = parse_month_option(first, Option("from"))
    end, _ = parse_month_option(last, Option("to"))
    query.check_month_range(start, end)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        found = query.summary_range(connection, start, end, customer=customer, currency=code)
        _currency_note(connection, code, note)
        return found


def contact(
    db: str | None,
    *,
    name: str,
    limit: int = 10,
    offset: int = 0,
    all_rows: bool = False,
    known_at: str | None = None,
) -> ContactPage:
    """A page of the contacts of the customer called ``name`` (errors.NotFound if none); every one with ``all_rows``."""
    from .queries import contacts as query
    from .queries.common import check_page

    if not all_rows:
        check_page(limit, offset)
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        return query.contacts(connection, name, limit=None if all_rows else limit, offset=0 if all_rows else offset)


def aging(
    db: str | None,
    *,
    as_of: str | None = None,
    buckets: str | None = None,
    age_by: str = "due",
    by: str = "customer",
    tree: bool = False,
    customer: str | None = None,
    currency: str | None = None,
    min_total: str | None = None,
    sort: str = "total",
    limit: int | None = None,
    offset: int = 0,
    known_at: str | None = None,
    note: Callable[[str], None] | None = None,
) -> AgingReport:
    """Open amounts by bucket of age, per customer, parent or currency, with totals per currency.

    ``limit`` and ``offset`` choose the groups listed per currency (a page); the totals cover every group.
    ``note`` is told when ``currency`` is a valid code that no invoice is in.
    """
    from .queries import aging as query
    from .queries.common import check_currency

    day = _day(as_of)
    edges = query.parse_buckets(buckets)
    if tree and by == "customer":
        by = "parent"  # --tree is the parent view, drawn as a tree
    query.check_options(age_by, by, sort, limit, tree, offset)
    floor = query.parse_min_total(min_total)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        found = query.aging(
            connection,
            day,
            edges=edges,
            age_by=age_by,
            by=by,
            customer=customer,
            currency=code,
            min_total=floor,
            sort=sort,
            limit=limit,
            tree=tree,
            offset=offset,
        )
        _currency_note(connection, code, note)
        return found


def customers(
    db: str | None,
    *,
    as_of: str | None = None,
    search: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
    all_rows: bool = False,
    known_at: str | None = None,
) -> CustomerPage:
    """A page of customers: number, parent, invoices, open AR and past due per currency, main contact.

    With ``all_rows``, every customer, read lazily a chunk at a time as the renderer writes them.
    """
    from .queries import customers as query
    from .queries.common import check_page

    day = _day(as_of)
    if not all_rows:
        check_page(limit, offset)
    query.check_customer_sort(sort)
    point = _point(known_at)
    if all_rows:
        connection = _snapshot(db, point)
        try:
            if query.meets_damage(connection):  # checked before the first line: a stream cannot be taken back
                from .queries.damage import refuse

                raise refuse(connection)
            total = query.count_customers(connection, search)
            lines = query.iter_customers(connection, day, search=search, sort=sort)
        except BaseException:
            connection.close()
            raise
        return query.CustomerPage(day, sort, search, _closing(connection, lines), total, total, 0)
    with closing(_snapshot(db, point)) as connection:
        return query.customers(connection, day, search=search, sort=sort, limit=limit, offset=offset)


def invoice(db: str | None, *, number: str, as_of: str | None = None, known_at: str | None = None) -> InvoiceDetail:
    """One invoice in full, as of a date (errors.NotFound, with the closest numbers, if none)."""
    from .queries import invoices as query

    day = _day(as_of)
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        return query.invoice(connection, number, day)


def statement(
    db: str | None,
    *,
    customer: str,
    as_of: str | None = None,
    with_children: bool = False,
    known_at: str | None = None,
) -> Statement:
    """The statement of account of ``customer`` (name or number): open invoices, days late, aging per currency.

    With ``with_children``, every account below the customer has its own part, and the totals cover them all.
    """
    from .queries import statements as query

    day = _day(as_of)
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        return query.statement(connection, customer, day, with_children=with_children)


def runs(db: str | None, *, limit: int = 20, offset: int = 0, all_rows: bool = False) -> RunPage:
    """A page of the loads kept in the database, newest first: when, file, hash, counts, duration.

    Every load with ``all_rows`` (one row each: a database keeps few enough to list at once).
    """
    from .queries import runs as query
    from .queries.common import check_page

    if not all_rows:
        check_page(limit, offset)
    with closing(open_reports_db(db)) as connection:
        return query.runs(connection, limit=None if all_rows else limit, offset=0 if all_rows else offset)


def described(report: Report, db: str | None, **values: Any) -> Any:
    """A described report (``results.describe``): its options checked, then its query on one snapshot.

    ``values`` are the options as the user gave them (text for dates, whole
    numbers), by name; the query gets them parsed (``as_of`` a date), all but
    ``known_at``, which chooses the snapshot.
    """
    arguments: dict[str, Any] = {}
    point = None
    for option in report.options:
        value = values.get(option.name, option.default)
        if option.kind == "as_of":
            arguments[option.name] = _day(value)
        elif option.kind == "known_at":
            point = _point(value)
        else:
            low, high = option.minimum, option.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"from {low} to {high}" if high is not None else f"from {low} up"
                raise InvalidInput(Option(option.name), f" takes a whole number {bounds}, not {value}.")
            arguments[option.name] = value
    # __import__, the import statement's own path (importlib's is invisible to ``python -X importtime``).
    query = __import__(f"{__package__}.queries.{report.query}", fromlist=[report.query])
    with closing(_snapshot(db, point)) as connection:
        return getattr(query, report.query)(connection, **arguments)


# -- cron signals ----------------------------------------------------------------------


def parse_fail_over(amount: str) -> int:
    """``--fail-over AMOUNT`` as cents (``10000``, ``2,500.50``), or InvalidInput."""
    from .money import MoneyError, parse_cents

    try:
        return parse_cents(amount)
    except MoneyError as err:
        raise InvalidInput(
            Option("fail_over"), f" takes an amount such as 10000 or 2500.50; the value {err}."
        ) from None


def past_due_by_currency(result: PastDuePage | AgingReport) -> list[tuple[str, int]]:
    """``(currency, past-due cents)`` of a past-due or aging result, over every invoice it covers.

    Past-due: the totals the page carries (asked with ``totals``). Aging: every
    bucket but ``current``, so with ``--age-by invoice`` it is the money older
    than the as-of date's invoices rather than past its due date.
    """
    from .results.past_due import PastDuePage

    if isinstance(result, PastDuePage):
        return [(currency, cents) for currency, cents, _ in result.totals or []]
    return [(t.currency, t.total - t.buckets[0]) for t in result.totals]


def check_fail_over(result: PastDuePage | AgingReport, amount: str) -> None:
    """Raise errors.ThresholdCrossed (exit 5) when any currency's past-due total is over ``amount``."""
    from .errors import ThresholdCrossed
    from .money import format_cents

    limit = parse_fail_over(amount)
    over = [(cur, cents) for cur, cents in past_due_by_currency(result) if cents > limit]
    if over:
        amounts = ", ".join(f"{cur} {format_cents(cents)}" for cur, cents in over)
        raise ThresholdCrossed("Past due is over ", Option("fail_over", format_cents(limit)), f": {amounts}.")


def check(db: str | None, *, as_of: str | None = None, known_at: str | None = None) -> CheckReport:
    """Every problem in the book (``as_of``: the day after which an invoice is dated in the future)."""
    from .queries import check as query

    day = _day(as_of)
    point = _point(known_at)
    with closing(_snapshot(db, point)) as connection:
        return query.check(connection, day)


def diff(db: str | None, *, first: str | None = None, second: str | None = None) -> DiffReport:
    """What changed from load ``first`` to load ``second`` (numbers or dates; default: the last two loads)."""
    from .errors import InvalidInput, NotFound
    from .history import find_load, loads, parse_point
    from .queries import diff as query

    points = [parse_point(p, name) if p is not None else None for p, name in ((first, "LOAD_A"), (second, "LOAD_B"))]
    with closing(open_reports_db(db)) as connection:
        every = loads(connection)
        if points[1] is None:
            if points[0] is None and len(every) < 2:
                raise NotFound(f"diff compares two loads, and this database has {len(every)}.")
            chosen = [every[-2] if points[0] is None else find_load(connection, points[0], "LOAD_A"), every[-1]]
        else:
            assert points[0] is not None
            chosen = [find_load(connection, points[0], "LOAD_A"), find_load(connection, points[1], "LOAD_B")]
        for load, name in zip(chosen, ("LOAD_A", "LOAD_B"), strict=True):
            find_load(connection, load.id, name)  # a load from before history was kept is refused
        if chosen[0].id > chosen[1].id:
            raise InvalidInput(
                f"LOAD_A (load {chosen[0].id}) comes after LOAD_B (load {chosen[1].id}): give the earlier load first."
            )
        return query.diff(connection, chosen[0], chosen[1])


def trend(db: str | None, *, first: str | None = None, last: str | None = None, every: str = "month") -> TrendReport:
    """Open AR, past due (and DSO at month ends) per currency, per load date or month end."""
    from .days import today
    from .errors import InvalidInput
    from .queries import trend as query

    if every not in ("month", "load"):
        raise InvalidInput(Option("every"), f" takes month or load, not {every!r}.")
    start = _edge(first, Option("from"), end=False)
    stop = _edge(last, Option("to"), end=True)
    if start is not None and stop is not None and start > stop:
        raise InvalidInput(Option("from", str(first)), " is after ", Option("to", str(last)), ".")
    with closing(open_reports_db(db)) as connection:
        return query.trend(connection, start, stop, every, today())


def _edge(text: str | None, option: Option, *, end: bool) -> date | None:
    """A ``--from``/``--to`` value: a date, or a month (its first or last day)."""
    if text is None:
        return None
    from .days import parse_iso_option, parse_month_option

    if len(text.strip()) == 7:
        first, last = parse_month_option(text, option)
        return last if end else first
    return parse_iso_option(text, option)


def health(db: str | None) -> None:
    """Read what the reports read, or raise what they would: ``domeo serve``'s ``/health``.

    A real read of the data, not just of the schema: the two reports the AR
    page opens with (the first past-due invoice with the count of them, and
    the open AR by currency, as of today), so that a database the reports
    cannot read is never called healthy.
    """
    past_due(db, limit=1)
    aging(db, by="currency")

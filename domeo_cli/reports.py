"""The reports: what every front end (the command line, the HTTP API) asks.

Each report does four steps: validate its options (errors.InvalidInput, exit
2; the rules are in ``options``), open one read snapshot of the store
(``store.snapshot``, always closed), ask it, and return the result for the
renderers (``shapes`` for JSON, ``tables`` for people). Options are checked
before the database is opened, so a bad value is exit 2 whether or not there
is a database. No printing, no terminal, no database engine named here.

``store`` is the database's store (``domeo_cli.store.open_store``). Dates and
months arrive as the user's text and are parsed here. ``known_at`` (a load
number or a date, as text) asks any report for the data as it stood after the
last load on or before that point; None reads today's data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from .errors import InvalidInput, Option

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
    from .store import Snapshot, Store


def open_store(location: str | None, *, timeout: float | None = None, keep_connections: bool = False) -> Store:
    """The store the reports read (``domeo_cli.store.open_store``): the front ends open it here, never below."""
    from .store import open_store as open_it

    return open_it(location, timeout=timeout, keep_connections=keep_connections)


def _point(known_at: str | None) -> int | date | None:
    """The ``--known-at`` value, checked before the database is opened."""
    if known_at is None:
        return None
    from .options import parse_point

    return parse_point(known_at)


def _day(as_of: str | None) -> date:
    """The ``--as-of`` date, or today (America/New_York, or $DOMEO_TZ)."""
    from .days import parse_iso_option, today

    return parse_iso_option(as_of, Option("as_of")) if as_of is not None else today()


def past_due(
    store: Store,
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
    from .options import check_page, check_past_due_sort

    day = _day(as_of)
    if not all_rows:
        check_page(limit, offset)
    check_past_due_sort(sort)
    if min_days is not None and min_days < 1:
        raise InvalidInput(Option("min_days"), f" takes a whole number of days from 1 up, not {min_days}.")
    if with_children and customer is None:
        raise InvalidInput(
            Option("with_children"), " needs ", Option("customer", "NAME"), ": the account whose children to add."
        )
    point = _point(known_at)
    narrowed = {"customer": customer, "with_children": with_children, "min_days": min_days or 1, "contact": contact}
    if not all_rows:
        with store.snapshot(point) as snapshot:
            return snapshot.past_due(day, limit=limit, offset=offset, sort=sort, totals=totals, **narrowed)
    snapshot = store.snapshot(point)
    try:
        return snapshot.past_due_all(day, sort=sort, totals=totals, **narrowed)  # closed when its rows run out
    except BaseException:
        snapshot.close()
        raise


def summary(
    store: Store,
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
    from .options import check_currency

    start, end = parse_month_option(month)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        found = snapshot.summary(start, end, customer=customer, currency=code)
        _currency_note(snapshot, code, note)
        return found


def _currency_note(snapshot: Snapshot, code: str | None, note: Callable[[str], None] | None) -> None:
    """Tell ``note`` when no invoice at all is in the currency asked for: its zero answers nothing."""
    if code is not None and note is not None:
        said = snapshot.currency_note(code)
        if said is not None:
            note(said)


def summary_range(
    store: Store,
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
    from .options import check_currency, check_month_range

    start, _ = parse_month_option(first, Option("from"))
    end, _ = parse_month_option(last, Option("to"))
    check_month_range(start, end)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        found = snapshot.summary_range(start, end, customer=customer, currency=code)
        _currency_note(snapshot, code, note)
        return found


def contact(
    store: Store,
    *,
    name: str,
    limit: int = 10,
    offset: int = 0,
    all_rows: bool = False,
    known_at: str | None = None,
) -> ContactPage:
    """A page of the contacts of the customer called ``name`` (errors.NotFound if none); every one with ``all_rows``."""
    from .options import check_page

    if not all_rows:
        check_page(limit, offset)
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        return snapshot.contacts(name, limit=None if all_rows else limit, offset=0 if all_rows else offset)


def aging(
    store: Store,
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
    from .options import check_aging_options, check_currency, parse_buckets, parse_min_total

    day = _day(as_of)
    edges = parse_buckets(buckets)
    if tree and by == "customer":
        by = "parent"  # --tree is the parent view, drawn as a tree
    check_aging_options(age_by, by, sort, limit, tree, offset)
    floor = parse_min_total(min_total)
    code = check_currency(currency) if currency is not None else None
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        found = snapshot.aging(
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
        _currency_note(snapshot, code, note)
        return found


def customers(
    store: Store,
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
    from .options import check_customer_sort, check_page

    day = _day(as_of)
    if not all_rows:
        check_page(limit, offset)
    check_customer_sort(sort)
    point = _point(known_at)
    if not all_rows:
        with store.snapshot(point) as snapshot:
            return snapshot.customers(day, search=search, sort=sort, limit=limit, offset=offset)
    snapshot = store.snapshot(point)
    try:
        return snapshot.customers_all(day, search=search, sort=sort)  # closed when its lines run out
    except BaseException:
        snapshot.close()
        raise


def invoice(store: Store, *, number: str, as_of: str | None = None, known_at: str | None = None) -> InvoiceDetail:
    """One invoice in full, as of a date (errors.NotFound, with the closest numbers, if none)."""
    day = _day(as_of)
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        return snapshot.invoice(number, day)


def statement(
    store: Store,
    *,
    customer: str,
    as_of: str | None = None,
    with_children: bool = False,
    known_at: str | None = None,
) -> Statement:
    """The statement of account of ``customer`` (name or number): open invoices, days late, aging per currency.

    With ``with_children``, every account below the customer has its own part, and the totals cover them all.
    """
    day = _day(as_of)
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        return snapshot.statement(customer, day, with_children=with_children)


def runs(store: Store, *, limit: int = 20, offset: int = 0, all_rows: bool = False) -> RunPage:
    """A page of the loads kept in the database, newest first: when, file, hash, counts, duration.

    Every load with ``all_rows`` (one row each: a database keeps few enough to list at once).
    """
    from .options import check_page

    if not all_rows:
        check_page(limit, offset)
    with store.snapshot() as snapshot:
        return snapshot.runs(limit=None if all_rows else limit, offset=0 if all_rows else offset)


def described(report: Report, store: Store, **values: Any) -> Any:
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
    with store.snapshot(point) as snapshot:
        return snapshot.described(report.query, **arguments)


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


def check(store: Store, *, as_of: str | None = None, known_at: str | None = None) -> CheckReport:
    """Every problem in the book (``as_of``: the day after which an invoice is dated in the future)."""
    day = _day(as_of)
    point = _point(known_at)
    with store.snapshot(point) as snapshot:
        return snapshot.check(day)


def diff(store: Store, *, first: str | None = None, second: str | None = None) -> DiffReport:
    """What changed from load ``first`` to load ``second`` (numbers or dates; default: the last two loads)."""
    from .options import parse_point

    points = [parse_point(p, name) if p is not None else None for p, name in ((first, "LOAD_A"), (second, "LOAD_B"))]
    with store.snapshot() as snapshot:
        return snapshot.diff(points[0], points[1])


def trend(store: Store, *, first: str | None = None, last: str | None = None, every: str = "month") -> TrendReport:
    """Open AR, past due (and DSO at month ends) per currency, per load date or month end."""
    from .days import today
    from .errors import InvalidInput

    if every not in ("month", "load"):
        raise InvalidInput(Option("every"), f" takes month or load, not {every!r}.")
    start = _edge(first, Option("from"), end=False)
    stop = _edge(last, Option("to"), end=True)
    if start is not None and stop is not None and start > stop:
        raise InvalidInput(Option("from", str(first)), " is after ", Option("to", str(last)), ".")
    with store.snapshot() as snapshot:
        return snapshot.trend(start, stop, every, today())


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

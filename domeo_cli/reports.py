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
arrive as the user's text and are parsed here.
"""

from __future__ import annotations

from contextlib import closing
from datetime import date
from typing import TYPE_CHECKING

from .db import open_reports_db

if TYPE_CHECKING:
    from .queries.aging import AgingReport
    from .queries.contacts import ContactPage
    from .queries.customers import CustomerPage
    from .queries.invoices import InvoiceDetail
    from .queries.past_due import PastDuePage
    from .queries.summary import MonthSeries, MonthSummary


def _day(as_of: str | None) -> date:
    """The ``--as-of`` date, or today (America/New_York, or $DOMEO_TZ)."""
    from .days import parse_iso_option, today

    return parse_iso_option(as_of, "--as-of") if as_of is not None else today()


def past_due(
    db: str | None,
    *,
    as_of: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: str = "due_date.asc",
    totals: bool = False,
) -> PastDuePage:
    """A page of invoices with money outstanding, due before ``as_of``.

    With ``totals``, the page also carries the outstanding sum per currency over
    every past-due invoice (what a table shows under the page; the JSON has none).
    """
    from .queries import past_due as query
    from .queries.common import check_page

    day = _day(as_of)
    check_page(limit, offset)
    query.check_sort(sort)
    with closing(open_reports_db(db)) as connection:
        page = query.past_due(connection, day, limit=limit, offset=offset, sort=sort)
        if totals:
            page = page._replace(totals=query.past_due_totals(connection, day))
    return page


def summary(db: str | None, *, month: str, customer: str | None = None, currency: str | None = None) -> MonthSummary:
    """Sum and count of the invoices dated in ``month`` (YYYY-MM), per currency."""
    from .days import parse_month_option
    from .queries import summary as query
    from .queries.common import check_currency

    start, end = parse_month_option(month)
    if currency is not None:
        check_currency(currency)
    with closing(open_reports_db(db)) as connection:
        return query.summary(connection, start, end, customer=customer, currency=currency)


def summary_range(
    db: str | None, *, first: str, last: str, customer: str | None = None, currency: str | None = None
) -> MonthSeries:
    """Billing of each month from ``first`` to ``last`` (YYYY-MM), per currency, with no gaps."""
    from .days import parse_month_option
    from .queries import summary as query
    from .queries.common import check_currency

    start, _ = parse_month_option(first, "--from")
    end, _ = parse_month_option(last, "--to")
    query.check_month_range(start, end)
    code = check_currency(currency) if currency is not None else None
    with closing(open_reports_db(db)) as connection:
        return query.summary_range(connection, start, end, customer=customer, currency=code)


def contact(db: str | None, *, name: str, limit: int = 10, offset: int = 0) -> ContactPage:
    """A page of the contacts of the customer called ``name`` (errors.NotFound if none)."""
    from .queries import contacts as query
    from .queries.common import check_page

    check_page(limit, offset)
    with closing(open_reports_db(db)) as connection:
        return query.contacts(connection, name, limit=limit, offset=offset)


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
) -> AgingReport:
    """Open amounts by bucket of age, per customer, parent or currency, with totals per currency."""
    from .queries import aging as query
    from .queries.common import check_currency

    day = _day(as_of)
    edges = query.parse_buckets(buckets)
    if tree and by == "customer":
        by = "parent"  # --tree is the parent view, drawn as a tree
    query.check_options(age_by, by, sort, limit, tree)
    floor = query.parse_min_total(min_total)
    code = check_currency(currency) if currency is not None else None
    with closing(open_reports_db(db)) as connection:
        return query.aging(
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
        )


def customers(
    db: str | None,
    *,
    as_of: str | None = None,
    search: str | None = None,
    sort: str = "name",
    limit: int = 50,
    offset: int = 0,
) -> CustomerPage:
    """A page of customers: number, parent, invoices, open AR and past due per currency, main contact."""
    from .queries import customers as query
    from .queries.common import check_page

    day = _day(as_of)
    check_page(limit, offset)
    query.check_customer_sort(sort)
    with closing(open_reports_db(db)) as connection:
        return query.customers(connection, day, search=search, sort=sort, limit=limit, offset=offset)


def invoice(db: str | None, *, number: str, as_of: str | None = None) -> InvoiceDetail:
    """One invoice in full, as of a date (errors.NotFound, with the closest numbers, if none)."""
    from .queries import invoices as query

    day = _day(as_of)
    with closing(open_reports_db(db)) as connection:
        return query.invoice(connection, number, day)

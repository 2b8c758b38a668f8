"""What each report command does once its options are parsed.

Both command lines (Typer's in ``cli.py`` and the fast path in
``fastcli.py``) call these, so validation, querying and rendering happen in
one place. Options are checked before the database is opened: a bad value
is exit 2 whether or not there is a database.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

from .queries import common


def open_reports_db(db: str | None) -> sqlite3.Connection:
    """Open the database a report reads (never creating one)."""
    from .db import open_existing, resolve_path
    from .outcome import current_db

    path = resolve_path(db)
    current_db.append(path)
    # One read transaction: a page and its total come from the same committed state.
    return open_existing(path, snapshot=True)


def past_due(db: str | None, as_of: str | None, limit: int, offset: int, sort: str, as_json: bool) -> None:
    """``domeo past-due``."""
    from .days import parse_iso_option, today
    from .queries import past_due as contract

    day = parse_iso_option(as_of, "--as-of") if as_of is not None else today()
    common.check_page(limit, offset)
    contract.check_sort(sort)
    with closing(open_reports_db(db)) as connection:
        page = contract.past_due(connection, day, limit=limit, offset=offset, sort=sort)
        totals = None if as_json else contract.past_due_totals(connection, day)
    if as_json:
        from . import shapes

        shapes.dump(shapes.past_due(page))
    else:
        from . import tables

        tables.past_due(page, totals or [])


def summary(db: str | None, month: str, customer: str | None, currency: str | None, as_json: bool) -> None:
    """``domeo summary --month``."""
    from .days import parse_month_option
    from .queries import past_due as contract

    start, end = parse_month_option(month)
    if currency is not None:
        common.check_currency(currency)
    with closing(open_reports_db(db)) as connection:
        result = contract.summary(connection, start, end, customer=customer, currency=currency)
    if as_json:
        from . import shapes

        shapes.dump(shapes.summary(result))
    else:
        from . import tables

        tables.summary(result)


def summary_command(
    db: str | None,
    month: str | None,
    first: str | None,
    last: str | None,
    customer: str | None,
    currency: str | None,
    as_json: bool,
) -> None:
    """``domeo summary``: one month (``--month``) or a series (``--from`` … ``--to``)."""
    from .errors import InvalidInput

    if month is not None and (first is not None or last is not None):
        raise InvalidInput("Give either --month YYYY-MM or --from YYYY-MM --to YYYY-MM, not both.")
    if month is None and first is None and last is None:
        raise InvalidInput("summary needs --month YYYY-MM, or --from YYYY-MM --to YYYY-MM for a series.")
    if month is not None:
        summary(db, month, customer, currency, as_json)
        return
    if first is None or last is None:
        given, missing = ("--from", "--to") if last is None else ("--to", "--from")
        raise InvalidInput(f"{given} needs {missing} too: a series runs from --from YYYY-MM to --to YYYY-MM.")
    from . import report_actions

    report_actions.summary_range(db, first, last, customer, currency, as_json)


def contact(db: str | None, name: str, limit: int, offset: int, as_json: bool) -> None:
    """``domeo contact NAME``."""
    from .queries import past_due as contract

    common.check_page(limit, offset)
    with closing(open_reports_db(db)) as connection:
        page = contract.contacts(connection, name, limit=limit, offset=offset)
    if as_json:
        from . import shapes

        shapes.dump(shapes.contact(page))
    else:
        from . import tables

        tables.contacts(page)

"""What the reports beyond the contract do once their options are parsed.

Like ``actions.py`` (and meant to sit beside it): free of Typer, so the fast
path of ``fastcli.py`` can call these too. Options are checked before the
database is opened, so a bad value is exit 2 whether or not there is one.
"""

from __future__ import annotations

import sys

from .actions import open_reports_db
from .queries.common import check_currency, check_page


def _day(as_of: str | None):  # noqa: ANN202 - a date
    from .days import parse_iso_option, today

    return parse_iso_option(as_of, "--as-of") if as_of is not None else today()


def aging(
    db: str | None,
    as_of: str | None,
    buckets: str | None,
    age_by: str,
    by: str,
    tree: bool,
    customer: str | None,
    currency: str | None,
    min_total: str | None,
    sort: str,
    limit: int | None,
    as_json: bool,
) -> None:
    """``domeo aging``."""
    from .queries import aging as query

    day = _day(as_of)
    edges = query.parse_buckets(buckets)
    if tree and by == "customer":
        by = "parent"  # --tree is the parent view, drawn as a tree
    query.check_options(age_by, by, sort, limit, tree)
    floor = query.parse_min_total(min_total)
    code = check_currency(currency) if currency is not None else None
    connection = open_reports_db(db)
    if as_json and not tree and limit is None and floor is None and by != "currency":
        from . import shapes

        # Every group listed, on one line (a pipe): SQLite writes the groups' JSON itself.
        if not shapes.isatty(sys.stdout):
            found = query.every_group_json(
                connection, day, edges=edges, age_by=age_by, by=by, customer=customer, currency=code, sort=sort
            )
            if found is not None:
                names = query.bucket_names(edges)
                head = {"as_of": day.isoformat(), "age_by": age_by, "by": by, "buckets": names}
                shapes.write_bytes(shapes.aging_text(head, *found, names))
                return
    report = query.aging(
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
    if as_json:
        from . import shapes

        shapes.dump(shapes.aging(report))
    else:
        from . import tables

        tables.aging(report)


def customers(
    db: str | None,
    as_of: str | None,
    search: str | None,
    sort: str,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """``domeo customers``."""
    from .queries import customers as query

    day = _day(as_of)
    check_page(limit, offset)
    query.check_customer_sort(sort)
    connection = open_reports_db(db)
    page = query.customers(connection, day, search=search, sort=sort, limit=limit, offset=offset)
    if as_json:
        from . import shapes

        shapes.dump(shapes.customers(page))
    else:
        from . import tables

        tables.customers(page)


def invoice(db: str | None, number: str, as_of: str | None, as_json: bool) -> None:
    """``domeo invoice NUMBER``."""
    from .queries.customers import invoice as find_invoice

    day = _day(as_of)
    connection = open_reports_db(db)
    detail = find_invoice(connection, number, day)
    if as_json:
        from . import shapes

        shapes.dump(shapes.invoice(detail))
    else:
        from . import tables

        tables.invoice(detail)


def summary_range(
    db: str | None, first: str, last: str, customer: str | None, currency: str | None, as_json: bool
) -> None:
    """``domeo summary --from YYYY-MM --to YYYY-MM``."""
    from .days import parse_month_option
    from .queries.customers import check_month_range
    from .queries.customers import summary_range as series_of

    start, _ = parse_month_option(first, "--from")
    end, _ = parse_month_option(last, "--to")
    check_month_range(start, end)
    code = check_currency(currency) if currency is not None else None
    connection = open_reports_db(db)
    series = series_of(connection, start, end, customer=customer, currency=code)
    if as_json:
        from . import shapes

        shapes.dump(shapes.summary_months(series))
    else:
        from . import tables

        tables.summary_months(series)

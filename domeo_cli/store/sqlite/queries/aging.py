"""The aging report: open invoices by how late they are, per customer, parent or currency.

An invoice is open when ``outstanding > 0``. Its age as of a date D is
``D - due_date`` in days (``D - invoice_date`` with ``age_by="invoice"``);
age <= 0 is *current*, then one bucket per range of days between the edges
(``30, 60, 90`` gives ``1-30``, ``31-60``, ``61-90`` and ``91+``).

SQLite does the summing, in integer cents, over the partial covering index
``invoices_open_by_customer``: the age test is a comparison of ISO dates with
cut-off dates computed once here, so no date arithmetic runs per invoice.
Amounts in different currencies are never added: every group and every total
belongs to one currency.

Each report (but ``by`` currency) is one statement, whose rows are the
report (see ``_tail``): SQLite sums every group's buckets, ranks the groups
per currency and cuts the page (``min_total``, ``limit``, ``offset``), so
Python only builds rows from values. The groups listed come one of two ways:

- a scan (every group listed, or the kept tables cannot answer for the date):
  one pass over the open invoices per (customer, currency) in index order,
  the buckets as differences of cumulative sums, the totals per currency
  summed from the groups; only the groups listed are joined to their names;
- a seek (``limit``, ``min_total`` or ``offset`` while ``open_groups`` and
  ``open_days`` are current for the date): the totals from the sums per day,
  the groups ranked from ``open_groups`` with an ORDER BY ... LIMIT per
  currency, then the buckets of just the groups listed, by index seeks;
- at a day some open invoice was issued after (a past day, or an export
  holding future-dated invoices), the totals still come from the sums per day
  (less what was issued after the day), and a page of the largest groups is
  ranked from the bounds kept at each month's end (``_top_groups``) before
  its buckets are summed the same way.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_left, bisect_right, insort
from datetime import date, timedelta
from operator import attrgetter, itemgetter

from ....options import DEFAULT_EDGES, bucket_names, check_aging_options, check_currency
from ....results.aging import AgingNode, AgingReport, AgingRow, Hidden
from . import damage
from .common import Customer, find_customer, issued_after, issued_later, kept_currencies, running

_BEFORE_ANY_DATE = "0000-00-00"


# -- options -------------------------------------------------------------------------


# -- the query -----------------------------------------------------------------------


def _cutoffs(as_of: date, edges: tuple[int, ...]) -> list[str]:
    """``[as_of, as_of - e1, as_of - e2, ...]`` as ISO text: the lower bound of each bucket."""
    out = []
    for days in (0, *edges):
        try:
            out.append((as_of - timedelta(days=days)).isoformat())
        except OverflowError:
            out.append(_BEFORE_ANY_DATE)
    return out


def cutoff_params(as_of: date, edges: tuple[int, ...]) -> dict[str, str]:
    """The parameters ``:c0``, ``:c1``, ... that ``bucket_sql`` and the aging sums compare dates with."""
    return {f"c{i}": cut for i, cut in enumerate(_cutoffs(as_of, edges))}


def _within(column: str, i: int) -> str:
    """SQL, 0 or 1: the date in ``column`` is at most edge ``i``'s days old (``i`` 0: not yet due, current).

    The one statement of the bucket rule: an age of 0 days or less is current,
    ``low..edge`` days (``1-30``, ``31-60``...) a bucket, past the last edge the
    last one. Every bucket anywhere (aging's sums, its per-day totals, a
    statement's invoices and balance by age) is worked out from it.
    """
    return f"({column} >= :c{i})"


def bucket_sql(column: str, edges: int) -> str:
    """SQL of the bucket (0 current, 1 the first range, ... ``edges + 1`` the last) of the date in ``column``."""
    return f"({edges + 1} - ({' + '.join(_within(column, i) for i in range(edges + 1))}))"


def _cumulative_sums(column: str, edges: int) -> str:
    """SQL sums ``s0``, ``s1``, ...: the outstanding cents at most ``edge i`` days old (``s0``: current).

    Against the cut-offs ``:c0``, ``:c1``, ... (see ``_cutoffs``): one comparison
    of ISO dates per edge and invoice (``_within``), the amount multiplied by its
    truth (0 or 1), cheaper than CASE. The buckets are their differences (``_buckets``).
    """
    return ", ".join(f"sum({_within(column, i)} * outstanding_cents) AS s{i}" for i in range(edges + 1))


def _buckets(edges: int, of: str = "") -> list[str]:
    """SQL of each bucket's cents from the cumulative sums: ``s0``, ``s1 - s0``, ..., ``total - s<edges>``."""
    cum = [f"{of}s{i}" for i in range(edges + 1)]
    return [cum[0], *(f"{b} - {a}" for a, b in zip(cum, cum[1:], strict=False)), f"{of}total - {cum[-1]}"]


_OPEN = "FROM invoices INDEXED BY invoices_open_by_customer WHERE {where}"

# The order of groups within a currency, in SQL and as a Python key (_rank): the same order.
# Unqualified: a group's columns (key, total, oldest) and its customer's (name, name_key).
_ORDER = {
    "total": "total DESC, name_key, name, key",
    "name": "name_key, name, key",
    "oldest": "oldest, total DESC, name_key, name, key",
}


def _rank(sort: str):  # noqa: ANN202 - a key function, the order of _ORDER
    def key(row: AgingRow, nk: str) -> tuple:
        if sort == "name":
            return (nk, row.name, row.key)
        if sort == "oldest":
            return (-(row.oldest_days if row.oldest_days is not None else -(10**9)), -row.total, nk, row.name, row.key)
        return (-row.total, nk, row.name, row.key)

    return key


def _add(rows: list[AgingRow], key: int | str, name: str, currency: str, number: str | None = None) -> AgingRow:
    """The sum of ``rows`` (all in ``currency``) as one row."""
    ages = [r.oldest_days for r in rows if r.oldest_days is not None]
    return AgingRow(
        key=key,
        name=name,
        currency=currency,
        # One pass per column over the rows' tuples (34,000 groups on a whole book).
        buckets=tuple(map(sum, zip(*(r.buckets for r in rows), strict=True))),
        total=sum(r.total for r in rows),
        invoices=sum(r.invoices for r in rows),
        oldest_days=max(ages) if ages else None,
        customer_number=number,
    )


def _less(total: AgingRow, shown: list[AgingRow], name: str) -> AgingRow:
    """``total`` minus the rows ``shown``: what the groups left out add up to."""
    return AgingRow(
        key="",
        name=name,
        currency=total.currency,
        buckets=tuple(t - sum(r.buckets[i] for r in shown) for i, t in enumerate(total.buckets)),
        total=total.total - sum(r.total for r in shown),
        invoices=total.invoices - sum(r.invoices for r in shown),
        oldest_days=None,
    )


def _totals(
    db: sqlite3.Connection,
    as_of: date,
    edges: tuple[int, ...],
    column: str,
    where: list[str],
    params: dict[str, object],
    one_customer: bool,
) -> list[AgingRow]:
    """Every currency's open invoices by bucket.

    From the running sums that loads keep in ``open_days`` when they are
    current (``_kept_totals``: a few seeks a currency), else from the sums per
    (currency, day) along an index of open invoices, without sorting, which
    SQLite puts in buckets (a few thousand rows for a whole book).
    """
    if not one_customer and not _stale(db):
        return _kept_totals(db, as_of, edges, column, params.get("currency"))  # type: ignore[arg-type]
    if one_customer:
        days = (
            f"SELECT currency, {column} AS day, count(*) AS n, sum(outstanding_cents) AS cents FROM invoices "
            f"INDEXED BY invoices_open_by_customer WHERE {' AND '.join(where)} GROUP BY currency, {column}"
        )
    else:
        index = "invoices_open_by_currency_due" if column == "due_date" else "invoices_open_by_currency_date"
        if "as_of" in params and column == "due_date":
            # Leaving out invoices dated after the as-of date: the index by (currency, due date)
            # lacks the invoice date (a table lookup per invoice, 3x slower on a million); the
            # covering index by customer has it, for a sort of the (currency, day) groups.
            index = "invoices_open_by_customer"
        days = (
            f"SELECT currency, {column} AS day, count(*) AS n, sum(outstanding_cents) AS cents "
            f"FROM invoices INDEXED BY {index} WHERE {' AND '.join(where)} GROUP BY currency, {column}"
        )
    sql = (
        f"SELECT currency, bucket, sum(n), sum(cents), min(day), min({damage.real_date('day')}) "
        f"FROM (SELECT *, {bucket_sql('day', len(edges))} AS bucket FROM ({days})) GROUP BY currency, bucket"
    )
    width = len(edges) + 2
    found: dict[str, list] = {}
    for cur, bucket, n, cents, first, real in db.execute(sql, params):
        if not (real and damage.sums_whole(cents) and damage.currencies_sound(cur)):  # never written so
            raise damage.refuse(db)
        acc = found.get(cur)
        if acc is None:
            acc = found[cur] = [0, 0, first, [0] * width]
        acc[0] += n
        acc[1] += cents
        acc[2] = min(acc[2], first)
        acc[3][bucket] += cents
    today = as_of.toordinal()
    return [
        AgingRow(cur, cur, cur, tuple(buckets), total, n, today - date.fromisoformat(first).toordinal())
        for cur, (n, total, first, buckets) in sorted(found.items())
    ]


def _kept_totals(
    db: sqlite3.Connection, as_of: date, edges: tuple[int, ...], column: str, currency: str | None
) -> list[AgingRow]:
    """Every currency's open invoices by bucket as of ``as_of``, from the running sums of ``open_days``.

    A bucket is the invoices of the days between two cut-offs: the difference
    of the running sums the day before each. By invoice date, the days after
    ``as_of`` are left out. By due date, an invoice issued after ``as_of`` is
    due after it too (so it is current), unless it is due before its issue:
    those few are taken out of their own bucket (``issued_later``); the rest
    out of the current bucket, as much as the running sums by invoice date
    say was issued after the day. Loads mark the kept tables current only
    when every day and sum is sound, so nothing here is checked again.
    """
    age_by = "due" if column == "due_date" else "invoice"
    day = as_of.isoformat()
    cuts = _cutoffs(as_of, edges)
    anomalies: dict[str, dict[str, list[int]]] = {}
    if age_by == "due":
        for cur, due, n, cents in issued_later(db, as_of, "9999-99-99"):
            anomalies.setdefault(cur, {})[due] = [n, cents]
    today = as_of.toordinal()
    rows = []
    for cur in [currency] if currency is not None else kept_currencies(db):
        n, total = running(db, age_by, cur, day if age_by == "invoice" else "9999-99-99", inclusive=True)
        if not n:
            continue
        before = [running(db, age_by, cur, cut)[1] for cut in cuts]
        buckets = [total - before[0], *(a - b for a, b in zip(before, before[1:], strict=False)), before[-1]]
        later = [0, 0]  # issued after the day, not due before their issue: current
        odd = anomalies.get(cur, {})
        if age_by == "due":
            all_n, all_cents = running(db, "invoice", cur, "9999-99-99", inclusive=True)
            upto_n, upto_cents = running(db, "invoice", cur, day, inclusive=True)
            later = [all_n - upto_n, all_cents - upto_cents]
            for due, (gone_n, gone_cents) in odd.items():
                buckets[len(edges) + 1 - sum(due >= cut for cut in cuts)] -= gone_cents
                later[0] -= gone_n
                later[1] -= gone_cents
                n, total = n - gone_n, total - gone_cents
            buckets[0] -= later[1]
            n, total = n - later[0], total - later[1]
        if n:
            age = today - date.fromisoformat(_first_day(db, age_by, cur, day, odd, later[0] > 0)).toordinal()
            rows.append(AgingRow(cur, cur, cur, tuple(buckets), total, n, age))
    return rows


def _first_day(
    db: sqlite3.Connection, age_by: str, currency: str, day: str, taken: dict[str, list[int]], later: bool
) -> str:
    """The earliest day (due or invoice date) of ``currency``'s open invoices as of ``day``.

    The first day of ``open_days`` with an invoice left once the ``taken``
    ones (by due date, issued after ``day``) are out; past ``day``, while
    invoices issued after it are among those due, the invoices say (``_first_due``).
    """
    after = ""
    while True:
        found = db.execute(
            "SELECT day, invoices FROM open_days WHERE age_by = ? AND currency = ? AND day > ? ORDER BY day LIMIT 1",
            (age_by, currency, after),
        ).fetchone()
        if age_by == "due" and later and found[0] > day:
            return _first_due(db, currency, day)
        if found[1] > taken.get(found[0], (0,))[0]:
            return found[0]
        after = found[0]


def _first_due(db: sqlite3.Connection, currency: str, day: str) -> str:
    """The earliest due date among ``currency``'s open invoices issued by ``day``, all of them due after it.

    Walks the due dates from ``day`` on: only invoices issued after ``day``
    (and due within their terms of it) come before the first one issued by it.
    """
    return db.execute(
        "SELECT min(due_date) FROM invoices INDEXED BY invoices_open_by_currency_due "
        "WHERE outstanding_cents > 0 AND currency = ? AND due_date > ? AND invoice_date <= ?",
        (currency, day, day),
    ).fetchone()[0]


def _stale(db: sqlite3.Connection) -> bool:
    """True when ``open_groups``, ``open_days`` and ``open_tops`` may differ from the invoices."""
    from ..derived import open_groups_stale

    return open_groups_stale(db)


def _group_sums(db: sqlite3.Connection, column: str, where: list[str], params: dict[str, object]) -> str:
    """SQL of each (customer, currency)'s open count, sum and oldest ``column``: ``key, currency, n, total, oldest``.

    Read from ``open_groups`` (kept by loads) when it is current, else summed
    from the open invoices; ``where`` and ``params`` are those of ``_selection``.
    """
    if not _kept_tables_exact(db, params):
        return (
            f"SELECT customer_id AS key, currency, count(*) AS n, sum(outstanding_cents) AS total, "
            f"min({column}) AS oldest {_OPEN.format(where=' AND '.join(where))} GROUP BY customer_id, currency"
        )
    oldest = "first_due" if column == "due_date" else "first_invoiced"
    terms = ["true"]  # every group in the table is open
    if "customer" in params:
        terms.append("o.customer_id = :customer")
    if "currency" in params:
        terms.append("o.currency = :currency")
    return (
        "SELECT o.customer_id AS key, o.currency, o.invoices AS n, o.outstanding_cents AS total, "
        f"o.{oldest} AS oldest FROM open_groups AS o WHERE {' AND '.join(terms)}"
    )


def _kept_tables_exact(db: sqlite3.Connection, params: dict[str, object]) -> bool:
    """True when the groups of ``open_groups`` are this report's groups, amounts and all.

    They are current (no open invoice written since the last load kept them)
    and the report leaves no invoice out for its date (``:as_of`` is set by
    ``_selection`` only when an open invoice may be dated after the as-of date).
    """
    return "as_of" not in params and not _stale(db)


def _selection(
    db: sqlite3.Connection, as_of: date, edges: tuple[int, ...], customer: str | None, currency: str | None
) -> tuple[str | None, Customer | None, list[str], dict[str, object]]:
    """``(currency code, customer, WHERE terms, parameters)`` of the open invoices a report reads.

    The parameters hold the bucket cut-offs ``:c0``, ``:c1``, ... (see ``_cutoffs``),
    and ``:as_of`` when invoices dated after the as-of date must be left out.
    """
    code = check_currency(currency) if currency is not None else None
    found = find_customer(db, customer) if customer is not None else None
    params: dict[str, object] = {**cutoff_params(as_of, edges)}
    where = ["outstanding_cents > 0"]
    if issued_after(db, as_of):  # as of D, an invoice issued after D did not exist yet
        where.append("invoice_date <= :as_of")
        params["as_of"] = as_of.isoformat()
    if found is not None:
        where.append("customer_id = :customer")
        params["customer"] = found.id
    if code is not None:
        where.append("currency = :currency")
        params["currency"] = code
    return code, found, where, params


def aging(
    db: sqlite3.Connection,
    as_of: date,
    *,
    edges: tuple[int, ...] = DEFAULT_EDGES,
    age_by: str = "due",
    by: str = "customer",
    customer: str | None = None,
    currency: str | None = None,
    min_total: int | None = None,
    sort: str = "total",
    limit: int | None = None,
    tree: bool = False,
    offset: int = 0,
) -> AgingReport:
    """Open invoices as of ``as_of``, summed by bucket of age, one group per (name, currency).

    ``totals`` cover every open invoice that ``customer`` and ``currency``
    select; ``min_total``, ``limit`` (groups per currency) and ``offset``
    (groups skipped per currency) only choose which groups are listed, and
    what they leave out is summed in ``hidden``.
    """
    check_aging_options(age_by, by, sort, limit, tree, offset)
    code, found, where, params = _selection(db, as_of, edges, customer, currency)
    column = "due_date" if age_by == "due" else "invoice_date"
    rank = _rank(sort)
    report = {
        "as_of": as_of,
        "age_by": age_by,
        "by": by,
        "edges": edges,
        "bucket_names": bucket_names(edges),
        "customer": found,
        "currency": code,
        "min_total": min_total,
        "sort": sort,
        "limit": limit,
        "offset": offset,
    }
    every_group = limit is None and min_total is None and not offset
    # A page of the largest customers: ranked from the bounds kept at each month's end (_top_groups).
    by_bounds = (
        limit is not None
        and min_total is None
        and by == "customer"
        and sort == "total"
        and found is None
        and not _stale(db)
    )
    totals: list[AgingRow] = []
    picked = None
    if by_bounds:
        totals = _totals(db, as_of, edges, column, where, params, False)
        picked = _top_groups(db, as_of, [t.currency for t in totals], limit, offset)  # type: ignore[arg-type]
        if not totals:
            return AgingReport(groups=[], totals=[], hidden=[], tree=None, **report)
    # Else a seek: rank from the kept open amounts, then bucket only the groups listed.
    seek = picked is not None or (not every_group and by != "currency" and _kept_tables_exact(db, params))
    if (by == "currency" or seek) and not by_bounds:
        totals = _totals(db, as_of, edges, column, where, params, found is not None)
    if by == "currency":
        floor = min_total or 0
        # One group per currency: listed unless under the floor or skipped by --offset.
        kept = sorted(
            (t for t in totals if t.total >= floor and not offset), key=lambda r: (r.currency, *rank(r, r.name))
        )
        hidden = [Hidden(t.currency, 1, _less(t, [], "1 more")) for t in totals if t not in kept]
        return AgingReport(groups=kept, totals=totals, hidden=hidden, **report)
    if seek and not totals:
        return AgingReport(groups=[], totals=[], hidden=[], tree=[] if tree else None, **report)
    if by == "parent":
        from ..derived import ensure_tree

        db = ensure_tree(db)  # type: ignore[assignment]

    params["floor"] = min_total or 0
    params["day"] = as_of.toordinal() + _JULIAN_DAY_OF_ORDINAL_0
    if seek:
        currencies: list[str] | None = [t.currency for t in totals]
    else:  # a page per currency needs the currencies; every group at or over the floor needs none
        currencies = None if limit is None and not offset else [code] if code else _currencies(db)
    if currencies is not None:
        params.update({"limit": limit if limit is not None else -1, "offset": offset})
        params.update({f"cur{i}": cur for i, cur in enumerate(currencies)})
    if picked is not None:
        sql = _picked_sql(column, len(edges), where, params, picked, sort)
    elif seek:
        sql = _seek_sql(db, by, column, len(edges), where, params, sort, len(totals), tree)
    else:
        sql = _scan_sql(by, column, len(edges), where, sort, currencies, tree)
    rows = db.execute(sql, params).fetchall()

    # The rows come ordered by part (see _tail), then currency: cut the parts apart.
    part = itemgetter(0)
    listed_at = bisect_left(rows, 1, key=part)
    own_at = bisect_left(rows, 3, listed_at, key=part)
    k = 4 + len(edges) + 2  # the total's column: the buckets are the columns from 4 to it
    # A cent stored as 12.5 by another program makes its group's total (a sum) a float; every group's
    # currency is among those of part 0.
    if not (
        damage.sums_whole(*map(itemgetter(k), rows)) and damage.currencies_sound(*(r[1] for r in rows[:listed_at]))
    ):
        raise damage.refuse(db)
    new = tuple.__new__  # each AgingRow straight from its row's values: no keyword call per group
    shown = [
        new(AgingRow, (r[2], r[3], r[1], r[4:k], r[k], r[k + 1], r[k + 2], r[k + 3])) for r in rows[listed_at:own_at]
    ]
    counts = {r[1]: r[2] for r in rows[:listed_at]}
    listable = {r[1]: r[3] for r in rows[:listed_at]}
    if not seek:
        totals = [AgingRow(r[1], r[1], r[1], r[4:k], r[k], r[k + 1], r[k + 2]) for r in rows[:listed_at]]

    hidden = []
    currency_of = attrgetter("currency")
    for total in [] if every_group else totals:
        cur = total.currency
        mine = shown[bisect_left(shown, cur, key=currency_of) : bisect_right(shown, cur, key=currency_of)]
        left = counts.get(cur, 0) - len(mine)
        if left:
            eligible = listable.get(cur, 0)
            after = max(0, eligible - offset - len(mine))
            before = min(offset, eligible)
            hidden.append(Hidden(cur, left, _less(total, mine, f"{left} more"), after, before))
    nodes = _tree(db, rows[own_at:], shown, k, rank) if tree else None
    return AgingReport(groups=shown, totals=totals, hidden=hidden, tree=nodes, **report)


def customer_rows(
    db: sqlite3.Connection, as_of: date, customer_ids: list[int], edges: tuple[int, ...] = DEFAULT_EDGES
) -> dict[int, list[AgingRow]]:
    """The open invoices of each of ``customer_ids`` by bucket of days past due, one row per currency.

    The statement of ``aging``'s groups (``_selection``, ``_own_sql``, ``_buckets``)
    for just these customers: a statement's balance by age is the aging report's.
    """

    _, _, where, params = _selection(db, as_of, edges, None, None)
    where = [*where, "customer_id IN (SELECT value FROM json_each(:ids))"]
    params["ids"] = json.dumps(customer_ids)
    own = _own_sql("due_date", len(edges), where)
    sql = f"SELECT key, currency, {', '.join(_buckets(len(edges)))}, total, n FROM ({own}) ORDER BY key, currency"
    found: dict[int, list[AgingRow]] = {}
    for key, currency, *buckets, total, n in db.execute(sql, params):
        if not (damage.sums_whole(total) and damage.currencies_sound(currency)):
            raise damage.refuse(db)
        found.setdefault(key, []).append(AgingRow(key, "", currency, tuple(buckets), total, n, None))
    return found


def add_rows(rows: list[AgingRow], name: str = "") -> list[AgingRow]:
    """``rows`` summed per currency (sorted by code): the totals of several groups."""
    by_currency: dict[str, list[AgingRow]] = {}
    for row in rows:
        by_currency.setdefault(row.currency, []).append(row)
    return [_add(parts, cur, name, cur) for cur, parts in sorted(by_currency.items())]


# julianday() of a date is its proleptic ordinal (date.toordinal) plus this.
_JULIAN_DAY_OF_ORDINAL_0 = 1721424.5


def _currencies(db: sqlite3.Connection) -> list[str]:
    """Every currency of an open invoice: one seek each along ``invoices_open_by_currency_due``."""
    found: list[str] = []
    while True:
        row = db.execute(
            "SELECT currency FROM invoices INDEXED BY invoices_open_by_currency_due "
            "WHERE outstanding_cents > 0 AND currency > ? ORDER BY currency LIMIT 1",
            (found[-1] if found else "",),
        ).fetchone()
        if row is None:
            return found
        found.append(row[0])


def _own_sql(column: str, edges: int, where: list[str]) -> str:
    """SQL of each (customer, currency)'s open invoices: ``key, currency, n, total, oldest, s0, s1, ...``.

    One pass along ``invoices_open_by_customer`` (covering, in group order, so
    no sort); ``s0``... are the cumulative sums of ``_cumulative_sums``.
    """
    return (
        f"SELECT customer_id AS key, currency, count(*) AS n, sum(outstanding_cents) AS total, "
        f"min({column}) AS oldest, {_cumulative_sums(column, edges)} {_OPEN.format(where=' AND '.join(where))} "
        "GROUP BY customer_id, currency"
    )


def _rolled_up_sql(own: str, edges: int) -> str:
    """SQL of the groups of ``own`` (``_own_sql``'s columns, ``edges + 1`` sums) summed to their top-level account."""
    sums = ["sum(p.n) AS n", "sum(p.total) AS total", "min(p.oldest) AS oldest"]
    sums += [f"sum(p.s{i}) AS s{i}" for i in range(edges + 1)]
    return (
        f"SELECT t.top_id AS key, p.currency, {', '.join(sums)} "
        f"FROM {own} AS p JOIN customer_tree AS t ON t.customer_id = p.key GROUP BY t.top_id, p.currency"
    )


def _scan_sql(
    by: str, column: str, edges: int, where: list[str], sort: str, currencies: list[str] | None, tree: bool
) -> str:
    """The report in one statement, from one pass over the open invoices (see ``_tail`` for its rows).

    Every group is bucketed; those at or over ``:floor`` are listed: all of
    them, or with ``currencies`` a page per currency (``:cur0``, ...), ranked
    by an ORDER BY ... LIMIT ... OFFSET each. Only the groups listed are
    joined to their names.
    """
    # Materialized when read twice: the totals per currency and the groups listed (or the tree).
    ctes = f"WITH own AS {'MATERIALIZED ' if by == 'customer' or tree else ''}({_own_sql(column, edges, where)})"
    groups = "own"
    if by == "parent":
        ctes += f", grp AS MATERIALIZED ({_rolled_up_sql('own', edges)})"
        groups = "grp"
    listed = (
        f"SELECT {_listed_columns(edges)} FROM {groups} AS g JOIN customers AS c ON c.id = g.key WHERE total >= :floor"
    )
    if currencies is not None:
        pages = [
            f"SELECT * FROM ({listed} AND currency = :cur{i} ORDER BY {_ORDER[sort]} LIMIT :limit OFFSET :offset)"
            for i in range(len(currencies))
        ]
        listed = " UNION ALL ".join(pages) or f"{listed} AND 0"
    sums = ", ".join(f"sum({b})" for b in _buckets(edges))
    totals = (
        f"SELECT 0, currency, count(*), sum(total >= :floor), {sums}, sum(total), sum(n), "
        f"{_AGE.format('min(oldest)')}, NULL, NULL FROM {groups} GROUP BY currency"
    )
    return f"{ctes}, listed AS ({listed}) " + _tail(edges, totals, sort, tree)


def _seek_sql(
    db: sqlite3.Connection,
    by: str,
    column: str,
    edges: int,
    where: list[str],
    params: dict[str, object],
    sort: str,
    currencies: int,
    tree: bool,
) -> str:
    """The report in one statement, ranked from the kept open amounts (see ``_tail`` for its rows).

    Groups are ranked per currency (``:cur0``, ...) from each one's count, sum
    and oldest date (no buckets), with an ORDER BY ... LIMIT per currency so
    only the groups listed come out (``l``); then only their invoices are
    bucketed, by index seeks.
    """
    cheap, materialized = _group_sums(db, column, where, params), "MATERIALIZED "
    if by == "parent":
        cheap = _rolled_up_sql(f"({cheap})", -1)
    elif "open_groups" in cheap:
        # Not materialized: each currency's ORDER BY total DESC ... LIMIT then walks
        # the index open_groups_by_total and stops after the groups listed.
        materialized = "NOT MATERIALIZED "
    pages = " UNION ALL ".join(
        "SELECT * FROM (SELECT g.key AS l_key, g.currency AS l_currency FROM ranked AS g "
        f"JOIN customers AS c ON c.id = g.key WHERE g.currency = :cur{i} AND g.total >= :floor "
        f"ORDER BY {_ORDER[sort]} LIMIT :limit OFFSET :offset)"
        for i in range(currencies)
    )
    under = "(SELECT l_key FROM l)"
    if by == "parent":
        under = f"(SELECT customer_id FROM customer_tree WHERE top_id IN {under})"
    ctes = (
        f"WITH ranked AS {materialized}({cheap}), l AS MATERIALIZED ({pages}), "
        f"own AS ({_own_sql(column, edges, [*where, f'customer_id IN {under}'])})"
    )
    groups = "own"
    if by == "parent":
        ctes += f", grp AS ({_rolled_up_sql('own', edges)})"
        groups = "grp"
    listed = (
        f"SELECT {_listed_columns(edges)} FROM {groups} AS g JOIN l ON l_key = g.key AND l_currency = g.currency "
        "JOIN customers AS c ON c.id = g.key"
    )
    counts = f"SELECT 0, currency, count(*), sum(total >= :floor), {', '.join(['NULL'] * (edges + 7))}"
    return f"{ctes}, listed AS ({listed}) " + _tail(edges, f"{counts} FROM ranked GROUP BY currency", sort, tree)


def _top_groups(
    db: sqlite3.Connection, as_of: date, currencies: list[str], limit: int, offset: int
) -> tuple[list[tuple[int, str]], dict[str, int]] | None:
    """The groups (customer, currency) aging lists by total as of ``as_of``, and how many groups each currency has.

    ``open_tops`` holds, at each month's end, the largest groups by the open
    amount invoiced by then: an upper bound of their amount on any earlier day
    of the month (a later invoice only adds), and the last one a bound of every
    group it leaves out. The groups are taken in the order of the bounds of
    the month's end on or after ``as_of``, each one's amount as of the day
    summed from its own open invoices, until the next bound is below the
    amount of the last group the page needs. None when the kept groups cannot
    tell (a page deeper than they reach): the caller then sums every open invoice.
    """
    from ..derived import TOPS_KEPT

    day = as_of.isoformat()
    want = offset + limit
    picked: list[tuple[int, str]] = []
    counts: dict[str, int] = {}
    for cur in currencies:
        row = db.execute(
            "SELECT running_groups FROM open_group_starts WHERE currency = ? AND day <= ? ORDER BY day DESC LIMIT 1",
            (cur, day),
        ).fetchone()
        counts[cur] = row[0] if row else 0
        bounds = db.execute(
            "SELECT customer_id, outstanding_cents FROM open_tops WHERE currency = :cur AND day = "
            "(SELECT min(day) FROM open_tops WHERE currency = :cur AND day >= :day) "
            "ORDER BY outstanding_cents DESC, customer_id",
            {"cur": cur, "day": day},
        ).fetchall()
        if not bounds:  # nothing of the currency invoiced after the month: the kept groups are exact
            bounds = db.execute(
                "SELECT customer_id, outstanding_cents FROM open_groups WHERE currency = ? "
                "ORDER BY outstanding_cents DESC, customer_id LIMIT ?",
                (cur, TOPS_KEPT),
            ).fetchall()
        best = _largest(db, cur, day, bounds, want)
        if best is None:
            return None
        picked += [(cid, cur) for _, cid in best[offset:want]]
    return picked, counts


# Groups whose amount as of the day is summed in one statement, while ranking (_largest).
_BATCH = 40

_AMOUNT_AS_OF = (
    "SELECT i.customer_id, sum(i.outstanding_cents), c.name_key, c.name "
    "FROM invoices AS i INDEXED BY invoices_open_by_customer JOIN customers AS c ON c.id = i.customer_id "
    "WHERE i.outstanding_cents > 0 AND i.customer_id IN (SELECT value FROM json_each(?)) "
    "AND i.currency = ? AND i.invoice_date <= ? GROUP BY i.customer_id"
)


def _largest(
    db: sqlite3.Connection, currency: str, day: str, bounds: list[tuple[int, int]], want: int
) -> list[tuple[tuple, int]] | None:
    """The ``want`` largest groups of ``currency`` as of ``day``, in the report's order: ``(order, customer id)``.

    ``bounds`` are ``(customer id, upper bound)`` from the largest bound down;
    a list of ``TOPS_KEPT`` leaves out groups whose bound is at most its last.
    None when one of those may belong in the answer.
    """
    from ..derived import TOPS_KEPT

    best: list[tuple[tuple, int]] = []

    def beaten(bound: int) -> bool:  # no group left to read can rank among the ``want``
        return len(best) >= want and bound < -best[want - 1][0][0]

    for start in range(0, len(bounds), _BATCH):
        batch = bounds[start : start + _BATCH]
        ids = json.dumps([cid for cid, _ in batch])
        exact = {cid: rest for cid, *rest in db.execute(_AMOUNT_AS_OF, (ids, currency, day))}
        for cid, bound in batch:
            if beaten(bound):
                return best
            if cid in exact:
                total, nk, name = exact[cid]
                insort(best, ((-total, nk, name, cid), cid))
    if len(bounds) >= TOPS_KEPT and not beaten(bounds[-1][1]):
        return None  # a group the kept list leaves out may rank above the last one needed
    return best


def _picked_sql(
    column: str,
    edges: int,
    where: list[str],
    params: dict[str, object],
    picked: tuple[list[tuple[int, str]], dict[str, int]],
    sort: str,
) -> str:
    """The report in one statement, for the groups ``_top_groups`` picked (see ``_tail`` for its rows)."""
    groups, counts = picked
    params["picked"] = json.dumps(groups)
    params["counts"] = json.dumps(sorted(counts.items()))
    pair = "json_extract(value, '$[0]'), json_extract(value, '$[1]')"
    ctes = (
        f"WITH l (l_key, l_currency) AS MATERIALIZED (SELECT {pair} FROM json_each(:picked)), "
        f"own AS ({_own_sql(column, edges, [*where, 'customer_id IN (SELECT l_key FROM l)'])})"
    )
    listed = (
        f"SELECT {_listed_columns(edges)} FROM own AS g JOIN l ON l_key = g.key AND l_currency = g.currency "
        "JOIN customers AS c ON c.id = g.key"
    )
    counts_sql = (
        "SELECT 0, json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[1]'), "
        f"{', '.join(['NULL'] * (edges + 7))} FROM json_each(:counts)"
    )
    return f"{ctes}, listed AS ({listed}) " + _tail(edges, counts_sql, sort, False)


# A group's age in days from its oldest date (``julianday`` of ISO dates: whole days apart).
_AGE = "CAST(:day - julianday({}) AS INTEGER)"


def _listed_columns(edges: int) -> str:
    """The columns of a group listed, from ``g``: those of part 1 of ``_tail`` after the part."""
    buckets = ", ".join(_buckets(edges))
    return f"currency, key, name, {buckets}, total, n, {_AGE.format('oldest')}, customer_number, name_key"


def _tail(edges: int, counts: str, sort: str, tree: bool) -> str:
    """The rows of a report, after the CTEs ``own`` (per customer) and ``listed`` (the groups listed).

    Every row has the same columns: ``part, currency, key, name``, the buckets,
    ``total, invoices, oldest age, customer number, name key``, ordered by
    part, currency, then the groups in the report's order. The parts:

    0. ``counts``, per currency: the groups and those at or over ``:floor``
       (in ``key`` and ``name``), and sums of every group or NULLs;
    1. the groups listed, in order;
    3. with ``tree``, the customers under the groups listed with their own
       amounts (the customer id in ``key``).
    """
    parts = [counts, "SELECT 1, * FROM listed"]
    if tree:
        own = ", ".join(_buckets(edges, "p."))
        parts.append(
            f"SELECT 3, p.currency, p.key, NULL, {own}, p.total, p.n, {_AGE.format('p.oldest')}, NULL, NULL "
            "FROM own AS p JOIN customer_tree AS t ON t.customer_id = p.key "
            "JOIN listed AS l ON l.key = t.top_id AND l.currency = p.currency"
        )
    # The report's order (_ORDER) by column number: 3 key, 4 name, then the total, age and name key.
    k = 4 + edges + 2 + 1
    place = {"total": f"{k} DESC", "oldest": f"{k + 2} DESC", "name_key": f"{k + 4}", "name": "4", "key": "3"}
    order = [place[term.split()[0]] for term in _ORDER[sort].split(", ")]
    return " UNION ALL ".join(parts) + f" ORDER BY 1, 2, {', '.join(order)}"


def _tree(
    db: sqlite3.Connection,
    own_rows: list[tuple],
    shown: list[AgingRow],
    k: int,
    rank,  # noqa: ANN001 - the sort key of _rank
) -> list[AgingNode]:
    """The subtree of each top-level account shown, subtotals at every level, in the shown order.

    ``own_rows`` are the customers' own amounts (part 3 of ``_tail``, the total in column ``k``).

    Amounts flow up one level at a time from the deepest customers, so the
    work is linear in the customers involved, whatever the depth; nodes are
    built children first, without recursion.
    """

    tops = sorted({g.key for g in shown})
    if not tops:
        return []
    members = db.execute(
        "SELECT t.customer_id, t.parent_id, t.depth, c.name, c.name_key, c.customer_number "
        "FROM customer_tree AS t JOIN customers AS c ON c.id = t.customer_id "
        "WHERE t.top_id IN (SELECT value FROM json_each(?))",
        [json.dumps(tops)],
    ).fetchall()
    parent = {m[0]: m[1] for m in members}
    depth = {m[0]: m[2] for m in members}
    people = {m[0]: (m[3], m[4], m[5]) for m in members}
    wanted = {(g.key, g.currency) for g in shown}
    order = {(g.key, g.currency): i for i, g in enumerate(shown)}
    roots: list[AgingNode] = []
    for cur in sorted({g.currency for g in shown}):
        own = {
            r[2]: AgingRow(r[2], people[r[2]][0], cur, r[4:k], r[k], r[k + 1], r[k + 2], people[r[2]][2])
            for r in own_rows
            if r[1] == cur
        }
        subtree: dict[int, list[AgingRow]] = {cid: [row] for cid, row in own.items()}
        levels: dict[int, set[int]] = {}
        for cid in subtree:
            levels.setdefault(depth[cid], set()).add(cid)
        kids: dict[int, list[int]] = {}
        for level in range(max(levels, default=0), 0, -1):
            for cid in sorted(levels.get(level, ())):
                up = parent[cid]
                kids.setdefault(up, []).append(cid)
                subtree.setdefault(up, []).append(_add(subtree[cid], cid, "", cur))
                levels.setdefault(level - 1, set()).add(up)
        totals = {cid: _add(parts, cid, people[cid][0], cur, people[cid][2]) for cid, parts in subtree.items()}
        made: dict[int, AgingNode] = {}
        for level in range(max(levels, default=0), -1, -1):
            for cid in levels.get(level, ()):
                children = sorted(kids.get(cid, ()), key=lambda c: rank(totals[c], people[c][1]))
                made[cid] = AgingNode(
                    customer_id=cid,
                    name=people[cid][0],
                    customer_number=people[cid][2],
                    depth=level,
                    subtotal=totals[cid],
                    own=own.get(cid),
                    children=[made[c] for c in children],
                )
        roots += [made[cid] for cid in levels.get(0, ()) if (cid, cur) in wanted]
    roots.sort(key=lambda n: order[(n.customer_id, n.subtotal.currency)])
    return roots

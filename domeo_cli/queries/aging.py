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

Every group listed (the default) takes one pass over the open invoices,
per (customer, currency) in index order. With ``limit`` or ``min_total`` on a
large book, three cheaper steps: the totals per currency (one pass); the
groups ranked per currency from a pass without buckets (count, sum, oldest),
with an ORDER BY ... LIMIT per currency so only the groups listed come out;
then the buckets of just those groups, by index seeks.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from typing import NamedTuple

from ..errors import InvalidInput
from ..money import MoneyError, format_cents, parse_cents
from .common import MAX_ROWS, Customer, check_currency, check_offset, find_customer, issued_after

AGE_BY = ("due", "invoice")
BY = ("customer", "parent", "currency")
SORTS = ("total", "name", "oldest")
DEFAULT_EDGES = (30, 60, 90)
MAX_EDGE = 36_500
MAX_EDGES = 20
_BEFORE_ANY_DATE = "0000-00-00"


class AgingRow(NamedTuple):
    """One line of the report: a group's open amounts by bucket, in one currency."""

    key: int | str
    """customer id (``by`` customer or parent) or currency code (``by`` currency)."""
    name: str
    currency: str
    buckets: tuple[int, ...]
    """Cents per bucket, current first; they add up to ``total``."""
    total: int
    invoices: int
    oldest_days: int | None
    """Age in days of the group's oldest open invoice."""
    customer_number: str | None = None


class AgingNode(NamedTuple):
    """A customer in the ``--tree`` view: its subtree's amounts and its own."""

    customer_id: int
    name: str
    customer_number: str | None
    depth: int
    subtotal: AgingRow
    own: AgingRow | None
    children: list[AgingNode]


class Hidden(NamedTuple):
    """Groups of a currency left out by ``min_total``, ``limit`` or ``offset``, summed."""

    currency: str
    groups: int
    row: AgingRow
    after: int = 0
    """Of them, the groups a later page would list (at or over ``min_total``, after this page)."""
    before: int = 0
    """Of them, the groups an earlier page lists (at or over ``min_total``, skipped by ``offset``)."""


class AgingReport(NamedTuple):
    """The whole report: the groups shown, every currency's totals, and what was left out."""

    as_of: date
    age_by: str
    by: str
    edges: tuple[int, ...]
    bucket_names: list[str]
    groups: list[AgingRow]
    totals: list[AgingRow]
    hidden: list[Hidden]
    customer: Customer | None = None
    currency: str | None = None
    min_total: int | None = None
    sort: str = "total"
    limit: int | None = None
    tree: list[AgingNode] | None = None
    offset: int = 0


# -- options -------------------------------------------------------------------------


def parse_buckets(text: str | None) -> tuple[int, ...]:
    """``"30,60,90"`` -> ``(30, 60, 90)``: increasing whole numbers of days; None gives the default."""
    if text is None:
        return DEFAULT_EDGES
    parts = [p.strip() for p in text.split(",")]
    if not all(re.fullmatch(r"[0-9]+", p) for p in parts):
        raise InvalidInput(
            f"--buckets takes increasing whole numbers of days separated by commas, such as 30,60,90; not {text!r}."
        )
    edges = tuple(int(p) for p in parts)
    if len(edges) > MAX_EDGES:
        raise InvalidInput(f"--buckets takes at most {MAX_EDGES} edges, not {len(edges)}.")
    if edges[0] < 1 or edges[-1] > MAX_EDGE:
        raise InvalidInput(f"--buckets edges must be from 1 to {MAX_EDGE} days; got {text!r}.")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise InvalidInput(f"--buckets edges must increase, such as 30,60,90; got {text!r}.")
    return edges


def bucket_names(edges: tuple[int, ...]) -> list[str]:
    """``(30, 60, 90)`` -> ``["current", "1-30", "31-60", "61-90", "91+"]``."""
    names = ["current"]
    low = 1
    for edge in edges:
        names.append(f"{low}-{edge}")
        low = edge + 1
    names.append(f"{low}+")
    return names


_AMOUNT = re.compile(r"\$?\s*(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{0,2})0*)?")


def parse_min_total(text: str | None) -> int | None:
    """``--min-total`` as cents (``1000``, ``2,500.50``), or None.

    Written as an invoice amount is, but a total may pass the largest single
    invoice: it is bounded only by the largest sum the database holds.
    """
    if text is None:
        return None
    try:
        return parse_cents(text)
    except MoneyError as err:
        match = _AMOUNT.fullmatch(text.strip())
        if match is None:
            raise InvalidInput(f"--min-total takes an amount such as 1000 or 2500.50; the value {err}.") from None
    cents = int(match["int"].replace(",", "")) * 100 + int((match["frac"] or "").ljust(2, "0"))
    if cents > MAX_ROWS:
        raise InvalidInput(
            f"--min-total {text.strip()} is larger than any total can be (at most {format_cents(MAX_ROWS)})."
        )
    return cents


def check_options(age_by: str, by: str, sort: str, limit: int | None, tree: bool, offset: int = 0) -> None:
    """Raise InvalidInput for a value the report does not take."""
    if age_by not in AGE_BY:
        raise InvalidInput(f"--age-by takes due or invoice, not {age_by!r}.")
    if by not in BY:
        raise InvalidInput(f"--by takes customer, parent or currency, not {by!r}.")
    if sort not in SORTS:
        raise InvalidInput(f"--sort takes total, name or oldest, not {sort!r}.")
    if limit is not None and not 1 <= limit <= MAX_ROWS:
        raise InvalidInput(f"--limit takes a whole number from 1 to {MAX_ROWS} (groups per currency), not {limit}.")
    check_offset(offset)
    if tree and by != "parent":
        raise InvalidInput(f"--tree shows the customer hierarchy: use it with --by parent, not --by {by}.")


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


def _bucket_sums(column: str, width: int) -> str:
    """SQL sums of outstanding cents per bucket, against the cut-offs ``:c0``, ``:c1``, ...

    Each sum multiplies the amount by the truth (0 or 1) of comparisons of ISO
    dates: cheaper than CASE, and every invoice falls in exactly one bucket.
    """
    sums = [f"sum(({column} >= :c0) * outstanding_cents)"]
    for i in range(1, width - 1):
        sums.append(f"sum(({column} < :c{i - 1}) * ({column} >= :c{i}) * outstanding_cents)")
    sums.append(f"sum(({column} < :c{width - 2}) * outstanding_cents)")
    return ", ".join(sums)


_OPEN = "FROM invoices INDEXED BY invoices_open_by_customer WHERE {where}"

# The order of groups within a currency, in SQL and as a Python key: the same order.
_ORDER = {
    "total": "g.total DESC, c.name_key, c.name, g.key",
    "name": "c.name_key, c.name, g.key",
    "oldest": "g.oldest, g.total DESC, c.name_key, c.name, g.key",
}


def _rank(sort: str):  # noqa: ANN202 - a key function, the order of _ORDER
    def key(row: AgingRow, nk: str) -> tuple:
        if sort == "name":
            return (nk, row.name, row.key)
        if sort == "oldest":
            return (-(row.oldest_days if row.oldest_days is not None else -(10**9)), -row.total, nk, row.name, row.key)
        return (-row.total, nk, row.name, row.key)

    return key


def _age(as_of: date, oldest: str | None) -> int | None:
    return None if oldest is None else as_of.toordinal() - date.fromisoformat(oldest).toordinal()


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
    """Every currency's open invoices by bucket, from their sums per day.

    The sums per (currency, day) are read from ``open_days`` when the load
    kept them current, else summed along the index of open invoices by
    (currency, date), without sorting; the days (a few thousand rows for a
    whole book) are put in buckets here.
    """
    from bisect import bisect_left

    if one_customer:
        sql = (
            f"SELECT currency, {column}, count(*), sum(outstanding_cents) FROM invoices "
            f"INDEXED BY invoices_open_by_customer WHERE {' AND '.join(where)} GROUP BY currency, {column}"
        )
    elif _kept_tables_exact(db, params):  # the sums per day kept by loads: a few thousand rows at most
        sql = "SELECT currency, day, invoices, outstanding_cents FROM open_days WHERE age_by = :age_by"
        params = {"age_by": "due" if column == "due_date" else "invoice", **params}
        if "currency" in params:
            sql += " AND currency = :currency"
    else:
        index = "invoices_open_by_currency_due" if column == "due_date" else "invoices_open_by_currency_date"
        sql = (
            f"SELECT currency, {column}, count(*), sum(outstanding_cents) FROM invoices INDEXED BY {index} "
            f"WHERE {' AND '.join(where)} GROUP BY currency, {column}"
        )
    today = as_of.toordinal()
    width = len(edges) + 2
    found: dict[str, list] = {}
    for cur, day, n, cents in db.execute(sql, params):
        age = today - date.fromisoformat(day).toordinal()
        acc = found.get(cur)
        if acc is None:
            acc = found[cur] = [0, 0, age, [0] * width]
        acc[0] += n
        acc[1] += cents
        acc[2] = max(acc[2], age)
        acc[3][0 if age <= 0 else bisect_left(edges, age) + 1] += cents
    return [
        AgingRow(cur, cur, cur, tuple(buckets), total, n, oldest)
        for cur, (n, total, oldest, buckets) in sorted(found.items())
    ]


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
    """True when ``open_groups`` and ``open_days`` give this report's answer.

    They are current (no open invoice written since the last load kept them)
    and the report leaves no invoice out for its date (``:as_of`` is set by
    ``_selection`` only when an open invoice may be dated after the as-of date).
    """
    from ..derived import open_groups_stale as is_stale

    return "as_of" not in params and not is_stale(db)


def _selection(
    db: sqlite3.Connection, as_of: date, edges: tuple[int, ...], customer: str | None, currency: str | None
) -> tuple[str | None, Customer | None, list[str], dict[str, object]]:
    """``(currency code, customer, WHERE terms, parameters)`` of the open invoices a report reads.

    The parameters hold the bucket cut-offs ``:c0``, ``:c1``, ... (see ``_cutoffs``),
    and ``:as_of`` when invoices dated after the as-of date must be left out.
    """
    code = check_currency(currency) if currency is not None else None
    found = find_customer(db, customer) if customer is not None else None
    params: dict[str, object] = {f"c{i}": cut for i, cut in enumerate(_cutoffs(as_of, edges))}
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
    import json

    check_options(age_by, by, sort, limit, tree, offset)
    code, found, where, params = _selection(db, as_of, edges, customer, currency)
    column = "due_date" if age_by == "due" else "invoice_date"
    width = len(edges) + 2
    bucket_sql = _bucket_sums(column, width)
    open_where = _OPEN.format(where=" AND ".join(where))
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
    totals: list[AgingRow] = []
    if by == "currency" or not every_group:
        totals = _totals(db, as_of, edges, column, where, params, found is not None)
    if by == "currency":
        floor = min_total or 0
        # One group per currency: listed unless under the floor or skipped by --offset.
        kept = sorted(
            (t for t in totals if t.total >= floor and not offset), key=lambda r: (r.currency, *rank(r, r.name))
        )
        hidden = [Hidden(t.currency, 1, _less(t, [], "1 more")) for t in totals if t not in kept]
        return AgingReport(groups=kept, totals=totals, hidden=hidden, **report)
    if not every_group and not totals:
        return AgingReport(groups=[], totals=[], hidden=[], tree=[] if tree else None, **report)
    if by == "parent":
        from ..derived import ensure_tree

        ensure_tree(db)

    # The groups: (currency, key, name, name_key, number) of those listed, and how many in all.
    counts: dict[str, int] = {}
    listable: dict[str, int] = {}  # groups at or over the floor, per currency
    ranked: dict[tuple[int, str], tuple] = {}
    if not every_group:
        # Ranked per currency from each group's count, sum and oldest date (no buckets);
        # only the groups listed come out of each currency's ORDER BY ... LIMIT.
        cheap, materialized = _group_sums(db, column, where, params), "MATERIALIZED "
        if by == "parent":
            cheap = (
                "SELECT t.top_id AS key, p.currency, sum(p.n) AS n, sum(p.total) AS total, min(p.oldest) AS oldest "
                f"FROM ({cheap}) AS p JOIN customer_tree AS t ON t.customer_id = p.key GROUP BY t.top_id, p.currency"
            )
        elif "open_groups" in cheap:
            # Not materialized: each currency's ORDER BY total DESC ... LIMIT then walks
            # the index open_groups_by_total and stops after the groups listed.
            materialized = "NOT MATERIALIZED "
        parts = ["SELECT 0, currency, count(*), sum(total >= :floor), NULL, NULL FROM g GROUP BY currency"]
        for i, t in enumerate(totals):
            params[f"cur{i}"] = t.currency
            parts.append(
                "SELECT * FROM (SELECT 1, g.currency, g.key, c.name, c.name_key, c.customer_number "
                "FROM g JOIN customers AS c ON c.id = g.key "
                f"WHERE g.currency = :cur{i} AND g.total >= :floor ORDER BY {_ORDER[sort]} LIMIT :limit OFFSET :offset)"
            )
        params["floor"] = min_total or 0
        params["limit"] = limit if limit is not None else -1
        params["offset"] = offset
        for part, cur, key, *rest in db.execute(
            f"WITH g AS {materialized}({cheap}) " + " UNION ALL ".join(parts), params
        ):
            if part == 0:
                counts[cur] = key
                listable[cur] = rest[0]
            else:
                ranked[(key, cur)] = (cur, key, *rest)
        params["keys"] = json.dumps(sorted({key for key, _ in ranked}))

    # The buckets, per customer: of the groups listed (index seeks), or of all in one pass.
    more = ""
    if not every_group:
        under = "(SELECT value FROM json_each(:keys))"
        if by == "parent":
            under = f"(SELECT customer_id FROM customer_tree WHERE top_id IN {under})"
        more = f"AND customer_id IN {under}"
    per_customer = (
        f"SELECT customer_id, currency, count(*), sum(outstanding_cents), min({column}), {bucket_sql} "
        f"{open_where} {more} GROUP BY customer_id, currency"
    )
    if by == "customer":
        sql = (
            f"SELECT p.*, p.customer_id, c.name, c.name_key, c.customer_number FROM ({per_customer}) AS p "
            "JOIN customers AS c ON c.id = p.customer_id"
        )
    else:
        sql = (
            f"SELECT p.*, t.top_id, c.name, c.name_key, c.customer_number FROM ({per_customer}) AS p "
            "JOIN customer_tree AS t ON t.customer_id = p.customer_id JOIN customers AS c ON c.id = t.top_id"
        )
    groups: dict[tuple[int, str], list] = {}
    own: dict[tuple[int, str], tuple] = {}
    for values in db.execute(sql, params):
        cid, cur, n, total, oldest, *buckets = values[:-4]
        top, name, nk, number = values[-4:]
        if tree:
            own[(cid, cur)] = values[:-4]
        acc = groups.get((top, cur))
        if acc is None:
            groups[(top, cur)] = [n, total, oldest, *buckets, name, nk, number]
        else:
            acc[0] += n
            acc[1] += total
            acc[2] = min(acc[2], oldest)
            for i, value in enumerate(buckets, start=3):
                acc[i] += value
    if every_group:
        ranked = {(top, cur): (cur, top, *acc[-3:]) for (top, cur), acc in groups.items()}
        for cur, *_ in ranked.values():
            counts[cur] = counts.get(cur, 0) + 1
    shown: list[AgingRow] = []
    for cur, key, name, _nk, number in ranked.values():
        acc = groups[(key, cur)]
        shown.append(AgingRow(key, name, cur, tuple(acc[3 : 3 + width]), acc[1], acc[0], _age(as_of, acc[2]), number))
    order = {(r[1], r[0]): r[3] for r in ranked.values()}
    shown.sort(key=lambda r: (r.currency, *rank(r, order[(r.key, r.currency)])))
    if every_group:
        by_currency: dict[str, list[AgingRow]] = {}
        for row in shown:
            by_currency.setdefault(row.currency, []).append(row)
        totals = [_add(rows, cur, cur, cur) for cur, rows in sorted(by_currency.items())]

    hidden = []
    for total in totals:
        mine = [g for g in shown if g.currency == total.currency]
        left = counts.get(total.currency, 0) - len(mine)
        if left:
            eligible = listable.get(total.currency, 0)
            after = max(0, eligible - offset - len(mine))
            before = min(offset, eligible)
            hidden.append(Hidden(total.currency, left, _less(total, mine, f"{left} more"), after, before))
    nodes = _tree(db, own, shown, as_of, rank) if tree else None
    return AgingReport(groups=shown, totals=totals, hidden=hidden, tree=nodes, **report)


def _tree(
    db: sqlite3.Connection,
    own_rows: dict[tuple[int, str], tuple],
    shown: list[AgingRow],
    as_of: date,
    rank,  # noqa: ANN001 - the sort key of _rank
) -> list[AgingNode]:
    """The subtree of each top-level account shown, subtotals at every level, in the shown order.

    Amounts flow up one level at a time from the deepest customers, so the
    work is linear in the customers involved, whatever the depth; nodes are
    built children first, without recursion.
    """
    import json

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
            cid: AgingRow(cid, people[cid][0], cur, tuple(r[5:]), r[3], r[2], _age(as_of, r[4]), people[cid][2])
            for (cid, c), r in own_rows.items()
            if c == cur and cid in people
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

"""What every report query shares: paging checks, currencies, finding a customer."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import NamedTuple

from ..errors import InvalidInput, NotFound
from ..names import closest_names, name_key

MAX_LIMIT = 200


class Customer(NamedTuple):
    """A customer as stored."""

    id: int
    name: str
    customer_number: str | None
    parent_number: str | None


def check_page(limit: int, offset: int, max_limit: int = MAX_LIMIT) -> None:
    """Raise InvalidInput unless 1 <= limit <= max_limit and offset >= 0."""
    if not 1 <= limit <= max_limit:
        raise InvalidInput(f"--limit takes a whole number from 1 to {max_limit}, not {limit}.")
    if offset < 0:
        raise InvalidInput(f"--offset takes a whole number from 0 up, not {offset}.")


def check_currency(code: str) -> str:
    """Normalise a ``--currency`` value to an upper-case ISO code, or raise InvalidInput."""
    value = code.strip()
    value = value.upper() if value.isascii() else value  # "uß".upper() would be "USS"
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise InvalidInput(f"--currency takes a three-letter ISO 4217 code such as USD, not {code!r}.")
    return value


def find_customer(db: sqlite3.Connection, name: str) -> Customer:
    """The customer whose name matches ``name`` (case-insensitive, exact), or NotFound.

    A customer's number works too: when no name matches, a customer whose
    ``customer_number`` is ``name`` (trimmed) is the one meant.
    """
    row = db.execute(
        "SELECT id, name, customer_number, parent_number FROM customers WHERE name_key = ?",
        (name_key(name),),
    ).fetchone()
    if row is None and name.strip():
        row = db.execute(
            "SELECT id, name, customer_number, parent_number FROM customers WHERE customer_number = ? "
            "ORDER BY id LIMIT 1",
            (name.strip(),),
        ).fetchone()
    if row is not None:
        return Customer(*row)
    names = [n for (n,) in db.execute("SELECT name FROM customers ORDER BY name")]
    suggestions = closest_names(name, names)
    hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    raise NotFound(f"No customer is named {name!r}.{hint}", suggestions)


def family_ids(db: sqlite3.Connection, customer: Customer) -> list[int]:
    """``customer``'s id, then those of every customer below it in the hierarchy (children first).

    Read from ``customer_tree`` (made current for this connection if customers
    changed since the last load), level by level: a loop in the data cannot trap it.
    """
    from ..hierarchy import ensure_tree

    ensure_tree(db)
    found = [customer.id]
    seen = {customer.id}
    level = [customer.id]
    while level:
        below = [
            cid
            for (cid,) in db.execute(
                "SELECT customer_id FROM customer_tree WHERE parent_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY customer_id",
                (json.dumps(level),),
            )
            if cid not in seen
        ]
        seen.update(below)
        found += below
        level = below
    return found

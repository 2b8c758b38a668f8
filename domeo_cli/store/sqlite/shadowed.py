"""A report's connection whose statements may read CTEs in place of stored tables: nothing is created.

A report reads through a ``Shadowed`` connection. As it stands it is the
connection itself. When a report must read a table other than as stored
(the data as known after a past load, ``history.read_past``; a customer tree
gone stale, ``derived.ensure_tree``), it is given CTEs of the same names:
each statement then starts with them, and a CTE shadows the table of its
name within its statement. The reports' query text stays the same, and a
database opened read-only (a replica, a role allowed only SELECT) answers
it, since no table, view or index is ever created for a report.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

#: ``table [AS alias] INDEXED BY name``: a hint names an index of a stored table, which a CTE has none of.
_INDEX_HINT = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)((?:\s+AS)?\s+\w+)?\s+INDEXED\s+BY\s+\w+", re.IGNORECASE)
_LEADING_WITH = re.compile(r"\s*WITH(\s+RECURSIVE)?\s", re.IGNORECASE)


class Shadowed:
    """A connection (``sqlite3.Connection``'s interface) whose statements read the CTEs given to it."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._ctes: list[str] = []
        self._names: set[str] = set()
        self._prelude = ""

    def shadow(self, name: str, definition: str) -> None:
        """Read ``definition`` (``name (columns) AS (SELECT ...)``) wherever a statement names ``name``."""
        if name in self._names:
            raise ValueError(f"{name} is shadowed already")
        self._names.add(name)
        self._ctes.append(definition)
        self._prelude = ", ".join(self._ctes)

    def shadows(self, name: str) -> bool:
        """True when statements read a CTE in place of the stored ``name``."""
        return name in self._names

    def _then(self, sql: str) -> str:
        """``sql`` with the CTEs first (joined to the statement's own), the index hints on them dropped."""
        sql = _INDEX_HINT.sub(self._unhinted, sql)
        found = _LEADING_WITH.match(sql)
        if found is not None:
            return f"WITH{found.group(1) or ''} {self._prelude}, {sql[found.end() :]}"
        return f"WITH {self._prelude} {sql}"

    def _unhinted(self, hint: re.Match[str]) -> str:
        """A hinted table, its hint dropped when a CTE is read in its place (a stored table keeps its plan)."""
        if hint.group(1).lower() not in self._names:
            return hint.group(0)
        return hint.string[hint.start() : hint.end(2) if hint.group(2) else hint.end(1)]

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        """The connection's ``execute``, reading the CTEs given (the statement as it is when none are)."""
        if not self._ctes:
            return self._connection.execute(sql, parameters)
        return self._connection.execute(self._then(sql), parameters)

    def close(self) -> None:
        """Close the connection (a kept one of ``domeo serve`` ends its read transaction only)."""
        self._connection.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def shadow_tree(db: Shadowed) -> None:
    """Give ``db`` the customer tree worked out from the customers it reads (``hierarchy``), and call it current.

    The tree's rows are read through a function of the connection
    (``domeo_tree``), registered anew for each snapshot that needs it.
    """
    from ...hierarchy import resolve

    family = resolve(db.execute("SELECT id, customer_number, parent_number FROM customers"))
    tree = {cid: (family.top[cid], family.parent[cid], family.depth[cid]) for cid in family.top}
    db.create_function("domeo_tree", 2, lambda cid, part: tree[cid][part] if cid in tree else None, deterministic=True)
    db.shadow(
        "customer_tree",
        "customer_tree (customer_id, top_id, parent_id, depth) AS (SELECT id, domeo_tree(id, 0), domeo_tree(id, 1), "
        "domeo_tree(id, 2) FROM customers WHERE domeo_tree(id, 0) IS NOT NULL)",
    )
    db.shadow("hierarchy_state", "hierarchy_state (id, dirty) AS (SELECT 1, 0)")

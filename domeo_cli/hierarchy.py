"""Customer hierarchies: who rolls up to whom, and what is wrong with the links.

A customer names its parent by the parent's customer number. Following those
links from any customer leads to its top-level ancestor, except when the data
is broken in one of two ways, each reported once and then worked around:

- the parent number is not the number of any customer in the data: the
  customer is treated as a top-level account;
- the links go round in a loop (``1 → 2 → 1``, or a customer that is its own
  parent): every member of the loop is treated as a top-level account, and a
  customer that leads into the loop rolls up to the member it reaches.

Everything here is pure and iterative (no recursion), linear in the number of
customers, and terminates on any input.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

Row = tuple[int, "str | None", "str | None"]


class Hierarchy(NamedTuple):
    """The resolved hierarchy of a set of customers (all keyed by customer id)."""

    top: dict[int, int]
    """Each customer's top-level ancestor (itself when it is top-level)."""
    parent: dict[int, int | None]
    """Each customer's parent as used: None for a top-level account, a missing parent or a loop member."""
    depth: dict[int, int]
    """0 for a top-level account, 1 for its children, and so on."""
    missing: list[tuple[int, str]]
    """``(customer id, parent number)`` for each customer naming a parent that is not in the data."""
    loops: list[list[int]]
    """Each loop once, as customer ids in link order, starting at its smallest id."""
    warnings: list[str]
    """One sentence per problem, for the end of an ingest."""

    def children(self) -> dict[int, list[int]]:
        """Each customer's children as used (sorted by id); leaves are absent."""
        kids: dict[int, list[int]] = {}
        for cid in sorted(self.parent):
            up = self.parent[cid]
            if up is not None:
                kids.setdefault(up, []).append(cid)
        return kids


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _label(cid: int, number: str | None) -> str:
    return number if number is not None else f"(no number, id {cid})"


def resolve(rows: Iterable[Row]) -> Hierarchy:
    """Resolve ``(customer_id, customer_number, parent_number)`` rows into a Hierarchy.

    Numbers are compared as trimmed text; an empty parent number means none.
    When two customers share a number, links to it go to the smaller id.
    """
    numbers: dict[int, str | None] = {}
    parents: dict[int, str | None] = {}
    for cid, number, parent in rows:
        numbers[cid] = _clean(number)
        parents[cid] = _clean(parent)
    ids = sorted(numbers)
    by_number: dict[str, int] = {}
    for cid in ids:
        number = numbers[cid]
        if number is not None and number not in by_number:
            by_number[number] = cid

    link: dict[int, int | None] = {}
    missing: list[tuple[int, str]] = []
    for cid in ids:
        wanted = parents[cid]
        if wanted is None:
            link[cid] = None
        elif wanted in by_number:
            link[cid] = by_number[wanted]
        else:
            link[cid] = None
            missing.append((cid, wanted))

    # Follow each chain once; a node met again on the current path closes a loop.
    top: dict[int, int] = {}
    parent = dict(link)
    loops: list[list[int]] = []
    # Position of a node on the path of the walk that reached it first; every walk
    # ends with all its nodes in ``top``, so a node met here that is not in ``top``
    # is on the current path.
    on_path: dict[int, int] = {}
    for start in ids:
        if start in top:
            continue
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in top and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = link[node]
        if node is not None and node not in top:  # stopped on the current path: a loop
            cycle = path[on_path[node] :]
            first = cycle.index(min(cycle))
            loops.append(cycle[first:] + cycle[:first])
            for member in cycle:
                top[member] = member
                parent[member] = None
            path = path[: on_path[node]]
        for member in reversed(path):
            up = link[member]
            top[member] = member if up is None else top[up]

    depth: dict[int, int] = {}
    for cid in ids:
        chain: list[int] = []
        node = cid
        while node not in depth:
            up = parent[node]
            if up is None:
                depth[node] = 0
                break
            chain.append(node)
            node = up
        for member in reversed(chain):
            depth[member] = depth[parent[member]] + 1  # type: ignore[index]

    loops.sort(key=lambda loop: loop[0])
    warnings = [
        f"hierarchy: customer {_label(cid, numbers[cid])} names parent {wanted}, which is not a customer in the data"
        for cid, wanted in missing
    ]
    for loop in loops:
        chain_text = " → ".join(_label(c, numbers[c]) for c in [*loop, loop[0]])
        warnings.append(f"hierarchy: customers {chain_text} form a loop")
    return Hierarchy(top, parent, depth, missing, loops, warnings)


def hierarchy_warnings(rows: Iterable[Row]) -> list[str]:
    """One warning per customer naming a parent not in the data, and one per loop.

    ``rows`` are ``(customer_id, customer_number, parent_number)``, e.g.
    ``SELECT id, customer_number, parent_number FROM customers``.
    """
    return resolve(rows).warnings

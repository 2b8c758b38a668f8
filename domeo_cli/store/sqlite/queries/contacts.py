"""Who to call at a customer: its distinct contacts, most recently seen first."""

from __future__ import annotations

import sqlite3

from ....options import check_page
from ....results.contacts import Contact, ContactPage
from .common import find_customer


def contacts(db: sqlite3.Connection, name: str, *, limit: int | None = 10, offset: int = 0) -> ContactPage:
    """The contacts of the customer called ``name``; NotFound if there is none (``limit`` None: all)."""
    if limit is not None:
        check_page(limit, offset)
    found = find_customer(db, name)
    rows = db.execute(
        "SELECT name, email, phone, last_seen FROM contacts WHERE customer_id = ? "
        "ORDER BY last_seen DESC, name, email, phone LIMIT ? OFFSET ?",
        (found.id, -1 if limit is None else limit, offset),
    ).fetchall()
    total = db.execute("SELECT count(*) FROM contacts WHERE customer_id = ?", (found.id,)).fetchone()[0]
    items = [Contact(n or None, e or None, p or None, seen) for n, e, p, seen in rows]
    return ContactPage(found, items, total, total if limit is None else limit, offset)
